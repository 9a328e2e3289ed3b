//! RIS reader: lines → records → items.

use super::record::{tag_line, RawField, RawRecord};
use super::tags::{self, Field, Meaning};
use super::vendors::{self, Repairs, Vendor};
use crate::error::Diagnostic;
use crate::format::names::ris_creator;
use crate::format::{Parsed, ParsedItem};
use crate::model::{
    normalize_doi, Abstract, Access, AccessStatus, ExtraField, Item, ItemTag, ItemType, PartialDate, SourceRecord,
};

/// Lines with their 1-based number and byte range (terminator excluded); CRLF, LF and CR.
fn lines(text: &str) -> impl Iterator<Item = (usize, usize, usize)> + '_ {
    let b = text.as_bytes();
    let mut start = 0;
    let mut n = 0;
    std::iter::from_fn(move || {
        if start >= b.len() {
            return None;
        }
        let s = start;
        let mut i = s;
        while i < b.len() && b[i] != b'\n' && b[i] != b'\r' {
            i += 1;
        }
        start = if i < b.len() && b[i] == b'\r' && b.get(i + 1) == Some(&b'\n') {
            i + 2
        } else {
            i + 1
        };
        n += 1;
        Some((n, s, i))
    })
}

/// Remove the BOM and the Unicode line/paragraph separators Atypon sites emit.
pub(crate) fn clean_input(input: &str) -> std::borrow::Cow<'_, str> {
    let t = input.strip_prefix('\u{feff}').unwrap_or(input);
    if t.contains(['\u{2028}', '\u{2029}', '\u{feff}']) {
        std::borrow::Cow::Owned(t.replace(['\u{2028}', '\u{2029}', '\u{feff}'], ""))
    } else {
        std::borrow::Cow::Borrowed(t)
    }
}

/// Tags Ovid writes after a record's `ER` (`NL`, the journal's NLM abbreviation) belong to
/// the record before; a tag that names a work (title, creator, date, DOI, type) never does:
/// it is the start of a record whose `TY` line was lost.
fn ovid_trailer(tag: &[u8; 2]) -> bool {
    !matches!(
        tag,
        b"TI" | b"T1" | b"CT" | b"BT" | b"AU" | b"A1" | b"A2" | b"A3" | b"ED" | b"PY" | b"Y1" | b"DA" | b"DO" | b"TY"
    )
}

/// The type given to a record whose `TY` line was lost.
const NO_TY_TYPE: &str = "GEN";

/// Split text into records. Diagnostics for data outside records and missing `ER` lines.
///
/// A record ends at its `ER` line, or (the `ER` lost) at the next `TY` line. Tag lines after
/// an `ER` and before the next `TY` are a record whose `TY` line was lost: they start a new
/// record of the generic type (with a warning), never joining the closed record before, except
/// Ovid's trailer tags ([`ovid_trailer`]). Linear in the text: each line is looked at once.
pub(crate) fn records(text: &str, diags: &mut Vec<Diagnostic>, repairs: &mut Repairs) -> Vec<RawRecord> {
    let mut out: Vec<RawRecord> = Vec::new();
    let mut cur: Option<(RawRecord, usize, usize)> = None; // record, text start, text end
                                                           // Right after an `ER`: whether the closed record takes trailer tags (Ovid), worked out
                                                           // once per record when the first tag after its `ER` comes.
    let mut after_er: Option<Option<bool>> = None;
    for (n, s, e) in lines(text) {
        let line = &text[s..e];
        if line.trim().is_empty() {
            continue;
        }
        match tag_line(line) {
            Some((tag, value)) if &tag == b"TY" => {
                if let Some((mut r, ts, te)) = cur.take() {
                    diags.push(Diagnostic::warning(
                        r.line,
                        format!(
                            "record starting on line {} has no ER line; it ends before the TY on line {n}",
                            r.line
                        ),
                    ));
                    r.text = text[ts..te].to_string();
                    out.push(r);
                }
                after_er = None;
                let r = RawRecord {
                    line: n,
                    ty: value.to_string(),
                    ..Default::default()
                };
                cur = Some((r, s, e));
            }
            Some((tag, _)) if &tag == b"ER" => {
                if let Some((mut r, ts, _)) = cur.take() {
                    r.text = text[ts..e].to_string();
                    r.closed = true;
                    out.push(r);
                    after_er = Some(None);
                }
            }
            Some((tag, value)) => {
                let field = RawField {
                    tag,
                    value: value.to_string(),
                    line: n,
                };
                if let Some((r, _, te)) = cur.as_mut() {
                    r.fields.push(field);
                    *te = e;
                    continue;
                }
                if let (Some(ovid), Some(prev)) = (after_er.as_mut(), out.last_mut()) {
                    let takes = *ovid.get_or_insert_with(|| vendors::detect(prev) == Some(Vendor::Ovid));
                    if takes && ovid_trailer(&tag) {
                        prev.fields.push(field);
                        prev.text.push('\n');
                        prev.text.push_str(line);
                        repairs.add("ovid: tags after ER attached to the record before");
                        continue;
                    }
                }
                // A record whose TY line was lost: its own record, never part of the one before.
                after_er = None;
                diags.push(Diagnostic::warning(
                    n,
                    format!(
                        "record without TY line, read as generic ({NO_TY_TYPE}); it starts with this {} line",
                        field.tag()
                    ),
                ));
                let r = RawRecord {
                    line: n,
                    ty: NO_TY_TYPE.to_string(),
                    fields: vec![field],
                    ..Default::default()
                };
                cur = Some((r, s, e));
            }
            None => {
                if let Some((r, _, te)) = cur.as_mut() {
                    let cont = line.trim();
                    match r.fields.last_mut() {
                        Some(f) => {
                            if !f.value.is_empty() {
                                f.value.push(if tags::keeps_newlines(f.tag()) { '\n' } else { ' ' });
                            }
                            f.value.push_str(cont);
                        }
                        None => diags.push(Diagnostic::warning(
                            n,
                            format!("text after the TY line ignored: {cont:?}"),
                        )),
                    }
                    *te = e;
                }
                // Text between records ("1.", "Link to the Ovid Full Text …") is not data.
            }
        }
    }
    if let Some((mut r, ts, te)) = cur.take() {
        if !r.fields.is_empty() {
            diags.push(Diagnostic::warning(
                r.line,
                format!(
                    "record starting on line {} has no ER line; it ends at the end of the file",
                    r.line
                ),
            ));
        }
        r.text = text[ts..te].to_string();
        out.push(r);
    }
    out
}

/// Whether the text is Web of Science tagged rather than RIS.
fn is_wos(text: &str) -> bool {
    let mut saw_wos = false;
    for l in text.lines().take(200) {
        if tag_line(l).is_some_and(|(t, _)| &t == b"TY") {
            return false;
        }
        if l.starts_with("FN ") || l.starts_with("PT ") || l.starts_with("VR ") {
            saw_wos = true;
        }
    }
    saw_wos
}

/// Read RIS (or Web of Science tagged) text.
pub fn parse(input: &str) -> Parsed {
    let mut items = Vec::new();
    let mut parsed = parse_into(input, &mut |pi, _| {
        items.push(pi);
        true
    });
    parsed.items = items;
    parsed
}

const NO_RECORDS: &str = "no RIS records (TY  - … ER  - ) found";

/// [`parse`] handing each item to `sink` as it is built (see [`crate::format::Sink`]).
pub fn parse_into(input: &str, sink: &mut crate::format::Sink<'_>) -> Parsed {
    let text = clean_input(input);
    if is_wos(&text) {
        return crate::format::feed(super::wos::parse(&text), input.len(), sink);
    }
    let mut parsed = Parsed::default();
    let mut repairs = Repairs::default();
    let recs = records(&text, &mut parsed.diagnostics, &mut repairs);
    let mut vendor_counts: Vec<(Vendor, usize)> = Vec::new();
    let n = recs.len();
    let mut sent = 0usize;
    for (i, mut rec) in recs.into_iter().enumerate() {
        if rec.fields.iter().all(|f| f.value.trim().is_empty()) {
            parsed.diagnostics.push(Diagnostic::warning(
                rec.line,
                "record has no fields besides its type".to_string(),
            ));
        }
        let vendor = vendors::detect(&rec);
        if let Some(v) = vendor {
            match vendor_counts.iter_mut().find(|(x, _)| *x == v) {
                Some((_, c)) => *c += 1,
                None => vendor_counts.push((v, 1)),
            }
        }
        // A bug in a repair or mapping must cost one record, not the file.
        let built = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            if let Some(v) = vendor {
                vendors::before(v, &mut rec, &mut repairs);
            }
            let (mut item, diags) = build_item(&rec, &mut repairs);
            if let Some(v) = vendor {
                vendors::after(v, &mut item, &rec, &mut repairs);
            }
            (item, diags)
        }));
        let Ok((mut item, diags)) = built else {
            parsed.diagnostics.push(Diagnostic::error(
                rec.line,
                "record could not be read (internal error); skipped".to_string(),
            ));
            continue;
        };
        parsed.diagnostics.extend(diags);
        let fingerprint = item.fingerprint();
        item.source = Some(SourceRecord {
            format: "ris".into(),
            text: std::mem::take(&mut rec.text),
            fingerprint,
            batch: None,
        });
        sent += 1;
        if !sink(ParsedItem::new(item, rec.line), input.len() * (i + 1) / n) {
            break;
        }
    }
    if sent == 0 && parsed.diagnostics.is_empty() {
        parsed.diagnostics.push(Diagnostic::error(None, NO_RECORDS));
    }
    vendor_counts.sort_by_key(|v| std::cmp::Reverse(v.1));
    parsed.dialect = vendor_counts.first().map(|(v, _)| v.name().to_string());
    parsed.repairs = repairs.into_list();
    parsed
}

/// Values for one field: standard tags first, deprecated tags only when no standard tag
/// had a value. Returns the chosen values and the unused (deprecated) ones.
struct Slots<'a> {
    std: Vec<Vec<&'a RawField>>,
    old: Vec<Vec<&'a RawField>>,
}

const FIELD_COUNT: usize = 27;
const _: () = assert!(
    Field::ProceedingsTitle as usize + 1 == FIELD_COUNT,
    "FIELD_COUNT must match Field"
);

fn field_index(f: Field) -> usize {
    f as usize
}

impl<'a> Slots<'a> {
    fn chosen(&self, f: Field) -> &[&'a RawField] {
        let i = field_index(f);
        if self.std[i].is_empty() {
            &self.old[i]
        } else {
            &self.std[i]
        }
    }
    fn unused(&self, f: Field) -> &[&'a RawField] {
        let i = field_index(f);
        if self.std[i].is_empty() {
            &[]
        } else {
            &self.old[i]
        }
    }
}

/// Keep as extras the values of a single-valued field that were not used and say something
/// else than the used value (each tag and value once; a set, so 100k repeated tags are linear).
fn keep_rest(item: &mut Item, used: &str, rest: &[&RawField]) {
    if rest.is_empty() {
        return;
    }
    let tags: std::collections::HashSet<&str> = rest.iter().map(|f| f.tag()).collect();
    let mut seen: std::collections::HashSet<(String, String)> = item
        .extra
        .iter()
        .filter(|e| tags.contains(e.name.as_str()))
        .map(|e| (e.name.clone(), e.value.clone()))
        .collect();
    for f in rest {
        let v = f.value.trim();
        if !v.is_empty() && !v.eq_ignore_ascii_case(used.trim()) && seen.insert((f.tag().to_string(), v.to_string())) {
            item.extra.push(ExtraField::ris(f.tag().to_string(), v.to_string()));
        }
    }
}

/// Take a single-valued field: first chosen value; other chosen and unused values that differ
/// are kept as extras.
fn single(item: &mut Item, slots: &Slots, f: Field) -> String {
    let chosen = slots.chosen(f);
    let Some(pos) = chosen.iter().position(|x| !x.value.trim().is_empty()) else {
        return String::new();
    };
    let used = chosen[pos].value.trim().to_string();
    if chosen.len() > 1 || !slots.unused(f).is_empty() {
        let rest: Vec<&RawField> = chosen
            .iter()
            .enumerate()
            .filter(|(i, _)| *i != pos)
            .map(|(_, x)| *x)
            .chain(slots.unused(f).iter().copied())
            .collect();
        keep_rest(item, &used, &rest);
    }
    used
}

/// The DOI a value is ("10.1234/abcd", "doi: 10.1234/abcd", "DOI 10.1234/abcd",
/// "https://doi.org/10.1234/abcd"), if it is nothing else.
fn doi_in(v: &str) -> Option<String> {
    let t = v.trim();
    let t = match t.get(..3) {
        Some(p) if p.eq_ignore_ascii_case("doi") => t[3..].trim_start_matches([':', ' ']),
        _ => t,
    };
    let d = normalize_doi(t);
    let (prefix, suffix) = d.split_once('/')?;
    let registrant = prefix.strip_prefix("10.")?;
    let ok = !registrant.is_empty()
        && registrant.bytes().all(|b| b.is_ascii_digit() || b == b'.')
        && !suffix.is_empty()
        && !d.contains(char::is_whitespace);
    ok.then_some(d)
}

/// "pp 37-64", "pp. 37-64", "p. 5" → the pages alone.
fn strip_pp(s: String) -> String {
    for pre in ["pp.", "pp", "p."] {
        if let Some(rest) = s.strip_prefix(pre) {
            if rest.starts_with([' ', '.']) || rest.starts_with(|c: char| c.is_ascii_digit()) {
                return rest.trim_start_matches(['.', ' ']).to_string();
            }
        }
    }
    s
}

/// The kept field an eISSN beside a print ISSN goes to (RIS writes it back as `SN … (Electronic)`).
pub(crate) const EISSN_FIELD: &str = "eissn";

/// Collapse runs of whitespace (keeps the string when there are none).
fn collapse(s: String) -> String {
    if s.contains("  ") || s.contains(['\n', '\t']) {
        s.split_whitespace().collect::<Vec<_>>().join(" ")
    } else {
        s
    }
}

/// "26896575(ELECTRONIC),26896567(PRINT)": cut at each comma that a number (or an `ISSN`/
/// `ISBN` label) follows; other commas ("(v. 1, pbk.)") stay.
fn split_number_list(v: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut start = 0;
    for (i, _) in v.match_indices(',') {
        let next = v[i + 1..].trim_start();
        let lower = next.get(..4).unwrap_or("").to_ascii_lowercase();
        if next.starts_with(|c: char| c.is_ascii_digit()) || matches!(lower.as_str(), "issn" | "isbn" | "eiss") {
            out.push(&v[start..i]);
            start = i + 1;
        }
    }
    out.push(&v[start..]);
    out
}

/// What a standard number is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Sn {
    Issn,
    /// An ISSN marked as the electronic one: "1365-2664 (Electronic)", "eISSN: …".
    Eissn,
    Isbn,
}

/// Split "03064530 (ISSN)" style values and tell ISSN, eISSN and ISBN apart.
pub(crate) fn classify_sn_parts(value: &str, ty: ItemType) -> Vec<(Sn, String)> {
    let mut out = Vec::new();
    let parts = value.split([';', '\n']).flat_map(split_number_list);
    for part in parts.map(str::trim).filter(|p| !p.is_empty()) {
        let mut p = part.to_string();
        let lower = p.to_ascii_lowercase();
        let mut hint = None;
        let mut electronic = lower.starts_with("eissn") || lower.starts_with("e-issn");
        if let Some(open) = p.find('(') {
            let inside = lower[open..].to_string();
            electronic |= ["electronic", "online", "eissn", "e-issn"]
                .iter()
                .any(|w| inside.contains(w));
            if electronic {
                hint = Some(true);
            }
            if inside.contains("isbn") {
                hint = Some(false);
            } else if inside.contains("issn") {
                hint = Some(true);
            }
            if p.ends_with(')') {
                p = p[..open].trim().to_string();
            }
        }
        for pre in ["ISSN:", "ISSN ", "ISBN:", "ISBN ", "eISSN:", "EISSN "] {
            if p.len() >= pre.len() && p.is_char_boundary(pre.len()) && p[..pre.len()].eq_ignore_ascii_case(pre) {
                hint = Some(pre.to_ascii_lowercase().contains("issn"));
                p = p[pre.len()..].trim().to_string();
                break;
            }
        }
        let digits: String = p.chars().filter(|c| c.is_ascii_alphanumeric()).collect();
        let numeric = !digits.is_empty()
            && digits
                .chars()
                .enumerate()
                .all(|(i, c)| c.is_ascii_digit() || ((c == 'X' || c == 'x') && i == digits.len() - 1));
        let is_issn = match hint {
            Some(h) => h,
            None if numeric && digits.len() == 8 => true,
            None if numeric && (digits.len() == 10 || digits.len() == 13) => false,
            None => !(ty.is_part_of_book() || matches!(ty, ItemType::Book | ItemType::Collection)),
        };
        if is_issn && numeric && digits.len() == 8 && !p.contains('-') {
            p = format!("{}-{}", &digits[..4], &digits[4..]);
        }
        if !p.is_empty() {
            let kind = match (is_issn, electronic) {
                (false, _) => Sn::Isbn,
                (true, false) => Sn::Issn,
                (true, true) => Sn::Eissn,
            };
            out.push((kind, p));
        }
    }
    out
}

/// Split one KW value into keywords (`;` and line breaks separate; commas do not).
pub(crate) fn split_kw(v: &str) -> impl Iterator<Item = &str> {
    v.split([';', '\n', '\r'])
        .map(|k| k.trim().trim_end_matches('.').trim())
        .filter(|k| !k.is_empty())
}

/// The note line the writer uses for the access status.
pub(crate) const ACCESS_NOTE: &str = "Access status:";

/// Read "Access status: open (source)".
pub(crate) fn access_note(v: &str) -> Option<Access> {
    let rest = v.trim().strip_prefix(ACCESS_NOTE)?.trim();
    let (status, source) = match rest.split_once('(') {
        Some((s, src)) => (s.trim(), src.trim_end_matches(')').trim()),
        None => (rest, ""),
    };
    let status: AccessStatus = status.parse().ok()?;
    Some(Access::new(status, source))
}

/// The thesis type a degree text names, with the writer's marker text for it.
pub(crate) fn thesis_kind(genre: &str) -> Option<(ItemType, &'static str)> {
    let g = genre.to_ascii_lowercase();
    let g = g.trim();
    if g.is_empty() {
        return None;
    }
    if g.contains("phd") || g.contains("ph.d") || g.contains("doctor") || g.contains("dissertation") {
        Some((ItemType::PhdThesis, "Doctoral thesis"))
    } else if g.contains("master") || g.starts_with("m.a") || g.starts_with("m.sc") || g.starts_with("msc") {
        Some((ItemType::MastersThesis, "Master's thesis"))
    } else {
        None
    }
}

/// TY names some tools write instead of codes.
fn type_alias(ty: &str) -> Option<ItemType> {
    Some(match ty.trim().to_lowercase().as_str() {
        "journal article" | "article" | "journal" => ItemType::Article,
        "book section" | "chapter" | "book chapter" => ItemType::InCollection,
        "conference paper" | "conference proceedings" => ItemType::InProceedings,
        "book" => ItemType::Book,
        "edited book" => ItemType::Collection,
        "thesis" | "dissertation" => ItemType::Thesis,
        "report" => ItemType::Report,
        "web page" | "webpage" | "electronic source" => ItemType::Online,
        "generic" => ItemType::Misc,
        "magazine article" => ItemType::MagazineArticle,
        "newspaper article" => ItemType::NewspaperArticle,
        _ => return None,
    })
}

/// Map one record to an item.
pub(crate) fn build_item(rec: &RawRecord, repairs: &mut Repairs) -> (Item, Vec<Diagnostic>) {
    let mut diags = Vec::new();
    let mut item = Item::default();
    let ty_code = rec.ty.trim();
    let has_container = ["T2", "BT"].iter().any(|t| rec.first(t).is_some());
    let ty = match tags::type_of_code(ty_code, has_container) {
        Some(t) => t,
        None => match type_alias(ty_code) {
            Some(t) => {
                repairs.add("type names such as \"Journal Article\" read as RIS type codes");
                t
            }
            None => {
                diags.push(Diagnostic::warning(
                    rec.line,
                    if ty_code.is_empty() {
                        "record has no RIS type; imported as misc".to_string()
                    } else {
                        format!("unknown RIS type {ty_code:?}; imported as misc (the type is kept)")
                    },
                ));
                ItemType::Misc
            }
        },
    };
    item.item_type = ty;
    if !ty_code.is_empty() && type_alias(ty_code).is_none() && !ty_code.eq_ignore_ascii_case(ty.ris_type()) {
        item.extra.push(ExtraField::ris("TY".into(), ty_code.to_string()));
    }

    let slots = sort_fields(rec, ty, &mut item, repairs);
    read_titles(&mut item, &slots, rec, ty);
    read_numbering(&mut item, &slots, ty);
    read_identifiers(&mut item, &slots, ty);
    read_dates(&mut item, &slots, rec, repairs);
    read_notes(&mut item, &slots);

    if item.title.is_empty() {
        diags.push(Diagnostic::warning(rec.line, "record has no title".to_string()));
    }
    (item, diags)
}

/// Sort a record's fields into slots by what their tag means for the item type
/// ([`tags::meaning`]; standard and deprecated tags apart); creators and kept tags go to the
/// item in record order.
fn sort_fields<'r>(rec: &'r RawRecord, ty: ItemType, item: &mut Item, repairs: &mut Repairs) -> Slots<'r> {
    let mut slots = Slots {
        std: vec![Vec::new(); FIELD_COUNT],
        old: vec![Vec::new(); FIELD_COUNT],
    };
    for f in &rec.fields {
        let tag = f.tag();
        match tags::meaning(tag, ty) {
            Some((Meaning::Creator(role), _)) => {
                for name in f.value.split(';').map(str::trim).filter(|n| !n.is_empty()) {
                    let (name, email) = split_email(name);
                    item.creators.push(ris_creator(role, name));
                    if let Some(email) = email {
                        // "Doe, Jane (jane@y.org)": the address is no part of the name; kept as
                        // an author address (`AD`) saying whose it is.
                        item.extra
                            .push(ExtraField::ris("AD".into(), format!("{name} <{email}>")));
                        repairs.add("e-mail addresses after names kept as author addresses (AD)");
                    }
                }
            }
            Some((Meaning::Field(field), deprecated)) => {
                let i = field_index(field);
                if deprecated {
                    slots.old[i].push(f);
                } else {
                    slots.std[i].push(f);
                }
            }
            Some((Meaning::Keep, _)) | None => {
                if !f.value.trim().is_empty() {
                    item.extra
                        .push(ExtraField::ris(tag.to_string(), f.value.trim().to_string()));
                }
            }
        }
    }
    // Creators: one record may mix A1 and AU; "Surname,I.I." forms are fine for parse_name.
    if item
        .creators
        .iter()
        .any(|c| c.family().is_empty() && c.given().is_empty())
    {
        item.creators
            .retain(|c| !(c.family().is_empty() && c.given().is_empty()));
    }
    slots
}

/// A name with an e-mail address after it ("Doe, Jane (jane@y.org)", "Doe, Jane
/// jane@y.org", "Doe, Jane <jane@y.org>"): the name without it, and the address.
fn split_email(name: &str) -> (&str, Option<&str>) {
    let Some(at) = name.find('@') else {
        return (name, None);
    };
    let start = name[..at].rfind([' ', '(', '<', '[', ',', ';']).map_or(0, |p| p + 1);
    let end = name[at..]
        .find([' ', ')', '>', ']', ',', ';'])
        .map_or(name.len(), |p| at + p);
    let email = &name[start..end];
    let (local, domain) = email.split_once('@').unwrap_or_default();
    if start == 0 || local.is_empty() || !domain.contains('.') || domain.ends_with('.') {
        return (name, None);
    }
    let before = name[..start].trim_end_matches(['(', '<', '[', ' ']);
    let after = name[end..].trim_start_matches([')', '>', ']', ' ', ',', ';']);
    if !after.is_empty() {
        // Text after the address: not the simple "name address" form; left as it is.
        return (name, None);
    }
    (before.trim_end_matches([',', ' ']), Some(email))
}

/// Title, short title, secondary title (container or series by type), series, and the
/// journal names.
fn read_titles(item: &mut Item, slots: &Slots<'_>, rec: &RawRecord, ty: ItemType) {
    // Titles (runs of blanks from hard-wrapped exports collapsed).
    item.title = collapse(single(item, slots, Field::Title));
    item.short_title = single(item, slots, Field::ShortTitle);
    if item.short_title == item.title {
        // PubMed/EndNote repeat the title as the short title.
        item.short_title.clear();
    }
    if tags::t2_is_series(ty) {
        // T2 and T3 are both series titles here: T3 (the spec's series) first.
        let series: Vec<&RawField> = {
            let all = slots.chosen(Field::Series);
            let mut v: Vec<&RawField> = all.iter().filter(|f| f.tag() == "T3").copied().collect();
            v.extend(all.iter().filter(|f| f.tag() != "T3"));
            v
        };
        if let Some(pos) = series.iter().position(|f| !f.value.trim().is_empty()) {
            item.series = collapse(series[pos].value.trim().to_string());
            let rest: Vec<&RawField> = series
                .iter()
                .enumerate()
                .filter(|(i, _)| *i != pos)
                .map(|(_, f)| *f)
                .collect();
            let used = item.series.clone();
            keep_rest(item, &used, &rest);
        }
        // BT (old spec): the book's own title when it has no other, else the work that
        // contains the book (Folio writes a @bookinbook's book there).
        let bt = collapse(single(item, slots, Field::Secondary));
        if item.title.is_empty() && rec.has("BT") && !rec.has("TI") && !rec.has("T1") {
            item.title = bt;
        } else {
            item.container = bt;
        }
    } else {
        let secondary = collapse(single(item, slots, Field::Secondary));
        let proceedings = collapse(single(item, slots, Field::ProceedingsTitle));
        if proceedings.is_empty() {
            item.container = secondary;
        } else {
            // A conference paper's proceedings (C3) contain it; T2 is the conference's name.
            if !secondary.is_empty() && !secondary.eq_ignore_ascii_case(&proceedings) {
                let tag = if slots.std[field_index(Field::Secondary)].is_empty() {
                    "BT"
                } else {
                    "T2"
                };
                item.extra.push(ExtraField::ris(tag.into(), secondary));
            }
            item.container = proceedings;
        }
        item.series = collapse(single(item, slots, Field::Series));
    }
    // Journal names: JF/JO when T2 is absent, then J2/JA/J1.
    let journal: Vec<&RawField> = slots.chosen(Field::Journal).to_vec();
    let abbrev: Vec<&RawField> = slots
        .chosen(Field::JournalAbbrev)
        .iter()
        .chain(slots.unused(Field::JournalAbbrev))
        .copied()
        .collect();
    if item.container.is_empty() && !tags::t2_is_series(ty) {
        if let Some(j) = journal.iter().find(|f| !f.value.trim().is_empty()) {
            item.container = j.value.trim().to_string();
        } else if let Some(j) = abbrev.iter().find(|f| !f.value.trim().is_empty()) {
            item.container = j.value.trim().to_string();
        }
    }
    let container = item.container.clone();
    keep_rest(item, &container, &journal);
    keep_rest(item, &container, &abbrev);
}

/// Volume, issue, pages, edition, publisher (or institution), place, language and genre.
fn read_numbering(item: &mut Item, slots: &Slots<'_>, ty: ItemType) {
    item.volume = single(item, slots, Field::Volume);
    item.issue = single(item, slots, Field::Issue);
    let sp = strip_pp(single(item, slots, Field::StartPage));
    let ep = single(item, slots, Field::EndPage);
    item.pages = match (sp.is_empty(), ep.is_empty()) {
        // "123-130" / "130": the range is already in SP. Both with a dash ("C3-32" / "C3-35"):
        // page numbers that hold a dash themselves.
        (false, false) if sp.contains(['-', '\u{2013}']) && !ep.contains(['-', '\u{2013}']) => sp,
        (false, false) => format!("{sp}-{ep}"),
        (false, true) => sp,
        (true, false) => ep,
        (true, true) => String::new(),
    };
    item.edition = single(item, slots, Field::Edition);
    if ty == ItemType::Article && PartialDate::parse(&item.edition).month.is_some() {
        // EndNote/PubMed put the e-publication date in ET for articles.
        item.extra
            .push(ExtraField::ris("ET".into(), std::mem::take(&mut item.edition)));
    }
    item.publisher = single(item, slots, Field::Publisher);
    item.institution = single(item, slots, Field::Institution);
    read_number(item, slots);
    item.place = single(item, slots, Field::Place);
    item.language = single(item, slots, Field::Language);
    item.genre = single(item, slots, Field::Genre);
    if ty == ItemType::Thesis {
        // THES with a degree in M3: a doctoral or master's thesis. The writer's own markers
        // ("Doctoral thesis", "Master's thesis") only carry the type.
        if let Some((t, marker)) = thesis_kind(&item.genre) {
            item.item_type = t;
            if item.genre == marker {
                item.genre.clear();
            }
        }
    }
}

/// The item's number from the tags that mean it for the type (`SN` of a report or patent,
/// `M1` of a bill, see [`tags::BY_TYPE`]): the `issue` slot when `IS` left it empty. An `SN`
/// that is an ISBN or ISSN is left to [`read_identifiers`]; a value that does not look like a
/// number, or a second number, is kept under its tag.
fn read_number(item: &mut Item, slots: &Slots<'_>) {
    for f in slots.chosen(Field::Number) {
        let v = f.value.trim();
        if v.is_empty() || sn_identifier(f) {
            continue;
        }
        if item.issue.is_empty() && number_like(v, f.tag()) {
            item.issue = v.to_string();
        } else if !v.eq_ignore_ascii_case(&item.issue) {
            item.extra.push(ExtraField::ris(f.tag().to_string(), v.to_string()));
        }
    }
}

/// Whether a value can be a report, patent or issue number: a digit in at most 40 characters,
/// and, unless it is the `SN` that names the number, not a bare run of seven or more digits
/// (an accession or PubMed number in `M1`).
fn number_like(v: &str, tag: &str) -> bool {
    let id = v.len() >= 7 && v.bytes().all(|b| b.is_ascii_digit());
    v.len() <= 40 && v.bytes().any(|b| b.is_ascii_digit()) && (tag == "SN" || !id)
}

/// Whether an `SN` (or `BN`) that the type reads as its number is an ISBN or ISSN after all:
/// marked as one ("ISBN 978…", "… (ISSN)"), or shaped as one (`1234-567X`, 13 digits from
/// 978/979, 10 digits).
fn sn_identifier(f: &RawField) -> bool {
    if !matches!(f.tag(), "SN" | "BN") {
        return false;
    }
    let v = f.value.trim();
    let lower = v.to_ascii_lowercase();
    if lower.contains("isbn") || lower.contains("issn") {
        return true;
    }
    let b = v.as_bytes();
    let issn = b.len() == 9
        && b[4] == b'-'
        && b[..4].iter().all(u8::is_ascii_digit)
        && b[5..8].iter().all(u8::is_ascii_digit)
        && (b[8].is_ascii_digit() || b[8] == b'X' || b[8] == b'x');
    let digits: Vec<u8> = b.iter().copied().filter(|c| !matches!(c, b'-' | b' ')).collect();
    let all_digits = |d: &[u8]| d.iter().all(u8::is_ascii_digit);
    let isbn13 =
        digits.len() == 13 && all_digits(&digits) && (digits.starts_with(b"978") || digits.starts_with(b"979"));
    let isbn10 = digits.len() == 10
        && all_digits(&digits[..9])
        && (digits[9].is_ascii_digit() || digits[9] == b'X' || digits[9] == b'x');
    issn || isbn13 || isbn10
}

/// DOI, ISSN/ISBN and URL.
fn read_identifiers(item: &mut Item, slots: &Slots<'_>, ty: ItemType) {
    // DOI: normalised; repeated identical DOIs are one.
    let doi_fields: Vec<&RawField> = slots.chosen(Field::Doi).to_vec();
    for f in &doi_fields {
        let d = normalize_doi(f.value.trim());
        if d.is_empty() {
            continue;
        }
        if item.doi.is_empty() {
            item.doi = d;
        } else if !d.eq_ignore_ascii_case(&item.doi) {
            item.extra
                .push(ExtraField::ris(f.tag().to_string(), f.value.trim().to_string()));
        }
    }

    // M3 ("type of work") holding a DOI, as some exports write it: the DOI, never the genre.
    if let Some(d) = doi_in(&item.genre) {
        if item.doi.is_empty() {
            item.doi = d;
        } else if !d.eq_ignore_ascii_case(&item.doi) {
            item.extra.push(ExtraField::ris("M3".into(), item.genre.clone()));
        }
        item.genre.clear();
    }

    // ISSN / ISBN.
    let mut issn: Vec<String> = Vec::new();
    let mut eissn: Vec<String> = Vec::new();
    let mut isbn: Vec<String> = Vec::new();
    let numbers = slots.chosen(Field::Number).iter().filter(|f| sn_identifier(f));
    for f in slots.chosen(Field::StandardNumber).iter().chain(numbers) {
        for (kind, v) in classify_sn_parts(&f.value, ty) {
            let list = match kind {
                Sn::Issn => &mut issn,
                Sn::Eissn => &mut eissn,
                Sn::Isbn => &mut isbn,
            };
            if !list.contains(&v) {
                list.push(v);
            }
        }
    }
    // An eISSN beside a print ISSN is kept on its own (the `eissn` field, as pasted results
    // name it); alone it is the item's ISSN.
    if issn.is_empty() {
        issn = eissn;
    } else {
        for e in eissn.into_iter().filter(|e| !issn.contains(e)) {
            item.extra.push(ExtraField::text(EISSN_FIELD.into(), e));
        }
    }
    item.issn = issn.join("; ");
    item.isbn = isbn.join("; ");

    // URL: first; others kept.
    let url_fields: Vec<&RawField> = slots.chosen(Field::Url).to_vec();
    for f in url_fields {
        for u in f.value.split(['\n', ' ']).map(str::trim).filter(|u| !u.is_empty()) {
            if item.url.is_empty() {
                item.url = u.to_string();
            } else if u != item.url {
                item.extra.push(ExtraField::ris("UR".into(), u.to_string()));
            }
        }
    }
}

/// The date from `DA`, `PY` or `Y1`; other date fields that differ are kept.
fn read_dates(item: &mut Item, slots: &Slots<'_>, rec: &RawRecord, repairs: &mut Repairs) {
    // Dates: DA > PY > Y1; Y2 is an access date and is kept as an extra field.
    let date_of =
        |f: Field| -> Option<&RawField> { slots.chosen(f).iter().copied().find(|x| !x.value.trim().is_empty()) };
    let da = date_of(Field::Date);
    let py = date_of(Field::Year);
    let y1 = slots.old[field_index(Field::PrimaryDate)]
        .iter()
        .copied()
        .find(|x| !x.value.trim().is_empty());
    let parsed_of = |f: Option<&RawField>| f.map(|x| PartialDate::parse(x.value.trim()));
    let (pda, ppy, py1) = (parsed_of(da), parsed_of(py), parsed_of(y1));
    let mut used: Option<&RawField> = None;
    for (f, p) in [(da, &pda), (py, &ppy), (y1, &py1)] {
        if let (Some(f), Some(p)) = (f, p) {
            if p.year.is_some() {
                item.date = p.clone();
                used = Some(f);
                break;
            }
        }
    }
    // EndNote: "MM/DD" in DA, the year in PY.
    if let (Some(d), Some(y)) = (&pda, &ppy) {
        if d.year.is_none() && y.year.is_some() && used.is_some_and(|u| u.tag() == "PY") {
            let parts: Vec<&str> = d.raw.split('/').map(str::trim).collect();
            let m = parts
                .first()
                .and_then(|p| p.parse::<u8>().ok())
                .filter(|m| (1..=12).contains(m));
            let day = parts
                .get(1)
                .and_then(|p| p.parse::<u8>().ok())
                .filter(|d| (1..=31).contains(d));
            if m.is_some() {
                let y = y.year.unwrap_or_default();
                let mut nd = PartialDate::ymd(y, m, day);
                nd.raw = format!(
                    "{y:04}/{:02}/{}/",
                    m.unwrap_or(0),
                    day.map(|d| format!("{d:02}")).unwrap_or_default()
                );
                item.date = nd;
                repairs.add("endnote: month/day in DA combined with the year in PY");
            }
        }
    }
    if used.is_none() && item.date.is_empty() {
        if let Some(f) = da.or(py).or(y1) {
            item.date = PartialDate::parse(f.value.trim());
            used = Some(f);
        }
    }
    let all_dates: Vec<&RawField> = [Field::Date, Field::Year, Field::PrimaryDate]
        .iter()
        .flat_map(|f| {
            slots.std[field_index(*f)]
                .iter()
                .chain(slots.old[field_index(*f)].iter())
        })
        .copied()
        .collect();
    for f in all_dates {
        if used.is_some_and(|u| std::ptr::eq(u, f)) || f.value.trim().is_empty() {
            continue;
        }
        let p = PartialDate::parse(f.value.trim());
        let differs = p.year != item.date.year
            || (p.month.is_some() && item.date.month.is_some() && p.month != item.date.month)
            || (p.day.is_some() && item.date.day.is_some() && p.day != item.date.day);
        if differs && (p.year.is_some() || f.tag() != "DA" || item.date.month.is_none()) {
            item.extra
                .push(ExtraField::ris(f.tag().to_string(), f.value.trim().to_string()));
        }
    }
    if let Some(f) = rec
        .fields
        .iter()
        .find(|f| f.tag() == "Y2" && !f.value.trim().is_empty())
    {
        // Already kept by the unknown-tag pass (Y2 is not in the field table).
        let _ = f;
    }
}

/// Abstract, notes (the access line goes to `access`) and keywords.
fn read_notes(item: &mut Item, slots: &Slots<'_>) {
    // Abstract: AB (N2 when AB is absent); structured headings split.
    let abs = single(item, slots, Field::Abstract);
    item.r#abstract = Abstract::parse(&abs);

    // Notes: all N1 lines; the access line goes to `access`.
    let mut notes: Vec<String> = Vec::new();
    for f in slots.chosen(Field::Note) {
        let v = f.value.trim();
        if v.is_empty() {
            continue;
        }
        if let Some(a) = access_note(v) {
            item.access = a;
            continue;
        }
        notes.push(v.to_string());
    }
    item.note = notes.join("\n");

    // Keywords.
    item.add_tags(
        slots
            .chosen(Field::Keyword)
            .iter()
            .flat_map(|f| split_kw(&f.value))
            .map(ItemTag::imported),
    );
}
