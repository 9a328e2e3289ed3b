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
    /// For each preamble (by position), the imports (files) that hold it; empty when that is
    /// not known (read before Folio kept it).
    #[serde(default)]
    pub preamble_batches: Vec<Vec<i64>>,
    /// The same for each comment.
    #[serde(default)]
    pub comment_batches: Vec<Vec<i64>>,
}

/// Add `text` to a list of blocks with the files that hold each; whether it is new.
fn add_block(list: &mut Vec<String>, batches: &mut Vec<Vec<i64>>, text: &str, batch: i64) -> bool {
    batches.resize(list.len(), Vec::new());
    match list.iter().position(|p| p == text) {
        Some(i) => {
            if !batches[i].contains(&batch) {
                batches[i].push(batch);
            }
            false
        }
        None => {
            list.push(text.to_string());
            batches.push(vec![batch]);
            true
        }
    }
}

impl BibExtras {
    pub fn is_empty(&self) -> bool {
        self.strings.is_empty() && self.preambles.is_empty() && self.comments.is_empty()
    }

    /// Add a preamble read from import `batch` (a preamble already kept records the batch
    /// too); whether it is new.
    pub fn add_preamble(&mut self, text: &str, batch: i64) -> bool {
        add_block(&mut self.preambles, &mut self.preamble_batches, text, batch)
    }

    /// Add a comment read from import `batch`; whether it is new.
    pub fn add_comment(&mut self, text: &str, batch: i64) -> bool {
        add_block(&mut self.comments, &mut self.comment_batches, text, batch)
    }

    /// The `@preamble` and `@comment` blocks an export of entries from the imports `batches`
    /// needs (plus those of unknown origin when some entry's origin is unknown, `unknown`):
    /// a file's blocks travel with its entries only. The `@string`s stay (the writer writes
    /// those the entries use). Also what was left out, for the report.
    pub fn for_batches(&self, batches: &std::collections::HashSet<i64>, unknown: bool) -> (BibExtras, usize, usize) {
        let keep = |from: Option<&Vec<i64>>| match from {
            Some(b) if !b.is_empty() => b.iter().any(|x| batches.contains(x)),
            _ => unknown,
        };
        let mut out = BibExtras {
            strings: self.strings.clone(),
            ..Default::default()
        };
        let (mut left_p, mut left_c) = (0, 0);
        for (i, p) in self.preambles.iter().enumerate() {
            if keep(self.preamble_batches.get(i)) {
                out.preambles.push(p.clone());
            } else {
                left_p += 1;
            }
        }
        for (i, c) in self.comments.iter().enumerate() {
            if keep(self.comment_batches.get(i)) {
                out.comments.push(c.clone());
            } else {
                left_c += 1;
            }
        }
        (out, left_p, left_c)
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
