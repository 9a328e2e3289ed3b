//! Reading a PDF in a child process: the only way to bound a reader that loops inside one
//! call, overflows its stack or allocates without limit.
//!
//! The worker is any executable that calls [`worker_main`] when its first argument is
//! [`WORKER_ARG`] (the `folio` CLI does, and so does the desktop app). Protocol: the parent
//! writes one JSON request (`{"path": …, "limits": …}`) to the worker's stdin and closes it;
//! the worker limits its own address space to `limits.memory_bytes` (unix), reads the file
//! and writes one JSON line, the `Result<PdfDoc, PdfError>`, to stdout. The parent kills the
//! worker once `limits.time` (plus a second's grace for it to report) has passed.

use super::{read, Limits, PdfDoc, PdfError};
use serde::{Deserialize, Serialize};
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

/// The first argument that turns an executable into a PDF worker.
pub const WORKER_ARG: &str = "__pdf-worker";

/// The environment variable that names the worker program (tests point it at the `folio`
/// binary, since a test harness cannot serve [`WORKER_ARG`] itself).
pub const WORKER_ENV: &str = "FOLIO_PDF_WORKER";

/// Stack of the worker's reading thread: deep but legal nesting (forms in forms, long
/// content streams) must not overflow it.
const WORKER_STACK: usize = 64 << 20;

/// Time the worker gets past `limits.time` to report its own timeout before it is killed.
const GRACE: Duration = Duration::from_secs(1);

/// Which program to start as the PDF worker.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Worker {
    program: PathBuf,
}

impl Worker {
    /// `$FOLIO_PDF_WORKER` when set, else this executable (which must then call
    /// [`worker_main`] for [`WORKER_ARG`]).
    pub fn from_env() -> std::io::Result<Worker> {
        match std::env::var_os(WORKER_ENV) {
            Some(p) if !p.is_empty() => Ok(Worker::with_program(PathBuf::from(p))),
            _ => Ok(Worker::with_program(std::env::current_exe()?)),
        }
    }

    /// This program as the worker.
    pub fn with_program(program: impl Into<PathBuf>) -> Worker {
        Worker {
            program: program.into(),
        }
    }

    pub fn program(&self) -> &Path {
        &self.program
    }
}

#[derive(Serialize, Deserialize)]
struct Request {
    path: PathBuf,
    limits: Limits,
}

/// Reads the PDF at `path` in a `worker` process within `limits`: a worker that runs past
/// `limits.time` is killed ([`PdfError::TimedOut`]), one that runs out of its
/// `limits.memory_bytes` gives [`PdfError::OutOfMemory`], one that dies otherwise
/// [`PdfError::WorkerCrashed`].
pub fn read_isolated(path: &Path, limits: &Limits, worker: &Worker) -> Result<PdfDoc, PdfError> {
    let meta = std::fs::metadata(path).map_err(|e| PdfError::Io(format!("{}: {e}", path.display())))?;
    if meta.len() > limits.max_bytes {
        return Err(PdfError::TooLarge {
            bytes: meta.len(),
            max_bytes: limits.max_bytes,
        });
    }
    let path = std::path::absolute(path).map_err(|e| PdfError::Io(e.to_string()))?;
    let body = serde_json::to_vec(&Request {
        path,
        limits: limits.clone(),
    })
    .map_err(|e| PdfError::Io(e.to_string()))?;
    let mut child = Command::new(&worker.program)
        .arg(WORKER_ARG)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| PdfError::WorkerCrashed(format!("cannot start {}: {e}", worker.program.display())))?;
    let started = Instant::now();
    let mut stdin = child.stdin.take().expect("piped stdin");
    // From a thread: a worker that dies before reading it all must not block this one.
    std::thread::spawn(move || {
        let _ = stdin.write_all(&body);
    });
    let (tx, rx) = mpsc::channel();
    let mut stdout = child.stdout.take().expect("piped stdout");
    std::thread::spawn(move || {
        let mut out = Vec::new();
        let _ = stdout.read_to_end(&mut out);
        let _ = tx.send(out);
    });
    let mut stderr = child.stderr.take().expect("piped stderr");
    let err_tail = std::thread::spawn(move || {
        let mut out = Vec::new();
        let _ = (&mut stderr).take(1 << 20).read_to_end(&mut out);
        // Drain the rest so the worker never blocks on a full pipe.
        let _ = std::io::copy(&mut stderr, &mut std::io::sink());
        String::from_utf8_lossy(&out).into_owned()
    });
    let out = match rx.recv_timeout(limits.time + GRACE) {
        Ok(out) => out,
        Err(_) => {
            let _ = child.kill();
            let _ = child.wait();
            return Err(PdfError::TimedOut {
                seconds: limits.time.as_secs(),
            });
        }
    };
    let left = (limits.time + GRACE).saturating_sub(started.elapsed());
    let status = wait_for(&mut child, left.max(Duration::from_millis(200)));
    let said = err_tail.join().unwrap_or_default();
    let reply = String::from_utf8_lossy(&out);
    if let Some(r) = reply
        .lines()
        .rev()
        .find_map(|l| serde_json::from_str::<Result<PdfDoc, PdfError>>(l).ok())
    {
        return r;
    }
    Err(crashed(status, &said))
}

/// The child's exit status, killing it if it has not exited within `time`.
fn wait_for(child: &mut std::process::Child, time: Duration) -> Option<std::process::ExitStatus> {
    let until = Instant::now() + time;
    loop {
        match child.try_wait() {
            Ok(Some(s)) => return Some(s),
            Ok(None) if Instant::now() < until => std::thread::sleep(Duration::from_millis(5)),
            _ => {
                let _ = child.kill();
                return child.wait().ok();
            }
        }
    }
}

/// The error for a worker that wrote no reply.
fn crashed(status: Option<std::process::ExitStatus>, stderr: &str) -> PdfError {
    let last = stderr.lines().rev().find(|l| !l.trim().is_empty()).unwrap_or("").trim();
    if stderr.contains("memory allocation of")
        || stderr.contains("out of memory")
        || stderr.contains("capacity overflow")
    {
        return PdfError::OutOfMemory;
    }
    let how = status
        .map(describe)
        .unwrap_or_else(|| "it could not be waited for".into());
    PdfError::WorkerCrashed(if last.is_empty() { how } else { format!("{how}: {last}") })
}

#[cfg(unix)]
fn describe(status: std::process::ExitStatus) -> String {
    use std::os::unix::process::ExitStatusExt;
    match status.signal() {
        Some(6) => "the reader aborted (SIGABRT)".into(),
        Some(9) => "the reader was killed (SIGKILL, perhaps out of memory)".into(),
        Some(11) => "the reader crashed (SIGSEGV, perhaps a stack overflow)".into(),
        Some(s) => format!("the reader was stopped by signal {s}"),
        None => format!("the reader exited with {status} and no reply"),
    }
}

#[cfg(not(unix))]
fn describe(status: std::process::ExitStatus) -> String {
    format!("the reader exited with {status} and no reply")
}

/// The worker's side: call this first thing in `main` when the first argument is
/// [`WORKER_ARG`]. Reads the request from stdin, writes the reply to stdout.
pub fn worker_main() -> ExitCode {
    let mut text = String::new();
    let request = std::io::stdin()
        .read_to_string(&mut text)
        .ok()
        .and_then(|_| serde_json::from_str::<Request>(&text).ok());
    let Some(req) = request else {
        eprintln!("pdf worker: expected a JSON request on stdin");
        return ExitCode::from(2);
    };
    limit_memory(req.limits.memory_bytes);
    let reply = std::thread::Builder::new()
        .name("pdf-read".into())
        .stack_size(WORKER_STACK)
        .spawn(move || read_file(&req.path, &req.limits))
        .map_err(|e| match e.kind() {
            // Under RLIMIT_AS a thread's stack may not fit (EAGAIN).
            std::io::ErrorKind::OutOfMemory | std::io::ErrorKind::WouldBlock => PdfError::OutOfMemory,
            _ => PdfError::Io(format!("cannot start the reading thread: {e}")),
        })
        .and_then(|h| {
            h.join()
                .unwrap_or_else(|_| Err(PdfError::Damaged("the reader panicked".into())))
        });
    let mut out = std::io::stdout().lock();
    let written =
        serde_json::to_writer(&mut out, &reply).is_ok() && out.write_all(b"\n").is_ok() && out.flush().is_ok();
    if written {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}

fn read_file(path: &Path, limits: &Limits) -> Result<PdfDoc, PdfError> {
    let len = std::fs::metadata(path)
        .map_err(|e| PdfError::Io(format!("{}: {e}", path.display())))?
        .len();
    if len > limits.max_bytes {
        return Err(PdfError::TooLarge {
            bytes: len,
            max_bytes: limits.max_bytes,
        });
    }
    let bytes = std::fs::read(path).map_err(|e| PdfError::Io(format!("{}: {e}", path.display())))?;
    read(&bytes, limits)
}

/// Caps this process's address space, so that a runaway allocation fails (and aborts this
/// worker) instead of exhausting the machine.
#[cfg(unix)]
fn limit_memory(bytes: u64) {
    let lim = libc::rlimit {
        rlim_cur: bytes as libc::rlim_t,
        rlim_max: bytes as libc::rlim_t,
    };
    // SAFETY: setrlimit reads the struct we pass and changes only this process's limits.
    unsafe {
        libc::setrlimit(libc::RLIMIT_AS, &lim);
    }
}

#[cfg(not(unix))]
fn limit_memory(_bytes: u64) {}
