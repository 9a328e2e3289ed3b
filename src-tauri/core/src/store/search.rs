//! Listing, filtering, sorting and paging items; the fielded query as SQL + FTS5.
//!
//! All values are bound parameters. FTS5 match expressions are assembled only from tokens
//! that are entirely alphanumeric, each wrapped in double quotes, so user text can never
//! change the shape of the SQL or of the FTS query.

use super::items::{summary_from_row, ItemSummary, SUMMARY_COLUMNS};
use super::{collections, CollectionId};
use crate::error::{Error, Result};
use crate::model::AccessStatus;
use crate::query::{HasField, Query, Term, TermKind};
use rusqlite::types::Value;
use rusqlite::Connection;
use std::cell::RefCell;
use std::sync::{Arc, Mutex};

/// Which items to show.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Filter {
    /// Items in this collection (and its subcollections when `recursive`).
    pub collection: Option<CollectionId>,
    pub recursive: bool,
    /// Items in no collection.
    pub unfiled: bool,
    /// Items carrying every one of these tags (case-insensitive).
    pub tags: Vec<String>,
    /// Items with any of these access statuses (empty: any).
    pub access: Vec<AccessStatus>,
    pub query: Query,
    /// The trash instead of the live library.
    pub trash: bool,
    /// The trash as well as the live library (`trash` is then ignored).
    pub include_trash: bool,
    /// Only items changed after this library version (see [`super::versions`]).
    pub since: Option<i64>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum SortColumn {
    #[default]
    Title,
    Creators,
    Year,
    Container,
    Type,
    Access,
    DateAdded,
    Key,
}

impl std::str::FromStr for SortColumn {
    type Err = String;
    fn from_str(s: &str) -> std::result::Result<Self, String> {
        Ok(match s.trim().to_ascii_lowercase().as_str() {
            "title" => SortColumn::Title,
            "creators" | "creator" | "author" | "authors" => SortColumn::Creators,
            "year" | "date" => SortColumn::Year,
            "container" | "journal" | "publication" => SortColumn::Container,
            "type" => SortColumn::Type,
            "access" => SortColumn::Access,
            "added" | "date-added" | "date_added" | "dateadded" => SortColumn::DateAdded,
            "key" | "citekey" => SortColumn::Key,
            _ => {
                return Err(format!(
                    "cannot sort by {s:?}; use title, creators, year, container, type, access, added or key"
                ))
            }
        })
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Sort {
    pub column: SortColumn,
    pub descending: bool,
}

impl std::str::FromStr for Sort {
    type Err = String;
    /// `title`, `-year` (descending), `year:desc`.
    fn from_str(s: &str) -> std::result::Result<Self, String> {
        let s = s.trim();
        let (name, descending) = if let Some(n) = s.strip_prefix('-') {
            (n, true)
        } else if let Some(n) = s.strip_suffix(":desc") {
            (n, true)
        } else {
            (s.strip_suffix(":asc").unwrap_or(s), false)
        };
        Ok(Sort {
            column: name.parse()?,
            descending,
        })
    }
}

fn fts_phrase(words: &[String], prefix: bool) -> String {
    // Every word is alphanumeric only (query::words); quote it anyway.
    let quoted: Vec<String> = words.iter().map(|w| format!("\"{w}\"")).collect();
    if prefix {
        quoted.iter().map(|q| format!("{q}*")).collect::<Vec<_>>().join(" AND ")
    } else {
        quoted.join(" + ")
    }
}

/// The FTS5 expression of unfielded words (prefixes) or a phrase.
pub fn fts_expr_of(words: &[String], phrase: bool) -> String {
    fts_expr(None, words, phrase)
}

fn fts_expr(field: Option<crate::query::TextField>, words: &[String], phrase: bool) -> String {
    let body = if phrase {
        fts_phrase(words, false)
    } else {
        fts_phrase(words, true)
    };
    match field {
        Some(f) => format!("{{{}}} : ({body})", f.column()),
        None => format!("({body})"),
    }
}

struct Sql {
    clauses: Vec<String>,
    params: Vec<Value>,
}

impl Sql {
    fn p(&mut self, v: impl Into<Value>) -> String {
        self.params.push(v.into());
        format!("?{}", self.params.len())
    }
}

/// How a page is found.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Mode {
    /// Start from the matches and sort them (best when few items match).
    Membership,
    /// Walk the sort index and keep the rows whose id is among the (collected) matches: the
    /// first page fills after a few rows when many items match. Pairs with a forced index.
    Probe,
}

/// Above this many full-text matches, pages are filled by walking the sort index.
const PROBE_THRESHOLD: i64 = 3000;

/// The items a full-text expression matches, as a bit set over item ids.
#[derive(Debug, Default)]
pub struct Matches {
    /// In ascending order.
    ids: Vec<i64>,
    bits: Vec<u64>,
}

impl Matches {
    fn new(ids: Vec<i64>) -> Matches {
        let max = ids.iter().copied().max().unwrap_or(0).max(0) as usize;
        let mut bits = vec![0u64; max / 64 + 1];
        for &id in &ids {
            if id >= 0 {
                bits[id as usize / 64] |= 1 << (id as usize % 64);
            }
        }
        Matches { ids, bits }
    }

    fn contains(&self, id: i64) -> bool {
        id >= 0
            && self
                .bits
                .get(id as usize / 64)
                .is_some_and(|w| w & (1 << (id as usize % 64)) != 0)
    }

    fn len(&self) -> i64 {
        self.ids.len() as i64
    }
}

/// The last full-text evaluation of a connection, reused while the library is unchanged: the
/// item table asks for a count and then for pages of the same search, and FTS5 redoes a
/// prefix query's merge (tens of ms for a common prefix at 100k items) each time it is asked.
/// Queries test membership in the set through the SQL function `folio_fts_hit(id)`.
/// The last full-text expression evaluated, the library state it was evaluated in
/// (`data_version`, `total_changes`), and its matches.
type CachedMatches = (String, (i64, u64), Arc<Matches>);

#[derive(Default)]
pub struct FtsCache {
    last: RefCell<Option<CachedMatches>>,
    /// The set `folio_fts_hit` tests: the one of the statement being run.
    current: Arc<Mutex<Arc<Matches>>>,
}

impl FtsCache {
    /// Register `folio_fts_hit` on the cache's connection.
    pub(crate) fn register(&self, conn: &Connection) -> Result<()> {
        let current = Arc::clone(&self.current);
        conn.create_scalar_function(
            "folio_fts_hit",
            1,
            rusqlite::functions::FunctionFlags::SQLITE_UTF8,
            move |ctx| {
                let id: i64 = ctx.get(0)?;
                Ok(current.lock().is_ok_and(|m| m.contains(id)))
            },
        )?;
        Ok(())
    }

    /// The matches of `expr` (an FTS5 expression built by this module), from the cache when
    /// neither this connection nor another one changed the library since.
    fn matches(&self, conn: &Connection, expr: &str) -> Result<Arc<Matches>> {
        let version: i64 = conn.query_row("PRAGMA data_version", [], |r| r.get(0))?;
        let stamp = (version, conn.total_changes());
        if let Some((e, s, m)) = &*self.last.borrow() {
            if e == expr && *s == stamp {
                return Ok(Arc::clone(m));
            }
        }
        let ids = conn
            .prepare_cached("SELECT rowid FROM items_fts WHERE items_fts MATCH ?1")?
            .query_map([expr], |r| r.get::<_, i64>(0))
            .map_err(map_fts_error)?
            .collect::<rusqlite::Result<Vec<_>>>()
            .map_err(map_fts_error)?;
        let m = Arc::new(Matches::new(ids));
        *self.last.borrow_mut() = Some((expr.to_string(), stamp, Arc::clone(&m)));
        Ok(m)
    }

    /// Make `m` the set `folio_fts_hit` tests.
    fn set_current(&self, m: &Arc<Matches>) {
        if let Ok(mut c) = self.current.lock() {
            *c = Arc::clone(m);
        }
    }
}

fn term_sql(conn: &Connection, sql: &mut Sql, t: &Term, mode: Mode) -> Result<String> {
    let s = match &t.kind {
        TermKind::Text { field, words, phrase } => {
            let p = sql.p(fts_expr(*field, words, *phrase));
            // Collected once per query in both modes (SQLite materializes the subquery, with a
            // Bloom filter); probing FTS5 per row would redo a prefix query's merge every time.
            let _ = mode;
            format!("items.id IN (SELECT rowid FROM items_fts WHERE items_fts MATCH {p})")
        }
        TermKind::Year { from, to } => match (from, to) {
            (Some(a), Some(b)) => format!("items.year BETWEEN {} AND {}", sql.p(*a), sql.p(*b)),
            (Some(a), None) => format!("items.year >= {}", sql.p(*a)),
            (None, Some(b)) => format!("items.year <= {}", sql.p(*b)),
            (None, None) => "1".to_string(),
        },
        TermKind::Tag(name) => {
            let p = sql.p(name.clone());
            format!(
                "items.id IN (SELECT it.item_id FROM item_tags it JOIN tags tg ON tg.id = it.tag_id WHERE tg.name = {p})"
            )
        }
        TermKind::Access(a) => format!("items.access = {}", sql.p(a.as_str().to_string())),
        TermKind::Type(ty) => format!("items.type = {}", sql.p(ty.as_str().to_string())),
        TermKind::Key { key, prefix: false } => format!("items.key = {}", sql.p(key.clone())),
        TermKind::Key { key, prefix: true } => {
            format!(
                "substr(items.key, 1, {}) = {}",
                sql.p(key.chars().count() as i64),
                sql.p(key.clone())
            )
        }
        TermKind::Doi(d) => format!("lower(items.doi) = lower({})", sql.p(d.clone())),
        TermKind::Collection(path) => {
            let id = collections::resolve(conn, path)?;
            in_collections(sql, collections::with_descendants(conn, id)?)
        }
        TermKind::Has(h) => match h {
            HasField::Doi => "items.doi <> ''".into(),
            HasField::Abstract => "items.abstract_json <> '[]'".into(),
            HasField::Title => "items.title <> ''".into(),
            HasField::Year => "items.year IS NOT NULL".into(),
            HasField::Url => "items.url <> ''".into(),
            HasField::Isbn => "items.isbn <> ''".into(),
            HasField::Issn => "items.issn <> ''".into(),
            HasField::Pdf => "items.id IN (SELECT item_id FROM attachments WHERE mime = 'application/pdf')".into(),
            HasField::File => "items.id IN (SELECT item_id FROM attachments)".into(),
        },
        TermKind::Fulltext {
            words,
            phrase,
            or_fields,
        } => {
            let expr = fts_expr(None, words, *phrase);
            let files = super::fulltext::items_matching_sql(&sql.p(expr.clone()));
            if *or_fields {
                let p = sql.p(expr);
                format!("(items.id IN (SELECT rowid FROM items_fts WHERE items_fts MATCH {p}) OR {files})")
            } else {
                files
            }
        }
    };
    Ok(if t.negated { format!("NOT ({s})") } else { s })
}

/// Items in any of these collections: the ids go in as one JSON array parameter (a tree
/// of 40,000 collections would pass SQLite's limit of bound parameters one by one).
fn in_collections(sql: &mut Sql, ids: Vec<CollectionId>) -> String {
    let list = serde_json::to_string(&ids).unwrap_or_else(|_| "[]".into());
    format!(
        "items.id IN (SELECT item_id FROM collection_items WHERE collection_id IN (SELECT value FROM json_each({})))",
        sql.p(list)
    )
}

/// `parts` joined by `op` ("AND", "OR") as a balanced tree of parentheses, so the expression
/// SQLite parses is about log2(n) deep for n parts (a left-deep chain of n is n deep, and
/// SQLite refuses expressions deeper than 1,000). Built bottom-up, without recursion.
fn balanced(parts: Vec<String>, op: &str) -> String {
    let mut level = parts;
    while level.len() > 1 {
        let mut next = Vec::with_capacity(level.len().div_ceil(2));
        let mut it = level.into_iter();
        while let Some(a) = it.next() {
            next.push(match it.next() {
                Some(b) => format!("({a} {op} {b})"),
                None => a,
            });
        }
        level = next;
    }
    level.pop().unwrap_or_else(|| "1".into())
}

/// The `WHERE` condition of a filter's clauses.
fn where_text(sql: &Sql) -> String {
    balanced(sql.clauses.clone(), "AND")
}

fn where_sql(store: &super::Store, f: &Filter, mode: Mode) -> Result<Sql> {
    let conn = &store.conn;
    let mut sql = Sql {
        clauses: Vec::new(),
        params: Vec::new(),
    };
    if !f.include_trash {
        sql.clauses.push(if f.trash {
            "items.deleted_at IS NOT NULL".into()
        } else {
            "items.deleted_at IS NULL".into()
        });
    }
    if let Some(c) = f.collection {
        let ids = if f.recursive {
            collections::with_descendants(conn, c)?
        } else {
            vec![c]
        };
        let clause = in_collections(&mut sql, ids);
        sql.clauses.push(clause);
    }
    if f.unfiled {
        sql.clauses
            .push("NOT EXISTS (SELECT 1 FROM collection_items ci WHERE ci.item_id = items.id)".into());
    }
    for tag in &f.tags {
        let p = sql.p(tag.trim().to_string());
        sql.clauses.push(format!(
            "items.id IN (SELECT it.item_id FROM item_tags it JOIN tags tg ON tg.id = it.tag_id WHERE tg.name = {p})"
        ));
    }
    if let Some(since) = f.since.filter(|v| *v >= super::versions::BASE) {
        let p = sql.p(since);
        sql.clauses.push(format!(
            "items.id IN (SELECT ov.id FROM object_versions ov WHERE ov.kind = 0 AND ov.version > {p})"
        ));
    }
    if !f.access.is_empty() {
        let list: Vec<String> = f.access.iter().map(|a| sql.p(a.as_str().to_string())).collect();
        sql.clauses.push(format!("items.access IN ({})", list.join(", ")));
    }
    // Every clause that is nothing but full-text terms joins one FTS5 query (FTS5 intersects
    // the terms' lists itself, instead of SQLite collecting each term's matches).
    // Evaluated once (and cached): a few matches go in as a list of ids, many are tested
    // row by row against the bit set.
    if let Some(expr) = required_fts(f) {
        let m = store.fts.matches(conn, &expr)?;
        if m.len() <= PROBE_THRESHOLD {
            if m.ids.is_empty() {
                sql.clauses.push("0".into());
            } else {
                let list: Vec<String> = m.ids.iter().map(|id| sql.p(*id)).collect();
                sql.clauses.push(format!("items.id IN ({})", list.join(", ")));
            }
        } else {
            store.fts.set_current(&m);
            sql.clauses.push("folio_fts_hit(items.id)".into());
        }
    }
    for clause in &f.query.clauses {
        if clause_fts(clause).is_some() {
            continue;
        }
        let parts: Vec<String> = clause
            .iter()
            .map(|t| term_sql(conn, &mut sql, t, mode))
            .collect::<Result<_>>()?;
        sql.clauses.push(balanced(parts, "OR"));
    }
    Ok(sql)
}

fn order_sql(s: Sort) -> String {
    let col = match s.column {
        SortColumn::Title => "items.title_sort",
        SortColumn::Creators => "items.creators_sort",
        SortColumn::Year => "items.year",
        // The expression of the index `items_live_container` (v7); orders like NOCASE.
        SortColumn::Container => "lower(items.container)",
        SortColumn::Type => "items.type",
        SortColumn::Access => "items.access",
        SortColumn::DateAdded => "items.date_added",
        SortColumn::Key => "items.key",
    };
    let dir = if s.descending { "DESC" } else { "ASC" };
    format!("{col} {dir}, items.id {dir}")
}

fn map_fts_error(e: rusqlite::Error) -> Error {
    let msg = e.to_string();
    if msg.contains("fts5") {
        Error::InvalidInput(format!("cannot run this search: {msg}"))
    } else {
        Error::Db(e)
    }
}

/// The full-text expression every result must match (the AND of the positive single-term
/// text clauses), if any.
fn required_fts(f: &Filter) -> Option<String> {
    let parts: Vec<String> = f.query.clauses.iter().filter_map(|c| clause_fts(c)).collect();
    (!parts.is_empty()).then(|| parts.join(" AND "))
}

/// The FTS5 expression of a clause whose alternatives are all positive full-text terms.
fn clause_fts(clause: &[Term]) -> Option<String> {
    let parts: Vec<String> = clause
        .iter()
        .map(|t| match t {
            Term {
                negated: false,
                kind: TermKind::Text { field, words, phrase },
            } => Some(fts_expr(*field, words, *phrase)),
            _ => None,
        })
        .collect::<Option<_>>()?;
    Some(if parts.len() == 1 {
        parts[0].clone()
    } else {
        format!("({})", parts.join(" OR "))
    })
}

/// Whether the filter is nothing but required full-text terms over the live library.
fn fts_only(f: &Filter) -> bool {
    !f.trash
        && !f.include_trash
        && f.collection.is_none()
        && !f.unfiled
        && f.tags.is_empty()
        && f.access.is_empty()
        && f.since.is_none()
        && f.query.clauses.iter().all(|c| clause_fts(c).is_some())
}

/// The index that serves a sort order on live items.
fn sort_index(c: SortColumn) -> Option<&'static str> {
    Some(match c {
        SortColumn::Title => "items_live_title",
        SortColumn::Creators => "items_live_creators",
        SortColumn::Year => "items_live_year",
        SortColumn::Container => "items_live_container",
        SortColumn::Type => "items_live_type",
        SortColumn::Access => "items_live_access",
        SortColumn::DateAdded => "items_live_added",
        SortColumn::Key => return None,
    })
}

/// One page of rows for the item table.
pub fn list(store: &super::Store, f: &Filter, sort: Sort, offset: usize, limit: usize) -> Result<Vec<ItemSummary>> {
    let conn = &store.conn;
    // Many full-text matches: walk the sort index and probe, instead of collecting and sorting
    // every match.
    let probe = !f.trash
        && !f.include_trash
        && sort_index(sort.column).is_some()
        && match required_fts(f) {
            Some(expr) => store.fts.matches(conn, &expr)?.len() > PROBE_THRESHOLD,
            None => false,
        };
    let (mode, from) = if probe {
        (
            Mode::Probe,
            format!("items INDEXED BY {}", sort_index(sort.column).unwrap_or_default()),
        )
    } else {
        (Mode::Membership, "items".to_string())
    };
    let mut sql = where_sql(store, f, mode)?;
    // Past i64::MAX (a u64 offset such as 18446744073709551615) is "past every item", never a
    // negative number SQLite reads as no offset.
    let lim = sql.p(i64::try_from(limit).unwrap_or(i64::MAX));
    let off = sql.p(i64::try_from(offset).unwrap_or(i64::MAX));
    let q = format!(
        "SELECT {SUMMARY_COLUMNS} FROM {from} WHERE {} ORDER BY {} LIMIT {lim} OFFSET {off}",
        where_text(&sql),
        order_sql(sort)
    );
    if std::env::var_os("FOLIO_TRACE_SQL").is_some() {
        eprintln!("sql: {q}\nparams: {:?}", sql.params);
    }
    let mut st = conn.prepare_cached(&q)?;
    let rows = st
        .query_map(rusqlite::params_from_iter(sql.params.iter()), summary_from_row)
        .map_err(map_fts_error)?;
    rows.collect::<rusqlite::Result<Vec<_>>>().map_err(map_fts_error)
}

/// Ids of all matching items in sort order (exports, bulk actions).
pub fn ids(store: &super::Store, f: &Filter, sort: Sort) -> Result<Vec<i64>> {
    let conn = &store.conn;
    let sql = where_sql(store, f, Mode::Membership)?;
    let q = format!(
        "SELECT items.id FROM items WHERE {} ORDER BY {}",
        where_text(&sql),
        order_sql(sort)
    );
    let mut st = conn.prepare_cached(&q)?;
    let rows = st
        .query_map(rusqlite::params_from_iter(sql.params.iter()), |r| r.get(0))
        .map_err(map_fts_error)?;
    rows.collect::<rusqlite::Result<Vec<_>>>().map_err(map_fts_error)
}

/// [`ids`] in id order (the table's own order, so no sort and no index lookups).
pub fn ids_in_storage_order(store: &super::Store, f: &Filter) -> Result<Vec<i64>> {
    let sql = where_sql(store, f, Mode::Membership)?;
    let q = format!(
        "SELECT items.id FROM items WHERE {} ORDER BY items.id",
        where_text(&sql)
    );
    let mut st = store.conn.prepare_cached(&q)?;
    let rows = st
        .query_map(rusqlite::params_from_iter(sql.params.iter()), |r| r.get(0))
        .map_err(map_fts_error)?;
    rows.collect::<rusqlite::Result<Vec<_>>>().map_err(map_fts_error)
}

pub fn count(store: &super::Store, f: &Filter) -> Result<i64> {
    let conn = &store.conn;
    // The index holds live items only, so a pure full-text count needs no item rows.
    if fts_only(f) {
        if let Some(expr) = required_fts(f) {
            return Ok(store.fts.matches(conn, &expr)?.len());
        }
    }
    let sql = where_sql(store, f, Mode::Membership)?;
    let q = format!("SELECT count(*) FROM items WHERE {}", where_text(&sql));
    let mut st = conn.prepare_cached(&q)?;
    st.query_row(rusqlite::params_from_iter(sql.params.iter()), |r| r.get(0))
        .map_err(map_fts_error)
}

/// Live items per access status.
pub fn access_counts(conn: &Connection) -> Result<Vec<(AccessStatus, i64)>> {
    let mut st = conn.prepare("SELECT access, count(*) FROM items WHERE deleted_at IS NULL GROUP BY access")?;
    let rows = st.query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)?)))?;
    let mut out: Vec<(AccessStatus, i64)> = AccessStatus::ALL.iter().map(|a| (*a, 0)).collect();
    for row in rows {
        let (a, n) = row?;
        if let Some(slot) = out.iter_mut().find(|(s, _)| s.as_str() == a) {
            slot.1 = n;
        }
    }
    Ok(out)
}

/// An item's id, key, `date_modified` and cached rendering (when still valid).
pub type CachedRendering = (i64, String, String, Option<String>);

/// For each matching item in key order: id, key, `date_modified`, and its cached rendering
/// for `variant` when still valid (one query; auto-exports re-render only what changed).
pub fn cached_renderings(store: &super::Store, f: &Filter, variant: &str) -> Result<Vec<CachedRendering>> {
    let conn = &store.conn;
    let mut sql = where_sql(store, f, Mode::Membership)?;
    let v = sql.p(variant.to_string());
    let q = format!(
        "SELECT items.id, items.key, items.date_modified, c.text FROM items \
         LEFT JOIN export_cache c ON c.item_id = items.id AND c.variant = {v} AND c.modified = items.date_modified \
         WHERE {} ORDER BY items.id",
        where_text(&sql)
    );
    // In id order both tables are read front to back (the covering index
    // `items_live_modified` and the cache's primary key); sorted by key here.
    let mut st = conn.prepare_cached(&q)?;
    let rows = st
        .query_map(rusqlite::params_from_iter(sql.params.iter()), |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?))
        })
        .map_err(map_fts_error)?;
    let mut rows = rows
        .collect::<rusqlite::Result<Vec<(i64, String, String, Option<String>)>>>()
        .map_err(map_fts_error)?;
    rows.sort_by(|a, b| a.1.cmp(&b.1).then(a.0.cmp(&b.0)));
    Ok(rows)
}
