//! Text for reading, not for LaTeX: what the table and lists show of a value.
//!
//! The importer converts the LaTeX it knows to Unicode (`\"o` → ö, `\emph{x}` → x) and keeps
//! everything else as written, so nothing is lost when an edited item is exported again:
//! commands Folio does not know (Beebe's `\bioname{Bacillus}`, `\geoname{Lake Erie}`) and math
//! (`$^1$H NMR`, `H$_2$O`, `$\alpha$-helix`). [`display_text`] shows those as a reader of the
//! typeset text would see them; the stored value does not change.

use super::groups::Groups;
use crate::budget::MAX_DEPTH;
use std::borrow::Cow;

/// `s` for the full-text index: without the names of the LaTeX commands it uses
/// (`\bioname{Thunnus}` and `\bioname Thunnus` are indexed as Thunnus, so a search for
/// "bioname" does not find every species in Beebe's files). Names that are words a reader
/// sees stay: Greek letters and symbols (`$\alpha$` still matches "alpha") and the TeX logos
/// (`\LaTeX`). Everything else stays as written (`$^1$H` matches "1").
pub fn search_text(s: &str) -> Cow<'_, str> {
    let b = s.as_bytes();
    let Some(first) = memchr::memchr(b'\\', b) else {
        return Cow::Borrowed(s);
    };
    let mut out = String::new();
    let (mut last, mut i) = (0, first);
    while let Some(p) = memchr::memchr(b'\\', &b[i..]) {
        let at = i + p;
        let mut j = at + 1;
        while j < b.len() && b[j].is_ascii_alphabetic() {
            j += 1;
        }
        if j == at + 1 {
            // A control symbol (`\\`, `\$`): the character after it is not a command's.
            i = at + 1 + s[at + 1..].chars().next().map_or(0, char::len_utf8);
            continue;
        }
        let name = &s[at + 1..j];
        if symbol(name).is_none() && !is_logo(name) {
            // A space keeps the words on either side apart, as the backslash did.
            out.push_str(&s[last..at]);
            out.push(' ');
            last = j;
        }
        i = j;
    }
    if last == 0 {
        return Cow::Borrowed(s);
    }
    out.push_str(&s[last..]);
    Cow::Owned(out)
}

/// Commands that typeset a name that is itself a word (`\LaTeX`).
fn is_logo(name: &str) -> bool {
    matches!(
        name,
        "TeX"
            | "LaTeX"
            | "LaTeXe"
            | "BibTeX"
            | "AmS"
            | "AmSTeX"
            | "AmSLaTeX"
            | "XeTeX"
            | "XeLaTeX"
            | "LuaTeX"
            | "LuaLaTeX"
            | "ConTeXt"
            | "METAFONT"
            | "MF"
            | "MP"
            | "SliTeX"
            | "PiCTeX"
            | "eTeX"
            | "pdfTeX"
            | "pdfLaTeX"
    )
}

/// `s` as a reader sees it: an unknown command with a braced argument shows the argument;
/// Greek letters and a few math symbols become their characters; in math, `^x` / `_x` become
/// superscript / subscript characters where Unicode has them all (else they stay as written);
/// the dollars and grouping braces go. An unknown command without an argument stays as written.
pub fn display_text(s: &str) -> Cow<'_, str> {
    if !s.bytes().any(|b| matches!(b, b'\\' | b'$' | b'{' | b'}')) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len());
    text(s, false, &Groups::new(s), 0, &mut out);
    Cow::Owned(tidy(&out))
}

/// Dropped braces and dollars can leave doubled spaces ("a {} b"): trimmed, one space each.
fn tidy(out: &str) -> String {
    let mut tidy = String::with_capacity(out.len());
    for c in out.trim().chars() {
        if c == ' ' && tidy.ends_with(' ') {
            continue;
        }
        tidy.push(c);
    }
    tidy
}

/// What a reader sees of `s` (part of the text of `g`), at command nesting `depth`: past
/// [`MAX_DEPTH`] a command's argument and a script stay as written.
fn text(s: &str, math: bool, g: &Groups, depth: usize, out: &mut String) {
    let b = s.as_bytes();
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'\\' => i = command(s, i, math, g, depth, out),
            b'{' | b'}' => i += 1,
            b'$' => {
                let (open, close) = if b.get(i + 1) == Some(&b'$') {
                    (2, "$$")
                } else {
                    (1, "$")
                };
                match s[i + open..].find(close) {
                    Some(p) => {
                        text(&s[i + open..i + open + p], true, g, depth, out);
                        i += open + p + close.len();
                    }
                    None => {
                        out.push_str(&s[i..]);
                        return;
                    }
                }
            }
            c @ (b'^' | b'_') if math => {
                let (arg, next) = script_argument(s, i + 1, g);
                let map = if c == b'^' { superscript } else { subscript };
                let shown = if depth >= MAX_DEPTH || !arg.bytes().any(|b| matches!(b, b'\\' | b'$' | b'{' | b'}')) {
                    arg.to_string()
                } else {
                    let mut inner = String::with_capacity(arg.len());
                    text(arg, false, g, depth + 1, &mut inner);
                    tidy(&inner)
                };
                match shown.chars().map(map).collect::<Option<String>>() {
                    Some(t) if !t.is_empty() => out.push_str(&t),
                    _ => out.push_str(&s[i..next]),
                }
                i = next;
            }
            _ => {
                let ch = s[i..].chars().next().expect("in bounds");
                out.push(ch);
                i += ch.len_utf8();
            }
        }
    }
}

/// The argument of `^` or `_` at `i`: a braced group, a control word or one character.
fn script_argument<'a>(s: &'a str, i: usize, g: &Groups) -> (&'a str, usize) {
    let b = s.as_bytes();
    match b.get(i) {
        None => ("", i),
        Some(b'{') => match g.end(s, i) {
            Some(end) => (&s[i + 1..end - 1], end),
            None => ("", i),
        },
        Some(b'\\') => {
            let mut j = i + 1;
            while j < b.len() && b[j].is_ascii_alphabetic() {
                j += 1;
            }
            if j == i + 1 {
                // A control symbol: the backslash and the one character after it.
                j += s[j..].chars().next().map_or(0, char::len_utf8);
            }
            (&s[i..j], j)
        }
        Some(_) => {
            let ch = s[i..].chars().next().expect("in bounds");
            (&s[i..i + ch.len_utf8()], i + ch.len_utf8())
        }
    }
}

/// A backslash at `i`; returns the next index.
fn command(s: &str, i: usize, math: bool, g: &Groups, depth: usize, out: &mut String) -> usize {
    let b = s.as_bytes();
    let mut j = i + 1;
    while j < b.len() && b[j].is_ascii_alphabetic() {
        j += 1;
    }
    if j == i + 1 {
        // A control symbol the importer left (`\\`, `\ `): as written, without the backslash.
        return match b.get(i + 1) {
            None => {
                out.push('\\');
                i + 1
            }
            Some(_) => {
                let ch = s[i + 1..].chars().next().expect("in bounds");
                out.push(if ch == '\\' { ' ' } else { ch });
                i + 1 + ch.len_utf8()
            }
        };
    }
    let name = &s[i + 1..j];
    if let Some(c) = symbol(name) {
        out.push(c);
        // `\alpha{}` or `\alpha ` in text: the space or group only ends the name.
        return if b.get(j) == Some(&b' ') && !math { j + 1 } else { j };
    }
    let mut k = j;
    while k < b.len() && b[k] == b' ' {
        k += 1;
    }
    if b.get(k) == Some(&b'{') {
        if let Some(end) = g.end(s, k) {
            if depth >= MAX_DEPTH {
                out.push_str(&s[i..end]);
            } else {
                text(&s[k + 1..end - 1], math, g, depth + 1, out);
            }
            return end;
        }
    }
    out.push_str(&s[i..j]);
    j
}

fn symbol(name: &str) -> Option<char> {
    Some(match name {
        "alpha" => 'α',
        "beta" => 'β',
        "gamma" => 'γ',
        "delta" => 'δ',
        "epsilon" | "varepsilon" => 'ε',
        "zeta" => 'ζ',
        "eta" => 'η',
        "theta" => 'θ',
        "vartheta" => 'ϑ',
        "iota" => 'ι',
        "kappa" => 'κ',
        "lambda" => 'λ',
        "mu" => 'μ',
        "nu" => 'ν',
        "xi" => 'ξ',
        "pi" => 'π',
        "rho" => 'ρ',
        "sigma" => 'σ',
        "tau" => 'τ',
        "upsilon" => 'υ',
        "phi" | "varphi" => 'φ',
        "chi" => 'χ',
        "psi" => 'ψ',
        "omega" => 'ω',
        "Gamma" => 'Γ',
        "Delta" => 'Δ',
        "Theta" => 'Θ',
        "Lambda" => 'Λ',
        "Xi" => 'Ξ',
        "Pi" => 'Π',
        "Sigma" => 'Σ',
        "Upsilon" => 'Υ',
        "Phi" => 'Φ',
        "Psi" => 'Ψ',
        "Omega" => 'Ω',
        "times" => '×',
        "pm" => '±',
        "mp" => '∓',
        "cdot" => '·',
        "leq" | "le" => '≤',
        "geq" | "ge" => '≥',
        "neq" | "ne" => '≠',
        "approx" => '≈',
        "sim" => '∼',
        "infty" => '∞',
        "circ" => '∘',
        "degree" => '°',
        "prime" => '′',
        "rightarrow" | "to" => '→',
        "leftarrow" => '←',
        "partial" => '∂',
        _ => return None,
    })
}

fn superscript(c: char) -> Option<char> {
    Some(match c {
        '0' => '⁰',
        '1' => '¹',
        '2' => '²',
        '3' => '³',
        '4' => '⁴',
        '5' => '⁵',
        '6' => '⁶',
        '7' => '⁷',
        '8' => '⁸',
        '9' => '⁹',
        '+' => '⁺',
        '-' | '−' => '⁻',
        '=' => '⁼',
        '(' => '⁽',
        ')' => '⁾',
        'n' => 'ⁿ',
        'i' => 'ⁱ',
        // `$^\circ$C`: the degree sign.
        '∘' | '°' => '°',
        '′' => '′',
        _ => return None,
    })
}

fn subscript(c: char) -> Option<char> {
    Some(match c {
        '0' => '₀',
        '1' => '₁',
        '2' => '₂',
        '3' => '₃',
        '4' => '₄',
        '5' => '₅',
        '6' => '₆',
        '7' => '₇',
        '8' => '₈',
        '9' => '₉',
        '+' => '₊',
        '-' | '−' => '₋',
        '=' => '₌',
        '(' => '₍',
        ')' => '₎',
        'a' => 'ₐ',
        'e' => 'ₑ',
        'o' => 'ₒ',
        'x' => 'ₓ',
        'h' => 'ₕ',
        'k' => 'ₖ',
        'l' => 'ₗ',
        'm' => 'ₘ',
        'n' => 'ₙ',
        'p' => 'ₚ',
        's' => 'ₛ',
        't' => 'ₜ',
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::{display_text, search_text};

    #[test]
    fn the_index_leaves_out_the_names_of_commands() {
        for (raw, indexed) in [
            ("Mercury in \\bioname{Thunnus thynnus}", "Mercury in  {Thunnus thynnus}"),
            (
                "\\geoname {Lake Erie} and \\bioname{\\geoname{Nested}}",
                "  {Lake Erie} and  { {Nested}}",
            ),
            // Without braces (a switch, as some of Beebe's titles use it).
            ("sea trout (\\bioname Salmo trutta L.)", "sea trout (  Salmo trutta L.)"),
            ("x\\foo123 and \\textregistered", "x 123 and  "),
            // Known symbols, TeX logos and math stay.
            (
                "$\\alpha$-helix, $\\beta{}$ and \\LaTeX",
                "$\\alpha$-helix, $\\beta{}$ and \\LaTeX",
            ),
            ("$^1$H NMR", "$^1$H NMR"),
            // A control symbol is not a command with a name.
            ("a \\\\bioname{b} and 50\\%{x}", "a \\\\bioname{b} and 50\\%{x}"),
            ("\\é\\bioname{x}\\", "\\é {x}\\"),
        ] {
            assert_eq!(search_text(raw), indexed, "{raw}");
        }
        assert!(matches!(search_text("plain \\LaTeX"), std::borrow::Cow::Borrowed(_)));
    }

    #[test]
    fn unknown_commands_show_their_argument_and_math_its_characters() {
        for (raw, shown) in [
            (
                "Bt (\\bioname{Bacillus thuringiensis}) toxins",
                "Bt (Bacillus thuringiensis) toxins",
            ),
            ("Fish of \\geoname{Lake Erie}", "Fish of Lake Erie"),
            ("A $^1$H NMR study", "A ¹H NMR study"),
            ("H$_2$O and CO$_{2}$", "H₂O and CO₂"),
            ("$\\alpha$-helix and $\\beta$ sheets", "α-helix and β sheets"),
            ("at 25$^\\circ$C", "at 25°C"),
            ("$^{137}$Cs in cod", "¹³⁷Cs in cod"),
            ("$10^{-3}$ M", "10⁻³ M"),
            ("\\bioname{\\geoname{Nested}} names", "Nested names"),
            ("{DNA} of {\\bioname{Salmo}}", "DNA of Salmo"),
        ] {
            assert_eq!(display_text(raw), shown, "{raw}");
        }
    }

    #[test]
    fn what_has_no_reading_stays_as_written() {
        for (raw, shown) in [
            // No Unicode superscript for every letter: the script stays.
            ("$x^{ab}$ growth", "x^{ab} growth"),
            // An unknown command without an argument.
            ("The \\LaTeX companion", "The \\LaTeX companion"),
            // An unclosed dollar.
            ("costs $5", "costs $5"),
            ("plain text, no markup", "plain text, no markup"),
            ("Ünïcödé stays", "Ünïcödé stays"),
            // A script of a control symbol with a non-ASCII character (found by proptest).
            ("$^\\é$", "^\\é"),
        ] {
            assert_eq!(display_text(raw), shown, "{raw}");
        }
        assert!(matches!(display_text("plain"), std::borrow::Cow::Borrowed(_)));
    }

    proptest::proptest! {
        /// Any text gives an answer (no slicing inside a character, whatever the braces and
        /// dollars), and text without markup comes back as it is.
        #[test]
        fn any_text_gives_an_answer(s in r"[a-z é{}$^_\\\\]{0,24}") {
            let _ = search_text(&s);
            let shown = display_text(&s);
            if !s.contains(['\\', '$', '{', '}']) {
                proptest::prop_assert_eq!(shown.as_ref(), s.as_str());
            }
        }
    }
}
