//! `folio`: the command-line interface to a Folio library. A stable contract for scripts,
//! LaTeX builds and tests: exit 0 on success, 1 on error (message on stderr), 2 on usage errors.
//!
//! One module per command group, each owning its clap types (flattened into [`Command`]) and a
//! `run`: `items` (add, edit, show, list, delete, restore, trash), `collections`, `tags` (tag,
//! access), `searches`, `keys`, `history` (undo, redo, history), `import`, `duplicates`
//! (duplicates, merge), `export` (export, auto-export, aux, cite), `info` and `serve` (the local
//! HTTP API). Shared helpers:
//! `select` (a selection of items → filter and keys) and `output` (JSON and text printing).
//! Every `--json` output is a serde type, pinned by the snapshot tests in `tests/it/cli_json.rs`.

#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

mod attachments;
mod collections;
mod duplicates;
mod export;
mod history;
mod import;
mod info;
mod items;
mod keys;
mod output;
mod searches;
mod select;
mod serve;
mod share;
mod tags;

use anyhow::{Context, Result};
use clap::{Parser, Subcommand};
use folio::Library;
use std::path::{Path, PathBuf};

#[derive(Parser)]
#[command(
    name = "folio",
    version,
    about = "Folio reference manager: manage a library of references from the command line"
)]
struct Cli {
    /// Library file (default: $FOLIO_LIBRARY, else the OS data folder's library.sqlite).
    #[arg(long, global = true, value_name = "PATH")]
    library: Option<PathBuf>,
    #[command(subcommand)]
    command: Command,
}

/// Every command, by group (each group's commands are listed in its module, in help order).
// Parsed once per run: boxing the larger argument structs would only add noise.
#[allow(clippy::large_enum_variant)]
#[derive(Subcommand)]
enum Command {
    #[command(flatten)]
    Items(items::Cmd),
    #[command(flatten)]
    Collections(collections::Cmd),
    #[command(flatten)]
    Tags(tags::Cmd),
    #[command(flatten)]
    Searches(searches::Cmd),
    #[command(flatten)]
    Keys(keys::Cmd),
    #[command(flatten)]
    History(history::Cmd),
    #[command(flatten)]
    Import(import::Cmd),
    #[command(flatten)]
    Duplicates(duplicates::Cmd),
    #[command(flatten)]
    Export(export::Cmd),
    #[command(flatten)]
    Info(info::Cmd),
    #[command(flatten)]
    Serve(serve::Cmd),
    #[command(flatten)]
    Attachments(attachments::Cmd),
    #[command(flatten)]
    Share(share::Cmd),
}

fn library_path(cli: &Cli) -> PathBuf {
    cli.library
        .clone()
        .or_else(|| {
            std::env::var_os("FOLIO_LIBRARY")
                .filter(|v| !v.is_empty())
                .map(PathBuf::from)
        })
        .unwrap_or_else(folio::default_library_path)
}

fn run(cli: Cli) -> Result<()> {
    let path = library_path(&cli);
    let command = match cli.command {
        // Reads only, with its own read-only connections: no write lock, no auto-export sync.
        Command::Serve(c) => return serve::run(c, &path),
        // Lists what is bundled: no library is opened (or created).
        Command::Export(export::Cmd::Styles) => {
            export::styles();
            return Ok(());
        }
        other => other,
    };
    let mut lib = Library::open(&path).with_context(|| format!("cannot open library {}", path.display()))?;
    say_how_it_opened(&lib, &path);
    let result = dispatch(&mut lib, command, &path);
    sync_auto_exports(&mut lib);
    result
}

/// A new library (a mistyped `--library` would otherwise go unnoticed) and a library that can
/// only be read are announced on stderr.
fn say_how_it_opened(lib: &Library, path: &Path) {
    let opened = lib.opened();
    if opened.created {
        let folders = match opened.created_folders.first() {
            Some(top) => format!(" (and the folder {})", top.display()),
            None => String::new(),
        };
        eprintln!("folio: created a new, empty library at {}{folders}", path.display());
    }
    if let Some(why) = &opened.read_only {
        eprintln!(
            "folio: note: the library {} is read-only ({why}): reading and exporting to other files work, changes are refused",
            path.display()
        );
    }
}

/// The error and its causes on one line, each cause once: an I/O error's message is part of
/// the error that wraps it, so it is not repeated.
fn error_line(e: &anyhow::Error) -> String {
    let mut line = String::new();
    for cause in e.chain() {
        let text = cause.to_string();
        if !line.ends_with(&text) {
            if !line.is_empty() {
                line.push_str(": ");
            }
            line.push_str(&text);
        }
    }
    line
}

/// Every auto-export the command touched is up to date when the command returns; a failure
/// is a warning (the command itself succeeded).
fn sync_auto_exports(lib: &mut Library) {
    for w in folio::app::after_action(lib).warnings() {
        eprintln!("folio: warning: {w}");
    }
}

fn dispatch(lib: &mut Library, command: Command, path: &Path) -> Result<()> {
    match command {
        Command::Items(c) => items::run(lib, c),
        Command::Collections(c) => collections::run(lib, c),
        Command::Tags(c) => tags::run(lib, c),
        Command::Searches(c) => searches::run(lib, c),
        Command::Keys(c) => keys::run(lib, c),
        Command::History(c) => history::run(lib, c),
        Command::Import(c) => import::run(lib, c),
        Command::Duplicates(c) => duplicates::run(lib, c),
        Command::Export(c) => export::run(lib, c),
        Command::Info(c) => info::run(lib, c, path),
        Command::Attachments(c) => attachments::run(lib, c),
        Command::Share(c) => share::run(lib, c, path),
        Command::Serve(_) => unreachable!("run() serves before opening the library for writing"),
    }
}

/// Peak resident memory of this process (Linux), for the benchmarks (`FOLIO_TRACE`).
fn trace_peak_memory() {
    if let Some(kb) = std::fs::read_to_string("/proc/self/status").ok().and_then(|s| {
        s.lines()
            .find(|l| l.starts_with("VmHWM:"))
            .and_then(|l| l.split_whitespace().nth(1)?.parse::<u64>().ok())
    }) {
        eprintln!("trace: peak memory: {:.1} MB", kb as f64 / 1024.0);
    }
}

fn main() {
    // The PDF reader's worker process (`folio::pdf::read_isolated`).
    if std::env::args_os().nth(1).is_some_and(|a| a == folio::pdf::WORKER_ARG) {
        let ok = folio::pdf::worker_main() == std::process::ExitCode::SUCCESS;
        std::process::exit(if ok { 0 } else { 1 });
    }
    // The desktop app (or any front end) runs imports in a worker process (`folio::app::isolated`).
    if std::env::args_os()
        .nth(1)
        .is_some_and(|a| a == folio::app::isolated::WORKER_ARG)
    {
        std::process::exit(folio::app::isolated::serve_stdio());
    }
    let cli = match Cli::try_parse() {
        Ok(c) => c,
        Err(e) => {
            let code = if e.use_stderr() { 2 } else { 0 };
            let _ = e.print();
            std::process::exit(code);
        }
    };
    let result = run(cli);
    if std::env::var_os("FOLIO_TRACE").is_some() {
        trace_peak_memory();
    }
    if let Err(e) = result {
        // A closed pipe (`folio list | head`) is not an error.
        if e.chain().any(|c| {
            c.downcast_ref::<std::io::Error>()
                .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
        }) {
            std::process::exit(0);
        }
        eprintln!("folio: error: {}", error_line(&e));
        std::process::exit(1);
    }
}
