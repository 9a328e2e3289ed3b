//! The fielded search-query parser, and running the parsed query against a small library:
//! no panic, no SQL error (user text only ever reaches SQL as a parameter).
#![no_main]
use folio::model::{Item, ItemType};
use folio::store::search::{Filter, Sort};
use folio::Library;
use libfuzzer_sys::fuzz_target;
use std::cell::RefCell;

thread_local! {
    static LIB: RefCell<Library> = RefCell::new({
        let mut lib = Library::open_in_memory().unwrap();
        for (i, t) in ["Plankton in the fjord", "Salmon \"runs\" (2001)", "Ünïcödé — title; 100%", ""].iter().enumerate() {
            let mut it = Item::new(ItemType::Article, t);
            it.key = format!("k{i}");
            lib.add(it).unwrap();
        }
        lib
    });
}

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let Ok(query) = folio::query::parse(text) else { return };
    let filter = Filter { query, ..Default::default() };
    LIB.with(|lib| {
        let lib = lib.borrow();
        let n = lib.count(&filter).unwrap_or_else(|e| panic!("{text:?}: {e}"));
        let page = lib.list(&filter, Sort::default(), 0, 10).unwrap_or_else(|e| panic!("{text:?}: {e}"));
        assert!(page.len() as i64 <= n);
    });
});
