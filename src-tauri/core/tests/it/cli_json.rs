//! The shapes of the CLI's `--json` outputs, pinned byte for byte by insta snapshots
//! (`tests/it/snapshots/it__cli_json__*.snap`): a field renamed, added, removed or reordered,
//! or a change in the pretty printing, fails here. Scripts depend on these shapes.
//!
//! One small library is built once from fixed inputs, by a fixed sequence of commands whose
//! `--json` outputs are kept; each test snapshots one of them. Volatile values are replaced
//! before snapshotting: the temporary folder by `[TMP]`, timestamps by `[TIME]`, the schema
//! version by `[SCHEMA]`. The snapshots are checked, never written, under CI (`CI` set); to
//! accept a deliberate change run `cargo insta review` (or `INSTA_UPDATE=always`).

use crate::support::*;
use std::collections::HashMap;
use std::path::Path;
use std::sync::OnceLock;

/// The kept outputs of the fixture, by name (built once; when building fails, the first test
/// to ask shows why and the others say so).
fn outputs() -> &'static HashMap<&'static str, String> {
    static OUT: OnceLock<Option<HashMap<&'static str, String>>> = OnceLock::new();
    OUT.get_or_init(|| std::panic::catch_unwind(build).ok())
        .as_ref()
        .expect("building the fixture failed (see the first failing test)")
}

fn snapshot(name: &'static str) {
    let text = outputs().get(name).unwrap_or_else(|| panic!("no output {name}"));
    insta::assert_snapshot!(name, text);
}

const BIB: &str = r#"@article{Tercer2020,
  title = {A third paper on vacancy},
  author = {Tercero, Ana},
  year = {2020},
  journal = {Urban Studies},
  keywords = {vacancy, co-production}
}

@article{dup,
  title = {The temporary use of vacant spaces},
  author = {Jaspers, Sylke and Steen, Trui},
  year = {2019},
  journal = {International Journal of Public Sector Management},
  volume = {34},
  doi = {10.1108/IJPSM-05-2019-0124}
}

@article{near,
  title = {The Temporary Use of Vacant Spaces},
  author = {Jaspers, S.},
  year = {2019},
  journal = {IJPSM}
}

@article{similar,
  title = {A third paper on vacancies},
  author = {Tercero, Ana},
  year = {2021}
}

@misc{Gone, title = {Gone}}

@book{D'Ambrosio2007,
  title = {Sur l'économie},
  author = {D'Ambrosio, Marco},
  year = {2007}
}

@misc{Uses, title = {Uses}, xdata = {D'Ambrosio2007}}

@article{broken,
  title = {Unclosed
"#;

/// Build the library and run every `--json` command on it, keeping the normalised outputs.
fn build() -> HashMap<&'static str, String> {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let lib = dir.join("lib.sqlite");
    let mut out = HashMap::new();
    let mut keep = |name: &'static str, args: &[&str]| {
        out.insert(name, normalise(&ok(&lib, args), dir));
    };

    ok(&lib, &["collection", "create", "Thesis/Chapter 2"]);
    keep(
        "add",
        &[
            "add",
            "--type",
            "article",
            "--title",
            "The temporary use of vacant spaces",
            "--author",
            "Jaspers, Sylke",
            "--author",
            "Steen, Trui",
            "--editor",
            "{Emerald}",
            "--year",
            "2019",
            "--journal",
            "International Journal of Public Sector Management",
            "--volume",
            "33",
            "--issue",
            "1",
            "--issn",
            "0951-3558",
            "--doi",
            "10.1108/IJPSM-05-2019-0124",
            "--tag",
            "co-production",
            "--access",
            "restricted",
            "--abstract",
            "Purpose To explore. Findings Lasting collaborations.",
            "--field",
            "eprinttype=none",
            "--collection",
            "Thesis/Chapter 2",
            "--json",
        ],
    );
    ok(
        &lib,
        &[
            "add",
            "--title",
            "Second",
            "--author",
            "Steen, Trui",
            "--year",
            "2022",
            "--tag",
            "co-production",
            "--access",
            "open",
        ],
    );
    keep(
        "edit",
        &[
            "edit",
            "Steen2022",
            "--set",
            "pages=1-10",
            "--set",
            "volume=4",
            "--json",
        ],
    );
    let bib = dir.join("in.bib");
    std::fs::write(&bib, BIB).unwrap();
    keep(
        "import",
        &["import", bib.to_str().unwrap(), "--duplicates", "keep", "--json"],
    );
    ok(&lib, &["search", "save", "recent", "year:2020.."]);
    ok(
        &lib,
        &[
            "search",
            "save",
            "chapter",
            "access:restricted",
            "--collection",
            "Thesis",
            "--recursive",
        ],
    );
    let aux = dir.join("paper.aux");
    std::fs::write(&aux, "\\relax\n\\citation{Jaspers2019}\n\\bibdata{refs}\n").unwrap();
    ok(&lib, &["aux", "add", aux.to_str().unwrap()]);
    let refs = dir.join("refs.bib");
    ok(
        &lib,
        &["auto-export", "add", refs.to_str().unwrap(), "--tag", "co-production"],
    );
    ok(&lib, &["delete", "Gone"]);

    keep("show_one", &["show", "Jaspers2019", "--json"]);
    keep("show_many", &["show", "Jaspers2019", "Steen2022", "--json"]);
    keep("list", &["list", "--sort", "key", "--json"]);
    keep("trash", &["trash", "--json"]);
    keep("collection_list", &["collection", "list", "--json"]);
    keep("tag_list", &["tag", "list", "--json"]);
    keep("access_list", &["access", "list", "--json"]);
    keep("search_list", &["search", "list", "--json"]);
    keep("key_protected", &["key", "protected", "--json"]);
    keep("key_fix", &["key", "fix", "--all", "--dry-run", "--json"]);
    keep("duplicates", &["duplicates", "--json"]);
    keep("auto_export_list", &["auto-export", "list", "--json"]);
    keep("info", &["info", "--json"]);
    // `key check` fails (exit 1) when it finds problems, after printing them.
    let check = folio(&lib, &["key", "check", "--json"]);
    assert_eq!(
        check.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&check.stderr)
    );
    out.insert("key_check", normalise(&String::from_utf8(check.stdout).unwrap(), dir));
    let mut keep = |name: &'static str, args: &[&str]| {
        out.insert(name, normalise(&ok(&lib, args), dir));
    };
    keep("merge", &["merge", "Jaspers2019", "dup", "--json"]);
    keep("history", &["history", "--limit", "50", "--json"]);
    out
}

/// Replace the temporary folder, timestamps and the schema version by placeholders.
fn normalise(text: &str, dir: &Path) -> String {
    let mut s = text.to_string();
    for d in [dir.canonicalize().unwrap(), dir.to_path_buf()] {
        s = s.replace(d.to_str().unwrap(), "[TMP]");
    }
    let schema = format!("\"schema_version\": {}", folio::store::schema_version());
    mask_times(&s.replace(&schema, "\"schema_version\": \"[SCHEMA]\""))
}

/// Every `YYYY-MM-DDTHH:MM:SS[.fff][Z]` becomes `[TIME]`.
fn mask_times(s: &str) -> String {
    let b = s.as_bytes();
    let (mut out, mut i, mut last) = (String::with_capacity(s.len()), 0, 0);
    while i < b.len() {
        match time_len(&b[i..]) {
            Some(n) => {
                out.push_str(&s[last..i]);
                out.push_str("[TIME]");
                i += n;
                last = i;
            }
            None => i += 1,
        }
    }
    out.push_str(&s[last..]);
    out
}

fn time_len(b: &[u8]) -> Option<usize> {
    let pat = b"dddd-dd-ddTdd:dd:dd";
    let matches = b.len() >= pat.len()
        && pat
            .iter()
            .zip(b)
            .all(|(p, c)| if *p == b'd' { c.is_ascii_digit() } else { p == c });
    if !matches {
        return None;
    }
    let mut n = pat.len();
    if b.get(n) == Some(&b'.') {
        n += 1;
        while b.get(n).is_some_and(u8::is_ascii_digit) {
            n += 1;
        }
    }
    if b.get(n) == Some(&b'Z') {
        n += 1;
    }
    Some(n)
}

#[test]
fn masks_timestamps() {
    assert_eq!(
        mask_times("\"at\": \"2026-12-06T13:40:51.123Z\", 2019-05-01"),
        "\"at\": \"[TIME]\", 2019-05-01"
    );
}

#[test]
fn add() {
    snapshot("add");
}

#[test]
fn edit() {
    snapshot("edit");
}

#[test]
fn import() {
    snapshot("import");
}

#[test]
fn show_one() {
    snapshot("show_one");
}

#[test]
fn show_many() {
    snapshot("show_many");
}

#[test]
fn list() {
    snapshot("list");
}

#[test]
fn trash() {
    snapshot("trash");
}

#[test]
fn collection_list() {
    snapshot("collection_list");
}

#[test]
fn tag_list() {
    snapshot("tag_list");
}

#[test]
fn access_list() {
    snapshot("access_list");
}

#[test]
fn search_list() {
    snapshot("search_list");
}

#[test]
fn key_protected() {
    snapshot("key_protected");
}

#[test]
fn key_fix() {
    snapshot("key_fix");
}

#[test]
fn key_check() {
    snapshot("key_check");
}

#[test]
fn duplicates() {
    snapshot("duplicates");
}

#[test]
fn merge() {
    snapshot("merge");
}

#[test]
fn auto_export_list() {
    snapshot("auto_export_list");
}

#[test]
fn history() {
    snapshot("history");
}

#[test]
fn info() {
    snapshot("info");
}
