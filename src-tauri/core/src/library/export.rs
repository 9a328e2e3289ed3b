//! Use case: export a selection of the library to BibTeX, BibLaTeX, RIS, Folio JSON, CSL-JSON,
//! CSL-YAML or Hayagriva YAML, written atomically (temporary file in the target folder, then
//! rename).

use super::{files, Library};
use crate::error::{Diagnostic, Error, Result};
use crate::format::{self, bibtex, ris, Format};
use crate::model::{Item, ItemId};
use crate::store::search::{Filter, Sort, SortColumn};
use std::collections::HashSet;
use std::io::Write;
use std::path::{Path, PathBuf};

/// What to export: items matching `filter`, or exactly `keys` when given.
#[derive(Debug, Clone, Default)]
pub struct Selection {
    pub filter: Filter,
    pub keys: Vec<String>,
}

#[derive(Debug, Clone)]
pub struct ExportOptions {
    pub format: Format,
    /// LaTeX escapes instead of UTF-8 (BibTeX/BibLaTeX; default by format).
    pub ascii: Option<bool>,
    /// Fields to leave out, e.g. `abstract`, `file`.
    pub omit_fields: Vec<String>,
}

impl Default for ExportOptions {
    fn default() -> Self {
        ExportOptions {
            format: Format::Bibtex,
            ascii: None,
            omit_fields: Vec::new(),
        }
    }
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct ExportReport {
    pub items: usize,
    /// False when the target already had exactly this content (write-if-changed).
    pub written: bool,
    pub diagnostics: Vec<Diagnostic>,
}

impl Library {
    /// The items of a selection, sorted by citation key.
    pub fn select(&self, sel: &Selection) -> Result<Vec<Item>> {
        if !sel.keys.is_empty() {
            let mut out = Vec::with_capacity(sel.keys.len());
            for k in &sel.keys {
                out.push(self.get(k)?);
            }
            return Ok(out);
        }
        self.items(
            &sel.filter,
            Sort {
                column: SortColumn::Key,
                descending: false,
            },
        )
    }

    /// Render items in a format (attachments' paths absolute).
    pub fn render(&self, items: &[Item], opts: &ExportOptions) -> Result<format::Written> {
        self.render_in(items, opts, None)
    }

    /// Render items for a file in `out_dir`: the attachments of BibTeX, BibLaTeX and RIS
    /// records are written relative to it when inside it (`library/filelinks.rs`).
    fn render_in(&self, items: &[Item], opts: &ExportOptions, out_dir: Option<&Path>) -> Result<format::Written> {
        let files = match opts.format {
            Format::Bibtex | Format::Biblatex | Format::Ris => self.files_by_item()?,
            _ => Default::default(),
        };
        let adjusted: Vec<Item>;
        let items = if files.is_empty() {
            items
        } else {
            adjusted = items
                .iter()
                .map(|it| {
                    let mut it = it.clone();
                    if let Some(f) = it.id.and_then(|id| files.get(&id)) {
                        super::filelinks::with_file_fields(&mut it, f, opts.format, out_dir);
                    }
                    it
                })
                .collect();
            &adjusted
        };
        let (extras, note) = match opts.format {
            Format::Bibtex | Format::Biblatex => {
                let mut batches = HashSet::new();
                let mut unknown = false;
                for it in items {
                    match it.source.as_ref().and_then(|s| s.batch) {
                        Some(b) => {
                            batches.insert(b);
                        }
                        None => unknown = true,
                    }
                }
                self.extras_for(batches, unknown)?
            }
            _ => (format::BibExtras::default(), None),
        };
        let mut w = self.render_with(items, opts, &extras)?;
        w.diagnostics.extend(note);
        Ok(w)
    }

    /// The library's `@string`s and the `@preamble` and `@comment` blocks of the imports
    /// `batches` (and of unknown origin when `unknown`): a file's blocks travel with its
    /// entries only (a 10k-entry file's preambles do not open the export of an unrelated
    /// collection). With a note for the report saying what was written and left out.
    pub(crate) fn extras_for(
        &self,
        batches: HashSet<i64>,
        unknown: bool,
    ) -> Result<(format::BibExtras, Option<Diagnostic>)> {
        self.choose_extras(|| Ok((batches, unknown)))
    }

    /// [`Library::extras_for`] the items `ids`.
    pub(crate) fn extras_for_ids(&self, ids: &[ItemId]) -> Result<(format::BibExtras, Option<Diagnostic>)> {
        self.choose_extras(|| crate::store::items::source_batches(self.store.conn(), ids))
    }

    /// The extras for the imports `origin` gives (asked only when the library has preambles
    /// or comments to choose from), with the report's note.
    fn choose_extras(
        &self,
        origin: impl FnOnce() -> Result<(HashSet<i64>, bool)>,
    ) -> Result<(format::BibExtras, Option<Diagnostic>)> {
        let all = self.bib_extras()?;
        if all.preambles.is_empty() && all.comments.is_empty() {
            return Ok((all, None));
        }
        let (batches, unknown) = origin()?;
        let (extras, left_p, left_c) = all.for_batches(&batches, unknown);
        let (p, c) = (extras.preambles.len(), extras.comments.len());
        let note = Diagnostic::info(
            None,
            format!(
                "wrote {p} @preamble and {c} @comment block(s), those of the files the exported entries were imported from{}",
                if left_p + left_c > 0 {
                    format!("; left out {left_p} @preamble and {left_c} @comment block(s) of other files")
                } else {
                    String::new()
                }
            ),
        );
        Ok((extras, Some(note)))
    }

    /// [`Library::render`] with the library's BibTeX extras already loaded (for many calls).
    pub(crate) fn render_with(
        &self,
        items: &[Item],
        opts: &ExportOptions,
        extras: &format::BibExtras,
    ) -> Result<format::Written> {
        Ok(match opts.format {
            Format::Bibtex | Format::Biblatex => bibtex::write(items, extras, &bib_options(opts)),
            Format::Ris => ris::write(
                items,
                &ris::RisWriteOptions {
                    omit_fields: opts.omit_fields.clone(),
                },
            ),
            Format::Json => {
                let with: Vec<(Item, Vec<String>)> = items
                    .iter()
                    .map(|i| Ok((i.clone(), self.collections_of(i.id.unwrap_or_default())?)))
                    .collect::<Result<_>>()?;
                format::json::write(&with)
            }
            Format::CslJson => format::csl::write_json(items),
            Format::CslYaml => format::csl::write_yaml(items),
            Format::Hayagriva => crate::cite::write_hayagriva(items),
            Format::ResultsText => {
                return Err(Error::InvalidInput(
                    "search-results text can be imported, not exported".into(),
                ))
            }
        })
    }

    /// Export a selection to text (attachments' paths absolute).
    pub fn export_text(&self, sel: &Selection, opts: &ExportOptions) -> Result<(String, ExportReport)> {
        self.export_text_in(sel, opts, None)
    }

    /// Export a selection to text for a file in `out_dir` (see [`Library::render_in`]).
    fn export_text_in(
        &self,
        sel: &Selection,
        opts: &ExportOptions,
        out_dir: Option<&Path>,
    ) -> Result<(String, ExportReport)> {
        if self.streamable(sel, opts) {
            let ids = crate::store::search::ids_in_storage_order(&self.store, &sel.filter)?;
            let (extras, note) = self.stream_extras(&ids, opts)?;
            let (w, items) = self.stream(&ids, opts, &extras, out_dir)?;
            let mut text = String::new();
            let mut diagnostics = w
                .finish_to(&mut |s: &str| {
                    text.push_str(s);
                    Ok(())
                })
                .expect("writing to a String cannot fail");
            diagnostics.extend(note);
            return Ok((
                text,
                ExportReport {
                    items,
                    written: false,
                    diagnostics,
                },
            ));
        }
        let items = self.select(sel)?;
        let w = self.render_in(&items, opts, out_dir)?;
        Ok((
            w.text,
            ExportReport {
                items: items.len(),
                written: false,
                diagnostics: w.diagnostics,
            },
        ))
    }

    /// Export items already loaded (in this order, like a selection by keys) to `out`
    /// (atomically, write-if-changed), or as text when `out` is `None`.
    pub fn export_items(
        &self,
        items: &[Item],
        opts: &ExportOptions,
        out: Option<&Path>,
    ) -> Result<(ExportReport, Option<String>)> {
        if let Some(path) = out {
            self.check_export_target(path)?;
        }
        let w = self.render_in(items, opts, out.and_then(Path::parent))?;
        let mut report = ExportReport {
            items: items.len(),
            written: false,
            diagnostics: w.diagnostics,
        };
        match out {
            Some(path) => {
                report.written = write_atomic_if_changed(path, w.text.as_bytes())?;
                Ok((report, None))
            }
            None => Ok((report, Some(w.text))),
        }
    }

    /// Whether a selection is exported through the incremental writers (BibTeX, BibLaTeX
    /// and RIS of a filter).
    fn streamable(&self, sel: &Selection, opts: &ExportOptions) -> bool {
        sel.keys.is_empty() && matches!(opts.format, Format::Bibtex | Format::Biblatex | Format::Ris)
    }

    /// The BibTeX extras a streamed export of `ids` needs (none for RIS).
    fn stream_extras(&self, ids: &[ItemId], opts: &ExportOptions) -> Result<(format::BibExtras, Option<Diagnostic>)> {
        match opts.format {
            Format::Bibtex | Format::Biblatex => self.extras_for_ids(ids),
            _ => Ok((format::BibExtras::default(), None)),
        }
    }

    /// Feed the items of a filter to an incremental writer a few hundred at a time, in
    /// storage order (the writers sort by key at the end), so a 100k-item export never holds
    /// 100k items; the writer, to be finished, and the number of items.
    /// `ids` in storage order: a sort by key would look up every row through the key index
    /// (a quarter of the reading thread's work); the writers sort by key at the end.
    fn stream<'e>(
        &self,
        ids: &[ItemId],
        opts: &ExportOptions,
        extras: &'e format::BibExtras,
        out_dir: Option<&Path>,
    ) -> Result<(Streamed<'e>, usize)> {
        let files = Files {
            by_item: self.files_by_item()?,
            format: opts.format,
            out_dir,
        };
        let w = match opts.format {
            Format::Ris => Streamed::Ris(self.feed(
                ids,
                ris::RisWriter::new(&ris::RisWriteOptions {
                    omit_fields: opts.omit_fields.clone(),
                }),
                &files,
            )?),
            _ => Streamed::Bib(Box::new(self.feed(
                ids,
                bibtex::BibWriter::new(extras, &bib_options(opts)),
                &files,
            )?)),
        };
        Ok((w, ids.len()))
    }

    /// Hand the items `ids` (in id order) to an incremental writer: records still as imported
    /// are copied from the table, only the rest are loaded. This thread reads the table a
    /// chunk at a time; a worker per core checks the copied records and decodes the loaded
    /// items (the costly part: 88% of a 100k BibTeX export's instructions went to checking
    /// records on one thread); one thread adds the results to the writer in the order read.
    /// Deterministic: the writer sees the chunks in order, then the records it refused.
    /// Items with attachments are decoded (not copied) so their file fields can be written
    /// from the attachments (`library/filelinks.rs`).
    fn feed<W: EntryWriter + Send>(&self, ids: &[i64], w: W, files: &Files<'_>) -> Result<W> {
        use crate::store::items::{current_sources, load_chunk_raw, RawItem, LOAD_CHUNK};
        enum Job {
            Sources(Vec<crate::store::items::CurrentSource>),
            Items(Vec<RawItem>),
        }
        enum Done<C, R> {
            Sources(Vec<(i64, C)>),
            Items(Vec<R>),
        }
        enum Msg<C, R> {
            Done(usize, Result<Done<C, R>>),
            /// Every job before this number was sent.
            End(usize),
        }
        let conn = self.store.conn();
        let format = w.source_format();
        let checker = w.checker();
        let workers = std::thread::available_parallelism().map_or(1, |n| n.get()).clamp(1, 4);
        std::thread::scope(|s| {
            let (job_tx, job_rx) = std::sync::mpsc::sync_channel::<(usize, Job)>(2 * workers);
            // Shared by the workers only: when they all stop (the writer stopped), sending a job
            // fails instead of waiting.
            let job_rx = std::sync::Arc::new(std::sync::Mutex::new(job_rx));
            let (msg_tx, msg_rx) = std::sync::mpsc::sync_channel::<Msg<W::Checked, W::Rendered>>(2 * workers);
            let (back_tx, back_rx) = std::sync::mpsc::channel::<Vec<i64>>();
            for _ in 0..workers {
                let (job_rx, msg_tx, checker) = (job_rx.clone(), msg_tx.clone(), &checker);
                s.spawn(move || loop {
                    let job = job_rx.lock().map_err(|_| ()).and_then(|rx| rx.recv().map_err(|_| ()));
                    let Ok((seq, job)) = job else {
                        return;
                    };
                    let done = match job {
                        Job::Sources(v) => Ok(Done::Sources(
                            v.into_iter().map(|src| (src.id, W::check(checker, src))).collect(),
                        )),
                        Job::Items(v) => v
                            .into_iter()
                            .map(|raw| raw.decode().map(|item| W::render(checker, files.apply(item))))
                            .collect::<Result<_>>()
                            .map(Done::Items),
                    };
                    if msg_tx.send(Msg::Done(seq, done)).is_err() {
                        return;
                    }
                });
            }
            drop(job_rx);
            let writer = s.spawn(move || -> Result<W> {
                let mut w = w;
                let mut waiting = std::collections::BTreeMap::new();
                let (mut next, mut end, mut ends) = (0usize, None, 0);
                let mut refused = Vec::new();
                for m in msg_rx {
                    match m {
                        Msg::Done(seq, done) => {
                            waiting.insert(seq, done);
                        }
                        Msg::End(n) => end = Some(n),
                    }
                    while let Some(done) = waiting.remove(&next) {
                        next += 1;
                        match done? {
                            Done::Sources(v) => {
                                for (id, c) in v {
                                    if !w.add_checked(c) {
                                        refused.push(id);
                                    }
                                }
                            }
                            Done::Items(v) => {
                                for r in v {
                                    w.add_rendered(r);
                                }
                            }
                        }
                    }
                    if end == Some(next) {
                        end = None;
                        ends += 1;
                        if ends == 2 {
                            break;
                        }
                        let _ = back_tx.send(std::mem::take(&mut refused));
                    }
                }
                Ok(w)
            });
            // A send fails only when the writer stopped (an error or a panic); joining it below
            // passes that on.
            let read = || -> Result<()> {
                let seq = std::cell::Cell::new(0);
                let send = |job: Job| {
                    seq.set(seq.get() + 1);
                    job_tx.send((seq.get() - 1, job)).is_ok()
                };
                for chunk in ids.chunks(LOAD_CHUNK) {
                    let mut sources = current_sources(conn, chunk, format)?;
                    if !files.by_item.is_empty() {
                        sources.retain(|s| !files.by_item.contains_key(&s.id));
                    }
                    let copied: rustc_hash::FxHashSet<i64> = sources.iter().map(|s| s.id).collect();
                    let rest: Vec<i64> = chunk.iter().copied().filter(|id| !copied.contains(id)).collect();
                    if !send(Job::Sources(sources)) {
                        return Ok(());
                    }
                    if !rest.is_empty() && !send(Job::Items(load_chunk_raw(conn, &rest, Some(format))?)) {
                        return Ok(());
                    }
                }
                if msg_tx.send(Msg::End(seq.get())).is_err() {
                    return Ok(());
                }
                let Ok(refused) = back_rx.recv() else {
                    return Ok(());
                };
                for chunk in refused.chunks(LOAD_CHUNK) {
                    if !send(Job::Items(load_chunk_raw(conn, chunk, Some(format))?)) {
                        return Ok(());
                    }
                }
                let _ = msg_tx.send(Msg::End(seq.get()));
                Ok(())
            };
            let result = read();
            drop(job_tx);
            drop(msg_tx);
            // The writer's error (an item that does not decode) ends the reading early, so it
            // comes first.
            let w = writer.join().expect("the export writer panicked")?;
            result.map(|()| w)
        })
    }

    /// Refuse an export target that is this library's own file or one of its companions
    /// (`-wal`, `-shm`, `-journal`), also through a symlink or a hard link: one wrong pick in a
    /// Save dialog would replace the library. Any other SQLite database, a write-protected
    /// file, what is not a regular file and a missing folder are refused too (checked again
    /// when the file is written).
    pub fn check_export_target(&self, path: &Path) -> Result<()> {
        if let Some(lib) = self.store.path() {
            refuse_library_files(lib, path)?;
        }
        files::Target::check(path).map(|_| ())
    }

    /// Export a selection to a file, atomically and only if its content changed. Large
    /// exports go to the file a piece at a time (compared with the old file as they go), never
    /// as one string. The library's own files are never a target ([`Library::check_export_target`]).
    pub fn export_file(&self, sel: &Selection, opts: &ExportOptions, path: &Path) -> Result<ExportReport> {
        self.check_export_target(path)?;
        if self.streamable(sel, opts) {
            let trace = crate::trace::Trace::new();
            let ids = crate::store::search::ids_in_storage_order(&self.store, &sel.filter)?;
            let (extras, note) = self.stream_extras(&ids, opts)?;
            let (w, items) = self.stream(&ids, opts, &extras, path.parent())?;
            trace.mark("export: read and checked");
            let mut diagnostics = Vec::new();
            let written = write_atomic_if_changed_with(path, |out| {
                diagnostics = w.finish_to(out)?;
                Ok(())
            })?;
            diagnostics.extend(note);
            trace.mark("export: sorted and written");
            return Ok(ExportReport {
                items,
                written,
                diagnostics,
            });
        }
        let (text, mut report) = self.export_text_in(sel, opts, path.parent())?;
        report.written = write_atomic_if_changed(path, text.as_bytes())?;
        Ok(report)
    }
}

/// What a streamed export writes into items' file fields.
struct Files<'a> {
    by_item: super::filelinks::FilesByItem,
    format: Format,
    out_dir: Option<&'a Path>,
}

impl Files<'_> {
    fn apply(&self, mut item: Item) -> Item {
        if let Some(f) = item.id.and_then(|id| self.by_item.get(&id)) {
            super::filelinks::with_file_fields(&mut item, f, self.format, self.out_dir);
        }
        item
    }
}

/// [`Library::check_export_target`]'s test against the library at `lib`.
fn refuse_library_files(lib: &Path, path: &Path) -> Result<()> {
    let target = files::resolve_links(path)?;
    // SQLite keeps the companions beside the file a symlinked library leads to.
    let real = files::resolve_links(lib)?;
    for (suffix, what) in [
        ("", "the library itself"),
        ("-wal", "the library's write-ahead log"),
        ("-shm", "the library's shared-memory file"),
        ("-journal", "the library's rollback journal"),
    ] {
        let named = |l: &Path| {
            let mut n = l.as_os_str().to_owned();
            n.push(suffix);
            PathBuf::from(n)
        };
        if files::same_file(&target, &named(lib)) || files::same_file(&target, &named(&real)) {
            return Err(Error::InvalidInput(format!(
                "cannot export to {}: it is {what} ({}); choose another file",
                path.display(),
                lib.display()
            )));
        }
    }
    Ok(())
}

/// An incremental writer with its entries added, to be finished.
enum Streamed<'e> {
    Bib(Box<bibtex::BibWriter<'e>>),
    Ris(ris::RisWriter),
}

impl Streamed<'_> {
    fn finish_to(self, out: &mut format::Out<'_>) -> std::io::Result<Vec<Diagnostic>> {
        match self {
            Streamed::Bib(w) => w.finish_to(out),
            Streamed::Ris(w) => w.finish_to(true, out),
        }
    }
}

/// The incremental writers, as [`Library::feed`] drives them.
trait EntryWriter {
    /// Checks stored records on other threads.
    type Checker: Sync;
    type Checked: Send;
    /// The source format whose records this writer may copy.
    fn source_format(&self) -> &'static str;
    fn checker(&self) -> Self::Checker;
    /// A record with what the store knows of it (see `bibtex::checks`).
    fn check(c: &Self::Checker, src: crate::store::items::CurrentSource) -> Self::Checked;
    /// False: the record cannot be copied; add the item instead.
    fn add_checked(&mut self, c: Self::Checked) -> bool;
    /// What [`EntryWriter::add_rendered`] adds for an item, made ready on another thread.
    type Rendered: Send;
    fn render(c: &Self::Checker, item: Item) -> Self::Rendered;
    fn add_rendered(&mut self, r: Self::Rendered);
}

impl EntryWriter for bibtex::BibWriter<'_> {
    type Checker = bibtex::BibChecker;
    type Checked = bibtex::CheckedSource;
    fn source_format(&self) -> &'static str {
        "bibtex"
    }
    fn checker(&self) -> Self::Checker {
        bibtex::BibWriter::checker(self)
    }
    fn check(c: &Self::Checker, src: crate::store::items::CurrentSource) -> Self::Checked {
        c.check(src.key, src.text, src.checks, src.macros.as_deref())
    }
    fn add_checked(&mut self, c: Self::Checked) -> bool {
        bibtex::BibWriter::add_checked(self, c)
    }
    /// A BibTeX entry depends on the entries before it (a generated key must differ from
    /// theirs; the warnings count duplicates): the item is written in order.
    type Rendered = Item;
    fn render(_: &Self::Checker, item: Item) -> Item {
        item
    }
    fn add_rendered(&mut self, item: Item) {
        bibtex::BibWriter::add(self, &item)
    }
}

impl EntryWriter for ris::RisWriter {
    type Checker = ris::RisChecker;
    type Checked = ris::CheckedRecord;
    fn source_format(&self) -> &'static str {
        "ris"
    }
    fn checker(&self) -> Self::Checker {
        ris::RisWriter::checker(self)
    }
    fn check(c: &Self::Checker, src: crate::store::items::CurrentSource) -> Self::Checked {
        c.check(src.key, &src.text)
    }
    fn add_checked(&mut self, c: Self::Checked) -> bool {
        ris::RisWriter::add_checked(self, c)
    }
    type Rendered = ris::RenderedRecord;
    fn render(c: &Self::Checker, item: Item) -> Self::Rendered {
        c.render(&item)
    }
    fn add_rendered(&mut self, r: Self::Rendered) {
        ris::RisWriter::add_rendered(self, r)
    }
}

fn bib_options(opts: &ExportOptions) -> bibtex::BibWriteOptions {
    bibtex::BibWriteOptions {
        mode: if opts.format == Format::Biblatex {
            bibtex::BibMode::Biblatex
        } else {
            bibtex::BibMode::Bibtex
        },
        ascii: opts.ascii,
        omit_fields: opts.omit_fields.clone(),
    }
}

/// Write `bytes` to `path` through a temporary file in the same folder and a rename, so the
/// target is always either the old or the new content. Skips the write when the content is
/// already there. Returns whether it wrote. A symlink is written through (its target is
/// replaced, the link stays); a write-protected file, a non-regular file or an SQLite
/// database is refused before anything is written (see `files::Target::check`).
pub fn write_atomic_if_changed(path: &Path, bytes: &[u8]) -> Result<bool> {
    let mut sink = AtomicSink::new(path)?;
    sink.put(bytes).map_err(|e| Error::io(path, e))?;
    sink.finish()
}

/// [`write_atomic_if_changed`] for text produced a piece at a time by `produce`.
pub fn write_atomic_if_changed_with(
    path: &Path,
    produce: impl FnOnce(&mut format::Out<'_>) -> std::io::Result<()>,
) -> Result<bool> {
    let mut sink = AtomicSink::new(path)?;
    produce(&mut |s: &str| sink.put(s.as_bytes())).map_err(|e| Error::io(path, e))?;
    sink.finish()
}

/// Compares what it is given with the target file as it comes; from the first difference on
/// (or when there is no old file) it writes a temporary file beside the target, starting with
/// the part that matched, and renames it over the target at the end. Nothing is held in memory
/// but a buffer.
struct AtomicSink {
    /// The file replaced: the target, or the file its symlinks lead to.
    path: PathBuf,
    dir: PathBuf,
    /// The old file, while everything so far matched it.
    old: Option<std::io::BufReader<std::fs::File>>,
    matched: u64,
    tmp: Option<std::io::BufWriter<tempfile::NamedTempFile>>,
    buf: Vec<u8>,
}

impl AtomicSink {
    fn new(path: &Path) -> Result<AtomicSink> {
        let target = files::Target::check(path)?;
        // Temporary files of exports that were killed (a large export leaves a file as large).
        files::remove_stale_temporaries(&target.dir);
        let old = if target.exists {
            let (f, _) = files::open_regular(&target.path)?;
            Some(std::io::BufReader::with_capacity(1 << 20, f))
        } else {
            None
        };
        let mut sink = AtomicSink {
            path: target.path,
            dir: target.dir,
            old,
            matched: 0,
            tmp: None,
            buf: Vec::new(),
        };
        if sink.old.is_none() {
            sink.diverge().map_err(|e| Error::io(path, e))?;
        }
        Ok(sink)
    }

    fn put(&mut self, b: &[u8]) -> std::io::Result<()> {
        if let Some(old) = &mut self.old {
            self.buf.resize(b.len(), 0);
            if read_full(old, &mut self.buf).is_ok_and(|n| n == b.len()) && self.buf == b {
                self.matched += b.len() as u64;
                return Ok(());
            }
            self.diverge()?;
        }
        match &mut self.tmp {
            Some(t) => t.write_all(b),
            None => unreachable!("an AtomicSink either compares or writes"),
        }
    }

    /// Stop comparing: start the temporary file with the part of the old file that matched.
    fn diverge(&mut self) -> std::io::Result<()> {
        self.old = None;
        let mut builder = tempfile::Builder::new();
        // With this process's id, so the next export can tell a killed export's file.
        let prefix = files::temp_prefix();
        builder.prefix(&prefix);
        // Like any file the user saves: the umask's permissions, or the old file's.
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            builder.permissions(std::fs::Permissions::from_mode(0o666));
        }
        let tmp = builder.tempfile_in(&self.dir)?;
        if let Ok(meta) = std::fs::metadata(&self.path) {
            if meta.is_file() {
                std::fs::set_permissions(tmp.path(), meta.permissions())?;
            }
        }
        let mut tmp = std::io::BufWriter::with_capacity(1 << 20, tmp);
        if self.matched > 0 {
            let mut f = std::fs::File::open(&self.path)?;
            let copied = std::io::copy(&mut std::io::Read::take(&mut f, self.matched), &mut tmp)?;
            if copied != self.matched {
                return Err(std::io::Error::other("the old file changed during the export"));
            }
        }
        self.tmp = Some(tmp);
        Ok(())
    }

    /// Whether it wrote (false: the old file already had exactly this content).
    fn finish(mut self) -> Result<bool> {
        let path = self.path.clone();
        if let Some(old) = &mut self.old {
            let mut one = [0u8; 1];
            if matches!(std::io::Read::read(old, &mut one), Ok(0)) {
                return Ok(false);
            }
            self.diverge().map_err(|e| Error::io(&path, e))?;
        }
        let tmp = self.tmp.take().expect("writing after diverge");
        let tmp = tmp.into_inner().map_err(|e| Error::io(&path, e.into_error()))?;
        tmp.as_file().sync_all().map_err(|e| Error::io(&path, e))?;
        tmp.persist(&path).map_err(|e| Error::io(&path, e.error))?;
        Ok(true)
    }
}

/// Read until `buf` is full or the file ends; how much was read.
fn read_full(r: &mut impl std::io::Read, buf: &mut [u8]) -> std::io::Result<usize> {
    let mut n = 0;
    while n < buf.len() {
        match r.read(&mut buf[n..]) {
            Ok(0) => break,
            Ok(k) => n += k,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(n)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn atomic_write_and_write_if_changed() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("out.bib");
        assert!(write_atomic_if_changed(&p, b"one").unwrap());
        assert!(!write_atomic_if_changed(&p, b"one").unwrap());
        assert!(write_atomic_if_changed(&p, b"two").unwrap());
        assert_eq!(std::fs::read(&p).unwrap(), b"two");
        let leftovers: Vec<_> = std::fs::read_dir(dir.path()).unwrap().collect();
        assert_eq!(leftovers.len(), 1, "no temporary files are left behind");
        assert!(write_atomic_if_changed(&dir.path().join("missing/out.bib"), b"x").is_err());
    }

    #[test]
    fn streamed_writes_compare_with_the_old_file_as_they_go() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("out.bib");
        let pieces = |parts: &'static [&'static str]| {
            move |out: &mut format::Out<'_>| -> std::io::Result<()> {
                for s in parts {
                    out(s)?;
                }
                Ok(())
            }
        };
        assert!(write_atomic_if_changed_with(&p, pieces(&["ab", "cd", "ef"])).unwrap());
        assert_eq!(std::fs::read_to_string(&p).unwrap(), "abcdef");
        // The same text in other pieces: unchanged, not written.
        assert!(!write_atomic_if_changed_with(&p, pieces(&["abc", "", "def"])).unwrap());
        // Differs in the middle, is shorter, is longer: written with the matched part kept.
        assert!(write_atomic_if_changed_with(&p, pieces(&["ab", "cX", "ef"])).unwrap());
        assert_eq!(std::fs::read_to_string(&p).unwrap(), "abcXef");
        assert!(write_atomic_if_changed_with(&p, pieces(&["abc"])).unwrap());
        assert_eq!(std::fs::read_to_string(&p).unwrap(), "abc");
        assert!(write_atomic_if_changed_with(&p, pieces(&["abc", "more"])).unwrap());
        assert_eq!(std::fs::read_to_string(&p).unwrap(), "abcmore");
        assert!(write_atomic_if_changed_with(&p, pieces(&[])).unwrap());
        assert_eq!(std::fs::read_to_string(&p).unwrap(), "");
        // A failing producer leaves the old file and no temporary file.
        std::fs::write(&p, "old").unwrap();
        let err = write_atomic_if_changed_with(&p, |out| {
            out("new")?;
            Err(std::io::Error::other("disk full"))
        })
        .unwrap_err();
        assert!(err.to_string().contains("disk full"), "{err}");
        assert_eq!(std::fs::read_to_string(&p).unwrap(), "old");
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
    }

    #[cfg(unix)]
    #[test]
    fn exported_files_get_ordinary_permissions_or_keep_their_own() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("new.bib");
        assert!(write_atomic_if_changed(&p, b"x").unwrap());
        let mode = std::fs::metadata(&p).unwrap().permissions().mode() & 0o777;
        // 0666 less the umask: readable by others unless the umask forbids it, never 0600
        // for a usual umask (022 or 002).
        assert_ne!(mode, 0o600, "a new export is not private to its owner");
        assert_eq!(mode & 0o600, 0o600);
        std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o640)).unwrap();
        assert!(write_atomic_if_changed(&p, b"y").unwrap());
        assert_eq!(std::fs::metadata(&p).unwrap().permissions().mode() & 0o777, 0o640);
    }
}
