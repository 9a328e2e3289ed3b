//! `folio-bench`: Folio's performance suite. Prints figures and writes a Markdown table to
//! `target/bench-report.md`; it asserts nothing (targets are compared in the report).
//!
//! Data: `$FOLIO_CORPUS/large/derived/beebe-fish-{50k,100k}.bib.xz` and `beebe-fish-50k.ris.xz`
//! (Beebe's public-domain bibliographies, concatenated with duplicate keys dropped; see that
//! folder's SOURCES.md). The 100k library is the 100k file imported; a 100k RIS file is that
//! library exported.
//!
//! Run it through `bash .ci/bench` (release build, < 10 minutes on 2 cores).
//!
//! Scaling rows (issue 23): every pathological shape of `folio::fuzzing::SHAPES` (deep nesting,
//! macro chains, one key on many entries, many keywords, deep group trees…) generated at 1k,
//! 10k and 100k units and imported by the release CLI, with the time ratio between sizes (≈ 10
//! for linear; 100 for quadratic). Each run is killed after `FOLIO_BENCH_CAP` seconds (60) or
//! past `FOLIO_BENCH_MEM_MB` (4096), so a shape that is still quadratic or unbounded cannot
//! hang the bench or exhaust the machine. Alone:
//! `bash .ci/bench scaling [SHAPE…]` (`--sizes 1000,10000`).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[path = "bench/sync.rs"]
mod sync_bench;

use anyhow::{bail, Context, Result};
use folio::export::{ExportOptions, Selection};
use folio::format::Format;
use folio::store::search::{Filter, Sort, SortColumn};
use folio::Library;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

struct Report {
    rows: Vec<(String, String, String, String)>,
}

impl Report {
    fn row(&mut self, what: &str, figure: String, target: &str, verdict: &str) {
        println!("{what:<58} {figure:<40} {target:<22} {verdict}");
        self.rows.push((what.into(), figure, target.into(), verdict.into()));
    }
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    let n = v.len();
    if n == 0 {
        return f64::NAN;
    }
    if n % 2 == 1 {
        v[n / 2]
    } else {
        (v[n / 2 - 1] + v[n / 2]) / 2.0
    }
}

fn percentile(v: &[f64], p: f64) -> f64 {
    let mut v = v.to_vec();
    v.sort_by(f64::total_cmp);
    let idx = ((p / 100.0) * (v.len() as f64 - 1.0)).round() as usize;
    v[idx.min(v.len() - 1)]
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

fn unpack(xz: &Path, out: &Path) -> Result<()> {
    if out.exists() {
        return Ok(());
    }
    let tmp = out.with_extension("part");
    let st = Command::new("xz")
        .arg("-dkc")
        .arg(xz)
        .stdout(std::fs::File::create(&tmp)?)
        .status()
        .context("running xz (install xz-utils)")?;
    if !st.success() {
        bail!("xz failed on {}", xz.display());
    }
    std::fs::rename(tmp, out)?;
    Ok(())
}

/// The file without `@Preamble{…}` blocks (the biblatex crate rejects Beebe's preambles).
fn strip_preambles(src: &Path, out: &Path) -> Result<()> {
    if out.exists() {
        return Ok(());
    }
    let text = std::fs::read_to_string(src)?;
    let mut res = String::with_capacity(text.len());
    let mut rest = text.as_str();
    while let Some(pos) = rest.find("\n@Preamble{") {
        res.push_str(&rest[..pos + 1]);
        let after = &rest[pos + 1..];
        let end = after.find("\n}\n").map(|e| e + 3).unwrap_or(after.len());
        rest = &after[end..];
    }
    res.push_str(rest);
    std::fs::write(out, res)?;
    Ok(())
}

/// Run a process; return (wall seconds, peak MB from its `trace: peak memory` line).
fn run_traced(cmd: &mut Command) -> Result<(f64, f64, String)> {
    let t = Instant::now();
    let out = cmd.env("FOLIO_TRACE", "1").output()?;
    let wall = t.elapsed().as_secs_f64();
    let err = String::from_utf8_lossy(&out.stderr).into_owned();
    if !out.status.success() {
        bail!("{cmd:?} failed: {err}");
    }
    let peak = traced_peak(&err).unwrap_or(f64::NAN);
    Ok((wall, peak, err))
}

fn count_entries(path: &Path) -> Result<usize> {
    let text = std::fs::read_to_string(path)?;
    Ok(text
        .lines()
        .filter(|l| {
            let l = l.trim_start().to_ascii_lowercase();
            l.starts_with('@') && !l.starts_with("@string") && !l.starts_with("@preamble") && !l.starts_with("@comment")
        })
        .count())
}

const QUERIES: [&str; 20] = [
    "salmon",
    "fish",
    "\"stock assessment\"",
    "author:smith",
    "author:beebe",
    "year:1990..1995",
    "year:2005",
    "title:growth",
    "journal:aquaculture",
    "salm",
    "temperature oxygen",
    "\"climate change\" year:2000..",
    "author:jones title:model",
    "-year:..1999 salmon",
    "type:article cod",
    "tag:fish",
    "access:unknown trout",
    "growth OR mortality",
    "abstract:larvae",
    "zooplankton author:a",
];

/// Search times in ms, and (time, query) of the slowest queries.
type SearchTimes = (Vec<f64>, Vec<(f64, &'static str)>);

/// Each query 10 times (count + first page of 50); all times in ms, and the slowest queries.
fn search_bench(lib: &Library) -> Result<SearchTimes> {
    let mut times = Vec::new();
    for _ in 0..10 {
        for q in &QUERIES {
            let f = Filter {
                query: folio::query::parse(q).map_err(anyhow::Error::msg)?,
                ..Default::default()
            };
            let t = Instant::now();
            let _n = lib.count(&f)?;
            let _rows = lib.list(&f, Sort::default(), 0, 50)?;
            times.push(ms(t.elapsed()));
        }
    }
    let mut slowest: Vec<(f64, &str)> = Vec::new();
    for (i, q) in QUERIES.iter().enumerate() {
        let mine: Vec<f64> = times.iter().skip(i).step_by(QUERIES.len()).copied().collect();
        slowest.push((median(mine), q));
    }
    slowest.sort_by(|a, b| b.0.total_cmp(&a.0));
    Ok((times, slowest))
}

/// Auto-export: a library exported to BibTeX; one item edited; the time until the file is up
/// to date again (what every CLI command and the app do after a change). (items, median ms)
fn auto_export_bench(lib_path: &Path, target_bib: &Path, rounds: usize) -> Result<(i64, f64)> {
    let mut lib = Library::open(lib_path)?;
    let _ = std::fs::remove_file(target_bib);
    for a in lib.auto_exports()? {
        lib.auto_export_remove(&a.export.path)?;
    }
    lib.auto_export_add(folio::auto_export::AutoExport {
        path: target_bib.to_string_lossy().into_owned(),
        format: "bibtex".into(),
        scope: folio::auto_export::Scope::Library,
        ascii: None,
        omit_fields: Vec::new(),
    })?;
    let n = lib.count(&Filter::default())?;
    let ids = lib.ids(&Filter::default(), Sort::default())?;
    let mut times = Vec::new();
    for i in 0..rounds {
        let key = lib.get_by_id(ids[(i * 997) % ids.len()])?.key;
        lib.edit(&key, &[("note".into(), format!("bench edit {i}"))], false)?;
        let t = Instant::now();
        let synced = lib.sync_auto_exports()?;
        times.push(ms(t.elapsed()));
        if !synced.iter().any(|r| r.written)
            || !std::fs::read_to_string(target_bib)?.contains(&format!("bench edit {i}"))
        {
            bail!("the auto-export did not follow the edit");
        }
    }
    Ok((n, median(times)))
}

fn main() -> Result<()> {
    let args: Vec<String> = std::env::args().collect();
    match args.get(1).map(String::as_str) {
        Some("search") => return search_mode(Path::new(&args[2])),
        Some("auto-export") => return auto_export_mode(Path::new(&args[2])),
        Some("parse-biblatex") => return parse_biblatex_mode(Path::new(&args[2])),
        Some("scaling") => return scaling_mode(&args[2..]),
        Some("scaling-query") => return scaling_query_mode(Path::new(&args[2])),
        // Only the shared-library rows, on the 100k library an earlier full run left.
        Some("sync") => {
            let mut b = setup()?;
            if !b.lib100.exists() {
                bail!("{} does not exist: run the whole bench once", b.lib100.display());
            }
            b.shared_library()?;
            return b.write_report();
        }
        // Only the PDF and full-text rows (issue 26), on the 100k library an earlier full run left.
        Some("pdf") => {
            let mut b = setup()?;
            if !b.lib100.exists() {
                bail!("{} does not exist: run the whole bench once", b.lib100.display());
            }
            b.pdf_corpus()?;
            b.fulltext_at_scale()?;
            return b.write_report();
        }
        // Only the local-API rows, on the 100k library an earlier full run left.
        Some("local-api") => {
            let mut b = setup()?;
            if !b.lib100.exists() {
                bail!("{} does not exist: run the whole bench once", b.lib100.display());
            }
            return b.local_api();
        }
        _ => {}
    }
    let mut b = setup()?;
    println!("runs per figure: {}; 2-core machine, figures are medians\n", b.runs);
    b.import_vs_parse()?;
    b.import_100k()?;
    b.ris_import()?;
    let lib = Library::open(&b.lib100)?;
    let ris100 = b.exports(&lib)?;
    b.ris_import_100k(&ris100)?;
    b.search(&lib)?;
    b.list_pages(&lib)?;
    drop(lib);
    b.pdf_corpus()?;
    b.fulltext_at_scale()?;
    b.open_library()?;
    b.duplicate_checks()?;
    b.tag_all_and_undo()?;
    b.auto_export()?;
    b.local_api()?;
    b.shared_library()?;
    let scaling = Scaling::new(&b.exe, &b.work)?;
    for shape in folio::fuzzing::SHAPES {
        scaling.shape(shape, &SCALING_SIZES, &mut b.report)?;
    }
    b.write_report()
}

/// `folio-bench search LIBRARY`: only the search figures, on an existing library.
fn search_mode(path: &Path) -> Result<()> {
    let lib = Library::open(path)?;
    let (times, slowest) = search_bench(&lib)?;
    println!(
        "p50 {:.1} ms, p99 {:.1} ms",
        percentile(&times, 50.0),
        percentile(&times, 99.0)
    );
    for (t, q) in slowest {
        println!("{t:>8.1} ms  {q}");
    }
    Ok(())
}

/// `folio-bench auto-export LIBRARY`: only the auto-export figure (the library is changed).
fn auto_export_mode(lib: &Path) -> Result<()> {
    let (n, t) = auto_export_bench(lib, &lib.with_extension("auto.bib"), 9)?;
    println!("{n} items: {t:.0} ms after one edit (median of 9)");
    Ok(())
}

/// Child mode: the bare biblatex crate parse of a file, measured in its own process.
fn parse_biblatex_mode(file: &Path) -> Result<()> {
    let text = std::fs::read_to_string(file)?;
    let t = Instant::now();
    let bib = biblatex::Bibliography::parse(&text).map_err(|e| anyhow::anyhow!("biblatex: {e}"))?;
    let secs = t.elapsed().as_secs_f64();
    let kb = std::fs::read_to_string("/proc/self/status")?
        .lines()
        .find(|l| l.starts_with("VmHWM:"))
        .and_then(|l| l.split_whitespace().nth(1)?.parse::<u64>().ok())
        .unwrap_or(0);
    println!("{} {secs} {}", bib.len(), kb as f64 / 1024.0);
    Ok(())
}

/// The sizes of the scaling rows, in each shape's unit.
const SCALING_SIZES: [usize; 3] = [1_000, 10_000, 100_000];

/// `folio-bench scaling [--sizes N,N…] [SHAPE…]`: only the scaling rows (all shapes when none
/// is named).
fn scaling_mode(args: &[String]) -> Result<()> {
    let mut sizes = SCALING_SIZES.to_vec();
    let mut names = Vec::new();
    let mut it = args.iter();
    while let Some(a) = it.next() {
        if a == "--sizes" {
            let list = it.next().context("--sizes needs a list: 1000,10000")?;
            sizes = list
                .split(',')
                .map(|n| n.trim().replace('_', "").parse())
                .collect::<Result<_, _>>()?;
        } else {
            names.push(a.as_str());
        }
    }
    let shapes: Vec<&folio::fuzzing::Shape> = if names.is_empty() {
        folio::fuzzing::SHAPES.iter().collect()
    } else {
        names
            .iter()
            .map(|n| {
                folio::fuzzing::by_name(n).with_context(|| {
                    let all: Vec<&str> = folio::fuzzing::SHAPES.iter().map(|s| s.name).collect();
                    format!("no shape {n:?}; the shapes: {}", all.join(", "))
                })
            })
            .collect::<Result<_>>()?
    };
    let exe = std::env::current_exe()?;
    let target = exe.parent().and_then(Path::parent).context("target dir")?;
    let work = target.join("bench-work");
    std::fs::create_dir_all(&work)?;
    let scaling = Scaling::new(&exe, &work)?;
    let mut report = Report { rows: Vec::new() };
    for shape in shapes {
        scaling.shape(shape, &sizes, &mut report)?;
    }
    Ok(())
}

/// Child mode of the `query-long` rows: the search in the file run on a small in-memory
/// library (a search of 100k terms is longer than one command-line argument may be).
fn scaling_query_mode(file: &Path) -> Result<()> {
    let text = std::fs::read_to_string(file)?;
    let lib = folio::fuzzing::query_library();
    match folio::query::parse(&text) {
        Err(e) => println!("refused: {}", e.chars().take(100).collect::<String>()),
        Ok(query) => {
            let f = Filter {
                query,
                ..Default::default()
            };
            match lib.count(&f) {
                Ok(n) => println!("{n} matches"),
                Err(folio::Error::Db(e)) => bail!("database error: {e}"),
                Err(e) => println!("refused: {e}"),
            }
        }
    }
    Ok(())
}

/// How one capped run ended.
enum Ended {
    /// Exit 0: (seconds, peak MB).
    Done(f64, f64),
    /// A non-zero exit or a signal (a crash, an abort): (what, seconds, peak MB).
    Failed(String, f64, f64),
    /// Killed at the time cap: (peak MB so far).
    Capped(f64),
    /// Killed at the memory cap after (seconds).
    OutOfMemory(f64),
}

/// The scaling rows: generated inputs imported by the CLI, capped in time.
struct Scaling {
    exe: PathBuf,
    folio: PathBuf,
    dir: PathBuf,
    cap: Duration,
    /// Peak memory a run may reach before it is killed (`FOLIO_BENCH_MEM_MB`, 4096): a
    /// macro chain of 1,000 `@string`s took 4.5 GB in 30 s before the fix.
    mem_mb: f64,
}

impl Scaling {
    fn new(exe: &Path, work: &Path) -> Result<Scaling> {
        let cap = std::env::var("FOLIO_BENCH_CAP")
            .ok()
            .and_then(|v| v.parse().ok())
            .unwrap_or(60u64);
        let dir = work.join("scaling");
        std::fs::create_dir_all(&dir)?;
        Ok(Scaling {
            exe: exe.to_path_buf(),
            folio: exe.parent().context("exe dir")?.join("folio"),
            dir,
            cap: Duration::from_secs(cap),
            mem_mb: std::env::var("FOLIO_BENCH_MEM_MB")
                .ok()
                .and_then(|v| v.parse().ok())
                .unwrap_or(4096.0),
        })
    }

    /// `shape` at each size: a row each, with the ratio to the size before; after a run that
    /// failed or hit the cap, the larger sizes are skipped.
    fn shape(&self, shape: &folio::fuzzing::Shape, sizes: &[usize], report: &mut Report) -> Result<()> {
        let mut before: Option<(usize, f64)> = None;
        let mut stopped = false;
        for &size in sizes {
            let what = format!("scaling {} (cause {}), {size} {}", shape.name, shape.cause, shape.unit);
            if stopped {
                report.row(&what, "skipped".into(), "ratio <= 12 per 10x", "");
                continue;
            }
            let input = self.dir.join(format!("{}-{size}.{}", shape.name, shape.ext));
            let bytes = (shape.generate)(size, 0);
            std::fs::write(&input, &bytes)?;
            let ended = self.run(shape, &input)?;
            let _ = std::fs::remove_file(&input);
            let mb = bytes.len() as f64 / 1e6;
            let (figure, verdict) = match ended {
                Ended::Done(secs, peak) => {
                    let ratio = before.map(|(n, t)| (secs / t, size as f64 / n as f64));
                    before = Some((size, secs));
                    let r = ratio.map_or(String::new(), |(r, x)| format!(", {r:.1}x time for {x:.0}x size"));
                    let verdict = match ratio {
                        Some((r, x)) if r > x * 1.2 && secs > 0.5 => "MISSED",
                        Some(_) => "met",
                        None => "",
                    };
                    (format!("{secs:.2} s, peak {peak:.0} MB, input {mb:.1} MB{r}"), verdict)
                }
                Ended::Failed(why, secs, peak) => {
                    stopped = true;
                    (
                        format!("{why} after {secs:.1} s, peak {peak:.0} MB, input {mb:.1} MB"),
                        "FAILED",
                    )
                }
                Ended::OutOfMemory(secs) => {
                    stopped = true;
                    (
                        format!("> {:.0} MB (killed after {secs:.1} s), input {mb:.1} MB", self.mem_mb),
                        "MISSED",
                    )
                }
                Ended::Capped(peak) => {
                    stopped = true;
                    (
                        format!(
                            "> {} s (killed), peak {peak:.0} MB, input {mb:.1} MB",
                            self.cap.as_secs()
                        ),
                        "MISSED",
                    )
                }
            };
            report.row(&what, figure, "ratio <= 12 per 10x", verdict);
        }
        Ok(())
    }

    /// The command that reads `input` as `shape` says: an import into a new library, an
    /// `.aux` registered, or a search run.
    fn command(&self, shape: &folio::fuzzing::Shape, input: &Path) -> Command {
        let lib = self.dir.join("scaling.sqlite");
        for ext in ["sqlite", "sqlite-wal", "sqlite-shm"] {
            let _ = std::fs::remove_file(lib.with_extension(ext));
        }
        match shape.ext {
            "query" => {
                let mut c = Command::new(&self.exe);
                c.arg("scaling-query").arg(input);
                c
            }
            "aux" => {
                let mut c = Command::new(&self.folio);
                c.arg("--library").arg(&lib).args(["aux", "add"]).arg(input);
                c
            }
            _ => {
                let mut c = Command::new(&self.folio);
                c.arg("--library")
                    .arg(&lib)
                    .args(["import", "--duplicates", "keep"])
                    .arg(input);
                c
            }
        }
    }

    /// Run the command for `input`, killed at the cap; peak memory from the process's
    /// `VmHWM` (read while it runs) or its trace line, whichever is larger.
    fn run(&self, shape: &folio::fuzzing::Shape, input: &Path) -> Result<Ended> {
        use std::os::unix::process::ExitStatusExt;
        let mut cmd = self.command(shape, input);
        let err_path = self.dir.join("stderr.txt");
        let mut child = cmd
            .env("FOLIO_TRACE", "1")
            .stdout(std::process::Stdio::null())
            .stderr(std::fs::File::create(&err_path)?)
            .spawn()?;
        let t = Instant::now();
        let status_file = format!("/proc/{}/status", child.id());
        let mut hwm = 0.0f64;
        let status = loop {
            if let Some(st) = child.try_wait()? {
                break st;
            }
            if let Some(kb) = std::fs::read_to_string(&status_file).ok().and_then(|s| {
                s.lines()
                    .find(|l| l.starts_with("VmHWM:"))
                    .and_then(|l| l.split_whitespace().nth(1)?.parse::<f64>().ok())
            }) {
                hwm = hwm.max(kb / 1024.0);
            }
            if hwm > self.mem_mb {
                let _ = child.kill();
                let _ = child.wait();
                return Ok(Ended::OutOfMemory(t.elapsed().as_secs_f64()));
            }
            if t.elapsed() > self.cap {
                let _ = child.kill();
                let _ = child.wait();
                return Ok(Ended::Capped(hwm));
            }
            std::thread::sleep(Duration::from_millis(20));
        };
        let secs = t.elapsed().as_secs_f64();
        let err = std::fs::read_to_string(&err_path).unwrap_or_default();
        let traced = traced_peak(&err).unwrap_or(0.0);
        let peak = hwm.max(traced);
        Ok(if status.success() {
            Ended::Done(secs, peak)
        } else if let Some(sig) = status.signal() {
            Ended::Failed(format!("killed by signal {sig}"), secs, peak)
        } else {
            let last = err.lines().find(|l| !l.starts_with("trace:")).unwrap_or("").trim();
            let last: String = last.chars().take(80).collect();
            Ended::Failed(format!("exit {} ({last})", status.code().unwrap_or(-1)), secs, peak)
        })
    }
}

/// What the benchmark sections share: the run count, the binaries, the unpacked data, the
/// entry counts and the report being filled.
struct Bench {
    runs: usize,
    /// This executable (run again in `parse-biblatex` child mode).
    exe: PathBuf,
    /// The `folio` CLI next to it.
    folio: PathBuf,
    /// The cargo target dir (the report goes there).
    target: PathBuf,
    /// `$FOLIO_CORPUS/large/derived`.
    derived: PathBuf,
    /// `target/bench-work`: unpacked data and the libraries made.
    work: PathBuf,
    bib50_nopre: PathBuf,
    bib100: PathBuf,
    ris50: PathBuf,
    /// The 100k library (made by `import_100k`).
    lib100: PathBuf,
    /// A copy of it that the duplicate and tagging sections change.
    copy: PathBuf,
    n50: usize,
    n100: usize,
    report: Report,
}

/// The run count, the corpus, the paths; the data unpacked.
fn setup() -> Result<Bench> {
    let runs: usize = std::env::var("FOLIO_BENCH_RUNS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(3);
    let corpus = std::env::var_os("FOLIO_CORPUS")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/corpus"));
    let derived = corpus.join("large/derived");
    if !derived.is_dir() {
        bail!("benchmark data not found at {} (set FOLIO_CORPUS)", derived.display());
    }
    let exe = std::env::current_exe()?;
    let bin_dir = exe.parent().context("exe dir")?;
    let folio = bin_dir.join("folio");
    let target = bin_dir.parent().context("target dir")?.to_path_buf();
    let work = target.join("bench-work");
    std::fs::create_dir_all(&work)?;

    let bib50 = work.join("beebe-fish-50k.bib");
    let bib100 = work.join("beebe-fish-100k.bib");
    let ris50 = work.join("beebe-fish-50k.ris");
    unpack(&derived.join("beebe-fish-50k.bib.xz"), &bib50)?;
    unpack(&derived.join("beebe-fish-100k.bib.xz"), &bib100)?;
    unpack(&derived.join("beebe-fish-50k.ris.xz"), &ris50)?;
    let bib50_nopre = work.join("beebe-fish-50k.nopre.bib");
    strip_preambles(&bib50, &bib50_nopre)?;
    let n50 = count_entries(&bib50)?;
    let n100 = count_entries(&bib100)?;
    Ok(Bench {
        runs,
        exe,
        folio,
        lib100: work.join("lib100.sqlite"),
        copy: work.join("lib100copy.sqlite"),
        target,
        derived,
        work,
        bib50_nopre,
        bib100,
        ris50,
        n50,
        n100,
        report: Report { rows: Vec::new() },
    })
}

impl Bench {
    /// `folio import --duplicates keep` of a file into a new library, as a process, with the
    /// trace, which says whether the import wrote the library once.
    fn import_traced(&self, file: &Path, lib: &Path) -> Result<(f64, f64, String)> {
        let _ = std::fs::remove_file(lib);
        run_traced(
            Command::new(&self.folio)
                .arg("--library")
                .arg(lib)
                .args(["import", "--duplicates", "keep"])
                .arg(file),
        )
    }

    /// `import_traced` without the trace: (wall seconds, peak MB).
    fn import(&self, file: &Path, lib: &Path) -> Result<(f64, f64)> {
        self.import_traced(file, lib).map(|(wall, peak, _)| (wall, peak))
    }

    /// The 50k file (no preambles): the bare biblatex crate parse against folio import.
    fn import_vs_parse(&mut self) -> Result<()> {
        // 1. The floor, the bare biblatex crate parse, and 2. folio import of the same file, end
        // to end, as a process. They alternate, and the ratio is the median of each pair's ratio:
        // this machine's speed drifts by a third within minutes (another VM's load), so a parse
        // measured a minute before an import says little about it.
        let n50 = self.n50;
        let pairs = self.runs.max(5);
        let mut parse_secs = Vec::new();
        let mut parse_mb = 0.0f64;
        let mut walls = Vec::new();
        let mut ratios = Vec::new();
        let mut peak50 = 0.0f64;
        for _ in 0..pairs {
            let out = Command::new(&self.exe)
                .arg("parse-biblatex")
                .arg(&self.bib50_nopre)
                .output()?;
            if !out.status.success() {
                bail!("biblatex parse failed: {}", String::from_utf8_lossy(&out.stderr));
            }
            let s = String::from_utf8_lossy(&out.stdout);
            let f: Vec<&str> = s.split_whitespace().collect();
            let parse = f[1].parse::<f64>()?;
            parse_secs.push(parse);
            parse_mb = parse_mb.max(f[2].parse::<f64>()?);
            let (w, p) = self.import(&self.bib50_nopre, &self.work.join("lib50.sqlite"))?;
            walls.push(w);
            ratios.push(w / parse);
            peak50 = peak50.max(p);
        }
        let parse50 = median(parse_secs);
        self.report.row(
            &format!("biblatex crate Bibliography::parse, {n50} entries (no preambles)"),
            format!(
                "{parse50:.2} s, {:.0} entries/s, {parse_mb:.0} MB",
                n50 as f64 / parse50
            ),
            "floor",
            "",
        );
        let imp50 = median(walls);
        let (lo, hi) = (
            ratios.iter().copied().fold(f64::INFINITY, f64::min),
            ratios.iter().copied().fold(0.0, f64::max),
        );
        let ratio = median(ratios);
        self.report.row(
            &format!("folio import (process, new library), {n50} BibTeX entries"),
            format!(
                "{imp50:.2} s, {:.0} entries/s, {peak50:.0} MB, {ratio:.2}x parse ({pairs} pairs, {lo:.2}-{hi:.2})",
                n50 as f64 / imp50
            ),
            "<= 2x parse",
            if ratio <= 2.0 { "met" } else { "MISSED" },
        );
        Ok(())
    }

    /// The 100k file imported into a new library (kept: the later sections use it).
    fn import_100k(&mut self) -> Result<()> {
        let n100 = self.n100;
        let mut walls = Vec::new();
        let mut peak100 = 0.0f64;
        let mut once = true;
        for _ in 0..self.runs {
            let (w, p, trace) = self.import_traced(&self.bib100, &self.lib100)?;
            walls.push(w);
            peak100 = peak100.max(p);
            once &= trace.contains("rollback journal for this import");
        }
        let (lo100, hi100) = walls
            .iter()
            .fold((f64::MAX, 0.0f64), |(lo, hi), &w| (lo.min(w), hi.max(w)));
        let imp100 = median(walls);
        self.report.row(
            &format!("folio import (process, new library), {n100} BibTeX entries"),
            format!(
                "{imp100:.2} s (runs {lo100:.2}-{hi100:.2}), {:.0} entries/s, peak {peak100:.0} MB, {}",
                n100 as f64 / imp100,
                if once { "written once" } else { "through the WAL" }
            ),
            "< 10 s, < 300 MB",
            if imp100 < 10.0 && peak100 < 300.0 {
                "met"
            } else {
                "MISSED"
            },
        );
        Ok(())
    }

    /// 3. RIS import: the 50k RIS file (and, in `ris_import_100k`, a 100k RIS export).
    fn ris_import(&mut self) -> Result<()> {
        let mut walls = Vec::new();
        for _ in 0..self.runs {
            walls.push(self.import(&self.ris50, &self.work.join("libris.sqlite"))?.0);
        }
        let ris = median(walls);
        self.report.row(
            "folio import, 51,754-record RIS (bibutils export)",
            format!("{ris:.2} s, {:.0} records/s", 51754.0 / ris),
            "",
            "",
        );
        Ok(())
    }

    /// The 100k library exported to BibTeX and to RIS; returns the RIS file (kept for
    /// `ris_import_100k`).
    fn exports(&mut self, lib: &Library) -> Result<PathBuf> {
        let n100 = self.n100;
        let all = Selection::default();
        let mut ex_bib = Vec::new();
        let mut ex_ris = Vec::new();
        let ris100 = self.work.join("export100k.ris");
        for _ in 0..self.runs {
            let t = Instant::now();
            lib.export_file(
                &all,
                &ExportOptions {
                    format: Format::Bibtex,
                    ..Default::default()
                },
                &self.work.join("export100k.bib"),
            )?;
            ex_bib.push(t.elapsed().as_secs_f64());
            let _ = std::fs::remove_file(self.work.join("export100k.bib"));
            let t = Instant::now();
            lib.export_file(
                &all,
                &ExportOptions {
                    format: Format::Ris,
                    ..Default::default()
                },
                &ris100,
            )?;
            ex_ris.push(t.elapsed().as_secs_f64());
        }
        let (eb, er) = (median(ex_bib), median(ex_ris));
        self.report.row(
            &format!("export {n100} items to BibTeX (select + write, atomic)"),
            format!("{eb:.2} s"),
            "< 1 s",
            if eb < 1.0 { "met" } else { "MISSED" },
        );
        self.report.row(
            &format!("export {n100} items to RIS"),
            format!("{er:.2} s"),
            "< 1 s",
            if er < 1.0 { "met" } else { "MISSED" },
        );
        Ok(ris100)
    }

    /// The 100k RIS file Folio exported, imported into a new library.
    fn ris_import_100k(&mut self, ris100: &Path) -> Result<()> {
        let n100 = self.n100;
        let mut walls = Vec::new();
        for _ in 0..self.runs {
            walls.push(self.import(ris100, &self.work.join("libris100.sqlite"))?.0);
        }
        let ris100t = median(walls);
        self.report.row(
            &format!("folio import, {n100}-record RIS (Folio's own export)"),
            format!("{ris100t:.2} s, {:.0} records/s", n100 as f64 / ris100t),
            "",
            "",
        );
        Ok(())
    }

    /// 4. Search on the 100k library: count + first page, as the app does.
    fn search(&mut self, lib: &Library) -> Result<()> {
        let n100 = self.n100;
        let (times, slowest) = search_bench(lib)?;
        let (p50, p99) = (percentile(&times, 50.0), percentile(&times, 99.0));
        self.report.row(
            &format!("search, 20 typical queries x 10 on {n100} items (count + first page)"),
            format!("p50 {p50:.1} ms, p99 {p99:.1} ms"),
            "p50 < 10 ms, p99 < 50 ms",
            if p50 < 10.0 && p99 < 50.0 { "met" } else { "MISSED" },
        );
        let detail: Vec<String> = slowest.iter().take(3).map(|(t, q)| format!("{q} {t:.1} ms")).collect();
        self.report.row("  slowest queries (median)", detail.join("; "), "", "");
        Ok(())
    }

    /// 4a. PDFs: the PDF corpus (scholarly and hostile files) imported as references, each read
    /// in the release worker and its text indexed: time per MB and per page.
    fn pdf_corpus(&mut self) -> Result<()> {
        let folder = self.derived.join("../../pdf/public");
        if !folder.is_dir() {
            bail!("the PDF corpus is needed: {}", folder.display());
        }
        let files = folio::library::pdf_import::pdf_files(std::slice::from_ref(&folder))?;
        let bytes: u64 = files
            .iter()
            .filter_map(|f| std::fs::metadata(f).ok())
            .map(|m| m.len())
            .sum();
        let mut walls = Vec::new();
        let mut pages = 0u32;
        for run in 0..self.runs {
            let path = self.work.join(format!("libpdf{run}.sqlite"));
            for ext in ["", "-wal", "-shm"] {
                let _ = std::fs::remove_file(format!("{}{ext}", path.display()));
            }
            let _ = std::fs::remove_dir_all(self.work.join(format!("libpdf{run}.files")));
            let mut lib = Library::open(&path)?;
            lib.set_pdf_worker(folio::pdf::Worker::with_program(&self.folio));
            let opts = folio::library::pdf_import::PdfImportOptions {
                link: true,
                ..Default::default()
            };
            let t = Instant::now();
            let reports = lib.import_pdfs(std::slice::from_ref(&folder), &opts, &mut |_, _, _| true)?;
            walls.push(t.elapsed().as_secs_f64());
            pages = reports.iter().map(|r| r.pages).sum();
        }
        let wall = median(walls);
        let mb = bytes as f64 / (1 << 20) as f64;
        self.report.row(
            &format!(
                "PDF import: {} files ({mb:.0} MB, {pages} pages), read + indexed",
                files.len()
            ),
            format!(
                "{wall:.1} s, {:.2} s/MB, {:.1} ms/page",
                wall / mb,
                1000.0 * wall / f64::from(pages.max(1))
            ),
            "",
            "",
        );
        Ok(())
    }

    /// 4b. Full text at scale: on a copy of the 100k library, 5,000 attachments of a PDF's
    /// worth of text each (10 pages of ~4 KB, titles drawn from the library, one marker
    /// phrase per document): indexing throughput, `fulltext:` and "everything" searches
    /// (count + first page, p50/p99), and the library's growth per indexed document.
    fn fulltext_at_scale(&mut self) -> Result<()> {
        const DOCS: usize = 5000;
        let path = self.work.join("libft100.sqlite");
        for ext in ["", "-wal", "-shm"] {
            let _ = std::fs::remove_file(format!("{}{ext}", path.display()));
        }
        std::fs::copy(&self.lib100, &path)?;
        let size = |p: &Path| -> u64 {
            ["", "-wal"]
                .iter()
                .filter_map(|e| std::fs::metadata(format!("{}{e}", p.display())).ok())
                .map(|m| m.len())
                .sum()
        };
        let mut lib = Library::open(&path)?;
        let before = size(&path);
        let rows = lib.list(&Filter::default(), Sort::default(), 0, usize::MAX)?;
        let titles: Vec<&str> = rows
            .iter()
            .map(|r| r.title.as_str())
            .filter(|t| !t.is_empty())
            .collect();
        let dir = self.work.join("ft-docs");
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir)?;
        let mut seed = 0x9e37_79b9_7f4a_7c15u64;
        let mut next = move || {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed
        };
        let mut text_bytes = 0u64;
        let t = Instant::now();
        for (i, row) in rows.iter().take(DOCS).enumerate() {
            let mut doc = String::new();
            for page in 0..10 {
                if page > 0 {
                    doc.push('\u{c}');
                }
                if page == i % 10 {
                    doc.push_str(&format!("folio marker {i} zebra. "));
                }
                for _ in 0..40 {
                    doc.push_str(titles[(next() % titles.len() as u64) as usize]);
                    doc.push_str(". ");
                }
            }
            text_bytes += doc.len() as u64;
            let file = dir.join(format!("{i}.txt"));
            std::fs::write(&file, doc)?;
            lib.attach(&row.key, &[file], folio::library::AttachMode::Link)?;
        }
        let attach_s = t.elapsed().as_secs_f64();
        let t = Instant::now();
        let r = lib.index_fulltext(&Default::default(), &mut |_| true)?;
        let index_s = t.elapsed().as_secs_f64();
        let mb = text_bytes as f64 / (1 << 20) as f64;
        self.report.row(
            &format!(
                "full text: index {DOCS} documents ({mb:.0} MB of text, {} pages)",
                r.pages
            ),
            format!(
                "{index_s:.1} s, {:.1} MB/s, {:.0} pages/s (attaching {attach_s:.1} s)",
                mb / index_s,
                r.pages as f64 / index_s
            ),
            "",
            "",
        );
        let queries: [(&str, bool); 7] = [
            ("fulltext:\"marker 2500 zebra\"", false),
            ("ft:zebra", false),
            ("fulltext:\"of the\"", false),
            ("ft:th", false),
            ("ft:network -ft:model", false),
            ("author:smith ft:analysis", false),
            ("bayesian", true),
        ];
        let mut times = Vec::new();
        let mut per_query = Vec::new();
        for (q, everything) in queries {
            let query = if everything {
                folio::query::parse_everything(q)
            } else {
                folio::query::parse(q)
            }
            .map_err(anyhow::Error::msg)?;
            let f = Filter {
                query,
                ..Default::default()
            };
            let mut mine = Vec::new();
            for _ in 0..10 {
                let t = Instant::now();
                let _n = lib.count(&f)?;
                let _rows = lib.list(&f, Sort::default(), 0, 50)?;
                mine.push(ms(t.elapsed()));
            }
            per_query.push((median(mine.clone()), q));
            times.extend(mine);
        }
        per_query.sort_by(|a, b| b.0.total_cmp(&a.0));
        let (p50, p99) = (percentile(&times, 50.0), percentile(&times, 99.0));
        self.report.row(
            &format!(
                "full text: search at {} items + {DOCS} documents (count + page)",
                rows.len()
            ),
            format!("p50 {p50:.1} ms, p99 {p99:.1} ms"),
            "p50 < 10 ms, p99 < 50 ms",
            if p50 < 10.0 && p99 < 50.0 { "met" } else { "MISSED" },
        );
        let detail: Vec<String> = per_query
            .iter()
            .take(3)
            .map(|(t, q)| format!("{q} {t:.1} ms"))
            .collect();
        self.report
            .row("  slowest full-text queries (median)", detail.join("; "), "", "");
        // Closing the library checkpoints its write-ahead log into the file.
        drop(lib);
        let after = size(&path);
        self.report.row(
            "  library growth per indexed document",
            format!(
                "{:.1} KB ({:.2}x its text)",
                (after.saturating_sub(before)) as f64 / DOCS as f64 / 1024.0,
                after.saturating_sub(before) as f64 / text_bytes as f64
            ),
            "",
            "",
        );
        let _ = std::fs::remove_dir_all(&dir);
        Ok(())
    }

    /// 5. List pages.
    fn list_pages(&mut self, lib: &Library) -> Result<()> {
        let n100 = self.n100;
        let mut worst = 0.0f64;
        let mut cells = Vec::new();
        for (name, col) in [
            ("title", SortColumn::Title),
            ("year", SortColumn::Year),
            ("author", SortColumn::Creators),
        ] {
            for (label, offset) in [("first", 0usize), ("deep", n100.saturating_sub(100))] {
                let mut t_ms = Vec::new();
                for _ in 0..10 {
                    let t = Instant::now();
                    let rows = lib.list(
                        &Filter::default(),
                        Sort {
                            column: col,
                            descending: false,
                        },
                        offset,
                        50,
                    )?;
                    t_ms.push(ms(t.elapsed()));
                    assert!(!rows.is_empty());
                }
                let m = median(t_ms);
                worst = worst.max(m);
                cells.push(format!("{name}/{label} {m:.1}"));
            }
        }
        self.report.row(
            &format!("list page of 50, sorted, {n100} items (ms)"),
            cells.join(", "),
            "< 20 ms",
            if worst < 20.0 { "met" } else { "MISSED" },
        );
        Ok(())
    }

    /// 7. Opening the 100k library: process start to first page printed.
    fn open_library(&mut self) -> Result<()> {
        let n100 = self.n100;
        let mut walls = Vec::new();
        for _ in 0..self.runs.max(5) {
            let t = Instant::now();
            let out = Command::new(&self.folio)
                .arg("--library")
                .arg(&self.lib100)
                .args(["list", "--limit", "50"])
                .output()?;
            walls.push(ms(t.elapsed()));
            if !out.status.success() {
                bail!("list failed");
            }
        }
        self.report.row(
            &format!("open {n100}-item library until the first page is ready (process)"),
            format!("{:.0} ms", median(walls)),
            "",
            "",
        );
        Ok(())
    }

    /// Duplicate checking: 10k entries into the 100k library vs into an empty one (which is
    /// kept: `auto_export` uses it).
    fn duplicate_checks(&mut self) -> Result<()> {
        let bib10 = self.work.join("beebe-fish-10k.bib");
        unpack(&self.derived.join("beebe-fish-10k.bib.xz"), &bib10)?;
        let mut into_full = Vec::new();
        let mut into_empty = Vec::new();
        for _ in 0..self.runs {
            std::fs::copy(&self.lib100, &self.copy)?;
            let (w, _, err) = run_traced(
                Command::new(&self.folio)
                    .arg("--library")
                    .arg(&self.copy)
                    .args(["import", "--duplicates", "skip"])
                    .arg(&bib10),
            )?;
            let _ = err;
            into_full.push(w);
            into_empty.push(self.import(&bib10, &self.work.join("lib10.sqlite"))?.0);
        }
        let (f, e) = (median(into_full), median(into_empty));
        self.report.row(
            "import 10k BibTeX into the 100k library (duplicates checked) vs empty",
            format!("{f:.2} s vs {e:.2} s (+{:.2} s)", f - e),
            "dup check << 1 s",
            if f - e < 1.0 { "met" } else { "MISSED" },
        );
        Ok(())
    }

    /// A bulk action: tag every item of the 100k library (one undo step), then undo it.
    fn tag_all_and_undo(&mut self) -> Result<()> {
        let n100 = self.n100;
        let copy = &self.copy;
        let (mut tag_walls, mut undo_walls, mut tag_peak, mut undo_peak) = (Vec::new(), Vec::new(), 0.0f64, 0.0f64);
        for _ in 0..self.runs {
            std::fs::copy(&self.lib100, copy)?;
            let _ = std::fs::remove_file(copy.with_extension("sqlite-wal"));
            let (w, p, _) = run_traced(
                Command::new(&self.folio)
                    .arg("--library")
                    .arg(copy)
                    .args(["tag", "add", "Reviewed", "--all"]),
            )?;
            tag_walls.push(w);
            tag_peak = tag_peak.max(p);
            let (w, p, _) = run_traced(Command::new(&self.folio).arg("--library").arg(copy).arg("undo"))?;
            undo_walls.push(w);
            undo_peak = undo_peak.max(p);
        }
        self.report.row(
            &format!("tag all {n100} items (one action), process; then undo it"),
            format!(
                "{:.2} s, {tag_peak:.0} MB; undo {:.2} s, {undo_peak:.0} MB",
                median(tag_walls),
                median(undo_walls)
            ),
            "—",
            "",
        );
        Ok(())
    }

    /// The shared-library rows (issue 27) against `$FOLIO_PG_URL` (`.ci/bench` starts a
    /// private PostgreSQL on loopback).
    fn shared_library(&mut self) -> Result<()> {
        let url = std::env::var("FOLIO_PG_URL")
            .context("FOLIO_PG_URL: a PostgreSQL superuser URL for the shared-library rows (.ci/bench starts one)")?;
        for (what, figure) in sync_bench::rows(&url, &self.lib100, &self.work)? {
            self.report.row(&what, figure, "—", "");
        }
        Ok(())
    }

    /// The auto-export figure on the 10k library `duplicate_checks` made.
    fn auto_export(&mut self) -> Result<()> {
        let (n, t) = auto_export_bench(
            &self.work.join("lib10.sqlite"),
            &self.work.join("auto10k.bib"),
            self.runs * 3,
        )?;
        self.report.row(
            &format!("auto-export of {n} items (BibTeX) brought up to date after one edit"),
            format!("{t:.0} ms"),
            "< 200 ms",
            if t < 200.0 { "met" } else { "MISSED" },
        );
        Ok(())
    }

    /// The local HTTP API on the 100k library (`folio serve`, the same server the app runs):
    /// 100 JSON-RPC `item.search` requests at once (latency p50/p99 over the rounds), a pull
    /// export of the whole library (time, the server's peak memory), and meanwhile the first
    /// page of the table as the app's own library handle reads it (`Library::list`, what the
    /// app's `list_page` command calls) against the same reads with the server idle.
    fn local_api(&mut self) -> Result<()> {
        use std::io::{BufRead, BufReader};
        let mut child = Command::new(&self.folio)
            .arg("--library")
            .arg(&self.lib100)
            .args(["serve", "--port", "0"])
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::null())
            .spawn()?;
        let mut line = String::new();
        BufReader::new(child.stdout.take().context("serve stdout")?).read_line(&mut line)?;
        let port: u16 = line
            .trim()
            .rsplit(':')
            .next()
            .and_then(|p| p.parse().ok())
            .context("serve port")?;
        let pid = child.id();
        let result = (|| -> Result<()> {
            let ui = Library::open_read_only(&self.lib100)?;
            let mut idle = Vec::new();
            for _ in 0..20 {
                idle.push(first_page_ms(&ui)?);
            }
            // The pull export biber fetches, of the whole library.
            let mut walls = Vec::new();
            let mut bytes = 0;
            for _ in 0..self.runs {
                let t = Instant::now();
                let (status, body) = http(port, "GET", "/better-bibtex/library?/1/library.biblatex", "")?;
                if status != 200 {
                    bail!("pull export answered {status}");
                }
                walls.push(t.elapsed().as_secs_f64());
                bytes = body.len();
            }
            let peak = peak_of(pid);
            self.report.row(
                &format!(
                    "local API: pull export of {} items (BibLaTeX, {:.0} MB)",
                    self.n100,
                    bytes as f64 / 1e6
                ),
                format!("{:.2} s; server peak {peak} (before the searches)", median(walls)),
                "—",
                "",
            );
            let (mut lat, mut busy) = concurrent_searches(port, &self.lib100, self.runs)?;
            lat.sort_by(f64::total_cmp);
            self.report.row(
                &format!(
                    "local API: 100 concurrent item.search at {} items ({} rounds)",
                    self.n100, self.runs
                ),
                format!(
                    "p50 {:.0} ms, p99 {:.0} ms; server peak {}",
                    percentile(&lat, 50.0),
                    percentile(&lat, 99.0),
                    peak_of(pid)
                ),
                "—",
                "",
            );
            idle.sort_by(f64::total_cmp);
            busy.sort_by(f64::total_cmp);
            self.report.row(
                "  app's first table page (100 rows) idle / during the 100 searches",
                format!(
                    "p50 {:.1} / {:.1} ms, p99 {:.1} / {:.1} ms ({} reads)",
                    percentile(&idle, 50.0),
                    percentile(&busy, 50.0),
                    percentile(&idle, 99.0),
                    percentile(&busy, 99.0),
                    busy.len()
                ),
                "p99 < 100 ms",
                if percentile(&busy, 99.0) < 100.0 {
                    "met"
                } else {
                    "MISSED"
                },
            );
            Ok(())
        })();
        let _ = child.kill();
        let _ = child.wait();
        result
    }

    /// The Markdown table, to `target/bench-report.md`.
    fn write_report(&self) -> Result<()> {
        let runs = self.runs;
        let mut md = String::from("# Folio benchmark report\n\n");
        let _ = writeln!(
            md,
            "Medians of {runs} runs (search: 10 rounds of 20 queries) on this machine; generated by `bash .ci/bench`.\n"
        );
        md.push_str("| measurement | figure | target | verdict |\n|---|---|---|---|\n");
        for (a, b, c, d) in &self.report.rows {
            let _ = writeln!(md, "| {a} | {b} | {c} | {d} |");
        }
        let out = self.target.join("bench-report.md");
        std::fs::write(&out, md)?;
        println!("\nwrote {}", out.display());
        Ok(())
    }
}

/// The peak memory (MB) a `FOLIO_TRACE` run of the CLI printed on stderr.
/// The app's first table page (100 rows by title), as its `list_page` command reads it: ms.
fn first_page_ms(lib: &Library) -> Result<f64> {
    let t = Instant::now();
    let by_title = Sort {
        column: SortColumn::Title,
        descending: false,
    };
    lib.list(&Filter::default(), by_title, 0, 100)?;
    Ok(ms(t.elapsed()))
}

/// `runs` rounds of 100 JSON-RPC `item.search` requests at once: each request's latency, and
/// the first table page's read time (as the app reads it) while they run.
fn concurrent_searches(port: u16, lib100: &Path, runs: usize) -> Result<(Vec<f64>, Vec<f64>)> {
    const TERMS: [&str; 10] = [
        "fish",
        "salmon",
        "trout",
        "smith",
        "growth",
        "ecology",
        "river 1990",
        "population",
        "ocean",
        "genetic",
    ];
    let mut lat = Vec::new();
    let mut busy = Vec::new();
    for round in 0..runs {
        let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
        let handles: Vec<_> = (0..100)
            .map(|i| {
                let body = format!(
                    r#"{{"jsonrpc":"2.0","method":"item.search","params":["{}"],"id":{i}}}"#,
                    TERMS[(i + round) % TERMS.len()]
                );
                std::thread::spawn(move || -> Result<f64> {
                    let t = Instant::now();
                    let (status, _) = http(port, "POST", "/better-bibtex/json-rpc", &body)?;
                    if status != 200 {
                        bail!("item.search answered {status}");
                    }
                    Ok(ms(t.elapsed()))
                })
            })
            .collect();
        let watcher = {
            let stop = stop.clone();
            let path = lib100.to_path_buf();
            std::thread::spawn(move || -> Result<Vec<f64>> {
                let lib = Library::open_read_only(&path)?;
                let mut v = Vec::new();
                loop {
                    v.push(first_page_ms(&lib)?);
                    if stop.load(std::sync::atomic::Ordering::Relaxed) {
                        return Ok(v);
                    }
                    std::thread::sleep(Duration::from_millis(20));
                }
            })
        };
        for h in handles {
            lat.push(h.join().map_err(|_| anyhow::anyhow!("request thread"))??);
        }
        stop.store(true, std::sync::atomic::Ordering::Relaxed);
        busy.extend(watcher.join().map_err(|_| anyhow::anyhow!("watcher thread"))??);
    }
    Ok((lat, busy))
}

/// A process's peak resident memory so far (Linux `VmHWM`).
fn peak_of(pid: u32) -> String {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM:"))
                .and_then(|l| l.split_whitespace().nth(1).and_then(|k| k.parse::<f64>().ok()))
        })
        .map_or("?".to_string(), |kb| format!("{:.0} MB", kb / 1024.0))
}

/// One HTTP/1.1 request to the local server: the status and the body.
fn http(port: u16, method: &str, path: &str, body: &str) -> Result<(u16, String)> {
    use std::io::{Read, Write};
    let mut s = std::net::TcpStream::connect(("127.0.0.1", port))?;
    write!(
        s,
        "{method} {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nConnection: close\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    )?;
    let mut raw = Vec::new();
    s.read_to_end(&mut raw)?;
    let text = String::from_utf8_lossy(&raw);
    let status = text.split(' ').nth(1).and_then(|c| c.parse().ok()).unwrap_or(0);
    let body = text.split_once("\r\n\r\n").map_or("", |(_, b)| b).to_string();
    Ok((status, body))
}

fn traced_peak(stderr: &str) -> Option<f64> {
    stderr.lines().find_map(|l| {
        l.strip_prefix("trace: peak memory: ")?
            .strip_suffix(" MB")?
            .parse::<f64>()
            .ok()
    })
}
