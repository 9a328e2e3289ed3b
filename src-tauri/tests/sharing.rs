//! Shared libraries in the app (issue 27), against a real PostgreSQL: the commands through
//! Tauri's mock runtime (argument names, answers, events), with the app's background sync.
//!
//! The server: `FOLIO_PG_URL` (a superuser URL) when set, else a private cluster started once
//! for this test process from `/usr/lib/postgresql/*/bin` (as the `postgres` user when root),
//! on 127.0.0.1 only, killed and removed when the process ends (the approach of the core's
//! `tests/it/pg.rs`). No PostgreSQL is a failure, never a skip.

use folio::app::share;
use folio::Library;
use folio_desktop::ops;
use folio_desktop::state::AppState;
use serde_json::{json, Value};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::{Duration, Instant};
use tauri::ipc::{CallbackFn, InvokeBody};
use tauri::test::{get_ipc_response, mock_builder, mock_context, noop_assets, MockRuntime, INVOKE_KEY};
use tauri::webview::InvokeRequest;
use tauri::{Listener, WebviewWindow};

// ----- the server ----------------------------------------------------------------------------

struct Pg {
    /// Superuser URL with `{db}` for the database.
    template: String,
    psql: PathBuf,
    _cluster: Option<(Child, Child)>,
}

fn bin_dir() -> Option<PathBuf> {
    let mut found: Vec<(u32, PathBuf)> = std::fs::read_dir("/usr/lib/postgresql")
        .ok()?
        .flatten()
        .filter_map(|e| {
            let v = e.file_name().to_str()?.parse().ok()?;
            let bin = e.path().join("bin");
            bin.join("initdb").exists().then_some((v, bin))
        })
        .collect();
    found.sort();
    found.pop().map(|(_, b)| b)
}

/// The `postgres` user's uid and gid when we are root (initdb and postgres refuse root).
fn postgres_user() -> Option<(u32, u32)> {
    let id = |flag: &str| -> Option<u32> {
        let out = Command::new("id").args([flag, "postgres"]).output().ok()?;
        String::from_utf8(out.stdout).ok()?.trim().parse().ok()
    };
    let me = Command::new("id").arg("-u").output().ok()?;
    if String::from_utf8_lossy(&me.stdout).trim() != "0" {
        return None;
    }
    Some((
        id("-u").expect("running as root, PostgreSQL needs the `postgres` user"),
        id("-g")?,
    ))
}

fn as_postgres(cmd: &mut Command, user: Option<(u32, u32)>) {
    use std::os::unix::process::CommandExt;
    if let Some((uid, gid)) = user {
        cmd.uid(uid).gid(gid);
    }
}

fn pg() -> &'static Pg {
    static PG: OnceLock<Pg> = OnceLock::new();
    PG.get_or_init(|| {
        if let Ok(url) = std::env::var("FOLIO_PG_URL") {
            if !url.is_empty() {
                let (head, tail) = url.split_once("://").unwrap();
                let (authority, rest) = tail.split_once('/').unwrap_or((tail, ""));
                let query = rest.split_once('?').map(|(_, q)| format!("?{q}")).unwrap_or_default();
                return Pg {
                    template: format!("{head}://{authority}/{{db}}{query}"),
                    psql: bin_dir().map_or_else(|| "psql".into(), |b| b.join("psql")),
                    _cluster: None,
                };
            }
        }
        start_cluster()
    })
}

fn start_cluster() -> Pg {
    let bin = bin_dir().expect(
        "PostgreSQL is not installed (no /usr/lib/postgresql/*/bin/initdb): install Debian's \
         postgresql package or set FOLIO_PG_URL",
    );
    let user = postgres_user();
    let dir = tempfile::Builder::new()
        .prefix("folio-shell-pg-")
        .tempdir()
        .unwrap()
        .keep();
    if let Some((uid, gid)) = user {
        std::os::unix::fs::chown(&dir, Some(uid), Some(gid)).unwrap();
    }
    let mut initdb = Command::new(bin.join("initdb"));
    initdb
        .args([
            "-U",
            "folio_admin",
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
    assert!(out.status.success(), "initdb: {}", String::from_utf8_lossy(&out.stderr));
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let mut cmd = Command::new(bin.join("postgres"));
    cmd.arg("-D")
        .arg(dir.join("data"))
        .args(["-p", &port.to_string(), "-k"])
        .arg(&dir)
        .args([
            "-c",
            "listen_addresses=127.0.0.1",
            "-c",
            "fsync=off",
            "-c",
            "synchronous_commit=off",
        ])
        .current_dir(&dir)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null());
    as_postgres(&mut cmd, user);
    let child = cmd.spawn().expect("cannot start postgres");
    // Kills the server and removes its folder when this process ends, however it ends (its
    // stdin closes).
    let cleaner = Command::new("sh")
        .args([
            "-c",
            "cat >/dev/null; kill -KILL \"$1\" 2>/dev/null; sleep 0.5; rm -rf \"$2\"",
            "sh",
            &child.id().to_string(),
        ])
        .arg(&dir)
        .stdin(Stdio::piped())
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(60);
    while !Command::new(bin.join("pg_isready"))
        .args(["-q", "-h", "127.0.0.1", "-p", &port.to_string()])
        .status()
        .unwrap()
        .success()
    {
        assert!(Instant::now() < deadline, "postgres did not start within 60 s");
        std::thread::sleep(Duration::from_millis(50));
    }
    Pg {
        template: format!("postgresql://folio_admin@127.0.0.1:{port}/{{db}}?sslmode=disable"),
        psql: bin.join("psql"),
        _cluster: Some((child, cleaner)),
    }
}

impl Pg {
    fn url(&self, db: &str) -> String {
        self.template.replace("{db}", db)
    }

    fn psql(&self, db: &str, sql: &str) -> String {
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
            .unwrap();
        assert!(
            out.status.success(),
            "psql {sql:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).unwrap().trim().to_string()
    }

    /// A new empty database: its superuser URL and its name.
    fn database(&self) -> (String, String) {
        static N: AtomicUsize = AtomicUsize::new(0);
        let name = format!("folio_shell{}_{}", std::process::id(), N.fetch_add(1, Ordering::SeqCst));
        self.psql("postgres", &format!("CREATE DATABASE {name}"));
        (self.url(&name), name)
    }

    /// `url` as another role (with a password in it).
    fn as_role(&self, url: &str, role: &str) -> String {
        let rest = url.split_once('@').unwrap().1;
        format!("postgresql://{role}:pw%40{role}@{rest}")
    }
}

// ----- the app -------------------------------------------------------------------------------

const ITEMS: &str = r#"[
  {"key":"flores2022","type":"article","title":"Co-creation in integrated public services",
   "authors":[{"family":"Casiano Flores","given":"Cesar"}],"date":"2022"},
  {"key":"jaspers2019","type":"article","title":"Temporary use of vacant spaces",
   "authors":[{"family":"Jaspers","given":"Sylke"}],"date":"2019"}
]"#;

struct Window {
    _app: tauri::App<MockRuntime>,
    webview: WebviewWindow<MockRuntime>,
    state: AppState,
    /// The `library-changed` and `sync-status` events, in order.
    events: Arc<Mutex<Vec<(String, Value)>>>,
    _dir: tempfile::TempDir,
}

fn library(dir: &Path, items: bool) -> PathBuf {
    let path = dir.join("lib.sqlite");
    let mut lib = Library::open(&path).unwrap();
    if items {
        let file = dir.join("items.json");
        std::fs::write(&file, ITEMS).unwrap();
        let opts = ops::import_options(None, None, None).unwrap();
        let worker = Path::new(env!("CARGO_BIN_EXE_folio-desktop"));
        let r = ops::import_files(&mut lib, worker, &[file], &opts, &mut |_| {}).unwrap();
        assert_eq!(r.added, 2);
    }
    path
}

fn window_on(dir: tempfile::TempDir, path: &Path) -> Window {
    let state = AppState::from_library(Library::open(path).unwrap(), path.to_path_buf());
    let app = folio_desktop::with_commands(mock_builder(), state.clone())
        .build(mock_context(noop_assets()))
        .unwrap();
    let webview = tauri::WebviewWindowBuilder::new(&app, "main", Default::default())
        .build()
        .unwrap();
    let events = Arc::new(Mutex::new(Vec::new()));
    for name in ["library-changed", folio_desktop::share::SYNC_STATUS] {
        let ev = events.clone();
        app.listen(name, move |e| {
            let v: Value = serde_json::from_str(e.payload()).unwrap();
            ev.lock().unwrap().push((name.to_string(), v));
        });
    }
    // As at start-up: a library shared before syncs as soon as it is open.
    folio_desktop::share::restart(app.handle());
    Window {
        _app: app,
        webview,
        state,
        events,
        _dir: dir,
    }
}

fn window(items: bool) -> Window {
    let dir = tempfile::tempdir().unwrap();
    let path = library(dir.path(), items);
    window_on(dir, &path)
}

impl Window {
    fn call(&self, cmd: &str, body: Value) -> Result<Value, Value> {
        let req = InvokeRequest {
            cmd: cmd.into(),
            callback: CallbackFn(0),
            error: CallbackFn(1),
            url: "tauri://localhost".parse().unwrap(),
            body: InvokeBody::Json(body),
            headers: Default::default(),
            invoke_key: INVOKE_KEY.to_string(),
        };
        get_ipc_response(&self.webview, req).map(|r| r.deserialize::<Value>().unwrap())
    }

    fn status(&self) -> Value {
        self.call("sync_status", json!({})).unwrap()
    }

    fn title_of(&self, key: &str) -> Option<String> {
        self.state
            .with(|o| Ok(o.library.get(key).ok().map(|it| it.title)))
            .unwrap()
    }

    fn id_of(&self, key: &str) -> i64 {
        self.state.with(|o| Ok(o.library.id_of(key)?)).unwrap()
    }

    fn events(&self, name: &str) -> Vec<Value> {
        self.events
            .lock()
            .unwrap()
            .iter()
            .filter(|(n, _)| n == name)
            .map(|(_, v)| v.clone())
            .collect()
    }
}

/// Wait up to `secs` for `cond`; how long it took.
fn wait_for(secs: u64, what: &str, mut cond: impl FnMut() -> bool) -> Duration {
    let start = Instant::now();
    while !cond() {
        assert!(
            start.elapsed() < Duration::from_secs(secs),
            "timed out waiting for {what}"
        );
        std::thread::sleep(Duration::from_millis(10));
    }
    start.elapsed()
}

fn connect(w: &Window, url: &str, name: &str, author: &str) -> Result<Value, Value> {
    w.call(
        "remote_connect",
        json!({"url": url, "libraryName": name, "author": author}),
    )
}

// ----- tests ---------------------------------------------------------------------------------

#[test]
fn two_windows_share_a_library_an_edit_in_one_shows_in_the_other() {
    let (url, _) = pg().database();
    let a = window(true);
    let b = window(false);
    assert_eq!(a.status()["state"], "off");
    let st = connect(&a, &url, "group", "ann@laptop").unwrap();
    assert_eq!(st["library"], "group");
    assert_eq!(st["author"], "ann@laptop");
    assert!(!st["server"].as_str().unwrap().contains("pw"), "{st}");
    connect(&b, &url, "group", "bob@desktop").unwrap();
    // B receives A's two items, and its window is told to refresh.
    wait_for(20, "b to have a's items", || b.title_of("jaspers2019").is_some());
    wait_for(10, "both synced", || {
        a.status()["state"] == "synced" && b.status()["state"] == "synced" && a.status()["outbox"] == 0
    });
    assert!(
        b.events("library-changed")
            .iter()
            .any(|e| e["action"].as_str().unwrap().contains("by ann@laptop")
                && e["scopes"].as_array().unwrap().contains(&json!("items"))),
        "{:?}",
        b.events("library-changed")
    );
    let states: Vec<Value> = b.events("sync-status").iter().map(|s| s["state"].clone()).collect();
    assert!(
        states.contains(&json!("syncing")) && states.contains(&json!("synced")),
        "{states:?}"
    );

    // An edit in A, through the command the item pane uses, shows in B.
    let mut times = Vec::new();
    for i in 0..5 {
        let title = format!("Temporary use, edit {i}");
        let id = a.id_of("jaspers2019");
        let start = Instant::now();
        a.call(
            "edit_field",
            json!({"id": id, "field": "title", "value": title, "force": false}),
        )
        .unwrap();
        let reached = || b.title_of("jaspers2019").as_deref() == Some(&title);
        if std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| wait_for(10, "the edit", reached))).is_err() {
            panic!(
                "the edit did not reach b: a {} b {} b's title {:?}",
                a.status(),
                b.status(),
                b.title_of("jaspers2019")
            );
        }
        times.push(start.elapsed());
    }
    times.sort();
    eprintln!("edit in one window → in the other's library: {times:?}");
    assert!(times[2] < Duration::from_secs(1), "median {:?}", times[2]);

    // Who changed what: the item's shared history names both members' actions.
    let id = b.id_of("jaspers2019");
    let item_title = b.call("get_item", json!({"id": id})).unwrap()["fields"].clone();
    assert!(item_title.to_string().contains("edit 4"), "{item_title}");
    let h = b.call("shared_history", json!({"key": "jaspers2019"})).unwrap();
    let h = h.as_array().unwrap();
    assert_eq!(h.len(), 6, "{h:?}");
    assert_eq!(h[0]["author"], "ann@laptop");
    assert_eq!(h[0]["change"], "changed");
    assert_eq!(h[0]["fields"], json!(["title"]));
    assert_eq!(h.last().unwrap()["change"], "added");
    assert!(h[0]["version"].as_i64() > h[1]["version"].as_i64());
    let e = b.call("shared_history", json!({"key": "nobody1999"})).unwrap_err();
    assert_eq!(e["code"], "not-found");

    // Stop sharing: B keeps its items, its status is off, A's edits no longer arrive.
    let off = b.call("remote_disconnect", json!({})).unwrap();
    assert_eq!(off["state"], "off");
    let id = a.id_of("flores2022");
    a.call(
        "edit_field",
        json!({"id": id, "field": "title", "value": "After B left", "force": false}),
    )
    .unwrap();
    wait_for(10, "a to push", || {
        a.status()["outbox"] == 0 && a.status()["state"] == "synced"
    });
    std::thread::sleep(Duration::from_millis(500));
    assert_eq!(
        b.title_of("flores2022").as_deref(),
        Some("Co-creation in integrated public services")
    );
    assert_eq!(b.status()["state"], "off");
}

#[test]
fn a_connection_that_fails_says_why_and_changes_nothing() {
    let w = window(true);
    let e = connect(&w, "postgresql://nobody@127.0.0.1:1/none?sslmode=disable", "x", "me").unwrap_err();
    assert_eq!(e["code"], "offline", "{e}");
    assert!(e["message"].as_str().unwrap().contains("127.0.0.1:1"), "{e}");
    let e = connect(&w, "mysql://x", "x", "me").unwrap_err();
    assert_eq!(e["code"], "invalid-input", "{e}");
    assert!(e["message"].as_str().unwrap().contains("not a PostgreSQL URL"), "{e}");
    assert_eq!(w.status()["state"], "off");
    assert!(w.state.with(|o| Ok(o.library.remote_settings()?)).unwrap().is_none());
}

/// Both libraries change one title while apart: the app shows one conflict with both values,
/// and resolving it (theirs) is pushed, so the shared library agrees.
#[test]
fn a_conflict_is_listed_with_both_values_and_resolved_from_the_app() {
    let (url, _) = pg().database();
    let dir1 = tempfile::tempdir().unwrap();
    let dir2 = tempfile::tempdir().unwrap();
    let p1 = library(dir1.path(), true);
    let p2 = library(dir2.path(), false);
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let mut l1 = Library::open(&p1).unwrap();
    let mut l2 = Library::open(&p2).unwrap();
    rt.block_on(async {
        share::set_remote(&mut l1, &url, "c", "ann").await.unwrap();
        share::sync_library(&mut l1).await.unwrap();
        share::set_remote(&mut l2, &url, "c", "bob").await.unwrap();
        share::sync_library(&mut l2).await.unwrap();
    });
    l1.edit("flores2022", &[("title".into(), "Ann's title".into())], false)
        .unwrap();
    l2.edit("flores2022", &[("title".into(), "Bob's title".into())], false)
        .unwrap();
    rt.block_on(share::sync_library(&mut l1)).unwrap();
    drop(l2);
    // Bob opens the app: its sync pulls Ann's change and finds the conflict.
    let w = window_on(dir2, &p2);
    wait_for(20, "the conflict", || w.status()["conflicts"] == 1);
    let list = w.call("sync_conflicts", json!({})).unwrap();
    let c = &list[0];
    assert_eq!(c["name"], "flores2022");
    assert_eq!(c["kind"], "item");
    assert_eq!(c["field"], "title");
    assert_eq!(c["deleted"], false);
    assert_eq!(c["mine"], "Bob's title");
    assert_eq!(c["theirs"], "Ann's title");
    assert_eq!(c["author"], "ann");
    assert!(!c["at"].as_str().unwrap().is_empty());
    assert_eq!(w.title_of("flores2022").as_deref(), Some("Bob's title"));

    let e = w
        .call(
            "resolve_conflict",
            json!({"uuid": c["uuid"], "field": "date", "take": "theirs"}),
        )
        .unwrap_err();
    assert_eq!(e["code"], "not-found");
    w.call(
        "resolve_conflict",
        json!({"uuid": c["uuid"], "field": "title", "take": "theirs"}),
    )
    .unwrap();
    assert_eq!(w.title_of("flores2022").as_deref(), Some("Ann's title"));
    wait_for(10, "the resolution to be pushed", || {
        let s = w.status();
        s["conflicts"] == 0 && s["outbox"] == 0 && s["state"] == "synced"
    });
    assert_eq!(w.call("sync_conflicts", json!({})).unwrap(), json!([]));
    rt.block_on(share::sync_library(&mut l1)).unwrap();
    assert_eq!(l1.get("flores2022").unwrap().title, "Ann's title");
}

/// A member whose role may only read sees "read-only"; a member whose login stops working is
/// "offline since …" and comes back by itself when it works again.
#[test]
fn read_only_members_and_offline_periods_show_in_the_status() {
    let (url, db) = pg().database();
    let owner = window(true);
    connect(&owner, &url, "ro", "owner").unwrap();
    wait_for(20, "owner synced", || owner.status()["state"] == "synced");
    let server = pg();
    server.psql(
        &db,
        "CREATE ROLE folio_reader LOGIN PASSWORD 'x'; GRANT SELECT ON ALL TABLES IN SCHEMA public TO folio_reader;",
    );
    let reader = window(false);
    let st = connect(&reader, &server.as_role(&url, "folio_reader"), "ro", "reader").unwrap();
    assert!(
        !st["server"].as_str().unwrap().contains("pw%40"),
        "the password is not shown: {st}"
    );
    let kept = reader
        .state
        .with(|o| Ok(o.library.remote_settings()?))
        .unwrap()
        .unwrap();
    assert!(
        !kept.url.contains("pw"),
        "the password is not kept in the library: {}",
        kept.url
    );
    wait_for(20, "reader read-only with the items", || {
        reader.status()["state"] == "read-only" && reader.title_of("flores2022").is_some()
    });

    // Ann may edit; then her login is refused and her connections cut: offline.
    server.psql(
        &db,
        "CREATE ROLE folio_ann LOGIN PASSWORD 'x'; GRANT SELECT, INSERT, UPDATE ON ALL TABLES IN SCHEMA public TO folio_ann;",
    );
    let ann = window(false);
    connect(&ann, &server.as_role(&url, "folio_ann"), "ro", "ann").unwrap();
    wait_for(20, "ann synced", || {
        ann.status()["state"] == "synced" && ann.title_of("flores2022").is_some()
    });
    server.psql(
        &db,
        "ALTER ROLE folio_ann NOLOGIN; SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE usename = 'folio_ann';",
    );
    let id = ann.id_of("flores2022");
    ann.call(
        "edit_field",
        json!({"id": id, "field": "title", "value": "Offline edit", "force": false}),
    )
    .unwrap();
    wait_for(20, "ann offline", || ann.status()["state"] == "offline");
    let st = ann.status();
    assert!(st["offlineSince"].as_str().unwrap().ends_with('Z'), "{st}");
    assert!(!st["lastError"].as_str().unwrap().is_empty(), "{st}");
    assert_eq!(st["outbox"], 1, "{st}");
    // Back: the edit is pushed and reaches the owner.
    server.psql(&db, "ALTER ROLE folio_ann LOGIN");
    ann.call("sync_now", json!({})).unwrap();
    wait_for(30, "ann back", || {
        ann.status()["state"] == "synced" && ann.status()["outbox"] == 0
    });
    assert!(ann.status()["offlineSince"].is_null());
    wait_for(10, "the owner to see the offline edit", || {
        owner.title_of("flores2022").as_deref() == Some("Offline edit")
    });
}
