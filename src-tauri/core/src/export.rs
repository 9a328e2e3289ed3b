//! Use case: export a selection of the library to BibTeX, BibLaTeX, RIS or Folio JSON, written
//! atomically (temporary file in the target folder, then rename).

use crate::error::{Diagnostic, Error, Result};
use crate::format::{self, bibtex, ris, Format};
use crate::library::Library;
use crate::model::Item;
use crate::store::search::{Filter, Sort, SortColumn};
use std::io::Write;
use std::path::Path;

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

    /// Render items in a format.
    pub fn render(&self, items: &[Item], opts: &ExportOptions) -> Result<format::Written> {
        let extras = match opts.format {
            Format::Bibtex | Format::Biblatex => self.bib_extras()?,
            _ => format::BibExtras::default(),
        };
        self.render_with(items, opts, &extras)
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
            Format::ResultsText => {
                return Err(Error::InvalidInput(
                    "search-results text can be imported, not exported".into(),
                ))
            }
        })
    }

    /// Export a selection to text.
    pub fn export_text(&self, sel: &Selection, opts: &ExportOptions) -> Result<(String, ExportReport)> {
        if sel.keys.is_empty() && matches!(opts.format, Format::Bibtex | Format::Biblatex | Format::Ris) {
            return self.export_streaming(&sel.filter, opts);
        }
        let items = self.select(sel)?;
        let w = self.render(&items, opts)?;
        Ok((
            w.text,
            ExportReport {
                items: items.len(),
                written: false,
                diagnostics: w.diagnostics,
            },
        ))
    }

    /// Export the items of a filter a few hundred at a time, in storage order (the writers sort
    /// by key at the end), so a 100k-item export never holds 100k items.
    fn export_streaming(&self, filter: &Filter, opts: &ExportOptions) -> Result<(String, ExportReport)> {
        let mut ids = self.ids(
            filter,
            Sort {
                column: SortColumn::Key,
                descending: false,
            },
        )?;
        ids.sort_unstable();
        let written = match opts.format {
            Format::Ris => {
                let mut w = ris::RisWriter::new(&ris::RisWriteOptions {
                    omit_fields: opts.omit_fields.clone(),
                });
                self.feed(&ids, &mut w)?;
                w.finish(true)
            }
            _ => {
                let extras = self.bib_extras()?;
                let mut w = bibtex::BibWriter::new(&extras, &bib_options(opts));
                self.feed(&ids, &mut w)?;
                w.finish()
            }
        };
        Ok((
            written.text,
            ExportReport {
                items: ids.len(),
                written: false,
                diagnostics: written.diagnostics,
            },
        ))
    }

    /// Hand the items `ids` (in id order) to an incremental writer, a chunk at a time: records
    /// still as imported are copied from the table, only the rest are loaded.
    fn feed(&self, ids: &[i64], w: &mut dyn EntryWriter) -> Result<()> {
        let conn = self.store.conn();
        for chunk in ids.chunks(crate::store::items::LOAD_CHUNK) {
            let mut copied = std::collections::HashSet::new();
            for (id, key, text) in crate::store::items::current_sources(conn, chunk, w.source_format())? {
                if w.add_source(&key, &text) {
                    copied.insert(id);
                }
            }
            let rest: Vec<i64> = chunk.iter().copied().filter(|id| !copied.contains(id)).collect();
            for it in crate::store::items::load_chunk(conn, &rest)? {
                w.add(&it);
            }
        }
        Ok(())
    }

    /// Export a selection to a file, atomically and only if its content changed.
    pub fn export_file(&self, sel: &Selection, opts: &ExportOptions, path: &Path) -> Result<ExportReport> {
        let (text, mut report) = self.export_text(sel, opts)?;
        report.written = write_atomic_if_changed(path, text.as_bytes())?;
        Ok(report)
    }
}

/// The incremental writers, as [`Library::feed`] drives them.
trait EntryWriter {
    /// The source format whose records this writer may copy.
    fn source_format(&self) -> &'static str;
    fn add_source(&mut self, key: &str, text: &str) -> bool;
    fn add(&mut self, item: &Item);
}

impl EntryWriter for bibtex::BibWriter<'_> {
    fn source_format(&self) -> &'static str {
        "bibtex"
    }
    fn add_source(&mut self, key: &str, text: &str) -> bool {
        bibtex::BibWriter::add_source(self, key, text)
    }
    fn add(&mut self, item: &Item) {
        bibtex::BibWriter::add(self, item)
    }
}

impl EntryWriter for ris::RisWriter {
    fn source_format(&self) -> &'static str {
        "ris"
    }
    fn add_source(&mut self, key: &str, text: &str) -> bool {
        ris::RisWriter::add_source(self, key, text)
    }
    fn add(&mut self, item: &Item) {
        ris::RisWriter::add(self, item)
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
/// already there. Returns whether it wrote.
pub fn write_atomic_if_changed(path: &Path, bytes: &[u8]) -> Result<bool> {
    if let Ok(old) = std::fs::read(path) {
        if old == bytes {
            return Ok(false);
        }
    }
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    if !dir.is_dir() {
        return Err(Error::io(
            dir,
            std::io::Error::new(std::io::ErrorKind::NotFound, "the target folder does not exist"),
        ));
    }
    let mut tmp = tempfile::Builder::new()
        .prefix(".folio-export-")
        .tempfile_in(dir)
        .map_err(|e| Error::io(dir, e))?;
    tmp.write_all(bytes).map_err(|e| Error::io(path, e))?;
    tmp.as_file().sync_all().map_err(|e| Error::io(path, e))?;
    tmp.persist(path).map_err(|e| Error::io(path, e.error))?;
    Ok(true)
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
}
