//! Formatted references and in-text citations in any CSL style.
//!
//! Items are converted to [`hayagriva`] entries (see `convert.rs` for the field mapping) and
//! rendered as plain text (no italics: italic titles come out as ordinary text) with a
//! [`CslStyle`]: one of the four quick choices of [`CiteStyle`] (APA 7, Chicago author-date,
//! IEEE, Harvard), any of the ~80 styles bundled in hayagriva's `archive` feature
//! ([`bundled_styles`]; by name, "nature", or CSL id, `http://www.zotero.org/styles/nature`),
//! or a `.csl` file (independent, or dependent on a bundled style). Terms come from the
//! style's `default-locale` when hayagriva bundles that locale, else from en-US.
//!
//! Both functions format the given items as one set, so numbering (IEEE) and disambiguation
//! (APA's "2019a"/"2019b", added initials) are computed across all of them, as if they were
//! cited once each, in the order given. [`format_citation`] numbers IEEE items within the
//! slice it is given ("\[1\], \[2\]"); to match a reference list, number from that list instead.
//!
//! Styles: `apa` is APA 7th edition, `chicago` the Chicago Manual of Style 18th edition
//! author-date, `ieee` IEEE, `harvard` *Cite Them Right* 12th edition (the usual UK Harvard).
//!
//! Known deviations from the style guides (hayagriva 0.10 and its bundled CSL styles; each is
//! pinned by a test in `tests.rs`):
//! - APA 7 letters same-author, same-year works by title (§9.47); hayagriva letters them in
//!   citation order, i.e. the order given.
//! - APA 7 puts a thesis's institution inside the brackets ("[Doctoral dissertation, KU
//!   Leuven]"); the CSL style prints it after them as the publisher.
//! - Chicago author-date leaves out a chapter's page range.
//! - Plain text has no italics, so italic journal and book titles are not marked.
//! - A name particle is printed as stored: "van der Berg, J." also at the start of an APA
//!   entry; Chicago demotes it ("Berg, Jan van der").

mod convert;
mod style;
#[cfg(test)]
mod tests;
mod yaml;

/// Hayagriva YAML (typst's bibliography format) of the items: see `yaml.rs`.
pub use yaml::write as write_hayagriva;

pub use style::{bundled_styles, BundledStyle, CslStyle, StyleError};

use crate::model::Item;
use hayagriva::archive::ArchivedStyle;
use hayagriva::{
    BibliographyDriver, BibliographyRequest, BufWriteFormat, CitationItem, CitationRequest, ElemChild, ElemChildren,
    Entry, Rendered,
};
use std::fmt;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::str::FromStr;

/// A citation style.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CiteStyle {
    /// APA 7th edition (`apa`).
    Apa,
    /// Chicago Manual of Style 18th edition, author-date (`chicago`, `chicago-author-date`).
    ChicagoAuthorDate,
    /// IEEE (`ieee`): numbered references, citations as "\[1\]".
    Ieee,
    /// Harvard as in *Cite Them Right* 12th edition (`harvard`).
    Harvard,
}

impl CiteStyle {
    pub const ALL: &'static [CiteStyle] = &[
        CiteStyle::Apa,
        CiteStyle::ChicagoAuthorDate,
        CiteStyle::Ieee,
        CiteStyle::Harvard,
    ];

    /// The canonical name (`apa`, `chicago-author-date`, `ieee`, `harvard`).
    pub fn as_str(self) -> &'static str {
        match self {
            CiteStyle::Apa => "apa",
            CiteStyle::ChicagoAuthorDate => "chicago-author-date",
            CiteStyle::Ieee => "ieee",
            CiteStyle::Harvard => "harvard",
        }
    }

    pub(crate) fn archived(self) -> ArchivedStyle {
        match self {
            CiteStyle::Apa => ArchivedStyle::AmericanPsychologicalAssociation,
            CiteStyle::ChicagoAuthorDate => ArchivedStyle::ChicagoAuthorDate,
            CiteStyle::Ieee => ArchivedStyle::InstituteOfElectricalAndElectronicsEngineers,
            CiteStyle::Harvard => ArchivedStyle::HarvardCiteThemRight,
        }
    }
}

impl fmt::Display for CiteStyle {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for CiteStyle {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim().to_ascii_lowercase().replace('_', "-").as_str() {
            "apa" | "apa7" | "apa-7" => Ok(CiteStyle::Apa),
            "chicago" | "chicago-author-date" => Ok(CiteStyle::ChicagoAuthorDate),
            "ieee" => Ok(CiteStyle::Ieee),
            "harvard" => Ok(CiteStyle::Harvard),
            _ => Err(format!(
                "unknown citation style {s:?}; known styles: apa, chicago (chicago-author-date), ieee, harvard"
            )),
        }
    }
}

fn plain(children: &ElemChildren) -> String {
    let mut s = String::new();
    // Writing into a String cannot fail.
    let _ = children.write_buf(&mut s, BufWriteFormat::Plain);
    s
}

fn plain_child(child: &ElemChild) -> String {
    let mut s = String::new();
    let _ = child.write_buf(&mut s, BufWriteFormat::Plain);
    s
}

/// Collapse the line breaks and runs of spaces that block elements leave in plain text, and
/// drop the stray comma hayagriva leaves before the final period when a Chicago article has
/// no volume, issue or pages ("Test Journal,.").
fn tidy(s: &str) -> String {
    let mut t = s.split_whitespace().collect::<Vec<_>>().join(" ");
    if t.ends_with(",.") {
        t.truncate(t.len() - 2);
        t.push('.');
    }
    t
}

/// Entries keyed by their position, so the output can be put back in input order.
fn entries(items: &[Item], style: &CslStyle) -> Vec<Entry> {
    let apa = style.is_apa();
    items
        .iter()
        .enumerate()
        .map(|(i, it)| convert::entry(it, &format!("item-{i}"), apa))
        .collect()
}

/// Run the CSL processor; a panic inside it becomes an error rather than taking the caller
/// down.
fn render(entries: &[Entry], style: &CslStyle, one_citation_per_item: bool) -> Result<Rendered, String> {
    let csl = style.csl();
    let locales = style::locales();
    let locale = || Some(style.locale().clone());
    catch_unwind(AssertUnwindSafe(|| {
        let mut driver = BibliographyDriver::new();
        if one_citation_per_item {
            for e in entries {
                driver.citation(CitationRequest::new(
                    vec![CitationItem::with_entry(e)],
                    csl,
                    locale(),
                    locales,
                    None,
                ));
            }
        } else {
            driver.citation(CitationRequest::new(
                entries.iter().map(CitationItem::with_entry).collect(),
                csl,
                locale(),
                locales,
                None,
            ));
        }
        driver.finish(BibliographyRequest::new(csl, locale(), locales))
    }))
    .map_err(|p| {
        let msg = p
            .downcast_ref::<&str>()
            .map(|s| s.to_string())
            .or_else(|| p.downcast_ref::<String>().cloned())
            .unwrap_or_default();
        format!("the {style} formatter failed: {msg}")
    })
}

/// One plain-text reference-list entry per item, **in the order given** (not the style's
/// bibliography order). IEEE entries start with their number, "\[1\] ", numbered in the order
/// given. Items with missing data (no title, no date, no creators) still format: the style
/// decides what stands in their place ("n.d." for no date in APA).
pub fn format_references(items: &[Item], style: &CslStyle) -> Result<Vec<String>, String> {
    if !style.has_bibliography() {
        return Err(StyleError::NoBibliography(style.to_string()).to_string());
    }
    if items.is_empty() {
        return Ok(Vec::new());
    }
    let entries = entries(items, style);
    let rendered = render(&entries, style, true)?;
    let bib = rendered
        .bibliography
        .ok_or_else(|| StyleError::NoBibliography(style.to_string()).to_string())?;
    let mut out = vec![String::new(); items.len()];
    for b in bib.items {
        let idx = b
            .key
            .strip_prefix("item-")
            .and_then(|n| n.parse::<usize>().ok())
            .filter(|&i| i < items.len())
            .ok_or_else(|| format!("formatter returned an unknown entry {:?}", b.key))?;
        let mut s = String::new();
        if let Some(first) = &b.first_field {
            s.push_str(&plain_child(first));
            s.push(' ');
        }
        s.push_str(&plain(&b.content));
        out[idx] = tidy(&s);
    }
    Ok(out)
}

/// The in-text citation for the items cited together: "(Jaspers & Steen, 2019)" in APA,
/// "\[1\]" in IEEE. Several items give one combined citation, ordered as the style orders them
/// ("(Fledderus, 2015; Jaspers & Steen, 2019)"); IEEE numbers follow the order given.
pub fn format_citation(items: &[Item], style: &CslStyle) -> Result<String, String> {
    if items.is_empty() {
        return Ok(String::new());
    }
    let entries = entries(items, style);
    let rendered = render(&entries, style, false)?;
    let cite = rendered
        .citations
        .first()
        .ok_or_else(|| "formatter returned no citation".to_string())?;
    Ok(tidy(&plain(&cite.citation)))
}
