//! Use cases on tags and access: tag and untag items, rename, merge and delete tags, remove
//! imported tag links, set the access status.

use super::shared::{in_id_order, keys_label};
use super::Library;
use crate::error::{Error, Result};
use crate::model::{Access, AccessStatus, Item, ItemId, ItemTag, TagSource};
use crate::store::{items, tags, TagCount};

impl Library {
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
}
