//! Saved searches ("smart collections"): a named query, optionally scoped to a collection.

use super::Writer;
use crate::error::Result;
use rusqlite::{params, Connection, OptionalExtension};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SavedSearch {
    pub name: String,
    pub query: String,
    pub collection_id: Option<i64>,
    pub recursive: bool,
    pub created_at: String,
}

fn from_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<SavedSearch> {
    Ok(SavedSearch {
        name: r.get(0)?,
        query: r.get(1)?,
        collection_id: r.get(2)?,
        recursive: r.get(3)?,
        created_at: r.get(4)?,
    })
}

pub fn get(conn: &Connection, name: &str) -> Result<Option<SavedSearch>> {
    Ok(conn
        .query_row(
            "SELECT name, query, collection_id, recursive, created_at FROM saved_searches WHERE name = ?1",
            [name],
            from_row,
        )
        .optional()?)
}

pub fn all(conn: &Connection) -> Result<Vec<SavedSearch>> {
    let mut st = conn.prepare(
        "SELECT name, query, collection_id, recursive, created_at FROM saved_searches ORDER BY name COLLATE NOCASE",
    )?;
    let rows = st.query_map([], from_row)?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// Create or replace (journaled).
pub fn put(w: &mut Writer<'_>, s: &SavedSearch) -> Result<()> {
    w.touch_saved(&s.name)?;
    restore(w, &s.name, Some(s))
}

pub fn delete(w: &mut Writer<'_>, name: &str) -> Result<()> {
    w.touch_saved(name)?;
    restore(w, name, None)
}

pub fn restore(w: &mut Writer<'_>, name: &str, state: Option<&SavedSearch>) -> Result<()> {
    w.conn().execute("DELETE FROM saved_searches WHERE name = ?1", [name])?;
    if let Some(s) = state {
        w.conn().execute(
            "INSERT INTO saved_searches (name, query, collection_id, recursive, created_at) VALUES (?1, ?2, ?3, ?4, ?5)",
            params![s.name, s.query, s.collection_id, s.recursive, s.created_at],
        )?;
    }
    Ok(())
}
