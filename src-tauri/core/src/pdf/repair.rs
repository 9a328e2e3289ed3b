//! Rebuilding a broken cross-reference table, as poppler and pdf.js do: scan the file for
//! `N G obj` headers and append a fresh xref section and trailer that point at them. `lopdf`
//! alone gives up on a missing `xref` keyword, a truncated download or a lost trailer.

use std::fmt::Write;

/// The file with a new xref section and trailer appended, or `None` when no catalog
/// (`/Type /Catalog`) can be found to be its root.
pub(super) fn rebuild(bytes: &[u8]) -> Option<Vec<u8>> {
    let (objects, bad_gens) = scan_objects(bytes);
    let root = objects
        .iter()
        .rev()
        .find(|&&(_, _, off)| is_catalog(&bytes[off..]))
        .map(|&(n, g, _)| (n, g))?;
    let mut tail = String::from("\nxref\n0 1\n0000000000 65535 f\r\n");
    let mut max = 0;
    for &(num, gen, off) in &objects {
        // One subsection per object: the table stays as small as the file, whatever numbers
        // a hostile file declares.
        let _ = write!(tail, "{num} 1\n{off:010} {gen:05} n\r\n");
        max = max.max(num);
    }
    let mut trailer = format!("/Size {} /Root {} {} R", max + 1, root.0, root.1);
    if let Some(t) = last_trailer(bytes) {
        for key in ["/Info", "/Encrypt"] {
            if let Some(r) = reference_after(t, key) {
                let _ = write!(trailer, " {key} {r}");
            }
        }
        if let Some(id) = array_after(t, "/ID") {
            let _ = write!(trailer, " /ID {id}");
        }
    }
    let mut out = bytes.to_vec();
    // Generation numbers too large for the format ("3 18446744073709551616 obj") become 0,
    // in place, so that the object parses.
    for &(_, _, off, gen_len) in &bad_gens {
        let start = off;
        out[start] = b'0';
        for b in &mut out[start + 1..start + gen_len] {
            *b = b' ';
        }
    }
    let _ = write!(tail, "trailer\n<< {trailer} >>\n");
    out.extend_from_slice(tail.as_bytes());
    let xref_at = bytes.len() + 1;
    out.extend_from_slice(format!("startxref\n{xref_at}\n%%EOF\n").as_bytes());
    Some(out)
}

/// Every `N G obj` at the start of a line: (number, generation, offset), in file order; a
/// later definition of the same number wins (an incremental update).
/// An object whose generation number is out of range: (number, 0, offset of the generation,
/// its length).
type BadGen = (u32, u16, usize, usize);

/// Also returns the objects whose generation number is out of range: (number, 0, offset of
/// the generation, its length).
fn scan_objects(bytes: &[u8]) -> (Vec<(u32, u16, usize)>, Vec<BadGen>) {
    let mut found: std::collections::BTreeMap<u32, (u16, usize)> = Default::default();
    let mut bad = Vec::new();
    let mut i = 0;
    while let Some(k) = memchr::memmem::find(&bytes[i..], b"obj") {
        let at = i + k;
        i = at + 3;
        if let Some((num, gen, start, gen_at)) = header_before(bytes, at) {
            let gen = match gen {
                Some(g) => g,
                None => {
                    bad.push((num, 0, gen_at.0, gen_at.1));
                    0
                }
            };
            found.insert(num, (gen, start));
        }
    }
    let mut v: Vec<_> = found.into_iter().map(|(n, (g, o))| (n, g, o)).collect();
    v.sort_by_key(|&(_, _, o)| o);
    (v, bad)
}

/// `N G ` right before `obj` at `at`, starting a line: the object number, the generation
/// (`None` when out of range), the offset of `N`, and the offset and length of `G`.
type Header = (u32, Option<u16>, usize, (usize, usize));

fn header_before(bytes: &[u8], at: usize) -> Option<Header> {
    let after = bytes.get(at + 3).copied();
    if after.is_some_and(|c| c.is_ascii_alphanumeric()) {
        return None; // `objstm`, `object`
    }
    let mut j = at;
    let take_number = |j: &mut usize| -> Option<usize> {
        while *j > 0 && bytes[*j - 1] == b' ' {
            *j -= 1;
        }
        let end = *j;
        while *j > 0 && bytes[*j - 1].is_ascii_digit() {
            *j -= 1;
        }
        (end > *j && end - *j <= 24).then_some(end)
    };
    let gen_end = take_number(&mut j)?;
    let gen_at = (j, gen_end - j);
    let gen: Option<u16> = std::str::from_utf8(&bytes[j..gen_end]).ok()?.parse().ok();
    let num_end = take_number(&mut j)?;
    let num: u32 = std::str::from_utf8(&bytes[j..num_end]).ok()?.parse().ok()?;
    let line_start = j == 0 || matches!(bytes[j - 1], b'\n' | b'\r' | b' ' | b'>');
    (line_start && num_end < gen_end).then_some((num, gen, j, gen_at))
}

/// The object starting here (up to its `endobj`) is the document catalog.
fn is_catalog(obj: &[u8]) -> bool {
    let end = memchr::memmem::find(obj, b"endobj").unwrap_or(obj.len().min(4096));
    let body = &obj[..end.min(64 * 1024)];
    memchr::memmem::find(body, b"/Catalog").is_some() && memchr::memmem::find(body, b"/Pages").is_some()
}

/// The text of the last `trailer` dictionary in the file, if any.
fn last_trailer(bytes: &[u8]) -> Option<&str> {
    let at = memchr::memmem::rfind(bytes, b"trailer")?;
    let rest = &bytes[at..bytes.len().min(at + 4096)];
    std::str::from_utf8(rest).ok().or_else(|| {
        let valid = std::str::from_utf8(rest).err()?.valid_up_to();
        std::str::from_utf8(&rest[..valid]).ok()
    })
}

/// `N G R` after `key` in `text`.
fn reference_after(text: &str, key: &str) -> Option<String> {
    let at = text.find(key)? + key.len();
    let words: Vec<&str> = text[at..].split_whitespace().take(3).collect();
    match words.as_slice() {
        [n, g, r] if n.parse::<u32>().is_ok() && g.parse::<u16>().is_ok() && r.starts_with('R') => {
            Some(format!("{n} {g} R"))
        }
        _ => None,
    }
}

/// The `[ … ]` array after `key` in `text`.
fn array_after(text: &str, key: &str) -> Option<String> {
    let at = text.find(key)? + key.len();
    let rest = text[at..].trim_start();
    let end = rest.find(']')?;
    rest.starts_with('[').then(|| rest[..=end].to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_object_headers_at_line_starts_only() {
        let pdf = b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n2 0 obj <<>> endobj\nx10 0 obj\n";
        let objs = scan_objects(pdf).0;
        assert_eq!(
            objs.iter().map(|o| (o.0, o.1)).collect::<Vec<_>>(),
            vec![(1, 0), (2, 0)]
        );
        assert_eq!(&pdf[objs[0].2..objs[0].2 + 7], b"1 0 obj");
    }

    #[test]
    fn rebuilt_file_has_a_trailer_pointing_at_the_catalog() {
        let pdf = b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n";
        let out = String::from_utf8(rebuild(pdf).unwrap()).unwrap();
        assert!(out.contains("/Root 1 0 R"), "{out}");
        assert!(out.ends_with("%%EOF\n"));
        assert_eq!(rebuild(b"%PDF-1.4\n1 0 obj\n<< /Type /Page >>\nendobj\n"), None);
        let odd = b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n2 99999999 obj\n<<>>\nendobj\n";
        let out = String::from_utf8(rebuild(odd).unwrap()).unwrap();
        assert!(out.contains("\n2 0        obj"), "{out}");
    }
}
