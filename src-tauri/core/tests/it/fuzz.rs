//! The fuzz targets' checks (`folio::fuzzing`) as ordinary tests: every committed regression
//! input (crashes the fuzzers found, minimised, and inputs they found interesting) is
//! replayed, a short random smoke runs each check on generated input, and every pathological
//! shape of issue 23 (`folio::fuzzing::SHAPES`) goes through the whole import at 1 MiB or
//! more.

use folio::fuzzing::{Imported, SHAPES};
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

/// Each regression input of `target` through the fuzz target's own entry (so a shaped input,
/// starting with `folio::fuzzing::SHAPED`, is read as the fuzzer read it).
fn replay(target: &str) {
    for (path, bytes) in regressions(target) {
        let r = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| folio::fuzzing::run(target, &bytes)));
        assert!(r.is_ok(), "{} fails the {target} check", path.display());
    }
}

#[test]
fn bibtex_regressions() {
    replay("bibtex");
}

#[test]
fn ris_regressions() {
    replay("ris");
}

#[test]
fn results_text_regressions() {
    replay("results_text");
}

#[test]
fn query_regressions() {
    replay("query");
}

#[test]
fn json_regressions() {
    replay("json");
}

#[test]
fn aux_regressions() {
    replay("aux");
}

#[test]
fn import_regressions() {
    replay("import");
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

    #[test]
    fn smoke_json(b in prop_oneof![jsonish(), bibish(), prop::collection::vec(any::<u8>(), 0..400)]) {
        folio::fuzzing::json(&b);
    }

    #[test]
    fn smoke_aux(b in prop_oneof![auxish(), prop::collection::vec(any::<u8>(), 0..400)]) {
        folio::fuzzing::aux(&b);
    }
}

proptest! {
    // The whole import (a library per case) is slower than a reader alone.
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    #[test]
    fn smoke_import(b in prop_oneof![jsonish(), bibish()], ext in prop::sample::select(vec!["", "bib", "ris", "txt", "json"])) {
        folio::fuzzing::import(&b, ext);
    }

    /// Every shape but the long query (below), small (a macro chain of 12 expands to 5 MB),
    /// with a random seed and fuzz-like bytes in its payload slot, through its fuzz target.
    #[test]
    fn smoke_shapes_small(shape in import_shapes(), size in 0usize..12, seed in any::<u64>(), payload in bibish()) {
        shaped(shape, size, seed, &payload);
    }

    /// The long query, small: its first term may be a number past every integer type.
    #[test]
    fn smoke_query_shape_small(size in 0usize..12, seed in any::<u64>(), payload in bibish()) {
        let query = SHAPES.iter().position(|s| s.ext == "query").unwrap();
        shaped(query, size, seed, &payload);
    }
}

/// The indexes of the shapes that are files (imported) or `.aux` files.
fn import_shapes() -> impl Strategy<Value = usize> {
    let files: Vec<usize> = (0..SHAPES.len()).filter(|&i| SHAPES[i].ext != "query").collect();
    prop::sample::select(files)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    /// Every shape at up to 3,000 units with fuzz-like payloads.
    #[test]
    fn smoke_shapes_medium(shape in 0..SHAPES.len(), size in 0usize..3000, seed in any::<u64>(), payload in bibish()) {
        shaped(shape, size, seed, &payload);
    }
}

/// The shape `SHAPES[index]` through the fuzz target of its kind, as the fuzzers run it.
fn shaped(index: usize, size: usize, seed: u64, payload: &[u8]) {
    let s = &SHAPES[index];
    let bytes = s.with_payload(size, seed, payload, seed as usize);
    match s.ext {
        "aux" => folio::fuzzing::aux(&bytes),
        "query" => folio::fuzzing::run("query", &bytes),
        ext => {
            folio::fuzzing::import(&bytes, ext);
        }
    }
}

/// Bytes that look like Folio JSON.
fn jsonish() -> impl Strategy<Value = Vec<u8>> {
    let pieces = prop::sample::select(vec![
        "[",
        "]",
        "{",
        "}",
        ",",
        ":",
        "\"key\"",
        "\"title\"",
        "\"type\"",
        "\"article\"",
        "\"collections\"",
        "\"tags\"",
        "\"keywords\"",
        "\"creators\"",
        "\"authors\"",
        "\"family\"",
        "\"extra_fields\"",
        "\"name\"",
        "\"value\"",
        "\"origin\"",
        "\"bibtex\"",
        "\"a/b\"",
        "\"\"",
        "\"x\"",
        "\"\\\\emph{\"",
        "1",
        "-1",
        "2147483648",
        "null",
        "true",
        "\"year\"",
        "\"date\"",
        "\"access\"",
        "\"open\"",
        "\"é\"",
    ]);
    prop::collection::vec(pieces, 0..80).prop_map(|v| v.concat().into_bytes())
}

/// Bytes that look like an `.aux` file.
fn auxish() -> impl Strategy<Value = Vec<u8>> {
    let pieces = prop::sample::select(vec![
        "\\citation{",
        "\\abx@aux@cite{",
        "\\@input{",
        "}",
        "{",
        "0",
        ",",
        "*",
        "Key",
        "a b",
        "\n",
        "\\relax",
        "ch1.aux",
        "}{",
        "%",
        "é",
    ]);
    prop::collection::vec(pieces, 0..60).prop_map(|v| v.concat().into_bytes())
}

/// Found by the smoke test: a `%` hid the entry's own closing brace, and the BibTeX-mode copy
/// without comments lost it (the export read back as no entry).
#[test]
fn a_comment_hiding_the_closing_brace_is_not_copied() {
    folio::fuzzing::bibtex(b"@article{$x^2$%}");
    folio::fuzzing::bibtex(b"@article{k, title = {a}%}\n}");
}

// ---- Every shape at 1 MiB or more through the whole import (issue 23) ----
//
// Written against the fixed behaviour: no crash, the import completes, no entry lost, and
// what each cause's fix promises. Each failed before its fix.

/// The shape `name` at its 1 MiB size, its bytes and what importing them gave.
fn big(name: &str) -> (Vec<u8>, Imported) {
    let shape = folio::fuzzing::by_name(name).unwrap();
    let bytes = (shape.generate)(shape.mib, 1);
    assert!(bytes.len() >= 1 << 20);
    let imported = folio::fuzzing::import_checked(&bytes, shape.ext)
        .unwrap_or_else(|| panic!("{name}: the whole file was refused"));
    (bytes, imported)
}

fn occurrences(bytes: &[u8], what: &str) -> usize {
    bytes.windows(what.len()).filter(|w| *w == what.as_bytes()).count()
}

fn item<'a>(imported: &'a Imported, key: &str) -> &'a folio::model::Item {
    imported
        .items
        .iter()
        .find(|i| i.key == key)
        .unwrap_or_else(|| panic!("no item {key}"))
}

/// A deep nesting: every entry imported, the deep one with its words.
fn deep(name: &str, start: &str) {
    let (bytes, imported) = big(name);
    assert_eq!(imported.items.len(), occurrences(&bytes, start), "{name}");
    let deep = imported
        .items
        .iter()
        .find(|i| i.key == "deep" || i.title.contains("Fill"));
    let deep = deep.unwrap_or_else(|| panic!("{name}: the deep entry is missing"));
    let text = serde_json::to_string(&folio::format::json::item_to_json(deep, &[])).unwrap();
    assert!(text.contains("Fill"), "{name}: the deep text is lost");
}

#[test]
fn shape_bib_deep_emph() {
    deep("bib-deep-emph", "@article{");
}

/// Plain brace groups: fine before issue 23's fixes too.
#[test]
fn shape_bib_deep_braces() {
    deep("bib-deep-braces", "@article{");
}

#[test]
fn shape_bib_deep_accent() {
    deep("bib-deep-accent", "@article{");
}

#[test]
fn shape_bib_deep_command() {
    deep("bib-deep-command", "@article{");
}

#[test]
fn shape_ris_deep_title() {
    deep("ris-deep-title", "TY  - ");
}

#[test]
fn shape_json_deep_title() {
    deep("json-deep-title", "\"key\": ");
}

/// A 30,000-level JabRef group tree: both entries imported, filed at the kept depth.
#[test]
fn shape_bib_jabref_deep_groups() {
    let (_, imported) = big("bib-jabref-deep-groups");
    assert_eq!(imported.items.len(), 2);
    assert!(!imported.collections.is_empty());
    assert!(imported
        .collections
        .iter()
        .all(|p| p.split('/').count() <= folio::budget::MAX_COLLECTION_DEPTH));
}

#[test]
fn shape_json_deep_collection() {
    let (_, imported) = big("json-deep-collection");
    assert_eq!(imported.items.len(), 2);
    assert!(imported.collections.iter().any(|p| p.starts_with("c1/c2/")));
}

/// 30,000 doubling `@string` macros: the file imports, the chained title within the field
/// budget, and a diagnostic says what was left unexpanded.
#[test]
fn shape_bib_macro_chain() {
    let (_, imported) = big("bib-macro-chain");
    assert_eq!(imported.items.len(), 2);
    assert!(item(&imported, "chain").title.len() <= folio::budget::MAX_FIELD_BYTES);
    assert!(!imported.report.files[0].diagnostics.is_empty());
}

/// Every entry with the same key imported, under distinct keys (checked by the import check).
#[test]
fn shape_bib_same_key() {
    let (bytes, imported) = big("bib-same-key");
    assert_eq!(imported.items.len(), occurrences(&bytes, "@article{"));
}

#[test]
fn shape_json_same_key() {
    let (bytes, imported) = big("json-same-key");
    assert_eq!(imported.items.len(), occurrences(&bytes, "\"key\": "));
}

#[test]
fn shape_ris_no_author() {
    let (bytes, imported) = big("ris-no-author");
    assert_eq!(imported.items.len(), occurrences(&bytes, "TY  - "));
}

/// 100,000 bare `TY` lines and one real record: it completes, and the record is there.
#[test]
fn shape_ris_bare_ty() {
    let (_, imported) = big("ris-bare-ty");
    assert!(imported.items.iter().any(|i| i.title == "Fill"));
}

/// One entry with many keywords: it keeps the budget's worth of tags and says so.
fn many_tags(name: &str) {
    let (_, imported) = big(name);
    assert_eq!(imported.items.len(), 2);
    let tagged = imported.items.iter().max_by_key(|i| i.tags.len()).unwrap();
    assert_eq!(tagged.tags.len(), folio::budget::MAX_TAGS_PER_ITEM, "{name}");
    assert!(
        !imported.report.files[0].diagnostics.is_empty(),
        "{name}: no diagnostic"
    );
}

#[test]
fn shape_bib_many_keywords() {
    many_tags("bib-many-keywords");
}

#[test]
fn shape_ris_many_keywords() {
    many_tags("ris-many-keywords");
}

#[test]
fn shape_json_many_tags() {
    many_tags("json-many-tags");
}

/// 40,000 `\citation` lines in one `.aux`: every key once, through the file reader.
#[test]
fn shape_aux_citations() {
    let shape = folio::fuzzing::by_name("aux-citations").unwrap();
    let bytes = (shape.generate)(shape.mib, 1);
    assert!(bytes.len() >= 1 << 20);
    folio::fuzzing::aux(&bytes);
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("paper.aux"), &bytes).unwrap();
    let c = folio::aux::read_aux(&dir.path().join("paper.aux")).unwrap();
    assert_eq!(c.keys.len(), shape.mib + 1);
}

/// UTF-8 with a stray Latin-1 byte in every seventh entry: the UTF-8 stays UTF-8 (no
/// `MÃ¼ller`), and the report names the lines with the bad bytes.
#[test]
fn shape_bib_mixed_encoding() {
    let (bytes, imported) = big("bib-mixed-encoding");
    assert_eq!(imported.items.len(), occurrences(&bytes, "@article{"));
    for it in &imported.items {
        let text = serde_json::to_string(&folio::format::json::item_to_json(it, &[])).unwrap();
        assert!(!text.contains('Ã'), "{}: mojibake {text}", it.key);
    }
    assert!(imported.report.files[0].diagnostics.iter().any(|d| d.line.is_some()));
}

/// Every other RIS record lost its `TY`: no record is merged into the one before (each
/// generated record has one author), and the report says what happened.
#[test]
fn shape_ris_lost_ty() {
    let (_, imported) = big("ris-lost-ty");
    for it in &imported.items {
        assert!(
            it.creators.len() <= 1,
            "{}: {} creators (records merged)",
            it.key,
            it.creators.len()
        );
    }
    assert!(!imported.report.files[0].diagnostics.is_empty());
}

/// Records without `ER`: each `TY` starts the next one.
#[test]
fn shape_ris_no_er() {
    let (bytes, imported) = big("ris-no-er");
    assert_eq!(imported.items.len(), occurrences(&bytes, "TY  - "));
    for it in &imported.items {
        assert_eq!(it.creators.len(), 1, "{}", it.key);
    }
}

/// Author lines starting with a bidi mark: every result keeps its authors and its title.
#[test]
fn shape_results_bidi() {
    let (bytes, imported) = big("results-bidi");
    assert_eq!(imported.items.len(), occurrences(&bytes, "Publication date:"));
    for it in &imported.items {
        assert_eq!(it.creators.len(), 3, "{}: {:?}", it.key, it.title);
        assert!(
            !it.title.contains("Author"),
            "{}: the author line became the title",
            it.key
        );
    }
}

/// One item filed under `""` does not fail the other 7,999.
#[test]
fn shape_json_empty_collection() {
    let (bytes, imported) = big("json-empty-collection");
    assert_eq!(imported.items.len(), occurrences(&bytes, "\"key\": "));
}

/// A 1 MiB search of 90,000 terms with numbers past every integer type: a clear refusal or
/// a result, never a database error.
#[test]
fn shape_query_long() {
    let shape = folio::fuzzing::by_name("query-long").unwrap();
    // The seed picks the first term: a number past every integer type (refused), a `-word`
    // or a word (then the 125,000 terms reach the search).
    for seed in 0..8 {
        let bytes = (shape.generate)(shape.mib, seed);
        assert!(bytes.len() >= 1 << 20);
        folio::fuzzing::run("query", &bytes);
    }
}

/// Numbers past `i32`/`i64` match nothing (refused as a query that can match nothing or as
/// out of range, or counted as no match) and the largest offset lists nothing; `-word` may come first.
#[test]
fn query_limits_match_nothing() {
    use folio::store::search::{Filter, Sort};
    let lib = folio::fuzzing::query_library();
    let count = |q: &str| -> Option<i64> {
        match folio::query::parse(q) {
            Err(e) => {
                let e = e.to_string();
                assert!(
                    e.contains("can match nothing") || e.contains("out of range"),
                    "{q}: {e}"
                );
                None
            }
            Ok(query) => Some(
                lib.count(&Filter {
                    query,
                    ..Default::default()
                })
                .unwrap_or_else(|e| panic!("{q}: {e}")),
            ),
        }
    };
    for q in ["year:>2147483647", "year:<-2147483648", "year:>99999999999999999999"] {
        assert!(matches!(count(q), None | Some(0)), "{q}");
    }
    assert_eq!(count("-salmon"), Some(3));
    let all = lib.list(&Filter::default(), Sort::default(), usize::MAX, 10).unwrap();
    assert!(all.is_empty(), "an offset past the end lists {} items", all.len());
}
