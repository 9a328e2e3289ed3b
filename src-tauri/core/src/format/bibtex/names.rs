//! BibTeX name lists: splitting on `and`, the three BibTeX name forms, biblatex's extended
//! name format, and writing names back.
//!
//! "and others" is kept as a literal creator named `others` (the BibTeX "et al." marker) and
//! written back as a bare `others`, so BibTeX styles still print "et al.".

use super::tex::{self, Escape};
use crate::model::{Creator, Name, Role};

/// Split a name list on ` and ` at brace depth 0 (case-insensitive, any whitespace).
pub fn split_names(s: &str) -> Vec<&str> {
    let b = s.as_bytes();
    let mut out = Vec::new();
    let mut depth = 0i32;
    let mut start = 0;
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'{' => depth += 1,
            b'}' => depth -= 1,
            c if depth == 0 && c.is_ascii_whitespace() => {
                // whitespace "and" whitespace
                let mut j = i;
                while j < b.len() && b[j].is_ascii_whitespace() {
                    j += 1;
                }
                if j + 3 < b.len() && b[j..j + 3].eq_ignore_ascii_case(b"and") && b[j + 3].is_ascii_whitespace() {
                    out.push(s[start..i].trim());
                    let mut k = j + 3;
                    while k < b.len() && b[k].is_ascii_whitespace() {
                        k += 1;
                    }
                    start = k;
                    i = k;
                    continue;
                }
                i = j;
                continue;
            }
            _ => {}
        }
        i += 1;
    }
    out.push(s[start..].trim());
    out.retain(|n| !n.is_empty());
    out
}

/// Split on a byte at depth 0.
pub(super) fn split_top(s: &str, sep: u8) -> Vec<&str> {
    let b = s.as_bytes();
    let mut out = Vec::new();
    let mut depth = 0i32;
    let mut start = 0;
    for (i, &c) in b.iter().enumerate() {
        match c {
            b'{' => depth += 1,
            b'}' => depth -= 1,
            c if c == sep && depth == 0 => {
                out.push(&s[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    out.push(&s[start..]);
    out
}

/// Words split on whitespace and `~` at depth 0 (hyphens stay inside words).
fn words(s: &str) -> Vec<&str> {
    let b = s.as_bytes();
    let mut out = Vec::new();
    let mut depth = 0i32;
    let mut start: Option<usize> = None;
    for (i, &c) in b.iter().enumerate() {
        let sep = depth == 0 && (c.is_ascii_whitespace() || c == b'~');
        match c {
            b'{' => depth += 1,
            b'}' => depth -= 1,
            _ => {}
        }
        if sep {
            if let Some(st) = start.take() {
                out.push(&s[st..i]);
            }
        } else if start.is_none() {
            start = Some(i);
        }
    }
    if let Some(st) = start {
        out.push(&s[st..]);
    }
    out
}

/// BibTeX's case of a name word: `Some(true)` for lowercase (a "von" word), `Some(false)` for
/// uppercase or a braced group, `None` when it has no letter.
fn is_lower_word(w: &str) -> Option<bool> {
    let b = w.as_bytes();
    let mut i = 0;
    while i < b.len() {
        let c = b[i];
        if c == b'{' {
            // A special character `{\"o}` takes the case of its letter; any other group
            // counts as uppercase.
            if b.get(i + 1) == Some(&b'\\') {
                let inner = tex::to_unicode(&w[i..]);
                return inner.chars().find(|c| c.is_alphabetic()).map(char::is_lowercase);
            }
            return Some(false);
        }
        if c == b'\\' {
            let inner = tex::to_unicode(&w[i..]);
            return inner.chars().find(|c| c.is_alphabetic()).map(char::is_lowercase);
        }
        if c.is_ascii_alphabetic() {
            return Some(c.is_ascii_lowercase());
        }
        if c >= 0x80 {
            let ch = w[i..].chars().next().expect("in bounds");
            if ch.is_alphabetic() {
                return Some(ch.is_lowercase());
            }
            i += ch.len_utf8();
            continue;
        }
        i += 1;
    }
    None
}

fn text(words: &[&str]) -> String {
    tex::to_unicode(&words.join(" "))
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

fn clean(s: &str) -> String {
    text(&words(s))
}

/// Parse one BibTeX name.
pub fn parse_name(role: Role, raw: &str) -> Creator {
    let raw = raw.trim();
    if raw.eq_ignore_ascii_case("others") {
        return Creator::literal(role, "others");
    }
    // The whole name in one brace group: an organisation.
    if raw.starts_with('{') && raw.ends_with('}') && outer_group(raw) {
        return Creator::literal(role, &clean(&raw[1..raw.len() - 1]));
    }
    let parts: Vec<&str> = split_top(raw, b',').into_iter().map(str::trim).collect();
    if let Some(c) = extended(role, &parts) {
        return c;
    }
    let (first, von, last, jr): (Vec<&str>, Vec<&str>, Vec<&str>, String) = match parts.len() {
        1 => {
            let w = words(parts[0]);
            if w.is_empty() {
                return Creator::literal(role, "");
            }
            let n = w.len();
            // First lowercase word (not the last word) starts the von part.
            let von_start = w[..n - 1].iter().position(|x| is_lower_word(x) == Some(true));
            match von_start {
                Some(vs) => {
                    let von_end = (vs..n - 1)
                        .rev()
                        .find(|&k| is_lower_word(w[k]) == Some(true))
                        .map_or(vs, |k| k + 1);
                    (
                        w[..vs].to_vec(),
                        w[vs..von_end].to_vec(),
                        w[von_end..].to_vec(),
                        String::new(),
                    )
                }
                None => (w[..n - 1].to_vec(), Vec::new(), w[n - 1..].to_vec(), String::new()),
            }
        }
        _ => {
            let w = words(parts[0]);
            let (jr, first) = if parts.len() == 2 {
                (String::new(), parts[1].to_string())
            } else {
                (clean(parts[1]), parts[2..].join(", "))
            };
            let first_words = words_owned(&first);
            if w.is_empty() {
                return person(
                    role,
                    "",
                    &text(&first_words.iter().map(String::as_str).collect::<Vec<_>>()),
                    "",
                    &jr,
                );
            }
            let n = w.len();
            let von_end = (0..n - 1)
                .rev()
                .find(|&k| is_lower_word(w[k]) == Some(true))
                .map_or(0, |k| k + 1);
            // von words must start at the beginning.
            let von_end = if von_end > 0 && is_lower_word(w[0]) == Some(true) {
                von_end
            } else {
                0
            };
            let given = text(&first_words.iter().map(String::as_str).collect::<Vec<_>>());
            return person(role, &text(&w[von_end..]), &given, &text(&w[..von_end]), &jr);
        }
    };
    person(role, &text(&last), &text(&first), &text(&von), &jr)
}

fn words_owned(s: &str) -> Vec<String> {
    words(s).into_iter().map(str::to_string).collect()
}

fn person(role: Role, family: &str, given: &str, particle: &str, suffix: &str) -> Creator {
    Creator {
        role,
        name: Name::Person {
            family: family.to_string(),
            given: given.to_string(),
            particle: particle.to_string(),
            suffix: suffix.to_string(),
        },
    }
}

/// Whether the first `{` of `s` closes at its last byte.
fn outer_group(s: &str) -> bool {
    let mut depth = 0i32;
    for (i, c) in s.bytes().enumerate() {
        match c {
            b'{' => depth += 1,
            b'}' => {
                depth -= 1;
                if depth == 0 {
                    return i == s.len() - 1;
                }
            }
            _ => {}
        }
    }
    false
}

/// biblatex's extended name format: `family=Smith, given=John, prefix=van, suffix=Jr`.
fn extended(role: Role, parts: &[&str]) -> Option<Creator> {
    let mut family = None;
    let mut given = String::new();
    let mut prefix = String::new();
    let mut suffix = String::new();
    let mut any = false;
    for p in parts {
        let (k, v) = p.split_once('=')?;
        let k = k.trim().to_ascii_lowercase();
        let v = v.trim();
        let v = v.strip_prefix('"').and_then(|x| x.strip_suffix('"')).unwrap_or(v);
        let val = clean(v);
        match k.as_str() {
            "family" | "last" => family = Some(val),
            "given" | "first" => given = val,
            "prefix" | "von" => prefix = val,
            "suffix" | "jr" => suffix = val,
            "useprefix" | "id" | "sortingnamekeytemplatename" | "uniquename" => {}
            k if k.ends_with("-i") || k.chars().all(|c| c.is_ascii_alphanumeric()) => {}
            _ => return None,
        }
        any = true;
    }
    if !any {
        return None;
    }
    Some(person(role, &family.unwrap_or_default(), &given, &prefix, &suffix))
}

/// Parse a whole name list field.
pub fn parse_list(role: Role, raw: &str) -> Vec<Creator> {
    split_names(raw)
        .into_iter()
        .map(|n| parse_name(role, n))
        .filter(|c| !c.display_natural().trim().is_empty())
        .collect()
}

/// A part that would be misread when written bare: lowercase words (read as "von"), commas,
/// or the word "and".
fn needs_braces(part: &str, allow_lower: bool) -> bool {
    if part.contains(',') {
        return true;
    }
    let ws: Vec<&str> = part.split_whitespace().collect();
    ws.iter().any(|w| w.eq_ignore_ascii_case("and"))
        || (!allow_lower
            && ws
                .iter()
                .any(|w| w.chars().find(|c| c.is_alphabetic()).is_some_and(char::is_lowercase)))
        || part.contains('~')
}

fn esc(part: &str, ascii: bool) -> String {
    tex::from_unicode(
        part,
        Escape {
            ascii,
            protect_case: false,
        },
    )
}

/// One creator in BibTeX form: "von Last, Jr, First"; literal names in braces. A person whose
/// name parts hold a comma, or read as biblatex's `family=…` form, is written as one braced
/// group: biber refuses a name with more than two commas outside such a group, and a comma
/// in a part cannot be told from the separators.
pub fn write_name(c: &Creator, ascii: bool) -> String {
    match &c.name {
        Name::Literal { literal } if literal == "others" => "others".to_string(),
        Name::Literal { literal } => format!("{{{}}}", esc(literal.trim(), ascii)),
        Name::Person {
            family,
            given,
            particle,
            suffix,
        } => {
            let (family, given, particle, suffix) = (family.trim(), given.trim(), particle.trim(), suffix.trim());
            let whole = || {
                let words: Vec<&str> = [given, particle, family]
                    .into_iter()
                    .chain((!suffix.is_empty()).then_some(suffix))
                    .filter(|p| !p.is_empty())
                    .collect();
                format!("{{{}}}", esc(&words.join(" "), ascii))
            };
            if [family, given, particle, suffix].iter().any(|p| xname_like(p)) {
                return whole();
            }
            let s = person_name(family, given, particle, suffix, ascii);
            // biber counts every comma of a name not wholly braced: more than two, or two in
            // a row, and it drops the entry.
            if s.matches(',').count() > 2 || s.contains(",,") {
                return whole();
            }
            s
        }
    }
}

/// A person's name in BibTeX form ("von Last, Jr, First"), parts braced where they need it.
fn person_name(family: &str, given: &str, particle: &str, suffix: &str, ascii: bool) -> String {
    let lower_word = |w: &str| w.chars().find(|c| c.is_alphabetic()).is_some_and(char::is_lowercase);
    let fam_ws: Vec<&str> = family.split_whitespace().collect();
    // Without a particle a lowercase first word would be read as one; with a particle
    // any lowercase word would extend it.
    let alone = particle.is_empty() && given.is_empty() && suffix.is_empty() && fam_ws.len() == 1;
    let fam_lower = if alone {
        false
    } else if particle.is_empty() {
        fam_ws.first().is_some_and(|w| lower_word(w))
    } else {
        fam_ws.iter().any(|w| lower_word(w))
    };
    let fam = if needs_braces(family, true) || fam_lower || family.is_empty() {
        format!("{{{}}}", esc(family, ascii))
    } else {
        esc(family, ascii)
    };
    let mut s = String::new();
    if !particle.is_empty() {
        let pw: Vec<&str> = particle.split_whitespace().collect();
        // The von part runs from the first to the last lowercase word.
        if needs_braces(particle, true)
            || !pw.first().is_some_and(|w| lower_word(w))
            || !pw.last().is_some_and(|w| lower_word(w))
        {
            // An uppercase particle cannot be expressed in the BibTeX forms.
            s.push_str(&format!("{{{}}}", esc(particle, ascii)));
        } else {
            s.push_str(&esc(particle, ascii));
        }
        s.push(' ');
    }
    s.push_str(&fam);
    let brace = |p: &str| {
        if needs_braces(p, true) {
            format!("{{{}}}", esc(p, ascii))
        } else {
            esc(p, ascii)
        }
    };
    if !suffix.is_empty() {
        s.push_str(", ");
        s.push_str(&brace(suffix));
        s.push_str(", ");
        // An empty given name as `{}`: BibTeX rejects a name ending in a comma.
        s.push_str(&if given.is_empty() {
            "{}".to_string()
        } else {
            brace(given)
        });
    } else if !given.is_empty() {
        s.push_str(", ");
        s.push_str(&brace(given));
    } else if particle.is_empty() && !fam.starts_with('{') && family.split_whitespace().count() > 1 {
        // A family name of several words without a given name: one brace group, which
        // BibTeX typesets the same (and which reads back as a literal name).
        return format!("{{{}}}", esc(family, ascii));
    }
    s
}

/// Whether text would read as biblatex's extended name form (`family=…`, `given = …`).
fn xname_like(p: &str) -> bool {
    let l = p.to_ascii_lowercase();
    ["family", "given", "prefix", "suffix"].iter().any(|n| {
        l.match_indices(n)
            .any(|(i, _)| l[i + n.len()..].trim_start().starts_with('='))
    })
}

/// A name list field value.
pub fn write_list<'a>(creators: impl Iterator<Item = &'a Creator>, ascii: bool) -> String {
    creators
        .filter(|c| !c.display_natural().trim().is_empty())
        .map(|c| write_name(c, ascii))
        .collect::<Vec<_>>()
        .join(" and ")
}

/// Scopus (and some other exports) separate authors with commas instead of `and`:
/// "D'Ambrosio, A.a, Aria, M.a, Iorio, C.b". When a list has no top-level `and`, an even
/// number of comma-separated parts (at least four) and every second part looks like
/// initials, it is rewritten with `and` between the names.
pub fn repair_comma_list(raw: &str) -> Option<String> {
    if split_names(raw).len() != 1 {
        return None;
    }
    let parts: Vec<&str> = split_top(raw, b',').into_iter().map(str::trim).collect();
    if parts.len() < 4 || !parts.len().is_multiple_of(2) {
        return None;
    }
    let initials = |p: &str| !p.is_empty() && p.len() <= 16 && p.contains('.') && p.split_whitespace().count() <= 3;
    if !parts.iter().skip(1).step_by(2).all(|p| initials(p)) || parts.iter().step_by(2).any(|p| p.is_empty()) {
        return None;
    }
    Some(
        parts
            .chunks(2)
            .map(|c| format!("{}, {}", c[0], c[1]))
            .collect::<Vec<_>>()
            .join(" and "),
    )
}
