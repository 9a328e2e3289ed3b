//! Reading PDFs: each page's text, the Info dictionary and the XMP packet ([`read`], in this
//! process, or [`read_isolated`], in a child process), and the reference they describe
//! ([`metadata`]: title, authors, year, DOI, arXiv id, venue, each with where it came from).
//!
//! PDFs come from anywhere, and the readers underneath (`lopdf` for the structure,
//! `pdf-extract` for the text) can loop, recurse or allocate without bound on a hostile file.
//! [`read`] stops cooperatively (page and character budgets, a deadline checked per glyph) and
//! turns panics into [`PdfError::Damaged`]; [`read_isolated`] adds what only a process
//! boundary gives: a hard memory limit (`RLIMIT_AS` on unix), a kill at the deadline, and a
//! stack overflow that takes down only the worker. Front ends use [`read_isolated`].
//!
//! docs/pdf.md has the measurements behind the crate choice and the metadata rules.

mod layout;
mod meta;
mod read;
mod repair;
mod text;
mod worker;
mod xmp;

pub use meta::{metadata, PdfMetadata, Source, Sourced};
pub use read::read;
pub use worker::{read_isolated, worker_main, Worker, WORKER_ARG, WORKER_ENV};
pub use xmp::Xmp;

use serde::{Deserialize, Serialize};
use std::fmt;
use std::time::Duration;

/// Bounds on one read. The defaults suit an interactive import: a 512 MiB file, 2000 pages,
/// 30 seconds, 2 GiB of address space for the worker.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Limits {
    /// Larger files are refused before they are read ([`PdfError::TooLarge`]).
    pub max_bytes: u64,
    /// Text is extracted from this many pages at most; `page_count` still tells the total.
    pub max_pages: u32,
    /// Wall-clock time for the whole read; past it the read stops ([`PdfError::TimedOut`]).
    pub time: Duration,
    /// Address-space limit of the worker process ([`read_isolated`], unix only).
    pub memory_bytes: u64,
}

impl Default for Limits {
    fn default() -> Limits {
        Limits {
            max_bytes: 512 << 20,
            max_pages: 2000,
            time: Duration::from_secs(30),
            memory_bytes: 2 << 30,
        }
    }
}

/// A PDF's text and metadata, as [`read`] finds them.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct PdfDoc {
    /// The number of pages in the page tree (not the declared /Count, which may lie).
    pub page_count: u32,
    /// The text of each page, in order; at most [`Limits::max_pages`] pages. A page whose
    /// content cannot be read is empty (and counted in `page_errors`).
    pub pages: Vec<String>,
    /// Pages whose content failed to decode (their text is empty or partial).
    pub page_errors: u32,
    /// The Info dictionary.
    pub info: Info,
    /// The XMP metadata packet of the document catalog, when it has one that parses.
    pub xmp: Option<Xmp>,
    /// The file is encrypted (with an empty user password: it opened without one).
    pub encrypted: bool,
    /// Positioned text lines of the first pages (font size and place), for [`metadata`].
    pub layout: Vec<layout::PageLayout>,
}

impl PdfDoc {
    /// True when no page has any text: a scan or an image-only PDF (a candidate for OCR).
    pub fn has_text(&self) -> bool {
        self.pages.iter().any(|p| p.chars().any(|c| c.is_alphanumeric()))
    }
}

pub use layout::{Line, PageLayout};

/// The Info dictionary's text entries (absent or empty entries are `None`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Info {
    pub title: Option<String>,
    pub author: Option<String>,
    pub subject: Option<String>,
    pub keywords: Option<String>,
    pub creator: Option<String>,
    pub producer: Option<String>,
    /// As written (`D:20140123120000+01'00'`).
    pub creation_date: Option<String>,
}

/// Why a PDF could not be read. `Display` gives a one-line reason for a person.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum PdfError {
    /// Not a PDF at all; `looks_like` names what it seems to be ("HTML", "empty file").
    NotPdf {
        looks_like: Option<String>,
    },
    /// Encrypted with a user password (it cannot be opened without one).
    Encrypted,
    /// A PDF that is too broken to read.
    Damaged(String),
    TooLarge {
        bytes: u64,
        max_bytes: u64,
    },
    TimedOut {
        seconds: u64,
    },
    OutOfMemory,
    /// The worker process died (a crash in a reader) or broke the protocol.
    WorkerCrashed(String),
    Io(String),
}

impl fmt::Display for PdfError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PdfError::NotPdf { looks_like: Some(what) } => write!(f, "not a PDF: the file is {what}"),
            PdfError::NotPdf { looks_like: None } => write!(f, "not a PDF: the file has no PDF header"),
            PdfError::Encrypted => write!(
                f,
                "the PDF is password-protected: it cannot be read without its password"
            ),
            PdfError::Damaged(why) => write!(f, "the PDF is damaged and cannot be read: {why}"),
            PdfError::TooLarge { bytes, max_bytes } => write!(
                f,
                "the PDF is too large to read: {} MiB (the limit is {} MiB)",
                bytes.div_ceil(1 << 20),
                max_bytes >> 20
            ),
            PdfError::TimedOut { seconds } => write!(f, "reading the PDF took longer than {seconds} s and was stopped"),
            PdfError::OutOfMemory => write!(f, "reading the PDF needed more memory than allowed and was stopped"),
            PdfError::WorkerCrashed(why) => write!(f, "the PDF reader stopped unexpectedly: {why}"),
            PdfError::Io(why) => write!(f, "cannot read the file: {why}"),
        }
    }
}

impl std::error::Error for PdfError {}
