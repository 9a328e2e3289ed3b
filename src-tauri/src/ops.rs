//! What each command does, as plain functions over an open library (tested without a window).
//! Every function only converts DTOs and calls one or two core use cases.

use crate::dto::*;
use crate::error::{CmdResult, CommandError, ProtectedKeyDto};
use folio::app::{self, isolated, Target};
use folio::export::{ExportOptions, Selection};
use folio::import::{ImportOptions, Progress};
use folio::model::{AccessStatus, Item, ItemType};
use folio::store::search::Filter;
use folio::Library;
use std::path::{Path, PathBuf};
use std::sync::atomic::AtomicBool;
use std::sync::Arc;

/// The most rows one page may ask for.
pub const MAX_PAGE: usize = 2000;

pub fn page(lib: &Library, filter: &FilterDto, sort: &SortDto, offset: usize, limit: usize) -> CmdResult<PageDto> {
    let f = filter.to_core()?;
    let rows = lib.list(&f, sort.to_core()?, offset, limit.min(MAX_PAGE))?;
    Ok(PageDto {
        total: lib.count(&f)?,
        offset,
        rows: rows.into_iter().map(ItemRowDto::from).collect(),
    })
}

/// The rows' keys for a filter, in table order (select all, export of what is shown).
pub fn keys(lib: &Library, filter: &FilterDto, sort: &SortDto) -> CmdResult<Vec<String>> {
    Ok(app::filter_keys(lib, &filter.to_core()?, sort.to_core()?)?)
}

/// The items an action on the selection applies to: the keys the UI names, plus, when the user
/// selected all rows (the UI keeps that as "every row of this filter", not as 100k keys), every
/// row the filter matches now.
pub fn targets(lib: &Library, keys: Vec<String>, filter: Option<&FilterDto>) -> CmdResult<Vec<String>> {
    let target = Target {
        keys,
        filter: filter.map(FilterDto::to_core).transpose()?,
    };
    Ok(app::resolve(lib, &target)?)
}

pub fn sidebar(lib: &Library, path: &Path) -> CmdResult<SidebarDto> {
    let counts = lib.access_counts()?;
    Ok(SidebarDto {
        library_path: path.display().to_string(),
        total: lib.count(&Filter::default())?,
        unfiled: lib.count(&Filter {
            unfiled: true,
            ..Default::default()
        })?,
        trash: lib.count(&Filter {
            trash: true,
            ..Default::default()
        })?,
        collections: lib.collection_tree()?.iter().map(CollectionDto::from).collect(),
        tags: lib.tag_list()?.iter().map(TagCountDto::from).collect(),
        access: AccessStatus::ALL
            .iter()
            .map(|s| AccessCountDto {
                status: (*s).into(),
                items: counts.iter().find(|(c, _)| c == s).map(|(_, n)| *n).unwrap_or(0),
            })
            .collect(),
        saved: saved_searches(lib)?,
    })
}

pub fn item(lib: &Library, id: i64) -> CmdResult<ItemDto> {
    let item = lib.get_by_id(id)?;
    let files = lib.attachments_of(id)?.iter().map(AttachmentDto::from).collect();
    Ok(ItemDto::new(
        &item,
        lib.collections_of(id)?,
        lib.is_in_trash(id)?,
        files,
    ))
}

/// Attach files to item `id` (copies in the library's files folder, or `link`ed where they
/// are): one undo step. The item as it is then.
pub fn attach_files(lib: &mut Library, id: i64, paths: &[PathBuf], link: bool) -> CmdResult<ItemDto> {
    let key = key_of(lib, id)?;
    let mode = if link {
        folio::library::AttachMode::Link
    } else {
        folio::library::AttachMode::Store
    };
    lib.attach(&key, paths, mode)?;
    item(lib, id)
}

/// Read PDFs in `worker`: this program (its `main` serves `folio::pdf::WORKER_ARG`), or the
/// built app when the shell's tests run the commands.
pub fn use_pdf_worker(lib: &mut Library, worker: &Path) {
    lib.set_pdf_worker(folio::pdf::Worker::with_program(worker));
}

/// Detach attachment `attachment` from item `id` (the file stays): one undo step.
pub fn detach(lib: &mut Library, id: i64, attachment: i64) -> CmdResult<ItemDto> {
    let key = key_of(lib, id)?;
    lib.detach(&key, &attachment.to_string())?;
    item(lib, id)
}

/// "Locate…": point item `id`'s missing attachment `attachment` at the file `path` the user
/// picked (one undo step); the item then, and a warning when the content differs.
pub fn locate(lib: &mut Library, id: i64, attachment: i64, path: &Path) -> CmdResult<LocatedDto> {
    let key = key_of(lib, id)?;
    let r = lib.locate_attachment(&key, &attachment.to_string(), path)?;
    Ok(LocatedDto {
        item: item(lib, id)?,
        warning: r.warning,
    })
}

/// "Find missing files…": search `folder` for every missing file and relink those found (one
/// undo step).
pub fn find_missing(lib: &mut Library, folder: &Path) -> CmdResult<MissingReportDto> {
    let r = lib.find_missing_files(folder, false, folio::library::WalkLimits::default())?;
    Ok(MissingReportDto::from(&r))
}

/// Where attachment `attachment`'s file is, to open it; an error naming the file when it is
/// missing.
pub fn attachment_file(lib: &Library, attachment: i64) -> CmdResult<PathBuf> {
    let (_, f) = lib
        .attachment_by_id(attachment)?
        .ok_or_else(|| CommandError::invalid(format!("no attachment {attachment}")))?;
    match (f.file, f.missing) {
        (Some(p), false) => Ok(p),
        (p, _) => Err(CommandError::invalid(format!(
            "the file of {} is missing{}",
            f.attachment.title,
            p.map(|p| format!(" ({})", p.display())).unwrap_or_default()
        ))),
    }
}

/// The most the built-in viewer is sent (the PDF reader's own limit on a file).
pub const MAX_VIEWER_BYTES: u64 = 512 << 20;

/// Where attachment `attachment`'s PDF is, for the built-in viewer: a PDF attached to an item
/// of this library, its file present.
pub fn attachment_pdf(lib: &Library, attachment: i64) -> CmdResult<PathBuf> {
    let (_, f) = lib
        .attachment_by_id(attachment)?
        .ok_or_else(|| CommandError::invalid(format!("no attachment {attachment}")))?;
    if f.attachment.mime != "application/pdf" {
        return Err(CommandError::invalid(format!(
            "{} is not a PDF ({}): open it in the system's viewer",
            f.attachment.title, f.attachment.mime
        )));
    }
    attachment_file(lib, attachment)
}

/// A PDF's bytes for the viewer: a regular file of at most [`MAX_VIEWER_BYTES`].
pub fn read_pdf(path: &Path) -> CmdResult<Vec<u8>> {
    let len = std::fs::metadata(path)
        .map_err(|e| CommandError::new("io", format!("cannot read {}: {e}", path.display())))?
        .len();
    if len > MAX_VIEWER_BYTES {
        return Err(CommandError::invalid(format!(
            "{} is too large for the built-in viewer ({} MB, at most {} MB): open it in the system's viewer",
            path.display(),
            len >> 20,
            MAX_VIEWER_BYTES >> 20
        )));
    }
    Ok(folio::library::read_attachment(path, MAX_VIEWER_BYTES)?)
}

fn key_of(lib: &Library, id: i64) -> CmdResult<String> {
    Ok(lib.get_by_id(id)?.key)
}

/// Set one field (`title`, `year`, `date`, `type`, `abstract`, `key`, an extra field…), validated
/// by the core. One undo step.
/// `force` confirms changing a protected citation key (the UI asks first, after a
/// `protected-key` error that names the keys and why they are protected).
pub fn edit_field(lib: &mut Library, id: i64, field: &str, value: &str, force: bool) -> CmdResult<ItemDto> {
    let key = key_of(lib, id)?;
    lib.edit(&key, &[(field.to_string(), value.to_string())], force)?;
    item(lib, id)
}

/// The keys a paper depends on (registered `.aux` files, auto-exports), with why.
pub fn protected_keys(lib: &Library) -> CmdResult<Vec<ProtectedKeyDto>> {
    Ok(lib
        .protected_keys()?
        .into_iter()
        .map(|(key, reason)| ProtectedKeyDto { key, reason })
        .collect())
}

/// New keys from the library's pattern. Returns (old, new) pairs that changed. One undo step.
pub fn regenerate_keys(lib: &mut Library, keys: &[String], force: bool) -> CmdResult<Vec<(String, String)>> {
    Ok(lib.regenerate_keys(keys, None, force)?)
}

/// Keys that LaTeX tools reject (`D'Ambrosio2007`) or that differ from another only in case
/// renamed to valid ones; links of other entries follow. `force` confirms changing protected
/// keys. One undo step.
pub fn fix_keys(lib: &mut Library, keys: &[String], force: bool) -> CmdResult<crate::dto::KeyFixDto> {
    let f = lib.fix_keys(keys, force, false)?;
    Ok(crate::dto::KeyFixDto {
        renamed: f.renamed,
        relinked: f.relinked,
    })
}

/// Replace the creators (add, remove, reorder, change a role). One undo step.
pub fn set_creators(lib: &mut Library, id: i64, creators: &[CreatorDto]) -> CmdResult<ItemDto> {
    let mut it = lib.get_by_id(id)?;
    it.creators = creators.iter().map(CreatorDto::to_core).collect::<CmdResult<_>>()?;
    lib.update(it)?;
    item(lib, id)
}

/// A new, empty item (filed in `collection` when given). Returns its id.
pub fn new_item(lib: &mut Library, item_type: &str, collection: Option<&str>) -> CmdResult<i64> {
    let ty = if item_type.is_empty() {
        ItemType::default()
    } else {
        item_type.parse().map_err(CommandError::invalid)?
    };
    let stored = lib.add_in(Item::new(ty, "Untitled"), collection.filter(|c| !c.is_empty()))?;
    Ok(stored.id.unwrap_or_default())
}

pub fn set_access(lib: &mut Library, status: &str, keys: &[String]) -> CmdResult<usize> {
    Ok(lib.access_set(parse_access(status)?, keys)?)
}

pub fn undo(lib: &mut Library) -> CmdResult<String> {
    Ok(lib.undo()?)
}

pub fn redo(lib: &mut Library) -> CmdResult<String> {
    Ok(lib.redo()?)
}

pub fn history(lib: &Library, limit: usize) -> CmdResult<Vec<HistoryDto>> {
    Ok(lib.history(limit)?.iter().map(HistoryDto::from).collect())
}

/// `parent/name` from an optional parent path and a name.
pub fn child_path(parent: Option<&str>, name: &str) -> CmdResult<String> {
    let name = name.trim();
    if name.is_empty() {
        return Err(CommandError::invalid("a collection needs a name"));
    }
    if name.contains('/') {
        return Err(CommandError::invalid("a collection name cannot contain '/'"));
    }
    Ok(match parent {
        Some(p) if !p.is_empty() => format!("{p}/{name}"),
        _ => name.to_string(),
    })
}

pub fn collection_create(lib: &mut Library, parent: Option<&str>, name: &str) -> CmdResult<i64> {
    Ok(lib.collection_create(&child_path(parent, name)?)?)
}

/// Import options from the UI's choices: the target collection, the duplicate policy (`skip`,
/// `merge`, `keep`; default skip) and the cancel flag of this import.
pub fn import_options(
    collection: Option<String>,
    duplicates: Option<&str>,
    cancel: Option<Arc<AtomicBool>>,
) -> CmdResult<ImportOptions> {
    Ok(ImportOptions {
        collection: collection.filter(|c| !c.is_empty()),
        duplicates: parse_policy(duplicates)?,
        cancel,
        ..Default::default()
    })
}

/// Import files in a worker process (`worker`, this program: `folio::app::isolated`): a reader
/// that aborts on a hostile file ends only the worker, the import fails with code `crashed`
/// and the library is unchanged. A library without a file (in memory) imports in-process.
pub fn import_files(
    lib: &mut Library,
    worker: &Path,
    paths: &[PathBuf],
    opts: &ImportOptions,
    progress: &mut dyn FnMut(Progress),
) -> CmdResult<ImportReportDto> {
    if paths.is_empty() {
        return Err(CommandError::invalid("no files to import"));
    }
    // PDFs and folders become references with their files (each PDF read in a worker
    // process); the rest is reference text.
    let (pdfs, texts): (Vec<PathBuf>, Vec<PathBuf>) = paths
        .iter()
        .cloned()
        .partition(|p| folio::library::pdf_import::is_pdf_input(p));
    let pdf_reports = if pdfs.is_empty() {
        Vec::new()
    } else {
        use_pdf_worker(lib, worker);
        let pdf_opts = folio::library::pdf_import::PdfImportOptions {
            collection: opts.collection.clone(),
            cancel: opts.cancel.clone(),
            ..Default::default()
        };
        lib.import_pdfs(&pdfs, &pdf_opts, &mut |done, total, _| {
            progress(Progress {
                entries: done,
                bytes_done: done as u64,
                bytes_total: total as u64,
            });
            true
        })?
    };
    let report = match (texts.is_empty(), lib.store().path().map(Path::to_path_buf)) {
        (true, _) => folio::import::ImportReport::default(),
        (false, Some(library)) => {
            let req = isolated::Request::new(&library, isolated::Source::Files(texts), opts);
            isolated::import(worker, &req, opts.cancel.as_deref(), progress)?
        }
        (false, None) => lib.import_files(&texts, opts, progress)?,
    };
    Ok(ImportReportDto::from(&report).with_pdfs(&pdf_reports))
}

/// Import pasted text, in a worker process like [`import_files`].
pub fn import_text(
    lib: &mut Library,
    worker: &Path,
    name: &str,
    text: &str,
    opts: &ImportOptions,
) -> CmdResult<ImportReportDto> {
    let report = match lib.store().path().map(Path::to_path_buf) {
        Some(library) => {
            let source = isolated::Source::Text {
                name: name.to_string(),
                text: text.to_string(),
            };
            let req = isolated::Request::new(&library, source, opts);
            isolated::import(worker, &req, opts.cancel.as_deref(), &mut |_| {})?
        }
        None => lib.import_text(name, text, opts)?,
    };
    Ok(ImportReportDto::from(&report))
}

fn selection(sel: &SelectionDto) -> CmdResult<Selection> {
    Ok(Selection {
        filter: sel.filter.to_core()?,
        keys: sel.keys.clone(),
    })
}

pub fn export_file(lib: &Library, sel: &SelectionDto, format: &str, path: &Path) -> CmdResult<ExportReportDto> {
    let opts = ExportOptions {
        format: parse_format(format)?,
        ..Default::default()
    };
    Ok(ExportReportDto::from(&lib.export_file(
        &selection(sel)?,
        &opts,
        path,
    )?))
}

pub fn export_text(lib: &Library, sel: &SelectionDto, format: &str) -> CmdResult<String> {
    let opts = ExportOptions {
        format: parse_format(format)?,
        ..Default::default()
    };
    Ok(lib.export_text(&selection(sel)?, &opts)?.0)
}

// ----- duplicates ------------------------------------------------------------------------------

pub fn duplicates(lib: &Library) -> CmdResult<Vec<DuplicateGroupDto>> {
    Ok(lib.duplicates()?.iter().map(DuplicateGroupDto::from).collect())
}

/// Whole items by key, in the order asked (the side-by-side view of a group).
pub fn items_by_keys(lib: &Library, keys: &[String]) -> CmdResult<Vec<ItemDto>> {
    keys.iter()
        .map(|k| {
            let id = lib.id_of(k)?;
            item(lib, id)
        })
        .collect()
}

/// Merge `others` into `keep`, then set the user's pick for each conflicting field. One undo
/// step.
pub fn merge(
    lib: &mut Library,
    keep: &str,
    others: &[String],
    choices: &[FieldChoiceDto],
) -> CmdResult<MergeReportDto> {
    let choices: Vec<(String, String)> = choices.iter().map(|c| (c.field.clone(), c.value.clone())).collect();
    Ok(MergeReportDto::from(&lib.merge_choosing(keep, others, &choices)?))
}

/// Merge every same-DOI / same-ISBN group. One undo step.
pub fn merge_exact(lib: &mut Library) -> CmdResult<Vec<MergeReportDto>> {
    Ok(lib
        .merge_identifier_groups()?
        .iter()
        .map(MergeReportDto::from)
        .collect())
}

// ----- auto-exports ----------------------------------------------------------------------------

pub fn auto_exports(lib: &Library) -> CmdResult<Vec<AutoExportDto>> {
    Ok(lib
        .auto_exports()?
        .iter()
        .map(|s| AutoExportDto::new(s, lib.scope_label(&s.export.scope)))
        .collect())
}

/// Register an auto-export and write it now. Undoable.
pub fn auto_export_add(lib: &mut Library, export: &NewAutoExportDto) -> CmdResult<SyncResultDto> {
    Ok(SyncResultDto::from(&lib.auto_export_add(export.to_core()?)?))
}

pub fn auto_export_remove(lib: &mut Library, path: &str) -> CmdResult<()> {
    Ok(lib.auto_export_remove(path)?)
}

/// Bring every auto-export up to date now.
pub fn auto_export_run(lib: &mut Library) -> CmdResult<Vec<SyncResultDto>> {
    Ok(lib.sync_auto_exports()?.iter().map(SyncResultDto::from).collect())
}

/// Save the search in the box, within the collection on view (with its subcollections).
pub fn search_save(lib: &mut Library, name: &str, query: &str, collection: Option<&str>) -> CmdResult<()> {
    Ok(app::save_search(lib, name, query, collection, collection.is_some())?)
}

pub fn search_delete(lib: &mut Library, name: &str) -> CmdResult<()> {
    Ok(lib.search_delete(name)?)
}

pub fn saved_searches(lib: &Library) -> CmdResult<Vec<SavedSearchDto>> {
    Ok(lib
        .saved_searches()?
        .into_iter()
        .map(|s| SavedSearchDto {
            name: s.name,
            query: s.query,
            collection: s.collection_id,
            // A collection deleted since leaves the search unscoped (the core does the same).
            collection_path: s.collection_id.and_then(|c| lib.collection_path(c).ok()),
        })
        .collect())
}

// ----- LaTeX -------------------------------------------------------------------------------------

/// What a `.aux` (or the `.aux` beside a `.tex`) cites.
pub fn aux_read(lib: &Library, path: &Path) -> CmdResult<AuxDto> {
    let c = app::cited(lib, path)?;
    Ok(AuxDto {
        aux: c.aux.display().to_string(),
        keys: c.keys,
        missing: c.missing,
        registered: c.registered,
    })
}

/// Export exactly the entries an `.aux` (or the `.aux` beside a `.tex`) cites, with crossref
/// parents, to `out`; with `register` the `.aux` is registered too (its keys become
/// protected), as `folio export --aux` does.
pub fn export_aux(
    lib: &mut Library,
    path: &Path,
    format: &str,
    out: &Path,
    register: bool,
) -> CmdResult<ExportReportDto> {
    let opts = ExportOptions {
        format: parse_format(format)?,
        ..Default::default()
    };
    let r = app::export_cited(lib, path, &opts, Some(out), register)?;
    Ok(ExportReportDto::from(&r.report))
}

/// Register an `.aux` (or the `.aux` beside a `.tex`): the keys it cites become protected.
/// Undoable.
pub fn aux_register(lib: &mut Library, path: &Path) -> CmdResult<()> {
    Ok(lib.aux_add(&app::aux_path(path)?)?)
}

/// Formatted reference-list entries of the items, one per line, in the order given. The style
/// is any name `folio::cite::CslStyle::resolve` takes: a quick choice (`apa`), a bundled style
/// (`nature`, `http://www.zotero.org/styles/vancouver`) or a `.csl` file's path.
pub fn format_references(lib: &Library, keys: &[String], style: &str) -> CmdResult<String> {
    let style = folio::cite::CslStyle::resolve(style).map_err(|e| CommandError::invalid(e.to_string()))?;
    Ok(app::references(lib, keys, &style)?.join("\n"))
}
