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
/// The status bar's text for a change seen after the app's background reading of files (other
/// processes may have written meanwhile too: the window refreshes either way).
pub const BACKGROUND_ACTION: &str = "Read the text of new files";

/// What the watcher saw change.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Seen {
    /// Another process committed.
    Outside,
    /// The app's background indexer committed (and maybe another process too).
    Background,
}

impl Seen {
    pub fn label(self) -> &'static str {
        match self {
            Seen::Outside => OUTSIDE_ACTION,
            Seen::Background => BACKGROUND_ACTION,
        }
    }
}

/// What the watcher last saw: the library's path and its main handle's `data_version`.
#[derive(Debug, Default)]
pub struct Watcher {
    last: Option<(PathBuf, i64, u64)>,
}

impl Watcher {
    /// Look once. Some when another process (or the app's background indexer) changed the
    /// same library since the last look; a newly opened library, or a library busy with one of
    /// the app's own actions (the look is skipped and repeated later), is not a change.
    pub fn poll(&mut self, state: &AppState) -> Option<Seen> {
        let now = state.outside_version()?;
        let background = state.take_background_wrote();
        // A change counts when the same library's version moved and the app did not write
        // through another handle (an import's worker) since the last look.
        let changed = self
            .last
            .as_ref()
            .is_some_and(|(p, v, own)| *p == now.0 && *v != now.1 && *own == now.2);
        self.last = Some(now);
        changed.then_some(if background { Seen::Background } else { Seen::Outside })
    }
}

/// Start the watcher thread: every `every`, poll and announce outside changes.
pub fn spawn<R: Runtime>(app: AppHandle<R>, state: AppState, every: Duration) {
    std::thread::Builder::new()
        .name("folio-watch".into())
        .spawn(move || {
            let mut w = Watcher::default();
            loop {
                if let Some(seen) = w.poll(&state) {
                    let _ = app.emit(LIBRARY_CHANGED, LibraryChanged::all(seen.label()));
                    // Files attached by the CLI are read in the background as the app's own
                    // (after a pass of its own, the next finds nothing and writes nothing).
                    crate::indexer::start(&app);
                }
                std::thread::sleep(every);
            }
        })
        .expect("cannot start the library watcher thread");
}
