//! The migrations' back-fills: recompute a derived column (or the full-text index rows) of
//! the items already stored when a migration adds or changes it. Run from the migration hooks
//! in `store/mod.rs`, inside the migration's transaction.

use super::derive::{fts_row, fts_row_as_written, source_current, title_sort};
use super::items::{load, load_chunk, write_fts_row, LOAD_CHUNK};
use crate::error::{Error, Result};
use crate::model::Item;
use rusqlite::{params, Connection};

/// Fill every item's `source_current` (migration 5).
pub(crate) fn fill_source_current(conn: &Connection) -> Result<()> {
    recompute(conn, "source_format IS NOT NULL", "source_current", |item| {
        source_current(item).into()
    })
}

/// Set `column` of every item matching `filter` (an SQL condition) to `value` of the item, in
/// id order: what the migrations that add or change a derived column run.
fn recompute(
    conn: &Connection,
    filter: &str,
    column: &str,
    value: impl Fn(&Item) -> rusqlite::types::Value,
) -> Result<()> {
    let ids: Vec<i64> = conn
        .prepare(&format!("SELECT id FROM items WHERE {filter} ORDER BY id"))?
        .query_map([], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    let mut update = conn.prepare(&format!("UPDATE items SET {column} = ?2 WHERE id = ?1"))?;
    for id in ids {
        if let Some(item) = load(conn, id)? {
            update.execute(params![id, value(&item)])?;
        }
    }
    Ok(())
}

/// Migration 8: the `access` CHECK of the items table now reads as comparisons. Fails if the
/// edit did not take (a table definition Folio did not write), which leaves the library as it
/// was; else has SQLite read the edited schema (a new schema cookie).
pub(crate) fn check_access_rewritten(conn: &Connection) -> Result<()> {
    let sql: String = conn.query_row(
        "SELECT sql FROM sqlite_schema WHERE type = 'table' AND name = 'items'",
        [],
        |r| r.get(0),
    )?;
    if !sql.contains("CHECK (access = 'open' OR access = 'free' OR access = 'restricted' OR access = 'unknown')")
        || sql.contains("access IN (")
    {
        return Err(Error::Migration(format!(
            "the items table's access rule is not the one Folio wrote: {sql}"
        )));
    }
    let cookie: i64 = conn.query_row("PRAGMA schema_version", [], |r| r.get(0))?;
    conn.execute_batch(&format!("PRAGMA schema_version = {}", cookie + 1))?;
    Ok(())
}

/// Migration 9: titles sort by what a reader sees (`\bioname{Anchovy}` under A, not B), so the
/// sort key of every item whose title holds LaTeX markup is computed again.
pub(crate) fn refill_title_sort(conn: &Connection) -> Result<()> {
    recompute(
        conn,
        "title GLOB '*[\\${}]*' OR subtitle GLOB '*[\\${}]*'",
        "title_sort",
        |item| title_sort(item).into(),
    )
}

/// Migration 10: index again the live items whose index row named LaTeX commands (`bioname`
/// for every `\bioname{…}`), now that it leaves them out (see
/// [`crate::format::bibtex::display::search_text`]).
pub(crate) fn reindex_command_names(conn: &Connection) -> Result<()> {
    // Text columns that may hold a command; JSON escapes a backslash as two.
    let plain = [
        "title",
        "subtitle",
        "short_title",
        "container",
        "series",
        "note",
        "publisher",
        "place",
        "genre",
    ]
    .map(|c| format!("{c} GLOB '*\\[a-zA-Z]*'"))
    .join(" OR ");
    let json = ["creators_json", "abstract_json", "extra_json"]
        .map(|c| format!("{c} GLOB '*\\\\[a-zA-Z]*'"))
        .join(" OR ");
    // And tag names, which the keywords column holds.
    let tagged = "id IN (SELECT it.item_id FROM item_tags it JOIN tags t ON t.id = it.tag_id \
                  WHERE t.name GLOB '*\\[a-zA-Z]*')";
    let ids: Vec<i64> = conn
        .prepare(&format!(
            "SELECT id FROM items WHERE deleted_at IS NULL AND ({plain} OR {json} OR {tagged}) ORDER BY id"
        ))?
        .query_map([], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    let mut delete = conn.prepare("DELETE FROM items_fts WHERE rowid = ?1")?;
    for chunk in ids.chunks(LOAD_CHUNK) {
        for item in load_chunk(conn, chunk)? {
            let row = fts_row(&item);
            if row != fts_row_as_written(&item) {
                let id = item.id.unwrap_or_default();
                delete.execute([id])?;
                write_fts_row(conn, id, &row)?;
            }
        }
    }
    Ok(())
}

/// Migration 11: fill `source_checks` for the stored BibTeX records, reading them a chunk of
/// ids at a time.
pub(crate) fn fill_source_checks(conn: &Connection) -> Result<()> {
    let ids: Vec<i64> = conn
        .prepare("SELECT id FROM items WHERE source_format = 'bibtex' AND source_text IS NOT NULL ORDER BY id")?
        .query_map([], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    let mut read = conn.prepare(
        "SELECT id, source_text FROM items WHERE id BETWEEN ?1 AND ?2 AND source_format = 'bibtex' \
         AND source_text IS NOT NULL",
    )?;
    let mut update = conn.prepare("UPDATE items SET source_checks = ?2, source_macros = ?3 WHERE id = ?1")?;
    for chunk in ids.chunks(LOAD_CHUNK) {
        let rows: Vec<(i64, String)> = read
            .query_map(params![chunk[0], chunk[chunk.len() - 1]], |r| {
                Ok((r.get(0)?, r.get(1)?))
            })?
            .collect::<rusqlite::Result<_>>()?;
        for (id, text) in rows {
            let (checks, macros) = crate::format::bibtex::source_checks(&text);
            update.execute(params![id, checks, macros])?;
        }
    }
    Ok(())
}

/// Fill every item's stored fingerprint (migration 4, and repairs).
pub(crate) fn fill_dedupe_records(conn: &Connection) -> Result<()> {
    recompute(conn, "1", "dedupe", |item| {
        crate::dedupe::Fingerprint::of(item).to_record().into()
    })
}
