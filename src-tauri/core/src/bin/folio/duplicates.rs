//! Duplicates: list the groups (or merge every identifier group), merge items by hand.

use crate::output::print_json;
use anyhow::Result;
use clap::Subcommand;
use folio::Library;
use serde::Serialize;

#[derive(Subcommand)]
pub enum Cmd {
    /// List duplicate groups (reason and confidence), or merge every identifier group.
    Duplicates {
        #[arg(long)]
        json: bool,
        /// Merge every group with the same DOI or ISBN (keeps the richest, then oldest item).
        #[arg(long)]
        merge_exact: bool,
    },
    /// Merge items into KEEP: it gains what it lacks; the others go to the trash. Undoable.
    Merge {
        keep: String,
        #[arg(required = true)]
        others: Vec<String>,
        #[arg(long)]
        json: bool,
    },
}

/// `duplicates --json`: one group.
#[derive(Serialize)]
struct GroupJson<'a> {
    reason: &'static str,
    /// Safe to act on automatically (an identifier, or title + year + first author).
    certain: bool,
    /// Rounded to two decimals.
    confidence: f64,
    keys: &'a [String],
}

/// `merge --json`: what the merge did.
#[derive(Serialize)]
struct MergeJson<'a> {
    kept: &'a str,
    merged: &'a [String],
    conflicts: Vec<ConflictJson<'a>>,
}

/// A field both items had, with different values (the kept item's value stays).
#[derive(Serialize)]
struct ConflictJson<'a> {
    from: &'a str,
    field: &'a str,
    kept: &'a str,
    other: &'a str,
}

pub fn run(lib: &mut Library, cmd: Cmd) -> Result<()> {
    match cmd {
        Cmd::Duplicates { json, merge_exact } => {
            if merge_exact {
                merge_exact_groups(lib)
            } else {
                list(lib, json)
            }
        }
        Cmd::Merge { keep, others, json } => merge(lib, &keep, &others, json),
    }
}

fn merge_exact_groups(lib: &mut Library) -> Result<()> {
    let reports = lib.merge_identifier_groups()?;
    for r in &reports {
        println!("kept {} (merged {})", r.kept, r.merged.join(", "));
    }
    eprintln!("merged {} group(s); `folio undo` reverts all of it", reports.len());
    Ok(())
}

fn list(lib: &Library, json: bool) -> Result<()> {
    let groups = lib.duplicates()?;
    if json {
        let rows: Vec<GroupJson> = groups
            .iter()
            .map(|g| GroupJson {
                reason: g.reason.as_str(),
                certain: g.reason.is_certain(),
                confidence: (g.confidence * 100.0).round() / 100.0,
                keys: &g.keys,
            })
            .collect();
        return print_json(&rows);
    }
    for g in &groups {
        println!("{:.2}  {:<40} {}", g.confidence, g.reason.as_str(), g.keys.join(" "));
    }
    Ok(())
}

fn merge(lib: &mut Library, keep: &str, others: &[String], json: bool) -> Result<()> {
    let r = lib.merge(keep, others)?;
    if json {
        return print_json(&MergeJson {
            kept: &r.kept,
            merged: &r.merged,
            conflicts: r
                .conflicts
                .iter()
                .map(|(from, c)| ConflictJson {
                    from,
                    field: &c.field,
                    kept: &c.kept,
                    other: &c.other,
                })
                .collect(),
        });
    }
    for (k, c) in &r.conflicts {
        eprintln!(
            "conflict in {}: kept {:?}, {k} had {:?} (kept in the trash)",
            c.field, c.kept, c.other
        );
    }
    eprintln!("merged {} into {}", r.merged.join(", "), r.kept);
    Ok(())
}
