//! Item types and their mapping to BibTeX, BibLaTeX and RIS.
//!
//! The table in [`ItemType::ALL`] is the single source of truth; the doc table in
//! ARCHITECTURE.md is generated from the same data by hand and checked by a unit test.

use std::fmt;
use std::str::FromStr;

/// What kind of work an item is. The string form (`as_str`) is stored in the library and is
/// part of the CLI contract.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub enum ItemType {
    #[default]
    Article,
    MagazineArticle,
    NewspaperArticle,
    Book,
    Booklet,
    /// A chapter (or other part) of a book by the same authors (`@inbook`, RIS `CHAP`).
    InBook,
    /// A contribution with its own title in an edited book (`@incollection`, RIS `CHAP`).
    InCollection,
    InProceedings,
    Proceedings,
    /// An edited book (`@collection`, RIS `EDBOOK`).
    Collection,
    Reference,
    Thesis,
    PhdThesis,
    MastersThesis,
    Report,
    Manual,
    Misc,
    Online,
    Unpublished,
    Dataset,
    Software,
    Patent,
    Standard,
    Periodical,
    Presentation,
    Map,
    Audiovisual,
    Case,
    Legislation,
    Letter,
    Interview,
}

/// One row of the mapping table.
pub struct TypeInfo {
    pub ty: ItemType,
    /// Stable name used in the database and the CLI.
    pub name: &'static str,
    /// Classic BibTeX entry type written on export (standard styles know only these).
    pub bibtex: &'static str,
    /// BibLaTeX entry type written on export.
    pub biblatex: &'static str,
    /// RIS `TY` code written on export.
    pub ris: &'static str,
    /// Whether it is part of a book (guards duplicate detection on ISBN).
    pub is_part_of_book: bool,
}

macro_rules! types {
    ($( $v:ident, $name:literal, $bib:literal, $blx:literal, $ris:literal, $part:literal; )*) => {
        impl ItemType {
            pub const ALL: &'static [TypeInfo] = &[
                $( TypeInfo { ty: ItemType::$v, name: $name, bibtex: $bib, biblatex: $blx, ris: $ris, is_part_of_book: $part }, )*
            ];
        }
    };
}

types! {
    Article,          "article",          "article",       "article",       "JOUR",  false;
    MagazineArticle,  "magazine-article", "article",       "article",       "MGZN",  false;
    NewspaperArticle, "newspaper-article","article",       "article",       "NEWS",  false;
    Book,             "book",             "book",          "book",          "BOOK",  false;
    Booklet,          "booklet",          "booklet",       "booklet",       "PAMP",  false;
    InBook,           "inbook",           "inbook",        "inbook",        "CHAP",  true;
    InCollection,     "incollection",     "incollection",  "incollection",  "CHAP",  true;
    InProceedings,    "inproceedings",    "inproceedings", "inproceedings", "CPAPER",true;
    Proceedings,      "proceedings",      "proceedings",   "proceedings",   "CONF",  false;
    Collection,       "collection",       "book",          "collection",    "EDBOOK",false;
    Reference,        "reference",        "book",          "reference",     "ENCYC", false;
    Thesis,           "thesis",           "phdthesis",     "thesis",        "THES",  false;
    PhdThesis,        "phdthesis",        "phdthesis",     "phdthesis",     "THES",  false;
    MastersThesis,    "mastersthesis",    "mastersthesis", "mastersthesis", "THES",  false;
    Report,           "report",           "techreport",    "report",        "RPRT",  false;
    Manual,           "manual",           "manual",        "manual",        "GEN",   false;
    Misc,             "misc",             "misc",          "misc",          "GEN",   false;
    Online,           "online",           "misc",          "online",        "ELEC",  false;
    Unpublished,      "unpublished",      "unpublished",   "unpublished",   "UNPB",  false;
    Dataset,          "dataset",          "misc",          "dataset",       "DATA",  false;
    Software,         "software",         "misc",          "software",      "COMP",  false;
    Patent,           "patent",           "misc",          "patent",        "PAT",   false;
    Standard,         "standard",         "misc",          "standard",      "STAND", false;
    Periodical,       "periodical",       "misc",          "periodical",    "JFULL", false;
    Presentation,     "presentation",     "misc",          "misc",          "SLIDE", false;
    Map,              "map",              "misc",          "misc",          "MAP",   false;
    Audiovisual,      "audiovisual",      "misc",          "misc",          "VIDEO", false;
    Case,             "case",             "misc",          "jurisdiction",  "CASE",  false;
    Legislation,      "legislation",      "misc",          "legislation",   "STAT",  false;
    Letter,           "letter",           "misc",          "letter",        "PCOMM", false;
    Interview,        "interview",        "misc",          "misc",          "GEN",   false;
}

impl ItemType {
    pub fn info(self) -> &'static TypeInfo {
        Self::ALL
            .iter()
            .find(|i| i.ty == self)
            .expect("every item type has a row in ItemType::ALL")
    }
    pub fn as_str(self) -> &'static str {
        self.info().name
    }
    pub fn bibtex_type(self) -> &'static str {
        self.info().bibtex
    }
    pub fn biblatex_type(self) -> &'static str {
        self.info().biblatex
    }
    pub fn ris_type(self) -> &'static str {
        self.info().ris
    }
    /// Chapters and conference papers share their container's ISBN (and sometimes DOI).
    pub fn is_part_of_book(self) -> bool {
        self.info().is_part_of_book
    }

    /// The item type for a BibTeX/BibLaTeX entry type (case-insensitive), with the usual
    /// aliases. Unknown types give `None` (the importer then uses `Misc` and keeps the type).
    pub fn from_bibtex(entry_type: &str) -> Option<ItemType> {
        let t = entry_type.to_ascii_lowercase();
        Some(match t.as_str() {
            "article" => ItemType::Article,
            "book" | "mvbook" | "bookinbook" => ItemType::Book,
            "booklet" => ItemType::Booklet,
            "inbook" | "suppbook" => ItemType::InBook,
            "incollection" | "suppcollection" => ItemType::InCollection,
            "inproceedings" | "conference" => ItemType::InProceedings,
            "proceedings" | "mvproceedings" => ItemType::Proceedings,
            "collection" | "mvcollection" => ItemType::Collection,
            "reference" | "mvreference" => ItemType::Reference,
            "inreference" => ItemType::InCollection,
            "thesis" => ItemType::Thesis,
            "phdthesis" => ItemType::PhdThesis,
            "mastersthesis" => ItemType::MastersThesis,
            "report" | "techreport" => ItemType::Report,
            "manual" => ItemType::Manual,
            "misc" => ItemType::Misc,
            "online" | "electronic" | "www" | "webpage" => ItemType::Online,
            "unpublished" => ItemType::Unpublished,
            "dataset" | "data" => ItemType::Dataset,
            "software" | "code" => ItemType::Software,
            "patent" => ItemType::Patent,
            "standard" => ItemType::Standard,
            "periodical" | "suppperiodical" => ItemType::Periodical,
            "jurisdiction" => ItemType::Case,
            "legislation" | "legal" => ItemType::Legislation,
            "letter" => ItemType::Letter,
            "audio" | "video" | "music" | "movie" => ItemType::Audiovisual,
            _ => return None,
        })
    }

    /// The item type for a RIS `TY` code (both specs and common vendor codes).
    pub fn from_ris(ty: &str) -> Option<ItemType> {
        Some(match ty.trim().to_ascii_uppercase().as_str() {
            "JOUR" | "EJOUR" | "JFULL" | "ABST" | "INPR" => ItemType::Article,
            "MGZN" => ItemType::MagazineArticle,
            "NEWS" => ItemType::NewspaperArticle,
            // SER: a serial publication (a volume of a book series), as EndNote and Zotero read it.
            "BOOK" | "EBOOK" | "CLSWK" | "SER" => ItemType::Book,
            "EDBOOK" => ItemType::Collection,
            "CHAP" | "ECHAP" => ItemType::InCollection,
            "CONF" | "CPAPER" => ItemType::InProceedings,
            "THES" => ItemType::Thesis,
            "RPRT" | "GOVDOC" => ItemType::Report,
            "ELEC" | "WEB" | "BLOG" => ItemType::Online,
            "DATA" | "DBASE" | "AGGR" => ItemType::Dataset,
            "COMP" => ItemType::Software,
            "PAT" => ItemType::Patent,
            "STAND" => ItemType::Standard,
            "UNPB" | "MANSCPT" => ItemType::Unpublished,
            "PAMP" => ItemType::Booklet,
            "ENCYC" | "DICT" => ItemType::Reference,
            "SLIDE" => ItemType::Presentation,
            "MAP" => ItemType::Map,
            "VIDEO" | "MPCT" | "SOUND" | "MUSIC" | "ADVS" => ItemType::Audiovisual,
            "CASE" => ItemType::Case,
            "STAT" | "BILL" | "HEAR" => ItemType::Legislation,
            "PCOMM" => ItemType::Letter,
            "GEN" | "CTLG" | "ART" | "FIGURE" | "EQUA" | "ICOMM" | "CHART" | "LEGAL" | "GRANT" | "UNBILL"
            | "EXPLORE" | "MULTI" | "ANCIENT" | "CASEGEN" => ItemType::Misc,
            _ => return None,
        })
    }
}

impl fmt::Display for ItemType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for ItemType {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let lower = s.trim().to_ascii_lowercase();
        ItemType::ALL
            .iter()
            .find(|i| i.name == lower)
            .map(|i| i.ty)
            .or(match lower.as_str() {
                "chapter" | "book-section" | "section" => Some(ItemType::InCollection),
                "journal-article" | "journalarticle" => Some(ItemType::Article),
                "conference-paper" | "paper-conference" => Some(ItemType::InProceedings),
                "techreport" => Some(ItemType::Report),
                "webpage" | "web" => Some(ItemType::Online),
                _ => None,
            })
            .ok_or_else(|| {
                format!(
                    "unknown item type {s:?}; known types: {}",
                    ItemType::ALL.iter().map(|i| i.name).collect::<Vec<_>>().join(", ")
                )
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_type_round_trips_through_its_name() {
        for info in ItemType::ALL {
            assert_eq!(info.name.parse::<ItemType>().unwrap(), info.ty);
            assert_eq!(info.ty.as_str(), info.name);
        }
    }

    #[test]
    fn exported_types_read_back_to_a_compatible_type() {
        for info in ItemType::ALL {
            assert!(ItemType::from_bibtex(info.biblatex).is_some(), "{}", info.name);
            assert!(ItemType::from_bibtex(info.bibtex).is_some(), "{}", info.name);
            assert!(ItemType::from_ris(info.ris).is_some(), "{}", info.name);
        }
    }

    #[test]
    fn aliases() {
        assert_eq!(ItemType::from_bibtex("CONFERENCE"), Some(ItemType::InProceedings));
        assert_eq!(ItemType::from_ris("EJOUR"), Some(ItemType::Article));
        assert_eq!(ItemType::from_ris("XYZ"), None);
        assert!("nonsense".parse::<ItemType>().is_err());
    }
}
