//! The library as one replica of a shared library (issue 27): its objects' shared states,
//! what it pushes next, applying what the server sent (three-way merge against the state last
//! agreed, conflicts kept for the user), citation keys that clash with the server's, and
//! resolving conflicts. The network side is [`crate::sync`]'s; this file does no IO but the
//! library's.

use super::Library;
use crate::error::{Error, Result};
use crate::model::Item;
use crate::remote::{Cursor, KeyClash, ObjectKind, Page, Push, PushObject, RemoteObject, Uuid};
use crate::store::replica::{self as rs, ConflictRow, InFlight, SyncRow};
use crate::store::versions::{Kind, ObjectId};
use crate::store::{collections, items, saved, CollectionRow, ItemSnapshot, Writer};
use crate::sync::merge::{merge3, FieldConflict};
use serde::Serialize;
use serde_json::{json, Map, Value};
use std::collections::{BTreeSet, HashMap};

/// Where a library is shared: the server (its address without any password), the library's
/// name there, and who this member is in the shared history.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RemoteSettings {
    pub url: String,
    pub library: String,
    pub author: String,
}

/// A conflict waiting for the user, with both values.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SyncConflict {
    pub uuid: String,
    pub kind: ObjectKind,
    /// The item's citation key, the collection's or saved search's name.
    pub name: String,
    /// The field; `*`: deleted on one side, changed on the other.
    pub field: String,
    pub base: Option<Value>,
    pub mine: Option<Value>,
    pub theirs: Option<Value>,
    /// Who made the server's change.
    pub author: String,
    pub at: String,
}

/// A citation key the sync changed on this side, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct KeyRenamed {
    pub old: String,
    pub new: String,
    pub why: String,
}

/// What applying one page of a pull did.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct PullApplied {
    pub added: usize,
    pub changed: usize,
    pub deleted: usize,
    /// Objects changed on both sides whose changes merged.
    pub merged: usize,
    /// New conflicts, as "KEY: field".
    pub conflicts: Vec<String>,
    pub renamed: Vec<KeyRenamed>,
    pub authors: BTreeSet<String>,
}

impl PullApplied {
    pub fn absorb(&mut self, o: PullApplied) {
        self.added += o.added;
        self.changed += o.changed;
        self.deleted += o.deleted;
        self.merged += o.merged;
        self.conflicts.extend(o.conflicts);
        self.renamed.extend(o.renamed);
        self.authors.extend(o.authors);
    }
}

/// Where the replica stands.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ReplicaStatus {
    /// Objects changed here and not pushed yet.
    pub outbox: i64,
    pub conflicts: usize,
    /// The server version pulled last.
    pub pulled: i64,
}

/// The outbox as pushes, and the library version it was read at.
#[derive(Debug, Clone, PartialEq)]
pub struct PushPlan {
    pub pushes: Vec<PlannedPush>,
    /// Every object changed up to this library version is in `pushes` (or held).
    pub through: i64,
}

/// A push planned from the outbox: the objects one local action changed last.
#[derive(Debug, Clone, PartialEq)]
pub struct PlannedPush {
    /// The library version of that action.
    pub version: i64,
    pub label: String,
    objects: Vec<SyncRow>,
}

impl PlannedPush {
    pub fn len(&self) -> usize {
        self.objects.len()
    }

    pub fn is_empty(&self) -> bool {
        self.objects.is_empty()
    }
}

/// How to resolve a conflict.
#[derive(Debug, Clone, PartialEq)]
pub enum Take {
    Mine,
    Theirs,
    /// A value of the user's (JSON, or plain text for text fields).
    Value(Value),
}

fn kind_of(k: ObjectKind) -> Kind {
    match k {
        ObjectKind::Item => Kind::Item,
        ObjectKind::Collection => Kind::Collection,
        ObjectKind::Search => Kind::Search,
    }
}

fn object_kind(k: Kind) -> ObjectKind {
    match k {
        Kind::Collection => ObjectKind::Collection,
        Kind::Search => ObjectKind::Search,
        _ => ObjectKind::Item,
    }
}

fn new_uuid() -> String {
    Uuid::now_v7().to_string()
}

fn parse(json: Option<&str>) -> Option<Value> {
    json.and_then(|j| serde_json::from_str(j).ok())
}

fn to_text(v: &Value) -> String {
    v.to_string()
}

type Conn = crate::store::Connection;

/// The id across replicas of a local collection (given one when it has none).
fn collection_uuid(conn: &Conn, id: i64) -> Result<String> {
    rs::uuid_of(conn, Kind::Collection, &ObjectId::Id(id), new_uuid)
}

/// An item's shared state: the item as its JSON (without its row id, each replica's own), the
/// collections it is filed in by their ids across replicas, and when it went to the trash.
/// Attached files stay on their machine.
pub(crate) fn item_state(conn: &Conn, id: i64) -> Result<Option<Value>> {
    let Some(snap) = items::snapshot(conn, id)? else {
        return Ok(None);
    };
    let mut v = serde_json::to_value(&snap.item).map_err(|e| Error::Format(e.to_string()))?;
    let o = v.as_object_mut().expect("an item is a JSON object");
    o.remove("id");
    let mut cols = Vec::with_capacity(snap.collections.len());
    for c in &snap.collections {
        cols.push(collection_uuid(conn, *c)?);
    }
    cols.sort();
    o.insert("collections".into(), json!(cols));
    o.insert("trashed".into(), json!(snap.deleted_at));
    Ok(Some(v))
}

fn collection_state(conn: &Conn, id: i64) -> Result<Option<Value>> {
    let Some(row) = collections::row(conn, id)? else {
        return Ok(None);
    };
    let parent = match row.parent_id {
        Some(p) => Some(collection_uuid(conn, p)?),
        None => None,
    };
    Ok(Some(
        json!({"name": row.name, "parent": parent, "position": row.position}),
    ))
}

fn search_state(conn: &Conn, name: &str) -> Result<Option<Value>> {
    let Some(s) = saved::get(conn, name)? else {
        return Ok(None);
    };
    let collection = match s.collection_id {
        Some(c) => Some(collection_uuid(conn, c)?),
        None => None,
    };
    Ok(Some(json!({
        "name": s.name, "query": s.query, "collection": collection,
        "recursive": s.recursive, "created_at": s.created_at,
    })))
}

/// An object's shared state now (`None`: gone).
fn state_of(conn: &Conn, kind: Kind, local: &ObjectId) -> Result<Option<Value>> {
    match (kind, local) {
        (Kind::Item, ObjectId::Id(id)) => item_state(conn, *id),
        (Kind::Collection, ObjectId::Id(id)) => collection_state(conn, *id),
        (Kind::Search, ObjectId::Name(n)) => search_state(conn, n),
        _ => Ok(None),
    }
}

/// A name for messages: an item's key, a collection's or saved search's name.
fn name_of(state: Option<&Value>, kind: Kind) -> String {
    let field = if kind == Kind::Item { "key" } else { "name" };
    state
        .and_then(|s| s.get(field))
        .and_then(Value::as_str)
        .unwrap_or("?")
        .to_string()
}

impl Library {
    /// The shared library this one is connected to.
    pub fn remote_settings(&self) -> Result<Option<RemoteSettings>> {
        let conn = self.store.conn();
        let Some(url) = rs::state(conn, "remote")? else {
            return Ok(None);
        };
        Ok(Some(RemoteSettings {
            url,
            library: rs::state(conn, "library")?.unwrap_or_default(),
            author: rs::state(conn, "author")?.unwrap_or_default(),
        }))
    }

    /// Connect this library to a shared library: every object gets its id across replicas,
    /// and all of them wait to be pushed. Connecting to another server or library starts
    /// afresh there.
    pub fn set_remote(&mut self, s: &RemoteSettings) -> Result<()> {
        let old = self.remote_settings()?;
        self.store.write_status(|conn| {
            if old.as_ref().is_some_and(|o| o.url != s.url || o.library != s.library) {
                rs::forget_all(conn)?;
            }
            rs::set_state(conn, "remote", Some(&s.url))?;
            rs::set_state(conn, "library", Some(&s.library))?;
            rs::set_state(conn, "author", Some(&s.author))?;
            rs::assign_uuids(conn, rs::pushed_through(conn)?, new_uuid)?;
            Ok(())
        })
    }

    /// Stop sharing: the library stays as it is, its sync bookkeeping is forgotten.
    pub fn forget_remote(&mut self) -> Result<()> {
        self.store.write_status(rs::forget_all)
    }

    /// Where the next pull starts.
    pub fn pull_cursor(&self) -> Result<Cursor> {
        let conn = self.store.conn();
        let version = rs::state(conn, "pulled")?.and_then(|v| v.parse().ok()).unwrap_or(0);
        let uuid = rs::state(conn, "pulled_uuid")?
            .and_then(|u| u.parse().ok())
            .unwrap_or_else(Uuid::max);
        Ok(Cursor { version, uuid })
    }

    /// Skip the pull's cursor forward (past this replica's own push, when nobody else
    /// pushed before it).
    pub fn advance_pull_cursor(&mut self, c: Cursor) -> Result<()> {
        self.store.write_status(|conn| {
            rs::set_state(conn, "pulled", Some(&c.version.to_string()))?;
            rs::set_state(conn, "pulled_uuid", Some(&c.uuid.to_string()))
        })
    }

    /// An item's id across replicas, by its key.
    pub fn shared_id_of(&self, key: &str) -> Result<Uuid> {
        let id = self.id_of(key)?;
        let row = rs::row(self.store.conn(), Kind::Item, &ObjectId::Id(id))?
            .ok_or_else(|| Error::NotFound(format!("{key} has not been shared yet")))?;
        row.uuid
            .parse()
            .map_err(|_| Error::Format(format!("bad uuid {}", row.uuid)))
    }

    pub fn replica_status(&self) -> Result<ReplicaStatus> {
        let conn = self.store.conn();
        Ok(ReplicaStatus {
            outbox: rs::outbox_len(conn)?,
            conflicts: rs::conflicts(conn)?.len(),
            pulled: self.pull_cursor()?.version,
        })
    }

    /// Whether the last connection found this member read-only.
    pub fn remote_read_only(&self) -> Result<bool> {
        Ok(rs::state(self.store.conn(), "read_only")?.as_deref() == Some("1"))
    }

    pub fn set_remote_read_only(&mut self, read_only: bool) -> Result<()> {
        self.store
            .write_status(|conn| rs::set_state(conn, "read_only", read_only.then_some("1")))
    }

    /// Apply one page of a pull as one transaction (not journaled: a colleague's change is
    /// not the user's to undo), and move the pull's cursor past it in the same transaction.
    pub fn apply_pull(&mut self, page: &Page) -> Result<PullApplied> {
        let mut objects: Vec<&RemoteObject> = page.objects.iter().collect();
        // Collections first (items refer to them), then saved searches, then items.
        objects.sort_by_key(|o| match o.kind {
            ObjectKind::Collection => 0,
            ObjectKind::Search => 1,
            ObjectKind::Item => 2,
        });
        // Protected keys matter only when an incoming key is held here by another item (reading
        // them walks every auto-export's items): look them up only then.
        let clash = objects.iter().filter(|o| o.kind == ObjectKind::Item).any(|o| {
            let Some(key) = o.state.as_ref().and_then(|s| s.get("key")).and_then(Value::as_str) else {
                return false;
            };
            let Ok(id) = self.id_of(key) else { return false };
            rs::row(self.store.conn(), Kind::Item, &ObjectId::Id(id))
                .ok()
                .flatten()
                .is_none_or(|r| r.uuid != o.uuid.to_string())
        });
        let protected = if clash { Some(self.protected_keys()?) } else { None };
        let cursor = page.next.or_else(|| {
            page.objects.last().map(|o| Cursor {
                version: o.version,
                uuid: o.uuid,
            })
        });
        self.store.write_pulled(|w, version| {
            let mut out = PullApplied::default();
            let mut ctx = Apply {
                version,
                protected: protected.unwrap_or_default(),
                out: &mut out,
            };
            for o in objects {
                ctx.object(w, o)?;
            }
            if let Some(c) = cursor {
                rs::set_state(w.conn(), "pulled", Some(&c.version.to_string()))?;
                rs::set_state(w.conn(), "pulled_uuid", Some(&c.uuid.to_string()))?;
            }
            Ok(out)
        })
    }

    /// The pushes that send the outbox, one per local action (objects of one library version
    /// together, named by the action's label), oldest first, without their states: each is
    /// built when it is sent ([`Library::build_push`]), so only one push's states are in memory.
    /// Objects with open conflicts wait. Once every push is sent, [`Library::outbox_sent`]
    /// with the plan's `through` moves the watermark, so the next plan reads only objects
    /// changed since (a sync of a 100k library does not read every object).
    pub fn plan_pushes(&mut self) -> Result<PushPlan> {
        let (through, since) = self.store.write_status(|conn| {
            // Read first: an action committed after this has a later version and stays in the
            // outbox whether or not this plan sees it.
            let through = crate::store::versions::library_version(conn)?;
            let since = rs::pushed_through(conn)?;
            rs::assign_uuids(conn, since, new_uuid)?;
            Ok((through, since))
        })?;
        let conn = self.store.conn();
        let held = rs::conflicted(conn)?;
        let mut plans: Vec<PlannedPush> = Vec::new();
        let mut forget = Vec::new();
        for o in rs::outbox(conn, since)? {
            if held.contains(&o.row.uuid) {
                continue;
            }
            if o.deleted && o.row.server_version == 0 {
                // Made and removed between two syncs: the server never needs to hear of it.
                forget.push(o.row.uuid.clone());
                continue;
            }
            match plans.last_mut() {
                Some(p) if p.version == o.version => p.objects.push(o.row),
                _ => plans.push(PlannedPush {
                    version: o.version,
                    label: String::new(),
                    objects: vec![o.row],
                }),
            }
        }
        if !forget.is_empty() {
            self.store.write_status(|conn| {
                for u in &forget {
                    rs::remove_row(conn, u)?;
                }
                Ok(())
            })?;
        }
        let conn = self.store.conn();
        let (lo, hi) = (
            plans.first().map_or(0, |p| p.version),
            plans.last().map_or(0, |p| p.version),
        );
        let labels: HashMap<i64, String> = rs::action_labels(conn, lo, hi)?.into_iter().collect();
        for p in &mut plans {
            let n = p.objects.len();
            p.label = labels
                .get(&p.version)
                .cloned()
                .unwrap_or_else(|| format!("Share {n} object{}", if n == 1 { "" } else { "s" }));
        }
        Ok(PushPlan { pushes: plans, through })
    }

    /// Every push of a plan was sent (or its objects are held by conflicts): objects up to
    /// the plan's version need not be read again.
    pub fn outbox_sent(&mut self, plan_through: i64) -> Result<()> {
        self.store.write_status(|conn| {
            if rs::pushed_through(conn)? < plan_through {
                rs::set_pushed_through(conn, plan_through)?;
            }
            Ok(())
        })
    }

    /// A planned push with its objects' states as they are now, and each object's local
    /// version (what [`Library::push_done`] compares with).
    pub fn build_push(&self, plan: &PlannedPush, author: &str) -> Result<(Push, Vec<(String, i64)>)> {
        let conn = self.store.conn();
        let mut objects = Vec::with_capacity(plan.objects.len());
        let mut ids = Vec::with_capacity(plan.objects.len());
        for row in &plan.objects {
            let state = state_of(conn, row.kind, &row.local)?;
            if state.is_none() && row.server_version == 0 {
                continue;
            }
            let citekey = state
                .as_ref()
                .filter(|_| row.kind == Kind::Item)
                .and_then(|s| s.get("key"))
                .and_then(Value::as_str)
                .map(str::to_string);
            objects.push(PushObject {
                uuid: row
                    .uuid
                    .parse()
                    .map_err(|_| Error::Format(format!("bad uuid {}", row.uuid)))?,
                kind: object_kind(row.kind),
                base: row.server_version,
                state: state.as_ref().map(crate::remote::state),
                citekey,
            });
            ids.push((row.uuid.clone(), rs::local_version(conn, row.kind, &row.local)?));
        }
        Ok((
            Push {
                action: Uuid::now_v7(),
                author: author.to_string(),
                label: plan.label.clone(),
                objects,
            },
            ids,
        ))
    }

    /// Record a push about to be sent (so a crash before its answer is recovered).
    pub fn push_started(&mut self, push: &Push, ids: &[(String, i64)]) -> Result<()> {
        let p = InFlight {
            action: push.action.to_string(),
            label: push.label.clone(),
            objects: ids.to_vec(),
        };
        self.store.write_status(|conn| rs::put_in_flight(conn, &p))
    }

    /// The pushes whose answer never came (the program died or the connection was lost).
    pub fn pushes_in_flight(&self) -> Result<Vec<InFlight>> {
        rs::in_flight(self.store.conn())
    }

    /// A push was committed as server version `version`: its objects' states are the new
    /// agreed ones. `push` is `None` when recovering a push from an earlier run: objects
    /// unchanged since take their current state as agreed; changed ones are merged when the
    /// server sends the pushed state back.
    pub fn push_done(&mut self, action: &str, version: i64, push: Option<&Push>, ids: &[(String, i64)]) -> Result<()> {
        self.store.write_status(|conn| {
            let states: HashMap<String, Option<&str>> = push
                .map(|p| {
                    p.objects
                        .iter()
                        .map(|o| (o.uuid.to_string(), o.state.as_deref().map(|s| s.get())))
                        .collect()
                })
                .unwrap_or_default();
            for (uuid, pushed_at) in ids {
                let Some(row) = rs::row_by_uuid(conn, uuid)? else {
                    continue;
                };
                let now = rs::local_version(conn, row.kind, &row.local)?;
                let unchanged = now == *pushed_at;
                let base = match states.get(uuid) {
                    Some(s) => s.map(str::to_string),
                    None if unchanged => state_of(conn, row.kind, &row.local)?.as_ref().map(to_text),
                    None => continue,
                };
                rs::agree(conn, uuid, version, base.as_deref(), unchanged.then_some(now))?;
            }
            rs::remove_in_flight(conn, action)
        })
    }

    /// A push was refused or never arrived: its objects stay in the outbox.
    pub fn push_dropped(&mut self, action: &str) -> Result<()> {
        self.store.write_status(|conn| rs::remove_in_flight(conn, action))
    }

    /// Everything pushed: forget the labels of the pushed actions.
    pub fn pushes_settled(&mut self) -> Result<()> {
        let version = crate::store::versions::library_version(self.store.conn())?;
        if rs::outbox_len(self.store.conn())? == 0 {
            self.store.write_status(|conn| rs::prune_labels(conn, version))?;
        }
        Ok(())
    }

    /// Citation keys the server refused (held by other live items): an unprotected key moves
    /// to the next free suffix (named in the report); a protected one is never renamed
    /// automatically — it becomes a conflict and its item waits.
    pub fn settle_key_clashes(&mut self, clashes: &[KeyClash], author: &str) -> Result<Vec<KeyRenamed>> {
        let protected = self.protected_keys()?;
        let mut taken: BTreeSet<String> = clashes.iter().map(|c| c.key.clone()).collect();
        self.store.write_pulled(|w, _| {
            let mut out = Vec::new();
            for c in clashes {
                let Some(row) = rs::row_by_uuid(w.conn(), &c.uuid.to_string())? else {
                    continue;
                };
                let ObjectId::Id(id) = row.local else { continue };
                if let Some(why) = protected.get(&c.key) {
                    rs::put_conflict(
                        w.conn(),
                        &ConflictRow {
                            id: 0,
                            kind: Kind::Item,
                            uuid: row.uuid.clone(),
                            field: "key".into(),
                            base: row
                                .base
                                .as_deref()
                                .and_then(|b| parse(Some(b)))
                                .map(|b| b["key"].to_string()),
                            mine: Some(json!(c.key).to_string()),
                            theirs: Some(
                                json!(format!("held by another item on the server ({})", c.holder)).to_string(),
                            ),
                            author: author.to_string(),
                            at: crate::text::now_rfc3339(),
                        },
                    )?;
                    out.push(KeyRenamed {
                        old: c.key.clone(),
                        new: c.key.clone(),
                        why: format!("kept: {why}; another item has this key on the server (a conflict)"),
                    });
                    continue;
                }
                let new = free_key(w, &c.key, &mut taken)?;
                rename_item(w, id, &new)?;
                out.push(KeyRenamed {
                    old: c.key.clone(),
                    new,
                    why: "another item has this key on the shared library".into(),
                });
            }
            Ok(out)
        })
    }

    /// The conflicts waiting for the user.
    pub fn sync_conflicts(&self) -> Result<Vec<SyncConflict>> {
        let conn = self.store.conn();
        let mut out = Vec::new();
        for c in rs::conflicts(conn)? {
            let name = match rs::row_by_uuid(conn, &c.uuid)? {
                Some(r) => name_of(state_of(conn, r.kind, &r.local)?.as_ref(), r.kind),
                None => c.uuid.clone(),
            };
            out.push(SyncConflict {
                uuid: c.uuid,
                kind: object_kind(c.kind),
                name,
                field: c.field,
                base: parse(c.base.as_deref()),
                mine: parse(c.mine.as_deref()),
                theirs: parse(c.theirs.as_deref()),
                author: c.author,
                at: c.at,
            });
        }
        Ok(out)
    }

    /// Resolve a conflict on `field` of the object named `target` (an item's key, a
    /// collection's or saved search's name, or the uuid) by taking mine, theirs or a value.
    /// Taking theirs or a value is an action of its own (undoable); the object is pushed at the
    /// next sync once no conflict holds it.
    pub fn resolve_sync_conflict(&mut self, target: &str, field: &str, take: Take) -> Result<()> {
        let all = self.sync_conflicts()?;
        let c = all
            .iter()
            .find(|c| (c.name == target || c.uuid == target) && c.field == field)
            .ok_or_else(|| {
                Error::NotFound(format!(
                    "no conflict on {field} of {target} (`folio conflicts` lists them)"
                ))
            })?
            .clone();
        let row = rs::row_by_uuid(self.store.conn(), &c.uuid)?
            .ok_or_else(|| Error::NotFound(format!("no object {}", c.uuid)))?;
        let value = match take {
            Take::Mine => None,
            Take::Theirs => Some(c.theirs.clone()),
            Take::Value(v) => Some(Some(v)),
        };
        let label = format!("Resolve conflict on {field} of {}", c.name);
        let protected = self.protected_keys()?;
        self.store.write(&label, |w| {
            rs::remove_conflict(w.conn(), &c.uuid, field)?;
            if let Some(v) = value {
                set_shared_field(w, &row, field, v, &protected)?;
            } else if field == "*" && c.mine.is_none() {
                // Mine was the deletion: delete it again.
                set_shared_field(w, &row, "*", None, &protected)?;
            }
            // Whatever was chosen goes to the server at the next sync.
            rs::mark_dirty(w.conn(), &c.uuid)
        })
    }
}

/// A key free in the library and not among `taken`, from `base` with a/b/c suffixes.
fn free_key(w: &Writer<'_>, base: &str, taken: &mut BTreeSet<String>) -> Result<String> {
    let mut err = None;
    let key = crate::citekey::make_unique(base, |k| {
        taken.contains(k)
            || items::id_by_key(w.conn(), k)
                .map_err(|e| err = Some(e))
                .map(|o| o.is_some())
                .unwrap_or(true)
    });
    if let Some(e) = err {
        return Err(e);
    }
    taken.insert(key.clone());
    Ok(key)
}

/// Give an item another key (a sync's doing, recorded like a pull: not undoable, pushed).
fn rename_item(w: &mut Writer<'_>, id: i64, key: &str) -> Result<()> {
    let Some(mut item) = items::load(w.conn(), id)? else {
        return Ok(());
    };
    item.key = key.to_string();
    items::update(w, &mut item)
}

/// Set one shared field of an object to `value` (`None` for `*`: remove the object).
fn set_shared_field(
    w: &mut Writer<'_>,
    row: &SyncRow,
    field: &str,
    value: Option<Value>,
    protected: &Protected,
) -> Result<()> {
    let current = state_of(w.conn(), row.kind, &row.local)?;
    let new = if field == "*" {
        value
    } else {
        let mut s = current.clone().unwrap_or_else(|| json!({}));
        s[field] = value.unwrap_or(Value::Null);
        Some(s)
    };
    write_state(
        w,
        row.kind,
        &row.local,
        &row.uuid,
        new.as_ref(),
        protected,
        &mut PullApplied::default(),
    )
    .map(|_| ())
}

/// Protected citation keys, with why.
type Protected = std::collections::BTreeMap<String, String>;

/// Applying a pull's objects.
struct Apply<'a> {
    version: i64,
    protected: Protected,
    out: &'a mut PullApplied,
}

impl Apply<'_> {
    fn object(&mut self, w: &mut Writer<'_>, o: &RemoteObject) -> Result<()> {
        let kind = kind_of(o.kind);
        let uuid = o.uuid.to_string();
        let row = rs::row_by_uuid(w.conn(), &uuid)?;
        if row.as_ref().is_some_and(|r| r.server_version >= o.version) {
            // Our own push coming back, or older than what we agreed on.
            return Ok(());
        }
        self.out.authors.insert(o.author.clone());
        let Some(row) = row else {
            // New here.
            if o.state.is_some() {
                let local = write_state(
                    w,
                    kind,
                    &ObjectId::Id(0),
                    &uuid,
                    o.state.as_ref(),
                    &self.protected,
                    self.out,
                )?;
                if let Some(local) = local {
                    rs::agree(
                        w.conn(),
                        &uuid,
                        o.version,
                        o.state.as_ref().map(to_text).as_deref(),
                        Some(self.version),
                    )?;
                    rs::mark_pulled(w.conn(), &uuid)?;
                    self.wake_waiting(w, kind, &local, &uuid)?;
                    self.out.added += 1;
                }
            }
            return Ok(());
        };
        let now = rs::local_version(w.conn(), row.kind, &row.local)?;
        let dirty = now > row.synced || row.server_version == 0;
        let mine = state_of(w.conn(), row.kind, &row.local)?;
        let theirs = o.state.as_ref();
        let base = parse(row.base.as_deref());
        let theirs_text = theirs.map(to_text);
        if !dirty || mine.as_ref() == theirs {
            self.replace(w, &row, o, mine.is_some())?;
            return Ok(());
        }
        // Changed on both sides.
        let name = name_of(mine.as_ref().or(theirs), row.kind);
        match (mine.as_ref(), theirs) {
            (Some(m), Some(t)) => {
                let merged = merge3(base.as_ref(), m, t);
                for c in &merged.conflicts {
                    self.conflict(w, &row, c, &o.author)?;
                    self.out.conflicts.push(format!("{name}: {}", c.field));
                }
                if &merged.state != m {
                    write_state(
                        w,
                        row.kind,
                        &row.local,
                        &row.uuid,
                        Some(&merged.state),
                        &self.protected,
                        self.out,
                    )?;
                }
                let clean = &merged.state == t;
                rs::agree(
                    w.conn(),
                    &row.uuid,
                    o.version,
                    theirs_text.as_deref(),
                    clean.then_some(self.version),
                )?;
                self.out.merged += 1;
            }
            (None, Some(_)) | (Some(_), None) => {
                // Deleted on one side, changed on the other: keep the object, both states.
                let whole = FieldConflict {
                    field: "*".into(),
                    base: base.clone(),
                    mine: mine.clone(),
                    theirs: theirs.cloned(),
                };
                self.conflict(w, &row, &whole, &o.author)?;
                self.out
                    .conflicts
                    .push(format!("{name}: deleted on one side, changed on the other"));
                if mine.is_none() {
                    write_state(w, row.kind, &row.local, &row.uuid, theirs, &self.protected, self.out)?;
                }
                rs::agree(w.conn(), &row.uuid, o.version, theirs_text.as_deref(), None)?;
            }
            (None, None) => rs::remove_row(w.conn(), &row.uuid)?,
        }
        rs::mark_pulled(w.conn(), &row.uuid)?;
        Ok(())
    }

    /// Take the server's state (the library had no change of its own).
    fn replace(&mut self, w: &mut Writer<'_>, row: &SyncRow, o: &RemoteObject, existed: bool) -> Result<()> {
        let uuid = o.uuid.to_string();
        match &o.state {
            None => {
                if existed {
                    write_state(w, row.kind, &row.local, &uuid, None, &self.protected, self.out)?;
                    self.out.deleted += 1;
                }
                rs::remove_row(w.conn(), &uuid)?;
            }
            Some(s) => {
                let local = write_state(w, row.kind, &row.local, &uuid, Some(s), &self.protected, self.out)?;
                rs::agree(w.conn(), &uuid, o.version, Some(&to_text(s)), Some(self.version))?;
                rs::mark_pulled(w.conn(), &uuid)?;
                if existed {
                    self.out.changed += 1;
                } else {
                    self.out.added += 1;
                }
                if let Some(local) = local {
                    self.wake_waiting(w, row.kind, &local, &uuid)?;
                }
            }
        }
        Ok(())
    }

    fn conflict(&self, w: &Writer<'_>, row: &SyncRow, c: &FieldConflict, author: &str) -> Result<()> {
        let text = |v: &Option<Value>| v.as_ref().map(to_text);
        rs::put_conflict(
            w.conn(),
            &ConflictRow {
                id: 0,
                kind: row.kind,
                uuid: row.uuid.clone(),
                field: c.field.clone(),
                base: text(&c.base),
                mine: text(&c.mine),
                theirs: text(&c.theirs),
                author: author.to_string(),
                at: crate::text::now_rfc3339(),
            },
        )
    }

    /// Objects that referred to this one before it arrived get their reference now.
    fn wake_waiting(&mut self, w: &mut Writer<'_>, kind: Kind, local: &ObjectId, uuid: &str) -> Result<()> {
        let (Kind::Collection, ObjectId::Id(cid)) = (kind, local) else {
            return Ok(());
        };
        for (k, waiting) in rs::take_waiting(w.conn(), uuid)? {
            match (k, waiting) {
                (Kind::Item, ObjectId::Id(item)) => {
                    collections::add_item(w, *cid, item)?;
                }
                (Kind::Collection, ObjectId::Id(child)) => {
                    if let Some(mut r) = collections::row(w.conn(), child)? {
                        w.touch_collection(child)?;
                        r.parent_id = Some(*cid);
                        collections::restore(w, child, Some(&r))?;
                    }
                }
                _ => {}
            }
        }
        Ok(())
    }
}

/// Write an object's shared state into the library (`None`: remove it). `local` is the object
/// when it exists (`ObjectId::Id(0)`: new, made here and given the row for `uuid`). Returns
/// the local object written.
fn write_state(
    w: &mut Writer<'_>,
    kind: Kind,
    local: &ObjectId,
    uuid: &str,
    state: Option<&Value>,
    protected: &Protected,
    out: &mut PullApplied,
) -> Result<Option<ObjectId>> {
    match kind {
        Kind::Item => write_item(w, local, uuid, state, protected, out).map(|o| o.map(ObjectId::Id)),
        Kind::Collection => write_collection(w, local, uuid, state).map(|o| o.map(ObjectId::Id)),
        _ => write_search(w, local, uuid, state),
    }
}

fn collection_by_uuid(w: &Writer<'_>, uuid: &str) -> Result<Option<i64>> {
    Ok(match rs::row_by_uuid(w.conn(), uuid)? {
        Some(SyncRow {
            kind: Kind::Collection,
            local: ObjectId::Id(id),
            ..
        }) => Some(id),
        _ => None,
    })
}

fn write_item(
    w: &mut Writer<'_>,
    local: &ObjectId,
    uuid: &str,
    state: Option<&Value>,
    protected: &Protected,
    out: &mut PullApplied,
) -> Result<Option<i64>> {
    let existing = match local {
        ObjectId::Id(id) if *id > 0 => Some(*id).filter(|id| items::load(w.conn(), *id).ok().flatten().is_some()),
        _ => None,
    };
    let Some(state) = state else {
        if let Some(id) = existing {
            items::hard_delete(w, id)?;
        }
        return Ok(None);
    };
    let mut fields: Map<String, Value> = state.as_object().cloned().unwrap_or_default();
    let cols: Vec<String> = fields
        .remove("collections")
        .and_then(|v| serde_json::from_value(v).ok())
        .unwrap_or_default();
    let trashed: Option<String> = fields.remove("trashed").and_then(|v| v.as_str().map(str::to_string));
    let mut item: Item = serde_json::from_value(Value::Object(fields))
        .map_err(|e| Error::Format(format!("the server's item {uuid} cannot be read: {e}")))?;
    // The key: another local item holding it gives way (the server's item was there first),
    // unless a paper depends on its key: then this item takes another key here, and the
    // difference is a conflict (see also `Library::settle_key_clashes`).
    if let Some(holder) = items::id_by_key(w.conn(), &item.key)?.filter(|h| Some(*h) != existing) {
        let mut taken = BTreeSet::new();
        taken.insert(item.key.clone());
        let new = free_key(w, &item.key, &mut taken)?;
        if let Some(why) = protected.get(&item.key) {
            rs::put_conflict(
                w.conn(),
                &ConflictRow {
                    id: 0,
                    kind: Kind::Item,
                    uuid: uuid.to_string(),
                    field: "key".into(),
                    base: None,
                    mine: Some(json!(new).to_string()),
                    theirs: Some(json!(item.key).to_string()),
                    author: String::new(),
                    at: crate::text::now_rfc3339(),
                },
            )?;
            out.conflicts.push(format!(
                "{}: key (this library's {} keeps it: {why})",
                item.key, item.key
            ));
            item.key = new;
        } else {
            rename_item(w, holder, &new)?;
            out.renamed.push(KeyRenamed {
                old: item.key.clone(),
                new,
                why: "the shared library has another item with this key".into(),
            });
        }
    }
    let mut col_ids = Vec::new();
    let mut waiting = Vec::new();
    for c in &cols {
        match collection_by_uuid(w, c)? {
            Some(id) => col_ids.push(id),
            None => waiting.push(c.clone()),
        }
    }
    let id = match existing {
        Some(id) => {
            w.touch_item(id)?;
            item.id = Some(id);
            let attachments = crate::store::attachments::of_item(w.conn(), id)?;
            let snap = ItemSnapshot {
                item,
                collections: col_ids,
                deleted_at: trashed,
                attachments,
            };
            items::restore(w, id, Some(&snap))?;
            id
        }
        None => {
            item.id = None;
            let modified = std::mem::take(&mut item.date_modified);
            let id = items::insert(w, &mut item)?;
            for c in col_ids {
                collections::add_item(w, c, id)?;
            }
            if trashed.is_some() {
                items::set_deleted(w, id, trashed.as_deref())?;
            }
            if !modified.is_empty() {
                items::set_modified(w.conn(), id, &modified)?;
            }
            match rs::row_by_uuid(w.conn(), uuid)? {
                Some(_) => rs::relocate(w.conn(), uuid, &ObjectId::Id(id))?,
                None => rs::insert_row(w.conn(), Kind::Item, &ObjectId::Id(id), uuid)?,
            }
            id
        }
    };
    for c in waiting {
        rs::wait_for(w.conn(), &c, Kind::Item, &ObjectId::Id(id))?;
    }
    Ok(Some(id))
}

fn write_collection(w: &mut Writer<'_>, local: &ObjectId, uuid: &str, state: Option<&Value>) -> Result<Option<i64>> {
    let existing = match local {
        ObjectId::Id(id) if *id > 0 => collections::row(w.conn(), *id)?.map(|r| r.id),
        _ => None,
    };
    let Some(state) = state else {
        if let Some(id) = existing {
            collections::delete(w, id)?;
        }
        return Ok(None);
    };
    let mut name = state
        .get("name")
        .and_then(Value::as_str)
        .unwrap_or("Unnamed")
        .to_string();
    let parent_uuid = state.get("parent").and_then(Value::as_str).map(str::to_string);
    let parent = match &parent_uuid {
        Some(p) => collection_by_uuid(w, p)?,
        None => None,
    };
    let position = state.get("position").and_then(Value::as_i64).unwrap_or(0);
    // A collection of that name under that parent already here: the same collection made on
    // both sides when it was never pushed; otherwise another one, which takes a suffix.
    if let Some(same) = collections::child(w.conn(), parent, &name)?.filter(|c| Some(*c) != existing) {
        let theirs = rs::row(w.conn(), Kind::Collection, &ObjectId::Id(same))?;
        if existing.is_none() && theirs.as_ref().is_none_or(|r| r.server_version == 0) {
            if let Some(r) = theirs {
                rs::remove_row(w.conn(), &r.uuid)?;
            }
            rs::insert_row(w.conn(), Kind::Collection, &ObjectId::Id(same), uuid)?;
            return Ok(Some(same));
        }
        let base = name.clone();
        let mut n = 2;
        while collections::child(w.conn(), parent, &name)?.is_some() {
            name = format!("{base} ({n})");
            n += 1;
        }
    }
    let id = match existing {
        Some(id) => id,
        None => {
            let id = collections::create(w, parent, &name)?;
            rs::insert_row(w.conn(), Kind::Collection, &ObjectId::Id(id), uuid)?;
            id
        }
    };
    w.touch_collection(id)?;
    collections::restore(
        w,
        id,
        Some(&CollectionRow {
            id,
            name,
            parent_id: parent,
            position,
        }),
    )?;
    if let (Some(p), None) = (&parent_uuid, parent) {
        rs::wait_for(w.conn(), p, Kind::Collection, &ObjectId::Id(id))?;
    }
    Ok(Some(id))
}

fn write_search(w: &mut Writer<'_>, local: &ObjectId, uuid: &str, state: Option<&Value>) -> Result<Option<ObjectId>> {
    let existing = match local {
        ObjectId::Name(n) => saved::get(w.conn(), n)?.map(|s| s.name),
        _ => None,
    };
    let Some(state) = state else {
        if let Some(n) = existing {
            saved::delete(w, &n)?;
        }
        return Ok(None);
    };
    let text = |k: &str| state.get(k).and_then(Value::as_str).unwrap_or_default().to_string();
    let collection = match state.get("collection").and_then(Value::as_str) {
        Some(c) => collection_by_uuid(w, c)?,
        None => None,
    };
    let s = crate::store::SavedSearch {
        name: text("name"),
        query: text("query"),
        collection_id: collection,
        recursive: state.get("recursive").and_then(Value::as_bool).unwrap_or(false),
        created_at: text("created_at"),
    };
    if let Some(old) = existing.filter(|n| !n.eq_ignore_ascii_case(&s.name)) {
        saved::delete(w, &old)?;
    }
    saved::put(w, &s)?;
    let local = ObjectId::Name(s.name.to_lowercase());
    match rs::row_by_uuid(w.conn(), uuid)? {
        Some(_) => rs::relocate(w.conn(), uuid, &local)?,
        None => rs::insert_row(w.conn(), Kind::Search, &local, uuid)?,
    }
    Ok(Some(local))
}
