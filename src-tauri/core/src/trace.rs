//! Phase timings on stderr when `FOLIO_TRACE` is set: imports and exports print them, the
//! benchmarks read them.

/// The CPU seconds this thread used, on stderr when `FOLIO_TRACE` is set (Linux).
pub(crate) fn thread(name: &str) {
    if std::env::var_os("FOLIO_TRACE").is_none() {
        return;
    }
    if let Some(cpu) = std::fs::read_to_string("/proc/thread-self/stat").ok().and_then(|s| {
        let f: Vec<&str> = s.rsplit(')').next()?.split_whitespace().collect();
        Some((f.get(11)?.parse::<f64>().ok()? + f.get(12)?.parse::<f64>().ok()?) / 100.0)
    }) {
        eprintln!("trace: {name} thread: {cpu:.2} s cpu");
    }
}

/// Phase timings on stderr when `FOLIO_TRACE` is set (used by the benchmarks).
pub(crate) struct Trace(Option<std::cell::Cell<std::time::Instant>>);

impl Trace {
    pub(crate) fn new() -> Trace {
        Trace(std::env::var_os("FOLIO_TRACE").map(|_| std::cell::Cell::new(std::time::Instant::now())))
    }
    pub(crate) fn mark(&self, phase: &str) {
        if let Some(t) = &self.0 {
            // CPU seconds of this process so far (Linux), next to the wall time of the phase.
            let cpu = std::fs::read_to_string("/proc/self/stat")
                .ok()
                .and_then(|s| {
                    let f: Vec<&str> = s.rsplit(')').next()?.split_whitespace().collect();
                    Some((f.get(11)?.parse::<f64>().ok()? + f.get(12)?.parse::<f64>().ok()?) / 100.0)
                })
                .unwrap_or(f64::NAN);
            let rss = std::fs::read_to_string("/proc/self/status")
                .ok()
                .and_then(|s| {
                    let l = s.lines().find(|l| l.starts_with("VmRSS:"))?;
                    l.split_whitespace().nth(1)?.parse::<f64>().ok()
                })
                .map_or(f64::NAN, |kb| kb / 1024.0);
            eprintln!(
                "trace: {phase}: {:.3} s wall, {cpu:.2} s cpu total, {rss:.0} MB resident",
                t.get().elapsed().as_secs_f64()
            );
            t.set(std::time::Instant::now());
        }
    }
}
