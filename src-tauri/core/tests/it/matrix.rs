//! Issue #22's cross-format matrix: every input format Folio reads × every export format,
//! checked with the real tools and by reading the export back (docs/cross-format-matrix.md).
//!
//! Inputs, each file in its own temporary library: the public corpus BibTeX and RIS files, the
//! Web of Science fixtures (`fixtures/wos/`), the pasted search results (`FOLIO_SEED`) and
//! Folio's JSON (each BibTeX and RIS corpus library exported as JSON, that JSON imported).
//! Each library is exported as BibTeX, BibLaTeX, RIS and JSON, and each export is checked:
//!
//! - `bibtex`: `bibtex` with plain.bst on the file (error messages, "I was expecting", "I'm
//!   skipping", fewer `\bibitem`s than entries), then LuaLaTeX over the `.bbl`s.
//! - `biblatex`: `biber` on the file (`ERROR` lines, and the `WARN` lines that say an entry
//!   or a field's data was dropped: [`biber_dropped`]), then LuaLaTeX with biblatex.
//! - `ris`: bibutils' `ris2xml` reads as many records as were written, with no other output.
//! - `json`: the JSON is an array of as many items as were exported.
//!
//! and `<format>/round-trip`: importing the export again gives the same items by title, creators
//! with roles, year, container, volume, issue, pages, DOI, ISSN, ISBN, tags and access status
//! ([`view`]: whitespace collapsed, page dashes and the DOI's case normalised).
//!
//! LaTeX runs once per (input format, export format) over all files' `.bbl`s, each file
//! marked in the log; a file the combined log blames is compiled alone to confirm it. A file
//! whose export warns about keys LaTeX tools reject gets `folio key fix --all` first, as the
//! warning tells the user (`Library::fix_keys`).
//!
//! `matrix-known-<input>.tsv` lists today's failures as `file<TAB>check<TAB>reason`, the check
//! being `bibtex`, `biblatex`, `ris`, `json` (the tools) or `<format>/round-trip`. The lists may
//! only shrink: a listed check that passes fails the test, and so does an unlisted failure. The
//! table goes to stderr and to `<target>/matrix-report.md`; the failures as they are now to
//! `<target>/matrix-failures/<input>.tsv`. `MATRIX_KEEP=1` keeps the work folder under
//! /tmp/folio-matrix; `MATRIX_ONLY=<input>[/<export>]` runs one input format (one cell).

use crate::support::corpus;
use crate::tex::{bibtex_errors, is_latex_error, is_missing_glyph, preamble, read, run};
use folio::export::{ExportOptions, Selection};
use folio::format::Format;
use folio::import::{DuplicatePolicy, ImportOptions};
use folio::model::{Item, Name};
use folio::store::search::{Filter, Sort};
use folio::Library;
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;
use std::time::Instant;

const EXPORTS: [Format; 4] = [Format::Bibtex, Format::Biblatex, Format::Ris, Format::Json];

/// Tool runs at a time (CI has two cores).
const WORKERS: usize = 2;

/// Seconds spent per tool, summed over the workers (for the report).
static TIMES: Mutex<BTreeMap<&str, f64>> = Mutex::new(BTreeMap::new());

/// Runs `f`, adding its time to `what`'s in [`TIMES`].
fn timed<R>(what: &'static str, f: impl FnOnce() -> R) -> R {
    let t = Instant::now();
    let r = f();
    *TIMES.lock().unwrap().entry(what).or_default() += t.elapsed().as_secs_f64();
    r
}

/// The biblatex set-up of every document (the `.bcf` template and the combined documents).
const BIBLATEX: &str = "\\usepackage[backend=biber]{biblatex}\\addbibresource{refs.bib}";

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Input {
    Bibtex,
    Ris,
    Wos,
    Results,
    Json,
}

impl Input {
    const ALL: [Input; 5] = [Input::Bibtex, Input::Ris, Input::Wos, Input::Results, Input::Json];

    fn name(self) -> &'static str {
        match self {
            Input::Bibtex => "bibtex",
            Input::Ris => "ris",
            Input::Wos => "wos",
            Input::Results => "results",
            Input::Json => "json",
        }
    }

    fn known(self) -> &'static str {
        match self {
            Input::Bibtex => include_str!("matrix-known-bibtex.tsv"),
            Input::Ris => include_str!("matrix-known-ris.tsv"),
            Input::Wos => include_str!("matrix-known-wos.tsv"),
            Input::Results => include_str!("matrix-known-results.tsv"),
            Input::Json => include_str!("matrix-known-json.tsv"),
        }
    }

    /// The format the import must have recognised.
    fn read_as(self) -> &'static [Format] {
        match self {
            Input::Bibtex => &[Format::Bibtex, Format::Biblatex],
            Input::Ris | Input::Wos => &[Format::Ris],
            Input::Results => &[Format::ResultsText],
            Input::Json => &[Format::Json],
        }
    }
}

/// One input file: its name in the known lists, where it is, and its stem in the work folder.
struct Source {
    input: Input,
    name: String,
    path: PathBuf,
    stem: String,
}

/// What one check found wrong (empty: clean).
type Errors = Vec<String>;

/// One file exported in one format: the tool's errors and the round trip's differences.
#[derive(Default)]
struct Outcome {
    tool: Errors,
    round_trip: Errors,
}

impl Outcome {
    fn failed(why: String) -> Outcome {
        Outcome {
            tool: vec![why.clone()],
            round_trip: vec![why],
        }
    }
}

fn files_in(dir: &Path, ext: &str) -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_file() && p.extension().is_some_and(|e| e == ext))
        .collect();
    v.sort();
    v
}

/// The pasted search results: $FOLIO_SEED, else ../shared/seed/search-results.txt.
fn seed() -> PathBuf {
    let p = std::env::var_os("FOLIO_SEED")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/seed/search-results.txt"));
    assert!(
        p.is_file(),
        "pasted results not found at {} (set FOLIO_SEED)",
        p.display()
    );
    p
}

fn sources() -> Vec<Source> {
    let public = corpus().join("public");
    let bib = files_in(&public.join("bibtex"), "bib");
    let ris = files_in(&public.join("ris"), "ris");
    let wos = files_in(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/it/fixtures/wos"),
        "txt",
    );
    assert!(bib.len() >= 60 && ris.len() >= 30 && wos.len() >= 3, "inputs missing");
    let json: Vec<PathBuf> = bib.iter().chain(&ris).cloned().collect();
    let mut out = Vec::new();
    for (input, paths) in [
        (Input::Bibtex, bib),
        (Input::Ris, ris),
        (Input::Wos, wos),
        (Input::Results, vec![seed()]),
        (Input::Json, json),
    ] {
        for (i, path) in paths.into_iter().enumerate() {
            out.push(Source {
                input,
                name: path.file_name().unwrap().to_string_lossy().into_owned(),
                path,
                stem: format!("f{i:03}"),
            });
        }
    }
    out
}

fn export(lib: &Library, format: Format) -> Result<(String, folio::export::ExportReport), String> {
    let opts = ExportOptions {
        format,
        ..Default::default()
    };
    lib.export_text(&Selection::default(), &opts).map_err(|e| e.to_string())
}

/// Imports the source as a user would (default options; JSON: the file's library exported as
/// JSON, then imported).
fn import(src: &Source, lib: &mut Library) -> Result<(), String> {
    let paths = [src.path.clone()];
    let report = if src.input == Input::Json {
        let mut first = Library::open_in_memory().unwrap();
        first
            .import_files(&paths, &ImportOptions::default(), &mut |_| {})
            .map_err(|e| e.to_string())?;
        let (json, _) = export(&first, Format::Json)?;
        let opts = ImportOptions {
            format: Some(Format::Json),
            duplicates: DuplicatePolicy::Keep,
            ..Default::default()
        };
        lib.import_text(&src.name, &json, &opts)
    } else {
        lib.import_files(&paths, &ImportOptions::default(), &mut |_| {})
    }
    .map_err(|e| e.to_string())?;
    let file = &report.files[0];
    assert!(
        src.input.read_as().contains(&file.format),
        "{}: read as {}",
        src.name,
        file.format
    );
    Ok(())
}

/// What the user does when the export warns about keys LaTeX tools reject: `folio key fix
/// --all` (the warning names the command).
fn fix_keys_if_warned(lib: &mut Library) {
    let Ok((_, report)) = export(lib, Format::Biblatex) else {
        return;
    };
    if report.diagnostics.iter().any(|d| d.message.contains("`folio key fix ")) {
        let keys: Vec<String> = lib
            .select(&Selection::default())
            .unwrap()
            .into_iter()
            .map(|i| i.key)
            .collect();
        lib.fix_keys(&keys, false, false).unwrap();
    }
}

fn cell_dir(root: &Path, input: Input, format: Format) -> PathBuf {
    root.join(format!("{}-{}", input.name(), format.as_str()))
}

/// One input file through every export format.
fn process(src: &Source, root: &Path, bcf: &str, exports: &[Format]) -> Vec<(Format, Outcome)> {
    let tmp = tempfile::tempdir().unwrap();
    let mut lib = Library::open(&tmp.path().join("library.sqlite")).unwrap();
    if let Err(e) = timed("Folio", || import(src, &mut lib)) {
        return exports
            .iter()
            .map(|&f| (f, Outcome::failed(format!("import failed: {e}"))))
            .collect();
    }
    timed("Folio", || fix_keys_if_warned(&mut lib));
    let mut before = lib.select(&Selection::default()).unwrap();
    // The writers' order (by key, byte order): RIS carries no key, so records pair by place.
    before.sort_by(|a, b| a.key.cmp(&b.key));
    exports
        .iter()
        .map(|&format| (format, check_export(&lib, &before, src, format, root, bcf)))
        .collect()
}

fn check_export(lib: &Library, before: &[Item], src: &Source, format: Format, root: &Path, bcf: &str) -> Outcome {
    let (text, report) = match timed("Folio", || export(lib, format)) {
        Ok(x) => x,
        Err(e) => return Outcome::failed(format!("export failed: {e}")),
    };
    let dir = cell_dir(root, src.input, format);
    std::fs::write(dir.join(format!("{}.{}", src.stem, format.extension())), &text).unwrap();
    let tool = match format {
        Format::Bibtex => timed("bibtex", || check_bibtex(&dir, &src.stem, report.items)),
        Format::Biblatex => timed("biber", || check_biber(&dir, &src.stem, bcf, &text, report.items)),
        Format::Ris => timed("ris2xml", || check_ris2xml(&dir, &src.stem, &text)),
        _ => check_json(&text, report.items),
    };
    Outcome {
        tool,
        round_trip: timed("Folio", || round_trip(before, &text, format)),
    }
}

/// bibtex's error messages: "…---line N of file F" with "I'm skipping…", and a style's error
/// (the line before "while executing---line N of file plain.bst").
fn bibtex_messages(blg: &str) -> Errors {
    let lines: Vec<&str> = blg.lines().collect();
    let mut out = Vec::new();
    for (i, l) in lines.iter().enumerate() {
        if l.starts_with("while executing---") {
            out.push(format!("{} ({l})", lines[i.saturating_sub(1)]));
        } else if l.contains("---line ") || l.starts_with("I'm skipping") || l.starts_with("I was expecting") {
            out.push(l.to_string());
        }
    }
    out
}

fn check_bibtex(dir: &Path, stem: &str, items: usize) -> Errors {
    let aux = format!("\\relax\n\\citation{{*}}\n\\bibstyle{{plain}}\n\\bibdata{{{stem}}}\n");
    std::fs::write(dir.join(format!("{stem}.aux")), aux).unwrap();
    let (_, out) = run(dir, "bibtex", &[stem]);
    let blg = read(&dir.join(format!("{stem}.blg")));
    if !blg.contains("The style file") {
        return vec![format!("bibtex did not run: {out}")];
    }
    let mut errors = bibtex_messages(&blg);
    let n = bibtex_errors(&blg);
    if errors.len() < n {
        errors.push(format!("(There were {n} error messages)"));
    }
    let bibitems = read(&dir.join(format!("{stem}.bbl"))).matches("\\bibitem").count();
    if bibitems != items {
        errors.push(format!("{bibitems} \\bibitems in the .bbl for {items} entries"));
    }
    errors
}

/// biber `WARN`s that say something of the file was left out: an entry ("skipping"), a
/// field, date or name part ("- ignoring", except fields biber no longer needs), a reference
/// ("not resolving", "I didn't find a database entry"), a value (an undefined macro, read as
/// empty), a token btparse should have rejected ("in strange place"). The rest are advice,
/// with nothing lost: a year or month that is not a number ("will probably not sort
/// properly"), an invalid ISBN, a malformed range ("falling back to literal"), "possible
/// runaway string" (a value with a blank line, read whole).
fn biber_dropped(message: &str) -> bool {
    !message.contains("is no longer needed")
        && [
            "ignoring",
            "skipping",
            "not resolving",
            "didn't find a database entry",
            "undefined macro",
            "in strange place",
        ]
        .iter()
        .any(|w| message.contains(w))
}

/// A `.blg` line's message, without the path of biber's temporary copy of the file
/// ("BibTeX subsystem: /tmp/biber_tmp_x/…utf8, line 4, …").
fn biber_message(line: &str) -> String {
    let m = line.split_once("> ").map_or(line, |(_, m)| m);
    match m.find(".utf8, ") {
        Some(end) => {
            let start = m[..end].rfind(' ').map_or(0, |i| i + 1);
            format!("{}{}", &m[..start], &m[end + ".utf8, ".len()..])
        }
        None => m.to_string(),
    }
}

fn check_biber(dir: &Path, stem: &str, bcf: &str, text: &str, items: usize) -> Errors {
    std::fs::write(
        dir.join(format!("{stem}.bcf")),
        bcf.replace(">refs.bib<", &format!(">{stem}.bib<")),
    )
    .unwrap();
    let (ok, out) = run(dir, "biber", &["--onlylog", stem]);
    let blg = read(&dir.join(format!("{stem}.blg")));
    let mut errors: Errors = blg
        .lines()
        .map(biber_message)
        .filter(|m| m.starts_with("ERROR - ") || m.starts_with("WARN - ") && biber_dropped(m))
        .collect();
    if !ok && errors.is_empty() {
        errors.push(format!("biber failed: {}", out.trim()));
    }
    // @xdata entries are data for other entries, never bibliography entries.
    let xdata = text
        .lines()
        .filter(|l| l.to_ascii_lowercase().starts_with("@xdata{"))
        .count();
    let entries = read(&dir.join(format!("{stem}.bbl"))).matches("\\entry{").count();
    if entries + xdata < items {
        errors.push(format!("{entries} entries in the .bbl for {items} ({xdata} @xdata)"));
    }
    errors
}

/// The reference types of the RIS specification (2011), some of which bibutils 7.2 does not
/// know ("Did not recognize type 'CPAPER'"): not an error of the file.
const RIS_TYPES: &[&str] = &[
    "ABST", "ADVS", "AGGR", "ANCIENT", "ART", "BILL", "BLOG", "BOOK", "CASE", "CHAP", "CHART", "CLSWK", "COMP", "CONF",
    "CPAPER", "CTLG", "DATA", "DBASE", "DICT", "EBOOK", "ECHAP", "EDBOOK", "EJOUR", "ELEC", "ENCYC", "EQUA", "FIGURE",
    "GEN", "GOVDOC", "GRANT", "HEAR", "ICOMM", "INPR", "JFULL", "JOUR", "LEGAL", "MANSCPT", "MAP", "MGZN", "MPCT",
    "MULTI", "MUSIC", "NEWS", "PAMP", "PAT", "PCOMM", "RPRT", "SER", "SLIDE", "SOUND", "STAND", "STAT", "THES",
    "UNBILL", "UNPB", "VIDEO", "WEB",
];

fn check_ris2xml(dir: &Path, stem: &str, text: &str) -> Errors {
    let records = text.lines().filter(|l| l.starts_with("TY  - ")).count();
    let out = Command::new("ris2xml")
        .arg(format!("{stem}.ris"))
        .current_dir(dir)
        .output()
        .unwrap_or_else(|e| panic!("ris2xml: {e} (install bibutils: `bash .ci/test` does)"));
    let stderr = String::from_utf8_lossy(&out.stderr);
    let mods = String::from_utf8_lossy(&out.stdout).matches("<mods ID=").count();
    let done = format!("ris2xml: Processed {records} references.");
    let mut errors: Errors = Vec::new();
    let mut unused = false;
    for l in stderr.lines().filter(|l| !l.trim().is_empty()) {
        // bibutils' report of tags it has no MODS field for: the block's lines are indented.
        unused = l.ends_with("has unused tags.") || unused && l.starts_with("ris2xml:    ");
        let spec_type = l
            .strip_prefix("ris2xml: Did not recognize type '")
            .and_then(|r| r.split_once('\''))
            .is_some_and(|(t, _)| RIS_TYPES.contains(&t));
        if !(unused || spec_type || l.trim() == done || l.trim() == "Defaulting to STD.") {
            errors.push(l.to_string());
        }
    }
    if !out.status.success() {
        errors.push(format!("ris2xml exited with {}", out.status));
    }
    if mods != records {
        errors.push(format!("ris2xml wrote {mods} records of {records}"));
    }
    errors
}

fn check_json(text: &str, items: usize) -> Errors {
    match serde_json::from_str::<serde_json::Value>(text) {
        Ok(serde_json::Value::Array(a)) if a.len() == items => Vec::new(),
        Ok(v) => vec![format!("not an array of {items} items: {:.100}", v.to_string())],
        Err(e) => vec![format!("invalid JSON: {e}")],
    }
}

/// Whitespace collapsed; invisible marks (zero-width spaces and joiners, left-to-right and
/// right-to-left marks, byte order marks) left out: they print nothing.
fn ws(s: &str) -> String {
    let visible = |c: char| !matches!(c, '\u{200b}'..='\u{200f}' | '\u{2060}' | '\u{feff}');
    let s: String = s.chars().filter(|&c| visible(c)).collect();
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn creator(c: &folio::model::Creator) -> String {
    let name = match &c.name {
        Name::Literal { literal } => format!("{{{}}}", ws(literal)),
        Name::Person {
            family,
            given,
            particle,
            suffix,
        } => {
            // The particle as part of the family name: RIS has no field for it, and the
            // name prints the same.
            let mut s = ws(&format!("{particle} {family}"));
            for (what, v) in [("given", given), ("jr", suffix)] {
                if !v.trim().is_empty() {
                    s.push_str(&format!(" [{what} {}]", ws(v)));
                }
            }
            s
        }
    };
    format!("{:?} {name}", c.role)
}

/// A page range with one hyphen between its ends, whatever the dash and spaces around it
/// ("1598 -- 1602", "1598–1602").
fn page_range(pages: &str) -> String {
    let p = pages.replace(['–', '—'], "-");
    let parts: Vec<String> = p.split('-').map(ws).filter(|x| !x.is_empty()).collect();
    parts.join("-")
}

/// The fields a round trip must keep, as compared: whitespace collapsed; the title with its
/// subtitle (BibTeX has no subtitle field: "title: subtitle"); creators with their roles,
/// grouped by role, a person's particle counted with the family name; page ranges with one hyphen; the DOI
/// without case; ISSN and ISBN without hyphens and spaces, `,` and `;` both separating a
/// list; tags as a set without case (their order and whether imported or manual are not
/// compared).
fn view(it: &Item) -> [(&'static str, String); 12] {
    let title = match it.subtitle.trim() {
        "" => ws(&it.title),
        sub => format!("{}: {}", ws(&it.title), ws(sub)),
    };
    // Grouped by role, each role's order kept: BibTeX and BibLaTeX write one list per role.
    let mut by_role: Vec<&folio::model::Creator> = it.creators.iter().collect();
    by_role.sort_by_key(|c| folio::model::Role::ALL.iter().position(|r| *r == c.role));
    let creators: Vec<String> = by_role.into_iter().map(creator).collect();
    let pages = page_range(&it.pages);
    let id = |s: &str| s.replace(['-', ' '], "").replace(',', ";").to_uppercase();
    // Without case: a library has one tag per name whatever its case ("Pedagogy" is
    // "pedagogy"), spelt as it first came in.
    let tags: BTreeSet<String> = it.tags.iter().map(|t| ws(&t.name).to_lowercase()).collect();
    [
        ("title", title),
        ("creators", creators.join("; ")),
        ("year", it.date.year.map(|y| y.to_string()).unwrap_or_default()),
        ("container", ws(&it.container)),
        ("volume", ws(&it.volume)),
        ("issue", ws(&it.issue)),
        ("pages", pages),
        ("doi", ws(&it.doi).to_lowercase()),
        ("issn", id(&it.issn)),
        ("isbn", id(&it.isbn)),
        ("tags", tags.into_iter().collect::<Vec<_>>().join("; ")),
        ("access", format!("{:?}", it.access.status)),
    ]
}

fn short(s: &str) -> String {
    let mut t: String = s.chars().take(120).collect();
    if t.len() < s.len() {
        t.push('…');
    }
    t
}

/// Import the export again: the items' differences from `before` by [`view`]'s fields.
fn round_trip(before: &[Item], text: &str, format: Format) -> Errors {
    let mut lib = Library::open_in_memory().unwrap();
    let opts = ImportOptions {
        format: Some(format),
        duplicates: DuplicatePolicy::Keep,
        ..Default::default()
    };
    if before.is_empty() {
        return Vec::new();
    }
    if let Err(e) = lib.import_text("export", text, &opts) {
        return vec![format!("re-import failed: {e}")];
    }
    let mut after = lib.items(&Filter::default(), Sort::default()).unwrap();
    after.sort_by_key(|i| i.id);
    if after.len() != before.len() {
        return vec![format!("{} items written, {} read back", before.len(), after.len())];
    }
    let keyed = {
        let keys: BTreeSet<&str> = after.iter().map(|i| i.key.as_str()).collect();
        before.iter().all(|b| keys.contains(b.key.as_str()))
    };
    let mut out = Vec::new();
    for (i, b) in before.iter().enumerate() {
        let a = if keyed {
            after.iter().find(|a| a.key == b.key).unwrap()
        } else {
            &after[i]
        };
        for ((field, x), (_, y)) in view(b).into_iter().zip(view(a)) {
            if x != y {
                out.push(format!("{}: {field}: {:?} → {:?}", b.key, short(&x), short(&y)));
            }
        }
    }
    out
}

/// Runs `f` on every job, [`WORKERS`] at a time; the results in the jobs' order.
fn parallel<T: Sync, R: Send>(jobs: &[T], f: impl Fn(&T) -> R + Sync) -> Vec<R> {
    let next = AtomicUsize::new(0);
    let done = Mutex::new(Vec::new());
    std::thread::scope(|s| {
        for _ in 0..WORKERS {
            s.spawn(|| loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                let Some(job) = jobs.get(i) else { break };
                let r = f(job);
                done.lock().unwrap().push((i, r));
            });
        }
    });
    let mut v = done.into_inner().unwrap();
    v.sort_by_key(|(i, _)| *i);
    v.into_iter().map(|(_, r)| r).collect()
}

/// A biber `.bbl`'s version check and its data (preambles, `\refsection{0}`…), without the
/// final `\endinput`; `None` when biber wrote no data.
fn split_bbl(bbl: &str) -> Option<(&str, &str)> {
    let end = bbl.find("\\endgroup\n")? + "\\endgroup\n".len();
    let body = bbl[end..].trim_end().strip_suffix("\\endinput").unwrap_or(&bbl[end..]);
    body.contains("\\refsection{").then_some((&bbl[..end], body))
}

/// What a LuaLaTeX run over several files' `.bbl`s found: errors by the file whose mark the
/// log showed last (`None`: none yet, or after the `.bbl` and before the body: preambles).
#[derive(Default)]
struct Typeset {
    errors: BTreeMap<Option<String>, Errors>,
    /// Files whose mark in the body the log shows.
    seen: BTreeSet<String>,
    /// Files with a `\preamble` (biblatex runs all preambles together).
    preambles: BTreeSet<String>,
}

/// One document over the `.bbl`s of `stems` in `dir` (`job`.tex): BibTeX mode inputs each
/// file's `.bbl` in a group; BibLaTeX mode gives each file a refsection, the `.bbl`s joined
/// into one with the refsections renumbered.
fn typeset(dir: &Path, job: &str, stems: &[&str], format: Format) -> Typeset {
    let biblatex = format == Format::Biblatex;
    let mut doc = preamble(if biblatex { BIBLATEX } else { "" });
    let mut bbl = String::new();
    let mut t = Typeset::default();
    for (k, stem) in stems.iter().enumerate() {
        doc.push_str(&format!("\\typeout{{MATRIX-FILE:{stem}}}"));
        let own = read(&dir.join(format!("{stem}.bbl")));
        if !biblatex {
            if !own.is_empty() {
                doc.push_str(&format!("\\begingroup\\input{{{stem}.bbl}}\\endgroup\n"));
            }
            continue;
        }
        doc.push_str("\\begin{refsection}\\nocite{*}\\printbibliography\\end{refsection}\n");
        if let Some((head, body)) = split_bbl(&own) {
            if bbl.is_empty() {
                bbl.push_str(head);
            }
            if body.contains("\\preamble{") {
                t.preambles.insert(stem.to_string());
            }
            let body = body.replace("\\refsection{0}", &format!("\\refsection{{{}}}", k + 1));
            bbl.push_str(&format!("\\typeout{{MATRIX-BBL:{stem}}}\n{body}\n"));
        }
    }
    doc.push_str("\\end{document}\n");
    std::fs::write(dir.join(format!("{job}.tex")), doc).unwrap();
    // No data at all: no `.bbl` (biblatex refuses one without its version check).
    if biblatex && !bbl.is_empty() {
        bbl.push_str("\\typeout{MATRIX-BBL-END}\n\\endinput\n");
        std::fs::write(dir.join(format!("{job}.bbl")), bbl).unwrap();
    }
    let (ok, out) = timed("LuaLaTeX", || {
        run(dir, "lualatex", &["-interaction=nonstopmode", &format!("{job}.tex")])
    });
    let log = read(&dir.join(format!("{job}.log")));
    let lines: Vec<&str> = log.lines().collect();
    let mut current: Option<String> = None;
    for (i, l) in lines.iter().enumerate() {
        if let Some(stem) = l.strip_prefix("MATRIX-FILE:") {
            t.seen.insert(stem.trim().to_string());
            current = Some(stem.trim().to_string());
        } else if let Some(stem) = l.strip_prefix("MATRIX-BBL:") {
            current = Some(stem.trim().to_string());
        } else if l.starts_with("MATRIX-BBL-END") {
            current = None;
        } else if is_latex_error(l) || is_missing_glyph(l) {
            let next = if is_latex_error(l) {
                lines.get(i + 1).unwrap_or(&"")
            } else {
                ""
            };
            let e = format!("lualatex: {l} {next}");
            t.errors
                .entry(current.clone())
                .or_default()
                .push(e.trim_end().to_string());
        }
    }
    if !ok && t.errors.is_empty() {
        let tail: Vec<&str> = out.lines().rev().take(5).collect();
        t.errors
            .entry(None)
            .or_default()
            .push(format!("lualatex failed: {tail:?}"));
    }
    t
}

/// LuaLaTeX over one cell's files, once for all; each file the combined log blames (or cannot
/// clear: its mark missing, errors before any mark) compiled alone to confirm. The errors of
/// each file, by stem.
fn typeset_cell(dir: &Path, stems: &[&str], format: Format) -> BTreeMap<String, Errors> {
    let all = typeset(dir, "all", stems, format);
    let mut suspects: BTreeSet<String> = all.errors.keys().flatten().cloned().collect();
    suspects.extend(stems.iter().filter(|s| !all.seen.contains(**s)).map(|s| s.to_string()));
    if all.errors.contains_key(&None) {
        if all.preambles.is_empty() {
            suspects.extend(stems.iter().map(|s| s.to_string()));
        } else {
            suspects.extend(all.preambles.iter().cloned());
        }
    }
    suspects
        .into_iter()
        .map(|stem| {
            let alone = typeset(dir, &format!("alone-{stem}"), &[&stem], format);
            (stem, alone.errors.into_values().flatten().collect::<Errors>())
        })
        .filter(|(_, e)| !e.is_empty())
        .collect()
}

/// The `.bcf` biblatex writes for a document that `\nocite{*}`s `refs.bib`: biber reads each
/// file with it (the file's name put in), so LaTeX runs once for all.
fn bcf_template(root: &Path) -> String {
    let dir = root.join("template");
    std::fs::create_dir_all(&dir).unwrap();
    let doc = format!("{}\\printbibliography\\end{{document}}\n", preamble(BIBLATEX));
    std::fs::write(dir.join("doc.tex"), doc).unwrap();
    run(&dir, "lualatex", &["-interaction=nonstopmode", "doc.tex"]);
    let bcf = read(&dir.join("doc.bcf"));
    assert!(
        bcf.contains(">refs.bib<"),
        "lualatex + biblatex wrote no .bcf (install texlive-luatex texlive-bibtex-extra: see .ci/test)"
    );
    bcf
}

/// Every tool the matrix runs is installed (else the test fails with what to install).
fn tools_installed() {
    for tool in ["bibtex", "biber", "lualatex", "ris2xml"] {
        Command::new(tool).arg("--version").output().unwrap_or_else(|e| {
            panic!(
                "{tool}: {e}: install bibutils texlive-latex-base texlive-latex-recommended \
                 texlive-bibtex-extra biber texlive-luatex fonts-noto-cjk fonts-dejavu-core (.ci/test does)"
            )
        });
    }
}

/// A check's name in the known lists: the export format (the tools) or `<format>/round-trip`.
fn check_name(format: Format, round_trip: bool) -> String {
    if round_trip {
        format!("{}/round-trip", format.as_str())
    } else {
        format.as_str().to_string()
    }
}

/// `(input, file, check)` → what it found wrong.
type Results = BTreeMap<(Input, String, String), Errors>;

/// A known list's lines: `(file, check)` → reason.
fn known(input: Input) -> BTreeMap<(String, String), String> {
    input
        .known()
        .lines()
        .filter(|l| !l.trim().is_empty() && !l.starts_with('#'))
        .map(|l| {
            let c: Vec<&str> = l.split('\t').collect();
            assert!(
                c.len() == 3 && !c[2].trim().is_empty(),
                "matrix-known-{}.tsv: want file<TAB>check<TAB>reason: {l:?}",
                input.name()
            );
            ((c[0].to_string(), c[1].to_string()), c[2].to_string())
        })
        .collect()
}

/// A known-list reason for what a check found: its first message and how many there are.
fn reason(check: &str, errors: &Errors) -> String {
    let first = short(&errors[0].replace(['\t', '\n'], " "));
    let n = errors.len();
    let text = if check.ends_with("/round-trip") {
        let fields: BTreeSet<&str> = errors.iter().filter_map(|e| e.split(": ").nth(1)).collect();
        let fields: Vec<&str> = fields.into_iter().filter(|f| !f.contains(' ')).collect();
        match fields.is_empty() {
            true => first,
            false => format!(
                "{} differ{} ({n}×); e.g. {first}",
                fields.join(", "),
                if fields.len() == 1 { "s" } else { "" }
            ),
        }
    } else if n > 1 {
        format!("{first} (and {} more)", n - 1)
    } else {
        first
    };
    text
}

/// Compares with the known lists: stale lines and unlisted failures (the test's failures);
/// writes today's failures as known lists under `<target>/matrix-failures/`.
fn judge(results: &Results, inputs: &[Input], exports: &[Format], target: &Path) -> Vec<String> {
    let mut problems = Vec::new();
    let dir = target.join("matrix-failures");
    std::fs::create_dir_all(&dir).unwrap();
    let checks: Vec<String> = exports
        .iter()
        .flat_map(|&f| [check_name(f, false), check_name(f, true)])
        .collect();
    for &input in inputs {
        let list = known(input);
        let file = format!("matrix-known-{}.tsv", input.name());
        for (name, check) in list.keys() {
            let exists = results.keys().any(|(i, n, _)| *i == input && n == name);
            let valid = EXPORTS
                .iter()
                .any(|&f| *check == check_name(f, false) || *check == check_name(f, true));
            if !exists || !valid {
                problems.push(format!("{file}: no file {name:?} or check {check:?}"));
            }
        }
        let mut today = String::new();
        for ((_, name, check), errors) in results
            .iter()
            .filter(|((i, _, c), _)| *i == input && checks.contains(c))
        {
            let listed = list.get(&(name.clone(), check.clone()));
            if !errors.is_empty() {
                today.push_str(&format!("{name}\t{check}\t{}\n", reason(check, errors)));
            }
            match (errors.is_empty(), listed) {
                (true, Some(r)) => problems.push(format!(
                    "{name} × {check} ({} input) passes now: remove its line from {file} ({r})",
                    input.name()
                )),
                (false, None) => problems.push(format!(
                    "{name} × {check} ({} input) fails and is not in {file}:\n    {}",
                    input.name(),
                    errors.iter().take(10).cloned().collect::<Vec<_>>().join("\n    ")
                )),
                _ => {}
            }
        }
        std::fs::write(dir.join(format!("{}.tsv", input.name())), today).unwrap();
    }
    problems
}

/// The table: per input format and export format, the files clean in both checks.
fn table(results: &Results, inputs: &[Input], exports: &[Format]) -> (String, Vec<String>) {
    let mut md = String::from("| input \\ export |");
    for f in exports {
        md.push_str(&format!(" {f} |"));
    }
    md.push_str(&format!("\n|---|{}\n", "---|".repeat(exports.len())));
    let mut lines = Vec::new();
    for &input in inputs {
        let files: BTreeSet<&str> = results
            .keys()
            .filter(|(i, _, _)| *i == input)
            .map(|(_, n, _)| n.as_str())
            .collect();
        let n = files.len();
        md.push_str(&format!("| {} ({n} files) |", input.name()));
        for &f in exports {
            let ok = |name: &str, rt: bool| results[&(input, name.to_string(), check_name(f, rt))].is_empty();
            let tool = files.iter().filter(|n| ok(n, false)).count();
            let rt = files.iter().filter(|n| ok(n, true)).count();
            let clean = files.iter().filter(|n| ok(n, false) && ok(n, true)).count();
            md.push_str(&format!(" {clean}/{n} (tools {tool}, round trip {rt}) |"));
            lines.push(format!(
                "{} × {f}: {clean}/{n} clean (tools {tool}/{n}, round trip {rt}/{n})",
                input.name()
            ));
        }
        md.push('\n');
    }
    (md, lines)
}

/// `$CARGO_TARGET_DIR`, else the repository's `target`.
fn target_dir() -> PathBuf {
    let repo = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    match std::env::var_os("CARGO_TARGET_DIR").map(PathBuf::from) {
        Some(p) if p.is_absolute() => p,
        Some(p) => repo.join(p),
        None => repo.join("target"),
    }
}

/// `MATRIX_ONLY=<input>[/<export>]`: the inputs and exports to run (default all).
fn selection() -> (Vec<Input>, Vec<Format>) {
    let only = std::env::var("MATRIX_ONLY").unwrap_or_default();
    let (i, f) = only.split_once('/').unwrap_or((&only, ""));
    let inputs: Vec<Input> = Input::ALL
        .into_iter()
        .filter(|x| i.is_empty() || x.name() == i)
        .collect();
    let exports: Vec<Format> = EXPORTS
        .into_iter()
        .filter(|x| f.is_empty() || x.as_str() == f)
        .collect();
    assert!(
        !inputs.is_empty() && !exports.is_empty(),
        "MATRIX_ONLY={only}: want <input>[/<export>], inputs bibtex ris wos results json, exports bibtex biblatex ris json"
    );
    (inputs, exports)
}

#[test]
fn cross_format_matrix() {
    let started = Instant::now();
    tools_installed();
    let (inputs, exports) = selection();
    let mut sources: Vec<Source> = sources().into_iter().filter(|s| inputs.contains(&s.input)).collect();
    // Large files first, so that the two workers finish together.
    sources.sort_by_key(|s| std::cmp::Reverse(std::fs::metadata(&s.path).map_or(0, |m| m.len())));
    let root = tempfile::tempdir().unwrap();
    for &input in &inputs {
        for &f in &exports {
            std::fs::create_dir_all(cell_dir(root.path(), input, f)).unwrap();
        }
    }
    let bcf = bcf_template(root.path());

    let outcomes = parallel(&sources, |src| process(src, root.path(), &bcf, &exports));
    let files_s = started.elapsed().as_secs_f64();
    let mut results = Results::new();
    for (src, outs) in sources.iter().zip(outcomes) {
        for (f, o) in outs {
            results.insert((src.input, src.name.clone(), check_name(f, false)), o.tool);
            results.insert((src.input, src.name.clone(), check_name(f, true)), o.round_trip);
        }
    }

    let cells: Vec<(Input, Format)> = inputs
        .iter()
        .flat_map(|&i| [(i, Format::Bibtex), (i, Format::Biblatex)])
        .filter(|(_, f)| exports.contains(f))
        .collect();
    let latex = parallel(&cells, |&(input, format)| {
        let mut stems: Vec<&str> = sources
            .iter()
            .filter(|s| s.input == input)
            .map(|s| s.stem.as_str())
            .collect();
        stems.sort();
        typeset_cell(&cell_dir(root.path(), input, format), &stems, format)
    });
    for (&(input, format), by_stem) in cells.iter().zip(latex) {
        for (stem, errors) in by_stem {
            let src = sources.iter().find(|s| s.input == input && s.stem == stem).unwrap();
            let key = (input, src.name.clone(), check_name(format, false));
            results.get_mut(&key).unwrap().extend(errors);
        }
    }

    let target = target_dir();
    let problems = judge(&results, &inputs, &exports, &target);
    let (md, lines) = table(&results, &inputs, &exports);
    let total_s = started.elapsed().as_secs_f64();
    let only = std::env::var("MATRIX_ONLY")
        .map(|o| format!(" (MATRIX_ONLY={o})"))
        .unwrap_or_default();
    let times: Vec<String> = TIMES
        .lock()
        .unwrap()
        .iter()
        .map(|(k, v)| format!("{k} {v:.0} s"))
        .collect();
    let report = format!(
        "## Cross-format matrix{only}\n\nFiles clean / files per input and export format (clean: the tools \
         report no error and the round trip keeps every compared field; docs/cross-format-matrix.md). \
         {total_s:.0} s in all, {files_s:.0} s of it until LaTeX; time in each tool, summed over the \
         {WORKERS} workers: {}.\n\n{md}",
        times.join(", ")
    );
    std::fs::create_dir_all(&target).unwrap();
    std::fs::write(target.join("matrix-report.md"), &report).unwrap();
    eprintln!(
        "{}\nmatrix: {total_s:.0} s, report in {}",
        lines.join("\n"),
        target.join("matrix-report.md").display()
    );
    if std::env::var_os("MATRIX_KEEP").is_some() {
        let to = PathBuf::from("/tmp/folio-matrix");
        let _ = std::fs::remove_dir_all(&to);
        std::fs::rename(root.keep(), &to).unwrap();
    }
    assert!(
        problems.is_empty(),
        "{} problems:\n{}",
        problems.len(),
        problems.join("\n")
    );
}
