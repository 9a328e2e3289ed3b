//! What each command does, as plain functions over an open library (tested without a window).
//! Every function only converts DTOs and calls one or two core use cases.

use crate::dto::*;
use crate::error::{CmdResult, CommandError};
use crate::state::Open;
use folio::export::{ExportOptions, Selection};
use folio::import::{ImportOptions, Progress};
use folio::model::{AccessStatus, Item, ItemType};
use folio::store::search::Filter;
use folio::Library;
use std::path::{Path, PathBuf};

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
    let f = filter.to_core()?;
    // One query for the whole list (summaries carry the key), not one load per item.
    let rows = lib.list(&f, sort.to_core()?, 0, usize::MAX >> 1)?;
    Ok(rows.into_iter().map(|r| r.key).collect())
}

pub fn sidebar(open: &Open) -> CmdResult<SidebarDto> {
    let lib = &open.library;
    let counts = lib.access_counts()?;
    Ok(SidebarDto {
        library_path: open.path.display().to_string(),
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
                status: s.as_str().to_string(),
                items: counts.iter().find(|(c, _)| c == s).map(|(_, n)| *n).unwrap_or(0),
            })
            .collect(),
    })
}

pub fn item(lib: &Library, id: i64) -> CmdResult<ItemDto> {
    let item = lib.get_by_id(id)?;
    Ok(ItemDto::new(&item, lib.collections_of(id)?, lib.is_in_trash(id)?))
}

fn key_of(lib: &Library, id: i64) -> CmdResult<String> {
    Ok(lib.get_by_id(id)?.key)
}

/// Set one field (`title`, `year`, `date`, `type`, `abstract`, `key`, an extra field…), validated
/// by the core. One undo step.
pub fn edit_field(lib: &mut Library, id: i64, field: &str, value: &str) -> CmdResult<ItemDto> {
    let key = key_of(lib, id)?;
    lib.edit(&key, &[(field.to_string(), value.to_string())], false)?;
    item(lib, id)
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
    let stored = lib.add(Item::new(ty, "Untitled"))?;
    if let Some(c) = collection {
        lib.collection_add(c, std::slice::from_ref(&stored.key))?;
    }
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

fn import_options(collection: Option<String>) -> ImportOptions {
    ImportOptions {
        collection: collection.filter(|c| !c.is_empty()),
        ..Default::default()
    }
}

pub fn import_files(
    lib: &mut Library,
    paths: &[PathBuf],
    collection: Option<String>,
    progress: &mut dyn FnMut(Progress),
) -> CmdResult<ImportReportDto> {
    if paths.is_empty() {
        return Err(CommandError::invalid("no files to import"));
    }
    let report = lib.import_files(paths, &import_options(collection), progress)?;
    Ok(ImportReportDto::from(&report))
}

pub fn import_text(
    lib: &mut Library,
    name: &str,
    text: &str,
    collection: Option<String>,
) -> CmdResult<ImportReportDto> {
    let report = lib.import_text(name, text, &import_options(collection))?;
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
