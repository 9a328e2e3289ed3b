//! The shell's commands as plain functions over a real (temporary) library, and one smoke test
//! through Tauri's mock runtime (the IPC layer, argument names and the error shape).

use folio::Library;
use folio_desktop::dto::{CreatorDto, FilterDto, SelectionDto, SortDto};
use folio_desktop::error::CommandError;
use folio_desktop::ops;
use folio_desktop::state::{AppState, Open};
use std::path::{Path, PathBuf};

const TWO_ITEMS: &str = r#"[
  {"key":"flores2022","type":"article","title":"Co-creation in integrated public services",
   "authors":[{"family":"Casiano Flores","given":"Cesar"}],"container":"Transforming Government",
   "date":"2022","access":"restricted","keywords":["co-creation"],
   "abstract":[{"heading":"Purpose","text":"Why."},{"heading":"Findings","text":"What."}]},
  {"key":"jaspers2019","type":"article","title":"Temporary use of vacant spaces",
   "authors":[{"family":"Jaspers","given":"Sylke"}],"container":"Public Management Review",
   "date":"2019","access":"open"}
]"#;

fn library_with_items(dir: &Path) -> (Library, PathBuf) {
    let file = dir.join("two.json");
    std::fs::write(&file, TWO_ITEMS).unwrap();
    let mut lib = Library::open(&dir.join("lib.sqlite")).unwrap();
    let report = ops::import_files(&mut lib, std::slice::from_ref(&file), None, &mut |_| {}).unwrap();
    assert_eq!(report.added, 2, "{report:?}");
    (lib, file)
}

fn all() -> FilterDto {
    FilterDto::default()
}

fn by_title() -> SortDto {
    SortDto {
        column: "title".into(),
        descending: false,
    }
}

#[test]
fn import_reports_progress_and_rows_page() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("two.json");
    std::fs::write(&file, TWO_ITEMS).unwrap();
    let mut lib = Library::open(&dir.path().join("lib.sqlite")).unwrap();
    let mut seen = Vec::new();
    let report = ops::import_files(&mut lib, &[file], None, &mut |p| seen.push((p.done, p.total))).unwrap();
    assert_eq!((report.added, report.errors, report.files.len()), (2, 0, 1));
    assert_eq!(report.files[0].format, "json");
    assert_eq!(seen.last(), Some(&(2, 2)));

    let page = ops::page(&lib, &all(), &by_title(), 0, 1).unwrap();
    assert_eq!(page.total, 2);
    assert_eq!(page.rows.len(), 1);
    assert_eq!(page.rows[0].title, "Co-creation in integrated public services");
    assert_eq!(page.rows[0].access, "restricted");
    let page2 = ops::page(&lib, &all(), &by_title(), 1, 10).unwrap();
    assert_eq!(page2.rows[0].key, "jaspers2019");
}

#[test]
fn filters_by_access_tag_collection_and_query() {
    let dir = tempfile::tempdir().unwrap();
    let (mut lib, _) = library_with_items(dir.path());
    let open = FilterDto {
        access: vec!["open".into()],
        ..all()
    };
    let keys: Vec<_> = ops::page(&lib, &open, &by_title(), 0, 50)
        .unwrap()
        .rows
        .into_iter()
        .map(|r| r.key)
        .collect();
    assert_eq!(keys, ["jaspers2019"]);

    let tagged = FilterDto {
        tags: vec!["co-creation".into()],
        ..all()
    };
    assert_eq!(ops::page(&lib, &tagged, &by_title(), 0, 50).unwrap().total, 1);

    let id = ops::collection_create(&mut lib, None, "Thesis").unwrap();
    ops::collection_create(&mut lib, Some("Thesis"), "Chapter 2").unwrap();
    lib.collection_add("Thesis/Chapter 2", &["flores2022".into()]).unwrap();
    let in_thesis = FilterDto {
        collection: Some(id),
        recursive: true,
        ..all()
    };
    assert_eq!(ops::keys(&lib, &in_thesis, &by_title()).unwrap(), ["flores2022"]);

    let q = FilterDto {
        query: "title:vacant".into(),
        ..all()
    };
    assert_eq!(ops::keys(&lib, &q, &by_title()).unwrap(), ["jaspers2019"]);
    let bad = FilterDto {
        query: "title:\"unclosed".into(),
        ..all()
    };
    let err = ops::page(&lib, &bad, &by_title(), 0, 10);
    if let Err(e) = err {
        assert_eq!(e.code, "invalid-query");
    }
}

#[test]
fn sidebar_counts() {
    let dir = tempfile::tempdir().unwrap();
    let (mut lib, _) = library_with_items(dir.path());
    lib.delete(&["jaspers2019".into()]).unwrap();
    let open = Open {
        library: lib,
        path: dir.path().join("lib.sqlite"),
    };
    let sb = ops::sidebar(&open).unwrap();
    assert_eq!((sb.total, sb.unfiled, sb.trash), (1, 1, 1));
    let restricted = sb.access.iter().find(|a| a.status == "restricted").unwrap();
    assert_eq!(restricted.items, 1);
    assert_eq!(sb.access.len(), 4);
    assert!(sb.tags.iter().any(|t| t.name == "co-creation" && t.items == 1));
}

#[test]
fn edit_validate_undo_redo() {
    let dir = tempfile::tempdir().unwrap();
    let (mut lib, _) = library_with_items(dir.path());
    let id = lib.id_of("jaspers2019").unwrap();
    let item = ops::item(&lib, id).unwrap();
    assert_eq!(item.access, "open");
    let edited = ops::edit_field(&mut lib, id, "title", "A new title").unwrap();
    assert_eq!(edited.fields[0].value, "A new title");
    let bad = ops::edit_field(&mut lib, id, "year", "soon").unwrap_err();
    assert_eq!(bad.code, "invalid-input");
    assert!(bad.message.contains("year must be a number"), "{}", bad.message);
    let label = ops::undo(&mut lib).unwrap();
    assert!(label.contains("jaspers2019"), "{label}");
    assert_eq!(
        ops::item(&lib, id).unwrap().fields[0].value,
        "Temporary use of vacant spaces"
    );
    ops::redo(&mut lib).unwrap();
    assert_eq!(ops::item(&lib, id).unwrap().fields[0].value, "A new title");
}

#[test]
fn structured_abstract_creators_and_access() {
    let dir = tempfile::tempdir().unwrap();
    let (mut lib, _) = library_with_items(dir.path());
    let id = lib.id_of("flores2022").unwrap();
    let item = ops::item(&lib, id).unwrap();
    let heads: Vec<_> = item.abstract_sections.iter().map(|s| s.heading.as_str()).collect();
    assert_eq!(heads, ["Purpose", "Findings"]);
    let mut creators = item.creators.clone();
    creators.insert(
        0,
        CreatorDto {
            role: "editor".into(),
            family: "Steen".into(),
            given: "Trui".into(),
            ..Default::default()
        },
    );
    let after = ops::set_creators(&mut lib, id, &creators).unwrap();
    assert_eq!(after.creators[0].family, "Steen");
    assert_eq!(after.creators[0].role, "editor");
    let nameless = [CreatorDto::default()];
    assert_eq!(
        ops::set_creators(&mut lib, id, &nameless).unwrap_err().code,
        "invalid-input"
    );
    ops::set_access(&mut lib, "free", &["flores2022".into()]).unwrap();
    assert_eq!(ops::item(&lib, id).unwrap().access, "free");
    assert_eq!(
        ops::set_access(&mut lib, "gold", &["flores2022".into()])
            .unwrap_err()
            .code,
        "invalid-input"
    );
}

#[test]
fn import_is_one_undo_step_and_missing_files_fail_clearly() {
    let dir = tempfile::tempdir().unwrap();
    let (mut lib, _) = library_with_items(dir.path());
    ops::undo(&mut lib).unwrap();
    assert_eq!(ops::page(&lib, &all(), &by_title(), 0, 10).unwrap().total, 0);
    let err = ops::import_files(&mut lib, &[dir.path().join("missing.bib")], None, &mut |_| {}).unwrap_err();
    assert_eq!(err.code, "io");
    assert!(err.message.contains("missing.bib"));
    let into = dir.path().join("two.json");
    let r = ops::import_files(&mut lib, &[into], Some("Dropped".into()), &mut |_| {}).unwrap();
    assert_eq!(r.added, 2);
    assert_eq!(
        ops::item(&lib, lib.id_of("flores2022").unwrap()).unwrap().collections,
        ["Dropped"]
    );
}

#[test]
fn export_selection_and_whole_library() {
    let dir = tempfile::tempdir().unwrap();
    let (lib, _) = library_with_items(dir.path());
    let out = dir.path().join("out.json");
    let sel = SelectionDto {
        keys: vec!["jaspers2019".into()],
        filter: all(),
    };
    let r = ops::export_file(&lib, &sel, "json", &out).unwrap();
    assert_eq!((r.items, r.written), (1, true));
    assert!(std::fs::read_to_string(&out)
        .unwrap()
        .contains("Temporary use of vacant spaces"));
    let whole = SelectionDto::default();
    let text = ops::export_text(&lib, &whole, "json").unwrap();
    assert!(text.contains("flores2022") && text.contains("jaspers2019"));
    assert_eq!(
        ops::export_text(&lib, &whole, "docx").unwrap_err().code,
        "invalid-input"
    );
}

#[test]
fn collection_names_are_checked() {
    assert_eq!(ops::child_path(Some("A"), " B ").unwrap(), "A/B");
    assert_eq!(ops::child_path(None, "B").unwrap(), "B");
    assert!(ops::child_path(None, "  ").is_err());
    assert!(ops::child_path(None, "a/b").is_err());
}

#[test]
fn errors_keep_the_core_code_and_message() {
    let e: CommandError = folio::Error::NotFound("no item with key x".into()).into();
    assert_eq!(e.code, "not-found");
    assert_eq!(e.message, "no item with key x");
    let state = AppState::empty();
    assert_eq!(state.with(|_| Ok(())).unwrap_err().code, "no-library");
}

#[test]
fn mock_runtime_smoke() {
    use tauri::ipc::{CallbackFn, InvokeBody};
    use tauri::test::{get_ipc_response, mock_builder, mock_context, noop_assets, INVOKE_KEY};
    use tauri::webview::InvokeRequest;

    let dir = tempfile::tempdir().unwrap();
    let (lib, _) = library_with_items(dir.path());
    let state = AppState::from_library(lib, dir.path().join("lib.sqlite"));
    let app = folio_desktop::with_commands(mock_builder(), state)
        .build(mock_context(noop_assets()))
        .unwrap();
    let webview = tauri::WebviewWindowBuilder::new(&app, "main", Default::default())
        .build()
        .unwrap();
    let request = |cmd: &str, body: serde_json::Value| InvokeRequest {
        cmd: cmd.into(),
        callback: CallbackFn(0),
        error: CallbackFn(1),
        url: "tauri://localhost".parse().unwrap(),
        body: InvokeBody::Json(body),
        headers: Default::default(),
        invoke_key: INVOKE_KEY.to_string(),
    };
    let page = get_ipc_response(
        &webview,
        request(
            "list_page",
            serde_json::json!({"filter": {"access": ["restricted"]}, "sort": {"column": "year", "descending": true}, "offset": 0, "limit": 50}),
        ),
    )
    .unwrap()
    .deserialize::<serde_json::Value>()
    .unwrap();
    assert_eq!(page["total"], 1);
    assert_eq!(page["rows"][0]["key"], "flores2022");
    assert_eq!(page["rows"][0]["dateAdded"].as_str().map(|s| !s.is_empty()), Some(true));

    let err = get_ipc_response(&webview, request("get_item", serde_json::json!({"id": 999999}))).unwrap_err();
    assert_eq!(err["code"], "not-found");

    let sb = get_ipc_response(&webview, request("sidebar", serde_json::json!({})))
        .unwrap()
        .deserialize::<serde_json::Value>()
        .unwrap();
    assert_eq!(sb["total"], 2);
}
