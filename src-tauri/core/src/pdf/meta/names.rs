//! Names and titles as PDFs carry them: lists of authors split into [`Creator`]s, and the
//! plausibility checks that keep tool-written junk ("Microsoft Word - draft3.docx",
//! "ipg1300180a", "Cambridge Journals") out of a reference.

use crate::model::{Creator, Role};
use regex::Regex;
use std::sync::LazyLock;

/// Marks printed after names: affiliation numbers and symbols, corresponding-author stars.
const MARKS: &[char] = &[
    '*', '∗', '†', '‡', '§', '¶', '#', '$', '□', '⋄', '+', '✉', '⁎', '♯', '⊥', '∥', '¹', '²', '³', '⁴', '⁵', '⁶', '⁷',
    '⁸', '⁹', '⁰',
];

static FILE_NAME: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)(\.(docx?|dvi|tex|eps|e?ps|pdf|indd|qxd|rtf|odt|wpd|pages|pptx?|xlsx?|txt|html?)\s*$|^microsoft (word|powerpoint)|^untitled|^document\d*$|^slide \d|powerpoint presentation|\\\d{3})").unwrap()
});

/// Words that make an "author" an organisation or a tool, not a person.
const NOT_PEOPLE: &[&str] = &[
    "journals",
    "journal",
    "press",
    "publishing",
    "publisher",
    "corporation",
    "submission",
    "anonymous",
    "admin",
    "administrator",
    "user",
    "owner",
    "unknown",
    "microsoft",
    "proprietario",
    "author",
    "elsevier",
    "springer",
    "ieee",
    "acm",
    "windows",
    "office",
    "authors",
];

/// Whether an Info or XMP title reads like a title: not a file name, tool name, code or one
/// word.
pub(super) fn plausible_title(t: &str) -> bool {
    let words: Vec<&str> = t.split_whitespace().collect();
    let letters = t.chars().filter(|c| c.is_alphabetic()).count();
    words.len() >= 2
        && letters >= 6
        && !FILE_NAME.is_match(t)
        && !(t.contains('_') && words.len() < 3)
        && !t.to_lowercase().starts_with("title")
}

/// Whether an Info or XMP author list reads like people's names.
pub(super) fn plausible_people(names: &[Creator]) -> bool {
    !names.is_empty()
        && names.iter().all(|c| {
            let full = c.display_natural();
            let words: Vec<&str> = full.split_whitespace().collect();
            words.len() >= 2
                && full.chars().any(char::is_uppercase)
                && !full.chars().any(|ch| ch.is_ascii_digit() || ch == '_' || ch == '@')
                && !words
                    .iter()
                    .any(|w| NOT_PEOPLE.contains(&w.to_lowercase().trim_matches('.')))
        })
}

/// "Given Family" / "Family, Given" lists from Info or XMP: split on `;`, " and ", `&`, and on
/// commas when every part has two words or more.
pub(super) fn split_metadata_authors(s: &str) -> Vec<Creator> {
    let s = s
        .replace("{et al.}", "")
        .replace("et al.", "")
        .replace(" and ", ";")
        .replace(" & ", ";");
    let mut out = Vec::new();
    for part in s.split(';').map(str::trim).filter(|p| !p.is_empty()) {
        let commas: Vec<&str> = part.split(',').map(str::trim).filter(|p| !p.is_empty()).collect();
        if commas.len() > 1 && commas.iter().all(|c| c.split_whitespace().count() >= 2) {
            out.extend(commas.iter().map(|c| person(c)));
        } else {
            out.push(Creator::parse_name(Role::Author, part));
        }
    }
    out
}

/// One name as printed in reading order: the last word is the family name, with the
/// lowercase particles before it ("Ivo H. M. van Stokkum").
pub(super) fn person(text: &str) -> Creator {
    let t = text.trim().trim_matches(|c: char| c == ',' || c == ';');
    // "Yu.A.Pusep": initials glued to the family name.
    let spaced = GLUED.replace_all(t, "$1 $2").into_owned();
    // "Alabsi S", "Alhadainy HA": family name first, then initials without periods.
    let words: Vec<&str> = spaced.split_whitespace().collect();
    if let [family @ .., initials] = words.as_slice() {
        let caps = initials.chars().all(|c| c.is_uppercase()) && initials.chars().count() <= 3;
        if caps && !family.is_empty() && family.iter().all(|w| w.chars().skip(1).any(char::is_lowercase)) {
            return Creator::person(Role::Author, &family.join(" "), initials);
        }
    }
    Creator::parse_name(Role::Author, &spaced)
}

static GLUED: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"(\p{Lu}\.)(\p{Lu}\p{Ll})").unwrap());
static EMAIL: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"\S+@\S+").unwrap());
static SEPARATORS: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"\s*(?:,\s*and\s+|,|;|\band\b|&|\s{2,})\s*").unwrap());

/// The people in printed author lines: marks and e-mail addresses dropped, split on commas,
/// "and", `&`, wide gaps, and runs of "Given [Initials] Family" when nothing separates them.
pub(super) fn split_author_lines(lines: &[String]) -> Vec<Creator> {
    let mut text = String::new();
    for l in lines {
        let l = l.trim_end();
        if text.ends_with('-') && l.starts_with(char::is_lowercase) {
            text.pop(); // "Paulo Ro-" / "cha"
            text.push_str(l.trim_start());
        } else {
            if !text.is_empty() {
                text.push_str(", ");
            }
            text.push_str(l.trim());
        }
    }
    let text = EMAIL.replace_all(&text, " ");
    let text: String = text
        .chars()
        .map(|c| if MARKS.contains(&c) { ' ' } else { c })
        .collect::<String>();
    // Affiliation numbers glued to names ("Marchetti1", "Wang1,2").
    let text = DIGITS.replace_all(&text, " , ");
    let mut out = Vec::new();
    for part in SEPARATORS.split(&text) {
        let part = part
            .trim()
            .trim_matches(|c: char| !c.is_alphabetic() && c != '.' && c != '’' && c != '\'');
        let words: Vec<&str> = part.split_whitespace().collect();
        if words.is_empty() || !part.chars().any(char::is_alphabetic) {
            continue;
        }
        for name in runs_of_names(&words) {
            if name.split_whitespace().count() >= 2 || name.contains('.') {
                out.push(person(&name));
            }
        }
    }
    out
}

static DIGITS: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"\d+(?:\s*,\s*\d+)*").unwrap());

fn is_initial(w: &str) -> bool {
    let letters: Vec<char> = w.chars().filter(|c| c.is_alphabetic()).collect();
    !letters.is_empty() && letters.len() <= 3 && letters[0].is_uppercase() && (w.ends_with('.') || letters.len() == 1)
}

fn is_particle(w: &str) -> bool {
    w.chars().next().is_some_and(char::is_lowercase)
}

/// Splits "Amara Nwosu Jonas Feldmann …" into names when a part has more than five words:
/// a name is initials and one given name, then initials, particles and one family name.
fn runs_of_names(words: &[&str]) -> Vec<String> {
    if words.len() <= 5 {
        return vec![words.join(" ")];
    }
    let mut out = Vec::new();
    let mut i = 0;
    while i < words.len() {
        let start = i;
        while i < words.len() && is_initial(words[i]) {
            i += 1;
        }
        i += 1; // given name
        while i < words.len() && (is_initial(words[i]) || is_particle(words[i])) {
            i += 1;
        }
        i += 1; // family name
        let end = i.min(words.len());
        out.push(words[start..end].join(" "));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn families(v: &[Creator]) -> Vec<String> {
        v.iter().map(|c| c.family_with_particle()).collect()
    }

    #[test]
    fn junk_titles_and_authors_are_rejected() {
        for junk in [
            "Microsoft Word - draft3.docx",
            "ipg1300180a",
            "fit_hyp_M_3.00.eps",
            "p020-dutot.dvi",
            "untitled",
            "5",
        ] {
            assert!(!plausible_title(junk), "{junk}");
        }
        assert!(plausible_title("Free Culture"));
        assert!(!plausible_people(&split_metadata_authors("Cambridge Journals")));
        assert!(!plausible_people(&split_metadata_authors("ygw")));
        assert!(plausible_people(&split_metadata_authors("Kyle Lo ; Lucy Lu Wang")));
    }

    #[test]
    fn author_lines_split_into_people() {
        let v =
            split_author_lines(&["Anna Sundström,1 Michael Rönnlund,2 Rolf Adolfsson3 and Lars-Göran Nilsson4".into()]);
        assert_eq!(families(&v), ["Sundström", "Rönnlund", "Adolfsson", "Nilsson"]);
        let v = split_author_lines(&["Margaret E. Holloway  Samuel Achterberg".into()]);
        assert_eq!(families(&v), ["Holloway", "Achterberg"]);
        let v = split_author_lines(&["Amara Nwosu Jonas Feldmann Priya Raghunathan".into()]);
        assert_eq!(families(&v), ["Nwosu", "Feldmann", "Raghunathan"]);
        let v = split_author_lines(&["Sheila Mara Silva do Amaral".into()]);
        assert_eq!(families(&v), ["do Amaral"]);
        let v = split_author_lines(&["Alabsi S1, *Alhadainy HA 2, Darrag AM 2".into()]);
        assert_eq!(families(&v), ["Alabsi", "Alhadainy", "Darrag"]);
        let v = split_author_lines(&["Yu.A.Pusep1*, L.Fernandes dos Santos1, D.Smirnov".into()]);
        assert_eq!(families(&v)[0], "Pusep");
        let v = split_author_lines(&["Kyle Lo†∗ Lucy Lu Wang †∗ Mark Neumann".into()]);
        assert_eq!(families(&v), ["Lo", "Wang", "Neumann"]);
    }
}
