//! Files, exports and opening the library under hostile or unlucky conditions (issue 23):
//! exports onto the library, through symlinks and onto write-protected files; FIFOs and
//! devices as inputs; `.aux` files with many citations or `\@input{/dev/zero}`; failed
//! actions that must leave no trace; damaged history steps; libraries that can only be read,
//! mistyped library paths, failing upgrades and damaged libraries; temporary files of killed
//! exports. Each test is the reproduction of the issue, generated here.

use crate::support::*;
use folio::export::{ExportOptions, Selection};
use folio::store::search::Filter;
use folio::{Error, Library};
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

/// The folio binary: $FOLIO_BIN (to run these reproductions against another build), else the
/// test build.
fn bin() -> PathBuf {
    std::env::var_os("FOLIO_BIN")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(folio_bin()))
}

fn cli(lib: &Path) -> Command {
    let mut c = Command::new(bin());
    c.arg("--library").arg(lib).env_remove("FOLIO_LIBRARY");
    c
}

/// Run the CLI, killing it (and failing the test) if it has not finished within a minute: the
/// reproductions of hangs must fail, not hang the suite.
fn run_bounded(mut cmd: Command) -> Output {
    let mut child = cmd
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run folio");
    let start = Instant::now();
    loop {
        if child.try_wait().unwrap().is_some() {
            return child.wait_with_output().unwrap();
        }
        if start.elapsed() > Duration::from_secs(60) {
            let _ = child.kill();
            let out = child.wait_with_output().unwrap();
            panic!(
                "folio did not finish within a minute (killed); stderr: {}",
                String::from_utf8_lossy(&out.stderr)
            );
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

fn run(lib: &Path, args: &[&str]) -> Output {
    let mut c = cli(lib);
    c.args(args);
    run_bounded(c)
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn succeeds(lib: &Path, args: &[&str]) -> String {
    let o = run(lib, args);
    assert!(o.status.success(), "folio {args:?} failed: {}", stderr(&o));
    String::from_utf8_lossy(&o.stdout).into_owned()
}

/// Fails with exit 1 and an error message containing each of `needles`; the message.
fn fails_with(lib: &Path, args: &[&str], needles: &[&str]) -> String {
    let o = run(lib, args);
    let err = stderr(&o);
    assert_eq!(o.status.code(), Some(1), "folio {args:?} should fail: {err}");
    for n in needles {
        assert!(err.contains(n), "folio {args:?}: {n:?} not in {err:?}");
    }
    assert!(!err.contains("panicked"), "{err}");
    err
}

/// A library with two items (A2000, B2001), made with the CLI.
fn library(dir: &Path) -> PathBuf {
    let lib = dir.join("x.sqlite");
    for (title, author, year) in [("Alpha", "A, Ann", "2000"), ("Beta", "B, Bob", "2001")] {
        succeeds(
            &lib,
            &[
                "add", "--type", "article", "--title", title, "--author", author, "--year", year,
            ],
        );
    }
    lib
}

fn listed_keys(lib: &Path) -> Vec<String> {
    let out = succeeds(lib, &["list", "--json"]);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    let rows = v
        .as_array()
        .or_else(|| v["items"].as_array())
        .cloned()
        .unwrap_or_default();
    let mut keys: Vec<String> = rows.iter().map(|r| r["key"].as_str().unwrap().to_string()).collect();
    keys.sort();
    keys
}

fn history_labels(lib: &Path) -> Vec<String> {
    Library::open(lib)
        .unwrap()
        .history(100)
        .unwrap()
        .into_iter()
        .map(|e| e.label)
        .collect()
}

fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

// ----- cause 1: an export never replaces the library ------------------------------------------

#[cfg(unix)]
#[test]
fn exporting_onto_the_library_or_its_companion_files_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let lib = library(dir.path());
    let before = std::fs::read(&lib).unwrap();
    let link = dir.path().join("refs.bib");
    std::os::unix::fs::symlink(&lib, &link).unwrap();
    let hard = dir.path().join("hard.bib");
    std::fs::hard_link(&lib, &hard).unwrap();
    let wal = format!("{}-wal", lib.display());
    let shm = format!("{}-shm", lib.display());
    let journal = format!("{}-journal", lib.display());
    for target in [s(&lib), s(&link), s(&hard), &wal, &shm, &journal] {
        fails_with(
            &lib,
            &["export", "-o", target],
            &["cannot export to", target, "library"],
        );
        fails_with(&lib, &["export", "--format", "json", "-o", target], &["library"]);
        fails_with(&lib, &["auto-export", "add", target], &["cannot export to", "library"]);
    }
    // Nothing was registered, nothing replaced: the library is whole and has its items.
    assert_eq!(std::fs::read(&lib).unwrap(), before);
    assert_eq!(listed_keys(&lib), ["A2000", "B2001"]);
    assert!(!history_labels(&lib).iter().any(|l| l.contains("auto-export")));
    assert!(!Path::new(&journal).exists());

    // Through the use case too (the desktop app's Save dialog calls it).
    let l = Library::open(&lib).unwrap();
    let sel = Selection {
        filter: Filter::default(),
        keys: Vec::new(),
    };
    for target in [&lib, &link] {
        let e = l.export_file(&sel, &ExportOptions::default(), target).unwrap_err();
        assert!(matches!(e, Error::InvalidInput(_)), "{e}");
    }
    drop(l);
    assert_eq!(listed_keys(&lib), ["A2000", "B2001"]);
}

#[test]
fn another_sqlite_database_is_never_replaced_by_an_export() {
    let dir = tempfile::tempdir().unwrap();
    let lib = library(dir.path());
    let other_dir = tempfile::tempdir().unwrap();
    let other = library(other_dir.path());
    let before = std::fs::read(&other).unwrap();
    fails_with(&lib, &["export", "-o", s(&other)], &["SQLite database", s(&other)]);
    fails_with(&lib, &["auto-export", "add", s(&other)], &["SQLite database"]);
    assert_eq!(std::fs::read(&other).unwrap(), before);
    assert_eq!(listed_keys(&other), ["A2000", "B2001"]);
}

#[test]
fn an_auto_export_registered_onto_the_library_never_replaces_it() {
    // A registration made before the check existed (or by hand): the sync after the next
    // change refuses it with a warning, and the library stays whole.
    let dir = tempfile::tempdir().unwrap();
    let lib = library(dir.path());
    let abs = std::fs::canonicalize(&lib).unwrap();
    let json = serde_json::json!({"path": abs, "format": "bibtex", "scope": {"kind": "library"}});
    Library::open(&lib)
        .unwrap()
        .store()
        .conn()
        .execute(
            "INSERT INTO meta (key, value) VALUES (?1, ?2)",
            [format!("auto-export:{}", abs.display()), json.to_string()],
        )
        .unwrap();
    let o = run(
        &lib,
        &[
            "add", "--type", "book", "--title", "Gamma", "--author", "C, Cy", "--year", "2002",
        ],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(stderr(&o).contains("the library itself"), "{}", stderr(&o));
    assert_eq!(listed_keys(&lib), ["A2000", "B2001", "C2002"]);
    let run_all = run(&lib, &["auto-export", "run"]);
    assert_eq!(run_all.status.code(), Some(1));
    assert_eq!(listed_keys(&lib), ["A2000", "B2001", "C2002"]);
}

// ----- cause 2: symlinks and write protection ----------------------------------------------------

#[cfg(unix)]
#[test]
fn exports_write_through_symlinks_and_refuse_write_protected_files() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let lib = library(dir.path());
    let papers = dir.path().join("papers");
    std::fs::create_dir(&papers).unwrap();
    let real = papers.join("real.bib");
    std::fs::write(&real, "old\n").unwrap();
    let link = dir.path().join("link.bib");
    std::os::unix::fs::symlink("papers/real.bib", &link).unwrap();
    succeeds(&lib, &["export", "-o", s(&link)]);
    assert!(
        std::fs::symlink_metadata(&link).unwrap().file_type().is_symlink(),
        "the link stays a link"
    );
    let text = std::fs::read_to_string(&real).unwrap();
    assert!(
        text.contains("@article{A2000,") && text.contains("@article{B2001,"),
        "{text}"
    );
    // A dangling link: the file it names is created.
    let dangling = dir.path().join("dangling.bib");
    std::os::unix::fs::symlink("papers/new.bib", &dangling).unwrap();
    succeeds(&lib, &["export", "-o", s(&dangling)]);
    assert!(std::fs::symlink_metadata(&dangling).unwrap().file_type().is_symlink());
    assert!(std::fs::read_to_string(papers.join("new.bib"))
        .unwrap()
        .contains("A2000"));
    // An auto-export through a link keeps the link too.
    let auto_link = dir.path().join("auto.bib");
    std::os::unix::fs::symlink("papers/auto-real.bib", &auto_link).unwrap();
    succeeds(&lib, &["auto-export", "add", s(&auto_link)]);
    succeeds(
        &lib,
        &[
            "add", "--type", "book", "--title", "Gamma", "--author", "C, Cy", "--year", "2002",
        ],
    );
    assert!(std::fs::symlink_metadata(&auto_link).unwrap().file_type().is_symlink());
    assert!(std::fs::read_to_string(papers.join("auto-real.bib"))
        .unwrap()
        .contains("C2002"));

    // A write-protected file (also for root, who could write it) is refused and unchanged.
    let frozen = dir.path().join("frozen.bib");
    std::fs::write(&frozen, "frozen\n").unwrap();
    std::fs::set_permissions(&frozen, std::fs::Permissions::from_mode(0o444)).unwrap();
    let frozen_link = dir.path().join("frozen-link.bib");
    std::os::unix::fs::symlink(&frozen, &frozen_link).unwrap();
    for target in [&frozen, &frozen_link] {
        fails_with(&lib, &["export", "-o", s(target)], &["write-protected", s(&frozen)]);
        fails_with(&lib, &["auto-export", "add", s(target)], &["write-protected"]);
    }
    assert_eq!(std::fs::read_to_string(&frozen).unwrap(), "frozen\n");
    assert_eq!(std::fs::metadata(&frozen).unwrap().permissions().mode() & 0o777, 0o444);
    assert!(!history_labels(&lib).iter().any(|l| l.contains("frozen")));
    // No temporary file is left beside them.
    for d in [dir.path(), papers.as_path()] {
        for e in std::fs::read_dir(d).unwrap() {
            let name = e.unwrap().file_name().to_string_lossy().into_owned();
            assert!(!name.starts_with(".folio-export-"), "left behind: {name}");
        }
    }
}

// ----- cause 6: FIFOs, devices, endless files ------------------------------------------------------

#[cfg(unix)]
fn mkfifo(path: &Path) {
    let ok = Command::new("mkfifo").arg(path).status().expect("mkfifo").success();
    assert!(ok, "mkfifo {}", path.display());
}

#[cfg(unix)]
#[test]
fn a_fifo_or_a_device_is_refused_at_once_never_waited_on_or_read_without_end() {
    let dir = tempfile::tempdir().unwrap();
    let lib = library(dir.path());
    let fifo = dir.path().join("refs.bib");
    mkfifo(&fifo);
    // Import: no writer will ever come.
    fails_with(&lib, &["import", s(&fifo)], &["refs.bib", "named pipe"]);
    fails_with(
        &lib,
        &["import", "/dev/zero", "--format", "bibtex"],
        &["/dev/zero", "device"],
    );
    // Through the use case as well (the desktop app's import).
    let mut l = Library::open(&lib).unwrap();
    let e = l
        .import_files(std::slice::from_ref(&fifo), &Default::default(), &mut |_| {})
        .unwrap_err();
    assert!(e.to_string().contains("named pipe"), "{e}");
    drop(l);
    // Export onto a FIFO: refused, not blocked on.
    fails_with(&lib, &["export", "-o", s(&fifo)], &["named pipe", "not a regular file"]);

    // An .aux that \@inputs /dev/zero and a FIFO: both are skipped with a warning; what the
    // paper cites is exported.
    let aux = dir.path().join("paper.aux");
    std::fs::write(
        &aux,
        format!(
            "\\relax\n\\citation{{A2000}}\n\\@input{{/dev/zero}}\n\\@input{{{}}}\n\\citation{{B2001}}\n",
            fifo.display()
        ),
    )
    .unwrap();
    let o = run(&lib, &["export", "--aux", s(&aux)]);
    let err = stderr(&o);
    assert!(o.status.success(), "{err}");
    let out = String::from_utf8_lossy(&o.stdout);
    assert!(
        out.contains("@article{A2000,") && out.contains("@article{B2001,"),
        "{out}"
    );
    assert!(
        err.contains("/dev/zero: is a device") && err.contains("skipped"),
        "{err}"
    );
    assert!(err.contains("named pipe"), "{err}");
    // The .aux itself as a FIFO or a device: refused.
    let aux_fifo = dir.path().join("fifo.aux");
    mkfifo(&aux_fifo);
    fails_with(&lib, &["export", "--aux", s(&aux_fifo)], &["named pipe"]);
    fails_with(&lib, &["aux", "add", s(&aux_fifo)], &["named pipe"]);
    fails_with(&lib, &["export", "--aux", "/dev/zero"], &["device"]);
    assert_eq!(
        history_labels(&lib)
            .iter()
            .filter(|l| l.starts_with("Register"))
            .count(),
        1,
        "only the .aux that was exported is registered"
    );
}

// ----- cause 5 (.aux): linear in the citations ---------------------------------------------------

#[test]
fn an_aux_with_200k_citations_is_read_in_linear_time() {
    // 200k distinct citations (the old reader compared each with every earlier one: 55 s in
    // a release build) against a library of 1,000 entries, half with a crossref parent.
    let dir = tempfile::tempdir().unwrap();
    let mut bib = String::new();
    for i in 0..1000 {
        if i % 2 == 0 {
            bib.push_str(&format!(
                "@inproceedings{{k{i}, title={{Paper {i}}}, author={{Au, Thor}}, year=2000, crossref={{proc{i}}}}}\n"
            ));
            bib.push_str(&format!(
                "@proceedings{{proc{i}, title={{Proceedings {i}}}, year=2000}}\n"
            ));
        } else {
            bib.push_str(&format!(
                "@article{{k{i}, title={{Paper {i}}}, author={{Au, Thor}}, year=2000}}\n"
            ));
        }
    }
    let bib_path = dir.path().join("refs.bib");
    std::fs::write(&bib_path, bib).unwrap();
    let lib_path = dir.path().join("lib.sqlite");
    let mut lib = Library::open(&lib_path).unwrap();
    lib.import_files(&[bib_path], &Default::default(), &mut |_| {}).unwrap();
    let mut aux = String::from("\\relax\n");
    for i in (0..200_000).rev() {
        aux.push_str(&format!("\\citation{{k{i}}}\n"));
    }
    aux.push_str("\\citation{k5,k7,k5}\n");
    let aux_path = dir.path().join("paper.aux");
    std::fs::write(&aux_path, aux).unwrap();
    let c = folio::app::cited(&lib, &aux_path).unwrap();
    assert_eq!(c.missing.len(), 199_000);
    assert_eq!(c.missing[0], "k199999");
    // The cited entries in first-cited order, then the parents.
    assert_eq!(c.keys.len(), 1500);
    assert_eq!(&c.keys[..3], ["k999", "k998", "k997"]);
    assert_eq!(c.keys[1000], "proc998");
    assert!(c.keys[1000..].iter().all(|k| k.starts_with("proc")));
    let out = dir.path().join("paper.bib");
    let r = folio::app::export_cited(&mut lib, &aux_path, &ExportOptions::default(), Some(&out), true).unwrap();
    assert_eq!(r.report.items, 1500);
    assert!(r.registered);
}

// ----- cause 10: failed actions leave no trace; damaged history steps -------------------------

#[cfg(target_os = "linux")]
#[test]
fn a_failed_export_by_aux_registers_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let lib = library(dir.path());
    let aux = dir.path().join("paper.aux");
    std::fs::write(&aux, "\\citation{A2000}\n").unwrap();
    // To standard output on a full disk.
    let mut c = cli(&lib);
    c.args(["export", "--aux", s(&aux)]);
    c.stdout(std::fs::File::create("/dev/full").unwrap());
    let o = c.stderr(Stdio::piped()).output().unwrap();
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert!(stderr(&o).contains("No space left"), "{}", stderr(&o));
    // To a folder that does not exist, to a write-protected file, to the library.
    let frozen = dir.path().join("frozen.bib");
    std::fs::write(&frozen, "x").unwrap();
    let mut p = std::fs::metadata(&frozen).unwrap().permissions();
    p.set_readonly(true);
    std::fs::set_permissions(&frozen, p).unwrap();
    for out in [s(&dir.path().join("no/such/dir/out.bib")), s(&frozen), s(&lib)] {
        fails_with(&lib, &["export", "--aux", s(&aux), "-o", out], &[]);
    }
    assert!(
        !history_labels(&lib).iter().any(|l| l.starts_with("Register")),
        "{:?}",
        history_labels(&lib)
    );
    assert!(succeeds(&lib, &["aux", "list"]).trim().is_empty());
    // The same export that succeeds registers the .aux once.
    succeeds(&lib, &["export", "--aux", s(&aux)]);
    assert_eq!(succeeds(&lib, &["aux", "list"]).lines().count(), 1);
}

fn damage_newest_step(lib: &Path, changes: &str) {
    Library::open(lib)
        .unwrap()
        .store()
        .conn()
        .execute(
            "UPDATE journal SET changes = ?1 WHERE id = (SELECT max(id) FROM journal)",
            [changes],
        )
        .unwrap();
}

#[test]
fn a_damaged_history_step_is_skipped_with_a_warning_and_does_not_block_undo() {
    for damage in ["{\"truncated", "[{\"kind\":\"no such change\"}]"] {
        let dir = tempfile::tempdir().unwrap();
        let lib = library(dir.path());
        succeeds(
            &lib,
            &[
                "add", "--type", "book", "--title", "Gamma", "--author", "C, Cy", "--year", "2002",
            ],
        );
        damage_newest_step(&lib, damage);
        // History lists the readable steps (a step that is not JSON is named in a warning).
        let o = run(&lib, &["history"]);
        assert!(o.status.success(), "{damage}: {}", stderr(&o));
        let listed = String::from_utf8_lossy(&o.stdout).into_owned();
        assert!(listed.contains("Add A2000") && listed.contains("Add B2001"), "{listed}");
        if damage.starts_with('{') {
            assert!(!listed.contains("Add C2002"), "{listed}");
            assert!(
                stderr(&o).contains("damaged") && stderr(&o).contains("Add C2002"),
                "{}",
                stderr(&o)
            );
        }
        let json = succeeds(&lib, &["history", "--json"]);
        assert!(json.contains("Add B2001"), "{json}");
        // Undo passes over the damaged step (it stays in effect) and undoes the one before.
        let o = run(&lib, &["undo"]);
        assert!(o.status.success(), "{damage}: {}", stderr(&o));
        assert!(stderr(&o).contains("undid: Add B2001"), "{}", stderr(&o));
        assert!(stderr(&o).contains("damaged and was skipped"), "{}", stderr(&o));
        assert_eq!(listed_keys(&lib), ["A2000", "C2002"]);
        succeeds(&lib, &["undo"]);
        assert_eq!(listed_keys(&lib), ["C2002"]);
        // Nothing but the damaged step left: a clear refusal naming it.
        fails_with(&lib, &["undo"], &["cannot undo", "damaged", "Add C2002"]);
        succeeds(&lib, &["redo"]);
        assert_eq!(listed_keys(&lib), ["A2000", "C2002"]);
    }
}

// ----- cause 11: libraries that can only be read, new libraries, upgrades, damage ---------------

#[cfg(unix)]
fn euid() -> u32 {
    // SAFETY: geteuid has no preconditions.
    unsafe { libc::geteuid() }
}

#[cfg(unix)]
fn file_mode(p: &Path, mode: u32) {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(p, std::fs::Permissions::from_mode(mode)).unwrap();
}

#[test]
fn a_library_opened_read_only_reads_and_exports_but_refuses_every_change() {
    let dir = tempfile::tempdir().unwrap();
    let lib = library(dir.path());
    let auto = dir.path().join("auto.bib");
    succeeds(&lib, &["auto-export", "add", s(&auto)]);
    std::fs::remove_file(&auto).unwrap();
    let before = std::fs::read(&lib).unwrap();
    let mut l = Library::open_read_only(&lib).unwrap();
    // Its auto-exports still run (they write other files); no status is kept.
    let r = l.sync_auto_exports().unwrap();
    assert_eq!((r.len(), r[0].error.as_deref()), (1, None));
    assert!(std::fs::read_to_string(&auto).unwrap().contains("B2001"));
    assert_eq!(l.read_only(), Some("opened read-only"));
    assert_eq!(l.count(&Filter::default()).unwrap(), 2);
    let out = dir.path().join("out.bib");
    let sel = Selection::default();
    l.export_file(&sel, &ExportOptions::default(), &out).unwrap();
    assert!(std::fs::read_to_string(&out).unwrap().contains("A2000"));
    let e = l
        .add(folio::model::Item::new(folio::model::ItemType::Book, "New"))
        .unwrap_err();
    assert!(matches!(e, Error::ReadOnly { .. }), "{e}");
    assert!(
        e.to_string()
            .starts_with(&format!("library is read-only: {}", lib.display())),
        "{e}"
    );
    assert_eq!(e.code(), "read-only");
    assert!(matches!(l.undo(), Err(Error::ReadOnly { .. })));
    drop(l);
    assert_eq!(std::fs::read(&lib).unwrap(), before);
    // A library that needs an upgrade cannot be opened read-only (the upgrade writes).
    let old = dir.path().join("old.sqlite");
    drop(folio::store::Store::open_at_version(&old, 1).unwrap());
    let e = Library::open_read_only(&old).err().unwrap();
    assert!(
        matches!(e, Error::ReadOnly { .. }) && e.to_string().contains("upgrade"),
        "{e}"
    );
}

/// Run the CLI as a user that cannot write the library: this user when not root, else
/// `nobody` (root writes whatever the permission bits say).
#[cfg(unix)]
fn as_reader(lib: &Path, args: &[&str], exe: &Path) -> Output {
    use std::os::unix::process::CommandExt;
    let mut c = Command::new(exe);
    c.arg("--library").arg(lib).args(args).env_remove("FOLIO_LIBRARY");
    if euid() == 0 {
        c.uid(65534).gid(65534);
    }
    run_bounded(c)
}

#[cfg(unix)]
#[test]
fn a_library_in_a_read_only_folder_or_file_is_read_and_exported_and_says_so() {
    let dir = tempfile::tempdir().unwrap();
    file_mode(dir.path(), 0o755);
    let lib = library(dir.path());
    // The binary where the other user can run it (a target folder may be private).
    let exe = dir.path().join("folio-bin");
    std::fs::copy(bin(), &exe).unwrap();
    file_mode(&exe, 0o755);
    let out_dir = tempfile::tempdir().unwrap();
    file_mode(out_dir.path(), 0o777);
    for (case, file, folder) in [("read-only folder", 0o644, 0o555), ("read-only file", 0o444, 0o755)] {
        file_mode(&lib, file);
        file_mode(dir.path(), folder);
        let before = std::fs::read(&lib).unwrap();
        let o = as_reader(&lib, &["list"], &exe);
        assert!(o.status.success(), "{case}: {}", stderr(&o));
        let listed = String::from_utf8_lossy(&o.stdout).into_owned();
        assert!(listed.contains("A2000") && listed.contains("B2001"), "{case}: {listed}");
        assert!(stderr(&o).contains("is read-only"), "{case}: {}", stderr(&o));
        let out = out_dir.path().join(format!("{}.bib", case.replace(' ', "-")));
        let o = as_reader(&lib, &["export", "-o", s(&out)], &exe);
        assert!(o.status.success(), "{case}: {}", stderr(&o));
        assert!(std::fs::read_to_string(&out).unwrap().contains("B2001"));
        let o = as_reader(&lib, &["add", "--type", "book", "--title", "New"], &exe);
        assert_eq!(o.status.code(), Some(1), "{case}");
        assert!(
            stderr(&o).contains(&format!("library is read-only: {}", lib.display())),
            "{case}: {}",
            stderr(&o)
        );
        let o = as_reader(&lib, &["info"], &exe);
        assert!(o.status.success() && String::from_utf8_lossy(&o.stdout).contains("read-only"));
        file_mode(dir.path(), 0o755);
        assert_eq!(std::fs::read(&lib).unwrap(), before, "{case}: the library changed");
        for companion in ["-wal", "-shm", "-journal"] {
            let p = format!("{}{companion}", lib.display());
            assert!(!Path::new(&p).exists() || folder != 0o555, "{case}: {p} created");
        }
    }
    file_mode(&lib, 0o644);
    assert_eq!(listed_keys(&lib), ["A2000", "B2001"]);
}

#[test]
fn a_new_library_is_announced_on_stderr() {
    let dir = tempfile::tempdir().unwrap();
    let typo = dir.path().join("Dokuments/librar.sqlite");
    let o = run(&typo, &["list"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let err = stderr(&o);
    assert!(
        err.contains(&format!("created a new, empty library at {}", typo.display())),
        "{err}"
    );
    assert!(
        err.contains(&format!("(and the folder {})", dir.path().join("Dokuments").display())),
        "{err}"
    );
    // Once: the next command opens it quietly.
    let o = run(&typo, &["list"]);
    assert!(!stderr(&o).contains("created"), "{}", stderr(&o));
    assert!(Library::open(&typo).unwrap().opened().created_folders.is_empty());
}

fn backups(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.contains(".bak"))
        .collect();
    v.sort();
    v
}

#[test]
fn a_failing_upgrade_backs_the_library_up_once_per_state() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("library.sqlite");
    {
        let store = folio::store::Store::open_at_version(&path, 1).unwrap();
        store
            .conn()
            .execute_batch(
                "INSERT INTO items (key, type, title, year, date_added, date_modified) \
                 VALUES ('Old2001', 'book', 'Written by version 1', 2001, '2001-01-01T00:00:00Z', '2001-01-01T00:00:00Z');
                 CREATE TABLE saved_searches (x);",
            )
            .unwrap();
    }
    for attempt in 0..3 {
        // A second apart: the old names had a timestamp to the second.
        std::thread::sleep(Duration::from_millis(1100));
        let e = Library::open(&path).err().expect("the upgrade fails");
        assert!(matches!(e, Error::Migration(_)), "{e}");
        assert_eq!(
            backups(dir.path()).len(),
            1,
            "attempt {attempt}: {:?}",
            backups(dir.path())
        );
    }
    // The backup is whole and holds the item.
    let b = dir.path().join(&backups(dir.path())[0]);
    let title: String = rusqlite::Connection::open(&b)
        .unwrap()
        .query_row("SELECT title FROM items", [], |r| r.get(0))
        .unwrap();
    assert_eq!(title, "Written by version 1");
    // Once the library changed (an older Folio wrote to it), the next attempt backs it up again.
    std::thread::sleep(Duration::from_millis(1100));
    rusqlite::Connection::open(&path)
        .unwrap()
        .execute("UPDATE items SET title = 'Changed since'", [])
        .unwrap();
    assert!(Library::open(&path).is_err());
    assert_eq!(backups(dir.path()).len(), 2, "{:?}", backups(dir.path()));
}

/// Overwrite the middle page of a library with garbage (the file is closed: its pages are all
/// in the file).
fn damage_a_page(lib: &Path) {
    let c = rusqlite::Connection::open(lib).unwrap();
    let page = c.query_row("PRAGMA page_size", [], |r| r.get::<_, i64>(0)).unwrap() as usize;
    let count = c.query_row("PRAGMA page_count", [], |r| r.get::<_, i64>(0)).unwrap() as usize;
    drop(c);
    let mut bytes = std::fs::read(lib).unwrap();
    let at = (count / 2) * page;
    for (i, b) in bytes[at + 8..at + page].iter_mut().enumerate() {
        *b = (i * 7 % 251) as u8;
    }
    std::fs::write(lib, bytes).unwrap();
}

#[test]
fn a_damaged_library_refuses_changes_and_says_how_to_recover() {
    let dir = tempfile::tempdir().unwrap();
    let lib = dir.path().join("x.sqlite");
    let mut bib = String::new();
    for i in 0..400 {
        bib.push_str(&format!(
            "@article{{k{i}, title={{A title long enough to fill pages number {i} {}}}, author={{Au, Thor}}, year=2000}}\n",
            "padding ".repeat(40)
        ));
    }
    let bib_path = dir.path().join("refs.bib");
    std::fs::write(&bib_path, bib).unwrap();
    succeeds(&lib, &["import", s(&bib_path)]);
    damage_a_page(&lib);
    let check: String = rusqlite::Connection::open(&lib)
        .unwrap()
        .query_row("PRAGMA quick_check", [], |r| r.get(0))
        .unwrap_or_else(|e| e.to_string());
    assert_ne!(check, "ok", "the test must damage the library");
    // A change is refused, saying why and how to recover; the file is not written.
    let before = std::fs::read(&lib).unwrap();
    fails_with(
        &lib,
        &[
            "add", "--type", "book", "--title", "One more", "--author", "Y, Z", "--year", "2024",
        ],
        &["library is damaged", s(&lib), ".recover", "nothing was changed"],
    );
    fails_with(&lib, &["info", "--check"], &["damaged"]);
    assert_eq!(std::fs::read(&lib).unwrap(), before);
    // Through the use case too.
    let mut l = Library::open(&lib).unwrap();
    let e = l
        .add(folio::model::Item::new(folio::model::ItemType::Book, "New"))
        .unwrap_err();
    assert!(matches!(e, Error::Damaged { .. }), "{e}");
    assert_eq!(e.code(), "damaged");
}

#[test]
fn a_sound_library_passes_its_check() {
    let dir = tempfile::tempdir().unwrap();
    let lib = library(dir.path());
    let out = succeeds(&lib, &["info", "--check"]);
    assert!(out.contains("integrity    ok"), "{out}");
}

// ----- cause 12 (part): temporary files of killed exports ----------------------------------------

#[cfg(unix)]
#[test]
fn the_next_export_removes_temporary_files_of_killed_exports_only() {
    let dir = tempfile::tempdir().unwrap();
    let lib = library(dir.path());
    let out_dir = dir.path().join("paper");
    std::fs::create_dir(&out_dir).unwrap();
    // A killed export's file (no process with that pid runs: past Linux's largest pid), one
    // of a running export (this test's own process), one of an older Folio without a pid but
    // old, and other programs' files.
    let dead = out_dir.join(".folio-export-4194999-Ab3dEf");
    let running = out_dir.join(format!(".folio-export-{}-Zz9yXx", std::process::id()));
    let legacy_old = out_dir.join(".folio-export-Q1w2E3");
    let legacy_new = out_dir.join(".folio-export-R4t5Y6");
    let others = [
        out_dir.join(".other-export-1"),
        out_dir.join("refs.bib.tmp"),
        out_dir.join("notes.bib"),
    ];
    for p in [&dead, &running, &legacy_old, &legacy_new]
        .into_iter()
        .chain(others.iter())
    {
        std::fs::write(p, vec![b'x'; 1 << 20]).unwrap();
    }
    let two_hours_ago = std::time::SystemTime::now() - Duration::from_secs(2 * 3600);
    std::fs::File::options()
        .write(true)
        .open(&legacy_old)
        .unwrap()
        .set_modified(two_hours_ago)
        .unwrap();
    succeeds(&lib, &["export", "-o", s(&out_dir.join("paper.bib"))]);
    assert!(!dead.exists(), "a killed export's temporary file stays");
    assert!(!legacy_old.exists(), "an old temporary file stays");
    for p in [&running, &legacy_new].into_iter().chain(others.iter()) {
        assert!(p.exists(), "{} was removed", p.display());
    }
}
