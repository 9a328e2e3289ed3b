//! Library-wide key/value settings and blocks (citation-key pattern, BibTeX extras).

use super::Writer;
use crate::error::{Error, Result};
use rusqlite::{params, Connection, OptionalExtension};
use serde::{de::DeserializeOwned, Serialize};

pub fn get(conn: &Connection, key: &str) -> Result<Option<String>> {
    Ok(conn
        .query_row("SELECT value FROM meta WHERE key = ?1", [key], |r| r.get(0))
        .optional()?)
}

/// A value stored as JSON (`None` when unset); a value that does not parse is "damaged".
pub fn get_json<T: DeserializeOwned>(conn: &Connection, key: &str) -> Result<Option<T>> {
    get(conn, key)?
        .map(|json| serde_json::from_str(&json).map_err(|e| Error::Format(format!("damaged {key}: {e}"))))
        .transpose()
}

/// [`set`] a value as JSON (journaled).
pub fn set_json<T: Serialize>(w: &mut Writer<'_>, key: &str, value: &T) -> Result<()> {
    let json = serde_json::to_string(value).map_err(|e| Error::Format(e.to_string()))?;
    set(w, key, Some(&json))
}

/// Set (journaled) or remove (`None`) a value.
pub fn set(w: &mut Writer<'_>, key: &str, value: Option<&str>) -> Result<()> {
    w.touch_meta(key)?;
    restore(w, key, value)
}

pub fn restore(w: &mut Writer<'_>, key: &str, value: Option<&str>) -> Result<()> {
    match value {
        Some(v) => w.conn().execute(
            "INSERT INTO meta (key, value) VALUES (?1, ?2) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
            params![key, v],
        )?,
        None => w.conn().execute("DELETE FROM meta WHERE key = ?1", [key])?,
    };
    Ok(())
}

/// All values whose key starts with `prefix`, by key.
pub fn with_prefix(conn: &Connection, prefix: &str) -> Result<Vec<(String, String)>> {
    let mut st = conn.prepare("SELECT key, value FROM meta WHERE substr(key, 1, length(?1)) = ?1 ORDER BY key")?;
    let rows = st.query_map([prefix], |r| Ok((r.get(0)?, r.get(1)?)))?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}
