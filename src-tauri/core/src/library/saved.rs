//! Use cases on saved searches: save, delete, list, and the filter one stands for.

use super::Library;
use crate::error::{Error, Result};
use crate::store::search::Filter;

impl Library {
    /// Save (or replace) a named search, optionally scoped to a collection.
    pub fn search_save(&mut self, name: &str, query: &str, collection: Option<&str>, recursive: bool) -> Result<()> {
        let name = name.trim();
        if name.is_empty() {
            return Err(Error::InvalidInput("a saved search needs a name".into()));
        }
        crate::query::parse(query).map_err(|e| Error::InvalidInput(format!("invalid search {query:?}: {e}")))?;
        let collection_id = collection.map(|c| self.resolve_collection(c)).transpose()?;
        let s = crate::store::SavedSearch {
            name: name.to_string(),
            query: query.to_string(),
            collection_id,
            recursive,
            created_at: crate::text::now_rfc3339(),
        };
        self.store
            .write(&format!("Save search {name}"), |w| crate::store::saved::put(w, &s))
    }

    pub fn search_delete(&mut self, name: &str) -> Result<()> {
        if crate::store::saved::get(self.store.conn(), name)?.is_none() {
            return Err(Error::NotFound(format!("no saved search {name:?}")));
        }
        self.store.write(&format!("Delete saved search {name}"), |w| {
            crate::store::saved::delete(w, name)
        })
    }

    pub fn saved_searches(&self) -> Result<Vec<crate::store::SavedSearch>> {
        crate::store::saved::all(self.store.conn())
    }

    /// The filter a saved search stands for.
    pub fn saved_filter(&self, name: &str) -> Result<Filter> {
        let s = crate::store::saved::get(self.store.conn(), name)?
            .ok_or_else(|| Error::NotFound(format!("no saved search {name:?}")))?;
        let query =
            crate::query::parse(&s.query).map_err(|e| Error::InvalidInput(format!("saved search {name}: {e}")))?;
        Ok(Filter {
            collection: s.collection_id,
            recursive: s.recursive,
            query,
            ..Default::default()
        })
    }
}
