//! Tag rows. Links to items live with the items (see items.rs).

use super::Writer;
use crate::error::Result;
use rusqlite::{params, Connection, OptionalExtension};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TagCount {
    pub id: i64,
    pub name: String,
    /// Live items carrying the tag.
    pub items: i64,
    /// Of those, how many links an import made (the rest the user added).
    pub imported: i64,
}

pub fn id_of(conn: &Connection, name: &str) -> Result<Option<i64>> {
    let mut st = conn.prepare_cached("SELECT id FROM tags WHERE name = ?1")?;
    Ok(st.query_row([name.trim()], |r| r.get(0)).optional()?)
}

pub fn name_of(conn: &Connection, id: i64) -> Result<Option<String>> {
    let mut st = conn.prepare_cached("SELECT name FROM tags WHERE id = ?1")?;
    Ok(st.query_row([id], |r| r.get(0)).optional()?)
}

/// The id of the tag called `name` (case-insensitive), created (and journaled) if needed.
pub fn ensure(w: &mut Writer<'_>, name: &str) -> Result<i64> {
    if let Some(&id) = w.tag_ids.get(name) {
        return Ok(id);
    }
    if let Some(id) = id_of(w.conn(), name)? {
        w.tag_ids.insert(name.to_string(), id);
        return Ok(id);
    }
    let id: i64 = w
        .conn()
        .prepare_cached("INSERT INTO tags (name) VALUES (?1) RETURNING id")?
        .query_row([name.trim()], |r| r.get(0))?;
    w.tag_ids.insert(name.to_string(), id);
    if w.journal && w.seen.insert(super::Touched::Tag(id)) {
        w.changes.push(super::Change::Tag { id, state: None });
    }
    Ok(id)
}

pub fn rename(w: &mut Writer<'_>, id: i64, new_name: &str) -> Result<()> {
    w.touch_tag(id)?;
    w.tag_ids.clear();
    w.conn()
        .execute("UPDATE tags SET name = ?2 WHERE id = ?1", params![id, new_name.trim()])?;
    Ok(())
}

pub fn delete(w: &mut Writer<'_>, id: i64) -> Result<()> {
    w.touch_tag(id)?;
    w.tag_ids.clear();
    w.conn().execute("DELETE FROM tags WHERE id = ?1", [id])?;
    Ok(())
}

/// Ids of live and trashed items carrying a tag.
pub fn items_with(conn: &Connection, tag_id: i64) -> Result<Vec<i64>> {
    let mut st = conn.prepare_cached("SELECT item_id FROM item_tags WHERE tag_id = ?1 ORDER BY item_id")?;
    let rows = st.query_map([tag_id], |r| r.get(0))?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// Items (live or in the trash) with at least one tag link an import made, by id.
pub fn items_with_imported(conn: &Connection) -> Result<Vec<i64>> {
    let mut st = conn.prepare("SELECT DISTINCT item_id FROM item_tags WHERE source = 'import' ORDER BY 1")?;
    let rows = st.query_map([], |r| r.get(0))?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// Tags used by live items, with counts, by name.
pub fn list(conn: &Connection) -> Result<Vec<TagCount>> {
    let mut st = conn.prepare(
        "SELECT t.id, t.name, count(*), sum(it.source = 'import') FROM tags t \
         JOIN item_tags it ON it.tag_id = t.id JOIN items i ON i.id = it.item_id AND i.deleted_at IS NULL \
         GROUP BY t.id ORDER BY t.name COLLATE NOCASE",
    )?;
    let rows = st.query_map([], |r| {
        Ok(TagCount {
            id: r.get(0)?,
            name: r.get(1)?,
            items: r.get(2)?,
            imported: r.get(3)?,
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// Undo/redo: the tag row back to `name`, or gone.
pub fn restore(w: &mut Writer<'_>, id: i64, name: Option<&str>) -> Result<()> {
    w.tag_ids.clear();
    match name {
        Some(n) => {
            w.conn().execute(
                "INSERT INTO tags (id, name) VALUES (?1, ?2) ON CONFLICT(id) DO UPDATE SET name = excluded.name",
                params![id, n],
            )?;
        }
        None => {
            w.conn().execute("DELETE FROM tags WHERE id = ?1", [id])?;
        }
    }
    Ok(())
}
