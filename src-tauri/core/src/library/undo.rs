//! Undo, redo and the history of undo steps. A damaged step (its stored changes cannot be
//! read) is passed over with a warning: the history lists the others, and undo undoes the
//! newest step that can be read (the damaged one stays in effect).

use super::Library;
use crate::error::Result;
use crate::store::{History, HistoryEntry, Stepped};

impl Library {
    pub fn undo(&mut self) -> Result<String> {
        Ok(self.undo_step()?.label)
    }

    pub fn redo(&mut self) -> Result<String> {
        Ok(self.redo_step()?.label)
    }

    /// [`Library::undo`], with the damaged steps it passed over (for a warning).
    /// Undoing an emptied trash brings back the stored copies it removed.
    pub fn undo_step(&mut self) -> Result<Stepped> {
        let stepped = self.store.undo_step()?;
        // The step is undone; a file that cannot be put back is reported missing.
        let _ = self.unhold(stepped.id).and_then(|()| self.sweep_held());
        Ok(stepped)
    }

    /// [`Library::redo`], with the damaged steps it passed over (for a warning).
    pub fn redo_step(&mut self) -> Result<Stepped> {
        let stepped = self.store.redo_step()?;
        let _ = self.rehold(stepped.id).and_then(|()| self.sweep_held());
        Ok(stepped)
    }

    pub fn history(&self, limit: usize) -> Result<Vec<HistoryEntry>> {
        self.store.history(limit)
    }

    /// [`Library::history`] with the damaged steps among the newest `limit` (for a warning).
    pub fn history_report(&self, limit: usize) -> Result<History> {
        self.store.history_report(limit)
    }
}
