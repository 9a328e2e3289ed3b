//! Small text helpers shared by the store (sort keys) and duplicate detection.

use unicode_normalization::UnicodeNormalization;

/// Fold for sorting and comparing: lowercase, accents removed, punctuation dropped, runs of
/// whitespace collapsed, braces (BibTeX case protection) ignored.
pub fn fold(s: &str) -> String {
    if s.is_ascii() {
        return fold_ascii(s);
    }
    fold_unicode(s)
}

/// [`fold`] of ASCII text (most titles and names), without decomposing each character.
fn fold_ascii(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut space = false;
    for &b in s.as_bytes() {
        if b.is_ascii_alphanumeric() {
            if space && !out.is_empty() {
                out.push(' ');
            }
            space = false;
            out.push(b.to_ascii_lowercase() as char);
        } else if matches!(b, b'\t'..=b'\r' | b' ' | b'-' | b'/') {
            space = true;
        }
    }
    out
}

fn fold_unicode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut space = false;
    for c in s.nfkd() {
        if unicode_normalization::char::is_combining_mark(c) {
            continue;
        }
        if c.is_alphanumeric() {
            if space && !out.is_empty() {
                out.push(' ');
            }
            space = false;
            out.extend(c.to_lowercase());
        } else if c.is_whitespace() || c == '-' || c == '/' {
            space = true;
        }
    }
    out
}

/// Sort key for titles: folded, with a leading English article dropped.
/// A page of extracted text as the full-text index takes it: compatibility forms unfolded
/// (NFKC: the ligature "ﬁ" is "fi", full-width letters are letters) and a word broken at a line
/// end joined again ("consid-\nerably" → "considerably", as pdftotext does; a hyphen before a
/// capital or a digit stays).
pub fn searchable_page(s: &str) -> String {
    let mut joined = String::with_capacity(s.len());
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '-' && chars.peek() == Some(&'\n') {
            let mut ahead = chars.clone();
            ahead.next();
            if ahead.peek().is_some_and(|n| n.is_lowercase()) {
                chars.next();
                continue;
            }
        }
        joined.push(c);
    }
    joined.nfkc().collect()
}

pub fn title_sort_key(title: &str) -> String {
    let f = fold(title);
    for article in ["the ", "a ", "an "] {
        if let Some(rest) = f.strip_prefix(article) {
            return rest.to_string();
        }
    }
    f
}

/// The current time as RFC 3339 UTC with milliseconds, e.g. `2026-11-28T17:02:07.123Z`.
pub fn now_rfc3339() -> String {
    let now = time::OffsetDateTime::now_utc();
    let fmt = time::macros::format_description!("[year]-[month]-[day]T[hour]:[minute]:[second].[subsecond digits:3]Z");
    now.format(&fmt).expect("formatting the current time cannot fail")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pages_for_the_index() {
        assert_eq!(
            searchable_page("consid-\nerably ﬁnd Co-\nProduction 12-\n3"),
            "considerably find Co-\nProduction 12-\n3"
        );
    }

    #[test]
    fn folding() {
        assert_eq!(fold("  Çà  va-t-il?  {DNA} Müller "), "ca va t il dna muller");
        assert_eq!(title_sort_key("The Temporary Use"), "temporary use");
        assert_eq!(title_sort_key("Another"), "another");
        assert!(now_rfc3339().ends_with('Z'));
    }

    #[test]
    fn the_ascii_fast_path_folds_like_the_general_one() {
        let every_ascii: String = (0u8..128).map(char::from).collect();
        let samples = [
            every_ascii.as_str(),
            "  The {DNA} of Things: a Re-View/Survey\t(2nd ed.)\x0b\x0cend  ",
            "--a--",
            "",
            "x\r\ny",
        ];
        for s in samples {
            assert_eq!(fold_ascii(s), fold_unicode(s), "{s:?}");
        }
        for i in 0..128u8 {
            for j in 0..128u8 {
                let s = format!("a{}{}b", i as char, j as char);
                assert_eq!(fold_ascii(&s), fold_unicode(&s), "{s:?}");
            }
        }
    }
}
