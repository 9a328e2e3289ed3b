use crate::support::*;
use folio::model::{ItemTag, TagSource};
use folio::store::search::Filter;

#[test]
fn tags_are_case_insensitive_and_remember_their_source() {
    let mut lib = mem();
    let mut a = article("A", &["Steen, Trui"], 2019);
    a.tags = vec![ItemTag::imported("Co-production"), ItemTag::imported("EIF")];
    lib.add(a).unwrap();
    lib.add(article("B", &["Jaspers, Sylke"], 2020)).unwrap();
    // Same tag whatever the case: the existing spelling is kept.
    assert_eq!(
        lib.tag_add("co-production", &strings(&["Jaspers2020", "Steen2019"]))
            .unwrap(),
        1
    );
    let b = lib.get("Jaspers2020").unwrap();
    assert_eq!(
        b.tags,
        vec![ItemTag {
            name: "Co-production".into(),
            source: TagSource::Manual
        }]
    );
    let list = lib.tag_list().unwrap();
    assert_eq!(
        list.iter()
            .map(|t| (t.name.as_str(), t.items, t.imported))
            .collect::<Vec<_>>(),
        [("Co-production", 2, 1), ("EIF", 1, 1)]
    );
    assert_eq!(
        keys(
            &lib,
            &Filter {
                tags: strings(&["CO-PRODUCTION"]),
                ..Default::default()
            }
        )
        .len(),
        2
    );
    assert_eq!(
        keys(
            &lib,
            &Filter {
                tags: strings(&["co-production", "eif"]),
                ..Default::default()
            }
        ),
        ["Steen2019"]
    );
    // Imported noise goes in bulk; the user's own links stay.
    assert_eq!(lib.tag_remove_imported(None).unwrap(), 1);
    assert!(lib.get("Steen2019").unwrap().tags.is_empty());
    assert_eq!(lib.get("Jaspers2020").unwrap().tags.len(), 1);
    lib.undo().unwrap();
    assert_eq!(lib.get("Steen2019").unwrap().tags.len(), 2);
}

#[test]
fn rename_merge_remove_delete() {
    let mut lib = mem();
    lib.add(article("A", &["Steen, Trui"], 2019)).unwrap();
    lib.add(article("B", &["Jaspers, Sylke"], 2020)).unwrap();
    lib.tag_add("coproduction", &strings(&["Steen2019"])).unwrap();
    lib.tag_add("co-prod", &strings(&["Jaspers2020", "Steen2019"])).unwrap();
    lib.tag_add("public", &strings(&["Jaspers2020"])).unwrap();
    assert_eq!(lib.tag_rename("public", "Public sector").unwrap(), 1);
    assert_eq!(
        lib.get("Jaspers2020")
            .unwrap()
            .tags
            .iter()
            .map(|t| t.name.as_str())
            .collect::<Vec<_>>(),
        ["co-prod", "Public sector"]
    );
    assert_eq!(
        lib.tag_merge(&strings(&["coproduction", "co-prod"]), "co-production")
            .unwrap(),
        2
    );
    let names: Vec<String> = lib
        .tag_list()
        .unwrap()
        .into_iter()
        .map(|t| format!("{}={}", t.name, t.items))
        .collect();
    assert_eq!(names, ["co-production=2", "Public sector=1"]);
    assert_eq!(lib.get("Steen2019").unwrap().tags.len(), 1);
    // Renaming onto an existing tag merges.
    lib.tag_rename("Public sector", "CO-PRODUCTION").unwrap();
    assert_eq!(lib.tag_list().unwrap().len(), 1);
    assert_eq!(lib.tag_remove("co-production", &strings(&["Steen2019"])).unwrap(), 1);
    assert_eq!(lib.tag_delete("co-production").unwrap(), 1);
    assert!(lib.tag_list().unwrap().is_empty());
    assert!(lib.tag_rename("nope", "x").is_err());
    assert!(lib.tag_add("  ", &strings(&["Steen2019"])).is_err());
}
