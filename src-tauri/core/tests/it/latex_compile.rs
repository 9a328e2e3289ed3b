//! Issue #3's "real LaTeX with zero errors" for a whole library: every public corpus `.bib`
//! imported together into ONE library (as a user would, duplicates skipped), exported through
//! the export use case in both modes, and one document that `\nocite{*}`s everything compiled:
//! BibTeX mode with `bibtex` + plain and + apalike, BibLaTeX mode with `biber` + biblatex. Any
//! bibtex/biber error or LaTeX error fails the test.
//!
//! The engine is LuaLaTeX with `fontspec`, DejaVu Serif and Noto Serif CJK SC as the fallback
//! for CJK: the library holds Cyrillic and Chinese titles, which a real user typesets with a
//! Unicode engine (pdfLaTeX would need T2A fonts and CJK packages). A character the fonts lack
//! fails the test too. LuaLaTeX also has no fixed main memory (pdfLaTeX runs out of it on
//! biblatex's 4,400-entry data list). Needs `texlive-latex-base texlive-latex-recommended
//! texlive-bibtex-extra biber texlive-luatex fonts-noto-cjk fonts-dejavu-core` (installed by
//! `.ci/test`).
//!
//! Before that, the user's step after the export warned about keys LaTeX tools reject (15
//! keys with an apostrophe, which make biber read no entry at all): `folio key fix --all`.
//!
//! `latex-compile-combined-known.tsv` names the entries that cannot compile, with a machine-checked
//! reason; they are moved to the trash before the export that is compiled. The list may only
//! shrink: a listed entry whose reason no longer holds fails the test. `KEEP=1` keeps the run
//! under /tmp/folio-latex-combined.

use crate::support::*;
use crate::tex::{bibtex_errors, latex_errors, missing_glyphs, preamble, read, run};
use folio::export::{ExportOptions, Selection};
use folio::format::Format;
use folio::import::ImportOptions;
use folio::Library;
use std::path::{Path, PathBuf};

const KNOWN: &str = include_str!("latex-compile-combined-known.tsv");

/// The LuaLaTeX run that reads the `.bbl`: records a failure for any LaTeX error or glyph
/// missing from the fonts (`what` names the run); the LaTeX errors.
fn typeset_and_check(dir: &Path, what: &str, failures: &mut Vec<String>) -> Vec<String> {
    let (ok, _) = run(dir, "lualatex", &["-interaction=nonstopmode", "doc.tex"]);
    let log = read(&dir.join("doc.log"));
    let errs = latex_errors(&log);
    let missing = missing_glyphs(&log);
    if !missing.is_empty() {
        failures.push(format!(
            "lualatex ({what}): {} missing glyphs: {}",
            missing.len(),
            missing.join("\n  ")
        ));
    }
    if !ok || !errs.is_empty() {
        failures.push(format!("lualatex ({what}): {}", errs.join("\n  ")));
    }
    errs
}

struct Known {
    key: String,
    mode: String,
    reason: String,
}

fn known() -> Vec<Known> {
    KNOWN
        .lines()
        .filter(|l| !l.trim().is_empty() && !l.starts_with('#'))
        .map(|l| {
            let c: Vec<&str> = l.split('\t').collect();
            assert!(c.len() >= 3, "latex-compile-combined-known.tsv: bad line {l:?}");
            Known {
                key: c[0].to_string(),
                mode: c[1].to_string(),
                reason: c[2].to_string(),
            }
        })
        .collect()
}

/// The entry for `key` in an export.
fn entry_of<'t>(text: &'t str, key: &str) -> Option<&'t str> {
    let start = text.match_indices('@').map(|(i, _)| i).find(|&i| {
        text[i..]
            .split_once('{')
            .is_some_and(|(_, r)| r.starts_with(&format!("{key},")))
    })?;
    let end = text[start + 1..].find("\n@").map_or(text.len(), |e| start + 1 + e);
    Some(&text[start..end])
}

fn export(lib: &Library, format: Format) -> String {
    export_with_report(lib, format).0
}

fn export_with_report(lib: &Library, format: Format) -> (String, folio::export::ExportReport) {
    let (text, report) = lib
        .export_text(
            &Selection::default(),
            &ExportOptions {
                format,
                ..Default::default()
            },
        )
        .unwrap();
    assert!(report.items > 4000, "{} items", report.items);
    (text, report)
}

/// What a user does after the export warned about keys LaTeX tools reject (biber reads no
/// entry of a file with an apostrophe in a key): `folio key fix --all`, through the library
/// call the CLI makes. Checks that the warnings name the command and that it repairs exactly
/// the warned keys, in one undo step.
fn fix_keys_as_the_user_would(lib: &mut Library) {
    let (_, report) = export_with_report(lib, Format::Biblatex);
    let mut warned: Vec<String> = report
        .diagnostics
        .iter()
        .filter(|d| d.message.contains("key fix"))
        .map(|d| {
            assert!(d.message.contains("`folio key fix "), "{}", d.message);
            d.message.split('"').nth(1).unwrap().to_string()
        })
        .collect();
    warned.sort();
    assert_eq!(
        warned.iter().filter(|k| k.contains('\'')).count(),
        15,
        "the apostrophe keys: {warned:?}"
    );
    let keys: Vec<String> = lib
        .items(&Default::default(), Default::default())
        .unwrap()
        .into_iter()
        .map(|i| i.key)
        .collect();
    let history = lib.history(1000).unwrap().len();
    let fix = lib.fix_keys(&keys, false, false).unwrap();
    let olds: Vec<String> = fix.renamed.iter().map(|(o, _)| o.clone()).collect();
    assert_eq!(olds, warned, "{:?}", fix.renamed);
    assert!(fix
        .renamed
        .iter()
        .any(|(o, n)| o == "D'Ambrosio2007174" && n == "DAmbrosio2007174"));
    assert_eq!(lib.history(1000).unwrap().len(), history + 1);
}

#[test]
fn whole_corpus_library_compiles_in_one_document() {
    let started = std::time::Instant::now();
    let mut paths: Vec<PathBuf> = std::fs::read_dir(corpus().join("public/bibtex"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "bib"))
        .collect();
    paths.sort();
    let mut lib = Library::open_in_memory().unwrap();
    let report = lib
        .import_files(&paths, &ImportOptions::default(), &mut |_| {})
        .unwrap();
    let total = report.added();
    assert!(total > 4000, "{total} items imported");

    fix_keys_as_the_user_would(&mut lib);

    // Every listed entry still fails for its reason (else it must leave the list).
    let bibtex = export(&lib, Format::Bibtex);
    let biblatex = export(&lib, Format::Biblatex);
    // U+FFFD (69 abstracts of one file) is written as LaTeX, which LuaTeX accepts.
    assert!(!biblatex.contains('\u{FFFD}'));
    assert!(biblatex.matches("\\symbol{65533}").count() >= 69);
    let known = known();
    let mut stale = Vec::new();
    for k in &known {
        let text = if k.mode == "biblatex" { &biblatex } else { &bibtex };
        // A reason is a check on the entry's text in the export (none is needed now: the
        // apostrophe keys are fixed above, U+FFFD is written as `\symbol{65533}`).
        let holds = match (k.reason.as_str(), entry_of(text, &k.key)) {
            (_, None) => false,
            (r, _) => panic!("latex-compile-combined-known.tsv: unknown reason {r:?}"),
        };
        if !holds {
            stale.push(format!("{} ({}): {}", k.key, k.mode, k.reason));
        }
    }
    assert!(
        stale.is_empty(),
        "no longer true; remove from latex-compile-combined-known.tsv:\n{}",
        stale.join("\n")
    );

    let keep = std::env::var_os("KEEP").is_some();
    let root = tempfile::tempdir().unwrap();
    let mut failures = Vec::new();
    let mut summary = Vec::new();

    // BibTeX mode: everything (nothing is listed for it).
    for style in ["plain", "apalike"] {
        let dir = root.path().join(style);
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join("refs.bib"), &bibtex).unwrap();
        let doc = format!(
            "{}\\bibliographystyle{{{style}}}\\bibliography{{refs}}\\end{{document}}\n",
            preamble("")
        );
        std::fs::write(dir.join("doc.tex"), doc).unwrap();
        let latex = ["-interaction=nonstopmode", "doc.tex"];
        run(&dir, "lualatex", &latex);
        let (_, out) = run(&dir, "bibtex", &["doc"]);
        let blg = read(&dir.join("doc.blg"));
        let n = bibtex_errors(&blg);
        if n > 0 || !blg.contains("The style file") {
            failures.push(format!("bibtex {style}: {n} errors\n{out}"));
        }
        // One run reading the .bbl shows every error (a third would only settle references).
        let errs = typeset_and_check(&dir, style, &mut failures);
        let bbl = read(&dir.join("doc.bbl"));
        let items = bbl.matches("\\bibitem").count();
        summary.push(format!(
            "bibtex+{style}: {items} entries, {n} bibtex errors, {} LaTeX errors",
            errs.len()
        ));
        if items < total - 10 {
            failures.push(format!("bibtex {style}: only {items} of {total} entries in the .bbl"));
        }
    }

    // BibLaTeX mode, without the listed entries.
    let listed: Vec<String> = known
        .iter()
        .filter(|k| k.mode == "biblatex")
        .map(|k| k.key.clone())
        .collect();
    if !listed.is_empty() {
        lib.delete(&listed).unwrap();
    }
    let biblatex = export(&lib, Format::Biblatex);
    let dir = root.path().join("biblatex");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("refs.bib"), &biblatex).unwrap();
    let doc = format!(
        "{}\\printbibliography\\end{{document}}\n",
        preamble("\\usepackage[backend=biber]{biblatex}\\addbibresource{refs.bib}")
    );
    std::fs::write(dir.join("doc.tex"), doc).unwrap();
    let latex = ["-interaction=nonstopmode", "doc.tex"];
    run(&dir, "lualatex", &latex);
    let t = std::time::Instant::now();
    let (ok, out) = run(&dir, "biber", &["--quiet", "doc"]);
    let biber_s = t.elapsed().as_secs_f64();
    let errors: Vec<&str> = out.lines().filter(|l| l.contains("ERROR")).collect();
    if !ok || !errors.is_empty() {
        failures.push(format!("biber: {}", errors.join("\n  ")));
    }
    let errs = typeset_and_check(&dir, "biblatex", &mut failures);
    let items = read(&dir.join("doc.bbl")).matches("\\entry{").count();
    summary.push(format!(
        "biber+biblatex: {items} entries ({} listed left out), {} biber errors, {} LaTeX errors, biber {biber_s:.0} s",
        listed.len(),
        errors.len(),
        errs.len()
    ));
    // @xdata entries are data for other entries, never bibliography entries.
    let xdata = biblatex
        .lines()
        .filter(|l| l.to_ascii_lowercase().starts_with("@xdata{"))
        .count();
    if items + listed.len() + xdata < total - 10 {
        failures.push(format!("biber: only {items} entries in the .bbl"));
    }
    if keep {
        let to = PathBuf::from("/tmp/folio-latex-combined");
        let _ = std::fs::remove_dir_all(&to);
        std::fs::rename(root.keep(), &to).unwrap();
    }
    eprintln!(
        "{total} items; {}; {:.0} s in all",
        summary.join("; "),
        started.elapsed().as_secs_f64()
    );
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
