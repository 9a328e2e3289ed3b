//! The shared library's PostgreSQL server (`folio::remote::postgres`) against a real server.
//!
//! The harness ([`server`], [`fresh_database`], [`PgServer::private`]) is for every test that
//! needs a server: `FOLIO_PG_URL` (a superuser URL) when set, else a private cluster started
//! once per test process from the installed PostgreSQL (`/usr/lib/postgresql/*/bin`), on
//! 127.0.0.1 only, killed with the process. No PostgreSQL is a failure, never a skip.

use folio::remote::postgres::PgRemote;
use folio::remote::{Cursor, ObjectKind, Push, PushObject, PushOutcome, Remote, Uuid};
use folio::Error;
use serde_json::{json, Value};
use std::os::unix::process::CommandExt;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{mpsc, Mutex, OnceLock};
use std::time::{Duration, Instant};

/// The superuser a private cluster is made with.
const ADMIN: &str = "folio_admin";

/// A PostgreSQL server the tests may create databases and roles on.
pub struct PgServer {
    /// Superuser URL with `{db}` where the database name goes.
    template: String,
    psql: PathBuf,
    /// A private cluster's process and directory.
    cluster: Option<Mutex<Cluster>>,
}

struct Cluster {
    bin: PathBuf,
    dir: PathBuf,
    port: u16,
    postgres_user: Option<(u32, u32)>,
    /// More `-c name=value` settings.
    settings: Vec<String>,
    child: Option<Child>,
    /// Shared cluster: the cleaner, whose stdin closes when the test process dies.
    _cleaner: Option<Child>,
}

impl PgServer {
    /// A new cluster of this test's own (to stop and start it); dropped with it.
    pub fn private() -> PgServer {
        let cluster = Cluster::create();
        PgServer::of_cluster(cluster)
    }

    fn of_cluster(cluster: Cluster) -> PgServer {
        PgServer {
            template: format!("postgresql://{ADMIN}@127.0.0.1:{}/{{db}}?sslmode=disable", cluster.port),
            psql: cluster.bin.join("psql"),
            cluster: Some(Mutex::new(cluster)),
        }
    }

    /// The superuser's URL to database `db`.
    pub fn url(&self, db: &str) -> String {
        self.template.replace("{db}", db)
    }

    /// A URL to `db` as `user` (password `password`), with the server's other settings.
    pub fn url_as(&self, user: &str, password: &str, db: &str) -> String {
        let url = self.url(db);
        let rest = url.split_once("://").unwrap().1;
        let host = rest.split_once('@').map_or(rest, |(_, h)| h);
        format!("postgresql://{user}:{password}@{host}")
    }

    /// Runs SQL as the superuser on `db`; the output (unaligned, tuples only).
    pub fn psql(&self, db: &str, sql: &str) -> String {
        let out = Command::new(&self.psql)
            .args([
                "-X",
                "-q",
                "-t",
                "-A",
                "-v",
                "ON_ERROR_STOP=1",
                "-d",
                &self.url(db),
                "-c",
                sql,
            ])
            .output()
            .unwrap_or_else(|e| panic!("cannot run {}: {e}", self.psql.display()));
        assert!(
            out.status.success(),
            "psql {sql:?} failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).unwrap().trim().to_string()
    }

    /// A new empty database; its name.
    pub fn create_database(&self) -> String {
        static N: AtomicUsize = AtomicUsize::new(0);
        let name = format!("folio_t{}_{}", std::process::id(), N.fetch_add(1, Ordering::SeqCst));
        self.psql("postgres", &format!("CREATE DATABASE {name}"));
        name
    }

    /// Stops a private cluster (fast shutdown: connections are cut).
    pub fn stop(&self) {
        self.cluster.as_ref().expect("a private cluster").lock().unwrap().stop();
    }

    /// A private cluster with TLS: a test CA (its certificate's path is returned) signs the
    /// server's certificate for `localhost` and 127.0.0.1.
    pub fn private_tls() -> (PgServer, PathBuf) {
        let s = PgServer::private();
        let mut c = s.cluster.as_ref().unwrap().lock().unwrap();
        c.stop();
        let tls = c.dir.join("tls");
        std::fs::create_dir(&tls).unwrap();
        std::fs::write(tls.join("ext.cnf"), "subjectAltName=DNS:localhost,IP:127.0.0.1\n").unwrap();
        let openssl = |args: &str| {
            let out = Command::new("openssl")
                .args(args.split_whitespace())
                .current_dir(&tls)
                .output()
                .expect("openssl is needed for the TLS test (Debian's openssl package)");
            assert!(
                out.status.success(),
                "openssl {args}: {}",
                String::from_utf8_lossy(&out.stderr)
            );
        };
        openssl(
            "req -x509 -newkey rsa:2048 -nodes -keyout ca.key -out ca.crt -days 2 -subj /CN=FolioTestCA \
             -addext basicConstraints=critical,CA:TRUE -addext keyUsage=critical,keyCertSign,cRLSign",
        );
        openssl("req -newkey rsa:2048 -nodes -keyout server.key -out server.csr -subj /CN=localhost");
        openssl(
            "x509 -req -in server.csr -CA ca.crt -CAkey ca.key -CAcreateserial -out server.crt -days 2 \
             -extfile ext.cnf",
        );
        for f in ["server.key", "server.crt"] {
            let path = tls.join(f);
            std::fs::set_permissions(&path, std::os::unix::fs::PermissionsExt::from_mode(0o600)).unwrap();
            if let Some((uid, gid)) = c.postgres_user {
                std::os::unix::fs::chown(&path, Some(uid), Some(gid)).unwrap();
            }
        }
        c.settings = vec![
            "ssl=on".into(),
            format!("ssl_cert_file={}", tls.join("server.crt").display()),
            format!("ssl_key_file={}", tls.join("server.key").display()),
        ];
        c.start();
        drop(c);
        (s, tls.join("ca.crt"))
    }

    /// A private cluster where every role but the superuser must give its password over TCP
    /// (scram-sha-256), as a university's server asks; the superuser (and psql) stay trusted.
    pub fn private_with_passwords() -> PgServer {
        let s = PgServer::private();
        let mut c = s.cluster.as_ref().unwrap().lock().unwrap();
        c.stop();
        let hba = c.dir.join("data").join("pg_hba.conf");
        std::fs::write(
            &hba,
            format!(
                "local all all trust\nhost all {ADMIN} 127.0.0.1/32 trust\n\
                 host all all 127.0.0.1/32 scram-sha-256\n"
            ),
        )
        .unwrap();
        if let Some((uid, gid)) = c.postgres_user {
            std::os::unix::fs::chown(&hba, Some(uid), Some(gid)).unwrap();
        }
        c.start();
        drop(c);
        s
    }

    /// The server's port.
    pub fn port(&self) -> u16 {
        self.cluster.as_ref().expect("a private cluster").lock().unwrap().port
    }

    /// Starts a stopped private cluster again, on the same port.
    pub fn start(&self) {
        self.cluster
            .as_ref()
            .expect("a private cluster")
            .lock()
            .unwrap()
            .start();
    }
}

impl Drop for PgServer {
    fn drop(&mut self) {
        if let Some(c) = &self.cluster {
            let mut c = c.lock().unwrap_or_else(|e| e.into_inner());
            c.stop();
            let _ = std::fs::remove_dir_all(&c.dir);
        }
    }
}

/// The server the tests share: `FOLIO_PG_URL` or a private cluster started once.
pub fn server() -> &'static PgServer {
    static SERVER: OnceLock<PgServer> = OnceLock::new();
    SERVER.get_or_init(|| match std::env::var("FOLIO_PG_URL") {
        Ok(url) if !url.is_empty() => PgServer {
            template: with_database(&url, "{db}"),
            psql: bin_dir().map_or_else(|| PathBuf::from("psql"), |b| b.join("psql")),
            cluster: None,
        },
        _ => {
            let mut cluster = Cluster::create();
            cluster._cleaner = Some(cleaner(&cluster));
            PgServer::of_cluster(cluster)
        }
    })
}

/// A superuser URL to a new, empty database on [`server`].
pub fn fresh_database() -> String {
    let s = server();
    s.url(&s.create_database())
}

/// `url` naming database `db` instead.
fn with_database(url: &str, db: &str) -> String {
    let (scheme, rest) = url.split_once("://").expect("FOLIO_PG_URL must be a postgresql:// URL");
    let (authority, tail) = rest.split_once('/').unwrap_or((rest, ""));
    let query = tail.split_once('?').map(|(_, q)| format!("?{q}")).unwrap_or_default();
    format!("{scheme}://{authority}/{db}{query}")
}

/// The newest installed PostgreSQL's programs.
fn bin_dir() -> Option<PathBuf> {
    let mut found: Vec<(u32, PathBuf)> = std::fs::read_dir("/usr/lib/postgresql")
        .ok()?
        .flatten()
        .filter_map(|e| {
            let version = e.file_name().to_str()?.parse().ok()?;
            let bin = e.path().join("bin");
            (bin.join("initdb").exists() && bin.join("postgres").exists()).then_some((version, bin))
        })
        .collect();
    found.sort();
    found.pop().map(|(_, b)| b)
}

/// Processes started from this thread get SIGKILL when it ends (PR_SET_PDEATHSIG follows the
/// thread that forked), so the server is started from one that lives as long as the process.
fn spawn_forever(cmd: Command) -> std::io::Result<Child> {
    type Job = (Command, mpsc::Sender<std::io::Result<Child>>);
    static SPAWNER: OnceLock<Mutex<mpsc::Sender<Job>>> = OnceLock::new();
    let tx = SPAWNER.get_or_init(|| {
        let (tx, rx) = mpsc::channel::<Job>();
        std::thread::spawn(move || {
            for (mut cmd, reply) in rx {
                let _ = reply.send(cmd.spawn());
            }
        });
        Mutex::new(tx)
    });
    let (reply, answer) = mpsc::channel();
    tx.lock().unwrap().send((cmd, reply)).unwrap();
    answer.recv().unwrap()
}

/// Runs as the `postgres` user when we are root (initdb and postgres refuse root), and dies
/// with its parent.
fn as_postgres(cmd: &mut Command, user: Option<(u32, u32)>) {
    // SAFETY: only async-signal-safe calls between fork and exec.
    unsafe {
        cmd.pre_exec(move || {
            if let Some((uid, gid)) = user {
                if libc::setgroups(0, std::ptr::null()) != 0 || libc::setgid(gid) != 0 || libc::setuid(uid) != 0 {
                    return Err(std::io::Error::last_os_error());
                }
            }
            // After setuid, which clears it.
            libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGKILL);
            Ok(())
        });
    }
}

fn postgres_user() -> Option<(u32, u32)> {
    // SAFETY: geteuid has no preconditions; getpwnam's result is read at once.
    unsafe {
        if libc::geteuid() != 0 {
            return None;
        }
        let pw = libc::getpwnam(c"postgres".as_ptr());
        assert!(
            !pw.is_null(),
            "running as root, PostgreSQL needs the `postgres` system user (Debian's postgresql package makes it)"
        );
        Some(((*pw).pw_uid, (*pw).pw_gid))
    }
}

/// Removes the cluster when the test process ends however it ends: it waits for its stdin to
/// close.
fn cleaner(c: &Cluster) -> Child {
    let pid = c.child.as_ref().unwrap().id().to_string();
    Command::new("sh")
        .args([
            "-c",
            "cat >/dev/null; kill -KILL \"$1\" 2>/dev/null; sleep 0.5; rm -rf \"$2\"",
            "sh",
            &pid,
        ])
        .arg(&c.dir)
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("cannot start the cluster's cleaner")
}

impl Cluster {
    fn create() -> Cluster {
        let bin = bin_dir().unwrap_or_else(|| {
            panic!(
                "PostgreSQL is not installed: no initdb and postgres under /usr/lib/postgresql/*/bin. \
                 Install Debian's `postgresql` package (bash .ci/test does) or set FOLIO_PG_URL to a \
                 superuser URL"
            )
        });
        let user = postgres_user();
        let dir = tempfile::Builder::new().prefix("folio-pg-").tempdir().unwrap().keep();
        if let Some((uid, gid)) = user {
            std::os::unix::fs::chown(&dir, Some(uid), Some(gid)).unwrap();
        }
        let mut initdb = Command::new(bin.join("initdb"));
        initdb
            .args([
                "-U",
                ADMIN,
                "--auth=trust",
                "-E",
                "UTF8",
                "--no-locale",
                "--no-sync",
                "-D",
            ])
            .arg(dir.join("data"))
            .current_dir(&dir);
        as_postgres(&mut initdb, user);
        let out = initdb.output().unwrap();
        assert!(
            out.status.success(),
            "initdb failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let mut c = Cluster {
            bin,
            dir,
            port: 0,
            postgres_user: user,
            settings: Vec::new(),
            child: None,
            _cleaner: None,
        };
        c.port = free_port();
        c.start();
        c
    }

    fn start(&mut self) {
        assert!(self.child.is_none(), "already running");
        let log = std::fs::File::create(self.dir.join("log")).unwrap();
        if let Some((uid, gid)) = self.postgres_user {
            std::os::unix::fs::chown(self.dir.join("log"), Some(uid), Some(gid)).unwrap();
        }
        let mut cmd = Command::new(self.bin.join("postgres"));
        cmd.arg("-D")
            .arg(self.dir.join("data"))
            .args(["-p", &self.port.to_string(), "-k"])
            .arg(&self.dir)
            .args([
                "-c",
                "listen_addresses=127.0.0.1",
                "-c",
                "fsync=off",
                "-c",
                "full_page_writes=off",
            ])
            .args(["-c", "synchronous_commit=off", "-c", "max_connections=300"])
            .args(self.settings.iter().flat_map(|s| ["-c", s.as_str()]))
            .current_dir(&self.dir)
            .stdin(Stdio::null())
            .stdout(log.try_clone().unwrap())
            .stderr(log);
        as_postgres(&mut cmd, self.postgres_user);
        self.child = Some(spawn_forever(cmd).expect("cannot start postgres"));
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            if let Some(status) = self.child.as_mut().unwrap().try_wait().unwrap() {
                panic!(
                    "postgres exited ({status}): {}",
                    std::fs::read_to_string(self.dir.join("log")).unwrap_or_default()
                );
            }
            let ready = Command::new(self.bin.join("pg_isready"))
                .args(["-q", "-h", "127.0.0.1", "-p", &self.port.to_string()])
                .status()
                .unwrap();
            if ready.success() {
                return;
            }
            assert!(Instant::now() < deadline, "postgres did not start within 60 s");
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    fn stop(&mut self) {
        if let Some(mut child) = self.child.take() {
            // SAFETY: signalling our own child.
            unsafe { libc::kill(child.id() as i32, libc::SIGINT) };
            let _ = child.wait();
        }
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

// ---------------------------------------------------------------------------------------------
// Tests

fn item(key: &str, state: Value) -> PushObject {
    PushObject {
        uuid: Uuid::now_v7(),
        kind: ObjectKind::Item,
        base: 0,
        state: Some(folio::remote::state(&state)),
        citekey: Some(key.to_string()),
    }
}

fn action(label: &str, objects: Vec<PushObject>) -> Push {
    Push {
        action: Uuid::now_v7(),
        author: "ann".into(),
        label: label.into(),
        objects,
    }
}

async fn connect(url: &str) -> PgRemote {
    PgRemote::connect(url, "group", None).await.unwrap()
}

/// Every object of the library, page by page.
async fn pull_all(r: &mut PgRemote, after: Cursor, limit: usize) -> Vec<folio::remote::RemoteObject> {
    let mut all = Vec::new();
    let mut cursor = after;
    loop {
        let page = r.pull(cursor, limit).await.unwrap();
        assert!(page.objects.len() <= limit);
        all.extend(page.objects);
        match page.next {
            Some(next) => cursor = next,
            None => return all,
        }
    }
}

fn applied(outcome: PushOutcome) -> i64 {
    match outcome {
        PushOutcome::Applied { version } => version,
        other => panic!("expected Applied, got {other:?}"),
    }
}

#[tokio::test]
async fn connect_creates_the_schema_and_finds_the_library_again() {
    let s = server();
    let db = s.create_database();
    let url = s.url_as(ADMIN, "sekrit-pw", &db);
    let mut r = PgRemote::connect(&url, "group", None).await.unwrap();
    assert_eq!(s.psql(&db, "SELECT version FROM folio_schema"), "1");
    assert_eq!(
        s.psql(&db, "SELECT name || ' ' || version FROM folio_libraries"),
        "group 0"
    );
    let d = r.describe();
    assert!(
        d.starts_with(&format!("postgresql://{ADMIN}@")) && d.ends_with(&format!("/{db} library \"group\"")),
        "{d}"
    );
    assert!(!d.contains("sekrit"), "{d}");
    assert_eq!(r.library_version().await.unwrap(), 0);
    assert!(r.can_write().await.unwrap());
    applied(
        r.push(&action("one", vec![item("A1", json!({"title": "a"}))]))
            .await
            .unwrap(),
    );

    // The same name is the same library; another name another one.
    let mut again = PgRemote::connect(&url, "group", Some("other-pw")).await.unwrap();
    assert_eq!(again.library_version().await.unwrap(), 1);
    let mut other = PgRemote::connect(&url, "other", None).await.unwrap();
    assert_eq!(other.library_version().await.unwrap(), 0);
    assert!(other.pull(Cursor::default(), 10).await.unwrap().objects.is_empty());
    assert!(matches!(
        PgRemote::connect(&url, "  ", None).await,
        Err(Error::InvalidInput(_))
    ));

    // A newer schema than this build knows is refused, saying so.
    s.psql(&db, "UPDATE folio_schema SET version = 99");
    match PgRemote::connect(&url, "group", None).await {
        Err(Error::Server(m)) => assert!(m.contains("newer") && m.contains("99"), "{m}"),
        other => panic!("expected Error::Server, got {:?}", other.err()),
    }
}

#[tokio::test]
async fn states_round_trip_exactly() {
    let mut r = connect(&fresh_database()).await;
    let tricky = json!({
        "zeta": "first key stays first",
        "title": "NUL \u{0} inside, astral 𝔉𝔬𝔩𝔦𝔬 😀, RTL שלום, combining e\u{301}",
        "nested": {"list": [1, 2.5, -3, null, true, "\u{1}\u{1f}\u{7f}"], "empty": {}},
        "big": 12345678901234567i64,
        "quote": "\"\\'"
    });
    let a = item("Tricky2020", tricky.clone());
    let mut coll = item("", json!({"name": "Reading \u{0} list"}));
    coll.kind = ObjectKind::Collection;
    coll.citekey = None;
    let push = action("import", vec![a.clone(), coll.clone()]);
    let v = applied(r.push(&push).await.unwrap());
    assert_eq!(v, 1);
    let page = r.pull(Cursor::default(), 10).await.unwrap();
    assert_eq!(page.library_version, 1);
    assert_eq!(page.next, None);
    assert_eq!(page.objects.len(), 2);
    let got = page.objects.iter().find(|o| o.uuid == a.uuid).unwrap();
    assert_eq!(got.state.as_ref(), Some(&tricky));
    assert_eq!(
        serde_json::to_string(got.state.as_ref().unwrap()).unwrap(),
        serde_json::to_string(&tricky).unwrap(),
        "key order and text kept byte for byte"
    );
    assert_eq!(
        (got.kind, got.version, got.citekey.as_deref(), got.author.as_str()),
        (ObjectKind::Item, 1, Some("Tricky2020"), "ann")
    );
    let got = page.objects.iter().find(|o| o.uuid == coll.uuid).unwrap();
    assert_eq!(
        (got.kind, got.state.as_ref().map(Value::to_string)),
        (ObjectKind::Collection, coll.state.as_ref().map(|s| s.get().to_string()))
    );
    // Nothing after the library's version.
    assert!(r.pull(Cursor::after(1), 10).await.unwrap().objects.is_empty());
}

#[tokio::test]
async fn pages_lose_and_repeat_nothing() {
    let mut r = connect(&fresh_database()).await;
    let first: Vec<PushObject> = (0..1037).map(|i| item(&format!("K{i}"), json!({"n": i}))).collect();
    applied(r.push(&action("big", first.clone())).await.unwrap());
    let second: Vec<PushObject> = (0..5).map(|i| item(&format!("L{i}"), json!({"m": i}))).collect();
    applied(r.push(&action("small", second.clone())).await.unwrap());
    for limit in [1, 100, 1037, 1042, 5000] {
        let all = pull_all(&mut r, Cursor::default(), limit).await;
        assert_eq!(all.len(), 1042, "page size {limit}");
        let mut seen: Vec<Uuid> = all.iter().map(|o| o.uuid).collect();
        assert!(
            all.windows(2)
                .all(|w| (w[0].version, w[0].uuid) < (w[1].version, w[1].uuid)),
            "ordered"
        );
        seen.sort();
        seen.dedup();
        assert_eq!(seen.len(), 1042);
    }
    // After version 1: only the second push.
    let rest = pull_all(&mut r, Cursor::after(1), 2).await;
    let mut want: Vec<Uuid> = second.iter().map(|o| o.uuid).collect();
    want.sort();
    assert_eq!(rest.iter().map(|o| o.uuid).collect::<Vec<_>>(), want);
    assert!(matches!(
        r.pull(Cursor::default(), 0).await,
        Err(Error::InvalidInput(_))
    ));
}

#[tokio::test]
async fn a_stale_base_writes_nothing() {
    let mut r = connect(&fresh_database()).await;
    let a = item("A", json!({"title": "one"}));
    applied(r.push(&action("add", vec![a.clone()])).await.unwrap());
    let fresh = item("B", json!({"title": "new"}));
    // A's base is 0 (as if new) though the server has version 1: stale, and B not written.
    let mut edit = a.clone();
    edit.state = Some(folio::remote::state(&json!({"title": "two"})));
    let out = r
        .push(&action("edit", vec![fresh.clone(), edit.clone()]))
        .await
        .unwrap();
    assert_eq!(out, PushOutcome::Stale { uuids: vec![a.uuid] });
    // A base for an object the server never had is stale too.
    let mut ghost = item("G", json!({}));
    ghost.base = 3;
    let out = r.push(&action("ghost", vec![ghost.clone()])).await.unwrap();
    assert_eq!(
        out,
        PushOutcome::Stale {
            uuids: vec![ghost.uuid]
        }
    );
    assert_eq!(r.library_version().await.unwrap(), 1);
    let all = pull_all(&mut r, Cursor::default(), 10).await;
    assert_eq!(all.len(), 1);
    assert_eq!(all[0].state, Some(json!({"title": "one"})));
    assert_eq!(r.history(None, 10).await.unwrap().len(), 1);
    // With the right base it goes through.
    edit.base = 1;
    assert_eq!(applied(r.push(&action("edit", vec![edit])).await.unwrap()), 2);
}

#[tokio::test]
async fn a_retried_action_is_applied_once() {
    let mut r = connect(&fresh_database()).await;
    let push = action("add", vec![item("A", json!({"t": 1})), item("B", json!({"t": 2}))]);
    assert_eq!(applied(r.push(&push).await.unwrap()), 1);
    assert_eq!(r.push(&push).await.unwrap(), PushOutcome::AlreadyApplied { version: 1 });
    assert_eq!(r.library_version().await.unwrap(), 1);
    assert_eq!(r.applied(push.action).await.unwrap(), Some(1));
    assert_eq!(r.applied(Uuid::now_v7()).await.unwrap(), None);
    let h = r.history(None, 10).await.unwrap();
    assert_eq!(h.len(), 1);
    assert_eq!(h[0].changes.len(), 2);
    // From another member too.
    let mut other = connect(&fresh_database_of(&r)).await;
    assert_eq!(
        other.push(&push).await.unwrap(),
        PushOutcome::AlreadyApplied { version: 1 }
    );
}

/// The URL of the database `r` is connected to (the superuser's).
fn fresh_database_of(r: &PgRemote) -> String {
    let db = r.server().rsplit('/').next().unwrap().to_string();
    server().url(&db)
}

#[tokio::test]
async fn citation_keys_stay_unique_among_live_items() {
    let mut r = connect(&fresh_database()).await;
    let a = item("Smith2020", json!({"t": "a"}));
    applied(r.push(&action("a", vec![a.clone()])).await.unwrap());
    // Against the server's item.
    let b = item("Smith2020", json!({"t": "b"}));
    let out = r.push(&action("b", vec![b.clone()])).await.unwrap();
    assert_eq!(
        out,
        PushOutcome::KeysTaken {
            clashes: vec![folio::remote::KeyClash {
                uuid: b.uuid,
                key: "Smith2020".into(),
                holder: a.uuid
            }]
        }
    );
    // Within one push.
    let (c, d) = (item("Jones2021", json!({})), item("Jones2021", json!({})));
    let out = r.push(&action("cd", vec![c.clone(), d.clone()])).await.unwrap();
    assert_eq!(
        out,
        PushOutcome::KeysTaken {
            clashes: vec![folio::remote::KeyClash {
                uuid: d.uuid,
                key: "Jones2021".into(),
                holder: c.uuid
            }]
        }
    );
    assert_eq!(r.library_version().await.unwrap(), 1);
    assert_eq!(pull_all(&mut r, Cursor::default(), 10).await.len(), 1);
    // Collections and empty keys never clash.
    let mut coll = item("Smith2020", json!({}));
    coll.kind = ObjectKind::Collection;
    applied(
        r.push(&action("coll", vec![coll, item("", json!({})), item("", json!({}))]))
            .await
            .unwrap(),
    );
    // Two items swapping keys in one push.
    let e = item("Swap1", json!({}));
    let f = item("Swap2", json!({}));
    let v = applied(r.push(&action("ef", vec![e.clone(), f.clone()])).await.unwrap());
    let mut e2 = e.clone();
    let mut f2 = f.clone();
    (e2.base, f2.base, e2.citekey, f2.citekey) = (v, v, f.citekey.clone(), e.citekey.clone());
    applied(r.push(&action("swap", vec![e2, f2])).await.unwrap());
    // A deleted item frees its key, and its tombstone is pulled.
    let mut gone = a.clone();
    (gone.base, gone.state) = (1, None);
    let v = applied(r.push(&action("delete", vec![gone])).await.unwrap());
    let since = pull_all(&mut r, Cursor::after(v - 1), 10).await;
    assert_eq!(since.len(), 1);
    assert_eq!(
        (since[0].uuid, since[0].state.as_ref(), since[0].version),
        (a.uuid, None, v)
    );
    applied(r.push(&action("b again", vec![b])).await.unwrap());
    // A tombstone is an object: recreating it needs its version as base.
    let mut back = a.clone();
    back.citekey = Some("Smith2020b".into());
    assert_eq!(
        r.push(&action("back", vec![back.clone()])).await.unwrap(),
        PushOutcome::Stale { uuids: vec![a.uuid] }
    );
    back.base = v;
    applied(r.push(&action("back", vec![back])).await.unwrap());
}

#[tokio::test]
async fn history_keeps_before_and_after() {
    let mut r = connect(&fresh_database()).await;
    let x = item("X", json!({"title": "v1"}));
    let y = item("Y", json!({"title": "y"}));
    applied(r.push(&action("add", vec![x.clone(), y.clone()])).await.unwrap());
    let mut x2 = x.clone();
    (x2.base, x2.state) = (1, Some(folio::remote::state(&json!({"title": "v2"}))));
    applied(r.push(&action("edit X", vec![x2])).await.unwrap());
    let mut y2 = y.clone();
    (y2.base, y2.state) = (1, None);
    applied(r.push(&action("delete Y", vec![y2])).await.unwrap());

    let all = r.history(None, 10).await.unwrap();
    assert_eq!(
        all.iter().map(|a| (a.version, a.label.as_str())).collect::<Vec<_>>(),
        [(3, "delete Y"), (2, "edit X"), (1, "add")]
    );
    assert_eq!(all[2].changes.len(), 2);
    assert!(all[0].at.ends_with('Z') && all[0].at.len() == 27, "{}", all[0].at);
    assert_eq!(all[0].author, "ann");
    assert_eq!(
        (all[0].changes[0].before.as_ref(), all[0].changes[0].after.as_ref()),
        (Some(&json!({"title": "y"})), None)
    );

    let xs = r.history(Some(x.uuid), 10).await.unwrap();
    assert_eq!(xs.iter().map(|a| a.version).collect::<Vec<_>>(), [2, 1]);
    assert_eq!(xs[0].changes.len(), 1);
    assert_eq!(xs[0].changes[0].before, Some(json!({"title": "v1"})));
    assert_eq!(xs[0].changes[0].after, Some(json!({"title": "v2"})));
    assert_eq!(
        xs[1].changes.len(),
        1,
        "only X's change of the action that added X and Y"
    );
    assert_eq!(
        (xs[1].changes[0].before.as_ref(), xs[1].changes[0].kind),
        (None, ObjectKind::Item)
    );
    assert_eq!(r.history(None, 1).await.unwrap().len(), 1);
    assert!(r.history(Some(Uuid::now_v7()), 10).await.unwrap().is_empty());
}

#[tokio::test]
async fn another_members_push_wakes_a_waiter_within_a_second() {
    let url = fresh_database();
    let mut waiter = connect(&url).await;
    let mut pusher = connect(&url).await;
    // Nothing happens: false after the timeout.
    let t = Instant::now();
    assert!(!waiter.wait_for_change(0, Duration::from_millis(300)).await.unwrap());
    assert!(t.elapsed() >= Duration::from_millis(300) && t.elapsed() < Duration::from_secs(3));
    let mut latencies = Vec::new();
    for round in 0..5i64 {
        let wait = tokio::spawn(async move {
            let woke = waiter.wait_for_change(round, Duration::from_secs(10)).await.unwrap();
            (waiter, woke, Instant::now())
        });
        tokio::time::sleep(Duration::from_millis(150)).await;
        // From the push's start: its own round trips count too.
        let start = Instant::now();
        applied(
            pusher
                .push(&action("edit", vec![item(&format!("W{round}"), json!({}))]))
                .await
                .unwrap(),
        );
        let (w, woke, at) = wait.await.unwrap();
        waiter = w;
        assert!(woke);
        latencies.push(at.duration_since(start));
    }
    eprintln!("notify latency (push started -> waiter woken): {latencies:?}");
    assert!(latencies.iter().all(|l| *l < Duration::from_secs(1)), "{latencies:?}");
    // Already past `known`: at once.
    let t = Instant::now();
    assert!(waiter.wait_for_change(2, Duration::from_secs(10)).await.unwrap());
    assert!(t.elapsed() < Duration::from_secs(1));
}

#[tokio::test]
async fn a_read_only_member_reads_but_cannot_write() {
    let s = server();
    let db = s.create_database();
    let mut owner = PgRemote::connect(&s.url(&db), "group", None).await.unwrap();
    let a = item("A", json!({"t": 1}));
    applied(owner.push(&action("add", vec![a.clone()])).await.unwrap());
    let role = format!("reader_{db}");
    s.psql(
        &db,
        &format!("CREATE ROLE {role} LOGIN PASSWORD 'pw'; GRANT SELECT ON ALL TABLES IN SCHEMA public TO {role}"),
    );
    let url = s.url_as(&role, "pw", &db);
    let mut reader = PgRemote::connect(&url, "group", None).await.unwrap();
    assert!(!reader.can_write().await.unwrap());
    assert!(owner.can_write().await.unwrap());
    assert_eq!(
        reader.pull(Cursor::default(), 10).await.unwrap().objects[0].uuid,
        a.uuid
    );
    // An editor needs no more than the grants docs/sync.md gives.
    let editor = format!("editor_{db}");
    s.psql(
        &db,
        &format!("CREATE ROLE {editor} LOGIN; GRANT SELECT, INSERT, UPDATE ON ALL TABLES IN SCHEMA public TO {editor}"),
    );
    let mut ed = PgRemote::connect(&s.url_as(&editor, "pw", &db), "group", None)
        .await
        .unwrap();
    assert!(ed.can_write().await.unwrap());
    applied(ed.push(&action("edit", vec![item("E", json!({}))])).await.unwrap());
    match reader.push(&action("try", vec![item("B", json!({}))])).await {
        Err(Error::Forbidden(m)) => assert!(m.contains("read-only") && m.contains(&role), "{m}"),
        other => panic!("expected Forbidden, got {other:?}"),
    }
    assert_eq!(owner.library_version().await.unwrap(), 2);
    // It cannot make a library either.
    match PgRemote::connect(&url, "another", None).await {
        Err(Error::NotFound(m)) => assert!(m.contains("another") && m.contains("read-only"), "{m}"),
        other => panic!("expected NotFound, got {:?}", other.err()),
    }
    // Nor the schema, on an empty database.
    let empty = s.create_database();
    s.psql(
        &empty,
        &format!("REVOKE CREATE ON SCHEMA public FROM PUBLIC; GRANT CONNECT ON DATABASE {empty} TO {role}"),
    );
    match PgRemote::connect(&s.url_as(&role, "pw", &empty), "group", None).await {
        Err(Error::Server(m)) => assert!(m.contains("no Folio tables"), "{m}"),
        other => panic!("expected Server, got {:?}", other.err()),
    }
}

#[tokio::test]
async fn an_unreachable_server_is_offline_quickly_and_a_lost_connection_comes_back() {
    let port = free_port();
    let t = Instant::now();
    let e = PgRemote::connect(
        &format!("postgresql://ann:topsecret@127.0.0.1:{port}/refs?sslmode=disable"),
        "g",
        None,
    )
    .await
    .err()
    .unwrap();
    assert!(t.elapsed() < Duration::from_secs(3), "{:?}", t.elapsed());
    match &e {
        Error::Offline { server, reason } => {
            assert_eq!(server, &format!("postgresql://ann@127.0.0.1:{port}/refs"));
            assert!(!reason.contains("topsecret"), "{reason}");
        }
        other => panic!("expected Offline, got {other:?}"),
    }
    assert!(!e.to_string().contains("topsecret"));

    // Terminated by the server: the next call connects again.
    let s = server();
    let db = s.create_database();
    let mut r = PgRemote::connect(&s.url(&db), "group", None).await.unwrap();
    applied(r.push(&action("one", vec![item("A", json!({}))])).await.unwrap());
    let killed = s.psql(
        "postgres",
        &format!("SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE datname = '{db}'"),
    );
    assert_eq!(killed, "1");
    assert_eq!(r.library_version().await.unwrap(), 1);
    s.psql(
        "postgres",
        &format!("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '{db}'"),
    );
    applied(r.push(&action("two", vec![item("B", json!({}))])).await.unwrap());
}

#[tokio::test]
async fn a_restarted_server_is_offline_then_back() {
    let s = PgServer::private();
    let db = s.create_database();
    let mut r = PgRemote::connect(&s.url(&db), "group", None).await.unwrap();
    applied(r.push(&action("one", vec![item("A", json!({}))])).await.unwrap());
    s.stop();
    let t = Instant::now();
    assert!(matches!(r.library_version().await, Err(Error::Offline { .. })));
    assert!(matches!(
        r.push(&action("two", vec![item("B", json!({}))])).await,
        Err(Error::Offline { .. })
    ));
    assert!(matches!(
        r.wait_for_change(5, Duration::from_secs(1)).await,
        Err(Error::Offline { .. })
    ));
    assert!(t.elapsed() < Duration::from_secs(5), "{:?}", t.elapsed());
    s.start();
    assert_eq!(r.library_version().await.unwrap(), 1);
    applied(r.push(&action("two", vec![item("B", json!({}))])).await.unwrap());
    // Listening again after the restart.
    let mut other = PgRemote::connect(&s.url(&db), "group", None).await.unwrap();
    let wait = tokio::spawn(async move { r.wait_for_change(2, Duration::from_secs(10)).await.unwrap() });
    tokio::time::sleep(Duration::from_millis(150)).await;
    let t = Instant::now();
    applied(other.push(&action("three", vec![item("C", json!({}))])).await.unwrap());
    assert!(wait.await.unwrap());
    assert!(t.elapsed() < Duration::from_secs(1));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_pushes_to_one_object_apply_one() {
    let url = fresh_database();
    let mut a = connect(&url).await;
    let mut b = connect(&url).await;
    let x = item("X", json!({"t": 0}));
    applied(a.push(&action("add", vec![x.clone()])).await.unwrap());
    for round in 0..10 {
        let base = a.library_version().await.unwrap();
        let mut mine = x.clone();
        (mine.base, mine.state) = (base, Some(folio::remote::state(&json!({"t": "a", "round": round}))));
        let mut theirs = x.clone();
        (theirs.base, theirs.state) = (base, Some(folio::remote::state(&json!({"t": "b", "round": round}))));
        let (pa, pb) = (action("a", vec![mine]), action("b", vec![theirs]));
        let (ra, rb) = tokio::join!(a.push(&pa), b.push(&pb));
        let outcomes = [ra.unwrap(), rb.unwrap()];
        let won: Vec<_> = outcomes
            .iter()
            .filter(|o| matches!(o, PushOutcome::Applied { .. }))
            .collect();
        let lost: Vec<_> = outcomes
            .iter()
            .filter(|o| matches!(o, PushOutcome::Stale { .. }))
            .collect();
        assert_eq!((won.len(), lost.len()), (1, 1), "{outcomes:?}");
        assert_eq!(*won[0], PushOutcome::Applied { version: base + 1 });
        assert_eq!(*lost[0], PushOutcome::Stale { uuids: vec![x.uuid] });
    }
    assert_eq!(b.library_version().await.unwrap(), 11);
}

/// ~2 KB of JSON, as an imported item's state.
fn big_state(i: usize) -> Value {
    json!({
        "type": "article-journal",
        "title": format!("On the measurement of things, part {i}: a study of {}", "many words ".repeat(12)),
        "author": (0..6).map(|a| json!({"family": format!("Author{a}"), "given": "Given Name"})).collect::<Vec<_>>(),
        "container-title": "Journal of Shared Libraries",
        "issued": {"date-parts": [[2000 + (i % 25) as i64]]},
        "abstract": "An abstract of some length. ".repeat(40),
        "DOI": format!("10.1234/folio.{i}"),
        "tags": ["one", "two", "three"],
    })
}

async fn measure_import(n: usize) {
    let mut r = connect(&fresh_database()).await;
    let objects: Vec<PushObject> = (0..n).map(|i| item(&format!("Key{i}"), big_state(i))).collect();
    let bytes: usize = objects
        .iter()
        .map(|o| serde_json::to_string(&o.state).unwrap().len())
        .sum();
    let push = action("import", objects);
    let t = Instant::now();
    assert_eq!(applied(r.push(&push).await.unwrap()), 1);
    let pushed = t.elapsed();
    let t = Instant::now();
    let all = pull_all(&mut r, Cursor::default(), 1000).await;
    let pulled = t.elapsed();
    assert_eq!(all.len(), n);
    let t = Instant::now();
    assert_eq!(r.push(&push).await.unwrap(), PushOutcome::AlreadyApplied { version: 1 });
    let retried = t.elapsed();
    // A second import that clashes on one key: refused whole.
    let mut again: Vec<PushObject> = (0..n).map(|i| item(&format!("New{i}"), big_state(i))).collect();
    again[n / 2].citekey = Some("Key7".into());
    let t = Instant::now();
    assert!(matches!(
        r.push(&action("import 2", again)).await.unwrap(),
        PushOutcome::KeysTaken { .. }
    ));
    let refused = t.elapsed();
    eprintln!(
        "{n} items ({} MB of JSON): push {pushed:?}, pull (pages of 1000) {pulled:?}, retry {retried:?}, \
         refused clashing import {refused:?}",
        bytes / 1_000_000
    );
    assert_eq!(r.library_version().await.unwrap(), 1);
}

#[tokio::test]
async fn a_7k_import_pushes_and_pulls() {
    measure_import(7_000).await;
}

#[tokio::test]
async fn a_50k_import_pushes_and_pulls() {
    measure_import(50_000).await;
}

#[tokio::test]
async fn tls_modes_check_what_they_promise() {
    let (s, ca) = PgServer::private_tls();
    let db = s.create_database();
    let port = s.port();
    let ca = ca.display().to_string();
    let url = |host: &str, query: &str| format!("postgresql://{ADMIN}@{host}:{port}/{db}?{query}");
    let encrypted = || {
        s.psql(
            "postgres",
            &format!(
                "SELECT count(*) FROM pg_stat_ssl JOIN pg_stat_activity USING (pid) WHERE ssl AND datname = '{db}'"
            ),
        )
    };
    // verify-full: the chain and the name (IP and DNS names both in the certificate).
    for host in ["127.0.0.1", "localhost"] {
        let mut r = PgRemote::connect(&url(host, &format!("sslmode=verify-full&sslrootcert={ca}")), "g", None)
            .await
            .unwrap_or_else(|e| panic!("{host}: {e}"));
        applied(
            r.push(&action("one", vec![item(&format!("T{host}"), json!({}))]))
                .await
                .unwrap(),
        );
        assert_eq!(encrypted(), "1");
    }
    // A name the certificate does not have (the same server through hostaddr): refused by
    // verify-full, accepted by verify-ca.
    let other = format!("hostaddr=127.0.0.1&sslrootcert={ca}");
    match PgRemote::connect(
        &url("folio.invalid", &format!("sslmode=verify-full&{other}")),
        "g",
        None,
    )
    .await
    {
        Err(Error::Offline { reason, .. }) => assert!(reason.contains("certificate"), "{reason}"),
        other => panic!("expected a refused certificate, got {:?}", other.err()),
    }
    PgRemote::connect(&url("folio.invalid", &format!("sslmode=verify-ca&{other}")), "g", None)
        .await
        .unwrap();
    // An unknown CA (the system's roots): refused; require does not check.
    match PgRemote::connect(&url("127.0.0.1", "sslmode=verify-full"), "g", None).await {
        Err(Error::Offline { reason, .. }) => assert!(reason.contains("certificate"), "{reason}"),
        other => panic!("expected a refused certificate, got {:?}", other.err()),
    }
    let mut r = PgRemote::connect(&url("127.0.0.1", "sslmode=require"), "g", None)
        .await
        .unwrap();
    assert_eq!(r.library_version().await.unwrap(), 2);
    assert_eq!(encrypted(), "1");
    drop(r);
    // disable: plain.
    let mut r = PgRemote::connect(&url("127.0.0.1", "sslmode=disable"), "g", None)
        .await
        .unwrap();
    assert_eq!(r.library_version().await.unwrap(), 2);
}
