//! Use cases: what a user can do with a library. The CLI and the desktop app call these; each
//! mutating call is one transaction and one undo step.
//!
//! This file holds the [`Library`] type, opening it, and the lookups every area uses (items
//! by key or id, lists and counts by filter, the key pattern, the BibTeX extras) with the
//! types the use cases return. One file per area adds its methods to [`Library`]: `items`
//! (add, edit, trash), `collections`, `tags` (tags and access), `keys` (citation keys),
//! `saved` (saved searches), `undo`, `protected` (keys a paper depends on), `import`,
//! `export`, `auto_export` (and `.aux` files), `duplicates`. Helpers used by several areas
//! are in `shared`; no area reaches into another's file, and no file's methods call back
//! into a file that calls them.

mod attachments;
mod collections;
mod filelinks;
pub(crate) mod files;
pub mod fulltext;
mod held;
mod items;
mod keys;
pub mod pdf_import;
mod protected;
mod relink;
mod renames;
pub mod replica;
mod saved;
mod shared;
mod tags;
mod undo;
mod versions;

pub mod auto_export;
pub mod duplicates;
pub mod export;
pub mod import;
pub use attachments::{
    open_attachment, read_attachment, stored_stem, stored_stem_with, AttachMode, AttachedFile, BASE_FOLDER,
    DEFAULT_NAME_PATTERN, NAME_PATTERN,
};
pub use collections::AuxFill;
pub use relink::{Ambiguous, RelinkReport, Relinked, WalkLimits};

use crate::citekey;
use crate::error::{Error, Result};
use crate::format::BibExtras;
use crate::model::{AccessStatus, Item, ItemId};
use crate::store::search::{self, Filter, Sort};
use crate::store::{collections as collection_rows, items as item_rows, meta, CollectionId, ItemSummary, Store};
use std::path::{Path, PathBuf};

/// The meta key holding the citation-key pattern.
pub const KEY_PATTERN: &str = "citekey.pattern";

/// The meta key under which BibTeX `@string`/`@preamble`/`@comment` blocks are kept.
pub const BIB_EXTRAS: &str = "bibtex.extras";

pub struct Library {
    pub(crate) store: Store,
    /// The program PDFs are read in (`None`: `$FOLIO_PDF_WORKER`, else this program).
    pub(crate) pdf_worker: Option<crate::pdf::Worker>,
}

/// A collection with its subcollections, for trees.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CollectionNode {
    pub id: CollectionId,
    pub name: String,
    pub path: String,
    pub parent_id: Option<CollectionId>,
    /// Live items directly in this collection.
    pub items: i64,
    pub children: Vec<CollectionNode>,
}

/// What [`Library::fix_keys`] changed (or would change).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct KeyFix {
    /// (old key, new key), in the order of the old keys.
    pub renamed: Vec<(String, String)>,
    /// Keys of other entries whose `crossref`/`xdata`/… links were changed to the new keys.
    pub relinked: Vec<String>,
    /// (old key, characters): renamed keys whose new key left out characters that have no
    /// ASCII spelling (emoji, unassigned code points; [`citekey::dropped_chars`]), for the
    /// report. Punctuation and accents, which keys never keep, are not listed.
    ///
    /// [`citekey::dropped_chars`]: crate::citekey::dropped_chars
    pub dropped: Vec<(String, Vec<char>)>,
}

/// The OS data folder's library: `~/.local/share/folio/library.sqlite` on Linux,
/// `~/Library/Application Support/org.folio.Folio/library.sqlite` on macOS,
/// `%APPDATA%\folio\Folio\data\library.sqlite` on Windows.
pub fn default_library_path() -> PathBuf {
    match directories::ProjectDirs::from("org", "folio", "Folio") {
        Some(d) if cfg!(target_os = "linux") => {
            // XDG: ~/.local/share/folio rather than ~/.local/share/Folio
            d.data_dir()
                .parent()
                .map(|p| p.join("folio"))
                .unwrap_or_else(|| d.data_dir().to_path_buf())
        }
        Some(d) => d.data_dir().to_path_buf(),
        None => PathBuf::from("."),
    }
    .join("library.sqlite")
}

impl Library {
    pub fn open(path: &Path) -> Result<Library> {
        Ok(Library {
            store: Store::open(path)?,
            pdf_worker: None,
        })
    }

    /// Open an existing library read-only: reading and exporting to other files work, every
    /// change fails with [`Error::ReadOnly`]. ([`Library::open`] opens a library this process
    /// cannot write read-only by itself.)
    pub fn open_read_only(path: &Path) -> Result<Library> {
        Ok(Library {
            store: Store::open_read_only(path)?,
            pdf_worker: None,
        })
    }

    /// How the library was opened: whether this open created it (a mistyped path makes a new,
    /// empty library: front ends say so), whether it can only be read and why.
    pub fn opened(&self) -> &crate::store::Opened {
        self.store.opened()
    }

    /// Whether the library can only be read, and why (see [`Library::opened`]).
    pub fn read_only(&self) -> Option<&str> {
        self.store.read_only()
    }

    /// SQLite's `PRAGMA quick_check` of the library: "ok", or the problems found. A library
    /// that fails it refuses every change ([`Error::Damaged`]).
    pub fn quick_check(&self) -> Result<String> {
        self.store.quick_check()
    }

    pub fn open_in_memory() -> Result<Library> {
        Ok(Library {
            store: Store::open_in_memory()?,
            pdf_worker: None,
        })
    }

    pub fn store(&self) -> &Store {
        &self.store
    }

    /// The id of the item with `key` (live or in the trash).
    pub fn id_of(&self, key: &str) -> Result<ItemId> {
        item_rows::id_by_key(self.store.conn(), key)?
            .ok_or_else(|| Error::NotFound(format!("no item with key {key:?}")))
    }

    fn ids_of(&self, keys: &[String]) -> Result<Vec<ItemId>> {
        if keys.is_empty() {
            return Err(Error::InvalidInput("no citation keys given".into()));
        }
        let mut missing = Vec::new();
        let mut ids = Vec::new();
        let mut seen = rustc_hash::FxHashSet::default();
        for k in keys {
            match item_rows::id_by_key(self.store.conn(), k)? {
                Some(id) => {
                    if seen.insert(id) {
                        ids.push(id)
                    }
                }
                None => missing.push(k.as_str()),
            }
        }
        if !missing.is_empty() {
            return Err(Error::NotFound(format!("no item with key {}", missing.join(", "))));
        }
        Ok(ids)
    }

    pub fn get(&self, key: &str) -> Result<Item> {
        self.get_by_id(self.id_of(key)?)
    }

    pub fn get_by_id(&self, id: ItemId) -> Result<Item> {
        item_rows::load(self.store.conn(), id)?.ok_or_else(|| Error::NotFound(format!("no item with id {id}")))
    }

    pub fn is_in_trash(&self, id: ItemId) -> Result<bool> {
        item_rows::is_deleted(self.store.conn(), id)
    }

    /// The ids of the collections item `id` is directly in.
    pub fn collection_ids_of(&self, id: ItemId) -> Result<Vec<CollectionId>> {
        item_rows::collections_of(self.store.conn(), id)
    }

    /// Collection paths an item is filed in.
    pub fn collections_of(&self, id: ItemId) -> Result<Vec<String>> {
        item_rows::collections_of(self.store.conn(), id)?
            .into_iter()
            .map(|c| collection_rows::path_of(self.store.conn(), c))
            .collect()
    }

    pub fn key_pattern(&self) -> Result<String> {
        Ok(meta::get(self.store.conn(), KEY_PATTERN)?.unwrap_or_else(|| citekey::DEFAULT_PATTERN.to_string()))
    }

    pub fn bib_extras(&self) -> Result<BibExtras> {
        Ok(meta::get_json(self.store.conn(), BIB_EXTRAS)?.unwrap_or_default())
    }

    pub fn list(&self, filter: &Filter, sort: Sort, offset: usize, limit: usize) -> Result<Vec<ItemSummary>> {
        search::list(&self.store, filter, sort, offset, limit)
    }

    pub fn count(&self, filter: &Filter) -> Result<i64> {
        search::count(&self.store, filter)
    }

    pub fn ids(&self, filter: &Filter, sort: Sort) -> Result<Vec<ItemId>> {
        search::ids(&self.store, filter, sort)
    }

    /// Whole items matching a filter, in order.
    pub fn items(&self, filter: &Filter, sort: Sort) -> Result<Vec<Item>> {
        item_rows::load_many(self.store.conn(), &self.ids(filter, sort)?)
    }

    pub fn access_counts(&self) -> Result<Vec<(AccessStatus, i64)>> {
        search::access_counts(self.store.conn())
    }
}
