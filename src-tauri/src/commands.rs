//! Tauri commands: each one runs its `ops` function on a blocking worker thread (never the main
//! thread), and announces changes with a `library-changed` event.

use crate::dto::*;
use crate::error::{CmdResult, CommandError};
use crate::events::changed;
use crate::events::ChangeScope::{self, AutoExports, Collections, Items, Library, Tags};
use crate::indexer::{self, Indexer};
use crate::ops;
use crate::state::{AppState, Open};
use std::path::PathBuf;
use tauri::ipc::Channel;
use tauri::{AppHandle, Manager, Runtime, State};

/// Run `f` on the open library off the main thread.
async fn run<T: Send + 'static>(
    state: &State<'_, AppState>,
    f: impl FnOnce(&mut Open) -> CmdResult<T> + Send + 'static,
) -> CmdResult<T> {
    let st = state.inner().clone();
    tauri::async_runtime::spawn_blocking(move || st.with(f))
        .await
        .map_err(|e| CommandError::new("internal", format!("worker failed: {e}")))?
}

fn all_scopes() -> Vec<ChangeScope> {
    vec![Items, Collections, Tags]
}

// ----- reading -----------------------------------------------------------------------------

#[tauri::command]
pub async fn list_page(
    state: State<'_, AppState>,
    filter: FilterDto,
    sort: SortDto,
    offset: usize,
    limit: usize,
) -> CmdResult<PageDto> {
    run(&state, move |o| ops::page(&o.library, &filter, &sort, offset, limit)).await
}

#[tauri::command]
pub async fn list_keys(state: State<'_, AppState>, filter: FilterDto, sort: SortDto) -> CmdResult<Vec<String>> {
    run(&state, move |o| ops::keys(&o.library, &filter, &sort)).await
}

#[tauri::command]
pub async fn sidebar(state: State<'_, AppState>) -> CmdResult<SidebarDto> {
    run(&state, |o| ops::sidebar(&o.library, &o.path)).await
}

#[tauri::command]
pub async fn get_item(state: State<'_, AppState>, id: i64) -> CmdResult<ItemDto> {
    run(&state, move |o| ops::item(&o.library, id)).await
}

#[tauri::command]
pub async fn history(state: State<'_, AppState>, limit: usize) -> CmdResult<Vec<HistoryDto>> {
    run(&state, move |o| ops::history(&o.library, limit)).await
}

// ----- the library file --------------------------------------------------------------------

/// Where opening the library stands (an old library is upgraded as it opens): answered at once,
/// even while the open runs.
#[tauri::command]
pub fn library_status(state: State<'_, AppState>) -> LibraryStatusDto {
    state.status()
}

/// Open (or create, when missing) another library file.
#[tauri::command]
pub async fn open_library<R: Runtime>(
    app: AppHandle<R>,
    state: State<'_, AppState>,
    path: String,
) -> CmdResult<String> {
    let st = state.inner().clone();
    let p = PathBuf::from(&path);
    // A pass over the old library stops; the new one's pending files are read next.
    if let Some(ix) = app.try_state::<Indexer>() {
        ix.cancel();
    }
    let opened = tauri::async_runtime::spawn_blocking(move || st.open(&p))
        .await
        .map_err(|e| CommandError::new("internal", e.to_string()))?;
    indexer::start(&app);
    opened?;
    changed(&app, vec![Library, Items, Collections, Tags], format!("Opened {path}"));
    // The local API serves the library that is open, and its shared library (if any) syncs.
    crate::server::restart(app.clone()).await;
    crate::share::restart(&app);
    Ok(path)
}

// ----- editing -----------------------------------------------------------------------------

#[tauri::command]
pub async fn edit_field<R: Runtime>(
    app: AppHandle<R>,
    state: State<'_, AppState>,
    id: i64,
    field: String,
    value: String,
    force: Option<bool>,
) -> CmdResult<ItemDto> {
    let force = force.unwrap_or(false);
    let r = run(&state, move |o| {
        ops::edit_field(&mut o.library, id, &field, &value, force)
    })
    .await?;
    changed(&app, vec![Items], format!("Edit {}", r.key));
    Ok(r)
}

#[tauri::command]
pub async fn set_creators<R: Runtime>(
    app: AppHandle<R>,
    state: State<'_, AppState>,
    id: i64,
    creators: Vec<CreatorDto>,
) -> CmdResult<ItemDto> {
    let r = run(&state, move |o| ops::set_creators(&mut o.library, id, &creators)).await?;
    changed(&app, vec![Items], format!("Edit {}", r.key));
    Ok(r)
}

#[tauri::command]
pub async fn new_item<R: Runtime>(
    app: AppHandle<R>,
    state: State<'_, AppState>,
    item_type: ItemTypeDto,
    collection: Option<String>,
) -> CmdResult<i64> {
    let r = run(&state, move |o| {
        ops::new_item(&mut o.library, item_type.as_str(), collection.as_deref())
    })
    .await?;
    changed(&app, all_scopes(), "New item");
    Ok(r)
}

#[tauri::command]
pub async fn delete_items<R: Runtime>(
    app: AppHandle<R>,
    state: State<'_, AppState>,
    keys: Vec<String>,
    filter: Option<FilterDto>,
) -> CmdResult<usize> {
    let n = run(&state, move |o| {
        let keys = ops::targets(&o.library, keys, filter.as_ref())?;
        Ok(o.library.delete(&keys)?)
    })
    .await?;
    changed(&app, all_scopes(), format!("Moved {n} to the trash"));
    Ok(n)
}

#[tauri::command]
pub async fn restore_items<R: Runtime>(
    app: AppHandle<R>,
    state: State<'_, AppState>,
    keys: Vec<String>,
    filter: Option<FilterDto>,
) -> CmdResult<usize> {
    let n = run(&state, move |o| {
        let keys = ops::targets(&o.library, keys, filter.as_ref())?;
        Ok(o.library.restore(&keys)?)
    })
    .await?;
    changed(&app, all_scopes(), format!("Restored {n}"));
    Ok(n)
}

#[tauri::command]
pub async fn empty_trash<R: Runtime>(app: AppHandle<R>, state: State<'_, AppState>) -> CmdResult<usize> {
    let n = run(&state, |o| Ok(o.library.empty_trash()?)).await?;
    changed(&app, all_scopes(), format!("Emptied the trash ({n})"));
    Ok(n)
}

#[tauri::command]
pub async fn set_access<R: Runtime>(
    app: AppHandle<R>,
    state: State<'_, AppState>,
    status: AccessDto,
    keys: Vec<String>,
    filter: Option<FilterDto>,
) -> CmdResult<usize> {
    let n = run(&state, move |o| {
        let keys = ops::targets(&o.library, keys, filter.as_ref())?;
        ops::set_access(&mut o.library, status.as_str(), &keys)
    })
    .await?;
    changed(&app, vec![Items], "Access changed");
    Ok(n)
}

#[tauri::command]
pub async fn undo<R: Runtime>(app: AppHandle<R>, state: State<'_, AppState>) -> CmdResult<String> {
    let label = run(&state, |o| ops::undo(&mut o.library)).await?;
    changed(&app, all_scopes(), format!("Undid: {label}"));
    Ok(label)
}

#[tauri::command]
pub async fn redo<R: Runtime>(app: AppHandle<R>, state: State<'_, AppState>) -> CmdResult<String> {
    let label = run(&state, |o| ops::redo(&mut o.library)).await?;
    changed(&app, all_scopes(), format!("Redid: {label}"));
    Ok(label)
}

// ----- collections and tags ------------------------------------------------------------------

#[tauri::command]
pub async fn collection_create<R: Runtime>(
    app: AppHandle<R>,
    state: State<'_, AppState>,
    parent: Option<String>,
    name: String,
) -> CmdResult<i64> {
    let id = run(&state, move |o| {
        ops::collection_create(&mut o.library, parent.as_deref(), &name)
    })
    .await?;
    changed(&app, vec![Collections], "New collection");
    Ok(id)
}

#[tauri::command]
pub async fn collection_rename<R: Runtime>(
    app: AppHandle<R>,
    state: State<'_, AppState>,
    path: String,
    name: String,
) -> CmdResult<()> {
    run(&state, move |o| Ok(o.library.collection_rename(&path, name.trim())?)).await?;
    changed(&app, vec![Collections, Items], "Renamed collection");
    Ok(())
}

/// Nest a collection under another (`parent` None: to the top level).
#[tauri::command]
pub async fn collection_move<R: Runtime>(
    app: AppHandle<R>,
    state: State<'_, AppState>,
    path: String,
    parent: Option<String>,
) -> CmdResult<()> {
    run(&state, move |o| {
        Ok(o.library.collection_move(&path, parent.as_deref())?)
    })
    .await?;
    changed(&app, vec![Collections, Items], "Moved collection");
    Ok(())
}

#[tauri::command]
pub async fn collection_delete<R: Runtime>(
    app: AppHandle<R>,
    state: State<'_, AppState>,
    path: String,
) -> CmdResult<()> {
    run(&state, move |o| Ok(o.library.collection_delete(&path)?)).await?;
    changed(&app, all_scopes(), "Deleted collection");
    Ok(())
}

#[tauri::command]
pub async fn collection_add<R: Runtime>(
    app: AppHandle<R>,
    state: State<'_, AppState>,
    path: String,
    keys: Vec<String>,
    filter: Option<FilterDto>,
) -> CmdResult<usize> {
    let n = run(&state, move |o| {
        let keys = ops::targets(&o.library, keys, filter.as_ref())?;
        Ok(o.library.collection_add(&path, &keys)?)
    })
    .await?;
    changed(&app, all_scopes(), format!("Added {n} to collection"));
    Ok(n)
}

#[tauri::command]
pub async fn collection_remove<R: Runtime>(
    app: AppHandle<R>,
    state: State<'_, AppState>,
    path: String,
    keys: Vec<String>,
    filter: Option<FilterDto>,
) -> CmdResult<usize> {
    let n = run(&state, move |o| {
        let keys = ops::targets(&o.library, keys, filter.as_ref())?;
        Ok(o.library.collection_remove(&path, &keys)?)
    })
    .await?;
    changed(&app, all_scopes(), format!("Removed {n} from collection"));
    Ok(n)
}

#[tauri::command]
pub async fn tag_add<R: Runtime>(
    app: AppHandle<R>,
    state: State<'_, AppState>,
    tag: String,
    keys: Vec<String>,
    filter: Option<FilterDto>,
) -> CmdResult<usize> {
    let n = run(&state, move |o| {
        let keys = ops::targets(&o.library, keys, filter.as_ref())?;
        Ok(o.library.tag_add(&tag, &keys)?)
    })
    .await?;
    changed(&app, vec![Items, Tags], format!("Tagged {n}"));
    Ok(n)
}

#[tauri::command]
pub async fn tag_remove<R: Runtime>(
    app: AppHandle<R>,
    state: State<'_, AppState>,
    tag: String,
    keys: Vec<String>,
    filter: Option<FilterDto>,
) -> CmdResult<usize> {
    let n = run(&state, move |o| {
        let keys = ops::targets(&o.library, keys, filter.as_ref())?;
        Ok(o.library.tag_remove(&tag, &keys)?)
    })
    .await?;
    changed(&app, vec![Items, Tags], format!("Untagged {n}"));
    Ok(n)
}

#[tauri::command]
pub async fn tag_rename<R: Runtime>(
    app: AppHandle<R>,
    state: State<'_, AppState>,
    old: String,
    new: String,
) -> CmdResult<usize> {
    let n = run(&state, move |o| Ok(o.library.tag_rename(&old, &new)?)).await?;
    changed(&app, vec![Items, Tags], "Renamed tag");
    Ok(n)
}

#[tauri::command]
pub async fn tag_delete<R: Runtime>(app: AppHandle<R>, state: State<'_, AppState>, tag: String) -> CmdResult<usize> {
    let n = run(&state, move |o| Ok(o.library.tag_delete(&tag)?)).await?;
    changed(&app, vec![Items, Tags], "Deleted tag");
    Ok(n)
}

// ----- attachments ---------------------------------------------------------------------------

/// Attach files to item `id`: copies kept in the library's files folder, or with `link` the
/// files where they are. One undo step; the item as it is then.
#[tauri::command]
pub async fn attach_files<R: Runtime>(
    app: AppHandle<R>,
    state: State<'_, AppState>,
    id: i64,
    paths: Vec<String>,
    link: Option<bool>,
) -> CmdResult<ItemDto> {
    let paths: Vec<PathBuf> = paths.into_iter().map(PathBuf::from).collect();
    let link = link.unwrap_or(false);
    let r = run(&state, move |o| ops::attach_files(&mut o.library, id, &paths, link)).await?;
    changed(&app, vec![Items], format!("Attached to {}", r.key));
    indexer::start(&app);
    Ok(r)
}

/// Detach attachment `attachment` from item `id` (its file stays; undo brings it back).
#[tauri::command]
pub async fn detach_attachment<R: Runtime>(
    app: AppHandle<R>,
    state: State<'_, AppState>,
    id: i64,
    attachment: i64,
) -> CmdResult<ItemDto> {
    let r = run(&state, move |o| ops::detach(&mut o.library, id, attachment)).await?;
    changed(&app, vec![Items], format!("Detached from {}", r.key));
    Ok(r)
}

/// "Locate…": point item `id`'s missing attachment at the file `path` the user picked. One undo
/// step; the item as it is then, with a warning when the file's content differs.
#[tauri::command]
pub async fn locate_attachment<R: Runtime>(
    app: AppHandle<R>,
    state: State<'_, AppState>,
    id: i64,
    attachment: i64,
    path: String,
) -> CmdResult<LocatedDto> {
    let path = PathBuf::from(path);
    let r = run(&state, move |o| ops::locate(&mut o.library, id, attachment, &path)).await?;
    changed(&app, vec![Items], format!("Located a file of {}", r.item.key));
    Ok(r)
}

/// "Find missing files…": search `folder` (the user picked it) for every missing file and
/// relink those found, in one undo step; what was found, what is still missing or ambiguous.
#[tauri::command]
pub async fn find_missing_files<R: Runtime>(
    app: AppHandle<R>,
    state: State<'_, AppState>,
    folder: String,
) -> CmdResult<MissingReportDto> {
    let folder = PathBuf::from(folder);
    let r = run(&state, move |o| ops::find_missing(&mut o.library, &folder)).await?;
    if !r.relinked.is_empty() {
        changed(
            &app,
            vec![Items],
            format!("Relinked {} missing file(s)", r.relinked.len()),
        );
    }
    Ok(r)
}

/// Open an attachment's file in the system's viewer. Only attachments' files can be opened,
/// by id: the webview names no path and has no opener permission of its own.
/// `FOLIO_OPEN_WITH` names another program (the tests' recorder).
#[tauri::command]
pub async fn open_attachment(state: State<'_, AppState>, attachment: i64) -> CmdResult<()> {
    let path = run(&state, move |o| ops::attachment_file(&o.library, attachment)).await?;
    let with = std::env::var("FOLIO_OPEN_WITH").ok().filter(|w| !w.is_empty());
    tauri_plugin_opener::open_path(&path, with.as_deref())
        .map_err(|e| CommandError::new("io", format!("cannot open {}: {e}", path.display())))
}

/// Extract and index the text of attachments that need it, on a second handle of the
/// library so the window keeps reading while it runs; progress (files done of total) through
/// `on_progress`.
#[tauri::command]
pub async fn fulltext_index<R: Runtime>(
    app: AppHandle<R>,
    state: State<'_, AppState>,
    on_progress: Channel<ProgressDto>,
) -> CmdResult<FulltextReportDto> {
    let path = run(&state, |o| {
        o.library
            .store()
            .path()
            .map(std::path::Path::to_path_buf)
            .ok_or_else(|| CommandError::invalid("a library in memory has no files to index"))
    })
    .await?;
    let worker = state.import_worker();
    let report = tauri::async_runtime::spawn_blocking(move || -> CmdResult<FulltextReportDto> {
        let mut lib = folio::Library::open(&path)?;
        ops::use_pdf_worker(&mut lib, &worker);
        let r = lib.index_fulltext(&Default::default(), &mut |p| {
            let _ = on_progress.send(ProgressDto {
                done: p.done as u64,
                total: p.total as u64,
                entries: p.done,
            });
            true
        })?;
        Ok(FulltextReportDto::from(&r))
    })
    .await
    .map_err(|e| CommandError::new("internal", format!("worker failed: {e}")))??;
    if report.indexed + report.failed + report.no_text > 0 {
        changed(&app, vec![Items], format!("Indexed {} files", report.indexed));
    }
    Ok(report)
}

/// A PDF attachment's bytes, for the built-in viewer (pdf.js in the webview): only the files
/// of the open library's PDF attachments, by attachment id (the webview names no path and
/// reads no file itself). Sent as raw bytes (an `ArrayBuffer` in the UI), not JSON.
#[tauri::command]
pub async fn attachment_pdf(state: State<'_, AppState>, attachment: i64) -> CmdResult<tauri::ipc::Response> {
    let path = run(&state, move |o| ops::attachment_pdf(&o.library, attachment)).await?;
    let bytes = tauri::async_runtime::spawn_blocking(move || ops::read_pdf(&path))
        .await
        .map_err(|e| CommandError::new("internal", format!("worker failed: {e}")))??;
    Ok(tauri::ipc::Response::new(bytes))
}

/// Read the text of the open library's pending attachments in the background (see
/// `indexer`); progress comes as `fulltext-progress` events.
#[tauri::command]
pub fn fulltext_start<R: Runtime>(app: AppHandle<R>) {
    indexer::start(&app);
}

/// Stop the background indexing before its next file. Returns whether it was running.
#[tauri::command]
pub fn fulltext_cancel(indexer: State<'_, Indexer>) -> bool {
    indexer.cancel()
}

/// Where the background indexing stands (the UI asks once at start, then follows the events).
#[tauri::command]
pub fn fulltext_progress(indexer: State<'_, Indexer>) -> IndexProgressDto {
    indexer.progress()
}

/// The pages of item `id`'s attachments that `query` matches (its `fulltext:` terms; with
/// `everything`, its plain words too), with snippets.
#[tauri::command]
pub async fn fulltext_hits(
    state: State<'_, AppState>,
    id: i64,
    query: String,
    everything: Option<bool>,
) -> CmdResult<Vec<FulltextHitDto>> {
    run(&state, move |o| {
        let key = o.library.get_by_id(id)?.key;
        Ok(o.library
            .fulltext_hits(&key, &query, everything.unwrap_or(false))?
            .into_iter()
            .map(|h| FulltextHitDto {
                attachment: h.attachment,
                title: h.title,
                page: h.page,
                snippet: h.snippet,
            })
            .collect())
    })
    .await
}

// ----- import and export ---------------------------------------------------------------------

/// Import files (paths only cross IPC); progress streams through `on_progress`. `duplicates`:
/// skip (default), merge or keep entries already in the library. `import_cancel` stops it.
#[tauri::command]
pub async fn import_files<R: Runtime>(
    app: AppHandle<R>,
    state: State<'_, AppState>,
    paths: Vec<String>,
    collection: Option<String>,
    duplicates: Option<DuplicatePolicyDto>,
    on_progress: Channel<ProgressDto>,
) -> CmdResult<ImportReportDto> {
    let paths: Vec<PathBuf> = paths.into_iter().map(PathBuf::from).collect();
    let cancel = state.begin_import();
    let opts = ops::import_options(collection, duplicates.map(|d| d.as_str()), Some(cancel.clone()));
    let (worker, st) = (state.import_worker(), state.inner().clone());
    let report = match opts {
        Ok(opts) => {
            run(&state, move |o| {
                let mut last = 0u64;
                let mut progress = |p: folio::import::Progress| {
                    // At most ~200 messages per import.
                    let step = (p.bytes_total / 200).max(1);
                    if p.bytes_done == p.bytes_total || p.bytes_done >= last + step || p.bytes_done == 0 {
                        last = p.bytes_done;
                        let _ = on_progress.send(ProgressDto {
                            done: p.bytes_done,
                            total: p.bytes_total,
                            entries: p.entries,
                        });
                    }
                };
                let r = ops::import_files(&mut o.library, &worker, &paths, &opts, &mut progress);
                // The worker's commit is this app's own change, announced below.
                st.note_own_write();
                r
            })
            .await
        }
        Err(e) => Err(e),
    };
    state.end_import(&cancel);
    let report = report?;
    changed(&app, all_scopes(), format!("Imported {}", report.added));
    // Files named by the imported records (and PDFs whose text was not read) are read now.
    indexer::start(&app);
    Ok(report)
}

/// Stop the running import: it fails with code `cancelled` and the library is unchanged.
/// Returns whether an import was running.
#[tauri::command]
pub fn import_cancel(state: State<'_, AppState>) -> bool {
    state.cancel_import()
}

/// Import pasted text (BibTeX, RIS, copied search results, Folio JSON).
#[tauri::command]
pub async fn import_text<R: Runtime>(
    app: AppHandle<R>,
    state: State<'_, AppState>,
    text: String,
    collection: Option<String>,
    duplicates: Option<DuplicatePolicyDto>,
) -> CmdResult<ImportReportDto> {
    let opts = ops::import_options(collection, duplicates.map(|d| d.as_str()), None)?;
    let (worker, st) = (state.import_worker(), state.inner().clone());
    let report = run(&state, move |o| {
        let r = ops::import_text(&mut o.library, &worker, "clipboard", &text, &opts);
        st.note_own_write();
        r
    })
    .await?;
    changed(&app, all_scopes(), format!("Imported {}", report.added));
    indexer::start(&app);
    Ok(report)
}

#[tauri::command]
pub async fn export_file(
    state: State<'_, AppState>,
    selection: SelectionDto,
    format: FormatDto,
    path: String,
) -> CmdResult<ExportReportDto> {
    run(&state, move |o| {
        ops::export_file(&o.library, &selection, format.as_str(), &PathBuf::from(path))
    })
    .await
}

#[tauri::command]
pub async fn export_text(state: State<'_, AppState>, selection: SelectionDto, format: FormatDto) -> CmdResult<String> {
    run(&state, move |o| {
        ops::export_text(&o.library, &selection, format.as_str())
    })
    .await
}

// ----- citation keys -------------------------------------------------------------------------

/// Keys LaTeX tools reject made valid (see `ops::fix_keys`); `force` confirms changing
/// protected keys.
#[tauri::command]
pub async fn fix_keys<R: Runtime>(
    app: AppHandle<R>,
    state: State<'_, AppState>,
    keys: Vec<String>,
    filter: Option<FilterDto>,
    force: Option<bool>,
) -> CmdResult<crate::dto::KeyFixDto> {
    let force = force.unwrap_or(false);
    let r = run(&state, move |o| {
        let keys = ops::targets(&o.library, keys, filter.as_ref())?;
        ops::fix_keys(&mut o.library, &keys, force)
    })
    .await?;
    changed(&app, vec![Items], format!("Fixed {} key(s)", r.renamed.len()));
    Ok(r)
}

/// New keys from the library's pattern; `force` confirms changing protected keys.
#[tauri::command]
pub async fn regenerate_keys<R: Runtime>(
    app: AppHandle<R>,
    state: State<'_, AppState>,
    keys: Vec<String>,
    filter: Option<FilterDto>,
    force: Option<bool>,
) -> CmdResult<Vec<(String, String)>> {
    let force = force.unwrap_or(false);
    let r = run(&state, move |o| {
        let keys = ops::targets(&o.library, keys, filter.as_ref())?;
        ops::regenerate_keys(&mut o.library, &keys, force)
    })
    .await?;
    changed(&app, vec![Items], format!("Regenerated {} key(s)", r.len()));
    Ok(r)
}

#[tauri::command]
pub async fn protected_keys(state: State<'_, AppState>) -> CmdResult<Vec<crate::error::ProtectedKeyDto>> {
    run(&state, |o| ops::protected_keys(&o.library)).await
}

/// Formatted references of the items, one a line: the style is a quick choice (`CiteStyle`:
/// apa, chicago-author-date, ieee, harvard), any bundled CSL style's name or id, or a `.csl`
/// file's path.
#[tauri::command]
pub async fn format_references(
    state: State<'_, AppState>,
    keys: Vec<String>,
    filter: Option<FilterDto>,
    style: String,
) -> CmdResult<String> {
    run(&state, move |o| {
        let keys = ops::targets(&o.library, keys, filter.as_ref())?;
        ops::format_references(&o.library, &keys, &style)
    })
    .await
}

// ----- duplicates ------------------------------------------------------------------------------

/// Duplicate groups, read on the second handle: a large library takes a moment, and edits,
/// scrolling and imports must not wait for it. Kept until the library changes.
#[tauri::command]
pub async fn duplicates(state: State<'_, AppState>) -> CmdResult<Vec<DuplicateGroupDto>> {
    let st = state.inner().clone();
    let groups = tauri::async_runtime::spawn_blocking(move || st.duplicates())
        .await
        .map_err(|e| CommandError::new("internal", format!("worker failed: {e}")))??;
    Ok(groups.as_ref().clone())
}

/// How many duplicate groups there are (the left pane's count): the cached groups' length,
/// without sending the groups.
#[tauri::command]
pub async fn duplicate_count(state: State<'_, AppState>) -> CmdResult<usize> {
    let st = state.inner().clone();
    tauri::async_runtime::spawn_blocking(move || st.duplicates().map(|g| g.len()))
        .await
        .map_err(|e| CommandError::new("internal", format!("worker failed: {e}")))?
}

#[tauri::command]
pub async fn items_by_keys(state: State<'_, AppState>, keys: Vec<String>) -> CmdResult<Vec<ItemDto>> {
    run(&state, move |o| ops::items_by_keys(&o.library, &keys)).await
}

/// Merge `others` into `keep` with the user's pick for conflicting fields. One undo step.
#[tauri::command]
pub async fn merge_items<R: Runtime>(
    app: AppHandle<R>,
    state: State<'_, AppState>,
    keep: String,
    others: Vec<String>,
    choices: Vec<FieldChoiceDto>,
) -> CmdResult<MergeReportDto> {
    let r = run(&state, move |o| ops::merge(&mut o.library, &keep, &others, &choices)).await?;
    changed(
        &app,
        all_scopes(),
        format!("Merged {} into {}", r.merged.join(", "), r.kept),
    );
    Ok(r)
}

/// Merge every same-DOI / same-ISBN group. One undo step.
#[tauri::command]
pub async fn merge_exact<R: Runtime>(app: AppHandle<R>, state: State<'_, AppState>) -> CmdResult<Vec<MergeReportDto>> {
    let r = run(&state, |o| ops::merge_exact(&mut o.library)).await?;
    changed(&app, all_scopes(), format!("Merged {} duplicate groups", r.len()));
    Ok(r)
}

// ----- auto-exports ----------------------------------------------------------------------------

#[tauri::command]
pub async fn auto_exports(state: State<'_, AppState>) -> CmdResult<Vec<AutoExportDto>> {
    run(&state, |o| ops::auto_exports(&o.library)).await
}

#[tauri::command]
pub async fn auto_export_add<R: Runtime>(
    app: AppHandle<R>,
    state: State<'_, AppState>,
    export: NewAutoExportDto,
) -> CmdResult<SyncResultDto> {
    let r = run(&state, move |o| ops::auto_export_add(&mut o.library, &export)).await?;
    changed(&app, vec![AutoExports], format!("Auto-export to {}", r.path));
    Ok(r)
}

#[tauri::command]
pub async fn auto_export_remove<R: Runtime>(
    app: AppHandle<R>,
    state: State<'_, AppState>,
    path: String,
) -> CmdResult<()> {
    let p = path.clone();
    run(&state, move |o| ops::auto_export_remove(&mut o.library, &p)).await?;
    changed(&app, vec![AutoExports], format!("Removed auto-export {path}"));
    Ok(())
}

#[tauri::command]
pub async fn auto_export_run(state: State<'_, AppState>) -> CmdResult<Vec<SyncResultDto>> {
    run(&state, |o| ops::auto_export_run(&mut o.library)).await
}

#[tauri::command]
pub async fn saved_searches(state: State<'_, AppState>) -> CmdResult<Vec<SavedSearchDto>> {
    run(&state, |o| ops::saved_searches(&o.library)).await
}

/// Save (or replace) the search `query` as `name`, within `collection` (a path, with its
/// subcollections) when given. One undo step.
#[tauri::command]
pub async fn search_save<R: Runtime>(
    app: AppHandle<R>,
    state: State<'_, AppState>,
    name: String,
    query: String,
    collection: Option<String>,
) -> CmdResult<()> {
    let label = format!("Saved search {}", name.trim());
    run(&state, move |o| {
        ops::search_save(&mut o.library, &name, &query, collection.as_deref())
    })
    .await?;
    changed(&app, vec![Collections], label);
    Ok(())
}

#[tauri::command]
pub async fn search_delete<R: Runtime>(app: AppHandle<R>, state: State<'_, AppState>, name: String) -> CmdResult<()> {
    let label = format!("Deleted saved search {name}");
    run(&state, move |o| ops::search_delete(&mut o.library, &name)).await?;
    changed(&app, vec![Collections], label);
    Ok(())
}

// ----- LaTeX -------------------------------------------------------------------------------------

/// What a dropped `.aux` (or the `.aux` beside a dropped `.tex`) cites.
#[tauri::command]
pub async fn aux_read(state: State<'_, AppState>, path: String) -> CmdResult<AuxDto> {
    run(&state, move |o| ops::aux_read(&o.library, &PathBuf::from(path))).await
}

/// Export exactly what an `.aux` cites (with crossref parents) to `out`, and register the
/// `.aux` unless `register` is false (its keys become protected; undoable).
#[tauri::command]
pub async fn export_aux<R: Runtime>(
    app: AppHandle<R>,
    state: State<'_, AppState>,
    path: String,
    format: FormatDto,
    out: String,
    register: Option<bool>,
) -> CmdResult<ExportReportDto> {
    let register = register.unwrap_or(true);
    let r = run(&state, move |o| {
        ops::export_aux(
            &mut o.library,
            &PathBuf::from(&path),
            format.as_str(),
            &PathBuf::from(out),
            register,
        )
    })
    .await?;
    if register {
        changed(&app, vec![AutoExports], "Registered the .aux");
    }
    Ok(r)
}

/// Register an `.aux`: its cited keys become protected. Undoable.
#[tauri::command]
pub async fn aux_register<R: Runtime>(app: AppHandle<R>, state: State<'_, AppState>, path: String) -> CmdResult<()> {
    let p = path.clone();
    run(&state, move |o| ops::aux_register(&mut o.library, &PathBuf::from(p))).await?;
    changed(&app, vec![AutoExports], format!("Registered {path}"));
    Ok(())
}

// ----- the local HTTP API ------------------------------------------------------------------

/// Whether the local API is on, its settings and where it listens.
#[tauri::command]
pub fn server_status(server: State<'_, crate::server::Server>) -> ServerStatusDto {
    server.status()
}

/// Save the local API's settings and restart it with them.
#[tauri::command]
pub async fn server_configure<R: Runtime>(
    app: AppHandle<R>,
    server: State<'_, crate::server::Server>,
    settings: ServerSettingsDto,
) -> CmdResult<ServerStatusDto> {
    crate::server::configure(app, settings).await?;
    Ok(server.status())
}

/// The UI's selection (keys, or every row of a filter), for cite-as-you-write's
/// `selected=true`.
#[tauri::command]
pub fn selection_changed(server: State<'_, crate::server::Server>, keys: Vec<String>, filter: Option<FilterDto>) {
    server.set_selection(keys, filter);
}

/// The citation picker's answer: the keys picked, or null when cancelled.
#[tauri::command]
pub fn cayw_answer<R: Runtime>(
    app: AppHandle<R>,
    server: State<'_, crate::server::Server>,
    picked: Option<Vec<CitationDto>>,
) -> bool {
    let answered = server.answer(picked.map(|p| p.into_iter().map(Into::into).collect()));
    if let Some(w) = tauri::Manager::get_webview_window(&app, crate::server::PICKER) {
        let _ = w.close();
    }
    answered
}

/// The locator labels the citation picker offers (page, chapter, section…).
#[tauri::command]
pub fn locator_labels() -> Vec<LocatorLabelDto> {
    folio::app::cayw::LOCATOR_LABELS
        .iter()
        .map(|(label, short)| LocatorLabelDto {
            label: (*label).to_string(),
            short: (*short).to_string(),
        })
        .collect()
}

/// The CSL styles bundled with Folio, by title (any of them, or a `.csl` file's path, is what
/// `format_references` takes).
#[tauri::command]
pub fn cite_styles() -> Vec<BundledStyleDto> {
    let mut v: Vec<BundledStyleDto> = folio::cite::bundled_styles()
        .into_iter()
        .map(|s| BundledStyleDto {
            name: s.name.to_string(),
            title: s.title.to_string(),
        })
        .collect();
    v.sort_by_key(|s| s.title.to_lowercase());
    v
}

/// Whether a style can be used (a bundled name or a readable `.csl` file): its title, or why
/// not.
#[tauri::command]
pub async fn check_style(style: String) -> CmdResult<String> {
    tauri::async_runtime::spawn_blocking(move || {
        folio::cite::CslStyle::resolve(&style)
            .map(|s| s.to_string())
            .map_err(|e| CommandError::invalid(e.to_string()))
    })
    .await
    .map_err(|e| CommandError::new("internal", e.to_string()))?
}

// ----- shared libraries (issue 27) -----------------------------------------------------------

/// What the Share library dialog suggests (the file's name, `user@machine`).
#[tauri::command]
pub fn share_defaults(state: State<'_, AppState>) -> CmdResult<ShareDefaultsDto> {
    let path = state
        .library_path()
        .ok_or_else(|| CommandError::new("no-library", "no library is open"))?;
    Ok(ShareDefaultsDto {
        library_name: folio::app::share::default_library_name(&path),
        author: folio::app::share::default_author(),
    })
}

/// Share the open library through a PostgreSQL server: the connection is tested first (the
/// error says why it failed); then the sync runs while the library is open.
#[tauri::command]
pub async fn remote_connect<R: Runtime>(
    app: AppHandle<R>,
    url: String,
    library_name: String,
    author: String,
) -> CmdResult<SyncStatusDto> {
    crate::share::connect(&app, &url, &library_name, &author).await
}

/// Stop sharing the open library (it stays as it is).
#[tauri::command]
pub async fn remote_disconnect<R: Runtime>(app: AppHandle<R>) -> CmdResult<SyncStatusDto> {
    crate::share::disconnect(&app)
}

/// Where the sync stands (also sent as `sync-status` events).
#[tauri::command]
pub fn sync_status(sharing: State<'_, crate::share::Sharing>) -> SyncStatusDto {
    sharing.status()
}

/// Sync now (also when nothing changed here, or while offline).
#[tauri::command]
pub fn sync_now(sharing: State<'_, crate::share::Sharing>) -> SyncStatusDto {
    sharing.wake(true);
    sharing.status()
}

/// The conflicts waiting for a choice.
#[tauri::command]
pub async fn sync_conflicts(state: State<'_, AppState>) -> CmdResult<Vec<SyncConflictDto>> {
    run(&state, |o| crate::share::conflicts(&o.library)).await
}

/// Keep mine or take theirs for the conflict on `field` of the object `uuid`.
#[tauri::command]
pub async fn resolve_conflict<R: Runtime>(
    app: AppHandle<R>,
    state: State<'_, AppState>,
    uuid: String,
    field: String,
    take: TakeDto,
) -> CmdResult<()> {
    run(&state, move |o| {
        crate::share::resolve(&mut o.library, &uuid, &field, take)
    })
    .await?;
    changed(&app, all_scopes(), "Resolved a conflict");
    Ok(())
}

/// Who changed the item `key` in the shared library, newest first.
#[tauri::command]
pub async fn shared_history<R: Runtime>(app: AppHandle<R>, key: String) -> CmdResult<Vec<SharedHistoryDto>> {
    crate::share::history(&app, &key).await
}
