//! Blocks → items: macro expansion, field mapping, names, LaTeX → Unicode.

use super::fields::{
    access_from, derived_access, editor_type_role, role_rank, slot, Slot, EXTRA_EDITOR_FIELDS, TYPE_FIELD,
};
use super::macros::{expand, BibContext, Unexpanded};
use super::names;
use super::parse::{is_macro, Block, RawField, RawValue, Scanner};
use super::tex::{self, field_text, squash};
use crate::error::Diagnostic;
use crate::format::{Parsed, ParsedItem};
use crate::model::{
    is_issn, month_from_str, normalize_doi, split_keywords_with, Abstract, Access, AccessStatus, ExtraField, Item,
    ItemTag, ItemType, PartialDate, Role, SourceRecord,
};
use std::borrow::Cow;
use std::collections::HashSet;

/// The repair named in `Parsed::repairs` when comma-separated name lists are split.
const COMMA_REPAIR: &str = "bibtex: comma-separated author lists split into names (Scopus style)";

/// Verbatim fields (url, doi): braces and escapes of `_ % # &` removed, nothing else.
fn verbatim_text(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '{' | '}' => {}
            '\\' if chars.peek().is_some_and(|n| "_%#&$~".contains(*n)) => {}
            c if c.is_whitespace() => {}
            c => out.push(c),
        }
    }
    out
}

/// Abstract text: LaTeX → Unicode, each line trimmed, line breaks kept (they can mark
/// structured-abstract headings).
fn abstract_text(s: &str) -> String {
    let u = tex::to_unicode(s);
    let lines: Vec<String> = u.lines().map(squash).collect();
    let mut out = lines.join("\n");
    while out.contains("\n\n\n") {
        out = out.replace("\n\n\n", "\n\n");
    }
    out.trim().to_string()
}

pub(crate) fn parse(input: &str, ctx: &mut BibContext) -> Parsed {
    let mut items = Vec::new();
    let mut parsed = parse_into(input, ctx, &mut |pi, _| {
        items.push(pi);
        true
    });
    parsed.items = items;
    parsed
}

/// [`parse`], handing each item to `sink` as soon as it is read, with the byte offset the
/// reader has reached; `sink` returns false to stop reading. The returned `Parsed` has no
/// items.
pub(crate) fn parse_into(input: &str, ctx: &mut BibContext, sink: &mut crate::format::Sink<'_>) -> Parsed {
    let mut parsed = Parsed::default();
    ctx.start_file(input.len());
    let mut scanner = Scanner::new(input);
    let mut keys: HashSet<String> = HashSet::new();
    let mut suffixes = crate::model::citekey::Suffixes::new();
    let mut scopus = false;
    let groups = super::jabref::Tree::find(input);
    if let Some(tree) = &groups {
        for p in &tree.problems {
            parsed.diagnostics.push(Diagnostic::warning(
                tree.line,
                format!("JabRef groups: {p}; that group was left out"),
            ));
        }
        for n in &tree.notes {
            parsed
                .diagnostics
                .push(Diagnostic::warning(tree.line, format!("JabRef groups: {n}")));
        }
    }
    let mut entries = 0usize;
    while let Some(block) = scanner.next_block() {
        match block {
            Block::Error { line, message } => parsed.diagnostics.push(Diagnostic::error(line, message)),
            Block::Comment { text, .. } => parsed.extras.comments.push(text.to_string()),
            Block::Preamble { value, .. } => parsed.extras.preambles.push(value.raw.to_string()),
            Block::String { name, value, line } => {
                let mut unknown = Vec::new();
                match expand(&value, ctx, &mut unknown) {
                    Ok(expanded) => {
                        let expanded = expanded.into_owned();
                        ctx.define(name, expanded);
                    }
                    Err(why) => {
                        parsed.diagnostics.push(Diagnostic::warning(
                            line,
                            format!("@string {name} not expanded: {why}; values that use it are kept as written"),
                        ));
                        ctx.define_over(name);
                    }
                }
                for u in unknown {
                    parsed.diagnostics.push(Diagnostic::warning(
                        line,
                        format!("@string {name}: undefined macro {u:?}"),
                    ));
                }
                parsed.extras.strings.push((name.to_string(), value.raw.to_string()));
            }
            Block::Entry {
                ty,
                key,
                fields,
                text,
                line,
                broken,
            } => {
                entries += 1;
                let mut diags = Vec::new();
                if let Some(reason) = &broken {
                    diags.push(Diagnostic::error(
                        line,
                        format!(
                            "entry @{ty}{{{key}}} is broken ({reason}); kept the {} fields read before the error",
                            fields.len()
                        ),
                    ));
                }
                let mut item = entry_to_item(ty, key, &fields, ctx, line, &mut diags);
                if item.extra.iter().any(|f| f.name.eq_ignore_ascii_case("source"))
                    && item.extra_field("source").is_some_and(|s| s.contains("Scopus"))
                {
                    scopus = true;
                }
                if item.key.is_empty() {
                    diags.push(Diagnostic::warning(
                        line,
                        format!("@{ty} entry has no citation key; one will be generated"),
                    ));
                } else if keys.contains(&item.key.to_lowercase()) {
                    // BibTeX compares keys without case.
                    let new = suffixes.make_unique(&item.key, |k| keys.contains(&k.to_lowercase()));
                    diags.push(Diagnostic::warning(
                        line,
                        format!("duplicate key {:?} renamed to {new:?}", item.key),
                    ));
                    item.key = new;
                }
                if !item.key.is_empty() {
                    keys.insert(item.key.to_lowercase());
                }
                let fingerprint = item.fingerprint();
                item.source = Some(SourceRecord {
                    format: "bibtex".into(),
                    text: text.to_string(),
                    fingerprint,
                    batch: None,
                });
                if diags
                    .iter()
                    .any(|d| d.message.contains("separated by commas read as a list"))
                    && !parsed.repairs.iter().any(|r| r == COMMA_REPAIR)
                {
                    parsed.repairs.push(COMMA_REPAIR.to_string());
                }
                parsed.diagnostics.extend(diags);
                let checks = match &broken {
                    None => super::write::checks::entry_checks(ty, key, &fields, text),
                    Some(_) => (0, None),
                };
                let mut pi = ParsedItem::new(item, line);
                pi.source_checks = Some(checks);
                if let Some(tree) = &groups {
                    pi.collections = tree.collections_of(&pi.item);
                }
                if !sink(pi, scanner.position()) {
                    break;
                }
            }
        }
    }
    if scopus {
        parsed.dialect = Some("scopus".into());
    }
    outside_text(&mut scanner, entries, input, &mut parsed);
    if let Some(tree) = groups {
        let plan = tree.plan();
        if !plan.left_out.is_empty() {
            parsed.diagnostics.push(Diagnostic::info(
                tree.line,
                format!("JabRef groups not imported: {}", plan.left_out.join("; ")),
            ));
        }
        parsed.groups = Some(plan);
    }
    parsed
}

/// [`expand`], or the value as written (its macro names unexpanded) with a warning when its
/// expansion is past the budget.
fn expand_or_keep<'a>(
    v: &RawValue<'a>,
    name: &str,
    ctx: &BibContext,
    unknown: &mut Vec<String>,
    key: &str,
    line: usize,
    diags: &mut Vec<Diagnostic>,
) -> Cow<'a, str> {
    expand(v, ctx, unknown).unwrap_or_else(|why: Unexpanded| {
        diags.push(Diagnostic::warning(
            line,
            format!("{key}: field {name} kept as written, macros not expanded: {why}"),
        ));
        Cow::Borrowed(v.raw)
    })
}

/// What the scanner skipped outside blocks: a file without a single entry but with text is not
/// BibTeX (an error: nothing imports); binary-looking text between entries (control
/// characters, U+FFFD) is reported, while plain text there stays a comment, as BibTeX reads it.
fn outside_text(scanner: &mut Scanner<'_>, entries: usize, input: &str, parsed: &mut Parsed) {
    let (stray, binary) = scanner.outside_text();
    let blocks = entries + parsed.extras.strings.len() + parsed.extras.preambles.len() + parsed.extras.comments.len();
    if let (0, Some(line)) = (blocks, stray) {
        let text = input.lines().nth(line - 1).unwrap_or("").trim();
        let shown: String = text
            .chars()
            .take(40)
            .map(|c| if c.is_control() { '\u{FFFD}' } else { c })
            .collect();
        let what = if binary.is_some() {
            "binary data (control characters)"
        } else {
            "text"
        };
        parsed.diagnostics.push(Diagnostic::error(
            line,
            format!("no entries found; this does not look like BibTeX: line {line} holds {what}: {shown:?}"),
        ));
    } else if let Some((line, n)) = binary {
        parsed.diagnostics.push(Diagnostic::warning(
            line,
            format!(
                "binary-looking text outside entries ({n} control or replacement character(s), the first on line {line}); skipped"
            ),
        ));
    }
}

/// `editora`…`editorc` whose `…type` names one of Folio's roles ([`EDITOR_TYPE_ROLES`]) and
/// the role; the others stay kept fields. Only a plain word counts (no macros, no markup).
fn typed_editors(fields: &[RawField<'_>]) -> Vec<(&'static str, Role)> {
    EXTRA_EDITOR_FIELDS
        .into_iter()
        .filter_map(|list| {
            let has_list = fields.iter().any(|f| f.name.eq_ignore_ascii_case(list));
            let ty = fields
                .iter()
                .find(|f| f.name.len() == list.len() + 4 && f.name.to_ascii_lowercase() == format!("{list}type"))?;
            let word = ty.value.raw.trim().trim_matches(|c| c == '{' || c == '}' || c == '"');
            editor_type_role(word).filter(|_| has_list).map(|r| (list, r))
        })
        .collect()
}

/// Mendeley writes a journal's ISSN as `isbn`: read as the ISSN it is (as RIS and the
/// library's checks read it), with a note.
fn issn_in_isbn(item: &mut Item, key: &str, line: usize, diags: &mut Vec<Diagnostic>) {
    if item.issn.is_empty() && is_issn(&item.isbn) {
        diags.push(Diagnostic::info(
            line,
            format!("{key}: isbn {} is an ISSN; read as the ISSN", item.isbn),
        ));
        item.issn = std::mem::take(&mut item.isbn);
    }
}

fn entry_to_item(
    ty: &str,
    key: &str,
    fields: &[RawField<'_>],
    ctx: &BibContext,
    line: usize,
    diags: &mut Vec<Diagnostic>,
) -> Item {
    let mut item = Item {
        key: key.to_string(),
        ..Default::default()
    };
    entry_type(&mut item, ty, line, diags);
    // First pass: which slots are filled, so that later duplicates and the year/month pair
    // can be decided.
    let has_date = fields.iter().any(|f| f.name.eq_ignore_ascii_case("date"));
    // ACM writes the conference venue as `location` beside the publisher's `address`: then
    // `address` is the place and `location` is kept as it is (no repeated-field warning).
    let has_address = fields.iter().any(|f| f.name.eq_ignore_ascii_case("address"));
    let mut buf = [0u8; 24];
    let mut filled: Vec<Slot> = Vec::new();
    let mut year_text: Option<String> = None;
    let mut month_idx: Option<usize> = None;
    let mut day_idx: Option<usize> = None;
    let mut year_idx: Option<usize> = None;
    let mut creators: Vec<(Role, Vec<crate::model::Creator>)> = Vec::new();
    let mut unknown = Vec::new();
    let mut extra_at: Vec<(usize, ExtraField)> = Vec::new();
    let typed = typed_editors(fields);
    for (i, f) in fields.iter().enumerate() {
        let s = if f.name.len() <= buf.len() {
            let n = &mut buf[..f.name.len()];
            n.copy_from_slice(f.name.as_bytes());
            n.make_ascii_lowercase();
            std::str::from_utf8(n)
                .ok()
                .and_then(|n| slot(n).or_else(|| typed.iter().find(|(x, _)| *x == n).map(|(_, r)| Slot::Creators(*r))))
        } else {
            None
        };
        if typed
            .iter()
            .any(|(x, _)| f.name.len() == x.len() + 4 && f.name.to_ascii_lowercase() == format!("{x}type"))
        {
            continue; // the role of a list read above
        }
        let keep = |extra_at: &mut Vec<(usize, ExtraField)>| {
            extra_at.push((i, ExtraField::bibtex(f.name.to_string(), f.value.raw.to_string())));
        };
        let Some(s) = s else {
            keep(&mut extra_at);
            continue;
        };
        if s == Slot::Place && has_address && f.name.eq_ignore_ascii_case("location") {
            keep(&mut extra_at);
            continue;
        }
        if filled.contains(&s) {
            if !matches!(s, Slot::Creators(_)) {
                diags.push(Diagnostic::warning(
                    line,
                    format!("{key}: field {} repeats a field already read; kept as is", f.name),
                ));
            }
            keep(&mut extra_at);
            continue;
        }
        let v = expand_or_keep(&f.value, f.name, ctx, &mut unknown, key, line, diags);
        match s {
            Slot::Year | Slot::Month | Slot::Day if has_date => {
                keep(&mut extra_at);
                continue;
            }
            Slot::Year => {
                year_text = Some(v.into_owned());
                year_idx = Some(i);
                filled.push(s);
                continue;
            }
            Slot::Month => {
                month_idx = Some(i);
                filled.push(s);
                continue;
            }
            Slot::Day => {
                day_idx = Some(i);
                filled.push(s);
                continue;
            }
            _ => {}
        }
        filled.push(s);
        match s {
            Slot::Access => match access_from(&field_text(&v)) {
                Some(st) => item.access = Access::new(st, "bibtex:access"),
                None => {
                    filled.retain(|x| *x != s);
                    keep(&mut extra_at);
                }
            },
            Slot::Creators(role) => match names::repair_comma_list(&v) {
                Some(fixed) => {
                    diags.push(Diagnostic::info(
                        line,
                        format!("{key}: {} names separated by commas read as a list", f.name),
                    ));
                    creators.push((role, names::parse_list(role, &fixed)));
                }
                None => creators.push((role, names::parse_list(role, &v))),
            },
            Slot::Year | Slot::Month | Slot::Day => unreachable!("handled above"),
            _ => set_text_slot(&mut item, s, &v),
        }
    }
    // year + month (+ day).
    let _ = year_idx;
    let parts = DateParts {
        year: year_text,
        month: month_idx,
        day: day_idx,
    };
    read_date_parts(&mut item, parts, fields, ctx, &mut unknown, &mut extra_at);
    extra_at.sort_by_key(|(i, _)| *i);
    item.extra.extend(extra_at.into_iter().map(|(_, f)| f));
    pubstate_as_date(&mut item);
    issn_in_isbn(&mut item, key, line, diags);
    // Creators grouped by role in the order the writer uses (author, editor, translator,
    // bookauthor), each list in its own order.
    creators.sort_by_key(|(r, _)| role_rank(*r));
    for (_, list) in creators {
        item.creators.extend(list);
    }
    if item.access.status == AccessStatus::Unknown {
        item.access = derived_access(&item.note, &item.extra);
    }
    unknown.sort();
    unknown.dedup();
    for u in unknown {
        diags.push(Diagnostic::warning(
            line,
            format!("{key}: undefined macro {u:?} (kept as its name)"),
        ));
    }
    let _ = is_macro;
    item
}

/// Fill a text slot (every slot but access, creators and the year/month/day parts) from the
/// field's expanded value.
fn set_text_slot(item: &mut Item, s: Slot, v: &str) {
    match s {
        Slot::Title => item.title = field_text(v),
        Slot::Subtitle => item.subtitle = field_text(v),
        Slot::ShortTitle => item.short_title = field_text(v),
        Slot::Container => item.container = field_text(v),
        Slot::Series => item.series = field_text(v),
        Slot::Volume => item.volume = field_text(v),
        Slot::Issue => item.issue = field_text(v),
        Slot::Pages => item.pages = field_text(v),
        Slot::Edition => item.edition = field_text(v),
        Slot::Publisher => item.publisher = field_text(v),
        Slot::Place => item.place = field_text(v),
        Slot::Institution => item.institution = field_text(v),
        Slot::Doi => item.doi = normalize_doi(&verbatim_text(v)),
        Slot::Issn => item.issn = field_text(v),
        Slot::Isbn => item.isbn = field_text(v),
        Slot::Url => item.url = verbatim_text(v),
        Slot::Language => item.language = field_text(v),
        Slot::Note => item.note = field_text(v),
        Slot::Genre => item.genre = field_text(v),
        Slot::Abstract => item.r#abstract = Abstract::parse(&abstract_text(v)),
        Slot::Keywords => {
            // Cut the TeX text, so that a brace group ("{Colitis, Ulcerative}") stays one tag.
            item.add_tags(split_keywords_with(v, field_text).iter().map(|k| ItemTag::imported(k)));
        }
        Slot::Date => item.date = PartialDate::parse(&field_text(v)),
        Slot::Access | Slot::Creators(_) | Slot::Year | Slot::Month | Slot::Day => {
            unreachable!("filled by entry_to_item")
        }
    }
}

/// The item type of entry type `ty`; the original type is kept in [`TYPE_FIELD`] when Folio
/// does not know it (the item is `misc`) or has no BibLaTeX name of its own for it.
fn entry_type(item: &mut Item, ty: &str, line: usize, diags: &mut Vec<Diagnostic>) {
    let lower_ty = ty.to_ascii_lowercase();
    match ItemType::from_bibtex(&lower_ty) {
        Some(t) => {
            item.item_type = t;
            if ItemType::from_bibtex(t.biblatex_type()) != Some(t) {
                // e.g. @video: Folio's type has no BibLaTeX name of its own; keep the original.
                item.extra.push(ExtraField::bibtex(TYPE_FIELD.into(), ty.to_string()));
            }
        }
        None => {
            item.item_type = ItemType::Misc;
            item.extra.push(ExtraField::bibtex(TYPE_FIELD.into(), ty.to_string()));
            diags.push(Diagnostic::warning(
                line,
                format!("unknown entry type @{ty} imported as misc (the type is kept)"),
            ));
        }
    }
}

/// An entry's `year` text and the indices of its `month` and `day` fields (when not
/// overridden by `date`).
struct DateParts {
    year: Option<String>,
    month: Option<usize>,
    day: Option<usize>,
}

/// The date from `year` + `month` (+ `day`); a month or day that did not make it into the
/// date is kept as an extra field (with its index in the entry, for the order).
fn read_date_parts(
    item: &mut Item,
    parts: DateParts,
    fields: &[RawField<'_>],
    ctx: &BibContext,
    unknown: &mut Vec<String>,
    extra_at: &mut Vec<(usize, ExtraField)>,
) {
    let DateParts {
        year: year_text,
        month: month_idx,
        day: day_idx,
    } = parts;
    if let Some(y) = year_text {
        let yt = field_text(&y);
        let month = month_idx
            .map(|i| field_text(&expand(&fields[i].value, ctx, unknown).unwrap_or(Cow::Borrowed(fields[i].value.raw))));
        let day = day_idx
            .map(|i| field_text(&expand(&fields[i].value, ctx, unknown).unwrap_or(Cow::Borrowed(fields[i].value.raw))));
        let numeric = !yt.is_empty() && yt.len() <= 4 && yt.bytes().all(|c| c.is_ascii_digit());
        let m = month.as_deref().and_then(month_from_str);
        let d = day
            .as_deref()
            .and_then(|d| d.parse::<u8>().ok())
            .filter(|d| (1..=31).contains(d));
        if numeric {
            let mut date = PartialDate::ymd(yt.parse().expect("digits"), m, m.and(d));
            date.raw = date.iso();
            item.date = date;
        } else {
            item.date = PartialDate::parse(&yt);
        }
        // A month or day that did not make it into the date is kept.
        let month_used = numeric && m.is_some();
        let day_used = month_used && d.is_some();
        if let Some(i) = month_idx.filter(|_| !month_used) {
            extra_at.push((i, raw_extra(&fields[i])));
        }
        if let Some(i) = day_idx.filter(|_| !day_used) {
            extra_at.push((i, raw_extra(&fields[i])));
        }
    } else {
        for i in [month_idx, day_idx].into_iter().flatten() {
            extra_at.push((i, raw_extra(&fields[i])));
        }
    }
}

fn raw_extra(f: &RawField<'_>) -> ExtraField {
    ExtraField::bibtex(f.name.to_string(), f.value.raw.to_string())
}

/// biblatex's `pubstate` on an entry without a date is its date ("in press"), as a BibTeX
/// `year = {in press}` is: the writers give it back as `pubstate` (BibLaTeX) or `year`.
fn pubstate_as_date(item: &mut Item) {
    if !item.date.is_empty() {
        return;
    }
    let Some(i) = item.extra.iter().position(|f| f.name.eq_ignore_ascii_case("pubstate")) else {
        return;
    };
    let v = item.extra[i]
        .value
        .trim()
        .trim_matches(['{', '}', '"'])
        .trim()
        .to_ascii_lowercase();
    let Some((_, text)) = super::fields::PUBSTATES.iter().find(|(k, _)| *k == v) else {
        return;
    };
    item.extra.remove(i);
    item.date = PartialDate::parse(text);
}
