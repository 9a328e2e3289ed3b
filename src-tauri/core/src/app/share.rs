//! Sharing a library through a PostgreSQL server (issue 27), as every front end does it:
//! connecting (the address is kept without its password; a password given in the URL goes to
//! the OS keychain, and later connections read `PGPASSWORD`, the keychain or `~/.pgpass`),
//! one sync, the conflicts, the shared history.

use crate::error::{Error, Result};
use crate::library::replica::{RemoteSettings, SyncConflict, Take};
use crate::library::Library;
use crate::remote::keychain;
use crate::remote::postgres::PgRemote;
use crate::remote::{Remote, SharedAction, Uuid};
use crate::sync::{self, SyncReport};
use serde::Serialize;
use std::path::Path;

/// A `postgresql://` URL split into the address kept in the library (no password) and the
/// password, if it had one.
pub fn split_password(url: &str) -> Result<(String, Option<String>)> {
    let lower = url.to_ascii_lowercase();
    let Some(rest) = ["postgresql://", "postgres://"]
        .iter()
        .find_map(|p| lower.starts_with(p).then(|| &url[p.len()..]))
    else {
        return Err(Error::InvalidInput(format!(
            "{url:?} is not a PostgreSQL URL (postgresql://user@host/database)"
        )));
    };
    let scheme = &url[..url.len() - rest.len()];
    let authority_end = rest.find(['/', '?']).unwrap_or(rest.len());
    let (authority, tail) = rest.split_at(authority_end);
    let Some(at) = authority.rfind('@') else {
        return Ok((url.to_string(), None));
    };
    let (userinfo, host) = authority.split_at(at);
    match userinfo.split_once(':') {
        Some((user, password)) => Ok((
            format!("{scheme}{user}{host}{tail}"),
            Some(
                percent_encoding::percent_decode_str(password)
                    .decode_utf8_lossy()
                    .into_owned(),
            ),
        )),
        None => Ok((url.to_string(), None)),
    }
}

/// Who this member is by default: the user's login name and the machine's name.
pub fn default_author() -> String {
    let user = std::env::var("USER")
        .or_else(|_| std::env::var("USERNAME"))
        .unwrap_or_else(|_| "someone".into());
    let host = std::fs::read_to_string("/etc/hostname")
        .map(|h| h.trim().to_string())
        .unwrap_or_default();
    if host.is_empty() {
        user
    } else {
        format!("{user}@{host}")
    }
}

/// The shared library's name by default: the library file's name without `.folio`/`.sqlite`.
pub fn default_library_name(path: &Path) -> String {
    path.file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .filter(|s| !s.is_empty())
        .unwrap_or_else(|| "library".into())
}

/// Where the password of a connection comes from: the one given when connecting, the
/// environment's `PGPASSWORD`, the OS keychain (kept there when the library was connected),
/// then `~/.pgpass` (or `PGPASSFILE`), as libpq reads them.
fn password_for(url: &str, given: Option<&str>) -> Option<String> {
    if let Some(p) = given {
        return Some(p.to_string());
    }
    if let Ok(p) = std::env::var("PGPASSWORD") {
        return Some(p);
    }
    if let Some(p) = keychain::read(&keychain_account(url)) {
        return Some(p);
    }
    pgpass(url)
}

/// The keychain account of an address: `user@host:port/database`.
fn keychain_account(url: &str) -> String {
    let (user, host, port, db) = url_parts(url);
    keychain::account(&user, &host, &port, &db)
}

/// Where the password given when connecting was kept.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "snake_case", tag = "kind", content = "reason")]
pub enum PasswordKept {
    /// None was given (the server needs none, or `PGPASSWORD` / `~/.pgpass` has it).
    NoneGiven,
    /// In the OS keychain: later syncs (the CLI's, the app's) find it there.
    Keychain,
    /// Nowhere: the keychain cannot be used (why); later syncs need `PGPASSWORD` or
    /// `~/.pgpass`.
    Nowhere(String),
}

/// The password `~/.pgpass` (`host:port:database:user:password`, `*` matches anything) has
/// for this URL.
fn pgpass(url: &str) -> Option<String> {
    let file = std::env::var_os("PGPASSFILE")
        .map(std::path::PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| Path::new(&h).join(".pgpass")))?;
    let text = std::fs::read_to_string(file).ok()?;
    let (user, host, port, db) = url_parts(url);
    for line in text.lines() {
        if line.starts_with('#') {
            continue;
        }
        let mut fields = Vec::new();
        let mut cur = String::new();
        let mut chars = line.chars();
        while let Some(c) = chars.next() {
            match c {
                '\\' => cur.extend(chars.next()),
                ':' if fields.len() < 4 => fields.push(std::mem::take(&mut cur)),
                c => cur.push(c),
            }
        }
        fields.push(cur);
        if fields.len() != 5 {
            continue;
        }
        let ok = |pat: &str, v: &str| pat == "*" || pat == v;
        if ok(&fields[0], &host) && ok(&fields[1], &port) && ok(&fields[2], &db) && ok(&fields[3], &user) {
            return Some(fields[4].clone());
        }
    }
    None
}

/// (user, host, port, database) of a URL, with libpq's defaults.
fn url_parts(url: &str) -> (String, String, String, String) {
    let rest = url.split_once("://").map_or(url, |(_, r)| r);
    let (authority, path) = rest.split_once('/').unwrap_or((rest, ""));
    let db = path.split('?').next().unwrap_or("").to_string();
    let (user, hostport) = match authority.rsplit_once('@') {
        Some((u, h)) => (u.split(':').next().unwrap_or("").to_string(), h),
        None => (std::env::var("USER").unwrap_or_default(), authority),
    };
    let (host, port) = match hostport.rsplit_once(':') {
        Some((h, p)) if !h.ends_with(']') || hostport.starts_with('[') => (h.to_string(), p.to_string()),
        _ => (hostport.to_string(), "5432".to_string()),
    };
    let host = if host.is_empty() { "localhost".into() } else { host };
    let db = if db.is_empty() { user.clone() } else { db };
    (user, host, port, db)
}

/// Connect to the shared library this library is set up with.
pub async fn connect(settings: &RemoteSettings) -> Result<PgRemote> {
    let password = password_for(&settings.url, None);
    PgRemote::connect(&settings.url, &settings.library, password.as_deref()).await
}

/// What `folio remote set` did.
#[derive(Debug, Clone, Serialize)]
pub struct Connected {
    pub settings: RemoteSettings,
    pub read_only: bool,
    pub server_version: i64,
    /// Objects of this library that the first sync pushes.
    pub to_push: i64,
    /// Where the password in the URL was kept.
    pub password: PasswordKept,
}

/// Set this library up to share through `url` (tested by connecting: the server's schema and
/// the library are created there when missing and the role may). The password in the URL, if
/// any, is never kept in the library: once the connection works it goes to the OS keychain.
pub async fn set_remote(lib: &mut Library, url: &str, library: &str, author: &str) -> Result<Connected> {
    let (bare, given) = split_password(url)?;
    let password = password_for(&bare, given.as_deref());
    let mut remote = PgRemote::connect(&bare, library, password.as_deref()).await?;
    let read_only = !remote.can_write().await?;
    let server_version = remote.library_version().await?;
    let settings = RemoteSettings {
        url: bare,
        library: library.to_string(),
        author: author.to_string(),
    };
    lib.set_remote(&settings)?;
    lib.set_remote_read_only(read_only)?;
    let password = match given {
        None => PasswordKept::NoneGiven,
        Some(p) => match keychain::store(&keychain_account(&settings.url), &p) {
            Ok(()) => PasswordKept::Keychain,
            Err(e) => PasswordKept::Nowhere(e.to_string()),
        },
    };
    Ok(Connected {
        settings,
        read_only,
        server_version,
        to_push: lib.replica_status()?.outbox,
        password,
    })
}

/// Stop sharing: the library keeps its items and forgets its sync bookkeeping; the password
/// kept in the OS keychain for the address is removed. Whether one was.
pub fn unset_remote(lib: &mut Library) -> Result<bool> {
    let settings = lib.remote_settings()?;
    lib.forget_remote()?;
    Ok(match settings {
        // A keychain that cannot be reached holds nothing of ours to remove.
        Some(s) => keychain::forget(&keychain_account(&s.url)).unwrap_or(false),
        None => false,
    })
}

/// One sync of a library with its shared library.
pub async fn sync_library(lib: &mut Library) -> Result<SyncReport> {
    let settings = lib.remote_settings()?.ok_or_else(|| {
        Error::InvalidInput("this library is not shared: `folio remote set postgresql://…` first".into())
    })?;
    let mut remote = connect(&settings).await?;
    sync::sync_once(lib, &mut remote).await
}

/// The shared history, newest first; only an item's when `key` names one.
pub async fn shared_history(lib: &Library, key: Option<&str>, limit: usize) -> Result<Vec<SharedAction>> {
    let settings = lib
        .remote_settings()?
        .ok_or_else(|| Error::InvalidInput("this library is not shared".into()))?;
    let object = match key {
        Some(k) => Some(lib.shared_id_of(k)?),
        None => None,
    };
    let mut remote = connect(&settings).await?;
    remote.history(object, limit).await
}

/// The conflicts waiting for the user.
pub fn conflicts(lib: &Library) -> Result<Vec<SyncConflict>> {
    lib.sync_conflicts()
}

/// Resolve one: `take` is `mine`, `theirs` or a value (JSON, or plain text).
pub fn resolve(lib: &mut Library, target: &str, field: &str, take: &str) -> Result<()> {
    let take = match take {
        "mine" => Take::Mine,
        "theirs" => Take::Theirs,
        other => Take::Value(serde_json::from_str(other).unwrap_or_else(|_| serde_json::Value::String(other.into()))),
    };
    lib.resolve_sync_conflict(target, field, take)
}

/// The uuid of an item by key (for its shared history).
pub fn uuid_of_key(lib: &Library, key: &str) -> Result<Uuid> {
    lib.shared_id_of(key)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_are_taken_out_of_urls() {
        let (u, p) = split_password("postgresql://ann:s%40cret@db.example.org:5433/refs?sslmode=verify-full").unwrap();
        assert_eq!(u, "postgresql://ann@db.example.org:5433/refs?sslmode=verify-full");
        assert_eq!(p.as_deref(), Some("s@cret"));
        let (u, p) = split_password("postgres://ann@db/refs").unwrap();
        assert_eq!((u.as_str(), p), ("postgres://ann@db/refs", None));
        assert!(split_password("mysql://x").is_err());
    }

    #[test]
    fn url_parts_have_libpq_defaults() {
        assert_eq!(
            url_parts("postgresql://ann@db.example.org/refs"),
            ("ann".into(), "db.example.org".into(), "5432".into(), "refs".into())
        );
        assert_eq!(
            url_parts("postgresql://ann@127.0.0.1:6000/x?sslmode=disable"),
            ("ann".into(), "127.0.0.1".into(), "6000".into(), "x".into())
        );
    }
}
