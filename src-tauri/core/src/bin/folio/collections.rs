//! Collections: create, rename, move, delete, list, add, remove.

use crate::output::print_json;
use anyhow::{bail, Result};
use clap::Subcommand;
use folio::{CollectionNode, Library};
use serde::Serialize;
use std::io::Write;

#[derive(Subcommand)]
pub enum Cmd {
    /// Collections: create, rename, move, delete, list, add, remove.
    #[command(subcommand)]
    Collection(CollectionCmd),
}

#[derive(Subcommand)]
pub enum CollectionCmd {
    /// Create a collection (missing parents are created too): `folio collection create "Thesis/Chapter 2"`.
    Create { path: String },
    /// Rename the last part of a collection's path.
    Rename { path: String, new_name: String },
    /// Move a collection under another (--to PARENT) or to the top level (--top).
    Move {
        path: String,
        #[arg(long, conflicts_with = "top")]
        to: Option<String>,
        #[arg(long)]
        top: bool,
    },
    /// Delete a collection and its subcollections (items stay in the library).
    Delete { path: String },
    /// Show the collection tree with item counts.
    List {
        #[arg(long)]
        json: bool,
    },
    /// Put items into a collection.
    Add {
        path: String,
        #[arg(required = true)]
        keys: Vec<String>,
    },
    /// Take items out of a collection.
    Remove {
        path: String,
        #[arg(required = true)]
        keys: Vec<String>,
    },
}

/// `collection list --json`: the tree, each collection with its subcollections.
#[derive(Serialize)]
struct CollectionJson<'a> {
    id: i64,
    name: &'a str,
    path: &'a str,
    /// Live items directly in this collection.
    items: i64,
    children: Vec<CollectionJson<'a>>,
}

impl<'a> From<&'a CollectionNode> for CollectionJson<'a> {
    fn from(n: &'a CollectionNode) -> Self {
        CollectionJson {
            id: n.id,
            name: &n.name,
            path: &n.path,
            items: n.items,
            children: n.children.iter().map(CollectionJson::from).collect(),
        }
    }
}

pub fn run(lib: &mut Library, cmd: Cmd) -> Result<()> {
    let Cmd::Collection(c) = cmd;
    match c {
        CollectionCmd::Create { path } => {
            lib.collection_create(&path)?;
        }
        CollectionCmd::Rename { path, new_name } => lib.collection_rename(&path, &new_name)?,
        CollectionCmd::Move { path, to, top } => {
            if to.is_none() && !top {
                bail!("say where to: --to PARENT or --top");
            }
            lib.collection_move(&path, to.as_deref())?
        }
        CollectionCmd::Delete { path } => lib.collection_delete(&path)?,
        CollectionCmd::Add { path, keys } => {
            let n = lib.collection_add(&path, &keys)?;
            eprintln!("added {n} item(s) to {path}");
        }
        CollectionCmd::Remove { path, keys } => {
            let n = lib.collection_remove(&path, &keys)?;
            eprintln!("removed {n} item(s) from {path}");
        }
        CollectionCmd::List { json } => list(lib, json)?,
    }
    Ok(())
}

fn list(lib: &Library, json: bool) -> Result<()> {
    let tree = lib.collection_tree()?;
    if json {
        return print_json(&tree.iter().map(CollectionJson::from).collect::<Vec<_>>());
    }
    // Depth first with an explicit stack (the tree nests at most MAX_COLLECTION_DEPTH levels,
    // but nothing here recurses on it anyway).
    let mut o = std::io::stdout().lock();
    let mut stack: Vec<(&CollectionNode, usize)> = tree.iter().rev().map(|n| (n, 0)).collect();
    while let Some((n, depth)) = stack.pop() {
        writeln!(o, "{}{} ({})", "  ".repeat(depth), n.name, n.items)?;
        stack.extend(n.children.iter().rev().map(|c| (c, depth + 1)));
    }
    Ok(())
}
