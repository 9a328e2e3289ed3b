//! A `pdf-extract` output device that collects each page's text, and for the first pages the
//! positioned lines [`metadata`](super::metadata) reads the title and authors from. It also
//! enforces the read's deadline and a per-page glyph budget: returning an error from
//! `output_character` stops `pdf-extract` mid-page.

use super::layout::{Line, PageLayout};
use pdf_extract::{MediaBox, OutputDev, OutputError, Transform};
use std::time::Instant;

/// Glyphs kept per page at most: a content stream that draws more is cut there (a real page
/// has a few thousand; a hostile one can loop a form XObject millions of times).
const MAX_GLYPHS_PER_PAGE: usize = 400_000;

/// The message of the error that stops extraction at the deadline.
pub(super) const DEADLINE: &str = "folio-pdf-deadline";

pub(super) struct Collector {
    deadline: Instant,
    /// Pages (1-based) whose lines are kept for layout.
    layout_pages: u32,
    page_num: u32,
    page_height: f64,
    page_width: f64,
    glyphs: usize,
    text: String,
    lines: Vec<Line>,
    first_char: bool,
    last_end: f64,
    last_y: f64,
    checks: u32,
}

impl Collector {
    pub(super) fn new(deadline: Instant, layout_pages: u32) -> Collector {
        Collector {
            deadline,
            layout_pages,
            page_num: 0,
            page_height: 0.0,
            page_width: 0.0,
            glyphs: 0,
            text: String::new(),
            lines: Vec::new(),
            first_char: false,
            last_end: 100_000.0,
            last_y: 0.0,
            checks: 0,
        }
    }

    /// The page's text and, for a layout page, its lines; resets for the next page.
    pub(super) fn take(&mut self) -> (String, Option<PageLayout>) {
        let text = clean(&std::mem::take(&mut self.text));
        let mut lines = std::mem::take(&mut self.lines);
        for l in &mut lines {
            l.text = clean(&l.text);
        }
        let layout = (self.page_num >= 1 && self.page_num <= self.layout_pages).then_some(PageLayout {
            page: self.page_num,
            width: self.page_width,
            height: self.page_height,
            lines,
        });
        (text, layout)
    }

    fn keep_layout(&self) -> bool {
        self.page_num <= self.layout_pages
    }

    fn push_line(&mut self, x: f64, y: f64, size: f64) {
        if self.keep_layout() {
            self.lines.push(Line {
                text: String::new(),
                x,
                y,
                size,
                end_x: x,
            });
        }
    }
}

fn stop(what: &str) -> OutputError {
    OutputError::IoError(std::io::Error::other(what.to_string()))
}

impl OutputDev for Collector {
    fn begin_page(
        &mut self,
        page_num: u32,
        media_box: &MediaBox,
        _art: Option<(f64, f64, f64, f64)>,
    ) -> Result<(), OutputError> {
        self.page_num = page_num;
        self.page_height = media_box.ury - media_box.lly;
        self.page_width = media_box.urx - media_box.llx;
        self.glyphs = 0;
        self.text.clear();
        self.lines.clear();
        self.first_char = false;
        self.last_end = 100_000.0;
        self.last_y = 0.0;
        Ok(())
    }

    fn end_page(&mut self) -> Result<(), OutputError> {
        Ok(())
    }

    /// The placement rules of pdf-extract's own `PlainTextOutput` (a line break when the
    /// baseline moves by more than 1.5 em, or back left and down by half an em; a space when
    /// the next glyph starts more than 0.1 em after the last one ended), plus lines for layout.
    fn output_character(
        &mut self,
        trm: &Transform,
        width: f64,
        _spacing: f64,
        font_size: f64,
        ch: &str,
    ) -> Result<(), OutputError> {
        self.checks = self.checks.wrapping_add(1);
        if self.checks.is_multiple_of(256) && Instant::now() > self.deadline {
            return Err(stop(DEADLINE));
        }
        self.glyphs += 1;
        if self.glyphs > MAX_GLYPHS_PER_PAGE {
            return Err(stop("too many glyphs on one page"));
        }
        // The text matrix flipped so that y grows down the page.
        let x = trm.m31;
        let y = self.page_height - trm.m32;
        // The side of the square with the area of the transformed em box.
        let vx = font_size * trm.m11 + font_size * trm.m21;
        let vy = font_size * trm.m12 + font_size * trm.m22;
        let size = (vx * vy).abs().sqrt();
        if !x.is_finite() || !y.is_finite() || !size.is_finite() {
            return Ok(());
        }
        let mut new_line = self.lines.is_empty();
        if self.first_char {
            let dy = (y - self.last_y).abs();
            if dy > size * 1.5 || (x < self.last_end && dy > size * 0.5) {
                self.text.push('\n');
                new_line = true;
            } else if x > self.last_end + size * 0.1 {
                self.text.push(' ');
                if let Some(l) = self.lines.last_mut() {
                    // A wide gap (between names set apart, columns) is two spaces in a line.
                    l.text.push_str(if x > self.last_end + size * 1.2 { "  " } else { " " });
                }
            }
        }
        if new_line {
            self.push_line(x, y, size);
        }
        self.text.push_str(ch);
        self.first_char = false;
        self.last_y = y;
        self.last_end = x + width * size;
        if let Some(l) = self.lines.last_mut() {
            l.text.push_str(ch);
            l.end_x = self.last_end;
            if size > l.size {
                l.size = size;
            }
        }
        Ok(())
    }

    fn begin_word(&mut self) -> Result<(), OutputError> {
        self.first_char = true;
        Ok(())
    }

    fn end_word(&mut self) -> Result<(), OutputError> {
        Ok(())
    }

    fn end_line(&mut self) -> Result<(), OutputError> {
        Ok(())
    }
}

/// Spacing accents that TeX's OT1 fonts draw as separate glyphs before their letter (`´e`),
/// with the combining mark each stands for.
const ACCENTS_BEFORE: &[(char, char)] = &[
    ('\u{b4}', '\u{301}'),
    ('\u{2cb}', '\u{300}'),
    ('\u{a8}', '\u{308}'),
    ('\u{2c6}', '\u{302}'),
    ('\u{2dc}', '\u{303}'),
    ('\u{2c7}', '\u{30c}'),
    ('\u{2d8}', '\u{306}'),
    ('\u{2da}', '\u{30a}'),
    ('\u{2dd}', '\u{30b}'),
    ('\u{af}', '\u{304}'),
];

fn accent_mark(c: char) -> Option<char> {
    ACCENTS_BEFORE.iter().find(|(a, _)| *a == c).map(|&(_, m)| m)
}

/// Text as a reader expects it: TeX's separate accent glyphs joined to their letters
/// ("Franc¸ois" → "François", "Gr ´egory" → "Grégory"), soft hyphens dropped after a hyphen or
/// at a line end and read as spaces elsewhere (some publishers' fonts map the space to
/// U+00AD), and Unicode NFC.
pub(super) fn clean(text: &str) -> String {
    use unicode_normalization::UnicodeNormalization;
    let chars: Vec<char> = text.chars().collect();
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        let next = chars.get(i + 1).copied();
        let prev = out.chars().last();
        if c == '\u{b8}' && next.is_some_and(|n| n == 'c' || n == 'C') {
            // A cedilla drawn before its letter ("difra¸c˜ao").
            out.push(next.unwrap_or('c'));
            out.push('\u{327}');
            i += 1;
        } else if c == '\u{b8}' && prev.is_some_and(char::is_alphabetic) {
            out.push('\u{327}'); // cedilla, drawn after its letter
        } else if c == '\u{ad}' {
            if !(prev == Some('-') || next.is_none_or(|n| n == '\n' || n == ' ')) {
                out.push(' ');
            }
        } else if let Some(mark) = accent_mark(c).filter(|_| {
            next.is_some_and(char::is_alphabetic)
                && prev
                    .is_none_or(|p| p.is_alphabetic() || ('\u{300}'..='\u{36f}').contains(&p) || p == ' ' || p == '\n')
        }) {
            // "Gr ´egory": the space before the accent is the accent's own.
            if prev == Some(' ') && out.chars().rev().nth(1).is_some_and(char::is_alphabetic) {
                out.pop();
            }
            // A dotless i carries the accent in TeX ("F´ısica").
            out.push(match next {
                Some('\u{131}') => 'i',
                Some(n) => n,
                None => ' ',
            });
            out.push(mark);
            i += 1;
        } else {
            out.push(c);
        }
        i += 1;
    }
    out.nfc().collect()
}

#[cfg(test)]
mod tests {
    use super::clean;

    #[test]
    fn tex_accents_join_their_letters() {
        assert_eq!(clean("Pierre-Franc\u{b8}ois"), "Pierre-François");
        assert_eq!(clean("difra\u{b8}c\u{2dc}ao"), "difração");
        assert_eq!(clean("Gr \u{b4}egory Mouni \u{b4}e"), "Grégory Mounié");
        assert_eq!(
            clean("P\u{b4}os-Gradua\u{b8}c\u{2dc}ao em F\u{b4}\u{131}sica"),
            "Pós-Graduação em Física"
        );
        assert_eq!(clean("5 \u{b4} x"), "5 \u{b4} x");
    }

    #[test]
    fn soft_hyphens_after_hyphens_go_and_others_are_spaces() {
        assert_eq!(clean("COVID-\u{ad}19\u{ad}vaccination"), "COVID-19 vaccination");
        assert_eq!(clean("inter\u{ad}\nnational"), "inter\nnational");
    }
}
