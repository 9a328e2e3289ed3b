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
    let (mut f, _) = open_regular(path)?;
    let mut hash = Sha256::new();
    let mut head = Vec::new();
    let mut buf = vec![0u8; 1 << 16];
    let mut total = 0u64;
    loop {
        let n = f.read(&mut buf).map_err(|e| Error::io(path, e))?;
        if n == 0 {
            break;
        }
        if head.len() < 8 {
            head.extend_from_slice(&buf[..n.min(8 - head.len())]);
        }
        hash.update(&buf[..n]);
        total += n as u64;
    }
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    Ok(Probe {
        bytes: total,
        sha256: hash.finalize().iter().map(|b| format!("{b:02x}")).collect(),
        mime: mime_of(&name, &head),
    })
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
                let p = probe(f)?;
                let title = f
                    .file_name()
                    .map(|n| n.to_string_lossy().into_owned())
                    .unwrap_or_default();
                let path = match mode {
                    AttachMode::Store => {
                        let dir = self.files_dir().ok_or_else(|| {
                            Error::InvalidInput("a library in memory has no files folder: attach with --link".into())
                        })?;
                        let (name, made) = self.store_copy(f, &dir, &item, &p, &title)?;
                        if made {
                            copied.push(dir.join(&name));
                        }
                        name
                    }
                    AttachMode::Link => linked_path(f, base.as_deref())?,
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

    /// Copy `src` into the files folder under the item's name (the same content already there
    /// under that name is reused); the name used, and whether the file was made now (and is
    /// to be removed again if the action fails).
    pub(super) fn store_copy(
        &self,
        src: &Path,
        dir: &Path,
        item: &Item,
        p: &Probe,
        title: &str,
    ) -> Result<(String, bool)> {
        std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
        let stem = stored_stem_with(item, &self.attachment_name_pattern()?);
        place_in(src, dir, &stem, &extension_of(title), &p.sha256, false)
    }

    /// Detach the item's attachment that `which` names (its id, file name, title or recorded
    /// path): one undoable action. Its file is not touched (a stored copy is deleted when the
    /// trash is emptied and nothing refers to it).
    pub fn detach(&mut self, key: &str, which: &str) -> Result<Attachment> {
        let id = self.id_of(key)?;
        let list = rows::of_item(self.store.conn(), id)?;
        let w = which.trim();
        let found = list
            .iter()
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
            .cloned()
            .ok_or_else(|| {
                Error::NotFound(format!(
                    "{key} has no attachment {w:?} (it has: {})",
                    if list.is_empty() {
                        "none".to_string()
                    } else {
                        list.iter().map(|a| a.title.as_str()).collect::<Vec<_>>().join(", ")
                    }
                ))
            })?;
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

    /// Delete the stored files no attachment refers to (after the trash was emptied); how many.
    /// Only regular files directly in the files folder are considered; Folio's temporary
    /// copies are left to their writers.
    pub(crate) fn delete_unreferenced_files(&self) -> Result<usize> {
        let Some(dir) = self.files_dir() else { return Ok(0) };
        let Ok(entries) = std::fs::read_dir(&dir) else {
            return Ok(0);
        };
        let keep = rows::stored_paths(self.store.conn())?;
        let mut n = 0;
        for e in entries.flatten() {
            let name = e.file_name().to_string_lossy().into_owned();
            if name.starts_with('.') || keep.contains(&name) || !e.file_type().is_ok_and(|t| t.is_file()) {
                continue;
            }
            if std::fs::remove_file(e.path()).is_ok() {
                n += 1;
            }
        }
        Ok(n)
    }
}

/// Give the file `src` (content `sha256`) a free name `stem` + `ext` (else `stem (n)` + `ext`) in
/// the files folder `dir`, reusing a name that already holds the same content: a copy (written
/// to a temporary file, then renamed, so no half file ever has the name), or with `link` a hard
/// link (a copy where the file system has none). The name, and whether a file was made.
pub(super) fn place_in(
    src: &Path,
    dir: &Path,
    stem: &str,
    ext: &str,
    sha256: &str,
    link: bool,
) -> Result<(String, bool)> {
    for n in 1..1000 {
        let name = if n == 1 {
            format!("{stem}{ext}")
        } else {
            format!("{stem} ({n}){ext}")
        };
        let target = dir.join(&name);
        if target.exists() {
            if !sha256.is_empty() && probe(&target).is_ok_and(|t| t.sha256 == sha256) {
                return Ok((name, false));
            }
            continue;
        }
        if link && std::fs::hard_link(src, &target).is_ok() {
            return Ok((name, true));
        }
        let mut tmp = tempfile::Builder::new()
            .prefix(".folio-attach-")
            .tempfile_in(dir)
            .map_err(|e| Error::io(dir, e))?;
        let (mut from, _) = open_regular(src)?;
        std::io::copy(&mut from, tmp.as_file_mut()).map_err(|e| Error::io(src, e))?;
        // The copy gets the original's permissions (a temporary file is private).
        if let Ok(m) = std::fs::metadata(src) {
            let _ = tmp.as_file().set_permissions(m.permissions());
        }
        tmp.as_file().sync_all().map_err(|e| Error::io(&target, e))?;
        tmp.persist_noclobber(&target)
            .map_err(|e| Error::io(&target, e.error))?;
        return Ok((name, true));
    }
    Err(Error::InvalidInput(format!(
        "{}: a thousand files named {stem}{ext} are there already",
        dir.display()
    )))
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

/// The content of an attachment's file, at most `limit` bytes (a regular file only; a bigger
/// file is refused with its path).
pub fn read_attachment(path: &Path, limit: u64) -> Result<Vec<u8>> {
    super::files::read_regular(path, limit, "an attachment sent over the local API")
}
