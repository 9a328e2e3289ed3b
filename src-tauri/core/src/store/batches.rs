//! The `import_batches` table: a record of each imported file (when, what, its content
//! hash, how many items it added, a summary of its report).

use super::Writer;
use crate::error::Result;
use crate::text::now_rfc3339;
use rusqlite::params;

/// One imported file, as recorded.
pub struct Batch<'a> {
    pub path: &'a str,
    pub format: &'a str,
    /// FNV-1a of the file's text, stored as 16 hex digits.
    pub content_hash: u64,
    pub added: usize,
    /// A JSON summary of the file's report.
    pub report_json: String,
}

/// Start recording an imported file, inside the import's transaction: its row, whose id the
/// file's items keep as their source's batch; [`finish`] fills in the rest.
pub fn begin(w: &Writer<'_>, path: &str, format: &str) -> Result<i64> {
    w.conn().execute(
        "INSERT INTO import_batches (at, path, format, content_hash, added, report_json) VALUES (?1, ?2, ?3, '', 0, '{}')",
        params![now_rfc3339(), path, format],
    )?;
    Ok(w.conn().last_insert_rowid())
}

/// Record what an imported file gave, on the row [`begin`] made.
pub fn finish(w: &Writer<'_>, id: i64, b: &Batch<'_>) -> Result<()> {
    w.conn().execute(
        "UPDATE import_batches SET path = ?2, format = ?3, content_hash = ?4, added = ?5, report_json = ?6 WHERE id = ?1",
        params![
            id,
            b.path,
            b.format,
            format!("{:016x}", b.content_hash),
            b.added as i64,
            b.report_json,
        ],
    )?;
    Ok(())
}
