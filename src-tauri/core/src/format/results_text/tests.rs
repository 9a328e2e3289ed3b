use super::*;
use crate::error::Severity;
use crate::model::{Name, TagSource};

fn seed() -> String {
    let path = match std::env::var_os("FOLIO_SEED") {
        Some(p) => std::path::PathBuf::from(p),
        None => std::path::PathBuf::from(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../../shared/seed/search-results.txt"
        )),
    };
    std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("seed page {} is required for this test: {e}", path.display()))
}

fn names(item: &Item) -> Vec<(String, String, String)> {
    item.creators
        .iter()
        .map(|c| match &c.name {
            Name::Person {
                family,
                given,
                particle,
                ..
            } => (given.clone(), particle.clone(), family.clone()),
            Name::Literal { literal } => (String::new(), String::new(), literal.clone()),
        })
        .collect()
}

fn n(g: &str, p: &str, f: &str) -> (String, String, String) {
    (g.into(), p.into(), f.into())
}

fn headings(item: &Item) -> Vec<&str> {
    item.r#abstract.sections().iter().map(|s| s.heading.as_str()).collect()
}

#[test]
fn seed_page_all_four_articles() {
    let text = seed();
    assert!(looks_like(&text));
    let p = parse(&text);
    assert_eq!(p.items.len(), 4, "{:?}", p.diagnostics);
    assert_eq!(p.dialect.as_deref(), Some("emerald-results"));
    let it: Vec<&Item> = p.items.iter().map(|x| &x.item).collect();

    // Every item: article, restricted (from the badge), research article, no title.
    for (i, x) in it.iter().enumerate() {
        assert_eq!(x.item_type, ItemType::Article);
        assert_eq!(x.access.status, AccessStatus::Restricted);
        assert_eq!(x.access.source, "results-text:badge");
        assert_eq!(x.genre, "Research Article");
        assert_eq!(x.title, "", "titles are never invented");
        assert!(x.tags.is_empty(), "the seed shows no keywords");
        let line = p.items[i].line;
        assert!(p
            .diagnostics
            .iter()
            .any(|d| d.line == Some(line) && d.severity == Severity::Warning && d.message.contains("no title")));
        let src = x.source.as_ref().unwrap();
        assert_eq!(src.format, "results-text");
        assert!(src.text.starts_with("Access Restricted"));
        let mut bare = (*x).clone();
        bare.source = None;
        assert_eq!(bare.fingerprint(), src.fingerprint);
    }
    assert_eq!(p.items[0].line, 8);

    // 1
    let a = it[0];
    assert_eq!(
        names(a),
        [
            n("Cesar", "", "Casiano Flores"),
            n("A. Paula", "", "Rodriguez Müller"),
            n("Shefali", "", "Virkar"),
            n("Lucy", "", "Temple"),
            n("Trui", "", "Steen"),
            n("Joep", "", "Crompvoets"),
        ]
    );
    assert!(a.creators.iter().all(|c| c.role == Role::Author));
    assert_eq!((a.date.year, a.date.month, a.date.day), (Some(2022), Some(8), Some(4)));
    assert_eq!(a.date.raw, "4 August 2022");
    assert_eq!(a.container, "Transforming Government: People, Process and Policy");
    assert_eq!((a.volume.as_str(), a.issue.as_str()), ("16", "4"));
    assert_eq!(a.issn, "1750-6166");
    assert_eq!(
        headings(a),
        [
            "Purpose",
            "Design/methodology/approach",
            "Findings",
            "Originality/value"
        ]
    );
    let s = a.r#abstract.sections();
    assert!(s[0]
        .text
        .starts_with("The purpose of this paper is to propose an enhanced conceptual model"));
    assert!(s[0].text.ends_with("(Casiano Flores, et al., 2021)."));
    assert!(s[1]
        .text
        .starts_with("A preferred Reporting Items for systematic reviews"));
    assert!(s[2].text.starts_with("Relationships between key sets of actors"));
    assert!(s[3].text.starts_with("Most public service delivery models"));
    assert_eq!(a.extra_field("citations"), Some("327"));

    // 2
    let b = it[1];
    assert_eq!(names(b), [n("Sylke", "", "Jaspers"), n("Trui", "", "Steen")]);
    assert_eq!((b.date.year, b.date.month, b.date.day), (Some(2019), Some(12), Some(4)));
    assert_eq!(b.container, "International Journal of Public Sector Management");
    assert_eq!((b.volume.as_str(), b.issue.as_str()), ("33", "1"));
    assert_eq!(b.issn, "0951-3558");
    assert_eq!(
        headings(b),
        [
            "Purpose",
            "Design/methodology/approach",
            "Findings",
            "Originality/value"
        ]
    );
    let s = b.r#abstract.sections();
    assert!(s[0].text.starts_with("The temporary use of vacant spaces"));
    assert!(s[1].text.starts_with("The paper builds on the literature"));
    assert!(s[2].text.starts_with("The data indicate that lasting collaborations"));
    assert!(s[3]
        .text
        .starts_with("The paper bridges the literature on policy capacity"));
    assert_eq!(b.extra_field("citations"), Some("596"));

    // 3: the teaser is the whole first section (no ellipsis) and must not become a title.
    let c = it[2];
    assert_eq!(names(c), [n("Anna", "", "Uster")]);
    assert_eq!((c.date.year, c.date.month, c.date.day), (Some(2024), Some(5), Some(22)));
    assert_eq!(c.container, "International Journal of Public Sector Management");
    assert_eq!((c.volume.as_str(), c.issue.as_str()), ("37", "5"));
    assert_eq!(c.issn, "0951-3558");
    assert_eq!(
        headings(c),
        [
            "Purpose",
            "Design/methodology/approach",
            "Findings",
            "Research limitations/implications",
            "Practical implications",
            "Originality/value"
        ]
    );
    let s = c.r#abstract.sections();
    assert!(s[0]
        .text
        .starts_with("This study examines co-production during the Covid-19 crisis"));
    assert!(s[1]
        .text
        .starts_with("A qualitative approach combining deductive and inductive"));
    assert!(s[2]
        .text
        .starts_with("The findings reveal that, despite preventive efforts"));
    assert!(s[3]
        .text
        .starts_with("Using qualitative research, this study emphasizes"));
    assert!(s[4].text.starts_with("By shedding light on the multifaceted aspects"));
    assert!(s[5].text.starts_with("This research contributes to our understanding"));
    assert_eq!(c.extra_field("citations"), Some("62"));

    // 4
    let d = it[3];
    assert_eq!(names(d), [n("Joost", "", "Fledderus")]);
    assert_eq!(
        (d.date.year, d.date.month, d.date.day),
        (Some(2015), Some(10), Some(12))
    );
    assert_eq!(d.container, "International Journal of Public Sector Management");
    assert_eq!((d.volume.as_str(), d.issue.as_str()), ("28", "7"));
    assert_eq!(d.issn, "0951-3558");
    assert_eq!(
        headings(d),
        [
            "Purpose",
            "Design/methodology/approach",
            "Findings",
            "Research limitations/implications",
            "Originality/value"
        ]
    );
    let s = d.r#abstract.sections();
    assert!(s[0]
        .text
        .starts_with("Co-production of public service delivery is believed to foster trust"));
    assert!(s[1].text.starts_with("A longitudinal mixed method is used"));
    assert!(s[2]
        .text
        .starts_with("After a half year, trust in the service provider"));
    assert!(s[3].text.starts_with("The study draws upon a small sample"));
    assert!(s[4]
        .text
        .starts_with("Longitudinal studies on co-production are rarely performed"));
    assert_eq!(d.extra_field("citations"), Some("3233"));
}

const OTHER_PAGE: &str = "Search results\n\
1 – 3 of 3\n\
Open Access\n\
Article\n\
Building trust through co-production\n\
Publication date: 12 October 2015\n\
Ludwig van Beethoven, Jan de Vries and Maria dos Santos\n\
Co-production of public service delivery is believed…\n\
12\n\
Abstract\n\
Purpose\n\
To test.\n\
Findings\n\
It works.\n\
Details\n\
Public Management Review, vol. 3 no. 2, pp. 10-20\n\
Type: Research Article\n\
ISSN: 1471-9037\n\
DOI: https://doi.org/10.1108/PMR-01-2015-0001\n\
Keywords\n\
Co-production\n\
Trust; Public services\n\
Free Access\n\
Book chapter\n\
Publication date: 3 March 2021\n\
The Politics of Co-production\n\
Anna Smith\n\
A short teaser…\n\
Abstract\n\
A plain abstract without any headings at all.\n\
Details\n\
Handbook of Public Administration\n\
Type: Chapter\n\
ISBN: 978-1-80043-123-4\n\
Keywords\n\
Governance\n\
Access Restricted. View access options\n\
Case study\n\
Publication date: 2020\n\
World Health Organization\n\
Details\n\
Emerald Emerging Markets Case Studies, vol. 10 no. 1\n\
Per page\n\
102050\n";

#[test]
fn other_badges_titles_chapters_keywords_and_missing_sections() {
    let p = parse(OTHER_PAGE);
    assert_eq!(p.items.len(), 3, "{:?}", p.diagnostics);
    let a = &p.items[0].item;
    assert_eq!(p.items[0].line, 3);
    assert_eq!(a.access.status, AccessStatus::Open);
    assert_eq!(a.title, "Building trust through co-production");
    assert_eq!(
        names(a),
        [
            n("Ludwig", "van", "Beethoven"),
            n("Jan", "de", "Vries"),
            n("Maria", "dos", "Santos")
        ]
    );
    assert_eq!(a.container, "Public Management Review");
    assert_eq!(
        (a.volume.as_str(), a.issue.as_str(), a.pages.as_str()),
        ("3", "2", "10-20")
    );
    assert_eq!(a.issn, "1471-9037");
    assert_eq!(a.doi, "10.1108/PMR-01-2015-0001");
    let tags: Vec<_> = a.tags.iter().map(|t| t.name.as_str()).collect();
    assert_eq!(tags, ["Co-production", "Trust", "Public services"]);
    assert!(a.tags.iter().all(|t| t.source == TagSource::Import));
    assert_eq!(headings(a), ["Purpose", "Findings"]);
    assert_eq!(a.r#abstract.sections()[1].text, "It works.");

    // Title right before the authors, a book chapter with a book title and ISBN.
    let b = &p.items[1].item;
    assert_eq!(b.access.status, AccessStatus::Free);
    assert_eq!(b.item_type, ItemType::InCollection);
    assert_eq!(b.title, "The Politics of Co-production");
    assert_eq!(names(b), [n("Anna", "", "Smith")]);
    assert_eq!(b.container, "Handbook of Public Administration");
    assert_eq!(b.isbn, "978-1-80043-123-4");
    assert_eq!(b.genre, "Chapter");
    assert_eq!(headings(b), [""]);
    assert_eq!(
        b.r#abstract.sections()[0].text,
        "A plain abstract without any headings at all."
    );
    assert_eq!(b.tags.len(), 1);
    assert_eq!((b.date.year, b.date.month, b.date.day), (Some(2021), Some(3), Some(3)));

    // No abstract, no keywords; an organisation line that is not a person list still is the
    // author line; furniture after the last result is ignored.
    let c = &p.items[2].item;
    assert_eq!(c.access.status, AccessStatus::Restricted);
    assert_eq!(c.item_type, ItemType::Article);
    assert_eq!(c.title, "");
    assert!(c.r#abstract.is_empty());
    assert_eq!(c.container, "Emerald Emerging Markets Case Studies");
    assert_eq!(c.volume, "10");
    assert!(c.tags.is_empty());
    assert_eq!(c.date.year, Some(2020));
    assert_eq!(names(c), [n("", "", "World Health Organization")]);
    assert!(p
        .diagnostics
        .iter()
        .any(|d| d.line == Some(p.items[2].line) && d.message.contains("no title")));
    assert!(!p.diagnostics.iter().any(|d| d.line == Some(p.items[0].line)));
}

#[test]
fn page_without_badges_and_empty_input() {
    let page = "Article\nPublication date: 1 May 2020\nJane Doe\nDetails\nJournal of Things, vol. 1 no. 2\n\
                Article\nA Titled Work\nPublication date: 2 June 2021\nJohn Roe and Ann Poe\n\
                Free Access\nTitle Before Type\nBook chapter\nPublication date: 2021\nJo Bloggs\n";
    let p = parse(page);
    assert_eq!(p.items.len(), 3, "{:?}", p.diagnostics);
    assert_eq!(p.items[2].item.title, "Title Before Type");
    assert_eq!(p.items[2].item.item_type, ItemType::InCollection);
    assert_eq!(p.items[0].item.access.status, AccessStatus::Unknown);
    assert_eq!(p.items[1].item.title, "A Titled Work");
    assert_eq!(p.items[1].item.creators.len(), 2);
    assert_eq!(p.items[1].line, 6);
    let p = parse("Open Access\nOpen Access\nArticle\nPublication date: 2020\nJane Doe\n");
    assert_eq!(p.items.len(), 1);
    assert_eq!(p.items[0].line, 2);
    assert!(p
        .diagnostics
        .iter()
        .any(|d| d.line == Some(1) && d.message.contains("badge")));
    let p = parse("");
    assert!(p.items.is_empty());
    assert_eq!(p.diagnostics[0].severity, Severity::Error);
}

#[test]
fn container_lines() {
    assert_eq!(
        container_line("Transforming Government: People, Process and Policy, vol. 16 no. 4"),
        (
            "Transforming Government: People, Process and Policy".into(),
            "16".into(),
            "4".into(),
            String::new()
        )
    );
    assert_eq!(
        container_line("Handbook of Things"),
        ("Handbook of Things".into(), String::new(), String::new(), String::new())
    );
    assert!(looks_like_authors(
        "Cesar Casiano Flores, A. Paula Rodriguez Müller and Trui Steen"
    ));
    assert!(!looks_like_authors(
        "The purpose of this paper is to propose an enhanced model. The…"
    ));
}

proptest::proptest! {
    // No regression files: they would be written outside this module's folder.
    #![proptest_config(proptest::prelude::ProptestConfig { failure_persistence: None, ..proptest::prelude::ProptestConfig::with_cases(256) })]
    #[test]
    fn never_panics(s in "\\PC{0,400}") {
        let _ = parse(&s);
    }

    #[test]
    fn never_panics_on_page_like_lines(lines in proptest::collection::vec(
        proptest::prop_oneof![
            proptest::strategy::Just("Access Restricted. View access options".to_string()),
            proptest::strategy::Just("Article".to_string()),
            proptest::strategy::Just("Publication date: 4 August 2022".to_string()),
            proptest::strategy::Just("Abstract".to_string()),
            proptest::strategy::Just("Purpose".to_string()),
            proptest::strategy::Just("Details".to_string()),
            proptest::strategy::Just("Keywords".to_string()),
            proptest::strategy::Just("Per page".to_string()),
            "\\PC{0,40}",
        ], 0..40)) {
        let _ = parse(&lines.join("\n"));
    }
}

#[test]
fn one_inline_heading_is_a_structured_section() {
    // A copied abstract whose only heading starts its line: still a headed section.
    let page = "Open Access\nArticle\nA Title\nPublication date: 4 August 2022\nJane Doe\nAbstract\n\
                Originality/value This technique is new.\nDetails\nJournal of Things, vol. 1 no. 2\n\
                Open Access\nArticle\nB Title\nPublication date: 4 August 2022\nJohn Roe\nAbstract\n\
                Purpose\nTo test. Findings It works.\nDetails\nJournal of Things, vol. 1 no. 2\n";
    let p = parse(page);
    assert!(p.diagnostics.is_empty(), "{:?}", p.diagnostics);
    let a = &p.items[0].item;
    assert_eq!(headings(a), ["Originality/value"]);
    assert_eq!(a.r#abstract.sections()[0].text, "This technique is new.");
    // A heading on its own line, then one inside the text of its section.
    let b = &p.items[1].item;
    assert_eq!(headings(b), ["Purpose", "Findings"]);
    assert_eq!(b.r#abstract.sections()[0].text, "To test.");
}

/// Issue 23, cause 8: an author line that starts with a bidi mark (U+200E, U+200F), or carries
/// zero-width characters, byte order marks or no-break spaces, is still the authors line: the
/// marks are no part of what a line says. The seed page with marks on every line reads as the
/// seed page.
#[test]
fn bidi_and_zero_width_marks_do_not_change_what_a_line_is() {
    let text = seed();
    let plain = parse(&text);
    let marks = ['\u{200e}', '\u{200f}', '\u{200b}', '\u{feff}', '\u{2066}', '\u{202a}'];
    let marked: String = text
        .lines()
        .enumerate()
        .map(|(i, l)| {
            let m = marks[i % marks.len()];
            // A mark in front, a no-break space after each comma, a zero-width joiner at the end.
            format!("{m}{}\u{200d}\n", l.replace(", ", ",\u{a0}"))
        })
        .collect();
    let p = parse(&marked);
    assert_eq!(p.items.len(), plain.items.len(), "{:?}", p.diagnostics);
    for (a, b) in p.items.iter().zip(&plain.items) {
        assert_eq!(names(&a.item), names(&b.item));
        assert_eq!(a.item.title, b.item.title);
        assert_eq!(a.item.date, b.item.date);
        assert_eq!(a.item.container, b.item.container);
    }
    assert!(!p.items[0].item.creators.is_empty());
    // One line alone: U+200F before the authors.
    let one = "Article\nPublication date: 4 August 2022\n\u{200f}Ann Smith and Bo Jones\n";
    let p = parse(one);
    assert_eq!(names(&p.items[0].item), [n("Ann", "", "Smith"), n("Bo", "", "Jones")]);
    assert_eq!(p.items[0].item.title, "");
}

/// Pasted pages of any shape are read in linear time: many results, one result with very many
/// header and abstract lines, and lines with no structure at all.
#[test]
fn large_pasted_pages_are_read_in_one_pass() {
    // 20,000 results.
    let mut many = String::new();
    for i in 0..20_000 {
        many.push_str(&format!(
            "Open Access\nArticle\nPublication date: 4 August 2022\nTitle number {i}\nAnn Smith and Bo Jones\n"
        ));
    }
    let p = parse(&many);
    assert_eq!(p.items.len(), 20_000);
    assert_eq!(p.items[19_999].item.title, "Title number 19999");
    // One result: 50,000 header lines after the date and a 50,000-line abstract.
    let mut one = String::from("Article\nPublication date: 2022\n");
    for i in 0..50_000 {
        one.push_str(&format!(
            "header line number {i} that is long enough to be a teaser body\n"
        ));
    }
    one.push_str("Abstract\n");
    for i in 0..50_000 {
        one.push_str(&format!("abstract sentence number {i} of a very long abstract text\n"));
    }
    let p = parse(&one);
    assert_eq!(p.items.len(), 1);
    assert!(p.items[0].item.r#abstract.flat(false).contains("number 49999"));
    // 200,000 lines with no structure: no results, one error.
    let junk: String = (0..200_000).map(|i| format!("line {i} of nothing\n")).collect();
    let p = parse(&junk);
    assert!(p.items.is_empty());
    assert_eq!(p.diagnostics.len(), 1);
}
