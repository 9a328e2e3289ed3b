//! Events the shell sends to the UI.

use serde::{Deserialize, Serialize};
use tauri::{AppHandle, Emitter, Manager, Runtime};
use ts_rs::TS;

/// Sent after every change to the library so the UI refreshes what it shows.
pub const LIBRARY_CHANGED: &str = "library-changed";

/// Sent when opening a library (with its upgrade, if any) started or ended; the payload is a
/// `LibraryStatusDto`.
pub const LIBRARY_STATUS: &str = "library-status";

/// What a change touched, so the UI refreshes only that.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
#[serde(rename_all = "kebab-case")]
#[ts(rename = "ChangeScope")]
pub enum ChangeScope {
    /// Items' fields, keys, tags, collections or trash state: the table and the item pane.
    Items,
    /// Collections (and their counts) and saved searches: the left pane.
    Collections,
    /// Tags and their counts: the left pane.
    Tags,
    /// Another library file was opened: everything, from the top.
    Library,
    /// The auto-exports and registered `.aux` files.
    AutoExports,
}

/// What changed, and the action that changed it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(rename = "LibraryChanged")]
pub struct LibraryChanged {
    pub scopes: Vec<ChangeScope>,
    /// Undo label or action description, for the status bar.
    pub action: String,
}

impl LibraryChanged {
    pub fn all(action: impl Into<String>) -> LibraryChanged {
        LibraryChanged {
            scopes: vec![ChangeScope::Items, ChangeScope::Collections, ChangeScope::Tags],
            action: action.into(),
        }
    }
}

/// Told after every change the app announces (managed state): the shared library's sync
/// looks at the library at once instead of at its next poll.
pub struct AfterChange(pub Box<dyn Fn() + Send + Sync>);

/// Tell the UI what an action changed (`library-changed`).
pub fn changed<R: Runtime>(app: &AppHandle<R>, scopes: Vec<ChangeScope>, action: impl Into<String>) {
    let _ = app.emit(
        LIBRARY_CHANGED,
        LibraryChanged {
            scopes,
            action: action.into(),
        },
    );
    if let Some(after) = app.try_state::<AfterChange>() {
        (after.0)();
    }
}
