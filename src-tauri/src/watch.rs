//! Changes made to the open library by another process (the `folio` CLI, a second app on the
//! same file): a background thread polls SQLite's `PRAGMA data_version` on the app's main
//! handle about once a second. That number changes only when another connection committed, so
//! the app's own actions (which announce themselves) never trigger it. On a change the UI gets
//! the usual `library-changed` event and refreshes its table, counts and item pane.

use crate::events::{LibraryChanged, LIBRARY_CHANGED};
use crate::state::AppState;
use std::path::PathBuf;
use std::time::Duration;
use tauri::{AppHandle, Emitter, Runtime};

/// The status bar's text for a change made outside the app.
pub const OUTSIDE_ACTION: &str = "Library changed outside Folio";

/// What the watcher last saw: the library's path and its main handle's `data_version`.
#[derive(Debug, Default)]
pub struct Watcher {
    last: Option<(PathBuf, i64, u64)>,
}

impl Watcher {
    /// Look once. True when another process changed the same library since the last look; a
    /// newly opened library, or a library busy with one of the app's own actions (the look is
    /// skipped and repeated later), is not a change.
    pub fn poll(&mut self, state: &AppState) -> bool {
        let Some(now) = state.outside_version() else {
            return false;
        };
        // A change counts when the same library's version moved and the app did not write
        // through another handle (an import's worker) since the last look.
        let changed = self
            .last
            .as_ref()
            .is_some_and(|(p, v, own)| *p == now.0 && *v != now.1 && *own == now.2);
        self.last = Some(now);
        changed
    }
}

/// Start the watcher thread: every `every`, poll and announce outside changes.
pub fn spawn<R: Runtime>(app: AppHandle<R>, state: AppState, every: Duration) {
    std::thread::Builder::new()
        .name("folio-watch".into())
        .spawn(move || {
            let mut w = Watcher::default();
            loop {
                if w.poll(&state) {
                    let _ = app.emit(LIBRARY_CHANGED, LibraryChanged::all(OUTSIDE_ACTION));
                    // Files attached by the CLI are read in the background as the app's own.
                    crate::indexer::start(&app);
                }
                std::thread::sleep(every);
            }
        })
        .expect("cannot start the library watcher thread");
}
