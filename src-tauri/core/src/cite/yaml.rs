//! Hayagriva YAML (typst's bibliography format): the entries of [`convert`](super::convert)
//! plus the abstract and note, written by hayagriva's own serializer, so typst reads what it
//! wrote.

use super::convert;
use crate::error::Diagnostic;
use crate::format::Written;
use crate::model::Item;
use hayagriva::types::FormatString;
use std::collections::HashSet;

/// The items as a Hayagriva YAML file, keyed by citation key (an item without a key, or whose
/// key is already used in the file, gets `item-N` with a warning).
pub fn write(items: &[Item]) -> Written {
    let mut lib = hayagriva::Library::new();
    let mut seen = HashSet::new();
    let mut diagnostics = Vec::new();
    for (i, item) in items.iter().enumerate() {
        let key = if !item.key.is_empty() && seen.insert(item.key.clone()) {
            item.key.clone()
        } else {
            let k = format!("item-{}", i + 1);
            diagnostics.push(Diagnostic::warning(
                None,
                format!("item {} has no key of its own ({:?}): written as {k}", i + 1, item.key),
            ));
            k
        };
        let mut e = convert::entry(item, &key, false);
        if !item.r#abstract.is_empty() {
            e.set_abstract_(FormatString::with_value(item.r#abstract.flat(true)));
        }
        if !item.note.trim().is_empty() {
            e.set_note(FormatString::with_value(item.note.trim()));
        }
        lib.push(&e);
    }
    let text = match hayagriva::io::to_yaml_str(&lib) {
        Ok(t) => t,
        Err(e) => {
            diagnostics.push(Diagnostic::error(
                None,
                format!("Hayagriva YAML could not be written: {e}"),
            ));
            String::new()
        }
    };
    Written { text, diagnostics }
}
