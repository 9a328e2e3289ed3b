//! Missing files found again: Locate… for one attachment, and the search of a folder for all
//! of them after a folder of papers moved — with real PDFs from the corpus.

use crate::support::*;
use folio::library::{AttachMode, WalkLimits};
use folio::Library;
use std::path::{Path, PathBuf};

fn pdf(name: &str) -> PathBuf {
    let p = corpus().join("pdf/public").join(name);
    assert!(p.is_file(), "the PDF corpus is needed: {} (FOLIO_CORPUS)", p.display());
    p
}

fn library(dir: &Path) -> Library {
    let mut lib = Library::open(&dir.join("lib.sqlite")).unwrap();
    lib.add(article("Stressful life events", &["Sundström, Anna"], 2014))
        .unwrap();
    lib.add(article("Co-production and public value", &["Steen, Trui"], 2021))
        .unwrap();
    lib
}

fn copy(from: &Path, to: &Path) -> PathBuf {
    std::fs::create_dir_all(to.parent().unwrap()).unwrap();
    std::fs::copy(from, to).unwrap();
    to.to_path_buf()
}

#[test]
fn locate_relinks_a_linked_file_relative_to_the_base_and_undo_takes_it_back() {
    let dir = tempfile::tempdir().unwrap();
    let mut lib = library(dir.path());
    let base = dir.path().join("Sync");
    let file = copy(&pdf("cermine__example1.pdf"), &base.join("old/paper.pdf"));
    lib.set_attachment_base(Some(&base)).unwrap();
    lib.attach("Sundstrom2014", std::slice::from_ref(&file), AttachMode::Link)
        .unwrap();
    std::fs::rename(base.join("old"), base.join("new")).unwrap();
    assert!(lib.attachments("Sundstrom2014").unwrap()[0].missing);

    let r = lib
        .locate_attachment("Sundstrom2014", "old/paper.pdf", &base.join("new/paper.pdf"))
        .unwrap();
    assert_eq!(r.old_path, "old/paper.pdf");
    assert_eq!(r.warning, None, "same content");
    let f = &lib.attachments("Sundstrom2014").unwrap()[0];
    assert_eq!(f.attachment.path, "new/paper.pdf", "relative to the base folder");
    assert!(!f.missing);
    assert_eq!(lib.history(1).unwrap()[0].label, "Locate paper.pdf of Sundstrom2014");
    lib.undo().unwrap();
    assert!(lib.attachments("Sundstrom2014").unwrap()[0].missing, "one undo step");
    lib.redo().unwrap();

    // Another file: taken, with a warning; its text is indexed again.
    let other = copy(&pdf("cermine__test1.pdf"), &dir.path().join("elsewhere/other.pdf"));
    let r = lib.locate_attachment("Sundstrom2014", "paper.pdf", &other).unwrap();
    let w = r.warning.expect("a warning for other content");
    assert!(w.contains("differs"), "{w}");
    let f = &lib.attachments("Sundstrom2014").unwrap()[0];
    assert_eq!(Path::new(&f.attachment.path), std::fs::canonicalize(&other).unwrap());
    assert_eq!(f.attachment.bytes, std::fs::metadata(&other).unwrap().len());
    assert_eq!(f.attachment.fulltext, folio::model::FulltextState::Pending);
    // Bad input: no such attachment, no such file.
    let e = lib.locate_attachment("Sundstrom2014", "nope.pdf", &other).unwrap_err();
    assert!(e.to_string().contains("has no attachment"), "{e}");
    let e = lib
        .locate_attachment("Sundstrom2014", "other.pdf", &dir.path().join("gone.pdf"))
        .unwrap_err();
    assert!(e.to_string().contains("gone.pdf"), "{e}");
}

#[test]
fn locate_copies_a_missing_stored_copy_back_under_its_name() {
    let dir = tempfile::tempdir().unwrap();
    let mut lib = library(dir.path());
    let src = pdf("cermine__example1.pdf");
    lib.attach("Sundstrom2014", std::slice::from_ref(&src), AttachMode::Store)
        .unwrap();
    let f = lib.attachments("Sundstrom2014").unwrap().remove(0);
    let stored = f.file.clone().unwrap();
    // While the copy is there, there is nothing to locate.
    let e = lib
        .locate_attachment("Sundstrom2014", &f.attachment.path, &src)
        .unwrap_err();
    assert!(e.to_string().contains("nothing to locate"), "{e}");
    std::fs::remove_file(&stored).unwrap();
    let backup = copy(&src, &dir.path().join("backup/cermine__example1.pdf"));
    let r = lib
        .locate_attachment("Sundstrom2014", &f.attachment.path, &backup)
        .unwrap();
    assert_eq!(r.warning, None);
    assert_eq!(r.file.attachment.path, f.attachment.path, "its name");
    assert_eq!(std::fs::read(&stored).unwrap(), std::fs::read(&src).unwrap());
    assert!(backup.is_file(), "the picked file stays");
    assert!(!lib.attachments("Sundstrom2014").unwrap()[0].missing);
}

#[test]
fn the_search_finds_files_of_a_renamed_folder_keeping_the_layout_in_one_step() {
    let dir = tempfile::tempdir().unwrap();
    let mut lib = library(dir.path());
    let papers = dir.path().join("papers");
    let a = copy(&pdf("cermine__example1.pdf"), &papers.join("dementia/a.pdf"));
    let b = copy(&pdf("cermine__test1.pdf"), &papers.join("public/b.pdf"));
    lib.attach("Sundstrom2014", std::slice::from_ref(&a), AttachMode::Link)
        .unwrap();
    lib.attach("Steen2021", std::slice::from_ref(&b), AttachMode::Link)
        .unwrap();
    // A stored copy lost for good.
    lib.attach("Steen2021", &[pdf("cermine__test2.pdf")], AttachMode::Store)
        .unwrap();
    let stored = lib.attachments("Steen2021").unwrap()[1].file.clone().unwrap();
    std::fs::remove_file(&stored).unwrap();
    // The folder is renamed; a copy of a.pdf with the same content elsewhere under the
    // search folder, in another layout, must lose to the one in the same layout.
    let moved = dir.path().join("archive/papers-2014");
    std::fs::create_dir_all(moved.parent().unwrap()).unwrap();
    std::fs::rename(&papers, &moved).unwrap();
    copy(&pdf("cermine__example1.pdf"), &dir.path().join("archive/stray/a.pdf"));
    // And a file of b's name with other content.
    copy(&pdf("cermine__test3.pdf"), &dir.path().join("archive/other/b.pdf"));
    assert_eq!(lib.all_attachments().unwrap().iter().filter(|f| f.missing).count(), 3);

    let search = dir.path().join("archive");
    let v = lib.version().unwrap();
    let dry = lib.find_missing_files(&search, true, WalkLimits::default()).unwrap();
    assert_eq!(dry.found.len(), 2);
    assert_eq!(lib.version().unwrap(), v, "a dry run changes nothing");

    let r = lib.find_missing_files(&search, false, WalkLimits::default()).unwrap();
    let mut found: Vec<(String, PathBuf)> = r.found.iter().map(|f| (f.file.key.clone(), f.source.clone())).collect();
    found.sort();
    assert_eq!(
        found,
        [
            ("Steen2021".to_string(), moved.join("public/b.pdf")),
            ("Sundstrom2014".to_string(), moved.join("dementia/a.pdf")),
        ]
    );
    assert!(r.ambiguous.is_empty(), "{:?}", r.ambiguous);
    assert_eq!(r.missing.len(), 1);
    assert_eq!(r.missing[0].file.as_deref(), Some(stored.as_path()));
    assert!(r.scanned >= 4);
    let missing = |lib: &Library| lib.all_attachments().unwrap().iter().filter(|f| f.missing).count();
    assert_eq!(missing(&lib), 1);
    assert_eq!(lib.version().unwrap(), v + 1, "one action");
    lib.undo().unwrap();
    assert_eq!(missing(&lib), 3, "one undo step relinks them all back");
    lib.redo().unwrap();
    assert_eq!(missing(&lib), 1);
}

#[test]
fn the_search_reports_ambiguous_files_and_stops_at_its_limits() {
    let dir = tempfile::tempdir().unwrap();
    let mut lib = library(dir.path());
    let a = copy(&pdf("cermine__example1.pdf"), &dir.path().join("old/a.pdf"));
    lib.attach("Sundstrom2014", std::slice::from_ref(&a), AttachMode::Link)
        .unwrap();
    std::fs::remove_dir_all(dir.path().join("old")).unwrap();
    let search = dir.path().join("found");
    copy(&pdf("cermine__example1.pdf"), &search.join("x/a.pdf"));
    copy(&pdf("cermine__example1.pdf"), &search.join("y/a.pdf"));
    // A symbolic link back up does not make the walk loop.
    #[cfg(unix)]
    std::os::unix::fs::symlink(&search, search.join("x/loop")).unwrap();
    let r = lib.find_missing_files(&search, false, WalkLimits::default()).unwrap();
    assert!(r.found.is_empty());
    assert_eq!(r.ambiguous.len(), 1);
    assert_eq!(
        r.ambiguous[0].candidates,
        [search.join("x/a.pdf"), search.join("y/a.pdf")]
    );
    assert!(r.ambiguous[0].reason.contains("several"), "{}", r.ambiguous[0].reason);
    assert!(lib.attachments("Sundstrom2014").unwrap()[0].missing, "none taken");

    let e = lib
        .find_missing_files(
            &search,
            false,
            WalkLimits {
                max_depth: 32,
                max_entries: 3,
            },
        )
        .unwrap_err();
    assert!(e.to_string().contains("more than 3 files and folders"), "{e}");
    let r = lib
        .find_missing_files(
            &search,
            true,
            WalkLimits {
                max_depth: 0,
                max_entries: 100,
            },
        )
        .unwrap();
    assert!(r.notes.iter().any(|n| n.contains("not searched")), "{:?}", r.notes);
    assert_eq!(r.missing.len(), 1);
    let e = lib
        .find_missing_files(&dir.path().join("nowhere"), false, WalkLimits::default())
        .unwrap_err();
    assert!(e.to_string().contains("nowhere"), "{e}");
}

#[test]
fn the_cli_locates_and_relinks() {
    let dir = tempfile::tempdir().unwrap();
    let lib_path = dir.path().join("lib.sqlite");
    drop(library(dir.path()));
    let a = copy(&pdf("cermine__example1.pdf"), &dir.path().join("papers/a.pdf"));
    let b = copy(&pdf("cermine__test1.pdf"), &dir.path().join("papers/b.pdf"));
    ok(&lib_path, &["attach", "Sundstrom2014", a.to_str().unwrap(), "--link"]);
    ok(&lib_path, &["attach", "Steen2021", b.to_str().unwrap(), "--link"]);
    std::fs::rename(dir.path().join("papers"), dir.path().join("moved")).unwrap();
    let new_a = dir.path().join("moved/a.pdf");
    let out = ok(
        &lib_path,
        &[
            "attachments",
            "locate",
            "Sundstrom2014",
            "a.pdf",
            new_a.to_str().unwrap(),
            "--json",
        ],
    );
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["missing"], false);
    assert_eq!(v["warning"], serde_json::Value::Null);
    let search = dir.path().join("moved");
    let out = ok(
        &lib_path,
        &[
            "attachments",
            "relink",
            "--search",
            search.to_str().unwrap(),
            "--dry-run",
            "--json",
        ],
    );
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["found"].as_array().unwrap().len(), 1);
    assert_eq!(v["found"][0]["key"], "Steen2021");
    let out = ok(&lib_path, &["attachments", "--missing", "--json"]);
    assert_eq!(
        serde_json::from_str::<serde_json::Value>(&out)
            .unwrap()
            .as_array()
            .unwrap()
            .len(),
        1
    );
    ok(
        &lib_path,
        &["attachments", "relink", "--search", search.to_str().unwrap()],
    );
    let out = ok(&lib_path, &["attachments", "--missing", "--json"]);
    assert_eq!(out.trim(), "[]");
}
