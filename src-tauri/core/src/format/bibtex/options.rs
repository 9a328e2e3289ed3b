//! Options of the BibTeX writer.

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
