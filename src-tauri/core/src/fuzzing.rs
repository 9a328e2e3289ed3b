//! What the fuzz targets check (`src-tauri/core/fuzz`), shared with the ordinary tests that
//! replay the committed regression inputs and run a short random smoke in CI. Each function
//! panics when an invariant breaks; none may panic on any input.

use crate::format::{self, bibtex, results_text, ris};
use crate::model::{Item, ItemType};
use crate::store::search::{Filter, Sort};
use crate::Library;

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
