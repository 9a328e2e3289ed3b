//! Attachments in file formats: BibTeX `file` fields (JabRef, Zotero, Mendeley forms),
//! BibDesk's `bdsk-file-N`, RIS `L1`/`L4` — read into linked attachments, written back with
//! paths relative to the exported file — and the full text of attached files, searched with
//! `fulltext:` and the "everything" mode.

use crate::support::*;
use folio::format::Format;
use folio::library::export::{ExportOptions, Selection};
use folio::library::fulltext::FulltextOptions;
use folio::library::import::ImportOptions;
use folio::model::{AttachmentKind, FulltextState};
use folio::store::search::Filter;
use folio::Library;
use std::path::Path;

fn import(lib: &mut Library, file: &Path) {
    let r = lib
        .import_files(&[file.to_path_buf()], &ImportOptions::default(), &mut |_| {})
        .unwrap();
    assert_eq!(r.errors(), 0, "{r:#?}");
}

fn export(lib: &Library, format: Format, to: &Path) -> String {
    let opts = ExportOptions {
        format,
        ..Default::default()
    };
    lib.export_file(&Selection::default(), &opts, to).unwrap();
    std::fs::read_to_string(to).unwrap()
}

fn real(p: &Path) -> String {
    std::fs::canonicalize(p).unwrap().to_string_lossy().into_owned()
}

const BIB: &str = r#"@article{Jabref2016,
  author = {Geiger, Matthias},
  title = {Evolution of a process engine benchmark},
  journal = {J},
  year = {2016},
  file = {:pdfs/geiger.pdf:PDF}
}

@article{Zotero2020,
  author = {Ann Smith},
  title = {Zotero's form},
  year = {2020},
  file = {Full Text PDF:ZOTERO_PDF:application/pdf;Snapshot:ZOTERO_HTML:text/html}
}

@article{Mendeley2010,
  author = {Smith, Bob},
  title = {Mendeley's form},
  year = {2010},
  file = {:MENDELEY:pdf}
}

@article{Gone2001,
  author = {Doe, Jane},
  title = {A file that is not here},
  year = {2001},
  file = {:pdfs/not-here.pdf:PDF;Online:https\://example.org/x.pdf:PDF}
}
"#;

/// A folder with `refs/refs.bib` (the four entries above) and the files it names.
fn jabref_folder(dir: &Path) -> std::path::PathBuf {
    let refs = dir.join("refs");
    std::fs::create_dir_all(refs.join("pdfs")).unwrap();
    let other = dir.join("zotero/storage/AB12");
    std::fs::create_dir_all(&other).unwrap();
    let pdf = corpus().join("pdf/public/cermine__test1.pdf");
    assert!(pdf.is_file(), "the PDF corpus is needed (FOLIO_CORPUS)");
    std::fs::copy(&pdf, refs.join("pdfs/geiger.pdf")).unwrap();
    std::fs::copy(&pdf, other.join("smith 2020.pdf")).unwrap();
    std::fs::write(
        other.join("snap.html"),
        "<html><body><p>Snapshot text</p></body></html>",
    )
    .unwrap();
    std::fs::write(dir.join("mendeley.pdf"), b"%PDF-1.4\n%%EOF\n").unwrap();
    let mendeley = real(&dir.join("mendeley.pdf"));
    let bib = BIB
        .replace("ZOTERO_PDF", &real(&other.join("smith 2020.pdf")))
        .replace("ZOTERO_HTML", &real(&other.join("snap.html")))
        // Mendeley on macOS and Linux leaves out the leading slash.
        .replace("MENDELEY", mendeley.trim_start_matches('/'));
    std::fs::write(refs.join("refs.bib"), bib).unwrap();
    refs.join("refs.bib")
}

#[test]
fn a_bib_files_links_become_linked_attachments_and_exports_write_them_back() {
    let dir = tempfile::tempdir().unwrap();
    let bib = jabref_folder(dir.path());
    let mut lib = Library::open(&dir.path().join("lib.sqlite")).unwrap();
    import(&mut lib, &bib);
    let refs = bib.parent().unwrap();
    let geiger = lib.attachments("Jabref2016").unwrap();
    assert_eq!(geiger.len(), 1);
    let a = &geiger[0];
    assert_eq!(a.attachment.kind, AttachmentKind::Linked);
    assert_eq!(a.attachment.path, real(&refs.join("pdfs/geiger.pdf")));
    assert_eq!(a.attachment.mime, "application/pdf");
    assert_eq!(
        a.attachment.bytes,
        std::fs::metadata(refs.join("pdfs/geiger.pdf")).unwrap().len()
    );
    assert!(!a.missing);
    let zotero = lib.attachments("Zotero2020").unwrap();
    let titles: Vec<_> = zotero
        .iter()
        .map(|f| (f.attachment.title.as_str(), f.attachment.mime.as_str()))
        .collect();
    assert_eq!(
        titles,
        [("smith 2020.pdf", "application/pdf"), ("snap.html", "text/html")]
    );
    let mendeley = lib.attachments("Mendeley2010").unwrap();
    assert_eq!(mendeley[0].attachment.path, real(&dir.path().join("mendeley.pdf")));
    // The missing file is kept (and found missing); the web address is not a file.
    let gone = lib.attachments("Gone2001").unwrap();
    assert_eq!(gone.len(), 1);
    assert!(gone[0].missing);
    assert_eq!(
        gone[0].attachment.path,
        refs.join("pdfs/not-here.pdf").to_string_lossy()
    );
    assert_eq!(lib.all_attachments().unwrap().iter().filter(|f| f.missing).count(), 1);

    // Exported beside the original: JabRef's entry says the same thing and is copied as it was.
    let back = export(&lib, Format::Bibtex, &refs.join("again.bib"));
    let original = std::fs::read_to_string(&bib).unwrap();
    let jabref_entry = &original[..original.find("@article{Zotero2020").unwrap()];
    assert!(back.contains(jabref_entry.trim()), "{back}");
    // Exported elsewhere: the paths are absolute, so the links still work from there.
    let elsewhere = dir.path().join("thesis");
    std::fs::create_dir_all(&elsewhere).unwrap();
    let text = export(&lib, Format::Biblatex, &elsewhere.join("thesis.bib"));
    let pdf_path = real(&refs.join("pdfs/geiger.pdf"));
    assert!(
        text.contains(&format!("file = {{:{}:PDF}}", pdf_path.replace(':', "\\:"))),
        "{text}"
    );
    // Read back into another library from there: the same files.
    let mut other = Library::open(&dir.path().join("other.sqlite")).unwrap();
    import(&mut other, &elsewhere.join("thesis.bib"));
    for key in ["Jabref2016", "Zotero2020", "Mendeley2010", "Gone2001"] {
        let paths = |l: &Library| {
            l.attachments(key)
                .unwrap()
                .into_iter()
                .map(|f| f.attachment.path)
                .collect::<Vec<_>>()
        };
        assert_eq!(paths(&other), paths(&lib), "{key}");
    }
    // RIS: L1 for the PDF, L4 for the snapshot, relative to the RIS file's folder; read back.
    let ris = export(&lib, Format::Ris, &dir.path().join("zotero/all.ris"));
    assert!(ris.contains("L1  - storage/AB12/smith 2020.pdf\r\n"), "{ris}");
    assert!(ris.contains("L4  - storage/AB12/snap.html\r\n"), "{ris}");
    let mut third = Library::open(&dir.path().join("third.sqlite")).unwrap();
    import(&mut third, &dir.path().join("zotero/all.ris"));
    let zotero_key = third
        .items(&Filter::default(), Default::default())
        .unwrap()
        .into_iter()
        .find(|i| i.title == "Zotero's form")
        .unwrap()
        .key;
    let files: Vec<_> = third
        .attachments(&zotero_key)
        .unwrap()
        .into_iter()
        .map(|f| (f.attachment.path, f.missing))
        .collect();
    assert_eq!(
        files,
        [
            (real(&dir.path().join("zotero/storage/AB12/smith 2020.pdf")), false),
            (real(&dir.path().join("zotero/storage/AB12/snap.html")), false)
        ]
    );
}

#[test]
fn a_detached_file_leaves_the_exported_record_and_undo_brings_it_back() {
    let dir = tempfile::tempdir().unwrap();
    let bib = jabref_folder(dir.path());
    let mut lib = Library::open(&dir.path().join("lib.sqlite")).unwrap();
    import(&mut lib, &bib);
    let refs = bib.parent().unwrap().to_path_buf();
    lib.detach("Zotero2020", "snap.html").unwrap();
    let text = export(&lib, Format::Bibtex, &refs.join("out.bib"));
    let entry = &text[text.find("@article{Zotero2020").unwrap()..];
    let entry = &entry[..entry.find("\n}").unwrap()];
    assert!(entry.contains("file = {Full Text PDF:"), "{entry}");
    assert!(entry.contains("smith 2020.pdf:application/pdf}"), "{entry}");
    assert!(!entry.contains("snap.html"), "{entry}");
    lib.detach("Zotero2020", "smith 2020.pdf").unwrap();
    let text = export(&lib, Format::Bibtex, &refs.join("out.bib"));
    let entry = &text[text.find("@article{Zotero2020").unwrap()..];
    let entry = &entry[..entry.find("\n}").unwrap()];
    assert!(!entry.contains("file"), "{entry}");
    lib.undo().unwrap();
    lib.undo().unwrap();
    assert_eq!(lib.attachments("Zotero2020").unwrap().len(), 2);
    // The entry says again what it said when imported, and is written as it was.
    let text = export(&lib, Format::Bibtex, &refs.join("out.bib"));
    assert!(text.contains("Snapshot:"), "{text}");
    assert!(text.contains("snap.html:text/html}"), "{text}");
}

#[test]
fn bibdesk_links_resolve_against_the_bib_files_folder() {
    let src = corpus().join("public/bibtex/bbt__2374-bibdesk-base64.bib");
    assert!(src.is_file(), "the corpus is needed: {}", src.display());
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("Papers")).unwrap();
    let name = "KraftSmith2019 - Between international donors and local faith communities Intermediaries.pdf";
    std::fs::write(dir.path().join("Papers").join(name), b"%PDF-1.3\n").unwrap();
    std::fs::copy(&src, dir.path().join("refs.bib")).unwrap();
    let mut lib = mem();
    import(&mut lib, &dir.path().join("refs.bib"));
    let files = lib.attachments("KraftSmith:2019").unwrap();
    assert_eq!(files.len(), 1);
    assert_eq!(files[0].attachment.path, real(&dir.path().join("Papers").join(name)));
    assert!(!files[0].missing);
}

#[test]
fn full_text_is_indexed_searched_by_page_and_extracted_again_only_when_the_file_changes() {
    let dir = tempfile::tempdir().unwrap();
    let mut lib = Library::open(&dir.path().join("lib.sqlite")).unwrap();
    lib.add(article("Notes on rivers", &["Flores, Ana"], 2020)).unwrap();
    lib.add(article("Unrelated", &["Steen, Trui"], 2021)).unwrap();
    let notes = dir.path().join("notes.txt");
    std::fs::write(
        &notes,
        "First page about deltas.\u{c}Second page: the meandering floodplain sediments are here.",
    )
    .unwrap();
    let page = dir.path().join("page.html");
    std::fs::write(
        &page,
        "<html><script>var floodplain = 1;</script><p>Estuary &amp; lagoon</p></html>",
    )
    .unwrap();
    lib.attach(
        "Flores2020",
        std::slice::from_ref(&notes),
        folio::library::AttachMode::Link,
    )
    .unwrap();
    lib.attach(
        "Steen2021",
        std::slice::from_ref(&page),
        folio::library::AttachMode::Store,
    )
    .unwrap();
    let status = lib.fulltext_status().unwrap();
    assert_eq!((status.attachments, status.pending, status.indexed), (2, 2, 0));
    let mut seen = Vec::new();
    let r = lib
        .index_fulltext(&FulltextOptions::default(), &mut |p| {
            seen.push((p.done, p.total));
            true
        })
        .unwrap();
    assert_eq!((r.indexed, r.failed, r.pages), (2, 0, 3), "{r:#?}");
    assert_eq!(seen, [(0, 2), (1, 2)]);
    let files = lib.attachments("Flores2020").unwrap();
    assert_eq!(files[0].attachment.fulltext, FulltextState::Indexed);
    assert_eq!(files[0].attachment.pages, Some(2));
    assert_eq!(files[0].attachment.sha256.len(), 64);

    let q = |lib: &Library, s: &str| {
        keys(
            lib,
            &Filter {
                query: folio::query::parse(s).unwrap(),
                ..Default::default()
            },
        )
    };
    assert_eq!(q(&lib, r#"fulltext:"meandering floodplain""#), ["Flores2020"]);
    assert_eq!(q(&lib, "ft:meand"), ["Flores2020"], "words match as prefixes");
    // Script text is not page text; entities are read.
    assert!(q(&lib, "fulltext:var").is_empty());
    assert_eq!(q(&lib, r#"fulltext:"estuary lagoon""#), ["Steen2021"]);
    assert!(
        q(&lib, "floodplain").is_empty(),
        "plain words search the item's fields only"
    );
    assert_eq!(q(&lib, "-fulltext:floodplain"), ["Steen2021"]);
    assert_eq!(q(&lib, "has:file"), ["Flores2020", "Steen2021"]);
    let every = |lib: &Library, s: &str| {
        keys(
            lib,
            &Filter {
                query: folio::query::parse_everything(s).unwrap(),
                ..Default::default()
            },
        )
    };
    assert_eq!(every(&lib, "floodplain"), ["Flores2020"]);
    assert_eq!(every(&lib, "rivers"), ["Flores2020"], "and the item's own fields");
    let hits = lib.fulltext_hits("Flores2020", "floodplain", true).unwrap();
    assert_eq!(hits.len(), 1);
    assert_eq!((hits[0].title.as_str(), hits[0].page), ("notes.txt", 2));
    assert!(hits[0].snippet.contains("[floodplain]"), "{hits:?}");

    // Unchanged files are not read again; a changed one is, and its old text goes.
    let r = lib.index_fulltext(&FulltextOptions::default(), &mut |_| true).unwrap();
    assert_eq!((r.indexed, r.unchanged), (0, 0), "nothing to do: {r:?}");
    let r = lib
        .index_fulltext(
            &FulltextOptions {
                recheck: true,
                ..Default::default()
            },
            &mut |_| true,
        )
        .unwrap();
    assert_eq!((r.indexed, r.unchanged), (0, 2));
    std::fs::write(&notes, "Now about glaciers only, on a single page of text.").unwrap();
    let r = lib.index_fulltext(&FulltextOptions::default(), &mut |_| true).unwrap();
    assert_eq!((r.indexed, r.pages), (1, 1));
    assert!(q(&lib, "fulltext:floodplain").is_empty());
    assert_eq!(q(&lib, "fulltext:glaciers"), ["Flores2020"]);

    // Trash and empty the trash: the text goes with the attachment; undo brings the item back
    // and the next pass extracts its text again.
    lib.delete(&["Flores2020".to_string()]).unwrap();
    lib.empty_trash().unwrap();
    assert_eq!(lib.fulltext_status().unwrap().pages, 1);
    lib.undo().unwrap();
    lib.undo().unwrap();
    assert!(q(&lib, "fulltext:glaciers").is_empty());
    let r = lib.index_fulltext(&FulltextOptions::default(), &mut |_| true).unwrap();
    assert_eq!(r.indexed, 1, "{r:?}");
    assert_eq!(q(&lib, "fulltext:glaciers"), ["Flores2020"]);
}

#[test]
fn a_cancelled_pass_keeps_what_it_did_and_the_next_resumes() {
    let dir = tempfile::tempdir().unwrap();
    let mut lib = Library::open(&dir.path().join("lib.sqlite")).unwrap();
    lib.add(article("Three files", &["Flores, Ana"], 2020)).unwrap();
    let files: Vec<_> = (0..3)
        .map(|i| {
            let p = dir.path().join(format!("f{i}.txt"));
            std::fs::write(&p, format!("word{i} in file {i}")).unwrap();
            p
        })
        .collect();
    lib.attach("Flores2020", &files, folio::library::AttachMode::Link)
        .unwrap();
    let r = lib
        .index_fulltext(&FulltextOptions::default(), &mut |p| p.done < 1)
        .unwrap();
    assert!(r.cancelled);
    assert_eq!(r.indexed, 1);
    // A new handle (as after a restart) finds two pending and does only those.
    drop(lib);
    let mut lib = Library::open(&dir.path().join("lib.sqlite")).unwrap();
    assert_eq!(lib.fulltext_status().unwrap().pending, 2);
    let r = lib.index_fulltext(&FulltextOptions::default(), &mut |_| true).unwrap();
    assert_eq!((r.indexed, r.cancelled), (2, false));
    assert_eq!(lib.fulltext_status().unwrap().indexed, 3);
}

#[test]
fn the_cli_indexes_reports_and_searches_full_text() {
    let dir = tempfile::tempdir().unwrap();
    let lib = dir.path().join("lib.sqlite");
    let notes = dir.path().join("notes.txt");
    std::fs::write(&notes, "Cover page.\u{c}The braided channel migrates eastward.").unwrap();
    let bib = dir.path().join("refs.bib");
    std::fs::write(
        &bib,
        "@article{Flores2020, author = {Flores, Ana}, title = {Rivers}, year = {2020}, file = {:notes.txt:Text}}\n",
    )
    .unwrap();
    ok(&lib, &["import", bib.to_str().unwrap()]);
    let status: serde_json::Value = serde_json::from_str(&ok(&lib, &["fulltext", "status", "--json"])).unwrap();
    assert_eq!(
        (status["attachments"].as_i64(), status["pending"].as_i64()),
        (Some(1), Some(1))
    );
    let out = folio(&lib, &["fulltext", "index"]);
    assert!(out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("[1/1] notes.txt") && err.contains("indexed 1 file(s) (2 pages)"),
        "{err}"
    );
    let listed: serde_json::Value =
        serde_json::from_str(&ok(&lib, &["list", "--json", "-q", "fulltext:\"braided channel\""])).unwrap();
    assert_eq!(listed[0]["key"], "Flores2020");
    assert_eq!(listed[0]["attachments"][0]["fulltext"], "indexed");
    assert_eq!(listed[0]["attachments"][0]["pages"], 2);
    let every: serde_json::Value =
        serde_json::from_str(&ok(&lib, &["list", "--json", "-q", "braided", "--everything"])).unwrap();
    assert_eq!(every[0]["key"], "Flores2020");
    assert_eq!(ok(&lib, &["list", "--count", "-q", "braided"]).trim(), "0");
    let found = ok(&lib, &["fulltext", "search", "--everything", "migrates"]);
    assert!(
        found.contains("Flores2020\tRivers")
            && found.contains("notes.txt p. 2: The braided channel [migrates] eastward."),
        "{found}"
    );
}
