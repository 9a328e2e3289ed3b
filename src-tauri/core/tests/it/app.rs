//! The application layer (`folio::app`) that every front end calls: selections, saved
//! searches, a paper's citations, the after-action sync, and its structured errors.

use crate::support::*;
use folio::app::{self, CollectionRef, FilterSpec, Target};
use folio::auto_export::{AutoExport, Scope};
use folio::export::ExportOptions;
use folio::format::Format;
use folio::model::AccessStatus;
use folio::store::search::Filter;
use folio::{Error, Library};

fn three() -> Library {
    let mut lib = mem();
    for (t, a, y) in [
        ("Co-production of public services", "Steen, Trui", 2019),
        ("Vacant spaces", "Jaspers, Sylke", 2020),
        ("Integrated public service", "Flores, Cesar", 2022),
    ] {
        let mut it = article(t, &[a], y);
        it.key = format!("{}{y}", a.split(',').next().unwrap().to_lowercase());
        lib.add(it).unwrap();
    }
    lib
}

#[test]
fn a_filter_from_its_parts() {
    let mut lib = three();
    lib.collection_create("Thesis/Ch2").unwrap();
    lib.collection_add("Thesis/Ch2", &strings(&["steen2019"])).unwrap();
    lib.tag_add("reviewed", &strings(&["steen2019", "flores2022"])).unwrap();
    lib.access_set(AccessStatus::Open, &strings(&["flores2022"])).unwrap();
    let keys_of = |lib: &Library, spec: FilterSpec| -> Vec<String> {
        let f = app::filter(lib, &spec).unwrap();
        let mut k = app::filter_keys(lib, &f, Default::default()).unwrap();
        k.sort();
        k
    };
    assert_eq!(keys_of(&lib, FilterSpec::default()).len(), 3);
    let thesis = FilterSpec {
        collection: Some(CollectionRef::Path("Thesis".into())),
        recursive: true,
        ..Default::default()
    };
    assert_eq!(keys_of(&lib, thesis), ["steen2019"]);
    let id = lib.resolve_collection("Thesis/Ch2").unwrap();
    let by_id = FilterSpec {
        collection: Some(CollectionRef::Id(id)),
        ..Default::default()
    };
    assert_eq!(keys_of(&lib, by_id), ["steen2019"]);
    let tagged_open = FilterSpec {
        tags: strings(&["reviewed"]),
        access: vec![AccessStatus::Open],
        ..Default::default()
    };
    assert_eq!(keys_of(&lib, tagged_open), ["flores2022"]);
    let query = FilterSpec {
        query: "year:2020..".into(),
        unfiled: true,
        ..Default::default()
    };
    assert_eq!(keys_of(&lib, query), ["flores2022", "jaspers2020"]);

    // Errors name what is wrong.
    let bad = FilterSpec {
        query: "title:\"open".into(),
        ..Default::default()
    };
    match app::filter(&lib, &bad).unwrap_err() {
        Error::InvalidQuery { query, message } => {
            assert_eq!(query, "title:\"open");
            assert!(message.contains("quote"), "{message}");
        }
        e => panic!("{e:?}"),
    }
    let recursive_alone = FilterSpec {
        recursive: true,
        ..Default::default()
    };
    assert_eq!(app::filter(&lib, &recursive_alone).unwrap_err().code(), "invalid-input");
    app::save_search(&mut lib, "In thesis", "year:2019", Some("Thesis"), true).unwrap();
    let twice = FilterSpec {
        saved: Some("In thesis".into()),
        collection: Some(CollectionRef::Path("Thesis".into())),
        ..Default::default()
    };
    assert!(app::filter(&lib, &twice)
        .unwrap_err()
        .to_string()
        .contains("already scoped"));
    let saved = FilterSpec {
        saved: Some("In thesis".into()),
        ..Default::default()
    };
    assert_eq!(keys_of(&lib, saved), ["steen2019"]);
}

#[test]
fn targets_name_keys_or_filters_never_nothing() {
    let lib = three();
    assert!(matches!(
        app::resolve(&lib, &Target::default()),
        Err(Error::NothingSelected)
    ));
    assert_eq!(
        app::resolve(&lib, &Target::keys(strings(&["steen2019"]))).unwrap(),
        ["steen2019"]
    );
    assert_eq!(app::resolve(&lib, &Target::all()).unwrap().len(), 3);
    let both = Target {
        keys: strings(&["steen2019"]),
        filter: Some(Filter::default()),
    };
    let k = app::resolve(&lib, &both).unwrap();
    assert_eq!(k[0], "steen2019");
    assert_eq!(k.len(), 3, "a named key is not repeated: {k:?}");
}

#[test]
fn saving_a_search_needs_a_name_and_a_query_that_parses() {
    let mut lib = three();
    assert!(matches!(
        app::save_search(&mut lib, "x", "   ", None, false),
        Err(Error::EmptySearch)
    ));
    assert_eq!(
        app::save_search(&mut lib, "x", "", None, false).unwrap_err().code(),
        "invalid-input"
    );
    assert!(matches!(
        app::save_search(&mut lib, "x", "title:\"open", None, false),
        Err(Error::InvalidQuery { .. })
    ));
    assert_eq!(
        app::save_search(&mut lib, " ", "steen", None, false)
            .unwrap_err()
            .code(),
        "invalid-input"
    );
    assert!(lib.saved_searches().unwrap().is_empty(), "nothing was saved");
    app::save_search(&mut lib, "Recent", "  year:2020..  ", None, false).unwrap();
    let s = lib.saved_searches().unwrap();
    assert_eq!((s[0].name.as_str(), s[0].query.as_str()), ("Recent", "year:2020.."));
}

#[test]
fn a_papers_citations_by_its_tex_or_aux() {
    let dir = tempfile::tempdir().unwrap();
    let mut lib = three();
    let tex = dir.path().join("paper.tex");
    std::fs::write(&tex, "\\cite{steen2019}").unwrap();
    match app::cited(&lib, &tex).unwrap_err() {
        Error::NoAux { tex: t } => assert_eq!(t, tex),
        e => panic!("{e:?}"),
    }
    let aux = dir.path().join("paper.aux");
    std::fs::write(&aux, "\\relax\n\\citation{steen2019}\n\\citation{nobody1900}\n").unwrap();
    let c = app::cited(&lib, &tex).unwrap();
    assert_eq!(c.aux, aux);
    assert_eq!(
        (c.keys, c.missing, c.registered),
        (strings(&["steen2019"]), strings(&["nobody1900"]), false)
    );

    let opts = ExportOptions {
        format: Format::Biblatex,
        ..Default::default()
    };
    let out = dir.path().join("paper.bib");
    let r = app::export_cited(&mut lib, &tex, &opts, Some(&out), true).unwrap();
    assert_eq!(r.report.items, 1);
    assert_eq!(r.missing, ["nobody1900"]);
    assert!(r.registered && r.text.is_none());
    let bib = std::fs::read_to_string(&out).unwrap();
    assert!(
        bib.contains("@article{steen2019,") && !bib.contains("jaspers2020"),
        "{bib}"
    );
    assert!(app::cited(&lib, &aux).unwrap().registered);

    // The key is protected now: the error carries the key and why, as data.
    match lib
        .edit("steen2019", &[("key".into(), "steen2019x".into())], false)
        .unwrap_err()
    {
        Error::ProtectedKeys(keys) => {
            assert_eq!(keys.len(), 1);
            assert_eq!(keys[0].key, "steen2019");
            assert!(keys[0].reason.contains("paper.aux"), "{}", keys[0].reason);
        }
        e => panic!("{e:?}"),
    }

    // As text, without registering.
    let other = dir.path().join("other.aux");
    std::fs::write(&other, "\\citation{flores2022}\n").unwrap();
    let r = app::export_cited(&mut lib, &other, &opts, None, false).unwrap();
    assert!(r.text.as_deref().unwrap().contains("flores2022"));
    assert!(!r.registered);
    // Citing nothing the library has: an error, and nothing registered.
    let none = dir.path().join("none.aux");
    std::fs::write(&none, "\\citation{nobody1900}\n").unwrap();
    let before = lib.aux_files().unwrap();
    match app::export_cited(&mut lib, &none, &opts, Some(&out), true).unwrap_err() {
        Error::NothingCited { aux } => assert_eq!(aux, none),
        e => panic!("{e:?}"),
    }
    assert_eq!(lib.aux_files().unwrap(), before);
}

#[test]
fn after_an_action_auto_exports_follow_and_failures_are_reported() {
    let dir = tempfile::tempdir().unwrap();
    let mut lib = Library::open(&dir.path().join("lib.sqlite")).unwrap();
    lib.add(article("First", &["Steen, Trui"], 2019)).unwrap();
    let target = dir.path().join("all.bib");
    lib.auto_export_add(AutoExport {
        path: target.display().to_string(),
        format: "bibtex".into(),
        scope: Scope::Library,
        ascii: None,
        omit_fields: Vec::new(),
    })
    .unwrap();
    // Nothing changed since: nothing to do.
    let s = app::after_action(&mut lib);
    assert!(s.warnings().is_empty() && s.error.is_none());
    lib.add(article("Second", &["Jaspers, Sylke"], 2020)).unwrap();
    let s = app::after_action(&mut lib);
    assert!(s.results.iter().any(|r| r.written && r.items == 2), "{:?}", s.results);
    assert!(std::fs::read_to_string(&target).unwrap().contains("Second"));
    // A target that cannot be written: the action stands, the warning says which file.
    std::fs::remove_file(&target).unwrap();
    std::fs::create_dir(&target).unwrap();
    lib.add(article("Third", &["Flores, Cesar"], 2022)).unwrap();
    let w = app::after_action(&mut lib).warnings();
    assert_eq!(w.len(), 1, "{w:?}");
    assert!(
        w[0].starts_with(&format!("auto-export {} failed", target.display())),
        "{w:?}"
    );
    assert_eq!(lib.count(&Filter::default()).unwrap(), 3);
}

#[test]
fn cite_commands_and_formatted_references() {
    let lib = three();
    let keys = strings(&["steen2019", "jaspers2020"]);
    assert_eq!(
        app::cite_command("citep", &keys).unwrap(),
        "\\citep{steen2019,jaspers2020}"
    );
    assert_eq!(
        app::cite_command("\\textcite*", &keys[..1]).unwrap(),
        "\\textcite*{steen2019}"
    );
    for bad in ["", "\\", "cite{x}", "ci te", "cite*x", "**"] {
        assert_eq!(
            app::cite_command(bad, &keys).unwrap_err().code(),
            "invalid-input",
            "{bad:?}"
        );
    }
    assert!(matches!(app::cite_command("cite", &[]), Err(Error::NothingSelected)));
    let refs = app::references(&lib, &keys, &folio::cite::CiteStyle::Apa.into()).unwrap();
    assert_eq!(refs.len(), 2);
    assert!(refs[0].starts_with("Steen, T."), "{refs:?}");
    let c = app::citation(&lib, &keys, &folio::cite::CiteStyle::Apa.into()).unwrap();
    assert!(c.contains("Steen") && c.contains("Jaspers"), "{c}");
    assert_eq!(
        app::references(&lib, &strings(&["nobody"]), &folio::cite::CiteStyle::Ieee.into())
            .unwrap_err()
            .code(),
        "not-found"
    );
}

/// Issue 21's drift, through the CLI: the same rules as the app's commands, because both call
/// `folio::app`.
#[test]
fn the_cli_follows_the_same_rules_as_the_app() {
    let dir = tempfile::tempdir().unwrap();
    let lib = dir.path().join("lib.sqlite");
    ok(
        &lib,
        &[
            "add",
            "--title",
            "A study",
            "--author",
            "Steen, Trui",
            "--year",
            "2019",
            "--key",
            "Steen2019",
        ],
    );
    // A saved search needs a query (the app refused an empty one; the CLI saved it).
    let out = folio(&lib, &["search", "save", "x", ""]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("type a search first"));
    let out = folio(&lib, &["search", "save", "x", "title:\"open"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("invalid search"));
    assert_eq!(ok(&lib, &["search", "list"]), "");
    // A .tex stands for the .aux beside it (only the app knew that).
    let tex = dir.path().join("paper.tex");
    std::fs::write(&tex, "\\cite{Steen2019}").unwrap();
    let out = folio(&lib, &["export", "--aux", tex.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("has no .aux file beside it"));
    std::fs::write(
        dir.path().join("paper.aux"),
        "\\citation{Steen2019}\n\\citation{Gone2000}\n",
    )
    .unwrap();
    let bib = dir.path().join("paper.bib");
    let out = folio(
        &lib,
        &["export", "--aux", tex.to_str().unwrap(), "-o", bib.to_str().unwrap()],
    );
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("cites Gone2000, which is not in the library"), "{err}");
    assert!(std::fs::read_to_string(&bib).unwrap().contains("Steen2019"));
    // ... and registers the .aux (not the .tex).
    let registered = ok(&lib, &["aux", "list"]);
    assert!(registered.trim_end().ends_with("paper.aux"), "{registered}");
    ok(&lib, &["aux", "remove", tex.to_str().unwrap()]);
    assert_eq!(ok(&lib, &["aux", "list"]), "");
    ok(&lib, &["aux", "add", tex.to_str().unwrap()]);
    assert!(ok(&lib, &["aux", "list"]).trim_end().ends_with("paper.aux"));
    // Citing nothing in the library: an error, and nothing registered by it.
    let none = dir.path().join("none.aux");
    std::fs::write(&none, "\\citation{Gone2000}\n").unwrap();
    let out = folio(&lib, &["export", "--aux", none.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("cites nothing that is in the library"));
    assert!(!ok(&lib, &["aux", "list"]).contains("none.aux"));
    // The \cite command is checked the same way the app layer checks it.
    assert_eq!(
        ok(&lib, &["cite", "--command", "citep", "Steen2019"]).trim(),
        "\\citep{Steen2019}"
    );
    assert_eq!(
        folio(&lib, &["cite", "--command", "ci{te", "Steen2019"]).status.code(),
        Some(1)
    );
    assert_eq!(folio(&lib, &["cite", "Nobody1900"]).status.code(), Some(1));
}

/// Adding an item into a collection is one action: one undo step takes both back (the CLI's
/// `add --collection` and the app's New item in a collection were two).
#[test]
fn adding_into_a_collection_is_one_undo_step() {
    let dir = tempfile::tempdir().unwrap();
    let lib = dir.path().join("lib.sqlite");
    ok(&lib, &["collection", "create", "Thesis"]);
    let key = ok(&lib, &["add", "--title", "Filed", "--collection", "Thesis"]);
    assert_eq!(ok(&lib, &["list", "--collection", "Thesis", "--count"]).trim(), "1");
    let history = ok(&lib, &["history"]);
    assert_eq!(history.lines().count(), 2, "{history}");
    ok(&lib, &["undo"]);
    assert_eq!(ok(&lib, &["list", "--count"]).trim(), "0");
    assert_eq!(ok(&lib, &["collection", "list"]).trim(), "Thesis (0)");
    assert_eq!(folio(&lib, &["show", key.trim()]).status.code(), Some(1));
    // A collection that does not exist: nothing is added.
    assert_eq!(
        folio(&lib, &["add", "--title", "Lost", "--collection", "Nope"])
            .status
            .code(),
        Some(1)
    );
    assert_eq!(ok(&lib, &["list", "--count"]).trim(), "0");
}
