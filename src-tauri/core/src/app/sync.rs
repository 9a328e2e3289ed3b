//! After an action: auto-exports follow the library.

use crate::auto_export::SyncResult;
use crate::error::Error;
use crate::Library;

/// What bringing the auto-exports up to date after an action did.
#[derive(Debug, Default)]
pub struct Synced {
    /// One result per auto-export that was due (empty when the library did not change).
    pub results: Vec<SyncResult>,
    /// Set when the auto-exports could not even be listed or checked.
    pub error: Option<Error>,
}

impl Synced {
    /// One line per failure, for the front end to show (stderr, a toast, a log).
    pub fn warnings(&self) -> Vec<String> {
        let mut out: Vec<String> = self
            .results
            .iter()
            .filter_map(|r| {
                r.error.as_ref().map(|e| {
                    format!(
                        "auto-export {} failed: {e} (the old file is untouched; the next change retries)",
                        r.path
                    )
                })
            })
            .collect();
        if let Some(e) = &self.error {
            out.push(format!("auto-exports not updated: {e}"));
        }
        out
    }
}

/// Call after every action a front end runs (successful or not): if the library changed
/// (by this handle or another process), every auto-export is brought up to date
/// (write-if-changed), so LaTeX sees the change at once.
pub fn after_action(lib: &mut Library) -> Synced {
    match lib.sync_if_changed() {
        Ok(results) => Synced { results, error: None },
        Err(e) => Synced {
            results: Vec::new(),
            error: Some(e),
        },
    }
}
