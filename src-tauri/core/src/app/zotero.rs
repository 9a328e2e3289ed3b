//! The library as Zotero's Web API v3 shows it (the read-only "local API" Zotero 7 serves on
//! `127.0.0.1:23119/api/`, which pyzotero's `local=True`, Zotero MCP servers and command-line
//! tools read): object keys, item types and fields, creators, tags, collections, saved searches,
//! and the items query (`q`/`qmode`, `itemType`, `tag`, `sort`/`direction`, `start`/`limit`).
//!
//! Pure mapping plus [`Library`] reads: the HTTP front end (`serve`) only parses the request
//! and writes the answer. The mapping table is documented in `docs/zotero-api.md`.

use crate::error::{Error, Result};
use crate::model::{Creator, Item, ItemType, Name, Role, TagSource};
use crate::store::search::{Filter, Sort, SortColumn};
use crate::store::versions::{Kind, ObjectId};
use crate::store::CollectionId;
use crate::Library;
use serde_json::{json, Map, Value};

/// Zotero's key alphabet (no 0, 1, O): 8 characters of it make an object key. Folio uses 32 of
/// them (all but `Z`), 5 bits each: a key is 40 bits.
const ALPHABET: &[u8; 32] = b"23456789ABCDEFGHIJKLMNPQRSTUVWXY";
const KEY_BITS: u32 = 40;
const MASK: u64 = (1 << KEY_BITS) - 1;
/// Odd, so multiplying by it modulo 2^40 is a bijection: neighbouring ids get unrelated keys.
const MULT: u64 = 0x009E_3779_B97F;

/// The inverse of [`MULT`] modulo 2^40 (Newton's iteration doubles the correct bits).
fn mult_inverse() -> u64 {
    let mut x: u64 = MULT; // correct to 3 bits for an odd number
    for _ in 0..6 {
        x = x.wrapping_mul(2u64.wrapping_sub(MULT.wrapping_mul(x)));
    }
    x & MASK
}

/// The stable 8-character key of the object with database id `id` (items and collections
/// each have their own ids; the same number gives the same key in both namespaces).
pub fn object_key(id: i64) -> String {
    let mut x = (id as u64).wrapping_mul(MULT) & MASK;
    let mut out = [0u8; 8];
    for c in out.iter_mut().rev() {
        *c = ALPHABET[(x & 31) as usize];
        x >>= 5;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// The database id a key made by [`object_key`] stands for; `None` for anything else.
pub fn object_id(key: &str) -> Option<i64> {
    let b = key.as_bytes();
    if b.len() != 8 {
        return None;
    }
    let mut x: u64 = 0;
    for &c in b {
        let d = ALPHABET.iter().position(|&a| a == c.to_ascii_uppercase())?;
        x = (x << 5) | d as u64;
    }
    let id = x.wrapping_mul(mult_inverse()) & MASK;
    (id > 0 && id <= i64::MAX as u64).then_some(id as i64)
}

/// Folio item type → Zotero item type and the Zotero field its container goes to.
pub fn zotero_type(ty: ItemType) -> (&'static str, Option<&'static str>) {
    use ItemType as T;
    match ty {
        T::Article => ("journalArticle", Some("publicationTitle")),
        T::MagazineArticle => ("magazineArticle", Some("publicationTitle")),
        T::NewspaperArticle => ("newspaperArticle", Some("publicationTitle")),
        T::Book | T::Booklet | T::Collection | T::Proceedings | T::Periodical => ("book", None),
        T::InBook | T::InCollection => ("bookSection", Some("bookTitle")),
        T::InProceedings => ("conferencePaper", Some("proceedingsTitle")),
        T::Reference => ("encyclopediaArticle", Some("encyclopediaTitle")),
        T::Thesis | T::PhdThesis | T::MastersThesis => ("thesis", None),
        T::Report | T::Manual => ("report", None),
        T::Misc => ("document", None),
        T::Online => ("webpage", Some("websiteTitle")),
        T::Unpublished => ("manuscript", None),
        T::Dataset => ("dataset", None),
        T::Software => ("computerProgram", None),
        T::Patent => ("patent", None),
        T::Standard => ("standard", None),
        T::Presentation => ("presentation", Some("meetingName")),
        T::Map => ("map", None),
        T::Audiovisual => ("videoRecording", None),
        T::Case => ("case", None),
        T::Legislation => ("statute", None),
        T::Letter => ("letter", None),
        T::Interview => ("interview", None),
    }
}

/// The Folio item types a Zotero `itemType` stands for (for the `itemType` filter).
pub fn folio_types(zotero: &str) -> Vec<ItemType> {
    ItemType::ALL
        .iter()
        .map(|info| info.ty)
        .filter(|t| zotero_type(*t).0.eq_ignore_ascii_case(zotero))
        .collect()
}

fn creator_type(role: Role) -> &'static str {
    match role {
        Role::Author => "author",
        Role::Editor => "editor",
        Role::Translator => "translator",
        Role::SeriesEditor => "seriesEditor",
        Role::BookAuthor => "bookAuthor",
        Role::Contributor | Role::Annotator => "contributor",
        Role::Director => "director",
        Role::Inventor => "inventor",
        Role::Recipient => "recipient",
        Role::Interviewer => "interviewer",
        Role::Commentator => "commentator",
    }
}

fn creator_json(c: &Creator) -> Value {
    match &c.name {
        Name::Literal { literal } => json!({"creatorType": creator_type(c.role), "name": literal}),
        Name::Person { given, suffix, .. } => {
            let last = c.family_with_particle();
            let first = if suffix.is_empty() {
                given.clone()
            } else {
                format!("{given}, {suffix}")
            };
            json!({"creatorType": creator_type(c.role), "firstName": first, "lastName": last})
        }
    }
}

/// "2019-07-01 12:00:00" (the library's form) → "2019-07-01T12:00:00Z".
fn iso_time(t: &str) -> String {
    let t = t.trim();
    if t.is_empty() {
        return String::new();
    }
    let mut s = t.replacen(' ', "T", 1);
    if !s.ends_with('Z') && !s.contains('+') {
        s.push('Z');
    }
    s
}

/// Who and when, as Zotero's `meta.creatorSummary` ("Doe", "Doe and Roe", "Doe et al.").
fn creator_summary(item: &Item) -> String {
    let names: Vec<String> = item
        .creators
        .iter()
        .filter(|c| c.role == Role::Author)
        .chain(item.creators.iter().filter(|c| c.role == Role::Editor))
        .map(Creator::family_with_particle)
        .collect();
    match names.len() {
        0 => String::new(),
        1 => names[0].clone(),
        2 => format!("{} and {}", names[0], names[1]),
        _ => format!("{} et al.", names[0]),
    }
}

/// `YYYY`, `YYYY-MM` or `YYYY-MM-DD`: Zotero's `meta.parsedDate`.
fn parsed_date(item: &Item) -> String {
    let d = &item.date;
    match (d.year, d.month, d.day) {
        (Some(y), Some(m), Some(day)) => format!("{y:04}-{m:02}-{day:02}"),
        (Some(y), Some(m), None) => format!("{y:04}-{m:02}"),
        (Some(y), _, _) => format!("{y:04}"),
        _ => String::new(),
    }
}

/// What a Zotero client needs to address this library: its name and the base URL of links.
#[derive(Debug, Clone)]
pub struct Origin {
    /// `http://127.0.0.1:23119`
    pub base: String,
    pub library_name: String,
}

/// What the Web API shows of an item beside its fields: its collections, its version and
/// whether it is in the trash.
#[derive(Debug, Clone, Default)]
pub struct ItemState {
    pub collections: Vec<CollectionId>,
    pub version: i64,
    pub trashed: bool,
    /// Its attachments (Zotero's child items).
    pub children: usize,
}

impl ItemState {
    /// The item's state in the library.
    pub fn of(lib: &Library, item: &Item) -> Result<ItemState> {
        let id = item.id.unwrap_or(0);
        Ok(ItemState {
            collections: lib.collection_ids_of(id)?,
            version: lib.version_of(Kind::Item, &ObjectId::Id(id))?,
            trashed: lib.is_in_trash(id)?,
            children: lib.attachments_of(id)?.len(),
        })
    }
}

/// [`item_json`] of an item as the library holds it.
pub fn item_in_library(lib: &Library, origin: &Origin, item: &Item) -> Result<Value> {
    Ok(item_json(origin, item, &ItemState::of(lib, item)?))
}

/// An item in the Web API's JSON shape: `key`, `version`, `library`, `links`, `meta` and
/// `data` (the fields by item type, creators with `creatorType`, tags with `type` 1 for
/// imported and 0 for manual, `collections` by key, `extra` with the citation key as Better
/// BibTeX writes it, `deleted` for an item in the trash).
pub fn item_json(origin: &Origin, item: &Item, state: &ItemState) -> Value {
    let key = object_key(item.id.unwrap_or(0));
    let (zt, container_field) = zotero_type(item.item_type);
    let mut data = Map::new();
    data.insert("key".into(), json!(key));
    data.insert("version".into(), json!(state.version));
    data.insert("itemType".into(), json!(zt));
    data.insert("title".into(), json!(item.full_title()));
    data.insert(
        "creators".into(),
        Value::Array(item.creators.iter().map(creator_json).collect()),
    );
    let mut extra: Vec<String> = vec![format!("Citation Key: {}", item.key)];
    let mut put = |name: &str, v: &str| {
        if !v.is_empty() {
            data.insert(name.into(), json!(v));
        }
    };
    put("abstractNote", &item.r#abstract.joined("\n"));
    match container_field {
        Some(f) => put(f, &item.container),
        None if !item.container.is_empty() => extra.push(format!("Container: {}", item.container)),
        None => {}
    }
    put("shortTitle", &item.short_title);
    put("series", &item.series);
    put("volume", &item.volume);
    match zt {
        "report" => put("reportNumber", &item.issue),
        "patent" => put("patentNumber", &item.issue),
        "journalArticle" | "magazineArticle" | "newspaperArticle" => put("issue", &item.issue),
        _ if !item.issue.is_empty() => put("number", &item.issue),
        _ => {}
    }
    put("pages", &item.pages);
    put("edition", &item.edition);
    match zt {
        "thesis" => put("university", first_nonempty(&item.institution, &item.publisher)),
        "report" => put("institution", first_nonempty(&item.institution, &item.publisher)),
        _ => put("publisher", &item.publisher),
    }
    put("place", &item.place);
    // The date as written, unless it is a vendor's broken form ("2019/06//undefined").
    let raw = item.date.raw.trim();
    if raw.contains("undefined") || raw.contains("//") || raw.is_empty() {
        put("date", &parsed_date(item));
    } else {
        put("date", raw);
    }
    match zt {
        "journalArticle" | "conferencePaper" | "dataset" | "standard" => put("DOI", &item.doi),
        _ if !item.doi.is_empty() => extra.push(format!("DOI: {}", item.doi)),
        _ => {}
    }
    match zt {
        "journalArticle" | "magazineArticle" | "newspaperArticle" => put("ISSN", &item.issn),
        _ if !item.issn.is_empty() => extra.push(format!("ISSN: {}", item.issn)),
        _ => {}
    }
    match zt {
        "book" | "bookSection" | "conferencePaper" | "encyclopediaArticle" | "report" => put("ISBN", &item.isbn),
        _ if !item.isbn.is_empty() => extra.push(format!("ISBN: {}", item.isbn)),
        _ => {}
    }
    put("url", &item.url);
    put("language", &item.language);
    match zt {
        "thesis" | "report" | "manuscript" | "map" | "letter" | "presentation" | "webpage" => put(
            match zt {
                "thesis" => "thesisType",
                "report" => "reportType",
                "manuscript" => "manuscriptType",
                "map" => "mapType",
                "letter" => "letterType",
                "presentation" => "presentationType",
                _ => "websiteType",
            },
            &item.genre,
        ),
        _ if !item.genre.is_empty() => extra.push(format!("Type: {}", item.genre)),
        _ => {}
    }
    if !item.note.is_empty() {
        extra.push(item.note.clone());
    }
    data.insert("extra".into(), json!(extra.join("\n")));
    let tags: Vec<Value> = item
        .tags
        .iter()
        .map(|t| match t.source {
            TagSource::Import => json!({"tag": t.name, "type": 1}),
            TagSource::Manual => json!({"tag": t.name}),
        })
        .collect();
    data.insert("tags".into(), Value::Array(tags));
    data.insert(
        "collections".into(),
        Value::Array(state.collections.iter().map(|c| json!(object_key(*c))).collect()),
    );
    if state.trashed {
        data.insert("deleted".into(), json!(1));
    }
    data.insert("relations".into(), json!({}));
    data.insert("dateAdded".into(), json!(iso_time(&item.date_added)));
    data.insert("dateModified".into(), json!(iso_time(&item.date_modified)));
    let mut meta = Map::new();
    let summary = creator_summary(item);
    if !summary.is_empty() {
        meta.insert("creatorSummary".into(), json!(summary));
    }
    let parsed = parsed_date(item);
    if !parsed.is_empty() {
        meta.insert("parsedDate".into(), json!(parsed));
    }
    meta.insert("numChildren".into(), json!(state.children));
    json!({
        "key": key,
        "version": state.version,
        "library": library_json(origin),
        "links": {"self": {"href": format!("{}/api/users/0/items/{key}", origin.base), "type": "application/json"}},
        "meta": meta,
        "data": data,
    })
}

fn first_nonempty<'a>(a: &'a str, b: &'a str) -> &'a str {
    if a.is_empty() {
        b
    } else {
        a
    }
}

fn library_json(origin: &Origin) -> Value {
    json!({"type": "user", "id": 0, "name": origin.library_name, "links": {}})
}

/// A collection: `key`, `version`, `name`, `parentCollection` (a key or `false`),
/// `meta.numItems` and `meta.numCollections`.
pub fn collection_json(origin: &Origin, c: &crate::library::CollectionNode, version: i64) -> Value {
    let key = object_key(c.id);
    let parent = c.parent_id.map_or(Value::Bool(false), |p| json!(object_key(p)));
    json!({
        "key": key,
        "version": version,
        "library": library_json(origin),
        "links": {"self": {"href": format!("{}/api/users/0/collections/{key}", origin.base), "type": "application/json"}},
        "meta": {"numCollections": c.children.len(), "numItems": c.items},
        "data": {"key": key, "version": version, "name": c.name, "parentCollection": parent, "relations": {}},
    })
}

/// Every collection of the tree, parents before their children (iteratively: trees can be
/// deep).
pub fn flatten(tree: &[crate::library::CollectionNode]) -> Vec<&crate::library::CollectionNode> {
    let mut out = Vec::new();
    let mut stack: Vec<&crate::library::CollectionNode> = tree.iter().rev().collect();
    while let Some(n) = stack.pop() {
        out.push(n);
        stack.extend(n.children.iter().rev());
    }
    out
}

/// The Zotero items query (`/items`, `/collections/{key}/items`, `/items/top`…).
#[derive(Debug, Clone, Default)]
pub struct ItemsQuery {
    pub q: String,
    /// `qmode=everything`: every field; else (Zotero's default `titleCreatorYear`) titles,
    /// creators and years.
    pub everything: bool,
    /// `itemType=journalArticle`, `-journalArticle` (not), `book || bookSection`.
    pub item_type: String,
    /// Each `tag=` parameter: items must carry every one (`a || b`: either; `-a`: not).
    pub tags: Vec<String>,
    pub sort: String,
    /// `direction=desc`; `None`: the sort's own default.
    pub descending: Option<bool>,
    pub start: usize,
    pub limit: usize,
    pub collection: Option<CollectionId>,
    /// `since=N`: only items changed after library version N.
    pub since: Option<i64>,
    /// `/items/trash` (only the trash) or `includeTrashed=1` (the trash too).
    pub trash: TrashScope,
}

/// Which items a query sees with regard to the trash.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum TrashScope {
    /// Items not in the trash (Zotero's default).
    #[default]
    Live,
    /// `/items/trash`.
    Only,
    /// `includeTrashed=1`.
    Also,
}

/// Zotero's `sort` names → Folio's sort columns (others sort by date added, Zotero's default).
fn sort_of(q: &ItemsQuery) -> Sort {
    let (column, default_desc) = match q.sort.as_str() {
        "title" => (SortColumn::Title, false),
        "creator" => (SortColumn::Creators, false),
        "date" => (SortColumn::Year, true),
        "itemType" => (SortColumn::Type, false),
        "publicationTitle" => (SortColumn::Container, false),
        "dateModified" | "dateAdded" | "" => (SortColumn::DateAdded, true),
        _ => (SortColumn::DateAdded, true),
    };
    Sort {
        column,
        descending: q.descending.unwrap_or(default_desc),
    }
}

/// A quoted query value (quotes inside dropped: the value is data, not syntax).
fn quoted(v: &str) -> String {
    format!("\"{}\"", v.replace('"', " ").trim())
}

/// The Folio query text for a Zotero items query.
fn query_text(q: &ItemsQuery) -> String {
    let mut parts: Vec<String> = Vec::new();
    for w in q.q.split_whitespace() {
        let w = w.replace('"', "");
        if !w.chars().any(char::is_alphanumeric) {
            // Punctuation alone ("--") is nothing to search for, as in Zotero.
            continue;
        }
        if q.everything {
            parts.push(quoted(&w));
        } else {
            let mut alts = vec![format!("title:{}", quoted(&w)), format!("author:{}", quoted(&w))];
            if w.len() == 4 && w.bytes().all(|b| b.is_ascii_digit()) {
                alts.push(format!("year:{w}"));
            }
            parts.push(alts.join(" OR "));
        }
    }
    for t in q.tags.iter().filter(|t| !t.trim().is_empty()) {
        let alts: Vec<String> = t
            .split("||")
            .map(str::trim)
            .filter(|a| !a.is_empty())
            .map(|a| match a.strip_prefix('-') {
                Some(not) => format!("-tag:{}", quoted(not)),
                None => format!("tag:{}", quoted(a)),
            })
            .collect();
        parts.push(alts.join(" OR "));
    }
    if !q.item_type.trim().is_empty() {
        let mut alts: Vec<String> = Vec::new();
        for a in q.item_type.split("||").map(str::trim).filter(|a| !a.is_empty()) {
            let (neg, name) = match a.strip_prefix('-') {
                Some(n) => ("-", n),
                None => ("", a),
            };
            let types = folio_types(name);
            if types.is_empty() && neg.is_empty() {
                // An item type Folio has none of: nothing matches it.
                alts.push("key:\"\u{1}\"".into());
            }
            for t in types {
                alts.push(format!("{neg}type:{}", t.as_str()));
            }
        }
        parts.push(alts.join(if q.item_type.contains("||") { " OR " } else { " " }));
    }
    parts.join(" ")
}

/// One page of the query's items, and how many match in all.
pub fn items_page(lib: &Library, q: &ItemsQuery) -> Result<(Vec<Item>, usize)> {
    let text = query_text(q);
    let query = crate::app::parse_query(&text)?;
    let filter = Filter {
        collection: q.collection,
        query,
        since: q.since,
        trash: q.trash == TrashScope::Only,
        include_trash: q.trash == TrashScope::Also,
        ..Default::default()
    };
    let ids = lib.ids(&filter, sort_of(q))?;
    let total = ids.len();
    let page: Vec<_> = ids.into_iter().skip(q.start).take(q.limit).collect();
    let mut items = Vec::with_capacity(page.len());
    for id in page {
        items.push(lib.get_by_id(id)?);
    }
    Ok((items, total))
}

/// Attachments' keys are made from their ids past this offset (items never get that many
/// ids), so an item and an attachment never share a key.
const ATTACHMENT_KEYS: i64 = 1 << 39;

/// The stable key of attachment `id` (a Zotero child item).
pub fn attachment_key(id: i64) -> String {
    object_key(id + ATTACHMENT_KEYS)
}

/// The attachment id a key made by [`attachment_key`] stands for.
pub fn attachment_id(key: &str) -> Option<i64> {
    object_id(key).and_then(|n| (n > ATTACHMENT_KEYS).then_some(n - ATTACHMENT_KEYS))
}

/// An attachment as Zotero's child item: `itemType: attachment`, `linkMode` `imported_file`
/// (stored) or `linked_file`, `contentType`, `filename` or `path`, `parentItem`, and the file
/// as the `enclosure` link (`…/file/view/url` gives its `file://` URL, `…/file` its bytes).
pub fn attachment_json(origin: &Origin, parent: &Item, f: &crate::library::AttachedFile, version: i64) -> Value {
    let a = &f.attachment;
    let key = attachment_key(a.id.unwrap_or(0));
    let parent_key = object_key(parent.id.unwrap_or(0));
    let stored = a.kind == crate::model::AttachmentKind::Stored;
    let file = f
        .file
        .as_ref()
        .map(|p| p.to_string_lossy().into_owned())
        .unwrap_or_default();
    let mut data = json!({
        "key": key,
        "version": version,
        "parentItem": parent_key,
        "itemType": "attachment",
        "linkMode": if stored { "imported_file" } else { "linked_file" },
        "title": a.title,
        "accessDate": "",
        "url": "",
        "note": "",
        "contentType": a.mime,
        "charset": "",
        "tags": [],
        "relations": {},
        "dateAdded": iso_time(&a.added),
        "dateModified": iso_time(&a.added),
    });
    if stored {
        data["filename"] = json!(std::path::Path::new(&a.path)
            .file_name()
            .map(|n| n.to_string_lossy().into_owned()));
    } else {
        data["path"] = json!(file);
    }
    let base = format!("{}/api/users/0/items", origin.base);
    let mut links = json!({
        "self": {"href": format!("{base}/{key}"), "type": "application/json"},
        "up": {"href": format!("{base}/{parent_key}"), "type": "application/json"},
    });
    if !f.missing {
        links["enclosure"] = json!({
            "href": format!("{base}/{key}/file/view"),
            "type": a.mime,
            "title": a.title,
            "length": a.bytes,
        });
    }
    json!({
        "key": key,
        "version": version,
        "library": library_json(origin),
        "links": links,
        "meta": {"numChildren": 0},
        "data": data,
    })
}

/// The attachment with Zotero key `key`, its item and where the file is.
pub fn attachment_by_key(lib: &Library, key: &str) -> Result<(Item, crate::library::AttachedFile)> {
    let id = attachment_id(key).ok_or_else(|| Error::NotFound(format!("item {key}")))?;
    let (item, file) = lib
        .attachment_by_id(id)?
        .ok_or_else(|| Error::NotFound(format!("item {key}")))?;
    if lib.is_in_trash(item.id.unwrap_or(0))? {
        return Err(Error::NotFound(format!("item {key}")));
    }
    Ok((item, file))
}

/// An attachment's full text as Zotero's `/items/{key}/fulltext` gives it: `content`, and for
/// a PDF `indexedPages`/`totalPages`, else `indexedChars`/`totalChars`. Not found when the
/// attachment has no indexed text.
pub fn fulltext_json(lib: &Library, key: &str) -> Result<Value> {
    let (_, f) = attachment_by_key(lib, key)?;
    let a = &f.attachment;
    if a.fulltext != crate::model::FulltextState::Indexed {
        return Err(Error::NotFound(format!(
            "attachment {key} ({}) has no indexed text ({})",
            a.title,
            a.fulltext.as_str()
        )));
    }
    let pages = lib.attachment_text(a.id.unwrap_or(0))?;
    let content = pages.iter().map(|(_, t)| t.as_str()).collect::<Vec<_>>().join("\n");
    Ok(if a.mime == "application/pdf" {
        let total = a.pages.unwrap_or(pages.len() as u32);
        json!({"content": content, "indexedPages": total, "totalPages": total})
    } else {
        let n = content.chars().count();
        json!({"content": content, "indexedChars": n, "totalChars": n})
    })
}

/// The attachments with indexed text changed after library version `since`, with their
/// versions (Zotero's `/fulltext?since=`): an attachment has its item's version.
pub fn fulltext_versions(lib: &Library, since: i64) -> Result<serde_json::Map<String, Value>> {
    let mut out = serde_json::Map::new();
    for f in lib.all_attachments()? {
        if f.attachment.fulltext != crate::model::FulltextState::Indexed {
            continue;
        }
        let v = lib.version_of(
            crate::store::versions::Kind::Item,
            &crate::store::versions::ObjectId::Id(lib.id_of(&f.key)?),
        )?;
        if v > since {
            out.insert(attachment_key(f.attachment.id.unwrap_or(0)), json!(v));
        }
    }
    Ok(out)
}

/// The item with Zotero key `key`.
pub fn item_by_key(lib: &Library, key: &str) -> Result<Item> {
    let id = object_id(key).ok_or_else(|| Error::NotFound(format!("item {key}")))?;
    let item = lib.get_by_id(id)?;
    if lib.is_in_trash(id)? {
        return Err(Error::NotFound(format!("item {key}")));
    }
    Ok(item)
}

/// The collection with Zotero key `key`, found in the tree.
pub fn collection_by_key<'a>(
    tree: &'a [crate::library::CollectionNode],
    key: &str,
) -> Option<&'a crate::library::CollectionNode> {
    let id = object_id(key)?;
    flatten(tree).into_iter().find(|c| c.id == id)
}

/// `/tags`: each tag with `meta.type` (1 when every link came from an import) and
/// `meta.numItems`; with `since`, only the tags created or renamed after that version and
/// those of items changed after it (as Zotero does).
pub fn tags_json(lib: &Library, origin: &Origin, since: Option<i64>) -> Result<Vec<Value>> {
    let changed: Option<std::collections::HashSet<String>> = match since {
        None => None,
        Some(v) => {
            let mut names: std::collections::HashSet<String> = lib
                .changed_since(Kind::Tag, v)?
                .into_iter()
                .filter_map(|t| match t.id {
                    ObjectId::Name(n) => Some(n),
                    ObjectId::Id(_) => None,
                })
                .collect();
            for it in lib.changed_since(Kind::Item, v)? {
                if let ObjectId::Id(id) = it.id {
                    if let Ok(item) = lib.get_by_id(id) {
                        names.extend(item.tags.iter().map(|t| t.name.to_lowercase()));
                    }
                }
            }
            Some(names)
        }
    };
    Ok(lib
        .tag_list()?
        .into_iter()
        .filter(|t| t.items > 0)
        .filter(|t| changed.as_ref().is_none_or(|c| c.contains(&t.name.to_lowercase())))
        .map(|t| {
            let ty = if t.imported == t.items { 1 } else { 0 };
            json!({
                "tag": t.name,
                "links": {"self": {"href": format!("{}/api/users/0/tags/{}", origin.base, t.name), "type": "application/json"}},
                "meta": {"type": ty, "numItems": t.items},
            })
        })
        .collect())
}

/// The stable key of the saved search named `name` (names are unique regardless of case):
/// a hash of the name, so it survives a deletion of another search and an undo.
pub fn search_key(name: &str) -> String {
    // FNV-1a, 64 bits, folded to the 40 bits a key holds.
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in name.to_lowercase().bytes() {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    let id = ((h ^ (h >> KEY_BITS)) & MASK).max(1);
    object_key(id as i64)
}

/// `/searches`: saved searches with their query as one `quicksearch-everything` condition;
/// with `since`, only those changed after that version.
pub fn searches_json(lib: &Library, origin: &Origin, since: Option<i64>) -> Result<Vec<Value>> {
    let mut out = Vec::new();
    for s in lib.saved_searches()? {
        let version = lib.version_of(Kind::Search, &ObjectId::Name(s.name.to_lowercase()))?;
        if since.is_some_and(|v| version <= v) {
            continue;
        }
        let key = search_key(&s.name);
        let mut conditions =
            vec![json!({"condition": "quicksearch-everything", "operator": "contains", "value": s.query})];
        if let Some(c) = s.collection_id {
            conditions.push(json!({"condition": "collection", "operator": "is", "value": object_key(c)}));
        }
        out.push(json!({
            "key": key,
            "version": version,
            "library": library_json(origin),
            "data": {"key": key, "version": version, "name": s.name, "conditions": conditions},
        }));
    }
    Ok(out)
}

/// `/deleted?since=N`: what was removed for good after version N — item, collection and saved
/// search keys, tag names (a tag no item carries any more, or a renamed tag's old name).
/// Items in the trash are not deleted (they come with `deleted: 1` in `/items/trash`).
/// Folio's library settings are not Zotero settings: `settings` is always empty.
pub fn deleted_json(lib: &Library, since: i64) -> Result<Value> {
    let ids = |kind: Kind| -> Result<Vec<Value>> {
        Ok(lib
            .deleted_since(kind, since)?
            .into_iter()
            .map(|v| match v.id {
                ObjectId::Id(id) => json!(object_key(id)),
                ObjectId::Name(n) if kind == Kind::Search => json!(search_key(&n)),
                ObjectId::Name(n) => json!(n),
            })
            .collect())
    };
    Ok(json!({
        "collections": ids(Kind::Collection)?,
        "searches": ids(Kind::Search)?,
        "items": ids(Kind::Item)?,
        "tags": ids(Kind::Tag)?,
        "settings": [],
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_zotero_keys_and_come_back_to_their_id() {
        let valid = |k: &str| k.len() == 8 && k.bytes().all(|b| b"23456789ABCDEFGHIJKLMNPQRSTUVWXYZ".contains(&b));
        let mut seen = std::collections::HashSet::new();
        for id in (1..5000).chain([123_456_789, (1 << 40) - 1]) {
            let k = object_key(id);
            assert!(valid(&k), "{id} -> {k}");
            assert!(seen.insert(k.clone()), "{k} twice");
            assert_eq!(object_id(&k), Some(id), "{k}");
        }
        assert_ne!(object_key(1)[..4], object_key(2)[..4]);
        assert_eq!(object_id("ABC"), None);
        assert_eq!(object_id("0OOOOOOO"), None);
    }

    #[test]
    fn titles_creators_and_years_by_default_everything_on_request() {
        let q = ItemsQuery {
            q: "steen 2019".into(),
            ..Default::default()
        };
        assert_eq!(
            query_text(&q),
            "title:\"steen\" OR author:\"steen\" title:\"2019\" OR author:\"2019\" OR year:2019"
        );
        let q = ItemsQuery {
            q: "co \"production".into(),
            everything: true,
            tags: vec!["a || -b".into()],
            item_type: "-journalArticle".into(),
            ..Default::default()
        };
        assert_eq!(
            query_text(&q),
            "\"co\" \"production\" tag:\"a\" OR -tag:\"b\" -type:article"
        );
        for t in ["title:x", "q\" OR 1=1 --", "year:2019..", "(", "key:*"] {
            let q = ItemsQuery {
                q: t.into(),
                ..Default::default()
            };
            crate::app::parse_query(&query_text(&q)).unwrap();
        }
    }

    #[test]
    fn every_folio_type_has_a_zotero_type_that_maps_back() {
        for info in ItemType::ALL {
            let (z, _) = zotero_type(info.ty);
            assert!(folio_types(z).contains(&info.ty), "{:?} -> {z}", info.ty);
        }
    }
}
