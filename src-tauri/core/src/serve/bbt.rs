//! Better BibTeX's endpoints: pull export (`/better-bibtex/collection?/0/<path>.<fmt>`,
//! `/better-bibtex/library?/1/library.<fmt>`, which biber reads with
//! `\addbibresource[location=remote]{…}`), JSON-RPC 2.0 (`/better-bibtex/json-rpc`), and the
//! cite-as-you-write probe (`/better-bibtex/cayw?probe=true`).

use super::{error_response, Shared};
use crate::cite::{CiteStyle, CslStyle};
use crate::error::{Error, Result};
use crate::export::ExportOptions;
use crate::format::Format;
use crate::store::search::{Filter, Sort};
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
        "json" => Ok(Format::Json),
        other => Err(Error::InvalidInput(format!(
            "pull export as {other:?} is not served (biblatex, bibtex, ris, json)"
        ))),
    }
}

fn content_type(f: Format) -> &'static str {
    match f {
        Format::Ris => "application/x-research-info-systems; charset=utf-8",
        Format::Json => "application/json",
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

/// Export `filter`'s items (a whole collection with its subcollections, or the library).
fn export(lib: &Library, filter: &Filter, format: Format) -> Result<String> {
    let ids = lib.ids(filter, Sort::default())?;
    let mut items = Vec::with_capacity(ids.len());
    for id in ids {
        items.push(lib.get_by_id(id)?);
    }
    let w = lib.render(
        &items,
        &ExportOptions {
            format,
            ..Default::default()
        },
    )?;
    Ok(w.text)
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

/// `probe=true` answers `ready`. The picker and `selected=true` need the desktop app: the
/// headless server says so (501) instead of hanging.
async fn cayw(RawQuery(raw): RawQuery) -> Response {
    let p: Vec<(String, String)> = raw
        .and_then(|q| serde_urlencoded::from_str(&q).ok())
        .unwrap_or_default();
    if p.iter().any(|(k, v)| k == "probe" && (v == "true" || v == "1")) {
        return (StatusCode::OK, [(header::CONTENT_TYPE, "text/plain")], "ready").into_response();
    }
    (
        StatusCode::NOT_IMPLEMENTED,
        "the citation picker runs in the desktop app; `folio serve` has no window to show it\n",
    )
        .into_response()
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
    let out = s.read(move |lib| call(lib, &method, &params)).await;
    rpc_answer(match out {
        Ok(result) => json!({"jsonrpc": "2.0", "id": id2, "result": result}),
        Err(Error::NotFound(m)) if m.starts_with("method ") => rpc_error(id, -32601, m),
        Err(Error::InvalidInput(m)) => rpc_error(id, -32602, m),
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
fn call(lib: &Library, method: &str, params: &Value) -> Result<Value> {
    match method {
        "api.ready" => Ok(json!({"zotero": "7.0", "betterbibtex": "folio", "folio": env!("CARGO_PKG_VERSION")})),
        "user.groups" => Ok(json!([{"id": 1, "name": "My Library"}])),
        "item.search" => {
            let terms = arg(params, 0, "terms").and_then(Value::as_str).unwrap_or("");
            let q = crate::app::zotero::ItemsQuery {
                q: terms.to_string(),
                everything: true,
                limit: usize::MAX,
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
            let format = match translator.to_ascii_lowercase().replace(' ', "").as_str() {
                "betterbibtex" | "bibtex" => Format::Bibtex,
                "betterbiblatex" | "biblatex" => Format::Biblatex,
                "ris" => Format::Ris,
                "json" => Format::Json,
                other => {
                    return Err(Error::InvalidInput(format!(
                        "translator {other:?} (biblatex, bibtex, ris, json)"
                    )))
                }
            };
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
                .map(CslStyle::resolve)
                .transpose()
                .map_err(|e| Error::InvalidInput(e.to_string()))?
                .unwrap_or_else(|| CiteStyle::ChicagoAuthorDate.into());
            Ok(json!(crate::app::references(lib, &keys, &style)?.join("\n")))
        }
        "collection.scanAUX" | "autoexport.add" => Err(Error::InvalidInput(format!(
            "{method} changes the library, and this server is read-only"
        ))),
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
