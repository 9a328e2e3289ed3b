//! Imports in a worker process (`folio::app::isolated`, what the desktop app does): the report
//! and progress come back, errors keep their codes, a cancel kills the worker, and a worker
//! that dies leaves the library unchanged with a clear error. The worker is the real `folio`
//! binary (`folio --folio-import-worker`), except for the death: no real reader crashes any
//! more, so a stand-in script that reads the request and aborts plays a reader that did.

use crate::support::folio_bin;
use folio::app::isolated::{self, Request, Source};
use folio::import::{ImportOptions, Progress};
use folio::{Error, Library};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};

fn library(dir: &Path) -> PathBuf {
    let path = dir.join("library.sqlite");
    let mut lib = Library::open(&path).unwrap();
    lib.import_text(
        "seed",
        "@article{Seed2020, title={Seed}, author={Seed, A.}, year={2020}}",
        &ImportOptions::default(),
    )
    .unwrap();
    path
}

fn count(path: &Path) -> usize {
    let conn = rusqlite::Connection::open(path).unwrap();
    let ok: String = conn.query_row("PRAGMA integrity_check", [], |r| r.get(0)).unwrap();
    assert_eq!(ok, "ok");
    conn.query_row("SELECT count(*) FROM items", [], |r| r.get::<_, i64>(0))
        .unwrap() as usize
}

#[test]
fn a_worker_imports_files_and_reports_progress() {
    let dir = tempfile::tempdir().unwrap();
    let lib = library(dir.path());
    let file = dir.path().join("two.bib");
    std::fs::write(
        &file,
        "@article{Doe2001, title={One}, author={Doe, J.}, year={2001}}\n@book{Roe2002, title={Two}, author={Roe, R.}, year={2002}}\n",
    )
    .unwrap();
    let opts = ImportOptions {
        collection: Some("Dropped".into()),
        ..Default::default()
    };
    let req = Request::new(&lib, Source::Files(vec![file.clone()]), &opts);
    let mut steps: Vec<Progress> = Vec::new();
    let report = isolated::import(Path::new(folio_bin()), &req, None, &mut |p| steps.push(p)).unwrap();
    assert_eq!(report.added(), 2);
    assert_eq!(report.files[0].keys, ["Doe2001", "Roe2002"]);
    assert_eq!(report.files[0].path, file.display().to_string());
    assert!(!steps.is_empty(), "progress came back");
    assert_eq!(steps.last().unwrap().bytes_done, steps.last().unwrap().bytes_total);
    assert_eq!(count(&lib), 3);
    let lib = Library::open(&lib).unwrap();
    let cols = lib.collections_of(lib.id_of("Roe2002").unwrap()).unwrap();
    assert_eq!(cols.len(), 1, "the collection option went across: {cols:?}");
}

#[test]
fn a_worker_imports_text_and_keeps_error_codes() {
    let dir = tempfile::tempdir().unwrap();
    let lib = library(dir.path());
    let worker = Path::new(folio_bin());
    let text = Source::Text {
        name: "clipboard".into(),
        text: "TY  - JOUR\nTI  - Pasted\nAU  - Poe, P.\nPY  - 2003\nER  - \n".into(),
    };
    let report = isolated::import(
        worker,
        &Request::new(&lib, text, &ImportOptions::default()),
        None,
        &mut |_| {},
    )
    .unwrap();
    assert_eq!(report.added(), 1);
    assert_eq!(report.files[0].path, "clipboard");
    assert_eq!(count(&lib), 2);
    // A missing file: the worker's error, with its code, and nothing changed.
    let missing = Source::Files(vec![dir.path().join("missing.bib")]);
    let err = isolated::import(
        worker,
        &Request::new(&lib, missing, &ImportOptions::default()),
        None,
        &mut |_| {},
    )
    .unwrap_err();
    assert_eq!(err.code(), "io", "{err}");
    assert!(err.to_string().contains("missing.bib"), "{err}");
    // Empty text is invalid input.
    let empty = Source::Text {
        name: "clipboard".into(),
        text: "  \n".into(),
    };
    let err = isolated::import(
        worker,
        &Request::new(&lib, empty, &ImportOptions::default()),
        None,
        &mut |_| {},
    )
    .unwrap_err();
    assert_eq!(err.code(), "invalid-input", "{err}");
    assert_eq!(count(&lib), 2);
}

#[test]
fn cancelling_kills_the_worker_and_leaves_the_library_unchanged() {
    let dir = tempfile::tempdir().unwrap();
    let lib = library(dir.path());
    let file = dir.path().join("big.bib");
    let mut text = String::new();
    for i in 0..60_000 {
        text.push_str(&format!(
            "@article{{K{i}, title={{Title number {i} of many}}, author={{Author{i}, A.}}, journal={{J}}, year={{{}}}}}\n",
            1900 + i % 120
        ));
    }
    std::fs::write(&file, text).unwrap();
    let cancel = AtomicBool::new(false);
    let req = Request::new(&lib, Source::Files(vec![file]), &ImportOptions::default());
    let err = isolated::import(Path::new(folio_bin()), &req, Some(&cancel), &mut |p| {
        // The first progress step: the worker is importing.
        assert!(p.bytes_total > 0);
        cancel.store(true, Ordering::Relaxed);
    })
    .unwrap_err();
    assert!(matches!(err, Error::Cancelled(_)), "{err}");
    assert_eq!(count(&lib), 1, "nothing of the cancelled import");
}

#[cfg(unix)]
#[test]
fn a_worker_that_aborts_is_an_error_and_the_library_is_unchanged() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let lib = library(dir.path());
    // Reads the request, reports progress, prints what a stack overflow prints, and aborts.
    let worker = dir.path().join("aborting-worker");
    std::fs::write(
        &worker,
        "#!/bin/sh\ncat >/dev/null\necho '{\"progress\":{\"entries\":1,\"done\":10,\"total\":100}}'\n\
         echo \"thread 'main' has overflowed its stack\" >&2\nkill -ABRT $$\n",
    )
    .unwrap();
    std::fs::set_permissions(&worker, std::fs::Permissions::from_mode(0o755)).unwrap();
    let file = dir.path().join("x.bib");
    std::fs::write(&file, "@article{X, title={X}}").unwrap();
    let mut seen = 0;
    let req = Request::new(&lib, Source::Files(vec![file]), &ImportOptions::default());
    let err = isolated::import(&worker, &req, None, &mut |_| seen += 1).unwrap_err();
    assert_eq!(seen, 1);
    assert_eq!(err.code(), "crashed");
    let msg = err.to_string();
    assert!(
        msg.contains("SIGABRT") && msg.contains("overflowed its stack") && msg.contains("unchanged"),
        "{msg}"
    );
    assert_eq!(count(&lib), 1);
    // A worker that cannot be started at all.
    let err = isolated::import(&dir.path().join("no-such-worker"), &req, None, &mut |_| {}).unwrap_err();
    assert_eq!(err.code(), "io", "{err}");
}
