//! The tolerant scanner: splits input into blocks (`@string`, `@preamble`, `@comment`, entries)
//! without resolving anything. One bad block gives an error and scanning resumes at the next
//! `@` at the start of a line, so it never loses the entries after it.
//!
//! Rules (classic BibTeX plus what biber and real files need):
//! - Outside blocks, text is ignored, and a `%` starts a comment to the end of the line (the
//!   `%@BOOK{…` lines of commented-out entries are skipped, as biber and bibtool do).
//! - Inside an entry, `%` starts a comment between tokens, never inside a `{…}` or `"…"` value.
//! - `{…}` and `(…)` delimiters; keys are everything up to `,` (spaces before the comma are
//!   allowed); an entry whose first token is followed by `=` has no key.
//! - While inside a value, a line that starts with `@word{` ends the entry as unbalanced.

use crate::budget::MAX_FIELD_BYTES;

/// A piece of a value: `{…}`, `"…"` (inner text), or a bare number or macro name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Piece<'a> {
    Braced(&'a str),
    Quoted(&'a str),
    Bare(&'a str),
}

#[derive(Debug, Clone)]
pub struct RawValue<'a> {
    pub pieces: smallvec::SmallVec<[Piece<'a>; 1]>,
    /// The value's text exactly as written (pieces and `#`).
    pub raw: &'a str,
}

#[derive(Debug, Clone)]
pub struct RawField<'a> {
    pub name: &'a str,
    pub value: RawValue<'a>,
}

#[derive(Debug, Clone)]
#[allow(dead_code)] // lines of preambles and comments are kept for diagnostics to come
pub enum Block<'a> {
    Entry {
        ty: &'a str,
        key: &'a str,
        fields: Vec<RawField<'a>>,
        /// From `@` to the closing delimiter.
        text: &'a str,
        line: usize,
        /// Set when the entry is broken: the reason; `fields` are those read before it.
        broken: Option<String>,
    },
    String {
        name: &'a str,
        value: RawValue<'a>,
        line: usize,
    },
    Preamble {
        value: RawValue<'a>,
        line: usize,
    },
    Comment {
        text: &'a str,
        line: usize,
    },
    Error {
        line: usize,
        message: String,
    },
}

pub struct Scanner<'a> {
    /// Type, key and fields of a broken entry, read before the error.
    partial: Option<(&'a str, &'a str, Vec<RawField<'a>>)>,
    /// The first field of the current entry past [`MAX_FIELD_BYTES`]: its name and size.
    too_big: Option<(&'a str, usize)>,
    /// Text outside blocks: where the first non-blank one is, and where the first binary-looking
    /// character (a control character, U+FFFD) is and how many there are.
    stray: Option<usize>,
    binary: Option<usize>,
    binary_count: usize,
    src: &'a str,
    b: &'a [u8],
    pos: usize,
    line_pos: usize,
    line: usize,
}

struct Fail {
    pos: usize,
    message: String,
}

fn fail<T>(pos: usize, message: impl Into<String>) -> Result<T, Fail> {
    Err(Fail {
        pos,
        message: message.into(),
    })
}

fn is_ident(c: u8) -> bool {
    c.is_ascii_alphanumeric() || c == b'_' || c == b'-' || c == b':' || c == b'.' || c == b'+'
}

/// Bytes that end a field name, a macro name or a bare value.
fn ends_token(c: u8) -> bool {
    c.is_ascii_whitespace() || matches!(c, b'=' | b',' | b'{' | b'}' | b'(' | b')' | b'"' | b'#' | b'%')
}

impl<'a> Scanner<'a> {
    pub fn new(src: &'a str) -> Scanner<'a> {
        let pos = if src.starts_with('\u{feff}') { 3 } else { 0 };
        Scanner {
            partial: None,
            too_big: None,
            stray: None,
            binary: None,
            binary_count: 0,
            src,
            b: src.as_bytes(),
            pos,
            line_pos: 0,
            line: 1,
        }
    }

    /// A non-blank byte `c` at `pos` outside blocks (BibTeX reads such text as a comment).
    fn outside(&mut self, c: u8) {
        self.stray.get_or_insert(self.pos);
        let next = self.b.get(self.pos + 1..self.pos + 3);
        let binary = (c < 0x20 || c == 0x7f)
            || (c == 0xef && next == Some(b"\xbf\xbd"))
            || (c == 0xc2 && next.is_some_and(|n| (0x80..=0x9f).contains(&n[0])));
        if binary {
            self.binary.get_or_insert(self.pos);
            self.binary_count += 1;
        }
    }

    /// Text outside blocks so far: the line of the first non-blank text, and the line of the
    /// first binary-looking character with how many there are.
    pub(super) fn outside_text(&mut self) -> (Option<usize>, Option<(usize, usize)>) {
        let stray = self.stray.map(|p| self.line_at(p));
        let binary = self.binary.map(|p| (self.line_at(p), self.binary_count));
        (stray, binary)
    }

    /// How far into the input the scanner has read (bytes).
    pub fn position(&self) -> usize {
        self.pos
    }

    /// 1-based line of byte `pos` (positions asked for only move forward, mostly).
    fn line_at(&mut self, pos: usize) -> usize {
        if pos < self.line_pos {
            self.line_pos = 0;
            self.line = 1;
        }
        let end = pos.min(self.b.len());
        self.line += self.b[self.line_pos..end].iter().filter(|&&c| c == b'\n').count();
        self.line_pos = end;
        self.line
    }

    fn at_line_start_entry(&self, at: usize) -> bool {
        // `at` is the index of '@' right after a newline (possibly after spaces).
        let b = self.b;
        let mut j = at + 1;
        while j < b.len() && b[j].is_ascii_alphabetic() {
            j += 1;
        }
        if j == at + 1 {
            return false;
        }
        while j < b.len() && (b[j] == b' ' || b[j] == b'\t') {
            j += 1;
        }
        j < b.len() && (b[j] == b'{' || b[j] == b'(')
    }

    /// Is there an entry start (`@word{` at the start of the line) right after the newline at `nl`?
    fn entry_after_newline(&self, nl: usize) -> bool {
        let b = self.b;
        let mut j = nl + 1;
        while j < b.len() && (b[j] == b' ' || b[j] == b'\t') {
            j += 1;
        }
        j < b.len() && b[j] == b'@' && self.at_line_start_entry(j)
    }

    /// Skip whitespace and `%` comments (inside entries).
    fn skip_ws(&mut self) {
        let b = self.b;
        while self.pos < b.len() {
            let c = b[self.pos];
            if c.is_ascii_whitespace() {
                self.pos += 1;
            } else if c == b'%' {
                while self.pos < b.len() && b[self.pos] != b'\n' && b[self.pos] != b'\r' {
                    self.pos += 1;
                }
            } else {
                break;
            }
        }
    }

    fn ident(&mut self) -> &'a str {
        let start = self.pos;
        while self.pos < self.b.len() && is_ident(self.b[self.pos]) {
            self.pos += 1;
        }
        &self.src[start..self.pos]
    }

    /// Next block, or `None` at the end.
    pub fn next_block(&mut self) -> Option<Block<'a>> {
        loop {
            let b = self.b;
            // Skip text outside blocks.
            while self.pos < b.len() {
                match b[self.pos] {
                    b'@' => break,
                    b'%' => {
                        while self.pos < b.len() && b[self.pos] != b'\n' && b[self.pos] != b'\r' {
                            self.pos += 1;
                        }
                    }
                    c if c.is_ascii_whitespace() => self.pos += 1,
                    c => {
                        self.outside(c);
                        self.pos += 1;
                    }
                }
            }
            if self.pos >= b.len() {
                return None;
            }
            let start = self.pos;
            self.pos += 1;
            while self.pos < b.len() && (b[self.pos] == b' ' || b[self.pos] == b'\t') {
                self.pos += 1;
            }
            let ty = self.ident();
            if ty.is_empty() {
                continue;
            }
            while self.pos < b.len() && b[self.pos].is_ascii_whitespace() {
                self.pos += 1;
            }
            let open = b.get(self.pos).copied();
            if open != Some(b'{') && open != Some(b'(') {
                if ty.eq_ignore_ascii_case("comment") {
                    // Classic `@comment` without braces: the rest of the line is a comment.
                    continue;
                }
                let line_start = self.src[..start].rfind(['\n', '\r']).map_or(0, |p| p + 1);
                let at_line_start = self.src[line_start..start].trim().is_empty();
                if at_line_start {
                    let line = self.line_at(start);
                    return Some(Block::Error {
                        line,
                        message: format!("@{ty} is not followed by '{{' or '('; skipped"),
                    });
                }
                continue;
            }
            let close = if open == Some(b'{') { b'}' } else { b')' };
            self.pos += 1;
            let line = self.line_at(start);
            let lower = ty.to_ascii_lowercase();
            let result = match lower.as_str() {
                "comment" => self.comment(start, close, line),
                "preamble" => self.preamble(close, line),
                "string" => self.string(close, line),
                _ => self.entry(ty, start, close, line),
            };
            match result {
                Ok(block) => return Some(block),
                Err(f) => {
                    let fline = self.line_at(f.pos.max(start));
                    let at = if fline != line {
                        format!(" (at line {fline})")
                    } else {
                        String::new()
                    };
                    let what = if lower == "string" || lower == "preamble" {
                        format!("@{ty}")
                    } else {
                        format!("entry @{ty}")
                    };
                    // Resume at the next `@` at the start of a line after the block start.
                    self.pos = self.next_line_start_at(start + 1);
                    if let Some((ty, key, fields)) = self.partial.take() {
                        if !fields.is_empty() {
                            return Some(Block::Entry {
                                ty,
                                key,
                                fields,
                                text: self.src[start..self.pos].trim_end(),
                                line,
                                broken: Some(format!("{}{at}", f.message)),
                            });
                        }
                    }
                    return Some(Block::Error {
                        line,
                        message: format!("{what} skipped: {}{at}", f.message),
                    });
                }
            }
        }
    }

    fn next_line_start_at(&self, from: usize) -> usize {
        let b = self.b;
        let mut i = from;
        while i < b.len() {
            if (b[i] == b'\n' || b[i] == b'\r') && self.entry_after_newline(i) {
                return i + 1;
            }
            i += 1;
        }
        b.len()
    }

    fn comment(&mut self, _start: usize, close: u8, line: usize) -> Result<Block<'a>, Fail> {
        let b = self.b;
        let inner_start = self.pos;
        let mut depth = 0i32;
        while self.pos < b.len() {
            let c = b[self.pos];
            if c == b'{' {
                depth += 1;
            } else if c == b'}' && depth > 0 {
                depth -= 1;
            } else if c == close && depth == 0 {
                let text = &self.src[inner_start..self.pos];
                self.pos += 1;
                return Ok(Block::Comment { text, line });
            } else if (c == b'\n' || c == b'\r') && self.entry_after_newline(self.pos) {
                // Unbalanced comment (junk text): end it at the next entry.
                let text = &self.src[inner_start..self.pos];
                return Ok(Block::Comment { text, line });
            }
            self.pos += 1;
        }
        Ok(Block::Comment {
            text: &self.src[inner_start..],
            line,
        })
    }

    fn preamble(&mut self, close: u8, line: usize) -> Result<Block<'a>, Fail> {
        let value = self.value(close)?;
        if value.raw.len() > MAX_FIELD_BYTES {
            return fail(self.pos, too_big_message("value", value.raw.len()));
        }
        self.skip_ws();
        if self.b.get(self.pos) != Some(&close) {
            return fail(self.pos, "expected the closing delimiter after the @preamble value");
        }
        self.pos += 1;
        Ok(Block::Preamble { value, line })
    }

    fn string(&mut self, close: u8, line: usize) -> Result<Block<'a>, Fail> {
        self.skip_ws();
        let name = self.field_name();
        if name.is_empty() {
            return fail(self.pos, "expected a macro name in @string");
        }
        self.skip_ws();
        if self.b.get(self.pos) != Some(&b'=') {
            return fail(self.pos, format!("missing '=' after @string name {name:?}"));
        }
        self.pos += 1;
        let value = self.value(close)?;
        if value.raw.len() > MAX_FIELD_BYTES {
            return fail(self.pos, too_big_message(name, value.raw.len()));
        }
        self.skip_ws();
        if self.b.get(self.pos) == Some(&b',') {
            self.pos += 1;
            self.skip_ws();
        }
        if self.b.get(self.pos) != Some(&close) {
            return fail(self.pos, "expected the closing delimiter after the @string value");
        }
        self.pos += 1;
        Ok(Block::String { name, value, line })
    }

    fn field_name(&mut self) -> &'a str {
        let start = self.pos;
        while self.pos < self.b.len() && !ends_token(self.b[self.pos]) {
            self.pos += 1;
        }
        &self.src[start..self.pos]
    }

    fn entry(&mut self, ty: &'a str, start: usize, close: u8, line: usize) -> Result<Block<'a>, Fail> {
        let mut key = "";
        let mut fields = Vec::with_capacity(16);
        let result = self.entry_fields(close, &mut key, &mut fields);
        if let Some((name, len)) = self.too_big.take() {
            // Nothing of the entry is copied: its text is as large as the field.
            let rest = match result {
                Ok(()) => String::new(),
                Err(f) => format!(" (and it is broken: {})", f.message),
            };
            return Ok(Block::Error {
                line,
                message: format!("entry @{ty}{{{key}}} skipped: {}{rest}", too_big_message(name, len)),
            });
        }
        match result {
            Ok(()) => Ok(Block::Entry {
                ty,
                key,
                fields,
                text: &self.src[start..self.pos],
                line,
                broken: None,
            }),
            Err(f) => {
                self.partial = Some((ty, key, fields));
                Err(f)
            }
        }
    }

    fn entry_fields(&mut self, close: u8, key_out: &mut &'a str, fields: &mut Vec<RawField<'a>>) -> Result<(), Fail> {
        let b = self.b;
        self.skip_ws();
        // The key: up to ',' or the close, or whitespace.
        let key_start = self.pos;
        while self.pos < b.len() {
            let c = b[self.pos];
            if c == b',' || c == close || c.is_ascii_whitespace() || c == b'=' || (c == b'}' && close == b'}') {
                break;
            }
            if c == b'\n' {
                break;
            }
            self.pos += 1;
        }
        let key = &self.src[key_start..self.pos];
        *key_out = key;
        self.skip_ws();
        match b.get(self.pos) {
            Some(b',') => self.pos += 1,
            Some(&c) if c == close => {
                self.pos += 1;
                return Ok(());
            }
            Some(b'=') => {
                // No key: the first token was a field name.
                *key_out = "";
                self.pos = key_start;
            }
            None => return fail(self.pos, "unexpected end of input after the key"),
            Some(_) => {
                return fail(self.pos, format!("expected ',' after the key {key:?}"));
            }
        }
        loop {
            self.skip_ws();
            let Some(&c) = b.get(self.pos) else {
                return fail(self.pos, "unexpected end of input: missing closing brace");
            };
            if c == close {
                self.pos += 1;
                break;
            }
            if c == b',' {
                self.pos += 1;
                continue;
            }
            if c == b'@' && self.src[..self.pos].ends_with(['\n', '\r']) && self.at_line_start_entry(self.pos) {
                return fail(self.pos, "missing closing brace before the next entry");
            }
            let name_pos = self.pos;
            let name = self.field_name();
            if name.is_empty() {
                let ch = self.src[self.pos..].chars().next().unwrap_or(' ');
                return fail(self.pos, format!("expected a field name, found {ch:?}"));
            }
            self.skip_ws();
            if b.get(self.pos) != Some(&b'=') {
                return fail(name_pos, format!("missing '=' after field name {name:?}"));
            }
            self.pos += 1;
            let value = self.value(close)?;
            if value.raw.len() > MAX_FIELD_BYTES {
                self.too_big.get_or_insert((name, value.raw.len()));
            } else {
                fields.push(RawField { name, value });
            }
            self.skip_ws();
            match b.get(self.pos) {
                Some(b',') => self.pos += 1,
                Some(&c) if c == close => {}
                None => return fail(self.pos, "unexpected end of input: missing closing brace"),
                Some(_) => {
                    let ch = self.src[self.pos..].chars().next().unwrap_or(' ');
                    return fail(
                        self.pos,
                        format!("expected ',' or the end of the entry after field {name:?}, found {ch:?}"),
                    );
                }
            }
        }
        Ok(())
    }

    /// A value: pieces joined by `#`.
    fn value(&mut self, close: u8) -> Result<RawValue<'a>, Fail> {
        let b = self.b;
        let mut pieces = smallvec::SmallVec::new();
        self.skip_ws();
        let start = self.pos;
        let mut end;
        loop {
            self.skip_ws();
            let Some(&c) = b.get(self.pos) else {
                return fail(self.pos, "unexpected end of input in a field value");
            };
            match c {
                b'{' => {
                    let inner = self.pos + 1;
                    let e = self.balanced(inner, None)?;
                    pieces.push(Piece::Braced(&self.src[inner..e]));
                    self.pos = e + 1;
                }
                b'"' => {
                    let inner = self.pos + 1;
                    let e = self.balanced(inner, Some(b'"'))?;
                    pieces.push(Piece::Quoted(&self.src[inner..e]));
                    self.pos = e + 1;
                }
                c if !ends_token(c) && c != close => {
                    let s = self.pos;
                    while self.pos < b.len() && !ends_token(b[self.pos]) && b[self.pos] != close {
                        self.pos += 1;
                    }
                    pieces.push(Piece::Bare(&self.src[s..self.pos]));
                }
                _ => {
                    let ch = self.src[self.pos..].chars().next().unwrap_or(' ');
                    return fail(self.pos, format!("expected a field value, found {ch:?}"));
                }
            }
            end = self.pos;
            self.skip_ws();
            if b.get(self.pos) == Some(&b'#') {
                self.pos += 1;
                continue;
            }
            break;
        }
        Ok(RawValue {
            pieces,
            raw: &self.src[start..end],
        })
    }

    /// Index of the `}` (or `quote`) closing a group whose content starts at `from`. Jumps
    /// from brace to brace (memchr); the newlines in between are each checked for an entry
    /// starting on the next line, in order, as if every byte were looked at.
    fn balanced(&self, from: usize, quote: Option<u8>) -> Result<usize, Fail> {
        let b = self.b;
        let mut depth = 0usize;
        let mut i = from;
        while i < b.len() {
            let next = match quote {
                Some(_) => memchr::memchr3(b'{', b'}', b'"', &b[i..]),
                None => memchr::memchr2(b'{', b'}', &b[i..]),
            }
            .map(|k| i + k);
            let end = next.unwrap_or(b.len());
            for k in memchr::memchr2_iter(b'\n', b'\r', &b[i..end]) {
                if self.entry_after_newline(i + k) {
                    return fail(i + k + 1, "unbalanced braces: the value runs into the next entry");
                }
            }
            let Some(p) = next else { break };
            match b[p] {
                b'{' => depth += 1,
                b'}' => {
                    if depth == 0 {
                        if quote.is_none() {
                            return Ok(p);
                        }
                        return fail(p, "unbalanced '}' in a quoted value");
                    }
                    depth -= 1;
                }
                _ if depth == 0 => return Ok(p),
                _ => {}
            }
            i = p + 1;
        }
        fail(
            from,
            "unbalanced braces: the value is not closed before the end of input",
        )
    }
}

fn too_big_message(name: &str, len: usize) -> String {
    format!(
        "field {name} is {len} bytes, over the limit of {} MiB per field",
        MAX_FIELD_BYTES >> 20
    )
}

/// Whether `raw` is a bare macro reference (not a number).
pub fn is_macro(p: &Piece<'_>) -> Option<String> {
    match p {
        Piece::Bare(s) if !s.bytes().all(|c| c.is_ascii_digit()) => Some(s.to_ascii_lowercase()),
        _ => None,
    }
}
