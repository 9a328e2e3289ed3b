//! Unit tests of the CSL reader and writers.

use super::*;
use crate::error::Severity;
use crate::format::{sniff, Format};
use crate::model::{Creator, ExtraField, Item, ItemTag, Name, PartialDate};
use serde_json::json;

fn one(p: &crate::format::Parsed) -> &Item {
    assert_eq!(p.items.len(), 1, "{:?}", p.diagnostics);
    &p.items[0].item
}

#[test]
fn reads_names_dates_and_variables() {
    let text = r#"[{"id": "vg1890", "type": "article-journal",
      "author": [{"family": "Gogh", "given": "Vincent", "dropping-particle": "van"},
                 {"family": "Gogh", "non-dropping-particle": "van", "given": "Theo", "suffix": "Jr."},
                 {"literal": "World Health Organization"}],
      "composer": [{"family": "Doe", "given": "Jane"}],
      "title": "Letters", "container-title": "J", "volume": 3, "issue": "4",
      "issued": {"date-parts": [[2020, 1], [2020, 3]]}, "accessed": {"date-parts": [["2021", "5", "6"]]},
      "keyword": "a, b; c", "event-title": "Conf", "PMID": "123", "custom": {"x": 1}}]"#;
    let p = parse_json(text);
    let it = one(&p);
    assert!(p.diagnostics.is_empty(), "{:?}", p.diagnostics);
    assert_eq!(it.key, "vg1890");
    assert_eq!(it.item_type, ItemType::Article);
    assert_eq!(
        it.creators[0].name,
        Name::Person {
            family: "Gogh".into(),
            given: "Vincent".into(),
            particle: "van".into(),
            suffix: String::new()
        }
    );
    assert_eq!(it.creators[1].family(), "van Gogh");
    assert_eq!(
        it.creators[2],
        Creator::literal(Role::Author, "World Health Organization")
    );
    assert_eq!(
        (it.date.year, it.date.month, it.date.raw.as_str()),
        (Some(2020), Some(1), "2020-01/2020-03")
    );
    assert_eq!(it.volume, "3");
    assert_eq!(
        it.tags.iter().map(|t| t.name.as_str()).collect::<Vec<_>>(),
        ["a", "b", "c"]
    );
    assert_eq!(it.extra_field("urldate"), Some("2021-05-06"));
    assert_eq!(it.extra_field("eventtitle"), Some("Conf"));
    assert_eq!(it.extra_field("PMID"), Some("123"));
    assert_eq!(it.extra_field("composer"), Some("{Doe, Jane}"));
    // Written back: every CSL variable as it was (keyword lists with ", ").
    let back = item_to_csl(it);
    let orig: serde_json::Value = serde_json::from_str(text).unwrap();
    for (k, v) in orig[0].as_object().unwrap() {
        let want = match k.as_str() {
            "volume" => json!("3"),
            "keyword" => json!("a, b, c"),
            "accessed" => json!({"date-parts": [[2021, 5, 6]]}),
            "custom" => continue,
            _ => v.clone(),
        };
        assert_eq!(back[k], want, "{k}");
    }
    assert!(back.get("custom").is_none());
}

#[test]
fn types_round_trip_and_unknown_ones_are_kept() {
    for t in [
        "article",
        "article-journal",
        "bill",
        "book",
        "broadcast",
        "chapter",
        "classic",
        "collection",
        "dataset",
        "document",
        "entry",
        "entry-dictionary",
        "entry-encyclopedia",
        "event",
        "figure",
        "graphic",
        "hearing",
        "interview",
        "legal_case",
        "legislation",
        "manuscript",
        "map",
        "motion_picture",
        "musical_score",
        "pamphlet",
        "paper-conference",
        "patent",
        "performance",
        "periodical",
        "personal_communication",
        "post",
        "post-weblog",
        "regulation",
        "report",
        "review",
        "review-book",
        "software",
        "song",
        "speech",
        "standard",
        "thesis",
        "treaty",
        "webpage",
    ] {
        let p = parse_json(&format!(r#"[{{"id": "k", "type": "{t}"}}]"#));
        assert!(p.diagnostics.is_empty(), "{t}: {:?}", p.diagnostics);
        assert_eq!(item_to_csl(one(&p))["type"], json!(t));
    }
    for ty in ItemType::ALL {
        assert!(folio_type(csl_type(ty.ty)).is_some(), "{:?}", ty.ty);
    }
    let p = parse_json(r#"[{"id": "k", "type": "hologram"}]"#);
    assert_eq!(one(&p).item_type, ItemType::Misc);
    assert!(p.diagnostics[0].message.contains("unknown CSL type \"hologram\""));
}

#[test]
fn keys_missing_or_unusable_are_left_to_folio() {
    let p = parse_json(r#"[{"type": "book", "title": "A"}, {"id": "a b{", "title": "B"}, {"id": 17, "title": "C"}]"#);
    assert_eq!(p.items.len(), 3);
    assert_eq!(p.items[0].item.key, "");
    assert_eq!(p.items[1].item.key, "");
    assert_eq!(p.items[2].item.key, "17");
    assert!(
        p.diagnostics[0].message.contains("item 1: no \"id\""),
        "{:?}",
        p.diagnostics
    );
    assert!(p.diagnostics[1]
        .message
        .contains("id \"a b{\" is not a usable citation key"));
    assert!(p.diagnostics.iter().all(|d| d.severity == Severity::Warning));
}

/// Hostile input: malformed text is one clear error; a bad item costs only itself, named with
/// its line; nesting past the readers' limit is an error, not a crash; an oversized value is
/// refused per item.
#[test]
fn hostile_input_is_bounded_and_named() {
    let p = parse_json("[{\"id\": \"a\",");
    assert!(p.items.is_empty());
    assert!(
        p.diagnostics[0].message.starts_with("invalid CSL-JSON"),
        "{:?}",
        p.diagnostics
    );
    let p = parse_yaml("references:\n- id: a\n  title: [unclosed\n");
    assert!(
        p.diagnostics[0].message.starts_with("invalid CSL-YAML"),
        "{:?}",
        p.diagnostics
    );
    assert!(p.diagnostics[0].line >= Some(3), "{:?}", p.diagnostics);
    let p = parse_json(
        "[\n {\"id\": \"ok1\", \"title\": \"fine\"},\n {\"id\": \"bad\", \"title\": [1]},\n {\"id\": \"bad2\", \"author\": \"Doe\"},\n {\"id\": \"bad3\", \"issued\": {\"date-parts\": [[\"spring\"]]}},\n {\"id\": \"ok2\"}\n]",
    );
    assert_eq!(
        p.items.iter().map(|i| i.item.key.as_str()).collect::<Vec<_>>(),
        ["ok1", "ok2"]
    );
    let errors: Vec<(Option<usize>, &str)> = p.diagnostics.iter().map(|d| (d.line, d.message.as_str())).collect();
    assert_eq!(errors.len(), 3, "{errors:?}");
    assert_eq!(errors[0].0, Some(3));
    assert!(errors[0]
        .1
        .contains("item 2 (bad): \"title\" must be text or a number, not an array"));
    assert!(errors[1]
        .1
        .contains("item 3 (bad2): \"author\" must be a list of names"));
    assert!(errors[2].1.contains("item 4 (bad3)") && errors[2].1.contains("date-parts"));
    // Nesting: the JSON and YAML readers stop at 128 levels with an error.
    let deep = format!(
        "[{{\"id\": \"a\", \"custom\": {}1{}}}]",
        "[".repeat(1_000),
        "]".repeat(1_000)
    );
    let p = parse_json(&deep);
    assert!(
        p.items.is_empty() && p.diagnostics[0].message.contains("recursion limit"),
        "{:?}",
        p.diagnostics
    );
    let deep = format!(
        "references:\n- id: a\n  custom: {}1{}\n",
        "[".repeat(1_000),
        "]".repeat(1_000)
    );
    let p = parse_yaml(&deep);
    assert!(
        p.items.is_empty() && p.diagnostics[0].severity == Severity::Error,
        "{:?}",
        p.diagnostics
    );
    // YAML aliases cannot multiply a small file into a huge one ("billion laughs").
    let mut laughs = String::from("a: &a [x, x, x, x, x, x, x, x, x, x]\n");
    for i in 1..12 {
        laughs.push_str(
            &format!(
                "a{i}: &a{i} [*a{}, *a{}, *a{}, *a{}, *a{}, *a{}, *a{}, *a{}, *a{}, *a{}]\n",
                i - 1,
                i - 1,
                i - 1,
                i - 1,
                i - 1,
                i - 1,
                i - 1,
                i - 1,
                i - 1,
                i - 1
            )
            .replace("*a0", "*a"),
        );
    }
    laughs.push_str("references: *a11\n");
    let p = parse_yaml(&laughs);
    assert!(
        p.items.is_empty() && p.diagnostics[0].severity == Severity::Error,
        "{:?}",
        p.diagnostics
    );
    // A value past the field budget rejects its item only.
    let big = "x".repeat(crate::budget::MAX_FIELD_BYTES + 1);
    let p = parse_json(&format!(r#"[{{"id": "big", "title": "{big}"}}, {{"id": "small"}}]"#));
    assert_eq!(p.items.len(), 1);
    assert!(
        p.diagnostics[0].message.contains("more than the"),
        "{}",
        &p.diagnostics[0].message[..80]
    );
}

#[test]
fn yaml_in_markdown_front_matter_with_escapes() {
    let md = "---\ntitle: My paper\nreferences:\n- id: doe\n  type: book\n  title: 'C\\_2 and \\*stars\\* @ \\$5'\n  issued: 2020\n  author:\n  - family: Doe\n    given: Jane\n- id: roe\n  issued: 2019-05\n...\n\n# Body\n";
    assert!(looks_like_yaml(md));
    assert_eq!(sniff(md, Some("md")), Some(Format::CslYaml));
    let p = parse_yaml(md);
    assert_eq!(p.items.len(), 2, "{:?}", p.diagnostics);
    assert_eq!(p.items[0].line, 4);
    assert_eq!(p.items[1].line, 11);
    let it = &p.items[0].item;
    assert_eq!(it.title, "C_2 and *stars* @ $5");
    assert_eq!(it.date, PartialDate::year(2020));
    assert_eq!(p.items[1].item.date, PartialDate::ymd(2019, Some(5), None));
    let items: Vec<Item> = p.items.iter().map(|i| i.item.clone()).collect();
    let w = write_yaml(&items);
    assert!(w.text.starts_with("---\nreferences:\n"), "{}", w.text);
    assert!(w.text.contains(r"title: C\_2 and \*stars\* \@ \$5"), "{}", w.text);
    let again = parse_yaml(&w.text);
    assert_eq!(again.items.iter().map(|i| i.item.clone()).collect::<Vec<_>>(), items);
}

/// What pandoc writes into a Markdown file's `references:` reads as pandoc reads it: raw
/// LaTeX as LaTeX, spans as their text, emphasis and superscripts as CSL markup, smart
/// punctuation as its characters, lower-case `doi:` as `DOI`; math stays TeX. Folio's own
/// writer escapes all of these, so its text comes back exactly.
#[test]
fn pandoc_markdown_in_yaml_reads_as_pandoc_reads_it() {
    let md = "---\nreferences:\n- id: a\n  type: article-journal\n  title: \"Tutte's $f$-factor -- *Jatropha* of [DNA]{.nocase} in Bose`\\\\textendash{}`{=latex}Einstein...\n    \\\"few\\\" x^2^ H~2~O ~5 km\"\n  doi: 10.1/x\n...\n";
    let p = parse_yaml(md);
    assert_eq!(p.items.len(), 1, "{:?}", p.diagnostics);
    let it = &p.items[0].item;
    assert_eq!(
        it.title,
        "Tutte’s $f$-factor – <i>Jatropha</i> of DNA in Bose–Einstein… “few” x<sup>2</sup> H<sub>2</sub>O ~5 km"
    );
    assert_eq!(it.doi, "10.1/x");
    let mut plain = it.clone();
    plain.title = "It's \"a\" -- b... *c* ~d~ ^e^ [f]{.g} `h` “739 ” &#32;".into();
    let w = write_yaml(std::slice::from_ref(&plain));
    assert_eq!(parse_yaml(&w.text).items[0].item.title, plain.title, "{}", w.text);
}

#[test]
fn csl_json_is_told_from_folio_json() {
    let csl = r#"[{"id": "a", "type": "article-journal", "title": "T"}]"#;
    assert_eq!(sniff(csl, Some("json")), Some(Format::CslJson));
    assert_eq!(
        sniff(r#"{"items": [{"id": 1, "title": "T"}]}"#, None),
        Some(Format::CslJson)
    );
    let mut it = Item::new(ItemType::Article, "T");
    it.key = "a".into();
    it.id = Some(1);
    let folio = crate::format::json::write(&[(it, vec![])]).text;
    assert_eq!(sniff(&folio, Some("json")), Some(Format::Json));
    // Folio's JSON written by hand: no id, or a Folio type name CSL does not have.
    assert_eq!(sniff(r#"[{"title": "T"}]"#, None), Some(Format::Json));
    assert_eq!(
        sniff(r#"[{"id": 3, "type": "inproceedings"}]"#, None),
        Some(Format::Json)
    );
    assert_eq!(sniff("references:\n- id: a\n", Some("yaml")), Some(Format::CslYaml));
    assert_eq!(sniff("title: x\n", Some("yml")), Some(Format::CslYaml));
}

#[test]
fn writer_maps_folio_slots_and_reports_what_csl_cannot_hold() {
    let mut it = Item::new(ItemType::PhdThesis, "Main");
    it.key = "k".into();
    it.subtitle = "Sub".into();
    it.institution = "MIT".into();
    it.creators
        .push(Creator::parse_name(Role::Author, "de la Fontaine, Jean"));
    it.creators.push(Creator::parse_name(Role::Inventor, "Roe, R."));
    it.date = PartialDate::parse("in press");
    it.tags.push(ItemTag::manual("x"));
    it.extra
        .push(ExtraField::bibtex("urldate".into(), "{2020-01-02}".into()));
    it.extra.push(ExtraField::bibtex("bibdate".into(), "{Mon}".into()));
    it.extra.push(ExtraField::ris("Y2".into(), "2020".into()));
    let w = write_json(std::slice::from_ref(&it));
    let v: serde_json::Value = serde_json::from_str(&w.text).unwrap();
    let o = &v[0];
    assert_eq!(o["type"], "thesis");
    assert_eq!(o["genre"], "PhD thesis");
    assert_eq!(o["title"], "Main: Sub");
    assert_eq!(o["publisher"], "MIT");
    assert_eq!(
        o["author"][0],
        json!({"family": "Fontaine", "given": "Jean", "dropping-particle": "de la"})
    );
    assert_eq!(o["author"][1], json!({"family": "Roe", "given": "R."}));
    assert_eq!(o["issued"], json!({"literal": "in press"}));
    assert_eq!(o["accessed"], json!({"date-parts": [[2020, 1, 2]]}));
    assert_eq!(o["keyword"], "x");
    assert!(o.get("bibdate").is_none() && o.get("Y2").is_none());
    assert_eq!(w.diagnostics.len(), 1);
    assert!(w.diagnostics[0].message.contains("bibdate (1)"), "{:?}", w.diagnostics);
}
