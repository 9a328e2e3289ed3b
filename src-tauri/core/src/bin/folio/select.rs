//! Selections: the options that pick items (`--collection`, `--tag`, `--query`, `--saved`, …)
//! turned into a [`Filter`], and the keys an action names. The one place the CLI combines
//! core calls into a selection.

use anyhow::{anyhow, bail, Result};
use clap::Args;
use folio::model::AccessStatus;
use folio::store::search::{Filter, Sort};
use folio::Library;

#[derive(Args, Default)]
pub struct SelectArgs {
    /// Items in this collection ("Parent/Child").
    #[arg(long)]
    pub collection: Option<String>,
    /// With --collection: include subcollections.
    #[arg(long)]
    pub recursive: bool,
    /// Items in no collection.
    #[arg(long)]
    pub unfiled: bool,
    /// Items with this tag (repeat: all of them).
    #[arg(long = "tag")]
    pub tags: Vec<String>,
    /// Items with this access status (repeat: any of them).
    #[arg(long = "access")]
    pub access: Vec<AccessStatus>,
    /// Search: words, "phrases", author:, title:, year:2019..2022, tag:, access:, type:, -negation, OR.
    #[arg(long, short = 'q')]
    pub query: Option<String>,
    /// Items matching this saved search (combined with the options above).
    #[arg(long)]
    pub saved: Option<String>,
}

impl SelectArgs {
    fn is_empty(&self) -> bool {
        self.collection.is_none()
            && !self.unfiled
            && self.tags.is_empty()
            && self.access.is_empty()
            && self.query.is_none()
            && self.saved.is_none()
    }
}

/// Keys of every item a filter matches (from the item table's rows, not whole items).
fn keys_of(lib: &Library, f: &Filter) -> Result<Vec<String>> {
    Ok(lib
        .list(f, Sort::default(), 0, usize::MAX >> 1)?
        .into_iter()
        .map(|r| r.key)
        .collect())
}

/// The keys a key command names, or every key with `--all`.
pub fn keys_or_all(lib: &Library, keys: Vec<String>, all: bool, what: &str) -> Result<Vec<String>> {
    if all {
        keys_of(lib, &Filter::default())
    } else if keys.is_empty() {
        bail!("name the items whose keys to {what}, or --all");
    } else {
        Ok(keys)
    }
}

/// The keys an action names, plus those of every item the selection matches (`--all`: the
/// whole library). Naming nothing is an error, never "everything".
pub fn selected_keys(lib: &Library, mut keys: Vec<String>, select: &SelectArgs, all: bool) -> Result<Vec<String>> {
    if all || !select.is_empty() {
        keys.extend(keys_of(lib, &filter_of(select, lib)?)?);
    } else if keys.is_empty() {
        bail!("name the items: their keys, a selection (--query, --collection, --tag, --access, --saved, --unfiled) or --all");
    }
    Ok(keys)
}

/// The filter a selection's options describe (a saved search combined with the others).
pub fn filter_of(s: &SelectArgs, lib: &Library) -> Result<Filter> {
    let query = match &s.query {
        Some(q) => folio::query::parse(q).map_err(|e| anyhow!("invalid search {q:?}: {e}"))?,
        None => Default::default(),
    };
    if s.recursive && s.collection.is_none() {
        bail!("--recursive needs --collection");
    }
    let mut f = match &s.saved {
        Some(name) => lib.saved_filter(name)?,
        None => Filter::default(),
    };
    if let Some(c) = &s.collection {
        if f.collection.is_some() {
            bail!(
                "the saved search {:?} is already scoped to a collection",
                s.saved.as_deref().unwrap_or("")
            );
        }
        f.collection = Some(lib.resolve_collection(c)?);
        f.recursive = s.recursive;
    }
    f.unfiled |= s.unfiled;
    f.tags.extend(s.tags.iter().cloned());
    f.access.extend(s.access.iter().copied());
    f.query.clauses.extend(query.clauses);
    Ok(f)
}
