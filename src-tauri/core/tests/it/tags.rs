use crate::support::*;
use folio::model::{ItemTag, TagSource};
use folio::store::search::Filter;

#[test]
fn tags_are_case_insensitive_and_remember_their_source() {
    let mut lib = mem();
    let mut a = article("A", &["Steen, Trui"], 2019);
    a.tags = vec![ItemTag::imported("Co-production"), ItemTag::imported("EIF")];
    lib.add(a).unwrap();
    lib.add(article("B", &["Jaspers, Sylke"], 2020)).unwrap();
    // Same tag whatever the case: the existing spelling is kept.
    assert_eq!(
        lib.tag_add("co-production", &strings(&["Jaspers2020", "Steen2019"]))
            .unwrap(),
        1
    );
    let b = lib.get("Jaspers2020").unwrap();
    assert_eq!(
        b.tags,
        vec![ItemTag {
            name: "Co-production".into(),
            source: TagSource::Manual
        }]
    );
    let list = lib.tag_list().unwrap();
    assert_eq!(
        list.iter()
            .map(|t| (t.name.as_str(), t.items, t.imported))
            .collect::<Vec<_>>(),
        [("Co-production", 2, 1), ("EIF", 1, 1)]
    );
    assert_eq!(
        keys(
            &lib,
            &Filter {
                tags: strings(&["CO-PRODUCTION"]),
                ..Default::default()
            }
        )
        .len(),
        2
    );
    assert_eq!(
        keys(
            &lib,
            &Filter {
                tags: strings(&["co-production", "eif"]),
                ..Default::default()
            }
        ),
        ["Steen2019"]
    );
    // Imported noise goes in bulk; the user's own links stay.
    assert_eq!(lib.tag_remove_imported(None).unwrap(), 1);
    assert!(lib.get("Steen2019").unwrap().tags.is_empty());
    assert_eq!(lib.get("Jaspers2020").unwrap().tags.len(), 1);
    lib.undo().unwrap();
    assert_eq!(lib.get("Steen2019").unwrap().tags.len(), 2);
}

#[test]
fn rename_merge_remove_delete() {
    let mut lib = mem();
    lib.add(article("A", &["Steen, Trui"], 2019)).unwrap();
    lib.add(article("B", &["Jaspers, Sylke"], 2020)).unwrap();
    lib.tag_add("coproduction", &strings(&["Steen2019"])).unwrap();
    lib.tag_add("co-prod", &strings(&["Jaspers2020", "Steen2019"])).unwrap();
    lib.tag_add("public", &strings(&["Jaspers2020"])).unwrap();
    assert_eq!(lib.tag_rename("public", "Public sector").unwrap(), 1);
    assert_eq!(
        lib.get("Jaspers2020")
            .unwrap()
            .tags
            .iter()
            .map(|t| t.name.as_str())
            .collect::<Vec<_>>(),
        ["co-prod", "Public sector"]
    );
    assert_eq!(
        lib.tag_merge(&strings(&["coproduction", "co-prod"]), "co-production")
            .unwrap(),
        2
    );
    let names: Vec<String> = lib
        .tag_list()
        .unwrap()
        .into_iter()
        .map(|t| format!("{}={}", t.name, t.items))
        .collect();
    assert_eq!(names, ["co-production=2", "Public sector=1"]);
    assert_eq!(lib.get("Steen2019").unwrap().tags.len(), 1);
    // Renaming onto an existing tag merges.
    lib.tag_rename("Public sector", "CO-PRODUCTION").unwrap();
    assert_eq!(lib.tag_list().unwrap().len(), 1);
    assert_eq!(lib.tag_remove("co-production", &strings(&["Steen2019"])).unwrap(), 1);
    assert_eq!(lib.tag_delete("co-production").unwrap(), 1);
    assert!(lib.tag_list().unwrap().is_empty());
    assert!(lib.tag_rename("nope", "x").is_err());
    assert!(lib.tag_add("  ", &strings(&["Steen2019"])).is_err());
}

/// How many items a search finds.
fn found(lib: &folio::Library, q: &str) -> i64 {
    lib.count(&Filter {
        query: folio::query::parse(q).unwrap(),
        ..Default::default()
    })
    .unwrap()
}

/// Tagging most of the library re-indexes it in one go (the index is built again before the
/// commit); what a search finds is the same as when items are re-indexed one by one, before
/// and after undo and redo, and trashed items stay out of the index.
#[test]
fn tagging_most_of_the_library_keeps_every_search_right() {
    let mut lib = mem();
    let mut bib = String::new();
    for i in 0..1600 {
        let kw = if i % 2 == 0 { "keywords = {plankton},\n" } else { "" };
        bib.push_str(&format!(
            "@article{{k{i:04},\n  title = {{Herring number w{i}x}},\n  author = {{Doe, Jane}},\n  {kw}  year = {}\n}}\n",
            1950 + i % 50
        ));
    }
    lib.import_text("many.bib", &bib, &folio::import::ImportOptions::default())
        .unwrap();
    let trashed: Vec<String> = (0..100).map(|i| format!("k{:04}", 1500 + i)).collect();
    lib.delete(&trashed).unwrap();
    // 1,300 of the 1,500 live items: enough to re-index the whole library at once.
    let tagged: Vec<String> = (0..1300).map(|i| format!("k{i:04}")).collect();
    assert_eq!(lib.tag_add("Reviewed", &tagged).unwrap(), 1300);
    let check = |lib: &folio::Library, reviewed: i64| {
        assert_eq!(found(lib, "reviewed"), reviewed);
        assert_eq!(found(lib, "kw:reviewed"), reviewed);
        assert_eq!(found(lib, "herring"), 1500, "every live item, none of the trash");
        assert_eq!(found(lib, "plankton"), 750);
        assert_eq!(found(lib, "w7x"), 1);
        assert_eq!(found(lib, "w1299x"), 1);
        assert_eq!(found(lib, "w1400x"), 1, "an item the action did not touch");
        assert_eq!(found(lib, "w1550x"), 0, "a trashed item");
    };
    check(&lib, 1300);
    lib.undo().unwrap();
    check(&lib, 0);
    lib.redo().unwrap();
    check(&lib, 1300);
    // A few items: re-indexed one by one, with the same result.
    assert_eq!(lib.tag_remove("reviewed", &strings(&["k0000", "k0001"])).unwrap(), 2);
    check(&lib, 1298);
    // Restoring the trash (100 items, a small part): their rows come back.
    lib.restore(&trashed).unwrap();
    assert_eq!(found(&lib, "herring"), 1600);
    assert_eq!(found(&lib, "w1550x"), 1);
    // FTS5's own check of its index structure (an error if it is damaged).
    lib.store()
        .conn()
        .execute("INSERT INTO items_fts (items_fts) VALUES ('integrity-check')", [])
        .unwrap();
}

/// Renaming a tag renames it in the items' words too: a search finds them by the new name, an
/// export writes it (the imported record, which has the old keyword, is no longer copied), and
/// undo brings the old name back everywhere.
#[test]
fn renaming_a_tag_follows_through_search_and_export() {
    let mut lib = mem();
    lib.import_text(
        "k.bib",
        "@article{Cod2001,\n  title = {Cod stocks},\n  keywords = {plankton},\n  year = 2001\n}\n",
        &folio::import::ImportOptions::default(),
    )
    .unwrap();
    let bibtex = |lib: &folio::Library| lib.export_text(&Default::default(), &Default::default()).unwrap().0;
    assert!(bibtex(&lib).contains("keywords = {plankton}"), "{}", bibtex(&lib));
    let before = lib.get("Cod2001").unwrap().date_modified;
    assert_eq!(lib.tag_rename("plankton", "Zooplankton").unwrap(), 1);
    assert_eq!(found(&lib, "zooplankton"), 1);
    assert_eq!(found(&lib, "plankton"), 0);
    assert!(bibtex(&lib).contains("Zooplankton"), "{}", bibtex(&lib));
    assert_ne!(
        lib.get("Cod2001").unwrap().date_modified,
        before,
        "auto-exports see the change"
    );
    lib.undo().unwrap();
    assert_eq!(found(&lib, "plankton"), 1);
    assert_eq!(found(&lib, "zooplankton"), 0);
    assert!(bibtex(&lib).contains("keywords = {plankton}"), "{}", bibtex(&lib));
    assert_eq!(lib.get("Cod2001").unwrap().date_modified, before);
    lib.redo().unwrap();
    assert_eq!(found(&lib, "zooplankton"), 1);
    assert_eq!(lib.get("Cod2001").unwrap().tags[0].name, "Zooplankton");
}
