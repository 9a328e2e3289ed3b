//! Duplicate detection: a ladder of rules, identifiers first, fuzzy only suggests.
//!
//! 1. same normalised DOI → the same work (vetoed for a chapter vs its book, and downgraded to
//!    a suggestion when the titles disagree — publishers do reuse DOIs);
//! 2. same ISBN → the same book (never for chapters and papers, which share their book's ISBN);
//! 3. same folded title + year ± 1 + first author's family name → the same work;
//! 4. weighted title similarity with the same first author and close years → a suggestion.
//!
//! Different DOIs, different ISBNs, or years more than one apart veto rungs 3 and 4. An arXiv
//! preprint and a published version with the same title are reported as *related*, never as
//! duplicates.

mod merge;
mod normalize;

pub use merge::{merge_into, Conflict};

pub use normalize::{arxiv_id, bigrams, dice, dice_sorted, isbn13, normalize_doi_key, title_key};

use crate::model::{Item, ItemId};
use crate::text::fold;
use std::collections::HashMap;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize)]
pub enum Reason {
    Doi,
    Isbn,
    TitleYearAuthor,
    /// Same DOI but the titles disagree: only a suggestion.
    DoiTitleMismatch,
    Similar,
    /// Preprint and published version: related, not the same record.
    Preprint,
}

impl Reason {
    pub fn as_str(self) -> &'static str {
        match self {
            Reason::Doi => "same DOI",
            Reason::Isbn => "same ISBN",
            Reason::TitleYearAuthor => "same title, year and first author",
            Reason::DoiTitleMismatch => "same DOI but different titles",
            Reason::Similar => "similar title, same first author",
            Reason::Preprint => "preprint and published version",
        }
    }
    /// Rungs 1–3: safe to act on automatically (skip / merge on import, batch merge).
    pub fn is_certain(self) -> bool {
        matches!(self, Reason::Doi | Reason::Isbn | Reason::TitleYearAuthor)
    }
    /// Identifier matches (the batch merge acts only on these).
    pub fn is_identifier(self) -> bool {
        matches!(self, Reason::Doi | Reason::Isbn)
    }
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Match {
    pub reason: Reason,
    /// 0..1
    pub confidence: f64,
}

/// What duplicate detection looks at, precomputed once per item (and stored with it, see
/// [`Fingerprint::to_record`]).
#[derive(Debug, Clone, PartialEq)]
pub struct Fingerprint {
    pub id: Option<ItemId>,
    pub doi: String,
    pub isbn: String,
    pub title: String,
    pub year: Option<i32>,
    pub first_family: String,
    pub part_of_book: bool,
    pub is_book: bool,
    pub arxiv: Option<String>,
    /// The record the item was read from: its source record's fingerprint (the hash of the
    /// item as read, [`Item::fingerprint`]), or for an item without one (Folio JSON, added by
    /// hand) the fingerprint of its fields without its key. Two items read from the same record
    /// are the same entry, whatever their title looks like: a file imported again adds nothing.
    /// `None` in records stored before it was kept.
    pub record: Option<u64>,
    /// Sorted character bigrams of `title`, for the similarity rung; computed when first
    /// needed (most items are never compared on that rung).
    bigrams: std::cell::OnceCell<Vec<u64>>,
}

impl Fingerprint {
    pub fn of(item: &Item) -> Fingerprint {
        let first_family = item
            .primary_creators()
            .first()
            .map(|c| fold(c.family()))
            .unwrap_or_default();
        let doi = normalize_doi_key(&item.doi);
        let arxiv = arxiv_id(item);
        let title = title_key(&item.full_title());
        let record = match &item.source {
            _ if !has_content(item) => None,
            Some(src) => Some(src.fingerprint),
            None if item.key.is_empty() => Some(item.fingerprint()),
            None => {
                // The key is the library's name for the entry (an import may choose another).
                let mut keyless = item.clone();
                keyless.key.clear();
                Some(keyless.fingerprint())
            }
        };
        Fingerprint {
            record,
            bigrams: std::cell::OnceCell::new(),
            id: item.id,
            // An arXiv DOI identifies the preprint; keep it out of the DOI rung.
            doi: if doi.starts_with("10.48550/") {
                String::new()
            } else {
                doi
            },
            isbn: isbn13(&item.isbn),
            title,
            year: item.date.year,
            first_family,
            part_of_book: item.item_type.is_part_of_book(),
            is_book: matches!(
                item.item_type,
                crate::model::ItemType::Book | crate::model::ItemType::Collection | crate::model::ItemType::Proceedings
            ),
            arxiv,
        }
    }

    /// Sorted character bigrams of the title key.
    pub fn bigrams(&self) -> &[u64] {
        self.bigrams.get_or_init(|| normalize::bigrams(&self.title))
    }

    /// How many bigrams the title has (without computing them).
    fn bigram_count(&self) -> usize {
        match self.bigrams.get() {
            Some(b) => b.len(),
            None => self
                .title
                .chars()
                .filter(|c| !c.is_whitespace())
                .count()
                .saturating_sub(1),
        }
    }

    /// The record hash, when there is one ([`Fingerprint::record`]).
    fn record_key(&self) -> Option<u64> {
        self.record
    }

    /// The fingerprint as one line of tab-separated fields, stored with the item so the
    /// library's duplicate index is built without reading whole items. The record hash is the
    /// ninth field (hexadecimal; records stored before it have eight).
    pub fn to_record(&self) -> String {
        let clean = |s: &str| s.replace(['\t', '\n', '\r'], " ");
        format!(
            "1\t{}\t{}\t{}\t{}\t{}\t{}{}\t{}\t{}",
            clean(&self.doi),
            clean(&self.isbn),
            clean(&self.title),
            self.year.map(|y| y.to_string()).unwrap_or_default(),
            clean(&self.first_family),
            if self.part_of_book { "c" } else { "" },
            if self.is_book { "b" } else { "" },
            self.arxiv.as_deref().map(clean).unwrap_or_default(),
            self.record.map(|r| format!("{r:016x}")).unwrap_or_default(),
        )
    }

    /// Read [`Fingerprint::to_record`] back (`None` for a record of another version).
    pub fn from_record(id: Option<ItemId>, record: &str) -> Option<Fingerprint> {
        let mut f = record.split('\t');
        if f.next()? != "1" {
            return None;
        }
        let doi = f.next()?.to_string();
        let isbn = f.next()?.to_string();
        let title = f.next()?.to_string();
        let year = match f.next()? {
            "" => None,
            y => Some(y.parse().ok()?),
        };
        let first_family = f.next()?.to_string();
        let flags = f.next()?;
        let arxiv = Some(f.next()?).filter(|a| !a.is_empty()).map(str::to_string);
        let record = match f.next() {
            None | Some("") => None,
            Some(r) => Some(u64::from_str_radix(r, 16).ok()?),
        };
        if f.next().is_some() {
            return None;
        }
        Some(Fingerprint {
            id,
            doi,
            isbn,
            title,
            year,
            first_family,
            part_of_book: flags.contains('c'),
            is_book: flags.contains('b'),
            arxiv,
            record,
            bigrams: std::cell::OnceCell::new(),
        })
    }
}

/// Whether an item holds anything besides its type: two records with nothing in them (a bare
/// `TY  - JOUR`) are not the same entry for being equally empty.
fn has_content(item: &Item) -> bool {
    let texts = [
        &item.key,
        &item.title,
        &item.container,
        &item.doi,
        &item.isbn,
        &item.url,
        &item.note,
        &item.publisher,
        &item.volume,
        &item.pages,
    ];
    texts.iter().any(|t| !t.is_empty())
        || !item.creators.is_empty()
        || !item.extra.is_empty()
        || !item.date.is_empty()
        || !item.r#abstract.is_empty()
        || !item.tags.is_empty()
}

fn years_close(a: Option<i32>, b: Option<i32>) -> Option<bool> {
    match (a, b) {
        (Some(x), Some(y)) => Some(x.abs_diff(y) <= 1),
        _ => None,
    }
}

/// Compare two items. `None`: not duplicates (or not comparable).
pub fn compare(a: &Fingerprint, b: &Fingerprint) -> Option<Match> {
    let title_sim = || {
        if a.title.is_empty() || b.title.is_empty() {
            0.0
        } else if a.title == b.title {
            1.0
        } else {
            normalize::dice_sorted(a.bigrams(), b.bigrams())
        }
    };
    // Rung 1: DOI.
    if !a.doi.is_empty() && !b.doi.is_empty() {
        if a.doi == b.doi {
            if a.part_of_book != b.part_of_book {
                return None; // a chapter carrying its book's DOI
            }
            if !a.title.is_empty() && !b.title.is_empty() && title_sim() < 0.5 {
                return Some(Match {
                    reason: Reason::DoiTitleMismatch,
                    confidence: 0.4,
                });
            }
            return Some(Match {
                reason: Reason::Doi,
                confidence: 1.0,
            });
        }
        // Two different DOIs: different works (a preprint DOI was removed above).
        return None;
    }
    // Rung 2: ISBN, for books only.
    if !a.isbn.is_empty() && !b.isbn.is_empty() && !a.part_of_book && !b.part_of_book {
        if a.isbn == b.isbn {
            if !a.title.is_empty() && !b.title.is_empty() && title_sim() < 0.5 {
                return None;
            }
            return Some(Match {
                reason: Reason::Isbn,
                confidence: 0.95,
            });
        }
        return None; // other edition
    }
    // Rung 0: read from the same record (a file imported again), whatever the title.
    if a.record_key().is_some() && a.record_key() == b.record_key() && a.part_of_book == b.part_of_book {
        return Some(Match {
            reason: Reason::TitleYearAuthor,
            confidence: 1.0,
        });
    }
    if a.title.is_empty() || b.title.is_empty() {
        return None;
    }
    let close = years_close(a.year, b.year);
    if close == Some(false) {
        return None; // same title in different years: different papers
    }
    let same_author = !a.first_family.is_empty() && a.first_family == b.first_family;
    // A preprint and its published version.
    let preprint = a.arxiv.is_some() != b.arxiv.is_some() && (!a.doi.is_empty() || !b.doi.is_empty());
    // Rung 3.
    if a.title == b.title && same_author && close == Some(true) && a.title.split(' ').count() >= 2 {
        if preprint {
            return Some(Match {
                reason: Reason::Preprint,
                confidence: 0.9,
            });
        }
        if a.part_of_book != b.part_of_book && (a.is_book || b.is_book) {
            return None;
        }
        return Some(Match {
            reason: Reason::TitleYearAuthor,
            confidence: 0.9,
        });
    }
    // Rung 4: only suggests. Titles of very different lengths cannot reach the threshold.
    let (la, lb) = (a.bigram_count() as f64, b.bigram_count() as f64);
    if !same_author || la.min(lb) < 0.74 * la.max(lb) {
        return None;
    }
    let title_sim = title_sim();
    if title_sim >= 0.85 {
        if preprint {
            return Some(Match {
                reason: Reason::Preprint,
                confidence: 0.7 * title_sim,
            });
        }
        let conf = if close == Some(true) { 0.8 } else { 0.6 } * title_sim;
        return Some(Match {
            reason: Reason::Similar,
            confidence: conf,
        });
    }
    None
}

/// An index over many fingerprints for fast candidate lookup (DOI, ISBN, title, author).
/// The maps are keyed by a hash of the value (candidates are compared in full anyway), so
/// the index holds each string once.
#[derive(Debug, Default)]
pub struct Index {
    fps: Vec<Fingerprint>,
    by_doi: HashMap<u64, Vec<u32>>,
    by_isbn: HashMap<u64, Vec<u32>>,
    /// By title and first author together: a title alone matches nothing (every rung past the
    /// identifiers needs the same first author), and a title such as "Editorial" is shared by
    /// thousands of items.
    by_title: HashMap<u64, Vec<u32>>,
    by_author: HashMap<u64, Vec<u32>>,
    by_record: HashMap<u64, Vec<u32>>,
}

fn hash_key(s: &str) -> u64 {
    crate::model::fnv1a(s.as_bytes())
}

/// Candidate blocks larger than this are not compared pairwise on the fuzzy rung; of the
/// other blocks (same DOI, ISBN, record, title and author) only this many are compared, so a
/// file of 100k identical records costs 100k × this many comparisons at most.
const MAX_BLOCK: usize = 400;

/// The title-and-author key of [`Index::by_title`] (none without either).
fn title_author_key(fp: &Fingerprint) -> Option<u64> {
    if fp.title.is_empty() || fp.first_family.is_empty() {
        return None;
    }
    let mut h = crate::model::Fnv64::new();
    h.bytes(fp.title.as_bytes());
    h.bytes(&[0]);
    h.bytes(fp.first_family.as_bytes());
    Some(h.finish())
}

impl Index {
    pub fn new() -> Index {
        Index::default()
    }

    pub fn len(&self) -> usize {
        self.fps.len()
    }

    pub fn is_empty(&self) -> bool {
        self.fps.is_empty()
    }

    pub fn get(&self, i: usize) -> &Fingerprint {
        &self.fps[i]
    }

    pub fn add(&mut self, fp: Fingerprint) -> usize {
        let i = self.fps.len();
        let pos = u32::try_from(i).expect("fewer than 4 billion items");
        for (map, value) in [
            (&mut self.by_doi, &fp.doi),
            (&mut self.by_isbn, &fp.isbn),
            (&mut self.by_author, &fp.first_family),
        ] {
            if !value.is_empty() {
                map.entry(hash_key(value)).or_default().push(pos);
            }
        }
        if let Some(k) = title_author_key(&fp) {
            self.by_title.entry(k).or_default().push(pos);
        }
        if let Some(r) = fp.record_key() {
            self.by_record.entry(r).or_default().push(pos);
        }
        self.fps.push(fp);
        i
    }

    /// Every indexed item that matches `fp`, best first (index positions).
    pub fn matches(&self, fp: &Fingerprint) -> Vec<(usize, Match)> {
        let mut cands: Vec<u32> = Vec::new();
        fn lookup<'m>(map: &'m HashMap<u64, Vec<u32>>, value: &str) -> Option<&'m Vec<u32>> {
            if value.is_empty() {
                None
            } else {
                map.get(&hash_key(value))
            }
        }
        let block = |v: &Vec<u32>| v.iter().take(MAX_BLOCK).copied().collect::<Vec<u32>>();
        if let Some(v) = lookup(&self.by_doi, &fp.doi) {
            cands.extend(block(v));
        }
        if let Some(v) = lookup(&self.by_isbn, &fp.isbn) {
            cands.extend(block(v));
        }
        if let Some(v) = title_author_key(fp).and_then(|k| self.by_title.get(&k)) {
            cands.extend(block(v));
        }
        if let Some(v) = fp.record_key().and_then(|r| self.by_record.get(&r)) {
            cands.extend(block(v));
        }
        if let Some(v) = lookup(&self.by_author, &fp.first_family).filter(|v| v.len() <= MAX_BLOCK) {
            cands.extend(v);
        }
        cands.sort_unstable();
        cands.dedup();
        let mut out: Vec<(usize, Match)> = cands
            .into_iter()
            .map(|i| i as usize)
            .filter(|i| fp.id.is_none() || self.fps[*i].id != fp.id)
            .filter_map(|i| compare(fp, &self.fps[i]).map(|m| (i, m)))
            .collect();
        out.sort_by(|a, b| {
            b.1.reason
                .is_certain()
                .cmp(&a.1.reason.is_certain())
                .then(b.1.confidence.total_cmp(&a.1.confidence))
                .then(a.0.cmp(&b.0))
        });
        out
    }

    /// The best match that is a duplicate (certain or suggested), ignoring "related".
    pub fn best(&self, fp: &Fingerprint) -> Option<(usize, Match)> {
        self.matches(fp).into_iter().find(|(_, m)| m.reason != Reason::Preprint)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Creator, ExtraField, ItemType, PartialDate, Role};

    fn item(ty: ItemType, title: &str, author: &str, year: i32) -> Item {
        let mut it = Item::new(ty, title);
        it.creators.push(Creator::parse_name(Role::Author, author));
        it.date = PartialDate::year(year);
        it
    }

    fn cmp(a: &Item, b: &Item) -> Option<Reason> {
        compare(&Fingerprint::of(a), &Fingerprint::of(b)).map(|m| m.reason)
    }

    #[test]
    fn fingerprint_records_read_back_equal() {
        let mut a = item(
            ItemType::InCollection,
            "Tabs\tand\nnewlines: a title",
            "van der Berg, Ann",
            2019,
        );
        a.doi = "https://doi.org/10.1000/XYZ".into();
        a.isbn = "0-306-40615-2".into();
        a.url = "https://arxiv.org/abs/2101.00001".into();
        let mut b = item(ItemType::Book, "", "", 0);
        b.date = PartialDate::default();
        b.creators.clear();
        for it in [a, b] {
            let fp = Fingerprint::of(&it);
            let back = Fingerprint::from_record(fp.id, &fp.to_record()).expect("reads back");
            assert_eq!(back, fp, "{}", fp.to_record());
            assert_eq!(back.bigrams(), fp.bigrams());
        }
        assert!(Fingerprint::from_record(None, "0\tfrom another version").is_none());
        assert!(Fingerprint::from_record(None, "").is_none());
    }

    #[test]
    fn doi_rung_with_guards() {
        let mut a = item(ItemType::Article, "Temporary co-production", "Jaspers, S.", 2019);
        let mut b = item(ItemType::Article, "Temporary Co-Production!", "Jaspers, Sylke", 2020);
        a.doi = "10.1108/IJPSM-05-2019-0124".into();
        b.doi = "https://doi.org/10.1108/ijpsm-05-2019-0124".into();
        assert_eq!(cmp(&a, &b), Some(Reason::Doi));
        // Same DOI, different titles: only a suggestion.
        b.title = "A completely unrelated erratum notice".into();
        assert_eq!(cmp(&a, &b), Some(Reason::DoiTitleMismatch));
        // A chapter carrying its book's DOI.
        let mut book = item(ItemType::Book, "Handbook of co-production", "Steen, T.", 2020);
        let mut chap = item(ItemType::InCollection, "Handbook of co-production", "Steen, T.", 2020);
        book.doi = "10.1000/book".into();
        chap.doi = "10.1000/book".into();
        assert_eq!(cmp(&book, &chap), None);
        // Different DOIs veto even identical titles.
        b.title = a.title.clone();
        b.doi = "10.1108/other".into();
        assert_eq!(cmp(&a, &b), None);
    }

    #[test]
    fn isbn_rung_and_chapter_guard() {
        let mut a = item(ItemType::Book, "Public Service Logic", "Osborne, Stephen", 2020);
        let mut b = item(ItemType::Book, "Public service logic", "Osborne, S.", 2021);
        a.isbn = "978-0-367-42270-7".into();
        b.isbn = "0367422700".into();
        assert_eq!(isbn13("0367422700"), "9780367422707");
        assert_eq!(cmp(&a, &b), Some(Reason::Isbn));
        let mut c1 = item(ItemType::InCollection, "Chapter one", "Doe, J.", 2020);
        let mut c2 = item(ItemType::InCollection, "Chapter two", "Roe, R.", 2020);
        c1.isbn = a.isbn.clone();
        c2.isbn = a.isbn.clone();
        assert_eq!(cmp(&c1, &c2), None, "chapters of one book are not duplicates");
    }

    #[test]
    fn title_year_author_rung_and_guards() {
        let a = item(
            ItemType::Article,
            "The {Temporary} use of vacant spaces",
            "Jaspers, Sylke",
            2019,
        );
        let b = item(
            ItemType::Article,
            "The temporary use of vacant spaces.",
            "Jaspers, S.",
            2020,
        );
        assert_eq!(cmp(&a, &b), Some(Reason::TitleYearAuthor));
        let c = item(
            ItemType::Article,
            "The temporary use of vacant spaces",
            "Jaspers, S.",
            2015,
        );
        assert_eq!(cmp(&a, &c), None, "same title years apart");
        let d = item(
            ItemType::Article,
            "The temporary use of vacant spaces",
            "Other, A.",
            2019,
        );
        assert_eq!(cmp(&a, &d), None);
        let e = item(
            ItemType::Article,
            "The temporary use of vacant space",
            "Jaspers, S.",
            2019,
        );
        assert_eq!(cmp(&a, &e), Some(Reason::Similar));
        let mut f = item(ItemType::Article, "Introduction", "Jaspers, S.", 2019);
        let mut g = item(ItemType::Article, "Introduction", "Jaspers, S.", 2019);
        f.container = "Journal one".into();
        g.container = "Journal two".into();
        assert_eq!(cmp(&f, &g), Some(Reason::Similar), "one-word titles only suggest");
    }

    /// Issue 23, cause 10: an item read from the same record again (a file imported twice) is
    /// a certain duplicate even with a one-word title and no DOI or author; the same short
    /// title in another journal or year is another item; records that say nothing (no title,
    /// creator, year or identifier) are never the same entry for being equally empty.
    #[test]
    fn the_same_record_read_again_is_a_duplicate_whatever_its_title() {
        use crate::model::SourceRecord;
        let read = |title: &str, journal: &str, year: i32, text: &str| {
            let mut it = Item::new(ItemType::Article, title);
            it.container = journal.into();
            it.date = PartialDate::year(year);
            let fingerprint = it.fingerprint();
            it.source = Some(SourceRecord {
                format: "ris".into(),
                text: text.into(),
                fingerprint,
                batch: None,
            });
            it
        };
        let a = read("Editorial", "Journal A", 2020, "TY  - JOUR");
        let mut again = read("Editorial", "Journal A", 2020, "TY  - JOUR");
        again.key = "Editorial2020a".into();
        assert_eq!(cmp(&a, &again), Some(Reason::TitleYearAuthor));
        assert_eq!(cmp(&a, &read("Editorial", "Journal B", 2020, "")), None);
        assert_eq!(cmp(&a, &read("Editorial", "Journal A", 2021, "")), None);
        // Through the index, and through a stored record.
        let mut idx = Index::new();
        idx.add(Fingerprint::from_record(Some(1), &Fingerprint::of(&a).to_record()).unwrap());
        idx.add(Fingerprint::of(&read("Editorial", "Journal B", 2020, "")));
        let (i, m) = idx.best(&Fingerprint::of(&again)).unwrap();
        assert_eq!((i, m.reason.is_certain()), (0, true));
        // Items without a source record (Folio JSON): their fields without the key.
        let mut j1 = Item::new(ItemType::Article, "Preface");
        j1.key = "Preface2020".into();
        let mut j2 = j1.clone();
        j2.key = "Preface2020a".into();
        j1.date = PartialDate::year(2020);
        j2.date = PartialDate::year(2020);
        assert_eq!(cmp(&j1, &j2), Some(Reason::TitleYearAuthor));
        // Empty records are not the same entry.
        let empty = read("", "", 0, "TY  - JOUR");
        let mut empty = empty.clone();
        empty.date = PartialDate::default();
        assert_eq!(cmp(&empty, &empty.clone()), None);
        // A record stored with eight fields (before the record hash) still reads.
        let old = "1\t\t\teditorial\t2020\t\t\t";
        assert_eq!(Fingerprint::from_record(None, old).unwrap().record, None);
    }

    #[test]
    fn preprint_is_related_not_duplicate() {
        let mut pre = item(ItemType::Article, "Attention is all you need", "Vaswani, Ashish", 2017);
        pre.extra.push(ExtraField::bibtex("eprint".into(), "1706.03762".into()));
        pre.extra
            .push(ExtraField::bibtex("archiveprefix".into(), "arXiv".into()));
        let mut publ = item(
            ItemType::InProceedings,
            "Attention is all you need",
            "Vaswani, A.",
            2017,
        );
        publ.doi = "10.5555/3295222.3295349".into();
        let m = compare(&Fingerprint::of(&pre), &Fingerprint::of(&publ)).unwrap();
        assert_eq!(m.reason, Reason::Preprint);
        let mut idx = Index::new();
        idx.add(Fingerprint::of(&publ));
        assert!(idx.best(&Fingerprint::of(&pre)).is_none());
        assert_eq!(idx.matches(&Fingerprint::of(&pre)).len(), 1);
    }

    #[test]
    fn index_finds_the_best_candidate() {
        let mut idx = Index::new();
        let mut a = item(ItemType::Article, "Alpha beta gamma", "Doe, J.", 2019);
        a.doi = "10.1/x".into();
        idx.add(Fingerprint::of(&a));
        idx.add(Fingerprint::of(&item(
            ItemType::Article,
            "Alpha beta gamma",
            "Doe, J.",
            2019,
        )));
        let mut q = item(ItemType::Article, "alpha beta gamma", "Doe, Jane", 2019);
        q.doi = "10.1/X".into();
        let (i, m) = idx.best(&Fingerprint::of(&q)).unwrap();
        assert_eq!((i, m.reason), (0, Reason::Doi));
    }
}
