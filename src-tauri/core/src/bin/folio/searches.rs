//! Saved searches: save, list, delete (used with `list --saved NAME`).

use crate::output::print_json;
use anyhow::Result;
use clap::Subcommand;
use folio::Library;
use serde::Serialize;

#[derive(Subcommand)]
pub enum Cmd {
    /// Saved searches: save, list, delete (use with `list --saved NAME`).
    #[command(subcommand)]
    Search(SearchCmd),
}

#[derive(Subcommand)]
pub enum SearchCmd {
    /// Save a search under a name: `folio search save recent "year:2020.. access:open"`.
    Save {
        name: String,
        query: String,
        /// Only items in this collection.
        #[arg(long)]
        collection: Option<String>,
        #[arg(long)]
        recursive: bool,
    },
    /// The saved searches.
    List {
        #[arg(long)]
        json: bool,
    },
    /// Delete a saved search.
    Delete { name: String },
}

/// `search list --json`: one saved search, with the path of the collection it is scoped to
/// and how many items it matches now.
#[derive(Serialize)]
struct SearchJson {
    name: String,
    query: String,
    collection: Option<String>,
    items: usize,
}

pub fn run(lib: &mut Library, cmd: Cmd) -> Result<()> {
    let Cmd::Search(s) = cmd;
    match s {
        SearchCmd::Save {
            name,
            query,
            collection,
            recursive,
        } => folio::app::save_search(lib, &name, &query, collection.as_deref(), recursive)?,
        SearchCmd::Delete { name } => lib.search_delete(&name)?,
        SearchCmd::List { json } => list(lib, json)?,
    }
    Ok(())
}

fn list(lib: &Library, json: bool) -> Result<()> {
    let rows: Vec<SearchJson> = lib
        .saved_searches()?
        .iter()
        .map(|s| {
            let collection = s.collection_id.map(|c| lib.collection_path(c)).transpose()?;
            let items = lib.count(&lib.saved_filter(&s.name)?)? as usize;
            Ok(SearchJson {
                name: s.name.clone(),
                query: s.query.clone(),
                collection,
                items,
            })
        })
        .collect::<Result<_>>()?;
    if json {
        return print_json(&rows);
    }
    for s in rows {
        println!(
            "{:>6}  {}: {}{}",
            s.items,
            s.name,
            s.query,
            s.collection.map(|c| format!(" (in {c})")).unwrap_or_default()
        );
    }
    Ok(())
}
