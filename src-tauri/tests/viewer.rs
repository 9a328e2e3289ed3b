//! Issue 26 in the shell: the built-in viewer's bytes (only the open library's PDFs, by id),
//! the background full-text indexing (progress, cancel, resuming), the "everything" search,
//! and the watcher staying quiet while the indexer writes.

use super::{all, by_title, library_with_items, worker};
use folio::library::AttachMode;
use folio::Library;
use folio_desktop::dto::FilterDto;
use folio_desktop::indexer::run_pass;
use folio_desktop::ops;
use folio_desktop::state::AppState;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};

fn corpus_pdf(name: &str) -> PathBuf {
    let root = std::env::var_os("FOLIO_CORPUS")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/corpus"));
    let p = root.join("pdf/public").join(name);
    assert!(p.is_file(), "the PDF corpus is needed: {} (FOLIO_CORPUS)", p.display());
    p
}

/// The ids of item `key`'s attachments, in the order attached.
fn attachment_ids(lib: &Library, key: &str) -> Vec<i64> {
    let id = lib.get(key).unwrap().id.unwrap();
    lib.attachments_of(id)
        .unwrap()
        .iter()
        .map(|a| a.attachment.id.unwrap())
        .collect()
}

#[test]
fn the_viewer_gets_only_the_librarys_pdfs_by_id() {
    let dir = tempfile::tempdir().unwrap();
    let (mut lib, _) = library_with_items(dir.path());
    let pdf = corpus_pdf("cermine__test1.pdf");
    let notes = dir.path().join("notes.txt");
    std::fs::write(&notes, "some notes").unwrap();
    let linked = dir.path().join("linked.pdf");
    std::fs::copy(&pdf, &linked).unwrap();
    lib.attach("flores2022", &[pdf.clone(), notes], AttachMode::Store)
        .unwrap();
    lib.attach("jaspers2019", std::slice::from_ref(&linked), AttachMode::Link)
        .unwrap();
    let ids = attachment_ids(&lib, "flores2022");
    let path = ops::attachment_pdf(&lib, ids[0]).unwrap();
    assert_ne!(path, pdf, "the library's stored copy, not the original");
    let bytes = ops::read_pdf(&path).unwrap();
    assert_eq!(bytes, std::fs::read(&pdf).unwrap());
    assert!(bytes.starts_with(b"%PDF"));
    // A text file is no PDF; an unknown id is no attachment.
    let e = ops::attachment_pdf(&lib, ids[1]).unwrap_err();
    assert!(e.message.contains("notes.txt is not a PDF"), "{}", e.message);
    let e = ops::attachment_pdf(&lib, 987_654).unwrap_err();
    assert_eq!(e.message, "no attachment 987654");
    // A linked file that went away: an error naming it.
    let gone = attachment_ids(&lib, "jaspers2019")[0];
    assert_eq!(ops::attachment_pdf(&lib, gone).unwrap(), linked);
    std::fs::remove_file(&linked).unwrap();
    let e = ops::attachment_pdf(&lib, gone).unwrap_err();
    assert!(e.message.contains("is missing"), "{}", e.message);
    // read_pdf refuses what is not a regular file.
    assert!(ops::read_pdf(dir.path()).is_err());
}

/// A library whose items have text files attached (read without the PDF worker), not indexed.
fn library_with_texts(dir: &Path, n: usize) -> (PathBuf, Vec<String>) {
    let (mut lib, _) = library_with_items(dir);
    let mut phrases = Vec::new();
    let mut files = Vec::new();
    for i in 0..n {
        let phrase = format!("zebrafish{i} migration");
        let f = dir.join(format!("notes{i}.txt"));
        std::fs::write(&f, format!("Page one.\u{c}On page two the {phrase} is described.")).unwrap();
        files.push(f);
        phrases.push(phrase);
    }
    lib.attach("flores2022", &files, AttachMode::Store).unwrap();
    assert_eq!(lib.fulltext_status().unwrap().pending, n);
    (dir.join("lib.sqlite"), phrases)
}

#[test]
fn background_indexing_reports_each_file_cancels_and_resumes() {
    let dir = tempfile::tempdir().unwrap();
    let (path, phrases) = library_with_texts(dir.path(), 4);
    // Cancelled while the second file is read: the pass stops before the third; two read, two
    // left pending.
    let cancel = AtomicBool::new(false);
    let mut seen = Vec::new();
    let r = run_pass(&path, worker(), &cancel, &mut |p| {
        seen.push((p.done, p.total, p.title.clone()));
        if p.done == 1 {
            cancel.store(true, Ordering::SeqCst);
        }
    })
    .unwrap();
    assert!(r.cancelled);
    assert_eq!((r.indexed, seen.len()), (2, 2), "{seen:?}");
    assert_eq!(seen[0], (0, 4, "notes0.txt".to_string()));
    let lib = Library::open(&path).unwrap();
    assert_eq!(lib.fulltext_status().unwrap().pending, 2);
    // The next pass (a restart) reads what is left, and only that.
    let fresh = AtomicBool::new(false);
    let mut totals = Vec::new();
    let r = run_pass(&path, worker(), &fresh, &mut |p| totals.push(p.total)).unwrap();
    assert_eq!((r.indexed, r.cancelled), (2, false));
    assert_eq!(totals, vec![2, 2]);
    assert_eq!(lib.fulltext_status().unwrap().pending, 0);
    // Nothing left: a pass does nothing.
    let r = run_pass(&path, worker(), &fresh, &mut |_| panic!("no file to read")).unwrap();
    assert_eq!(r.indexed, 0);
    // A pass cancelled before it starts opens nothing.
    let r = run_pass(Path::new("/nonexistent/lib.sqlite"), worker(), &cancel, &mut |_| {}).unwrap();
    assert!(r.cancelled);
    // The words are found: with "everything" a plain word searches the files' text.
    let page = |q: &str, everything: bool| {
        let f = FilterDto {
            query: q.to_string(),
            everything,
            ..all()
        };
        ops::page(&lib, &f, &by_title(), 0, 10)
            .unwrap()
            .rows
            .iter()
            .map(|r| r.key.clone())
            .collect::<Vec<_>>()
    };
    assert_eq!(page(&format!("\"{}\"", phrases[2]), true), vec!["flores2022"]);
    assert!(page(&format!("\"{}\"", phrases[2]), false).is_empty());
    assert_eq!(page(&format!("ft:\"{}\"", phrases[2]), false), vec!["flores2022"]);
    // A query that does not parse fails the same way in both modes.
    for everything in [false, true] {
        let f = FilterDto {
            query: "\"unbalanced".into(),
            everything,
            ..all()
        };
        assert_eq!(
            ops::page(&lib, &f, &by_title(), 0, 10).unwrap_err().code,
            "invalid-query"
        );
    }
}

#[test]
fn the_watcher_waits_for_the_indexer_and_then_misses_nothing() {
    use folio_desktop::watch::{Seen, Watcher};
    let dir = tempfile::tempdir().unwrap();
    let (path, _) = library_with_texts(dir.path(), 2);
    let state = AppState::from_library(Library::open(&path).unwrap(), path.clone());
    let mut w = Watcher::default();
    assert_eq!(w.poll(&state), None);
    {
        let _writing = state.background_writer();
        let r = run_pass(&path, worker(), &AtomicBool::new(false), &mut |_| {
            assert_eq!(w.poll(&state), None, "no look while the indexer writes");
        })
        .unwrap();
        assert_eq!(r.indexed, 2);
    }
    // The indexer's writes are announced as the app's reading, once.
    assert_eq!(w.poll(&state), Some(Seen::Background));
    assert_eq!(w.poll(&state), None);
    // Another process's change is seen afterwards.
    let mut cli = Library::open(&path).unwrap();
    cli.tag_add("cli", &["jaspers2019".to_string()]).unwrap();
    assert_eq!(w.poll(&state), Some(Seen::Outside));
    // ... and one made while the indexer runs is not lost when the pass ends.
    {
        let _writing = state.background_writer();
        cli.tag_add("during", &["jaspers2019".to_string()]).unwrap();
        assert_eq!(w.poll(&state), None);
    }
    assert!(w.poll(&state).is_some(), "a change made during a pass was swallowed");
}
