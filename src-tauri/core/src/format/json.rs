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

/// Read one item object in the shape [`item_to_json`] writes (ids and timestamps are ignored).
pub fn item_from_json(v: &Value) -> Result<(Item, Vec<String>), String> {
    let o = v.as_object().ok_or("an item must be a JSON object")?;
    let s = |k: &str| o.get(k).and_then(Value::as_str).unwrap_or("").to_string();
    let ty: ItemType = match o.get("type").and_then(Value::as_str) {
        Some(t) => t.parse()?,
        None => ItemType::Misc,
    };
    let mut item = Item::new(ty, "");
    item.key = s("key");
    for f in title_fields() {
        *f.text_mut(&mut item).expect("a text field") = s(f.name);
    }
    if let Some(cs) = o.get("creators").and_then(Value::as_array) {
        for c in cs {
            item.creators.push(creator_from(c, Role::Author)?);
        }
    } else {
        for (k, role) in [("authors", Role::Author), ("editors", Role::Editor)] {
            for c in o.get(k).and_then(Value::as_array).into_iter().flatten() {
                item.creators.push(creator_from(c, role)?);
            }
        }
    }
    let raw = s("date_raw");
    let date = s("date");
    item.date = if !raw.is_empty() {
        PartialDate::parse(&raw)
    } else if !date.is_empty() {
        PartialDate::parse(&date)
    } else if let Some(y) = o.get("year").and_then(Value::as_i64) {
        PartialDate::year(y as i32)
    } else {
        PartialDate::default()
    };
    for f in fields::detail_fields() {
        let v = s(f.name);
        if !v.is_empty() {
            item.set(f.name, &v)?;
        }
    }
    match o.get("abstract") {
        Some(Value::String(t)) => item.r#abstract = Abstract::parse(t),
        Some(Value::Array(secs)) => {
            item.r#abstract = Abstract(
                secs.iter()
                    .map(|x| AbstractSection {
                        heading: x.get("heading").and_then(Value::as_str).unwrap_or("").to_string(),
                        text: x.get("text").and_then(Value::as_str).unwrap_or("").to_string(),
                    })
                    .collect(),
            )
        }
        _ => {}
    }
    if let Some(tags) = o.get("tags").and_then(Value::as_array) {
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
    } else if let Some(kw) = o.get("keywords").and_then(Value::as_array) {
        item.add_tags(kw.iter().filter_map(Value::as_str).map(ItemTag::imported));
    }
    if let Some(a) = o.get("access").and_then(Value::as_str) {
        let status: AccessStatus = a.parse()?;
        item.access = Access::new(status, &s("access_source"));
    }
    if let Some(list) = o.get("extra_fields").and_then(Value::as_array) {
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
    } else if let Some(fields) = o.get("fields").and_then(Value::as_object) {
        for (k, v) in fields {
            let value = v.as_str().map(str::to_string).unwrap_or_else(|| v.to_string());
            item.extra.push(ExtraField::new(Origin::legacy(k), k.clone(), value));
        }
    }
    let collections = o
        .get("collections")
        .and_then(Value::as_array)
        .map(|a| a.iter().filter_map(Value::as_str).map(str::to_string).collect())
        .unwrap_or_default();
    Ok((item, collections))
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
    let list = match v {
        Value::Array(a) => a,
        Value::Object(mut o) if o.contains_key("items") => match o.remove("items") {
            Some(Value::Array(a)) => a,
            _ => Vec::new(),
        },
        other => vec![other],
    };
    let starts = object_start_lines(input);
    for (i, v) in list.iter().enumerate() {
        let line = starts.get(i).copied().unwrap_or(1);
        match item_from_json(v) {
            Ok((item, collections)) => out.items.push(ParsedItem {
                source_checks: None,
                item,
                line,
                collections,
            }),
            Err(e) => out
                .diagnostics
                .push(Diagnostic::error(line, format!("item {}: {e}", i + 1))),
        }
    }
    out
}

/// Lines on which the top-level array's objects start (depth-2 `{`), for diagnostics.
fn object_start_lines(input: &str) -> Vec<usize> {
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
                if c == '{' && depth == 2 {
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

#[cfg(test)]
mod tests {
    use super::*;

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

    #[test]
    fn bad_items_are_reported_and_others_kept() {
        let p = parse("[\n {\"type\":\"article\",\"title\":\"ok\"},\n {\"type\":\"gizmo\"},\n 5\n]");
        assert_eq!(p.items.len(), 1);
        assert_eq!(p.diagnostics.len(), 2);
        assert_eq!(p.diagnostics[0].line, Some(3));
        assert!(parse("{").diagnostics[0].message.contains("invalid JSON"));
    }
}
