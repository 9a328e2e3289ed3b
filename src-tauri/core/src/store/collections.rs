//! Nested collections and their memberships.

use super::Writer;
use crate::error::{Error, Result};
use rusqlite::{params, Connection, OptionalExtension};
use serde::{Deserialize, Serialize};

pub type CollectionId = i64;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CollectionRow {
    pub id: CollectionId,
    pub name: String,
    pub parent_id: Option<CollectionId>,
    pub position: i64,
}

pub fn row(conn: &Connection, id: CollectionId) -> Result<Option<CollectionRow>> {
    let mut st = conn.prepare_cached("SELECT id, name, parent_id, position FROM collections WHERE id = ?1")?;
    Ok(st
        .query_row([id], |r| {
            Ok(CollectionRow {
                id: r.get(0)?,
                name: r.get(1)?,
                parent_id: r.get(2)?,
                position: r.get(3)?,
            })
        })
        .optional()?)
}

pub fn all(conn: &Connection) -> Result<Vec<CollectionRow>> {
    let mut st = conn.prepare_cached(
        "SELECT id, name, parent_id, position FROM collections ORDER BY position, name COLLATE NOCASE, id",
    )?;
    let rows = st.query_map([], |r| {
        Ok(CollectionRow {
            id: r.get(0)?,
            name: r.get(1)?,
            parent_id: r.get(2)?,
            position: r.get(3)?,
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

pub fn child(conn: &Connection, parent: Option<CollectionId>, name: &str) -> Result<Option<CollectionId>> {
    let mut st = conn.prepare_cached(
        "SELECT id FROM collections WHERE coalesce(parent_id, 0) = coalesce(?1, 0) AND name = ?2 COLLATE NOCASE",
    )?;
    Ok(st.query_row(params![parent, name], |r| r.get(0)).optional()?)
}

/// Split "Thesis/Chapter 2" into its names (empty segments are an error).
pub fn split_path(path: &str) -> Result<Vec<String>> {
    let parts: Vec<String> = path.split('/').map(|p| p.trim().to_string()).collect();
    if parts.iter().any(String::is_empty) {
        return Err(Error::InvalidInput(format!(
            "invalid collection path {path:?}: empty name between slashes"
        )));
    }
    Ok(parts)
}

/// The id of the collection at `path`.
pub fn resolve(conn: &Connection, path: &str) -> Result<CollectionId> {
    let mut parent = None;
    for name in split_path(path)? {
        parent = Some(
            child(conn, parent, &name)?
                .ok_or_else(|| Error::NotFound(format!("no collection {path:?} (at {name:?})")))?,
        );
    }
    parent.ok_or_else(|| Error::InvalidInput("empty collection path".into()))
}

/// "Parent/Child" path of a collection, at any depth (one query; no recursion and no depth
/// limit). A parent chain that comes back to a collection it passed (a cycle, which no action
/// makes) is an error.
pub fn path_of(conn: &Connection, id: CollectionId) -> Result<String> {
    // A chain longer than the number of collections has passed one of them twice.
    let mut st = conn.prepare_cached(
        "WITH RECURSIVE up(id, name, parent_id, n) AS ( \
           SELECT id, name, parent_id, 0 FROM collections WHERE id = ?1 \
           UNION ALL SELECT c.id, c.name, c.parent_id, up.n + 1 FROM collections c JOIN up ON c.id = up.parent_id \
           WHERE up.n <= (SELECT count(*) FROM collections)) \
         SELECT name, n FROM up ORDER BY n DESC",
    )?;
    let total: i64 = conn.query_row("SELECT count(*) FROM collections", [], |r| r.get(0))?;
    let rows = st.query_map([id], |r| Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)?)))?;
    let mut names = Vec::new();
    for row in rows {
        let (name, n) = row?;
        if n >= total {
            return Err(Error::Conflict(format!(
                "collection tree has a cycle (through collection id {id})"
            )));
        }
        names.push(name);
    }
    if names.is_empty() {
        return Err(Error::NotFound(format!("no collection with id {id}")));
    }
    Ok(names.join("/"))
}

/// The collection and all collections below it.
pub fn with_descendants(conn: &Connection, id: CollectionId) -> Result<Vec<CollectionId>> {
    let mut st = conn.prepare_cached(
        "WITH RECURSIVE sub(id) AS (SELECT ?1 UNION SELECT c.id FROM collections c JOIN sub ON c.parent_id = sub.id) \
         SELECT id FROM sub",
    )?;
    let rows = st.query_map([id], |r| r.get(0))?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

pub fn create(w: &mut Writer<'_>, parent: Option<CollectionId>, name: &str) -> Result<CollectionId> {
    validate_name(name)?;
    if child(w.conn(), parent, name)?.is_some() {
        return Err(Error::Conflict(format!(
            "a collection named {name:?} already exists there"
        )));
    }
    let position = next_position(w.conn(), parent)?;
    insert(w, parent, name, position)
}

/// The position after the last child of `parent`.
fn next_position(conn: &Connection, parent: Option<CollectionId>) -> Result<i64> {
    Ok(conn.query_row(
        "SELECT coalesce(max(position) + 1, 0) FROM collections WHERE coalesce(parent_id, 0) = coalesce(?1, 0)",
        [parent],
        |r| r.get(0),
    )?)
}

/// Insert a collection (journaled); the caller checked its name and that it is new there.
fn insert(w: &mut Writer<'_>, parent: Option<CollectionId>, name: &str, position: i64) -> Result<CollectionId> {
    let id: CollectionId = w.conn().query_row(
        "INSERT INTO collections (name, parent_id, position) VALUES (?1, ?2, ?3) RETURNING id",
        params![name.trim(), parent, position],
        |r| r.get(0),
    )?;
    if w.journal && w.seen.insert(super::Touched::Collection(id)) {
        w.changes.push(super::Change::Collection { id, state: None });
    }
    Ok(id)
}

pub fn validate_name(name: &str) -> Result<()> {
    if name.trim().is_empty() {
        return Err(Error::InvalidInput("a collection name cannot be empty".into()));
    }
    if name.contains('/') {
        return Err(Error::InvalidInput(format!(
            "a collection name cannot contain '/': {name:?}"
        )));
    }
    Ok(())
}

pub fn rename(w: &mut Writer<'_>, id: CollectionId, name: &str) -> Result<()> {
    validate_name(name)?;
    let r = row(w.conn(), id)?.ok_or_else(|| Error::NotFound(format!("no collection with id {id}")))?;
    if let Some(other) = child(w.conn(), r.parent_id, name)? {
        if other != id {
            return Err(Error::Conflict(format!(
                "a collection named {name:?} already exists there"
            )));
        }
    }
    w.touch_collection(id)?;
    w.conn().execute(
        "UPDATE collections SET name = ?2 WHERE id = ?1",
        params![id, name.trim()],
    )?;
    Ok(())
}

/// Move under `new_parent` (or to the top level). Refuses to move a collection into itself.
pub fn move_to(w: &mut Writer<'_>, id: CollectionId, new_parent: Option<CollectionId>) -> Result<()> {
    let r = row(w.conn(), id)?.ok_or_else(|| Error::NotFound(format!("no collection with id {id}")))?;
    if let Some(p) = new_parent {
        if with_descendants(w.conn(), id)?.contains(&p) {
            return Err(Error::InvalidInput(
                "cannot move a collection into itself or one of its subcollections".into(),
            ));
        }
    }
    if let Some(other) = child(w.conn(), new_parent, &r.name)? {
        if other != id {
            return Err(Error::Conflict(format!(
                "a collection named {:?} already exists there",
                r.name
            )));
        }
    }
    w.touch_collection(id)?;
    w.conn().execute(
        "UPDATE collections SET parent_id = ?2 WHERE id = ?1",
        params![id, new_parent],
    )?;
    Ok(())
}

/// Delete a collection and its subcollections. Items are never deleted; their memberships
/// are journaled so undo puts everything back.
pub fn delete(w: &mut Writer<'_>, id: CollectionId) -> Result<()> {
    let ids = with_descendants(w.conn(), id)?;
    for c in &ids {
        for item in members(w.conn(), *c)? {
            w.touch_item(item)?;
        }
    }
    // Deepest first, so no row is left pointing at a deleted parent.
    for c in ids.iter().rev() {
        w.touch_collection(*c)?;
        w.conn().execute("DELETE FROM collections WHERE id = ?1", [c])?;
    }
    Ok(())
}

pub fn members(conn: &Connection, id: CollectionId) -> Result<Vec<i64>> {
    let mut st =
        conn.prepare_cached("SELECT item_id FROM collection_items WHERE collection_id = ?1 ORDER BY item_id")?;
    let rows = st.query_map([id], |r| r.get(0))?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// Add an item (journaled); returns false when it was already there.
pub fn add_item(w: &mut Writer<'_>, id: CollectionId, item: i64) -> Result<bool> {
    w.touch_item(item)?;
    let n = w
        .conn()
        .prepare_cached("INSERT OR IGNORE INTO collection_items (collection_id, item_id) VALUES (?1, ?2)")?
        .execute(params![id, item])?;
    Ok(n > 0)
}

pub fn remove_item(w: &mut Writer<'_>, id: CollectionId, item: i64) -> Result<bool> {
    w.touch_item(item)?;
    let n = w
        .conn()
        .prepare_cached("DELETE FROM collection_items WHERE collection_id = ?1 AND item_id = ?2")?
        .execute(params![id, item])?;
    Ok(n > 0)
}

/// Live items directly in each collection.
pub fn counts(conn: &Connection) -> Result<std::collections::HashMap<CollectionId, i64>> {
    let mut st = conn.prepare(
        "SELECT ci.collection_id, count(*) FROM collection_items ci JOIN items i ON i.id = ci.item_id \
         WHERE i.deleted_at IS NULL GROUP BY ci.collection_id",
    )?;
    let rows = st.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// Undo/redo: the row back to `state`, or gone (memberships are restored with the items).
pub fn restore(w: &mut Writer<'_>, id: CollectionId, state: Option<&CollectionRow>) -> Result<()> {
    match state {
        Some(r) => {
            w.conn().execute(
                "INSERT INTO collections (id, name, parent_id, position) VALUES (?1, ?2, ?3, ?4) \
                 ON CONFLICT(id) DO UPDATE SET name = excluded.name, parent_id = excluded.parent_id, \
                 position = excluded.position",
                params![id, r.name, r.parent_id, r.position],
            )?;
        }
        None => {
            w.conn().execute("DELETE FROM collections WHERE id = ?1", [id])?;
        }
    }
    Ok(())
}

/// The collection at `path` ("A/B/C"), created (with its parents) when missing.
pub fn ensure_path(w: &mut Writer<'_>, path: &str) -> Result<i64> {
    let mut parent = None;
    for name in split_path(path)? {
        parent = Some(match child(w.conn(), parent, &name)? {
            Some(id) => id,
            None => create(w, parent, &name)?,
        });
    }
    parent.ok_or_else(|| Error::InvalidInput(format!("{path:?} is not a collection path")))
}

/// What [`ensure_path_cached`] remembers across the paths of an import: every collection
/// found or made, by its normalised path, and the next free position under each parent.
#[derive(Debug, Default)]
pub struct PathCache {
    ids: std::collections::HashMap<String, CollectionId>,
    next_position: std::collections::HashMap<Option<CollectionId>, i64>,
}

/// [`ensure_path`] for many paths (an import's collections): a path whose parent is known
/// costs one lookup instead of one per level, and a new collection's position is counted
/// instead of looked up (30,000 groups attached under one parent would otherwise take
/// millions of queries and a scan of all siblings per new one).
pub fn ensure_path_cached(w: &mut Writer<'_>, path: &str, cache: &mut PathCache) -> Result<CollectionId> {
    let names = split_path(path)?;
    let key = names.join("/");
    if let Some(id) = cache.ids.get(&key) {
        return Ok(*id);
    }
    // The deepest known ancestor (ends of names are the slashes in `key`).
    let ends: Vec<usize> = key.match_indices('/').map(|(i, _)| i).collect();
    let (mut parent, mut from) = (None, 0);
    for (k, &end) in ends.iter().enumerate().rev() {
        if let Some(id) = cache.ids.get(&key[..end]) {
            (parent, from) = (Some(*id), k + 1);
            break;
        }
    }
    for (k, name) in names.iter().enumerate().skip(from) {
        let id = match child(w.conn(), parent, name)? {
            Some(id) => id,
            None => {
                validate_name(name)?;
                let position = match cache.next_position.get(&parent) {
                    Some(p) => *p,
                    None => next_position(w.conn(), parent)?,
                };
                cache.next_position.insert(parent, position + 1);
                insert(w, parent, name, position)?
            }
        };
        let end = ends.get(k).copied().unwrap_or(key.len());
        cache.ids.insert(key[..end].to_string(), id);
        parent = Some(id);
    }
    parent.ok_or_else(|| Error::InvalidInput(format!("{path:?} is not a collection path")))
}
