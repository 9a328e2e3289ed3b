//! The title and authors from the layout of the first page: the largest text in the upper
//! part of the page (running heads, journal names, stamps and labels skipped), and the lines
//! in the next size down that follow it.

use super::super::layout::{Line, PageLayout};
use regex::Regex;
use std::sync::LazyLock;

/// Lines that are never the title: journal furniture, labels, identifiers, stamps.
static NOT_TITLE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?i)(\bjournal\b|proceedings|\bvol\.|volume|\bdoi\b|https?:|www\.|arxiv|issn|isbn|copyright|©|research article|original article|review article|^\s*review\s*$|open access|^\s*editorial\s*$|^\s*edit ?orial\s*$|^\s*article\s*$|^\s*contents\s*$|universi|technical report|publishing|^\s*abstract|licen[cs]e|pós-gradua|graduate program|dissertação|dissertation|thesis|^\s*letter\s*$|to appear in)",
    )
    .unwrap()
});

/// Lines that end the author block.
static NOT_AUTHOR: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?i)(universi|department|dept\.|institut|laborator|school|college|faculty|centre|center|hospital|\binc\b|corporation|academ|@|abstract|received|accepted|editor|correspond|e-mail|email|keywords|introduction|summary|orientador|\b(?:19|20)\d\d\b|^\s*\d+\s)",
    )
    .unwrap()
});

/// A name with an affiliation mark and a comma ("Alabsi S1, *Alhadainy HA 2,"): an author
/// line in the title's font.
static MARKED_NAMES: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"\p{L}\s?[\d*∗†‡]+\s*,.*,").unwrap());

/// Most words capitalised (names), not running text.
fn looks_like_names(s: &str) -> bool {
    const SMALL: &[&str] = &[
        "and", "van", "von", "der", "de", "da", "do", "dos", "du", "la", "le", "del", "di", "y", "e", "et", "al",
    ];
    let words: Vec<&str> = s
        .split(|c: char| c.is_whitespace() || c == ',')
        .filter(|w| w.chars().any(char::is_alphabetic))
        .collect();
    let caps = words
        .iter()
        .filter(|w| w.chars().find(|c| c.is_alphabetic()).is_some_and(char::is_uppercase))
        .count();
    let small = words
        .iter()
        .filter(|w| SMALL.contains(&w.to_lowercase().as_str()))
        .count();
    !words.is_empty() && words.len() <= 40 && caps * 10 >= (words.len() - small) * 7 && caps > 0
}

/// A visual line: layout lines on one baseline joined (superscript marks included).
#[derive(Debug, Clone)]
pub(super) struct VLine {
    pub text: String,
    pub y: f64,
    pub size: f64,
}

/// Joins layout lines that sit on the same baseline (within half the larger size), as
/// superscripts and font changes split them.
fn visual_lines(lines: &[Line]) -> Vec<VLine> {
    let mut out: Vec<VLine> = Vec::new();
    for l in lines {
        let text = l.text.trim_end();
        if text.trim().is_empty() {
            continue;
        }
        match out.last_mut() {
            Some(v) if (v.y - l.y).abs() < 0.6 * v.size.max(l.size) && l.x >= 0.0 => {
                v.text.push_str(if l.size < v.size * 0.85 { "" } else { " " });
                v.text.push_str(text.trim_start());
                if l.size > v.size {
                    v.size = l.size;
                }
            }
            _ => out.push(VLine {
                text: text.to_string(),
                y: l.y,
                size: l.size,
            }),
        }
    }
    out
}

/// What the layout says: the title lines and the author lines after them.
#[derive(Debug, Clone, Default)]
pub(super) struct Found {
    pub page: u32,
    pub title: String,
    pub authors: Vec<String>,
}

fn words(s: &str) -> usize {
    s.split_whitespace()
        .filter(|w| w.chars().filter(|c| c.is_alphabetic()).count() >= 2)
        .count()
}

/// The title and author lines of the first page with text (page 1, or 2 when page 1 is a
/// cover image).
pub(super) fn from_layout(pages: &[PageLayout]) -> Option<Found> {
    let page = pages
        .iter()
        .find(|p| p.lines.iter().filter(|l| words(&l.text) >= 2).count() >= 3)?;
    let lines = visual_lines(&page.lines);
    let upper = page.height * 0.62;
    let candidate =
        |v: &VLine| v.y < upper && v.y > page.height * 0.04 && words(&v.text) >= 2 && !NOT_TITLE.is_match(&v.text);
    let size = lines
        .iter()
        .filter(|v| candidate(v))
        .map(|v| v.size)
        .fold(0.0, f64::max);
    if size <= 0.0 {
        return None;
    }
    let first = lines.iter().position(|v| candidate(v) && (v.size - size).abs() < 0.5)?;
    let mut title = vec![lines[first].text.clone()];
    let mut last_y = lines[first].y;
    let mut i = first + 1;
    while i < lines.len()
        && (lines[i].size - size).abs() < 0.5
        && (lines[i].y - last_y).abs() < 2.2 * size
        && !NOT_TITLE.is_match(&lines[i].text)
        && !MARKED_NAMES.is_match(&lines[i].text)
    {
        title.push(lines[i].text.clone());
        last_y = lines[i].y;
        i += 1;
    }
    let authors = author_lines(&lines[i..], size);
    Some(Found {
        page: page.page,
        title: join_title(&title),
        authors,
    })
}

/// The author lines after the title: the first line of names fixes the size; further lines of
/// that size count until the abstract, with affiliations, e-mail addresses and editors skipped
/// (a grid of names with an address under each, as ACM and IEEE print them, included).
fn author_lines(rest: &[VLine], title_size: f64) -> Vec<String> {
    let is_stop = |v: &VLine| {
        let t = v.text.trim().to_lowercase();
        t.starts_with("abstract")
            || t.starts_with("summary")
            || t.starts_with("introduction")
            || t.starts_with("1 introduction")
            || t.starts_with("keywords")
    };
    let Some(first) = rest.iter().take_while(|v| !is_stop(v)).position(|v| {
        v.size < title_size + 0.1
            && words(&v.text) >= 1
            && looks_like_names(&v.text)
            && !NOT_AUTHOR.is_match(&v.text)
            && !NOT_TITLE.is_match(&v.text)
    }) else {
        return Vec::new();
    };
    let size = rest[first].size;
    let mut out = vec![rest[first].text.clone()];
    for v in rest[first + 1..].iter().take(40) {
        if is_stop(v) {
            break;
        }
        if (v.size - size).abs() < 0.3
            && words(&v.text) >= 1
            && looks_like_names(&v.text)
            && !NOT_AUTHOR.is_match(&v.text)
            && !NOT_TITLE.is_match(&v.text)
        {
            out.push(v.text.clone());
        }
    }
    out
}

/// Title lines joined: hyphens at line ends kept only between word parts that need them,
/// footnote marks dropped, spaces collapsed.
pub(super) fn join_title(lines: &[String]) -> String {
    let mut t = String::new();
    for l in lines {
        let l = l.trim();
        if t.ends_with('-') && l.starts_with(char::is_lowercase) {
            // "Multi-" / "layer": TeX breaks at existing hyphens only, so keep it.
        } else if !t.is_empty() {
            t.push(' ');
        }
        t.push_str(l);
    }
    tidy(&t)
}

/// Footnote marks at the ends of a title, ligatures, spaces.
pub(super) fn tidy(t: &str) -> String {
    let t = t
        .replace('ﬁ', "fi")
        .replace('ﬂ', "fl")
        .replace('ﬀ', "ff")
        .replace('ﬃ', "ffi")
        .replace('ﬄ', "ffl");
    let t = t.split_whitespace().collect::<Vec<_>>().join(" ");
    t.trim_end_matches(|c: char| "*∗†‡§¶#0123456789 ,".contains(c))
        .trim()
        .to_string()
}

/// The signature of a short piece (an editorial, a letter) on its last page: a line that
/// starts with a name followed by a comma and an affiliation ("Greg M. Delgoffe, Department
/// of Immunology, …").
pub(super) fn signature(pages: &[String]) -> Option<(String, u32)> {
    if pages.is_empty() || pages.len() > 4 {
        return None;
    }
    let last = pages.len() - 1;
    let text = super::ids::before_references(&pages[last]);
    text.lines().rev().find_map(|l| {
        let c = SIGNATURE.captures(l.trim())?;
        Some((c[1].to_string(), last as u32 + 1))
    })
}

static SIGNATURE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^((?:\p{Lu}[\p{L}'’-]+\.?|\p{Lu}\.)(?:\s+(?:\p{Lu}[\p{L}'’-]+|\p{Lu}\.)){1,3}),\s*(?:Department|Division|School|Institute|University|Faculty|Center|Centre|Laboratory)\b").unwrap()
});

#[cfg(test)]
mod tests {
    use super::*;

    fn line(text: &str, y: f64, size: f64) -> Line {
        Line {
            text: text.into(),
            x: 72.0,
            y,
            end_x: 400.0,
            size,
        }
    }

    #[test]
    fn largest_text_near_the_top_then_the_names() {
        let page = PageLayout {
            page: 1,
            width: 600.0,
            height: 800.0,
            lines: vec![
                line("Journal of Things Vol. 3 (2020)", 40.0, 9.0),
                line("Research Article", 80.0, 18.0),
                line("A Study of Things", 120.0, 18.0),
                line("in Places", 142.0, 18.0),
                line("Ann Smith", 170.0, 12.0),
                line("1", 166.0, 7.0),
                line(", Bo Li", 170.0, 12.0),
                line("1 Department of Studies, Some University", 185.0, 9.0),
                line("Abstract", 220.0, 12.0),
            ],
        };
        let f = from_layout(&[page]).unwrap();
        assert_eq!(f.title, "A Study of Things in Places");
        assert_eq!(f.authors, ["Ann Smith1 , Bo Li"]);
    }

    #[test]
    fn a_signature_names_the_author_of_an_editorial() {
        let pages = vec![
            "Text.".to_string(),
            "More text.\nGreg M. Delgoffe, Department of Immunology, UPMC\nReferences\n1. Someone".to_string(),
        ];
        assert_eq!(signature(&pages), Some(("Greg M. Delgoffe".to_string(), 2)));
        assert!(!looks_like_names("As the pandemic continues to roll on, it has"));
        assert!(looks_like_names(
            "Anna Sundström,1 Michael Rönnlund,2 Rolf Adolfsson3 and Lars-Göran Nilsson4"
        ));
    }
}
