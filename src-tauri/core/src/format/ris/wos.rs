//! Web of Science tagged files (`FN`/`VR` header, `PT … ER` records, `EF` end).
//!
//! Lines are `TG value`; continuation lines start with three spaces. For list tags (`AU`,
//! `AF`, `BE`, `C1`, `CR`…) each continuation line is another value; for text tags it
//! continues the text. Files that lost the indent (pasted, re-wrapped) are read the same way:
//! inside a record, a line is a new field only when it starts with a Web of Science tag
//! ([`WOS_TAGS`]) and a space; any other line continues the field before it.
//!
//! Names: `AF` "Doe, Jane" (full) or `AU` "Doe, JM" (initials, read as "J. M."); Derwent's
//! "YANG Y" (no comma, the family name in capitals) is family "Yang", given "Y.": Folio
//! writes the capitals of such a family name as a name is usually written (each part
//! capitalised, "O'BRIEN" → "O'Brien", "GARCIA-LOPEZ" → "Garcia-Lopez"; "MCDONALD" becomes
//! "Mcdonald", which the user can correct), because a reference list set in capitals reads
//! as shouting and sorts apart from the same author's other works.

use crate::error::Diagnostic;
use crate::format::names::looks_corporate;
use crate::format::{Parsed, ParsedItem};
use crate::model::{
    month_from_str, normalize_doi, Abstract, Access, AccessStatus, Creator, ExtraField, Item, ItemTag, ItemType,
    PartialDate, Role, SourceRecord,
};

/// Tags whose continuation lines are separate values.
const LIST_TAGS: &[&str] = &[
    "AU", "AF", "BE", "BA", "BF", "CA", "GP", "C1", "C3", "CR", "RP", "EM", "RI", "OI", "FU", "SP", "HO",
];

struct Rec {
    line: usize,
    fields: Vec<(String, Vec<String>)>,
    text: String,
}

impl Rec {
    fn get(&self, tag: &str) -> Option<&[String]> {
        self.fields.iter().find(|(t, _)| t == tag).map(|(_, v)| v.as_slice())
    }
    fn text_of(&self, tag: &str) -> String {
        self.get(tag)
            .map(|v| v.join(" "))
            .unwrap_or_default()
            .trim()
            .to_string()
    }
}

/// The field tags of Web of Science exports (Core Collection, all databases, Derwent
/// Innovations Index): Clarivate's "Web of Science Core Collection Field Tags" and the
/// Derwent export's tags.
pub(crate) const WOS_TAGS: &[&str] = &[
    "FN", "VR", "PT", "AU", "AF", "BA", "BF", "CA", "GP", "BE", "TI", "SO", "SE", "BS", "LA", "DT", "CT", "CY", "CL",
    "SP", "HO", "DE", "ID", "AB", "C1", "C3", "RP", "EM", "RI", "OI", "FU", "FP", "FX", "CR", "NR", "TC", "Z9", "U1",
    "U2", "PU", "PI", "PA", "SC", "SN", "EI", "BN", "J9", "JI", "PD", "PY", "VL", "IS", "PN", "SU", "SI", "MA", "BP",
    "EP", "AR", "DI", "DL", "D2", "EA", "EY", "PG", "P2", "PS", "WC", "WE", "GA", "PM", "OA", "HC", "HP", "DA", "UT",
    "ER", "EF", "Z1", "Z2", "Z3", "Z4", "Z5", "Z6", "Z7", "Z8", "ZA", "ZB", "ZR", "ZS", "MH", "AE", "TF", "DC", "MC",
    "IP", "AD", "FD", "DS", "FS", "CP", "DN", "MN", "CI", "RG",
];

/// A line's tag and value when it starts with a Web of Science tag and a space (or is the tag
/// alone: `ER`, `EF`).
fn wos_tag(line: &str) -> Option<(&str, &str)> {
    let b = line.as_bytes();
    if b.len() >= 2 && (b.len() == 2 || b[2] == b' ') && line.is_char_boundary(2) && WOS_TAGS.contains(&&line[..2]) {
        Some((&line[..2], line.get(3..).unwrap_or("").trim()))
    } else {
        None
    }
}

pub(crate) fn parse(text: &str) -> Parsed {
    let mut parsed = Parsed {
        dialect: Some("wos".into()),
        ..Default::default()
    };
    let mut recs: Vec<Rec> = Vec::new();
    let mut cur: Option<Rec> = None;
    let mut text_lines: Vec<&str> = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let n = i + 1;
        if line.trim().is_empty() {
            continue;
        }
        // A continuation: indented, or (the indent lost) no tag at the start inside a record.
        let indented = line.starts_with("   ") || line.starts_with('\t');
        if indented || (cur.is_some() && wos_tag(line).is_none()) {
            if let Some(r) = cur.as_mut() {
                text_lines.push(line);
                if let Some((tag, vals)) = r.fields.last_mut() {
                    let v = line.trim();
                    if LIST_TAGS.contains(&tag.as_str()) {
                        vals.push(v.to_string());
                    } else if let Some(last) = vals.last_mut() {
                        last.push(if tag == "AB" { '\n' } else { ' ' });
                        last.push_str(v);
                    }
                }
            }
            continue;
        }
        let Some((tag, value)) = wos_tag(line) else {
            // Text outside a record (a header, notes) is not data.
            continue;
        };
        match tag {
            "FN" | "VR" | "EF" if cur.is_none() => {}
            "PT" => {
                if let Some(mut r) = cur.take() {
                    parsed.diagnostics.push(Diagnostic::warning(
                        r.line,
                        format!("record starting on line {} has no ER line", r.line),
                    ));
                    r.text = text_lines.join("\n");
                    recs.push(r);
                }
                text_lines = vec![line];
                cur = Some(Rec {
                    line: n,
                    fields: vec![("PT".into(), vec![value.to_string()])],
                    text: String::new(),
                });
            }
            "ER" => {
                if let Some(mut r) = cur.take() {
                    text_lines.push(line);
                    r.text = text_lines.join("\n");
                    recs.push(r);
                }
                text_lines.clear();
            }
            _ => {
                if let Some(r) = cur.as_mut() {
                    text_lines.push(line);
                    r.fields.push((tag.to_string(), vec![value.to_string()]));
                } else {
                    parsed.diagnostics.push(Diagnostic::warning(
                        n,
                        format!("{tag} line outside a PT … ER record ignored"),
                    ));
                }
            }
        }
    }
    if let Some(mut r) = cur.take() {
        parsed.diagnostics.push(Diagnostic::warning(
            r.line,
            format!("record starting on line {} has no ER line", r.line),
        ));
        r.text = text_lines.join("\n");
        recs.push(r);
    }
    for r in recs {
        let mut item = build(&r, &mut parsed.diagnostics);
        let fingerprint = item.fingerprint();
        item.source = Some(SourceRecord {
            format: "wos".into(),
            text: r.text.clone(),
            fingerprint,
            batch: None,
        });
        parsed.items.push(ParsedItem::new(item, r.line));
    }
    if parsed.items.is_empty() {
        parsed
            .diagnostics
            .push(Diagnostic::error(None, "no Web of Science records (PT … ER) found"));
    }
    parsed
}

fn wos_type(pt: &str, dt: &str) -> ItemType {
    let dt = dt.to_lowercase();
    if dt.contains("proceedings paper") || dt.contains("meeting") {
        return ItemType::InProceedings;
    }
    if dt.contains("book chapter") {
        return ItemType::InCollection;
    }
    match pt.trim() {
        "J" => ItemType::Article,
        "B" => ItemType::Book,
        "S" => ItemType::InCollection,
        "C" => ItemType::InProceedings,
        "P" => ItemType::Patent,
        _ => ItemType::Misc,
    }
}

const MAPPED: &[&str] = &[
    "PT", "AU", "AF", "BE", "BF", "TI", "SO", "SE", "BS", "DT", "DE", "ID", "AB", "PY", "PD", "VL", "IS", "BP", "EP",
    "AR", "DI", "SN", "BN", "PU", "PI", "LA", "OA", "CY", "CT", "UT",
];

fn build(r: &Rec, diags: &mut Vec<Diagnostic>) -> Item {
    let pt = r.text_of("PT");
    let dt = r.text_of("DT");
    let ty = wos_type(&pt, &dt);
    let mut item = Item::new(ty, &r.text_of("TI"));
    item.genre = dt;
    // Full names (AF) when present, else the short ones (AU).
    let authors = r.get("AF").or(r.get("AU")).unwrap_or(&[]);
    for a in authors {
        item.creators.push(wos_name(Role::Author, a));
    }
    for e in r.get("BF").or(r.get("BE")).unwrap_or(&[]) {
        item.creators.push(wos_name(Role::Editor, e));
    }
    let so = r.text_of("SO");
    let se = r.text_of("SE");
    match ty {
        // A book's SO is its series, unless it only repeats the book's title.
        ItemType::Book if se.is_empty() && same_text(&so, &item.title) => {}
        ItemType::Book => item.series = if se.is_empty() { so } else { se },
        _ => {
            item.container = so;
            item.series = se;
        }
    }
    if ty == ItemType::InProceedings && item.container.is_empty() {
        item.container = r.text_of("CT");
    }
    item.volume = r.text_of("VL");
    item.issue = r.text_of("IS");
    let (bp, ep, ps) = (r.text_of("BP"), r.text_of("EP"), r.text_of("PS"));
    item.pages = match (bp.is_empty(), ep.is_empty()) {
        (false, false) => format!("{bp}-{ep}"),
        (false, true) => bp,
        // PS: the page span ("170-175").
        _ if !ps.is_empty() => ps.clone(),
        _ => r.text_of("AR"),
    };
    let ps_used = !ps.is_empty() && item.pages == ps;
    item.doi = normalize_doi(&r.text_of("DI"));
    item.issn = r.text_of("SN");
    item.isbn = r.text_of("BN");
    item.publisher = r.text_of("PU");
    item.place = r.text_of("PI");
    item.language = r.text_of("LA");
    // PY year, PD "JAN 15" / "2019 JAN" / "SPR".
    let py = r.text_of("PY");
    let pd = r.text_of("PD");
    if let Ok(y) = py.parse::<i32>() {
        let mut month = None;
        let mut day = None;
        for tok in pd.split_whitespace() {
            if let Some(m) = month_from_str(tok).filter(|_| tok.chars().any(char::is_alphabetic)) {
                month.get_or_insert(m);
            } else if let Ok(d) = tok.parse::<u8>() {
                if (1..=31).contains(&d) {
                    day = Some(d);
                }
            }
        }
        if month.is_none() {
            day = None;
        }
        let mut d = PartialDate::ymd(y, month, day);
        d.raw = if pd.is_empty() {
            py.clone()
        } else {
            format!("{pd} {py}")
        };
        item.date = d;
    } else if !py.is_empty() || !pd.is_empty() {
        item.date = PartialDate::parse(&format!("{pd} {py}"));
    }
    item.r#abstract = Abstract::parse(&r.text_of("AB"));
    for tag in ["DE", "ID"] {
        item.add_tags(
            r.text_of(tag)
                .split(';')
                .map(str::trim)
                .filter(|k| !k.is_empty())
                .map(ItemTag::imported),
        );
    }
    let oa = r.text_of("OA");
    if !oa.is_empty() {
        // "gold", "Green Published, hybrid", "Bronze": all open to read.
        let status = AccessStatus::from_badge(&oa).unwrap_or(AccessStatus::Open);
        item.access = Access::new(status, "wos:OA");
    }
    if !r.text_of("UT").is_empty() {
        item.extra.push(ExtraField::wos("UT".into(), r.text_of("UT")));
    }
    // CY is the conference date in WoS, not a place.
    for (tag, vals) in &r.fields {
        if tag == "CY" {
            item.extra
                .push(ExtraField::wos("conference-date".into(), vals.join(" ")));
        } else if tag == "CT" && ty != ItemType::InProceedings {
            item.extra.push(ExtraField::wos("CT".into(), vals.join(" ")));
        } else if !(MAPPED.contains(&tag.as_str()) || (tag == "PS" && ps_used)) {
            for v in vals.iter().filter(|v| !v.is_empty()) {
                item.extra.push(ExtraField::wos(tag.clone(), v.clone()));
            }
        }
    }
    if item.title.is_empty() {
        diags.push(Diagnostic::warning(r.line, "record has no title".to_string()));
    }
    item
}

/// WoS names: "Smith, John A." (AF) or "Smith, JA" (AU, initials read as "J. A."); Derwent's
/// "SMITH JA" (family in capitals, initials after it); organisations have no comma.
fn wos_name(role: Role, name: &str) -> Creator {
    let n = name.trim();
    if let Some((family, given)) = n.split_once(',') {
        let given = given.trim();
        if packed_initials(given) {
            return Creator::parse_name(role, &format!("{}, {}", family.trim(), spaced_initials(given)));
        }
        return Creator::parse_name(role, n);
    }
    let words: Vec<&str> = n.split_whitespace().collect();
    // The first word is the family name ("LI J"), and so are any others before the initials.
    let k = words.iter().rposition(|w| !packed_initials(w)).map_or(1, |p| p + 1);
    let family_caps = |w: &&str| {
        w.chars().any(char::is_alphabetic)
            && w.chars()
                .all(|c| c.is_uppercase() || matches!(c, '-' | '\'' | '\u{2019}'))
    };
    if k >= 1 && k < words.len() && k <= 3 && words[..k].iter().all(family_caps) && !looks_corporate(n) {
        let given: Vec<String> = words[k..].iter().map(|w| spaced_initials(w)).collect();
        let family: Vec<String> = words[..k].iter().map(|w| capitalised(w)).collect();
        return Creator::person(role, &family.join(" "), &given.join(" "));
    }
    Creator::literal(role, n)
}

/// "JM", "J", "J-M": initials written without dots (WoS's short names).
fn packed_initials(w: &str) -> bool {
    let letters = w.chars().filter(|c| *c != '-').count();
    (1..=3).contains(&letters)
        && w.chars().all(|c| c.is_ascii_uppercase() || c == '-')
        && !w.starts_with('-')
        && !w.ends_with('-')
}

/// "JM" → "J. M.", "J-M" → "J.-M.".
fn spaced_initials(w: &str) -> String {
    let mut out = String::new();
    for c in w.chars() {
        if c == '-' {
            out.pop();
            out.push('-');
        } else {
            out.push(c);
            out.push_str(". ");
        }
    }
    out.trim_end().to_string()
}

/// A name part in capitals as a name is usually written: "YANG" → "Yang", "O'BRIEN" →
/// "O'Brien", "GARCIA-LOPEZ" → "Garcia-Lopez".
fn capitalised(w: &str) -> String {
    let mut out = String::with_capacity(w.len());
    let mut start = true;
    for c in w.chars() {
        if start {
            out.extend(c.to_uppercase());
        } else {
            out.extend(c.to_lowercase());
        }
        start = matches!(c, '-' | '\'' | '\u{2019}');
    }
    out
}

/// Whether two titles say the same, ignoring case and runs of blanks.
fn same_text(a: &str, b: &str) -> bool {
    let norm = |s: &str| s.split_whitespace().collect::<Vec<_>>().join(" ").to_lowercase();
    !a.trim().is_empty() && norm(a) == norm(b)
}
