//! The shell's commands as plain functions over a real (temporary) library, and one smoke test
//! through Tauri's mock runtime (the IPC layer, argument names and the error shape).

use folio::import::ImportOptions;
use folio::Library;
use folio_desktop::dto::{
    AccessDto, CreatorDto, FilterDto, FormatDto, LibraryStateDto, RoleDto, ScopeKindDto, SelectionDto, SortColumnDto,
    SortDto,
};
use folio_desktop::error::CommandError;
use folio_desktop::ops;
use folio_desktop::state::AppState;
use std::path::{Path, PathBuf};

/// Shared libraries against a real PostgreSQL (issue 27).
mod sharing;

/// Issue 26: the viewer's bytes, background indexing, the "everything" search.
mod viewer;

const TWO_ITEMS: &str = r#"[
  {"key":"flores2022","type":"article","title":"Co-creation in integrated public services",
   "authors":[{"family":"Casiano Flores","given":"Cesar"}],"container":"Transforming Government",
   "date":"2022","access":"restricted","keywords":["co-creation"],
   "abstract":[{"heading":"Purpose","text":"Why."},{"heading":"Findings","text":"What."}]},
  {"key":"jaspers2019","type":"article","title":"Temporary use of vacant spaces",
   "authors":[{"family":"Jaspers","given":"Sylke"}],"container":"Public Management Review",
   "date":"2019","access":"open"}
]"#;

/// The program imports run in: the app itself (`folio-desktop --folio-import-worker`).
fn worker() -> &'static Path {
    Path::new(env!("CARGO_BIN_EXE_folio-desktop"))
}

fn opts(collection: Option<&str>) -> ImportOptions {
    ops::import_options(collection.map(String::from), None, None).unwrap()
}

fn library_with_items(dir: &Path) -> (Library, PathBuf) {
    let file = dir.join("two.json");
    std::fs::write(&file, TWO_ITEMS).unwrap();
    let mut lib = Library::open(&dir.join("lib.sqlite")).unwrap();
    let report = ops::import_files(
        &mut lib,
        worker(),
        std::slice::from_ref(&file),
        &opts(None),
        &mut |_| {},
    )
    .unwrap();
    assert_eq!(report.added, 2, "{report:?}");
    (lib, file)
}

fn all() -> FilterDto {
    FilterDto::default()
}

fn by_title() -> SortDto {
    SortDto {
        column: SortColumnDto::Title,
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
    let report = ops::import_files(&mut lib, worker(), &[file], &opts(None), &mut |p| {
        seen.push((p.bytes_done, p.bytes_total, p.entries))
    })
    .unwrap();
    assert_eq!((report.added, report.errors, report.files.len()), (2, 0, 1));
    assert_eq!(report.files[0].format, FormatDto::Json);
    let (done, total, entries) = *seen.last().unwrap();
    assert!(total > 0 && done == total && entries == 2, "{seen:?}");

    let page = ops::page(&lib, &all(), &by_title(), 0, 1).unwrap();
    assert_eq!(page.total, 2);
    assert_eq!(page.rows.len(), 1);
    assert_eq!(page.rows[0].title, "Co-creation in integrated public services");
    assert_eq!(page.rows[0].access, AccessDto::Restricted);
    let page2 = ops::page(&lib, &all(), &by_title(), 1, 10).unwrap();
    assert_eq!(page2.rows[0].key, "jaspers2019");
}

#[test]
fn filters_by_access_tag_collection_and_query() {
    let dir = tempfile::tempdir().unwrap();
    let (mut lib, _) = library_with_items(dir.path());
    let open = FilterDto {
        access: vec![AccessDto::Open],
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
    let e = ops::page(&lib, &bad, &by_title(), 0, 10).unwrap_err();
    assert_eq!(e.code, "invalid-query");
    assert!(e.message.contains("unclosed quote"), "{}", e.message);
}

#[test]
fn sidebar_counts() {
    let dir = tempfile::tempdir().unwrap();
    let (mut lib, _) = library_with_items(dir.path());
    lib.delete(&["jaspers2019".into()]).unwrap();
    lib.collection_create("Thesis/Chapter 2").unwrap();
    ops::search_save(&mut lib, "Recent", "year:2020..", None).unwrap();
    ops::search_save(&mut lib, "In chapter", "title:co", Some("Thesis/Chapter 2")).unwrap();
    ops::search_save(&mut lib, "Gone", "x", None).unwrap();
    ops::search_delete(&mut lib, "Gone").unwrap();
    assert_eq!(
        ops::search_save(&mut lib, "Empty", "  ", None).unwrap_err().code,
        "invalid-input"
    );
    assert_eq!(
        ops::search_save(&mut lib, "Bad", "title:\"open", None)
            .unwrap_err()
            .code,
        "invalid-query"
    );
    assert_eq!(ops::search_delete(&mut lib, "Gone").unwrap_err().code, "not-found");
    let sb = ops::sidebar(&lib, &dir.path().join("lib.sqlite")).unwrap();
    // Saved searches by name, with the collection they search within.
    let saved: Vec<(&str, &str, Option<&str>)> = sb
        .saved
        .iter()
        .map(|s| (s.name.as_str(), s.query.as_str(), s.collection_path.as_deref()))
        .collect();
    assert_eq!(
        saved,
        [
            ("In chapter", "title:co", Some("Thesis/Chapter 2")),
            ("Recent", "year:2020..", None)
        ]
    );
    assert_eq!(sb.saved[0].collection, lib.resolve_collection("Thesis/Chapter 2").ok());
    assert_eq!((sb.total, sb.unfiled, sb.trash), (1, 1, 1));
    let restricted = sb.access.iter().find(|a| a.status == AccessDto::Restricted).unwrap();
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
    assert_eq!(item.access, AccessDto::Open);
    let edited = ops::edit_field(&mut lib, id, "title", "A new title", false).unwrap();
    assert_eq!(edited.fields[0].value, "A new title");
    let bad = ops::edit_field(&mut lib, id, "year", "soon", false).unwrap_err();
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
            role: RoleDto::Editor,
            family: "Steen".into(),
            given: "Trui".into(),
            ..Default::default()
        },
    );
    let after = ops::set_creators(&mut lib, id, &creators).unwrap();
    assert_eq!(after.creators[0].family, "Steen");
    assert_eq!(after.creators[0].role, RoleDto::Editor);
    let nameless = [CreatorDto::default()];
    assert_eq!(
        ops::set_creators(&mut lib, id, &nameless).unwrap_err().code,
        "invalid-input"
    );
    ops::set_access(&mut lib, "free", &["flores2022".into()]).unwrap();
    assert_eq!(ops::item(&lib, id).unwrap().access, AccessDto::Free);
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
    let err = ops::import_files(
        &mut lib,
        worker(),
        &[dir.path().join("missing.bib")],
        &opts(None),
        &mut |_| {},
    )
    .unwrap_err();
    assert_eq!(err.code, "io");
    assert!(err.message.contains("missing.bib"));
    let into = dir.path().join("two.json");
    let r = ops::import_files(&mut lib, worker(), &[into], &opts(Some("Dropped")), &mut |_| {}).unwrap();
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

    // The new commands' argument names and shapes, as the UI sends them.
    let call = |cmd: &str, body: serde_json::Value| {
        get_ipc_response(&webview, request(cmd, body)).map(|r| r.deserialize::<serde_json::Value>().unwrap())
    };
    assert_eq!(call("import_cancel", serde_json::json!({})).unwrap(), false);
    assert_eq!(
        call("duplicates", serde_json::json!({})).unwrap(),
        serde_json::json!([])
    );
    let refs = call(
        "format_references",
        serde_json::json!({"keys": ["jaspers2019"], "style": "harvard"}),
    )
    .unwrap();
    assert!(refs.as_str().unwrap().starts_with("Jaspers, S."), "{refs}");
    let items = call("items_by_keys", serde_json::json!({"keys": ["flores2022"]})).unwrap();
    assert_eq!(items[0]["abstractSections"][0]["heading"], "Purpose");
    let target = dir.path().join("auto.ris");
    let added = call(
        "auto_export_add",
        serde_json::json!({"export": {"path": target.display().to_string(), "format": "ris",
            "scope": {"kind": "tag", "name": "co-creation"}, "ascii": null, "omitFields": ["abstract"]}}),
    )
    .unwrap();
    assert_eq!(added["items"], 1);
    let listed = call("auto_exports", serde_json::json!({})).unwrap();
    assert_eq!(listed[0]["scope"]["kind"], "tag");
    assert_eq!(listed[0]["omitFields"][0], "abstract");
    // flores2022 is in that auto-export: changing its key needs confirmation (`force`).
    let e = call(
        "edit_field",
        serde_json::json!({"id": items[0]["id"], "field": "key", "value": "other", "force": false}),
    )
    .unwrap_err();
    assert_eq!(e["code"], "protected-key");
    assert_eq!(e["protected"][0]["key"], "flores2022");
    assert!(
        e["protected"][0]["reason"].as_str().unwrap().contains("auto.ris"),
        "{e}"
    );
    let forced = call(
        "edit_field",
        serde_json::json!({"id": items[0]["id"], "field": "key", "value": "other", "force": true}),
    )
    .unwrap();
    assert_eq!(forced["key"], "other");
    // The left pane's duplicate count, and an action on "all rows of a filter" (select all).
    assert_eq!(call("duplicate_count", serde_json::json!({})).unwrap(), 0);
    let n = call(
        "set_access",
        serde_json::json!({"status": "free", "keys": [], "filter": {"access": ["open"]}}),
    )
    .unwrap();
    assert_eq!(n, 1);
    let free = call(
        "list_keys",
        serde_json::json!({"filter": {"access": ["free"]}, "sort": {"column": "key", "descending": false}}),
    )
    .unwrap();
    assert_eq!(free, serde_json::json!(["jaspers2019"]));
}

const SAME_BIB: &str = "@article{steen2019,\n  title = {Co-production and public value},\n  author = {Steen, Trui and Brandsen, Taco},\n  journal = {Public Administration},\n  year = {2019},\n  volume = {97},\n  doi = {10.1111/padm.12345}\n}\n";
const SAME_RIS: &str = "TY  - JOUR\r\nTI  - Co-production and public value\r\nAU  - Steen, Trui\r\nAU  - Brandsen, Taco\r\nJO  - Public Administration Review\r\nPY  - 2019\r\nVL  - 98\r\nIS  - 2\r\nDO  - 10.1111/padm.12345\r\nER  - \r\n";

/// A .bib and a .ris of the same article (same DOI), imported with `keep`.
fn library_with_duplicates(dir: &Path) -> Library {
    let bib = dir.join("a.bib");
    let ris = dir.join("b.ris");
    std::fs::write(&bib, SAME_BIB).unwrap();
    std::fs::write(&ris, SAME_RIS).unwrap();
    let mut lib = Library::open(&dir.join("lib.sqlite")).unwrap();
    let keep = ops::import_options(None, Some("keep"), None).unwrap();
    let r = ops::import_files(&mut lib, worker(), &[bib, ris], &keep, &mut |_| {}).unwrap();
    assert_eq!(r.added, 2, "{r:?}");
    let d = &r.files[1].decisions;
    assert_eq!(d.len(), 1, "{r:?}");
    assert_eq!((d[0].action.as_str(), d[0].reason.as_str()), ("kept", "same DOI"));
    assert_eq!(d[0].existing_key, "steen2019");
    lib
}

#[test]
fn import_policy_skip_is_default_and_reports_each_decision() {
    let dir = tempfile::tempdir().unwrap();
    let mut lib = library_with_duplicates(dir.path());
    // The default (skip) leaves the library alone and says so, with the line.
    let r = ops::import_files(
        &mut lib,
        worker(),
        &[dir.path().join("a.bib")],
        &opts(None),
        &mut |_| {},
    )
    .unwrap();
    assert_eq!(r.added, 0);
    let d = &r.files[0].decisions[0];
    assert_eq!((d.action.as_str(), d.line), ("skipped", 1));
    assert_eq!(
        ops::import_options(None, Some("replace"), None).unwrap_err().code,
        "invalid-input"
    );
}

#[test]
fn duplicates_side_by_side_merge_with_choices_and_undo() {
    let dir = tempfile::tempdir().unwrap();
    let mut lib = library_with_duplicates(dir.path());
    let groups = ops::duplicates(&lib).unwrap();
    assert_eq!(groups.len(), 1);
    let g = &groups[0];
    assert_eq!(
        (g.kind.as_str(), g.identifier, g.reason.as_str()),
        ("duplicate", true, "same DOI")
    );
    let items = ops::items_by_keys(&lib, &g.keys).unwrap();
    assert_eq!(items.len(), 2);
    let keep = g.keys[0].clone();
    let other = g.keys[1].clone();
    let other_item = items.iter().find(|i| i.key == other).unwrap();
    let other_container = other_item
        .fields
        .iter()
        .find(|f| f.name == "container")
        .unwrap()
        .value
        .clone();
    let r = ops::merge(
        &mut lib,
        &keep,
        std::slice::from_ref(&other),
        &[folio_desktop::dto::FieldChoiceDto {
            field: "container".into(),
            value: other_container.clone(),
        }],
    )
    .unwrap();
    assert_eq!(r.kept, keep);
    assert_eq!(r.merged, std::slice::from_ref(&other));
    assert!(r.conflicts.iter().any(|c| c.field == "volume"), "{r:?}");
    let live = ops::keys(&lib, &all(), &by_title()).unwrap();
    assert_eq!(live, std::slice::from_ref(&keep));
    let kept = ops::item(&lib, lib.id_of(&keep).unwrap()).unwrap();
    let container = kept.fields.iter().find(|f| f.name == "container").unwrap();
    assert_eq!(container.value, other_container);
    assert!(ops::duplicates(&lib).unwrap().is_empty());
    // One undo step restores both.
    ops::undo(&mut lib).unwrap();
    assert_eq!(ops::keys(&lib, &all(), &by_title()).unwrap().len(), 2);
    // The batch merge of exact groups.
    let merged = ops::merge_exact(&mut lib).unwrap();
    assert_eq!(merged.len(), 1);
    assert_eq!(ops::keys(&lib, &all(), &by_title()).unwrap().len(), 1);
}

#[test]
fn a_cancelled_import_leaves_the_library_unchanged() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("many.bib");
    let mut text = String::new();
    for i in 0..3000 {
        text.push_str(&format!(
            "@article{{k{i},\n  title = {{Title {i}}},\n  year = {{2000}}\n}}\n"
        ));
    }
    std::fs::write(&file, text).unwrap();
    let mut lib = Library::open(&dir.path().join("lib.sqlite")).unwrap();
    let state = AppState::empty();
    let flag = state.begin_import();
    let o = ops::import_options(None, None, Some(flag.clone())).unwrap();
    let err = ops::import_files(&mut lib, worker(), &[file], &o, &mut |p| {
        if p.entries > 10 {
            state.cancel_import();
        }
    })
    .unwrap_err();
    assert_eq!(err.code, "cancelled");
    state.end_import(&flag);
    assert!(!state.cancel_import(), "nothing left to cancel");
    assert_eq!(ops::page(&lib, &all(), &by_title(), 0, 10).unwrap().total, 0);
}

#[test]
fn auto_export_follows_edits_and_protects_keys() {
    let dir = tempfile::tempdir().unwrap();
    let (lib, _) = library_with_items(dir.path());
    let target = dir.path().join("thesis.bib");
    let state = AppState::from_library(lib, dir.path().join("lib.sqlite"));
    let export = folio_desktop::dto::NewAutoExportDto {
        path: target.display().to_string(),
        format: FormatDto::Bibtex,
        scope: folio_desktop::dto::ScopeDto {
            kind: ScopeKindDto::Access,
            status: Some(AccessDto::Open),
            ..Default::default()
        },
        ascii: Some(false),
        omit_fields: vec!["abstract".into()],
    };
    let r = state.with(|o| ops::auto_export_add(&mut o.library, &export)).unwrap();
    assert_eq!((r.items, r.written), (1, true));
    let list = state.with(|o| ops::auto_exports(&o.library)).unwrap();
    assert_eq!(list.len(), 1);
    assert_eq!(list[0].scope.kind, ScopeKindDto::Access);
    assert_eq!(list[0].items, Some(1));
    assert!(list[0].scope_label.contains("open"), "{}", list[0].scope_label);
    // An edit through the app's state rewrites the file.
    let id = state.with(|o| Ok(o.library.id_of("jaspers2019")?)).unwrap();
    state
        .with(|o| ops::edit_field(&mut o.library, id, "title", "Vacant spaces, renewed", false))
        .unwrap();
    assert!(std::fs::read_to_string(&target)
        .unwrap()
        .contains("Vacant spaces, renewed"));
    // Its key is protected: the error names it with the reason; force goes through.
    let err = state
        .with(|o| ops::edit_field(&mut o.library, id, "key", "jaspers2019x", false))
        .unwrap_err();
    assert_eq!(err.code, "protected-key");
    assert_eq!(err.protected[0].key, "jaspers2019");
    assert!(err.protected[0].reason.contains("thesis.bib"), "{:?}", err.protected);
    state
        .with(|o| ops::edit_field(&mut o.library, id, "key", "jaspers2019x", true))
        .unwrap();
    assert!(std::fs::read_to_string(&target).unwrap().contains("jaspers2019x"));
    state.with(|o| ops::undo(&mut o.library)).unwrap();
    state
        .with(|o| ops::auto_export_remove(&mut o.library, &target.display().to_string()))
        .unwrap();
    assert!(state.with(|o| ops::auto_exports(&o.library)).unwrap().is_empty());
}

#[test]
fn aux_export_register_and_formatted_references() {
    let dir = tempfile::tempdir().unwrap();
    let (mut lib, _) = library_with_items(dir.path());
    let tex = dir.path().join("paper.tex");
    std::fs::write(&tex, "\\cite{jaspers2019,nobody2000}").unwrap();
    assert_eq!(ops::aux_read(&lib, &tex).unwrap_err().code, "not-found");
    std::fs::write(
        dir.path().join("paper.aux"),
        "\\relax\n\\citation{jaspers2019}\n\\citation{nobody2000}\n",
    )
    .unwrap();
    let a = ops::aux_read(&lib, &tex).unwrap();
    assert_eq!(a.keys, ["jaspers2019"]);
    assert_eq!(a.missing, ["nobody2000"]);
    assert!(!a.registered);
    let out = dir.path().join("paper.bib");
    // Without registering (the user unticked "Protect these keys").
    let r = ops::export_aux(&mut lib, &tex, "bibtex", &out, false).unwrap();
    assert_eq!(r.items, 1);
    let bib = std::fs::read_to_string(&out).unwrap();
    assert!(bib.contains("jaspers2019") && !bib.contains("flores2022"));
    assert!(!ops::aux_read(&lib, &tex).unwrap().registered);
    ops::aux_register(&mut lib, &tex).unwrap();
    assert!(ops::aux_read(&lib, &tex).unwrap().registered);
    let keys = ops::protected_keys(&lib).unwrap();
    assert!(keys
        .iter()
        .any(|k| k.key == "jaspers2019" && k.reason.contains("paper.aux")));
    let e = ops::regenerate_keys(&mut lib, &["jaspers2019".into()], false).unwrap_err();
    assert_eq!(e.code, "protected-key");
    assert_eq!(e.protected.len(), 1);
    assert_eq!(e.protected[0].key, "jaspers2019");
    assert!(e.protected[0].reason.contains("paper.aux"), "{:?}", e.protected);

    let apa = ops::format_references(&lib, &["jaspers2019".into()], "apa").unwrap();
    assert!(apa.starts_with("Jaspers, S."), "{apa}");
    assert!(apa.contains("Temporary use of vacant spaces"), "{apa}");
    let ieee = ops::format_references(&lib, &["jaspers2019".into(), "flores2022".into()], "ieee").unwrap();
    assert_eq!(ieee.lines().count(), 2);
    assert!(ieee.starts_with("[1]"), "{ieee}");
    // Any bundled style by name or Zotero id, and a .csl file.
    let mla = ops::format_references(&lib, &["jaspers2019".into()], "mla").unwrap();
    assert!(mla.starts_with("Jaspers, Sylke"), "{mla}");
    let nature = ops::format_references(&lib, &["jaspers2019".into()], "http://www.zotero.org/styles/nature").unwrap();
    assert!(nature.starts_with("1. Jaspers, S."), "{nature}");
    let e = ops::format_references(&lib, &["jaspers2019".into()], "no-such-style").unwrap_err();
    assert_eq!(e.code, "invalid-input");
    assert!(e.message.contains("folio styles"), "{}", e.message);
    let missing = dir.path().join("missing.csl");
    let e = ops::format_references(&lib, &["jaspers2019".into()], missing.to_str().unwrap()).unwrap_err();
    assert_eq!(e.code, "invalid-input");
    assert!(e.message.contains("missing.csl"), "{}", e.message);
}

#[test]
fn slow_reads_use_a_second_handle_that_sees_committed_changes() {
    let dir = tempfile::tempdir().unwrap();
    let lib = library_with_duplicates(dir.path());
    let state = AppState::from_library(lib, dir.path().join("lib.sqlite"));
    assert_eq!(state.read(ops::duplicates).unwrap().len(), 1);
    state.with(|o| ops::merge_exact(&mut o.library)).unwrap();
    assert!(state.read(ops::duplicates).unwrap().is_empty());
    assert_eq!(AppState::empty().read(ops::duplicates).unwrap_err().code, "no-library");
}

#[test]
fn duplicate_groups_are_kept_until_the_library_changes() {
    let dir = tempfile::tempdir().unwrap();
    let lib = library_with_duplicates(dir.path());
    let state = AppState::from_library(lib, dir.path().join("lib.sqlite"));
    let a = state.duplicates().unwrap();
    assert_eq!(a.len(), 1);
    // Unchanged library: the same result, not a new scan.
    assert!(std::sync::Arc::ptr_eq(&a, &state.duplicates().unwrap()));
    // A change by the app's own handle…
    state.with(|o| ops::merge_exact(&mut o.library)).unwrap();
    let b = state.duplicates().unwrap();
    assert!(b.is_empty());
    assert!(std::sync::Arc::ptr_eq(&b, &state.duplicates().unwrap()));
    // …and by another process (here: another handle) make it scan again.
    let mut other = Library::open(&dir.path().join("lib.sqlite")).unwrap();
    other.undo().unwrap();
    assert_eq!(state.duplicates().unwrap().len(), 1);
    assert_eq!(AppState::empty().duplicates().unwrap_err().code, "no-library");
}

#[test]
fn the_watcher_sees_changes_made_by_another_process_only() {
    use folio_desktop::watch::{Seen, Watcher};
    let dir = tempfile::tempdir().unwrap();
    let (lib, _) = library_with_items(dir.path());
    let path = dir.path().join("lib.sqlite");
    let state = AppState::from_library(lib, path.clone());
    let mut w = Watcher::default();
    assert!(w.poll(&state).is_none(), "the first look is no change");
    assert!(w.poll(&state).is_none());
    // The app's own change is announced by its command, not by the watcher.
    state
        .with(|o| ops::set_access(&mut o.library, "open", &["flores2022".to_string()]))
        .unwrap();
    assert!(w.poll(&state).is_none());
    // Another process (the CLI) adds an item: seen once.
    let mut cli = Library::open(&path).unwrap();
    cli.add(folio::model::Item::new(
        folio::model::ItemType::default(),
        "From the CLI",
    ))
    .unwrap();
    assert_eq!(w.poll(&state), Some(Seen::Outside));
    assert!(w.poll(&state).is_none());
    // While one of the app's actions holds the library the look is skipped, and the change
    // made meanwhile is seen afterwards.
    state
        .with(|_| {
            cli.tag_add("cli", &["jaspers2019".to_string()]).unwrap();
            assert!(w.poll(&state).is_none());
            Ok(())
        })
        .unwrap();
    assert_eq!(w.poll(&state), Some(Seen::Outside));
    // Opening another library is not a change either.
    let other = dir.path().join("other.sqlite");
    state.open(&other).unwrap();
    assert!(w.poll(&state).is_none());
    assert!(w.poll(&state).is_none());
}

#[test]
fn actions_on_all_rows_of_a_filter_take_the_filter_not_the_keys() {
    let dir = tempfile::tempdir().unwrap();
    let (lib, _) = library_with_items(dir.path());
    let open = FilterDto {
        access: vec![AccessDto::Open],
        ..Default::default()
    };
    assert_eq!(
        ops::targets(&lib, vec![], Some(&open)).unwrap(),
        vec!["jaspers2019".to_string()]
    );
    assert_eq!(ops::targets(&lib, vec![], Some(&all())).unwrap().len(), 2);
    assert_eq!(
        ops::targets(&lib, vec!["flores2022".into()], None).unwrap(),
        vec!["flores2022".to_string()]
    );
    let bad = FilterDto {
        query: "year:abc".into(),
        ..Default::default()
    };
    assert_eq!(
        ops::targets(&lib, vec![], Some(&bad)).unwrap_err().code,
        "invalid-query"
    );
}

#[test]
fn a_busy_library_fails_clearly_and_the_next_edit_is_committed() {
    use std::io::BufRead;
    let dir = tempfile::tempdir().unwrap();
    let (lib, _) = library_with_items(dir.path());
    let path = dir.path().join("lib.sqlite");
    drop(lib);
    std::env::set_var("FOLIO_BUSY_TIMEOUT_MS", "300");
    let mut lib = Library::open(&path).unwrap();
    std::env::remove_var("FOLIO_BUSY_TIMEOUT_MS");
    let id = lib.id_of("flores2022").unwrap();
    // Another process holds the write lock.
    let mut hold = std::process::Command::new("python3")
        .args([
            "-c",
            "import sqlite3,sys,time; c=sqlite3.connect(sys.argv[1], isolation_level=None); c.execute('BEGIN IMMEDIATE'); print('locked', flush=True); time.sleep(1.5); c.execute('COMMIT')",
            path.to_str().unwrap(),
        ])
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut line = String::new();
    std::io::BufReader::new(hold.stdout.as_mut().unwrap())
        .read_line(&mut line)
        .unwrap();
    assert_eq!(line.trim(), "locked");
    let e = ops::edit_field(&mut lib, id, "title", "", false).unwrap_err();
    assert_eq!(e.code, "busy", "{e:?}");
    assert!(e.message.contains("library is busy"), "{e:?}");
    assert!(hold.wait().unwrap().success());
    // Free again: the next edit is committed, and another process sees it.
    ops::edit_field(&mut lib, id, "title", "After the wait", false).unwrap();
    let other = Library::open(&path).unwrap();
    assert_eq!(other.get("flores2022").unwrap().title, "After the wait");
    assert_eq!(other.history(5).unwrap().len(), lib.history(5).unwrap().len());
}

/// The app keeps two handles on one library (the second reads the duplicates). Opening the
/// second must not drop the first one's file locks — POSIX drops every lock a process holds on a
/// file when it closes any descriptor of that file — or another program that closes the library
/// (Python's sqlite3 here, the `sqlite3` shell, a backup tool) thinks it was the last user,
/// checkpoints and deletes the WAL under the app, and the app's later writes go to a deleted
/// file: invisible to every other process and lost when the app quits.
#[test]
fn the_second_handle_keeps_the_apps_writes_visible_to_other_programs() {
    let dir = tempfile::tempdir().unwrap();
    let (lib, _) = library_with_items(dir.path());
    let path = dir.path().join("lib.sqlite");
    let state = AppState::from_library(lib, path.clone());
    state
        .with(|o| ops::set_access(&mut o.library, "free", &["flores2022".to_string()]))
        .unwrap();
    // The left pane's duplicate count opens the second handle.
    assert!(state.duplicates().unwrap().is_empty());
    let python = |code: &str| {
        let out = std::process::Command::new("python3")
            .args(["-c", code, path.to_str().unwrap()])
            .output()
            .unwrap();
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        String::from_utf8_lossy(&out.stdout).trim().to_string()
    };
    let count = "import sqlite3,sys; c=sqlite3.connect(sys.argv[1]); print(c.execute('SELECT count(*) FROM items').fetchone()[0]); c.close()";
    // Another program opens the library and closes it again.
    assert_eq!(python(count), "2");
    // The app writes; other programs see it.
    state.with(|o| ops::new_item(&mut o.library, "article", None)).unwrap();
    assert_eq!(python(count), "3");
    assert!(dir.path().join("lib.sqlite-wal").exists(), "the WAL is still there");
    drop(state);
    assert_eq!(python(count), "3", "nothing is lost when the app quits");
}

#[test]
fn the_table_shows_custom_macros_and_math_as_text_and_the_item_keeps_them() {
    let mut lib = Library::open_in_memory().unwrap();
    let bib = "@article{Bt2001, title = {Bt (\\bioname{Bacillus thuringiensis}) and a $^1$H {NMR} study of H$_2$O}, \
               author = {Doe, Jane}, journal = {\\geoname{Lake Erie} Research}, year = 2001, \
               keywords = {Bt (\\bioname{Bacillus thuringiensis}), fish}}\n";
    lib.import_text("bt.bib", bib, &opts(None)).unwrap();
    let page = ops::page(&lib, &all(), &by_title(), 0, 10).unwrap();
    assert_eq!(
        page.rows[0].title,
        "Bt (Bacillus thuringiensis) and a ¹H NMR study of H₂O"
    );
    assert_eq!(page.rows[0].container, "Lake Erie Research");
    // The library and the item pane keep the value as imported, so an export keeps the macro.
    let id = lib.id_of("Bt2001").unwrap();
    let title = &ops::item(&lib, id).unwrap().fields[0].value;
    assert_eq!(
        title,
        "Bt (\\bioname{Bacillus thuringiensis}) and a $^1$H NMR study of H$_2$O"
    );
    // Tags: the name identifies the tag, the label is what the left pane and the item pane show.
    let tags = ops::item(&lib, id).unwrap().tags;
    assert_eq!(
        tags.iter()
            .map(|t| (t.name.as_str(), t.label.as_str()))
            .collect::<Vec<_>>(),
        [
            ("Bt (\\bioname{Bacillus thuringiensis})", "Bt (Bacillus thuringiensis)"),
            ("fish", "fish")
        ]
    );
    let sb = ops::sidebar(&lib, Path::new("unused.sqlite")).unwrap();
    assert!(
        sb.tags
            .iter()
            .any(|t| t.name == "Bt (\\bioname{Bacillus thuringiensis})" && t.label == "Bt (Bacillus thuringiensis)"),
        "{:?}",
        sb.tags
    );
    let mut lib = lib;
    ops::edit_field(&mut lib, id, "year", "2002", false).unwrap();
    let (text, _) = lib
        .export_text(
            &folio::export::Selection::default(),
            &folio::export::ExportOptions::default(),
        )
        .unwrap();
    assert!(text.contains("\\bioname{Bacillus thuringiensis}"), "{text}");
}

/// An old library is upgraded as it opens (seconds for 100k items): meanwhile the status says
/// so, from which version to which, and commands find no library yet (the window shows the
/// upgrade instead of nothing); afterwards it is ready, upgraded, with a backup beside it.
/// Another process's write lock holds the upgrade up here, so the test sees it in progress.
#[test]
fn an_old_library_reports_its_upgrade_while_it_opens_and_then_ready() {
    use std::io::{BufRead, Write};
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("old.sqlite");
    drop(folio::store::Store::open_at_version(&path, 10).unwrap());
    assert_eq!(
        AppState::pending_upgrade(&path),
        Some((10, folio::store::schema_version()))
    );
    let state = AppState::empty();
    assert_eq!(state.status().state, LibraryStateDto::Failed);
    assert_eq!(state.status().code.as_deref(), Some("no-library"));
    let mut hold = std::process::Command::new("python3")
        .args([
            "-c",
            "import sqlite3,sys; c=sqlite3.connect(sys.argv[1], isolation_level=None); c.execute('BEGIN IMMEDIATE'); \
             print('locked', flush=True); sys.stdin.readline(); c.execute('ROLLBACK')",
            path.to_str().unwrap(),
        ])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut line = String::new();
    std::io::BufReader::new(hold.stdout.as_mut().unwrap())
        .read_line(&mut line)
        .unwrap();
    assert_eq!(line.trim(), "locked");
    let opener = {
        let (st, p) = (state.clone(), path.clone());
        std::thread::spawn(move || st.open(&p))
    };
    std::thread::sleep(std::time::Duration::from_millis(100));
    let during = state.status();
    assert_eq!(during.state, LibraryStateDto::Upgrading, "{during:?}");
    assert_eq!(
        (during.from_version, during.to_version),
        (Some(10), Some(folio::store::schema_version()))
    );
    assert_eq!(during.path, path.display().to_string());
    assert_eq!(state.with(|_| Ok(())).unwrap_err().code, "no-library");
    // The other process is done: the upgrade goes through.
    hold.stdin.take().unwrap().write_all(b"\n").unwrap();
    assert!(hold.wait().unwrap().success());
    opener.join().unwrap().unwrap();
    let after = state.status();
    assert_eq!(
        (after.state, after.code.clone()),
        (LibraryStateDto::Ready, None),
        "{after:?}"
    );
    assert!(after.elapsed_ms >= 100, "{after:?}");
    assert_eq!(AppState::pending_upgrade(&path), None);
    assert!(state
        .with(|o| ops::page(&o.library, &all(), &by_title(), 0, 10))
        .unwrap()
        .rows
        .is_empty());
    let backups = std::fs::read_dir(dir.path())
        .unwrap()
        .filter(|e| {
            e.as_ref()
                .unwrap()
                .file_name()
                .to_string_lossy()
                .starts_with("old.sqlite.v10-")
        })
        .count();
    assert_eq!(backups, 1, "a backup of the version 10 library");

    // A file that is no library: the status says why, and the open library stays.
    let text = dir.path().join("notes.txt");
    std::fs::write(&text, "not a library").unwrap();
    assert!(state.open(&text).is_err());
    let failed = state.status();
    assert_eq!(
        (failed.state, failed.code.as_deref()),
        (LibraryStateDto::Failed, Some("not-a-library")),
        "{failed:?}"
    );
    assert!(failed.message.unwrap().contains("notes.txt"));
    assert!(state.with(|o| Ok(o.path.clone())).unwrap() == path);
}

/// Issue 21's drift, through the app's commands: exporting by a dropped `.tex` exports what
/// the `.aux` beside it cites and registers that `.aux` (as `folio export --aux` does), and
/// the keys it cites are protected with a reason the UI can show.
#[test]
fn export_by_a_dropped_tex_registers_its_aux_like_the_cli() {
    let dir = tempfile::tempdir().unwrap();
    let (mut lib, _) = library_with_items(dir.path());
    let tex = dir.path().join("paper.tex");
    std::fs::write(&tex, "\\cite{flores2022}").unwrap();
    std::fs::write(dir.path().join("paper.aux"), "\\citation{flores2022}\n").unwrap();
    let out = dir.path().join("paper.bib");
    let r = ops::export_aux(&mut lib, &tex, "biblatex", &out, true).unwrap();
    assert_eq!(r.items, 1);
    assert!(std::fs::read_to_string(&out).unwrap().contains("flores2022"));
    assert!(ops::aux_read(&lib, &tex).unwrap().registered);
    assert_eq!(lib.aux_files().unwrap().len(), 1);
    let e = ops::regenerate_keys(&mut lib, &["flores2022".into()], false).unwrap_err();
    assert_eq!(e.code, "protected-key");
    assert_eq!(e.protected[0].key, "flores2022");
    assert!(e.protected[0].reason.ends_with("paper.aux"), "{:?}", e.protected);
    // Registering is one undo step of its own.
    assert!(ops::undo(&mut lib).unwrap().starts_with("Register"));
    assert!(!ops::aux_read(&lib, &tex).unwrap().registered);
    // A paper that cites nothing in the library registers nothing.
    std::fs::write(dir.path().join("other.aux"), "\\citation{nobody1900}\n").unwrap();
    let e = ops::export_aux(&mut lib, &dir.path().join("other.aux"), "bibtex", &out, true).unwrap_err();
    assert_eq!(e.code, "nothing-to-do");
    assert!(lib.aux_files().unwrap().is_empty());
}

/// "Select all" keeps a filter; named keys and the filter's items combine without repeats,
/// and naming nothing at all is refused instead of meaning everything.
#[test]
fn targets_combine_keys_and_filter_and_refuse_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let (lib, _) = library_with_items(dir.path());
    let every = ops::targets(&lib, vec![], Some(&all())).unwrap();
    assert_eq!(every.len(), ops::keys(&lib, &all(), &SortDto::default()).unwrap().len());
    let both = ops::targets(&lib, vec!["flores2022".into()], Some(&all())).unwrap();
    assert_eq!(both[0], "flores2022");
    assert_eq!(both.len(), every.len());
    assert_eq!(
        ops::targets(&lib, vec!["flores2022".into()], None).unwrap(),
        ["flores2022"]
    );
    assert_eq!(ops::targets(&lib, vec![], None).unwrap_err().code, "invalid-input");
}

// ----- the typed IPC contract ----------------------------------------------------------------

/// The committed TypeScript types are what the wire types generate: written into a temporary
/// directory and compared. `FOLIO_UPDATE_IPC_TYPES=1` rewrites the committed file instead.
#[test]
fn ipc_types_are_current() {
    let committed = Path::new(env!("CARGO_MANIFEST_DIR")).join(folio_desktop::bindings::PATH);
    let generated = folio_desktop::bindings::typescript();
    if std::env::var_os("FOLIO_UPDATE_IPC_TYPES").is_some() {
        std::fs::write(&committed, &generated).unwrap();
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let fresh = dir.path().join("ipc-types.ts");
    std::fs::write(&fresh, &generated).unwrap();
    let old = std::fs::read_to_string(&committed).unwrap_or_default();
    assert!(
        old == std::fs::read_to_string(&fresh).unwrap(),
        "{} is out of date with the Rust wire types; regenerate it with\n  \
         FOLIO_UPDATE_IPC_TYPES=1 cargo test -p folio-desktop --features custom-protocol --test shell ipc_types\n\
         (or `npm run ipc-types` in ui/), then run `npm run build` in ui/",
        committed.display()
    );
}

/// Each wire enum's text is the core's own (`as_str`, what the UI sent and read as strings
/// before), both ways, for every value the core has.
#[test]
fn wire_enums_carry_the_core_text() {
    use folio::model::{AccessStatus, ItemType, Role, TagSource};
    use folio_desktop::dto::*;
    use serde::{de::DeserializeOwned, Serialize};
    fn same<D, C>(core: C, text: &str)
    where
        D: From<C> + Into<C> + Serialize + DeserializeOwned + std::fmt::Debug + Copy,
        C: PartialEq + std::fmt::Debug + Copy,
    {
        let dto = D::from(core);
        assert_eq!(serde_json::to_value(dto).unwrap(), serde_json::json!(text), "{core:?}");
        let back: D = serde_json::from_value(serde_json::json!(text)).unwrap();
        assert_eq!(back.into(), core, "{text}");
    }
    for &s in &AccessStatus::ALL {
        same::<AccessDto, _>(s, s.as_str());
    }
    for t in ItemType::ALL {
        same::<ItemTypeDto, _>(t.ty, t.name);
    }
    for &r in Role::ALL {
        same::<RoleDto, _>(r, r.as_str());
    }
    for s in [TagSource::Manual, TagSource::Import] {
        same::<TagSourceDto, _>(s, s.as_str());
    }
    for &f in &folio::format::Format::ALL {
        same::<FormatDto, _>(f, f.as_str());
    }
    for &c in folio::cite::CiteStyle::ALL {
        same::<CiteStyleDto, _>(c, c.as_str());
    }
    for s in [folio::Severity::Info, folio::Severity::Warning, folio::Severity::Error] {
        same::<SeverityDto, _>(s, s.as_str());
    }
    use folio::dedupe::Reason;
    for r in [
        Reason::Doi,
        Reason::Isbn,
        Reason::TitleYearAuthor,
        Reason::DoiTitleMismatch,
        Reason::Similar,
        Reason::Preprint,
    ] {
        same::<DuplicateReasonDto, _>(r, r.as_str());
    }
    // The core reads these from text: the wire text is what it reads.
    for &c in SortColumnDto::ALL {
        assert_eq!(c.as_str().parse::<folio::store::search::SortColumn>(), Ok(c.into()));
    }
    for &p in DuplicatePolicyDto::ALL {
        assert_eq!(p.as_str().parse::<folio::import::DuplicatePolicy>(), Ok(p.into()));
        assert_eq!(
            ops::import_options(None, Some(p.as_str()), None).unwrap().duplicates,
            p.into()
        );
    }
    // A value outside the set does not cross.
    assert!(serde_json::from_value::<AccessDto>(serde_json::json!("gratis")).is_err());
}

/// The `library-changed` payload: scopes as the strings the UI branches on.
#[test]
fn library_changed_scopes_on_the_wire() {
    use folio_desktop::events::{ChangeScope, LibraryChanged};
    assert_eq!(
        serde_json::to_value(LibraryChanged::all("Undid: Edit x")).unwrap(),
        serde_json::json!({"scopes": ["items", "collections", "tags"], "action": "Undid: Edit x"})
    );
    let other = LibraryChanged {
        scopes: vec![ChangeScope::Library, ChangeScope::AutoExports],
        action: String::new(),
    };
    assert_eq!(
        serde_json::to_value(other).unwrap()["scopes"],
        serde_json::json!(["library", "auto-exports"])
    );
}

#[cfg(unix)]
#[test]
fn an_import_whose_reader_aborts_fails_and_leaves_the_library_and_window_alone() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let (mut lib, file) = library_with_items(dir.path());
    // A worker that aborts half-way, as a reader did on 8,000 nested `\emph{` before issue 23
    // (that input no longer crashes, so a stand-in plays the crash).
    let crashing = dir.path().join("crashing-worker");
    std::fs::write(
        &crashing,
        "#!/bin/sh\ncat >/dev/null\necho '{\"progress\":{\"entries\":3,\"done\":5,\"total\":9}}'\n\
         echo 'memory allocation of 2500000000 bytes failed' >&2\nkill -ABRT $$\n",
    )
    .unwrap();
    std::fs::set_permissions(&crashing, std::fs::Permissions::from_mode(0o755)).unwrap();
    let mut steps = 0;
    let err = ops::import_files(
        &mut lib,
        &crashing,
        std::slice::from_ref(&file),
        &opts(None),
        &mut |_| steps += 1,
    )
    .unwrap_err();
    assert_eq!((err.code.as_str(), steps), ("crashed", 1), "{err:?}");
    assert!(
        err.message.contains("SIGABRT") && err.message.contains("memory allocation"),
        "{}",
        err.message
    );
    // This process is alive, the library as it was and still usable.
    assert_eq!(ops::page(&lib, &all(), &by_title(), 0, 10).unwrap().total, 2);
    let keep = ops::import_options(None, Some("keep"), None).unwrap();
    assert_eq!(
        ops::import_files(&mut lib, worker(), &[file], &keep, &mut |_| {})
            .unwrap()
            .added,
        2
    );
    // Pasted text goes through the worker too.
    let pasted = ops::import_text(&mut lib, &crashing, "clipboard", "TY  - JOUR\nER  - \n", &opts(None)).unwrap_err();
    assert_eq!(pasted.code, "crashed");
    let r = ops::import_text(
        &mut lib,
        worker(),
        "clipboard",
        "TY  - JOUR\nTI  - Pasted\nER  - \n",
        &opts(None),
    )
    .unwrap();
    assert_eq!((r.added, r.files[0].path.as_str()), (1, "clipboard"));
    assert_eq!(ops::page(&lib, &all(), &by_title(), 0, 10).unwrap().total, 5);
}

#[test]
fn the_watcher_does_not_announce_the_apps_own_imports() {
    use folio_desktop::watch::Watcher;
    let dir = tempfile::tempdir().unwrap();
    let (lib, file) = library_with_items(dir.path());
    let state = AppState::from_library(lib, dir.path().join("lib.sqlite"));
    let keep = ops::import_options(None, Some("keep"), None).unwrap();
    let mut w = Watcher::default();
    assert!(w.poll(&state).is_none());
    // As the import command does: the worker commits, the command notes its own write.
    state
        .with(|o| {
            let r = ops::import_files(
                &mut o.library,
                worker(),
                std::slice::from_ref(&file),
                &keep,
                &mut |_| {},
            );
            state.note_own_write();
            r
        })
        .unwrap();
    assert!(
        w.poll(&state).is_none(),
        "the app's own import is announced by its command"
    );
    // Without the note the worker's commit looks like another program's.
    state
        .with(|o| {
            ops::import_files(
                &mut o.library,
                worker(),
                std::slice::from_ref(&file),
                &keep,
                &mut |_| {},
            )
        })
        .unwrap();
    assert!(w.poll(&state).is_some());
}
