//! The kept extra fields of a regenerated entry, written so that the file stays valid: a
//! BibTeX field's raw value only when it is one BibTeX reads (balanced, pieces joined by `#`,
//! every macro defined), anything else as braced LaTeX text; a field name only when it is an
//! identifier BibTeX and biber accept; a RIS or Web of Science tag only through the crosswalk
//! table (`format/crosswalk.tsv`), never under its own name. Whatever has no home is left out
//! of the export and counted for its report; it stays in the library.

use super::super::parse::{is_macro, Block, Piece, Scanner};
use super::super::tex::{self, Escape};
use crate::format::crosswalk::{self, ValueKind};
use crate::model::{ExtraField, ItemType, Origin, PartialDate};
use rustc_hash::FxHashSet as HashSet;
use std::collections::BTreeMap;

/// Whether `name` is a field name BibTeX and biber both read: an ASCII letter, then letters,
/// digits and `-_.:+` (BibTeX allows more, biber's parser less).
pub fn valid_field_name(name: &str) -> bool {
    let b = name.as_bytes();
    !b.is_empty()
        && b.len() <= 64
        && b[0].is_ascii_alphabetic()
        && b.iter().all(|c| c.is_ascii_alphanumeric() || b"-_.:+".contains(c))
}

/// The month macros BibTeX and biber define.
pub(super) const MONTHS: [&str; 12] = [
    "jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec",
];

/// How a kept BibTeX value is written.
#[derive(Debug, PartialEq, Eq)]
pub(super) enum RawValue {
    /// As stored: a valid value whose macros are all defined.
    Raw,
    /// As this braced LaTeX text (the stored text was not a valid value, or used a macro this
    /// export cannot define); the undefined macros, written as their names.
    Text(String, Vec<String>),
}

/// Check a stored raw value; `defined` tells a macro this export can define (lowercase).
pub(super) fn check_raw(raw: &str, defined: &dyn Fn(&str) -> bool, ascii: bool) -> RawValue {
    let trimmed = raw.trim();
    let wrapped = format!("@x{{k, f = {trimmed}}}");
    let as_text = || {
        RawValue::Text(
            tex::from_unicode(
                trimmed,
                Escape {
                    ascii,
                    protect_case: false,
                },
            ),
            Vec::new(),
        )
    };
    let mut sc = Scanner::new(&wrapped);
    let Some(Block::Entry {
        fields, broken: None, ..
    }) = sc.next_block()
    else {
        return as_text();
    };
    if fields.len() != 1 || fields[0].value.raw.trim() != trimmed || sc.next_block().is_some() {
        return as_text();
    }
    let mut undefined = Vec::new();
    let mut text = String::new();
    for p in &fields[0].value.pieces {
        match p {
            Piece::Braced(s) | Piece::Quoted(s) => {
                if !tex::bibtex_balanced(s) {
                    return as_text();
                }
                text.push_str(s);
            }
            Piece::Bare(s) => {
                if let Some(m) = is_macro(p) {
                    if !MONTHS.contains(&m.as_str()) && !defined(&m) {
                        undefined.push(s.to_string());
                    }
                }
                text.push_str(s);
            }
        }
    }
    if undefined.is_empty() {
        RawValue::Raw
    } else if tex::balanced(&text) && tex::bibtex_balanced(&text) {
        RawValue::Text(text, undefined)
    } else {
        as_text()
    }
}

/// Kept fields left out of an export, by description, with how many entries had them.
#[derive(Debug, Default)]
pub struct LeftOut(BTreeMap<String, usize>);

impl LeftOut {
    pub(super) fn add(&mut self, what: String) {
        *self.0.entry(what).or_default() += 1;
    }
    pub(super) fn iter(&self) -> impl Iterator<Item = (&String, &usize)> {
        self.0.iter()
    }
}

/// Where a kept RIS or Web of Science field goes in this export: the field name and its
/// value text (not yet escaped), or why it is left out.
pub(super) fn tagged_home(f: &ExtraField, ty: ItemType, biblatex: bool) -> Result<(&'static str, String), String> {
    let row = crosswalk::lookup(f.origin, &f.name, ty);
    let home = row.and_then(|r| if biblatex { r.biblatex } else { r.bibtex });
    let (Some(row), Some(name)) = (row, home) else {
        return Err(crosswalk::describe(f.origin, &f.name, ty));
    };
    match row.kind {
        ValueKind::Text => Ok((name, f.value.trim().to_string())),
        ValueKind::Date => {
            let d = PartialDate::parse(f.value.trim());
            if d.year.is_some() {
                Ok((name, d.iso()))
            } else {
                Err(format!("{} (not a date)", crosswalk::describe(f.origin, &f.name, ty)))
            }
        }
    }
}

/// Whether a kept field is written under its own name (BibTeX fields and named text fields
/// with a valid name), for the names a regenerated entry must not reuse.
pub(super) fn named(f: &ExtraField) -> bool {
    matches!(f.origin, Origin::Bibtex | Origin::Text) && valid_field_name(&f.name)
}

/// Lowercase names of `items`' kept fields written under their own name.
pub(super) fn own_names(extra: &[ExtraField]) -> HashSet<String> {
    extra
        .iter()
        .filter(|f| named(f))
        .map(|f| f.name.to_ascii_lowercase())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(raw: &str) -> RawValue {
        check_raw(raw, &|m| m == "ieeetc", true)
    }

    #[test]
    fn raw_values_are_copied_only_when_bibtex_reads_them() {
        assert_eq!(check("{Z {x}}"), RawValue::Raw);
        assert_eq!(check("\"A\" # jan"), RawValue::Raw);
        assert_eq!(check("1234"), RawValue::Raw);
        assert_eq!(check("ieeetc # { and more}"), RawValue::Raw);
        // A macro nothing defines: the value as text, the name kept in it.
        assert_eq!(
            check("acmcs # { and more}"),
            RawValue::Text("acmcs and more".into(), vec!["acmcs".into()])
        );
        // Plain text from elsewhere stored as if it were BibTeX: escaped, braced by the caller.
        assert_eq!(check("J. Chem. Phys."), RawValue::Text("J. Chem. Phys.".into(), vec![]));
        assert_eq!(
            check("Dept. of Things, Univ."),
            RawValue::Text("Dept. of Things, Univ.".into(), vec![])
        );
        assert_eq!(
            check("50% {off"),
            RawValue::Text("50\\% \\textbraceleft{}off".into(), vec![])
        );
        // Not one value: written as the text it is (braces as text commands BibTeX does not count).
        for raw in ["{a} {b}", "{a}}, x = {b}"] {
            let RawValue::Text(t, undefined) = check(raw) else {
                panic!("{raw} read as a value")
            };
            assert!(
                undefined.is_empty() && tex::bibtex_balanced(&t) && t.contains("a") && t.contains("b"),
                "{t}"
            );
        }
    }

    #[test]
    fn field_names() {
        for ok in ["note", "bdsk-url-1", "x_y", "Date-Added", "mendeley-tags", "a.b", "c:d"] {
            assert!(valid_field_name(ok), "{ok}");
        }
        for bad in ["", "1abc", "a b", "a=b", "a,b", "a{b", "a\"b", "a#b", "a%b", "ä", "(x)"] {
            assert!(!valid_field_name(bad), "{bad}");
        }
    }

    #[test]
    fn tags_go_through_the_table() {
        let art = ItemType::Article;
        let jo = ExtraField::ris("JO".into(), "J. Chem. Phys.".into());
        assert_eq!(
            tagged_home(&jo, art, true),
            Ok(("shortjournal", "J. Chem. Phys.".into()))
        );
        assert_eq!(
            tagged_home(&jo, art, false),
            Err("RIS JO (journal name (RefMan); kept when the container came from T2 or JF, so usually its abbreviation)".into())
        );
        let y2 = ExtraField::ris("Y2".into(), "2019/03/28".into());
        assert_eq!(tagged_home(&y2, art, true), Ok(("urldate", "2019-03-28".into())));
        let y2 = ExtraField::ris("Y2".into(), "last week".into());
        assert!(tagged_home(&y2, art, true).unwrap_err().ends_with("(not a date)"));
        let db = ExtraField::ris("DB".into(), "Scopus".into());
        assert_eq!(tagged_home(&db, art, true), Err("RIS DB (name of the database)".into()));
        let unknown = ExtraField::ris("ZZ".into(), "x".into());
        assert_eq!(tagged_home(&unknown, art, false), Err("RIS ZZ".into()));
    }
}
