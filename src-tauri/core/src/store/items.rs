//! Item rows, their tag links, collection memberships and full-text index rows: the SQL on
//! items. What is written next to an item's fields is computed in `derive.rs`; the
//! migrations' back-fills are in `backfill.rs`.

use super::derive::{derive, fts_other, fts_row, source_current, Derived, FtsRow};
use super::{tags, Writer};
use crate::error::{Error, Result};
use crate::model::{
    Abstract, Access, AccessStatus, Creator, ExtraField, Item, ItemTag, ItemType, PartialDate, SourceRecord, TagSource,
};
use crate::text::now_rfc3339;
use rusqlite::{params, Connection, OptionalExtension, Row};
use serde::{Deserialize, Serialize};

/// Everything about one item, as the undo journal keeps it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ItemSnapshot {
    pub item: Item,
    pub collections: Vec<i64>,
    pub deleted_at: Option<String>,
    /// Its attached files (journal entries written before version 16 have none).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub attachments: Vec<crate::model::Attachment>,
}

/// What a tag action changes on an item, as the undo journal keeps it: its tag links and its
/// modification time (the rest of the row, its source record included, stays as it is).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TagState {
    pub tags: Vec<ItemTag>,
    pub modified: String,
}

pub fn tag_state(conn: &Connection, id: i64) -> Result<Option<TagState>> {
    let modified: Option<String> = conn
        .prepare_cached("SELECT date_modified FROM items WHERE id = ?1")?
        .query_row([id], |r| r.get(0))
        .optional()?;
    Ok(match modified {
        Some(modified) => Some(TagState {
            tags: load_tags(conn, id)?,
            modified,
        }),
        None => None,
    })
}

/// Save an item whose tags are all that changed (journaled as its [`TagState`] only): its tag
/// links, modification time, whether it still matches its source record, and its index row.
/// Much lighter than [`update`] for an action on thousands of items: the row's other columns
/// and their indexes are not rewritten, and the journal does not copy whole items.
pub fn update_tags(w: &mut Writer<'_>, item: &mut Item) -> Result<()> {
    let id = stored_id(item)?;
    w.touch_item_tags(id)?;
    item.date_modified = now_rfc3339();
    put_tag_state(w, id, item)
}

/// [`update_tags`] for an item read in this transaction whose tags were `before` (what the
/// journal keeps): nothing is read again, and tags added after the others are only inserted.
pub fn update_tags_from(w: &mut Writer<'_>, item: &mut Item, before: &[ItemTag], modified: &str) -> Result<()> {
    let id = stored_id(item)?;
    w.touch_item_tags_as(id, || TagState {
        tags: before.to_vec(),
        modified: modified.to_string(),
    });
    item.date_modified = now_rfc3339();
    match item.tags.strip_prefix(before) {
        Some(added) => {
            for t in added {
                let tag_id = tags::ensure(w, &t.name)?;
                w.conn()
                    .prepare_cached(
                        "INSERT OR IGNORE INTO item_tags (item_id, tag_id, source, position) \
                         VALUES (?1, ?2, ?3, (SELECT coalesce(max(position), -1) + 1 FROM item_tags WHERE item_id = ?1))",
                    )?
                    .execute(params![id, tag_id, t.source.as_str()])?;
            }
        }
        None => write_tags(w, id, item, false)?,
    }
    put_item_after_tags(w, id, item)
}

/// The id of an item that must already be in the library.
fn stored_id(item: &Item) -> Result<i64> {
    item.id
        .ok_or_else(|| Error::InvalidInput("cannot update an item that was never stored".into()))
}

fn put_tag_state(w: &mut Writer<'_>, id: i64, item: &Item) -> Result<()> {
    write_tags(w, id, item, false)?;
    put_item_after_tags(w, id, item)
}

/// After a tag was renamed (`tags::rename`), the items carrying it, read since: their
/// modification time, whether they still match their source record (a record with the old
/// keyword no longer does) and their index rows. Journaled with the tag's `old` name.
pub fn tag_renamed(w: &mut Writer<'_>, item: &mut Item, old: &str, new: &str) -> Result<()> {
    let id = stored_id(item)?;
    w.touch_item_tags_as(id, || TagState {
        tags: item
            .tags
            .iter()
            .map(|t| ItemTag {
                name: if t.name == new { old.to_string() } else { t.name.clone() },
                source: t.source,
            })
            .collect(),
        modified: item.date_modified.clone(),
    });
    item.date_modified = now_rfc3339();
    put_item_after_tags(w, id, item)
}

/// Set an item's modification time to now (its attachments changed; the caller journaled it).
pub fn touch_modified(conn: &Connection, id: i64) -> Result<()> {
    conn.prepare_cached("UPDATE items SET date_modified = ?2 WHERE id = ?1")?
        .execute(params![id, now_rfc3339()])?;
    Ok(())
}

/// The item row's part of a tag change: modification time, source match, index row.
fn put_item_after_tags(w: &mut Writer<'_>, id: i64, item: &Item) -> Result<()> {
    let live = w
        .conn()
        .prepare_cached(
            "UPDATE items SET date_modified = ?2, source_current = ?3 WHERE id = ?1 RETURNING deleted_at IS NULL",
        )?
        .query_row(params![id, item.date_modified, source_current(item)], |r| {
            r.get::<_, bool>(0)
        })
        .optional()?
        .ok_or_else(|| Error::NotFound(format!("no item {id}")))?;
    if live {
        w.reindex(id, fts_row(item))?;
    }
    Ok(())
}

/// Put an item's tags and modification time back as in `state` (undo/redo of a tag action).
pub fn restore_tags(w: &mut Writer<'_>, id: i64, state: Option<&TagState>) -> Result<()> {
    let Some(state) = state else { return Ok(()) };
    let Some(mut item) = load(w.conn(), id)? else {
        return Err(Error::NotFound(format!("no item {id}")));
    };
    item.tags = state.tags.clone();
    item.date_modified = state.modified.clone();
    put_tag_state(w, id, &item)
}

/// A table row: what the item list shows, without loading whole items.
#[derive(Debug, Clone, PartialEq)]
pub struct ItemSummary {
    pub id: i64,
    pub key: String,
    pub item_type: ItemType,
    pub title: String,
    pub creators: String,
    pub year: Option<i32>,
    pub container: String,
    pub access: AccessStatus,
    pub date_added: String,
}

const COLUMNS: &str = "id, key, type, title, subtitle, short_title, creators_json, container, series, volume, issue, \
    pages, edition, publisher, place, institution, date_raw, year, month, day, doi, issn, isbn, url, language, note, \
    genre, abstract_json, access, access_source, extra_json, source_format, source_text, source_fingerprint, \
    date_added, date_modified, source_batch";

fn from_json<T: for<'de> Deserialize<'de>>(s: &str, what: &str) -> rusqlite::Result<T> {
    serde_json::from_str(s).map_err(|e| {
        rusqlite::Error::FromSqlConversionFailure(0, rusqlite::types::Type::Text, format!("{what}: {e}").into())
    })
}

fn item_from_row(r: &Row<'_>) -> rusqlite::Result<Item> {
    RawItem::from_row(r)?.decode_row()
}

/// An item's row as read from the table, not yet decoded (its JSON columns parsed), with its
/// tags: reading is SQLite's work on the connection's thread, decoding can go elsewhere
/// (exports decode on their writer thread).
#[derive(Debug)]
pub struct RawItem {
    /// The text of every TEXT column, one after the other: one allocation per row on the
    /// reading thread (a `Vec` per column was a third of a 100k RIS export's reading thread,
    /// the export's bottleneck); the decoding thread makes the strings.
    buf: Vec<u8>,
    cols: [Cell; COLUMN_COUNT],
    tags: Vec<ItemTag>,
}

/// One column of a [`RawItem`]. Text stays bytes until decoded: checking that it is UTF-8 is
/// the decoding thread's work, not the reading one's (rusqlite's `Value` checks on read).
#[derive(Debug, Clone, Copy)]
enum Cell {
    Null,
    Integer(i64),
    /// A byte range of the row's buffer.
    Text(u32, u32),
    /// A value of a type no column of the table holds (the error names it).
    Other(rusqlite::types::Type),
}

/// A raw row's columns with their text, as the decoding reads them.
struct Cols<'a> {
    buf: &'a [u8],
    cols: &'a [Cell; COLUMN_COUNT],
}

impl RawItem {
    fn from_row(r: &Row<'_>) -> rusqlite::Result<RawItem> {
        use rusqlite::types::ValueRef;
        // The buffer gets its exact size first: a guessed one (4 KiB) made the reading thread
        // fault in fresh pages for most of a 100k export (its frees happen on other threads).
        let mut len = 0;
        for i in 0..COLUMN_COUNT {
            if let ValueRef::Text(b) = r.get_ref(i)? {
                len += b.len();
            }
        }
        let mut buf = Vec::with_capacity(len);
        let mut cols = [Cell::Null; COLUMN_COUNT];
        for (i, col) in cols.iter_mut().enumerate() {
            *col = match r.get_ref(i)? {
                ValueRef::Null => Cell::Null,
                ValueRef::Integer(n) => Cell::Integer(n),
                ValueRef::Text(b) => {
                    let start = buf.len() as u32;
                    buf.extend_from_slice(b);
                    Cell::Text(start, buf.len() as u32)
                }
                v => Cell::Other(v.data_type()),
            };
        }
        Ok(RawItem {
            buf,
            cols,
            tags: Vec::new(),
        })
    }

    pub fn id(&self) -> i64 {
        match self.cols[0] {
            Cell::Integer(i) => i,
            _ => 0,
        }
    }

    /// The item (errors name the column that does not decode).
    pub fn decode(self) -> Result<Item> {
        Ok(self.decode_row()?)
    }

    fn decode_row(mut self) -> rusqlite::Result<Item> {
        let tags = std::mem::take(&mut self.tags);
        let c = &Cols {
            buf: &self.buf,
            cols: &self.cols,
        };
        let ty = text(c, 2)?;
        let access = text(c, 28)?;
        let source_format = opt_text(c, 31)?;
        let source_format = source_format.as_deref();
        let source = match source_format.map(str::to_string) {
            Some(format) => Some(SourceRecord {
                format,
                text: opt_text(c, 32)?.unwrap_or_default(),
                fingerprint: int(c, 33)?.unwrap_or(0) as u64,
                batch: int(c, 36)?,
            }),
            None => None,
        };
        Ok(Item {
            id: int(c, 0)?,
            key: text(c, 1)?,
            item_type: ty.parse().unwrap_or(ItemType::Misc),
            title: text(c, 3)?,
            subtitle: text(c, 4)?,
            short_title: text(c, 5)?,
            creators: json_col::<Vec<Creator>>(c, 6, "creators")?,
            container: text(c, 7)?,
            series: text(c, 8)?,
            volume: text(c, 9)?,
            issue: text(c, 10)?,
            pages: text(c, 11)?,
            edition: text(c, 12)?,
            publisher: text(c, 13)?,
            place: text(c, 14)?,
            institution: text(c, 15)?,
            date: PartialDate {
                raw: text(c, 16)?,
                year: int(c, 17)?.map(|y| y as i32),
                month: int(c, 18)?.map(|m| m as u8),
                day: int(c, 19)?.map(|d| d as u8),
            },
            doi: text(c, 20)?,
            issn: text(c, 21)?,
            isbn: text(c, 22)?,
            url: text(c, 23)?,
            language: text(c, 24)?,
            note: text(c, 25)?,
            genre: text(c, 26)?,
            r#abstract: json_col::<Abstract>(c, 27, "abstract")?,
            tags,
            access: Access {
                status: access.parse().unwrap_or_default(),
                source: text(c, 29)?,
            },
            extra: extra_fields(c, source_format)?,
            source,
            date_added: text(c, 34)?,
            date_modified: text(c, 35)?,
        })
    }
}

/// Prepare a `SELECT` of the item columns (`sql` gets the column list): a migration's hook
/// that reads the items of an older library runs before version 13 added `source_batch`, so
/// when the column is missing it is read as NULL.
fn prepare_select<'c>(
    conn: &'c Connection,
    sql: impl Fn(&str) -> String,
) -> rusqlite::Result<rusqlite::CachedStatement<'c>> {
    match conn.prepare_cached(&sql(COLUMNS)) {
        Err(e) if e.to_string().contains("no such column: source_batch") => {
            conn.prepare_cached(&sql(&COLUMNS.replace("source_batch", "NULL AS source_batch")))
        }
        r => r,
    }
}

/// Columns in [`COLUMNS`].
const COLUMN_COUNT: usize = 37;

fn bad_column(i: usize, ty: rusqlite::types::Type) -> rusqlite::Error {
    rusqlite::Error::InvalidColumnType(i, COLUMNS.split(", ").nth(i).unwrap_or("?").trim().into(), ty)
}

/// The extra fields column. A field stored before origins were recorded gets its origin from
/// its name ([`crate::model::Origin::legacy`]); on an item imported from Web of Science such
/// a tag is a Web of Science tag.
fn extra_fields(c: &Cols<'_>, source_format: Option<&str>) -> rusqlite::Result<Vec<ExtraField>> {
    let mut extra = json_col::<Vec<ExtraField>>(c, 30, "extra fields")?;
    if source_format == Some("wos") && !extra.is_empty() {
        let stored_origins = match c.cols[30] {
            Cell::Text(s, e) => memchr::memmem::find(&c.buf[s as usize..e as usize], b"\"origin\"").is_some(),
            _ => true,
        };
        if !stored_origins {
            for f in extra.iter_mut().filter(|f| f.origin == crate::model::Origin::Ris) {
                f.origin = crate::model::Origin::Wos;
            }
        }
    }
    Ok(extra)
}

/// A JSON column of a raw row, parsed from its bytes (no string made first).
fn json_col<T: for<'de> Deserialize<'de>>(c: &Cols<'_>, i: usize, what: &str) -> rusqlite::Result<T> {
    match c.cols[i] {
        Cell::Text(s, e) => serde_json::from_slice(&c.buf[s as usize..e as usize]).map_err(|e| {
            rusqlite::Error::FromSqlConversionFailure(i, rusqlite::types::Type::Text, format!("{what}: {e}").into())
        }),
        _ => from_json(&text(c, i)?, what),
    }
}

/// A TEXT column of a raw row.
fn text(c: &Cols<'_>, i: usize) -> rusqlite::Result<String> {
    opt_text(c, i)?.ok_or_else(|| bad_column(i, rusqlite::types::Type::Null))
}

fn opt_text(c: &Cols<'_>, i: usize) -> rusqlite::Result<Option<String>> {
    use rusqlite::types::Type;
    match c.cols[i] {
        Cell::Null => Ok(None),
        Cell::Text(s, e) => String::from_utf8(c.buf[s as usize..e as usize].to_vec())
            .map(Some)
            .map_err(|e| {
                let name = COLUMNS.split(", ").nth(i).unwrap_or("?").trim();
                rusqlite::Error::FromSqlConversionFailure(i, Type::Text, format!("{name}: {e}").into())
            }),
        Cell::Integer(_) => Err(bad_column(i, Type::Integer)),
        Cell::Other(t) => Err(bad_column(i, t)),
    }
}

fn int(c: &Cols<'_>, i: usize) -> rusqlite::Result<Option<i64>> {
    use rusqlite::types::Type;
    match c.cols[i] {
        Cell::Null => Ok(None),
        Cell::Integer(n) => Ok(Some(n)),
        Cell::Text(..) => Err(bad_column(i, Type::Text)),
        Cell::Other(t) => Err(bad_column(i, t)),
    }
}

fn load_tags(conn: &Connection, id: i64) -> Result<Vec<ItemTag>> {
    let mut st = conn.prepare_cached(
        "SELECT t.name, it.source FROM item_tags it JOIN tags t ON t.id = it.tag_id \
         WHERE it.item_id = ?1 ORDER BY it.position",
    )?;
    let rows = st.query_map([id], |r| {
        let source: String = r.get(1)?;
        Ok(ItemTag {
            name: r.get(0)?,
            source: TagSource::parse(&source).unwrap_or_default(),
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// Load one item (live or in the trash) with its tags.
pub fn load(conn: &Connection, id: i64) -> Result<Option<Item>> {
    let mut st = prepare_select(conn, |cols| format!("SELECT {cols} FROM items WHERE id = ?1"))?;
    let item = st.query_row([id], item_from_row).optional()?;
    match item {
        Some(mut item) => {
            item.tags = load_tags(conn, id)?;
            Ok(Some(item))
        }
        None => Ok(None),
    }
}

/// Load many items in the given order (missing ids are skipped).
pub fn load_many(conn: &Connection, ids: &[i64]) -> Result<Vec<Item>> {
    if ids.len() < 8 {
        let mut out = Vec::with_capacity(ids.len());
        for id in ids {
            if let Some(i) = load(conn, *id)? {
                out.push(i);
            }
        }
        return Ok(out);
    }
    // Many items (exports): read them in id order, a few hundred per statement, and put them
    // back in the order asked for.
    let mut sorted: Vec<i64> = ids.to_vec();
    sorted.sort_unstable();
    sorted.dedup();
    let mut by_id: std::collections::HashMap<i64, Item> = std::collections::HashMap::with_capacity(sorted.len());
    for chunk in sorted.chunks(LOAD_CHUNK) {
        for item in load_chunk(conn, chunk)? {
            by_id.insert(item.id.unwrap_or_default(), item);
        }
    }
    if sorted.len() == ids.len() {
        Ok(ids.iter().filter_map(|id| by_id.remove(id)).collect())
    } else {
        // Some id was asked for twice: each asking gets a copy.
        Ok(ids.iter().filter_map(|id| by_id.get(id).cloned()).collect())
    }
}

/// Items per statement in [`load_chunk`].
pub const LOAD_CHUNK: usize = 500;

/// Load the items with these ids (at most a few hundred), with their tags, in id order.
pub fn load_chunk(conn: &Connection, ids: &[i64]) -> Result<Vec<Item>> {
    load_chunk_raw(conn, ids, None)?
        .into_iter()
        .map(RawItem::decode)
        .collect()
}

/// [`load_chunk`] without decoding the rows. With `only_source`, a source record in another
/// format is left out (its text empty): an export writes those items from their fields, and
/// the records are most of a row's bytes.
pub fn load_chunk_raw(conn: &Connection, ids: &[i64], only_source: Option<&str>) -> Result<Vec<RawItem>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let marks = vec!["?"; ids.len()].join(",");
    let mut tags: std::collections::HashMap<i64, Vec<ItemTag>> = std::collections::HashMap::new();
    {
        let mut st = conn.prepare_cached(&format!(
            "SELECT it.item_id, t.name, it.source FROM item_tags it JOIN tags t ON t.id = it.tag_id \
             WHERE it.item_id IN ({marks}) ORDER BY it.item_id, it.position"
        ))?;
        let mut rows = st.query(rusqlite::params_from_iter(ids))?;
        while let Some(r) = rows.next()? {
            let source: String = r.get(2)?;
            tags.entry(r.get(0)?).or_default().push(ItemTag {
                name: r.get(1)?,
                source: TagSource::parse(&source).unwrap_or_default(),
            });
        }
    }
    let (source_text, first) = match only_source {
        Some(f) => (
            "CASE WHEN source_format = ?1 THEN source_text ELSE '' END,",
            Some(rusqlite::types::Value::Text(f.to_string())),
        ),
        None => ("source_text,", None),
    };
    let mut st = prepare_select(conn, |cols| {
        format!(
            "SELECT {} FROM items WHERE id IN ({marks}) ORDER BY id",
            cols.replace("source_text,", source_text)
        )
    })?;
    let params = first
        .into_iter()
        .chain(ids.iter().map(|i| rusqlite::types::Value::Integer(*i)));
    let mut rows = st.query(rusqlite::params_from_iter(params))?;
    let mut out = Vec::with_capacity(ids.len());
    while let Some(r) = rows.next()? {
        let mut raw = RawItem::from_row(r)?;
        raw.tags = tags.remove(&raw.id()).unwrap_or_default();
        out.push(raw);
    }
    Ok(out)
}

pub fn id_by_key(conn: &Connection, key: &str) -> Result<Option<i64>> {
    let mut st = conn.prepare_cached("SELECT id FROM items WHERE key = ?1")?;
    Ok(st.query_row([key], |r| r.get(0)).optional()?)
}

/// Whether a key is in use ignoring case (BibTeX and biber compare keys without case, so
/// `Smith2020` and `smith2020` cannot both be cited).
/// Set an item's modification time (an item from a shared library keeps the time of its last
/// change, wherever it was made).
pub fn set_modified(conn: &Connection, id: i64, modified: &str) -> Result<()> {
    conn.prepare_cached("UPDATE items SET date_modified = ?2 WHERE id = ?1")?
        .execute(params![id, modified])?;
    Ok(())
}

/// An item's citation key.
pub fn key_of(conn: &Connection, id: i64) -> Result<Option<String>> {
    Ok(conn
        .prepare_cached("SELECT key FROM items WHERE id = ?1")?
        .query_row([id], |r| r.get(0))
        .optional()?)
}

pub fn key_in_use_nocase(conn: &Connection, key: &str) -> Result<bool> {
    let mut st = conn.prepare_cached("SELECT 1 FROM items WHERE key = ?1 COLLATE NOCASE LIMIT 1")?;
    Ok(st.exists([key])?)
}

pub fn is_deleted(conn: &Connection, id: i64) -> Result<bool> {
    Ok(
        conn.query_row("SELECT deleted_at IS NOT NULL FROM items WHERE id = ?1", [id], |r| {
            r.get(0)
        })?,
    )
}

pub fn collections_of(conn: &Connection, id: i64) -> Result<Vec<i64>> {
    let mut st = conn.prepare_cached("SELECT collection_id FROM collection_items WHERE item_id = ?1 ORDER BY 1")?;
    let rows = st.query_map([id], |r| r.get(0))?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

pub fn snapshot(conn: &Connection, id: i64) -> Result<Option<ItemSnapshot>> {
    let Some(item) = load(conn, id)? else { return Ok(None) };
    let deleted_at: Option<String> =
        conn.query_row("SELECT deleted_at FROM items WHERE id = ?1", [id], |r| r.get(0))?;
    Ok(Some(ItemSnapshot {
        item,
        collections: collections_of(conn, id)?,
        deleted_at,
        attachments: super::attachments::of_item(conn, id)?,
    }))
}

pub(crate) fn write_fts_row(conn: &Connection, id: i64, row: &FtsRow) -> Result<()> {
    let mut st = conn.prepare_cached(
        "INSERT INTO items_fts (rowid, title, creators, abstract, keywords, container, other) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
    )?;
    st.execute(params![id, row[0], row[1], row[2], row[3], row[4], row[5]])?;
    Ok(())
}

fn write_row(conn: &Connection, id: Option<i64>, item: &Item, deleted_at: Option<&str>) -> Result<i64> {
    write_row_derived(conn, id, item, deleted_at, &derive(item))
}

fn write_row_derived(
    conn: &Connection,
    id: Option<i64>,
    item: &Item,
    deleted_at: Option<&str>,
    d: &Derived,
) -> Result<i64> {
    let insert = format!(
        "INSERT INTO items ({COLUMNS}, title_sort, creators_sort, creators_summary, deleted_at, dedupe, source_current, source_checks, source_macros) VALUES \
         (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20, ?21, ?22, ?23, \
          ?24, ?25, ?26, ?27, ?28, ?29, ?30, ?31, ?32, ?33, ?34, ?35, ?36, ?37, ?38, ?39, ?40, ?41, ?42, ?43, ?44, \
          ?45)"
    );
    // A plain INSERT for new rows: the upsert form needs a statement journal, and every
    // statement savepoint makes FTS5 flush its pending index data.
    let sql = if id.is_none() {
        insert
    } else {
        format!(
            "{insert} ON CONFLICT(id) DO UPDATE SET key = excluded.key, type = excluded.type, title = excluded.title, \
         subtitle = excluded.subtitle, short_title = excluded.short_title, creators_json = excluded.creators_json, \
         container = excluded.container, series = excluded.series, volume = excluded.volume, issue = excluded.issue, \
         pages = excluded.pages, edition = excluded.edition, publisher = excluded.publisher, place = excluded.place, \
         institution = excluded.institution, date_raw = excluded.date_raw, year = excluded.year, \
         month = excluded.month, day = excluded.day, doi = excluded.doi, issn = excluded.issn, isbn = excluded.isbn, \
         url = excluded.url, language = excluded.language, note = excluded.note, genre = excluded.genre, \
         abstract_json = excluded.abstract_json, access = excluded.access, access_source = excluded.access_source, \
         extra_json = excluded.extra_json, source_format = excluded.source_format, \
         source_text = excluded.source_text, source_fingerprint = excluded.source_fingerprint, \
         date_added = excluded.date_added, date_modified = excluded.date_modified, \
         source_batch = excluded.source_batch, \
         title_sort = excluded.title_sort, creators_sort = excluded.creators_sort, \
         creators_summary = excluded.creators_summary, deleted_at = excluded.deleted_at, dedupe = excluded.dedupe, \
         source_current = excluded.source_current, source_checks = excluded.source_checks, \
         source_macros = excluded.source_macros"
        )
    };
    let mut st = conn.prepare_cached(&sql)?;
    let src = item.source.as_ref();
    st.execute(params![
        id,
        item.key,
        item.item_type.as_str(),
        item.title,
        item.subtitle,
        item.short_title,
        d.creators_json,
        item.container,
        item.series,
        item.volume,
        item.issue,
        item.pages,
        item.edition,
        item.publisher,
        item.place,
        item.institution,
        item.date.raw,
        item.date.year,
        item.date.month,
        item.date.day,
        item.doi,
        item.issn,
        item.isbn,
        item.url,
        item.language,
        item.note,
        item.genre,
        d.abstract_json,
        item.access.status.as_str(),
        item.access.source,
        d.extra_json,
        src.map(|s| s.format.as_str()),
        src.map(|s| s.text.as_str()),
        src.map(|s| s.fingerprint as i64),
        item.date_added,
        item.date_modified,
        src.and_then(|s| s.batch),
        d.title_sort,
        d.creators_sort,
        d.creators_summary,
        deleted_at,
        d.dedupe,
        d.source_current,
        d.source_checks.as_ref().map(|c| c.0),
        d.source_checks.as_ref().and_then(|c| c.1.as_deref()),
    ])?;
    Ok(id.unwrap_or_else(|| conn.last_insert_rowid()))
}

fn write_tags(w: &mut Writer<'_>, id: i64, item: &Item, is_new: bool) -> Result<()> {
    if !is_new {
        w.conn()
            .prepare_cached("DELETE FROM item_tags WHERE item_id = ?1")?
            .execute([id])?;
    }
    for (pos, t) in item.tags.iter().enumerate() {
        let tag_id = tags::ensure(w, &t.name)?;
        w.conn()
            .prepare_cached(
                "INSERT OR IGNORE INTO item_tags (item_id, tag_id, source, position) VALUES (?1, ?2, ?3, ?4)",
            )?
            .execute(params![id, tag_id, t.source.as_str(), pos as i64])?;
    }
    Ok(())
}

/// Insert a new item. Its key must be set and free. Sets `id` and the timestamps.
pub fn insert(w: &mut Writer<'_>, item: &mut Item) -> Result<i64> {
    if item.key.is_empty() {
        return Err(Error::InvalidInput(
            "an item needs a citation key before it is stored".into(),
        ));
    }
    if id_by_key(w.conn(), &item.key)?.is_some() {
        return Err(Error::Conflict(format!(
            "citation key {:?} is already used in this library",
            item.key
        )));
    }
    let d = derive(item);
    insert_derived(w, item, d)
}

/// [`insert`] with the derived columns computed beforehand ([`derive`], e.g. on a reader
/// thread) and a key the caller knows to be free (the `UNIQUE` constraint still guards it).
pub fn insert_derived(w: &mut Writer<'_>, item: &mut Item, mut d: Derived) -> Result<i64> {
    if item.key.is_empty() {
        return Err(Error::InvalidInput(
            "an item needs a citation key before it is stored".into(),
        ));
    }
    if d.fts_key != item.key {
        d.fts[5] = fts_other(item);
        d.source_current = source_current(item);
    }
    let now = now_rfc3339();
    if item.date_added.is_empty() {
        item.date_added = now.clone();
    }
    item.date_modified = now;
    let id = write_row_derived(w.conn(), None, item, None, &d)?;
    item.id = Some(id);
    w.touch_new_item(id);
    write_tags(w, id, item, true)?;
    // New rows are indexed in batches: FTS5 flushes its pending terms at every statement
    // savepoint, so interleaving one FTS insert per item would flush per item.
    w.queue_fts(id, d.fts)?;
    Ok(id)
}

/// Save an edited item (journaled). Updates `date_modified`.
pub fn update(w: &mut Writer<'_>, item: &mut Item) -> Result<()> {
    let id = stored_id(item)?;
    w.touch_item(id)?;
    if let Some(other) = id_by_key(w.conn(), &item.key)? {
        if other != id {
            return Err(Error::Conflict(format!(
                "citation key {:?} is already used in this library",
                item.key
            )));
        }
    }
    let deleted: Option<String> = w
        .conn()
        .query_row("SELECT deleted_at FROM items WHERE id = ?1", [id], |r| r.get(0))?;
    item.date_modified = now_rfc3339();
    write_row(w.conn(), Some(id), item, deleted.as_deref())?;
    write_tags(w, id, item, false)?;
    if deleted.is_none() {
        w.reindex(id, fts_row(item))?;
    } else {
        w.unindex(id)?;
    }
    Ok(())
}

/// Move to the trash (`Some(time)`) or restore from it (`None`). The full-text index holds
/// live items only.
pub fn set_deleted(w: &mut Writer<'_>, id: i64, deleted_at: Option<&str>) -> Result<()> {
    w.touch_item(id)?;
    if deleted_at.is_none() {
        let item = load(w.conn(), id)?.ok_or_else(|| Error::NotFound(format!("no item {id}")))?;
        w.reindex(id, fts_row(&item))?;
    } else {
        w.unindex(id)?;
    }
    w.conn()
        .prepare_cached("UPDATE items SET deleted_at = ?2 WHERE id = ?1")?
        .execute(params![id, deleted_at])?;
    Ok(())
}

/// Remove an item for good (emptying the trash). Journaled, so still undoable.
pub fn hard_delete(w: &mut Writer<'_>, id: i64) -> Result<()> {
    w.touch_item(id)?;
    w.unindex(id)?;
    w.conn()
        .prepare_cached("DELETE FROM items WHERE id = ?1")?
        .execute([id])?;
    Ok(())
}

/// Put an item back exactly as in `snap`, or remove it when `None` (undo/redo).
pub fn restore(w: &mut Writer<'_>, id: i64, snap: Option<&ItemSnapshot>) -> Result<()> {
    w.unindex(id)?;
    match snap {
        None => {
            w.conn()
                .prepare_cached("DELETE FROM items WHERE id = ?1")?
                .execute([id])?;
        }
        Some(s) => {
            write_row(w.conn(), Some(id), &s.item, s.deleted_at.as_deref())?;
            write_tags(w, id, &s.item, false)?;
            w.conn()
                .prepare_cached("DELETE FROM collection_items WHERE item_id = ?1")?
                .execute([id])?;
            for c in &s.collections {
                w.conn()
                    .prepare_cached("INSERT INTO collection_items (collection_id, item_id) VALUES (?1, ?2)")?
                    .execute(params![c, id])?;
            }
            super::attachments::restore(w.conn(), id, &s.attachments)?;
            if s.deleted_at.is_none() {
                w.reindex(id, fts_row(&s.item))?;
            }
        }
    }
    Ok(())
}

pub(crate) fn summary_from_row(r: &Row<'_>) -> rusqlite::Result<ItemSummary> {
    let ty: String = r.get(2)?;
    let access: String = r.get(7)?;
    Ok(ItemSummary {
        id: r.get(0)?,
        key: r.get(1)?,
        item_type: ty.parse().unwrap_or(ItemType::Misc),
        title: r.get(3)?,
        creators: r.get(4)?,
        year: r.get(5)?,
        container: r.get(6)?,
        access: access.parse().unwrap_or_default(),
        date_added: r.get(8)?,
    })
}

pub(crate) const SUMMARY_COLUMNS: &str =
    "items.id, items.key, items.type, items.title, items.creators_summary, items.year, items.container, items.access, items.date_added";

/// Keys in use (for unique key generation in bulk).
/// The import batches the records of `ids` come from, and whether any of them has none
/// (added by hand, or imported before Folio kept it).
pub fn source_batches(conn: &Connection, ids: &[i64]) -> Result<(std::collections::HashSet<i64>, bool)> {
    let mut batches = std::collections::HashSet::new();
    let mut unknown = false;
    for chunk in ids.chunks(500) {
        let marks = vec!["?"; chunk.len()].join(",");
        let mut st = conn.prepare_cached(&format!(
            "SELECT DISTINCT source_batch FROM items WHERE id IN ({marks})"
        ))?;
        let mut rows = st.query(rusqlite::params_from_iter(chunk))?;
        while let Some(r) = rows.next()? {
            match r.get::<_, Option<i64>>(0)? {
                Some(b) => {
                    batches.insert(b);
                }
                None => unknown = true,
            }
        }
    }
    Ok((batches, unknown))
}

/// Every key in lowercase (for generating keys that differ from all of them ignoring case).
pub fn all_keys_lowercase(conn: &Connection) -> Result<std::collections::HashSet<String>> {
    let mut st = conn.prepare("SELECT lower(key) FROM items")?;
    let rows = st.query_map([], |r| r.get::<_, String>(0))?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

pub fn all_keys(conn: &Connection) -> Result<std::collections::HashSet<String>> {
    let mut st = conn.prepare("SELECT key FROM items")?;
    let rows = st.query_map([], |r| r.get::<_, String>(0))?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// Items (live or in the trash) whose extra fields hold `needle` ignoring ASCII case (the
/// candidates for a link to a renamed key; the caller reads the fields to be sure).
pub fn ids_with_extra_text(conn: &Connection, needle: &str) -> Result<Vec<i64>> {
    let mut st =
        conn.prepare_cached("SELECT id FROM items WHERE instr(lower(extra_json), lower(?1)) > 0 ORDER BY id")?;
    let rows = st.query_map([needle], |r| r.get::<_, i64>(0))?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// Live items with just what duplicate detection reads (type, titles, creators, year, DOI,
/// ISBN, URL, extra fields), without loading abstracts, tags or sources.
/// The live items' duplicate fingerprints with their keys, in id order.
pub fn dedupe_records(conn: &Connection) -> Result<Vec<(crate::dedupe::Fingerprint, String)>> {
    let mut st =
        conn.prepare("SELECT id, key, dedupe, source_fingerprint FROM items WHERE deleted_at IS NULL ORDER BY id")?;
    let mut rows = st.query([])?;
    let mut out = Vec::new();
    while let Some(r) = rows.next()? {
        let id: i64 = r.get(0)?;
        let key: String = r.get(1)?;
        let record = r.get_ref(2)?.as_str().map_err(rusqlite::Error::from)?;
        let fp = match crate::dedupe::Fingerprint::from_record(Some(id), record) {
            // Stored before the record hash was kept: the source record's fingerprint is it.
            Some(mut fp) if fp.record.is_none() => {
                fp.record = r.get::<_, Option<i64>>(3)?.map(|f| f as u64);
                fp
            }
            Some(fp) => fp,
            // Not filled in (should not happen after migration 4): compute it.
            None => {
                let item = load(conn, id)?.ok_or_else(|| Error::NotFound(format!("no item {id}")))?;
                crate::dedupe::Fingerprint::of(&item)
            }
        };
        out.push((fp, key));
    }
    Ok(out)
}

/// Index every live item again from its stored fields: schema version 6 (the index leaves
/// bookkeeping fields out, see [`crate::model::ExtraField::is_bookkeeping`]), and an action
/// that re-indexes most of the library (`Writer::expect_reindex`).
pub(crate) fn rebuild_fts(conn: &Connection) -> Result<()> {
    conn.execute("INSERT INTO items_fts (items_fts) VALUES ('delete-all')", [])?;
    let ids: Vec<i64> = conn
        .prepare("SELECT id FROM items WHERE deleted_at IS NULL ORDER BY id")?
        .query_map([], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    for chunk in ids.chunks(LOAD_CHUNK) {
        for item in load_chunk(conn, chunk)? {
            write_fts_row(conn, item.id.unwrap_or_default(), &fts_row(&item))?;
        }
    }
    Ok(())
}

/// A stored source record an export may copy (see [`current_sources`]).
pub struct CurrentSource {
    pub id: i64,
    pub key: String,
    pub text: String,
    /// What the export needs to know of it, worked out when it was stored
    /// (`format::bibtex::checks`; BibTeX records only), and the macros it uses.
    pub checks: Option<i64>,
    pub macros: Option<String>,
}

/// For exports: the source records of these items (a few hundred ids) that are in `format`
/// and still current; the others must be loaded and written.
pub fn current_sources(conn: &Connection, ids: &[i64], format: &str) -> Result<Vec<CurrentSource>> {
    let (Some(&lo), Some(&hi)) = (ids.iter().min(), ids.iter().max()) else {
        return Ok(Vec::new());
    };
    let row = |r: &rusqlite::Row<'_>| -> rusqlite::Result<CurrentSource> {
        Ok(CurrentSource {
            id: r.get(0)?,
            key: r.get(1)?,
            text: r.get(2)?,
            checks: r.get(3)?,
            macros: r.get(4)?,
        })
    };
    // A dense run of ids (an export of the whole library or most of it) is read as one range
    // of the table, not looked up id by id.
    if ((hi - lo) as usize) < 2 * ids.len() {
        let wanted: rustc_hash::FxHashSet<i64> = ids.iter().copied().collect();
        let mut st = conn.prepare_cached(
            "SELECT id, key, source_text, source_checks, source_macros FROM items WHERE id BETWEEN ?1 AND ?2 \
             AND source_current = 1 AND source_format = ?3 AND source_text IS NOT NULL ORDER BY id",
        )?;
        let mut out = Vec::with_capacity(ids.len());
        let mut rows = st.query(params![lo, hi, format])?;
        while let Some(r) = rows.next()? {
            let id: i64 = r.get(0)?;
            if wanted.contains(&id) {
                out.push(row(r)?);
            }
        }
        return Ok(out);
    }
    let marks = vec!["?"; ids.len()].join(",");
    let mut st = conn.prepare_cached(&format!(
        "SELECT id, key, source_text, source_checks, source_macros FROM items WHERE id IN ({marks}) AND source_current = 1 \
         AND source_format = ? AND source_text IS NOT NULL ORDER BY id"
    ))?;
    let params = rusqlite::params_from_iter(
        ids.iter()
            .map(|i| rusqlite::types::Value::Integer(*i))
            .chain(std::iter::once(rusqlite::types::Value::Text(format.to_string()))),
    );
    let rows = st.query_map(params, row)?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::ItemType;
    use crate::store::Store;

    /// An action that first changes an item's tags (journaled as tags only) and then the
    /// item itself must still undo to the state before the action.
    #[test]
    fn a_tag_change_then_a_full_change_in_one_action_undoes_exactly() {
        let mut store = Store::open_in_memory().unwrap();
        let mut it = Item::new(ItemType::Article, "Original title");
        it.key = "Kept2001".into();
        it.tags.push(ItemTag::manual("old"));
        let d = derive(&it);
        let id = store.write("add", |w| insert_derived(w, &mut it, d)).unwrap();
        let before = load(store.conn(), id).unwrap().unwrap();
        store
            .write("mixed", |w| {
                let mut item = load(w.conn(), id)?.unwrap();
                item.tags = vec![ItemTag::manual("new")];
                update_tags(w, &mut item)?;
                item.title = "Changed title".into();
                update(w, &mut item)
            })
            .unwrap();
        let after = load(store.conn(), id).unwrap().unwrap();
        assert_eq!(
            (after.title.as_str(), after.tags[0].name.as_str()),
            ("Changed title", "new")
        );
        store.undo().unwrap();
        assert_eq!(load(store.conn(), id).unwrap().unwrap(), before);
        store.redo().unwrap();
        let redone = load(store.conn(), id).unwrap().unwrap();
        assert_eq!(
            (redone.title.as_str(), redone.tags[0].name.as_str()),
            ("Changed title", "new")
        );
    }
}
