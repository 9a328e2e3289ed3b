//! Attachment rows. An attachment belongs to its item: changing one journals the item (its
//! snapshot holds its attachments), so undo and versions follow.

use super::Writer;
use crate::error::Result;
use crate::model::{Attachment, AttachmentKind, FulltextState};
use rusqlite::{params, Connection, Row};

const COLUMNS: &str = "id, kind, path, title, mime, bytes, sha256, pages, fulltext, fulltext_error, added";

fn from_row(r: &Row<'_>) -> rusqlite::Result<Attachment> {
    let kind: String = r.get(1)?;
    let fulltext: String = r.get(8)?;
    Ok(Attachment {
        id: Some(r.get(0)?),
        kind: AttachmentKind::parse(&kind).unwrap_or_default(),
        path: r.get(2)?,
        title: r.get(3)?,
        mime: r.get(4)?,
        bytes: r.get::<_, i64>(5)?.max(0) as u64,
        sha256: r.get(6)?,
        pages: r.get::<_, Option<i64>>(7)?.map(|p| p.clamp(0, u32::MAX as i64) as u32),
        fulltext: FulltextState::parse(&fulltext).unwrap_or_default(),
        fulltext_error: r.get(9)?,
        added: r.get(10)?,
    })
}

/// An item's attachments in their order.
pub fn of_item(conn: &Connection, item: i64) -> Result<Vec<Attachment>> {
    let mut st = conn.prepare_cached(&format!(
        "SELECT {COLUMNS} FROM attachments WHERE item_id = ?1 ORDER BY position, id"
    ))?;
    let rows = st.query_map([item], from_row)?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// One attachment and its item.
pub fn get(conn: &Connection, id: i64) -> Result<Option<(i64, Attachment)>> {
    let mut st = conn.prepare_cached(&format!("SELECT {COLUMNS}, item_id FROM attachments WHERE id = ?1"))?;
    let mut rows = st.query_map([id], |r| Ok((r.get::<_, i64>(11)?, from_row(r)?)))?;
    Ok(rows.next().transpose()?)
}

fn write(conn: &Connection, item: i64, position: i64, a: &Attachment) -> Result<i64> {
    conn.prepare_cached(
        "INSERT INTO attachments (id, item_id, position, kind, path, title, mime, bytes, sha256, pages, fulltext, \
         fulltext_error, added) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)",
    )?
    .execute(params![
        a.id,
        item,
        position,
        a.kind.as_str(),
        a.path,
        a.title,
        a.mime,
        a.bytes.min(i64::MAX as u64) as i64,
        a.sha256,
        a.pages,
        a.fulltext.as_str(),
        a.fulltext_error,
        a.added
    ])?;
    Ok(conn.last_insert_rowid())
}

/// Attach `a` to item `item` after its others (journaled); its new id.
pub fn add(w: &mut Writer<'_>, item: i64, a: &Attachment) -> Result<i64> {
    w.touch_item(item)?;
    let next: i64 = w.conn().query_row(
        "SELECT coalesce(max(position), -1) + 1 FROM attachments WHERE item_id = ?1",
        [item],
        |r| r.get(0),
    )?;
    let fresh = Attachment { id: None, ..a.clone() };
    let id = write(w.conn(), item, next, &fresh)?;
    // The id of a detached attachment can come again: its old pages must not.
    super::fulltext::remove(w.conn(), id)?;
    Ok(id)
}

/// Remove attachment `id` (journaled through its item). The file is not touched.
pub fn remove(w: &mut Writer<'_>, item: i64, id: i64) -> Result<bool> {
    w.touch_item(item)?;
    Ok(w.conn()
        .prepare_cached("DELETE FROM attachments WHERE id = ?1 AND item_id = ?2")?
        .execute([id, item])?
        > 0)
}

/// Give a stored attachment another file name (journaled through its item).
pub fn set_path(w: &mut Writer<'_>, item: i64, id: i64, path: &str) -> Result<()> {
    w.touch_item(item)?;
    w.conn()
        .prepare_cached("UPDATE attachments SET path = ?3 WHERE id = ?1 AND item_id = ?2")?
        .execute(params![id, item, path])?;
    Ok(())
}

/// Point an attachment at another file (a missing file located): its recorded path and what
/// the file is (journaled through its item). A file with other content is indexed again.
pub fn relink(w: &mut Writer<'_>, item: i64, id: i64, path: &str, bytes: u64, sha256: &str, mime: &str) -> Result<()> {
    w.touch_item(item)?;
    w.conn()
        .prepare_cached(
            "UPDATE attachments SET path = ?3, bytes = ?4, mime = ?6, \
             fulltext = CASE WHEN sha256 = ?5 THEN fulltext ELSE 'pending' END, \
             fulltext_error = CASE WHEN sha256 = ?5 THEN fulltext_error ELSE NULL END, \
             sha256 = ?5 WHERE id = ?1 AND item_id = ?2",
        )?
        .execute(params![id, item, path, bytes.min(i64::MAX as u64) as i64, sha256, mime])?;
    Ok(())
}

/// Put an item's attachments back exactly (undo/redo): ids, order and state.
pub(super) fn restore(conn: &Connection, item: i64, list: &[Attachment]) -> Result<()> {
    conn.prepare_cached("DELETE FROM attachments WHERE item_id = ?1")?
        .execute([item])?;
    for (i, a) in list.iter().enumerate() {
        write(conn, item, i as i64, a)?;
    }
    Ok(())
}

/// Record what full-text extraction found (not a user action: not journaled).
pub fn set_fulltext(
    conn: &Connection,
    id: i64,
    state: FulltextState,
    pages: Option<u32>,
    error: Option<&str>,
) -> Result<()> {
    conn.prepare_cached(
        "UPDATE attachments SET fulltext = ?2, pages = coalesce(?3, pages), fulltext_error = ?4 WHERE id = ?1",
    )?
    .execute(params![id, state.as_str(), pages, error])?;
    Ok(())
}

/// Record what an attachment's file is now (size, SHA-256), read when its text was extracted.
pub fn set_content(conn: &Connection, id: i64, bytes: u64, sha256: &str) -> Result<()> {
    conn.prepare_cached("UPDATE attachments SET bytes = ?2, sha256 = ?3 WHERE id = ?1")?
        .execute(params![id, bytes.min(i64::MAX as u64) as i64, sha256])?;
    Ok(())
}

/// The file names of every stored attachment (of live and trashed items).
pub fn stored_paths(conn: &Connection) -> Result<std::collections::HashSet<String>> {
    let mut st = conn.prepare_cached("SELECT path FROM attachments WHERE kind = 'stored'")?;
    let rows = st.query_map([], |r| r.get::<_, String>(0))?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// Every attachment with its item's id and key, in item order (for `attachments` and the
/// missing-files check).
pub fn all(conn: &Connection) -> Result<Vec<(i64, String, Attachment)>> {
    let mut st = conn.prepare_cached(&format!(
        "SELECT {}, a.item_id, i.key FROM attachments a JOIN items i ON i.id = a.item_id \
         WHERE i.deleted_at IS NULL ORDER BY a.item_id, a.position, a.id",
        COLUMNS
            .split(", ")
            .map(|c| format!("a.{c}"))
            .collect::<Vec<_>>()
            .join(", ")
    ))?;
    let rows = st.query_map([], |r| {
        Ok((r.get::<_, i64>(11)?, r.get::<_, String>(12)?, from_row(r)?))
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}
