//! 4. Connection reuse (a count) and 5. end to end: typed `AllIssues` queries
//!    against the sandbox Portal (64 demo issues), the SDK beside raw reqwest.

use dcso_portal::operations::{all_issues, AllIssues};
use portal_sandbox::{demo, Sandbox};

use crate::clients::{drive, sdk, Batch, Raw};
use crate::sandbox;
use crate::stats::{micros, percentile, Spread};
use crate::{Report, RUNS};

const CALLS: usize = 1000;

type CallFuture = std::pin::Pin<Box<dyn std::future::Future<Output = ()> + Send>>;

fn sdk_call(client: &dcso_portal::Client) -> impl Fn() -> CallFuture + Clone + Send + 'static {
    let client = client.clone();
    move || {
        let client = client.clone();
        Box::pin(async move {
            std::hint::black_box(client.query::<AllIssues>(all_issues::Variables::default()).await.expect("SDK call"));
        })
    }
}

fn raw_call(raw: &Raw) -> impl Fn() -> CallFuture + Clone + Send + 'static {
    let raw = raw.clone();
    move || {
        let raw = raw.clone();
        Box::pin(async move {
            std::hint::black_box(raw.query::<AllIssues>(all_issues::Variables::default()).await);
        })
    }
}

pub async fn connection_reuse(report: &mut Report) {
    for (label, in_flight) in [("sequential", 1), ("64 in flight", 64)] {
        let mut counts = Vec::new();
        for who in ["sdk", "raw"] {
            let running = sandbox::start(Sandbox::builder());
            let url = running.sandbox.url();
            let batch = if who == "sdk" {
                drive(CALLS, in_flight, sdk_call(&sdk(&url, demo::MACHINE_TOKEN))).await
            } else {
                drive(CALLS, in_flight, raw_call(&Raw::new(&url, demo::MACHINE_TOKEN))).await
            };
            assert_eq!(batch.calls, CALLS);
            counts.push(running.sandbox.stats().connections());
        }
        report.row(
            &format!("connection reuse: TCP connections for {CALLS} calls, {label}"),
            counts[0].to_string(),
            counts[1].to_string(),
            String::new(),
            String::new(),
        );
    }
}

pub async fn run(report: &mut Report) {
    let running = sandbox::start(Sandbox::builder());
    let url = running.sandbox.url();
    let client = sdk(&url, demo::MACHINE_TOKEN);
    let raw = Raw::new(&url, demo::MACHINE_TOKEN);
    let issues = client.query::<AllIssues>(Default::default()).await.expect("SDK call").tdh_all_issues.len();
    report.note(format!("End to end: the sandbox serves {issues} demo issues per `AllIssues` answer."));

    for (label, in_flight) in [("sequential", 1), ("64 in flight", 64)] {
        drive(CALLS / 5, in_flight, sdk_call(&client)).await;
        drive(CALLS / 5, in_flight, raw_call(&raw)).await;
        let (mut sdk_runs, mut raw_runs) = (Vec::new(), Vec::new());
        for run in 0..*RUNS {
            if run % 2 == 0 {
                sdk_runs.push(drive(CALLS, in_flight, sdk_call(&client)).await);
                raw_runs.push(drive(CALLS, in_flight, raw_call(&raw)).await);
            } else {
                raw_runs.push(drive(CALLS, in_flight, raw_call(&raw)).await);
                sdk_runs.push(drive(CALLS, in_flight, sdk_call(&client)).await);
            }
        }
        let rps = |runs: &[Batch]| Spread::of(&runs.iter().map(Batch::per_second).collect::<Vec<_>>());
        let pct = |runs: &[Batch], p: f64| {
            Spread::of(&runs.iter().map(|b| micros(percentile(&b.latencies, p)) / 1000.0).collect::<Vec<_>>())
        };
        let ratio: Vec<f64> = sdk_runs.iter().zip(&raw_runs).map(|(s, r)| s.per_second() / r.per_second()).collect();
        report.row(
            &format!("end to end: {CALLS} calls, {label} — requests/s"),
            rps(&sdk_runs).show(0),
            rps(&raw_runs).show(0),
            format!("{} (SDK/raw req/s)", Spread::of(&ratio).show(3)),
            String::new(),
        );
        let cpu =
            |runs: &[Batch]| Spread::of(&runs.iter().map(|b| b.cpu_per_call().as_secs_f64() * 1e6).collect::<Vec<_>>());
        let cpu_ratio: Vec<f64> = sdk_runs
            .iter()
            .zip(&raw_runs)
            .map(|(s, r)| s.cpu_per_call().as_secs_f64() / r.cpu_per_call().as_secs_f64())
            .collect();
        report.row(
            &format!("end to end: {CALLS} calls, {label} — client CPU µs/call"),
            cpu(&sdk_runs).show(1),
            cpu(&raw_runs).show(1),
            Spread::of(&cpu_ratio).show(3),
            String::new(),
        );
        for p in [50.0, 99.0] {
            report.row(
                &format!("end to end: {CALLS} calls, {label} — p{p} latency (ms)"),
                pct(&sdk_runs, p).show(2),
                pct(&raw_runs, p).show(2),
                String::new(),
                String::new(),
            );
        }
    }
}
