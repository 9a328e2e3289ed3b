//! Access status: exactly one per item, with where it came from.

use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum AccessStatus {
    /// Open access (licensed for reuse).
    Open,
    /// Free to read, not openly licensed.
    Free,
    /// Behind a paywall or subscription.
    Restricted,
    #[default]
    Unknown,
}

impl AccessStatus {
    pub const ALL: [AccessStatus; 4] = [
        AccessStatus::Open,
        AccessStatus::Free,
        AccessStatus::Restricted,
        AccessStatus::Unknown,
    ];
    pub fn as_str(self) -> &'static str {
        match self {
            AccessStatus::Open => "open",
            AccessStatus::Free => "free",
            AccessStatus::Restricted => "restricted",
            AccessStatus::Unknown => "unknown",
        }
    }
    /// More open is greater: unknown < restricted < free < open.
    pub fn openness(self) -> u8 {
        match self {
            AccessStatus::Unknown => 0,
            AccessStatus::Restricted => 1,
            AccessStatus::Free => 2,
            AccessStatus::Open => 3,
        }
    }

    /// Read a vendor's badge or note ("Access Restricted. View access options", "Open Access",
    /// "Free Access", "All Open Access; Gold Open Access", "subscription").
    pub fn from_badge(text: &str) -> Option<AccessStatus> {
        let t = text.to_lowercase();
        if t.contains("open access") || t.contains("openaccess") || t == "oa" || t == "open" || t.contains("gold oa") {
            Some(AccessStatus::Open)
        } else if t.contains("free access")
            || t.contains("free to read")
            || t == "free"
            || t.contains("freely available")
        {
            Some(AccessStatus::Free)
        } else if t.contains("access restricted")
            || t.contains("restricted access")
            || t.contains("subscription")
            || t.contains("paywall")
            || t == "restricted"
            || t.contains("no access")
        {
            Some(AccessStatus::Restricted)
        } else {
            None
        }
    }
}

impl fmt::Display for AccessStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for AccessStatus {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        AccessStatus::ALL
            .into_iter()
            .find(|a| a.as_str().eq_ignore_ascii_case(s.trim()))
            .ok_or_else(|| format!("unknown access status {s:?}; use open, free, restricted or unknown"))
    }
}

/// The status and its provenance ("user", "import:emerald-results", "bibtex:oa-field", …).
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Access {
    pub status: AccessStatus,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub source: String,
}

impl Access {
    pub fn new(status: AccessStatus, source: &str) -> Access {
        Access {
            status,
            source: source.to_string(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn badges() {
        assert_eq!(
            AccessStatus::from_badge("Access Restricted. View access options"),
            Some(AccessStatus::Restricted)
        );
        assert_eq!(
            AccessStatus::from_badge("All Open Access; Gold Open Access"),
            Some(AccessStatus::Open)
        );
        assert_eq!(AccessStatus::from_badge("Free Access"), Some(AccessStatus::Free));
        assert_eq!(AccessStatus::from_badge("Article"), None);
        assert_eq!("Restricted".parse::<AccessStatus>().unwrap(), AccessStatus::Restricted);
        assert!("closed".parse::<AccessStatus>().is_err());
    }
}
