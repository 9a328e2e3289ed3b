//! U+FFFD, the replacement character, in exports (see [`FFFD_TEX`]).

use super::super::fields::link_field;
use super::super::parse::{Block, Scanner};
use super::super::tex;
use crate::error::Diagnostic;

/// How an export writes U+FFFD, the replacement character (a broken encoding conversion left
/// it before import): LuaTeX refuses it as a character in its input (it is its own mark for
/// invalid UTF-8) and pdfLaTeX cannot typeset it. UTF-8 exports write `\symbol{65533}`, which
/// biber passes through and LuaLaTeX/XeLaTeX print as the glyph (biber decodes `\char"FFFD`
/// back to the character, so not that); ASCII exports, for pdfLaTeX, write a visible `?`.
/// URLs and DOIs get the character's URL encoding. The importer reads `\symbol{65533}` back.
pub(crate) const FFFD_TEX: &str = "\\symbol{65533}";

pub(super) const FFFD_ASCII: &str = "?";

pub(super) const FFFD_URL: &str = "%EF%BF%BD";

/// An entry's text with U+FFFD written as [`FFFD_TEX`] (or `?`, `ascii`) in its field values,
/// or `None` when it has none. Everything else stays as it is, byte for byte.
pub(super) fn without_replacement_chars(text: &str, ascii: bool) -> Option<String> {
    if !text.contains('\u{FFFD}') {
        return None;
    }
    let Some(Block::Entry { fields, .. }) = Scanner::new(text).next_block() else {
        return None;
    };
    let base = text.as_ptr() as usize;
    let mut out = String::with_capacity(text.len() + 64);
    let mut from = 0;
    for f in &fields {
        let raw = f.value.raw;
        if !raw.contains('\u{FFFD}') {
            continue;
        }
        let at = raw.as_ptr() as usize - base;
        out.push_str(&text[from..at]);
        let rep = if link_field(&f.name.to_ascii_lowercase()) {
            FFFD_URL
        } else if ascii {
            FFFD_ASCII
        } else {
            FFFD_TEX
        };
        out.push_str(&raw.replace('\u{FFFD}', rep));
        from = at + raw.len();
    }
    if from == 0 {
        return None;
    }
    out.push_str(&text[from..]);
    Some(out)
}

/// A raw `@string` or `@preamble` value with U+FFFD written as in field values (reported).
pub(super) fn replacement_in_raw<'a>(
    raw: &'a str,
    ascii: bool,
    what: &str,
    diags: &mut Vec<Diagnostic>,
) -> std::borrow::Cow<'a, str> {
    if !raw.contains('\u{FFFD}') {
        return std::borrow::Cow::Borrowed(raw);
    }
    diags.push(replacement_diagnostic(what, ascii));
    std::borrow::Cow::Owned(raw.replace('\u{FFFD}', if ascii { FFFD_ASCII } else { FFFD_TEX }))
}

/// The diagnostic for U+FFFD written as something else (`what` names the entry).
pub(super) fn replacement_diagnostic(what: &str, ascii: bool) -> Diagnostic {
    if ascii {
        Diagnostic::warning(
            None,
            format!("{what}: U+FFFD (a character lost in a broken conversion before import) written as \"?\": pdfLaTeX cannot typeset it (a UTF-8 export writes {FFFD_TEX} for LuaLaTeX)"),
        )
    } else {
        Diagnostic::info(
            None,
            format!("{what}: U+FFFD (a character lost in a broken conversion before import) written as {FFFD_TEX}: LuaTeX rejects the character itself"),
        )
    }
}

/// Whether LaTeX text gives U+FFFD by its code: `\char"FFFD` (biber decodes it to the
/// character) or, `symbol` too, `\symbol{65533}` (pdfLaTeX cannot typeset it).
pub(super) fn fffd_by_code(s: &str, symbol: bool) -> bool {
    s.match_indices('\\').any(|(i, _)| {
        (symbol || s[i..].starts_with("\\char")) && tex::char_command(s, i).is_some_and(|(c, _)| c == '\u{FFFD}')
    })
}
