use crate::support::*;
use folio::model::AccessStatus;
use folio::{Error, Library};

/// Run `action`, then check that undo restores the exact prior state and redo the exact
/// later state.
fn round_trip(lib: &mut Library, action: impl FnOnce(&mut Library)) {
    let before = state(lib);
    action(lib);
    let after = state(lib);
    assert_ne!(before, after, "the action changed nothing");
    lib.undo().unwrap();
    assert_eq!(state(lib), before, "undo did not restore the prior state");
    lib.redo().unwrap();
    assert_eq!(state(lib), after, "redo did not restore the later state");
}

fn seeded() -> Library {
    let mut lib = mem();
    let mut it = full_item();
    it.key = "Full2022".into();
    lib.add(it).unwrap();
    lib.add(article("Second", &["Steen, Trui"], 2019)).unwrap();
    lib.add(article("Third", &["Jaspers, Sylke"], 2020)).unwrap();
    lib.collection_create("Thesis/Ch1").unwrap();
    lib.collection_add("Thesis/Ch1", &strings(&["Full2022", "Steen2019"]))
        .unwrap();
    lib
}

#[test]
fn every_mutating_command_undoes_and_redoes_exactly() {
    let mut lib = seeded();
    round_trip(&mut lib, |l| {
        l.add(article("New", &["X, Y"], 2000)).unwrap();
    });
    round_trip(&mut lib, |l| {
        l.edit(
            "Full2022",
            &[("title".into(), "Changed".into()), ("year".into(), "1999".into())],
            false,
        )
        .unwrap();
    });
    round_trip(&mut lib, |l| {
        let mut it = l.get("Steen2019").unwrap();
        it.creators.reverse();
        it.creators
            .push(folio::model::Creator::person(folio::model::Role::Editor, "Ed", "It"));
        l.update(it).unwrap();
    });
    round_trip(&mut lib, |l| {
        l.delete(&strings(&["Full2022", "Steen2019"])).unwrap();
    });
    round_trip(&mut lib, |l| {
        l.restore(&strings(&["Steen2019"])).unwrap();
    });
    round_trip(&mut lib, |l| {
        l.tag_add("New tag", &strings(&["Full2022", "Jaspers2020"])).unwrap();
    });
    round_trip(&mut lib, |l| {
        l.tag_rename("co-production", "coprod").unwrap();
    });
    round_trip(&mut lib, |l| {
        l.tag_remove_imported(None).unwrap();
    });
    round_trip(&mut lib, |l| {
        l.tag_merge(&strings(&["coprod", "New tag"]), "merged").unwrap();
    });
    round_trip(&mut lib, |l| {
        l.tag_delete("merged").unwrap();
    });
    round_trip(&mut lib, |l| {
        l.access_set(AccessStatus::Free, &strings(&["Full2022", "Steen2019"]))
            .unwrap();
    });
    round_trip(&mut lib, |l| {
        l.collection_create("Other/Deep/Er").unwrap();
    });
    round_trip(&mut lib, |l| {
        l.collection_rename("Thesis", "Dissertation").unwrap();
    });
    round_trip(&mut lib, |l| {
        l.collection_remove("Dissertation/Ch1", &strings(&["Full2022"]))
            .unwrap();
    });
    round_trip(&mut lib, |l| {
        l.collection_move("Dissertation/Ch1", None).unwrap();
    });
    round_trip(&mut lib, |l| {
        l.collection_add("Ch1", &strings(&["Jaspers2020"])).unwrap();
    });
    round_trip(&mut lib, |l| {
        l.collection_delete("Dissertation").unwrap();
    });
    round_trip(&mut lib, |l| {
        l.regenerate_keys(&strings(&["Full2022", "Steen2019"]), Some("[auth:lower][year]"), false)
            .unwrap();
    });
    round_trip(&mut lib, |l| {
        l.set_key_pattern("[authors2][year]").unwrap();
    });
    round_trip(&mut lib, |l| {
        l.search_save("s", "author:steen", Some("Ch1"), true).unwrap();
    });
}

#[test]
fn empty_trash_is_undoable() {
    let mut lib = seeded();
    lib.delete(&strings(&["Full2022"])).unwrap();
    round_trip(&mut lib, |l| {
        l.empty_trash().unwrap();
    });
}

#[test]
fn import_is_one_undo_step() {
    let mut lib = seeded();
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("items.json");
    let items: Vec<serde_json::Value> = (0..50)
        .map(|i| serde_json::json!({"type": "article", "title": format!("Imported {i}"), "authors": [{"family": "Bulk", "given": "B"}], "year": 2001, "keywords": ["bulk"]}))
        .collect();
    std::fs::write(&p, serde_json::to_string(&items).unwrap()).unwrap();
    round_trip(&mut lib, |l| {
        let opts = folio::import::ImportOptions {
            collection: Some("Imports/Today".into()),
            ..Default::default()
        };
        let r = l.import_files(std::slice::from_ref(&p), &opts, &mut |_| {}).unwrap();
        assert_eq!(r.added(), 50);
    });
    assert_eq!(lib.history(1).unwrap()[0].label, "Import items.json (50 items)");
}

#[test]
fn history_survives_a_restart_and_a_new_action_clears_redo() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("lib.sqlite");
    let before;
    {
        let mut lib = Library::open(&path).unwrap();
        lib.add(article("A", &["Steen, Trui"], 2019)).unwrap();
        before = state(&lib);
        lib.edit("Steen2019", &[("title".into(), "B".into())], false).unwrap();
    }
    let mut lib = Library::open(&path).unwrap();
    assert_eq!(lib.undo().unwrap(), "Edit Steen2019");
    assert_eq!(state(&lib), before);
    let h = lib.history(10).unwrap();
    assert_eq!(h.len(), 2);
    assert!(!h[0].done);
    lib.tag_add("t", &strings(&["Steen2019"])).unwrap();
    assert!(matches!(lib.redo(), Err(Error::NothingTo("redo"))));
    lib.undo().unwrap();
    lib.undo().unwrap();
    assert!(matches!(lib.undo(), Err(Error::NothingTo("undo"))));
    assert_eq!(lib.count(&Default::default()).unwrap(), 0);
}

#[test]
fn failed_actions_leave_no_journal_entry() {
    let mut lib = seeded();
    let n = lib.history(100).unwrap().len();
    assert!(lib.tag_add("x", &strings(&["Full2022", "Nope"])).is_err());
    assert!(lib.collection_create("Thesis").is_err());
    assert_eq!(lib.history(100).unwrap().len(), n);
    // A no-op edit records nothing either.
    lib.edit("Steen2019", &[("title".into(), "Second".into())], false)
        .unwrap();
    assert_eq!(lib.history(100).unwrap().len(), n);
}

/// Tag actions journal only the items' tags; the index, the export of unedited records and
/// the modification times follow them through undo and redo.
#[test]
fn tag_actions_keep_the_index_and_the_verbatim_records_in_step() {
    let mut lib = mem();
    let bib = "@Article{Kept2001,\n  TITLE  =  {Kept as written},\n  year = 2001,\n}\n\n\
               @Book{Gone2002,\n  title = {Trashed later},\n  year = 2002,\n}\n";
    lib.import_text("t.bib", bib, &Default::default()).unwrap();
    let export = |lib: &Library| {
        lib.export_text(
            &folio::export::Selection::default(),
            &folio::export::ExportOptions::default(),
        )
        .unwrap()
        .0
    };
    let hits = |lib: &Library, q: &str| {
        keys(
            lib,
            &folio::store::search::Filter {
                query: folio::query::parse(q).unwrap(),
                ..Default::default()
            },
        )
    };
    let verbatim = "@Article{Kept2001,\n  TITLE  =  {Kept as written},\n  year = 2001,\n}";
    assert!(export(&lib).contains(verbatim));
    let modified = lib.get("Kept2001").unwrap().date_modified;
    // Modification times have millisecond resolution: let the clock move on, or an import
    // and a tag action in the same millisecond would carry the same time.
    std::thread::sleep(std::time::Duration::from_millis(5));

    lib.tag_add("Zoology", &strings(&["Kept2001"])).unwrap();
    assert_eq!(hits(&lib, "zoology"), ["Kept2001"]);
    assert_eq!(hits(&lib, "kept"), ["Kept2001"], "the rest of the index row is kept");
    let tagged = export(&lib);
    assert!(!tagged.contains(verbatim), "an edited item is written anew:\n{tagged}");
    assert!(tagged.contains("keywords = {Zoology}"), "{tagged}");
    assert_ne!(lib.get("Kept2001").unwrap().date_modified, modified);

    lib.undo().unwrap();
    assert!(hits(&lib, "zoology").is_empty());
    assert_eq!(hits(&lib, "kept"), ["Kept2001"]);
    assert!(export(&lib).contains(verbatim), "undo makes the record current again");
    assert_eq!(lib.get("Kept2001").unwrap().date_modified, modified);
    lib.redo().unwrap();
    assert_eq!(hits(&lib, "zoology"), ["Kept2001"]);
    assert_eq!(export(&lib), tagged);

    // A trashed item keeps out of the index when a tag it carries is deleted, and comes back
    // into it, without the tag, when restored.
    lib.tag_add("Zoology", &strings(&["Gone2002"])).unwrap();
    lib.delete(&strings(&["Gone2002"])).unwrap();
    assert_eq!(hits(&lib, "zoology"), ["Kept2001"]);
    lib.tag_delete("Zoology").unwrap();
    assert!(hits(&lib, "zoology").is_empty());
    assert!(hits(&lib, "trashed").is_empty());
    lib.restore(&strings(&["Gone2002"])).unwrap();
    assert_eq!(hits(&lib, "trashed"), ["Gone2002"]);
    assert!(lib.get("Gone2002").unwrap().tags.is_empty());
    lib.undo().unwrap(); // the restore
    lib.undo().unwrap(); // the tag deletion
    assert_eq!(hits(&lib, "zoology"), ["Kept2001"]);
    assert!(lib.get("Gone2002").unwrap().has_tag("Zoology"));
    assert_eq!(lib.store().integrity_check().unwrap(), "ok");
    lib.store()
        .conn()
        .execute("INSERT INTO items_fts (items_fts) VALUES ('integrity-check')", [])
        .expect("the full-text index is consistent");
}

/// A big action (an import of 4,500 entries: more than a journal part holds) is journaled in
/// parts, and undo and redo restore exactly, part by part; a part that cannot be read makes
/// its step damaged before anything changes.
#[test]
fn big_actions_are_journaled_in_parts_and_undo_and_redo_exactly() {
    let mut lib = seeded();
    let n = 4_500;
    let mut bib = String::new();
    for i in 0..n {
        bib.push_str(&format!(
            "@article{{Big{i}, title={{Big title {i}}}, author={{Writer{i}, W.}}, year={{{}}}, keywords={{k{}, shared}}}}\n",
            1990 + i % 30,
            i % 7
        ));
    }
    let last_step = |lib: &Library| -> (i64, i64) {
        lib.store()
            .conn()
            .query_row(
                "SELECT parts, (SELECT count(*) FROM journal_parts WHERE journal_id = journal.id) FROM journal ORDER BY id DESC LIMIT 1",
                [],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .unwrap()
    };
    round_trip(&mut lib, |l| {
        assert_eq!(l.import_text("big.bib", &bib, &Default::default()).unwrap().added(), n);
    });
    assert_eq!(last_step(&lib), (3, 3), "4,500 objects and more in parts of 2,000");
    let h = lib.history(1).unwrap();
    assert!(h[0].objects >= n, "{h:?}");
    // Mixed kinds of change in one big action: a new tag and every item's tags.
    let keys: Vec<String> = (0..n).map(|i| format!("Big{i}")).collect();
    round_trip(&mut lib, |l| {
        l.tag_add("everything", &keys).unwrap();
    });
    assert!(last_step(&lib).0 >= 3);
    // Deleting them keeps every item's state (the parts hold full snapshots).
    round_trip(&mut lib, |l| {
        assert_eq!(l.delete(&keys).unwrap(), n);
    });
    // Full-text search sees the restored items.
    lib.undo().unwrap();
    let hits = lib.count(&folio::store::search::Filter {
        query: folio::query::parse("title:\"Big title 4499\"").unwrap(),
        ..Default::default()
    });
    assert_eq!(hits.unwrap(), 1);
    // A damaged part: the step cannot be undone, and nothing of it is (the first pass reads
    // every part before anything changes).
    let mut fresh = mem();
    fresh.import_text("big.bib", &bib, &Default::default()).unwrap();
    let before = state(&fresh);
    fresh
        .store()
        .conn()
        .execute("UPDATE journal_parts SET changes = '{' WHERE seq = 1", [])
        .unwrap();
    let err = fresh.undo_step().unwrap_err().to_string();
    assert!(err.contains("damaged") && err.contains("part 1"), "{err}");
    assert_eq!(state(&fresh), before, "nothing of the damaged step was undone");
}
