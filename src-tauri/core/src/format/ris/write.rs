//! RIS writer: 2011-spec tags, CRLF line ends, one record per item.

use super::parse::ACCESS_NOTE;
use super::tags::{self, creator_tag, FIELD_TAGS};
use crate::error::Diagnostic;
use crate::format::{Out, Written};
use crate::model::{AccessStatus, ExtraField, Item, ItemType, Name, Origin, PartialDate};

/// Options for [`write()`].
#[derive(Debug, Clone, Default)]
pub struct RisWriteOptions {
    /// Tags (`AB`, `N1`) or model field names (`abstract`, `note`, `keywords`, `access`,
    /// `extra`) to leave out, case-insensitive.
    pub omit_fields: Vec<String>,
}

const EOL: &str = "\r\n";

#[derive(Debug, Clone)]
struct Omit {
    tags: Vec<String>,
    access: bool,
    extra: bool,
}

impl Omit {
    fn new(opts: &RisWriteOptions) -> Omit {
        let mut o = Omit {
            tags: Vec::new(),
            access: false,
            extra: false,
        };
        for f in &opts.omit_fields {
            let f = f.trim();
            if tags::is_tag(&f.to_ascii_uppercase()) && f.len() == 2 {
                o.tags.push(f.to_ascii_uppercase());
            }
            let lower = f.to_ascii_lowercase();
            if let Some((_, ts)) = FIELD_TAGS.iter().find(|(n, _)| *n == lower) {
                for t in ts.iter() {
                    match *t {
                        "N1:access" => o.access = true,
                        "*extra" => o.extra = true,
                        t => o.tags.push(t.to_string()),
                    }
                }
            }
        }
        o
    }
    fn has(&self, tag: &str) -> bool {
        self.tags.iter().any(|t| t == tag)
    }
}

/// Append `TG  - value` (continuation lines for multi-line values; empty values skipped).
fn line(out: &mut String, omit: &Omit, tag: &str, value: &str) {
    if value.trim().is_empty() || omit.has(tag) {
        return;
    }
    let mut first = true;
    for l in value
        .split(['\n', '\r'])
        .map(str::trim_end)
        .filter(|l| !l.trim().is_empty())
    {
        if first {
            out.push_str(tag);
            out.push_str("  - ");
            out.push_str(l.trim_start());
            first = false;
        } else if super::record::tag_line(l).is_some() {
            // A line that would read as a tag ("TI  - …") stays on the line before it, so an
            // export can never inject fields.
            out.truncate(out.len() - EOL.len());
            out.push(' ');
            out.push_str(l.trim_start());
        } else {
            out.push_str(l.trim_start());
        }
        out.push_str(EOL);
    }
}

/// The original record text, when the item came from RIS and was not edited since.
fn verbatim(item: &Item) -> Option<String> {
    let src = item.source.as_ref()?;
    if src.format != "ris" || item.fingerprint() != src.fingerprint {
        return None;
    }
    verbatim_text(&src.text)
}

/// A current source record's text with RIS line ends, when it is a whole record (from its
/// `TY` line to its `ER` line: a record read without its `TY` line is written from the item).
fn verbatim_text(text: &str) -> Option<String> {
    let first = text.lines().find(|l| !l.trim().is_empty())?;
    let last = text.lines().rev().find(|l| !l.trim().is_empty())?;
    let is = |l: &str, tag: &[u8; 2]| super::record::tag_line(l).is_some_and(|(t, _)| &t == tag);
    if !is(first, b"TY") || !is(last, b"ER") {
        return None;
    }
    let mut s = String::with_capacity(text.len() + 64);
    for l in text.lines() {
        s.push_str(l);
        s.push_str(EOL);
    }
    s.push_str(EOL);
    Some(s)
}

/// Name as RIS wants it: "Family, Given" for people (a trailing comma keeps a one-word
/// family name a person on re-import), the name itself for organisations.
fn ris_name(c: &crate::model::Creator) -> String {
    match &c.name {
        // An organisation the reader would take for a person ("Sci-Art Publishers", "M. O.
        // Ball et al."): a trailing comma keeps it whole, as EndNote marks corporate authors.
        Name::Literal { literal } => match crate::format::names::ris_creator(c.role, literal).name {
            Name::Literal { .. } => literal.clone(),
            Name::Person { .. } if !literal.contains(',') && literal.split_whitespace().count() >= 2 => {
                format!("{literal},")
            }
            Name::Person { .. } => literal.clone(),
        },
        Name::Person { given, .. } => {
            // No given name: a trailing comma, so that "May, Keith," is family and suffix
            // (BibTeX's "May, Keith," form) and "Plato," one family name.
            let inv = c.display_inverted();
            if given.is_empty() {
                format!("{inv},")
            } else {
                inv
            }
        }
    }
}

/// `YYYY/MM/DD/` with empty parts for unknown month/day; the original text when it is already
/// in that form and means the same.
fn ris_date(d: &PartialDate) -> String {
    let raw = d.raw.trim();
    let b = raw.as_bytes();
    let risish = b.len() >= 4 && b[..4].iter().all(u8::is_ascii_digit) && (b.len() == 4 || b[4] == b'/');
    if risish && !raw.contains('\n') {
        let p = PartialDate::parse(raw);
        if (p.year, p.month, p.day) == (d.year, d.month, d.day) {
            return raw.to_string();
        }
    }
    match d.year {
        Some(y) => format!(
            "{y:04}/{}/{}/",
            d.month.map(|m| format!("{m:02}")).unwrap_or_default(),
            d.day.map(|x| format!("{x:02}")).unwrap_or_default()
        ),
        None => raw.to_string(),
    }
}

fn split_pages(p: &str) -> (String, String) {
    let p = p.trim();
    if p.contains(',') {
        return (p.to_string(), String::new());
    }
    for sep in ["--", "\u{2013}", "\u{2014}", "-"] {
        let at = if sep == "-" {
            // Single hyphens only: "12-18" at the hyphen; page numbers with a hyphen of their
            // own ("C3-32-C3-35") at the middle one of an odd count; an even count is no range.
            let hy: Vec<usize> = p.match_indices('-').map(|(i, _)| i).collect();
            if hy.len().is_multiple_of(2) {
                continue;
            }
            Some(hy[hy.len() / 2])
        } else {
            p.find(sep)
        };
        if let Some((a, b)) = at.map(|i| (&p[..i], &p[i + sep.len()..])) {
            if !a.trim().is_empty() && !b.trim().is_empty() {
                return (a.trim().to_string(), b.trim().to_string());
            }
        }
    }
    (p.to_string(), String::new())
}

/// The TY code: the kept original code while it still fits the item type, else the type's.
fn ty_code(item: &Item) -> String {
    if let Some(orig) = item.extra_field("TY") {
        let o = orig.trim();
        if !o.is_empty()
            && tags::is_tag_like_code(o)
            && (tags::type_of_code(o, !item.container.is_empty()) == Some(item.item_type)
                || (item.item_type == ItemType::Misc && ItemType::from_ris(o).is_none()))
        {
            return o.to_ascii_uppercase();
        }
    }
    item.item_type.ris_type().to_string()
}

/// Write `item`'s record to `out`; the end of a warning for roles RIS has no tag for (the
/// writer puts the record's place in the file in front, see [`RisWriter::finish_to`]).
fn write_item(item: &Item, omit: &Omit, out: &mut String) -> Option<String> {
    let ty = item.item_type;
    out.push_str("TY  - ");
    out.push_str(&ty_code(item));
    out.push_str(EOL);
    line(out, omit, "TI", &item.full_title());
    line(out, omit, "ST", &item.short_title);
    let mut odd_roles = Vec::new();
    for c in &item.creators {
        match creator_tag(c.role, ty) {
            Some(tag) => line(out, omit, tag, &ris_name(c)),
            // Not written as an author, which it is not: left out and named in the report.
            None if !odd_roles.contains(&c.role.as_str()) => odd_roles.push(c.role.as_str()),
            None => {}
        }
    }
    let odd_roles = (!odd_roles.is_empty()).then(|| {
        format!(
            " ({:?}): RIS has no tag for {}; left out (the library keeps them)",
            item.title,
            odd_roles.join(", ")
        )
    });
    if tags::t2_is_series(ty) {
        line(out, omit, "T2", &item.series);
        // A book inside another (biblatex's @bookinbook, a volume in a collection): the
        // containing work as the old spec's book title, which the reader takes for it when
        // the record has its own TI.
        line(out, omit, "BT", &item.container);
    } else {
        line(out, omit, "T2", &item.container);
        line(out, omit, "T3", &item.series);
    }
    if let Some(y) = item.date.year {
        line(out, omit, "PY", &format!("{y:04}"));
    }
    // DA unless the date is a bare year already said by PY.
    let year_only = item
        .date
        .year
        .is_some_and(|y| item.date.raw.trim() == format!("{y:04}"));
    if !item.date.is_empty() && !year_only {
        line(out, omit, "DA", &ris_date(&item.date));
    }
    line(out, omit, "VL", &item.volume);
    line(out, omit, "IS", &item.issue);
    let (sp, ep) = split_pages(&item.pages);
    line(out, omit, "SP", &sp);
    line(out, omit, "EP", &ep);
    line(out, omit, "ET", &item.edition);
    if tags::publisher_is_institution(ty) {
        let pb = if item.institution.is_empty() {
            &item.publisher
        } else {
            &item.institution
        };
        line(out, omit, "PB", pb);
    } else {
        line(out, omit, "PB", &item.publisher);
        if !item.institution.is_empty() {
            line(out, omit, "C1", &item.institution);
        }
    }
    line(out, omit, "CY", &item.place);
    for sn in item.issn.split(';').chain(item.isbn.split(';')) {
        line(out, omit, "SN", sn.trim());
    }
    line(out, omit, "DO", &item.doi);
    line(out, omit, "UR", &item.url);
    line(out, omit, "LA", &item.language);
    let genre = match ty {
        ItemType::PhdThesis if item.genre.is_empty() => "Doctoral thesis",
        ItemType::MastersThesis if item.genre.is_empty() => "Master's thesis",
        _ => item.genre.as_str(),
    };
    line(out, omit, "M3", genre);
    let ab = item.r#abstract.joined("\n");
    line(out, omit, "AB", &ab);
    for t in &item.tags {
        line(out, omit, "KW", &t.name);
    }
    line(out, omit, "N1", &item.note);
    if item.access.status != AccessStatus::Unknown && !omit.access {
        let v = if item.access.source.is_empty() {
            format!("{ACCESS_NOTE} {}", item.access.status)
        } else {
            format!("{ACCESS_NOTE} {} ({})", item.access.status, item.access.source)
        };
        line(out, omit, "N1", &v);
    }
    if !omit.extra {
        for e in &item.extra {
            if let Some(tag) = ris_tag_of(e, item.item_type) {
                if tag == "SN" && is_eissn(e) && !e.value.contains('(') {
                    // The eISSN beside the ISSN, marked as PubMed and EndNote mark it, so that
                    // readers tell it from the print ISSN.
                    line(out, omit, tag, &format!("{} (Electronic)", e.value.trim()));
                } else {
                    line(out, omit, tag, &e.value);
                }
            }
        }
    }
    out.push_str("ER  - ");
    out.push_str(EOL);
    out.push_str(EOL);
    odd_roles
}

/// The RIS tag a kept field is written under: a RIS tag as itself (but `TY`, which is the
/// record's type), a Web of Science tag through the crosswalk table (`C1`, an address, is
/// `AD`), nothing for BibTeX and other named fields.
fn ris_tag_of(e: &ExtraField, ty: ItemType) -> Option<&str> {
    if is_eissn(e) {
        return Some("SN");
    }
    match e.origin {
        Origin::Ris if e.name != "TY" && tags::is_tag(&e.name) => Some(&e.name),
        Origin::Wos => crate::format::crosswalk::lookup(Origin::Wos, &e.name, ty).and_then(|r| r.ris),
        _ => None,
    }
}

/// A kept eISSN: Web of Science's `EI`, the `eissn` of pasted results and RIS imports.
fn is_eissn(e: &ExtraField) -> bool {
    match e.origin {
        Origin::Wos => e.name == "EI",
        Origin::Text => e.name.eq_ignore_ascii_case(super::parse::EISSN_FIELD),
        Origin::Ris | Origin::Bibtex => false,
    }
}

/// Write items as RIS. An unedited item imported from RIS is written as its original record.
pub fn write(items: &[Item], opts: &RisWriteOptions) -> Written {
    let mut w = RisWriter::new(opts);
    for it in items {
        w.add(it);
    }
    w.finish(false)
}

/// The part of a [`RisWriter`] that checks stored records and writes items' records without
/// changing the writer, shareable between threads.
#[derive(Debug, Clone)]
pub struct RisChecker {
    keep_verbatim: bool,
    omit: std::sync::Arc<Omit>,
}

impl RisChecker {
    pub fn check(&self, key: String, text: &str) -> CheckedRecord {
        CheckedRecord {
            text: if self.keep_verbatim { verbatim_text(text) } else { None },
            key,
        }
    }

    /// The record [`RisWriter::add`] would add for `item`.
    pub fn render(&self, item: &Item) -> RenderedRecord {
        if self.keep_verbatim {
            if let Some(text) = verbatim(item) {
                return RenderedRecord {
                    key: item.key.clone(),
                    text,
                    odd_roles: None,
                    skipped: Vec::new(),
                };
            }
        }
        let mut text = String::new();
        let odd_roles = write_item(item, &self.omit, &mut text);
        let mut skipped: Vec<String> = Vec::new();
        for e in &item.extra {
            if e.name != "TY" && ris_tag_of(e, item.item_type).is_none() {
                let what = match e.origin {
                    Origin::Wos => crate::format::crosswalk::describe(e.origin, &e.name, item.item_type),
                    _ => e.name.clone(),
                };
                if !skipped.contains(&what) {
                    skipped.push(what);
                }
            }
        }
        RenderedRecord {
            key: item.key.clone(),
            text,
            odd_roles,
            skipped,
        }
    }
}

/// A stored record as an export would copy it (`text` `None`: write the item instead).
#[derive(Debug)]
pub struct CheckedRecord {
    key: String,
    text: Option<String>,
}

/// An item's record as [`RisChecker::render`] wrote it, to be added in order.
#[derive(Debug)]
pub struct RenderedRecord {
    key: String,
    text: String,
    /// The end of the warning about roles without a RIS tag.
    odd_roles: Option<String>,
    /// Fields without a RIS tag, not written.
    skipped: Vec<String>,
}

/// Writes records one at a time (a large export never holds all its items).
pub struct RisWriter {
    checker: RisChecker,
    skipped: Vec<String>,
    /// (key, record text, the end of its warning)
    records: Vec<(String, String, Option<String>)>,
}

impl RisWriter {
    pub fn new(opts: &RisWriteOptions) -> RisWriter {
        RisWriter {
            checker: RisChecker {
                keep_verbatim: opts.omit_fields.is_empty(),
                omit: std::sync::Arc::new(Omit::new(opts)),
            },
            skipped: Vec::new(),
            records: Vec::new(),
        }
    }

    pub fn add(&mut self, item: &Item) {
        let r = self.checker.render(item);
        self.add_rendered(r);
    }

    /// Add a record [`RisChecker::render`] wrote.
    pub fn add_rendered(&mut self, r: RenderedRecord) {
        for name in r.skipped {
            if !self.skipped.contains(&name) {
                self.skipped.push(name);
            }
        }
        self.records.push((r.key, r.text, r.odd_roles));
    }

    /// Add a record from its stored source text, known to be current, when it can be written
    /// as it is (false: add the item instead).
    pub fn add_source(&mut self, key: String, text: &str) -> bool {
        let checked = self.checker().check(key, text);
        self.add_checked(checked)
    }

    /// What [`RisWriter::add_source`] checks without changing the writer, for other threads
    /// (see `BibWriter::checker`).
    pub fn checker(&self) -> RisChecker {
        self.checker.clone()
    }

    /// Add a record [`RisChecker::check`] checked (false: add the item instead).
    pub fn add_checked(&mut self, c: CheckedRecord) -> bool {
        match c.text {
            Some(v) => {
                self.records.push((c.key, v, None));
                true
            }
            None => false,
        }
    }

    /// The text, records in the order added or (`by_key`) sorted by citation key.
    pub fn finish(self, by_key: bool) -> Written {
        let mut text = String::with_capacity(self.records.iter().map(|r| r.1.len()).sum());
        let diagnostics = self
            .finish_to(by_key, &mut |s: &str| {
                text.push_str(s);
                Ok(())
            })
            .expect("writing to a String cannot fail");
        Written { text, diagnostics }
    }

    /// [`RisWriter::finish`], handing the records to `out` one at a time; the warnings, which
    /// name a record by its place in the file.
    pub fn finish_to(mut self, by_key: bool, out: &mut Out<'_>) -> std::io::Result<Vec<Diagnostic>> {
        if by_key {
            self.records.sort_by(|a, b| a.0.cmp(&b.0));
        }
        let mut diagnostics = Vec::new();
        for (n, (_, r, odd_roles)) in self.records.iter().enumerate() {
            out(r)?;
            if let Some(tail) = odd_roles {
                diagnostics.push(Diagnostic::warning(None, format!("item {}{tail}", n + 1)));
            }
        }
        if !self.skipped.is_empty() && !self.checker.omit.extra {
            diagnostics.push(Diagnostic::info(
                None,
                format!("fields without a RIS tag were not written: {}", self.skipped.join(", ")),
            ));
        }
        Ok(diagnostics)
    }
}
