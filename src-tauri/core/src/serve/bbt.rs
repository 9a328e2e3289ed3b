//! Better BibTeX's endpoints: pull export (`/better-bibtex/collection?/0/<path>.<fmt>`,
//! `/better-bibtex/library?/1/library.<fmt>`, which biber reads with
//! `\addbibresource[location=remote]{…}`), JSON-RPC 2.0 (`/better-bibtex/json-rpc`), and the
//! cite-as-you-write probe (`/better-bibtex/cayw?probe=true`).

use super::{error_response, Shared};
use crate::cite::{CiteStyle, CslStyle};
use crate::error::{Error, Result};
use crate::export::ExportOptions;
use crate::format::Format;
use crate::store::search::Filter;
use crate::Library;
use axum::body::Bytes;
use axum::extract::{RawQuery, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;
use serde_json::{json, Value};

pub(super) fn routes() -> Router<Shared> {
    Router::new()
        .route("/better-bibtex/collection", get(pull_collection))
        .route("/better-bibtex/library", get(pull_library))
        .route("/better-bibtex/json-rpc", post(json_rpc))
        .route("/better-bibtex/cayw", get(cayw))
}

/// The export format a pull URL ends with.
fn pull_format(ext: &str) -> Result<Format> {
    match ext {
        "biblatex" => Ok(Format::Biblatex),
        "bibtex" => Ok(Format::Bibtex),
        "ris" => Ok(Format::Ris),
        // As Better BibTeX: `.json` is CSL-JSON (what pandoc reads); Folio's own JSON is `.folio`.
        "json" | "csljson" => Ok(Format::CslJson),
        "yaml" | "cslyaml" => Ok(Format::CslYaml),
        "hayagriva" => Ok(Format::Hayagriva),
        "folio" => Ok(Format::Json),
        other => Err(Error::InvalidInput(format!(
            "pull export as {other:?} is not served (biblatex, bibtex, json (CSL-JSON), yaml (CSL-YAML), ris, hayagriva, folio)"
        ))),
    }
}

fn content_type(f: Format) -> &'static str {
    match f {
        Format::Ris => "application/x-research-info-systems; charset=utf-8",
        Format::Json | Format::CslJson => "application/json",
        Format::CslYaml | Format::Hayagriva => "application/yaml; charset=utf-8",
        _ => "application/x-bibtex; charset=utf-8",
    }
}

/// `/0/Thesis/Chapter 2.biblatex` → (library id, collection path or key, format). The path is
/// percent-decoded (biber sends spaces as `%20`).
fn pull_target(raw: &str) -> Result<(String, String, Format)> {
    let decoded: String = percent_decode(raw);
    let t = decoded.trim_start_matches('/');
    let (lib, rest) = t
        .split_once('/')
        .ok_or_else(|| Error::InvalidInput(format!("pull export {raw:?}: want /<library id>/<collection>.<format>")))?;
    let (name, ext) = rest
        .rsplit_once('.')
        .ok_or_else(|| Error::InvalidInput(format!("pull export {raw:?}: the name has no .<format>")))?;
    Ok((lib.to_string(), name.to_string(), pull_format(ext)?))
}

fn percent_decode(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        let hex = |c: u8| (c as char).to_digit(16);
        match (
            b[i],
            b.get(i + 1).copied().and_then(hex),
            b.get(i + 2).copied().and_then(hex),
        ) {
            (b'%', Some(h), Some(l)) => {
                out.push((h * 16 + l) as u8);
                i += 3;
            }
            (b'+', _, _) => {
                out.push(b' ');
                i += 1;
            }
            (c, _, _) => {
                out.push(c);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Export `filter`'s items (a whole collection with its subcollections, or the library): the
/// CLI's export, which streams the items and reuses the entry cache.
fn export(lib: &Library, filter: &Filter, format: Format) -> Result<String> {
    let sel = crate::export::Selection {
        filter: filter.clone(),
        keys: Vec::new(),
    };
    Ok(lib
        .export_text(
            &sel,
            &ExportOptions {
                format,
                ..Default::default()
            },
        )?
        .0)
}

async fn pull_collection(State(s): State<Shared>, RawQuery(raw): RawQuery) -> Response {
    let r = async {
        let (_lib_id, name, format) = pull_target(raw.as_deref().unwrap_or(""))?;
        let text = s
            .read(move |lib| {
                // A collection by path ("Thesis/Chapter 2") or by its Zotero key.
                let tree = lib.collection_tree()?;
                let id = match crate::app::zotero::collection_by_key(&tree, &name) {
                    Some(c) => c.id,
                    None => lib.resolve_collection(&name)?,
                };
                let filter = Filter {
                    collection: Some(id),
                    recursive: true,
                    ..Default::default()
                };
                export(lib, &filter, format)
            })
            .await?;
        Ok::<_, Error>((StatusCode::OK, [(header::CONTENT_TYPE, content_type(format))], text).into_response())
    }
    .await;
    r.unwrap_or_else(|e| error_response(&e))
}

async fn pull_library(State(s): State<Shared>, RawQuery(raw): RawQuery) -> Response {
    let r = async {
        let (_lib_id, _name, format) = pull_target(raw.as_deref().unwrap_or(""))?;
        let text = s.read(move |lib| export(lib, &Filter::default(), format)).await?;
        Ok::<_, Error>((StatusCode::OK, [(header::CONTENT_TYPE, content_type(format))], text).into_response())
    }
    .await;
    r.unwrap_or_else(|e| error_response(&e))
}

/// Cite as you write. `probe=true` answers `ready`. Otherwise (when editors may change the
/// library — the picker takes the app's focus) the keys come from the app's selection
/// (`selected=true`) or its picker, which this request waits for; the answer is the text in
/// `format=` ([`crate::app::cayw`]), empty when the user cancelled. Without a window (`folio
/// serve`) the answer is 501.
async fn cayw(State(s): State<Shared>, RawQuery(raw): RawQuery) -> Response {
    let params: Vec<(String, String)> = raw
        .and_then(|q| serde_urlencoded::from_str(&q).ok())
        .unwrap_or_default();
    let mut req = match crate::app::cayw::Request::parse(&params) {
        Ok(r) => r,
        Err(e) => return error_response(&e),
    };
    req.style_folder = s.styles.as_deref().cloned();
    if req.probe {
        return (StatusCode::OK, [(header::CONTENT_TYPE, "text/plain")], "ready").into_response();
    }
    if !s.host.has_window() {
        return (
            StatusCode::NOT_IMPLEMENTED,
            "the citation picker runs in the desktop app; `folio serve` has no window to show it\n",
        )
            .into_response();
    }
    if !s.host.writes_allowed() {
        return error_response(&Error::Forbidden(
            "the citation picker is off: turn on \"allow editors to change the library\" in Folio's Settings".into(),
        ));
    }
    let cites = if req.selected {
        // The host may wait for its library (an action in progress): not on a runtime thread.
        let host = s.host.clone();
        tokio::task::spawn_blocking(move || host.selected())
            .await
            .unwrap_or_else(|e| Err(Error::Format(format!("request thread: {e}"))))
            .map(|keys| keys.iter().map(|k| crate::app::cayw::Citation::of(k)).collect())
    } else {
        s.host.pick().await.map(Option::unwrap_or_default)
    };
    let cites: Vec<crate::app::cayw::Citation> = match cites {
        Ok(c) => c,
        Err(e) => return error_response(&e),
    };
    let format = req.format;
    let out = s.read(move |lib| crate::app::cayw::render(lib, &req, &cites)).await;
    match out {
        Ok(text) => {
            let ct = match format {
                crate::app::cayw::CaywFormat::Json => "application/json",
                _ => "text/plain; charset=utf-8",
            };
            (StatusCode::OK, [(header::CONTENT_TYPE, ct)], text).into_response()
        }
        Err(e) => error_response(&e),
    }
}

/// A JSON-RPC 2.0 error object.
fn rpc_error(id: Value, code: i64, message: impl Into<String>) -> Value {
    json!({"jsonrpc": "2.0", "id": id, "error": {"code": code, "message": message.into()}})
}

async fn json_rpc(State(s): State<Shared>, body: Bytes) -> Response {
    let req: Value = match serde_json::from_slice(&body) {
        Ok(v) => v,
        Err(e) => return rpc_answer(rpc_error(Value::Null, -32700, format!("parse error: {e}"))),
    };
    let id = req.get("id").cloned().unwrap_or(Value::Null);
    let Some(method) = req.get("method").and_then(Value::as_str).map(str::to_string) else {
        return rpc_answer(rpc_error(id, -32600, "invalid request: no method"));
    };
    let params = req.get("params").cloned().unwrap_or(Value::Array(Vec::new()));
    let id2 = id.clone();
    let out = if WRITE_METHODS.contains(&method.as_str()) {
        let what = method.clone();
        s.write(
            &what,
            Box::new(move |lib: &mut Library| call_write(lib, &method, &params)),
        )
        .await
    } else {
        let styles = s.styles.clone();
        s.read(move |lib| call(lib, &method, &params, styles.as_deref().map(|p| p.as_path())))
            .await
    };
    rpc_answer(match out {
        Ok(result) => json!({"jsonrpc": "2.0", "id": id2, "result": result}),
        Err(Error::NotFound(m)) if m.starts_with("method ") => rpc_error(id, -32601, m),
        Err(Error::InvalidInput(m)) => rpc_error(id, -32602, m),
        Err(e @ Error::Forbidden(_)) => rpc_error(id, -32000, e.to_string()),
        Err(e) => rpc_error(id, -32603, e.to_string()),
    })
}

fn rpc_answer(v: Value) -> Response {
    (
        StatusCode::OK,
        [(header::CONTENT_TYPE, "application/json")],
        v.to_string(),
    )
        .into_response()
}

/// Parameter `i` (by position, or by `name` in an object).
fn arg<'a>(params: &'a Value, i: usize, name: &str) -> Option<&'a Value> {
    match params {
        Value::Array(a) => a.get(i),
        Value::Object(o) => o.get(name),
        _ => None,
    }
}

fn string_list(v: Option<&Value>, what: &str) -> Result<Vec<String>> {
    match v {
        Some(Value::String(s)) => Ok(vec![s.clone()]),
        Some(Value::Array(a)) => a
            .iter()
            .map(|x| {
                x.as_str()
                    .map(str::to_string)
                    .ok_or_else(|| Error::InvalidInput(format!("{what}: want strings, got {x}")))
            })
            .collect(),
        _ => Err(Error::InvalidInput(format!("{what}: missing"))),
    }
}

/// One JSON-RPC method.
fn call(lib: &Library, method: &str, params: &Value, styles: Option<&std::path::Path>) -> Result<Value> {
    match method {
        "api.ready" => Ok(json!({"zotero": "7.0", "betterbibtex": "folio", "folio": env!("CARGO_PKG_VERSION")})),
        "user.groups" => Ok(json!([{"id": 1, "name": "My Library"}])),
        "item.search" => {
            let terms = arg(params, 0, "terms").and_then(Value::as_str).unwrap_or("");
            // The first ITEM_SEARCH_LIMIT matches (an editor's picker shows a screenful; a
            // search that matches most of a 100k library would otherwise load all of it).
            let q = crate::app::zotero::ItemsQuery {
                q: terms.to_string(),
                everything: true,
                limit: ITEM_SEARCH_LIMIT,
                ..Default::default()
            };
            let (items, _) = crate::app::zotero::items_page(lib, &q)?;
            Ok(Value::Array(
                items
                    .iter()
                    .map(|it| {
                        json!({
                            "id": crate::app::zotero::object_key(it.id.unwrap_or(0)),
                            "citekey": it.key,
                            "citationKey": it.key,
                            "type": crate::app::zotero::zotero_type(it.item_type).0,
                            "title": it.full_title(),
                            "issued": it.date.year.map(|y| json!({"date-parts": [[y]]})),
                        })
                    })
                    .collect(),
            ))
        }
        "item.citationkey" => {
            let keys = string_list(arg(params, 0, "item_keys"), "item_keys")?;
            let mut out = serde_json::Map::new();
            for k in keys {
                let ck = crate::app::zotero::item_by_key(lib, k.rsplit(':').next().unwrap_or(&k))
                    .map(|it| Value::String(it.key))
                    .unwrap_or(Value::Null);
                out.insert(k, ck);
            }
            Ok(Value::Object(out))
        }
        "item.export" => {
            let keys = string_list(arg(params, 0, "citekeys"), "citekeys")?;
            let translator = arg(params, 1, "translator")
                .and_then(Value::as_str)
                .unwrap_or("biblatex");
            let format = crate::app::cayw::translator_format(translator)?;
            let items = keys.iter().map(|k| lib.get(k)).collect::<Result<Vec<_>>>()?;
            Ok(json!(
                lib.render(
                    &items,
                    &ExportOptions {
                        format,
                        ..Default::default()
                    }
                )?
                .text
            ))
        }
        "item.bibliography" => {
            let keys = string_list(arg(params, 0, "citekeys"), "citekeys")?;
            let style = arg(params, 1, "format")
                .and_then(|f| f.get("id").or(Some(f)))
                .and_then(Value::as_str)
                .map(|s| CslStyle::resolve_in(s, styles))
                .transpose()
                .map_err(|e| Error::InvalidInput(e.to_string()))?
                .unwrap_or_else(|| CiteStyle::ChicagoAuthorDate.into());
            Ok(json!(crate::app::references(lib, &keys, &style)?.join("\n")))
        }
        other => Err(Error::NotFound(format!("method {other:?} does not exist"))),
    }
}

/// The most items `item.search` answers with.
pub const ITEM_SEARCH_LIMIT: usize = 200;

/// The JSON-RPC methods that change the library (allowed by the host's setting only).
const WRITE_METHODS: &[&str] = &["collection.scanAUX", "autoexport.add"];

/// Better BibTeX's collection argument: a path under the library's name (`/My Library/Thesis`,
/// `//Thesis`), a plain path (`Thesis/Chapter 2`), or a collection key.
fn collection_arg(lib: &Library, v: Option<&Value>) -> Result<String> {
    let raw = v
        .and_then(Value::as_str)
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .ok_or_else(|| Error::InvalidInput("collection: missing (a collection path such as \"Thesis\")".into()))?;
    if let Some(c) = crate::app::zotero::collection_by_key(&lib.collection_tree()?, raw) {
        return Ok(c.path.clone());
    }
    // "/<library name>/<path>" (the library name may be empty: "//Thesis").
    Ok(match raw.strip_prefix('/') {
        Some(rest) => rest.split_once('/').map_or(rest, |(_, p)| p).to_string(),
        None => raw.to_string(),
    })
}

/// One JSON-RPC method that changes the library, on the host's writable library.
fn call_write(lib: &mut Library, method: &str, params: &Value) -> Result<Value> {
    match method {
        "collection.scanAUX" => {
            let path = collection_arg(lib, arg(params, 0, "collection"))?;
            let aux = arg(params, 1, "path")
                .and_then(Value::as_str)
                .ok_or_else(|| Error::InvalidInput("path: missing (the paper's .aux file)".into()))?;
            let aux = crate::app::aux_path(std::path::Path::new(aux))?;
            let r = lib.collection_fill_from_aux(&path, &aux)?;
            let id = lib.resolve_collection(&r.collection)?;
            Ok(json!({
                "libraryID": 1,
                "key": crate::app::zotero::object_key(id),
                "collection": r.collection,
                "items": r.cited,
                "added": r.added,
                "removed": r.removed,
                "missing": r.missing,
            }))
        }
        "autoexport.add" => {
            let path = collection_arg(lib, arg(params, 0, "collection"))?;
            let translator = arg(params, 1, "translator")
                .and_then(Value::as_str)
                .unwrap_or("Better BibLaTeX");
            let format = crate::app::cayw::translator_format(translator)?;
            let target = arg(params, 2, "path")
                .and_then(Value::as_str)
                .ok_or_else(|| Error::InvalidInput("path: missing (the file to keep up to date)".into()))?;
            let replace = arg(params, 4, "replace").and_then(Value::as_bool).unwrap_or(false);
            let id = lib.resolve_collection(&path)?;
            if replace
                && lib
                    .auto_exports()?
                    .iter()
                    .any(|a| std::path::Path::new(&a.export.path) == std::path::Path::new(target))
            {
                lib.auto_export_remove(target)?;
            }
            let r = lib.auto_export_add(crate::library::auto_export::AutoExport {
                path: target.to_string(),
                format: format.to_string(),
                scope: crate::library::auto_export::Scope::Collection { id, recursive: true },
                ascii: None,
                omit_fields: Vec::new(),
            })?;
            Ok(json!({
                "libraryID": 1,
                "key": crate::app::zotero::object_key(id),
                "id": r.path,
                "path": r.path,
                "items": r.items,
                "error": r.error,
            }))
        }
        other => Err(Error::NotFound(format!("method {other:?} does not exist"))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pull_targets() {
        let (l, n, f) = pull_target("/0/Thesis/Chapter%202.biblatex").unwrap();
        assert_eq!((l.as_str(), n.as_str(), f), ("0", "Thesis/Chapter 2", Format::Biblatex));
        assert!(pull_target("/0/Thesis.docx").is_err());
        assert!(pull_target("Thesis").is_err());
        assert_eq!(percent_decode("a%2Fb+c%zz"), "a/b c%zz");
    }
}
