//! `@preamble` text as BibTeX and biber need it.

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
pub(super) fn ends_in_control_word(raw: &str) -> bool {
    let t = raw.trim_end();
    let t = t.strip_suffix(['"', '}']).unwrap_or(t).trim_end();
    let letters = t.len() - t.trim_end_matches(|c: char| c.is_ascii_alphabetic()).len();
    letters > 0 && t[..t.len() - letters].ends_with('\\')
}
