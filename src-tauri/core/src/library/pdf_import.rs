//! Use case: import PDFs — dropped files or whole folders — as references with their file.
//! Each PDF is read in the worker process (`crate::pdf::read_isolated`: time and memory limits,
//! a crash takes only the worker), its metadata taken from the XMP packet, identifiers printed
//! on its first pages, a plausible Info dictionary and the first page's layout
//! (`crate::pdf::metadata`). A PDF whose DOI, arXiv id or title + first author + year is
//! already in the library (the duplicate rules of `dedupe`), or earlier in the same drop, is
//! attached to that item instead of making a second one. A PDF with no usable text, or one that
//! cannot be read at all (encrypted, damaged), still becomes an item — titled by its file name
//! and tagged `needs review` — so nothing dropped is lost. The text read is indexed at once.
//!
//! Reading happens before anything is written; then one transaction adds every item and
//! attachment: the whole drop is one undo step, and cancelling it writes nothing.

use super::attachments::{probe, AttachMode};
use super::Library;
use crate::dedupe::Fingerprint;
use crate::error::{Error, Result};
use crate::model::{Attachment, AttachmentKind, ExtraField, FulltextState, Item, ItemTag, ItemType, Origin};
use crate::pdf::{self, PdfMetadata, Source, Sourced};
use crate::store::{attachments as rows, fulltext, items as item_rows};
use std::path::{Path, PathBuf};

/// The tag of items a person should check (no text, a guess, an unreadable file).
pub const NEEDS_REVIEW: &str = "needs review";

/// How to import PDFs.
#[derive(Debug, Clone, Default)]
pub struct PdfImportOptions {
    /// Leave the files where they are (else copies go into the library's files folder).
    pub link: bool,
    /// Limits on reading one file (default: 30 s, 2 GiB, 2000 pages, 512 MiB).
    pub limits: pdf::Limits,
    /// File the new items in this collection (created when missing).
    pub collection: Option<String>,
    /// Set from another thread to stop before the next file: nothing is written.
    pub cancel: Option<std::sync::Arc<std::sync::atomic::AtomicBool>>,
}

/// What became of one PDF.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[serde(tag = "outcome", rename_all = "lowercase")]
pub enum PdfOutcome {
    /// A new item with this key.
    Added { key: String },
    /// Attached to the item already there (why: same DOI, arXiv id, title…).
    Attached { key: String, reason: String },
}

/// One field the import filled, and where its value came from.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct FieldSource {
    pub field: String,
    pub value: String,
    /// "XMP metadata", "printed on page 1", "document info", "layout of page 1", "file name".
    pub source: String,
    /// A guess worth a second look.
    pub uncertain: bool,
}

/// The report on one PDF.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct PdfFileReport {
    pub path: String,
    #[serde(flatten)]
    pub outcome: PdfOutcome,
    pub fields: Vec<FieldSource>,
    pub pages: u32,
    /// The item was tagged `needs review`.
    pub needs_review: bool,
    /// What is uncertain, and why a file could not be read.
    pub notes: Vec<String>,
}

/// Progress before each file: `(done, total, file name)`; returning `false` cancels.
pub type PdfProgress<'a> = dyn FnMut(usize, usize, &str) -> bool + 'a;

fn source_text(s: &Source) -> String {
    match s {
        Source::Xmp => "XMP metadata".into(),
        Source::Identifier { page } => format!("printed on page {page}"),
        Source::Info => "document info".into(),
        Source::Layout { page } => format!("layout of page {page}"),
        Source::FileName => "file name".into(),
    }
}

fn field<T>(out: &mut Vec<FieldSource>, name: &str, s: &Option<Sourced<T>>, show: impl Fn(&T) -> String) {
    if let Some(s) = s {
        out.push(FieldSource {
            field: name.into(),
            value: show(&s.value),
            source: source_text(&s.source),
            uncertain: s.uncertain,
        });
    }
}

/// The PDF files `paths` name: files as given, folders searched (sorted, recursively) for
/// `*.pdf`.
pub fn pdf_files(paths: &[PathBuf]) -> Result<Vec<PathBuf>> {
    let mut out = Vec::new();
    for p in paths {
        let meta = std::fs::metadata(p).map_err(|e| Error::io(p, e))?;
        if meta.is_dir() {
            let mut stack = vec![p.clone()];
            let mut found = Vec::new();
            while let Some(dir) = stack.pop() {
                for e in std::fs::read_dir(&dir).map_err(|e| Error::io(&dir, e))?.flatten() {
                    let path = e.path();
                    let Ok(t) = e.file_type() else { continue };
                    if t.is_dir() {
                        stack.push(path);
                    } else if t.is_file() && path.extension().is_some_and(|x| x.eq_ignore_ascii_case("pdf")) {
                        found.push(path);
                    }
                }
            }
            found.sort();
            out.extend(found);
        } else {
            out.push(p.clone());
        }
    }
    Ok(out)
}

/// Whether an import input goes to the PDF import: a folder, a `.pdf` file, or a file that
/// starts like a PDF (`-`, standard input, never).
pub fn is_pdf_input(p: &Path) -> bool {
    if p.as_os_str() == "-" {
        return false;
    }
    // Only folders and regular files: a pipe or a device is left to the import that refuses
    // it (opening a FIFO to look at it would wait for a writer forever); a missing file too.
    let Ok(meta) = std::fs::metadata(p) else {
        return false;
    };
    if meta.is_dir() {
        return true;
    }
    if !meta.is_file() {
        return false;
    }
    if p.extension().is_some_and(|e| e.eq_ignore_ascii_case("pdf")) {
        return true;
    }
    let mut head = [0u8; 5];
    std::fs::File::open(p)
        .and_then(|mut f| std::io::Read::read_exact(&mut f, &mut head))
        .is_ok_and(|()| &head == b"%PDF-")
}

/// The item a PDF's metadata describes (the file's name as its title when it has none).
pub fn item_from_metadata(m: &PdfMetadata, file: &Path) -> Item {
    let stem = file
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    let mut it = Item::new(
        if m.venue.is_some() || m.doi.is_some() {
            ItemType::Article
        } else {
            ItemType::Misc
        },
        &m.title.as_ref().map_or(stem, |t| t.value.clone()),
    );
    if let Some(a) = &m.authors {
        it.creators = a.value.clone();
    }
    if let Some(y) = &m.year {
        it.date.year = Some(y.value);
    }
    if let Some(d) = &m.doi {
        it.doi = d.value.clone();
    }
    if let Some(v) = &m.venue {
        it.container = v.value.clone();
    }
    if let Some(x) = &m.arxiv {
        if m.venue.is_none() && m.doi.is_none() {
            it.item_type = ItemType::Online;
        }
        it.extra.push(ExtraField {
            name: "eprint".into(),
            value: format!("{{{}}}", x.value),
            origin: Origin::Bibtex,
        });
        it.extra.push(ExtraField {
            name: "eprinttype".into(),
            value: "{arXiv}".into(),
            origin: Origin::Bibtex,
        });
    }
    it
}

/// A PDF read and described, before anything is written.
struct Read {
    path: PathBuf,
    item: Item,
    report_fields: Vec<FieldSource>,
    pages: Vec<String>,
    page_count: u32,
    needs_review: bool,
    notes: Vec<String>,
    /// The attachment's full-text state and why (for an unreadable file).
    state: (FulltextState, Option<String>),
}

fn read_one(path: &Path, opts: &PdfImportOptions, worker: &pdf::Worker) -> Read {
    match pdf::read_isolated(path, &opts.limits, worker) {
        Ok(doc) => {
            let m = pdf::metadata(&doc);
            let mut fields = Vec::new();
            field(&mut fields, "title", &m.title, Clone::clone);
            field(&mut fields, "authors", &m.authors, |a| {
                a.iter().map(|c| c.display_inverted()).collect::<Vec<_>>().join("; ")
            });
            field(&mut fields, "year", &m.year, i32::to_string);
            field(&mut fields, "doi", &m.doi, Clone::clone);
            field(&mut fields, "arxiv", &m.arxiv, Clone::clone);
            field(&mut fields, "journal", &m.venue, Clone::clone);
            let needs_review = m.needs_review || m.title.as_ref().is_none_or(|t| t.uncertain);
            let state = if doc.has_text() {
                (FulltextState::Indexed, None)
            } else {
                (FulltextState::None, Some("the PDF has no text layer".to_string()))
            };
            Read {
                path: path.to_path_buf(),
                item: item_from_metadata(&m, path),
                report_fields: fields,
                page_count: doc.page_count,
                pages: doc.pages,
                needs_review,
                notes: m.notes,
                state,
            }
        }
        Err(e) => Read {
            path: path.to_path_buf(),
            item: item_from_metadata(&PdfMetadata::default(), path),
            report_fields: vec![FieldSource {
                field: "title".into(),
                value: path
                    .file_stem()
                    .map(|s| s.to_string_lossy().into_owned())
                    .unwrap_or_default(),
                source: "file name".into(),
                uncertain: true,
            }],
            pages: Vec::new(),
            page_count: 0,
            needs_review: true,
            notes: vec![format!("{}: {e}", path.display())],
            state: (FulltextState::Failed, Some(e.to_string())),
        },
    }
}

impl Library {
    /// The PDF worker this library's reads use (`$FOLIO_PDF_WORKER`, else this program).
    pub fn set_pdf_worker(&mut self, worker: pdf::Worker) {
        self.pdf_worker = Some(worker);
    }

    pub(crate) fn pdf_worker(&self) -> Result<pdf::Worker> {
        match &self.pdf_worker {
            Some(w) => Ok(w.clone()),
            None => {
                pdf::Worker::from_env().map_err(|e| Error::InvalidInput(format!("cannot start the PDF reader: {e}")))
            }
        }
    }

    /// Import PDF files and folders of PDFs (see the module docs): one undo step.
    pub fn import_pdfs(
        &mut self,
        paths: &[PathBuf],
        opts: &PdfImportOptions,
        progress: &mut PdfProgress<'_>,
    ) -> Result<Vec<PdfFileReport>> {
        let files = pdf_files(paths)?;
        if files.is_empty() {
            let names: Vec<String> = paths.iter().map(|p| p.display().to_string()).collect();
            return Err(Error::InvalidInput(format!(
                "{}: no PDF files there (a folder is imported as the PDFs in it)",
                names.join(", ")
            )));
        }
        let worker = self.pdf_worker()?;
        let mut read = Vec::with_capacity(files.len());
        for (i, f) in files.iter().enumerate() {
            let name = f
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            let cancelled = opts
                .cancel
                .as_ref()
                .is_some_and(|c| c.load(std::sync::atomic::Ordering::Relaxed));
            if cancelled || !progress(i, files.len(), &name) {
                return Err(Error::Cancelled("PDF import"));
            }
            read.push(read_one(f, opts, &worker));
        }
        self.store_pdfs(read, opts)
    }

    /// Write what was read: a new item or the duplicate it matches, its attachment and pages.
    fn store_pdfs(&mut self, read: Vec<Read>, opts: &PdfImportOptions) -> Result<Vec<PdfFileReport>> {
        let base = self.attachment_base()?;
        let now = crate::text::now_rfc3339();
        let pattern = self.key_pattern()?;
        let mode = if opts.link { AttachMode::Link } else { AttachMode::Store };
        if mode == AttachMode::Store && self.files_dir().is_none() {
            return Err(Error::InvalidInput(
                "a library in memory has no files folder: import the PDFs with --link".into(),
            ));
        }
        // Copies are made first (named after their item); removed again if the write fails.
        let mut copied: Vec<PathBuf> = Vec::new();
        let mut prepared = Vec::with_capacity(read.len());
        let result = (|| -> Result<()> {
            for r in &read {
                let title = r
                    .path
                    .file_name()
                    .map(|n| n.to_string_lossy().into_owned())
                    .unwrap_or_default();
                let (p, path) = match mode {
                    AttachMode::Store => {
                        let dir = self.files_dir().expect("checked above");
                        let (p, name, made) = self.store_copy(&r.path, &dir, &r.item, &title)?;
                        if made {
                            copied.push(dir.join(&name));
                        }
                        (p, name)
                    }
                    AttachMode::Link => (
                        probe(&r.path)?,
                        super::attachments::linked_path(&r.path, base.as_deref())?,
                    ),
                };
                prepared.push(Attachment {
                    id: None,
                    kind: if opts.link {
                        AttachmentKind::Linked
                    } else {
                        AttachmentKind::Stored
                    },
                    path,
                    title,
                    mime: "application/pdf".into(),
                    bytes: p.bytes,
                    sha256: p.sha256,
                    pages: (r.page_count > 0).then_some(r.page_count),
                    fulltext: r.state.0,
                    fulltext_error: r.state.1.clone(),
                    added: now.clone(),
                });
            }
            Ok(())
        })();
        if let Err(e) = result {
            for c in &copied {
                let _ = std::fs::remove_file(c);
            }
            return Err(e);
        }
        let label = match read.as_slice() {
            [one] => format!(
                "Import {}",
                one.path
                    .file_name()
                    .map_or(String::new(), |n| n.to_string_lossy().into_owned())
            ),
            many => format!("Import {} PDFs", many.len()),
        };
        // A copy attached to an item already there takes that item's name.
        let mut follow = self.follow_names()?;
        let written = self.store.write(&label, |w| {
            let (mut index, mut keys) = super::shared::dedupe_index_keys(w.conn())?;
            let mut taken = item_rows::all_keys_lowercase(w.conn())?;
            let mut suffixes = crate::citekey::Suffixes::new();
            let collection = match &opts.collection {
                Some(path) => Some(crate::store::collections::ensure_path(w, path)?),
                None => None,
            };
            let mut reports = Vec::with_capacity(read.len());
            for (r, a) in read.into_iter().zip(prepared) {
                let fp = Fingerprint::of(&r.item);
                let found = index
                    .best(&fp)
                    .filter(|(_, m)| m.reason.is_certain())
                    .and_then(|(pos, m)| Some((index.get(pos).id?, keys[pos].clone(), m)));
                let (item_id, outcome) = match found {
                    Some((id, key, m)) => (
                        id,
                        PdfOutcome::Attached {
                            key,
                            reason: m.reason.as_str().to_string(),
                        },
                    ),
                    None => {
                        let mut item = r.item.clone();
                        if r.needs_review {
                            item.tags.push(ItemTag::manual(NEEDS_REVIEW));
                        }
                        let (key, _) = super::import::plan_key(&item, &pattern, &taken, &mut suffixes, 0)?;
                        taken.insert(key.to_lowercase());
                        item.key = key.clone();
                        let id = item_rows::insert(w, &mut item)?;
                        let mut fp = Fingerprint::of(&item);
                        fp.id = Some(id);
                        index.add(fp);
                        keys.push(key.clone());
                        if let Some(c) = collection {
                            crate::store::collections::add_item(w, c, id)?;
                        }
                        (id, PdfOutcome::Added { key })
                    }
                };
                let aid = rows::add(w, item_id, &a)?;
                item_rows::touch_modified(w.conn(), item_id)?;
                if matches!(outcome, PdfOutcome::Attached { .. }) && a.kind == AttachmentKind::Stored {
                    if let Some(existing) = item_rows::load(w.conn(), item_id)? {
                        follow.item(w, &existing)?;
                    }
                }
                if a.fulltext == FulltextState::Indexed {
                    fulltext::replace(w.conn(), aid, &r.pages)?;
                }
                reports.push(PdfFileReport {
                    path: r.path.display().to_string(),
                    outcome,
                    fields: r.report_fields,
                    pages: r.page_count,
                    needs_review: r.needs_review,
                    notes: r.notes,
                });
            }
            Ok(reports)
        });
        if written.is_err() {
            follow.discard();
            for c in &copied {
                let _ = std::fs::remove_file(c);
            }
        }
        written
    }
}
