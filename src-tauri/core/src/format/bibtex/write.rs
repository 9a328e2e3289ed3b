//! Items → BibTeX / BibLaTeX text.

use super::import::derived_access;
use super::latex::{self, Escape};
use super::names;
use super::parse::{is_macro, Block, Scanner};
use super::{BibMode, BibWriteOptions, TYPE_FIELD};
use crate::error::Diagnostic;
use crate::format::{BibExtras, Out, Written};
use crate::model::{month_abbrev, Abstract, AccessStatus, Item, ItemType, PartialDate, Role};
use rustc_hash::FxHashSet as HashSet;

/// Entry types classic BibTeX styles know.
const CLASSIC_TYPES: &[&str] = &[
    "article",
    "book",
    "booklet",
    "conference",
    "inbook",
    "incollection",
    "inproceedings",
    "manual",
    "mastersthesis",
    "misc",
    "phdthesis",
    "proceedings",
    "techreport",
    "unpublished",
];

/// Roles written as name-list fields, in this order.
const ROLE_FIELDS: &[(Role, &str)] = &[
    (Role::Author, "author"),
    (Role::Editor, "editor"),
    (Role::Translator, "translator"),
    (Role::BookAuthor, "bookauthor"),
];

pub(crate) fn role_rank(r: Role) -> usize {
    ROLE_FIELDS
        .iter()
        .position(|(x, _)| *x == r)
        .unwrap_or(ROLE_FIELDS.len())
}

/// The abstract as one field text: "Heading: text" sections separated by a line break (never
/// a blank line, which would be a paragraph break inside a LaTeX argument).
pub(crate) fn abstract_field(a: &Abstract) -> String {
    a.joined("\n")
}

struct Entry<'a> {
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
        let v = latex::from_unicode(
            value,
            Escape {
                ascii: self.ascii,
                protect_case: protect,
            },
        );
        self.push_raw(name, format!("{{{v}}}"));
    }
    fn verbatim(&mut self, name: &str, value: &str) {
        if value.is_empty() {
            return;
        }
        let v = if latex::balanced(value) && !value.contains('\\') {
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
        let v = latex::from_unicode(
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
        && !(e.mode == BibMode::Bibtex && captured(d))
        && !e.taken("year")
    {
        // "1999–2009", "August, 2005", "1973b1973": kept as a literal year.
        let v = latex::from_unicode(
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
fn macros_in_raw(raw: &str, out: &mut HashSet<String>) {
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
    }
}

/// The raw source entry, when it can be written verbatim (see the module docs of `bibtex`).
fn verbatim_source<'i>(
    item: &'i Item,
    mode: BibMode,
    ascii: bool,
    omit: &HashSet<String>,
    used: &mut HashSet<String>,
) -> Option<&'i str> {
    let src = item.source.as_ref()?;
    if src.format != "bibtex" || item.fingerprint() != src.fingerprint {
        return None;
    }
    verbatim_text(&src.text, &item.key, mode, ascii, omit, used)
}

/// A current source entry's text, when this export can use it as it is.
fn verbatim_text<'i>(
    src_text: &'i str,
    item_key: &str,
    mode: BibMode,
    ascii: bool,
    omit: &HashSet<String>,
    used: &mut HashSet<String>,
) -> Option<&'i str> {
    let mut sc = Scanner::new(src_text);
    let Some(Block::Entry {
        ty,
        key,
        fields,
        text,
        broken: None,
        ..
    }) = sc.next_block()
    else {
        return None;
    };
    if text.len() != src_text.len() {
        return None;
    }
    if key != item_key || key.is_empty() {
        return None;
    }
    if mode == BibMode::Bibtex && !CLASSIC_TYPES.contains(&ty.to_ascii_lowercase().as_str()) {
        return None;
    }
    if ascii && !src_text.is_ascii() {
        return None;
    }
    if fields.iter().any(|f| omit.contains(&f.name.to_ascii_lowercase())) {
        return None;
    }
    for f in &fields {
        for p in &f.value.pieces {
            if let Some(m) = is_macro(p) {
                used.insert(m);
            }
        }
    }
    Some(src_text)
}

fn entry_text(
    item: &Item,
    key: &str,
    opts: &BibWriteOptions,
    ascii: bool,
    omit: &HashSet<String>,
    used: &mut HashSet<String>,
    diags: &mut Vec<Diagnostic>,
) -> String {
    let mode = opts.mode;
    // The original entry type, kept for types Folio does not know (item still `misc`) or whose
    // Folio type has no BibLaTeX name of its own (`@video`, BibLaTeX mode only).
    let kept_type = item.extra_field(TYPE_FIELD).filter(|k| match ItemType::from_bibtex(k) {
        None => item.item_type == ItemType::Misc,
        Some(t) => t == item.item_type && mode == BibMode::Biblatex,
    });
    let ty = match kept_type {
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
    };
    let mut e = Entry {
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

/// The `crossref` target named in an entry's source text.
fn crossref_in(text: &str) -> Option<String> {
    if !text.to_ascii_lowercase().contains("crossref") {
        return None;
    }
    let Some(Block::Entry { fields, .. }) = Scanner::new(text).next_block() else {
        return None;
    };
    fields
        .iter()
        .find(|f| f.name.eq_ignore_ascii_case("crossref"))
        .map(|f| f.value.raw.trim().trim_matches(['{', '}', '"']).trim().to_string())
        .filter(|v| !v.is_empty())
}

fn crossref_target(item: &Item) -> Option<String> {
    item.extra_field("crossref")
        .map(|v| v.trim().trim_matches(['{', '}', '"']).trim().to_string())
        .filter(|v| !v.is_empty())
}

pub(crate) fn write(items: &[Item], extras: &BibExtras, opts: &BibWriteOptions) -> Written {
    let mut w = BibWriter::new(extras, opts);
    w.reserve_keys(items.iter().map(|i| i.key.as_str()));
    for it in items {
        w.add(it);
    }
    w.finish()
}

/// Writes entries one at a time (a large export never holds all its items), then sorts them
/// by key and frames them with `@preamble`, the `@string`s they use and `@comment`s.
pub struct BibWriter<'e> {
    extras: &'e BibExtras,
    opts: BibWriteOptions,
    ascii: bool,
    omit: HashSet<String>,
    diagnostics: Vec<Diagnostic>,
    /// Keys in use (for keys generated for items without one).
    taken: HashSet<String>,
    /// Lowercased keys written (BibTeX compares keys without case).
    seen: HashSet<String>,
    /// Macros the entries use (lowercase).
    used: HashSet<String>,
    /// Lowercased keys that some entry cross-references.
    parents: HashSet<String>,
    /// (key, entry text)
    entries: Vec<(String, String)>,
}

impl<'e> BibWriter<'e> {
    pub fn new(extras: &'e BibExtras, opts: &BibWriteOptions) -> BibWriter<'e> {
        BibWriter {
            extras,
            opts: opts.clone(),
            ascii: opts.ascii.unwrap_or(opts.mode == BibMode::Bibtex),
            omit: opts.omit_fields.iter().map(|f| f.trim().to_ascii_lowercase()).collect(),
            diagnostics: Vec::new(),
            taken: HashSet::default(),
            seen: HashSet::default(),
            used: HashSet::default(),
            parents: HashSet::default(),
            entries: Vec::new(),
        }
    }

    /// Keys that items added later may carry (so a key generated for an item without one
    /// does not take them).
    pub fn reserve_keys<'k>(&mut self, keys: impl Iterator<Item = &'k str>) {
        self.taken.extend(keys.filter(|k| !k.is_empty()).map(str::to_string));
    }

    pub fn add(&mut self, it: &Item) {
        let key = if it.key.is_empty() {
            let base = crate::citekey::generate(it, crate::citekey::DEFAULT_PATTERN).unwrap_or_else(|_| "ref".into());
            let k = crate::citekey::make_unique(&base, |k| self.taken.contains(k));
            self.diagnostics.push(Diagnostic::warning(
                None,
                format!("item without a citation key written as {k:?}"),
            ));
            k
        } else {
            it.key.clone()
        };
        self.taken.insert(key.clone());
        if let Some(p) = crate::citekey::key_problem(&key) {
            self.diagnostics.push(Diagnostic::warning(None, p));
        }
        if !self.seen.insert(key.to_lowercase()) {
            self.diagnostics.push(Diagnostic::warning(
                None,
                format!("duplicate citation key {key:?}; LaTeX will use only one of these entries"),
            ));
        }
        if let Some(t) = crossref_target(it) {
            self.parents.insert(t.to_lowercase());
        }
        let verbatim = if key == it.key {
            verbatim_source(it, self.opts.mode, self.ascii, &self.omit, &mut self.used).map(str::to_string)
        } else {
            None
        };
        let text = verbatim.unwrap_or_else(|| {
            entry_text(
                it,
                &key,
                &self.opts,
                self.ascii,
                &self.omit,
                &mut self.used,
                &mut self.diagnostics,
            )
        });
        self.entries.push((key, text));
    }

    /// Add an entry from its stored source record, known to be current, when this export can
    /// write it as it is (false: add the item instead).
    pub fn add_source(&mut self, key: String, text: String) -> bool {
        if key.is_empty() || self.seen.contains(&key.to_lowercase()) || crate::citekey::key_problem(&key).is_some() {
            // `add` reports these.
            return false;
        }
        let mut macros = HashSet::default();
        if verbatim_text(&text, &key, self.opts.mode, self.ascii, &self.omit, &mut macros).is_none() {
            return false;
        }
        self.used.extend(macros);
        self.taken.insert(key.clone());
        self.seen.insert(key.to_lowercase());
        if let Some(t) = crossref_in(&text) {
            self.parents.insert(t.to_lowercase());
        }
        self.entries.push((key, text));
        true
    }

    pub fn finish(self) -> Written {
        let mut text = String::with_capacity(4096);
        let diagnostics = self
            .finish_to(&mut |s: &str| {
                text.push_str(s);
                Ok(())
            })
            .expect("writing to a String cannot fail");
        Written { text, diagnostics }
    }

    /// Sort the entries and hand the text to `out` a piece at a time; the warnings.
    pub fn finish_to(self, out: &mut Out<'_>) -> std::io::Result<Vec<Diagnostic>> {
        let BibWriter {
            extras,
            opts,
            mut diagnostics,
            mut used,
            parents,
            mut entries,
            ..
        } = self;
        entries.sort_by_cached_key(|(k, _)| (k.to_lowercase(), k.clone()));
        if opts.mode == BibMode::Bibtex && !parents.is_empty() {
            // BibTeX needs cross-referenced parents after the entries that refer to them.
            entries.sort_by_key(|(k, _)| parents.contains(&k.to_lowercase()));
        }
        let mut head = String::with_capacity(4096);
        for p in &extras.preambles {
            head.push_str(&format!("@preamble{{{p}}}\n\n"));
        }
        // @string definitions that are used (also through other strings), in their order.
        let mut changed = true;
        while changed {
            changed = false;
            for (n, v) in &extras.strings {
                if used.contains(&n.to_ascii_lowercase()) {
                    let before = used.len();
                    macros_in_raw(v, &mut used);
                    changed |= used.len() != before;
                }
            }
        }
        const MONTHS: [&str; 12] = [
            "jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec",
        ];
        let mut undefined: Vec<&String> = used
            .iter()
            .filter(|m| !MONTHS.contains(&m.as_str()) && !extras.strings.iter().any(|(n, _)| n.eq_ignore_ascii_case(m)))
            .collect();
        undefined.sort();
        for m in undefined {
            diagnostics.push(Diagnostic::warning(
                None,
                format!("macro {m:?} is used but has no @string definition in this export"),
            ));
        }
        let mut wrote_string = HashSet::default();
        for (n, v) in &extras.strings {
            let l = n.to_ascii_lowercase();
            if used.contains(&l) && wrote_string.insert(l) {
                head.push_str(&format!("@string{{{n} = {v}}}\n"));
            }
        }
        if !wrote_string.is_empty() {
            head.push('\n');
        }
        let mut tail = String::new();
        for c in &extras.comments {
            tail.push_str(&format!("@comment{{{c}}}\n\n"));
        }
        // The text is `head`, each entry + a blank line, `tail`, without its very last newline
        // when it ends with a blank line.
        let mut w = crate::format::TrimLastNewline::new(out);
        w.put(&head)?;
        for (_, b) in &entries {
            w.put(b)?;
            w.put("\n\n")?;
        }
        w.put(&tail)?;
        Ok(diagnostics)
    }
}
