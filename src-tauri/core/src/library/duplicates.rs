//! Use cases: find duplicate groups in the library and merge items (one undo step).

use super::renames::Follow;
use super::shared::dedupe_index_keys;
use super::Library;
use crate::dedupe::{self, Conflict, Reason};
use crate::error::{Error, Result};
use crate::model::{Item, ItemId};
use crate::store::{collections, items};

/// Items that are (or may be) the same work.
#[derive(Debug, Clone, PartialEq)]
pub struct DuplicateGroup {
    pub reason: Reason,
    pub confidence: f64,
    pub keys: Vec<String>,
}

/// What a merge did.
#[derive(Debug, Clone, PartialEq)]
pub struct MergeReport {
    pub kept: String,
    pub merged: Vec<String>,
    pub conflicts: Vec<(String, Conflict)>,
}

fn find(parent: &mut [usize], i: usize) -> usize {
    let mut r = i;
    while parent[r] != r {
        r = parent[r];
    }
    let mut c = i;
    while parent[c] != r {
        let n = parent[c];
        parent[c] = r;
        c = n;
    }
    r
}

/// How much an item has filled in (the batch merge keeps the richest, then the oldest).
fn richness(it: &Item) -> usize {
    crate::model::TEXT_FIELDS
        .iter()
        .filter(|f| it.get(f).is_some_and(|v| !v.is_empty()))
        .count()
        + it.creators.len()
        + usize::from(!it.r#abstract.is_empty())
        + it.tags.len()
        + it.extra.len()
}

impl Library {
    /// Duplicate groups: certain ones (same DOI, ISBN, or title + year + first author) joined
    /// transitively, then suggestions and related preprints as pairs. Sorted by confidence.
    pub fn duplicates(&self) -> Result<Vec<DuplicateGroup>> {
        let (idx, keys) = dedupe_index_keys(self.store.conn())?;
        let n = keys.len();
        let mut parent: Vec<usize> = (0..n).collect();
        let mut best: Vec<Option<(Reason, f64)>> = vec![None; n];
        let mut pairs: Vec<DuplicateGroup> = Vec::new();
        for i in 0..n {
            for (j, m) in idx.matches(idx.get(i)) {
                if j <= i {
                    continue;
                }
                if m.reason.is_certain() {
                    let (a, b) = (find(&mut parent, i), find(&mut parent, j));
                    if a != b {
                        parent[b] = a;
                    }
                    for k in [i, j] {
                        let e = &mut best[k];
                        if e.is_none_or(|(r, _)| m.reason < r) {
                            *e = Some((m.reason, m.confidence));
                        }
                    }
                } else {
                    pairs.push(DuplicateGroup {
                        reason: m.reason,
                        confidence: m.confidence,
                        keys: vec![keys[i].clone(), keys[j].clone()],
                    });
                }
            }
        }
        let mut groups: std::collections::BTreeMap<usize, Vec<usize>> = Default::default();
        for (i, b) in best.iter().enumerate() {
            if b.is_some() {
                let r = find(&mut parent, i);
                groups.entry(r).or_default().push(i);
            }
        }
        let mut out: Vec<DuplicateGroup> = groups
            .into_values()
            .filter(|g| g.len() > 1)
            .map(|g| {
                let (reason, confidence) = g
                    .iter()
                    .filter_map(|i| best[*i])
                    .min_by(|a, b| a.0.cmp(&b.0))
                    .expect("grouped items have a reason");
                DuplicateGroup {
                    reason,
                    confidence,
                    keys: g.iter().map(|i| keys[*i].clone()).collect(),
                }
            })
            .collect();
        // A suggestion between items already grouped as certain adds nothing.
        pairs.retain(|p| !out.iter().any(|g| p.keys.iter().all(|k| g.keys.contains(k))));
        out.extend(pairs);
        out.sort_by(|a, b| b.confidence.total_cmp(&a.confidence).then(a.keys.cmp(&b.keys)));
        Ok(out)
    }

    /// Merge `other_ids` into `keep_id` inside the action's transaction; the kept item's
    /// stored files follow its name (`follow`).
    fn merge_choosing_in_tx(
        w: &mut crate::store::Writer<'_>,
        keep_id: ItemId,
        other_ids: &[ItemId],
        choices: &[(String, String)],
        follow: &mut Follow,
    ) -> Result<MergeReport> {
        let mut keep = items::load(w.conn(), keep_id)?.ok_or_else(|| Error::NotFound(format!("no item {keep_id}")))?;
        let mut conflicts = Vec::new();
        let mut merged = Vec::new();
        let now = crate::text::now_rfc3339();
        for oid in other_ids {
            let other = items::load(w.conn(), *oid)?.ok_or_else(|| Error::NotFound(format!("no item {oid}")))?;
            for c in dedupe::merge_into(&mut keep, &other) {
                conflicts.push((other.key.clone(), c));
            }
            for c in items::collections_of(w.conn(), *oid)? {
                collections::add_item(w, c, keep_id)?;
            }
            items::set_deleted(w, *oid, Some(&now))?;
            merged.push(other.key);
        }
        // The user's pick for conflicting fields (the app's side-by-side view).
        for (field, value) in choices {
            let key = keep.key.clone();
            keep.set(field, value)
                .map_err(|e| Error::InvalidInput(format!("{key}: {e}")))?;
        }
        items::update(w, &mut keep)?;
        follow.item(w, &keep)?;
        Ok(MergeReport {
            kept: keep.key,
            merged,
            conflicts,
        })
    }

    /// Merge items into `keep`: it gains every field it lacks, their tags and collections and
    /// (when vouched for) a more open access status; the others go to the trash, where their
    /// conflicting values remain. One undo step.
    pub fn merge(&mut self, keep: &str, others: &[String]) -> Result<MergeReport> {
        self.merge_choosing(keep, others, &[])
    }

    /// [`Library::merge`] with the user's choice for conflicting fields: each `(field, value)`
    /// is set on the kept item after the merge (field names as in `folio edit`). The values
    /// not chosen stay on the merged items in the trash. One undo step.
    pub fn merge_choosing(
        &mut self,
        keep: &str,
        others: &[String],
        choices: &[(String, String)],
    ) -> Result<MergeReport> {
        let keep_id = self.id_of(keep)?;
        let mut ids = Vec::new();
        for k in others {
            let id = self.id_of(k)?;
            if id == keep_id {
                return Err(Error::InvalidInput(format!("cannot merge {k} into itself")));
            }
            if self.is_in_trash(id)? {
                return Err(Error::InvalidInput(format!("{k} is in the trash; restore it first")));
            }
            ids.push(id);
        }
        if ids.is_empty() {
            return Err(Error::InvalidInput(
                "name at least one item to merge into the kept one".into(),
            ));
        }
        let label = format!("Merge {} into {keep}", others.join(", "));
        let mut follow = self.follow_names()?;
        let written = self.store.write(&label, |w| {
            Self::merge_choosing_in_tx(w, keep_id, &ids, choices, &mut follow)
        });
        if written.is_err() {
            follow.discard();
        }
        written
    }

    /// Merge every group found by identifier (same DOI or ISBN), keeping in each the item with
    /// the most information (then the oldest). One undo step for all of them.
    pub fn merge_identifier_groups(&mut self) -> Result<Vec<MergeReport>> {
        let groups: Vec<DuplicateGroup> = self
            .duplicates()?
            .into_iter()
            .filter(|g| g.reason.is_identifier())
            .collect();
        if groups.is_empty() {
            return Ok(Vec::new());
        }
        let mut plan = Vec::new();
        for g in &groups {
            let mut members: Vec<Item> = g.keys.iter().map(|k| self.get(k)).collect::<Result<_>>()?;
            members.sort_by(|a, b| {
                richness(b)
                    .cmp(&richness(a))
                    .then(a.date_added.cmp(&b.date_added))
                    .then(a.id.cmp(&b.id))
            });
            let keep = members[0].id.expect("stored");
            let others: Vec<ItemId> = members[1..].iter().filter_map(|m| m.id).collect();
            plan.push((keep, others));
        }
        let label = format!("Merge {} duplicate groups", plan.len());
        let mut follow = self.follow_names()?;
        let written = self.store.write(&label, |w| {
            plan.iter()
                .map(|(k, o)| Self::merge_choosing_in_tx(w, *k, o, &[], &mut follow))
                .collect()
        });
        if written.is_err() {
            follow.discard();
        }
        written
    }
}
