//! Items → BibTeX / BibLaTeX text.

use super::import::derived_access;
use super::tex::{self, Escape};
use super::names;
use super::parse::{is_macro, Block, Piece, Scanner};
use super::{BibMode, BibWriteOptions, TYPE_FIELD};
use crate::error::Diagnostic;
use crate::format::{BibExtras, Out, Written};
use crate::model::{month_abbrev, Abstract, AccessStatus, Item, ItemType, PartialDate, Role};
use rustc_hash::FxHashSet as HashSet;

/// Entry types classic BibTeX styles know.
const CLASSIC_TYPES: &[&str] = &[
    "article",
    "book",
    "booklet",
    "conference",
    "inbook",
    "incollection",
    "inproceedings",
    "manual",
    "mastersthesis",
    "misc",
    "phdthesis",
    "proceedings",
    "techreport",
    "unpublished",
];

/// Roles written as name-list fields, in this order.
const ROLE_FIELDS: &[(Role, &str)] = &[
    (Role::Author, "author"),
    (Role::Editor, "editor"),
    (Role::Translator, "translator"),
    (Role::BookAuthor, "bookauthor"),
];

pub(crate) fn role_rank(r: Role) -> usize {
    ROLE_FIELDS
        .iter()
        .position(|(x, _)| *x == r)
        .unwrap_or(ROLE_FIELDS.len())
}

/// The abstract as one field text: "Heading: text" sections separated by a line break (never
/// a blank line, which would be a paragraph break inside a LaTeX argument).
pub(crate) fn abstract_field(a: &Abstract) -> String {
    a.joined("\n")
}

struct Entry<'a> {
    /// Biblatex-only commands translated for BibTeX (reported once per entry).
    translated: bool,
    ascii: bool,
    mode: BibMode,
    omit: &'a HashSet<String>,
    /// Lowercase names of the item's kept extra fields.
    extra_names: HashSet<String>,
    fields: Vec<(String, String)>,
}

impl Entry<'_> {
    fn taken(&self, name: &str) -> bool {
        self.extra_names.contains(name) || self.fields.iter().any(|(n, _)| n == name)
    }
    /// The first of `names` not used by a kept extra field (or the first, if all are).
    fn pick<'n>(&self, names: &[&'n str]) -> &'n str {
        names.iter().copied().find(|n| !self.taken(n)).unwrap_or(names[0])
    }
    fn push_raw(&mut self, name: &str, value: String) {
        if self.omit.contains(name) {
            return;
        }
        self.fields.push((name.to_string(), value));
    }
    fn text(&mut self, names: &[&str], value: &str, protect: bool) {
        if value.is_empty() {
            return;
        }
        let name = self.pick(names);
        let mut v = tex::from_unicode(
            value,
            Escape {
                ascii: self.ascii,
                protect_case: protect,
            },
        );
        if self.mode == BibMode::Bibtex {
            if let Some(t) = tex::biblatex_to_latex(&v) {
                v = t;
                self.translated = true;
            }
        }
        self.push_raw(name, format!("{{{v}}}"));
    }
    fn verbatim(&mut self, name: &str, value: &str) {
        if value.is_empty() {
            return;
        }
        let v = if tex::balanced(value) && !value.contains('\\') {
            value.to_string()
        } else {
            value.replace(['{', '}', '\\'], "")
        };
        self.push_raw(name, format!("{{{v}}}"));
    }
}

fn is_article_like(t: ItemType) -> bool {
    matches!(
        t,
        ItemType::Article | ItemType::MagazineArticle | ItemType::NewspaperArticle | ItemType::Periodical
    )
}

fn is_thesis(t: ItemType) -> bool {
    matches!(t, ItemType::Thesis | ItemType::PhdThesis | ItemType::MastersThesis)
}

/// A date string biber accepts as written (ISO 8601 / EDTF characters only).
fn iso_like(s: &str) -> bool {
    s.len() >= 4
        && s.as_bytes()[..4].iter().all(u8::is_ascii_digit)
        && s.chars().all(|c| c.is_ascii_digit() || "-/:T~?XZ+.".contains(c))
}

/// Whether year, month and day say everything the raw date text does ("4 August 2022",
/// "August 2005", "Aug. 4, 2022"), so `year` + `month` (+ `day`) lose nothing and give
/// bibliography styles what they expect. Ranges and odd forms ("1999–2009", "1973b") are not.
fn captured(d: &PartialDate) -> bool {
    let Some(year) = d.year else { return false };
    let mut saw_year = false;
    for tok in d.raw.split(|c: char| c.is_whitespace() || matches!(c, ',' | '.' | '/')) {
        if tok.is_empty() {
            continue;
        }
        if tok.bytes().all(|b| b.is_ascii_digit()) {
            let n: i64 = tok.parse().unwrap_or(-1);
            if n == i64::from(year) && !saw_year {
                saw_year = true;
            } else if d.day.is_some_and(|day| i64::from(day) == n) {
            } else {
                return false;
            }
        } else if crate::model::month_from_str(tok).is_none() || d.month.is_none() {
            return false;
        }
    }
    saw_year
}

fn write_date(e: &mut Entry<'_>, d: &PartialDate) {
    if d.is_empty() {
        return;
    }
    let Some(year) = d.year else {
        let name = e.pick(&["year", "date"]);
        let v = tex::from_unicode(
            &d.raw,
            Escape {
                ascii: e.ascii,
                protect_case: false,
            },
        );
        e.push_raw(name, format!("{{{v}}}"));
        return;
    };
    let reparsed = PartialDate::parse(&d.raw);
    let same = (reparsed.year, reparsed.month, reparsed.day) == (d.year, d.month, d.day);
    if same
        && !d.raw.is_empty()
        && d.raw != d.iso()
        && !iso_like(&d.raw)
        && (e.mode != BibMode::Bibtex || !captured(d))
        && !e.taken("year")
    {
        // "1999–2009", "August, 2005", "1973b1973": kept as a literal year.
        let v = tex::from_unicode(
            &d.raw,
            Escape {
                ascii: e.ascii,
                protect_case: false,
            },
        );
        e.push_raw("year", format!("{{{v}}}"));
        return;
    }
    let use_year = match e.mode {
        BibMode::Bibtex => !e.taken("year"),
        BibMode::Biblatex => e.taken("date") && !e.taken("year"),
    };
    if use_year {
        e.push_raw("year", format!("{{{year}}}"));
        if let Some(m) = d.month {
            if !e.taken("month") {
                e.push_raw("month", month_abbrev(m).unwrap_or("jan").to_string());
                if let Some(day) = d.day.filter(|_| !e.taken("day")) {
                    e.push_raw("day", format!("{{{day}}}"));
                }
            }
        }
        return;
    }
    let v = if iso_like(&d.raw) && same {
        d.raw.clone()
    } else {
        d.iso()
    };
    e.push_raw("date", format!("{{{v}}}"));
}

/// Macros referenced by bare names in a raw value text.
fn macros_in_raw(raw: &str, out: &mut HashSet<String>) {
    if !raw.bytes().any(|c| c.is_ascii_alphabetic()) {
        return;
    }
    let wrapped = format!("@x{{k, f = {raw}}}");
    if let Some(Block::Entry { fields, .. }) = Scanner::new(&wrapped).next_block() {
        for f in &fields {
            for p in &f.value.pieces {
                if let Some(m) = is_macro(p) {
                    out.insert(m);
                }
            }
        }
    };
}

/// The raw source entry, when it can be written verbatim (see the module docs of `bibtex`).
fn verbatim_source<'i>(
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
pub(crate) fn verbatim_problem(fields: &[super::parse::RawField<'_>], mode: BibMode) -> Option<&'static str> {
    for f in fields {
        // Exports run this on every copied entry: the checks run only on values holding a
        // byte they look for, found with memchr (a comma for names, a backslash for commands).
        let mut buf = [0u8; 32];
        let name = lowercase_in(f.name, &mut buf);
        let (is_name, converted) = (super::import::name_field(&name), super::import::converted_field(&name));
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

/// How an export writes U+FFFD, the replacement character (a broken encoding conversion left
/// it before import): LuaTeX refuses it as a character in its input (it is its own mark for
/// invalid UTF-8) and pdfLaTeX cannot typeset it. UTF-8 exports write `\symbol{65533}`, which
/// biber passes through and LuaLaTeX/XeLaTeX print as the glyph (biber decodes `\char"FFFD`
/// back to the character, so not that); ASCII exports, for pdfLaTeX, write a visible `?`.
/// URLs and DOIs get the character's URL encoding. The importer reads `\symbol{65533}` back.
pub(crate) const FFFD_TEX: &str = "\\symbol{65533}";
const FFFD_ASCII: &str = "?";
const FFFD_URL: &str = "%EF%BF%BD";

/// An entry's text with U+FFFD written as [`FFFD_TEX`] (or `?`, `ascii`) in its field values,
/// or `None` when it has none. Everything else stays as it is, byte for byte.
fn without_replacement_chars(text: &str, ascii: bool) -> Option<String> {
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
        let rep = if super::import::link_field(&f.name.to_ascii_lowercase()) {
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
fn replacement_in_raw<'a>(
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
fn replacement_diagnostic(what: &str, ascii: bool) -> Diagnostic {
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
fn fffd_by_code(s: &str, symbol: bool) -> bool {
    s.match_indices('\\').any(|(i, _)| {
        (symbol || s[i..].starts_with("\\char")) && tex::char_command(s, i).is_some_and(|(c, _)| c == '\u{FFFD}')
    })
}

/// A source entry's text without its `%` comments between tokens (classic BibTeX has no
/// comments inside an entry and reads them as fields; biber skips them), or `None` when it
/// has none. A `%` inside a value is text, not a comment.
fn without_comments(text: &str, fields: &[super::parse::RawField<'_>]) -> Option<String> {
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

/// What an export needs to know of a stored BibTeX source record, worked out once when the
/// record is stored (the items table's `source_checks`, see [`source_checks`]): an export of
/// 100k unchanged records then neither scans them again nor checks them for what LaTeX would
/// reject (half of such an export's CPU). Bit flags.
pub mod checks {
    /// One whole entry whose header gives its key simply (see `header_key`): the flags below
    /// are known. Without it an export reads the record in full.
    pub const SIMPLE: i64 = 1;
    /// A BibTeX-mode export cannot copy it: a [`super::verbatim_problem`] in that mode, or a
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
}

/// The key in a source entry's header, `@type{key,` with nothing unusual around it (`None`
/// otherwise: the record is read in full instead).
fn header_key(text: &str) -> Option<&str> {
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
pub(crate) fn entry_checks(
    ty: &str,
    key: &str,
    fields: &[super::parse::RawField<'_>],
    text: &str,
) -> (i64, Option<String>) {
    use checks::*;
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

/// [`verbatim_problem`] of a source entry's text.
pub(crate) fn source_problem(text: &str, mode: BibMode) -> Option<&'static str> {
    match Scanner::new(text).next_block() {
        Some(Block::Entry { fields, .. }) => verbatim_problem(&fields, mode),
        _ => None,
    }
}

/// A source entry as an export copies it: its text (changed when the export must), whether it
/// may hold a link field ([`links_in`] looks at it), and its `crossref` target.
struct Verbatim<'i> {
    text: std::borrow::Cow<'i, str>,
    links: bool,
    crossref: Option<String>,
}

/// Whether an entry with these fields may hold a link: a `crossref` or `xdata` field, or
/// biblatex's granular `xdata=` in a value (`text`, the entry's text, is searched for `xdata`
/// by its rare first letter).
fn fields_may_link(text: &str, fields: &[super::parse::RawField<'_>]) -> bool {
    fields
        .iter()
        .any(|f| f.name.eq_ignore_ascii_case("crossref") || f.name.eq_ignore_ascii_case("xdata"))
        || contains_ascii_ci(text, b"xdata")
}

/// A current source entry's text, when this export can use it as it is.
fn verbatim_text<'i>(
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

fn entry_text(
    item: &Item,
    key: &str,
    opts: &BibWriteOptions,
    ascii: bool,
    omit: &HashSet<String>,
    used: &mut HashSet<String>,
    diags: &mut Vec<Diagnostic>,
) -> String {
    let mode = opts.mode;
    // The original entry type, kept for types Folio does not know (item still `misc`) or whose
    // Folio type has no BibLaTeX name of its own (`@video`, BibLaTeX mode only).
    let kept_type = item.extra_field(TYPE_FIELD).filter(|k| match ItemType::from_bibtex(k) {
        None => item.item_type == ItemType::Misc,
        Some(t) => t == item.item_type && mode == BibMode::Biblatex,
    });
    let ty = match kept_type {
        Some(t) => t.to_string(),
        None => {
            let t = match mode {
                BibMode::Bibtex => item.item_type.bibtex_type(),
                BibMode::Biblatex => item.item_type.biblatex_type(),
            };
            if ItemType::from_bibtex(t) != Some(item.item_type) {
                diags.push(Diagnostic::warning(
                    None,
                    format!(
                        "{key}: item type {} written as @{t} ({} has no exact equivalent)",
                        item.item_type,
                        match mode {
                            BibMode::Bibtex => "BibTeX",
                            BibMode::Biblatex => "BibLaTeX",
                        }
                    ),
                ));
            }
            t.to_string()
        }
    };
    let mut e = Entry {
        translated: false,
        ascii,
        mode,
        omit,
        extra_names: item.extra.iter().map(|f| f.name.to_ascii_lowercase()).collect(),
        fields: Vec::new(),
    };
    for (role, name) in ROLE_FIELDS {
        let list: Vec<_> = item.creators_with(*role).collect();
        if !list.is_empty() {
            let v = names::write_list(list.into_iter(), ascii);
            e.push_raw(name, format!("{{{v}}}"));
        }
    }
    for c in &item.creators {
        if role_rank(c.role) == ROLE_FIELDS.len() {
            diags.push(Diagnostic::warning(
                None,
                format!(
                    "{key}: creator {} ({}) has no BibTeX field; left out",
                    c.display_natural(),
                    c.role
                ),
            ));
        }
    }
    let (title, subtitle) = if mode == BibMode::Bibtex && !item.subtitle.is_empty() {
        diags.push(Diagnostic::info(
            None,
            format!("{key}: BibTeX has no subtitle field; written as \"title: subtitle\""),
        ));
        (item.full_title(), String::new())
    } else {
        (item.title.clone(), item.subtitle.clone())
    };
    e.text(&["title"], &title, true);
    e.text(&["subtitle"], &subtitle, true);
    e.text(&["shorttitle"], &item.short_title, true);
    let container_names: &[&str] = if is_article_like(item.item_type) {
        match mode {
            BibMode::Bibtex => &["journal", "journaltitle", "booktitle"],
            BibMode::Biblatex => &["journaltitle", "journal", "booktitle"],
        }
    } else {
        &["booktitle", "journaltitle", "journal"]
    };
    let protect_container = e.pick(container_names) == "booktitle";
    e.text(container_names, &item.container, protect_container);
    e.text(&["series"], &item.series, false);
    e.text(&["volume"], &item.volume, false);
    e.text(&["number", "issue"], &item.issue, false);
    e.text(&["pages"], &item.pages, false);
    e.text(&["edition"], &item.edition, false);
    e.text(&["publisher"], &item.publisher, false);
    match mode {
        BibMode::Bibtex => e.text(&["address", "location"], &item.place, false),
        BibMode::Biblatex => e.text(&["location", "address"], &item.place, false),
    }
    if mode == BibMode::Bibtex && is_thesis(item.item_type) {
        e.text(&["school", "institution"], &item.institution, false);
    } else {
        e.text(&["institution", "school"], &item.institution, false);
    }
    write_date(&mut e, &item.date);
    e.verbatim("doi", &item.doi);
    e.text(&["issn"], &item.issn, false);
    e.text(&["isbn"], &item.isbn, false);
    e.verbatim("url", &item.url);
    e.text(&["language"], &item.language, false);
    e.text(&["note"], &item.note, false);
    e.text(&["genre"], &item.genre, false);
    if !item.r#abstract.is_empty() {
        e.text(&["abstract"], &abstract_field(&item.r#abstract), false);
    }
    if !item.tags.is_empty() {
        let names: Vec<&str> = item.tags.iter().map(|t| t.name.as_str()).collect();
        e.text(&["keywords"], &names.join(", "), false);
    }
    if item.access.status != AccessStatus::Unknown && derived_access(&item.note, &item.extra) != item.access {
        e.push_raw("access", format!("{{{}}}", item.access.status.as_str()));
    }
    if e.translated {
        diags.push(Diagnostic::warning(
            None,
            format!("{key}: biblatex-only commands (\\hyphen, \\mkbibacro…) written as plain LaTeX for BibTeX"),
        ));
    }
    let mapped: HashSet<String> = e.fields.iter().map(|(n, _)| n.clone()).collect();
    for f in &item.extra {
        if f.name == TYPE_FIELD {
            continue;
        }
        let lower = f.name.to_ascii_lowercase();
        if omit.contains(&lower) {
            continue;
        }
        if mapped.contains(&lower) {
            diags.push(Diagnostic::warning(
                None,
                format!("{key}: kept field {} repeats a written field; left out", f.name),
            ));
            continue;
        }
        macros_in_raw(&f.value, used);
        e.fields.push((f.name.clone(), f.value.clone()));
    }
    let mut out = format!("@{ty}{{{key},\n");
    for (n, v) in &e.fields {
        out.push_str("  ");
        out.push_str(n);
        out.push_str(" = ");
        out.push_str(v);
        out.push_str(",\n");
    }
    out.push('}');
    out
}

/// A preamble for biber: biblatex reads the `.bbl`'s `\preamble{…}` as an argument, where `@`
/// is not a letter, so `\makeatletter` inside comes too late and `\@ifundefined` falls apart
/// into `\@` + `ifundefined`. A control word with `@` that is used (not defined) is written
/// `\csname @ifundefined\endcsname`, the same command under any catcode of `@`.
pub(crate) fn at_commands_by_name(raw: &str) -> std::borrow::Cow<'_, str> {
    if !raw.contains("\\@") && !raw.contains('@') {
        return std::borrow::Cow::Borrowed(raw);
    }
    const DEFINERS: &[&str] = &[
        "def",
        "gdef",
        "edef",
        "xdef",
        "let",
        "newcommand",
        "renewcommand",
        "providecommand",
        "DeclareRobustCommand",
        "newif",
        "chardef",
        "mathchardef",
        "countdef",
        "dimendef",
        "skipdef",
        "toksdef",
        "newcount",
        "newdimen",
        "newskip",
        "newtoks",
        "newlength",
    ];
    let b = raw.as_bytes();
    let mut out = String::with_capacity(raw.len() + 16);
    let mut last_word = "";
    let mut i = 0;
    let mut changed = false;
    while i < b.len() {
        if b[i] != b'\\' {
            let ch = raw[i..].chars().next().expect("in bounds");
            if !matches!(ch, '{' | '*' | ' ') {
                last_word = "";
            }
            out.push(ch);
            i += ch.len_utf8();
            continue;
        }
        let mut j = i + 1;
        while j < b.len() && (b[j].is_ascii_alphabetic() || b[j] == b'@') {
            j += 1;
        }
        let name = &raw[i + 1..j];
        if name.contains('@') && name.len() > 1 && !DEFINERS.contains(&last_word) {
            out.push_str("\\csname ");
            out.push_str(name);
            out.push_str("\\endcsname");
            changed = true;
            last_word = "";
        } else if j == i + 1 {
            // A control symbol.
            let end = (i + 2).min(b.len());
            let end = (end..=b.len()).find(|&e| raw.is_char_boundary(e)).unwrap_or(b.len());
            out.push_str(&raw[i..end]);
            last_word = "";
            j = end;
        } else {
            out.push_str(&raw[i..j]);
            last_word = name;
        }
        i = j;
    }
    if changed {
        std::borrow::Cow::Owned(out)
    } else {
        std::borrow::Cow::Borrowed(raw)
    }
}

/// Whether a raw `@preamble` value ends in a control word (`"…\makeatother"`).
fn ends_in_control_word(raw: &str) -> bool {
    let t = raw.trim_end();
    let t = t.strip_suffix(['"', '}']).unwrap_or(t).trim_end();
    let letters = t.len() - t.trim_end_matches(|c: char| c.is_ascii_alphabetic()).len();
    letters > 0 && t[..t.len() - letters].ends_with('\\')
}

fn crossref_target(item: &Item) -> Option<String> {
    item.extra_field("crossref").and_then(link_target)
}

/// The key a `crossref` value names (`{key}`, `"key"` or `key`), when it names one.
fn link_target(value: &str) -> Option<String> {
    let v = value.trim().trim_matches(['{', '}', '"']).trim();
    (!v.is_empty()).then(|| v.to_string())
}

/// A field of an entry that points at other entries: `crossref`, `xdata`, or a value with
/// biblatex's granular `xdata=key-field-n` references.
struct Link {
    /// Byte range of the field in the entry text (from its name to the end of its value).
    span: (usize, usize),
    field: String,
    crossref: bool,
    /// Lowercase keys it points at.
    targets: Vec<String>,
}

/// The link fields of an entry's text; `keys` (lowercase) resolve granular references.
/// Whether `text` may hold a link field (what [`links_in`] looks for), without a copy.
fn may_link(text: &str) -> bool {
    contains_ascii_ci(text, b"crossref") || contains_ascii_ci(text, b"xdata")
}

/// Whether `hay` contains `needle` (lowercase ASCII) in any ASCII case.
fn contains_ascii_ci(hay: &str, needle: &[u8]) -> bool {
    let b = hay.as_bytes();
    let first = needle[0];
    memchr::memchr2_iter(first, first.to_ascii_uppercase(), b).any(|i| {
        b.get(i..i + needle.len())
            .is_some_and(|w| w.eq_ignore_ascii_case(needle))
    })
}

fn links_in(text: &str, keys: &HashSet<String>) -> Vec<Link> {
    if !may_link(text) {
        return Vec::new();
    }
    let Some(Block::Entry { fields, .. }) = Scanner::new(text).next_block() else {
        return Vec::new();
    };
    let base = text.as_ptr() as usize;
    let mut out = Vec::new();
    for f in &fields {
        let name = f.name.to_ascii_lowercase();
        let inner = f.value.raw.trim().trim_matches(['{', '}', '"']).trim();
        let targets: Vec<String> = match name.as_str() {
            "crossref" => vec![inner.to_lowercase()],
            "xdata" => inner.split(',').map(|k| k.trim().to_lowercase()).collect(),
            _ => {
                let v = f.value.raw.to_lowercase();
                v.match_indices("xdata=")
                    .filter_map(|(i, _)| {
                        let r = &v[i + 6..];
                        let end = r
                            .find(|c: char| c.is_whitespace() || matches!(c, '}' | ',' | '"'))
                            .unwrap_or(r.len());
                        let r = &r[..end];
                        // `key-field` or `key-field-n`: the longest prefix that is a key.
                        r.match_indices('-')
                            .map(|(j, _)| &r[..j])
                            .rev()
                            .find(|k| keys.contains(*k))
                            .map(str::to_string)
                    })
                    .collect()
            }
        };
        let targets: Vec<String> = targets.into_iter().filter(|k| !k.is_empty()).collect();
        if targets.is_empty() {
            continue;
        }
        let start = f.name.as_ptr() as usize - base;
        let end = f.value.raw.as_ptr() as usize - base + f.value.raw.len();
        out.push(Link {
            span: (start, end),
            field: f.name.to_string(),
            crossref: name == "crossref",
            targets,
        });
    }
    out
}

/// Remove the field at `span` from an entry's text (with its comma and its line when it has
/// one to itself).
fn remove_field(text: &str, span: (usize, usize)) -> String {
    let (mut a, mut e) = span;
    let b = text.as_bytes();
    while e < b.len() && matches!(b[e], b' ' | b'\t') {
        e += 1;
    }
    if b.get(e) == Some(&b',') {
        e += 1;
    }
    let line_start = text[..a].rfind('\n').map_or(0, |i| i + 1);
    if text[line_start..a].trim().is_empty() {
        a = line_start;
        while e < b.len() && matches!(b[e], b' ' | b'\t') {
            e += 1;
        }
        if b.get(e) == Some(&b'\n') {
            e += 1;
        }
    }
    format!("{}{}", &text[..a], &text[e..])
}

/// Links LaTeX cannot follow, left out of the export with a warning (the library keeps them):
/// in BibTeX mode a `crossref` to an entry that is not in the export (BibTeX reports "a bad
/// cross reference" and ignores it); in BibLaTeX mode a `crossref` or `xdata` link that closes
/// a cycle (biber stops with "circular inheritance" and writes no bibliography at all).
fn cut_links(entries: &mut [Placed], mode: BibMode, diags: &mut Vec<Diagnostic>) {
    if !entries.iter().any(|e| e.links) {
        return;
    }
    let keys: HashSet<String> = entries.iter().map(|e| e.lower.clone()).collect();
    let links: Vec<Vec<Link>> = entries
        .iter()
        .map(|e| if e.links { links_in(&e.text, &keys) } else { Vec::new() })
        .collect();
    if links.iter().all(Vec::is_empty) {
        return;
    }
    // (entry index, link index) of the links to cut.
    let mut cut: Vec<(usize, usize)> = Vec::new();
    match mode {
        BibMode::Bibtex => {
            for (i, ls) in links.iter().enumerate() {
                for (j, l) in ls.iter().enumerate() {
                    if l.crossref && !keys.contains(&l.targets[0]) {
                        diags.push(Diagnostic::warning(
                            None,
                            format!(
                                "{}: crossref {:?} is not in this export; left out (BibTeX rejects it)",
                                entries[i].key, l.targets[0]
                            ),
                        ));
                        cut.push((i, j));
                    }
                }
            }
        }
        BibMode::Biblatex => {
            let index: std::collections::HashMap<String, usize> =
                entries.iter().enumerate().map(|(i, e)| (e.lower.clone(), i)).collect();
            // Depth-first search in key order; an edge to an entry on the current path closes
            // a cycle (0 = unseen, 1 = on the path, 2 = done).
            let mut state = vec![0u8; entries.len()];
            for root in 0..entries.len() {
                if state[root] != 0 || links[root].is_empty() {
                    continue;
                }
                let mut path: Vec<usize> = vec![root];
                // (entry, link index, target index) to resume from.
                let mut stack: Vec<(usize, usize, usize)> = vec![(root, 0, 0)];
                state[root] = 1;
                while let Some(&mut (n, ref mut li, ref mut ti)) = stack.last_mut() {
                    let Some(l) = links[n].get(*li) else {
                        state[n] = 2;
                        stack.pop();
                        path.pop();
                        continue;
                    };
                    let Some(t) = l.targets.get(*ti) else {
                        *li += 1;
                        *ti = 0;
                        continue;
                    };
                    *ti += 1;
                    let Some(&m) = index.get(t) else { continue };
                    if cut.contains(&(n, *li)) {
                        continue;
                    }
                    match state[m] {
                        0 => {
                            state[m] = 1;
                            path.push(m);
                            stack.push((m, 0, 0));
                        }
                        1 => {
                            let from = path.iter().position(|&p| p == m).unwrap_or(0);
                            let cycle: Vec<&str> = path[from..]
                                .iter()
                                .chain([&m])
                                .map(|&p| entries[p].key.as_str())
                                .collect();
                            diags.push(Diagnostic::warning(
                                None,
                                format!(
                                    "{}: {} closes a cycle ({}); left out of this export (biber stops on circular inheritance)",
                                    entries[n].key,
                                    l.field,
                                    cycle.join(" -> ")
                                ),
                            ));
                            cut.push((n, *li));
                            *li += 1;
                            *ti = 0;
                        }
                        _ => {}
                    }
                }
            }
        }
    }
    cut.sort_unstable();
    // Remove from the end of each text so earlier spans stay valid.
    for &(i, j) in cut.iter().rev() {
        entries[i].text = remove_field(&entries[i].text, links[i][j].span);
    }
}

pub(crate) fn write(items: &[Item], extras: &BibExtras, opts: &BibWriteOptions) -> Written {
    let mut w = BibWriter::new(extras, opts);
    w.reserve_keys(items.iter().map(|i| i.key.as_str()));
    for it in items {
        w.add(it);
    }
    w.finish()
}

/// Writes entries one at a time (a large export never holds all its items), then sorts them
/// by key and frames them with `@preamble`, the `@string`s they use and `@comment`s.
/// The part of a [`BibWriter`] that checks stored records, shareable between threads.
#[derive(Debug, Clone)]
pub struct BibChecker {
    mode: BibMode,
    ascii: bool,
    omit: HashSet<String>,
}

impl BibChecker {
    /// `flags`: the record's stored [`checks`], when known.
    pub fn check(&self, key: String, text: String, flags: Option<i64>, macros: Option<&str>) -> CheckedSource {
        check_source(self.mode, self.ascii, &self.omit, key, text, flags.map(|f| (f, macros)))
    }
}

/// A stored record as an export would copy it: its text (`None`: write the item instead),
/// the macros it uses, its `crossref` target, whether it may hold a link, and whether U+FFFD
/// was replaced in it. The key's lowercase form is made here, on the checking thread.
#[derive(Debug)]
pub struct CheckedSource {
    key: String,
    lower: String,
    links: bool,
    text: Option<String>,
    macros: HashSet<String>,
    crossref: Option<String>,
    replaced: bool,
}

#[cfg(test)]
impl CheckedSource {
    /// Everything an export takes from a check, to compare two checks.
    pub(crate) fn parts(&self) -> (Option<&str>, Vec<&String>, Option<&str>, bool, bool) {
        let mut macros: Vec<&String> = self.macros.iter().collect();
        macros.sort();
        (
            self.text.as_deref(),
            macros,
            self.crossref.as_deref(),
            self.links,
            self.replaced,
        )
    }
}

/// [`check_source`] for tests: with the stored checks (`flags`) or without.
#[cfg(test)]
pub(crate) fn check_source_for_test(
    mode: BibMode,
    ascii: bool,
    omit: &HashSet<String>,
    key: &str,
    text: &str,
    flags: Option<(i64, Option<&str>)>,
) -> CheckedSource {
    check_source(mode, ascii, omit, key.to_string(), text.to_string(), flags)
}

fn check_source(
    mode: BibMode,
    ascii: bool,
    omit: &HashSet<String>,
    key: String,
    text: String,
    flags: Option<(i64, Option<&str>)>,
) -> CheckedSource {
    let mut c = CheckedSource {
        lower: key.to_lowercase(),
        key,
        links: false,
        text: None,
        macros: HashSet::default(),
        crossref: None,
        replaced: false,
    };
    if c.key.is_empty() || crate::citekey::key_problem(&c.key).is_some() {
        // `add` reports these.
        return c;
    }
    // The record's stored checks answer without reading it when it is plain (no links, no
    // comments to strip, no fields to omit; its macros are stored with the checks): the
    // same answer as reading it below.
    if let Some((f, macros)) = flags.filter(|(f, _)| f & checks::SIMPLE != 0) {
        let refused = match mode {
            BibMode::Bibtex => f & checks::BIBTEX_REFUSED,
            BibMode::Biblatex => f & checks::BIBLATEX_REFUSED,
        } != 0;
        if refused || ascii && !text.is_ascii() || header_key(&text) != Some(c.key.as_str()) {
            return c;
        }
        let comments = mode == BibMode::Bibtex && f & checks::COMMENTS != 0;
        let macros_known = f & checks::MACROS == 0 || macros.is_some();
        if f & checks::LINKS == 0 && macros_known && !comments && omit.is_empty() {
            if let Some(m) = macros.filter(|_| f & checks::MACROS != 0) {
                c.macros.extend(m.split(' ').map(str::to_string));
            }
            return c.copying(text, ascii);
        }
    }
    // The record as it is, or as this export must change it (a repaired command).
    let Some(v) = verbatim_text(&text, &c.key, mode, ascii, omit, &mut c.macros) else {
        c.macros.clear();
        return c;
    };
    (c.links, c.crossref) = (v.links, v.crossref);
    let text = match v.text {
        std::borrow::Cow::Borrowed(_) => text,
        std::borrow::Cow::Owned(t) => t,
    };
    c.copying(text, ascii)
}

impl CheckedSource {
    /// The record copied as `text`, with U+FFFD written as this export can take it.
    fn copying(mut self, text: String, ascii: bool) -> CheckedSource {
        self.text = Some(match without_replacement_chars(&text, ascii) {
            None => text,
            Some(t) => {
                self.replaced = true;
                t
            }
        });
        self
    }
}

pub struct BibWriter<'e> {
    extras: &'e BibExtras,
    opts: BibWriteOptions,
    ascii: bool,
    omit: HashSet<String>,
    diagnostics: Vec<Diagnostic>,
    /// Keys in use (for keys generated for items without one).
    taken: HashSet<String>,
    /// Lowercased keys written (BibTeX compares keys without case).
    seen: HashSet<String>,
    /// Macros the entries use (lowercase).
    used: HashSet<String>,
    /// Lowercased keys that some entry cross-references.
    parents: HashSet<String>,
    entries: Vec<Placed>,
}

/// An entry of a BibTeX export, to be sorted by key and written.
struct Placed {
    key: String,
    /// The key in lowercase (BibTeX compares keys without case).
    lower: String,
    text: String,
    /// Whether it may hold a link field (see [`cut_links`]).
    links: bool,
}

impl<'e> BibWriter<'e> {
    pub fn new(extras: &'e BibExtras, opts: &BibWriteOptions) -> BibWriter<'e> {
        BibWriter {
            extras,
            opts: opts.clone(),
            ascii: opts.ascii.unwrap_or(opts.mode == BibMode::Bibtex),
            omit: opts.omit_fields.iter().map(|f| f.trim().to_ascii_lowercase()).collect(),
            diagnostics: Vec::new(),
            taken: HashSet::default(),
            seen: HashSet::default(),
            used: HashSet::default(),
            parents: HashSet::default(),
            entries: Vec::new(),
        }
    }

    /// Keys that items added later may carry (so a key generated for an item without one
    /// does not take them).
    pub fn reserve_keys<'k>(&mut self, keys: impl Iterator<Item = &'k str>) {
        self.taken.extend(keys.filter(|k| !k.is_empty()).map(str::to_string));
    }

    pub fn add(&mut self, it: &Item) {
        let key = if it.key.is_empty() {
            let base = crate::citekey::generate(it, crate::citekey::DEFAULT_PATTERN).unwrap_or_else(|_| "ref".into());
            let k = crate::citekey::make_unique(&base, |k| self.taken.contains(k));
            self.diagnostics.push(Diagnostic::warning(
                None,
                format!("item without a citation key written as {k:?}"),
            ));
            k
        } else {
            it.key.clone()
        };
        self.taken.insert(key.clone());
        if let Some(p) = crate::citekey::key_problem(&key) {
            self.diagnostics.push(Diagnostic::warning(
                None,
                format!("{p}; `folio key fix {key:?}` repairs it"),
            ));
        }
        let lower = key.to_lowercase();
        if !self.seen.insert(lower.clone()) {
            self.diagnostics.push(Diagnostic::warning(
                None,
                format!("duplicate citation key {key:?}; LaTeX will use only one of these entries (`folio key fix --all` renames keys that differ only in case)"),
            ));
        }
        if let Some(t) = crossref_target(it) {
            self.parents.insert(t.to_lowercase());
        }
        let verbatim = if key == it.key {
            verbatim_source(it, self.opts.mode, self.ascii, &self.omit, &mut self.used)
                .map(|v| (v.text.into_owned(), v.links))
        } else {
            None
        };
        if verbatim.is_none() {
            let unedited = it
                .source
                .as_ref()
                .filter(|s| s.format == "bibtex" && s.fingerprint == it.fingerprint());
            if let Some(why) = unedited.and_then(|src| source_problem(&src.text, self.opts.mode)) {
                self.diagnostics.push(Diagnostic::info(
                    None,
                    format!("{key}: written from the library's data, not as imported: {why}"),
                ));
            }
        }
        let (text, links) = verbatim.unwrap_or_else(|| {
            let text = entry_text(
                it,
                &key,
                &self.opts,
                self.ascii,
                &self.omit,
                &mut self.used,
                &mut self.diagnostics,
            );
            // A written entry's links come from the item's fields: `crossref`, or `xdata` in
            // a field's name or value.
            let links = crossref_target(it).is_some() || contains_ascii_ci(&text, b"xdata");
            (text, links)
        });
        let text = self.replacement_chars(&key, text);
        self.entries.push(Placed {
            key,
            lower,
            text,
            links,
        });
    }

    /// An entry's text with U+FFFD written as LaTeX can take it (reported).
    fn replacement_chars(&mut self, key: &str, text: String) -> String {
        match without_replacement_chars(&text, self.ascii) {
            None => text,
            Some(t) => {
                self.diagnostics.push(replacement_diagnostic(key, self.ascii));
                t
            }
        }
    }

    /// Add an entry from its stored source record, known to be current, when this export can
    /// write it as it is (false: add the item instead).
    pub fn add_source(&mut self, key: String, text: String) -> bool {
        if key.is_empty() || self.seen.contains(&key.to_lowercase()) {
            // `add` reports these.
            return false;
        }
        let checked = check_source(self.opts.mode, self.ascii, &self.omit, key, text, None);
        self.add_checked(checked)
    }

    /// What [`BibWriter::add_source`] checks without changing the writer, for other threads:
    /// a large export checks its copied records in parallel and adds them in order with
    /// [`BibWriter::add_checked`] (the output is the same).
    pub fn checker(&self) -> BibChecker {
        BibChecker {
            mode: self.opts.mode,
            ascii: self.ascii,
            omit: self.omit.clone(),
        }
    }

    /// Add a record [`BibChecker::check`] checked (false: add the item instead).
    pub fn add_checked(&mut self, c: CheckedSource) -> bool {
        let Some(text) = c.text else {
            return false;
        };
        if self.seen.contains(&c.lower) {
            return false;
        }
        self.used.extend(c.macros);
        self.taken.insert(c.key.clone());
        self.seen.insert(c.lower.clone());
        if let Some(t) = c.crossref {
            self.parents.insert(t.to_lowercase());
        }
        if c.replaced {
            self.diagnostics.push(replacement_diagnostic(&c.key, self.ascii));
        }
        self.entries.push(Placed {
            key: c.key,
            lower: c.lower,
            text,
            links: c.links,
        });
        true
    }

    pub fn finish(self) -> Written {
        let mut text = String::with_capacity(4096);
        let diagnostics = self
            .finish_to(&mut |s: &str| {
                text.push_str(s);
                Ok(())
            })
            .expect("writing to a String cannot fail");
        Written { text, diagnostics }
    }

    /// Sort the entries and hand the text to `out` a piece at a time; the warnings.
    pub fn finish_to(self, out: &mut Out<'_>) -> std::io::Result<Vec<Diagnostic>> {
        let BibWriter {
            extras,
            opts,
            ascii,
            mut diagnostics,
            mut used,
            parents,
            mut entries,
            ..
        } = self;
        entries.sort_by(|a, b| (a.lower.as_str(), a.key.as_str()).cmp(&(b.lower.as_str(), b.key.as_str())));
        cut_links(&mut entries, opts.mode, &mut diagnostics);
        if opts.mode == BibMode::Bibtex && !parents.is_empty() {
            // BibTeX needs cross-referenced parents after the entries that refer to them.
            entries.sort_by_key(|e| parents.contains(&e.lower));
        }
        let mut head = String::with_capacity(4096);
        for (i, p) in extras.preambles.iter().enumerate() {
            // BibTeX and biber join the preambles without a separator: one that ends in a
            // control word (`\makeatother`) would run into the next one's first letters.
            let sep = if i + 1 < extras.preambles.len() && ends_in_control_word(p) {
                " # { }"
            } else {
                ""
            };
            let p = match opts.mode {
                BibMode::Biblatex => at_commands_by_name(p),
                BibMode::Bibtex => std::borrow::Cow::Borrowed(p.as_str()),
            };
            let p = replacement_in_raw(&p, ascii, "@preamble", &mut diagnostics);
            head.push_str(&format!("@preamble{{{p}{sep}}}\n\n"));
        }
        // @string definitions that are used (also through other strings), in their order.
        let mut changed = true;
        while changed {
            changed = false;
            for (n, v) in &extras.strings {
                if used.contains(&n.to_ascii_lowercase()) {
                    let before = used.len();
                    macros_in_raw(v, &mut used);
                    changed |= used.len() != before;
                }
            }
        }
        const MONTHS: [&str; 12] = [
            "jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec",
        ];
        let mut undefined: Vec<&String> = used
            .iter()
            .filter(|m| !MONTHS.contains(&m.as_str()) && !extras.strings.iter().any(|(n, _)| n.eq_ignore_ascii_case(m)))
            .collect();
        undefined.sort();
        for m in undefined {
            diagnostics.push(Diagnostic::warning(
                None,
                format!("macro {m:?} is used but has no @string definition in this export"),
            ));
        }
        let mut wrote_string = HashSet::default();
        for (n, v) in &extras.strings {
            let l = n.to_ascii_lowercase();
            if used.contains(&l) && wrote_string.insert(l) {
                let v = replacement_in_raw(v, ascii, &format!("@string {n}"), &mut diagnostics);
                head.push_str(&format!("@string{{{n} = {v}}}\n"));
            }
        }
        if !wrote_string.is_empty() {
            head.push('\n');
        }
        let mut tail = String::new();
        for c in &extras.comments {
            tail.push_str(&format!("@comment{{{c}}}\n\n"));
        }
        // The text is `head`, each entry + a blank line, `tail`, without its very last newline
        // when it ends with a blank line.
        let mut w = crate::format::TrimLastNewline::new(out);
        w.put(&head)?;
        for e in &entries {
            w.put(&e.text)?;
            w.put("\n\n")?;
        }
        w.put(&tail)?;
        Ok(diagnostics)
    }
}
