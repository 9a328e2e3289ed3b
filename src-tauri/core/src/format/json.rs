//! Folio's own JSON: the item shape of the CLI's `--json` output, read back losslessly.
//!
//! `{"id","key","type","title","authors":[{"family","given"}|{"literal"}],"editors",…,
//!   "creators":[{"role","family","given",…}],"abstract":[{"heading","text"}],"keywords",
//!   "tags":[{"name","source"}],"access","access_source","collections","fields":{…},
//!   "extra_fields":[{"name","value","origin"}]}`.
//! `authors`/`editors`/`keywords`/`fields` are convenience views; `creators`/`tags`/
//! `extra_fields` are authoritative when present. `fields` maps each kept field's name to its
//! first value; `extra_fields` keeps every one in order with its origin (`bibtex`: raw BibTeX
//! value text, `ris`/`wos`: a tag's text, `text`: plain text), so a repeated RIS tag and the
//! syntax of a value survive a round trip.

use super::{Parsed, ParsedItem, Written};
use crate::error::Diagnostic;
use crate::model::fields::{self, Field};
use crate::model::{
    Abstract, AbstractSection, Access, AccessStatus, Creator, ExtraField, Item, ItemTag, ItemType, Name, Origin,
    PartialDate, Role, TagSource,
};
use serde_json::{json, Map, Value};

fn name_json(c: &Creator) -> Value {
    match &c.name {
        Name::Literal { literal } => json!({ "literal": literal }),
        Name::Person {
            family,
            given,
            particle,
            suffix,
        } => {
            let mut m = Map::new();
            m.insert("family".into(), json!(family));
            m.insert("given".into(), json!(given));
            if !particle.is_empty() {
                m.insert("particle".into(), json!(particle));
            }
            if !suffix.is_empty() {
                m.insert("suffix".into(), json!(suffix));
            }
            Value::Object(m)
        }
    }
}

/// The text fields the view puts after the key and type: the titles (every text field of the
/// registry but the key and the details, which come after the creators and date).
fn title_fields() -> impl Iterator<Item = &'static Field> {
    fields::text_fields().filter(|f| f.name != "key" && !f.detail)
}

/// The CLI/JSON view of an item, with the collection paths it is filed in.
pub fn item_to_json(item: &Item, collections: &[String]) -> Value {
    let names = |role: Role| -> Vec<Value> { item.creators_with(role).map(name_json).collect() };
    let creators: Vec<Value> = item
        .creators
        .iter()
        .map(|c| {
            let mut v = name_json(c);
            v["role"] = json!(c.role.as_str());
            v
        })
        .collect();
    let mut fields = Map::new();
    for f in &item.extra {
        if !fields.contains_key(&f.name) {
            fields.insert(f.name.clone(), json!(f.value));
        }
    }
    let mut o = Map::new();
    if let Some(id) = item.id {
        o.insert("id".into(), json!(id));
    }
    let mut put = |k: &str, v: Value| {
        o.insert(k.into(), v);
    };
    put("key", json!(item.key));
    put("type", json!(item.item_type.as_str()));
    // The titles: the text fields before the details.
    for f in title_fields() {
        put(f.name, json!(f.text(item).expect("a text field")));
    }
    put("authors", json!(names(Role::Author)));
    put("editors", json!(names(Role::Editor)));
    put("creators", json!(creators));
    put("date", json!(item.date.iso()));
    put("date_raw", json!(item.date.raw));
    put("year", item.date.year.map_or(Value::Null, |y| json!(y)));
    for f in fields::detail_fields() {
        put(f.name, json!(f.text(item).expect("a detail field is text")));
    }
    put(
        "abstract",
        json!(item
            .r#abstract
            .sections()
            .iter()
            .map(|s| json!({"heading": s.heading, "text": s.text}))
            .collect::<Vec<_>>()),
    );
    put(
        "keywords",
        json!(item.tags.iter().map(|t| t.name.clone()).collect::<Vec<_>>()),
    );
    put(
        "tags",
        json!(item
            .tags
            .iter()
            .map(|t| json!({"name": t.name, "source": t.source.as_str()}))
            .collect::<Vec<_>>()),
    );
    put("access", json!(item.access.status.as_str()));
    put("access_source", json!(item.access.source));
    put("collections", json!(collections));
    put("fields", Value::Object(fields));
    put(
        "extra_fields",
        json!(item
            .extra
            .iter()
            .map(|f| json!({"name": f.name, "value": f.value, "origin": f.origin.as_str()}))
            .collect::<Vec<_>>()),
    );
    put("date_added", json!(item.date_added));
    put("date_modified", json!(item.date_modified));
    Value::Object(o)
}

fn creator_from(v: &Value, default_role: Role) -> Result<Creator, String> {
    let role = match v.get("role").and_then(Value::as_str) {
        Some(r) => r.parse()?,
        None => default_role,
    };
    let s = |k: &str| v.get(k).and_then(Value::as_str).unwrap_or("").to_string();
    if let Some(l) = v.get("literal").and_then(Value::as_str) {
        return Ok(Creator::literal(role, l));
    }
    if v.get("family").is_none() {
        if let Some(t) = v.as_str() {
            return Ok(Creator::parse_name(role, t));
        }
        return Err("a creator needs \"family\" or \"literal\"".into());
    }
    Ok(Creator {
        role,
        name: Name::Person {
            family: s("family"),
            given: s("given"),
            particle: s("particle"),
            suffix: s("suffix"),
        },
    })
}

/// The JSON type of a value, for messages.
fn kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

/// The member `k` of an item: absent and `null` are `None`; another type than `want` says
/// what is wrong (the item is not read: a value of the wrong type would be lost).
fn member<'v, T>(
    o: &'v Map<String, Value>,
    k: &str,
    want: &str,
    get: impl Fn(&'v Value) -> Option<T>,
) -> Result<Option<T>, String> {
    match o.get(k) {
        None | Some(Value::Null) => Ok(None),
        Some(v) => get(v)
            .map(Some)
            .ok_or_else(|| format!("\"{k}\" must be {want}, not {}", kind(v))),
    }
}

/// A text member (absent or `null`: empty).
fn text(o: &Map<String, Value>, k: &str) -> Result<String, String> {
    Ok(member(o, k, "a string", Value::as_str)?.unwrap_or("").to_string())
}

/// An array member (absent or `null`: none).
fn array<'v>(o: &'v Map<String, Value>, k: &str) -> Result<Option<&'v Vec<Value>>, String> {
    member(o, k, "an array", Value::as_array)
}

/// Read one item object in the shape [`item_to_json`] writes (ids and timestamps are ignored).
/// An item of the wrong shape (a member of the wrong type, an unknown type or access status)
/// is an error; collection paths that cannot be kept are warnings ([`item_from_json_checked`]).
pub fn item_from_json(v: &Value) -> Result<(Item, Vec<String>), String> {
    item_from_json_checked(v).map(|(item, paths, _)| (item, paths))
}

/// [`item_from_json`] with the warnings about the item's collection paths (an empty path or
/// name, a path that is not text, one deeper than [`budget::MAX_COLLECTION_DEPTH`]): such a
/// path is left out (or cut at that depth) and the item is read.
///
/// [`budget::MAX_COLLECTION_DEPTH`]: crate::budget::MAX_COLLECTION_DEPTH
pub fn item_from_json_checked(v: &Value) -> Result<(Item, Vec<String>, Vec<String>), String> {
    let o = v
        .as_object()
        .ok_or_else(|| format!("an item must be a JSON object, not {}", kind(v)))?;
    let ty: ItemType = match member(o, "type", "a string", Value::as_str)? {
        Some(t) => t.parse()?,
        None => ItemType::Misc,
    };
    let mut item = Item::new(ty, "");
    item.key = text(o, "key")?;
    for f in title_fields() {
        *f.text_mut(&mut item).expect("a text field") = text(o, f.name)?;
    }
    read_creators(o, &mut item)?;
    let raw = text(o, "date_raw")?;
    let date = text(o, "date")?;
    item.date = if !raw.is_empty() {
        PartialDate::parse(&raw)
    } else if !date.is_empty() {
        let mut d = PartialDate::parse(&date);
        if o.contains_key("date_raw") {
            // The view of a date that had no text of its own (`"date_raw": ""`): read back as
            // it was, so an exported item imports as the same record.
            d.raw.clear();
        }
        d
    } else if let Some(y) = member(o, "year", "a year (a whole number)", |v| {
        v.as_i64().or_else(|| v.as_str().and_then(|s| s.trim().parse().ok()))
    })? {
        let y = i32::try_from(y).map_err(|_| format!("\"year\" {y} is out of range"))?;
        PartialDate::year(y)
    } else {
        PartialDate::default()
    };
    for f in fields::detail_fields() {
        let v = text(o, f.name)?;
        if !v.is_empty() {
            item.set(f.name, &v)?;
        }
    }
    match o.get("abstract") {
        None | Some(Value::Null) => {}
        Some(Value::String(t)) => item.r#abstract = Abstract::parse(t),
        Some(Value::Array(secs)) => {
            let mut sections = Vec::with_capacity(secs.len());
            for x in secs {
                let x = x
                    .as_object()
                    .ok_or_else(|| format!("an abstract section must be an object, not {}", kind(x)))?;
                sections.push(AbstractSection {
                    heading: text(x, "heading")?,
                    text: text(x, "text")?,
                });
            }
            item.r#abstract = Abstract(sections);
        }
        Some(other) => {
            return Err(format!(
                "\"abstract\" must be a string or an array of sections, not {}",
                kind(other)
            ))
        }
    }
    read_tags(o, &mut item)?;
    if let Some(a) = member(o, "access", "a string", Value::as_str)? {
        let status: AccessStatus = a.parse()?;
        item.access = Access::new(status, &text(o, "access_source")?);
    }
    read_extra(o, &mut item)?;
    let (collections, warnings) = collection_paths(o);
    Ok((item, collections, warnings))
}

/// `creators` (authoritative), else `authors` and `editors`.
fn read_creators(o: &Map<String, Value>, item: &mut Item) -> Result<(), String> {
    if let Some(cs) = array(o, "creators")? {
        for c in cs {
            item.creators.push(creator_from(c, Role::Author)?);
        }
    } else {
        for (k, role) in [("authors", Role::Author), ("editors", Role::Editor)] {
            for c in array(o, k)?.into_iter().flatten() {
                item.creators.push(creator_from(c, role)?);
            }
        }
    }
    Ok(())
}

/// `tags` (authoritative), else `keywords`.
fn read_tags(o: &Map<String, Value>, item: &mut Item) -> Result<(), String> {
    // All at once: one item may carry many thousands (issue 23), added in one pass.
    if let Some(tags) = array(o, "tags")? {
        item.add_tags(tags.iter().map(|t| {
            let name = t.get("name").and_then(Value::as_str).or(t.as_str()).unwrap_or("");
            let source = t
                .get("source")
                .and_then(Value::as_str)
                .and_then(TagSource::parse)
                .unwrap_or_default();
            ItemTag {
                name: name.to_string(),
                source,
            }
        }));
    } else if let Some(kw) = array(o, "keywords")? {
        item.add_tags(kw.iter().filter_map(Value::as_str).map(ItemTag::imported));
    }
    Ok(())
}

/// `extra_fields` (authoritative), else `fields`.
fn read_extra(o: &Map<String, Value>, item: &mut Item) -> Result<(), String> {
    if let Some(list) = array(o, "extra_fields")? {
        for f in list {
            let text = |k: &str| f.get(k).and_then(Value::as_str);
            let (Some(name), Some(value)) = (text("name"), text("value")) else {
                return Err("an extra field needs \"name\" and \"value\"".into());
            };
            let origin = match text("origin") {
                None => Origin::legacy(name),
                Some(o) => Origin::parse(o).ok_or_else(|| format!("unknown origin {o:?} of field {name:?}"))?,
            };
            item.extra
                .push(ExtraField::new(origin, name.to_string(), value.to_string()));
        }
    } else if let Some(fields) = member(o, "fields", "an object", Value::as_object)? {
        for (k, v) in fields {
            let value = v.as_str().map(str::to_string).unwrap_or_else(|| v.to_string());
            item.extra.push(ExtraField::new(Origin::legacy(k), k.clone(), value));
        }
    }
    Ok(())
}

/// The item's collection paths, each as "A/B/C" with its names trimmed, and a warning for
/// each path that is left out (not text, empty, an empty name between slashes) or cut at
/// [`budget::MAX_COLLECTION_DEPTH`] names.
///
/// [`budget::MAX_COLLECTION_DEPTH`]: crate::budget::MAX_COLLECTION_DEPTH
fn collection_paths(o: &Map<String, Value>) -> (Vec<String>, Vec<String>) {
    let (mut paths, mut warnings) = (Vec::new(), Vec::new());
    let list = match o.get("collections") {
        None | Some(Value::Null) => return (paths, warnings),
        Some(Value::Array(a)) => a.as_slice(),
        // One path as text, as a hand-written file may have it.
        Some(v @ Value::String(_)) => std::slice::from_ref(v),
        Some(other) => {
            warnings.push(format!(
                "\"collections\" must be an array of paths, not {}; the item is filed in no collection",
                kind(other)
            ));
            return (paths, warnings);
        }
    };
    for v in list {
        let Some(path) = v.as_str() else {
            warnings.push(format!("collection path {v} is not text; left out"));
            continue;
        };
        let names: Vec<&str> = path.split('/').map(str::trim).collect();
        if names.iter().any(|n| n.is_empty()) {
            warnings.push(format!(
                "collection path {path:?} has an empty name; the item is not filed there"
            ));
            continue;
        }
        let max = crate::budget::MAX_COLLECTION_DEPTH;
        if names.len() > max {
            warnings.push(format!(
                "collection path of {} levels cut at {max} levels (the deepest kept); the item is filed there",
                names.len()
            ));
        }
        paths.push(names[..names.len().min(max)].join("/"));
    }
    (paths, warnings)
}

/// Parse a JSON array of items (or one item, or `{"items":[…]}`). Each bad item is a diagnostic
/// (with the line its object starts on); the others are read.
pub fn parse(input: &str) -> Parsed {
    let mut out = Parsed::default();
    let v: Value = match serde_json::from_str(input) {
        Ok(v) => v,
        Err(e) => {
            out.diagnostics
                .push(Diagnostic::error(e.line(), format!("invalid JSON: {e}")));
            return out;
        }
    };
    let depth = items_depth(&v);
    let list = match v {
        Value::Array(a) => a,
        Value::Object(mut o) if o.contains_key("items") => match o.remove("items") {
            Some(Value::Array(a)) => a,
            other => {
                let what = other.as_ref().map_or("nothing", kind);
                out.diagnostics.push(Diagnostic::error(
                    1,
                    format!("\"items\" must be an array of items, not {what}"),
                ));
                Vec::new()
            }
        },
        other => vec![other],
    };
    let starts = object_start_lines(input, depth);
    for (i, v) in list.iter().enumerate() {
        let line = starts.get(i).copied().unwrap_or(1);
        match item_from_json_checked(v) {
            Ok((item, collections, warnings)) => {
                for w in warnings {
                    out.diagnostics
                        .push(Diagnostic::warning(line, format!("item {}: {w}", i + 1)));
                }
                out.items.push(ParsedItem {
                    source_checks: None,
                    item,
                    line,
                    collections,
                })
            }
            Err(e) => out
                .diagnostics
                .push(Diagnostic::error(line, format!("item {}: {e}", i + 1))),
        }
    }
    out
}

/// Lines on which the items' objects start (each `{` at `item_depth` levels of nesting),
/// for diagnostics.
pub(super) fn object_start_lines(input: &str, item_depth: usize) -> Vec<usize> {
    let mut lines = Vec::new();
    let (mut depth, mut line, mut in_str, mut esc) = (0usize, 1usize, false, false);
    for c in input.chars() {
        if c == '\n' {
            line += 1;
        }
        if in_str {
            match (esc, c) {
                (true, _) => esc = false,
                (false, '\\') => esc = true,
                (false, '"') => in_str = false,
                _ => {}
            }
            continue;
        }
        match c {
            '"' => in_str = true,
            '[' | '{' => {
                depth += 1;
                if c == '{' && depth == item_depth {
                    lines.push(line);
                }
            }
            ']' | '}' => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    lines
}

/// A pretty JSON array of items with their collection paths.
pub fn write(items: &[(Item, Vec<String>)]) -> Written {
    let arr: Vec<Value> = items.iter().map(|(i, c)| item_to_json(i, c)).collect();
    let mut text = serde_json::to_string_pretty(&arr).expect("json values serialize");
    text.push('\n');
    Written {
        text,
        diagnostics: Vec::new(),
    }
}

/// How deep a JSON file's item objects start (for line numbers): `[{…}]` 2, `{"items":
/// [{…}]}` 3, a single `{…}` 1. Folio's JSON and CSL-JSON share the three shapes.
pub(crate) fn items_depth(v: &Value) -> usize {
    match v {
        Value::Array(_) => 2,
        Value::Object(o) if o.contains_key("items") => 3,
        _ => 1,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::Severity;

    #[test]
    fn round_trip() {
        let mut it = Item::new(ItemType::Article, "A study");
        it.key = "Doe2020".into();
        it.creators
            .push(Creator::parse_name(Role::Author, "van Doe, Jr., Jane"));
        it.creators.push(Creator::literal(Role::Editor, "WHO"));
        it.date = PartialDate::parse("4 August 2022");
        it.container = "J".into();
        it.r#abstract = Abstract::parse("Purpose: A. Findings: B.");
        it.tags.push(ItemTag::manual("x"));
        it.tags.push(ItemTag::imported("y"));
        it.access = Access::new(AccessStatus::Restricted, "user");
        it.extra.push(ExtraField::bibtex("eprint".into(), "{1234}".into()));
        let w = write(&[(it.clone(), vec!["A/B".into()])]);
        let p = parse(&w.text);
        assert!(p.diagnostics.is_empty(), "{:?}", p.diagnostics);
        assert_eq!(p.items[0].item, it);
        assert_eq!(p.items[0].collections, ["A/B"]);
        assert_eq!(p.items[0].line, 2);
    }

    /// Every field of the registry is in the view under its name (the `id` of a stored item).
    #[test]
    fn the_view_has_every_registry_field() {
        let mut it = Item::new(ItemType::Article, "T");
        it.id = Some(1);
        let v = item_to_json(&it, &[]);
        for f in fields::FIELDS {
            assert!(v.get(f.name).is_some(), "{} missing from the JSON view", f.name);
        }
        let keys: Vec<&str> = v.as_object().unwrap().keys().map(String::as_str).collect();
        assert_eq!(
            keys,
            [
                "id",
                "key",
                "type",
                "title",
                "subtitle",
                "shorttitle",
                "authors",
                "editors",
                "creators",
                "date",
                "date_raw",
                "year",
                "container",
                "series",
                "volume",
                "issue",
                "pages",
                "edition",
                "publisher",
                "place",
                "institution",
                "doi",
                "issn",
                "isbn",
                "url",
                "language",
                "note",
                "genre",
                "abstract",
                "keywords",
                "tags",
                "access",
                "access_source",
                "collections",
                "fields",
                "extra_fields",
                "date_added",
                "date_modified"
            ],
            "the view's order"
        );
    }

    /// Issue 23, cause 10: a collection path that cannot be kept (empty, an empty name, not
    /// text) is a warning on its item, which imports without it; a member of the wrong type
    /// rejects only its item, named by number and line; paths deeper than the budget are cut.
    #[test]
    fn bad_collection_paths_and_wrong_types_cost_one_item_at_most() {
        let deep = vec!["g"; crate::budget::MAX_COLLECTION_DEPTH + 10].join("/");
        let text = format!(
            "[\n {{\"title\":\"empty path\",\"collections\":[\"\"]}},\n \
             {{\"title\":\"bad names\",\"collections\":[\"A//B\", 7, \" A / B \"]}},\n \
             {{\"title\": 5}},\n \
             {{\"title\":\"bad creators\",\"creators\":\"Doe\"}},\n \
             {{\"title\":\"bad year\",\"year\":99999999999}},\n \
             {{\"title\":\"deep\",\"collections\":[\"{deep}\"]}},\n \
             {{\"title\":\"fine\",\"year\":\"2020\",\"collections\":\"X/Y\"}}\n]"
        );
        let p = parse(&text);
        let titles: Vec<&str> = p.items.iter().map(|i| i.item.title.as_str()).collect();
        assert_eq!(titles, ["empty path", "bad names", "deep", "fine"]);
        assert!(p.items[0].collections.is_empty());
        assert_eq!(p.items[1].collections, ["A/B"]);
        assert_eq!(
            p.items[2].collections[0].split('/').count(),
            crate::budget::MAX_COLLECTION_DEPTH
        );
        assert_eq!(p.items[3].collections, ["X/Y"]);
        assert_eq!(p.items[3].item.date.year, Some(2020));
        let diag = |line: usize, sev: Severity, text: &str| {
            p.diagnostics
                .iter()
                .any(|d| d.line == Some(line) && d.severity == sev && d.message.contains(text))
        };
        assert!(
            diag(2, Severity::Warning, "item 1: collection path \"\" has an empty name"),
            "{:?}",
            p.diagnostics
        );
        assert!(
            diag(3, Severity::Warning, "item 2: collection path \"A//B\""),
            "{:?}",
            p.diagnostics
        );
        assert!(
            diag(3, Severity::Warning, "item 2: collection path 7 is not text"),
            "{:?}",
            p.diagnostics
        );
        assert!(
            diag(4, Severity::Error, "item 3: \"title\" must be a string, not a number"),
            "{:?}",
            p.diagnostics
        );
        assert!(
            diag(5, Severity::Error, "item 4: \"creators\" must be an array"),
            "{:?}",
            p.diagnostics
        );
        assert!(
            diag(6, Severity::Error, "item 5: \"year\" 99999999999 is out of range"),
            "{:?}",
            p.diagnostics
        );
        assert!(diag(7, Severity::Warning, "cut at"), "{:?}", p.diagnostics);
        // `{"items": […]}` names its items' lines too.
        let p = parse("{\"items\": [\n  {\"title\": \"a\"},\n  {\"title\": []}\n]}");
        assert_eq!(p.items.len(), 1);
        assert_eq!(p.diagnostics[0].line, Some(3));
    }

    #[test]
    fn bad_items_are_reported_and_others_kept() {
        let p = parse("[\n {\"type\":\"article\",\"title\":\"ok\"},\n {\"type\":\"gizmo\"},\n 5\n]");
        assert_eq!(p.items.len(), 1);
        assert_eq!(p.diagnostics.len(), 2);
        assert_eq!(p.diagnostics[0].line, Some(3));
        assert!(parse("{").diagnostics[0].message.contains("invalid JSON"));
    }
}
