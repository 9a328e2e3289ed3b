//! Attachments and the file links of records (`format/filelinks.rs`): an import turns the
//! files a record names into linked attachments (relative paths are relative to the imported
//! file's folder); an export writes an item's attachments into the format's own fields (a
//! BibTeX `file` field in JabRef's form, RIS `L1` for PDFs and `L4` for other files), with
//! paths relative to the exported file's folder when the file lies inside it.
//!
//! Imported links are checked with one `stat` each, not read: a JabRef library with thousands
//! of PDFs imports at the speed of its text. The content hash and page count are filled in
//! when the file's full text is extracted. A link to a file that is not there (another
//! machine's path, a moved folder) is kept as a missing attachment, so `attachments
//! --missing` and Locate… can find it later.

use crate::format::filelinks::{self, FileLink};
use crate::format::Format;
use crate::model::{mime_of, Attachment, AttachmentKind, ExtraField, Item, Origin};
use std::io::Read;
use std::path::{Component, Path, PathBuf};

/// Whether `p` is absolute here or on Windows (`C:\…`, `C:/…`, `\\server\share`).
fn is_absolute_anywhere(p: &str) -> bool {
    let b = p.as_bytes();
    Path::new(p).is_absolute()
        || (b.len() >= 3 && b[0].is_ascii_alphabetic() && b[1] == b':' && (b[2] == b'\\' || b[2] == b'/'))
        || p.starts_with("\\\\")
}

/// `a/./b/../c` → `a/c` without touching the file system (the file may not exist).
fn normalize(p: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for c in p.components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir => {
                if !out.pop() {
                    out.push("..");
                }
            }
            c => out.push(c.as_os_str()),
        }
    }
    out
}

/// Where a link points on this machine: absolute paths as they are; relative ones against the
/// record's folder (else the base folder); Mendeley's paths without their leading `/` when
/// only that form exists.
fn locate(link: &FileLink, source_dir: Option<&Path>, base: Option<&Path>) -> PathBuf {
    if is_absolute_anywhere(&link.path) {
        return PathBuf::from(&link.path);
    }
    let rel = link.path.replace('\\', std::path::MAIN_SEPARATOR_STR);
    let joined = source_dir.or(base).map(|d| normalize(&d.join(&rel)));
    if let Some(j) = &joined {
        if j.exists() {
            return j.clone();
        }
    }
    let rooted = PathBuf::from(format!("/{rel}"));
    if cfg!(unix) && rooted.is_file() {
        return rooted;
    }
    joined.unwrap_or_else(|| PathBuf::from(rel))
}

/// The path recorded for a linked file at `abs`: relative to `base` when inside it.
fn recorded(abs: &Path, base: Option<&Path>) -> String {
    let real = std::fs::canonicalize(abs).unwrap_or_else(|_| abs.to_path_buf());
    if let Some(rel) = base.and_then(|b| real.strip_prefix(b).ok()) {
        return rel.to_string_lossy().into_owned();
    }
    real.to_string_lossy().into_owned()
}

/// The linked attachments an imported record's file links make (one `stat` and an 8-byte read
/// each; a missing file is kept with size 0). `source_dir` is the imported file's folder.
pub(crate) fn links_to_attachments(
    item: &Item,
    source_dir: Option<&Path>,
    base: Option<&Path>,
    now: &str,
) -> Vec<Attachment> {
    let mut out: Vec<Attachment> = Vec::new();
    for link in filelinks::links_of(item) {
        let abs = locate(&link, source_dir, base);
        let path = recorded(&abs, base);
        if path.is_empty() || out.iter().any(|a| a.path == path) {
            continue;
        }
        let title = abs
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| link.path.clone());
        let meta = std::fs::metadata(&abs).ok().filter(|m| m.is_file());
        let mut head = [0u8; 8];
        let got = match &meta {
            Some(_) => std::fs::File::open(&abs)
                .and_then(|mut f| f.read(&mut head))
                .unwrap_or(0),
            None => 0,
        };
        let mime = if meta.is_some() {
            mime_of(&title, &head[..got]).to_string()
        } else {
            mime_from_type(&link.file_type).unwrap_or_else(|| mime_of(&title, &[]).to_string())
        };
        out.push(Attachment {
            id: None,
            kind: AttachmentKind::Linked,
            path,
            title,
            mime,
            bytes: meta.map_or(0, |m| m.len()),
            sha256: String::new(),
            pages: None,
            fulltext: Default::default(),
            fulltext_error: None,
            added: now.to_string(),
        });
    }
    out
}

/// Each item's attachments with where their files are (those this machine can place), by
/// item id: what an export writes into file fields.
pub(crate) type FilesByItem = rustc_hash::FxHashMap<i64, Vec<(Attachment, PathBuf)>>;

impl super::Library {
    /// [`FilesByItem`] for the items not in the trash (one query; empty when nothing is
    /// attached).
    pub(crate) fn files_by_item(&self) -> crate::error::Result<FilesByItem> {
        let mut map = FilesByItem::default();
        let rows = crate::store::attachments::all(self.store.conn())?;
        if rows.is_empty() {
            return Ok(map);
        }
        let (files_dir, base) = (self.files_dir(), self.attachment_base()?);
        for (id, _, a) in rows {
            let file = match a.kind {
                AttachmentKind::Stored => files_dir.as_ref().map(|d| d.join(&a.path)),
                AttachmentKind::Linked if Path::new(&a.path).is_absolute() || is_absolute_anywhere(&a.path) => {
                    Some(PathBuf::from(&a.path))
                }
                AttachmentKind::Linked => base.as_ref().map(|b| b.join(&a.path)),
            };
            if let Some(f) = file {
                map.entry(id).or_default().push((a, f));
            }
        }
        Ok(map)
    }
}

/// A MIME type from a link's written type (`PDF`, `pdf`, `application/pdf`).
fn mime_from_type(t: &str) -> Option<String> {
    let t = t.trim();
    if t.contains('/') {
        return Some(t.to_ascii_lowercase());
    }
    let m = mime_of(&format!("x.{t}"), &[]);
    (m != "application/octet-stream").then(|| m.to_string())
}

/// A path as an export writes it: relative to the exported file's folder when inside it,
/// else absolute.
fn written_path(file: &Path, out_dir: Option<&Path>) -> String {
    if let Some(rel) = out_dir.and_then(|d| file.strip_prefix(d).ok()) {
        return rel.to_string_lossy().into_owned();
    }
    file.to_string_lossy().into_owned()
}

/// The item as an export in `format` writes it with its attachments (`files`: each
/// attachment and where its file is): the format's file fields replaced by the attachments'
/// paths. An item without attachments is left as it is (its file fields, if any, are what it
/// was imported with). A BibTeX `file` field that already says the same is kept as it is, so
/// an unedited entry is still copied as imported.
pub(crate) fn with_file_fields(
    item: &mut Item,
    files: &[(Attachment, PathBuf)],
    format: Format,
    out_dir: Option<&Path>,
) {
    if files.is_empty() {
        return;
    }
    let out_dir = out_dir.map(|d| std::fs::canonicalize(d).unwrap_or_else(|_| d.to_path_buf()));
    let links: Vec<FileLink> = files
        .iter()
        .map(|(a, p)| FileLink {
            path: written_path(p, out_dir.as_deref()),
            description: String::new(),
            file_type: filelinks::jabref_type(&a.mime),
            field: String::new(),
        })
        .collect();
    match format {
        Format::Bibtex | Format::Biblatex => {
            let text = filelinks::write_file_field(&links);
            if text.matches('{').count() != text.matches('}').count() {
                // A path with unbalanced braces cannot be one BibTeX value: the record keeps
                // what it had.
                return;
            }
            let value = format!("{{{text}}}");
            // A field naming the same paths in the same order stays as written (with its
            // descriptions and types).
            let same = item.extra_field("file").is_some_and(|v| {
                let written = filelinks::parse_file_field(&filelinks::bibtex_plain(v));
                written.len() == links.len() && written.iter().zip(&links).all(|(w, l)| w.path == l.path)
            });
            if same {
                return;
            }
            // BibDesk's own `bdsk-file-N` stay (BibDesk reads those); other link fields give
            // way to the one `file` field.
            item.extra
                .retain(|f| !filelinks::is_file_field(f) || f.name.to_ascii_lowercase().starts_with("bdsk-file-"));
            item.extra.push(ExtraField {
                name: "file".into(),
                value,
                origin: Origin::Bibtex,
            });
        }
        Format::Ris => {
            item.extra.retain(|f| !filelinks::is_file_field(f));
            for (l, (a, _)) in links.iter().zip(files) {
                item.extra.push(ExtraField {
                    name: if a.mime == "application/pdf" { "L1" } else { "L4" }.into(),
                    value: l.path.clone(),
                    origin: Origin::Ris,
                });
            }
        }
        _ => {}
    }
}

/// Take the links to a file named `file_name` out of the item's file fields (a detached
/// attachment must not come back with the next import or export); whether any was there.
pub(crate) fn remove_links_to(item: &mut Item, file_name: &str) -> bool {
    let names = |p: &str| {
        let p = p.replace('\\', "/");
        p.rsplit('/').next().is_some_and(|n| n == file_name)
    };
    let mut changed = false;
    let mut keep = Vec::with_capacity(item.extra.len());
    for mut f in std::mem::take(&mut item.extra) {
        if !filelinks::is_file_field(&f) {
            keep.push(f);
            continue;
        }
        if !filelinks::links_of_field(&f).iter().any(|l| names(&l.path)) {
            keep.push(f);
            continue;
        }
        changed = true;
        if f.name.eq_ignore_ascii_case("file") && f.origin == Origin::Bibtex {
            let rest: Vec<FileLink> = filelinks::parse_file_field(&filelinks::bibtex_plain(&f.value))
                .into_iter()
                .filter(|l| !names(&l.path))
                .collect();
            if !rest.is_empty() {
                f.value = format!("{{{}}}", filelinks::write_file_field(&rest));
                keep.push(f);
            }
        }
    }
    item.extra = keep;
    changed
}

#[cfg(test)]
mod tests {
    use super::*;

    fn item_with(fields: &[(&str, &str)]) -> Item {
        Item {
            extra: fields
                .iter()
                .map(|(n, v)| ExtraField {
                    name: n.to_string(),
                    value: v.to_string(),
                    origin: Origin::Bibtex,
                })
                .collect(),
            ..Default::default()
        }
    }

    #[test]
    fn links_resolve_against_the_records_folder_and_mendeleys_missing_slash() {
        let dir = tempfile::tempdir().unwrap();
        let bib_dir = dir.path().join("refs");
        std::fs::create_dir_all(bib_dir.join("pdfs")).unwrap();
        std::fs::write(bib_dir.join("pdfs/a.pdf"), b"%PDF-1.4 x").unwrap();
        let abs = dir.path().join("elsewhere.txt");
        std::fs::write(&abs, b"hello").unwrap();
        // Mendeley's macOS form: the absolute path without its leading slash.
        let mendeley = abs.to_string_lossy().trim_start_matches('/').to_string();
        let item = item_with(&[
            ("file", "{:pdfs/a.pdf:PDF;:pdfs/../pdfs/a.pdf:PDF}"),
            ("pdf", &format!("{{{mendeley}}}")),
            ("bdsk-url-1", "{https://doi.org/10.1/x}"),
            ("local-url", "{file:///nowhere/gone.djvu}"),
        ]);
        let got = links_to_attachments(&item, Some(&bib_dir), None, "2026-12-07T00:00:00Z");
        let real = |p: &Path| std::fs::canonicalize(p).unwrap().to_string_lossy().into_owned();
        assert_eq!(got.len(), 3, "{got:#?}");
        assert_eq!(got[0].path, real(&bib_dir.join("pdfs/a.pdf")));
        assert_eq!(
            (got[0].mime.as_str(), got[0].bytes, got[0].title.as_str()),
            ("application/pdf", 10, "a.pdf")
        );
        assert_eq!(got[1].path, real(&abs));
        assert_eq!((got[1].mime.as_str(), got[1].bytes), ("text/plain", 5));
        // Missing: kept with its path, size 0, its type from the name.
        assert_eq!(
            (got[2].path.as_str(), got[2].bytes, got[2].mime.as_str()),
            ("/nowhere/gone.djvu", 0, "image/vnd.djvu")
        );
        assert!(got.iter().all(|a| a.kind == AttachmentKind::Linked));
        // Inside the base folder: recorded relative to it.
        let base = std::fs::canonicalize(dir.path()).unwrap();
        let got = links_to_attachments(&item, Some(&bib_dir), Some(&base), "");
        assert_eq!(
            got[0].path,
            Path::new("refs").join("pdfs").join("a.pdf").to_string_lossy()
        );
    }

    #[test]
    fn a_detached_files_links_leave_the_record() {
        let mut it = item_with(&[
            ("file", "{:pdfs/a.pdf:PDF;:b.pdf:PDF}"),
            ("pdf", "{x/a.pdf}"),
            ("bdsk-file-1", "{YnBsaXN0}"),
        ]);
        assert!(remove_links_to(&mut it, "a.pdf"));
        let fields: Vec<_> = it.extra.iter().map(|f| (f.name.as_str(), f.value.as_str())).collect();
        assert_eq!(fields, [("file", "{:b.pdf:PDF}"), ("bdsk-file-1", "{YnBsaXN0}")]);
        assert!(!remove_links_to(&mut it, "a.pdf"));
        assert!(remove_links_to(&mut it, "b.pdf"));
        assert_eq!(it.extra.len(), 1);
    }

    #[test]
    fn exports_write_attachments_into_the_formats_fields() {
        let dir = tempfile::tempdir().unwrap();
        let out = std::fs::canonicalize(dir.path()).unwrap();
        let pdf = Attachment {
            mime: "application/pdf".into(),
            ..Default::default()
        };
        let html = Attachment {
            mime: "text/html".into(),
            ..Default::default()
        };
        let files = vec![(pdf, out.join("pdfs/a.pdf")), (html, PathBuf::from("/srv/x:y.html"))];
        let mut it = item_with(&[
            ("file", "{:old.pdf:PDF}"),
            ("bdsk-file-1", "{YnBsaXN0}"),
            ("note2", "{n}"),
        ]);
        with_file_fields(&mut it, &files, Format::Bibtex, Some(&out));
        let names: Vec<_> = it.extra.iter().map(|f| f.name.as_str()).collect();
        assert_eq!(names, ["bdsk-file-1", "note2", "file"]);
        assert_eq!(it.extra_field("file"), Some("{:pdfs/a.pdf:PDF;:/srv/x\\:y.html:HTML}"));
        // The same field again: the item is not changed (an unedited entry stays verbatim).
        let mut same = item_with(&[("file", "{:pdfs/a.pdf:PDF;:/srv/x\\:y.html:HTML}")]);
        let before = same.clone();
        with_file_fields(&mut same, &files, Format::Biblatex, Some(&out));
        assert_eq!(same, before);
        let mut ris = item_with(&[("file", "{:old.pdf:PDF}")]);
        with_file_fields(&mut ris, &files, Format::Ris, None);
        let fields: Vec<_> = ris.extra.iter().map(|f| (f.name.as_str(), f.value.as_str())).collect();
        assert_eq!(
            fields,
            [
                ("L1", out.join("pdfs/a.pdf").to_str().unwrap()),
                ("L4", "/srv/x:y.html")
            ]
        );
        // No attachments: nothing changes.
        let mut none = item_with(&[("file", "{:old.pdf:PDF}")]);
        with_file_fields(&mut none, &[], Format::Bibtex, None);
        assert_eq!(none.extra_field("file"), Some("{:old.pdf:PDF}"));
    }
}
