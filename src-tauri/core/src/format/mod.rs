//! Text ⇄ model. Pure functions over `&str` (and `String` output): no file or database access.
//!
//! Every parser returns a [`Parsed`]: the items it could read, each with the line it starts on,
//! plus diagnostics for what it could not. One bad entry never rejects a file.

pub mod bibtex;
pub mod crosswalk;
pub mod csl;
pub mod filelinks;
pub mod json;
pub(crate) mod names;
mod out;
mod parsed;
pub mod results_text;
pub mod ris;

pub(crate) use out::TrimLastNewline;
pub use out::{Out, Written};
pub use parsed::{feed, BibExtras, Parsed, ParsedItem, Sink};
use std::fmt;
use std::str::FromStr;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Format {
    /// BibTeX (classic, for `bibtex` + `.bst` styles). On import BibTeX and BibLaTeX are one format.
    Bibtex,
    /// BibLaTeX (for `biber`).
    Biblatex,
    Ris,
    /// Text copied from a publisher's search results page.
    ResultsText,
    /// Folio's own JSON (the CLI's item shape, lossless).
    Json,
    /// CSL-JSON (pandoc's `--bibliography=refs.json`, Zotero, citeproc-js).
    #[serde(rename = "csljson")]
    CslJson,
    /// CSL-YAML (pandoc's `references:` metadata).
    #[serde(rename = "cslyaml")]
    CslYaml,
    /// Hayagriva YAML (typst's bibliography format); export only.
    Hayagriva,
}

impl Format {
    pub const ALL: [Format; 8] = [
        Format::Bibtex,
        Format::Biblatex,
        Format::Ris,
        Format::ResultsText,
        Format::Json,
        Format::CslJson,
        Format::CslYaml,
        Format::Hayagriva,
    ];
    pub fn as_str(self) -> &'static str {
        match self {
            Format::Bibtex => "bibtex",
            Format::Biblatex => "biblatex",
            Format::Ris => "ris",
            Format::ResultsText => "results-text",
            Format::Json => "json",
            Format::CslJson => "csljson",
            Format::CslYaml => "cslyaml",
            Format::Hayagriva => "hayagriva",
        }
    }
    pub fn extension(self) -> &'static str {
        match self {
            Format::Bibtex | Format::Biblatex => "bib",
            Format::Ris => "ris",
            Format::ResultsText => "txt",
            Format::Json | Format::CslJson => "json",
            Format::CslYaml | Format::Hayagriva => "yaml",
        }
    }
    /// Whether Folio reads this format (Hayagriva is written only).
    pub fn can_import(self) -> bool {
        self != Format::Hayagriva
    }
    /// Whether Folio writes this format (pasted search results are read only).
    pub fn can_export(self) -> bool {
        self != Format::ResultsText
    }
}

impl fmt::Display for Format {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Format {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim().to_ascii_lowercase().as_str() {
            "bibtex" | "bib" => Ok(Format::Bibtex),
            "biblatex" => Ok(Format::Biblatex),
            "ris" | "wos" => Ok(Format::Ris),
            "results-text" | "results" | "text" | "txt" => Ok(Format::ResultsText),
            "json" | "folio-json" => Ok(Format::Json),
            "csljson" | "csl-json" | "csl" => Ok(Format::CslJson),
            "cslyaml" | "csl-yaml" | "yaml" | "yml" => Ok(Format::CslYaml),
            "hayagriva" | "typst" => Ok(Format::Hayagriva),
            _ => Err(format!(
                "unknown format {s:?}; use bibtex, biblatex, ris, results-text, json, csljson, cslyaml or hayagriva"
            )),
        }
    }
}

/// Read `input` in `format`, streaming its items to `sink`; the returned `Parsed` holds the
/// file-level results (diagnostics, dialect, repairs, BibTeX extras) and no items.
/// Every item passes through [`cap_item`] (tags and creators per item).
pub fn parse_into(input: &str, format: Format, ctx: &mut bibtex::BibContext, sink: &mut Sink<'_>) -> Parsed {
    let mut capped = Vec::new();
    let mut capping = |mut pi: ParsedItem, offset: usize| {
        capped.extend(cap_item(&mut pi));
        sink(pi, offset)
    };
    let mut parsed = match format {
        Format::Bibtex | Format::Biblatex => bibtex::parse_into(input, ctx, &mut capping),
        Format::Ris => ris::parse_into(input, &mut capping),
        Format::ResultsText => feed(results_text::parse(input), input.len(), &mut capping),
        Format::Json => feed(json::parse(input), input.len(), &mut capping),
        Format::CslJson => feed(csl::parse_json(input), input.len(), &mut capping),
        Format::CslYaml => feed(csl::parse_yaml(input), input.len(), &mut capping),
        Format::Hayagriva => {
            let mut p = Parsed::default();
            p.diagnostics.push(crate::error::Diagnostic::error(
                None,
                "Hayagriva YAML is an export format: Folio cannot import it (typst's `hayagriva` tool converts it to BibLaTeX, which Folio reads)",
            ));
            p
        }
    };
    parsed.diagnostics.extend(capped);
    parsed
}

/// One item keeps at most [`MAX_TAGS_PER_ITEM`](crate::budget::MAX_TAGS_PER_ITEM) tags and
/// [`MAX_CREATORS_PER_ITEM`](crate::budget::MAX_CREATORS_PER_ITEM) creators; the rest are
/// named in a warning and stay in the item's source record (which an export of the unedited
/// item copies whole).
pub fn cap_item(pi: &mut ParsedItem) -> Vec<crate::error::Diagnostic> {
    use crate::budget::{MAX_CREATORS_PER_ITEM, MAX_TAGS_PER_ITEM};
    let mut diags = Vec::new();
    let item = &mut pi.item;
    let label = if item.key.is_empty() {
        String::new()
    } else {
        format!("{}: ", item.key)
    };
    if item.tags.len() > MAX_TAGS_PER_ITEM {
        let rest: Vec<String> = item.tags.drain(MAX_TAGS_PER_ITEM..).map(|t| t.name).collect();
        diags.push(crate::error::Diagnostic::warning(
            pi.line,
            format!(
                "{label}{} keywords; kept the first {MAX_TAGS_PER_ITEM} as tags, the other {} stay in the source record (from {:?} to {:?})",
                MAX_TAGS_PER_ITEM + rest.len(),
                rest.len(),
                rest[0],
                rest[rest.len() - 1]
            ),
        ));
    }
    if item.creators.len() > MAX_CREATORS_PER_ITEM {
        let n = item.creators.len();
        item.creators.truncate(MAX_CREATORS_PER_ITEM);
        diags.push(crate::error::Diagnostic::warning(
            pi.line,
            format!(
                "{label}{n} creators; kept the first {MAX_CREATORS_PER_ITEM}, the other {} stay in the source record",
                n - MAX_CREATORS_PER_ITEM
            ),
        ));
    }
    if !diags.is_empty() {
        // The source record stands for the item as kept.
        let fingerprint = item.fingerprint();
        if let Some(src) = item.source.as_mut() {
            src.fingerprint = fingerprint;
        }
    }
    diags
}

/// Text decoded from a file's bytes, and how.
#[derive(Debug, Clone, PartialEq)]
pub struct Decoded {
    pub text: String,
    pub encoding: &'static str,
    /// What the reader should know of the decoding: the lines of a UTF-8 file that were not
    /// UTF-8 and were read as Windows-1252 (one warning, naming the first of them).
    pub diagnostics: Vec<crate::error::Diagnostic>,
}

/// How many of the lines read as Windows-1252 a decoding warning names.
const NAMED_LINES: usize = 10;

/// UTF-8 text with some lines that are not (a stray Latin-1 byte): the valid lines as UTF-8,
/// each invalid line as Windows-1252, and a warning naming those lines. A file with no valid
/// multi-byte UTF-8 sequence at all is Windows-1252 throughout, as before (no warning: the
/// report gives its encoding). One pass; valid text is copied once, not per line.
fn decode_mixed(bytes: &[u8]) -> Decoded {
    let mut text = String::with_capacity(bytes.len() + bytes.len() / 8);
    let (mut pos, mut line, mut counted) = (0usize, 1usize, 0usize);
    let mut utf8_multibyte = false;
    let mut fallback: Vec<usize> = Vec::new();
    let mut fallback_count = 0usize;
    loop {
        let err = match std::str::from_utf8(&bytes[pos..]) {
            Ok(rest) => {
                utf8_multibyte |= !rest.is_ascii();
                text.push_str(rest);
                break;
            }
            Err(e) => e,
        };
        let bad = pos + err.valid_up_to();
        let line_start = memchr::memrchr(b'\n', &bytes[pos..bad]).map_or(pos, |p| pos + p + 1);
        let line_end = memchr::memchr(b'\n', &bytes[bad..]).map_or(bytes.len(), |p| bad + p + 1);
        let good = std::str::from_utf8(&bytes[pos..line_start]).unwrap_or_default();
        utf8_multibyte |= !good.is_ascii();
        text.push_str(good);
        let (latin, _) = encoding_rs::WINDOWS_1252.decode_without_bom_handling(&bytes[line_start..line_end]);
        text.push_str(&latin);
        line += memchr::memchr_iter(b'\n', &bytes[counted..line_start]).count();
        counted = line_start;
        if fallback.len() < NAMED_LINES {
            fallback.push(line);
        }
        fallback_count += 1;
        pos = line_end;
    }
    if !utf8_multibyte {
        return Decoded {
            text,
            encoding: "windows-1252",
            diagnostics: Vec::new(),
        };
    }
    let more = fallback_count.saturating_sub(fallback.len());
    let lines = fallback.iter().map(usize::to_string).collect::<Vec<_>>().join(", ");
    let message = format!(
        "the file is UTF-8 but {fallback_count} line(s) are not: read as Windows-1252 (Latin-1): line(s) {lines}{}",
        if more > 0 {
            format!(" and {more} more")
        } else {
            String::new()
        }
    );
    Decoded {
        text,
        encoding: "UTF-8",
        diagnostics: vec![crate::error::Diagnostic::warning(fallback[0], message)],
    }
}

/// What kind of binary file `bytes` starts like, if any.
fn binary_kind(bytes: &[u8]) -> Option<&'static str> {
    [
        (&b"\x89PNG"[..], "a PNG image"),
        (b"%PDF", "a PDF document"),
        (b"\xff\xd8\xff", "a JPEG image"),
        (b"PK\x03\x04", "a ZIP archive (or an Office document)"),
        (b"GIF8", "a GIF image"),
        (b"\x7fELF", "an executable"),
        (b"SQLite format 3", "an SQLite database"),
    ]
    .into_iter()
    .find(|(sig, _)| bytes.starts_with(sig))
    .map(|(_, what)| what)
}

/// [`decode`] taking the bytes by value: UTF-8 text (the usual case) becomes the `String`
/// without a copy, so a large file is held in memory once.
pub fn decode_owned(mut bytes: Vec<u8>, forced: Option<&str>) -> Result<Decoded, String> {
    if forced.is_none() {
        let bom = if bytes.starts_with(b"\xef\xbb\xbf") { 3 } else { 0 };
        let body = &bytes[bom..];
        if binary_kind(body).is_none() && !body.contains(&0) && std::str::from_utf8(body).is_ok() {
            bytes.drain(..bom);
            let text = String::from_utf8(bytes).map_err(|e| e.to_string())?;
            return Ok(Decoded {
                text,
                encoding: "UTF-8",
                diagnostics: Vec::new(),
            });
        }
    }
    decode(&bytes, forced)
}

/// Decode a file's bytes: UTF-8 (BOM optional), UTF-16 with a BOM, else Windows-1252 (a
/// superset of Latin-1 for text), or the encoding named by `forced` (any WHATWG label such as
/// `latin1`, `utf-16le`, `windows-1250`). Binary content (NUL bytes outside UTF-16, image or
/// PDF signatures) is an error: such a file cannot be a bibliography.
pub fn decode(bytes: &[u8], forced: Option<&str>) -> Result<Decoded, String> {
    if let Some(label) = forced {
        let enc = encoding_rs::Encoding::for_label(label.trim().as_bytes())
            .ok_or_else(|| format!("unknown encoding {label:?}"))?;
        let (text, _, had_errors) = enc.decode(bytes);
        if had_errors {
            return Err(format!("the file is not valid {}", enc.name()));
        }
        return Ok(Decoded {
            text: text.into_owned(),
            encoding: enc.name(),
            diagnostics: Vec::new(),
        });
    }
    if let Some((enc, bom)) = encoding_rs::Encoding::for_bom(bytes) {
        if enc == encoding_rs::UTF_8 && std::str::from_utf8(&bytes[bom..]).is_err() {
            // UTF-8 with some lines that are not (see decode_mixed).
            let mut d = decode_mixed(&bytes[bom..]);
            d.encoding = "UTF-8";
            return Ok(d);
        }
        let (text, had_errors) = enc.decode_without_bom_handling(&bytes[bom..]);
        if had_errors {
            return Err(format!(
                "the file starts with a {} byte-order mark but is not valid {}",
                enc.name(),
                enc.name()
            ));
        }
        return Ok(Decoded {
            text: text.into_owned(),
            encoding: enc.name(),
            diagnostics: Vec::new(),
        });
    }
    if let Some(what) = binary_kind(bytes) {
        return Err(format!("this is {what}, not a bibliography"));
    }
    // UTF-16 without BOM: every other byte zero in the first KiB of ASCII-range text.
    let head = &bytes[..bytes.len().min(1024)];
    if head.len() >= 4 {
        let even_zero = head.iter().step_by(2).filter(|b| **b == 0).count();
        let odd_zero = head.iter().skip(1).step_by(2).filter(|b| **b == 0).count();
        let half = head.len() / 2;
        let enc = if odd_zero * 10 > half * 9 {
            Some(encoding_rs::UTF_16LE)
        } else if even_zero * 10 > half * 9 {
            Some(encoding_rs::UTF_16BE)
        } else {
            None
        };
        if let Some(enc) = enc {
            let (text, had_errors) = enc.decode_without_bom_handling(bytes);
            if !had_errors {
                return Ok(Decoded {
                    text: text.into_owned(),
                    encoding: enc.name(),
                    diagnostics: Vec::new(),
                });
            }
        }
    }
    if let Some(pos) = bytes.iter().position(|b| *b == 0) {
        let line = bytes[..pos].iter().filter(|b| **b == b'\n').count() + 1;
        return Err(format!(
            "line {line}: contains a NUL byte; this looks like a binary file, not a bibliography"
        ));
    }
    match std::str::from_utf8(bytes) {
        Ok(s) => Ok(Decoded {
            text: s.to_string(),
            encoding: "UTF-8",
            diagnostics: Vec::new(),
        }),
        Err(_) => Ok(decode_mixed(bytes)),
    }
}

/// Guess the format from the content first and the file extension second.
pub fn sniff(text: &str, extension: Option<&str>) -> Option<Format> {
    let ext = extension.map(|e| e.to_ascii_lowercase());
    let t = text.trim_start_matches('\u{feff}').trim_start();
    if t.starts_with('[') || t.starts_with('{') {
        if let Ok(v) = serde_json::from_str::<serde_json::Value>(t) {
            return Some(if csl::is_csl_json(&v) {
                Format::CslJson
            } else {
                Format::Json
            });
        }
    }
    if csl::looks_like_yaml(t) {
        return Some(Format::CslYaml);
    }
    if ris::looks_like(t) {
        return Some(Format::Ris);
    }
    if bibtex::looks_like(t) {
        return Some(Format::Bibtex);
    }
    if results_text::looks_like(t) {
        return Some(Format::ResultsText);
    }
    match ext.as_deref() {
        Some("bib" | "bibtex" | "biblatex") => Some(Format::Bibtex),
        Some("ris" | "enw") => Some(Format::Ris),
        Some("json") => Some(Format::Json),
        Some("yaml" | "yml") => Some(Format::CslYaml),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes() {
        assert_eq!(decode(b"\xef\xbb\xbf@a{x}", None).unwrap().text, "@a{x}");
        // The by-value path gives the same results.
        for bytes in [
            &b"\xef\xbb\xbf@a{x}"[..],
            b"@a{x}",
            b"title = {M\xfcller}",
            b"\xff\xfe@\0a\0",
            b"\x89PNG\r\n",
            b"ab\ncd\0ef",
        ] {
            assert_eq!(decode_owned(bytes.to_vec(), None), decode(bytes, None), "{bytes:?}");
        }
        let utf16: Vec<u8> = [0xff, 0xfe]
            .into_iter()
            .chain("TY  - JOUR".encode_utf16().flat_map(|u| u.to_le_bytes()))
            .collect();
        let d = decode(&utf16, None).unwrap();
        assert_eq!(d.text, "TY  - JOUR");
        assert_eq!(d.encoding, "UTF-16LE");
        let d = decode(b"title = {M\xfcller}", None).unwrap();
        assert_eq!(d.text, "title = {Müller}");
        assert_eq!(d.encoding, "windows-1252");
        assert!(decode(b"\x89PNG\r\n", None).unwrap_err().contains("PNG"));
        assert!(decode(b"ab\ncd\0ef", None).unwrap_err().contains("line 2"));
        assert_eq!(decode(b"M\xfcller", Some("latin1")).unwrap().text, "Müller");
        // A UTF-8 file with one Latin-1 line: only that line is read as Windows-1252.
        let mut bytes = b"@a{k1, author = {M\xc3\xbcller}}\n@a{k2, author = {M\xfcller}}\n".to_vec();
        bytes.extend_from_slice("@a{k3, title = {Ørsted – café}}\n".as_bytes());
        for d in [
            decode(&bytes, None).unwrap(),
            decode_owned(bytes.clone(), None).unwrap(),
        ] {
            assert_eq!(d.text.matches("Müller").count(), 2, "{}", d.text);
            assert!(d.text.contains("Ørsted – café"));
            assert_eq!(d.encoding, "UTF-8");
            assert_eq!(d.diagnostics.len(), 1);
            assert_eq!(d.diagnostics[0].line, Some(2));
            assert!(
                d.diagnostics[0].message.contains("line(s) 2"),
                "{}",
                d.diagnostics[0].message
            );
        }
        // With a UTF-8 byte-order mark too.
        let mut bom = b"\xef\xbb\xbf".to_vec();
        bom.extend_from_slice(&bytes);
        assert_eq!(decode(&bom, None).unwrap().text.matches("Müller").count(), 2);
        // A Latin-1 file throughout is still reported as Windows-1252, without a warning.
        let d = decode(b"a\nM\xfcller\n\xe9t\xe9\n", None).unwrap();
        assert_eq!((d.text.as_str(), d.encoding), ("a\nMüller\nété\n", "windows-1252"));
        assert!(d.diagnostics.is_empty());
        assert!(decode(b"x", Some("klingon")).is_err());
    }
}
