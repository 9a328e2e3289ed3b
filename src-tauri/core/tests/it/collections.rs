use crate::support::*;
use folio::store::search::Filter;
use folio::Error;

fn setup() -> folio::Library {
    let mut lib = mem();
    for (t, a, y) in [
        ("Alpha", "Steen, Trui", 2019),
        ("Beta", "Jaspers, Sylke", 2020),
        ("Gamma", "Virkar, Shefali", 2021),
    ] {
        lib.add(article(t, &[a], y)).unwrap();
    }
    lib
}

#[test]
fn nested_collections_and_membership() {
    let mut lib = setup();
    lib.collection_create("Thesis/Chapter 2").unwrap();
    lib.collection_create("Thesis/Chapter 3").unwrap();
    lib.collection_add("Thesis", &strings(&["Steen2019"])).unwrap();
    lib.collection_add("Thesis/Chapter 2", &strings(&["Jaspers2020", "Steen2019"]))
        .unwrap();
    // Adding again is harmless.
    assert_eq!(
        lib.collection_add("Thesis/Chapter 2", &strings(&["Jaspers2020"]))
            .unwrap(),
        0
    );
    let thesis = lib.resolve_collection("thesis").unwrap();
    assert_eq!(
        keys(
            &lib,
            &Filter {
                collection: Some(thesis),
                ..Default::default()
            }
        ),
        ["Steen2019"]
    );
    let rec = Filter {
        collection: Some(thesis),
        recursive: true,
        ..Default::default()
    };
    assert_eq!(keys(&lib, &rec), ["Steen2019", "Jaspers2020"]);
    assert_eq!(
        keys(
            &lib,
            &Filter {
                unfiled: true,
                ..Default::default()
            }
        ),
        ["Virkar2021"]
    );
    let mut cols = lib.collections_of(lib.id_of("Steen2019").unwrap()).unwrap();
    cols.sort();
    assert_eq!(cols, ["Thesis", "Thesis/Chapter 2"]);
    let tree = lib.collection_tree().unwrap();
    assert_eq!(tree.len(), 1);
    assert_eq!(
        tree[0].children.iter().map(|c| c.path.as_str()).collect::<Vec<_>>(),
        ["Thesis/Chapter 2", "Thesis/Chapter 3"]
    );
    assert_eq!(tree[0].children[0].items, 2);
    assert_eq!(
        lib.collection_remove("Thesis/Chapter 2", &strings(&["Steen2019"]))
            .unwrap(),
        1
    );
    assert_eq!(lib.collection_tree().unwrap()[0].children[0].items, 1);
}

#[test]
fn rename_move_and_delete_never_delete_items() {
    let mut lib = setup();
    lib.collection_create("A/B/C").unwrap();
    lib.collection_create("D").unwrap();
    lib.collection_add("A/B/C", &strings(&["Steen2019"])).unwrap();
    lib.collection_rename("A/B", "Bee").unwrap();
    assert!(lib.resolve_collection("A/Bee/C").is_ok());
    lib.collection_move("A/Bee", Some("D")).unwrap();
    assert!(lib.resolve_collection("D/Bee/C").is_ok());
    assert!(matches!(
        lib.collection_move("D", Some("D/Bee/C")),
        Err(Error::InvalidInput(_))
    ));
    lib.collection_move("D/Bee", None).unwrap();
    assert!(lib.resolve_collection("Bee/C").is_ok());
    lib.collection_delete("Bee").unwrap();
    assert!(lib.resolve_collection("Bee/C").is_err());
    assert_eq!(lib.count(&Filter::default()).unwrap(), 3);
    assert!(lib.collections_of(lib.id_of("Steen2019").unwrap()).unwrap().is_empty());
    // Undo brings back the subtree and the membership.
    lib.undo().unwrap();
    assert_eq!(lib.collections_of(lib.id_of("Steen2019").unwrap()).unwrap(), ["Bee/C"]);
}

#[test]
fn bad_collection_input_changes_nothing() {
    let mut lib = setup();
    lib.collection_create("A").unwrap();
    lib.collection_create("B").unwrap();
    let before = state(&lib);
    assert!(matches!(lib.collection_create("A"), Err(Error::Conflict(_))));
    assert!(matches!(lib.collection_create("X//Y"), Err(Error::InvalidInput(_))));
    assert!(matches!(
        lib.collection_add("Nope", &strings(&["Steen2019"])),
        Err(Error::NotFound(_))
    ));
    assert!(matches!(
        lib.collection_add("A", &strings(&["Steen2019", "Nope2000"])),
        Err(Error::NotFound(_))
    ));
    assert!(matches!(lib.collection_rename("A", "B"), Err(Error::Conflict(_))));
    assert!(matches!(lib.collection_rename("A", "x/y"), Err(Error::InvalidInput(_))));
    assert!(matches!(lib.collection_delete("Nope"), Err(Error::NotFound(_))));
    assert_eq!(state(&lib), before);
}

// ----- JabRef groups ---------------------------------------------------------------------

fn import_bib(lib: &mut folio::Library, name: &str, opts: &folio::import::ImportOptions) -> folio::import::FileReport {
    let path = corpus().join("public/bibtex").join(name);
    let mut r = lib.import_files(&[path], opts, &mut |_| {}).unwrap();
    r.files.remove(0)
}

fn count_in(lib: &folio::Library, path: &str) -> i64 {
    let id = lib.resolve_collection(path).unwrap();
    lib.count(&Filter {
        collection: Some(id),
        ..Default::default()
    })
    .unwrap()
}

fn tree_paths(lib: &folio::Library) -> Vec<String> {
    fn walk(nodes: &[folio::library::CollectionNode], out: &mut Vec<String>) {
        for n in nodes {
            out.push(n.path.clone());
            walk(&n.children, out);
        }
    }
    let mut out = Vec::new();
    walk(&lib.collection_tree().unwrap(), &mut out);
    out
}

/// JabRef 5's tree (jabref__complex.bib): static groups become nested collections holding the
/// entries whose `groups` field names them, the keyword group a saved search, the automatic
/// group a note; one undo takes it all back.
#[test]
fn jabref_groups_become_collections_and_saved_searches() {
    let mut lib = mem();
    let report = import_bib(&mut lib, "jabref__complex.bib", &Default::default());
    assert_eq!(
        tree_paths(&lib),
        [
            "StaticGroup",
            "TestOne",
            "TestOne/TestOneSubOne",
            "TestOne/TestOneSubTwo",
            "TestTwo"
        ]
    );
    // Counted by hand from the entries' groups fields (lines 29–182 of the file).
    for (path, n) in [
        ("StaticGroup", 3),
        ("TestOne", 3),
        ("TestOne/TestOneSubOne", 3),
        ("TestOne/TestOneSubTwo", 2),
        ("TestTwo", 3),
    ] {
        assert_eq!(count_in(&lib, path), n, "{path}");
    }
    let saved = lib.saved_searches().unwrap();
    assert_eq!(saved.len(), 1);
    assert_eq!(
        (saved[0].name.as_str(), saved[0].query.as_str()),
        ("DynamicGroup", "author:Churchill")
    );
    let found = lib
        .list(&lib.saved_filter("DynamicGroup").unwrap(), Default::default(), 0, 50)
        .unwrap();
    // The two entries with an author Churchill (lines 37 and 84).
    let mut titles: Vec<&str> = found.iter().map(|s| s.title.as_str()).collect();
    titles.sort();
    assert_eq!(titles.len(), 2, "{titles:?}");
    let notes: Vec<&str> = report.diagnostics.iter().map(|d| d.message.as_str()).collect();
    assert!(
        notes
            .iter()
            .any(|m| m.contains("not imported") && m.contains("Automatic group (Authors)")),
        "{notes:?}"
    );
    assert!(
        notes
            .iter()
            .any(|m| m.contains("5 as collections, 1 as saved searches")),
        "{notes:?}"
    );
    // The @comment block is kept for the export (a JabRef user's tree survives the round trip).
    assert!(lib
        .bib_extras()
        .unwrap()
        .comments
        .iter()
        .any(|c| c.contains("grouping:")));

    lib.undo().unwrap();
    assert!(tree_paths(&lib).is_empty());
    assert!(lib.saved_searches().unwrap().is_empty());
}

/// JabRef 2.10's wrapped `groupstree` lists each group's members by key (Better BibTeX issue
/// #97); JabRef 5.1's `grouping` names them in the entries (issue #1641).
#[test]
fn jabref_2_and_5_group_members_are_filed() {
    let mut lib = mem();
    import_bib(&mut lib, "bbt__97-jabref-2.10-groups.bib", &Default::default());
    // The keys each group lists (879 and 32, all in the file, none in both), counted with
    // shell tools from the unwrapped tree.
    assert_eq!(tree_paths(&lib), ["Cu2O", "CuO"]);
    assert_eq!(count_in(&lib, "Cu2O"), 879);
    assert_eq!(count_in(&lib, "CuO"), 32);

    let mut lib = mem();
    import_bib(&mut lib, "bbt__1641-jabref-5.1-groups.bib", &Default::default());
    // 18 mentions of the name in the file, one of them the tree.
    assert_eq!(tree_paths(&lib), ["Ecology_and_Power"]);
    assert_eq!(count_in(&lib, "Ecology_and_Power"), 17);
}

/// Importing into a collection puts the groups inside it; importing the file again reuses
/// them (duplicates skipped, nothing filed twice).
#[test]
fn jabref_groups_go_inside_the_import_collection_and_are_reused() {
    let mut lib = mem();
    let opts = folio::import::ImportOptions {
        collection: Some("From JabRef".into()),
        ..Default::default()
    };
    import_bib(&mut lib, "jabref__jabref-authors.bib", &opts);
    let paths = tree_paths(&lib);
    assert_eq!(paths[0], "From JabRef");
    assert!(
        paths.contains(&"From JabRef/By status/Skimmed".to_string()),
        "{paths:?}"
    );
    let skimmed = count_in(&lib, "From JabRef/By status/Skimmed");
    assert!(skimmed > 0);
    let before = paths.len();
    import_bib(
        &mut lib,
        "jabref__jabref-authors.bib",
        &folio::import::ImportOptions {
            collection: Some("From JabRef".into()),
            duplicates: folio::import::DuplicatePolicy::Skip,
            ..Default::default()
        },
    );
    assert_eq!(tree_paths(&lib).len(), before);
    assert_eq!(count_in(&lib, "From JabRef/By status/Skimmed"), skimmed);
}
