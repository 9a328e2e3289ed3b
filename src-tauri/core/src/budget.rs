//! The resource budget every reader shares (BibTeX, RIS, Web of Science, pasted results, Folio
//! JSON, `.aux`; PDFs and HTTP requests as they arrive). A file past a budget is never a crash,
//! a hang or an out-of-memory abort: the reader stops doing the expensive thing, keeps what it
//! can, and says so in a diagnostic naming the file, the line and the limit.
//!
//! The figures are far above anything real (the largest real files in the corpus stay at least
//! ten times below each) and far below what would hurt a 4 GiB laptop. `docs/reliability.md`
//! lists them with what happens past each; keep both in step.
//!
//! Time is not budgeted by a clock: every reader is linear in its input (10× the input ≤ 12×
//! the time, the scaling rows of `bash .ci/bench`), so the byte budget bounds the time too.
//! Depth is not budgeted by the stack either: nothing recurses on input depth; where a tree is
//! walked, it is walked with an explicit stack, and [`MAX_DEPTH`] only bounds what is *kept*.

/// Largest file any import reads (BibTeX, RIS, WoS, pasted results, JSON). The 100k-entry
/// BibTeX file of the corpus is 104 MiB.
pub const MAX_INPUT_BYTES: u64 = 2 << 30;

/// Largest `.aux` file (and every file it `\@input`s, together) read for citations.
pub const MAX_AUX_BYTES: u64 = 256 << 20;

/// Largest number of files one `.aux` may pull in through `\@input` (nested `.aux` files of
/// `\include`d chapters).
pub const MAX_AUX_FILES: usize = 10_000;

/// Largest value of one field, after `@string` expansion and concatenation. A value past it
/// makes its entry an error (reported with its line); the other entries import.
pub const MAX_FIELD_BYTES: usize = 16 << 20;

/// Largest total text `@string` expansion may produce for one file, beyond the file's own size.
/// Past it a value is kept unexpanded (its macro names as written) with a diagnostic. Real
/// files expand far less than their own size (a journal macro per entry); a macro chain that
/// doubles at each step reaches this after ~20 macros. 64 MiB let a 500-macro chain take 53 s
/// in the fuzz check's debug build (parse, write, parse again).
pub const MAX_EXPANSION_BYTES: usize = 4 << 20;

/// Deepest brace / TeX-command nesting that is interpreted (`\emph{\emph{…}}`, `{{…}}`).
/// Deeper groups are kept as their literal text; nothing recurses on depth in any case.
pub const MAX_DEPTH: usize = 256;

/// Deepest collection tree kept on import (JabRef groups, JSON collection paths). Deeper
/// groups are attached at this depth, with a diagnostic.
pub const MAX_COLLECTION_DEPTH: usize = 256;

/// Most tags (keywords) one item keeps; the rest are reported, and stay in the source record.
pub const MAX_TAGS_PER_ITEM: usize = 1_000;

/// Most creators one item keeps (large collaborations list ~5,000 authors).
pub const MAX_CREATORS_PER_ITEM: usize = 20_000;

/// Most terms in one search query (SQLite's expression tree allows about 1,000).
pub const MAX_QUERY_TERMS: usize = 256;
