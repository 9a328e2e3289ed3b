//! Shared libraries in the app (issue 27): while the open library is shared, a task on Tauri's
//! tokio runtime keeps it in step with its server — connect, one `folio::sync::sync_once`, then
//! wait until another member pushes (the server's `LISTEN/NOTIFY`, within a second) or this
//! library changes (an action of the app wakes it at once; the library's version is also
//! polled four times a second), and sync again. An unreachable server is retried with backoff
//! and shown as "offline since". The task lends itself the library one short step at a time
//! ([`AppReplica`]): the network is never awaited while the library is locked, so the window
//! never waits for the server. It restarts when another library is opened and stops on
//! disconnect. Every change of where it stands is a `sync-status` event; a pull that changed
//! something is a `library-changed` event, so the window refreshes. No rules live here: the
//! sync, the merge, the conflicts and the history are the core's (`folio::app::share`,
//! `folio::sync`).

use crate::dto::{SharedHistoryDto, SyncConflictDto, SyncStateDto, SyncStatusDto, TakeDto};
use crate::error::{CmdResult, CommandError};
use crate::events::{self, ChangeScope};
use crate::state::AppState;
use folio::app::share;
use folio::library::replica::RemoteSettings;
use folio::remote::postgres::PgRemote;
use folio::remote::Remote;
use folio::sync::{Replica, SyncReport};
use folio::{Error, Library};
use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;
use tauri::{AppHandle, Emitter, Manager, Runtime};
use tokio::sync::Notify;

/// The event that carries a [`SyncStatusDto`] whenever it changes.
pub const SYNC_STATUS: &str = "sync-status";

/// How often the library's version is looked at while waiting (besides the app's own wake-ups).
const LOCAL_POLL: Duration = Duration::from_millis(250);
/// How long one wait for the server lasts before syncing anyway.
const REMOTE_WAIT: Duration = Duration::from_secs(30);
/// Retries after a failed sync: from half a second, doubling, up to 15 s.
const MIN_BACKOFF: Duration = Duration::from_millis(500);
const MAX_BACKOFF: Duration = Duration::from_secs(15);
/// Entries of an item's shared history shown.
const HISTORY_LIMIT: usize = 50;

/// Wakes the sync task: `now` syncs even when nothing changed here (Sync now).
#[derive(Default)]
struct Wake {
    notify: Notify,
    now: AtomicBool,
}

struct Task {
    handle: tauri::async_runtime::JoinHandle<()>,
    wake: Arc<Wake>,
    /// Set when stopped: a step that has not started yet is refused (the task may be between
    /// two steps without an await in between when it is aborted).
    stopped: Arc<AtomicBool>,
}

struct Inner {
    status: Mutex<SyncStatusDto>,
    task: Mutex<Option<Task>>,
    /// Passwords given when connecting, by server address: kept in memory for this session
    /// only, never written anywhere (later sessions read `PGPASSWORD` or `~/.pgpass`).
    passwords: Mutex<HashMap<String, String>>,
}

/// The app's shared-library state, managed by Tauri.
#[derive(Clone)]
pub struct Sharing(Arc<Inner>);

impl Default for Sharing {
    fn default() -> Self {
        Sharing(Arc::new(Inner {
            status: Mutex::new(SyncStatusDto::off()),
            task: Mutex::new(None),
            passwords: Mutex::new(HashMap::new()),
        }))
    }
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

impl Sharing {
    /// Where the sync stands.
    pub fn status(&self) -> SyncStatusDto {
        lock(&self.0.status).clone()
    }

    /// Change the status; the window hears of it when it changed.
    fn update<R: Runtime>(&self, app: &AppHandle<R>, f: impl FnOnce(&mut SyncStatusDto)) {
        let now = {
            let mut s = lock(&self.0.status);
            let before = s.clone();
            f(&mut s);
            (*s != before).then(|| s.clone())
        };
        if let Some(s) = now {
            let _ = app.emit(SYNC_STATUS, s);
        }
    }

    /// The library changed here (an action of the app): the task looks at once instead of at
    /// its next poll. `now`: sync even if nothing changed.
    pub fn wake(&self, now: bool) {
        if let Some(t) = lock(&self.0.task).as_ref() {
            if now {
                t.wake.now.store(true, Ordering::SeqCst);
            }
            t.wake.notify.notify_one();
        }
    }

    /// Stop the running task (it stops at its next await: no step is cut in half, and a push in
    /// flight is recovered by the next sync).
    fn stop(&self) {
        if let Some(t) = lock(&self.0.task).take() {
            t.stopped.store(true, Ordering::SeqCst);
            t.handle.abort();
        }
    }

    fn password(&self, server: &str) -> Option<String> {
        lock(&self.0.passwords).get(server).cloned()
    }
}

/// Run a blocking step (the library's lock) from the runtime without stalling its other tasks.
fn blocking<T>(f: impl FnOnce() -> T) -> T {
    match tokio::runtime::Handle::try_current() {
        Ok(h) if h.runtime_flavor() == tokio::runtime::RuntimeFlavor::MultiThread => tokio::task::block_in_place(f),
        _ => f(),
    }
}

/// The app's library as the sync engine's replica: each step locks it briefly (through
/// [`AppState::with`], so auto-exports follow a pull). Once another library is open, or the
/// task was stopped, every step fails with `Cancelled("sync")` and the task ends.
pub struct AppReplica {
    state: AppState,
    path: PathBuf,
    stopped: Arc<AtomicBool>,
}

impl AppReplica {
    pub fn new(state: AppState, path: PathBuf) -> AppReplica {
        AppReplica {
            state,
            path,
            stopped: Arc::default(),
        }
    }
}

impl Replica for AppReplica {
    fn with<T>(&mut self, f: impl FnOnce(&mut Library) -> folio::Result<T>) -> folio::Result<T> {
        let mut out = None;
        let path = &self.path;
        let state = &self.state;
        let stopped = &self.stopped;
        let _ = blocking(|| {
            state.with(|open| {
                if open.path == *path && !stopped.load(Ordering::SeqCst) {
                    out = Some(f(&mut open.library));
                }
                Ok(())
            })
        });
        out.unwrap_or(Err(Error::Cancelled("sync")))
    }
}

/// Connect to the server the settings name (with the password given this session, if any).
async fn connect_remote(sharing: &Sharing, settings: &RemoteSettings) -> folio::Result<PgRemote> {
    match sharing.password(&settings.url) {
        Some(p) => PgRemote::connect(&settings.url, &settings.library, Some(&p)).await,
        None => share::connect(settings).await,
    }
}

/// (Re)start the sync task for the open library: after opening a library, connecting, or at
/// start-up. Not shared: the status is `off`.
pub fn restart<R: Runtime>(app: &AppHandle<R>) {
    let sharing = app.state::<Sharing>().inner().clone();
    let state = app.state::<AppState>().inner().clone();
    sharing.stop();
    let found = state.library_path().and_then(|path| {
        let read = blocking(|| {
            state.with(|o| {
                let settings = o.library.remote_settings()?;
                let status = o.library.replica_status()?;
                let read_only = o.library.remote_read_only()?;
                Ok((o.path.clone(), settings, status, read_only))
            })
        });
        read.ok().filter(|r| r.0 == path)
    });
    let Some((path, Some(settings), st, read_only)) = found else {
        sharing.update(app, |s| *s = SyncStatusDto::off());
        return;
    };
    sharing.update(app, |s| {
        *s = SyncStatusDto {
            state: if read_only {
                SyncStateDto::ReadOnly
            } else {
                SyncStateDto::Syncing
            },
            server: Some(settings.url.clone()),
            library: Some(settings.library.clone()),
            author: Some(settings.author.clone()),
            outbox: st.outbox,
            conflicts: st.conflicts,
            server_version: st.pulled,
            ..SyncStatusDto::off()
        }
    });
    let wake = Arc::new(Wake::default());
    let replica = AppReplica::new(state, path);
    let stopped = replica.stopped.clone();
    let handle = tauri::async_runtime::spawn(run(app.clone(), sharing.clone(), replica, settings, wake.clone()));
    *lock(&sharing.0.task) = Some(Task { handle, wake, stopped });
}

/// The task: sync, wait for a change on either side, sync again; offline → retry with backoff.
async fn run<R: Runtime>(
    app: AppHandle<R>,
    sharing: Sharing,
    mut replica: AppReplica,
    settings: RemoteSettings,
    wake: Arc<Wake>,
) {
    let mut remote: Option<PgRemote> = None;
    let mut backoff = MIN_BACKOFF;
    loop {
        // The library's version before the sync: a change made while it runs (after it looked
        // at the outbox) makes the wait below end at once.
        let Ok((before, st)) = replica.with(|l| Ok((l.version()?, l.replica_status()?))) else {
            return;
        };
        sharing.update(&app, |s| {
            if s.state != SyncStateDto::Offline {
                s.state = SyncStateDto::Syncing;
            }
            s.outbox = st.outbox;
        });
        let result = match remote.as_mut() {
            Some(r) => folio::sync::sync_once(&mut replica, r).await,
            None => match connect_remote(&sharing, &settings).await {
                Ok(r) => folio::sync::sync_once(&mut replica, remote.insert(r)).await,
                Err(e) => Err(e),
            },
        };
        match result {
            Ok(report) => {
                backoff = MIN_BACKOFF;
                synced(&app, &sharing, &report);
            }
            Err(Error::Cancelled(_)) => return,
            Err(e) => {
                failed(&app, &sharing, &e);
                wait_or_wake(&wake, backoff).await;
                backoff = (backoff * 2).min(MAX_BACKOFF);
                continue;
            }
        }
        // Wait for what is newer than the version pulled (not the report's `server_version`,
        // read after the pull: a push that came in between would never be pulled).
        let Ok(known) = replica.with(|l| Ok(l.replica_status()?.pulled)) else {
            return;
        };
        let Some(r) = remote.as_mut() else { continue };
        if !wait_for_changes(&mut replica, r, known, before, &wake).await {
            return;
        }
    }
}

/// After a sync: the status, and the window refreshes when the pull changed something.
fn synced<R: Runtime>(app: &AppHandle<R>, sharing: &Sharing, r: &SyncReport) {
    sharing.update(app, |s| {
        s.state = if r.read_only {
            SyncStateDto::ReadOnly
        } else {
            SyncStateDto::Synced
        };
        s.outbox = r.outbox;
        s.conflicts = r.conflicts;
        s.offline_since = None;
        s.last_error = None;
        s.last_sync = Some(folio::text::now_rfc3339());
        s.server_version = r.server_version;
    });
    let p = &r.pulled;
    let moved = p.added + p.changed + p.deleted + p.merged + p.renamed.len() + r.renamed.len();
    if moved > 0 || !p.conflicts.is_empty() {
        let who = p.authors.iter().cloned().collect::<Vec<_>>().join(", ");
        let n = moved.max(p.conflicts.len());
        let action = format!(
            "Shared library: {n} change{}{}",
            if n == 1 { "" } else { "s" },
            if who.is_empty() {
                String::new()
            } else {
                format!(" by {who}")
            }
        );
        use ChangeScope::*;
        events::changed(app, vec![Items, Collections, Tags], action);
    }
}

/// After a failed sync: offline (since when), or the error.
fn failed<R: Runtime>(app: &AppHandle<R>, sharing: &Sharing, e: &Error) {
    let offline = matches!(e, Error::Offline { .. });
    sharing.update(app, |s| {
        if offline {
            s.state = SyncStateDto::Offline;
            s.offline_since.get_or_insert_with(folio::text::now_rfc3339);
        } else if s.state == SyncStateDto::Syncing {
            s.state = SyncStateDto::Synced;
        }
        s.last_error = Some(e.to_string());
    });
}

async fn wait_or_wake(wake: &Wake, d: Duration) {
    tokio::select! {
        _ = tokio::time::sleep(d) => {}
        _ = wake.notify.notified() => {}
    }
}

/// Wait until another member pushed (past `known`), this library changed (its version is not
/// `seen` any more: a pull changes it too, and costs one more, empty, sync), Sync now was asked
/// for, or [`REMOTE_WAIT`] passed. False when the library is not the task's any more.
async fn wait_for_changes(replica: &mut AppReplica, remote: &mut PgRemote, known: i64, seen: i64, wake: &Wake) -> bool {
    let local = async {
        match replica.with(|l| l.version()) {
            Ok(v) if v == seen => {}
            Ok(_) => return true,
            Err(_) => return false,
        }
        loop {
            tokio::select! {
                _ = wake.notify.notified() => {
                    if wake.now.swap(false, Ordering::SeqCst) {
                        return true;
                    }
                }
                _ = tokio::time::sleep(LOCAL_POLL) => {}
            }
            match replica.with(|l| l.version()) {
                Ok(v) if v == seen => {}
                Ok(_) => return true,
                Err(_) => return false,
            }
        }
    };
    tokio::select! {
        _ = remote.wait_for_change(known, REMOTE_WAIT) => true,
        go_on = local => go_on,
    }
}

// ----- what the commands do ------------------------------------------------------------------

/// Share the open library through `url` (a password in it is used, kept for this session in
/// memory, and never written): the connection is tested first; on success the sync starts.
pub async fn connect<R: Runtime>(
    app: &AppHandle<R>,
    url: &str,
    library_name: &str,
    author: &str,
) -> CmdResult<SyncStatusDto> {
    let state = app.state::<AppState>().inner().clone();
    let sharing = app.state::<Sharing>().inner().clone();
    let path = state
        .library_path()
        .ok_or_else(|| CommandError::new("no-library", "no library is open"))?;
    let (server, password) = share::split_password(url.trim())?;
    let name = match library_name.trim() {
        "" => share::default_library_name(&path),
        n => n.to_string(),
    };
    let author = match author.trim() {
        "" => share::default_author(),
        a => a.to_string(),
    };
    // A second handle of the library, so the window's stays free while the server is asked
    // (seconds when it cannot be reached); its write is the app's own, not "outside". The
    // running sync (if any) pauses meanwhile, and goes on as before when this fails.
    let mut lib = blocking(|| Library::open(&path))?;
    sharing.stop();
    state.note_own_write();
    let connected = share::set_remote(&mut lib, url.trim(), &name, &author).await;
    drop(lib);
    state.note_own_write();
    if let (Ok(_), Some(p)) = (&connected, password) {
        lock(&sharing.0.passwords).insert(server, p);
    }
    restart(app);
    connected?;
    Ok(sharing.status())
}

/// Stop sharing the open library (it stays as it is; its sync bookkeeping and the password
/// kept in the OS keychain are forgotten).
pub fn disconnect<R: Runtime>(app: &AppHandle<R>) -> CmdResult<SyncStatusDto> {
    let state = app.state::<AppState>().inner().clone();
    let sharing = app.state::<Sharing>().inner().clone();
    sharing.stop();
    blocking(|| state.with(|o| Ok(share::unset_remote(&mut o.library)?)))?;
    sharing.update(app, |s| *s = SyncStatusDto::off());
    Ok(sharing.status())
}

/// The conflicts waiting for a choice.
pub fn conflicts(lib: &Library) -> CmdResult<Vec<SyncConflictDto>> {
    Ok(share::conflicts(lib)?.into_iter().map(SyncConflictDto::from).collect())
}

/// Keep mine or take theirs for one conflict (taking theirs is an undoable action).
pub fn resolve(lib: &mut Library, uuid: &str, field: &str, take: TakeDto) -> CmdResult<()> {
    Ok(share::resolve(lib, uuid, field, take.as_str())?)
}

/// Who changed the item `key` in the shared library, newest first: asked of the server without
/// holding the library.
pub async fn history<R: Runtime>(app: &AppHandle<R>, key: &str) -> CmdResult<Vec<SharedHistoryDto>> {
    let state = app.state::<AppState>().inner().clone();
    let sharing = app.state::<Sharing>().inner().clone();
    let (settings, uuid) = blocking(|| {
        state.with(|o| {
            let settings = o
                .library
                .remote_settings()?
                .ok_or_else(|| CommandError::new("not-found", "this library is not shared"))?;
            Ok((settings, share::uuid_of_key(&o.library, key)?))
        })
    })?;
    let mut remote = connect_remote(&sharing, &settings).await?;
    let actions = remote.history(Some(uuid), HISTORY_LIMIT).await?;
    Ok(actions
        .into_iter()
        .flat_map(|a| {
            let change = a
                .changes
                .iter()
                .find(|c| c.uuid == uuid)
                .map(folio::sync::history::describe);
            change.map(|(kind, fields)| SharedHistoryDto {
                version: a.version,
                author: a.author.clone(),
                label: a.label.clone(),
                at: a.at.clone(),
                change: kind.into(),
                fields,
            })
        })
        .collect())
}
