//! Positioned text of the first pages: what [`metadata`](super::metadata) reads the title and
//! the authors from (the largest text near the top of page 1, the lines under it).

use serde::{Deserialize, Serialize};

/// One page's lines, in content-stream order.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct PageLayout {
    /// 1-based.
    pub page: u32,
    pub width: f64,
    pub height: f64,
    pub lines: Vec<Line>,
}

/// A run of text on one baseline: where it starts (`x`, and `y` measured down from the top of
/// the page), where it ends, and the largest font size in it (in points, as drawn).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Line {
    pub text: String,
    pub x: f64,
    pub y: f64,
    pub end_x: f64,
    pub size: f64,
}
