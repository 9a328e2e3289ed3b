//! JabRef groups: the group tree JabRef keeps in an `@Comment{jabref-meta: grouping: …}` block
//! (JabRef 3 and later) or `@comment{jabref-meta: groupstree: …}` (JabRef 2.x, lines wrapped
//! at 70 characters anywhere, even inside a name), read into what Folio has for them.
//!
//! - Static groups (`StaticGroup`, JabRef 2's `ExplicitGroup`) become collections, nested as
//!   in the tree. Their members are the entries whose `groups` field names the group
//!   (JabRef 3+) and the entries whose keys a JabRef 2 group lists.
//! - Keyword groups (`KeywordGroup`: a field contains a word) and search groups
//!   (`SearchGroup`: a JabRef search) become saved searches where Folio's search syntax says
//!   the same; a group that refines its parent (hierarchical context 1) searches within the
//!   parent's collection.
//! - Automatic and TeX groups, regular-expression groups and searches Folio cannot say are
//!   named in a note of the import report and not imported.
//!
//! Two layers of escaping: the tree is one metadata value whose records end with `;` (a
//! literal `;` or `\` written `\;`, `\\`); inside a record the fields are separated by `;`,
//! escaped the same way. The `@comment` block itself is kept and written back on export, so a
//! JabRef user's tree survives a round trip unchanged.

use crate::model::{Item, ItemType};

/// What JabRef's hierarchical context says about a group and its parent.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Context {
    /// 0: the group stands alone.
    Independent,
    /// 1: the group's entries are also in its parent (an intersection).
    Refining,
    /// 2: the group shows its subgroups' entries too (a union).
    Including,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Kind {
    /// Entries assigned by hand: by the `groups` field, or listed by key (JabRef 2).
    Static { keys: Vec<String> },
    /// Entries whose `field` contains `term`.
    Keyword {
        field: String,
        term: String,
        case_sensitive: bool,
        regex: bool,
    },
    /// Entries a JabRef search finds.
    Search {
        query: String,
        case_sensitive: bool,
        regex: bool,
    },
    /// A kind Folio has nothing for (automatic groups, TeX groups, a newer kind): its name.
    Other(String),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Group {
    /// Depth below the tree's root (`AllEntriesGroup`, depth 0): top-level groups are 1.
    pub level: usize,
    pub name: String,
    pub context: Context,
    pub kind: Kind,
    /// The group above this one (an index into the tree), `None` for top-level groups.
    pub parent: Option<usize>,
}

/// A file's JabRef group tree.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Tree {
    pub groups: Vec<Group>,
    /// The line of the `jabref-meta` block.
    pub line: usize,
    /// Problems reading the tree (a record that does not parse), each with its record.
    pub problems: Vec<String>,
    /// The static groups by name and by the keys they list, so placing an entry does not
    /// scan every group (a JabRef 2 group can list tens of thousands of keys).
    by_name: std::collections::HashMap<String, Vec<usize>>,
    by_key: std::collections::HashMap<String, Vec<usize>>,
    /// What was changed in reading the tree (groups deeper than
    /// [`budget::MAX_COLLECTION_DEPTH`] attached at that depth), for the import report.
    ///
    /// [`budget::MAX_COLLECTION_DEPTH`]: crate::budget::MAX_COLLECTION_DEPTH
    pub notes: Vec<String>,
    /// Every group's collection path, worked out once ([`Tree::paths`]).
    paths: std::cell::OnceCell<Vec<Result<String, usize>>>,
}

/// A collection name for a group name: Folio's paths separate collections with `/`, so a
/// slash in a group name becomes the look-alike U+2215.
pub fn collection_name(name: &str) -> String {
    name.trim().replace('/', "\u{2215}")
}

impl Tree {
    /// The tree in `input`, if it has one. The scan for the marker costs a few milliseconds
    /// on a 100 MB file; the tree comes at the end of JabRef's files, but the importer needs
    /// it for the entries before it.
    pub fn find(input: &str) -> Option<Tree> {
        let (at, marker) = memchr::memmem::find_iter(input.as_bytes(), b"jabref-meta: group").find_map(|at| {
            ["jabref-meta: grouping:", "jabref-meta: groupstree:"]
                .into_iter()
                .find(|m| input[at..].starts_with(m))
                .map(|m| (at, m))
        })?;
        let body = &input[at + marker.len()..];
        // The block ends at the first `}` that is not escaped (group names cannot hold a brace
        // JabRef would not have escaped, or the @comment would not balance).
        let mut end = body.len();
        let mut escaped = false;
        for (i, c) in body.char_indices() {
            match c {
                _ if escaped => escaped = false,
                '\\' => escaped = true,
                '}' => {
                    end = i;
                    break;
                }
                _ => {}
            }
        }
        let line = 1 + input[..at].bytes().filter(|b| *b == b'\n').count();
        Some(Tree::parse(&body[..end], line))
    }

    /// Read a tree from the text after `grouping:` / `groupstree:`.
    pub fn parse(body: &str, line: usize) -> Tree {
        // JabRef 2 wraps the value at 70 characters wherever that falls; JabRef 3+ puts a
        // record on each line. Either way line breaks are not part of the value.
        let joined: String = body.chars().filter(|c| *c != '\n' && *c != '\r').collect();
        let mut tree = Tree {
            line,
            ..Tree::default()
        };
        // The group at each depth on the way down to the current record (at most
        // MAX_COLLECTION_DEPTH: a deeper group is attached at that depth, under the group
        // above it there).
        let max = crate::budget::MAX_COLLECTION_DEPTH;
        let mut open: Vec<Option<usize>> = Vec::new();
        let (mut deep, mut deepest, mut first_deep) = (0usize, 0usize, None);
        for record in split_escaped(&joined) {
            let record = record.trim();
            if record.is_empty() {
                continue;
            }
            match parse_record(record) {
                Ok(None) => {}
                Ok(Some(mut g)) => {
                    if g.level > max {
                        deep += 1;
                        deepest = deepest.max(g.level);
                        first_deep.get_or_insert_with(|| g.name.clone());
                        g.level = max;
                    }
                    open.truncate(g.level.saturating_sub(1));
                    g.parent = open.iter().rev().flatten().next().copied();
                    while open.len() < g.level.saturating_sub(1) {
                        open.push(None);
                    }
                    open.push(Some(tree.groups.len()));
                    tree.groups.push(g);
                }
                Err(why) => tree.problems.push(format!("{why}: {}", shorten(record))),
            }
        }
        if let Some(first) = first_deep {
            tree.notes.push(format!(
                "{deep} group(s) deeper than {max} levels (down to level {deepest}, the first {:?}) attached at \
                 level {max}, the deepest a collection tree keeps",
                shorten(&first)
            ));
        }
        for (i, g) in tree.groups.iter().enumerate() {
            if let Kind::Static { keys } = &g.kind {
                tree.by_name.entry(g.name.trim().to_string()).or_default().push(i);
                for k in keys {
                    tree.by_key.entry(k.clone()).or_default().push(i);
                }
            }
        }
        tree
    }

    /// Every group's collection path ("Parent/Child"), when it and every group above it
    /// become collections; else the nearest group on the way up that does not. Worked out
    /// once, in tree order (a group's parent comes before it): no walk up the tree per group.
    fn paths(&self) -> &[Result<String, usize>] {
        self.paths.get_or_init(|| {
            let mut out: Vec<Result<String, usize>> = Vec::with_capacity(self.groups.len());
            for (i, g) in self.groups.iter().enumerate() {
                let path = if !matches!(g.kind, Kind::Static { .. }) {
                    Err(i)
                } else {
                    let name = collection_name(&g.name);
                    match g.parent.and_then(|p| out.get(p)) {
                        None => Ok(name),
                        Some(Ok(above)) => Ok(format!("{above}/{name}")),
                        Some(Err(c)) => Err(*c),
                    }
                };
                out.push(path);
            }
            out
        })
    }

    /// The collection path of group `i` (see [`Tree::paths`]).
    fn path(&self, i: usize) -> Result<String, usize> {
        self.paths().get(i).cloned().unwrap_or(Err(i))
    }

    /// What Folio makes of the tree: the collections (paths in tree order), the saved
    /// searches, and a note on each group left out.
    pub fn plan(&self) -> Plan {
        let mut plan = Plan {
            line: self.line,
            ..Plan::default()
        };
        for (i, g) in self.groups.iter().enumerate() {
            match &g.kind {
                Kind::Static { .. } => match self.path(i) {
                    Ok(p) => plan.collections.push(p),
                    Err(c) => plan.left_out.push(format!(
                        "{:?} (a static group inside {:?}, which is not one)",
                        g.name, self.groups[c].name
                    )),
                },
                Kind::Keyword { .. } | Kind::Search { .. } => match folio_query(&g.kind) {
                    Ok(query) => {
                        let within = match (g.context, g.parent) {
                            (Context::Refining, Some(p)) => match self.path(p) {
                                Ok(path) => Some(path),
                                Err(_) => {
                                    plan.left_out.push(format!(
                                        "{:?} (refines {:?}, which Folio cannot search within)",
                                        g.name, self.groups[p].name
                                    ));
                                    continue;
                                }
                            },
                            _ => None,
                        };
                        plan.saved.push(SavedGroup {
                            name: g.name.trim().to_string(),
                            query,
                            within,
                        });
                    }
                    Err(why) => plan.left_out.push(format!("{:?} ({why})", g.name)),
                },
                Kind::Other(kind) => plan.left_out.push(format!("{:?} ({})", g.name, other_reason(kind))),
            }
        }
        plan
    }

    /// The collection paths of the static groups `item` is in: those its `groups` field
    /// names, and those that list its key. Groups inside a non-static group are skipped (see
    /// [`Tree::plan`]).
    pub fn collections_of(&self, item: &Item) -> Vec<String> {
        let named: Vec<String> = item
            .extra
            .iter()
            .filter(|f| f.name.eq_ignore_ascii_case("groups"))
            .flat_map(|f| {
                super::tex::field_text(&f.value)
                    .split([',', ';'])
                    .map(|s| s.trim().to_string())
                    .filter(|s| !s.is_empty())
                    .collect::<Vec<_>>()
            })
            .collect();
        let mut groups: Vec<usize> = named
            .iter()
            .filter_map(|n| self.by_name.get(n))
            .chain(self.by_key.get(&item.key).filter(|_| !item.key.is_empty()))
            .flatten()
            .copied()
            .collect();
        // In the tree's order, each once.
        groups.sort_unstable();
        groups.dedup();
        groups.into_iter().filter_map(|i| self.path(i).ok()).collect()
    }
}

/// What an import makes of a JabRef group tree.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Plan {
    /// The line of the tree's `jabref-meta` block.
    pub line: usize,
    /// Collection paths ("Parent/Child"), parents first, in the tree's order.
    pub collections: Vec<String>,
    pub saved: Vec<SavedGroup>,
    /// Each group not imported, named, with why.
    pub left_out: Vec<String>,
}

/// A keyword or search group as a Folio saved search.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SavedGroup {
    pub name: String,
    pub query: String,
    /// The collection path it searches within (a refining group under a static one).
    pub within: Option<String>,
}

fn other_reason(kind: &str) -> &'static str {
    match kind {
        "AutomaticKeywordGroup" => "an automatic group by keyword: Folio's tag list does this",
        "AutomaticPersonsGroup" => "an automatic group by person: search author: in Folio",
        "TexGroup" => "a group of the entries a .aux file cites: register the file with `folio aux` instead",
        _ => "a kind of JabRef group Folio does not know",
    }
}

/// Split at each `;` not escaped by `\`, removing one level of escapes (`\;` → `;`,
/// `\\` → `\`, `\x` → `x`). A trailing piece without `;` is kept.
fn split_escaped(s: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut chars = s.chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' => {
                if let Some(n) = chars.next() {
                    cur.push(n);
                }
            }
            ';' => out.push(std::mem::take(&mut cur)),
            c => cur.push(c),
        }
    }
    if !cur.trim().is_empty() {
        out.push(cur);
    }
    out
}

fn shorten(s: &str) -> String {
    let mut t: String = s.chars().take(80).collect();
    if t.len() < s.len() {
        t.push('…');
    }
    t
}

/// One record: `LEVEL Kind:fields…` (the root `0 AllEntriesGroup:` gives `None`).
fn parse_record(record: &str) -> Result<Option<Group>, String> {
    let (level, rest) = record
        .split_once(' ')
        .ok_or_else(|| "a group record without its level".to_string())?;
    let level: usize = level
        .trim()
        .parse()
        .map_err(|_| format!("the level {level:?} is not a number"))?;
    let (kind, fields) = rest
        .split_once(':')
        .ok_or_else(|| "a group record without its kind".to_string())?;
    let kind = kind.trim();
    if kind == "AllEntriesGroup" {
        return Ok(None);
    }
    if level == 0 {
        return Err("a group at level 0 (only the root is)".into());
    }
    let f = split_escaped(fields);
    let field = |i: usize| f.get(i).map(|s| s.trim().to_string()).unwrap_or_default();
    let flag = |i: usize| field(i) == "1";
    let name = field(0);
    if name.is_empty() {
        return Err("a group without a name".into());
    }
    let context = match field(1).as_str() {
        "1" => Context::Refining,
        "2" => Context::Including,
        _ => Context::Independent,
    };
    let kind = match kind {
        // JabRef 3+: name; context; expanded; color; icon; description.
        "StaticGroup" => Kind::Static { keys: Vec::new() },
        // JabRef 2: name; context; then the member keys.
        "ExplicitGroup" => Kind::Static {
            keys: f
                .iter()
                .skip(2)
                .map(|k| k.trim().to_string())
                .filter(|k| !k.is_empty())
                .collect(),
        },
        // name; context; field; term; case sensitive; regex; …
        "KeywordGroup" => Kind::Keyword {
            field: field(2).to_ascii_lowercase(),
            term: field(3),
            case_sensitive: flag(4),
            regex: flag(5),
        },
        // name; context; query; case sensitive; regex; …
        "SearchGroup" => Kind::Search {
            query: field(2),
            case_sensitive: flag(3),
            regex: flag(4),
        },
        other => Kind::Other(other.to_string()),
    };
    Ok(Some(Group {
        level,
        name,
        context,
        kind,
        parent: None,
    }))
}

/// The Folio search saying what a keyword or search group does.
fn folio_query(kind: &Kind) -> Result<String, String> {
    match kind {
        Kind::Keyword { regex: true, .. } | Kind::Search { regex: true, .. } => {
            Err("a regular expression: Folio's search has none".into())
        }
        Kind::Keyword { field, term, .. } => field_term(field, term)
            .ok_or_else(|| format!("a search of the {field:?} field, which Folio's search has no prefix for")),
        Kind::Search { query, .. } => search_query(query),
        _ => Err("not a search".into()),
    }
}

/// `prefix:value` for a JabRef field and a value, quoted when it has spaces.
fn field_term(field: &str, value: &str) -> Option<String> {
    let value = value.trim().trim_matches('"').replace('"', "");
    if value.is_empty() {
        return None;
    }
    let quoted = if value.contains(char::is_whitespace) || value.contains(':') {
        format!("\"{value}\"")
    } else {
        value.clone()
    };
    let prefix = match field {
        "keywords" | "keyword" | "groups" => "tag",
        "author" | "editor" | "bookauthor" => "author",
        "title" | "subtitle" => "title",
        "journal" | "journaltitle" | "booktitle" => "journal",
        "abstract" => "abstract",
        "note" | "annote" | "annotation" => "note",
        "doi" => "doi",
        "year" | "date" => {
            return value
                .chars()
                .all(|c| c.is_ascii_digit())
                .then(|| format!("year:{value}"));
        }
        "entrytype" | "type" => {
            return ItemType::from_bibtex(&value.to_ascii_lowercase()).map(|t| format!("type:{}", t.as_str()));
        }
        "any" | "anyfield" | "" => return Some(quoted),
        _ => return None,
    };
    Some(format!("{prefix}:{quoted}"))
}

/// A JabRef search (`author = smith and title = "deep sea"`, `not keywords = read`, or plain
/// words) as a Folio search, when it uses only what Folio's search can say.
fn search_query(query: &str) -> Result<String, String> {
    let tokens = tokens(query)?;
    let mut out: Vec<String> = Vec::new();
    let mut negate = false;
    let mut i = 0;
    while i < tokens.len() {
        let t = &tokens[i];
        let lower = t.to_ascii_lowercase();
        match lower.as_str() {
            "and" => {
                i += 1;
                continue;
            }
            "or" => {
                out.push("OR".into());
                i += 1;
                continue;
            }
            "not" => {
                negate = !negate;
                i += 1;
                continue;
            }
            "(" | ")" => return Err("a search with parentheses: Folio's search has no grouping".into()),
            _ => {}
        }
        let op = tokens.get(i + 1).map(|s| s.to_ascii_lowercase());
        let term = match op.as_deref() {
            Some("=" | "==" | "contains" | "matches") => {
                let value = tokens
                    .get(i + 2)
                    .ok_or_else(|| format!("the search {query:?} ends after {t:?}"))?;
                i += 3;
                field_term(&lower, value)
                    .ok_or_else(|| format!("a search of the {lower:?} field, which Folio's search has no prefix for"))?
            }
            Some("!=" | "!==") => {
                let value = tokens
                    .get(i + 2)
                    .ok_or_else(|| format!("the search {query:?} ends after {t:?}"))?;
                i += 3;
                negate = !negate;
                field_term(&lower, value)
                    .ok_or_else(|| format!("a search of the {lower:?} field, which Folio's search has no prefix for"))?
            }
            _ => {
                i += 1;
                if t.contains(char::is_whitespace) {
                    format!("\"{t}\"")
                } else if t.contains(':') {
                    return Err(format!("a search term Folio would read as a field: {t:?}"));
                } else {
                    t.clone()
                }
            }
        };
        out.push(if std::mem::take(&mut negate) {
            format!("-{term}")
        } else {
            term
        });
    }
    if out.is_empty() || out.first().is_some_and(|t| t == "OR") || out.last().is_some_and(|t| t == "OR") {
        return Err(format!("the search {query:?} has no terms Folio can read"));
    }
    Ok(out.join(" "))
}

/// Words, `"quoted phrases"`, operators (`=`, `==`, `!=`) and parentheses of a JabRef search.
fn tokens(q: &str) -> Result<Vec<String>, String> {
    let mut out = Vec::new();
    let mut chars = q.chars().peekable();
    while let Some(&c) = chars.peek() {
        if c.is_whitespace() {
            chars.next();
        } else if c == '"' {
            chars.next();
            let mut s = String::new();
            loop {
                match chars.next() {
                    Some('"') => break,
                    Some(c) => s.push(c),
                    None => return Err(format!("an unclosed quote in the search {q:?}")),
                }
            }
            out.push(s);
        } else if c == '(' || c == ')' {
            chars.next();
            out.push(c.to_string());
        } else if c == '=' || c == '!' {
            let mut s = String::new();
            while let Some(&c) = chars.peek() {
                if c == '=' || c == '!' {
                    s.push(c);
                    chars.next();
                } else {
                    break;
                }
            }
            out.push(s);
        } else {
            let mut s = String::new();
            while let Some(&c) = chars.peek() {
                if c.is_whitespace() || matches!(c, '"' | '(' | ')' | '=' | '!') {
                    break;
                }
                s.push(c);
                chars.next();
            }
            out.push(s);
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::ExtraField;

    const JABREF5: &str = r"@Comment{jabref-meta: grouping:
0 AllEntriesGroup:;
1 StaticGroup:StaticGroup\;0\;1\;0x6d74baff\;\;A test static group\;;
1 KeywordGroup:DynamicGroup\;0\;author\;Churchill\;0\;0\;0\;0x5eba7dff\;\;\;;
1 AutomaticPersonsGroup:Automatic group (Authors)\;0\;author\;0\;\;\;Automatic group for all authors\;;
1 StaticGroup:TestOne\;0\;1\;0x311b92ff\;\;\;;
2 StaticGroup:TestOneSubOne\;0\;1\;0xff7043ff\;\;\;;
2 StaticGroup:Test/Sub\\\;Two\;0\;1\;0x00bcd4ff\;\;\;;
2 KeywordGroup:Read\;1\;keywords\;read\;1\;0\;;
1 StaticGroup:TestTwo\;0\;0\;0x5d4037ff\;\;\;;
}";

    fn item(key: &str, groups: Option<&str>) -> Item {
        let mut it = Item::new(ItemType::Article, "x");
        it.key = key.into();
        if let Some(g) = groups {
            it.extra.push(ExtraField::bibtex("groups".into(), format!("{{{g}}}")));
        }
        it
    }

    #[test]
    fn a_jabref_5_tree_nests_and_unescapes() {
        let text = format!("@article{{a, title={{x}}}}\n\n{JABREF5}\n");
        let tree = Tree::find(&text).expect("a tree");
        assert_eq!(tree.line, 3);
        assert!(tree.problems.is_empty(), "{:?}", tree.problems);
        let names: Vec<(&str, usize, Option<usize>)> = tree
            .groups
            .iter()
            .map(|g| (g.name.as_str(), g.level, g.parent))
            .collect();
        assert_eq!(
            names,
            vec![
                ("StaticGroup", 1, None),
                ("DynamicGroup", 1, None),
                ("Automatic group (Authors)", 1, None),
                ("TestOne", 1, None),
                ("TestOneSubOne", 2, Some(3)),
                ("Test/Sub;Two", 2, Some(3)),
                ("Read", 2, Some(3)),
                ("TestTwo", 1, None),
            ]
        );
        assert_eq!(tree.groups[6].context, Context::Refining);
        let plan = tree.plan();
        assert_eq!(
            plan.collections,
            vec![
                "StaticGroup",
                "TestOne",
                "TestOne/TestOneSubOne",
                "TestOne/Test\u{2215}Sub;Two",
                "TestTwo"
            ]
        );
        assert_eq!(
            plan.saved,
            vec![
                SavedGroup {
                    name: "DynamicGroup".into(),
                    query: "author:Churchill".into(),
                    within: None
                },
                SavedGroup {
                    name: "Read".into(),
                    query: "tag:read".into(),
                    within: Some("TestOne".into())
                },
            ]
        );
        assert_eq!(plan.left_out.len(), 1);
        assert!(
            plan.left_out[0].contains("Automatic group (Authors)"),
            "{:?}",
            plan.left_out
        );
    }

    #[test]
    fn members_come_from_the_groups_field() {
        let tree = Tree::find(JABREF5).unwrap();
        assert_eq!(
            tree.collections_of(&item("k", Some("TestOneSubOne, TestTwo"))),
            vec!["TestOne/TestOneSubOne", "TestTwo"]
        );
        assert_eq!(
            tree.collections_of(&item("k", Some("Test/Sub;Two"))),
            Vec::<String>::new(),
            "a name is matched whole, not split at its own ;"
        );
        assert!(tree.collections_of(&item("k", Some("Nope"))).is_empty());
        assert!(tree.collections_of(&item("k", None)).is_empty());
    }

    #[test]
    fn a_jabref_2_tree_is_unwrapped_and_lists_its_members() {
        // Wrapped at 70 characters, through a key and through an escape.
        let text = "@comment{jabref-meta: groupstree:\n0 AllEntriesGroup:;\n1 ExplicitGroup:Cu2O\\;0\\;Abu-Zeid_1986\\;Agekyan_1974\\;Ag\nekyan_1975\\\n;;\n2 ExplicitGroup:Sub\\;0\\;Agekyan_1975\\;;\n1 KeywordGroup:TODO\\;0\\;keywords\\;TODO\\;0\\;0\\;;\n}\n";
        let tree = Tree::find(text).unwrap();
        assert!(tree.problems.is_empty(), "{:?}", tree.problems);
        assert_eq!(
            tree.groups[0].kind,
            Kind::Static {
                keys: vec!["Abu-Zeid_1986".into(), "Agekyan_1974".into(), "Agekyan_1975".into()]
            }
        );
        assert_eq!(
            tree.collections_of(&item("Agekyan_1975", None)),
            vec!["Cu2O", "Cu2O/Sub"]
        );
        assert_eq!(tree.collections_of(&item("Abu-Zeid_1986", None)), vec!["Cu2O"]);
        assert!(tree.collections_of(&item("Other", None)).is_empty());
        assert_eq!(tree.plan().saved[0].query, "tag:TODO");
    }

    #[test]
    fn bad_records_are_reported_and_the_rest_kept() {
        let tree = Tree::parse(
            "0 AllEntriesGroup:;\nx StaticGroup:A\\;0\\;;\n1 StaticGroup:B\\;0\\;;\n1 nokind\\;;",
            7,
        );
        assert_eq!(tree.groups.len(), 1);
        assert_eq!(tree.groups[0].name, "B");
        assert_eq!(tree.problems.len(), 2, "{:?}", tree.problems);
        assert!(tree.problems[0].contains("not a number"));
    }

    #[test]
    fn searches_translate_or_say_why_not() {
        let q = |s: &str| {
            folio_query(&Kind::Search {
                query: s.into(),
                case_sensitive: false,
                regex: false,
            })
        };
        assert_eq!(
            q("author = smith and title = \"deep sea\"").unwrap(),
            "author:smith title:\"deep sea\""
        );
        assert_eq!(q("keywords == read or year = 2020").unwrap(), "tag:read OR year:2020");
        assert_eq!(q("not keywords = read salmon").unwrap(), "-tag:read salmon");
        assert_eq!(q("journal != Nature").unwrap(), "-journal:Nature");
        assert!(q("(author = a or author = b) and year = 2020")
            .unwrap_err()
            .contains("parentheses"));
        assert!(q("owner = me").unwrap_err().contains("\"owner\""));
        assert!(q("").is_err());
        assert!(folio_query(&Kind::Search {
            query: "author = sm.*".into(),
            case_sensitive: false,
            regex: true
        })
        .unwrap_err()
        .contains("regular expression"));
        assert_eq!(field_term("entrytype", "Book").unwrap(), "type:book");
        assert_eq!(field_term("year", "19x"), None);
    }
}
