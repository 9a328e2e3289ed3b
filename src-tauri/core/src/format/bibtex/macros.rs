//! `@string` macros: the context carried across the files of one import (month macros
//! predefined) and the expansion of a value's pieces.

use super::parse::{Piece, RawValue};
use crate::budget::{MAX_EXPANSION_BYTES, MAX_FIELD_BYTES};
use std::borrow::Cow;
use std::cell::Cell;
use std::collections::{HashMap, HashSet};

/// `@string` macros carried across the files of one import (month macros predefined).
#[derive(Debug, Clone, Default)]
pub struct BibContext {
    /// Macro name (as first written) → expanded value.
    pub strings: Vec<(String, String)>,
    /// Lowercase name → index in `strings`.
    index: HashMap<String, usize>,
    /// Lowercase names of macros whose value was past the expansion budget (kept unexpanded):
    /// a value that uses one is kept unexpanded too.
    over: HashSet<String>,
    /// Bytes expansion produced in the current file, and how many it may produce.
    spent: Cell<usize>,
    allowance: usize,
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

    /// A new file starts: its expansion may produce its own size plus
    /// [`MAX_EXPANSION_BYTES`].
    pub(super) fn start_file(&mut self, len: usize) {
        self.spent.set(0);
        self.allowance = len.saturating_add(MAX_EXPANSION_BYTES);
    }

    /// A macro whose value was past the budget: kept unexpanded, and so is every value that
    /// uses it.
    pub(super) fn define_over(&mut self, name: &str) {
        self.over.insert(name.to_ascii_lowercase());
    }

    fn is_over(&self, name: &str) -> bool {
        !self.over.is_empty() && self.over.contains(&name.to_ascii_lowercase())
    }

    /// Define (or redefine) a macro with its expanded value.
    pub fn define(&mut self, name: &str, value: String) {
        let lower = name.to_ascii_lowercase();
        self.over.remove(&lower);
        if let Some(&i) = self.index.get(&lower) {
            self.strings[i].1 = value;
        } else {
            self.index.insert(lower, self.strings.len());
            self.strings.push((name.to_string(), value));
        }
    }
}

/// Why a value was not expanded (it is kept as written, with its macro names).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Unexpanded {
    /// The expansion would be this many bytes, past [`MAX_FIELD_BYTES`].
    TooLong(usize),
    /// The file's expansions reached their budget.
    FileBudget,
    /// It uses a macro that was itself past the budget.
    Uses(String),
}

impl std::fmt::Display for Unexpanded {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Unexpanded::TooLong(n) => write!(
                f,
                "its @string expansion would be {n} bytes, over the limit of {} MiB per value",
                MAX_FIELD_BYTES >> 20
            ),
            Unexpanded::FileBudget => write!(
                f,
                "@string expansion in this file reached its budget (the file's size plus {} MiB)",
                MAX_EXPANSION_BYTES >> 20
            ),
            Unexpanded::Uses(m) => write!(f, "it uses the macro {m:?}, which was itself too large to expand"),
        }
    }
}

/// Expand a value's pieces: macros resolved, concatenated. Unknown macros expand to their own
/// name (BibTeX would make them empty) and are reported in `unknown`. A value whose expansion
/// would be past the budget (see [`Unexpanded`]) is not expanded: the caller keeps it as
/// written. The size is worked out before anything is copied.
pub(super) fn expand<'a>(
    v: &RawValue<'a>,
    ctx: &BibContext,
    unknown: &mut Vec<String>,
) -> Result<Cow<'a, str>, Unexpanded> {
    if let [Piece::Braced(s) | Piece::Quoted(s)] = v.pieces.as_slice() {
        return Ok(Cow::Borrowed(s));
    }
    let mut len = 0usize;
    for p in &v.pieces {
        len = len.saturating_add(match p {
            Piece::Braced(s) | Piece::Quoted(s) => s.len(),
            Piece::Bare(s) if s.bytes().all(|c| c.is_ascii_digit()) => s.len(),
            Piece::Bare(s) if ctx.is_over(s) => return Err(Unexpanded::Uses((*s).to_string())),
            Piece::Bare(s) => ctx.lookup(s).map_or(s.len(), str::len),
        });
    }
    if len > MAX_FIELD_BYTES {
        return Err(Unexpanded::TooLong(len));
    }
    let spent = ctx.spent.get().saturating_add(len);
    if spent > ctx.allowance.max(MAX_EXPANSION_BYTES) {
        return Err(Unexpanded::FileBudget);
    }
    ctx.spent.set(spent);
    let mut out = String::with_capacity(len);
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
    Ok(Cow::Owned(out))
}
