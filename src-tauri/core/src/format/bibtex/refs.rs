//! References from one entry to others by key, for renaming keys: `crossref`, `xref`,
//! `xdata`, `related`, `entryset` (a key or a comma-separated list) and biblatex's granular
//! `xdata=key-field-n` in the value of any field kept as written.

use super::fields::KEY_FIELDS;

/// Words one of which a field holding a reference contains (its name, or `xdata=`): a cheap
/// first filter for [`rename_references`].
pub const LINK_WORDS: &[&str] = KEY_FIELDS;

/// The raw value (as stored: `{a, b}`, `"a"`) of field `name` with its references to renamed
/// entries changed, or `None` when it has none. `renamed` gives the new key of a reference
/// to a renamed entry (the caller decides how case counts); `is_key` says whether a text is
/// a key of the library (it resolves `xdata=key-field-n`, where keys may hold `-` too: the
/// longest key wins).
pub fn rename_references(
    name: &str,
    raw: &str,
    is_key: &dyn Fn(&str) -> bool,
    renamed: &dyn Fn(&str) -> Option<String>,
) -> Option<String> {
    let mut out = None;
    if KEY_FIELDS.iter().any(|f| f.eq_ignore_ascii_case(name)) {
        out = rename_list(raw, renamed);
    }
    let text = out.as_deref().unwrap_or(raw);
    if let Some(t) = rename_granular(text, is_key, renamed) {
        out = Some(t);
    }
    out
}

/// A braced or quoted key list with renamed keys replaced (spacing kept).
fn rename_list(raw: &str, renamed: &dyn Fn(&str) -> Option<String>) -> Option<String> {
    let t = raw.trim();
    let lead = raw.len() - raw.trim_start().len();
    let inner = match (t.chars().next(), t.chars().last()) {
        (Some('{'), Some('}')) | (Some('"'), Some('"')) if t.len() >= 2 => lead + 1..lead + t.len() - 1,
        _ => return None,
    };
    let mut changed = false;
    let parts: Vec<String> = raw[inner.clone()]
        .split(',')
        .map(|part| {
            let key = part.trim();
            match renamed(key).filter(|_| !key.is_empty()) {
                Some(new) => {
                    changed = true;
                    let at = part.len() - part.trim_start().len();
                    format!("{}{new}{}", &part[..at], &part[at + key.len()..])
                }
                None => part.to_string(),
            }
        })
        .collect();
    changed.then(|| format!("{}{}{}", &raw[..inner.start], parts.join(","), &raw[inner.end..]))
}

/// `xdata=key-field-n` references with renamed keys replaced.
fn rename_granular(
    raw: &str,
    is_key: &dyn Fn(&str) -> bool,
    renamed: &dyn Fn(&str) -> Option<String>,
) -> Option<String> {
    // ASCII lower case keeps the byte offsets.
    let lower = raw.to_ascii_lowercase();
    if !lower.contains("xdata=") {
        return None;
    }
    let mut out = String::with_capacity(raw.len());
    let mut from = 0;
    for (i, _) in lower.match_indices("xdata=") {
        let start = i + "xdata=".len();
        let r = &raw[start..];
        let len = r
            .find(|c: char| c.is_whitespace() || matches!(c, '}' | ',' | '"'))
            .unwrap_or(r.len());
        let r = &r[..len];
        let Some(key_len) = r.match_indices('-').map(|(j, _)| j).rev().find(|&j| is_key(&r[..j])) else {
            continue;
        };
        if let Some(new) = renamed(&r[..key_len]) {
            out.push_str(&raw[from..start]);
            out.push_str(&new);
            from = start + key_len;
        }
    }
    if from == 0 {
        return None;
    }
    out.push_str(&raw[from..]);
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn renamed(k: &str) -> Option<String> {
        match k.to_ascii_lowercase().as_str() {
            "d'ambrosio2007" => Some("DAmbrosio2007".into()),
            "o'hara" => Some("OHara".into()),
            _ => None,
        }
    }

    fn is_key(k: &str) -> bool {
        ["d'ambrosio2007", "o'hara", "o'hara-x", "smith"].contains(&k.to_ascii_lowercase().as_str())
    }

    fn f(name: &str, v: &str) -> Option<String> {
        rename_references(name, v, &is_key, &renamed)
    }

    #[test]
    fn key_fields_and_lists() {
        assert_eq!(f("crossref", "{D'Ambrosio2007}").as_deref(), Some("{DAmbrosio2007}"));
        assert_eq!(
            f("Crossref", "\"d'ambrosio2007\"").as_deref(),
            Some("\"DAmbrosio2007\"")
        );
        assert_eq!(f("xdata", "{smith, O'Hara,x}").as_deref(), Some("{smith, OHara,x}"));
        assert_eq!(f("related", " {O'Hara}").as_deref(), Some(" {OHara}"));
        assert_eq!(f("crossref", "{smith}"), None);
        // Not a key field, and a key that only starts like a renamed one.
        assert_eq!(f("note", "{O'Hara}"), None);
        assert_eq!(f("crossref", "{O'Hara2}"), None);
        assert_eq!(f("crossref", "O'Hara"), None);
    }

    #[test]
    fn granular_xdata() {
        assert_eq!(
            f("addendum", "{xdata=O'Hara-publisher-1 and xdata=smith-publisher}").as_deref(),
            Some("{xdata=OHara-publisher-1 and xdata=smith-publisher}")
        );
        // The longest key wins: `o'hara-x` is another entry, not renamed.
        assert_eq!(f("addendum", "{xdata=O'Hara-x-title}"), None);
        assert_eq!(
            f("addendum", "{XDATA=d'ambrosio2007-title}").as_deref(),
            Some("{XDATA=DAmbrosio2007-title}")
        );
    }
}
