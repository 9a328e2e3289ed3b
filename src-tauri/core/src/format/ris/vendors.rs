//! Vendor dialects of RIS: detected from a record's content, repaired before and after the
//! tag mapping. Every repair applied is named (with the number of records) in
//! `Parsed.repairs`; the most frequent vendor becomes `Parsed.dialect`.

use super::record::{RawField, RawRecord};
use crate::format::names::ris_creator;
use crate::model::{Access, AccessStatus, ExtraField, Item};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Vendor {
    Emerald,
    Scopus,
    ScienceDirect,
    Ieee,
    Ovid,
    EndNote,
    Citavi,
}

impl Vendor {
    pub fn name(self) -> &'static str {
        match self {
            Vendor::Emerald => "emerald",
            Vendor::Scopus => "scopus",
            Vendor::ScienceDirect => "sciencedirect",
            Vendor::Ieee => "ieee",
            Vendor::Ovid => "ovid",
            Vendor::EndNote => "endnote",
            Vendor::Citavi => "citavi",
        }
    }
}

/// Named repairs with how many records each touched.
#[derive(Debug, Default)]
pub(crate) struct Repairs(Vec<(&'static str, usize)>);

impl Repairs {
    pub fn add(&mut self, name: &'static str) {
        match self.0.iter_mut().find(|(n, _)| *n == name) {
            Some((_, c)) => *c += 1,
            None => self.0.push((name, 1)),
        }
    }
    pub fn into_list(self) -> Vec<String> {
        self.0
            .into_iter()
            .map(|(n, c)| {
                if c == 1 {
                    format!("{n} (1 record)")
                } else {
                    format!("{n} ({c} records)")
                }
            })
            .collect()
    }
}

/// Whether `hay` contains the lowercase ASCII `needle`, ignoring ASCII case.
fn contains_ci(hay: &str, needle: &str) -> bool {
    let (h, n) = (hay.as_bytes(), needle.as_bytes());
    n.is_empty() || h.windows(n.len()).any(|w| w.eq_ignore_ascii_case(n))
}

/// Which vendor wrote a record, from its content.
pub(crate) fn detect(rec: &RawRecord) -> Option<Vendor> {
    // One pass over the fields, collecting clues; the vendor order below decides.
    let (mut emerald, mut scopus, mut sd, mut ieee, mut ovid, mut endnote, mut citavi) =
        (false, false, false, false, false, false, false);
    let (mut vo, mut ja) = (false, false);
    for f in &rec.fields {
        let v = f.value.as_str();
        match &f.tag {
            b"DO" | b"L3" => emerald |= contains_ci(v, "10.1108/") || contains_ci(v, "emerald"),
            b"UR" | b"L1" | b"L2" | b"L4" => {
                emerald |= contains_ci(v, "10.1108/") || contains_ci(v, "emerald");
                scopus |= contains_ci(v, "scopus.com");
                sd |= contains_ci(v, "sciencedirect");
                ieee |= contains_ci(v, "ieeexplore");
                ovid |= contains_ci(v, "ovid");
                endnote |= v.trim_start().starts_with("internal-pdf://");
            }
            b"PB" => emerald |= contains_ci(v, "emerald"),
            b"DB" | b"DP" => {
                scopus |= v.trim().eq_ignore_ascii_case("scopus");
                sd |= contains_ci(v, "sciencedirect");
                ieee |= contains_ci(v, "ieee xplore") || contains_ci(v, "ieeexplore");
                ovid |= contains_ci(v, "ovid");
                endnote |= contains_ci(v, "endnote");
                citavi |= contains_ci(v, "citavi");
            }
            b"N1" => {
                scopus |= v.len() >= 12 && v.as_bytes()[..12].eq_ignore_ascii_case(b"export date:");
                citavi |= contains_ci(v, "citavi");
            }
            b"M4" => citavi |= contains_ci(v, "citavi"),
            b"H1" | b"H2" => citavi = true,
            b"VO" => vo = true,
            b"JA" => ja = true,
            _ => {}
        }
    }
    ieee |= vo && ja;
    [
        (emerald, Vendor::Emerald),
        (scopus, Vendor::Scopus),
        (sd, Vendor::ScienceDirect),
        (ieee, Vendor::Ieee),
        (ovid, Vendor::Ovid),
        (endnote, Vendor::EndNote),
        (citavi, Vendor::Citavi),
    ]
    .into_iter()
    .find(|(hit, _)| *hit)
    .map(|(_, v)| v)
}

/// Repairs on the raw record, before tags are mapped.
pub(crate) fn before(v: Vendor, rec: &mut RawRecord, repairs: &mut Repairs) {
    match v {
        Vendor::Emerald => {
            // Emerald numbers its authors A1, A2, A3, …: all of them are authors.
            let numbered = rec
                .fields
                .iter()
                .filter(|f| f.tag[0] == b'A' && f.tag[1].is_ascii_digit())
                .count();
            if numbered > 0 && !rec.has("AU") {
                for f in rec.fields.iter_mut() {
                    if f.tag[0] == b'A' && f.tag[1].is_ascii_digit() {
                        f.tag = *b"AU";
                    }
                }
                repairs.add("emerald: numbered A1, A2, A3… tags read as authors");
            }
        }
        Vendor::Scopus => {
            // SER: a document in a book series, its kind in M3 (the series title in T2).
            if rec.ty.trim().eq_ignore_ascii_case("SER") {
                let kind = rec.first("M3").unwrap_or("").trim().to_ascii_lowercase();
                let code = match kind.as_str() {
                    "conference paper" => "CPAPER",
                    "book chapter" | "chapter" => "CHAP",
                    "book" => "BOOK",
                    "conference review" | "editorial" | "article" | "review" | "note" | "letter" | "erratum"
                    | "short survey" | "article in press" => "JOUR",
                    _ => "",
                };
                if !code.is_empty() {
                    rec.ty = code.to_string();
                    repairs.add("scopus: SER records (documents in book series) read by their document type (M3)");
                }
            }
            // T2 is an alternate title when JF (the journal) is present.
            if rec.has("T2") && rec.has("JF") {
                for f in rec.fields.iter_mut() {
                    if f.tag() == "T2" {
                        f.tag = *b"TT";
                    } else if f.tag() == "JF" {
                        f.tag = *b"T2";
                    }
                }
                repairs.add("scopus: JF read as the journal, T2 kept as alternate title (TT)");
            }
        }
        Vendor::ScienceDirect => {
            let mut changed = false;
            for f in rec.fields.iter_mut() {
                if f.tag() == "VL" {
                    let t = f.value.trim();
                    if let Some(rest) = t
                        .get(7..)
                        .filter(|_| t.len() > 7 && t[..7].eq_ignore_ascii_case("volume "))
                    {
                        f.value = rest.trim().to_string();
                        changed = true;
                    }
                }
            }
            if changed {
                repairs.add("sciencedirect: \"Volume\" prefix removed from VL");
            }
            if rec.first("IS").is_some_and(|i| i.trim() == "0") {
                rec.fields.retain(|f| !(f.tag() == "IS" && f.value.trim() == "0"));
                repairs.add("sciencedirect: issue 0 (single-issue volume) dropped");
            }
            // PY without a usable year: the year is in Y2.
            let py_ok = ["PY", "DA", "Y1"].iter().any(|t| {
                rec.first(t)
                    .is_some_and(|v| crate::model::PartialDate::parse(v).year.is_some())
            });
            if !py_ok {
                if let Some(y2) = rec.first("Y2").map(str::to_string) {
                    if crate::model::PartialDate::parse(&y2).year.is_some() {
                        rec.fields.retain(|f| f.tag() != "PY");
                        rec.fields.push(RawField::new("PY", &y2, rec.line));
                        repairs.add("sciencedirect: year taken from Y2 because PY had none");
                    }
                }
            }
        }
        Vendor::Ieee => {
            // IEEE writes VO as a copy of VL.
            let vl = rec.first("VL").map(str::to_string);
            let before = rec.fields.len();
            rec.fields
                .retain(|f| !(f.tag() == "VO" && (f.value.trim().is_empty() || Some(f.value.trim()) == vl.as_deref())));
            if rec.fields.len() != before {
                repairs.add("ieee: VO duplicate of VL dropped");
            }
            if vl.is_none() {
                if let Some(vo) = rec.first("VO").map(str::to_string) {
                    rec.fields.retain(|f| f.tag() != "VO");
                    rec.fields.push(RawField::new("VL", &vo, rec.line));
                    repairs.add("ieee: VO read as volume");
                }
            }
        }
        Vendor::Ovid => {
            let sp = rec.first("SP").unwrap_or("").trim().to_lowercase();
            let ep = rec.first("EP").unwrap_or("").trim().to_lowercase();
            if sp == "no" && ep == "specified" {
                rec.fields.retain(|f| f.tag() != "SP" && f.tag() != "EP");
                repairs.add("ovid: \"No Specified\" pages dropped");
            }
            // Ovid repeats the publisher country as a second PB.
            let pbs: Vec<String> = rec.values("PB").map(str::to_string).collect();
            if pbs.len() > 1
                && rec
                    .first("CY")
                    .is_some_and(|cy| pbs[1..].iter().any(|p| p.trim() == cy.trim()))
            {
                let cy = rec.first("CY").unwrap_or("").trim().to_string();
                let mut seen = false;
                rec.fields.retain(|f| {
                    if f.tag() == "PB" && f.value.trim() == cy {
                        if seen {
                            return false;
                        }
                        seen = true;
                        return pbs[0].trim() == cy;
                    }
                    true
                });
                repairs.add("ovid: place repeated as a second PB dropped");
            }
        }
        Vendor::EndNote => {
            // EndNote links to PDFs inside its own library: useless elsewhere, kept as extras.
            repairs.add("endnote: internal-pdf:// links kept as extra fields");
        }
        Vendor::Citavi => {
            repairs.add("citavi: library/call number pairs (H1/H2) kept as extra fields");
        }
    }
}

/// Repairs on the mapped item.
pub(crate) fn after(v: Vendor, item: &mut Item, _rec: &RawRecord, repairs: &mut Repairs) {
    match v {
        Vendor::Scopus => {
            // "© 2019 Elsevier Ltd. All rights reserved." at the end of the abstract.
            if let Some(last) = item.r#abstract.0.last_mut() {
                if let Some(cut) = copyright_tail(&last.text) {
                    last.text = last.text[..cut].trim_end().to_string();
                    if last.text.is_empty() {
                        item.r#abstract.0.pop();
                    }
                    repairs.add("scopus: copyright notice removed from the abstract");
                }
            }
            // "Export Date: …", "Source: Scopus", "Cited By: 3" notes are not the user's notes.
            let mut kept = Vec::new();
            let mut moved = false;
            for line in item.note.split('\n') {
                let l = line.trim();
                let lower = l.to_lowercase();
                if lower.starts_with("export date:") || lower.starts_with("source:") || lower.starts_with("cited by") {
                    item.extra.push(ExtraField::ris("N1".into(), l.to_string()));
                    moved = true;
                } else if !l.is_empty() {
                    if let Some(st) = scopus_access(l) {
                        if item.access.status == AccessStatus::Unknown {
                            item.access = Access::new(st, "ris:scopus");
                            repairs.add("scopus: access status read from the notes");
                        }
                    }
                    kept.push(line);
                }
            }
            if moved {
                item.note = kept.join("\n");
                repairs.add("scopus: export notes (Export Date, Source, Cited By) kept as extra N1 fields");
            }
        }
        Vendor::ScienceDirect => {
            if item.r#abstract.flat(false).trim().eq_ignore_ascii_case("abstract") {
                item.r#abstract = Default::default();
                repairs.add("sciencedirect: placeholder abstract \"Abstract\" dropped");
            }
            if item.url.starts_with("//") {
                item.url = format!("https:{}", item.url);
                repairs.add("sciencedirect: scheme added to protocol-relative URL");
            }
            let before = item.creators.clone();
            for c in item.creators.iter_mut() {
                if let crate::model::Name::Literal { literal } = &c.name {
                    if literal.contains(':') {
                        *c = ris_creator(c.role, literal);
                    }
                }
            }
            if item.creators != before {
                repairs.add("sciencedirect: role prefixes removed from names");
            }
        }
        Vendor::Emerald if item.r#abstract.0.iter().any(|s| !s.heading.is_empty()) => {
            repairs.add("emerald: structured abstract headings split");
        }
        _ => {}
    }
}

/// Byte offset of a trailing copyright notice ("© 2019 Elsevier Ltd", "Copyright © 2020 …",
/// "(C) 2018 …") when it is short and names a year.
pub(crate) fn copyright_tail(text: &str) -> Option<usize> {
    // ASCII lowercasing keeps byte offsets, so positions in `lower` are positions in `text`.
    let lower = text.to_ascii_lowercase();
    let mut best: Option<usize> = None;
    for marker in ["copyright \u{a9}", "copyright (c)", "\u{a9}", "(c) "] {
        for (pos, _) in lower.match_indices(marker) {
            let tail = &lower[pos..];
            if tail.len() >= 300 {
                // Too far from the end to be the notice (and scanning every long tail for a
                // year would be quadratic in an abstract full of markers).
                continue;
            }
            let has_year = tail
                .as_bytes()
                .windows(4)
                .any(|w| w.iter().all(u8::is_ascii_digit) && (w[0] == b'1' || w[0] == b'2'));
            let before = text[..pos].trim_end();
            let starts =
                before.is_empty() || before.ends_with(['.', '!', '?', ')', ']', '"', '\u{201d}', '\u{2019}', ';']);
            if has_year && tail.len() < 300 && (starts || marker.contains('\u{a9}')) && best.is_none_or(|b| pos < b) {
                best = Some(pos);
                break;
            }
        }
    }
    best
}

/// Access phrases Scopus writes in its notes ("Open Access: All Open Access; Gold").
fn scopus_access(note: &str) -> Option<AccessStatus> {
    let lower = note.to_lowercase();
    if lower.starts_with("open access") || lower.starts_with("free access") || lower.starts_with("access") {
        return AccessStatus::from_badge(note);
    }
    None
}
