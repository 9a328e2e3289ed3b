//! Undo, redo and the history of undo steps.

use super::Library;
use crate::error::Result;
use crate::store::HistoryEntry;

impl Library {
    pub fn undo(&mut self) -> Result<String> {
        self.store.undo()
    }

    pub fn redo(&mut self) -> Result<String> {
        self.store.redo()
    }

    pub fn history(&self, limit: usize) -> Result<Vec<HistoryEntry>> {
        self.store.history(limit)
    }
}
