//! Missing files found again: "Locate…" points one attachment at a file the user picks, and
//! [`Library::find_missing_files`] searches a folder (where a folder of papers was moved) for
//! every missing file at once. Either is one undoable action. A linked file gets its new
//! path (relative to the base folder when inside it); a missing stored copy is copied back
//! into the files folder under its recorded name. A file whose content differs from the one
//! attached is still taken (as Zotero does), with a warning.

use super::attachments::{copy_hashing, extension_of, linked_path, pick, place_copy, probe, AttachedFile, Probe};
use super::Library;
use crate::error::{Error, Result};
use crate::model::{AttachmentKind, ItemId};
use crate::store::{attachments as rows, items as item_rows};
use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};

/// A missing file pointed at another one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Relinked {
    /// The attachment as it is now (its new path, no longer missing).
    pub file: AttachedFile,
    /// The path it had.
    pub old_path: String,
    /// The file the user picked or the search found.
    pub source: PathBuf,
    /// Why the user may want to look (the content differs from the one attached).
    pub warning: Option<String>,
}

/// A missing file the search found more than one candidate for (none taken).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ambiguous {
    pub file: AttachedFile,
    pub candidates: Vec<PathBuf>,
    /// Why none was taken.
    pub reason: String,
}

/// What [`Library::find_missing_files`] found.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct RelinkReport {
    /// Relinked (with `dry_run`: what would be).
    pub found: Vec<Relinked>,
    /// Not found under the folder.
    pub missing: Vec<AttachedFile>,
    /// Found more than once, or only with other content: left for "Locate…".
    pub ambiguous: Vec<Ambiguous>,
    /// Files looked at in the folder.
    pub scanned: usize,
    /// Folders not searched (too deep), said for the report.
    pub notes: Vec<String>,
}

/// The walk's bounds: folders deeper than `max_depth` are not entered; more than `max_entries`
/// entries stop the search with an error (a folder that big is not where papers were moved).
#[derive(Debug, Clone, Copy)]
pub struct WalkLimits {
    pub max_depth: usize,
    pub max_entries: usize,
}

impl Default for WalkLimits {
    fn default() -> Self {
        WalkLimits {
            max_depth: 32,
            max_entries: 250_000,
        }
    }
}

/// One relink to record: (item, attachment id, new recorded path, what the file is).
struct Plan {
    item: ItemId,
    aid: i64,
    path: String,
    probe: Probe,
}

/// What is made on disk for a relink (copies back into the files folder), to record in one
/// action, or to take away again when it fails.
#[derive(Default)]
struct Prepared {
    plans: Vec<Plan>,
    made: Vec<PathBuf>,
}

fn warning_for(f: &AttachedFile, p: &Probe) -> Option<String> {
    let a = &f.attachment;
    (!a.sha256.is_empty() && a.sha256 != p.sha256).then(|| {
        format!(
            "{}: the file's content differs from the one attached ({} bytes, was {}); relinked anyway",
            a.title, p.bytes, a.bytes
        )
    })
}

impl Library {
    /// Prepare `f` to point at `source`: a linked file's new recorded path, or a stored copy
    /// copied back into the files folder under its recorded name (the next free one if taken).
    fn prepare_relink(&self, f: &AttachedFile, source: &Path, item: ItemId, out: &mut Prepared) -> Result<()> {
        let a = &f.attachment;
        let aid = a.id.ok_or_else(|| Error::InvalidInput("attachment has no id".into()))?;
        let (probe, path) = match a.kind {
            AttachmentKind::Linked => (probe(source)?, linked_path(source, self.attachment_base()?.as_deref())?),
            AttachmentKind::Stored => {
                let dir = self
                    .files_dir()
                    .ok_or_else(|| Error::InvalidInput("a library in memory has no files folder".into()))?;
                let ext = extension_of(&a.path);
                let stem = a.path.strip_suffix(&ext).unwrap_or(&a.path).to_string();
                let (p, tmp) = copy_hashing(source, &dir)?;
                let (name, made) = place_copy(tmp, &dir, &stem, &ext, &p.sha256)?;
                if made {
                    out.made.push(dir.join(&name));
                }
                (p, name)
            }
        };
        out.plans.push(Plan { item, aid, path, probe });
        Ok(())
    }

    /// Record the prepared relinks as one action (the copies made go again if it fails).
    fn record_relinks(&mut self, label: &str, prepared: &Prepared) -> Result<()> {
        let written = self.store.write(label, |w| {
            for p in &prepared.plans {
                rows::relink(w, p.item, p.aid, &p.path, p.probe.bytes, &p.probe.sha256, p.probe.mime)?;
                item_rows::touch_modified(w.conn(), p.item)?;
            }
            Ok(())
        });
        if written.is_err() {
            for m in &prepared.made {
                let _ = std::fs::remove_file(m);
            }
        }
        written
    }

    /// "Locate…": point the item `key`'s attachment `which` (its id, recorded path, title or
    /// file name) at `new_file`: one undoable action. A linked file records the new path
    /// (relative to the base folder when inside it); a stored copy is copied back into the
    /// files folder (refused while its copy is there: there is nothing to locate). A file
    /// with other content than recorded is taken, with a warning in the result.
    pub fn locate_attachment(&mut self, key: &str, which: &str, new_file: &Path) -> Result<Relinked> {
        let id = self.id_of(key)?;
        let list = rows::of_item(self.store.conn(), id)?;
        let a = pick(&list, key, which)?.clone();
        let f = self
            .attachments(key)?
            .into_iter()
            .find(|f| f.attachment.id == a.id)
            .ok_or_else(|| Error::NotFound(format!("{key}: attachment {which:?}")))?;
        if f.attachment.kind == AttachmentKind::Stored && !f.missing {
            return Err(Error::InvalidInput(format!(
                "{}: the stored copy is there; nothing to locate",
                f.attachment.path
            )));
        }
        let mut prepared = Prepared::default();
        self.prepare_relink(&f, new_file, id, &mut prepared)?;
        let warning = warning_for(&f, &prepared.plans[0].probe);
        self.record_relinks(&format!("Locate {} of {key}", f.attachment.title), &prepared)?;
        let now = self
            .attachments(key)?
            .into_iter()
            .find(|n| n.attachment.id == a.id)
            .ok_or_else(|| Error::NotFound(format!("{key}: attachment {which:?}")))?;
        Ok(Relinked {
            file: now,
            old_path: f.attachment.path,
            source: new_file.to_path_buf(),
            warning,
        })
    }

    /// Search the folder `dir` for every missing file (after a folder of papers moved) and
    /// relink those found: one undoable action for all (none with `dry_run`). A file is
    /// matched by name (its recorded name or its original one), then by size and SHA-256
    /// when recorded; among several, the one that keeps the missing files' layout under their
    /// shared old folder wins (the longest run of matching folder names). Symbolic links to
    /// folders are not followed; see [`WalkLimits`].
    pub fn find_missing_files(&mut self, dir: &Path, dry_run: bool, limits: WalkLimits) -> Result<RelinkReport> {
        let meta = std::fs::metadata(dir).map_err(|e| Error::io(dir, e))?;
        if !meta.is_dir() {
            return Err(Error::InvalidInput(format!("{}: not a folder", dir.display())));
        }
        let missing: Vec<AttachedFile> = self.all_attachments()?.into_iter().filter(|f| f.missing).collect();
        let mut report = RelinkReport::default();
        if missing.is_empty() {
            return Ok(report);
        }
        let wanted: HashSet<String> = missing.iter().flat_map(names_of).collect();
        let found = walk(dir, &wanted, limits, &mut report)?;
        let mut prepared = Prepared::default();
        let mut relinked = Vec::new();
        let mut hashes: HashMap<PathBuf, Option<Probe>> = HashMap::new();
        for f in missing {
            let candidates: Vec<&(PathBuf, u64)> = names_of(&f)
                .iter()
                .filter_map(|n| found.get(n))
                .flatten()
                .collect::<HashSet<_>>()
                .into_iter()
                .collect();
            match choose(&f, &candidates, &mut hashes) {
                Choice::None => report.missing.push(f),
                Choice::Ambiguous(candidates, reason) => report.ambiguous.push(Ambiguous {
                    file: f,
                    candidates,
                    reason,
                }),
                Choice::One(source) => {
                    let item = self.id_of(&f.key)?;
                    if !dry_run {
                        if let Err(e) = self.prepare_relink(&f, &source, item, &mut prepared) {
                            for m in &prepared.made {
                                let _ = std::fs::remove_file(m);
                            }
                            return Err(e);
                        }
                    }
                    relinked.push((f, source));
                }
            }
        }
        if !dry_run && !prepared.plans.is_empty() {
            let label = format!(
                "Relink {} missing file(s) found in {}",
                prepared.plans.len(),
                dir.display()
            );
            self.record_relinks(&label, &prepared)?;
        }
        for (f, source) in relinked {
            let warning = hashes
                .get(&source)
                .and_then(|p| p.as_ref())
                .and_then(|p| warning_for(&f, p));
            let now = if dry_run {
                f.clone()
            } else {
                self.attachments(&f.key)?
                    .into_iter()
                    .find(|n| n.attachment.id == f.attachment.id)
                    .unwrap_or_else(|| f.clone())
            };
            report.found.push(Relinked {
                file: now,
                old_path: f.attachment.path,
                source,
                warning,
            });
        }
        Ok(report)
    }
}

/// The file names a missing file may have now: its recorded name, and the name it was
/// attached from.
fn names_of(f: &AttachedFile) -> Vec<String> {
    let mut out = Vec::new();
    if let Some(n) = Path::new(&f.attachment.path).file_name() {
        out.push(n.to_string_lossy().into_owned());
    }
    if !f.attachment.title.is_empty() && !out.contains(&f.attachment.title) {
        out.push(f.attachment.title.clone());
    }
    out
}

/// Walk `dir` once (no symbolic links to folders, at most `limits`), collecting the files
/// whose names are `wanted`, with their sizes.
fn walk(
    dir: &Path,
    wanted: &HashSet<String>,
    limits: WalkLimits,
    report: &mut RelinkReport,
) -> Result<HashMap<String, Vec<(PathBuf, u64)>>> {
    let mut found: HashMap<String, Vec<(PathBuf, u64)>> = HashMap::new();
    let mut stack = vec![(dir.to_path_buf(), 0usize)];
    let mut entries = 0usize;
    let mut too_deep = 0usize;
    while let Some((d, depth)) = stack.pop() {
        let Ok(list) = std::fs::read_dir(&d) else { continue };
        for e in list.flatten() {
            entries += 1;
            if entries > limits.max_entries {
                return Err(Error::InvalidInput(format!(
                    "{}: more than {} files and folders; choose the folder the files were moved to",
                    dir.display(),
                    limits.max_entries
                )));
            }
            let Ok(t) = e.file_type() else { continue };
            if t.is_dir() {
                if depth + 1 > limits.max_depth {
                    too_deep += 1;
                } else {
                    stack.push((e.path(), depth + 1));
                }
                continue;
            }
            // A symbolic link counts when it names a regular file (never a folder: no loops).
            let Ok(m) = std::fs::metadata(e.path()) else { continue };
            if !m.is_file() {
                continue;
            }
            report.scanned += 1;
            let name = e.file_name().to_string_lossy().into_owned();
            if wanted.contains(&name) {
                found.entry(name).or_default().push((e.path(), m.len()));
            }
        }
    }
    if too_deep > 0 {
        report.notes.push(format!(
            "{too_deep} folder(s) more than {} levels deep were not searched",
            limits.max_depth
        ));
    }
    Ok(found)
}

enum Choice {
    None,
    One(PathBuf),
    Ambiguous(Vec<PathBuf>, String),
}

/// How many trailing components `candidate` shares with `old` (its file name included).
fn shared_tail(old: &Path, candidate: &Path) -> usize {
    old.components()
        .rev()
        .zip(candidate.components().rev())
        .take_while(|(a, b)| a == b)
        .count()
}

/// Which candidate is `f`'s file: size, then content when recorded, then the layout.
fn choose(f: &AttachedFile, candidates: &[&(PathBuf, u64)], hashes: &mut HashMap<PathBuf, Option<Probe>>) -> Choice {
    let a = &f.attachment;
    let sized: Vec<&PathBuf> = candidates
        .iter()
        .filter(|(_, len)| a.bytes == 0 || *len == a.bytes)
        .map(|(p, _)| p)
        .collect();
    let paths = |list: &[&PathBuf]| -> Vec<PathBuf> {
        let mut v: Vec<PathBuf> = list.iter().map(|p| p.to_path_buf()).collect();
        v.sort();
        v
    };
    if sized.is_empty() {
        if candidates.is_empty() {
            return Choice::None;
        }
        let all: Vec<&PathBuf> = candidates.iter().map(|(p, _)| p).collect();
        return Choice::Ambiguous(paths(&all), "a file of that name is there, of another size".into());
    }
    let same: Vec<&PathBuf> = if a.sha256.is_empty() {
        sized.clone()
    } else {
        sized
            .iter()
            .copied()
            .filter(|p| {
                hashes
                    .entry(p.to_path_buf())
                    .or_insert_with(|| probe(p).ok())
                    .as_ref()
                    .is_some_and(|h| h.sha256 == a.sha256)
            })
            .collect()
    };
    if same.is_empty() {
        return Choice::Ambiguous(paths(&sized), "a file of that name is there, with other content".into());
    }
    // The layout: the candidate sharing most trailing folders with the old path wins.
    let old = f.file.clone().unwrap_or_else(|| PathBuf::from(&a.path));
    let best = same.iter().map(|p| shared_tail(&old, p)).max().unwrap_or(0);
    let top: Vec<&PathBuf> = same.iter().copied().filter(|p| shared_tail(&old, p) == best).collect();
    match top.as_slice() {
        [one] => Choice::One(one.to_path_buf()),
        many => Choice::Ambiguous(paths(many), "found in several places".into()),
    }
}
