//! Hostile text through the BibTeX reader, TeX conversion, keys, tags and decoding (issue 23):
//! deep nesting, `@string` chains, repeated keys, many keywords, mixed encodings, binary junk.
//! Every input is generated here. These tests run on the default test thread (2 MiB stack):
//! nothing may recurse on input depth.

use crate::support::*;
use folio::format::Format;
use folio::import::ImportOptions;
use folio::library::export::{ExportOptions, Selection};
use folio::store::search::Filter;

/// `depth` nested copies of `open` … `}` around a word.
fn nested(open: &str, depth: usize) -> String {
    let mut s = String::with_capacity(depth * (open.len() + 1) + 4);
    for _ in 0..depth {
        s.push_str(open);
    }
    s.push_str("deep");
    for _ in 0..depth {
        s.push('}');
    }
    s
}

const DEPTH: usize = 100_000;
const WRAPPERS: [&str; 5] = ["\\emph{", "\\'{", "\\mkbibquote{", "\\bioname{", "{"];

fn import_and_export(name: &str, text: &str) {
    let mut lib = mem();
    let report = lib.import_text(name, text, &ImportOptions::default()).unwrap();
    assert_eq!(report.added(), 1, "{name}: {:?}", report.files[0].diagnostics);
    let items = lib.select(&Selection::default()).unwrap();
    assert!(items[0].title.contains("deep"), "{name}: the innermost word is kept");
    for format in [Format::Bibtex, Format::Biblatex, Format::Ris, Format::Json] {
        for ascii in [None, Some(true)] {
            let opts = ExportOptions {
                format,
                ascii,
                ..Default::default()
            };
            let (out, report) = lib.export_text(&Selection::default(), &opts).unwrap();
            assert_eq!(report.items, 1, "{name} → {format:?}");
            assert!(out.contains("deep"), "{name} → {format:?}");
        }
    }
    // The table's view and a search.
    let f = Filter {
        query: folio::query::parse("deep").unwrap(),
        ..Default::default()
    };
    assert_eq!(lib.count(&f).unwrap(), 1, "{name}: found by its word");
}

#[test]
fn deeply_nested_text_imports_and_exports_on_a_normal_stack() {
    for open in WRAPPERS {
        let title = nested(open, DEPTH);
        import_and_export(
            "deep.bib",
            &format!("@article{{k,\n  title = {{{title}}},\n  year = 2020\n}}\n"),
        );
        import_and_export("deep.ris", &format!("TY  - JOUR\nTI  - {title}\nPY  - 2020\nER  - \n"));
        let json = serde_json::json!([{"type": "article", "title": title, "year": 2020}]).to_string();
        import_and_export("deep.json", &json);
    }
}

/// Groups that never close: each one used to scan to the end of the value (quadratic).
#[test]
fn unclosed_groups_import_and_export_in_linear_time() {
    for open in WRAPPERS {
        let title = format!("{}deep", open.repeat(DEPTH));
        import_and_export(
            "unclosed.ris",
            &format!("TY  - JOUR\nTI  - {title}\nPY  - 2020\nER  - \n"),
        );
        let json = serde_json::json!([{"type": "article", "title": title, "year": 2020}]).to_string();
        import_and_export("unclosed.json", &json);
    }
}

fn all_items(lib: &folio::Library) -> Vec<folio::model::Item> {
    lib.select(&Selection::default()).unwrap()
}

fn messages(report: &folio::import::ImportReport) -> Vec<String> {
    report.files[0]
        .diagnostics
        .iter()
        .map(|d| format!("{:?} {:?}: {}", d.severity, d.line, d.message))
        .collect()
}

/// `@string m0 = "xxxxxxxxxx"` and forty `m_i = m_(i-1) # m_(i-1) # m_(i-1)` (1.2 KB) made
/// 10·3⁴⁰ bytes and aborted allocating 2.5 GB. Past the budget a value is kept as written.
#[test]
fn string_macro_chains_stop_at_the_expansion_budget() {
    let mut bib = String::from("@string{m0 = \"xxxxxxxxxx\"}\n");
    for i in 1..=40 {
        bib.push_str(&format!("@string{{m{i} = m{p} # m{p} # m{p}}}\n", p = i - 1));
    }
    bib.push_str("@article{big, title = m40, year = 2020}\n");
    bib.push_str("@article{twice, title = m13 # m13, year = 2020}\n");
    bib.push_str("@article{fine, title = m2 # {!}, year = 2020}\n");
    assert!(bib.len() < 1500);
    let mut lib = mem();
    let report = lib.import_text("chain.bib", &bib, &ImportOptions::default()).unwrap();
    let msgs = messages(&report);
    assert_eq!(report.added(), 3, "{msgs:#?}");
    // m13 is 10·3¹³ ≈ 15.9 MB, within 16 MiB; m14 is not (line 15).
    assert!(
        msgs.iter()
            .any(|m| m.contains("Some(15)") && m.contains("@string m14 not expanded")),
        "{msgs:#?}"
    );
    assert!(
        msgs.iter().any(|m| m.contains("big: field title kept as written")),
        "{msgs:#?}"
    );
    assert!(
        msgs.iter().any(|m| m.contains("twice: field title kept as written")),
        "{msgs:#?}"
    );
    let items = all_items(&lib);
    let title = |k: &str| items.iter().find(|i| i.key == k).unwrap().title.clone();
    assert_eq!(title("big"), "m40");
    assert_eq!(title("twice"), "m13 # m13");
    assert_eq!(title("fine"), format!("{}!", "x".repeat(90)));
}

/// Many entries with one key: the suffix search restarted at `a` for each (30k took 61 s).
#[test]
fn many_entries_with_one_key_get_suffixes_in_linear_time() {
    const N: usize = 20_000;
    let mut bib = String::new();
    for i in 0..N {
        bib.push_str(&format!("@misc{{same, title = {{Entry {i}}}, year = 2020}}\n"));
    }
    let mut lib = mem();
    let report = lib.import_text("same.bib", &bib, &ImportOptions::default()).unwrap();
    assert_eq!(report.added(), N);
    let keys: std::collections::HashSet<String> = all_items(&lib).into_iter().map(|i| i.key.to_lowercase()).collect();
    assert_eq!(keys.len(), N);
    assert!(keys.contains("same") && keys.contains("samea") && keys.contains("sameaa"));
    // The same file again: every key is taken in the library now.
    let report = lib
        .import_text("same2.bib", &bib.replace("Entry", "Other"), &ImportOptions::default())
        .unwrap();
    assert_eq!(report.added(), N);
    assert_eq!(lib.count(&Filter::default()).unwrap(), 2 * N as i64);
}

/// RIS records without an author all generate one key (50k took 180 s). (Their titles differ:
/// records with one title and no author are all compared with each other by the duplicate
/// check, which is not what this tests.)
#[test]
fn colliding_generated_keys_get_suffixes_in_linear_time() {
    const N: usize = 20_000;
    let mut ris = String::new();
    for i in 0..N {
        ris.push_str(&format!(
            "TY  - JOUR\nTI  - Anonymous report number {i}\nPY  - 2020\nER  - \n\n"
        ));
    }
    let mut lib = mem();
    let report = lib.import_text("anon.ris", &ris, &ImportOptions::default()).unwrap();
    assert_eq!(
        report.added(),
        N,
        "{:?}",
        &messages(&report)[..3.min(messages(&report).len())]
    );
    let keys: std::collections::HashSet<String> = all_items(&lib).into_iter().map(|i| i.key).collect();
    assert_eq!(keys.len(), N);
}

/// One entry with 30,000 keywords (28 s, 100k over 300 s): linear, capped per item with a
/// warning; the keywords stay in the source record.
#[test]
fn an_entry_with_many_keywords_keeps_a_capped_number_of_tags() {
    const N: usize = 30_000;
    let keywords: Vec<String> = (0..N).map(|i| format!("kw{i}")).collect();
    let bib = format!(
        "@article{{many, title = {{Many}}, keywords = {{{}}}, year = 2020}}\n",
        keywords.join(", ")
    );
    let mut lib = mem();
    let report = lib.import_text("kw.bib", &bib, &ImportOptions::default()).unwrap();
    assert_eq!(report.added(), 1);
    let item = &all_items(&lib)[0];
    assert_eq!(item.tags.len(), folio::budget::MAX_TAGS_PER_ITEM);
    assert_eq!(item.tags[0].name, "kw0");
    let msgs = messages(&report);
    assert!(
        msgs.iter()
            .any(|m| m.contains("30000 keywords") && m.contains("\"kw1000\"") && m.contains("\"kw29999\"")),
        "{msgs:#?}"
    );
    // An export of the unedited entry copies its record: every keyword is still there.
    let (out, _) = lib
        .export_text(&Selection::default(), &ExportOptions::default())
        .unwrap();
    assert!(out.contains("kw29999"));
    // The same through RIS and JSON.
    let ris = format!(
        "TY  - JOUR\nTI  - Many\n{}ER  - \n",
        keywords.iter().map(|k| format!("KW  - {k}\n")).collect::<String>()
    );
    let json = serde_json::json!([{"type": "article", "title": "Many", "keywords": keywords}]).to_string();
    for (name, text) in [("kw.ris", ris), ("kw.json", json)] {
        let mut lib = mem();
        let report = lib.import_text(name, &text, &ImportOptions::default()).unwrap();
        assert_eq!(
            all_items(&lib)[0].tags.len(),
            folio::budget::MAX_TAGS_PER_ITEM,
            "{name}"
        );
        assert!(messages(&report).iter().any(|m| m.contains("30000 keywords")), "{name}");
    }
}

/// A UTF-8 file with one stray Latin-1 byte was decoded as Windows-1252 throughout (`Müller`
/// → `MÃ¼ller` in every entry) and reported as "0 problems".
#[test]
fn one_latin1_line_does_not_change_the_utf8_lines() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("mixed.bib");
    let mut bytes = "@article{a, author = {Müller, Hans}, title = {Über café}, year = 2020}\n"
        .as_bytes()
        .to_vec();
    bytes.extend_from_slice(b"@article{b, author = {M\xfcller, Anna}, title = {Caf\xe9}, year = 2021}\n");
    bytes.extend_from_slice("@article{c, author = {Ørsted, Hans}, title = {Žluťoučký}, year = 2022}\n".as_bytes());
    std::fs::write(&path, &bytes).unwrap();
    let mut lib = mem();
    let report = lib
        .import_files(&[path], &ImportOptions::default(), &mut |_| {})
        .unwrap();
    assert_eq!(report.added(), 3);
    assert_eq!(report.files[0].encoding, "UTF-8");
    let items = all_items(&lib);
    let get = |k: &str| items.iter().find(|i| i.key == k).unwrap();
    assert_eq!(get("a").creators[0].family(), "Müller");
    assert_eq!(get("a").title, "Über café");
    assert_eq!(get("b").creators[0].family(), "Müller");
    assert_eq!(get("b").title, "Café");
    assert_eq!(get("c").title, "Žluťoučký");
    let msgs = messages(&report);
    assert!(
        msgs.iter()
            .any(|m| m.contains("Warning Some(2)") && m.contains("line(s) 2")),
        "{msgs:#?}"
    );
}

/// Random bytes (no NUL) named `.bib` imported as "0 added, 0 problems" with exit 0.
#[test]
fn binary_junk_named_bib_is_an_error() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("junk.bib");
    let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
    let junk: Vec<u8> = (0..20_000)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            (x >> 24) as u8
        })
        .filter(|&b| b != 0 && b != b'@')
        .collect();
    std::fs::write(&path, &junk).unwrap();
    let mut lib = mem();
    let report = lib
        .import_files(std::slice::from_ref(&path), &ImportOptions::default(), &mut |_| {})
        .unwrap();
    assert_eq!(report.added(), 0);
    assert!(report.errors() > 0, "{:?}", messages(&report));
    assert!(messages(&report)
        .iter()
        .any(|m| m.contains("does not look like BibTeX")));
    // The CLI exits with an error.
    let lib_path = dir.path().join("lib.sqlite");
    let out = folio(&lib_path, &["import", path.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(String::from_utf8_lossy(&out.stderr).contains("does not look like BibTeX"));

    // Junk between good entries: the entries import and the junk is reported; plain text
    // between entries stays a comment, as BibTeX reads it.
    let mut mixed = b"@article{a, title = {One}, year = 2020}\nplain words are a comment\n".to_vec();
    mixed.extend_from_slice(&junk[..2000]);
    mixed.extend_from_slice(b"\n@article{b, title = {Two}, year = 2021}\n");
    let path = dir.path().join("mixed.bib");
    std::fs::write(&path, &mixed).unwrap();
    let mut lib = mem();
    let report = lib
        .import_files(&[path], &ImportOptions::default(), &mut |_| {})
        .unwrap();
    assert_eq!(report.added(), 2);
    let msgs = messages(&report);
    assert!(
        msgs.iter().any(|m| m.contains("binary-looking text outside entries")),
        "{msgs:#?}"
    );
    let mut lib = mem();
    let report = lib
        .import_text(
            "plain.bib",
            "@article{a, title = {One}, year = 2020}\nplain words\n",
            &ImportOptions::default(),
        )
        .unwrap();
    assert!(report.files[0].diagnostics.is_empty(), "{:?}", messages(&report));
}

/// A field past `budget::MAX_FIELD_BYTES` makes its entry an error while scanning (nothing of
/// it is copied); the other entries import.
#[test]
fn a_field_past_the_field_budget_skips_its_entry_only() {
    let big = "y".repeat(folio::budget::MAX_FIELD_BYTES + 1);
    let bib = format!(
        "@article{{before, title = {{Before}}, year = 2020}}\n@article{{huge, title = {{Huge}},\n  abstract = {{{big}}}, year = 2020}}\n@article{{after, title = {{After}}, year = 2020}}\n"
    );
    let mut lib = mem();
    let report = lib.import_text("big.bib", &bib, &ImportOptions::default()).unwrap();
    let msgs = messages(&report);
    assert_eq!(report.added(), 2, "{msgs:#?}");
    assert!(
        msgs.iter()
            .any(|m| m.starts_with("Error Some(2)") && m.contains("field abstract is") && m.contains("over the limit")),
        "{msgs:#?}"
    );
    let keys: Vec<String> = all_items(&lib).into_iter().map(|i| i.key).collect();
    assert!(keys.contains(&"before".to_string()) && keys.contains(&"after".to_string()));
}
