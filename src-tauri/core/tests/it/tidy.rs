//! Tidy tests (in the style of rust-analyzer's): the layering ARCHITECTURE.md promises,
//! checked on the source text, so a change that breaks it fails here instead of in review.
//!
//! - `model` imports nothing of Folio but itself;
//! - `format` imports only `model`, `error` (diagnostics) and itself, and does no IO on files;
//! - SQL (`rusqlite`, statements) only in `store/` (and the error type that wraps its errors);
//! - the CLI and the desktop shell use no `rusqlite`;
//! - no source file imports another that imports it back (re-exports by a parent `mod.rs` or
//!   `lib.rs` of its own children are a facade, not a dependency).

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

fn core_src() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("src")
}

fn shell_src() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../src")
}

fn rust_files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap_or_else(|e| panic!("{}: {e}", d.display())) {
            let p = e.unwrap().path();
            if p.is_dir() {
                stack.push(p);
            } else if p.extension().is_some_and(|x| x == "rs") {
                out.push(p);
            }
        }
    }
    out.sort();
    out
}

/// Test-only files and the `#[cfg(test)]` tail of a file are not production code.
fn is_test_file(p: &Path) -> bool {
    let name = p.file_name().unwrap().to_string_lossy();
    name == "tests.rs" || name.ends_with("_tests.rs")
}

/// The production part of a file: without `//` comments and without a `#[cfg(test)]` test
/// module (Folio keeps unit tests at the end of a file).
fn production(text: &str) -> String {
    let mut out = String::new();
    let mut lines = text.lines().peekable();
    while let Some(line) = lines.next() {
        if line.trim_start().starts_with("#[cfg(test)]")
            && lines.peek().is_some_and(|l| {
                let l = l.trim_start();
                l.starts_with("mod ") || l.starts_with("pub mod ") || l.starts_with("pub(crate) mod ")
            })
        {
            // A test module: inline (`mod tests { … }`, to the end of the file by convention)
            // or in a file of its own (`mod tests;`, skipped as a test file).
            if lines.peek().is_some_and(|l| l.trim_end().ends_with(';')) {
                lines.next();
                continue;
            }
            break;
        }
        let code = match line.find("//") {
            Some(i) if !line[..i].contains('"') => &line[..i],
            _ => line,
        };
        out.push_str(code);
        out.push('\n');
    }
    out
}

/// The first segments of every `crate::…` path in the text (`crate::model::Item` → `model`).
fn crate_roots(code: &str) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    for (i, _) in code.match_indices("crate::") {
        if i > 0 && (code.as_bytes()[i - 1].is_ascii_alphanumeric() || code.as_bytes()[i - 1] == b'_') {
            continue; // `$crate::`, `folio_crate::`
        }
        let rest = &code[i + "crate::".len()..];
        if rest.starts_with('{') {
            let inner = &rest[1..rest.find('}').unwrap_or(rest.len())];
            for part in inner.split(',') {
                let seg: String = part
                    .trim()
                    .chars()
                    .take_while(|c| c.is_alphanumeric() || *c == '_')
                    .collect();
                if !seg.is_empty() {
                    out.insert(seg);
                }
            }
        } else {
            let seg: String = rest.chars().take_while(|c| c.is_alphanumeric() || *c == '_').collect();
            out.insert(seg);
        }
    }
    out
}

fn rel(p: &Path) -> String {
    p.strip_prefix(core_src())
        .map(|r| format!("core/src/{}", r.display()))
        .unwrap_or_else(|_| p.display().to_string())
}

#[test]
fn model_and_format_import_only_what_the_layering_allows() {
    let mut problems = Vec::new();
    // `budget` is constants only: every reader shares its limits.
    for (dir, allowed) in [
        ("model", &["model"][..]),
        ("format", &["model", "format", "error", "budget"][..]),
    ] {
        for f in rust_files(&core_src().join(dir)) {
            if is_test_file(&f) {
                continue;
            }
            let code = production(&std::fs::read_to_string(&f).unwrap());
            for root in crate_roots(&code) {
                if !allowed.contains(&root.as_str()) {
                    problems.push(format!("{} uses crate::{root}", rel(&f)));
                }
            }
            for io in ["std::fs::", "File::open", "File::create"] {
                if dir == "format" && code.contains(io) {
                    problems.push(format!("{} does file IO ({io})", rel(&f)));
                }
            }
        }
    }
    assert!(problems.is_empty(), "layering broken:\n{}", problems.join("\n"));
}

const SQL_MARKERS: [&str; 7] = [
    "rusqlite",
    ".execute(",
    ".execute_batch(",
    ".prepare(",
    ".prepare_cached(",
    ".query_row(",
    ".pragma_update(",
];

#[test]
fn sql_lives_only_in_the_store() {
    let mut problems = Vec::new();
    for f in rust_files(&core_src()) {
        let r = rel(&f);
        // The shared library's server speaks SQL too: its statements live in the PostgreSQL
        // remote's files as the library's live in store/.
        let server_sql = r == "core/src/remote/postgres.rs" || r.starts_with("core/src/remote/postgres/");
        if r.starts_with("core/src/store/") || r == "core/src/error.rs" || server_sql || is_test_file(&f) {
            continue;
        }
        let code = production(&std::fs::read_to_string(&f).unwrap());
        for m in SQL_MARKERS {
            if code.contains(m) {
                problems.push(format!("{r}: {m}"));
            }
        }
    }
    for f in rust_files(&shell_src()) {
        let code = production(&std::fs::read_to_string(&f).unwrap());
        if code.contains("rusqlite") {
            problems.push(format!("{}: rusqlite in the desktop shell", f.display()));
        }
    }
    assert!(problems.is_empty(), "SQL outside store/:\n{}", problems.join("\n"));
}

/// One crate's files as modules: `a/b.rs` → `a::b`, `a/mod.rs` → `a`, the root file → "".
struct Crate {
    root: PathBuf,
    modules: BTreeMap<String, PathBuf>,
}

impl Crate {
    fn new(root_dir: &Path, root_file: &str, skip: &[&str]) -> Crate {
        let mut modules = BTreeMap::new();
        for f in rust_files(root_dir) {
            let r = f.strip_prefix(root_dir).unwrap().to_string_lossy().replace('\\', "/");
            if skip.iter().any(|s| r.starts_with(s)) || is_test_file(&f) {
                continue;
            }
            let m = if r == root_file {
                String::new()
            } else {
                let r = r.trim_end_matches(".rs");
                r.strip_suffix("/mod").unwrap_or(r).replace('/', "::")
            };
            modules.insert(m, f);
        }
        Crate {
            root: root_dir.to_path_buf(),
            modules,
        }
    }

    /// The deepest file module a path (as segments from the crate root) lands in.
    fn file_of(&self, segs: &[String]) -> Option<String> {
        (1..=segs.len())
            .rev()
            .map(|n| segs[..n].join("::"))
            .find(|m| self.modules.contains_key(m))
    }
}

/// Every path a file names, as segments from the crate root, with whether it is a
/// re-export (`pub use`) line.
fn paths_in(code: &str, module: &str, is_mod_file: bool) -> Vec<(Vec<String>, bool)> {
    let here: Vec<String> = if module.is_empty() {
        Vec::new()
    } else {
        module.split("::").map(String::from).collect()
    };
    // `super` of a `mod.rs` (module a::b) is `a`; of `a/b.rs` (module a::b) also `a`.
    let parent = here[..here.len().saturating_sub(1)].to_vec();
    let _ = is_mod_file;
    let mut out = Vec::new();
    for stmt in statements(code) {
        let reexport = stmt.trim_start().starts_with("pub use") || stmt.trim_start().starts_with("pub(crate) use");
        for path in expand(&stmt) {
            let segs: Vec<&str> = path.split("::").map(str::trim).collect();
            let (base, rest) = match segs.first().copied() {
                Some("crate") => (Vec::new(), &segs[1..]),
                Some("super") => {
                    let mut b = parent.clone();
                    let mut rest = &segs[1..];
                    while rest.first() == Some(&"super") {
                        b.pop();
                        rest = &rest[1..];
                    }
                    (b, rest)
                }
                Some("self") => (here.clone(), &segs[1..]),
                _ => continue,
            };
            let mut full = base;
            full.extend(
                rest.iter()
                    .filter(|s| !s.is_empty() && **s != "*")
                    .map(|s| s.to_string()),
            );
            out.push((full, reexport));
        }
    }
    out
}

/// `use` statements (possibly multi-line) and other lines that contain paths.
fn statements(code: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur: Option<String> = None;
    for line in code.lines() {
        let t = line.trim_start();
        if let Some(c) = cur.as_mut() {
            c.push_str(t);
            if t.contains(';') {
                out.push(cur.take().unwrap());
            }
        } else if t.starts_with("use ") || t.starts_with("pub use ") || t.starts_with("pub(crate) use ") {
            if t.contains(';') {
                out.push(t.to_string());
            } else {
                cur = Some(t.to_string());
            }
        } else if t.contains("crate::") || t.contains("super::") {
            out.push(t.to_string());
        }
    }
    out
}

/// The paths of a `use` tree or line: `use a::{b, c::{d, e}};` → `a::b`, `a::c::d`, `a::c::e`;
/// for other lines every `crate::…`/`super::…` path in it.
fn expand(stmt: &str) -> Vec<String> {
    let t = stmt.trim();
    let body = ["pub(crate) use ", "pub use ", "use "]
        .iter()
        .find_map(|p| t.strip_prefix(p));
    match body {
        Some(b) => {
            let b = b.trim_end().trim_end_matches(';');
            let mut out = Vec::new();
            expand_tree("", b, &mut out);
            out
        }
        None => {
            let mut out = Vec::new();
            for start in ["crate::", "super::"] {
                for (i, _) in t.match_indices(start) {
                    if i > 0 && (t.as_bytes()[i - 1].is_ascii_alphanumeric() || b"_$:".contains(&t.as_bytes()[i - 1])) {
                        continue;
                    }
                    let p: String = t[i..]
                        .chars()
                        .take_while(|c| c.is_alphanumeric() || *c == '_' || *c == ':')
                        .collect();
                    out.push(p.trim_end_matches(':').to_string());
                }
            }
            out
        }
    }
}

fn expand_tree(prefix: &str, tree: &str, out: &mut Vec<String>) {
    let tree = tree.trim();
    match tree.find('{') {
        Some(open) => {
            let head = tree[..open].trim_end_matches("::").trim();
            let inner = &tree[open + 1..tree.rfind('}').unwrap_or(tree.len())];
            let p = join(prefix, head);
            let mut depth = 0;
            let mut start = 0;
            for (i, c) in inner.char_indices() {
                match c {
                    '{' => depth += 1,
                    '}' => depth -= 1,
                    ',' if depth == 0 => {
                        expand_tree(&p, &inner[start..i], out);
                        start = i + 1;
                    }
                    _ => {}
                }
            }
            expand_tree(&p, &inner[start..], out);
        }
        None => {
            let item = tree.split(" as ").next().unwrap().trim();
            if !item.is_empty() {
                out.push(join(prefix, item));
            }
        }
    }
}

fn join(a: &str, b: &str) -> String {
    match (a.is_empty(), b.is_empty()) {
        (true, _) => b.to_string(),
        (_, true) => a.to_string(),
        _ => format!("{a}::{b}"),
    }
}

/// File-level import edges of a crate (a re-export of a child by its parent is no edge).
fn edges(c: &Crate) -> BTreeSet<(String, String)> {
    let mut out = BTreeSet::new();
    for (m, f) in &c.modules {
        let code = production(&std::fs::read_to_string(f).unwrap());
        let is_mod = f.ends_with("mod.rs") || f.parent() == Some(c.root.as_path());
        for (segs, reexport) in paths_in(&code, m, is_mod) {
            let Some(target) = c.file_of(&segs) else { continue };
            if &target == m {
                continue;
            }
            let is_child = if m.is_empty() {
                true
            } else {
                target.starts_with(&format!("{m}::"))
            };
            if reexport && is_child {
                continue;
            }
            out.insert((m.clone(), target));
        }
    }
    out
}

fn cycles(c: &Crate) -> Vec<String> {
    let e = edges(c);
    let name = |m: &str| c.modules[m].strip_prefix(&c.root).unwrap().display().to_string();
    e.iter()
        .filter(|(a, b)| a < b && e.contains(&(b.clone(), a.clone())))
        .map(|(a, b)| format!("{} <-> {}", name(a), name(b)))
        .collect()
}

#[test]
fn no_file_imports_a_file_that_imports_it_back() {
    let core = Crate::new(&core_src(), "lib.rs", &["bin/"]);
    let shell = Crate::new(&shell_src(), "lib.rs", &[]);
    let mut found = cycles(&core);
    found.extend(cycles(&shell).into_iter().map(|c| format!("shell: {c}")));
    let cli = core_src().join("bin/folio");
    if cli.is_dir() {
        let cli = Crate::new(&cli, "main.rs", &[]);
        found.extend(cycles(&cli).into_iter().map(|c| format!("cli: {c}")));
    }
    assert!(found.is_empty(), "import cycles between files:\n{}", found.join("\n"));
}

/// The checker itself: a cycle is found, a parent's re-export of its child is not one.
#[test]
fn the_cycle_checker_sees_cycles() {
    let dir = tempfile::tempdir().unwrap();
    let w = |p: &str, t: &str| {
        let p = dir.path().join(p);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, t).unwrap();
    };
    w("lib.rs", "pub mod a;\npub mod b;\npub use a::Thing;\n");
    w(
        "a/mod.rs",
        "mod x;\npub use x::X;\nuse crate::b::{self, B};\npub struct Thing;\n",
    );
    w("a/x.rs", "use super::Thing;\npub struct X;\n");
    w("b.rs", "pub struct B;\nfn f() -> crate::a::Thing { crate::a::Thing }\n");
    let c = Crate::new(dir.path(), "lib.rs", &[]);
    assert_eq!(cycles(&c), ["a/mod.rs <-> b.rs"]);
    w("b.rs", "pub struct B;\n");
    assert!(cycles(&Crate::new(dir.path(), "lib.rs", &[])).is_empty());
}

/// The production functions of a file longer than `max` lines, as `name (lines)`.
fn long_functions(code: &str, max: usize) -> Vec<String> {
    let lines: Vec<&str> = code.lines().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < lines.len() {
        let t = lines[i].trim_start();
        let t = t
            .trim_start_matches("pub(crate) ")
            .trim_start_matches("pub(super) ")
            .trim_start_matches("pub ")
            .trim_start_matches("const ")
            .trim_start_matches("async ")
            .trim_start_matches("unsafe ");
        let Some(rest) = t.strip_prefix("fn ") else {
            i += 1;
            continue;
        };
        let name: String = rest.chars().take_while(|c| c.is_alphanumeric() || *c == '_').collect();
        // From the line of `fn` to the line where its body's braces balance.
        let mut depth = 0i32;
        let mut opened = false;
        let mut j = i;
        'lines: while j < lines.len() {
            let mut chars = lines[j].chars().peekable();
            let mut in_str = false;
            while let Some(c) = chars.next() {
                match c {
                    '\\' if in_str => {
                        chars.next();
                    }
                    '"' => in_str = !in_str,
                    '\'' if !in_str => {
                        // A char literal ('{', '\''), not a lifetime.
                        let look: String = chars.clone().take(3).collect();
                        if look.starts_with('\\') {
                            chars.next();
                            chars.next();
                            while chars.peek().is_some_and(|c| *c != '\'') {
                                chars.next();
                            }
                            chars.next();
                        } else if look.chars().nth(1) == Some('\'') {
                            chars.next();
                            chars.next();
                        }
                    }
                    '/' if !in_str && chars.peek() == Some(&'/') => break,
                    ';' if !in_str && !opened && depth == 0 => break 'lines, // a declaration
                    '{' if !in_str => {
                        depth += 1;
                        opened = true;
                    }
                    '}' if !in_str => {
                        depth -= 1;
                        if opened && depth == 0 {
                            break 'lines;
                        }
                    }
                    _ => {}
                }
            }
            j += 1;
        }
        let len = j + 1 - i;
        if opened && len > max {
            out.push(format!("{name} ({len} lines)"));
        }
        i += 1;
    }
    out
}

/// No production function over ~150 lines: the CLI's `dispatch` was 749 lines before the
/// CLI became a folder; long functions hide several jobs.
#[test]
fn no_production_function_is_over_150_lines() {
    let mut found = Vec::new();
    for f in rust_files(&core_src()).into_iter().chain(rust_files(&shell_src())) {
        if is_test_file(&f) || f.components().any(|c| c.as_os_str() == "tests") {
            continue;
        }
        let code = production(&std::fs::read_to_string(&f).unwrap());
        for l in long_functions(&code, 150) {
            found.push(format!("{}: {l}", rel(&f)));
        }
    }
    assert!(found.is_empty(), "functions over 150 lines:\n{}", found.join("\n"));
}

#[test]
fn the_length_checker_counts_bodies() {
    let mut code = String::from("pub fn short() -> u8 {\n    let c = '{';\n    \"}}\".len() as u8\n}\n");
    code.push_str("fn long<'a>(x: &'a str) {\n");
    for _ in 0..150 {
        code.push_str("    let _ = x; // }\n");
    }
    code.push_str("}\nfn decl();\n");
    assert_eq!(long_functions(&code, 150), ["long (152 lines)"]);
    assert!(long_functions(&code, 152).is_empty());
}
