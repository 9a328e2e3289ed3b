//! Citing items: the LaTeX command an editor pastes, and formatted references.

use crate::cite::CslStyle;
use crate::error::{Error, Result};
use crate::model::Item;
use crate::Library;

/// `\command{key1,key2}` for the keys, in the order given. The command may be written with or
/// without its backslash (`citep`, `\autocite`, `textcite*`); anything but letters and a
/// trailing `*` is refused, so the text is always one LaTeX command.
pub fn cite_command(command: &str, keys: &[String]) -> Result<String> {
    let cmd = command.trim().trim_start_matches('\\');
    let name = cmd.strip_suffix('*').unwrap_or(cmd);
    if name.is_empty() || !name.chars().all(|c| c.is_ascii_alphabetic()) {
        return Err(Error::InvalidInput(format!("invalid LaTeX command {command:?}")));
    }
    if keys.is_empty() {
        return Err(Error::NothingSelected);
    }
    Ok(format!("\\{cmd}{{{}}}", keys.join(",")))
}

fn items(lib: &Library, keys: &[String]) -> Result<Vec<Item>> {
    keys.iter().map(|k| lib.get(k)).collect()
}

/// One formatted reference-list entry per key, in the order given, in any CSL style
/// (`CslStyle::resolve("nature")`, `CiteStyle::Apa.into()`, a `.csl` file).
pub fn references(lib: &Library, keys: &[String], style: &CslStyle) -> Result<Vec<String>> {
    crate::cite::format_references(&items(lib, keys)?, style).map_err(Error::Format)
}

/// The in-text citation of the keys cited together ("(Jaspers & Steen, 2019)", "\[1\]").
pub fn citation(lib: &Library, keys: &[String], style: &CslStyle) -> Result<String> {
    crate::cite::format_citation(&items(lib, keys)?, style).map_err(Error::Format)
}
