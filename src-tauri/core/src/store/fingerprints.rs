//! Migration 12: the stored source-record fingerprints move to [`Item::fingerprint`]'s canonical
//! form.
//!
//! Up to version 11 an item's fingerprint hashed its whole serialised JSON, so a field added to
//! `Item` would have changed every fingerprint and every unedited record would have lost its
//! byte-for-byte export. Each stored `source_fingerprint` (and each one kept in the undo
//! journal's item snapshots) was made that way: for an item that still matches its record (the
//! old hash of the item equals the stored one) the new fingerprint of the item is stored; an
//! edited item keeps its stored value, which differs from its new fingerprint, so it stays
//! edited. `source_current` comes out the same, so it is left as it is.

use super::items::{load_chunk, LOAD_CHUNK};
use super::journal::Change;
use crate::error::{Error, Result};
use crate::model::{fnv1a, Abstract, Access, Creator, ExtraField, Item, ItemTag, PartialDate, SourceRecord};
use rusqlite::{params, Connection};
use serde::Serialize;

/// The item as the fingerprint of versions up to 11 serialised it: every member of `Item` in
/// the order it had, without id and source record, with empty timestamps. Frozen here (rather
/// than serialising `Item`) so that members added to `Item` later do not change it.
#[derive(Serialize)]
struct LegacyView<'a> {
    key: &'a str,
    #[serde(rename = "type")]
    item_type: &'a str,
    title: &'a str,
    subtitle: &'a str,
    short_title: &'a str,
    creators: &'a [Creator],
    container: &'a str,
    series: &'a str,
    volume: &'a str,
    issue: &'a str,
    pages: &'a str,
    edition: &'a str,
    publisher: &'a str,
    place: &'a str,
    institution: &'a str,
    date: &'a PartialDate,
    doi: &'a str,
    issn: &'a str,
    isbn: &'a str,
    url: &'a str,
    language: &'a str,
    note: &'a str,
    genre: &'a str,
    r#abstract: &'a Abstract,
    tags: &'a [ItemTag],
    access: &'a Access,
    extra: &'a [ExtraField],
    date_added: &'a str,
    date_modified: &'a str,
}

/// `Item::fingerprint` as versions up to 11 computed it: FNV-1a of the item's JSON.
fn legacy_fingerprint(item: &Item) -> u64 {
    let view = LegacyView {
        key: &item.key,
        item_type: item.item_type.as_str(),
        title: &item.title,
        subtitle: &item.subtitle,
        short_title: &item.short_title,
        creators: &item.creators,
        container: &item.container,
        series: &item.series,
        volume: &item.volume,
        issue: &item.issue,
        pages: &item.pages,
        edition: &item.edition,
        publisher: &item.publisher,
        place: &item.place,
        institution: &item.institution,
        date: &item.date,
        doi: &item.doi,
        issn: &item.issn,
        isbn: &item.isbn,
        url: &item.url,
        language: &item.language,
        note: &item.note,
        genre: &item.genre,
        r#abstract: &item.r#abstract,
        tags: &item.tags,
        access: &item.access,
        extra: &item.extra,
        date_added: "",
        date_modified: "",
    };
    fnv1a(&serde_json::to_vec(&view).expect("an item always serializes"))
}

/// The fingerprint to store for `item`'s source record `src` (whose stored fingerprint is the
/// old algorithm's): the item's new fingerprint while it is unedited, else the stored value
/// (not the new fingerprint: the item stays edited). A stored value that already is the new
/// fingerprint counts as unedited.
fn restamped(item: &Item, src: &SourceRecord) -> u64 {
    let new = item.fingerprint();
    if src.fingerprint == new || src.fingerprint == legacy_fingerprint(item) {
        new
    } else {
        src.fingerprint
    }
}

/// The migration's hook: every item with a source record, a chunk of ids at a time, then the
/// item snapshots in the undo journal.
pub(crate) fn restamp_source_fingerprints(conn: &Connection) -> Result<()> {
    let ids: Vec<i64> = conn
        .prepare("SELECT id FROM items WHERE source_format IS NOT NULL ORDER BY id")?
        .query_map([], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    let mut update = conn.prepare("UPDATE items SET source_fingerprint = ?2 WHERE id = ?1")?;
    for chunk in ids.chunks(LOAD_CHUNK) {
        for item in load_chunk(conn, chunk)? {
            let (Some(id), Some(src)) = (item.id, &item.source) else {
                continue;
            };
            let fp = restamped(&item, src);
            if fp != src.fingerprint {
                update.execute(params![id, fp as i64])?;
            }
        }
    }
    restamp_journal(conn)
}

/// The same for the item snapshots the undo journal keeps, so that undoing an edit made before
/// the upgrade gives back an unedited item.
fn restamp_journal(conn: &Connection) -> Result<()> {
    let rows: Vec<(i64, String)> = conn
        .prepare("SELECT id, changes FROM journal WHERE instr(changes, '\"fingerprint\"') > 0 ORDER BY id")?
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<rusqlite::Result<_>>()?;
    let mut update = conn.prepare("UPDATE journal SET changes = ?2 WHERE id = ?1")?;
    for (id, json) in rows {
        let mut changes: Vec<Change> = serde_json::from_str(&json).map_err(|e| Error::Format(e.to_string()))?;
        let mut changed = false;
        for c in &mut changes {
            let Change::Item { state: Some(snap), .. } = c else {
                continue;
            };
            let Some(src) = &snap.item.source else { continue };
            let fp = restamped(&snap.item, src);
            if fp != src.fingerprint {
                snap.item.source.as_mut().expect("checked above").fingerprint = fp;
                changed = true;
            }
        }
        if changed {
            let json = serde_json::to_string(&changes).map_err(|e| Error::Format(e.to_string()))?;
            update.execute(params![id, json])?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{AccessStatus, ItemType, Role};

    fn sample() -> Item {
        let mut it = Item::new(ItemType::Article, "A study");
        it.key = "Doe2020".into();
        it.subtitle = "Sub".into();
        it.creators
            .push(Creator::parse_name(Role::Author, "van Doe, Jr., Jane"));
        it.creators.push(Creator::literal(Role::Editor, "WHO"));
        it.date = PartialDate::parse("4 August 2022");
        it.container = "J".into();
        it.note = "\"quoted\" ü".into();
        it.r#abstract = Abstract::parse("Purpose: A. Findings: B.");
        it.tags.push(ItemTag::manual("x"));
        it.tags.push(ItemTag::imported("y"));
        it.access = Access::new(AccessStatus::Restricted, "user");
        it.extra.push(ExtraField::bibtex("eprint".into(), "{1234}".into()));
        it.id = Some(7);
        it.date_added = "2020-01-01T00:00:00Z".into();
        it
    }

    #[test]
    fn the_legacy_fingerprint_is_the_old_algorithm() {
        // Computed by version 11's `Item::fingerprint` (the FNV-1a of the JSON of a clone with
        // no id, source or timestamps), which libraries up to version 11 stored.
        assert_eq!(legacy_fingerprint(&sample()), 681944373541788712);
        assert_eq!(legacy_fingerprint(&Item::default()), 9929162944411704115);
    }

    #[test]
    fn unedited_items_get_the_new_fingerprint_and_edited_ones_stay_edited() {
        let it = sample();
        let mut src = SourceRecord {
            format: "bibtex".into(),
            text: String::new(),
            fingerprint: legacy_fingerprint(&it),
            batch: None,
        };
        assert_eq!(restamped(&it, &src), it.fingerprint());
        src.fingerprint = it.fingerprint();
        assert_eq!(restamped(&it, &src), it.fingerprint());
        let mut edited = it.clone();
        edited.title.push('!');
        src.fingerprint = legacy_fingerprint(&it);
        assert_eq!(restamped(&edited, &src), src.fingerprint);
        assert_ne!(restamped(&edited, &src), edited.fingerprint());
    }
}
