//! Use case: the full text of attachments. Extraction runs file by file outside any
//! transaction (a PDF in a worker process with time and memory limits: `crate::pdf`); each
//! file's pages are then written in one short transaction with its state, so an interrupted
//! run resumes where it stopped (the states still `pending`). A file is read again only when
//! it changed: its size differs from the recorded one, or (with `recheck`) its SHA-256 does.
//! Search: `fulltext:"…"` and the "everything" mode (`query.rs`); [`Library::fulltext_hits`]
//! says which attachment and page matched, with a snippet.

use super::attachments::probe;
use super::Library;
use crate::error::{Error, Result};
use crate::model::{Attachment, FulltextState};
use crate::store::{attachments as rows, fulltext};
use std::path::Path;

/// How to run an indexing pass.
#[derive(Debug, Clone, Default)]
pub struct FulltextOptions {
    /// Hash every indexed file again and re-extract those whose content changed (else only
    /// files whose size changed are).
    pub recheck: bool,
    /// Stop after this many files (the rest stay pending).
    pub limit: Option<usize>,
}

/// Where a pass stands: before each file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FulltextProgress {
    pub done: usize,
    pub total: usize,
    /// The file about to be read.
    pub title: String,
}

/// What a pass did.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct FulltextReport {
    pub indexed: usize,
    /// Files with no text to index (not a text format, a scan).
    pub no_text: usize,
    pub failed: usize,
    /// Unchanged since their last extraction.
    pub unchanged: usize,
    /// Files not found (left pending).
    pub missing: usize,
    pub pages: usize,
    /// `(attachment title, reason)` of each failure.
    pub failures: Vec<(String, String)>,
    /// The pass was cancelled (what was done is kept).
    pub cancelled: bool,
}

/// The index's state over the library.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct FulltextStatus {
    pub attachments: usize,
    pub pending: usize,
    pub indexed: usize,
    pub no_text: usize,
    pub failed: usize,
    pub pages: i64,
    pub text_bytes: i64,
}

/// A page of an item's attachment that matched a search.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct FulltextHit {
    pub attachment: i64,
    /// The attachment's title (its file name as attached).
    pub title: String,
    /// 1-based, as a viewer shows it.
    pub page: u32,
    /// Text around the match, the matched words in `[` `]`.
    pub snippet: String,
}

/// What extraction found in one file.
enum Extracted {
    Pages { pages: Vec<String>, page_count: u32 },
    NoText(String),
    Failed(String),
}

/// Text files larger than this are indexed up to it.
const MAX_TEXT_BYTES: u64 = 64 << 20;

/// Extract a file's text by its type.
fn extract(path: &Path, mime: &str, worker: &crate::pdf::Worker) -> Extracted {
    match mime {
        "application/pdf" => extract_pdf(path, worker),
        "text/plain" | "text/markdown" | "text/html" => match read_text(path) {
            Ok(t) => {
                let text = if mime == "text/html" { strip_tags(&t) } else { t };
                // pdftotext and friends separate pages with form feeds.
                let pages: Vec<String> = text.split('\u{c}').map(str::to_string).collect();
                let page_count = pages.len() as u32;
                if pages.iter().all(|p| p.trim().is_empty()) {
                    Extracted::NoText("the file is empty".into())
                } else {
                    Extracted::Pages { pages, page_count }
                }
            }
            Err(e) => Extracted::Failed(e.to_string()),
        },
        other => Extracted::NoText(format!("no text is read from {other} files")),
    }
}

fn read_text(path: &Path) -> Result<String> {
    let (f, _) = super::files::open_regular(path)?;
    let mut bytes = Vec::new();
    use std::io::Read;
    f.take(MAX_TEXT_BYTES)
        .read_to_end(&mut bytes)
        .map_err(|e| Error::io(path, e))?;
    Ok(match String::from_utf8(bytes) {
        Ok(s) => s,
        Err(e) => encoding_rs::WINDOWS_1252.decode(e.as_bytes()).0.into_owned(),
    })
}

/// The text of an HTML page: tags, scripts and styles left out, entities for the common
/// characters read.
fn strip_tags(html: &str) -> String {
    let mut out = String::with_capacity(html.len() / 2);
    let lower = html.to_ascii_lowercase();
    let mut i = 0;
    while i < html.len() {
        let rest = &lower[i..];
        if rest.starts_with("<script") || rest.starts_with("<style") {
            let close = if rest.starts_with("<script") {
                "</script>"
            } else {
                "</style>"
            };
            i += rest.find(close).map_or(rest.len(), |e| e + close.len());
            out.push(' ');
        } else if rest.starts_with('<') {
            i += rest.find('>').map_or(rest.len(), |e| e + 1);
            out.push(' ');
        } else {
            let end = rest.find('<').unwrap_or(rest.len());
            out.push_str(&html[i..i + end]);
            i += end;
        }
    }
    out.replace("&nbsp;", " ")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&amp;", "&")
}

/// A PDF's pages, read in the worker process (time and memory limits; a crash takes only
/// the worker).
fn extract_pdf(path: &Path, worker: &crate::pdf::Worker) -> Extracted {
    match crate::pdf::read_isolated(path, &crate::pdf::Limits::default(), worker) {
        Ok(doc) if doc.has_text() => Extracted::Pages {
            page_count: doc.page_count,
            pages: doc.pages,
        },
        Ok(_) => Extracted::NoText("the PDF has no text layer (a scan?)".into()),
        Err(e) => Extracted::Failed(e.to_string()),
    }
}

impl Library {
    /// Where the full-text index stands.
    pub fn fulltext_status(&self) -> Result<FulltextStatus> {
        let mut s = FulltextStatus::default();
        for (_, _, a) in rows::all(self.store.conn())? {
            s.attachments += 1;
            match a.fulltext {
                FulltextState::Pending => s.pending += 1,
                FulltextState::Indexed => s.indexed += 1,
                FulltextState::None => s.no_text += 1,
                FulltextState::Failed => s.failed += 1,
            }
        }
        (s.pages, s.text_bytes) = fulltext::totals(self.store.conn())?;
        Ok(s)
    }

    /// Extract and index the text of attachments that need it (see the module docs).
    /// `progress` is called before each file; returning `false` cancels the pass.
    pub fn index_fulltext(
        &mut self,
        opts: &FulltextOptions,
        progress: &mut dyn FnMut(&FulltextProgress) -> bool,
    ) -> Result<FulltextReport> {
        let mut report = FulltextReport::default();
        let mut todo: Vec<(Attachment, std::path::PathBuf, bool)> = Vec::new();
        for f in self.all_attachments()? {
            let Some(path) = f.file.clone().filter(|_| !f.missing) else {
                if f.attachment.fulltext == FulltextState::Pending {
                    report.missing += 1;
                }
                continue;
            };
            let a = f.attachment;
            let size_changed = std::fs::metadata(&path).is_ok_and(|m| m.len() != a.bytes);
            // Indexed but without pages: an undone "empty trash" brought the attachment back.
            let lost =
                a.fulltext == FulltextState::Indexed && !fulltext::has_pages(self.store.conn(), a.id.unwrap_or(0))?;
            if a.fulltext == FulltextState::Pending || size_changed || lost || a.sha256.is_empty() || opts.recheck {
                todo.push((a, path, lost));
            }
        }
        if let Some(n) = opts.limit {
            todo.truncate(n);
        }
        let total = todo.len();
        for (done, (a, path, lost)) in todo.into_iter().enumerate() {
            if !progress(&FulltextProgress {
                done,
                total,
                title: a.title.clone(),
            }) {
                report.cancelled = true;
                break;
            }
            self.index_one(&a, &path, lost, &mut report)?;
        }
        Ok(report)
    }

    /// Hash one file, extract its text when it changed, was never extracted or its pages are
    /// `lost`, and record it.
    fn index_one(&mut self, a: &Attachment, path: &Path, lost: bool, report: &mut FulltextReport) -> Result<()> {
        let id =
            a.id.ok_or_else(|| Error::NotFound("an attachment without an id".into()))?;
        let p = match probe(path) {
            Ok(p) => p,
            Err(e) => {
                report.failed += 1;
                report.failures.push((a.title.clone(), e.to_string()));
                return self
                    .store
                    .write_status(|c| rows::set_fulltext(c, id, FulltextState::Failed, None, Some(&e.to_string())));
            }
        };
        let unchanged = p.sha256 == a.sha256 && a.fulltext != FulltextState::Pending && !lost;
        if unchanged {
            report.unchanged += 1;
            return Ok(());
        }
        let mime = if a.mime.is_empty() || a.mime == "application/octet-stream" {
            p.mime.to_string()
        } else {
            a.mime.clone()
        };
        let extracted = extract(path, &mime, &self.pdf_worker()?);
        self.store.write_status(|c| {
            rows::set_content(c, id, p.bytes, &p.sha256)?;
            match &extracted {
                Extracted::Pages { pages, page_count } => {
                    fulltext::replace(c, id, pages)?;
                    rows::set_fulltext(c, id, FulltextState::Indexed, Some(*page_count), None)
                }
                Extracted::NoText(why) => {
                    fulltext::remove(c, id)?;
                    rows::set_fulltext(c, id, FulltextState::None, None, Some(why))
                }
                Extracted::Failed(why) => {
                    fulltext::remove(c, id)?;
                    rows::set_fulltext(c, id, FulltextState::Failed, None, Some(why))
                }
            }
        })?;
        match extracted {
            Extracted::Pages { pages, .. } => {
                report.indexed += 1;
                report.pages += pages.len();
            }
            Extracted::NoText(_) => report.no_text += 1,
            Extracted::Failed(why) => {
                report.failed += 1;
                report.failures.push((a.title.clone(), why));
            }
        }
        Ok(())
    }

    /// The indexed text of attachment `id`, page by page (pages without text left out):
    /// (1-based page, text).
    pub fn attachment_text(&self, id: i64) -> Result<Vec<(u32, String)>> {
        Ok(fulltext::pages_of(self.store.conn(), id)?
            .into_iter()
            .map(|(p, t)| (p + 1, t))
            .collect())
    }

    /// The pages of item `key`'s attachments that the full-text part of `query` matches
    /// (`fulltext:` terms; with `everything`, unfielded words too), at most 50.
    pub fn fulltext_hits(&self, key: &str, query: &str, everything: bool) -> Result<Vec<FulltextHit>> {
        let id = self.id_of(key)?;
        let q = if everything {
            crate::query::parse_everything(query)
        } else {
            crate::query::parse(query)
        }
        .map_err(|message| Error::InvalidQuery {
            query: query.to_string(),
            message,
        })?;
        let mut exprs = Vec::new();
        for t in q.clauses.iter().flatten() {
            if let crate::query::TermKind::Fulltext { words, phrase, .. } = &t.kind {
                if !t.negated {
                    exprs.push(crate::store::search::fts_expr_of(words, *phrase));
                }
            }
        }
        if exprs.is_empty() {
            return Ok(Vec::new());
        }
        let expr = exprs.join(" OR ");
        let titles: std::collections::HashMap<i64, String> = rows::of_item(self.store.conn(), id)?
            .into_iter()
            .filter_map(|a| Some((a.id?, a.title)))
            .collect();
        Ok(fulltext::hits(self.store.conn(), id, &expr, 50)?
            .into_iter()
            .map(|h| FulltextHit {
                title: titles.get(&h.attachment).cloned().unwrap_or_default(),
                attachment: h.attachment,
                page: h.page + 1,
                snippet: h.snippet,
            })
            .collect())
    }
}
