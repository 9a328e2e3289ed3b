//! What a writer gives back, and where an incremental writer puts its text.

use crate::error::Diagnostic;

/// Where an incremental writer's `finish_to` puts its text, piece by piece (a file, a
/// comparison against the old file, or a `String`), so a large export is never concatenated.
pub type Out<'a> = dyn FnMut(&str) -> std::io::Result<()> + 'a;

/// Passes text on to an [`Out`], except that when the whole text ends with a blank line the
/// last newline is left out (how the BibTeX writer ends its files).
pub(crate) struct TrimLastNewline<'o, 'a> {
    out: &'o mut Out<'a>,
    /// A newline held back (the text so far would end with a blank line), written before
    /// the next text.
    held: bool,
    /// The text passed on so far ends with a newline.
    ends_nl: bool,
}

impl<'o, 'a> TrimLastNewline<'o, 'a> {
    pub(crate) fn new(out: &'o mut Out<'a>) -> Self {
        TrimLastNewline {
            out,
            held: false,
            ends_nl: false,
        }
    }

    pub(crate) fn put(&mut self, s: &str) -> std::io::Result<()> {
        if s.is_empty() {
            return Ok(());
        }
        if self.held {
            (self.out)("\n")?;
            self.held = false;
            self.ends_nl = true;
        }
        let Some(rest) = s.strip_suffix('\n') else {
            self.ends_nl = false;
            return (self.out)(s);
        };
        let blank = if rest.is_empty() {
            self.ends_nl
        } else {
            rest.ends_with('\n')
        };
        if blank {
            if !rest.is_empty() {
                (self.out)(rest)?;
                self.ends_nl = true;
            }
            self.held = true;
        } else {
            (self.out)(s)?;
            self.ends_nl = true;
        }
        Ok(())
    }
}

/// The text of an export plus warnings about what could not be expressed.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Written {
    pub text: String,
    pub diagnostics: Vec<Diagnostic>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn trimming_the_last_newline_piece_by_piece_equals_trimming_the_whole() {
        // Every sequence of up to four pieces: the same as concatenating, then dropping one
        // newline when the text ends with a blank line (how the BibTeX writer ended files).
        const PIECES: [&str; 6] = ["", "a", "\n", "\n\n", "a\n", "a\n\n"];
        let mut seqs: Vec<Vec<&str>> = vec![vec![]];
        for _ in 0..4 {
            let longer: Vec<Vec<&str>> = seqs
                .iter()
                .flat_map(|s| PIECES.iter().map(move |p| [s.clone(), vec![*p]].concat()))
                .collect();
            seqs.extend(longer);
        }
        seqs.sort();
        seqs.dedup();
        assert!(seqs.len() > 1000);
        for seq in seqs {
            let mut whole = seq.concat();
            if whole.ends_with("\n\n") {
                whole.pop();
            }
            let mut got = String::new();
            {
                let mut out = |s: &str| -> std::io::Result<()> {
                    got.push_str(s);
                    Ok(())
                };
                let mut t = TrimLastNewline::new(&mut out);
                for p in &seq {
                    t.put(p).unwrap();
                }
            }
            assert_eq!(got, whole, "{seq:?}");
        }
    }
}
