//! Links between entries (`crossref`, `xdata`, granular `xdata=`) that LaTeX cannot follow:
//! found in each placed entry's text and cut (a missing BibTeX parent, a BibLaTeX cycle).

use super::super::options::BibMode;
use super::super::parse::{Block, Scanner};
use crate::error::Diagnostic;
use crate::model::Item;
use rustc_hash::FxHashSet as HashSet;

/// An entry of a BibTeX export, to be sorted by key and written.
pub(super) struct Placed {
    pub(super) key: String,
    /// The key in lowercase (BibTeX compares keys without case).
    pub(super) lower: String,
    pub(super) text: String,
    /// Whether it may hold a link field (see [`cut_links`]).
    pub(super) links: bool,
}

pub(super) fn crossref_target(item: &Item) -> Option<String> {
    item.extra_field("crossref").and_then(link_target)
}

/// The key a `crossref` value names (`{key}`, `"key"` or `key`), when it names one.
pub(super) fn link_target(value: &str) -> Option<String> {
    let v = value.trim().trim_matches(['{', '}', '"']).trim();
    (!v.is_empty()).then(|| v.to_string())
}

/// A field of an entry that points at other entries: `crossref`, `xdata`, or a value with
/// biblatex's granular `xdata=key-field-n` references.
struct Link {
    /// Byte range of the field in the entry text (from its name to the end of its value).
    span: (usize, usize),
    field: String,
    crossref: bool,
    /// The key a `crossref` names, as written.
    written: String,
    /// Lowercase keys it points at.
    targets: Vec<String>,
}

/// Whether `text` may hold a link field (what [`links_in`] looks for), without a copy.
fn may_link(text: &str) -> bool {
    contains_ascii_ci(text, b"crossref") || contains_ascii_ci(text, b"xdata")
}

/// Whether `hay` contains `needle` (lowercase ASCII) in any ASCII case.
pub(super) fn contains_ascii_ci(hay: &str, needle: &[u8]) -> bool {
    let b = hay.as_bytes();
    let first = needle[0];
    memchr::memchr2_iter(first, first.to_ascii_uppercase(), b).any(|i| {
        b.get(i..i + needle.len())
            .is_some_and(|w| w.eq_ignore_ascii_case(needle))
    })
}

/// The link fields of an entry's text; `keys` (lowercase) resolve granular references.
fn links_in(text: &str, keys: &HashSet<String>) -> Vec<Link> {
    if !may_link(text) {
        return Vec::new();
    }
    let Some(Block::Entry { fields, .. }) = Scanner::new(text).next_block() else {
        return Vec::new();
    };
    let base = text.as_ptr() as usize;
    let mut out = Vec::new();
    for f in &fields {
        let name = f.name.to_ascii_lowercase();
        let inner = f.value.raw.trim().trim_matches(['{', '}', '"']).trim();
        let targets: Vec<String> = match name.as_str() {
            "crossref" => vec![inner.to_lowercase()],
            "xdata" => inner.split(',').map(|k| k.trim().to_lowercase()).collect(),
            _ => {
                let v = f.value.raw.to_lowercase();
                v.match_indices("xdata=")
                    .filter_map(|(i, _)| {
                        let r = &v[i + 6..];
                        let end = r
                            .find(|c: char| c.is_whitespace() || matches!(c, '}' | ',' | '"'))
                            .unwrap_or(r.len());
                        let r = &r[..end];
                        // `key-field` or `key-field-n`: the longest prefix that is a key.
                        r.match_indices('-')
                            .map(|(j, _)| &r[..j])
                            .rev()
                            .find(|k| keys.contains(*k))
                            .map(str::to_string)
                    })
                    .collect()
            }
        };
        let targets: Vec<String> = targets.into_iter().filter(|k| !k.is_empty()).collect();
        if targets.is_empty() {
            continue;
        }
        let start = f.name.as_ptr() as usize - base;
        let end = f.value.raw.as_ptr() as usize - base + f.value.raw.len();
        out.push(Link {
            span: (start, end),
            field: f.name.to_string(),
            crossref: name == "crossref",
            written: inner.to_string(),
            targets,
        });
    }
    out
}

/// Remove the field at `span` from an entry's text (with its comma and its line when it has
/// one to itself).
fn remove_field(text: &str, span: (usize, usize)) -> String {
    let (mut a, mut e) = span;
    let b = text.as_bytes();
    while e < b.len() && matches!(b[e], b' ' | b'\t') {
        e += 1;
    }
    if b.get(e) == Some(&b',') {
        e += 1;
    }
    let line_start = text[..a].rfind('\n').map_or(0, |i| i + 1);
    if text[line_start..a].trim().is_empty() {
        a = line_start;
        while e < b.len() && matches!(b[e], b' ' | b'\t') {
            e += 1;
        }
        if b.get(e) == Some(&b'\n') {
            e += 1;
        }
    }
    format!("{}{}", &text[..a], &text[e..])
}

/// Links LaTeX cannot follow, left out of the export with a warning (the library keeps them):
/// in BibTeX mode a `crossref` to an entry that is not in the export (BibTeX reports "a bad
/// cross reference" and ignores it); in BibLaTeX mode a `crossref` or `xdata` link that closes
/// a cycle (biber stops with "circular inheritance" and writes no bibliography at all).
pub(super) fn cut_links(entries: &mut [Placed], mode: BibMode, diags: &mut Vec<Diagnostic>) {
    if !entries.iter().any(|e| e.links) {
        return;
    }
    let keys: HashSet<String> = entries.iter().map(|e| e.lower.clone()).collect();
    let links: Vec<Vec<Link>> = entries
        .iter()
        .map(|e| if e.links { links_in(&e.text, &keys) } else { Vec::new() })
        .collect();
    if links.iter().all(Vec::is_empty) {
        return;
    }
    // (entry index, link index) of the links to cut.
    let mut cut: Vec<(usize, usize)> = Vec::new();
    match mode {
        BibMode::Bibtex => {
            for (i, ls) in links.iter().enumerate() {
                for (j, l) in ls.iter().enumerate() {
                    if l.crossref && !keys.contains(&l.targets[0]) {
                        diags.push(Diagnostic::warning(
                            None,
                            format!(
                                "{}: crossref {:?} is not in this export; left out (BibTeX rejects it)",
                                entries[i].key, l.targets[0]
                            ),
                        ));
                        cut.push((i, j));
                    }
                }
            }
        }
        BibMode::Biblatex => {
            let index: std::collections::HashMap<String, usize> =
                entries.iter().enumerate().map(|(i, e)| (e.lower.clone(), i)).collect();
            // Depth-first search in key order; an edge to an entry on the current path closes
            // a cycle (0 = unseen, 1 = on the path, 2 = done).
            let mut state = vec![0u8; entries.len()];
            for root in 0..entries.len() {
                if state[root] != 0 || links[root].is_empty() {
                    continue;
                }
                let mut path: Vec<usize> = vec![root];
                // (entry, link index, target index) to resume from.
                let mut stack: Vec<(usize, usize, usize)> = vec![(root, 0, 0)];
                state[root] = 1;
                while let Some(&mut (n, ref mut li, ref mut ti)) = stack.last_mut() {
                    let Some(l) = links[n].get(*li) else {
                        state[n] = 2;
                        stack.pop();
                        path.pop();
                        continue;
                    };
                    let Some(t) = l.targets.get(*ti) else {
                        *li += 1;
                        *ti = 0;
                        continue;
                    };
                    *ti += 1;
                    let Some(&m) = index.get(t) else { continue };
                    if cut.contains(&(n, *li)) {
                        continue;
                    }
                    match state[m] {
                        0 => {
                            state[m] = 1;
                            path.push(m);
                            stack.push((m, 0, 0));
                        }
                        1 => {
                            let from = path.iter().position(|&p| p == m).unwrap_or(0);
                            let cycle: Vec<&str> = path[from..]
                                .iter()
                                .chain([&m])
                                .map(|&p| entries[p].key.as_str())
                                .collect();
                            diags.push(Diagnostic::warning(
                                None,
                                format!(
                                    "{}: {} closes a cycle ({}); left out of this export (biber stops on circular inheritance)",
                                    entries[n].key,
                                    l.field,
                                    cycle.join(" -> ")
                                ),
                            ));
                            cut.push((n, *li));
                            *li += 1;
                            *ti = 0;
                        }
                        _ => {}
                    }
                }
            }
        }
    }
    // A crossref naming its parent in another case ("WHOLE-JOURNAL" for whole-journal): BibTeX
    // ignores case, biber does not; written with the parent's own key.
    let by_lower: std::collections::HashMap<&str, &str> =
        entries.iter().map(|e| (e.lower.as_str(), e.key.as_str())).collect();
    let mut edits: Vec<(usize, usize, Option<String>)> = cut.iter().map(|&(i, j)| (i, j, None)).collect();
    for (i, ls) in links.iter().enumerate() {
        for (j, l) in ls.iter().enumerate() {
            if !l.crossref || cut.contains(&(i, j)) {
                continue;
            }
            if let Some(&key) = by_lower.get(l.targets[0].as_str()).filter(|k| **k != l.written) {
                diags.push(Diagnostic::info(
                    None,
                    format!(
                        "{}: crossref {:?} written as {key:?}, in the key's own case (biber compares keys with their case)",
                        entries[i].key, l.written
                    ),
                ));
                edits.push((i, j, Some(format!("{} = {{{key}}}", l.field))));
            }
        }
    }
    edits.sort_unstable_by_key(|&(i, j, _)| (i, links[i][j].span.0));
    // Edit from the end of each text so earlier spans stay valid.
    for (i, j, with) in edits.into_iter().rev() {
        let span = links[i][j].span;
        entries[i].text = match with {
            None => remove_field(&entries[i].text, span),
            Some(w) => format!("{}{w}{}", &entries[i].text[..span.0], &entries[i].text[span.1..]),
        };
    }
}
