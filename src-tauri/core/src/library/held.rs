//! Stored copies an emptied trash removed, kept while that action can be undone. Emptying
//! the trash moves the copies nothing refers to any more into `<library>.files/.emptied/<step>/`
//! (the step is the action's journal id; a `.step` file beside them names its time and label,
//! so a later step with a reused id is not mistaken for it). Undo puts them back into the
//! files folder (hard links, so redo needs no copy); redo takes the names nothing refers to
//! out again. A step the journal no longer keeps (undone and replaced by a new action, or
//! older than the journal's last 1000) cannot come back, so its folder is deleted at the next
//! empty trash, undo or redo.

use super::Library;
use crate::error::{Error, Result};
use crate::store::{attachments as rows, journal};
use std::path::PathBuf;

/// The holding folder's name inside the files folder (hidden: the files folder's sweep and
/// listing pass over names starting with a dot).
const HOLD: &str = ".emptied";
const MARKER: &str = ".step";

fn marker_text(at: &str, label: &str) -> String {
    format!("{at}\n{label}\n")
}

impl Library {
    fn hold_root(&self) -> Option<PathBuf> {
        self.files_dir().map(|d| d.join(HOLD))
    }

    /// The holding folder of journal step `step`, when it is there and made for that step.
    fn held_for(&self, step: i64) -> Result<Option<PathBuf>> {
        let Some(dir) = self.hold_root().map(|r| r.join(step.to_string())) else {
            return Ok(None);
        };
        if !dir.is_dir() {
            return Ok(None);
        }
        let steps = journal::steps(self.store.conn())?;
        let ok = steps
            .get(&step)
            .is_some_and(|(at, label)| std::fs::read_to_string(dir.join(MARKER)).ok() == Some(marker_text(at, label)));
        Ok(ok.then_some(dir))
    }

    /// The stored files no attachment refers to: regular files directly in the files folder,
    /// not Folio's temporaries or hidden folders.
    fn unreferenced_files(&self) -> Result<Vec<PathBuf>> {
        let Some(dir) = self.files_dir() else {
            return Ok(Vec::new());
        };
        let Ok(entries) = std::fs::read_dir(&dir) else {
            return Ok(Vec::new());
        };
        let keep = rows::stored_paths(self.store.conn())?;
        Ok(entries
            .flatten()
            .filter(|e| {
                let name = e.file_name().to_string_lossy().into_owned();
                !name.starts_with('.') && !keep.contains(&name) && e.file_type().is_ok_and(|t| t.is_file())
            })
            .map(|e| e.path())
            .collect())
    }

    /// Delete the stored files no attachment refers to (an empty trash with no action in the
    /// history that could bring them back); how many.
    pub(crate) fn delete_unreferenced_files(&self) -> Result<usize> {
        Ok(self
            .unreferenced_files()?
            .iter()
            .filter(|p| std::fs::remove_file(p).is_ok())
            .count())
    }

    /// After the action `step` (an emptied trash), or with the last step when the emptied
    /// trash held no item (only detached copies: undo is linear, so undoing the detach that
    /// left a copy undoes `step` first, which brings the copy back): move the stored files
    /// nothing refers to into the step's holding folder, beside what it already holds; how
    /// many. A file that cannot be moved is deleted, as before.
    pub(crate) fn hold_unreferenced_files(&self, step: i64) -> Result<usize> {
        let files = self.unreferenced_files()?;
        let Some(root) = self.hold_root() else { return Ok(0) };
        if files.is_empty() {
            return Ok(0);
        }
        let dir = match self.held_for(step)? {
            Some(dir) => dir,
            None => {
                let dir = root.join(step.to_string());
                // A folder of an older step with the same id (undone, then replaced) is stale.
                let _ = std::fs::remove_dir_all(&dir);
                std::fs::create_dir_all(&dir).map_err(|e| Error::io(&dir, e))?;
                let (at, label) = journal::steps(self.store.conn())?
                    .remove(&step)
                    .ok_or_else(|| Error::NotFound(format!("history step {step}")))?;
                std::fs::write(dir.join(MARKER), marker_text(&at, &label)).map_err(|e| Error::io(&dir, e))?;
                dir
            }
        };
        let mut n = 0;
        for f in files {
            let Some(name) = f.file_name() else { continue };
            if std::fs::rename(&f, dir.join(name)).is_err() {
                let _ = std::fs::remove_file(&f);
            }
            n += 1;
        }
        Ok(n)
    }

    /// After undoing `step`: its held files back into the files folder (hard links, a copy
    /// where the file system has none; a name taken meanwhile is left as it is).
    pub(super) fn unhold(&self, step: i64) -> Result<()> {
        let (Some(held), Some(files)) = (self.held_for(step)?, self.files_dir()) else {
            return Ok(());
        };
        for e in std::fs::read_dir(&held).map_err(|e| Error::io(&held, e))?.flatten() {
            let name = e.file_name();
            let target = files.join(&name);
            if name.to_string_lossy().starts_with('.') || target.exists() {
                continue;
            }
            if std::fs::hard_link(e.path(), &target).is_err() {
                std::fs::copy(e.path(), &target).map_err(|err| Error::io(&target, err))?;
            }
        }
        Ok(())
    }

    /// After redoing `step`: the held names nothing refers to now leave the files folder again.
    pub(super) fn rehold(&self, step: i64) -> Result<()> {
        let (Some(held), Some(files)) = (self.held_for(step)?, self.files_dir()) else {
            return Ok(());
        };
        let keep = rows::stored_paths(self.store.conn())?;
        for e in std::fs::read_dir(&held).map_err(|e| Error::io(&held, e))?.flatten() {
            let name = e.file_name().to_string_lossy().into_owned();
            if !name.starts_with('.') && !keep.contains(&name) {
                let _ = std::fs::remove_file(files.join(&name));
            }
        }
        Ok(())
    }

    /// Delete the holding folders of steps the journal no longer keeps.
    pub(super) fn sweep_held(&self) -> Result<()> {
        let Some(root) = self.hold_root().filter(|r| r.is_dir()) else {
            return Ok(());
        };
        let steps = journal::steps(self.store.conn())?;
        for e in std::fs::read_dir(&root).map_err(|e| Error::io(&root, e))?.flatten() {
            let alive = e
                .file_name()
                .to_string_lossy()
                .parse::<i64>()
                .ok()
                .and_then(|id| steps.get(&id))
                .is_some_and(|(at, label)| {
                    std::fs::read_to_string(e.path().join(MARKER)).ok() == Some(marker_text(at, label))
                });
            if !alive {
                let _ = std::fs::remove_dir_all(e.path());
            }
        }
        Ok(())
    }
}
