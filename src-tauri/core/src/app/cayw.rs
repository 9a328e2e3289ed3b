//! Cite as you write: the text an editor inserts for the items a user picked, in the formats
//! Better BibTeX's `/better-bibtex/cayw` endpoint answers (its query parameters, so every
//! editor plug-in written for it works unchanged). The picking itself is the front end's (the
//! desktop app's picker window, or its selection); this module only turns the picked keys into
//! text. Each picked item may carry a prefix, a locator (page 12, chapter 3…), a suffix and
//! "omit the author" ([`Citation`]); the formats that can say so do.
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
//!
//! With notes (`a` with prefix "see", page 12; `b` plain): `latex` → `\cite[see][12]{a}\cite{b}`
//! (natbib's optional arguments; a page is the bare number, other labels abbreviated: `ch.~3`),
//! `biblatex` → `\autocites[see][12]{a}{b}`, `pandoc` → `see @a, p. 12; @b`, `mmd` →
//! `[see][#a][#b][]`, `asciidoctor-bibtex` → `cite:[a(12), b]`, `json` keeps them as
//! `prefix`/`locator`/`label`/`suffix`/`suppress-author` beside the CSL item. Omitting the author:
//! `\citeyear` (natbib), `\autocite*` (biblatex, one item), `-@a` (pandoc).

use crate::cite::{CiteStyle, CslStyle};
use crate::error::{Error, Result};
use crate::export::ExportOptions;
use crate::format::Format;
use crate::Library;
use serde::{Deserialize, Serialize};

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
    /// The only folder `style=` may name a `.csl` file in (the server's styles folder; `None`:
    /// bundled styles only). Not a parameter: the server sets it.
    pub style_folder: Option<std::path::PathBuf>,
}

/// One picked item and what the writer added to it in the picker.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct Citation {
    /// The citation key.
    pub key: String,
    /// Text before the citation ("see").
    pub prefix: String,
    /// Where in the work: "12", "12–15", "3".
    pub locator: String,
    /// What the locator counts: a CSL locator label (`page`, the default when empty, `chapter`,
    /// `section`, `figure`, …).
    pub label: String,
    /// Text after the citation ("emphasis added").
    pub suffix: String,
    /// Cite the year only (the author is named in the sentence).
    pub suppress_author: bool,
}

impl Citation {
    /// A plain citation of `key`.
    pub fn of(key: &str) -> Citation {
        Citation {
            key: key.to_string(),
            ..Default::default()
        }
    }

    fn has_notes(&self) -> bool {
        !(self.prefix.trim().is_empty() && self.locator.trim().is_empty() && self.suffix.trim().is_empty())
    }

    /// "p. 12", "ch. 3" (`page_bare`: "12" for a page, as LaTeX packages print "p." themselves).
    fn located(&self, page_bare: bool) -> String {
        let loc = self.locator.trim();
        if loc.is_empty() {
            return String::new();
        }
        let label = self.label.trim();
        if page_bare && (label.is_empty() || label == "page") {
            return loc.to_string();
        }
        format!("{} {loc}", short_label(if label.is_empty() { "page" } else { label }))
    }
}

/// CSL locator labels and their short forms (what Zotero's and Better BibTeX's pickers print).
pub const LOCATOR_LABELS: &[(&str, &str)] = &[
    ("page", "p."),
    ("chapter", "ch."),
    ("section", "sec."),
    ("paragraph", "para."),
    ("figure", "fig."),
    ("line", "l."),
    ("note", "n."),
    ("column", "col."),
    ("volume", "vol."),
    ("issue", "no."),
    ("part", "pt."),
    ("article", "art."),
    ("book", "bk."),
    ("folio", "fol."),
    ("opus", "op."),
    ("verse", "v."),
    ("sub verbo", "s.v."),
    ("rule", "r."),
    ("title", "tit."),
    ("timestamp", ""),
];

fn short_label(label: &str) -> String {
    LOCATOR_LABELS
        .iter()
        .find(|(l, _)| l.eq_ignore_ascii_case(label))
        .map_or_else(|| label.to_string(), |(_, s)| s.to_string())
}

/// Text typed into a LaTeX optional argument: the characters that would end it or break the
/// line are escaped (`[`, `]`, `%`, `&`, `#`, `_`, `$`); commands a writer types (`\S`, `~`)
/// stay.
fn latex_note(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.trim().chars() {
        match c {
            '[' => out.push_str("{[}"),
            ']' => out.push_str("{]}"),
            '%' | '&' | '#' | '_' | '$' => {
                out.push('\\');
                out.push(c);
            }
            _ => out.push(c),
        }
    }
    out
}

/// `[prefix][locator, suffix]{key}` for one citation (natbib and biblatex read both).
fn latex_args(c: &Citation) -> String {
    let mut out = String::new();
    let prefix = latex_note(&c.prefix);
    let post = [latex_note(&c.located(true).replace(' ', "~")), latex_note(&c.suffix)]
        .into_iter()
        .filter(|p| !p.is_empty())
        .collect::<Vec<_>>()
        .join(", ");
    if !prefix.is_empty() {
        out.push_str(&format!("[{prefix}]"));
        out.push_str(&format!("[{post}]"));
    } else if !post.is_empty() {
        out.push_str(&format!("[{post}]"));
    }
    out.push_str(&format!("{{{}}}", c.key));
    out
}

/// natbib-style commands (`\cite`, `\citep`, `\citet`): one command for plain citations,
/// else one per citation (`\citeyear` for those without their author).
fn natbib(command: &str, cites: &[Citation]) -> Result<String> {
    let keys: Vec<String> = cites.iter().map(|c| c.key.clone()).collect();
    let checked = super::cite_command(command, &keys)?;
    let all_suppressed = cites.iter().all(|c| c.suppress_author);
    if !cites.iter().any(Citation::has_notes) && (all_suppressed || !cites.iter().any(|c| c.suppress_author)) {
        return if all_suppressed {
            super::cite_command("citeyear", &keys)
        } else {
            Ok(checked)
        };
    }
    let cmd = command.trim().trim_start_matches('\\');
    Ok(cites
        .iter()
        .map(|c| {
            format!(
                "\\{}{}",
                if c.suppress_author { "citeyear" } else { cmd },
                latex_args(c)
            )
        })
        .collect())
}

/// biblatex: `\autocite[…][…]{a}`, several with notes as `\autocites[…][…]{a}{b}`.
fn biblatex(command: &str, cites: &[Citation]) -> Result<String> {
    let keys: Vec<String> = cites.iter().map(|c| c.key.clone()).collect();
    let plain = super::cite_command(command, &keys)?;
    let cmd = command.trim().trim_start_matches('\\');
    if let [c] = cites {
        // The starred form omits the author for \cite, \autocite and \parencite.
        let star = c.suppress_author && matches!(cmd, "cite" | "autocite" | "parencite");
        return Ok(format!("\\{cmd}{}{}", if star { "*" } else { "" }, latex_args(c)));
    }
    if !cites.iter().any(Citation::has_notes) {
        return Ok(plain);
    }
    let multi = if cmd.ends_with('s') {
        cmd.to_string()
    } else {
        format!("{cmd}s")
    };
    Ok(format!("\\{multi}{}", cites.iter().map(latex_args).collect::<String>()))
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
            style_folder: None,
        })
    }

    /// The citation style of the formatted formats (`style=`: a bundled style's name or id,
    /// Zotero's style URL, or a `.csl` file in [`Request::style_folder`]; Chicago author-date
    /// by default).
    pub fn cite_style(&self) -> Result<CslStyle> {
        match &self.style {
            None => Ok(CiteStyle::ChicagoAuthorDate.into()),
            Some(s) => CslStyle::resolve_in(s, self.style_folder.as_deref())
                .map_err(|e| Error::InvalidInput(format!("style={s:?}: {e}"))),
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

/// The text for the picked items, in the order picked. None (the picker was cancelled or
/// nothing is selected) gives empty text, as Better BibTeX answers.
pub fn render(lib: &Library, req: &Request, cites: &[Citation]) -> Result<String> {
    if cites.is_empty() {
        return Ok(String::new());
    }
    let keys: Vec<String> = cites.iter().map(|c| c.key.clone()).collect();
    let keys = keys.as_slice();
    let latex = |default: &str| natbib(req.command.as_deref().unwrap_or(default), cites);
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
        CaywFormat::Biblatex => biblatex(req.command.as_deref().unwrap_or("autocite"), cites),
        CaywFormat::Pandoc => {
            let text = cites.iter().map(pandoc_cite).collect::<Vec<_>>().join("; ");
            Ok(if req.brackets { format!("[{text}]") } else { text })
        }
        CaywFormat::Mmd => Ok(cites
            .iter()
            .map(|c| match c.prefix.trim() {
                "" => format!("[#{}][]", c.key),
                p => format!("[{p}][#{}]", c.key),
            })
            .collect()),
        CaywFormat::Typst => Ok(cites
            .iter()
            .map(|c| match c.located(false) {
                l if l.is_empty() => format!("@{}", c.key),
                l => format!("@{}[{}]", c.key, l.replace(['[', ']'], "")),
            })
            .collect::<Vec<_>>()
            .join(" ")),
        CaywFormat::Asciidoctor => Ok(format!(
            "cite:[{}]",
            cites
                .iter()
                .map(|c| match c.located(true) {
                    l if l.is_empty() => c.key.clone(),
                    l => format!("{}({l})", c.key),
                })
                .collect::<Vec<_>>()
                .join(", ")
        )),
        CaywFormat::Keys => Ok(keys.join(",")),
        CaywFormat::Json => {
            let csl: serde_json::Value =
                serde_json::from_str(&export(Format::CslJson)?).map_err(|e| Error::Format(format!("CSL-JSON: {e}")))?;
            let mut list = match csl {
                serde_json::Value::Array(a) => a,
                other => vec![other],
            };
            for (item, c) in list.iter_mut().zip(cites) {
                for (name, v) in [("prefix", &c.prefix), ("locator", &c.locator), ("suffix", &c.suffix)] {
                    if !v.trim().is_empty() {
                        item[name] = serde_json::json!(v.trim());
                    }
                }
                if !c.locator.trim().is_empty() {
                    item["label"] = serde_json::json!(if c.label.trim().is_empty() {
                        "page"
                    } else {
                        c.label.trim()
                    });
                }
                if c.suppress_author {
                    item["suppress-author"] = serde_json::json!(true);
                }
            }
            Ok(serde_json::Value::Array(list).to_string())
        }
        CaywFormat::FormattedCitation => super::citation(lib, keys, &req.cite_style()?),
        CaywFormat::FormattedBibliography => Ok(super::references(lib, keys, &req.cite_style()?)?.join("\n")),
        CaywFormat::Translate => export(translator_format(req.translator.as_deref().unwrap_or("biblatex"))?),
    }
}

/// `see -@key, p. 12 suffix` (pandoc's citation syntax).
fn pandoc_cite(c: &Citation) -> String {
    let mut out = String::new();
    if !c.prefix.trim().is_empty() {
        out.push_str(c.prefix.trim());
        out.push(' ');
    }
    if c.suppress_author {
        out.push('-');
    }
    out.push('@');
    out.push_str(&c.key);
    let loc = c.located(false);
    if !loc.is_empty() {
        out.push_str(", ");
        out.push_str(loc.trim());
    }
    if !c.suffix.trim().is_empty() {
        out.push(' ');
        out.push_str(c.suffix.trim());
    }
    out
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

    fn plain(keys: &[String]) -> Vec<Citation> {
        keys.iter().map(|k| Citation::of(k)).collect()
    }

    fn answer(q: &str) -> String {
        let (lib, keys) = lib();
        render(&lib, &Request::parse(&params(q)).unwrap(), &plain(&keys)).unwrap()
    }

    fn noted(q: &str) -> String {
        let (lib, keys) = lib();
        let cites = vec![
            Citation {
                prefix: "see".into(),
                locator: "12".into(),
                ..Citation::of(&keys[0])
            },
            Citation::of(&keys[1]),
        ];
        render(&lib, &Request::parse(&params(q)).unwrap(), &cites).unwrap()
    }

    #[test]
    fn prefixes_locators_and_suffixes_in_every_format_that_has_them() {
        assert_eq!(noted(""), r"\cite[see][12]{smith2020}\cite{doe2019}");
        assert_eq!(noted("format=biblatex"), r"\autocites[see][12]{smith2020}{doe2019}");
        assert_eq!(noted("format=pandoc&brackets=1"), "[see @smith2020, p. 12; @doe2019]");
        assert_eq!(noted("format=mmd"), "[see][#smith2020][#doe2019][]");
        assert_eq!(noted("format=typst"), "@smith2020[p. 12] @doe2019");
        assert_eq!(noted("format=asciidoctor-bibtex"), "cite:[smith2020(12), doe2019]");
        let json: serde_json::Value = serde_json::from_str(&noted("format=json")).unwrap();
        assert_eq!(
            (json[0]["locator"].as_str(), json[0]["label"].as_str()),
            (Some("12"), Some("page"))
        );
        assert_eq!(json[0]["prefix"], "see");
        assert!(json[1].get("locator").is_none());

        let (lib, keys) = lib();
        let one = |c: Citation, q: &str| render(&lib, &Request::parse(&params(q)).unwrap(), &[c]).unwrap();
        let chapter = Citation {
            locator: "3".into(),
            label: "chapter".into(),
            suffix: "emphasis added".into(),
            ..Citation::of(&keys[0])
        };
        assert_eq!(one(chapter.clone(), ""), r"\cite[ch.~3, emphasis added]{smith2020}");
        assert_eq!(
            one(chapter.clone(), "format=pandoc"),
            "@smith2020, ch. 3 emphasis added"
        );
        let year_only = Citation {
            suppress_author: true,
            ..Citation::of(&keys[0])
        };
        assert_eq!(one(year_only.clone(), ""), r"\citeyear{smith2020}");
        assert_eq!(one(year_only.clone(), "format=biblatex"), r"\autocite*{smith2020}");
        assert_eq!(one(year_only, "format=pandoc"), "-@smith2020");
        // Notes cannot end the optional argument or start a comment.
        let odd = Citation {
            prefix: "cf. [draft] 50% & more".into(),
            ..Citation::of(&keys[0])
        };
        assert_eq!(one(odd, ""), r"\cite[cf. {[}draft{]} 50\% \& more][]{smith2020}");
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
        assert!(render(&lib, &bad, &plain(&keys)).is_err());
        let style = Request::parse(&params("format=formatted-citation&style=nope")).unwrap();
        assert!(render(&lib, &style, &plain(&keys))
            .unwrap_err()
            .to_string()
            .contains("nope"));
        assert_eq!(render(&lib, &Request::parse(&[]).unwrap(), &[]).unwrap(), "");
    }
}
