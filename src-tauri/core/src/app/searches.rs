//! Saved searches as a user saves them.

use crate::error::{Error, Result};
use crate::Library;

/// Save (or replace) a search under `name`, within `collection` (a path) when given. The query
/// is trimmed; an empty one is [`Error::EmptySearch`], one that does not parse
/// [`Error::InvalidQuery`]. One undo step.
pub fn save_search(
    lib: &mut Library,
    name: &str,
    query: &str,
    collection: Option<&str>,
    recursive: bool,
) -> Result<()> {
    let query = query.trim();
    if query.is_empty() {
        return Err(Error::EmptySearch);
    }
    super::parse_query(query)?;
    lib.search_save(name, query, collection, recursive)
}
