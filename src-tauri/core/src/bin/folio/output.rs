//! Printing: `--json` output (pretty-printed serde values, one per command) and the text view
//! of an item.

use anyhow::Result;
use folio::format::json::item_to_json;
use folio::model::Item;
use folio::Library;
use serde::Serialize;
use std::io::Write;

/// Print a value as pretty-printed JSON and a newline on standard output.
pub fn print_json<T: Serialize + ?Sized>(v: &T) -> Result<()> {
    let mut out = std::io::stdout().lock();
    serde_json::to_writer_pretty(&mut out, v)?;
    writeln!(out)?;
    Ok(())
}

/// `s` cut to `n` characters, the last one an ellipsis when it was longer.
pub fn truncate(s: &str, n: usize) -> String {
    if s.chars().count() <= n {
        s.to_string()
    } else {
        format!("{}…", s.chars().take(n - 1).collect::<String>())
    }
}

/// The JSON view of an item (Folio's own JSON), with the collections it is filed in.
pub fn item_json(lib: &Library, item: &Item) -> Result<serde_json::Value> {
    let cols = lib.collections_of(item.id.unwrap_or_default())?;
    let mut v = item_to_json(item, &cols);
    // Its attached files, when it has any.
    let files = lib.attachments_of(item.id.unwrap_or_default())?;
    if !files.is_empty() {
        let list: Vec<AttachmentJson> = files.iter().map(Into::into).collect();
        v["attachments"] = serde_json::to_value(list)?;
    }
    Ok(v)
}

/// The JSON views of the items with these ids, in order.
pub fn items_json_by_id(lib: &Library, ids: impl IntoIterator<Item = i64>) -> Result<Vec<serde_json::Value>> {
    ids.into_iter().map(|id| item_json(lib, &lib.get_by_id(id)?)).collect()
}

/// The text view of an item: its key and type, then one line per filled-in field.
pub fn print_item_text(lib: &Library, item: &Item) -> Result<()> {
    let mut o = std::io::stdout().lock();
    writeln!(o, "{} ({})", item.key, item.item_type)?;
    let line = |o: &mut std::io::StdoutLock, k: &str, v: &str| -> std::io::Result<()> {
        if !v.is_empty() {
            writeln!(o, "  {k:<11} {v}")?;
        }
        Ok(())
    };
    line(&mut o, "title", &item.full_title())?;
    for c in &item.creators {
        line(&mut o, c.role.as_str(), &c.display_inverted())?;
    }
    line(&mut o, "date", &item.date.iso())?;
    for f in folio::model::DETAIL_FIELDS.iter().copied() {
        line(&mut o, f, &item.get(f).unwrap_or_default())?;
    }
    line(&mut o, "access", &access_text(item))?;
    line(&mut o, "tags", &tags_text(item))?;
    line(
        &mut o,
        "collections",
        &lib.collections_of(item.id.unwrap_or_default())?.join("; "),
    )?;
    for s in item.r#abstract.sections() {
        if s.heading.is_empty() {
            line(&mut o, "abstract", &s.text)?;
        } else {
            writeln!(o, "  {}:\n    {}", s.heading, s.text)?;
        }
    }
    for f in &item.extra {
        line(&mut o, &f.name, &f.value)?;
    }
    if lib.is_in_trash(item.id.unwrap_or_default())? {
        writeln!(o, "  (in the trash)")?;
    }
    Ok(())
}

/// "restricted (from user)": the access status and where it came from.
fn access_text(item: &Item) -> String {
    format!(
        "{}{}",
        item.access.status,
        if item.access.source.is_empty() {
            String::new()
        } else {
            format!(" (from {})", item.access.source)
        }
    )
}

/// The item's tags, "; "-separated, those an import added marked "(imported)".
fn tags_text(item: &Item) -> String {
    let tags: Vec<String> = item
        .tags
        .iter()
        .map(|t| {
            if t.source == folio::model::TagSource::Import {
                format!("{} (imported)", t.name)
            } else {
                t.name.clone()
            }
        })
        .collect();
    tags.join("; ")
}

/// One attachment in `--json` output (also in `list --json` items).
#[derive(Serialize)]
pub struct AttachmentJson {
    pub key: String,
    pub id: Option<i64>,
    /// The file on this machine (the recorded path when it cannot be resolved).
    pub path: String,
    pub stored: bool,
    pub title: String,
    pub mime: String,
    pub bytes: u64,
    pub pages: Option<u32>,
    pub sha256: String,
    pub fulltext: &'static str,
    pub missing: bool,
}

impl From<&folio::library::AttachedFile> for AttachmentJson {
    fn from(f: &folio::library::AttachedFile) -> Self {
        let a = &f.attachment;
        AttachmentJson {
            key: f.key.clone(),
            id: a.id,
            path: f
                .file
                .as_ref()
                .map_or_else(|| a.path.clone(), |p| p.to_string_lossy().into_owned()),
            stored: a.kind == folio::model::AttachmentKind::Stored,
            title: a.title.clone(),
            mime: a.mime.clone(),
            bytes: a.bytes,
            pages: a.pages,
            sha256: a.sha256.clone(),
            fulltext: a.fulltext.as_str(),
            missing: f.missing,
        }
    }
}
