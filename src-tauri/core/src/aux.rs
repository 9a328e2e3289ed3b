//! Reading LaTeX `.aux` files: which keys a paper cites.

use crate::budget::{MAX_AUX_BYTES, MAX_AUX_FILES};
use std::collections::HashSet;
use std::path::{Path, PathBuf};

/// What an `.aux` file (and the `.aux` files it `\@input`s) cites.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Citations {
    /// Cited keys in first-cited order.
    pub keys: Vec<String>,
    /// `\nocite{*}`: everything.
    pub all: bool,
    /// Included files that were not read (not a regular file, past the budget), one line each
    /// for the report; what was read is used.
    pub warnings: Vec<String>,
}

/// Parse the citation commands of BibTeX (`\citation{a,b}`) and biblatex
/// (`\abx@aux@cite{0}{key}`, older `\abx@aux@cite{key}`).
pub fn parse_aux(text: &str) -> (Citations, Vec<String>) {
    let mut out = Citations::default();
    let mut seen = HashSet::new();
    let mut inputs = Vec::new();
    for line in text.lines() {
        let line = line.trim();
        let keys: Vec<&str> = if let Some(rest) = line.strip_prefix("\\citation{") {
            rest.strip_suffix('}')
                .map(|b| b.split(',').collect())
                .unwrap_or_default()
        } else if let Some(rest) = line.strip_prefix("\\abx@aux@cite{") {
            // `{refsection}{key}` or `{key}`
            let groups: Vec<&str> = rest.trim_end_matches('}').split("}{").collect();
            groups.last().map(|k| vec![*k]).unwrap_or_default()
        } else if let Some(rest) = line.strip_prefix("\\@input{") {
            if let Some(f) = rest.strip_suffix('}') {
                inputs.push(f.to_string());
            }
            Vec::new()
        } else {
            Vec::new()
        };
        for k in keys {
            let k = k.trim();
            if k == "*" {
                out.all = true;
            } else if !k.is_empty() && seen.insert(k.to_string()) {
                out.keys.push(k.to_string());
            }
        }
    }
    (out, inputs)
}

/// Read an `.aux` file and those it includes (chapters with `\include`). Only regular files
/// are read (an `\@input` of a FIFO or `/dev/zero` is skipped with a warning, never waited
/// on or read without end), at most [`MAX_AUX_FILES`] of them and [`MAX_AUX_BYTES`] together;
/// an included file that is missing is skipped silently (LaTeX writes it on the next run).
/// Linear in the number of citations.
pub fn read_aux(path: &Path) -> crate::Result<Citations> {
    let mut all = Citations::default();
    let mut seen: HashSet<String> = HashSet::new();
    let mut queue: Vec<PathBuf> = vec![path.to_path_buf()];
    let mut visited = HashSet::new();
    let mut budget = MAX_AUX_BYTES;
    let dir = path.parent().map(Path::to_path_buf).unwrap_or_default();
    while let Some(p) = queue.pop() {
        if !visited.insert(p.clone()) {
            continue;
        }
        let bytes = match crate::library::files::read_regular(&p, budget, "the .aux files of one paper") {
            Ok(b) => b,
            Err(e) if p == path => return Err(e),
            Err(crate::Error::Io { source, .. }) if source.kind() == std::io::ErrorKind::NotFound => continue,
            Err(e) => {
                all.warnings.push(format!("{e}; skipped"));
                continue;
            }
        };
        budget -= bytes.len() as u64;
        let text = String::from_utf8_lossy(&bytes);
        let (c, inputs) = parse_aux(&text);
        all.all |= c.all;
        for k in c.keys {
            if seen.insert(k.clone()) {
                all.keys.push(k);
            }
        }
        all.warnings.extend(c.warnings);
        // Depth first, in the order the files are included; never more than the file budget
        // waiting (a file of a million `\@input` lines queues no more).
        let room = MAX_AUX_FILES.saturating_sub(visited.len() + queue.len());
        if inputs.len() > room {
            all.warnings.push(format!(
                "{}: more than {MAX_AUX_FILES} .aux files are included; the rest were not read",
                p.display()
            ));
        }
        queue.extend(inputs.into_iter().take(room).rev().map(|i| dir.join(i)));
    }
    Ok(all)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bibtex_and_biblatex_aux() {
        let aux = "\\relax\n\\citation{Steen2019,Jaspers2020}\n\\citation{Steen2019}\n\\abx@aux@cite{0}{Flores2022}\n\
                   \\abx@aux@segm{0}{0}{Flores2022}\n\\abx@aux@cite{Old2001}\n\\citation{*}\n\\@input{ch1.aux}\n";
        let (c, inputs) = parse_aux(aux);
        assert_eq!(c.keys, ["Steen2019", "Jaspers2020", "Flores2022", "Old2001"]);
        assert!(c.all);
        assert_eq!(inputs, ["ch1.aux"]);
    }

    #[test]
    fn included_aux_files_are_followed() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join("main.aux"),
            "\\citation{A}\n\\@input{ch1.aux}\n\\@input{missing.aux}\n",
        )
        .unwrap();
        std::fs::write(dir.path().join("ch1.aux"), "\\citation{B,A}\n").unwrap();
        let c = read_aux(&dir.path().join("main.aux")).unwrap();
        assert_eq!(c.keys, ["A", "B"]);
        assert!(read_aux(&dir.path().join("nope.aux")).is_err());
    }
}
