//! The core's error type and per-entry diagnostics.

use std::path::PathBuf;

/// What went wrong, for callers that branch on it (the CLI's exit codes, the app's error codes).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    #[error("{path}: {source}")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("library database error: {0}")]
    Db(#[from] rusqlite::Error),
    #[error("library migration failed: {0}")]
    Migration(String),
    /// The library file was written by a newer Folio.
    #[error(
        "{path}: this library has schema version {found}, newer than this Folio supports ({supported}); upgrade Folio"
    )]
    TooNew { path: PathBuf, found: i64, supported: i64 },
    #[error("{path} is not a Folio library: {reason}")]
    NotALibrary { path: PathBuf, reason: String },
    /// The library can only be read (a write-protected file or folder, a read-only file
    /// system, another user's file, or opened read-only on purpose): reading it and exporting
    /// to other files work, every change is refused with this.
    #[error("library is read-only: {} ({reason}); nothing was changed", .path.display())]
    ReadOnly { path: PathBuf, reason: String },
    /// The library failed SQLite's integrity check (or SQLite met a damaged page): changes
    /// are refused so that nothing more is written into a damaged file.
    #[error(
        "library is damaged: {} ({detail}); nothing was changed. To recover: export what still reads \
         (folio export --format json -o rescue.json), or run `sqlite3 {} .recover | sqlite3 recovered.sqlite`, \
         or go back to a backup (a .bak file beside the library)",
        .path.display(), .path.display()
    )]
    Damaged { path: PathBuf, detail: String },
    /// Another process holds the library's write lock for longer than we wait.
    #[error("library is busy: another Folio process is writing to it; try again when it has finished")]
    Busy,
    #[error("{0}")]
    NotFound(String),
    #[error("{0}")]
    Conflict(String),
    #[error("{0}")]
    InvalidInput(String),
    #[error("{0}")]
    Format(String),
    #[error("nothing to {0}")]
    NothingTo(&'static str),
    /// Changing these citation keys would break a paper (they are in an auto-export target or
    /// a registered `.aux`); the app asks for confirmation and retries with `force`.
    #[error("changing these citation keys would break a paper: {}; confirm with --force", ProtectedKey::list(.0))]
    ProtectedKeys(Vec<ProtectedKey>),
    /// A search that does not parse (`title:"unclosed`).
    #[error("invalid search {query:?}: {message}")]
    InvalidQuery { query: String, message: String },
    /// Saving a search without a query.
    #[error("type a search first, then save it")]
    EmptySearch,
    /// An action that names no items at all (never read as "everything").
    #[error("no items named: give their keys or a selection")]
    NothingSelected,
    /// A `.tex` file without the `.aux` LaTeX writes beside it.
    #[error("{} has no .aux file beside it; run LaTeX on it first", .tex.display())]
    NoAux { tex: PathBuf },
    /// An `.aux` file none of whose citations is in the library.
    #[error("{} cites nothing that is in the library", .aux.display())]
    NothingCited { aux: PathBuf },
    /// The user cancelled a long operation; nothing was written.
    #[error("{0} cancelled; the library is unchanged")]
    Cancelled(&'static str),
    /// A worker process (an isolated import, [`crate::app::isolated`]) died before it could
    /// report; nothing it did was committed.
    #[error("{0}")]
    Crashed(String),
    /// An error a worker process reported, by its code (one of [`Error::code`]'s) and message.
    #[error("{message}")]
    Remote { code: &'static str, message: String },
    /// A setting forbids what was asked (an editor changing the library over the local API
    /// while "allow editors to change the library" is off).
    #[error("refused: {0}")]
    Forbidden(String),
    /// The shared library's server cannot be reached (no network, server down, refused
    /// login): local work goes on and the next sync retries.
    #[error("cannot reach the shared library at {server}: {reason}")]
    Offline { server: String, reason: String },
    /// The shared library's server answered with an error that retrying will not fix (its
    /// schema is newer than this build, a setting is wrong, a statement failed).
    #[error("shared library: {0}")]
    Server(String),
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

/// A citation key a paper depends on, and why (cited in a registered `.aux`, or written by an
/// auto-export).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProtectedKey {
    pub key: String,
    pub reason: String,
}

impl ProtectedKey {
    /// `KEY (why), KEY (why)` for messages.
    fn list(keys: &[ProtectedKey]) -> String {
        keys.iter()
            .map(|k| format!("{} ({})", k.key, k.reason))
            .collect::<Vec<_>>()
            .join(", ")
    }
}

impl Error {
    pub fn io(path: impl Into<PathBuf>, source: std::io::Error) -> Error {
        Error::Io {
            path: path.into(),
            source,
        }
    }
    /// A stable code for the app and scripts.
    pub fn code(&self) -> &'static str {
        match self {
            Error::Io { .. } => "io",
            Error::Db(_) => "db",
            Error::Migration(_) => "migration",
            Error::TooNew { .. } => "too-new",
            Error::NotALibrary { .. } => "not-a-library",
            Error::ReadOnly { .. } => "read-only",
            Error::Damaged { .. } => "damaged",
            Error::Busy => "busy",
            Error::NotFound(_) => "not-found",
            Error::Conflict(_) => "conflict",
            Error::InvalidInput(_) => "invalid-input",
            Error::Format(_) => "format",
            Error::NothingTo(_) => "nothing-to-do",
            Error::Cancelled(_) => "cancelled",
            Error::ProtectedKeys(_) => "protected-key",
            Error::InvalidQuery { .. } => "invalid-query",
            Error::EmptySearch => "invalid-input",
            Error::NothingSelected => "invalid-input",
            Error::NoAux { .. } => "not-found",
            Error::NothingCited { .. } => "nothing-to-do",
            Error::Crashed(_) => "crashed",
            Error::Remote { code, .. } => code,
            Error::Forbidden(_) => "forbidden",
            Error::Offline { .. } => "offline",
            Error::Server(_) => "server",
        }
    }

    /// The error a worker process reported by `code` and `message`. A cancelled import and a
    /// busy library keep their own variants (callers branch on them); the rest keep their code.
    pub fn remote(code: &str, message: String) -> Error {
        const CODES: [&str; 14] = [
            "io",
            "db",
            "migration",
            "too-new",
            "not-a-library",
            "not-found",
            "conflict",
            "invalid-input",
            "format",
            "nothing-to-do",
            "protected-key",
            "invalid-query",
            "crashed",
            "read-only",
        ];
        match code {
            "cancelled" => Error::Cancelled("import"),
            "busy" => Error::Busy,
            _ => Error::Remote {
                code: CODES.iter().find(|c| **c == code).copied().unwrap_or("internal"),
                message,
            },
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize)]
pub enum Severity {
    Info,
    Warning,
    Error,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Warning => "warning",
            Severity::Error => "error",
        }
    }
}

/// A problem with one entry or line of an input file. Parsers return these next to what they
/// could read; they never fail a whole file for one bad entry.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Diagnostic {
    /// 1-based line in the input, when known.
    pub line: Option<usize>,
    pub severity: Severity,
    pub message: String,
}

impl Diagnostic {
    pub fn error(line: impl Into<Option<usize>>, message: impl Into<String>) -> Diagnostic {
        Diagnostic {
            line: line.into(),
            severity: Severity::Error,
            message: message.into(),
        }
    }
    pub fn warning(line: impl Into<Option<usize>>, message: impl Into<String>) -> Diagnostic {
        Diagnostic {
            line: line.into(),
            severity: Severity::Warning,
            message: message.into(),
        }
    }
    pub fn info(line: impl Into<Option<usize>>, message: impl Into<String>) -> Diagnostic {
        Diagnostic {
            line: line.into(),
            severity: Severity::Info,
            message: message.into(),
        }
    }
}
