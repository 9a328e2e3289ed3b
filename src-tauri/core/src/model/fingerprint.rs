//! [`Item::fingerprint`]: a stable hash of everything the user can see or edit of an item.
//!
//! It hashes a canonical form, not the item's serialisation: for every row of the field
//! registry ([`super::fields`]) in order of name, the row's name and value when the value is
//! not empty, then the kept extra fields in their order (their order is data). Strings are
//! written with their length in front, so no two items share a form. So a field added to the
//! registry (empty in every item stored so far), a reordering of `Item`'s members or of the
//! registry's rows, leaves every stored fingerprint as it was; the id, the timestamps and the
//! source record are not part of it.
//!
//! The form, per row kind: a text field its text; `type` the type's name; `date` year, month
//! and day (each present or not) and the text it was read from; `creators` each creator's role
//! and name parts; `abstract` each section's heading and text; `keywords` each tag's name and
//! source; `access` the status and its source (empty: unknown, no source). `year` (a view of
//! `date`) and Folio's own bookkeeping add nothing.

use super::fields::{Field, Kind, FIELDS};
use super::{Fnv64, Item, Name, PartialDate};
use std::sync::OnceLock;

/// The registry's rows in order of name: the fingerprint's order.
fn by_name() -> &'static [&'static Field] {
    static SORTED: OnceLock<Vec<&'static Field>> = OnceLock::new();
    SORTED.get_or_init(|| {
        let mut v: Vec<&'static Field> = FIELDS.iter().collect();
        v.sort_by_key(|f| f.name);
        v
    })
}

impl Item {
    /// A stable hash of everything the user can see or edit (not id, timestamps or the
    /// source record). Used to tell whether an imported item was edited since: see the module
    /// documentation for what it covers and why it stays the same when a field is added.
    pub fn fingerprint(&self) -> u64 {
        fingerprint_over(self, by_name())
    }
}

/// The fingerprint of `item` with `fields` as the registry (in order of name).
fn fingerprint_over(item: &Item, fields: &[&Field]) -> u64 {
    let mut h = Canonical(Fnv64::new());
    for f in fields {
        h.field(item, f);
    }
    if !item.extra.is_empty() {
        h.name("extra");
        h.count(item.extra.len());
        for e in &item.extra {
            h.str(&e.name);
            h.str(&e.value);
        }
    }
    h.0.finish()
}

/// Writes the canonical form into the hash.
struct Canonical(Fnv64);

impl Canonical {
    fn count(&mut self, n: usize) {
        self.0.bytes(&(n as u64).to_le_bytes());
    }
    fn str(&mut self, s: &str) {
        self.count(s.len());
        self.0.bytes(s.as_bytes());
    }
    fn name(&mut self, name: &str) {
        self.str(name);
    }
    fn opt(&mut self, v: Option<i64>) {
        match v {
            None => self.0.bytes(&[0]),
            Some(v) => {
                self.0.bytes(&[1]);
                self.0.bytes(&v.to_le_bytes());
            }
        }
    }

    /// One registry row of `item`: nothing when empty.
    fn field(&mut self, item: &Item, f: &Field) {
        match f.kind {
            Kind::Text(slot) => {
                let v = (slot.get)(item);
                if !v.is_empty() {
                    self.name(f.name);
                    self.str(v);
                }
            }
            Kind::Type => {
                self.name(f.name);
                self.str(item.item_type.as_str());
            }
            Kind::Date => {
                let d = &item.date;
                if *d != PartialDate::default() {
                    self.name(f.name);
                    self.opt(d.year.map(i64::from));
                    self.opt(d.month.map(i64::from));
                    self.opt(d.day.map(i64::from));
                    self.str(&d.raw);
                }
            }
            Kind::Abstract => {
                let sections = item.r#abstract.sections();
                if !sections.is_empty() {
                    self.name(f.name);
                    self.count(sections.len());
                    for s in sections {
                        self.str(&s.heading);
                        self.str(&s.text);
                    }
                }
            }
            Kind::Access => {
                if item.access != super::Access::default() {
                    self.name(f.name);
                    self.str(item.access.status.as_str());
                    self.str(&item.access.source);
                }
            }
            Kind::Structured => self.structured(item, f),
            Kind::Year | Kind::Managed => {}
        }
    }

    /// The creators and the tags (the rows of [`Kind::Structured`], told apart by member).
    fn structured(&mut self, item: &Item, f: &Field) {
        match f.member {
            "creators" if !item.creators.is_empty() => {
                self.name(f.name);
                self.count(item.creators.len());
                for c in &item.creators {
                    self.str(c.role.as_str());
                    match &c.name {
                        Name::Person {
                            family,
                            given,
                            particle,
                            suffix,
                        } => {
                            self.0.bytes(b"p");
                            self.str(family);
                            self.str(given);
                            self.str(particle);
                            self.str(suffix);
                        }
                        Name::Literal { literal } => {
                            self.0.bytes(b"l");
                            self.str(literal);
                        }
                    }
                }
            }
            "tags" if !item.tags.is_empty() => {
                self.name(f.name);
                self.count(item.tags.len());
                for t in &item.tags {
                    self.str(&t.name);
                    self.str(t.source.as_str());
                }
            }
            "creators" | "tags" => {}
            other => unreachable!("no fingerprint form for the structured member {other}"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{
        Abstract, Access, AccessStatus, Creator, ExtraField, ItemTag, ItemType, Role, SourceRecord, TextSlot,
    };

    /// An item with every member filled in.
    pub(crate) fn full_item() -> Item {
        let mut it = Item::new(ItemType::Article, "A study of {tuna}");
        it.key = "Doe2020".into();
        it.subtitle = "With a subtitle".into();
        it.short_title = "Study".into();
        it.creators
            .push(Creator::parse_name(Role::Author, "van Doe, Jr., Jane"));
        it.creators.push(Creator::literal(Role::Editor, "WHO"));
        it.container = "Journal of Fish".into();
        it.series = "S".into();
        it.volume = "12".into();
        it.issue = "3".into();
        it.pages = "1--10".into();
        it.edition = "2".into();
        it.publisher = "P".into();
        it.place = "Oslo".into();
        it.institution = "U".into();
        it.date = PartialDate::parse("4 August 2022");
        it.doi = "10.1/x".into();
        it.issn = "1234-5678".into();
        it.isbn = "978-3-16-148410-0".into();
        it.url = "https://example.org".into();
        it.language = "english".into();
        it.note = "Ünïcode \"quoted\"".into();
        it.genre = "Research Article".into();
        it.r#abstract = Abstract::parse("Purpose: A. Findings: B.");
        it.tags.push(ItemTag::manual("x"));
        it.tags.push(ItemTag::imported("y"));
        it.access = Access::new(AccessStatus::Open, "user");
        it.extra.push(ExtraField::bibtex("eprint".into(), "{1234}".into()));
        it.extra.push(ExtraField::bibtex("bibdate".into(), "".into()));
        it
    }

    #[test]
    fn pinned() {
        // Stored in every library: this value must never change.
        assert_eq!(full_item().fingerprint(), 13349186587779520487);
        assert_eq!(Item::new(ItemType::Misc, "").fingerprint(), 13009966517462415825);
    }

    #[test]
    fn an_empty_field_added_to_the_registry_changes_nothing() {
        static EMPTY: String = String::new();
        fn get(_: &Item) -> &String {
            &EMPTY
        }
        fn get_mut(_: &mut Item) -> &mut String {
            unreachable!()
        }
        let new = Field {
            name: "newfield",
            aliases: &[],
            member: "newfield",
            columns: &["newfield"],
            label: "New",
            bibtex: "newfield",
            biblatex: "newfield",
            ris: "",
            csl: "",
            detail: true,
            kind: Kind::Text(TextSlot { get, get_mut }),
        };
        for item in [full_item(), Item::default()] {
            let base = fingerprint_over(&item, by_name());
            for at in 0..=by_name().len() {
                let mut fields = by_name().to_vec();
                fields.insert(at, &new);
                assert_eq!(fingerprint_over(&item, &fields), base);
            }
        }
    }

    #[test]
    fn every_member_counts_and_bookkeeping_does_not() {
        let base = full_item();
        let f = base.fingerprint();
        let mut same = base.clone();
        same.id = Some(3);
        same.date_added = "2026".into();
        same.date_modified = "2026".into();
        same.source = Some(SourceRecord {
            format: "bibtex".into(),
            text: "@misc{x}".into(),
            fingerprint: 1,
            batch: None,
        });
        assert_eq!(same.fingerprint(), f);
        type Edit = (&'static str, fn(&mut Item));
        let edits: Vec<Edit> = vec![
            ("type", |i| i.item_type = ItemType::Book),
            ("creator order", |i| i.creators.reverse()),
            ("creator role", |i| i.creators[1].role = Role::Author),
            ("date raw", |i| i.date.raw.push(' ')),
            ("date day", |i| i.date.day = None),
            ("abstract heading", |i| i.r#abstract.0[0].heading.clear()),
            ("tag source", |i| i.tags[0].source = crate::model::TagSource::Import),
            ("tag order", |i| i.tags.reverse()),
            ("access source", |i| i.access.source.clear()),
            ("extra order", |i| i.extra.reverse()),
            ("empty extra gone", |i| {
                i.extra.pop();
            }),
            ("text moved between fields", |i| {
                i.series = std::mem::take(&mut i.volume);
            }),
        ];
        for (what, edit) in edits {
            let mut it = base.clone();
            edit(&mut it);
            assert_ne!(it.fingerprint(), f, "{what}");
        }
        for field in crate::model::fields::text_fields() {
            let mut it = base.clone();
            field.text_mut(&mut it).unwrap().push('!');
            assert_ne!(it.fingerprint(), f, "{}", field.name);
        }
    }
}
