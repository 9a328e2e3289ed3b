//! Files named by a record: BibTeX `file` fields in the forms JabRef, Zotero (and Better
//! BibTeX) and Mendeley write, BibDesk's `bdsk-file-N` (a base64 property list holding the path
//! relative to the `.bib` file), the older `pdf`, `ps` and `local-url` fields, and RIS `L1`,
//! `L2` and `L4` when they hold a local path rather than a web address. Reading and writing
//! text only: which files exist, and where, is the library's business
//! (`library/filelinks.rs`).
//!
//! JabRef's form is a `;`-separated list of `description:path:type` entries in which `\`
//! escapes `:`, `;` and itself (`:papers/a.pdf:PDF`, `Full Text PDF:/home/u/Zotero/storage/
//! ABCD1234/a.pdf:application/pdf`). Mendeley writes the backslash of a Windows drive as
//! `$\backslash$` and `_` as `{\_}`, and on macOS and Linux leaves out the path's leading `/`
//! (`:Users/ann/Documents/Mendeley Desktop/a.pdf:pdf`): the library tries the path with `/`
//! when the relative one is not there. Older JabRef versions wrote Windows paths unescaped
//! (`:C:\papers\a.pdf:PDF`): a one-letter part followed by a path is joined back as a drive.

use crate::model::{ExtraField, Item, Origin};
use base64::Engine;

/// One file a record names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileLink {
    /// The path as written (unescaped; a `file://` URL decoded to its path). Relative paths
    /// are relative to the folder of the file the record came from.
    pub path: String,
    /// JabRef's description ("Full Text PDF"), empty when none.
    pub description: String,
    /// The file type as written: `PDF`, `pdf`, `application/pdf`… (empty when none).
    pub file_type: String,
    /// The field it came from (`file`, `bdsk-file-1`, `L1`…).
    pub field: String,
}

/// Whether a field of this name can name files.
pub fn is_file_field(f: &ExtraField) -> bool {
    let n = f.name.as_str();
    match f.origin {
        Origin::Bibtex | Origin::Text => {
            ["file", "pdf", "ps", "local-url"]
                .iter()
                .any(|k| n.eq_ignore_ascii_case(k))
                || n.get(..10).is_some_and(|p| p.eq_ignore_ascii_case("bdsk-file-"))
        }
        Origin::Ris => matches!(n, "L1" | "L2" | "L4"),
        Origin::Wos => false,
    }
}

/// The files an item's fields name, in field order; web addresses and EndNote's
/// `internal-pdf://` links (which only EndNote's own library folder resolves) are left out.
pub fn links_of(item: &Item) -> Vec<FileLink> {
    item.extra.iter().flat_map(links_of_field).collect()
}

/// The files one field names (none when it is not a file field).
pub fn links_of_field(f: &ExtraField) -> Vec<FileLink> {
    if !is_file_field(f) {
        return Vec::new();
    }
    let name = f.name.as_str();
    let value = match f.origin {
        Origin::Bibtex => bibtex_plain(&f.value),
        _ => f.value.trim().to_string(),
    };
    let found: Vec<FileLink> = if name.len() > 10 && name[..10].eq_ignore_ascii_case("bdsk-file-") {
        bdsk_file(&value).into_iter().collect()
    } else if name.eq_ignore_ascii_case("file") {
        parse_file_field(&value)
    } else {
        // `pdf`, `ps`, `local-url`, RIS `L1`/`L2`/`L4`: one path (RIS may list several, one per
        // line of a joined value).
        value
            .split(['\n', ';'])
            .map(str::trim)
            .filter(|p| !p.is_empty())
            .map(|p| FileLink {
                path: p.to_string(),
                description: String::new(),
                file_type: String::new(),
                field: String::new(),
            })
            .collect()
    };
    found
        .into_iter()
        .filter_map(|mut l| {
            l.path = local_path(&l.path)?;
            l.field = name.to_string();
            Some(l)
        })
        .collect()
}

/// A BibTeX value as the text a file field means: outer braces or quotes removed and the TeX
/// Mendeley puts into paths undone (`$\backslash$`, `{\_}`, `\&`).
pub fn bibtex_plain(raw: &str) -> String {
    let t = raw.trim();
    let inner = if (t.starts_with('{') && t.ends_with('}') || t.starts_with('"') && t.ends_with('"')) && t.len() >= 2 {
        &t[1..t.len() - 1]
    } else {
        t
    };
    inner
        .replace("$\\backslash$", "\\")
        .replace("{\\_}", "_")
        .replace("\\_", "_")
        .replace("{\\&}", "&")
        .replace("\\&", "&")
        .replace("{\\%}", "%")
        .replace("\\%", "%")
        .replace("{\\~{}}", "~")
        .replace("{\\textasciitilde}", "~")
}

/// The local path a link names, `None` for a web address or an EndNote-internal link.
fn local_path(p: &str) -> Option<String> {
    let p = p.trim();
    if p.is_empty() {
        return None;
    }
    let lower = p.to_ascii_lowercase();
    if let Some(rest) = lower.strip_prefix("file://") {
        // file:///home/a.pdf, file://localhost/Users/a.pdf, file:///C:/a.pdf
        let rest = &p[p.len() - rest.len()..];
        let path = rest.strip_prefix("localhost").unwrap_or(rest);
        let decoded = percent_decode(path);
        let is_drive = decoded.len() > 3 && decoded.as_bytes()[0] == b'/' && decoded.as_bytes()[2] == b':';
        return Some(if is_drive { decoded[1..].to_string() } else { decoded });
    }
    let scheme_like = lower.split_once(':').is_some_and(|(s, _)| {
        s.len() > 1
            && s.chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'))
    });
    if scheme_like || lower.starts_with("www.") {
        // http:, https:, ftp:, doi:, internal-pdf:, mailto:…
        return None;
    }
    Some(p.to_string())
}

fn percent_decode(s: &str) -> String {
    percent_encoding::percent_decode_str(s).decode_utf8_lossy().into_owned()
}

/// Split at unescaped `sep`. `unescape`: turn `\:`, `\;` and `\\` into the character (the
/// innermost level); otherwise escapes stay for the next level. A backslash before any other
/// character is a path's own (an unescaped Windows path).
fn split_escaped(s: &str, sep: char, unescape: bool) -> Vec<String> {
    let mut parts = vec![String::new()];
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        let cur = parts.last_mut().expect("never empty");
        match c {
            '\\' => match chars.peek().copied() {
                Some(n @ (':' | ';' | '\\')) => {
                    chars.next();
                    if !unescape {
                        cur.push('\\');
                    }
                    cur.push(n);
                }
                _ => cur.push('\\'),
            },
            c if c == sep => parts.push(String::new()),
            c => cur.push(c),
        }
    }
    parts
}

/// A JabRef-style `file` field: one link per `;`-separated entry.
pub fn parse_file_field(value: &str) -> Vec<FileLink> {
    let mut out = Vec::new();
    for entry in split_escaped(value, ';', false) {
        if entry.trim().is_empty() {
            continue;
        }
        let mut parts = split_escaped(&entry, ':', true);
        // An unescaped drive letter ("C" then "\papers\a.pdf" or "/papers/a.pdf") is one part.
        let mut i = 0;
        while i + 1 < parts.len() {
            let drive = parts[i].len() == 1 && parts[i].chars().all(|c| c.is_ascii_alphabetic());
            if drive && (parts[i + 1].starts_with('\\') || parts[i + 1].starts_with('/')) {
                let next = parts.remove(i + 1);
                parts[i] = format!("{}:{next}", parts[i]);
            }
            i += 1;
        }
        // A web address split at its scheme's colon ("https", "//host/x.pdf") is one part.
        let mut i = 0;
        while i + 1 < parts.len() {
            if parts[i + 1].starts_with("//") && parts[i].chars().all(|c| c.is_ascii_alphabetic()) && parts[i].len() > 1
            {
                let next = parts.remove(i + 1);
                parts[i] = format!("{}:{next}", parts[i]);
            }
            i += 1;
        }
        let link = match parts.as_slice() {
            [path] => (String::new(), path.clone(), String::new()),
            [a, b] if looks_like_type(b) => (String::new(), a.clone(), b.clone()),
            [a, b] => (a.clone(), b.clone(), String::new()),
            [d, middle @ .., t] => (d.clone(), middle.join(":"), t.clone()),
            [] => continue,
        };
        if link.1.trim().is_empty() {
            continue;
        }
        out.push(FileLink {
            description: link.0.trim().to_string(),
            path: link.1.trim().to_string(),
            file_type: link.2.trim().to_string(),
            field: String::new(),
        });
    }
    out
}

fn looks_like_type(s: &str) -> bool {
    let s = s.trim();
    !s.is_empty()
        && s.len() <= 80
        && !s.contains('.')
        && !s.contains('\\')
        && (!s.contains('/') || s.split('/').count() == 2 && !s.starts_with('/'))
}

/// BibDesk's `bdsk-file-N`: a base64 binary property list whose `relativePath` is the file's
/// path relative to the `.bib` file (older BibDesk: a plain dictionary; newer: an
/// `NSKeyedArchiver` archive whose `relativePath` points into `$objects`).
pub fn bdsk_file(value: &str) -> Option<FileLink> {
    let compact: String = value.chars().filter(|c| !c.is_whitespace()).collect();
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(compact.as_bytes())
        .ok()?;
    let plist = plist::Value::from_reader(std::io::Cursor::new(bytes)).ok()?;
    let path = relative_path(&plist, &plist, 0)?;
    Some(FileLink {
        path,
        description: String::new(),
        file_type: String::new(),
        field: String::new(),
    })
}

fn relative_path(v: &plist::Value, root: &plist::Value, depth: usize) -> Option<String> {
    if depth > 16 {
        return None;
    }
    match v {
        plist::Value::Dictionary(d) => {
            if let Some(p) = d.get("relativePath") {
                match p {
                    plist::Value::String(s) if !s.is_empty() => return Some(s.clone()),
                    plist::Value::Uid(u) => {
                        let objects = root.as_dictionary()?.get("$objects")?.as_array()?;
                        if let Some(plist::Value::String(s)) = objects.get(usize::try_from(u.get()).ok()?) {
                            return Some(s.clone());
                        }
                    }
                    _ => {}
                }
            }
            d.values().find_map(|x| relative_path(x, root, depth + 1))
        }
        plist::Value::Array(a) => a.iter().find_map(|x| relative_path(x, root, depth + 1)),
        _ => None,
    }
}

fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if matches!(c, '\\' | ':' | ';') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// JabRef's file type name for a MIME type (what JabRef, Zotero's Better BibTeX and Mendeley
/// all read); other types keep their MIME type, as Zotero writes them.
pub fn jabref_type(mime: &str) -> String {
    match mime {
        "application/pdf" => "PDF".into(),
        "application/postscript" => "PostScript".into(),
        "text/html" => "HTML".into(),
        "text/plain" => "Text".into(),
        "application/msword" => "Word".into(),
        "image/vnd.djvu" => "Djvu".into(),
        "application/epub+zip" => "ePUB".into(),
        "" => String::new(),
        m => m.into(),
    }
}

/// A `file` field's text (without braces) in JabRef's form for these links.
pub fn write_file_field(links: &[FileLink]) -> String {
    links
        .iter()
        .map(|l| {
            format!(
                "{}:{}:{}",
                escape(&l.description),
                escape(&l.path),
                escape(&l.file_type)
            )
        })
        .collect::<Vec<_>>()
        .join(";")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bib(name: &str, value: &str) -> ExtraField {
        ExtraField {
            name: name.into(),
            value: value.into(),
            origin: Origin::Bibtex,
        }
    }

    fn paths(item_fields: Vec<ExtraField>) -> Vec<(String, String, String)> {
        let item = Item {
            extra: item_fields,
            ..Default::default()
        };
        links_of(&item)
            .into_iter()
            .map(|l| (l.description, l.path, l.file_type))
            .collect()
    }

    fn t(d: &str, p: &str, ty: &str) -> (String, String, String) {
        (d.into(), p.into(), ty.into())
    }

    #[test]
    fn jabref_zotero_and_mendeley_forms() {
        assert_eq!(
            paths(vec![bib("file", "{:pdfs/a.pdf:PDF}")]),
            vec![t("", "pdfs/a.pdf", "PDF")]
        );
        assert_eq!(
            paths(vec![bib(
                "file",
                "{Full Text PDF:/home/u/Zotero/storage/AB12/a b.pdf:application/pdf;Snapshot:/home/u/Zotero/storage/AB12/x.html:text/html}"
            )]),
            vec![
                t("Full Text PDF", "/home/u/Zotero/storage/AB12/a b.pdf", "application/pdf"),
                t("Snapshot", "/home/u/Zotero/storage/AB12/x.html", "text/html")
            ]
        );
        // Mendeley on Windows and on macOS (no leading slash), with TeX in the path.
        assert_eq!(
            paths(vec![bib(
                "file",
                "{:C$\\backslash$:/Users/ann/Mendeley Desktop/Smith{\\_}2010.pdf:pdf}"
            )]),
            vec![t("", "C:/Users/ann/Mendeley Desktop/Smith_2010.pdf", "pdf")]
        );
        assert_eq!(
            paths(vec![bib("file", "{:Users/ann/Documents/Mendeley Desktop/a.pdf:pdf}")]),
            vec![t("", "Users/ann/Documents/Mendeley Desktop/a.pdf", "pdf")]
        );
        // Escaped and unescaped Windows drives; escaped separators inside a name.
        assert_eq!(
            paths(vec![bib("file", "{:C\\:\\\\papers\\\\a.pdf:PDF}")]),
            vec![t("", "C:\\papers\\a.pdf", "PDF")]
        );
        assert_eq!(
            paths(vec![bib("file", "{:C:\\papers\\a.pdf:PDF}")]),
            vec![t("", "C:\\papers\\a.pdf", "PDF")]
        );
        assert_eq!(
            paths(vec![bib("file", "{:a\\;b\\:c.pdf:PDF}")]),
            vec![t("", "a;b:c.pdf", "PDF")]
        );
        // A bare path, a path with its type, a web address (left out).
        assert_eq!(paths(vec![bib("file", "{a.pdf}")]), vec![t("", "a.pdf", "")]);
        assert_eq!(
            paths(vec![bib("file", "{Straube14.pdf:Straube14.pdf:PDF}")]),
            vec![t("Straube14.pdf", "Straube14.pdf", "PDF")]
        );
        assert!(paths(vec![bib(
            "file",
            "{https://hal.inria.fr/hal-02090402/file/scilab-1.1.tar.gz}"
        )])
        .is_empty());
        assert!(paths(vec![bib("file", "{Online:https\\://x.org/a.pdf:PDF}")]).is_empty());
    }

    #[test]
    fn ris_links_and_old_fields() {
        let ris = |tag: &str, v: &str| ExtraField {
            name: tag.into(),
            value: v.into(),
            origin: Origin::Ris,
        };
        assert_eq!(
            paths(vec![
                ris("L1", "file:///home/ann/papers/a%20b.pdf"),
                ris("L1", "https://link.springer.com/content/pdf/x.pdf"),
                ris("L1", "internal-pdf://1234/x.pdf"),
                ris("L4", "figures/fig1.png"),
                ris("L2", "doi:10.1007/978-3-642-00230-4"),
            ]),
            vec![t("", "/home/ann/papers/a b.pdf", ""), t("", "figures/fig1.png", "")]
        );
        assert_eq!(
            paths(vec![
                bib("local-url", "{file://localhost/Users/ann/a.pdf}"),
                bib("pdf", "{old.pdf}")
            ]),
            vec![t("", "/Users/ann/a.pdf", ""), t("", "old.pdf", "")]
        );
    }

    #[test]
    fn bibdesk_relative_path_from_the_corpus_form() {
        // The property list BibDesk 1.6 writes: {relativePath, aliasData}.
        let v = "YnBsaXN0MDDSAQIDBFxyZWxhdGl2ZVBhdGhZYWxpYXNEYXRhXxBjUGFwZXJzL0tyYWZ0U21pdGgyMDE5IC0gQmV0d2VlbiBpbnRlcm5hdGlvbmFsIGRvbm9ycyBhbmQgbG9jYWwgZmFpdGggY29tbXVuaXRpZXMgSW50ZXJtZWRpYXJpZXMucGRmTxECmgAAAAACmgACAAAMTWFjaW50b3NoIEhEAAAAAAAAAAAAAAAAAAAA34EOdUJEAAH/////H0tyYWZ0U21pdGgyMDE5IC0gQiNGRkZGRkZGRi5wZGYAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAP/////bUsfWAAAAAAAAAAAAAQADAAAKIGN1AAAAAAAAAAAAAAAAAAZQYXBlcnMAAgCDLzpVc2VyczphbmRyZXc6RHJvcGJveDpSZWFkaW5nczpQYXBlcnM6S3JhZnRTbWl0aDIwMTkgLSBCZXR3ZWVuIGludGVybmF0aW9uYWwgZG9ub3JzIGFuZCBsb2NhbCBmYWl0aCBjb21tdW5pdGllcyBJbnRlcm1lZGlhcmllcy5wZGYAAA4AugBcAEsAcgBhAGYAdABTAG0AaQB0AGgAMgAwADEAOQAgAC0AIABCAGUAdAB3AGUAZQBuACAAaQBuAHQAZQByAG4AYQB0AGkAbwBuAGEAbAAgAGQAbwBuAG8AcgBzACAAYQBuAGQAIABsAG8AYwBhAGwAIABmAGEAaQB0AGgAIABjAG8AbQBtAHUAbgBpAHQAaQBlAHMAIABJAG4AdABlAHIAbQBlAGQAaQBhAHIAaQBlAHMALgBwAGQAZgAPABoADABNAGEAYwBpAG4AdABvAHMAaAAgAEgARAASAIFVc2Vycy9hbmRyZXcvRHJvcGJveC9SZWFkaW5ncy9QYXBlcnMvS3JhZnRTbWl0aDIwMTkgLSBCZXR3ZWVuIGludGVybmF0aW9uYWwgZG9ub3JzIGFuZCBsb2NhbCBmYWl0aCBjb21tdW5pdGllcyBJbnRlcm1lZGlhcmllcy5wZGYAABMAAS8AABUAAgAN//8AAAAIAA0AGgAkAIoAAAAAAAACAQAAAAAAAAAFAAAAAAAAAAAAAAAAAAADKA==";
        assert_eq!(
            paths(vec![bib("bdsk-file-1", &format!("{{{v}}}"))]),
            vec![t(
                "",
                "Papers/KraftSmith2019 - Between international donors and local faith communities Intermediaries.pdf",
                ""
            )]
        );
        assert!(paths(vec![bib("bdsk-file-2", "{bm90IGEgcGxpc3Q=}")]).is_empty());
    }

    #[test]
    fn written_fields_read_back() {
        let links = vec![
            FileLink {
                path: "C:\\papers\\a;b.pdf".into(),
                description: "Full: text".into(),
                file_type: "PDF".into(),
                field: String::new(),
            },
            FileLink {
                path: "/home/ann/x.html".into(),
                description: String::new(),
                file_type: "text/html".into(),
                field: String::new(),
            },
        ];
        let text = write_file_field(&links);
        assert_eq!(
            text,
            "Full\\: text:C\\:\\\\papers\\\\a\\;b.pdf:PDF;:/home/ann/x.html:text/html"
        );
        let back: Vec<_> = parse_file_field(&text)
            .into_iter()
            .map(|l| (l.description, l.path, l.file_type))
            .collect();
        assert_eq!(
            back,
            vec![
                t("Full: text", "C:\\papers\\a;b.pdf", "PDF"),
                t("", "/home/ann/x.html", "text/html")
            ]
        );
    }
}
