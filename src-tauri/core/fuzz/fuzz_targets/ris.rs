//! RIS (and Web of Science tagged) importer: bytes → decode → parse → export → parse again.
#![no_main]
use folio::format::{self, ris};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(decoded) = format::decode(data, None) else { return };
    let parsed = ris::parse(&decoded.text);
    let items: Vec<_> = parsed.items.iter().map(|p| p.item.clone()).collect();
    let written = ris::write(&items, &ris::RisWriteOptions::default());
    let again = ris::parse(&written.text);
    assert_eq!(again.items.len(), items.len(), "{}", written.text);
});
