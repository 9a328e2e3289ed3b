//! Identifiers and the year printed on the first pages: the article's DOI (not those of its
//! references), the arXiv stamp, and the year of the citation line, copyright or date line.

use super::super::layout::PageLayout;
use regex::Regex;
use std::sync::LazyLock;

static DOI: LazyLock<Regex> = LazyLock::new(|| Regex::new(r#"(?i)\b(10\.\d{4,9}/[^\s"<>]+)"#).unwrap());
static DOI_LABEL: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(?i)(doi\s*[:.]?\s*$|doi\.org/$|dx\.doi\.org/$)").unwrap());
static ARXIV: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(?i)arxiv:\s*(\d{4}\.\d{4,5}(?:v\d+)?|[a-z][a-z.\-]+/\d{7}(?:v\d+)?)").unwrap());
static YEAR: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"(?:^|[^\d])((?:19|20)\d\d)(?:[^\d]|$)").unwrap());
static REFERENCES: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?m)^\s*(?:\d+\.?\s*)?(References|REFERENCES|Bibliography|BIBLIOGRAPHY|Literature Cited)\s*$").unwrap()
});

/// A numbered reference ("[2] S. I. Shevchenko, …, 30 (2004)").
static REFERENCE_ENTRY: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"^\s*\[\d+\]").unwrap());

/// The part of a page before its reference list (DOIs and years there belong to cited works).
pub(super) fn before_references(text: &str) -> &str {
    match REFERENCES.find(text) {
        Some(m) => &text[..m.start()],
        None => text,
    }
}

/// A DOI cleaned of what sticks to it in running text; `None` for JSTOR's stable-URL ids.
pub(super) fn clean_doi(raw: &str) -> Option<String> {
    let mut d = raw
        .trim()
        .trim_end_matches(['.', ',', ';', ':', '\'', '"', '’', '”'])
        .to_string();
    // A closing bracket belongs to the DOI only when it opens one too.
    while (d.ends_with(')') && d.matches('(').count() < d.matches(')').count())
        || (d.ends_with(']') && d.matches('[').count() < d.matches(']').count())
    {
        d.pop();
        d = d.trim_end_matches(['.', ',', ';']).to_string();
    }
    let ok = d.len() > 8 && !d.starts_with("10.2307/") && d[3..].contains('/') && !d.ends_with('/');
    ok.then_some(d)
}

/// The article's DOI on the first pages: labelled ones ("doi:", doi.org) and page 1 first;
/// the page it is on; whether it is a guess (unlabelled, or not on page 1).
pub(super) fn find_doi(pages: &[String]) -> Option<(String, u32, bool)> {
    let mut best: Option<(i32, String, u32)> = None;
    for (i, page) in pages.iter().take(2).enumerate() {
        let text = before_references(page);
        for m in DOI.captures_iter(text) {
            let line_start = text[..m.get(0).unwrap().start()].rfind('\n').map_or(0, |k| k + 1);
            if REFERENCE_ENTRY.is_match(&text[line_start..]) {
                continue;
            }
            let whole = m.get(1).unwrap();
            let Some(doi) = clean_doi(whole.as_str()) else { continue };
            let before = &text[text[..whole.start()].char_indices().rev().nth(12).map_or(0, |(k, _)| k)..whole.start()];
            let mut score = if DOI_LABEL.is_match(before) { 4 } else { 0 };
            if i == 0 {
                score += 2;
            }
            if best.as_ref().is_none_or(|b| score > b.0) {
                best = Some((score, doi, i as u32 + 1));
            }
        }
    }
    best.map(|(score, doi, page)| (doi, page, score < 4))
}

/// The arXiv identifier of the stamp on page 1 (or 2), with the year of its date.
pub(super) fn find_arxiv(pages: &[String]) -> Option<(String, u32, Option<i32>)> {
    for (i, page) in pages.iter().take(2).enumerate() {
        let text = before_references(page);
        if let Some(c) = ARXIV.captures(text) {
            let id = c.get(1).unwrap();
            let after: String = text[id.end()..].chars().take(48).collect();
            let year = YEAR
                .captures(&after)
                .and_then(|y| y[1].parse().ok())
                .or_else(|| year_of_new_id(id.as_str()));
            return Some((id.as_str().to_string(), i as u32 + 1, year));
        }
    }
    None
}

/// 2304.02623 → 2023.
fn year_of_new_id(id: &str) -> Option<i32> {
    let yy: i32 = id.get(..2)?.parse().ok()?;
    id.as_bytes().get(4).is_some_and(|&c| c == b'.').then_some(2000 + yy)
}

/// Month names in the other languages the corpus prints dates in (English ones are
/// `model::month_from_str`'s).
const OTHER_MONTHS: &[&str] = &[
    "janeiro",
    "fevereiro",
    "março",
    "abril",
    "maio",
    "junho",
    "julho",
    "agosto",
    "setembro",
    "outubro",
    "novembro",
    "dezembro",
    "enero",
    "febrero",
    "marzo",
    "mayo",
    "junio",
    "julio",
    "septiembre",
    "octubre",
    "noviembre",
    "diciembre",
    "janvier",
    "février",
    "mars",
    "avril",
    "mai",
    "juin",
    "juillet",
    "août",
    "septembre",
    "octobre",
    "décembre",
    "januar",
    "februar",
    "märz",
    "juni",
    "juli",
    "oktober",
    "dezember",
];

/// How much a year found in `line` (at byte `at`) says about publication.
fn year_score(line: &str, at: usize, header_or_footer: bool) -> i32 {
    let lower = line.to_lowercase();
    let before = &lower[..at.min(lower.len())];
    let tail: String = before
        .chars()
        .rev()
        .take(40)
        .collect::<String>()
        .chars()
        .rev()
        .collect();
    let near = |words: &[&str]| words.iter().any(|w| tail.contains(w));
    let month_before = tail
        .split(|c: char| !c.is_alphabetic())
        .rev()
        .filter(|w| !w.is_empty())
        .take(3)
        .any(|w| (w.len() >= 3 && crate::model::month_from_str(w).is_some()) || OTHER_MONTHS.contains(&w));
    let paren = line[..at].ends_with('(') && line[at + 4..].starts_with(')');
    let after_paren = line[at + 4..].get(1..).unwrap_or("");
    let volume_before = line[..at]
        .trim_end_matches('(')
        .trim_end()
        .ends_with(|c: char| c.is_ascii_digit());
    let citation =
        (paren && (volume_before || after_paren.starts_with([',', ';', ':']))) || line[at + 4..].starts_with(';');
    let published = near(&["published", "publication date", "available online"]);
    let mut score = if published || header_or_footer && (paren || citation) {
        5
    } else if citation || near(&["copyright", "©", "(c)", "c\u{20dd}"]) {
        4
    } else if near(&["received", "accepted", "dated", "revised", "submitted"]) || month_before {
        3
    } else if header_or_footer {
        2
    } else {
        1
    };
    if line[..at].ends_with(['-', '/']) && !paren {
        score -= 1; // "TR-2018-07", "978-1-4577-9538-2/11"
    }
    score
}

/// The year of publication from pages 1–2 (see docs/pdf.md for the order), with the page;
/// the bool says it was only a year somewhere in the text (a guess).
pub(super) fn find_year(pages: &[String], layout: &[PageLayout], max_year: i32) -> Option<(i32, u32, bool)> {
    let mut best: Option<(i32, i32, u32)> = None;
    for (i, page) in pages.iter().take(2).enumerate() {
        let edges = edge_lines(layout.iter().find(|l| l.page == i as u32 + 1));
        for line in before_references(page).lines().filter(|l| !REFERENCE_ENTRY.is_match(l)) {
            let norm = line.split_whitespace().collect::<Vec<_>>().join(" ");
            let edge = norm.len() >= 6 && edges.iter().any(|e| e.contains(&norm) || norm.contains(e.as_str()));
            for c in YEAR.captures_iter(line) {
                let m = c.get(1).unwrap();
                let Ok(year) = m.as_str().parse::<i32>() else { continue };
                if !(1900..=max_year).contains(&year) {
                    continue;
                }
                let score = year_score(line, m.start(), edge) - i as i32;
                if best.is_none_or(|b| score > b.0) {
                    best = Some((score, year, i as u32 + 1));
                }
            }
        }
    }
    // A year in running text alone (a cited work, a history) says nothing.
    best.filter(|b| b.0 >= 2)
        .map(|(score, year, page)| (year, page, score <= 2))
}

/// The first plausible year in `s`.
pub(super) fn year_in(s: &str, max_year: i32) -> Option<i32> {
    YEAR.captures_iter(s)
        .filter_map(|c| c[1].parse().ok())
        .find(|y| (1900..=max_year).contains(y))
}

/// The text of lines in the top 12 % or bottom 15 % of a page (running heads, citation lines,
/// copyright footers).
fn edge_lines(page: Option<&PageLayout>) -> Vec<String> {
    let Some(p) = page else { return Vec::new() };
    p.lines
        .iter()
        .filter(|l| l.y < p.height * 0.12 || l.y > p.height * 0.85)
        .map(|l| l.text.split_whitespace().collect::<Vec<_>>().join(" "))
        .filter(|t| t.len() >= 6)
        .collect()
}

/// A book's copyright page: "Copyright © Name, 2004" within the first 10 pages.
pub(super) fn copyright_year(pages: &[String], max_year: i32) -> Option<(i32, u32)> {
    for (i, page) in pages.iter().enumerate().take(10) {
        for line in page.lines() {
            let lower = line.to_lowercase();
            let Some(at) = lower.find("copyright").or_else(|| lower.find('©')) else {
                continue;
            };
            if let Some(c) = YEAR.captures(&lower[at..]) {
                let year: i32 = c[1].parse().ok()?;
                if (1900..=max_year).contains(&year) {
                    return Some((year, i as u32 + 1));
                }
            }
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn doi_prefers_a_labelled_one_and_drops_punctuation_and_jstor() {
        let p = vec!["See 10.1000/ref.1 in the text.\nhttps://doi.org/10.5555/jbc.2021.0314.".to_string()];
        assert_eq!(find_doi(&p), Some(("10.5555/jbc.2021.0314".to_string(), 1, false)));
        assert_eq!(clean_doi("10.2307/1234567"), None);
        assert_eq!(clean_doi("10.1000/a(b)c)."), Some("10.1000/a(b)c".to_string()));
    }

    #[test]
    fn arxiv_stamp_gives_id_and_year() {
        let p = vec!["arXiv:1412.6206v1  [hep-lat]  19 Dec 2014\nTitle".to_string()];
        assert_eq!(find_arxiv(&p), Some(("1412.6206v1".to_string(), 1, Some(2014))));
    }

    #[test]
    fn citation_year_beats_copyright_and_body_years() {
        let p = vec!["In 1998 we saw.\nPsychogeriatrics (2014), 26:1, 147–154 © Association 2013".to_string()];
        assert_eq!(find_year(&p, &[], 2030).map(|y| y.0), Some(2014));
        let p = vec!["Body text of 1999.\n©2011 IEEE".to_string()];
        assert_eq!(find_year(&p, &[], 2030).map(|y| y.0), Some(2011));
    }
}
