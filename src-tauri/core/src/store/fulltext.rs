//! The full text of attachments (table `fulltext`, migration 17): one row per page, row id =
//! attachment id × 65,536 + page index, so an attachment's pages are one range of row ids.
//! Derived data, rebuilt from the files: written outside the undo journal.

use crate::error::Result;
use rusqlite::{params, Connection};

/// Pages kept per attachment (row ids leave 16 bits for the page).
pub const MAX_PAGES: usize = 1 << 16;

fn range(attachment: i64) -> (i64, i64) {
    let lo = attachment << 16;
    (lo, lo + (MAX_PAGES as i64 - 1))
}

/// Replace an attachment's pages (at most [`MAX_PAGES`]; empty pages are left out).
pub fn replace(conn: &Connection, attachment: i64, pages: &[String]) -> Result<()> {
    remove(conn, attachment)?;
    let (lo, _) = range(attachment);
    let mut st = conn.prepare_cached("INSERT INTO fulltext (rowid, text) VALUES (?1, ?2)")?;
    for (i, p) in pages.iter().take(MAX_PAGES).enumerate() {
        if !p.trim().is_empty() {
            st.execute(params![lo + i as i64, crate::text::searchable_page(p)])?;
        }
    }
    Ok(())
}

/// Remove an attachment's pages.
pub fn remove(conn: &Connection, attachment: i64) -> Result<()> {
    let (lo, hi) = range(attachment);
    conn.prepare_cached("DELETE FROM fulltext WHERE rowid BETWEEN ?1 AND ?2")?
        .execute([lo, hi])?;
    Ok(())
}

/// Whether an attachment has pages in the index.
pub fn has_pages(conn: &Connection, attachment: i64) -> Result<bool> {
    let (lo, hi) = range(attachment);
    Ok(conn
        .prepare_cached("SELECT 1 FROM fulltext WHERE rowid BETWEEN ?1 AND ?2 LIMIT 1")?
        .exists([lo, hi])?)
}

/// Remove the pages of attachments that no longer exist (after the trash was emptied);
/// how many pages.
pub fn remove_orphans(conn: &Connection) -> Result<usize> {
    Ok(conn.execute(
        "DELETE FROM fulltext WHERE (rowid >> 16) NOT IN (SELECT id FROM attachments)",
        [],
    )?)
}

/// The SQL (one bound parameter, an FTS5 expression, numbered `p`) of the ids of the items
/// with an attachment whose text matches.
pub fn items_matching_sql(p: &str) -> String {
    format!(
        "items.id IN (SELECT a.item_id FROM attachments a WHERE a.id IN \
         (SELECT rowid >> 16 FROM fulltext WHERE fulltext MATCH {p}))"
    )
}

/// A page that matched: the attachment, the page (0-based) and a snippet with the matched
/// words between `[` and `]`.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct PageHit {
    pub attachment: i64,
    pub page: u32,
    pub snippet: String,
}

/// The pages of item `item`'s attachments that match `expr` (attachment order, then page
/// order), at most `limit`.
pub fn hits(conn: &Connection, item: i64, expr: &str, limit: usize) -> Result<Vec<PageHit>> {
    let mut st = conn.prepare_cached(
        "SELECT f.rowid, snippet(fulltext, 0, '[', ']', '…', 16) FROM fulltext f \
         WHERE fulltext MATCH ?1 AND (f.rowid >> 16) IN (SELECT id FROM attachments WHERE item_id = ?2) \
         ORDER BY f.rowid LIMIT ?3",
    )?;
    let rows = st.query_map(params![expr, item, limit as i64], |r| {
        let rowid: i64 = r.get(0)?;
        Ok(PageHit {
            attachment: rowid >> 16,
            page: (rowid & 0xffff) as u32,
            snippet: r.get(1)?,
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// An attachment's indexed pages in order: (page index, text).
pub fn pages_of(conn: &Connection, attachment: i64) -> Result<Vec<(u32, String)>> {
    let (lo, hi) = range(attachment);
    let mut st =
        conn.prepare_cached("SELECT rowid, text FROM fulltext WHERE rowid BETWEEN ?1 AND ?2 ORDER BY rowid")?;
    let rows = st.query_map([lo, hi], |r| {
        Ok(((r.get::<_, i64>(0)? & 0xffff) as u32, r.get::<_, String>(1)?))
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// Pages indexed and bytes of text in the index.
pub fn totals(conn: &Connection) -> Result<(i64, i64)> {
    Ok(conn.query_row(
        "SELECT count(*), coalesce(sum(length(CAST(text AS BLOB))), 0) FROM fulltext",
        [],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )?)
}
