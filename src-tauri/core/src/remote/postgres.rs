//! [`super::Remote`] on a stock PostgreSQL server (issue 27).
//!
//! The server's schema is `postgres/schema.sql` (the first member whose role may create
//! tables creates it); the server's SQL lives in this module as the library's lives in
//! `store/`. A push is one transaction that locks the library's row, checks the action id,
//! every object's base version and the citation keys, stages the objects with `COPY` and writes
//! them set-wise, then `NOTIFY`s `folio_change`; [`PgRemote::wait_for_change`] listens on a
//! connection of its own and polls as a fallback. A lost connection is
//! [`Error::Offline`]; the next call connects again (and a call on a connection found dead
//! is retried once on a new one: every call is a read or an idempotent push).

mod conninfo;
mod sql;
mod tls;

use self::conninfo::ConnInfo;
use self::sql::Failure;
use super::{Cursor, Page, Push, PushOutcome, Remote, SharedAction, Uuid, TIMEOUT};
use crate::error::{Error, Result};
use std::ops::ControlFlow;
use std::time::{Duration, Instant};
use tokio::io::{AsyncRead, AsyncWrite};
use tokio::sync::watch;
use tokio_postgres::{AsyncMessage, Client, Connection, NoTls};

/// How often [`PgRemote::wait_for_change`] asks the server itself, in case notifications
/// stopped (a proxy that drops idle connections, a listener connection lost silently).
pub const POLL: Duration = Duration::from_secs(5);

/// A push may take longer than [`TIMEOUT`] by this much per object (a 50k import).
const PER_OBJECT: Duration = Duration::from_millis(1);

/// One shared library on a PostgreSQL server.
pub struct PgRemote {
    info: ConnInfo,
    library_name: String,
    library: i64,
    conn: Option<Conn>,
    listener: Option<Listener>,
}

struct Conn {
    client: Client,
    /// The session's staging table for pushes exists.
    staging: bool,
}

/// The connection that LISTENs; its task publishes the newest version notified.
struct Listener {
    _client: Client,
    versions: watch::Receiver<i64>,
}

/// Runs `$body` (a future using `$c: &mut Conn`) within `$budget` on a live connection,
/// connecting first when there is none; a connection found dead is replaced and `$body` run
/// once more.
macro_rules! on_server {
    ($self:ident, $budget:expr, |$c:ident| $body:expr) => {{
        let mut retried = false;
        loop {
            let fresh = $self.ensure_connected().await?;
            let $c = $self.conn.as_mut().expect("connected");
            let outcome = tokio::time::timeout($budget, $body).await;
            match $self.settle(outcome, fresh || retried) {
                ControlFlow::Break(r) => break r,
                ControlFlow::Continue(()) => retried = true,
            }
        }
    }};
}

impl PgRemote {
    /// Connects to the server at `url` (a libpq URL: `postgresql://user@host:port/db?sslmode=…`;
    /// `password` replaces the URL's), creates Folio's schema when it is missing and the role
    /// may, and finds the shared library named `library`, creating it when the role may.
    pub async fn connect(url: &str, library: &str, password: Option<&str>) -> Result<PgRemote> {
        let info = ConnInfo::parse(url, password, TIMEOUT)?;
        let library_name = library.trim().to_string();
        if library_name.is_empty() {
            return Err(Error::InvalidInput("a shared library needs a name".into()));
        }
        let mut remote = PgRemote {
            info,
            library_name,
            library: 0,
            conn: None,
            listener: None,
        };
        let name = remote.library_name.clone();
        let server = remote.info.server.clone();
        remote.library = on_server!(remote, TIMEOUT, |c| sql::prepare(&mut c.client, &name, &server))?;
        Ok(remote)
    }

    /// The library's name on the server.
    pub fn library_name(&self) -> &str {
        &self.library_name
    }

    /// The server without password: `postgresql://user@host:port/db`.
    pub fn server(&self) -> &str {
        &self.info.server
    }

    /// The schema version this build creates and reads.
    pub fn schema_version() -> i32 {
        sql::SCHEMA_VERSION
    }

    fn offline(&self, reason: impl std::fmt::Display) -> Error {
        Error::Offline {
            server: self.info.server.clone(),
            reason: reason.to_string(),
        }
    }

    /// Connects when there is no live connection; whether it did.
    async fn ensure_connected(&mut self) -> Result<bool> {
        if self.conn.as_ref().is_some_and(|c| !c.client.is_closed()) {
            return Ok(false);
        }
        self.conn = None;
        let client = match tokio::time::timeout(TIMEOUT, open(&self.info, None)).await {
            Ok(Ok(client)) => client,
            Ok(Err(e)) => return Err(self.offline(reason(&e))),
            Err(_) => return Err(self.offline(format!("no answer within {} s", TIMEOUT.as_secs()))),
        };
        self.conn = Some(Conn { client, staging: false });
        Ok(true)
    }

    /// What a call's outcome means: done, an error, or (on a connection that was kept and
    /// turned out dead) try again on a new one.
    fn settle<T>(
        &mut self,
        outcome: std::result::Result<std::result::Result<T, Failure>, tokio::time::error::Elapsed>,
        fresh: bool,
    ) -> ControlFlow<Result<T>> {
        let e = match outcome {
            Ok(Ok(v)) => return ControlFlow::Break(Ok(v)),
            Ok(Err(Failure::Folio(e))) => return ControlFlow::Break(Err(e)),
            Ok(Err(Failure::Pg(e))) => e,
            Err(_) => {
                // The connection may be mid-transaction: drop it, the server rolls back.
                self.conn = None;
                return ControlFlow::Break(Err(self.offline("the server did not answer in time")));
            }
        };
        match class(&e) {
            Class::Lost => {
                self.conn = None;
                if fresh {
                    ControlFlow::Break(Err(self.offline(reason(&e))))
                } else {
                    ControlFlow::Continue(())
                }
            }
            Class::Denied => ControlFlow::Break(Err(Error::Forbidden(format!(
                "{}: the role {:?} may read the shared library {:?} but not change it (a read-only member): {}",
                self.info.server,
                self.info.config.get_user().unwrap_or(""),
                self.library_name,
                reason(&e)
            )))),
            Class::Statement => ControlFlow::Break(Err(Error::Server(format!("{}: {}", self.info.server, reason(&e))))),
        }
    }

    /// Listens for notifications when not already; `false` when it cannot.
    async fn ensure_listening(&mut self, within: Duration) -> bool {
        if self.listener.as_ref().is_some_and(|l| l.versions.has_changed().is_ok()) {
            return true;
        }
        self.listener = None;
        let (tx, rx) = watch::channel(0);
        let listen = async {
            let client = open(&self.info, Some((tx, self.library))).await?;
            client.batch_execute(&format!("LISTEN {}", sql::CHANNEL)).await?;
            Ok::<_, tokio_postgres::Error>(client)
        };
        if let Ok(Ok(client)) = tokio::time::timeout(within, listen).await {
            self.listener = Some(Listener {
                _client: client,
                versions: rx,
            });
        }
        self.listener.is_some()
    }
}

enum Class {
    /// The connection is gone or unusable: offline.
    Lost,
    /// Permission denied: a read-only member.
    Denied,
    /// A statement failed.
    Statement,
}

fn class(e: &tokio_postgres::Error) -> Class {
    if e.is_closed() {
        return Class::Lost;
    }
    if let Some(code) = e.code() {
        let code = code.code();
        // 08: connection exception, 57P: shutdown / cannot connect now, 53: out of resources
        // (too many connections), 28: authentication.
        return if ["08", "57P", "53", "28"].iter().any(|p| code.starts_with(p)) {
            Class::Lost
        } else if code == "42501" {
            Class::Denied
        } else {
            Class::Statement
        };
    }
    let mut source = std::error::Error::source(e);
    while let Some(s) = source {
        if s.is::<std::io::Error>() {
            return Class::Lost;
        }
        source = s.source();
    }
    // tokio-postgres' own kinds without a source: a timeout, a TLS or protocol failure.
    let text = e.to_string();
    if [
        "error connecting",
        "error communicating",
        "timeout",
        "error performing TLS",
        "unexpected message",
    ]
    .iter()
    .any(|p| text.starts_with(p))
    {
        Class::Lost
    } else {
        Class::Statement
    }
}

/// A server error's message and detail; otherwise the error and its causes.
fn reason(e: &tokio_postgres::Error) -> String {
    if let Some(db) = e.as_db_error() {
        return match db.detail() {
            Some(d) => format!("{} ({d})", db.message()),
            None => db.message().to_string(),
        };
    }
    let mut text = e.to_string();
    let mut source = std::error::Error::source(e);
    while let Some(s) = source {
        let more = s.to_string();
        if !text.contains(&more) {
            text = format!("{text}: {more}");
        }
        source = s.source();
    }
    text
}

/// Opens a connection and drives it on the runtime; with `notify`, the task publishes the
/// versions notified for that library.
async fn open(
    info: &ConnInfo,
    notify: Option<(watch::Sender<i64>, i64)>,
) -> std::result::Result<Client, tokio_postgres::Error> {
    match &info.tls {
        None => {
            let (client, conn) = info.config.connect(NoTls).await?;
            tokio::spawn(drive(conn, notify));
            Ok(client)
        }
        Some(tls) => {
            let (client, conn) = info.config.connect(tls.clone()).await?;
            tokio::spawn(drive(conn, notify));
            Ok(client)
        }
    }
}

/// Polls a connection until it ends; notifications for the library go to `notify`.
async fn drive<S, T>(mut conn: Connection<S, T>, notify: Option<(watch::Sender<i64>, i64)>)
where
    S: AsyncRead + AsyncWrite + Unpin + Send + 'static,
    T: AsyncRead + AsyncWrite + Unpin + Send + 'static,
{
    while let Some(Ok(message)) = std::future::poll_fn(|cx| conn.poll_message(cx)).await {
        let (AsyncMessage::Notification(n), Some((tx, library))) = (message, &notify) else {
            continue;
        };
        if let Some((l, version)) = sql::parse_payload(n.payload()) {
            if l == *library {
                tx.send_if_modified(|known| {
                    let newer = version > *known;
                    if newer {
                        *known = version;
                    }
                    newer
                });
            }
        }
    }
}

impl Remote for PgRemote {
    fn describe(&self) -> String {
        format!("{} library {:?}", self.info.server, self.library_name)
    }

    async fn can_write(&mut self) -> Result<bool> {
        on_server!(self, TIMEOUT, |c| sql::can_write(&c.client))
    }

    async fn library_version(&mut self) -> Result<i64> {
        let library = self.library;
        on_server!(self, TIMEOUT, |c| sql::library_version(&c.client, library))
    }

    async fn push(&mut self, push: &Push) -> Result<PushOutcome> {
        let library = self.library;
        let budget = TIMEOUT + PER_OBJECT * u32::try_from(push.objects.len()).unwrap_or(u32::MAX);
        on_server!(self, budget, |c| sql::push(
            &mut c.client,
            &mut c.staging,
            library,
            push
        ))
    }

    async fn applied(&mut self, action: Uuid) -> Result<Option<i64>> {
        let library = self.library;
        on_server!(self, TIMEOUT, |c| sql::applied(&c.client, library, action))
    }

    async fn pull(&mut self, after: Cursor, limit: usize) -> Result<Page> {
        if limit == 0 {
            return Err(Error::InvalidInput("a pull needs a page size above 0".into()));
        }
        let library = self.library;
        on_server!(self, TIMEOUT, |c| sql::pull(&c.client, library, after, limit))
    }

    async fn history(&mut self, object: Option<Uuid>, limit: usize) -> Result<Vec<SharedAction>> {
        let library = self.library;
        on_server!(self, TIMEOUT, |c| sql::history(&c.client, library, object, limit))
    }

    async fn wait_for_change(&mut self, known: i64, timeout: Duration) -> Result<bool> {
        let deadline = Instant::now() + timeout;
        // Listening before reading the version: a push committed after the read is notified.
        self.ensure_listening(timeout.min(POLL)).await;
        if self.library_version().await? > known {
            return Ok(true);
        }
        loop {
            let now = Instant::now();
            if now >= deadline {
                return Ok(false);
            }
            let step = (deadline - now).min(POLL);
            let heard = match &mut self.listener {
                Some(l) => match tokio::time::timeout(step, l.versions.wait_for(|v| *v > known)).await {
                    Ok(Ok(_)) => Some(true),
                    // The listening connection ended: poll, and listen again next round.
                    Ok(Err(_)) => None,
                    Err(_) => Some(false),
                },
                None => None,
            };
            match heard {
                Some(true) => return Ok(true),
                Some(false) => {}
                None => {
                    self.listener = None;
                    tokio::time::sleep(step.min(Duration::from_millis(500))).await;
                    self.ensure_listening(step).await;
                }
            }
            if self.library_version().await? > known {
                return Ok(true);
            }
        }
    }
}
