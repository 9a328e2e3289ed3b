//! Use cases on collections: create, rename, move, delete, file and unfile items, the tree.

use super::shared::label_for;
use super::{CollectionNode, Library};
use crate::budget;
use crate::error::{Error, Result};
use crate::store::{collections, CollectionId};
use std::collections::HashMap;

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

    /// Make the collection at `path` hold exactly the items a LaTeX `.aux` file cites (Better
    /// BibTeX's `collection.scanAUX`): the collection (and missing parents) is created when it
    /// does not exist, items it held that the paper does not cite are taken out, cited ones are
    /// added. One undoable action; the cited keys the library does not have are returned, not
    /// an error.
    pub fn collection_fill_from_aux(&mut self, path: &str, aux: &std::path::Path) -> Result<AuxFill> {
        collections::split_path(path)?;
        let (items, missing) = self.cited_items(aux)?;
        let cited: Vec<i64> = items.iter().filter_map(|it| it.id).collect();
        let name = aux
            .file_name()
            .map_or_else(|| aux.display().to_string(), |n| n.to_string_lossy().into_owned());
        let (added, removed) = self.store.write(&format!("Fill collection {path} from {name}"), |w| {
            let id = collections::ensure_path(w, path)?;
            let keep: rustc_hash::FxHashSet<i64> = cited.iter().copied().collect();
            let mut removed = 0;
            for old in collections::members(w.conn(), id)? {
                if !keep.contains(&old) {
                    removed += usize::from(collections::remove_item(w, id, old)?);
                }
            }
            let mut added = 0;
            for &i in &cited {
                added += usize::from(collections::add_item(w, id, i)?);
            }
            Ok((added, removed))
        })?;
        Ok(AuxFill {
            collection: path.to_string(),
            cited: cited.len(),
            added,
            removed,
            missing,
        })
    }

    /// The collection tree with direct item counts, in the store's order (position, name).
    ///
    /// Built without recursion, in time linear in the number of collections. The tree nests at
    /// most [`budget::MAX_COLLECTION_DEPTH`] levels (so whoever walks it — serialisation, the
    /// desktop's sidebar, dropping it — stays within its stack): a collection deeper than that
    /// (a library made before import kept to that depth) is listed among the children of its
    /// ancestor at that depth, in tree order, with its real `parent_id` and a path
    /// "Root/…/Name" (the full path of a collection that deep is as long as the tree is deep;
    /// such a path names no collection). Collections whose parents never reach the top (a
    /// cycle, which no action makes) are left out.
    pub fn collection_tree(&self) -> Result<Vec<CollectionNode>> {
        let rows = collections::all(self.store.conn())?;
        let counts = collections::counts(self.store.conn())?;
        Ok(tree_of(&rows, &counts))
    }
}

/// What [`Library::collection_fill_from_aux`] did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuxFill {
    pub collection: String,
    /// Items in the collection now (the cited ones the library has, with their parents).
    pub cited: usize,
    pub added: usize,
    pub removed: usize,
    /// Cited keys the library does not have.
    pub missing: Vec<String>,
}

/// Where a collection goes in the tree [`Library::collection_tree`] returns: its row, the row
/// of the node it is listed under (`None`: the top level) and its path.
struct Placed {
    row: usize,
    under: Option<usize>,
    path: String,
}

/// The rows in tree order (depth first, siblings in row order), each with the node it is listed
/// under: its parent, or past [`budget::MAX_COLLECTION_DEPTH`] its ancestor at that depth.
fn place(rows: &[collections::CollectionRow]) -> Vec<Placed> {
    let mut children: HashMap<Option<CollectionId>, Vec<usize>> = HashMap::new();
    for (i, r) in rows.iter().enumerate() {
        children.entry(r.parent_id).or_default().push(i);
    }
    // (row, depth (1 at the top), listed under, root row)
    let mut stack: Vec<(usize, usize, Option<usize>, usize)> = Vec::new();
    for &i in children.get(&None).into_iter().flatten().rev() {
        stack.push((i, 1, None, i));
    }
    let mut paths: Vec<Option<String>> = vec![None; rows.len()];
    let mut out = Vec::with_capacity(rows.len());
    let mut seen = vec![false; rows.len()];
    while let Some((i, depth, under, root)) = stack.pop() {
        if std::mem::replace(&mut seen[i], true) {
            continue;
        }
        let r = &rows[i];
        let path = if depth <= budget::MAX_COLLECTION_DEPTH {
            match under.and_then(|u| paths[u].as_deref()) {
                Some(p) => format!("{p}/{}", r.name),
                None => r.name.clone(),
            }
        } else {
            format!("{}/\u{2026}/{}", rows[root].name, r.name)
        };
        if depth < budget::MAX_COLLECTION_DEPTH {
            // Only collections that have children need their path again.
            paths[i] = Some(path.clone());
        }
        // Children are listed under this node, or (at the depth limit and below) under the
        // ancestor at the limit.
        let child_under = if depth <= budget::MAX_COLLECTION_DEPTH {
            Some(i)
        } else {
            under
        };
        for &c in children.get(&Some(r.id)).into_iter().flatten().rev() {
            stack.push((c, depth + 1, child_under, root));
        }
        out.push(Placed { row: i, under, path });
    }
    out
}

/// The nested tree of [`Library::collection_tree`], assembled bottom-up from [`place`]: every
/// node's children come after it in tree order, so going backwards each node's children are
/// complete when it is reached.
fn tree_of(rows: &[collections::CollectionRow], counts: &HashMap<CollectionId, i64>) -> Vec<CollectionNode> {
    let placed = place(rows);
    let mut pending: HashMap<Option<usize>, Vec<CollectionNode>> = HashMap::new();
    for p in placed.into_iter().rev() {
        let r = &rows[p.row];
        let mut children = pending.remove(&Some(p.row)).unwrap_or_default();
        children.reverse();
        let node = CollectionNode {
            id: r.id,
            name: r.name.clone(),
            path: p.path,
            parent_id: r.parent_id,
            items: counts.get(&r.id).copied().unwrap_or(0),
            children,
        };
        pending.entry(p.under).or_default().push(node);
    }
    let mut top = pending.remove(&None).unwrap_or_default();
    top.reverse();
    top
}
