//! Use cases on collections: create, rename, move, delete, file and unfile items, the tree.

use super::shared::label_for;
use super::{CollectionNode, Library};
use crate::error::{Error, Result};
use crate::store::{collections, CollectionId};

impl Library {
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
}
