//! CSL-JSON, CSL-YAML and Hayagriva YAML against the real counterparts (issue 25, part 5):
//! pandoc (Debian package `pandoc`) renders every exported corpus item with `--citeproc`
//! and no warning; CSL-JSON and CSL-YAML that pandoc itself wrote come back from Folio the
//! same on the variables CSL defines; hayagriva reads Folio's Hayagriva YAML; the CLI.
//!
//! Pandoc's warnings are all failures: with `--citeproc` it warns about a citation it cannot
//! find (`[WARNING] Citeproc: citation K not found`: an item it could not read), a bibliography
//! it cannot parse (an error and exit status 1), or a date or name it cannot read. No
//! warning kind is tolerated; each rendered reference (`id="ref-…"` in the HTML) is counted.

use crate::support::{corpus, ok};
use folio::export::{ExportOptions, Selection};
use folio::format::Format;
use folio::import::{DuplicatePolicy, ImportOptions};
use folio::Library;
use serde_json::Value;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

fn pandoc() -> &'static str {
    let ok = Command::new("pandoc")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    assert!(
        ok,
        "pandoc not found: install the Debian package `pandoc` (apt-get install pandoc)"
    );
    "pandoc"
}

fn files(dir: &str, ext: &str) -> Vec<PathBuf> {
    let d = corpus().join("public").join(dir);
    let mut v: Vec<PathBuf> = std::fs::read_dir(&d)
        .unwrap_or_else(|e| panic!("{}: {e}", d.display()))
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_file() && p.extension().is_some_and(|e| e == ext))
        .collect();
    v.sort();
    v
}

fn export(lib: &Library, format: Format) -> String {
    let opts = ExportOptions {
        format,
        ..Default::default()
    };
    lib.export_text(&Selection::default(), &opts).expect("export").0
}

/// Pandoc with `--citeproc` over a document citing every item of `bib`: its stderr and the
/// number of references it rendered.
fn render(dir: &Path, bib: &Path) -> (String, usize) {
    let doc = dir.join("doc.md");
    std::fs::write(&doc, "---\nnocite: '@*'\n---\n\nEvery reference.\n").unwrap();
    let out = Command::new(pandoc())
        .args(PANDOC_HEAP)
        .arg("--citeproc")
        .arg(format!("--bibliography={}", bib.display()))
        .args(["-t", "html"])
        .arg(&doc)
        .output()
        .expect("run pandoc");
    let mut err = String::from_utf8_lossy(&out.stderr).into_owned();
    if !out.status.success() {
        err.push_str(&format!("\n(pandoc exit status {:?})", out.status.code()));
    }
    let html = String::from_utf8_lossy(&out.stdout);
    (err, html.matches("id=\"ref-").count())
}

/// Every public corpus BibTeX and RIS file, imported into a fresh library and exported as
/// CSL-JSON and CSL-YAML: pandoc renders each item, without a warning.
#[test]
fn pandoc_renders_every_corpus_export_without_warnings() {
    let dir = tempfile::tempdir().unwrap();
    let mut problems = Vec::new();
    let (mut checked, mut items) = (0, 0);
    for path in files("bibtex", "bib").into_iter().chain(files("ris", "ris")) {
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        let mut lib = Library::open_in_memory().unwrap();
        if lib
            .import_files(std::slice::from_ref(&path), &ImportOptions::default(), &mut |_| {})
            .is_err()
        {
            // The import's own tests own files Folio refuses (a binary or empty file).
            continue;
        }
        let n = lib.count(&Default::default()).unwrap() as usize;
        if n == 0 {
            continue;
        }
        for (format, ext) in [(Format::CslJson, "json"), (Format::CslYaml, "yaml")] {
            let file = dir.path().join(format!("export.{ext}"));
            std::fs::write(&file, export(&lib, format)).unwrap();
            let (err, rendered) = render(dir.path(), &file);
            if !err.trim().is_empty() {
                problems.push(format!("{name} ({ext}): pandoc says: {}", err.trim()));
            }
            if rendered != n {
                problems.push(format!(
                    "{name} ({ext}): {n} items exported, pandoc rendered {rendered}"
                ));
            }
            checked += 1;
        }
        items += n;
    }
    eprintln!("pandoc --citeproc: {checked} exports of {items} items");
    assert!(checked > 100, "only {checked} exports checked");
    assert!(
        problems.is_empty(),
        "{} problem(s):\n{}",
        problems.len(),
        problems.join("\n")
    );
}

/// Whether a (normalised) date says nothing: `{"date-parts": []}` or year 0 (pandoc's reading
/// of an empty or unparsable BibTeX date). Folio leaves such a date out.
fn is_no_date(v: &Value) -> bool {
    let Some(o) = v.as_object() else { return false };
    o.len() == 1
        && o.get("date-parts")
            .and_then(Value::as_array)
            .is_some_and(|p| p.is_empty() || p.iter().all(|d| d.get(0).is_some_and(|y| y == "0" || y == "")))
}

/// A date's parts without a month no calendar has (pandoc passes `month = 13` on), and what
/// follows it.
fn valid_parts(v: Value) -> Value {
    let Value::Object(mut o) = v else { return v };
    if let Some(Value::Array(parts)) = o.get_mut("date-parts") {
        for d in parts.iter_mut() {
            if let Value::Array(d) = d {
                let bad = d.get(1).and_then(Value::as_str).and_then(|m| m.parse::<u32>().ok());
                if bad.is_some_and(|m| !(1..=12).contains(&m)) {
                    d.truncate(1);
                }
            }
        }
    }
    Value::Object(o)
}

/// The comparison's normalisations, none of which changes what a CSL processor reads: key
/// order (objects compared as sorted maps), whitespace in text (runs collapsed, ends trimmed),
/// numbers as text (`"volume": 3` = `"3"`), a date that says nothing as no date, a keyword
/// list as its keywords joined with ", " in lower case (Folio keeps keywords as tags, and the
/// tags of one library share one spelling whatever case a later file uses), and an empty or missing type as `document` (pandoc writes
/// BibTeX's @misc with an empty type; Folio writes CSL 1.0.2's generic type).
fn normalise(v: &Value) -> Value {
    match v {
        Value::String(s) => Value::String(s.split_whitespace().collect::<Vec<_>>().join(" ")),
        Value::Number(n) => Value::String(n.to_string()),
        Value::Array(a) => Value::Array(a.iter().map(normalise).collect()),
        Value::Object(o) => {
            let mut m: BTreeMap<String, Value> = BTreeMap::new();
            for (k, x) in o {
                let x = match (k.as_str(), x) {
                    ("keyword", Value::String(s)) => {
                        Value::String(folio::model::split_keywords(s).join(", ").to_lowercase())
                    }
                    // Pandoc reads its own unquoted YAML `page: 033626` as the number 33626.
                    ("page" | "volume" | "issue" | "number", Value::String(s))
                        if s.len() > 1 && s.bytes().all(|b| b.is_ascii_digit()) =>
                    {
                        Value::String(s.trim_start_matches('0').to_string())
                    }
                    ("issued" | "accessed" | "original-date" | "event-date", _) => valid_parts(normalise(x)),
                    _ => normalise(x),
                };
                if is_no_date(&x) || x == "" {
                    continue;
                }
                m.insert(k.clone(), x);
            }
            if m.get("type").is_none_or(|t| t == "") && m.contains_key("id") {
                m.insert("type".into(), Value::String("document".into()));
            }
            Value::Object(m.into_iter().collect())
        }
        other => other.clone(),
    }
}

/// Items by id.
fn by_id(list: &Value) -> BTreeMap<String, Value> {
    list.as_array()
        .expect("an array of items")
        .iter()
        .map(|i| (i["id"].as_str().unwrap_or_default().to_string(), normalise(i)))
        .collect()
}

/// CSL-JSON (or CSL-YAML) through a fresh library and back; the differences by item and
/// variable. Items whose id Folio had to change (duplicates in the file, ids that are no
/// citation key) are counted, not compared.
fn through_folio(name: &str, text: &str, format: Format) -> String {
    let mut lib = Library::open_in_memory().unwrap();
    let opts = ImportOptions {
        format: Some(format),
        duplicates: DuplicatePolicy::Keep,
        ..Default::default()
    };
    lib.import_text(name, text, &opts).expect("import");
    export(&lib, format)
}

fn compare(name: &str, before: &Value, after: &Value, diffs: &mut Vec<String>) -> usize {
    let (a, b) = (by_id(before), by_id(after));
    let mut compared = 0;
    for (id, x) in &a {
        let Some(y) = b.get(id) else { continue };
        compared += 1;
        let (xo, yo) = (x.as_object().unwrap(), y.as_object().unwrap());
        for k in xo.keys().chain(yo.keys()).collect::<std::collections::BTreeSet<_>>() {
            if xo.get(k) != yo.get(k) {
                diffs.push(format!(
                    "{name} {id} {k}: pandoc {} / folio {}",
                    xo.get(k).map_or("-".into(), |v| v.to_string()),
                    yo.get(k).map_or("-".into(), |v| v.to_string())
                ));
            }
        }
    }
    compared
}

/// Pandoc's heap limit (GHC's runtime option): on biber's xdata file pandoc 2.17 otherwise
/// grows past 10 GB and takes the machine's memory from everything else.
const PANDOC_HEAP: [&str; 3] = ["+RTS", "-M2g", "-RTS"];

/// Pandoc's CSL-JSON of each public corpus BibTeX file (file name, JSON or `None` when pandoc
/// cannot read it), converted once for the tests that compare with it.
fn pandoc_csl_of_corpus() -> &'static [(String, Option<String>)] {
    static DONE: std::sync::OnceLock<Vec<(String, Option<String>)>> = std::sync::OnceLock::new();
    DONE.get_or_init(|| {
        files("bibtex", "bib")
            .into_iter()
            .map(|path| {
                let name = path.file_name().unwrap().to_string_lossy().into_owned();
                (name, pandoc_convert(&path, "biblatex", "csljson"))
            })
            .collect()
    })
}

/// Pandoc's conversion of a file, or `None` when pandoc fails or is still at it after ten
/// seconds (pandoc follows the crossref cycles of `bibtexparser-v1__crossref_cascading_cycle.bib`
/// and `biber__crossrefs.bib` and biber's xdata file until it runs out of memory; the largest
/// corpus file it reads takes it 2.5 s).
fn pandoc_convert(input: &Path, from: &str, to: &str) -> Option<String> {
    let dir = tempfile::tempdir().unwrap();
    let out_path = dir.path().join("out");
    let mut child = Command::new(pandoc())
        .args(PANDOC_HEAP)
        .args(["-f", from, "-t", to, "-s", "-o"])
        .arg(&out_path)
        .arg(input)
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("run pandoc");
    for _ in 0..200 {
        if let Some(status) = child.try_wait().expect("wait for pandoc") {
            return status
                .success()
                .then(|| std::fs::read_to_string(&out_path).unwrap_or_default());
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    let _ = child.kill();
    let _ = child.wait();
    None
}

/// CSL-JSON that pandoc wrote from each corpus BibTeX file → Folio → CSL-JSON is the same on
/// every CSL variable (after [`normalise`]).
#[test]
fn csl_json_from_pandoc_comes_back_the_same() {
    let mut diffs = Vec::new();
    let (mut files_done, mut compared, mut unread) = (0, 0, Vec::new());
    for (name, json) in pandoc_csl_of_corpus() {
        let Some(json) = json else {
            unread.push(name);
            continue;
        };
        let before: Value = serde_json::from_str(json).expect("pandoc's CSL-JSON");
        if before.as_array().is_none_or(|a| a.is_empty()) {
            continue;
        }
        let out = through_folio(name, json, Format::CslJson);
        let after: Value = serde_json::from_str(&out).expect("Folio's CSL-JSON");
        compared += compare(name, &before, &after, &mut diffs);
        files_done += 1;
    }
    eprintln!("CSL-JSON identity: {compared} items of {files_done} files; pandoc could not read {unread:?}");
    assert!(compared > 500, "only {compared} items compared");
    assert!(diffs.is_empty(), "{} difference(s):\n{}", diffs.len(), diffs.join("\n"));
}

/// CSL-YAML written by Folio reads the same to pandoc as the CSL-JSON it came from: pandoc's
/// CSL-JSON of each corpus BibTeX file → Folio → CSL-YAML → pandoc's CSL-JSON is the identity
/// (so Folio's Markdown escapes keep every character as it was, smart punctuation included),
/// and Folio reading its own CSL-YAML back writes the same CSL-JSON again.
#[test]
fn csl_yaml_reads_the_same_to_pandoc() {
    let dir = tempfile::tempdir().unwrap();
    let mut diffs = Vec::new();
    let (mut files_done, mut compared) = (0, 0);
    for (name, json) in pandoc_csl_of_corpus() {
        let Some(json) = json else {
            continue;
        };
        let before: Value = serde_json::from_str(json).expect("pandoc's CSL-JSON");
        if before.as_array().is_none_or(|a| a.is_empty()) {
            continue;
        }
        let mut lib = Library::open_in_memory().unwrap();
        let opts = ImportOptions {
            format: Some(Format::CslJson),
            duplicates: DuplicatePolicy::Keep,
            ..Default::default()
        };
        lib.import_text(name, json, &opts).expect("import");
        let yaml = export(&lib, Format::CslYaml);
        let folio_json = export(&lib, Format::CslJson);
        let md = dir.path().join("folio.md");
        std::fs::write(&md, format!("{yaml}\n")).unwrap();
        let Some(after) = pandoc_convert(&md, "markdown", "csljson") else {
            diffs.push(format!("{name}: pandoc cannot read Folio's CSL-YAML"));
            continue;
        };
        let after: Value = serde_json::from_str(&after).expect("pandoc's CSL-JSON of Folio's YAML");
        compared += compare(name, &before, &after, &mut diffs);
        // Folio reads its own YAML back to the same items.
        let mut again = Library::open_in_memory().unwrap();
        let opts = ImportOptions {
            format: Some(Format::CslYaml),
            duplicates: DuplicatePolicy::Keep,
            ..Default::default()
        };
        again.import_text(name, &yaml, &opts).expect("import Folio's YAML");
        let (x, y): (Value, Value) = (
            serde_json::from_str(&folio_json).unwrap(),
            serde_json::from_str(&export(&again, Format::CslJson)).unwrap(),
        );
        compare(&format!("{name} (Folio's YAML read back)"), &x, &y, &mut diffs);
        files_done += 1;
    }
    eprintln!("CSL-YAML identity: {compared} items of {files_done} files");
    assert!(compared > 500, "only {compared} items compared");
    assert!(diffs.is_empty(), "{} difference(s):\n{}", diffs.len(), diffs.join("\n"));
}

/// One bad item of a CSL-JSON file costs only that item in a real import, named in the report.
#[test]
fn one_bad_csl_item_does_not_reject_the_file() {
    let mut lib = Library::open_in_memory().unwrap();
    let text = "[\n{\"id\": \"good\", \"type\": \"book\", \"title\": \"Good\"},\n{\"id\": \"bad\", \"title\": {\"x\": 1}},\n{\"id\": \"also\", \"title\": \"Also\"}\n]";
    let r = lib.import_text("x.json", text, &ImportOptions::default()).unwrap();
    assert_eq!(r.files[0].format, Format::CslJson);
    assert_eq!(lib.count(&Default::default()).unwrap(), 2);
    let d = &r.files[0].diagnostics;
    assert!(
        d.iter()
            .any(|d| d.line == Some(3) && d.message.contains("item 2 (bad): \"title\"")),
        "{d:?}"
    );
}

/// The CLI: `export --format csljson|cslyaml|hayagriva`, and `import` of a CSL-JSON file with
/// a `.json` name (told from Folio's JSON by its content). The Hayagriva file is read back by
/// hayagriva (typst's reader) with every key.
#[test]
fn cli_exports_and_imports_csl() {
    let dir = tempfile::tempdir().unwrap();
    let lib = dir.path().join("lib.sqlite");
    let src = corpus().join("public/bibtex/biblatex__biblatex-examples.bib");
    ok(&lib, &["import", src.to_str().unwrap()]);
    let json = ok(&lib, &["export", "--format", "csljson"]);
    let v: Value = serde_json::from_str(&json).unwrap();
    let keys: Vec<String> = v
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["id"].as_str().unwrap().to_string())
        .collect();
    assert!(keys.len() > 50 && keys.contains(&"vangennep".to_string()), "{keys:?}");
    let yaml = ok(&lib, &["export", "--format", "cslyaml"]);
    assert!(yaml.starts_with("---\nreferences:\n- id: "), "{}", &yaml[..100]);
    let hay = ok(&lib, &["export", "--format", "hayagriva"]);
    let read = hayagriva::io::from_yaml_str(&hay).expect("hayagriva reads Folio's Hayagriva YAML");
    let mut hkeys: Vec<&str> = read.keys().collect();
    hkeys.sort();
    let mut want: Vec<&str> = keys.iter().map(String::as_str).collect();
    want.sort();
    assert_eq!(hkeys, want);
    // Import: the CSL-JSON into a second library, detected from the content of a .json file.
    let file = dir.path().join("x.json");
    std::fs::write(&file, &json).unwrap();
    let lib2 = dir.path().join("lib2.sqlite");
    let out = ok(&lib2, &["import", file.to_str().unwrap(), "--json"]);
    let report: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(report["files"][0]["format"], "csljson", "{report}");
    let again: Value = serde_json::from_str(&ok(&lib2, &["export", "--format", "csljson"])).unwrap();
    // The same items and variables (a kept field may come in another place among them).
    assert_eq!(again, v, "CSL-JSON → Folio → CSL-JSON");
}
