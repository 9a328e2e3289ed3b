//! The UI's TypeScript types, generated from the wire types with `ts-rs`: every DTO, the event
//! payloads and the error shape, plus the closed sets' values as constants. They are written to
//! one file, [`PATH`], which is committed; the shell's test `ipc_types_are_current` fails when
//! it differs from what this module generates. After changing a wire type, regenerate it with
//!
//! ```text
//! FOLIO_UPDATE_IPC_TYPES=1 cargo test -p folio-desktop --features custom-protocol --test shell ipc_types
//! ```
//!
//! (or `npm run ipc-types` in `ui/`), then `npm run build` in `ui/` shows every place in the UI
//! that the change breaks.

use crate::dto::*;
use crate::error::{CommandError, ProtectedKeyDto};
use crate::events::{ChangeScope, LibraryChanged};
use std::fmt::Write;
use ts_rs::{Config, TS};

/// Where the generated types live, relative to the repository root.
pub const PATH: &str = "ui/src/lib/ipc-types.ts";

/// `export type …` for each type, with its doc comment.
macro_rules! declare {
    ($out:expr, $cfg:expr, $($t:ty),+ $(,)?) => {
        $(
            if let Some(docs) = <$t as TS>::docs() {
                $out.push_str(&docs);
            }
            let _ = writeln!($out, "export {}\n", one_field_a_line(&<$t as TS>::decl($cfg)));
        )+
    };
}

/// An object type's fields one a line (ts-rs writes them on one line, their doc comments
/// inline), so that a changed field is a one-line change of the generated file.
fn one_field_a_line(decl: &str) -> String {
    let (Some(open), true) = (decl.find("= { "), decl.ends_with(" };")) else {
        return decl.to_string();
    };
    let body = &decl[open + 4..decl.len() - 3];
    let b = body.as_bytes();
    let mut fields = Vec::new();
    let (mut depth, mut start, mut in_str, mut in_comment) = (0i32, 0, false, false);
    let mut i = 0;
    while i < b.len() {
        if in_comment {
            if b[i..].starts_with(b"*/") {
                in_comment = false;
                i += 1;
            }
        } else if in_str {
            match b[i] {
                b'\\' => i += 1,
                b'"' => in_str = false,
                _ => {}
            }
        } else {
            match b[i] {
                b'"' => in_str = true,
                b'/' if b[i..].starts_with(b"/*") => in_comment = true,
                b'{' | b'[' | b'(' | b'<' => depth += 1,
                b'}' | b']' | b')' | b'>' => depth -= 1,
                b',' if depth == 0 => {
                    fields.push(body[start..i].trim());
                    start = i + 1;
                }
                _ => {}
            }
        }
        i += 1;
    }
    fields.push(body[start..].trim());
    let mut out = format!("{}{{\n", &decl[..open + 2]);
    for field in fields.into_iter().filter(|f| !f.is_empty()) {
        for line in field.lines() {
            let _ = writeln!(out, "  {line}");
        }
        out.insert(out.len() - 1, ',');
    }
    out.push_str("};");
    out
}

/// `export const NAME: Type[] = [...]`: the values of a closed set, in the core's order.
fn values(out: &mut String, name: &str, ty: &str, values: impl IntoIterator<Item = &'static str>) {
    let list: Vec<String> = values.into_iter().map(|v| format!("{v:?}")).collect();
    let _ = writeln!(out, "export const {name}: {ty}[] = [{}];\n", list.join(", "));
}

/// The whole generated file.
pub fn typescript() -> String {
    // JavaScript numbers hold every id and count the library has (53-bit integers).
    let cfg = &Config::new().with_large_int("number");
    let mut out = String::from(
        "// Generated from the Rust wire types (src-tauri/src/dto.rs, events.rs, error.rs) by\n\
         // src-tauri/src/bindings.rs. Do not edit: run `npm run ipc-types` in ui/ to regenerate.\n\n",
    );
    declare!(
        out,
        cfg,
        // Closed sets
        AccessDto,
        ItemTypeDto,
        RoleDto,
        TagSourceDto,
        SortColumnDto,
        FormatDto,
        DuplicatePolicyDto,
        DuplicateReasonDto,
        DecisionActionDto,
        DuplicateKindDto,
        SeverityDto,
        CiteStyleDto,
        ScopeKindDto,
        LibraryStateDto,
        ChangeScope,
        // Reading
        FilterDto,
        SortDto,
        ItemRowDto,
        PageDto,
        CreatorDto,
        NamedTextDto,
        SectionDto,
        TagDto,
        ItemDto,
        AttachmentDto,
        FulltextReportDto,
        FulltextHitDto,
        IndexProgressDto,
        LocatedDto,
        MissingFileDto,
        MissingReportDto,
        CollectionDto,
        TagCountDto,
        AccessCountDto,
        SidebarDto,
        SavedSearchDto,
        HistoryDto,
        LibraryStatusDto,
        // Import and export
        DiagnosticDto,
        DecisionDto,
        FileReportDto,
        ImportReportDto,
        PdfReportDto,
        PdfFieldDto,
        ProgressDto,
        SelectionDto,
        ExportReportDto,
        // Duplicates
        DuplicateGroupDto,
        ConflictDto,
        MergeReportDto,
        FieldChoiceDto,
        // Auto-exports, LaTeX, keys
        ScopeDto,
        NewAutoExportDto,
        AutoExportDto,
        ServerSettingsDto,
        ServerStatusDto,
        BundledStyleDto,
        CitationDto,
        LocatorLabelDto,
        SyncResultDto,
        AuxDto,
        KeyFixDto,
        ProtectedKeyDto,
        // Shared libraries
        SyncStateDto,
        SyncStatusDto,
        SharedKindDto,
        SyncConflictDto,
        TakeDto,
        SharedChangeKindDto,
        SharedHistoryDto,
        ShareDefaultsDto,
        // Events and errors
        LibraryChanged,
        CommandError,
    );
    values(
        &mut out,
        "ACCESS_STATUSES",
        "AccessStatus",
        AccessDto::ALL.iter().map(|v| v.as_str()),
    );
    values(
        &mut out,
        "ITEM_TYPES",
        "ItemType",
        ItemTypeDto::ALL.iter().map(|v| v.as_str()),
    );
    values(&mut out, "ROLES", "Role", RoleDto::ALL.iter().map(|v| v.as_str()));
    out.truncate(out.trim_end().len());
    out.push('\n');
    out
}
