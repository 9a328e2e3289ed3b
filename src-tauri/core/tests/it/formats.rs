//! Round trips through the library: RIS → library → RIS → library, and
//! BibTeX → library → RIS → library, on the public corpus.

use crate::support::*;
use folio::export::{ExportOptions, Selection};
use folio::format::Format;
use folio::import::{DuplicatePolicy, ImportOptions};
use folio::model::Item;
use folio::store::search::{Filter, Sort, SortColumn};
use folio::Library;
use std::path::PathBuf;

fn files(sub: &str, ext: &str) -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = std::fs::read_dir(corpus().join(sub))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == ext))
        .collect();
    v.sort();
    v
}

fn import_all(lib: &mut Library, paths: &[PathBuf]) {
    let opts = ImportOptions {
        duplicates: DuplicatePolicy::Keep,
        ..Default::default()
    };
    lib.import_files(paths, &opts, &mut |_| {}).unwrap();
}

fn by_id(lib: &Library) -> Vec<Item> {
    lib.items(
        &Filter::default(),
        Sort {
            column: SortColumn::DateAdded,
            descending: false,
        },
    )
    .unwrap()
}

/// What survives any format: title, creators' family names and roles, year, container,
/// volume, issue, DOI, keywords, access status.
fn essentials(it: &Item) -> String {
    let creators: Vec<String> = it
        .creators
        .iter()
        .map(|c| format!("{}:{}", c.role, c.family()))
        .collect();
    format!(
        "{} | {} | {:?} | {} | {} | {} | {} | {:?} | {}",
        it.full_title(),
        creators.join(";"),
        it.date.year,
        it.container,
        it.volume,
        it.issue,
        it.doi.to_lowercase(),
        it.tags.iter().map(|t| t.name.to_lowercase()).collect::<Vec<_>>(),
        it.access.status
    )
}

fn sorted(items: &[Item], f: impl Fn(&Item) -> String) -> Vec<String> {
    let mut v: Vec<String> = items.iter().map(f).collect();
    v.sort();
    v
}

fn through_ris(from: &Library) -> Library {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("export.ris");
    from.export_file(
        &Selection::default(),
        &ExportOptions {
            format: Format::Ris,
            ..Default::default()
        },
        &out,
    )
    .unwrap();
    let mut back = mem();
    import_all(&mut back, &[out]);
    back
}

#[test]
fn ris_to_library_to_ris_to_library_keeps_every_record() {
    let mut a = mem();
    let mut paths = files("public/ris", "ris");
    paths.push(corpus().join("large/revtools__restoration_scopus.ris"));
    import_all(&mut a, &paths);
    let n = a.count(&Filter::default()).unwrap();
    assert!(n > 500, "{n}");
    // Unedited records are written back verbatim; edit one so the regenerated path is covered too.
    let first = by_id(&a)[0].key.clone();
    a.edit(&first, &[("note".into(), "edited in Folio".into())], false)
        .unwrap();
    let b = through_ris(&a);
    let (ia, ib) = (by_id(&a), by_id(&b));
    assert_eq!(ia.len(), ib.len());
    let (ea, eb) = (sorted(&ia, essentials), sorted(&ib, essentials));
    let diffs: Vec<&String> = ea.iter().filter(|e| !eb.contains(e)).collect();
    assert!(
        diffs.is_empty(),
        "{} of {} records changed, e.g.:\n{}",
        diffs.len(),
        ia.len(),
        diffs.iter().take(5).map(|s| s.as_str()).collect::<Vec<_>>().join("\n")
    );
    assert_eq!(
        ib.iter()
            .find(|i| i.note.contains("edited in Folio"))
            .map(|i| i.title.clone()),
        Some(ia[0].title.clone())
    );
}

#[test]
fn bibtex_to_library_to_ris_to_library_keeps_the_essentials() {
    let mut a = mem();
    import_all(&mut a, &files("public/bibtex", "bib"));
    let b = through_ris(&a);
    let (ia, ib) = (by_id(&a), by_id(&b));
    assert_eq!(ia.len(), ib.len());
    // Titles, years, DOIs and first authors survive for (nearly) every entry.
    let core = |i: &Item| {
        format!(
            "{} | {:?} | {} | {:?}",
            i.full_title(),
            i.date.year,
            i.doi.to_lowercase(),
            i.primary_creators().first().map(|c| c.family().to_string())
        )
    };
    let (ea, eb) = (sorted(&ia, core), sorted(&ib, core));
    let lost: Vec<&String> = ea.iter().filter(|e| !eb.contains(e)).collect();
    assert!(
        lost.len() * 100 <= ia.len(),
        "{} of {} entries changed:\n{}",
        lost.len(),
        ia.len(),
        lost.iter().take(10).map(|s| s.as_str()).collect::<Vec<_>>().join("\n")
    );
    eprintln!(
        "{} of {} BibTeX entries differ in title/year/DOI/first author after RIS: {:?}",
        lost.len(),
        ia.len(),
        lost
    );
}

#[test]
fn exports_copy_unedited_records_and_regenerate_edited_ones() {
    let mut lib = Library::open_in_memory().unwrap();
    let bib = "@Article{keep,\n  TITLE   =   {Kept  as   written},\n  Author = {Doe, J.},\n  year = 2001 }\n\n\
               @Article{edit,\n  TITLE   =   {Will  be   edited},\n  Author = {Roe, R.},\n  year = 2002 }\n";
    lib.import_text("t.bib", bib, &ImportOptions::default()).unwrap();
    let ris = "TY  - JOUR\nTI  - A RIS record\nAU  - Poe, P.\nPY  - 2003\nER  - \n";
    lib.import_text("t.ris", ris, &ImportOptions::default()).unwrap();
    let export = |lib: &Library, format| {
        lib.export_text(
            &Selection::default(),
            &ExportOptions {
                format,
                ..Default::default()
            },
        )
        .unwrap()
        .0
    };
    let before = export(&lib, Format::Bibtex);
    assert!(before.contains("TITLE   =   {Kept  as   written}"), "{before}");
    assert!(before.contains("TITLE   =   {Will  be   edited}"), "{before}");
    assert!(export(&lib, Format::Ris).contains("TI  - A RIS record\r\n"));
    lib.edit("edit", &[("title".into(), "Edited now".into())], false)
        .unwrap();
    let after = export(&lib, Format::Bibtex);
    assert!(after.contains("TITLE   =   {Kept  as   written}"), "{after}");
    assert!(after.contains("title = {Edited now}"), "{after}");
    assert!(!after.contains("Will  be   edited"), "{after}");
    // The same text through the item-by-item path (a key selection).
    let keys = Selection {
        keys: vec!["edit".into(), "keep".into(), "Poe2003".into()],
        ..Default::default()
    };
    let by_keys = lib.export_text(&keys, &ExportOptions::default()).unwrap().0;
    assert_eq!(by_keys, after);
    lib.undo().unwrap();
    assert_eq!(
        export(&lib, Format::Bibtex),
        before,
        "undo makes the record current again"
    );
}

/// A large export reads the table in chunks and checks the copied records on several threads;
/// its text must be what the item-by-item path writes, whatever the mix of copied records,
/// edited items and records the export refuses to copy (non-ASCII text in an ASCII export).
#[test]
fn a_large_export_on_several_threads_writes_what_the_item_by_item_path_writes() {
    let mut lib = Library::open_in_memory().unwrap();
    let mut bib = String::new();
    let mut ris = String::new();
    // Three and a bit of the 500-item chunks the export reads.
    let n = 1517;
    for i in 0..n {
        let title = if i % 7 == 0 {
            format!("Caf\u{e9} number {i}")
        } else {
            format!("Plain number {i}")
        };
        // Some with a role RIS has no tag for (a numbered warning) or a field it has none for.
        let more = match i % 97 {
            0 => "  bookauthor = {Book, Bert},\n",
            13 => "  mrnumber = {MR123},\n",
            _ => "",
        };
        bib.push_str(&format!(
            "@Article{{k{i:05},\n  title = {{{title}}},\n  author = {{Doe, Jane and Roe, R{i}}},\n{more}  journal = {{J}},\n  year = {}\n}}\n\n",
            1900 + i % 100
        ));
        if i % 5 == 0 {
            ris.push_str(&format!(
                "TY  - JOUR\nTI  - RIS record {i}\nAU  - Poe, P.\nPY  - 2003\nER  - \n"
            ));
        }
    }
    lib.import_text("big.bib", &bib, &ImportOptions::default()).unwrap();
    lib.import_text("big.ris", &ris, &ImportOptions::default()).unwrap();
    for i in (3..n).step_by(11) {
        lib.edit(&format!("k{i:05}"), &[("title".into(), format!("Edited {i}"))], false)
            .unwrap();
    }
    let all_keys: Vec<String> = lib
        .ids(&Filter::default(), Default::default())
        .unwrap()
        .into_iter()
        .map(|id| lib.get_by_id(id).unwrap().key)
        .collect();
    assert!(all_keys.len() > n, "{}", all_keys.len());
    for format in [Format::Bibtex, Format::Biblatex, Format::Ris] {
        let opts = ExportOptions {
            format,
            ..Default::default()
        };
        let (streamed, report) = lib.export_text(&Selection::default(), &opts).unwrap();
        assert_eq!(report.items, all_keys.len());
        let again = lib.export_text(&Selection::default(), &opts).unwrap().0;
        assert_eq!(again, streamed, "{format:?}: deterministic");
        let by_keys = Selection {
            keys: all_keys.clone(),
            ..Default::default()
        };
        let (one_by_one, _) = lib.export_text(&by_keys, &opts).unwrap();
        // RIS from a key selection keeps the selection's order; compare the records.
        let records = |t: &str| {
            let mut v: Vec<String> = t.split("\r\n\r\n").map(str::to_string).collect();
            if format == Format::Ris {
                v.sort();
            }
            v
        };
        let (a, b) = (records(&streamed), records(&one_by_one));
        assert_eq!(a.len(), b.len(), "{format:?}");
        if let Some((x, y)) = a.iter().zip(&b).find(|(x, y)| x != y) {
            panic!("{format:?}: the streamed export wrote\n{x}\nwhere the item-by-item path wrote\n{y}");
        }
        assert!(streamed.contains("Edited 3"), "{format:?}");
        if format == Format::Ris {
            // The records were written on several threads; each warning still names the
            // record it is about, by its place in the file.
            let titled: Vec<&str> = streamed.split("\r\n\r\n").collect();
            let mut warned = 0;
            for d in &report.diagnostics {
                let Some(rest) = d.message.strip_prefix("item ") else {
                    continue;
                };
                let (n, rest) = rest.split_once(' ').unwrap();
                let n: usize = n.parse().unwrap();
                let title = rest.split('"').nth(1).unwrap();
                assert!(rest.contains("RIS has no tag for book-author"), "{}", d.message);
                assert!(
                    titled[n - 1].contains(&format!("TI  - {title}\r\n")),
                    "{}: {}",
                    d.message,
                    titled[n - 1]
                );
                warned += 1;
            }
            assert_eq!(warned, n.div_ceil(97), "{:?}", report.diagnostics);
            assert!(
                report
                    .diagnostics
                    .iter()
                    .any(|d| d.message.contains("were not written: mrnumber")),
                "{:?}",
                report.diagnostics
            );
        }
        if format == Format::Bibtex {
            assert!(
                streamed.contains("title = {Caf{\\'e} number 0}"),
                "regenerated in ASCII"
            );
            assert!(streamed.contains("  title = {Plain number 1},"), "copied as written");
        }
    }
}

/// Each import records its file with the FNV-1a hash of the text read (computed on the reader
/// thread, which drops the text as soon as it is parsed).
#[test]
fn an_import_records_the_hash_of_each_file_it_read() {
    let dir = tempfile::tempdir().unwrap();
    let a = dir.path().join("a.bib");
    let b = dir.path().join("b.ris");
    let bib = "@article{A2001, title = {First}, year = 2001}\n";
    let ris = "TY  - JOUR\nTI  - Second\nPY  - 2002\nER  - \n";
    std::fs::write(&a, bib).unwrap();
    std::fs::write(&b, ris).unwrap();
    let mut lib = Library::open_in_memory().unwrap();
    let report = lib
        .import_files(&[a.clone(), b.clone()], &ImportOptions::default(), &mut |_| {})
        .unwrap();
    assert_eq!(report.files.iter().map(|f| f.added).collect::<Vec<_>>(), [1, 1]);
    let rows = text_pairs(&lib, "SELECT path, content_hash FROM import_batches ORDER BY id");
    assert_eq!(
        rows,
        [
            (
                a.display().to_string(),
                format!("{:016x}", folio::model::fnv1a(bib.as_bytes()))
            ),
            (
                b.display().to_string(),
                format!("{:016x}", folio::model::fnv1a(ris.as_bytes()))
            ),
        ]
    );
}

/// Exports copy BibTeX records using the checks stored with them (`source_checks`,
/// `source_macros`): the output is exactly what reading every record in full gives (the checks
/// cleared), for records with macros, cross-references, `xdata`, comments, biblatex-only
/// commands and types, non-ASCII text and bare specials, in both modes, escaped or not, with
/// and without omitted fields.
#[test]
fn exports_with_stored_record_checks_equal_exports_that_read_every_record() {
    let inline = r#"@string{jfb = "Journal of Fish Biology"}
@string{ack = "Thanks to the crew"}

@Article{Plain2001,
  author = {Doe, Jane and Roe, Rick},
  title = {Plain record},
  journal = jfb,
  month = jan,
  year = {2001},
}

@InCollection{Child2002,
  author = {Smith, Ann},
  title = {A chapter},
  crossref = {Parent2002},
  pages = {1--10},
}

@Book{Parent2002,
  editor = {Brown, Bob},
  title = {The Book},
  booktitle = {The Book},
  year = {2002},
}

@Article{Comment2003, % a comment BibTeX would read as a field
  title = {With a comment},
  year = {2003},
  note = ack # { and all},
}

@Online{Online2004,
  title = {An \mkbibquote{online} source},
  url = {https://example.org/a%20b},
  year = {2004},
}

@Article{Xdata2005,
  title = {Granular},
  xdata = {Shared2005},
  year = {2005},
}

@XData{Shared2005,
  journaltitle = {Shared Journal},
}

@Article{Bare2006,
  title = {Fish & chips_with 50% more},
  year = {2006},
}

@Article{Unicode2007,
  author = {Müller, Jürgen},
  title = {Über Fische},
  year = {2007},
}
"#;
    let user = std::fs::read_to_string(corpus().join("large/bbt__1436-3-large-user-library.bib")).unwrap();
    for (name, text) in [("inline.bib", inline.to_string()), ("user.bib", user)] {
        let mut lib = mem();
        lib.import_text(name, &text, &ImportOptions::default()).unwrap();
        let stored: i64 = lib
            .store()
            .conn()
            .query_row("SELECT count(*) FROM items WHERE source_checks IS NOT NULL", [], |r| {
                r.get(0)
            })
            .unwrap();
        assert!(stored > 5, "{name}: the import stores the records' checks ({stored})");
        let mut variants = Vec::new();
        for format in [Format::Bibtex, Format::Biblatex] {
            for ascii in [Some(true), Some(false)] {
                for omit in [vec![], vec!["abstract".to_string()]] {
                    variants.push(ExportOptions {
                        format,
                        ascii,
                        omit_fields: omit,
                    });
                }
            }
        }
        let exports = |lib: &Library| -> Vec<String> {
            variants
                .iter()
                .map(|o| lib.export_text(&Selection::default(), o).unwrap().0)
                .collect()
        };
        let with_checks = exports(&lib);
        lib.store()
            .conn()
            .execute("UPDATE items SET source_checks = NULL, source_macros = NULL", [])
            .unwrap();
        let read_in_full = exports(&lib);
        for ((o, a), b) in variants.iter().zip(&with_checks).zip(&read_in_full) {
            assert_eq!(
                a, b,
                "{name}: {:?} ascii {:?} omit {:?}",
                o.format, o.ascii, o.omit_fields
            );
        }
        if name == "inline.bib" {
            // BibLaTeX, UTF-8, nothing omitted.
            let biblatex = &with_checks[6];
            assert!(biblatex.contains("journal = jfb"), "the macro is kept:\n{biblatex}");
            assert!(biblatex.contains("@string{jfb = "), "and defined:\n{biblatex}");
            assert!(
                biblatex.contains("@Article{Plain2001,\n  author = {Doe, Jane and Roe, Rick},"),
                "copied as written:\n{biblatex}"
            );
        }
    }
}
