use crate::support::*;
use folio::model::{Item, ItemType, SourceRecord};
use folio::store::search::Filter;
use folio::{Error, Library};

#[test]
fn an_item_comes_back_exactly_as_stored() {
    let mut lib = mem();
    let mut it = full_item();
    it.key = "CasianoFlores2022".into();
    it.source = Some(SourceRecord {
        format: "bibtex".into(),
        text: "@article{x, title={T}}".into(),
        fingerprint: 42,
        batch: None,
    });
    let stored = lib.add(it.clone()).unwrap();
    let mut expected = it;
    expected.id = stored.id;
    expected.date_added = stored.date_added.clone();
    expected.date_modified = stored.date_modified.clone();
    assert_eq!(stored, expected);
    assert_eq!(lib.get("CasianoFlores2022").unwrap(), expected);
    assert!(!stored.date_added.is_empty());
    assert_eq!(stored.fingerprint(), expected.fingerprint());
}

#[test]
fn keys_are_generated_unique_and_never_change_by_themselves() {
    let mut lib = mem();
    let a = lib.add(article("One", &["Steen, Trui"], 2019)).unwrap();
    let b = lib.add(article("Two", &["Steen, Trui"], 2019)).unwrap();
    let c = lib.add(article("Three", &["Steen, T."], 2019)).unwrap();
    assert_eq!(
        (a.key.as_str(), b.key.as_str(), c.key.as_str()),
        ("Steen2019", "Steen2019a", "Steen2019b")
    );
    // Editing the fields a key is made from does not change the key.
    let edited = lib
        .edit(
            "Steen2019",
            &[("year".into(), "2001".into()), ("title".into(), "Else".into())],
            false,
        )
        .unwrap();
    assert_eq!(edited.key, "Steen2019");
    // Regenerating is explicit and undoable.
    let changes = lib.regenerate_keys(&strings(&["Steen2019"]), None, false).unwrap();
    assert_eq!(changes, vec![("Steen2019".to_string(), "Steen2001".to_string())]);
    lib.undo().unwrap();
    assert!(lib.get("Steen2019").is_ok());
    // A custom pattern.
    lib.set_key_pattern("[auth:lower][veryshorttitle][year]").unwrap();
    let d = lib
        .add(article("Co-creation in government", &["Müller, Anna"], 2020))
        .unwrap();
    assert_eq!(d.key, "mullerCo2020");
    assert!(lib.set_key_pattern("[nope]").is_err());
}

#[test]
fn a_duplicate_key_is_refused_and_changes_nothing() {
    let mut lib = mem();
    let mut a = article("One", &["Steen, Trui"], 2019);
    a.key = "K1".into();
    lib.add(a.clone()).unwrap();
    let before = state(&lib);
    let history = lib.history(10).unwrap();
    let err = lib.add(a).unwrap_err();
    assert!(matches!(err, Error::Conflict(_)), "{err}");
    assert!(err.to_string().contains("K1"));
    assert_eq!(state(&lib), before);
    assert_eq!(lib.history(10).unwrap(), history);
    // Renaming onto a taken key is refused too.
    lib.add(article("Two", &["X, Y"], 2020)).unwrap();
    assert!(matches!(
        lib.edit("X2020", &[("key".into(), "K1".into())], false),
        Err(Error::Conflict(_))
    ));
    assert!(matches!(
        lib.edit("X2020", &[("key".into(), "has space".into())], false),
        Err(Error::InvalidInput(_))
    ));
    assert!(matches!(
        lib.edit("X2020", &[("year".into(), "soon".into())], false),
        Err(Error::InvalidInput(_))
    ));
    assert!(matches!(
        lib.edit("Nope", &[("year".into(), "2000".into())], false),
        Err(Error::NotFound(_))
    ));
}

#[test]
fn trash_delete_restore_empty() {
    let mut lib = mem();
    for t in ["A", "B", "C"] {
        lib.add(article(t, &["Steen, Trui"], 2019)).unwrap();
    }
    assert_eq!(lib.delete(&strings(&["Steen2019", "Steen2019a"])).unwrap(), 2);
    assert_eq!(keys(&lib, &Filter::default()), ["Steen2019b"]);
    assert_eq!(
        keys(
            &lib,
            &Filter {
                trash: true,
                ..Default::default()
            }
        )
        .len(),
        2
    );
    assert_eq!(lib.restore(&strings(&["Steen2019"])).unwrap(), 1);
    assert_eq!(lib.count(&Filter::default()).unwrap(), 2);
    assert_eq!(lib.empty_trash().unwrap(), 1);
    assert!(lib.get("Steen2019a").is_err());
    // Emptying the trash is undoable too.
    lib.undo().unwrap();
    assert!(lib.is_in_trash(lib.id_of("Steen2019a").unwrap()).unwrap());
    // Unknown keys: nothing happens.
    let before = state(&lib);
    assert!(lib.delete(&strings(&["Steen2019", "Nope"])).is_err());
    assert_eq!(state(&lib), before);
}

#[test]
fn library_file_is_created_in_missing_folders_and_reopens() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("deep/er/library.sqlite");
    {
        let mut lib = Library::open(&path).unwrap();
        lib.add(Item::new(ItemType::Book, "Kept")).unwrap();
    }
    let lib = Library::open(&path).unwrap();
    assert_eq!(lib.count(&Filter::default()).unwrap(), 1);
    assert_eq!(lib.store().integrity_check().unwrap(), "ok");
    let mode: String = lib
        .store()
        .conn()
        .query_row("PRAGMA journal_mode", [], |r| r.get(0))
        .unwrap();
    assert_eq!(mode, "wal");
    let fk: i64 = lib
        .store()
        .conn()
        .query_row("PRAGMA foreign_keys", [], |r| r.get(0))
        .unwrap();
    assert_eq!(fk, 1);
}

#[test]
fn fts5_is_compiled_in() {
    let lib = mem();
    let n: i64 = lib
        .store()
        .conn()
        .query_row(
            "SELECT count(*) FROM pragma_compile_options WHERE compile_options = 'ENABLE_FTS5'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(n, 1);
}

#[test]
fn default_library_path_is_in_the_data_folder() {
    let p = folio::default_library_path();
    assert!(p.ends_with("library.sqlite"));
    if cfg!(target_os = "linux") {
        let s = p.to_string_lossy();
        assert!(s.contains("folio"), "{s}");
    }
}
