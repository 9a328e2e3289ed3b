//! A LaTeX paper's citations: what its `.aux` cites, exporting exactly that, and registering
//! the `.aux` so the keys it cites are protected.

use crate::error::{Error, Result};
use crate::export::{ExportOptions, ExportReport};
use crate::Library;
use std::path::{Path, PathBuf};

/// The `.aux` file a path stands for: a `.tex` file stands for the `.aux` LaTeX writes beside
/// it (which must exist: [`Error::NoAux`] otherwise); any other path is taken as the `.aux`.
pub fn aux_path(path: &Path) -> Result<PathBuf> {
    let is_tex = path.extension().is_some_and(|e| e.eq_ignore_ascii_case("tex"));
    if !is_tex {
        return Ok(path.to_path_buf());
    }
    let aux = path.with_extension("aux");
    if aux.is_file() {
        Ok(aux)
    } else {
        Err(Error::NoAux {
            tex: path.to_path_buf(),
        })
    }
}

/// What a paper cites, as far as the library knows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cited {
    /// The `.aux` file read (for a `.tex`, the one beside it).
    pub aux: PathBuf,
    /// The cited items' keys, with their `crossref`/`xdata` parents after them.
    pub keys: Vec<String>,
    /// Cited keys the library does not have.
    pub missing: Vec<String>,
    /// Whether the `.aux` is registered (its keys are protected).
    pub registered: bool,
    /// Included `.aux` files that were not read (not a regular file, past the budget).
    pub warnings: Vec<String>,
}

/// What the `.aux` (or the `.aux` beside a `.tex`) at `path` cites.
pub fn cited(lib: &Library, path: &Path) -> Result<Cited> {
    let aux = aux_path(path)?;
    let (items, missing, warnings) = lib.cited_items_with_warnings(&aux)?;
    let registered = is_registered(lib, &aux)?;
    Ok(Cited {
        keys: items.into_iter().map(|i| i.key).collect(),
        missing,
        registered,
        aux,
        warnings,
    })
}

fn is_registered(lib: &Library, aux: &Path) -> Result<bool> {
    let abs = std::path::absolute(aux).map_err(|e| Error::io(aux, e))?;
    Ok(lib
        .aux_files()?
        .iter()
        .any(|a| Path::new(a) == aux || Path::new(a) == abs))
}

/// The result of [`export_cited`].
#[derive(Debug, Clone, PartialEq)]
pub struct CitedExport {
    pub aux: PathBuf,
    pub report: ExportReport,
    /// Cited keys the library does not have (not in the export).
    pub missing: Vec<String>,
    /// Whether the `.aux` is registered now.
    pub registered: bool,
    /// The exported text, when no output file was given.
    pub text: Option<String>,
    /// Included `.aux` files that were not read (not a regular file, past the budget).
    pub warnings: Vec<String>,
}

/// Export exactly the entries a paper cites (with their `crossref`/`xdata` parents) to `out`
/// (atomically), or as text when `out` is `None`; with `register`, the `.aux` is registered
/// afterwards (an undoable action of its own), so changing a key it cites asks first.
/// A paper that cites nothing in the library is an error ([`Error::NothingCited`]) and
/// registers nothing; so does an export that fails. A caller that writes the text somewhere
/// itself uses [`export_cited_to`], which registers only once the text is written.
pub fn export_cited(
    lib: &mut Library,
    path: &Path,
    opts: &ExportOptions,
    out: Option<&Path>,
    register: bool,
) -> Result<CitedExport> {
    let mut c = export_unregistered(lib, path, opts, out)?;
    finish(lib, &mut c, register)?;
    Ok(c)
}

/// [`export_cited`] to a stream (standard output): the text is written and flushed first,
/// and only then is the `.aux` registered, so a failed write (a full disk, a closed pipe)
/// leaves no trace in the library or its history. The result's `text` is `None`.
pub fn export_cited_to(
    lib: &mut Library,
    path: &Path,
    opts: &ExportOptions,
    w: &mut dyn std::io::Write,
    register: bool,
) -> Result<CitedExport> {
    let mut c = export_unregistered(lib, path, opts, None)?;
    let text = c.text.take().unwrap_or_default();
    w.write_all(text.as_bytes())
        .and_then(|()| w.flush())
        .map_err(|e| Error::io("standard output", e))?;
    finish(lib, &mut c, register)?;
    Ok(c)
}

/// The export of [`export_cited`], nothing registered yet.
fn export_unregistered(lib: &Library, path: &Path, opts: &ExportOptions, out: Option<&Path>) -> Result<CitedExport> {
    let aux = aux_path(path)?;
    let (items, missing, warnings) = lib.cited_items_with_warnings(&aux)?;
    if items.is_empty() {
        return Err(Error::NothingCited { aux });
    }
    let (report, text) = lib.export_items(&items, opts, out)?;
    Ok(CitedExport {
        aux,
        report,
        missing,
        registered: false,
        text,
        warnings,
    })
}

/// Register the `.aux` of a finished export when asked; say whether it is registered.
fn finish(lib: &mut Library, c: &mut CitedExport, register: bool) -> Result<()> {
    if register {
        lib.aux_add(&c.aux)?;
    }
    c.registered = is_registered(lib, &c.aux)?;
    Ok(())
}
