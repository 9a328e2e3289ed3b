//! What one action of the shared history did to one object, for a history view ("who changed
//! what"): added, deleted, or which of its fields changed. Pure: compares the change log's
//! before and after states (JSON objects) field by field.

use crate::remote::SharedChange;
use serde::Serialize;
use serde_json::Value;

/// What an action did to an object.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum ChangeKind {
    Added,
    Changed,
    Deleted,
}

/// Fields that change with every edit and say nothing of what was edited.
const BOOKKEEPING: [&str; 1] = ["date_modified"];

/// The top-level fields whose values differ between `before` and `after` (in `after`'s order,
/// then fields only `before` has), leaving out bookkeeping (`date_modified`). A field missing
/// on one side counts as changed unless the other side's value is empty (`""`, `[]`, `{}`,
/// `null`: serialisers leave empty fields out).
pub fn changed_fields(before: &Value, after: &Value) -> Vec<String> {
    let empty = serde_json::Map::new();
    let b = before.as_object().unwrap_or(&empty);
    let a = after.as_object().unwrap_or(&empty);
    let is_empty = |v: Option<&Value>| match v {
        None | Some(Value::Null) => true,
        Some(Value::String(s)) => s.is_empty(),
        Some(Value::Array(x)) => x.is_empty(),
        Some(Value::Object(o)) => o.is_empty(),
        Some(_) => false,
    };
    a.keys()
        .chain(b.keys().filter(|k| !a.contains_key(*k)))
        .filter(|k| !BOOKKEEPING.contains(&k.as_str()))
        .filter(|k| {
            let (x, y) = (b.get(*k), a.get(*k));
            x != y && !(is_empty(x) && is_empty(y))
        })
        .cloned()
        .collect()
}

/// What a change did: added (no state before), deleted (none after), or changed these fields.
pub fn describe(change: &SharedChange) -> (ChangeKind, Vec<String>) {
    match (&change.before, &change.after) {
        (None, _) => (ChangeKind::Added, Vec::new()),
        (Some(_), None) => (ChangeKind::Deleted, Vec::new()),
        (Some(b), Some(a)) => (ChangeKind::Changed, changed_fields(b, a)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::remote::{ObjectKind, Uuid};
    use serde_json::json;

    #[test]
    fn fields_that_differ_are_named_in_order() {
        let before =
            json!({"key": "a", "title": "Old", "date": {"year": 2019}, "tags": [], "date_modified": "1", "note": "x"});
        let after = json!({"key": "a", "title": "New", "date": {"year": 2020}, "date_modified": "2", "volume": "3"});
        assert_eq!(changed_fields(&before, &after), ["title", "date", "volume", "note"]);
        assert!(changed_fields(&after, &after).is_empty());
        // An empty value and a missing one are the same.
        assert!(changed_fields(&json!({"a": "", "b": []}), &json!({"c": {}})).is_empty());
        assert_eq!(
            changed_fields(&json!({"trashed": null}), &json!({"trashed": "2026"})),
            ["trashed"]
        );
    }

    #[test]
    fn added_and_deleted_objects() {
        let c = |before: Option<Value>, after: Option<Value>| SharedChange {
            kind: ObjectKind::Item,
            uuid: Uuid::nil(),
            before,
            after,
        };
        assert_eq!(
            describe(&c(None, Some(json!({"title": "x"})))),
            (ChangeKind::Added, vec![])
        );
        assert_eq!(
            describe(&c(Some(json!({"title": "x"})), None)),
            (ChangeKind::Deleted, vec![])
        );
        assert_eq!(
            describe(&c(Some(json!({"title": "x"})), Some(json!({"title": "y"})))),
            (ChangeKind::Changed, vec!["title".to_string()])
        );
    }
}
