//! Attachments: files kept with an item. A *stored* file is copied into the library's files
//! folder (`<library>.files/` beside the library file, which Folio owns) under a name made from
//! the item ("Steen 2021 - Co-production and public value.pdf"); a *linked* file stays where the
//! user keeps it, recorded relative to the base folder setting when it lies inside it (so a
//! synced or git folder works on several machines), else by its absolute path.
//!
//! Attaching and detaching are undoable actions of the item. Trashing an item keeps its files
//! (restoring it brings them back); emptying the trash deletes the stored files no attachment
//! refers to any more (those of the items removed, and detached ones). A linked file is never
//! moved or deleted.

use super::files::open_regular;
use super::Library;
use crate::error::{Error, Result};
use crate::model::{mime_of, Attachment, AttachmentKind, Item};
use crate::store::{attachments as rows, items as item_rows, meta};
use sha2::{Digest, Sha256};
use std::io::Read;
use std::path::{Path, PathBuf};

/// The library setting: the folder linked files are recorded relative to.
pub const BASE_FOLDER: &str = "attachments.base";

/// An attachment where it is on this machine.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AttachedFile {
    /// The item's citation key.
    pub key: String,
    pub attachment: Attachment,
    /// The file's full path (`None` for a stored file of a library without a files folder).
    pub file: Option<PathBuf>,
    /// The file is not there (moved, deleted, a base folder not set up on this machine).
    pub missing: bool,
}

/// How to attach.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum AttachMode {
    /// Copy into the library's files folder.
    #[default]
    Store,
    /// Leave the file where it is.
    Link,
}

/// What a file is, read once: size, SHA-256, MIME type.
pub(super) struct Probe {
    pub(super) bytes: u64,
    pub(super) sha256: String,
    pub(super) mime: &'static str,
}

pub(super) fn probe(path: &Path) -> Result<Probe> {
    let (f, _) = open_regular(path)?;
    let mut r = Hashing::new(f);
    std::io::copy(&mut r, &mut std::io::sink()).map_err(|e| Error::io(path, e))?;
    Ok(r.finish(path))
}

/// A reader that hashes what passes through it and keeps its first bytes (for the MIME
/// type): a file is read once whether it is only probed or also copied.
struct Hashing<R> {
    inner: R,
    hash: Sha256,
    head: Vec<u8>,
    total: u64,
}

impl<R: Read> Hashing<R> {
    fn new(inner: R) -> Self {
        Hashing {
            inner,
            hash: Sha256::new(),
            head: Vec::new(),
            total: 0,
        }
    }

    fn finish(self, path: &Path) -> Probe {
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        Probe {
            bytes: self.total,
            sha256: self.hash.finalize().iter().map(|b| format!("{b:02x}")).collect(),
            mime: mime_of(&name, &self.head),
        }
    }
}

impl<R: Read> Read for Hashing<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        if self.head.len() < 8 {
            self.head.extend_from_slice(&buf[..n.min(8 - self.head.len())]);
        }
        self.hash.update(&buf[..n]);
        self.total += n as u64;
        Ok(n)
    }
}

/// Copy `src` into a temporary file in `dir`, hashing it on the way (one read of the file):
/// what it is and the copy, to be given its name by [`place_copy`].
pub(super) fn copy_hashing(src: &Path, dir: &Path) -> Result<(Probe, tempfile::NamedTempFile)> {
    std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
    let mut tmp = tempfile::Builder::new()
        .prefix(".folio-attach-")
        .tempfile_in(dir)
        .map_err(|e| Error::io(dir, e))?;
    let (from, _) = open_regular(src)?;
    let mut r = Hashing::new(from);
    std::io::copy(&mut r, tmp.as_file_mut()).map_err(|e| Error::io(src, e))?;
    // The copy gets the original's permissions (a temporary file is private).
    if let Ok(m) = std::fs::metadata(src) {
        let _ = tmp.as_file().set_permissions(m.permissions());
    }
    tmp.as_file().sync_all().map_err(|e| Error::io(dir, e))?;
    Ok((r.finish(src), tmp))
}

/// Characters no file system takes in a name (and control characters).
fn clean_name_part(s: &str) -> String {
    let mut out = String::new();
    for c in s.chars() {
        match c {
            '/' | '\\' | ':' | '*' | '?' | '"' | '<' | '>' | '|' => out.push(' '),
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
    let collapsed = out.split_whitespace().collect::<Vec<_>>().join(" ");
    collapsed.trim_matches(['.', ' ']).to_string()
}

/// The library setting: the pattern stored files are named by.
pub const NAME_PATTERN: &str = "attachments.pattern";
/// "Steen 2021 - Co-production and public value.pdf".
pub const DEFAULT_NAME_PATTERN: &str = "[auth] [year] - [title]";

/// Cut at a word near `max` characters.
fn cut_words(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        return s.to_string();
    }
    let cut: String = s.chars().take(max).collect();
    match cut.rfind(' ') {
        Some(i) if i > max / 2 => cut[..i].to_string(),
        _ => cut,
    }
}

/// "Steen 2021 - Co-production and public value" (the stored file's name without extension)
/// by the default pattern.
pub fn stored_stem(item: &Item) -> String {
    stored_stem_with(item, DEFAULT_NAME_PATTERN)
}

/// A stored file's name (without extension) by a pattern: `[auth]` (first creator's family
/// name), `[authors]` ("Steen & Jaspers", "Flores et al."), `[year]`, `[title]` (with its
/// subtitle, cut at a word near 80 characters), `[shorttitle]` (its first three words),
/// `[key]`, and any other text as it is. Separators left dangling by an empty part are
/// dropped; a name left empty is the citation key. Characters no file system takes are
/// replaced by spaces; case and accents are kept.
pub fn stored_stem_with(item: &Item, pattern: &str) -> String {
    let mut out = String::new();
    let mut rest = pattern;
    while let Some(open) = rest.find('[') {
        out.push_str(&rest[..open]);
        let Some(close) = rest[open..].find(']') else {
            out.push_str(&rest[open..]);
            rest = "";
            break;
        };
        let token = &rest[open + 1..open + close];
        let value = match token.to_ascii_lowercase().as_str() {
            "auth" => item
                .creators
                .first()
                .map(|c| c.family_with_particle())
                .unwrap_or_default(),
            "authors" => item.creator_summary(),
            "year" => item.date.year.map(|y| y.to_string()).unwrap_or_default(),
            "title" => cut_words(&item.full_title(), 80),
            "shorttitle" => item.title.split_whitespace().take(3).collect::<Vec<_>>().join(" "),
            "key" => item.key.clone(),
            _ => rest[open..open + close + 1].to_string(),
        };
        out.push_str(&clean_name_part(&value));
        rest = &rest[open + close + 1..];
    }
    out.push_str(rest);
    // " - " between an empty part and the next, or at an end, goes.
    let mut name = clean_name_part(&out);
    loop {
        let before = name.clone();
        name = name.replace(" -  - ", " - ").replace("- -", "-");
        name = name
            .trim_matches(|c: char| c == ' ' || c == '-' || c == '_' || c == ',' || c == '.')
            .to_string();
        if name == before {
            break;
        }
    }
    if name.is_empty() {
        clean_name_part(&item.key)
    } else {
        name
    }
}

impl Library {
    /// The folder stored attachments live in: `<library stem>.files` beside the library file
    /// (`None` for a library in memory).
    pub fn files_dir(&self) -> Option<PathBuf> {
        let path = self.store.path()?;
        let stem = path.file_stem()?.to_string_lossy().into_owned();
        Some(path.with_file_name(format!("{stem}.files")))
    }

    /// The folder linked files are recorded relative to, when set.
    pub fn attachment_base(&self) -> Result<Option<PathBuf>> {
        Ok(meta::get(self.store.conn(), BASE_FOLDER)?
            .filter(|s| !s.is_empty())
            .map(PathBuf::from))
    }

    /// Set (or clear) the base folder of linked files: one undoable action. Attachments already
    /// linked keep their recorded paths.
    pub fn set_attachment_base(&mut self, folder: Option<&Path>) -> Result<()> {
        let value = match folder {
            None => None,
            Some(f) => {
                let abs = std::fs::canonicalize(f).map_err(|e| Error::io(f, e))?;
                if !abs.is_dir() {
                    return Err(Error::InvalidInput(format!("{}: not a folder", f.display())));
                }
                Some(abs.to_string_lossy().into_owned())
            }
        };
        self.store.write("Set the attachments' base folder", |w| {
            meta::set(w, BASE_FOLDER, value.as_deref())
        })
    }

    /// Where an attachment's file is on this machine.
    pub fn attachment_file(&self, a: &Attachment) -> Result<Option<PathBuf>> {
        Ok(match a.kind {
            AttachmentKind::Stored => self.files_dir().map(|d| d.join(&a.path)),
            AttachmentKind::Linked => {
                let p = PathBuf::from(&a.path);
                if p.is_absolute() {
                    Some(p)
                } else {
                    self.attachment_base()?.map(|b| b.join(p))
                }
            }
        })
    }

    fn attached_file(&self, key: &str, a: Attachment) -> Result<AttachedFile> {
        let file = self.attachment_file(&a)?;
        let missing = file.as_deref().is_none_or(|f| !f.is_file());
        Ok(AttachedFile {
            key: key.to_string(),
            attachment: a,
            file,
            missing,
        })
    }

    /// An item's attachments, each with its file and whether it is missing.
    pub fn attachments(&self, key: &str) -> Result<Vec<AttachedFile>> {
        let id = self.id_of(key)?;
        rows::of_item(self.store.conn(), id)?
            .into_iter()
            .map(|a| self.attached_file(key, a))
            .collect()
    }

    /// The attachments of the item with id `id`.
    pub fn attachments_of(&self, id: crate::model::ItemId) -> Result<Vec<AttachedFile>> {
        let list = rows::of_item(self.store.conn(), id)?;
        if list.is_empty() {
            return Ok(Vec::new());
        }
        let key = self.get_by_id(id)?.key;
        list.into_iter().map(|a| self.attached_file(&key, a)).collect()
    }

    /// One attachment by id, with its item.
    pub fn attachment_by_id(&self, id: i64) -> Result<Option<(Item, AttachedFile)>> {
        let Some((item_id, a)) = rows::get(self.store.conn(), id)? else {
            return Ok(None);
        };
        let item = self.get_by_id(item_id)?;
        let f = self.attached_file(&item.key, a)?;
        Ok(Some((item, f)))
    }

    /// Every attachment of the items not in the trash, in item order.
    pub fn all_attachments(&self) -> Result<Vec<AttachedFile>> {
        rows::all(self.store.conn())?
            .into_iter()
            .map(|(_, key, a)| self.attached_file(&key, a))
            .collect()
    }

    /// Attach files to the item `key`: copies into the files folder ([`AttachMode::Store`]) or
    /// links ([`AttachMode::Link`]). One undoable action for all of them; a file that cannot
    /// be read fails the action before anything is written (copies already made are removed).
    pub fn attach(&mut self, key: &str, files: &[PathBuf], mode: AttachMode) -> Result<Vec<Attachment>> {
        if files.is_empty() {
            return Err(Error::InvalidInput("no file to attach".into()));
        }
        let id = self.id_of(key)?;
        let item = self.get_by_id(id)?;
        let base = self.attachment_base()?;
        let now = crate::text::now_rfc3339();
        let mut prepared: Vec<Attachment> = Vec::new();
        let mut copied: Vec<PathBuf> = Vec::new();
        let result = (|| -> Result<()> {
            for f in files {
                let title = f
                    .file_name()
                    .map(|n| n.to_string_lossy().into_owned())
                    .unwrap_or_default();
                let (p, path) = match mode {
                    AttachMode::Store => {
                        let dir = self.files_dir().ok_or_else(|| {
                            Error::InvalidInput("a library in memory has no files folder: attach with --link".into())
                        })?;
                        let (p, name, made) = self.store_copy(f, &dir, &item, &title)?;
                        if made {
                            copied.push(dir.join(&name));
                        }
                        (p, name)
                    }
                    AttachMode::Link => (probe(f)?, linked_path(f, base.as_deref())?),
                };
                prepared.push(Attachment {
                    id: None,
                    kind: match mode {
                        AttachMode::Store => AttachmentKind::Stored,
                        AttachMode::Link => AttachmentKind::Linked,
                    },
                    path,
                    title,
                    mime: p.mime.to_string(),
                    bytes: p.bytes,
                    sha256: p.sha256,
                    pages: None,
                    fulltext: Default::default(),
                    fulltext_error: None,
                    added: now.clone(),
                });
            }
            Ok(())
        })();
        let written = result.and_then(|()| {
            let label = match prepared.as_slice() {
                [one] => format!("Attach {} to {key}", one.title),
                many => format!("Attach {} files to {key}", many.len()),
            };
            self.store.write(&label, |w| {
                let mut out = Vec::new();
                for a in &prepared {
                    let new_id = rows::add(w, id, a)?;
                    item_rows::touch_modified(w.conn(), id)?;
                    out.push(Attachment {
                        id: Some(new_id),
                        ..a.clone()
                    });
                }
                Ok(out)
            })
        });
        if written.is_err() {
            for c in &copied {
                let _ = std::fs::remove_file(c);
            }
        }
        written
    }

    /// Copy `src` into the files folder under the item's name, hashing it on the way (the same
    /// content already there under that name is reused): what the file is, the name used, and
    /// whether the file was made now (and is to be removed again if the action fails).
    pub(super) fn store_copy(&self, src: &Path, dir: &Path, item: &Item, title: &str) -> Result<(Probe, String, bool)> {
        let stem = stored_stem_with(item, &self.attachment_name_pattern()?);
        let (p, tmp) = copy_hashing(src, dir)?;
        let (name, made) = place_copy(tmp, dir, &stem, &extension_of(title), &p.sha256)?;
        Ok((p, name, made))
    }

    /// Detach the item's attachment that `which` names (its id, file name, title or recorded
    /// path): one undoable action. Its file is not touched (a stored copy is deleted when the
    /// trash is emptied and nothing refers to it).
    pub fn detach(&mut self, key: &str, which: &str) -> Result<Attachment> {
        let id = self.id_of(key)?;
        let list = rows::of_item(self.store.conn(), id)?;
        let found = pick(&list, key, which)?.clone();
        let aid = found.id.unwrap_or(0);
        let file_name = Path::new(&found.path)
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let mut item = self.get_by_id(id)?;
        let unlinked = super::filelinks::remove_links_to(&mut item, &file_name);
        self.store.write(&format!("Detach {} from {key}", found.title), |w| {
            rows::remove(w, id, aid)?;
            if unlinked {
                // The record's own file field named it: it goes too (else an export would
                // write the file back).
                item_rows::update(w, &mut item)
            } else {
                item_rows::touch_modified(w.conn(), id)
            }
        })?;
        Ok(found)
    }
}

/// The attachment of `list` (the item `key`'s) that `which` names: its id, recorded path,
/// title, or file name.
pub(super) fn pick<'a>(list: &'a [Attachment], key: &str, which: &str) -> Result<&'a Attachment> {
    let w = which.trim();
    list.iter()
        .find(|a| a.id.is_some_and(|i| i.to_string() == w))
        .or_else(|| list.iter().find(|a| a.path == w || a.title == w))
        .or_else(|| {
            let name = Path::new(w).file_name()?.to_string_lossy().into_owned();
            list.iter().find(|a| {
                Path::new(&a.path)
                    .file_name()
                    .is_some_and(|n| n.to_string_lossy() == name)
                    || a.title == name
            })
        })
        .ok_or_else(|| {
            Error::NotFound(format!(
                "{key} has no attachment {w:?} (it has: {})",
                if list.is_empty() {
                    "none".to_string()
                } else {
                    list.iter().map(|a| a.title.as_str()).collect::<Vec<_>>().join(", ")
                }
            ))
        })
}

/// The free name for content `sha256` in the files folder `dir`: `stem` + `ext`, else
/// `stem (n)` + `ext`; a name already holding the same content is reused. The name and whether
/// it is taken already (by that content).
fn free_name(dir: &Path, stem: &str, ext: &str, sha256: &str) -> Result<(String, bool)> {
    for n in 1..1000 {
        let name = if n == 1 {
            format!("{stem}{ext}")
        } else {
            format!("{stem} ({n}){ext}")
        };
        let target = dir.join(&name);
        if target.exists() {
            if !sha256.is_empty() && probe(&target).is_ok_and(|t| t.sha256 == sha256) {
                return Ok((name, true));
            }
            continue;
        }
        return Ok((name, false));
    }
    Err(Error::InvalidInput(format!(
        "{}: a thousand files named {stem}{ext} are there already",
        dir.display()
    )))
}

/// Give a copy made by [`copy_hashing`] its name in the files folder (see [`free_name`]; no
/// half file ever has the name). The name, and whether a file was made.
pub(super) fn place_copy(
    tmp: tempfile::NamedTempFile,
    dir: &Path,
    stem: &str,
    ext: &str,
    sha256: &str,
) -> Result<(String, bool)> {
    let (name, there) = free_name(dir, stem, ext, sha256)?;
    if there {
        return Ok((name, false));
    }
    let target = dir.join(&name);
    tmp.persist_noclobber(&target)
        .map_err(|e| Error::io(&target, e.error))?;
    Ok((name, true))
}

/// Give the file `src` (content `sha256`) a free name in the files folder `dir` (see
/// [`free_name`]): a copy, or with `link` a hard link (a copy where the file system has none).
/// The name, and whether a file was made.
pub(super) fn place_in(
    src: &Path,
    dir: &Path,
    stem: &str,
    ext: &str,
    sha256: &str,
    link: bool,
) -> Result<(String, bool)> {
    let (name, there) = free_name(dir, stem, ext, sha256)?;
    if there {
        return Ok((name, false));
    }
    if link && std::fs::hard_link(src, dir.join(&name)).is_ok() {
        return Ok((name, true));
    }
    let (_, tmp) = copy_hashing(src, dir)?;
    place_copy(tmp, dir, stem, ext, sha256)
}

/// A file name's extension as stored files get it (`.pdf`), empty when none.
pub(super) fn extension_of(name: &str) -> String {
    Path::new(name)
        .extension()
        .map(|e| format!(".{}", clean_name_part(&e.to_string_lossy()).to_ascii_lowercase()))
        .unwrap_or_default()
}

/// A linked file's recorded path: relative to `base` when inside it, else absolute.
pub(super) fn linked_path(f: &Path, base: Option<&Path>) -> Result<String> {
    let abs = std::fs::canonicalize(f).map_err(|e| Error::io(f, e))?;
    if let Some(rel) = base.and_then(|b| abs.strip_prefix(b).ok()) {
        return Ok(rel.to_string_lossy().into_owned());
    }
    Ok(abs.to_string_lossy().into_owned())
}

/// An attachment's bytes, at most `limit` (a regular file only); the desktop's built-in PDF
/// viewer reads a file through it.
pub fn read_attachment(path: &Path, limit: u64) -> Result<Vec<u8>> {
    super::files::read_regular(path, limit, "an attachment shown in the viewer")
}

/// An attachment's file opened for reading, with its length (a regular file only: a folder,
/// FIFO or device is refused without blocking on it). The local API streams it from here.
pub fn open_attachment(path: &Path) -> Result<(std::fs::File, u64)> {
    let (f, meta) = open_regular(path)?;
    Ok((f, meta.len()))
}
