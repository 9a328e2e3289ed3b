use super::*;
use crate::model::{Creator, ItemType, PartialDate, Role};

fn person(role: Role, family: &str, given: &str) -> Creator {
    Creator::person(role, family, given)
}

/// The four Emerald articles of the seed search results, exactly as the seed gives them: no
/// titles, no pages, no DOIs.
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

#[test]
fn dump() {
    let items = seed_items();
    for s in CiteStyle::ALL {
        eprintln!("== {s}");
        for r in format_references(&items, *s).unwrap() {
            eprintln!("{r}");
        }
        eprintln!("cite: {}", format_citation(&items[1..2], *s).unwrap());
        eprintln!("cite all: {}", format_citation(&items, *s).unwrap());
    }
}
