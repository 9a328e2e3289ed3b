//! Tests against the real files of the shared corpus (`FOLIO_CORPUS`, else `../shared/corpus`
//! next to the repository). They fail when the corpus is missing.
//!
//! `known-failures.tsv` (next to this file) lists corpus files whose entry count is known to
//! differ, with the reason. The list may only shrink: a listed file that passes fails the test.

use super::*;
use crate::format::{decode, ParsedItem};
use crate::Severity;
use std::collections::HashMap;
use std::path::PathBuf;

const KNOWN_FAILURES: &str = include_str!("known-failures.tsv");

fn corpus() -> PathBuf {
    let p = std::env::var_os("FOLIO_CORPUS")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/corpus"));
    assert!(
        p.join("MANIFEST.tsv").is_file(),
        "corpus not found at {} (set FOLIO_CORPUS)",
        p.display()
    );
    p
}

fn manifest() -> HashMap<String, usize> {
    let text = std::fs::read_to_string(corpus().join("MANIFEST.tsv")).expect("MANIFEST.tsv");
    let mut lines = text.lines();
    let header: Vec<&str> = lines.next().expect("header").split('\t').collect();
    let col = header
        .iter()
        .position(|h| *h == "entries_expected")
        .expect("entries_expected column");
    lines
        .filter_map(|l| {
            let cols: Vec<&str> = l.split('\t').collect();
            Some((cols.first()?.to_string(), cols.get(col)?.parse().ok()?))
        })
        .collect()
}

fn read(path: &std::path::Path) -> String {
    let bytes = std::fs::read(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    decode(&bytes, None)
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
        .text
}

fn known_failures() -> HashMap<String, String> {
    KNOWN_FAILURES
        .lines()
        .filter(|l| !l.trim().is_empty() && !l.starts_with('#'))
        .map(|l| {
            let (p, r) = l.split_once('\t').unwrap_or((l, ""));
            (p.trim().to_string(), r.trim().to_string())
        })
        .collect()
}

fn public_files() -> Vec<(String, PathBuf)> {
    let dir = corpus().join("public/bibtex");
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .filter_map(|e| e.ok())
        .map(|e| e.path())
        .filter(|p| p.is_file() && p.extension().is_some_and(|x| x == "bib"))
        .map(|p| (format!("public/bibtex/{}", p.file_name().unwrap().to_string_lossy()), p))
        .collect();
    files.sort();
    assert!(
        files.len() >= 60,
        "expected the public BibTeX corpus, found {} files",
        files.len()
    );
    files
}

#[test]
fn corpus_entry_counts() {
    let expected = manifest();
    let known = known_failures();
    let mut failures = Vec::new();
    let mut passed = 0;
    for (rel, path) in public_files() {
        let want = *expected
            .get(&rel)
            .unwrap_or_else(|| panic!("{rel} missing from MANIFEST.tsv"));
        let text = read(&path);
        let got = parse(&text, &mut BibContext::new()).items.len();
        match (got == want, known.get(&rel)) {
            (true, None) => passed += 1,
            (true, Some(_)) => failures.push(format!("{rel}: now passes; remove it from known-failures.tsv")),
            (false, Some(_)) => {}
            (false, None) => failures.push(format!("{rel}: {got} entries, expected {want}")),
        }
    }
    eprintln!(
        "corpus: {passed} files with the expected count, {} known failures",
        known.len()
    );
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

fn strip(items: &[ParsedItem]) -> Vec<Item> {
    items
        .iter()
        .map(|p| {
            let mut it = p.item.clone();
            it.source = None;
            it
        })
        .collect()
}

/// Parse → write (regenerated, not the verbatim source) → parse gives the same items.
fn round_trip(rel: &str, text: &str, mode: BibMode) -> Vec<String> {
    let first = parse(text, &mut BibContext::new());
    let items = strip(&first.items);
    let ascii = mode == BibMode::Bibtex;
    let expected: Vec<Item> = items
        .iter()
        .map(|i| super::write::as_written(i.clone(), &first.extras, mode, ascii))
        .collect();
    let opts = BibWriteOptions {
        mode,
        ..Default::default()
    };
    let written = write(&items, &first.extras, &opts);
    // Links the writer cut to break a cycle (biber cannot read one) do not come back; a
    // crossref in another case than its parent's key comes back in the key's case.
    let cut: Vec<String> = written
        .diagnostics
        .iter()
        .filter(|d| d.message.contains("closes a cycle") || d.message.contains("in the key's own case"))
        .filter_map(|d| d.message.split_once(": ").map(|(k, _)| k.to_string()))
        .collect();
    let second = parse(&written.text, &mut BibContext::new());
    let errors: Vec<_> = second
        .diagnostics
        .iter()
        .filter(|d| d.severity == Severity::Error)
        .collect();
    let mut problems = Vec::new();
    if !errors.is_empty() {
        problems.push(format!("{rel}: re-parse errors: {errors:?}"));
    }
    let mut back: HashMap<String, Item> = strip(&second.items).into_iter().map(|i| (i.key.clone(), i)).collect();
    if back.len() != items.len() {
        problems.push(format!("{rel}: wrote {} items, read back {}", items.len(), back.len()));
    }
    for it in &expected {
        if it.key.is_empty() {
            continue;
        }
        match back.remove(&it.key) {
            Some(_) if cut.contains(&it.key) => {}
            None => problems.push(format!("{rel}: {} not read back", it.key)),
            Some(b) if &b != it => problems.push(format!("{rel}: {} differs: {}", it.key, diff(it, &b))),
            Some(_) => {}
        }
    }
    problems
}

/// The top-level fields that differ, with both values.
fn diff(a: &Item, b: &Item) -> String {
    let va = serde_json::to_value(a).unwrap();
    let vb = serde_json::to_value(b).unwrap();
    let mut out = Vec::new();
    for (k, x) in va.as_object().unwrap() {
        let y = vb.get(k).cloned().unwrap_or_default();
        if *x != y {
            out.push(format!("{k}: {x} -> {y}"));
        }
    }
    out.join("; ")
}

#[test]
fn corpus_round_trip_biblatex() {
    let mut problems = Vec::new();
    for (rel, path) in public_files() {
        problems.extend(round_trip(&rel, &read(&path), BibMode::Biblatex));
    }
    assert!(
        problems.is_empty(),
        "{} problems:\n{}",
        problems.len(),
        problems.join("\n")
    );
}

#[test]
fn corpus_verbatim_export_is_the_input() {
    // Unedited items are written as their source text (unless LaTeX would fail on it).
    let mut regenerated = 0;
    let mut entries = 0;
    for (rel, path) in public_files() {
        let text = read(&path);
        let p = parse(&text, &mut BibContext::new());
        let items: Vec<Item> = p.items.iter().map(|i| i.item.clone()).collect();
        let w = write(
            &items,
            &p.extras,
            &BibWriteOptions {
                mode: BibMode::Biblatex,
                ..Default::default()
            },
        );
        let broken: Vec<usize> = p
            .diagnostics
            .iter()
            .filter(|d| d.severity == Severity::Error)
            .filter_map(|d| d.line)
            .collect();
        let mut verbatim = 0;
        let regenerated_before = regenerated;
        let links_cut: Vec<String> = w
            .diagnostics
            .iter()
            .filter(|d| d.message.contains("closes a cycle") || d.message.contains("in the key's own case"))
            .filter_map(|d| d.message.split_once(": ").map(|(k, _)| k.to_string()))
            .collect();
        for (pi, it) in p.items.iter().zip(&items) {
            let src = &it.source.as_ref().unwrap().text;
            let renamed = p
                .diagnostics
                .iter()
                .any(|d| d.message.ends_with(&format!("renamed to {:?}", it.key)));
            if it.key.is_empty() || renamed || broken.contains(&pi.line) {
                continue;
            }
            if super::write::source_problem(src, BibMode::Biblatex).is_some() {
                // A source LaTeX would fail on is regenerated (see `verbatim_problem`).
                regenerated += 1;
                continue;
            }
            if links_cut.contains(&it.key) {
                continue;
            }
            // U+FFFD (abstracts of one file) is the one change a copy makes in BibLaTeX mode.
            let src = src.replace('\u{FFFD}', super::write::FFFD_TEX);
            assert!(w.text.contains(src.as_str()), "{rel}: {} not written verbatim", it.key);
            verbatim += 1;
        }
        assert!(
            verbatim > 0
                || regenerated > regenerated_before
                || items.iter().all(|i| i.key.is_empty())
                || !broken.is_empty(),
            "{rel}: nothing written verbatim"
        );
        entries += items.len();
    }
    eprintln!("{regenerated} of {entries} unedited entries regenerated because LaTeX would fail on their source");
    assert!(regenerated * 10 < entries, "{regenerated} of {entries} regenerated");
}

/// An export that uses a record's stored checks (`source_checks`) decides exactly as one that
/// reads the record in full, for every record of the public corpus and of the large files,
/// in both modes, in UTF-8 and ASCII, with and without fields to omit.
#[test]
fn stored_source_checks_give_the_same_export_as_reading_the_record() {
    let mut texts: Vec<(String, String)> = public_files().into_iter().map(|(rel, p)| (rel, read(&p))).collect();
    for name in [
        "beebe__tugboat.bib",
        "beebe__progr-oceanogr.bib",
        "bbt__1436-3-large-user-library.bib",
    ] {
        texts.push((format!("large/{name}"), large(name)));
    }
    let (mut records, mut fast, mut plain) = (0usize, 0usize, 0usize);
    let omits: [rustc_hash::FxHashSet<String>; 2] =
        [Default::default(), ["abstract".to_string()].into_iter().collect()];
    for (rel, text) in &texts {
        let p = parse(text, &mut BibContext::new());
        for pi in &p.items {
            let Some(src) = pi.item.source.as_ref() else { continue };
            let (flags, macros) = super::write::checks::source_checks(&src.text);
            // The reader's checks, made without scanning the entry again, are the same.
            assert_eq!(
                pi.source_checks.as_ref(),
                Some(&(flags, macros.clone())),
                "{rel}: {}",
                pi.item.key
            );
            records += 1;
            if flags & super::checks::SIMPLE != 0 {
                plain += 1;
            }
            for mode in [BibMode::Bibtex, BibMode::Biblatex] {
                for ascii in [false, true] {
                    for omit in &omits {
                        let check =
                            |f| super::write::check_source_for_test(mode, ascii, omit, &pi.item.key, &src.text, f);
                        let (slow, quick) = (check(None), check(Some((flags, macros.as_deref()))));
                        assert_eq!(
                            slow.parts(),
                            quick.parts(),
                            "{rel}: {} ({mode:?}, ascii {ascii}, omit {omit:?}, checks {flags:#b})",
                            pi.item.key
                        );
                        fast += usize::from(quick.parts().0.is_some());
                    }
                }
            }
        }
    }
    eprintln!("{records} records, {plain} with simple checks, {fast} copies decided from the checks");
    assert!(
        records > 10_000 && plain * 10 > records * 9,
        "{plain} of {records} records are simple"
    );
}

fn large(name: &str) -> String {
    read(&corpus().join("large").join(name))
}

#[test]
fn large_files_parse_with_expected_counts() {
    for (name, want) in [
        ("beebe__tugboat.bib", 3644),
        ("beebe__progr-oceanogr.bib", 3823),
        ("bbt__1436-3-large-user-library.bib", 7166),
    ] {
        let p = parse(&large(name), &mut BibContext::new());
        assert_eq!(p.items.len(), want, "{name}");
    }
}

#[test]
fn iridia_multi_file_with_shared_macros() {
    let mut ctx = BibContext::new();
    let mut total = 0;
    let mut undefined = 0;
    for (name, want) in [
        ("abbrev.bib", 0),
        ("journals.bib", 0),
        ("authors.bib", 0),
        ("articles.bib", 1509),
        ("biblio.bib", 1367),
        ("crossref.bib", 429),
    ] {
        let p = parse(&large(&format!("iridia/{name}")), &mut ctx);
        assert_eq!(p.items.len(), want, "iridia/{name}");
        total += p.items.len();
        undefined += p
            .diagnostics
            .iter()
            .filter(|d| d.message.contains("undefined macro"))
            .count();
    }
    assert_eq!(total, 3305);
    assert!(
        ctx.strings.len() > 100,
        "macros carried across files: {}",
        ctx.strings.len()
    );
    // Loaded in the documented order, the macros the entries use are all defined.
    assert_eq!(undefined, 0, "undefined macros");
}

/// `cargo test --release -p folio --lib bibtex::corpus_tests::perf_fisheries -- --ignored --nocapture`
#[test]
#[ignore]
fn perf_fisheries() {
    let path =
        std::env::var("FISHERIES_BIB").unwrap_or_else(|_| "/tmp/beebe__fisheries-journals-concatenated.bib".into());
    let text = read(std::path::Path::new(&path));
    let t = std::time::Instant::now();
    let p = parse(&text, &mut BibContext::new());
    let el = t.elapsed();
    eprintln!(
        "parsed {} items ({} diagnostics) in {:.3} s",
        p.items.len(),
        p.diagnostics.len(),
        el.as_secs_f64()
    );
    assert_eq!(p.items.len(), 52555);
    let items: Vec<Item> = p.items.iter().map(|i| i.item.clone()).collect();
    let t = std::time::Instant::now();
    let w = write(&items, &p.extras, &BibWriteOptions::default());
    eprintln!("wrote {} bytes in {:.3} s", w.text.len(), t.elapsed().as_secs_f64());
}

/// Folio's parse against the `biblatex` crate on the same file (the PERF-ANCHORS file:
/// `large/derived/beebe-fish-50k.bib.xz` unpacked to /tmp).
/// `cargo test --release -p folio --lib bibtex::corpus_tests::perf_vs_biblatex -- --ignored --nocapture`
#[test]
#[ignore]
fn perf_vs_biblatex() {
    let path = std::env::var("FISH50K_BIB").unwrap_or_else(|_| "/tmp/beebe-fish-50k.bib".into());
    let text = read(std::path::Path::new(&path));
    for round in 0..2 {
        let t = std::time::Instant::now();
        let p = parse(&text, &mut BibContext::new());
        let ours = t.elapsed().as_secs_f64();
        let n = p.items.len();
        drop(p);
        if std::env::var_os("ONLY_FOLIO").is_some() {
            eprintln!("round {round}: folio parse {n} items {ours:.3} s");
            continue;
        }
        let t = std::time::Instant::now();
        let raw = biblatex::RawBibliography::parse(&text).map(|b| b.entries.len());
        let raw_t = t.elapsed().as_secs_f64();
        let t = std::time::Instant::now();
        let full = biblatex::Bibliography::parse(&text).map(|b| b.len());
        let full_t = t.elapsed().as_secs_f64();
        eprintln!(
            "round {round}: folio parse {n} items {ours:.3} s; biblatex raw {:?} {raw_t:.3} s; biblatex full {:?} {full_t:.3} s",
            raw.ok(),
            full.ok()
        );
    }
}

/// Run a command in `dir`; returns (success, stdout + stderr).
fn run(dir: &std::path::Path, cmd: &str, args: &[&str]) -> (bool, String) {
    let out = std::process::Command::new(cmd)
        .args(args)
        .current_dir(dir)
        .output()
        .unwrap_or_else(|e| panic!("{cmd}: {e}"));
    let text = String::from_utf8_lossy(&out.stdout).to_string() + &String::from_utf8_lossy(&out.stderr);
    (out.status.success(), text)
}

/// Whether an export has text pdfLaTeX with T1 fonts cannot typeset: letters beyond Latin
/// Extended-B (Greek, Cyrillic, CJK, combining marks) other than general punctuation and
/// currency signs, or U+FFFD as LaTeX (`\symbol{65533}`, for LuaLaTeX).
fn needs_unicode_engine(text: &str) -> bool {
    text.contains(super::write::FFFD_TEX)
        || text.chars().any(|c| {
            let u = c as u32;
            u > 0x24F && !(0x2000..=0x20CF).contains(&u) && !matches!(u, 0x2122 | 0x2116 | 0xFEFF)
        })
}

/// What a user does after an export warned about keys LaTeX tools reject: `folio key fix
/// --all` (the library call the CLI makes) on the file imported into a library. Checks the
/// warnings name the command and that it repairs every warned key; the repaired items (as
/// in the library, regenerated: sources dropped) and the library's extras, or `None` when the
/// export warned about no key.
fn fix_keys_as_the_user_would(
    rel: &str,
    text: &str,
    items: &[Item],
    extras: &BibExtras,
) -> Option<(Vec<Item>, BibExtras)> {
    let opts = BibWriteOptions {
        mode: BibMode::Biblatex,
        ..Default::default()
    };
    let warned: Vec<String> = write(items, extras, &opts)
        .diagnostics
        .iter()
        .filter(|d| d.message.starts_with("key \"") || d.message.contains("key fix"))
        .map(|d| {
            assert!(d.message.contains("`folio key fix"), "{rel}: {}", d.message);
            d.message.split('"').nth(1).unwrap_or_default().to_string()
        })
        .collect();
    if warned.is_empty() {
        return None;
    }
    let mut lib = crate::Library::open_in_memory().unwrap();
    let import = crate::import::ImportOptions {
        duplicates: crate::import::DuplicatePolicy::Keep,
        ..Default::default()
    };
    lib.import_text(rel, text, &import).unwrap();
    let keys: Vec<String> = lib
        .select(&Default::default())
        .unwrap()
        .into_iter()
        .map(|i| i.key)
        .collect();
    assert_eq!(keys.len(), items.len(), "{rel}: the import kept every entry");
    let fix = lib.fix_keys(&keys, false, false).unwrap();
    let mut olds: Vec<&str> = fix.renamed.iter().map(|(o, _)| o.as_str()).collect();
    let mut want: Vec<&str> = warned.iter().map(String::as_str).collect();
    olds.sort_unstable();
    want.sort_unstable();
    assert_eq!(
        olds, want,
        "{rel}: `folio key fix --all` repairs exactly the warned keys"
    );
    let fixed: Vec<Item> = lib
        .select(&Default::default())
        .unwrap()
        .into_iter()
        .map(|mut i| {
            i.source = None;
            i
        })
        .collect();
    let extras = lib.bib_extras().unwrap();
    let again = write(&fixed, &extras, &opts);
    assert!(
        !again.diagnostics.iter().any(|d| d.message.contains("key fix")),
        "{rel}: {:?}",
        again.diagnostics
    );
    Some((fixed, extras))
}

/// Export every public corpus file (regenerated from the model, not verbatim) and compile
/// it: BibTeX mode with `pdflatex` + `bibtex` (plain and apalike), BibLaTeX mode with `biber`
/// (biblatex with `safeinputenc` under pdfLaTeX); a file with Greek, Cyrillic or CJK text is
/// typeset with LuaLaTeX and fontspec instead ([`needs_unicode_engine`]), which reads biber's
/// UTF-8 `.bbl` as it is.
/// Needs TeX Live (`texlive-latex-base texlive-latex-recommended texlive-bibtex-extra biber
/// texlive-luatex fonts-noto-cjk fonts-dejavu-core`, installed by `.ci/test`); fails when it is
/// missing. `ONLY=name` limits it to some files,
/// `KEEP=1` keeps failing runs under /tmp/folio-latex.
#[test]
fn latex_compiles() {
    let only = std::env::var("ONLY").ok();
    let known: HashMap<String, String> = include_str!("latex-compile-known-failures.tsv")
        .lines()
        .filter(|l| !l.trim().is_empty() && !l.starts_with('#'))
        .filter_map(|l| l.split_once('\t'))
        .map(|(a, b)| (a.to_string(), b.to_string()))
        .collect();
    let mut jobs = Vec::new();
    for (rel, path) in public_files() {
        if only.as_deref().is_some_and(|o| !rel.contains(o)) {
            continue;
        }
        let text = read(&path);
        let p = parse(&text, &mut BibContext::new());
        let mut items = strip(&p.items);
        let mut extras = p.extras.clone();
        if items.is_empty() {
            continue;
        }
        // Keys biber rejects (an apostrophe: it then reads no entry of the file) are never
        // changed by Folio itself: the export warns, and the user runs `folio key fix`.
        if let Some((fixed, fixed_extras)) = fix_keys_as_the_user_would(&rel, &text, &items, &extras) {
            items = fixed;
            extras = fixed_extras;
        }
        for mode in [BibMode::Bibtex, BibMode::Biblatex] {
            jobs.push((rel.clone(), items.clone(), extras.clone(), mode));
        }
    }
    // Two files at a time (CI has two cores; the TeX runs are the whole cost of this test).
    let next = std::sync::atomic::AtomicUsize::new(0);
    let found = std::sync::Mutex::new(Vec::new());
    std::thread::scope(|s| {
        for _ in 0..2 {
            s.spawn(|| loop {
                let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                let Some((rel, items, extras, mode)) = jobs.get(i) else {
                    break;
                };
                if let Some(f) = latex_compile_one(rel, items, extras, *mode, &known) {
                    found.lock().unwrap().push((i, f));
                }
            });
        }
    });
    let mut found = found.into_inner().unwrap();
    found.sort();
    let failures: Vec<String> = found.into_iter().map(|(_, f)| f).collect();
    assert!(
        failures.is_empty(),
        "{} failures:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

/// One file in one mode of [`latex_compiles`]: what failed, if anything did (a known failure
/// that now compiles is also one).
fn latex_compile_one(
    rel: &str,
    items: &[Item],
    extras: &BibExtras,
    mode: BibMode,
    known: &HashMap<String, String>,
) -> Option<String> {
    let dir = tempfile::tempdir().unwrap();
    let w = write(
        items,
        extras,
        &BibWriteOptions {
            mode,
            ..Default::default()
        },
    );
    std::fs::write(dir.path().join("refs.bib"), &w.text).unwrap();
    // What a user would typeset this file with: pdfLaTeX with T1 fonts and UTF-8 input
    // for Latin text; LuaLaTeX with fontspec and fonts that cover the other scripts
    // (DejaVu Serif: Greek, Cyrillic; Noto Serif CJK SC as the CJK fallback).
    let unicode = needs_unicode_engine(&w.text);
    let fonts = if unicode {
        "\\usepackage{fontspec}\\directlua{luaotfload.add_fallback(\"cjk\",{\"NotoSerifCJKSC:mode=node;\"})}\\setmainfont{DejaVu Serif}[RawFeature={fallback=cjk}]"
    } else {
        "\\usepackage[T1]{fontenc}\\usepackage[utf8]{inputenc}"
    };
    let engine = if unicode { "lualatex" } else { "pdflatex" };
    // With pdfLaTeX, biber's `.bbl` must stay within what LaTeX macros express: biber
    // decodes `{\=P}` to P + U+0304, which T1 fonts cannot typeset as a character.
    let safe = if unicode { "" } else { ",safeinputenc" };
    let doc = match mode {
        BibMode::Bibtex => format!("\\documentclass{{article}}{fonts}\\usepackage{{url}}\\begin{{document}}\\nocite{{*}}\\bibliographystyle{{plain}}\\bibliography{{refs}}\\end{{document}}\n"),
        BibMode::Biblatex => format!("\\documentclass{{article}}{fonts}\\usepackage[backend=biber{safe}]{{biblatex}}\\addbibresource{{refs.bib}}\\begin{{document}}\\nocite{{*}}\\printbibliography\\end{{document}}\n"),
    };
    std::fs::write(dir.path().join("doc.tex"), doc).unwrap();
    let latex = ["-interaction=nonstopmode", "-halt-on-error", "doc.tex"];
    let (ok1, log1) = run(dir.path(), engine, &latex);
    let (ok2, mut log2) = match mode {
        BibMode::Bibtex => run(dir.path(), "bibtex", &["doc"]),
        BibMode::Biblatex => run(dir.path(), "biber", &["--quiet", "doc"]),
    };
    if mode == BibMode::Bibtex {
        // The same references with the author-year apalike style.
        let aux = std::fs::read_to_string(dir.path().join("doc.aux")).unwrap_or_default();
        std::fs::write(
            dir.path().join("apa.aux"),
            aux.replace("\\bibstyle{plain}", "\\bibstyle{apalike}"),
        )
        .unwrap();
        let (_, log_apa) = run(dir.path(), "bibtex", &["apa"]);
        log2.push_str(&log_apa);
    }
    let (ok3, log3) = run(dir.path(), engine, &latex);
    let bib_errors: Vec<&str> = log2
        .lines()
        .filter(|l| {
            l.contains("error message")
                || l.starts_with("ERROR")
                || l.contains("I was expecting")
                || l.contains("I'm skipping")
        })
        .collect();
    let failed = !(ok1 && ok3) || !ok2 && mode == BibMode::Biblatex || !bib_errors.is_empty();
    let label = format!("{rel} ({mode:?})");
    if failed && std::env::var_os("KEEP").is_some() {
        let keep = std::path::PathBuf::from("/tmp/folio-latex")
            .join(rel.replace('/', "_"))
            .join(format!("{mode:?}"));
        std::fs::create_dir_all(&keep).unwrap();
        for f in ["refs.bib", "doc.tex", "doc.log", "doc.blg", "apa.blg"] {
            let _ = std::fs::copy(dir.path().join(f), keep.join(f));
        }
    }
    if known.contains_key(&label) {
        return (!failed).then(|| format!("{label}: compiles now; remove it from latex-compile-known-failures.tsv"));
    }
    if !failed {
        return None;
    }
    let tail = |s: &str| {
        s.lines()
            .filter(|l| l.starts_with('!') || l.contains("ERROR") || l.contains("rror"))
            .take(8)
            .collect::<Vec<_>>()
            .join("\n    ")
    };
    Some(format!(
        "{rel} ({mode:?}): latex {ok1}/{ok3}, {}: {ok2}\n    {}\n    {}\n    {}",
        if mode == BibMode::Bibtex { "bibtex" } else { "biber" },
        tail(&log1),
        bib_errors.join("\n    "),
        tail(&log3)
    ))
}

/// Differential test against the `biblatex` crate (its own parser and name splitter): on the
/// corpus files it parses whole, Folio reads every entry it reads, and the author family
/// names agree for nearly all entries (differences are listed on failure).
#[test]
fn biblatex_crate_as_oracle() {
    // The crate recurses without bound on circular crossref/xdata (these biber test files).
    const CYCLIC: &[&str] = &["crossref_cascading_cycle", "biber__crossrefs", "biber__xdata"];
    let mut compared = 0;
    let mut files = 0;
    let mut mismatches = Vec::new();
    for (rel, path) in public_files() {
        if CYCLIC.iter().any(|c| rel.contains(c)) {
            continue;
        }
        let text = read(&path);
        let Ok(oracle) = biblatex::Bibliography::parse(&text) else {
            continue;
        };
        files += 1;
        let ours = parse(&text, &mut BibContext::new());
        let by_key: HashMap<&str, &Item> = ours.items.iter().map(|p| (p.item.key.as_str(), &p.item)).collect();
        for e in oracle.iter() {
            let item = by_key
                .get(e.key.as_str())
                .unwrap_or_else(|| panic!("{rel}: the biblatex crate reads {:?}, Folio does not", e.key));
            let Ok(persons) = e.author() else { continue };
            let mine: Vec<String> = item
                .creators_with(crate::model::Role::Author)
                .map(|c| c.family().to_string())
                .collect();
            if mine.is_empty() {
                continue; // e.g. authors inherited through crossref, which Folio keeps as a link
            }
            compared += 1;
            let theirs: Vec<String> = persons.iter().map(|p| p.name.clone()).collect();
            if mine != theirs {
                mismatches.push(format!("{rel} {}: folio {mine:?} / biblatex {theirs:?}", e.key));
            }
        }
    }
    eprintln!(
        "oracle: {files} files, {compared} entries compared, {} differ",
        mismatches.len()
    );
    if std::env::var_os("ORACLE_VERBOSE").is_some() {
        eprintln!("{}", mismatches.join("\n"));
    }
    assert!(files >= 30 && compared >= 500, "{files} files, {compared} entries");
    assert!(
        mismatches.len() * 50 <= compared,
        "{} of {compared} differ:\n{}",
        mismatches.len(),
        mismatches.join("\n")
    );
}

/// Every JabRef group tree in the corpus reads without a problem, and every entry a static
/// group names in its `groups` field is placed in a collection, unless the name is not in the
/// tree (JabRef itself shows such an entry in no group).
#[test]
fn corpus_jabref_group_trees_read_cleanly() {
    let mut trees = 0;
    for (rel, path) in public_files() {
        let text = read(&path);
        let Some(tree) = super::jabref::Tree::find(&text) else {
            continue;
        };
        trees += 1;
        assert!(tree.problems.is_empty(), "{rel}: {:?}", tree.problems);
        assert!(!tree.groups.is_empty(), "{rel}: a tree without groups");
        let parsed = parse(&text, &mut BibContext::new());
        let plan = parsed.groups.as_ref().expect("the plan");
        let statics: Vec<&str> = tree
            .groups
            .iter()
            .filter(|g| matches!(g.kind, super::jabref::Kind::Static { .. }))
            .map(|g| g.name.as_str())
            .collect();
        for pi in &parsed.items {
            for c in &pi.collections {
                assert!(
                    plan.collections.contains(c),
                    "{rel}: {} in {c}, not a planned collection",
                    pi.item.key
                );
            }
            if let Some(g) = pi.item.extra_field("groups") {
                let named_static = super::tex::field_text(g)
                    .split(',')
                    .any(|n| statics.contains(&n.trim()));
                assert_eq!(
                    named_static,
                    !pi.collections.is_empty(),
                    "{rel}: {} with groups {g:?}",
                    pi.item.key
                );
            }
        }
    }
    assert!(
        trees >= 5,
        "the corpus has JabRef group trees in at least 5 files, found {trees}"
    );
}
