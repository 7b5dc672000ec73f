//! The SDK's performance against the practical limit, in one run:
//!
//! ```text
//! cargo bench --bench portal                 # everything
//! cargo bench --bench portal -- overhead     # only sections whose name contains "overhead"
//! cargo bench --bench portal -- "overhead: 1-issue answer, 64"   # one figure
//! PORTAL_BENCH_RUNS=3 cargo bench --bench portal
//! ```
//!
//! Sections: `overhead`, `decode`, `pagination`, `reuse`, `end_to_end`. Every
//! figure is the median (min–max) of `PORTAL_BENCH_RUNS` runs (default 5); SDK
//! and baseline alternate within each run and every ratio pairs figures from the
//! same run. The client runs on this thread (a current-thread runtime); the
//! servers run on their own threads, and only this thread's allocations are
//! counted. `instructions` is a fixed workload for valgrind, not a figure (see
//! `instructions.rs`). See BENCHMARKS.md for the method and the figures.

mod alloc;
mod canned;
mod clients;
mod decode;
mod end_to_end;
mod instructions;
mod overhead;
mod pagination;
mod sandbox;
mod stats;

use clients::Batch;
use stats::Spread;

#[global_allocator]
static GLOBAL: alloc::Counting = alloc::Counting;

/// Runs per figure.
static RUNS: std::sync::LazyLock<usize> = std::sync::LazyLock::new(|| {
    std::env::var("PORTAL_BENCH_RUNS").ok().and_then(|v| v.parse().ok()).filter(|&n| n > 0).unwrap_or(5)
});

/// The markdown table the run prints at the end.
pub struct Report {
    rows: Vec<String>,
    notes: Vec<String>,
}

impl Report {
    pub fn row(&mut self, measure: &str, sdk: String, baseline: String, ratio: String, notes: String) {
        let line = format!("| {measure} | {sdk} | {baseline} | {ratio} | {notes} |");
        eprintln!("{line}");
        self.rows.push(line);
    }

    pub fn note(&mut self, note: String) {
        eprintln!("{note}");
        self.notes.push(note);
    }

    /// A per-call comparison of the SDK with raw reqwest from the same runs: the
    /// wall time per call, and the client thread's CPU time per call.
    pub fn comparison(&mut self, label: &str, calls: usize, sdk: &[Batch], raw: &[Batch]) {
        let spread = |runs: &[Batch], f: &dyn Fn(&Batch) -> f64| Spread::of(&runs.iter().map(f).collect::<Vec<_>>());
        let ratio =
            |f: &dyn Fn(&Batch) -> f64| Spread::of(&sdk.iter().zip(raw).map(|(s, r)| f(s) / f(r)).collect::<Vec<_>>());
        let wall = |b: &Batch| b.per_call().as_secs_f64() * 1e6;
        let cpu = |b: &Batch| b.cpu_per_call().as_secs_f64() * 1e6;
        let allocations = |b: &Batch| b.allocations_per_call;
        let kib = |b: &Batch| b.bytes_per_call / 1024.0;
        self.row(
            &format!("{label}: wall µs/call ({calls} calls)"),
            spread(sdk, &wall).show(1),
            spread(raw, &wall).show(1),
            ratio(&wall).show(3),
            String::new(),
        );
        self.row(
            &format!("{label}: client CPU µs/call"),
            spread(sdk, &cpu).show(1),
            spread(raw, &cpu).show(1),
            ratio(&cpu).show(3),
            format!(
                "allocations/call {:.0} vs {:.0}; KiB allocated/call {:.1} vs {:.1}",
                spread(sdk, &allocations).median,
                spread(raw, &allocations).median,
                spread(sdk, &kib).median,
                spread(raw, &kib).median
            ),
        );
    }
}

fn machine() -> String {
    let cores = std::thread::available_parallelism().map(|n| n.get()).unwrap_or(0);
    let memory = std::fs::read_to_string("/proc/meminfo")
        .ok()
        .and_then(|m| m.lines().find(|l| l.starts_with("MemTotal:")).map(|l| l.to_owned()))
        .and_then(|l| l.split_whitespace().nth(1).and_then(|kb| kb.parse::<f64>().ok()))
        .map(|kb| format!("{:.1} GiB", kb / 1024.0 / 1024.0))
        .unwrap_or_else(|| "unknown".to_owned());
    format!("{cores} cores, {memory} memory, {} {}", std::env::consts::OS, std::env::consts::ARCH)
}

/// Arguments other than `cargo bench`'s own `--bench`: a section runs when its
/// name contains one of them (or when there are none); `overhead: <label>` picks
/// one figure of that section.
static FILTERS: std::sync::LazyLock<Vec<String>> =
    std::sync::LazyLock::new(|| std::env::args().skip(1).filter(|a| !a.starts_with("--")).collect());

pub fn wanted(name: &str) -> bool {
    FILTERS.is_empty() || FILTERS.iter().any(|f| name.contains(f.as_str()))
}

fn main() {
    let mut report = Report { rows: Vec::new(), notes: Vec::new() };
    report.note(format!("Machine: {}; {} runs per figure.", machine(), *RUNS));

    alloc::count_this_thread();
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("a client runtime");
    if FILTERS.first().map(String::as_str) == Some("instructions") {
        return runtime.block_on(instructions::run(&FILTERS[1..]));
    }
    runtime.block_on(async {
        if wanted("overhead") || FILTERS.iter().any(|f| f.starts_with("overhead")) {
            overhead::run(&mut report).await;
        }
        if wanted("decode") {
            decode::run(&mut report);
        }
        if wanted("pagination") {
            pagination::run(&mut report).await;
        }
        if wanted("reuse") {
            end_to_end::connection_reuse(&mut report).await;
        }
        if wanted("end_to_end") {
            end_to_end::run(&mut report).await;
        }
    });

    println!();
    for note in &report.notes {
        println!("{note}  ");
    }
    println!();
    println!("| measure | SDK | baseline (raw reqwest + serde_json) | ratio | notes |");
    println!("|---|---|---|---|---|");
    for row in &report.rows {
        println!("{row}");
    }
}
