//! What the library keeps about its exports besides their registrations (which are `meta`
//! values): each auto-export's last run (`auto_export_status`) and the rendered entries of
//! unchanged items (`export_cache`, derived data). Neither is journaled: they are status and
//! caches, not user data.

use crate::error::Result;
use rusqlite::{params, Connection};

/// An auto-export's last run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RunStatus {
    pub last_run_at: String,
    pub items: i64,
    pub last_error: Option<String>,
}

/// The last run of the auto-export to `path`, if it ran (or the status cannot be read).
pub fn status(conn: &Connection, path: &str) -> Option<RunStatus> {
    conn.query_row(
        "SELECT last_run_at, items, last_error FROM auto_export_status WHERE path = ?1",
        [path],
        |r| {
            Ok(RunStatus {
                last_run_at: r.get(0)?,
                items: r.get(1)?,
                last_error: r.get(2)?,
            })
        },
    )
    .ok()
}

/// Record a run of the auto-export to `path`.
pub fn set_status(conn: &Connection, path: &str, at: &str, items: usize, error: Option<&str>) -> Result<()> {
    conn.execute(
        "INSERT INTO auto_export_status (path, last_run_at, items, last_error) VALUES (?1, ?2, ?3, ?4) \
         ON CONFLICT(path) DO UPDATE SET last_run_at = excluded.last_run_at, items = excluded.items, \
         last_error = excluded.last_error",
        params![path, at, items as i64, error],
    )?;
    Ok(())
}

/// Cache rendered entries: `(item id, the item's date_modified, text)` for `variant` (an
/// export's format and options; see `search::cached_renderings`, which reads them back).
pub fn cache_renderings<'a>(
    conn: &Connection,
    variant: &str,
    entries: impl IntoIterator<Item = (i64, &'a str, &'a str)>,
) -> Result<()> {
    let mut st = conn.prepare_cached(
        "INSERT INTO export_cache (item_id, variant, modified, text) VALUES (?1, ?2, ?3, ?4) \
         ON CONFLICT(item_id, variant) DO UPDATE SET modified = excluded.modified, text = excluded.text",
    )?;
    for (id, modified, text) in entries {
        st.execute(params![id, variant, modified, text])?;
    }
    Ok(())
}
