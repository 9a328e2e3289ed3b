//! Object versions: every action, undo and redo moves the library's version and stamps the
//! objects it touched; removals leave tombstones; the trash is not a removal.

use crate::support::*;
use folio::store::versions::{Kind, ObjectId, BASE};
use folio::Library;

fn ids(list: Vec<folio::store::versions::Versioned>) -> Vec<ObjectId> {
    list.into_iter().map(|v| v.id).collect()
}

fn item_id(lib: &Library, key: &str) -> ObjectId {
    ObjectId::Id(lib.get(key).unwrap().id.unwrap())
}

#[test]
fn actions_undo_and_redo_stamp_what_they_touched() {
    let mut lib = mem();
    assert_eq!(lib.version().unwrap(), BASE);
    lib.add(article("First", &["Steen, Trui"], 2019)).unwrap();
    lib.add(article("Second", &["Jaspers, Sylke"], 2020)).unwrap();
    let v2 = lib.version().unwrap();
    assert_eq!(v2, BASE + 2, "one version per action");
    let first = item_id(&lib, "Steen2019");
    let second = item_id(&lib, "Jaspers2020");
    assert_eq!(lib.version_of(Kind::Item, &first).unwrap(), BASE + 1);
    assert_eq!(lib.version_of(Kind::Item, &second).unwrap(), v2);

    // An edit stamps the edited item only.
    lib.edit("Steen2019", &[("title".into(), "Changed".into())], false)
        .unwrap();
    let v3 = lib.version().unwrap();
    assert_eq!(ids(lib.changed_since(Kind::Item, v2).unwrap()), vec![first.clone()]);
    // Tagging and filing stamp the items (their tags and collections are part of them) and
    // the new tag and collection.
    lib.tag_add("fish", &strings(&["Jaspers2020"])).unwrap();
    lib.collection_create("Thesis").unwrap();
    lib.collection_add("Thesis", &strings(&["Jaspers2020"])).unwrap();
    assert_eq!(ids(lib.changed_since(Kind::Item, v3).unwrap()), vec![second.clone()]);
    assert_eq!(
        ids(lib.changed_since(Kind::Tag, v3).unwrap()),
        vec![ObjectId::Name("fish".into())]
    );
    assert_eq!(lib.changed_since(Kind::Collection, v3).unwrap().len(), 1);

    // Undo is a change too: the undone edit's item gets a newer version.
    let v = lib.version().unwrap();
    lib.undo().unwrap(); // collection_add
    lib.undo().unwrap(); // collection_create: the collection is gone for good
    assert_eq!(lib.version().unwrap(), v + 2);
    assert_eq!(ids(lib.changed_since(Kind::Item, v).unwrap()), vec![second.clone()]);
    assert_eq!(lib.deleted_since(Kind::Collection, v).unwrap().len(), 1);
    assert!(lib.changed_since(Kind::Collection, v).unwrap().is_empty());
    // Redo brings it back: no longer deleted.
    lib.redo().unwrap();
    assert!(lib.deleted_since(Kind::Collection, v).unwrap().is_empty());
    assert_eq!(lib.changed_since(Kind::Collection, v).unwrap().len(), 1);
}

#[test]
fn the_trash_is_a_change_and_emptying_it_a_removal() {
    let mut lib = mem();
    lib.add(article("First", &["Steen, Trui"], 2019)).unwrap();
    let first = item_id(&lib, "Steen2019");
    let v = lib.version().unwrap();
    lib.delete(&strings(&["Steen2019"])).unwrap();
    assert_eq!(ids(lib.changed_since(Kind::Item, v).unwrap()), vec![first.clone()]);
    assert!(
        lib.deleted_since(Kind::Item, v).unwrap().is_empty(),
        "in the trash, not gone"
    );
    lib.empty_trash().unwrap();
    assert_eq!(ids(lib.deleted_since(Kind::Item, v).unwrap()), vec![first.clone()]);
    assert!(lib.changed_since(Kind::Item, v).unwrap().is_empty());
    lib.undo().unwrap();
    assert_eq!(ids(lib.changed_since(Kind::Item, v).unwrap()), vec![first]);
    assert!(lib.deleted_since(Kind::Item, v).unwrap().is_empty());
}

#[test]
fn renames_saved_searches_and_settings_are_versioned() {
    let mut lib = mem();
    lib.add(article("First", &["Steen, Trui"], 2019)).unwrap();
    lib.tag_add("Fish", &strings(&["Steen2019"])).unwrap();
    let v = lib.version().unwrap();
    lib.tag_rename("Fish", "Salmon").unwrap();
    assert_eq!(
        ids(lib.deleted_since(Kind::Tag, v).unwrap()),
        vec![ObjectId::Name("fish".into())]
    );
    assert_eq!(
        ids(lib.changed_since(Kind::Tag, v).unwrap()),
        vec![ObjectId::Name("salmon".into())]
    );
    // Undoing the rename brings the old name back and removes the new one.
    let v = lib.version().unwrap();
    lib.undo().unwrap();
    assert_eq!(
        ids(lib.deleted_since(Kind::Tag, v).unwrap()),
        vec![ObjectId::Name("salmon".into())]
    );
    assert_eq!(
        ids(lib.changed_since(Kind::Tag, v).unwrap()),
        vec![ObjectId::Name("fish".into())]
    );
    let v = lib.version().unwrap();
    lib.search_save("Recent", "year:2019..", None, false).unwrap();
    lib.set_key_pattern("[auth][year][shorttitle]").unwrap();
    assert_eq!(
        ids(lib.changed_since(Kind::Search, v).unwrap()),
        vec![ObjectId::Name("recent".into())]
    );
    assert_eq!(lib.changed_since(Kind::Setting, v).unwrap().len(), 1);
    let v = lib.version().unwrap();
    lib.search_delete("RECENT").unwrap();
    assert_eq!(
        ids(lib.deleted_since(Kind::Search, v).unwrap()),
        vec![ObjectId::Name("recent".into())]
    );
}

#[test]
fn a_big_action_and_its_undo_stamp_every_item_once() {
    // More objects than one journal part (2,000) holds.
    let mut lib = mem();
    let bib: String = (0..2500)
        .map(|i| format!("@article{{k{i}, title={{Title {i}}}, author={{Doe, Jane}}, year={{2000}}}}\n"))
        .collect();
    let v = lib.version().unwrap();
    let report = lib.import_text("many.bib", &bib, &Default::default()).unwrap();
    assert_eq!(report.added(), 2500, "{report:?}");
    assert_eq!(lib.version().unwrap(), v + 1);
    assert_eq!(lib.changed_since(Kind::Item, v).unwrap().len(), 2500);
    let v = lib.version().unwrap();
    lib.undo().unwrap();
    assert_eq!(lib.version().unwrap(), v + 1, "one version for the whole undo");
    let gone = lib.deleted_since(Kind::Item, v).unwrap();
    assert_eq!(gone.len(), 2500);
    assert!(gone.iter().all(|g| g.version == v + 1));
    lib.redo().unwrap();
    assert_eq!(lib.changed_since(Kind::Item, v + 1).unwrap().len(), 2500);
}

#[test]
fn an_upgraded_library_starts_at_the_base_version() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("old.sqlite");
    {
        let mut lib = Library::open(&path).unwrap();
        lib.add(article("First", &["Steen, Trui"], 2019)).unwrap();
    }
    // Make it a version-14 library: no version tables.
    {
        let c = rusqlite::Connection::open(&path).unwrap();
        c.execute_batch(
            "DROP TABLE sync_objects; DROP TABLE sync_state; DROP TABLE action_labels; DROP TABLE sync_outbox; DROP TABLE sync_conflicts; DROP TABLE sync_waiting; DROP TABLE attachments; DROP TABLE fulltext; DROP TABLE object_versions; DROP TABLE library_version; PRAGMA user_version = 14;",
        )
        .unwrap();
    }
    let mut lib = Library::open(&path).unwrap();
    assert_eq!(lib.version().unwrap(), BASE);
    let id = item_id(&lib, "Steen2019");
    assert_eq!(lib.version_of(Kind::Item, &id).unwrap(), BASE);
    lib.edit("Steen2019", &[("title".into(), "Changed".into())], false)
        .unwrap();
    assert_eq!(lib.version_of(Kind::Item, &id).unwrap(), BASE + 1);
}
