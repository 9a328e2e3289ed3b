//! An entry regenerated from the model: entry type, fields in their fixed order, LaTeX
//! escaping, the date as `date` or `year`/`month`, and the item's kept extra fields.

use super::super::fields::{derived_access, role_rank, ROLE_FIELDS, TYPE_FIELD};
use super::super::names;
use super::super::options::{BibMode, BibWriteOptions};
use super::super::parse::{is_macro, Block, Scanner};
use super::super::tex::{self, Escape};
use crate::error::Diagnostic;
use crate::model::{month_abbrev, Abstract, AccessStatus, Item, ItemType, PartialDate};
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

/// A date string biber accepts as written (ISO 8601 / EDTF characters only).
fn iso_like(s: &str) -> bool {
    s.len() >= 4
        && s.as_bytes()[..4].iter().all(u8::is_ascii_digit)
        && s.chars().all(|c| c.is_ascii_digit() || "-/:T~?XZ+.".contains(c))
}

/// Whether year, month and day say everything the raw date text does ("4 August 2022",
/// "August 2005", "Aug. 4, 2022"), so `year` + `month` (+ `day`) lose nothing and give
/// bibliography styles what they expect. Ranges and odd forms ("1999–2009", "1973b") are not.
fn captured(d: &PartialDate) -> bool {
    let Some(year) = d.year else { return false };
    let mut saw_year = false;
    for tok in d.raw.split(|c: char| c.is_whitespace() || matches!(c, ',' | '.' | '/')) {
        if tok.is_empty() {
            continue;
        }
        if tok.bytes().all(|b| b.is_ascii_digit()) {
            let n: i64 = tok.parse().unwrap_or(-1);
            if n == i64::from(year) && !saw_year {
                saw_year = true;
            } else if d.day.is_some_and(|day| i64::from(day) == n) {
            } else {
                return false;
            }
        } else if crate::model::month_from_str(tok).is_none() || d.month.is_none() {
            return false;
        }
    }
    saw_year
}

fn write_date(e: &mut Entry<'_>, d: &PartialDate) {
    if d.is_empty() {
        return;
    }
    let Some(year) = d.year else {
        let name = e.pick(&["year", "date"]);
        let v = tex::from_unicode(
            &d.raw,
            Escape {
                ascii: e.ascii,
                protect_case: false,
            },
        );
        e.push_raw(name, format!("{{{v}}}"));
        return;
    };
    let reparsed = PartialDate::parse(&d.raw);
    let same = (reparsed.year, reparsed.month, reparsed.day) == (d.year, d.month, d.day);
    if same
        && !d.raw.is_empty()
        && d.raw != d.iso()
        && !iso_like(&d.raw)
        && (e.mode != BibMode::Bibtex || !captured(d))
        && !e.taken("year")
    {
        // "1999–2009", "August, 2005", "1973b1973": kept as a literal year.
        let v = tex::from_unicode(
            &d.raw,
            Escape {
                ascii: e.ascii,
                protect_case: false,
            },
        );
        e.push_raw("year", format!("{{{v}}}"));
        return;
    }
    let use_year = match e.mode {
        BibMode::Bibtex => !e.taken("year"),
        BibMode::Biblatex => e.taken("date") && !e.taken("year"),
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
    let v = if iso_like(&d.raw) && same {
        d.raw.clone()
    } else {
        d.iso()
    };
    e.push_raw("date", format!("{{{v}}}"));
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

pub(super) fn entry_text(
    item: &Item,
    key: &str,
    opts: &BibWriteOptions,
    ascii: bool,
    omit: &HashSet<String>,
    used: &mut HashSet<String>,
    diags: &mut Vec<Diagnostic>,
) -> String {
    let mode = opts.mode;
    let ty = entry_type(item, key, mode, diags);
    let mut e = Entry {
        translated: false,
        ascii,
        mode,
        omit,
        extra_names: item.extra.iter().map(|f| f.name.to_ascii_lowercase()).collect(),
        fields: Vec::new(),
    };
    for (role, name) in ROLE_FIELDS {
        let list: Vec<_> = item.creators_with(*role).collect();
        if !list.is_empty() {
            let v = names::write_list(list.into_iter(), ascii);
            e.push_raw(name, format!("{{{v}}}"));
        }
    }
    for c in &item.creators {
        if role_rank(c.role) == ROLE_FIELDS.len() {
            diags.push(Diagnostic::warning(
                None,
                format!(
                    "{key}: creator {} ({}) has no BibTeX field; left out",
                    c.display_natural(),
                    c.role
                ),
            ));
        }
    }
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
    write_date(&mut e, &item.date);
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
        let names: Vec<&str> = item.tags.iter().map(|t| t.name.as_str()).collect();
        e.text(&["keywords"], &names.join(", "), false);
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
    let mapped: HashSet<String> = e.fields.iter().map(|(n, _)| n.clone()).collect();
    for f in &item.extra {
        if f.name == TYPE_FIELD {
            continue;
        }
        let lower = f.name.to_ascii_lowercase();
        if omit.contains(&lower) {
            continue;
        }
        if mapped.contains(&lower) {
            diags.push(Diagnostic::warning(
                None,
                format!("{key}: kept field {} repeats a written field; left out", f.name),
            ));
            continue;
        }
        macros_in_raw(&f.value, used);
        e.fields.push((f.name.clone(), f.value.clone()));
    }
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
