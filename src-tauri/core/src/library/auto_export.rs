//! Use cases of the LaTeX workflow: auto-exports kept in sync with the library, export by
//! `.aux`, registered `.aux` files, and citation keys protected from changes that would break
//! a paper.
//!
//! Registrations live in the library's `meta` table (`auto-export:<path>`, `aux:<path>`), so
//! adding or removing one is an ordinary undoable action. Whoever changes the library calls
//! [`Library::sync_auto_exports`] afterwards (the CLI after every command, the app after every
//! action): each auto-export is rendered and written only if its content changed, atomically,
//! entries sorted by key. Rendered entries are cached per item and variant while the item is
//! unchanged, so a re-export after one edit renders one entry.

use super::export::{write_atomic_if_changed, ExportOptions};
use super::Library;
use crate::error::{Error, Result};
use crate::format::Format;
use crate::model::{AccessStatus, Item, ItemId};
use crate::store::search::{Filter, Sort, SortColumn};
use crate::store::{exports, meta};
use serde::{Deserialize, Serialize};
use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};

const AUTO_PREFIX: &str = "auto-export:";
const AUX_PREFIX: &str = "aux:";

/// What an auto-export contains.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "lowercase")]
pub enum Scope {
    Library,
    Collection {
        id: i64,
        recursive: bool,
    },
    Tag {
        name: String,
    },
    Access {
        status: AccessStatus,
    },
    /// A saved search, by name.
    Search {
        name: String,
    },
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AutoExport {
    /// Absolute target path.
    pub path: String,
    pub format: String,
    pub scope: Scope,
    #[serde(default)]
    pub ascii: Option<bool>,
    #[serde(default)]
    pub omit_fields: Vec<String>,
}

/// The outcome of syncing one auto-export.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SyncResult {
    pub path: String,
    pub items: usize,
    /// The file was rewritten (its content changed).
    pub written: bool,
    /// Why it could not be written; the old file is untouched and the next sync retries.
    pub error: Option<String>,
}

/// An auto-export with its last run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AutoExportStatus {
    pub export: AutoExport,
    pub last_run_at: Option<String>,
    pub items: Option<i64>,
    pub last_error: Option<String>,
}

fn absolute(path: &Path) -> Result<PathBuf> {
    if path.is_absolute() {
        return Ok(path.to_path_buf());
    }
    Ok(std::env::current_dir().map_err(|e| Error::io(path, e))?.join(path))
}

impl AutoExport {
    fn format(&self) -> Result<Format> {
        self.format.parse().map_err(Error::InvalidInput)
    }
    fn options(&self) -> Result<ExportOptions> {
        Ok(ExportOptions {
            format: self.format()?,
            ascii: self.ascii,
            omit_fields: self.omit_fields.clone(),
        })
    }
    /// Identifies the rendering (format + options) for the entry cache.
    fn variant(&self) -> String {
        format!("{}|{:?}|{}", self.format, self.ascii, self.omit_fields.join(","))
    }
}

impl Library {
    pub fn scope_filter(&self, scope: &Scope) -> Result<Filter> {
        Ok(match scope {
            Scope::Library => Filter::default(),
            Scope::Collection { id, recursive } => {
                // Fails clearly when the collection was deleted.
                self.collection_path(*id)?;
                Filter {
                    collection: Some(*id),
                    recursive: *recursive,
                    ..Default::default()
                }
            }
            Scope::Tag { name } => Filter {
                tags: vec![name.clone()],
                ..Default::default()
            },
            Scope::Access { status } => Filter {
                access: vec![*status],
                ..Default::default()
            },
            Scope::Search { name } => self.saved_filter(name)?,
        })
    }

    /// A human description of a scope ("collection Thesis (with subcollections)").
    pub fn scope_label(&self, scope: &Scope) -> String {
        match scope {
            Scope::Library => "the whole library".into(),
            Scope::Collection { id, recursive } => format!(
                "collection {}{}",
                self.collection_path(*id).unwrap_or_else(|_| format!("#{id} (deleted)")),
                if *recursive { " with subcollections" } else { "" }
            ),
            Scope::Tag { name } => format!("tag {name}"),
            Scope::Access { status } => format!("access {status}"),
            Scope::Search { name } => format!("saved search {name}"),
        }
    }

    /// Register an auto-export and write it now. Undoable.
    pub fn auto_export_add(&mut self, mut export: AutoExport) -> Result<SyncResult> {
        export.path = absolute(Path::new(&export.path))?.to_string_lossy().into_owned();
        export.format()?;
        self.scope_filter(&export.scope)?;
        // Before it is registered: never the library itself, a database, a write-protected file.
        self.check_export_target(Path::new(&export.path))?;
        let key = format!("{AUTO_PREFIX}{}", export.path);
        if meta::get(self.store.conn(), &key)?.is_some() {
            return Err(Error::Conflict(format!(
                "{} is already an auto-export target",
                export.path
            )));
        }
        let json = serde_json::to_string(&export).map_err(|e| Error::Format(e.to_string()))?;
        self.store.write(&format!("Add auto-export {}", export.path), |w| {
            meta::set(w, &key, Some(&json))
        })?;
        let r = self.sync_one(&export)?;
        self.store.take_changed();
        Ok(r)
    }

    /// Stop keeping a file in sync (the file itself is left alone). Undoable.
    pub fn auto_export_remove(&mut self, path: &str) -> Result<()> {
        let abs = absolute(Path::new(path))?.to_string_lossy().into_owned();
        let key = format!("{AUTO_PREFIX}{abs}");
        if meta::get(self.store.conn(), &key)?.is_none() {
            return Err(Error::NotFound(format!("{abs} is not an auto-export target")));
        }
        self.store
            .write(&format!("Remove auto-export {abs}"), |w| meta::set(w, &key, None))
    }

    pub fn auto_exports(&self) -> Result<Vec<AutoExportStatus>> {
        let mut out = Vec::new();
        for (_, json) in meta::with_prefix(self.store.conn(), AUTO_PREFIX)? {
            let export: AutoExport =
                serde_json::from_str(&json).map_err(|e| Error::Format(format!("damaged auto-export: {e}")))?;
            let status = exports::status(self.store.conn(), &export.path);
            out.push(AutoExportStatus {
                last_run_at: status.as_ref().map(|s| s.last_run_at.clone()),
                items: status.as_ref().map(|s| s.items),
                last_error: status.and_then(|s| s.last_error),
                export,
            });
        }
        Ok(out)
    }

    /// Bring every auto-export up to date (write-if-changed). Errors are reported per export
    /// and recorded; they never stop the others.
    pub fn sync_auto_exports(&mut self) -> Result<Vec<SyncResult>> {
        let exports = self.auto_exports()?;
        let mut out = Vec::with_capacity(exports.len());
        for e in exports {
            out.push(self.sync_one(&e.export)?);
        }
        self.store.take_changed();
        Ok(out)
    }

    /// Sync auto-exports if the library changed since the last sync.
    pub fn sync_if_changed(&mut self) -> Result<Vec<SyncResult>> {
        if self.store.take_changed() {
            self.sync_auto_exports()
        } else {
            Ok(Vec::new())
        }
    }

    fn sync_one(&mut self, export: &AutoExport) -> Result<SyncResult> {
        // Checked at every run: a registration may predate the check, or the file may have
        // changed since (made read-only, replaced by a database).
        let rendered = self
            .check_export_target(Path::new(&export.path))
            .and_then(|()| self.render_cached(export));
        let (text, items, error) = match rendered {
            Ok((text, n)) => match write_atomic_if_changed(Path::new(&export.path), text.as_bytes()) {
                Ok(written) => (Some(written), n, None),
                Err(e) => (None, n, Some(e.to_string())),
            },
            Err(e) => (None, 0, Some(e.to_string())),
        };
        let now = crate::text::now_rfc3339();
        let path = export.path.clone();
        let err = error.clone();
        // A library that can only be read keeps no status (its auto-exports still run).
        if self.store.read_only().is_none() {
            self.store
                .write_status(|c| exports::set_status(c, &path, &now, items, err.as_deref()))?;
        }
        Ok(SyncResult {
            path: export.path.clone(),
            items,
            written: text.unwrap_or(false),
            error,
        })
    }

    /// Render an auto-export, reusing cached entries of unchanged items.
    fn render_cached(&mut self, export: &AutoExport) -> Result<(String, usize)> {
        let filter = self.scope_filter(&export.scope)?;
        let opts = export.options()?;
        if !matches!(opts.format, Format::Bibtex | Format::Biblatex | Format::Ris) {
            let items = self.items(
                &filter,
                Sort {
                    column: SortColumn::Key,
                    descending: false,
                },
            )?;
            return Ok((self.render(&items, &opts)?.text, items.len()));
        }
        let variant = export.variant();
        // (id, key, date_modified, cached text if still valid), in key order.
        let rows = crate::store::search::cached_renderings(&self.store, &filter, &variant)?;
        let missing: Vec<ItemId> = rows.iter().filter(|r| r.3.is_none()).map(|r| r.0).collect();
        let fresh: HashMap<ItemId, String> = if missing.is_empty() {
            HashMap::new()
        } else {
            let items = crate::store::items::load_many(self.store.conn(), &missing)?;
            let extras = self.bib_extras()?;
            let mut m = HashMap::new();
            for it in &items {
                let w = self.render_with(std::slice::from_ref(it), &opts, &extras)?;
                m.insert(it.id.unwrap_or_default(), entry_text(&w.text, opts.format));
            }
            m
        };
        if !fresh.is_empty() && self.store.read_only().is_none() {
            let modified: HashMap<ItemId, &str> = rows.iter().map(|r| (r.0, r.2.as_str())).collect();
            self.store.write_status(|c| {
                exports::cache_renderings(
                    c,
                    &variant,
                    fresh.iter().map(|(id, text)| (*id, modified[id], text.as_str())),
                )
            })?;
        }
        let n = rows.len();
        let ids: Vec<ItemId> = rows.iter().map(|r| r.0).collect();
        let entries: Vec<String> = rows
            .into_iter()
            .map(|(id, _, _, text)| text.unwrap_or_else(|| fresh[&id].clone()))
            .collect();
        // The file: what the writer puts before entries (e.g. @string and @preamble blocks),
        // the entries sorted by key, and what it puts after them (@comment blocks).
        let frame = match opts.format {
            Format::Bibtex | Format::Biblatex => {
                let (extras, _) = self.extras_for_ids(&ids)?;
                self.render_with(&[], &opts, &extras)?.text
            }
            _ => self.render(&[], &opts)?.text,
        };
        let mut text = String::with_capacity(entries.iter().map(String::len).sum::<usize>() + frame.len());
        let (head, tail) = split_frame(&frame);
        text.push_str(head);
        for e in &entries {
            text.push_str(e);
        }
        text.push_str(tail);
        Ok((text, n))
    }

    // ----- export by .aux, registered .aux files, protected keys ---------------------------

    /// The items a LaTeX `.aux` file cites, their `crossref`/`xdata` parents after them, and
    /// the cited keys the library does not have.
    pub fn cited_items(&self, aux: &Path) -> Result<(Vec<Item>, Vec<String>)> {
        let (items, missing, _) = self.cited_items_with_warnings(aux)?;
        Ok((items, missing))
    }

    /// [`Library::cited_items`] with the `.aux` reader's warnings (included files skipped).
    /// Linear in the citations: the cited keys are resolved a round at a time (the cited
    /// ones, then their parents, then theirs), against the set of the library's keys when a
    /// round is large, and the items of a round are loaded together.
    pub fn cited_items_with_warnings(&self, aux: &Path) -> Result<(Vec<Item>, Vec<String>, Vec<String>)> {
        let cites = crate::aux::read_aux(aux)?;
        if cites.all {
            let all = self.items(
                &Filter::default(),
                Sort {
                    column: SortColumn::Key,
                    descending: false,
                },
            )?;
            return Ok((all, Vec::new(), cites.warnings));
        }
        let conn = self.store.conn();
        let mut items: Vec<Item> = Vec::new();
        let mut missing = Vec::new();
        let mut queued: HashSet<String> = cites.keys.iter().cloned().collect();
        let mut round: Vec<String> = cites.keys;
        let mut known: Option<HashSet<String>> = None;
        while !round.is_empty() {
            if round.len() > 64 && known.is_none() {
                known = Some(crate::store::items::all_keys(conn)?);
            }
            let mut ids = Vec::with_capacity(round.len());
            for k in round {
                let id = match &known {
                    Some(set) if !set.contains(&k) => None,
                    _ => crate::store::items::id_by_key(conn, &k)?,
                };
                match id {
                    Some(id) => ids.push(id),
                    None => missing.push(k),
                }
            }
            let mut next = Vec::new();
            for it in crate::store::items::load_many(conn, &ids)? {
                for parent_field in ["crossref", "xdata"] {
                    if let Some(p) = it.extra_field(parent_field) {
                        for pk in p.trim_matches(['{', '}', '"']).split(',') {
                            let pk = pk.trim();
                            if !pk.is_empty() && !queued.contains(pk) {
                                queued.insert(pk.to_string());
                                next.push(pk.to_string());
                            }
                        }
                    }
                }
                items.push(it);
            }
            round = next;
        }
        Ok((items, missing, cites.warnings))
    }

    /// Register an `.aux` file: the keys it cites become protected. Undoable.
    pub fn aux_add(&mut self, aux: &Path) -> Result<()> {
        let abs = absolute(aux)?;
        crate::aux::read_aux(&abs)?;
        let key = format!("{AUX_PREFIX}{}", abs.display());
        if meta::get(self.store.conn(), &key)?.is_some() {
            return Ok(());
        }
        let now = crate::text::now_rfc3339();
        self.store.write(&format!("Register {}", abs.display()), |w| {
            meta::set(w, &key, Some(&now))
        })
    }

    pub fn aux_remove(&mut self, aux: &Path) -> Result<()> {
        let abs = absolute(aux)?;
        let key = format!("{AUX_PREFIX}{}", abs.display());
        if meta::get(self.store.conn(), &key)?.is_none() {
            return Err(Error::NotFound(format!("{} is not registered", abs.display())));
        }
        self.store
            .write(&format!("Unregister {}", abs.display()), |w| meta::set(w, &key, None))
    }

    pub fn aux_files(&self) -> Result<Vec<String>> {
        Ok(meta::with_prefix(self.store.conn(), AUX_PREFIX)?
            .into_iter()
            .map(|(k, _)| k[AUX_PREFIX.len()..].to_string())
            .collect())
    }
}

/// One entry's text from a single-entry rendering (without the writer's frame).
fn entry_text(single: &str, format: Format) -> String {
    let start = match format {
        Format::Ris => single.find("TY  -").unwrap_or(0),
        _ => {
            // The first line that opens an entry (not @string/@preamble/@comment).
            let mut pos = 0;
            let mut found = 0;
            for line in single.split_inclusive('\n') {
                let l = line.trim_start().to_ascii_lowercase();
                if l.starts_with('@')
                    && !l.starts_with("@string")
                    && !l.starts_with("@preamble")
                    && !l.starts_with("@comment")
                {
                    found = pos;
                    break;
                }
                pos += line.len();
            }
            found
        }
    };
    let mut text = single[start..].to_string();
    if format != Format::Ris {
        // Drop a trailing frame (comments after the entry); entries are separated by a blank line.
        if let Some(c) = text.to_ascii_lowercase().find("\n@comment") {
            text.truncate(c + 1);
        }
        text.truncate(text.trim_end().len());
        text.push_str("\n\n");
    } else if !text.ends_with('\n') {
        text.push('\n');
    }
    text
}

/// Split an empty rendering into what goes before and after the entries.
fn split_frame(frame: &str) -> (&str, &str) {
    match frame.to_ascii_lowercase().find("@comment") {
        Some(p) => frame.split_at(p),
        None => (frame, ""),
    }
}
