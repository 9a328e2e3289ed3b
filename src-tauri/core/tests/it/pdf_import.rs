//! Drop PDFs → references with their files, on the real PDF corpus: one folder import of every
//! scholarly and hostile PDF (hostile files never stop the others), each listed phrase found
//! by `fulltext:` in exactly its own file's item, duplicates attached instead of added, the
//! CLI's `import paper.pdf`.

use crate::support::*;
use folio::library::fulltext::FulltextOptions;
use folio::library::pdf_import::{PdfImportOptions, PdfOutcome, NEEDS_REVIEW};
use folio::model::FulltextState;
use folio::store::search::Filter;
use folio::Library;
use std::collections::HashMap;
use std::path::{Path, PathBuf};

/// The release CLI when the run has one (`FOLIO_BIN`, as CI sets it: a debug worker takes
/// ~15× longer per PDF), else this build's.
fn worker() -> folio::pdf::Worker {
    let bin = std::env::var("FOLIO_BIN")
        .ok()
        .filter(|b| std::path::Path::new(b).is_file());
    folio::pdf::Worker::with_program(bin.unwrap_or_else(|| folio_bin().to_string()))
}

/// Generous time per file: the limit is for hostile files, not a busy machine's debug build.
fn opts() -> PdfImportOptions {
    PdfImportOptions {
        limits: folio::pdf::Limits {
            time: std::time::Duration::from_secs(240),
            ..Default::default()
        },
        ..Default::default()
    }
}

/// (path relative to the corpus' pdf folder, phrases) of every PDF with phrases.
fn manifest_phrases() -> Vec<(String, Vec<String>)> {
    let m = corpus().join("pdf/MANIFEST.tsv");
    let text = std::fs::read_to_string(&m).unwrap_or_else(|e| panic!("the PDF corpus is needed: {}: {e}", m.display()));
    let mut lines = text.lines();
    let head: Vec<&str> = lines.next().unwrap().split('\t').collect();
    let col = |n: &str| head.iter().position(|h| *h == n).unwrap();
    let (path, phrases) = (col("path"), col("phrases"));
    lines
        .map(|l| l.split('\t').collect::<Vec<_>>())
        .filter(|r| !r[phrases].trim().is_empty())
        .map(|r| {
            (
                r[path].to_string(),
                r[phrases].split(" | ").map(|p| p.trim().to_string()).collect(),
            )
        })
        .collect()
}

fn keys_for(lib: &Library, q: &str) -> Vec<String> {
    keys(
        lib,
        &Filter {
            query: folio::query::parse(q).unwrap(),
            ..Default::default()
        },
    )
}

#[test]
fn a_folder_of_the_corpus_becomes_references_and_every_phrase_finds_its_own_file() {
    let folder = corpus().join("pdf/public");
    assert!(folder.is_dir(), "the PDF corpus is needed: {}", folder.display());
    let dir = tempfile::tempdir().unwrap();
    let mut lib = Library::open(&dir.path().join("lib.sqlite")).unwrap();
    lib.set_pdf_worker(worker());
    let mut seen = 0;
    let reports = lib
        .import_pdfs(std::slice::from_ref(&folder), &opts(), &mut |_, _, _| {
            seen += 1;
            true
        })
        .unwrap();
    let n_files = folio::library::pdf_import::pdf_files(std::slice::from_ref(&folder))
        .unwrap()
        .len();
    assert_eq!(reports.len(), n_files, "every PDF has its report, hostile ones too");
    assert_eq!(seen, n_files);
    // Every file is in the library: as a new item or attached to one.
    let by_path: HashMap<PathBuf, String> = reports
        .iter()
        .map(|r| {
            let key = match &r.outcome {
                PdfOutcome::Added { key } | PdfOutcome::Attached { key, .. } => key.clone(),
            };
            (PathBuf::from(&r.path), key)
        })
        .collect();
    let attached: usize = lib.all_attachments().unwrap().len();
    assert_eq!(attached, n_files);
    // Hostile files that cannot be read are items named after the file, tagged for review.
    let zero = reports
        .iter()
        .find(|r| r.path.ends_with("hostile_zero-bytes__generated.pdf"))
        .unwrap();
    assert!(
        zero.needs_review
            && zero
                .notes
                .iter()
                .any(|n| n.contains("not a PDF") || n.contains("empty")),
        "{zero:?}"
    );
    let zero_key = &by_path[&PathBuf::from(&zero.path)];
    let item = lib.get(zero_key).unwrap();
    assert_eq!(item.title, "hostile_zero-bytes__generated");
    assert!(item.has_tag(NEEDS_REVIEW));
    assert_eq!(
        lib.attachments(zero_key).unwrap()[0].attachment.fulltext,
        FulltextState::Failed
    );
    // A real article: its DOI and title, and its text indexed at once.
    let r = reports.iter().find(|r| r.path.ends_with("cermine__test2.pdf")).unwrap();
    let it = lib.get(&by_path[&PathBuf::from(&r.path)]).unwrap();
    assert_eq!(it.doi.to_lowercase(), "10.1155/2010/157939");
    assert_eq!(it.title, "Patient Experiences of Structured Heart Failure Programmes");
    assert!(
        r.fields
            .iter()
            .any(|f| f.field == "doi" && f.source.starts_with("printed on page")),
        "{r:?}"
    );

    // Each phrase: found by fulltext:"…" in exactly the item of its own file.
    let mut failures = Vec::new();
    let mut checked = 0;
    for (rel, phrases) in manifest_phrases() {
        let path = corpus().join("pdf").join(&rel);
        let Some(key) = by_path.get(&path) else {
            failures.push(format!("{rel}: not imported"));
            continue;
        };
        for p in phrases {
            checked += 1;
            let found = keys_for(&lib, &format!("fulltext:\"{p}\""));
            if found != [key.clone()] {
                failures.push(format!("{rel}: {p:?} found in {found:?}"));
            }
        }
    }
    assert!(checked > 60, "only {checked} phrases");
    assert!(
        failures.is_empty(),
        "{} of {checked} phrases not found in exactly their file:\n{}",
        failures.len(),
        failures.join("\n")
    );
    // An indexing pass afterwards has nothing to redo.
    let again = lib.index_fulltext(&FulltextOptions::default(), &mut |_| true).unwrap();
    assert_eq!(again.indexed, 0, "{again:?}");
}

#[test]
fn a_pdf_already_in_the_library_is_attached_to_its_item() {
    let dir = tempfile::tempdir().unwrap();
    let mut lib = Library::open(&dir.path().join("lib.sqlite")).unwrap();
    lib.set_pdf_worker(worker());
    // The reference is there already (from a .bib), with the article's DOI.
    let mut it = article(
        "Complications related to deep venous thrombosis prophylaxis in trauma",
        &["Datta, Indraneel"],
        2010,
    );
    it.doi = "10.1186/1752-2897-4-1".into();
    lib.add(it).unwrap();
    let pdf = corpus().join("pdf/public/cermine__test1.pdf");
    let r = lib
        .import_pdfs(
            std::slice::from_ref(&pdf),
            &PdfImportOptions::default(),
            &mut |_, _, _| true,
        )
        .unwrap();
    assert_eq!(
        r[0].outcome,
        PdfOutcome::Attached {
            key: "Datta2010".into(),
            reason: "same DOI".into()
        }
    );
    assert_eq!(lib.count(&Filter::default()).unwrap(), 1);
    // The same PDF twice in one drop, linked: one new item with both files.
    let other = corpus().join("pdf/public/cermine__test2.pdf");
    let copy = dir.path().join("copy of test2.pdf");
    std::fs::copy(&other, &copy).unwrap();
    let r = lib
        .import_pdfs(
            &[other.clone(), copy.clone()],
            &PdfImportOptions { link: true, ..opts() },
            &mut |_, _, _| true,
        )
        .unwrap();
    let PdfOutcome::Added { key } = &r[0].outcome else {
        panic!("{r:?}")
    };
    assert!(
        matches!(&r[1].outcome, PdfOutcome::Attached { key: k, .. } if k == key),
        "{r:?}"
    );
    assert_eq!(lib.attachments(key).unwrap().len(), 2);
    // One undo takes the whole drop back.
    lib.undo().unwrap();
    assert_eq!(lib.count(&Filter::default()).unwrap(), 1);
    // Cancelled before the first file: nothing is written.
    let err = lib
        .import_pdfs(
            std::slice::from_ref(&other),
            &PdfImportOptions::default(),
            &mut |_, _, _| false,
        )
        .unwrap_err();
    assert!(err.to_string().contains("cancel"), "{err}");
    assert_eq!(lib.count(&Filter::default()).unwrap(), 1);
}

#[test]
fn the_cli_imports_a_pdf_and_says_where_each_field_came_from() {
    let dir = tempfile::tempdir().unwrap();
    let lib = dir.path().join("lib.sqlite");
    let pdf = corpus().join("pdf/public/cermine__test2.pdf");
    let out = std::process::Command::new(folio_bin())
        .args(["--library", lib.to_str().unwrap(), "import", pdf.to_str().unwrap()])
        .env("FOLIO_PDF_WORKER", folio_bin())
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{err}");
    assert!(err.contains("cermine__test2.pdf: added Tully2010"), "{err}");
    assert!(err.contains("doi: 10.1155/2010/157939 (printed on page 1"), "{err}");
    let listed: serde_json::Value = serde_json::from_str(&ok(&lib, &["list", "--json"])).unwrap();
    let a = &listed[0]["attachments"][0];
    assert_eq!(
        (a["stored"].as_bool(), a["fulltext"].as_str(), a["pages"].as_u64()),
        (Some(true), Some("indexed"), Some(6))
    );
    assert!(Path::new(&dir.path().join("lib.files")).is_dir());
    assert_eq!(
        ok(
            &lib,
            &[
                "list",
                "--count",
                "-q",
                "fulltext:\"thought that maybe this thing will creep\""
            ]
        )
        .trim(),
        "1"
    );
}
