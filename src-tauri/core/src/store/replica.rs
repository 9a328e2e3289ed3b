//! A shared library's local bookkeeping (schema version 18): which server and library the
//! library is connected to, each shared object's id across replicas and the state last agreed
//! with the server, the outbox (what changed since), a push in flight, and the conflicts that
//! wait for the user. See `crate::library::replica` for what is done with it.

use super::versions::{Kind, ObjectId};
use super::Change;
use crate::error::Result;
use rusqlite::{params, Connection, OptionalExtension};

/// A value of the connection's settings.
pub fn state(conn: &Connection, key: &str) -> Result<Option<String>> {
    Ok(conn
        .prepare_cached("SELECT value FROM sync_state WHERE key = ?1")?
        .query_row([key], |r| r.get(0))
        .optional()?)
}

pub fn set_state(conn: &Connection, key: &str, value: Option<&str>) -> Result<()> {
    match value {
        Some(v) => conn
            .prepare_cached("INSERT INTO sync_state (key, value) VALUES (?1, ?2) ON CONFLICT (key) DO UPDATE SET value = excluded.value")?
            .execute(params![key, v])?,
        None => conn.prepare_cached("DELETE FROM sync_state WHERE key = ?1")?.execute([key])?,
    };
    Ok(())
}

/// Forget the connection and everything kept for it (disconnecting; a later connection to
/// another server starts afresh). Local objects are not touched.
pub fn forget_all(conn: &Connection) -> Result<()> {
    conn.execute_batch(
        "DELETE FROM sync_state; DELETE FROM sync_objects; DELETE FROM sync_outbox; \
         DELETE FROM sync_conflicts; DELETE FROM sync_waiting;",
    )?;
    Ok(())
}

/// Name the action that made library version `version` (for the push that sends it). Kept
/// for the last 1,000 versions while no server is connected.
pub(crate) fn label_action(conn: &Connection, version: i64, label: &str) -> Result<()> {
    conn.prepare_cached("INSERT OR REPLACE INTO action_labels (version, label, at) VALUES (?1, ?2, ?3)")?
        .execute(params![version, label, crate::text::now_rfc3339()])?;
    conn.prepare_cached(
        "DELETE FROM action_labels WHERE version < ?1 - 1000 \
         AND NOT EXISTS (SELECT 1 FROM sync_state WHERE key = 'remote')",
    )?
    .execute([version])?;
    Ok(())
}

/// The labels of library versions `from..=to`.
pub fn action_labels(conn: &Connection, from: i64, to: i64) -> Result<Vec<(i64, String)>> {
    let mut st = conn.prepare_cached("SELECT version, label FROM action_labels WHERE version BETWEEN ?1 AND ?2")?;
    let rows = st.query_map([from, to], |r| Ok((r.get(0)?, r.get(1)?)))?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// Forget the labels of versions up to `version` (all pushed).
pub fn prune_labels(conn: &Connection, version: i64) -> Result<()> {
    conn.prepare_cached("DELETE FROM action_labels WHERE version <= ?1")?
        .execute([version])?;
    Ok(())
}

/// One shared object's bookkeeping.
#[derive(Debug, Clone, PartialEq)]
pub struct SyncRow {
    pub kind: Kind,
    pub local: ObjectId,
    pub uuid: String,
    /// The server's version of [`SyncRow::base`]; 0: never on the server.
    pub server_version: i64,
    /// The state last agreed with the server (JSON).
    pub base: Option<String>,
    /// The local object version at which the library held the agreed state.
    pub synced: i64,
}

fn kind_of(v: i64) -> Kind {
    match v {
        0 => Kind::Item,
        1 => Kind::Collection,
        _ => Kind::Search,
    }
}

fn row_of(r: &rusqlite::Row<'_>) -> rusqlite::Result<SyncRow> {
    Ok(SyncRow {
        kind: kind_of(r.get(0)?),
        local: super::versions::object_id_of(r.get_ref(1)?),
        uuid: r.get(2)?,
        server_version: r.get(3)?,
        base: r.get(4)?,
        synced: r.get(5)?,
    })
}

const ROW: &str = "SELECT kind, local, uuid, server_version, base, synced FROM sync_objects";

pub fn row(conn: &Connection, kind: Kind, local: &ObjectId) -> Result<Option<SyncRow>> {
    Ok(conn
        .prepare_cached(&format!("{ROW} WHERE kind = ?1 AND local = ?2"))?
        .query_row(params![kind as i64, local], row_of)
        .optional()?)
}

pub fn row_by_uuid(conn: &Connection, uuid: &str) -> Result<Option<SyncRow>> {
    Ok(conn
        .prepare_cached(&format!("{ROW} WHERE uuid = ?1"))?
        .query_row([uuid], row_of)
        .optional()?)
}

/// The uuid of an object, given one when it has none (`make` makes it).
pub fn uuid_of(conn: &Connection, kind: Kind, local: &ObjectId, make: impl FnOnce() -> String) -> Result<String> {
    if let Some(r) = row(conn, kind, local)? {
        return Ok(r.uuid);
    }
    let uuid = make();
    conn.prepare_cached("INSERT INTO sync_objects (kind, local, uuid) VALUES (?1, ?2, ?3)")?
        .execute(params![kind as i64, local, uuid])?;
    Ok(uuid)
}

/// Insert a row for an object the server sent.
pub fn insert_row(conn: &Connection, kind: Kind, local: &ObjectId, uuid: &str) -> Result<()> {
    conn.prepare_cached("INSERT INTO sync_objects (kind, local, uuid) VALUES (?1, ?2, ?3)")?
        .execute(params![kind as i64, local, uuid])?;
    Ok(())
}

/// Key of the outbox watermark in `sync_state`.
const PUSHED_THROUGH: &str = "pushed_through";

/// The outbox watermark: every object whose local version is at most this one is agreed with
/// the server or held by a conflict, whose resolution ([`mark_dirty`]) lowers it again. Objects
/// changed (or made) since have later versions, so the outbox is read from the index of
/// object versions instead of from every object. 0: no push round has finished; every object is
/// looked at.
pub fn pushed_through(conn: &Connection) -> Result<i64> {
    Ok(state(conn, PUSHED_THROUGH)?.and_then(|v| v.parse().ok()).unwrap_or(0))
}

/// Every object up to local version `version` was pushed (or is held by a conflict).
pub fn set_pushed_through(conn: &Connection, version: i64) -> Result<()> {
    set_state(conn, PUSHED_THROUGH, Some(&version.to_string()))
}

/// The items, collections and saved searches without an id across replicas, as (kind, local
/// id): those stamped after `since` (objects made since the last push round have later
/// versions), or every one when `since` is 0.
fn unassigned(since: i64) -> &'static str {
    if since == 0 {
        "SELECT 0, id FROM items WHERE id NOT IN (SELECT local FROM sync_objects WHERE kind = 0) \
         UNION ALL SELECT 1, id FROM collections WHERE id NOT IN (SELECT local FROM sync_objects WHERE kind = 1) \
         UNION ALL SELECT 2, lower(name) FROM saved_searches \
           WHERE lower(name) NOT IN (SELECT local FROM sync_objects WHERE kind = 2)"
    } else {
        // `deleted` marks an object removed for good; one in the trash is not.
        "SELECT ov.kind, ov.id FROM object_versions ov \
         WHERE ov.kind IN (0, 1, 2) AND ov.version > ?1 AND ov.deleted = 0 \
           AND NOT EXISTS (SELECT 1 FROM sync_objects so WHERE so.kind = ov.kind AND so.local = ov.id)"
    }
}

/// Give every object `unassigned` names an id across replicas (those stamped after `since`, or all).
pub fn assign_uuids(conn: &Connection, since: i64, mut make: impl FnMut() -> String) -> Result<usize> {
    let missing: Vec<(i64, ObjectId)> = {
        let mut st = conn.prepare(&format!("{} ORDER BY 1 DESC, 2", unassigned(since)))?;
        let rows = st.query_map(since_params(since), |r| {
            Ok((r.get(0)?, super::versions::object_id_of(r.get_ref(1)?)))
        })?;
        rows.collect::<rusqlite::Result<_>>()?
    };
    let mut put = conn.prepare_cached("INSERT INTO sync_objects (kind, local, uuid) VALUES (?1, ?2, ?3)")?;
    for (kind, local) in &missing {
        put.execute(params![kind, local, make()])?;
    }
    Ok(missing.len())
}

/// An object in the outbox: changed since it was last agreed with the server, or never
/// pushed.
#[derive(Debug, Clone, PartialEq)]
pub struct Outgoing {
    pub row: SyncRow,
    /// Its local version now (the action that last changed it).
    pub version: i64,
    /// Removed for good locally.
    pub deleted: bool,
}

/// The watermark as the parameter of a query that reads after it (none when every object is
/// read).
fn since_params(since: i64) -> rusqlite::ParamsFromIter<Option<i64>> {
    rusqlite::params_from_iter((since != 0).then_some(since))
}

/// Which objects a query of the outbox reads: every one, or only those stamped after the
/// watermark ([`pushed_through`]).
fn outbox_from(since: i64) -> &'static str {
    if since == 0 {
        "FROM sync_objects so LEFT JOIN object_versions ov ON ov.kind = so.kind AND ov.id = so.local \
         WHERE coalesce(ov.version, 1) > so.synced OR so.server_version = 0"
    } else {
        "FROM object_versions ov JOIN sync_objects so ON so.kind = ov.kind AND so.local = ov.id \
         WHERE ov.kind IN (0, 1, 2) AND ov.version > ?1 \
           AND (ov.version > so.synced OR so.server_version = 0)"
    }
}

/// The outbox, oldest change first (objects of one action together, collections before
/// saved searches before items): the objects changed since they were last agreed with the
/// server, or never pushed, among those stamped after `since` (the watermark).
pub fn outbox(conn: &Connection, since: i64) -> Result<Vec<Outgoing>> {
    let mut st = conn.prepare(&format!(
        "SELECT so.kind, so.local, so.uuid, so.server_version, so.base, so.synced, \
                coalesce(ov.version, 1), coalesce(ov.deleted, 0) {} \
         ORDER BY coalesce(ov.version, 1), CASE so.kind WHEN 1 THEN 0 WHEN 2 THEN 1 ELSE 2 END, so.local",
        outbox_from(since)
    ))?;
    let rows = st.query_map(since_params(since), |r| {
        Ok(Outgoing {
            row: row_of(r)?,
            version: r.get(6)?,
            deleted: r.get(7)?,
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// How many objects wait to be pushed (without reading them): those held by a conflict and
/// those made since the last sync (no id yet) included.
pub fn outbox_len(conn: &Connection) -> Result<i64> {
    let since = pushed_through(conn)?;
    Ok(conn.query_row(
        &format!(
            "SELECT (SELECT count(*) FROM (SELECT so.uuid {} UNION SELECT uuid FROM sync_conflicts)) \
                  + (SELECT count(*) FROM ({}))",
            outbox_from(since),
            unassigned(since)
        ),
        since_params(since),
        |r| r.get(0),
    )?)
}

/// The object's local version now.
pub fn local_version(conn: &Connection, kind: Kind, local: &ObjectId) -> Result<i64> {
    super::versions::version_of(conn, kind, local)
}

/// Record what the server now holds of an object: its version and state (the new base), and
/// `synced` (the local version at which the library holds that state; `None` leaves it: the
/// library has changes the server does not).
pub fn agree(
    conn: &Connection,
    uuid: &str,
    server_version: i64,
    base: Option<&str>,
    synced: Option<i64>,
) -> Result<()> {
    conn.prepare_cached(
        "UPDATE sync_objects SET server_version = ?2, base = ?3, synced = coalesce(?4, synced) WHERE uuid = ?1",
    )?
    .execute(params![uuid, server_version, base, synced])?;
    Ok(())
}

/// Put an object in the outbox whatever its version (a conflict resolved in favour of this
/// side's state).
/// Its version may be under the watermark (a conflict held it back while later objects were
/// pushed): the watermark goes below it.
pub fn mark_dirty(conn: &Connection, uuid: &str) -> Result<()> {
    conn.prepare_cached("UPDATE sync_objects SET synced = 0 WHERE uuid = ?1")?
        .execute([uuid])?;
    let version: Option<i64> = conn
        .prepare_cached(
            "SELECT coalesce(ov.version, 1) FROM sync_objects so \
             LEFT JOIN object_versions ov ON ov.kind = so.kind AND ov.id = so.local WHERE so.uuid = ?1",
        )?
        .query_row([uuid], |r| r.get(0))
        .optional()?;
    if let Some(v) = version {
        if v <= pushed_through(conn)? {
            set_pushed_through(conn, v - 1)?;
        }
    }
    Ok(())
}

/// Note that a pull wrote the object (undo then refuses older steps that touched it).
pub fn mark_pulled(conn: &Connection, uuid: &str) -> Result<()> {
    conn.prepare_cached(
        "UPDATE sync_objects SET pulled_journal = (SELECT coalesce(max(id), 0) FROM journal) WHERE uuid = ?1",
    )?
    .execute([uuid])?;
    Ok(())
}

/// Forget an object (gone on both sides, or never pushed and gone).
pub fn remove_row(conn: &Connection, uuid: &str) -> Result<()> {
    conn.prepare_cached("DELETE FROM sync_objects WHERE uuid = ?1")?
        .execute([uuid])?;
    Ok(())
}

/// Point an object's row at another local object (a collection created on both sides, or a
/// saved search renamed by a pull).
pub fn relocate(conn: &Connection, uuid: &str, local: &ObjectId) -> Result<()> {
    conn.prepare_cached("UPDATE sync_objects SET local = ?2 WHERE uuid = ?1")?
        .execute(params![uuid, local])?;
    Ok(())
}

/// Whether a pull wrote any object after journal step `step` (cheap: most undos need no
/// closer look).
pub(crate) fn pulled_after(conn: &Connection, step: i64) -> Result<bool> {
    Ok(conn
        .prepare_cached("SELECT EXISTS (SELECT 1 FROM sync_objects WHERE pulled_journal >= ?1)")?
        .query_row([step], |r| r.get(0))?)
}

/// Of the objects `changes` names, those a pull wrote after journal step `step`, by name
/// (an item's key, a collection's or saved search's name).
pub(crate) fn pulled_objects(conn: &Connection, step: i64, changes: &[Change]) -> Result<Vec<String>> {
    let mut out = Vec::new();
    let mut st = conn.prepare_cached("SELECT pulled_journal >= ?3 FROM sync_objects WHERE kind = ?1 AND local = ?2")?;
    for c in changes {
        let (kind, local) = match c {
            Change::Item { id, .. } | Change::Tags { id, .. } => (Kind::Item, ObjectId::Id(*id)),
            Change::Collection { id, .. } => (Kind::Collection, ObjectId::Id(*id)),
            Change::Saved { name, .. } => (Kind::Search, ObjectId::Name(name.to_lowercase())),
            Change::Tag { .. } | Change::Meta { .. } => continue,
        };
        let hit: Option<bool> = st
            .query_row(params![kind as i64, local, step], |r| r.get(0))
            .optional()?;
        if hit == Some(true) {
            out.push(match (kind, &local) {
                (Kind::Item, ObjectId::Id(id)) => {
                    super::items::key_of(conn, *id)?.unwrap_or_else(|| format!("item {id}"))
                }
                (Kind::Collection, ObjectId::Id(id)) => super::collections::row(conn, *id)?
                    .map_or_else(|| format!("collection {id}"), |r| format!("collection {}", r.name)),
                (_, ObjectId::Name(n)) => format!("saved search {n}"),
                (_, ObjectId::Id(id)) => format!("object {id}"),
            });
        }
    }
    Ok(out)
}

/// A push in flight.
#[derive(Debug, Clone, PartialEq)]
pub struct InFlight {
    pub action: String,
    pub label: String,
    /// (uuid, local version when pushed).
    pub objects: Vec<(String, i64)>,
}

pub fn put_in_flight(conn: &Connection, p: &InFlight) -> Result<()> {
    let objects = serde_json::to_string(&p.objects).map_err(|e| crate::Error::Format(e.to_string()))?;
    conn.prepare_cached("INSERT OR REPLACE INTO sync_outbox (action, label, objects) VALUES (?1, ?2, ?3)")?
        .execute(params![p.action, p.label, objects])?;
    Ok(())
}

pub fn in_flight(conn: &Connection) -> Result<Vec<InFlight>> {
    let mut st = conn.prepare("SELECT action, label, objects FROM sync_outbox")?;
    let rows = st.query_map([], |r| {
        Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?, r.get::<_, String>(2)?))
    })?;
    let mut out = Vec::new();
    for row in rows {
        let (action, label, objects) = row?;
        let objects = serde_json::from_str(&objects).map_err(|e| crate::Error::Format(e.to_string()))?;
        out.push(InFlight { action, label, objects });
    }
    Ok(out)
}

pub fn remove_in_flight(conn: &Connection, action: &str) -> Result<()> {
    conn.prepare_cached("DELETE FROM sync_outbox WHERE action = ?1")?
        .execute([action])?;
    Ok(())
}

/// A field changed on both sides, waiting for the user.
#[derive(Debug, Clone, PartialEq)]
pub struct ConflictRow {
    pub id: i64,
    pub kind: Kind,
    pub uuid: String,
    pub field: String,
    pub base: Option<String>,
    pub mine: Option<String>,
    pub theirs: Option<String>,
    pub author: String,
    pub at: String,
}

/// Record a conflict (replacing an older one on the same field).
pub fn put_conflict(conn: &Connection, c: &ConflictRow) -> Result<()> {
    conn.prepare_cached(
        "INSERT INTO sync_conflicts (kind, uuid, field, base, mine, theirs, author, at) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8) \
         ON CONFLICT (uuid, field) DO UPDATE SET base = excluded.base, mine = excluded.mine, \
         theirs = excluded.theirs, author = excluded.author, at = excluded.at",
    )?
    .execute(params![
        c.kind as i64,
        c.uuid,
        c.field,
        c.base,
        c.mine,
        c.theirs,
        c.author,
        c.at
    ])?;
    Ok(())
}

pub fn conflicts(conn: &Connection) -> Result<Vec<ConflictRow>> {
    let mut st =
        conn.prepare("SELECT id, kind, uuid, field, base, mine, theirs, author, at FROM sync_conflicts ORDER BY id")?;
    let rows = st.query_map([], |r| {
        Ok(ConflictRow {
            id: r.get(0)?,
            kind: kind_of(r.get(1)?),
            uuid: r.get(2)?,
            field: r.get(3)?,
            base: r.get(4)?,
            mine: r.get(5)?,
            theirs: r.get(6)?,
            author: r.get(7)?,
            at: r.get(8)?,
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

pub fn remove_conflict(conn: &Connection, uuid: &str, field: &str) -> Result<bool> {
    Ok(conn
        .prepare_cached("DELETE FROM sync_conflicts WHERE uuid = ?1 AND field = ?2")?
        .execute([uuid, field])?
        > 0)
}

/// The objects with open conflicts (held back from pushes).
pub fn conflicted(conn: &Connection) -> Result<std::collections::HashSet<String>> {
    let mut st = conn.prepare_cached("SELECT DISTINCT uuid FROM sync_conflicts")?;
    let rows = st.query_map([], |r| r.get(0))?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// Remember that a local object refers to a shared object this replica has not received yet
/// (an item filed in a collection, a collection under a parent, from a later page of a pull).
pub fn wait_for(conn: &Connection, awaited: &str, kind: Kind, local: &ObjectId) -> Result<()> {
    conn.prepare_cached("INSERT OR IGNORE INTO sync_waiting (awaited, kind, local) VALUES (?1, ?2, ?3)")?
        .execute(params![awaited, kind as i64, local])?;
    Ok(())
}

/// The local objects waiting for `awaited`, forgotten.
pub fn take_waiting(conn: &Connection, awaited: &str) -> Result<Vec<(Kind, ObjectId)>> {
    let out: Vec<(Kind, ObjectId)> = {
        let mut st = conn.prepare_cached("SELECT kind, local FROM sync_waiting WHERE awaited = ?1")?;
        let rows = st.query_map([awaited], |r| {
            Ok((kind_of(r.get(0)?), super::versions::object_id_of(r.get_ref(1)?)))
        })?;
        rows.collect::<rusqlite::Result<_>>()?
    };
    if !out.is_empty() {
        conn.prepare_cached("DELETE FROM sync_waiting WHERE awaited = ?1")?
            .execute([awaited])?;
    }
    Ok(out)
}
