//! Keyword tags (tag add, remove, remove-imported, rename, merge, delete, list) and access
//! statuses (access set, list).

use crate::output::print_json;
use crate::select::{selected_keys, SelectArgs};
use anyhow::Result;
use clap::Subcommand;
use folio::model::AccessStatus;
use folio::Library;
use serde::{Serialize, Serializer};

#[derive(Subcommand)]
pub enum Cmd {
    /// Keyword tags: add, remove, rename, merge, delete, list.
    #[command(subcommand)]
    Tag(TagCmd),
    /// Access status (open, free, restricted, unknown).
    #[command(subcommand)]
    Access(AccessCmd),
}

#[derive(Subcommand)]
pub enum TagCmd {
    /// Tag items: by key, or every item a selection matches (`--query`, `--collection`, …,
    /// `--all`). One undo step.
    Add {
        tag: String,
        keys: Vec<String>,
        #[command(flatten)]
        select: SelectArgs,
        /// Every item of the library.
        #[arg(long)]
        all: bool,
    },
    /// Untag items (by key or selection, as for `tag add`).
    Remove {
        tag: String,
        keys: Vec<String>,
        #[command(flatten)]
        select: SelectArgs,
        #[arg(long)]
        all: bool,
    },
    /// Remove the tags imports added (all of them, or only TAG), keeping your own.
    RemoveImported { tag: Option<String> },
    /// Rename a tag everywhere (onto an existing tag: merge).
    Rename { old: String, new: String },
    /// Merge tags into one: `folio tag merge coproduction co-prod --into co-production`.
    Merge {
        #[arg(required = true)]
        from: Vec<String>,
        #[arg(long)]
        into: String,
    },
    /// Remove a tag from all items.
    Delete { tag: String },
    /// Tags with item counts.
    List {
        #[arg(long)]
        json: bool,
    },
}

#[derive(Subcommand)]
pub enum AccessCmd {
    /// Set the access status of items.
    Set {
        status: AccessStatus,
        #[arg(required = true)]
        keys: Vec<String>,
    },
    /// Item counts per access status.
    List {
        #[arg(long)]
        json: bool,
    },
}

/// `tag list --json`: one tag.
#[derive(Serialize)]
struct TagJson<'a> {
    name: &'a str,
    /// Live items carrying the tag.
    items: i64,
    /// Of those, how many links an import made.
    imported: i64,
}

/// `access list --json`: `{"open": n, "free": n, "restricted": n, "unknown": n}`, in the
/// order of the counts.
struct AccessCountsJson<'a>(&'a [(AccessStatus, i64)]);

impl Serialize for AccessCountsJson<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_map(self.0.iter().map(|(status, n)| (status.as_str(), n)))
    }
}

pub fn run(lib: &mut Library, cmd: Cmd) -> Result<()> {
    match cmd {
        Cmd::Tag(t) => tag(lib, t),
        Cmd::Access(a) => access(lib, a),
    }
}

fn tag(lib: &mut Library, cmd: TagCmd) -> Result<()> {
    match cmd {
        TagCmd::Add { tag, keys, select, all } => {
            let keys = selected_keys(lib, keys, &select, all)?;
            let n = lib.tag_add(&tag, &keys)?;
            eprintln!("tagged {n} item(s) with {tag}");
        }
        TagCmd::Remove { tag, keys, select, all } => {
            let keys = selected_keys(lib, keys, &select, all)?;
            let n = lib.tag_remove(&tag, &keys)?;
            eprintln!("removed {tag} from {n} item(s)");
        }
        TagCmd::RemoveImported { tag } => {
            let n = lib.tag_remove_imported(tag.as_deref())?;
            eprintln!("removed imported tags from {n} item(s)");
        }
        TagCmd::Rename { old, new } => {
            let n = lib.tag_rename(&old, &new)?;
            eprintln!("renamed {old} to {new} on {n} item(s)");
        }
        TagCmd::Merge { from, into } => {
            let n = lib.tag_merge(&from, &into)?;
            eprintln!("merged into {into} on {n} item(s)");
        }
        TagCmd::Delete { tag } => {
            let n = lib.tag_delete(&tag)?;
            eprintln!("deleted {tag} from {n} item(s)");
        }
        TagCmd::List { json } => {
            let tags = lib.tag_list()?;
            if json {
                let rows: Vec<TagJson> = tags
                    .iter()
                    .map(|t| TagJson {
                        name: &t.name,
                        items: t.items,
                        imported: t.imported,
                    })
                    .collect();
                print_json(&rows)?;
            } else {
                for t in tags {
                    println!("{:>6}  {}", t.items, t.name);
                }
            }
        }
    }
    Ok(())
}

fn access(lib: &mut Library, cmd: AccessCmd) -> Result<()> {
    match cmd {
        AccessCmd::Set { status, keys } => {
            let n = lib.access_set(status, &keys)?;
            eprintln!("set access of {n} item(s) to {status}");
        }
        AccessCmd::List { json } => {
            let counts = lib.access_counts()?;
            if json {
                print_json(&AccessCountsJson(&counts))?;
            } else {
                for (s, n) in counts {
                    println!("{n:>6}  {s}");
                }
            }
        }
    }
    Ok(())
}
