//! An entry regenerated from the model: entry type, fields in their fixed order, LaTeX
//! escaping, the date as `date` or `year`/`month`, and the item's kept extra fields.

use super::super::fields::{
    derived_access, pubstate_of, EDITOR_TYPE_ROLES, EXTRA_EDITOR_FIELDS, ROLE_FIELDS, TYPE_FIELD,
};
use super::super::names;
use super::super::options::{BibMode, BibWriteOptions};
use super::super::parse::{is_macro, Block, Scanner};
use super::super::tex::{self, Escape};
use super::kept::{check_raw, own_names, tagged_home, valid_field_name, LeftOut, RawValue};
use crate::error::Diagnostic;
use crate::model::{month_abbrev, Abstract, AccessStatus, Item, ItemTag, ItemType, Origin, PartialDate};
use rustc_hash::FxHashSet as HashSet;

/// The abstract as one field text: "Heading: text" sections separated by a line break (never
/// a blank line, which would be a paragraph break inside a LaTeX argument).
pub(crate) fn abstract_field(a: &Abstract) -> String {
    a.joined("\n")
}

struct Entry<'a> {
    /// Biblatex-only commands translated for BibTeX (reported once per entry).
    translated: bool,
    ascii: bool,
    mode: BibMode,
    omit: &'a HashSet<String>,
    /// Lowercase names of the item's kept extra fields.
    extra_names: HashSet<String>,
    fields: Vec<(String, String)>,
}

impl Entry<'_> {
    fn taken(&self, name: &str) -> bool {
        self.extra_names.contains(name) || self.fields.iter().any(|(n, _)| n == name)
    }
    /// The first of `names` not used by a kept extra field (or the first, if all are).
    fn pick<'n>(&self, names: &[&'n str]) -> &'n str {
        names.iter().copied().find(|n| !self.taken(n)).unwrap_or(names[0])
    }
    fn push_raw(&mut self, name: &str, value: String) {
        if self.omit.contains(name) {
            return;
        }
        self.fields.push((name.to_string(), value));
    }
    fn text(&mut self, names: &[&str], value: &str, protect: bool) {
        if value.is_empty() {
            return;
        }
        let name = self.pick(names);
        let mut v = tex::from_unicode(
            value,
            Escape {
                ascii: self.ascii,
                protect_case: protect,
            },
        );
        if self.mode == BibMode::Bibtex {
            if let Some(t) = tex::biblatex_to_latex(&v) {
                v = t;
                self.translated = true;
            }
        }
        self.push_raw(name, format!("{{{v}}}"));
    }
    /// `keywords`: the tags joined with ", "; a tag holding a separator (`,` or `;`) is one
    /// brace group, which biber, JabRef and Folio's reader keep whole.
    fn keywords(&mut self, tags: &[ItemTag]) {
        let esc = Escape {
            ascii: self.ascii,
            protect_case: false,
        };
        let parts: Vec<String> = tags
            .iter()
            .map(|t| {
                let v = tex::from_unicode(&t.name, esc);
                if t.name.contains([',', ';']) {
                    format!("{{{v}}}")
                } else {
                    v
                }
            })
            .collect();
        let mut v = parts.join(", ");
        if self.mode == BibMode::Bibtex {
            if let Some(t) = tex::biblatex_to_latex(&v) {
                v = t;
                self.translated = true;
            }
        }
        if !v.is_empty() {
            let name = self.pick(&["keywords"]);
            self.push_raw(name, format!("{{{v}}}"));
        }
    }
    /// A kept plain-text field under its own name.
    fn text_as(&mut self, name: &str, value: &str) {
        if value.trim().is_empty() {
            return;
        }
        let v = tex::from_unicode(
            value.trim(),
            Escape {
                ascii: self.ascii,
                protect_case: false,
            },
        );
        self.fields.push((name.to_string(), format!("{{{v}}}")));
    }
    fn verbatim(&mut self, name: &str, value: &str) {
        if value.is_empty() {
            return;
        }
        let v = if tex::balanced(value) && !value.contains('\\') {
            value.to_string()
        } else {
            value.replace(['{', '}', '\\'], "")
        };
        self.push_raw(name, format!("{{{v}}}"));
    }
}

fn is_article_like(t: ItemType) -> bool {
    matches!(
        t,
        ItemType::Article | ItemType::MagazineArticle | ItemType::NewspaperArticle | ItemType::Periodical
    )
}

fn is_thesis(t: ItemType) -> bool {
    matches!(t, ItemType::Thesis | ItemType::PhdThesis | ItemType::MastersThesis)
}

/// A year range as the date text writes it (`1999–2009`, `1999-2009`, `1999/2009`), or an
/// open one (`2004–`, `2004– …`): the first and last year (empty when open).
fn year_range(raw: &str) -> Option<(&str, &str)> {
    let t = raw.trim();
    let digits = |s: &str| s.len() == 4 && s.bytes().all(|b| b.is_ascii_digit());
    let (a, b) = t
        .split_once("--")
        .or_else(|| t.split_once(['-', '\u{2013}', '\u{2014}', '/']))?;
    let (a, b) = (a.trim(), b.trim().trim_start_matches(['-', '\u{2013}']).trim());
    let b = if matches!(b, "" | "\u{2026}" | "..." | "..") {
        ""
    } else {
        b
    };
    (digits(a) && (b.is_empty() || digits(b) && a < b)).then_some((a, b))
}

/// Whether a date text is ISO 8601 / EDTF as biber reads it: a date (`2014`, `2014-06`,
/// `2014-06-01`, with `?`, `~` or `%` for uncertain or approximate) or a range of two with
/// `/`, one end open (empty or `..`).
pub(super) fn is_edtf(raw: &str) -> bool {
    fn one(s: &str) -> bool {
        let s = s.strip_suffix(['?', '~', '%']).unwrap_or(s);
        let parts: Vec<&str> = s.split('-').collect();
        let num = |p: &str, n: usize| p.len() == n && p.bytes().all(|b| b.is_ascii_digit());
        match parts[..] {
            [y] => num(y, 4),
            [y, m] => num(y, 4) && num(m, 2),
            [y, m, d] => num(y, 4) && num(m, 2) && num(d, 2),
            _ => false,
        }
    }
    match raw.split_once('/') {
        None => one(raw),
        Some((a, b)) => {
            let open = |s: &str| s.is_empty() || s == "..";
            (one(a) || open(a)) && (one(b) || open(b)) && !(open(a) && open(b))
        }
    }
}

/// The BibLaTeX `date` of a date: its text when that is EDTF already, a year range as
/// `1999/2009` (open: `2004/`), else the ISO form of its year, month and day.
pub(super) fn biblatex_date(d: &PartialDate) -> Option<String> {
    let raw = d.raw.trim();
    if is_edtf(raw) {
        return Some(raw.to_string());
    }
    if let Some((a, b)) = year_range(raw) {
        return Some(format!("{a}/{b}"));
    }
    d.year.map(|_| d.iso())
}

/// Whether year, month and day say everything the raw date text does ("4 August 2022",
/// "2022/08/04/", "Aug. 4, 2022"): then an export in ISO or `year` + `month` loses nothing.
/// "MAY 2008 2008", "Spring 2005" or "1973b" say more (or something else).
fn captured(d: &PartialDate) -> bool {
    let Some(year) = d.year else { return false };
    let (mut saw_year, mut saw_month, mut saw_day) = (false, false, false);
    for tok in d
        .raw
        .split(|c: char| c.is_whitespace() || matches!(c, ',' | '.' | '/' | '-'))
    {
        if tok.is_empty() {
            continue;
        }
        let n: Option<i64> = tok
            .bytes()
            .all(|b| b.is_ascii_digit())
            .then(|| tok.parse().ok())
            .flatten();
        match n {
            Some(n) if n == i64::from(year) && !saw_year && tok.len() >= 4 => saw_year = true,
            Some(n) if d.month.is_some_and(|m| i64::from(m) == n) && !saw_month && tok.len() <= 2 => saw_month = true,
            Some(n) if d.day.is_some_and(|x| i64::from(x) == n) && !saw_day && tok.len() <= 2 => saw_day = true,
            Some(_) => return false,
            None => {
                if crate::model::month_from_str(tok).is_none() || d.month.is_none() || saw_month {
                    return false;
                }
                saw_month = true;
            }
        }
    }
    saw_year
}

/// The date: BibLaTeX `date` in ISO 8601 / EDTF (`2014-06-01`, `2008-05`, `1999/2009`);
/// BibTeX `year` as digits (a range as `1999--2009`) with `month` as its macro. The date's
/// text as imported stays in the library; what it says beyond year, month and day is named in
/// the export report.
fn write_date(e: &mut Entry<'_>, d: &PartialDate, left_out: &mut LeftOut) {
    if d.is_empty() {
        return;
    }
    let biblatex = e.mode == BibMode::Biblatex;
    if biblatex && !e.taken("date") {
        if let Some(v) = biblatex_date(d) {
            if d.year.is_some() && !d.raw.is_empty() && v != d.raw.trim() && v == d.iso() && !captured(d) {
                left_out.add("the date's text beyond its year, month and day (kept as imported)".to_string());
            }
            e.push_raw("date", format!("{{{v}}}"));
            return;
        }
    }
    let range = year_range(&d.raw).or_else(|| {
        // An EDTF range between years: `2004-03-03/2005-08-09`.
        let (a, b) = d.raw.trim().split_once('/').filter(|_| is_edtf(d.raw.trim()))?;
        let (a, b) = (a.get(..4)?, b.get(..4).unwrap_or(""));
        (a != b).then_some((a, b))
    });
    if let Some((a, b)) = range.filter(|_| !biblatex && !e.taken("year")) {
        e.push_raw("year", format!("{{{a}--{b}}}"));
        return;
    }
    let Some(year) = d.year else {
        match pubstate_of(&d.raw) {
            Some(p) if biblatex => e.push_raw("pubstate", format!("{{{p}}}")),
            Some(_) if !e.taken("year") => e.text(&["year"], d.raw.trim(), false),
            _ => left_out.add(format!("a date that is not one ({:?})", d.raw.trim())),
        }
        return;
    };
    if !d.raw.is_empty() && d.raw != d.iso() && !captured(d) {
        left_out.add("the date's text beyond its year, month and day (kept as imported)".to_string());
    }
    let use_year = if biblatex {
        e.taken("date") && !e.taken("year")
    } else {
        !e.taken("year")
    };
    if use_year {
        e.push_raw("year", format!("{{{year}}}"));
        if let Some(m) = d.month {
            if !e.taken("month") {
                e.push_raw("month", month_abbrev(m).unwrap_or("jan").to_string());
                if let Some(day) = d.day.filter(|_| !e.taken("day")) {
                    e.push_raw("day", format!("{{{day}}}"));
                }
            }
        }
        return;
    }
    e.push_raw("date", format!("{{{}}}", d.iso()));
}

/// Macros referenced by bare names in a raw value text.
pub(super) fn macros_in_raw(raw: &str, out: &mut HashSet<String>) {
    if !raw.bytes().any(|c| c.is_ascii_alphabetic()) {
        return;
    }
    let wrapped = format!("@x{{k, f = {raw}}}");
    if let Some(Block::Entry { fields, .. }) = Scanner::new(&wrapped).next_block() {
        for f in &fields {
            for p in &f.value.pieces {
                if let Some(m) = is_macro(p) {
                    out.insert(m);
                }
            }
        }
    };
}

/// biblatex's date fields: biber ignores one that is not ISO 8601 / EDTF (with a warning).
const BIBLATEX_DATE_FIELDS: [&str; 4] = ["date", "urldate", "eventdate", "origdate"];

/// A kept date field's value as biber reads it (EDTF as written, else the ISO form of the
/// date it gives), or `None` when it is none.
fn kept_date(f: &crate::model::ExtraField) -> Option<String> {
    let v = f.value.trim();
    let text = match f.origin {
        Origin::Bibtex => {
            let inner = v
                .strip_prefix('{')
                .and_then(|x| x.strip_suffix('}'))
                .or_else(|| v.strip_prefix('"').and_then(|x| x.strip_suffix('"')));
            match inner {
                Some(i) if !i.contains(['{', '}', '\\']) => i.trim(),
                Some(_) => return None,
                None if v.bytes().all(|b| b.is_ascii_digit()) => v,
                None => return None,
            }
        }
        _ => v,
    };
    if is_edtf(text) {
        return Some(text.to_string());
    }
    let d = PartialDate::parse(text);
    d.year.is_some().then(|| biblatex_date(&d)).flatten()
}

/// What writing an entry adds to the export besides its text.
pub(super) struct EntryOut<'w> {
    /// Macros the entry uses (lowercase).
    pub used: &'w mut HashSet<String>,
    /// Macros this export defines (lowercase `@string` names).
    pub defined: &'w HashSet<String>,
    pub diags: &'w mut Vec<Diagnostic>,
    pub left_out: &'w mut LeftOut,
}

/// The item's kept extra fields, after the fields written from the model (see `kept.rs`).
fn kept_fields(e: &mut Entry<'_>, item: &Item, key: &str, out: &mut EntryOut<'_>) {
    let written: HashSet<String> = e.fields.iter().map(|(n, _)| n.clone()).collect();
    let mut own: HashSet<String> = HashSet::default();
    let what = match e.mode {
        BibMode::Bibtex => "BibTeX",
        BibMode::Biblatex => "BibLaTeX",
    };
    for f in &item.extra {
        if f.name == TYPE_FIELD {
            continue;
        }
        if matches!(f.origin, Origin::Ris | Origin::Wos) {
            match tagged_home(f, item.item_type, e.mode == BibMode::Biblatex) {
                Ok((name, _)) if e.omit.contains(name) => {}
                Ok((name, _)) if e.taken(name) => {
                    out.left_out.add(format!(
                        "{} (its field {name} is already written)",
                        crate::format::crosswalk::describe(f.origin, &f.name, item.item_type)
                    ));
                }
                Ok((name, value)) => e.text(&[name], &value, false),
                Err(why) => out.left_out.add(format!("{why}: no {what} field")),
            }
            continue;
        }
        let lower = f.name.to_ascii_lowercase();
        if e.omit.contains(&lower) {
            continue;
        }
        if !valid_field_name(&f.name) {
            out.left_out
                .add(format!("field {:?} (not a name BibTeX and biber read)", f.name));
            continue;
        }
        if written.contains(&lower) || !own.insert(lower.clone()) {
            out.diags.push(Diagnostic::warning(
                None,
                format!("{key}: kept field {} repeats a written field; left out", f.name),
            ));
            continue;
        }
        if e.mode == BibMode::Biblatex && BIBLATEX_DATE_FIELDS.contains(&lower.as_str()) {
            let unwrapped = f.value.trim().trim_matches(['{', '}', '"']).trim();
            match kept_date(f) {
                // Empty (biber ignores it quietly).
                _ if f.origin == Origin::Bibtex && unwrapped.is_empty() => {
                    e.fields.push((f.name.clone(), f.value.clone()))
                }
                // Already EDTF: as written.
                Some(v) if f.origin == Origin::Bibtex && unwrapped == v => {
                    e.fields.push((f.name.clone(), f.value.clone()))
                }
                Some(v) => e.fields.push((f.name.clone(), format!("{{{v}}}"))),
                None => out.left_out.add(format!("field {} (not a date biber reads)", f.name)),
            }
            continue;
        }
        if f.origin == Origin::Text {
            e.text_as(&f.name, &f.value);
            continue;
        }
        match check_raw(&f.value, &|m| out.defined.contains(m), e.ascii) {
            RawValue::Raw => {
                macros_in_raw(&f.value, out.used);
                e.fields.push((f.name.clone(), f.value.clone()));
            }
            RawValue::Text(text, undefined) => {
                out.diags.push(Diagnostic::warning(
                    None,
                    if undefined.is_empty() {
                        format!("{key}: kept field {} is not a BibTeX value; written as text", f.name)
                    } else {
                        format!(
                            "{key}: kept field {} uses {} that no @string in the library defines; written as text",
                            f.name,
                            undefined
                                .iter()
                                .map(|m| format!("{m:?}"))
                                .collect::<Vec<_>>()
                                .join(", ")
                        )
                    },
                ));
                e.fields.push((f.name.clone(), format!("{{{text}}}")));
            }
        }
    }
}

/// Creators whose role has no name list of its own ([`EDITOR_TYPE_ROLES`]): `editora`…
/// with the role in `editoratype`…, in the slots no kept field uses; past three roles, left
/// out with a warning.
fn extra_roles(e: &mut Entry<'_>, item: &Item, key: &str, diags: &mut Vec<Diagnostic>) {
    let free: Vec<&str> = EXTRA_EDITOR_FIELDS
        .into_iter()
        .filter(|n| !e.taken(n) && !e.taken(&format!("{n}type")))
        .collect();
    let mut free = free.into_iter();
    for (role, word) in EDITOR_TYPE_ROLES {
        let list: Vec<_> = item.creators_with(*role).collect();
        if list.is_empty() {
            continue;
        }
        match free.next() {
            Some(field) => {
                let v = names::write_list(list.into_iter(), e.ascii);
                e.push_raw(field, format!("{{{v}}}"));
                e.push_raw(&format!("{field}type"), format!("{{{word}}}"));
            }
            None => {
                for c in list {
                    diags.push(Diagnostic::warning(
                        None,
                        format!(
                            "{key}: creator {} ({}) left out: editora, editorb and editorc are taken",
                            c.display_natural(),
                            c.role
                        ),
                    ));
                }
            }
        }
    }
}

pub(super) fn entry_text(
    item: &Item,
    key: &str,
    opts: &BibWriteOptions,
    ascii: bool,
    omit: &HashSet<String>,
    out: &mut EntryOut<'_>,
) -> String {
    let mode = opts.mode;
    let diags = &mut *out.diags;
    let ty = entry_type(item, key, mode, diags);
    let mut e = Entry {
        translated: false,
        ascii,
        mode,
        omit,
        extra_names: own_names(&item.extra),
        fields: Vec::new(),
    };
    for (role, name) in ROLE_FIELDS {
        let list: Vec<_> = item.creators_with(*role).collect();
        if !list.is_empty() {
            let v = names::write_list(list.into_iter(), ascii);
            e.push_raw(name, format!("{{{v}}}"));
        }
    }
    extra_roles(&mut e, item, key, diags);
    let (title, subtitle) = if mode == BibMode::Bibtex && !item.subtitle.is_empty() {
        diags.push(Diagnostic::info(
            None,
            format!("{key}: BibTeX has no subtitle field; written as \"title: subtitle\""),
        ));
        (item.full_title(), String::new())
    } else {
        (item.title.clone(), item.subtitle.clone())
    };
    e.text(&["title"], &title, true);
    e.text(&["subtitle"], &subtitle, true);
    e.text(&["shorttitle"], &item.short_title, true);
    let container_names: &[&str] = if is_article_like(item.item_type) {
        match mode {
            BibMode::Bibtex => &["journal", "journaltitle", "booktitle"],
            BibMode::Biblatex => &["journaltitle", "journal", "booktitle"],
        }
    } else {
        &["booktitle", "journaltitle", "journal"]
    };
    let protect_container = e.pick(container_names) == "booktitle";
    e.text(container_names, &item.container, protect_container);
    e.text(&["series"], &item.series, false);
    e.text(&["volume"], &item.volume, false);
    e.text(&["number", "issue"], &item.issue, false);
    e.text(&["pages"], &item.pages, false);
    e.text(&["edition"], &item.edition, false);
    e.text(&["publisher"], &item.publisher, false);
    match mode {
        BibMode::Bibtex => e.text(&["address", "location"], &item.place, false),
        BibMode::Biblatex => e.text(&["location", "address"], &item.place, false),
    }
    if mode == BibMode::Bibtex && is_thesis(item.item_type) {
        e.text(&["school", "institution"], &item.institution, false);
    } else {
        e.text(&["institution", "school"], &item.institution, false);
    }
    write_date(&mut e, &item.date, out.left_out);
    e.verbatim("doi", &item.doi);
    e.text(&["issn"], &item.issn, false);
    e.text(&["isbn"], &item.isbn, false);
    e.verbatim("url", &item.url);
    e.text(&["language"], &item.language, false);
    e.text(&["note"], &item.note, false);
    e.text(&["genre"], &item.genre, false);
    if !item.r#abstract.is_empty() {
        e.text(&["abstract"], &abstract_field(&item.r#abstract), false);
    }
    if !item.tags.is_empty() {
        e.keywords(&item.tags);
    }
    if item.access.status != AccessStatus::Unknown && derived_access(&item.note, &item.extra) != item.access {
        e.push_raw("access", format!("{{{}}}", item.access.status.as_str()));
    }
    if e.translated {
        diags.push(Diagnostic::warning(
            None,
            format!("{key}: biblatex-only commands (\\hyphen, \\mkbibacro…) written as plain LaTeX for BibTeX"),
        ));
    }
    kept_fields(&mut e, item, key, out);
    let mut out = format!("@{ty}{{{key},\n");
    for (n, v) in &e.fields {
        out.push_str("  ");
        out.push_str(n);
        out.push_str(" = ");
        out.push_str(v);
        out.push_str(",\n");
    }
    out.push('}');
    out
}

/// The entry type to write: the original type when it is kept (see [`TYPE_FIELD`]), else the
/// item type's name in this mode (with a warning when that is not exact).
fn entry_type(item: &Item, key: &str, mode: BibMode, diags: &mut Vec<Diagnostic>) -> String {
    // The original entry type, kept for types Folio does not know (item still `misc`) or whose
    // Folio type has no BibLaTeX name of its own (`@video`, BibLaTeX mode only).
    let kept_type = item.extra_field(TYPE_FIELD).filter(|k| match ItemType::from_bibtex(k) {
        None => item.item_type == ItemType::Misc,
        Some(t) => t == item.item_type && mode == BibMode::Biblatex,
    });
    match kept_type {
        Some(t) => t.to_string(),
        None => {
            let t = match mode {
                BibMode::Bibtex => item.item_type.bibtex_type(),
                BibMode::Biblatex => item.item_type.biblatex_type(),
            };
            if ItemType::from_bibtex(t) != Some(item.item_type) {
                diags.push(Diagnostic::warning(
                    None,
                    format!(
                        "{key}: item type {} written as @{t} ({} has no exact equivalent)",
                        item.item_type,
                        match mode {
                            BibMode::Bibtex => "BibTeX",
                            BibMode::Biblatex => "BibLaTeX",
                        }
                    ),
                ));
            }
            t.to_string()
        }
    }
}
