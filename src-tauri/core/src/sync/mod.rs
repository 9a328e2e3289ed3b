//! Keeping a library in step with its shared library (issue 27): one sync recovers pushes a
//! crash cut short, pulls everything newer than the last version seen (page by page, each
//! page one local transaction, merged field by field against the last agreed state), then
//! pushes the outbox one local action at a time, each one server transaction with optimistic
//! version checks. A push the server refuses because someone else changed an object first is
//! followed by another pull and merge; a citation key another item holds on the server moves
//! to a free suffix (or, when a paper depends on it, becomes a conflict).
//!
//! The engine is generic over the server ([`Remote`]) and over how it reaches the library
//! ([`Replica`]: the CLI owns its `Library`, the desktop app lends its library for each short
//! step, so the window is never blocked by the network).

pub mod history;
pub mod merge;

use crate::error::{Error, Result};
use crate::library::replica::{KeyRenamed, PullApplied};
use crate::library::Library;
use crate::remote::{Cursor, PushOutcome, Remote, Uuid};
use serde::Serialize;

/// How the engine reaches the library: each call is one short step.
pub trait Replica {
    fn with<T>(&mut self, f: impl FnOnce(&mut Library) -> Result<T>) -> Result<T>;
}

impl Replica for Library {
    fn with<T>(&mut self, f: impl FnOnce(&mut Library) -> Result<T>) -> Result<T> {
        f(self)
    }
}

/// Objects per pull page (each page is one local transaction: fewer, larger pages mean fewer
/// commits, each of which flushes the full-text index and checkpoints the WAL).
pub const PAGE: usize = 5000;

/// How many times one sync pulls and pushes again after the server refused a push (someone
/// else pushed first, or a key was taken).
const ROUNDS: usize = 8;

/// What one sync did.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct SyncReport {
    /// What came from the server.
    pub pulled: PullApplied,
    /// Objects received (including this replica's own, already known).
    pub received: usize,
    /// Actions and objects pushed.
    pub pushed_actions: usize,
    pub pushed_objects: usize,
    /// Pushes of an earlier run whose answer was lost, found committed on the server.
    pub recovered: usize,
    /// Keys this replica changed because another item holds them on the server.
    pub renamed: Vec<KeyRenamed>,
    /// Conflicts waiting for the user after this sync.
    pub conflicts: usize,
    /// Objects still to push (held back by conflicts, or read-only member).
    pub outbox: i64,
    /// This member may only read.
    pub read_only: bool,
    /// The server's library version after the sync.
    pub server_version: i64,
}

/// One sync: recover, pull, push (and pull again when a push was refused).
pub async fn sync_once<R: Remote>(lib: &mut impl Replica, remote: &mut R) -> Result<SyncReport> {
    let mut report = SyncReport::default();
    let author = lib.with(|l| Ok(l.remote_settings()?.map(|s| s.author).unwrap_or_default()))?;
    for f in lib.with(|l| l.pushes_in_flight())? {
        let action: Uuid = f
            .action
            .parse()
            .map_err(|_| Error::Format(format!("bad action id {}", f.action)))?;
        match remote.applied(action).await? {
            Some(v) => {
                lib.with(|l| l.push_done(&f.action, v, None, &f.objects))?;
                report.recovered += 1;
            }
            None => lib.with(|l| l.push_dropped(&f.action))?,
        }
    }
    let writable = remote.can_write().await?;
    report.read_only = !writable;
    lib.with(|l| {
        if l.remote_read_only()? == writable {
            l.set_remote_read_only(!writable)?;
        }
        Ok(())
    })?;
    for _ in 0..ROUNDS {
        let complete_at = pull_all(lib, remote, &mut report).await?;
        if !writable {
            break;
        }
        if !push_all(lib, remote, &author, complete_at, &mut report).await? {
            break;
        }
    }
    lib.with(|l| l.pushes_settled())?;
    let status = lib.with(|l| l.replica_status())?;
    report.conflicts = status.conflicts;
    report.outbox = status.outbox;
    report.server_version = remote.library_version().await?;
    Ok(report)
}

/// Pull every page after the cursor; the version the pull is complete at (every object up to
/// it received).
async fn pull_all<R: Remote>(lib: &mut impl Replica, remote: &mut R, report: &mut SyncReport) -> Result<i64> {
    let mut cursor = lib.with(|l| l.pull_cursor())?;
    loop {
        let page = remote.pull(cursor, PAGE).await?;
        report.received += page.objects.len();
        if !page.objects.is_empty() {
            let applied = lib.with(|l| l.apply_pull(&page))?;
            report.pulled.absorb(applied);
        }
        match page.next {
            Some(next) if !page.objects.is_empty() => cursor = next,
            _ => {
                return Ok(page.objects.last().map_or(cursor.version, |o| o.version));
            }
        }
    }
}

/// Push the outbox; whether to pull and push again (the server refused a push).
async fn push_all<R: Remote>(
    lib: &mut impl Replica,
    remote: &mut R,
    author: &str,
    mut complete_at: i64,
    report: &mut SyncReport,
) -> Result<bool> {
    let plan = lib.with(|l| l.plan_pushes())?;
    for plan in &plan.pushes {
        let (push, ids) = lib.with(|l| l.build_push(plan, author))?;
        if push.objects.is_empty() {
            continue;
        }
        let action = push.action.to_string();
        lib.with(|l| l.push_started(&push, &ids))?;
        // An error (offline) leaves the push in flight: the next sync asks the server.
        match remote.push(&push).await? {
            PushOutcome::Applied { version } | PushOutcome::AlreadyApplied { version } => {
                lib.with(|l| {
                    l.push_done(&action, version, Some(&push), &ids)?;
                    // Nobody pushed in between: no need to pull our own push back.
                    if version == complete_at + 1 {
                        l.advance_pull_cursor(Cursor::after(version))?;
                    }
                    Ok(())
                })?;
                if version == complete_at + 1 {
                    complete_at = version;
                }
                report.pushed_actions += 1;
                report.pushed_objects += push.objects.len();
            }
            PushOutcome::Stale { .. } => {
                lib.with(|l| l.push_dropped(&action))?;
                return Ok(true);
            }
            PushOutcome::KeysTaken { clashes } => {
                let renamed = lib.with(|l| {
                    l.push_dropped(&action)?;
                    l.settle_key_clashes(&clashes, author)
                })?;
                report.renamed.extend(renamed);
                return Ok(true);
            }
        }
    }
    lib.with(|l| l.outbox_sent(plan.through))?;
    Ok(false)
}

#[cfg(feature = "sync")]
/// Keep syncing: after each sync, wait until the server says another member pushed, or the
/// library changed here, or `interval` passed. Returns when `stop` says so; offline periods
/// are reported through `each` and retried.
pub async fn watch<R: Remote>(
    lib: &mut impl Replica,
    remote: &mut R,
    interval: std::time::Duration,
    mut each: impl FnMut(&Result<SyncReport>) -> bool,
) {
    let mut backoff = std::time::Duration::from_millis(500);
    loop {
        let result = sync_once(lib, remote).await;
        let offline = matches!(result, Err(Error::Offline { .. }));
        if !each(&result) {
            return;
        }
        if offline {
            tokio::time::sleep(backoff).await;
            backoff = (backoff * 2).min(std::time::Duration::from_secs(15));
            continue;
        }
        backoff = std::time::Duration::from_millis(500);
        // Wait for versions past what was pulled (not the server's version read after the
        // pull: a push in between would be hidden until the interval ends).
        let known = match lib.with(|l| l.pull_cursor()) {
            Ok(c) => c.version,
            Err(_) => result.as_ref().map(|r| r.server_version).unwrap_or(0),
        };
        // Wake early for local changes: the library's version, every quarter second.
        let local = |lib: &mut _| Replica::with(lib, |l: &mut Library| l.version()).unwrap_or(0);
        let seen = local(lib);
        let mut waited = std::time::Duration::ZERO;
        let step = std::time::Duration::from_millis(250);
        while waited < interval {
            match remote.wait_for_change(known, step).await {
                Ok(true) => break,
                Ok(false) => {}
                Err(_) => break,
            }
            waited += step;
            if local(lib) != seen {
                break;
            }
        }
    }
}
