//! The shared-library rows of the bench (issue 27), against the PostgreSQL server at
//! `$FOLIO_PG_URL` (`.ci/bench` starts a private one on loopback): the first sync of 100k
//! items (push, then another member's pull, and the server's size), one edit's latency to a
//! watching member (p50/p99), a sync of 1,000 changed items, and a pull after a week offline.

use anyhow::{bail, Context, Result};
use folio::app::share;
use folio::Library;
use std::path::Path;
use std::time::{Duration, Instant};

fn rt() -> Result<tokio::runtime::Runtime> {
    Ok(tokio::runtime::Builder::new_current_thread().enable_all().build()?)
}

/// A fresh database on the server for this run (so rows never mix with an older run's).
fn fresh_database(url: &str) -> Result<String> {
    let name = format!("folio_bench_{}", std::process::id());
    rt()?.block_on(async {
        let (client, conn) = tokio_postgres::connect(url, tokio_postgres::NoTls).await?;
        tokio::spawn(conn);
        client.batch_execute(&format!("DROP DATABASE IF EXISTS {name}")).await?;
        client.batch_execute(&format!("CREATE DATABASE {name}")).await?;
        anyhow::Ok(())
    })?;
    let (base, query) = url.split_once('?').map_or((url, None), |(b, q)| (b, Some(q)));
    let (head, _) = base.rsplit_once('/').context("a URL with a database")?;
    Ok(match query {
        Some(q) => format!("{head}/{name}?{q}"),
        None => format!("{head}/{name}"),
    })
}

fn database_size(url: &str) -> Result<i64> {
    rt()?.block_on(async {
        let (client, conn) = tokio_postgres::connect(url, tokio_postgres::NoTls).await?;
        tokio::spawn(conn);
        let row = client
            .query_one("SELECT pg_database_size(current_database())", &[])
            .await?;
        anyhow::Ok(row.get::<_, i64>(0))
    })
}

fn sync(lib: &mut Library) -> Result<folio::sync::SyncReport> {
    Ok(rt()?.block_on(share::sync_library(lib))?)
}

/// The rows: (what, figure).
pub fn rows(url: &str, lib100: &Path, work: &Path) -> Result<Vec<(String, String)>> {
    let url = fresh_database(url)?;
    let mut out = Vec::new();
    let a_path = work.join("sync-a.sqlite");
    let b_path = work.join("sync-b.sqlite");
    for p in [&a_path, &b_path] {
        for ext in ["", "-wal", "-shm"] {
            let _ = std::fs::remove_file(format!("{}{ext}", p.display()));
        }
    }
    std::fs::copy(lib100, &a_path)?;
    let mut a = Library::open(&a_path)?;
    let mut b = Library::open(&b_path)?;
    rt()?.block_on(share::set_remote(&mut a, &url, "bench", "ann"))?;
    rt()?.block_on(share::set_remote(&mut b, &url, "bench", "ben"))?;
    let t = Instant::now();
    let pushed = sync(&mut a)?;
    let push_s = t.elapsed().as_secs_f64();
    let t = Instant::now();
    let pulled = sync(&mut b)?;
    let pull_s = t.elapsed().as_secs_f64();
    if pulled.pulled.added != pushed.pushed_objects {
        bail!("pulled {} of {} objects", pulled.pulled.added, pushed.pushed_objects);
    }
    out.push((
        format!(
            "first sync of {} objects: push (one member), pull (another)",
            pushed.pushed_objects
        ),
        format!(
            "push {push_s:.1} s, pull {pull_s:.1} s; server database {:.0} MB",
            database_size(&url)? as f64 / 1e6
        ),
    ));
    out.push(latency(&url, &mut a, &b_path)?);
    // 1,000 items changed by one action (a tag), pushed and pulled.
    let keys: Vec<String> = a
        .list(&Default::default(), Default::default(), 0, 1000)?
        .into_iter()
        .map(|i| i.key)
        .collect();
    a.tag_add("bench-1000", &keys)?;
    let t = Instant::now();
    let r = sync(&mut a)?;
    let push_s = t.elapsed().as_secs_f64();
    let t = Instant::now();
    let rb = sync(&mut b)?;
    let pull_s = t.elapsed().as_secs_f64();
    out.push((
        format!("sync of {} changed items (one action)", r.pushed_objects),
        format!(
            "push {:.0} ms, pull {:.0} ms ({} received)",
            push_s * 1e3,
            pull_s * 1e3,
            rb.received
        ),
    ));
    // A week offline: the other member made 300 edits (one action each) and imported 2,000.
    for (n, k) in keys.iter().take(300).enumerate() {
        a.edit(k, &[("note".into(), format!("week edit {n}"))], true)?;
    }
    let mut extra = String::new();
    for i in 0..2000 {
        extra.push_str(&format!(
            "@article{{week{i}, title={{A paper of the week {i}}}, author={{Weekly, Wanda}}, year={{2026}}, journal={{J}}}}\n"
        ));
    }
    a.import_text("week.bib", &extra, &Default::default())?;
    let t = Instant::now();
    let r = sync(&mut a)?;
    let push_s = t.elapsed().as_secs_f64();
    let t = Instant::now();
    let rb = sync(&mut b)?;
    let pull_s = t.elapsed().as_secs_f64();
    out.push((
        format!(
            "pull after a week offline ({} actions, {} objects by another member)",
            r.pushed_actions, r.pushed_objects
        ),
        format!(
            "pull {pull_s:.2} s ({} received); their push {push_s:.2} s",
            rb.received
        ),
    ));
    Ok(out)
}

/// One edit's latency from the start of `a`'s sync (its push) to a member watching on another
/// thread seeing it in its library.
fn latency(url: &str, a: &mut Library, b_path: &Path) -> Result<(String, String)> {
    let key = a.list(&Default::default(), Default::default(), 0, 1)?[0].key.clone();
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let watcher = {
        let (b_path, stop) = (b_path.to_path_buf(), stop.clone());
        let url = url.to_string();
        std::thread::spawn(move || -> Result<()> {
            let mut b = Library::open(&b_path)?;
            let settings = b.remote_settings()?.context("shared")?;
            let _ = url;
            rt()?.block_on(async {
                let mut remote = share::connect(&settings).await?;
                folio::sync::watch(&mut b, &mut remote, Duration::from_secs(30), |_| {
                    !stop.load(std::sync::atomic::Ordering::SeqCst)
                })
                .await;
                anyhow::Ok(())
            })
        })
    };
    std::thread::sleep(Duration::from_secs(2));
    let reader = Library::open_read_only(b_path)?;
    let mut times = Vec::new();
    for i in 0..40 {
        let title = format!("latency probe {i}");
        a.edit(&key, &[("title".into(), title.clone())], true)?;
        let t = Instant::now();
        sync(a)?;
        while reader.get(&key)?.title != title {
            if t.elapsed() > Duration::from_secs(20) {
                bail!("the watching member never saw edit {i}");
            }
            std::thread::sleep(Duration::from_millis(2));
        }
        times.push(t.elapsed().as_secs_f64() * 1e3);
    }
    stop.store(true, std::sync::atomic::Ordering::SeqCst);
    // The watcher stops after its next wake-up; an edit wakes it.
    a.edit(&key, &[("title".into(), "latency done".into())], true)?;
    sync(a)?;
    let _ = watcher.join();
    times.sort_by(f64::total_cmp);
    let pct = |p: f64| times[((times.len() - 1) as f64 * p / 100.0).round() as usize];
    Ok((
        "one edit's latency to a watching member (from the start of the editor's sync)".into(),
        format!("p50 {:.0} ms, p99 {:.0} ms", pct(50.0), pct(99.0)),
    ))
}
