//! Citation keys: regenerate, fix, protected, pattern, check.

use crate::output::print_json;
use crate::select::keys_or_all;
use anyhow::{bail, Result};
use clap::Subcommand;
use folio::Library;
use serde::Serialize;

#[derive(Subcommand)]
pub enum Cmd {
    /// Citation keys: regenerate, fix, pattern, check.
    #[command(subcommand)]
    Key(KeyCmd),
}

#[derive(Subcommand)]
pub enum KeyCmd {
    /// Give items new keys from the pattern (explicit, undoable).
    Regenerate {
        keys: Vec<String>,
        /// All items in the library.
        #[arg(long, conflicts_with = "keys")]
        all: bool,
        #[arg(long)]
        pattern: Option<String>,
        /// Confirm changing keys that a paper depends on (cited in a registered .aux or auto-exported).
        #[arg(long)]
        force: bool,
    },
    /// Repair keys LaTeX tools reject (' spaces braces non-ASCII, or differing from another
    /// only in case): drop or transliterate the offending characters, D'Ambrosio2007 ->
    /// DAmbrosio2007 (explicit, undoable; links of other entries follow).
    Fix {
        keys: Vec<String>,
        /// All items in the library.
        #[arg(long, conflicts_with = "keys")]
        all: bool,
        /// Only show what would change.
        #[arg(long)]
        dry_run: bool,
        /// Confirm changing keys that a paper depends on (cited in a registered .aux or auto-exported).
        #[arg(long)]
        force: bool,
        #[arg(long)]
        json: bool,
    },
    /// Keys a paper depends on, and why.
    Protected {
        #[arg(long)]
        json: bool,
    },
    /// Show or set the library's key pattern, e.g. "[auth:lower][year]".
    Pattern { pattern: Option<String> },
    /// Report duplicate keys, keys LaTeX rejects and entries without keys.
    Check {
        #[arg(long)]
        json: bool,
    },
}

/// `key fix --json`: what changed (or would change, with `--dry-run`).
#[derive(Serialize)]
struct KeyFixJson<'a> {
    dry_run: bool,
    renamed: Vec<RenameJson<'a>>,
    /// Keys of other entries whose links to the renamed keys changed.
    relinked: &'a [String],
    /// Renamed keys whose new key left out characters with no ASCII spelling (emoji…).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    dropped: Vec<DroppedJson<'a>>,
}

#[derive(Serialize)]
struct DroppedJson<'a> {
    old: &'a str,
    chars: String,
}

#[derive(Serialize)]
struct RenameJson<'a> {
    old: &'a str,
    new: &'a str,
}

/// `key check --json`: one problem.
#[derive(Serialize)]
struct KeyProblemJson<'a> {
    key: &'a str,
    problem: &'a str,
}

pub fn run(lib: &mut Library, cmd: Cmd) -> Result<()> {
    let Cmd::Key(k) = cmd;
    match k {
        KeyCmd::Protected { json } => {
            // `{"KEY": "why", …}` in key order.
            let p = lib.protected_keys()?;
            if json {
                print_json(&p)?;
            } else {
                for (k, why) in p {
                    println!("{k:<24} {why}");
                }
            }
        }
        KeyCmd::Regenerate {
            keys,
            all,
            pattern,
            force,
        } => {
            let keys = keys_or_all(lib, keys, all, "regenerate")?;
            for (old, new) in lib.regenerate_keys(&keys, pattern.as_deref(), force)? {
                println!("{old} -> {new}");
            }
        }
        KeyCmd::Fix {
            keys,
            all,
            dry_run,
            force,
            json,
        } => {
            let keys = keys_or_all(lib, keys, all, "fix")?;
            fix(lib, &keys, dry_run, force, json)?;
        }
        KeyCmd::Pattern { pattern } => match pattern {
            Some(p) => lib.set_key_pattern(&p)?,
            None => println!("{}", lib.key_pattern()?),
        },
        KeyCmd::Check { json } => check(lib, json)?,
    }
    Ok(())
}

fn fix(lib: &mut Library, keys: &[String], dry_run: bool, force: bool, json: bool) -> Result<()> {
    let fix = lib.fix_keys(keys, force, dry_run)?;
    if json {
        return print_json(&KeyFixJson {
            dry_run,
            renamed: fix.renamed.iter().map(|(old, new)| RenameJson { old, new }).collect(),
            relinked: &fix.relinked,
            dropped: fix
                .dropped
                .iter()
                .map(|(old, chars)| DroppedJson {
                    old,
                    chars: chars.iter().collect(),
                })
                .collect(),
        });
    }
    for (old, new) in &fix.renamed {
        println!("{old} -> {new}");
    }
    for (old, chars) in &fix.dropped {
        eprintln!(
            "{old}: the new key leaves out {}: no ASCII spelling",
            folio::citekey::describe_chars(chars)
        );
    }
    if !fix.relinked.is_empty() {
        eprintln!(
            "links to them {} in: {}",
            if dry_run { "would change" } else { "changed" },
            fix.relinked.join(", ")
        );
    }
    if fix.renamed.is_empty() {
        eprintln!("no key needs fixing");
    } else if dry_run {
        eprintln!("(dry run: nothing changed)");
    }
    Ok(())
}

/// Print the key problems; fails (exit 1) when there are any.
fn check(lib: &Library, json: bool) -> Result<()> {
    let problems = lib.key_check()?;
    if json {
        let rows: Vec<KeyProblemJson> = problems
            .iter()
            .map(|(key, problem)| KeyProblemJson { key, problem })
            .collect();
        print_json(&rows)?;
    } else {
        for (k, m) in &problems {
            println!("{k}: {m}");
        }
    }
    if !problems.is_empty() {
        bail!(
            "{} citation-key problem(s); `folio key fix --all` repairs them",
            problems.len()
        );
    }
    Ok(())
}
