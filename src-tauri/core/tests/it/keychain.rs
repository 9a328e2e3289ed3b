//! A shared library's password in the OS keychain (issue 27): given once in the URL of
//! `folio remote set`, kept by a real Secret Service (GNOME Keyring on a private D-Bus session,
//! as on a Linux desktop), found by later syncs with no `PGPASSWORD` or `~/.pgpass`, and
//! removed by `folio remote unset`. Without a keychain, `remote set` says the password was not
//! kept, and later syncs fail asking for one.

use crate::pg::PgServer;
use crate::support::folio_bin;
use std::path::Path;
use std::process::{Command, Output};

/// Runs `script` in bash inside a private D-Bus session with GNOME Keyring's Secret Service
/// unlocked (its keyrings under `home`), with `$FOLIO` the CLI and no password in the
/// environment.
fn in_keyring_session(home: &Path, script: &str) -> Output {
    for tool in ["dbus-run-session", "gnome-keyring-daemon", "secret-tool"] {
        let found = Command::new("sh")
            .args(["-c", &format!("command -v {tool}")])
            .output()
            .unwrap();
        assert!(
            found.status.success(),
            "{tool} is needed for the keychain test (Debian's dbus, gnome-keyring and \
             libsecret-tools packages; bash .ci/test installs them)"
        );
    }
    let prelude = "set -e\n\
        printf 'keyring-pw' | gnome-keyring-daemon --unlock --components=secrets >/dev/null\n\
        for i in $(seq 50); do busctl --user status >/dev/null 2>&1 && break; sleep 0.1; done\n";
    Command::new("dbus-run-session")
        .args(["--", "bash", "-c"])
        .arg(format!("{prelude}{script}"))
        .env("HOME", home)
        .env("XDG_DATA_HOME", home.join("data"))
        .env("XDG_RUNTIME_DIR", home)
        .env("XDG_CONFIG_HOME", home.join("config"))
        .env("FOLIO", folio_bin())
        .env("PGPASSFILE", home.join("no-pgpass"))
        .env_remove("PGPASSWORD")
        .env_remove("FOLIO_LIBRARY")
        .env_remove("DISPLAY")
        .output()
        .expect("run dbus-run-session")
}

fn text(o: &Output) -> String {
    format!(
        "status {:?}\nstdout:\n{}\nstderr:\n{}",
        o.status.code(),
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

#[test]
fn the_password_given_once_is_kept_in_the_os_keychain() {
    let server = PgServer::private_with_passwords();
    let db = server.create_database();
    server.psql(&db, "CREATE ROLE member LOGIN PASSWORD 'kept in the keyring: ok?'");
    server.psql(
        &db,
        &format!("GRANT ALL ON DATABASE {db} TO member; GRANT ALL ON SCHEMA public TO member"),
    );
    let home = tempfile::tempdir().unwrap();
    let port = server.port();
    let with_password =
        format!("postgresql://member:kept%20in%20the%20keyring%3A%20ok%3F@127.0.0.1:{port}/{db}?sslmode=disable");
    let account = format!("member@127.0.0.1:{port}/{db}");
    let lib = home.path().join("lib.folio");
    let script = format!(
        r#"
L='{lib}'
printf '@article{{Doe2020, title={{A title}}, author={{Doe, Jane}}, year=2020}}\n' > "$L.bib"
"$FOLIO" --library "$L" import "$L.bib" >/dev/null 2>&1
"$FOLIO" --library "$L" remote set '{with_password}' 2>&1
echo "kept: $(secret-tool lookup service 'Folio shared library' username '{account}')"
"$FOLIO" --library "$L" remote show | grep server
"$FOLIO" --library "$L" sync --json > "$L.sync.json"
echo "pushed: $(grep -o '"pushed_objects": *[0-9]*' "$L.sync.json")"
"$FOLIO" --library "$L" remote unset 2>&1
if secret-tool lookup service 'Folio shared library' username '{account}'; then echo still kept; else echo removed; fi
"#,
        lib = lib.display()
    );
    let out = in_keyring_session(home.path(), &script);
    let t = text(&out);
    assert!(out.status.success(), "{t}");
    assert!(t.contains("the password is kept in the OS keychain"), "{t}");
    assert!(t.contains("kept: kept in the keyring: ok?"), "{t}");
    // The library keeps the address without the password.
    assert!(
        t.contains(&format!("server:    postgresql://member@127.0.0.1:{port}/{db}")),
        "{t}"
    );
    assert!(
        !std::fs::read(&lib).unwrap().windows(8).any(|w| w == b"keyring:"),
        "the password is in the library file"
    );
    assert!(
        t.contains("pushed: \"pushed_objects\": 1") || t.contains("pushed: \"pushed_objects\":1"),
        "{t}"
    );
    assert!(t.contains("its password was removed from the OS keychain"), "{t}");
    assert!(t.contains("\nremoved"), "{t}");
    // The server has the item the sync pushed with the kept password.
    assert_eq!(
        server.psql(&db, "SELECT count(*) FROM folio_objects WHERE NOT deleted"),
        "1"
    );
}

/// No Secret Service (a headless server): `remote set` connects with the password in the URL,
/// says it was not kept and why; a later sync without `PGPASSWORD` fails naming the password.
#[test]
fn without_a_keychain_the_password_is_not_kept_and_the_user_is_told() {
    let server = PgServer::private_with_passwords();
    let db = server.create_database();
    server.psql(
        &db,
        &format!("CREATE ROLE member LOGIN PASSWORD 'pw'; GRANT ALL ON DATABASE {db} TO member; GRANT ALL ON SCHEMA public TO member"),
    );
    let home = tempfile::tempdir().unwrap();
    let lib = home.path().join("lib.folio");
    let url = format!(
        "postgresql://member:pw@127.0.0.1:{}/{db}?sslmode=disable",
        server.port()
    );
    let run = |args: &[&str], password: Option<&str>| {
        let mut c = Command::new(folio_bin());
        c.arg("--library")
            .arg(&lib)
            .args(args)
            .env("HOME", home.path())
            .env("PGPASSFILE", home.path().join("no-pgpass"))
            .env_remove("DBUS_SESSION_BUS_ADDRESS")
            .env_remove("DISPLAY")
            .env_remove("FOLIO_LIBRARY")
            .env_remove("PGPASSWORD");
        if let Some(p) = password {
            c.env("PGPASSWORD", p);
        }
        c.output().unwrap()
    };
    let out = run(&["remote", "set", &url], None);
    let t = text(&out);
    assert!(out.status.success(), "{t}");
    assert!(
        t.contains("the password was not kept (the OS keychain cannot be used:")
            && t.contains("later syncs need PGPASSWORD or ~/.pgpass"),
        "{t}"
    );
    let out = run(&["sync"], None);
    let t = text(&out);
    assert!(!out.status.success(), "{t}");
    assert!(t.to_lowercase().contains("password"), "{t}");
    let out = run(&["sync"], Some("pw"));
    assert!(out.status.success(), "{}", text(&out));
}
