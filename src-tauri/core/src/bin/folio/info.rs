//! Library location, schema version and counts.

use crate::output::print_json;
use anyhow::Result;
use clap::Subcommand;
use folio::store::search::Filter;
use folio::Library;
use serde::Serialize;
use std::path::Path;

#[derive(Subcommand)]
pub enum Cmd {
    /// Library location, schema version and counts.
    Info {
        #[arg(long)]
        json: bool,
    },
}

/// `info --json`.
#[derive(Serialize)]
struct InfoJson {
    library: String,
    schema_version: i64,
    /// Live items.
    items: i64,
    trash: i64,
    /// Collections at the top level.
    collections: usize,
    tags: usize,
    key_pattern: String,
}

pub fn run(lib: &Library, cmd: Cmd, path: &Path) -> Result<()> {
    let Cmd::Info { json } = cmd;
    let info = InfoJson {
        library: path.display().to_string(),
        schema_version: folio::store::schema_version(),
        items: lib.count(&Filter::default())?,
        trash: lib.count(&Filter {
            trash: true,
            ..Default::default()
        })?,
        collections: lib.collection_tree()?.len(),
        tags: lib.tag_list()?.len(),
        key_pattern: lib.key_pattern()?,
    };
    if json {
        print_json(&info)?;
    } else {
        println!(
            "library      {}\nitems        {}\ntrash        {}\nkey pattern  {}",
            info.library, info.items, info.trash, info.key_pattern
        );
    }
    Ok(())
}
