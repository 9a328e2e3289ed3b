//! Library location, schema version and counts.

use crate::output::print_json;
use anyhow::{bail, Result};
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
        /// Also check the library's integrity (SQLite's quick_check; reads the whole file).
        #[arg(long)]
        check: bool,
    },
}

/// `info --json`.
#[derive(Serialize)]
struct InfoJson {
    library: String,
    schema_version: i64,
    /// The library's version: one more with every action, undo and redo (Zotero's
    /// `Last-Modified-Version`).
    version: i64,
    /// Live items.
    items: i64,
    trash: i64,
    /// Collections at the top level.
    collections: usize,
    tags: usize,
    key_pattern: String,
    /// With --check: "ok", or what SQLite's quick_check found.
    #[serde(skip_serializing_if = "Option::is_none")]
    integrity: Option<String>,
    /// Why the library can only be read, when it can.
    #[serde(skip_serializing_if = "Option::is_none")]
    read_only: Option<String>,
}

pub fn run(lib: &Library, cmd: Cmd, path: &Path) -> Result<()> {
    let Cmd::Info { json, check } = cmd;
    let info = InfoJson {
        library: path.display().to_string(),
        schema_version: folio::store::schema_version(),
        version: lib.version()?,
        items: lib.count(&Filter::default())?,
        trash: lib.count(&Filter {
            trash: true,
            ..Default::default()
        })?,
        collections: lib.collection_tree()?.len(),
        tags: lib.tag_list()?.len(),
        key_pattern: lib.key_pattern()?,
        integrity: if check { Some(lib.quick_check()?) } else { None },
        read_only: lib.read_only().map(str::to_string),
    };
    if json {
        print_json(&info)?;
    } else {
        println!(
            "library      {}\nversion      {}\nitems        {}\ntrash        {}\nkey pattern  {}",
            info.library, info.version, info.items, info.trash, info.key_pattern
        );
        if let Some(why) = &info.read_only {
            println!("read-only    {why}");
        }
        if let Some(result) = &info.integrity {
            println!("integrity    {}", result.replace('\n', "\n             "));
        }
    }
    match info.integrity.as_deref() {
        Some(r) if r != "ok" => bail!(
            "the library {} is damaged; changes are refused. To recover: export what still reads \
             (folio export --format json -o rescue.json), or run `sqlite3 LIBRARY .recover | sqlite3 recovered.sqlite`, \
             or go back to a backup (a .bak file beside the library)",
            path.display()
        ),
        _ => Ok(()),
    }
}
