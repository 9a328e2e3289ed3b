use folio::model::{Item, ItemType};
use folio::store::search::Filter;
use folio::store::{migrations, schema_version, Store};
use folio::{Error, Library};
use rusqlite::Connection;

#[test]
fn migrations_are_valid() {
    migrations().validate().unwrap();
    assert_eq!(schema_version(), 18);
}

fn fts_hashsize(conn: &Connection) -> Option<i64> {
    conn.query_row("SELECT v FROM items_fts_config WHERE k = 'hashsize'", [], |r| r.get(0))
        .ok()
}

#[test]
fn the_full_text_index_buffers_16_mb_in_new_and_upgraded_libraries() {
    let dir = tempfile::tempdir().unwrap();
    let fresh = dir.path().join("fresh.sqlite");
    let store = Store::open(&fresh).unwrap();
    assert_eq!(fts_hashsize(store.conn()), Some(16 << 20));
    drop(store);
    let old = dir.path().join("old.sqlite");
    let store = Store::open_at_version(&old, 5).unwrap();
    assert_eq!(fts_hashsize(store.conn()), None, "version 5 used FTS5's default");
    drop(store);
    let lib = Library::open(&old).unwrap();
    assert_eq!(fts_hashsize(lib.store().conn()), Some(16 << 20));
}

#[test]
fn upgrading_to_version_6_indexes_the_items_again_without_bookkeeping_fields() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("library.sqlite");
    {
        let store = Store::open_at_version(&path, 5).unwrap();
        let c = store.conn();
        for (id, key, title, deleted) in [
            (1, "Live2001", "Lasting collaborations", None),
            (2, "Gone2001", "Trashed collaborations", Some("2020-01-01T00:00:00Z")),
        ] {
            c.execute(
                "INSERT INTO items (id, key, type, title, extra_json, date_added, date_modified, deleted_at) \
                 VALUES (?1, ?2, 'article', ?3, ?4, '2001-01-01T00:00:00Z', '2001-01-01T00:00:00Z', ?5)",
                rusqlite::params![
                    id,
                    key,
                    title,
                    r#"[{"name":"bibsource","value":"{https://www.math.utah.edu/pub/tex/bib/x.bib}"},{"name":"fjournal","value":"{Hoboken Review}"}]"#,
                    deleted
                ],
            )
            .unwrap();
        }
        // As version 5 indexed it: every field's words, bookkeeping included.
        c.execute(
            "INSERT INTO items_fts (rowid, title, other) VALUES (1, 'Lasting collaborations', \
             'Live2001 https://www.math.utah.edu/pub/tex/bib/x.bib Hoboken Review')",
            [],
        )
        .unwrap();
    }
    let lib = Library::open(&path).unwrap();
    let hits = |q: &str| {
        let f = Filter {
            query: folio::query::parse(q).unwrap(),
            ..Default::default()
        };
        lib.count(&f).unwrap()
    };
    assert_eq!(hits("utah"), 0, "the bookkeeping field left the index");
    assert_eq!(hits("hoboken"), 1);
    assert_eq!(hits("lasting"), 1);
    assert_eq!(hits("collaborations"), 1, "the trashed item stays out of the index");
}

/// The `access` CHECK of a library's items table, as SQLite stores it.
fn access_rule(conn: &Connection) -> String {
    let sql: String = conn
        .query_row(
            "SELECT sql FROM sqlite_schema WHERE type = 'table' AND name = 'items'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    let at = sql.find("CHECK (access").expect("the items table checks access");
    sql[at..].lines().next().unwrap().to_string()
}

/// Whether inserting one row into `items` builds a temporary b-tree (`OpenEphemeral`).
fn insert_builds_a_temporary_table(conn: &Connection) -> bool {
    let mut st = conn
        .prepare(
            "EXPLAIN INSERT INTO items (key, type, access, date_added, date_modified)              VALUES ('K', 'article', 'open', '', '')",
        )
        .unwrap();
    let ops: Vec<String> = st.query_map([], |r| r.get(1)).unwrap().map(|r| r.unwrap()).collect();
    ops.iter().any(|op| op == "OpenEphemeral")
}

#[test]
fn version_8_checks_access_without_a_temporary_table_per_row_and_keeps_the_rule() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("library.sqlite");
    {
        let store = Store::open_at_version(&path, 7).unwrap();
        let c = store.conn();
        assert!(access_rule(c).contains("access IN ("), "{}", access_rule(c));
        assert!(insert_builds_a_temporary_table(c), "version 7 built one per row");
        c.execute(
            "INSERT INTO items (key, type, title, access, date_added, date_modified)              VALUES ('Kept2001', 'article', 'Kept across the upgrade', 'restricted', '2001', '2001')",
            [],
        )
        .unwrap();
    }
    for lib in [Library::open(&path).unwrap(), Library::open_in_memory().unwrap()] {
        let c = lib.store().conn();
        assert_eq!(
            access_rule(c),
            "CHECK (access = 'open' OR access = 'free' OR access = 'restricted' OR access = 'unknown'),"
        );
        assert!(!insert_builds_a_temporary_table(c));
        let ok: String = c.query_row("PRAGMA integrity_check", [], |r| r.get(0)).unwrap();
        assert_eq!(ok, "ok");
        // The same rule: every status goes in, anything else is refused.
        for (i, status) in ["open", "free", "restricted", "unknown"].iter().enumerate() {
            c.execute(
                "INSERT INTO items (key, type, access, date_added, date_modified) VALUES (?1, 'misc', ?2, '', '')",
                rusqlite::params![format!("S{i}"), status],
            )
            .unwrap();
        }
        let err = c
            .execute(
                "INSERT INTO items (key, type, access, date_added, date_modified) VALUES ('Bad', 'misc', 'closed', '', '')",
                [],
            )
            .unwrap_err();
        assert!(err.to_string().contains("CHECK constraint failed"), "{err}");
    }
    let lib = Library::open(&path).unwrap();
    let kept = lib.get("Kept2001").unwrap();
    assert_eq!(kept.title, "Kept across the upgrade");
    assert_eq!(kept.access.status, folio::model::AccessStatus::Restricted);
}

fn v1_library_with_an_item(path: &std::path::Path) {
    let store = Store::open_at_version(path, 1).unwrap();
    store
        .conn()
        .execute(
            "INSERT INTO items (key, type, title, year, date_added, date_modified) \
             VALUES ('Old2001', 'book', 'Written by version 1', 2001, '2001-01-01T00:00:00Z', '2001-01-01T00:00:00Z')",
            [],
        )
        .unwrap();
    let v: i64 = store.conn().query_row("PRAGMA user_version", [], |r| r.get(0)).unwrap();
    assert_eq!(v, 1);
}

#[test]
fn an_older_library_upgrades_with_its_data_after_a_backup() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("library.sqlite");
    v1_library_with_an_item(&path);
    let mut lib = Library::open(&path).unwrap();
    let it = lib.get("Old2001").unwrap();
    assert_eq!(it.title, "Written by version 1");
    assert_eq!(it.item_type, ItemType::Book);
    assert_eq!(it.date.year, Some(2001));
    // The version-2 feature works on the upgraded library.
    lib.search_save("old", "year:..2005", None, false).unwrap();
    assert_eq!(lib.count(&lib.saved_filter("old").unwrap()).unwrap(), 1);
    // A backup of the version-1 file sits next to it.
    let backups: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.to_string_lossy().ends_with(".bak"))
        .collect();
    assert_eq!(backups.len(), 1, "{backups:?}");
    assert!(backups[0]
        .file_name()
        .unwrap()
        .to_string_lossy()
        .starts_with("library.sqlite.v1-"));
    let b = Connection::open(&backups[0]).unwrap();
    let (v, title): (i64, String) = b
        .query_row(
            "SELECT (SELECT user_version FROM pragma_user_version), title FROM items",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
    assert_eq!((v, title.as_str()), (1, "Written by version 1"));
    // Opening again does not migrate or back up again.
    drop(lib);
    Library::open(&path).unwrap();
    let n = std::fs::read_dir(dir.path())
        .unwrap()
        .filter(|e| e.as_ref().unwrap().path().to_string_lossy().ends_with(".bak"))
        .count();
    assert_eq!(n, 1);
}

#[test]
fn every_earlier_version_upgrades_and_gets_its_duplicate_fingerprints() {
    // Libraries from before version 4 had no stored fingerprints.
    for version in 1..4 {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("library.sqlite");
        {
            let store = Store::open_at_version(&path, version).unwrap();
            for (key, title) in [
                ("Twin2001", "Written before version 4"),
                ("Twin2001b", "Written Before Version 4!"),
            ] {
                store
                    .conn()
                    .execute(
                        "INSERT INTO items (key, type, title, year, doi, creators_json, date_added, date_modified) \
                         VALUES (?1, 'article', ?2, 2001, '10.1000/TWIN', \
                         '[{\"role\":\"author\",\"family\":\"Doe\",\"given\":\"Jane\"}]', \
                         '2001-01-01T00:00:00Z', '2001-01-01T00:00:00Z')",
                        [key, title],
                    )
                    .unwrap();
            }
        }
        let lib = Library::open(&path).unwrap();
        let record: String = lib
            .store()
            .conn()
            .query_row("SELECT dedupe FROM items WHERE key = 'Twin2001'", [], |r| r.get(0))
            .unwrap();
        assert!(record.contains("10.1000/twin"), "v{version}: {record:?}");
        let groups = lib.duplicates().unwrap();
        assert_eq!(groups.len(), 1, "v{version}: {groups:?}");
        assert_eq!(groups[0].keys, ["Twin2001", "Twin2001b"]);
        assert_eq!(groups[0].reason, folio::dedupe::Reason::Doi);
    }
}

#[test]
fn a_newer_library_is_refused_and_left_alone() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("library.sqlite");
    Library::open(&path)
        .unwrap()
        .add(Item::new(ItemType::Book, "From the future"))
        .unwrap();
    Connection::open(&path)
        .unwrap()
        .execute_batch("PRAGMA user_version = 99")
        .unwrap();
    let before = std::fs::read(&path).unwrap();
    match Library::open(&path) {
        Err(Error::TooNew { found, supported, .. }) => assert_eq!((found, supported), (99, schema_version())),
        Err(e) => panic!("wrong error: {e}"),
        Ok(_) => panic!("a newer library must be refused"),
    }
    assert_eq!(std::fs::read(&path).unwrap(), before);
}

#[test]
fn a_failed_migration_leaves_the_library_as_it_was() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("library.sqlite");
    v1_library_with_an_item(&path);
    // Sabotage migration 2: its table already exists.
    Connection::open(&path)
        .unwrap()
        .execute_batch("CREATE TABLE saved_searches (x)")
        .unwrap();
    let err = Library::open(&path).err().expect("migration must fail");
    assert!(matches!(err, Error::Migration(_)), "{err}");
    let c = Connection::open(&path).unwrap();
    let v: i64 = c.query_row("PRAGMA user_version", [], |r| r.get(0)).unwrap();
    assert_eq!(v, 1);
    let title: String = c
        .query_row("SELECT title FROM items WHERE key = 'Old2001'", [], |r| r.get(0))
        .unwrap();
    assert_eq!(title, "Written by version 1");
}

#[test]
fn files_that_are_not_libraries_are_refused_clearly() {
    let dir = tempfile::tempdir().unwrap();
    let text = dir.path().join("notes.txt");
    std::fs::write(
        &text,
        "just some text, not a database at all, long enough to have a header",
    )
    .unwrap();
    let e = Library::open(&text).err().unwrap();
    assert!(matches!(e, Error::NotALibrary { .. }), "{e}");
    assert!(e.to_string().contains("notes.txt"));
    assert_eq!(
        std::fs::read_to_string(&text).unwrap(),
        "just some text, not a database at all, long enough to have a header"
    );

    let other = dir.path().join("other.sqlite");
    Connection::open(&other)
        .unwrap()
        .execute_batch("CREATE TABLE songs (title TEXT)")
        .unwrap();
    assert!(matches!(Library::open(&other), Err(Error::NotALibrary { .. })));

    assert!(matches!(Library::open(dir.path()), Err(Error::NotALibrary { .. })));
    let _ = Filter::default();
}

#[test]
fn every_earlier_version_keeps_its_records_verbatim_after_upgrading() {
    for version in 1..schema_version() as usize {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("library.sqlite");
        let mut it = Item::new(ItemType::Article, "Kept as written");
        it.key = "Kept2001".into();
        let fp = it.fingerprint();
        let source = "@Article{Kept2001,\n  TITLE  =  {Kept as written},\n}";
        {
            let store = Store::open_at_version(&path, version).unwrap();
            store
                .conn()
                .execute(
                    "INSERT INTO items (key, type, title, source_format, source_text, source_fingerprint, \
                     date_added, date_modified) VALUES ('Kept2001', 'article', 'Kept as written', 'bibtex', ?1, ?2, \
                     '2001-01-01T00:00:00Z', '2001-01-01T00:00:00Z')",
                    rusqlite::params![source, fp as i64],
                )
                .unwrap();
            if version >= 5 {
                // Version 5 stores whether the record is current with the item.
                store
                    .conn()
                    .execute("UPDATE items SET source_current = 1 WHERE key = 'Kept2001'", [])
                    .unwrap();
            }
            if version >= 11 {
                // Version 11 stores what an export needs of the record when it stores it.
                store
                    .conn()
                    .execute(
                        "UPDATE items SET source_checks = ?1 WHERE key = 'Kept2001'",
                        [folio::format::bibtex::checks::SIMPLE],
                    )
                    .unwrap();
            }
        }
        let lib = Library::open(&path).unwrap();
        assert_eq!(
            lib.get("Kept2001").unwrap().fingerprint(),
            fp,
            "v{version}: the item reads back the same"
        );
        let (text, _) = lib
            .export_text(
                &folio::export::Selection::default(),
                &folio::export::ExportOptions::default(),
            )
            .unwrap();
        assert!(
            text.contains(source),
            "v{version}: the record comes back as written:\n{text}"
        );
        let current: bool = lib
            .store()
            .conn()
            .query_row("SELECT source_current FROM items WHERE key = 'Kept2001'", [], |r| {
                r.get(0)
            })
            .unwrap();
        assert!(current, "v{version}");
        // Version 11 knows what an export needs of the record without reading it again.
        let checks: Option<i64> = lib
            .store()
            .conn()
            .query_row("SELECT source_checks FROM items WHERE key = 'Kept2001'", [], |r| {
                r.get(0)
            })
            .unwrap();
        assert_eq!(checks, Some(folio::format::bibtex::checks::SIMPLE), "v{version}");
    }
}

#[test]
fn version_9_sorts_titles_with_markup_by_their_text() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("library.sqlite");
    {
        let store = Store::open_at_version(&path, 8).unwrap();
        for (key, title, sort) in [
            // As version 8 stored them: the raw title folded.
            ("Anchovy2001", "\\bioname{Anchovy} stocks", "bioname anchovy stocks"),
            ("Bass2001", "Bass stocks", "bass stocks"),
            ("Nmr2001", "$^1$H NMR of cod", "1 h nmr of cod"),
        ] {
            store
                .conn()
                .execute(
                    "INSERT INTO items (key, type, title, title_sort, date_added, date_modified) \
                     VALUES (?1, 'article', ?2, ?3, '2001', '2001')",
                    [key, title, sort],
                )
                .unwrap();
        }
    }
    let mut lib = Library::open(&path).unwrap();
    // New items get the same key.
    lib.import_text(
        "new.bib",
        "@article{Aardvark2001, title = {\\bioname{Aardvark} fish}}\n",
        &folio::import::ImportOptions::default(),
    )
    .unwrap();
    let sorts = crate::support::text_pairs(&lib, "SELECT key, title_sort FROM items ORDER BY id");
    assert_eq!(
        sorts,
        [
            ("Anchovy2001".to_string(), "anchovy stocks".to_string()),
            ("Bass2001".to_string(), "bass stocks".to_string()),
            ("Nmr2001".to_string(), "1h nmr of cod".to_string()),
            ("Aardvark2001".to_string(), "aardvark fish".to_string()),
        ]
    );
    let by_title = lib
        .ids(
            &Filter::default(),
            folio::store::search::Sort {
                column: folio::store::search::SortColumn::Title,
                descending: false,
            },
        )
        .unwrap();
    let keys: Vec<String> = by_title.into_iter().map(|id| lib.get_by_id(id).unwrap().key).collect();
    assert_eq!(keys, ["Nmr2001", "Aardvark2001", "Anchovy2001", "Bass2001"]);
}

#[test]
fn version_10_indexes_the_arguments_of_latex_commands_but_not_their_names() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("library.sqlite");
    {
        let store = Store::open_at_version(&path, 9).unwrap();
        let c = store.conn();
        for (id, key, title, extra) in [
            (1, "Mercury2007", "Mercury in \\bioname{Thunnus thynnus}", "[]"),
            (
                2,
                "Plain2007",
                "Mercury in tuna",
                r#"[{"name":"note","value":"\"quoted\""}]"#,
            ),
            (
                3,
                "Geo2007",
                "Lakes",
                r#"[{"name":"location","value":"{\\geoname{Lake Erie}}"}]"#,
            ),
            (4, "Trout2024", "Sea trout (\\bioname Salmo trutta L.)", "[]"),
            (5, "Tench2001", "Storage of ova", "[]"),
        ] {
            c.execute(
                "INSERT INTO items (id, key, type, title, extra_json, date_added, date_modified) \
                 VALUES (?1, ?2, 'article', ?3, ?4, '2007', '2007')",
                rusqlite::params![id, key, title, extra],
            )
            .unwrap();
        }
        // As version 9 indexed them: command names as words.
        for (id, title, other) in [
            (1, "Mercury in \\bioname{Thunnus thynnus}", "Mercury2007"),
            (2, "Mercury in tuna", "Plain2007 \"quoted\""),
            (3, "Lakes", "Geo2007 {\\geoname{Lake Erie}}"),
            (4, "Sea trout (\\bioname Salmo trutta L.)", "Trout2024"),
        ] {
            c.execute(
                "INSERT INTO items_fts (rowid, title, other) VALUES (?1, ?2, ?3)",
                rusqlite::params![id, title, other],
            )
            .unwrap();
        }
        // A tag (the keywords column) with a command, and nothing else.
        c.execute("INSERT INTO tags (id, name) VALUES (1, 'tench (\\bioname{Tinca})')", [])
            .unwrap();
        c.execute(
            "INSERT INTO item_tags (item_id, tag_id, source, position) VALUES (5, 1, 'import', 0)",
            [],
        )
        .unwrap();
        c.execute(
            "INSERT INTO items_fts (rowid, title, keywords, other) \
             VALUES (5, 'Storage of ova', 'tench (\\bioname{Tinca})', 'Tench2001')",
            [],
        )
        .unwrap();
    }
    let mut lib = Library::open(&path).unwrap();
    lib.import_text(
        "new.bib",
        "@article{New2008, title = {Perch of \\geoname{Lake Huron}}}\n",
        &folio::import::ImportOptions::default(),
    )
    .unwrap();
    let hits = |q: &str| {
        let f = Filter {
            query: folio::query::parse(q).unwrap(),
            ..Default::default()
        };
        let mut keys: Vec<String> = lib
            .items(&f, Default::default())
            .unwrap()
            .into_iter()
            .map(|i| i.key)
            .collect();
        keys.sort();
        keys
    };
    assert!(hits("bioname").is_empty(), "{:?}", hits("bioname"));
    assert!(hits("geoname").is_empty(), "{:?}", hits("geoname"));
    assert_eq!(hits("thunnus"), ["Mercury2007"]);
    assert_eq!(hits("mercury"), ["Mercury2007", "Plain2007"]);
    assert_eq!(hits("erie"), ["Geo2007"]);
    assert_eq!(hits("quoted"), ["Plain2007"]);
    assert_eq!(hits("huron"), ["New2008"]);
    assert_eq!(hits("salmo"), ["Trout2024"]);
    assert_eq!(hits("tinca"), ["Tench2001"]);
    assert_eq!(hits("kw:tench"), ["Tench2001"]);
    assert_eq!(hits("title:perch"), ["New2008"]);
}

#[test]
fn pending_upgrade_says_which_versions_an_open_will_migrate_between_without_changing_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("library.sqlite");
    assert_eq!(Store::pending_upgrade(&path), None, "a missing file is a new library");
    drop(Store::open_at_version(&path, 7).unwrap());
    let before = std::fs::read(&path).unwrap();
    assert_eq!(Store::pending_upgrade(&path), Some((7, schema_version())));
    assert_eq!(
        Store::pending_upgrade(&path),
        Some((7, schema_version())),
        "asking changed nothing"
    );
    assert_eq!(std::fs::read(&path).unwrap(), before);
    drop(Library::open(&path).unwrap());
    assert_eq!(Store::pending_upgrade(&path), None, "opened once: upgraded");

    let other = dir.path().join("other.sqlite");
    let c = Connection::open(&other).unwrap();
    c.execute_batch("CREATE TABLE t (x); PRAGMA user_version = 3;").unwrap();
    drop(c);
    assert_eq!(
        Store::pending_upgrade(&other),
        None,
        "another program's database is not upgraded"
    );
    let text = dir.path().join("notes.txt");
    std::fs::write(&text, "not a database").unwrap();
    assert_eq!(Store::pending_upgrade(&text), None);
    assert!(matches!(Library::open(&text), Err(Error::NotALibrary { .. })));
}

/// `Item::fingerprint` as versions up to 11 computed it (the FNV-1a of the item's JSON), which
/// their libraries stored with each source record.
fn fingerprint_up_to_v11(item: &Item) -> u64 {
    let mut view = item.clone();
    view.id = None;
    view.source = None;
    view.date_added.clear();
    view.date_modified.clear();
    folio::model::fnv1a(serde_json::to_string(&view).unwrap().as_bytes())
}

#[test]
fn version_12_keeps_unedited_records_verbatim_and_edited_ones_regenerated() {
    use folio::import::ImportOptions;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("library.sqlite");
    let kept = "@Article{Kept2001,\n  TITLE  =  {Kept as written},\n  Journal = {J},  year = 2001,\n}";
    let edited = "@Article{Edit2002,\n  TITLE  =  {Edited later},\n  Journal = {J},  year = 2002,\n}";
    let undone = "@Article{Undo2003,\n  TITLE  =  {Edited, then undone after the upgrade},\n  year = 2003,\n}";
    {
        // A library as version 11 left it: the records' fingerprints made by its algorithm, an
        // edited item, and an edit still in the undo journal.
        let mut lib = Library::open(&path).unwrap();
        let text = format!("{kept}\n\n{edited}\n\n{undone}\n");
        lib.import_text("t.bib", &text, &ImportOptions::default()).unwrap();
        let conn = lib.store().conn();
        for key in ["Kept2001", "Edit2002", "Undo2003"] {
            let item = lib.get(key).unwrap();
            let (new, old) = (item.fingerprint(), fingerprint_up_to_v11(&item));
            assert_ne!(new, old);
            conn.execute(
                "UPDATE items SET source_fingerprint = ?2 WHERE key = ?1",
                rusqlite::params![key, old as i64],
            )
            .unwrap();
        }
        lib.edit("Edit2002", &[("title".into(), "Edited".into())], false)
            .unwrap();
        lib.edit("Undo2003", &[("title".into(), "Edited".into())], false)
            .unwrap();
        // The journal keeps the item as it was before the edit, with its version-11 fingerprint.
        let mut before = lib.get("Undo2003").unwrap();
        before.title = "Edited, then undone after the upgrade".into();
        let conn = lib.store().conn();
        let journaled: String = conn
            .query_row("SELECT changes FROM journal WHERE label = 'Edit Undo2003'", [], |r| {
                r.get(0)
            })
            .unwrap();
        assert!(journaled.contains(&format!("\"fingerprint\":{}", fingerprint_up_to_v11(&before))));
        conn.execute_batch(
            "ALTER TABLE items DROP COLUMN source_batch; DROP TABLE journal_parts; \
             ALTER TABLE journal DROP COLUMN parts; DROP TABLE object_versions; DROP TABLE library_version; \
             DROP TABLE sync_objects; DROP TABLE sync_state; DROP TABLE action_labels; DROP TABLE sync_outbox; DROP TABLE sync_conflicts; DROP TABLE sync_waiting; DROP TABLE attachments; DROP TABLE fulltext; PRAGMA user_version = 11",
        )
        .unwrap();
    }
    assert_eq!(Store::pending_upgrade(&path), Some((11, schema_version())));
    let mut lib = Library::open(&path).unwrap();
    let current = |lib: &Library, key: &str| -> bool {
        lib.store()
            .conn()
            .query_row("SELECT source_current FROM items WHERE key = ?1", [key], |r| r.get(0))
            .unwrap()
    };
    let export = |lib: &Library| {
        lib.export_text(
            &folio::export::Selection::default(),
            &folio::export::ExportOptions::default(),
        )
        .unwrap()
        .0
    };
    let kept_item = lib.get("Kept2001").unwrap();
    assert_eq!(kept_item.source.as_ref().unwrap().fingerprint, kept_item.fingerprint());
    assert!(current(&lib, "Kept2001"));
    assert!(!current(&lib, "Edit2002"));
    assert!(!current(&lib, "Undo2003"));
    let text = export(&lib);
    assert!(
        text.contains(kept),
        "the unedited record comes back as written:\n{text}"
    );
    assert!(!text.contains("TITLE  =  {Edited later}"), "{text}");
    assert!(
        text.contains("@article{Edit2002,"),
        "the edited one is written from its fields:\n{text}"
    );
    assert!(text.contains("title = {Edited},"), "{text}");
    // Undoing the edit made before the upgrade gives back an unedited item.
    lib.undo().unwrap();
    assert!(current(&lib, "Undo2003"));
    assert!(export(&lib).contains(undone));
}
