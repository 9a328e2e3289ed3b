//! Reading a PDF in this process: the structure with `lopdf` (rebuilding a broken xref), the
//! text with `pdf-extract`, page by page, each crate call behind `catch_unwind`.

use super::text::{Collector, DEADLINE};
use super::{repair, xmp, Info, Limits, PdfDoc, PdfError};
use pdf_extract::{Document, Object};
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::time::Instant;

/// Pages whose positioned lines are kept for [`metadata`](super::metadata).
const LAYOUT_PAGES: u32 = 2;

/// Reads `bytes` as a PDF within `limits` (cooperatively: the deadline is checked between
/// pages and every few glyphs, but a reader stuck inside one call cannot be stopped here, and
/// `memory_bytes` is not enforced; use [`read_isolated`](super::read_isolated) for files from
/// outside). Never panics: a panic in a reader becomes [`PdfError::Damaged`], or an empty
/// page when it happens on one page.
pub fn read(bytes: &[u8], limits: &Limits) -> Result<PdfDoc, PdfError> {
    if bytes.len() as u64 > limits.max_bytes {
        return Err(PdfError::TooLarge {
            bytes: bytes.len() as u64,
            max_bytes: limits.max_bytes,
        });
    }
    check_header(bytes)?;
    let started = Instant::now();
    let deadline = started + limits.time;
    let doc = guarded("opening", || load(bytes))??;
    let timed_out = || PdfError::TimedOut {
        seconds: limits.time.as_secs(),
    };
    if Instant::now() > deadline {
        return Err(timed_out());
    }
    let encrypted = doc.trailer.get(b"Encrypt").is_ok() || doc.was_encrypted();
    let info = guarded("reading the Info dictionary", || read_info(&doc)).unwrap_or_default();
    let xmp = guarded("reading the XMP metadata", || {
        xmp_packet(&doc).and_then(|x| xmp::parse(&x))
    })
    .unwrap_or_default();
    let pages = guarded("reading the page tree", || doc.get_pages())?;
    let mut out = PdfDoc {
        page_count: pages.len() as u32,
        info,
        xmp,
        encrypted,
        ..PdfDoc::default()
    };
    let mut collector = Collector::new(deadline, LAYOUT_PAGES);
    for &num in pages.keys().take(limits.max_pages as usize) {
        if Instant::now() > deadline {
            return Err(timed_out());
        }
        let result = catch_unwind(AssertUnwindSafe(|| {
            pdf_extract::output_doc_page(&doc, &mut collector, num)
        }));
        let failed = match result {
            Ok(Ok(())) => false,
            Ok(Err(e)) if e.to_string().contains(DEADLINE) => return Err(timed_out()),
            Ok(Err(_)) | Err(_) => true,
        };
        out.page_errors += u32::from(failed);
        let (text, layout) = collector.take();
        out.pages.push(text);
        out.layout.extend(layout);
    }
    Ok(out)
}

/// Runs a reader call, turning a panic into [`PdfError::Damaged`].
fn guarded<T>(what: &str, f: impl FnOnce() -> T) -> Result<T, PdfError> {
    catch_unwind(AssertUnwindSafe(f)).map_err(|p| {
        let why = p
            .downcast_ref::<&str>()
            .map(|s| s.to_string())
            .or_else(|| p.downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "the reader failed".into());
        PdfError::Damaged(format!("{what}: {}", first_line(&why)))
    })
}

fn first_line(s: &str) -> &str {
    s.lines().next().unwrap_or(s)
}

/// The `%PDF-` header within the first KiB (where Acrobat looks), else what the file is.
fn check_header(bytes: &[u8]) -> Result<(), PdfError> {
    let head = &bytes[..bytes.len().min(1024)];
    if memchr::memmem::find(head, b"%PDF-").is_some() {
        return Ok(());
    }
    let text = String::from_utf8_lossy(head).to_ascii_lowercase();
    let looks_like = if bytes.is_empty() {
        Some("empty (0 bytes)".to_string())
    } else if bytes.iter().all(|b| b.is_ascii_whitespace()) {
        Some("blank (only whitespace)".to_string())
    } else if text.contains("<html") || text.contains("<!doctype html") || text.contains("<head") {
        Some("a web page (HTML), often what a failed or blocked download saves".to_string())
    } else if text.trim_start().starts_with("<?xml") {
        Some("an XML document".to_string())
    } else if bytes.starts_with(b"PK\x03\x04") {
        Some("a ZIP archive (or a Word/EPUB file)".to_string())
    } else {
        None
    };
    Err(PdfError::NotPdf { looks_like })
}

/// Loads the document, rebuilding the xref when `lopdf` cannot read it or finds no pages
/// through it, and decrypts it with the empty user password when it is encrypted.
fn load(bytes: &[u8]) -> Result<Document, PdfError> {
    let first = Document::load_mem(bytes);
    let locked = |d: &Document| d.trailer.get(b"Encrypt").is_ok() && !d.was_encrypted();
    let usable = |d: &Document| d.catalog().is_ok() && d.page_iter().next().is_some();
    let mut doc = match first {
        Ok(d) if locked(&d) || usable(&d) => d,
        first => {
            let rebuilt = repair::rebuild(bytes)
                .and_then(|fixed| catch_unwind(|| Document::load_mem(&fixed)).ok())
                .and_then(Result::ok)
                .filter(|d| locked(d) || usable(d));
            match (rebuilt, first) {
                (Some(d), _) => d,
                (None, Ok(_)) => return Err(PdfError::Damaged(no_pages(bytes))),
                (None, Err(e)) => return Err(PdfError::Damaged(first_line(&e.to_string()).to_string())),
            }
        }
    };
    // lopdf decrypts while loading when the empty user password opens the file (then it
    // "was encrypted"); otherwise the /Encrypt entry stays and the objects stay unread.
    if doc.trailer.get(b"Encrypt").is_ok() && !doc.was_encrypted() {
        match doc.decrypt("") {
            Ok(()) => {}
            Err(pdf_extract::Error::Decryption(pdf_extract::encryption::DecryptionError::IncorrectPassword))
            | Err(pdf_extract::Error::InvalidPassword)
            | Err(pdf_extract::Error::NotEncrypted) => return Err(PdfError::Encrypted),
            Err(e) if e.to_string().to_ascii_lowercase().contains("password") => return Err(PdfError::Encrypted),
            Err(e) => return Err(PdfError::Damaged(format!("cannot decrypt: {e}"))),
        }
    }
    Ok(doc)
}

/// Why a file that opened has no pages.
fn no_pages(bytes: &[u8]) -> String {
    if memchr::memmem::find(bytes, b"/BrotliDecode").is_some() {
        "its streams use an unsupported compression (BrotliDecode)".into()
    } else {
        "no readable pages (the page tree is missing or broken)".into()
    }
}

/// A text string of a dictionary, dereferenced, decoded, trimmed; `None` when empty.
pub(super) fn text_of(doc: &Document, dict: &pdf_extract::Dictionary, key: &[u8]) -> Option<String> {
    let obj = dict.get(key).ok()?;
    let (_, obj) = doc.dereference(obj).ok()?;
    let s = match obj {
        Object::String(..) => pdf_extract::decode_text_string(obj).ok().or_else(|| {
            let bytes = obj.as_str().ok()?;
            Some(bytes.iter().map(|&b| b as char).collect())
        })?,
        Object::Name(n) => String::from_utf8_lossy(n).into_owned(),
        _ => return None,
    };
    let s: String = s.chars().filter(|c| !c.is_control() || *c == ' ').collect();
    let s = s.trim();
    (!s.is_empty()).then(|| s.to_string())
}

fn read_info(doc: &Document) -> Info {
    let dict = doc
        .trailer
        .get(b"Info")
        .ok()
        .and_then(|o| doc.dereference(o).ok())
        .and_then(|(_, o)| o.as_dict().ok());
    let Some(d) = dict else {
        return Info::default();
    };
    Info {
        title: text_of(doc, d, b"Title"),
        author: text_of(doc, d, b"Author"),
        subject: text_of(doc, d, b"Subject"),
        keywords: text_of(doc, d, b"Keywords"),
        creator: text_of(doc, d, b"Creator"),
        producer: text_of(doc, d, b"Producer"),
        creation_date: text_of(doc, d, b"CreationDate"),
    }
}

/// XMP packets larger than this (decoded) are ignored.
const MAX_XMP_BYTES: usize = 4 << 20;

/// The catalog's /Metadata stream, decoded.
fn xmp_packet(doc: &Document) -> Option<String> {
    let catalog = doc.catalog().ok()?;
    let (_, obj) = doc.dereference(catalog.get(b"Metadata").ok()?).ok()?;
    let stream = obj.as_stream().ok()?;
    let bytes = if stream.dict.get(b"Filter").is_ok() {
        stream.decompressed_content().ok()?
    } else {
        stream.content.clone()
    };
    (bytes.len() <= MAX_XMP_BYTES).then(|| String::from_utf8_lossy(&bytes).into_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn not_a_pdf_says_what_the_file_is() {
        let l = Limits::default();
        let html = read(b"<!DOCTYPE html><html><body>403 Forbidden</body></html>", &l).unwrap_err();
        assert!(html.to_string().contains("HTML"), "{html}");
        let empty = read(b"", &l).unwrap_err();
        assert!(empty.to_string().contains("empty"), "{empty}");
        assert_eq!(read(b"hello", &l).unwrap_err(), PdfError::NotPdf { looks_like: None });
    }

    #[test]
    fn too_large_is_refused_before_reading() {
        let l = Limits {
            max_bytes: 4,
            ..Limits::default()
        };
        assert!(matches!(
            read(b"%PDF-1.4", &l),
            Err(PdfError::TooLarge { bytes: 8, max_bytes: 4 })
        ));
    }

    #[test]
    fn a_truncated_pdf_is_damaged_not_a_panic() {
        let e = read(b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog", &Limits::default()).unwrap_err();
        assert!(matches!(e, PdfError::Damaged(_)), "{e:?}");
    }
}
