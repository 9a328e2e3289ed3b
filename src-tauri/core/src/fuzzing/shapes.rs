//! Structure-aware generators of the pathological shapes of issue 23: inputs a random byte
//! fuzzer would practically never build (8,000 nested `\emph{`, a chain of doubling `@string`
//! macros, 100k entries with one key, a 30,000-deep JabRef group tree…), shared by the
//! proptest smoke (`tests/it/fuzz.rs`), the `cargo fuzz` targets (`src-tauri/core/fuzz`) and
//! the scaling rows of the benchmark (`folio-bench scaling`).
//!
//! Every generator is `fn(size, seed) -> Vec<u8>`, deterministic in both; `size` counts the
//! shape's unit ([`Shape::unit`]: nesting levels, entries, keywords…) and [`Shape::mib`] is a
//! size whose input is at least 1 MiB. Each output holds the word [`FILL`] in the places a
//! fuzzer's bytes go best (the innermost text of a nesting, the value a macro chain doubles,
//! a title): [`Shape::with_payload`] splices bytes there, so mutated content lands inside the
//! structure rather than around it.

/// The placeholder each generator writes where [`Shape::with_payload`] splices bytes.
pub const FILL: &str = "Fill";

/// One pathological shape.
pub struct Shape {
    /// Stable name (the benchmark's rows, the fuzzers' selector, test names).
    pub name: &'static str,
    /// What `size` counts.
    pub unit: &'static str,
    /// The extension the input is imported under (`bib`, `ris`, `txt`, `json`), or `aux` /
    /// `query` for the inputs of those readers.
    pub ext: &'static str,
    /// The cause of issue 23 the shape reproduces.
    pub cause: &'static str,
    /// A size whose input is at least 1 MiB (checked by a unit test).
    pub mib: usize,
    pub generate: fn(usize, u64) -> Vec<u8>,
}

impl Shape {
    /// The shape at `size` with `payload` spliced in place of the `which`-th [`FILL`] (taken
    /// modulo their number; appended when the output has none).
    pub fn with_payload(&self, size: usize, seed: u64, payload: &[u8], which: usize) -> Vec<u8> {
        let out = (self.generate)(size, seed);
        let at: Vec<usize> = memchr::memmem::find_iter(&out, FILL.as_bytes()).take(64).collect();
        let mut res = Vec::with_capacity(out.len() + payload.len());
        match at.get(which % at.len().max(1)) {
            Some(&i) => {
                res.extend_from_slice(&out[..i]);
                res.extend_from_slice(payload);
                res.extend_from_slice(&out[i + FILL.len()..]);
            }
            None => {
                res.extend_from_slice(&out);
                res.extend_from_slice(payload);
            }
        }
        res
    }
}

/// Every shape, in the order the benchmark prints them.
pub const SHAPES: &[Shape] = &[
    shape("bib-deep-emph", "nesting levels", "bib", "3", 172_000, bib_deep_emph),
    shape(
        "bib-deep-braces",
        "nesting levels",
        "bib",
        "3",
        600_000,
        bib_deep_braces,
    ),
    shape(
        "bib-deep-accent",
        "nesting levels",
        "bib",
        "3",
        300_000,
        bib_deep_accent,
    ),
    shape(
        "bib-deep-command",
        "nesting levels",
        "bib",
        "3",
        136_000,
        bib_deep_command,
    ),
    shape("ris-deep-title", "nesting levels", "ris", "3", 196_000, ris_deep_title),
    shape(
        "json-deep-title",
        "nesting levels",
        "json",
        "3",
        173_000,
        json_deep_title,
    ),
    shape(
        "bib-jabref-deep-groups",
        "group levels",
        "bib",
        "3",
        30_000,
        bib_jabref_deep_groups,
    ),
    shape(
        "json-deep-collection",
        "path levels",
        "json",
        "3",
        204_000,
        json_deep_collection,
    ),
    shape("bib-macro-chain", "macros", "bib", "4", 32_000, bib_macro_chain),
    shape("bib-same-key", "entries", "bib", "5", 14_500, bib_same_key),
    shape("json-same-key", "items", "json", "5", 9_600, json_same_key),
    shape("ris-no-author", "records", "ris", "5", 30_000, ris_no_author),
    shape("ris-bare-ty", "TY lines", "ris", "5", 110_000, ris_bare_ty),
    shape("bib-many-keywords", "keywords", "bib", "5", 153_000, bib_many_keywords),
    shape("ris-many-keywords", "keywords", "ris", "5", 94_000, ris_many_keywords),
    shape("json-many-tags", "tags", "json", "5", 122_000, json_many_tags),
    shape("aux-citations", "citations", "aux", "5", 54_000, aux_citations),
    shape("bib-mixed-encoding", "entries", "bib", "7", 11_000, bib_mixed_encoding),
    shape("ris-lost-ty", "records", "ris", "8", 20_000, ris_lost_ty),
    shape("ris-no-er", "records", "ris", "8", 20_000, ris_no_er),
    shape("results-bidi", "records", "txt", "8", 6_300, results_bidi),
    shape(
        "json-empty-collection",
        "items",
        "json",
        "10",
        8_000,
        json_empty_collection,
    ),
    shape("query-long", "terms", "query", "9", 125_000, query_long),
];

const fn shape(
    name: &'static str,
    unit: &'static str,
    ext: &'static str,
    cause: &'static str,
    mib: usize,
    generate: fn(usize, u64) -> Vec<u8>,
) -> Shape {
    Shape {
        name,
        unit,
        ext,
        cause,
        mib,
        generate,
    }
}

/// The shape called `name`.
pub fn by_name(name: &str) -> Option<&'static Shape> {
    SHAPES.iter().find(|s| s.name == name)
}

/// A fuzz input read as a shape of [`SHAPES`]: see [`from_fuzz_among`].
pub fn from_fuzz(data: &[u8], max_size: usize) -> Option<(&'static Shape, Vec<u8>)> {
    let all: Vec<&'static Shape> = SHAPES.iter().collect();
    from_fuzz_among(&all, data, max_size)
}

/// A fuzz input read as one of `shapes`: byte 0 picks the shape, bytes 1–2 its size (up to
/// `max_size`, spread so small sizes are common), bytes 3–10 the seed, byte 11 which [`FILL`]
/// gets the payload, and the rest is the payload. `None` when the input is too short.
pub fn from_fuzz_among(shapes: &[&'static Shape], data: &[u8], max_size: usize) -> Option<(&'static Shape, Vec<u8>)> {
    if data.len() < 12 || shapes.is_empty() {
        return None;
    }
    let shape = shapes[data[0] as usize % shapes.len()];
    let raw = u16::from_le_bytes([data[1], data[2]]) as u64;
    // Quadratic spread: 0..=65535 → 0..=max_size, most values small.
    let size = (raw * raw * max_size as u64 / (65535 * 65535)) as usize;
    let seed = u64::from_le_bytes(data[3..11].try_into().ok()?);
    Some((
        shape,
        shape.with_payload(size.min(max_size), seed, &data[12..], data[11] as usize),
    ))
}

/// The fuzz input that [`from_fuzz_among`] reads as `shapes[index]` at `size` (rounded down
/// to what the spread can say) with `seed` and `payload`: seeds for the fuzzers' corpora.
pub fn fuzz_input(index: usize, size: usize, max_size: usize, seed: u64, payload: &[u8]) -> Vec<u8> {
    let raw = ((size.min(max_size) as f64 / max_size.max(1) as f64).sqrt() * 65535.0) as u16;
    let mut out = vec![index as u8];
    out.extend_from_slice(&raw.to_le_bytes());
    out.extend_from_slice(&seed.to_le_bytes());
    out.push(0);
    out.extend_from_slice(payload);
    out
}

/// SplitMix64: a tiny deterministic generator (no dependency, same output everywhere).
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed ^ 0x9e37_79b9_7f4a_7c15)
    }
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }
    /// A number below `n` (0 when `n` is 0).
    pub fn below(&mut self, n: usize) -> usize {
        if n == 0 {
            0
        } else {
            (self.next_u64() % n as u64) as usize
        }
    }
    pub fn pick<'a>(&mut self, from: &[&'a str]) -> &'a str {
        from[self.below(from.len())]
    }
}

const WORDS: &[&str] = &[
    "salmon", "plankton", "fjord", "growth", "Müller", "Øresund", "cod", "Ålesund", "krill", "model",
];

/// `levels` openings of `open` (each chosen by `pick` from the list), the [`FILL`] and the
/// matching closings (`}` each).
fn nest(out: &mut String, levels: usize, rng: &mut Rng, opens: &[&str]) {
    let mut closes = 0;
    for _ in 0..levels {
        out.push_str(rng.pick(opens));
        closes += 1;
    }
    out.push_str(FILL);
    out.push(' ');
    out.push_str(rng.pick(WORDS));
    for _ in 0..closes {
        out.push('}');
    }
}

/// A few ordinary entries around the pathological one, so "no entry lost" has something to
/// lose: `before` entries, the deep one, then one more.
fn bib_deep(levels: usize, seed: u64, opens: &[&str]) -> Vec<u8> {
    let mut rng = Rng::new(seed);
    let mut s = String::with_capacity(levels * 8 + 512);
    let before = 1 + rng.below(3);
    for i in 0..before {
        plain_bib_entry(&mut s, &format!("before{i}"), &mut rng);
    }
    let field = rng.pick(&["title", "title", "abstract", "note", "journal"]);
    s.push_str("@article{deep,\n  author = {Doe, Jane},\n  year = {2020},\n  ");
    s.push_str(field);
    s.push_str(" = {");
    nest(&mut s, levels, &mut rng, opens);
    s.push_str("}\n}\n\n");
    plain_bib_entry(&mut s, "after", &mut rng);
    s.into_bytes()
}

fn plain_bib_entry(s: &mut String, key: &str, rng: &mut Rng) {
    let (a, b) = (rng.pick(WORDS), rng.pick(WORDS));
    let year = 1950 + rng.below(75);
    s.push_str(&format!(
        "@article{{{key},\n  author = {{{a}, J. and {b}, K.}},\n  title = {{On {a} and {b}}},\n  journal = {{J. {b}}},\n  year = {{{year}}}\n}}\n\n"
    ));
}

pub fn bib_deep_emph(size: usize, seed: u64) -> Vec<u8> {
    bib_deep(size, seed, &["\\emph{"])
}

pub fn bib_deep_braces(size: usize, seed: u64) -> Vec<u8> {
    bib_deep(size, seed, &["{"])
}

pub fn bib_deep_accent(size: usize, seed: u64) -> Vec<u8> {
    bib_deep(size, seed, &["\\'{", "\\\"{", "\\c{", "\\v{"])
}

/// Unknown commands, `\mkbibquote` and known ones mixed.
pub fn bib_deep_command(size: usize, seed: u64) -> Vec<u8> {
    bib_deep(
        size,
        seed,
        &[
            "\\mkbibquote{",
            "\\zzunknown{",
            "\\textbf{",
            "\\bioname{",
            "\\emph{",
            "{",
        ],
    )
}

/// One RIS record whose title nests `size` deep, between two plain records.
pub fn ris_deep_title(size: usize, seed: u64) -> Vec<u8> {
    let mut rng = Rng::new(seed);
    let mut s = String::with_capacity(size * 8 + 512);
    plain_ris_record(&mut s, &mut rng, true);
    s.push_str("TY  - JOUR\nAU  - Doe, Jane\nPY  - 2020\nTI  - ");
    nest(
        &mut s,
        size,
        &mut rng,
        &["\\emph{", "{", "\\'{", "\\mkbibquote{", "\\zz{"],
    );
    s.push_str("\nER  - \n\n");
    plain_ris_record(&mut s, &mut rng, true);
    s.into_bytes()
}

fn plain_ris_record(s: &mut String, rng: &mut Rng, author: bool) {
    s.push_str("TY  - JOUR\n");
    if author {
        s.push_str(&format!("AU  - {}, J.\n", rng.pick(WORDS)));
    }
    let year = 1950 + rng.below(75);
    s.push_str(&format!(
        "TI  - On {} and {}\nT2  - J. {}\nPY  - {year}\nER  - \n\n",
        rng.pick(WORDS),
        rng.pick(WORDS),
        rng.pick(WORDS)
    ));
}

/// A JSON string literal's content for `text` (quotes, backslashes and controls escaped).
fn json_escape(out: &mut String, text: &str) {
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
}

/// A Folio JSON item (one line) with `title` (raw, already escaped) and extra members.
fn json_item(out: &mut String, key: &str, title: &str, more: &str) {
    out.push_str(&format!(
        "{{\"key\": \"{key}\", \"type\": \"article\", \"title\": \"{title}\", \"authors\": [{{\"family\": \"Doe\", \"given\": \"Jane\"}}], \"year\": 2020{more}}}"
    ));
}

pub fn json_deep_title(size: usize, seed: u64) -> Vec<u8> {
    let mut rng = Rng::new(seed);
    let mut deep = String::with_capacity(size * 8);
    nest(
        &mut deep,
        size,
        &mut rng,
        &["\\emph{", "{", "\\'{", "\\mkbibquote{", "\\zz{"],
    );
    let mut title = String::with_capacity(deep.len() * 2);
    json_escape(&mut title, &deep);
    let mut s = String::from("[\n");
    json_item(&mut s, "before", "Plain", "");
    s.push_str(",\n");
    json_item(&mut s, "deep", &title, "");
    s.push_str(",\n");
    json_item(&mut s, "after", "Plain too", "");
    s.push_str("\n]\n");
    s.into_bytes()
}

/// A JabRef 3+ group tree `size` levels deep (each group inside the one before), with an
/// entry in the deepest group and one in a group near the top.
pub fn bib_jabref_deep_groups(size: usize, seed: u64) -> Vec<u8> {
    let mut rng = Rng::new(seed);
    let mut s = String::with_capacity(size * 50 + 512);
    let deepest = format!("g{}", size.max(1));
    s.push_str(&format!(
        "@article{{deep,\n  author = {{Doe, Jane}},\n  title = {{{FILL} in the deepest group}},\n  year = {{2020}},\n  groups = {{{deepest}}}\n}}\n\n"
    ));
    s.push_str(
        "@article{top,\n  author = {Roe, Rick},\n  title = {Near the top},\n  year = {2021},\n  groups = {g1}\n}\n\n",
    );
    s.push_str(
        "@Comment{jabref-meta: databaseType:biblatex;}\n\n@Comment{jabref-meta: grouping:\n0 AllEntriesGroup:;\n",
    );
    let colors = ["0x8a8a8aff", "0x6d74baff", "0xff7043ff"];
    for level in 1..=size.max(1) {
        let color = colors[rng.below(colors.len())];
        s.push_str(&format!("{level} StaticGroup:g{level}\\;0\\;1\\;{color}\\;\\;\\;;\n"));
    }
    s.push_str("}\n");
    s.into_bytes()
}

/// One item filed under a collection path `size` levels deep (`a1/a2/…`), and a plain one.
pub fn json_deep_collection(size: usize, seed: u64) -> Vec<u8> {
    let _ = seed;
    let mut path = String::with_capacity(size * 4);
    for level in 1..=size.max(1) {
        if level > 1 {
            path.push('/');
        }
        path.push_str(&format!("c{level}"));
    }
    let mut s = String::from("[\n");
    json_item(&mut s, "deep", FILL, &format!(", \"collections\": [\"{path}\"]"));
    s.push_str(",\n");
    json_item(&mut s, "plain", "Plain", ", \"collections\": [\"c1\"]");
    s.push_str("\n]\n");
    s.into_bytes()
}

/// `@string{m0 = "…"}` and `size` macros each the concatenation of the one before with
/// itself (two or three times), then an entry whose title is the last one and an entry
/// after it (issue 23: forty macros of three copies asked for 2.5 GB).
pub fn bib_macro_chain(size: usize, seed: u64) -> Vec<u8> {
    let mut rng = Rng::new(seed);
    let copies = 2 + rng.below(2);
    let mut s = String::with_capacity(size * 40 + 512);
    s.push_str(&format!("@string{{m0 = \"xxxxxxxxxx{FILL}\"}}\n"));
    for i in 1..=size {
        let prev = format!("m{}", i - 1);
        let parts = vec![prev.as_str(); copies].join(" # ");
        s.push_str(&format!("@string{{m{i} = {parts}}}\n"));
    }
    s.push_str(&format!(
        "\n@article{{chain,\n  author = {{Doe, Jane}},\n  title = m{size},\n  year = {{2020}}\n}}\n\n"
    ));
    plain_bib_entry(&mut s, "after", &mut rng);
    s.into_bytes()
}

/// `size` entries with the same key (varied case), distinct titles.
pub fn bib_same_key(size: usize, seed: u64) -> Vec<u8> {
    let mut rng = Rng::new(seed);
    let mut s = String::with_capacity(size * 90);
    let keys = ["Same2020", "same2020", "SAME2020"];
    for i in 0..size {
        let key = keys[rng.below(keys.len())];
        let title = if i == 0 { FILL.to_string() } else { format!("Title {i}") };
        s.push_str(&format!(
            "@article{{{key},\n  author = {{Doe, Jane}},\n  title = {{{title}}},\n  year = {{2020}}\n}}\n"
        ));
    }
    s.into_bytes()
}

pub fn json_same_key(size: usize, seed: u64) -> Vec<u8> {
    let _ = seed;
    let mut s = String::with_capacity(size * 100);
    s.push_str("[\n");
    for i in 0..size {
        if i > 0 {
            s.push_str(",\n");
        }
        let title = if i == 0 { FILL.to_string() } else { format!("Title {i}") };
        json_item(&mut s, "Same2020", &title, "");
    }
    s.push_str("\n]\n");
    s.into_bytes()
}

/// `size` RIS records with no author and the same title and year: every generated key
/// collides with the one before.
pub fn ris_no_author(size: usize, seed: u64) -> Vec<u8> {
    let mut rng = Rng::new(seed);
    let word = rng.pick(WORDS);
    let mut s = String::with_capacity(size * 45);
    for i in 0..size {
        let title = if i == 0 { FILL } else { word };
        s.push_str(&format!("TY  - JOUR\nTI  - {title}\nPY  - 2020\nER  - \n"));
    }
    s.into_bytes()
}

/// `size` bare `TY  - JOUR` lines (records without an end and without content).
pub fn ris_bare_ty(size: usize, seed: u64) -> Vec<u8> {
    let _ = seed;
    let mut s = String::with_capacity(size * 11 + 64);
    for _ in 0..size {
        s.push_str("TY  - JOUR\n");
    }
    s.push_str(&format!("TI  - {FILL}\nER  - \n"));
    s.into_bytes()
}

/// One BibTeX entry with `size` distinct keywords, and a plain entry after it.
pub fn bib_many_keywords(size: usize, seed: u64) -> Vec<u8> {
    let mut rng = Rng::new(seed);
    let sep = rng.pick(&[", ", "; ", ","]);
    let mut s = String::with_capacity(size * 10 + 512);
    s.push_str(
        "@article{tagged,\n  author = {Doe, Jane},\n  title = {Many keywords},\n  year = {2020},\n  keywords = {",
    );
    for i in 0..size {
        if i > 0 {
            s.push_str(sep);
        }
        if i == 0 {
            s.push_str(FILL);
        }
        s.push_str(&format!("kw{i}"));
    }
    s.push_str("}\n}\n\n");
    plain_bib_entry(&mut s, "after", &mut rng);
    s.into_bytes()
}

pub fn ris_many_keywords(size: usize, seed: u64) -> Vec<u8> {
    let mut rng = Rng::new(seed);
    let mut s = String::with_capacity(size * 14 + 512);
    s.push_str("TY  - JOUR\nAU  - Doe, Jane\nTI  - Many keywords\nPY  - 2020\n");
    for i in 0..size {
        let fill = if i == 0 { FILL } else { "" };
        s.push_str(&format!("KW  - {fill}kw{i}\n"));
    }
    s.push_str("ER  - \n\n");
    plain_ris_record(&mut s, &mut rng, true);
    s.into_bytes()
}

pub fn json_many_tags(size: usize, seed: u64) -> Vec<u8> {
    let _ = seed;
    let mut tags = String::with_capacity(size * 12);
    for i in 0..size {
        if i > 0 {
            tags.push_str(", ");
        }
        let fill = if i == 0 { FILL } else { "" };
        tags.push_str(&format!("\"{fill}kw{i}\""));
    }
    let mut s = String::from("[\n");
    json_item(&mut s, "tagged", "Many tags", &format!(", \"keywords\": [{tags}]"));
    s.push_str(",\n");
    json_item(&mut s, "plain", "Plain", "");
    s.push_str("\n]\n");
    s.into_bytes()
}

/// An `.aux` file with `size` `\citation` lines (BibTeX's and biblatex's), each key new.
pub fn aux_citations(size: usize, seed: u64) -> Vec<u8> {
    let mut rng = Rng::new(seed);
    let mut s = String::with_capacity(size * 28 + 64);
    s.push_str("\\relax\n");
    for i in 0..size {
        match rng.below(4) {
            0 => s.push_str(&format!("\\abx@aux@cite{{0}}{{Key{i}}}\n")),
            1 => s.push_str(&format!("\\citation{{Key{i},Key{}}}\n", i / 2)),
            _ => s.push_str(&format!("\\citation{{Key{i}}}\n")),
        }
    }
    s.push_str(&format!("\\citation{{{FILL}}}\n"));
    s.into_bytes()
}

/// `size` BibTeX entries in UTF-8 (`Müller`, `Ørsted`), every seventh with one stray
/// Latin-1 byte (`é` as 0xE9) in its note.
pub fn bib_mixed_encoding(size: usize, seed: u64) -> Vec<u8> {
    let mut rng = Rng::new(seed);
    let mut out = Vec::with_capacity(size * 120);
    for i in 0..size {
        let who = rng.pick(&["Müller, Jürgen", "Ørsted, Hans", "Šimek, Petr", "Doe, Jane"]);
        let title = if i == 0 { FILL } else { "Über Fjorde" };
        out.extend_from_slice(
            format!("@article{{k{i},\n  author = {{{who}}},\n  title = {{{title} {i}}},\n  year = {{2020}},\n  note = {{caf")
                .as_bytes(),
        );
        if i % 7 == 3 {
            out.push(0xE9); // Latin-1 é in a UTF-8 file
        } else {
            out.extend_from_slice("é".as_bytes());
        }
        out.extend_from_slice(b"}\n}\n\n");
    }
    out
}

/// `size` RIS records, every other one without its `TY` line (lost in a copy).
pub fn ris_lost_ty(size: usize, seed: u64) -> Vec<u8> {
    let _ = seed;
    let mut s = String::with_capacity(size * 70);
    for i in 0..size {
        if i % 2 == 0 {
            s.push_str("TY  - JOUR\n");
        }
        let title = if i == 1 { FILL.to_string() } else { format!("Title {i}") };
        s.push_str(&format!(
            "AU  - Author{i}, A.\nTI  - {title}\nPY  - {}\nER  - \n\n",
            1900 + i % 120
        ));
    }
    s.into_bytes()
}

/// `size` RIS records none of which has its `ER` line.
pub fn ris_no_er(size: usize, seed: u64) -> Vec<u8> {
    let _ = seed;
    let mut s = String::with_capacity(size * 60);
    for i in 0..size {
        let title = if i == 0 { FILL.to_string() } else { format!("Title {i}") };
        s.push_str(&format!(
            "TY  - JOUR\nAU  - Author{i}, A.\nTI  - {title}\nPY  - {}\n\n",
            1900 + i % 120
        ));
    }
    s.into_bytes()
}

/// `size` pasted search results whose author lines start with a bidi mark (U+200E/U+200F),
/// as some browsers copy them.
pub fn results_bidi(size: usize, seed: u64) -> Vec<u8> {
    let mut rng = Rng::new(seed);
    let mut s = String::with_capacity(size * 240);
    for i in 0..size {
        let mark = rng.pick(&["\u{200e}", "\u{200f}", "\u{200e}\u{200f}", ""]);
        // A title of several words, as on every results page (a lone capitalised word before
        // the date line reads as a name).
        let title = if i == 0 {
            format!("The {FILL} title")
        } else {
            format!("Title {i} on {}", rng.pick(WORDS))
        };
        // The title before the date line, or after it (then the authors follow the title).
        let (before, after) = if rng.below(2) == 0 {
            (format!("{title}\n"), String::new())
        } else {
            (String::new(), format!("{title}\n"))
        };
        s.push_str(&format!(
            "Access Restricted. View access options\nArticle\n{before}Publication date: 4 August 2022\n{after}{mark}Author{i} One, Jane Two and Rick Three\nThe first words of the abstract\u{2026}\n12\nAbstract\nPurpose\nTo test {i}.\n\n"
        ));
    }
    s.into_bytes()
}

/// `size` items, one of them (the middle one) filed under the empty collection `""`.
pub fn json_empty_collection(size: usize, seed: u64) -> Vec<u8> {
    let _ = seed;
    let mut s = String::with_capacity(size * 130);
    s.push_str("[\n");
    for i in 0..size {
        if i > 0 {
            s.push_str(",\n");
        }
        let colls = if i == size / 2 { "\"\"" } else { "\"Fish/Cod\"" };
        let title = if i == 0 { FILL.to_string() } else { format!("Title {i}") };
        json_item(
            &mut s,
            &format!("k{i}"),
            &title,
            &format!(", \"collections\": [{colls}]"),
        );
    }
    s.push_str("\n]\n");
    s.into_bytes()
}

/// A search of `size` terms (words, fielded terms, negations, `OR`; SQLite's expression tree
/// allows about 1,000), the first one chosen by the seed among numbers past every integer
/// type (`year:>2147483647`), a `-word` and a word.
pub fn query_long(size: usize, seed: u64) -> Vec<u8> {
    let mut rng = Rng::new(seed);
    let mut s = String::with_capacity(size * 12);
    s.push_str(rng.pick(&[
        "-salmon ",
        "salmon ",
        "year:>2147483647 ",
        "year:<-2147483648 ",
        "year:99999999999999999999 ",
    ]));
    s.push_str(FILL);
    let mut or = false;
    for i in 0..size {
        s.push(' ');
        // `OR` between two terms only (else the search is refused before it runs).
        let pick = match rng.below(8) {
            0 if or || i == 0 || i + 1 == size => 7,
            n => n,
        };
        or = pick == 0;
        match pick {
            0 => s.push_str("OR"),
            1 => s.push_str(&format!("-{}", rng.pick(WORDS))),
            2 => s.push_str(&format!("year:{}", 1900 + rng.below(120))),
            3 => s.push_str(&format!("year:{}..", 1900 + rng.below(120))),
            4 => s.push_str(&format!("title:\"{} {}\"", rng.pick(WORDS), rng.pick(WORDS))),
            5 => s.push_str(&format!("author:{}", rng.pick(WORDS))),
            _ => s.push_str(rng.pick(WORDS)),
        }
    }
    s.into_bytes()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_shape_is_deterministic_and_reaches_a_mebibyte() {
        for s in SHAPES {
            let a = (s.generate)(s.mib, 7);
            assert!(a.len() >= 1 << 20, "{}: {} bytes at size {}", s.name, a.len(), s.mib);
            assert!(
                a.len() < 4 << 20,
                "{}: {} bytes at size {}: lower `mib`",
                s.name,
                a.len(),
                s.mib
            );
            assert_eq!(a, (s.generate)(s.mib, 7), "{}", s.name);
            assert!(
                memchr::memmem::find(&a, FILL.as_bytes()).is_some(),
                "{} has no payload slot",
                s.name
            );
        }
    }

    #[test]
    fn payloads_land_in_the_slot() {
        let s = by_name("bib-deep-emph").unwrap();
        let out = s.with_payload(3, 1, b"XYZ", 0);
        let text = String::from_utf8(out).unwrap();
        assert!(text.contains("\\emph{\\emph{\\emph{XYZ "), "{text}");
        assert!(from_fuzz(b"short", 10).is_none());
        let (shape, input) = from_fuzz(&[1, 255, 255, 0, 0, 0, 0, 0, 0, 0, 0, 0, b'Q'], 50).unwrap();
        assert_eq!(shape.name, SHAPES[1].name);
        assert!(input.contains(&b'Q'));
        assert_eq!(input, SHAPES[1].with_payload(50, 0, b"Q", 0));
        let seed = fuzz_input(0, 1000, 150_000, 9, b"P");
        let (shape, input) = from_fuzz(&seed, 150_000).unwrap();
        assert_eq!(shape.name, SHAPES[0].name);
        let levels = memchr::memmem::find_iter(&input, br"\emph{").count();
        assert!((900..=1000).contains(&levels), "{levels}");
    }
}
