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
    let mut out: Vec<String> = Vec::new();
    for k in text.split([',', ';', '\n', '\r']) {
        let k = k.trim().trim_end_matches('.').trim();
        if !k.is_empty() && !out.iter().any(|o| o.to_lowercase() == k.to_lowercase()) {
            out.push(k.to_string());
        }
    }
    out
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
    }
}
