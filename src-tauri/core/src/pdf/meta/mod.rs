//! The reference a PDF describes, read offline from the PDF alone. Each field takes the first
//! source that has a plausible value, in this order: the XMP packet; identifiers and dated
//! lines printed on the first pages; the Info dictionary; the layout of the first page.

mod ids;
mod names;
mod title;

use super::PdfDoc;
use crate::model::Creator;
use serde::{Deserialize, Serialize};

/// Where a value was found.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case", tag = "from")]
pub enum Source {
    /// The XMP packet.
    Xmp,
    /// An identifier (DOI, arXiv id) or a dated line printed on `page` (1-based).
    Identifier { page: u32 },
    /// The Info dictionary.
    Info,
    /// The layout of `page`: the largest text near its top, the lines under it.
    Layout { page: u32 },
    /// The file's name.
    FileName,
}

/// A value, where it came from, and whether it is a guess worth a second look.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Sourced<T> {
    pub value: T,
    pub source: Source,
    pub uncertain: bool,
}

/// What [`metadata`] finds.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PdfMetadata {
    pub title: Option<Sourced<String>>,
    /// Authors in printed order, as [`Creator`]s with the author role.
    pub authors: Option<Sourced<Vec<Creator>>>,
    pub year: Option<Sourced<i32>>,
    /// Bare DOI (`10.…`), as printed (DOIs are case-insensitive).
    pub doi: Option<Sourced<String>>,
    /// arXiv identifier with its version when printed (`1412.6206v1`, `hep-ph/9901001`).
    pub arxiv: Option<Sourced<String>>,
    pub venue: Option<Sourced<String>>,
    /// No usable text (a scan) or too little confidence: a person should check.
    pub needs_review: bool,
    /// What is uncertain, for a person.
    pub notes: Vec<String>,
}

/// The reference `doc` describes. See docs/pdf.md for the rules.
pub fn metadata(doc: &PdfDoc) -> PdfMetadata {
    let mut m = PdfMetadata::default();
    let xmp = doc.xmp.clone().unwrap_or_default();
    let first_text: String = doc
        .pages
        .iter()
        .take(10)
        .map(|p| p.to_lowercase())
        .collect::<Vec<_>>()
        .join("\n");
    let layout = title::from_layout(&doc.layout);
    m.title = pick_title(doc, &xmp, layout.as_ref(), &first_text);
    m.authors = pick_authors(doc, &xmp, layout.as_ref());
    pick_identifiers(doc, &xmp, &mut m);
    m.venue = pick_venue(doc, &xmp);
    if !doc.has_text() {
        m.needs_review = true;
        m.notes
            .push("the PDF has no text layer (a scan?): only its metadata could be read; OCR would find more".into());
    }
    for (what, uncertain) in [
        ("title", m.title.as_ref().map(|t| t.uncertain)),
        ("authors", m.authors.as_ref().map(|t| t.uncertain)),
        ("year", m.year.as_ref().map(|t| t.uncertain)),
    ] {
        match uncertain {
            None => m.notes.push(format!("no {what} found")),
            Some(true) => m
                .notes
                .push(format!("the {what} is a guess from the page layout or text")),
            Some(false) => {}
        }
    }
    m.needs_review |= m.title.as_ref().is_none_or(|t| t.uncertain) || m.authors.is_none();
    m
}

fn sourced<T>(value: T, source: Source, uncertain: bool) -> Sourced<T> {
    Sourced {
        value,
        source,
        uncertain,
    }
}

/// Letters and digits only, lowercased: for comparing titles across sources.
fn squash(s: &str) -> String {
    s.chars()
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_lowercase)
        .collect()
}

/// Numeric character references (`&#x02010;`) that some tools leave in Info strings.
fn unescape(s: &str) -> String {
    quick_xml::escape::unescape(s)
        .map(|c| c.into_owned())
        .unwrap_or_else(|_| s.to_string())
}

fn pick_title(doc: &PdfDoc, xmp: &super::Xmp, layout: Option<&title::Found>, text: &str) -> Option<Sourced<String>> {
    let info = doc.info.title.as_deref().map(unescape);
    let meta = [(xmp.title.clone(), Source::Xmp), (info, Source::Info)]
        .into_iter()
        .filter_map(|(t, s)| Some((title::tidy(&t?), s)))
        .find(|(t, _)| names::plausible_title(t));
    let printed = layout.filter(|f| names::plausible_title(&f.title));
    match (meta, printed) {
        // The printed form when both agree (Info often differs in case or spacing).
        (Some((t, s)), Some(p)) if squash(&t) == squash(&p.title) => Some(sourced(p.title.clone(), s, false)),
        (Some((t, s)), _) => {
            let full = with_subtitle(&t, &doc.pages).unwrap_or(t);
            let seen = !doc.has_text() || text.contains(&full.to_lowercase()) || squash(text).contains(&squash(&full));
            Some(sourced(full, s, !seen))
        }
        (None, Some(p)) => Some(sourced(p.title.clone(), Source::Layout { page: p.page }, true)),
        (None, None) => None,
    }
}

/// A short metadata title ("Free Culture") completed by the subtitle printed under it on a
/// title page within the first 8 pages (books).
fn with_subtitle(t: &str, pages: &[String]) -> Option<String> {
    if t.contains(':') {
        return None;
    }
    let key = squash(t);
    for page in pages.iter().take(8) {
        let lines: Vec<&str> = page.lines().map(str::trim).filter(|l| !l.is_empty()).collect();
        for (i, l) in lines.iter().enumerate() {
            if squash(l) != key {
                continue;
            }
            let sub: Vec<&str> = lines[i + 1..]
                .iter()
                .take(4)
                .take_while(|l| l.chars().filter(|c| c.is_alphabetic()).count() >= 3 && l.to_uppercase() == **l)
                .copied()
                .collect();
            if sub.len() >= 2 {
                // The last capitalised line is the author's name on a title page.
                let sub = title::join_title(&sub[..sub.len() - 1].iter().map(|s| s.to_string()).collect::<Vec<_>>());
                return Some(format!("{t}: {}", title_case(&sub)));
            }
        }
    }
    None
}

fn title_case(s: &str) -> String {
    const SMALL: &[&str] = &[
        "a", "an", "and", "the", "to", "of", "in", "on", "for", "or", "by", "at", "with",
    ];
    s.split_whitespace()
        .enumerate()
        .map(|(i, w)| {
            let lower = w.to_lowercase();
            if i > 0 && SMALL.contains(&lower.as_str()) {
                lower
            } else {
                let mut c = lower.chars();
                c.next()
                    .map(|f| f.to_uppercase().chain(c).collect())
                    .unwrap_or_default()
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
}

fn pick_authors(doc: &PdfDoc, xmp: &super::Xmp, layout: Option<&title::Found>) -> Option<Sourced<Vec<Creator>>> {
    let printed = layout
        .map(|f| names::split_author_lines(&f.authors))
        .filter(|v| !v.is_empty());
    let xmp_people: Vec<Creator> = xmp
        .creators
        .iter()
        .flat_map(|c| names::split_metadata_authors(c))
        .collect();
    // An Info dictionary whose title is a file name was written by a tool: its author is the
    // tool's user, not the article's author.
    let info_trusted = doc
        .info
        .title
        .as_deref()
        .is_none_or(|t| names::plausible_title(&unescape(t)));
    let info_people = doc
        .info
        .author
        .as_deref()
        .filter(|_| info_trusted)
        .map(names::split_metadata_authors)
        .unwrap_or_default();
    for (people, source, raw) in [
        (xmp_people, Source::Xmp, xmp.creators.join("; ")),
        (info_people, Source::Info, doc.info.author.clone().unwrap_or_default()),
    ] {
        if !names::plausible_people(&people) {
            continue;
        }
        // "Nuala E. Tully {et al.}": the printed list is complete when it starts the same.
        if raw.contains("et al") {
            if let Some(p) = printed.as_ref().filter(|p| p[0].family() == people[0].family()) {
                return Some(sourced(
                    p.clone(),
                    Source::Layout {
                        page: layout.map_or(1, |f| f.page),
                    },
                    false,
                ));
            }
        }
        return Some(sourced(people, source, false));
    }
    printed
        .map(|p| {
            sourced(
                p,
                Source::Layout {
                    page: layout.map_or(1, |f| f.page),
                },
                true,
            )
        })
        .or_else(|| {
            let (name, page) = title::signature(&doc.pages)?;
            Some(sourced(vec![names::person(&name)], Source::Layout { page }, true))
        })
}

fn pick_identifiers(doc: &PdfDoc, xmp: &super::Xmp, m: &mut PdfMetadata) {
    let max_year = time::OffsetDateTime::now_utc().year() + 1;
    let info_doi = [doc.info.subject.as_deref(), doc.info.keywords.as_deref()]
        .into_iter()
        .flatten()
        .find_map(|s| ids::find_doi(&[s.to_string()]).filter(|d| !d.2).map(|d| d.0));
    m.doi = xmp
        .doi
        .as_deref()
        .and_then(ids::clean_doi)
        .map(|d| sourced(d, Source::Xmp, false))
        .or_else(|| ids::find_doi(&doc.pages).map(|(d, page, guess)| sourced(d, Source::Identifier { page }, guess)))
        .or_else(|| info_doi.map(|d| sourced(d, Source::Info, false)));
    let arxiv = ids::find_arxiv(&doc.pages);
    m.arxiv = arxiv
        .as_ref()
        .map(|(id, page, _)| sourced(id.clone(), Source::Identifier { page: *page }, false));
    let xmp_year = xmp
        .publication_date
        .as_deref()
        .and_then(|d| d.get(..4)?.parse::<i32>().ok())
        .filter(|y| (1900..=max_year).contains(y));
    m.year = xmp_year
        .map(|y| sourced(y, Source::Xmp, false))
        .or_else(|| arxiv.and_then(|(_, page, y)| Some(sourced(y?, Source::Identifier { page }, false))))
        .or_else(|| {
            ids::find_year(&doc.pages, &doc.layout, max_year)
                .map(|(y, page, guess)| sourced(y, Source::Identifier { page }, guess))
        })
        .or_else(|| {
            ids::copyright_year(&doc.pages, max_year).map(|(y, page)| sourced(y, Source::Identifier { page }, true))
        })
        .or_else(|| {
            // "Overview of the CLEF 2008 …": a year in the title.
            let title = m.title.as_ref()?;
            let y = ids::year_in(&title.value, max_year)?;
            Some(sourced(y, title.source, true))
        });
}

fn pick_venue(doc: &PdfDoc, xmp: &super::Xmp) -> Option<Sourced<String>> {
    if let Some(v) = xmp.publication_name.clone().filter(|v| v.len() > 3) {
        return Some(sourced(v, Source::Xmp, false));
    }
    let page = doc.pages.first()?;
    for line in ids::before_references(page).lines().take(60) {
        let l = line.trim();
        for lead in ["To appear in ", "Proceedings of "] {
            if let Some(at) = l.find(lead) {
                let rest = &l[at..];
                let v = rest.strip_prefix("To appear in ").unwrap_or(rest);
                let v = v.split([',', '(']).next().unwrap_or(v).trim();
                if v.len() > 6 {
                    return Some(sourced(v.to_string(), Source::Layout { page: 1 }, true));
                }
            }
        }
    }
    None
}
