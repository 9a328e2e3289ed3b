//! Use cases: what a user can do with a library. The CLI and the desktop app call these; each
//! mutating call is one transaction and one undo step.

use crate::citekey;
use crate::error::{Error, Result};
use crate::model::{Access, AccessStatus, Item, ItemId, ItemTag, TagSource};
use crate::store::search::{self, Filter, Sort};
use crate::store::{collections, items, meta, tags, CollectionId, HistoryEntry, ItemSummary, Store, TagCount};
use std::collections::HashSet;
use std::path::{Path, PathBuf};

/// The meta key holding the citation-key pattern.
pub const KEY_PATTERN: &str = "citekey.pattern";

pub struct Library {
    pub(crate) store: Store,
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
        })
    }

    pub fn open_in_memory() -> Result<Library> {
        Ok(Library {
            store: Store::open_in_memory()?,
        })
    }

    pub fn store(&self) -> &Store {
        &self.store
    }

    // ----- items -------------------------------------------------------------------------

    /// The id of the item with `key` (live or in the trash).
    pub fn id_of(&self, key: &str) -> Result<ItemId> {
        items::id_by_key(self.store.conn(), key)?.ok_or_else(|| Error::NotFound(format!("no item with key {key:?}")))
    }

    fn ids_of(&self, keys: &[String]) -> Result<Vec<ItemId>> {
        if keys.is_empty() {
            return Err(Error::InvalidInput("no citation keys given".into()));
        }
        let mut missing = Vec::new();
        let mut ids = Vec::new();
        let mut seen = rustc_hash::FxHashSet::default();
        for k in keys {
            match items::id_by_key(self.store.conn(), k)? {
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
        items::load(self.store.conn(), id)?.ok_or_else(|| Error::NotFound(format!("no item with id {id}")))
    }

    pub fn is_in_trash(&self, id: ItemId) -> Result<bool> {
        items::is_deleted(self.store.conn(), id)
    }

    /// Collection paths an item is filed in.
    pub fn collections_of(&self, id: ItemId) -> Result<Vec<String>> {
        items::collections_of(self.store.conn(), id)?
            .into_iter()
            .map(|c| collections::path_of(self.store.conn(), c))
            .collect()
    }

    pub fn key_pattern(&self) -> Result<String> {
        Ok(meta::get(self.store.conn(), KEY_PATTERN)?.unwrap_or_else(|| citekey::DEFAULT_PATTERN.to_string()))
    }

    pub fn set_key_pattern(&mut self, pattern: &str) -> Result<()> {
        citekey::validate_pattern(pattern).map_err(Error::InvalidInput)?;
        self.store
            .write(&format!("Set citation-key pattern to {pattern}"), |w| {
                meta::set(w, KEY_PATTERN, Some(pattern))
            })
    }

    /// A unique key for `item` from the library's pattern, avoiding `taken` as well.
    pub(crate) fn new_key(&self, item: &Item, pattern: &str, taken: &HashSet<String>) -> Result<String> {
        let base = citekey::generate(item, pattern).map_err(Error::InvalidInput)?;
        let conn = self.store.conn();
        Ok(citekey::make_unique(&base, |k| {
            taken.contains(k) || items::id_by_key(conn, k).ok().flatten().is_some()
        }))
    }

    /// Add one item; generates its key when empty. Returns the stored item.
    pub fn add(&mut self, mut item: Item) -> Result<Item> {
        if item.key.is_empty() {
            item.key = self.new_key(&item, &self.key_pattern()?, &HashSet::new())?;
        } else if let Some(p) =
            citekey::key_problem(&item.key).filter(|_| item.key.chars().any(|c| !citekey::is_key_char(c)))
        {
            return Err(Error::InvalidInput(p));
        }
        let label = format!("Add {}", item.key);
        let id = self.store.write(&label, |w| items::insert(w, &mut item))?;
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
        self.store.write(&label, |w| {
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
            Ok(())
        })?;
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

    /// Remove trashed items for good (still one undoable step).
    pub fn empty_trash(&mut self) -> Result<usize> {
        let ids = search::ids(
            &self.store,
            &Filter {
                trash: true,
                ..Default::default()
            },
            Sort::default(),
        )?;
        if ids.is_empty() {
            return Ok(0);
        }
        self.store.write(&format!("Empty trash ({} items)", ids.len()), |w| {
            for id in &ids {
                items::hard_delete(w, *id)?;
            }
            Ok(ids.len())
        })
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
        items::load_many(self.store.conn(), &self.ids(filter, sort)?)
    }

    pub fn access_counts(&self) -> Result<Vec<(AccessStatus, i64)>> {
        search::access_counts(self.store.conn())
    }

    // ----- collections -------------------------------------------------------------------

    pub fn resolve_collection(&self, path: &str) -> Result<CollectionId> {
        collections::resolve(self.store.conn(), path)
    }

    pub fn collection_path(&self, id: CollectionId) -> Result<String> {
        collections::path_of(self.store.conn(), id)
    }

    /// Create a collection at `path` ("Thesis/Chapter 2"), with any missing parents.
    pub fn collection_create(&mut self, path: &str) -> Result<CollectionId> {
        collections::split_path(path)?;
        if collections::resolve(self.store.conn(), path).is_ok() {
            return Err(Error::Conflict(format!("collection {path:?} already exists")));
        }
        self.store.write(&format!("Create collection {path}"), |w| {
            collections::ensure_path(w, path)
        })
    }

    pub fn collection_rename(&mut self, path: &str, new_name: &str) -> Result<()> {
        let id = self.resolve_collection(path)?;
        self.store
            .write(&format!("Rename collection {path} to {new_name}"), |w| {
                collections::rename(w, id, new_name)
            })
    }

    /// Move a collection under `new_parent` (a path), or to the top level with `None`.
    pub fn collection_move(&mut self, path: &str, new_parent: Option<&str>) -> Result<()> {
        let id = self.resolve_collection(path)?;
        let parent = new_parent.map(|p| self.resolve_collection(p)).transpose()?;
        let to = new_parent.unwrap_or("the top level");
        self.store.write(&format!("Move collection {path} to {to}"), |w| {
            collections::move_to(w, id, parent)
        })
    }

    /// Delete a collection and its subcollections; items stay in the library.
    pub fn collection_delete(&mut self, path: &str) -> Result<()> {
        let id = self.resolve_collection(path)?;
        self.store
            .write(&format!("Delete collection {path}"), |w| collections::delete(w, id))
    }

    pub fn collection_add(&mut self, path: &str, keys: &[String]) -> Result<usize> {
        let id = self.resolve_collection(path)?;
        let ids = self.ids_of(keys)?;
        self.store.write(&format!("{} to {path}", label_for("Add", keys)), |w| {
            let mut n = 0;
            for i in &ids {
                n += usize::from(collections::add_item(w, id, *i)?);
            }
            Ok(n)
        })
    }

    pub fn collection_remove(&mut self, path: &str, keys: &[String]) -> Result<usize> {
        let id = self.resolve_collection(path)?;
        let ids = self.ids_of(keys)?;
        self.store
            .write(&format!("{} from {path}", label_for("Remove", keys)), |w| {
                let mut n = 0;
                for i in &ids {
                    n += usize::from(collections::remove_item(w, id, *i)?);
                }
                Ok(n)
            })
    }

    /// The collection tree with direct item counts.
    pub fn collection_tree(&self) -> Result<Vec<CollectionNode>> {
        let rows = collections::all(self.store.conn())?;
        let counts = collections::counts(self.store.conn())?;
        fn build(
            parent: Option<CollectionId>,
            prefix: &str,
            rows: &[collections::CollectionRow],
            counts: &std::collections::HashMap<CollectionId, i64>,
        ) -> Vec<CollectionNode> {
            rows.iter()
                .filter(|r| r.parent_id == parent)
                .map(|r| {
                    let path = if prefix.is_empty() {
                        r.name.clone()
                    } else {
                        format!("{prefix}/{}", r.name)
                    };
                    CollectionNode {
                        id: r.id,
                        name: r.name.clone(),
                        children: build(Some(r.id), &path, rows, counts),
                        path,
                        parent_id: r.parent_id,
                        items: counts.get(&r.id).copied().unwrap_or(0),
                    }
                })
                .collect()
        }
        Ok(build(None, "", &rows, &counts))
    }

    // ----- tags and access ---------------------------------------------------------------

    fn change_items(&mut self, label: &str, ids: &[ItemId], f: impl FnMut(&mut Item) -> bool) -> Result<usize> {
        self.change_items_with(label, ids, items::update, f)
    }

    /// [`Self::change_items`] for a change of the items' tags only (`f` must not change
    /// anything else): journaled and written as tags (see [`items::update_tags_from`]). The
    /// items are read a few hundred per statement; the journal keeps the tags read with them.
    fn change_tags(&mut self, label: &str, ids: &[ItemId], mut f: impl FnMut(&mut Item) -> bool) -> Result<usize> {
        let ids = in_id_order(ids.to_vec());
        self.store.write(label, |w| {
            w.expect_reindex(ids.len())?;
            let mut n = 0;
            for chunk in ids.chunks(items::LOAD_CHUNK) {
                let loaded = items::load_chunk(w.conn(), chunk)?;
                if loaded.len() != chunk.len() {
                    let missing = chunk.iter().find(|id| !loaded.iter().any(|i| i.id == Some(**id)));
                    return Err(Error::NotFound(format!(
                        "no item {}",
                        missing.copied().unwrap_or_default()
                    )));
                }
                for mut item in loaded {
                    let before = item.tags.clone();
                    let modified = item.date_modified.clone();
                    if f(&mut item) {
                        items::update_tags_from(w, &mut item, &before, &modified)?;
                        n += 1;
                    }
                }
            }
            Ok(n)
        })
    }

    fn change_items_with(
        &mut self,
        label: &str,
        ids: &[ItemId],
        save: fn(&mut crate::store::Writer<'_>, &mut Item) -> Result<()>,
        mut f: impl FnMut(&mut Item) -> bool,
    ) -> Result<usize> {
        let ids = in_id_order(ids.to_vec());
        self.store.write(label, |w| {
            w.expect_reindex(ids.len())?;
            let mut n = 0;
            for id in &ids {
                let mut item = items::load(w.conn(), *id)?.ok_or_else(|| Error::NotFound(format!("no item {id}")))?;
                if f(&mut item) {
                    save(w, &mut item)?;
                    n += 1;
                }
            }
            Ok(n)
        })
    }

    /// Tag items (as the user's own tag). Returns how many items gained it.
    pub fn tag_add(&mut self, tag: &str, keys: &[String]) -> Result<usize> {
        let tag = tag.trim();
        if tag.is_empty() {
            return Err(Error::InvalidInput("a tag name cannot be empty".into()));
        }
        let ids = self.ids_of(keys)?;
        // Reuse the existing spelling of a tag that differs only in case.
        let name = match tags::id_of(self.store.conn(), tag)? {
            Some(id) => tags::name_of(self.store.conn(), id)?.unwrap_or_else(|| tag.to_string()),
            None => tag.to_string(),
        };
        self.change_tags(&format!("Tag {} with {name}", keys_label(keys)), &ids, |it| {
            it.add_tag(ItemTag::manual(&name))
        })
    }

    pub fn tag_remove(&mut self, tag: &str, keys: &[String]) -> Result<usize> {
        let ids = self.ids_of(keys)?;
        let lower = tag.trim().to_lowercase();
        self.change_tags(&format!("Remove tag {tag} from {}", keys_label(keys)), &ids, |it| {
            let before = it.tags.len();
            it.tags.retain(|t| t.name.to_lowercase() != lower);
            it.tags.len() != before
        })
    }

    /// Remove the links an import made (optionally only for one tag), keeping the user's own.
    pub fn tag_remove_imported(&mut self, tag: Option<&str>) -> Result<usize> {
        let ids: Vec<ItemId> = match tag {
            Some(t) => {
                let id = tags::id_of(self.store.conn(), t)?.ok_or_else(|| Error::NotFound(format!("no tag {t:?}")))?;
                tags::items_with(self.store.conn(), id)?
            }
            None => tags::items_with_imported(self.store.conn())?,
        };
        let lower = tag.map(|t| t.trim().to_lowercase());
        let label = match tag {
            Some(t) => format!("Remove imported tag {t}"),
            None => "Remove all imported tags".to_string(),
        };
        self.change_tags(&label, &ids, |it| {
            let before = it.tags.len();
            it.tags.retain(|t| {
                !(t.source == TagSource::Import && lower.as_ref().is_none_or(|l| t.name.to_lowercase() == *l))
            });
            it.tags.len() != before
        })
    }

    /// Rename a tag everywhere. Renaming onto another existing tag merges them.
    pub fn tag_rename(&mut self, old: &str, new: &str) -> Result<usize> {
        let new = new.trim();
        if new.is_empty() {
            return Err(Error::InvalidInput("a tag name cannot be empty".into()));
        }
        let id = tags::id_of(self.store.conn(), old)?.ok_or_else(|| Error::NotFound(format!("no tag {old:?}")))?;
        match tags::id_of(self.store.conn(), new)? {
            Some(other) if other != id => self.tag_merge(&[old.to_string()], new),
            _ => {
                // The items' index rows, exports and modification times follow the new name.
                let ids = tags::items_with(self.store.conn(), id)?;
                let was = tags::name_of(self.store.conn(), id)?.unwrap_or_else(|| old.to_string());
                self.store.write(&format!("Rename tag {old} to {new}"), |w| {
                    w.expect_reindex(ids.len())?;
                    tags::rename(w, id, new)?;
                    for chunk in ids.chunks(items::LOAD_CHUNK) {
                        for mut item in items::load_chunk(w.conn(), chunk)? {
                            items::tag_renamed(w, &mut item, &was, new)?;
                        }
                    }
                    Ok(ids.len())
                })
            }
        }
    }

    /// Merge tags into `into` (created if needed); the merged tags disappear.
    pub fn tag_merge(&mut self, from: &[String], into: &str) -> Result<usize> {
        let into = into.trim();
        let mut from_ids = Vec::new();
        for f in from {
            let id = tags::id_of(self.store.conn(), f)?.ok_or_else(|| Error::NotFound(format!("no tag {f:?}")))?;
            if Some(id) != tags::id_of(self.store.conn(), into)? {
                from_ids.push(id);
            }
        }
        let into_name = match tags::id_of(self.store.conn(), into)? {
            Some(id) => tags::name_of(self.store.conn(), id)?.unwrap_or_else(|| into.to_string()),
            None => into.to_string(),
        };
        let mut ids: Vec<ItemId> = Vec::new();
        for t in &from_ids {
            ids.extend(tags::items_with(self.store.conn(), *t)?);
        }
        ids.sort_unstable();
        ids.dedup();
        let from_lower: Vec<String> = from.iter().map(|f| f.trim().to_lowercase()).collect();
        let label = format!("Merge tags {} into {into_name}", from.join(", "));
        self.store.write(&label, |w| {
            w.expect_reindex(ids.len())?;
            let mut n = 0;
            for id in &ids {
                let mut item = items::load(w.conn(), *id)?.ok_or_else(|| Error::NotFound(format!("no item {id}")))?;
                let mut source = None;
                item.tags.retain(|t| {
                    let hit = from_lower.contains(&t.name.to_lowercase());
                    if hit {
                        // A user link wins over an imported one.
                        source = Some(source.map_or(t.source, |s: TagSource| s.min(t.source)));
                    }
                    !hit
                });
                if let Some(s) = source {
                    if !item.has_tag(&into_name) {
                        item.tags.push(ItemTag {
                            name: into_name.clone(),
                            source: s,
                        });
                    }
                    items::update_tags(w, &mut item)?;
                    n += 1;
                }
            }
            for t in &from_ids {
                tags::delete(w, *t)?;
            }
            Ok(n)
        })
    }

    /// Remove a tag from every item and delete it.
    pub fn tag_delete(&mut self, tag: &str) -> Result<usize> {
        let id = tags::id_of(self.store.conn(), tag)?.ok_or_else(|| Error::NotFound(format!("no tag {tag:?}")))?;
        let ids = tags::items_with(self.store.conn(), id)?;
        let lower = tag.trim().to_lowercase();
        self.store.write(&format!("Delete tag {tag}"), |w| {
            w.expect_reindex(ids.len())?;
            let mut n = 0;
            for iid in &ids {
                let mut item = items::load(w.conn(), *iid)?.ok_or_else(|| Error::NotFound(format!("no item {iid}")))?;
                item.tags.retain(|t| t.name.to_lowercase() != lower);
                items::update_tags(w, &mut item)?;
                n += 1;
            }
            tags::delete(w, id)?;
            Ok(n)
        })
    }

    pub fn tag_list(&self) -> Result<Vec<TagCount>> {
        tags::list(self.store.conn())
    }

    /// Set the access status of items (source "user").
    pub fn access_set(&mut self, status: AccessStatus, keys: &[String]) -> Result<usize> {
        let ids = self.ids_of(keys)?;
        self.change_items(&format!("Set access of {} to {status}", keys_label(keys)), &ids, |it| {
            if it.access.status == status && it.access.source == "user" {
                return false;
            }
            it.access = Access::new(status, "user");
            true
        })
    }

    // ----- citation keys -----------------------------------------------------------------

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
        for it in &items_now {
            let base = citekey::generate(it, &pattern).map_err(Error::InvalidInput)?;
            let new = if base == it.key && !taken.contains(&base) {
                base
            } else {
                citekey::make_unique(&base, |k| taken.contains(k))
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
        self.store.write(label, |w| {
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
            }
            let relinks = relinked_items(w.conn(), plan, &before)?;
            let mut relinked = Vec::with_capacity(relinks.len());
            for mut item in relinks {
                items::update(w, &mut item)?;
                relinked.push(item.key);
            }
            Ok(relinked)
        })
    }

    /// Repair the keys among `keys` that LaTeX tools reject ([`citekey::key_problem`]: `'`,
    /// spaces, braces, non-ASCII…) or that differ from an earlier key only in case (BibTeX
    /// takes them for one): the offending characters are dropped or transliterated
    /// ([`citekey::repaired`]: `D'Ambrosio2007174` → `DAmbrosio2007174`), made unique with
    /// the `a`, `b`, … suffixes, and links of other entries to them follow. Explicit and
    /// undoable (one step); keys without a problem are left alone. `dry_run` only plans.
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
        for old in &bad {
            let item = self.get(old)?;
            let mut base = citekey::repaired(old);
            if base.is_empty() {
                base = citekey::generate(&item, &pattern).map_err(Error::InvalidInput)?;
            }
            let new = citekey::make_unique(&base, |k| taken.contains(&k.to_lowercase()));
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
            return Ok(KeyFix { renamed, relinked });
        }
        self.check_key_changes(&bad, force)?;
        let relinked = self.rename_keys(&format!("Fix citation keys of {}", keys_label(&bad)), &plan)?;
        Ok(KeyFix { renamed, relinked })
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

    // ----- saved searches ----------------------------------------------------------------

    /// Save (or replace) a named search, optionally scoped to a collection.
    pub fn search_save(&mut self, name: &str, query: &str, collection: Option<&str>, recursive: bool) -> Result<()> {
        let name = name.trim();
        if name.is_empty() {
            return Err(Error::InvalidInput("a saved search needs a name".into()));
        }
        crate::query::parse(query).map_err(|e| Error::InvalidInput(format!("invalid search {query:?}: {e}")))?;
        let collection_id = collection.map(|c| self.resolve_collection(c)).transpose()?;
        let s = crate::store::SavedSearch {
            name: name.to_string(),
            query: query.to_string(),
            collection_id,
            recursive,
            created_at: crate::text::now_rfc3339(),
        };
        self.store
            .write(&format!("Save search {name}"), |w| crate::store::saved::put(w, &s))
    }

    pub fn search_delete(&mut self, name: &str) -> Result<()> {
        if crate::store::saved::get(self.store.conn(), name)?.is_none() {
            return Err(Error::NotFound(format!("no saved search {name:?}")));
        }
        self.store.write(&format!("Delete saved search {name}"), |w| {
            crate::store::saved::delete(w, name)
        })
    }

    pub fn saved_searches(&self) -> Result<Vec<crate::store::SavedSearch>> {
        crate::store::saved::all(self.store.conn())
    }

    /// The filter a saved search stands for.
    pub fn saved_filter(&self, name: &str) -> Result<Filter> {
        let s = crate::store::saved::get(self.store.conn(), name)?
            .ok_or_else(|| Error::NotFound(format!("no saved search {name:?}")))?;
        let query =
            crate::query::parse(&s.query).map_err(|e| Error::InvalidInput(format!("saved search {name}: {e}")))?;
        Ok(Filter {
            collection: s.collection_id,
            recursive: s.recursive,
            query,
            ..Default::default()
        })
    }

    // ----- undo --------------------------------------------------------------------------

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

/// What [`Library::fix_keys`] changed (or would change).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct KeyFix {
    /// (old key, new key), in the order of the old keys.
    pub renamed: Vec<(String, String)>,
    /// Keys of other entries whose `crossref`/`xdata`/… links were changed to the new keys.
    pub relinked: Vec<String>,
}

/// The items (live or in the trash) with links to keys `plan` renames, with those links
/// changed; `keys` are the library's keys before the renaming (they resolve granular
/// `xdata=key-field` references). Read through `conn` as it is (inside the renaming
/// transaction, the renamed items already carry their new keys).
fn relinked_items(
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
fn in_id_order(mut ids: Vec<ItemId>) -> Vec<ItemId> {
    ids.sort_unstable();
    ids.dedup();
    ids
}

fn keys_label(keys: &[String]) -> String {
    match keys.len() {
        0 => "no items".into(),
        1 => keys[0].clone(),
        2 | 3 => keys.join(", "),
        n => format!("{n} items"),
    }
}

fn label_for(verb: &str, keys: &[String]) -> String {
    format!("{verb} {}", keys_label(keys))
}
