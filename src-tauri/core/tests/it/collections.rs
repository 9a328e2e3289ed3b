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
