//! Resolving a style the user names: one of the four short names, any style bundled in
//! hayagriva's archive (by name or CSL id, as Zotero clients send it), or a `.csl` file.
//!
//! Styles are parsed once per process and shared ([`CslStyle`] is an `Arc`): archived styles
//! by their CSL id, files by path, modification time and length (an edited file is read again).

use super::CiteStyle;
use hayagriva::archive::{self, ArchivedStyle};
use hayagriva::citationberg::{IndependentStyle, Locale, LocaleCode, Style};
use std::collections::HashMap;
use std::fmt;
use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::sync::{Arc, Mutex, OnceLock};
use std::time::SystemTime;

/// The prefix of the CSL ids of the styles in the Zotero (and CSL) style repository.
const ZOTERO_STYLES: &str = "http://www.zotero.org/styles/";

/// A resolved CSL style: cheap to clone, parsed once.
#[derive(Clone)]
pub struct CslStyle(Arc<Resolved>);

struct Resolved {
    /// What the user gave, normalised: the short or archive name, or the file's path.
    name: String,
    /// The style's CSL id (a dependent file's own id; its parent's style renders).
    id: String,
    /// The style's title.
    title: String,
    /// The independent style that renders (shared by every name of an archived style).
    csl: Arc<IndependentStyle>,
    /// The locale the terms are taken from.
    locale: LocaleCode,
}

/// Why a style cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum StyleError {
    /// Neither a short name, an archived style's name or id, nor a file path.
    #[error("unknown citation style {name:?}; closest bundled styles: {closest}; `folio styles` lists all {count} bundled styles, or give the path of a .csl file")]
    Unknown {
        name: String,
        /// The closest names, comma-separated.
        closest: String,
        count: usize,
    },
    /// The `.csl` file cannot be read.
    #[error("cannot read citation style {}: {message}", path.display())]
    Io { path: PathBuf, message: String },
    /// The file is not XML at all.
    #[error("citation style {} is not an XML file: {message}", path.display())]
    NotXml { path: PathBuf, message: String },
    /// The file is XML, but its root element is not a CSL `<style>`.
    #[error("citation style {} is not a CSL style: its root element is <{root}>, not <style>", path.display())]
    NotCsl { path: PathBuf, root: String },
    /// citationberg cannot parse the style.
    #[error("citation style {} is not valid CSL: {message}", path.display())]
    Invalid { path: PathBuf, message: String },
    /// A dependent style whose parent is not bundled.
    #[error("citation style {} depends on the style {parent}, which is not bundled; give the path of the parent's .csl file instead", path.display())]
    MissingParent { path: PathBuf, parent: String },
    /// A style file asked for over the local server outside its styles folder.
    #[error("citation style {}: the local server reads .csl files only from {}; copy the style there, or give a bundled style's name", path.display(), folder_text(.folder.as_deref()))]
    OutsideFolder { path: PathBuf, folder: Option<PathBuf> },
    /// A style without a `<bibliography>` asked for reference-list entries.
    #[error("citation style {0} has no bibliography (it formats citations or notes only)")]
    NoBibliography(String),
}

/// A bundled style: its name (as `--style` takes it), CSL id and title.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BundledStyle {
    pub name: &'static str,
    /// Other names for the same style ("vancouver" for "nlm-citation-sequence").
    pub aliases: &'static [&'static str],
    pub id: &'static str,
    pub title: &'static str,
}

/// Every style bundled with Folio (hayagriva's archive), in the archive's order.
pub fn bundled_styles() -> Vec<BundledStyle> {
    ArchivedStyle::all()
        .iter()
        .map(|s| {
            let names = s.names();
            BundledStyle {
                name: names.first().copied().unwrap_or_default(),
                aliases: names.get(1..).unwrap_or_default(),
                id: s.csl_id(),
                title: s.display_name(),
            }
        })
        .collect()
}

pub(super) fn locales() -> &'static [Locale] {
    static LOCALES: OnceLock<Vec<Locale>> = OnceLock::new();
    LOCALES.get_or_init(archive::locales)
}

/// The style's `default-locale` when the archive has it (or its usual region, "de" →
/// "de-DE"), else en-US.
fn locale_for(wanted: Option<&LocaleCode>) -> LocaleCode {
    let have = |code: &LocaleCode| locales().iter().any(|l| l.lang.as_ref() == Some(code));
    wanted
        .and_then(|w| {
            if have(w) {
                Some(w.clone())
            } else {
                w.fallback().filter(have)
            }
        })
        .unwrap_or_else(LocaleCode::en_us)
}

impl CslStyle {
    /// A style by name, CSL id / Zotero style URL, or `.csl` file path.
    ///
    /// A value ending in `.csl` or containing a path separator (and not an `http(s)://` URL) is
    /// a file; anything else is a name.
    pub fn resolve(s: &str) -> Result<CslStyle, StyleError> {
        let t = s.trim();
        let lower = t.to_ascii_lowercase();
        let url = lower.starts_with("http://") || lower.starts_with("https://");
        if !url && (lower.ends_with(".csl") || t.contains('/') || t.contains('\\')) {
            return from_file(Path::new(t));
        }
        by_name(t).ok_or_else(|| unknown(t))
    }

    /// [`CslStyle::resolve`] for a caller that may not name any file (the local server's
    /// clients): a `.csl` file only from `folder` (a bare file name is looked up there; no
    /// `..`), never elsewhere; without a folder, bundled styles only.
    pub fn resolve_in(s: &str, folder: Option<&Path>) -> Result<CslStyle, StyleError> {
        let t = s.trim();
        let lower = t.to_ascii_lowercase();
        let url = lower.starts_with("http://") || lower.starts_with("https://");
        if url || !(lower.ends_with(".csl") || t.contains('/') || t.contains('\\')) {
            return by_name(t).ok_or_else(|| unknown(t));
        }
        let refuse = || StyleError::OutsideFolder {
            path: PathBuf::from(t),
            folder: folder.map(Path::to_path_buf),
        };
        let Some(dir) = folder else {
            return Err(refuse());
        };
        let given = Path::new(t);
        if given.components().any(|c| matches!(c, std::path::Component::ParentDir)) {
            return Err(refuse());
        }
        let path = if given.is_absolute() {
            given.to_path_buf()
        } else {
            dir.join(given)
        };
        if !path.starts_with(dir) {
            return Err(refuse());
        }
        from_file(&path)
    }

    /// The name it was resolved from (short name, archive name or file path).
    pub fn name(&self) -> &str {
        &self.0.name
    }

    /// The style's CSL id.
    pub fn id(&self) -> &str {
        &self.0.id
    }

    /// The style's title.
    pub fn title(&self) -> &str {
        &self.0.title
    }

    /// The locale its terms come from.
    pub fn locale(&self) -> &LocaleCode {
        &self.0.locale
    }

    /// Whether it has a bibliography (reference-list entries).
    pub fn has_bibliography(&self) -> bool {
        self.0.csl.bibliography.is_some()
    }

    /// Whether `other` is the same parsed style (the cache's answer).
    pub fn same(&self, other: &CslStyle) -> bool {
        Arc::ptr_eq(&self.0, &other.0)
    }

    pub(super) fn csl(&self) -> &IndependentStyle {
        &self.0.csl
    }

    /// APA: a publisher that is also the author is left out (APA 7 §9.29).
    pub(super) fn is_apa(&self) -> bool {
        self.0.csl.info.id == format!("{ZOTERO_STYLES}apa")
    }
}

impl fmt::Debug for CslStyle {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CslStyle")
            .field("name", &self.0.name)
            .field("id", &self.0.id)
            .finish()
    }
}

impl fmt::Display for CslStyle {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0.name)
    }
}

impl FromStr for CslStyle {
    type Err = StyleError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        CslStyle::resolve(s)
    }
}

impl From<CiteStyle> for CslStyle {
    fn from(s: CiteStyle) -> Self {
        archived(s.archived(), s.as_str())
    }
}

/// A short name, an archive name, or a CSL id (a Zotero style URL or another archived id).
fn by_name(t: &str) -> Option<CslStyle> {
    if let Some(a) = ArchivedStyle::by_id(t) {
        return Some(archived(a, a.names().first().copied().unwrap_or(t)));
    }
    let lower = t.to_ascii_lowercase();
    let bare = lower
        .strip_prefix(ZOTERO_STYLES)
        .or_else(|| lower.strip_prefix("https://www.zotero.org/styles/"))
        .unwrap_or(&lower)
        .trim_end_matches('/')
        .replace('_', "-");
    if let Ok(c) = bare.parse::<CiteStyle>() {
        return Some(c.into());
    }
    ArchivedStyle::by_name(&bare).map(|a| archived(a, &bare))
}

/// An archived style's independent style and its default locale.
type Decoded = (Arc<IndependentStyle>, Option<LocaleCode>);

/// An archived style's independent style and default locale, decoded once per process.
/// hayagriva's archive holds independent styles only; a dependent one would render with its
/// parent's rules (and, were the parent missing too, with APA's rather than fail).
fn decoded(a: ArchivedStyle) -> Decoded {
    static DECODED: OnceLock<Vec<OnceLock<Decoded>>> = OnceLock::new();
    let all = DECODED.get_or_init(|| ArchivedStyle::all().iter().map(|_| OnceLock::new()).collect());
    let decode = || match a.get() {
        Style::Independent(s) => {
            let l = s.default_locale.clone();
            (Arc::new(s), l)
        }
        Style::Dependent(d) => {
            let parent =
                archived_parent(&d.parent_link.href).unwrap_or(ArchivedStyle::AmericanPsychologicalAssociation);
            let (csl, l) = decoded(parent);
            (csl, d.default_locale.or(l))
        }
    };
    match ArchivedStyle::all()
        .iter()
        .position(|x| *x == a)
        .and_then(|i| all.get(i))
    {
        Some(cell) => cell.get_or_init(decode).clone(),
        None => decode(),
    }
}

/// An archived style under the name it was asked for, cached by that name.
fn archived(a: ArchivedStyle, name: &str) -> CslStyle {
    static CACHE: OnceLock<Mutex<HashMap<String, CslStyle>>> = OnceLock::new();
    let cache = CACHE.get_or_init(Default::default);
    if let Some(s) = cache.lock().unwrap_or_else(|p| p.into_inner()).get(name) {
        return s.clone();
    }
    let (csl, default_locale) = decoded(a);
    let style = CslStyle(Arc::new(Resolved {
        name: name.to_string(),
        id: a.csl_id().to_string(),
        title: a.display_name().to_string(),
        locale: locale_for(default_locale.as_ref()),
        csl,
    }));
    cache
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .entry(name.to_string())
        .or_insert(style)
        .clone()
}

/// The archived style a dependent style's parent link names.
fn archived_parent(href: &str) -> Option<ArchivedStyle> {
    ArchivedStyle::by_id(href).or_else(|| {
        href.strip_prefix(ZOTERO_STYLES)
            .or_else(|| href.strip_prefix("https://www.zotero.org/styles/"))
            .and_then(ArchivedStyle::by_name)
    })
}

/// The closest names to a mistyped one: names containing it first, then by edit distance.
fn unknown(name: &str) -> StyleError {
    let lower = name.to_ascii_lowercase();
    let short = ["apa", "chicago", "ieee", "harvard"];
    let mut names: Vec<&str> = short.to_vec();
    names.extend(ArchivedStyle::all().iter().flat_map(|s| s.names().iter().copied()));
    names.sort_unstable();
    names.dedup();
    let mut scored: Vec<(usize, &str)> = names
        .iter()
        .map(|n| {
            let d = if !lower.is_empty() && n.contains(lower.as_str()) {
                0
            } else {
                edit_distance(&lower, n)
            };
            (d, *n)
        })
        .collect();
    scored.sort();
    StyleError::Unknown {
        name: name.to_string(),
        closest: scored.iter().take(3).map(|(_, n)| *n).collect::<Vec<_>>().join(", "),
        count: ArchivedStyle::all().len(),
    }
}

fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut cur = vec![i + 1; b.len() + 1];
        for (j, cb) in b.iter().enumerate() {
            cur[j + 1] = (prev[j] + usize::from(ca != *cb)).min(prev[j + 1] + 1).min(cur[j] + 1);
        }
        prev = cur;
    }
    prev[b.len()]
}

/// A `.csl` file, parsed once per path and version (modification time and length).
fn from_file(path: &Path) -> Result<CslStyle, StyleError> {
    type Key = (Option<SystemTime>, u64);
    static CACHE: OnceLock<Mutex<HashMap<PathBuf, (Key, CslStyle)>>> = OnceLock::new();
    let io = |e: std::io::Error| StyleError::Io {
        path: path.to_path_buf(),
        message: e.to_string(),
    };
    let meta = std::fs::metadata(path).map_err(io)?;
    if !meta.is_file() {
        return Err(StyleError::Io {
            path: path.to_path_buf(),
            message: "not a file".into(),
        });
    }
    let key: Key = (meta.modified().ok(), meta.len());
    let abs = std::fs::canonicalize(path).map_err(io)?;
    let cache = CACHE.get_or_init(Default::default);
    if let Some((k, s)) = cache.lock().unwrap_or_else(|p| p.into_inner()).get(&abs) {
        if *k == key {
            return Ok(s.clone());
        }
    }
    let bytes = std::fs::read(path).map_err(io)?;
    let style = parse_file(path, &bytes)?;
    cache
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .insert(abs, (key, style.clone()));
    Ok(style)
}

/// The root element's name, after the XML declaration, comments and doctype; `Err` when the
/// text does not start like XML.
fn root_element(text: &str) -> Result<&str, String> {
    let mut rest = text.trim_start_matches('\u{feff}').trim_start();
    loop {
        if !rest.starts_with('<') {
            // The file's text is not quoted: the server passes this message to its caller.
            return Err(if rest.is_empty() {
                "the file is empty".into()
            } else {
                "it does not start with an XML tag".into()
            });
        }
        let (what, skip_to) = if rest.starts_with("<?") {
            ("<?", "?>")
        } else if rest.starts_with("<!--") {
            ("<!--", "-->")
        } else if rest.starts_with("<!") {
            ("<!", ">")
        } else {
            let tag = &rest[1..];
            let end = tag
                .find(|c: char| c.is_whitespace() || c == '>' || c == '/')
                .unwrap_or(tag.len());
            return Ok(&tag[..end]);
        };
        match rest.find(skip_to) {
            Some(i) => rest = rest[i + skip_to.len()..].trim_start(),
            None => return Err(format!("an unterminated {what:?}")),
        }
    }
}

fn parse_file(path: &Path, bytes: &[u8]) -> Result<CslStyle, StyleError> {
    let text = std::str::from_utf8(bytes).map_err(|e| StyleError::NotXml {
        path: path.to_path_buf(),
        message: format!("not UTF-8 text ({e})"),
    })?;
    let root = root_element(text).map_err(|message| StyleError::NotXml {
        path: path.to_path_buf(),
        message,
    })?;
    let local = root.rsplit(':').next().unwrap_or(root);
    if local != "style" {
        return Err(StyleError::NotCsl {
            path: path.to_path_buf(),
            root: root.to_string(),
        });
    }
    let style = Style::from_xml(text).map_err(|e| StyleError::Invalid {
        path: path.to_path_buf(),
        message: match &e.path {
            Some(at) if !at.to_string().is_empty() && at.to_string() != "." => format!("{} (at {at})", e.source),
            _ => e.source.to_string(),
        },
    })?;
    let name = path.display().to_string();
    let resolved = match style {
        Style::Independent(s) => Resolved {
            name,
            id: s.info.id.clone(),
            title: s.info.title.value.clone(),
            locale: locale_for(s.default_locale.as_ref()),
            csl: Arc::new(s),
        },
        Style::Dependent(d) => {
            let parent = archived_parent(&d.parent_link.href).ok_or_else(|| StyleError::MissingParent {
                path: path.to_path_buf(),
                parent: d.parent_link.href.clone(),
            })?;
            let (csl, parent_locale) = decoded(parent);
            let wanted = d.default_locale.clone().or(parent_locale);
            Resolved {
                name,
                id: d.info.id.clone(),
                title: d.info.title.value.clone(),
                locale: locale_for(wanted.as_ref()),
                csl,
            }
        }
    };
    Ok(CslStyle(Arc::new(resolved)))
}

/// "the styles folder DIR", or that there is none.
fn folder_text(folder: Option<&Path>) -> String {
    match folder {
        Some(d) => format!("its styles folder {}", d.display()),
        None => "a styles folder, and none is set (`folio serve --styles DIR`)".into(),
    }
}
