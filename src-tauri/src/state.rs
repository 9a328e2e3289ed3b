//! The app's state: the open library (one at a time) and where it lives.

use crate::error::{CmdResult, CommandError};
use folio::Library;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

pub struct Open {
    pub library: Library,
    pub path: PathBuf,
}

/// Shared between commands; commands run on blocking worker threads and lock it briefly.
#[derive(Clone)]
pub struct AppState {
    inner: Arc<Mutex<Option<Open>>>,
}

impl AppState {
    pub fn empty() -> AppState {
        AppState {
            inner: Arc::new(Mutex::new(None)),
        }
    }

    /// Open (or create) the library at `path`, replacing the current one.
    pub fn open(&self, path: &Path) -> CmdResult<()> {
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).map_err(|e| CommandError::new("io", format!("{}: {e}", dir.display())))?;
        }
        let library = Library::open(path)?;
        *self.inner.lock().unwrap_or_else(|p| p.into_inner()) = Some(Open {
            library,
            path: path.to_path_buf(),
        });
        Ok(())
    }

    pub fn from_library(library: Library, path: PathBuf) -> AppState {
        AppState {
            inner: Arc::new(Mutex::new(Some(Open { library, path }))),
        }
    }

    /// Run `f` on the open library. Afterwards, if it changed the library, every auto-export
    /// is brought up to date (write-if-changed), so LaTeX sees the change at once.
    pub fn with<T>(&self, f: impl FnOnce(&mut Open) -> CmdResult<T>) -> CmdResult<T> {
        let mut guard = self.inner.lock().unwrap_or_else(|p| p.into_inner());
        match guard.as_mut() {
            Some(open) => {
                let out = f(open);
                match open.library.sync_if_changed() {
                    Ok(results) => {
                        for r in results.iter().filter(|r| r.error.is_some()) {
                            eprintln!(
                                "folio: auto-export {} failed: {}",
                                r.path,
                                r.error.as_deref().unwrap_or_default()
                            );
                        }
                    }
                    Err(e) => eprintln!("folio: auto-exports not updated: {e}"),
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
