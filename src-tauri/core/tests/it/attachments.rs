//! Attachments: stored copies and linked files, undo, the trash, missing files, versions,
//! and bad input — with real PDFs from the corpus.

use crate::support::*;
use folio::library::AttachMode;
use folio::model::AttachmentKind;
use folio::store::versions::{Kind, ObjectId};
use folio::Library;
use std::path::{Path, PathBuf};

fn pdf(name: &str) -> PathBuf {
    let p = corpus().join("pdf/public").join(name);
    assert!(p.is_file(), "the PDF corpus is needed: {} (FOLIO_CORPUS)", p.display());
    p
}

fn sha256(p: &Path) -> String {
    use sha2::Digest;
    let bytes = std::fs::read(p).unwrap();
    sha2::Sha256::digest(&bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// A library file in `dir` with one article.
fn library(dir: &Path) -> Library {
    let mut lib = Library::open(&dir.join("lib.sqlite")).unwrap();
    lib.add(article(
        "Stressful life events are not associated with dementia",
        &["Sundström, Anna"],
        2014,
    ))
    .unwrap();
    lib
}

#[test]
fn a_stored_copy_is_named_after_the_item_and_checked() {
    let dir = tempfile::tempdir().unwrap();
    let mut lib = library(dir.path());
    let src = pdf("cermine__example1.pdf");
    let v = lib.version().unwrap();
    let added = lib
        .attach("Sundstrom2014", std::slice::from_ref(&src), AttachMode::Store)
        .unwrap();
    assert_eq!(added.len(), 1);
    let files = lib.attachments("Sundstrom2014").unwrap();
    let f = &files[0];
    assert_eq!(f.attachment.kind, AttachmentKind::Stored);
    assert_eq!(f.attachment.title, "cermine__example1.pdf");
    assert_eq!(f.attachment.mime, "application/pdf");
    assert_eq!(f.attachment.bytes, std::fs::metadata(&src).unwrap().len());
    assert_eq!(f.attachment.sha256, sha256(&src));
    let file = f.file.clone().unwrap();
    assert_eq!(
        file,
        dir.path()
            .join("lib.files/Sundström 2014 - Stressful life events are not associated with dementia.pdf")
    );
    assert_eq!(sha256(&file), f.attachment.sha256, "the copy is the file");
    assert!(!f.missing && src.is_file(), "the original stays");
    // Attaching is a change of the item.
    let id = lib.get("Sundstrom2014").unwrap().id.unwrap();
    assert_eq!(lib.version_of(Kind::Item, &ObjectId::Id(id)).unwrap(), v + 1);
    // Another file for the same item gets the next free name.
    lib.attach("Sundstrom2014", &[pdf("cermine__test1.pdf")], AttachMode::Store)
        .unwrap();
    let names: Vec<String> = lib
        .attachments("Sundstrom2014")
        .unwrap()
        .iter()
        .map(|f| f.attachment.path.clone())
        .collect();
    assert_eq!(
        names,
        [
            "Sundström 2014 - Stressful life events are not associated with dementia.pdf",
            "Sundström 2014 - Stressful life events are not associated with dementia (2).pdf"
        ]
    );
}

#[test]
fn attach_and_detach_undo_and_the_trash_keeps_files_until_it_is_emptied() {
    let dir = tempfile::tempdir().unwrap();
    let mut lib = library(dir.path());
    let linked_src = dir.path().join("mine.pdf");
    std::fs::copy(pdf("cermine__test2.pdf"), &linked_src).unwrap();
    lib.attach("Sundstrom2014", &[pdf("cermine__example1.pdf")], AttachMode::Store)
        .unwrap();
    lib.attach("Sundstrom2014", std::slice::from_ref(&linked_src), AttachMode::Link)
        .unwrap();
    let stored = lib.attachments("Sundstrom2014").unwrap()[0].file.clone().unwrap();
    assert_eq!(lib.attachments("Sundstrom2014").unwrap().len(), 2);

    lib.detach("Sundstrom2014", "mine.pdf").unwrap();
    assert_eq!(lib.attachments("Sundstrom2014").unwrap().len(), 1);
    lib.undo().unwrap();
    assert_eq!(lib.attachments("Sundstrom2014").unwrap().len(), 2);
    lib.redo().unwrap();
    lib.undo().unwrap();

    // In the trash the files stay; restored, the item has them again.
    lib.delete(&strings(&["Sundstrom2014"])).unwrap();
    assert!(stored.is_file() && linked_src.is_file());
    lib.restore(&strings(&["Sundstrom2014"])).unwrap();
    assert_eq!(lib.attachments("Sundstrom2014").unwrap().len(), 2);
    // Emptied: the stored copy goes, the linked file never.
    lib.delete(&strings(&["Sundstrom2014"])).unwrap();
    lib.empty_trash().unwrap();
    assert!(!stored.exists(), "the stored copy is deleted with its item");
    assert!(linked_src.is_file(), "a linked file is never deleted");
    // Undo brings the item, its records and its stored copy back.
    lib.undo().unwrap();
    lib.restore(&strings(&["Sundstrom2014"])).unwrap();
    let files = lib.attachments("Sundstrom2014").unwrap();
    assert_eq!(files.iter().map(|f| f.missing).collect::<Vec<_>>(), [false, false]);
}

#[test]
fn undo_of_an_emptied_trash_brings_the_stored_copies_back_until_the_step_is_gone() {
    let dir = tempfile::tempdir().unwrap();
    let mut lib = library(dir.path());
    let src = pdf("cermine__example1.pdf");
    lib.attach("Sundstrom2014", std::slice::from_ref(&src), AttachMode::Store)
        .unwrap();
    let stored = lib.attachments("Sundstrom2014").unwrap()[0].file.clone().unwrap();
    let files_dir = dir.path().join("lib.files");
    let names = || -> Vec<String> {
        let mut v: Vec<String> = std::fs::read_dir(&files_dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .filter(|n| !n.starts_with('.'))
            .collect();
        v.sort();
        v
    };
    lib.delete(&strings(&["Sundstrom2014"])).unwrap();
    lib.empty_trash().unwrap();
    assert!(!stored.exists(), "gone from the files folder");
    assert!(names().is_empty(), "{:?}", names());
    lib.undo().unwrap();
    assert_eq!(
        std::fs::read(&stored).unwrap(),
        std::fs::read(&src).unwrap(),
        "back, same bytes"
    );
    assert!(!lib.attachments("Sundstrom2014").unwrap()[0].missing);
    // Redo empties the trash again, and undo still brings the file back.
    lib.redo().unwrap();
    assert!(!stored.exists(), "redo takes it out again");
    lib.undo().unwrap();
    assert_eq!(sha256(&stored), sha256(&src));
    // Once the step cannot come back (a new action replaced it), its copies are deleted.
    lib.restore(&strings(&["Sundstrom2014"])).unwrap();
    lib.add(article("Another", &["Doe, Jane"], 2001)).unwrap();
    lib.delete(&strings(&["Doe2001"])).unwrap();
    lib.empty_trash().unwrap();
    let held: Vec<_> = std::fs::read_dir(files_dir.join(".emptied"))
        .map(|d| d.flatten().map(|e| e.file_name()).collect())
        .unwrap_or_default();
    assert!(
        held.is_empty(),
        "no holding folder is left for a step that is gone: {held:?}"
    );
    assert_eq!(names(), [stored.file_name().unwrap().to_string_lossy().into_owned()]);
}

#[test]
fn a_detached_copy_is_deleted_only_when_the_trash_is_emptied() {
    let dir = tempfile::tempdir().unwrap();
    let mut lib = library(dir.path());
    lib.attach("Sundstrom2014", &[pdf("cermine__example1.pdf")], AttachMode::Store)
        .unwrap();
    let stored = lib.attachments("Sundstrom2014").unwrap()[0].file.clone().unwrap();
    lib.detach("Sundstrom2014", "cermine__example1.pdf").unwrap();
    assert!(stored.is_file(), "undo of the detach needs it");
    lib.empty_trash().unwrap();
    assert!(!stored.exists());
    // No item was in the trash, so emptying it made no action of its own; undoing the detach
    // (in a new process, as the CLI would) still brings the copy back.
    drop(lib);
    let mut lib = Library::open(&dir.path().join("lib.sqlite")).unwrap();
    let undone = lib.undo().unwrap();
    assert!(undone.starts_with("Detach "), "{undone}");
    let a = &lib.attachments("Sundstrom2014").unwrap()[0];
    assert!(!a.missing, "the copy is back");
    assert_eq!(sha256(&stored), sha256(&pdf("cermine__example1.pdf")));
    // Redo detaches it again; the next empty trash takes the copy out again.
    lib.redo().unwrap();
    lib.empty_trash().unwrap();
    assert!(!stored.exists());
}

#[test]
fn linked_files_are_relative_to_the_base_folder_and_found_missing() {
    let dir = tempfile::tempdir().unwrap();
    let mut lib = library(dir.path());
    let synced = dir.path().join("Dropbox/papers");
    std::fs::create_dir_all(&synced).unwrap();
    let file = synced.join("paper.pdf");
    std::fs::copy(pdf("cermine__test3.pdf"), &file).unwrap();
    lib.set_attachment_base(Some(&dir.path().join("Dropbox"))).unwrap();
    lib.attach("Sundstrom2014", std::slice::from_ref(&file), AttachMode::Link)
        .unwrap();
    let f = &lib.attachments("Sundstrom2014").unwrap()[0];
    assert_eq!(f.attachment.path, "papers/paper.pdf", "relative to the base folder");
    assert!(!f.missing);
    // The synced folder is elsewhere on another machine: set the base, the file is found.
    let moved = dir.path().join("elsewhere");
    std::fs::rename(dir.path().join("Dropbox"), &moved).unwrap();
    assert!(lib.attachments("Sundstrom2014").unwrap()[0].missing);
    assert_eq!(lib.all_attachments().unwrap().iter().filter(|f| f.missing).count(), 1);
    lib.set_attachment_base(Some(&moved)).unwrap();
    assert!(!lib.attachments("Sundstrom2014").unwrap()[0].missing);
}

#[test]
fn bad_files_are_refused_whole_with_their_path() {
    let dir = tempfile::tempdir().unwrap();
    let mut lib = library(dir.path());
    let good = pdf("cermine__example1.pdf");
    let nothing = dir.path().join("nothing.pdf");
    let e = lib
        .attach("Sundstrom2014", &[good.clone(), nothing.clone()], AttachMode::Store)
        .unwrap_err()
        .to_string();
    assert!(e.contains("nothing.pdf"), "{e}");
    assert!(lib.attachments("Sundstrom2014").unwrap().is_empty(), "nothing attached");
    let leftovers: Vec<_> = std::fs::read_dir(dir.path().join("lib.files"))
        .map(|d| d.flatten().map(|e| e.file_name()).collect())
        .unwrap_or_default();
    assert!(leftovers.is_empty(), "the copy already made is removed: {leftovers:?}");
    // A folder and a FIFO are refused at once (no hang).
    let e = lib
        .attach("Sundstrom2014", &[dir.path().to_path_buf()], AttachMode::Store)
        .unwrap_err()
        .to_string();
    assert!(e.contains("directory"), "{e}");
    #[cfg(unix)]
    {
        let fifo = dir.path().join("pipe.pdf");
        assert!(std::process::Command::new("mkfifo")
            .arg(&fifo)
            .status()
            .unwrap()
            .success());
        let e = lib
            .attach("Sundstrom2014", &[fifo], AttachMode::Link)
            .unwrap_err()
            .to_string();
        assert!(e.contains("FIFO") || e.contains("fifo"), "{e}");
    }
    // A library in memory has no files folder: copies are refused, links work.
    let mut mem = mem();
    mem.add(article("X", &["Doe, J"], 2000)).unwrap();
    let e = mem
        .attach("Doe2000", std::slice::from_ref(&good), AttachMode::Store)
        .unwrap_err()
        .to_string();
    assert!(e.contains("--link"), "{e}");
    mem.attach("Doe2000", &[good], AttachMode::Link).unwrap();
    let e = mem.detach("Doe2000", "other.pdf").unwrap_err().to_string();
    assert!(e.contains("cermine__example1.pdf"), "names what it has: {e}");
}

#[test]
fn the_cli_attaches_lists_and_shows_attachments_in_json() {
    let dir = tempfile::tempdir().unwrap();
    let lib = jaspers_library(dir.path());
    let src = pdf("cermine__test1.pdf");
    ok(&lib, &["attach", "Jaspers2019", src.to_str().unwrap()]);
    let list: serde_json::Value = serde_json::from_str(&ok(&lib, &["list", "--json"])).unwrap();
    let a = &list[0]["attachments"][0];
    assert_eq!(a["stored"], true);
    assert_eq!(a["mime"], "application/pdf");
    assert_eq!(a["sha256"], sha256(&src));
    assert_eq!(a["fulltext"], "pending");
    assert_eq!(a["missing"], false);
    std::fs::remove_file(a["path"].as_str().unwrap()).unwrap();
    let missing: serde_json::Value = serde_json::from_str(&ok(&lib, &["attachments", "--missing", "--json"])).unwrap();
    assert_eq!(missing.as_array().unwrap().len(), 1);
    assert_eq!(missing[0]["key"], "Jaspers2019");
}

#[test]
fn stored_files_follow_the_items_name_and_the_pattern_and_undo_finds_the_old_name() {
    let dir = tempfile::tempdir().unwrap();
    let mut lib = library(dir.path());
    let src = pdf("cermine__example1.pdf");
    lib.attach("Sundstrom2014", std::slice::from_ref(&src), AttachMode::Store)
        .unwrap();
    let files_dir = dir.path().join("lib.files");
    let name = |lib: &Library| lib.attachments("Sundstrom2014").unwrap()[0].attachment.path.clone();
    let old = name(&lib);
    assert_eq!(
        old,
        "Sundström 2014 - Stressful life events are not associated with dementia.pdf"
    );
    // An edit of the title renames the stored copy in the same action.
    lib.edit(
        "Sundstrom2014",
        &[("title".into(), "Life events and dementia".into())],
        false,
    )
    .unwrap();
    assert_eq!(name(&lib), "Sundström 2014 - Life events and dementia.pdf");
    assert_eq!(sha256(&files_dir.join(name(&lib))), sha256(&src));
    // A note edit does not.
    lib.edit("Sundstrom2014", &[("note".into(), "read".into())], false)
        .unwrap();
    assert_eq!(name(&lib), "Sundström 2014 - Life events and dementia.pdf");
    lib.undo().unwrap();
    lib.undo().unwrap();
    assert_eq!(name(&lib), old);
    assert!(
        !lib.attachments("Sundstrom2014").unwrap()[0].missing,
        "the old name is still there"
    );
    // The pattern: every stored file is renamed in one step; "default" goes back.
    assert_eq!(
        lib.set_attachment_name_pattern(Some("[key] - [shorttitle]")).unwrap(),
        1
    );
    assert_eq!(name(&lib), "Sundstrom2014 - Stressful life events.pdf");
    assert!(files_dir.join(name(&lib)).is_file());
    assert!(lib.set_attachment_name_pattern(Some("no tokens")).is_err());
    lib.undo().unwrap();
    assert_eq!(name(&lib), old);
    assert_eq!(
        lib.attachment_name_pattern().unwrap(),
        folio::library::DEFAULT_NAME_PATTERN
    );
    // Names nothing refers to go when the trash is emptied (held while the rename's step can
    // be undone: the trash held no item, so no step of its own).
    lib.set_attachment_name_pattern(Some("[auth]")).unwrap();
    lib.empty_trash().unwrap();
    let left: Vec<String> = std::fs::read_dir(&files_dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| !n.starts_with('.'))
        .collect();
    assert_eq!(left, ["Sundström.pdf"]);
    lib.undo().unwrap();
    assert_eq!(name(&lib), old);
    assert!(
        files_dir.join(&old).is_file(),
        "undo of the rename finds its old name again"
    );
    lib.redo().unwrap();
    // The CLI: --rename fits names to the pattern after a change the library did not rename.
    drop(lib);
    let out = ok(
        &dir.path().join("lib.sqlite"),
        &["attachments", "--pattern", "default", "--json"],
    );
    assert!(out.contains("Sundström 2014 - Stressful life events"), "{out}");
}

#[test]
fn name_patterns_drop_dangling_separators() {
    use folio::library::stored_stem_with;
    let mut it = article(
        "A Title: With More",
        &["Flores, Ana", "Steen, Trui", "Jaspers, Sylke"],
        2020,
    );
    it.key = "Flores2020".into();
    assert_eq!(
        stored_stem_with(&it, "[authors] ([year]) [title]"),
        "Flores et al (2020) A Title With More"
    );
    it.date.year = None;
    assert_eq!(
        stored_stem_with(&it, "[auth] [year] - [title]"),
        "Flores - A Title With More"
    );
    it.creators.clear();
    assert_eq!(stored_stem_with(&it, "[auth] [year] - [title]"), "A Title With More");
    it.title.clear();
    assert_eq!(stored_stem_with(&it, "[auth] [year] - [title]"), "Flores2020");
}

/// A library with an item lacking a year (and a DOI), a stored copy named without the year.
fn yearless(dir: &Path) -> (Library, PathBuf) {
    let mut lib = Library::open(&dir.join("lib.sqlite")).unwrap();
    let mut it = article("Stressful life events", &["Sundström, Anna"], 2014);
    it.date.year = None;
    it.key = "Sundstrom".into();
    it.doi = "10.1000/dementia.1".into();
    lib.add(it).unwrap();
    lib.attach("Sundstrom", &[pdf("cermine__example1.pdf")], AttachMode::Store)
        .unwrap();
    let files = dir.join("lib.files");
    assert_eq!(
        lib.attachments("Sundstrom").unwrap()[0].attachment.path,
        "Sundström - Stressful life events.pdf"
    );
    (lib, files)
}

fn stored_name(lib: &Library, key: &str) -> String {
    lib.attachments(key).unwrap()[0].attachment.path.clone()
}

#[test]
fn a_merge_a_key_change_and_a_merging_import_rename_stored_copies_in_their_step() {
    let dir = tempfile::tempdir().unwrap();
    let (mut lib, files) = yearless(dir.path());
    // A duplicate merge fills the year in: the copy follows, one undo step.
    lib.add(article("Stressful life events", &["Sundström, Anna"], 2014))
        .unwrap();
    let v = lib.version().unwrap();
    lib.merge("Sundstrom", &strings(&["Sundstrom2014"])).unwrap();
    assert_eq!(lib.version().unwrap(), v + 1);
    assert_eq!(
        stored_name(&lib, "Sundstrom"),
        "Sundström 2014 - Stressful life events.pdf"
    );
    assert!(files.join(stored_name(&lib, "Sundstrom")).is_file());
    lib.undo().unwrap();
    assert_eq!(stored_name(&lib, "Sundstrom"), "Sundström - Stressful life events.pdf");
    assert!(!lib.attachments("Sundstrom").unwrap()[0].missing);

    // Regenerated keys rename copies named by [key].
    lib.set_attachment_name_pattern(Some("[key] - [shorttitle]")).unwrap();
    assert_eq!(stored_name(&lib, "Sundstrom"), "Sundstrom - Stressful life events.pdf");
    lib.regenerate_keys(&strings(&["Sundstrom"]), Some("[auth][shorttitle]"), false)
        .unwrap();
    let new_key = "SundstromStressfulLifeEvents";
    assert_eq!(
        stored_name(&lib, new_key),
        format!("{new_key} - Stressful life events.pdf")
    );
    assert!(files.join(stored_name(&lib, new_key)).is_file());
    lib.undo().unwrap();
    assert_eq!(stored_name(&lib, "Sundstrom"), "Sundstrom - Stressful life events.pdf");
    lib.undo().unwrap();

    // An import that merges into the item (same DOI) and fills its year in.
    lib.delete(&strings(&["Sundstrom2014"])).unwrap();
    let bib =
        "@article{x, title={Stressful life events}, author={Sundström, Anna}, year={2014}, doi={10.1000/dementia.1}}\n";
    let opts = folio::import::ImportOptions {
        duplicates: folio::import::DuplicatePolicy::Merge,
        ..Default::default()
    };
    let r = lib.import_text("more.bib", bib, &opts).unwrap();
    assert_eq!(r.files[0].decisions[0].action.as_str(), "merged");
    assert_eq!(
        stored_name(&lib, "Sundstrom"),
        "Sundström 2014 - Stressful life events.pdf"
    );
    assert!(files.join(stored_name(&lib, "Sundstrom")).is_file());
    lib.undo().unwrap();
    assert_eq!(stored_name(&lib, "Sundstrom"), "Sundström - Stressful life events.pdf");
    assert!(!lib.attachments("Sundstrom").unwrap()[0].missing);
}
