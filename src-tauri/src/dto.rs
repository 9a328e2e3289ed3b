//! Wire types: the only types that cross IPC. Conversions from the core's types live here.
//! Field names are camelCase on the wire (the UI's TypeScript types in `ui/src/lib/types.ts`
//! mirror these).

use crate::error::{CmdResult, CommandError};
use folio::auto_export::{AutoExport, AutoExportStatus, Scope, SyncResult};
use folio::dedupe::Reason;
use folio::duplicates::{DuplicateGroup, MergeReport};
use folio::export::ExportReport;
use folio::format::Format;
use folio::import::{DuplicateDecision, DuplicatePolicy, FileReport, ImportReport};
use folio::model::{AccessStatus, Creator, Item, Name};
use folio::store::search::{Filter, Sort, SortColumn};
use folio::store::{HistoryEntry, ItemSummary, TagCount};
use folio::{CollectionNode, Diagnostic};
use serde::{Deserialize, Serialize};

/// Which items to show (all parts combine).
#[derive(Debug, Clone, Default, Deserialize, Serialize, PartialEq)]
#[serde(rename_all = "camelCase", default)]
pub struct FilterDto {
    pub collection: Option<i64>,
    pub recursive: bool,
    pub unfiled: bool,
    pub tags: Vec<String>,
    pub access: Vec<String>,
    /// The fielded query (`title:foo year:2020..2022 -bar`).
    pub query: String,
    pub trash: bool,
}

impl FilterDto {
    pub fn to_core(&self) -> CmdResult<Filter> {
        let query = folio::app::parse_query(&self.query)?;
        let access = self
            .access
            .iter()
            .map(|a| parse_access(a))
            .collect::<CmdResult<Vec<_>>>()?;
        Ok(Filter {
            collection: self.collection,
            recursive: self.recursive,
            unfiled: self.unfiled,
            tags: self.tags.clone(),
            access,
            query,
            trash: self.trash,
        })
    }
}

pub fn parse_access(s: &str) -> CmdResult<AccessStatus> {
    s.parse::<AccessStatus>()
        .map_err(|e| CommandError::invalid(format!("access status: {e}")))
}

#[derive(Debug, Clone, Default, Deserialize, Serialize, PartialEq)]
#[serde(rename_all = "camelCase", default)]
pub struct SortDto {
    /// title, creators, year, container, type, access, added, key
    pub column: String,
    pub descending: bool,
}

impl SortDto {
    pub fn to_core(&self) -> CmdResult<Sort> {
        let column = if self.column.is_empty() {
            SortColumn::default()
        } else {
            self.column.parse::<SortColumn>().map_err(CommandError::invalid)?
        };
        Ok(Sort {
            column,
            descending: self.descending,
        })
    }
}

/// One row of the item table.
#[derive(Debug, Clone, Serialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct ItemRowDto {
    pub id: i64,
    pub key: String,
    pub item_type: String,
    pub title: String,
    pub creators: String,
    pub year: Option<i32>,
    pub container: String,
    pub access: String,
    pub date_added: String,
}

/// The table shows values as a reader sees them: `\bioname{Salmo}` as "Salmo", `$^1$H` as "¹H"
/// (the library keeps them as imported; the item pane edits them as they are).
fn shown(s: String) -> String {
    match folio::format::bibtex::display::display_text(&s) {
        std::borrow::Cow::Borrowed(_) => s,
        std::borrow::Cow::Owned(t) => t,
    }
}

impl From<ItemSummary> for ItemRowDto {
    fn from(s: ItemSummary) -> Self {
        ItemRowDto {
            id: s.id,
            key: s.key,
            item_type: s.item_type.as_str().to_string(),
            title: shown(s.title),
            creators: shown(s.creators),
            year: s.year,
            container: shown(s.container),
            access: s.access.as_str().to_string(),
            date_added: s.date_added,
        }
    }
}

/// A page of rows plus the total for the same filter (the table is virtualized).
#[derive(Debug, Clone, Serialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct PageDto {
    pub total: i64,
    pub offset: usize,
    pub rows: Vec<ItemRowDto>,
}

#[derive(Debug, Clone, Default, Deserialize, Serialize, PartialEq)]
#[serde(rename_all = "camelCase", default)]
pub struct CreatorDto {
    pub role: String,
    pub family: String,
    pub given: String,
    pub particle: String,
    pub suffix: String,
    /// An organisation's name (then family/given are empty).
    pub literal: String,
}

impl From<&Creator> for CreatorDto {
    fn from(c: &Creator) -> Self {
        let role = c.role.as_str().to_string();
        match &c.name {
            Name::Person {
                family,
                given,
                particle,
                suffix,
            } => CreatorDto {
                role,
                family: family.clone(),
                given: given.clone(),
                particle: particle.clone(),
                suffix: suffix.clone(),
                literal: String::new(),
            },
            Name::Literal { literal } => CreatorDto {
                role,
                literal: literal.clone(),
                ..Default::default()
            },
        }
    }
}

impl CreatorDto {
    pub fn to_core(&self) -> CmdResult<Creator> {
        let role = if self.role.trim().is_empty() {
            Default::default()
        } else {
            self.role.parse().map_err(CommandError::invalid)?
        };
        let name = if !self.literal.trim().is_empty() {
            Name::Literal {
                literal: self.literal.trim().to_string(),
            }
        } else if !self.family.trim().is_empty() {
            Name::Person {
                family: self.family.trim().to_string(),
                given: self.given.trim().to_string(),
                particle: self.particle.trim().to_string(),
                suffix: self.suffix.trim().to_string(),
            }
        } else {
            return Err(CommandError::invalid(
                "a creator needs a family name or an organisation name",
            ));
        };
        Ok(Creator { role, name })
    }
}

#[derive(Debug, Clone, Serialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct NamedTextDto {
    pub name: String,
    pub value: String,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct SectionDto {
    pub heading: String,
    pub text: String,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct TagDto {
    pub name: String,
    /// The name as a reader sees it (`\bioname{Salmo}` as "Salmo"); `name` identifies the tag.
    pub label: String,
    /// manual or import
    pub source: String,
}

/// A whole item for the item pane.
#[derive(Debug, Clone, Serialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct ItemDto {
    pub id: i64,
    pub key: String,
    pub item_type: String,
    /// The plain text fields by name (title, subtitle, container, …), editable in place.
    pub fields: Vec<NamedTextDto>,
    pub date: String,
    pub year: Option<i32>,
    pub creators: Vec<CreatorDto>,
    pub abstract_sections: Vec<SectionDto>,
    /// The abstract as editable text (sections as "Heading\ntext" paragraphs).
    pub abstract_text: String,
    pub tags: Vec<TagDto>,
    pub access: String,
    pub access_source: String,
    /// Unmapped fields kept from the import, in order.
    pub extra: Vec<NamedTextDto>,
    pub collections: Vec<String>,
    pub in_trash: bool,
    pub date_added: String,
    pub date_modified: String,
}

/// The text fields shown in the item pane, in the core's order: every field `Item::set` takes
/// except the key, which the pane shows on its own.
pub fn pane_fields() -> impl Iterator<Item = &'static str> {
    folio::model::TEXT_FIELDS.iter().copied().filter(|f| *f != "key")
}

impl ItemDto {
    pub fn new(item: &Item, collections: Vec<String>, in_trash: bool) -> ItemDto {
        ItemDto {
            id: item.id.unwrap_or_default(),
            key: item.key.clone(),
            item_type: item.item_type.as_str().to_string(),
            fields: pane_fields()
                .map(|f| NamedTextDto {
                    name: f.to_string(),
                    value: item.get(f).unwrap_or_default(),
                })
                .collect(),
            date: if item.date.raw.is_empty() {
                item.date.iso()
            } else {
                item.date.raw.clone()
            },
            year: item.date.year,
            creators: item.creators.iter().map(CreatorDto::from).collect(),
            abstract_sections: item
                .r#abstract
                .sections()
                .iter()
                .map(|s| SectionDto {
                    heading: s.heading.clone(),
                    text: s.text.clone(),
                })
                .collect(),
            abstract_text: item.r#abstract.flat(true),
            tags: item
                .tags
                .iter()
                .map(|t| TagDto {
                    name: t.name.clone(),
                    label: shown(t.name.clone()),
                    source: t.source.as_str().to_string(),
                })
                .collect(),
            access: item.access.status.as_str().to_string(),
            access_source: item.access.source.clone(),
            extra: item
                .extra
                .iter()
                .map(|e| NamedTextDto {
                    name: e.name.clone(),
                    value: e.value.clone(),
                })
                .collect(),
            collections,
            in_trash,
            date_added: item.date_added.clone(),
            date_modified: item.date_modified.clone(),
        }
    }
}

#[derive(Debug, Clone, Serialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct CollectionDto {
    pub id: i64,
    pub name: String,
    pub path: String,
    pub parent_id: Option<i64>,
    pub items: i64,
    pub children: Vec<CollectionDto>,
}

impl From<&CollectionNode> for CollectionDto {
    fn from(n: &CollectionNode) -> Self {
        CollectionDto {
            id: n.id,
            name: n.name.clone(),
            path: n.path.clone(),
            parent_id: n.parent_id,
            items: n.items,
            children: n.children.iter().map(CollectionDto::from).collect(),
        }
    }
}

#[derive(Debug, Clone, Serialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct TagCountDto {
    pub name: String,
    /// As [`TagDto::label`].
    pub label: String,
    pub items: i64,
    pub imported: i64,
}

impl From<&TagCount> for TagCountDto {
    fn from(t: &TagCount) -> Self {
        TagCountDto {
            name: t.name.clone(),
            label: shown(t.name.clone()),
            items: t.items,
            imported: t.imported,
        }
    }
}

#[derive(Debug, Clone, Serialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct AccessCountDto {
    pub status: String,
    pub items: i64,
}

/// Everything the left pane shows.
#[derive(Debug, Clone, Serialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct SidebarDto {
    pub library_path: String,
    pub total: i64,
    pub unfiled: i64,
    pub trash: i64,
    pub collections: Vec<CollectionDto>,
    pub tags: Vec<TagCountDto>,
    pub access: Vec<AccessCountDto>,
    /// Saved searches (a JabRef file's keyword groups among them), by name.
    pub saved: Vec<SavedSearchDto>,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct DiagnosticDto {
    pub severity: String,
    pub line: Option<usize>,
    pub message: String,
}

impl From<&Diagnostic> for DiagnosticDto {
    fn from(d: &Diagnostic) -> Self {
        DiagnosticDto {
            severity: d.severity.as_str().to_string(),
            line: d.line,
            message: d.message.clone(),
        }
    }
}

#[derive(Debug, Clone, Serialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct FileReportDto {
    pub path: String,
    pub format: String,
    pub encoding: String,
    pub entries: usize,
    pub added: usize,
    pub duplicates: usize,
    pub errors: usize,
    pub keys: Vec<String>,
    pub repairs: Vec<String>,
    /// What the import did with each entry that matched an item (or an earlier entry).
    pub decisions: Vec<DecisionDto>,
    pub diagnostics: Vec<DiagnosticDto>,
}

/// One duplicate decision of an import.
#[derive(Debug, Clone, Serialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct DecisionDto {
    pub line: usize,
    pub entry_key: String,
    pub title: String,
    pub existing_key: String,
    pub reason: String,
    /// skipped, merged, kept or flagged
    pub action: String,
}

impl From<&DuplicateDecision> for DecisionDto {
    fn from(d: &DuplicateDecision) -> Self {
        DecisionDto {
            line: d.line,
            entry_key: d.entry_key.clone(),
            title: d.title.clone(),
            existing_key: d.existing_key.clone(),
            reason: d.reason.as_str().to_string(),
            action: d.action.to_string(),
        }
    }
}

impl From<&FileReport> for FileReportDto {
    fn from(f: &FileReport) -> Self {
        FileReportDto {
            path: f.path.clone(),
            format: f.format.as_str().to_string(),
            encoding: f.encoding.clone(),
            entries: f.entries,
            added: f.added,
            duplicates: f.duplicates,
            errors: f.errors(),
            keys: f.keys.clone(),
            repairs: f.repairs.clone(),
            decisions: f.decisions.iter().map(DecisionDto::from).collect(),
            diagnostics: f.diagnostics.iter().map(DiagnosticDto::from).collect(),
        }
    }
}

#[derive(Debug, Clone, Serialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct ImportReportDto {
    pub added: usize,
    pub duplicates: usize,
    pub errors: usize,
    pub files: Vec<FileReportDto>,
}

impl From<&ImportReport> for ImportReportDto {
    fn from(r: &ImportReport) -> Self {
        ImportReportDto {
            added: r.added(),
            duplicates: r.files.iter().map(|f| f.duplicates).sum(),
            errors: r.errors(),
            files: r.files.iter().map(FileReportDto::from).collect(),
        }
    }
}

/// Streamed through a Channel while an import runs.
#[derive(Debug, Clone, Copy, Serialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct ProgressDto {
    /// Bytes of input read and stored so far, of `total`.
    pub done: u64,
    pub total: u64,
    /// Entries stored so far.
    pub entries: usize,
}

/// What to export: exact keys (the selection), else the filter (collection, tag, whole library).
#[derive(Debug, Clone, Default, Deserialize, Serialize, PartialEq)]
#[serde(rename_all = "camelCase", default)]
pub struct SelectionDto {
    pub keys: Vec<String>,
    pub filter: FilterDto,
}

pub fn parse_format(s: &str) -> CmdResult<Format> {
    s.parse::<Format>()
        .map_err(|e| CommandError::invalid(format!("format: {e}")))
}

#[derive(Debug, Clone, Serialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct ExportReportDto {
    pub items: usize,
    pub written: bool,
    pub diagnostics: Vec<DiagnosticDto>,
}

impl From<&ExportReport> for ExportReportDto {
    fn from(r: &ExportReport) -> Self {
        ExportReportDto {
            items: r.items,
            written: r.written,
            diagnostics: r.diagnostics.iter().map(DiagnosticDto::from).collect(),
        }
    }
}

#[derive(Debug, Clone, Serialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct HistoryDto {
    pub id: i64,
    pub label: String,
    pub at: String,
    pub done: bool,
}

impl From<&HistoryEntry> for HistoryDto {
    fn from(h: &HistoryEntry) -> Self {
        HistoryDto {
            id: h.id,
            label: h.label.clone(),
            at: h.at.clone(),
            done: h.done,
        }
    }
}

pub fn parse_policy(s: Option<&str>) -> CmdResult<DuplicatePolicy> {
    match s {
        None | Some("") => Ok(DuplicatePolicy::default()),
        Some(p) => p.parse().map_err(CommandError::invalid),
    }
}

// ----- duplicates ------------------------------------------------------------------------------

/// A group of items that are (or may be) the same work.
#[derive(Debug, Clone, Serialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct DuplicateGroupDto {
    /// "same DOI", "similar title, same first author", …
    pub reason: String,
    /// duplicate (certain), suggestion (review before merging) or related (a preprint and its
    /// published version: not the same record)
    pub kind: String,
    /// Same DOI or ISBN: merged by "Merge all exact groups".
    pub identifier: bool,
    pub confidence: f64,
    pub keys: Vec<String>,
}

impl From<&DuplicateGroup> for DuplicateGroupDto {
    fn from(g: &DuplicateGroup) -> Self {
        let kind = if g.reason.is_certain() {
            "duplicate"
        } else if g.reason == Reason::Preprint {
            "related"
        } else {
            "suggestion"
        };
        DuplicateGroupDto {
            reason: g.reason.as_str().to_string(),
            kind: kind.to_string(),
            identifier: g.reason.is_identifier(),
            confidence: g.confidence,
            keys: g.keys.clone(),
        }
    }
}

#[derive(Debug, Clone, Serialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct ConflictDto {
    /// The merged item that had the other value.
    pub key: String,
    pub field: String,
    pub kept: String,
    pub other: String,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct MergeReportDto {
    pub kept: String,
    pub merged: Vec<String>,
    pub conflicts: Vec<ConflictDto>,
}

impl From<&MergeReport> for MergeReportDto {
    fn from(r: &MergeReport) -> Self {
        MergeReportDto {
            kept: r.kept.clone(),
            merged: r.merged.clone(),
            conflicts: r
                .conflicts
                .iter()
                .map(|(key, c)| ConflictDto {
                    key: key.clone(),
                    field: c.field.clone(),
                    kept: c.kept.clone(),
                    other: c.other.clone(),
                })
                .collect(),
        }
    }
}

/// The user's pick for one conflicting field of a merge.
#[derive(Debug, Clone, Default, Deserialize, Serialize, PartialEq)]
#[serde(rename_all = "camelCase", default)]
pub struct FieldChoiceDto {
    pub field: String,
    pub value: String,
}

// ----- auto-exports ----------------------------------------------------------------------------

/// What an auto-export contains. `kind`: library, collection (`collectionId`, `recursive`),
/// tag (`name`), access (`status`), search (a saved search's `name`).
#[derive(Debug, Clone, Default, Deserialize, Serialize, PartialEq)]
#[serde(rename_all = "camelCase", default)]
pub struct ScopeDto {
    pub kind: String,
    pub collection_id: Option<i64>,
    pub recursive: bool,
    pub name: String,
    pub status: String,
}

impl ScopeDto {
    pub fn to_core(&self) -> CmdResult<Scope> {
        Ok(match self.kind.as_str() {
            "" | "library" => Scope::Library,
            "collection" => Scope::Collection {
                id: self
                    .collection_id
                    .ok_or_else(|| CommandError::invalid("choose a collection"))?,
                recursive: self.recursive,
            },
            "tag" if !self.name.trim().is_empty() => Scope::Tag {
                name: self.name.trim().to_string(),
            },
            "search" if !self.name.trim().is_empty() => Scope::Search {
                name: self.name.trim().to_string(),
            },
            "tag" | "search" => return Err(CommandError::invalid(format!("choose a {}", self.kind))),
            "access" => Scope::Access {
                status: parse_access(&self.status)?,
            },
            other => return Err(CommandError::invalid(format!("unknown scope {other:?}"))),
        })
    }
}

impl From<&Scope> for ScopeDto {
    fn from(s: &Scope) -> Self {
        match s {
            Scope::Library => ScopeDto {
                kind: "library".into(),
                ..Default::default()
            },
            Scope::Collection { id, recursive } => ScopeDto {
                kind: "collection".into(),
                collection_id: Some(*id),
                recursive: *recursive,
                ..Default::default()
            },
            Scope::Tag { name } => ScopeDto {
                kind: "tag".into(),
                name: name.clone(),
                ..Default::default()
            },
            Scope::Access { status } => ScopeDto {
                kind: "access".into(),
                status: status.as_str().to_string(),
                ..Default::default()
            },
            Scope::Search { name } => ScopeDto {
                kind: "search".into(),
                name: name.clone(),
                ..Default::default()
            },
        }
    }
}

/// An auto-export to register.
#[derive(Debug, Clone, Default, Deserialize, Serialize, PartialEq)]
#[serde(rename_all = "camelCase", default)]
pub struct NewAutoExportDto {
    pub path: String,
    /// bibtex, biblatex or ris
    pub format: String,
    pub scope: ScopeDto,
    /// LaTeX escapes (true) or UTF-8 (false); None: the format's default.
    pub ascii: Option<bool>,
    pub omit_fields: Vec<String>,
}

impl NewAutoExportDto {
    pub fn to_core(&self) -> CmdResult<AutoExport> {
        if self.path.trim().is_empty() {
            return Err(CommandError::invalid("choose a file to export to"));
        }
        parse_format(&self.format)?;
        Ok(AutoExport {
            path: self.path.clone(),
            format: self.format.clone(),
            scope: self.scope.to_core()?,
            ascii: self.ascii,
            omit_fields: self
                .omit_fields
                .iter()
                .map(|f| f.trim().to_string())
                .filter(|f| !f.is_empty())
                .collect(),
        })
    }
}

/// A registered auto-export with its last run.
#[derive(Debug, Clone, Serialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct AutoExportDto {
    pub path: String,
    pub format: String,
    pub scope: ScopeDto,
    /// "collection Thesis with subcollections", from the core.
    pub scope_label: String,
    pub ascii: Option<bool>,
    pub omit_fields: Vec<String>,
    pub last_run_at: Option<String>,
    pub items: Option<i64>,
    pub last_error: Option<String>,
}

impl AutoExportDto {
    pub fn new(s: &AutoExportStatus, scope_label: String) -> AutoExportDto {
        AutoExportDto {
            path: s.export.path.clone(),
            format: s.export.format.clone(),
            scope: ScopeDto::from(&s.export.scope),
            scope_label,
            ascii: s.export.ascii,
            omit_fields: s.export.omit_fields.clone(),
            last_run_at: s.last_run_at.clone(),
            items: s.items,
            last_error: s.last_error.clone(),
        }
    }
}

#[derive(Debug, Clone, Serialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct SyncResultDto {
    pub path: String,
    pub items: usize,
    pub written: bool,
    pub error: Option<String>,
}

impl From<&SyncResult> for SyncResultDto {
    fn from(r: &SyncResult) -> Self {
        SyncResultDto {
            path: r.path.clone(),
            items: r.items,
            written: r.written,
            error: r.error.clone(),
        }
    }
}

#[derive(Debug, Clone, Serialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct SavedSearchDto {
    pub name: String,
    pub query: String,
    /// The collection it searches within (with its subcollections), if any.
    pub collection: Option<i64>,
    pub collection_path: Option<String>,
}

// ----- LaTeX ---------------------------------------------------------------------------------

/// What a `.aux` file cites.
#[derive(Debug, Clone, Serialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct AuxDto {
    /// The `.aux` file read (a dropped `.tex` names the `.aux` beside it).
    pub aux: String,
    /// Keys of the cited items the library has, with crossref parents.
    pub keys: Vec<String>,
    /// Cited keys the library does not have.
    pub missing: Vec<String>,
    /// Already registered (its keys are protected).
    pub registered: bool,
}

/// What fixing citation keys did: (old, new) keys, and the entries whose links followed.
#[derive(Debug, Clone, Serialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct KeyFixDto {
    pub renamed: Vec<(String, String)>,
    pub relinked: Vec<String>,
}

/// Where opening the startup (or last chosen) library stands. A library made by an older
/// version is upgraded as it opens, which takes seconds on a large one: the window shows this
/// meanwhile instead of nothing.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct LibraryStatusDto {
    /// `opening`, `upgrading`, `ready` or `failed`.
    pub state: &'static str,
    pub path: String,
    /// For `upgrading`: the library's schema version and the one this build writes.
    pub from_version: Option<i64>,
    pub to_version: Option<i64>,
    /// For `failed`: why (the error's code and message).
    pub code: Option<String>,
    pub message: Option<String>,
    /// Since the open started.
    pub elapsed_ms: u64,
}
