//! The server's SQL: schema creation, push, pull, history (the schema is `schema.sql`).
//!
//! Each function is one statement or one transaction on a connected client; the caller maps
//! connection errors to [`crate::Error::Offline`] and reconnects.

use crate::error::Error;
use crate::remote::{
    Cursor, KeyClash, ObjectKind, Page, Push, PushOutcome, RemoteObject, SharedAction, SharedChange, Uuid,
};
use rustc_hash::{FxHashMap, FxHashSet};
use serde_json::Value;
use std::pin::pin;
use tokio_postgres::binary_copy::BinaryCopyInWriter;
use tokio_postgres::types::{Json, Type};
use tokio_postgres::{Client, Row};

/// The schema version this build creates and understands.
pub const SCHEMA_VERSION: i32 = 1;
const SCHEMA: &str = include_str!("schema.sql");
/// The NOTIFY channel; the payload is `<library id> <version>`.
pub const CHANNEL: &str = "folio_change";
/// Serialises schema creation among members connecting at once.
const SCHEMA_LOCK: i64 = 0x466f_6c69_6f27;

/// What went wrong: the server (connection or statement), or Folio's own check.
#[derive(Debug)]
pub enum Failure {
    Pg(tokio_postgres::Error),
    Folio(Error),
}

impl From<tokio_postgres::Error> for Failure {
    fn from(e: tokio_postgres::Error) -> Failure {
        Failure::Pg(e)
    }
}

type Result<T> = std::result::Result<T, Failure>;

fn server(msg: String) -> Failure {
    Failure::Folio(Error::Server(msg))
}

/// Creates the schema when it is missing (and the role may), checks its version, and finds
/// or creates the library; its id.
pub async fn prepare(client: &mut Client, library: &str, server_name: &str) -> Result<i64> {
    let tx = client.transaction().await?;
    tx.execute("SELECT pg_advisory_xact_lock($1)", &[&SCHEMA_LOCK]).await?;
    let exists: bool = tx
        .query_one("SELECT to_regclass('folio_schema') IS NOT NULL", &[])
        .await?
        .get(0);
    if exists {
        let version: Option<i32> = tx.query_one("SELECT max(version) FROM folio_schema", &[]).await?.get(0);
        let version = version.unwrap_or(0);
        if version > SCHEMA_VERSION {
            return Err(server(format!(
                "{server_name} has a Folio schema of version {version}, newer than this Folio knows \
                 ({SCHEMA_VERSION}): update Folio"
            )));
        }
    } else {
        let may: bool = tx
            .query_one("SELECT has_schema_privilege(current_schema(), 'CREATE')", &[])
            .await?
            .get(0);
        if !may {
            return Err(server(format!(
                "{server_name} has no Folio tables yet and this role may not create them: the group's \
                 admin connects once first (docs/sync.md)"
            )));
        }
        tx.batch_execute(SCHEMA).await?;
    }
    let found = tx
        .query_opt("SELECT id FROM folio_libraries WHERE name = $1", &[&library])
        .await?;
    let id = match found {
        Some(row) => row.get(0),
        None => {
            let may: bool = tx
                .query_one("SELECT has_table_privilege('folio_libraries', 'INSERT')", &[])
                .await?
                .get(0);
            if !may {
                return Err(Failure::Folio(Error::NotFound(format!(
                    "{server_name} has no shared library named {library:?}, and this role (read-only) \
                     may not create it"
                ))));
            }
            tx.query_one(
                "INSERT INTO folio_libraries (name) VALUES ($1) RETURNING id",
                &[&library],
            )
            .await?
            .get(0)
        }
    };
    tx.commit().await?;
    Ok(id)
}

pub async fn library_version(client: &Client, library: i64) -> Result<i64> {
    let row = client
        .query_opt("SELECT version FROM folio_libraries WHERE id = $1", &[&library])
        .await?;
    row.map(|r| r.get(0)).ok_or_else(gone)
}

fn gone() -> Failure {
    server("the shared library was removed from the server".into())
}

pub async fn can_write(client: &Client) -> Result<bool> {
    let row = client
        .query_one(
            "SELECT has_table_privilege('folio_objects', 'INSERT,UPDATE')
                AND has_table_privilege('folio_libraries', 'UPDATE')
                AND has_table_privilege('folio_actions', 'INSERT')
                AND has_table_privilege('folio_changes', 'INSERT')",
            &[],
        )
        .await?;
    Ok(row.get(0))
}

pub async fn applied(client: &Client, library: i64, action: Uuid) -> Result<Option<i64>> {
    let row = client
        .query_opt(
            "SELECT version FROM folio_actions WHERE library = $1 AND action = $2",
            &[&library, &action],
        )
        .await?;
    Ok(row.map(|r| r.get(0)))
}

/// Citation keys a push gives twice; duplicate objects are refused outright.
fn clashes_within(push: &Push) -> std::result::Result<Vec<KeyClash>, Error> {
    let mut seen = FxHashSet::default();
    let mut holders: FxHashMap<&str, Uuid> = FxHashMap::default();
    let mut clashes = Vec::new();
    for o in &push.objects {
        if !seen.insert(o.uuid) {
            return Err(Error::InvalidInput(format!("a push lists object {} twice", o.uuid)));
        }
        let Some(key) = live_key(o.kind, o.state.as_ref(), o.citekey.as_deref()) else {
            continue;
        };
        match holders.get(key) {
            Some(&holder) => clashes.push(KeyClash {
                uuid: o.uuid,
                key: key.to_string(),
                holder,
            }),
            None => {
                holders.insert(key, o.uuid);
            }
        }
    }
    Ok(clashes)
}

fn live_key<'a>(kind: ObjectKind, state: Option<&super::super::State>, key: Option<&'a str>) -> Option<&'a str> {
    (kind == ObjectKind::Item && state.is_some())
        .then_some(key)
        .flatten()
        .filter(|k| !k.is_empty())
}

/// One action as one transaction: the library row's lock, the action id, every object's base
/// version, citation keys; then objects, action, changes, the library's version and a NOTIFY.
/// `staging_ready`: this session has its staging table (kept across pushes, emptied at commit).
pub async fn push(client: &mut Client, staging_ready: &mut bool, library: i64, push: &Push) -> Result<PushOutcome> {
    let within = clashes_within(push).map_err(Failure::Folio)?;
    if !within.is_empty() {
        return Ok(PushOutcome::KeysTaken { clashes: within });
    }
    let tx = client.transaction().await?;
    let current: i64 = tx
        .query_opt(
            "SELECT version FROM folio_libraries WHERE id = $1 FOR UPDATE",
            &[&library],
        )
        .await?
        .ok_or_else(gone)?
        .get(0);
    let done = tx
        .query_opt("SELECT version FROM folio_actions WHERE action = $1", &[&push.action])
        .await?;
    if let Some(row) = done {
        return Ok(PushOutcome::AlreadyApplied { version: row.get(0) });
    }
    if !*staging_ready {
        tx.batch_execute(
            "CREATE TEMP TABLE IF NOT EXISTS folio_push (
                uuid uuid NOT NULL, kind smallint NOT NULL, base bigint NOT NULL,
                deleted boolean NOT NULL, citekey text, state json
             ) ON COMMIT DELETE ROWS",
        )
        .await?;
    }
    let sink = tx
        .copy_in("COPY pg_temp.folio_push (uuid, kind, base, deleted, citekey, state) FROM STDIN BINARY")
        .await?;
    let types = [Type::UUID, Type::INT2, Type::INT8, Type::BOOL, Type::TEXT, Type::JSON];
    let mut writer = pin!(BinaryCopyInWriter::new(sink, &types));
    for o in &push.objects {
        let key = if o.state.is_some() { o.citekey.as_deref() } else { None };
        let state = o.state.as_ref().map(Json);
        writer
            .as_mut()
            .write(&[&o.uuid, &o.kind.as_i16(), &o.base, &o.state.is_none(), &key, &state])
            .await?;
    }
    writer.finish().await?;
    // Every push analyses its staging table (about a millisecond for a few rows): a temporary
    // table has no statistics, and the planner's guess for one (thousands of rows) made it
    // hash-join the library's whole object table — every state, 354 MB at 100k items — for a
    // one-item push: 0.4–0.5 s per edit at 100k, measured.
    tx.batch_execute("ANALYZE pg_temp.folio_push").await?;
    let stale = tx
        .query(
            "SELECT p.uuid FROM pg_temp.folio_push p
             LEFT JOIN folio_objects o ON o.library = $1 AND o.uuid = p.uuid
             WHERE COALESCE(o.version, 0) <> p.base ORDER BY p.uuid",
            &[&library],
        )
        .await?;
    if !stale.is_empty() {
        return Ok(PushOutcome::Stale {
            uuids: stale.iter().map(|r| r.get(0)).collect(),
        });
    }
    // A holder that is itself in the push gives its key up (or was checked above).
    let taken = tx
        .query(
            "SELECT p.uuid, p.citekey, o.uuid FROM pg_temp.folio_push p
             JOIN folio_objects o ON o.library = $1 AND o.citekey = p.citekey
                AND o.kind = 0 AND NOT o.deleted AND o.citekey IS NOT NULL AND o.citekey <> ''
             WHERE p.kind = 0 AND NOT p.deleted AND p.citekey <> ''
                AND NOT EXISTS (SELECT 1 FROM pg_temp.folio_push q WHERE q.uuid = o.uuid)
             ORDER BY p.uuid",
            &[&library],
        )
        .await?;
    if !taken.is_empty() {
        let clashes = taken
            .iter()
            .map(|r| KeyClash {
                uuid: r.get(0),
                key: r.get(1),
                holder: r.get(2),
            })
            .collect();
        return Ok(PushOutcome::KeysTaken { clashes });
    }
    let version = current + 1;
    write(&tx, library, version, push).await?;
    tx.commit().await?;
    *staging_ready = true;
    Ok(PushOutcome::Applied { version })
}

/// The writes of a checked push, inside its transaction.
async fn write(tx: &tokio_postgres::Transaction<'_>, library: i64, version: i64, push: &Push) -> Result<()> {
    tx.execute(
        "INSERT INTO folio_actions (library, version, action, author, label) VALUES ($1, $2, $3, $4, $5)",
        &[&library, &version, &push.action, &push.author, &push.label],
    )
    .await?;
    tx.execute(
        "INSERT INTO folio_changes (library, version, kind, uuid, before, after)
         SELECT $1, $2, p.kind, p.uuid, o.state, p.state FROM pg_temp.folio_push p
         LEFT JOIN folio_objects o ON o.library = $1 AND o.uuid = p.uuid",
        &[&library, &version],
    )
    .await?;
    // Keys that move between pushed items (a swap) must be free before any row takes its new
    // one: the unique index is checked row by row.
    tx.execute(
        "UPDATE folio_objects o SET citekey = NULL FROM pg_temp.folio_push p
         WHERE o.library = $1 AND o.uuid = p.uuid AND o.citekey IS NOT NULL
            AND o.citekey IS DISTINCT FROM p.citekey",
        &[&library],
    )
    .await?;
    tx.execute(
        "INSERT INTO folio_objects (library, uuid, kind, version, deleted, citekey, state, author)
         SELECT $1, uuid, kind, $2, deleted, citekey, state, $3 FROM pg_temp.folio_push
         ON CONFLICT (library, uuid) DO UPDATE SET kind = EXCLUDED.kind, version = EXCLUDED.version,
            deleted = EXCLUDED.deleted, citekey = EXCLUDED.citekey, state = EXCLUDED.state,
            author = EXCLUDED.author",
        &[&library, &version, &push.author],
    )
    .await?;
    tx.execute(
        "UPDATE folio_libraries SET version = $2 WHERE id = $1",
        &[&library, &version],
    )
    .await?;
    tx.execute("SELECT pg_notify($1, $2)", &[&CHANNEL, &format!("{library} {version}")])
        .await?;
    Ok(())
}

/// The library and version a notification names.
pub fn parse_payload(payload: &str) -> Option<(i64, i64)> {
    let (l, v) = payload.split_once(' ')?;
    Some((l.parse().ok()?, v.parse().ok()?))
}

fn kind(v: i16) -> Result<ObjectKind> {
    ObjectKind::from_i16(v).ok_or_else(|| server(format!("the server holds an object of unknown kind {v}")))
}

/// One snapshot: the library's version and the page after `after`.
pub async fn pull(client: &Client, library: i64, after: Cursor, limit: usize) -> Result<Page> {
    let limit_sql = i64::try_from(limit).unwrap_or(i64::MAX);
    let rows = client
        .query(
            "WITH lib AS (SELECT version FROM folio_libraries WHERE id = $1)
             SELECT lib.version, o.uuid, o.kind, o.version, o.state, o.citekey, o.author
             FROM lib LEFT JOIN LATERAL (
                SELECT uuid, kind, version, state, citekey, author FROM folio_objects
                WHERE library = $1 AND (version, uuid) > ($2, $3)
                ORDER BY version, uuid LIMIT $4
             ) o ON true",
            &[&library, &after.version, &after.uuid, &limit_sql],
        )
        .await?;
    let library_version: i64 = rows.first().ok_or_else(gone)?.get(0);
    let mut objects = Vec::with_capacity(rows.len());
    for r in &rows {
        let Some(uuid) = r.get::<_, Option<Uuid>>(1) else {
            break;
        };
        let state: Option<Json<Value>> = r.get(4);
        objects.push(RemoteObject {
            uuid,
            kind: kind(r.get(2))?,
            version: r.get(3),
            state: state.map(|j| j.0),
            citekey: r.get(5),
            author: r.get(6),
        });
    }
    let next = match objects.last() {
        Some(last) if objects.len() == limit => Some(Cursor {
            version: last.version,
            uuid: last.uuid,
        }),
        _ => None,
    };
    Ok(Page {
        objects,
        library_version,
        next,
    })
}

fn action_of(r: &Row) -> SharedAction {
    SharedAction {
        version: r.get(0),
        action: r.get(1),
        author: r.get(2),
        label: r.get(3),
        at: r.get(4),
        changes: Vec::new(),
    }
}

/// The newest actions first with their changes (only `object`'s when given).
pub async fn history(client: &Client, library: i64, object: Option<Uuid>, limit: usize) -> Result<Vec<SharedAction>> {
    let limit = i64::try_from(limit).unwrap_or(i64::MAX);
    let at = r#"to_char(a.at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')"#;
    let rows = match object {
        Some(uuid) => {
            client
                .query(
                    &format!(
                        "SELECT a.version, a.action, a.author, a.label, {at} FROM folio_changes c
                         JOIN folio_actions a ON a.library = c.library AND a.version = c.version
                         WHERE c.library = $1 AND c.uuid = $2 ORDER BY c.version DESC LIMIT $3"
                    ),
                    &[&library, &uuid, &limit],
                )
                .await?
        }
        None => {
            client
                .query(
                    &format!(
                        "SELECT a.version, a.action, a.author, a.label, {at} FROM folio_actions a
                         WHERE a.library = $1 ORDER BY a.version DESC LIMIT $2"
                    ),
                    &[&library, &limit],
                )
                .await?
        }
    };
    let mut actions: Vec<SharedAction> = rows.iter().map(action_of).collect();
    let versions: Vec<i64> = actions.iter().map(|a| a.version).collect();
    let changes = client
        .query(
            "SELECT version, kind, uuid, before, after FROM folio_changes
             WHERE library = $1 AND version = ANY($2) AND ($3::uuid IS NULL OR uuid = $3)
             ORDER BY version DESC, uuid",
            &[&library, &versions, &object],
        )
        .await?;
    let mut by_version: FxHashMap<i64, usize> = FxHashMap::default();
    for (i, a) in actions.iter().enumerate() {
        by_version.insert(a.version, i);
    }
    for r in &changes {
        let version: i64 = r.get(0);
        let before: Option<Json<Value>> = r.get(3);
        let after: Option<Json<Value>> = r.get(4);
        if let Some(&i) = by_version.get(&version) {
            actions[i].changes.push(SharedChange {
                kind: kind(r.get(1))?,
                uuid: r.get(2),
                before: before.map(|j| j.0),
                after: after.map(|j| j.0),
            });
        }
    }
    Ok(actions)
}
