//! Pasted publisher search results: bytes → decode → sniff → parse; what was read exports
//! to BibTeX and RIS.
#![no_main]
use folio::format::{self, bibtex, results_text, ris};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(decoded) = format::decode(data, None) else { return };
    let _ = format::sniff(&decoded.text, Some("txt"));
    let parsed = results_text::parse(&decoded.text);
    let items: Vec<_> = parsed.items.iter().map(|p| p.item.clone()).collect();
    let _ = bibtex::write(&items, &Default::default(), &Default::default());
    let _ = ris::write(&items, &ris::RisWriteOptions::default());
});
