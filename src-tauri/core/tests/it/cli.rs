use crate::support::*;
use serde_json::Value;

fn json(s: &str) -> Value {
    serde_json::from_str(s).unwrap_or_else(|e| panic!("not JSON ({e}): {s}"))
}

#[test]
fn add_show_list_contract() {
    let dir = tempfile::tempdir().unwrap();
    let lib = dir.path().join("lib.sqlite");
    let out = ok(
        &lib,
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
            "--json",
        ],
    );
    let v = json(&out);
    for k in [
        "id",
        "key",
        "type",
        "title",
        "authors",
        "editors",
        "date",
        "year",
        "container",
        "volume",
        "issue",
        "pages",
        "doi",
        "issn",
        "isbn",
        "url",
        "abstract",
        "keywords",
        "access",
        "collections",
        "fields",
    ] {
        assert!(v.get(k).is_some(), "missing {k} in {v}");
    }
    assert_eq!(v["key"], "Jaspers2019");
    assert_eq!(v["authors"][1], serde_json::json!({"family": "Steen", "given": "Trui"}));
    assert_eq!(v["editors"][0], serde_json::json!({"literal": "Emerald"}));
    assert_eq!(v["year"], 2019);
    assert_eq!(
        v["abstract"][1],
        serde_json::json!({"heading": "Findings", "text": "Lasting collaborations."})
    );
    assert_eq!(v["keywords"], serde_json::json!(["co-production"]));
    assert_eq!(v["access"], "restricted");
    assert_eq!(v["fields"]["eprinttype"], "none");

    ok(
        &lib,
        &["add", "--title", "Second", "--author", "Steen, Trui", "--year", "2022"],
    );
    let list = json(&ok(&lib, &["list", "--json", "--sort", "-year"]));
    let keys: Vec<&str> = list
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["key"].as_str().unwrap())
        .collect();
    assert_eq!(keys, ["Steen2022", "Jaspers2019"]);
    let filtered = json(&ok(
        &lib,
        &["list", "--json", "--access", "restricted", "--query", "author:steen"],
    ));
    assert_eq!(filtered.as_array().unwrap().len(), 1);
    assert_eq!(ok(&lib, &["list", "--count", "--tag", "co-production"]).trim(), "1");
    let shown = json(&ok(&lib, &["show", "Jaspers2019", "--json"]));
    assert_eq!(shown["title"], "The temporary use of vacant spaces");
    let text = ok(&lib, &["show", "Jaspers2019"]);
    assert!(text.contains("Findings:") && text.contains("restricted"), "{text}");
}

#[test]
fn collections_tags_access_undo_via_cli() {
    let dir = tempfile::tempdir().unwrap();
    let lib = dir.path().join("lib.sqlite");
    ok(
        &lib,
        &["add", "--title", "A", "--author", "Steen, Trui", "--year", "2019"],
    );
    ok(&lib, &["collection", "create", "Thesis/Chapter 2"]);
    ok(&lib, &["collection", "add", "Thesis/Chapter 2", "Steen2019"]);
    let tree = json(&ok(&lib, &["collection", "list", "--json"]));
    assert_eq!(tree[0]["children"][0]["path"], "Thesis/Chapter 2");
    assert_eq!(tree[0]["children"][0]["items"], 1);
    assert_eq!(
        ok(&lib, &["list", "--count", "--collection", "Thesis", "--recursive"]).trim(),
        "1"
    );
    assert_eq!(ok(&lib, &["list", "--count", "--collection", "Thesis"]).trim(), "0");
    ok(&lib, &["tag", "add", "co-production", "Steen2019"]);
    ok(&lib, &["access", "set", "open", "Steen2019"]);
    let item = json(&ok(&lib, &["show", "Steen2019", "--json"]));
    assert_eq!(item["access"], "open");
    assert_eq!(item["collections"], serde_json::json!(["Thesis/Chapter 2"]));
    ok(&lib, &["undo"]);
    ok(&lib, &["undo"]);
    let item = json(&ok(&lib, &["show", "Steen2019", "--json"]));
    assert_eq!(item["access"], "unknown");
    assert_eq!(item["keywords"], serde_json::json!([]));
    ok(&lib, &["redo"]);
    let hist = json(&ok(&lib, &["history", "--json"]));
    assert_eq!(hist[0]["label"], "Set access of Steen2019 to open");
    assert_eq!(hist[0]["done"], false);
    assert_eq!(hist[1]["done"], true);
    ok(&lib, &["delete", "Steen2019"]);
    assert_eq!(ok(&lib, &["list", "--count"]).trim(), "0");
    assert!(ok(&lib, &["trash"]).contains("Steen2019"));
    ok(&lib, &["restore", "Steen2019"]);
    assert_eq!(ok(&lib, &["list", "--count"]).trim(), "1");
}

#[test]
fn exit_codes_and_errors_leave_the_library_unchanged() {
    let dir = tempfile::tempdir().unwrap();
    let lib = dir.path().join("lib.sqlite");
    ok(
        &lib,
        &[
            "add",
            "--title",
            "A",
            "--author",
            "Steen, Trui",
            "--year",
            "2019",
            "--key",
            "K1",
        ],
    );
    let before = ok(&lib, &["list", "--json"]);
    let cases: &[&[&str]] = &[
        &["add", "--title", "B", "--key", "K1"],
        &["collection", "add", "Nope", "K1"],
        &["list", "--query", "year:abc"],
        &["list", "--query", "\"unclosed"],
        &["tag", "add", "x", "K1", "Missing"],
        &["edit", "K1", "--set", "year=soon"],
        &["show", "Missing"],
        &["import", "/nonexistent/file.bib"],
        &["undo"],
        &["redo"],
    ];
    // The undo succeeds (it undoes the add) and is redone; the redo after it has nothing to redo.
    for (i, args) in cases.iter().enumerate() {
        let out = folio(&lib, args);
        if i == 8 {
            assert!(out.status.success());
            ok(&lib, &["redo"]);
            continue;
        }
        assert_eq!(
            out.status.code(),
            Some(1),
            "{args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.starts_with("folio: error:"), "{args:?}: {err}");
        assert!(!err.contains("panicked"), "{err}");
    }
    assert_eq!(ok(&lib, &["list", "--json"]), before);
    let usage = folio(&lib, &["frobnicate"]);
    assert_eq!(usage.status.code(), Some(2));
    let usage = folio(&lib, &["add", "--access", "closed"]);
    assert_eq!(usage.status.code(), Some(2));
}

#[test]
fn unreadable_or_foreign_library_files_are_clear_errors() {
    let dir = tempfile::tempdir().unwrap();
    let text = dir.path().join("notes.txt");
    std::fs::write(&text, "x".repeat(200)).unwrap();
    let out = folio(&text, &["list"]);
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("notes.txt") && err.contains("not a Folio library"),
        "{err}"
    );
    assert_eq!(std::fs::read_to_string(&text).unwrap(), "x".repeat(200));
    let out = folio(dir.path(), &["list"]);
    assert_eq!(out.status.code(), Some(1));
}

#[test]
fn library_from_the_environment() {
    let dir = tempfile::tempdir().unwrap();
    let lib = dir.path().join("env.sqlite");
    let out = std::process::Command::new(folio_bin())
        .args(["add", "--title", "Env"])
        .env("FOLIO_LIBRARY", &lib)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(lib.exists());
}

#[test]
fn json_export_import_round_trip_and_report() {
    let dir = tempfile::tempdir().unwrap();
    let a = dir.path().join("a.sqlite");
    ok(
        &a,
        &[
            "add",
            "--title",
            "One",
            "--author",
            "Steen, Trui",
            "--year",
            "2019",
            "--tag",
            "t1",
            "--access",
            "free",
        ],
    );
    ok(
        &a,
        &[
            "add",
            "--type",
            "book",
            "--title",
            "Two",
            "--editor",
            "Doe, Jane",
            "--date",
            "2020-05",
        ],
    );
    ok(&a, &["collection", "create", "C/D"]);
    ok(&a, &["collection", "add", "C/D", "Steen2019"]);
    let out = dir.path().join("export.json");
    ok(&a, &["export", "--format", "json", "-o", out.to_str().unwrap()]);
    let b = dir.path().join("b.sqlite");
    let report = json(&ok(&b, &["import", "--json", out.to_str().unwrap()]));
    let f = &report["files"][0];
    assert_eq!(f["format"], "json");
    assert_eq!(f["added"], 2);
    assert_eq!(f["duplicates"], 0);
    assert!(f["diagnostics"].as_array().unwrap().is_empty());
    let strip = |v: Value| -> Value {
        let mut v = v;
        for i in v.as_array_mut().unwrap() {
            let o = i.as_object_mut().unwrap();
            for k in ["id", "date_added", "date_modified"] {
                o.remove(k);
            }
        }
        v
    };
    let la = strip(json(&ok(&a, &["list", "--json", "--sort", "key"])));
    let lb = strip(json(&ok(&b, &["list", "--json", "--sort", "key"])));
    assert_eq!(la, lb);
    // A second export is unchanged, so the file is not rewritten.
    let second = folio(&a, &["export", "--format", "json", "-o", out.to_str().unwrap()]);
    assert!(String::from_utf8_lossy(&second.stderr).contains("(unchanged)"));
}

#[test]
fn import_reports_bad_entries_with_lines_and_keeps_the_rest() {
    let dir = tempfile::tempdir().unwrap();
    let lib = dir.path().join("lib.sqlite");
    let p = dir.path().join("mixed.json");
    std::fs::write(&p, "[\n {\"type\":\"article\",\"title\":\"Good\"},\n {\"type\":\"gizmo\",\"title\":\"Bad\"},\n {\"title\":\"Also good\"}\n]").unwrap();
    let report = json(&ok(&lib, &["import", "--json", p.to_str().unwrap()]));
    let f = &report["files"][0];
    assert_eq!(f["added"], 2);
    assert_eq!(f["diagnostics"][0]["line"], 3);
    assert_eq!(f["diagnostics"][0]["severity"], "error");
    assert!(f["diagnostics"][0]["message"].as_str().unwrap().contains("gizmo"));
    // Binary and empty files: a clear error naming the file, nothing imported.
    let png = dir.path().join("image.png");
    std::fs::write(&png, b"\x89PNG\r\n\x1a\nrest").unwrap();
    let out = folio(&lib, &["import", png.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("image.png") && err.contains("PNG"), "{err}");
    let empty = dir.path().join("empty.bib");
    std::fs::write(&empty, "  \n").unwrap();
    let err = String::from_utf8_lossy(&folio(&lib, &["import", empty.to_str().unwrap()]).stderr).to_string();
    assert!(err.contains("empty.bib") && err.contains("empty"), "{err}");
    assert_eq!(ok(&lib, &["list", "--count"]).trim(), "2");
}

#[test]
fn tag_commands_take_a_selection_or_all_and_never_default_to_everything() {
    let dir = tempfile::tempdir().unwrap();
    let lib = dir.path().join("lib.sqlite");
    ok(
        &lib,
        &[
            "add",
            "--title",
            "Fish ponds",
            "--author",
            "Steen, Trui",
            "--year",
            "2019",
        ],
    );
    ok(
        &lib,
        &[
            "add",
            "--title",
            "Fish farms",
            "--author",
            "Jaspers, Sylke",
            "--year",
            "2020",
        ],
    );
    ok(
        &lib,
        &[
            "add",
            "--title",
            "Vacant spaces",
            "--author",
            "Casiano, Cesar",
            "--year",
            "2021",
        ],
    );
    let out = folio(&lib, &["tag", "add", "fish"]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("name the items"));
    assert_eq!(ok(&lib, &["list", "--count", "--tag", "fish"]).trim(), "0");

    ok(&lib, &["tag", "add", "fish", "--query", "title:fish"]);
    assert_eq!(ok(&lib, &["list", "--count", "--tag", "fish"]).trim(), "2");
    ok(&lib, &["tag", "add", "mine", "--all"]);
    assert_eq!(ok(&lib, &["list", "--count", "--tag", "mine"]).trim(), "3");
    ok(&lib, &["tag", "remove", "mine", "--tag", "fish"]);
    assert_eq!(ok(&lib, &["list", "--count", "-q", "tag:mine"]).trim(), "1");
    // One undo step each.
    ok(&lib, &["undo"]);
    assert_eq!(ok(&lib, &["list", "--count", "--tag", "mine"]).trim(), "3");
    ok(&lib, &["undo"]);
    assert_eq!(ok(&lib, &["list", "--count", "--tag", "mine"]).trim(), "0");
    assert_eq!(ok(&lib, &["list", "--count", "--tag", "fish"]).trim(), "2");
}

/// `import -` reads a pipe as it reads a file: a Latin-1 pipe is decoded as Windows-1252 and
/// said so, a UTF-8 pipe with a stray Latin-1 line gets the warning naming that line.
#[test]
fn a_piped_import_is_decoded_and_reported_like_a_file() {
    use std::io::Write;
    let dir = tempfile::tempdir().unwrap();
    let lib = dir.path().join("lib.sqlite");
    let pipe = |bytes: &[u8]| {
        let mut child = std::process::Command::new(folio_bin())
            .arg("--library")
            .arg(&lib)
            .args(["import", "-"])
            .env_remove("FOLIO_LIBRARY")
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        child.stdin.take().unwrap().write_all(bytes).unwrap();
        let out = child.wait_with_output().unwrap();
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        String::from_utf8_lossy(&out.stderr).into_owned()
    };
    let said = pipe(b"@article{a, title={Caf\xe9 society}, author={Doe, J}, year=2000}\n");
    assert!(said.contains("-: bibtex (windows-1252): 1 added"), "{said}");
    let said = pipe(b"@article{b, title={Caf\xc3\xa9}, author={Roe, J}, year=2001}\n@article{c, title={Caf\xe9 c}, author={Poe, J}, year=2002}\n");
    assert!(
        said.contains("-:2: warning: the file is UTF-8 but 1 line(s) are not"),
        "{said}"
    );
    let titles = ok(&lib, &["list", "--json"]);
    assert!(titles.contains("Café society") && titles.contains("Café c"), "{titles}");
}
