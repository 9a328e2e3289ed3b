//! Object versions (schema version 15).
//!
//! Every journaled action, and every undo or redo, gives the library the next version number
//! and stamps each object it touched with it, in the action's own transaction — the journal
//! already knows the objects, so nothing can change without its version moving. Objects no
//! action touched since the schema got versions have version [`BASE`]. An object the action
//! removed for good keeps its row, flagged `deleted` (a tombstone), so a client can ask what
//! disappeared since the version it saw.
//!
//! What it serves: Zotero's `version`, `since=`, `If-Modified-Since-Version`,
//! `Last-Modified-Version` and `/deleted`, and (with the journal) what a sync pushes next.

use super::{saved, tags, Change};
use crate::error::Result;
use rusqlite::types::{ToSql, ToSqlOutput, Value, ValueRef};
use rusqlite::{params, Connection, OptionalExtension};
use std::collections::HashMap;

/// The version of every object (and of the library) before the first versioned action.
pub const BASE: i64 = 1;

/// What kind of object a version belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Kind {
    Item = 0,
    Collection = 1,
    /// A saved search, by its name in lower case.
    Search = 2,
    /// A tag, by its name in lower case (a rename deletes the old name).
    Tag = 3,
    /// A library setting (`meta` key).
    Setting = 4,
}

/// An object's identity within its kind: a database id or a name.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum ObjectId {
    Id(i64),
    Name(String),
}

impl ToSql for ObjectId {
    fn to_sql(&self) -> rusqlite::Result<ToSqlOutput<'_>> {
        Ok(match self {
            ObjectId::Id(i) => ToSqlOutput::Owned(Value::Integer(*i)),
            ObjectId::Name(s) => ToSqlOutput::Borrowed(ValueRef::Text(s.as_bytes())),
        })
    }
}

pub(crate) fn object_id_of(v: ValueRef<'_>) -> ObjectId {
    match v {
        ValueRef::Integer(i) => ObjectId::Id(i),
        other => ObjectId::Name(
            other
                .as_str()
                .map(str::to_string)
                .unwrap_or_else(|_| String::from_utf8_lossy(other.as_bytes().unwrap_or_default()).into_owned()),
        ),
    }
}

/// One object's version.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Versioned {
    pub id: ObjectId,
    pub version: i64,
}

/// The library's version: that of its latest change.
pub fn library_version(conn: &Connection) -> Result<i64> {
    Ok(conn
        .query_row("SELECT version FROM library_version WHERE id = 1", [], |r| r.get(0))
        .optional()?
        .unwrap_or(BASE))
}

/// The next library version, for the action being committed in `tx`.
pub(super) fn next(tx: &Connection) -> Result<i64> {
    Ok(tx.query_row(
        "UPDATE library_version SET version = version + 1 WHERE id = 1 RETURNING version",
        [],
        |r| r.get(0),
    )?)
}

/// Stamp every object of `changes` (their states before the action or the undo/redo step;
/// the library holds the states after it) with `version`, flagging those it removed.
pub(super) fn stamp(tx: &Connection, version: i64, changes: &[Change]) -> Result<()> {
    let mut put = tx.prepare_cached(
        "INSERT INTO object_versions (kind, id, version, deleted) VALUES (?1, ?2, ?3, ?4) \
         ON CONFLICT (kind, id) DO UPDATE SET version = excluded.version, deleted = excluded.deleted",
    )?;
    let mut item_exists = tx.prepare_cached("SELECT EXISTS (SELECT 1 FROM items WHERE id = ?1)")?;
    let mut collection_exists = tx.prepare_cached("SELECT EXISTS (SELECT 1 FROM collections WHERE id = ?1)")?;
    let mut mark = |kind: Kind, id: ObjectId, deleted: bool| -> Result<()> {
        put.execute(params![kind as i64, id, version, deleted])?;
        Ok(())
    };
    for c in changes {
        match c {
            // A new item exists after its action: only a changed one may have gone.
            Change::Item { id, state: None } => mark(Kind::Item, ObjectId::Id(*id), false)?,
            Change::Item { id, state: Some(_) } | Change::Tags { id, .. } => {
                let exists: bool = item_exists.query_row([id], |r| r.get(0))?;
                mark(Kind::Item, ObjectId::Id(*id), !exists)?;
            }
            Change::Collection { id, .. } => {
                let exists: bool = collection_exists.query_row([id], |r| r.get(0))?;
                mark(Kind::Collection, ObjectId::Id(*id), !exists)?;
            }
            Change::Tag { id, state } => {
                let now = tags::name_of(tx, *id)?;
                if let Some(old) = state {
                    if now.as_deref().is_none_or(|n| !n.eq_ignore_ascii_case(old)) {
                        mark(Kind::Tag, ObjectId::Name(old.to_lowercase()), true)?;
                    }
                }
                if let Some(now) = now {
                    mark(Kind::Tag, ObjectId::Name(now.to_lowercase()), false)?;
                }
            }
            Change::Saved { name, .. } => {
                let exists = saved::get(tx, name)?.is_some();
                mark(Kind::Search, ObjectId::Name(name.to_lowercase()), !exists)?;
            }
            Change::Meta { key, .. } => {
                let exists = super::meta::get(tx, key)?.is_some();
                mark(Kind::Setting, ObjectId::Name(key.clone()), !exists)?;
            }
        }
    }
    Ok(())
}

/// What [`stamp`] needs of a change, without the object's full state: the identity, and a
/// tag's name (a rename deletes the old name). Whether the object is there afterwards is
/// looked up.
pub(super) fn reference(c: &Change) -> Change {
    match c {
        Change::Item { id, .. } | Change::Tags { id, .. } => Change::Tags { id: *id, state: None },
        Change::Collection { id, .. } => Change::Collection { id: *id, state: None },
        Change::Tag { id, state } => Change::Tag {
            id: *id,
            state: state.clone(),
        },
        Change::Meta { key, .. } => Change::Meta {
            key: key.clone(),
            state: None,
        },
        Change::Saved { name, .. } => Change::Saved {
            name: name.clone(),
            state: None,
        },
    }
}

/// Objects of `kind` changed (and still there) after version `since`, oldest change first.
pub fn changed_since(conn: &Connection, kind: Kind, since: i64) -> Result<Vec<Versioned>> {
    list(conn, kind, since, false)
}

/// Objects of `kind` removed for good after version `since`.
pub fn deleted_since(conn: &Connection, kind: Kind, since: i64) -> Result<Vec<Versioned>> {
    list(conn, kind, since, true)
}

fn list(conn: &Connection, kind: Kind, since: i64, deleted: bool) -> Result<Vec<Versioned>> {
    let mut st = conn.prepare_cached(
        "SELECT id, version FROM object_versions WHERE kind = ?1 AND version > ?2 AND deleted = ?3 \
         ORDER BY version, id",
    )?;
    let rows = st.query_map(params![kind as i64, since, deleted], |r| {
        Ok(Versioned {
            id: object_id_of(r.get_ref(0)?),
            version: r.get(1)?,
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// The version of one object ([`BASE`] when no action touched it since versions began).
pub fn version_of(conn: &Connection, kind: Kind, id: &ObjectId) -> Result<i64> {
    let mut st = conn.prepare_cached("SELECT version FROM object_versions WHERE kind = ?1 AND id = ?2")?;
    Ok(st
        .query_row(params![kind as i64, id], |r| r.get(0))
        .optional()?
        .unwrap_or(BASE))
}

/// The versions of these objects of `kind` by database id (missing ones have [`BASE`]).
pub fn versions_of(conn: &Connection, kind: Kind, ids: &[i64]) -> Result<HashMap<i64, i64>> {
    let mut out = HashMap::with_capacity(ids.len());
    for &id in ids {
        out.insert(id, version_of(conn, kind, &ObjectId::Id(id))?);
    }
    Ok(out)
}
