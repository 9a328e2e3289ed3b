//! Where each brace group of a text ends, found in one pass.
//!
//! The TeX converters ask "where does the group opened here close?" at every command with an
//! argument. Answered by a scan each time, that is quadratic in nested groups (each level scans
//! the rest of the value) and in unclosed ones (`\emph{` a hundred thousand times: each scans
//! to the end of the text and finds nothing). [`Groups`] pairs every brace of the whole value
//! once, on first use, and then answers from the table for the value and every part of it.

use std::cell::OnceCell;

/// Texts shorter than this are scanned (the table would cost more than it saves).
const INDEX_FROM: usize = 512;

/// The brace pairs of one text, for [`Groups::end`] on it and on its parts (`&top[a..b]`).
pub(crate) struct Groups<'t> {
    top: &'t str,
    table: OnceCell<Table>,
}

#[derive(Default)]
struct Table {
    /// (position of a `{`, position after its `}`), sorted by the first.
    pairs: Vec<(u32, u32)>,
    /// Positions of `{` that never close, sorted.
    open: Vec<u32>,
}

impl<'t> Groups<'t> {
    pub(crate) fn new(top: &'t str) -> Groups<'t> {
        Groups {
            top,
            table: OnceCell::new(),
        }
    }

    /// Index after the balanced group starting at `s[start] == '{'`, or `None` when it does not
    /// close within `s` — what [`group_end`] says, without scanning when `s` is part of the
    /// text this was made for.
    pub(crate) fn end(&self, s: &str, start: usize) -> Option<usize> {
        let off = (s.as_ptr() as usize).wrapping_sub(self.top.as_ptr() as usize);
        let inside = off <= self.top.len() && s.len() <= self.top.len() - off;
        if !inside || self.top.len() < INDEX_FROM || self.top.len() > u32::MAX as usize {
            return group_end(s, start);
        }
        let table = self.table.get_or_init(|| Table::of(self.top));
        let at = (off + start) as u32;
        match table.pairs.binary_search_by_key(&at, |p| p.0) {
            Ok(k) => {
                let end = table.pairs[k].1 as usize - off;
                (end <= s.len()).then_some(end)
            }
            Err(_) if table.open.binary_search(&at).is_ok() => None,
            // A brace the whole text's reading escapes (`\{`), asked about by a reader that
            // split the text differently: scan.
            Err(_) => group_end(s, start),
        }
    }
}

impl Table {
    fn of(s: &str) -> Table {
        let b = s.as_bytes();
        let mut table = Table::default();
        let mut stack: Vec<u32> = Vec::new();
        let mut i = 0;
        while i < b.len() {
            match b[i] {
                b'\\' => i += 1,
                b'{' => stack.push(i as u32),
                b'}' => {
                    if let Some(open) = stack.pop() {
                        table.pairs.push((open, i as u32 + 1));
                    }
                }
                _ => {}
            }
            i += 1;
        }
        table.pairs.sort_unstable();
        table.open = stack;
        table
    }
}

/// Index after the balanced group starting at `s[start] == '{'`, or `None` when unbalanced
/// (a scan: [`Groups::end`] for anything that asks more than once).
pub(crate) fn group_end(s: &str, start: usize) -> Option<usize> {
    let b = s.as_bytes();
    let mut depth = 0usize;
    let mut i = start;
    while i < b.len() {
        match b[i] {
            b'\\' => i += 1,
            b'{' => depth += 1,
            b'}' => {
                depth = depth.saturating_sub(1);
                if depth == 0 {
                    return Some(i + 1);
                }
            }
            _ => {}
        }
        i += 1;
    }
    None
}

#[cfg(test)]
mod tests {
    use super::{group_end, Groups};

    #[test]
    fn the_table_answers_as_the_scan_does() {
        let mut s = String::from("a {b {c} \\{ d} {e \\} f} {unclosed {x} \\\\{y} ");
        while s.len() < 2 * super::INDEX_FROM {
            s.push_str("{g{h}} \\{ {");
        }
        let g = Groups::new(&s);
        for (i, _) in s.match_indices('{') {
            assert_eq!(g.end(&s, i), group_end(&s, i), "at {i}");
            // And on a part of the text, as the converters ask about an argument.
            let part = &s[i..(s.len() - 7).max(i)];
            assert_eq!(g.end(part, 0), group_end(part, 0), "part at {i}");
        }
        // A text that is not the table's is scanned.
        let other = String::from("{x}");
        assert_eq!(g.end(&other, 0), Some(3));
    }
}
