//! Fixture tests (small inline inputs) and property tests for the BibTeX module.

use super::tex::{from_unicode, to_unicode, Escape};
use super::*;
use crate::model::{
    AbstractSection, Access, AccessStatus, Creator, ExtraField, ItemTag, ItemType, Name, PartialDate, Role,
};
use crate::Severity;

fn p(s: &str) -> Parsed {
    parse(s, &mut BibContext::new())
}

fn one(s: &str) -> Item {
    let r = p(s);
    assert_eq!(r.items.len(), 1, "{:?}", r.diagnostics);
    r.items[0].item.clone()
}

fn person(c: &Creator) -> (&str, &str, &str, &str) {
    match &c.name {
        Name::Person {
            family,
            given,
            particle,
            suffix,
        } => (family, given, particle, suffix),
        Name::Literal { literal } => panic!("literal {literal}"),
    }
}

fn literal(c: &Creator) -> &str {
    match &c.name {
        Name::Literal { literal } => literal,
        n => panic!("not literal: {n:?}"),
    }
}

fn errors(r: &Parsed) -> Vec<&crate::Diagnostic> {
    r.diagnostics.iter().filter(|d| d.severity == Severity::Error).collect()
}

fn bib(items: &[Item]) -> String {
    write(items, &BibExtras::default(), &BibWriteOptions::default()).text
}

fn blx(items: &[Item]) -> String {
    write(
        items,
        &BibExtras::default(),
        &BibWriteOptions {
            mode: BibMode::Biblatex,
            ..Default::default()
        },
    )
    .text
}

// ---------------------------------------------------------------- import

#[test]
fn full_article_maps_every_field() {
    let it = one(r#"@Article{steen2019,
  author = {Steen, Trui and Brandsen, Taco},
  title = {Coproduction: the {EIF} case},
  subtitle = {A review},
  shorttitle = {Coproduction},
  journal = {Public Administration Review},
  series = {PAR},
  volume = {79},
  number = {3},
  pages = {412--423},
  edition = {2},
  publisher = {Wiley},
  address = {Hoboken},
  year = {2019},
  month = may,
  doi = {https://doi.org/10.1111/puar.13046},
  issn = {0033-3352},
  isbn = {978-3-16-148410-0},
  url = {https://example.org/a\_b},
  language = {english},
  note = {Forthcoming},
  keywords = {co-production; public service, EIF},
  file = {:steen.pdf:PDF},
}"#);
    assert_eq!(it.key, "steen2019");
    assert_eq!(it.item_type, ItemType::Article);
    assert_eq!(it.title, "Coproduction: the EIF case");
    assert_eq!(it.subtitle, "A review");
    assert_eq!(it.short_title, "Coproduction");
    assert_eq!(it.container, "Public Administration Review");
    assert_eq!(it.series, "PAR");
    assert_eq!((it.volume.as_str(), it.issue.as_str()), ("79", "3"));
    assert_eq!(it.pages, "412\u{2013}423");
    assert_eq!(it.edition, "2");
    assert_eq!((it.publisher.as_str(), it.place.as_str()), ("Wiley", "Hoboken"));
    assert_eq!((it.date.year, it.date.month, it.date.day), (Some(2019), Some(5), None));
    assert_eq!(it.doi, "10.1111/puar.13046");
    assert_eq!(it.issn, "0033-3352");
    assert_eq!(it.isbn, "978-3-16-148410-0");
    assert_eq!(it.url, "https://example.org/a_b");
    assert_eq!(it.language, "english");
    assert_eq!(it.note, "Forthcoming");
    assert_eq!(
        it.tags,
        vec![
            ItemTag::imported("co-production"),
            ItemTag::imported("public service"),
            ItemTag::imported("EIF")
        ]
    );
    assert_eq!(
        it.extra,
        vec![ExtraField::bibtex("file".into(), "{:steen.pdf:PDF}".into())]
    );
    assert_eq!(it.creators.len(), 2);
    assert_eq!(person(&it.creators[1]), ("Brandsen", "Taco", "", ""));
    assert_eq!(it.access.status, AccessStatus::Unknown);
}

#[test]
fn entry_types_and_unknown_type() {
    let r = p("@online{a, title={A}}\n@thesis{b, title={B}}\n@CONFERENCE{c, title={C}}\n@gizmo{d, title={D}}\n");
    let types: Vec<_> = r.items.iter().map(|i| i.item.item_type).collect();
    assert_eq!(
        types,
        [
            ItemType::Online,
            ItemType::Thesis,
            ItemType::InProceedings,
            ItemType::Misc
        ]
    );
    let d = &r.items[3].item;
    assert_eq!(d.extra_field(TYPE_FIELD), Some("gizmo"));
    assert!(r
        .diagnostics
        .iter()
        .any(|x| x.severity == Severity::Warning && x.message.contains("@gizmo") && x.line == Some(4)));
    // Written back with its own type, without the bookkeeping field.
    let w = bib(std::slice::from_ref(d));
    assert!(w.starts_with("@gizmo{d,"), "{w}");
    assert!(!w.contains(TYPE_FIELD));
}

#[test]
fn strings_concatenation_and_months() {
    let r = p(r#"@string{jgr = "J. Geophys. Res."}
@STRING(pre = {Journal of } # "X")
@article{a, journal = jgr, title = pre # {and } # "more" # 2, month = aug, year = 2001}"#);
    let it = &r.items[0].item;
    assert_eq!(it.container, "J. Geophys. Res.");
    assert_eq!(it.title, "Journal of Xand more2");
    assert_eq!(it.date.month, Some(8));
    assert_eq!(
        r.extras.strings,
        vec![
            ("jgr".to_string(), "\"J. Geophys. Res.\"".to_string()),
            ("pre".to_string(), "{Journal of } # \"X\"".to_string())
        ]
    );
}

#[test]
fn macros_carry_across_files() {
    let mut ctx = BibContext::new();
    let first = parse("@string{pami = {IEEE Trans. PAMI}}", &mut ctx);
    assert!(first.items.is_empty());
    let second = parse("@article{x, journal = pami, title = {T}}", &mut ctx);
    assert_eq!(second.items[0].item.container, "IEEE Trans. PAMI");
    assert!(second.diagnostics.is_empty(), "{:?}", second.diagnostics);
    assert_eq!(ctx.lookup("PAMI"), Some("IEEE Trans. PAMI"));
    assert_eq!(ctx.lookup("dec"), Some("December"));
}

#[test]
fn undefined_macro_warns_and_keeps_name() {
    let r = p("@misc{b, title = \"Foo\" # bar}");
    assert_eq!(r.items[0].item.title, "Foobar");
    assert!(r
        .diagnostics
        .iter()
        .any(|d| d.message.contains("undefined macro \"bar\"")));
}

#[test]
fn preamble_and_comments_go_to_extras() {
    let r = p(r#"@preamble{ "\newcommand{\noop}[1]{}" }
@comment{jabref-meta: databaseType:biblatex;}
@misc{a, title = {T}}
"#);
    assert_eq!(r.extras.preambles, vec![r#""\newcommand{\noop}[1]{}""#.to_string()]);
    assert_eq!(
        r.extras.comments,
        vec!["jabref-meta: databaseType:biblatex;".to_string()]
    );
    assert_eq!(r.items.len(), 1);
}

#[test]
fn crossref_and_xdata_are_links_not_inlined() {
    let r = p(
        r#"@inproceedings{child, title = {Paper}, crossref = {proc}, xdata = {pubdata}}
@proceedings{proc, title = {Proceedings of X}, booktitle = {Proceedings of X}, year = 2001}
@xdata{pubdata, publisher = {ACM}}"#,
    );
    let child = &r.items[0].item;
    assert_eq!(child.container, "");
    assert!(child.date.is_empty());
    assert_eq!(child.publisher, "");
    assert_eq!(child.extra_field("crossref"), Some("{proc}"));
    assert_eq!(child.extra_field("xdata"), Some("{pubdata}"));
    // In BibTeX mode the parent goes after the child even though it sorts first.
    let items: Vec<Item> = r.items.iter().map(|i| i.item.clone()).collect();
    let w = bib(&items);
    let (c, pr) = (w.find("{child,").unwrap(), w.find("{proc,").unwrap());
    assert!(c < pr, "{w}");
}

#[test]
fn date_wins_over_year_and_month() {
    let it = one("@article{a, date = {2020-03-04}, year = {2019}, month = {jan}}");
    assert_eq!(
        (it.date.year, it.date.month, it.date.day),
        (Some(2020), Some(3), Some(4))
    );
    let names: Vec<_> = it.extra.iter().map(|f| f.name.as_str()).collect();
    assert_eq!(names, ["year", "month"]);
    let it = one("@article{a, year = {2019}, month = {March}, day = {7}}");
    assert_eq!(
        (it.date.year, it.date.month, it.date.day),
        (Some(2019), Some(3), Some(7))
    );
    assert_eq!(it.date.raw, "2019-03-07");
    let it = one("@article{a, year = {in press}, month = {Spring}}");
    assert_eq!(it.date.year, None);
    assert_eq!(it.date.raw, "in press");
    assert_eq!(it.extra_field("month"), Some("{Spring}"));
}

#[test]
fn journal_or_journaltitle_or_booktitle() {
    assert_eq!(one("@article{a, journaltitle = {Nature}}").container, "Nature");
    assert_eq!(one("@article{a, journal = {Science}}").container, "Science");
    let it = one("@incollection{a, booktitle = {Handbook}, journal = {Other}}");
    assert_eq!(it.container, "Handbook");
    assert_eq!(it.extra_field("journal"), Some("{Other}"));
}

#[test]
fn parenthesis_delimiters_and_odd_keys() {
    let r = p("@article(paren:key/1+x, title = {P})\n@Article{HoSp-87 ,\n title = {Q},\n}\n@misc{ spaced , title={R}}");
    let keys: Vec<_> = r.items.iter().map(|i| i.item.key.as_str()).collect();
    assert_eq!(keys, ["paren:key/1+x", "HoSp-87", "spaced"]);
    assert_eq!(r.items[0].item.title, "P");
    assert!(errors(&r).is_empty());
}

#[test]
fn entry_without_key() {
    let r = p("@article{\n  author = {Huang, Y.},\n  title = {Alzheimer},\n}\n");
    assert_eq!(r.items.len(), 1);
    assert_eq!(r.items[0].item.key, "");
    assert_eq!(r.items[0].item.title, "Alzheimer");
    assert!(r.diagnostics.iter().any(|d| d.message.contains("no citation key")));
}

#[test]
fn duplicate_keys_get_suffixes() {
    let r = p("@misc{k, title={1}}\n@misc{k, title={2}}\n@misc{K, title={3}}\n");
    let keys: Vec<_> = r.items.iter().map(|i| i.item.key.as_str()).collect();
    assert_eq!(keys, ["k", "ka", "Kb"]);
    let d: Vec<_> = r
        .diagnostics
        .iter()
        .filter(|d| d.message.contains("duplicate key"))
        .collect();
    assert_eq!(d.len(), 2);
    assert_eq!(d[0].line, Some(2));
}

#[test]
fn name_forms() {
    let it = one(
        r#"@book{n, author = {Steen, Trui and Cesar Casiano Flores and van der Berg, Jr., Jan and Ludwig van Beethoven and {World Health Organization} and family=Smith, given=John, prefix=de and M{\"u}ller, J{\"o}rg and others},
 editor = {Doe, Jane}, translator = {Roe, R.}, bookauthor = {Goethe, J. W.}}"#,
    );
    let c = &it.creators;
    assert_eq!(person(&c[0]), ("Steen", "Trui", "", ""));
    assert_eq!(person(&c[1]), ("Flores", "Cesar Casiano", "", ""));
    assert_eq!(person(&c[2]), ("Berg", "Jan", "van der", "Jr."));
    assert_eq!(person(&c[3]), ("Beethoven", "Ludwig", "van", ""));
    assert_eq!(literal(&c[4]), "World Health Organization");
    assert_eq!(person(&c[5]), ("Smith", "John", "de", ""));
    assert_eq!(person(&c[6]), ("Müller", "Jörg", "", ""));
    assert_eq!(literal(&c[7]), "others");
    let roles: Vec<_> = c[8..].iter().map(|c| c.role).collect();
    assert_eq!(roles, [Role::Editor, Role::Translator, Role::BookAuthor]);
    assert!(c[..8].iter().all(|c| c.role == Role::Author));
}

#[test]
fn scopus_comma_separated_authors_are_repaired() {
    let r = p("@article{s, author = {D'Ambrosio, A.a, Aria, M.a, Iorio, C.b, Siciliano, R.b}, source = {Scopus}}");
    let fams: Vec<_> = r.items[0].item.creators.iter().map(|c| c.family()).collect();
    assert_eq!(fams, ["D'Ambrosio", "Aria", "Iorio", "Siciliano"]);
    assert_eq!(r.items[0].item.creators[1].given(), "M.a");
    assert_eq!(r.repairs.len(), 1);
    assert_eq!(r.dialect.as_deref(), Some("scopus"));
    // A normal "Last, Jr, First" name is left alone.
    let it = one("@misc{a, author = {King, Jr., Martin Luther}}");
    assert_eq!(person(&it.creators[0]), ("King", "Martin Luther", "", "Jr."));
}

#[test]
fn names_split_only_on_top_level_and() {
    let it = one("@misc{a, author = {{Barnes and Noble} and Smith AND Jones}}");
    assert_eq!(literal(&it.creators[0]), "Barnes and Noble");
    assert_eq!(it.creators[1].family(), "Smith");
    assert_eq!(it.creators[2].family(), "Jones");
}

#[test]
fn latex_to_unicode() {
    let it = one(
        r#"@misc{a, title = {G{\"o}del, \'{e}t\'e, Stra\ss e, 10--20, 1990---91, A \& B, Fig.~1, {\c c}a, \v{S}koda, na\"{\i}ve, {\L}{\'o}d{\'z}, $\alpha^2$ \emph{Drosophila} ``q''}}"#,
    );
    assert_eq!(
        it.title,
        "Gödel, été, Straße, 10\u{2013}20, 1990\u{2014}91, A & B, Fig.\u{a0}1, ça, Škoda, naïve, Łódź, $\\alpha^2$ Drosophila \u{201C}q\u{201D}"
    );
}

#[test]
fn latex_table_both_ways() {
    for (tex, uni) in [
        (r#"{\"a}"#, "ä"),
        (r"\'E", "É"),
        (r"\`{a}", "à"),
        (r"\^o", "ô"),
        (r"\~n", "ñ"),
        (r"\=a", "ā"),
        (r"\.z", "ż"),
        (r"\u{g}", "ğ"),
        (r"\v c", "č"),
        (r"\H{o}", "ő"),
        (r"\k{a}", "ą"),
        (r"\r{u}", "ů"),
        (r"\aa", "å"),
        (r"\o", "ø"),
        (r"\AE", "Æ"),
        (r"\oe", "œ"),
        (r"\l", "ł"),
        (r"\textemdash", "\u{2014}"),
        (r"\S", "§"),
        (r"\textbackslash{}", "\\"),
        (r"\textasciitilde{}", "~"),
        (r"\^{}", "^"),
    ] {
        assert_eq!(to_unicode(tex), uni, "{tex}");
    }
    let ascii = Escape {
        ascii: true,
        protect_case: false,
    };
    for s in [
        "Gödel",
        "Łódź",
        "naïve",
        "Ørsted",
        "Straße",
        "œuvre",
        "Škoda",
        "ı",
        "ǘ",
        "§ 3 — ok",
        "Æsir",
    ] {
        let tex = from_unicode(s, ascii);
        assert!(tex.is_ascii(), "{s} -> {tex}");
        assert_eq!(to_unicode(&tex), s, "{s} -> {tex}");
    }
    assert_eq!(from_unicode("é", ascii), r"{\'e}");
    assert_eq!(from_unicode("í", ascii), r"{\'\i}");
    assert_eq!(from_unicode("ç", ascii), r"{\c{c}}");
    assert_eq!(from_unicode("α", ascii), r"{$\alpha$}");
    // UTF-8 kept when not ASCII mode.
    assert_eq!(from_unicode("Gödel", Escape::default()), "Gödel");
}

#[test]
fn specials_are_escaped_and_math_kept() {
    let e = Escape::default();
    assert_eq!(
        from_unicode("a#b$c%d&e_f{g}h~i^j\\k", e),
        r"a\#b\$c\%d\&e\_f\{g\}h\textasciitilde{}i\textasciicircum{}j\textbackslash{}k"
    );
    assert_eq!(from_unicode("costs $5 and $6", e), r"costs \$5 and \$6");
    assert_eq!(from_unicode("the $\\alpha$-helix", e), r"the $\alpha$-helix");
    assert_eq!(
        from_unicode("see \\url{http://x.org/a_b}", e),
        r"see \url{http://x.org/a_b}"
    );
    assert_eq!(from_unicode("10\u{2013}20 a\u{a0}b --", e), "10--20 a~b -{}-");
    assert_eq!(from_unicode("'\u{201D} -\u{2013}", e), "'{}'' -{}--");
    // Every escape reads back.
    for s in ["a#b$c%d&e_f{g}h~i^j\\k", "costs $5 and $6", "-- `` ''", "100 %"] {
        assert_eq!(to_unicode(&from_unicode(s, e)), s);
    }
}

#[test]
fn case_protection() {
    let e = Escape {
        ascii: false,
        protect_case: true,
    };
    assert_eq!(
        from_unicode("The EIF and the iPhone in McDonald's U.S. stores", e),
        "The {EIF} and the {iPhone} in {McDonald's} {U.S.} stores"
    );
    assert_eq!(from_unicode("A study of Nature", e), "A study of Nature");
}

#[test]
fn structured_abstract() {
    let it = one(
        "@article{a, abstract = {Purpose -- The purpose is X.\n  Design/methodology/approach -- A review.\n  Findings -- It works.}}",
    );
    let h: Vec<_> = it.r#abstract.sections().iter().map(|s| s.heading.as_str()).collect();
    assert_eq!(h, ["Purpose", "Design/methodology/approach", "Findings"]);
    assert_eq!(it.r#abstract.sections()[2].text, "It works.");
    // Written as one field with "Heading: text" sections, read back the same.
    let w = blx(&[Item {
        source: None,
        ..it.clone()
    }]);
    assert!(
        w.contains(
            "abstract = {Purpose: The purpose is X.\nDesign/methodology/approach: A review.\nFindings: It works.}"
        ),
        "{w}"
    );
    assert_eq!(one(&w).r#abstract, it.r#abstract);
}

#[test]
fn access_from_vendor_signals() {
    let it = one("@article{a, note = {Export Date: 1 May 2024; Cited By: 3; All Open Access, Gold Open Access}}");
    assert_eq!(it.access, Access::new(AccessStatus::Open, "bibtex:note"));
    let it = one("@article{a, oa = {true}}");
    assert_eq!(it.access, Access::new(AccessStatus::Open, "bibtex:oa"));
    assert_eq!(it.extra_field("oa"), Some("{true}"));
    let it = one("@article{a, access = {restricted}}");
    assert_eq!(it.access, Access::new(AccessStatus::Restricted, "bibtex:access"));
    assert!(it.extra.is_empty());
    let it = one("@article{a, note = {Restricted access to data}}");
    assert_eq!(it.access.status, AccessStatus::Unknown);
}

#[test]
fn extra_fields_keep_raw_text_and_order() {
    let it = one("@misc{a, zeta = {Z {x}}, title = {T}, alpha = \"A\" # jan, eprint = 1234}");
    assert_eq!(
        it.extra,
        vec![
            ExtraField::bibtex("zeta".into(), "{Z {x}}".into()),
            ExtraField::bibtex("alpha".into(), "\"A\" # jan".into()),
            ExtraField::bibtex("eprint".into(), "1234".into()),
        ]
    );
    let w = bib(&[it]);
    let (z, a, e) = (
        w.find("zeta = {Z {x}}").unwrap(),
        w.find("alpha = \"A\" # jan").unwrap(),
        w.find("eprint = 1234").unwrap(),
    );
    assert!(z < a && a < e, "{w}");
}

#[test]
fn source_record_and_lines() {
    let input = "% header\n\n@article{a,\n  title = {A},\n}\n\n@book{b, title = {B}}\n";
    let r = p(input);
    assert_eq!(r.items[0].line, 3);
    assert_eq!(r.items[1].line, 7);
    let src = r.items[0].item.source.as_ref().unwrap();
    assert_eq!(src.format, "bibtex");
    assert_eq!(src.text, "@article{a,\n  title = {A},\n}");
    let mut bare = r.items[0].item.clone();
    bare.source = None;
    assert_eq!(src.fingerprint, bare.fingerprint());
}

#[test]
fn errors_resume_at_next_entry() {
    let input = "@article{bad1,\n  title = {Unclosed,\n  year = 2001\n\n@article{good1, title = {G1}}\n@article{bad2,\n  title {no equals}\n}\n@book{good2, title = {G2}}\ngarbage here @ nothing\n@misc{good3, title = {G3}}\n";
    let r = p(input);
    let keys: Vec<_> = r.items.iter().map(|i| i.item.key.as_str()).collect();
    assert_eq!(keys, ["good1", "good2", "good3"]);
    let errs = errors(&r);
    assert_eq!(errs.len(), 2, "{errs:?}");
    assert_eq!(errs[0].line, Some(1));
    assert!(errs[0].message.contains("unbalanced"), "{}", errs[0].message);
    assert_eq!(errs[1].line, Some(6));
    assert!(errs[1].message.contains("missing '='"), "{}", errs[1].message);
}

#[test]
fn broken_entry_keeps_fields_read_before_the_error() {
    let r = p("@article{k,\n title = {T},\n author = {A, B},\n year = 2001 junk,\n}\n@misc{next, title={N}}\n");
    assert_eq!(r.items.len(), 2);
    assert_eq!(r.items[0].item.title, "T");
    assert_eq!(r.items[0].item.creators.len(), 1);
    assert_eq!(errors(&r).len(), 1);
}

#[test]
fn percent_comments() {
    let r = p("% @article{commented, title={X}}\n%@BOOK{L27,\n%  AUTHOR = {Smith}\n%}\n@article{a, % after key\n  title = {5\\% of 100%}, % trailing\n  % whole line\n  year = 2001\n} % after\n");
    assert_eq!(r.items.len(), 1);
    assert_eq!(r.items[0].item.title, "5% of 100%");
    assert_eq!(r.items[0].item.date.year, Some(2001));
    assert!(errors(&r).is_empty());
}

#[test]
fn comment_blocks_with_junk_do_not_swallow_entries() {
    let r = p("@Comment{ignored,\n does={\n}\n\n@book{b, title={B}}\n");
    assert_eq!(r.items.len(), 1);
    assert_eq!(r.extras.comments.len(), 1);
}

// ---------------------------------------------------------------- export

fn sample() -> Item {
    let mut it = Item::new(ItemType::Article, "Coproduction and the EIF: a Müller–Smith study");
    it.key = "steen2019".into();
    it.creators = vec![
        Creator {
            role: Role::Author,
            name: Name::Person {
                family: "Berg".into(),
                given: "Jan".into(),
                particle: "van der".into(),
                suffix: "Jr.".into(),
            },
        },
        Creator::person(Role::Author, "Gödel", "Kurt"),
        Creator::literal(Role::Author, "World Health Organization"),
        Creator::literal(Role::Author, "others"),
    ];
    it.container = "Public Administration Review".into();
    it.place = "Hoboken".into();
    it.date = PartialDate::ymd(2019, Some(5), Some(4));
    it.doi = "10.1111/puar.13046".into();
    it.tags = vec![ItemTag::manual("co-production"), ItemTag::imported("EIF")];
    it
}

#[test]
fn bibtex_mode_output() {
    let w = write(&[sample()], &BibExtras::default(), &BibWriteOptions::default());
    let t = &w.text;
    assert!(t.starts_with("@article{steen2019,\n"), "{t}");
    assert!(
        t.contains(
            r#"author = {van der Berg, Jr., Jan and G{\"o}del, Kurt and {World Health Organization} and others},"#
        ),
        "{t}"
    );
    assert!(
        t.contains(r#"title = {Coproduction and the {EIF}: a M{\"u}ller--Smith study},"#),
        "{t}"
    );
    assert!(t.contains("journal = {Public Administration Review},"), "{t}");
    assert!(t.contains("address = {Hoboken},"), "{t}");
    assert!(t.contains("year = {2019},\n  month = may,\n  day = {4},"), "{t}");
    assert!(t.contains("keywords = {co-production, EIF},"), "{t}");
    assert!(t.is_ascii());
    assert!(!t.contains("access"));
    assert!(w.diagnostics.is_empty(), "{:?}", w.diagnostics);
    let back = one(t);
    assert_eq!(back.creators, sample().creators);
    assert_eq!(back.title, sample().title);
}

#[test]
fn biblatex_mode_output() {
    let mut it = sample();
    it.item_type = ItemType::Online;
    it.institution = "KU Leuven".into();
    let t = blx(&[it]);
    assert!(t.starts_with("@online{steen2019,"), "{t}");
    assert!(t.contains("Gödel, Kurt"), "{t}");
    assert!(t.contains("booktitle = {Public Administration Review}"), "{t}");
    assert!(t.contains("location = {Hoboken},"), "{t}");
    assert!(t.contains("institution = {KU Leuven},"), "{t}");
    assert!(t.contains("date = {2019-05-04},"), "{t}");
    let mut art = sample();
    art.item_type = ItemType::PhdThesis;
    art.institution = "KU Leuven".into();
    let b = bib(&[art]);
    assert!(b.contains("school = {KU Leuven}"), "{b}");
    let mut art = sample();
    art.date = PartialDate::ymd(2019, Some(5), None);
    assert!(blx(&[art]).contains("journaltitle = {Public Administration Review},"));
}

#[test]
fn biblatex_only_types_degrade_with_a_warning() {
    let mut it = sample();
    it.item_type = ItemType::Online;
    let w = write(&[it.clone()], &BibExtras::default(), &BibWriteOptions::default());
    assert!(w.text.starts_with("@misc{"), "{}", w.text);
    assert_eq!(w.diagnostics.len(), 1);
    assert_eq!(w.diagnostics[0].severity, Severity::Warning);
    assert!(w.diagnostics[0].message.contains("online"));
    it.item_type = ItemType::Dataset;
    let w = write(
        &[it],
        &BibExtras::default(),
        &BibWriteOptions {
            mode: BibMode::Biblatex,
            ..Default::default()
        },
    );
    assert!(w.text.starts_with("@dataset{"));
    assert!(w.diagnostics.is_empty());
}

#[test]
fn sorted_by_key_with_strings_preambles_and_comments() {
    let input = "@preamble{\"\\newcommand{\\x}{}\"}\n@string{used = {Used Journal}}\n@string{unused = {U}}\n@string{chain = used # { Extra}}\n@comment{groups}\n@misc{zed, howpublished = chain}\n@misc{Alpha, title = {A}}\n@misc{beta, title = {B}}\n";
    let r = p(input);
    let mut items: Vec<Item> = r.items.iter().map(|i| i.item.clone()).collect();
    for it in &mut items {
        it.note = "edited".into(); // force regeneration
    }
    let t = write(&items, &r.extras, &BibWriteOptions::default()).text;
    let pos = |s: &str| t.find(s).unwrap_or_else(|| panic!("{s} not in {t}"));
    assert!(pos("@preamble{") < pos("@string{used"));
    assert!(pos("@string{used") < pos("@string{chain"));
    assert!(!t.contains("unused"));
    assert!(pos("{Alpha,") < pos("{beta,"));
    assert!(pos("{beta,") < pos("{zed,"));
    assert!(pos("{zed,") < pos("@comment{groups}"));
    let back = p(&t);
    assert_eq!(back.items.len(), 3);
    assert!(back.diagnostics.is_empty(), "{:?}", back.diagnostics);
}

#[test]
fn undefined_macros_in_kept_values_are_reported() {
    let mut it = sample();
    it.extra
        .push(ExtraField::bibtex("howpublished".into(), "ieeetc # { and more}".into()));
    let w = write(&[it], &BibExtras::default(), &BibWriteOptions::default());
    assert!(
        w.diagnostics.iter().any(|d| d.message.contains("\"ieeetc\"")),
        "{:?}",
        w.diagnostics
    );
}

#[test]
fn access_written_and_restored() {
    let mut it = sample();
    it.access = Access::new(AccessStatus::Restricted, "user");
    let t = bib(&[it]);
    assert!(t.contains("access = {restricted},"), "{t}");
    assert_eq!(one(&t).access, Access::new(AccessStatus::Restricted, "bibtex:access"));
    // Derived from a kept field: not written twice.
    let it = one("@article{a, oa = {yes}}");
    let t = bib(&[Item { source: None, ..it }]);
    assert!(!t.contains("access ="), "{t}");
    assert_eq!(one(&t).access.status, AccessStatus::Open);
}

#[test]
fn omit_fields() {
    let mut it = sample();
    it.r#abstract = crate::model::Abstract::plain("Long text.");
    it.extra.push(ExtraField::bibtex("file".into(), "{a.pdf}".into()));
    let t = write(
        &[it],
        &BibExtras::default(),
        &BibWriteOptions {
            omit_fields: vec!["abstract".into(), "FILE".into()],
            ..Default::default()
        },
    )
    .text;
    assert!(!t.contains("abstract") && !t.contains("file"), "{t}");
    // Omission also applies to entries that would be written verbatim.
    let r = p("@misc{a, title = {T}, file = {x.pdf}}");
    let items: Vec<Item> = r.items.iter().map(|i| i.item.clone()).collect();
    let t = write(
        &items,
        &r.extras,
        &BibWriteOptions {
            omit_fields: vec!["file".into()],
            ..Default::default()
        },
    )
    .text;
    assert!(!t.contains("x.pdf"), "{t}");
}

#[test]
fn lossless_unedited_entries_are_written_verbatim() {
    let input = "@Article{ k1 ,\n  Title = \"{T}he {EIF}\" # { case},\n  Journal = jgr, % a comment\n  Year = 2001\n}";
    let r = parse(input, &mut BibContext::new());
    let mut items: Vec<Item> = r.items.iter().map(|i| i.item.clone()).collect();
    let t = blx(&items);
    assert!(t.contains(input), "{t}");
    // Classic BibTeX has no comments inside entries: copied without them.
    let t = bib(&items);
    assert!(
        t.contains("@Article{ k1 ,\n  Title = \"{T}he {EIF}\" # { case},\n  Journal = jgr,\n  Year = 2001\n}"),
        "{t}"
    );
    let input2 = "@Article{ k1 ,\n  Title = \"{T}he {EIF}\" # { case},\n  Journal = jgr,\n  Year = 2001\n}";
    let r2 = parse(input2, &mut BibContext::new());
    let items2: Vec<Item> = r2.items.iter().map(|i| i.item.clone()).collect();
    assert!(bib(&items2).contains(input2));
    items[0].title.push('!');
    let t = bib(&items);
    assert!(!t.contains(input), "{t}");
    assert!(t.contains("title = {The {EIF} case!}"), "{t}");
    // BibLaTeX-only types are regenerated for BibTeX.
    let r = p("@online{o, title = {Web}}");
    let items: Vec<Item> = r.items.iter().map(|i| i.item.clone()).collect();
    assert!(bib(&items).starts_with("@misc{o,"));
    assert!(blx(&items).starts_with("@online{o, title = {Web}}"));
}

#[test]
fn empty_key_is_generated_on_write() {
    let mut it = sample();
    it.key.clear();
    let w = write(&[it], &BibExtras::default(), &BibWriteOptions::default());
    assert!(w.text.starts_with("@article{Berg2019,"), "{}", w.text);
    assert!(w
        .diagnostics
        .iter()
        .any(|d| d.message.contains("without a citation key")));
}

#[test]
fn names_with_lowercase_parts_are_protected() {
    // A family name of several words with no given name is one brace group in BibTeX, the
    // same as an organisation: it reads back as a literal name.
    let mut it = Item::new(ItemType::Book, "B");
    it.key = "b".into();
    it.creators = vec![Creator::person(Role::Author, "de Gaulle", "")];
    assert_eq!(
        one(&blx(&[it])).creators,
        vec![Creator::literal(Role::Author, "de Gaulle")]
    );
    for c in [
        Creator::person(Role::Author, "deGaulle", ""),
        Creator::person(Role::Author, "de Gaulle", "Charles"),
        Creator::person(Role::Author, "Smith, Jones", "A"),
        Creator::person(Role::Author, "Barnes and Noble", "X"),
        Creator {
            role: Role::Editor,
            name: Name::Person {
                family: "andere".into(),
                given: "Alan".into(),
                particle: "und Steven Second und".into(),
                suffix: String::new(),
            },
        },
    ] {
        let mut it = Item::new(ItemType::Book, "B");
        it.key = "b".into();
        it.creators = vec![c.clone()];
        let t = blx(&[it]);
        assert_eq!(one(&t).creators, vec![c], "{t}");
    }
}

// ---------------------------------------------------------------- properties

mod props {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #![proptest_config(ProptestConfig { cases: 256, failure_persistence: None, ..ProptestConfig::default() })]

        #[test]
        fn parse_never_panics(s in ".{0,400}") {
            let _ = p(&s);
        }

        #[test]
        fn parse_never_panics_on_bibtex_like_input(
            parts in proptest::collection::vec(
                prop_oneof![
                    Just("@article{".to_string()), Just("@string(".to_string()), Just("@comment{".to_string()),
                    Just("@preamble{".to_string()), Just("key,".to_string()), Just("title = ".to_string()),
                    Just("{".to_string()), Just("}".to_string()), Just("\"".to_string()), Just("#".to_string()),
                    Just(",".to_string()), Just("\n".to_string()), Just("%".to_string()), Just("=".to_string()),
                    Just("(".to_string()), Just(")".to_string()), Just("\\\"o".to_string()), Just("$".to_string()),
                    Just("\\".to_string()), Just("and".to_string()), Just(" ".to_string()), "[a-zA-Zé0-9]{1,5}",
                ],
                0..60,
            )
        ) {
            let s: String = parts.concat();
            let r = p(&s);
            for it in &r.items {
                // Writing whatever was read never panics either, and reads back.
                let w = write(std::slice::from_ref(&it.item), &r.extras, &BibWriteOptions::default());
                let _ = p(&w.text);
            }
        }

        #[test]
        fn latex_round_trip(s in "[ -\\[\\]-~äöüßéèçñłøŁ–—“”…§\u{a0}]{0,40}") {
            // (No backslash: an unknown `\command` right before an escaped letter is a
            // documented limit.)
            for ascii in [false, true] {
                let e = Escape { ascii, protect_case: true };
                let tex = from_unicode(&s, e);
                prop_assert!(tex::balanced(&tex), "{} -> {}", s, tex);
                prop_assert_eq!(to_unicode(&tex), s.clone(), "via {}", tex);
            }
        }
    }

    fn word() -> impl Strategy<Value = String> {
        prop_oneof![
            Just("Coproduction".to_string()),
            Just("EIF".to_string()),
            Just("iPhone".to_string()),
            Just("Gödel".to_string()),
            Just("naïve".to_string()),
            Just("Łódź".to_string()),
            Just("a".to_string()),
            Just("of".to_string()),
            Just("100%".to_string()),
            Just("R&D".to_string()),
            Just("C#".to_string()),
            Just("x_1".to_string()),
            Just("{braced}".to_string()),
            Just("~tilde".to_string()),
            Just("a^b".to_string()),
            Just("$x$".to_string()),
            Just("$5".to_string()),
            Just("back\\".to_string()),
            Just("10–20".to_string()),
            Just("—".to_string()),
            Just("“quoted”".to_string()),
            Just("--".to_string()),
            Just("Straße".to_string()),
            Just("no\u{a0}break".to_string()),
            Just("\\LaTeX{}".to_string()),
            Just("j\\k".to_string()),
            Just("œuvre".to_string()),
            // U+FFFD (written as \symbol{65533}, read back), and text that looks like a
            // character by code (escaped, so it reads back as text).
            Just("Cu2O(1\u{FFFD}1\u{FFFD}1)".to_string()),
            Just("\\symbol{65533}".to_string()),
            Just("\\char\"41".to_string()),
            "[A-Za-z]{1,8}",
        ]
    }

    fn text(max: usize) -> impl Strategy<Value = String> {
        proptest::collection::vec(word(), 0..max).prop_map(|w| w.join(" "))
    }

    fn name_word(lower: bool) -> impl Strategy<Value = String> {
        if lower {
            prop_oneof![
                Just("van".to_string()),
                Just("de".to_string()),
                Just("von der".to_string()),
                Just("de la".to_string())
            ]
            .boxed()
        } else {
            prop_oneof![
                Just("Müller".to_string()),
                Just("Smith".to_string()),
                Just("O'Neil".to_string()),
                Just("Jean-Paul".to_string()),
                Just("Øster".to_string()),
                Just("Casiano Flores".to_string()),
                Just("McDonald".to_string()),
                "[A-Z][a-z]{1,7}",
            ]
            .boxed()
        }
    }

    fn creator() -> impl Strategy<Value = Creator> {
        let role = prop_oneof![
            Just(Role::Author),
            Just(Role::Editor),
            Just(Role::Translator),
            Just(Role::BookAuthor)
        ];
        let person = (
            name_word(false),
            proptest::option::of(name_word(false)),
            proptest::option::of(name_word(true)),
            proptest::option::of(prop_oneof![Just("Jr.".to_string()), Just("III".to_string())]),
        );
        let lit = prop_oneof![
            Just("World Health Organization".to_string()),
            Just("Barnes and Noble".to_string()),
            Just("R Core Team".to_string()),
            Just("others".to_string()),
        ];
        (
            role,
            prop_oneof![
                // (A family name of several words, or a suffix, needs a given name: see the
                // module docs.)
                person.prop_map(|(f, g, p, s)| Name::Person {
                    given: g.unwrap_or_else(|| {
                        if f.contains(' ') {
                            "Ann".into()
                        } else {
                            String::new()
                        }
                    }),
                    family: f,
                    particle: p.unwrap_or_default(),
                    suffix: s.unwrap_or_default(),
                }),
                lit.prop_map(|l| Name::Literal { literal: l }),
            ],
        )
            .prop_map(|(role, name)| Creator { role, name })
    }

    fn date() -> impl Strategy<Value = PartialDate> {
        prop_oneof![
            Just(PartialDate::default()),
            (1900i32..2030).prop_map(|y| {
                let mut d = PartialDate::year(y);
                d.raw = d.iso();
                d
            }),
            (1900i32..2030, 1u8..13).prop_map(|(y, m)| {
                let mut d = PartialDate::ymd(y, Some(m), None);
                d.raw = d.iso();
                d
            }),
            (1900i32..2030, 1u8..13, 1u8..29).prop_map(|(y, m, dd)| {
                let mut d = PartialDate::ymd(y, Some(m), Some(dd));
                d.raw = d.iso();
                d
            }),
            Just(PartialDate::parse("in press")),
            Just(PartialDate::parse("1999–2009")),
        ]
    }

    /// Types whose BibLaTeX name reads back as the same type.
    fn item_type() -> impl Strategy<Value = ItemType> {
        let types: Vec<ItemType> = ItemType::ALL
            .iter()
            .map(|i| i.ty)
            .filter(|t| ItemType::from_bibtex(t.biblatex_type()) == Some(*t))
            .collect();
        proptest::sample::select(types)
    }

    fn abstract_() -> impl Strategy<Value = crate::model::Abstract> {
        prop_oneof![
            Just(crate::model::Abstract::default()),
            text(12).prop_map(|t| crate::model::Abstract::plain(&t.replace('\u{a0}', " "))),
            (
                text(6).prop_map(|t| t.replace('\u{a0}', " ")),
                text(6).prop_map(|t| t.replace('\u{a0}', " "))
            )
                .prop_filter("non-empty", |(a, b)| !a.is_empty() && !b.is_empty())
                .prop_map(|(a, b)| {
                    crate::model::Abstract(vec![
                        AbstractSection {
                            heading: "Purpose".into(),
                            text: format!("{a}."),
                        },
                        AbstractSection {
                            heading: "Findings".into(),
                            text: format!("{b}."),
                        },
                    ])
                }),
        ]
    }

    prop_compose! {
        fn item()(
            ty in item_type(),
            key in "[A-Za-z][A-Za-z0-9:_-]{0,12}",
            title in text(8), subtitle in text(3), container in text(4),
            creators in proptest::collection::vec(creator(), 0..5),
            volume in "[0-9]{0,3}", pages in prop_oneof![Just(String::new()), Just("1–10".to_string()), Just("e123".to_string())],
            place in text(2), publisher in text(3), institution in text(2), note in text(5),
            date in date(),
            doi in prop_oneof![Just(String::new()), Just("10.1000/xyz_1".to_string())],
            url in prop_oneof![Just(String::new()), Just("https://example.org/a_b?c=1%20d#e".to_string())],
            tags in proptest::collection::vec("[A-Za-z][A-Za-z ]{0,8}[A-Za-z]", 0..4),
            abs in abstract_(),
            access in prop_oneof![
                Just(Access::default()),
                Just(Access::new(AccessStatus::Open, "bibtex:access")),
                Just(Access::new(AccessStatus::Restricted, "bibtex:access")),
            ],
            extra in proptest::collection::vec(("[a-z]{3,8}x", "[A-Za-z0-9 ]{0,10}"), 0..3),
        ) -> Item {
            let mut it = Item::new(ty, &title);
            it.key = key;
            it.subtitle = subtitle;
            it.container = container;
            let mut creators = creators;
            creators.sort_by_key(|c| super::super::fields::role_rank(c.role));
            it.creators = creators;
            it.volume = volume;
            it.pages = pages;
            it.place = place;
            it.publisher = publisher;
            it.institution = institution;
            it.note = note;
            it.date = date;
            it.doi = doi;
            it.url = url;
            let mut seen = Vec::<String>::new();
            for t in tags {
                let t = t.split_whitespace().collect::<Vec<_>>().join(" ");
                if !seen.iter().any(|s| s.eq_ignore_ascii_case(&t)) {
                    seen.push(t.clone());
                    it.tags.push(ItemTag::imported(&t));
                }
            }
            it.r#abstract = abs;
            it.access = access;
            let mut names = Vec::<String>::new();
            for (n, v) in extra {
                if !names.contains(&n) {
                    names.push(n.clone());
                    it.extra.push(ExtraField::bibtex(n, format!("{{{v}}}")));
                }
            }
            it
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 256, failure_persistence: None, ..ProptestConfig::default() })]

        /// write (BibLaTeX) → parse is the identity on the model (see the module docs for
        /// the normalisation; the generators stay inside it).
        #[test]
        fn write_parse_identity(it in item()) {
            let w = write(std::slice::from_ref(&it), &BibExtras::default(), &BibWriteOptions {
                mode: BibMode::Biblatex,
                ..Default::default()
            });
            let r = p(&w.text);
            prop_assert!(errors(&r).is_empty(), "{:?}\n{}", r.diagnostics, w.text);
            prop_assert_eq!(r.items.len(), 1);
            let mut back = r.items[0].item.clone();
            back.source = None;
            // Dates come back as the EDTF text BibLaTeX needs (`1999–2009` as `1999/2009`).
            let want = super::super::write::as_written(it.clone(), &BibExtras::default(), BibMode::Biblatex, false);
            prop_assert_eq!(&back, &want, "\n{}", w.text);
        }

        /// In BibTeX mode (ASCII escapes) the text fields read back too.
        #[test]
        fn bibtex_ascii_round_trip_of_text(it in item()) {
            let w = write(std::slice::from_ref(&it), &BibExtras::default(), &BibWriteOptions::default());
            prop_assert!(w.text.is_ascii() || it.title.contains('$'), "{}", w.text);
            let r = p(&w.text);
            prop_assert_eq!(r.items.len(), 1);
            let back = &r.items[0].item;
            // pdfLaTeX cannot typeset U+FFFD: an ASCII export writes a visible `?` (warned).
            let lossy = |s: &str| s.replace('\u{FFFD}', "?");
            let mut creators = it.creators.clone();
            for c in &mut creators {
                if let Name::Person { family, given, particle, suffix } = &mut c.name {
                    for part in [family, given, particle, suffix] {
                        *part = lossy(part);
                    }
                }
                if let Name::Literal { literal } = &mut c.name {
                    *literal = lossy(literal);
                }
            }
            prop_assert_eq!(&back.creators, &creators);
            prop_assert_eq!(&back.container, &lossy(&it.container));
            prop_assert_eq!(&back.note, &lossy(&it.note));
            prop_assert_eq!(back.date.year, it.date.year);
        }
    }
}

#[test]
fn text_is_stored_in_nfc() {
    let it = one("@misc{a, author = {Crenshaw, Kimberle\u{301}}, title = {Be\u{301}rube\u{301}}, abstract = {Be\u{301}rube\u{301}}}");
    assert_eq!(it.creators[0].given(), "Kimberlé");
    assert_eq!(it.title, "Bérubé");
    assert_eq!(it.r#abstract.flat(false), "Bérubé");
}

#[test]
#[ignore]
fn show_export() {
    // `SHOW=path cargo test -p folio --lib bibtex::tests::show_export -- --ignored --nocapture`
    let path = std::env::var("SHOW").unwrap();
    let bytes = std::fs::read(path).unwrap();
    let text = crate::format::decode(&bytes, None).unwrap().text;
    let r = p(&text);
    let items: Vec<Item> = r
        .items
        .iter()
        .map(|i| Item {
            source: None,
            ..i.item.clone()
        })
        .collect();
    let w = write(&items[..items.len().min(2)], &r.extras, &BibWriteOptions::default());
    println!("{}\n{:?}", w.text, w.diagnostics);
}

#[test]
fn a_full_written_date_becomes_year_month_day_for_classic_bibtex() {
    for (raw, want) in [
        ("4 August 2022", Some(("2022", "aug", Some("4")))),
        ("Aug. 4, 2022", Some(("2022", "aug", Some("4")))),
        ("August 2005", Some(("2005", "aug", None))),
        ("1999–2009", None),
    ] {
        let mut it = Item::new(ItemType::Article, "Dated");
        it.key = "k".into();
        it.date = PartialDate::parse(raw);
        let w = write(&[it], &BibExtras::default(), &BibWriteOptions::default());
        match want {
            Some((y, m, d)) => {
                assert!(w.text.contains(&format!("year = {{{y}}}")), "{raw}: {}", w.text);
                assert!(w.text.contains(&format!("month = {m}")), "{raw}: {}", w.text);
                if let Some(d) = d {
                    assert!(w.text.contains(&format!("day = {{{d}}}")), "{raw}: {}", w.text);
                }
            }
            None => assert!(w.text.contains("year = {1999--2009}"), "{raw}: {}", w.text),
        }
    }
}

#[test]
fn unpaired_literal_braces_export_so_bibtex_can_read_them() {
    // Found by fuzzing: `\{` still counts as a brace for BibTeX, so an unpaired one made the
    // exported value run into the next entry.
    for title in ["a { b", "x } y", "}{", "{ok} and { not"] {
        let mut a = Item::new(ItemType::Misc, title);
        a.key = "a".into();
        let mut b = Item::new(ItemType::Misc, "Next");
        b.key = "b".into();
        for mode in [BibMode::Bibtex, BibMode::Biblatex] {
            let opts = BibWriteOptions {
                mode,
                ..Default::default()
            };
            let w = write(&[a.clone(), b.clone()], &BibExtras::default(), &opts);
            assert!(tex::bibtex_balanced(&w.text), "{title:?}: {}", w.text);
            let back = p(&w.text);
            assert_eq!(back.items.len(), 2, "{title:?}: {}", w.text);
            assert_eq!(back.items[0].item.title, title, "{}", w.text);
        }
    }
}

// ------------------------------------------------ exports that LaTeX compiles (issue #3)

fn parsed_items(s: &str) -> (Vec<Item>, BibExtras) {
    let r = p(s);
    (r.items.into_iter().map(|i| i.item).collect(), r.extras)
}

fn write_mode(items: &[Item], extras: &BibExtras, mode: BibMode) -> Written {
    write(
        items,
        extras,
        &BibWriteOptions {
            mode,
            ..Default::default()
        },
    )
}

#[test]
fn comments_inside_a_source_entry_are_dropped_for_bibtex_only() {
    let src = "@article{roes2003,  % a comment after the key\n  title = {Belief}, % and here\n  author = {Roes, F}, year = {2022},\n  journal = {J}\n}";
    let (items, extras) = parsed_items(src);
    let bt = write_mode(&items, &extras, BibMode::Bibtex);
    assert!(
        bt.text.contains(
            "@article{roes2003,\n  title = {Belief},\n  author = {Roes, F}, year = {2022},\n  journal = {J}\n}"
        ),
        "{}",
        bt.text
    );
    // A `%` inside a value is text (and then a bare special: regenerated, escaped).
    let (items2, extras2) = parsed_items("@misc{p,\n  note = {50% off}\n}");
    assert!(write_mode(&items2, &extras2, BibMode::Bibtex)
        .text
        .contains("note = {50\\% off}"));
    // biber reads comments inside entries: the source is copied.
    let blx = write_mode(&items, &extras, BibMode::Biblatex);
    assert!(blx.text.contains(src), "{}", blx.text);
}

#[test]
fn a_source_with_comma_separated_names_is_regenerated() {
    let src = "@article{Adamo2013,\n  author = {Adamo, D., Schiavone, V., Aria, M.},\n  title = {T},\n  journal = {J},\n  year = {2013}\n}";
    let (items, extras) = parsed_items(src);
    for mode in [BibMode::Bibtex, BibMode::Biblatex] {
        let w = write_mode(&items, &extras, mode);
        assert!(
            w.text.contains("author = {Adamo, D. and Schiavone, V. and Aria, M.}"),
            "{mode:?}: {}",
            w.text
        );
    }
    // A name with too many commas for BibTeX's forms, not repairable as a list.
    let src = "@misc{k,\n  author = {Doe, J., Jr., extra},\n  title = {T}\n}";
    let (items, extras) = parsed_items(src);
    let w = write_mode(&items, &extras, BibMode::Bibtex);
    assert!(!w.text.contains(src), "{}", w.text);
}

#[test]
fn a_source_with_bare_specials_is_regenerated_escaped() {
    let src =
        "@misc{k,\n  title = {Rowman & Littlefield},\n  note = {ID: TN_sage_10},\n  url = {http://x.org/a_b&c}\n}";
    let (items, extras) = parsed_items(src);
    for mode in [BibMode::Bibtex, BibMode::Biblatex] {
        let w = write_mode(&items, &extras, mode);
        assert!(w.text.contains("Rowman \\& Littlefield"), "{mode:?}: {}", w.text);
        assert!(w.text.contains("ID: TN\\_sage\\_10"), "{mode:?}: {}", w.text);
        assert!(w.text.contains("url = {http://x.org/a_b&c}"), "{mode:?}: {}", w.text);
    }
    // Escaped specials and math are fine: copied as they are.
    let src = "@misc{k,\n  title = {A \\& B with $x_1^2$}\n}";
    let (items, extras) = parsed_items(src);
    assert!(write_mode(&items, &extras, BibMode::Bibtex).text.contains(src));
    // A control character is dropped.
    let (items, extras) = parsed_items("@misc{k,\n  title = {300\u{1}C}\n}");
    let w = write_mode(&items, &extras, BibMode::Biblatex);
    assert!(w.text.contains("300C}") && !w.text.contains('\u{1}'), "{}", w.text);
}

#[test]
fn biblatex_only_commands_are_translated_for_bibtex() {
    let src = "@article{k,\n  title = {Methodology\\hyphen independent {\\mkbibacro{GPS}} data},\n  journal = {J},\n  year = {2001}\n}";
    let (items, extras) = parsed_items(src);
    let bt = write_mode(&items, &extras, BibMode::Bibtex);
    assert!(
        !bt.text.contains("\\hyphen") && !bt.text.contains("mkbibacro"),
        "{}",
        bt.text
    );
    assert!(bt.text.contains("Methodology-independent"), "{}", bt.text);
    assert!(bt.text.contains("{GPS}"), "{}", bt.text);
    assert!(
        bt.diagnostics.iter().any(|d| d.message.contains("biblatex-only")),
        "{:?}",
        bt.diagnostics
    );
    // biblatex defines them: kept, and the source is copied.
    let blx = write_mode(&items, &extras, BibMode::Biblatex);
    assert!(blx.text.contains(src), "{}", blx.text);
    assert_eq!(
        tex::biblatex_to_latex("a\\addspace b \\mkbibparens{x}"),
        Some("a b (x)".into())
    );
    assert_eq!(tex::biblatex_to_latex("plain \\emph{x}"), None);
}

#[test]
fn csquotes_commands_are_not_copied_for_biblatex() {
    let src =
        "@article{k,\n  title = {Blah \\emph{emph} and \\enquote{enquote}.},\n  journal = {J},\n  year = {2001}\n}";
    let (items, extras) = parsed_items(src);
    let blx = write_mode(&items, &extras, BibMode::Biblatex);
    assert!(!blx.text.contains("\\enquote"), "{}", blx.text);
    assert!(blx.text.contains("``enquote''"), "{}", blx.text);
}

#[test]
fn a_crossref_to_an_entry_not_exported_is_left_out_for_bibtex() {
    let src = "@incollection{child,\n  title = {C},\n  crossref = {Missing2013},\n  year = {2013}\n}\n\n@book{other,\n  title = {O},\n  year = {2013}\n}";
    let (items, extras) = parsed_items(src);
    let bt = write_mode(&items, &extras, BibMode::Bibtex);
    assert!(!bt.text.contains("crossref"), "{}", bt.text);
    assert!(
        bt.text
            .contains("@incollection{child,\n  title = {C},\n  year = {2013}\n}"),
        "{}",
        bt.text
    );
    assert!(
        bt.diagnostics
            .iter()
            .any(|d| d.message.contains("\"missing2013\" is not in this export")),
        "{:?}",
        bt.diagnostics
    );
    // biber only warns: the link stays.
    assert!(write_mode(&items, &extras, BibMode::Biblatex)
        .text
        .contains("crossref = {Missing2013}"));
    // A parent that is exported stays linked.
    let (items, extras) = parsed_items("@incollection{c, title = {C}, crossref = {p}}\n@book{p, title = {P}}");
    assert!(write_mode(&items, &extras, BibMode::Bibtex)
        .text
        .contains("crossref = {p}"));
}

#[test]
fn a_circular_crossref_or_xdata_is_broken_for_biblatex() {
    let src = "@book{circ1,\n  title = {One},\n  crossref = {circ2}\n}\n\n@book{circ2,\n  title = {Two},\n  crossref = {circ1}\n}\n\n@book{c3,\n  title = {Three},\n  crossref = {circ1}\n}";
    let (items, extras) = parsed_items(src);
    let w = write_mode(&items, &extras, BibMode::Biblatex);
    assert_eq!(w.text.matches("crossref").count(), 2, "{}", w.text);
    assert!(w.text.contains("@book{circ2,\n  title = {Two},\n}"), "{}", w.text);
    assert!(
        w.diagnostics.iter().any(|d| d
            .message
            .contains("circ2: crossref closes a cycle (circ1 -> circ2 -> circ1)")),
        "{:?}",
        w.diagnostics
    );
    // BibTeX follows one level only and just warns: nothing is cut.
    assert_eq!(
        write_mode(&items, &extras, BibMode::Bibtex)
            .text
            .matches("crossref")
            .count(),
        3
    );

    // xdata lists and granular `xdata=key-field-n` references.
    let src = "@xdata{loop,\n  xdata = {loop:1}\n}\n\n@xdata{loop:1,\n  xdata = {loop}\n}\n\n@xdata{lxd1:loop,\n  author = {xdata=lxd2:loop-author-1}\n}\n\n@xdata{lxd2:loop,\n  author = {xdata=lxd1:loop-author-1}\n}";
    let (items, extras) = parsed_items(src);
    let w = write_mode(&items, &extras, BibMode::Biblatex);
    assert_eq!(w.text.matches("xdata = ").count(), 1, "{}", w.text);
    assert_eq!(w.text.matches("xdata=").count(), 1, "{}", w.text);
    assert_eq!(
        w.diagnostics
            .iter()
            .filter(|d| d.message.contains("closes a cycle"))
            .count(),
        2,
        "{:?}",
        w.diagnostics
    );
}

#[test]
fn preambles_do_not_run_together_and_at_commands_survive_biber() {
    let src = "@preamble{\"\\makeatletter\"}\n@preamble{\"\\@ifundefined{url}{\\def\\url#1{\\texttt{#1}}}{}\"}\n@preamble{\"\\makeatother\"}\n@preamble{\"Foo\"}\n@misc{k, title = {T}}";
    let (items, extras) = parsed_items(src);
    let bt = write_mode(&items, &extras, BibMode::Bibtex);
    assert!(bt.text.contains("@preamble{\"\\makeatother\" # { }}"), "{}", bt.text);
    assert!(bt.text.contains("@preamble{\"Foo\"}"), "{}", bt.text);
    assert!(bt.text.contains("\\@ifundefined{url}"), "{}", bt.text);
    let blx = write_mode(&items, &extras, BibMode::Biblatex);
    assert!(
        blx.text
            .contains("\\csname @ifundefined\\endcsname{url}{\\def\\url#1{\\texttt{#1}}}{}"),
        "{}",
        blx.text
    );
    // Definitions of @-commands are left alone.
    assert_eq!(
        super::write::at_commands_by_name("\\def\\@foo{x}\\newcommand{\\@bar}{y}\\@foo"),
        "\\def\\@foo{x}\\newcommand{\\@bar}{y}\\csname @foo\\endcsname"
    );
}

#[test]
fn an_accent_without_argument_stays_an_accent_on_nothing() {
    let it = one("@misc{k, author = {Ragnhei{\\d}ur Bogad\\'{o}ttir}, title = {Ragnhei{\\d}ur}}");
    assert_eq!(it.title, "Ragnhei\\d{}ur");
    assert_eq!(it.creators[0].given(), "Ragnhei\\d{}ur");
    let w = bib(&[Item { source: None, ..it }]);
    assert!(w.contains("title = {Ragnhei\\d{}ur}"), "{w}");
    assert!(w.contains("Ragnhei\\d{}ur}"), "{w}");
    assert!(!w.contains("\\dur"), "{w}");
    // Its source is not copied either (it is a LaTeX error as it stands).
    assert!(tex::accent_without_argument("Ragnhei{\\d}ur"));
    assert!(!tex::accent_without_argument("Ragnhei\\d{}ur \\d{o} \\dh \\\\d}"));
    let src = "@misc{k,\n  author = {Ragnhei{\\d}ur Bogad\\'{o}ttir}\n}";
    let (items, extras) = parsed_items(src);
    assert!(!write_mode(&items, &extras, BibMode::Bibtex).text.contains(src));
}

#[test]
fn inline_math_in_parentheses_passes_through() {
    let it = one("@misc{k, title = {0.35 {\\(\\mathrm{\\mu}\\)}m CMOS}}");
    let w = bib(&[Item { source: None, ..it }]);
    assert!(w.contains("\\(\\mathrm{\\mu}\\)"), "{w}");
    assert!(!w.contains("textbackslash"), "{w}");
}

#[test]
fn characters_by_code_are_read_as_the_character() {
    for form in [
        "\\symbol{\"FFFD}",
        "\\symbol{65533}",
        "\\symbol{'177775}",
        "\\symbol { 65533 }",
        "\\char\"FFFD",
        "\\char 65533",
        "\\char65533",
        "\\char'177775",
        "{\\char\"FFFD}",
    ] {
        // (Braced: TeX reads as many digits as follow, `\char"FFFD1` is U+FFFD1.)
        let it = one(&format!(
            "@misc{{k, title = {{Cu2O(1{{{form}}}1)}}, abstract = {{a{{{form}}}b}}}}"
        ));
        assert_eq!(it.title, "Cu2O(1\u{FFFD}1)", "{form}");
        assert_eq!(it.r#abstract.flat(false), "a\u{FFFD}b", "{form}");
    }
    // TeX skips one space after a number, and reads hex digits in upper case only.
    assert_eq!(to_unicode("\\char\"E9 t\\symbol{\"E9}t"), "étét");
    assert_eq!(to_unicode("M\\symbol{252}ller"), "Müller");
    // Not a character: kept as LaTeX (a surrogate, a control code, no number, another word).
    for kept in [
        "\\symbol{\"D800}",
        "\\symbol{7}",
        "\\symbol{x}",
        "\\symbol{65533 x}",
        "\\char\"fffd",
        "\\charlie{x}",
        "\\symbolic{1}",
    ] {
        assert_eq!(to_unicode(kept), kept, "{kept}");
    }
    // In a name too.
    let it = one("@misc{k, author = {M\\symbol{65533}ller, Hans}, title = {T}}");
    assert_eq!(person(&it.creators[0]).0, "M\u{FFFD}ller");
    // Literal text that looks like one is escaped on export, so it reads back as text.
    let tex = from_unicode("\\symbol{65533} and \\char\"41", Escape::default());
    assert!(!tex.contains("\\symbol{"), "{tex}");
    assert_eq!(to_unicode(&tex), "\\symbol{65533} and \\char\"41");
}

fn fffd_item() -> Item {
    let mut it = Item::new(ItemType::Article, "Cu2O(1\u{FFFD}1\u{FFFD}1) surfaces");
    it.key = "k".into();
    it.creators.push(Creator::person(Role::Author, "M\u{FFFD}ller", "Hans"));
    it.r#abstract = crate::model::Abstract::plain("Binding by 0.42\u{FFFD}eV.");
    it.url = "https://example.org/a\u{FFFD}b".into();
    it.extra
        .push(ExtraField::bibtex("comment".into(), "{x\u{FFFD}y}".into()));
    it
}

#[test]
fn replacement_character_is_written_as_symbol_for_unicode_engines() {
    let it = fffd_item();
    let w = write_mode(std::slice::from_ref(&it), &BibExtras::default(), BibMode::Biblatex);
    assert!(!w.text.contains('\u{FFFD}'), "{}", w.text);
    assert!(
        w.text
            .contains("title = {{Cu2O(1\\symbol{65533}1\\symbol{65533}1}) surfaces}"),
        "{}",
        w.text
    );
    assert!(
        w.text.contains("abstract = {Binding by 0.42\\symbol{65533}eV.}"),
        "{}",
        w.text
    );
    assert!(w.text.contains("author = {M\\symbol{65533}ller, Hans}"), "{}", w.text);
    assert!(w.text.contains("url = {https://example.org/a%EF%BF%BDb}"), "{}", w.text);
    assert!(w.text.contains("comment = {x\\symbol{65533}y}"), "{}", w.text);
    let d: Vec<_> = w.diagnostics.iter().filter(|d| d.message.contains("U+FFFD")).collect();
    assert_eq!(d.len(), 1, "{:?}", w.diagnostics);
    assert_eq!(d[0].severity, Severity::Info);
    assert!(d[0].message.starts_with("k: ") && d[0].message.contains("\\symbol{65533}"));
    // The mapped fields read back as they were.
    let back = one(&w.text);
    assert_eq!(back.title, it.title);
    assert_eq!(back.creators, it.creators);
    assert_eq!(back.r#abstract, it.r#abstract);
}

#[test]
fn replacement_character_is_a_visible_question_mark_for_pdflatex() {
    let it = fffd_item();
    let w = write_mode(std::slice::from_ref(&it), &BibExtras::default(), BibMode::Bibtex);
    assert!(w.text.is_ascii(), "{}", w.text);
    assert!(w.text.contains("title = {{Cu2O(1?1?1}) surfaces}"), "{}", w.text);
    assert!(w.text.contains("author = {M?ller, Hans}"), "{}", w.text);
    assert!(w.text.contains("url = {https://example.org/a%EF%BF%BDb}"), "{}", w.text);
    let d: Vec<_> = w.diagnostics.iter().filter(|d| d.message.contains("U+FFFD")).collect();
    assert_eq!(d.len(), 1, "{:?}", w.diagnostics);
    assert_eq!(d[0].severity, Severity::Warning);
    assert!(d[0].message.contains("\"?\""), "{}", d[0].message);
    // A UTF-8 BibTeX export (for LuaLaTeX) writes the LaTeX form instead.
    let w = write(
        std::slice::from_ref(&it),
        &BibExtras::default(),
        &BibWriteOptions {
            ascii: Some(false),
            ..Default::default()
        },
    );
    assert!(
        w.text
            .contains("title = {{Cu2O(1\\symbol{65533}1\\symbol{65533}1}) surfaces}"),
        "{}",
        w.text
    );
}

#[test]
fn a_copied_entry_with_the_replacement_character_changes_only_that() {
    let src = "@Article{Han_2009,\n  Title                    = {On CuO},\n  Abstract                 = \"Cu2O(1\u{FFFD}1\u{FFFD}1) and 0.42\u{FFFD}eV\",\n  Year                     = {2009}, % kept\n  Url = {http://x.org/\u{FFFD}}\n}";
    let mut extras = BibExtras::default();
    extras.strings.push(("lost".into(), "{a\u{FFFD}b}".into()));
    extras.preambles.push("{\\def\\x{\u{FFFD}}}".into());
    let (items, _) = parsed_items(src);
    let w = write_mode(&items, &extras, BibMode::Biblatex);
    let expected = src
        .replace(
            "(1\u{FFFD}1\u{FFFD}1) and 0.42\u{FFFD}",
            "(1\\symbol{65533}1\\symbol{65533}1) and 0.42\\symbol{65533}",
        )
        .replace("/\u{FFFD}", "/%EF%BF%BD");
    assert!(w.text.contains(&expected), "{}", w.text);
    assert!(w.text.contains("@preamble{{\\def\\x{\\symbol{65533}}}}"), "{}", w.text);
    assert!(!w.text.contains('\u{FFFD}'), "{}", w.text);
    // Not regenerated: no "written from the library's data" message, one U+FFFD note each.
    assert!(
        !w.diagnostics.iter().any(|d| d.message.contains("library's data")),
        "{:?}",
        w.diagnostics
    );
    assert_eq!(
        w.diagnostics.iter().filter(|d| d.message.contains("U+FFFD")).count(),
        2,
        "{:?}",
        w.diagnostics
    );
    // The export reads back to the same item.
    let (again, _) = parsed_items(&w.text);
    assert_eq!(again[0].r#abstract, items[0].r#abstract);
    // `\char"FFFD` in a source: biber decodes it to the character, so the entry is regenerated.
    let (items, extras) = parsed_items("@misc{k,\n  title = {a\\char\"FFFD b}\n}");
    assert_eq!(items[0].title, "a\u{FFFD}b");
    let w = write_mode(&items, &extras, BibMode::Biblatex);
    assert!(w.text.contains("title = {a\\symbol{65533}b}"), "{}", w.text);
    assert!(
        w.diagnostics
            .iter()
            .any(|d| d.message.contains("library's data") && d.message.contains("U+FFFD by its code")),
        "{:?}",
        w.diagnostics
    );
    // `\symbol{65533}` passes through biber: copied.
    let src = "@misc{k,\n  title = {a\\symbol{65533}b}\n}";
    let (items, extras) = parsed_items(src);
    assert!(write_mode(&items, &extras, BibMode::Biblatex).text.contains(src));
}

#[test]
fn location_beside_address_is_the_venue() {
    // ACM: `location` is the conference venue, `address` the publisher's place.
    let bib = "@inproceedings{k,\n  title = {T},\n  author = {Doe, J.},\n  booktitle = {Proc. of X},\n  \
               location = {Seoul, Republic of Korea},\n  address = {New York, NY, USA},\n  publisher = {ACM},\n  year = {2019}\n}\n";
    let p = parse(bib, &mut BibContext::new());
    assert!(p.diagnostics.is_empty(), "{:?}", p.diagnostics);
    let it = &p.items[0].item;
    assert_eq!(it.place, "New York, NY, USA");
    assert_eq!(it.extra_field("location"), Some("{Seoul, Republic of Korea}"));
    // Both come back after a regenerated export, in either mode.
    for mode in [BibMode::Bibtex, BibMode::Biblatex] {
        let mut plain = it.clone();
        plain.source = None;
        let w = write_mode(&[plain], &p.extras, mode);
        let back = parse(&w.text, &mut BibContext::new());
        assert!(
            back.diagnostics.is_empty(),
            "{mode:?}: {:?}\n{}",
            back.diagnostics,
            w.text
        );
        assert_eq!(back.items[0].item.place, "New York, NY, USA", "{}", w.text);
        assert_eq!(
            back.items[0].item.extra_field("location"),
            Some("{Seoul, Republic of Korea}")
        );
    }
    // Alone, `location` is the place (BibLaTeX's name for it).
    let p = parse("@book{b, title = {B}, location = {Berlin}}", &mut BibContext::new());
    assert_eq!(p.items[0].item.place, "Berlin");
    assert!(p.items[0].item.extra.is_empty());
}

#[test]
fn a_line_break_in_a_title_is_a_space() {
    let p = parse(
        "@article{k, title = {First line\\\\second line\\\\[2pt] third\\\\*fourth}, \
         abstract = {One.\\\\Two.}}",
        &mut BibContext::new(),
    );
    assert!(p.diagnostics.is_empty(), "{:?}", p.diagnostics);
    let it = &p.items[0].item;
    assert_eq!(it.title, "First line second line third fourth");
    // The abstract keeps its lines.
    assert_eq!(it.r#abstract.flat(true), "One.\nTwo.");
    assert_eq!(tex::to_unicode("a\\\\b"), "a\nb");
}

// ------------------------------------------------ issue 22: round trips the matrix found

#[test]
fn a_tag_with_a_comma_is_one_brace_group_in_keywords() {
    let mut it = Item::new(ItemType::Article, "T");
    it.key = "k".into();
    it.add_tags(["Colitis, Ulcerative/*therapy", "Animals", "a; b"].map(ItemTag::imported));
    for text in [bib(std::slice::from_ref(&it)), blx(std::slice::from_ref(&it))] {
        assert!(
            text.contains("keywords = {{Colitis, Ulcerative/*therapy}, Animals, {a; b}}"),
            "{text}"
        );
        let back = one(&text);
        let names: Vec<&str> = back.tags.iter().map(|t| t.name.as_str()).collect();
        assert_eq!(names, ["Colitis, Ulcerative/*therapy", "Animals", "a; b"]);
    }
    // Plain lists are cut as before; TeX in a keyword is read.
    let it = one("@article{k, keywords = {Caf\\'e, {Bt; toxin}, x; y}}");
    let names: Vec<&str> = it.tags.iter().map(|t| t.name.as_str()).collect();
    assert_eq!(names, ["Café", "Bt; toxin", "x", "y"]);
}

#[test]
fn roles_without_a_name_list_go_to_editora_with_their_type_and_come_back() {
    let mut it = Item::new(ItemType::Book, "T");
    it.key = "k".into();
    it.creators = vec![
        Creator::person(Role::Author, "Smith", "John"),
        Creator::person(Role::Commentator, "Coe", "Cat"),
        Creator::person(Role::SeriesEditor, "Jones", "Jeff"),
        Creator::person(Role::SeriesEditor, "Ray", "Rita"),
        Creator::person(Role::Contributor, "Roe", "Rick"),
    ];
    for text in [bib(std::slice::from_ref(&it)), blx(std::slice::from_ref(&it))] {
        assert!(text.contains("editora = {Jones, Jeff and Ray, Rita}"), "{text}");
        assert!(text.contains("editoratype = {serieseditor}"), "{text}");
        assert!(
            text.contains("editorb = {Roe, Rick}") && text.contains("editorbtype = {collaborator}"),
            "{text}"
        );
        assert!(text.contains("commentator = {Coe, Cat}"), "{text}");
        let back = one(&text);
        assert_eq!(back.creators, it.creators, "{text}");
        assert!(back.extra.is_empty(), "{:?}", back.extra);
    }
    // A type Folio has no role for stays a kept field, with its list.
    let other = one("@book{k, editora = {Doe, Jane}, editoratype = {compiler}, title = {T}}");
    assert!(other.creators.is_empty());
    let kept: Vec<&str> = other.extra.iter().map(|e| e.name.as_str()).collect();
    assert_eq!(kept, ["editora", "editoratype"]);
    // A kept editora keeps its slot: the series editors go to editorb.
    let mut both = other.clone();
    both.creators = vec![Creator::person(Role::SeriesEditor, "Jones", "Jeff")];
    let text = blx(std::slice::from_ref(&both));
    assert!(
        text.contains("editora = {Doe, Jane}") && text.contains("editorb = {Jones, Jeff}"),
        "{text}"
    );
}

#[test]
fn the_writers_math_for_one_symbol_reads_back_as_the_symbol() {
    let mut it = Item::new(ItemType::Article, "β-cyclodextrin, b_v(θ) and e+e− pairs ± 2");
    it.key = "k".into();
    let text = bib(std::slice::from_ref(&it));
    assert!(text.contains("{$\\beta$}-cyclodextrin"), "{text}");
    assert_eq!(one(&text).title, it.title);
    // Formulas stay as written.
    assert_eq!(
        one("@misc{k, title = {$x^2$ and $\\alpha + 1$}}").title,
        "$x^2$ and $\\alpha + 1$"
    );
}

#[test]
fn biblatex_hyphen_is_a_hyphen() {
    let it = one("@article{k, title = {methodology\\hyphen independent energies}}");
    assert_eq!(it.title, "methodology-independent energies");
}

#[test]
fn an_issn_in_the_isbn_field_is_read_as_the_issn() {
    let r = p("@article{k, isbn = {03624331}}");
    let it = &r.items[0].item;
    assert_eq!((it.issn.as_str(), it.isbn.as_str()), ("03624331", ""));
    assert!(
        r.diagnostics.iter().any(|d| d.message.contains("is an ISSN")),
        "{:?}",
        r.diagnostics
    );
    // A real ISBN-10 and an ISSN beside it stay where they are.
    let it = one("@book{k, isbn = {0262510871}, issn = {2434-561X}}");
    assert_eq!((it.issn.as_str(), it.isbn.as_str()), ("2434-561X", "0262510871"));
    assert!(
        crate::model::is_issn("2434-561X") && crate::model::is_issn("03178471") && !crate::model::is_issn("2434-5610")
    );
}

#[test]
fn a_crossref_in_another_case_is_written_with_the_parents_key() {
    let r = p("@inproceedings{child, title = {C}, crossref = {WHOLE-PROC}}\n@proceedings{whole-proc, title = {P}}");
    let items: Vec<Item> = r.items.iter().map(|i| i.item.clone()).collect();
    for mode in [BibMode::Bibtex, BibMode::Biblatex] {
        let w = write(
            &items,
            &r.extras,
            &BibWriteOptions {
                mode,
                ..Default::default()
            },
        );
        assert!(w.text.contains("crossref = {whole-proc}"), "{}", w.text);
        assert!(!w.text.contains("WHOLE-PROC"), "{}", w.text);
        assert!(w
            .diagnostics
            .iter()
            .any(|d| d.message.contains("in the key's own case")));
    }
}

#[test]
fn superscripts_in_math_stay_as_written() {
    assert_eq!(one("@misc{k, title = {a $^1$H NMR study}}").title, "a $^1$H NMR study");
}
