//! The local HTTP API (`folio serve`) against its real clients: raw HTTP for the protocol's
//! edges and refusals, pyzotero (`local=True`) for Zotero's local API, and biber reading a
//! pull export with `\addbibresource[location=remote]{…}`.

use crate::support::{corpus, folio_bin, ok};
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

/// A running `folio serve --port 0`, stopped when dropped.
struct Server {
    child: Child,
    port: u16,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn serve(lib: &Path) -> Server {
    serve_with(lib, &[])
}

fn serve_with(lib: &Path, extra: &[&str]) -> Server {
    let mut args = vec!["--port", "0"];
    args.extend_from_slice(extra);
    let (child, line) = start_serve(lib, &args, Stdio::inherit());
    let port = port_of(&line);
    assert!(line.starts_with("listening on http://127.0.0.1:"), "{line}");
    Server { child, port }
}

/// `folio serve ARGS` on `lib`, and the first line it prints (where it listens).
fn start_serve(lib: &Path, args: &[&str], stderr: Stdio) -> (Child, String) {
    let mut child = Command::new(folio_bin())
        .args(["--library"])
        .arg(lib)
        .arg("serve")
        .args(args)
        .env_remove("FOLIO_LIBRARY")
        .stdout(Stdio::piped())
        .stderr(stderr)
        .spawn()
        .expect("start folio serve");
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .expect("folio serve prints where it listens");
    (child, line)
}

fn port_of(line: &str) -> u16 {
    line.trim()
        .rsplit(':')
        .next()
        .and_then(|p| p.parse().ok())
        .unwrap_or_else(|| panic!("no port in {line:?}"))
}

/// One HTTP/1.1 request; the status, the headers (lowercase names) and the body.
fn http(
    port: u16,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: &str,
) -> (u16, Vec<(String, String)>, String) {
    let mut s = TcpStream::connect(("127.0.0.1", port)).expect("connect");
    let mut req = format!(
        "{method} {path} HTTP/1.1\r\nConnection: close\r\nContent-Length: {}\r\n",
        body.len()
    );
    if !headers.iter().any(|(k, _)| k.eq_ignore_ascii_case("host")) {
        req.push_str(&format!("Host: 127.0.0.1:{port}\r\n"));
    }
    for (k, v) in headers {
        req.push_str(&format!("{k}: {v}\r\n"));
    }
    req.push_str("\r\n");
    req.push_str(body);
    s.write_all(req.as_bytes()).unwrap();
    let mut raw = Vec::new();
    s.read_to_end(&mut raw).unwrap();
    let text = String::from_utf8_lossy(&raw).into_owned();
    let (head, body) = text.split_once("\r\n\r\n").unwrap_or((&text, ""));
    let mut lines = head.lines();
    let status = lines
        .next()
        .unwrap_or("")
        .split(' ')
        .nth(1)
        .and_then(|c| c.parse().ok())
        .unwrap_or(0);
    let hs = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_string()))
        .collect();
    (status, hs, body.to_string())
}

fn get(port: u16, path: &str) -> (u16, Vec<(String, String)>, String) {
    http(port, "GET", path, &[], "")
}

fn header<'a>(hs: &'a [(String, String)], name: &str) -> Option<&'a str> {
    hs.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str())
}

/// A library with a RIS file in collection Thesis/Chapter 2 and a BibTeX file at the top.
fn library(dir: &Path) -> PathBuf {
    let lib = dir.join("lib.sqlite");
    let c = corpus().join("public");
    ok(
        &lib,
        &[
            "import",
            c.join("ris/asreview__pubmed_zotero.ris").to_str().unwrap(),
            "--collection",
            "Thesis/Chapter 2",
        ],
    );
    ok(
        &lib,
        &[
            "import",
            c.join("bibtex/citationjs__biblatex-input.bib").to_str().unwrap(),
        ],
    );
    lib
}

fn json(body: &str) -> serde_json::Value {
    serde_json::from_str(body).unwrap_or_else(|e| panic!("{e}: {body}"))
}

#[test]
fn the_zotero_api_answers_with_zotero_shapes_and_paging() {
    let dir = tempfile::tempdir().unwrap();
    let lib = library(dir.path());
    let total: usize = ok(&lib, &["list", "--json"]).matches("\"key\":").count();
    let srv = serve(&lib);
    let (st, hs, body) = get(srv.port, "/api/");
    assert_eq!((st, header(&hs, "zotero-api-version")), (200, Some("3")), "{body}");

    // Paging: Total-Results, Link next/last; pages of `limit` that add up to everything.
    let (st, hs, body) = get(srv.port, "/api/users/0/items?format=keys&limit=7");
    assert_eq!(st, 200, "{body}");
    assert_eq!(header(&hs, "total-results"), Some(total.to_string().as_str()));
    let link = header(&hs, "link").unwrap();
    assert!(
        link.contains("start=7>; rel=\"next\"") && link.contains("rel=\"last\""),
        "{link}"
    );
    let mut keys: Vec<String> = Vec::new();
    let mut start = 0;
    while start < total {
        let (_, _, body) = get(
            srv.port,
            &format!("/api/users/0/items?format=keys&limit=7&start={start}"),
        );
        keys.extend(body.lines().map(str::to_string));
        start += 7;
    }
    keys.sort();
    keys.dedup();
    assert_eq!(keys.len(), total);
    assert!(keys
        .iter()
        .all(|k| k.len() == 8 && k.bytes().all(|b| b.is_ascii_alphanumeric())));

    // One item in Zotero's JSON: type, creators with creatorType, tags with type, collections.
    let (st, _, body) = get(srv.port, "/api/users/0/items?q=Tripterygium&qmode=everything");
    assert_eq!(st, 200);
    let v = json(&body);
    let it = &v[0];
    assert_eq!(it["data"]["itemType"], "journalArticle");
    assert_eq!(it["data"]["publicationTitle"], "Medicine");
    assert_eq!(it["data"]["creators"][0]["creatorType"], "author");
    assert_eq!(it["data"]["creators"][0]["lastName"], "Zhang");
    assert_eq!(it["data"]["tags"][0]["type"], 1, "imported tags are type 1");
    assert!(it["data"]["extra"]
        .as_str()
        .unwrap()
        .starts_with("Citation Key: Zhang2019"));
    assert_eq!(it["data"]["collections"].as_array().unwrap().len(), 1);
    let key = it["key"].as_str().unwrap().to_string();
    let (st, _, one) = get(srv.port, &format!("/api/users/0/items/{key}"));
    assert_eq!((st, json(&one)["data"]["key"].as_str()), (200, Some(key.as_str())));
    let (st, _, kids) = get(srv.port, &format!("/api/users/0/items/{key}/children"));
    assert_eq!((st, kids.as_str()), (200, "[]"));

    // Collections by key, their items and subcollections.
    let (_, _, body) = get(srv.port, "/api/users/0/collections/top");
    let top = json(&body);
    assert_eq!(top.as_array().unwrap().len(), 1);
    assert_eq!(top[0]["data"]["name"], "Thesis");
    let thesis = top[0]["key"].as_str().unwrap();
    let (_, _, body) = get(srv.port, &format!("/api/users/0/collections/{thesis}/collections"));
    let sub = json(&body);
    assert_eq!(sub[0]["data"]["name"], "Chapter 2");
    assert_eq!(sub[0]["data"]["parentCollection"], thesis);
    let (_, hs, _) = get(
        srv.port,
        &format!(
            "/api/users/0/collections/{}/items?format=keys",
            sub[0]["key"].as_str().unwrap()
        ),
    );
    let in_ch2: usize = header(&hs, "total-results").unwrap().parse().unwrap();
    assert!(in_ch2 > 0 && in_ch2 < total, "{in_ch2} of {total}");

    // Exports: BibTeX that Folio reads back, as many entries as the page.
    let (st, hs, body) = get(srv.port, "/api/users/0/items?format=biblatex&limit=5");
    assert_eq!(st, 200);
    assert!(header(&hs, "content-type").unwrap().starts_with("application/x-bibtex"));
    assert_eq!(
        body.matches("\n@").count() + usize::from(body.starts_with('@')),
        5,
        "{body}"
    );

    // include=bib: a formatted reference, HTML-escaped.
    let (_, _, body) = get(
        srv.port,
        &format!("/api/users/0/items/{key}?include=bib,data&style=apa"),
    );
    let bib = json(&body)["bib"].as_str().unwrap().to_string();
    assert!(bib.contains("csl-entry") && bib.contains("Zhang"), "{bib}");
}

#[test]
fn bad_requests_and_foreign_callers_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let lib = library(dir.path());
    let srv = serve(&lib);
    let p = srv.port;
    // DNS rebinding: a page at evil.com resolving to 127.0.0.1 sends its own Host.
    for host in ["evil.com", "evil.com:23119", "127.0.0.1.evil.com", "10.0.0.1"] {
        let (st, _, body) = http(p, "GET", "/api/users/0/items", &[("Host", host)], "");
        assert_eq!(st, 403, "{host}: {body}");
        assert!(body.contains("not this machine's loopback"), "{body}");
    }
    // A web page's fetch carries its Origin.
    for origin in ["http://evil.com", "null", "https://127.0.0.1.evil.com"] {
        let (st, _, body) = http(
            p,
            "GET",
            "/better-bibtex/library?/1/library.biblatex",
            &[("Origin", origin)],
            "",
        );
        assert_eq!(st, 403, "{origin}: {body}");
    }
    let (st, _, _) = http(p, "GET", "/api/users/0/items", &[("Host", "localhost:1")], "");
    assert_eq!(st, 200);
    // Clear errors.
    assert_eq!(get(p, "/api/users/1/items").0, 404);
    assert_eq!(get(p, "/api/groups/1/items").0, 404);
    assert_eq!(get(p, "/api/users/0/items/ABCDEFGH").0, 404);
    assert_eq!(get(p, "/api/users/0/items/nonsense").0, 404);
    let (st, _, body) = get(p, "/api/users/0/items?limit=lots");
    assert_eq!(st, 400, "{body}");
    assert!(body.contains("limit"), "{body}");
    assert_eq!(get(p, "/api/users/0/items?format=docx").0, 400);
    assert_eq!(get(p, "/api/users/0/items?include=bib&style=nope").0, 400);
    assert_eq!(get(p, "/better-bibtex/collection?/0/Nowhere.biblatex").0, 404);
    // Nothing writes: no PUT/POST/DELETE on the Zotero API.
    assert_eq!(http(p, "POST", "/api/users/0/items", &[], "[]").0, 405);
    assert_eq!(http(p, "DELETE", "/api/users/0/items/ABCDEFGH", &[], "").0, 405);
}

#[test]
fn json_rpc_and_cayw_speak_better_bibtex() {
    let dir = tempfile::tempdir().unwrap();
    let lib = library(dir.path());
    let srv = serve(&lib);
    let rpc = |body: &str| {
        let (st, _, b) = http(
            srv.port,
            "POST",
            "/better-bibtex/json-rpc",
            &[("Content-Type", "application/json")],
            body,
        );
        assert_eq!(st, 200, "{b}");
        json(&b)
    };
    let r = rpc(r#"{"jsonrpc":"2.0","method":"api.ready","id":1}"#);
    assert_eq!(r["id"], 1);
    assert!(r["result"]["zotero"].is_string(), "{r}");
    let r = rpc(r#"{"jsonrpc":"2.0","method":"item.search","params":["Tripterygium"],"id":2}"#);
    assert_eq!(r["result"][0]["citekey"], "Zhang2019", "{r}");
    let zkey = r["result"][0]["id"].as_str().unwrap().to_string();
    let r = rpc(&format!(
        r#"{{"jsonrpc":"2.0","method":"item.citationkey","params":[["{zkey}","ZZZZZZZZ"]],"id":3}}"#
    ));
    assert_eq!(r["result"][&zkey], "Zhang2019", "{r}");
    assert!(r["result"]["ZZZZZZZZ"].is_null(), "{r}");
    let r = rpc(r#"{"jsonrpc":"2.0","method":"item.export","params":[["Zhang2019"],"Better BibLaTeX"],"id":4}"#);
    assert!(r["result"].as_str().unwrap().contains("@article{Zhang2019,"), "{r}");
    let r = rpc(r#"{"jsonrpc":"2.0","method":"item.bibliography","params":[["Zhang2019"],{"id":"apa"}],"id":5}"#);
    assert!(r["result"].as_str().unwrap().contains("Zhang, J."), "{r}");
    // JSON-RPC 2.0 error objects.
    assert_eq!(rpc("{not json")["error"]["code"], -32700);
    assert_eq!(rpc(r#"{"jsonrpc":"2.0","id":6}"#)["error"]["code"], -32600);
    assert_eq!(
        rpc(r#"{"jsonrpc":"2.0","method":"item.nothing","id":7}"#)["error"]["code"],
        -32601
    );
    assert_eq!(
        rpc(r#"{"jsonrpc":"2.0","method":"item.export","params":[],"id":8}"#)["error"]["code"],
        -32602
    );
    // Changes are refused unless the server was started to allow them; nothing is written.
    let target = dir.path().join("x.bib");
    let r = rpc(&format!(
        r#"{{"jsonrpc":"2.0","method":"autoexport.add","params":["Thesis","Better BibLaTeX","{}"],"id":9}}"#,
        target.display()
    ));
    assert_eq!(r["error"]["code"], -32000, "{r}");
    assert!(
        r["error"]["message"]
            .as_str()
            .unwrap()
            .contains("allow editors to change the library"),
        "{r}"
    );
    assert!(!target.exists());
    let r = rpc(r#"{"jsonrpc":"2.0","method":"collection.scanAUX","params":["Paper","p.aux"],"id":10}"#);
    assert_eq!(r["error"]["code"], -32000, "{r}");
    // The CAYW probe; the picker needs the desktop app's window.
    let (st, _, body) = get(srv.port, "/better-bibtex/cayw?probe=true");
    assert_eq!((st, body.as_str()), (200, "ready"));
    let (st, _, body) = get(srv.port, "/better-bibtex/cayw?format=pandoc");
    assert_eq!(st, 501, "{body}");
    assert!(body.contains("desktop app"), "{body}");
    let (st, _, body) = get(srv.port, "/better-bibtex/cayw?format=word");
    assert_eq!(st, 400, "{body}");
}

/// `curl`, as editor plug-ins call Better BibTeX (zotcite, citation.vim, the VS Code and Sublime
/// plug-ins): the CAYW probe, a JSON-RPC search and export posted with `-d`, a pull export
/// fetched with `-f`, and the refusal of a browser's `Origin` seen as curl's failure.
#[test]
fn curl_talks_to_json_rpc_and_cayw_as_editor_plugins_do() {
    let dir = tempfile::tempdir().unwrap();
    let lib = library(dir.path());
    let srv = serve(&lib);
    let base = format!("http://127.0.0.1:{}", srv.port);
    let curl = |args: &[&str]| {
        let out = Command::new("curl")
            .args(["-sS", "--max-time", "60"])
            .args(args)
            .output()
            .expect("curl is installed (bash .ci/test installs it)");
        (
            out.status.code(),
            String::from_utf8_lossy(&out.stdout).into_owned(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    };
    let (code, body, err) = curl(&[&format!("{base}/better-bibtex/cayw?probe=true")]);
    assert_eq!((code, body.as_str()), (Some(0), "ready"), "{err}");
    let rpc = |body: &str| {
        let (code, out, err) = curl(&[
            "-f",
            "-H",
            "Content-Type: application/json",
            "-H",
            "Accept: application/json",
            "-d",
            body,
            &format!("{base}/better-bibtex/json-rpc"),
        ]);
        assert_eq!(code, Some(0), "{err}");
        json(&out)
    };
    let r = rpc(r#"{"jsonrpc":"2.0","method":"item.search","params":["Tripterygium"],"id":1}"#);
    assert_eq!(r["result"][0]["citekey"], "Zhang2019", "{r}");
    let r = rpc(r#"{"jsonrpc":"2.0","method":"item.export","params":[["Zhang2019"],"Better BibTeX"],"id":2}"#);
    let bib = r["result"].as_str().unwrap_or_default();
    assert!(bib.contains("@article{Zhang2019,"), "{r}");
    let r = rpc(r#"{"jsonrpc":"2.0","method":"item.nothing","id":3}"#);
    assert_eq!(r["error"]["code"], -32601, "{r}");
    // A headless server has no picker window: curl -f fails with the server's 501.
    let (code, _, err) = curl(&["-f", &format!("{base}/better-bibtex/cayw?format=latex")]);
    assert_eq!(code, Some(22), "{err}");
    assert!(err.contains("501"), "{err}");
    // Pull export as a Makefile fetches it.
    let out = dir.path().join("thesis.bib");
    let (code, _, err) = curl(&[
        "-f",
        "-o",
        out.to_str().unwrap(),
        &format!("{base}/better-bibtex/collection?/0/Thesis.bibtex"),
    ]);
    assert_eq!(code, Some(0), "{err}");
    let text = std::fs::read_to_string(&out).unwrap();
    assert!(text.contains("@article{Zhang2019,"), "{text}");
    // A browser page's request carries its Origin and is refused.
    let (code, _, err) = curl(&[
        "-f",
        "-H",
        "Origin: https://evil.example",
        &format!("{base}/better-bibtex/cayw?probe=true"),
    ]);
    assert_eq!(code, Some(22), "{err}");
    assert!(err.contains("403"), "{err}");
}

/// Zotero's port 23119 taken (Zotero running): `folio serve` says so and serves on the next
/// free port; an explicit `--port` that is taken is an error naming the port.
#[test]
fn a_taken_port_is_named_and_another_is_used() {
    let dir = tempfile::tempdir().unwrap();
    let lib = library(dir.path());
    // Hold 23119 unless something else already does; either way it is taken.
    let _zotero = std::net::TcpListener::bind(("127.0.0.1", 23119)).ok();
    let (mut child, line) = start_serve(&lib, &[], Stdio::piped());
    let mut err_line = String::new();
    BufReader::new(child.stderr.take().unwrap())
        .read_line(&mut err_line)
        .unwrap();
    let _ = child.kill();
    let _ = child.wait();
    let port = port_of(&line);
    assert!(port > 23119 && port < 23119 + 100, "{line}");
    assert!(
        err_line.contains("port 23119 is taken (is Zotero running?)")
            && err_line.contains(&format!("serving on {port} instead")),
        "{err_line}"
    );
    // Taken on purpose: --port names it and fails.
    let holder = std::net::TcpListener::bind(("127.0.0.1", 0)).unwrap();
    let taken = holder.local_addr().unwrap().port().to_string();
    let out = crate::support::folio(&lib, &["serve", "--port", &taken]);
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains(&format!("cannot listen on 127.0.0.1:{taken}")), "{err}");
}

/// With `--allow-writes`, `collection.scanAUX` makes a collection hold what a paper's `.aux`
/// cites (one undoable action) and `autoexport.add` keeps a file of a collection up to date,
/// as Better BibTeX's editor plug-ins ask.
#[test]
fn editors_change_the_library_when_allowed() {
    let dir = tempfile::tempdir().unwrap();
    let lib = library(dir.path());
    let srv = serve_with(&lib, &["--allow-writes"]);
    let rpc = |body: String| {
        let (st, _, b) = http(
            srv.port,
            "POST",
            "/better-bibtex/json-rpc",
            &[("Content-Type", "application/json")],
            &body,
        );
        assert_eq!(st, 200, "{b}");
        json(&b)
    };
    let aux = dir.path().join("paper.aux");
    std::fs::write(&aux, "\\relax\n\\citation{Zhang2019}\n\\citation{Nobody1900}\n").unwrap();
    let r = rpc(format!(
        r#"{{"jsonrpc":"2.0","method":"collection.scanAUX","params":["/My Library/Papers/Draft","{}"],"id":1}}"#,
        aux.display()
    ));
    assert_eq!(r["result"]["collection"], "Papers/Draft", "{r}");
    assert_eq!(r["result"]["missing"], serde_json::json!(["Nobody1900"]), "{r}");
    let listed = ok(&lib, &["list", "--collection", "Papers/Draft", "--json"]);
    assert_eq!(listed.matches("\"key\":").count(), 1, "{listed}");
    assert!(listed.contains("Zhang2019"), "{listed}");
    // Scanning again after the paper changed replaces what the collection holds.
    std::fs::write(&aux, "\\citation{Zhang2019}\n").unwrap();
    let r = rpc(format!(
        r#"{{"jsonrpc":"2.0","method":"collection.scanAUX","params":{{"collection":"Papers/Draft","path":"{}"}},"id":2}}"#,
        aux.display()
    ));
    assert_eq!(
        (r["result"]["added"].as_u64(), r["result"]["removed"].as_u64()),
        (Some(0), Some(0)),
        "{r}"
    );
    // One undo takes the filling back.
    let history = ok(&lib, &["history"]);
    assert!(
        history.contains("Fill collection Papers/Draft from paper.aux"),
        "{history}"
    );
    // autoexport.add writes the collection's file now and keeps it.
    let target = dir.path().join("thesis.bib");
    let r = rpc(format!(
        r#"{{"jsonrpc":"2.0","method":"autoexport.add","params":["Thesis","Better BibTeX","{}"],"id":3}}"#,
        target.display()
    ));
    assert!(r["error"].is_null(), "{r}");
    let n = ok(&lib, &["list", "--collection", "Thesis/Chapter 2", "--json"])
        .matches("\"key\":")
        .count();
    let written = std::fs::read_to_string(&target).unwrap();
    assert_eq!(
        written.matches("\n@").count() + usize::from(written.starts_with('@')),
        n,
        "{written}"
    );
    assert!(ok(&lib, &["auto-export", "list"]).contains("thesis.bib"));
    // A second add of the same file is refused, unless `replace`.
    let again = format!(
        r#"{{"jsonrpc":"2.0","method":"autoexport.add","params":["Thesis","Better BibLaTeX","{}"],"id":4}}"#,
        target.display()
    );
    assert!(rpc(again.clone())["error"]["message"]
        .as_str()
        .unwrap()
        .contains("already"));
    let replaced = again.replace(r#""],"id":4"#, r#"",{},true],"id":4"#);
    assert!(rpc(replaced)["error"].is_null());
    assert!(std::fs::read_to_string(&target).unwrap().contains("@article{"));
    // A bad collection is a JSON-RPC error naming it.
    let r =
        rpc(r#"{"jsonrpc":"2.0","method":"autoexport.add","params":["Nope","biblatex","/tmp/n.bib"],"id":5}"#.into());
    assert!(r["error"]["message"].as_str().unwrap().contains("Nope"), "{r}");
}

/// CSL-JSON through the Zotero API (`format=csljson`, and pyzotero's `format=atom&content=csljson`)
/// and Better BibTeX's pull export (`.json` is CSL-JSON, `.yaml` CSL-YAML), read by pandoc.
#[test]
fn csl_json_is_served_and_pandoc_reads_it() {
    let dir = tempfile::tempdir().unwrap();
    let lib = library(dir.path());
    let srv = serve(&lib);
    let (st, hs, body) = get(srv.port, "/api/users/0/items?format=csljson&limit=5");
    assert_eq!(st, 200, "{body}");
    assert_eq!(
        header(&hs, "content-type"),
        Some("application/vnd.citationstyles.csl+json")
    );
    let v = json(&body);
    assert_eq!(v["items"].as_array().unwrap().len(), 5, "{v}");
    assert!(
        v["items"][0]["id"].is_string() && v["items"][0]["type"].is_string(),
        "{v}"
    );
    let (st, hs, body) = get(srv.port, "/api/users/0/items?format=atom&content=csljson&limit=3");
    assert_eq!(st, 200, "{body}");
    assert_eq!(header(&hs, "content-type"), Some("application/atom+xml"));
    assert_eq!(body.matches("<entry>").count(), 3, "{body}");
    for (ext, from) in [("json", "csljson"), ("yaml", "markdown")] {
        let (st, _, text) = get(srv.port, &format!("/better-bibtex/collection?/0/Thesis.{ext}"));
        assert_eq!(st, 200, "{text}");
        let f = dir
            .path()
            .join(format!("refs.{}", if ext == "yaml" { "md" } else { ext }));
        std::fs::write(&f, format!("{text}\n")).unwrap();
        let out = Command::new("pandoc")
            .args(["-f", from, "-t", "csljson"])
            .arg(&f)
            .output()
            .expect("pandoc (Debian package pandoc)");
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        let n = json(&String::from_utf8_lossy(&out.stdout)).as_array().unwrap().len();
        let expected = ok(&lib, &["list", "--collection", "Thesis/Chapter 2", "--json"])
            .matches("\"key\":")
            .count();
        assert_eq!(n, expected, "pandoc read {n} items of the .{ext} pull export");
    }
}

/// biber fetches the pull export itself, as a LaTeX user's document asks it to.
#[test]
fn biber_reads_a_pull_export_from_folio_serve() {
    let dir = tempfile::tempdir().unwrap();
    let lib = library(dir.path());
    // Thesis holds its subcollection's items: the pull export includes subcollections.
    let expected = ok(&lib, &["list", "--collection", "Thesis/Chapter 2", "--json"])
        .matches("\"key\":")
        .count();
    assert!(expected > 0);
    let srv = serve(&lib);
    let tex = dir.path().join("paper.tex");
    std::fs::write(
        &tex,
        format!(
            "\\documentclass{{article}}\n\\usepackage[backend=biber]{{biblatex}}\n\
             \\addbibresource[location=remote]{{http://127.0.0.1:{}/better-bibtex/collection?/0/Thesis.biblatex}}\n\
             \\begin{{document}}\n\\nocite{{*}}\n\\printbibliography\n\\end{{document}}\n",
            srv.port
        ),
    )
    .unwrap();
    let run = |prog: &str, args: &[&str]| {
        let out = Command::new(prog)
            .args(args)
            .current_dir(dir.path())
            .output()
            .unwrap_or_else(|e| panic!("{prog} not found ({e}); install texlive-luatex and biber"));
        (out.status.success(), String::from_utf8_lossy(&out.stdout).into_owned())
    };
    let (ok1, log) = run("lualatex", &["-interaction=nonstopmode", "paper.tex"]);
    assert!(ok1, "{log}");
    let (ok2, log) = run("biber", &["paper"]);
    assert!(ok2, "{log}");
    assert!(log.contains("is a remote BibTeX data source - fetching"), "{log}");
    assert!(!log.contains("WARN") && !log.contains("ERROR"), "{log}");
    let bbl = std::fs::read_to_string(dir.path().join("paper.bbl")).unwrap();
    assert_eq!(bbl.matches("\\entry{").count(), expected, "{bbl}");
    let (ok3, log) = run("lualatex", &["-interaction=nonstopmode", "paper.tex"]);
    assert!(ok3 && !log.contains("\n! "), "{log}");
}

/// pyzotero, the Python client most scripts use, with `local=True` pointed at the server.
#[test]
fn pyzotero_reads_the_library_through_the_local_api() {
    let dir = tempfile::tempdir().unwrap();
    let lib = dir.path().join("big.sqlite");
    let xz = corpus().join("large/derived/beebe-fish-10k.bib.xz");
    let bib = dir.path().join("fish.bib");
    let out = Command::new("xz").arg("-dc").arg(&xz).output().expect("xz (xz-utils)");
    assert!(out.status.success());
    std::fs::write(&bib, out.stdout).unwrap();
    ok(&lib, &["import", bib.to_str().unwrap(), "--collection", "Fish"]);
    let small = corpus().join("public/ris/asreview__pubmed_zotero.ris");
    ok(&lib, &["import", small.to_str().unwrap(), "--collection", "Fish/Crohn"]);
    let total = ok(&lib, &["info", "--json"]);
    let total: usize = json(&total)["items"].as_u64().unwrap() as usize;
    let srv = serve(&lib);
    let r = pyzotero(
        srv.port,
        r#"
out = {}
out["page"] = len(z.items(limit=10))
out["everything"] = len(set(i["key"] for i in z.everything(z.items(limit=100))))
out["top"] = len(z.top(limit=5))
cols = z.collections()
out["collections"] = sorted(c["data"]["name"] for c in cols)
crohn = [c for c in cols if c["data"]["name"] == "Crohn"][0]
out["crohn_items"] = len(z.everything(z.collection_items(crohn["key"])))
out["tags"] = len(z.everything(z.tags()))
z.add_parameters(q="Tripterygium", qmode="everything")
hits = z.items()
out["search"] = [h["data"]["title"][:12] for h in hits]
item = z.item(hits[0]["key"])
out["item_key"] = item["data"]["key"] == hits[0]["key"]
z.add_parameters(format="bibtex", limit=3)
out["bibtex_entries"] = len(z.items().entries)
z.add_parameters(content="csljson", limit=4)
csl = z.items()
out["csljson"] = [sorted(c.keys())[:2] for c in csl]
out["csljson_ids"] = all(isinstance(c["id"], str) and c["type"] for c in csl)
print(json.dumps(out))
"#,
    );
    assert_eq!(r["page"], 10);
    assert_eq!(r["everything"], total, "{r}");
    assert_eq!(r["top"], 5);
    assert_eq!(r["collections"], serde_json::json!(["Crohn", "Fish"]));
    assert_eq!(
        r["crohn_items"].as_u64().unwrap() as usize,
        ok(&lib, &["list", "--collection", "Fish/Crohn", "--json"])
            .matches("\"key\":")
            .count()
    );
    let tags = folio::Library::open_read_only(&lib).unwrap().tag_list().unwrap();
    assert_eq!(
        r["tags"].as_u64().unwrap() as usize,
        tags.iter().filter(|t| t.items > 0).count(),
        "{r}"
    );
    assert_eq!(r["search"], serde_json::json!(["Efficacy and"]), "{r}");
    assert_eq!(r["item_key"], true);
    assert_eq!(r["bibtex_entries"], 3, "{r}");
    assert_eq!(r["csljson"].as_array().map(Vec::len), Some(4), "{r}");
    assert_eq!(r["csljson_ids"], true, "{r}");
}

/// Run a pyzotero script against the server on `port` (`z` is the client); its last line
/// of output is JSON.
fn pyzotero(port: u16, body: &str) -> serde_json::Value {
    let script = format!(
        "import json, sys\ntry:\n    from pyzotero import zotero\nexcept ImportError:\n    sys.exit('pyzotero is not installed (pip install pyzotero)')\nz = zotero.Zotero(0, 'user', local=True)\nz.endpoint = 'http://localhost:{port}/api'\n{body}\n"
    );
    // FOLIO_PYTHON: the Python `.ci/test` set up with pyzotero (need_python_clients).
    let python = std::env::var("FOLIO_PYTHON").unwrap_or_else(|_| "python3".into());
    let out = Command::new(&python)
        .arg("-c")
        .arg(&script)
        .output()
        .expect("python (FOLIO_PYTHON)");
    assert!(
        out.status.success(),
        "pyzotero failed: {}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    json(String::from_utf8_lossy(&out.stdout).trim())
}

/// A client that keeps a copy (pyzotero's sync calls): the library version, item and
/// collection versions, `since=`, `/deleted`, the trash, and 304 for an unchanged library.
#[test]
fn pyzotero_follows_changes_by_version() {
    let dir = tempfile::tempdir().unwrap();
    let lib = library(dir.path());
    let srv = serve(&lib);
    let first = pyzotero(
        srv.port,
        "print(json.dumps({'v': z.last_modified_version(), 'items': z.item_versions(), \
         'collections': z.collection_versions()}))",
    );
    let v0 = first["v"].as_i64().unwrap();
    assert!(v0 >= 3, "two imports and their collections: {first}");
    let items = first["items"].as_object().unwrap();
    let total = ok(&lib, &["list", "--json"]).matches("\"key\":").count();
    assert_eq!(items.len(), total, "format=versions is the whole list");
    assert!(items.values().all(|v| v.as_i64().unwrap() <= v0));
    assert_eq!(first["collections"].as_object().unwrap().len(), 2);

    // Nothing changed: 304 for the library's version, 200 for an older one.
    let lmv = v0.to_string();
    let (st, hs, body) = http(
        srv.port,
        "GET",
        "/api/users/0/items?limit=1",
        &[("If-Modified-Since-Version", lmv.as_str())],
        "",
    );
    assert_eq!((st, body.as_str()), (304, ""));
    assert_eq!(header(&hs, "last-modified-version"), Some(lmv.as_str()));
    let older = (v0 - 1).to_string();
    let (st, _, _) = http(
        srv.port,
        "GET",
        "/api/users/0/collections",
        &[("If-Modified-Since-Version", older.as_str())],
        "",
    );
    assert_eq!(st, 200);

    // Change the library from another process while the server runs: edit one item, trash a
    // second and purge a third, delete a collection, tag a fourth.
    let keys: Vec<String> = json(&ok(&lib, &["list", "--json", "--sort", "key"]))
        .as_array()
        .unwrap()
        .iter()
        .take(4)
        .map(|i| i["key"].as_str().unwrap().to_string())
        .collect();
    ok(&lib, &["edit", &keys[0], "--set", "title=Changed by the CLI"]);
    ok(&lib, &["delete", &keys[2]]);
    ok(&lib, &["trash", "--empty"]);
    ok(&lib, &["delete", &keys[1]]);
    ok(&lib, &["collection", "delete", "Thesis/Chapter 2"]);
    ok(&lib, &["tag", "add", "read", &keys[3]]);
    let zkey = |k: &str| {
        let l = folio::Library::open_read_only(&lib).unwrap();
        folio::app::zotero::object_key(l.get(k).map(|i| i.id.unwrap()).unwrap_or_else(|_| {
            // The purged item: its id from the first listing is gone with it.
            panic!("{k} is not in the library")
        }))
    };
    let (edited, trashed, tagged) = (zkey(&keys[0]), zkey(&keys[1]), zkey(&keys[3]));
    let purged: Vec<&String> = items
        .keys()
        .filter(|k| {
            let l = folio::Library::open_read_only(&lib).unwrap();
            folio::app::zotero::object_id(k).is_some_and(|id| l.get_by_id(id).is_err())
        })
        .collect();
    assert_eq!(purged.len(), 1, "{purged:?}");

    let after = pyzotero(
        srv.port,
        &format!(
            "v = z.last_modified_version()\n\
             changed = z.item_versions(since={v0})\n\
             listed = [i['key'] for i in z.items(since={v0}, includeTrashed=1)]\n\
             trash = [(i['key'], i['data'].get('deleted')) for i in z.trash()]\n\
             gone = z.deleted(since={v0})\n\
             cols = z.collection_versions(since={v0})\n\
             tags = z.tags(since={v0})\n\
             print(json.dumps({{'v': v, 'changed': changed, 'listed': listed, 'trash': trash, \
             'deleted': gone, 'cols': cols, 'tags': tags}}))"
        ),
    );
    assert_eq!(after["v"].as_i64().unwrap(), v0 + 6, "one version per action: {after}");
    let changed = after["changed"].as_object().unwrap();
    // The edited and the tagged item; the items filed in the deleted collection changed too
    // (their `collections`); the trashed one is left out of a live listing.
    assert!(
        changed.contains_key(&edited) && changed.contains_key(&tagged),
        "{after}"
    );
    assert!(!changed.contains_key(&trashed), "{after}");
    assert!(changed.values().all(|v| v.as_i64().unwrap() > v0));
    let listed: Vec<&str> = after["listed"]
        .as_array()
        .unwrap()
        .iter()
        .map(|k| k.as_str().unwrap())
        .collect();
    assert!(
        listed.contains(&trashed.as_str()),
        "includeTrashed lists the trash: {after}"
    );
    assert_eq!(after["trash"], serde_json::json!([[trashed, 1]]), "{after}");
    assert_eq!(after["deleted"]["items"], serde_json::json!([purged[0]]), "{after}");
    assert_eq!(after["deleted"]["collections"].as_array().unwrap().len(), 1, "{after}");
    assert_eq!(after["cols"], serde_json::json!({}), "{after}");
    assert!(after["tags"].as_array().unwrap().iter().any(|t| t == "read"), "{after}");

    // `/deleted` without `since` is a clear 400.
    let (st, _, body) = get(srv.port, "/api/users/0/deleted");
    assert_eq!(st, 400, "{body}");
    assert!(body.contains("since"), "{body}");
}

/// Attachments are Zotero child items: pyzotero lists them, reads one and downloads its file.
#[test]
fn pyzotero_reads_attachments_and_their_files() {
    let dir = tempfile::tempdir().unwrap();
    let lib = crate::support::jaspers_library(dir.path());
    let pdf = corpus().join("pdf/public/cermine__test1.pdf");
    let linked = dir.path().join("linked paper.pdf");
    std::fs::copy(corpus().join("pdf/public/cermine__test2.pdf"), &linked).unwrap();
    ok(&lib, &["attach", "Jaspers2019", pdf.to_str().unwrap()]);
    ok(&lib, &["attach", "Jaspers2019", linked.to_str().unwrap(), "--link"]);
    let srv = serve(&lib);
    let out = pyzotero(
        srv.port,
        "item = z.items(limit=1)[0]\n\
         kids = z.children(item['key'])\n\
         one = z.item(kids[0]['key'])\n\
         data = z.file(kids[0]['key'])\n\
         linked = z.file(kids[1]['key'])\n\
         print(json.dumps({'num': item['meta']['numChildren'], \
         'kids': [(k['data']['itemType'], k['data']['linkMode'], k['data']['contentType'], k['data']['parentItem'] == item['key']) for k in kids], \
         'one': one['data']['title'], 'filename': one['data'].get('filename'), 'bytes': len(data), 'linked': len(linked)}))",
    );
    assert_eq!(out["num"], 2, "{out}");
    assert_eq!(
        out["kids"],
        serde_json::json!([
            ["attachment", "imported_file", "application/pdf", true],
            ["attachment", "linked_file", "application/pdf", true]
        ])
    );
    assert_eq!(out["one"], "cermine__test1.pdf");
    assert_eq!(
        out["filename"], "Jaspers 2019 - The temporary use of vacant spaces.pdf",
        "{out}"
    );
    assert_eq!(out["bytes"].as_u64(), Some(std::fs::metadata(&pdf).unwrap().len()));
    assert_eq!(out["linked"].as_u64(), Some(std::fs::metadata(&linked).unwrap().len()));
    // The file's URL, and a missing file is a clear 404.
    let list: serde_json::Value = json(&get(srv.port, "/api/users/0/items?limit=1").2);
    let key = list[0]["key"].as_str().unwrap().to_string();
    let kids = json(&get(srv.port, &format!("/api/users/0/items/{key}/children")).2);
    let linked_key = kids[1]["key"].as_str().unwrap().to_string();
    let (st, _, url) = get(srv.port, &format!("/api/users/0/items/{linked_key}/file/view/url"));
    assert_eq!(st, 200);
    assert!(
        url.starts_with("file:///") && url.ends_with("linked%20paper.pdf"),
        "{url}"
    );
    std::fs::remove_file(&linked).unwrap();
    let (st, _, body) = get(srv.port, &format!("/api/users/0/items/{linked_key}/file"));
    assert_eq!(st, 404, "{body}");
    assert!(body.contains("missing"), "{body}");
}

#[test]
fn pyzotero_reads_attachments_full_text() {
    let dir = tempfile::tempdir().unwrap();
    let lib = crate::support::jaspers_library(dir.path());
    let notes = dir.path().join("notes.txt");
    std::fs::write(&notes, "Vacant spaces are used\u{c}temporarily by artists.").unwrap();
    ok(&lib, &["attach", "Jaspers2019", notes.to_str().unwrap()]);
    let before: i64 = serde_json::from_str::<serde_json::Value>(&ok(&lib, &["info", "--json"])).unwrap()["version"]
        .as_i64()
        .unwrap();
    ok(&lib, &["fulltext", "index"]);
    let srv = serve(&lib);
    let out = pyzotero(
        srv.port,
        &format!(
            "item = [i for i in z.items() if i['data'].get('title', '').startswith('The temporary use')][0]\n\
             kid = z.children(item['key'])[0]\n\
             ft = z.fulltext_item(kid['key'])\n\
             print(json.dumps({{'ft': ft, 'new': z.new_fulltext({before} - 1), 'kid': kid['key'], 'parent': item['key']}}))"
        ),
    );
    assert_eq!(
        out["ft"]["content"], "Vacant spaces are used\ntemporarily by artists.",
        "{out}"
    );
    assert_eq!(out["ft"]["indexedChars"], 46);
    let kid = out["kid"].as_str().unwrap();
    assert!(out["new"][kid].as_i64().is_some(), "{out}");
    // Not indexed yet (a new attachment): a clear 404.
    let other = dir.path().join("other.txt");
    std::fs::write(&other, "x").unwrap();
    ok(&lib, &["attach", "Jaspers2019", other.to_str().unwrap()]);
    let parent = out["parent"].as_str().unwrap();
    let kids = json(&get(srv.port, &format!("/api/users/0/items/{parent}/children")).2);
    let second = kids[1]["key"].as_str().unwrap();
    let (st, _, body) = get(srv.port, &format!("/api/users/0/items/{second}/fulltext"));
    assert_eq!(st, 404, "{body}");
    assert!(body.contains("no indexed text (pending)"), "{body}");
}

/// Percent-encoding for a query value (a style URL or a file path).
fn query_value(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'a'..=b'z' | b'A'..=b'Z' | b'0'..=b'9' | b'-' | b'.' | b'_' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// Custom CSL styles: `style=` and `item.bibliography`'s format id take any bundled style by
/// name or Zotero id, or a .csl file in the server's styles folder (no other file); an
/// unknown style is a 400 with the reason.
#[test]
fn any_csl_style_by_name_id_or_file() {
    let dir = tempfile::tempdir().unwrap();
    let lib = crate::support::jaspers_library(dir.path());
    let styles = dir.path().join("styles");
    std::fs::create_dir(&styles).unwrap();
    let csl = styles.join("my style.csl");
    std::fs::write(
        &csl,
        r#"<?xml version="1.0" encoding="utf-8"?>
<style xmlns="http://purl.org/net/xbiblio/csl" class="in-text" version="1.0">
  <info><title>Serve test</title><id>http://example.org/serve-test</id><updated>2026-01-01T00:00:00+00:00</updated></info>
  <citation><layout><text value="CITED"/></layout></citation>
  <bibliography><layout><text value="SERVED: "/><text variable="title" text-case="uppercase"/></layout></bibliography>
</style>"#,
    )
    .unwrap();
    let outside = dir.path().join("outside.csl");
    std::fs::copy(&csl, &outside).unwrap();
    // Without a styles folder, no file at all.
    {
        let srv = serve(&lib);
        let (st, _, body) = get(
            srv.port,
            &format!(
                "/api/users/0/items?include=bib&style={}",
                query_value(csl.to_str().unwrap())
            ),
        );
        assert_eq!(st, 400, "{body}");
        assert!(body.contains("--styles"), "{body}");
    }
    let srv = serve_with(&lib, &["--styles", styles.to_str().unwrap()]);
    let bib = |style: &str| {
        let (st, _, body) = get(
            srv.port,
            &format!("/api/users/0/items?include=bib,citation&style={}", query_value(style)),
        );
        assert_eq!(st, 200, "{style}: {body}");
        let v = json(&body);
        (
            v[0]["bib"].as_str().unwrap().to_string(),
            v[0]["citation"].as_str().unwrap().to_string(),
        )
    };
    // Nature: numbered, "&" HTML-escaped.
    let (nature, _) = bib("nature");
    assert!(
        nature.contains("1. Jaspers, S. &amp; Steen, T. The temporary use of vacant spaces."),
        "{nature}"
    );
    assert_eq!(bib("http://www.zotero.org/styles/nature").0, nature);
    let (mine, cited) = bib(csl.to_str().unwrap());
    assert!(mine.contains("SERVED: THE TEMPORARY USE OF VACANT SPACES"), "{mine}");
    assert!(cited.contains("CITED"), "{cited}");
    assert_eq!(bib("my style.csl").0, mine, "a file name is looked up in the folder");
    // Files outside the folder are refused, however they are named.
    for other in [
        outside.to_str().unwrap().to_string(),
        styles.join("../outside.csl").to_str().unwrap().to_string(),
        "../outside.csl".to_string(),
    ] {
        let (st, _, body) = get(
            srv.port,
            &format!("/api/users/0/items?include=bib&style={}", query_value(&other)),
        );
        assert_eq!(st, 400, "{other}: {body}");
        assert!(body.contains("only from"), "{body}");
    }

    let (st, _, body) = get(srv.port, "/api/users/0/items?include=bib&style=natur");
    assert_eq!(st, 400, "{body}");
    assert!(
        body.contains("unknown citation style") && body.contains("nature"),
        "{body}"
    );
    let missing = styles.join("missing.csl");
    let (st, _, body) = get(
        srv.port,
        &format!(
            "/api/users/0/items?include=bib&style={}",
            query_value(missing.to_str().unwrap())
        ),
    );
    assert_eq!(st, 400, "{body}");
    assert!(body.contains("missing.csl"), "{body}");

    // Better BibTeX's JSON-RPC: the format id is a Zotero style id, a name or a file.
    let rpc = |style: &str| {
        let (st, _, b) = http(
            srv.port,
            "POST",
            "/better-bibtex/json-rpc",
            &[("Content-Type", "application/json")],
            &serde_json::json!({
                "jsonrpc": "2.0",
                "method": "item.bibliography",
                "params": [["Jaspers2019"], {"id": style}],
                "id": 1
            })
            .to_string(),
        );
        assert_eq!(st, 200, "{b}");
        json(&b)
    };
    let r = rpc("http://www.zotero.org/styles/nature");
    assert!(
        r["result"].as_str().unwrap().starts_with("1. Jaspers, S. & Steen, T."),
        "{r}"
    );
    let r = rpc(csl.to_str().unwrap());
    assert_eq!(r["result"], "SERVED: THE TEMPORARY USE OF VACANT SPACES", "{r}");
    let r = rpc("http://www.zotero.org/styles/no-such-style");
    assert_eq!(r["error"]["code"], -32602, "{r}");
    assert!(r["error"]["message"].as_str().unwrap().contains("folio styles"), "{r}");
}

/// The server's peak resident memory (kB), from /proc.
#[cfg(target_os = "linux")]
fn peak_kb(pid: u32) -> u64 {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .unwrap()
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .expect("VmHWM in /proc/<pid>/status")
}

#[test]
fn a_big_file_is_streamed_whole_in_flat_memory() {
    use sha2::Digest;
    let dir = tempfile::tempdir().unwrap();
    let lib = crate::support::jaspers_library(dir.path());
    // 96 MiB that do not compress, written in pieces.
    let big = dir.path().join("big.bin");
    {
        let mut f = std::io::BufWriter::new(std::fs::File::create(&big).unwrap());
        let mut x = 0x9e37_79b9_7f4a_7c15u64;
        let mut chunk = vec![0u8; 1 << 20];
        for _ in 0..96 {
            for b in chunk.chunks_mut(8) {
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                b.copy_from_slice(&x.to_le_bytes());
            }
            f.write_all(&chunk).unwrap();
        }
    }
    let want = sha2::Sha256::digest(std::fs::read(&big).unwrap());
    ok(&lib, &["attach", "Jaspers2019", big.to_str().unwrap(), "--link"]);
    let srv = serve(&lib);
    let list: serde_json::Value = json(&get(srv.port, "/api/users/0/items?limit=1").2);
    let key = list[0]["key"].as_str().unwrap().to_string();
    let kids = json(&get(srv.port, &format!("/api/users/0/items/{key}/children")).2);
    let file_key = kids[0]["key"].as_str().unwrap().to_string();
    #[cfg(target_os = "linux")]
    let before = peak_kb(srv.child.id());
    let mut s = TcpStream::connect(("127.0.0.1", srv.port)).unwrap();
    write!(
        s,
        "GET /api/users/0/items/{file_key}/file HTTP/1.1\r\nHost: 127.0.0.1:{}\r\nConnection: close\r\n\r\n",
        srv.port
    )
    .unwrap();
    let mut raw = Vec::new();
    s.read_to_end(&mut raw).unwrap();
    let split = raw.windows(4).position(|w| w == b"\r\n\r\n").expect("a head") + 4;
    let head = String::from_utf8_lossy(&raw[..split]).to_ascii_lowercase();
    assert!(head.starts_with("http/1.1 200"), "{head}");
    assert!(head.contains(&format!("content-length: {}", 96u64 << 20)), "{head}");
    let body = &raw[split..];
    assert_eq!(body.len(), 96 << 20);
    assert!(sha2::Sha256::digest(body) == want, "the bytes served are the file's");
    #[cfg(target_os = "linux")]
    {
        let grew = peak_kb(srv.child.id()).saturating_sub(before);
        assert!(
            grew < 24 * 1024,
            "serving 96 MiB raised the server's peak memory by {grew} kB"
        );
    }
}
