//! Running TeX Live's tools from the tests (`latex_compile`, `matrix`) and reading their logs.
//! Needs `texlive-latex-base texlive-latex-recommended texlive-bibtex-extra biber
//! texlive-luatex fonts-noto-cjk fonts-dejavu-core` (installed by `.ci/test`).

use std::path::Path;
use std::process::Command;

/// Runs `cmd` in `dir`: whether it succeeded, and its stdout + stderr. A missing tool fails
/// the test with the packages to install.
pub fn run(dir: &Path, cmd: &str, args: &[&str]) -> (bool, String) {
    let out = Command::new(cmd)
        .args(args)
        .current_dir(dir)
        .output()
        .unwrap_or_else(|e| panic!("{cmd}: {e} (install it: `bash .ci/test` names the packages)"));
    let text = String::from_utf8_lossy(&out.stdout).to_string() + &String::from_utf8_lossy(&out.stderr);
    (out.status.success(), text)
}

/// A file's text (lossy), empty when it is missing.
pub fn read(p: &Path) -> String {
    String::from_utf8_lossy(&std::fs::read(p).unwrap_or_default()).into_owned()
}

/// LaTeX errors in a log (`! …` lines, with the line after; not typeset text that happens to
/// start a line with "!  ", as in an underfull box report).
pub fn latex_errors(log: &str) -> Vec<String> {
    let lines: Vec<&str> = log.lines().collect();
    lines
        .iter()
        .enumerate()
        .filter(|(_, l)| is_latex_error(l))
        .map(|(i, l)| format!("{l} {}", lines.get(i + 1).unwrap_or(&"")))
        .collect()
}

/// Whether a log line starts a LaTeX error (see [`latex_errors`]).
pub fn is_latex_error(l: &str) -> bool {
    l.starts_with("! ") && !l.starts_with("!  ") || l.starts_with("!  ==>")
}

/// bibtex's error messages (it counts them: "(There were N error messages)").
pub fn bibtex_errors(blg: &str) -> usize {
    blg.lines()
        .filter_map(|l| {
            let l = l.trim();
            if l == "(There was 1 error message)" {
                return Some(1);
            }
            l.strip_prefix("(There were ")?
                .strip_suffix(" error messages)")?
                .parse()
                .ok()
        })
        .sum()
}

/// DejaVu Serif (Latin, Greek, Cyrillic, combining marks) with Noto Serif CJK SC as the
/// fallback for CJK.
pub const FONTS: &str = "\\usepackage{fontspec}\\directlua{luaotfload.add_fallback(\"cjk\",{\"NotoSerifCJKSC:mode=node;\"})}\\setmainfont{DejaVu Serif}[RawFeature={fallback=cjk}]";

/// Characters the fonts lack (LuaTeX reports them, as warnings only).
pub fn missing_glyphs(log: &str) -> Vec<&str> {
    log.lines().filter(|l| is_missing_glyph(l)).collect()
}

/// Whether a log line is LuaTeX's report of a character the fonts lack.
pub fn is_missing_glyph(l: &str) -> bool {
    l.starts_with("Missing character")
}

/// A LuaLaTeX document's start up to `\nocite{*}`, with the fonts above, `url` and `extra`.
pub fn preamble(extra: &str) -> String {
    format!("\\documentclass{{article}}{FONTS}\\usepackage{{url}}{extra}\\begin{{document}}\\nocite{{*}}")
}
