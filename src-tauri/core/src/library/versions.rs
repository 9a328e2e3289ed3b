//! Versions: which objects changed or went away since a library version the caller saw
//! (Zotero's `since=` and `/deleted`, and a sync's outbox). See [`crate::store::versions`].

use super::Library;
use crate::error::Result;
use crate::store::versions::{self, Kind, ObjectId, Versioned};
use std::collections::HashMap;

impl Library {
    /// The library's version: it grows by one with every action, undo and redo.
    pub fn version(&self) -> Result<i64> {
        versions::library_version(self.store.conn())
    }

    /// Objects of `kind` changed after version `since` and still in the library (an item in
    /// the trash is still in the library).
    pub fn changed_since(&self, kind: Kind, since: i64) -> Result<Vec<Versioned>> {
        versions::changed_since(self.store.conn(), kind, since)
    }

    /// Objects of `kind` removed for good after version `since`.
    pub fn deleted_since(&self, kind: Kind, since: i64) -> Result<Vec<Versioned>> {
        versions::deleted_since(self.store.conn(), kind, since)
    }

    /// One object's version.
    pub fn version_of(&self, kind: Kind, id: &ObjectId) -> Result<i64> {
        versions::version_of(self.store.conn(), kind, id)
    }

    /// The versions of these items or collections.
    pub fn versions_of(&self, kind: Kind, ids: &[i64]) -> Result<HashMap<i64, i64>> {
        versions::versions_of(self.store.conn(), kind, ids)
    }
}
