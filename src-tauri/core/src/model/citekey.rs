//! Citation keys: generation from a pattern, transliteration, validity and uniqueness.
//!
//! Pattern tokens (JabRef/Better BibTeX style): `[auth]` first author's family name,
//! `[authors2]` first two family names (+ "EtAl" beyond two), `[authors]` all,
//! `[year]`, `[shorttitle]` first three significant title words, `[veryshorttitle]` the first
//! one, `[title]` all significant words, `[journal]` container initials or short name.
//! Modifiers: `[auth:lower]`, `[shorttitle:upper]`. Text outside brackets is literal.
//!
//! Names and words of every script are transliterated with the `deunicode` tables: Cyrillic
//! `Иванов` → `Ivanov`, Greek, Arabic, Hebrew, Indic scripts; Chinese characters give their
//! pinyin syllables (`王` → `Wang`; a name `王小明` stored whole gives its surname) and
//! are words of their own in titles; kana give romaji
//! (kanji, having no per-character Japanese reading, get the Mandarin one). Accents are
//! stripped (`Müller` → `Muller`) except in items whose language is German, where
//! `ä ö ü` become `ae oe ue` (both as Better BibTeX does). A character with no ASCII spelling
//! (an emoji, an unassigned code point) is left out and reported ([`Generated::dropped`]); a
//! name or word left with nothing gives way to the next one rather than to an empty part.

use super::{Item, ItemType, Name};

pub const DEFAULT_PATTERN: &str = "[auth][year]";

const STOP_WORDS: &[&str] = &[
    "a", "an", "the", "and", "or", "of", "on", "in", "at", "to", "for", "from", "by", "with", "as", "is", "are", "be",
    "its", "it", "into", "about", "der", "die", "das", "le", "la", "les", "de", "el", "los", "un", "une",
];

/// Characters allowed in a key written to a .bib file (BibTeX and biber both accept these).
pub fn is_key_char(c: char) -> bool {
    !c.is_whitespace() && !c.is_control() && !",{}%#~\\\"'()=".contains(c)
}

/// How one non-ASCII character can appear in a key.
enum Ascii {
    /// A letter or digit: its ASCII spelling, of which only the letters and digits count
    /// (deunicode writes `王` as `"Wang "`, `Ҷ` as `"Ch'"`). May be empty: deunicode leaves
    /// some letters out on purpose (Arabic alef, Devanagari virama).
    Letters(&'static str),
    /// Punctuation, a space or a combining mark: never part of a word; dashes stay `-`.
    Punct(&'static str),
    /// No ASCII spelling a key could use: unknown to deunicode, or a symbol it names with a
    /// word (an emoji: `🦄` → "unicorn") that would read as a name in a key.
    Lost,
}

fn ascii(c: char, german: bool) -> Ascii {
    if german {
        // Better BibTeX's German transliteration: the umlauts' own ASCII spelling.
        match c {
            'ä' => return Ascii::Letters("ae"),
            'ö' => return Ascii::Letters("oe"),
            'ü' => return Ascii::Letters("ue"),
            'Ä' => return Ascii::Letters("Ae"),
            'Ö' => return Ascii::Letters("Oe"),
            'Ü' => return Ascii::Letters("Ue"),
            _ => {}
        }
    }
    match deunicode::deunicode_char(c) {
        None => Ascii::Lost,
        Some(t) if c.is_alphanumeric() => Ascii::Letters(t),
        Some(t) if t.bytes().any(|b| b.is_ascii_alphanumeric()) => Ascii::Lost,
        Some(t) => Ascii::Punct(t),
    }
}

/// Whether items in `language` (a code or a name, as imported) transliterate German-style.
fn is_german(language: &str) -> bool {
    let l = language.trim().to_ascii_lowercase();
    let base = l.split(['-', '_']).next().unwrap_or_default();
    matches!(
        base,
        "de" | "deu"
            | "ger"
            | "german"
            | "ngerman"
            | "deutsch"
            | "austrian"
            | "naustrian"
            | "swissgerman"
            | "nswissgerman"
    )
}

/// Transliterate to ASCII: letters of every script in their ASCII spelling (accents
/// stripped, `ß` → `ss`, `Иванов` → `Ivanov`, `王` → `Wang`), dashes as `-`, ASCII kept as it
/// is; other punctuation, and characters with no ASCII spelling ([`dropped_chars`]), dropped.
pub fn transliterate(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if c.is_ascii() {
            out.push(c);
            continue;
        }
        match ascii(c, false) {
            Ascii::Letters(t) => out.extend(t.chars().filter(char::is_ascii_alphanumeric)),
            Ascii::Punct(t) if t.contains('-') => out.push('-'),
            Ascii::Punct(_) | Ascii::Lost => {}
        }
    }
    out
}

/// The characters of `s` that [`transliterate`] drops for want of an ASCII spelling (not
/// punctuation or accents, which keys never keep): emoji, unassigned or private-use code
/// points. In order, each once.
pub fn dropped_chars(s: &str) -> Vec<char> {
    let mut out = Vec::new();
    for c in s.chars().filter(|c| !c.is_ascii()) {
        if matches!(ascii(c, false), Ascii::Lost) && !out.contains(&c) {
            out.push(c);
        }
    }
    out
}

/// `'🦄' (U+1F984), '\u{e000}' (U+E000)`: characters for a message, with their code points
/// (an emoji or a private-use character may not show in a terminal).
pub fn describe_chars(chars: &[char]) -> String {
    chars
        .iter()
        .map(|c| format!("{c:?} (U+{:04X})", *c as u32))
        .collect::<Vec<_>>()
        .join(", ")
}

/// A Han ideograph (CJK Unified Ideographs and their extensions, compatibility ideographs).
fn is_han(c: char) -> bool {
    matches!(c as u32,
        0x3400..=0x4DBF | 0x4E00..=0x9FFF | 0xF900..=0xFAFF | 0x20000..=0x323AF)
}

fn capitalize(w: &str) -> String {
    let mut c = w.chars();
    match c.next() {
        Some(f) => f.to_ascii_uppercase().to_string() + c.as_str(),
        None => String::new(),
    }
}

/// What generating one key read, and what it could not spell.
struct Keygen<'a> {
    item: &'a Item,
    german: bool,
    dropped: Vec<char>,
}

impl Keygen<'_> {
    /// Letters and digits only, ASCII. A run of letters of a script without case (kana,
    /// Hangul, Arabic, Devanagari…) starts with a capital, as a Latin name does: `やまだ` →
    /// `Yamada`. Records what has no ASCII spelling.
    fn clean(&mut self, s: &str) -> String {
        let mut out = String::with_capacity(s.len());
        // In a run of caseless letters (after its first one).
        let mut caseless = false;
        for c in s.chars() {
            if c.is_ascii() {
                if c.is_ascii_alphanumeric() {
                    out.push(c);
                }
                caseless = false;
                continue;
            }
            match ascii(c, self.german) {
                Ascii::Letters(t) => {
                    let uncased = !c.is_uppercase() && !c.is_lowercase() && c.is_alphabetic();
                    let mut letters = t.chars().filter(char::is_ascii_alphanumeric);
                    if uncased && !caseless {
                        if let Some(f) = letters.next() {
                            out.push(f.to_ascii_uppercase());
                            caseless = true;
                        }
                    } else {
                        caseless = uncased;
                    }
                    out.extend(letters);
                }
                Ascii::Punct("") => {}
                Ascii::Punct(_) => caseless = false,
                Ascii::Lost => {
                    if !self.dropped.contains(&c) {
                        self.dropped.push(c);
                    }
                }
            }
        }
        out
    }

    /// The family name a key uses for a creator: the family name, or the given name when the
    /// family name gives no letters; empty when neither does. A Chinese name of two or three
    /// characters stored whole (a BibTeX `{王小明}` is a family name without a given name, a
    /// RIS `AU  - 王小明` a literal name) gives its surname, the first character; longer ones
    /// (a compound surname, an organisation: `北京大学`) stay whole.
    fn name(&mut self, c: &super::Creator) -> String {
        let whole = match &c.name {
            Name::Person { family, given, .. } if given.is_empty() => Some(family),
            Name::Literal { literal } => Some(literal),
            Name::Person { .. } => None,
        };
        if let Some(w) = whole.filter(|w| (2..=3).contains(&w.chars().count()) && w.chars().all(is_han)) {
            let surname: String = w.chars().take(1).collect();
            let f = self.clean(&surname);
            if !f.is_empty() {
                return f;
            }
        }
        let f = self.clean(c.family());
        if !f.is_empty() {
            return f;
        }
        self.clean(c.given())
    }

    /// The names of the primary creators that give letters, and how many creators there are.
    fn names(&mut self) -> (Vec<String>, usize) {
        let item = self.item;
        let creators = item.primary_creators();
        let names = creators
            .iter()
            .map(|c| self.name(c))
            .filter(|n| !n.is_empty())
            .collect();
        (names, creators.len())
    }

    /// The first `n` (all with `None`) significant title words, cleaned. A Chinese character
    /// is a word of its own (titles in Chinese have no spaces).
    fn title_words(&mut self, n: Option<usize>) -> Vec<String> {
        let mut out = Vec::new();
        let item = self.item;
        for raw in item
            .title
            .split(|c: char| c.is_whitespace() || c == '-' || c == ':' || c == '/')
        {
            let mut rest = raw;
            while !rest.is_empty() {
                if n.is_some_and(|n| out.len() >= n) {
                    return out;
                }
                // The next piece: one Han character, or the run up to the next one.
                let first = rest.chars().next().expect("not empty");
                let len = if is_han(first) {
                    first.len_utf8()
                } else {
                    rest.find(is_han).unwrap_or(rest.len())
                };
                let (piece, tail) = rest.split_at(len);
                rest = tail;
                let w = self.clean(piece);
                if !w.is_empty() && (is_han(first) || !STOP_WORDS.contains(&w.to_lowercase().as_str())) {
                    out.push(w);
                }
            }
        }
        out
    }

    fn token(&mut self, name: &str) -> Result<String, String> {
        Ok(match name {
            "auth" => {
                let (names, n) = self.names();
                match names.into_iter().next() {
                    Some(f) => f,
                    // Creators whose names give no letters: the first title word instead.
                    None if n > 0 => self
                        .title_words(Some(1))
                        .first()
                        .map(|w| capitalize(w))
                        .unwrap_or_default(),
                    None => String::new(),
                }
            }
            "authors" => self.names().0.concat(),
            "authors2" => {
                let (names, n) = self.names();
                let mut s: String = names.iter().take(2).cloned().collect();
                if n > 2 {
                    s.push_str("EtAl");
                }
                s
            }
            "authetal" => {
                let (names, n) = self.names();
                match (n, names.as_slice()) {
                    (_, []) => String::new(),
                    (1 | 2, names) => names.concat(),
                    (_, [first, ..]) => format!("{first}EtAl"),
                }
            }
            "year" => self.item.date.year.map(|y| y.to_string()).unwrap_or_default(),
            "shorttitle" => self.title_words(Some(3)).iter().map(|w| capitalize(w)).collect(),
            "veryshorttitle" => self
                .title_words(Some(1))
                .first()
                .map(|w| capitalize(w))
                .unwrap_or_default(),
            "title" => self.title_words(None).iter().map(|w| capitalize(w)).collect(),
            "journal" => {
                let item = self.item;
                let words: Vec<String> = item
                    .container
                    .split_whitespace()
                    .map(|w| self.clean(w))
                    .filter(|w| !w.is_empty())
                    .collect();
                if words.len() == 1 {
                    words[0].clone()
                } else {
                    words
                        .iter()
                        .filter(|w| !STOP_WORDS.contains(&w.to_lowercase().as_str()))
                        .filter_map(|w| w.chars().next())
                        .map(|c| c.to_ascii_uppercase())
                        .collect()
                }
            }
            "type" => self.item.item_type.as_str().to_string(),
            _ => return Err(format!("unknown citation-key token [{name}]")),
        })
    }
}

/// Check a pattern's syntax without an item.
pub fn validate_pattern(pattern: &str) -> Result<(), String> {
    generate(&Item::new(ItemType::Misc, ""), pattern).map(|_| ())
}

/// A generated key, and the characters its generation left out.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Generated {
    pub key: String,
    /// Characters of the names and title words the pattern read that have no ASCII spelling
    /// (emoji, unassigned code points; see [`dropped_chars`]), in order, each once. Empty
    /// when everything the key drew on is in it. For a report: [`describe_chars`].
    pub dropped: Vec<char>,
}

/// The key an item gets from `pattern`, before uniqueness suffixes. Never empty: falls back to
/// the first title word, then to "ref".
pub fn generate(item: &Item, pattern: &str) -> Result<String, String> {
    generate_with_dropped(item, pattern).map(|g| g.key)
}

/// [`generate`], also telling which characters the key left out for want of an ASCII
/// spelling, for the caller to report.
pub fn generate_with_dropped(item: &Item, pattern: &str) -> Result<Generated, String> {
    let mut g = Keygen {
        item,
        german: is_german(&item.language),
        dropped: Vec::new(),
    };
    let mut out = String::new();
    let mut rest = pattern;
    while let Some(open) = rest.find('[') {
        out.push_str(&rest[..open]);
        let close = rest[open..]
            .find(']')
            .ok_or_else(|| format!("unclosed '[' in key pattern {pattern:?}"))?
            + open;
        let spec = &rest[open + 1..close];
        let mut parts = spec.split(':');
        let name = parts.next().unwrap_or_default();
        let mut val = g.token(name)?;
        for m in parts {
            val = match m {
                "lower" => val.to_lowercase(),
                "upper" => val.to_uppercase(),
                "capitalize" => capitalize(&val),
                _ => return Err(format!("unknown citation-key modifier :{m}")),
            };
        }
        out.push_str(&val);
        rest = &rest[close + 1..];
    }
    out.push_str(rest);
    let mut key: String = transliterate(&out).chars().filter(|c| is_key_char(*c)).collect();
    if key.is_empty() {
        key = g
            .title_words(Some(1))
            .first()
            .map(|w| w.to_lowercase())
            .unwrap_or_else(|| "ref".to_string());
    }
    if key == "0" {
        // biber reads a key "0" as no key (Perl's false) and skips the entry.
        key = "ref0".to_string();
    }
    Ok(Generated {
        key,
        dropped: g.dropped,
    })
}

/// `base`, or `base` + `a`, `b`, … `z`, `aa`, … : the first for which `taken` is false.
pub fn make_unique(base: &str, mut taken: impl FnMut(&str) -> bool) -> String {
    if !taken(base) {
        return base.to_string();
    }
    let mut n: usize = 0;
    loop {
        let candidate = format!("{base}{}", suffix(n));
        if !taken(&candidate) {
            return candidate;
        }
        n += 1;
    }
}

/// [`make_unique`] for many keys in a row: remembers, per base, the suffix the search got to,
/// so the next key with that base starts there instead of at `a` (n entries with one key, or
/// n generated keys alike, take n steps in all, not n²/2). Valid while keys are only ever
/// added to what `taken` says (a suffix found taken stays taken).
#[derive(Debug, Default)]
pub struct Suffixes(std::collections::HashMap<String, usize>);

impl Suffixes {
    pub fn new() -> Suffixes {
        Suffixes::default()
    }

    /// [`make_unique`], resuming the suffix search where the last one for `base` ended.
    pub fn make_unique(&mut self, base: &str, mut taken: impl FnMut(&str) -> bool) -> String {
        if !taken(base) {
            return base.to_string();
        }
        let mut n = self.0.get(base).copied().unwrap_or(0);
        let mut candidate = String::with_capacity(base.len() + 4);
        loop {
            candidate.clear();
            candidate.push_str(base);
            candidate.push_str(&suffix(n));
            if !taken(&candidate) {
                self.0.insert(base.to_string(), n);
                return candidate;
            }
            n += 1;
        }
    }
}

/// 0 → "a", 25 → "z", 26 → "aa", …
fn suffix(mut n: usize) -> String {
    let mut s = Vec::new();
    loop {
        s.push(b'a' + (n % 26) as u8);
        if n < 26 {
            break;
        }
        n = n / 26 - 1;
    }
    s.reverse();
    String::from_utf8(s).expect("ascii")
}

/// Problems with a key that would break LaTeX, or `None` when fine.
pub fn key_problem(key: &str) -> Option<String> {
    if key.is_empty() {
        return Some("empty key".into());
    }
    let bad: String = key.chars().filter(|c| !is_key_char(*c)).collect();
    if !bad.is_empty() {
        return Some(format!("key {key:?} contains characters LaTeX rejects: {bad:?}"));
    }
    if !key.is_ascii() {
        return Some(format!(
            "key {key:?} contains non-ASCII characters (classic BibTeX rejects them)"
        ));
    }
    if key == "0" {
        return Some("key \"0\" is one biber reads as no key (it skips the entry)".into());
    }
    None
}

/// A key LaTeX tools accept, changed as little as possible: transliterated to ASCII
/// (`Müller2020` → `Muller2020`) and without the characters they reject (`D'Ambrosio2007174`
/// → `DAmbrosio2007174`, `Smith 2020` → `Smith2020`). Empty when nothing is left. Uniqueness
/// is the caller's ([`make_unique`]).
pub fn repaired(key: &str) -> String {
    transliterate(key).chars().filter(|c| is_key_char(*c)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Creator, PartialDate, Role};

    fn item() -> Item {
        let mut it = Item::new(
            ItemType::Article,
            "The temporary use of vacant spaces as a format to co-produce",
        );
        it.creators.push(Creator::person(Role::Author, "Müller", "Paula"));
        it.creators.push(Creator::person(Role::Author, "Steen", "Trui"));
        it.creators.push(Creator::person(Role::Author, "Øster", "A."));
        it.date = PartialDate::year(2019);
        it.container = "International Journal of Public Sector Management".into();
        it
    }

    #[test]
    fn patterns() {
        let it = item();
        assert_eq!(generate(&it, DEFAULT_PATTERN).unwrap(), "Muller2019");
        assert_eq!(generate(&it, "[auth:lower][year]").unwrap(), "muller2019");
        assert_eq!(generate(&it, "[authors2]_[year]").unwrap(), "MullerSteenEtAl_2019");
        assert_eq!(generate(&it, "[auth][shorttitle]").unwrap(), "MullerTemporaryUseVacant");
        assert_eq!(generate(&it, "[veryshorttitle:upper]").unwrap(), "TEMPORARY");
        assert_eq!(generate(&it, "[journal]").unwrap(), "IJPSM");
        assert!(generate(&it, "[nonsense]").is_err());
        assert!(generate(&it, "[auth").is_err());
        assert!(generate(&it, "[auth:wobble]").is_err());
        assert_eq!(
            generate(&Item::new(ItemType::Misc, ""), DEFAULT_PATTERN).unwrap(),
            "ref"
        );
    }

    #[test]
    fn unique_suffixes() {
        let taken = ["x", "xa", "xb"];
        assert_eq!(make_unique("x", |k| taken.contains(&k)), "xc");
        assert_eq!(make_unique("y", |k| taken.contains(&k)), "y");
        // Resuming where the last search for a base ended gives the same keys.
        let mut suffixes = Suffixes::new();
        let mut taken: std::collections::HashSet<String> = ["x", "xb"].iter().map(|s| s.to_string()).collect();
        let mut got = Vec::new();
        for _ in 0..30 {
            let k = suffixes.make_unique("x", |k| taken.contains(k));
            assert_eq!(k, make_unique("x", |k| taken.contains(k)));
            taken.insert(k.clone());
            got.push(k);
        }
        assert_eq!(&got[..3], ["xa", "xc", "xd"]);
        assert_eq!(got[29], "xae");
        assert_eq!(suffix(25), "z");
        assert_eq!(suffix(26), "aa");
        assert_eq!(suffix(27), "ab");
    }

    #[test]
    fn transliteration_and_problems() {
        assert_eq!(transliterate("Gödel Straße Łódź"), "Godel Strasse Lodz");
        assert!(key_problem("Smith 2020").is_some());
        assert!(key_problem("Sm{ith").is_some());
        assert!(key_problem("Gödel2020").is_some());
        assert!(key_problem("Smith2020:a-b_c").is_none());
    }

    fn by(authors: &[&str], title: &str) -> Item {
        let mut it = Item::new(ItemType::Article, title);
        for a in authors {
            it.creators.push(Creator::parse_name(Role::Author, a));
        }
        it.date = PartialDate::year(2019);
        it
    }

    fn key(it: &Item, pattern: &str) -> String {
        let g = generate_with_dropped(it, pattern).unwrap();
        assert!(
            g.dropped.is_empty(),
            "{pattern} of {:?} dropped {:?}",
            it.title,
            g.dropped
        );
        g.key
    }

    #[test]
    fn keys_from_every_script() {
        // Cyrillic: letters, not the year alone.
        let it = by(&["Иванов, Иван"], "Тест");
        assert_eq!(key(&it, DEFAULT_PATTERN), "Ivanov2019");
        assert_eq!(key(&it, "[auth:lower][veryshorttitle]"), "ivanovTest");
        assert_eq!(key(&by(&["Хрущёв, Никита"], ""), DEFAULT_PATTERN), "Khrushchiov2019");
        // Greek.
        let it = by(&["Παπαδόπουλος, Γιώργος"], "Ψυχή και σώμα");
        assert_eq!(key(&it, "[auth][year][veryshorttitle]"), "Papadopoulos2019Psukhe");
        // Chinese: the surname's pinyin, capitalised; no spaces from deunicode's syllables.
        assert_eq!(key(&by(&["王, 小明"], ""), DEFAULT_PATTERN), "Wang2019");
        // The whole name in the family field (RIS `AU  - 王小明`): its surname.
        assert_eq!(key(&by(&["王小明"], ""), DEFAULT_PATTERN), "Wang2019");
        assert_eq!(key(&by(&["王小明", "李华"], ""), "[authors]"), "WangLi");
        let mut lit = by(&[], "");
        lit.creators.push(Creator::literal(Role::Author, "王小明"));
        assert_eq!(key(&lit, "[auth]"), "Wang");
        // Four characters or more (a compound surname, an organisation) stay whole.
        assert_eq!(key(&by(&["欧阳小明"], ""), DEFAULT_PATTERN), "OuYangXiaoMing2019");
        let mut org = by(&[], "");
        org.creators.push(Creator::literal(Role::Author, "北京大学"));
        assert_eq!(key(&org, "[auth]"), "BeiJingDaXue");
        // A Chinese title: each character is a word.
        let it = by(&["王, 小明"], "复杂加载下混凝土的弹塑性本构模型");
        assert_eq!(key(&it, "[auth:lower][shorttitle]"), "wangFuZaJia");
        // Japanese kana: romaji, capitalised like a name.
        assert_eq!(key(&by(&["やまだ, たろう"], ""), DEFAULT_PATTERN), "Yamada2019");
        assert_eq!(key(&by(&["ヤマダ"], ""), DEFAULT_PATTERN), "Yamada2019");
        let it = by(&["Sato, K."], "げんまい茶の研究");
        assert_eq!(key(&it, "[veryshorttitle]"), "Genmai");
        assert_eq!(key(&it, "[shorttitle]"), "GenmaiChaNo");
        // Korean, Arabic, Hebrew, Devanagari: letters.
        assert_eq!(key(&by(&["김, 민준"], ""), DEFAULT_PATTERN), "Gim2019");
        assert_eq!(key(&by(&["محمد"], ""), DEFAULT_PATTERN), "MHmd2019");
        assert_eq!(key(&by(&["כהן, דוד"], ""), DEFAULT_PATTERN), "Khn2019");
        assert_eq!(key(&by(&["शर्मा, राम"], ""), DEFAULT_PATTERN), "Shrmaa2019");
        // Latin with diacritics, as before.
        assert_eq!(
            key(&by(&["Łukasiewicz, Jan"], "Über Straße"), "[auth][shorttitle]"),
            "LukasiewiczUberStrasse"
        );
        assert_eq!(key(&by(&["Ṭhākur, R."], ""), DEFAULT_PATTERN), "Thakur2019");
        assert_eq!(key(&by(&["Nguyễn, Văn"], ""), DEFAULT_PATTERN), "Nguyen2019");
    }

    #[test]
    fn german_items_spell_umlauts_out() {
        // Better BibTeX: ä → a by default, ä → ae when the item's language is German.
        let mut it = by(&["Müller, Paula"], "Übergänge");
        assert_eq!(key(&it, "[auth][veryshorttitle]"), "MullerUbergange");
        for lang in ["de", "de-DE", "German", "ngerman", "deu"] {
            it.language = lang.into();
            assert_eq!(key(&it, "[auth][veryshorttitle]"), "MuellerUebergaenge", "{lang}");
        }
        it.language = "en".into();
        assert_eq!(key(&it, DEFAULT_PATTERN), "Muller2019");
        // ß is ss either way; transliterate alone is the default spelling.
        assert_eq!(transliterate("Müller Straße"), "Muller Strasse");
    }

    #[test]
    fn names_without_letters_fall_back_and_are_reported() {
        // An emoji name: not "unicorn" (deunicode's word for it), not an empty part.
        let it = by(&["🦄"], "Vacant spaces");
        let g = generate_with_dropped(&it, DEFAULT_PATTERN).unwrap();
        assert_eq!(g.key, "Vacant2019");
        assert_eq!(g.dropped, vec!['🦄']);
        assert_eq!(describe_chars(&g.dropped), "'🦄' (U+1F984)");
        // The next name part, then the next creator.
        let g = generate_with_dropped(&by(&["🦄, Anna"], "X"), DEFAULT_PATTERN).unwrap();
        assert_eq!((g.key.as_str(), g.dropped.as_slice()), ("Anna2019", &['🦄'][..]));
        let g = generate_with_dropped(&by(&["😀🎉", "Smith, J."], "X"), "[auth][year]").unwrap();
        assert_eq!((g.key.as_str(), g.dropped.as_slice()), ("Smith2019", &['😀', '🎉'][..]));
        // "EtAl" still counts every creator.
        assert_eq!(key(&by(&["A", "B", "C"], ""), "[authors2]"), "ABEtAl");
        let g = generate_with_dropped(&by(&["\u{E000}", "B", "C"], ""), "[authors2]").unwrap();
        assert_eq!((g.key.as_str(), g.dropped.as_slice()), ("BCEtAl", &['\u{E000}'][..]));
        // A title word without letters gives way to the next; a word the key did not read is
        // not reported.
        let it = by(&[], "🦄 Unicorns and 🐉 dragons");
        let g = generate_with_dropped(&it, "[veryshorttitle]").unwrap();
        assert_eq!((g.key.as_str(), g.dropped.as_slice()), ("Unicorns", &['🦄'][..]));
        // Nothing at all: the fallback key, reported.
        let g = generate_with_dropped(&by(&["🦄"], "🐉"), "[auth]").unwrap();
        assert_eq!((g.key.as_str(), g.dropped.as_slice()), ("ref", &['🦄', '🐉'][..]));
        // Punctuation and accents are not reported: keys never keep them.
        assert!(
            generate_with_dropped(&by(&["O'Brien, «Ana»"], "Ça — va…"), "[auth][title]")
                .unwrap()
                .dropped
                .is_empty()
        );
        assert_eq!(dropped_chars("a🦄b—c«d»\u{E000}é🦄"), vec!['🦄', '\u{E000}']);
        // Empty pattern parts stay empty without creators (no title word in their place).
        assert_eq!(key(&by(&[], "Vacant spaces"), DEFAULT_PATTERN), "2019");
    }

    #[test]
    fn repaired_keys_change_only_what_latex_rejects() {
        assert_eq!(repaired("D'Ambrosio2007174"), "DAmbrosio2007174");
        assert_eq!(repaired("Dobrovol'skii_1963"), "Dobrovolskii_1963");
        assert_eq!(repaired("Gödel 2020{x}"), "Godel2020x");
        assert_eq!(repaired("Smith2020:a-b_c"), "Smith2020:a-b_c");
        assert_eq!(repaired("a\u{FFFD}b"), "ab");
        assert_eq!(repaired("''"), "");
        for k in ["D'Ambrosio2007174", "Gödel 2020{x}", "O'Keeffe_1962_B"] {
            assert!(key_problem(&repaired(k)).is_none(), "{k}");
        }
    }
}
