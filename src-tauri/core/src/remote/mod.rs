//! The shared library's server, as a replica sees it (issue 27).
//!
//! Every member keeps the whole library in their own SQLite file; the server holds the shared
//! state as versioned objects (items, collections, saved searches), each a JSON state with the
//! library version that last changed it, tombstones for deleted ones, and an append-only log of
//! the actions that changed them. A replica pushes its actions and pulls what is newer than the
//! last version it saw; merging, conflicts and the local side are [`crate::sync`]'s and
//! [`crate::library::replica`]'s business, not the server's: the server only checks versions
//! (optimistic concurrency), keeps citation keys unique among live items and serialises writers
//! per library.
//!
//! [`Remote`] is the server's interface; [`postgres::PgRemote`] implements it on a stock
//! PostgreSQL server. Other bridges (Zotero groups through the Web API, JabRef's shared schema)
//! would be other implementations.

#[cfg(feature = "sync")]
pub mod keychain;
#[cfg(feature = "sync")]
pub mod postgres;

use crate::error::Result;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::future::Future;
use std::time::Duration;

pub use uuid::Uuid;

/// What kind of object a shared object is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ObjectKind {
    Item = 0,
    Collection = 1,
    /// A saved search.
    Search = 2,
}

impl ObjectKind {
    pub fn as_i16(self) -> i16 {
        self as i16
    }

    pub fn from_i16(v: i16) -> Option<ObjectKind> {
        match v {
            0 => Some(ObjectKind::Item),
            1 => Some(ObjectKind::Collection),
            2 => Some(ObjectKind::Search),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            ObjectKind::Item => "item",
            ObjectKind::Collection => "collection",
            ObjectKind::Search => "search",
        }
    }
}

/// A pushed object's state: JSON text, as the server stores it (a 50k-item push holds its
/// states as text, not as parsed values, which take several times the memory).
pub type State = Box<serde_json::value::RawValue>;

/// `v` as a pushed state.
pub fn state(v: &Value) -> State {
    serde_json::value::to_raw_value(v).expect("a JSON value serializes")
}

/// One object a push writes: its new state (or its deletion) and the server version the
/// replica last saw of it.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct PushObject {
    pub uuid: Uuid,
    pub kind: ObjectKind,
    /// The server version of the object this change was made against; 0 for an object the
    /// server has never had. The push is refused ([`PushOutcome::Stale`]) when the server's
    /// version of any object differs.
    pub base: i64,
    /// The new state; `None` deletes the object (the server keeps a tombstone).
    pub state: Option<State>,
    /// An item's citation key (`None` for other kinds and deleted items). Unique among the
    /// server's live items (exact comparison, as in the local library).
    pub citekey: Option<String>,
}

/// One action of a replica, pushed as one server transaction.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Push {
    /// The action's id (UUIDv7, made by the replica before the first attempt): pushing the same
    /// action again writes nothing and answers [`PushOutcome::AlreadyApplied`].
    pub action: Uuid,
    /// Who did it, as the change log and the shared history show it.
    pub author: String,
    /// What was done ("Import 7,312 items", "Edit Smith2020").
    pub label: String,
    pub objects: Vec<PushObject>,
}

/// A citation key another live item holds on the server.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct KeyClash {
    /// The pushed item.
    pub uuid: Uuid,
    pub key: String,
    /// The server's item that holds the key.
    pub holder: Uuid,
}

/// What a push did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum PushOutcome {
    /// Committed as this library version (every pushed object now has it).
    Applied { version: i64 },
    /// An earlier attempt of this action was committed as this version (a retry after a crash
    /// or a lost answer); nothing was written now.
    AlreadyApplied { version: i64 },
    /// Nothing written: these objects changed on the server since their base version. The
    /// replica pulls, merges and pushes again.
    Stale { uuids: Vec<Uuid> },
    /// Nothing written: these citation keys are held by other live items.
    KeysTaken { clashes: Vec<KeyClash> },
}

/// An object as the server holds it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RemoteObject {
    pub uuid: Uuid,
    pub kind: ObjectKind,
    /// The library version that last changed it.
    pub version: i64,
    /// `None`: deleted (a tombstone).
    pub state: Option<Value>,
    pub citekey: Option<String>,
    /// Who changed it last.
    pub author: String,
}

/// Where a pull goes on: after this (version, uuid), in that order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Default, Serialize, Deserialize)]
pub struct Cursor {
    pub version: i64,
    pub uuid: Uuid,
}

impl Cursor {
    /// Everything after library version `version`.
    pub fn after(version: i64) -> Cursor {
        Cursor {
            version,
            uuid: Uuid::max(),
        }
    }
}

/// A page of objects changed after a cursor, in (version, uuid) order.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Page {
    pub objects: Vec<RemoteObject>,
    /// The library's version when the page was read.
    pub library_version: i64,
    /// Where the next page starts; `None` when this was the last.
    pub next: Option<Cursor>,
}

/// One object an action changed, as the change log keeps it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SharedChange {
    pub kind: ObjectKind,
    pub uuid: Uuid,
    /// The server's state before the action (`None`: new).
    pub before: Option<Value>,
    /// The state after it (`None`: deleted).
    pub after: Option<Value>,
}

/// An action in the shared history (the server's change log).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SharedAction {
    pub version: i64,
    pub action: Uuid,
    pub author: String,
    pub label: String,
    /// RFC 3339, the server's clock.
    pub at: String,
    pub changes: Vec<SharedChange>,
}

/// A shared library's server. Every method is one round trip or one server transaction; a
/// connection that cannot be made or is lost is [`crate::Error::Offline`].
pub trait Remote: Send {
    /// The server and library for messages, without any password.
    fn describe(&self) -> String;

    /// Whether this member may change the library (a read-only member's role has `SELECT`
    /// only).
    fn can_write(&mut self) -> impl Future<Output = Result<bool>> + Send;

    /// The library's current version (0 for a library nothing was pushed to).
    fn library_version(&mut self) -> impl Future<Output = Result<i64>> + Send;

    /// Commit one action, all or nothing.
    fn push(&mut self, push: &Push) -> impl Future<Output = Result<PushOutcome>> + Send;

    /// The version an action was committed as, if it was.
    fn applied(&mut self, action: Uuid) -> impl Future<Output = Result<Option<i64>>> + Send;

    /// Objects changed after `after`, at most `limit` (an action's objects may span pages).
    fn pull(&mut self, after: Cursor, limit: usize) -> impl Future<Output = Result<Page>> + Send;

    /// The newest actions first, at most `limit`; only those that changed `object` when given.
    fn history(&mut self, object: Option<Uuid>, limit: usize)
        -> impl Future<Output = Result<Vec<SharedAction>>> + Send;

    /// Wait until the library's version is past `known` (another member pushed) or `timeout`
    /// passed; whether it moved. Woken by the server's notifications where it has them.
    fn wait_for_change(&mut self, known: i64, timeout: Duration) -> impl Future<Output = Result<bool>> + Send;
}

/// How long a pull or push may wait for the server before the replica counts as offline.
pub const TIMEOUT: Duration = Duration::from_secs(20);
