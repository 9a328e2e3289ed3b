//! Undo, redo and the history of actions.

use crate::output::print_json;
use anyhow::Result;
use clap::Subcommand;
use folio::store::DamagedStep;
use folio::Library;
use serde::Serialize;

#[derive(Subcommand)]
pub enum Cmd {
    /// Undo the last action.
    Undo,
    /// Redo the last undone action.
    Redo,
    /// The actions that can be undone (newest first).
    History {
        #[arg(long, default_value_t = 20)]
        limit: usize,
        #[arg(long)]
        json: bool,
        /// The shared library's history (every member's actions, from the server).
        #[arg(long)]
        shared: bool,
        /// With --shared: only the actions that changed this item (by key).
        #[arg(long, requires = "shared")]
        item: Option<String>,
    },
}

/// `history --json`: one action.
#[derive(Serialize)]
struct ActionJson<'a> {
    id: i64,
    label: &'a str,
    at: &'a str,
    /// `true` while the action is in effect, `false` once undone.
    done: bool,
    /// How many objects the action touched.
    objects: usize,
}

pub fn run(lib: &mut Library, cmd: Cmd) -> Result<()> {
    match cmd {
        Cmd::Undo => {
            let s = lib.undo_step()?;
            warn_damaged(&s.skipped);
            eprintln!("undid: {}", s.label);
        }
        Cmd::Redo => {
            let s = lib.redo_step()?;
            warn_damaged(&s.skipped);
            eprintln!("redid: {}", s.label);
        }
        Cmd::History {
            limit,
            json,
            shared: true,
            item,
        } => shared_history(lib, limit, json, item.as_deref())?,
        Cmd::History { limit, json, .. } => history(lib, limit, json)?,
    }
    Ok(())
}

fn warn_damaged(steps: &[DamagedStep]) {
    for d in steps {
        eprintln!("folio: warning: {}", d.describe());
    }
}

fn history(lib: &Library, limit: usize, json: bool) -> Result<()> {
    let report = lib.history_report(limit)?;
    warn_damaged(&report.damaged);
    let h = report.entries;
    if json {
        let rows: Vec<ActionJson> = h
            .iter()
            .map(|e| ActionJson {
                id: e.id,
                label: &e.label,
                at: &e.at,
                done: e.done,
                objects: e.objects,
            })
            .collect();
        return print_json(&rows);
    }
    for e in h {
        println!(
            "{} {:<5} {}  {}",
            e.at,
            if e.done { "" } else { "(undone)" },
            e.id,
            e.label
        );
    }
    Ok(())
}

fn shared_history(lib: &Library, limit: usize, json: bool, item: Option<&str>) -> Result<()> {
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build()?;
    let actions = rt.block_on(folio::app::share::shared_history(lib, item, limit))?;
    if json {
        return print_json(&actions);
    }
    for a in actions {
        println!(
            "{} v{:<6} {:<20} {}  ({} objects)",
            a.at,
            a.version,
            a.author,
            a.label,
            a.changes.len()
        );
    }
    Ok(())
}
