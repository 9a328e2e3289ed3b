//! Text copied from a publisher's search results page. (Placeholder contract: being implemented.)

use super::Parsed;

pub fn looks_like(text: &str) -> bool {
    text.contains("Publication date:") || text.contains("Access Restricted")
}

pub fn parse(_input: &str) -> Parsed {
    Parsed {
        diagnostics: vec![crate::error::Diagnostic::error(
            None,
            "search-results import is not available in this build",
        )],
        ..Default::default()
    }
}
