//! Files attached to an item: a copy the library keeps (stored) or a file left where it is
//! (linked).

use serde::{Deserialize, Serialize};

/// Whether Folio owns the file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum AttachmentKind {
    /// A copy in the library's files folder, named by Folio; trashed and deleted with its item.
    #[default]
    Stored,
    /// A file the user keeps elsewhere (a synced or git folder): never moved or deleted by
    /// Folio unless the user asks.
    Linked,
}

impl AttachmentKind {
    pub fn as_str(self) -> &'static str {
        match self {
            AttachmentKind::Stored => "stored",
            AttachmentKind::Linked => "linked",
        }
    }
    pub fn parse(s: &str) -> Option<AttachmentKind> {
        match s {
            "stored" => Some(AttachmentKind::Stored),
            "linked" => Some(AttachmentKind::Linked),
            _ => None,
        }
    }
}

/// Where a file's full text stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum FulltextState {
    /// Not extracted yet.
    #[default]
    Pending,
    Indexed,
    /// Nothing to extract (not a PDF, or a scan without text).
    None,
    /// Extraction failed (the reason is kept).
    Failed,
}

impl FulltextState {
    pub fn as_str(self) -> &'static str {
        match self {
            FulltextState::Pending => "pending",
            FulltextState::Indexed => "indexed",
            FulltextState::None => "none",
            FulltextState::Failed => "failed",
        }
    }
    pub fn parse(s: &str) -> Option<FulltextState> {
        match s {
            "pending" => Some(FulltextState::Pending),
            "indexed" => Some(FulltextState::Indexed),
            "none" => Some(FulltextState::None),
            "failed" => Some(FulltextState::Failed),
            _ => None,
        }
    }
}

/// One attached file.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Attachment {
    /// The database id (`None` before it is stored).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<i64>,
    pub kind: AttachmentKind,
    /// Stored: the file name in the library's files folder. Linked: relative to the base
    /// folder when it lies inside it, else absolute.
    pub path: String,
    /// The file's name as the user knew it (the stored copy may be renamed).
    #[serde(default)]
    pub title: String,
    #[serde(default)]
    pub mime: String,
    #[serde(default)]
    pub bytes: u64,
    /// Hex SHA-256 of the content when attached (full text is extracted again only when it
    /// changes).
    #[serde(default)]
    pub sha256: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pages: Option<u32>,
    #[serde(default)]
    pub fulltext: FulltextState,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fulltext_error: Option<String>,
    /// When it was attached (RFC 3339).
    #[serde(default)]
    pub added: String,
}

/// The MIME type of a file by its name (and the first bytes when given): what the item pane
/// shows and what decides whether full text can be extracted.
pub fn mime_of(name: &str, head: &[u8]) -> &'static str {
    if head.starts_with(b"%PDF-") {
        return "application/pdf";
    }
    let ext = name
        .rsplit_once('.')
        .map(|(_, e)| e.to_ascii_lowercase())
        .unwrap_or_default();
    match ext.as_str() {
        "pdf" => "application/pdf",
        "epub" => "application/epub+zip",
        "djvu" | "djv" => "image/vnd.djvu",
        "html" | "htm" => "text/html",
        "txt" | "md" => "text/plain",
        "doc" => "application/msword",
        "docx" => "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "odt" => "application/vnd.oasis.opendocument.text",
        "ps" => "application/postscript",
        "png" => "image/png",
        "jpg" | "jpeg" => "image/jpeg",
        "tex" => "application/x-tex",
        "bib" => "application/x-bibtex",
        "zip" => "application/zip",
        _ => "application/octet-stream",
    }
}
