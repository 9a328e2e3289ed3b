//! Keyword tags on items.

use serde::{Deserialize, Serialize};

/// Who attached a tag to an item: the user, or an import (imported noise can be removed in bulk).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum TagSource {
    #[default]
    Manual,
    Import,
}

impl TagSource {
    pub fn as_str(self) -> &'static str {
        match self {
            TagSource::Manual => "manual",
            TagSource::Import => "import",
        }
    }
    pub fn parse(s: &str) -> Option<TagSource> {
        match s {
            "manual" => Some(TagSource::Manual),
            "import" => Some(TagSource::Import),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct ItemTag {
    pub name: String,
    #[serde(default)]
    pub source: TagSource,
}

impl ItemTag {
    pub fn manual(name: &str) -> ItemTag {
        ItemTag {
            name: name.trim().to_string(),
            source: TagSource::Manual,
        }
    }
    pub fn imported(name: &str) -> ItemTag {
        ItemTag {
            name: name.trim().to_string(),
            source: TagSource::Import,
        }
    }
}

/// Split a keyword list as found in files ("a, b; c" or one per line) into trimmed, non-empty,
/// case-insensitively unique names in their first order.
pub fn split_keywords(text: &str) -> Vec<String> {
    split_keywords_with(text, |k| k.to_string())
}

/// [`split_keywords`] of a list in some markup (TeX): cut where the markup's text is cut, then
/// each part converted by `convert`, so that a separator inside a group stays in its keyword.
pub fn split_keywords_with(text: &str, convert: impl Fn(&str) -> String) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let mut seen = std::collections::HashSet::new();
    for k in keyword_parts(text) {
        let k = convert(k);
        let k = k.trim().trim_end_matches('.').trim();
        if !k.is_empty() && seen.insert(k.to_lowercase()) {
            out.push(k.to_string());
        }
    }
    out
}

/// `text` cut at `,` `;` and line breaks outside brackets: "avgotaracho (dried, salted roe)"
/// is one keyword. Text whose brackets do not balance is cut at every separator.
fn keyword_parts(text: &str) -> Vec<&str> {
    let is_sep = |c: char| matches!(c, ',' | ';' | '\n' | '\r');
    let mut parts = Vec::new();
    let (mut depth, mut start) = (0i32, 0);
    for (i, c) in text.char_indices() {
        match c {
            '(' | '[' | '{' => depth += 1,
            ')' | ']' | '}' => depth -= 1,
            c if is_sep(c) && depth == 0 => {
                parts.push(&text[start..i]);
                start = i + 1;
            }
            _ => {}
        }
        if depth < 0 {
            break;
        }
    }
    if depth != 0 {
        return text.split(is_sep).collect();
    }
    parts.push(&text[start..]);
    parts
}

#[cfg(test)]
mod tests {
    #[test]
    fn split() {
        assert_eq!(
            super::split_keywords("Co-production; public service,  co-production\nEIF."),
            ["Co-production", "public service", "EIF"]
        );
        assert!(super::split_keywords(" ; , ").is_empty());
        assert_eq!(
            super::split_keywords("avgotaracho (dried, salted and waxed ripe ovaries); roe, {Bt; toxin}"),
            [
                "avgotaracho (dried, salted and waxed ripe ovaries)",
                "roe",
                "{Bt; toxin}"
            ]
        );
        // Brackets that do not balance: every separator cuts.
        assert_eq!(super::split_keywords("a (b, c; d"), ["a (b", "c", "d"]);
        assert_eq!(super::split_keywords("a) b, c"), ["a) b", "c"]);
    }
}
