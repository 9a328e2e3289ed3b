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

/// Record an imported file, inside the import's transaction.
pub fn record(w: &Writer<'_>, b: &Batch<'_>) -> Result<()> {
    w.conn().execute(
        "INSERT INTO import_batches (at, path, format, content_hash, added, report_json) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        params![
            now_rfc3339(),
            b.path,
            b.format,
            format!("{:016x}", b.content_hash),
            b.added as i64,
            b.report_json,
        ],
    )?;
    Ok(())
}
