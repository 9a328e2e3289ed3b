//! The fielded search syntax, parsed into a small AST. Pure: the store turns it into SQL with
//! bound parameters and FTS5 expressions built only from quoted alphanumeric tokens.
//!
//! ```text
//! author:steen year:2019..2022 tag:co-production access:restricted "public service"
//! title:interoperability -tag:read type:article OR type:inproceedings
//! ```
//! - words match as prefixes anywhere (title, creators, abstract, keywords, container, other
//!   fields); `"quoted words"` match as a phrase; matching ignores case and accents;
//! - `field:value` / `field:"several words"` with fields `author` (`creator`, `editor`, `a`),
//!   `title` (`t`), `abstract` (`ab`), `keyword` (`kw`), `journal` (`container`, `in`), `note`;
//!   `year:2020`, `year:2019..2022`, `year:..2010`, `year:2015..`; `tag:NAME`; `access:open|free|
//!   restricted|unknown`; `type:article`; `key:Smith2020` (`key:Smith*` for a prefix);
//!   `doi:10.1108/…`; `collection:"Thesis/Chapter 2"`; `has:doi|abstract|title|year|url|isbn|issn|
//!   pdf|file`; `fulltext:"a phrase"` (`ft:`) searches the text of attached files;
//! - in "everything" mode ([`parse_everything`]) unfielded words match the attachments' text
//!   as well as the item's fields;
//! - `-term` negates; `A OR B` matches either; everything else must all match.

use crate::model::{AccessStatus, ItemType};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TextField {
    Title,
    Creators,
    Abstract,
    Keywords,
    Container,
    Other,
}

impl TextField {
    /// The FTS5 column.
    pub fn column(self) -> &'static str {
        match self {
            TextField::Title => "title",
            TextField::Creators => "creators",
            TextField::Abstract => "abstract",
            TextField::Keywords => "keywords",
            TextField::Container => "container",
            TextField::Other => "other",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HasField {
    Doi,
    Abstract,
    Title,
    Year,
    Url,
    Isbn,
    Issn,
    /// An attached PDF.
    Pdf,
    /// Any attached file.
    File,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TermKind {
    /// Full-text words (each a prefix) or a phrase; `field` limits the columns.
    Text {
        field: Option<TextField>,
        words: Vec<String>,
        phrase: bool,
    },
    Year {
        from: Option<i32>,
        to: Option<i32>,
    },
    Tag(String),
    Access(AccessStatus),
    Type(ItemType),
    /// Exact key, or a prefix when `prefix`.
    Key {
        key: String,
        prefix: bool,
    },
    Doi(String),
    Collection(String),
    Has(HasField),
    /// Words (prefixes) or a phrase in the text of an attached file; with `or_fields` also in
    /// the item's own fields (the search box's "everything" mode).
    Fulltext {
        words: Vec<String>,
        phrase: bool,
        or_fields: bool,
    },
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Term {
    pub negated: bool,
    pub kind: TermKind,
}

/// A query: all clauses must match; a clause matches when any of its terms does.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Query {
    pub clauses: Vec<Vec<Term>>,
}

impl Query {
    pub fn is_empty(&self) -> bool {
        self.clauses.is_empty()
    }
}

/// Split text into the alphanumeric tokens the FTS tokenizer would see.
pub fn words(text: &str) -> Vec<String> {
    text.split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_string)
        .collect()
}

#[derive(Debug)]
struct Token {
    negated: bool,
    field: Option<String>,
    value: String,
    quoted: bool,
}

fn tokenize(input: &str) -> Result<Vec<Token>, String> {
    let mut out = Vec::new();
    let chars: Vec<char> = input.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        if chars[i].is_whitespace() {
            i += 1;
            continue;
        }
        let mut negated = false;
        if chars[i] == '-' && i + 1 < chars.len() && !chars[i + 1].is_whitespace() {
            negated = true;
            i += 1;
        }
        let start = i;
        let mut field = None;
        // field name: letters followed by ':'
        let mut j = i;
        while j < chars.len() && (chars[j].is_ascii_alphabetic() || chars[j] == '_') {
            j += 1;
        }
        if j > i && j < chars.len() && chars[j] == ':' {
            field = Some(chars[i..j].iter().collect::<String>().to_ascii_lowercase());
            i = j + 1;
        }
        let (value, quoted) = if i < chars.len() && chars[i] == '"' {
            let close = chars[i + 1..]
                .iter()
                .position(|c| *c == '"')
                .ok_or_else(|| format!("unclosed quote in search at character {}", start + 1))?;
            let v: String = chars[i + 1..i + 1 + close].iter().collect();
            i = i + 2 + close;
            (v, true)
        } else {
            let mut k = i;
            while k < chars.len() && !chars[k].is_whitespace() {
                k += 1;
            }
            let v: String = chars[i..k].iter().collect();
            i = k;
            (v, false)
        };
        if field.is_some() && value.is_empty() {
            return Err(format!("search field {}: needs a value", field.unwrap_or_default()));
        }
        out.push(Token {
            negated,
            field,
            value,
            quoted,
        });
    }
    Ok(out)
}

fn year(s: &str) -> Result<i32, String> {
    let t = s.trim();
    t.parse::<i32>().map_err(|_| {
        let digits = t.strip_prefix(['-', '+']).unwrap_or(t);
        if !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit()) {
            format!("year {t} is out of range (years go from {} to {})", i32::MIN, i32::MAX)
        } else {
            format!("year must be a number, got {s:?}")
        }
    })
}

/// The year after `y` (for `year:>y`), or an error when there is none.
fn year_after(y: i32) -> Result<i32, String> {
    y.checked_add(1)
        .ok_or_else(|| format!("year:>{y} can match nothing: {y} is the largest year"))
}

/// The year before `y` (for `year:<y`), or an error when there is none.
fn year_before(y: i32) -> Result<i32, String> {
    y.checked_sub(1)
        .ok_or_else(|| format!("year:<{y} can match nothing: {y} is the smallest year"))
}

/// How much of the query budget ([`crate::budget::MAX_QUERY_TERMS`]) a term uses: each word of
/// a prefix search is a term of its own; a phrase, like every other term, is one.
fn weight(t: &Term) -> usize {
    match &t.kind {
        TermKind::Text {
            words, phrase: false, ..
        }
        | TermKind::Fulltext {
            words, phrase: false, ..
        } => words.len().max(1),
        _ => 1,
    }
}

fn term(t: Token) -> Result<Option<Term>, String> {
    let kind = match t.field.as_deref() {
        None => {
            let w = words(&t.value);
            if w.is_empty() {
                return Ok(None);
            }
            TermKind::Text {
                field: None,
                words: w,
                phrase: t.quoted,
            }
        }
        Some(f) => {
            let text_field = match f {
                "author" | "authors" | "creator" | "creators" | "editor" | "a" | "au" => Some(TextField::Creators),
                "title" | "t" | "ti" => Some(TextField::Title),
                "abstract" | "ab" => Some(TextField::Abstract),
                "keyword" | "keywords" | "kw" => Some(TextField::Keywords),
                "journal" | "container" | "in" | "publication" | "booktitle" | "jo" => Some(TextField::Container),
                "note" | "notes" | "other" => Some(TextField::Other),
                _ => None,
            };
            if let Some(field) = text_field {
                let w = words(&t.value);
                if w.is_empty() {
                    return Err(format!("{f}: needs words to search for"));
                }
                TermKind::Text {
                    field: Some(field),
                    words: w,
                    phrase: t.quoted,
                }
            } else {
                let v = t.value.trim().to_string();
                match f {
                    "year" | "y" | "py" => {
                        let (from, to) = if let Some((a, b)) = v.split_once("..") {
                            (
                                if a.is_empty() { None } else { Some(year(a)?) },
                                if b.is_empty() { None } else { Some(year(b)?) },
                            )
                        } else if let Some(a) = v.strip_prefix(">=") {
                            (Some(year(a)?), None)
                        } else if let Some(a) = v.strip_prefix("<=") {
                            (None, Some(year(a)?))
                        } else if let Some(a) = v.strip_prefix('>') {
                            (Some(year_after(year(a)?)?), None)
                        } else if let Some(a) = v.strip_prefix('<') {
                            (None, Some(year_before(year(a)?)?))
                        } else {
                            let y = year(&v)?;
                            (Some(y), Some(y))
                        };
                        if from.is_none() && to.is_none() {
                            return Err("year: needs a year or a range like 2019..2022".into());
                        }
                        if let (Some(a), Some(b)) = (from, to) {
                            if a > b {
                                return Err(format!("year range {v} is empty (start after end)"));
                            }
                        }
                        TermKind::Year { from, to }
                    }
                    "tag" | "tags" => TermKind::Tag(v),
                    "access" => TermKind::Access(v.parse()?),
                    "type" | "ty" => TermKind::Type(v.parse()?),
                    "key" | "citekey" | "id" => match v.strip_suffix('*') {
                        Some(p) => TermKind::Key {
                            key: p.to_string(),
                            prefix: true,
                        },
                        None => TermKind::Key { key: v, prefix: false },
                    },
                    "doi" => TermKind::Doi(crate::model::normalize_doi(&v)),
                    "collection" | "col" => TermKind::Collection(v),
                    "fulltext" | "ft" => {
                        let w = words(&v);
                        if w.is_empty() {
                            return Err(format!("{f}: needs words to search for"));
                        }
                        TermKind::Fulltext {
                            words: w,
                            phrase: t.quoted,
                            or_fields: false,
                        }
                    }
                    "has" => TermKind::Has(match v.to_ascii_lowercase().as_str() {
                        "doi" => HasField::Doi,
                        "abstract" => HasField::Abstract,
                        "title" => HasField::Title,
                        "year" | "date" => HasField::Year,
                        "url" => HasField::Url,
                        "isbn" => HasField::Isbn,
                        "issn" => HasField::Issn,
                        "pdf" => HasField::Pdf,
                        "file" | "files" | "attachment" | "attachments" => HasField::File,
                        _ => {
                            return Err(format!(
                                "has:{v} is not known; use doi, abstract, title, year, url, isbn, issn, pdf or file"
                            ))
                        }
                    }),
                    _ => {
                        return Err(format!(
                        "unknown search field {f}:; use author, title, abstract, keyword, journal, note, year, tag, \
                             access, type, key, doi, collection, has or fulltext"
                    ))
                    }
                }
            }
        }
    };
    Ok(Some(Term {
        negated: t.negated,
        kind,
    }))
}

/// Parse the search syntax in "everything" mode: words without a field also match the text of
/// the attached files.
pub fn parse_everything(input: &str) -> Result<Query, String> {
    let mut q = parse(input)?;
    for clause in &mut q.clauses {
        for t in clause.iter_mut() {
            if let TermKind::Text {
                field: None,
                words,
                phrase,
            } = &mut t.kind
            {
                t.kind = TermKind::Fulltext {
                    words: std::mem::take(words),
                    phrase: *phrase,
                    or_fields: true,
                };
            }
        }
    }
    Ok(q)
}

/// Parse the search syntax. Errors are short messages for the user.
pub fn parse(input: &str) -> Result<Query, String> {
    let tokens = tokenize(input)?;
    let mut clauses: Vec<Vec<Term>> = Vec::new();
    let mut join_next = false;
    let mut used = 0usize;
    let n = tokens.len();
    for (idx, t) in tokens.into_iter().enumerate() {
        if t.field.is_none() && !t.quoted && !t.negated && t.value == "OR" {
            if clauses.is_empty() || join_next || idx + 1 == n {
                return Err("OR needs a term on each side".into());
            }
            join_next = true;
            continue;
        }
        let Some(term) = term(t)? else { continue };
        used += weight(&term);
        if used > crate::budget::MAX_QUERY_TERMS {
            return Err(format!(
                "search has too many terms (more than {}); use fewer words or a saved search per part",
                crate::budget::MAX_QUERY_TERMS
            ));
        }
        if join_next {
            clauses.last_mut().expect("OR checked a left side").push(term);
            join_next = false;
        } else {
            clauses.push(vec![term]);
        }
    }
    Ok(Query { clauses })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_issue_example() {
        let q = parse(r#"author:steen year:2019..2022 tag:co-production access:restricted "public service""#).unwrap();
        assert_eq!(q.clauses.len(), 5);
        assert_eq!(
            q.clauses[0][0].kind,
            TermKind::Text {
                field: Some(TextField::Creators),
                words: vec!["steen".into()],
                phrase: false
            }
        );
        assert_eq!(
            q.clauses[1][0].kind,
            TermKind::Year {
                from: Some(2019),
                to: Some(2022)
            }
        );
        assert_eq!(q.clauses[2][0].kind, TermKind::Tag("co-production".into()));
        assert_eq!(q.clauses[3][0].kind, TermKind::Access(AccessStatus::Restricted));
        assert_eq!(
            q.clauses[4][0].kind,
            TermKind::Text {
                field: None,
                words: vec!["public".into(), "service".into()],
                phrase: true
            }
        );
    }

    #[test]
    fn negation_or_and_ranges() {
        let q = parse("-tag:read type:article OR type:book year:..2010 key:Smi*").unwrap();
        assert!(q.clauses[0][0].negated);
        assert_eq!(q.clauses[1].len(), 2);
        assert_eq!(
            q.clauses[2][0].kind,
            TermKind::Year {
                from: None,
                to: Some(2010)
            }
        );
        assert_eq!(
            q.clauses[3][0].kind,
            TermKind::Key {
                key: "Smi".into(),
                prefix: true
            }
        );
        assert_eq!(
            parse("year:>2019").unwrap().clauses[0][0].kind,
            TermKind::Year {
                from: Some(2020),
                to: None
            }
        );
        assert!(parse("  ").unwrap().is_empty());
        assert!(parse("-- ** ").unwrap().is_empty());
    }

    #[test]
    fn errors_are_clear() {
        assert!(parse("\"open").unwrap_err().contains("unclosed quote"));
        assert!(parse("colour:red").unwrap_err().contains("unknown search field"));
        assert!(parse("year:abc").unwrap_err().contains("year"));
        assert!(parse("year:2022..2019").unwrap_err().contains("empty"));
        assert!(parse("access:closed").is_err());
        assert!(parse("OR x").is_err());
        assert!(parse("x OR").is_err());
        assert!(parse("tag:").is_err());
    }

    /// Issue 23, cause 9: years at the ends of `i32` and past them are errors, never a range
    /// that wraps around (and matches everything); more terms than the budget are an error.
    #[test]
    fn out_of_range_years_and_too_many_terms_are_errors() {
        let max = i32::MAX;
        let min = i32::MIN;
        assert!(parse(&format!("year:>{max}")).unwrap_err().contains("largest year"));
        assert!(parse(&format!("year:<{min}")).unwrap_err().contains("smallest year"));
        assert!(parse("year:>2147483648").unwrap_err().contains("out of range"));
        assert!(parse("year:99999999999999999999999")
            .unwrap_err()
            .contains("out of range"));
        assert!(parse("year:-2147483649..").unwrap_err().contains("out of range"));
        assert_eq!(
            parse(&format!("year:>={max}")).unwrap().clauses[0][0].kind,
            TermKind::Year {
                from: Some(max),
                to: None
            }
        );
        assert_eq!(
            parse(&format!("year:<{}", min + 1)).unwrap().clauses[0][0].kind,
            TermKind::Year {
                from: None,
                to: Some(min)
            }
        );
        let n = crate::budget::MAX_QUERY_TERMS;
        let words = |n: usize| (0..n).map(|i| format!("w{i}")).collect::<Vec<_>>().join(" ");
        assert_eq!(parse(&words(n)).unwrap().clauses.len(), n);
        assert!(parse(&words(n + 1)).unwrap_err().contains("too many terms"));
        // Words of one term count one by one; a phrase counts once.
        assert!(parse(&format!("title:{}", words(n + 1).replace(' ', "-"))).is_err());
        assert!(parse(&format!("\"{}\"", words(5 * n))).is_ok());
    }

    #[test]
    fn hostile_input_becomes_plain_words() {
        let q = parse(r#"a'; DROP TABLE items; -- NEAR(x y) title:"x" AND {creators}:y*"#).unwrap();
        for c in &q.clauses {
            for t in c {
                if let TermKind::Text { words, .. } = &t.kind {
                    assert!(words.iter().all(|w| w.chars().all(char::is_alphanumeric)));
                }
            }
        }
    }
}
