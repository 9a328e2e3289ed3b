//! RIS import and export. (Placeholder contract: being implemented.)

use super::{Parsed, Written};
use crate::model::Item;

/// Whether text looks like RIS (a `TY  - ` line) or Web of Science tagged (`FN `/`PT `).
pub fn looks_like(text: &str) -> bool {
    text.lines().take(50).any(|l| {
        let l = l.trim_start_matches('\u{feff}');
        l.starts_with("TY  -") || l.starts_with("TY -") || l.starts_with("FN ") || l.starts_with("PT ")
    })
}

pub fn parse(_input: &str) -> Parsed {
    Parsed {
        diagnostics: vec![crate::error::Diagnostic::error(
            None,
            "RIS import is not available in this build",
        )],
        ..Default::default()
    }
}

#[derive(Debug, Clone, Default)]
pub struct RisWriteOptions {
    pub omit_fields: Vec<String>,
}

pub fn write(_items: &[Item], _opts: &RisWriteOptions) -> Written {
    Written::default()
}
