//! The user's files as Folio reads and writes them.
//!
//! - Reading ([`read_regular`]): only regular files, opened so that a FIFO or a device never
//!   blocks (`O_NONBLOCK`, then the opened file's own metadata is checked), and never more than
//!   a budget ([`crate::budget`]): a FIFO without a writer, `/dev/zero` or a file that keeps
//!   growing is refused with its path instead of hanging or filling the memory.
//! - Writing ([`Target`]): an export goes *through* a symlink to the file it points to (the
//!   link stays a link); a write-protected file, something that is not a regular file, an
//!   SQLite database or write-ahead log is refused before anything is written; temporary files
//!   of exports that were killed are removed from the folder (only Folio's own, see
//!   [`remove_stale_temporaries`]).

use crate::error::{Error, Result};
use std::fs::{File, Metadata};
use std::io::Read;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// The prefix of an export's temporary file: `.folio-export-<pid>-XXXXXX` beside the target.
pub(crate) const TEMP_PREFIX: &str = ".folio-export-";

/// A temporary file whose writer is gone, or (without a pid in its name) untouched this long,
/// is stale.
const STALE_AFTER: Duration = Duration::from_secs(60 * 60);

/// Any of Folio's temporary files untouched this long is stale, even if a process with its
/// pid runs (pids are reused).
const ABANDONED_AFTER: Duration = Duration::from_secs(24 * 60 * 60);

/// The first bytes of every SQLite database file.
const SQLITE_HEADER: &[u8; 16] = b"SQLite format 3\0";

/// What a file that is not regular is, for messages.
fn kind_of(meta: &Metadata) -> &'static str {
    let t = meta.file_type();
    if t.is_dir() {
        return "a directory";
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        if t.is_fifo() {
            return "a named pipe (FIFO)";
        }
        if t.is_char_device() || t.is_block_device() {
            return "a device";
        }
        if t.is_socket() {
            return "a socket";
        }
    }
    "not a regular file"
}

/// Open `path` for reading without ever blocking: a FIFO with no writer would block a plain
/// `open` forever, so it is opened non-blocking and the opened file's own metadata decides
/// (no race between checking and opening).
fn open_nonblocking(path: &Path) -> std::io::Result<File> {
    let mut o = std::fs::OpenOptions::new();
    o.read(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        o.custom_flags(libc::O_NONBLOCK | libc::O_NOCTTY);
    }
    o.open(path)
}

/// Open a regular file for reading, with its metadata; anything else (a folder, a FIFO, a
/// device, a socket) is refused with what it is, without blocking on it.
pub(crate) fn open_regular(path: &Path) -> Result<(File, Metadata)> {
    // A folder or a FIFO is refused from its metadata before it is opened at all.
    let meta = std::fs::metadata(path).map_err(|e| Error::io(path, e))?;
    if !meta.is_file() {
        return Err(not_regular(path, &meta));
    }
    let f = open_nonblocking(path).map_err(|e| Error::io(path, e))?;
    // The file opened may not be the one looked at (replaced meanwhile): its own metadata.
    let meta = f.metadata().map_err(|e| Error::io(path, e))?;
    if !meta.is_file() {
        return Err(not_regular(path, &meta));
    }
    Ok((f, meta))
}

fn not_regular(path: &Path, meta: &Metadata) -> Error {
    Error::InvalidInput(format!(
        "{}: is {}; Folio reads only regular files",
        path.display(),
        kind_of(meta)
    ))
}

/// The whole content of a regular file of at most `limit` bytes (checked before reading and
/// while reading, so a file that grows is stopped at the limit too). `what` names the limit
/// in the message ("an import", "an .aux file").
pub(crate) fn read_regular(path: &Path, limit: u64, what: &str) -> Result<Vec<u8>> {
    let (f, meta) = open_regular(path)?;
    let too_large = || {
        Error::InvalidInput(format!(
            "{}: the file is larger than {} MiB, the most Folio reads for {what}",
            path.display(),
            limit >> 20
        ))
    };
    if meta.len() > limit {
        return Err(too_large());
    }
    let mut bytes = Vec::with_capacity(meta.len() as usize);
    f.take(limit + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| Error::io(path, e))?;
    if bytes.len() as u64 > limit {
        return Err(too_large());
    }
    Ok(bytes)
}

/// Follow `path` through symlinks (a chain of at most 40, like the OS) to the file a write
/// should replace: the link's target, so the link stays a link. A dangling link gives the
/// path it points to (the export creates that file).
pub(crate) fn resolve_links(path: &Path) -> Result<PathBuf> {
    let mut p = path.to_path_buf();
    for _ in 0..40 {
        match std::fs::symlink_metadata(&p) {
            Ok(m) if m.file_type().is_symlink() => {
                let to = std::fs::read_link(&p).map_err(|e| Error::io(&p, e))?;
                p = match p.parent() {
                    Some(dir) if to.is_relative() => dir.join(to),
                    _ => to,
                };
            }
            _ => return Ok(p),
        }
    }
    Err(Error::io(
        path,
        std::io::Error::other("too many levels of symbolic links"),
    ))
}

/// `path` with its folder made canonical (the file itself may not exist): for comparing
/// names of files that may not exist yet.
fn canonical_name(path: &Path) -> Option<PathBuf> {
    let name = path.file_name()?;
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    Some(std::fs::canonicalize(dir).ok()?.join(name))
}

/// Whether `a` and `b` are the same file: the same device and inode when both exist (hard
/// links, bind mounts), else the same name in the same canonical folder.
pub(crate) fn same_file(a: &Path, b: &Path) -> bool {
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        if let (Ok(ma), Ok(mb)) = (std::fs::metadata(a), std::fs::metadata(b)) {
            return ma.dev() == mb.dev() && ma.ino() == mb.ino();
        }
    }
    match (canonical_name(a), canonical_name(b)) {
        (Some(x), Some(y)) => x == y,
        _ => false,
    }
}

/// An export's target, checked before anything is written.
#[derive(Debug)]
pub(crate) struct Target {
    /// Where the content goes: the path given, or the file its symlinks lead to.
    pub path: PathBuf,
    /// The folder of `path`, where the temporary file is made.
    pub dir: PathBuf,
    /// Whether `path` exists (a regular file, writable, not a database).
    pub exists: bool,
}

impl Target {
    /// Check a target: its folder exists; if it exists it is a regular file that may be
    /// written, and neither an SQLite database nor a write-ahead log (never replaced by an
    /// export: it may be a library). Symlinks are followed to the file they point to.
    pub(crate) fn check(path: &Path) -> Result<Target> {
        let resolved = resolve_links(path)?;
        let dir = match resolved.parent() {
            Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
            _ => PathBuf::from("."),
        };
        if !dir.is_dir() {
            return Err(Error::io(
                &dir,
                std::io::Error::new(std::io::ErrorKind::NotFound, "the target folder does not exist"),
            ));
        }
        let meta = match std::fs::metadata(&resolved) {
            Ok(m) => m,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                return Ok(Target {
                    path: resolved,
                    dir,
                    exists: false,
                })
            }
            Err(e) => return Err(Error::io(&resolved, e)),
        };
        let shown = || {
            if resolved == path {
                path.display().to_string()
            } else {
                format!("{} (the file {} links to)", resolved.display(), path.display())
            }
        };
        if !meta.is_file() {
            return Err(Error::InvalidInput(format!(
                "cannot export to {}: it is {}, not a regular file",
                shown(),
                kind_of(&meta)
            )));
        }
        if meta.permissions().readonly() || !may_write(&resolved) {
            return Err(Error::io(
                &resolved,
                std::io::Error::new(
                    std::io::ErrorKind::PermissionDenied,
                    "the file is write-protected (read-only); Folio does not replace it: make it writable or choose another file",
                ),
            ));
        }
        if let Some(what) = sqlite_kind(&resolved) {
            return Err(Error::InvalidInput(format!(
                "cannot export to {}: it is {what}; an export never replaces one (choose a .bib, .ris or .json file)",
                shown()
            )));
        }
        Ok(Target {
            path: resolved,
            dir,
            exists: true,
        })
    }
}

/// Whether this process may write `path` (the OS's answer: a file of another user, an
/// immutable file, a read-only file system). Root passes the permission bits, which
/// [`Target::check`] looks at itself.
fn may_write(path: &Path) -> bool {
    #[cfg(unix)]
    {
        use std::os::unix::ffi::OsStrExt;
        let Ok(c) = std::ffi::CString::new(path.as_os_str().as_bytes()) else {
            return false;
        };
        // SAFETY: `c` is a valid NUL-terminated path for the duration of the call.
        unsafe { libc::access(c.as_ptr(), libc::W_OK) == 0 }
    }
    #[cfg(not(unix))]
    {
        let _ = path;
        true
    }
}

/// "an SQLite database" / "an SQLite write-ahead log" when the file starts like one.
fn sqlite_kind(path: &Path) -> Option<&'static str> {
    let (mut f, _) = open_regular(path).ok()?;
    let mut head = [0u8; 16];
    let mut n = 0;
    while n < head.len() {
        match f.read(&mut head[n..]) {
            Ok(0) => break,
            Ok(k) => n += k,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(_) => return None,
        }
    }
    if n == 16 && &head == SQLITE_HEADER {
        return Some("an SQLite database (perhaps a Folio library)");
    }
    // The WAL header's magic number, big-endian, with either checksum byte order.
    if n >= 4 && matches!(head[..4], [0x37, 0x7f, 0x06, 0x82] | [0x37, 0x7f, 0x06, 0x83]) {
        return Some("an SQLite write-ahead log");
    }
    None
}

/// Whether the process `pid` is running (on this machine).
fn pid_alive(pid: u32) -> bool {
    #[cfg(unix)]
    {
        let Ok(pid) = libc::pid_t::try_from(pid) else {
            return false;
        };
        if pid <= 0 {
            return false;
        }
        // SAFETY: signal 0 only checks that the process exists; nothing is sent.
        let r = unsafe { libc::kill(pid, 0) };
        r == 0 || std::io::Error::last_os_error().raw_os_error() == Some(libc::EPERM)
    }
    #[cfg(not(unix))]
    {
        let _ = pid;
        true
    }
}

/// The temporary-file prefix of this process: `.folio-export-<pid>-`.
pub(crate) fn temp_prefix() -> String {
    format!("{TEMP_PREFIX}{}-", std::process::id())
}

/// Remove the temporary files that killed exports left in `dir`: regular files named
/// `.folio-export-<pid>-…` whose process is gone (or that were untouched for a day), and
/// older `.folio-export-…` files without a pid untouched for an hour. Only files of this user
/// are touched; errors are ignored (the export goes on). How many were removed.
pub(crate) fn remove_stale_temporaries(dir: &Path) -> usize {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return 0;
    };
    let me = std::process::id();
    let mut removed = 0;
    for e in entries.flatten() {
        let name = e.file_name();
        let Some(rest) = name.to_str().and_then(|n| n.strip_prefix(TEMP_PREFIX)) else {
            continue;
        };
        let Ok(meta) = e.path().symlink_metadata() else {
            continue;
        };
        if !meta.is_file() || !owned_by_me(&meta) {
            continue;
        }
        let age = meta.modified().ok().and_then(|m| m.elapsed().ok()).unwrap_or_default();
        let pid = rest
            .split_once('-')
            .and_then(|(p, _)| p.parse::<u32>().ok().filter(|_| p.bytes().all(|b| b.is_ascii_digit())));
        let stale = match pid {
            Some(pid) => (pid != me && !pid_alive(pid)) || age > ABANDONED_AFTER,
            None => age > STALE_AFTER,
        };
        if stale && std::fs::remove_file(e.path()).is_ok() {
            removed += 1;
        }
    }
    removed
}

fn owned_by_me(meta: &Metadata) -> bool {
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        // SAFETY: geteuid has no preconditions and cannot fail.
        meta.uid() == unsafe { libc::geteuid() }
    }
    #[cfg(not(unix))]
    {
        let _ = meta;
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_regular_files_within_the_limit_only() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("a.bib");
        std::fs::write(&p, "0123456789").unwrap();
        assert_eq!(read_regular(&p, 10, "a test").unwrap(), b"0123456789");
        let e = read_regular(&p, 9, "a test").unwrap_err().to_string();
        assert!(e.contains("a.bib") && e.contains("larger than"), "{e}");
        let e = read_regular(dir.path(), 10, "a test").unwrap_err().to_string();
        assert!(e.contains("is a directory"), "{e}");
    }

    #[cfg(unix)]
    #[test]
    fn devices_are_refused_without_reading_them() {
        let e = read_regular(Path::new("/dev/zero"), 1 << 30, "a test")
            .unwrap_err()
            .to_string();
        assert!(e.contains("/dev/zero: is a device"), "{e}");
    }

    #[test]
    fn stale_temporaries_of_dead_processes_and_old_ones_go_others_stay() {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        // A pid that is not running: beyond the largest pid Linux hands out.
        let dead = format!("{TEMP_PREFIX}4194999-abc123");
        let mine = format!("{}xyz789", temp_prefix());
        let legacy_new = format!("{TEMP_PREFIX}Ab3dEf");
        for n in [
            &dead,
            &mine,
            &legacy_new,
            &".folio-exportX".to_string(),
            &"notes.bib".to_string(),
        ] {
            std::fs::write(d.join(n), "x").unwrap();
        }
        assert_eq!(remove_stale_temporaries(d), 1);
        assert!(!d.join(&dead).exists());
        for n in [&mine, &legacy_new] {
            assert!(d.join(n).exists(), "{n} was removed");
        }
        // An old file without a pid (left by an earlier Folio) goes once an hour old.
        let old = std::time::SystemTime::now() - Duration::from_secs(2 * 60 * 60);
        File::options()
            .write(true)
            .open(d.join(&legacy_new))
            .unwrap()
            .set_modified(old)
            .unwrap();
        assert_eq!(remove_stale_temporaries(d), 1);
        assert!(!d.join(&legacy_new).exists());
        assert!(d.join(&mine).exists() && d.join("notes.bib").exists() && d.join(".folio-exportX").exists());
    }
}
