//! Use cases that change items: add, edit, trash and restore, empty the trash.

use super::shared::{in_id_order, label_for, relinked_items};
use super::Library;
use crate::citekey;
use crate::error::{Error, Result};
use crate::model::Item;
use crate::store::search::{self, Filter, Sort};
use crate::store::{collections, items};
use std::collections::HashSet;

impl Library {
    /// A unique key for `item` from the library's pattern, avoiding `taken` as well.
    pub(crate) fn new_key(&self, item: &Item, pattern: &str, taken: &HashSet<String>) -> Result<String> {
        let base = citekey::generate(item, pattern).map_err(Error::InvalidInput)?;
        let conn = self.store.conn();
        // Free ignoring case: BibTeX and biber compare keys without case.
        Ok(citekey::make_unique(&base, |k| {
            taken.contains(k) || items::key_in_use_nocase(conn, k).unwrap_or(true)
        }))
    }

    /// Add one item; generates its key when empty. Returns the stored item.
    pub fn add(&mut self, item: Item) -> Result<Item> {
        self.add_in(item, None)
    }

    /// Add an item filed in `collection` (a path that must exist) when given, in one
    /// transaction: one undo step removes both.
    pub fn add_in(&mut self, mut item: Item, collection: Option<&str>) -> Result<Item> {
        let collection = collection.map(|c| self.resolve_collection(c)).transpose()?;
        if item.key.is_empty() {
            item.key = self.new_key(&item, &self.key_pattern()?, &HashSet::new())?;
        } else if let Some(p) =
            citekey::key_problem(&item.key).filter(|_| item.key.chars().any(|c| !citekey::is_key_char(c)))
        {
            return Err(Error::InvalidInput(p));
        }
        let label = format!("Add {}", item.key);
        let id = self.store.write(&label, |w| {
            let id = items::insert(w, &mut item)?;
            if let Some(c) = collection {
                collections::add_item(w, c, id)?;
            }
            Ok(id)
        })?;
        self.get_by_id(id)
    }

    /// Set fields by name (`title=…`, `year=…`, `journal=…`, extra fields). One undo step.
    /// Changing a protected citation key (cited by a registered `.aux`, or in an auto-export)
    /// needs `force`.
    pub fn edit(&mut self, key: &str, changes: &[(String, String)], force: bool) -> Result<Item> {
        let mut item = self.get(key)?;
        for (f, v) in changes {
            item.set(f, v).map_err(|e| Error::InvalidInput(format!("{key}: {e}")))?;
        }
        self.update_with(item, force)
    }

    /// Save a whole edited item (the app's item pane). One undo step. A protected key change
    /// is refused (see [`Library::update_with`]).
    pub fn update(&mut self, item: Item) -> Result<Item> {
        self.update_with(item, false)
    }

    /// Save a whole edited item; `force` confirms changing a protected citation key.
    pub fn update_with(&mut self, mut item: Item, force: bool) -> Result<Item> {
        if item.key.is_empty() {
            return Err(Error::InvalidInput("the citation key cannot be empty".into()));
        }
        if let Some(bad) = item.key.chars().find(|c| !citekey::is_key_char(*c)) {
            return Err(Error::InvalidInput(format!(
                "citation key {:?} contains {bad:?}",
                item.key
            )));
        }
        let id = item.id.ok_or_else(|| Error::InvalidInput("item has no id".into()))?;
        let before = self.get_by_id(id)?;
        if before == item {
            return Ok(before);
        }
        if before.key != item.key {
            self.check_key_changes(std::slice::from_ref(&before.key), force)?;
        }
        let label = format!("Edit {}", item.key);
        let renamed = before.key != item.key;
        // Stored files follow the item's name (new names made on disk first, recorded below).
        let files = self.renames_for_edit(&before, &item)?;
        let written = self.store.write(&label, |w| {
            let keys = if renamed {
                items::all_keys(w.conn())?
            } else {
                HashSet::new()
            };
            items::update(w, &mut item)?;
            if renamed {
                // Links of other entries follow the new key.
                for mut other in relinked_items(w.conn(), &[(before.clone(), item.key.clone())], &keys)? {
                    items::update(w, &mut other)?;
                }
            }
            files.record(w)
        });
        if written.is_err() {
            files.discard();
        }
        written?;
        self.get_by_id(id)
    }

    /// Move items to the trash. Returns how many were moved.
    pub fn delete(&mut self, keys: &[String]) -> Result<usize> {
        let ids = in_id_order(self.ids_of(keys)?);
        let now = crate::text::now_rfc3339();
        let label = label_for("Delete", keys);
        self.store.write(&label, |w| {
            w.expect_reindex(ids.len())?;
            let mut n = 0;
            for id in &ids {
                if !items::is_deleted(w.conn(), *id)? {
                    items::set_deleted(w, *id, Some(&now))?;
                    n += 1;
                }
            }
            Ok(n)
        })
    }

    /// Bring items back from the trash.
    pub fn restore(&mut self, keys: &[String]) -> Result<usize> {
        let ids = in_id_order(self.ids_of(keys)?);
        let label = label_for("Restore", keys);
        self.store.write(&label, |w| {
            w.expect_reindex(ids.len())?;
            let mut n = 0;
            for id in &ids {
                if items::is_deleted(w.conn(), *id)? {
                    items::set_deleted(w, *id, None)?;
                    n += 1;
                }
            }
            Ok(n)
        })
    }

    /// Remove trashed items for good (still one undoable step), and the stored files nothing
    /// refers to any more.
    pub fn empty_trash(&mut self) -> Result<usize> {
        let ids = search::ids(
            &self.store,
            &Filter {
                trash: true,
                ..Default::default()
            },
            Sort::default(),
        )?;
        let n = if ids.is_empty() {
            0
        } else {
            self.store.write(&format!("Empty trash ({} items)", ids.len()), |w| {
                for id in &ids {
                    items::hard_delete(w, *id)?;
                }
                Ok(ids.len())
            })?
        };
        // Their stored files, and detached ones, leave the files folder; they are kept aside
        // while the step an undo would undo next can be undone (this one; with no item in the
        // trash, the last action: undo is linear, so undoing a detach undoes it first and
        // brings the copy back; see `held.rs`). The full text of attachments that are gone
        // goes (an undone step's is extracted again).
        self.sweep_held()?;
        match crate::store::journal::last_done(self.store.conn())? {
            Some(step) => self.hold_unreferenced_files(step)?,
            None => self.delete_unreferenced_files()?,
        };
        self.store
            .write_status(|c| crate::store::fulltext::remove_orphans(c).map(|_| ()))?;
        Ok(n)
    }
}
