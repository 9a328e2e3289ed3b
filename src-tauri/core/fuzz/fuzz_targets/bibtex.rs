//! BibTeX importer: bytes → decode → parse (one bad entry never stops the rest) → export in
//! both modes → parse again. Nothing may panic; what was read must export and read back.
#![no_main]
use folio::format::{self, bibtex};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(decoded) = format::decode(data, None) else { return };
    let mut ctx = bibtex::BibContext::new();
    let parsed = bibtex::parse(&decoded.text, &mut ctx);
    for d in &parsed.diagnostics {
        assert!(!d.message.is_empty());
    }
    let items: Vec<_> = parsed.items.iter().map(|p| p.item.clone()).collect();
    for mode in [bibtex::BibMode::Bibtex, bibtex::BibMode::Biblatex] {
        let opts = bibtex::BibWriteOptions { mode, ..Default::default() };
        let written = bibtex::write(&items, &parsed.extras, &opts);
        let again = bibtex::parse(&written.text, &mut bibtex::BibContext::new());
        // Every exported entry is read back as an entry.
        assert_eq!(again.items.len(), items.len(), "{}", written.text);
    }
});
