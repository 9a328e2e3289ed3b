//! Folio core: the model, file formats, the SQLite library and the use cases that the `folio`
//! CLI and the desktop app share. See ARCHITECTURE.md at the repository root for the map.
//!
//! Layering (each depends only on those before it): [`model`] → [`format`](mod@format) →
//! [`store`] → use cases ([`library::Library`]) → [`app`], which every front end calls.

pub mod cite;
pub use model::citekey;
pub mod error;
pub mod format;
pub mod model;
pub mod pdf;

pub use error::{Diagnostic, Error, ProtectedKey, Result, Severity};
pub mod library;
pub mod query;
pub mod remote;
pub mod store;
pub mod sync;
pub mod text;
mod trace;

pub use library::{auto_export, duplicates, export, import};
pub use library::{default_library_path, CollectionNode, KeyFix, Library};
pub mod app;
pub mod aux;
pub mod budget;
pub mod dedupe;
#[doc(hidden)]
pub mod fuzzing;
#[cfg(feature = "serve")]
pub mod serve;
