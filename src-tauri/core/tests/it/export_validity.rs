//! Issue #22's first rule, as a property: any item the library can hold exports to a `.bib`
//! that Folio's own parser and the real `bibtex` and `biber` read without an error. Items are
//! drawn with hostile text (braces, backslashes, `% # & $ _ ^ ~ " @ , =`, accents, Cyrillic,
//! CJK, combining marks), dates that are not dates, and kept extra fields of every origin with
//! valid and invalid names and values (RIS tags, unbalanced or macro-using BibTeX values). The
//! items go through the library (stored and read back) and the export use case, in both modes;
//! one `bibtex` run (plain style, every entry cited) and one `biber --tool` run read each
//! export. `bibtex` must report no error message; `biber` no ERROR and no WARN (an invalid
//! date, an undefined macro, a skipped entry are WARNs). Needs `bibtex` and `biber` (TeX Live,
//! installed by `.ci/test`). The seed is fixed, so a failure reproduces; `KEEP=1` keeps the
//! files under /tmp/folio-export-validity.

use crate::support::*;
use folio::export::{ExportOptions, Selection};
use folio::format::Format;
use folio::model::{Creator, ExtraField, Item, ItemType, Origin, PartialDate, Role};
use proptest::prelude::*;
use proptest::strategy::ValueTree;
use proptest::test_runner::{Config, RngAlgorithm, TestRng, TestRunner};
use std::path::Path;
use std::process::Command;

/// Text with everything LaTeX and BibTeX treat specially.
fn hostile_text() -> impl Strategy<Value = String> {
    let pieces = prop_oneof![
        "[a-zA-Z ]{1,12}",
        Just("{".to_string()),
        Just("}".to_string()),
        Just("\\".to_string()),
        Just("\\emph{x}".to_string()),
        Just("\\'e".to_string()),
        Just("$x^2$".to_string()),
        Just("%".to_string()),
        Just("#".to_string()),
        Just("&".to_string()),
        Just("_".to_string()),
        Just("^".to_string()),
        Just("~".to_string()),
        Just("\"".to_string()),
        Just("@".to_string()),
        Just(",".to_string()),
        Just("=".to_string()),
        Just("Müller–Šťastný".to_string()),
        Just("Иванов".to_string()),
        Just("王小明".to_string()),
        Just("e\u{301}".to_string()),
        Just("\u{FFFD}".to_string()),
        Just("\n".to_string()),
        Just("J. Chem. Phys.".to_string()),
        Just("2019/03/28".to_string()),
    ];
    proptest::collection::vec(pieces, 0..8).prop_map(|v| v.concat())
}

/// A kept field of any origin, with names valid and not.
fn extra() -> impl Strategy<Value = ExtraField> {
    let origin = prop_oneof![
        Just(Origin::Bibtex),
        Just(Origin::Ris),
        Just(Origin::Wos),
        Just(Origin::Text)
    ];
    let name = prop_oneof![
        Just("JO"),
        Just("Y2"),
        Just("AD"),
        Just("DB"),
        Just("C1"),
        Just("J9"),
        Just("PG"),
        Just("ZZ"),
        Just("note"),
        Just("eprint"),
        Just("shortjournal"),
        Just("urldate"),
        Just("mrnumber"),
        Just("a b"),
        Just("1x"),
        Just("x=y"),
        Just("ä"),
        Just("conference-date"),
    ];
    let value = prop_oneof![
        hostile_text(),
        Just("{balanced {inner}}".to_string()),
        Just("\"quoted\" # jan".to_string()),
        Just("undefinedmacro # {x}".to_string()),
        Just("{unbalanced".to_string()),
        Just("1234".to_string()),
        Just("J. Chem. Phys.".to_string()),
    ];
    (origin, name, value).prop_map(|(o, n, v)| ExtraField::new(o, n.to_string(), v))
}

fn date() -> impl Strategy<Value = PartialDate> {
    prop_oneof![
        hostile_text().prop_map(|t| PartialDate::parse(&t)),
        Just(PartialDate::parse("MAY 2008 2008")),
        Just(PartialDate::parse("2014/06/01")),
        Just(PartialDate::parse("1999–2009")),
        Just(PartialDate::parse("2004– …")),
        Just(PartialDate::parse("in press")),
        Just(PartialDate::parse("n.d.")),
        Just(PartialDate::parse("Spring 2005")),
        Just(PartialDate::parse("0000")),
        (1000i32..2100, 1u8..13, 1u8..29).prop_map(|(y, m, d)| PartialDate::ymd(y, Some(m), Some(d))),
    ]
}

fn item() -> impl Strategy<Value = Item> {
    let types: Vec<ItemType> = ItemType::ALL.iter().map(|i| i.ty).collect();
    (
        proptest::sample::select(types),
        (hostile_text(), hostile_text(), hostile_text(), hostile_text()),
        proptest::collection::vec((hostile_text(), hostile_text()), 0..3),
        date(),
        proptest::collection::vec(extra(), 0..6),
        (hostile_text(), hostile_text(), hostile_text()),
    )
        .prop_map(
            |(ty, (title, container, note, publisher), names, date, extra, (pages, doi, url))| {
                let mut it = Item::new(ty, &title);
                it.container = container;
                it.note = note;
                it.publisher = publisher;
                it.pages = pages;
                it.doi = doi;
                it.url = url;
                it.date = date;
                for (family, given) in names {
                    it.creators.push(Creator::person(Role::Author, &family, &given));
                }
                it.extra = extra;
                it
            },
        )
}

fn items(n: usize) -> Vec<Item> {
    let mut runner = TestRunner::new_with_rng(Config::default(), TestRng::from_seed(RngAlgorithm::ChaCha, &[22; 32]));
    let s = item();
    (0..n)
        .map(|_| s.new_tree(&mut runner).expect("a value").current())
        .collect()
}

fn run(dir: &Path, cmd: &str, args: &[&str]) -> String {
    let out = Command::new(cmd)
        .args(args)
        .current_dir(dir)
        .output()
        .unwrap_or_else(|e| panic!("{cmd}: {e} (install texlive-bibtex-extra and biber; see .ci/test)"));
    String::from_utf8_lossy(&out.stdout).to_string() + &String::from_utf8_lossy(&out.stderr)
}

#[test]
fn any_item_exports_to_a_bib_that_bibtex_and_biber_read_without_error() {
    let mut lib = mem();
    let drawn = items(400);
    for it in drawn {
        lib.add(it).expect("the library holds any item");
    }
    let dir = if std::env::var_os("KEEP").is_some() {
        let d = std::path::PathBuf::from("/tmp/folio-export-validity");
        let _ = std::fs::remove_dir_all(&d);
        std::fs::create_dir_all(&d).unwrap();
        d
    } else {
        tempfile::tempdir().unwrap().keep()
    };
    let mut failures = Vec::new();
    for (format, name) in [(Format::Bibtex, "bibtex"), (Format::Biblatex, "biblatex")] {
        let (text, report) = lib
            .export_text(
                &Selection::default(),
                &ExportOptions {
                    format,
                    ..Default::default()
                },
            )
            .unwrap();
        assert_eq!(report.items, 400);
        let file = format!("{name}.bib");
        std::fs::write(dir.join(&file), &text).unwrap();
        // Folio's own parser: every entry, no error.
        let back = folio::format::bibtex::parse(&text, &mut folio::format::bibtex::BibContext::new());
        let errors: Vec<_> = back
            .diagnostics
            .iter()
            .filter(|d| d.severity == folio::Severity::Error)
            .collect();
        if back.items.len() != 400 || !errors.is_empty() {
            failures.push(format!(
                "{name}: Folio read {} of 400 entries: {errors:?}",
                back.items.len()
            ));
        }
        // bibtex: plain style, every entry cited.
        std::fs::write(
            dir.join(format!("{name}.aux")),
            format!("\\citation{{*}}\n\\bibdata{{{name}}}\n\\bibstyle{{plain}}\n"),
        )
        .unwrap();
        let log = run(&dir, "bibtex", &[name]);
        let bad: Vec<&str> = log
            .lines()
            .filter(|l| l.contains("error message") || l.starts_with("I was expecting") || l.contains("I'm skipping"))
            .collect();
        if !bad.is_empty() {
            failures.push(format!("bibtex on {file}:\n{log}"));
        }
        // biber reads the file as a data source (tool mode: no document needed). A BibLaTeX
        // export gets no warning but one about the data itself (pages that are no range, which
        // biber then prints as written); a BibTeX export, which is for `bibtex`, no error and
        // no skipped entry (its `year = {1999--2009}` and dates are BibTeX's, not biber's).
        let log = run(
            &dir,
            "biber",
            &["--tool", "--output-file", &format!("{name}.out.bib"), &file],
        );
        let bad: Vec<&str> = log
            .lines()
            .filter(|l| {
                l.starts_with("ERROR")
                    || l.contains("skipping")
                    || format == Format::Biblatex
                        && l.starts_with("WARN")
                        && !(l.starts_with("WARN - Range field 'pages'")
                            && l.ends_with("is malformed, falling back to literal"))
            })
            .collect();
        if !bad.is_empty() {
            failures.push(format!("biber on {file}:\n  {}", bad.join("\n  ")));
        }
    }
    if std::env::var_os("KEEP").is_none() {
        let _ = std::fs::remove_dir_all(&dir);
    }
    assert!(
        failures.is_empty(),
        "files in {}\n{}",
        dir.display(),
        failures.join("\n")
    );
}

/// Issue #22, part 6: a file's `@preamble` and `@comment` blocks travel with its entries only.
/// Two files in one library: one with a preamble and a comment, one without. An export (and
/// a copy by keys) of the second file's entry writes neither; of the first's, both; the report
/// says what was written and left out.
#[test]
fn preambles_and_comments_go_only_with_entries_of_their_file() {
    use folio::import::ImportOptions;
    let mut lib = mem();
    let a = "@preamble{\"\\input bibnames.sty\"}\n@comment{a note of file A}\n@string{jcp = {J. Chem. Phys.}}\n\
             @article{A1, title = {From A}, journal = jcp, year = 2001}\n@article{A2, title = {Also A}, year = 2002}\n";
    let b = "@article{B1, title = {From B}, journal = jcp, year = 2003}\n";
    for (name, text, coll) in [("a.bib", a, "A"), ("b.bib", b, "B")] {
        let opts = ImportOptions {
            collection: Some(coll.to_string()),
            ..Default::default()
        };
        lib.import_text(name, text, &opts).unwrap();
    }
    let export = |keys: &[&str], by_keys: bool| {
        let sel = if by_keys {
            Selection {
                keys: keys.iter().map(|k| k.to_string()).collect(),
                ..Default::default()
            }
        } else {
            // The collection the key's file was imported into.
            let spec = folio::app::select::FilterSpec {
                collection: Some(folio::app::select::CollectionRef::Path(keys[0][..1].to_string())),
                ..Default::default()
            };
            Selection {
                filter: folio::app::select::filter(&lib, &spec).unwrap(),
                ..Default::default()
            }
        };
        lib.export_text(&sel, &ExportOptions::default()).unwrap()
    };
    for by_keys in [true, false] {
        let (text, report) = export(&["B1"], by_keys);
        assert!(text.contains("@article{B1,"), "{text}");
        assert!(
            !text.contains("@preamble") && !text.contains("@comment"),
            "by keys {by_keys}:\n{text}"
        );
        // The macro B1 uses is written, though file A defined it.
        assert!(text.contains("@string{jcp = {J. Chem. Phys.}}"), "{text}");
        let note = report
            .diagnostics
            .iter()
            .find(|d| d.message.contains("@preamble"))
            .expect("a note on preambles");
        assert!(
            note.message.contains("wrote 0 @preamble and 0 @comment")
                && note.message.contains("left out 1 @preamble and 1 @comment"),
            "{}",
            note.message
        );
        let (text, _) = export(&["A1"], by_keys);
        assert!(
            text.contains("@preamble{\"\\input bibnames.sty\"}") && text.contains("@comment{a note of file A}"),
            "{text}"
        );
    }
}
