//! Reading PDFs (`folio::pdf`) on the PDF corpus ($FOLIO_CORPUS/pdf, ground truth in its
//! MANIFEST.tsv), every file through `read_isolated` with the `folio` binary as the worker:
//! metadata of the scholarly files, full-text phrases, the hostile files' expected behaviour,
//! and the worker's time, memory and crash handling.

use crate::support::corpus;
use folio::pdf::{self, Limits, PdfDoc, PdfError, Worker};
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};
use unicode_normalization::UnicodeNormalization;

/// One row of the manifest.
struct Row {
    path: PathBuf,
    name: String,
    title: String,
    authors: String,
    year: String,
    doi: String,
    arxiv: String,
    text_extractable: bool,
    phrases: Vec<String>,
}

fn manifest() -> Vec<Row> {
    let dir = corpus().join("pdf");
    let text = std::fs::read_to_string(dir.join("MANIFEST.tsv")).expect("the PDF corpus manifest ($FOLIO_CORPUS/pdf)");
    let mut lines = text.lines();
    let header: Vec<&str> = lines.next().unwrap().split('\t').collect();
    let col = |name: &str| {
        header
            .iter()
            .position(|h| *h == name)
            .unwrap_or_else(|| panic!("manifest column {name}"))
    };
    let (path, title, authors, year, doi, arxiv, extractable, phrases) = (
        col("path"),
        col("title"),
        col("authors"),
        col("year"),
        col("doi"),
        col("arxiv"),
        col("text_extractable"),
        col("phrases"),
    );
    let rows: Vec<Row> = lines
        .filter(|l| !l.trim().is_empty())
        .map(|l| {
            let f: Vec<&str> = l.split('\t').collect();
            let get = |i: usize| f.get(i).copied().unwrap_or("").to_string();
            Row {
                path: dir.join(get(path)),
                name: get(path)
                    .rsplit('/')
                    .next()
                    .unwrap()
                    .trim_end_matches(".pdf")
                    .to_string(),
                title: get(title),
                authors: get(authors),
                year: get(year),
                doi: get(doi),
                arxiv: get(arxiv),
                text_extractable: get(extractable) == "yes",
                phrases: get(phrases)
                    .split(" | ")
                    .map(str::trim)
                    .filter(|p| !p.is_empty())
                    .map(String::from)
                    .collect(),
            }
        })
        .collect();
    assert!(rows.len() >= 60, "the PDF manifest lists {} files", rows.len());
    for r in &rows {
        assert!(r.path.is_file(), "{} is in the manifest but missing", r.path.display());
    }
    rows
}

/// The `folio` binary as the worker (what the app does with its own executable).
fn worker() -> Worker {
    Worker::with_program(env!("CARGO_BIN_EXE_folio"))
}

/// Generous limits for normal files: a debug-build worker on a machine busy compiling takes
/// up to ~10× its idle time (docs/pdf.md has the per-file times).
fn test_limits() -> Limits {
    Limits {
        time: Duration::from_secs(240),
        ..Limits::default()
    }
}

/// Line-end hyphens joined before a lowercase letter (as pdftotext does: "con-\nnected"),
/// lowercased, NFKC (ligatures), every run of non-letters one space.
fn norm(s: &str) -> String {
    // As the full-text index reads a page: line-end hyphens joined, NFKC.
    let joined = folio::text::searchable_page(s);
    let s: String = joined
        .chars()
        .flat_map(char::to_lowercase)
        .map(|c| if c.is_alphanumeric() { c } else { ' ' })
        .collect();
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Letters and digits only, lowercased: titles and names compared across typography.
fn squash(s: &str) -> String {
    s.nfkc()
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_lowercase)
        .collect()
}

fn read_all(rows: &[&Row]) -> Vec<(String, Result<PdfDoc, PdfError>, Duration)> {
    rows.iter()
        .map(|r| {
            let t = Instant::now();
            let got = pdf::read_isolated(&r.path, &test_limits(), &worker());
            (r.name.clone(), got, t.elapsed())
        })
        .collect()
}

/// The scholarly files: title, first author's family name and year right for at least 90 %;
/// DOI and arXiv id exact (and none invented) wherever the text prints them; every phrase in
/// its own file's text and in no other.
#[test]
fn scholarly_pdfs_give_their_metadata_and_full_text() {
    let rows = manifest();
    let scholarly: Vec<&Row> = rows
        .iter()
        .filter(|r| !r.path.to_string_lossy().contains("/hostile/"))
        .collect();
    assert!(scholarly.len() >= 30, "{} scholarly PDFs", scholarly.len());
    let docs = read_all(&scholarly);
    let mut table = Vec::new();
    let mut right = 0;
    let mut id_failures = Vec::new();
    let mut texts: HashMap<String, String> = HashMap::new();
    for (row, (name, got, took)) in scholarly.iter().zip(&docs) {
        let doc = match got {
            Ok(d) => d,
            Err(e) => {
                table.push(format!("{name}: READ FAILED: {e}"));
                continue;
            }
        };
        texts.insert(name.clone(), norm(&doc.pages.join("\n")));
        let m = pdf::metadata(doc);
        let title = m.title.as_ref().map(|t| t.value.clone()).unwrap_or_default();
        let first = m.authors.as_ref().and_then(|a| a.value.first().cloned());
        let family = first.as_ref().map(|c| c.family_with_particle()).unwrap_or_default();
        let year = m.year.as_ref().map(|y| y.value.to_string()).unwrap_or_default();
        let want_family = row
            .authors
            .split(" and ")
            .next()
            .unwrap_or("")
            .split(',')
            .next()
            .unwrap_or("")
            .to_string();
        let title_ok = squash(&title) == squash(&row.title);
        let family_ok = squash(&family) == squash(&want_family)
            || first
                .as_ref()
                .is_some_and(|c| squash(c.family()) == squash(&want_family) && !want_family.is_empty());
        let year_ok = year == row.year;
        let ok = title_ok && family_ok && year_ok;
        right += usize::from(ok);
        table.push(format!(
            "{} {name} ({:.1} s)\n    title {} {title:?} (want {:?})\n    first author {} {family:?} (want {want_family:?})\n    year {} {year:?} (want {:?})",
            if ok { "ok  " } else { "FAIL" },
            took.as_secs_f64(),
            mark(title_ok),
            row.title,
            mark(family_ok),
            mark(year_ok),
            row.year
        ));
        if row.text_extractable {
            let doi = m.doi.as_ref().map(|d| d.value.to_lowercase()).unwrap_or_default();
            if doi != row.doi.to_lowercase() {
                id_failures.push(format!("{name}: DOI {doi:?}, want {:?}", row.doi));
            }
            let arxiv = m.arxiv.as_ref().map(|d| d.value.clone()).unwrap_or_default();
            if arxiv != row.arxiv {
                id_failures.push(format!("{name}: arXiv {arxiv:?}, want {:?}", row.arxiv));
            }
        }
        if !row.text_extractable {
            assert!(m.needs_review, "{name} has no text layer: its metadata needs review");
        }
    }
    let share = right as f64 / scholarly.len() as f64;
    println!(
        "{}\n{right}/{} right ({:.1} %)",
        table.join("\n"),
        scholarly.len(),
        100.0 * share
    );
    assert!(
        share >= 0.9,
        "title + first author + year right for {right} of {} PDFs:\n{}",
        scholarly.len(),
        table.join("\n")
    );
    assert!(id_failures.is_empty(), "identifiers:\n{}", id_failures.join("\n"));
    check_phrases(&scholarly, &texts);
}

fn mark(ok: bool) -> &'static str {
    if ok {
        "ok"
    } else {
        "WRONG"
    }
}

fn check_phrases(rows: &[&Row], texts: &HashMap<String, String>) {
    let mut failures = Vec::new();
    let mut checked = 0;
    for r in rows {
        for p in &r.phrases {
            checked += 1;
            let p = norm(p);
            match texts.get(&r.name) {
                Some(t) if t.contains(&p) => {}
                _ => failures.push(format!("{}: phrase not found: {p:?}", r.name)),
            }
            for (other, t) in texts {
                if *other != r.name && t.contains(&p) {
                    failures.push(format!("{}: phrase {p:?} also found in {other}", r.name));
                }
            }
        }
    }
    assert!(checked >= 60, "only {checked} phrases");
    assert!(
        failures.is_empty(),
        "{} of {checked} phrases failed:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

/// What a hostile file must give (from the manifest's expected_behaviour).
#[derive(Debug)]
enum Expect {
    /// Opens with this many pages, and this text on them when given.
    Open(u32, Option<&'static str>),
    /// A clear error: damaged.
    Damaged,
    /// Opens, or a clear "damaged" error (the manifest allows either).
    OpenOrDamaged,
    Encrypted,
    NotPdf(&'static str),
}

fn expectation(name: &str) -> Expect {
    use Expect::*;
    let table: &[(&str, Expect)] = &[
        ("bad-kids-no-root", OpenOrDamaged),
        ("bad-object-number", Open(1, None)),
        ("bad-xref-header", Open(1, None)),
        ("bad-xref-widths", Damaged),
        ("broken-xref", Open(1, Some("Reduced test-case"))),
        ("circular-refs", Open(1, None)),
        ("cjk-nonembedded-sjis", Open(1, None)),
        ("cjk-vertical", Open(3, None)),
        ("corrupt-metadata-xref", Open(1, None)),
        ("decompression-bomb", Open(1, Some("GIANT JBIG2 BOMB"))),
        ("encrypted-aes256-r6-user-password", Encrypted),
        ("encrypted-owner-only-no-copy", Open(1, None)),
        ("encrypted-user-password", Encrypted),
        ("html-not-pdf", NotPdf("HTML")),
        ("huge-page-count", Open(1, None)),
        ("image-only-no-text", Open(1, None)),
        ("inaccessible-pages-tree", Damaged),
        // pdf.js counts one (empty) page; its /Pages is a JavaScript action, so no page tree.
        ("incomplete-trailer-with-js", OpenOrDamaged),
        ("missing-endstream", OpenOrDamaged),
        ("no-trailer", OpenOrDamaged),
        ("pages-tree-loop", Open(1, Some("Pages loop"))),
        ("rtl-arabic", Open(1, None)),
        ("rtl-hebrew", Open(1, None)),
        ("tiny-3pt-pages", Open(10, None)),
        ("tiny-corrupt-184-bytes", Damaged),
        ("truetype-without-cmap", Open(1, None)),
        ("truncated-download", OpenOrDamaged),
        ("type3-font", Open(1, None)),
        ("type3-recursion", Open(1, None)),
        ("unsupported-brotli-filter", OpenOrDamaged),
        ("zero-bytes", NotPdf("empty")),
    ];
    let key = name
        .strip_prefix("hostile_")
        .unwrap_or(name)
        .split("__")
        .next()
        .unwrap();
    let i = table
        .iter()
        .position(|(k, _)| *k == key)
        .unwrap_or_else(|| panic!("no expectation for hostile file {name}"));
    let (_, e) = &table[i];
    match e {
        Open(n, t) => Open(*n, *t),
        Damaged => Damaged,
        OpenOrDamaged => OpenOrDamaged,
        Encrypted => Encrypted,
        NotPdf(w) => NotPdf(w),
    }
}

/// Every hostile file opens or fails with a clear error as the manifest expects; none crashes
/// the worker, hangs or runs out of memory.
#[test]
fn hostile_pdfs_open_or_fail_clearly() {
    let rows = manifest();
    let hostile: Vec<&Row> = rows
        .iter()
        .filter(|r| r.path.to_string_lossy().contains("/hostile/"))
        .collect();
    assert!(hostile.len() >= 25, "{} hostile PDFs", hostile.len());
    let mut failures = Vec::new();
    for (name, got, took) in read_all(&hostile) {
        let expect = expectation(&name);
        let ok = match (&expect, &got) {
            (Expect::Open(pages, text), Ok(d)) => {
                d.page_count == *pages && text.is_none_or(|t| d.pages.join("\n").contains(t))
            }
            (Expect::Damaged | Expect::OpenOrDamaged, Err(PdfError::Damaged(why))) => !why.is_empty(),
            (Expect::OpenOrDamaged, Ok(d)) => d.page_count >= 1,
            (Expect::Encrypted, Err(PdfError::Encrypted)) => true,
            (Expect::NotPdf(what), Err(e @ PdfError::NotPdf { .. })) => e.to_string().contains(what),
            _ => false,
        };
        let said = match &got {
            Ok(d) => format!(
                "opened: {} pages, {} chars of text, {} page errors",
                d.page_count,
                d.pages.concat().len(),
                d.page_errors
            ),
            Err(e) => format!("error: {e}"),
        };
        println!("{name}: {said} ({:.2} s)", took.as_secs_f64());
        if !ok {
            failures.push(format!("{name}: expected {expect:?}, got {said}"));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

fn script(dir: &Path, name: &str, body: &str) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, format!("#!/bin/sh\n{body}\n")).unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o755)).unwrap();
    }
    p
}

fn any_pdf() -> PathBuf {
    corpus().join("pdf/public/gen01_journal_true-meta.pdf")
}

/// A worker that never answers is killed at the time limit.
#[cfg(unix)]
#[test]
fn a_hanging_worker_is_killed_at_the_time_limit() {
    let dir = tempfile::tempdir().unwrap();
    let hang = Worker::with_program(script(dir.path(), "hang", "exec sleep 60"));
    let limits = Limits {
        time: Duration::from_millis(500),
        ..Limits::default()
    };
    let t = Instant::now();
    assert_eq!(
        pdf::read_isolated(&any_pdf(), &limits, &hang),
        Err(PdfError::TimedOut { seconds: 0 })
    );
    assert!(t.elapsed() < Duration::from_secs(5), "killed after {:?}", t.elapsed());
}

/// A worker that dies is a clear error; so is one that cannot be started.
#[cfg(unix)]
#[test]
fn a_crashing_worker_is_a_clear_error() {
    let dir = tempfile::tempdir().unwrap();
    let crash = Worker::with_program(script(dir.path(), "crash", "echo 'reader: boom' >&2; kill -SEGV $$"));
    let e = pdf::read_isolated(&any_pdf(), &Limits::default(), &crash).unwrap_err();
    assert!(
        matches!(&e, PdfError::WorkerCrashed(why) if why.contains("SIGSEGV") && why.contains("boom")),
        "{e:?}"
    );
    let missing = Worker::with_program(dir.path().join("no-such-program"));
    assert!(matches!(
        pdf::read_isolated(&any_pdf(), &Limits::default(), &missing),
        Err(PdfError::WorkerCrashed(_))
    ));
}

/// The real worker stops a read that passes its time limit, and one that passes its memory
/// limit fails as out of memory instead of taking the machine's.
#[test]
fn the_worker_enforces_time_and_memory_limits() {
    let book = corpus().join("pdf/public/pdfjs__freeculture.pdf");
    let quick = Limits {
        time: Duration::from_millis(300),
        ..Limits::default()
    };
    let t = Instant::now();
    assert!(matches!(
        pdf::read_isolated(&book, &quick, &worker()),
        Err(PdfError::TimedOut { .. })
    ));
    assert!(t.elapsed() < Duration::from_secs(5), "stopped after {:?}", t.elapsed());
    #[cfg(unix)]
    {
        let small = Limits {
            memory_bytes: 96 << 20,
            ..test_limits()
        };
        let e = pdf::read_isolated(&book, &small, &worker()).unwrap_err();
        assert!(matches!(e, PdfError::OutOfMemory | PdfError::WorkerCrashed(_)), "{e:?}");
    }
    let tiny = Limits {
        max_bytes: 1000,
        ..Limits::default()
    };
    assert!(matches!(
        pdf::read_isolated(&book, &tiny, &worker()),
        Err(PdfError::TooLarge { max_bytes: 1000, .. })
    ));
}

/// In-process reading gives the same document as the worker, and its metadata marks an
/// image-only PDF for review.
#[test]
fn in_process_read_matches_the_worker() {
    let path = corpus().join("pdf/public/cermine__test2.pdf");
    let bytes = std::fs::read(&path).unwrap();
    let here = pdf::read(&bytes, &test_limits()).unwrap();
    let there = pdf::read_isolated(&path, &test_limits(), &worker()).unwrap();
    // Positions cross the pipe as JSON numbers; compare what they mean, not their last bits.
    assert_eq!(
        (here.page_count, &here.pages, &here.info, &here.xmp),
        (there.page_count, &there.pages, &there.info, &there.xmp)
    );
    assert_eq!(here.layout.len(), there.layout.len());
    let scan = pdf::read(
        &std::fs::read(corpus().join("pdf/public/gen10_scanned_image-only.pdf")).unwrap(),
        &test_limits(),
    )
    .unwrap();
    assert!(!scan.has_text());
    assert!(pdf::metadata(&scan).needs_review);
}
