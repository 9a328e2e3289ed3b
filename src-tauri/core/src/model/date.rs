//! Partial publication dates (year, year-month or full date), keeping the original text.

use serde::{Deserialize, Serialize};
use std::fmt;

#[derive(Debug, Clone, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct PartialDate {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub year: Option<i32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub month: Option<u8>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub day: Option<u8>,
    /// The text the date was read from ("4 August 2022", "2019/12/04/", "2020-03").
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub raw: String,
}

const MONTHS: [&str; 12] = [
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
];

/// Month number from a name or abbreviation ("Aug", "august", "aug.") or a number 1–12.
pub fn month_from_str(s: &str) -> Option<u8> {
    let t = s.trim().trim_end_matches('.').to_ascii_lowercase();
    if let Ok(n) = t.parse::<u8>() {
        return (1..=12).contains(&n).then_some(n);
    }
    if t.len() < 3 {
        return None;
    }
    MONTHS.iter().position(|m| m.starts_with(&t)).map(|i| i as u8 + 1)
}

pub fn month_abbrev(m: u8) -> Option<&'static str> {
    const A: [&str; 12] = [
        "jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec",
    ];
    A.get(m.checked_sub(1)? as usize).copied()
}

pub fn month_name(m: u8) -> Option<&'static str> {
    const N: [&str; 12] = [
        "January",
        "February",
        "March",
        "April",
        "May",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
    ];
    N.get(m.checked_sub(1)? as usize).copied()
}

fn valid(y: Option<i32>, m: Option<u8>, d: Option<u8>) -> bool {
    m.is_none_or(|m| (1..=12).contains(&m)) && d.is_none_or(|d| (1..=31).contains(&d) && m.is_some()) && y.is_some()
}

impl PartialDate {
    pub fn year(year: i32) -> PartialDate {
        PartialDate {
            year: Some(year),
            month: None,
            day: None,
            raw: String::new(),
        }
    }
    pub fn ymd(year: i32, month: Option<u8>, day: Option<u8>) -> PartialDate {
        PartialDate {
            year: Some(year),
            month,
            day,
            raw: String::new(),
        }
    }
    pub fn is_empty(&self) -> bool {
        self.year.is_none() && self.raw.is_empty()
    }

    /// Parse the date forms found in the wild: ISO `2022-08-04`, `2022-08`, `2022`; RIS
    /// `2019/12/04/other` (zeros or empty parts mean unknown); `4 August 2022`,
    /// `August 4, 2022`, `Aug 2022`; `08/2022`. Unparseable text keeps `raw` with no year,
    /// unless a four-digit year can be found in it.
    pub fn parse(text: &str) -> PartialDate {
        let raw = text.trim().to_string();
        let (year, month, day) = parse_parts(&raw);
        PartialDate { year, month, day, raw }
    }

    /// ISO 8601 form of the known parts: `2022`, `2022-08`, `2022-08-04`.
    pub fn iso(&self) -> String {
        match (self.year, self.month, self.day) {
            (Some(y), Some(m), Some(d)) => format!("{y:04}-{m:02}-{d:02}"),
            (Some(y), Some(m), None) => format!("{y:04}-{m:02}"),
            (Some(y), _, _) => format!("{y:04}"),
            _ => self.raw.clone(),
        }
    }
}

impl fmt::Display for PartialDate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.iso())
    }
}

fn parse_parts(s: &str) -> (Option<i32>, Option<u8>, Option<u8>) {
    let num = |p: &str| -> Option<u32> { p.trim().parse::<u32>().ok().filter(|&n| n != 0) };
    // Numeric with separators: ISO or RIS.
    if s.chars().next().is_some_and(|c| c.is_ascii_digit()) && s.contains(['-', '/']) {
        let parts: Vec<&str> = s.split(['-', '/']).collect();
        if parts[0].trim().len() == 4 {
            let y = num(parts[0]).map(|y| y as i32);
            let m = parts.get(1).and_then(|p| num(p)).map(|m| m as u8);
            let d = parts
                .get(2)
                .and_then(|p| num(&p[..p.find(|c: char| !c.is_ascii_digit()).unwrap_or(p.len())]))
                .map(|d| d as u8);
            // A `T` time part after the day is allowed ("2022-08-04T10:00").
            if valid(y, m, d) {
                return (y, m, d);
            }
            if valid(y, m, None) {
                return (y, m, None);
            }
            return (y, None, None);
        }
        // "08/2022" or "12/04/2019" (US order, as EndNote writes).
        if let Some(last) = parts.last().filter(|p| p.trim().len() == 4) {
            let y = num(last).map(|y| y as i32);
            let (m, d) = match parts.len() {
                2 => (num(parts[0]).map(|m| m as u8), None),
                3 => (num(parts[0]).map(|m| m as u8), num(parts[1]).map(|d| d as u8)),
                _ => (None, None),
            };
            if valid(y, m, d) {
                return (y, m, d);
            }
            return (y, None, None);
        }
    }
    // Words: "4 August 2022", "August 4, 2022", "Aug. 2022", "Spring 2020".
    let mut year = None;
    let mut month = None;
    let mut day = None;
    for tok in s
        .split(|c: char| c.is_whitespace() || c == ',')
        .filter(|t| !t.is_empty())
    {
        let digits = tok.trim_end_matches(|c: char| !c.is_ascii_alphanumeric());
        if digits.len() == 4 && digits.chars().all(|c| c.is_ascii_digit()) && year.is_none() {
            // "0000" (EndNote's and RIS's unknown year) is no year: there was no year 0.
            year = digits.parse().ok().filter(|y| *y != 0);
        } else if let Some(m) = month_from_str(tok).filter(|_| !tok.chars().all(|c| c.is_ascii_digit())) {
            month.get_or_insert(m);
        } else if let Ok(d) = digits.trim_end_matches(|c: char| c.is_alphabetic()).parse::<u8>() {
            if (1..=31).contains(&d) && day.is_none() {
                day = Some(d);
            }
        }
    }
    if year.is_none() {
        // A year anywhere in the text ("c1999", "(2005)").
        let b = s.as_bytes();
        for i in 0..b.len().saturating_sub(3) {
            let w = &b[i..i + 4];
            let before = i == 0 || !b[i - 1].is_ascii_digit();
            let after = i + 4 >= b.len() || !b[i + 4].is_ascii_digit();
            if w.iter().all(u8::is_ascii_digit) && before && after {
                year = std::str::from_utf8(w)
                    .ok()
                    .and_then(|w| w.parse().ok())
                    .filter(|y| *y != 0);
                if year.is_some() {
                    break;
                }
            }
        }
        return (year, None, None);
    }
    if month.is_none() {
        day = None;
    }
    (year, month, day)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(s: &str) -> (Option<i32>, Option<u8>, Option<u8>) {
        let d = PartialDate::parse(s);
        assert_eq!(d.raw, s.trim());
        (d.year, d.month, d.day)
    }

    #[test]
    fn forms() {
        assert_eq!(p("2022-08-04"), (Some(2022), Some(8), Some(4)));
        assert_eq!(p("2022-08"), (Some(2022), Some(8), None));
        assert_eq!(p("2022"), (Some(2022), None, None));
        assert_eq!(p("2019/12/04/"), (Some(2019), Some(12), Some(4)));
        assert_eq!(p("2019/00/00/other"), (Some(2019), None, None));
        assert_eq!(p("2019///Spring"), (Some(2019), None, None));
        assert_eq!(p("4 August 2022"), (Some(2022), Some(8), Some(4)));
        assert_eq!(p("August 4, 2022"), (Some(2022), Some(8), Some(4)));
        assert_eq!(p("Aug. 2022"), (Some(2022), Some(8), None));
        assert_eq!(p("08/2022"), (Some(2022), Some(8), None));
        assert_eq!(p("c1999"), (Some(1999), None, None));
        assert_eq!(p("forthcoming"), (None, None, None));
        assert_eq!(p("2022-13-40"), (Some(2022), None, None));
        // Zeros are an unknown year, as they are an unknown month or day.
        assert_eq!(p("0000"), (None, None, None));
        assert_eq!(p("0000/00/00/"), (None, None, None));
        assert_eq!(p("0000 (reprint 1999)"), (Some(1999), None, None));
    }

    #[test]
    fn iso_output() {
        assert_eq!(PartialDate::parse("4 December 2019").iso(), "2019-12-04");
        assert_eq!(PartialDate::year(2001).iso(), "2001");
        assert_eq!(month_from_str("Sept"), Some(9));
        assert_eq!(month_from_str("ma"), None);
        assert_eq!(month_abbrev(12), Some("dec"));
    }
}
