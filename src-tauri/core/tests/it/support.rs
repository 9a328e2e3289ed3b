//! Shared helpers for the integration tests.

use folio::model::{Abstract, Access, AccessStatus, Creator, ExtraField, Item, ItemTag, ItemType, PartialDate, Role};
use folio::store::search::{Filter, Sort};
use folio::Library;
use serde_json::{json, Value};
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

pub fn mem() -> Library {
    Library::open_in_memory().expect("in-memory library")
}

pub fn article(title: &str, authors: &[&str], year: i32) -> Item {
    let mut it = Item::new(ItemType::Article, title);
    for a in authors {
        it.creators.push(Creator::parse_name(Role::Author, a));
    }
    it.date = PartialDate::year(year);
    it
}

/// An item with every kind of field filled.
pub fn full_item() -> Item {
    let mut it = article(
        "An enhanced model for integrated public service: co-creation in the EIF",
        &[
            "Casiano Flores, Cesar",
            "Rodriguez Müller, A. Paula",
            "van der Berg, Jr., Jan",
        ],
        2022,
    );
    it.creators.push(Creator::literal(Role::Editor, "European Commission"));
    it.creators.push(Creator::person(Role::Translator, "Doe", "Jane"));
    it.subtitle = "A scoping review".into();
    it.container = "Transforming Government: People, Process and Policy".into();
    it.volume = "16".into();
    it.issue = "4".into();
    it.pages = "123--145".into();
    it.publisher = "Emerald".into();
    it.place = "Bingley".into();
    it.date = PartialDate::parse("4 August 2022");
    it.doi = "10.1108/TG-01-2022-0001".into();
    it.issn = "1750-6166".into();
    it.url = "https://example.org/x".into();
    it.language = "en".into();
    it.note = "A note".into();
    it.genre = "Research Article".into();
    it.r#abstract = Abstract::parse(
        "Purpose The purpose of this paper is X. Design/methodology/approach A review. Findings Bi-directional. \
         Originality/value New.",
    );
    it.tags = vec![ItemTag::manual("co-production"), ItemTag::imported("Interoperability")];
    it.access = Access::new(AccessStatus::Restricted, "import:test");
    it.extra = vec![
        ExtraField::bibtex("eprinttype".into(), "arXiv".into()),
        ExtraField::bibtex("crossref".into(), "Proc2022".into()),
    ];
    it
}

/// Everything a user can observe in a library, for before/after comparisons.
pub fn state(lib: &Library) -> Value {
    let mut items = Vec::new();
    for trash in [false, true] {
        let f = Filter {
            trash,
            ..Default::default()
        };
        for it in lib.items(&f, Sort::default()).unwrap() {
            let cols = lib.collections_of(it.id.unwrap()).unwrap();
            let mut v = folio::format::json::item_to_json(&it, &cols);
            v["in_trash"] = json!(trash);
            items.push(v);
        }
    }
    fn tree(n: &folio::CollectionNode) -> Value {
        json!({"path": n.path, "items": n.items, "children": n.children.iter().map(tree).collect::<Vec<_>>()})
    }
    json!({
        "items": items,
        "collections": lib.collection_tree().unwrap().iter().map(tree).collect::<Vec<_>>(),
        "tags": lib.tag_list().unwrap().iter().map(|t| json!([t.name, t.items, t.imported])).collect::<Vec<_>>(),
        "searches": lib.saved_searches().unwrap().iter().map(|s| json!([s.name, s.query])).collect::<Vec<_>>(),
        "pattern": lib.key_pattern().unwrap(),
    })
}

pub fn keys(lib: &Library, f: &Filter) -> Vec<String> {
    lib.list(f, Sort::default(), 0, 1000)
        .unwrap()
        .into_iter()
        .map(|r| r.key)
        .collect()
}

pub fn strings(v: &[&str]) -> Vec<String> {
    v.iter().map(|s| s.to_string()).collect()
}

pub fn folio_bin() -> &'static str {
    env!("CARGO_BIN_EXE_folio")
}

/// Run the CLI on a library file.
pub fn folio(lib: &Path, args: &[&str]) -> Output {
    Command::new(folio_bin())
        .arg("--library")
        .arg(lib)
        .args(args)
        .env_remove("FOLIO_LIBRARY")
        .output()
        .expect("run folio")
}

pub fn ok(lib: &Path, args: &[&str]) -> String {
    let out = folio(lib, args);
    assert!(
        out.status.success(),
        "folio {args:?} failed ({:?}): {}",
        out.status.code(),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).expect("utf-8 output")
}

/// The shared corpus folder: $FOLIO_CORPUS, else ../shared/corpus beside the repository.
#[allow(dead_code)]
pub fn corpus() -> PathBuf {
    let p = std::env::var_os("FOLIO_CORPUS")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/corpus"));
    assert!(
        p.join("MANIFEST.tsv").is_file(),
        "corpus not found at {} (set FOLIO_CORPUS)",
        p.display()
    );
    p
}

/// The rows of a two-column text query on the library's connection.
pub fn text_pairs(lib: &Library, sql: &str) -> Vec<(String, String)> {
    lib.store()
        .conn()
        .prepare(sql)
        .unwrap()
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap()
        .map(|r| r.unwrap())
        .collect()
}

/// A library (made by the CLI) holding one journal article, Jaspers & Steen 2019, for tests of
/// formatted references.
pub fn jaspers_library(dir: &Path) -> PathBuf {
    let lib = dir.join("lib.sqlite");
    ok(
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
            "--year",
            "2019",
            "--journal",
            "International Journal of Public Sector Management",
            "--volume",
            "33",
            "--issue",
            "1",
            "--pages",
            "1-10",
        ],
    );
    lib
}
