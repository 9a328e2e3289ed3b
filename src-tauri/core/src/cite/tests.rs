use super::*;
use crate::model::{Creator, ItemType, PartialDate, Role};

fn person(role: Role, family: &str, given: &str) -> Creator {
    Creator::person(role, family, given)
}

/// The four Emerald articles of the seed search results, built by hand with the seed's
/// metadata: no titles, no pages, no DOIs (the seed shows none). The two-word surnames of the
/// first article are entered as family names ("Casiano Flores"), as the authors use them.
fn seed_items() -> Vec<Item> {
    let mk = |authors: &[(&str, &str)], date: PartialDate, journal: &str, vol: &str, iss: &str, issn: &str| {
        let mut it = Item::new(ItemType::Article, "");
        for (given, family) in authors {
            it.creators.push(person(Role::Author, family, given));
        }
        it.date = date;
        it.container = journal.into();
        it.volume = vol.into();
        it.issue = iss.into();
        it.issn = issn.into();
        it.genre = "Research Article".into();
        it
    };
    vec![
        mk(
            &[
                ("Cesar", "Casiano Flores"),
                ("A. Paula", "Rodriguez Müller"),
                ("Shefali", "Virkar"),
                ("Lucy", "Temple"),
                ("Trui", "Steen"),
                ("Joep", "Crompvoets"),
            ],
            PartialDate::ymd(2022, Some(8), Some(4)),
            "Transforming Government: People, Process and Policy",
            "16",
            "4",
            "1750-6166",
        ),
        mk(
            &[("Sylke", "Jaspers"), ("Trui", "Steen")],
            PartialDate::ymd(2019, Some(12), Some(4)),
            "International Journal of Public Sector Management",
            "33",
            "1",
            "0951-3558",
        ),
        mk(
            &[("Anna", "Uster")],
            PartialDate::ymd(2024, Some(5), Some(22)),
            "International Journal of Public Sector Management",
            "37",
            "5",
            "0951-3558",
        ),
        mk(
            &[("Joost", "Fledderus")],
            PartialDate::ymd(2015, Some(10), Some(12)),
            "International Journal of Public Sector Management",
            "28",
            "7",
            "0951-3558",
        ),
    ]
}

/// A title for tests only: the seed has no titles and none is invented for its articles.
const TEST_TITLE: &str = "TEST TITLE, not the article's real title";

fn refs(items: &[Item], style: CiteStyle) -> Vec<String> {
    format_references(items, &style.into()).unwrap()
}

fn one(item: &Item, style: CiteStyle) -> String {
    let mut v = refs(std::slice::from_ref(item), style);
    assert_eq!(v.len(), 1);
    v.remove(0)
}

fn cite(items: &[Item], style: CiteStyle) -> String {
    format_citation(items, &style.into()).unwrap()
}

#[test]
fn style_names() {
    for (s, want) in [
        ("apa", CiteStyle::Apa),
        ("APA", CiteStyle::Apa),
        ("chicago", CiteStyle::ChicagoAuthorDate),
        ("chicago-author-date", CiteStyle::ChicagoAuthorDate),
        ("ieee", CiteStyle::Ieee),
        ("harvard", CiteStyle::Harvard),
    ] {
        assert_eq!(s.parse::<CiteStyle>().unwrap(), want, "{s}");
    }
    for s in CiteStyle::ALL {
        assert_eq!(s.as_str().parse::<CiteStyle>().unwrap(), *s);
        assert_eq!(s.to_string(), s.as_str());
    }
    let e = "mla".parse::<CiteStyle>().unwrap_err();
    assert!(e.contains("unknown citation style") && e.contains("harvard"), "{e}");
}

#[test]
fn empty_input() {
    for s in CiteStyle::ALL {
        assert!(format_references(&[], &(*s).into()).unwrap().is_empty());
        assert_eq!(format_citation(&[], &(*s).into()).unwrap(), "");
    }
}

/// APA 7 (§10.1, journal article): `Author, A. A., & Author, B. B. (Year). Title of article.
/// Periodical Name, volume(issue), pages. https://doi.org/…` — surname and initials, up to 20
/// authors all listed with "&" before the last, year only for journal articles, title in
/// sentence case as given, italic journal and volume (italics are lost in plain text), issue in
/// parentheses right after the volume. The seed gives no pages and no DOI, so the entry ends
/// after the issue. Every string below was checked against those rules by hand.
#[test]
fn apa7_seed_articles_with_test_titles() {
    let mut items = seed_items();
    for it in &mut items {
        it.title = TEST_TITLE.into();
    }
    let got = refs(&items, CiteStyle::Apa);
    assert_eq!(
        got,
        [
            "Casiano Flores, C., Rodriguez Müller, A. P., Virkar, S., Temple, L., Steen, T., & \
             Crompvoets, J. (2022). TEST TITLE, not the article's real title. Transforming \
             Government: People, Process and Policy, 16(4).",
            "Jaspers, S., & Steen, T. (2019). TEST TITLE, not the article's real title. \
             International Journal of Public Sector Management, 33(1).",
            "Uster, A. (2024). TEST TITLE, not the article's real title. International Journal \
             of Public Sector Management, 37(5).",
            "Fledderus, J. (2015). TEST TITLE, not the article's real title. International \
             Journal of Public Sector Management, 28(7).",
        ]
    );
    // In-text (APA 7 §8.17): one or two authors by name ("&" inside parentheses), three or
    // more as "First et al."; several works in one parenthesis, alphabetical, ";"-separated.
    assert_eq!(cite(&items[1..2], CiteStyle::Apa), "(Jaspers & Steen, 2019)");
    assert_eq!(cite(&items[0..1], CiteStyle::Apa), "(Casiano Flores et al., 2022)");
    assert_eq!(
        cite(&items, CiteStyle::Apa),
        "(Casiano Flores et al., 2022; Fledderus, 2015; Jaspers & Steen, 2019; Uster, 2024)"
    );
}

#[test]
fn apa7_article_with_pages_and_doi() {
    // Hypothetical pages and DOI (the seed has neither) to check the full APA 7 pattern: page
    // range with an en dash, DOI as an https://doi.org/ URL with no final period.
    let mut a = seed_items().remove(1);
    a.title = TEST_TITLE.into();
    a.pages = "1--14".into();
    a.doi = "https://doi.org/10.9999/folio-test".into();
    assert_eq!(
        one(&a, CiteStyle::Apa),
        "Jaspers, S., & Steen, T. (2019). TEST TITLE, not the article's real title. \
         International Journal of Public Sector Management, 33(1), 1–14. \
         https://doi.org/10.9999/folio-test"
    );
}

/// The seed's articles as given, with empty titles: they format in every style without a
/// placeholder title.
#[test]
fn seed_articles_without_titles_in_every_style() {
    let items = seed_items();
    assert_eq!(
        refs(&items, CiteStyle::Apa)[1],
        "Jaspers, S., & Steen, T. (2019). International Journal of Public Sector Management, 33(1)."
    );
    assert_eq!(
        refs(&items, CiteStyle::ChicagoAuthorDate)[1],
        "Jaspers, Sylke, and Trui Steen. 2019. International Journal of Public Sector Management 33 (1)."
    );
    assert_eq!(
        refs(&items, CiteStyle::Ieee)[1],
        "[2] S. Jaspers and T. Steen, International Journal of Public Sector Management, vol. 33, no. 1, Dec. 2019."
    );
    assert_eq!(
        refs(&items, CiteStyle::Harvard)[1],
        "Jaspers, S. and Steen, T. (2019) International Journal of Public Sector Management, 33(1)."
    );
    for s in CiteStyle::ALL {
        let r = refs(&items, *s);
        assert_eq!(r.len(), 4);
        for (it, line) in items.iter().zip(&r) {
            assert!(line.contains(&it.container), "{s}: {line}");
            assert!(line.contains(&it.date.year.unwrap().to_string()), "{s}: {line}");
            assert!(!line.contains("..") && !line.contains(", ,"), "{s}: {line}");
        }
    }
}

/// The seed page run through Folio's own results-text importer, when the seed is available
/// (it lives in shared/, beside the repository): the imported items format too.
#[test]
fn imported_seed_page_formats() {
    let path = std::env::var_os("FOLIO_SEED")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| {
            std::path::PathBuf::from(concat!(
                env!("CARGO_MANIFEST_DIR"),
                "/../../../shared/seed/search-results.txt"
            ))
        });
    let text = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("seed page {} not found (set FOLIO_SEED): {e}", path.display()));
    let items: Vec<Item> = crate::format::results_text::parse(&text)
        .items
        .into_iter()
        .map(|p| p.item)
        .collect();
    assert_eq!(items.len(), 4);
    let apa = refs(&items, CiteStyle::Apa);
    assert_eq!(
        apa[1],
        "Jaspers, S., & Steen, T. (2019). International Journal of Public Sector Management, 33(1)."
    );
    assert_eq!(cite(&items[1..2], CiteStyle::Apa), "(Jaspers & Steen, 2019)");
    assert_eq!(cite(&items[1..2], CiteStyle::Ieee), "[1]");
    assert_eq!(cite(&items[0..1], CiteStyle::Apa), "(Casiano Flores et al., 2022)");
}

#[test]
fn chicago_author_date() {
    let mut items = seed_items();
    items[1].title = TEST_TITLE.into();
    items[1].pages = "1-14".into();
    let r = refs(&items[1..2], CiteStyle::ChicagoAuthorDate);
    // Chicago: full given names, "and", year after the names, title in quotation marks and in
    // headline case (the style capitalises it), "volume (issue): pages".
    assert_eq!(
        r[0],
        "Jaspers, Sylke, and Trui Steen. 2019. “TEST TITLE, Not the Article's Real Title.” \
         International Journal of Public Sector Management 33 (1): 1–14."
    );
    assert_eq!(
        cite(&items[1..2], CiteStyle::ChicagoAuthorDate),
        "(Jaspers and Steen 2019)"
    );
    assert_eq!(
        cite(&items[0..1], CiteStyle::ChicagoAuthorDate),
        "(Casiano Flores et al. 2022)"
    );
}

#[test]
fn ieee_numbers_in_the_order_given() {
    let mut items = seed_items();
    for it in &mut items {
        it.title = TEST_TITLE.into();
    }
    let r = refs(&items, CiteStyle::Ieee);
    assert_eq!(
        r[1],
        "[2] S. Jaspers and T. Steen, “TEST TITLE, not the article's real title,” International \
         Journal of Public Sector Management, vol. 33, no. 1, Dec. 2019."
    );
    for (i, line) in r.iter().enumerate() {
        assert!(line.starts_with(&format!("[{}] ", i + 1)), "{line}");
    }
    assert_eq!(cite(&items[1..2], CiteStyle::Ieee), "[1]");
    assert_eq!(cite(&items, CiteStyle::Ieee), "[1], [2], [3], [4]");
}

#[test]
fn harvard_cite_them_right() {
    let mut items = seed_items();
    for it in &mut items {
        it.title = TEST_TITLE.into();
    }
    let r = refs(&items, CiteStyle::Harvard);
    assert_eq!(
        r[1],
        "Jaspers, S. and Steen, T. (2019) “TEST TITLE, not the article's real title,” \
         International Journal of Public Sector Management, 33(1)."
    );
    // Cite Them Right: four or more authors become "First et al." in the list too.
    assert!(r[0].starts_with("Casiano Flores, C. et al. (2022)"), "{}", r[0]);
    assert_eq!(cite(&items[1..2], CiteStyle::Harvard), "(Jaspers and Steen, 2019)");
}

fn book() -> Item {
    let mut b = Item::new(ItemType::Book, "Governing the commons");
    b.subtitle = "The evolution of institutions for collective action".into();
    b.creators.push(person(Role::Author, "Ostrom", "Elinor"));
    b.date = PartialDate::year(1990);
    b.publisher = "Cambridge University Press".into();
    b.place = "Cambridge".into();
    b.edition = "2".into();
    b.isbn = "978-0-521-40599-7".into();
    b
}

#[test]
fn a_book() {
    let b = book();
    // APA 7 §10.2: no place of publication; edition in parentheses after the title.
    assert_eq!(
        one(&b, CiteStyle::Apa),
        "Ostrom, E. (1990). Governing the commons: The evolution of institutions for collective \
         action (2nd ed.). Cambridge University Press."
    );
    assert_eq!(
        one(&b, CiteStyle::ChicagoAuthorDate),
        "Ostrom, Elinor. 1990. Governing the Commons: The Evolution of Institutions for \
         Collective Action. 2nd ed. Cambridge University Press."
    );
    assert_eq!(
        one(&b, CiteStyle::Ieee),
        "[1] E. Ostrom, Governing the commons: The evolution of institutions for collective \
         action, 2nd ed. Cambridge: Cambridge University Press, 1990."
    );
    assert_eq!(
        one(&b, CiteStyle::Harvard),
        "Ostrom, E. (1990) Governing the commons: The evolution of institutions for collective \
         action. 2nd ed. Cambridge: Cambridge University Press."
    );
    assert_eq!(cite(&[b], CiteStyle::Apa), "(Ostrom, 1990)");
}

#[test]
fn chapter_with_editors() {
    let mut c = Item::new(ItemType::InCollection, "Test chapter title");
    c.creators.push(person(Role::Author, "Steen", "Trui"));
    c.creators.push(person(Role::Editor, "Brandsen", "Taco"));
    c.creators.push(person(Role::Editor, "Verschuere", "Bram"));
    c.container = "Test book title".into();
    c.date = PartialDate::year(2018);
    c.pages = "101--120".into();
    c.publisher = "Routledge".into();
    c.place = "New York".into();
    // APA 7 §10.3: "In E. Editor & E. Editor (Eds.), Book title (pp. x–y). Publisher."
    assert_eq!(
        one(&c, CiteStyle::Apa),
        "Steen, T. (2018). Test chapter title. In T. Brandsen & B. Verschuere (Eds.), Test book \
         title (pp. 101–120). Routledge."
    );
    // hayagriva's Chicago output leaves out the chapter's page range (CMOS 18 §14.8 has it).
    assert_eq!(
        one(&c, CiteStyle::ChicagoAuthorDate),
        "Steen, Trui. 2018. “Test Chapter Title.” In Test Book Title, edited by Taco Brandsen \
         and Bram Verschuere. Routledge."
    );
    assert_eq!(
        one(&c, CiteStyle::Ieee),
        "[1] T. Steen, “Test chapter title,” in Test book title, T. Brandsen and B. Verschuere, \
         Eds., New York: Routledge, 2018, pp. 101–120."
    );
    assert_eq!(
        one(&c, CiteStyle::Harvard),
        "Steen, T. (2018) “Test chapter title,” in T. Brandsen and B. Verschuere (eds.) Test \
         book title. New York: Routledge, pp. 101–120."
    );
    // An editor-only book is cited by its editors.
    let mut ed = Item::new(ItemType::Collection, "Test edited book");
    ed.creators.push(person(Role::Editor, "Brandsen", "Taco"));
    ed.date = PartialDate::year(2018);
    ed.publisher = "Routledge".into();
    assert_eq!(
        one(&ed, CiteStyle::Apa),
        "Brandsen, T. (Ed.). (2018). Test edited book. Routledge."
    );
}

#[test]
fn conference_paper() {
    let mut q = Item::new(ItemType::InProceedings, "Test paper title");
    q.creators.push(person(Role::Author, "Doe", "Jane"));
    q.container = "Proceedings of the Test Conference".into();
    q.date = PartialDate::year(2023);
    q.pages = "5-9".into();
    q.publisher = "ACM".into();
    assert_eq!(
        one(&q, CiteStyle::Apa),
        "Doe, J. (2023). Test paper title. In Proceedings of the Test Conference (pp. 5–9). ACM."
    );
    assert_eq!(
        one(&q, CiteStyle::Ieee),
        "[1] J. Doe, “Test paper title,” in Proceedings of the Test Conference, ACM, 2023, pp. 5–9."
    );
}

#[test]
fn organisation_author() {
    let mut o = Item::new(ItemType::Report, "Test report title");
    o.creators
        .push(Creator::literal(Role::Author, "World Health Organization"));
    o.date = PartialDate::year(2020);
    o.publisher = "World Health Organization".into();
    o.url = "https://example.org/report".into();
    // APA 7 §9.24: a group author that is also the publisher is not repeated as publisher.
    assert_eq!(
        one(&o, CiteStyle::Apa),
        "World Health Organization. (2020). Test report title. https://example.org/report"
    );
    assert_eq!(cite(&[o.clone()], CiteStyle::Apa), "(World Health Organization, 2020)");
    // The name is never inverted or abbreviated.
    assert_eq!(
        one(&o, CiteStyle::Ieee),
        "[1] World Health Organization, “Test report title,” World Health Organization, 2020. \
         [Online]. Available: https://example.org/report"
    );
    assert!(one(&o, CiteStyle::Harvard).starts_with("World Health Organization (2020) Test report title."));
}

#[test]
fn particles_and_suffixes() {
    let mut p = Item::new(ItemType::Article, "Test particle title");
    p.creators.push(Creator::parse_name(Role::Author, "van der Berg, Jan"));
    p.creators
        .push(Creator::parse_name(Role::Author, "King, Jr., Martin Luther"));
    p.date = PartialDate::year(2021);
    p.container = "Test Journal".into();
    p.volume = "3".into();
    // APA keeps the particle in front (non-dropping, as citeproc-js does for Zotero), printed
    // as stored (lowercase, also at the start of the entry); the suffix follows the initials.
    assert_eq!(
        one(&p, CiteStyle::Apa),
        "van der Berg, J., & King, M. L., Jr. (2021). Test particle title. Test Journal, 3."
    );
    assert_eq!(cite(&[p.clone()], CiteStyle::Apa), "(van der Berg & King, 2021)");
    // Chicago demotes the particle in the inverted name (CMOS: "Berg, Jan van der").
    assert!(
        one(&p, CiteStyle::ChicagoAuthorDate).starts_with("Berg, Jan van der, and Martin Luther King Jr. 2021."),
        "{}",
        one(&p, CiteStyle::ChicagoAuthorDate)
    );
    // Without volume, issue and pages hayagriva's Chicago leaves "Journal,."; the comma goes.
    p.volume.clear();
    assert!(
        one(&p, CiteStyle::ChicagoAuthorDate).ends_with("“Test Particle Title.” Test Journal."),
        "{}",
        one(&p, CiteStyle::ChicagoAuthorDate)
    );
    assert!(one(&p, CiteStyle::Ieee).starts_with("[1] J. van der Berg and M. L. King Jr., "));
    assert!(one(&p, CiteStyle::Harvard).starts_with("van der Berg, J. and King, M.L., Jr. (2021)"));
}

#[test]
fn no_date() {
    let mut n = Item::new(ItemType::Book, "Test undated book");
    n.creators.push(person(Role::Author, "Doe", "Jane"));
    n.publisher = "Test Press".into();
    assert_eq!(
        one(&n, CiteStyle::Apa),
        "Doe, J. (n.d.). Test undated book. Test Press."
    );
    assert_eq!(cite(&[n.clone()], CiteStyle::Apa), "(Doe, n.d.)");
    assert_eq!(
        one(&n, CiteStyle::ChicagoAuthorDate),
        "Doe, Jane. n.d. Test Undated Book. Test Press."
    );
    assert_eq!(
        one(&n, CiteStyle::Harvard),
        "Doe, J. (no date) Test undated book. Test Press."
    );
    // A raw date text without a year is no date either.
    n.date = PartialDate::parse("forthcoming");
    assert_eq!(
        one(&n, CiteStyle::Apa),
        "Doe, J. (n.d.). Test undated book. Test Press."
    );
}

#[test]
fn thesis_and_web_page() {
    let mut t = Item::new(ItemType::PhdThesis, "Test thesis title");
    t.creators.push(person(Role::Author, "Doe", "John"));
    t.institution = "KU Leuven".into();
    t.date = PartialDate::year(2017);
    // APA 7 §10.6 puts the institution inside the brackets ("[Doctoral dissertation, KU
    // Leuven]"); the CSL APA style prints it as the publisher after them.
    assert_eq!(
        one(&t, CiteStyle::Apa),
        "Doe, J. (2017). Test thesis title [Doctoral dissertation]. KU Leuven."
    );
    let mut w = Item::new(ItemType::Online, "Test page title");
    w.creators.push(person(Role::Author, "Doe", "Jane"));
    w.container = "Test Website".into();
    w.date = PartialDate::ymd(2024, Some(3), Some(1));
    w.url = "https://example.org/page".into();
    // APA 7 §10.16: full date, site name, URL.
    assert_eq!(
        one(&w, CiteStyle::Apa),
        "Doe, J. (2024, March 1). Test page title. Test Website. https://example.org/page"
    );
}

#[test]
fn language_decides_title_case() {
    let mut a = Item::new(ItemType::Book, "Ein deutscher Titel");
    a.creators.push(person(Role::Author, "Doe", "Jane"));
    a.date = PartialDate::year(2020);
    // Chicago title-cases English titles (and titles of unknown language) only.
    assert_eq!(
        one(&a, CiteStyle::ChicagoAuthorDate),
        "Doe, Jane. 2020. Ein Deutscher Titel."
    );
    for lang in ["de", "German", "de-AT"] {
        a.language = lang.into();
        assert_eq!(
            one(&a, CiteStyle::ChicagoAuthorDate),
            "Doe, Jane. 2020. Ein deutscher Titel.",
            "{lang}"
        );
    }
    a.language = "English".into();
    assert_eq!(
        one(&a, CiteStyle::ChicagoAuthorDate),
        "Doe, Jane. 2020. Ein Deutscher Titel."
    );
    // An unreadable language is ignored rather than guessed.
    a.language = "Klingon, mostly".into();
    assert_eq!(
        one(&a, CiteStyle::ChicagoAuthorDate),
        "Doe, Jane. 2020. Ein Deutscher Titel."
    );
}

#[test]
fn order_given_and_disambiguation() {
    let mut a = Item::new(ItemType::Book, "Zeta book");
    a.creators.push(person(Role::Author, "Doe", "Jane"));
    a.date = PartialDate::year(2020);
    let mut b = Item::new(ItemType::Book, "Alpha book");
    b.creators.push(person(Role::Author, "Doe", "Jane"));
    b.date = PartialDate::year(2020);
    let mut c = Item::new(ItemType::Book, "Middle book");
    c.creators.push(person(Role::Author, "Aaron", "Ann"));
    c.date = PartialDate::year(2001);
    let items = [a.clone(), b.clone(), c];
    let r = refs(&items, CiteStyle::Apa);
    // Input order is kept (Aaron stays last). DEVIATION: APA 7 §9.47 letters same-author,
    // same-year works by title ("Alpha" 2020a, "Zeta" 2020b); hayagriva letters them in the
    // order they are cited, here the order given.
    assert_eq!(r[0], "Doe, J. (2020a). Zeta book.");
    assert_eq!(r[1], "Doe, J. (2020b). Alpha book.");
    assert_eq!(r[2], "Aaron, A. (2001). Middle book.");
    let r = refs(&[b, a], CiteStyle::Apa);
    assert_eq!(r, ["Doe, J. (2020a). Alpha book.", "Doe, J. (2020b). Zeta book."]);
}

#[test]
fn empty_and_odd_items_do_not_fail() {
    let mut odd = Item::default();
    odd.creators.push(Creator::literal(Role::Author, "  "));
    odd.creators.push(person(Role::Author, "", ""));
    odd.creators.push(person(Role::Editor, "", "Cher"));
    odd.pages = "xii–xx, 5 & 7".into();
    odd.volume = "Suppl. 2".into();
    odd.url = "not a url".into();
    odd.language = "English".into();
    odd.date = PartialDate::ymd(2021, Some(13), Some(40));
    for s in CiteStyle::ALL {
        let r = refs(&[Item::default(), odd.clone()], *s);
        assert_eq!(r.len(), 2);
        cite(&[Item::default(), odd.clone()], *s);
    }
    assert_eq!(one(&Item::default(), CiteStyle::Apa), "(n.d.).");
}

mod props {
    use super::*;
    use proptest::prelude::*;

    fn any_type() -> impl Strategy<Value = ItemType> {
        (0..ItemType::ALL.len()).prop_map(|i| ItemType::ALL[i].ty)
    }

    fn creator() -> impl Strategy<Value = Creator> {
        let role = (0..Role::ALL.len()).prop_map(|i| Role::ALL[i]);
        prop_oneof![
            (role.clone(), ".{0,12}", ".{0,12}", "(van|de la|)", "(Jr\\.|III|)").prop_map(
                |(role, family, given, particle, suffix)| Creator {
                    role,
                    name: crate::model::Name::Person {
                        family,
                        given,
                        particle,
                        suffix,
                    },
                }
            ),
            (role, ".{0,20}").prop_map(|(role, l)| Creator::literal(role, &l)),
        ]
    }

    fn item() -> impl Strategy<Value = Item> {
        (
            any_type(),
            (".{0,30}", ".{0,10}", ".{0,10}"),
            prop::collection::vec(creator(), 0..5),
            (
                ".{0,20}",
                "[0-9A-Za-z .-]{0,6}",
                "[0-9A-Za-z .-]{0,6}",
                "[0-9ivx ,&–-]{0,10}",
            ),
            (".{0,8}", ".{0,12}", ".{0,8}", ".{0,12}"),
            (
                prop::option::of(-3000i32..3000),
                prop::option::of(0u8..15),
                prop::option::of(0u8..35),
            ),
            (
                "(10\\.[0-9]{4}/.{0,8}|)",
                "(https://example\\.org/.{0,6}|.{0,6})",
                "[a-zA-Z-]{0,6}",
            ),
        )
            .prop_map(
                |(
                    ty,
                    (title, subtitle, short),
                    creators,
                    (container, volume, issue, pages),
                    (edition, publisher, place, institution),
                    (y, m, d),
                    (doi, url, language),
                )| {
                    let mut it = Item::new(ty, &title);
                    it.subtitle = subtitle;
                    it.short_title = short;
                    it.creators = creators;
                    it.container = container;
                    it.volume = volume;
                    it.issue = issue;
                    it.pages = pages;
                    it.edition = edition;
                    it.publisher = publisher;
                    it.place = place;
                    it.institution = institution;
                    it.date = PartialDate {
                        year: y,
                        month: m,
                        day: d,
                        raw: String::new(),
                    };
                    it.doi = doi;
                    it.url = url;
                    it.language = language;
                    it.series = it.short_title.clone();
                    it
                },
            )
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]
        #[test]
        fn no_item_panics_or_fails(items in prop::collection::vec(item(), 1..4)) {
            for s in CiteStyle::ALL {
                let r = format_references(&items, &(*s).into());
                prop_assert!(r.is_ok(), "{s}: {r:?}");
                prop_assert_eq!(r.unwrap().len(), items.len());
                let c = format_citation(&items, &(*s).into());
                prop_assert!(c.is_ok(), "{s}: {c:?}");
            }
        }
    }
}

#[test]
fn translator_and_series() {
    let mut b = book();
    b.creators.push(person(Role::Translator, "Smith", "Tom"));
    b.series = "Political economy of institutions and decisions".into();
    b.volume = "3".into();
    // APA 7 §10.2: translator with the edition in the parenthetical; no series.
    assert_eq!(
        one(&b, CiteStyle::Apa),
        "Ostrom, E. (1990). Governing the commons: The evolution of institutions for collective action \
         (T. Smith, Trans.; 2nd ed.). Cambridge University Press."
    );
    // The volume of a book in a series is its number in the series.
    assert_eq!(
        one(&b, CiteStyle::ChicagoAuthorDate),
        "Ostrom, Elinor. 1990. Governing the Commons: The Evolution of Institutions for Collective Action. \
         2nd ed. Translated by Tom Smith. Political Economy of Institutions and Decisions 3. Cambridge \
         University Press."
    );
    assert_eq!(
        one(&b, CiteStyle::Harvard),
        "Ostrom, E. (1990) Governing the commons: The evolution of institutions for collective action. 2nd \
         ed. Translated by T. Smith. Cambridge: Cambridge University Press (Political economy of \
         institutions and decisions, 3)."
    );
}

/// Custom styles: resolving names, CSL ids and `.csl` files; caching; every error kind.
mod custom_styles {
    use super::*;
    use std::path::{Path, PathBuf};

    fn article() -> Item {
        let mut it = Item::new(ItemType::Article, "The temporary use of vacant spaces");
        it.creators.push(person(Role::Author, "Jaspers", "Sylke"));
        it.creators.push(person(Role::Author, "Steen", "Trui"));
        it.date = PartialDate::ymd(2019, Some(12), Some(4));
        it.container = "International Journal of Public Sector Management".into();
        it.volume = "33".into();
        it.issue = "1".into();
        it.pages = "1-10".into();
        it
    }

    fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
        let p = dir.join(name);
        std::fs::write(&p, text).unwrap();
        p
    }

    fn resolve(p: &Path) -> Result<CslStyle, StyleError> {
        CslStyle::resolve(p.to_str().unwrap())
    }

    /// A minimal independent CSL 1.0 style: citations as "<<Family Year>>", bibliography
    /// entries as "REF: TITLE / Family / Year" (title upper-cased).
    fn minimal(title: &str, bibliography: bool) -> String {
        let bib = if bibliography {
            r#"<bibliography><layout suffix="."><text value="REF: "/><text variable="title" text-case="uppercase"/><text value=" / "/><names variable="author"><name form="short" and="text" delimiter=", "/></names><text value=" / "/><date variable="issued"><date-part name="year"/></date></layout></bibliography>"#
        } else {
            ""
        };
        format!(
            r#"<?xml version="1.0" encoding="utf-8"?>
<!-- written by Folio's tests -->
<style xmlns="http://purl.org/net/xbiblio/csl" class="in-text" version="1.0" default-locale="en-GB">
  <info><title>{title}</title><id>http://example.org/styles/folio-test</id><updated>2026-01-01T00:00:00+00:00</updated></info>
  <citation><layout prefix="&lt;&lt;" suffix="&gt;&gt;" delimiter="; "><group delimiter=" "><names variable="author"><name form="short" and="text"/></names><date variable="issued"><date-part name="year"/></date></group></layout></citation>
  {bib}
</style>
"#
        )
    }

    fn dependent(parent: &str, locale: &str) -> String {
        format!(
            r#"<?xml version="1.0" encoding="utf-8"?>
<style xmlns="http://purl.org/net/xbiblio/csl" version="1.0" default-locale="{locale}">
  <info>
    <title>Some Journal</title>
    <id>http://www.zotero.org/styles/some-journal</id>
    <link href="http://www.zotero.org/styles/some-journal" rel="self"/>
    <link href="{parent}" rel="independent-parent"/>
    <category citation-format="author-date"/>
    <updated>2026-01-01T00:00:00+00:00</updated>
  </info>
</style>
"#
        )
    }

    #[test]
    fn names_ids_and_urls_resolve_to_archived_styles() {
        let apa = CslStyle::resolve("apa").unwrap();
        assert_eq!(apa.id(), "http://www.zotero.org/styles/apa");
        assert_eq!(apa.name(), "apa");
        for (given, id) in [
            ("nature", "http://www.zotero.org/styles/nature"),
            ("NATURE ", "http://www.zotero.org/styles/nature"),
            (
                "http://www.zotero.org/styles/nature",
                "http://www.zotero.org/styles/nature",
            ),
            (
                "https://www.zotero.org/styles/nature/",
                "http://www.zotero.org/styles/nature",
            ),
            ("vancouver", "http://www.zotero.org/styles/nlm-citation-sequence"),
            ("mla", "http://www.zotero.org/styles/modern-language-association"),
            (
                "modern-language-association",
                "http://www.zotero.org/styles/modern-language-association",
            ),
            ("elsevier-harvard", "http://www.zotero.org/styles/elsevier-harvard"),
            ("http://www.zotero.org/styles/apa", "http://www.zotero.org/styles/apa"),
            (
                "http://www.zotero.org/styles/chicago-author-date",
                CslStyle::from(CiteStyle::ChicagoAuthorDate).id(),
            ),
        ] {
            let s = CslStyle::resolve(given).unwrap_or_else(|e| panic!("{given}: {e}"));
            assert_eq!(s.id(), id, "{given}");
            assert!(!s.title().is_empty(), "{given}");
        }
        // The four quick choices are the same styles as before.
        for c in CiteStyle::ALL {
            let s = CslStyle::resolve(c.as_str()).unwrap();
            assert_eq!(s.name(), c.as_str());
            assert_eq!(s.id(), CslStyle::from(*c).id());
        }
        // Every bundled style is listed once and resolves by its name and its id.
        let all = bundled_styles();
        assert!(all.len() >= 80, "{}", all.len());
        for b in &all {
            assert_eq!(CslStyle::resolve(b.name).unwrap().id(), b.id, "{}", b.name);
            assert_eq!(CslStyle::resolve(b.id).unwrap().id(), b.id);
            for a in b.aliases {
                assert_eq!(CslStyle::resolve(a).unwrap().id(), b.id, "{a}");
            }
        }
    }

    /// Every bundled style formats real items without failing or panicking.
    #[test]
    fn every_bundled_style_formats() {
        let mut items = seed_items();
        items.push(article());
        for b in bundled_styles() {
            let s = CslStyle::resolve(b.name).unwrap();
            let c = format_citation(&items, &s);
            assert!(c.as_ref().is_ok_and(|c| !c.is_empty()), "{}: {c:?}", b.name);
            if s.has_bibliography() {
                let r = format_references(&items, &s).unwrap_or_else(|e| panic!("{}: {e}", b.name));
                assert_eq!(r.len(), items.len());
                assert!(r.iter().all(|x| !x.is_empty()), "{}: {r:?}", b.name);
            }
        }
    }

    #[test]
    fn archive_styles_render_as_their_guides_say() {
        let it = article();
        // Nature: numbered, initials after the family name, "&" before the last author, volume
        // and pages then the year in parentheses.
        let nature = CslStyle::resolve("nature").unwrap();
        let r = format_references(std::slice::from_ref(&it), &nature).unwrap();
        assert!(
            r[0].starts_with("1. Jaspers, S. & Steen, T. The temporary use of vacant spaces."),
            "{r:?}"
        );
        assert!(r[0].ends_with("(2019)."), "{r:?}");
        // MLA 9: full given names, the second author's given name first, the title in
        // quotation marks, "vol." and "no.", the date as published, "pp.".
        let mla = CslStyle::resolve("http://www.zotero.org/styles/modern-language-association").unwrap();
        let r = format_references(std::slice::from_ref(&it), &mla).unwrap();
        assert!(
            r[0].starts_with("Jaspers, Sylke, and Trui Steen. “The Temporary Use of Vacant Spaces.”"),
            "{r:?}"
        );
        assert!(r[0].contains("vol. 33, no. 1, Dec. 2019, pp. 1–10"), "{r:?}");
        assert_eq!(
            format_citation(std::slice::from_ref(&it), &mla).unwrap(),
            "(Jaspers and Steen)"
        );
    }

    #[test]
    fn an_independent_csl_file_renders_its_own_layout() {
        let dir = tempfile::tempdir().unwrap();
        let p = write(dir.path(), "mine.csl", &minimal("Folio Test Style", true));
        let s = resolve(&p).unwrap();
        assert_eq!(s.title(), "Folio Test Style");
        assert_eq!(s.id(), "http://example.org/styles/folio-test");
        assert_eq!(s.locale().0, "en-GB");
        let items = [article()];
        assert_eq!(
            format_references(&items, &s).unwrap(),
            ["REF: THE TEMPORARY USE OF VACANT SPACES / Jaspers and Steen / 2019."]
        );
        assert_eq!(format_citation(&items, &s).unwrap(), "<<Jaspers and Steen 2019>>");
        // A relative path without a directory is a file too when it ends in .csl.
        assert!(matches!(
            CslStyle::resolve("no-such-style.csl"),
            Err(StyleError::Io { .. })
        ));
    }

    #[test]
    fn files_are_cached_by_path_and_version() {
        let dir = tempfile::tempdir().unwrap();
        let p = write(dir.path(), "mine.csl", &minimal("First", true));
        let a = resolve(&p).unwrap();
        assert!(a.same(&resolve(&p).unwrap()), "the same file is parsed once");
        // Rewritten (another length, another time): read again.
        std::fs::write(&p, minimal("Second version", true)).unwrap();
        let f = std::fs::File::options().write(true).open(&p).unwrap();
        f.set_modified(std::time::SystemTime::now() + std::time::Duration::from_secs(5))
            .unwrap();
        let b = resolve(&p).unwrap();
        assert!(!a.same(&b));
        assert_eq!(b.title(), "Second version");
        assert!(CslStyle::resolve("nature")
            .unwrap()
            .same(&CslStyle::resolve("http://www.zotero.org/styles/nature").unwrap()));
    }

    #[test]
    fn a_dependent_file_renders_with_its_archived_parent() {
        let dir = tempfile::tempdir().unwrap();
        let p = write(
            dir.path(),
            "journal.csl",
            &dependent("http://www.zotero.org/styles/elsevier-harvard", "en-US"),
        );
        let s = resolve(&p).unwrap();
        assert_eq!(s.title(), "Some Journal");
        let parent = CslStyle::resolve("elsevier-harvard").unwrap();
        let items = seed_items();
        assert_eq!(format_references(&items, &s), format_references(&items, &parent));
        assert_eq!(format_citation(&items, &s), format_citation(&items, &parent));

        // Its default-locale is honoured when bundled: German terms ("S." for pages).
        let de = write(
            dir.path(),
            "de.csl",
            &dependent("http://www.zotero.org/styles/elsevier-harvard", "de-DE"),
        );
        let de = resolve(&de).unwrap();
        assert_eq!(de.locale().0, "de-DE");
        // An unknown locale falls back to en-US.
        let xx = write(
            dir.path(),
            "xx.csl",
            &dependent("http://www.zotero.org/styles/apa", "xx-XX"),
        );
        assert_eq!(resolve(&xx).unwrap().locale().0, "en-US");
        // A parent that is not bundled: the error names it.
        let orphan = write(
            dir.path(),
            "orphan.csl",
            &dependent("http://www.zotero.org/styles/not-bundled-anywhere", "en-US"),
        );
        match resolve(&orphan) {
            Err(e @ StyleError::MissingParent { .. }) => {
                let m = e.to_string();
                assert!(m.contains("http://www.zotero.org/styles/not-bundled-anywhere"), "{m}");
                assert!(m.contains("orphan.csl"), "{m}");
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn a_bundled_locale_changes_the_terms() {
        // German terms in a German style: "S." for pages, "In:" for the container.
        let de = CslStyle::resolve("deutsche-sprache").unwrap();
        assert_eq!(de.locale().0, "de-DE");
        let r = format_references(&[article()], &de).unwrap();
        assert!(r[0].contains("S. 1–10"), "{r:?}");
        let en = CslStyle::resolve("apa").unwrap();
        assert_eq!(en.locale().0, "en-US");
    }

    #[test]
    fn unknown_names_suggest_the_closest() {
        match CslStyle::resolve("natur") {
            Err(e @ StyleError::Unknown { .. }) => {
                let m = e.to_string();
                assert!(
                    m.contains("\"natur\"") && m.contains("nature") && m.contains("folio styles"),
                    "{m}"
                );
            }
            other => panic!("{other:?}"),
        }
        let m = CslStyle::resolve("elsevier").unwrap_err().to_string();
        assert!(m.contains("elsevier-harvard"), "{m}");
        assert!(CslStyle::resolve("").is_err());
        assert!(CslStyle::resolve("http://example.org/styles/nature").is_err());
    }

    #[test]
    fn broken_files_give_the_path_and_the_reason() {
        let dir = tempfile::tempdir().unwrap();
        let missing = dir.path().join("missing.csl");
        let e = resolve(&missing).unwrap_err();
        assert!(matches!(e, StyleError::Io { .. }), "{e:?}");
        assert!(e.to_string().contains("missing.csl"), "{e}");
        // A directory is not a style.
        assert!(matches!(resolve(dir.path()), Err(StyleError::Io { .. })));

        let text = write(dir.path(), "text.csl", "this is not a style\n");
        let e = resolve(&text).unwrap_err();
        assert!(matches!(e, StyleError::NotXml { .. }), "{e:?}");
        assert!(e.to_string().contains("text.csl"), "{e}");
        let empty = write(dir.path(), "empty.csl", "");
        assert!(matches!(resolve(&empty), Err(StyleError::NotXml { .. })));
        let binary = dir.path().join("binary.csl");
        std::fs::write(&binary, [0xff, 0xfe, 0x00, 0x3c]).unwrap();
        assert!(matches!(resolve(&binary), Err(StyleError::NotXml { .. })));

        for (i, odd) in ["<!-- never closed é", "<!é", "<?xml é", "\u{feff}  é<style/>"]
            .iter()
            .enumerate()
        {
            let p = write(dir.path(), &format!("odd{i}.csl"), odd);
            assert!(matches!(resolve(&p), Err(StyleError::NotXml { .. })), "{odd:?}");
        }
        let doctype = write(
            dir.path(),
            "doctype.csl",
            "<!DOCTYPE html>\n<!-- c --><html lang=\"en\"></html>",
        );
        assert!(matches!(resolve(&doctype), Err(StyleError::NotCsl { root, .. }) if root == "html"));
        let html = write(
            dir.path(),
            "page.csl",
            "<?xml version=\"1.0\"?>\n<html><body>hi</body></html>",
        );
        match resolve(&html) {
            Err(e @ StyleError::NotCsl { .. }) => {
                let m = e.to_string();
                assert!(m.contains("page.csl") && m.contains("<html>"), "{m}");
            }
            other => panic!("{other:?}"),
        }

        // Truncated XML and a style citationberg refuses: citationberg's message.
        let full = minimal("Broken", true);
        let cut = write(dir.path(), "cut.csl", &full[..full.len() / 2]);
        let e = resolve(&cut).unwrap_err();
        assert!(matches!(e, StyleError::Invalid { .. }), "{e:?}");
        assert!(e.to_string().contains("cut.csl"), "{e}");
        let no_class = write(dir.path(), "noclass.csl", &full.replace(r#"class="in-text" "#, ""));
        let e = resolve(&no_class).unwrap_err();
        assert!(matches!(e, StyleError::Invalid { .. }), "{e:?}");
        assert!(e.to_string().contains("class"), "{e}");
    }

    #[test]
    fn a_style_without_bibliography_says_so() {
        let dir = tempfile::tempdir().unwrap();
        let p = write(dir.path(), "cites.csl", &minimal("Citations only", false));
        let s = resolve(&p).unwrap();
        assert!(!s.has_bibliography());
        let e = format_references(&[article()], &s).unwrap_err();
        assert!(e.contains("no bibliography") && e.contains("cites.csl"), "{e}");
        assert_eq!(format_citation(&[article()], &s).unwrap(), "<<Jaspers and Steen 2019>>");
    }
}
