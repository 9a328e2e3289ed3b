//! Background full-text indexing: the shell drives the core's `Library::index_fulltext` on a
//! thread of its own, on a second handle of the open library, so the window never waits for
//! it. Started after an import, a drop or an attach, and when a library opens (a pass cut short
//! by a restart continues: the core leaves unread files `pending`). Progress goes to the UI as
//! `fulltext-progress` events (the status bar's "Indexing 3 of 12 files…"); `fulltext_cancel`
//! stops the pass before its next file. What to read, and how, is the core's business.

use crate::dto::{FulltextReportDto, IndexProgressDto};
use crate::error::{CmdResult, CommandError};
use crate::events::{changed, ChangeScope};
use crate::ops;
use crate::state::AppState;
use folio::library::fulltext::{FulltextOptions, FulltextProgress, FulltextReport};
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use tauri::{AppHandle, Emitter, Manager, Runtime};

/// The event the UI follows.
pub const FULLTEXT_PROGRESS: &str = "fulltext-progress";

/// The indexer (managed state): whether a pass runs, whether another was asked for meanwhile,
/// the running pass's cancel flag and where it stands.
#[derive(Clone, Default)]
pub struct Indexer(Arc<Mutex<Run>>);

#[derive(Default)]
struct Run {
    running: bool,
    /// Asked to start while a pass ran: run another when it ends (new files, another library).
    again: bool,
    cancel: Arc<AtomicBool>,
    progress: IndexProgressDto,
}

impl Indexer {
    fn lock(&self) -> std::sync::MutexGuard<'_, Run> {
        self.0.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Where indexing stands now.
    pub fn progress(&self) -> IndexProgressDto {
        self.lock().progress.clone()
    }

    /// Stop the running pass before its next file (what it read is kept; the rest stays
    /// pending for the next start). Returns whether a pass was running.
    pub fn cancel(&self) -> bool {
        let mut r = self.lock();
        r.again = false;
        r.cancel.store(true, Ordering::SeqCst);
        r.running
    }

    /// Claim the right to run a pass: false when one runs already (it is then asked to run
    /// again when it ends, so what was just added is read too).
    fn claim(&self) -> Option<Arc<AtomicBool>> {
        let mut r = self.lock();
        if r.running {
            r.again = true;
            return None;
        }
        r.running = true;
        r.cancel = Arc::new(AtomicBool::new(false));
        Some(r.cancel.clone())
    }

    /// A pass ended: run another (with a fresh cancel flag) if one was asked for meanwhile.
    fn finish(&self, last: IndexProgressDto) -> Option<Arc<AtomicBool>> {
        let mut r = self.lock();
        r.progress = last;
        if std::mem::take(&mut r.again) {
            r.cancel = Arc::new(AtomicBool::new(false));
            return Some(r.cancel.clone());
        }
        r.running = false;
        None
    }

    fn set(&self, p: IndexProgressDto) {
        self.lock().progress = p;
    }
}

/// Index what is pending in the open library, in the background (see the module docs). Does
/// nothing but ask for another pass when one is running.
pub fn start<R: Runtime>(app: &AppHandle<R>) {
    let (Some(ix), Some(state)) = (app.try_state::<Indexer>(), app.try_state::<AppState>()) else {
        return;
    };
    let (ix, state) = (ix.inner().clone(), state.inner().clone());
    let Some(mut cancel) = ix.claim() else {
        return;
    };
    let (app, runner) = (app.clone(), ix.clone());
    let spawned = std::thread::Builder::new()
        .name("folio-fulltext".into())
        .spawn(move || loop {
            let ix = &runner;
            let last = pass(&app, ix, &state, &cancel);
            let _ = app.emit(FULLTEXT_PROGRESS, &last);
            match ix.finish(last) {
                Some(next) => cancel = next,
                None => break,
            }
        });
    if spawned.is_err() {
        let _ = ix.finish(IndexProgressDto::default());
    }
}

/// One pass over the open library, announcing its progress; what it did at the end.
fn pass<R: Runtime>(app: &AppHandle<R>, ix: &Indexer, state: &AppState, cancel: &AtomicBool) -> IndexProgressDto {
    let Some(path) = state.library_path() else {
        return IndexProgressDto::default();
    };
    let worker = state.import_worker();
    let _writing = state.background_writer();
    let outcome = run_pass(&path, &worker, cancel, &mut |p| {
        let now = IndexProgressDto {
            running: true,
            done: p.done,
            total: p.total,
            file: p.title.clone(),
            report: None,
            error: None,
        };
        ix.set(now.clone());
        let _ = app.emit(FULLTEXT_PROGRESS, &now);
    });
    match outcome {
        Ok(r) => {
            if r.indexed + r.failed + r.no_text > 0 {
                let files = if r.indexed == 1 { "file" } else { "files" };
                changed(
                    app,
                    vec![ChangeScope::Items],
                    format!("Indexed the text of {} {files}", r.indexed),
                );
            }
            let done = r.indexed + r.failed + r.no_text + r.unchanged;
            IndexProgressDto {
                running: false,
                done,
                total: done,
                file: String::new(),
                report: Some(FulltextReportDto::from(&r)),
                error: None,
            }
        }
        Err(e) => IndexProgressDto {
            error: Some(e.message),
            ..Default::default()
        },
    }
}

/// One indexing pass over the library file at `path` on a handle of its own, reading PDFs in
/// `worker`; `on_file` is told before each file; `cancel` stops the pass before its next file.
pub fn run_pass(
    path: &Path,
    worker: &Path,
    cancel: &AtomicBool,
    on_file: &mut dyn FnMut(&FulltextProgress),
) -> CmdResult<FulltextReport> {
    if cancel.load(Ordering::SeqCst) {
        return Ok(FulltextReport {
            cancelled: true,
            ..Default::default()
        });
    }
    let mut lib = folio::Library::open(path).map_err(CommandError::from)?;
    ops::use_pdf_worker(&mut lib, worker);
    Ok(lib.index_fulltext(&FulltextOptions::default(), &mut |p| {
        if cancel.load(Ordering::SeqCst) {
            return false;
        }
        on_file(p);
        true
    })?)
}
