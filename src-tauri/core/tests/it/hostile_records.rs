//! Issue 23 (hostile and unlucky input), the causes about records, collections and search:
//! deep collection trees (cause 3), a RIS record whose `TY` line was lost (cause 8), search
//! numbers and term counts out of range (cause 9), bad collection paths in Folio JSON and
//! re-importing an unchanged file (cause 10). Every input is generated here.

use crate::support::{corpus, folio, mem, ok};
use folio::import::{DuplicatePolicy, ImportOptions};
use folio::store::search::{Filter, Sort};
use folio::{CollectionNode, Library, Severity};
use std::path::{Path, PathBuf};

fn import(lib: &mut Library, path: &Path) -> folio::import::ImportReport {
    lib.import_files(&[path.to_path_buf()], &ImportOptions::default(), &mut |_| {})
        .unwrap_or_else(|e| panic!("import {}: {e}", path.display()))
}

fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, text).unwrap();
    p
}

/// The deepest nesting of a collection tree, walked with a stack.
fn nesting(tree: &[CollectionNode]) -> usize {
    let mut stack: Vec<(&CollectionNode, usize)> = tree.iter().map(|n| (n, 1)).collect();
    let mut max = 0;
    while let Some((n, d)) = stack.pop() {
        max = max.max(d);
        stack.extend(n.children.iter().map(|c| (c, d + 1)));
    }
    max
}

fn count_nodes(tree: &[CollectionNode]) -> usize {
    let mut stack: Vec<&CollectionNode> = tree.iter().collect();
    let mut n = 0;
    while let Some(c) = stack.pop() {
        n += 1;
        stack.extend(c.children.iter());
    }
    n
}

/// A `.bib` whose JabRef group tree is a chain `depth` groups deep, with one entry in the
/// deepest group.
fn deep_jabref_bib(depth: usize) -> String {
    let mut s =
        String::from("@article{deep, title = {In the deepest group}, author = {Doe, Jane}, year = 2020, groups = {g");
    s.push_str(&depth.to_string());
    s.push_str("}}\n\n@comment{jabref-meta: grouping:\n0 AllEntriesGroup:;\n");
    for level in 1..=depth {
        s.push_str(&format!("{level} StaticGroup:g{level}\\;0\\;1\\;\\;\\;\\;;\n"));
    }
    s.push_str("}\n");
    s
}

/// Cause 3: a 30,000-deep JabRef group tree (1.5 MB of groups once crashed `collection list`):
/// the import keeps MAX_COLLECTION_DEPTH levels, attaches the deeper groups at that depth with
/// a warning, and every command that shows the tree works.
#[test]
fn a_30000_deep_jabref_group_tree_keeps_the_budget_depth() {
    let max = folio::budget::MAX_COLLECTION_DEPTH;
    let dir = tempfile::tempdir().unwrap();
    let bib = write(dir.path(), "deep.bib", &deep_jabref_bib(30_000));
    let lib_path = dir.path().join("lib.sqlite");
    let mut lib = Library::open(&lib_path).unwrap();
    let r = import(&mut lib, &bib);
    assert_eq!(r.added(), 1);
    let diags = &r.files[0].diagnostics;
    assert!(
        diags.iter().any(|d| d.severity == Severity::Warning
            && d.message.contains(&format!("29744 group(s) deeper than {max} levels"))),
        "{diags:?}"
    );
    let tree = lib.collection_tree().unwrap();
    assert_eq!(count_nodes(&tree), 30_000);
    assert!(nesting(&tree) <= max, "nesting {}", nesting(&tree));
    // The entry is filed in its group, attached at the deepest level kept.
    let id = lib.get("deep").unwrap().id.unwrap();
    let paths = lib.collections_of(id).unwrap();
    assert_eq!(paths.len(), 1);
    assert_eq!(paths[0].split('/').count(), max);
    assert!(paths[0].ends_with("/g30000"), "{}", &paths[0][paths[0].len() - 40..]);
    drop(lib);
    let listed = ok(&lib_path, &["collection", "list"]);
    assert_eq!(listed.lines().count(), 30_000);
    // As deep as the tree nests (more than serde_json reads by default): count the nodes.
    let json = ok(&lib_path, &["collection", "list", "--json"]);
    assert_eq!(json.matches("\"path\":").count(), 30_000);
    let items: serde_json::Value = serde_json::from_str(&ok(&lib_path, &["list", "--json"])).unwrap();
    assert_eq!(items[0]["collections"][0].as_str().unwrap(), paths[0]);
}

/// Cause 3: a library that already holds a 30,000-deep chain of collections (made before
/// imports kept to the budget): listing it, its items' paths (`list --json`, once a false
/// "cycle" past 10,000 levels) and searching in it work; a real cycle is still reported.
#[test]
fn an_existing_30000_deep_collection_chain_lists_without_a_false_cycle() {
    let max = folio::budget::MAX_COLLECTION_DEPTH;
    let dir = tempfile::tempdir().unwrap();
    let lib_path = dir.path().join("lib.sqlite");
    let mut lib = Library::open(&lib_path).unwrap();
    let deep: String = (1..=30_000).map(|i| format!("c{i}")).collect::<Vec<_>>().join("/");
    lib.collection_create(&deep).unwrap();
    lib.import_text(
        "a.ris",
        "TY  - JOUR\nTI  - Filed deep\nPY  - 2020\nER  - \n",
        &ImportOptions::default(),
    )
    .unwrap();
    let key = lib.list(&Filter::default(), Sort::default(), 0, 10).unwrap()[0]
        .key
        .clone();
    lib.collection_add(&deep, std::slice::from_ref(&key)).unwrap();
    let id = lib.get(&key).unwrap().id.unwrap();
    assert_eq!(lib.collections_of(id).unwrap(), std::slice::from_ref(&deep));
    let tree = lib.collection_tree().unwrap();
    assert_eq!(count_nodes(&tree), 30_000);
    assert!(nesting(&tree) <= max + 1);
    // Searching the top collection with its subcollections: 30,000 ids, one parameter.
    let q = folio::app::parse_query("collection:c1").unwrap();
    let f = Filter {
        query: q,
        ..Default::default()
    };
    assert_eq!(lib.count(&f).unwrap(), 1);
    drop(lib);
    assert_eq!(ok(&lib_path, &["collection", "list"]).lines().count(), 30_000);
    let items: serde_json::Value = serde_json::from_str(&ok(&lib_path, &["list", "--json"])).unwrap();
    assert_eq!(items[0]["collections"][0].as_str().unwrap(), deep);
    // A real cycle (no action makes one; a damaged library may have one) is still an error.
    let lib = Library::open(&lib_path).unwrap();
    lib.store()
        .conn()
        .execute(
            "UPDATE collections SET parent_id = (SELECT id FROM collections WHERE name = 'c3') WHERE name = 'c1'",
            [],
        )
        .unwrap();
    let err = lib
        .collection_path(lib.resolve_collection("c1/c2").unwrap_or(1))
        .unwrap_err();
    assert!(err.to_string().contains("cycle"), "{err}");
}

/// Cause 8: a RIS record whose `TY` line was lost is a record of its own with a warning, not
/// part of the record before it ("0 problems" before).
#[test]
fn a_ris_record_without_its_ty_line_imports_as_its_own_item() {
    let mut lib = mem();
    let text = "TY  - JOUR\nAU  - First, Ann\nTI  - One\nPY  - 2001\nER  - \n\nAU  - Lost, Bob\nTI  - Two\nPY  - 2002\nER  - \n";
    let r = lib.import_text("lost.ris", text, &ImportOptions::default()).unwrap();
    assert_eq!(r.added(), 2);
    let d = &r.files[0].diagnostics;
    assert!(
        d.iter().any(|d| d.line == Some(7)
            && d.severity == Severity::Warning
            && d.message.contains("record without TY line")),
        "{d:?}"
    );
    let mut rows = lib.list(&Filter::default(), Sort::default(), 0, 10).unwrap();
    rows.sort_by(|a, b| a.title.cmp(&b.title));
    let got: Vec<(&str, Option<i32>, &str)> = rows
        .iter()
        .map(|r| (r.title.as_str(), r.year, r.creators.as_str()))
        .collect();
    assert_eq!(got, [("One", Some(2001), "First"), ("Two", Some(2002), "Lost")]);
}

/// Cause 9: numbers out of range are clear errors (not a range that wraps around and matches
/// every item), an offset past every item lists nothing, more terms than the budget is a
/// clear error (not SQLite's "Expression tree is too large"), and as many terms as the budget
/// allows run, whatever kind they are. `--query -salmon` is a query.
#[test]
fn search_numbers_and_term_counts_out_of_range() {
    let max_terms = folio::budget::MAX_QUERY_TERMS;
    let dir = tempfile::tempdir().unwrap();
    let lib_path = dir.path().join("lib.sqlite");
    let mut lib = Library::open(&lib_path).unwrap();
    let ris = "TY  - JOUR\nTI  - Salmon runs\nPY  - 2001\nER  - \nTY  - JOUR\nTI  - Tuna schools\nPY  - 2002\nER  - \n";
    lib.import_text("a.ris", ris, &ImportOptions::default()).unwrap();
    for q in [
        "year:>2147483647",
        "year:<-2147483648",
        "year:2147483648",
        "year:>99999999999999999999",
    ] {
        let e = folio::app::parse_query(q).unwrap_err();
        assert_eq!(e.code(), "invalid-query", "{q}: {e}");
    }
    let many = |n: usize, term: &dyn Fn(usize) -> String| (0..n).map(term).collect::<Vec<_>>().join(" ");
    let e = folio::app::parse_query(&many(1_500, &|i| format!("-tag:t{i}"))).unwrap_err();
    assert!(e.to_string().contains("too many terms"), "{e}");
    // The budget's worth of terms of each kind runs (SQLite's expression depth is never near).
    for term in [
        &(|i: usize| format!("-tag:t{i}")) as &dyn Fn(usize) -> String,
        &|i| format!("year:..{} OR -title:x{i}", 3000 + i),
        &|_| "salmon".to_string(),
        &|i| format!("-key:k{i}"),
    ] {
        let q = many(max_terms / 2, term);
        let f = Filter {
            query: folio::app::parse_query(&q).unwrap(),
            ..Default::default()
        };
        let n = lib.count(&f).unwrap_or_else(|e| panic!("{}: {e}", &q[..60]));
        assert!(n <= 2);
        lib.list(&f, Sort::default(), 0, 10).unwrap();
    }
    drop(lib);
    assert_eq!(ok(&lib_path, &["list", "--offset", "18446744073709551615"]), "");
    assert_eq!(
        ok(&lib_path, &["list", "--offset", "1", "--limit", "18446744073709551615"])
            .lines()
            .count(),
        1
    );
    let out = ok(&lib_path, &["list", "--query", "-salmon"]);
    assert!(out.contains("Tuna") && !out.contains("Salmon"), "{out}");
    let out = folio(&lib_path, &["list", "--query", "year:>2147483647"]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("largest year"));
}

/// Cause 10: one item with `"collections": [""]` (or another path that names no collection)
/// costs that item the collection, with a warning; the file imports.
#[test]
fn an_empty_collection_path_in_folio_json_is_a_warning_on_its_item() {
    let mut lib = mem();
    let json = r#"[
  {"type": "article", "title": "Filed nowhere", "collections": [""]},
  {"type": "article", "title": "Filed", "collections": ["A/B", "A//C"]},
  {"type": "article", "title": 7},
  {"type": "article", "title": "Last"}
]"#;
    let r = lib.import_text("items.json", json, &ImportOptions::default()).unwrap();
    assert_eq!(r.added(), 3);
    let d = &r.files[0].diagnostics;
    assert!(
        d.iter().any(|d| d.line == Some(2) && d.severity == Severity::Warning),
        "{d:?}"
    );
    assert!(
        d.iter().any(|d| d.line == Some(3) && d.message.contains("A//C")),
        "{d:?}"
    );
    assert!(
        d.iter()
            .any(|d| d.line == Some(4) && d.severity == Severity::Error && d.message.contains("item 3")),
        "{d:?}"
    );
    let tree = lib.collection_tree().unwrap();
    assert_eq!(count_nodes(&tree), 2, "A and A/B");
}

/// Files of every import format, and generated short titles without DOI ("Editorial",
/// "Preface", "Reply") in different journals and years: a second import of the unchanged file
/// adds nothing, while the different items with the same short title stay apart.
#[test]
fn importing_an_unchanged_file_again_adds_nothing_in_every_format() {
    let dir = tempfile::tempdir().unwrap();
    let c = corpus().join("public");
    let mut files: Vec<PathBuf> = [
        "bibtex/biblatex__biblatex-examples.bib",
        "bibtex/bbt__mendeley-export.bib",
        "ris/asreview__ovid_psycinfo.ris",
        "ris/jabref__RisImporterTestScopus.ris",
        "ris/revtools__avian_ecology_bibliography.ris",
    ]
    .iter()
    .map(|f| c.join(f))
    .collect();
    files.push(Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/seed/search-results.txt"));
    // Short titles, no DOI, some without authors: four different items of each title.
    let mut bib = String::new();
    let mut ris = String::new();
    let mut wos = String::from("FN Clarivate Analytics Web of Science\nVR 1.0\n");
    let mut json = Vec::new();
    let mut n = 0;
    for title in ["Editorial", "Preface", "Reply", "Introduction"] {
        for (journal, year) in [("Journal A", 2020), ("Journal B", 2020), ("Journal A", 2021)] {
            for author in ["", "Doe, Jane"] {
                n += 1;
                let au = if author.is_empty() {
                    String::new()
                } else {
                    format!("author = {{{author}}}, ")
                };
                bib.push_str(&format!(
                    "@article{{k{n}, {au}title = {{{title}}}, journal = {{{journal}}}, year = {year}}}\n"
                ));
                let au = if author.is_empty() {
                    String::new()
                } else {
                    format!("AU  - {author}\n")
                };
                ris.push_str(&format!(
                    "TY  - JOUR\n{au}TI  - {title}\nT2  - {journal}\nPY  - {year}\nER  - \n"
                ));
                let au = if author.is_empty() {
                    String::new()
                } else {
                    format!("AU {author}\n")
                };
                wos.push_str(&format!("PT J\n{au}TI {title}\nSO {journal}\nPY {year}\nER\n\n"));
                let authors: Vec<serde_json::Value> = if author.is_empty() {
                    Vec::new()
                } else {
                    vec![serde_json::json!({"family": "Doe", "given": "Jane"})]
                };
                json.push(serde_json::json!({"type": "article", "title": title, "container": journal, "year": year, "authors": authors}));
            }
        }
    }
    wos.push_str("EF\n");
    files.push(write(dir.path(), "short.bib", &bib));
    files.push(write(dir.path(), "short.ris", &ris));
    files.push(write(dir.path(), "short.txt", &wos));
    files.push(write(
        dir.path(),
        "short.json",
        &serde_json::to_string_pretty(&json).unwrap(),
    ));
    for file in &files {
        let mut lib = mem();
        let first = import(&mut lib, file);
        let generated = file.starts_with(dir.path());
        if generated {
            assert_eq!(first.added(), n, "{}: every different item is added", file.display());
        }
        let again = import(&mut lib, file);
        assert_eq!(again.added(), 0, "{}: {:?}", file.display(), again.files[0].keys);
        // A library read from Folio JSON: its JSON export, imported into it, adds nothing.
        if file.extension().is_some_and(|e| e == "json") {
            let (text, _) = lib
                .export_text(
                    &Default::default(),
                    &folio::export::ExportOptions {
                        format: folio::format::Format::Json,
                        ..Default::default()
                    },
                )
                .unwrap();
            let p = write(dir.path(), "export.json", &text);
            let r = lib
                .import_files(
                    &[p],
                    &ImportOptions {
                        duplicates: DuplicatePolicy::Skip,
                        ..Default::default()
                    },
                    &mut |_| {},
                )
                .unwrap();
            assert_eq!(r.added(), 0, "{}: JSON export imported again", file.display());
        }
    }
}
