//! Copying a stored source entry byte for byte: whether this export may (key, type, ASCII,
//! omitted fields) and whether LaTeX can compile it as written (`verbatim_problem`), and
//! the copy a BibTeX export makes without `%` comments.

use super::super::fields::{converted_field, name_field, CLASSIC_TYPES};
use super::super::names;
use super::super::options::BibMode;
use super::super::parse::{is_macro, Block, Piece, RawField, Scanner};
use super::super::tex;
use super::links::{contains_ascii_ci, link_target};
use super::replacement::fffd_by_code;
use crate::model::Item;
use rustc_hash::FxHashSet as HashSet;

/// The raw source entry, when it can be written verbatim (see the module docs of `bibtex`).
pub(super) fn verbatim_source<'i>(
    item: &'i Item,
    mode: BibMode,
    ascii: bool,
    omit: &HashSet<String>,
    used: &mut HashSet<String>,
) -> Option<Verbatim<'i>> {
    let src = item.source.as_ref()?;
    if src.format != "bibtex" || item.fingerprint() != src.fingerprint {
        return None;
    }
    verbatim_text(&src.text, &item.key, mode, ascii, omit, used)
}

/// Commands only biblatex defines (a classic `.bst` style leaves them to LaTeX, which does not
/// know them). The importer converts or strips most; the writer translates the rest for BibTeX.
const BIBLATEX_ONLY: &[&str] = &[
    "mkbibquote",
    "mkbibemph",
    "mkbibitalic",
    "mkbibbold",
    "mkbibacro",
    "mkbibparens",
    "mkbibbrackets",
    "mkbibsuperscript",
    "mkbibsubscript",
    "enquote",
    "textquote",
    "hyphen",
    "hyphenate",
    "nohyphenation",
    "textnohyphenation",
    "NoCaseChange",
    "nocase",
    "addspace",
    "addnbspace",
    "addthinspace",
    "adddot",
    "addcomma",
    "addcolon",
    "addsemicolon",
    "addperiod",
    "bibstring",
    "autocap",
];

/// Commands of the csquotes package (not biblatex): a biblatex document need not load it.
const CSQUOTES: &[&str] = &["enquote", "textquote", "foreignquote", "hyphenquote", "blockquote"];

/// Whether `s` uses one of `commands`.
fn uses_commands(s: &str, commands: &[&str]) -> bool {
    let b = s.as_bytes();
    let mut i = 0;
    while let Some(p) = s[i..].find('\\') {
        let start = i + p + 1;
        let mut j = start;
        while j < b.len() && b[j].is_ascii_alphabetic() {
            j += 1;
        }
        if commands.contains(&&s[start..j]) {
            return true;
        }
        i = j.max(start);
    }
    false
}

/// A character LaTeX does not accept as text where a field's value has it bare: `&`, `#`, `_`,
/// `^` or `%` outside math and not escaped, or a control character (exports such as Mendeley's write them so; the
/// importer reads them as the characters, and a regenerated entry escapes them).
fn bare_special(s: &str) -> bool {
    let b = s.as_bytes();
    let mut math = false;
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'\\' => i += 1,
            b'$' => math = !math,
            b'&' | b'#' | b'%' => return true,
            c if c < 0x20 && !matches!(c, b'\n' | b'\t' | b'\r') || c == 0x7f => return true,
            b'_' | b'^' if !math => return true,
            _ => {}
        }
        i += 1;
    }
    false
}

/// `s` in ASCII lowercase, in `buf` when it fits (field names do: no allocation per field).
fn lowercase_in<'b>(s: &'b str, buf: &'b mut [u8; 32]) -> std::borrow::Cow<'b, str> {
    match buf.get_mut(..s.len()) {
        Some(b) if s.is_ascii() => {
            b.copy_from_slice(s.as_bytes());
            b.make_ascii_lowercase();
            std::borrow::Cow::Borrowed(std::str::from_utf8(b).expect("ASCII"))
        }
        _ => std::borrow::Cow::Owned(s.to_ascii_lowercase()),
    }
}

/// Why a source entry cannot be copied into an export as it is, when the entry regenerated
/// from the item does compile: what BibTeX, biber or LaTeX would reject in it.
pub(crate) fn verbatim_problem(fields: &[RawField<'_>], mode: BibMode) -> Option<&'static str> {
    for f in fields {
        // Exports run this on every copied entry: the checks run only on values holding a
        // byte they look for, found with memchr (a comma for names, a backslash for commands).
        let mut buf = [0u8; 32];
        let name = lowercase_in(f.name, &mut buf);
        let (is_name, converted) = (name_field(&name), converted_field(&name));
        if !is_name && !converted {
            continue;
        }
        let texts = f.value.pieces.iter().filter_map(|p| match p {
            Piece::Braced(s) | Piece::Quoted(s) => Some(*s),
            Piece::Bare(_) => None,
        });
        for v in texts {
            let bytes = v.as_bytes();
            let comma = is_name && memchr::memchr(b',', bytes).is_some();
            let backslash = converted && memchr::memchr(b'\\', bytes).is_some();
            // A bare & # % _ ^ or a control character (a byte below 0x20 is checked exactly).
            let special = converted
                && (memchr::memchr3(b'&', b'#', b'%', bytes).is_some()
                    || memchr::memchr3(b'_', b'^', 0x7f, bytes).is_some()
                    // Without an early exit, so it compiles to vector compares.
                    || bytes.iter().fold(false, |any, &c| any | (c < 0x20)));
            // Both name checks need commas (a comma-separated list, a name with too many).
            if comma {
                if names::repair_comma_list(v).is_some() {
                    return Some("its names are separated by commas, not \"and\"");
                }
                let bad_name = names::split_names(v).iter().any(|n| {
                    let parts = names::split_top(n, b',');
                    parts.len() > 3 || parts.len() > 1 && parts.last().is_some_and(|p| p.trim().is_empty())
                });
                if bad_name {
                    return Some("a name has more commas than BibTeX's name forms allow");
                }
            }
            if backslash && tex::accent_without_argument(v) {
                return Some("it has an accent command without its argument (like {\\d}), a LaTeX error");
            }
            if special && bare_special(v) {
                return Some("a field has a bare & # _ ^ %, or a control character, which LaTeX rejects as text");
            }
            if backslash {
                if mode == BibMode::Bibtex && uses_commands(v, BIBLATEX_ONLY) {
                    return Some("it uses biblatex-only commands");
                }
                if mode == BibMode::Biblatex && uses_commands(v, CSQUOTES) {
                    return Some("it uses csquotes commands, which biblatex does not define");
                }
                if fffd_by_code(v, mode == BibMode::Bibtex) {
                    return Some("it writes U+FFFD by its code, which biber decodes to the character LuaTeX rejects (BibTeX: which pdfLaTeX cannot typeset)");
                }
            }
        }
    }
    None
}

/// A source entry's text without its `%` comments between tokens (classic BibTeX has no
/// comments inside an entry and reads them as fields; biber skips them), or `None` when it
/// has none. A `%` inside a value is text, not a comment.
pub(super) fn without_comments(text: &str, fields: &[RawField<'_>]) -> Option<String> {
    if !text.contains('%') {
        return None;
    }
    let base = text.as_ptr() as usize;
    let spans: Vec<(usize, usize)> = fields
        .iter()
        .map(|f| {
            let at = f.value.raw.as_ptr() as usize - base;
            (at, at + f.value.raw.len())
        })
        .collect();
    let mut out = String::with_capacity(text.len());
    let mut from = 0;
    for (i, _) in text.match_indices('%') {
        if i < from || spans.iter().any(|&(a, e)| a <= i && i < e) {
            continue;
        }
        // Drop the comment and the spaces before it, keep the line break.
        out.push_str(text[from..i].trim_end_matches([' ', '\t']));
        from = text[i..].find('\n').map_or(text.len(), |n| i + n);
    }
    if from == 0 {
        return None;
    }
    out.push_str(&text[from..]);
    Some(out)
}

/// [`verbatim_problem`] of a source entry's text.
pub(crate) fn source_problem(text: &str, mode: BibMode) -> Option<&'static str> {
    match Scanner::new(text).next_block() {
        Some(Block::Entry { fields, .. }) => verbatim_problem(&fields, mode),
        _ => None,
    }
}

/// A source entry as an export copies it: its text (changed when the export must), whether it
/// may hold a link field ([`links_in`] looks at it), and its `crossref` target.
pub(super) struct Verbatim<'i> {
    pub(super) text: std::borrow::Cow<'i, str>,
    pub(super) links: bool,
    pub(super) crossref: Option<String>,
}

/// Whether an entry with these fields may hold a link: a `crossref` or `xdata` field, or
/// biblatex's granular `xdata=` in a value (`text`, the entry's text, is searched for `xdata`
/// by its rare first letter).
pub(super) fn fields_may_link(text: &str, fields: &[RawField<'_>]) -> bool {
    fields
        .iter()
        .any(|f| f.name.eq_ignore_ascii_case("crossref") || f.name.eq_ignore_ascii_case("xdata"))
        || contains_ascii_ci(text, b"xdata")
}

/// A current source entry's text, when this export can use it as it is.
pub(super) fn verbatim_text<'i>(
    src_text: &'i str,
    item_key: &str,
    mode: BibMode,
    ascii: bool,
    omit: &HashSet<String>,
    used: &mut HashSet<String>,
) -> Option<Verbatim<'i>> {
    let mut sc = Scanner::new(src_text);
    let Some(Block::Entry {
        ty,
        key,
        fields,
        text,
        broken: None,
        ..
    }) = sc.next_block()
    else {
        return None;
    };
    if text.len() != src_text.len() {
        return None;
    }
    if key != item_key || key.is_empty() {
        return None;
    }
    if mode == BibMode::Bibtex && !CLASSIC_TYPES.contains(&ty.to_ascii_lowercase().as_str()) {
        return None;
    }
    if ascii && !src_text.is_ascii() {
        return None;
    }
    if fields.iter().any(|f| omit.contains(&f.name.to_ascii_lowercase())) {
        return None;
    }
    if verbatim_problem(&fields, mode).is_some() {
        return None;
    }
    for f in &fields {
        for p in &f.value.pieces {
            if let Some(m) = is_macro(p) {
                used.insert(m);
            }
        }
    }
    let links = fields_may_link(src_text, &fields);
    let crossref = fields
        .iter()
        .find(|f| f.name.eq_ignore_ascii_case("crossref"))
        .and_then(|f| link_target(f.value.raw));
    let mut text = std::borrow::Cow::Borrowed(src_text);
    if mode == BibMode::Bibtex {
        if let Some(t) = without_comments(src_text, &fields) {
            // A `%` can hide the entry's own closing brace (`@article{$x^2$%}`, found by the
            // fuzz smoke test): copy the stripped text only when it is still one whole entry,
            // else the entry is written anew.
            let whole = matches!(
                Scanner::new(&t).next_block(),
                Some(Block::Entry { text, broken: None, .. }) if text.len() == t.len()
            );
            if !whole {
                return None;
            }
            text = std::borrow::Cow::Owned(t);
        }
    }
    Some(Verbatim { text, links, crossref })
}
