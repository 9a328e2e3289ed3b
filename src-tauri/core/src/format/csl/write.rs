//! Items → CSL-JSON and CSL-YAML.

use super::{
    csl_type, folio_type, interval, number_is_issue, role_variable, variable_of, OTHER_DATES, OTHER_NAMES, TYPE_FIELD,
};
use crate::error::Diagnostic;
use crate::format::bibtex::{display, names as bibnames, tex};
use crate::format::Written;
use crate::model::{split_particle, Creator, Item, ItemType, Name, Origin, PartialDate, Role};
use serde_json::{json, Map, Value};
use std::collections::BTreeMap;

fn parts(d: &PartialDate) -> Value {
    let mut p = vec![json!(d.year)];
    if let Some(m) = d.month {
        p.push(json!(m));
        if let Some(day) = d.day {
            p.push(json!(day));
        }
    }
    Value::Array(p)
}

/// A date as CSL: `date-parts` (a range for an EDTF interval), or `literal` when it has no
/// year (`in press`).
fn date_value(d: &PartialDate) -> Option<Value> {
    if d.is_empty() {
        return None;
    }
    if let Some((a, b)) = interval(&d.raw) {
        return Some(json!({"date-parts": [parts(&a), parts(&b)]}));
    }
    if d.year.is_some() {
        return Some(json!({ "date-parts": [parts(d)] }));
    }
    Some(json!({ "literal": d.raw }))
}

fn name_value(c: &Creator) -> Value {
    match &c.name {
        Name::Literal { literal } => json!({ "literal": literal }),
        Name::Person {
            family,
            given,
            particle,
            suffix,
        } => {
            let mut m = Map::new();
            // Leading lowercase words of the family name ("van Gogh") are its non-dropping
            // particle, as the CSL reader put them there.
            let (non_dropping, family) = split_particle(family);
            if !family.is_empty() {
                m.insert("family".into(), json!(family));
            }
            if !given.is_empty() {
                m.insert("given".into(), json!(given));
            }
            if !particle.is_empty() {
                m.insert("dropping-particle".into(), json!(particle));
            }
            if !non_dropping.is_empty() {
                m.insert("non-dropping-particle".into(), json!(non_dropping));
            }
            if !suffix.is_empty() {
                m.insert("suffix".into(), json!(suffix));
            }
            Value::Object(m)
        }
    }
}

/// A kept BibTeX value's text: one outer `{…}` or `"…"` off, LaTeX to Unicode.
fn bibtex_text(raw: &str) -> String {
    let t = raw.trim();
    let inner = t
        .strip_prefix('{')
        .and_then(|s| s.strip_suffix('}'))
        .or_else(|| t.strip_prefix('"').and_then(|s| s.strip_suffix('"')))
        .unwrap_or(t);
    tex::field_text(inner)
}

/// What the export left out, counted per field name for one note.
#[derive(Default)]
struct LeftOut(BTreeMap<String, usize>);

/// One item as a CSL object (`id` = the key). Kept fields that are CSL variables (under their
/// CSL or BibLaTeX name) are written; the names of the others are counted in `left_out`.
fn item_object(item: &Item, left_out: &mut LeftOut) -> Map<String, Value> {
    let mut o = Map::new();
    o.insert("id".into(), json!(item.key));
    let kept_type = item
        .extra
        .iter()
        .find(|f| f.name == TYPE_FIELD && folio_type(&f.value) == Some(item.item_type))
        .map(|f| f.value.as_str());
    o.insert("type".into(), json!(kept_type.unwrap_or(csl_type(item.item_type))));
    let mut names: Vec<(&str, Vec<Value>)> = Vec::new();
    for c in &item.creators {
        let var = role_variable(c.role);
        match names.iter_mut().find(|(v, _)| *v == var) {
            Some((_, list)) => list.push(name_value(c)),
            None => names.push((var, vec![name_value(c)])),
        }
    }
    for (var, list) in names {
        o.insert(var.into(), Value::Array(list));
    }
    let mut put = |k: &str, v: &str| {
        if !v.trim().is_empty() && !o.contains_key(k) {
            o.insert(k.into(), json!(v.trim()));
        }
    };
    put("title", &item.full_title());
    put("title-short", &item.short_title);
    put("container-title", &item.container);
    put("collection-title", &item.series);
    put("volume", &item.volume);
    put(
        if number_is_issue(item.item_type) {
            "number"
        } else {
            "issue"
        },
        &item.issue,
    );
    put("page", &item.pages);
    put("edition", &item.edition);
    put("publisher", &item.publisher);
    put("publisher", &item.institution);
    put("publisher-place", &item.place);
    put("DOI", &item.doi);
    put("ISSN", &item.issn);
    put("ISBN", &item.isbn);
    put("URL", &item.url);
    put("language", &item.language);
    put("note", &item.note);
    put("genre", &item.genre);
    put(
        "genre",
        match item.item_type {
            ItemType::PhdThesis => "PhD thesis",
            ItemType::MastersThesis => "Master's thesis",
            _ => "",
        },
    );
    put("abstract", &item.r#abstract.flat(true));
    let keywords: Vec<&str> = item.tags.iter().map(|t| t.name.as_str()).collect();
    put("keyword", &keywords.join(", "));
    if let Some(d) = date_value(&item.date) {
        o.insert("issued".into(), d);
    }
    if !item.institution.is_empty() && !item.publisher.is_empty() {
        left_out.add("institution (CSL has one publisher)");
    }
    kept_fields(item, &mut o, left_out);
    o
}

impl LeftOut {
    fn add(&mut self, name: &str) {
        *self.0.entry(name.to_string()).or_default() += 1;
    }
}

/// The item's kept fields that are CSL variables, each written once (a slot's value first).
fn kept_fields(item: &Item, o: &mut Map<String, Value>, left_out: &mut LeftOut) {
    for f in &item.extra {
        if f.name == TYPE_FIELD || matches!(f.origin, Origin::Ris | Origin::Wos) {
            continue;
        }
        let Some(var) = variable_of(&f.name) else {
            left_out.add(&f.name);
            continue;
        };
        if o.contains_key(var) {
            continue;
        }
        let text = match f.origin {
            Origin::Bibtex => bibtex_text(&f.value),
            _ => f.value.trim().to_string(),
        };
        if text.is_empty() {
            continue;
        }
        let value = if OTHER_NAMES.contains(&var) {
            let list: Vec<Value> = bibnames::parse_list(Role::Contributor, &text)
                .iter()
                .map(name_value)
                .collect();
            Value::Array(list)
        } else if OTHER_DATES.contains(&var) {
            match date_value(&super::date_from_text(&text)) {
                Some(v) => v,
                None => continue,
            }
        } else {
            json!(text)
        };
        o.insert(var.into(), value);
    }
}

/// One item as CSL (for callers that show one item).
pub fn item_to_csl(item: &Item) -> Value {
    Value::Object(item_object(item, &mut LeftOut::default()))
}

/// A string as a reader sees it: the LaTeX a BibTeX import kept (`\TeX`, `$^1$H`,
/// `\bioname{…}`) shown as text.
fn display_string(s: &mut String) {
    if let std::borrow::Cow::Owned(d) = display::display_text(s) {
        *s = d;
    }
}

/// The items' objects and the note of what was left out. Items read from BibTeX have their
/// kept LaTeX shown as text (CSL is plain text); others are written as they are.
fn objects(items: &[Item]) -> (Vec<Value>, Vec<Diagnostic>) {
    let mut left_out = LeftOut::default();
    let list = items
        .iter()
        .map(|i| {
            let mut v = Value::Object(item_object(i, &mut left_out));
            if i.source.as_ref().is_some_and(|s| s.format == "bibtex") {
                each_text(&mut v, &display_string);
            }
            v
        })
        .collect();
    let mut diagnostics = Vec::new();
    if !left_out.0.is_empty() {
        let total: usize = left_out.0.values().sum();
        let mut by_count: Vec<(&String, &usize)> = left_out.0.iter().collect();
        by_count.sort_by(|a, b| b.1.cmp(a.1).then(a.0.cmp(b.0)));
        let named: Vec<String> = by_count.iter().take(12).map(|(n, c)| format!("{n} ({c})")).collect();
        diagnostics.push(Diagnostic::info(
            None,
            format!(
                "left out {total} kept field value(s) CSL has no variable for: {}{}",
                named.join(", "),
                if by_count.len() > 12 {
                    format!(" and {} more field names", by_count.len() - 12)
                } else {
                    String::new()
                }
            ),
        ));
    }
    (list, diagnostics)
}

/// CSL-JSON: a pretty array of items in the given order.
pub fn write_json(items: &[Item]) -> Written {
    let (list, diagnostics) = objects(items);
    let mut text = serde_json::to_string_pretty(&Value::Array(list)).expect("JSON values serialize");
    text.push('\n');
    Written { text, diagnostics }
}

/// Markdown's backslash escapes for the characters pandoc would read as markup in a YAML
/// string (emphasis, links, citations, math, raw HTML, footnotes, entities).
fn escape_markdown(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut prev = None;
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        let next = chars.peek().copied();
        // Pandoc's smart punctuation would turn straight quotes into curly ones and `--`,
        // `...` into dashes and an ellipsis: escaped, they stay as written.
        let smart = matches!(c, '\'' | '"') || (c == '-' || c == '.') && (next == Some(c) || prev == Some(c));
        if smart
            || matches!(
                c,
                '\\' | '*' | '_' | '`' | '[' | ']' | '<' | '>' | '@' | '$' | '~' | '^' | '&' | '#' | '|'
            )
        {
            out.push('\\');
        }
        // Pandoc drops a space before a closing curly quote ("739 ”" → "739”"): as an
        // entity it stays.
        if c == ' ' && matches!(next, Some('”' | '’')) {
            out.push_str("&#32;");
        } else {
            out.push(c);
        }
        prev = Some(c);
    }
    out
}

/// Apply `f` to every string of a value but the `id` (a key) and the `type`.
fn each_text(v: &mut Value, f: &impl Fn(&mut String)) {
    match v {
        Value::String(s) => f(s),
        Value::Array(a) => a.iter_mut().for_each(|x| each_text(x, f)),
        Value::Object(o) => {
            for (k, x) in o.iter_mut() {
                if k != "id" && k != "type" {
                    each_text(x, f);
                }
            }
        }
        _ => {}
    }
}

/// CSL-YAML as pandoc reads it (`--bibliography=refs.yaml`, or the block pasted into a
/// Markdown file's metadata): `---`, a `references:` list, `...`.
pub fn write_yaml(items: &[Item]) -> Written {
    let (mut list, diagnostics) = objects(items);
    list.iter_mut()
        .for_each(|v| each_text(v, &|s: &mut String| *s = escape_markdown(s)));
    let doc = json!({ "references": list });
    let yaml = serde_yaml::to_string(&doc).expect("JSON values serialize as YAML");
    Written {
        text: format!("---\n{yaml}...\n"),
        diagnostics,
    }
}
