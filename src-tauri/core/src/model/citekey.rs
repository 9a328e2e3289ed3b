//! Citation keys: generation from a pattern, transliteration, validity and uniqueness.
//!
//! Pattern tokens (JabRef/Better BibTeX style): `[auth]` first author's family name,
//! `[authors2]` first two family names (+ "EtAl" beyond two), `[authors]` all,
//! `[year]`, `[shorttitle]` first three significant title words, `[veryshorttitle]` the first
//! one, `[title]` all significant words, `[journal]` container initials or short name.
//! Modifiers: `[auth:lower]`, `[shorttitle:upper]`. Text outside brackets is literal.

use super::{Item, ItemType};
use unicode_normalization::UnicodeNormalization;

pub const DEFAULT_PATTERN: &str = "[auth][year]";

const STOP_WORDS: &[&str] = &[
    "a", "an", "the", "and", "or", "of", "on", "in", "at", "to", "for", "from", "by", "with", "as", "is", "are", "be",
    "its", "it", "into", "about", "der", "die", "das", "le", "la", "les", "de", "el", "los", "un", "une",
];

/// Characters allowed in a key written to a .bib file (BibTeX and biber both accept these).
pub fn is_key_char(c: char) -> bool {
    !c.is_whitespace() && !c.is_control() && !",{}%#~\\\"'()=".contains(c)
}

/// Transliterate to ASCII: strip accents, map common letters (ß→ss, æ→ae, ø→o, ł→l…), drop
/// what has no ASCII form.
pub fn transliterate(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.nfkd() {
        if c.is_ascii() {
            out.push(c);
            continue;
        }
        if unicode_normalization::char::is_combining_mark(c) {
            continue;
        }
        let rep = match c {
            'ß' => "ss",
            'æ' => "ae",
            'Æ' => "AE",
            'œ' => "oe",
            'Œ' => "OE",
            'ø' => "o",
            'Ø' => "O",
            'ł' => "l",
            'Ł' => "L",
            'đ' | 'ð' => "d",
            'Đ' | 'Ð' => "D",
            'þ' => "th",
            'Þ' => "Th",
            'ı' => "i",
            '\u{2013}' | '\u{2014}' => "-",
            _ => "",
        };
        out.push_str(rep);
    }
    out
}

/// Letters and digits only, ASCII.
fn clean_word(s: &str) -> String {
    transliterate(s).chars().filter(|c| c.is_ascii_alphanumeric()).collect()
}

fn capitalize(w: &str) -> String {
    let mut c = w.chars();
    match c.next() {
        Some(f) => f.to_ascii_uppercase().to_string() + c.as_str(),
        None => String::new(),
    }
}

fn title_words(item: &Item) -> Vec<String> {
    item.title
        .split(|c: char| c.is_whitespace() || c == '-' || c == ':' || c == '/')
        .map(clean_word)
        .filter(|w| !w.is_empty() && !STOP_WORDS.contains(&w.to_lowercase().as_str()))
        .collect()
}

fn token(item: &Item, name: &str) -> Result<String, String> {
    let fams: Vec<String> = item.primary_creators().iter().map(|c| clean_word(c.family())).collect();
    Ok(match name {
        "auth" => fams.first().cloned().unwrap_or_default(),
        "authors" => fams.concat(),
        "authors2" => {
            let mut s: String = fams.iter().take(2).cloned().collect();
            if fams.len() > 2 {
                s.push_str("EtAl");
            }
            s
        }
        "authetal" => match fams.len() {
            0 => String::new(),
            1 => fams[0].clone(),
            2 => format!("{}{}", fams[0], fams[1]),
            _ => format!("{}EtAl", fams[0]),
        },
        "year" => item.date.year.map(|y| y.to_string()).unwrap_or_default(),
        "shorttitle" => title_words(item).iter().take(3).map(|w| capitalize(w)).collect(),
        "veryshorttitle" => title_words(item).first().map(|w| capitalize(w)).unwrap_or_default(),
        "title" => title_words(item).iter().map(|w| capitalize(w)).collect(),
        "journal" => {
            let words: Vec<String> = item
                .container
                .split_whitespace()
                .map(clean_word)
                .filter(|w| !w.is_empty())
                .collect();
            if words.len() == 1 {
                words[0].clone()
            } else {
                words
                    .iter()
                    .filter(|w| !STOP_WORDS.contains(&w.to_lowercase().as_str()))
                    .filter_map(|w| w.chars().next())
                    .map(|c| c.to_ascii_uppercase())
                    .collect()
            }
        }
        "type" => item.item_type.as_str().to_string(),
        _ => return Err(format!("unknown citation-key token [{name}]")),
    })
}

/// Check a pattern's syntax without an item.
pub fn validate_pattern(pattern: &str) -> Result<(), String> {
    generate(&Item::new(ItemType::Misc, ""), pattern).map(|_| ())
}

/// The key an item gets from `pattern`, before uniqueness suffixes. Never empty: falls back to
/// the first title word, then to "ref".
pub fn generate(item: &Item, pattern: &str) -> Result<String, String> {
    let mut out = String::new();
    let mut rest = pattern;
    while let Some(open) = rest.find('[') {
        out.push_str(&rest[..open]);
        let close = rest[open..]
            .find(']')
            .ok_or_else(|| format!("unclosed '[' in key pattern {pattern:?}"))?
            + open;
        let spec = &rest[open + 1..close];
        let mut parts = spec.split(':');
        let name = parts.next().unwrap_or_default();
        let mut val = token(item, name)?;
        for m in parts {
            val = match m {
                "lower" => val.to_lowercase(),
                "upper" => val.to_uppercase(),
                "capitalize" => capitalize(&val),
                _ => return Err(format!("unknown citation-key modifier :{m}")),
            };
        }
        out.push_str(&val);
        rest = &rest[close + 1..];
    }
    out.push_str(rest);
    let mut key: String = transliterate(&out).chars().filter(|c| is_key_char(*c)).collect();
    if key.is_empty() {
        key = title_words(item)
            .first()
            .map(|w| w.to_lowercase())
            .unwrap_or_else(|| "ref".to_string());
    }
    if key == "0" {
        // biber reads a key "0" as no key (Perl's false) and skips the entry.
        key = "ref0".to_string();
    }
    Ok(key)
}

/// `base`, or `base` + `a`, `b`, … `z`, `aa`, … : the first for which `taken` is false.
pub fn make_unique(base: &str, mut taken: impl FnMut(&str) -> bool) -> String {
    if !taken(base) {
        return base.to_string();
    }
    let mut n: usize = 0;
    loop {
        let candidate = format!("{base}{}", suffix(n));
        if !taken(&candidate) {
            return candidate;
        }
        n += 1;
    }
}

/// 0 → "a", 25 → "z", 26 → "aa", …
fn suffix(mut n: usize) -> String {
    let mut s = Vec::new();
    loop {
        s.push(b'a' + (n % 26) as u8);
        if n < 26 {
            break;
        }
        n = n / 26 - 1;
    }
    s.reverse();
    String::from_utf8(s).expect("ascii")
}

/// Problems with a key that would break LaTeX, or `None` when fine.
pub fn key_problem(key: &str) -> Option<String> {
    if key.is_empty() {
        return Some("empty key".into());
    }
    let bad: String = key.chars().filter(|c| !is_key_char(*c)).collect();
    if !bad.is_empty() {
        return Some(format!("key {key:?} contains characters LaTeX rejects: {bad:?}"));
    }
    if !key.is_ascii() {
        return Some(format!(
            "key {key:?} contains non-ASCII characters (classic BibTeX rejects them)"
        ));
    }
    if key == "0" {
        return Some("key \"0\" is one biber reads as no key (it skips the entry)".into());
    }
    None
}

/// A key LaTeX tools accept, changed as little as possible: transliterated to ASCII
/// (`Müller2020` → `Muller2020`) and without the characters they reject (`D'Ambrosio2007174`
/// → `DAmbrosio2007174`, `Smith 2020` → `Smith2020`). Empty when nothing is left. Uniqueness
/// is the caller's ([`make_unique`]).
pub fn repaired(key: &str) -> String {
    transliterate(key).chars().filter(|c| is_key_char(*c)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Creator, PartialDate, Role};

    fn item() -> Item {
        let mut it = Item::new(
            ItemType::Article,
            "The temporary use of vacant spaces as a format to co-produce",
        );
        it.creators.push(Creator::person(Role::Author, "Müller", "Paula"));
        it.creators.push(Creator::person(Role::Author, "Steen", "Trui"));
        it.creators.push(Creator::person(Role::Author, "Øster", "A."));
        it.date = PartialDate::year(2019);
        it.container = "International Journal of Public Sector Management".into();
        it
    }

    #[test]
    fn patterns() {
        let it = item();
        assert_eq!(generate(&it, DEFAULT_PATTERN).unwrap(), "Muller2019");
        assert_eq!(generate(&it, "[auth:lower][year]").unwrap(), "muller2019");
        assert_eq!(generate(&it, "[authors2]_[year]").unwrap(), "MullerSteenEtAl_2019");
        assert_eq!(generate(&it, "[auth][shorttitle]").unwrap(), "MullerTemporaryUseVacant");
        assert_eq!(generate(&it, "[veryshorttitle:upper]").unwrap(), "TEMPORARY");
        assert_eq!(generate(&it, "[journal]").unwrap(), "IJPSM");
        assert!(generate(&it, "[nonsense]").is_err());
        assert!(generate(&it, "[auth").is_err());
        assert!(generate(&it, "[auth:wobble]").is_err());
        assert_eq!(
            generate(&Item::new(ItemType::Misc, ""), DEFAULT_PATTERN).unwrap(),
            "ref"
        );
    }

    #[test]
    fn unique_suffixes() {
        let taken = ["x", "xa", "xb"];
        assert_eq!(make_unique("x", |k| taken.contains(&k)), "xc");
        assert_eq!(make_unique("y", |k| taken.contains(&k)), "y");
        assert_eq!(suffix(25), "z");
        assert_eq!(suffix(26), "aa");
        assert_eq!(suffix(27), "ab");
    }

    #[test]
    fn transliteration_and_problems() {
        assert_eq!(transliterate("Gödel Straße Łódź"), "Godel Strasse Lodz");
        assert!(key_problem("Smith 2020").is_some());
        assert!(key_problem("Sm{ith").is_some());
        assert!(key_problem("Gödel2020").is_some());
        assert!(key_problem("Smith2020:a-b_c").is_none());
    }

    #[test]
    fn repaired_keys_change_only_what_latex_rejects() {
        assert_eq!(repaired("D'Ambrosio2007174"), "DAmbrosio2007174");
        assert_eq!(repaired("Dobrovol'skii_1963"), "Dobrovolskii_1963");
        assert_eq!(repaired("Gödel 2020{x}"), "Godel2020x");
        assert_eq!(repaired("Smith2020:a-b_c"), "Smith2020:a-b_c");
        assert_eq!(repaired("a\u{FFFD}b"), "ab");
        assert_eq!(repaired("''"), "");
        for k in ["D'Ambrosio2007174", "Gödel 2020{x}", "O'Keeffe_1962_B"] {
            assert!(key_problem(&repaired(k)).is_none(), "{k}");
        }
    }
}
