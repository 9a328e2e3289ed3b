//! Zotero's local API (a read-only copy of the Web API v3): `/api/` and `/api/users/0/…`.

use super::{error_response, Shared};
use crate::app::zotero::{self as z, ItemsQuery, Origin, TrashScope};
use crate::cite::{CiteStyle, CslStyle};
use crate::error::{Error, Result};
use crate::export::ExportOptions;
use crate::format::Format;
use crate::model::Item;
use crate::store::versions::{Kind, ObjectId, BASE};
use crate::Library;
use axum::extract::{Path, RawQuery, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use serde_json::{json, Value};

/// Zotero's page size when `limit` is not given, and its largest.
const DEFAULT_LIMIT: usize = 25;
const MAX_LIMIT: usize = 100;

pub(super) fn routes() -> Router<Shared> {
    Router::new()
        .route("/api/", get(root))
        .route("/api", get(root))
        .route("/api/users/{user}/items", get(items))
        .route("/api/users/{user}/items/top", get(items))
        .route("/api/users/{user}/items/trash", get(items))
        .route("/api/users/{user}/items/{key}", get(item))
        .route("/api/users/{user}/items/{key}/children", get(children))
        .route("/api/users/{user}/items/{key}/file", get(file))
        .route("/api/users/{user}/items/{key}/file/view", get(file))
        .route("/api/users/{user}/items/{key}/file/view/url", get(file_url))
        .route("/api/users/{user}/items/{key}/fulltext", get(fulltext))
        .route("/api/users/{user}/fulltext", get(fulltext_since))
        .route("/api/users/{user}/collections", get(collections))
        .route("/api/users/{user}/collections/top", get(collections_top))
        .route("/api/users/{user}/collections/{key}", get(collection))
        .route("/api/users/{user}/collections/{key}/items", get(collection_items))
        .route("/api/users/{user}/collections/{key}/items/top", get(collection_items))
        .route("/api/users/{user}/collections/{key}/collections", get(subcollections))
        .route("/api/users/{user}/tags", get(tags))
        .route("/api/users/{user}/searches", get(searches))
        .route("/api/users/{user}/deleted", get(deleted))
}

async fn root() -> Response {
    (StatusCode::OK, "Nothing to see here.\n").into_response()
}

/// The query string's parameters, repeated ones (`tag`) kept.
fn params(raw: Option<String>) -> Vec<(String, String)> {
    raw.and_then(|q| serde_urlencoded::from_str::<Vec<(String, String)>>(&q).ok())
        .unwrap_or_default()
}

fn param<'a>(p: &'a [(String, String)], name: &str) -> Option<&'a str> {
    p.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str())
}

/// Only the local user (0) is served; groups do not exist in Folio.
fn check_user(user: &str) -> Result<()> {
    if user == "0" {
        Ok(())
    } else {
        Err(Error::NotFound(format!(
            "user {user}: the local API serves user 0 (this library)"
        )))
    }
}

/// `since=N` (a library version), if given.
fn since(p: &[(String, String)]) -> Result<Option<i64>> {
    match param(p, "since") {
        None | Some("") => Ok(None),
        Some(v) => v
            .parse::<i64>()
            .map(Some)
            .map_err(|_| Error::InvalidInput(format!("since={v:?} is not a library version"))),
    }
}

fn items_query(p: &[(String, String)], path: &str) -> Result<ItemsQuery> {
    let num = |name: &str, default: usize| -> Result<usize> {
        match param(p, name) {
            None | Some("") => Ok(default),
            Some(v) => v
                .parse()
                .map_err(|_| Error::InvalidInput(format!("{name}={v:?} is not a number"))),
        }
    };
    // Keys and versions come whole unless a limit is asked for (as in Zotero).
    let whole = matches!(param(p, "format"), Some("keys" | "versions")) && param(p, "limit").is_none();
    let trash = if path.ends_with("/items/trash") {
        TrashScope::Only
    } else if matches!(param(p, "includeTrashed"), Some("1" | "true")) {
        TrashScope::Also
    } else {
        TrashScope::Live
    };
    Ok(ItemsQuery {
        q: param(p, "q").unwrap_or("").to_string(),
        everything: param(p, "qmode") == Some("everything"),
        item_type: param(p, "itemType").unwrap_or("").to_string(),
        tags: p.iter().filter(|(k, _)| k == "tag").map(|(_, v)| v.clone()).collect(),
        sort: param(p, "sort").unwrap_or("").to_string(),
        descending: param(p, "direction").map(|d| d.eq_ignore_ascii_case("desc")),
        start: num("start", 0)?,
        limit: if whole {
            usize::MAX
        } else {
            num("limit", DEFAULT_LIMIT)?.clamp(1, MAX_LIMIT)
        },
        collection: None,
        since: since(p)?,
        trash,
    })
}

/// `format=`: json (default), keys, csljson, an export format, or an Atom feed whose entries
/// hold `content=` (what pyzotero asks for with `content=csljson|bib|citation`).
enum Out {
    Json,
    Keys,
    /// `{"KEY": version, …}`
    Versions,
    Csl,
    Export(Format),
    Atom(AtomContent),
}

#[derive(Clone, Copy)]
enum AtomContent {
    Json,
    Csl,
    Bib,
    Citation,
}

fn out_format(p: &[(String, String)]) -> Result<Out> {
    let content = || -> Result<AtomContent> {
        Ok(match param(p, "content").unwrap_or("json") {
            "json" => AtomContent::Json,
            "csljson" => AtomContent::Csl,
            "bib" => AtomContent::Bib,
            "citation" => AtomContent::Citation,
            other => {
                return Err(Error::InvalidInput(format!(
                    "content={other:?} is not served (json, csljson, bib, citation)"
                )))
            }
        })
    };
    Ok(match param(p, "format").unwrap_or("json") {
        "json" => Out::Json,
        "atom" => Out::Atom(content()?),
        "keys" => Out::Keys,
        "versions" => Out::Versions,
        "csljson" => Out::Csl,
        "bibtex" => Out::Export(Format::Bibtex),
        "biblatex" => Out::Export(Format::Biblatex),
        "ris" => Out::Export(Format::Ris),
        other => {
            return Err(Error::InvalidInput(format!(
                "format={other:?} is not served (json, atom, keys, versions, csljson, bibtex, biblatex, ris)"
            )))
        }
    })
}

/// XML text.
fn escape_xml(s: &str) -> String {
    escape_html(s).replace('\'', "&apos;")
}

/// An Atom feed of the items, each entry's `<content>` in the form asked for (Zotero's
/// `format=atom&content=…`).
fn atom(lib: &Library, origin: &Origin, items: &[Item], content: AtomContent, style: &CslStyle) -> Result<String> {
    let mut x = String::from(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<feed xmlns=\"http://www.w3.org/2005/Atom\" xmlns:zapi=\"http://zotero.org/ns/api\">\n",
    );
    x.push_str(&format!("  <title>{}</title>\n", escape_xml(&origin.library_name)));
    for it in items {
        let key = z::object_key(it.id.unwrap_or(0));
        let keys = [it.key.clone()];
        let (ty, body) = match content {
            AtomContent::Json => ("application/json", z::item_in_library(lib, origin, it)?["data"].to_string()),
            AtomContent::Csl => ("application/json", crate::format::csl::item_to_csl(it).to_string()),
            AtomContent::Bib => (
                "xhtml",
                format!(
                    "<div xmlns=\"http://www.w3.org/1999/xhtml\" class=\"csl-bib-body\"><div class=\"csl-entry\">{}</div></div>",
                    escape_html(&crate::app::references(lib, &keys, style)?.join(""))
                ),
            ),
            AtomContent::Citation => (
                "xhtml",
                format!(
                    "<span xmlns=\"http://www.w3.org/1999/xhtml\">{}</span>",
                    escape_html(&crate::app::citation(lib, &keys, style)?)
                ),
            ),
        };
        let body = if ty == "xhtml" { body } else { escape_xml(&body) };
        x.push_str(&format!(
            "  <entry>\n    <title>{}</title>\n    <id>{}/users/0/items/{key}</id>\n    <zapi:key>{key}</zapi:key>\n    <content type=\"{ty}\">{body}</content>\n  </entry>\n",
            escape_xml(&it.full_title()),
            escape_xml(&origin.base)
        ));
    }
    x.push_str("</feed>\n");
    Ok(x)
}

/// `include=data,bib,citation` (default `data`) with `style=`.
struct Include {
    data: bool,
    bib: bool,
    citation: bool,
    style: CslStyle,
}

fn include(p: &[(String, String)], styles: Option<&std::path::Path>) -> Result<Include> {
    let inc = param(p, "include").unwrap_or("data");
    let has = |w: &str| inc.split(',').any(|x| x.trim() == w);
    let style = match param(p, "style") {
        None | Some("") => CiteStyle::ChicagoAuthorDate.into(),
        Some(s) => CslStyle::resolve_in(s, styles).map_err(|e| Error::InvalidInput(format!("style={s:?}: {e}")))?,
    };
    if has("bib") && !style.has_bibliography() {
        return Err(Error::InvalidInput(
            crate::cite::StyleError::NoBibliography(style.to_string()).to_string(),
        ));
    }
    Ok(Include {
        data: has("data"),
        bib: has("bib"),
        citation: has("citation"),
        style,
    })
}

/// HTML text: imported text is never markup.
fn escape_html(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// The items as the answer `p` asks for, from a blocking thread.
fn render(
    lib: &Library,
    origin: &Origin,
    items: &[Item],
    p: &[(String, String)],
    styles: Option<&std::path::Path>,
) -> Result<(String, &'static str)> {
    match out_format(p)? {
        Out::Keys => {
            let keys: Vec<String> = items.iter().map(|i| z::object_key(i.id.unwrap_or(0))).collect();
            Ok((keys.join("\n") + "\n", "text/plain; charset=utf-8"))
        }
        Out::Versions => {
            let ids: Vec<i64> = items.iter().map(|i| i.id.unwrap_or(0)).collect();
            let versions = lib.versions_of(Kind::Item, &ids)?;
            let map: serde_json::Map<String, Value> = ids
                .iter()
                .map(|id| (z::object_key(*id), json!(versions.get(id).copied().unwrap_or(BASE))))
                .collect();
            Ok((Value::Object(map).to_string(), "application/json"))
        }
        Out::Csl => {
            let list: Vec<Value> = items.iter().map(crate::format::csl::item_to_csl).collect();
            Ok((
                json!({ "items": list }).to_string(),
                "application/vnd.citationstyles.csl+json",
            ))
        }
        Out::Atom(content) => Ok((
            atom(lib, origin, items, content, &include(p, styles)?.style)?,
            "application/atom+xml",
        )),
        Out::Export(format) => {
            let w = lib.render(
                items,
                &ExportOptions {
                    format,
                    ..Default::default()
                },
            )?;
            let ct = if format == Format::Ris {
                "application/x-research-info-systems; charset=utf-8"
            } else {
                "application/x-bibtex; charset=utf-8"
            };
            Ok((w.text, ct))
        }
        Out::Json => {
            let inc = include(p, styles)?;
            let mut out = Vec::with_capacity(items.len());
            for it in items {
                let mut v = z::item_in_library(lib, origin, it)?;
                if !inc.data {
                    if let Some(o) = v.as_object_mut() {
                        o.remove("data");
                    }
                }
                let keys = [it.key.clone()];
                if inc.bib {
                    let r = crate::app::references(lib, &keys, &inc.style)?.join("");
                    v["bib"] = json!(format!(
                        "<div class=\"csl-bib-body\">\n  <div class=\"csl-entry\">{}</div>\n</div>",
                        escape_html(&r)
                    ));
                }
                if inc.citation {
                    let c = crate::app::citation(lib, &keys, &inc.style)?;
                    v["citation"] = json!(format!("<span>{}</span>", escape_html(&c)));
                }
                out.push(v);
            }
            Ok((Value::Array(out).to_string(), "application/json"))
        }
    }
}

/// `start` and `limit` of a list request (bad values were refused by [`items_query`] for
/// items; elsewhere they fall back to the defaults).
fn window(p: &[(String, String)]) -> (usize, usize) {
    let start = param(p, "start").and_then(|s| s.parse().ok()).unwrap_or(0);
    if matches!(param(p, "format"), Some("keys" | "versions")) && param(p, "limit").is_none() {
        return (start, usize::MAX);
    }
    let limit = param(p, "limit")
        .and_then(|s| s.parse().ok())
        .unwrap_or(DEFAULT_LIMIT)
        .clamp(1, MAX_LIMIT);
    (start, limit)
}

/// A list answer with Zotero's paging headers: `Total-Results` and `Link` (`first`, `prev`,
/// `next`, `last`, which pyzotero's `everything()` follows).
fn paged(
    body: String,
    ct: &str,
    origin: &Origin,
    path: &str,
    p: &[(String, String)],
    total: usize,
    version: i64,
) -> Response {
    let (start, limit) = window(p);
    let url = |s: usize| {
        let mut q: Vec<(String, String)> = p.iter().filter(|(k, _)| k != "start").cloned().collect();
        q.push(("start".into(), s.to_string()));
        let qs = serde_urlencoded::to_string(&q).unwrap_or_default();
        format!("{}{path}?{qs}", origin.base)
    };
    let mut links = Vec::new();
    if start > 0 {
        links.push(format!("<{}>; rel=\"first\"", url(0)));
        links.push(format!("<{}>; rel=\"prev\"", url(start.saturating_sub(limit))));
    }
    if start.saturating_add(limit) < total {
        links.push(format!("<{}>; rel=\"next\"", url(start + limit)));
        let last = (total - 1) / limit * limit;
        links.push(format!("<{}>; rel=\"last\"", url(last)));
    }
    let mut resp = (StatusCode::OK, [(header::CONTENT_TYPE, ct.to_string())], body).into_response();
    let h = resp.headers_mut();
    h.insert("Total-Results", total.into());
    h.insert("Last-Modified-Version", version.into());
    if !links.is_empty() {
        if let Ok(v) = links.join(", ").parse() {
            h.insert(header::LINK, v);
        }
    }
    resp
}

fn answer(r: Result<Response>) -> Response {
    r.unwrap_or_else(|e| error_response(&e))
}

/// `If-Modified-Since-Version: N` when the version asked about is not newer than N: an empty
/// 304 answer (Zotero's way of saying "nothing changed since you looked").
fn not_modified(headers: &HeaderMap, version: i64) -> Option<Response> {
    let seen: i64 = headers
        .get("If-Modified-Since-Version")?
        .to_str()
        .ok()?
        .trim()
        .parse()
        .ok()?;
    (version <= seen).then(|| {
        let mut resp = StatusCode::NOT_MODIFIED.into_response();
        resp.headers_mut().insert("Last-Modified-Version", version.into());
        resp
    })
}

/// An answer with the library's version in `Last-Modified-Version`.
fn versioned(ct: &'static str, body: String, version: i64) -> Response {
    let mut resp = (StatusCode::OK, [(header::CONTENT_TYPE, ct)], body).into_response();
    resp.headers_mut().insert("Last-Modified-Version", version.into());
    resp
}

/// A JSON answer with the library's version (the 304 was decided by [`library_version`]).
fn json_response(body: Value, version: i64) -> Response {
    versioned("application/json", body.to_string(), version)
}

/// One object's answer, with its version in `Last-Modified-Version` (or a 304).
fn single(headers: &HeaderMap, version: i64, ct: &'static str, body: String) -> Response {
    not_modified(headers, version).unwrap_or_else(|| versioned(ct, body, version))
}

/// The library's version, or the 304 answer when the client's copy is current.
async fn library_version(s: &Shared, headers: &HeaderMap) -> Result<std::result::Result<i64, Response>> {
    let version = s.read(|lib| lib.version()).await?;
    Ok(match not_modified(headers, version) {
        Some(r) => Err(r),
        None => Ok(version),
    })
}

async fn items(
    State(s): State<Shared>,
    Path(user): Path<String>,
    headers: HeaderMap,
    uri: axum::http::Uri,
    RawQuery(raw): RawQuery,
) -> Response {
    answer(items_in(s, &user, None, headers, uri.path().to_string(), raw).await)
}

async fn collection_items(
    State(s): State<Shared>,
    Path((user, key)): Path<(String, String)>,
    headers: HeaderMap,
    uri: axum::http::Uri,
    RawQuery(raw): RawQuery,
) -> Response {
    answer(items_in(s, &user, Some(key), headers, uri.path().to_string(), raw).await)
}

async fn items_in(
    s: Shared,
    user: &str,
    collection: Option<String>,
    headers: HeaderMap,
    path: String,
    raw: Option<String>,
) -> Result<Response> {
    check_user(user)?;
    let p = params(raw);
    let origin = s.origin(&headers);
    let mut q = items_query(&p, &path)?;
    let version = match library_version(&s, &headers).await? {
        Ok(v) => v,
        Err(not_modified) => return Ok(not_modified),
    };
    let o = origin.clone();
    let pp = p.clone();
    let styles = s.styles.clone();
    let (body, ct, total) = s
        .read(move |lib| {
            if let Some(key) = collection {
                let tree = lib.collection_tree()?;
                let c =
                    z::collection_by_key(&tree, &key).ok_or_else(|| Error::NotFound(format!("collection {key}")))?;
                q.collection = Some(c.id);
            }
            let (items, total) = z::items_page(lib, &q)?;
            let (body, ct) = render(lib, &o, &items, &pp, styles.as_deref().map(|p| p.as_path()))?;
            Ok((body, ct, total))
        })
        .await?;
    Ok(paged(body, ct, &origin, &path, &p, total, version))
}

async fn item(
    State(s): State<Shared>,
    Path((user, key)): Path<(String, String)>,
    headers: HeaderMap,
    RawQuery(raw): RawQuery,
) -> Response {
    answer(
        async {
            check_user(&user)?;
            let p = params(raw);
            let origin = s.origin(&headers);
            let styles = s.styles.clone();
            let (body, ct, version) = s
                .read(move |lib| {
                    if z::attachment_id(&key).is_some() {
                        let (parent, f) = z::attachment_by_key(lib, &key)?;
                        let version = lib.version_of(Kind::Item, &ObjectId::Id(parent.id.unwrap_or(0)))?;
                        let v = z::attachment_json(&origin, &parent, &f, version);
                        return Ok((v.to_string(), "application/json", version));
                    }
                    let it = z::item_by_key(lib, &key)?;
                    let version = lib.version_of(Kind::Item, &ObjectId::Id(it.id.unwrap_or(0)))?;
                    let (body, ct) = render(
                        lib,
                        &origin,
                        std::slice::from_ref(&it),
                        &p,
                        styles.as_deref().map(|p| p.as_path()),
                    )?;
                    // One object, not a list of one, for JSON.
                    let body = match serde_json::from_str::<Value>(&body) {
                        Ok(Value::Array(mut a)) if ct == "application/json" && a.len() == 1 => a.remove(0).to_string(),
                        _ => body,
                    };
                    Ok((body, ct, version))
                })
                .await?;
            Ok(single(&headers, version, ct, body))
        }
        .await,
    )
}

/// An item's children: its attachments (Folio has no notes as child items).
async fn children(
    State(s): State<Shared>,
    Path((user, key)): Path<(String, String)>,
    headers: HeaderMap,
    uri: axum::http::Uri,
    RawQuery(raw): RawQuery,
) -> Response {
    answer(
        async {
            check_user(&user)?;
            let version = match library_version(&s, &headers).await? {
                Ok(v) => v,
                Err(not_modified) => return Ok(not_modified),
            };
            let origin = s.origin(&headers);
            let o = origin.clone();
            let list = s
                .read(move |lib| {
                    let it = z::item_by_key(lib, &key)?;
                    let id = it.id.unwrap_or(0);
                    let v = lib.version_of(Kind::Item, &ObjectId::Id(id))?;
                    Ok(lib
                        .attachments_of(id)?
                        .iter()
                        .map(|f| z::attachment_json(&o, &it, f, v))
                        .collect::<Vec<Value>>())
                })
                .await?;
            Ok(page_of(list, &origin, uri.path(), &params(raw), version))
        }
        .await,
    )
}

/// An attachment's file, as its bytes (`/file`, `/file/view`), streamed from the file in
/// chunks of 64 KiB: memory stays flat whatever the file's size.
async fn file(State(s): State<Shared>, Path((user, key)): Path<(String, String)>) -> Response {
    answer(
        async {
            check_user(&user)?;
            let (path, mime) = attachment_path(&s, key).await?;
            let (f, len) = tokio::task::spawn_blocking(move || crate::library::open_attachment(&path))
                .await
                .map_err(|e| Error::Format(format!("request thread: {e}")))??;
            let stream = tokio_util::io::ReaderStream::with_capacity(tokio::fs::File::from_std(f), 1 << 16);
            Ok((
                StatusCode::OK,
                [(header::CONTENT_TYPE, mime), (header::CONTENT_LENGTH, len.to_string())],
                axum::body::Body::from_stream(stream),
            )
                .into_response())
        }
        .await,
    )
}

/// An attachment's indexed text (`/items/{key}/fulltext`, pyzotero's `fulltext_item`).
async fn fulltext(State(s): State<Shared>, Path((user, key)): Path<(String, String)>, headers: HeaderMap) -> Response {
    answer(
        async {
            check_user(&user)?;
            let version = match library_version(&s, &headers).await? {
                Ok(v) => v,
                Err(not_modified) => return Ok(not_modified),
            };
            let body = s.read(move |lib| z::fulltext_json(lib, &key)).await?;
            Ok(json_response(body, version))
        }
        .await,
    )
}

/// Which attachments' text changed since a version (`/fulltext?since=`, pyzotero's
/// `new_fulltext`).
async fn fulltext_since(
    State(s): State<Shared>,
    Path(user): Path<String>,
    headers: HeaderMap,
    RawQuery(raw): RawQuery,
) -> Response {
    answer(
        async {
            check_user(&user)?;
            let since = since(&params(raw))?.unwrap_or(0);
            let version = match library_version(&s, &headers).await? {
                Ok(v) => v,
                Err(not_modified) => return Ok(not_modified),
            };
            let map = s.read(move |lib| z::fulltext_versions(lib, since)).await?;
            Ok(json_response(Value::Object(map), version))
        }
        .await,
    )
}

/// Where an attachment's file is, as a `file://` URL (`/file/view/url`, as Zotero answers).
async fn file_url(State(s): State<Shared>, Path((user, key)): Path<(String, String)>) -> Response {
    answer(
        async {
            check_user(&user)?;
            let (path, _) = attachment_path(&s, key).await?;
            let url = crate::app::file_url(&path);
            Ok((StatusCode::OK, [(header::CONTENT_TYPE, "text/plain".to_string())], url).into_response())
        }
        .await,
    )
}

/// The file of the attachment `key` and its MIME type; 404 when it is not an attachment or
/// its file is missing.
async fn attachment_path(s: &Shared, key: String) -> Result<(std::path::PathBuf, String)> {
    s.read(move |lib| {
        let (_, f) = z::attachment_by_key(lib, &key)?;
        match (f.file, f.missing) {
            (Some(p), false) => Ok((p, f.attachment.mime)),
            _ => Err(Error::NotFound(format!(
                "the file of attachment {key} ({}) is missing",
                f.attachment.title
            ))),
        }
    })
    .await
}

/// Which collections a collections route lists.
enum Which {
    All,
    Top,
    Children(String),
}

async fn list_collections(
    s: Shared,
    user: &str,
    which: Which,
    headers: HeaderMap,
    path: String,
    raw: Option<String>,
) -> Result<Response> {
    check_user(user)?;
    let p = params(raw);
    let since = since(&p)?;
    let origin = s.origin(&headers);
    let version = match library_version(&s, &headers).await? {
        Ok(v) => v,
        Err(not_modified) => return Ok(not_modified),
    };
    let o = origin.clone();
    let list = s
        .read(move |lib| {
            let tree = lib.collection_tree()?;
            let nodes: Vec<&crate::library::CollectionNode> = match &which {
                Which::All => z::flatten(&tree),
                Which::Top => tree.iter().collect(),
                Which::Children(key) => z::collection_by_key(&tree, key)
                    .ok_or_else(|| Error::NotFound(format!("collection {key}")))?
                    .children
                    .iter()
                    .collect(),
            };
            let ids: Vec<i64> = nodes.iter().map(|c| c.id).collect();
            let versions = lib.versions_of(Kind::Collection, &ids)?;
            Ok(nodes
                .into_iter()
                .filter_map(|c| {
                    let v = versions.get(&c.id).copied().unwrap_or(BASE);
                    since.is_none_or(|s| v > s).then(|| z::collection_json(&o, c, v))
                })
                .collect::<Vec<Value>>())
        })
        .await?;
    Ok(page_of(list, &origin, &path, &p, version))
}

/// A JSON list cut to the requested page, with the paging headers; with `format=versions`
/// (`{"KEY": version, …}`) or `format=keys`, the whole list.
fn page_of(list: Vec<Value>, origin: &Origin, path: &str, p: &[(String, String)], version: i64) -> Response {
    let total = list.len();
    let keyed = || {
        list.iter()
            .filter_map(|v| Some((v.get("key")?.as_str()?, v.get("version")?)))
    };
    match param(p, "format") {
        Some("versions") => {
            let map: serde_json::Map<String, Value> = keyed().map(|(k, v)| (k.to_string(), v.clone())).collect();
            return paged(
                Value::Object(map).to_string(),
                "application/json",
                origin,
                path,
                p,
                total,
                version,
            );
        }
        Some("keys") => {
            let keys: String = keyed().map(|(k, _)| format!("{k}\n")).collect();
            return paged(keys, "text/plain; charset=utf-8", origin, path, p, total, version);
        }
        _ => {}
    }
    let (start, limit) = window(p);
    let page: Vec<Value> = list.into_iter().skip(start).take(limit).collect();
    paged(
        Value::Array(page).to_string(),
        "application/json",
        origin,
        path,
        p,
        total,
        version,
    )
}

async fn collections(
    State(s): State<Shared>,
    Path(user): Path<String>,
    headers: HeaderMap,
    uri: axum::http::Uri,
    RawQuery(raw): RawQuery,
) -> Response {
    answer(list_collections(s, &user, Which::All, headers, uri.path().to_string(), raw).await)
}

async fn collections_top(
    State(s): State<Shared>,
    Path(user): Path<String>,
    headers: HeaderMap,
    uri: axum::http::Uri,
    RawQuery(raw): RawQuery,
) -> Response {
    answer(list_collections(s, &user, Which::Top, headers, uri.path().to_string(), raw).await)
}

async fn subcollections(
    State(s): State<Shared>,
    Path((user, key)): Path<(String, String)>,
    headers: HeaderMap,
    uri: axum::http::Uri,
    RawQuery(raw): RawQuery,
) -> Response {
    answer(list_collections(s, &user, Which::Children(key), headers, uri.path().to_string(), raw).await)
}

async fn collection(
    State(s): State<Shared>,
    Path((user, key)): Path<(String, String)>,
    headers: HeaderMap,
) -> Response {
    answer(
        async {
            check_user(&user)?;
            let origin = s.origin(&headers);
            let (v, version) = s
                .read(move |lib| {
                    let tree = lib.collection_tree()?;
                    let c = z::collection_by_key(&tree, &key)
                        .ok_or_else(|| Error::NotFound(format!("collection {key}")))?;
                    let version = lib.version_of(Kind::Collection, &ObjectId::Id(c.id))?;
                    Ok((z::collection_json(&origin, c, version), version))
                })
                .await?;
            Ok(single(&headers, version, "application/json", v.to_string()))
        }
        .await,
    )
}

async fn tags(
    State(s): State<Shared>,
    Path(user): Path<String>,
    headers: HeaderMap,
    uri: axum::http::Uri,
    RawQuery(raw): RawQuery,
) -> Response {
    answer(listed(s, &user, headers, uri, raw, z::tags_json).await)
}

async fn searches(
    State(s): State<Shared>,
    Path(user): Path<String>,
    headers: HeaderMap,
    uri: axum::http::Uri,
    RawQuery(raw): RawQuery,
) -> Response {
    answer(listed(s, &user, headers, uri, raw, z::searches_json).await)
}

/// What a list of the application layer takes: the library, the origin, `since`.
type ListFn = fn(&Library, &Origin, Option<i64>) -> Result<Vec<Value>>;

/// A list the application layer makes whole (tags, saved searches), cut to the page asked for.
async fn listed(
    s: Shared,
    user: &str,
    headers: HeaderMap,
    uri: axum::http::Uri,
    raw: Option<String>,
    list: ListFn,
) -> Result<Response> {
    check_user(user)?;
    let p = params(raw);
    let since = since(&p)?;
    let version = match library_version(&s, &headers).await? {
        Ok(v) => v,
        Err(not_modified) => return Ok(not_modified),
    };
    let origin = s.origin(&headers);
    let o = origin.clone();
    let all = s.read(move |lib| list(lib, &o, since)).await?;
    Ok(page_of(all, &origin, uri.path(), &p, version))
}

/// `/deleted?since=N`: what was removed for good after version N (`since` is required).
async fn deleted(
    State(s): State<Shared>,
    Path(user): Path<String>,
    headers: HeaderMap,
    RawQuery(raw): RawQuery,
) -> Response {
    answer(
        async {
            check_user(&user)?;
            let since = since(&params(raw))?
                .ok_or_else(|| Error::InvalidInput("/deleted needs since=<library version>".into()))?;
            let version = match library_version(&s, &headers).await? {
                Ok(v) => v,
                Err(not_modified) => return Ok(not_modified),
            };
            let body = s.read(move |lib| z::deleted_json(lib, since)).await?;
            Ok(json_response(body, version))
        }
        .await,
    )
}
