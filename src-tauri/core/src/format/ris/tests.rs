//! RIS fixture tests: small inline records, one behaviour each.

use super::*;
use crate::error::Severity;
use crate::model::{AccessStatus, Creator, Item, ItemType, Name, Role, TagSource};

fn one(text: &str) -> Item {
    let p = parse(text);
    assert_eq!(p.items.len(), 1, "{:?}", p.diagnostics);
    p.items.into_iter().next().unwrap().item
}

fn person(c: &Creator) -> (String, String) {
    match &c.name {
        Name::Person {
            family,
            given,
            particle,
            ..
        } => (
            if particle.is_empty() {
                family.clone()
            } else {
                format!("{particle} {family}")
            },
            given.clone(),
        ),
        Name::Literal { literal } => (literal.clone(), "<literal>".into()),
    }
}

fn roles(it: &Item) -> Vec<Role> {
    it.creators.iter().map(|c| c.role).collect()
}

fn extras(it: &Item) -> Vec<(&str, &str)> {
    it.extra.iter().map(|e| (e.name.as_str(), e.value.as_str())).collect()
}

fn tag_names(it: &Item) -> Vec<&str> {
    it.tags.iter().map(|t| t.name.as_str()).collect()
}

#[test]
fn new_spec_record() {
    let it = one(
        "TY  - JOUR\nTI  - A title\nAU  - Steen, Trui\nAU  - Jaspers, Sylke\nPY  - 2019\nDA  - 2019/12/04/\n\
         T2  - International Journal of Public Sector Management\nVL  - 33\nIS  - 1\nSP  - 1\nEP  - 20\n\
         DO  - https://doi.org/10.1108/IJPSM-05-2019-0133\nSN  - 0951-3558\nUR  - https://example.org/x\n\
         PB  - Emerald Publishing Limited\nCY  - Bingley\nLA  - en\nET  - 2\nN1  - A note\nM3  - Research Article\n\
         ST  - Short\nAB  - Plain abstract.\nKW  - Co-production\nKW  - Temporary use\nER  - \n",
    );
    assert_eq!(it.item_type, ItemType::Article);
    assert_eq!(it.title, "A title");
    assert_eq!(it.short_title, "Short");
    assert_eq!(person(&it.creators[0]), ("Steen".into(), "Trui".into()));
    assert_eq!(roles(&it), [Role::Author, Role::Author]);
    assert_eq!(
        (it.date.year, it.date.month, it.date.day),
        (Some(2019), Some(12), Some(4))
    );
    assert_eq!(it.container, "International Journal of Public Sector Management");
    assert_eq!(
        (it.volume.as_str(), it.issue.as_str(), it.pages.as_str()),
        ("33", "1", "1-20")
    );
    assert_eq!(it.doi, "10.1108/IJPSM-05-2019-0133");
    assert_eq!(it.issn, "0951-3558");
    assert_eq!(it.url, "https://example.org/x");
    assert_eq!(
        (it.publisher.as_str(), it.place.as_str()),
        ("Emerald Publishing Limited", "Bingley")
    );
    assert_eq!((it.language.as_str(), it.edition.as_str()), ("en", "2"));
    assert_eq!(it.note, "A note");
    assert_eq!(it.genre, "Research Article");
    assert_eq!(it.r#abstract.flat(false), "Plain abstract.");
    assert_eq!(tag_names(&it), ["Co-production", "Temporary use"]);
    assert!(it.tags.iter().all(|t| t.source == TagSource::Import));
    assert!(it.extra.is_empty(), "{:?}", it.extra);
}

#[test]
fn old_refman_spec_record() {
    let it = one(
        "TY  - JOUR\nT1  - Old title\nA1  - Doe, Jane\nA1  - Roe, R.\nY1  - 2014/03/02/Spring\nJF  - Journal Full\n\
         JA  - J. Full\nN2  - Old abstract.\nSP  - 5\nEP  - 9\nER  - \n",
    );
    assert_eq!(it.title, "Old title");
    assert_eq!(it.creators.len(), 2);
    assert_eq!(
        (it.date.year, it.date.month, it.date.day),
        (Some(2014), Some(3), Some(2))
    );
    assert_eq!(it.container, "Journal Full");
    assert_eq!(extras(&it), [("JA", "J. Full")]);
    assert_eq!(it.r#abstract.flat(false), "Old abstract.");
    assert_eq!(it.pages, "5-9");
    assert_eq!(one("TY  - JOUR\nSP  - pp 37-64\nER  - \n").pages, "37-64");
    assert_eq!(one("TY  - JOUR\nSP  - p. 5\nER  - \n").pages, "5");
}

#[test]
fn deprecated_tags_only_when_standard_absent() {
    let it = one(
        "TY  - JOUR\nT1  - Deprecated title\nTI  - Standard title\nJF  - Old journal\nT2  - New journal\n\
         N2  - Old abstract\nAB  - New abstract\nY1  - 1900/01/01\nDA  - 1950/01/01\nER  - \n",
    );
    assert_eq!(it.title, "Standard title");
    assert_eq!(it.container, "New journal");
    assert_eq!(it.r#abstract.flat(false), "New abstract");
    assert_eq!(it.date.year, Some(1950));
    // Unused deprecated values are kept (and written back), not lost.
    let e = extras(&it);
    assert!(e.contains(&("T1", "Deprecated title")));
    assert!(e.contains(&("JF", "Old journal")));
    assert!(e.contains(&("N2", "Old abstract")));
    assert!(e.contains(&("Y1", "1900/01/01")));
    // A deprecated tag equal to the standard one is not kept twice.
    let it = one("TY  - JOUR\nTI  - Same\nT1  - Same\nER  - \n");
    assert!(it.extra.is_empty());
    // J2 fills the journal only when nothing else does.
    let it = one("TY  - JOUR\nJ2  - Abbrev J\nER  - \n");
    assert_eq!(it.container, "Abbrev J");
}

#[test]
fn line_format_tolerance() {
    // One space before '-', empty values, a value without space after an empty tag, trailing
    // blanks, CR-only line ends, BOM and U+2028.
    let text = "\u{feff}TY - JOUR\rTI - One\u{2028} space\u{2029}\rIS  -\rVL  - \rAU  -  Doe, Jane  \rER  -\r";
    let p = parse(text);
    assert_eq!(p.items.len(), 1);
    let it = &p.items[0].item;
    assert_eq!(it.title, "One space");
    assert_eq!(it.issue, "");
    assert_eq!(it.volume, "");
    assert_eq!(person(&it.creators[0]), ("Doe".into(), "Jane".into()));
    // CRLF and blank lines inside and between records.
    let p = parse("TY  - JOUR\r\n\r\nTI  - A\r\n\r\nER  - \r\n\r\n\r\nTY  - BOOK\r\nTI  - B\r\nER  - \r\n");
    assert_eq!(p.items.len(), 2);
    assert_eq!(p.items[1].item.item_type, ItemType::Book);
    assert_eq!(p.items[1].line, 8);
}

/// Issue 23, cause 8: a record whose `TY` line was lost is its own record (generic, with a
/// warning naming its line), never merged into the record its `ER` closed; a second `TY` in an
/// open record (the `ER` lost) starts a new record with a warning.
#[test]
fn a_record_without_its_ty_line_is_not_merged_into_the_one_before() {
    let text = "TY  - JOUR\nAU  - First, Ann\nTI  - One\nPY  - 2001\nER  - \n\n\
                AU  - Lost, Bob\nTI  - Two\nPY  - 2002\nER  - \n\
                TY  - BOOK\nTI  - Three\nAU  - Third, Cy\n\
                TY  - JOUR\nTI  - Four\nER  - \n";
    let p = parse(text);
    let got: Vec<(&str, Option<i32>, Vec<&str>, ItemType)> = p
        .items
        .iter()
        .map(|i| {
            let it = &i.item;
            (
                it.title.as_str(),
                it.date.year,
                it.creators.iter().map(|c| c.family()).collect(),
                it.item_type,
            )
        })
        .collect();
    assert_eq!(
        got,
        [
            ("One", Some(2001), vec!["First"], ItemType::Article),
            ("Two", Some(2002), vec!["Lost"], ItemType::Misc),
            ("Three", None, vec!["Third"], ItemType::Book),
            ("Four", None, vec![], ItemType::Article),
        ]
    );
    let lines: Vec<usize> = p.items.iter().map(|i| i.line).collect();
    assert_eq!(lines, [1, 7, 11, 14]);
    let warn = |line: usize, text: &str| {
        p.diagnostics
            .iter()
            .any(|d| d.line == Some(line) && d.severity == Severity::Warning && d.message.contains(text))
    };
    assert!(
        warn(7, "record without TY line, read as generic"),
        "{:?}",
        p.diagnostics
    );
    assert!(warn(11, "no ER line"), "{:?}", p.diagnostics);
    // Written back, the record without its TY line is a whole record again (not its text).
    let out = write(
        &p.items.iter().map(|i| i.item.clone()).collect::<Vec<_>>(),
        &Default::default(),
    )
    .text;
    let back = parse(&out);
    assert_eq!(back.items.len(), 4, "{out}");
    assert_eq!(back.items[1].item.title, "Two");
    assert!(
        back.diagnostics.iter().all(|d| !d.message.contains("TY line")),
        "{:?}",
        back.diagnostics
    );
}

/// Ovid's trailer tags after `ER` still belong to the record before; a title after an Ovid
/// record's `ER` is a record of its own.
#[test]
fn ovid_trailers_join_the_record_before_but_titles_do_not() {
    let p = parse(
        "TY  - JOUR\nT1  - x\nL2  - http://ovidsp.ovid.com/ovidweb.cgi?T=JS\nER  - \nNL  - Clin Psychol\n\
         T1  - Lost type\nER  - \n",
    );
    assert_eq!(p.items.len(), 2);
    assert_eq!(p.items[0].item.extra_field("NL"), Some("Clin Psychol"));
    assert_eq!(p.items[1].item.title, "Lost type");
}

#[test]
fn continuation_lines() {
    let it = one(
        "TY  - JOUR\nTI  - A long title\n  continued here\nKW  - first\nsecond\n   third\nN2  - line one\nER then line two\n\
         AB  - Abstract\nwith two lines\nER  - \n",
    );
    assert_eq!(it.title, "A long title continued here");
    assert_eq!(one("TY  - JOUR\nTI  - Wide        gap\nER  - \n").title, "Wide gap");
    assert_eq!(tag_names(&it), ["first", "second", "third"]);
    assert_eq!(it.r#abstract.flat(false), "Abstract\nwith two lines");
    assert_eq!(extras(&it), [("N2", "line one\nER then line two")]);
}

#[test]
fn missing_er_and_bad_records_do_not_lose_others() {
    let text = "1.\nTY  - JOUR\nTI  - First\nTY  - JOUR\nTI  - Second\nER  - \nAU  - Stray, Tag\n\
                junk line\nTY  - \nTI  - Third without type\nER  - \nTY  - JOUR\nER  - \nTY  - BOOK\nTI  - Last\n";
    let p = parse(text);
    let titles: Vec<&str> = p.items.iter().map(|i| i.item.title.as_str()).collect();
    assert_eq!(titles, ["First", "Second", "", "Third without type", "", "Last"]);
    let lines: Vec<usize> = p.items.iter().map(|i| i.line).collect();
    assert_eq!(lines, [2, 4, 7, 9, 12, 14]);
    let msgs: Vec<(Option<usize>, &str)> = p.diagnostics.iter().map(|d| (d.line, d.message.as_str())).collect();
    assert!(
        msgs.iter().any(|(l, m)| *l == Some(2) && m.contains("no ER")),
        "{msgs:?}"
    );
    assert!(
        msgs.iter().any(|(l, m)| *l == Some(9) && m.contains("no RIS type")),
        "{msgs:?}"
    );
    assert!(
        msgs.iter().any(|(l, m)| *l == Some(12) && m.contains("no fields")),
        "{msgs:?}"
    );
    assert!(
        msgs.iter()
            .any(|(l, m)| *l == Some(14) && m.contains("end of the file")),
        "{msgs:?}"
    );
    // The tag after ER is a record whose TY line was lost, not part of the record before.
    assert!(p.items[1].item.creators.is_empty());
    assert_eq!(p.items[2].item.creators[0].family(), "Stray");
    assert!(
        msgs.iter()
            .any(|(l, m)| *l == Some(7) && m.contains("record without TY line")),
        "{msgs:?}"
    );
    assert!(parse("nothing here").diagnostics[0].severity == Severity::Error);
}

#[test]
fn all_type_codes() {
    let cases = [
        ("JOUR", ItemType::Article),
        ("EJOUR", ItemType::Article),
        ("JFULL", ItemType::Article),
        ("ABST", ItemType::Article),
        ("SER", ItemType::Book),
        ("INPR", ItemType::Article),
        ("BOOK", ItemType::Book),
        ("EBOOK", ItemType::Book),
        ("EDBOOK", ItemType::Collection),
        ("CHAP", ItemType::InCollection),
        ("ECHAP", ItemType::InCollection),
        ("CONF", ItemType::InProceedings),
        ("CPAPER", ItemType::InProceedings),
        ("THES", ItemType::Thesis),
        ("RPRT", ItemType::Report),
        ("ELEC", ItemType::Online),
        ("WEB", ItemType::Online),
        ("DATA", ItemType::Dataset),
        ("DBASE", ItemType::Dataset),
        ("GEN", ItemType::Misc),
        ("PAT", ItemType::Patent),
        ("UNPB", ItemType::Unpublished),
        ("MGZN", ItemType::MagazineArticle),
        ("NEWS", ItemType::NewspaperArticle),
        ("COMP", ItemType::Software),
        ("CASE", ItemType::Case),
        ("STAT", ItemType::Legislation),
        ("MAP", ItemType::Map),
        ("VIDEO", ItemType::Audiovisual),
        ("ENCYC", ItemType::Reference),
        ("PCOMM", ItemType::Letter),
    ];
    for (code, ty) in cases {
        let p = parse(&format!("TY  - {code}\nTI  - x\nER  - \n"));
        assert_eq!(p.items[0].item.item_type, ty, "{code}");
        assert!(p.diagnostics.is_empty(), "{code}: {:?}", p.diagnostics);
    }
    // Unknown code: misc, a warning with the line, the code kept and written back.
    let p = parse("\nTY  - ZZZZ\nTI  - x\nER  - \n");
    let it = &p.items[0].item;
    assert_eq!(it.item_type, ItemType::Misc);
    assert_eq!(it.extra_field("TY"), Some("ZZZZ"));
    assert_eq!(p.diagnostics[0].line, Some(2));
    assert!(p.diagnostics[0].message.contains("ZZZZ"));
    let w = write(std::slice::from_ref(it), &RisWriteOptions::default());
    assert!(w.text.starts_with("TY  - ZZZZ\r\n"), "{}", w.text);
    // A kept code that no longer fits the type is not used.
    let mut edited = it.clone();
    edited.item_type = ItemType::Book;
    assert!(write(&[edited], &RisWriteOptions::default())
        .text
        .starts_with("TY  - BOOK\r\n"));
    // "Journal Article" (rispy's fixture) is read as JOUR.
    let p = parse("TY  - Journal Article\nTI  - x\nER  - \n");
    assert_eq!(p.items[0].item.item_type, ItemType::Article);
    assert!(p.items[0].item.extra.is_empty());
}

#[test]
fn thesis_kinds() {
    let it = one("TY  - THES\nTI  - x\nM3  - PhD thesis\nPB  - KU Leuven\nER  - \n");
    assert_eq!(it.item_type, ItemType::PhdThesis);
    assert_eq!(it.genre, "PhD thesis");
    assert_eq!(it.institution, "KU Leuven");
    assert_eq!(one("TY  - THES\nM3  - Ed.D.\nER  - \n").item_type, ItemType::Thesis);
    for ty in [ItemType::PhdThesis, ItemType::MastersThesis, ItemType::Thesis] {
        let it = Item::new(ty, "T");
        let back = one(&write(std::slice::from_ref(&it), &RisWriteOptions::default()).text);
        assert_eq!((back.item_type, back.genre.as_str()), (ty, ""));
    }
}

#[test]
fn creator_roles_by_type() {
    let rec = |ty: &str| {
        one(&format!(
            "TY  - {ty}\nAU  - A, A\nA2  - B, B\nA3  - C, C\nA4  - D, D\nED  - E, E\nER  - \n"
        ))
    };
    use Role::*;
    assert_eq!(roles(&rec("CHAP")), [Author, Editor, SeriesEditor, Translator, Editor]);
    assert_eq!(roles(&rec("CONF")), [Author, Editor, SeriesEditor, Translator, Editor]);
    assert_eq!(roles(&rec("JOUR")), [Author, Editor, SeriesEditor, Translator, Editor]);
    // A book's A3 is its editor (the RIS spec's and EndNote's BOOK table, Zotero's RIS.js).
    assert_eq!(roles(&rec("BOOK")), [Author, SeriesEditor, Editor, Translator, Editor]);
    assert_eq!(
        roles(&rec("RPRT")),
        [Author, SeriesEditor, SeriesEditor, Translator, Editor]
    );
    assert_eq!(
        roles(&rec("EDBOOK")),
        [Editor, SeriesEditor, SeriesEditor, Translator, Editor]
    );
    assert_eq!(
        roles(&rec("PCOMM")),
        [Author, Recipient, SeriesEditor, Translator, Editor]
    );
    // Export is the inverse: re-import gives the same roles.
    for ty in ["CHAP", "CPAPER", "JOUR", "BOOK", "RPRT", "EDBOOK", "PCOMM"] {
        let mut it = rec(ty);
        it.source = None;
        let again = one(&write(&[it.clone()], &RisWriteOptions::default()).text);
        assert_eq!(roles(&again), roles(&it), "{ty}");
    }
}

#[test]
fn name_forms() {
    let it = one(
        "TY  - JOUR\nAU  - Steen, Trui\nAU  - Cesar Casiano Flores\nAU  - van der Berg, Jan\nAU  - King, Jr., Martin\n\
         AU  - World Health Organization\nAU  - Plato\nAU  - Smith, J.; Doe, A.; Roe, B.\nAU  - Labanski,A.\n\
         AU  - Vogel-Heuser B.\nAU  - Smith JA\nAU  - A. Author-One\nER  - \n",
    );
    let got: Vec<(String, String)> = it.creators.iter().map(person).collect();
    assert_eq!(
        got,
        [
            ("Steen".into(), "Trui".into()),
            ("Flores".into(), "Cesar Casiano".into()),
            ("van der Berg".into(), "Jan".into()),
            ("King".into(), "Martin".into()),
            ("World Health Organization".into(), "<literal>".into()),
            ("Plato".into(), "<literal>".into()),
            ("Smith".into(), "J.".into()),
            ("Doe".into(), "A.".into()),
            ("Roe".into(), "B.".into()),
            ("Labanski".into(), "A.".into()),
            ("Vogel-Heuser".into(), "B.".into()),
            ("Smith".into(), "JA".into()),
            ("Author-One".into(), "A.".into()),
        ]
    );
}

#[test]
fn dates() {
    let d = |t: &str| {
        let it = one(t);
        (it.date.year, it.date.month, it.date.day)
    };
    // DA > PY > Y1.
    assert_eq!(
        d("TY  - JOUR\nY1  - 2001\nPY  - 2002\nDA  - 2003/04/05\nER  - \n"),
        (Some(2003), Some(4), Some(5))
    );
    assert_eq!(
        d("TY  - JOUR\nY1  - 2001\nPY  - 2002\nER  - \n"),
        (Some(2002), None, None)
    );
    assert_eq!(d("TY  - JOUR\nY1  - 2001/06//\nER  - \n"), (Some(2001), Some(6), None));
    // Zeros and "other" parts.
    assert_eq!(
        d("TY  - JOUR\nDA  - 2019/00/00/Spring\nER  - \n"),
        (Some(2019), None, None)
    );
    assert_eq!(d("TY  - JOUR\nPY  - 2012///\nER  - \n"), (Some(2012), None, None));
    // Y2 is an access date: never the publication date, kept as an extra field.
    let it = one("TY  - JOUR\nY2  - 2024/01/02\nPY  - 2010\nER  - \n");
    assert_eq!(it.date.year, Some(2010));
    assert_eq!(it.extra_field("Y2"), Some("2024/01/02"));
    let it = one("TY  - JOUR\nY2  - 2024/01/02\nER  - \n");
    assert_eq!(it.date.year, None);
    // EndNote: month/day in DA, year in PY.
    let p = parse("TY  - JOUR\nPY  - 2018\nDA  - 03/15\nER  - \n");
    let it = &p.items[0].item;
    assert_eq!(
        (it.date.year, it.date.month, it.date.day),
        (Some(2018), Some(3), Some(15))
    );
    assert!(p.repairs.iter().any(|r| r.starts_with("endnote:")));
}

#[test]
fn keywords() {
    let it = one("TY  - JOUR\nKW  - a\nKW  - b; c\nKW  - d\ne\nKW  - A\nKW  - x, y\nER  - \n");
    assert_eq!(tag_names(&it), ["a", "b", "c", "d", "e", "x, y"]);
}

#[test]
fn structured_abstracts() {
    let it = one(
        "TY  - JOUR\nAB  - Purpose The purpose of this paper is X. Design/methodology/approach A review was used. \
         Findings Relationships are bi-directional. Originality/value Most models see it otherwise.\nER  - \n",
    );
    let h: Vec<&str> = it.r#abstract.sections().iter().map(|s| s.heading.as_str()).collect();
    assert_eq!(
        h,
        [
            "Purpose",
            "Design/methodology/approach",
            "Findings",
            "Originality/value"
        ]
    );
    let it = one("TY  - JOUR\nN2  - Purpose: A.\nFindings: B.\nER  - \n");
    assert_eq!(it.r#abstract.sections().len(), 2);
}

#[test]
fn unknown_tags_kept_in_order_and_written_back() {
    let mut it =
        one("TY  - JOUR\nTI  - x\nAN  - 123\nDB  - Scopus?\nAN  - 456\nC1  - custom one\nL1  - a.pdf\nER  - \n");
    assert_eq!(
        extras(&it),
        [
            ("AN", "123"),
            ("DB", "Scopus?"),
            ("AN", "456"),
            ("C1", "custom one"),
            ("L1", "a.pdf")
        ]
    );
    it.source = None;
    let w = write(&[it.clone()], &RisWriteOptions::default());
    assert!(w
        .text
        .contains("AN  - 123\r\nDB  - Scopus?\r\nAN  - 456\r\nC1  - custom one\r\nL1  - a.pdf\r\n"));
    // Non-RIS extra names (from other formats) are not written, with a note.
    it.extra
        .push(crate::model::ExtraField::bibtex("eprinttype".into(), "arXiv".into()));
    let w = write(&[it], &RisWriteOptions::default());
    assert!(!w.text.contains("arXiv"));
    assert!(w.diagnostics.iter().any(|d| d.message.contains("eprinttype")));
}

#[test]
fn source_record_and_fingerprint() {
    let text = "TY  - JOUR\nTI  - x\nER  - \n\nTY  - BOOK\nTI  - y\nER  - \n";
    let p = parse(text);
    let s = p.items[1].item.source.as_ref().unwrap();
    assert_eq!(s.format, "ris");
    assert_eq!(s.text, "TY  - BOOK\nTI  - y\nER  - ");
    let mut bare = p.items[1].item.clone();
    bare.source = None;
    assert_eq!(bare.fingerprint(), s.fingerprint);
    // The stored fingerprint is the model's, for rich items too.
    for p in parse(RICH).items {
        let mut i = p.item;
        let f = i.source.take().unwrap().fingerprint;
        assert_eq!(i.fingerprint(), f);
    }
}

#[test]
fn sn_isbn_issn() {
    let it = one("TY  - BOOK\nSN  - 978-3-642-00230-4\nSN  - 03064530 (ISSN)\nER  - \n");
    assert_eq!(it.isbn, "978-3-642-00230-4");
    assert_eq!(it.issn, "0306-4530");
    let it = one("TY  - JOUR\nSN  - 1111-2222\nSN  - 3333-4444\nER  - \n");
    assert_eq!(it.issn, "1111-2222; 3333-4444");
}

#[test]
fn non_ascii_text_where_offsets_are_computed() {
    // Lowercasing "İ" changes its byte length: offsets must not come from a lowercased copy.
    let it = one("TY  - BOOK\nSN  - İİİİ (ISBN) x\nSN  - İ(İ\nER  - \n");
    assert!(!it.isbn.is_empty());
    let p = parse("TY  - JOUR\nAB  - İİİİ text. © 2019 İİ Elsevier\nN1  - Export Date: 1 May 2020\nER  - \n");
    assert_eq!(p.items[0].item.r#abstract.flat(false), "İİİİ text.");
}

#[test]
fn emerald_dialect() {
    let p = parse(
        "TY  - JOUR\nA1  - Cesar Casiano Flores\nA2  - Trui Steen\nA3  - Joep Crompvoets\nTI  - Co-creation\n\
         JO  - Transforming Government: People, Process and Policy\nDO  - 10.1108/TG-01-2022-0001\n\
         UR  - https://doi.org/10.1108/TG-01-2022-0001\nPB  - Emerald Publishing Limited\n\
         AB  - Purpose The purpose is X. Design/methodology/approach A review. Findings It works. Originality/value New.\n\
         ER  - \n",
    );
    assert_eq!(p.dialect.as_deref(), Some("emerald"));
    let it = &p.items[0].item;
    assert_eq!(roles(it), [Role::Author, Role::Author, Role::Author]);
    assert_eq!(person(&it.creators[1]), ("Steen".into(), "Trui".into()));
    assert_eq!(it.container, "Transforming Government: People, Process and Policy");
    assert_eq!(it.r#abstract.sections().len(), 4);
    assert!(
        p.repairs.iter().any(|r| r.starts_with("emerald: numbered")),
        "{:?}",
        p.repairs
    );
}

#[test]
fn scopus_dialect() {
    let p = parse(
        "TY  - JOUR\nTI  - Title\nT2  - Alternate title\nJF  - The Journal\nAU  - Doe, J.\nPY  - 2019\n\
         AB  - Text of the abstract. © 2019 Elsevier Ltd. All rights reserved.\nN1  - Export Date: 30 January 2019\n\
         N1  - Cited By :1\nN1  - Open Access: All Open Access; Gold Open Access\nN1  - A real note\n\
         UR  - https://www.scopus.com/inward/record.uri?eid=2-s2.0-1\nDB  - Scopus\nER  - \n",
    );
    assert_eq!(p.dialect.as_deref(), Some("scopus"));
    let it = &p.items[0].item;
    assert_eq!(it.container, "The Journal");
    assert_eq!(it.extra_field("TT"), Some("Alternate title"));
    assert_eq!(it.r#abstract.flat(false), "Text of the abstract.");
    assert_eq!(it.note, "Open Access: All Open Access; Gold Open Access\nA real note");
    assert_eq!(it.access.status, AccessStatus::Open);
    assert!(extras(it).contains(&("N1", "Export Date: 30 January 2019")));
    for r in [
        "scopus: JF read",
        "scopus: copyright",
        "scopus: export notes",
        "scopus: access",
    ] {
        assert!(p.repairs.iter().any(|x| x.starts_with(r)), "{r}: {:?}", p.repairs);
    }
}

#[test]
fn sciencedirect_dialect() {
    let p = parse(
        "TY  - JOUR\nTI  - T\nAU  - Editor-in-Chief: Jane Doe\nVL  - Volume 12\nIS  - 0\nPY  - in press\nY2  - 2021/05/01\n\
         UR  - //www.sciencedirect.com/science/article/pii/S1\nAB  - Abstract\nER  - \n",
    );
    assert_eq!(p.dialect.as_deref(), Some("sciencedirect"));
    let it = &p.items[0].item;
    assert_eq!(it.volume, "12");
    assert_eq!(it.issue, "");
    assert_eq!(it.date.year, Some(2021));
    assert_eq!(person(&it.creators[0]), ("Doe".into(), "Jane".into()));
    assert!(p.repairs.iter().any(|r| r.contains("Volume")));
    assert!(p.repairs.iter().any(|r| r.contains("Y2")));
    assert_eq!(it.url, "https://www.sciencedirect.com/science/article/pii/S1");
    assert!(it.r#abstract.is_empty());
}

#[test]
fn ieee_ovid_endnote_citavi_dialects() {
    let p = parse(
        "TY  - CONF\nTI  - x\nVL  - 5\nVO  - 5\nJA  - Proc\nUR  - https://ieeexplore.ieee.org/document/1\nER  - \n",
    );
    assert_eq!(p.dialect.as_deref(), Some("ieee"));
    assert!(p.items[0].item.extra.iter().all(|e| e.name != "VO"));
    let p = parse(
        "TY  - JOUR\nT1  - x\nSP  - No\nEP  - Specified\nPB  - Wiley\nPB  - US\nCY  - US\n\
         L2  - http://ovidsp.ovid.com/ovidweb.cgi?T=JS\nER  - \nNL  - Clin Psychol\n",
    );
    assert_eq!(p.dialect.as_deref(), Some("ovid"));
    let it = &p.items[0].item;
    assert_eq!(it.pages, "");
    assert_eq!(it.publisher, "Wiley");
    assert_eq!(it.extra_field("NL"), Some("Clin Psychol"));
    let p = parse("TY  - JOUR\nTI  - x\nL1  - internal-pdf://1234/x.pdf\nER  - \n");
    assert_eq!(p.dialect.as_deref(), Some("endnote"));
    assert_eq!(p.items[0].item.extra_field("L1"), Some("internal-pdf://1234/x.pdf"));
    let p = parse("TY  - BOOK\nTI  - x\nH1  - UB Mannheim\nH2  - 300 QN\nH1  - UB Leipzig\nH2  - PL 415\nER  - \n");
    assert_eq!(p.dialect.as_deref(), Some("citavi"));
    assert_eq!(p.items[0].item.extra.len(), 4);
    assert!(!p.repairs.is_empty());
}

#[test]
fn web_of_science_tagged() {
    let text = "FN Clarivate Analytics Web of Science\nVR 1.0\nPT J\nAU Steen, T\n   Jaspers, S\nAF Steen, Trui\n   Jaspers, Sylke\n\
TI Temporary co-production and
   sustainable outcomes
SO INTERNATIONAL JOURNAL OF PUBLIC SECTOR MANAGEMENT\nLA English\nDT Article\nDE co-production; temporary use;\n   public value\n\
ID SERVICES\nAB Purpose The purpose is X. Findings It works.\nPD JAN 15\nPY 2020\nVL 33\nIS 1\nBP 1\nEP 20\nDI 10.1108/IJPSM-05-2019-0133\n\
SN 0951-3558\nOA Green Published\nUT WOS:000500000000001\nER\n\nPT C\nAU Org\nTI Paper\nCY JUN 2019\nER\n\nEF\n";
    assert!(looks_like(text));
    let p = parse(text);
    assert_eq!(p.dialect.as_deref(), Some("wos"));
    assert_eq!(p.items.len(), 2, "{:?}", p.diagnostics);
    let it = &p.items[0].item;
    assert_eq!(it.item_type, ItemType::Article);
    assert_eq!(it.title, "Temporary co-production and sustainable outcomes");
    assert_eq!(person(&it.creators[1]), ("Jaspers".into(), "Sylke".into()));
    assert_eq!(it.container, "INTERNATIONAL JOURNAL OF PUBLIC SECTOR MANAGEMENT");
    assert_eq!(
        (it.date.year, it.date.month, it.date.day),
        (Some(2020), Some(1), Some(15))
    );
    assert_eq!(it.pages, "1-20");
    assert_eq!(it.doi, "10.1108/IJPSM-05-2019-0133");
    assert_eq!(
        tag_names(it),
        ["co-production", "temporary use", "public value", "SERVICES"]
    );
    assert_eq!(it.access.status, AccessStatus::Open);
    assert_eq!(it.genre, "Article");
    assert_eq!(it.r#abstract.sections().len(), 2);
    assert_eq!(it.extra_field("UT"), Some("WOS:000500000000001"));
    assert_eq!(p.items[1].item.item_type, ItemType::InProceedings);
    assert_eq!(p.items[1].item.extra_field("conference-date"), Some("JUN 2019"));
    assert_eq!(p.items[1].line, 29);
}

#[test]
fn writer_output_shape() {
    let mut it = Item::new(ItemType::InCollection, "Chapter");
    it.creators.push(Creator::person(Role::Author, "Doe", "Jane"));
    it.creators.push(Creator::person(Role::Editor, "Roe", "Rick"));
    it.creators
        .push(Creator::literal(Role::Author, "World Health Organization"));
    it.container = "The Book".into();
    it.date = crate::model::PartialDate::parse("4 August 2022");
    it.pages = "10--20".into();
    it.isbn = "978-1-80043-123-4".into();
    it.r#abstract = crate::model::Abstract::parse("Purpose: A. Findings: B.");
    it.tags.push(crate::model::ItemTag::manual("k1"));
    it.note = "first\nsecond".into();
    it.access = crate::model::Access::new(AccessStatus::Restricted, "results-text:badge");
    let w = write(&[it.clone()], &RisWriteOptions::default());
    let t = &w.text;
    assert!(
        t.starts_with(
            "TY  - CHAP\r\nTI  - Chapter\r\nAU  - Doe, Jane\r\nA2  - Roe, Rick\r\nAU  - World Health Organization\r\n"
        ),
        "{t}"
    );
    for l in [
        "T2  - The Book",
        "PY  - 2022",
        "DA  - 2022/08/04/",
        "SP  - 10",
        "EP  - 20",
        "SN  - 978-1-80043-123-4",
        "AB  - Purpose: A.\r\nFindings: B.",
        "KW  - k1",
        "N1  - first\r\nsecond",
        "N1  - Access status: restricted (results-text:badge)",
    ] {
        assert!(t.contains(&format!("{l}\r\n")), "{l} missing in\n{t}");
    }
    assert!(t.ends_with("ER  - \r\n\r\n"));
    assert!(!t.replace("\r\n", "").contains('\n'), "bare LF in output");
    let back = one(t);
    assert_eq!(back.access, it.access);
    assert_eq!(back.r#abstract, it.r#abstract);
    assert_eq!(back.note, it.note);
    assert_eq!(back.pages, "10-20");
    // Omitted fields.
    let w = write(
        &[it],
        &RisWriteOptions {
            omit_fields: vec!["abstract".into(), "N1".into(), "kw".into()],
        },
    );
    assert!(
        !w.text.contains("AB  -") && !w.text.contains("N1  -") && !w.text.contains("KW  -"),
        "{}",
        w.text
    );
}

#[test]
fn values_cannot_inject_tags() {
    let mut it = Item::new(ItemType::Article, "T");
    it.note = "first\nTI  - injected\nER  - \nlast".into();
    let w = write(&[it], &RisWriteOptions::default());
    let back = one(&w.text);
    assert_eq!(back.title, "T");
    assert_eq!(back.note, "first TI  - injected ER  -\nlast");
}

#[test]
fn verbatim_export_of_unedited_records() {
    let text = "TY  - JOUR\nTI  - x\nZZ  - odd tag\nER  - \n";
    let p = parse(text);
    let mut it = p.items[0].item.clone();
    let w = write(&[it.clone()], &RisWriteOptions::default());
    assert_eq!(w.text, "TY  - JOUR\r\nTI  - x\r\nZZ  - odd tag\r\nER  - \r\n\r\n");
    // Edited: regenerated.
    it.title = "y".into();
    let w = write(&[it], &RisWriteOptions::default());
    assert!(w.text.contains("TI  - y\r\n"));
    assert!(w.text.contains("ZZ  - odd tag\r\n"));
    // Without ER: regenerated.
    let p = parse("TY  - JOUR\nTI  - x\n");
    let w = write(&[p.items[0].item.clone()], &RisWriteOptions::default());
    assert!(w.text.ends_with("ER  - \r\n\r\n"));
}

const RICH: &str = "TY  - CHAP\nTI  - Chapter title\nAU  - van der Berg, Jan\nAU  - World Health Organization\nA2  - Roe, R.\n\
A3  - Series, Ed\nA4  - Trans, Lator\nT2  - Book title\nT3  - Series title\nPY  - 2019\nDA  - 2019/12/04/\nVL  - 3\nIS  - 2\n\
SP  - 100\nEP  - 120\nET  - 2nd\nPB  - Publisher\nCY  - Place\nSN  - 978-3-642-00230-4\nDO  - 10.1000/xyz\n\
UR  - https://example.org\nLA  - en\nM3  - Chapter\nAB  - Purpose: A. Design/methodology/approach: B. Findings: C.\n\
KW  - one\nKW  - two\nN1  - A note\nN1  - Access status: open (user)\nY2  - 2024/01/01\nAN  - 42\nER  - \n\n\
TY  - THES\nTI  - A thesis\nAU  - Doe, Jane\nPB  - University of Leuven\nPY  - 2010\nM3  - PhD thesis\nER  - \n\n\
TY  - EDBOOK\nTI  - Edited\nAU  - Ed, One\nA2  - Series, Two\nPY  - 2001\nT2  - The series\nER  - \n\n\
TY  - ZZZ\nTI  - Odd type\nPY  - 2012///\nER  - \n";

#[test]
fn round_trip_rich_records() {
    let first: Vec<Item> = parse(RICH)
        .items
        .into_iter()
        .map(|p| {
            let mut i = p.item;
            i.source = None;
            i
        })
        .collect();
    assert_eq!(first[1].institution, "University of Leuven");
    assert_eq!(first[2].series, "The series");
    assert_eq!(first[0].access.status, AccessStatus::Open);
    let out = write(&first, &RisWriteOptions::default());
    let second: Vec<Item> = parse(&out.text)
        .items
        .into_iter()
        .map(|p| {
            let mut i = p.item;
            i.source = None;
            i
        })
        .collect();
    assert_eq!(first.len(), second.len());
    for (a, b) in first.iter().zip(&second) {
        assert!(a == b, "{}", super::corpus_tests::item_diff(a, b));
    }
    // And a second export is byte-identical.
    assert_eq!(write(&second, &RisWriteOptions::default()).text, out.text);
}

#[test]
fn results_text_items_survive_a_ris_round_trip() {
    let page = "Open Access\nArticle\nA Title\nPublication date: 4 August 2022\nJane Doe and Ludwig van Beethoven\n\
                Abstract\nPurpose\nTo test.\nFindings\nIt works.\nDetails\nJournal X, vol. 1 no. 2\nType: Research Article\n\
                ISSN: 1750-6166\nKeywords\nk1\n";
    let items: Vec<Item> = crate::format::results_text::parse(page)
        .items
        .into_iter()
        .map(|p| p.item)
        .collect();
    let back = parse(&write(&items, &RisWriteOptions::default()).text);
    let b = &back.items[0].item;
    let a = &items[0];
    assert_eq!(b.title, a.title);
    assert_eq!(b.creators, a.creators);
    assert_eq!(
        (b.date.year, b.date.month, b.date.day),
        (a.date.year, a.date.month, a.date.day)
    );
    assert_eq!(b.r#abstract, a.r#abstract);
    assert_eq!(b.access, a.access);
    assert_eq!(b.tags, a.tags);
    assert_eq!(
        (b.container.as_str(), b.volume.as_str(), b.issue.as_str()),
        ("Journal X", "1", "2")
    );
    assert_eq!(b.issn, a.issn);
    assert_eq!(b.genre, a.genre);
}

proptest::proptest! {
    // No regression files: they would be written outside this module's folder.
    #![proptest_config(proptest::prelude::ProptestConfig { failure_persistence: None, ..proptest::prelude::ProptestConfig::with_cases(256) })]
    #[test]
    fn parse_never_panics(s in "\\PC{0,300}") {
        let p = parse(&s);
        let items: Vec<Item> = p.items.into_iter().map(|i| i.item).collect();
        let _ = write(&items, &RisWriteOptions::default());
    }

    #[test]
    fn parse_never_panics_on_tag_soup(lines in proptest::collection::vec(
        ("(TY|ER|AU|A1|A2|TI|T2|JF|PY|DA|Y1|Y2|SP|EP|SN|KW|AB|N1|DO|UR|VL|ZZ|PT|FN|AF|DE|BP)", "( {1,2}- ?)?", "\\PC{0,20}"),
        0..30)) {
        let text: String = lines.iter().map(|(t, s, v)| format!("{t}{s}{v}\n")).collect();
        let p = parse(&text);
        let items: Vec<Item> = p.items.into_iter().map(|mut i| { i.item.source = None; i.item }).collect();
        let w = write(&items, &RisWriteOptions::default());
        let _ = parse(&w.text);
    }
}

/// Items the writer can express, for the round-trip property.
fn arb_item() -> impl proptest::strategy::Strategy<Value = Item> {
    use crate::model::{Abstract, Access, ExtraField, ItemTag, PartialDate};
    use proptest::prelude::*;
    let types = prop_oneof![
        Just(ItemType::Article),
        Just(ItemType::Book),
        Just(ItemType::InCollection),
        Just(ItemType::InProceedings),
        Just(ItemType::Report),
        Just(ItemType::Thesis),
        Just(ItemType::PhdThesis),
        Just(ItemType::Online),
        Just(ItemType::Dataset),
        Just(ItemType::Misc),
        Just(ItemType::MagazineArticle),
    ];
    let role = prop_oneof![
        Just(Role::Author),
        Just(Role::Editor),
        Just(Role::SeriesEditor),
        Just(Role::Translator)
    ];
    let creator = (
        role,
        "[A-Z][a-z]{1,10}(-[A-Z][a-z]{1,6})?",
        "([A-Z][a-z]{0,8}|[A-Z]\\.)?",
    )
        .prop_map(|(r, f, g)| Creator::person(r, &f, &g));
    let words = "[a-z]{1,8}( [a-z]{1,8}){0,8}";
    let status = prop_oneof![
        Just(AccessStatus::Unknown),
        Just(AccessStatus::Open),
        Just(AccessStatus::Free),
        Just(AccessStatus::Restricted)
    ];
    let extra_name = prop_oneof![Just("AN"), Just("C2"), Just("L1"), Just("ZZ"), Just("U1"), Just("Y2")];
    (
        (
            types,
            "[A-Z][a-z]{0,10}( [a-z]{1,8}){0,6}",
            proptest::collection::vec(creator, 0..5),
            "([A-Z][a-z]{1,8}( [A-Z][a-z]{1,8}){0,3})?",
            "([A-Z][a-z]{1,8})?",
            "[0-9]{0,3}",
            "[0-9]{0,2}",
            "([0-9]{1,3}(-[0-9]{1,3})?)?",
        ),
        (
            (
                1900i32..2030,
                proptest::option::of(1u8..=12),
                proptest::option::of(1u8..=28),
            ),
            // Not Emerald's prefix: a record with its DOI is read in Emerald's dialect, where
            // A2 (an editor here) is a numbered author (a vendor repair, tested on its own).
            "(10\\.[0-9]{4}/[a-z0-9]{1,10})?"
                .prop_filter("Emerald's DOI prefix", |d: &String| !d.starts_with("10.1108/")),
            proptest::collection::btree_set("[a-z]{2,10}", 0..4),
            proptest::option::of(words),
            proptest::option::of(words),
            status,
            proptest::collection::vec((extra_name, words), 0..3),
            (
                "(https://example\\.org/[a-z]{1,8})?",
                "([A-Z][a-z]{1,8})?",
                "[1-9]?",
                "(en|de)?",
            ),
        ),
        (
            proptest::collection::vec((0usize..7, words), 0..4),
            proptest::option::of(prop_oneof![
                Just("World Health Organization".to_string()),
                "[A-Z][a-z]{2,8}",
                Just("Cochrane Collaboration Group".to_string())
            ]),
            proptest::option::of((words, words)),
            "([0-9]{4}-[0-9]{3}[0-9X])?",
            "(978-[0-9]-[0-9]{4}-[0-9]{4}-[0-9])?",
            "([A-Z][a-z]{1,8})?",
            "(Short [a-z]{1,8})?",
        ),
    )
        .prop_map(
            |(
                (ty, title, creators, container, series, volume, issue, pages),
                ((y, m, d), doi, tags, abs, note, st, extra, (url, publisher, edition, lang)),
                (sections, org, two_line_note, issn, isbn, place, short),
            )| {
                let mut it = Item::new(ty, &title);
                it.creators = creators;
                if !tags::t2_is_series(ty) {
                    it.container = container;
                }
                it.series = series;
                it.volume = volume;
                it.issue = issue;
                it.pages = pages;
                let d = if m.is_some() { d } else { None };
                it.date = PartialDate::parse(&format!(
                    "{y:04}/{}/{}/",
                    m.map(|m| format!("{m:02}")).unwrap_or_default(),
                    d.map(|d| format!("{d:02}")).unwrap_or_default()
                ));
                it.doi = doi;
                for t in tags {
                    it.tags.push(ItemTag::imported(&t));
                }
                it.r#abstract = Abstract::parse(&abs.unwrap_or_default());
                it.note = note.unwrap_or_default();
                if st != AccessStatus::Unknown {
                    it.access = Access::new(st, "user");
                }
                it.extra = extra
                    .into_iter()
                    .map(|(n, v)| ExtraField::ris(n.to_string(), v))
                    .collect();
                it.url = url;
                if tags::publisher_is_institution(ty) {
                    it.institution = publisher;
                } else {
                    it.publisher = publisher;
                }
                it.edition = edition;
                it.language = lang;
                if !sections.is_empty() {
                    let hs: Vec<&str> = crate::model::known_headings().take(7).collect();
                    let mut used = Vec::new();
                    it.r#abstract = Abstract::default();
                    for (h, text) in sections {
                        if !used.contains(&h) {
                            used.push(h);
                            it.r#abstract.0.push(crate::model::AbstractSection {
                                heading: hs[h].to_string(),
                                text: format!("{text}."),
                            });
                        }
                    }
                    if it.r#abstract.0.len() < 2 {
                        it.r#abstract = Abstract::default();
                    }
                }
                if let Some(o) = org {
                    it.creators.push(Creator::literal(Role::Author, &o));
                }
                if let Some((a, b)) = two_line_note {
                    it.note = format!("{a}\n{b}");
                }
                it.issn = issn;
                it.isbn = isbn;
                it.place = place;
                it.short_title = short;
                it
            },
        )
}

proptest::proptest! {
    // No regression files: they would be written outside this module's folder.
    #![proptest_config(proptest::prelude::ProptestConfig { failure_persistence: None, ..proptest::prelude::ProptestConfig::with_cases(200) })]
    /// Whatever the writer writes, the reader reads back to the same item.
    #[test]
    fn write_then_parse_is_identity(items in proptest::collection::vec(arb_item(), 1..4)) {
        let w = write(&items, &RisWriteOptions::default());
        let p = parse(&w.text);
        proptest::prop_assert_eq!(p.items.len(), items.len());
        for (a, b) in items.iter().zip(p.items) {
            let mut b = b.item;
            b.source = None;
            proptest::prop_assert!(*a == b, "{}\n---\n{}", super::corpus_tests::item_diff(a, &b), w.text);
        }
    }
}

/// The per-type table is consistent: rows name RIS tags, no type has two rows for a tag,
/// creator rows are on creator tags only, and the writer's creator tag for a role reads back
/// as that role for every type.
#[test]
fn per_type_table_is_consistent() {
    use std::collections::HashSet;
    for (i, info) in ItemType::ALL.iter().enumerate() {
        assert_eq!(info.ty as usize, i, "ItemType::ALL is in declaration order");
    }
    let mut seen = HashSet::new();
    for r in BY_TYPE {
        assert!(tags::is_tag(r.tag), "{}", r.tag);
        assert!(!r.spec.is_empty(), "{}", r.tag);
        let creator_tag = ["AU", "A1", "A2", "A3", "A4", "ED"].contains(&r.tag);
        assert!(
            !matches!(r.meaning, Meaning::Creator(_)) || creator_tag,
            "{}: a creator row on a tag that is no creator tag",
            r.tag
        );
        let types: Vec<Option<ItemType>> = if r.types.is_empty() {
            vec![None]
        } else {
            r.types.iter().map(|t| Some(*t)).collect()
        };
        for t in types {
            assert!(seen.insert((t, r.tag)), "two rows for {t:?} {}", r.tag);
        }
    }
    for info in ItemType::ALL {
        for &role in Role::ALL {
            if let Some(t) = creator_tag(role, info.ty) {
                assert_eq!(creator_role(t, info.ty), Some(role), "{} {role}: {t}", info.name);
            }
        }
        // Every type has a tag for its editors.
        assert!(creator_tag(Role::Editor, info.ty).is_some(), "{}", info.name);
    }
}

#[test]
fn sn_m1_and_other_numbers_by_type() {
    // A report's SN is its report number (BibTeX `number`), unless it is an ISBN or ISSN.
    let it = one("TY  - RPRT\nTI  - R\nSN  - TR-2019-03\nPB  - NIST\nER  - \n");
    assert_eq!(
        (it.issue.as_str(), it.isbn.as_str(), it.issn.as_str()),
        ("TR-2019-03", "", "")
    );
    assert_eq!(it.institution, "NIST");
    let it = one("TY  - RPRT\nTI  - R\nSN  - 978-3-16-148410-0\nSN  - NISTIR 8259\nER  - \n");
    assert_eq!(
        (it.issue.as_str(), it.isbn.as_str()),
        ("NISTIR 8259", "978-3-16-148410-0")
    );
    // IS first; a different report number is kept under its tag.
    let it = one("TY  - RPRT\nTI  - R\nIS  - 4\nSN  - TR-7\nER  - \n");
    assert_eq!(it.issue, "4");
    assert_eq!(extras(&it), [("SN", "TR-7")]);
    // A patent's SN is its number; its VL (version) and ET (classification) have no slot.
    let it = one("TY  - PAT\nTI  - P\nSN  - US 4,904,581\nVL  - 2\nET  - G01N 33/569\nER  - \n");
    assert_eq!(
        (it.issue.as_str(), it.volume.as_str(), it.edition.as_str()),
        ("US 4,904,581", "", "")
    );
    assert_eq!(extras(&it), [("VL", "2"), ("ET", "G01N 33/569")]);
    // A bill's M1; a magazine's M1 (issue number) when IS is absent.
    assert_eq!(one("TY  - BILL\nTI  - B\nM1  - H.R. 1234\nER  - \n").issue, "H.R. 1234");
    assert_eq!(one("TY  - MGZN\nTI  - M\nM1  - 12\nER  - \n").issue, "12");
    // A journal's M1 only when it looks like an issue: not a citation, not an accession number.
    assert_eq!(one("TY  - JOUR\nTI  - J\nM1  - 3\nER  - \n").issue, "3");
    let it = one("TY  - JOUR\nTI  - J\nM1  - 2009144460\nER  - \n");
    assert_eq!((it.issue.as_str(), extras(&it)), ("", vec![("M1", "2009144460")]));
    let it = one("TY  - JOUR\nTI  - J\nIS  - 2\nM1  - Smith, J (1999). Cited work. Journal, 28, 2, 255-281.\nER  - \n");
    assert_eq!(it.issue, "2");
    assert_eq!(extras(&it).len(), 1);
    // Books keep M1 (their series volume) and read SN as the ISBN, as before.
    let it = one("TY  - BOOK\nTI  - B\nM1  - 7\nSN  - 9783161484100\nER  - \n");
    assert_eq!((it.issue.as_str(), it.isbn.as_str()), ("", "9783161484100"));
    assert_eq!(extras(&it), [("M1", "7")]);
    // A journal article keeps reading SN as its ISSN.
    assert_eq!(one("TY  - JOUR\nTI  - J\nSN  - 0951-3558\nER  - \n").issn, "0951-3558");
    // Each reads back the same after an export.
    for text in [
        "TY  - RPRT\nTI  - R\nSN  - TR-2019-03\nSN  - 978-3-16-148410-0\nER  - \n",
        "TY  - PAT\nTI  - P\nSN  - US 4,904,581\nVL  - 2\nER  - \n",
        "TY  - JOUR\nTI  - J\nIS  - 2\nM1  - 5\nER  - \n",
    ] {
        let mut it = one(text);
        it.source = None;
        let mut again = one(&write(std::slice::from_ref(&it), &RisWriteOptions::default()).text);
        again.source = None;
        assert_eq!(again, it, "{text}");
    }
    assert!(parse("TY  - RPRT\nTI  - R\nSN  - TR-1\nER  - \n")
        .diagnostics
        .is_empty());
}

#[test]
fn creator_tags_without_a_role_for_the_type_are_kept() {
    // A patent's A2 is its issuing organisation, a video's A2 its performers: no Folio role.
    let it = one("TY  - PAT\nTI  - P\nAU  - Doe, Jane\nA2  - European Patent Office\nER  - \n");
    assert_eq!(roles(&it), [Role::Author]);
    assert_eq!(extras(&it), [("A2", "European Patent Office")]);
    let it = one("TY  - VIDEO\nTI  - V\nA2  - Roe, R.; Poe, P.\nER  - \n");
    assert!(it.creators.is_empty());
    assert_eq!(extras(&it), [("A2", "Roe, R.; Poe, P.")]);
    // Software and maps: A2 is the series editor, T2 the series.
    let it = one("TY  - COMP\nTI  - S\nA2  - Doe, J.\nT2  - Tools\nER  - \n");
    assert_eq!(
        (roles(&it), it.series.as_str(), it.container.as_str()),
        (vec![Role::SeriesEditor], "Tools", "")
    );
}

#[test]
fn m3_holding_a_doi_is_the_doi() {
    let it = one("TY  - JOUR\nTI  - J\nM3  - doi: 10.1234/abcd\nER  - \n");
    assert_eq!((it.doi.as_str(), it.genre.as_str()), ("10.1234/abcd", ""));
    assert!(it.extra.is_empty());
    let it = one("TY  - JOUR\nTI  - J\nM3  - 10.1234/abcd\nDO  - 10.1234/ABCD\nER  - \n");
    assert_eq!((it.doi.as_str(), it.genre.as_str()), ("10.1234/ABCD", ""));
    assert!(it.extra.is_empty());
    // A different DOI than DO's is kept as M3, never as the genre.
    let it = one("TY  - JOUR\nTI  - J\nDO  - 10.1/x\nM3  - DOI 10.2/y\nER  - \n");
    assert_eq!((it.doi.as_str(), it.genre.as_str()), ("10.1/x", ""));
    assert_eq!(extras(&it), [("M3", "DOI 10.2/y")]);
    // A type of work stays the genre.
    assert_eq!(
        one("TY  - JOUR\nTI  - J\nM3  - Research Article\nER  - \n").genre,
        "Research Article"
    );
    let mut it = one("TY  - JOUR\nTI  - J\nDO  - 10.1/x\nM3  - 10.2/y\nER  - \n");
    it.source = None;
    let mut again = one(&write(std::slice::from_ref(&it), &RisWriteOptions::default()).text);
    again.source = None;
    assert_eq!(again, it);
}

#[test]
fn conference_proceedings_title_in_c3() {
    // EndNote's conference proceedings: T2 is the conference, C3 the proceedings (the container).
    let it = one("TY  - CONF\nTI  - Paper\nC3  - Proceedings of X 2019\nT2  - X 2019\nER  - \n");
    assert_eq!(it.container, "Proceedings of X 2019");
    assert_eq!(extras(&it), [("TY", "CONF"), ("T2", "X 2019")]);
    let mut plain = it.clone();
    plain.source = None;
    let mut again = one(&write(std::slice::from_ref(&plain), &RisWriteOptions::default()).text);
    again.source = None;
    assert_eq!(again, plain);
}

#[test]
fn year_0000_is_no_year() {
    let p = parse("TY  - JOUR\nTI  - T\nAU  - Doe, Jane\nPY  - 0000\nER  - \n");
    assert!(p.diagnostics.is_empty(), "{:?}", p.diagnostics);
    let it = &p.items[0].item;
    assert_eq!(it.date.year, None);
    // No key such as "Doe0" from it.
    let key = crate::model::citekey::generate(it, crate::model::citekey::DEFAULT_PATTERN).unwrap();
    assert_eq!(key, "Doe");
}

#[test]
fn encyclopedia_and_dictionary_entries() {
    // ENCYC/DICT with the reference work's title in T2: an entry in that work, T2 its container.
    let p = parse("TY  - ENCYC\nTI  - Plankton\nAU  - Doe, Jane\nA2  - Roe, Rick\nT2  - Encyclopedia of Ocean Sciences\nPY  - 2019\nER  - \n");
    assert!(p.diagnostics.is_empty(), "{:?}", p.diagnostics);
    let it = &p.items[0].item;
    assert_eq!(it.item_type, ItemType::InCollection);
    assert_eq!(
        (it.container.as_str(), it.series.as_str()),
        ("Encyclopedia of Ocean Sciences", "")
    );
    assert_eq!(roles(it), [Role::Author, Role::Editor]);
    // The code is kept and written back, and reads back the same.
    assert_eq!(it.extra_field("TY"), Some("ENCYC"));
    let mut plain = it.clone();
    plain.source = None;
    let w = write(std::slice::from_ref(&plain), &RisWriteOptions::default());
    assert!(w.text.starts_with("TY  - ENCYC\r\n"), "{}", w.text);
    let mut again = one(&w.text);
    again.source = None;
    assert_eq!(again, plain);
    let it = one("TY  - DICT\nTI  - Krill\nT2  - A Dictionary of Biology\nER  - \n");
    assert_eq!(
        (it.item_type, it.container.as_str()),
        (ItemType::InCollection, "A Dictionary of Biology")
    );
    // Without T2 the record is the reference work itself.
    assert_eq!(
        one("TY  - ENCYC\nTI  - Encyclopedia of X\nER  - \n").item_type,
        ItemType::Reference
    );
}

#[test]
fn ser_is_a_serial_publication() {
    // SER (EndNote's "Serial"): a book in a series, not a journal article.
    let it =
        one("TY  - SER\nTI  - Volume title\nT2  - Lecture Notes in X\nVL  - 12\nSN  - 978-3-16-148410-0\nER  - \n");
    assert_eq!(it.item_type, ItemType::Book);
    assert_eq!((it.series.as_str(), it.container.as_str()), ("Lecture Notes in X", ""));
    assert_eq!(it.isbn, "978-3-16-148410-0");
    // Scopus writes SER for papers and chapters in book series: their kind is in M3.
    let p = parse(
        "TY  - SER\nTI  - A paper\nT2  - Advances in Y\nVL  - 825\nSP  - 591\nEP  - 600\nM3  - Conference Paper\nDB  - Scopus\nER  - \n\n\
         TY  - SER\nTI  - A chapter\nT2  - RILEM Bookseries\nM3  - Book Chapter\nDB  - Scopus\nER  - \n",
    );
    assert!(p.diagnostics.is_empty(), "{:?}", p.diagnostics);
    let (a, b) = (&p.items[0].item, &p.items[1].item);
    assert_eq!(
        (a.item_type, a.container.as_str()),
        (ItemType::InProceedings, "Advances in Y")
    );
    assert_eq!(
        (b.item_type, b.container.as_str()),
        (ItemType::InCollection, "RILEM Bookseries")
    );
    assert!(a.extra_field("TY").is_none());
    assert!(
        p.repairs.iter().any(|r| r.starts_with("scopus: SER")),
        "{:?}",
        p.repairs
    );
}

#[test]
fn e_mail_after_a_name_is_no_part_of_it() {
    let p = parse(
        "TY  - JOUR\nTI  - T\nAU  - Doe, Jane (jane@y.org)\nAU  - Roe, Rick rick@z.ac.uk\nAU  - Poe, P.\nER  - \n",
    );
    assert!(p.diagnostics.is_empty(), "{:?}", p.diagnostics);
    let it = &p.items[0].item;
    assert_eq!(person(&it.creators[0]), ("Doe".into(), "Jane".into()));
    assert_eq!(person(&it.creators[1]), ("Roe".into(), "Rick".into()));
    assert_eq!(person(&it.creators[2]), ("Poe".into(), "P.".into()));
    // Kept as author addresses, saying whose; reported as a repair.
    assert_eq!(
        extras(it),
        [("AD", "Doe, Jane <jane@y.org>"), ("AD", "Roe, Rick <rick@z.ac.uk>")]
    );
    assert!(
        p.repairs.iter().any(|r| r.starts_with("e-mail addresses")),
        "{:?}",
        p.repairs
    );
    // An export reads back the same.
    let mut plain = it.clone();
    plain.source = None;
    let mut again = one(&write(std::slice::from_ref(&plain), &RisWriteOptions::default()).text);
    again.source = None;
    assert_eq!(again, plain);
    // An "@" that is no address stays in the name.
    assert_eq!(
        person(&one("TY  - JOUR\nAU  - Doe, J@ne\nER  - \n").creators[0]).1,
        "J@ne"
    );
}

#[test]
fn web_of_science_names_pages_continuations_and_book_series() {
    // Initials-only names; Derwent's capitals; lines that lost their indent continue the field
    // before them (the title, the author list); PS is the page range; a book whose SO repeats
    // its title has no series.
    let text = "FN Clarivate Analytics Web of Science\nVR 1.0\n\
PT J\nAU Doe, JM\nRoe, R\nTI A title cut\nin two\nSO J TEST\nPS 170-175\nPY 2001\nER\n\
PT P\nAU YANG Y\n   LI J\n   O'BRIEN-SMITH AB\nTI Patent\nER\n\
PT B\nAU Poe, P\nTI The Book\nSO THE BOOK\nPY 2010\nER\n\
PT B\nTI Another Book\nSO LECTURE NOTES IN X\nER\nEF\n";
    let p = parse(text);
    assert!(p.diagnostics.is_empty(), "{:?}", p.diagnostics);
    assert_eq!(p.items.len(), 4);
    let a = &p.items[0].item;
    assert_eq!(person(&a.creators[0]), ("Doe".into(), "J. M.".into()));
    assert_eq!(person(&a.creators[1]), ("Roe".into(), "R.".into()));
    assert_eq!(a.title, "A title cut in two");
    assert_eq!(a.pages, "170-175");
    assert!(a.extra_field("PS").is_none());
    let d = &p.items[1].item;
    assert_eq!(person(&d.creators[0]), ("Yang".into(), "Y.".into()));
    assert_eq!(person(&d.creators[1]), ("Li".into(), "J.".into()));
    assert_eq!(person(&d.creators[2]), ("O'Brien-Smith".into(), "A. B.".into()));
    let b = &p.items[2].item;
    assert_eq!((b.item_type, b.series.as_str()), (ItemType::Book, ""));
    assert_eq!(p.items[3].item.series, "LECTURE NOTES IN X");
    // A page span beside begin and end pages that say otherwise is kept.
    let p = parse("PT J\nTI T\nBP 1\nEP 5\nPS 1-6\nER\n");
    assert_eq!(p.items[0].item.pages, "1-5");
    assert_eq!(p.items[0].item.extra_field("PS"), Some("1-6"));
}

#[test]
fn emerald_abstract_with_one_heading() {
    let p = parse(
        "TY  - JOUR\nTI  - T\nDO  - 10.1108/X-01-2020-0001\nAB  - Originality/value This technique is new.\nER  - \n",
    );
    assert!(p.diagnostics.is_empty(), "{:?}", p.diagnostics);
    let s = p.items[0].item.r#abstract.sections();
    assert_eq!(
        (s.len(), s[0].heading.as_str(), s[0].text.as_str()),
        (1, "Originality/value", "This technique is new.")
    );
    assert!(
        p.repairs.iter().any(|r| r.starts_with("emerald: structured abstract")),
        "{:?}",
        p.repairs
    );
}

/// Issue 23, cause 5: the RIS reader is linear on every shape — bare `TY` lines without `ER`,
/// one record with very many repeated tags (each different value kept once), very many
/// continuation lines, and copyright markers all through an abstract.
#[test]
fn pathological_record_shapes_are_read_in_linear_time() {
    // 200,000 bare TY lines: 200,000 records, each with a warning for its missing ER.
    let bare = "TY  - JOUR\n".repeat(200_000);
    let p = parse(&bare);
    assert_eq!(p.items.len(), 200_000);
    assert_eq!(p.items[199_999].line, 200_000);
    // One record, 40,000 different titles: the first is the title, the others kept once each.
    let mut one = String::from("TY  - JOUR\n");
    for i in 0..40_000 {
        one.push_str(&format!("TI  - Title {i}\nTI  - Title {i}\n"));
    }
    one.push_str("ER  - \n");
    let it = &parse(&one).items[0].item;
    assert_eq!(it.title, "Title 0");
    assert_eq!(it.extra.iter().filter(|e| e.name == "TI").count(), 39_999);
    // 100,000 continuation lines of one abstract, full of copyright markers.
    let mut long = String::from("TY  - JOUR\nUR  - https://www.scopus.com/x\nTI  - T\nAB  - start\n");
    for i in 0..100_000 {
        long.push_str(&format!("line {i} \u{a9} (c) text\n"));
    }
    long.push_str("ER  - \n");
    let it = &parse(&long).items[0].item;
    assert!(it.r#abstract.flat(false).contains("line 99999"));
}

// ------------------------------------------------ issue 22: round trips the matrix found

#[test]
fn page_numbers_with_a_hyphen_of_their_own_survive_a_round_trip() {
    let mut it = Item::new(ItemType::Article, "T");
    it.pages = "C3-32-C3-35".into();
    let text = write(std::slice::from_ref(&it), &RisWriteOptions::default()).text;
    assert!(
        text.contains("SP  - C3-32\r\nEP  - C3-35") || text.contains("SP  - C3-32\nEP  - C3-35"),
        "{text}"
    );
    assert_eq!(one(&text).pages, "C3-32-C3-35");
    // A range already in SP with its end repeated in EP stays one range.
    assert_eq!(one("TY  - JOUR\nSP  - 123-130\nEP  - 130\nER  - \n").pages, "123-130");
    assert_eq!(one("TY  - JOUR\nSP  - 12\nEP  - 18\nER  - \n").pages, "12-18");
    // An even number of hyphens is no range: all of it in SP.
    it.pages = "A-1-B".into();
    let text = write(std::slice::from_ref(&it), &RisWriteOptions::default()).text;
    assert!(text.contains("SP  - A-1-B") && !text.contains("EP  -"), "{text}");
}

#[test]
fn an_eissn_beside_the_issn_is_kept_apart_and_written_back_marked() {
    let it = one("TY  - JOUR\nSN  - 0021-8901\nSN  - 1365-2664 (Electronic)\nER  - \n");
    assert_eq!(it.issn, "0021-8901");
    assert_eq!(extras(&it), [("eissn", "1365-2664")]);
    let text = write(std::slice::from_ref(&it), &RisWriteOptions::default()).text;
    assert!(text.contains("SN  - 1365-2664 (Electronic)"), "{text}");
    let back = one(&text);
    assert_eq!(
        (back.issn.as_str(), extras(&back)),
        ("0021-8901", vec![("eissn", "1365-2664")])
    );
    // Alone, the electronic ISSN is the item's ISSN.
    assert_eq!(
        one("TY  - JOUR\nSN  - 1536-5964 (Electronic)\nER  - \n").issn,
        "1536-5964"
    );
    // PubMed's pair: the linking ISSN is the ISSN.
    let pm = one("TY  - JOUR\nSN  - 1536-5964 (Electronic)\nSN  - 0025-7974 (Linking)\nER  - \n");
    assert_eq!(
        (pm.issn.as_str(), extras(&pm)),
        ("0025-7974", vec![("eissn", "1536-5964")])
    );
}

#[test]
fn an_organisation_with_a_comma_in_its_name_stays_an_organisation() {
    let it = one(
        "TY  - RPRT\nAU  - American Psychological Association, Task Force on the Sexualization of Girls\n\
         AU  - University of Somewhere, Department of Things\nAU  - Bank, Anna\nER  - \n",
    );
    assert_eq!(
        person(&it.creators[0]),
        (
            "American Psychological Association, Task Force on the Sexualization of Girls".into(),
            "<literal>".into()
        )
    );
    assert_eq!(person(&it.creators[1]).1, "<literal>");
    assert_eq!(person(&it.creators[2]), ("Bank".into(), "Anna".into()));
    let back = one(&write(std::slice::from_ref(&it), &RisWriteOptions::default()).text);
    assert_eq!(back.creators, it.creators);
}

#[test]
fn a_book_inside_another_book_keeps_its_container_through_ris() {
    let mut it = Item::new(ItemType::Book, "Roverandom");
    it.container = "Tales from the Perilous Realm".into();
    it.series = "Omnibus".into();
    let text = write(std::slice::from_ref(&it), &RisWriteOptions::default()).text;
    assert!(text.contains("BT  - Tales from the Perilous Realm"), "{text}");
    let back = one(&text);
    assert_eq!(
        (back.title.as_str(), back.container.as_str(), back.series.as_str()),
        ("Roverandom", "Tales from the Perilous Realm", "Omnibus")
    );
    // BT without a title of its own is the book's title.
    assert_eq!(one("TY  - BOOK\nBT  - The Book\nER  - \n").title, "The Book");
}

#[test]
fn organisations_ris_would_split_are_written_with_a_trailing_comma() {
    let mut it = Item::new(ItemType::Report, "T");
    it.creators = vec![
        Creator::literal(Role::Author, "Sci-Art Publishers"),
        Creator::literal(Role::Author, "M. O. Ball et al."),
        Creator::literal(Role::Author, "UNESCO"),
        Creator::person(Role::Author, "Plato", ""),
    ];
    let text = write(std::slice::from_ref(&it), &RisWriteOptions::default()).text;
    for l in [
        "AU  - Sci-Art Publishers,",
        "AU  - M. O. Ball et al.,",
        "AU  - UNESCO\r",
        "AU  - Plato,",
    ] {
        assert!(
            text.contains(l) || text.contains(l.trim_end_matches('\r')),
            "{l}: {text}"
        );
    }
    assert_eq!(one(&text).creators, it.creators);
    // A particle before a one-person family name stays a person.
    assert_eq!(
        person(&one("TY  - BOOK\nAU  - van Gogh,\nER  - \n").creators[0]),
        ("van Gogh".into(), String::new())
    );
}

#[test]
fn issns_listed_with_commas_are_each_read() {
    let it = one("TY  - JOUR\nSN  - 26896575(ELECTRONIC),26896567(PRINT)\nER  - \n");
    assert_eq!(
        (it.issn.as_str(), extras(&it)),
        ("2689-6567", vec![("eissn", "2689-6575")])
    );
    // Other commas do not cut: one ISBN, its note dropped as before.
    assert_eq!(
        one("TY  - BOOK\nSN  - 0262510871 (v. 1, pbk.)\nER  - \n").isbn,
        "0262510871"
    );
}

#[test]
fn a_name_with_a_suffix_and_no_given_name_keeps_its_suffix() {
    let mut it = Item::new(ItemType::Report, "T");
    let mut may = Creator::person(Role::Author, "May", "");
    if let Name::Person { suffix, .. } = &mut may.name {
        *suffix = "Keith".into();
    }
    it.creators = vec![may, Creator::person(Role::Commentator, "Coe", "Cat")];
    let w = write(std::slice::from_ref(&it), &RisWriteOptions::default());
    assert!(w.text.contains("AU  - May, Keith,"), "{}", w.text);
    // A role RIS has no tag for is not written as an author: left out, and said.
    assert!(!w.text.contains("Coe"), "{}", w.text);
    assert!(
        w.diagnostics
            .iter()
            .any(|d| d.message.contains("RIS has no tag for commentator; left out")),
        "{:?}",
        w.diagnostics
    );
    assert_eq!(one(&w.text).creators, it.creators[..1]);
}
