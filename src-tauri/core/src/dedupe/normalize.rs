//! Normalisation for duplicate detection.

use crate::model::Item;
use crate::text::fold;

/// DOI in a comparable form: resolver prefix removed, lowercase.
pub fn normalize_doi_key(doi: &str) -> String {
    crate::model::normalize_doi(doi).to_lowercase()
}

/// A title folded for comparison: case, accents, punctuation and BibTeX braces removed, and
/// simple LaTeX commands (`\emph{…}`, `{\"o}`) reduced to their letters.
pub fn title_key(title: &str) -> String {
    let mut s = String::with_capacity(title.len());
    let mut chars = title.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '\\' {
            // Drop the command name (letters) or the single accent character after it.
            if chars.peek().is_some_and(|c| c.is_ascii_alphabetic()) {
                while chars.peek().is_some_and(|c| c.is_ascii_alphabetic()) {
                    chars.next();
                }
            } else {
                chars.next();
            }
            continue;
        }
        s.push(c);
    }
    fold(&s)
}

/// ISBN as 13 digits (ISBN-10 converted), or empty when it is not a valid ISBN.
pub fn isbn13(isbn: &str) -> String {
    let first = isbn.split([';', ',']).next().unwrap_or("");
    let digits: String = first
        .chars()
        .filter(|c| c.is_ascii_digit() || *c == 'X' || *c == 'x')
        .collect();
    match digits.len() {
        13 => digits,
        10 => {
            let core = format!("978{}", &digits[..9]);
            let sum: u32 = core
                .chars()
                .enumerate()
                .map(|(i, c)| c.to_digit(10).unwrap_or(0) * if i % 2 == 0 { 1 } else { 3 })
                .sum();
            format!("{core}{}", (10 - sum % 10) % 10)
        }
        _ => String::new(),
    }
}

/// The arXiv id of a preprint: from an arXiv DOI, `eprint` with `archiveprefix`/`eprinttype`
/// arXiv, or an arxiv.org URL.
pub fn arxiv_id(item: &Item) -> Option<String> {
    let doi = item.doi.to_lowercase();
    if let Some(id) = doi.strip_prefix("10.48550/arxiv.") {
        return Some(id.to_string());
    }
    let prefix = item
        .extra_field("archiveprefix")
        .or(item.extra_field("eprinttype"))
        .unwrap_or("");
    if prefix.trim_matches(['{', '}']).eq_ignore_ascii_case("arxiv") {
        if let Some(e) = item.extra_field("eprint") {
            return Some(e.trim_matches(['{', '}']).to_string());
        }
    }
    let url = item.url.to_lowercase();
    if let Some(pos) = url.find("arxiv.org/abs/") {
        return Some(url[pos + 14..].to_string());
    }
    None
}

/// Sorted character bigrams (whitespace ignored), each packed into a `u64`.
pub fn bigrams(s: &str) -> Vec<u64> {
    let cs: Vec<char> = s.chars().filter(|c| !c.is_whitespace()).collect();
    let mut v: Vec<u64> = cs
        .windows(2)
        .map(|w| (u64::from(w[0] as u32) << 32) | u64::from(w[1] as u32))
        .collect();
    v.sort_unstable();
    v
}

/// Sørensen–Dice similarity of character bigrams (0..1).
pub fn dice(a: &str, b: &str) -> f64 {
    if a == b {
        return 1.0;
    }
    dice_sorted(&bigrams(a), &bigrams(b))
}

/// Dice similarity of two sorted bigram lists.
pub fn dice_sorted(x: &[u64], y: &[u64]) -> f64 {
    if x.is_empty() || y.is_empty() {
        return 0.0;
    }
    let (mut i, mut j, mut common) = (0, 0, 0);
    while i < x.len() && j < y.len() {
        match x[i].cmp(&y[j]) {
            std::cmp::Ordering::Equal => {
                common += 1;
                i += 1;
                j += 1;
            }
            std::cmp::Ordering::Less => i += 1,
            std::cmp::Ordering::Greater => j += 1,
        }
    }
    2.0 * common as f64 / (x.len() + y.len()) as f64
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn titles_fold() {
        assert_eq!(
            title_key("The {DNA} of G{\\\"o}del: \\emph{Escher}!"),
            "the dna of godel escher"
        );
        assert_eq!(title_key("Gödel"), title_key("G{\\\"o}del"));
    }

    #[test]
    fn isbn_forms() {
        assert_eq!(isbn13("978-3-16-148410-0"), "9783161484100");
        assert_eq!(isbn13("3-16-148410-X"), "9783161484100");
        assert_eq!(isbn13("not an isbn"), "");
    }

    #[test]
    fn dice_bounds() {
        assert_eq!(dice("abc", "abc"), 1.0);
        assert_eq!(dice("ab", "cd"), 0.0);
        assert!(dice("night", "nacht") > 0.2 && dice("night", "nacht") < 0.3);
    }

    proptest! {
        #[test]
        fn normalisation_is_idempotent(s in "\\PC{0,60}") {
            let once = title_key(&s);
            prop_assert_eq!(title_key(&once), once.clone());
            let d = normalize_doi_key(&s);
            prop_assert_eq!(normalize_doi_key(&d), d);
            let i = isbn13(&s);
            prop_assert_eq!(isbn13(&i), i);
        }
    }
}
