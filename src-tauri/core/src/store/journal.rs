//! The undo/redo journal.
//!
//! Each user action stores, for every object it touched, that object's state *before* the
//! action. Because undo and redo go strictly in stack order, the library's current state of
//! those objects is always the state on the other side: undo reads the current states, writes
//! the stored ones back and keeps the read ones for redo — and redo does the same in reverse.
//! An import of 100k items therefore journals only 100k "was absent" markers.

use super::items::{ItemSnapshot, TagState};
use super::{collections, items, meta, saved, tags, versions, CollectionRow, SavedSearch, Store, Writer};
use crate::error::{Error, Result};
use rusqlite::{params, OptionalExtension};
use serde::{Deserialize, Serialize};

/// How many actions the journal keeps (older ones can no longer be undone).
pub const KEEP: i64 = 1000;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "lowercase")]
pub enum Change {
    Item {
        id: i64,
        state: Option<Box<ItemSnapshot>>,
    },
    /// An item of which only the tags changed (a tag action on many items stays small).
    Tags {
        id: i64,
        state: Option<TagState>,
    },
    Collection {
        id: i64,
        state: Option<CollectionRow>,
    },
    Tag {
        id: i64,
        state: Option<String>,
    },
    Meta {
        key: String,
        state: Option<String>,
    },
    Saved {
        name: String,
        state: Option<SavedSearch>,
    },
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HistoryEntry {
    pub id: i64,
    pub label: String,
    pub at: String,
    /// `true` while the action is in effect; `false` once undone (it can be redone).
    pub done: bool,
    /// How many objects the action touched.
    pub objects: usize,
}

/// An action that touches more objects than this keeps its changes in `journal_parts`, this
/// many per part: undo and redo then hold one part's object states in memory at a time.
pub const PART: usize = 2_000;

pub(super) fn record(tx: &rusqlite::Connection, label: &str, changes: &[Change]) -> Result<i64> {
    tx.execute(
        "DELETE FROM journal_parts WHERE journal_id IN (SELECT id FROM journal WHERE state = 'undone')",
        [],
    )?;
    tx.execute("DELETE FROM journal WHERE state = 'undone'", [])?;
    let at = crate::text::now_rfc3339();
    let step = if changes.len() <= PART {
        tx.execute(
            "INSERT INTO journal (label, at, state, changes) VALUES (?1, ?2, 'done', ?3)",
            params![label, at, to_json(changes)?],
        )?;
        tx.last_insert_rowid()
    } else {
        // In the order undo restores them (see `rank`), so parts can be restored one by one.
        let mut order: Vec<&Change> = changes.iter().collect();
        order.sort_by_key(|c| rank(c));
        let parts = order.len().div_ceil(PART);
        tx.execute(
            "INSERT INTO journal (label, at, state, changes, parts) VALUES (?1, ?2, 'done', '[]', ?3)",
            params![label, at, parts as i64],
        )?;
        let id = tx.last_insert_rowid();
        let mut insert =
            tx.prepare("INSERT INTO journal_parts (journal_id, seq, objects, changes) VALUES (?1, ?2, ?3, ?4)")?;
        for (seq, part) in order.chunks(PART).enumerate() {
            insert.execute(params![id, seq as i64, part.len() as i64, to_json(part)?])?;
        }
        id
    };
    tx.execute(
        "DELETE FROM journal_parts WHERE journal_id <= (SELECT max(id) FROM journal) - ?1",
        [KEEP],
    )?;
    tx.execute(
        "DELETE FROM journal WHERE id <= (SELECT max(id) FROM journal) - ?1",
        [KEEP],
    )?;
    Ok(step)
}

/// Every step the journal keeps: id → (time, label). What files kept for an action's undo
/// (the stored copies an emptied trash deleted) are checked against: a step no longer here
/// cannot be undone or redone, so its files can go.
pub fn steps(conn: &rusqlite::Connection) -> Result<std::collections::HashMap<i64, (String, String)>> {
    let mut st = conn.prepare("SELECT id, at, label FROM journal")?;
    let rows = st.query_map([], |r| Ok((r.get(0)?, (r.get(1)?, r.get(2)?))))?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// The step an undo would undo next (the newest one done), if any.
pub fn last_done(conn: &rusqlite::Connection) -> Result<Option<i64>> {
    Ok(conn.query_row("SELECT max(id) FROM journal WHERE state = 'done'", [], |r| r.get(0))?)
}

fn to_json<T: Serialize + ?Sized>(changes: &T) -> Result<String> {
    serde_json::to_string(changes).map_err(|e| Error::Format(e.to_string()))
}

fn from_json(json: Option<&str>) -> std::result::Result<Vec<Change>, String> {
    serde_json::from_str(json.unwrap_or("")).map_err(|e| e.to_string())
}

/// Refuse to undo or redo step `id` when a pull (another member of a shared library) changed
/// one of its objects since: restoring the step's states would drop their change. A step
/// that cannot be read is left to the swap, which passes over it.
fn refuse_over_pulled(w: &Writer<'_>, id: i64, label: &str, json: Option<&str>, parts: i64, what: &str) -> Result<()> {
    if !super::replica::pulled_after(w.conn(), id)? {
        return Ok(());
    }
    let mut changes = Vec::new();
    if parts > 0 {
        let mut st = w
            .conn()
            .prepare("SELECT CAST(changes AS TEXT) FROM journal_parts WHERE journal_id = ?1 ORDER BY seq")?;
        let rows = st.query_map([id], |r| r.get::<_, Option<String>>(0))?;
        for json in rows {
            match from_json(json?.as_deref()) {
                Ok(c) => changes.extend(c),
                Err(_) => return Ok(()),
            }
        }
    } else {
        match from_json(json) {
            Ok(c) => changes = c,
            Err(_) => return Ok(()),
        }
    }
    let names = super::replica::pulled_objects(w.conn(), id, &changes)?;
    if names.is_empty() {
        return Ok(());
    }
    Err(Error::Conflict(format!(
        "cannot {what} \"{label}\": another member of the shared library changed {} since; \
         {what}ing it would drop their change (edit it by hand instead)",
        names.join(", ")
    )))
}

/// Swap a step kept in parts, as [`swap`] does for one list: first every part's current
/// states (its other side, written to `other`), then every part's stored states restored, in
/// part order (the parts are in restore order); then the other sides become the stored ones.
/// A part that cannot be read is found in the first pass, before anything changed: the step
/// is damaged (`Err` with why) and the library untouched.
fn swap_parts(w: &mut Writer<'_>, id: i64, parts: i64) -> Result<std::result::Result<(), String>> {
    let read = |w: &Writer<'_>, seq: i64| -> Result<std::result::Result<Vec<Change>, String>> {
        let json: Option<String> = w
            .conn()
            .query_row(
                "SELECT CAST(changes AS TEXT) FROM journal_parts WHERE journal_id = ?1 AND seq = ?2",
                params![id, seq],
                |r| r.get(0),
            )
            .optional()?;
        Ok(match json {
            None => Err(format!("part {seq} of {parts} is missing")),
            Some(j) => from_json(Some(&j)).map_err(|e| format!("part {seq}: {e}")),
        })
    };
    let mut items = 0;
    // What the step touches, with what `versions::stamp` needs of the states before it.
    let mut touched: Vec<Change> = Vec::new();
    for seq in 0..parts {
        let changes = match read(w, seq)? {
            Ok(c) => c,
            Err(e) => return Ok(Err(e)),
        };
        items += changes
            .iter()
            .filter(|c| matches!(c, Change::Item { .. } | Change::Tags { .. }))
            .count();
        let other: Vec<Change> = changes.iter().map(|c| current(w, c)).collect::<Result<_>>()?;
        touched.extend(other.iter().map(versions::reference));
        w.conn().execute(
            "UPDATE journal_parts SET other = ?3 WHERE journal_id = ?1 AND seq = ?2",
            params![id, seq, to_json(&other)?],
        )?;
    }
    w.expect_reindex(items)?;
    for seq in 0..parts {
        let changes = read(w, seq)?.map_err(Error::Format)?;
        restore(w, &changes)?;
    }
    let version = versions::next(w.conn())?;
    versions::stamp(w.conn(), version, &touched)?;
    w.conn().execute(
        "UPDATE journal_parts SET changes = other, other = NULL WHERE journal_id = ?1",
        [id],
    )?;
    Ok(Ok(()))
}

fn current(w: &Writer<'_>, c: &Change) -> Result<Change> {
    let conn = w.conn();
    Ok(match c {
        Change::Item { id, .. } => Change::Item {
            id: *id,
            state: items::snapshot(conn, *id)?.map(Box::new),
        },
        Change::Tags { id, .. } => Change::Tags {
            id: *id,
            state: items::tag_state(conn, *id)?,
        },
        Change::Collection { id, .. } => Change::Collection {
            id: *id,
            state: collections::row(conn, *id)?,
        },
        Change::Tag { id, .. } => Change::Tag {
            id: *id,
            state: tags::name_of(conn, *id)?,
        },
        Change::Meta { key, .. } => Change::Meta {
            key: key.clone(),
            state: meta::get(conn, key)?,
        },
        Change::Saved { name, .. } => Change::Saved {
            name: name.clone(),
            state: saved::get(conn, name)?,
        },
    })
}

fn rank(c: &Change) -> u8 {
    match c {
        Change::Tag { .. } => 0,
        Change::Collection { .. } => 1,
        Change::Item { .. } | Change::Tags { .. } => 2,
        Change::Meta { .. } | Change::Saved { .. } => 3,
    }
}

/// Put every object of `changes` into its stored state; return their current states.
fn swap(w: &mut Writer<'_>, changes: &[Change]) -> Result<Vec<Change>> {
    let items = changes
        .iter()
        .filter(|c| matches!(c, Change::Item { .. } | Change::Tags { .. }))
        .count();
    w.expect_reindex(items)?;
    let before: Vec<Change> = changes.iter().map(|c| current(w, c)).collect::<Result<_>>()?;
    restore(w, changes)?;
    Ok(before)
}

/// Put every object of `changes` into its stored state, in rank order.
fn restore(w: &mut Writer<'_>, changes: &[Change]) -> Result<()> {
    let mut order: Vec<&Change> = changes.iter().collect();
    order.sort_by_key(|c| rank(c));
    for c in order {
        match c {
            Change::Tag { id, state } => tags::restore(w, *id, state.as_deref())?,
            Change::Collection { id, state } => collections::restore(w, *id, state.as_ref())?,
            Change::Item { id, state } => items::restore(w, *id, state.as_deref())?,
            Change::Tags { id, state } => items::restore_tags(w, *id, state.as_ref())?,
            Change::Meta { key, state } => meta::restore(w, key, state.as_deref())?,
            Change::Saved { name, state } => saved::restore(w, name, state.as_ref())?,
        }
    }
    Ok(())
}

/// A journal step that cannot be read (its stored changes are not valid JSON or not the
/// journal's shape): skipped by history, undo and redo, with a warning.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DamagedStep {
    pub id: i64,
    pub label: String,
    pub at: String,
    /// What is wrong with it.
    pub reason: String,
}

impl DamagedStep {
    /// One line for a warning.
    pub fn describe(&self) -> String {
        format!("{} is damaged and was skipped: {}", self.name(), self.reason)
    }

    /// "history step 12 (Import refs.bib, 2026-…)".
    pub fn name(&self) -> String {
        format!("history step {} ({}, {})", self.id, self.label, self.at)
    }
}

/// What an undo or redo did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Stepped {
    /// The step's id in the journal.
    pub id: i64,
    /// The label of the action undone or redone.
    pub label: String,
    /// Damaged steps passed over on the way (they stay as they are).
    pub skipped: Vec<DamagedStep>,
}

/// The journal's newest steps, and the damaged ones among them.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct History {
    pub entries: Vec<HistoryEntry>,
    pub damaged: Vec<DamagedStep>,
}

impl Store {
    /// Undo the latest action still in effect; returns its label.
    pub fn undo(&mut self) -> Result<String> {
        Ok(self.undo_step()?.label)
    }

    /// Redo the earliest undone action; returns its label.
    pub fn redo(&mut self) -> Result<String> {
        Ok(self.redo_step()?.label)
    }

    /// [`Store::undo`], saying which damaged steps it passed over: a step whose stored
    /// changes cannot be read cannot be undone, and must not block the steps before it.
    pub fn undo_step(&mut self) -> Result<Stepped> {
        self.step("done", "undone", "DESC", "undo")
    }

    /// [`Store::redo`], saying which damaged steps it passed over.
    pub fn redo_step(&mut self) -> Result<Stepped> {
        self.step("undone", "done", "ASC", "redo")
    }

    fn step(&mut self, from: &str, to: &str, order: &str, what: &'static str) -> Result<Stepped> {
        self.write_unjournaled(|w| {
            let ids: Vec<i64> = {
                let mut st = w
                    .conn()
                    .prepare(&format!("SELECT id FROM journal WHERE state = ?1 ORDER BY id {order}"))?;
                let rows = st.query_map([from], |r| r.get(0))?;
                rows.collect::<rusqlite::Result<_>>()?
            };
            let mut skipped = Vec::new();
            for id in ids {
                let (label, at, json, parts): (String, String, Option<String>, i64) = w.conn().query_row(
                    "SELECT label, at, CAST(changes AS TEXT), parts FROM journal WHERE id = ?1",
                    [id],
                    |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
                )?;
                refuse_over_pulled(w, id, &label, json.as_deref(), parts, what)?;
                let swapped = if parts > 0 {
                    swap_parts(w, id, parts)?
                } else {
                    match from_json(json.as_deref()) {
                        Ok(changes) => {
                            let other_side = swap(w, &changes)?;
                            // The other side holds the states before this step: what
                            // `stamp` compares the library with.
                            let version = versions::next(w.conn())?;
                            versions::stamp(w.conn(), version, &other_side)?;
                            w.conn().execute(
                                "UPDATE journal SET changes = ?2 WHERE id = ?1",
                                params![id, to_json(&other_side)?],
                            )?;
                            Ok(())
                        }
                        Err(e) => Err(e),
                    }
                };
                if let Err(reason) = swapped {
                    skipped.push(DamagedStep { id, label, at, reason });
                    continue;
                }
                w.conn()
                    .execute("UPDATE journal SET state = ?2 WHERE id = ?1", params![id, to])?;
                let verb = if what == "undo" { "Undo" } else { "Redo" };
                let version = versions::library_version(w.conn())?;
                super::replica::label_action(w.conn(), version, &format!("{verb}: {label}"))?;
                return Ok(Stepped { id, label, skipped });
            }
            match skipped.as_slice() {
                [] => Err(Error::NothingTo(what)),
                damaged => Err(Error::Format(format!(
                    "cannot {what}: the only steps left to {what} are damaged: {}",
                    damaged
                        .iter()
                        .map(|d| format!("{}: {}", d.name(), d.reason))
                        .collect::<Vec<_>>()
                        .join("; ")
                ))),
            }
        })
    }

    /// The journal, newest first, without its damaged steps.
    pub fn history(&self, limit: usize) -> Result<Vec<HistoryEntry>> {
        Ok(self.history_report(limit)?.entries)
    }

    /// The newest `limit` steps of the journal, newest first: those that can be read, and
    /// the damaged ones (stored changes that are not a JSON array; they are left out of the
    /// list and named for a warning).
    pub fn history_report(&self, limit: usize) -> Result<History> {
        let mut st = self.conn().prepare(
            "SELECT id, label, at, state, \
             CASE WHEN json_valid(changes) AND json_type(changes) = 'array' \
             THEN json_array_length(changes) + CASE WHEN parts > 0 THEN \
             (SELECT coalesce(sum(objects), 0) FROM journal_parts WHERE journal_id = journal.id) ELSE 0 END END \
             FROM journal ORDER BY id DESC LIMIT ?1",
        )?;
        let rows = st.query_map([limit.min(i64::MAX as usize) as i64], |r| {
            Ok((
                HistoryEntry {
                    id: r.get(0)?,
                    label: r.get(1)?,
                    at: r.get(2)?,
                    done: r.get::<_, String>(3)? == "done",
                    objects: 0,
                },
                r.get::<_, Option<i64>>(4)?,
            ))
        })?;
        let mut out = History::default();
        for row in rows {
            match row? {
                (mut e, Some(n)) => {
                    e.objects = n as usize;
                    out.entries.push(e);
                }
                (e, None) => out.damaged.push(DamagedStep {
                    id: e.id,
                    label: e.label,
                    at: e.at,
                    reason: "its stored changes are not a JSON list".into(),
                }),
            }
        }
        Ok(out)
    }
}
