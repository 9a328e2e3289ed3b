//! Items → BibTeX / BibLaTeX text.
//!
//! The writers ([`BibWriter`], [`BibChecker`], [`write`]) put together the jobs of the
//! files below: `entry.rs` regenerates an entry from the model, `verbatim.rs` decides when a
//! stored source entry is copied as it is, `checks.rs` works that out once when a record is
//! stored, `replacement.rs` writes U+FFFD, `links.rs` cuts links LaTeX cannot follow and
//! `preamble.rs` adapts `@preamble` text.

pub mod checks;
mod entry;
mod kept;
mod links;
mod preamble;
mod replacement;
mod verbatim;

#[cfg(test)]
pub(super) use replacement::FFFD_TEX;

use super::options::{BibMode, BibWriteOptions};
use crate::error::Diagnostic;
use crate::format::{BibExtras, Out, Written};
use crate::model::Item;
use entry::{entry_text, macros_in_raw, EntryOut};
pub use kept::valid_field_name;
use kept::{LeftOut, MONTHS};
use links::{contains_ascii_ci, crossref_target, cut_links, Placed};
pub(super) use preamble::at_commands_by_name;
use preamble::ends_in_control_word;
use replacement::{replacement_diagnostic, replacement_in_raw, without_replacement_chars};
use rustc_hash::{FxHashMap as HashMap, FxHashSet as HashSet};
pub(super) use verbatim::source_problem;
use verbatim::{verbatim_source, verbatim_text};

pub(crate) fn write(items: &[Item], extras: &BibExtras, opts: &BibWriteOptions) -> Written {
    let mut w = BibWriter::new(extras, opts);
    w.reserve_keys(items.iter().map(|i| i.key.as_str()));
    for it in items {
        w.add(it);
    }
    w.finish()
}

/// The part of a [`BibWriter`] that checks stored records, shareable between threads.
#[derive(Debug, Clone)]
pub struct BibChecker {
    mode: BibMode,
    ascii: bool,
    omit: HashSet<String>,
}

impl BibChecker {
    /// `flags`: the record's stored [`checks`], when known.
    pub fn check(&self, key: String, text: String, flags: Option<i64>, macros: Option<&str>) -> CheckedSource {
        check_source(self.mode, self.ascii, &self.omit, key, text, flags.map(|f| (f, macros)))
    }
}

/// A stored record as an export would copy it: its text (`None`: write the item instead),
/// the macros it uses, its `crossref` target, whether it may hold a link, and whether U+FFFD
/// was replaced in it. The key's lowercase form is made here, on the checking thread.
#[derive(Debug)]
pub struct CheckedSource {
    key: String,
    lower: String,
    links: bool,
    text: Option<String>,
    macros: HashSet<String>,
    crossref: Option<String>,
    replaced: bool,
}

#[cfg(test)]
impl CheckedSource {
    /// Everything an export takes from a check, to compare two checks.
    pub(crate) fn parts(&self) -> (Option<&str>, Vec<&String>, Option<&str>, bool, bool) {
        let mut macros: Vec<&String> = self.macros.iter().collect();
        macros.sort();
        (
            self.text.as_deref(),
            macros,
            self.crossref.as_deref(),
            self.links,
            self.replaced,
        )
    }
}

/// `it` as a regenerated export gives it back: a kept BibTeX value that is not one BibTeX reads
/// (or uses a macro `extras` does not define) as braced text, and in BibLaTeX mode the date as
/// written (`date = {…}` in EDTF; a date that is none left out).
#[cfg(test)]
pub(crate) fn as_written(mut it: Item, extras: &BibExtras, mode: BibMode, ascii: bool) -> Item {
    let defined: HashSet<String> = extras.strings.iter().map(|(n, _)| n.to_ascii_lowercase()).collect();
    for f in it
        .extra
        .iter_mut()
        .filter(|f| f.origin == crate::model::Origin::Bibtex && f.name != super::TYPE_FIELD)
    {
        if let kept::RawValue::Text(t, _) = kept::check_raw(&f.value, &|m| defined.contains(m), ascii) {
            f.value = format!("{{{t}}}");
        }
    }
    if mode == BibMode::Biblatex && !it.date.is_empty() && it.extra_field("date").is_none() {
        match entry::biblatex_date(&it.date) {
            Some(v) => it.date = crate::model::PartialDate::parse(&v),
            None if super::fields::pubstate_of(&it.date.raw).is_some() => {}
            None => it.date = Default::default(),
        }
    }
    it
}

/// [`check_source`] for tests: with the stored checks (`flags`) or without.
#[cfg(test)]
pub(crate) fn check_source_for_test(
    mode: BibMode,
    ascii: bool,
    omit: &HashSet<String>,
    key: &str,
    text: &str,
    flags: Option<(i64, Option<&str>)>,
) -> CheckedSource {
    check_source(mode, ascii, omit, key.to_string(), text.to_string(), flags)
}

fn check_source(
    mode: BibMode,
    ascii: bool,
    omit: &HashSet<String>,
    key: String,
    text: String,
    flags: Option<(i64, Option<&str>)>,
) -> CheckedSource {
    let mut c = CheckedSource {
        lower: key.to_lowercase(),
        key,
        links: false,
        text: None,
        macros: HashSet::default(),
        crossref: None,
        replaced: false,
    };
    if c.key.is_empty() || crate::model::citekey::key_problem(&c.key).is_some() {
        // `add` reports these.
        return c;
    }
    // The record's stored checks answer without reading it when it is plain (no links, no
    // comments to strip, no fields to omit; its macros are stored with the checks): the
    // same answer as reading it below.
    if let Some((f, macros)) = flags.filter(|(f, _)| f & checks::SIMPLE != 0) {
        let refused = match mode {
            BibMode::Bibtex => f & checks::BIBTEX_REFUSED,
            BibMode::Biblatex => f & checks::BIBLATEX_REFUSED,
        } != 0;
        if refused || ascii && !text.is_ascii() || checks::header_key(&text) != Some(c.key.as_str()) {
            return c;
        }
        let comments = mode == BibMode::Bibtex && f & checks::COMMENTS != 0;
        let macros_known = f & checks::MACROS == 0 || macros.is_some();
        if f & checks::LINKS == 0 && macros_known && !comments && omit.is_empty() {
            if let Some(m) = macros.filter(|_| f & checks::MACROS != 0) {
                c.macros.extend(m.split(' ').map(str::to_string));
            }
            return c.copying(text, ascii);
        }
    }
    // The record as it is, or as this export must change it (a repaired command).
    let Some(v) = verbatim_text(&text, &c.key, mode, ascii, omit, &mut c.macros) else {
        c.macros.clear();
        return c;
    };
    (c.links, c.crossref) = (v.links, v.crossref);
    let text = match v.text {
        std::borrow::Cow::Borrowed(_) => text,
        std::borrow::Cow::Owned(t) => t,
    };
    c.copying(text, ascii)
}

impl CheckedSource {
    /// The record copied as `text`, with U+FFFD written as this export can take it.
    fn copying(mut self, text: String, ascii: bool) -> CheckedSource {
        self.text = Some(match without_replacement_chars(&text, ascii) {
            None => text,
            Some(t) => {
                self.replaced = true;
                t
            }
        });
        self
    }
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
    suffixes: crate::model::citekey::Suffixes,
    /// Lowercased keys written (BibTeX compares keys without case).
    seen: HashSet<String>,
    /// Macros the entries use (lowercase).
    used: HashSet<String>,
    /// Macros the library defines (lowercase `@string` names).
    defined: HashSet<String>,
    /// Kept fields this export leaves out.
    left_out: LeftOut,
    /// Lowercased keys that some entry cross-references.
    parents: HashSet<String>,
    entries: Vec<Placed>,
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
            suffixes: Default::default(),
            seen: HashSet::default(),
            used: HashSet::default(),
            defined: extras.strings.iter().map(|(n, _)| n.to_ascii_lowercase()).collect(),
            left_out: LeftOut::default(),
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
            let base = crate::model::citekey::generate(it, crate::model::citekey::DEFAULT_PATTERN)
                .unwrap_or_else(|_| "ref".into());
            let taken = &self.taken;
            let k = self.suffixes.make_unique(&base, |k| taken.contains(k));
            self.diagnostics.push(Diagnostic::warning(
                None,
                format!("item without a citation key written as {k:?}"),
            ));
            k
        } else {
            it.key.clone()
        };
        self.taken.insert(key.clone());
        if let Some(p) = crate::model::citekey::key_problem(&key) {
            self.diagnostics.push(Diagnostic::warning(
                None,
                format!("{p}; `folio key fix {key:?}` repairs it"),
            ));
        }
        let lower = key.to_lowercase();
        if !self.seen.insert(lower.clone()) {
            self.diagnostics.push(Diagnostic::warning(
                None,
                format!("duplicate citation key {key:?}; LaTeX will use only one of these entries (`folio key fix --all` renames keys that differ only in case)"),
            ));
        }
        if let Some(t) = crossref_target(it) {
            self.parents.insert(t.to_lowercase());
        }
        let verbatim = if key == it.key {
            verbatim_source(it, self.opts.mode, self.ascii, &self.omit, &mut self.used)
                .map(|v| (v.text.into_owned(), v.links))
        } else {
            None
        };
        if verbatim.is_none() {
            let unedited = it
                .source
                .as_ref()
                .filter(|s| s.format == "bibtex" && s.fingerprint == it.fingerprint());
            if let Some(why) = unedited.and_then(|src| source_problem(&src.text, self.opts.mode)) {
                self.diagnostics.push(Diagnostic::info(
                    None,
                    format!("{key}: written from the library's data, not as imported: {why}"),
                ));
            }
        }
        let (text, links) = verbatim.unwrap_or_else(|| {
            let mut out = EntryOut {
                used: &mut self.used,
                defined: &self.defined,
                diags: &mut self.diagnostics,
                left_out: &mut self.left_out,
            };
            let text = entry_text(it, &key, &self.opts, self.ascii, &self.omit, &mut out);
            // A written entry's links come from the item's fields: `crossref`, or `xdata` in
            // a field's name or value.
            let links = crossref_target(it).is_some() || contains_ascii_ci(&text, b"xdata");
            (text, links)
        });
        let text = self.replacement_chars(&key, text);
        self.entries.push(Placed {
            key,
            lower,
            text,
            links,
        });
    }

    /// An entry's text with U+FFFD written as LaTeX can take it (reported).
    fn replacement_chars(&mut self, key: &str, text: String) -> String {
        match without_replacement_chars(&text, self.ascii) {
            None => text,
            Some(t) => {
                self.diagnostics.push(replacement_diagnostic(key, self.ascii));
                t
            }
        }
    }

    /// Add an entry from its stored source record, known to be current, when this export can
    /// write it as it is (false: add the item instead).
    pub fn add_source(&mut self, key: String, text: String) -> bool {
        if key.is_empty() || self.seen.contains(&key.to_lowercase()) {
            // `add` reports these.
            return false;
        }
        let checked = check_source(self.opts.mode, self.ascii, &self.omit, key, text, None);
        self.add_checked(checked)
    }

    /// What [`BibWriter::add_source`] checks without changing the writer, for other threads:
    /// a large export checks its copied records in parallel and adds them in order with
    /// [`BibWriter::add_checked`] (the output is the same).
    pub fn checker(&self) -> BibChecker {
        BibChecker {
            mode: self.opts.mode,
            ascii: self.ascii,
            omit: self.omit.clone(),
        }
    }

    /// Add a record [`BibChecker::check`] checked (false: add the item instead).
    pub fn add_checked(&mut self, c: CheckedSource) -> bool {
        let Some(text) = c.text else {
            return false;
        };
        if self.seen.contains(&c.lower) {
            return false;
        }
        self.used.extend(c.macros);
        self.taken.insert(c.key.clone());
        self.seen.insert(c.lower.clone());
        if let Some(t) = c.crossref {
            self.parents.insert(t.to_lowercase());
        }
        if c.replaced {
            self.diagnostics.push(replacement_diagnostic(&c.key, self.ascii));
        }
        self.entries.push(Placed {
            key: c.key,
            lower: c.lower,
            text,
            links: c.links,
        });
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
            ascii,
            mut diagnostics,
            mut used,
            parents,
            mut entries,
            left_out,
            ..
        } = self;
        for (what, n) in left_out.iter() {
            diagnostics.push(Diagnostic::info(
                None,
                format!(
                    "left out of this {} export ({n} {}; kept in the library): {what}",
                    match opts.mode {
                        BibMode::Bibtex => "BibTeX",
                        BibMode::Biblatex => "BibLaTeX",
                    },
                    if *n == 1 { "entry" } else { "entries" }
                ),
            ));
        }
        entries.sort_by(|a, b| (a.lower.as_str(), a.key.as_str()).cmp(&(b.lower.as_str(), b.key.as_str())));
        cut_links(&mut entries, opts.mode, &mut diagnostics);
        if opts.mode == BibMode::Bibtex && !parents.is_empty() {
            // BibTeX needs cross-referenced parents after the entries that refer to them.
            entries.sort_by_key(|e| parents.contains(&e.lower));
        }
        let mut head = String::with_capacity(4096);
        for (i, p) in extras.preambles.iter().enumerate() {
            // BibTeX and biber join the preambles without a separator: one that ends in a
            // control word (`\makeatother`) would run into the next one's first letters.
            let sep = if i + 1 < extras.preambles.len() && ends_in_control_word(p) {
                " # { }"
            } else {
                ""
            };
            let p = match opts.mode {
                BibMode::Biblatex => at_commands_by_name(p),
                BibMode::Bibtex => std::borrow::Cow::Borrowed(p.as_str()),
            };
            let p = replacement_in_raw(&p, ascii, "@preamble", &mut diagnostics);
            head.push_str(&format!("@preamble{{{p}{sep}}}\n\n"));
        }
        // @string definitions that are used (also through other strings), in their order: a
        // worklist reads each used definition once (a fixpoint over all definitions found one
        // more link of a 9,000-macro chain per pass: quadratic, issue 23).
        let mut definitions: HashMap<String, Vec<&String>> = HashMap::default();
        for (n, v) in &extras.strings {
            definitions.entry(n.to_ascii_lowercase()).or_default().push(v);
        }
        let mut queue: Vec<String> = used.iter().cloned().collect();
        while let Some(name) = queue.pop() {
            for v in definitions.get(&name).into_iter().flatten() {
                let mut found = HashSet::default();
                macros_in_raw(v, &mut found);
                for m in found {
                    if used.insert(m.clone()) {
                        queue.push(m);
                    }
                }
            }
        }
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
                let v = replacement_in_raw(v, ascii, &format!("@string {n}"), &mut diagnostics);
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
        for e in &entries {
            w.put(&e.text)?;
            w.put("\n\n")?;
        }
        w.put(&tail)?;
        Ok(diagnostics)
    }
}
