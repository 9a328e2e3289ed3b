//! CSL-JSON and CSL-YAML → items.

use super::{date_from_text, folio_type, kept_name, NAME_ROLES, OTHER_DATES, OTHER_NAMES, TYPE_FIELD};
use crate::budget::MAX_FIELD_BYTES;
use crate::error::Diagnostic;
use crate::format::bibtex::names as bibnames;
use crate::format::{Parsed, ParsedItem};
use crate::model::{
    citekey, split_keywords, Abstract, Creator, ExtraField, Item, ItemTag, ItemType, Name, PartialDate, Role,
};
use serde_json::{Map, Value};

/// Read CSL-JSON: an array of items, `{"items": […]}` or one item. Invalid JSON (or nesting
/// deeper than the JSON reader's limit of 128 levels) is one error for the file; each item that
/// cannot be read is an error naming it and its line, and the others are read.
pub fn parse_json(input: &str) -> Parsed {
    let v: Value = match serde_json::from_str(input) {
        Ok(v) => v,
        Err(e) => {
            let mut out = Parsed::default();
            out.diagnostics
                .push(Diagnostic::error(e.line(), format!("invalid CSL-JSON: {e}")));
            return out;
        }
    };
    let depth = crate::format::json::items_depth(&v);
    let starts = crate::format::json::object_start_lines(input, depth);
    let list = match v {
        Value::Array(a) => a,
        Value::Object(mut o) if o.contains_key("items") => match o.remove("items") {
            Some(Value::Array(a)) => a,
            _ => return file_error("\"items\" must be an array of CSL items"),
        },
        v @ Value::Object(_) => vec![v],
        other => return file_error(&format!("CSL-JSON is an array of items, not {}", kind(&other))),
    };
    read_items(list, &starts, false)
}

/// Read CSL-YAML: pandoc's `references:` list, in a YAML file or in a Markdown file's
/// front-matter block (`---` … `---` or `...`); a bare list of items is read too. Strings are
/// Markdown: backslash escapes are taken out.
pub fn parse_yaml(input: &str) -> Parsed {
    let (body, first_line) = front_matter(input);
    let v: Value = match serde_yaml::from_str(body) {
        Ok(v) => v,
        Err(e) => {
            let line = e.location().map_or(first_line, |l| l.line() + first_line - 1);
            let mut out = Parsed::default();
            out.diagnostics
                .push(Diagnostic::error(line, format!("invalid CSL-YAML: {e}")));
            return out;
        }
    };
    let list = match v {
        Value::Array(a) => a,
        Value::Object(mut o) => match o.remove("references") {
            Some(Value::Array(a)) => a,
            Some(other) => {
                return file_error(&format!(
                    "\"references\" must be a list of CSL items, not {}",
                    kind(&other)
                ))
            }
            None => {
                return file_error(
                    "no \"references:\" list: CSL-YAML holds its items under \"references:\" (a Hayagriva file cannot be imported; export it from typst's tools as CSL-JSON)",
                )
            }
        },
        other => {
            return file_error(&format!(
                "CSL-YAML is a \"references:\" list, not {}",
                kind(&other)
            ))
        }
    };
    let starts: Vec<usize> = list_item_lines(body).into_iter().map(|l| l + first_line - 1).collect();
    read_items(list, &starts, true)
}

fn file_error(message: &str) -> Parsed {
    let mut out = Parsed::default();
    out.diagnostics.push(Diagnostic::error(1, message));
    out
}

/// The YAML text of a document and the line it starts on: a Markdown or YAML file's first
/// `---` block, or the whole text.
fn front_matter(input: &str) -> (&str, usize) {
    let mut offset = 0;
    let mut line = 1;
    let mut lines = input.split_inclusive('\n');
    for l in lines.by_ref() {
        let t = l.trim_end();
        if t.trim().is_empty() {
            offset += l.len();
            line += 1;
            continue;
        }
        if t != "---" {
            return (&input[offset..], line);
        }
        offset += l.len();
        line += 1;
        break;
    }
    let start = offset;
    let mut end = start;
    for l in lines {
        let t = l.trim_end();
        if t == "---" || t == "..." {
            return (&input[start..end], line);
        }
        end += l.len();
    }
    (&input[start..], line)
}

/// The lines (1-based) on which the items of the first top-level YAML list start (`- ` at the
/// list's indentation), for diagnostics.
fn list_item_lines(yaml: &str) -> Vec<usize> {
    let mut out = Vec::new();
    let mut indent: Option<usize> = None;
    for (i, l) in yaml.lines().enumerate() {
        let t = l.trim_start();
        let n = l.len() - t.len();
        if !(t.starts_with("- ") || t == "-") {
            if indent.is_some_and(|d| n < d) && !t.is_empty() && !t.starts_with('#') && n == 0 && !out.is_empty() {
                break;
            }
            continue;
        }
        match indent {
            None => indent = Some(n),
            Some(d) if d != n => continue,
            _ => {}
        }
        out.push(i + 1);
    }
    out
}

fn read_items(list: Vec<Value>, starts: &[usize], markdown: bool) -> Parsed {
    let mut out = Parsed::default();
    for (i, v) in list.into_iter().enumerate() {
        let line = starts.get(i).copied().unwrap_or(1);
        let id = match v.get("id") {
            Some(Value::String(s)) => format!(" ({s})"),
            Some(Value::Number(n)) => format!(" ({n})"),
            _ => String::new(),
        };
        let label = format!("item {}{id}", i + 1);
        match item_from_csl(&v, markdown) {
            Ok((item, warnings)) => {
                for w in warnings {
                    out.diagnostics.push(Diagnostic::warning(line, format!("{label}: {w}")));
                }
                out.items.push(ParsedItem::new(item, line));
            }
            Err(e) => out.diagnostics.push(Diagnostic::error(line, format!("{label}: {e}"))),
        }
    }
    out
}

/// The JSON type of a value, for messages.
pub(super) fn kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

/// The text of a CSL-YAML string, which pandoc reads as Markdown: backslash escapes out
/// (`\\*` → `*`, what the YAML writer added); pandoc's raw LaTeX `` `\\textendash{}`{=latex} ``
/// read as LaTeX; a code span as its text; a span with attributes (`[DNA]{.nocase}`) as its
/// text; emphasis, strong, super- and subscript as CSL's markup (`*a*` → `<i>a</i>`); and
/// pandoc's smart punctuation (`--`, `---`, `...`, straight quotes) as the characters pandoc
/// reads. TeX math (`$k$`) stays as written, as Folio keeps it.
pub(super) fn unescape_markdown(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(c) = rest.chars().next() {
        let after = &rest[c.len_utf8()..];
        let prev = out.chars().next_back();
        rest = match c {
            '\\' if after.chars().next().is_some_and(|n| n.is_ascii_punctuation()) => {
                out.push_str(&after[..1]);
                &after[1..]
            }
            '`' => match after.find('`') {
                Some(end) => {
                    let (code, tail) = (&after[..end], &after[end + 1..]);
                    match tail.strip_prefix("{=latex}") {
                        Some(t) => {
                            out.push_str(&crate::format::bibtex::tex::to_unicode(code));
                            t
                        }
                        None => {
                            out.push_str(code);
                            tail
                        }
                    }
                }
                None => {
                    out.push('`');
                    after
                }
            },
            '[' => match span_end(after) {
                Some((inner, tail)) => {
                    out.push_str(&unescape_markdown(inner));
                    tail
                }
                None => {
                    out.push('[');
                    after
                }
            },
            '*' | '^' | '~' => match delimited(rest, c) {
                Some((tag, inner, tail)) => {
                    out.push_str(&format!("<{tag}>{}</{tag}>", unescape_markdown(inner)));
                    tail
                }
                None => {
                    out.push(c);
                    after
                }
            },
            '&' if after.starts_with("#32;") => {
                out.push(' ');
                &after[4..]
            }
            '-' if after.starts_with("--") => {
                out.push('—');
                &after[2..]
            }
            '-' if after.starts_with('-') => {
                out.push('–');
                &after[1..]
            }
            '.' if after.starts_with("..") => {
                out.push('…');
                &after[2..]
            }
            '\'' => {
                out.push(
                    if prev.is_some_and(char::is_alphanumeric) || !after.starts_with(char::is_alphanumeric) {
                        '’'
                    } else {
                        '‘'
                    },
                );
                after
            }
            '"' => {
                out.push(if prev.is_none_or(|p| p.is_whitespace() || "([{‘“".contains(p)) {
                    '“'
                } else {
                    '”'
                });
                after
            }
            _ => {
                out.push(c);
                after
            }
        };
    }
    out
}

/// Pandoc's inline markup that starts at `text` with `c`: `**strong**`, `*emphasis*`,
/// `^superscript^`, `~subscript~` — CSL's tag, the inner text and what follows; `None` when
/// the delimiter is not closed or encloses nothing (a lone `*` is text).
fn delimited(text: &str, c: char) -> Option<(&'static str, &str, &str)> {
    let (tag, delim) = match c {
        '*' if text.starts_with("**") => ("b", "**"),
        '*' => ("i", "*"),
        '^' => ("sup", "^"),
        _ => ("sub", "~"),
    };
    let body = &text[delim.len()..];
    if body.starts_with(char::is_whitespace) {
        return None;
    }
    // Super- and subscripts hold no (unescaped) space: `~` in "about ~5 km" is text.
    let spaced = |inner: &str| tag.starts_with('s') && inner.contains(char::is_whitespace);
    let mut escaped = false;
    for (i, ch) in body.char_indices() {
        if escaped {
            escaped = false;
        } else if ch == '\\' {
            escaped = true;
        } else if body[i..].starts_with(delim) && i > 0 {
            return (!spaced(&body[..i])).then(|| (tag, &body[..i], &body[i + delim.len()..]));
        }
    }
    None
}

/// After a `[`: the span's text and what follows its `{…}` attributes, when the bracket is a
/// span (`[text]{.class}`) and not literal text. Brackets nest; escaped ones do not count.
fn span_end(after: &str) -> Option<(&str, &str)> {
    let (mut depth, mut escaped) = (0usize, false);
    for (i, c) in after.char_indices() {
        match c {
            _ if escaped => escaped = false,
            '\\' => escaped = true,
            '[' => depth += 1,
            ']' if depth > 0 => depth -= 1,
            ']' => {
                let tail = after[i + 1..].strip_prefix('{')?;
                let close = tail.find('}')?;
                return Some((&after[..i], &tail[close + 1..]));
            }
            _ => {}
        }
    }
    None
}

/// Reads the members of one item, cleaning text the same way everywhere.
struct Reader {
    markdown: bool,
    warnings: Vec<String>,
}

impl Reader {
    /// A text or number variable's text (trimmed; Markdown escapes out for YAML).
    fn text(&self, var: &str, v: &Value) -> Result<String, String> {
        let s = match v {
            Value::String(s) => s.trim().to_string(),
            Value::Number(n) => n.to_string(),
            other => return Err(format!("\"{var}\" must be text or a number, not {}", kind(other))),
        };
        if s.len() > MAX_FIELD_BYTES {
            return Err(format!(
                "\"{var}\" is {} bytes, more than the {MAX_FIELD_BYTES} a field may hold",
                s.len()
            ));
        }
        Ok(if self.markdown { unescape_markdown(&s) } else { s })
    }

    fn name(&self, var: &str, v: &Value, role: Role) -> Result<Creator, String> {
        let o = v
            .as_object()
            .ok_or_else(|| format!("\"{var}\" must be a list of names (objects), not a list of {}", kind(v)))?;
        let part = |k: &str| -> Result<String, String> {
            match o.get(k) {
                None | Some(Value::Null) => Ok(String::new()),
                Some(v) => self.text(&format!("{var}.{k}"), v),
            }
        };
        let literal = part("literal")?;
        if !literal.is_empty() {
            return Ok(Creator::literal(role, &literal));
        }
        let (family, given) = (part("family")?, part("given")?);
        let (non_dropping, dropping, suffix) = (
            part("non-dropping-particle")?,
            part("dropping-particle")?,
            part("suffix")?,
        );
        if family.is_empty() && given.is_empty() {
            return Err(format!("a name of \"{var}\" has no family, given or literal name"));
        }
        let family = if non_dropping.is_empty() {
            family
        } else {
            format!("{non_dropping} {family}")
        };
        Ok(Creator {
            role,
            name: Name::Person {
                family,
                given,
                particle: dropping,
                suffix,
            },
        })
    }

    fn names(&self, var: &str, v: &Value, role: Role) -> Result<Vec<Creator>, String> {
        match v {
            Value::Null => Ok(Vec::new()),
            Value::Array(a) => a.iter().map(|n| self.name(var, n, role)).collect(),
            other => Err(format!("\"{var}\" must be a list of names, not {}", kind(other))),
        }
    }

    /// A date variable: `{"date-parts": [[y, m, d]] | [[…], […]]}`, `{"raw"|"literal": text}`,
    /// an EDTF or other date string, or a year as a number.
    fn date(&mut self, var: &str, v: &Value) -> Result<PartialDate, String> {
        let o = match v {
            Value::Null => return Ok(PartialDate::default()),
            Value::String(_) | Value::Number(_) => return Ok(date_from_text(&self.text(var, v)?)),
            Value::Object(o) => o,
            other => return Err(format!("\"{var}\" must be a date object, not {}", kind(other))),
        };
        for k in ["season", "circa"] {
            if let Some(x) = o.get(k).filter(|x| !x.is_null() && **x != Value::Bool(false)) {
                self.warnings
                    .push(format!("\"{var}\" {k} {x} left out (Folio's dates have no {k})"));
            }
        }
        match o.get("date-parts") {
            None | Some(Value::Null) => {}
            Some(Value::Array(parts)) => {
                let mut read = Vec::new();
                for p in parts.iter().take(2) {
                    read.push(date_part(var, p)?);
                }
                match read.as_slice() {
                    [Some(a), Some(b)] if a != b => {
                        let mut d = a.clone();
                        d.raw = format!("{}/{}", a.iso(), b.iso());
                        return Ok(d);
                    }
                    [Some(a), ..] => return Ok(a.clone()),
                    _ => {}
                }
            }
            Some(other) => return Err(format!("\"{var}\".date-parts must be a list, not {}", kind(other))),
        }
        for k in ["literal", "raw"] {
            if let Some(t) = o.get(k).filter(|t| !t.is_null()) {
                return Ok(date_from_text(&self.text(&format!("{var}.{k}"), t)?));
            }
        }
        Ok(PartialDate::default())
    }
}

/// One `[year, month, day]` of `date-parts` (numbers or numeric text; a zero or missing part
/// is unknown).
fn date_part(var: &str, p: &Value) -> Result<Option<PartialDate>, String> {
    let bad = || format!("\"{var}\".date-parts must hold lists of numbers, not {p}");
    let a = p.as_array().ok_or_else(bad)?;
    let mut n = Vec::with_capacity(3);
    for x in a.iter().take(3) {
        let v = match x {
            Value::Number(n) => n.as_i64().ok_or_else(bad)?,
            Value::String(s) if s.trim().is_empty() => 0,
            Value::String(s) => s.trim().parse::<i64>().map_err(|_| bad())?,
            _ => return Err(bad()),
        };
        n.push(v);
    }
    let Some(&y) = n.first().filter(|&&y| y != 0) else {
        return Ok(None);
    };
    let year = i32::try_from(y).map_err(|_| format!("\"{var}\" year {y} is out of range"))?;
    let m = n
        .get(1)
        .and_then(|&m| u8::try_from(m).ok())
        .filter(|m| (1..=12).contains(m));
    let d = m
        .and(n.get(2))
        .and_then(|&d| u8::try_from(d).ok())
        .filter(|d| (1..=31).contains(d));
    Ok(Some(PartialDate::ymd(year, m, d)))
}

/// Read one CSL item; the warnings about what was left out or changed.
pub(super) fn item_from_csl(v: &Value, markdown: bool) -> Result<(Item, Vec<String>), String> {
    let o = v
        .as_object()
        .ok_or_else(|| format!("a CSL item must be an object, not {}", kind(v)))?;
    let mut r = Reader {
        markdown,
        warnings: Vec::new(),
    };
    let csl_ty = match o.get("type") {
        None | Some(Value::Null) => String::new(),
        Some(t @ Value::String(_)) => r.text("type", t)?,
        Some(other) => return Err(format!("\"type\" must be text, not {}", kind(other))),
    };
    let ty = folio_type(&csl_ty).unwrap_or_else(|| {
        r.warnings
            .push(format!("unknown CSL type {csl_ty:?}: read as misc (the type is kept)"));
        ItemType::Misc
    });
    let mut item = Item::new(ty, "");
    if !csl_ty.is_empty() && super::csl_type(ty) != csl_ty {
        item.extra.push(ExtraField::text(TYPE_FIELD.into(), csl_ty.clone()));
    }
    read_key(o, &mut r, &mut item)?;
    for (var, v) in o {
        if v.is_null() || var == "id" || var == "type" {
            continue;
        }
        read_variable(&mut r, &mut item, canonical_variable(var), v)?;
    }
    Ok((item, r.warnings))
}

/// CSL's upper-case variables under the lower-case names pandoc writes in YAML (`doi:`) and
/// some tools in JSON; other names as they are.
fn canonical_variable(var: &str) -> &str {
    ["DOI", "ISBN", "ISSN", "URL", "PMID", "PMCID"]
        .into_iter()
        .find(|v| v.eq_ignore_ascii_case(var))
        .unwrap_or(var)
}

/// `id` is the citation key; one missing or one LaTeX tools reject leaves the key to Folio.
fn read_key(o: &Map<String, Value>, r: &mut Reader, item: &mut Item) -> Result<(), String> {
    let id = match o.get("id") {
        None | Some(Value::Null) => {
            r.warnings.push("no \"id\": Folio generates the citation key".into());
            return Ok(());
        }
        Some(v) => r.text("id", v)?,
    };
    match citekey::key_problem(&id) {
        None => item.key = id,
        Some(p) => r.warnings.push(format!(
            "id {id:?} is not a usable citation key ({p}): Folio generates one"
        )),
    }
    Ok(())
}

/// The slot of a CSL text variable in an item of type `ty`.
fn slot<'i>(item: &'i mut Item, var: &str) -> Option<&'i mut String> {
    let ty = item.item_type;
    Some(match var {
        "title" => &mut item.title,
        "title-short" => &mut item.short_title,
        "container-title" => &mut item.container,
        "collection-title" => &mut item.series,
        "volume" => &mut item.volume,
        "issue" => &mut item.issue,
        "number" if super::number_is_issue(ty) && item.issue.is_empty() => &mut item.issue,
        "page" => &mut item.pages,
        "edition" => &mut item.edition,
        "publisher" if super::publisher_is_institution(ty) => &mut item.institution,
        "publisher" => &mut item.publisher,
        "publisher-place" => &mut item.place,
        "DOI" => &mut item.doi,
        "ISSN" => &mut item.issn,
        "ISBN" => &mut item.isbn,
        "URL" => &mut item.url,
        "language" => &mut item.language,
        "note" => &mut item.note,
        "genre" => &mut item.genre,
        _ => return None,
    })
}

fn read_variable(r: &mut Reader, item: &mut Item, var: &str, v: &Value) -> Result<(), String> {
    if let Some(&(_, role)) = NAME_ROLES.iter().find(|(n, _)| *n == var) {
        let names = r.names(var, v, role)?;
        item.creators.extend(names);
        return Ok(());
    }
    if OTHER_NAMES.contains(&var) {
        let names = r.names(var, v, Role::Contributor)?;
        let list = bibnames::write_list(names.iter(), false);
        item.extra
            .push(ExtraField::bibtex(var.to_string(), format!("{{{list}}}")));
        return Ok(());
    }
    if var == "issued" {
        item.date = r.date(var, v)?;
        return Ok(());
    }
    if OTHER_DATES.contains(&var) {
        let d = r.date(var, v)?;
        if !d.is_empty() {
            let text = if d.raw.is_empty() { d.iso() } else { d.raw.clone() };
            item.extra.push(ExtraField::text(kept_name(var).to_string(), text));
        }
        return Ok(());
    }
    match var {
        "abstract" => item.r#abstract = Abstract::plain(&r.text(var, v)?),
        "keyword" => {
            let text = r.text(var, v)?;
            item.add_tags(split_keywords(&text).iter().map(|k| ItemTag::imported(k)));
        }
        _ => {
            if let Some(s) = slot(item, var) {
                if s.is_empty() {
                    *s = r.text(var, v)?;
                    return Ok(());
                }
            }
            // Kept under its CSL (or BibLaTeX) name; what is not text is kept as JSON text.
            let text = match v {
                Value::String(_) | Value::Number(_) => r.text(var, v)?,
                Value::Bool(b) => b.to_string(),
                other if super::is_variable(var) => {
                    return Err(format!("\"{var}\" must be text or a number, not {}", kind(other)))
                }
                other => other.to_string(),
            };
            item.extra.push(ExtraField::text(kept_name(var).to_string(), text));
        }
    }
    Ok(())
}
