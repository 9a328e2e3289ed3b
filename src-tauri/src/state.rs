//! The app's state: the open library (one at a time) and where it lives.

use crate::dto::{DuplicateGroupDto, LibraryStateDto, LibraryStatusDto};
use crate::error::{CmdResult, CommandError};
use folio::store::Store;
use folio::Library;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Instant;

pub struct Open {
    pub library: Library,
    pub path: PathBuf,
}

/// The second handle, with the duplicate groups it last computed and the handle's
/// `data_version` they were computed at: every commit (by this app's main handle or by another
/// process) changes that number, so the groups are recomputed only after the library changed.
struct Reader {
    open: Open,
    duplicates: Option<(i64, Arc<Vec<DuplicateGroupDto>>)>,
}

/// Shared between commands; commands run on blocking worker threads and lock it briefly.
#[derive(Clone)]
pub struct AppState {
    inner: Arc<Mutex<Option<Open>>>,
    /// The running import's cancel flag (outside the library lock, which the import holds).
    import_cancel: Arc<Mutex<Option<Arc<AtomicBool>>>>,
    /// A second, read-only use of the same library file for slow reads (the duplicate count):
    /// SQLite lets it read while the main handle writes, so they never wait for each other.
    reader: Arc<Mutex<Option<Reader>>>,
    /// The open library's path (readable while a long action holds `inner`).
    path: Arc<Mutex<Option<PathBuf>>>,
    /// How the last open went (readable while it runs: an upgrade takes seconds).
    status: Arc<Mutex<Status>>,
    /// The program imports run in (`folio::app::isolated`): this one, unless set otherwise.
    worker: Arc<Mutex<Option<PathBuf>>>,
    /// Counts the app's own writes made through another handle (an import's worker process),
    /// so the watcher does not announce them as changes made outside the app.
    own_writes: Arc<AtomicU64>,
    /// How many of the app's background passes write through a second handle right now (the
    /// full-text indexer): the watcher does not look meanwhile.
    background_writers: Arc<AtomicU64>,
    /// A background pass wrote since the watcher last looked: the change it then sees is
    /// announced as the app's reading (another process may have written meanwhile too, so it
    /// is announced, never swallowed).
    background_wrote: Arc<std::sync::atomic::AtomicBool>,
}

/// A background pass of the app writing through its own handle ([`AppState::background_writer`]);
/// dropping it lets the watcher look again.
pub struct BackgroundWriter(AppState);

impl Drop for BackgroundWriter {
    fn drop(&mut self) {
        self.0.background_wrote.store(true, Ordering::SeqCst);
        self.0.background_writers.fetch_sub(1, Ordering::SeqCst);
    }
}

/// The last open: of which file, since when, and where it stands.
struct Status {
    path: PathBuf,
    started: Instant,
    upgrade: Option<(i64, i64)>,
    outcome: Option<Result<(), CommandError>>,
}

impl Status {
    fn dto(&self) -> LibraryStatusDto {
        let (state, code, message) = match &self.outcome {
            None if self.upgrade.is_some() => (LibraryStateDto::Upgrading, None, None),
            None => (LibraryStateDto::Opening, None, None),
            Some(Ok(())) => (LibraryStateDto::Ready, None, None),
            Some(Err(e)) => (LibraryStateDto::Failed, Some(e.code.clone()), Some(e.message.clone())),
        };
        LibraryStatusDto {
            state,
            path: self.path.display().to_string(),
            from_version: self.upgrade.map(|u| u.0),
            to_version: self.upgrade.map(|u| u.1),
            code,
            message,
            elapsed_ms: self.started.elapsed().as_millis() as u64,
        }
    }
}

fn no_open_yet() -> Status {
    Status {
        path: PathBuf::new(),
        started: Instant::now(),
        upgrade: None,
        outcome: Some(Err(CommandError::new("no-library", "no library is open"))),
    }
}

impl AppState {
    pub fn empty() -> AppState {
        AppState {
            inner: Arc::new(Mutex::new(None)),
            import_cancel: Default::default(),
            reader: Default::default(),
            path: Default::default(),
            status: Arc::new(Mutex::new(no_open_yet())),
            worker: Default::default(),
            own_writes: Default::default(),
            background_writers: Default::default(),
            background_wrote: Default::default(),
        }
    }

    /// Whether opening `path` will upgrade it first (from, to schema versions): then the app
    /// opens it off the main thread, and the window says so meanwhile.
    pub fn pending_upgrade(path: &Path) -> Option<(i64, i64)> {
        Store::pending_upgrade(path)
    }

    /// Open (or create) the library at `path`, replacing the current one (which stays open if
    /// this fails). `status()` tells how it goes meanwhile and how it went.
    pub fn open(&self, path: &Path) -> CmdResult<()> {
        *self.status.lock().unwrap_or_else(|p| p.into_inner()) = Status {
            path: path.to_path_buf(),
            started: Instant::now(),
            upgrade: Store::pending_upgrade(path),
            outcome: None,
        };
        let res = self.open_now(path);
        self.status.lock().unwrap_or_else(|p| p.into_inner()).outcome = Some(res.clone());
        res
    }

    fn open_now(&self, path: &Path) -> CmdResult<()> {
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).map_err(|e| CommandError::new("io", format!("{}: {e}", dir.display())))?;
        }
        let library = Library::open(path)?;
        *self.inner.lock().unwrap_or_else(|p| p.into_inner()) = Some(Open {
            library,
            path: path.to_path_buf(),
        });
        *self.path.lock().unwrap_or_else(|p| p.into_inner()) = Some(path.to_path_buf());
        Ok(())
    }

    /// How the last open went, or where it stands if it is still running.
    pub fn status(&self) -> LibraryStatusDto {
        self.status.lock().unwrap_or_else(|p| p.into_inner()).dto()
    }

    pub fn from_library(library: Library, path: PathBuf) -> AppState {
        AppState {
            inner: Arc::new(Mutex::new(Some(Open {
                library,
                path: path.clone(),
            }))),
            import_cancel: Default::default(),
            reader: Default::default(),
            path: Arc::new(Mutex::new(Some(path.clone()))),
            status: Arc::new(Mutex::new(Status {
                path,
                started: Instant::now(),
                upgrade: None,
                outcome: Some(Ok(())),
            })),
            worker: Default::default(),
            own_writes: Default::default(),
            background_writers: Default::default(),
            background_wrote: Default::default(),
        }
    }

    /// Run a slow read on the second handle (opened on first use, reopened after another
    /// library was opened), so it never holds up the main one.
    pub fn read<T>(&self, f: impl FnOnce(&Library) -> CmdResult<T>) -> CmdResult<T> {
        self.with_reader(|r| f(&r.open.library))
    }

    fn with_reader<T>(&self, f: impl FnOnce(&mut Reader) -> CmdResult<T>) -> CmdResult<T> {
        let path = self
            .path
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
            .ok_or_else(|| CommandError::new("no-library", "no library is open"))?;
        let mut guard = self.reader.lock().unwrap_or_else(|p| p.into_inner());
        if guard.as_ref().is_none_or(|r| r.open.path != path) {
            *guard = Some(Reader {
                open: Open {
                    library: Library::open(&path)?,
                    path,
                },
                duplicates: None,
            });
        }
        f(guard.as_mut().expect("opened above"))
    }

    /// The library's duplicate groups, computed on the second handle and kept until the library
    /// changes (a 100k-item library takes a second or more to scan). Concurrent callers wait
    /// for one scan and share its result.
    pub fn duplicates(&self) -> CmdResult<Arc<Vec<DuplicateGroupDto>>> {
        self.with_reader(|r| {
            let version = r.open.library.store().data_version()?;
            if let Some((v, groups)) = &r.duplicates {
                if *v == version {
                    return Ok(groups.clone());
                }
            }
            let groups = Arc::new(
                r.open
                    .library
                    .duplicates()?
                    .iter()
                    .map(DuplicateGroupDto::from)
                    .collect::<Vec<_>>(),
            );
            r.duplicates = Some((version, groups.clone()));
            Ok(groups)
        })
    }

    /// The open library's path, its main handle's `data_version` (which changes only when
    /// another process or handle committed) and the count of the app's own such writes
    /// ([`note_own_write`](Self::note_own_write)), unless an action holds the library right now.
    pub fn outside_version(&self) -> Option<(PathBuf, i64, u64)> {
        if self.background_writers.load(Ordering::SeqCst) > 0 {
            return None;
        }
        let guard = self.inner.try_lock().ok()?;
        let open = guard.as_ref()?;
        let own = self.own_writes.load(Ordering::SeqCst);
        Some((open.path.clone(), open.library.store().data_version().ok()?, own))
    }

    /// The open library's file (also while a long action holds the library).
    pub fn library_path(&self) -> Option<PathBuf> {
        self.path.lock().unwrap_or_else(|p| p.into_inner()).clone()
    }

    /// The app itself just wrote through another handle (an import's worker process): the
    /// next change the watcher sees is not from outside. Called while the action holds the
    /// library, so the watcher cannot look in between.
    pub fn note_own_write(&self) {
        self.own_writes.fetch_add(1, Ordering::SeqCst);
    }

    /// Whether a background pass wrote since the last call.
    pub fn take_background_wrote(&self) -> bool {
        self.background_wrote.swap(false, Ordering::SeqCst)
    }

    /// A background pass (the full-text indexer) is about to write through a handle of its
    /// own, many short commits while the window keeps working: until the guard is dropped the
    /// watcher does not look; the change it then sees is announced as the app's reading (it
    /// may hold another process's writes too, so it is not swallowed as the app's own).
    pub fn background_writer(&self) -> BackgroundWriter {
        self.background_writers.fetch_add(1, Ordering::SeqCst);
        BackgroundWriter(self.clone())
    }

    /// The program imports run in: set by [`set_import_worker`](Self::set_import_worker), else
    /// this executable (which serves `folio::app::isolated::WORKER_ARG` before starting the app).
    pub fn import_worker(&self) -> PathBuf {
        if let Some(w) = self.worker.lock().unwrap_or_else(|p| p.into_inner()).clone() {
            return w;
        }
        std::env::current_exe().unwrap_or_else(|_| PathBuf::from("folio-desktop"))
    }

    /// Run imports in `worker` (tests: the built `folio-desktop`, as the test binary is not it).
    pub fn set_import_worker(&self, worker: PathBuf) {
        *self.worker.lock().unwrap_or_else(|p| p.into_inner()) = Some(worker);
    }

    /// A fresh cancel flag for an import that is about to start.
    pub fn begin_import(&self) -> Arc<AtomicBool> {
        let flag = Arc::new(AtomicBool::new(false));
        *self.import_cancel.lock().unwrap_or_else(|p| p.into_inner()) = Some(flag.clone());
        flag
    }

    /// The import has finished (or failed): nothing left to cancel.
    pub fn end_import(&self, flag: &Arc<AtomicBool>) {
        let mut g = self.import_cancel.lock().unwrap_or_else(|p| p.into_inner());
        if g.as_ref().is_some_and(|f| Arc::ptr_eq(f, flag)) {
            *g = None;
        }
    }

    /// Ask the running import to stop. Returns whether one was running.
    pub fn cancel_import(&self) -> bool {
        match self.import_cancel.lock().unwrap_or_else(|p| p.into_inner()).as_ref() {
            Some(f) => {
                f.store(true, Ordering::Relaxed);
                true
            }
            None => false,
        }
    }

    /// Run `f` on the open library. Afterwards, if it changed the library, every auto-export
    /// is brought up to date (write-if-changed), so LaTeX sees the change at once.
    pub fn with<T>(&self, f: impl FnOnce(&mut Open) -> CmdResult<T>) -> CmdResult<T> {
        let mut guard = self.inner.lock().unwrap_or_else(|p| p.into_inner());
        match guard.as_mut() {
            Some(open) => {
                let out = f(open);
                for w in folio::app::after_action(&mut open.library).warnings() {
                    eprintln!("folio: warning: {w}");
                }
                out
            }
            None => Err(CommandError::new("no-library", "no library is open")),
        }
    }
}

/// The library to open on start: `FOLIO_LIBRARY`, else the OS default.
pub fn startup_library_path() -> PathBuf {
    match std::env::var_os("FOLIO_LIBRARY") {
        Some(p) if !p.is_empty() => PathBuf::from(p),
        _ => folio::default_library_path(),
    }
}
