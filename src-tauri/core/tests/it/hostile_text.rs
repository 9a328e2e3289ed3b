//! Hostile text through the BibTeX reader, TeX conversion, keys, tags and decoding (issue 23):
//! deep nesting, `@string` chains, repeated keys, many keywords, mixed encodings, binary junk.
//! Every input is generated here. These tests run on the default test thread (2 MiB stack):
//! nothing may recurse on input depth.

use crate::support::*;
use folio::format::Format;
use folio::library::export::{ExportOptions, Selection};
use folio::store::search::Filter;
use folio::import::ImportOptions;

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
        import_and_export("deep.bib", &format!("@article{{k,\n  title = {{{title}}},\n  year = 2020\n}}\n"));
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
        import_and_export("unclosed.ris", &format!("TY  - JOUR\nTI  - {title}\nPY  - 2020\nER  - \n"));
        let json = serde_json::json!([{"type": "article", "title": title, "year": 2020}]).to_string();
        import_and_export("unclosed.json", &json);
    }
}
