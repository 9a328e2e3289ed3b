//! RIS import and export (both the 2011 spec and the old RefMan tags), vendor repairs, and
//! Web of Science tagged files.
//!
//! * [`parse()`] reads RIS (or, when the text has `FN`/`PT` lines and no `TY` line, Web of
//!   Science tagged text, read by `wos.rs`). Each `TY … ER` record becomes one item or one
//!   diagnostic; vendor quirks are detected from the content and repaired (`vendors.rs`).
//! * [`write()`] writes 2011-spec RIS with CRLF line ends.
//!
//! Conventions shared by both directions (so that an export reads back to the same items):
//! * Unmapped tags are kept as [`ExtraField`](crate::model::ExtraField)s named by the tag, in
//!   order, and written back.
//! * The access status is written as a note line `N1  - Access status: open (source)`; the
//!   importer reads such a line back into `item.access` instead of the note.
//! * An item whose [`SourceRecord`](crate::model::SourceRecord) is RIS and whose fingerprint
//!   still matches (the user did not edit it) is written as its original record text (with
//!   CRLF line ends), unless fields are omitted or the record had no `ER` line.
//! * A TY code that differs from the type's export code (`EJOUR`, `CONF`, an unknown code) is
//!   kept as an extra field `TY` and reused on export while the item type still matches it.
//! * Doctoral and master's theses are `THES` with the degree in `M3`; when `M3` is empty the
//!   writer puts "Doctoral thesis"/"Master's thesis" there and the reader takes it back out.
//! * What a tag means depends on the type ([`BY_TYPE`], [`meaning`]; the writer uses the same
//!   table): `SN` is a journal's ISSN, a book's ISBN, a report's or patent's number; `M1` a
//!   bill's or report's number; `T2` the container or (books, reports, theses) the series.
//!   Creator tags ([`creator_role`], [`creator_tag`]): `AU`/`A1` author (editor for
//!   `EDBOOK`), `A2` editor for articles, chapters and papers but series editor for books,
//!   reports and theses (recipient for letters), `A3` series editor (a book's editor), `A4`
//!   translator, `ED` editor; a creator tag with no Folio role for the type (a patent's
//!   issuing organisation) is kept under its tag. Names: "Family, Given"; without a comma
//!   "Given Family", "Family I." (initials last) or an organisation (one word, or a word such
//!   as University, Group, Committee); an e-mail address after a name is kept as `AD`.
//!
//! Vendor detection and repairs (`vendors.rs`), each reported in `Parsed.repairs`:
//! Emerald (DOI 10.1108, "emerald" in UR/DO/PB: numbered `A1…An` are all authors),
//! Scopus (scopus.com URL, `DB  - Scopus`, "Export Date:" notes: `JF` over `T2`, the
//! "© year Publisher" tail cut from the abstract, export notes moved to extra `N1` fields,
//! access status from "Open Access…" notes), ScienceDirect (VL "Volume 12", IS 0, year from
//! `Y2` when `PY` has none, role prefixes in names, placeholder abstract, `//` URLs), IEEE
//! (`VO` copy of `VL`), Ovid ("No Specified" pages, place repeated as `PB`, tags after `ER`),
//! EndNote (`internal-pdf://` links, month/day in `DA` with the year in `PY`), Citavi
//! (`H1`/`H2` pairs).

mod parse;
mod record;
mod tags;
mod vendors;
mod wos;
mod write;

#[cfg(test)]
mod corpus_tests;
#[cfg(test)]
mod tests;

pub use parse::{parse, parse_into};
pub use tags::{creator_role, creator_tag, meaning, Field, Meaning, TagDef, TypeTag, BY_TYPE, TAGS};
pub use write::{write, CheckedRecord, RenderedRecord, RisChecker, RisWriteOptions, RisWriter};

/// Whether text looks like RIS (a `TY  - ` line) or Web of Science tagged (`FN `/`PT `).
pub fn looks_like(text: &str) -> bool {
    text.lines().take(50).any(|l| {
        let l = l.trim_start_matches('\u{feff}');
        l.starts_with("TY  -") || l.starts_with("TY -") || l.starts_with("FN ") || l.starts_with("PT ")
    })
}
