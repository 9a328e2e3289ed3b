//! Cite as you write: the text an editor inserts for the items a user picked, in the formats
//! Better BibTeX's `/better-bibtex/cayw` endpoint answers (its query parameters, so every
//! editor plug-in written for it works unchanged). The picking itself is the front end's (the
//! desktop app's picker window, or its selection); this module only turns the picked keys into
//! text.
//!
//! | `format` | answer for keys `a`, `b` |
//! |---|---|
//! | `latex` (default), `cite`, `natbib` | `\cite{a,b}`; `command=citep` → `\citep{a,b}` |
//! | `citep`, `citet` | `\citep{a,b}`, `\citet{a,b}` |
//! | `biblatex` | `\autocite{a,b}`; `command=` as above |
//! | `pandoc` | `@a; @b`; `brackets=true` → `[@a; @b]` |
//! | `mmd` | `[#a][][#b][]` (MultiMarkdown) |
//! | `typst` | `@a @b` |
//! | `asciidoctor-bibtex` | `cite:[a, b]` |
//! | `playground`, `keys` | `a,b` |
//! | `json` | the items as CSL-JSON |
//! | `formatted-citation` | the in-text citation in `style=` (default Chicago author-date) |
//! | `formatted-bibliography` | the reference list in `style=` |
//! | `translate` | the items exported with `translator=` (biblatex, bibtex, ris, csljson…) |

use crate::cite::{CiteStyle, CslStyle};
use crate::error::{Error, Result};
use crate::export::ExportOptions;
use crate::format::Format;
use crate::Library;

/// What a `cayw` request asks for (its query parameters, parsed).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Request {
    /// `probe=true`: only "is the server there?".
    pub probe: bool,
    /// `selected=true`: the items selected in the app, without the picker.
    pub selected: bool,
    pub format: CaywFormat,
    /// `command=` for the LaTeX formats (without the backslash).
    pub command: Option<String>,
    /// `brackets=true` for pandoc.
    pub brackets: bool,
    /// `style=` for the formatted formats.
    pub style: Option<String>,
    /// `translator=` for `translate`.
    pub translator: Option<String>,
}

/// The answer formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CaywFormat {
    Latex,
    Biblatex,
    Natbib,
    Citep,
    Citet,
    Pandoc,
    Mmd,
    Typst,
    Asciidoctor,
    Keys,
    Json,
    FormattedCitation,
    FormattedBibliography,
    Translate,
}

fn truthy(v: &str) -> bool {
    matches!(v.trim().to_ascii_lowercase().as_str(), "true" | "1" | "yes" | "")
}

impl Request {
    /// Parse the query parameters; an unknown `format` is an error naming the known ones.
    pub fn parse(params: &[(String, String)]) -> Result<Request> {
        let get = |k: &str| params.iter().find(|(n, _)| n == k).map(|(_, v)| v.as_str());
        let format = match get("format").map(|f| f.trim().to_ascii_lowercase()).as_deref() {
            None | Some("") | Some("latex") | Some("cite") => CaywFormat::Latex,
            Some("biblatex") => CaywFormat::Biblatex,
            Some("natbib") => CaywFormat::Natbib,
            Some("citep") => CaywFormat::Citep,
            Some("citet") => CaywFormat::Citet,
            Some("pandoc") => CaywFormat::Pandoc,
            Some("mmd") => CaywFormat::Mmd,
            Some("typst") => CaywFormat::Typst,
            Some("asciidoctor-bibtex") => CaywFormat::Asciidoctor,
            Some("playground") | Some("keys") => CaywFormat::Keys,
            Some("json") | Some("csljson") => CaywFormat::Json,
            Some("formatted-citation") => CaywFormat::FormattedCitation,
            Some("formatted-bibliography") => CaywFormat::FormattedBibliography,
            Some("translate") => CaywFormat::Translate,
            Some(other) => {
                return Err(Error::InvalidInput(format!(
                    "format {other:?} is not a cite-as-you-write format (latex, biblatex, natbib, citep, citet, \
                     pandoc, mmd, typst, asciidoctor-bibtex, playground, json, formatted-citation, \
                     formatted-bibliography, translate)"
                )))
            }
        };
        let nonempty = |k: &str| get(k).map(str::trim).filter(|v| !v.is_empty()).map(str::to_string);
        Ok(Request {
            probe: get("probe").is_some_and(truthy),
            selected: get("selected").is_some_and(truthy),
            format,
            command: nonempty("command"),
            brackets: get("brackets").is_some_and(truthy),
            style: nonempty("style"),
            translator: nonempty("translator"),
        })
    }

    /// The citation style of the formatted formats (`style=`: a bundled style's name or id,
    /// Zotero's style URL, or a `.csl` file; Chicago author-date by default).
    pub fn cite_style(&self) -> Result<CslStyle> {
        match &self.style {
            None => Ok(CiteStyle::ChicagoAuthorDate.into()),
            Some(s) => CslStyle::resolve(s).map_err(|e| Error::InvalidInput(format!("style={s:?}: {e}"))),
        }
    }
}

/// The export format of `translator=`: Better BibTeX's translator names ("Better BibLaTeX",
/// "Better CSL JSON"…) or Folio's format names.
pub fn translator_format(name: &str) -> Result<Format> {
    let lower = name.trim().to_ascii_lowercase();
    let bare = lower.strip_prefix("better ").unwrap_or(&lower).replace([' ', '_'], "-");
    let format = match bare.as_str() {
        "folio" => Format::Json,
        other => other.parse::<Format>().map_err(Error::InvalidInput)?,
    };
    if format == Format::ResultsText {
        return Err(Error::InvalidInput(format!(
            "translator {name:?}: results text is read, not written"
        )));
    }
    Ok(format)
}

/// The text for the picked keys, in the order picked. No keys (the picker was cancelled or
/// nothing is selected) gives empty text, as Better BibTeX answers.
pub fn render(lib: &Library, req: &Request, keys: &[String]) -> Result<String> {
    if keys.is_empty() {
        return Ok(String::new());
    }
    let latex = |default: &str| super::cite_command(req.command.as_deref().unwrap_or(default), keys);
    let export = |format: Format| -> Result<String> {
        let items = keys.iter().map(|k| lib.get(k)).collect::<Result<Vec<_>>>()?;
        Ok(lib
            .render(
                &items,
                &ExportOptions {
                    format,
                    ..Default::default()
                },
            )?
            .text)
    };
    match req.format {
        CaywFormat::Latex => latex("cite"),
        CaywFormat::Natbib | CaywFormat::Citep => latex("citep"),
        CaywFormat::Citet => latex("citet"),
        CaywFormat::Biblatex => latex("autocite"),
        CaywFormat::Pandoc => {
            let cites: Vec<String> = keys.iter().map(|k| format!("@{k}")).collect();
            let text = cites.join("; ");
            Ok(if req.brackets { format!("[{text}]") } else { text })
        }
        CaywFormat::Mmd => Ok(keys.iter().map(|k| format!("[#{k}][]")).collect()),
        CaywFormat::Typst => Ok(keys.iter().map(|k| format!("@{k}")).collect::<Vec<_>>().join(" ")),
        CaywFormat::Asciidoctor => Ok(format!("cite:[{}]", keys.join(", "))),
        CaywFormat::Keys => Ok(keys.join(",")),
        CaywFormat::Json => export(Format::CslJson),
        CaywFormat::FormattedCitation => super::citation(lib, keys, &req.cite_style()?),
        CaywFormat::FormattedBibliography => Ok(super::references(lib, keys, &req.cite_style()?)?.join("\n")),
        CaywFormat::Translate => export(translator_format(req.translator.as_deref().unwrap_or("biblatex"))?),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Creator, Item, ItemType, PartialDate, Role};

    fn params(q: &str) -> Vec<(String, String)> {
        q.split('&')
            .filter(|p| !p.is_empty())
            .map(|p| {
                let (k, v) = p.split_once('=').unwrap_or((p, ""));
                (k.to_string(), v.to_string())
            })
            .collect()
    }

    fn lib() -> (Library, Vec<String>) {
        let mut lib = Library::open_in_memory().unwrap();
        let mut keys = Vec::new();
        for (key, family, year) in [("smith2020", "Smith", 2020), ("doe2019", "Doe", 2019)] {
            let mut it = Item::new(ItemType::Article, &format!("A study by {family}"));
            it.key = key.into();
            it.creators.push(Creator::person(Role::Author, family, "Jane"));
            it.date = PartialDate::year(year);
            it.container = "Journal of Tests".into();
            keys.push(lib.add(it).unwrap().key);
        }
        (lib, keys)
    }

    fn answer(q: &str) -> String {
        let (lib, keys) = lib();
        render(&lib, &Request::parse(&params(q)).unwrap(), &keys).unwrap()
    }

    #[test]
    fn every_format_writes_the_picked_keys_in_order() {
        assert_eq!(answer(""), r"\cite{smith2020,doe2019}");
        assert_eq!(answer("format=latex&command=citep"), r"\citep{smith2020,doe2019}");
        assert_eq!(answer("format=biblatex"), r"\autocite{smith2020,doe2019}");
        assert_eq!(
            answer("format=biblatex&command=textcite"),
            r"\textcite{smith2020,doe2019}"
        );
        assert_eq!(answer("format=citet"), r"\citet{smith2020,doe2019}");
        assert_eq!(answer("format=pandoc"), "@smith2020; @doe2019");
        assert_eq!(answer("format=pandoc&brackets=true"), "[@smith2020; @doe2019]");
        assert_eq!(answer("format=mmd"), "[#smith2020][][#doe2019][]");
        assert_eq!(answer("format=typst"), "@smith2020 @doe2019");
        assert_eq!(answer("format=asciidoctor-bibtex"), "cite:[smith2020, doe2019]");
        assert_eq!(answer("format=playground"), "smith2020,doe2019");
        let json: serde_json::Value = serde_json::from_str(&answer("format=json")).unwrap();
        assert_eq!(json[0]["id"], "smith2020");
        assert_eq!(json[1]["author"][0]["family"], "Doe");
        assert!(answer("format=translate&translator=Better BibTeX").contains("@article{doe2019,"));
        assert!(answer("format=translate&translator=ris").contains("TY  - JOUR"));
    }

    #[test]
    fn formatted_citations_use_the_style() {
        // APA orders the items of one citation by author.
        assert_eq!(
            answer("format=formatted-citation&style=apa"),
            "(Doe, 2019; Smith, 2020)"
        );
        let ieee = answer("format=formatted-bibliography&style=http://www.zotero.org/styles/ieee");
        assert!(ieee.starts_with("[1] J. Smith"), "{ieee}");
        assert_eq!(ieee.lines().count(), 2);
    }

    #[test]
    fn requests_are_parsed_and_bad_ones_named() {
        let r = Request::parse(&params("probe=true")).unwrap();
        assert!(r.probe && !r.selected);
        assert!(Request::parse(&params("selected=1&format=pandoc")).unwrap().selected);
        let e = Request::parse(&params("format=word")).unwrap_err().to_string();
        assert!(e.contains("\"word\"") && e.contains("pandoc"), "{e}");
        let (lib, keys) = lib();
        let bad = Request::parse(&params("command=ci%7Bte")).unwrap();
        assert!(render(&lib, &bad, &keys).is_err());
        let style = Request::parse(&params("format=formatted-citation&style=nope")).unwrap();
        assert!(render(&lib, &style, &keys).unwrap_err().to_string().contains("nope"));
        assert_eq!(render(&lib, &Request::parse(&[]).unwrap(), &[]).unwrap(), "");
    }
}
