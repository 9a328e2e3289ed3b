//! The LaTeX workflow: auto-exports follow every change, export by .aux, protected keys,
//! quick copy.

use crate::support::*;
use std::path::Path;

fn ris_titles(path: &Path) -> Vec<String> {
    let text = std::fs::read_to_string(path).unwrap_or_default();
    text.lines()
        .filter_map(|l| l.strip_prefix("TI  - ").map(|t| t.trim().to_string()))
        .collect()
}

#[test]
fn an_auto_export_follows_every_change_made_through_the_cli() {
    let dir = tempfile::tempdir().unwrap();
    let lib = dir.path().join("lib.sqlite");
    ok(
        &lib,
        &["add", "--title", "Alpha", "--author", "Steen, Trui", "--year", "2019"],
    );
    ok(
        &lib,
        &["add", "--title", "Beta", "--author", "Jaspers, Sylke", "--year", "2020"],
    );
    ok(&lib, &["collection", "create", "Paper"]);
    ok(&lib, &["collection", "add", "Paper", "Steen2019"]);
    let target = dir.path().join("paper.ris");
    ok(
        &lib,
        &[
            "auto-export",
            "add",
            target.to_str().unwrap(),
            "--format",
            "ris",
            "--collection",
            "Paper",
        ],
    );
    assert_eq!(ris_titles(&target), ["Alpha"]);
    // add to the scope
    ok(&lib, &["collection", "add", "Paper", "Jaspers2020"]);
    assert_eq!(
        ris_titles(&target),
        ["Beta", "Alpha"],
        "sorted by key: Jaspers2020, Steen2019"
    );
    // edit
    ok(&lib, &["edit", "Steen2019", "--set", "title=Alpha revised"]);
    assert_eq!(ris_titles(&target), ["Beta", "Alpha revised"]);
    // tag (no visible RIS change except KW)
    ok(&lib, &["tag", "add", "paper-one", "Steen2019"]);
    assert!(std::fs::read_to_string(&target).unwrap().contains("KW  - paper-one"));
    // delete, then undo
    ok(&lib, &["delete", "Jaspers2020"]);
    assert_eq!(ris_titles(&target), ["Alpha revised"]);
    ok(&lib, &["undo"]);
    assert_eq!(ris_titles(&target), ["Beta", "Alpha revised"]);
    // a change outside the scope leaves the file alone (write-if-changed)
    let before = std::fs::metadata(&target).unwrap().modified().unwrap();
    std::thread::sleep(std::time::Duration::from_millis(20));
    ok(&lib, &["add", "--title", "Gamma"]);
    assert_eq!(std::fs::metadata(&target).unwrap().modified().unwrap(), before);
    let list: serde_json::Value = serde_json::from_str(&ok(&lib, &["auto-export", "list", "--json"])).unwrap();
    assert_eq!(list[0]["items"], 2);
    assert!(list[0]["last_error"].is_null());
    assert!(list[0]["scope"].as_str().unwrap().contains("Paper"));
}

#[test]
fn a_failing_target_keeps_the_old_file_and_is_retried() {
    let dir = tempfile::tempdir().unwrap();
    let lib = dir.path().join("lib.sqlite");
    let sub = dir.path().join("out");
    std::fs::create_dir(&sub).unwrap();
    let target = sub.join("refs.ris");
    ok(&lib, &["add", "--title", "Alpha", "--key", "A1"]);
    ok(
        &lib,
        &["auto-export", "add", target.to_str().unwrap(), "--format", "ris"],
    );
    assert_eq!(ris_titles(&target), ["Alpha"]);
    // The folder becomes read-only: the change is made, the export fails, the old file stays.
    let mut perm = std::fs::metadata(&sub).unwrap().permissions();
    use std::os::unix::fs::PermissionsExt;
    perm.set_mode(0o555);
    std::fs::set_permissions(&sub, perm.clone()).unwrap();
    let probe = sub.join("probe");
    let writable = std::fs::write(&probe, "x").is_ok(); // root ignores permissions
    let out = folio(&lib, &["add", "--title", "Beta", "--key", "B1"]);
    assert!(out.status.success());
    if !writable {
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains("auto-export") && err.contains("failed"), "{err}");
        assert_eq!(ris_titles(&target), ["Alpha"]);
        let list: serde_json::Value = serde_json::from_str(&ok(&lib, &["auto-export", "list", "--json"])).unwrap();
        assert!(list[0]["last_error"].is_string());
    } else {
        let _ = std::fs::remove_file(&probe);
    }
    // The folder disappears entirely: also reported, nothing lost in the library.
    perm.set_mode(0o755);
    std::fs::set_permissions(&sub, perm).unwrap();
    std::fs::remove_dir_all(&sub).unwrap();
    let out = folio(&lib, &["add", "--title", "Gamma", "--key", "C1"]);
    assert!(out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("failed"));
    assert_eq!(ok(&lib, &["list", "--count"]).trim(), "3");
    // Once the folder is back, the next run writes everything.
    std::fs::create_dir(&sub).unwrap();
    ok(&lib, &["auto-export", "run"]);
    assert_eq!(ris_titles(&target), ["Alpha", "Beta", "Gamma"]);
}

#[test]
fn export_by_aux_follows_crossref_and_reports_missing_keys() {
    let dir = tempfile::tempdir().unwrap();
    let lib = dir.path().join("lib.sqlite");
    ok(
        &lib,
        &[
            "add",
            "--type",
            "incollection",
            "--title",
            "Chapter",
            "--key",
            "Chap1",
            "--field",
            "crossref=Book1",
        ],
    );
    ok(
        &lib,
        &["add", "--type", "book", "--title", "The book", "--key", "Book1"],
    );
    ok(&lib, &["add", "--title", "Cited", "--key", "Cited1"]);
    ok(&lib, &["add", "--title", "Not cited", "--key", "Other1"]);
    let aux = dir.path().join("paper.aux");
    std::fs::write(
        &aux,
        "\\relax\n\\citation{Cited1,Chap1}\n\\abx@aux@cite{0}{Missing2020}\n",
    )
    .unwrap();
    let out = folio(&lib, &["export", "--format", "json", "--aux", aux.to_str().unwrap()]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let keys: Vec<&str> = v
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["key"].as_str().unwrap())
        .collect();
    assert_eq!(keys, ["Cited1", "Chap1", "Book1"]);
    assert!(String::from_utf8_lossy(&out.stderr).contains("Missing2020"));
    // The .aux is now registered and its keys protected.
    let protected: serde_json::Value = serde_json::from_str(&ok(&lib, &["key", "protected", "--json"])).unwrap();
    assert!(protected["Cited1"].as_str().unwrap().contains("paper.aux"));
    assert!(protected.get("Other1").is_none());
}

#[test]
fn protected_keys_need_force_and_the_change_is_undoable() {
    let dir = tempfile::tempdir().unwrap();
    let lib = dir.path().join("lib.sqlite");
    ok(
        &lib,
        &["add", "--title", "Cited", "--author", "Steen, Trui", "--year", "2019"],
    );
    ok(
        &lib,
        &["add", "--title", "Free", "--author", "Jaspers, Sylke", "--year", "2020"],
    );
    let aux = dir.path().join("paper.aux");
    std::fs::write(&aux, "\\citation{Steen2019}\n").unwrap();
    ok(&lib, &["aux", "add", aux.to_str().unwrap()]);
    let out = folio(
        &lib,
        &["key", "regenerate", "Steen2019", "--pattern", "[auth:lower][year]"],
    );
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("Steen2019") && err.contains("paper.aux") && err.contains("--force"),
        "{err}"
    );
    let out = folio(&lib, &["edit", "Steen2019", "--set", "key=Other"]);
    assert_eq!(out.status.code(), Some(1));
    // Unprotected keys change freely.
    ok(
        &lib,
        &["key", "regenerate", "Jaspers2020", "--pattern", "[auth:lower][year]"],
    );
    assert!(ok(&lib, &["show", "jaspers2020"]).contains("jaspers2020"));
    // --force, then undo.
    assert_eq!(
        ok(
            &lib,
            &[
                "key",
                "regenerate",
                "Steen2019",
                "--pattern",
                "[auth:lower][year]",
                "--force"
            ]
        )
        .trim(),
        "Steen2019 -> steen2019"
    );
    ok(&lib, &["undo"]);
    assert!(folio(&lib, &["show", "Steen2019"]).status.success());
    // Keys in an auto-export are protected too.
    let target = dir.path().join("all.ris");
    ok(
        &lib,
        &["auto-export", "add", target.to_str().unwrap(), "--format", "ris"],
    );
    let out = folio(&lib, &["edit", "jaspers2020", "--set", "key=J2020"]);
    assert!(String::from_utf8_lossy(&out.stderr).contains("all.ris"));
    // key check: nothing wrong here
    assert!(folio(&lib, &["key", "check"]).status.success());
}

#[test]
fn quick_copy_cite_commands() {
    let dir = tempfile::tempdir().unwrap();
    let lib = dir.path().join("lib.sqlite");
    ok(&lib, &["add", "--title", "A", "--key", "K1"]);
    ok(&lib, &["add", "--title", "B", "--key", "K2"]);
    assert_eq!(ok(&lib, &["cite", "K1", "K2"]).trim(), "\\cite{K1,K2}");
    assert_eq!(ok(&lib, &["cite", "--command", "\\citep", "K2"]).trim(), "\\citep{K2}");
    assert_eq!(
        ok(&lib, &["cite", "--command", "parencite", "K1"]).trim(),
        "\\parencite{K1}"
    );
    assert_eq!(folio(&lib, &["cite", "K9"]).status.code(), Some(1));
    ok(
        &lib,
        &[
            "add",
            "--title",
            "The temporary use of vacant spaces",
            "--author",
            "Jaspers, Sylke",
            "--author",
            "Steen, Trui",
            "--year",
            "2019",
            "--journal",
            "International Journal of Public Sector Management",
            "--volume",
            "33",
            "--issue",
            "1",
            "--key",
            "JS",
        ],
    );
    assert_eq!(
        ok(&lib, &["cite", "--style", "apa", "JS"]).trim(),
        "Jaspers, S., & Steen, T. (2019). The temporary use of vacant spaces. International Journal of Public Sector Management, 33(1)."
    );
    assert_eq!(
        ok(&lib, &["cite", "--style", "apa", "--in-text", "JS"]).trim(),
        "(Jaspers & Steen, 2019)"
    );
    // Any bundled CSL style works (MLA among them); an unknown one is a usage error.
    assert!(ok(&lib, &["cite", "--style", "mla", "JS"]).contains("Jaspers, Sylke, and Trui Steen."));
    assert_eq!(
        folio(&lib, &["cite", "--style", "no-such-style", "JS"]).status.code(),
        Some(2)
    );
    assert_eq!(folio(&lib, &["cite", "--command", "x{y", "K1"]).status.code(), Some(1));
}

/// Run LaTeX + `bibtex` (classic) or `biber` (BibLaTeX) on a document that cites every entry
/// of `bib`; returns the log of the bibliography tool, panicking on any error.
fn compile(dir: &Path, bib: &Path, biblatex: bool) -> String {
    let doc = if biblatex {
        format!(
            "\\documentclass{{article}}\\usepackage[backend=biber]{{biblatex}}\\addbibresource{{{}}}\
             \\begin{{document}}\\nocite{{*}}\\printbibliography\\end{{document}}\n",
            bib.display()
        )
    } else {
        format!(
            "\\documentclass{{article}}\\begin{{document}}\\nocite{{*}}\\bibliographystyle{{plain}}\
             \\bibliography{{{}}}\\end{{document}}\n",
            bib.with_extension("").display()
        )
    };
    for ext in ["aux", "bbl", "bcf", "blg", "run.xml"] {
        let _ = std::fs::remove_file(dir.join(format!("doc.{ext}")));
    }
    std::fs::write(dir.join("doc.tex"), doc).unwrap();
    let run = |prog: &str, args: &[&str]| {
        let out = std::process::Command::new(prog)
            .args(args)
            .current_dir(dir)
            .output()
            .unwrap_or_else(|e| panic!("{prog} is needed for this test (CI installs TeX Live): {e}"));
        (out.status.success(), String::from_utf8_lossy(&out.stdout).into_owned())
    };
    let latex = ["-interaction=nonstopmode", "-halt-on-error", "doc.tex"];
    let (ok, log) = run("pdflatex", &latex);
    assert!(ok, "pdflatex: {log}");
    let (ok, log) = if biblatex {
        run("biber", &["doc"])
    } else {
        run("bibtex", &["doc"])
    };
    let blg = std::fs::read_to_string(dir.join("doc.blg")).unwrap_or_default();
    assert!(ok, "{}: {log}\n{blg}", if biblatex { "biber" } else { "bibtex" });
    assert!(
        !blg.contains("error message") && !blg.contains("ERROR"),
        "bibliography errors:\n{blg}"
    );
    let (ok, log) = run("pdflatex", &latex);
    assert!(ok, "pdflatex: {log}");
    std::fs::read_to_string(dir.join("doc.bbl")).unwrap()
}

#[test]
fn bibtex_and_biblatex_auto_exports_follow_changes_and_compile() {
    let dir = tempfile::tempdir().unwrap();
    let lib = dir.path().join("lib.sqlite");
    let work = dir.path().join("tex");
    std::fs::create_dir(&work).unwrap();
    ok(
        &lib,
        &[
            "add",
            "--title",
            "Co-production & the {State}",
            "--author",
            "Steen, Trui",
            "--year",
            "2019",
        ],
    );
    let classic = work.join("refs.bib");
    let modern = work.join("refs-bl.bib");
    ok(
        &lib,
        &["auto-export", "add", classic.to_str().unwrap(), "--format", "bibtex"],
    );
    ok(
        &lib,
        &["auto-export", "add", modern.to_str().unwrap(), "--format", "biblatex"],
    );
    let check = |want: &[&str], gone: &[&str]| {
        for (bib, biblatex) in [(&classic, false), (&modern, true)] {
            let bbl = compile(&work, bib, biblatex);
            for w in want {
                assert!(
                    bbl.contains(w),
                    "{w:?} missing from the {} bibliography:\n{bbl}",
                    bib.display()
                );
            }
            for g in gone {
                assert!(
                    !bbl.contains(g),
                    "{g:?} still in the {} bibliography:\n{bbl}",
                    bib.display()
                );
            }
        }
    };
    check(&["Steen"], &[]);
    ok(
        &lib,
        &[
            "add",
            "--title",
            "Müller's ünïcode study",
            "--author",
            "Jaspers, Sylke",
            "--year",
            "2020",
        ],
    );
    check(&["Steen", "Jaspers"], &[]);
    ok(&lib, &["edit", "Steen2019", "--set", "title=Revised title"]);
    check(&["Revised title"], &[]);
    ok(&lib, &["tag", "add", "paper-one", "Steen2019"]);
    assert!(std::fs::read_to_string(&classic).unwrap().contains("paper-one"));
    ok(&lib, &["delete", "Jaspers2020"]);
    check(&["Steen"], &["Jaspers"]);
    ok(&lib, &["undo"]);
    check(&["Steen", "Jaspers"], &[]);
}

#[test]
fn export_by_the_aux_of_a_real_latex_run() {
    let dir = tempfile::tempdir().unwrap();
    let lib = dir.path().join("lib.sqlite");
    for (title, author, year) in [
        ("One", "Alpha, A.", "2001"),
        ("Two", "Beta, B.", "2002"),
        ("Three", "Gamma, G.", "2003"),
    ] {
        ok(&lib, &["add", "--title", title, "--author", author, "--year", year]);
    }
    let work = dir.path().join("paper");
    std::fs::create_dir(&work).unwrap();
    std::fs::write(
        work.join("paper.tex"),
        "\\documentclass{article}\\begin{document}See \\cite{Alpha2001} and \\cite{Gamma2003,Missing1999}.\
         \\bibliographystyle{plain}\\bibliography{refs}\\end{document}\n",
    )
    .unwrap();
    let out = std::process::Command::new("pdflatex")
        .args(["-interaction=nonstopmode", "paper.tex"])
        .current_dir(&work)
        .output()
        .expect("pdflatex is needed for this test (CI installs TeX Live)");
    assert!(
        work.join("paper.aux").exists(),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    let refs = work.join("refs.bib");
    let out = folio(
        &lib,
        &[
            "export",
            "--aux",
            work.join("paper.aux").to_str().unwrap(),
            "-o",
            refs.to_str().unwrap(),
        ],
    );
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("Missing1999"), "missing keys are reported: {err}");
    let text = std::fs::read_to_string(&refs).unwrap();
    assert!(
        text.contains("@article{Alpha2001") || text.contains("{Alpha2001,"),
        "{text}"
    );
    assert!(text.contains("Gamma2003"), "{text}");
    assert!(!text.contains("Beta2002"), "only what the paper cites: {text}");
    // And the paper now compiles against it.
    let bbl = compile(&work, &refs, false);
    assert!(bbl.contains("Alpha") && bbl.contains("Gamma"), "{bbl}");
}

const APOSTROPHE_KEYS: &str = "@book{O'Hara_1999, title = {Book}, author = {O'Hara, J.}, year = {1999}}
@inbook{Chap1, crossref = {O'Hara_1999}, title = {Chapter}, pages = {1--2}}
@article{OHara_1999, title = {Other}, author = {Ohara, K.}, year = {1999}}
@article{D'Ambrosio2007174, title = {T}, author = {D'Ambrosio, A.}, year = {2007}}
@misc{Uses, xdata = {D'Ambrosio2007174}, addendum = {xdata=D'Ambrosio2007174-title}}
@article{Fine2020, title = {F}, year = {2020}}
";

#[test]
fn key_fix_repairs_only_rejected_keys_with_their_links_in_one_undo_step() {
    let dir = tempfile::tempdir().unwrap();
    let lib = dir.path().join("lib.sqlite");
    let bib = dir.path().join("in.bib");
    std::fs::write(&bib, APOSTROPHE_KEYS).unwrap();
    ok(&lib, &["import", bib.to_str().unwrap()]);
    // The export warns and names the command.
    let out_bib = dir.path().join("out.bib");
    let out = folio(
        &lib,
        &["export", "--format", "biblatex", "-o", out_bib.to_str().unwrap()],
    );
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("folio key fix \"D'Ambrosio2007174\""), "{err}");
    let out = folio(&lib, &["key", "check"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("folio key fix --all"));
    // A dry run plans without changing anything.
    let plan: serde_json::Value =
        serde_json::from_str(&ok(&lib, &["key", "fix", "--all", "--dry-run", "--json"])).unwrap();
    assert_eq!(
        plan["renamed"],
        serde_json::json!([
            {"old": "D'Ambrosio2007174", "new": "DAmbrosio2007174"},
            {"old": "O'Hara_1999", "new": "OHara_1999a"},
        ])
    );
    assert_eq!(plan["relinked"], serde_json::json!(["Chap1", "Uses"]));
    assert!(folio(&lib, &["show", "O'Hara_1999"]).status.success());
    let before = ok(&lib, &["list", "--json"]);
    // The fix: old -> new, links follow, nothing else changes.
    assert_eq!(
        ok(&lib, &["key", "fix", "--all"]),
        "D'Ambrosio2007174 -> DAmbrosio2007174\nO'Hara_1999 -> OHara_1999a\n"
    );
    let chap = ok(&lib, &["show", "Chap1", "--format", "biblatex"]);
    assert!(chap.contains("crossref = {OHara_1999a}"), "{chap}");
    let uses = ok(&lib, &["show", "Uses", "--format", "biblatex"]);
    assert!(
        uses.contains("xdata = {DAmbrosio2007174}") && uses.contains("xdata=DAmbrosio2007174-title"),
        "{uses}"
    );
    assert!(ok(&lib, &["show", "OHara_1999"]).contains("Other"));
    assert!(ok(&lib, &["show", "Fine2020"]).contains("Fine2020"));
    assert!(folio(&lib, &["key", "check"]).status.success());
    let out = folio(
        &lib,
        &["export", "--format", "biblatex", "-o", out_bib.to_str().unwrap()],
    );
    assert!(!String::from_utf8_lossy(&out.stderr).contains("key fix"));
    // Nothing left to fix.
    let out = folio(&lib, &["key", "fix", "--all"]);
    assert!(out.status.success() && out.stdout.is_empty());
    // One undo step restores keys and links.
    let history = ok(&lib, &["history"]);
    assert!(
        history.lines().next().unwrap().contains("Fix citation keys"),
        "{history}"
    );
    ok(&lib, &["undo"]);
    assert_eq!(ok(&lib, &["list", "--json"]), before);
    assert!(ok(&lib, &["show", "Chap1", "--format", "biblatex"]).contains("crossref = {O'Hara_1999}"));
    // Named keys only; a key without a problem is left alone; protected keys need --force.
    let aux = dir.path().join("paper.aux");
    std::fs::write(&aux, "\\citation{O'Hara_1999}\n").unwrap();
    ok(&lib, &["aux", "add", aux.to_str().unwrap()]);
    let out = folio(&lib, &["key", "fix", "O'Hara_1999", "Fine2020"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--force"));
    assert_eq!(
        ok(&lib, &["key", "fix", "O'Hara_1999", "Fine2020", "--force"]),
        "O'Hara_1999 -> OHara_1999a\n"
    );
    assert!(folio(&lib, &["show", "D'Ambrosio2007174"]).status.success());
    assert_eq!(folio(&lib, &["key", "fix", "Missing"]).status.code(), Some(1));
}

#[test]
fn key_fix_and_regenerate_through_the_library() {
    use folio::import::ImportOptions;
    let mut lib = mem();
    let text = "@misc{Smith2020, title = {A}, author = {Smith, A.}, year = {2020}}
@misc{Other, title = {B}, author = {Smith, B.}, year = {2020}}
@misc{Gödel1931, title = {C}, author = {Gödel, K.}, year = {1931}}
@misc{Child, crossref = {smith2020}, title = {D}}
@misc{Child2, crossref = {Smith2020}, title = {E}}
";
    lib.import_text("in.bib", text, &ImportOptions::default()).unwrap();
    // Keys that differ only in case (an import would have renamed one; an edit does not).
    let mut other = lib.get("Other").unwrap();
    other.key = "smith2020".into();
    lib.update(other).unwrap();
    let all: Vec<String> = lib
        .items(&Default::default(), Default::default())
        .unwrap()
        .into_iter()
        .map(|i| i.key)
        .collect();
    let fix = lib.fix_keys(&all, false, false).unwrap();
    // The later of two keys that differ only in case gets a suffix; non-ASCII and spaces go.
    assert_eq!(
        fix.renamed,
        vec![
            ("Gödel1931".to_string(), "Godel1931".to_string()),
            ("smith2020".to_string(), "smith2020a".to_string()),
        ]
    );
    assert_eq!(fix.relinked, vec!["Child".to_string()]);
    assert_eq!(lib.get("Child").unwrap().extra_field("crossref"), Some("{smith2020a}"));
    assert_eq!(lib.get("Child2").unwrap().extra_field("crossref"), Some("{Smith2020}"));
    assert!(lib.key_check().unwrap().is_empty());
    lib.undo().unwrap();
    assert_eq!(lib.get("Child").unwrap().extra_field("crossref"), Some("{smith2020}"));
    // Regenerating a key moves the links to it as well.
    let changed = lib
        .regenerate_keys(&["smith2020".to_string()], Some("[auth:lower][year]x"), false)
        .unwrap();
    assert_eq!(changed, vec![("smith2020".to_string(), "smith2020x".to_string())]);
    assert_eq!(lib.get("Child").unwrap().extra_field("crossref"), Some("{smith2020x}"));
    // So does editing a key.
    let mut it = lib.get("smith2020x").unwrap();
    it.key = "Smith2020b".into();
    lib.update(it).unwrap();
    assert_eq!(lib.get("Child").unwrap().extra_field("crossref"), Some("{Smith2020b}"));
    assert_eq!(lib.get("Child2").unwrap().extra_field("crossref"), Some("{Smith2020}"));
}

#[test]
fn imported_entries_without_keys_get_keys_in_any_script_and_dropped_characters_are_reported() {
    use folio::import::ImportOptions;
    use folio::Severity;
    let mut lib = mem();
    let ris = "TY  - JOUR\nAU  - Иванов, Иван\nPY  - 2019\nTI  - Тест\nER  - \n\n\
               TY  - JOUR\nAU  - 王小明\nPY  - 2020\nTI  - 混凝土\nER  - \n\n\
               TY  - JOUR\nAU  - 🦄\nPY  - 2021\nTI  - Vacant spaces\nER  - \n";
    let report = lib.import_text("in.ris", ris, &ImportOptions::default()).unwrap();
    let file = &report.files[0];
    assert_eq!(file.keys, strings(&["Ivanov2019", "Wang2020", "Vacant2021"]));
    assert_eq!(lib.get("Ivanov2019").unwrap().title, "Тест");
    // Only the emoji author's key is reported, with the character and its code point.
    let notes: Vec<_> = file
        .diagnostics
        .iter()
        .filter(|d| d.message.contains("ASCII"))
        .collect();
    assert_eq!(notes.len(), 1, "{:?}", file.diagnostics);
    assert_eq!(notes[0].severity, Severity::Warning);
    assert!(
        notes[0].message.contains("Vacant2021") && notes[0].message.contains("U+1F984"),
        "{}",
        notes[0].message
    );

    // `key fix` on keys with such characters names them (library API, then the CLI).
    let bib = "@misc{🦄2019, title = {A}, author = {Smith, A.}, year = {2019}}\n\
               @misc{Иванов2019b, title = {B}, author = {Иванов, И.}, year = {2019}}\n";
    lib.import_text("in.bib", bib, &ImportOptions::default()).unwrap();
    let fix = lib.fix_keys(&strings(&["🦄2019", "Иванов2019b"]), false, true).unwrap();
    assert_eq!(
        fix.renamed,
        vec![
            ("Иванов2019b".to_string(), "Ivanov2019b".to_string()),
            ("🦄2019".to_string(), "2019".to_string()),
        ]
    );
    assert_eq!(fix.dropped, vec![("🦄2019".to_string(), vec!['🦄'])]);

    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("lib.sqlite");
    let bib_path = dir.path().join("in.bib");
    std::fs::write(&bib_path, bib).unwrap();
    ok(&path, &["import", bib_path.to_str().unwrap()]);
    let out = folio(&path, &["key", "fix", "--all"]);
    assert!(out.status.success());
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        "Иванов2019b -> Ivanov2019b\n🦄2019 -> 2019\n"
    );
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("🦄2019: the new key leaves out '🦄' (U+1F984)"), "{err}");
}
