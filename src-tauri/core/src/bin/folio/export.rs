//! Export (by key, selection or `.aux` file), auto-exports, registered `.aux` files and
//! `\cite` commands / formatted references.

use crate::output::print_json;
use crate::select::{filter_of, SelectArgs};
use anyhow::{bail, Result};
use clap::{Args, Subcommand};
use folio::auto_export::{AutoExport, AutoExportStatus, Scope};
use folio::export::{ExportOptions, Selection};
use folio::format::Format;
use folio::model::AccessStatus;
use folio::{app, Library};
use serde::Serialize;
use std::io::Write;
use std::path::PathBuf;

#[derive(Subcommand)]
pub enum Cmd {
    /// Export items to BibTeX, BibLaTeX, RIS, Folio JSON, CSL-JSON, CSL-YAML or Hayagriva YAML.
    Export(ExportArgs),
    /// Files kept in sync with the library (Better BibTeX-style auto-export).
    #[command(subcommand, name = "auto-export")]
    AutoExport(AutoExportCmd),
    /// Registered LaTeX .aux files: the keys they cite are protected.
    #[command(subcommand)]
    Aux(AuxCmd),
    /// Print \cite{key1,key2} for the items (or a formatted reference with --style).
    Cite {
        #[arg(required = true)]
        keys: Vec<String>,
        /// The LaTeX command: cite, citep, citet, autocite, parencite, textcite, …
        #[arg(long, default_value = "cite")]
        command: String,
        /// A formatted reference instead: apa, chicago (author-date), ieee, harvard, any bundled
        /// style (`folio styles` lists them: nature, vancouver, mla…) or a .csl file.
        #[arg(long, value_name = "NAME|FILE.csl")]
        style: Option<folio::cite::CslStyle>,
        /// With --style: the in-text citation ("(Jaspers & Steen, 2019)") instead of references.
        #[arg(long, requires = "style")]
        in_text: bool,
    },
    /// List the bundled citation styles (name, title; aliases), for `cite --style`.
    Styles,
}

#[derive(Args)]
pub struct ExportArgs {
    /// bibtex, biblatex, ris, json (Folio's own, lossless), csljson or cslyaml (CSL, for
    /// pandoc's --citeproc), hayagriva (typst's YAML).
    #[arg(long, default_value = "bibtex")]
    format: Format,
    /// Write here (atomically) instead of standard output.
    #[arg(short = 'o', long)]
    output: Option<PathBuf>,
    #[command(flatten)]
    select: SelectArgs,
    /// Export exactly these items.
    keys: Vec<String>,
    /// Export the entries a LaTeX .aux file cites (with their crossref parents); registers it.
    #[arg(long, conflicts_with = "keys")]
    aux: Option<PathBuf>,
    /// Write LaTeX escapes instead of UTF-8 (default for bibtex).
    #[arg(long, conflicts_with = "unicode")]
    ascii: bool,
    /// Write UTF-8 instead of LaTeX escapes (default for biblatex).
    #[arg(long)]
    unicode: bool,
    /// Leave out these fields (e.g. --omit abstract --omit file).
    #[arg(long = "omit")]
    omit: Vec<String>,
}

#[derive(Subcommand)]
pub enum AutoExportCmd {
    /// Keep PATH in sync with a scope of the library (written now and after every change).
    Add {
        path: PathBuf,
        #[arg(long, default_value = "bibtex")]
        format: Format,
        #[arg(long)]
        collection: Option<String>,
        #[arg(long)]
        recursive: bool,
        #[arg(long)]
        tag: Option<String>,
        #[arg(long)]
        access: Option<AccessStatus>,
        /// A saved search.
        #[arg(long)]
        search: Option<String>,
        #[arg(long, conflicts_with = "unicode")]
        ascii: bool,
        #[arg(long)]
        unicode: bool,
        #[arg(long = "omit")]
        omit: Vec<String>,
    },
    /// The auto-exports and their last run.
    List {
        #[arg(long)]
        json: bool,
    },
    /// Stop keeping PATH in sync (the file stays).
    Remove { path: PathBuf },
    /// Bring every auto-export up to date now.
    Run,
}

#[derive(Subcommand)]
pub enum AuxCmd {
    /// Register a .aux file (its cited keys become protected).
    Add {
        path: PathBuf,
    },
    Remove {
        path: PathBuf,
    },
    List,
}

/// `auto-export list --json`: one auto-export with its last run.
#[derive(Serialize)]
struct AutoExportJson<'a> {
    path: &'a str,
    format: &'a str,
    /// What it exports, in words ("tag co-production").
    scope: String,
    last_run_at: Option<&'a str>,
    items: Option<i64>,
    last_error: Option<&'a str>,
}

impl<'a> AutoExportJson<'a> {
    fn new(lib: &Library, s: &'a AutoExportStatus) -> Self {
        AutoExportJson {
            path: &s.export.path,
            format: &s.export.format,
            scope: lib.scope_label(&s.export.scope),
            last_run_at: s.last_run_at.as_deref(),
            items: s.items,
            last_error: s.last_error.as_deref(),
        }
    }
}

pub fn run(lib: &mut Library, cmd: Cmd) -> Result<()> {
    match cmd {
        Cmd::Export(e) => export(lib, e),
        Cmd::AutoExport(a) => auto_export(lib, a),
        Cmd::Aux(a) => {
            match a {
                AuxCmd::Add { path } => lib.aux_add(&app::aux_path(&path)?)?,
                AuxCmd::Remove { path } => {
                    lib.aux_remove(&app::aux_path(&path).unwrap_or_else(|_| path.with_extension("aux")))?
                }
                AuxCmd::List => {
                    for p in lib.aux_files()? {
                        println!("{p}");
                    }
                }
            }
            Ok(())
        }
        Cmd::Cite {
            keys,
            command,
            style,
            in_text,
        } => cite(lib, &keys, &command, style, in_text),
        Cmd::Styles => {
            styles();
            Ok(())
        }
    }
}

/// `folio styles`: one line per bundled style, "name<TAB>title", aliases in brackets. Needs
/// no library.
pub fn styles() {
    for s in folio::cite::bundled_styles() {
        if s.aliases.is_empty() {
            println!("{}\t{}", s.name, s.title);
        } else {
            println!("{}\t{} (also: {})", s.name, s.title, s.aliases.join(", "));
        }
    }
}

/// `--ascii` / `--unicode` / neither (the format's default).
fn ascii_of(ascii: bool, unicode: bool) -> Option<bool> {
    if ascii {
        Some(true)
    } else if unicode {
        Some(false)
    } else {
        None
    }
}

fn export(lib: &mut Library, e: ExportArgs) -> Result<()> {
    let opts = ExportOptions {
        format: e.format,
        ascii: ascii_of(e.ascii, e.unicode),
        omit_fields: e.omit,
    };
    let (report, text) = match &e.aux {
        // Exactly what the paper cites (a .tex stands for its .aux), registering the .aux.
        // To standard output, the .aux is registered only once the text is written: a failed
        // write (a full disk, a closed pipe) leaves no "Register" step behind.
        Some(aux) => {
            let c = match &e.output {
                Some(out) => app::export_cited(lib, aux, &opts, Some(out), true)?,
                None => app::export_cited_to(lib, aux, &opts, &mut std::io::stdout().lock(), true)?,
            };
            for w in &c.warnings {
                eprintln!("folio: warning: {w}");
            }
            for m in &c.missing {
                eprintln!(
                    "folio: warning: {} cites {m}, which is not in the library",
                    c.aux.display()
                );
            }
            (c.report, c.text)
        }
        None => {
            let sel = Selection {
                filter: filter_of(&e.select, lib)?,
                keys: e.keys,
            };
            match &e.output {
                Some(path) => (lib.export_file(&sel, &opts, path)?, None),
                None => {
                    let (text, r) = lib.export_text(&sel, &opts)?;
                    (r, Some(text))
                }
            }
        }
    };
    match (&e.output, text) {
        (Some(path), _) => eprintln!(
            "exported {} item(s) to {}{}",
            report.items,
            path.display(),
            if report.written { "" } else { " (unchanged)" }
        ),
        (None, Some(text)) => std::io::stdout().lock().write_all(text.as_bytes())?,
        (None, None) => {}
    }
    for d in &report.diagnostics {
        eprintln!("{}: {}", d.severity.as_str(), d.message);
    }
    Ok(())
}

fn auto_export(lib: &mut Library, cmd: AutoExportCmd) -> Result<()> {
    match cmd {
        AutoExportCmd::Add {
            path,
            format,
            collection,
            recursive,
            tag,
            access,
            search,
            ascii,
            unicode,
            omit,
        } => {
            let scopes = [collection.is_some(), tag.is_some(), access.is_some(), search.is_some()];
            if scopes.iter().filter(|s| **s).count() > 1 {
                bail!("choose one scope: --collection, --tag, --access or --search");
            }
            let scope = if let Some(c) = collection {
                Scope::Collection {
                    id: lib.resolve_collection(&c)?,
                    recursive,
                }
            } else if let Some(t) = tag {
                Scope::Tag { name: t }
            } else if let Some(a) = access {
                Scope::Access { status: a }
            } else if let Some(s) = search {
                Scope::Search { name: s }
            } else {
                Scope::Library
            };
            let export = AutoExport {
                path: path.to_string_lossy().into_owned(),
                format: format.as_str().to_string(),
                scope,
                ascii: ascii_of(ascii, unicode),
                omit_fields: omit,
            };
            let r = lib.auto_export_add(export)?;
            match r.error {
                Some(e) => eprintln!("folio: warning: registered, but writing {} failed: {e}", r.path),
                None => eprintln!("auto-export {} written ({} items)", r.path, r.items),
            }
        }
        AutoExportCmd::List { json } => auto_export_list(lib, json)?,
        AutoExportCmd::Remove { path } => lib.auto_export_remove(&path.to_string_lossy())?,
        AutoExportCmd::Run => auto_export_run(lib)?,
    }
    Ok(())
}

fn auto_export_list(lib: &Library, json: bool) -> Result<()> {
    let list = lib.auto_exports()?;
    if json {
        let rows: Vec<AutoExportJson> = list.iter().map(|s| AutoExportJson::new(lib, s)).collect();
        return print_json(&rows);
    }
    for s in list {
        println!(
            "{}  {} of {}{}",
            s.export.path,
            s.export.format,
            lib.scope_label(&s.export.scope),
            s.last_error.map(|e| format!("  FAILED: {e}")).unwrap_or_default()
        );
    }
    Ok(())
}

fn auto_export_run(lib: &mut Library) -> Result<()> {
    let results = lib.sync_auto_exports()?;
    let mut failed = 0;
    for r in &results {
        match &r.error {
            Some(e) => {
                failed += 1;
                eprintln!("{}: FAILED: {e}", r.path)
            }
            None => eprintln!(
                "{}: {} items{}",
                r.path,
                r.items,
                if r.written { ", written" } else { ", unchanged" }
            ),
        }
    }
    if failed > 0 {
        bail!("{failed} auto-export(s) failed");
    }
    Ok(())
}

fn cite(
    lib: &Library,
    keys: &[String],
    command: &str,
    style: Option<folio::cite::CslStyle>,
    in_text: bool,
) -> Result<()> {
    match style {
        Some(style) if in_text => println!("{}", app::citation(lib, keys, &style)?),
        Some(style) => {
            for r in app::references(lib, keys, &style)? {
                println!("{r}");
            }
        }
        None => {
            // The keys must exist, as for a formatted reference.
            for k in keys {
                lib.id_of(k)?;
            }
            println!("{}", app::cite_command(command, keys)?);
        }
    }
    Ok(())
}
