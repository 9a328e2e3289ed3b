//! Selections: the options that pick items (`--collection`, `--tag`, `--query`, `--saved`, …)
//! as the application layer's [`FilterSpec`], and the keys an action names
//! ([`folio::app::resolve`]).

use anyhow::{bail, Result};
use clap::Args;
use folio::app::{self, CollectionRef, FilterSpec, Target};
use folio::model::AccessStatus;
use folio::store::search::Filter;
use folio::{Error, Library};

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
    /// Search: words, "phrases", author:, title:, year:2019..2022, tag:, access:, type:, fulltext:, has:pdf, -negation, OR.
    /// A query may start with `-word` (exclusion): `--query -salmon` is the query, not an option.
    #[arg(long, short = 'q', allow_hyphen_values = true)]
    pub query: Option<String>,
    /// Items matching this saved search (combined with the options above).
    #[arg(long)]
    pub saved: Option<String>,
    /// With --query: words without a field also search the text of attached files
    /// (`fulltext:` searches only that text).
    #[arg(long)]
    pub everything: bool,
}

impl SelectArgs {
    fn is_empty(&self) -> bool {
        self.spec().is_empty()
    }

    /// The options as the application layer's filter parts.
    pub fn spec(&self) -> FilterSpec {
        FilterSpec {
            saved: self.saved.clone(),
            collection: self.collection.clone().map(CollectionRef::Path),
            recursive: self.recursive,
            unfiled: self.unfiled,
            tags: self.tags.clone(),
            access: self.access.clone(),
            query: self.query.clone().unwrap_or_default(),
            trash: false,
            everything: self.everything,
        }
    }
}

/// The keys a key command names, or every key with `--all`.
pub fn keys_or_all(lib: &Library, keys: Vec<String>, all: bool, what: &str) -> Result<Vec<String>> {
    if all {
        Ok(app::resolve(lib, &Target::all())?)
    } else if keys.is_empty() {
        bail!("name the items whose keys to {what}, or --all");
    } else {
        Ok(keys)
    }
}

/// The keys an action names, plus those of every item the selection matches (`--all`: the
/// whole library). Naming nothing is an error, never "everything".
pub fn selected_keys(lib: &Library, keys: Vec<String>, select: &SelectArgs, all: bool) -> Result<Vec<String>> {
    let filter = if all || !select.is_empty() {
        Some(filter_of(select, lib)?)
    } else {
        None
    };
    match app::resolve(lib, &Target { keys, filter }) {
        Err(Error::NothingSelected) => bail!(
            "name the items: their keys, a selection (--query, --collection, --tag, --access, --saved, --unfiled) or --all"
        ),
        r => Ok(r?),
    }
}

/// The filter a selection's options describe (a saved search combined with the others).
pub fn filter_of(s: &SelectArgs, lib: &Library) -> Result<Filter> {
    Ok(app::filter(lib, &s.spec())?)
}
