//! The application layer: what a front end asks of Folio, one function per use case.
//!
//! Every front end — the `folio` CLI, the desktop shell, and the local HTTP API and sync that
//! build on them — parses its input, calls one function here or one [`Library`] action, and
//! formats the result. The rules that combine several core calls live here, once:
//!
//! - [`select`]: which items an action applies to (keys, a filter from its parts, a saved
//!   search, a collection, everything) and the one query that lists a filter's keys;
//! - [`cite`]: the `\cite{…}` command an editor pastes and formatted references;
//! - [`cayw`]: cite as you write — the text an editor inserts for the picked items, in Better
//!   BibTeX's formats;
//! - [`cited`](mod@cited): a LaTeX paper's citations — a dropped `.tex` stands for the `.aux` beside it,
//!   export exactly what it cites (with `crossref`/`xdata` parents) and register it so its keys
//!   are protected;
//! - [`searches`]: saving a search (a name and a query that parses are required);
//! - [`zotero`]: the library as Zotero's Web API v3 shows it (keys, item JSON, the items
//!   query), for the local HTTP API;
//! - [`sync`]: after an action that changed the library, every auto-export is brought up to
//!   date, and what failed is reported in one wording.
//!
//! Errors are [`Error`](crate::Error) values with structured variants (the offending keys with
//! why they are protected, the query that did not parse, the `.tex` without its `.aux`), never
//! text a caller has to take apart again.

pub mod cayw;
pub mod cite;
pub mod cited;
pub mod isolated;
pub mod searches;
pub mod select;
#[cfg(feature = "sync")]
pub mod share;
pub mod sync;
pub mod zotero;

pub use cite::{citation, cite_command, references};
pub use cited::{aux_path, cited, export_cited, export_cited_to, Cited, CitedExport};
pub use searches::save_search;

/// A `file://` URL for a local path (bytes other than unreserved ones and `/` percent-encoded).
pub fn file_url(path: &std::path::Path) -> String {
    let mut out = String::from("file://");
    for b in path.to_string_lossy().bytes() {
        match b {
            b'a'..=b'z' | b'A'..=b'Z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' | b'/' => out.push(b as char),
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}
pub use select::{filter, filter_keys, parse_query, parse_search, resolve, CollectionRef, FilterSpec, Target};
pub use sync::{after_action, Synced};

#[cfg(doc)]
use crate::Library;
