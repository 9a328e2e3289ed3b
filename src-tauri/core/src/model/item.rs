//! The item: one reference in the library.

use super::{Abstract, Access, Creator, ItemTag, ItemType, PartialDate, Role};
use serde::{Deserialize, Serialize};

/// Database id of an item.
pub type ItemId = i64;

/// A field an importer did not map, kept verbatim (name as written, raw value text) in order.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct ExtraField {
    pub name: String,
    pub value: String,
}

impl ExtraField {
    /// Whether the field records the history of the *record* rather than anything about the
    /// work: when and where a bibliography tool or maintainer wrote it (`bibdate`,
    /// `bibsource`, JabRef's `timestamp`/`owner`, BibDesk's `date-added`, Beebe's
    /// `acknowledgement`), file paths, and links (`*url`). They are kept and exported like
    /// every other field, and shown with the item, but the full-text index leaves them out:
    /// their words ("Mon Feb 21 08:39:20 MST 2022", "https www math utah edu pub tex bib")
    /// would make a search for "2022" or "math" match every record from the same source. In
    /// the 52k-entry corpus file they are 30% of all words, and dropping them makes the import's
    /// full-text indexing about a quarter cheaper.
    pub fn is_bookkeeping(&self) -> bool {
        const NAMES: [&str; 16] = [
            "bibdate",
            "bibsource",
            "timestamp",
            "owner",
            "date-added",
            "date-modified",
            "creationdate",
            "modificationdate",
            "added-at",
            "urldate",
            "lastchecked",
            "acknowledgement",
            "acknowledgment",
            "file",
            "intrahash",
            "interhash",
        ];
        let n = self.name.as_str();
        NAMES.iter().any(|k| n.eq_ignore_ascii_case(k))
            || (n.len() >= 3 && n[n.len() - 3..].eq_ignore_ascii_case("url"))
            || n.get(..9).is_some_and(|p| p.eq_ignore_ascii_case("bdsk-url-"))
            || n.get(..10).is_some_and(|p| p.eq_ignore_ascii_case("bdsk-file-"))
    }
}

/// The record an item was imported from, kept for a faithful re-export: an entry the user did
/// not edit is written back as it was read.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct SourceRecord {
    /// `bibtex`, `ris`, `results-text`, `json`.
    pub format: String,
    /// The record's text exactly as read (one BibTeX entry, one RIS record…).
    pub text: String,
    /// [`Item::fingerprint`] of the item as the importer produced it. When the item's current
    /// fingerprint differs, the user edited it and exports regenerate the record.
    pub fingerprint: u64,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Item {
    /// `None` until stored.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<ItemId>,
    /// Citation key, unique in the library. Empty means "generate one when stored".
    #[serde(default)]
    pub key: String,
    #[serde(rename = "type", with = "item_type_serde")]
    pub item_type: ItemType,
    #[serde(default)]
    pub title: String,
    #[serde(default)]
    pub subtitle: String,
    #[serde(default)]
    pub short_title: String,
    #[serde(default)]
    pub creators: Vec<Creator>,
    /// Journal, book or proceedings title.
    #[serde(default)]
    pub container: String,
    #[serde(default)]
    pub series: String,
    #[serde(default)]
    pub volume: String,
    #[serde(default)]
    pub issue: String,
    #[serde(default)]
    pub pages: String,
    #[serde(default)]
    pub edition: String,
    #[serde(default)]
    pub publisher: String,
    #[serde(default)]
    pub place: String,
    /// University for theses, institution for reports.
    #[serde(default)]
    pub institution: String,
    #[serde(default)]
    pub date: PartialDate,
    #[serde(default)]
    pub doi: String,
    #[serde(default)]
    pub issn: String,
    #[serde(default)]
    pub isbn: String,
    #[serde(default)]
    pub url: String,
    #[serde(default)]
    pub language: String,
    #[serde(default)]
    pub note: String,
    /// Publisher's content type, e.g. "Research Article".
    #[serde(default)]
    pub genre: String,
    #[serde(default)]
    pub r#abstract: Abstract,
    #[serde(default)]
    pub tags: Vec<ItemTag>,
    #[serde(default)]
    pub access: Access,
    /// Unmapped fields in their original order.
    #[serde(default)]
    pub extra: Vec<ExtraField>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<SourceRecord>,
    /// RFC 3339 UTC timestamps, set by the store.
    #[serde(default)]
    pub date_added: String,
    #[serde(default)]
    pub date_modified: String,
}

/// The text fields after the title ones, in display order (CLI, JSON, app).
pub const DETAIL_FIELDS: &[&str] = &[
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
];

/// Names of the plain text fields that `get`/`set` understand (the CLI's `edit --set`):
/// the key and titles, then [`DETAIL_FIELDS`].
pub const TEXT_FIELDS: &[&str] = &[
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
];

impl Item {
    pub fn new(item_type: ItemType, title: &str) -> Item {
        Item {
            item_type,
            title: title.to_string(),
            ..Default::default()
        }
    }

    pub fn creators_with(&self, role: Role) -> impl Iterator<Item = &Creator> {
        self.creators.iter().filter(move |c| c.role == role)
    }

    /// Authors, or editors when there are none (who a reference is "by").
    pub fn primary_creators(&self) -> Vec<&Creator> {
        let a: Vec<_> = self.creators_with(Role::Author).collect();
        if !a.is_empty() {
            return a;
        }
        let e: Vec<_> = self.creators_with(Role::Editor).collect();
        if !e.is_empty() {
            return e;
        }
        self.creators.iter().collect()
    }

    /// "Steen & Jaspers", "Flores et al." — a short creator summary for tables.
    pub fn creator_summary(&self) -> String {
        let p = self.primary_creators();
        match p.len() {
            0 => String::new(),
            1 => p[0].family_with_particle(),
            2 => format!("{} & {}", p[0].family_with_particle(), p[1].family_with_particle()),
            _ => format!("{} et al.", p[0].family_with_particle()),
        }
    }

    /// Title with subtitle ("Title: Subtitle").
    pub fn full_title(&self) -> String {
        if self.subtitle.is_empty() {
            self.title.clone()
        } else {
            format!("{}: {}", self.title, self.subtitle)
        }
    }

    pub fn has_tag(&self, name: &str) -> bool {
        self.tags.iter().any(|t| t.name.to_lowercase() == name.to_lowercase())
    }

    /// Add a tag unless present (case-insensitive); returns whether it was added.
    pub fn add_tag(&mut self, tag: ItemTag) -> bool {
        if tag.name.is_empty() || self.has_tag(&tag.name) {
            return false;
        }
        self.tags.push(tag);
        true
    }

    pub fn extra_field(&self, name: &str) -> Option<&str> {
        self.extra
            .iter()
            .find(|f| f.name.eq_ignore_ascii_case(name))
            .map(|f| f.value.as_str())
    }

    /// A plain field by name (see [`TEXT_FIELDS`]; also `type`, `date`, `year`, `abstract`,
    /// `access`, and kept extra fields).
    pub fn get(&self, field: &str) -> Option<String> {
        let f = field.to_ascii_lowercase();
        Some(match f.as_str() {
            "type" => self.item_type.as_str().to_string(),
            "date" => self.date.iso(),
            "year" => self.date.year.map(|y| y.to_string()).unwrap_or_default(),
            "abstract" => self.r#abstract.flat(true),
            "access" => self.access.status.as_str().to_string(),
            _ => match self.text_field(&f) {
                Some(v) => v.clone(),
                None => return self.extra_field(field).map(str::to_string),
            },
        })
    }

    fn text_field(&self, f: &str) -> Option<&String> {
        Some(match f {
            "key" => &self.key,
            "title" => &self.title,
            "subtitle" => &self.subtitle,
            "shorttitle" | "short_title" => &self.short_title,
            "container" | "journal" | "journaltitle" | "booktitle" => &self.container,
            "series" => &self.series,
            "volume" => &self.volume,
            "issue" | "number" => &self.issue,
            "pages" => &self.pages,
            "edition" => &self.edition,
            "publisher" => &self.publisher,
            "place" | "address" | "location" => &self.place,
            "institution" | "school" => &self.institution,
            "doi" => &self.doi,
            "issn" => &self.issn,
            "isbn" => &self.isbn,
            "url" => &self.url,
            "language" => &self.language,
            "note" => &self.note,
            "genre" => &self.genre,
            _ => return None,
        })
    }

    fn text_field_mut(&mut self, f: &str) -> Option<&mut String> {
        Some(match f {
            "key" => &mut self.key,
            "title" => &mut self.title,
            "subtitle" => &mut self.subtitle,
            "shorttitle" | "short_title" => &mut self.short_title,
            "container" | "journal" | "journaltitle" | "booktitle" => &mut self.container,
            "series" => &mut self.series,
            "volume" => &mut self.volume,
            "issue" | "number" => &mut self.issue,
            "pages" => &mut self.pages,
            "edition" => &mut self.edition,
            "publisher" => &mut self.publisher,
            "place" | "address" | "location" => &mut self.place,
            "institution" | "school" => &mut self.institution,
            "doi" => &mut self.doi,
            "issn" => &mut self.issn,
            "isbn" => &mut self.isbn,
            "url" => &mut self.url,
            "language" => &mut self.language,
            "note" => &mut self.note,
            "genre" => &mut self.genre,
            _ => return None,
        })
    }

    /// Set a field by name with validation. Unknown names become (or replace) a kept extra
    /// field; an empty value removes an extra field.
    pub fn set(&mut self, field: &str, value: &str) -> Result<(), String> {
        let f = field.trim().to_ascii_lowercase();
        let v = value.trim();
        match f.as_str() {
            "" => return Err("empty field name".into()),
            "id" | "date_added" | "date_modified" | "dateadded" | "datemodified" => {
                return Err(format!("field {field:?} is managed by Folio and cannot be set"))
            }
            "type" => self.item_type = v.parse()?,
            "date" => self.date = PartialDate::parse(v),
            "year" => {
                if v.is_empty() {
                    self.date = PartialDate::default();
                } else {
                    let y: i32 = v.parse().map_err(|_| format!("year must be a number, got {v:?}"))?;
                    self.date = PartialDate {
                        year: Some(y),
                        month: None,
                        day: None,
                        raw: v.to_string(),
                    };
                }
            }
            "abstract" => self.r#abstract = Abstract::parse(v),
            "access" => self.access = super::Access::new(v.parse()?, "user"),
            "doi" => self.doi = normalize_doi(v),
            "key" => {
                if let Some(bad) = v.chars().find(|c| !crate::citekey::is_key_char(*c)) {
                    return Err(format!(
                        "citation key {v:?} contains {bad:?}, which LaTeX does not accept in keys"
                    ));
                }
                self.key = v.to_string();
            }
            _ => match self.text_field_mut(&f) {
                Some(slot) => *slot = v.to_string(),
                None => {
                    if !f.chars().all(|c| c.is_ascii_alphanumeric() || "-_.:+".contains(c)) {
                        return Err(format!("invalid field name {field:?}"));
                    }
                    if let Some(pos) = self.extra.iter().position(|e| e.name.eq_ignore_ascii_case(&f)) {
                        if v.is_empty() {
                            self.extra.remove(pos);
                        } else {
                            self.extra[pos].value = v.to_string();
                        }
                    } else if !v.is_empty() {
                        self.extra.push(super::ExtraField {
                            name: field.trim().to_string(),
                            value: v.to_string(),
                        });
                    }
                }
            },
        }
        Ok(())
    }

    /// A stable hash of everything the user can see or edit (not id, timestamps or the
    /// source record). Used to tell whether an imported item was edited since.
    pub fn fingerprint(&self) -> u64 {
        let mut view = self.clone();
        view.id = None;
        view.source = None;
        view.date_added.clear();
        view.date_modified.clear();
        let json = serde_json::to_string(&view).expect("an item always serializes");
        fnv1a(json.as_bytes())
    }
}

/// FNV-1a 64: stable across Rust versions and platforms (unlike `DefaultHasher`).
pub fn fnv1a(bytes: &[u8]) -> u64 {
    let mut h: u64 = 0xcbf29ce484222325;
    for b in bytes {
        h ^= u64::from(*b);
        h = h.wrapping_mul(0x100000001b3);
    }
    h
}

/// Strip resolver prefixes from a DOI ("https://doi.org/10.1/x", "doi:10.1/x" → "10.1/x").
pub fn normalize_doi(doi: &str) -> String {
    let t = doi.trim();
    let lower = t.to_ascii_lowercase();
    for p in [
        "https://doi.org/",
        "http://doi.org/",
        "https://dx.doi.org/",
        "http://dx.doi.org/",
        "doi.org/",
        "doi:",
    ] {
        if lower.starts_with(p) {
            return t[p.len()..].trim().to_string();
        }
    }
    t.to_string()
}

mod item_type_serde {
    use super::ItemType;
    use serde::{Deserialize, Deserializer, Serializer};
    pub fn serialize<S: Serializer>(t: &ItemType, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(t.as_str())
    }
    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<ItemType, D::Error> {
        let s = String::deserialize(d)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn set_and_get() {
        let mut it = Item::new(ItemType::Article, "T");
        it.set("journal", "Nature").unwrap();
        assert_eq!(it.container, "Nature");
        it.set("year", "2020").unwrap();
        assert_eq!(it.get("year").unwrap(), "2020");
        it.set("doi", "https://doi.org/10.1108/TG-01-2022-0001").unwrap();
        assert_eq!(it.doi, "10.1108/TG-01-2022-0001");
        assert!(it.set("year", "twenty").is_err());
        assert!(it.set("type", "gizmo").is_err());
        assert!(it.set("key", "bad key").is_err());
        assert!(it.set("date_added", "x").is_err());
        it.set("eprinttype", "arXiv").unwrap();
        assert_eq!(it.get("eprinttype").unwrap(), "arXiv");
        it.set("eprinttype", "").unwrap();
        assert!(it.extra.is_empty());
    }

    #[test]
    fn field_lists_agree() {
        assert!(TEXT_FIELDS.ends_with(DETAIL_FIELDS));
        assert_eq!(TEXT_FIELDS.len(), DETAIL_FIELDS.len() + 4);
    }

    #[test]
    fn fingerprint_ignores_bookkeeping_but_not_content() {
        let mut a = Item::new(ItemType::Book, "X");
        let f = a.fingerprint();
        a.id = Some(4);
        a.date_modified = "2026".into();
        assert_eq!(a.fingerprint(), f);
        a.title.push('!');
        assert_ne!(a.fingerprint(), f);
    }

    #[test]
    fn json_shape() {
        let mut a = Item::new(ItemType::InCollection, "X");
        a.creators.push(Creator::person(Role::Editor, "Doe", "Jane"));
        let v = serde_json::to_value(&a).unwrap();
        assert_eq!(v["type"], "incollection");
        assert_eq!(v["creators"][0]["role"], "editor");
        assert_eq!(v["creators"][0]["family"], "Doe");
        let back: Item = serde_json::from_value(v).unwrap();
        assert_eq!(back, a);
    }
}
