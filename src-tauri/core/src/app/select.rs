//! Which items an action applies to.

use crate::error::{Error, Result};
use crate::model::AccessStatus;
use crate::query::Query;
use crate::store::search::{Filter, Sort};
use crate::store::CollectionId;
use crate::Library;

/// Parse a search typed by the user. The error carries the query and what is wrong with it.
pub fn parse_query(query: &str) -> Result<Query> {
    crate::query::parse(query).map_err(|e| Error::InvalidQuery {
        query: query.to_string(),
        message: e.to_string(),
    })
}

/// Parse a search in the search box's mode: with `everything`, words without a field also
/// search the attachments' text (`fulltext:`); else as [`parse_query`].
pub fn parse_search(query: &str, everything: bool) -> Result<Query> {
    if !everything {
        return parse_query(query);
    }
    crate::query::parse_everything(query).map_err(|e| Error::InvalidQuery {
        query: query.to_string(),
        message: e,
    })
}

/// A collection as a front end names it: by id (the app) or by path (`Thesis/Chapter 2`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CollectionRef {
    Id(CollectionId),
    Path(String),
}

/// A filter from its parts, as front ends receive them. All parts combine.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct FilterSpec {
    /// Start from this saved search (its query and collection).
    pub saved: Option<String>,
    pub collection: Option<CollectionRef>,
    /// With `collection`: include subcollections.
    pub recursive: bool,
    /// Items in no collection.
    pub unfiled: bool,
    /// Items with every one of these tags.
    pub tags: Vec<String>,
    /// Items with any of these access statuses.
    pub access: Vec<AccessStatus>,
    /// The fielded search (`author:steen year:2019..`), empty for none.
    pub query: String,
    /// The trash instead of the live items.
    pub trash: bool,
    /// "Everything" mode: words without a field also search the attachments' text.
    pub everything: bool,
}

impl FilterSpec {
    /// Whether no part is set (the whole library).
    pub fn is_empty(&self) -> bool {
        *self == FilterSpec::default()
    }
}

/// The library filter a [`FilterSpec`] stands for. Errors: a query that does not parse,
/// `recursive` without a collection, a collection or saved search that does not exist, a
/// collection on top of a saved search that already has one.
pub fn filter(lib: &Library, spec: &FilterSpec) -> Result<Filter> {
    let query = parse_search(&spec.query, spec.everything)?;
    if spec.recursive && spec.collection.is_none() {
        return Err(Error::InvalidInput(
            "searching subcollections needs a collection".into(),
        ));
    }
    let mut f = match &spec.saved {
        Some(name) => lib.saved_filter(name)?,
        None => Filter::default(),
    };
    if let Some(c) = &spec.collection {
        if f.collection.is_some() {
            return Err(Error::InvalidInput(format!(
                "the saved search {:?} is already scoped to a collection",
                spec.saved.as_deref().unwrap_or("")
            )));
        }
        f.collection = Some(match c {
            CollectionRef::Id(id) => *id,
            CollectionRef::Path(p) => lib.resolve_collection(p)?,
        });
        f.recursive = spec.recursive;
    }
    f.unfiled |= spec.unfiled;
    f.tags.extend(spec.tags.iter().cloned());
    f.access.extend(spec.access.iter().copied());
    f.query.clauses.extend(query.clauses);
    f.trash |= spec.trash;
    Ok(f)
}

/// The keys of every item a filter matches, in `sort` order: one query over the item table's
/// rows (which carry the key), never a load per item.
pub fn filter_keys(lib: &Library, filter: &Filter, sort: Sort) -> Result<Vec<String>> {
    Ok(lib
        .list(filter, sort, 0, usize::MAX >> 1)?
        .into_iter()
        .map(|r| r.key)
        .collect())
}

/// What an action on items names: keys, plus every item a filter matches at the time of the
/// action (the app's "select all" keeps the filter instead of 100k keys; the CLI's
/// `--query`/`--collection`/`--all`).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Target {
    pub keys: Vec<String>,
    pub filter: Option<Filter>,
}

impl Target {
    /// Exactly these items.
    pub fn keys(keys: Vec<String>) -> Target {
        Target { keys, filter: None }
    }
    /// Every item the filter matches.
    pub fn filter(filter: Filter) -> Target {
        Target {
            keys: Vec::new(),
            filter: Some(filter),
        }
    }
    /// Every live item of the library.
    pub fn all() -> Target {
        Target::filter(Filter::default())
    }
}

/// The keys a target names: its keys, then those of its filter's items (in table order,
/// without repeating a named key). Naming nothing is an error ([`Error::NothingSelected`]),
/// never "everything".
pub fn resolve(lib: &Library, target: &Target) -> Result<Vec<String>> {
    let mut keys = target.keys.clone();
    match &target.filter {
        Some(f) => {
            let named: std::collections::HashSet<&str> = target.keys.iter().map(String::as_str).collect();
            let more = filter_keys(lib, f, Sort::default())?;
            let more: Vec<String> = more.into_iter().filter(|k| !named.contains(k.as_str())).collect();
            keys.extend(more);
        }
        None if keys.is_empty() => return Err(Error::NothingSelected),
        None => {}
    }
    Ok(keys)
}
