//! Use cases on citation keys: the library's pattern, regenerate keys, fix keys LaTeX tools
//! reject, check them. Links of other entries follow a renamed key in the same transaction.

use super::shared::{keys_label, relinked_items};
use super::{KeyFix, Library, KEY_PATTERN};
use crate::citekey;
use crate::error::{Error, Result};
use crate::model::Item;
use crate::store::{items, meta};
use std::collections::HashSet;

impl Library {
    pub fn set_key_pattern(&mut self, pattern: &str) -> Result<()> {
        citekey::validate_pattern(pattern).map_err(Error::InvalidInput)?;
        self.store
            .write(&format!("Set citation-key pattern to {pattern}"), |w| {
                meta::set(w, KEY_PATTERN, Some(pattern))
            })
    }

    /// Give items new keys from the library's pattern (or `pattern`). Explicit and undoable:
    /// keys never change by themselves. Returns (old, new) pairs that changed.
    pub fn regenerate_keys(
        &mut self,
        keys: &[String],
        pattern: Option<&str>,
        force: bool,
    ) -> Result<Vec<(String, String)>> {
        let pattern = match pattern {
            Some(p) => p.to_string(),
            None => self.key_pattern()?,
        };
        citekey::validate_pattern(&pattern).map_err(Error::InvalidInput)?;
        let ids = self.ids_of(keys)?;
        let items_now = items::load_many(self.store.conn(), &ids)?;
        // Keys being replaced are free for reuse within this batch.
        let mut taken: HashSet<String> = items::all_keys(self.store.conn())?;
        for it in &items_now {
            taken.remove(&it.key);
        }
        let mut plan = Vec::new();
        let mut suffixes = citekey::Suffixes::new();
        for it in &items_now {
            let base = citekey::generate(it, &pattern).map_err(Error::InvalidInput)?;
            let new = if base == it.key && !taken.contains(&base) {
                base
            } else {
                suffixes.make_unique(&base, |k| taken.contains(k))
            };
            taken.insert(new.clone());
            if new != it.key {
                plan.push((it.clone(), new));
            }
        }
        let changes: Vec<(String, String)> = plan.iter().map(|(it, n)| (it.key.clone(), n.clone())).collect();
        if plan.is_empty() {
            return Ok(changes);
        }
        let olds: Vec<String> = changes.iter().map(|(o, _)| o.clone()).collect();
        self.check_key_changes(&olds, force)?;
        self.rename_keys(&format!("Regenerate keys of {}", keys_label(keys)), &plan)?;
        Ok(changes)
    }

    /// Give items new keys in one transaction (one undo step), and make the links of other
    /// entries (`crossref`, `xdata`, … see [`bibtex::refs`]) name the new keys. Returns the
    /// keys of the entries whose links changed.
    ///
    /// [`bibtex::refs`]: crate::format::bibtex::refs
    fn rename_keys(&mut self, label: &str, plan: &[(Item, String)]) -> Result<Vec<String>> {
        // A `[key]` in the stored files' name pattern renames them in the same step.
        let mut follow = self.follow_names()?;
        let written = self.store.write(label, |w| {
            let before = items::all_keys(w.conn())?;
            // Two passes so swapping keys between items never collides.
            for (it, _) in plan {
                let mut tmp = it.clone();
                tmp.key = format!("\u{1}tmp{}", it.id.unwrap_or_default());
                items::update(w, &mut tmp)?;
            }
            for (it, new) in plan {
                let mut item = it.clone();
                item.key = new.clone();
                items::update(w, &mut item)?;
                follow.item(w, &item)?;
            }
            let relinks = relinked_items(w.conn(), plan, &before)?;
            let mut relinked = Vec::with_capacity(relinks.len());
            for mut item in relinks {
                items::update(w, &mut item)?;
                relinked.push(item.key);
            }
            Ok(relinked)
        });
        if written.is_err() {
            follow.discard();
        }
        written
    }

    /// Repair the keys among `keys` that LaTeX tools reject ([`citekey::key_problem`]: `'`,
    /// spaces, braces, non-ASCII…) or that differ from an earlier key only in case (BibTeX
    /// takes them for one): the offending characters are dropped or transliterated
    /// ([`citekey::repaired`]: `D'Ambrosio2007174` → `DAmbrosio2007174`), made unique with
    /// the `a`, `b`, … suffixes, and links of other entries to them follow. Explicit and
    /// undoable (one step); keys without a problem are left alone. `dry_run` only plans.
    /// Characters left out for want of an ASCII spelling (`🦄2019` → `2019`) are listed in
    /// [`KeyFix::dropped`].
    pub fn fix_keys(&mut self, keys: &[String], force: bool, dry_run: bool) -> Result<KeyFix> {
        // Every key must exist.
        self.ids_of(keys)?;
        let all = items::all_keys(self.store.conn())?;
        let mut sorted: Vec<&String> = all.iter().collect();
        sorted.sort();
        // The first key of each case-insensitive group keeps its spelling.
        let mut first: std::collections::HashMap<String, &String> = std::collections::HashMap::new();
        for k in &sorted {
            first.entry(k.to_lowercase()).or_insert(k);
        }
        let mut targets: Vec<String> = keys.to_vec();
        targets.sort();
        targets.dedup();
        let bad: Vec<String> = targets
            .into_iter()
            .filter(|k| !k.is_empty())
            .filter(|k| citekey::key_problem(k).is_some() || first.get(&k.to_lowercase()).is_some_and(|f| *f != k))
            .collect();
        let bad_set: HashSet<&String> = bad.iter().collect();
        let mut taken: HashSet<String> = all
            .iter()
            .filter(|k| !bad_set.contains(k))
            .map(|k| k.to_lowercase())
            .collect();
        let pattern = self.key_pattern()?;
        let mut plan = Vec::with_capacity(bad.len());
        let mut dropped = Vec::new();
        let mut suffixes = citekey::Suffixes::new();
        for old in &bad {
            let item = self.get(old)?;
            let mut base = citekey::repaired(old);
            let mut lost = citekey::dropped_chars(old);
            if base.is_empty() {
                let g = citekey::generate_with_dropped(&item, &pattern).map_err(Error::InvalidInput)?;
                base = g.key;
                for c in g.dropped {
                    if !lost.contains(&c) {
                        lost.push(c);
                    }
                }
            }
            if !lost.is_empty() {
                dropped.push((old.clone(), lost));
            }
            let new = suffixes.make_unique(&base, |k| taken.contains(&k.to_lowercase()));
            taken.insert(new.to_lowercase());
            plan.push((item, new));
        }
        let renamed: Vec<(String, String)> = plan.iter().map(|(it, n)| (it.key.clone(), n.clone())).collect();
        if plan.is_empty() {
            return Ok(KeyFix::default());
        }
        if dry_run {
            let relinked = relinked_items(self.store.conn(), &plan, &all)?
                .into_iter()
                .map(|it| {
                    // An entry renamed too is named by its new key.
                    renamed
                        .iter()
                        .find(|(o, _)| *o == it.key)
                        .map_or(it.key, |(_, n)| n.clone())
                })
                .collect();
            return Ok(KeyFix {
                renamed,
                relinked,
                dropped,
            });
        }
        self.check_key_changes(&bad, force)?;
        let relinked = self.rename_keys(&format!("Fix citation keys of {}", keys_label(&bad)), &plan)?;
        Ok(KeyFix {
            renamed,
            relinked,
            dropped,
        })
    }

    /// Citation-key problems: keys LaTeX rejects, empty keys, and keys that differ only in
    /// case (classic BibTeX treats those as the same key). Returns (key, problem) pairs.
    pub fn key_check(&self) -> Result<Vec<(String, String)>> {
        let mut keys: Vec<String> = items::all_keys(self.store.conn())?.into_iter().collect();
        keys.sort();
        let mut out = Vec::new();
        let mut seen: std::collections::HashMap<String, String> = std::collections::HashMap::new();
        for k in &keys {
            if let Some(p) = citekey::key_problem(k) {
                out.push((k.clone(), p));
            }
            if let Some(other) = seen.insert(k.to_lowercase(), k.clone()) {
                out.push((
                    k.clone(),
                    format!("differs from {other:?} only in case; BibTeX treats them as one key"),
                ));
            }
        }
        Ok(out)
    }
}
