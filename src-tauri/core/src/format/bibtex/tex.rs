//! LaTeX ⇄ Unicode for BibTeX field text.
//!
//! Import ([`to_unicode`]): accents (`{\"o}`, `\'{e}`, `\c c`), letters (`\ss`, `\o`, `\l`,
//! `\i`), escaped specials (`\& \% \$ \# \_ \{ \}`), text symbols (`\textendash`, `\S`, …),
//! ligatures (`--` → –, `---` → —, ``` `` ``` → “, `''` → ”), `~` → no-break space, `\\` (a
//! line break) → a new line (a space in field text, which collapses blanks), font
//! commands stripped (`\emph{x}`, `{\em x}`, `\textbf{x}` → `x`) and grouping braces removed.
//! Characters by code (`\symbol{"FFFD}`, `\symbol{65533}`, `\symbol{'177775}`, `\char"FFFD`,
//! `\char 65533`) are read as the character; such text in a value is escaped on export.
//! Math (`$…$`) and commands Folio does not know (`\url{…}`, `\LaTeX`) are kept verbatim,
//! arguments included, so they can be written back.
//!
//! Export ([`from_unicode`]): the reverse. Special characters are always escaped; non-ASCII is
//! written as LaTeX (`{\"o}`) only when `ascii` is set. Verbatim math and commands in the text
//! (as the importer keeps them) are passed through unchanged. Optionally words with inner
//! capitals (`EIF`, `iPhone`) are protected with braces so styles do not lowercase them.

use super::groups::Groups;
use crate::budget::MAX_DEPTH;
use unicode_normalization::UnicodeNormalization;

/// Accent commands and the combining mark each one adds.
const ACCENTS: &[(char, char)] = &[
    ('\'', '\u{0301}'),
    ('`', '\u{0300}'),
    ('^', '\u{0302}'),
    ('"', '\u{0308}'),
    ('~', '\u{0303}'),
    ('=', '\u{0304}'),
    ('.', '\u{0307}'),
    ('u', '\u{0306}'),
    ('v', '\u{030C}'),
    ('H', '\u{030B}'),
    ('c', '\u{0327}'),
    ('k', '\u{0328}'),
    ('r', '\u{030A}'),
    ('d', '\u{0323}'),
    ('b', '\u{0331}'),
];

/// Control words that stand for one character (text mode), both directions.
const SYMBOLS: &[(&str, &str)] = &[
    ("ss", "ß"),
    ("SS", "SS"),
    ("ae", "æ"),
    ("AE", "Æ"),
    ("oe", "œ"),
    ("OE", "Œ"),
    ("o", "ø"),
    ("O", "Ø"),
    ("aa", "å"),
    ("AA", "Å"),
    ("l", "ł"),
    ("L", "Ł"),
    ("i", "ı"),
    ("j", "ȷ"),
    ("dh", "ð"),
    ("DH", "Ð"),
    ("dj", "đ"),
    ("DJ", "Đ"),
    ("th", "þ"),
    ("TH", "Þ"),
    ("ng", "ŋ"),
    ("NG", "Ŋ"),
    ("textendash", "\u{2013}"),
    ("textemdash", "\u{2014}"),
    ("textquoteleft", "\u{2018}"),
    ("textquoteright", "\u{2019}"),
    ("textquotedblleft", "\u{201C}"),
    ("textquotedblright", "\u{201D}"),
    ("textquotesingle", "'"),
    ("textquotedbl", "\""),
    ("guillemotleft", "«"),
    ("guillemotright", "»"),
    ("guilsinglleft", "‹"),
    ("guilsinglright", "›"),
    ("quotedblbase", "„"),
    ("quotesinglbase", "‚"),
    ("textellipsis", "…"),
    ("ldots", "…"),
    ("dots", "…"),
    ("textasciitilde", "~"),
    ("textasciicircum", "^"),
    ("textbackslash", "\\"),
    ("textbar", "|"),
    ("textless", "<"),
    ("textgreater", ">"),
    ("textunderscore", "_"),
    ("textbraceleft", "{"),
    ("textbraceright", "}"),
    ("textdollar", "$"),
    ("textcopyright", "©"),
    ("copyright", "©"),
    ("textregistered", "®"),
    ("texttrademark", "™"),
    ("textdegree", "°"),
    ("textperiodcentered", "·"),
    ("textbullet", "•"),
    ("textdagger", "†"),
    ("dag", "†"),
    ("textdaggerdbl", "‡"),
    ("ddag", "‡"),
    ("textsection", "§"),
    ("S", "§"),
    ("textparagraph", "¶"),
    ("P", "¶"),
    ("pounds", "£"),
    ("textsterling", "£"),
    ("texteuro", "€"),
    ("euro", "€"),
    ("textyen", "¥"),
    ("textcent", "¢"),
    ("textexclamdown", "¡"),
    ("textquestiondown", "¿"),
    ("textordfeminine", "ª"),
    ("textordmasculine", "º"),
    ("textonehalf", "½"),
    ("textonequarter", "¼"),
    ("textthreequarters", "¾"),
    ("textmu", "µ"),
    ("textpm", "±"),
    ("texttimes", "×"),
    ("textdiv", "÷"),
    ("textnumero", "№"),
    ("textasteriskcentered", "∗"),
];

/// Commands whose braced argument is kept and the command dropped (font and case markup).
const STRIP_WITH_ARG: &[&str] = &[
    "emph",
    "textit",
    "textbf",
    "textsc",
    "textsf",
    "texttt",
    "textrm",
    "textup",
    "textmd",
    "textsl",
    "textnormal",
    "mbox",
    "hbox",
    "text",
    "mkbibemph",
    "mkbibitalic",
    "mkbibbold",
    "NoCaseChange",
    "nocase",
];

/// Font switches (`{\em x}`, `{\bf x}`) dropped without an argument.
const STRIP_SWITCH: &[&str] = &[
    "em",
    "it",
    "bf",
    "sc",
    "sf",
    "tt",
    "rm",
    "sl",
    "up",
    "itshape",
    "bfseries",
    "scshape",
    "upshape",
    "normalfont",
    "relax",
    "noopsort",
];

/// Greek letters for export in ASCII mode (written as math).
const GREEK: &[(char, &str)] = &[
    ('α', "alpha"),
    ('β', "beta"),
    ('γ', "gamma"),
    ('δ', "delta"),
    ('ε', "epsilon"),
    ('ζ', "zeta"),
    ('η', "eta"),
    ('θ', "theta"),
    ('ι', "iota"),
    ('κ', "kappa"),
    ('λ', "lambda"),
    ('μ', "mu"),
    ('ν', "nu"),
    ('ξ', "xi"),
    ('π', "pi"),
    ('ρ', "rho"),
    ('σ', "sigma"),
    ('ς', "varsigma"),
    ('τ', "tau"),
    ('υ', "upsilon"),
    ('φ', "phi"),
    ('χ', "chi"),
    ('ψ', "psi"),
    ('ω', "omega"),
    ('Γ', "Gamma"),
    ('Δ', "Delta"),
    ('Θ', "Theta"),
    ('Λ', "Lambda"),
    ('Ξ', "Xi"),
    ('Π', "Pi"),
    ('Σ', "Sigma"),
    ('Υ', "Upsilon"),
    ('Φ', "Phi"),
    ('Ψ', "Psi"),
    ('Ω', "Omega"),
];

/// Other symbols written as math in ASCII mode.
const MATH_SYMBOLS: &[(char, &str)] = &[
    ('±', "\\pm"),
    ('×', "\\times"),
    ('÷', "\\div"),
    ('≤', "\\leq"),
    ('≥', "\\geq"),
    ('≠', "\\neq"),
    ('≈', "\\approx"),
    ('∞', "\\infty"),
    ('→', "\\rightarrow"),
    ('←', "\\leftarrow"),
    ('−', "-"),
    ('µ', "\\mu"),
    ('²', "^2"),
    ('³', "^3"),
    ('¹', "^1"),
];

fn is_letter(b: u8) -> bool {
    b.is_ascii_alphabetic()
}

/// `mark` after the first character of `base`, in normalisation form C. Only the first
/// character's cluster is normalised (up to the next character that cannot combine with what
/// is before it): the rest is as it was, so nested accents cost no pass over the whole text per
/// level. The result is that of normalising all of `base`, then `c + mark + rest`.
fn compose(base: &str, mark: char) -> String {
    let cut = base
        .char_indices()
        .skip(1)
        .find(|&(_, c)| stable_boundary(c))
        .map_or(base.len(), |(i, _)| i);
    let head: String = base[..cut].nfc().collect();
    let mut s = String::with_capacity(base.len() + 2);
    let mut chars = head.chars();
    match chars.next() {
        Some(c) => {
            s.push(c);
            s.push(mark);
            s.extend(chars);
        }
        None => s.push(mark),
    }
    let mut s: String = s.nfc().collect();
    s.push_str(&base[cut..]);
    s
}

/// Whether normalisation never combines `c` with what comes before it (a starter that is
/// normalised as it stands).
fn stable_boundary(c: char) -> bool {
    unicode_normalization::char::canonical_combining_class(c) == 0
        && unicode_normalization::is_nfc_quick(std::iter::once(c)) == unicode_normalization::IsNormalized::Yes
}

/// LaTeX field text → Unicode. See the module docs. Whitespace is kept as is.
pub fn to_unicode(s: &str) -> String {
    to_unicode_cow(s).into_owned()
}

/// [`to_unicode`] without a copy when there is nothing to convert. The result is in Unicode
/// normalisation form C.
pub fn to_unicode_cow(s: &str) -> std::borrow::Cow<'_, str> {
    if s.bytes()
        .any(|b| b < 0x20 && !matches!(b, b'\n' | b'\t' | b'\r') || b == 0x7f)
        || s.contains(is_c1)
    {
        // Control characters (from broken sources) are nothing LaTeX or a reader can use.
        let clean: String = s
            .chars()
            .filter(|&c| !c.is_control() || matches!(c, '\n' | '\t' | '\r'))
            .collect();
        return std::borrow::Cow::Owned(to_unicode(&clean));
    }
    if !s
        .bytes()
        .any(|b| matches!(b, b'\\' | b'{' | b'}' | b'~' | b'-' | b'`' | b'\'' | b'$'))
    {
        if s.is_ascii() || unicode_normalization::is_nfc(s) {
            return std::borrow::Cow::Borrowed(s);
        }
        return std::borrow::Cow::Owned(s.nfc().collect());
    }
    let mut out = String::with_capacity(s.len());
    convert(s, &Groups::new(s), 0, &mut out);
    if !out.is_ascii() && !unicode_normalization::is_nfc(&out) {
        out = out.nfc().collect();
    }
    std::borrow::Cow::Owned(out)
}

/// Converts `s` (part of the text `g` was made for) at command nesting `depth`: commands whose
/// argument is converted too (`\emph{…}`, accents) nest; past [`MAX_DEPTH`] they are kept as
/// written.
fn convert(s: &str, g: &Groups, depth: usize, out: &mut String) {
    let b = s.as_bytes();
    let mut i = 0;
    while i < b.len() {
        let c = b[i];
        match c {
            b'\\' => i = command(s, i, g, depth, out),
            b'{' | b'}' => i += 1,
            b'~' => {
                out.push('\u{a0}');
                i += 1;
            }
            b'$' => {
                // Math: kept verbatim up to the closing dollar.
                if b.get(i + 1) == Some(&b'$') {
                    // Display math $$…$$.
                    let end = s[i + 2..].find("$$").map_or(b.len(), |p| p + i + 4);
                    out.push_str(&s[i..end]);
                    i = end;
                    continue;
                }
                match s[i + 1..].find('$') {
                    Some(p) => {
                        let end = i + 1 + p;
                        match math_char(&s[i + 1..end]) {
                            // `$\beta$`, `$\pm$`: one symbol, as the writer spells it.
                            Some(ch) => out.push(ch),
                            None => out.push_str(&s[i..=end]),
                        }
                        i = end + 1;
                    }
                    None => {
                        out.push('$');
                        i += 1;
                    }
                }
            }
            b'-' if b.get(i + 1) == Some(&b'-') => {
                if b.get(i + 2) == Some(&b'-') {
                    out.push('\u{2014}');
                    i += 3;
                } else {
                    out.push('\u{2013}');
                    i += 2;
                }
            }
            b'`' if b.get(i + 1) == Some(&b'`') => {
                out.push('\u{201C}');
                i += 2;
            }
            b'\'' if b.get(i + 1) == Some(&b'\'') => {
                out.push('\u{201D}');
                i += 2;
            }
            _ => {
                let ch = s[i..].chars().next().expect("in bounds");
                out.push(ch);
                i += ch.len_utf8();
            }
        }
    }
}

/// The argument of an accent or a stripped command at `i` (after optional spaces): a braced
/// group (its content) or one character / control word. Returns (text, next index).
fn argument<'a>(s: &'a str, mut i: usize, skip_space: bool, g: &Groups) -> Option<(&'a str, usize)> {
    let b = s.as_bytes();
    if skip_space {
        while i < b.len() && b[i] == b' ' {
            i += 1;
        }
    }
    if i >= b.len() {
        return None;
    }
    if b[i] == b'{' {
        let end = g.end(s, i)?;
        return Some((&s[i + 1..end - 1], end));
    }
    if b[i] == b'\\' {
        let mut j = i + 1;
        while j < b.len() && is_letter(b[j]) {
            j += 1;
        }
        if j == i + 1 {
            j = (i + 2).min(b.len());
        }
        return Some((&s[i..j], j));
    }
    if b[i] == b'}' {
        return None;
    }
    let ch = s[i..].chars().next()?;
    Some((&s[i..i + ch.len_utf8()], i + ch.len_utf8()))
}

/// `arg` (part of the text of `g`) converted one command level deeper than `depth`.
fn nested(arg: &str, g: &Groups, depth: usize) -> String {
    let mut out = String::with_capacity(arg.len());
    convert(arg, g, depth + 1, &mut out);
    out
}

/// Handle a backslash at `i`; returns the next index.
fn command(s: &str, i: usize, g: &Groups, depth: usize, out: &mut String) -> usize {
    let b = s.as_bytes();
    let Some(&next) = b.get(i + 1) else {
        out.push('\\');
        return i + 1;
    };
    if !is_letter(next) {
        // Control symbol.
        let after = i + 2;
        match next {
            b'&' | b'%' | b'$' | b'#' | b'_' | b'{' | b'}' => {
                out.push(next as char);
                return after;
            }
            b' ' | b'\n' | b'\t' => {
                out.push(' ');
                return after;
            }
            b'-' | b'/' | b'@' => return after,
            b',' => {
                out.push('\u{202F}');
                return after;
            }
            b'\\' => {
                // A line break (`\\`, `\\*`, `\\[2pt]`): a new line, which field text turns
                // into a space and only fields that keep lines (the abstract) keep.
                let mut end = after;
                if b.get(end) == Some(&b'*') {
                    end += 1;
                }
                if b.get(end) == Some(&b'[') {
                    if let Some(close) = s[end..].find(']') {
                        end += close + 1;
                    }
                }
                out.push('\n');
                return end;
            }
            _ => {}
        }
        if let Some((_, mark)) = ACCENTS.iter().find(|(c, _)| *c as u32 == next as u32) {
            // TeX's \accent skips spaces before the accented letter (`{\~ Z}`).
            if let Some((arg, end)) = argument(s, after, true, g) {
                if depth >= MAX_DEPTH {
                    out.push_str(&s[i..end]);
                    return end;
                }
                let base = nested(arg, g, depth);
                return push_accented(out, &base, next as char, *mark, end);
            }
        }
        let ch = s[i + 1..].chars().next().expect("in bounds");
        out.push('\\');
        out.push(ch);
        return i + 1 + ch.len_utf8();
    }
    let mut j = i + 1;
    while j < b.len() && is_letter(b[j]) {
        j += 1;
    }
    let name = &s[i + 1..j];
    // Accent control words: \c c, \v{s}, \u{a}, \H{o}, \k{a}, \r{a}, \d{a}, \b{a}.
    if name.len() == 1 {
        let nc = name.as_bytes()[0] as char;
        if let Some((_, mark)) = ACCENTS.iter().find(|(c, _)| *c == nc && c.is_ascii_alphabetic()) {
            match argument(s, j, true, g) {
                Some((_, end)) if depth >= MAX_DEPTH => {
                    out.push_str(&s[i..end]);
                    return end;
                }
                Some((arg, end)) => {
                    let base = nested(arg, g, depth);
                    if base.chars().next().is_some_and(|c| c.is_alphabetic()) {
                        return push_accented(out, &base, nc, *mark, end);
                    }
                }
                None => {
                    // An accent without an argument (`Ragnhei{\d}ur`, a LaTeX error as it
                    // stands): kept as the accent on nothing, `\d{}`, so the command does not
                    // run into the letters after its group (`\dur`).
                    out.push_str(&s[i..j]);
                    out.push_str("{}");
                    return j;
                }
            }
        }
    }
    if let Some((ch, end)) = char_command_in(s, i, g) {
        out.push(ch);
        return end;
    }
    // Skip the space that ends a control word.
    let mut after = j;
    while after < b.len() && b[after] == b' ' {
        after += 1;
    }
    let after_empty = if s[after..].starts_with("{}") { after + 2 } else { after };
    if let Some((_, u)) = SYMBOLS.iter().find(|(n, _)| *n == name) {
        out.push_str(u);
        return after_empty;
    }
    if name == "hyphen" {
        // biblatex's breakable hyphen in a compound ("methodology\hyphen independent").
        out.push('-');
        return after_empty;
    }
    if matches!(name, "mkbibquote" | "enquote" | "textquote") {
        if let Some((arg, end)) = argument(s, j, true, g).filter(|_| b.get(after) == Some(&b'{') && depth < MAX_DEPTH) {
            out.push('\u{201C}');
            convert(arg, g, depth + 1, out);
            out.push('\u{201D}');
            return end;
        }
    }
    if STRIP_WITH_ARG.contains(&name) {
        if b.get(after) == Some(&b'{') && depth >= MAX_DEPTH {
            return verbatim_command(s, i, j, g, out);
        }
        if let Some((arg, end)) = argument(s, j, true, g).filter(|_| b.get(after) == Some(&b'{')) {
            convert(arg, g, depth + 1, out);
            return end;
        }
        return after;
    }
    if STRIP_SWITCH.contains(&name) {
        return after;
    }
    // Unknown command: kept verbatim with its braced arguments.
    verbatim_command(s, i, j, g, out)
}

/// The command at `i` (its name ends at `j`) as written, with its braced arguments.
fn verbatim_command(s: &str, i: usize, j: usize, g: &Groups, out: &mut String) -> usize {
    let b = s.as_bytes();
    let mut end = j;
    while b.get(end) == Some(&b'{') {
        match g.end(s, end) {
            Some(e) => end = e,
            None => break,
        }
    }
    out.push_str(&s[i..end]);
    end
}

/// A TeX number at `i`: `"` + hex digits (upper case, as TeX reads them), `'` + octal digits,
/// or decimal digits, after optional spaces. Returns (value, index after the number and the
/// one optional space TeX skips after it).
fn tex_number(s: &str, mut i: usize) -> Option<(u32, usize)> {
    let b = s.as_bytes();
    while b.get(i) == Some(&b' ') {
        i += 1;
    }
    let (radix, start) = match b.get(i)? {
        b'"' => (16, i + 1),
        b'\'' => (8, i + 1),
        c if c.is_ascii_digit() => (10, i),
        _ => return None,
    };
    let digit = |c: u8| match radix {
        16 => c.is_ascii_digit() || (b'A'..=b'F').contains(&c),
        8 => (b'0'..=b'7').contains(&c),
        _ => c.is_ascii_digit(),
    };
    let mut end = start;
    while end < b.len() && digit(b[end]) {
        end += 1;
    }
    // More than 8 digits cannot be a character code anyway (and would overflow).
    if end == start || end - start > 8 {
        return None;
    }
    let n = u32::from_str_radix(&s[start..end], radix).ok()?;
    let next = if b.get(end) == Some(&b' ') { end + 1 } else { end };
    Some((n, next))
}

/// A character given by its code at `s[i] == '\\'`: `\symbol{"FFFD}`, `\symbol{65533}`,
/// `\symbol{'177775}`, `\char"FFFD`, `\char 65533`, `\char'177775`. `None` for anything
/// else, and for codes that are no character or a control character (kept as LaTeX). Returns
/// (character, index after the command).
pub(crate) fn char_command(s: &str, i: usize) -> Option<(char, usize)> {
    char_command_in(s, i, &Groups::new(s))
}

/// [`char_command`] for a part of the text of `g`.
fn char_command_in(s: &str, i: usize, g: &Groups) -> Option<(char, usize)> {
    let rest = s.get(i + 1..)?;
    let (code, end) = if let Some(r) = rest.strip_prefix("symbol") {
        if r.bytes().next().is_some_and(|c| c.is_ascii_alphabetic()) {
            return None;
        }
        let at = i + 1 + "symbol".len();
        let (arg, end) = argument(s, at, true, g)?;
        if !s[at..].trim_start_matches(' ').starts_with('{') {
            return None;
        }
        let (n, used) = tex_number(arg, 0)?;
        if !arg[used..].trim().is_empty() {
            return None;
        }
        (n, end)
    } else if let Some(r) = rest.strip_prefix("char") {
        if r.bytes().next().is_some_and(|c| c.is_ascii_alphabetic()) {
            return None;
        }
        tex_number(s, i + 1 + "char".len())?
    } else {
        return None;
    };
    let ch = char::from_u32(code).filter(|c| !c.is_control())?;
    Some((ch, end))
}

fn push_accented(out: &mut String, base: &str, accent: char, mark: char, end: usize) -> usize {
    if base.is_empty() {
        // `\~{}`, `\^{}`: the accent character itself.
        out.push(accent);
        return end;
    }
    let base = match base {
        "ı" => "i",
        "ȷ" => "j",
        b => b,
    };
    out.push_str(&compose(base, mark));
    end
}

/// Options for [`from_unicode`].
#[derive(Debug, Clone, Copy, Default)]
pub struct Escape {
    /// Write non-ASCII characters as LaTeX commands.
    pub ascii: bool,
    /// Brace words with capitals after their first letter (`{EIF}`, `{iPhone}`).
    pub protect_case: bool,
}

/// Is `$` at byte `i` the start of inline math (a closing `$` follows on the same text)?
/// Uses the Pandoc rule: the opening `$` is followed by a non-space, the closing one is
/// preceded by a non-space and not followed by a digit. Returns the index after the close.
fn math_end(s: &str, i: usize) -> Option<usize> {
    let b = s.as_bytes();
    // Clear math (an ASCII formula with a command before the next `$` on the same line) is
    // math whatever the spacing: `$\pm 0.5 $`.
    if let Some(p) = s[i + 1..].find(['$', '\n']) {
        let inner = &s[i + 1..i + 1 + p];
        let command = inner
            .as_bytes()
            .windows(2)
            .any(|w| w[0] == b'\\' && w[1].is_ascii_alphabetic());
        if b.get(i + 1 + p) == Some(&b'$') && inner.is_ascii() && command {
            return Some(i + p + 2);
        }
    }
    let first = *b.get(i + 1)?;
    if first == b' ' || first == b'$' || first == b'\t' || first == b'\n' {
        return None;
    }
    let mut j = i + 1;
    while j < b.len() {
        if b[j] == b'\\' {
            j += 2;
            continue;
        }
        if b[j] == b'$' {
            let prev = b[j - 1];
            let next_digit = b.get(j + 1).is_some_and(u8::is_ascii_digit);
            if !prev.is_ascii_whitespace() && !next_digit {
                return Some(j + 1);
            }
            return None;
        }
        j += 1;
    }
    None
}

/// Verbatim LaTeX kept by the importer at byte `i`: a `\command` with its braced arguments,
/// `\\`, or inline math. Returns the end index.
fn passthrough_end(s: &str, i: usize, g: &Groups, last_close: Option<usize>) -> Option<usize> {
    let b = s.as_bytes();
    match b[i] {
        b'$' => math_end(s, i),
        b'\\' => {
            let next = *b.get(i + 1)?;
            if next == b'\\' {
                return Some(i + 2);
            }
            if next == b'(' {
                // LaTeX's inline math `\(…\)`, kept as the importer read it.
                // (`last_close`: no scan for a close there is not, once per `\(`.)
                if last_close.is_none_or(|c| c < i + 2) {
                    return None;
                }
                return s[i + 2..].find("\\)").map(|e| i + 2 + e + 2);
            }
            if !is_letter(next) {
                return None;
            }
            let mut j = i + 1;
            while j < b.len() && is_letter(b[j]) {
                j += 1;
            }
            if char_command_in(s, i, g).is_some() {
                // The importer reads `\symbol{65533}` as the character: as text, it is literal.
                return None;
            }
            if known_command(&s[i + 1..j]) {
                if j == i + 2 && ACCENTS.iter().any(|(c, _)| *c as u8 == b[i + 1]) && s[j..].starts_with("{}") {
                    // An accent on nothing, as the importer keeps `{\d}`.
                    return Some(j + 2);
                }
                // The importer converts known commands, so this is literal text.
                return None;
            }
            while b.get(j) == Some(&b'{') {
                match g.end(s, j) {
                    Some(e) => j = e,
                    None => break,
                }
            }
            Some(j)
        }
        _ => None,
    }
}

/// Commands the importer converts (so text holding them verbatim did not come from LaTeX).
fn known_command(name: &str) -> bool {
    matches!(name, "mkbibquote" | "enquote" | "textquote")
        || SYMBOLS.iter().any(|(n, _)| *n == name)
        || STRIP_WITH_ARG.contains(&name)
        || STRIP_SWITCH.contains(&name)
        || (name.len() == 1
            && ACCENTS
                .iter()
                .any(|(c, _)| c.is_ascii_alphabetic() && name.starts_with(*c)))
}

fn accent_command(mark: char) -> Option<char> {
    ACCENTS.iter().find(|(_, m)| *m == mark).map(|(c, _)| *c)
}

/// The character inline math `inner` stands for when it is one Greek letter or one symbol
/// (`\beta`, `\pm`, `-`; spaces around allowed): the writer's own spelling read back.
fn math_char(inner: &str) -> Option<char> {
    let t = inner.trim();
    // `$-$` is a minus sign, `$\pm$` ±; superscripts (`$^1$H`) stay math, as written.
    if let Some((c, _)) = MATH_SYMBOLS.iter().find(|(_, m)| *m == t && !m.starts_with('^')) {
        return Some(*c);
    }
    let name = t.strip_prefix('\\')?;
    GREEK.iter().find(|(_, g)| *g == name).map(|(c, _)| *c)
}

/// One character as LaTeX (ASCII mode); `None` when there is no mapping.
fn char_to_latex(c: char) -> Option<String> {
    if let Some((n, _)) = SYMBOLS
        .iter()
        .find(|(n, u)| u.chars().count() == 1 && u.starts_with(c) && *n != "SS")
    {
        // Prefer the shortest common names for letters, \text… names for punctuation.
        let n = match c {
            '…' => "dots",
            '©' => "textcopyright",
            '§' => "S",
            '¶' => "P",
            '£' => "pounds",
            '†' => "dag",
            '‡' => "ddag",
            _ => n,
        };
        return Some(format!("{{\\{n}}}"));
    }
    if let Some((_, g)) = GREEK.iter().find(|(g, _)| *g == c) {
        return Some(format!("{{$\\{g}$}}"));
    }
    if let Some((_, m)) = MATH_SYMBOLS.iter().find(|(g, _)| *g == c) {
        return Some(format!("{{${m}$}}"));
    }
    // Accented letters: base letter plus one or two combining marks.
    let decomposed: Vec<char> = c.to_string().nfd().collect();
    if decomposed.len() >= 2 && decomposed[0].is_ascii_alphabetic() {
        return accented(decomposed[0], &decomposed[1..]);
    }
    None
}

/// `{\'e}`, `{\c{c}}`, `{\'\i}`, `{\'{\"u}}`: a base letter with combining marks as LaTeX.
fn accented(base: char, marks: &[char]) -> Option<String> {
    let mut inner = match base {
        'i' => "\\i".to_string(),
        'j' => "\\j".to_string(),
        b => b.to_string(),
    };
    for m in marks {
        let cmd = accent_command(*m)?;
        inner = if cmd.is_ascii_alphabetic() || (inner.starts_with('\\') && inner.len() > 2) {
            format!("\\{cmd}{{{inner}}}")
        } else {
            format!("\\{cmd}{inner}")
        };
    }
    Some(format!("{{{inner}}}"))
}

fn is_combining(c: char) -> bool {
    ('\u{0300}'..='\u{036F}').contains(&c)
}

/// Unicode → LaTeX field text (the value that goes between the field's braces).
pub fn from_unicode(s: &str, opt: Escape) -> String {
    let out = escape(s, opt, true, false);
    if balanced(&out) && bibtex_balanced(&out) {
        return out;
    }
    // A verbatim group broke the balance: escape everything instead.
    let out = escape(s, opt, false, false);
    if bibtex_balanced(&out) {
        return out;
    }
    // Literal braces that do not pair up: BibTeX counts `\{` as a brace too, so write them
    // as brace-free commands.
    escape(s, opt, false, true)
}

/// Whether braces balance as BibTeX counts them: every `{` and `}`, escaped or not.
pub fn bibtex_balanced(s: &str) -> bool {
    braces_balance(s, false)
}

fn escape(s: &str, opt: Escape, passthrough: bool, brace_words: bool) -> String {
    let mut out = String::with_capacity(s.len() + 8);
    let b = s.as_bytes();
    let mut i = 0;
    // Start of the current word in `out` and whether it needs case protection.
    let mut word_start = 0;
    let mut word_chars = 0usize;
    let mut word_protect = false;
    let mut word_plain = true;
    let groups = Groups::new(s);
    let last_close = s.rfind("\\)");
    while i < b.len() {
        if let Some(end) =
            passthrough_end(s, i, &groups, last_close).filter(|&e| passthrough && (!opt.ascii || s[i..e].is_ascii()))
        {
            out.push_str(&s[i..end]);
            word_plain = false;
            i = end;
            continue;
        }
        let c = s[i..].chars().next().expect("in bounds");
        let len = c.len_utf8();
        let next = s[i + len..].chars().next();
        if c == ' ' || c == '\n' || c == '\t' || c == '\r' {
            finish_word(&mut out, word_start, word_protect, word_plain);
            out.push(c);
            word_start = out.len();
            word_chars = 0;
            word_protect = false;
            word_plain = true;
            i += len;
            continue;
        }
        // Hyphens, dashes and slashes separate words for case protection ("Müller–Smith").
        let separator = matches!(c, '-' | '\u{2013}' | '\u{2014}' | '/');
        if separator {
            finish_word(&mut out, word_start, word_protect, word_plain);
            word_chars = 0;
            word_protect = false;
            word_plain = true;
        }
        if opt.protect_case && c.is_uppercase() && word_chars > 0 {
            word_protect = true;
        }
        if c.is_alphanumeric() {
            word_chars += 1;
        }
        // A letter followed by combining marks that have no precomposed form ("P̄"): LaTeX
        // accents in both modes (pdfLaTeX cannot typeset a lone combining mark).
        if c.is_ascii_alphabetic() && next.is_some_and(is_combining) {
            let marks: Vec<char> = s[i + len..].chars().take_while(|m| is_combining(*m)).collect();
            if let Some(l) = accented(c, &marks) {
                out.push_str(&l);
                word_chars += 1;
                i += len + marks.iter().map(|m| m.len_utf8()).sum::<usize>();
                continue;
            }
        }
        match c {
            '{' if brace_words => out.push_str("\\textbraceleft{}"),
            '}' if brace_words => out.push_str("\\textbraceright{}"),
            '#' | '$' | '%' | '&' | '_' | '{' | '}' => {
                out.push('\\');
                out.push(c);
            }
            '~' => out.push_str("\\textasciitilde{}"),
            '^' => out.push_str("\\textasciicircum{}"),
            '\\' => out.push_str("\\textbackslash{}"),
            '\u{a0}' => out.push('~'),
            '\u{2013}' => out.push_str("--"),
            '\u{2014}' => out.push_str("---"),
            '\u{201C}' => out.push_str("``"),
            '\u{201D}' => out.push_str("''"),
            '\u{202F}' => out.push_str("\\,"),
            // Invisible marks pdfLaTeX cannot typeset.
            '\u{200B}'..='\u{200F}' | '\u{2060}' | '\u{FEFF}' if opt.ascii => {}
            '\u{AD}' if opt.ascii => out.push_str("\\-"),
            // Control characters (from broken sources): nothing LaTeX can typeset.
            c if c.is_control() && !matches!(c, '\n' | '\t' | '\r') => {}
            c if c.is_ascii() || !opt.ascii => out.push(c),
            c => match char_to_latex(c) {
                Some(l) => out.push_str(&l),
                None => out.push(c),
            },
        }
        // Break TeX ligatures that the next character would form (`--`, ``` `` ```, `''`).
        if let (Some(l), Some(n)) = (ligature(c), next) {
            if ligature(n) == Some(l) {
                out.push_str("{}");
            }
        }
        if separator {
            word_start = out.len();
        }
        i += len;
    }
    finish_word(&mut out, word_start, word_protect, word_plain);
    out
}

/// The TeX ligature character a character is written with, if any.
fn ligature(c: char) -> Option<char> {
    match c {
        '-' | '\u{2013}' | '\u{2014}' => Some('-'),
        '`' | '\u{201C}' => Some('`'),
        '\'' | '\u{201D}' => Some('\''),
        _ => None,
    }
}

/// Brace the word written since `start` when it needs case protection; leading `(` `[` and
/// trailing punctuation stay outside the braces.
fn finish_word(out: &mut String, start: usize, protect: bool, plain: bool) {
    if !(protect && plain && start < out.len()) {
        return;
    }
    let word = &out[start..];
    let lead = word.len() - word.trim_start_matches(['(', '[']).len();
    let trail = word.len() - word.trim_end_matches([':', ',', ';', '!', '?', ')', ']']).len();
    if lead + trail >= word.len() {
        return;
    }
    let end = out.len() - trail;
    out.insert(end, '}');
    out.insert(start + lead, '{');
}

/// Whether braces balance (ignoring backslash-escaped ones).
pub fn balanced(s: &str) -> bool {
    braces_balance(s, true)
}

fn braces_balance(s: &str, skip_escaped: bool) -> bool {
    let b = s.as_bytes();
    let mut depth: i64 = 0;
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'\\' if skip_escaped => i += 1,
            b'{' => depth += 1,
            b'}' => {
                depth -= 1;
                if depth < 0 {
                    return false;
                }
            }
            _ => {}
        }
        i += 1;
    }
    depth == 0
}

/// For classic BibTeX: biblatex-only commands in written field text (kept verbatim by the
/// importer) as what LaTeX without biblatex understands: `\hyphen` → `-`, `\mkbibacro{GPS}` →
/// `{GPS}`, `\addspace` → space, `\addnbspace` → `~`, `\addthinspace` → `\,`,
/// `\mkbibparens{x}` → `(x)`, `\mkbibbrackets{x}` → `[x]`, `\mkbibsuperscript{x}` →
/// `\textsuperscript{x}`, `\mkbibsubscript{x}` → `\textsubscript{x}`, `\textnohyphenation{x}`
/// → `{x}`. `None` when there is none.
pub fn biblatex_to_latex(s: &str) -> Option<String> {
    if !s.contains('\\') {
        return None;
    }
    let mut out = String::with_capacity(s.len());
    biblatex_into(s, &Groups::new(s), 0, &mut out).then_some(out)
}

/// [`biblatex_to_latex`] of `s` (part of the text of `g`) into `out`, at command nesting
/// `depth` (past [`MAX_DEPTH`] arguments are copied as they are). Whether anything changed.
fn biblatex_into(s: &str, g: &Groups, depth: usize, out: &mut String) -> bool {
    let b = s.as_bytes();
    let mut changed = false;
    let mut i = 0;
    while i < b.len() {
        let Some(p) = memchr::memchr(b'\\', &b[i..]) else {
            out.push_str(&s[i..]);
            break;
        };
        out.push_str(&s[i..i + p]);
        i += p;
        let mut j = i + 1;
        while j < b.len() && is_letter(b[j]) {
            j += 1;
        }
        if j == i + 1 {
            // A control symbol: copy it whole.
            let end = (i + 2).min(b.len());
            let end = s.ceil_char_boundary_compat(end);
            out.push_str(&s[i..end]);
            i = end;
            continue;
        }
        let name = &s[i + 1..j];
        let arg = if b.get(j) == Some(&b'{') {
            g.end(s, j).map(|e| (&s[j + 1..e - 1], e))
        } else {
            None
        };
        // The space that ends a control word without an argument.
        let after_word = || {
            let mut k = j;
            if b.get(k) == Some(&b' ') {
                k += 1;
            } else if s[k..].starts_with("{}") {
                k += 2;
            }
            k
        };
        let word = match name {
            "hyphen" => Some("-"),
            "addspace" => Some(" "),
            "addnbspace" => Some("~"),
            "addthinspace" => Some("\\,"),
            _ => None,
        };
        if let Some(w) = word {
            out.push_str(w);
            changed = true;
            i = after_word();
            continue;
        }
        let wrap = match name {
            "mkbibacro" | "textnohyphenation" | "NoCaseChange" | "nocase" => Some(("{", "}")),
            "mkbibparens" => Some(("(", ")")),
            "mkbibbrackets" => Some(("[", "]")),
            "mkbibsuperscript" => Some(("\\textsuperscript{", "}")),
            "mkbibsubscript" => Some(("\\textsubscript{", "}")),
            _ => None,
        };
        match (wrap, arg) {
            (Some((open, close)), Some((a, end))) => {
                out.push_str(open);
                // The argument may hold more of them.
                if depth < MAX_DEPTH {
                    biblatex_into(a, g, depth + 1, out);
                } else {
                    out.push_str(a);
                }
                out.push_str(close);
                changed = true;
                i = end;
            }
            _ => {
                out.push_str(&s[i..j]);
                i = j;
            }
        }
    }
    changed
}

trait CharBoundary {
    fn ceil_char_boundary_compat(&self, i: usize) -> usize;
}

impl CharBoundary for str {
    fn ceil_char_boundary_compat(&self, mut i: usize) -> usize {
        while i < self.len() && !self.is_char_boundary(i) {
            i += 1;
        }
        i
    }
}

/// Whether LaTeX text has a letter accent command (`\d`, `\c`, `\v`…) with no argument: the
/// group or the text ends right after it (`Ragnhei{\d}ur`).
pub fn accent_without_argument(s: &str) -> bool {
    let b = s.as_bytes();
    s.match_indices('\\').any(|(i, _)| {
        let Some(&c) = b.get(i + 1) else { return false };
        if (i > 0 && b[i - 1] == b'\\') || !ACCENTS.iter().any(|(a, _)| a.is_ascii_alphabetic() && *a as u8 == c) {
            return false;
        }
        if b.get(i + 2).is_some_and(|n| n.is_ascii_alphabetic()) {
            return false;
        }
        let rest = s[i + 2..].trim_start_matches(' ');
        rest.is_empty() || rest.starts_with('}')
    })
}

fn is_c1(c: char) -> bool {
    ('\u{80}'..='\u{9f}').contains(&c)
}

/// Collapse ASCII whitespace runs to one space and trim (no-break spaces stay).
pub(crate) fn squash(s: &str) -> String {
    let b = s.as_bytes();
    let clean = !b.is_empty()
        && !b[0].is_ascii_whitespace()
        && !b[b.len() - 1].is_ascii_whitespace()
        && !b
            .windows(2)
            .any(|w| w[0].is_ascii_whitespace() && (w[1].is_ascii_whitespace() || w[0] != b' '));
    if clean || b.is_empty() {
        return s.to_string();
    }
    let mut out = String::with_capacity(s.len());
    let mut space = false;
    for c in s.chars() {
        if matches!(c, ' ' | '\t' | '\n' | '\r') {
            space = true;
        } else {
            if space && !out.is_empty() {
                out.push(' ');
            }
            space = false;
            out.push(c);
        }
    }
    out
}

/// Field text: LaTeX → Unicode, whitespace collapsed.
pub(crate) fn field_text(s: &str) -> String {
    squash(&to_unicode_cow(s))
}
