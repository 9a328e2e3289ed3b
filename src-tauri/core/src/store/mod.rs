//! The SQLite library. This module is the only place with SQL.
//!
//! - [`Store::open`] creates or opens a library: connection pragmas (WAL, foreign keys, busy
//!   timeout), a backup before any migration, the migrations, and refusal of libraries written
//!   by a newer Folio.
//! - Every user action runs in [`Store::write`]: one `BEGIN IMMEDIATE` transaction with a
//!   [`Writer`] that records the touched objects' prior states in the undo journal.
//! - Reads go through the plain connection ([`Store::conn`]).

pub mod attachments;
pub(crate) mod backfill;
pub(crate) mod batches;
pub(crate) mod collections;
pub(crate) mod derive;
pub(crate) mod exports;
mod fingerprints;
pub mod fulltext;
pub(crate) mod items;
pub(crate) mod journal;
pub(crate) mod meta;
mod open;
pub mod replica;
pub(crate) mod saved;
pub mod search;
pub(crate) mod tags;
pub mod versions;

pub use collections::{CollectionId, CollectionRow};
pub use items::{ItemSnapshot, ItemSummary};
pub use journal::{Change, DamagedStep, History, HistoryEntry, Stepped};
pub use open::{Opened, CHECK_EVERY_WRITE_BELOW, CHECK_INTERVAL};
/// The library's connection, as the use cases hand it to the store's functions.
pub(crate) use rusqlite::Connection;
pub use saved::SavedSearch;
pub use tags::TagCount;

use crate::error::{Error, Result};
use rusqlite::{OpenFlags, OptionalExtension, TransactionBehavior};
use rusqlite_migration::{Migrations, M};
use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// 'FOLI' — marks an SQLite file as a Folio library.
pub const APPLICATION_ID: i64 = 1179602249;

/// The schema, in order. Append only: never edit or reorder a shipped migration.
pub fn migrations() -> Migrations<'static> {
    Migrations::new(vec![
        M::up(include_str!("migrations/0001-initial.sql")),
        M::up(include_str!("migrations/0002-saved-searches.sql")),
        M::up(include_str!("migrations/0003-latex-workflow.sql")),
        M::up_with_hook(
            include_str!("migrations/0004-dedupe-fingerprint.sql"),
            |tx: &rusqlite::Transaction| {
                backfill::fill_dedupe_records(tx).map_err(|e| rusqlite_migration::HookError::Hook(e.to_string()))
            },
        ),
        M::up_with_hook(
            include_str!("migrations/0005-source-current.sql"),
            |tx: &rusqlite::Transaction| {
                backfill::fill_source_current(tx).map_err(|e| rusqlite_migration::HookError::Hook(e.to_string()))
            },
        ),
        M::up_with_hook(
            include_str!("migrations/0006-fts-settings.sql"),
            |tx: &rusqlite::Transaction| {
                items::rebuild_fts(tx).map_err(|e| rusqlite_migration::HookError::Hook(e.to_string()))
            },
        ),
        M::up(include_str!("migrations/0007-container-index.sql")),
        M::up_with_hook(
            include_str!("migrations/0008-access-check.sql"),
            |tx: &rusqlite::Transaction| {
                backfill::check_access_rewritten(tx).map_err(|e| rusqlite_migration::HookError::Hook(e.to_string()))
            },
        ),
        M::up_with_hook(
            include_str!("migrations/0009-title-sort-display.sql"),
            |tx: &rusqlite::Transaction| {
                backfill::refill_title_sort(tx).map_err(|e| rusqlite_migration::HookError::Hook(e.to_string()))
            },
        ),
        M::up_with_hook(
            include_str!("migrations/0010-index-without-command-names.sql"),
            |tx: &rusqlite::Transaction| {
                backfill::reindex_command_names(tx).map_err(|e| rusqlite_migration::HookError::Hook(e.to_string()))
            },
        ),
        M::up_with_hook(
            include_str!("migrations/0011-source-checks.sql"),
            |tx: &rusqlite::Transaction| {
                backfill::fill_source_checks(tx).map_err(|e| rusqlite_migration::HookError::Hook(e.to_string()))
            },
        ),
        M::up_with_hook(
            include_str!("migrations/0012-stable-fingerprints.sql"),
            |tx: &rusqlite::Transaction| {
                fingerprints::restamp_source_fingerprints(tx)
                    .map_err(|e| rusqlite_migration::HookError::Hook(e.to_string()))
            },
        ),
        M::up(include_str!("migrations/0013-source-batch.sql")),
        M::up(include_str!("migrations/0014-journal-parts.sql")),
        M::up(include_str!("migrations/0015-object-versions.sql")),
        M::up(include_str!("migrations/0016-attachments.sql")),
        M::up(include_str!("migrations/0017-fulltext.sql")),
        M::up(include_str!("migrations/0018-sync.sql")),
    ])
}

/// The schema version this build writes.
pub fn schema_version() -> i64 {
    18
}

pub struct Store {
    conn: Connection,
    /// The last full-text evaluation (see `search::FtsCache`).
    fts: search::FtsCache,
    path: Option<PathBuf>,
    /// Set by every committed write; auto-exports sync when it is set.
    changed: bool,
    /// Created, read-only (see `open.rs`).
    opened: Opened,
    /// Whether the integrity check before the first write passed (see `open.rs`).
    soundness: open::Soundness,
}

fn busy(e: rusqlite::Error) -> Error {
    match e.sqlite_error_code() {
        Some(rusqlite::ErrorCode::DatabaseBusy) | Some(rusqlite::ErrorCode::DatabaseLocked) => Error::Busy,
        _ => Error::Db(e),
    }
}

impl Store {
    /// Open (or create) the library at `path`, migrating it to the current schema.
    pub fn open(path: &Path) -> Result<Store> {
        Self::open_with(path, None)
    }

    /// Whether opening the library at `path` will upgrade it, and from which schema version to
    /// which: `None` for a library already at this build's version, a new or empty file, or a
    /// file that will not open (opening it says why). Read without changing the file, so a
    /// caller can say "upgrading" before the (for a large library, several seconds') migration
    /// starts.
    pub fn pending_upgrade(path: &Path) -> Option<(i64, i64)> {
        if !path.is_file() {
            return None;
        }
        let conn =
            Connection::open_with_flags(path, OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX)
                .ok()?;
        let found: i64 = conn.query_row("PRAGMA user_version", [], |r| r.get(0)).ok()?;
        let app_id: i64 = conn.query_row("PRAGMA application_id", [], |r| r.get(0)).ok()?;
        (found > 0 && found < schema_version() && app_id == APPLICATION_ID).then_some((found, schema_version()))
    }

    /// Open and migrate only up to `version` (tests of the upgrade path).
    pub fn open_at_version(path: &Path, version: usize) -> Result<Store> {
        Self::open_with(path, Some(version))
    }

    /// A fresh library in memory (tests, previews).
    pub fn open_in_memory() -> Result<Store> {
        let mut store = Store::new(Connection::open_in_memory()?, None, None);
        store.configure()?;
        store.migrate(None)?;
        Ok(store)
    }

    fn configure(&mut self) -> Result<()> {
        // How long a writer waits for another process's write to finish before giving up with
        // "library is busy" (FOLIO_BUSY_TIMEOUT_MS overrides the 10 s default).
        let wait = std::env::var("FOLIO_BUSY_TIMEOUT_MS")
            .ok()
            .and_then(|v| v.parse().ok())
            .unwrap_or(10_000);
        self.conn.busy_timeout(Duration::from_millis(wait))?;
        self.conn.set_prepared_statement_cache_capacity(64);
        self.fts.register(&self.conn)?;
        // A new library gets 16 KiB pages: items average 2–3 KB (the source record is kept),
        // and 4 KiB pages hold one or two of them with much space left over. (An existing
        // library keeps its page size; it cannot change in WAL mode.)
        // A library that can only be read keeps its journal mode (it cannot be changed).
        if self.opened.read_only.is_none() {
            let pages: i64 = self.conn.query_row("PRAGMA page_count", [], |r| r.get(0))?;
            if pages == 0 {
                self.conn.execute_batch("PRAGMA page_size = 16384")?;
            }
            // Another process's first import holds the library in rollback-journal mode until it
            // commits (see `begin_write_once`): wait for it like any writer, then say it is busy.
            let mode: String = self
                .conn
                .query_row("PRAGMA journal_mode = WAL", [], |r| r.get(0))
                .map_err(busy)?;
            debug_assert!(mode == "wal" || mode == "memory");
        }
        // A 32 MB page cache: reads go through the memory map below, so the cache holds the pages
        // a write changes. A 100k-entry import took the same time with 32 MB as with 64 MB and
        // peaked 35 MB lower (about 265 MB instead of 300).
        self.conn.execute_batch(
            "PRAGMA foreign_keys = ON; PRAGMA synchronous = NORMAL; PRAGMA temp_store = MEMORY; \
             PRAGMA cache_size = -32768;",
        )?;
        // Reads go through a memory map instead of copying every page into SQLite's cache:
        // searches that look up thousands of (wide) item rows and exports that read the whole
        // library are several times faster. The mapped pages are the OS's file cache (shared,
        // clean; counted in the resident size only while mapped). Writes still go through
        // SQLite's cache and the WAL. Where maps are unsupported this stays 0.
        let _ = self
            .conn
            .query_row("PRAGMA mmap_size = 1073741824", [], |r| r.get::<_, i64>(0))
            .optional()?;

        Ok(())
    }

    fn user_version(&self) -> Result<i64> {
        Ok(self.conn.query_row("PRAGMA user_version", [], |r| r.get(0))?)
    }

    fn migrate(&mut self, target: Option<usize>) -> Result<()> {
        let path = self.path.clone().unwrap_or_else(|| PathBuf::from(":memory:"));
        let current = self.user_version()?;
        let latest = schema_version();
        if current > latest {
            return Err(Error::TooNew {
                path,
                found: current,
                supported: latest,
            });
        }
        let app_id: i64 = self.conn.query_row("PRAGMA application_id", [], |r| r.get(0))?;
        if current == 0 {
            let tables: i64 = self
                .conn
                .query_row("SELECT count(*) FROM sqlite_master", [], |r| r.get(0))?;
            if tables > 0 {
                return Err(Error::NotALibrary {
                    path,
                    reason: "it is an SQLite database of another program".into(),
                });
            }
        } else if app_id != APPLICATION_ID {
            return Err(Error::NotALibrary {
                path,
                reason: "it is an SQLite database of another program".into(),
            });
        }
        let target_version = target.map_or(latest, |t| t as i64);
        if current >= target_version {
            return Ok(());
        }
        if let Some(reason) = &self.opened.read_only {
            return Err(Error::ReadOnly {
                path,
                reason: if current == 0 {
                    format!("{reason}; the file is empty, not a Folio library yet")
                } else {
                    format!(
                        "{reason}; it has schema version {current} and needs an upgrade to {latest}, \
                         which writes: open it once where it can be written"
                    )
                },
            });
        }
        if current > 0 {
            self.backup_before_migration(current)?;
        }
        let m = migrations();
        let res = match target {
            Some(v) => m.to_version(&mut self.conn, v),
            None => m.to_latest(&mut self.conn),
        };
        res.map_err(|e| Error::Migration(e.to_string()))
    }

    /// The read connection.
    pub fn conn(&self) -> &Connection {
        &self.conn
    }

    pub fn path(&self) -> Option<&Path> {
        self.path.as_deref()
    }

    /// Run one user action as one transaction, journaled for undo under `label`. Nothing is
    /// written if `f` fails. A concurrent writer makes this wait up to 10 s, then fail with
    /// [`Error::Busy`].
    pub fn write<T>(&mut self, label: &str, f: impl FnOnce(&mut Writer<'_>) -> Result<T>) -> Result<T> {
        self.transact(Mode::Action(label), f).map(|(out, _)| out)
    }

    /// Write what a shared library's server sent (a pull): one transaction, like an action —
    /// the touched objects get the next library version, so the app, the local API and
    /// auto-exports see the change — but not journaled: a colleague's change is not the
    /// user's to undo. `f` gets the version the objects will have.
    pub fn write_pulled<T>(&mut self, f: impl FnOnce(&mut Writer<'_>, i64) -> Result<T>) -> Result<T> {
        self.transact(Mode::Pulled, |w| {
            let version = versions::next(w.conn())?;
            w.pulled_version = version;
            f(w, version)
        })
        .map(|(out, _)| out)
    }

    /// One `BEGIN IMMEDIATE` transaction; journaled under the label of an action.
    fn transact<T>(&mut self, mode: Mode<'_>, f: impl FnOnce(&mut Writer<'_>) -> Result<T>) -> Result<(T, i64)> {
        self.check_writable()?;
        self.transact_checked(mode, f).map_err(|e| self.note_damage(e))
    }

    fn transact_checked<T>(
        &mut self,
        mode: Mode<'_>,
        f: impl FnOnce(&mut Writer<'_>) -> Result<T>,
    ) -> Result<(T, i64)> {
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(busy)?;
        let label = match mode {
            Mode::Action(l) => Some(l),
            Mode::Unjournaled | Mode::Pulled => None,
        };
        let mut w = Writer {
            tx: &tx,
            changes: Vec::new(),
            seen: HashSet::new(),
            journal: !matches!(mode, Mode::Unjournaled),
            pulled_version: 0,
            label: label.map(str::to_string),
            fts_pending: Vec::new(),
            fts_pending_ids: HashSet::new(),
            tag_ids: std::collections::HashMap::new(),
            fts_stale: Vec::new(),
            fts_rebuild: false,
        };
        let out = f(&mut w)?;
        if w.fts_rebuild {
            items::rebuild_fts(&tx)?;
        } else {
            w.flush_fts()?;
        }
        let mut version = 0;
        if let Some(label) = w.label.as_deref().filter(|_| !w.changes.is_empty()) {
            journal::record(&tx, label, &w.changes)?;
            version = versions::next(&tx)?;
            versions::stamp(&tx, version, &w.changes)?;
            replica::label_action(&tx, version, label)?;
        } else if matches!(mode, Mode::Pulled) {
            version = w.pulled_version;
            versions::stamp(&tx, version, &w.changes)?;
        }
        tx.commit().map_err(busy)?;
        self.changed = true;
        Ok((out, version))
    }

    /// Prepare one large write into a library without items (a first import) to write every
    /// page once: in WAL mode each page goes to the WAL, then the checkpoint at commit copies
    /// it into the file (a quarter of a 100k-entry import on a slow disk). For this one
    /// transaction the library uses a rollback journal instead, which holds almost nothing when
    /// the file only grows (pages past its old end are not journaled), with `synchronous =
    /// FULL` (crash-safe in that mode) and the memory map off (pages written through it would
    /// count as resident). Only possible when no other handle has the library open: SQLite
    /// refuses at once otherwise (the app keeps two), and the write goes through the WAL as
    /// usual. Whether it switched; [`Store::end_write_once`] switches back. Another process
    /// opening the library meanwhile waits for the commit (the busy timeout) instead of reading
    /// the empty snapshot.
    pub(crate) fn begin_write_once(&mut self) -> bool {
        if self.path.is_none() || self.opened.read_only.is_some() {
            return false;
        }
        let empty = self
            .conn
            .query_row("SELECT NOT EXISTS (SELECT 1 FROM items)", [], |r| r.get::<_, bool>(0))
            .unwrap_or(false);
        if !empty {
            return false;
        }
        let switched = self
            .conn
            .query_row("PRAGMA journal_mode = DELETE", [], |r| r.get::<_, String>(0))
            .is_ok_and(|m| m.eq_ignore_ascii_case("delete"));
        if switched {
            let set = self.conn.execute_batch("PRAGMA synchronous = FULL").and_then(|()| {
                self.conn
                    .query_row("PRAGMA mmap_size = 0", [], |_| Ok(()))
                    .optional()
                    .map(|_| ())
            });
            if set.is_err() {
                self.end_write_once();
                return false;
            }
        }
        switched
    }

    /// Back to WAL mode after [`Store::begin_write_once`] (also after a failed write). When
    /// another process holds the library just then, the next open switches it back instead.
    pub(crate) fn end_write_once(&mut self) {
        if self.opened.read_only.is_some() {
            return;
        }
        let _ = self
            .conn
            .query_row("PRAGMA journal_mode = WAL", [], |r| r.get::<_, String>(0));
        let _ = self.conn.execute_batch("PRAGMA synchronous = NORMAL");
        let _ = self
            .conn
            .query_row("PRAGMA mmap_size = 1073741824", [], |r| r.get::<_, i64>(0))
            .optional();
    }

    /// The journal mode SQLite reports for this handle (`wal` normally).
    pub fn journal_mode(&self) -> Result<String> {
        Ok(self.conn.query_row("PRAGMA journal_mode", [], |r| r.get(0))?)
    }

    /// Whether the library changed since the last call (and reset).
    pub fn take_changed(&mut self) -> bool {
        std::mem::take(&mut self.changed)
    }

    /// A transaction that is not journaled (undo/redo themselves).
    fn write_unjournaled<T>(&mut self, f: impl FnOnce(&mut Writer<'_>) -> Result<T>) -> Result<T> {
        self.transact(Mode::Unjournaled, f).map(|(out, _)| out)
    }

    /// Bookkeeping writes that are neither user actions nor library changes (status, caches).
    pub(crate) fn write_status<T>(&mut self, f: impl FnOnce(&Connection) -> Result<T>) -> Result<T> {
        self.check_writable()?;
        let out = (|| {
            let tx = self
                .conn
                .transaction_with_behavior(TransactionBehavior::Immediate)
                .map_err(busy)?;
            let out = f(&tx)?;
            tx.commit().map_err(busy)?;
            Ok(out)
        })();
        out.map_err(|e| self.note_damage(e))
    }

    /// Whether the library can only be read (then why); every write fails with
    /// [`Error::ReadOnly`].
    pub fn read_only(&self) -> Option<&str> {
        self.opened.read_only.as_deref()
    }

    /// SQLite's `PRAGMA data_version` of this handle: it changes when another connection (another
    /// process, or another handle in this one) commits a change, and not for this handle's own
    /// writes. An open app polls it to notice changes made by the CLI.
    pub fn data_version(&self) -> Result<i64> {
        Ok(self.conn.query_row("PRAGMA data_version", [], |r| r.get(0))?)
    }

    /// `PRAGMA integrity_check` result ("ok" when healthy).
    pub fn integrity_check(&self) -> Result<String> {
        Ok(self.conn.query_row("PRAGMA integrity_check", [], |r| r.get(0))?)
    }
}

/// A write transaction in progress. Before changing an object, call the matching `touch_*`
/// so its prior state is journaled (once per action).
/// What kind of transaction [`Store::transact`] runs.
#[derive(Clone, Copy)]
enum Mode<'a> {
    /// A user action: journaled under its label, versioned.
    Action(&'a str),
    /// Undo and redo (they journal and version themselves), bookkeeping.
    Unjournaled,
    /// A pull: versioned, not journaled (see [`Store::write_pulled`]).
    Pulled,
}

pub struct Writer<'a> {
    tx: &'a rusqlite::Transaction<'a>,
    changes: Vec<Change>,
    seen: HashSet<Touched>,
    /// Whether touched objects are recorded (for the journal, or for a pull's versions).
    journal: bool,
    /// A pull's library version (0 otherwise).
    pulled_version: i64,
    /// The undo step's label (journaled writes only).
    label: Option<String>,
    fts_pending: Vec<(i64, derive::FtsRow)>,
    fts_pending_ids: HashSet<i64>,
    /// Index rows to delete before the queued rows are written (their items are re-indexed).
    fts_stale: Vec<i64>,
    /// Tag ids by name as written, for this action (see `tags::ensure`); cleared when a tag is
    /// renamed, deleted or restored.
    pub(crate) tag_ids: std::collections::HashMap<String, i64>,
    /// The action re-indexes most of the library: the index is built again from the items'
    /// final state before the commit, instead of item by item (see [`Writer::expect_reindex`]).
    fts_rebuild: bool,
}

/// An object an action already journaled.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(crate) enum Touched {
    Item(i64),
    ItemTags(i64),
    Collection(i64),
    Tag(i64),
    Saved(String),
    Meta(String),
}

/// New items' index rows are written in batches of this many. FTS5 writes its pending terms
/// out as a new segment whenever another statement of the transaction opens a savepoint (most
/// writes do), so a batch is one segment: bigger batches mean fewer segments to merge later.
/// A batch of index rows takes a few MB.
const FTS_BATCH: usize = 8192;

impl Writer<'_> {
    pub fn conn(&self) -> &Connection {
        self.tx
    }

    /// Rename the undo step (e.g. once an import knows how many items it added).
    pub fn set_label(&mut self, label: impl Into<String>) {
        if self.label.is_some() {
            self.label = Some(label.into());
        }
    }

    fn queue_fts(&mut self, id: i64, row: derive::FtsRow) -> Result<()> {
        if self.fts_rebuild {
            return Ok(());
        }
        self.fts_pending_ids.insert(id);
        self.fts_pending.push((id, row));
        if self.fts_pending.len() >= FTS_BATCH {
            self.flush_fts()?;
        }
        Ok(())
    }

    /// Say that this action is about to re-index `n` items. When they are a large part of the
    /// library, the index is built again once at the end instead: deleting an index row leaves
    /// a tombstone that FTS5 checks for every entry it merges, and segments with many
    /// tombstones are rewritten, so re-indexing 100k items one by one took 9.6 s of FTS5 work
    /// where building the whole index again takes 2.2 s (measured on Beebe's 100k entries).
    pub fn expect_reindex(&mut self, n: usize) -> Result<()> {
        if self.fts_rebuild || n < 1000 {
            return Ok(());
        }
        let live: i64 = self
            .tx
            .prepare_cached("SELECT count(*) FROM items WHERE deleted_at IS NULL")?
            .query_row([], |r| r.get(0))?;
        if 4 * n as i64 >= live {
            self.flush_fts()?;
            self.fts_rebuild = true;
        }
        Ok(())
    }

    /// Write the queued index rows of new items.
    pub(crate) fn flush_fts(&mut self) -> Result<()> {
        self.fts_pending_ids.clear();
        if !self.fts_stale.is_empty() {
            // One statement for the whole batch: FTS5 writes its pending changes out at the
            // next statement's savepoint, and with one delete per statement that was once per
            // item (each time clearing its whole in-memory hash and doing a step of merge
            // work): tagging 50k items took 18 s, nearly all in FTS5.
            let ids = std::mem::take(&mut self.fts_stale);
            let list = serde_json::to_string(&ids).map_err(|e| Error::Format(e.to_string()))?;
            self.tx
                .prepare_cached("DELETE FROM items_fts WHERE rowid IN (SELECT value FROM json_each(?1))")?
                .execute([list])?;
        }
        for (id, row) in std::mem::take(&mut self.fts_pending) {
            items::write_fts_row(self.tx, id, &row)?;
        }
        Ok(())
    }

    /// Replace a stored item's index row; the new row joins the queue like a new item's.
    pub(crate) fn reindex(&mut self, id: i64, row: derive::FtsRow) -> Result<()> {
        self.unindex(id)?;
        self.queue_fts(id, row)
    }

    /// Remove an item's index row (if it has one): queued with the batch, written before it.
    pub(crate) fn unindex(&mut self, id: i64) -> Result<()> {
        if self.fts_rebuild {
            return Ok(());
        }
        if self.fts_pending_ids.contains(&id) {
            // Its queued row must be written before the delete.
            self.flush_fts()?;
        }
        self.fts_stale.push(id);
        if self.fts_stale.len() >= FTS_BATCH {
            self.flush_fts()?;
        }
        Ok(())
    }

    fn first_touch(&mut self, what: Touched) -> bool {
        self.journal && self.seen.insert(what)
    }

    /// Journal an item's current state before changing or deleting it.
    pub fn touch_item(&mut self, id: i64) -> Result<()> {
        if self.first_touch(Touched::Item(id)) {
            let mut snap = items::snapshot(self.tx, id)?;
            if self.seen.contains(&Touched::ItemTags(id)) {
                // Only its tags changed so far in this action: the state before the action is
                // the current one with the journaled tags and modification time.
                let pos = self
                    .changes
                    .iter()
                    .position(|c| matches!(c, Change::Tags { id: i, .. } if *i == id))
                    .expect("a journaled tag change");
                if let (Change::Tags { state: Some(t), .. }, Some(s)) = (self.changes.remove(pos), snap.as_mut()) {
                    s.item.tags = t.tags;
                    s.item.date_modified = t.modified;
                }
            }
            self.changes.push(Change::Item {
                id,
                state: snap.map(Box::new),
            });
        }
        Ok(())
    }

    /// Journal an item's tags and modification time before a change to its tags only (see
    /// `items::update_tags`).
    pub fn touch_item_tags(&mut self, id: i64) -> Result<()> {
        if self.journal && !self.seen.contains(&Touched::Item(id)) && self.first_touch(Touched::ItemTags(id)) {
            let state = items::tag_state(self.tx, id)?;
            self.changes.push(Change::Tags { id, state });
        }
        Ok(())
    }

    /// [`Self::touch_item_tags`] with the item's current tag state already at hand (read with
    /// the item in this transaction).
    pub(crate) fn touch_item_tags_as(&mut self, id: i64, state: impl FnOnce() -> items::TagState) {
        if self.journal && !self.seen.contains(&Touched::Item(id)) && self.first_touch(Touched::ItemTags(id)) {
            self.changes.push(Change::Tags {
                id,
                state: Some(state()),
            });
        }
    }

    /// Journal that an item is new (its prior state is "absent").
    pub fn touch_new_item(&mut self, id: i64) {
        if self.first_touch(Touched::Item(id)) {
            self.changes.push(Change::Item { id, state: None });
        }
    }

    pub fn touch_collection(&mut self, id: i64) -> Result<()> {
        if self.first_touch(Touched::Collection(id)) {
            let row = collections::row(self.tx, id)?;
            self.changes.push(Change::Collection { id, state: row });
        }
        Ok(())
    }

    pub fn touch_tag(&mut self, id: i64) -> Result<()> {
        if self.first_touch(Touched::Tag(id)) {
            let name = tags::name_of(self.tx, id)?;
            self.changes.push(Change::Tag { id, state: name });
        }
        Ok(())
    }

    pub fn touch_saved(&mut self, name: &str) -> Result<()> {
        if self.first_touch(Touched::Saved(name.to_lowercase())) {
            let state = saved::get(self.tx, name)?;
            self.changes.push(Change::Saved {
                name: name.to_string(),
                state,
            });
        }
        Ok(())
    }

    pub fn touch_meta(&mut self, key: &str) -> Result<()> {
        if self.first_touch(Touched::Meta(key.to_string())) {
            let value = meta::get(self.tx, key)?;
            self.changes.push(Change::Meta {
                key: key.to_string(),
                state: value,
            });
        }
        Ok(())
    }
}
