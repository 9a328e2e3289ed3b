//! Imports in a separate process, so that a reader which aborts (a stack overflow or a failed
//! allocation cannot be caught inside a process) takes down only that process: the front end
//! that started it (the desktop window) reports the failure, and the library is unchanged,
//! because an import is one transaction that a dead process never commits.
//!
//! The worker is any executable whose first argument is [`WORKER_ARG`] and which then calls
//! [`serve`] (the desktop app re-runs itself that way). The protocol is JSON: one request on
//! the worker's stdin; on its stdout one line per progress step and a last line with the
//! report or the error. Cancelling kills the worker.

use crate::error::{Error, Result};
use crate::format::Format;
use crate::import::{DuplicatePolicy, ImportOptions, ImportReport, Progress};
use crate::Library;
use serde::{Deserialize, Serialize};
use std::io::{BufRead, BufReader, Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc;
use std::time::Duration;

/// The first argument that turns an executable into an import worker.
pub const WORKER_ARG: &str = "--folio-import-worker";

/// What to import: files by path, or pasted text with the name reports give it.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Source {
    Files(Vec<PathBuf>),
    Text { name: String, text: String },
}

/// One import, as sent to the worker.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Request {
    pub library: PathBuf,
    pub source: Source,
    pub format: Option<Format>,
    pub encoding: Option<String>,
    pub collection: Option<String>,
    pub duplicates: DuplicatePolicy,
}

impl Request {
    /// The request for `source` into `library` with `opts` (its cancel flag stays with the
    /// caller: cancelling kills the worker).
    pub fn new(library: &Path, source: Source, opts: &ImportOptions) -> Request {
        Request {
            library: library.to_path_buf(),
            source,
            format: opts.format,
            encoding: opts.encoding.clone(),
            collection: opts.collection.clone(),
            duplicates: opts.duplicates,
        }
    }

    fn options(&self) -> ImportOptions {
        ImportOptions {
            format: self.format,
            encoding: self.encoding.clone(),
            collection: self.collection.clone(),
            duplicates: self.duplicates,
            cancel: None,
        }
    }
}

/// One line the worker writes.
#[derive(Debug, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
enum Reply {
    Progress { entries: usize, done: u64, total: u64 },
    Report(ImportReport),
    Error { code: String, message: String },
}

/// The worker's side: read one request from `input`, import, write the replies to `output`.
/// Returns the process exit code (0 when the import succeeded).
pub fn serve(mut input: impl Read, mut output: impl Write) -> i32 {
    let mut text = String::new();
    let request = input
        .read_to_string(&mut text)
        .map_err(|e| Error::InvalidInput(format!("import worker: cannot read its request: {e}")))
        .and_then(|_| {
            serde_json::from_str::<Request>(&text)
                .map_err(|e| Error::InvalidInput(format!("import worker: bad request: {e}")))
        });
    let result = request.and_then(|req| {
        let mut lib = Library::open(&req.library)?;
        let opts = req.options();
        match &req.source {
            Source::Files(paths) => {
                let mut last = None::<u64>;
                let mut progress = |p: Progress| {
                    // At most ~200 lines per import.
                    let step = (p.bytes_total / 200).max(1);
                    if last.is_none_or(|l| p.bytes_done >= l + step || p.bytes_done == p.bytes_total) {
                        last = Some(p.bytes_done);
                        let reply = Reply::Progress {
                            entries: p.entries,
                            done: p.bytes_done,
                            total: p.bytes_total,
                        };
                        let _ = send(&mut output, &reply);
                    }
                };
                lib.import_files(paths, &opts, &mut progress)
            }
            Source::Text { name, text } => lib.import_text(name, text, &opts),
        }
    });
    let (reply, code) = match result {
        Ok(report) => (Reply::Report(report), 0),
        Err(e) => (
            Reply::Error {
                code: e.code().to_string(),
                message: e.to_string(),
            },
            1,
        ),
    };
    match send(&mut output, &reply) {
        Ok(()) => code,
        Err(_) => 2,
    }
}

/// [`serve`] on this process's stdin and stdout.
pub fn serve_stdio() -> i32 {
    serve(std::io::stdin().lock(), std::io::stdout().lock())
}

fn send(out: &mut impl Write, reply: &Reply) -> std::io::Result<()> {
    serde_json::to_writer(&mut *out, reply)?;
    out.write_all(b"\n")?;
    out.flush()
}

/// The caller's side: run `request` in `worker` (an executable that serves [`WORKER_ARG`]),
/// passing its progress to `progress`. Setting `cancel` kills the worker: the import fails
/// with [`Error::Cancelled`] and the library is unchanged. A worker that dies (a crash in a
/// reader) gives [`Error::Crashed`] with what it printed last.
pub fn import(
    worker: &Path,
    request: &Request,
    cancel: Option<&AtomicBool>,
    progress: &mut dyn FnMut(Progress),
) -> Result<ImportReport> {
    let body = serde_json::to_vec(request).map_err(|e| Error::InvalidInput(e.to_string()))?;
    let mut child = Command::new(worker)
        .arg(WORKER_ARG)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| Error::io(worker, e))?;
    // The request goes in from a thread: a worker that dies before reading it all must not
    // block this one on a full pipe.
    let mut stdin = child.stdin.take().expect("piped stdin");
    let feeder = std::thread::spawn(move || {
        let _ = stdin.write_all(&body);
    });
    let stderr = child.stderr.take().expect("piped stderr");
    let tail = std::thread::spawn(move || last_bytes(stderr, 4096));
    let (tx, rx) = mpsc::channel();
    let stdout = child.stdout.take().expect("piped stdout");
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines() {
            let Ok(line) = line else { break };
            if tx.send(line).is_err() {
                break;
            }
        }
    });
    let mut outcome: Option<Result<ImportReport>> = None;
    loop {
        if cancel.is_some_and(|c| c.load(Ordering::Relaxed)) {
            let _ = child.kill();
            let _ = child.wait();
            let _ = feeder.join();
            return Err(Error::Cancelled("import"));
        }
        match rx.recv_timeout(Duration::from_millis(50)) {
            Ok(line) => match serde_json::from_str::<Reply>(&line) {
                Ok(Reply::Progress { entries, done, total }) => progress(Progress {
                    entries,
                    bytes_done: done,
                    bytes_total: total,
                }),
                Ok(Reply::Report(r)) => outcome = Some(Ok(r)),
                Ok(Reply::Error { code, message }) => outcome = Some(Err(Error::remote(&code, message))),
                Err(_) => {} // not the protocol (a stray print): ignored
            },
            Err(mpsc::RecvTimeoutError::Timeout) => {}
            Err(mpsc::RecvTimeoutError::Disconnected) => break,
        }
    }
    let status = child.wait().map_err(|e| Error::io(worker, e))?;
    let _ = feeder.join();
    let said = tail.join().unwrap_or_default();
    match outcome {
        // A report means the import committed, whatever happened to the worker afterwards.
        Some(r) => r,
        None => Err(Error::Crashed(format!(
            "the import stopped unexpectedly ({}){}; the library is unchanged",
            describe(&status),
            match said.trim() {
                "" => String::new(),
                s => format!(": {}", s.lines().last().unwrap_or(s)),
            }
        ))),
    }
}

/// The last `n` bytes a stream writes, as text.
fn last_bytes(mut r: impl Read, n: usize) -> String {
    let mut kept: Vec<u8> = Vec::new();
    let mut buf = [0u8; 8192];
    while let Ok(k) = r.read(&mut buf) {
        if k == 0 {
            break;
        }
        kept.extend_from_slice(&buf[..k]);
        if kept.len() > 2 * n {
            kept.drain(..kept.len() - n);
        }
    }
    if kept.len() > n {
        kept.drain(..kept.len() - n);
    }
    String::from_utf8_lossy(&kept).into_owned()
}

#[cfg(unix)]
fn describe(status: &std::process::ExitStatus) -> String {
    use std::os::unix::process::ExitStatusExt;
    match status.signal() {
        Some(6) => "the reader aborted: SIGABRT".into(),
        Some(9) => "the reader was killed: SIGKILL, perhaps out of memory".into(),
        Some(11) => "the reader crashed: SIGSEGV".into(),
        Some(s) => format!("the reader was stopped by signal {s}"),
        None => format!("the reader exited with {status}"),
    }
}

#[cfg(not(unix))]
fn describe(status: &std::process::ExitStatus) -> String {
    format!("the reader exited with {status}")
}
