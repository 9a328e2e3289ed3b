//! Opening a library file: creating a new one (and saying so), opening one that can only be
//! read, the backup before an upgrade (made once per source state), and the integrity check
//! that keeps a damaged library from being written to.
//!
//! - **Read-only.** A library this process cannot write (its file or folder write-protected, a
//!   read-only file system, another user's file) is opened read-only (`mode=ro`): reading and
//!   exporting to other files work, every change fails with [`Error::ReadOnly`]. SQLite reads
//!   a WAL-mode database read-only only when its `-wal` and `-shm` files exist or can be made;
//!   in a read-only folder they cannot, and then the file is opened `immutable=1` (no locks, no
//!   WAL) — only when there is no `-wal` with content, which would then be ignored.
//! - **Integrity.** Before the first write of a handle, `PRAGMA quick_check` runs when the
//!   library is small (below [`CHECK_EVERY_WRITE_BELOW`]) or when the last check that passed is
//!   older than [`CHECK_INTERVAL`]; a library that fails it is refused every write with
//!   [`Error::Damaged`] (which says how to recover). SQLite meeting a damaged page during a
//!   write does the same. `Store::quick_check` runs it on demand (`folio info --check`).

use super::{search, Connection, Store};
use crate::error::{Error, Result};
use rusqlite::{OpenFlags, OptionalExtension};
use std::path::{Path, PathBuf};
use std::time::Duration;

/// Libraries smaller than this are checked (`PRAGMA quick_check`) before the first write of
/// every handle: about 0.1 s there at most (`folio info --check` of a 10k-entry library of
/// 43 MB: 0.15 s, of 100k entries and 376 MB: 0.9 s; release build).
pub const CHECK_EVERY_WRITE_BELOW: u64 = 32 << 20;

/// Larger libraries are checked before a write when the last check that passed is older
/// than this (the check reads the whole file: about a second per 100k items).
pub const CHECK_INTERVAL: Duration = Duration::from_secs(24 * 60 * 60);

/// The meta key holding when the last integrity check passed, in seconds since 1970 (not
/// journaled, not a setting).
const CHECKED_AT: &str = "integrity.checked_at";

/// How the library came to be open, for front ends to say so.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Opened {
    /// The file did not exist: this open created a new, empty library.
    pub created: bool,
    /// The folders this open created for it (the topmost first), when it created any.
    pub created_folders: Vec<PathBuf>,
    /// Why the library can only be read, when it can.
    pub read_only: Option<String>,
}

/// Whether this process may write `path`, and if not the OS's reason (permission denied, a
/// read-only file system). Root passes permission bits but not a read-only file system.
pub(crate) fn may_write(path: &Path) -> std::result::Result<(), std::io::Error> {
    #[cfg(unix)]
    {
        use std::os::unix::ffi::OsStrExt;
        let c = std::ffi::CString::new(path.as_os_str().as_bytes())
            .map_err(|_| std::io::Error::from(std::io::ErrorKind::InvalidInput))?;
        // SAFETY: `c` is a valid NUL-terminated path for the duration of the call.
        if unsafe { libc::access(c.as_ptr(), libc::W_OK) } == 0 {
            Ok(())
        } else {
            Err(std::io::Error::last_os_error())
        }
    }
    #[cfg(not(unix))]
    {
        match std::fs::metadata(path) {
            Ok(m) if m.permissions().readonly() => Err(std::io::Error::from(std::io::ErrorKind::PermissionDenied)),
            _ => Ok(()),
        }
    }
}

/// Why this process cannot write the library at `path` (or its folder, where SQLite keeps the
/// `-wal` and `-shm` files), if it cannot.
fn cannot_write(path: &Path) -> Option<String> {
    if let Err(e) = may_write(path) {
        return Some(format!("the file cannot be written: {e}"));
    }
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    may_write(dir)
        .err()
        .map(|e| format!("its folder cannot be written ({e}), and SQLite keeps its -wal and -shm files there"))
}

/// An SQLite URI for `path` with `query` (`mode=ro`): `file:` and the path, percent-encoded
/// where a URI needs it.
fn file_uri(path: &Path, query: &str) -> String {
    let abs = std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf());
    let text = abs.to_string_lossy();
    let mut out = String::from("file:");
    for b in text.bytes() {
        if b.is_ascii_alphanumeric() || b"/-._~".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out.push('?');
    out.push_str(query);
    out
}

/// Whether SQLite's error means the file could not be written or opened for writing.
fn is_read_only_error(e: &Error) -> bool {
    matches!(e, Error::Db(e) if matches!(
        e.sqlite_error_code(),
        Some(rusqlite::ErrorCode::ReadOnly) | Some(rusqlite::ErrorCode::CannotOpen) | Some(rusqlite::ErrorCode::PermissionDenied)
    ))
}

impl Store {
    /// Open the library at `path` read-only (it must exist): reading and exporting work, every
    /// change is refused with [`Error::ReadOnly`]. A library that needs an upgrade cannot be
    /// opened so.
    pub fn open_read_only(path: &Path) -> Result<Store> {
        if !path.is_file() {
            return Err(Error::NotALibrary {
                path: path.into(),
                reason: if path.exists() {
                    "it is not a file".into()
                } else {
                    "there is no such file".into()
                },
            });
        }
        let mut store = Self::open_ro(path, "opened read-only".into())?;
        store.migrate(None)?;
        Ok(store)
    }

    pub(super) fn open_with(path: &Path, version: Option<usize>) -> Result<Store> {
        if path.is_dir() {
            return Err(Error::NotALibrary {
                path: path.into(),
                reason: "it is a directory".into(),
            });
        }
        if path.exists() {
            if let Some(reason) = cannot_write(path) {
                let mut store = Self::open_ro(path, reason)?;
                store.migrate(version)?;
                return Ok(store);
            }
            return match Self::open_rw(path, false) {
                Ok(mut store) => {
                    store.migrate(version)?;
                    Ok(store)
                }
                // The OS let us open it for writing but SQLite cannot write it (a file
                // system that refuses writes after all): read it.
                Err(e) if is_read_only_error(&e) => {
                    let mut store = Self::open_ro(path, format!("it cannot be written: {e}"))?;
                    store.migrate(version)?;
                    Ok(store)
                }
                Err(e) => Err(e),
            };
        }
        let created_folders = create_folders(path)?;
        let mut store = Self::open_rw(path, true)?;
        store.opened.created = true;
        store.opened.created_folders = created_folders;
        store.migrate(version)?;
        Ok(store)
    }

    /// Open for reading and writing (`create`: the file is new).
    fn open_rw(path: &Path, create: bool) -> Result<Store> {
        // Never open the file ourselves while SQLite may hold it: closing any descriptor of a
        // file drops all of this process's POSIX locks on it, including those of another handle
        // already open on the same library (the app keeps two), and another program closing the
        // library would then delete the WAL under that handle. Only after SQLite failed is the
        // file opened here, to say why (e.g. permission denied).
        let unreadable = |e: rusqlite::Error| unreadable(path, create, e);
        let mut flags = OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX;
        if create {
            flags |= OpenFlags::SQLITE_OPEN_CREATE;
        }
        let conn = Connection::open_with_flags(path, flags).map_err(unreadable)?;
        // SQLite opens a write-protected file read-only without saying so.
        if conn.is_readonly(rusqlite::MAIN_DB).unwrap_or(false) {
            return Err(Error::Db(rusqlite::Error::SqliteFailure(
                rusqlite::ffi::Error::new(rusqlite::ffi::SQLITE_READONLY),
                Some("the file is write-protected".into()),
            )));
        }
        let mut store = Store::new(conn, Some(path.to_path_buf()), None);
        store.configure().map_err(|e| match e {
            Error::Db(e) if e.sqlite_error_code() == Some(rusqlite::ErrorCode::NotADatabase) => Error::NotALibrary {
                path: path.into(),
                reason: "the file is not an SQLite database".into(),
            },
            Error::Db(e) if e.sqlite_error_code() == Some(rusqlite::ErrorCode::CannotOpen) && create => unreadable(e),
            e => e,
        })?;
        Ok(store)
    }

    /// Open read-only, saying `reason`: `mode=ro`, or `immutable=1` where the WAL's companion
    /// files cannot be made and there is no WAL content to miss.
    fn open_ro(path: &Path, reason: String) -> Result<Store> {
        let flags = OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_URI | OpenFlags::SQLITE_OPEN_NO_MUTEX;
        let open = |query: &str| -> Result<Store> {
            let conn =
                Connection::open_with_flags(file_uri(path, query), flags).map_err(|e| unreadable(path, false, e))?;
            let mut store = Store::new(conn, Some(path.to_path_buf()), Some(reason.clone()));
            store.configure()?;
            // Reading the schema opens the WAL files (or fails to).
            store
                .conn
                .query_row("SELECT count(*) FROM sqlite_master", [], |r| r.get::<_, i64>(0))?;
            Ok(store)
        };
        let not_a_db = |e: Error| match e {
            Error::Db(e) if e.sqlite_error_code() == Some(rusqlite::ErrorCode::NotADatabase) => Error::NotALibrary {
                path: path.into(),
                reason: "the file is not an SQLite database".into(),
            },
            e => e,
        };
        match open("mode=ro") {
            Ok(store) => Ok(store),
            Err(e) if is_read_only_error(&e) => {
                let mut wal = path.as_os_str().to_owned();
                wal.push("-wal");
                let wal_len = std::fs::metadata(PathBuf::from(wal)).map(|m| m.len()).unwrap_or(0);
                if wal_len > 0 {
                    return Err(Error::ReadOnly {
                        path: path.into(),
                        reason: format!(
                            "{reason}; its -wal file holds changes that SQLite cannot read without writing: \
                             open it once where it can be written"
                        ),
                    });
                }
                open("immutable=1").map_err(not_a_db)
            }
            Err(e) => Err(not_a_db(e)),
        }
    }

    pub(super) fn new(conn: Connection, path: Option<PathBuf>, read_only: Option<String>) -> Store {
        Store {
            conn,
            fts: search::FtsCache::default(),
            path,
            changed: false,
            opened: Opened {
                read_only,
                ..Opened::default()
            },
            soundness: Soundness::Unchecked,
        }
    }

    /// How this library was opened (created, read-only).
    pub fn opened(&self) -> &Opened {
        &self.opened
    }

    /// Refuse a write to a library that can only be read or failed its integrity check; check
    /// its integrity before the first write of this handle when due (see the module docs).
    pub(super) fn check_writable(&mut self) -> Result<()> {
        let Some(path) = self.path.clone() else {
            return Ok(());
        };
        if let Some(reason) = &self.opened.read_only {
            return Err(Error::ReadOnly {
                path,
                reason: reason.clone(),
            });
        }
        match &self.soundness {
            Soundness::Sound => return Ok(()),
            Soundness::Damaged(detail) => {
                return Err(Error::Damaged {
                    path,
                    detail: detail.clone(),
                })
            }
            Soundness::Unchecked => {}
        }
        if !self.check_due(&path)? {
            self.soundness = Soundness::Sound;
            return Ok(());
        }
        let result = self.quick_check()?;
        if result == "ok" {
            self.soundness = Soundness::Sound;
            // When it passed, for the next handles of a large library (a lost stamp only means
            // one more check).
            let now = unix_now().to_string();
            let _ = self.conn.execute(
                "INSERT INTO meta (key, value) VALUES (?1, ?2) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
                [CHECKED_AT, now.as_str()],
            );
            return Ok(());
        }
        self.soundness = Soundness::Damaged(format!("its integrity check fails: {result}"));
        self.check_writable()
    }

    /// Whether the integrity check is due before this handle's first write.
    fn check_due(&self, path: &Path) -> Result<bool> {
        let size = std::fs::metadata(path).map(|m| m.len()).unwrap_or(0);
        if size < CHECK_EVERY_WRITE_BELOW {
            return Ok(true);
        }
        let last: Option<String> = self
            .conn
            .query_row("SELECT value FROM meta WHERE key = ?1", [CHECKED_AT], |r| r.get(0))
            .optional()?;
        let Some(last) = last.and_then(|t| t.parse::<u64>().ok()) else {
            return Ok(true);
        };
        Ok(unix_now().saturating_sub(last) > CHECK_INTERVAL.as_secs())
    }

    /// SQLite's `PRAGMA quick_check` ("ok", or its first problems on one line each, at most
    /// ten): the structure of every page, without comparing indexes with their tables.
    pub fn quick_check(&self) -> Result<String> {
        let mut st = self.conn.prepare("PRAGMA quick_check(10)")?;
        let rows = st.query_map([], |r| r.get::<_, String>(0));
        let lines: Vec<String> = match rows.and_then(|r| r.collect::<rusqlite::Result<_>>()) {
            Ok(lines) => lines,
            // A file damaged enough makes the check itself fail.
            Err(e) if is_corrupt(&e) => vec![e.to_string()],
            Err(e) => return Err(e.into()),
        };
        Ok(lines.join("\n"))
    }

    /// After a write failed: SQLite found a damaged page, so the library is damaged (no more
    /// writes from this handle). Other errors pass unchanged.
    pub(super) fn note_damage(&mut self, e: Error) -> Error {
        match (&e, &self.path) {
            (Error::Db(db), Some(path)) if is_corrupt(db) => {
                let detail = db.to_string();
                self.soundness = Soundness::Damaged(detail.clone());
                Error::Damaged {
                    path: path.clone(),
                    detail,
                }
            }
            _ => e,
        }
    }

    /// Copy the library next to itself (`library.sqlite.v1-20261128T170207.bak`) before a
    /// migration changes it. A failed backup stops the migration. One backup per state of the
    /// library: an upgrade that failed and is tried again (every command, on a library it
    /// cannot upgrade) finds the backup it made of the same file and version and uses it
    /// instead of copying the whole library again. The copy goes to a temporary name first,
    /// so a backup of that name is always whole.
    pub(super) fn backup_before_migration(&self, from_version: i64) -> Result<()> {
        let Some(path) = &self.path else { return Ok(()) };
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| "library".into());
        let prefix = format!("{name}.v{from_version}-");
        if backup_of_this_state(path, &prefix).is_some() {
            return Ok(());
        }
        let stamp: String = crate::text::now_rfc3339()
            .chars()
            .filter(|c| c.is_ascii_alphanumeric())
            .take(15)
            .collect();
        let backup = path.with_file_name(format!("{prefix}{stamp}.bak"));
        let partial = path.with_file_name(format!("{prefix}{stamp}.bak-partial"));
        let _ = std::fs::remove_file(&partial);
        let fail = |e: String| Error::Migration(format!("could not back up the library to {}: {e}", backup.display()));
        self.conn
            .execute("VACUUM INTO ?1", [partial.to_string_lossy().as_ref()])
            .map_err(|e| fail(e.to_string()))?;
        std::fs::rename(&partial, &backup).map_err(|e| fail(e.to_string()))?;
        Ok(())
    }
}

/// Whether a handle found its library sound before writing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Soundness {
    Unchecked,
    Sound,
    /// Why it is damaged.
    Damaged(String),
}

fn unix_now() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

fn is_corrupt(e: &rusqlite::Error) -> bool {
    matches!(
        e.sqlite_error_code(),
        Some(rusqlite::ErrorCode::DatabaseCorrupt) | Some(rusqlite::ErrorCode::NotADatabase)
    )
}

/// The error for a library SQLite could not open: the OS's reason when the file exists or
/// cannot be created (e.g. permission denied), else "not a Folio library".
fn unreadable(path: &Path, create: bool, e: rusqlite::Error) -> Error {
    if create {
        let dir = match path.parent() {
            Some(d) if !d.as_os_str().is_empty() => d,
            _ => Path::new("."),
        };
        if let Err(io) = may_write(dir) {
            return Error::io(
                path,
                std::io::Error::new(io.kind(), format!("cannot create a library here: {io}")),
            );
        }
    }
    match std::fs::File::open(path) {
        Err(io) if path.exists() => Error::io(path, io),
        _ => Error::NotALibrary {
            path: path.into(),
            reason: e.to_string(),
        },
    }
}

/// Create the folders of a new library at `path`; the ones created, topmost first.
fn create_folders(path: &Path) -> Result<Vec<PathBuf>> {
    let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) else {
        return Ok(Vec::new());
    };
    let mut missing: Vec<PathBuf> = parent
        .ancestors()
        .take_while(|a| !a.as_os_str().is_empty() && !a.exists())
        .map(Path::to_path_buf)
        .collect();
    missing.reverse();
    std::fs::create_dir_all(parent).map_err(|e| Error::io(parent, e))?;
    Ok(missing)
}

/// A whole backup (`<prefix>…bak`) beside the library made after the library last changed:
/// the file's and its WAL's status-change times (which no program can set back, unlike
/// modification times) are older than the backup.
fn backup_of_this_state(path: &Path, prefix: &str) -> Option<PathBuf> {
    let changed = |p: &Path| -> Option<std::time::SystemTime> {
        let m = std::fs::metadata(p).ok()?;
        #[cfg(unix)]
        {
            use std::os::unix::fs::MetadataExt;
            let t = std::time::UNIX_EPOCH
                + Duration::new(u64::try_from(m.ctime()).ok()?, u32::try_from(m.ctime_nsec()).ok()?);
            Some(t.max(m.modified().ok()?))
        }
        #[cfg(not(unix))]
        {
            m.modified().ok()
        }
    };
    let mut newest = changed(path)?;
    let mut wal = path.as_os_str().to_owned();
    wal.push("-wal");
    let wal = PathBuf::from(wal);
    if std::fs::metadata(&wal).is_ok_and(|m| m.len() > 0) {
        newest = newest.max(changed(&wal)?);
    }
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    std::fs::read_dir(dir).ok()?.flatten().find_map(|e| {
        let name = e.file_name().to_string_lossy().into_owned();
        if !name.starts_with(prefix) || !name.ends_with(".bak") {
            return None;
        }
        let m = e.metadata().ok()?;
        (m.is_file() && m.len() > 0 && m.modified().ok()? > newest).then(|| e.path())
    })
}
