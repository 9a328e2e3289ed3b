//! The field registry: one row per field of an [`Item`], saying everything Folio knows about the
//! field by name: the names it is read and set by, the `Item` member and the SQL columns it
//! lives in, its label in the app, and its names in BibTeX, BibLaTeX, RIS and CSL-JSON.
//!
//! Derived from it: [`TEXT_FIELDS`] and [`DETAIL_FIELDS`] (what `folio show`, the JSON view, the
//! item pane and merges walk), [`Item::get`]/[`Item::set`] name resolution (aliases included),
//! [`Item::fingerprint`] (which hashes every row's value under the row's name), and the text
//! fields of Folio's JSON view (`format::json`). Checked against it by tests (the lists live in
//! code that has its own reasons for its shape): the SQL columns of `items` (`tests/it/fields.rs`
//! reads `PRAGMA table_info`), the app's labels (`ui/src/features/fields.ts`), and the BibTeX,
//! BibLaTeX and RIS writers (each writes every text field under the row's name).
//!
//! # Adding a field
//! A plain text field is one row here (with [`Kind::Text`] and the `text!` accessors of the new
//! `Item` member) plus a migration adding its column. Then, beyond this module: the store's
//! column list and row reader (`store/items.rs`), the label in `ui/src/features/fields.ts`, and
//! the readers/writers of the formats that have a name for it — the tests named above fail
//! until each of them knows the field. The stored fingerprints of existing items do not change:
//! an empty field adds nothing to [`Item::fingerprint`].

use super::Item;

/// How a field's value is held and how [`Item::get`]/[`Item::set`] treat it.
#[derive(Clone, Copy)]
pub enum Kind {
    /// A plain `String` member, read and set as text (`set` trims it; `key` is checked and `doi`
    /// loses its resolver prefix).
    Text(TextSlot),
    /// `item_type`: read as its name, set from a known type name.
    Type,
    /// `date`: read as ISO (`2020-03`), set by parsing the text.
    Date,
    /// The year of `date`: read as a number, set from one (which replaces the whole date).
    Year,
    /// `abstract`: read flat, set by splitting the text into headed sections.
    Abstract,
    /// `access`: read as the status, set from one (its source becomes "user").
    Access,
    /// A structured member that `get`/`set` do not reach (`creators`, the tags): its name in
    /// `get`/`set` means a kept extra field of that name, as any unknown name does.
    Structured,
    /// Kept by Folio (`id`, timestamps): `set` refuses it.
    Managed,
}

/// Where a text field lives in an [`Item`].
#[derive(Clone, Copy)]
pub struct TextSlot {
    pub get: fn(&Item) -> &String,
    pub get_mut: fn(&mut Item) -> &mut String,
}

/// One field of the registry. An empty name for a format means that format has no field for it.
#[derive(Clone, Copy)]
pub struct Field {
    /// Folio's name: `get`/`set`, `folio edit --set`, the JSON view, the fingerprint.
    pub name: &'static str,
    /// Other names `get`/`set` accept (lowercase; matched without regard to case).
    pub aliases: &'static [&'static str],
    /// The [`Item`] member it lives in.
    pub member: &'static str,
    /// The `items` columns that hold it (none: another table, `item_tags`).
    pub columns: &'static [&'static str],
    /// Its label in the app (`ui/src/features/fields.ts`); empty: the app shows no row for it.
    pub label: &'static str,
    /// The BibTeX field the writer prefers (`@article`: `journal`; the writer may pick another
    /// of the field's names for other types, or when an extra field already has that name).
    pub bibtex: &'static str,
    /// The BibLaTeX field the writer prefers.
    pub biblatex: &'static str,
    /// The RIS tag the writer uses (for most types).
    pub ris: &'static str,
    /// The CSL-JSON variable.
    pub csl: &'static str,
    /// Shown as a row of the item's details, after the title, creators and date (`folio show`,
    /// the JSON view, the item pane): see [`DETAIL_FIELDS`].
    pub detail: bool,
    pub kind: Kind,
}

impl Field {
    /// Whether it is a plain text field ([`Kind::Text`]).
    pub const fn is_text(&self) -> bool {
        matches!(self.kind, Kind::Text(_))
    }

    /// The field's text in `item` (`None` unless a text field).
    pub fn text<'a>(&self, item: &'a Item) -> Option<&'a String> {
        match self.kind {
            Kind::Text(slot) => Some((slot.get)(item)),
            _ => None,
        }
    }

    /// The field's text in `item`, to change (`None` unless a text field).
    pub fn text_mut<'a>(&self, item: &'a mut Item) -> Option<&'a mut String> {
        match self.kind {
            Kind::Text(slot) => Some((slot.get_mut)(item)),
            _ => None,
        }
    }

    /// Whether `name` (any case) is this field's name or one of its aliases.
    pub fn is_named(&self, name: &str) -> bool {
        self.name.eq_ignore_ascii_case(name) || self.aliases.iter().any(|a| a.eq_ignore_ascii_case(name))
    }
}

/// The accessors of a `String` member of [`Item`].
macro_rules! text {
    ($member:ident) => {
        Kind::Text(TextSlot {
            get: {
                fn get(item: &Item) -> &String {
                    &item.$member
                }
                get
            },
            get_mut: {
                fn get_mut(item: &mut Item) -> &mut String {
                    &mut item.$member
                }
                get_mut
            },
        })
    };
}

/// A row with the defaults filled in: no aliases, not a detail field.
const fn row(name: &'static str, member: &'static str, columns: &'static [&'static str], kind: Kind) -> Field {
    Field {
        name,
        aliases: &[],
        member,
        columns,
        label: "",
        bibtex: "",
        biblatex: "",
        ris: "",
        csl: "",
        detail: false,
        kind,
    }
}

/// `f` as a detail field.
const fn detail(f: Field) -> Field {
    Field { detail: true, ..f }
}

/// Every field, in display order: the order of [`TEXT_FIELDS`], [`DETAIL_FIELDS`] and the JSON
/// view. (The fingerprint does not depend on this order.)
pub const FIELDS: &[Field] = &[
    row("id", "id", &["id"], Kind::Managed),
    Field {
        label: "Citation key",
        csl: "id",
        ..row("key", "key", &["key"], text!(key))
    },
    Field {
        label: "Type",
        ris: "TY",
        csl: "type",
        ..row("type", "item_type", &["type"], Kind::Type)
    },
    Field {
        label: "Title",
        bibtex: "title",
        biblatex: "title",
        ris: "TI",
        csl: "title",
        ..row("title", "title", &["title"], text!(title))
    },
    Field {
        // BibTeX has no subtitle: written as "title: subtitle" (and in RIS `TI`).
        label: "Subtitle",
        biblatex: "subtitle",
        ..row("subtitle", "subtitle", &["subtitle"], text!(subtitle))
    },
    Field {
        aliases: &["short_title"],
        label: "Short title",
        bibtex: "shorttitle",
        biblatex: "shorttitle",
        ris: "ST",
        csl: "title-short",
        ..row("shorttitle", "short_title", &["short_title"], text!(short_title))
    },
    Field {
        // The BibTeX fields are per role (`author`, `editor`, `translator`…).
        label: "Creators",
        bibtex: "author",
        biblatex: "author",
        ris: "AU",
        csl: "author",
        ..row("creators", "creators", &["creators_json"], Kind::Structured)
    },
    Field {
        label: "Date",
        bibtex: "year",
        biblatex: "date",
        ris: "DA",
        csl: "issued",
        ..row("date", "date", &["date_raw", "year", "month", "day"], Kind::Date)
    },
    Field {
        // BibLaTeX: part of `date`.
        bibtex: "year",
        ris: "PY",
        ..row("year", "date", &["year"], Kind::Year)
    },
    detail(Field {
        // Books and chapters: `booktitle`.
        aliases: &["journal", "journaltitle", "booktitle"],
        label: "Publication",
        bibtex: "journal",
        biblatex: "journaltitle",
        ris: "T2",
        csl: "container-title",
        ..row("container", "container", &["container"], text!(container))
    }),
    detail(Field {
        label: "Series",
        bibtex: "series",
        biblatex: "series",
        ris: "T3",
        csl: "collection-title",
        ..row("series", "series", &["series"], text!(series))
    }),
    detail(Field {
        label: "Volume",
        bibtex: "volume",
        biblatex: "volume",
        ris: "VL",
        csl: "volume",
        ..row("volume", "volume", &["volume"], text!(volume))
    }),
    detail(Field {
        aliases: &["number"],
        label: "Issue",
        bibtex: "number",
        biblatex: "number",
        ris: "IS",
        csl: "issue",
        ..row("issue", "issue", &["issue"], text!(issue))
    }),
    detail(Field {
        // RIS: `SP` and `EP`.
        label: "Pages",
        bibtex: "pages",
        biblatex: "pages",
        ris: "SP",
        csl: "page",
        ..row("pages", "pages", &["pages"], text!(pages))
    }),
    detail(Field {
        label: "Edition",
        bibtex: "edition",
        biblatex: "edition",
        ris: "ET",
        csl: "edition",
        ..row("edition", "edition", &["edition"], text!(edition))
    }),
    detail(Field {
        label: "Publisher",
        bibtex: "publisher",
        biblatex: "publisher",
        ris: "PB",
        csl: "publisher",
        ..row("publisher", "publisher", &["publisher"], text!(publisher))
    }),
    detail(Field {
        aliases: &["address", "location"],
        label: "Place",
        bibtex: "address",
        biblatex: "location",
        ris: "CY",
        csl: "publisher-place",
        ..row("place", "place", &["place"], text!(place))
    }),
    detail(Field {
        // Theses: BibTeX `school`; reports: RIS `PB`.
        aliases: &["school"],
        label: "Institution",
        bibtex: "institution",
        biblatex: "institution",
        ris: "C1",
        ..row("institution", "institution", &["institution"], text!(institution))
    }),
    detail(Field {
        label: "DOI",
        bibtex: "doi",
        biblatex: "doi",
        ris: "DO",
        csl: "DOI",
        ..row("doi", "doi", &["doi"], text!(doi))
    }),
    detail(Field {
        label: "ISSN",
        bibtex: "issn",
        biblatex: "issn",
        ris: "SN",
        csl: "ISSN",
        ..row("issn", "issn", &["issn"], text!(issn))
    }),
    detail(Field {
        label: "ISBN",
        bibtex: "isbn",
        biblatex: "isbn",
        ris: "SN",
        csl: "ISBN",
        ..row("isbn", "isbn", &["isbn"], text!(isbn))
    }),
    detail(Field {
        label: "URL",
        bibtex: "url",
        biblatex: "url",
        ris: "UR",
        csl: "URL",
        ..row("url", "url", &["url"], text!(url))
    }),
    detail(Field {
        label: "Language",
        bibtex: "language",
        biblatex: "language",
        ris: "LA",
        csl: "language",
        ..row("language", "language", &["language"], text!(language))
    }),
    detail(Field {
        label: "Note",
        bibtex: "note",
        biblatex: "note",
        ris: "N1",
        csl: "note",
        ..row("note", "note", &["note"], text!(note))
    }),
    detail(Field {
        label: "Genre",
        bibtex: "genre",
        biblatex: "genre",
        ris: "M3",
        csl: "genre",
        ..row("genre", "genre", &["genre"], text!(genre))
    }),
    Field {
        label: "Abstract",
        bibtex: "abstract",
        biblatex: "abstract",
        ris: "AB",
        csl: "abstract",
        ..row("abstract", "abstract", &["abstract_json"], Kind::Abstract)
    },
    Field {
        // Tags live in `item_tags`.
        label: "Keywords",
        bibtex: "keywords",
        biblatex: "keywords",
        ris: "KW",
        csl: "keyword",
        ..row("keywords", "tags", &[], Kind::Structured)
    },
    Field {
        // RIS: an `N1` line ("Access: open").
        label: "Access",
        bibtex: "access",
        biblatex: "access",
        ..row("access", "access", &["access", "access_source"], Kind::Access)
    },
    Field {
        aliases: &["dateadded"],
        ..row("date_added", "date_added", &["date_added"], Kind::Managed)
    },
    Field {
        aliases: &["datemodified"],
        ..row("date_modified", "date_modified", &["date_modified"], Kind::Managed)
    },
];

/// The field named `name` or with `name` as an alias (any case).
pub fn find(name: &str) -> Option<&'static Field> {
    FIELDS.iter().find(|f| f.is_named(name))
}

/// The registry's plain text fields, in display order.
pub fn text_fields() -> impl Iterator<Item = &'static Field> {
    FIELDS.iter().filter(|f| f.is_text())
}

/// The registry's detail fields, in display order.
pub fn detail_fields() -> impl Iterator<Item = &'static Field> {
    FIELDS.iter().filter(|f| f.detail)
}

/// Which rows a derived name list takes.
#[derive(Clone, Copy)]
enum Which {
    Text,
    Detail,
}

const fn takes(f: &Field, which: Which) -> bool {
    match which {
        Which::Text => f.is_text(),
        Which::Detail => f.detail,
    }
}

const fn count(which: Which) -> usize {
    let (mut i, mut n) = (0, 0);
    while i < FIELDS.len() {
        if takes(&FIELDS[i], which) {
            n += 1;
        }
        i += 1;
    }
    n
}

const fn names<const N: usize>(which: Which) -> [&'static str; N] {
    let mut out = [""; N];
    let (mut i, mut n) = (0, 0);
    while i < FIELDS.len() {
        if takes(&FIELDS[i], which) {
            out[n] = FIELDS[i].name;
            n += 1;
        }
        i += 1;
    }
    out
}

/// Names of the plain text fields that `get`/`set` understand (the CLI's `edit --set`): the key
/// and titles, then [`DETAIL_FIELDS`]. Derived from [`FIELDS`].
pub const TEXT_FIELDS: &[&str] = &names::<{ count(Which::Text) }>(Which::Text);

/// The text fields after the title ones, in display order (CLI, JSON, app). Derived from
/// [`FIELDS`].
pub const DETAIL_FIELDS: &[&str] = &names::<{ count(Which::Detail) }>(Which::Detail);

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn names_and_aliases_are_unique_and_lowercase() {
        let mut seen = HashSet::new();
        for f in FIELDS {
            for n in std::iter::once(&f.name).chain(f.aliases) {
                assert_eq!(*n, n.to_ascii_lowercase(), "{n}");
                assert!(seen.insert(*n), "{n} names two fields");
            }
        }
    }

    #[test]
    fn derived_lists() {
        assert_eq!(
            TEXT_FIELDS,
            [
                "key",
                "title",
                "subtitle",
                "shorttitle",
                "container",
                "series",
                "volume",
                "issue",
                "pages",
                "edition",
                "publisher",
                "place",
                "institution",
                "doi",
                "issn",
                "isbn",
                "url",
                "language",
                "note",
                "genre",
            ]
        );
        assert!(TEXT_FIELDS.ends_with(DETAIL_FIELDS));
        assert!(FIELDS.iter().filter(|f| f.detail).all(Field::is_text));
    }

    #[test]
    fn text_slots_are_their_members() {
        let mut item = Item::default();
        for (i, f) in text_fields().enumerate() {
            *f.text_mut(&mut item).unwrap() = format!("v{i}");
        }
        let v = serde_json::to_value(&item).unwrap();
        for (i, f) in text_fields().enumerate() {
            assert_eq!(f.text(&item).unwrap(), &format!("v{i}"));
            assert_eq!(v[f.member], format!("v{i}"), "{}", f.name);
        }
    }
}
