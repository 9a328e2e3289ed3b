//! The fuzz targets' checks (`folio::fuzzing`) as ordinary tests: every committed regression
//! input (crashes the fuzzers found, minimised, and inputs they found interesting) is
//! replayed, and a short random smoke runs each check on generated input.

use proptest::prelude::*;
use std::path::PathBuf;

fn regressions(target: &str) -> Vec<(PathBuf, Vec<u8>)> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("fuzz/regressions")
        .join(target);
    let mut out: Vec<(PathBuf, Vec<u8>)> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| {
            let p = e.unwrap().path();
            let b = std::fs::read(&p).unwrap();
            (p, b)
        })
        .collect();
    out.sort();
    assert!(!out.is_empty(), "no regression inputs in {}", dir.display());
    out
}

fn replay(target: &str, check: impl Fn(&[u8])) {
    for (path, bytes) in regressions(target) {
        let r = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| check(&bytes)));
        assert!(r.is_ok(), "{} fails the {target} check", path.display());
    }
}

#[test]
fn bibtex_regressions() {
    replay("bibtex", folio::fuzzing::bibtex);
}

#[test]
fn ris_regressions() {
    replay("ris", folio::fuzzing::ris);
}

#[test]
fn results_text_regressions() {
    replay("results_text", folio::fuzzing::results_text);
}

#[test]
fn query_regressions() {
    let lib = folio::fuzzing::query_library();
    replay("query", |b| folio::fuzzing::query(&lib, b));
}

/// Bytes that look like the formats: fragments of syntax glued together at random.
fn bibish() -> impl Strategy<Value = Vec<u8>> {
    let pieces = prop::sample::select(vec![
        "@article{",
        "@string{",
        "@comment{",
        "@preamble{",
        "k,",
        " title = ",
        "{",
        "}",
        "\"",
        " # ",
        ",",
        "\n",
        "\\'{e}",
        "$x^2$",
        "and",
        "Doe, J.",
        "TY  - JOUR\n",
        "AU  - ",
        "ER  - \n",
        "PY  - 2020\n",
        "DO  - 10.1/x\n",
        "Abstract\n",
        "Access Restricted\n",
        "Volume 3, Issue 2\n",
        "ISSN: 1234-5678\n",
        "é",
        "\u{feff}",
        "%",
        "=",
        "(",
        ")",
        "author:",
        "year:1999..",
        "tag:\"a b\"",
        "-",
        "OR",
        "NOT",
        "\u{0}",
    ]);
    prop::collection::vec(pieces, 0..60).prop_map(|v| v.concat().into_bytes())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 300, ..ProptestConfig::default() })]

    #[test]
    fn smoke_bibtex(b in prop_oneof![bibish(), prop::collection::vec(any::<u8>(), 0..400)]) {
        folio::fuzzing::bibtex(&b);
    }

    #[test]
    fn smoke_ris(b in prop_oneof![bibish(), prop::collection::vec(any::<u8>(), 0..400)]) {
        folio::fuzzing::ris(&b);
    }

    #[test]
    fn smoke_results_text(b in prop_oneof![bibish(), prop::collection::vec(any::<u8>(), 0..400)]) {
        folio::fuzzing::results_text(&b);
    }

    #[test]
    fn smoke_query(b in prop_oneof![bibish(), prop::collection::vec(any::<u8>(), 0..200)]) {
        thread_local!(static LIB: folio::Library = folio::fuzzing::query_library());
        LIB.with(|lib| folio::fuzzing::query(lib, &b));
    }
}

/// Found by the smoke test: a `%` hid the entry's own closing brace, and the BibTeX-mode copy
/// without comments lost it (the export read back as no entry).
#[test]
fn a_comment_hiding_the_closing_brace_is_not_copied() {
    folio::fuzzing::bibtex(b"@article{$x^2$%}");
    folio::fuzzing::bibtex(b"@article{k, title = {a}%}\n}");
}
