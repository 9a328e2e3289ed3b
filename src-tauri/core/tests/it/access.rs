use crate::support::*;
use folio::model::{Access, AccessStatus};
use folio::store::search::Filter;

#[test]
fn access_status_is_its_own_field_and_filters_like_a_tag() {
    let mut lib = mem();
    let mut a = article("A", &["Steen, Trui"], 2019);
    a.access = Access::new(AccessStatus::Restricted, "results-text:badge");
    lib.add(a).unwrap();
    lib.add(article("B", &["Jaspers, Sylke"], 2020)).unwrap();
    lib.add(article("C", &["Virkar, Shefali"], 2021)).unwrap();
    assert_eq!(lib.get("Jaspers2020").unwrap().access.status, AccessStatus::Unknown);
    assert_eq!(
        lib.access_set(AccessStatus::Open, &strings(&["Jaspers2020", "Virkar2021"]))
            .unwrap(),
        2
    );
    let b = lib.get("Jaspers2020").unwrap();
    assert_eq!(b.access, Access::new(AccessStatus::Open, "user"));
    // Never a keyword.
    assert!(b.tags.is_empty());
    assert!(lib.tag_list().unwrap().is_empty());
    let f = |a: &[AccessStatus]| Filter {
        access: a.to_vec(),
        ..Default::default()
    };
    assert_eq!(keys(&lib, &f(&[AccessStatus::Restricted])), ["Steen2019"]);
    assert_eq!(keys(&lib, &f(&[AccessStatus::Open, AccessStatus::Restricted])).len(), 3);
    // Combines with tags and collections.
    lib.tag_add("x", &strings(&["Steen2019", "Jaspers2020"])).unwrap();
    lib.collection_create("C").unwrap();
    lib.collection_add("C", &strings(&["Jaspers2020", "Virkar2021"]))
        .unwrap();
    let c = lib.resolve_collection("C").unwrap();
    let combined = Filter {
        access: vec![AccessStatus::Open],
        tags: strings(&["x"]),
        collection: Some(c),
        ..Default::default()
    };
    assert_eq!(keys(&lib, &combined), ["Jaspers2020"]);
    let counts = lib.access_counts().unwrap();
    assert_eq!(
        counts,
        vec![
            (AccessStatus::Open, 2),
            (AccessStatus::Free, 0),
            (AccessStatus::Restricted, 1),
            (AccessStatus::Unknown, 0)
        ]
    );
    lib.undo().unwrap(); // collection add
    lib.undo().unwrap(); // create C
    lib.undo().unwrap(); // tag
    lib.undo().unwrap(); // access
    assert_eq!(lib.get("Jaspers2020").unwrap().access.status, AccessStatus::Unknown);
}
