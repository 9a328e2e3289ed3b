//! The item: one reference in the library.

use super::fields::{self, Kind};
use super::{Abstract, Access, Creator, ItemTag, ItemType, PartialDate, Role};
use serde::{Deserialize, Serialize};

/// Database id of an item.
pub type ItemId = i64;

/// A field an importer did not map, kept verbatim (name as written, value text as read) in
/// order, with the syntax of its name and value ([`Origin`]): a BibTeX field's raw value text,
/// a RIS or Web of Science tag's plain text, or a plain-text field from elsewhere. Writers
/// read the value by its origin: a RIS tag is never written into a `.bib` under its own name,
/// and a value is only copied raw into BibTeX when it is BibTeX.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
pub struct ExtraField {
    pub name: String,
    pub value: String,
    /// Stored only when not BibTeX (what older libraries hold).
    #[serde(skip_serializing_if = "Origin::is_bibtex")]
    pub origin: Origin,
}

/// What an [`ExtraField`]'s name and value are.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Origin {
    /// A BibTeX field: the raw value text as it stood after `=` (braces, quotes, `#`, macros).
    #[default]
    Bibtex,
    /// A RIS tag (`JO`, `Y2`, `AD`…) with its plain text.
    Ris,
    /// A Web of Science tag (`J9`, `C1`, `PG`…) with its plain text; the same two letters
    /// can mean something else in RIS (`C1` is an address here, a custom field there).
    Wos,
    /// A named field with plain text (pasted results' `eissn`, a field the user added).
    Text,
}

impl Origin {
    pub fn is_bibtex(&self) -> bool {
        *self == Origin::Bibtex
    }
    pub fn as_str(self) -> &'static str {
        match self {
            Origin::Bibtex => "bibtex",
            Origin::Ris => "ris",
            Origin::Wos => "wos",
            Origin::Text => "text",
        }
    }
    pub fn parse(s: &str) -> Option<Origin> {
        Some(match s {
            "bibtex" => Origin::Bibtex,
            "ris" => Origin::Ris,
            "wos" => Origin::Wos,
            "text" => Origin::Text,
            _ => return None,
        })
    }
    /// The origin of a field stored before origins were recorded: a two-letter tag name
    /// (`JO`, `Y2`, `C1`) came from RIS (or Web of Science, which the store tells by the
    /// item's source format), anything else from BibTeX.
    pub fn legacy(name: &str) -> Origin {
        if is_tag_name(name) {
            Origin::Ris
        } else {
            Origin::Bibtex
        }
    }
}

/// Whether a name is a RIS or Web of Science tag (`[A-Z][A-Z0-9]`).
pub fn is_tag_name(name: &str) -> bool {
    let b = name.as_bytes();
    b.len() == 2 && b[0].is_ascii_uppercase() && (b[1].is_ascii_uppercase() || b[1].is_ascii_digit())
}

impl<'de> Deserialize<'de> for ExtraField {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        struct Stored {
            name: String,
            value: String,
            origin: Option<Origin>,
        }
        let s = Stored::deserialize(d)?;
        let origin = s.origin.unwrap_or_else(|| Origin::legacy(&s.name));
        Ok(ExtraField {
            name: s.name,
            value: s.value,
            origin,
        })
    }
}

impl ExtraField {
    pub fn new(origin: Origin, name: String, value: String) -> ExtraField {
        ExtraField { name, value, origin }
    }
    /// A BibTeX field with its raw value text.
    pub fn bibtex(name: String, raw: String) -> ExtraField {
        ExtraField::new(Origin::Bibtex, name, raw)
    }
    /// A RIS tag with its text.
    pub fn ris(tag: String, text: String) -> ExtraField {
        ExtraField::new(Origin::Ris, tag, text)
    }
    /// A Web of Science tag with its text.
    pub fn wos(tag: String, text: String) -> ExtraField {
        ExtraField::new(Origin::Wos, tag, text)
    }
    /// A named field with plain text.
    pub fn text(name: String, text: String) -> ExtraField {
        ExtraField::new(Origin::Text, name, text)
    }

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
    /// The import (its `import_batches` row: one file) that read the record: an export
    /// writes a file's `@preamble` and `@comment` blocks only with entries from that file.
    /// `None` for records read before Folio kept it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub batch: Option<i64>,
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
        let same = |a: &str| {
            a.chars()
                .flat_map(char::to_lowercase)
                .eq(name.chars().flat_map(char::to_lowercase))
        };
        self.tags.iter().any(|t| same(&t.name))
    }

    /// [`add_tag`](Item::add_tag) for many tags at once, in one pass (a reader's keyword list
    /// can be long: adding one at a time compares each with all before it). Returns how many
    /// were added.
    pub fn add_tags(&mut self, tags: impl IntoIterator<Item = ItemTag>) -> usize {
        let tags: Vec<ItemTag> = tags.into_iter().collect();
        if tags.len().saturating_mul(self.tags.len() + tags.len()) < 1024 {
            // A few: compared one by one, no set to build.
            return tags.into_iter().filter(|t| self.add_tag(t.clone())).count();
        }
        let mut seen: std::collections::HashSet<String> = self.tags.iter().map(|t| t.name.to_lowercase()).collect();
        let before = self.tags.len();
        for t in tags {
            if !t.name.is_empty() && seen.insert(t.name.to_lowercase()) {
                self.tags.push(t);
            }
        }
        self.tags.len() - before
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

    /// A plain field by name or alias (see [`super::fields`]: the text fields, `type`, `date`,
    /// `year`, `abstract`, `access`), else a kept extra field of that name.
    pub fn get(&self, field: &str) -> Option<String> {
        let Some(f) = fields::find(field) else {
            return self.extra_field(field).map(str::to_string);
        };
        Some(match f.kind {
            Kind::Type => self.item_type.as_str().to_string(),
            Kind::Date => self.date.iso(),
            Kind::Year => self.date.year.map(|y| y.to_string()).unwrap_or_default(),
            Kind::Abstract => self.r#abstract.flat(true),
            Kind::Access => self.access.status.as_str().to_string(),
            Kind::Text(slot) => (slot.get)(self).clone(),
            Kind::Structured | Kind::Managed => return self.extra_field(field).map(str::to_string),
        })
    }

    /// Set a field by name or alias (see [`super::fields`]) with validation. Unknown names
    /// become (or replace) a kept extra field; an empty value removes an extra field.
    pub fn set(&mut self, field: &str, value: &str) -> Result<(), String> {
        let name = field.trim();
        let v = value.trim();
        if name.is_empty() {
            return Err("empty field name".into());
        }
        let Some(f) = fields::find(name) else {
            return self.set_extra(field, v);
        };
        match f.kind {
            Kind::Managed => return Err(format!("field {field:?} is managed by Folio and cannot be set")),
            Kind::Type => self.item_type = v.parse()?,
            Kind::Date => self.date = PartialDate::parse(v),
            Kind::Year => {
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
            Kind::Abstract => self.r#abstract = Abstract::parse(v),
            Kind::Access => self.access = super::Access::new(v.parse()?, "user"),
            Kind::Text(slot) => {
                let value = match f.name {
                    "doi" => normalize_doi(v),
                    "key" => {
                        if let Some(bad) = v.chars().find(|c| !super::citekey::is_key_char(*c)) {
                            return Err(format!(
                                "citation key {v:?} contains {bad:?}, which LaTeX does not accept in keys"
                            ));
                        }
                        v.to_string()
                    }
                    _ => v.to_string(),
                };
                *(slot.get_mut)(self) = value;
            }
            Kind::Structured => return self.set_extra(field, v),
        }
        Ok(())
    }

    /// Set (or with an empty `v`, remove) the kept extra field `field`.
    fn set_extra(&mut self, field: &str, v: &str) -> Result<(), String> {
        let f = field.trim().to_ascii_lowercase();
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
            // A field the user adds holds what they typed: plain text.
            self.extra
                .push(super::ExtraField::text(field.trim().to_string(), v.to_string()));
        }
        Ok(())
    }
}

/// Strip resolver prefixes from a DOI (`https://doi.org/10.1/x`, `doi:10.1/x` → `10.1/x`).
/// Whether `s` is one ISSN with a valid check digit ("0362-4331", "03624331", "2049-363X").
pub fn is_issn(s: &str) -> bool {
    let chars: Vec<char> = s.trim().chars().filter(|c| *c != '-').collect();
    if chars.len() != 8 || s.trim().len() > 9 {
        return false;
    }
    let mut sum = 0u32;
    for (i, c) in chars[..7].iter().enumerate() {
        let Some(d) = c.to_digit(10) else { return false };
        sum += d * (8 - i as u32);
    }
    let check = (11 - sum % 11) % 11;
    match chars[7] {
        'X' | 'x' => check == 10,
        c => c.to_digit(10) == Some(check),
    }
}

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
        use crate::model::{DETAIL_FIELDS, TEXT_FIELDS};
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
