//! Creator names as the line-based formats write them (RIS, Web of Science, results pages):
//! telling an organisation from a person, and reading "Family, Given", "Given Family" and
//! "Family I." forms. BibTeX's own name syntax is in `bibtex/names.rs`.

use crate::model::{Creator, Role};

/// Words that mark an organisation rather than a person.
const CORPORATE_WORDS: &[&str] = &[
    "university",
    "universiteit",
    "universität",
    "institute",
    "institut",
    "organization",
    "organisation",
    "association",
    "society",
    "committee",
    "council",
    "group",
    "consortium",
    "collaboration",
    "department",
    "ministry",
    "agency",
    "foundation",
    "center",
    "centre",
    "inc",
    "inc.",
    "ltd",
    "ltd.",
    "llc",
    "corporation",
    "company",
    "bank",
    "office",
    "board",
    "commission",
    "network",
    "team",
    "trust",
    "federation",
    "union",
    "school",
    "hospital",
    "college",
    "laboratory",
    "services",
    "service",
    "project",
    "initiative",
    "authors",
    "investigators",
    "of",
    "for",
    "and",
    "&",
];

/// Whether a name written without a comma is an organisation.
pub(crate) fn looks_corporate(name: &str) -> bool {
    let words: Vec<&str> = name.split_whitespace().collect();
    if words.len() > 5 || name.chars().any(|c| c.is_ascii_digit()) {
        return true;
    }
    words.iter().any(|w| {
        CORPORATE_WORDS.contains(
            &w.to_lowercase()
                .trim_matches(|c: char| c == ',' || c == '(' || c == ')'),
        )
    })
}

/// Whether "`family`, …" is an organisation's name with a comma in it ("American
/// Psychological Association, Task Force on …", "University of X, Department of Y"): words
/// that mark an organisation before the comma (not a one-word name: "Bank, Anna" is a person).
fn comma_corporate(family: &str) -> bool {
    let words: Vec<&str> = family.split_whitespace().collect();
    let marked = words.len() >= 2
        && words.iter().any(|w| {
            let w = w.to_lowercase();
            let w = w.trim_matches(|c: char| c == '(' || c == ')');
            !matches!(w, "of" | "for" | "and" | "&") && CORPORATE_WORDS.contains(&w)
        });
    marked
}

/// Role prefixes some vendors put in name values ("Editor-in-Chief: Jane Doe").
fn strip_role_prefix(name: &str) -> &str {
    if let Some((pre, rest)) = name.split_once(':') {
        let p = pre.trim().to_lowercase();
        if !rest.trim().is_empty()
            && [
                "editor",
                "editors",
                "editor-in-chief",
                "guest editor",
                "author",
                "translator",
                "series editor",
            ]
            .contains(&p.as_str())
        {
            return rest.trim();
        }
    }
    name
}

/// A creator from a RIS name: "Family, Given" (also "Family, Suffix, Given"), "Given Family"
/// without a comma, or an organisation (one word, or words such as "University", "Group").
pub(crate) fn ris_creator(role: Role, text: &str) -> Creator {
    let t = strip_role_prefix(text.trim()).trim();
    if let Some(whole) = t.strip_suffix(',').map(str::trim_end).filter(|w| !w.contains(',')) {
        // A trailing comma: the whole is one name (EndNote's mark of a corporate author, and
        // how Folio writes an organisation RIS would otherwise split): several words are an
        // organisation, unless all but the last are particles ("van Gogh,"); one word is a
        // person's family name ("Plato,").
        let words: Vec<&str> = whole.split_whitespace().collect();
        let particles = words[..words.len().saturating_sub(1)]
            .iter()
            .all(|w| w.chars().next().is_some_and(char::is_lowercase));
        if words.len() >= 2 && !particles {
            return Creator::literal(role, whole);
        }
    }
    if let Some((family, _)) = t.split_once(',') {
        if comma_corporate(family) {
            return Creator::literal(role, t);
        }
        return Creator::parse_name(role, t);
    }
    let words: Vec<&str> = t.split_whitespace().collect();
    if words.len() <= 1 || looks_corporate(t) {
        return Creator::literal(role, t);
    }
    // "Babur O.", "Vogel-Heuser B.", "Smith JA": family name first, then initials (Scopus,
    // PubMed and Citavi write names this way).
    let first_initial = words.iter().position(|w| is_initials(w));
    if let Some(k) = first_initial.filter(|&k| k > 0 && words[k..].iter().all(|w| is_initials(w))) {
        return Creator::parse_name(role, &format!("{}, {}", words[..k].join(" "), words[k..].join(" ")));
    }
    Creator::parse_name(role, t)
}

/// "O.", "J.-P.", "AB", "A.B.": initials rather than a name.
fn is_initials(w: &str) -> bool {
    let letters: Vec<char> = w.chars().filter(|c| c.is_alphabetic()).collect();
    !letters.is_empty()
        && w.chars().all(|c| c.is_alphabetic() || c == '.' || c == '-')
        && letters.iter().all(|c| c.is_uppercase())
        && (w.contains('.') || letters.len() <= 3)
}
