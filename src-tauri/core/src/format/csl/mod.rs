//! CSL-JSON and CSL-YAML (the Citation Style Language's item format, read by pandoc's
//! `--citeproc`, Zotero and citeproc-js), both ways. `docs/csl-mapping.md` is the table of
//! what goes where; this module holds it as data (types, name roles, variables).
//!
//! - `id` is the citation key. An id that is missing or that LaTeX tools reject leaves the key
//!   empty (the importer generates one) with a warning naming the id.
//! - Names: `family`, `given`, `suffix`, `literal` (an organisation); `dropping-particle` is
//!   Folio's particle (the BibTeX "von" part, as pandoc reads it), `non-dropping-particle`
//!   stays in front of the family name ("van Gogh") and is split off again on export.
//! - Dates: `date-parts` (one part or a range), `raw`/`literal` text, EDTF strings (pandoc's
//!   YAML writes `issued: 2020`) and plain years.
//! - CSL variables Folio has no slot for are kept as extra fields under their CSL name (plain
//!   text, dates as ISO/EDTF text) or, for a few, under their BibLaTeX name ([`ALIASES`]:
//!   `accessed` ↔ `urldate`); names of roles Folio has no [`Role`] for as BibTeX name lists.
//!   So CSL → Folio → CSL keeps every variable CSL defines.
//! - CSL-YAML is pandoc's: a `references:` list, alone or in a Markdown file's `---` block.
//!   Its strings are Markdown to pandoc: the writer escapes what Markdown would read as markup
//!   (`*`, `_`, `@`…) and the reader takes the escapes out again.

mod read;
mod write;

#[cfg(test)]
mod tests;

pub use read::{parse_json, parse_yaml};
pub use write::{item_to_csl, write_json, write_yaml};

use crate::model::{ItemType, PartialDate, Role};
use serde_json::Value;

/// The CSL type written for a Folio item type.
pub fn csl_type(ty: ItemType) -> &'static str {
    use ItemType as T;
    match ty {
        T::Article => "article-journal",
        T::MagazineArticle => "article-magazine",
        T::NewspaperArticle => "article-newspaper",
        T::Book | T::Collection | T::Proceedings | T::Reference | T::Manual => "book",
        T::Booklet => "pamphlet",
        T::InBook | T::InCollection => "chapter",
        T::InProceedings => "paper-conference",
        T::Thesis | T::PhdThesis | T::MastersThesis => "thesis",
        T::Report => "report",
        T::Misc => "document",
        T::Online => "webpage",
        T::Unpublished => "manuscript",
        T::Dataset => "dataset",
        T::Software => "software",
        T::Patent => "patent",
        T::Standard => "standard",
        T::Periodical => "periodical",
        T::Presentation => "speech",
        T::Map => "map",
        T::Audiovisual => "motion_picture",
        T::Case => "legal_case",
        T::Legislation => "legislation",
        T::Letter => "personal_communication",
        T::Interview => "interview",
    }
}

/// The Folio item type of a CSL type (`None`: not a CSL type). Where several CSL types share
/// one Folio type, the item keeps its CSL type in the extra field `csl-type`
/// ([`TYPE_FIELD`]) so that it is written back as it was read.
pub fn folio_type(csl: &str) -> Option<ItemType> {
    use ItemType as T;
    Some(match csl {
        "article-journal" | "review" | "review-book" => T::Article,
        "article-magazine" => T::MagazineArticle,
        "article-newspaper" => T::NewspaperArticle,
        "book" | "classic" => T::Book,
        "pamphlet" => T::Booklet,
        "chapter" | "entry" | "entry-dictionary" | "entry-encyclopedia" => T::InCollection,
        "paper-conference" => T::InProceedings,
        "thesis" => T::Thesis,
        "report" => T::Report,
        "" | "article" | "document" | "collection" | "event" | "figure" | "graphic" | "musical_score" => T::Misc,
        "webpage" | "post" | "post-weblog" => T::Online,
        "manuscript" => T::Unpublished,
        "dataset" => T::Dataset,
        "software" => T::Software,
        "patent" => T::Patent,
        "standard" => T::Standard,
        "periodical" => T::Periodical,
        "speech" | "performance" => T::Presentation,
        "map" => T::Map,
        "motion_picture" | "broadcast" | "song" => T::Audiovisual,
        "legal_case" => T::Case,
        "legislation" | "bill" | "regulation" | "treaty" | "hearing" => T::Legislation,
        "personal_communication" => T::Letter,
        "interview" => T::Interview,
        _ => return None,
    })
}

/// The extra field that keeps an item's CSL type when [`csl_type`] of its Folio type would
/// not give it back.
pub const TYPE_FIELD: &str = "csl-type";

/// CSL name variables and the Folio role each is read into (and written from).
pub const NAME_ROLES: &[(&str, Role)] = &[
    ("author", Role::Author),
    ("editor", Role::Editor),
    ("translator", Role::Translator),
    ("collection-editor", Role::SeriesEditor),
    ("container-author", Role::BookAuthor),
    ("contributor", Role::Contributor),
    ("director", Role::Director),
    ("recipient", Role::Recipient),
    ("interviewer", Role::Interviewer),
];

/// The CSL name variable a Folio role is written as. CSL has no inventor (a patent's author
/// is its inventor), commentator or annotator (written as contributors).
pub fn role_variable(role: Role) -> &'static str {
    match role {
        Role::Inventor => "author",
        Role::Commentator | Role::Annotator => "contributor",
        r => NAME_ROLES
            .iter()
            .find(|(_, x)| *x == r)
            .map_or("contributor", |(v, _)| v),
    }
}

/// CSL name variables with no Folio role: kept as an extra field of that name holding a
/// BibTeX name list (`Doe, Jane and {Acme}`), which the BibTeX writers copy.
pub const OTHER_NAMES: &[&str] = &[
    "chair",
    "compiler",
    "composer",
    "curator",
    "editorial-director",
    "editor-translator",
    "executive-producer",
    "guest",
    "host",
    "illustrator",
    "narrator",
    "organizer",
    "original-author",
    "performer",
    "producer",
    "reviewed-author",
    "script-writer",
    "series-creator",
];

/// CSL date variables besides `issued`: kept as extra fields with ISO/EDTF text.
pub const OTHER_DATES: &[&str] = &["accessed", "available-date", "event-date", "original-date", "submitted"];

/// CSL text and number variables that have no Folio slot: kept as plain-text extra fields.
pub const OTHER_TEXT: &[&str] = &[
    "annote",
    "archive",
    "archive_collection",
    "archive_location",
    "archive-place",
    "authority",
    "call-number",
    "chapter-number",
    "citation-key",
    "citation-label",
    "collection-number",
    "container-title-short",
    "dimensions",
    "division",
    "event",
    "event-title",
    "event-place",
    "jurisdiction",
    "license",
    "medium",
    "number",
    "number-of-pages",
    "number-of-volumes",
    // Pandoc's variable for BibLaTeX's `ids` (the entry's other keys).
    "other-ids",
    "original-publisher",
    "original-publisher-place",
    "original-title",
    "part-number",
    "part-title",
    "PMCID",
    "PMID",
    "printing-number",
    "references",
    "reviewed-genre",
    "reviewed-title",
    "scale",
    "section",
    "source",
    "status",
    "supplement-number",
    "version",
    "volume-title",
    "year-suffix",
];

/// CSL variables kept under a BibLaTeX field name, so that a BibLaTeX export of an item read
/// from CSL writes the field biber knows (and a BibTeX import's `urldate` becomes `accessed`).
pub const ALIASES: &[(&str, &str)] = &[
    ("accessed", "urldate"),
    ("event-title", "eventtitle"),
    ("event-place", "venue"),
    ("event-date", "eventdate"),
    ("original-date", "origdate"),
    ("original-title", "origtitle"),
    ("number-of-pages", "pagetotal"),
    ("number-of-volumes", "volumes"),
    ("container-title-short", "shortjournal"),
    ("chapter-number", "chapter"),
    ("status", "pubstate"),
    ("annote", "annotation"),
    ("other-ids", "ids"),
];

/// BibLaTeX fields a BibTeX import keeps that the CSL writer writes as a CSL variable the item
/// has no value for (as pandoc reads them); the CSL reader never keeps these names.
pub const EXPORT_ALIASES: &[(&str, &str)] = &[("language", "langid"), ("genre", "type")];

/// The extra field name a CSL variable is kept under.
pub fn kept_name(var: &str) -> &str {
    ALIASES.iter().find(|(c, _)| *c == var).map_or(var, |(_, b)| b)
}

/// The CSL variable an extra field of this name is written as, if any.
pub fn variable_of(name: &str) -> Option<&'static str> {
    if let Some((c, _)) = ALIASES
        .iter()
        .chain(EXPORT_ALIASES)
        .find(|(_, b)| b.eq_ignore_ascii_case(name))
    {
        return Some(c);
    }
    OTHER_TEXT
        .iter()
        .chain(OTHER_DATES)
        .chain(OTHER_NAMES)
        .find(|v| **v == name)
        .copied()
}

/// Whether a JSON value is CSL-JSON rather than Folio's own JSON: an array of items (or
/// `{"items": […]}`, or one item) whose first items all have an `id` (text or number), a
/// `type` that is a CSL type when present, and none of the members only Folio's JSON has
/// (`key`, `creators`, `extra_fields`…).
pub fn is_csl_json(v: &Value) -> bool {
    let items: Vec<&Value> = match v {
        Value::Array(a) => a.iter().take(20).collect(),
        Value::Object(o) => match o.get("items") {
            Some(Value::Array(a)) => a.iter().take(20).collect(),
            Some(_) => return false,
            None => vec![v],
        },
        _ => return false,
    };
    const FOLIO_ONLY: [&str; 9] = [
        "key",
        "creators",
        "authors",
        "editors",
        "extra_fields",
        "fields",
        "date_raw",
        "tags",
        "collections",
    ];
    !items.is_empty()
        && items.iter().all(|it| {
            let Some(o) = it.as_object() else { return false };
            let id = matches!(o.get("id"), Some(Value::String(_) | Value::Number(_)));
            let ty = match o.get("type") {
                None => true,
                Some(Value::String(t)) => folio_type(t).is_some(),
                Some(_) => false,
            };
            id && ty && !FOLIO_ONLY.iter().any(|k| o.contains_key(*k))
        })
}

/// Whether text is CSL-YAML: its first line that is not blank or a comment is `---` (a
/// Markdown or YAML document) followed by a top-level `references:`, or is `references:`.
pub fn looks_like_yaml(text: &str) -> bool {
    let mut lines = text
        .lines()
        .map(|l| l.trim_end())
        .filter(|l| !l.trim().is_empty() && !l.trim_start().starts_with('#'));
    match lines.next() {
        Some("---") => lines
            .take_while(|l| *l != "---" && *l != "...")
            .any(|l| l.starts_with("references:")),
        Some(l) => l.starts_with("references:"),
        None => false,
    }
}

/// The CSL variables Folio reads into a slot of the item (text and number variables).
const SLOT_VARIABLES: &[&str] = &[
    "title",
    "title-short",
    "container-title",
    "collection-title",
    "volume",
    "issue",
    "page",
    "edition",
    "publisher",
    "publisher-place",
    "DOI",
    "ISSN",
    "ISBN",
    "URL",
    "language",
    "note",
    "genre",
    "abstract",
    "keyword",
];

/// Whether `var` is a CSL text or number variable.
pub fn is_variable(var: &str) -> bool {
    SLOT_VARIABLES.contains(&var) || OTHER_TEXT.contains(&var)
}

/// Types whose CSL `number` is Folio's issue (a report's or patent's number).
fn number_is_issue(ty: ItemType) -> bool {
    matches!(
        ty,
        ItemType::Report | ItemType::Patent | ItemType::Standard | ItemType::Legislation | ItemType::Case
    )
}

/// Types whose CSL `publisher` is Folio's institution (a thesis's university, a report's
/// institution).
fn publisher_is_institution(ty: ItemType) -> bool {
    matches!(
        ty,
        ItemType::Thesis | ItemType::PhdThesis | ItemType::MastersThesis | ItemType::Report
    )
}

/// An EDTF interval of two ISO dates (`2020-01/2020-03`): its start and end.
fn interval(t: &str) -> Option<(PartialDate, PartialDate)> {
    let (a, b) = t.trim().split_once('/')?;
    let iso = |s: &str| {
        let d = PartialDate::parse(s);
        (d.year.is_some() && d.iso() == s.trim()).then_some(d)
    };
    Some((iso(a)?, iso(b)?))
}

/// A date from text: an EDTF interval of ISO dates (`2020-01/2020-03`) keeps the interval as
/// its text with the start's parts; anything else is read as Folio reads dates.
fn date_from_text(t: &str) -> PartialDate {
    if let Some((a, b)) = interval(t) {
        let mut d = a;
        d.raw = format!("{}/{}", d.iso(), b.iso());
        return d;
    }
    let d = PartialDate::parse(t);
    if d.year.is_some() && d.iso() == d.raw {
        // ISO text: the parts say it all.
        return PartialDate {
            raw: String::new(),
            ..d
        };
    }
    d
}
