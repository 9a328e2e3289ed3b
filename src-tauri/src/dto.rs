//! Wire types: the only types that cross IPC. Conversions from the core's types live here.
//! Field names are camelCase on the wire (the UI's TypeScript types in `ui/src/lib/types.ts`
//! mirror these).

use crate::error::{CmdResult, CommandError};
use folio::export::ExportReport;
use folio::format::Format;
use folio::import::{FileReport, ImportReport};
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
        let query =
            folio::query::parse(&self.query).map_err(|e| CommandError::new("invalid-query", format!("search: {e}")))?;
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

impl From<ItemSummary> for ItemRowDto {
    fn from(s: ItemSummary) -> Self {
        ItemRowDto {
            id: s.id,
            key: s.key,
            item_type: s.item_type.as_str().to_string(),
            title: s.title,
            creators: s.creators,
            year: s.year,
            container: s.container,
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

/// The text fields shown in the item pane, in this order (names the core's `Item::set` takes).
pub const PANE_FIELDS: &[&str] = &[
    "title",
    "subtitle",
    "shorttitle",
    "container",
    "series",
    "volume",
    "issue",
    "pages",
    "edition",
    "publisher",
    "place",
    "institution",
    "doi",
    "issn",
    "isbn",
    "url",
    "language",
    "genre",
    "note",
];

impl ItemDto {
    pub fn new(item: &Item, collections: Vec<String>, in_trash: bool) -> ItemDto {
        ItemDto {
            id: item.id.unwrap_or_default(),
            key: item.key.clone(),
            item_type: item.item_type.as_str().to_string(),
            fields: PANE_FIELDS
                .iter()
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
    pub items: i64,
    pub imported: i64,
}

impl From<&TagCount> for TagCountDto {
    fn from(t: &TagCount) -> Self {
        TagCountDto {
            name: t.name.clone(),
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
    pub diagnostics: Vec<DiagnosticDto>,
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
