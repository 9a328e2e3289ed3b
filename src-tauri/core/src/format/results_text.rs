//! Text copied from a publisher's search results page (Emerald Insight's layout).
//!
//! Per result the page shows: an access badge ("Access Restricted. View access options",
//! "Open Access", "Free Access"), the content type ("Article", "Book chapter"), maybe a title,
//! "Publication date: 4 August 2022", the authors ("A, B and C"), a teaser, a number, then
//! "Abstract" with section headings on their own lines, "Details" (container line
//! "Journal, vol. 16 no. 4", "Type: Research Article", "ISSN: …"/"ISBN: …") and "Keywords".
//! Page furniture ("Search results", "1 – 4 of 4", "Per page", …) is skipped.
//!
//! Titles are never invented: a result without a title line is imported with an empty title
//! and a warning.

use super::{Parsed, ParsedItem};
use crate::error::Diagnostic;
use crate::model::{
    known_headings, Abstract, AbstractSection, Access, AccessStatus, Creator, ExtraField, Item, ItemTag, ItemType,
    PartialDate, Role, SourceRecord,
};

/// Whether text looks like a pasted results page.
pub fn looks_like(text: &str) -> bool {
    text.contains("Publication date:") || text.contains("Access Restricted")
}

/// An access badge line, if the line is one.
fn badge(line: &str) -> Option<AccessStatus> {
    let l = line.trim();
    if l.len() > 60 {
        return None;
    }
    let lower = l.to_lowercase();
    let known = [
        "access restricted",
        "open access",
        "free access",
        "restricted access",
        "no access",
        "full access",
        "you have access",
    ];
    if !known.iter().any(|k| lower.starts_with(k)) {
        return None;
    }
    if lower.starts_with("full access") || lower.starts_with("you have access") {
        return Some(AccessStatus::Unknown);
    }
    AccessStatus::from_badge(l)
}

/// Content types the page shows, and the item type each becomes.
fn content_type(line: &str) -> Option<ItemType> {
    Some(match line.trim().to_lowercase().as_str() {
        "article"
        | "research article"
        | "review article"
        | "journal article"
        | "editorial"
        | "review"
        | "case study"
        | "viewpoint"
        | "book review"
        | "literature review"
        | "research paper"
        | "conceptual paper"
        | "technical paper"
        | "general review"
        | "article type: research article" => ItemType::Article,
        "book chapter" | "chapter" | "book part" | "book section" => ItemType::InCollection,
        "book" | "ebook" | "edited book" => ItemType::Book,
        "conference paper" | "conference proceedings" | "proceedings paper" => ItemType::InProceedings,
        "report" => ItemType::Report,
        "thesis" | "dissertation" => ItemType::Thesis,
        "journal issue" | "journal" => ItemType::Periodical,
        "case" | "teaching case" => ItemType::Case,
        _ => return None,
    })
}

/// Page furniture: not data.
fn is_furniture(line: &str) -> bool {
    let l = line.trim();
    let lower = l.to_lowercase();
    if matches!(
        lower.as_str(),
        "search results"
            | "per page"
            | "citations:"
            | "loading..."
            | "loading…"
            | "view access options"
            | "add to marked list"
            | "download citation"
            | "cite"
            | "save"
            | "share"
            | "export"
            | "previous"
            | "next"
            | "sort by"
            | "relevance"
            | "show more"
            | "show less"
            | "select all"
            | "marked list"
    ) {
        return true;
    }
    // "1 – 4 of 4", "1 - 10 of 250"
    let words: Vec<&str> = l.split_whitespace().collect();
    if words.len() == 5
        && words[0].chars().all(|c| c.is_ascii_digit())
        && ["–", "-", "—"].contains(&words[1])
        && words[3] == "of"
    {
        return true;
    }
    false
}

fn is_heading(line: &str) -> Option<&'static str> {
    let l = line.trim().trim_end_matches(':').trim();
    known_headings().find(|h| h.eq_ignore_ascii_case(l))
}

fn is_number(line: &str) -> bool {
    let l = line.trim();
    !l.is_empty() && l.chars().all(|c| c.is_ascii_digit() || c == ',')
}

/// Name particles that may be lowercase inside an author's name.
const PARTICLES: &[&str] = &[
    "van", "von", "der", "den", "de", "del", "della", "di", "da", "dos", "das", "du", "la", "le", "ten", "ter", "bin",
    "al", "el", "y", "zu",
];

/// Split "A, B and C" into names.
fn split_authors(line: &str) -> Vec<String> {
    let mut out = Vec::new();
    for part in line.split(", ") {
        for p in part.split(" and ") {
            let p = p.trim().trim_start_matches("and ").trim();
            if !p.is_empty() {
                out.push(p.to_string());
            }
        }
    }
    out
}

/// Whether a line reads as a list of person names.
fn looks_like_authors(line: &str) -> bool {
    let l = line.trim();
    if l.is_empty() || l.ends_with('\u{2026}') || l.ends_with("...") || l.len() > 600 {
        return false;
    }
    if l.contains(['?', '!', ':', ';', '(', ')', '"', '\u{201c}']) || l.chars().any(|c| c.is_ascii_digit()) {
        return false;
    }
    let names = split_authors(l);
    !names.is_empty()
        && names.iter().all(|n| {
            let words: Vec<&str> = n.split_whitespace().collect();
            (1..=5).contains(&words.len())
                && words.iter().all(|w| {
                    w.chars().next().is_some_and(char::is_uppercase) || PARTICLES.contains(&w.to_lowercase().as_str())
                })
        })
}

/// "Transforming Government: People, Process and Policy, vol. 16 no. 4" → (journal, vol, no).
fn container_line(line: &str) -> (String, String, String, String) {
    let l = line.trim();
    let lower = l.to_ascii_lowercase();
    let mut cut = l.len();
    let mut volume = String::new();
    let mut issue = String::new();
    let mut pages = String::new();
    let find_val = |key: &str| -> Option<(usize, String)> {
        let pos = lower.rfind(key)?;
        let rest = &l[pos + key.len()..];
        let v: String = rest
            .trim_start()
            .chars()
            .take_while(|c| !c.is_whitespace() && *c != ',')
            .collect();
        (!v.is_empty()).then_some((pos, v))
    };
    for (key, slot) in [(", vol. ", &mut volume), (" no. ", &mut issue), (" pp. ", &mut pages)] {
        if slot.is_empty() {
            if let Some((pos, v)) = find_val(key) {
                *slot = v;
                cut = cut.min(pos);
            }
        }
    }
    if volume.is_empty() {
        if let Some((pos, v)) = find_val(", volume ") {
            volume = v;
            cut = cut.min(pos);
        }
    }
    if issue.is_empty() {
        if let Some((pos, v)) = find_val(", issue ") {
            issue = v;
            cut = cut.min(pos);
        }
    }
    let container = l[..cut].trim().trim_end_matches(',').trim().to_string();
    (container, volume, issue, pages)
}

#[derive(Clone, Copy, PartialEq)]
enum Zone {
    Header,
    Abstract,
    Details,
    Keywords,
}

struct Rec {
    line: usize,
    lines: Vec<(usize, String)>,
    badge: Option<AccessStatus>,
}

/// Whether a character is an invisible mark a copied page carries (bidi marks and embeddings,
/// zero-width spaces and joiners, word joiners, byte order marks, soft hyphens): no part of
/// what a line says.
fn is_invisible(c: char) -> bool {
    matches!(
        c,
        '\u{ad}' | '\u{200b}'..='\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2060}'..='\u{2064}' | '\u{2066}'..='\u{2069}' | '\u{feff}'
    )
}

/// A line as it is classified: invisible marks ([`is_invisible`]) removed, no-break and other
/// fixed-width spaces read as spaces, trimmed. Borrowed when there is nothing to change.
fn clean_line(line: &str) -> std::borrow::Cow<'_, str> {
    let odd = |c: char| is_invisible(c) || (c != ' ' && c != '\t' && c.is_whitespace());
    if !line.contains(odd) {
        return std::borrow::Cow::Borrowed(line.trim());
    }
    let mut out = String::with_capacity(line.len());
    for c in line.chars() {
        if is_invisible(c) {
            continue;
        }
        out.push(if c.is_whitespace() { ' ' } else { c });
    }
    // Runs of spaces the marks left are one space, as on the page.
    let joined = out.split(' ').filter(|w| !w.is_empty()).collect::<Vec<_>>().join(" ");
    std::borrow::Cow::Owned(joined)
}

/// Read a pasted results page.
pub fn parse(input: &str) -> Parsed {
    let normalized = input
        .trim_start_matches('\u{feff}')
        .replace("\r\n", "\n")
        .replace('\r', "\n");
    let text = normalized.as_str();
    let mut parsed = Parsed {
        dialect: Some("emerald-results".into()),
        ..Default::default()
    };
    // Split into records at badge lines; without badges, at a content type line directly
    // followed by (or a title and) "Publication date:".
    let all: Vec<(usize, std::borrow::Cow<'_, str>)> = text
        .lines()
        .enumerate()
        .map(|(i, l)| (i + 1, clean_line(l)))
        .filter(|(_, l)| !l.is_empty())
        .collect();
    let mut recs: Vec<Rec> = Vec::new();
    let mut skip_number_after_per_page = false;
    // Whether the last record has a "Publication date:" or content type line yet (kept as
    // the lines come, so the check below does not rescan a record's lines).
    let mut last_has_date_or_type = false;
    let mut i = 0;
    while i < all.len() {
        let (n, l) = (all[i].0, all[i].1.as_ref());
        i += 1;
        if is_furniture(l) {
            skip_number_after_per_page = l.eq_ignore_ascii_case("per page");
            continue;
        }
        if skip_number_after_per_page && is_number(l) {
            skip_number_after_per_page = false;
            continue;
        }
        skip_number_after_per_page = false;
        if let Some(b) = badge(l) {
            recs.push(Rec {
                line: n,
                lines: Vec::new(),
                badge: Some(b),
            });
            last_has_date_or_type = false;
            continue;
        }
        let is_type = content_type(l).is_some();
        let starts_record = is_type
            && all[i..].iter().take(3).any(|(_, x)| x.starts_with("Publication date:"))
            && (recs.is_empty() || last_has_date_or_type);
        if starts_record || (recs.is_empty() && l.starts_with("Publication date:")) {
            recs.push(Rec {
                line: n,
                lines: Vec::new(),
                badge: None,
            });
            last_has_date_or_type = false;
        }
        if let Some(r) = recs.last_mut() {
            r.lines.push((n, l.to_string()));
            last_has_date_or_type |= is_type || l.starts_with("Publication date:");
        }
    }
    let raw_lines: Vec<&str> = text.lines().collect();
    for (idx, r) in recs.iter().enumerate() {
        if r.lines.is_empty() {
            parsed.diagnostics.push(Diagnostic::warning(
                r.line,
                "access badge without a result after it; ignored".to_string(),
            ));
            continue;
        }
        let mut item = build(r, idx + 1, &mut parsed.diagnostics);
        let last = r.lines.last().map_or(r.line, |(n, _)| *n);
        let raw = raw_lines[r.line - 1..last.min(raw_lines.len())].join("\n");
        let fingerprint = item.fingerprint();
        item.source = Some(SourceRecord {
            format: "results-text".into(),
            text: raw,
            fingerprint,
            batch: None,
        });
        parsed.items.push(ParsedItem::new(item, r.line));
    }
    if parsed.items.is_empty() {
        parsed.diagnostics.push(Diagnostic::error(
            None,
            "no search results found (expected an access badge or \"Publication date:\" per result)",
        ));
    }
    parsed
}

fn build(r: &Rec, number: usize, diags: &mut Vec<Diagnostic>) -> Item {
    let mut item = Item::default();
    let Zones {
        ty,
        type_text,
        before_date,
        after_date,
        sections,
        details,
        keywords,
    } = zones(r, &mut item);
    let ty = ty.unwrap_or_else(|| {
        if type_text.is_empty() {
            diags.push(Diagnostic::warning(
                r.line,
                format!("result {number} shows no content type; imported as an article"),
            ));
        }
        ItemType::Article
    });
    item.item_type = ty;
    item.r#abstract = Abstract(
        inline_headings(sections)
            .into_iter()
            .filter(|s| !s.text.is_empty())
            .collect(),
    );

    read_header(&mut item, &before_date, after_date);

    read_details(&mut item, details);

    // Keywords: one per line or separated by ";".
    for l in keywords {
        if is_number(l) || is_furniture(l) {
            continue;
        }
        for k in l.split(';').map(str::trim).filter(|k| !k.is_empty()) {
            item.add_tag(ItemTag::imported(k));
        }
    }

    if let Some(b) = r.badge {
        if b != AccessStatus::Unknown {
            item.access = Access::new(b, "results-text:badge");
        }
    }
    if item.title.is_empty() {
        diags.push(Diagnostic::warning(
            r.line,
            format!("result {number} has no title on the page; it was imported with an empty title and needs one"),
        ));
    }
    if item.creators.is_empty() {
        diags.push(Diagnostic::warning(r.line, format!("result {number} shows no authors")));
    }
    item
}

/// Headings inside the abstract's lines ("Originality/value This technique …" on one line,
/// as some pages and copies put them) split their section as the model's heading splitter
/// reads them; a heading on a line of its own already started one.
fn inline_headings(sections: Vec<AbstractSection>) -> Vec<AbstractSection> {
    let mut out = Vec::with_capacity(sections.len());
    for s in sections {
        let mut parts = Abstract::parse(&s.text).0.into_iter();
        match parts.next() {
            Some(first) if first.heading.is_empty() => out.push(AbstractSection {
                heading: s.heading,
                text: first.text,
            }),
            Some(first) => {
                if !s.heading.is_empty() {
                    out.push(AbstractSection {
                        heading: s.heading,
                        text: String::new(),
                    });
                }
                out.push(first);
            }
            None => out.push(s),
        }
        out.extend(parts);
    }
    out
}

/// A result's lines sorted by zone: the content type and the header lines before and after
/// "Publication date:" (read into `item.date`), the abstract's sections, the details and
/// the keywords.
struct Zones<'r> {
    ty: Option<ItemType>,
    type_text: String,
    before_date: Vec<&'r str>,
    after_date: Vec<&'r str>,
    sections: Vec<AbstractSection>,
    details: Vec<&'r str>,
    keywords: Vec<&'r str>,
}

fn zones<'r>(r: &'r Rec, item: &mut Item) -> Zones<'r> {
    let mut z = Zones {
        ty: None,
        type_text: String::new(),
        before_date: Vec::new(),
        after_date: Vec::new(),
        sections: Vec::new(),
        details: Vec::new(),
        keywords: Vec::new(),
    };
    let mut date_seen = false;
    let mut zone = Zone::Header;
    for (_, l) in &r.lines {
        let l = l.as_str();
        match l {
            "Abstract" if zone == Zone::Header => {
                zone = Zone::Abstract;
                continue;
            }
            "Details" if zone != Zone::Keywords => {
                zone = Zone::Details;
                continue;
            }
            "Keywords" | "Keywords:" if zone != Zone::Keywords => {
                zone = Zone::Keywords;
                continue;
            }
            _ => {}
        }
        match zone {
            Zone::Header => {
                if z.ty.is_none() && !date_seen {
                    if let Some(t) = content_type(l) {
                        z.ty = Some(t);
                        z.type_text = l.to_string();
                        continue;
                    }
                }
                if let Some(d) = l.strip_prefix("Publication date:") {
                    item.date = PartialDate::parse(d.trim());
                    date_seen = true;
                    continue;
                }
                if date_seen {
                    z.after_date.push(l);
                } else {
                    z.before_date.push(l);
                }
            }
            Zone::Abstract => {
                if let Some(h) = is_heading(l) {
                    z.sections.push(AbstractSection {
                        heading: h.to_string(),
                        text: String::new(),
                    });
                } else {
                    match z.sections.last_mut() {
                        Some(s) => {
                            if !s.text.is_empty() {
                                s.text.push(' ');
                            }
                            s.text.push_str(l);
                        }
                        None => z.sections.push(AbstractSection {
                            heading: String::new(),
                            text: l.to_string(),
                        }),
                    }
                }
            }
            Zone::Details => z.details.push(l),
            Zone::Keywords => z.keywords.push(l),
        }
    }
    z
}

/// How many lines after the date can be the teaser (the page shows [title], authors, teaser).
const TEASER_LINES: usize = 8;

/// The header lines after the date: title (when none came before the date), authors,
/// teaser (left out) and citation count.
fn read_header(item: &mut Item, before_date: &[&str], after_date: Vec<&str>) {
    let abstract_text = item.r#abstract.flat(false);
    // Header lines after the date: [title], authors, teaser, count.
    let mut rest: Vec<&str> = Vec::new();
    for (i, l) in after_date.into_iter().enumerate() {
        if is_number(l) {
            item.extra
                .push(ExtraField::text("citations".into(), l.replace(',', "")));
            continue;
        }
        let teaser_body = l.trim_end_matches('\u{2026}').trim_end_matches("...").trim_end();
        let is_teaser = l.ends_with('\u{2026}')
            || l.ends_with("...")
            // A teaser is among the first lines after the date; only those are looked for in the
            // abstract (each search is as long as the abstract: every line would be quadratic).
            || (i < TEASER_LINES
                && ((teaser_body.len() > 20
                    && item
                        .r#abstract
                        .sections()
                        .iter()
                        .any(|s| s.text.starts_with(teaser_body)))
                    || (teaser_body.len() > 40 && abstract_text.contains(teaser_body))));
        if is_teaser {
            continue;
        }
        rest.push(l);
    }
    let mut title = before_date.join(" ");
    let authors_line = match rest.len() {
        0 => None,
        1 => {
            if looks_like_authors(rest[0]) {
                Some(rest[0])
            } else if title.is_empty() {
                title = rest[0].to_string();
                None
            } else {
                Some(rest[0])
            }
        }
        _ => {
            // The authors line is the one that reads as names; a line before it is the title.
            let pos = rest
                .iter()
                .position(|l| looks_like_authors(l))
                .unwrap_or(rest.len() - 1);
            let pos = if pos == 0 && title.is_empty() && rest.len() > 1 && looks_like_authors(rest[1]) {
                1
            } else {
                pos
            };
            if title.is_empty() && pos > 0 {
                title = rest[..pos].join(" ");
            }
            Some(rest[pos])
        }
    };
    item.title = title.trim().to_string();
    if let Some(a) = authors_line {
        for name in split_authors(a) {
            item.creators.push(if super::names::looks_corporate(&name) {
                Creator::literal(Role::Author, &name)
            } else {
                Creator::parse_natural(Role::Author, &name)
            });
        }
    }
}

/// The "Details" lines: labelled identifiers and data, else the container line.
fn read_details(item: &mut Item, details: Vec<&str>) {
    for l in details {
        if let Some((label, value)) = l.split_once(':') {
            let label = label.trim().to_lowercase();
            let value = value.trim();
            let known = match label.as_str() {
                "type" | "article type" | "content type" => {
                    item.genre = value.to_string();
                    true
                }
                "issn" | "print issn" => {
                    item.issn = value.to_string();
                    true
                }
                "eissn" | "online issn" => {
                    item.extra.push(ExtraField::text("eissn".into(), value.to_string()));
                    true
                }
                "isbn" | "print isbn" => {
                    item.isbn = value.to_string();
                    true
                }
                "eisbn" | "online isbn" => {
                    item.extra.push(ExtraField::text("eisbn".into(), value.to_string()));
                    true
                }
                "doi" | "https" => {
                    item.doi = crate::model::normalize_doi(if label == "https" { l } else { value });
                    true
                }
                "publisher" => {
                    item.publisher = value.to_string();
                    true
                }
                "series" | "book series" => {
                    item.series = value.to_string();
                    true
                }
                "pages" | "pp" => {
                    item.pages = value.to_string();
                    true
                }
                "copyright" => {
                    item.extra.push(ExtraField::text("copyright".into(), value.to_string()));
                    true
                }
                _ => false,
            };
            if known {
                continue;
            }
            if is_label(&label) {
                item.extra
                    .push(ExtraField::text(label.replace(' ', "-"), value.to_string()));
                continue;
            }
            // Otherwise a container line that contains a colon ("Transforming Government: …").
        }
        if item.container.is_empty() {
            let (c, v, i, p) = container_line(l);
            item.container = c;
            item.volume = v;
            item.issue = i;
            if !p.is_empty() {
                item.pages = p;
            }
        } else {
            item.extra.push(ExtraField::text("details".into(), l.to_string()));
        }
    }
}

/// Labels that are data labels rather than the start of a container title.
fn is_label(label: &str) -> bool {
    matches!(
        label,
        "eissn"
            | "eisbn"
            | "online issn"
            | "online isbn"
            | "print issn"
            | "print isbn"
            | "published"
            | "edition"
            | "volume"
            | "issue"
            | "language"
    )
}

#[cfg(test)]
mod tests;
