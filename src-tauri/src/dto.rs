//! Wire types: the only types that cross IPC. Conversions from the core's types live here.
//! Field names are camelCase on the wire. The UI's TypeScript types (`ui/src/lib/ipc-types.ts`)
//! are generated from these (see [`crate::bindings`]), so a field renamed on one side only
//! breaks the UI's build, not the running app.
//!
//! Closed sets of values (access status, item type, sort column, format, …) cross IPC as enums
//! of their own (`wire_enum!` below), not as strings: TypeScript sees a union of string literals.
//! Their wire text is the core's (`as_str`), and the core's types stay free of `ts-rs`.

use crate::error::{CmdResult, CommandError};
use folio::auto_export::{AutoExport, AutoExportStatus, Scope, SyncResult};
use folio::cite::CiteStyle;
use folio::dedupe::Reason;
use folio::duplicates::{DuplicateGroup, MergeReport};
use folio::export::ExportReport;
use folio::format::Format;
use folio::import::{DuplicateAction, DuplicateDecision, DuplicatePolicy, FileReport, ImportReport};
use folio::library::replica::SyncConflict;
use folio::model::{AccessStatus, Creator, Item, ItemType, Name, Role, TagSource};
use folio::remote::ObjectKind;
use folio::store::search::{Filter, Sort, SortColumn};
use folio::store::{HistoryEntry, ItemSummary, TagCount};
use folio::sync::history::ChangeKind;
use folio::{CollectionNode, Diagnostic, Severity};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// A closed set of values on the wire: one row per variant (`Variant = "wire text"`), from which
/// the serde names (and so the TypeScript union), `ALL`, `as_str` and `Display` are derived.
/// With `<=> CoreType`, the variants are named as the core's, and the conversions both ways are
/// exhaustive matches: a variant added to the core breaks the build here until it has a row.
macro_rules! wire_enum {
    (
        $(#[$meta:meta])*
        $name:ident { $($(#[$vmeta:meta])* $var:ident = $wire:literal),+ $(,)? }
    ) => {
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
        $(#[$meta])*
        pub enum $name {
            $($(#[$vmeta])* #[serde(rename = $wire)] $var),+
        }

        impl $name {
            /// Every value, in declaration order.
            pub const ALL: &'static [$name] = &[$($name::$var),+];

            /// The value's wire text.
            pub fn as_str(self) -> &'static str {
                match self {
                    $($name::$var => $wire),+
                }
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
    (
        $(#[$meta:meta])*
        $name:ident <=> $core:ident { $($(#[$vmeta:meta])* $var:ident = $wire:literal),+ $(,)? }
    ) => {
        wire_enum!($(#[$meta])* $name { $($(#[$vmeta])* $var = $wire),+ });

        impl From<$core> for $name {
            fn from(c: $core) -> Self {
                match c {
                    $($core::$var => $name::$var),+
                }
            }
        }

        impl From<$name> for $core {
            fn from(d: $name) -> Self {
                match d {
                    $($name::$var => $core::$var),+
                }
            }
        }
    };
}

wire_enum! {
    /// How readable an item is.
    #[derive(Default)]
    #[ts(rename = "AccessStatus")]
    AccessDto <=> AccessStatus {
        /// Open access (licensed for reuse).
        Open = "open",
        /// Free to read, not openly licensed.
        Free = "free",
        /// Behind a paywall or subscription.
        Restricted = "restricted",
        #[default]
        Unknown = "unknown",
    }
}

wire_enum! {
    /// An item's type (the core's closed set).
    #[derive(Default)]
    #[ts(rename = "ItemType")]
    ItemTypeDto <=> ItemType {
        #[default]
        Article = "article",
        MagazineArticle = "magazine-article",
        NewspaperArticle = "newspaper-article",
        Book = "book",
        Booklet = "booklet",
        InBook = "inbook",
        InCollection = "incollection",
        InProceedings = "inproceedings",
        Proceedings = "proceedings",
        Collection = "collection",
        Reference = "reference",
        Thesis = "thesis",
        PhdThesis = "phdthesis",
        MastersThesis = "mastersthesis",
        Report = "report",
        Manual = "manual",
        Misc = "misc",
        Online = "online",
        Unpublished = "unpublished",
        Dataset = "dataset",
        Software = "software",
        Patent = "patent",
        Standard = "standard",
        Periodical = "periodical",
        Presentation = "presentation",
        Map = "map",
        Audiovisual = "audiovisual",
        Case = "case",
        Legislation = "legislation",
        Letter = "letter",
        Interview = "interview",
    }
}

wire_enum! {
    /// A creator's role.
    #[derive(Default)]
    #[ts(rename = "Role")]
    RoleDto <=> Role {
        #[default]
        Author = "author",
        Editor = "editor",
        Translator = "translator",
        SeriesEditor = "series-editor",
        BookAuthor = "book-author",
        Contributor = "contributor",
        Director = "director",
        Inventor = "inventor",
        Recipient = "recipient",
        Interviewer = "interviewer",
        Commentator = "commentator",
        Annotator = "annotator",
    }
}

wire_enum! {
    /// Where a tag came from.
    #[ts(rename = "TagSource")]
    TagSourceDto <=> TagSource {
        Manual = "manual",
        Import = "import",
    }
}

wire_enum! {
    /// The table's sort columns.
    #[derive(Default)]
    #[ts(rename = "SortColumn")]
    SortColumnDto <=> SortColumn {
        #[default]
        Title = "title",
        Creators = "creators",
        Year = "year",
        Container = "container",
        Type = "type",
        Access = "access",
        DateAdded = "added",
        Key = "key",
    }
}

wire_enum! {
    /// A file format: what an import read, what an export writes.
    #[derive(Default)]
    #[ts(rename = "Format")]
    FormatDto <=> Format {
        #[default]
        Bibtex = "bibtex",
        Biblatex = "biblatex",
        Ris = "ris",
        /// Text copied from a publisher's search results page.
        ResultsText = "results-text",
        /// Folio's own JSON.
        Json = "json",
        /// CSL-JSON (pandoc, Zotero, citeproc-js).
        CslJson = "csljson",
        /// CSL-YAML (pandoc's `references:`).
        CslYaml = "cslyaml",
        /// Hayagriva YAML (typst); export only.
        Hayagriva = "hayagriva",
    }
}

wire_enum! {
    /// What an import does with an entry the library already has.
    #[derive(Default)]
    #[ts(rename = "DuplicatePolicy")]
    DuplicatePolicyDto <=> DuplicatePolicy {
        /// Leave the library as it was for that entry.
        #[default]
        Skip = "skip",
        /// Fill the existing item's empty fields, unite tags and collections.
        Merge = "merge",
        /// Import it anyway (reported).
        Keep = "keep",
    }
}

wire_enum! {
    /// Why two items are (or may be) the same work.
    #[ts(rename = "DuplicateReason")]
    DuplicateReasonDto <=> Reason {
        Doi = "same DOI",
        Isbn = "same ISBN",
        TitleYearAuthor = "same title, year and first author",
        DoiTitleMismatch = "same DOI but different titles",
        Similar = "similar title, same first author",
        Preprint = "preprint and published version",
    }
}

wire_enum! {
    /// What an import did with an entry that matched an item.
    #[ts(rename = "DecisionAction")]
    DecisionActionDto <=> DuplicateAction {
        Skipped = "skipped",
        Merged = "merged",
        /// A certain match imported anyway.
        Kept = "kept",
        /// A suggestion: imported, to be reviewed.
        Flagged = "flagged",
    }
}

wire_enum! {
    /// duplicate (certain), suggestion (review before merging) or related (a preprint and its
    /// published version: not the same record).
    #[ts(rename = "DuplicateKind")]
    DuplicateKindDto {
        Duplicate = "duplicate",
        Suggestion = "suggestion",
        Related = "related",
    }
}

wire_enum! {
    /// How bad a diagnostic is.
    #[ts(rename = "Severity")]
    SeverityDto <=> Severity {
        Info = "info",
        Warning = "warning",
        Error = "error",
    }
}

wire_enum! {
    /// A reference style for formatted references.
    #[ts(rename = "CiteStyle")]
    CiteStyleDto <=> CiteStyle {
        Apa = "apa",
        ChicagoAuthorDate = "chicago-author-date",
        Ieee = "ieee",
        Harvard = "harvard",
    }
}

wire_enum! {
    /// What an auto-export contains.
    #[derive(Default)]
    #[ts(rename = "ScopeKind")]
    ScopeKindDto {
        #[default]
        Library = "library",
        Collection = "collection",
        Tag = "tag",
        Access = "access",
        Search = "search",
    }
}

wire_enum! {
    /// Where opening the library stands.
    #[ts(rename = "LibraryState")]
    LibraryStateDto {
        Opening = "opening",
        Upgrading = "upgrading",
        Ready = "ready",
        Failed = "failed",
    }
}

/// Which items to show (all parts combine).
#[derive(Debug, Clone, Default, Deserialize, Serialize, PartialEq, TS)]
#[serde(rename_all = "camelCase", default)]
#[ts(rename = "Filter")]
pub struct FilterDto {
    pub collection: Option<i64>,
    pub recursive: bool,
    pub unfiled: bool,
    pub tags: Vec<String>,
    pub access: Vec<AccessDto>,
    /// The fielded query (`title:foo year:2020..2022 -bar`).
    pub query: String,
    pub trash: bool,
    /// "Everything" mode: words without a field also search the attachments' text.
    pub everything: bool,
}

impl FilterDto {
    pub fn to_core(&self) -> CmdResult<Filter> {
        let query = folio::app::parse_search(&self.query, self.everything)?;
        Ok(Filter {
            collection: self.collection,
            recursive: self.recursive,
            unfiled: self.unfiled,
            tags: self.tags.clone(),
            access: self.access.iter().map(|&a| a.into()).collect(),
            query,
            trash: self.trash,
            // The app shows the live library or the trash, and all of it.
            include_trash: false,
            since: None,
        })
    }
}

pub fn parse_access(s: &str) -> CmdResult<AccessStatus> {
    s.parse::<AccessStatus>()
        .map_err(|e| CommandError::invalid(format!("access status: {e}")))
}

/// The table's order.
#[derive(Debug, Clone, Default, Deserialize, Serialize, PartialEq, TS)]
#[serde(rename_all = "camelCase", default)]
#[ts(rename = "Sort")]
pub struct SortDto {
    pub column: SortColumnDto,
    pub descending: bool,
}

impl SortDto {
    pub fn to_core(&self) -> CmdResult<Sort> {
        Ok(Sort {
            column: self.column.into(),
            descending: self.descending,
        })
    }
}

/// One row of the item table.
#[derive(Debug, Clone, Serialize, PartialEq, TS)]
#[serde(rename_all = "camelCase")]
#[ts(rename = "ItemRow")]
pub struct ItemRowDto {
    pub id: i64,
    pub key: String,
    pub item_type: ItemTypeDto,
    pub title: String,
    pub creators: String,
    pub year: Option<i32>,
    pub container: String,
    pub access: AccessDto,
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
            item_type: s.item_type.into(),
            title: shown(s.title),
            creators: shown(s.creators),
            year: s.year,
            container: shown(s.container),
            access: s.access.into(),
            date_added: s.date_added,
        }
    }
}

/// A page of rows plus the total for the same filter (the table is virtualized).
#[derive(Debug, Clone, Serialize, PartialEq, TS)]
#[serde(rename_all = "camelCase")]
#[ts(rename = "Page")]
pub struct PageDto {
    pub total: i64,
    pub offset: usize,
    pub rows: Vec<ItemRowDto>,
}

#[derive(Debug, Clone, Default, Deserialize, Serialize, PartialEq, TS)]
#[serde(rename_all = "camelCase", default)]
#[ts(rename = "Creator")]
pub struct CreatorDto {
    pub role: RoleDto,
    pub family: String,
    pub given: String,
    pub particle: String,
    pub suffix: String,
    /// An organisation's name (then family/given are empty).
    pub literal: String,
}

impl From<&Creator> for CreatorDto {
    fn from(c: &Creator) -> Self {
        let role = c.role.into();
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
        let role = self.role.into();
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

#[derive(Debug, Clone, Serialize, PartialEq, TS)]
#[serde(rename_all = "camelCase")]
#[ts(rename = "NamedText")]
pub struct NamedTextDto {
    pub name: String,
    pub value: String,
}

#[derive(Debug, Clone, Serialize, PartialEq, TS)]
#[serde(rename_all = "camelCase")]
#[ts(rename = "AbstractSection")]
pub struct SectionDto {
    pub heading: String,
    pub text: String,
}

#[derive(Debug, Clone, Serialize, PartialEq, TS)]
#[serde(rename_all = "camelCase")]
#[ts(rename = "Tag")]
pub struct TagDto {
    pub name: String,
    /// The name as a reader sees it (`\bioname{Salmo}` as "Salmo"); `name` identifies the tag.
    pub label: String,
    pub source: TagSourceDto,
}

/// A whole item for the item pane.
#[derive(Debug, Clone, Serialize, PartialEq, TS)]
#[serde(rename_all = "camelCase")]
#[ts(rename = "Item")]
pub struct ItemDto {
    pub id: i64,
    pub key: String,
    pub item_type: ItemTypeDto,
    /// The plain text fields by name (title, subtitle, container, …), editable in place.
    pub fields: Vec<NamedTextDto>,
    pub date: String,
    pub year: Option<i32>,
    pub creators: Vec<CreatorDto>,
    pub abstract_sections: Vec<SectionDto>,
    /// The abstract as editable text (sections as "Heading\ntext" paragraphs).
    pub abstract_text: String,
    pub tags: Vec<TagDto>,
    pub access: AccessDto,
    pub access_source: String,
    /// Unmapped fields kept from the import, in order.
    pub extra: Vec<NamedTextDto>,
    pub collections: Vec<String>,
    pub in_trash: bool,
    pub date_added: String,
    pub date_modified: String,
    /// Its files, in order.
    pub attachments: Vec<AttachmentDto>,
}

/// An attached file as the item pane lists it.
#[derive(Debug, Clone, Serialize, PartialEq, TS)]
#[serde(rename_all = "camelCase")]
#[ts(rename = "Attachment")]
pub struct AttachmentDto {
    pub id: i64,
    /// The file's name as it was attached.
    pub title: String,
    /// `stored` (a copy the library keeps) or `linked` (a file left where it is).
    pub kind: String,
    /// Where the file is on this machine (empty when no folder places it).
    pub file: String,
    pub mime: String,
    pub bytes: u64,
    pub pages: Option<u32>,
    /// `pending`, `indexed`, `none` (no text) or `failed`.
    pub fulltext: String,
    /// Why extraction failed or found nothing.
    pub fulltext_error: Option<String>,
    /// The file is not there (moved, deleted, another machine's path).
    pub missing: bool,
}

impl From<&folio::library::AttachedFile> for AttachmentDto {
    fn from(f: &folio::library::AttachedFile) -> Self {
        let a = &f.attachment;
        AttachmentDto {
            id: a.id.unwrap_or_default(),
            title: a.title.clone(),
            kind: a.kind.as_str().into(),
            file: f
                .file
                .as_ref()
                .map(|p| p.to_string_lossy().into_owned())
                .unwrap_or_default(),
            mime: a.mime.clone(),
            bytes: a.bytes,
            pages: a.pages,
            fulltext: a.fulltext.as_str().into(),
            fulltext_error: a.fulltext_error.clone(),
            missing: f.missing,
        }
    }
}

/// What a full-text pass did.
#[derive(Debug, Clone, Serialize, PartialEq, TS)]
#[serde(rename_all = "camelCase")]
#[ts(rename = "FulltextReport")]
pub struct FulltextReportDto {
    pub indexed: usize,
    pub no_text: usize,
    pub failed: usize,
    pub missing: usize,
    pub pages: usize,
    /// `title: reason` of each failure.
    pub failures: Vec<String>,
    pub cancelled: bool,
}

impl From<&folio::library::fulltext::FulltextReport> for FulltextReportDto {
    fn from(r: &folio::library::fulltext::FulltextReport) -> Self {
        FulltextReportDto {
            indexed: r.indexed,
            no_text: r.no_text,
            failed: r.failed,
            missing: r.missing,
            pages: r.pages,
            failures: r.failures.iter().map(|(t, w)| format!("{t}: {w}")).collect(),
            cancelled: r.cancelled,
        }
    }
}

/// Where the background full-text indexing stands (`fulltext-progress` events and
/// `fulltext_progress`): while `running`, file `done + 1` of `total` (`file`) is being read;
/// after a pass, what it did.
#[derive(Debug, Clone, Default, Serialize, PartialEq, TS)]
#[serde(rename_all = "camelCase")]
#[ts(rename = "IndexProgress")]
pub struct IndexProgressDto {
    pub running: bool,
    pub done: usize,
    pub total: usize,
    /// The file being read.
    pub file: String,
    /// The last pass's outcome, once it ended (`None` while running or before any pass).
    pub report: Option<FulltextReportDto>,
    /// Why the last pass stopped short (the library could not be opened, …).
    pub error: Option<String>,
}

/// A missing file located ("Locate…"): the item as it is now, and a warning when the file
/// picked has other content than the one attached (it is taken anyway).
#[derive(Debug, Clone, Serialize, PartialEq, TS)]
#[serde(rename_all = "camelCase")]
#[ts(rename = "Located")]
pub struct LocatedDto {
    pub item: ItemDto,
    pub warning: Option<String>,
}

/// One missing file in the report of "Find missing files…".
#[derive(Debug, Clone, Serialize, PartialEq, TS)]
#[serde(rename_all = "camelCase")]
#[ts(rename = "MissingFile")]
pub struct MissingFileDto {
    /// The item's citation key.
    pub key: String,
    /// The file's name as it was attached.
    pub title: String,
    /// Where it was looked for.
    pub was: String,
    /// Found: where it is now. Ambiguous: the candidates. Still missing: none.
    pub found: Vec<String>,
    /// Why it is ambiguous, or a warning about a file found.
    pub note: Option<String>,
}

/// What "Find missing files…" did: relinked (one undo step), still missing, ambiguous.
#[derive(Debug, Clone, Serialize, PartialEq, TS)]
#[serde(rename_all = "camelCase")]
#[ts(rename = "MissingReport")]
pub struct MissingReportDto {
    pub relinked: Vec<MissingFileDto>,
    pub missing: Vec<MissingFileDto>,
    pub ambiguous: Vec<MissingFileDto>,
    /// Files looked at.
    pub scanned: usize,
    /// Folders not searched (too deep).
    pub notes: Vec<String>,
}

impl From<&folio::library::RelinkReport> for MissingReportDto {
    fn from(r: &folio::library::RelinkReport) -> Self {
        let one = |f: &folio::library::AttachedFile, found: Vec<String>, note: Option<String>| MissingFileDto {
            key: f.key.clone(),
            title: f.attachment.title.clone(),
            was: f
                .file
                .as_ref()
                .map(|p| p.to_string_lossy().into_owned())
                .unwrap_or_else(|| f.attachment.path.clone()),
            found,
            note,
        };
        MissingReportDto {
            relinked: r
                .found
                .iter()
                .map(|x| {
                    let mut d = one(
                        &x.file,
                        vec![x.source.to_string_lossy().into_owned()],
                        x.warning.clone(),
                    );
                    d.was = x.old_path.clone();
                    d
                })
                .collect(),
            missing: r.missing.iter().map(|f| one(f, Vec::new(), None)).collect(),
            ambiguous: r
                .ambiguous
                .iter()
                .map(|a| {
                    one(
                        &a.file,
                        a.candidates.iter().map(|c| c.to_string_lossy().into_owned()).collect(),
                        Some(a.reason.clone()),
                    )
                })
                .collect(),
            scanned: r.scanned,
            notes: r.notes.clone(),
        }
    }
}

/// A page of an attachment that matched the search, for the item pane.
#[derive(Debug, Clone, Serialize, PartialEq, TS)]
#[serde(rename_all = "camelCase")]
#[ts(rename = "FulltextHit")]
pub struct FulltextHitDto {
    pub attachment: i64,
    pub title: String,
    /// 1-based.
    pub page: u32,
    /// The matched words between `[` and `]`.
    pub snippet: String,
}

/// The text fields shown in the item pane, in the core's order: every field `Item::set` takes
/// except the key, which the pane shows on its own.
pub fn pane_fields() -> impl Iterator<Item = &'static str> {
    folio::model::TEXT_FIELDS.iter().copied().filter(|f| *f != "key")
}

impl ItemDto {
    pub fn new(item: &Item, collections: Vec<String>, in_trash: bool, attachments: Vec<AttachmentDto>) -> ItemDto {
        ItemDto {
            id: item.id.unwrap_or_default(),
            key: item.key.clone(),
            item_type: item.item_type.into(),
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
                    source: t.source.into(),
                })
                .collect(),
            access: item.access.status.into(),
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
            attachments,
        }
    }
}

#[derive(Debug, Clone, Serialize, PartialEq, TS)]
#[serde(rename_all = "camelCase")]
#[ts(rename = "Collection")]
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

#[derive(Debug, Clone, Serialize, PartialEq, TS)]
#[serde(rename_all = "camelCase")]
#[ts(rename = "TagCount")]
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

#[derive(Debug, Clone, Serialize, PartialEq, TS)]
#[serde(rename_all = "camelCase")]
#[ts(rename = "AccessCount")]
pub struct AccessCountDto {
    pub status: AccessDto,
    pub items: i64,
}

/// Everything the left pane shows.
#[derive(Debug, Clone, Serialize, PartialEq, TS)]
#[serde(rename_all = "camelCase")]
#[ts(rename = "Sidebar")]
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

#[derive(Debug, Clone, Serialize, PartialEq, TS)]
#[serde(rename_all = "camelCase")]
#[ts(rename = "Diagnostic")]
pub struct DiagnosticDto {
    pub severity: SeverityDto,
    pub line: Option<usize>,
    pub message: String,
}

impl From<&Diagnostic> for DiagnosticDto {
    fn from(d: &Diagnostic) -> Self {
        DiagnosticDto {
            severity: d.severity.into(),
            line: d.line,
            message: d.message.clone(),
        }
    }
}

#[derive(Debug, Clone, Serialize, PartialEq, TS)]
#[serde(rename_all = "camelCase")]
#[ts(rename = "FileReport")]
pub struct FileReportDto {
    pub path: String,
    pub format: FormatDto,
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
#[derive(Debug, Clone, Serialize, PartialEq, TS)]
#[serde(rename_all = "camelCase")]
#[ts(rename = "Decision")]
pub struct DecisionDto {
    pub line: usize,
    pub entry_key: String,
    pub title: String,
    pub existing_key: String,
    pub reason: DuplicateReasonDto,
    pub action: DecisionActionDto,
}

impl From<&DuplicateDecision> for DecisionDto {
    fn from(d: &DuplicateDecision) -> Self {
        DecisionDto {
            line: d.line,
            entry_key: d.entry_key.clone(),
            title: d.title.clone(),
            existing_key: d.existing_key.clone(),
            reason: d.reason.into(),
            action: d.action.into(),
        }
    }
}

impl From<&FileReport> for FileReportDto {
    fn from(f: &FileReport) -> Self {
        FileReportDto {
            path: f.path.clone(),
            format: f.format.into(),
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

#[derive(Debug, Clone, Serialize, PartialEq, TS)]
#[serde(rename_all = "camelCase")]
#[ts(rename = "ImportReport")]
pub struct ImportReportDto {
    pub added: usize,
    pub duplicates: usize,
    pub errors: usize,
    pub files: Vec<FileReportDto>,
    /// PDFs imported as references (each with its file).
    pub pdfs: Vec<PdfReportDto>,
}

impl From<&ImportReport> for ImportReportDto {
    fn from(r: &ImportReport) -> Self {
        ImportReportDto {
            added: r.added(),
            duplicates: r.files.iter().map(|f| f.duplicates).sum(),
            errors: r.errors(),
            files: r.files.iter().map(FileReportDto::from).collect(),
            pdfs: Vec::new(),
        }
    }
}

impl ImportReportDto {
    /// Add what a PDF import did.
    pub fn with_pdfs(mut self, pdfs: &[folio::library::pdf_import::PdfFileReport]) -> Self {
        use folio::library::pdf_import::PdfOutcome;
        for p in pdfs {
            let (key, attached_because) = match &p.outcome {
                PdfOutcome::Added { key } => (key.clone(), None),
                PdfOutcome::Attached { key, reason } => (key.clone(), Some(reason.clone())),
            };
            if attached_because.is_some() {
                self.duplicates += 1;
            } else {
                self.added += 1;
            }
            self.pdfs.push(PdfReportDto {
                path: p.path.clone(),
                key,
                attached_because,
                pages: p.pages,
                needs_review: p.needs_review,
                fields: p
                    .fields
                    .iter()
                    .map(|f| PdfFieldDto {
                        field: f.field.clone(),
                        value: f.value.clone(),
                        source: f.source.clone(),
                        uncertain: f.uncertain,
                    })
                    .collect(),
                notes: p.notes.clone(),
            });
        }
        self
    }
}

/// What became of one imported PDF.
#[derive(Debug, Clone, Serialize, PartialEq, TS)]
#[serde(rename_all = "camelCase")]
#[ts(rename = "PdfReport")]
pub struct PdfReportDto {
    pub path: String,
    /// The new item, or the item the file was attached to.
    pub key: String,
    /// Set when the PDF was attached to an item already there: why it matched.
    pub attached_because: Option<String>,
    pub pages: u32,
    /// Tagged `needs review` (no text, a guess, an unreadable file).
    pub needs_review: bool,
    /// Each field read, with where it came from.
    pub fields: Vec<PdfFieldDto>,
    /// What is uncertain, and why a file could not be read.
    pub notes: Vec<String>,
}

/// A field a PDF import filled and its source ("XMP metadata", "printed on page 1", "layout of
/// page 1", "document info", "file name").
#[derive(Debug, Clone, Serialize, PartialEq, TS)]
#[serde(rename_all = "camelCase")]
#[ts(rename = "PdfField")]
pub struct PdfFieldDto {
    pub field: String,
    pub value: String,
    pub source: String,
    pub uncertain: bool,
}

/// Streamed through a Channel while an import runs.
#[derive(Debug, Clone, Copy, Serialize, PartialEq, TS)]
#[serde(rename_all = "camelCase")]
#[ts(rename = "Progress")]
pub struct ProgressDto {
    /// Bytes of input read and stored so far, of `total`.
    pub done: u64,
    pub total: u64,
    /// Entries stored so far.
    pub entries: usize,
}

/// What to export: exact keys (the selection), else the filter (collection, tag, whole library).
#[derive(Debug, Clone, Default, Deserialize, Serialize, PartialEq, TS)]
#[serde(rename_all = "camelCase", default)]
#[ts(rename = "Selection")]
pub struct SelectionDto {
    pub keys: Vec<String>,
    pub filter: FilterDto,
}

pub fn parse_format(s: &str) -> CmdResult<Format> {
    s.parse::<Format>()
        .map_err(|e| CommandError::invalid(format!("format: {e}")))
}

#[derive(Debug, Clone, Serialize, PartialEq, TS)]
#[serde(rename_all = "camelCase")]
#[ts(rename = "ExportReport")]
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

#[derive(Debug, Clone, Serialize, PartialEq, TS)]
#[serde(rename_all = "camelCase")]
#[ts(rename = "History")]
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
#[derive(Debug, Clone, Serialize, PartialEq, TS)]
#[serde(rename_all = "camelCase")]
#[ts(rename = "DuplicateGroup")]
pub struct DuplicateGroupDto {
    /// "same DOI", "similar title, same first author", …
    pub reason: DuplicateReasonDto,
    pub kind: DuplicateKindDto,
    /// Same DOI or ISBN: merged by "Merge all exact groups".
    pub identifier: bool,
    pub confidence: f64,
    pub keys: Vec<String>,
}

impl From<&DuplicateGroup> for DuplicateGroupDto {
    fn from(g: &DuplicateGroup) -> Self {
        let kind = if g.reason.is_certain() {
            DuplicateKindDto::Duplicate
        } else if g.reason == Reason::Preprint {
            DuplicateKindDto::Related
        } else {
            DuplicateKindDto::Suggestion
        };
        DuplicateGroupDto {
            reason: g.reason.into(),
            kind,
            identifier: g.reason.is_identifier(),
            confidence: g.confidence,
            keys: g.keys.clone(),
        }
    }
}

#[derive(Debug, Clone, Serialize, PartialEq, TS)]
#[serde(rename_all = "camelCase")]
#[ts(rename = "Conflict")]
pub struct ConflictDto {
    /// The merged item that had the other value.
    pub key: String,
    pub field: String,
    pub kept: String,
    pub other: String,
}

#[derive(Debug, Clone, Serialize, PartialEq, TS)]
#[serde(rename_all = "camelCase")]
#[ts(rename = "MergeReport")]
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
#[derive(Debug, Clone, Default, Deserialize, Serialize, PartialEq, TS)]
#[serde(rename_all = "camelCase", default)]
#[ts(rename = "FieldChoice")]
pub struct FieldChoiceDto {
    pub field: String,
    pub value: String,
}

// ----- auto-exports ----------------------------------------------------------------------------

/// What an auto-export contains. `kind`: library, collection (`collectionId`, `recursive`),
/// tag (`name`), access (`status`), search (a saved search's `name`).
#[derive(Debug, Clone, Default, Deserialize, Serialize, PartialEq, TS)]
#[serde(rename_all = "camelCase", default)]
#[ts(rename = "Scope")]
pub struct ScopeDto {
    pub kind: ScopeKindDto,
    pub collection_id: Option<i64>,
    pub recursive: bool,
    pub name: String,
    pub status: Option<AccessDto>,
}

impl ScopeDto {
    pub fn to_core(&self) -> CmdResult<Scope> {
        let named = || Some(self.name.trim().to_string()).filter(|n| !n.is_empty());
        let choose = || CommandError::invalid(format!("choose a {}", self.kind));
        Ok(match self.kind {
            ScopeKindDto::Library => Scope::Library,
            ScopeKindDto::Collection => Scope::Collection {
                id: self
                    .collection_id
                    .ok_or_else(|| CommandError::invalid("choose a collection"))?,
                recursive: self.recursive,
            },
            ScopeKindDto::Tag => Scope::Tag {
                name: named().ok_or_else(choose)?,
            },
            ScopeKindDto::Search => Scope::Search {
                name: named().ok_or_else(choose)?,
            },
            ScopeKindDto::Access => Scope::Access {
                status: self
                    .status
                    .ok_or_else(|| CommandError::invalid("access status: choose one"))?
                    .into(),
            },
        })
    }
}

impl From<&Scope> for ScopeDto {
    fn from(s: &Scope) -> Self {
        match s {
            Scope::Library => ScopeDto::default(),
            Scope::Collection { id, recursive } => ScopeDto {
                kind: ScopeKindDto::Collection,
                collection_id: Some(*id),
                recursive: *recursive,
                ..Default::default()
            },
            Scope::Tag { name } => ScopeDto {
                kind: ScopeKindDto::Tag,
                name: name.clone(),
                ..Default::default()
            },
            Scope::Access { status } => ScopeDto {
                kind: ScopeKindDto::Access,
                status: Some((*status).into()),
                ..Default::default()
            },
            Scope::Search { name } => ScopeDto {
                kind: ScopeKindDto::Search,
                name: name.clone(),
                ..Default::default()
            },
        }
    }
}

/// An auto-export to register.
#[derive(Debug, Clone, Default, Deserialize, Serialize, PartialEq, TS)]
#[serde(rename_all = "camelCase", default)]
#[ts(rename = "NewAutoExport")]
pub struct NewAutoExportDto {
    pub path: String,
    /// bibtex, biblatex or ris
    pub format: FormatDto,
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
        Ok(AutoExport {
            path: self.path.clone(),
            format: self.format.as_str().to_string(),
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
#[derive(Debug, Clone, Serialize, PartialEq, TS)]
#[serde(rename_all = "camelCase")]
#[ts(rename = "AutoExport")]
pub struct AutoExportDto {
    pub path: String,
    /// As registered (the CLI also takes aliases such as `bib`).
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

#[derive(Debug, Clone, Serialize, PartialEq, TS)]
#[serde(rename_all = "camelCase")]
#[ts(rename = "SyncResult")]
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

#[derive(Debug, Clone, Serialize, PartialEq, TS)]
#[serde(rename_all = "camelCase")]
#[ts(rename = "SavedSearch")]
pub struct SavedSearchDto {
    pub name: String,
    pub query: String,
    /// The collection it searches within (with its subcollections), if any.
    pub collection: Option<i64>,
    pub collection_path: Option<String>,
}

// ----- LaTeX ---------------------------------------------------------------------------------

/// What a `.aux` file cites.
#[derive(Debug, Clone, Serialize, PartialEq, TS)]
#[serde(rename_all = "camelCase")]
#[ts(rename = "AuxInfo")]
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
#[derive(Debug, Clone, Serialize, PartialEq, TS)]
#[serde(rename_all = "camelCase")]
#[ts(rename = "KeyFix")]
pub struct KeyFixDto {
    pub renamed: Vec<(String, String)>,
    pub relinked: Vec<String>,
}

/// Where opening the startup (or last chosen) library stands. A library made by an older
/// version is upgraded as it opens, which takes seconds on a large one: the window shows this
/// meanwhile instead of nothing.
#[derive(Debug, Clone, Serialize, PartialEq, Eq, TS)]
#[serde(rename_all = "camelCase")]
#[ts(rename = "LibraryStatus")]
pub struct LibraryStatusDto {
    pub state: LibraryStateDto,
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

/// The local HTTP API's settings (kept in the app's settings file).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq, TS)]
#[serde(rename_all = "camelCase", default)]
#[ts(rename = "ServerSettings")]
pub struct ServerSettingsDto {
    /// Answer editors and scripts on 127.0.0.1 while the app is open.
    pub enabled: bool,
    /// The port asked for (23119, Zotero's, falls back to the next free one when taken).
    pub port: u16,
    /// "Allow editors to change the library": the citation picker, `collection.scanAUX`,
    /// `autoexport.add`.
    pub allow_writes: bool,
}

impl Default for ServerSettingsDto {
    fn default() -> Self {
        ServerSettingsDto {
            enabled: true,
            port: folio::serve::DEFAULT_PORT,
            allow_writes: false,
        }
    }
}

/// The local HTTP API: its settings and where it listens.
#[derive(Debug, Clone, Serialize, PartialEq, Eq, TS)]
#[serde(rename_all = "camelCase")]
#[ts(rename = "ServerStatus")]
pub struct ServerStatusDto {
    pub settings: ServerSettingsDto,
    /// The port it listens on; null when off or failed.
    pub port: Option<u16>,
    /// The default port it fell back from (taken, e.g. by Zotero).
    pub fallback_from: Option<u16>,
    /// Why it is not listening.
    pub error: Option<String>,
    /// The folder whose `.csl` files editors may name in `style=`.
    pub styles_folder: Option<String>,
}

/// One item picked in the cite-as-you-write picker, with what the writer added to it.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq, Eq, TS)]
#[serde(rename_all = "camelCase", default)]
#[ts(rename = "PickedCitation")]
pub struct CitationDto {
    pub key: String,
    /// Text before the citation ("see").
    pub prefix: String,
    /// Where in the work ("12", "3–5").
    pub locator: String,
    /// What the locator counts: a CSL locator label (`page` when empty).
    pub label: String,
    /// Text after the citation.
    pub suffix: String,
    /// The year only (the author is named in the sentence).
    pub suppress_author: bool,
}

impl From<CitationDto> for folio::app::cayw::Citation {
    fn from(c: CitationDto) -> Self {
        folio::app::cayw::Citation {
            key: c.key,
            prefix: c.prefix,
            locator: c.locator,
            label: c.label,
            suffix: c.suffix,
            suppress_author: c.suppress_author,
        }
    }
}

/// A locator label the picker offers (`chapter`, shown as `ch.`).
#[derive(Debug, Clone, Serialize, PartialEq, Eq, TS)]
#[serde(rename_all = "camelCase")]
#[ts(rename = "LocatorLabel")]
pub struct LocatorLabelDto {
    pub label: String,
    pub short: String,
}

/// A CSL style bundled with Folio (for the quick-copy style choice).
#[derive(Debug, Clone, Serialize, PartialEq, Eq, TS)]
#[serde(rename_all = "camelCase")]
#[ts(rename = "BundledStyle")]
pub struct BundledStyleDto {
    /// What `format_references` takes (`nature`, `apa`…).
    pub name: String,
    pub title: String,
}

// ----- shared libraries (issue 27) -----------------------------------------------------------

wire_enum! {
    /// Where the shared library's sync stands.
    #[ts(rename = "SyncState")]
    SyncStateDto {
        /// The library is not shared.
        Off = "off",
        /// Connecting, pulling or pushing.
        Syncing = "syncing",
        /// Up to date with the server (as of the last sync).
        Synced = "synced",
        /// The server cannot be reached; local work goes on and is pushed later.
        Offline = "offline",
        /// This member may only read: local changes are not pushed.
        ReadOnly = "read-only",
    }
}

/// The `sync-status` event's payload and `sync_status`'s answer.
#[derive(Debug, Clone, Serialize, PartialEq, Eq, TS)]
#[serde(rename_all = "camelCase")]
#[ts(rename = "SyncStatus")]
pub struct SyncStatusDto {
    pub state: SyncStateDto,
    /// The server, without any password (`postgresql://ann@db.example.org/refs`).
    pub server: Option<String>,
    /// The shared library's name on the server.
    pub library: Option<String>,
    /// Who this member is in the shared history.
    pub author: Option<String>,
    /// Objects changed here and not pushed yet (being pushed while `syncing`).
    pub outbox: i64,
    /// Conflicts waiting for a choice (the Conflicts view).
    pub conflicts: usize,
    /// When the server stopped answering (RFC 3339), while `offline`.
    pub offline_since: Option<String>,
    /// The last sync's error, if it failed.
    pub last_error: Option<String>,
    /// When the last sync ended well (RFC 3339).
    pub last_sync: Option<String>,
    /// The server's library version after the last sync.
    pub server_version: i64,
}

impl SyncStatusDto {
    pub fn off() -> SyncStatusDto {
        SyncStatusDto {
            state: SyncStateDto::Off,
            server: None,
            library: None,
            author: None,
            outbox: 0,
            conflicts: 0,
            offline_since: None,
            last_error: None,
            last_sync: None,
            server_version: 0,
        }
    }
}

wire_enum! {
    /// A shared object's kind.
    #[ts(rename = "SharedKind")]
    SharedKindDto <=> ObjectKind {
        Item = "item",
        Collection = "collection",
        Search = "search",
    }
}

/// A field both this library and the server changed, with both values (JSON as the shared
/// state holds it).
#[derive(Debug, Clone, Serialize, PartialEq, TS)]
#[serde(rename_all = "camelCase")]
#[ts(rename = "SyncConflict")]
pub struct SyncConflictDto {
    /// The object's id across replicas (what `resolve_conflict` takes).
    pub uuid: String,
    pub kind: SharedKindDto,
    /// The item's citation key, the collection's or saved search's name.
    pub name: String,
    /// The field (the shared state's name: `title`, `short_title`, `tags`…); `*` with
    /// `deleted`: deleted on one side, changed on the other.
    pub field: String,
    /// Deleted on one side (`mine` or `theirs` is null), changed on the other.
    pub deleted: bool,
    #[ts(type = "unknown")]
    pub base: Option<serde_json::Value>,
    #[ts(type = "unknown")]
    pub mine: Option<serde_json::Value>,
    #[ts(type = "unknown")]
    pub theirs: Option<serde_json::Value>,
    /// Who made the server's change, and when (RFC 3339).
    pub author: String,
    pub at: String,
}

impl From<SyncConflict> for SyncConflictDto {
    fn from(c: SyncConflict) -> Self {
        SyncConflictDto {
            deleted: c.field == "*",
            uuid: c.uuid,
            kind: c.kind.into(),
            name: c.name,
            field: c.field,
            base: c.base,
            mine: c.mine,
            theirs: c.theirs,
            author: c.author,
            at: c.at,
        }
    }
}

wire_enum! {
    /// Which value a conflict keeps.
    #[ts(rename = "Take")]
    TakeDto {
        Mine = "mine",
        Theirs = "theirs",
    }
}

wire_enum! {
    /// What an action of the shared history did to an object.
    #[ts(rename = "SharedChangeKind")]
    SharedChangeKindDto <=> ChangeKind {
        Added = "added",
        Changed = "changed",
        Deleted = "deleted",
    }
}

/// One action of the shared history that changed an item: who, when, what.
#[derive(Debug, Clone, Serialize, PartialEq, Eq, TS)]
#[serde(rename_all = "camelCase")]
#[ts(rename = "SharedHistoryEntry")]
pub struct SharedHistoryDto {
    /// The server's library version the action made.
    pub version: i64,
    pub author: String,
    /// The action ("Edit smith2020", "Import 7,312 items").
    pub label: String,
    /// RFC 3339, the server's clock.
    pub at: String,
    pub change: SharedChangeKindDto,
    /// The item's fields it changed (the shared state's names), when `changed`.
    pub fields: Vec<String>,
}

/// What the Share library dialog suggests: the library file's name, and `user@machine`.
#[derive(Debug, Clone, Serialize, PartialEq, Eq, TS)]
#[serde(rename_all = "camelCase")]
#[ts(rename = "ShareDefaults")]
pub struct ShareDefaultsDto {
    pub library_name: String,
    pub author: String,
}
