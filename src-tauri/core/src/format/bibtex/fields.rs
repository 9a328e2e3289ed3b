//! BibTeX field vocabulary shared by the reader, the writer and JabRef groups: which field
//! fills which model slot (so which fields are names, converted text, links), the name-list
//! fields by role, the entry types classic BibTeX knows, the fields that point at other
//! entries, and the fields that signal open access.

use super::tex::field_text;
use crate::model::{Access, AccessStatus, ExtraField, Role};

/// Extra field that keeps the entry type of an entry whose type Folio does not know.
pub const TYPE_FIELD: &str = "bibtex-type";

/// Entry types classic BibTeX styles know.
pub(super) const CLASSIC_TYPES: &[&str] = &[
    "article",
    "book",
    "booklet",
    "conference",
    "inbook",
    "incollection",
    "inproceedings",
    "manual",
    "mastersthesis",
    "misc",
    "phdthesis",
    "proceedings",
    "techreport",
    "unpublished",
];

/// Roles written as name-list fields, in this order.
pub(super) const ROLE_FIELDS: &[(Role, &str)] = &[
    (Role::Author, "author"),
    (Role::Editor, "editor"),
    (Role::Translator, "translator"),
    (Role::BookAuthor, "bookauthor"),
    (Role::Commentator, "commentator"),
    (Role::Annotator, "annotator"),
];

/// Roles BibLaTeX has no name list of its own for: written in `editora`, `editorb`, `editorc`
/// with the role's word in `editoratype`… (biblatex's own `collaborator` for a contributor),
/// and read back from there. BibTeX styles ignore these fields.
pub(crate) const EDITOR_TYPE_ROLES: &[(Role, &str)] = &[
    (Role::SeriesEditor, "serieseditor"),
    (Role::Contributor, "collaborator"),
    (Role::Director, "director"),
    (Role::Inventor, "inventor"),
    (Role::Recipient, "recipient"),
    (Role::Interviewer, "interviewer"),
];

/// The name lists [`EDITOR_TYPE_ROLES`] go to, each with its `…type` field.
pub(crate) const EXTRA_EDITOR_FIELDS: [&str; 3] = ["editora", "editorb", "editorc"];

/// The role an `editor?type` word names, when it is one of [`EDITOR_TYPE_ROLES`].
pub(crate) fn editor_type_role(word: &str) -> Option<Role> {
    let w = word.trim().to_ascii_lowercase();
    EDITOR_TYPE_ROLES.iter().find(|(_, x)| *x == w).map(|(r, _)| *r)
}

/// The order creators are written and read back in: [`ROLE_FIELDS`], then
/// [`EDITOR_TYPE_ROLES`].
pub(crate) fn role_rank(r: Role) -> usize {
    ROLE_FIELDS
        .iter()
        .map(|(x, _)| x)
        .chain(EDITOR_TYPE_ROLES.iter().map(|(x, _)| x))
        .position(|x| *x == r)
        .unwrap_or(ROLE_FIELDS.len() + EDITOR_TYPE_ROLES.len())
}

/// Which model slot a field name fills.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum Slot {
    Title,
    Subtitle,
    ShortTitle,
    Container,
    Series,
    Volume,
    Issue,
    Pages,
    Edition,
    Publisher,
    Place,
    Institution,
    Doi,
    Issn,
    Isbn,
    Url,
    Language,
    Note,
    Genre,
    Abstract,
    Keywords,
    Access,
    Date,
    Year,
    Month,
    Day,
    Creators(Role),
}

/// Whether the importer reads a field (lowercase name) as text it converts from LaTeX, so the
/// writer re-escapes it when the entry is regenerated (`url` and `doi` are kept verbatim).
pub(crate) fn converted_field(name: &str) -> bool {
    !matches!(
        slot(name),
        None | Some(Slot::Url | Slot::Doi | Slot::Date | Slot::Year | Slot::Month | Slot::Day | Slot::Access)
    )
}

/// Whether a field (lowercase name) holds a URL or a DOI (read verbatim).
pub(crate) fn link_field(name: &str) -> bool {
    matches!(slot(name), Some(Slot::Url | Slot::Doi))
}

/// Whether a field (lowercase name) is a name list the importer reads.
pub(crate) fn name_field(name: &str) -> bool {
    matches!(slot(name), Some(Slot::Creators(_)))
}

pub(super) fn slot(name: &str) -> Option<Slot> {
    Some(match name {
        "title" => Slot::Title,
        "subtitle" => Slot::Subtitle,
        "shorttitle" => Slot::ShortTitle,
        "journal" | "journaltitle" | "booktitle" => Slot::Container,
        "series" => Slot::Series,
        "volume" => Slot::Volume,
        "number" | "issue" => Slot::Issue,
        "pages" => Slot::Pages,
        "edition" => Slot::Edition,
        "publisher" => Slot::Publisher,
        "address" | "location" => Slot::Place,
        "school" | "institution" => Slot::Institution,
        "doi" => Slot::Doi,
        "issn" => Slot::Issn,
        "isbn" => Slot::Isbn,
        "url" => Slot::Url,
        "language" => Slot::Language,
        "note" => Slot::Note,
        "genre" => Slot::Genre,
        "abstract" => Slot::Abstract,
        "keywords" => Slot::Keywords,
        "access" => Slot::Access,
        "date" => Slot::Date,
        "year" => Slot::Year,
        "month" => Slot::Month,
        "day" => Slot::Day,
        "author" => Slot::Creators(Role::Author),
        "editor" => Slot::Creators(Role::Editor),
        "translator" => Slot::Creators(Role::Translator),
        "bookauthor" => Slot::Creators(Role::BookAuthor),
        "commentator" => Slot::Creators(Role::Commentator),
        "annotator" => Slot::Creators(Role::Annotator),
        _ => return None,
    })
}

/// Fields whose value is a key or a comma-separated list of keys.
pub(super) const KEY_FIELDS: &[&str] = &["crossref", "xref", "xdata", "related", "entryset"];

/// Access status from a yes/no flag or a badge text.
pub(super) fn access_from(value: &str) -> Option<AccessStatus> {
    let v = value.trim().to_ascii_lowercase();
    match v.as_str() {
        "true" | "yes" | "1" | "y" => Some(AccessStatus::Open),
        "false" | "no" | "0" | "n" => Some(AccessStatus::Restricted),
        _ => v.parse().ok().or_else(|| AccessStatus::from_badge(&v)),
    }
}

/// The access status that the kept signals of an item imply (`oa`/`openaccess` extra fields,
/// a Scopus "Open Access" note), with its source.
pub(crate) fn derived_access(note: &str, extra: &[ExtraField]) -> Access {
    for f in extra {
        let n = f.name.to_ascii_lowercase();
        if n == "oa" || n == "openaccess" || n == "open_access" {
            let v = field_text(f.value.trim_matches(['{', '}', '"']));
            if let Some(s) = access_from(&v) {
                return Access::new(s, &format!("bibtex:{n}"));
            }
        }
    }
    if note.to_lowercase().contains("open access") {
        if let Some(s) = AccessStatus::from_badge(note) {
            return Access::new(s, "bibtex:note");
        }
    }
    Access::default()
}

/// biblatex's `pubstate` keys and the date text the library keeps for each (an entry with no
/// date but a publication state: `year = {in press}` or `pubstate = {inpress}`).
pub(crate) const PUBSTATES: [(&str, &str); 5] = [
    ("inpress", "in press"),
    ("forthcoming", "forthcoming"),
    ("submitted", "submitted"),
    ("accepted", "accepted"),
    ("prepublished", "prepublished"),
];

/// The `pubstate` key a date text names ("In press.", "in-press", "to appear", "preprint").
pub(crate) fn pubstate_of(text: &str) -> Option<&'static str> {
    let t = text.trim().trim_end_matches('.').to_lowercase().replace('-', " ");
    let t = match t.as_str() {
        "to appear" => "forthcoming",
        "preprint" => "prepublished",
        t => t,
    };
    PUBSTATES.iter().find(|(k, v)| t == *k || t == *v).map(|(k, _)| *k)
}
