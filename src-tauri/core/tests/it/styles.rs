//! Custom CSL styles through the CLI: `folio cite --style NAME|FILE.csl` and `folio styles`.

use crate::support::*;

/// A style of our own: its output cannot come from any bundled style.
const MINE: &str = r#"<?xml version="1.0" encoding="utf-8"?>
<style xmlns="http://purl.org/net/xbiblio/csl" class="in-text" version="1.0" default-locale="de-DE">
  <info><title>CLI test</title><id>http://example.org/cli-test</id><updated>2026-01-01T00:00:00+00:00</updated></info>
  <citation><layout prefix="{" suffix="}"><names variable="author"><name form="short" and="text"/></names></layout></citation>
  <bibliography><layout><text value="MINE: "/><text variable="title" text-case="uppercase"/><text value=", "/><group delimiter=" "><text term="page" form="short"/><text variable="page"/></group></layout></bibliography>
</style>"#;

#[test]
fn cite_with_a_csl_file_a_bundled_style_and_errors() {
    let dir = tempfile::tempdir().unwrap();
    let lib = jaspers_library(dir.path());
    let csl = dir.path().join("mine.csl");
    std::fs::write(&csl, MINE).unwrap();
    let key = "Jaspers2019";
    // The file's own layout, with its default-locale's terms (German "S." for pages).
    let out = ok(&lib, &["cite", key, "--style", csl.to_str().unwrap()]);
    assert_eq!(out.trim(), "MINE: THE TEMPORARY USE OF VACANT SPACES, S. 1–10");
    let out = ok(&lib, &["cite", key, "--style", csl.to_str().unwrap(), "--in-text"]);
    assert_eq!(out.trim(), "{Jaspers und Steen}");
    // A bundled style by name and by Zotero id give the same.
    let a = ok(&lib, &["cite", key, "--style", "vancouver"]);
    let b = ok(
        &lib,
        &[
            "cite",
            key,
            "--style",
            "http://www.zotero.org/styles/nlm-citation-sequence",
        ],
    );
    assert_eq!(a, b);
    assert!(a.starts_with("1. "), "{a}");

    // Errors: exit code 2 (a bad argument), the reason on stderr.
    for (style, want) in [
        ("natur".to_string(), "nature"),
        (dir.path().join("none.csl").display().to_string(), "none.csl"),
    ] {
        let out = folio(&lib, &["cite", key, "--style", &style]);
        assert!(!out.status.success());
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains(want), "{style}: {err}");
    }
    let broken = dir.path().join("broken.csl");
    std::fs::write(&broken, &MINE[..MINE.len() / 2]).unwrap();
    let out = folio(&lib, &["cite", key, "--style", broken.to_str().unwrap()]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        !out.status.success() && err.contains("broken.csl") && err.contains("not valid CSL"),
        "{err}"
    );
}

#[test]
fn styles_lists_every_bundled_style_without_a_library() {
    let dir = tempfile::tempdir().unwrap();
    let lib = dir.path().join("never-created.sqlite");
    let out = ok(&lib, &["styles"]);
    assert!(!lib.exists(), "listing styles must not create a library");
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines.len(), folio::cite::bundled_styles().len());
    // Every listed name works with `cite --style`'s resolver.
    for l in &lines {
        let (name, title) = l.split_once('\t').unwrap_or_else(|| panic!("{l}"));
        assert!(!title.is_empty(), "{l}");
        folio::cite::CslStyle::resolve(name).unwrap_or_else(|e| panic!("{name}: {e}"));
    }
    assert!(lines.iter().any(|l| l.starts_with("nature\t")), "{out}");
    assert!(
        lines
            .iter()
            .any(|l| l.starts_with("nlm-citation-sequence\t") && l.contains("vancouver")),
        "{out}"
    );
}
