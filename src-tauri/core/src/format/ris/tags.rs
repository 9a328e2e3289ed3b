//! RIS tag tables: which tag fills which item field, kept as data.
//!
//! Two specs are in use. The 2011 spec (`TI AU A2 A3 A4 PY DA T2 AB …`) is "standard"; the old
//! RefMan tags (`T1 A1 Y1 JF JO JA N2 …`) are "deprecated": a deprecated tag fills its field only
//! when no standard tag in the same record does (the rule Zotero's `degenerateImportFieldMap`
//! uses). What a tag means for one item type (`SN`: ISSN of a journal, ISBN of a book, the
//! number of a report or patent; the roles of `A2`/`A3`/`A4`; `T2` series or container) is a
//! second table, [`BY_TYPE`], consulted first ([`meaning`]).

use crate::model::{ItemType, Role};

/// An item field a RIS tag can fill.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Field {
    Title,
    ShortTitle,
    /// `T2`: journal, book or proceedings title; the series for books and reports.
    Secondary,
    /// Journal names of the old spec (`JF`, `JO`); used when `T2` is absent.
    Journal,
    /// Abbreviated journal (`J2`, `JA`, `J1`): fills the container only when nothing else does.
    JournalAbbrev,
    Series,
    Volume,
    Issue,
    StartPage,
    EndPage,
    Edition,
    Publisher,
    Place,
    /// `DA`: full date.
    Date,
    /// `PY`: year (sometimes a full date).
    Year,
    /// `Y1`: primary date of the old spec.
    PrimaryDate,
    Doi,
    /// `SN`: ISSN or ISBN, told apart by shape and item type.
    StandardNumber,
    Url,
    Language,
    Note,
    /// `M3`: type of work.
    Genre,
    Abstract,
    Keyword,
    /// A report's, patent's or bill's number (per type, see [`BY_TYPE`]): the `issue` slot.
    Number,
    /// The issuing institution or university (`PB` of reports and theses).
    Institution,
    /// `C3` of conference papers: the proceedings' title, the container before `T2` (the
    /// conference's name).
    ProceedingsTitle,
}

/// One tag's meaning.
#[derive(Debug, Clone, Copy)]
pub struct TagDef {
    pub tag: &'static str,
    pub field: Field,
    /// Deprecated (old spec): used only when no standard tag filled the field.
    pub deprecated: bool,
}

const fn std(tag: &'static str, field: Field) -> TagDef {
    TagDef {
        tag,
        field,
        deprecated: false,
    }
}
const fn old(tag: &'static str, field: Field) -> TagDef {
    TagDef {
        tag,
        field,
        deprecated: true,
    }
}

/// Tag → field. Tags not listed here (and not creator tags) are kept as extra fields.
pub const TAGS: &[TagDef] = &[
    std("TI", Field::Title),
    old("T1", Field::Title),
    old("CT", Field::Title),
    std("ST", Field::ShortTitle),
    std("T2", Field::Secondary),
    old("BT", Field::Secondary),
    old("JF", Field::Journal),
    old("JO", Field::Journal),
    std("J2", Field::JournalAbbrev),
    old("JA", Field::JournalAbbrev),
    old("J1", Field::JournalAbbrev),
    std("T3", Field::Series),
    std("VL", Field::Volume),
    std("IS", Field::Issue),
    old("CP", Field::Issue),
    std("SP", Field::StartPage),
    std("EP", Field::EndPage),
    std("ET", Field::Edition),
    std("PB", Field::Publisher),
    std("CY", Field::Place),
    old("PP", Field::Place),
    std("DA", Field::Date),
    std("PY", Field::Year),
    old("Y1", Field::PrimaryDate),
    std("DO", Field::Doi),
    std("SN", Field::StandardNumber),
    old("BN", Field::StandardNumber),
    std("UR", Field::Url),
    old("LK", Field::Url),
    std("LA", Field::Language),
    std("N1", Field::Note),
    std("M3", Field::Genre),
    std("AB", Field::Abstract),
    old("N2", Field::Abstract),
    std("KW", Field::Keyword),
];

/// The definition of a (non-creator) tag.
pub fn tag_def(tag: &str) -> Option<&'static TagDef> {
    let b = tag.as_bytes();
    if b.len() != 2 {
        return None;
    }
    let i = slot(b[0], b[1])?;
    // An index over TAGS, built once: RIS files have millions of tag lines.
    static INDEX: std::sync::OnceLock<Vec<Option<u8>>> = std::sync::OnceLock::new();
    let index = INDEX.get_or_init(|| {
        let mut v = vec![None; 26 * 36];
        for (n, d) in TAGS.iter().enumerate() {
            let t = d.tag.as_bytes();
            if let Some(k) = slot(t[0], t[1]) {
                v[k] = Some(n as u8);
            }
        }
        v
    });
    index[i].map(|n| &TAGS[n as usize])
}

fn slot(a: u8, b: u8) -> Option<usize> {
    let first = a.checked_sub(b'A').filter(|x| *x < 26)? as usize;
    let second = match b {
        b'A'..=b'Z' => (b - b'A') as usize,
        b'0'..=b'9' => 26 + (b - b'0') as usize,
        _ => return None,
    };
    Some(first * 36 + second)
}

/// What a tag means for one family of item types (a row of [`BY_TYPE`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Meaning {
    /// A model slot, read as the type-independent tags of [`TAGS`] are.
    Field(Field),
    /// A creator with this role (one value may list several names separated by `;`).
    Creator(Role),
    /// No model slot for what the tag means here: kept as an extra field under its tag (listed
    /// so that the generic meaning does not apply).
    Keep,
}

/// One row of the per-type table: `tag` means `meaning` for the item types in `types`.
#[derive(Debug, Clone, Copy)]
pub struct TypeTag {
    /// Folio item types (TY codes that read as the same type share the row; doctoral and
    /// master's theses read as `Thesis`). Empty: every type (the default creator rows).
    pub types: &'static [ItemType],
    pub tag: &'static str,
    pub meaning: Meaning,
    /// What the RIS spec's table calls the field for these types ("Report Number"), or why
    /// Folio reads it so.
    pub spec: &'static str,
}

const fn by(types: &'static [ItemType], tag: &'static str, meaning: Meaning, spec: &'static str) -> TypeTag {
    TypeTag {
        types,
        tag,
        meaning,
        spec,
    }
}

use ItemType as T;
use Meaning::{Creator as C, Field as F, Keep};

/// What a tag means per item type, where that differs from [`TAGS`] (or, for creator tags,
/// from the default rows at the end). Looked up by [`meaning`]; a type's own row wins over a
/// default row. Tags in neither table are kept as extra fields.
///
/// Sources, read for the semantics: the RIS Format Specifications (Research Information
/// Systems, 2011; the per-type tag table that EndNote's and Reference Manager's RIS export
/// follows, also at <https://github.com/customcommander/ris> `resources/fields.json`), EndNote's
/// "RIS tags by reference type" help table (Clarivate), and Zotero's `RIS.js` translator
/// (`fieldMap`: `SN` is ISSN for periodicals, the patent number for patents, the report number
/// for reports; `A2`/`A3` roles by type). Where they disagree, or where following the spec
/// would leave a role or a field the writer uses without a tag to read it back from, Folio
/// keeps its reading and says so in `spec`: `A3` is the series editor (the spec: a report's
/// publisher, a thesis's advisor), `A4` the translator (the spec: a report's department, a
/// conference's sponsor), `T2` a thesis's series (the spec: its academic department), `VL` the
/// volume of a thesis or web page (the spec: its degree, the access year), and `SER` (a serial
/// publication) reads as a book with the `BOOK` rows (the spec's `A2` is its editor).
///
/// `F(Field::Number)` fills the item's number (the `issue` slot, which BibTeX writes as
/// `number`: a report's, patent's or bill's number) when `IS` did not, and only with a value
/// that looks like a number (a digit, at most 40 characters) that is no ISBN or ISSN; other
/// values are kept under their tag.
pub const BY_TYPE: &[TypeTag] = &[
    // Creators.
    by(&[T::Collection], "AU", C(Role::Editor), "Editor"),
    by(&[T::Collection], "A1", C(Role::Editor), "Editor"),
    by(&[T::Collection], "A2", C(Role::SeriesEditor), "Series Editor"),
    by(&[T::Book], "A2", C(Role::SeriesEditor), "Series Editor"),
    by(&[T::Book], "A3", C(Role::Editor), "Editor"),
    by(&[T::Report], "A2", C(Role::SeriesEditor), "Series Editor"),
    by(
        &[T::Thesis],
        "A2",
        C(Role::SeriesEditor),
        "not in the spec; the series editor, as for books",
    ),
    by(
        &[T::Software, T::Map, T::Unpublished],
        "A2",
        C(Role::SeriesEditor),
        "Series Editor",
    ),
    by(&[T::Letter], "A2", C(Role::Recipient), "Recipient"),
    by(&[T::Patent], "A2", Keep, "Issuing Organization"),
    by(&[T::Patent], "A3", Keep, "International Author"),
    by(&[T::Audiovisual, T::Presentation], "A2", Keep, "Performers"),
    by(&[T::Dataset], "A2", Keep, "Producer"),
    by(&[T::Legislation], "A2", Keep, "Sponsor"),
    by(&[T::Case], "A2", Keep, "Reporter"),
    by(&[T::Case], "A3", Keep, "Higher Court"),
    by(&[T::Case], "A4", Keep, "Counsel"),
    by(&[], "AU", C(Role::Author), "Author"),
    by(&[], "A1", C(Role::Author), "Primary Author (old spec)"),
    by(
        &[],
        "A2",
        C(Role::Editor),
        "Secondary Author: the editor of a journal, book or proceedings",
    ),
    by(&[], "A3", C(Role::SeriesEditor), "Tertiary Author: the series editor"),
    by(&[], "A4", C(Role::Translator), "Subsidiary Author: the translator"),
    by(&[], "ED", C(Role::Editor), "Editor (old spec)"),
    // Titles.
    by(
        &[T::Book, T::Collection, T::Report, T::Thesis],
        "T2",
        F(Field::Series),
        "Series Title (a thesis: Academic Department)",
    ),
    by(&[T::Software, T::Map], "T2", F(Field::Series), "Series Title"),
    by(
        &[T::InProceedings],
        "C3",
        F(Field::ProceedingsTitle),
        "Proceedings Title",
    ),
    by(&[T::Legislation], "T3", Keep, "Legislative Body"),
    by(&[T::Case], "T3", Keep, "Decision"),
    by(&[T::Patent], "T3", Keep, "International Title"),
    // Publisher.
    by(&[T::Report], "PB", F(Field::Institution), "Institution"),
    by(&[T::Thesis], "PB", F(Field::Institution), "University"),
    // Numbers.
    by(&[T::Report], "SN", F(Field::Number), "Report Number"),
    by(&[T::Patent], "SN", F(Field::Number), "Patent Number"),
    by(&[T::Standard], "SN", F(Field::Number), "Document Number"),
    by(&[T::Report], "M1", F(Field::Number), "Document Number"),
    by(&[T::Report], "C6", F(Field::Number), "Issue"),
    by(
        &[T::Legislation],
        "M1",
        F(Field::Number),
        "Bill Number, Public Law Number",
    ),
    by(
        &[T::Article],
        "M1",
        F(Field::Number),
        "Issue (EJOUR; some vendors' JOUR)",
    ),
    by(&[T::MagazineArticle], "M1", F(Field::Number), "Issue Number"),
    by(&[T::InProceedings], "M1", F(Field::Number), "Issue"),
    by(&[T::NewspaperArticle], "C2", F(Field::Number), "Issue"),
    by(&[T::Patent], "VL", Keep, "Patent Version Number"),
    // Edition.
    by(&[T::Patent], "ET", Keep, "International Patent Classification"),
    by(&[T::Legislation], "ET", Keep, "Session"),
    by(&[T::Case], "ET", Keep, "Action of Higher Court"),
];

/// Per item type, the [`BY_TYPE`] row (index + 1) of each tag: every RIS file line is looked up.
fn by_type_index() -> &'static [Vec<u8>] {
    static INDEX: std::sync::OnceLock<Vec<Vec<u8>>> = std::sync::OnceLock::new();
    INDEX.get_or_init(|| {
        let mut out = vec![vec![0u8; 26 * 36]; ItemType::ALL.len()];
        for info in ItemType::ALL {
            let map = &mut out[info.ty as usize];
            // The type's own rows first, then the default rows.
            for own in [true, false] {
                for (n, r) in BY_TYPE.iter().enumerate() {
                    let applies = if own {
                        r.types.contains(&ris_family(info.ty))
                    } else {
                        r.types.is_empty()
                    };
                    let t = r.tag.as_bytes();
                    if let (true, Some(k)) = (applies, slot(t[0], t[1])) {
                        if map[k] == 0 {
                            map[k] = n as u8 + 1;
                        }
                    }
                }
            }
        }
        out
    })
}

/// What `tag` means for an item of type `ty`, and whether it is a deprecated (old spec) tag:
/// the type's row of [`BY_TYPE`], else a default creator row, else [`TAGS`]. `None`: a tag
/// neither table knows (kept as an extra field).
pub fn meaning(tag: &str, ty: ItemType) -> Option<(Meaning, bool)> {
    let b = tag.as_bytes();
    if b.len() != 2 {
        return None;
    }
    let k = slot(b[0], b[1])?;
    match by_type_index()[ty as usize][k] {
        0 => tag_def(tag).map(|d| (Meaning::Field(d.field), d.deprecated)),
        n => Some((BY_TYPE[n as usize - 1].meaning, false)),
    }
}

/// The role a creator tag has for an item type (see [`BY_TYPE`]): `AU`/`A1` author (editor
/// for an edited book), `A2` editor for parts of books, conference papers and journal
/// articles but series editor for books, reports and theses (recipient for letters), `A3`
/// series editor (editor for books), `A4` translator, `ED` editor. `None` when the tag is
/// no creator for the type (kept as an extra field).
pub fn creator_role(tag: &str, ty: ItemType) -> Option<Role> {
    match meaning(tag, ty) {
        Some((Meaning::Creator(r), _)) => Some(r),
        _ => None,
    }
}

/// The tag the writer uses for a role and item type: the inverse of [`creator_role`] (the
/// first tag, in the order the writer prefers for the role, that reads back as the role).
/// `None` for roles RIS cannot express for the type (written as `AU` with a warning by the
/// writer).
pub fn creator_tag(role: Role, ty: ItemType) -> Option<&'static str> {
    let prefs: &[&'static str] = match role {
        Role::Author => &["AU"],
        Role::Editor => &["A2", "AU", "ED", "A3"],
        Role::SeriesEditor => &["A3", "A2"],
        Role::Translator => &["A4"],
        _ => &["A2", "A3", "A4"],
    };
    prefs.iter().copied().find(|t| creator_role(t, ty) == Some(role))
}

/// Whether `T2` holds the series rather than the container for this type ([`BY_TYPE`]: books,
/// edited books, reports, theses, software, maps).
pub fn t2_is_series(ty: ItemType) -> bool {
    matches!(meaning("T2", ty), Some((Meaning::Field(Field::Series), _)))
}

/// Types that share a TY code read the same way (doctoral and master's theses are `THES`).
fn ris_family(ty: ItemType) -> ItemType {
    match ty {
        ItemType::PhdThesis | ItemType::MastersThesis => ItemType::Thesis,
        t => t,
    }
}

/// Whether `PB` is the degree-granting university or the issuing institution ([`BY_TYPE`]).
pub fn publisher_is_institution(ty: ItemType) -> bool {
    matches!(meaning("PB", ty), Some((Meaning::Field(Field::Institution), _)))
}

/// The item type a TY code reads as: [`ItemType::from_ris`], except that an encyclopedia
/// article or dictionary entry (`ENCYC`, `DICT`) with the reference work's title (`T2`) is a
/// contribution to that work (an `incollection`, BibLaTeX's `@inreference`), not the work.
pub fn type_of_code(code: &str, has_container: bool) -> Option<ItemType> {
    let ty = ItemType::from_ris(code)?;
    Some(if ty == ItemType::Reference && has_container {
        ItemType::InCollection
    } else {
        ty
    })
}

/// Whether text is a RIS tag (`[A-Z][A-Z0-9]`).
pub fn is_tag(t: &str) -> bool {
    crate::model::is_tag_name(t)
}

/// Tags whose continuation lines keep their line breaks.
pub fn keeps_newlines(tag: &str) -> bool {
    matches!(tag, "KW" | "L1" | "L2" | "L3" | "AB" | "N1" | "N2")
}

/// Model field names that `RisWriteOptions::omit_fields` may name, with the tags they cover.
pub const FIELD_TAGS: &[(&str, &[&str])] = &[
    ("title", &["TI"]),
    ("shorttitle", &["ST"]),
    ("creators", &["AU", "A2", "A3", "A4", "ED"]),
    ("author", &["AU"]),
    ("editor", &["ED", "A2"]),
    ("container", &["T2"]),
    ("journal", &["T2"]),
    ("series", &["T3"]),
    ("volume", &["VL"]),
    ("issue", &["IS"]),
    ("pages", &["SP", "EP"]),
    ("edition", &["ET"]),
    ("publisher", &["PB"]),
    ("institution", &["PB"]),
    ("place", &["CY"]),
    ("date", &["DA", "PY"]),
    ("year", &["PY"]),
    ("doi", &["DO"]),
    ("issn", &["SN"]),
    ("isbn", &["SN"]),
    ("url", &["UR"]),
    ("language", &["LA"]),
    ("note", &["N1"]),
    ("genre", &["M3"]),
    ("abstract", &["AB"]),
    ("keywords", &["KW"]),
    ("tags", &["KW"]),
    ("access", &["N1:access"]),
    ("extra", &["*extra"]),
];

/// Whether text can be written as a TY code (letters and digits, up to 8).
pub fn is_tag_like_code(t: &str) -> bool {
    !t.is_empty() && t.len() <= 8 && t.chars().all(|c| c.is_ascii_alphanumeric())
}
