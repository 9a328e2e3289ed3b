//! BibTeX / BibLaTeX import and export. (Placeholder contract: being implemented.)

use super::{BibExtras, Parsed, Written};
use crate::model::Item;

/// `@string` macros carried across the files of one import (month macros predefined).
#[derive(Debug, Clone, Default)]
pub struct BibContext {
    pub strings: Vec<(String, String)>,
}

impl BibContext {
    pub fn new() -> BibContext {
        BibContext::default()
    }
}

/// Whether text looks like BibTeX (an `@type{` or `@type(` block near the start).
pub fn looks_like(text: &str) -> bool {
    text.lines().take(200).any(|l| {
        let l = l.trim_start();
        l.starts_with('@')
            && l[1..]
                .trim_start()
                .chars()
                .take_while(|c| c.is_ascii_alphabetic())
                .count()
                > 0
            && l.contains(['{', '('])
    })
}

pub fn parse(_input: &str, _ctx: &mut BibContext) -> Parsed {
    Parsed {
        diagnostics: vec![crate::error::Diagnostic::error(
            None,
            "BibTeX import is not available in this build",
        )],
        ..Default::default()
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum BibMode {
    /// Classic BibTeX for `bibtex` and `.bst` styles.
    #[default]
    Bibtex,
    /// BibLaTeX for `biber`.
    Biblatex,
}

#[derive(Debug, Clone, Default)]
pub struct BibWriteOptions {
    pub mode: BibMode,
    /// Write non-ASCII as LaTeX escapes (default on for BibTeX, off for BibLaTeX).
    pub ascii: Option<bool>,
    /// Field names to leave out (e.g. `abstract`, `file`).
    pub omit_fields: Vec<String>,
}

pub fn write(_items: &[Item], _extras: &BibExtras, _opts: &BibWriteOptions) -> Written {
    Written::default()
}
