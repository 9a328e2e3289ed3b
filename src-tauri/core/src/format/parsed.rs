//! What a reader gives back: the items it read (each with its line) and the file-level
//! results, and the sink a streaming reader hands its items to.

use super::bibtex::jabref::Plan;
use crate::error::Diagnostic;
use crate::model::Item;

/// One item read from a file, with the 1-based line its record starts on.
#[derive(Debug, Clone, PartialEq)]
pub struct ParsedItem {
    pub item: Item,
    pub line: usize,
    /// Collection paths the record names (Folio JSON; BibTeX from JabRef's groups); the
    /// importer files the item there.
    pub collections: Vec<String>,
    /// The BibTeX reader's [`checks`](super::bibtex::checks) of the item's source record and the macros it
    /// uses, as the store keeps them (computed while the entry is at hand).
    pub source_checks: Option<(i64, Option<String>)>,
}

impl ParsedItem {
    pub fn new(item: Item, line: usize) -> ParsedItem {
        ParsedItem {
            item,
            line,
            collections: Vec::new(),
            source_checks: None,
        }
    }
}

/// File-level BibTeX content that is not an entry: `@string` macros, `@preamble` and
/// `@comment` blocks (JabRef groups, BibDesk metadata). Kept in the library and written back.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct BibExtras {
    /// Macro name → raw value text as written (`{Journal of X}`, `"A" # b`).
    pub strings: Vec<(String, String)>,
    /// Raw text inside each `@preamble{…}`.
    pub preambles: Vec<String>,
    /// Raw text inside each `@comment{…}`.
    pub comments: Vec<String>,
}

impl BibExtras {
    pub fn is_empty(&self) -> bool {
        self.strings.is_empty() && self.preambles.is_empty() && self.comments.is_empty()
    }
}

/// What a parser read from one input.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Parsed {
    pub items: Vec<ParsedItem>,
    pub diagnostics: Vec<Diagnostic>,
    /// The vendor or dialect detected ("scopus", "emerald", "wos", "emerald-results"…).
    pub dialect: Option<String>,
    /// Each vendor repair applied, named for the import report.
    pub repairs: Vec<String>,
    pub extras: BibExtras,
    /// A JabRef group tree's collections and saved searches (BibTeX only); the items carry
    /// their collections.
    pub groups: Option<Plan>,
}

/// Receives each item as a reader builds it, with how far into the input (bytes) the reader
/// has got; returns false to stop reading (the import was cancelled or failed).
pub type Sink<'s> = dyn FnMut(ParsedItem, usize) -> bool + 's;

/// Hand a whole parse's items to a sink (readers that do not stream), with byte offsets spread
/// evenly over the input. Returns the rest of the parse.
pub fn feed(mut parsed: Parsed, input_len: usize, sink: &mut Sink<'_>) -> Parsed {
    let items = std::mem::take(&mut parsed.items);
    let n = items.len();
    for (i, pi) in items.into_iter().enumerate() {
        if !sink(pi, input_len * (i + 1) / n) {
            break;
        }
    }
    parsed
}
