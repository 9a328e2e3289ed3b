//! Tests on the shared corpus of real RIS files (read in place, never copied). The corpus is
//! found through `FOLIO_CORPUS` or `shared/corpus` two levels above the repository root; the
//! tests fail when it is missing.

use super::{parse, write, RisWriteOptions};
use crate::model::Item;
use std::path::PathBuf;

pub(crate) fn corpus_dir() -> PathBuf {
    let p = match std::env::var_os("FOLIO_CORPUS") {
        Some(p) => PathBuf::from(p),
        None => PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared/corpus")),
    };
    assert!(
        p.join("MANIFEST.tsv").is_file(),
        "test corpus not found at {} (set FOLIO_CORPUS)",
        p.display()
    );
    p
}

fn read(path: &PathBuf) -> String {
    let bytes = std::fs::read(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    crate::format::decode(&bytes, None)
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
        .text
}

/// (path, entries_expected) for the RIS rows of the manifest.
fn manifest_ris() -> Vec<(String, usize)> {
    let dir = corpus_dir();
    let m = std::fs::read_to_string(dir.join("MANIFEST.tsv")).expect("manifest");
    m.lines()
        .skip(1)
        .filter_map(|l| {
            let cols: Vec<&str> = l.split('\t').collect();
            let path = cols.first()?;
            if !path.ends_with(".ris") || path.contains("/expected/") {
                return None;
            }
            Some((path.to_string(), cols.get(5)?.trim().parse().ok()?))
        })
        .collect()
}

/// Files that do not (yet) give their expected record count, with the reason. This list may
/// only shrink: a listed file that starts passing fails the test until it is removed here.
const KNOWN_COUNT_MISMATCHES: &[(&str, &str)] = &[];

#[test]
fn public_corpus_record_counts() {
    let dir = corpus_dir();
    let rows = manifest_ris();
    assert!(rows.len() >= 30, "manifest lists only {} RIS files", rows.len());
    let mut failures = Vec::new();
    let mut passed = 0;
    for (path, expected) in &rows {
        let text = read(&dir.join(path));
        let p = parse(&text);
        let got = p.items.len();
        let known = KNOWN_COUNT_MISMATCHES.iter().find(|(f, _)| path.ends_with(f));
        match (got == *expected, known) {
            (true, None) => passed += 1,
            (true, Some(_)) => failures.push(format!("{path}: now passes; remove it from KNOWN_COUNT_MISMATCHES")),
            (false, Some(_)) => {}
            (false, None) => failures.push(format!(
                "{path}: {got} records, expected {expected}; diagnostics: {:?}",
                p.diagnostics.iter().take(3).collect::<Vec<_>>()
            )),
        }
        // Every record has a source and the right line.
        for it in &p.items {
            let src = it.item.source.as_ref().expect("source record");
            assert!(
                src.text.starts_with("TY") || src.text.starts_with("PT"),
                "{path}: {:?}",
                src.text
            );
            assert!(it.line >= 1);
        }
    }
    assert!(
        failures.is_empty(),
        "{} passed; failures:\n{}",
        passed,
        failures.join("\n")
    );
    eprintln!(
        "RIS corpus: {passed}/{} files give the expected record count",
        rows.len()
    );
}

#[test]
fn large_scopus_file() {
    let text = read(&corpus_dir().join("large/revtools__restoration_scopus.ris"));
    let p = parse(&text);
    assert_eq!(p.items.len(), 286);
    assert_eq!(p.dialect.as_deref(), Some("scopus"));
    assert!(
        p.repairs.iter().any(|r| r.starts_with("scopus: copyright")),
        "{:?}",
        p.repairs
    );
    assert!(
        p.repairs.iter().any(|r| r.starts_with("scopus: export notes")),
        "{:?}",
        p.repairs
    );
    for it in &p.items {
        let i = &it.item;
        assert!(!i.title.is_empty(), "line {}", it.line);
        assert!(!i.container.is_empty(), "line {}", it.line);
        assert!(i.date.year.is_some(), "line {}", it.line);
        assert!(!i.creators.is_empty() || i.extra_field("AU").is_none());
        assert!(!i.note.contains("Export Date"), "line {}", it.line);
        assert!(
            !i.r#abstract.flat(false).contains('\u{a9}'),
            "line {}: {}",
            it.line,
            i.r#abstract.flat(false)
        );
    }
}

fn strip(items: &[Item]) -> Vec<Item> {
    items
        .iter()
        .cloned()
        .map(|mut i| {
            i.source = None;
            i
        })
        .collect()
}

/// RIS → model → RIS (regenerated, not verbatim) → model gives the same items, for every
/// corpus file.
#[test]
fn corpus_round_trip() {
    let dir = corpus_dir();
    let mut files: Vec<PathBuf> = manifest_ris().into_iter().map(|(p, _)| dir.join(p)).collect();
    files.push(dir.join("large/revtools__restoration_scopus.ris"));
    for path in files {
        let first = parse(&read(&path));
        let items = strip(&first.items.iter().map(|p| p.item.clone()).collect::<Vec<_>>());
        let out = write(&items, &RisWriteOptions::default());
        let second = parse(&out.text);
        let again = strip(&second.items.iter().map(|p| p.item.clone()).collect::<Vec<_>>());
        assert_eq!(items.len(), again.len(), "{}", path.display());
        for (a, b) in items.iter().zip(&again) {
            assert!(
                a == b,
                "{}: round trip changed an item: {}",
                path.display(),
                item_diff(a, b)
            );
        }
    }
}

/// Exports read by bibutils' ris2xml: same number of records, same titles. Fails when
/// ris2xml is not installed (Debian package `bibutils`).
#[test]
fn bibutils_reads_our_export() {
    let dir = corpus_dir();
    let text = read(&dir.join("large/revtools__restoration_scopus.ris"));
    let mut items: Vec<Item> = parse(&text).items.into_iter().map(|p| p.item).collect();
    items.extend(
        parse(&read(&dir.join("public/ris/zotero-ris__testcase02.ris")))
            .items
            .into_iter()
            .map(|p| p.item),
    );
    let items = strip(&items);
    let out = write(&items, &RisWriteOptions::default());
    let tmp = tempfile::tempdir().unwrap();
    let f = tmp.path().join("export.ris");
    std::fs::write(&f, &out.text).unwrap();
    let res = std::process::Command::new("ris2xml")
        .arg("-i")
        .arg("utf8")
        .arg(&f)
        .output()
        .expect("ris2xml (Debian package bibutils) must be installed for this test");
    assert!(res.status.success(), "{}", String::from_utf8_lossy(&res.stderr));
    let xml = String::from_utf8_lossy(&res.stdout);
    let records = xml.matches("<mods ID=").count() + xml.matches("<mods>").count();
    assert_eq!(records, items.len(), "ris2xml found {records} records");
    // Titles: each record's first <title>.
    let mut titles = Vec::new();
    for rec in xml.split("<mods ID=").skip(1) {
        let t = rec
            .split_once("<title>")
            .and_then(|(_, r)| r.split_once("</title>"))
            .map(|(t, _)| t.to_string())
            .unwrap_or_default();
        titles.push(unescape(&t));
    }
    for (i, (item, t)) in items.iter().zip(&titles).enumerate() {
        let want = item.full_title();
        let norm = |s: &str| s.split_whitespace().collect::<Vec<_>>().join(" ").to_lowercase();
        // bibutils splits "Title: Subtitle" into title and subTitle.
        let wt = norm(&want);
        let got = norm(t);
        assert!(
            wt == got || wt.starts_with(&got),
            "record {i}: ris2xml title {got:?}, ours {wt:?}"
        );
    }
}

fn unescape(s: &str) -> String {
    s.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&apos;", "'")
        .replace("&amp;", "&")
}

/// Parse time of the 50k-record RIS file. Run once by hand:
/// `cargo test -p folio --release --lib perf_50k -- --ignored --nocapture`.
#[test]
#[ignore]
fn perf_50k() {
    let path = corpus_dir().join("large/derived/beebe-fish-50k.ris.xz");
    let out = std::process::Command::new("xz")
        .arg("-dc")
        .arg(&path)
        .output()
        .expect("xz");
    let text = String::from_utf8(out.stdout).unwrap();
    let t = std::time::Instant::now();
    let c = cpu_time();
    let p = parse(&text);
    let (el, cpu) = (t.elapsed(), cpu_time() - c);
    eprintln!("parsed {} records in {el:?} wall, {cpu:?} CPU", p.items.len());
    assert!(p.items.len() >= 49_000);
}

/// The fields in which two items differ, for readable failures.
pub(crate) fn item_diff(a: &Item, b: &Item) -> String {
    let va = serde_json::to_value(a).unwrap();
    let vb = serde_json::to_value(b).unwrap();
    let mut out = Vec::new();
    if let (Some(ma), Some(mb)) = (va.as_object(), vb.as_object()) {
        for (k, x) in ma {
            let y = mb.get(k).cloned().unwrap_or_default();
            if *x != y {
                out.push(format!("{k}: {x} != {y}"));
            }
        }
    }
    out.join("\n")
}

/// CPU time of this thread (Linux `schedstat`), so that measurements on a busy machine
/// are not inflated by waiting.
fn cpu_time() -> std::time::Duration {
    let s = std::fs::read_to_string("/proc/thread-self/schedstat").unwrap_or_default();
    let ns = s.split_whitespace().next().and_then(|n| n.parse().ok()).unwrap_or(0);
    std::time::Duration::from_nanos(ns)
}

/// Where the parse time goes (debug aid):
/// `FOLIO_RIS_FILE=… cargo test --release … perf_breakdown -- --ignored --nocapture`.
#[test]
#[ignore]
fn perf_breakdown() {
    let text = std::fs::read_to_string(std::env::var("FOLIO_RIS_FILE").expect("FOLIO_RIS_FILE")).unwrap();
    let t = cpu_time();
    let mut diags = Vec::new();
    let mut rep = super::vendors::Repairs::default();
    let recs = super::parse::records(&text, &mut diags, &mut rep);
    eprintln!("records: {} in {:?} CPU", recs.len(), cpu_time() - t);
    let t = cpu_time();
    let mut items = Vec::new();
    for r in &recs {
        let _ = super::vendors::detect(r);
    }
    eprintln!("detect: {:?} CPU", cpu_time() - t);
    let t = cpu_time();
    for r in &recs {
        items.push(super::parse::build_item(r, &mut rep).0);
    }
    eprintln!("build: {:?} CPU", cpu_time() - t);
    let t = cpu_time();
    let mut x = 0u64;
    for i in &items {
        x ^= i.fingerprint();
    }
    eprintln!("fingerprint: {:?} CPU {x}", cpu_time() - t);
    let t = cpu_time();
    let p = parse(&text);
    eprintln!("total parse: {} in {:?} CPU", p.items.len(), cpu_time() - t);
}

/// Dump a file's items as JSON (debug aid): `FOLIO_RIS_FILE=… cargo test … dump_file -- --ignored --nocapture`.
#[test]
#[ignore]
fn dump_file() {
    let path = PathBuf::from(std::env::var("FOLIO_RIS_FILE").expect("FOLIO_RIS_FILE"));
    let p = parse(&read(&path));
    for it in &p.items {
        let mut i = it.item.clone();
        i.source = None;
        eprintln!("line {}: {}", it.line, serde_json::to_string(&i).unwrap());
    }
    eprintln!("dialect {:?} repairs {:?}", p.dialect, p.repairs);
    for d in &p.diagnostics {
        eprintln!("{d:?}");
    }
}
