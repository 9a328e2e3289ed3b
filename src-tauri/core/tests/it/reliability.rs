//! Crash safety and concurrent writers.

use crate::support::*;
use folio::store::search::Filter;
use folio::Library;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// The folio binary to stress: $FOLIO_BIN (CI points it at a release build), else the test build.
fn bin() -> PathBuf {
    std::env::var_os("FOLIO_BIN")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(folio_bin()))
}

fn write_items(path: &Path, n: usize, tag: &str) {
    let mut s = String::from("[\n");
    for i in 0..n {
        if i > 0 {
            s.push_str(",\n");
        }
        s.push_str(&format!(
            r#"{{"type":"article","key":"{tag}{i}","title":"Crash test item {i} about public service co-production","authors":[{{"family":"Author{}","given":"A."}}],"year":{},"container":"Journal {}","doi":"10.9999/{tag}.{i}","abstract":[{{"heading":"Purpose","text":"Sentence number {i} for the index."}}],"keywords":["k{}"]}}"#,
            i % 997,
            1990 + i % 35,
            i % 300,
            i % 50
        ));
    }
    s.push_str("\n]\n");
    std::fs::write(path, s).unwrap();
}

fn count(lib: &Path) -> i64 {
    Library::open(lib).unwrap().count(&Filter::default()).unwrap()
}

/// A small deterministic generator (xorshift), seeded from the clock and printed, so a failing
/// run can be repeated with FOLIO_CRASH_SEED.
struct Rng(u64);
impl Rng {
    fn new() -> Rng {
        let seed = std::env::var("FOLIO_CRASH_SEED")
            .ok()
            .and_then(|s| s.parse().ok())
            .unwrap_or_else(|| {
                std::time::SystemTime::now()
                    .duration_since(std::time::UNIX_EPOCH)
                    .unwrap()
                    .as_nanos() as u64
                    | 1
            });
        eprintln!("crash test seed: FOLIO_CRASH_SEED={seed}");
        Rng(seed)
    }
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
}

#[test]
fn sigkill_during_a_large_import_leaves_all_or_nothing() {
    kill_during_import(false);
}

/// The first import into a library without items writes it through a rollback journal
/// instead of the WAL (`Store::begin_write_once`): a kill at any moment leaves it whole too, in
/// WAL mode again once opened, with what it held before (a collection).
#[test]
fn sigkill_during_a_first_import_into_an_empty_library_leaves_all_or_nothing() {
    kill_during_import(true);
}

fn kill_during_import(first: bool) {
    let n: usize = std::env::var("FOLIO_CRASH_ITEMS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(50_000);
    let runs: usize = std::env::var("FOLIO_CRASH_RUNS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(6);
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("big.json");
    write_items(&file, n, "Big");
    let lib = dir.path().join("lib.sqlite");
    // Earlier data that must survive every crash: an item in a collection, or (a first
    // import) only the collection.
    let before = i64::from(!first);
    ok(&lib, &["collection", "create", "Thesis"]);
    if !first {
        ok(
            &lib,
            &[
                "add",
                "--title",
                "Precious",
                "--author",
                "Steen, Trui",
                "--year",
                "2019",
                "--tag",
                "keep",
            ],
        );
        ok(&lib, &["collection", "add", "Thesis", "Steen2019"]);
    }
    let precious = |lib: &Path| {
        if first {
            ok(lib, &["collection", "list"])
        } else {
            ok(lib, &["show", "Steen2019", "--json"])
        }
    };
    let kept = precious(&lib);
    assert!(kept.contains(if first { "Thesis" } else { "Precious" }), "{kept}");

    // How long a complete import takes, on a copy.
    let probe = dir.path().join("probe.sqlite");
    std::fs::copy(&lib, &probe).unwrap();
    let t0 = Instant::now();
    let st = Command::new(bin())
        .arg("--library")
        .arg(&probe)
        .arg("import")
        .arg(&file)
        .env("FOLIO_TRACE", "1")
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&st.stderr);
    assert!(st.status.success(), "{err}");
    let full = t0.elapsed();
    assert_eq!(count(&probe), n as i64 + before);
    assert_eq!(
        err.contains("rollback journal for this import"),
        first,
        "only a first import writes once: {err}"
    );
    eprintln!("a complete import of {n} items takes {full:?}");

    let mut rng = Rng::new();
    let mut outcomes = Vec::new();
    for run in 0..runs {
        let delay = Duration::from_millis(rng.next() % (full.as_millis() as u64).max(1));
        let mut child = Command::new(bin())
            .arg("--library")
            .arg(&lib)
            .arg("import")
            .arg(&file)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        std::thread::sleep(delay);
        let killed = child.try_wait().unwrap().is_none();
        child.kill().ok(); // SIGKILL
        child.wait().unwrap();
        let l = Library::open(&lib).unwrap();
        assert_eq!(l.store().integrity_check().unwrap(), "ok", "run {run}");
        assert_eq!(l.store().journal_mode().unwrap(), "wal", "run {run}");
        let c = l.count(&Filter::default()).unwrap();
        assert!(
            c == before || c == n as i64 + before,
            "run {run}: killed after {delay:?}, library holds {c} items"
        );
        outcomes.push((delay, killed, c));
        if c > before {
            // It finished before the kill: undo it so the next run starts from the same state.
            drop(l);
            let u = Command::new(bin())
                .arg("--library")
                .arg(&lib)
                .arg("undo")
                .output()
                .unwrap();
            assert!(u.status.success(), "{}", String::from_utf8_lossy(&u.stderr));
        }
        assert_eq!(precious(&lib), kept, "run {run}");
    }
    eprintln!("runs (delay, killed mid-way, items after): {outcomes:?}");
    assert!(
        outcomes.iter().any(|(_, killed, _)| *killed),
        "no run was killed mid-import"
    );
}

/// A first import writes the library once only when it has the file to itself: with a second
/// handle open (as in the app) it goes through the WAL as usual; either way the library is in
/// WAL mode afterwards and the other handle sees the items.
#[test]
fn a_first_import_with_another_handle_open_goes_through_the_wal() {
    use folio::import::ImportOptions;
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("first.json");
    write_items(&file, 4000, "First");
    assert!(
        std::fs::metadata(&file).unwrap().len() > 1 << 20,
        "big enough to write once"
    );
    let path = dir.path().join("lib.sqlite");
    let mut lib = Library::open(&path).unwrap();
    let other = Library::open(&path).unwrap();
    let r = lib
        .import_files(std::slice::from_ref(&file), &ImportOptions::default(), &mut |_| {})
        .unwrap();
    assert_eq!(r.added(), 4000);
    assert_eq!(lib.store().journal_mode().unwrap(), "wal");
    assert_eq!(other.count(&Filter::default()).unwrap(), 4000);
    drop(other);
    // Alone: the rollback journal for the import, WAL again after it.
    lib.undo().unwrap();
    assert_eq!(lib.count(&Filter::default()).unwrap(), 0);
    lib.import_files(std::slice::from_ref(&file), &ImportOptions::default(), &mut |_| {})
        .unwrap();
    assert_eq!(lib.store().journal_mode().unwrap(), "wal");
    assert_eq!(lib.store().integrity_check().unwrap(), "ok");
    let again = Library::open(&path).unwrap();
    assert_eq!(again.count(&Filter::default()).unwrap(), 4000);
}

#[test]
fn concurrent_writers_wait_for_each_other() {
    let dir = tempfile::tempdir().unwrap();
    let lib = dir.path().join("lib.sqlite");
    ok(&lib, &["info"]);
    let files: Vec<PathBuf> = (0..2)
        .map(|i| {
            let p = dir.path().join(format!("f{i}.json"));
            write_items(&p, 1500, &format!("F{i}x"));
            p
        })
        .collect();
    let importers: Vec<_> = files
        .iter()
        .map(|f| {
            Command::new(bin())
                .arg("--library")
                .arg(&lib)
                .arg("import")
                .arg(f)
                .output()
        })
        .collect::<Vec<_>>();
    let _ = importers; // sequential warm-up would defeat the point: run them in threads instead
    let lib2 = lib.clone();
    let handles: Vec<_> = (0..2)
        .map(|i| {
            let lib = lib2.clone();
            let f = dir.path().join(format!("f{i}.json"));
            std::thread::spawn(move || {
                Command::new(bin())
                    .arg("--library")
                    .arg(&lib)
                    .args(["import", "--duplicates", "keep"])
                    .arg(&f)
                    .output()
                    .unwrap()
            })
        })
        .chain((0..2).map(|i| {
            let lib = lib2.clone();
            std::thread::spawn(move || {
                let mut last = None;
                for j in 0..15 {
                    let o = Command::new(bin())
                        .arg("--library")
                        .arg(&lib)
                        .args([
                            "add",
                            "--title",
                            &format!("Added {i} {j}"),
                            "--key",
                            &format!("Add{i}x{j}"),
                        ])
                        .output()
                        .unwrap();
                    if !o.status.success() {
                        last = Some(o);
                        break;
                    }
                    last = Some(o);
                }
                last.unwrap()
            })
        }))
        .collect();
    for h in handles {
        let out = h.join().unwrap();
        assert!(
            out.status.success(),
            "a concurrent writer failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    let l = Library::open(&lib).unwrap();
    assert_eq!(l.store().integrity_check().unwrap(), "ok");
    // The warm-up imports ran first (3000), then the concurrent ones (3000, kept) and 30 adds.
    assert_eq!(l.count(&Filter::default()).unwrap(), 6000 + 30);
}

#[test]
fn a_writer_that_waits_too_long_says_the_library_is_busy() {
    let dir = tempfile::tempdir().unwrap();
    let lib = dir.path().join("lib.sqlite");
    ok(&lib, &["add", "--title", "A"]);
    let conn = rusqlite::Connection::open(&lib).unwrap();
    conn.execute_batch("BEGIN IMMEDIATE; INSERT INTO meta (key, value) VALUES ('lock', 'held');")
        .unwrap();
    let out = Command::new(bin())
        .arg("--library")
        .arg(&lib)
        .args(["add", "--title", "B"])
        .env("FOLIO_BUSY_TIMEOUT_MS", "300")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("library is busy"), "{err}");
    // Readers are not blocked by a writer (WAL).
    assert_eq!(ok(&lib, &["list", "--count"]).trim(), "1");
    conn.execute_batch("ROLLBACK").unwrap();
    ok(&lib, &["add", "--title", "B"]);
    assert_eq!(count(&lib), 2);
}

#[test]
fn bad_files_get_clear_errors_and_never_change_the_library() {
    let dir = tempfile::tempdir().unwrap();
    let lib = dir.path().join("lib.sqlite");
    ok(&lib, &["add", "--title", "Precious", "--key", "P1"]);
    let before = ok(&lib, &["list", "--json"]);
    let write = |name: &str, bytes: &[u8]| {
        let p = dir.path().join(name);
        std::fs::write(&p, bytes).unwrap();
        p
    };
    // Refused whole, naming the file (and the line where there is one).
    let refused: Vec<(PathBuf, &str)> = vec![
        (write("empty.bib", b""), "empty"),
        (write("picture.png", b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR"), "PNG"),
        (
            write("nul.bib", b"@article{a, title={x}}\n@article{b, title={y\0}}\n"),
            "line 2",
        ),
        (dir.path().join("does-not-exist.bib"), "does-not-exist.bib"),
        // A folder is imported as the PDFs in it: one without any is refused.
        (
            {
                let empty = dir.path().join("empty folder");
                std::fs::create_dir(&empty).unwrap();
                empty
            },
            "no PDF files",
        ),
    ];
    for (path, what) in &refused {
        let out = folio(&lib, &["import", path.to_str().unwrap()]);
        assert_eq!(out.status.code(), Some(1), "{}", path.display());
        let err = String::from_utf8_lossy(&out.stderr);
        let name = path.file_name().unwrap().to_string_lossy();
        assert!(err.contains(&*name) && err.contains(what), "{}: {err}", path.display());
        assert!(!err.contains("panicked"));
    }
    assert_eq!(ok(&lib, &["list", "--json"]), before);
    // A damaged PDF is kept (issue 26: nothing dropped is lost): an item named after the file,
    // tagged for review, the reason in the report.
    let pdf = write("paper.pdf", b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj");
    let out = folio(&lib, &["import", pdf.to_str().unwrap()]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{err}");
    assert!(
        err.contains("paper.pdf: added") && err.contains("needs review"),
        "{err}"
    );
    let listed: serde_json::Value =
        serde_json::from_str(&ok(&lib, &["list", "--json", "-q", "tag:\"needs review\""])).unwrap();
    assert_eq!(listed[0]["title"], "paper");
    assert_eq!(listed[0]["attachments"][0]["fulltext"], "failed");
    ok(&lib, &["undo"]);
    assert_eq!(ok(&lib, &["list", "--json"]), before);
    // Read as far as possible, with the bad part reported by line.
    let nested = format!(
        "@article{{deep, title = {}x{}}}\n@article{{after, title = {{ok}}}}\n",
        "{".repeat(10_000),
        "}".repeat(10_000)
    );
    let huge = format!("@article{{huge, title = {{{}}}}}\n", "a".repeat(1_000_000));
    let cases: Vec<(PathBuf, usize)> = vec![
        (write("nested.bib", nested.as_bytes()), 2),
        (write("huge.bib", huge.as_bytes()), 1),
        (
            write(
                "unbalanced.bib",
                b"@article{ok1, title={ok}}\n@article{bad, title={never closed\n",
            ),
            1,
        ),
        (write("latin1.bib", b"@article{lat, title={M\xfcller}}\n"), 1),
    ];
    for (path, n) in &cases {
        let report: serde_json::Value =
            serde_json::from_str(&ok(&lib, &["import", "--json", path.to_str().unwrap()])).unwrap();
        assert_eq!(report["files"][0]["added"], *n as u64, "{}", path.display());
    }
    let unbalanced = folio(
        &lib,
        &[
            "import",
            "--duplicates",
            "keep",
            dir.path().join("unbalanced.bib").to_str().unwrap(),
        ],
    );
    assert!(String::from_utf8_lossy(&unbalanced.stderr).contains("unbalanced.bib:2:"));
    let lat = ok(&lib, &["show", "lat", "--json"]);
    assert!(lat.contains("Müller"), "{lat}");
    assert_eq!(Library::open(&lib).unwrap().store().integrity_check().unwrap(), "ok");
}

#[test]
fn a_cancelled_import_leaves_the_library_unchanged_and_progress_reaches_the_end() {
    use folio::import::{ImportOptions, Progress};
    use std::sync::atomic::{AtomicBool, Ordering};
    use std::sync::Arc;
    let dir = tempfile::tempdir().unwrap();
    let bib = dir.path().join("many.bib");
    let mut text = String::new();
    for i in 0..3000 {
        text.push_str(&format!(
            "@article{{k{i},\n  title = {{Entry number {i} on plankton}},\n  author = {{Doe, Jane and Roe, R.}},\n  year = {{{}}},\n}}\n\n",
            1950 + i % 70
        ));
    }
    std::fs::write(&bib, &text).unwrap();
    let mut lib = mem();
    lib.add(article("Kept before", &["Old, A."], 1999)).unwrap();
    let before = state(&lib);

    // Cancel from the progress callback once a third is done (as the app's Cancel button does
    // from another thread).
    let cancel = Arc::new(AtomicBool::new(false));
    let opts = ImportOptions {
        cancel: Some(cancel.clone()),
        ..Default::default()
    };
    let mut seen: Vec<Progress> = Vec::new();
    let err = lib
        .import_files(std::slice::from_ref(&bib), &opts, &mut |p| {
            seen.push(p);
            if p.entries >= 1000 {
                cancel.store(true, Ordering::Relaxed);
            }
        })
        .unwrap_err();
    assert!(matches!(err, folio::Error::Cancelled(_)), "{err}");
    assert!(err.to_string().contains("cancelled"), "{err}");
    assert_eq!(state(&lib), before, "nothing of a cancelled import is kept");
    assert!(!seen.is_empty() && seen.iter().all(|p| p.bytes_done < p.bytes_total));

    // Uncancelled: progress grows to the whole file.
    let mut seen: Vec<Progress> = Vec::new();
    let r = lib
        .import_files(std::slice::from_ref(&bib), &ImportOptions::default(), &mut |p| {
            seen.push(p)
        })
        .unwrap();
    assert_eq!(r.added(), 3000);
    let last = *seen.last().unwrap();
    assert_eq!(
        (last.entries, last.bytes_done, last.bytes_total),
        (3000, text.len() as u64, text.len() as u64)
    );
    assert!(seen
        .windows(2)
        .all(|w| w[0].bytes_done <= w[1].bytes_done && w[0].entries <= w[1].entries));
    assert!(
        seen.len() >= 5,
        "progress is reported along the way, not only at the end: {}",
        seen.len()
    );
}

/// The app holds one long-lived `Library` for the window's lifetime; CLI processes (scripts,
/// LaTeX builds) write to the same file meanwhile. Both sides' writes wait for each other and
/// every one of them lands.
#[test]
fn a_long_lived_app_handle_and_cli_processes_write_together() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("lib.sqlite");
    let mut app = Library::open(&path).unwrap();
    let file = dir.path().join("cli.json");
    write_items(&file, 2000, "Cli");
    let cli_path = path.clone();
    let cli = std::thread::spawn(move || {
        let mut outs = vec![Command::new(bin())
            .arg("--library")
            .arg(&cli_path)
            .args(["import", "--duplicates", "keep"])
            .arg(&file)
            .output()
            .unwrap()];
        for j in 0..10 {
            outs.push(
                Command::new(bin())
                    .arg("--library")
                    .arg(&cli_path)
                    .args([
                        "add",
                        "--title",
                        &format!("From the CLI {j}"),
                        "--key",
                        &format!("CliAdd{j}"),
                    ])
                    .output()
                    .unwrap(),
            );
        }
        outs
    });
    // Meanwhile the "app": edits, tags and adds through its open handle.
    let mut app_writes = 0;
    for j in 0..60 {
        let mut it = folio::model::Item::new(folio::model::ItemType::Article, &format!("From the app {j}"));
        it.key = format!("App{j}");
        app.add(it).unwrap();
        app.tag_add("app", &[format!("App{j}")]).unwrap();
        app_writes += 1;
        std::thread::sleep(std::time::Duration::from_millis(5));
    }
    for out in cli.join().unwrap() {
        assert!(
            out.status.success(),
            "a CLI writer failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    assert_eq!(app_writes, 60);
    // The app's handle sees everything the CLI wrote, and the file is sound.
    assert_eq!(app.count(&Filter::default()).unwrap(), 2000 + 10 + 60);
    assert_eq!(app.store().integrity_check().unwrap(), "ok");
    assert_eq!(
        app.tag_list()
            .unwrap()
            .iter()
            .find(|t| t.name == "app")
            .map(|t| t.items),
        Some(60)
    );
}
