//! What the fuzz targets check (`src-tauri/core/fuzz`), shared with the ordinary tests that
//! replay the committed regression inputs and run a short random smoke in CI. Each function
//! panics when an invariant breaks; none may panic on any input.
//!
//! `shapes` generates the pathological shapes of issue 23 (deep nesting, macro chains, one
//! key on many entries, many tags, deep group trees…); the fuzz targets read an input that
//! starts with [`SHAPED`] as one of them ([`input`]), any other input as it is.

mod shapes;
pub use shapes::{by_name, from_fuzz, from_fuzz_among, fuzz_input, Rng, Shape, FILL, SHAPES};

use crate::budget;
use crate::format::{self, bibtex, json as folio_json, results_text, ris};
use crate::import::{DuplicatePolicy, ImportOptions, ImportReport};
use crate::model::{Item, ItemType};
use crate::store::search::{Filter, Sort};
use crate::Library;
use std::borrow::Cow;
use std::collections::HashSet;

/// The first byte of a fuzz input that is a shape ([`shapes::from_fuzz`] reads the rest).
pub const SHAPED: u8 = 0xFE;

/// The largest shape size the fuzz targets generate (nesting levels, entries, keywords…):
/// enough for every known cause (8,000 levels overflowed the stack) and ~1 MiB inputs.
pub const FUZZ_MAX_SIZE: usize = 150_000;

/// A fuzz input as the bytes to check: a shape of one of the extensions `exts` when it
/// starts with [`SHAPED`] (with the extension it is imported under), else the input as it is.
pub fn input<'a>(data: &'a [u8], exts: &[&str]) -> (Cow<'a, [u8]>, Option<&'static str>) {
    if data.first() != Some(&SHAPED) {
        return (Cow::Borrowed(data), None);
    }
    let shapes: Vec<&'static Shape> = SHAPES.iter().filter(|s| exts.contains(&s.ext)).collect();
    match shapes::from_fuzz_among(&shapes, &data[1..], FUZZ_MAX_SIZE) {
        Some((shape, bytes)) => (Cow::Owned(bytes), Some(shape.ext)),
        None => (Cow::Borrowed(&data[1..]), None),
    }
}

/// BibTeX importer: bytes → decode → parse → export in both modes → parse again; every
/// exported entry reads back as an entry.
pub fn bibtex(data: &[u8]) {
    let Ok(decoded) = format::decode(data, None) else {
        return;
    };
    let mut ctx = bibtex::BibContext::new();
    let parsed = bibtex::parse(&decoded.text, &mut ctx);
    for d in &parsed.diagnostics {
        assert!(!d.message.is_empty());
    }
    let items: Vec<Item> = parsed.items.iter().map(|p| p.item.clone()).collect();
    for mode in [bibtex::BibMode::Bibtex, bibtex::BibMode::Biblatex] {
        let opts = bibtex::BibWriteOptions {
            mode,
            ..Default::default()
        };
        let written = bibtex::write(&items, &parsed.extras, &opts);
        let again = bibtex::parse(&written.text, &mut bibtex::BibContext::new());
        assert_eq!(again.items.len(), items.len(), "{}", written.text);
    }
}

/// RIS (and Web of Science) importer: bytes → decode → parse → export → parse again.
pub fn ris(data: &[u8]) {
    let Ok(decoded) = format::decode(data, None) else {
        return;
    };
    let parsed = ris::parse(&decoded.text);
    let items: Vec<Item> = parsed.items.iter().map(|p| p.item.clone()).collect();
    let written = ris::write(&items, &ris::RisWriteOptions::default());
    let again = ris::parse(&written.text);
    assert_eq!(again.items.len(), items.len(), "{}", written.text);
}

/// Pasted publisher search results: bytes → decode → sniff → parse → export.
pub fn results_text(data: &[u8]) {
    let Ok(decoded) = format::decode(data, None) else {
        return;
    };
    let _ = format::sniff(&decoded.text, Some("txt"));
    let parsed = results_text::parse(&decoded.text);
    let items: Vec<Item> = parsed.items.iter().map(|p| p.item.clone()).collect();
    let _ = bibtex::write(&items, &Default::default(), &Default::default());
    let _ = ris::write(&items, &ris::RisWriteOptions::default());
}

/// Folio JSON: bytes → decode → parse → write → parse again: every item reads back, with its
/// key, title, creators, tags and collections.
pub fn json(data: &[u8]) {
    let Ok(decoded) = format::decode(data, None) else {
        return;
    };
    let parsed = folio_json::parse(&decoded.text);
    for d in &parsed.diagnostics {
        assert!(!d.message.is_empty());
    }
    let items: Vec<(Item, Vec<String>)> = parsed
        .items
        .iter()
        .map(|p| (p.item.clone(), p.collections.clone()))
        .collect();
    let written = folio_json::write(&items);
    let again = folio_json::parse(&written.text);
    assert!(again.diagnostics.is_empty(), "{:?}", again.diagnostics);
    assert_eq!(again.items.len(), items.len());
    for ((a, ac), b) in items.iter().zip(&again.items) {
        assert_eq!(a.key, b.item.key);
        assert_eq!(a.title, b.item.title);
        assert_eq!(a.creators.len(), b.item.creators.len(), "{}", a.key);
        assert_eq!(a.tags, b.item.tags, "{}", a.key);
        assert_eq!(ac, &b.collections, "{}", a.key);
    }
}

/// `.aux` files: the pure reader ([`crate::aux::parse_aux`]) and the file reader
/// ([`crate::aux::read_aux`], which follows `\@input`) on the bytes as a file: every cited key
/// once, none empty, the file's own keys first and in order.
pub fn aux(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    let (cited, _inputs) = crate::aux::parse_aux(&text);
    let mut seen = HashSet::new();
    for k in &cited.keys {
        assert!(!k.trim().is_empty(), "an empty key");
        assert!(seen.insert(k.as_str()), "{k:?} twice");
    }
    let dir = tempfile::tempdir().expect("a temporary folder");
    let path = dir.path().join("paper.aux");
    std::fs::write(&path, data).expect("writing the .aux");
    let Ok(read) = crate::aux::read_aux(&path) else {
        return;
    };
    assert!(read.keys.len() >= cited.keys.len());
    assert_eq!(read.keys[..cited.keys.len()], cited.keys[..]);
    let mut seen = HashSet::new();
    for k in &read.keys {
        assert!(seen.insert(k.as_str()), "{k:?} twice");
    }
    assert!(read.all || !cited.all);
}

/// What [`import_checked`] found in the library after an import, before undoing it.
pub struct Imported {
    pub report: ImportReport,
    /// The library's items after the import, in id order.
    pub items: Vec<Item>,
    /// Every collection path, parents first.
    pub collections: Vec<String>,
}

/// The whole import: the bytes as a file named `input.<ext>` (no extension when `ext` is
/// empty: the format is sniffed) imported into a new in-memory library, keeping duplicates.
/// A refusal of the whole file (binary, empty, unknown format, too large) is fine and gives
/// `None`; a database error or a panic is a bug. After an import: every entry read was
/// added; the library holds exactly those items, each with a unique non-empty key and at
/// most [`budget::MAX_TAGS_PER_ITEM`] tags; the collection tree is consistent and no deeper
/// than [`budget::MAX_COLLECTION_DEPTH`]; and undo leaves the library empty again.
pub fn import_checked(data: &[u8], ext: &str) -> Option<Imported> {
    let dir = tempfile::tempdir().expect("a temporary folder");
    let name = if ext.is_empty() {
        "input".to_string()
    } else {
        format!("input.{ext}")
    };
    let path = dir.path().join(name);
    std::fs::write(&path, data).expect("writing the input");
    let mut lib = Library::open_in_memory().expect("in-memory library");
    let opts = ImportOptions {
        duplicates: DuplicatePolicy::Keep,
        ..Default::default()
    };
    let report = match lib.import_files(std::slice::from_ref(&path), &opts, &mut |_| {}) {
        Ok(r) => r,
        Err(e @ (crate::Error::Db(_) | crate::Error::Migration(_))) => panic!("import: {e}"),
        Err(e) => {
            assert!(!e.to_string().is_empty());
            return None;
        }
    };
    assert_eq!(report.files.len(), 1);
    let file = &report.files[0];
    for d in &file.diagnostics {
        assert!(!d.message.is_empty());
    }
    assert_eq!(file.added, file.entries, "entries read but not added (duplicates kept)");
    assert_eq!(file.keys.len(), file.added);
    let all = Filter::default();
    let count = lib.count(&all).expect("count");
    assert_eq!(
        count as usize, file.added,
        "the library holds other than what was added"
    );
    let items = lib.items(&all, Sort::default()).expect("items");
    check_items(&items, &file.keys);
    let collections = collection_paths(&lib);
    let imported = Imported {
        report,
        items,
        collections,
    };
    if imported.report.added() > 0 || !imported.collections.is_empty() {
        lib.undo().expect("undo of the import");
        assert_eq!(lib.count(&all).expect("count"), 0, "undo left items");
        assert!(collection_paths(&lib).is_empty(), "undo left collections");
    }
    Some(imported)
}

/// [`import_checked`] for the fuzz target.
pub fn import(data: &[u8], ext: &str) {
    let _ = import_checked(data, ext);
}

fn check_items(items: &[Item], reported: &[String]) {
    let mut keys = HashSet::new();
    for it in items {
        assert!(!it.key.trim().is_empty(), "an item without a key");
        assert!(keys.insert(it.key.to_lowercase()), "key {:?} twice", it.key);
        assert!(
            it.tags.len() <= budget::MAX_TAGS_PER_ITEM,
            "{}: {} tags, more than the budget",
            it.key,
            it.tags.len()
        );
        let mut tags = HashSet::new();
        for t in &it.tags {
            assert!(tags.insert(t.name.to_lowercase()), "{}: tag {:?} twice", it.key, t.name);
        }
    }
    for k in reported {
        assert!(
            keys.contains(&k.to_lowercase()),
            "reported key {k:?} not in the library"
        );
    }
}

/// Every collection path of the library's tree, walked with an explicit stack (the tree may
/// be deep), checking each node's path is its parent's path and its name.
fn collection_paths(lib: &Library) -> Vec<String> {
    let tree = lib.collection_tree().expect("collection tree");
    let mut out = Vec::new();
    let mut stack: Vec<(&crate::CollectionNode, Option<&str>, usize)> =
        tree.iter().rev().map(|n| (n, None, 1)).collect();
    while let Some((node, parent, depth)) = stack.pop() {
        assert!(!node.name.trim().is_empty(), "a collection without a name");
        let expected = match parent {
            Some(p) => format!("{p}/{}", node.name),
            None => node.name.clone(),
        };
        assert_eq!(node.path, expected);
        assert!(
            depth <= budget::MAX_COLLECTION_DEPTH,
            "collection {} levels deep",
            depth
        );
        out.push(node.path.clone());
        stack.extend(
            node.children
                .iter()
                .rev()
                .map(|c| (c, Some(node.path.as_str()), depth + 1)),
        );
    }
    out
}

/// The fuzz target `target` on one input (shaped or not, see [`input`]): what each
/// `fuzz/fuzz_targets/*.rs` runs and what `tests/it/fuzz.rs` replays the regressions with.
pub fn run(target: &str, data: &[u8]) {
    thread_local!(static LIB: Library = query_library());
    match target {
        "bibtex" => bibtex(&input(data, &["bib"]).0),
        "ris" => ris(&input(data, &["ris"]).0),
        "results_text" => results_text(&input(data, &["txt"]).0),
        "json" => json(&input(data, &["json"]).0),
        "aux" => aux(&input(data, &["aux"]).0),
        "query" => LIB.with(|lib| query(lib, &input(data, &["query"]).0)),
        "import" => {
            let (bytes, ext) = input(data, &["bib", "ris", "txt", "json"]);
            import(&bytes, ext.unwrap_or(""))
        }
        other => panic!("no fuzz target {other:?}"),
    }
}

/// The fuzz targets [`run`] knows.
pub const TARGETS: [&str; 7] = ["bibtex", "ris", "results_text", "json", "aux", "query", "import"];

/// A small library for [`query`].
pub fn query_library() -> Library {
    let mut lib = Library::open_in_memory().expect("in-memory library");
    for (i, t) in [
        "Plankton in the fjord",
        "Salmon \"runs\" (2001)",
        "Ünïcödé — title; 100%",
        "",
    ]
    .iter()
    .enumerate()
    {
        let mut it = Item::new(ItemType::Article, t);
        it.key = format!("k{i}");
        lib.add(it).expect("add");
    }
    lib
}

/// The fielded search-query parser, and the parsed query run against `lib`: no panic and
/// no SQL error (user text only ever reaches SQL as a parameter); an unknown collection is a
/// clear refusal.
pub fn query(lib: &Library, data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let Ok(query) = crate::query::parse(text) else { return };
    let filter = Filter {
        query,
        ..Default::default()
    };
    // A clear refusal (an unknown collection, say) is fine; a database error is a bug.
    let n = match lib.count(&filter) {
        Ok(n) => n,
        Err(crate::Error::Db(e)) => panic!("{text:?}: {e}"),
        Err(_) => return,
    };
    let page = lib
        .list(&filter, Sort::default(), 0, 10)
        .unwrap_or_else(|e| panic!("{text:?}: {e}"));
    assert!(page.len() as i64 <= n, "{text:?}");
}
