//! RIS tag tables: which tag fills which item field, kept as data.
//!
//! Two specs are in use. The 2011 spec (`TI AU A2 A3 A4 PY DA T2 AB …`) is "standard"; the old
//! RefMan tags (`T1 A1 Y1 JF JO JA N2 …`) are "deprecated": a deprecated tag fills its field only
//! when no standard tag in the same record does (the rule Zotero's `degenerateImportFieldMap`
//! uses). Creator tags are not in this table: their role depends on the item type (see
//! [`creator_role`]).

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

/// Creator tags: `AU`, `A1`–`A4`, `ED` (and `A5`… which only Emerald writes).
pub fn is_creator_tag(tag: &str) -> bool {
    let b = tag.as_bytes();
    tag == "AU" || tag == "ED" || (b.len() == 2 && b[0] == b'A' && (b'1'..=b'4').contains(&b[1]))
}

/// The role a creator tag has for an item type (Zotero's reading of the spec):
/// `AU`/`A1` author (editor for an edited book), `A2` editor for parts of books, conference
/// papers and journal articles but series editor for books and reports (recipient for
/// letters), `A3` series editor, `A4` translator, `ED` editor.
pub fn creator_role(tag: &str, ty: ItemType) -> Role {
    let ty = ris_family(ty);
    match tag {
        "AU" | "A1" => match ty {
            ItemType::Collection => Role::Editor,
            _ => Role::Author,
        },
        "A2" => match ty {
            ItemType::Book | ItemType::Report | ItemType::Thesis | ItemType::Collection => Role::SeriesEditor,
            ItemType::Letter => Role::Recipient,
            _ => Role::Editor,
        },
        "A3" => Role::SeriesEditor,
        "A4" => Role::Translator,
        "ED" => Role::Editor,
        _ => Role::Author,
    }
}

/// The tag the writer uses for a role and item type: the inverse of [`creator_role`].
/// `None` for roles RIS cannot express (written as `AU` with a warning by the writer).
pub fn creator_tag(role: Role, ty: ItemType) -> Option<&'static str> {
    let ty = ris_family(ty);
    Some(match role {
        Role::Author => "AU",
        Role::Editor => match ty {
            ItemType::Collection => "AU",
            ItemType::Book | ItemType::Report | ItemType::Thesis | ItemType::Letter => "ED",
            _ => "A2",
        },
        Role::SeriesEditor => "A3",
        Role::Translator => "A4",
        Role::Recipient if ty == ItemType::Letter => "A2",
        _ => return None,
    })
}

/// Whether `T2` holds the series rather than the container for this type (Zotero: books and
/// reports).
pub fn t2_is_series(ty: ItemType) -> bool {
    matches!(
        ris_family(ty),
        ItemType::Book | ItemType::Collection | ItemType::Report | ItemType::Thesis
    )
}

/// Types that share a TY code read the same way (doctoral and master's theses are `THES`).
fn ris_family(ty: ItemType) -> ItemType {
    match ty {
        ItemType::PhdThesis | ItemType::MastersThesis => ItemType::Thesis,
        t => t,
    }
}

/// Whether `PB` is the degree-granting university or the issuing institution.
pub fn publisher_is_institution(ty: ItemType) -> bool {
    matches!(
        ty,
        ItemType::Thesis | ItemType::PhdThesis | ItemType::MastersThesis | ItemType::Report
    )
}

/// Whether text is a RIS tag (`[A-Z][A-Z0-9]`).
pub fn is_tag(t: &str) -> bool {
    let b = t.as_bytes();
    b.len() == 2 && b[0].is_ascii_uppercase() && (b[1].is_ascii_uppercase() || b[1].is_ascii_digit())
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
