//! What an export needs to know of a stored BibTeX source record, worked out once when the
//! record is stored (the items table's `source_checks`, see `source_checks`): an export of
//! 100k unchanged records then neither scans them again nor checks them for what LaTeX would
//! reject (half of such an export's CPU). Bit flags, and the functions that work them out.

use super::super::fields::CLASSIC_TYPES;
use super::super::options::BibMode;
use super::super::parse::{is_macro, Block, RawField, Scanner};
use super::verbatim::{fields_may_link, verbatim_problem, without_comments};

/// One whole entry whose header gives its key simply (see `header_key`): the flags below
/// are known. Without it an export reads the record in full.
pub const SIMPLE: i64 = 1;
/// A BibTeX-mode export cannot copy it: a `verbatim_problem` (`write/verbatim.rs`) in that mode, or a
/// type classic BibTeX does not know.
pub const BIBTEX_REFUSED: i64 = 2;
/// A BibLaTeX-mode export cannot copy it.
pub const BIBLATEX_REFUSED: i64 = 4;
/// It uses `@string` macros (stored beside the flags: `source_macros`).
pub const MACROS: i64 = 8;
/// It may hold a `crossref` or `xdata` link.
pub const LINKS: i64 = 16;
/// It has `%` comments between its tokens (a BibTeX export strips them).
pub const COMMENTS: i64 = 32;

/// The key in a source entry's header, `@type{key,` with nothing unusual around it (`None`
/// otherwise: the record is read in full instead).
pub(super) fn header_key(text: &str) -> Option<&str> {
    let rest = text.strip_prefix('@')?;
    let open = rest.find(['{', '('])?;
    if !rest[..open]
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
        || open == 0
    {
        return None;
    }
    let after = &rest[open + 1..];
    let key = after[..after.find(',')?].trim();
    let plain = !key.is_empty()
        && !key
            .bytes()
            .any(|b| b.is_ascii_whitespace() || matches!(b, b'{' | b'}' | b'(' | b')' | b'"' | b'=' | b'#' | b'%'));
    plain.then_some(key)
}

/// The [`checks`] flags of a stored BibTeX source record, and the macros it uses (lowercase,
/// sorted, separated by spaces; `None` when it uses none).
pub(crate) fn source_checks(text: &str) -> (i64, Option<String>) {
    let Some(Block::Entry {
        ty,
        key,
        fields,
        text: whole,
        broken: None,
        ..
    }) = Scanner::new(text).next_block()
    else {
        return (0, None);
    };
    if whole.len() != text.len() {
        return (0, None);
    }
    entry_checks(ty, key, &fields, text)
}

/// [`source_checks`] of an entry the importer has just scanned (`text` is its whole text, not
/// broken), without scanning it again: a second scan was a tenth of the import's reading
/// thread.
pub(crate) fn entry_checks(ty: &str, key: &str, fields: &[RawField<'_>], text: &str) -> (i64, Option<String>) {
    if header_key(text) != Some(key) {
        return (0, None);
    }
    let mut f = SIMPLE;
    if verbatim_problem(fields, BibMode::Bibtex).is_some() || !CLASSIC_TYPES.contains(&ty.to_ascii_lowercase().as_str())
    {
        f |= BIBTEX_REFUSED;
    }
    if verbatim_problem(fields, BibMode::Biblatex).is_some() {
        f |= BIBLATEX_REFUSED;
    }
    let mut macros: Vec<String> = fields
        .iter()
        .flat_map(|fl| fl.value.pieces.iter().filter_map(is_macro))
        .collect();
    macros.sort_unstable();
    macros.dedup();
    if !macros.is_empty() {
        f |= MACROS;
    }
    if fields_may_link(text, fields) {
        f |= LINKS;
    }
    if without_comments(text, fields).is_some() {
        f |= COMMENTS;
    }
    (f, (!macros.is_empty()).then(|| macros.join(" ")))
}
