//! `@string` macros: the context carried across the files of one import (month macros
//! predefined) and the expansion of a value's pieces.

use super::parse::{Piece, RawValue};
use std::borrow::Cow;
use std::collections::HashMap;

/// `@string` macros carried across the files of one import (month macros predefined).
#[derive(Debug, Clone, Default)]
pub struct BibContext {
    /// Macro name (as first written) → expanded value.
    pub strings: Vec<(String, String)>,
    /// Lowercase name → index in `strings`.
    index: HashMap<String, usize>,
}

impl BibContext {
    pub fn new() -> BibContext {
        BibContext::default()
    }
}

/// Predefined month macros (BibTeX's plain styles).
const MONTHS: [(&str, &str); 12] = [
    ("jan", "January"),
    ("feb", "February"),
    ("mar", "March"),
    ("apr", "April"),
    ("may", "May"),
    ("jun", "June"),
    ("jul", "July"),
    ("aug", "August"),
    ("sep", "September"),
    ("oct", "October"),
    ("nov", "November"),
    ("dec", "December"),
];

impl BibContext {
    /// The expanded value of a macro (case-insensitive), including the month macros.
    pub fn lookup(&self, name: &str) -> Option<&str> {
        let lower = name.to_ascii_lowercase();
        if let Some(&i) = self.index.get(&lower) {
            return Some(self.strings[i].1.as_str());
        }
        if self.index.len() != self.strings.len() {
            // `strings` was filled by hand: search it.
            if let Some((_, v)) = self.strings.iter().rev().find(|(n, _)| n.eq_ignore_ascii_case(name)) {
                return Some(v.as_str());
            }
        }
        MONTHS.iter().find(|(m, _)| *m == lower).map(|(_, v)| *v)
    }

    /// Define (or redefine) a macro with its expanded value.
    pub fn define(&mut self, name: &str, value: String) {
        let lower = name.to_ascii_lowercase();
        if let Some(&i) = self.index.get(&lower) {
            self.strings[i].1 = value;
        } else {
            self.index.insert(lower, self.strings.len());
            self.strings.push((name.to_string(), value));
        }
    }
}

/// Expand a value's pieces: macros resolved, concatenated. Unknown macros expand to their own
/// name (BibTeX would make them empty) and are reported in `unknown`.
pub(super) fn expand<'a>(v: &RawValue<'a>, ctx: &BibContext, unknown: &mut Vec<String>) -> Cow<'a, str> {
    if let [Piece::Braced(s) | Piece::Quoted(s)] = v.pieces.as_slice() {
        return Cow::Borrowed(s);
    }
    let mut out = String::new();
    for p in &v.pieces {
        match p {
            Piece::Braced(s) | Piece::Quoted(s) => out.push_str(s),
            Piece::Bare(s) => {
                if s.bytes().all(|c| c.is_ascii_digit()) {
                    out.push_str(s);
                } else if let Some(val) = ctx.lookup(s) {
                    out.push_str(val);
                } else {
                    unknown.push((*s).to_string());
                    out.push_str(s);
                }
            }
        }
    }
    Cow::Owned(out)
}
