//! Helpers that several use-case areas share (undo-step labels, id order for bulk writes,
//! links that follow a renamed key, the library as a duplicate index).

use crate::dedupe::Index;
use crate::error::Result;
use crate::model::{Item, ItemId};
use crate::store::{items, Connection};
use std::collections::HashSet;

/// The items (live or in the trash) with links to keys `plan` renames, with those links
/// changed; `keys` are the library's keys before the renaming (they resolve granular
/// `xdata=key-field` references). Read through `conn` as it is (inside the renaming
/// transaction, the renamed items already carry their new keys).
pub(super) fn relinked_items(
    conn: &crate::store::Connection,
    plan: &[(Item, String)],
    keys: &HashSet<String>,
) -> Result<Vec<Item>> {
    use crate::format::bibtex::refs;
    use std::collections::HashMap;
    let exact: HashMap<&str, &str> = plan.iter().map(|(it, new)| (it.key.as_str(), new.as_str())).collect();
    let folded: HashMap<String, &str> = plan
        .iter()
        .map(|(it, new)| (it.key.to_lowercase(), new.as_str()))
        .collect();
    let lower: HashSet<String> = keys.iter().map(|k| k.to_lowercase()).collect();
    let is_key = |k: &str| lower.contains(&k.to_lowercase());
    // A reference names a renamed entry exactly, or (as BibTeX compares keys) ignoring case
    // when no key of the library is spelt exactly so.
    let renamed = |k: &str| {
        exact
            .get(k)
            .or_else(|| {
                if keys.contains(k) {
                    None
                } else {
                    folded.get(&k.to_lowercase())
                }
            })
            .map(|n| n.to_string())
    };
    let mut ids = std::collections::BTreeSet::new();
    for field in refs::LINK_WORDS {
        ids.extend(items::ids_with_extra_text(conn, field)?);
    }
    let mut out = Vec::new();
    for id in ids {
        let Some(mut item) = items::load(conn, id)? else {
            continue;
        };
        let mut changed = false;
        for f in &mut item.extra {
            if let Some(v) = refs::rename_references(&f.name, &f.value, &is_key, &renamed) {
                f.value = v;
                changed = true;
            }
        }
        if changed {
            out.push(item);
        }
    }
    Ok(out)
}

/// Items in ascending id order, for actions that rewrite many items: FTS5 writes a row
/// whose id is below the previous one only after flushing and merging its pending data, so
/// 10,000 items tagged in key order spent most of their time in FTS5 merges.
pub(super) fn in_id_order(mut ids: Vec<ItemId>) -> Vec<ItemId> {
    ids.sort_unstable();
    ids.dedup();
    ids
}

pub(super) fn keys_label(keys: &[String]) -> String {
    match keys.len() {
        0 => "no items".into(),
        1 => keys[0].clone(),
        2 | 3 => keys.join(", "),
        n => format!("{n} items"),
    }
}

pub(super) fn label_for(verb: &str, keys: &[String]) -> String {
    format!("{verb} {}", keys_label(keys))
}

/// The live library as a duplicate index, with the key of each position.
pub(super) fn dedupe_index_keys(conn: &Connection) -> Result<(Index, Vec<String>)> {
    let records = items::dedupe_records(conn)?;
    let mut idx = Index::new();
    let mut keys = Vec::with_capacity(records.len());
    for (fp, key) in records {
        idx.add(fp);
        keys.push(key);
    }
    Ok((idx, keys))
}
