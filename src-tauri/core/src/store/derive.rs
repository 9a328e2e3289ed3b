//! What the store derives from an item to write next to its own fields, with no SQL: the JSON
//! columns, sort keys, full-text index row, duplicate record and source checks
//! ([`derive`], [`Derived`]). Pure, so a bulk import computes it on its reader thread
//! ([`derive_fresh`]); `items.rs` writes it, `backfill.rs` recomputes parts of it for the
//! migrations that add or change a derived column.

use crate::model::Item;
use crate::text::{fold, title_sort_key};
use serde::Serialize;

pub(super) fn json<T: Serialize>(v: &T) -> String {
    serde_json::to_string(v).expect("model values serialize")
}

/// An item's creators sort key: the primary creators' family and given names, folded.
fn creators_sort(item: &Item) -> String {
    item.primary_creators()
        .iter()
        .map(|c| fold(&format!("{} {}", c.family_with_particle(), c.given())))
        .collect::<Vec<_>>()
        .join(" ")
}

/// The index row's "other" column: key, identifiers, publisher and the extra fields that
/// describe the work.
pub(super) fn fts_other(item: &Item) -> String {
    let mut s = format!(
        "{} {} {} {} {} {} {} {}",
        item.key, item.doi, item.isbn, item.issn, item.publisher, item.place, item.genre, item.note
    );
    for f in item.extra.iter().filter(|f| !f.is_bookkeeping()) {
        // A value that repeats one indexed already adds nothing to the index (Beebe's
        // `fjournal` is the journal's name again, `ISSN-L` usually the ISSN).
        let bare = f.value.trim_matches(|c| c == '"' || c == '{' || c == '}');
        if !bare.is_empty() && (bare == item.container || bare == item.issn) {
            continue;
        }
        s.push(' ');
        s.push_str(&f.value);
    }
    s
}

/// The six FTS columns of an item.
pub(crate) type FtsRow = [String; 6];

/// An item's index row: its words, without the names of LaTeX commands it uses (see [`crate::format::bibtex::display::search_text`]).
pub(super) fn fts_row(item: &Item) -> FtsRow {
    fts_row_as_written(item).map(|col| match crate::format::bibtex::display::search_text(&col) {
        std::borrow::Cow::Borrowed(_) => col,
        std::borrow::Cow::Owned(s) => s,
    })
}

/// The index row of schema versions 6 to 9: every command name indexed as a word.
pub(super) fn fts_row_as_written(item: &Item) -> FtsRow {
    let creators: Vec<String> = item
        .creators
        .iter()
        .map(|c| format!("{} {}", c.display_natural(), c.family_with_particle()))
        .collect();
    [
        format!("{} {} {}", item.title, item.subtitle, item.short_title),
        creators.join(" ; "),
        item.r#abstract.flat(false),
        item.tags
            .iter()
            .map(|t| t.name.as_str())
            .collect::<Vec<_>>()
            .join(" ; "),
        format!("{} {}", item.container, item.series),
        fts_other(item),
    ]
}
/// What the store writes next to an item's own fields: its JSON columns, sort keys and index
/// row. Computed by [`derive`] off the writer's thread during a bulk import.
#[derive(Debug, Clone)]
pub struct Derived {
    pub(super) creators_json: String,
    pub(super) abstract_json: String,
    pub(super) extra_json: String,
    pub(super) title_sort: String,
    pub(super) creators_sort: String,
    pub(super) creators_summary: String,
    pub(super) fts: FtsRow,
    /// The key written into `fts` (the item's key may change before it is stored).
    pub(super) fts_key: String,
    pub(super) dedupe: String,
    /// The item still matches its source record (see `SourceRecord::fingerprint`).
    pub(super) source_current: bool,
    /// What an export needs to know of a BibTeX source record (`format::bibtex::checks`),
    /// and the macros it uses.
    pub(super) source_checks: Option<(i64, Option<String>)>,
}

/// Whether `item` still matches the record it was imported from.
pub(super) fn source_current(item: &Item) -> bool {
    item.source
        .as_ref()
        .is_some_and(|s| s.fingerprint == item.fingerprint())
}

/// The derived columns of an item as it is now.
pub fn derive(item: &Item) -> Derived {
    derive_with(item, &crate::dedupe::Fingerprint::of(item))
}

/// [`derive`] with the item's duplicate fingerprint already computed.
pub fn derive_with(item: &Item, fingerprint: &crate::dedupe::Fingerprint) -> Derived {
    derive_parts(item, fingerprint, source_current(item), None)
}

/// [`derive_with`] for an item a reader has just built: its source record was made from it,
/// so it is current without computing the fingerprint again.
/// `checks`: the BibTeX reader's checks of the record, when it made them.
pub fn derive_fresh(
    item: &Item,
    fingerprint: &crate::dedupe::Fingerprint,
    checks: Option<(i64, Option<String>)>,
) -> Derived {
    derive_parts(item, fingerprint, item.source.is_some(), checks)
}

fn derive_parts(
    item: &Item,
    fingerprint: &crate::dedupe::Fingerprint,
    current: bool,
    checks: Option<(i64, Option<String>)>,
) -> Derived {
    let bibtex = item.source.as_ref().filter(|s| s.format == "bibtex");
    Derived {
        source_current: current,
        source_checks: bibtex.map(|s| checks.unwrap_or_else(|| crate::format::bibtex::source_checks(&s.text))),
        dedupe: fingerprint.to_record(),
        creators_json: json(&item.creators),
        abstract_json: json(&item.r#abstract),
        extra_json: json(&item.extra),
        title_sort: title_sort(item),
        creators_sort: creators_sort(item),
        creators_summary: item.creator_summary(),
        fts: fts_row(item),
        fts_key: item.key.clone(),
    }
}

/// An item's title sort key: its full title as a reader sees it (see
/// [`crate::format::bibtex::display::display_text`]), folded, without a leading article.
pub(super) fn title_sort(item: &Item) -> String {
    title_sort_key(&crate::format::bibtex::display::display_text(&item.full_title()))
}
