//! Import files (or standard input) and report what happened to each.

use crate::output::print_json;
use anyhow::{bail, Result};
use clap::Subcommand;
use folio::error::Diagnostic;
use folio::format::Format;
use folio::import::{DuplicateDecision, DuplicatePolicy, FileReport, ImportOptions, ImportReport, Progress};
use folio::{Library, Severity};
use serde::Serialize;
use std::io::{IsTerminal, Read};
use std::path::PathBuf;

#[derive(Subcommand)]
pub enum Cmd {
    /// Import BibTeX/BibLaTeX, RIS, Web of Science, pasted search results, Folio JSON, CSL-JSON
    /// or CSL-YAML ("-" reads stdin).
    Import {
        #[arg(required = true)]
        files: Vec<PathBuf>,
        /// bibtex, ris, results-text, json, csljson or cslyaml; detected from the content
        /// (then the file name) when omitted.
        #[arg(long)]
        format: Option<Format>,
        /// Text encoding (e.g. latin1, windows-1252, utf-16le); detected when omitted.
        #[arg(long)]
        encoding: Option<String>,
        /// File the imported items in this collection (created if missing).
        #[arg(long)]
        collection: Option<String>,
        /// Entries already in the library (same DOI, ISBN, or title + year + first author):
        /// skip them, merge them into the existing items, or keep both.
        #[arg(long, default_value = "skip")]
        duplicates: DuplicatePolicy,
        /// PDFs (and folders of PDFs): leave the files where they are instead of copying them
        /// into the library's files folder.
        #[arg(long)]
        link: bool,
        #[arg(long)]
        json: bool,
    },
}

/// `import --json`: the report, one entry per file.
#[derive(Serialize)]
struct ImportJson<'a> {
    files: Vec<FileJson<'a>>,
}

#[derive(Serialize)]
struct FileJson<'a> {
    path: &'a str,
    format: &'static str,
    encoding: &'a str,
    dialect: Option<&'a str>,
    repairs: &'a [String],
    /// Entries read from the file.
    entries: usize,
    added: usize,
    duplicates: usize,
    /// Keys of the added items, in file order.
    keys: &'a [String],
    decisions: Vec<DecisionJson<'a>>,
    diagnostics: Vec<DiagnosticJson<'a>>,
}

/// What the import did with an entry that matched an existing item.
#[derive(Serialize)]
struct DecisionJson<'a> {
    line: usize,
    entry_key: &'a str,
    title: &'a str,
    existing_key: &'a str,
    reason: &'static str,
    action: &'a str,
}

#[derive(Serialize)]
struct DiagnosticJson<'a> {
    line: Option<usize>,
    severity: &'static str,
    message: &'a str,
}

impl<'a> From<&'a ImportReport> for ImportJson<'a> {
    fn from(r: &'a ImportReport) -> Self {
        ImportJson {
            files: r.files.iter().map(FileJson::from).collect(),
        }
    }
}

impl<'a> From<&'a FileReport> for FileJson<'a> {
    fn from(f: &'a FileReport) -> Self {
        FileJson {
            path: &f.path,
            format: f.format.as_str(),
            encoding: &f.encoding,
            dialect: f.dialect.as_deref(),
            repairs: &f.repairs,
            entries: f.entries,
            added: f.added,
            duplicates: f.duplicates,
            keys: &f.keys,
            decisions: f.decisions.iter().map(DecisionJson::from).collect(),
            diagnostics: f.diagnostics.iter().map(DiagnosticJson::from).collect(),
        }
    }
}

impl<'a> From<&'a DuplicateDecision> for DecisionJson<'a> {
    fn from(d: &'a DuplicateDecision) -> Self {
        DecisionJson {
            line: d.line,
            entry_key: &d.entry_key,
            title: &d.title,
            existing_key: &d.existing_key,
            reason: d.reason.as_str(),
            action: d.action.as_str(),
        }
    }
}

impl<'a> From<&'a Diagnostic> for DiagnosticJson<'a> {
    fn from(d: &'a Diagnostic) -> Self {
        DiagnosticJson {
            line: d.line,
            severity: d.severity.as_str(),
            message: &d.message,
        }
    }
}

pub fn run(lib: &mut Library, cmd: Cmd) -> Result<()> {
    let Cmd::Import {
        files,
        format,
        encoding,
        collection,
        duplicates,
        link,
        json,
    } = cmd;
    // PDFs and folders go to the PDF import (a reference from each file, with the file).
    let (pdfs, files): (Vec<PathBuf>, Vec<PathBuf>) = files
        .into_iter()
        .partition(|p| folio::library::pdf_import::is_pdf_input(p));
    if !pdfs.is_empty() {
        import_pdfs(lib, &pdfs, link, collection.clone(), json)?;
        if files.is_empty() {
            return Ok(());
        }
    }
    let opts = ImportOptions {
        format,
        encoding,
        collection,
        duplicates,
        cancel: None,
    };
    let report = if files.len() == 1 && files[0].as_os_str() == "-" {
        // Within the budget of any import (a pipe has no size to check first).
        let limit = folio::budget::MAX_INPUT_BYTES;
        let mut bytes = Vec::new();
        std::io::stdin().take(limit + 1).read_to_end(&mut bytes)?;
        if bytes.len() as u64 > limit {
            bail!(
                "stdin: more than {} MiB, the most Folio reads for an import",
                limit >> 20
            );
        }
        lib.import_bytes("-", bytes, &opts)?
    } else {
        let tty = std::io::stderr().is_terminal() && !json;
        let mut progress = |p: Progress| {
            if tty {
                eprint!("\rimporting: {:3.0}% ({} entries)", p.fraction() * 100.0, p.entries);
                if p.bytes_done == p.bytes_total {
                    eprintln!();
                }
            }
        };
        lib.import_files(&files, &opts, &mut progress)?
    };
    if json {
        print_json(&ImportJson::from(&report))?;
    }
    for f in &report.files {
        print_file_report(f, json);
    }
    if report.added() == 0 && report.errors() > 0 {
        bail!("nothing was imported");
    }
    Ok(())
}

/// `folio import paper.pdf folder/`: each PDF's reference, where each field came from, what
/// is uncertain.
fn import_pdfs(lib: &mut Library, paths: &[PathBuf], link: bool, collection: Option<String>, json: bool) -> Result<()> {
    let opts = folio::library::pdf_import::PdfImportOptions {
        link,
        collection,
        ..Default::default()
    };
    let tty = std::io::stderr().is_terminal() && !json;
    let reports = lib.import_pdfs(paths, &opts, &mut |done, total, name| {
        if tty {
            eprintln!("[{}/{total}] {name}", done + 1);
        }
        true
    })?;
    if json {
        return print_json(&reports);
    }
    use folio::library::pdf_import::PdfOutcome;
    for r in &reports {
        match &r.outcome {
            PdfOutcome::Added { key } => eprintln!("{}: added {key} ({} pages)", r.path, r.pages),
            PdfOutcome::Attached { key, reason } => {
                eprintln!("{}: attached to {key}, already in the library ({reason})", r.path)
            }
        }
        for f in &r.fields {
            eprintln!(
                "  {}: {} ({}{})",
                f.field,
                f.value,
                f.source,
                if f.uncertain { ", uncertain" } else { "" }
            );
        }
        for n in &r.notes {
            eprintln!("  note: {n}");
        }
        if r.needs_review {
            eprintln!("  tagged \"{}\": check it", folio::library::pdf_import::NEEDS_REVIEW);
        }
    }
    Ok(())
}

/// One file's problems on stderr (with `--json` only its errors), and without `--json` its
/// summary, repairs and duplicate decisions.
fn print_file_report(f: &FileReport, json: bool) {
    for d in &f.diagnostics {
        if !json || d.severity == Severity::Error {
            match d.line {
                Some(l) => eprintln!("{}:{l}: {}: {}", f.path, d.severity.as_str(), d.message),
                None => eprintln!("{}: {}: {}", f.path, d.severity.as_str(), d.message),
            }
        }
    }
    if json {
        return;
    }
    let extra = f.dialect.as_ref().map(|d| format!(", {d}")).unwrap_or_default();
    eprintln!(
        "{}: {} ({}{extra}): {} added, {} duplicates, {} problems",
        f.path,
        f.format,
        f.encoding,
        f.added,
        f.duplicates,
        f.diagnostics.len()
    );
    for r in &f.repairs {
        eprintln!("  repaired: {r}");
    }
    for d in &f.decisions {
        eprintln!(
            "{}:{}: duplicate ({}) of {}: {}",
            f.path,
            d.line,
            d.reason.as_str(),
            d.existing_key,
            d.action.as_str()
        );
    }
}
