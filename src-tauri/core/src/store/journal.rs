//! The undo/redo journal.
//!
//! Each user action stores, for every object it touched, that object's state *before* the
//! action. Because undo and redo go strictly in stack order, the library's current state of
//! those objects is always the state on the other side: undo reads the current states, writes
//! the stored ones back and keeps the read ones for redo — and redo does the same in reverse.
//! An import of 100k items therefore journals only 100k "was absent" markers.

use super::items::{ItemSnapshot, TagState};
use super::{collections, items, meta, saved, tags, CollectionRow, SavedSearch, Store, Writer};
use crate::error::{Error, Result};
use rusqlite::params;
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

pub(super) fn record(tx: &rusqlite::Connection, label: &str, changes: &[Change]) -> Result<()> {
    tx.execute("DELETE FROM journal WHERE state = 'undone'", [])?;
    let json = serde_json::to_string(changes).map_err(|e| Error::Format(e.to_string()))?;
    tx.execute(
        "INSERT INTO journal (label, at, state, changes) VALUES (?1, ?2, 'done', ?3)",
        params![label, crate::text::now_rfc3339(), json],
    )?;
    tx.execute(
        "DELETE FROM journal WHERE id <= (SELECT max(id) FROM journal) - ?1",
        [KEEP],
    )?;
    Ok(())
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
    Ok(before)
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
                let (label, at, json): (String, String, Option<String>) = w.conn().query_row(
                    "SELECT label, at, CAST(changes AS TEXT) FROM journal WHERE id = ?1",
                    [id],
                    |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
                )?;
                let changes: Vec<Change> = match serde_json::from_str(json.as_deref().unwrap_or("")) {
                    Ok(c) => c,
                    Err(e) => {
                        skipped.push(DamagedStep {
                            id,
                            label,
                            at,
                            reason: e.to_string(),
                        });
                        continue;
                    }
                };
                let other_side = swap(w, &changes)?;
                let json = serde_json::to_string(&other_side).map_err(|e| Error::Format(e.to_string()))?;
                w.conn().execute(
                    "UPDATE journal SET state = ?2, changes = ?3 WHERE id = ?1",
                    params![id, to, json],
                )?;
                return Ok(Stepped { label, skipped });
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
             THEN json_array_length(changes) END \
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
