//! 1. Per-request overhead: the SDK's typed `AllIssues` against raw reqwest +
//!    serde_json, same request, same generated type, same canned answer; and the
//!    6 MB answer of the decode figure through the whole call, to see what the
//!    transport adds to it.

use std::future::Future;

use dcso_portal::operations::{all_issues, AllIssues};
use dcso_portal::DEFAULT_ATTEMPT_TIMEOUT;

use crate::canned::{all_issues_answer, CannedServer};
use crate::clients::{drive, sdk, Batch, Raw};
use crate::{Report, RUNS};

/// Turns SDK and raw take within one run.
const SLICES: usize = 10;

const TOKEN: &str = "bench-machine-token-0123456789abcdef";

pub async fn run(report: &mut Report) {
    let small = all_issues_answer(1);
    let page = all_issues_answer(64);
    let large = all_issues_answer(10_000);
    report.note(format!(
        "Canned answers: 1 issue = {} B, 64 issues = {} B, 10 000 issues = {:.2} MB.",
        small.len(),
        page.len(),
        large.len() as f64 / 1e6
    ));
    let server = CannedServer::start(vec![
        ("small-sdk", small.clone()),
        ("small-raw", small),
        ("page-sdk", page.clone()),
        ("page-raw", page),
        ("large-sdk", large.clone()),
        ("large-raw", large),
    ]);

    for (name, label, calls, in_flight) in [
        ("small", "1-issue answer, sequential", 5_000, 1),
        ("small", "1-issue answer, 64 in flight", 20_000, 64),
        ("page", "64-issue answer, sequential", 2_000, 1),
        ("page", "64-issue answer, 64 in flight", 5_000, 64),
        ("large", "6 MB answer (10 000 issues), sequential", 20, 1),
    ] {
        if !crate::wanted(&format!("overhead: {label}")) {
            continue;
        }
        let client = sdk(&server.url(&format!("{name}-sdk")), TOKEN);
        let raw = Raw::new(&server.url(&format!("{name}-raw")), TOKEN);

        // Same data out, same request in: otherwise the comparison means nothing.
        let a = client.query::<AllIssues>(all_issues::Variables::default()).await.expect("the SDK call succeeds");
        let b = raw.query::<AllIssues>(all_issues::Variables::default()).await;
        assert!(a == b, "the SDK and raw reqwest decode different data");
        let (sdk_seen, raw_seen) =
            (server.first(&format!("{name}-sdk")).expect("seen"), server.first(&format!("{name}-raw")).expect("seen"));
        assert_eq!(sdk_seen.body, raw_seen.body, "the request bodies differ");
        assert_eq!(sdk_seen.headers, raw_seen.headers, "the request headers differ");

        let sdk_call = {
            let client = client.clone();
            move || {
                let client = client.clone();
                async move {
                    let data = client.query::<AllIssues>(all_issues::Variables::default()).await.expect("SDK call");
                    std::hint::black_box(data);
                }
            }
        };
        let (sdk_runs, raw_runs) = compare(calls, in_flight, sdk_call.clone(), raw_call(raw)).await;
        report.comparison(&format!("overhead: {label}"), calls, &sdk_runs, &raw_runs);
        if name == "small" {
            // Most of what the SDK adds to a tiny answer is its attempt timer: against a
            // baseline that also bounds each request in time, it shows.
            let timed = Raw::with_timeout(&server.url("small-raw"), TOKEN, DEFAULT_ATTEMPT_TIMEOUT);
            let (sdk_runs, raw_runs) = compare(calls, in_flight, sdk_call, raw_call(timed)).await;
            report.comparison(
                &format!("overhead: {label}, baseline with a 30 s request timeout"),
                calls,
                &sdk_runs,
                &raw_runs,
            );
        }
    }
}

fn raw_call(raw: Raw) -> impl Fn() -> std::pin::Pin<Box<dyn Future<Output = ()> + Send>> + Clone + Send + 'static {
    move || {
        let raw = raw.clone();
        Box::pin(async move {
            std::hint::black_box(raw.query::<AllIssues>(all_issues::Variables::default()).await);
        })
    }
}

/// Runs `calls` calls of each, `RUNS` times, after a warm-up; each run is made of
/// slices with the two taking turns at going first, so that drift in the
/// machine's load hits both alike.
async fn compare<A, AF, B, BF>(calls: usize, in_flight: usize, a: A, b: B) -> (Vec<Batch>, Vec<Batch>)
where
    A: Fn() -> AF + Clone + Send + 'static,
    AF: Future<Output = ()> + Send,
    B: Fn() -> BF + Clone + Send + 'static,
    BF: Future<Output = ()> + Send,
{
    drive((calls / 5).max(3), in_flight, a.clone()).await;
    drive((calls / 5).max(3), in_flight, b.clone()).await;
    let (mut a_runs, mut b_runs) = (Vec::new(), Vec::new());
    let slices = SLICES.min(calls);
    for _ in 0..*RUNS {
        let (mut a_slices, mut b_slices) = (Vec::new(), Vec::new());
        for slice in 0..slices {
            if slice % 2 == 0 {
                a_slices.push(drive(calls / slices, in_flight, a.clone()).await);
                b_slices.push(drive(calls / slices, in_flight, b.clone()).await);
            } else {
                b_slices.push(drive(calls / slices, in_flight, b.clone()).await);
                a_slices.push(drive(calls / slices, in_flight, a.clone()).await);
            }
        }
        a_runs.push(Batch::merge(a_slices));
        b_runs.push(Batch::merge(b_slices));
    }
    (a_runs, b_runs)
}
