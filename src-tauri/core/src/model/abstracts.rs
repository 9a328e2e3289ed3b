//! Structured abstracts: a list of (heading, text) sections.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct AbstractSection {
    /// Empty for a plain abstract (one section without heading).
    #[serde(default)]
    pub heading: String,
    pub text: String,
}

/// Headings that only occur as section labels (Emerald's structured abstract). They split the
/// text when they appear at the start or after a sentence end, followed by a separator or a
/// capital letter.
const DISTINCT_HEADINGS: &[&str] = &[
    "Design/methodology/approach",
    "Research limitations/implications",
    "Practical implications",
    "Social implications",
    "Originality/value",
    "Purpose",
    "Findings",
];

/// Headings that are also ordinary words; they split only when written as a label (followed by
/// `:` or a dash, or on a line of their own, or in capitals).
const COMMON_HEADINGS: &[&str] = &[
    "Background",
    "Objectives",
    "Objective",
    "Aims",
    "Aim",
    "Introduction",
    "Context",
    "Methods",
    "Method",
    "Methodology",
    "Materials and methods",
    "Setting",
    "Participants",
    "Interventions",
    "Main outcome measures",
    "Results",
    "Limitations",
    "Implications",
    "Discussion",
    "Conclusions",
    "Conclusion",
    "Significance",
];

/// All headings Folio recognises, for the UI and the writers.
pub fn known_headings() -> impl Iterator<Item = &'static str> {
    DISTINCT_HEADINGS.iter().chain(COMMON_HEADINGS).copied()
}

/// A structured abstract: one or more sections. An empty vector means no abstract.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Abstract(pub Vec<AbstractSection>);

impl Abstract {
    pub fn is_empty(&self) -> bool {
        self.0.iter().all(|s| s.text.trim().is_empty() && s.heading.is_empty())
    }

    pub fn plain(text: &str) -> Abstract {
        if text.trim().is_empty() {
            return Abstract::default();
        }
        Abstract(vec![AbstractSection {
            heading: String::new(),
            text: text.trim().to_string(),
        }])
    }

    pub fn sections(&self) -> &[AbstractSection] {
        &self.0
    }

    /// The abstract as one text, each headed section as "Heading: text", separated by blank
    /// lines when `newlines`, else by single spaces.
    pub fn flat(&self, newlines: bool) -> String {
        self.joined(if newlines { "\n\n" } else { " " })
    }

    /// Each section as "Heading: text" (or just its text), joined with `sep`.
    pub fn joined(&self, sep: &str) -> String {
        self.0
            .iter()
            .map(|s| {
                if s.heading.is_empty() {
                    s.text.clone()
                } else {
                    format!("{}: {}", s.heading, s.text)
                }
            })
            .collect::<Vec<_>>()
            .join(sep)
    }

    /// Split text with inline headings ("Purpose – The purpose … Findings The data …") into
    /// sections. One recognised heading is a section too ("Originality/value This technique
    /// …"; text before it is a section without heading). Text with no recognised heading is
    /// one plain section.
    pub fn parse(text: &str) -> Abstract {
        let text = text.trim();
        if text.is_empty() {
            return Abstract::default();
        }
        let marks = find_headings(text);
        if marks.is_empty() {
            return Abstract::plain(text);
        }
        let mut sections = Vec::new();
        let lead = text[..marks[0].start].trim();
        if !lead.is_empty() {
            sections.push(AbstractSection {
                heading: String::new(),
                text: clean(lead),
            });
        }
        for (i, m) in marks.iter().enumerate() {
            let end = marks.get(i + 1).map_or(text.len(), |n| n.start);
            let body = clean(&text[m.body_start..end]);
            sections.push(AbstractSection {
                heading: m.heading.clone(),
                text: body,
            });
        }
        Abstract(sections)
    }
}

fn clean(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

struct Mark {
    start: usize,
    body_start: usize,
    heading: String,
}

fn find_headings(text: &str) -> Vec<Mark> {
    let mut marks: Vec<Mark> = Vec::new();
    let lower = text.to_lowercase();
    // `to_lowercase` keeps byte offsets for ASCII headings only when the text before them has
    // the same byte length in both cases; guard by checking the original slice.
    let all = DISTINCT_HEADINGS
        .iter()
        .map(|h| (*h, true))
        .chain(COMMON_HEADINGS.iter().map(|h| (*h, false)));
    for (heading, distinct) in all {
        let hl = heading.to_lowercase();
        let mut from = 0;
        while let Some(pos) = lower.get(from..).and_then(|s| s.find(&hl)).map(|p| p + from) {
            from = pos + hl.len();
            let Some(orig) = text.get(pos..pos + hl.len()) else {
                continue;
            };
            if !orig.eq_ignore_ascii_case(heading) {
                continue;
            }
            if marks.iter().any(|m| pos >= m.start && pos < m.body_start) {
                continue;
            }
            let before = text[..pos].trim_end_matches([' ', '\t']);
            let at_boundary = before.is_empty()
                || before.ends_with(['.', '\n', '\r', ')', '?', '!', ';'])
                || before.ends_with("\u{2026}");
            if !at_boundary {
                continue;
            }
            let rest = &text[pos + hl.len()..];
            let upper = orig.chars().all(|c| !c.is_alphabetic() || c.is_uppercase());
            let sep_len = separator_len(rest);
            let starts_line_alone = rest.trim_start_matches([' ', '\t']).starts_with(['\n', '\r']);
            let capital_next = rest.starts_with(' ')
                && rest
                    .trim_start()
                    .chars()
                    .next()
                    .is_some_and(|c| c.is_uppercase() || c.is_ascii_digit());
            let ok = if distinct {
                sep_len.is_some() || starts_line_alone || capital_next
            } else {
                sep_len.is_some() || starts_line_alone || (upper && capital_next)
            };
            // Must be the whole word ("Purposes" is not "Purpose").
            let word_end = rest.chars().next().is_none_or(|c| !c.is_alphanumeric());
            // A heading starts with a capital letter in running text.
            let capitalised = orig.chars().next().is_some_and(char::is_uppercase);
            if ok && word_end && capitalised {
                let body_start = pos + hl.len() + sep_len.unwrap_or(0);
                marks.push(Mark {
                    start: pos,
                    body_start,
                    heading: heading.to_string(),
                });
            }
        }
    }
    marks.sort_by_key(|m| m.start);
    marks
}

/// Length of a heading separator: ":" or " – " / " - " / " — " (with surrounding spaces).
fn separator_len(rest: &str) -> Option<usize> {
    let trimmed = rest.trim_start_matches([' ', '\t']);
    let ws = rest.len() - trimmed.len();
    for sep in [":", "\u{2013}", "\u{2014}", "-", "."] {
        if let Some(after) = trimmed.strip_prefix(sep) {
            if sep == "-" || sep == "." {
                // "-" only with a space after it, "." only as "Purpose." + space + capital.
                if !after.starts_with(' ') {
                    continue;
                }
            }
            return Some(ws + sep.len());
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn emerald_inline() {
        let a = Abstract::parse(
            "Purpose The purpose of this paper is X. Design/methodology/approach A review was used. \
             Findings Relationships are bi-directional. Originality/value Most models see it otherwise.",
        );
        let h: Vec<_> = a.sections().iter().map(|s| s.heading.as_str()).collect();
        assert_eq!(
            h,
            [
                "Purpose",
                "Design/methodology/approach",
                "Findings",
                "Originality/value"
            ]
        );
        assert_eq!(a.sections()[0].text, "The purpose of this paper is X.");
        assert_eq!(a.sections()[2].text, "Relationships are bi-directional.");
    }

    #[test]
    fn dashes_colons_and_lines() {
        let a = Abstract::parse("Purpose – To test.\nFindings: It works.\n\nPractical implications\nUse it.");
        assert_eq!(a.sections().len(), 3);
        assert_eq!(
            a.sections()[0],
            AbstractSection {
                heading: "Purpose".into(),
                text: "To test.".into()
            }
        );
        assert_eq!(a.sections()[2].heading, "Practical implications");
        assert_eq!(a.sections()[2].text, "Use it.");
    }

    #[test]
    fn medical_labels_need_a_separator() {
        let a = Abstract::parse("BACKGROUND: Something. METHODS: We did. RESULTS: It worked. CONCLUSIONS: Good.");
        assert_eq!(a.sections().len(), 4);
        assert_eq!(a.sections()[1].heading, "Methods");
        let plain = Abstract::parse("We report results. Methods are described. Results Matter here.");
        assert_eq!(plain.sections().len(), 1);
        assert_eq!(plain.sections()[0].heading, "");
    }

    #[test]
    fn one_heading_is_a_section() {
        let a = Abstract::parse("Originality/value This technique is new.");
        assert_eq!(
            a.sections(),
            [AbstractSection {
                heading: "Originality/value".into(),
                text: "This technique is new.".into()
            }]
        );
        let a = Abstract::parse("We study X. Findings: It works.");
        let h: Vec<_> = a
            .sections()
            .iter()
            .map(|s| (s.heading.as_str(), s.text.as_str()))
            .collect();
        assert_eq!(h, [("", "We study X."), ("Findings", "It works.")]);
        assert_eq!(Abstract::parse(&a.flat(true)), a);
        // Words that are headings elsewhere, in running text, are no heading.
        assert_eq!(
            Abstract::parse("Our findings show a purpose. Results were good.").sections()[0].heading,
            ""
        );
    }

    #[test]
    fn plain_and_flat() {
        let a = Abstract::parse("Just one paragraph about findings of purpose.");
        assert_eq!(a.sections().len(), 1);
        assert!(Abstract::parse("  ").is_empty());
        let s = Abstract(vec![
            AbstractSection {
                heading: "Purpose".into(),
                text: "A.".into(),
            },
            AbstractSection {
                heading: "Findings".into(),
                text: "B.".into(),
            },
        ]);
        assert_eq!(s.flat(false), "Purpose: A. Findings: B.");
        assert_eq!(Abstract::parse(&s.flat(true)), s);
    }
}
