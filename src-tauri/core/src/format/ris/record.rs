//! RIS records as read, before mapping: tag lines and the fields of one `TY … ER` record
//! (shared by the reader, the vendor repairs and the writer's verbatim check).

/// One `TG  - value` line (continuations already joined).
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct RawField {
    pub tag: [u8; 2],
    pub value: String,
    pub line: usize,
}

impl RawField {
    pub fn tag(&self) -> &str {
        // Tags are two ASCII characters by construction.
        std::str::from_utf8(&self.tag).unwrap_or("??")
    }
    pub fn new(tag: &str, value: &str, line: usize) -> RawField {
        let b = tag.as_bytes();
        RawField {
            tag: [b[0], b[1]],
            value: value.to_string(),
            line,
        }
    }
}

/// One `TY … ER` record.
#[derive(Debug, Clone, Default)]
pub(crate) struct RawRecord {
    pub line: usize,
    pub ty: String,
    pub fields: Vec<RawField>,
    pub text: String,
    pub closed: bool,
}

impl RawRecord {
    pub fn first(&self, tag: &str) -> Option<&str> {
        self.fields
            .iter()
            .find(|f| f.tag() == tag && !f.value.trim().is_empty())
            .map(|f| f.value.as_str())
    }
    pub fn has(&self, tag: &str) -> bool {
        self.fields.iter().any(|f| f.tag() == tag)
    }
    pub fn values<'a>(&'a self, tag: &'a str) -> impl Iterator<Item = &'a str> + 'a {
        self.fields
            .iter()
            .filter(move |f| f.tag() == tag)
            .map(|f| f.value.as_str())
    }
}

/// Recognise a tag line: `TG  - value`, one or two spaces before `-`, empty value allowed.
/// Lines with leading blanks (ScienceDirect) count only in the strict two-space form.
pub(crate) fn tag_line(line: &str) -> Option<([u8; 2], &str)> {
    let body = line.trim_start_matches([' ', '\t']);
    let lead = line.len() - body.len();
    let b = body.as_bytes();
    if b.len() < 3 || !b[0].is_ascii_uppercase() || !(b[1].is_ascii_uppercase() || b[1].is_ascii_digit()) {
        return None;
    }
    let mut i = 2;
    while i < b.len() && b[i] == b' ' && i < 4 {
        i += 1;
    }
    let spaces = i - 2;
    if spaces == 0 || i >= b.len() || b[i] != b'-' || (lead > 0 && spaces != 2) {
        return None;
    }
    let rest = &body[i + 1..];
    if !rest.is_empty() && !rest.starts_with([' ', '\t']) {
        return None;
    }
    Some(([b[0], b[1]], rest.trim()))
}
