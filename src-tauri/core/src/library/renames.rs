//! Stored files follow their item's name: when an edit changes what the name pattern makes of
//! an item (its creators, year, title…), or the pattern itself changes, its stored copies get
//! the new name in the same undoable action. The new name is a hard link to the same file
//! (a copy where the file system has none), so undo, which gives the attachment its old
//! name back, finds the old file still there; names nothing refers to go when the trash is
//! emptied, like detached copies.

use super::attachments::{extension_of, place_in, stored_stem_with, DEFAULT_NAME_PATTERN, NAME_PATTERN};
use super::Library;
use crate::error::{Error, Result};
use crate::model::{AttachmentKind, Item, ItemId};
use crate::store::{attachments as rows, meta};
use std::path::PathBuf;

/// New names for stored files, made on disk, to be recorded in an action's transaction.
#[derive(Default)]
pub(super) struct Renames {
    /// (item, attachment, new file name)
    pub(super) moves: Vec<(ItemId, i64, String)>,
    /// Names made for them (removed again if the action fails).
    created: Vec<PathBuf>,
}

impl Renames {
    pub(super) fn is_empty(&self) -> bool {
        self.moves.is_empty()
    }

    /// Record the new names (inside the action's transaction).
    pub(super) fn record(&self, w: &mut crate::store::Writer<'_>) -> Result<()> {
        for (item, aid, name) in &self.moves {
            rows::set_path(w, *item, *aid, name)?;
        }
        Ok(())
    }

    /// The action failed: take the new names away again.
    pub(super) fn discard(&self) {
        for p in &self.created {
            let _ = std::fs::remove_file(p);
        }
    }
}

/// Whether `name` is `stem` + `ext`, or `stem (n)` + `ext`.
fn fits(name: &str, stem: &str, ext: &str) -> bool {
    let Some(body) = name.strip_suffix(ext).and_then(|b| b.strip_prefix(stem)) else {
        return false;
    };
    body.is_empty()
        || body
            .strip_prefix(" (")
            .and_then(|b| b.strip_suffix(')'))
            .is_some_and(|n| !n.is_empty() && n.chars().all(|c| c.is_ascii_digit()))
}

impl Library {
    /// The pattern stored files are named by ([`super::attachments::stored_stem_with`]).
    pub fn attachment_name_pattern(&self) -> Result<String> {
        Ok(meta::get(self.store.conn(), NAME_PATTERN)?
            .filter(|s| !s.trim().is_empty())
            .unwrap_or_else(|| DEFAULT_NAME_PATTERN.to_string()))
    }

    /// Set the name pattern (`None`: the default) and rename every stored file by it: one
    /// undoable action. How many files were renamed.
    pub fn set_attachment_name_pattern(&mut self, pattern: Option<&str>) -> Result<usize> {
        let pattern = pattern.map(str::trim).filter(|p| !p.is_empty());
        if let Some(p) = pattern {
            if !p.contains('[') {
                return Err(Error::InvalidInput(format!(
                    "{p:?}: a name pattern needs at least one of [auth], [authors], [year], [title], [shorttitle], [key]"
                )));
            }
        }
        let renames = self.plan_all(pattern.unwrap_or(DEFAULT_NAME_PATTERN))?;
        let n = renames.moves.len();
        let written = self.store.write("Set the stored files' name pattern", |w| {
            meta::set(w, NAME_PATTERN, pattern)?;
            renames.record(w)
        });
        if written.is_err() {
            renames.discard();
        }
        written.map(|()| n)
    }

    /// Rename the stored files of every item (or of `keys`) that do not have the name the
    /// pattern gives them: one undoable action. How many were renamed.
    pub fn rename_attachments(&mut self, keys: &[String]) -> Result<usize> {
        let renames = if keys.is_empty() {
            self.plan_all(&self.attachment_name_pattern()?)?
        } else {
            let pattern = self.attachment_name_pattern()?;
            let mut all = Renames::default();
            for k in keys {
                let item = self.get(k)?;
                let r = self.plan_renames(&item, &pattern)?;
                all.moves.extend(r.moves);
                all.created.extend(r.created);
            }
            all
        };
        if renames.is_empty() {
            return Ok(0);
        }
        let n = renames.moves.len();
        let written = self
            .store
            .write(&format!("Rename {n} stored file(s)"), |w| renames.record(w));
        if written.is_err() {
            renames.discard();
        }
        written.map(|()| n)
    }

    fn plan_all(&self, pattern: &str) -> Result<Renames> {
        let mut all = Renames::default();
        let mut ids: Vec<ItemId> = rows::all(self.store.conn())?
            .into_iter()
            .filter(|(_, _, a)| a.kind == AttachmentKind::Stored)
            .map(|(id, _, _)| id)
            .collect();
        ids.dedup();
        for id in ids {
            let item = self.get_by_id(id)?;
            let r = self.plan_renames(&item, pattern)?;
            all.moves.extend(r.moves);
            all.created.extend(r.created);
        }
        Ok(all)
    }

    /// New names for `item`'s stored files whose names do not fit `pattern`, made on disk.
    pub(super) fn plan_renames(&self, item: &Item, pattern: &str) -> Result<Renames> {
        match self.files_dir() {
            Some(dir) => plan_in(self.store.conn(), &dir, item, pattern),
            None => Ok(Renames::default()),
        }
    }

    /// What an action that changes items' naming fields inside its transaction (a merge, new
    /// keys, an import merging into an item) needs to rename their stored files there: see
    /// [`Follow`].
    pub(super) fn follow_names(&self) -> Result<Follow> {
        Ok(Follow {
            dir: self.files_dir(),
            pattern: self.attachment_name_pattern()?,
            done: Renames::default(),
        })
    }

    /// The renames an edit from `before` to `after` needs (none when the pattern makes the
    /// same name of both).
    pub(super) fn renames_for_edit(&self, before: &Item, after: &Item) -> Result<Renames> {
        let pattern = self.attachment_name_pattern()?;
        if stored_stem_with(before, &pattern) == stored_stem_with(after, &pattern) {
            return Ok(Renames::default());
        }
        self.plan_renames(after, &pattern)
    }
}

/// New names for `item`'s stored files (in the files folder `dir`) whose names do not fit
/// `pattern`, made on disk; the attachments are read through `conn` (inside a transaction, the
/// action's own).
fn plan_in(conn: &crate::store::Connection, dir: &std::path::Path, item: &Item, pattern: &str) -> Result<Renames> {
    let mut r = Renames::default();
    let Some(id) = item.id else {
        return Ok(r);
    };
    let stem = stored_stem_with(item, pattern);
    for a in rows::of_item(conn, id)? {
        if a.kind != AttachmentKind::Stored {
            continue;
        }
        let ext = extension_of(&a.path);
        let src = dir.join(&a.path);
        if fits(&a.path, &stem, &ext) || !src.is_file() {
            continue;
        }
        match place_in(&src, dir, &stem, &ext, &a.sha256, true) {
            Ok((name, made)) => {
                if made {
                    r.created.push(dir.join(&name));
                }
                r.moves.push((id, a.id.unwrap_or(0), name));
            }
            Err(e) => {
                r.discard();
                return Err(e);
            }
        }
    }
    Ok(r)
}

/// Stored files following their items' names inside an action's transaction: after the action
/// changed an item, [`Follow::item`] gives its stored files the pattern's name (a hard link,
/// as an edit does) and records it in the same transaction, so one undo step takes both back.
/// If the action fails, [`Follow::discard`] removes the names made.
pub(super) struct Follow {
    dir: Option<PathBuf>,
    pattern: String,
    done: Renames,
}

impl Follow {
    /// Rename `item`'s stored files to what the pattern makes of it now (recorded through `w`).
    pub(super) fn item(&mut self, w: &mut crate::store::Writer<'_>, item: &Item) -> Result<()> {
        let Some(dir) = &self.dir else { return Ok(()) };
        let r = plan_in(w.conn(), dir, item, &self.pattern)?;
        self.done.created.extend(r.created.iter().cloned());
        r.record(w)?;
        self.done.moves.extend(r.moves);
        Ok(())
    }

    /// The action failed: take the names made away again.
    pub(super) fn discard(&self) {
        self.done.discard();
    }
}

#[cfg(test)]
mod tests {
    use super::fits;

    #[test]
    fn names_that_fit_a_stem() {
        assert!(fits("Steen 2021 - Co.pdf", "Steen 2021 - Co", ".pdf"));
        assert!(fits("Steen 2021 - Co (2).pdf", "Steen 2021 - Co", ".pdf"));
        assert!(!fits("Steen 2021 - Co (x).pdf", "Steen 2021 - Co", ".pdf"));
        assert!(!fits("Steen 2021 - Cooking.pdf", "Steen 2021 - Co", ".pdf"));
        assert!(fits("Steen", "Steen", ""));
    }
}
