//! The local HTTP API: Folio answers the requests researchers' tools already send to Zotero on
//! `http://127.0.0.1:23119` — Zotero's read-only local API under `/api/` (module `zotero_api`) and
//! Better BibTeX's endpoints under `/better-bibtex/` (module `bbt`: pull export, JSON-RPC, the CAYW
//! probe). A thin front end on tokio (axum): it parses requests, calls the application layer
//! ([`crate::app::zotero`], exports, citations) on a blocking thread with a read-only
//! connection, and writes the answer. It holds no rules of its own.
//!
//! Security, as Zotero's own server: it listens on loopback only; a request whose `Host` is not
//! a loopback name is refused (DNS rebinding), and so is any request with an `Origin` header
//! that is not one of the configured origins (a web page's `fetch`); everything is read-only
//! except the cite-as-you-write picker, `collection.scanAUX` and `autoexport.add`, which the
//! [`Host`]'s "allow editors to change the library" setting must allow.

mod bbt;
mod zotero_api;

use crate::error::{Error, Result};
use crate::Library;
use axum::extract::{Request, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::Router;
use std::net::{Ipv4Addr, SocketAddr};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

/// How many requests read the library at once (and how many connections the pool keeps).
pub const MAX_READERS: usize = 8;

/// Zotero's port: clients look here without configuration.
pub const DEFAULT_PORT: u16 = 23119;
/// When the default port is taken (Zotero is running), the next ports tried.
pub const FALLBACK_PORTS: u16 = 20;

/// What the program running the server offers besides the library file: the setting that
/// lets editors change the library, the user's selection, the citation picker, and its own
/// writer (so a change an editor asks for is one more action of the app: undoable, shown at
/// once, followed by its auto-exports). The desktop app implements it with its window;
/// [`Headless`] is `folio serve`'s.
pub trait Host: Send + Sync + 'static {
    /// "Allow editors to change the library": `cayw` (other than its probe),
    /// `collection.scanAUX` and `autoexport.add` are refused unless this is on.
    fn writes_allowed(&self) -> bool;
    /// Whether there is a window to pick in (and a selection).
    fn has_window(&self) -> bool;
    /// The citation keys of the items selected in the app, in view order. Called on a blocking
    /// thread.
    fn selected(&self) -> Result<Vec<String>>;
    /// Bring up the citation picker and wait for the user: the items picked (with their
    /// prefixes, locators, suffixes), or `None` when they cancelled.
    fn pick(&self) -> PickFuture;
    /// Run one action that changes the library, with the host's writer. Called on a blocking
    /// thread.
    fn write(&self, action: WriteAction) -> Result<serde_json::Value>;
}

/// The picker's answer, when the user is done.
pub type PickFuture =
    std::pin::Pin<Box<dyn std::future::Future<Output = Result<Option<Vec<crate::app::cayw::Citation>>>> + Send>>;
/// An action on a writable library.
pub type WriteAction = Box<dyn FnOnce(&mut Library) -> Result<serde_json::Value> + Send>;

/// `folio serve`'s host: no window; changes (when allowed with `--allow-writes`) are made
/// through a library handle of its own, one action per request.
pub struct Headless {
    pub library: PathBuf,
    pub allow_writes: bool,
}

impl Host for Headless {
    fn writes_allowed(&self) -> bool {
        self.allow_writes
    }
    fn has_window(&self) -> bool {
        false
    }
    fn selected(&self) -> Result<Vec<String>> {
        Err(no_window())
    }
    fn pick(&self) -> PickFuture {
        Box::pin(async { Err(no_window()) })
    }
    fn write(&self, action: WriteAction) -> Result<serde_json::Value> {
        let mut lib = Library::open(&self.library)?;
        action(&mut lib)
    }
}

fn no_window() -> Error {
    Error::InvalidInput(
        "the citation picker and the selection are the desktop app's; `folio serve` has no window".into(),
    )
}

/// How the server runs.
#[derive(Clone)]
pub struct Config {
    pub library: PathBuf,
    /// The port asked for; `None`: [`DEFAULT_PORT`], or one of the next [`FALLBACK_PORTS`] when
    /// it is taken. `Some(0)`: any free port (tests).
    pub port: Option<u16>,
    /// `Origin` values accepted besides none at all (the desktop app's own webview).
    pub allowed_origins: Vec<String>,
    /// The program around the server (window, selection, writer, the writes setting).
    pub host: Arc<dyn Host>,
    /// The only folder `style=` may name `.csl` files in (clients are any local program;
    /// `None`: bundled styles only).
    pub styles: Option<PathBuf>,
}

impl Config {
    /// Headless, read-only.
    pub fn new(library: &Path) -> Config {
        Config {
            library: library.to_path_buf(),
            port: None,
            allowed_origins: Vec::new(),
            styles: None,
            host: Arc::new(Headless {
                library: library.to_path_buf(),
                allow_writes: false,
            }),
        }
    }
}

/// Read-only connections to the library, reused across requests (opening one costs a few
/// milliseconds; SQLite's WAL lets them read while the app or the CLI writes).
struct Pool {
    path: PathBuf,
    free: Mutex<Vec<Library>>,
}

impl Pool {
    fn with<R>(&self, f: impl FnOnce(&Library) -> Result<R>) -> Result<R> {
        let lib = match self
            .free
            .lock()
            .map_err(|_| Error::Format("the server's connection pool was poisoned".into()))?
            .pop()
        {
            Some(l) => l,
            None => Library::open_read_only(&self.path)?,
        };
        let out = f(&lib);
        if let Ok(mut free) = self.free.lock() {
            if free.len() < MAX_READERS {
                free.push(lib);
            }
        }
        out
    }
}

/// What every handler shares.
#[derive(Clone)]
pub(crate) struct Shared {
    pool: Arc<Pool>,
    /// At most [`MAX_READERS`] requests read at once (each with its own connection and page
    /// cache); the others wait their turn instead of opening a connection each.
    readers: Arc<tokio::sync::Semaphore>,
    pub(crate) host: Arc<dyn Host>,
    allowed_origins: Arc<Vec<String>>,
    library_name: Arc<String>,
    /// [`Config::styles`].
    pub(crate) styles: Option<Arc<PathBuf>>,
}

impl Shared {
    /// Run `f` on a blocking thread with a read-only connection (SQLite calls block).
    pub(crate) async fn read<R: Send + 'static>(
        &self,
        f: impl FnOnce(&Library) -> Result<R> + Send + 'static,
    ) -> Result<R> {
        let permit = self
            .readers
            .clone()
            .acquire_owned()
            .await
            .map_err(|e| Error::Format(format!("request queue: {e}")))?;
        let pool = self.pool.clone();
        tokio::task::spawn_blocking(move || {
            let out = pool.with(f);
            drop(permit);
            out
        })
        .await
        .map_err(|e| Error::Format(format!("request thread: {e}")))?
    }

    /// Run a change through the host's writer on a blocking thread, when editors may change
    /// the library; refused otherwise.
    pub(crate) async fn write(&self, what: &str, action: WriteAction) -> Result<serde_json::Value> {
        if !self.host.writes_allowed() {
            return Err(Error::Forbidden(format!(
                "{what} changes the library, and \"allow editors to change the library\" is off \
                 (the app's Settings, or `folio serve --allow-writes`)"
            )));
        }
        let host = self.host.clone();
        tokio::task::spawn_blocking(move || host.write(action))
            .await
            .map_err(|e| Error::Format(format!("request thread: {e}")))?
    }

    /// The base URL clients used to reach this server (for `Link` headers and `links`).
    pub(crate) fn origin(&self, headers: &HeaderMap) -> crate::app::zotero::Origin {
        let host = headers
            .get(header::HOST)
            .and_then(|h| h.to_str().ok())
            .unwrap_or("127.0.0.1");
        crate::app::zotero::Origin {
            base: format!("http://{host}"),
            library_name: self.library_name.to_string(),
        }
    }
}

/// An error as an HTTP answer: 404 for what does not exist, 400 for a bad request, 503 when the
/// library cannot be read, 500 otherwise; the body says why in plain text.
pub(crate) fn error_response(e: &Error) -> Response {
    let status = match e {
        Error::NotFound(_) => StatusCode::NOT_FOUND,
        Error::InvalidInput(_) | Error::InvalidQuery { .. } => StatusCode::BAD_REQUEST,
        Error::Forbidden(_) => StatusCode::FORBIDDEN,
        Error::Conflict(_) => StatusCode::CONFLICT,
        Error::Busy | Error::NotALibrary { .. } | Error::Damaged { .. } | Error::TooNew { .. } => {
            StatusCode::SERVICE_UNAVAILABLE
        }
        _ => StatusCode::INTERNAL_SERVER_ERROR,
    };
    (
        status,
        [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
        format!("{e}\n"),
    )
        .into_response()
}

/// Whether `host` (a `Host` header: name and optional port) names this machine's loopback.
fn loopback_host(host: &str) -> bool {
    let name = if let Some(rest) = host.strip_prefix('[') {
        rest.split(']').next().unwrap_or("")
    } else {
        host.rsplit_once(':').map_or(
            host,
            |(n, p)| if p.bytes().all(|b| b.is_ascii_digit()) { n } else { host },
        )
    };
    matches!(name.to_ascii_lowercase().as_str(), "127.0.0.1" | "localhost" | "::1")
}

/// Refuses what Zotero refuses: a `Host` that is not loopback (a DNS-rebinding page) and a
/// web page's `Origin`.
async fn guard(State(shared): State<Shared>, req: Request, next: Next) -> Response {
    let headers = req.headers();
    let host = headers.get(header::HOST).and_then(|h| h.to_str().ok()).unwrap_or("");
    if !loopback_host(host) {
        return (
            StatusCode::FORBIDDEN,
            format!("refused: Host {host:?} is not this machine's loopback (127.0.0.1, localhost)\n"),
        )
            .into_response();
    }
    if let Some(origin) = headers.get(header::ORIGIN) {
        let o = origin.to_str().unwrap_or("");
        if !shared.allowed_origins.iter().any(|a| a == o) {
            return (
                StatusCode::FORBIDDEN,
                format!("refused: requests from web pages (Origin {o:?}) may not read the library\n"),
            )
                .into_response();
        }
    }
    let mut resp = next.run(req).await;
    resp.headers_mut()
        .insert("Zotero-API-Version", HeaderValue::from_static("3"));
    resp
}

/// The router: Zotero's local API, Better BibTeX's endpoints, the guard around both.
fn router(shared: Shared) -> Router {
    Router::new()
        .merge(zotero_api::routes())
        .merge(bbt::routes())
        .layer(middleware::from_fn_with_state(shared.clone(), guard))
        .with_state(shared)
}

/// A bound server, not yet serving: its address is known (for a port picked by the OS or a
/// fallback), so a caller can say where it listens before it starts.
pub struct Bound {
    listener: tokio::net::TcpListener,
    shared: Shared,
    /// Set when the default port was taken and another was used.
    pub fallback_from: Option<u16>,
}

impl Bound {
    pub fn local_addr(&self) -> SocketAddr {
        self.listener
            .local_addr()
            .unwrap_or_else(|_| SocketAddr::from((Ipv4Addr::LOCALHOST, 0)))
    }

    /// Serve until `shutdown` resolves.
    pub async fn serve(self, shutdown: impl std::future::Future<Output = ()> + Send + 'static) -> Result<()> {
        axum::serve(self.listener, router(self.shared))
            .with_graceful_shutdown(shutdown)
            .await
            .map_err(|e| serve_error(format!("the server stopped: {e}")))
    }
}

fn serve_error(message: String) -> Error {
    Error::InvalidInput(message)
}

/// Open the library (read-only, to check it is one) and bind `127.0.0.1` on the configured
/// port: the default port, else the next free one after it; an explicit port that is taken is
/// an error naming it.
pub async fn bind(config: &Config) -> Result<Bound> {
    let lib = Library::open_read_only(&config.library)?;
    let shared = Shared {
        pool: Arc::new(Pool {
            path: config.library.clone(),
            free: Mutex::new(vec![lib]),
        }),
        host: config.host.clone(),
        readers: Arc::new(tokio::sync::Semaphore::new(MAX_READERS)),
        allowed_origins: Arc::new(config.allowed_origins.clone()),
        styles: config.styles.clone().map(Arc::new),
        library_name: Arc::new(
            config
                .library
                .file_stem()
                .map_or("My Library".into(), |s| s.to_string_lossy().into_owned()),
        ),
    };
    let candidates: Vec<u16> = match config.port {
        Some(p) => vec![p],
        None => (DEFAULT_PORT..DEFAULT_PORT.saturating_add(FALLBACK_PORTS)).collect(),
    };
    let mut last = None;
    for (i, port) in candidates.iter().enumerate() {
        match tokio::net::TcpListener::bind((Ipv4Addr::LOCALHOST, *port)).await {
            Ok(listener) => {
                return Ok(Bound {
                    listener,
                    shared,
                    fallback_from: (i > 0).then_some(DEFAULT_PORT),
                })
            }
            Err(e) => last = Some((*port, e)),
        }
    }
    let (port, e) = last.expect("at least one port tried");
    Err(serve_error(if candidates.len() > 1 {
        format!(
            "ports {DEFAULT_PORT}–{port} on 127.0.0.1 are all taken ({e}); is Zotero or another Folio running? Use --port N"
        )
    } else {
        format!("cannot listen on 127.0.0.1:{port}: {e}")
    }))
}

#[cfg(test)]
mod tests {
    #[test]
    fn loopback_hosts() {
        for h in [
            "127.0.0.1",
            "127.0.0.1:23119",
            "localhost:1",
            "LOCALHOST",
            "[::1]:23119",
            "[::1]",
        ] {
            assert!(super::loopback_host(h), "{h}");
        }
        for h in [
            "",
            "evil.com",
            "evil.com:23119",
            "127.0.0.1.evil.com",
            "localhost.evil.com:80",
            "10.0.0.1",
            "[::2]:1",
        ] {
            assert!(!super::loopback_host(h), "{h}");
        }
    }
}
