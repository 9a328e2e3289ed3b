//! Events the shell sends to the UI.

use serde::Serialize;

/// Sent after every change to the library so the UI refreshes what it shows.
pub const LIBRARY_CHANGED: &str = "library-changed";

/// Sent when opening a library (with its upgrade, if any) started or ended; the payload is a
/// `LibraryStatusDto`.
pub const LIBRARY_STATUS: &str = "library-status";

/// What changed: `items`, `collections`, `tags`, `library` (another file was opened).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LibraryChanged {
    pub scopes: Vec<&'static str>,
    /// Undo label or action description, for the status bar.
    pub action: String,
}

impl LibraryChanged {
    pub fn all(action: impl Into<String>) -> LibraryChanged {
        LibraryChanged {
            scopes: vec!["items", "collections", "tags"],
            action: action.into(),
        }
    }
}
