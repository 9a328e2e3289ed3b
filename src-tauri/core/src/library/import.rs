//! Use case: import files (or pasted text) into the library as one transaction and one undo
//! step, with a per-file report.

use super::shared::dedupe_index_keys;
use super::Library;
use crate::dedupe::{Fingerprint, Index, Match};
use crate::error::{Diagnostic, Error, Result, Severity};
use crate::format::{self, bibtex, BibExtras, Format, Parsed};
use crate::model::{fnv1a, Item};
use crate::store::{batches, collections, items, meta};
use crate::trace::{self, Trace};
use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

pub use super::BIB_EXTRAS;

#[derive(Debug, Clone, Default)]
pub struct ImportOptions {
    /// Force a format instead of sniffing it.
    pub format: Option<Format>,
    /// Force a text encoding (a WHATWG label: `latin1`, `windows-1252`, `utf-16le`…).
    pub encoding: Option<String>,
    /// File the imported items in this collection (created when missing).
    pub collection: Option<String>,
    /// What to do with an entry that is certainly already in the library (or earlier in the
    /// same import): same DOI, same ISBN, or same title + year + first author.
    pub duplicates: DuplicatePolicy,
    /// Set from another thread to stop the import: it returns [`Error::Cancelled`] and the
    /// library is left as it was.
    pub cancel: Option<Arc<AtomicBool>>,
}

impl ImportOptions {
    fn cancelled(&self) -> bool {
        self.cancel.as_ref().is_some_and(|c| c.load(Ordering::Relaxed))
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
pub enum DuplicatePolicy {
    /// Leave the library as it was for that entry.
    #[default]
    Skip,
    /// Fill the existing item's empty fields, unite tags and collections.
    Merge,
    /// Import it anyway (reported).
    Keep,
}

impl std::str::FromStr for DuplicatePolicy {
    type Err = String;
    fn from_str(s: &str) -> std::result::Result<Self, String> {
        match s.trim().to_ascii_lowercase().as_str() {
            "skip" => Ok(DuplicatePolicy::Skip),
            "merge" => Ok(DuplicatePolicy::Merge),
            "keep" => Ok(DuplicatePolicy::Keep),
            _ => Err(format!("unknown duplicate policy {s:?}; use skip, merge or keep")),
        }
    }
}

/// What the import did with one entry that matched an existing item.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct DuplicateDecision {
    pub line: usize,
    /// The entry's key as read (may be empty) and its title.
    pub entry_key: String,
    pub title: String,
    /// The matching item already in the library (or imported earlier in the same batch).
    pub existing_key: String,
    pub reason: crate::dedupe::Reason,
    pub action: DuplicateAction,
}

/// What the import did with an entry that matched an existing item.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum DuplicateAction {
    /// A certain match, left out ([`DuplicatePolicy::Skip`]).
    Skipped,
    /// A certain match, merged into the existing item ([`DuplicatePolicy::Merge`]).
    Merged,
    /// A certain match imported anyway ([`DuplicatePolicy::Keep`]).
    Kept,
    /// A suggestion: imported, to be reviewed with `folio duplicates`.
    Flagged,
}

impl DuplicateAction {
    /// The action as the CLI's `--json` and the app show it: `skipped`, `merged`, `kept`,
    /// `flagged`.
    pub fn as_str(self) -> &'static str {
        match self {
            DuplicateAction::Skipped => "skipped",
            DuplicateAction::Merged => "merged",
            DuplicateAction::Kept => "kept",
            DuplicateAction::Flagged => "flagged",
        }
    }
}

impl std::fmt::Display for DuplicateAction {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What happened to one file.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct FileReport {
    pub path: String,
    pub format: Format,
    pub encoding: String,
    pub dialect: Option<String>,
    pub repairs: Vec<String>,
    /// Entries read from the file.
    pub entries: usize,
    pub added: usize,
    pub duplicates: usize,
    /// Keys of the added items, in file order.
    pub keys: Vec<String>,
    pub decisions: Vec<DuplicateDecision>,
    pub diagnostics: Vec<Diagnostic>,
}

impl FileReport {
    pub fn errors(&self) -> usize {
        self.diagnostics
            .iter()
            .filter(|d| d.severity == Severity::Error)
            .count()
    }
}

#[derive(Debug, Clone, Default, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct ImportReport {
    pub files: Vec<FileReport>,
}

impl ImportReport {
    pub fn added(&self) -> usize {
        self.files.iter().map(|f| f.added).sum()
    }
    pub fn errors(&self) -> usize {
        self.files.iter().map(FileReport::errors).sum()
    }
}

/// Progress of a long import: how much of the input text has been read and stored, and how
/// many entries that was. Reported every few hundred entries and once at the end
/// (`bytes_done == bytes_total`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Progress {
    pub entries: usize,
    pub bytes_done: u64,
    pub bytes_total: u64,
}

impl Progress {
    /// Done as a fraction in 0..=1.
    pub fn fraction(&self) -> f64 {
        if self.bytes_total == 0 {
            1.0
        } else {
            self.bytes_done as f64 / self.bytes_total as f64
        }
    }
}

/// One input: a name for reports, its text, and how it was decoded.
struct Input {
    name: String,
    extension: Option<String>,
    /// The folder of the file read (relative file links in its records are relative to it).
    dir: Option<PathBuf>,
    text: String,
    encoding: String,
    /// What decoding found (lines read as Windows-1252 in a UTF-8 file).
    decoding: Vec<Diagnostic>,
}

/// What the writer keeps of an input; the reader thread owns the text and drops it once read.
struct InputMeta {
    name: String,
    encoding: String,
    decoding: Vec<Diagnostic>,
    len: u64,
}

/// Read one input file: a regular file only (a FIFO, a device or a folder is refused without
/// waiting on it), of at most [`crate::budget::MAX_INPUT_BYTES`].
fn read_input(path: &Path, opts: &ImportOptions) -> Result<Input> {
    let bytes = super::files::read_regular(path, crate::budget::MAX_INPUT_BYTES, "an import")?;
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Err(Error::InvalidInput(format!("{}: the file is empty", path.display())));
    }
    let decoded = format::decode_owned(bytes, opts.encoding.as_deref())
        .map_err(|e| Error::InvalidInput(format!("{}: {e}", path.display())))?;
    Ok(Input {
        name: path.display().to_string(),
        extension: path.extension().map(|e| e.to_string_lossy().into_owned()),
        dir: std::fs::canonicalize(path)
            .ok()
            .and_then(|p| p.parent().map(Path::to_path_buf)),
        text: decoded.text,
        encoding: decoded.encoding.to_string(),
        decoding: decoded.diagnostics,
    })
}

/// Add a file's `@string`, `@preamble` and `@comment` blocks to the library's; a preamble or
/// comment records the files (`batch`) that hold it.
fn merge_extras(into: &mut BibExtras, new: &BibExtras, batch: i64, diags: &mut Vec<Diagnostic>) -> bool {
    let mut changed = false;
    for (name, value) in &new.strings {
        match into.strings.iter().find(|(n, _)| n.eq_ignore_ascii_case(name)) {
            Some((_, v)) if v == value => {}
            Some((_, v)) => diags.push(Diagnostic::warning(
                None,
                format!("@string {name} is already defined in the library as {v}; the library's definition is kept"),
            )),
            None => {
                into.strings.push((name.clone(), value.clone()));
                changed = true;
            }
        }
    }
    for p in &new.preambles {
        changed |= into.add_preamble(p, batch);
    }
    for c in &new.comments {
        changed |= into.add_comment(c, batch);
    }
    changed
}

/// The key an imported entry gets: its own when free, else a suffixed one (reported), or a
/// generated one when it has none (reported when it had to leave characters out).
pub(super) fn plan_key(
    item: &Item,
    pattern: &str,
    taken: &HashSet<String>,
    suffixes: &mut crate::citekey::Suffixes,
    line: usize,
) -> Result<(String, Option<Diagnostic>)> {
    Ok(if item.key.is_empty() {
        let g = crate::citekey::generate_with_dropped(item, pattern).map_err(Error::InvalidInput)?;
        let k = suffixes.make_unique(&g.key, |k| taken.contains(&k.to_lowercase()));
        let d = (!g.dropped.is_empty()).then(|| {
            Diagnostic::warning(
                line,
                format!(
                    "citation key {k} leaves out {}: no ASCII spelling",
                    crate::citekey::describe_chars(&g.dropped)
                ),
            )
        });
        (k, d)
    } else if taken.contains(&item.key.to_lowercase()) {
        let k = suffixes.make_unique(&item.key, |k| taken.contains(&k.to_lowercase()));
        let d = Diagnostic::warning(
            line,
            format!(
                "citation key {} is already used in the library; this entry was imported as {k}",
                item.key
            ),
        );
        (k, Some(d))
    } else {
        (item.key.clone(), None)
    })
}

/// The saved searches of a JabRef file's keyword and search groups (an existing saved search
/// of the same name is kept when it differs), and a note of what the groups became.
fn saved_groups(
    w: &mut crate::store::Writer<'_>,
    plan: &bibtex::jabref::Plan,
    within: &dyn Fn(&str) -> String,
    diagnostics: &mut Vec<Diagnostic>,
) -> Result<()> {
    use crate::store::saved;
    let mut saved_n = 0;
    for g in &plan.saved {
        let collection_id = match &g.within {
            Some(path) => Some(collections::resolve(w.conn(), &within(path))?),
            None => None,
        };
        let s = saved::SavedSearch {
            name: g.name.clone(),
            query: g.query.clone(),
            collection_id,
            recursive: collection_id.is_some(),
            created_at: crate::text::now_rfc3339(),
        };
        match saved::get(w.conn(), &g.name)? {
            Some(old) if (&old.query, old.collection_id) == (&s.query, s.collection_id) => {}
            Some(old) => diagnostics.push(Diagnostic::warning(
                plan.line,
                format!(
                    "JabRef group {:?} ({}) not imported: the saved search {:?} already exists ({})",
                    g.name, s.query, old.name, old.query
                ),
            )),
            None => {
                saved::put(w, &s)?;
                saved_n += 1;
            }
        }
    }
    diagnostics.push(Diagnostic::info(
        plan.line,
        format!(
            "JabRef groups: {} as collections, {saved_n} as saved searches",
            plan.collections.len()
        ),
    ));
    Ok(())
}

impl Library {
    /// Import files as one undoable step. A file that cannot be read (missing, a directory,
    /// binary, empty) fails the whole import before anything is written; problems with single
    /// entries are reported in the file's diagnostics and the other entries are imported.
    pub fn import_files(
        &mut self,
        paths: &[PathBuf],
        opts: &ImportOptions,
        progress: &mut dyn FnMut(Progress),
    ) -> Result<ImportReport> {
        let inputs = paths.iter().map(|p| read_input(p, opts)).collect::<Result<Vec<_>>>()?;
        self.import_inputs(inputs, opts, progress)
    }

    /// Import bytes read from a pipe or the clipboard (`name` is used in reports, e.g. "-"),
    /// decoded as a file is: the encoding detected or forced, and a warning naming the lines
    /// that were not UTF-8 when some were.
    pub fn import_bytes(&mut self, name: &str, bytes: Vec<u8>, opts: &ImportOptions) -> Result<ImportReport> {
        if bytes.iter().all(u8::is_ascii_whitespace) {
            return Err(Error::InvalidInput(format!("{name}: nothing to import (empty text)")));
        }
        let decoded = format::decode_owned(bytes, opts.encoding.as_deref())
            .map_err(|e| Error::InvalidInput(format!("{name}: {e}")))?;
        let input = Input {
            name: name.into(),
            extension: None,
            dir: None,
            text: decoded.text,
            encoding: decoded.encoding.to_string(),
            decoding: decoded.diagnostics,
        };
        self.import_inputs(vec![input], opts, &mut |_| {})
    }

    /// Import pasted or piped text (`name` is used in reports, e.g. "clipboard" or "-").
    pub fn import_text(&mut self, name: &str, text: &str, opts: &ImportOptions) -> Result<ImportReport> {
        if text.trim().is_empty() {
            return Err(Error::InvalidInput(format!("{name}: nothing to import (empty text)")));
        }
        let input = Input {
            name: name.into(),
            extension: None,
            dir: None,
            text: text.to_string(),
            encoding: "UTF-8".into(),
            decoding: Vec::new(),
        };
        self.import_inputs(vec![input], opts, &mut |_| {})
    }

    /// The import pipeline: a reader thread parses the inputs one entry at a time and
    /// computes what needs no library state (duplicate fingerprint, JSON columns, sort keys,
    /// index row) while this thread stores the entries in one transaction. Only a bounded
    /// number of entries is in flight, so memory stays flat however large the file.
    fn import_inputs(
        &mut self,
        inputs: Vec<Input>,
        opts: &ImportOptions,
        progress: &mut dyn FnMut(Progress),
    ) -> Result<ImportReport> {
        let trace = Trace::new();
        let formats = inputs
            .iter()
            .map(|input| match opts.format {
                Some(f) => Ok(f),
                None => format::sniff(&input.text, input.extension.as_deref()).ok_or_else(|| {
                    Error::InvalidInput(format!(
                        "{}: cannot tell the format (not BibTeX, RIS, search results or Folio JSON); choose one with --format",
                        input.name
                    ))
                }),
            })
            .collect::<Result<Vec<Format>>>()?;
        let bytes_total: u64 = inputs.iter().map(|i| i.text.len() as u64).sum();
        let pattern = self.key_pattern()?;
        let dirs: Vec<Option<PathBuf>> = inputs.iter().map(|i| i.dir.clone()).collect();
        let base = self.attachment_base()?;
        let now = crate::text::now_rfc3339();
        let (metas, texts): (Vec<InputMeta>, Vec<String>) = inputs
            .into_iter()
            .map(|i| {
                (
                    InputMeta {
                        name: i.name,
                        encoding: i.encoding,
                        decoding: i.decoding,
                        len: i.text.len() as u64,
                    },
                    i.text,
                )
            })
            .unzip();
        let label_for = |total: usize| match metas.as_slice() {
            [one] => format!(
                "Import {} ({total} items)",
                Path::new(&one.name)
                    .file_name()
                    .map_or(one.name.clone(), |n| n.to_string_lossy().into_owned())
            ),
            many => format!("Import {} files ({total} items)", many.len()),
        };
        let (tx, rx) = std::sync::mpsc::sync_channel::<Msg>(IN_FLIGHT);
        let (index_tx, index_rx) = std::sync::mpsc::sync_channel::<Index>(1);
        let inputs_ref = &metas;
        let formats_ref = &formats;
        let policy = opts.duplicates;
        std::thread::scope(|scope| {
            let reader = scope.spawn(move || {
                let mut ctx = bibtex::BibContext::new();
                let mut matcher = Matcher::new(index_rx, policy);
                for ((text, &format), dir) in texts.into_iter().zip(formats_ref).zip(&dirs) {
                    let mut open = true;
                    let rest = format::parse_into(&text, format, &mut ctx, &mut |mut pi, offset| {
                        let fp = Fingerprint::of(&pi.item);
                        let derived = crate::store::derive::derive_fresh(&pi.item, &fp, pi.source_checks.take());
                        let links =
                            super::filelinks::links_to_attachments(&pi.item, dir.as_deref(), base.as_deref(), &now);
                        open = matcher.push(
                            Prepared {
                                pi,
                                fp,
                                derived,
                                offset,
                                matched: None,
                                links,
                            },
                            &tx,
                        );
                        open
                    });
                    // The batch record's content hash, here rather than on the writer's thread.
                    let hash = fnv1a(text.as_bytes());
                    drop(text);
                    if !open || !matcher.finish(&tx) || tx.send(Msg::End(Box::new(rest), hash)).is_err() {
                        return;
                    }
                }
                trace::thread("reader");
            });
            // A first import of more than a few thousand entries writes the library once (not
            // WAL + checkpoint) when no other handle has it open.
            let once = bytes_total >= WRITE_ONCE_BYTES && self.store.begin_write_once();
            if once {
                trace.mark("rollback journal for this import");
            }
            let mut follow = self.follow_names()?;
            let follow_ref = &mut follow;
            let stored = self.store.write(&label_for(0), |w| {
                let rx = rx;
                store_entries(
                    w,
                    Job {
                        rx: &rx,
                        index_tx,
                        inputs: inputs_ref,
                        formats: formats_ref,
                        opts,
                        pattern: &pattern,
                        bytes_total,
                        progress,
                        label_for: &label_for,
                        trace: &trace,
                        follow: follow_ref,
                    },
                )
                .inspect(|_| trace::thread("writer"))
            });
            if stored.is_err() {
                follow.discard();
            }
            let read = reader.join();
            trace.mark("committed");
            if once {
                self.store.end_write_once();
            }
            match read {
                Ok(()) => stored.map(|files| ImportReport { files }),
                Err(_) => Err(Error::Format(
                    "internal error while reading the input; nothing was imported".into(),
                )),
            }
        })
    }
}

/// Imports of at least this many bytes into a library without items write it once (see
/// `Store::begin_write_once`); smaller ones gain nothing from the switch.
const WRITE_ONCE_BYTES: u64 = 1 << 20;

/// Entries go from the reader thread to the writer in batches of this many: one message per
/// entry cost a wake-up of the other thread (a futex call) per entry whenever one waited for
/// the other.
const BATCH: usize = 64;
/// Batches (and per-file endings) on their way from the reader thread to the writer: 512
/// entries.
const IN_FLIGHT: usize = 8;

enum Msg {
    Items(Vec<Prepared>),
    /// The current input is read: its diagnostics, dialect, repairs and BibTeX extras, and the
    /// FNV-1a hash of its text.
    End(Box<Parsed>, u64),
}

struct Prepared {
    pi: format::ParsedItem,
    fp: Fingerprint,
    derived: crate::store::derive::Derived,
    /// Bytes of the current input read when this entry was.
    offset: usize,
    /// The reader's duplicate verdict: the position of the best match in the duplicate index
    /// (the library's items, then the entries of this import the writer adds), the match, and
    /// the action the policy gives it.
    matched: Option<(usize, Match, DuplicateAction)>,
    /// Linked attachments for the files the record names (`library/filelinks.rs`).
    links: Vec<crate::model::Attachment>,
}

/// Duplicate matching on the reader thread (it has time to spare; the writer is the import's
/// bottleneck). The writer loads the library's duplicate index inside its transaction and
/// hands it over; until it arrives, entries wait here (a few thousand at most), so reading
/// and the index's loading overlap. The reader adds to its index every entry the writer will
/// add (all but skipped and merged ones), in order, so positions agree on both sides.
struct Matcher {
    index: Option<Index>,
    rx: std::sync::mpsc::Receiver<Index>,
    policy: DuplicatePolicy,
    waiting: std::collections::VecDeque<Prepared>,
    /// Decided entries not sent yet (fewer than [`BATCH`]).
    batch: Vec<Prepared>,
}

impl Matcher {
    const MAX_WAITING: usize = 4096;

    fn new(rx: std::sync::mpsc::Receiver<Index>, policy: DuplicatePolicy) -> Matcher {
        Matcher {
            index: None,
            rx,
            policy,
            waiting: Default::default(),
            batch: Vec::with_capacity(BATCH),
        }
    }

    /// Decide and send `p` (after the entries waiting before it); false once the writer is
    /// gone.
    fn push(&mut self, p: Prepared, tx: &std::sync::mpsc::SyncSender<Msg>) -> bool {
        if self.index.is_none() {
            if let Ok(i) = self.rx.try_recv() {
                self.index = Some(i);
            }
        }
        self.waiting.push_back(p);
        if self.index.is_none() && self.waiting.len() < Self::MAX_WAITING {
            return true;
        }
        self.drain(tx)
    }

    /// Decide and send every waiting entry, waiting for the index if needed.
    fn drain(&mut self, tx: &std::sync::mpsc::SyncSender<Msg>) -> bool {
        if self.waiting.is_empty() {
            return true;
        }
        if self.index.is_none() {
            match self.rx.recv() {
                Ok(i) => self.index = Some(i),
                Err(_) => return false,
            }
        }
        let index = self.index.as_mut().expect("received");
        while let Some(mut p) = self.waiting.pop_front() {
            p.matched = index.best(&p.fp).map(|(pos, m)| {
                let act = match (m.reason.is_certain(), self.policy) {
                    (false, _) => DuplicateAction::Flagged,
                    (true, DuplicatePolicy::Skip) => DuplicateAction::Skipped,
                    (true, DuplicatePolicy::Merge) => DuplicateAction::Merged,
                    (true, DuplicatePolicy::Keep) => DuplicateAction::Kept,
                };
                (pos, m, act)
            });
            if !matches!(
                p.matched,
                Some((_, _, DuplicateAction::Skipped | DuplicateAction::Merged))
            ) {
                index.add(p.fp.clone());
            }
            self.batch.push(p);
            if self.batch.len() == BATCH && tx.send(Msg::Items(std::mem::take(&mut self.batch))).is_err() {
                return false;
            }
        }
        true
    }

    /// Decide and send every entry read so far (at the end of an input).
    fn finish(&mut self, tx: &std::sync::mpsc::SyncSender<Msg>) -> bool {
        self.drain(tx) && (self.batch.is_empty() || tx.send(Msg::Items(std::mem::take(&mut self.batch))).is_ok())
    }
}

/// What the writer's side of an import works from: the reader's messages, where to hand it
/// the duplicate index, the inputs and options, and where to report.
struct Job<'a> {
    rx: &'a std::sync::mpsc::Receiver<Msg>,
    index_tx: std::sync::mpsc::SyncSender<Index>,
    inputs: &'a [InputMeta],
    formats: &'a [Format],
    opts: &'a ImportOptions,
    /// The library's citation-key pattern.
    pattern: &'a str,
    bytes_total: u64,
    progress: &'a mut dyn FnMut(Progress),
    /// The undo step's label for a number of items.
    label_for: &'a dyn Fn(usize) -> String,
    trace: &'a Trace,
    /// Stored files of the items merged into follow their new names.
    follow: &'a mut super::renames::Follow,
}

/// What the writer knows of the library as the import goes: keys in use, and the item id and
/// key of each position of the duplicate index (entries of this import get theirs when
/// stored).
struct Known {
    taken: HashSet<String>,
    /// Where the suffix search of each base key resumes (keys are only added to `taken`).
    suffixes: crate::citekey::Suffixes,
    index_ids: Vec<Option<i64>>,
    index_keys: Vec<String>,
    /// The import's collection, if it has one.
    collection: Option<i64>,
    /// Existing items entries were merged into (their stored files may need new names).
    merged: Vec<i64>,
}

/// What the writer gathers for one file's report while it stores the file's entries.
#[derive(Default)]
struct FileEntries {
    /// The file's `import_batches` row (its items' source batch).
    batch: i64,
    entries: usize,
    added_keys: Vec<String>,
    decisions: Vec<DuplicateDecision>,
    key_diags: Vec<Diagnostic>,
    /// Collections the entries name (Folio JSON, JabRef groups), by item id.
    coll_paths: Vec<(i64, Vec<String>)>,
}

/// The writer's side of [`Library::import_inputs`]: stores what the reader sends, one file
/// after the other, inside the import's transaction. Returns a report per file.
fn store_entries(w: &mut crate::store::Writer<'_>, job: Job<'_>) -> Result<Vec<FileReport>> {
    let Job {
        rx,
        index_tx,
        inputs,
        formats,
        opts,
        pattern,
        bytes_total,
        progress,
        label_for,
        trace,
        follow,
    } = job;
    // Everything that depends on the library's content is read inside the transaction, so a
    // concurrent writer cannot invalidate it.
    let taken: HashSet<String> = items::all_keys_lowercase(w.conn())?;
    let mut extras: BibExtras = meta::get_json(w.conn(), BIB_EXTRAS)?.unwrap_or_default();
    let (index, index_keys) = dedupe_index_keys(w.conn())?;
    let index_ids: Vec<Option<i64>> = (0..index_keys.len()).map(|i| index.get(i).id).collect();
    // The reader matches from here on; if it is gone, the loop below reports why.
    let _ = index_tx.send(index);
    trace.mark("library keys and duplicate index");
    let collection = match &opts.collection {
        Some(path) => Some(collections::ensure_path(w, path)?),
        None => None,
    };
    let mut known = Known {
        taken,
        suffixes: crate::citekey::Suffixes::new(),
        index_ids,
        index_keys,
        collection,
        merged: Vec::new(),
    };
    let mut extras_changed = false;
    let mut reports = Vec::with_capacity(inputs.len());
    let mut done = 0usize;
    let mut bytes_before = 0u64;
    for (input, &format) in inputs.iter().zip(formats) {
        let mut file = FileEntries {
            batch: batches::begin(w, &input.name, format.as_str())?,
            ..Default::default()
        };
        let mut batch = Vec::new().into_iter();
        let (rest, content_hash) = loop {
            let Some(entry) = batch.next() else {
                let msg = rx.recv().map_err(|_| {
                    Error::Format(format!(
                        "{}: reading stopped unexpectedly; nothing was imported",
                        input.name
                    ))
                })?;
                match msg {
                    Msg::End(rest, hash) => break (rest, hash),
                    Msg::Items(v) => batch = v.into_iter(),
                }
                continue;
            };
            file.entries += 1;
            done += 1;
            if done.is_multiple_of(256) {
                if opts.cancelled() {
                    return Err(Error::Cancelled("import"));
                }
                progress(Progress {
                    entries: done,
                    bytes_done: (bytes_before + entry.offset as u64).min(bytes_total),
                    bytes_total,
                });
            }
            store_entry(w, entry, pattern, &mut known, &mut file)?;
        };
        bytes_before += input.len;
        let mut p = *rest;
        let mut diagnostics = input.decoding.clone();
        diagnostics.append(&mut p.diagnostics);
        extras_changed |= merge_extras(&mut extras, &p.extras, file.batch, &mut diagnostics);
        let batch = file.batch;
        let report = finish_file(w, input, format, p, diagnostics, file, opts)?;
        batches::finish(
            w,
            batch,
            &batches::Batch {
                path: &report.path,
                format: format.as_str(),
                content_hash,
                added: report.added,
                report_json: serde_json::json!({"entries": report.entries, "errors": report.errors(), "dialect": report.dialect, "repairs": report.repairs}).to_string(),
            },
        )?;
        reports.push(report);
    }
    if opts.cancelled() {
        return Err(Error::Cancelled("import"));
    }
    progress(Progress {
        entries: done,
        bytes_done: bytes_total,
        bytes_total,
    });
    if extras_changed {
        meta::set_json(w, BIB_EXTRAS, &extras)?;
    }
    known.merged.sort_unstable();
    known.merged.dedup();
    for id in known.merged {
        if let Some(item) = items::load(w.conn(), id)? {
            follow.item(w, &item)?;
        }
    }
    w.set_label(label_for(done));
    trace.mark("stored");
    Ok(reports)
}

/// Store one entry as the reader's duplicate verdict says: leave it out (skipped), merge it
/// into the item it matches (merged), or add it under a free key.
fn store_entry(
    w: &mut crate::store::Writer<'_>,
    entry: Prepared,
    pattern: &str,
    known: &mut Known,
    file: &mut FileEntries,
) -> Result<()> {
    let Prepared {
        pi,
        derived,
        matched,
        links,
        ..
    } = entry;
    let mut item = pi.item;
    if let Some(s) = item.source.as_mut() {
        s.batch = Some(file.batch);
    }
    let mut action = None;
    if let Some((pos, m, act)) = matched {
        file.decisions.push(DuplicateDecision {
            line: pi.line,
            entry_key: item.key.clone(),
            title: item.title.clone(),
            existing_key: known.index_keys[pos].clone(),
            reason: m.reason,
            action: act,
        });
        action = Some((act, known.index_ids[pos]));
    }
    match action {
        Some((DuplicateAction::Skipped, _)) => return Ok(()),
        Some((DuplicateAction::Merged, Some(existing_id))) => {
            let mut existing =
                items::load(w.conn(), existing_id)?.ok_or_else(|| Error::NotFound(format!("no item {existing_id}")))?;
            crate::dedupe::merge_into(&mut existing, &item);
            items::update(w, &mut existing)?;
            known.merged.push(existing_id);
            add_links(w, existing_id, links)?;
            if let Some(c) = known.collection {
                collections::add_item(w, c, existing_id)?;
            }
            if !pi.collections.is_empty() {
                file.coll_paths.push((existing_id, pi.collections));
            }
            return Ok(());
        }
        _ => {}
    }
    let (key, diag) = plan_key(&item, pattern, &known.taken, &mut known.suffixes, pi.line)?;
    known.taken.insert(key.to_lowercase());
    item.key = key;
    if let Some(d) = diag {
        file.key_diags.push(d);
    }
    let id = items::insert_derived(w, &mut item, derived)?;
    add_links(w, id, links)?;
    known.index_ids.push(Some(id));
    known.index_keys.push(item.key.clone());
    if let Some(c) = known.collection {
        collections::add_item(w, c, id)?;
    }
    if !pi.collections.is_empty() {
        file.coll_paths.push((id, pi.collections));
    }
    file.added_keys.push(item.key);
    Ok(())
}

/// Attach the linked files an entry's record names to item `id`, leaving out the paths it has
/// already (a merged duplicate imported again).
fn add_links(w: &mut crate::store::Writer<'_>, id: i64, links: Vec<crate::model::Attachment>) -> Result<()> {
    if links.is_empty() {
        return Ok(());
    }
    let have = crate::store::attachments::of_item(w.conn(), id)?;
    for a in links {
        if !have.iter().any(|h| h.path == a.path) {
            crate::store::attachments::add(w, id, &a)?;
        }
    }
    Ok(())
}

/// The end of one file: the collections and saved searches it names, and its report.
fn finish_file(
    w: &mut crate::store::Writer<'_>,
    input: &InputMeta,
    format: Format,
    mut p: Parsed,
    mut diagnostics: Vec<Diagnostic>,
    file: FileEntries,
    opts: &ImportOptions,
) -> Result<FileReport> {
    diagnostics.extend(file.key_diags);
    // Folio JSON names the collections its items were in, a JabRef file its groups:
    // recreate them (inside the import's collection, when there is one), the groups in
    // their tree's order, empty ones too.
    let within = |path: &str| match &opts.collection {
        Some(c) => format!("{}/{path}", c.trim_end_matches('/')),
        None => path.to_string(),
    };
    let mut known = collections::PathCache::default();
    if let Some(plan) = &p.groups {
        for path in &plan.collections {
            collections::ensure_path_cached(w, &within(path), &mut known)?;
        }
    }
    for (id, paths) in file.coll_paths {
        for path in paths {
            // A path that names no collection costs the item that collection, not the file.
            match collections::ensure_path_cached(w, &within(&path), &mut known) {
                Ok(c) => {
                    collections::add_item(w, c, id)?;
                }
                Err(Error::InvalidInput(why)) => diagnostics.push(Diagnostic::warning(
                    None,
                    format!("collection {path:?} not created: {why}; the item is not filed there"),
                )),
                Err(e) => return Err(e),
            }
        }
    }
    if let Some(plan) = p.groups.take() {
        saved_groups(w, &plan, &within, &mut diagnostics)?;
    }
    Ok(FileReport {
        path: input.name.clone(),
        format,
        encoding: input.encoding.clone(),
        dialect: p.dialect,
        repairs: p.repairs,
        entries: file.entries,
        added: file.added_keys.len(),
        duplicates: file.decisions.iter().filter(|d| d.reason.is_certain()).count(),
        keys: file.added_keys,
        decisions: file.decisions,
        diagnostics,
    })
}

#[cfg(test)]
mod tests {
    use super::DuplicateAction;

    /// The CLI's `--json` and the app show these words: they must not change.
    #[test]
    fn duplicate_actions_keep_their_wire_text() {
        let all = [
            DuplicateAction::Skipped,
            DuplicateAction::Merged,
            DuplicateAction::Kept,
            DuplicateAction::Flagged,
        ];
        assert_eq!(
            all.map(DuplicateAction::as_str),
            ["skipped", "merged", "kept", "flagged"]
        );
        assert_eq!(DuplicateAction::Merged.to_string(), "merged");
    }
}
