//! Where a kept RIS or Web of Science tag goes when an item is exported: the table in
//! `crosswalk.tsv`, kept as data (one row per tag, optionally per item type) and rendered as
//! documentation into `docs/export-mapping.md`.
//!
//! The model's own fields (title, container, volume…) map through the field registry
//! (`model::fields`); this table is for what an importer kept as an [`ExtraField`] because the
//! model has no slot for it (`JO`, `Y2`, `AD`, `DB`…). A tag without a home in a format is left
//! out of that export and named in its report; it stays in the library and in RIS exports.
//!
//! [`ExtraField`]: crate::model::ExtraField

use crate::model::{ItemType, Origin};
use std::sync::OnceLock;

const TABLE: &str = include_str!("crosswalk.tsv");

/// How a value is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ValueKind {
    /// LaTeX text, braced.
    Text,
    /// A date, written as ISO 8601 (left out when it does not read as one).
    Date,
}

/// One row of the table.
#[derive(Debug, Clone)]
pub struct Row {
    pub origin: Origin,
    pub tag: &'static str,
    /// The item types the row applies to (`None`: all).
    pub types: Option<Vec<ItemType>>,
    pub bibtex: Option<&'static str>,
    pub biblatex: Option<&'static str>,
    /// The RIS tag a Web of Science tag is written as (`None`: left out); RIS rows: the tag.
    pub ris: Option<&'static str>,
    pub kind: ValueKind,
    pub meaning: &'static str,
}

fn field(s: &'static str) -> Option<&'static str> {
    (s != "-").then_some(s)
}

fn parse(text: &'static str) -> Result<Vec<Row>, String> {
    let mut rows = Vec::new();
    for (n, line) in text.lines().enumerate() {
        if line.trim().is_empty() || line.starts_with('#') {
            continue;
        }
        let c: Vec<&'static str> = line.split('\t').collect();
        let bad = |what: &str| format!("crosswalk.tsv line {}: {what}: {line:?}", n + 1);
        let [origin, tag, types, bibtex, biblatex, ris, kind, meaning] = c[..] else {
            return Err(bad("expected 8 tab-separated columns"));
        };
        let origin = match origin {
            "ris" => Origin::Ris,
            "wos" => Origin::Wos,
            _ => return Err(bad("origin must be ris or wos")),
        };
        let types = if types == "*" {
            None
        } else {
            Some(
                types
                    .split(',')
                    .map(|t| t.trim().parse::<ItemType>().map_err(|e| bad(&e)))
                    .collect::<Result<Vec<_>, _>>()?,
            )
        };
        let kind = match kind {
            "text" => ValueKind::Text,
            "date" => ValueKind::Date,
            _ => return Err(bad("value must be text or date")),
        };
        let ris = match (origin, ris) {
            (Origin::Ris, "=") => Some(tag),
            (Origin::Ris, _) => return Err(bad("RIS tags are written as themselves (`=`)")),
            (_, r) => field(r),
        };
        for f in [bibtex, biblatex].into_iter().filter(|f| *f != "-") {
            if !crate::format::bibtex::valid_field_name(f) {
                return Err(bad("not a BibTeX field name"));
            }
        }
        rows.push(Row {
            origin,
            tag,
            types,
            bibtex: field(bibtex),
            biblatex: field(biblatex),
            ris,
            kind,
            meaning,
        });
    }
    Ok(rows)
}

/// The table's rows in order.
pub fn rows() -> &'static [Row] {
    static ROWS: OnceLock<Vec<Row>> = OnceLock::new();
    ROWS.get_or_init(|| parse(TABLE).unwrap_or_else(|e| panic!("{e}")))
}

/// The row for a kept field of this origin and name on an item of type `ty`.
pub fn lookup(origin: Origin, tag: &str, ty: ItemType) -> Option<&'static Row> {
    rows()
        .iter()
        .find(|r| r.origin == origin && r.tag == tag && r.types.as_ref().is_none_or(|t| t.contains(&ty)))
}

/// A short name for a kept field in reports: `RIS DB (name of the database)`.
pub fn describe(origin: Origin, tag: &str, ty: ItemType) -> String {
    let what = match origin {
        Origin::Ris => "RIS ",
        Origin::Wos => "Web of Science ",
        Origin::Bibtex | Origin::Text => "",
    };
    match lookup(origin, tag, ty) {
        Some(r) => format!("{what}{tag} ({})", r.meaning),
        None => format!("{what}{tag}"),
    }
}

/// The table as Markdown, for `docs/export-mapping.md`.
pub fn markdown() -> String {
    let mut out = String::from(
        "| from | tag | item types | BibTeX | BibLaTeX | RIS | value | meaning |\n|---|---|---|---|---|---|---|---|\n",
    );
    for r in rows() {
        let types = r.types.as_ref().map_or("all".to_string(), |t| {
            t.iter().map(|t| t.as_str()).collect::<Vec<_>>().join(", ")
        });
        let f = |o: Option<&str>| o.map_or("—".to_string(), |f| format!("`{f}`"));
        out.push_str(&format!(
            "| {} | `{}` | {} | {} | {} | {} | {} | {} |\n",
            match r.origin {
                Origin::Ris => "RIS",
                _ => "WoS",
            },
            r.tag,
            types,
            f(r.bibtex),
            f(r.biblatex),
            f(r.ris),
            match r.kind {
                ValueKind::Text => "text",
                ValueKind::Date => "date (ISO 8601)",
            },
            r.meaning
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_reads_and_rows_are_unique() {
        let rows = rows();
        assert!(rows.len() > 80, "{}", rows.len());
        let mut seen = std::collections::HashSet::new();
        for r in rows {
            let types = format!("{:?}", r.types);
            assert!(
                seen.insert((r.origin, r.tag, types)),
                "repeated row {} {}",
                r.origin.as_str(),
                r.tag
            );
        }
    }

    #[test]
    fn lookups_follow_the_conventions() {
        let art = ItemType::Article;
        let j = lookup(Origin::Ris, "JO", art).unwrap();
        assert_eq!((j.bibtex, j.biblatex), (None, Some("shortjournal")));
        let y2 = lookup(Origin::Ris, "Y2", art).unwrap();
        assert_eq!((y2.biblatex, y2.kind), (Some("urldate"), ValueKind::Date));
        // The same two letters mean different things in RIS and Web of Science.
        assert_eq!(lookup(Origin::Ris, "C1", art).unwrap().biblatex, None);
        assert_eq!(lookup(Origin::Wos, "C1", art).unwrap().biblatex, Some("affiliation"));
        assert_eq!(lookup(Origin::Wos, "C1", art).unwrap().ris, Some("AD"));
        // Rows by item type: the first that matches wins.
        assert_eq!(
            lookup(Origin::Wos, "CL", ItemType::InProceedings).unwrap().biblatex,
            Some("venue")
        );
        assert_eq!(lookup(Origin::Wos, "CL", art).unwrap().biblatex, None);
        assert!(lookup(Origin::Ris, "ZZ", art).is_none());
        assert_eq!(describe(Origin::Ris, "DB", art), "RIS DB (name of the database)");
    }

    /// `docs/export-mapping.md` shows this table as it is (`UPDATE_DOCS=1` rewrites it).
    #[test]
    fn the_documented_table_is_current() {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/export-mapping.md");
        let doc = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        let (begin, end) = ("<!-- crosswalk:begin -->\n", "<!-- crosswalk:end -->");
        let a = doc.find(begin).expect("begin marker") + begin.len();
        let b = doc.find(end).expect("end marker");
        let want = markdown();
        if doc[a..b] != want {
            if std::env::var_os("UPDATE_DOCS").is_some() {
                std::fs::write(&path, format!("{}{want}{}", &doc[..a], &doc[b..])).unwrap();
            } else {
                panic!("docs/export-mapping.md is stale: run UPDATE_DOCS=1 cargo test -p folio --lib crosswalk");
            }
        }
    }

    #[test]
    fn bad_rows_are_refused_with_their_line() {
        let e = parse("ris\tJO\t*\t-\tshort journal\t=\ttext\tx\n").unwrap_err();
        assert!(e.contains("line 1") && e.contains("not a BibTeX field name"), "{e}");
        let e = parse("ris\tJO\t*\t-\n").unwrap_err();
        assert!(e.contains("8 tab-separated"), "{e}");
        let e = parse("wos\tJO\tnovel\t-\t-\t-\ttext\tx\n").unwrap_err();
        assert!(e.contains("line 1"), "{e}");
    }
}
