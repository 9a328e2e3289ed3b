use crate::support::*;
use folio::model::{Abstract, Access, AccessStatus, ItemTag, ItemType};
use folio::query;
use folio::store::search::{Filter, Sort, SortColumn};
use folio::Library;

fn library() -> Library {
    let mut lib = mem();
    let mut a = article(
        "The temporary use of vacant spaces",
        &["Jaspers, Sylke", "Steen, Trui"],
        2019,
    );
    a.container = "International Journal of Public Sector Management".into();
    a.access = Access::new(AccessStatus::Restricted, "t");
    a.tags.push(ItemTag::imported("co-production"));
    a.r#abstract = Abstract::parse("Purpose The temporary use of vacant spaces. Findings Lasting collaborations.");
    lib.add(a).unwrap();
    let mut b = article(
        "Co-creation of public service",
        &["Casiano Flores, Cesar", "Steen, Trui"],
        2022,
    );
    b.container = "Transforming Government".into();
    b.access = Access::new(AccessStatus::Restricted, "t");
    b.tags.push(ItemTag::manual("Co-production"));
    lib.add(b).unwrap();
    let mut c = article("Gödel, Escher, Bach", &["Hofstadter, Douglas"], 1979);
    c.item_type = ItemType::Book;
    c.access = Access::new(AccessStatus::Open, "t");
    c.doi = "10.1000/GEB".into();
    lib.add(c).unwrap();
    let mut d = article("Zebra stripes and public service", &["Müller, Anna"], 2021);
    d.note = "reviewed for the thesis".into();
    lib.add(d).unwrap();
    lib.add(article("Archived work", &["Steen, Trui"], 2015)).unwrap();
    lib
}

fn q(lib: &Library, text: &str) -> Vec<String> {
    let f = Filter {
        query: query::parse(text).unwrap(),
        ..Default::default()
    };
    lib.list(
        &f,
        Sort {
            column: SortColumn::Key,
            descending: false,
        },
        0,
        100,
    )
    .unwrap()
    .into_iter()
    .map(|r| r.key)
    .collect()
}

#[test]
fn fielded_queries_from_the_issue() {
    let lib = library();
    assert_eq!(
        q(
            &lib,
            r#"author:steen year:2019..2022 tag:co-production access:restricted "public service""#
        ),
        ["CasianoFlores2022"]
    );
    assert_eq!(
        q(&lib, "author:steen"),
        ["CasianoFlores2022", "Jaspers2019", "Steen2015"]
    );
    assert_eq!(
        q(&lib, "author:steen year:2019..2022"),
        ["CasianoFlores2022", "Jaspers2019"]
    );
    assert_eq!(q(&lib, "tag:co-production"), ["CasianoFlores2022", "Jaspers2019"]);
    assert_eq!(q(&lib, "access:open"), ["Hofstadter1979"]);
    assert_eq!(q(&lib, "type:book"), ["Hofstadter1979"]);
    assert_eq!(q(&lib, "journal:transforming"), ["CasianoFlores2022"]);
    assert_eq!(q(&lib, "abstract:collaborations"), ["Jaspers2019"]);
    assert_eq!(q(&lib, "title:vacant"), ["Jaspers2019"]);
    assert_eq!(q(&lib, "doi:https://doi.org/10.1000/geb"), ["Hofstadter1979"]);
    assert_eq!(q(&lib, "key:Steen2015"), ["Steen2015"]);
    assert_eq!(q(&lib, "key:Ca*"), ["CasianoFlores2022"]);
    assert_eq!(q(&lib, "note:thesis"), ["Muller2021"]);
    assert_eq!(q(&lib, "has:doi"), ["Hofstadter1979"]);
    assert_eq!(q(&lib, "has:abstract"), ["Jaspers2019"]);
}

#[test]
fn words_phrases_prefixes_accents_case() {
    let lib = library();
    assert_eq!(q(&lib, "godel"), ["Hofstadter1979"]);
    assert_eq!(q(&lib, "GÖDEL escher"), ["Hofstadter1979"]);
    assert_eq!(q(&lib, "muller"), ["Muller2021"]);
    assert_eq!(q(&lib, "publ serv"), ["CasianoFlores2022", "Muller2021"]);
    assert_eq!(q(&lib, r#""public service""#), ["CasianoFlores2022", "Muller2021"]);
    assert_eq!(q(&lib, r#""service public""#), Vec::<String>::new());
    assert_eq!(q(&lib, "co-production"), ["CasianoFlores2022", "Jaspers2019"]);
}

#[test]
fn negation_or_and_ranges() {
    let lib = library();
    assert_eq!(q(&lib, "author:steen -tag:co-production"), ["Steen2015"]);
    assert_eq!(q(&lib, "type:book OR year:2015"), ["Hofstadter1979", "Steen2015"]);
    assert_eq!(q(&lib, "year:..2000"), ["Hofstadter1979"]);
    assert_eq!(q(&lib, "year:2021.."), ["CasianoFlores2022", "Muller2021"]);
    assert_eq!(q(&lib, "-access:restricted -access:open"), ["Muller2021", "Steen2015"]);
}

#[test]
fn sorting_and_paging() {
    let lib = library();
    let all = Filter::default();
    let by = |c: SortColumn, d: bool| -> Vec<String> {
        lib.list(
            &all,
            Sort {
                column: c,
                descending: d,
            },
            0,
            100,
        )
        .unwrap()
        .into_iter()
        .map(|r| r.key)
        .collect()
    };
    assert_eq!(by(SortColumn::Title, false)[0], "Steen2015"); // "Archived work"
    assert_eq!(by(SortColumn::Title, false)[4], "Muller2021"); // "Zebra…"; "The temporary" sorts as "temporary"
    assert_eq!(
        by(SortColumn::Year, true),
        [
            "CasianoFlores2022",
            "Muller2021",
            "Jaspers2019",
            "Steen2015",
            "Hofstadter1979"
        ]
    );
    assert_eq!(
        by(SortColumn::Creators, false),
        [
            "CasianoFlores2022",
            "Hofstadter1979",
            "Jaspers2019",
            "Muller2021",
            "Steen2015"
        ]
    );
    assert_eq!(by(SortColumn::Access, false)[0], "Hofstadter1979");
    assert_eq!(by(SortColumn::Type, false)[4], "Hofstadter1979");
    let page: Vec<String> = lib
        .list(
            &all,
            Sort {
                column: SortColumn::Year,
                descending: true,
            },
            2,
            2,
        )
        .unwrap()
        .into_iter()
        .map(|r| r.key)
        .collect();
    assert_eq!(page, ["Jaspers2019", "Steen2015"]);
    assert_eq!(lib.count(&all).unwrap(), 5);
    assert_eq!(
        "-year".parse::<Sort>().unwrap(),
        Sort {
            column: SortColumn::Year,
            descending: true
        }
    );
    assert!("colour".parse::<Sort>().is_err());
}

#[test]
fn trash_is_not_searched_and_bad_queries_are_errors() {
    let mut lib = library();
    lib.delete(&strings(&["Hofstadter1979"])).unwrap();
    assert!(q(&lib, "godel").is_empty());
    assert!(query::parse("year:abc").is_err());
    let f = Filter {
        query: query::parse("collection:Nope").unwrap(),
        ..Default::default()
    };
    assert!(lib.list(&f, Sort::default(), 0, 10).is_err());
    // Hostile text is just words.
    let f = Filter {
        query: query::parse(r#"x" OR 1=1; DROP TABLE items; --"#).unwrap(),
        ..Default::default()
    };
    assert!(lib.list(&f, Sort::default(), 0, 10).unwrap().is_empty());
    assert_eq!(lib.count(&Filter::default()).unwrap(), 4);
}

#[test]
fn saved_searches() {
    let mut lib = library();
    lib.collection_create("T").unwrap();
    lib.collection_add("T", &strings(&["Jaspers2019", "Steen2015"]))
        .unwrap();
    lib.search_save("steen in T", "author:steen", Some("T"), false).unwrap();
    let f = lib.saved_filter("steen in t").unwrap();
    assert_eq!(keys(&lib, &f).len(), 2);
    assert!(lib.search_save("bad", "year:abc", None, false).is_err());
    lib.search_delete("steen in T").unwrap();
    assert!(lib.saved_filter("steen in T").is_err());
    lib.undo().unwrap();
    assert!(lib.saved_filter("steen in T").is_ok());
}

/// A library of `n` generated articles: "Plankton study i" (every one), "salmon" in every
/// seventh, by "Abel, A." or "Zorn, Z.".
fn generated(n: usize) -> (tempfile::TempDir, Library) {
    let dir = tempfile::tempdir().unwrap();
    let mut lib = Library::open(&dir.path().join("lib.sqlite")).unwrap();
    let mut bib = String::new();
    for i in 0..n {
        let extra = if i % 7 == 0 { " of salmon" } else { "" };
        let author = if i % 2 == 0 { "Abel, Anna" } else { "Zorn, Zeno" };
        bib.push_str(&format!(
            "@article{{k{i:05},\n  title = {{Plankton study {i}{extra}}},\n  author = {{{author}}},\n  year = {}\n}}\n\n",
            1990 + i % 30
        ));
    }
    let opts = folio::import::ImportOptions {
        duplicates: folio::import::DuplicatePolicy::Keep,
        ..Default::default()
    };
    lib.import_text("gen.bib", &bib, &opts).unwrap();
    (dir, lib)
}

#[test]
fn many_and_few_full_text_matches_page_count_and_follow_changes() {
    // Above 3000 matches the pages are filled by walking the sort index and testing the
    // (cached) match set row by row; below, the matches go in as a list. Both must give the
    // same answers as the plain definition, and the cached evaluation must follow changes.
    let (dir, mut lib) = generated(3600);
    let f = |text: &str| Filter {
        query: query::parse(text).unwrap(),
        ..Default::default()
    };
    let by_key = Sort {
        column: SortColumn::Key,
        descending: false,
    };
    assert_eq!(lib.count(&f("plankton")).unwrap(), 3600);
    assert_eq!(lib.count(&f("plank author:abel")).unwrap(), 1800);
    assert_eq!(lib.count(&f("plankton year:1990..1994")).unwrap(), 600);
    assert_eq!(lib.count(&f("salmon")).unwrap(), 515);
    assert_eq!(lib.count(&f("plankton -salmon")).unwrap(), 3600 - 515);
    assert_eq!(lib.count(&f("salmon OR zorn")).unwrap(), 1800 + 258);
    // Pages of a large match set in title order (walking the title index) are the pages of
    // the whole library, since every item matches; in key order with a negation; a smaller
    // set (a list of ids).
    let keys = |rows: Vec<folio::store::ItemSummary>| rows.into_iter().map(|r| r.key).collect::<Vec<_>>();
    assert_eq!(
        keys(lib.list(&f("plankton"), Sort::default(), 0, 20).unwrap()),
        keys(lib.list(&Filter::default(), Sort::default(), 0, 20).unwrap())
    );
    assert_eq!(
        keys(lib.list(&f("plankton"), Sort::default(), 1800, 20).unwrap()),
        keys(lib.list(&Filter::default(), Sort::default(), 1800, 20).unwrap())
    );
    assert_eq!(
        keys(lib.list(&f("plankton -salmon"), by_key, 0, 3).unwrap()),
        ["k00001", "k00002", "k00003"]
    );
    assert_eq!(
        keys(lib.list(&f("plankton author:a"), by_key, 0, 3).unwrap()),
        ["k00000", "k00002", "k00004"]
    );
    let deep = lib.list(&f("plankton"), by_key, 3590, 50).unwrap();
    assert_eq!(deep.len(), 10);
    assert_eq!(deep[0].key, "k03590");
    assert_eq!(
        keys(lib.list(&f("salmon"), by_key, 0, 3).unwrap()),
        ["k00000", "k00007", "k00014"]
    );
    // Changes through this handle: an edit, a deletion, an undo.
    lib.edit("k00001", &[("title".into(), "Krill only".into())], false)
        .unwrap();
    assert_eq!(lib.count(&f("plankton")).unwrap(), 3599);
    assert_eq!(lib.count(&f("krill")).unwrap(), 1);
    lib.delete(&strings(&["k00000"])).unwrap();
    assert_eq!(lib.count(&f("plankton")).unwrap(), 3598);
    assert_eq!(lib.count(&f("salmon")).unwrap(), 514);
    lib.undo().unwrap();
    assert_eq!(lib.count(&f("salmon")).unwrap(), 515);
    assert_eq!(lib.list(&f("plankton"), by_key, 0, 1).unwrap()[0].key, "k00000");
    // A change by another process (another connection) is seen too.
    assert_eq!(lib.count(&f("plankton")).unwrap(), 3599);
    {
        let mut other = Library::open(&dir.path().join("lib.sqlite")).unwrap();
        other.delete(&strings(&["k00002", "k00003"])).unwrap();
    }
    assert_eq!(lib.count(&f("plankton")).unwrap(), 3597);
    assert_eq!(lib.list(&f("plankton"), by_key, 0, 2).unwrap()[1].key, "k00004");
}

#[test]
fn bookkeeping_fields_are_kept_but_not_searched() {
    let mut lib = mem();
    let bib = r#"@Article{Becker:2021,
  author = "Joy Becker",
  title = "A new home for the Blue Revolution",
  journal = "Aquaculture, Fish and Fisheries",
  year = "2021",
  fjournal = "Aquaculture, Fish and Fisheries (Hoboken)",
  coden = "AQFFX7",
  bibdate = "Mon Feb 21 08:39:20 MST 2022",
  bibsource = "https://www.math.utah.edu/pub/tex/bib/aquacfishfish.bib",
  journal-URL = "https://onlinelibrary.wiley.com/loi/26938847",
  timestamp = "2023-04-05",
  owner = "nhfb",
  acknowledgement = "Maintained by Nelson",
}
"#;
    lib.import_text("t.bib", bib, &Default::default()).unwrap();
    // Ordinary unmapped fields are searched…
    assert_eq!(q(&lib, "hoboken"), ["Becker:2021"]);
    assert_eq!(q(&lib, "AQFFX7"), ["Becker:2021"]);
    assert_eq!(q(&lib, "revolution"), ["Becker:2021"]);
    // …the record's history and links are not.
    for word in [
        "2022",
        "mst",
        "utah",
        "aquacfishfish",
        "onlinelibrary",
        "2023",
        "nhfb",
        "nelson",
    ] {
        assert!(q(&lib, word).is_empty(), "{word} matched a bookkeeping field");
    }
    // They are still stored and exported as read.
    let it = lib.get("Becker:2021").unwrap();
    let names: Vec<&str> = it.extra.iter().map(|f| f.name.as_str()).collect();
    for n in [
        "bibdate",
        "bibsource",
        "journal-URL",
        "timestamp",
        "owner",
        "acknowledgement",
    ] {
        assert!(names.contains(&n), "{n} missing from {names:?}");
    }
    let (text, _) = lib
        .export_text(
            &folio::export::Selection::default(),
            &folio::export::ExportOptions::default(),
        )
        .unwrap();
    assert!(text.contains("bibdate = \"Mon Feb 21 08:39:20 MST 2022\""), "{text}");
}

#[test]
fn sorting_by_journal_ignores_ascii_case_in_both_query_paths() {
    let dir = tempfile::tempdir().unwrap();
    let mut lib = Library::open(&dir.path().join("lib.sqlite")).unwrap();
    let journals = ["beta", "Alpha", "gamma", "alpha", "Beta", "Écologie", "delta"];
    let mut bib = String::new();
    for i in 0..3500 {
        bib.push_str(&format!(
            "@article{{k{i:05},\n  title = {{Plankton {i}}},\n  journal = {{{}}},\n  year = 2000\n}}\n\n",
            journals[i % journals.len()]
        ));
    }
    let opts = folio::import::ImportOptions {
        duplicates: folio::import::DuplicatePolicy::Keep,
        ..Default::default()
    };
    lib.import_text("gen.bib", &bib, &opts).unwrap();
    // SQLite's NOCASE order, by id within a journal: what the column showed before v7.
    let mut expected: Vec<(String, i64, String)> = lib
        .list(&Filter::default(), Sort::default(), 0, 10_000)
        .unwrap()
        .into_iter()
        .map(|r| (r.container.to_ascii_lowercase(), r.id, r.key))
        .collect();
    expected.sort();
    let expected: Vec<String> = expected.into_iter().map(|(_, _, k)| k).collect();
    let by_journal = |descending| Sort {
        column: SortColumn::Container,
        descending,
    };
    for filter in ["", "plankton"] {
        // "plankton" matches more than 3000 items: the page walks the journal index.
        let f = Filter {
            query: query::parse(filter).unwrap(),
            ..Default::default()
        };
        let page = |offset, desc| {
            lib.list(&f, by_journal(desc), offset, 40)
                .unwrap()
                .into_iter()
                .map(|r| r.key)
                .collect::<Vec<_>>()
        };
        assert_eq!(page(0, false), expected[..40], "{filter:?}");
        assert_eq!(page(1700, false), expected[1700..1740], "{filter:?}");
        let mut rev = expected.clone();
        rev.reverse();
        assert_eq!(page(0, true), rev[..40], "{filter:?}");
    }
}
