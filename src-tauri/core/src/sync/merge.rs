//! Three-way merge of a shared object's JSON state, field by field (as Zotero merges): the
//! base is the state last agreed with the server, "mine" the library's, "theirs" the
//! server's. A field changed on one side only takes that side's value; the same change on
//! both sides is no conflict; different changes to one field are a conflict that keeps both
//! values (the merged state holds mine until the user chooses). Set-like fields (an item's
//! tags, by name without case; its collections) merge as additions and removals of each
//! side. Pure: no IO.

use serde_json::{Map, Value};

/// A field both sides changed differently.
#[derive(Debug, Clone, PartialEq)]
pub struct FieldConflict {
    pub field: String,
    pub base: Option<Value>,
    pub mine: Option<Value>,
    pub theirs: Option<Value>,
}

/// The merged state and the conflicts left in it.
#[derive(Debug, Clone, PartialEq)]
pub struct Merged {
    pub state: Value,
    pub conflicts: Vec<FieldConflict>,
}

/// How a set-like field names its members.
fn member_id(field: &str, v: &Value) -> Option<String> {
    match field {
        "tags" => v
            .get("name")
            .and_then(Value::as_str)
            .map(|s| s.chars().flat_map(char::to_lowercase).collect()),
        "collections" => v.as_str().map(str::to_string),
        _ => None,
    }
}

/// Fields that take the later of the two values (RFC 3339 times).
pub const LATEST_FIELDS: [&str; 1] = ["date_modified"];

/// Fields merged as sets of members rather than as one value.
pub const SET_FIELDS: [&str; 2] = ["tags", "collections"];

/// Merge `mine` and `theirs` (JSON objects) against `base` (`None`: no common state, every
/// field counts as added on both sides).
pub fn merge3(base: Option<&Value>, mine: &Value, theirs: &Value) -> Merged {
    let empty = Map::new();
    let b = base.and_then(Value::as_object).unwrap_or(&empty);
    let m = mine.as_object().unwrap_or(&empty);
    let t = theirs.as_object().unwrap_or(&empty);
    let mut out = Map::new();
    let mut conflicts = Vec::new();
    // Mine's field order, then fields only theirs has.
    let fields: Vec<&String> = m.keys().chain(t.keys().filter(|k| !m.contains_key(*k))).collect();
    for field in fields {
        let (bv, mv, tv) = (b.get(field), m.get(field), t.get(field));
        if SET_FIELDS.contains(&field.as_str()) {
            if let Some(v) = merge_set(field, bv, mv, tv) {
                out.insert(field.clone(), v);
            }
            continue;
        }
        if LATEST_FIELDS.contains(&field.as_str()) {
            // When it was last changed: the later of the two, never a conflict.
            if let Some(v) = mv.into_iter().chain(tv).max_by(|a, b| a.as_str().cmp(&b.as_str())) {
                out.insert(field.clone(), v.clone());
            }
            continue;
        }
        let chosen = if mv == tv || tv == bv {
            mv
        } else if mv == bv {
            tv
        } else {
            conflicts.push(FieldConflict {
                field: field.clone(),
                base: bv.cloned(),
                mine: mv.cloned(),
                theirs: tv.cloned(),
            });
            mv
        };
        if let Some(v) = chosen {
            out.insert(field.clone(), v.clone());
        }
    }
    Merged {
        state: Value::Object(out),
        conflicts,
    }
}

/// Members of mine, less those theirs removed, plus those theirs added (in theirs' order).
/// A member both sides have in different forms (a tag's source) takes mine's.
fn merge_set(field: &str, base: Option<&Value>, mine: Option<&Value>, theirs: Option<&Value>) -> Option<Value> {
    let list = |v: Option<&Value>| -> Vec<Value> { v.and_then(Value::as_array).cloned().unwrap_or_default() };
    let (b, m, t) = (list(base), list(mine), list(theirs));
    let ids =
        |l: &[Value]| -> std::collections::HashSet<String> { l.iter().filter_map(|v| member_id(field, v)).collect() };
    let (bi, ti) = (ids(&b), ids(&t));
    let mut seen = std::collections::HashSet::new();
    let mut out = Vec::new();
    for v in &m {
        let Some(id) = member_id(field, v) else { continue };
        // Removed by theirs: it was in the base and theirs no longer has it.
        if bi.contains(&id) && !ti.contains(&id) {
            continue;
        }
        if seen.insert(id) {
            out.push(v.clone());
        }
    }
    let mi = ids(&m);
    for v in &t {
        let Some(id) = member_id(field, v) else { continue };
        // Added by theirs: not in the base; kept unless mine removed it (base had it).
        if !bi.contains(&id) && !mi.contains(&id) && seen.insert(id) {
            out.push(v.clone());
        }
    }
    if mine.is_none() && theirs.is_none() {
        return None;
    }
    Some(Value::Array(out))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn different_fields_merge_silently() {
        let base = json!({"title": "A", "volume": "1", "pages": "1-2"});
        let mine = json!({"title": "A!", "volume": "1", "pages": "1-2"});
        let theirs = json!({"title": "A", "volume": "2", "pages": "1-2"});
        let m = merge3(Some(&base), &mine, &theirs);
        assert_eq!(m.state, json!({"title": "A!", "volume": "2", "pages": "1-2"}));
        assert!(m.conflicts.is_empty());
    }

    #[test]
    fn the_same_field_is_one_conflict_keeping_both_values() {
        let base = json!({"title": "A", "volume": "1"});
        let mine = json!({"title": "Mine", "volume": "1"});
        let theirs = json!({"title": "Theirs", "volume": "3"});
        let m = merge3(Some(&base), &mine, &theirs);
        assert_eq!(m.state, json!({"title": "Mine", "volume": "3"}));
        assert_eq!(
            m.conflicts,
            vec![FieldConflict {
                field: "title".into(),
                base: Some(json!("A")),
                mine: Some(json!("Mine")),
                theirs: Some(json!("Theirs")),
            }]
        );
    }

    #[test]
    fn the_same_change_on_both_sides_is_no_conflict() {
        let base = json!({"title": "A"});
        let both = json!({"title": "B"});
        let m = merge3(Some(&base), &both, &both);
        assert_eq!(m.state, both);
        assert!(m.conflicts.is_empty());
    }

    #[test]
    fn tags_merge_as_additions_and_removals() {
        let t = |n: &str| json!({"name": n, "source": "manual"});
        let base = json!({"tags": [t("a"), t("b"), t("c")]});
        // Mine removes b and adds d; theirs removes c and adds e (and writes A in capitals).
        let mine = json!({"tags": [t("a"), t("c"), t("d")]});
        let theirs = json!({"tags": [t("A"), t("b"), t("e")]});
        let m = merge3(Some(&base), &mine, &theirs);
        assert_eq!(m.state, json!({"tags": [t("a"), t("d"), t("e")]}));
        assert!(m.conflicts.is_empty());
    }

    #[test]
    fn collections_merge_as_sets_and_fields_only_one_side_has_are_kept() {
        let base = json!({"collections": ["x"]});
        let mine = json!({"collections": ["x", "y"], "note": "n"});
        let theirs = json!({"collections": [], "doi": "10.1/x"});
        let m = merge3(Some(&base), &mine, &theirs);
        assert_eq!(m.state, json!({"collections": ["y"], "note": "n", "doi": "10.1/x"}));
    }

    #[test]
    fn the_modification_time_is_the_later_one() {
        let base = json!({"date_modified": "2026-01-01T00:00:00Z", "title": "A"});
        let mine = json!({"date_modified": "2026-03-01T00:00:00Z", "title": "B"});
        let theirs = json!({"date_modified": "2026-02-01T00:00:00Z", "title": "A"});
        let m = merge3(Some(&base), &mine, &theirs);
        assert_eq!(m.state, json!({"date_modified": "2026-03-01T00:00:00Z", "title": "B"}));
        assert!(m.conflicts.is_empty());
    }

    #[test]
    fn without_a_base_every_difference_is_a_conflict() {
        let m = merge3(
            None,
            &json!({"title": "A", "year": 1}),
            &json!({"title": "B", "year": 1}),
        );
        assert_eq!(m.conflicts.len(), 1);
        assert_eq!(m.conflicts[0].field, "title");
    }
}
