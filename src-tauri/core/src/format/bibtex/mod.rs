//! BibTeX / BibLaTeX import and export.
//!
//! # Import ([`parse`])
//!
//! A tolerant scanner of our own (`parse.rs`) splits the input into blocks, so one bad entry
//! gives a [`Diagnostic`](crate::Diagnostic) with its line and never loses the entries after it
//! (scanning resumes at the next `@` at the start of a line). `%` starts a comment outside
//! entries (so `%@BOOK{…}` lines are commented-out entries, as biber and bibtool read them) and
//! between the tokens of an entry, never inside a value.
//!
//! - `@string` macros are expanded (month macros `jan`…`dec` are predefined) and carried across
//!   the files of one import in [`BibContext`]; `#` concatenation; undefined macros expand to
//!   their own name with a warning.
//! - `@preamble`, `@comment` and `@string` blocks go to [`Parsed::extras`] as raw text.
//! - Entry types map through [`ItemType::from_bibtex`]; an unknown type becomes `misc` with the
//!   original type kept in the extra field [`TYPE_FIELD`] (written back as the entry type).
//! - Mapped fields are converted LaTeX → Unicode (`tex.rs`); every other field, and every
//!   repeated or unusable one (a second `journal`, a `month` without `year`), is kept as an
//!   [`ExtraField`](crate::model::ExtraField) with its raw value text (braces, quotes, macros
//!   as written), in the original order. `crossref` and `xdata` are kept that way: links,
//!   never inlined.
//! - `date` wins over `year`/`month` (which are then kept as extra fields). A numeric `year`
//!   gives a date whose `raw` is its ISO form.
//! - Names (`names.rs`): "First von Last", "von Last, First", "von Last, Jr, First", `{Org}`
//!   → literal, biblatex `family=…, given=…`. **"and others" is kept as a literal creator
//!   named `others`** and written back as a bare `others`. Creators are grouped by role in
//!   the order author, editor, translator, bookauthor.
//! - Access: an `access` field (`open`/`free`/`restricted`) is mapped; else `oa`/`openaccess`
//!   fields (kept as extra fields) or a Scopus "Open Access" note give the status, with source
//!   `bibtex:<field>`.
//! - Keyless entries keep an empty key (the store generates one) with a warning; duplicate keys
//!   in one file get an `a`, `b`, … suffix with a warning.
//! - Each item gets `source = SourceRecord { format: "bibtex", text: <exact entry text>,
//!   fingerprint }` with the fingerprint of the finished item.
//!
//! # Export ([`write()`])
//!
//! Entries sorted by key (case-insensitive, stable; in BibTeX mode crossref parents go last),
//! preambles and the used `@string`s first, comments last. Field order is fixed: creators,
//! titles, container, numbering, publisher, date, identifiers, note, abstract, keywords, access,
//! then the kept extra fields verbatim in their order. Text is escaped (`# $ % & _ { } ~ ^ \`),
//! words with inner capitals in titles are braced (`{EIF}`, `{iPhone}`), verbatim math and
//! LaTeX commands kept by the importer pass through. BibTeX mode writes `journal`, `address`,
//! `school` (theses), `year` + bare `month = jan`, classic types (with a warning for each
//! type it cannot express) and ASCII LaTeX escapes by default; BibLaTeX mode `journaltitle`,
//! `location`, `date = {YYYY-MM-DD}`, biblatex types, UTF-8.
//!
//! **Lossless rule.** An item whose `source` is a BibTeX record and whose fingerprint is
//! unchanged (the user did not edit it) is written as its original text, byte for byte, when:
//! its key is still the key in that text, no field in it is in `omit_fields`, in BibTeX mode its
//! entry type is a classic BibTeX type, with `ascii` the text is ASCII, and the text is one
//! LaTeX can compile (`verbatim_problem` in `write/verbatim.rs`): no names separated by commas instead of `and`
//! (Scopus) or with more commas than BibTeX's name forms, no bare `& # _ ^ %` or control
//! characters in a field the importer converts (Mendeley writes `TN_sage…`, `Rowman & …`), no
//! accent command without its argument (`{\d}`), in BibTeX mode no biblatex-only commands
//! (`\mkbibquote`, `\hyphen`…), in BibLaTeX mode no csquotes commands (`\enquote`). Otherwise it
//! is regenerated from the model (an info diagnostic says why). In BibTeX mode the copied text
//! loses its `%` comments between tokens (BibTeX has no comments inside entries).
//!
//! **Links LaTeX cannot follow** are left out of the written entry (verbatim or not) with a
//! warning, the library keeps them: in BibTeX mode a `crossref` to an entry not in the export
//! (BibTeX's "bad cross reference" error; it ignores the link anyway); in BibLaTeX mode the
//! `crossref`/`xdata` link (also granular `xdata=key-field-n`) that closes a cycle (biber stops
//! with "circular inheritance" and writes no bibliography at all).
//!
//! **Preambles**: one that ends in a control word gets `# { }` when another follows (BibTeX and
//! biber join them, `\makeatother` + `Foo` → `\makeatotherFoo`); in BibLaTeX mode `@`-commands
//! that are used (`\@ifundefined`) are written `\csname @ifundefined\endcsname`, because
//! biblatex reads the `.bbl`'s `\preamble{…}` as one argument where `@` is not a letter (so a
//! `\makeatletter` inside comes too late). Definitions of `@`-commands are left as written.
//!
//! **U+FFFD** (the replacement character, left by a broken conversion before import) is
//! written `\symbol{65533}` in UTF-8 exports (LuaTeX refuses the character in its input; biber
//! passes `\symbol` through, where it decodes `\char"FFFD` back), `?` in ASCII exports
//! (pdfLaTeX cannot typeset it; a warning) and `%EF%BF%BD` in `url`/`doi`, in copied entries
//! too (only that changes); a copied entry that writes it `\char"FFFD` is regenerated.
//!
//! **BibTeX mode** translates biblatex-only commands kept in the text (`\hyphen` → `-`,
//! `\mkbibacro{GPS}` → `{GPS}`, see [`tex::biblatex_to_latex`]) with a warning.
//!
//! # Round trip (write in BibLaTeX mode → parse) normalisation
//!
//! The model comes back equal (property-tested in `tests.rs`, and on every corpus file in
//! `corpus_tests.rs`) except:
//! - text is whitespace-collapsed and in Unicode NFC; font commands (`\emph`…) were already
//!   stripped on import; a known command typed as text (`\k`) is escaped, an unknown one
//!   (`\foo{x}`) and `$…$` math pass through as LaTeX;
//! - a name particle must start and end with a lowercase word (else it joins the family
//!   name); a person with a family name of several words and no given name is written
//!   `{Casiano Flores}`, which BibTeX typesets the same and which reads back as a literal
//!   name; creators with roles other than the four BibTeX name lists are left out (warning);
//! - in the "Last, First" form Folio keeps uppercase-initial words in the family name
//!   ("Martinez de la Ossa", "Van de Graaff"), where BibTeX would split a von part;
//! - the access source becomes `bibtex:access` when it was not derived from kept fields;
//! - item types BibLaTeX cannot express (see [`ItemType::biblatex_type`]) become the written
//!   type (with a warning) unless they came from a `.bib` type, which is then kept;
//! - a date's `raw` becomes its ISO form unless it is ISO-like already or only expressible as
//!   a literal `year` ("1999–2009");
//! - tags containing `,` or `;` split;
//! - control characters are dropped (on import already); an accent command without an
//!   argument (`{\d}`) becomes the accent on nothing, `\d{}`;
//! - a link cut to break a cycle (BibLaTeX mode) is gone;
//! - U+FFFD in a kept (unmapped) field comes back as `\symbol{65533}`, and one in a URL or DOI
//!   as `%EF%BF%BD` (the fields Folio reads decode `\symbol{…}`/`\char…` to the character).
//!
//! In BibTeX mode with `ascii` also: Greek letters are written as math (`$\alpha$`) and come
//! back as that math text, a subtitle is merged into the title, characters without an ASCII
//! LaTeX form (CJK, Cyrillic) stay UTF-8, U+FFFD becomes `?`.
//!
//! [`ItemType::from_bibtex`]: crate::model::ItemType::from_bibtex
//! [`ItemType::biblatex_type`]: crate::model::ItemType::biblatex_type

pub mod display;
mod fields;
mod groups;
mod import;
pub mod jabref;
mod macros;
pub mod names;
mod options;
mod parse;
pub mod refs;
pub mod tex;
mod write;

#[cfg(test)]
mod corpus_tests;
#[cfg(test)]
mod tests;

use super::{BibExtras, Parsed, Written};
use crate::model::Item;

pub use fields::TYPE_FIELD;
pub use macros::BibContext;
pub use options::{BibMode, BibWriteOptions};

/// Whether text looks like BibTeX (an `@type{` or `@type(` block near the start).
pub fn looks_like(text: &str) -> bool {
    text.lines().take(200).any(|l| {
        let l = l.trim_start();
        l.starts_with('@')
            && l[1..]
                .trim_start()
                .chars()
                .take_while(|c| c.is_ascii_alphabetic())
                .count()
                > 0
            && l.contains(['{', '('])
    })
}

/// Parse BibTeX/BibLaTeX text. Never fails: problems are diagnostics.
pub fn parse(input: &str, ctx: &mut BibContext) -> Parsed {
    import::parse(input, ctx)
}

/// [`parse`] streaming each item to `sink` (see [`crate::format::Sink`]).
pub fn parse_into(input: &str, ctx: &mut BibContext, sink: &mut crate::format::Sink<'_>) -> Parsed {
    import::parse_into(input, ctx, sink)
}

pub(crate) use write::checks::source_checks;
pub use write::{checks, valid_field_name, BibChecker, BibWriter, CheckedSource};

/// Write items as BibTeX or BibLaTeX (see the module docs for the rules).
pub fn write(items: &[Item], extras: &BibExtras, opts: &BibWriteOptions) -> Written {
    write::write(items, extras, opts)
}
