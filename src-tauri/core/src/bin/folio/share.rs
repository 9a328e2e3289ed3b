//! Shared libraries: `remote`, `sync`, `conflicts` (issue 27).

use crate::output::print_json;
use anyhow::{Context, Result};
use clap::Subcommand;
use folio::app::share;
use folio::library::replica::SyncConflict;
use folio::sync::SyncReport;
use folio::Library;
use std::path::Path;
use std::time::Duration;

#[derive(Subcommand)]
pub enum Cmd {
    /// Where this library is shared: `remote set postgresql://user@host/db`, `remote show`,
    /// `remote unset`.
    Remote {
        #[command(subcommand)]
        cmd: RemoteCmd,
    },
    /// Pull the other members' changes and push this library's.
    Sync {
        /// Keep syncing: another member's change arrives within a second, this library's
        /// changes are pushed as they are made. Ctrl-C stops.
        #[arg(long)]
        watch: bool,
        #[arg(long)]
        json: bool,
    },
    /// Fields changed on both sides, waiting for a choice.
    Conflicts {
        #[command(subcommand)]
        cmd: Option<ConflictCmd>,
        #[arg(long)]
        json: bool,
    },
}

#[derive(Subcommand)]
pub enum RemoteCmd {
    /// Share this library through a PostgreSQL server. The server's tables and the shared
    /// library are created when missing (and the role may). A password in the URL is used
    /// to connect and not kept: later syncs read `PGPASSWORD` or `~/.pgpass`, as psql does.
    Set {
        /// postgresql://user[:password]@host[:port]/database[?sslmode=verify-full]
        url: String,
        /// The shared library's name on the server (default: this library's file name).
        #[arg(long)]
        library_name: Option<String>,
        /// Who you are in the shared history (default: user@machine).
        #[arg(long)]
        author: Option<String>,
        #[arg(long)]
        json: bool,
    },
    /// The server, the shared library, and where this replica stands.
    Show {
        #[arg(long)]
        json: bool,
    },
    /// Stop sharing (the library stays as it is).
    Unset,
}

#[derive(Subcommand)]
pub enum ConflictCmd {
    /// Choose a value: `--take mine`, `--take theirs` or `--take VALUE`.
    Resolve {
        /// The item's key (or the collection's or saved search's name, or the uuid).
        target: String,
        #[arg(long)]
        field: String,
        #[arg(long)]
        take: String,
    },
}

fn runtime() -> Result<tokio::runtime::Runtime> {
    Ok(tokio::runtime::Builder::new_current_thread().enable_all().build()?)
}

pub fn run(lib: &mut Library, cmd: Cmd, path: &Path) -> Result<()> {
    match cmd {
        Cmd::Remote { cmd } => remote(lib, cmd, path),
        Cmd::Sync { watch, json } => sync(lib, watch, json),
        Cmd::Conflicts { cmd: None, json } => {
            let all = share::conflicts(lib)?;
            if json {
                return print_json(&all);
            }
            if all.is_empty() {
                eprintln!("no conflicts");
            }
            for c in &all {
                print_conflict(c);
            }
            Ok(())
        }
        Cmd::Conflicts {
            cmd: Some(ConflictCmd::Resolve { target, field, take }),
            ..
        } => {
            share::resolve(lib, &target, &field, &take)?;
            eprintln!("resolved {field} of {target}; the next sync pushes it");
            Ok(())
        }
    }
}

fn remote(lib: &mut Library, cmd: RemoteCmd, path: &Path) -> Result<()> {
    match cmd {
        RemoteCmd::Set {
            url,
            library_name,
            author,
            json,
        } => {
            let name = library_name.unwrap_or_else(|| share::default_library_name(path));
            let author = author.unwrap_or_else(share::default_author);
            let c = runtime()?.block_on(share::set_remote(lib, &url, &name, &author))?;
            if json {
                return print_json(&c);
            }
            eprintln!(
                "shared as {:?} on {} (server version {}{}); {} objects to push: run `folio sync`",
                c.settings.library,
                c.settings.url,
                c.server_version,
                if c.read_only { ", read-only member" } else { "" },
                c.to_push
            );
            match &c.password {
                share::PasswordKept::NoneGiven => {}
                share::PasswordKept::Keychain => eprintln!("the password is kept in the OS keychain"),
                share::PasswordKept::Nowhere(why) => {
                    eprintln!("folio: the password was not kept ({why}); later syncs need PGPASSWORD or ~/.pgpass")
                }
            }
            Ok(())
        }
        RemoteCmd::Show { json } => {
            let settings = lib.remote_settings()?;
            let status = lib.replica_status()?;
            let read_only = lib.remote_read_only()?;
            let in_flight = lib.pushes_in_flight()?.len();
            if json {
                return print_json(&serde_json::json!({
                    "remote": settings, "status": status, "read_only": read_only,
                    "pushes_in_flight": in_flight,
                }));
            }
            match settings {
                None => println!("not shared"),
                Some(s) => {
                    println!("server:    {}", s.url);
                    println!("library:   {}", s.library);
                    println!("author:    {}", s.author);
                    println!("pulled:    version {}", status.pulled);
                    println!("to push:   {}", status.outbox);
                    println!("conflicts: {}", status.conflicts);
                    if read_only {
                        println!("read-only member");
                    }
                }
            }
            Ok(())
        }
        RemoteCmd::Unset => {
            if share::unset_remote(lib)? {
                eprintln!("not shared any more; its password was removed from the OS keychain");
                return Ok(());
            }
            eprintln!("not shared any more");
            Ok(())
        }
    }
}

fn sync(lib: &mut Library, watch: bool, json: bool) -> Result<()> {
    let rt = runtime()?;
    if !watch {
        let report = rt.block_on(share::sync_library(lib)).context("sync failed")?;
        return print_report(&report, json);
    }
    let settings = lib
        .remote_settings()?
        .context("this library is not shared: `folio remote set postgresql://…` first")?;
    rt.block_on(async {
        let mut remote = share::connect(&settings).await?;
        folio::sync::watch(lib, &mut remote, Duration::from_secs(30), |r| {
            match r {
                Ok(report) => {
                    if report.received + report.pushed_objects > 0 || report.conflicts > 0 {
                        let _ = print_report(report, json);
                    }
                }
                Err(e) => eprintln!("folio: sync: {e}"),
            }
            true
        })
        .await;
        Ok(())
    })
}

fn print_report(r: &SyncReport, json: bool) -> Result<()> {
    if json {
        return print_json(r);
    }
    let p = &r.pulled;
    println!(
        "pulled: {} added, {} changed, {} deleted, {} merged{}",
        p.added,
        p.changed,
        p.deleted,
        p.merged,
        if p.authors.is_empty() {
            String::new()
        } else {
            format!(" (by {})", p.authors.iter().cloned().collect::<Vec<_>>().join(", "))
        }
    );
    println!("pushed: {} actions, {} objects", r.pushed_actions, r.pushed_objects);
    for k in r.renamed.iter().chain(&p.renamed) {
        println!("key {} → {}: {}", k.old, k.new, k.why);
    }
    for c in &p.conflicts {
        println!("conflict: {c}");
    }
    if r.conflicts > 0 {
        println!("{} conflicts wait: `folio conflicts`", r.conflicts);
    }
    if r.read_only {
        println!("read-only member: {} local changes are not pushed", r.outbox);
    }
    println!("server version {}", r.server_version);
    Ok(())
}

fn print_conflict(c: &SyncConflict) {
    let show = |v: &Option<serde_json::Value>| match v {
        None => "(deleted)".to_string(),
        Some(serde_json::Value::String(s)) => s.clone(),
        Some(v) => v.to_string(),
    };
    println!("{} {}  field {}", c.kind.as_str(), c.name, c.field);
    println!("  mine:   {}", show(&c.mine));
    println!("  theirs: {}  ({}, {})", show(&c.theirs), c.author, c.at);
}
