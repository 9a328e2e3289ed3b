//! The field registry (`folio::model::fields`) against the lists that live elsewhere: the
//! library's columns, the app's labels, the BibTeX, BibLaTeX and RIS writers. A field added to
//! the registry fails here until each of them knows it. And the promise the registry makes to
//! stored libraries: an empty field changes no fingerprint, so a record stays verbatim.

use crate::support::mem;
use folio::format::bibtex::{BibMode, BibWriteOptions};
use folio::format::ris::RisWriteOptions;
use folio::format::BibExtras;
use folio::import::ImportOptions;
use folio::model::fields::FIELDS;
use folio::model::{Access, AccessStatus, Creator, Item, ItemTag, ItemType, PartialDate, Role};
use std::collections::{BTreeMap, BTreeSet};

/// Columns of `items` that hold no field: the source record, derived columns, the trash mark.
const NOT_FIELDS: &[&str] = &[
    "extra_json",
    "source_format",
    "source_text",
    "source_fingerprint",
    "source_batch",
    "title_sort",
    "creators_sort",
    "creators_summary",
    "deleted_at",
    "dedupe",
    "source_current",
    "source_checks",
    "source_macros",
];

#[test]
fn every_field_has_its_columns_and_every_column_a_field() {
    let lib = mem();
    let columns: BTreeSet<String> = lib
        .store()
        .conn()
        .prepare("SELECT name FROM pragma_table_info('items')")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    let mut of_fields = BTreeSet::new();
    for f in FIELDS {
        for c in f.columns {
            assert!(columns.contains(*c), "{}: no column {c} in items", f.name);
            of_fields.insert(c.to_string());
        }
    }
    let rest: Vec<&String> = columns
        .iter()
        .filter(|c| !of_fields.contains(*c) && !NOT_FIELDS.contains(&c.as_str()))
        .collect();
    assert!(rest.is_empty(), "columns of no field in the registry: {rest:?}");
}

/// `FIELD_LABELS` of `ui/src/features/fields.ts`: `name: "Label",` lines.
fn ui_labels() -> BTreeMap<String, String> {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../ui/src/features/fields.ts");
    let text = std::fs::read_to_string(path).unwrap();
    let start = text.find("FIELD_LABELS").expect("FIELD_LABELS in fields.ts");
    let body = &text[start..];
    let body = &body[body.find('{').unwrap() + 1..body.find("};").unwrap()];
    body.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with("//"))
        .map(|l| {
            let (name, label) = l.split_once(':').unwrap_or_else(|| panic!("unexpected line {l:?}"));
            let label = label.trim().trim_end_matches(',').trim_matches('"');
            (name.trim().to_string(), label.to_string())
        })
        .collect()
}

#[test]
fn the_app_labels_every_field_as_the_registry_does() {
    let ui = ui_labels();
    assert!(ui.len() > 20, "{ui:?}");
    for f in FIELDS.iter().filter(|f| !f.label.is_empty()) {
        assert_eq!(ui.get(f.name).map(String::as_str), Some(f.label), "label of {}", f.name);
    }
    for name in ui.keys() {
        // Collections are the item's place in the library, not a field of it.
        if name != "collections" {
            let f = FIELDS.iter().find(|f| f.name == name);
            assert!(
                f.is_some_and(|f| !f.label.is_empty()),
                "{name}: labelled in the app, not in the registry"
            );
        }
    }
}

/// An item with every field of the registry filled in, text fields with `value-of-<name>`.
fn everything() -> Item {
    let mut it = Item::new(ItemType::Article, "");
    for f in FIELDS {
        if let Some(v) = f.text_mut(&mut it) {
            *v = format!("value-of-{}", f.name);
        }
    }
    it.key = "Everything2020".into();
    it.creators.push(Creator::person(Role::Author, "Doe", "Jane"));
    it.date = PartialDate::parse("2020-03-04");
    it.r#abstract = folio::model::Abstract::plain("An abstract.");
    it.tags.push(ItemTag::manual("tuna"));
    it.access = Access::new(AccessStatus::Open, "user");
    it
}

#[test]
fn the_bibtex_and_biblatex_writers_use_the_registry_names() {
    let it = everything();
    for mode in [BibMode::Bibtex, BibMode::Biblatex] {
        let opts = BibWriteOptions {
            mode,
            ..Default::default()
        };
        let text = folio::format::bibtex::write(std::slice::from_ref(&it), &BibExtras::default(), &opts).text;
        for f in FIELDS {
            let name = match mode {
                BibMode::Bibtex => f.bibtex,
                BibMode::Biblatex => f.biblatex,
            };
            if name.is_empty() {
                continue;
            }
            assert!(
                text.contains(&format!("\n  {name} = ")),
                "{mode:?}: {} not written as {name}:\n{text}",
                f.name
            );
            if f.is_text() {
                assert!(
                    text.contains(&format!("value-of-{}", f.name)),
                    "{mode:?}: {}\n{text}",
                    f.name
                );
            }
        }
    }
}

#[test]
fn the_ris_writer_uses_the_registry_tags() {
    let it = everything();
    let text = folio::format::ris::write(std::slice::from_ref(&it), &RisWriteOptions::default()).text;
    for f in FIELDS.iter().filter(|f| !f.ris.is_empty()) {
        let line = text
            .lines()
            .find(|l| l.starts_with(&format!("{}  - ", f.ris)))
            .unwrap_or_else(|| panic!("{} not written as {}:\n{text}", f.name, f.ris));
        if f.is_text() && f.name != "pages" {
            assert!(
                text.lines()
                    .any(|l| l.starts_with(&format!("{}  - ", f.ris)) && l.contains(&format!("value-of-{}", f.name))),
                "{}: {line}\n{text}",
                f.name
            );
        }
    }
}

/// The registry's promise to stored libraries: setting a field to nothing leaves the record
/// verbatim. (That a field added to the registry, empty in every stored item, changes no
/// fingerprint is tested on the canonical form in `model::fingerprint`.)
#[test]
fn an_empty_field_keeps_an_imported_record_verbatim() {
    let mut lib = mem();
    let bib = "@Article{Kept2001,\n  TITLE  =  {Kept as written},\n  Journal = {J}, year = 2001,\n}\n";
    lib.import_text("t.bib", bib, &ImportOptions::default()).unwrap();
    let mut item = lib.get("Kept2001").unwrap();
    let before = item.fingerprint();
    let empty: Vec<&str> = FIELDS
        .iter()
        .filter(|f| f.text(&item).is_some_and(|v| v.is_empty()))
        .map(|f| f.name)
        .collect();
    assert!(empty.len() > 10, "{empty:?}");
    for name in empty {
        item.set(name, "").unwrap();
    }
    item.set("newfield", "").unwrap();
    assert_eq!(item.fingerprint(), before);
    lib.update(item).unwrap();
    lib.edit("Kept2001", &[("series".into(), "".into())], false).unwrap();
    let (text, _) = lib
        .export_text(
            &folio::export::Selection::default(),
            &folio::export::ExportOptions::default(),
        )
        .unwrap();
    assert!(
        text.contains(bib.trim_end()),
        "the record comes back as written:\n{text}"
    );
}
