//! 1. Per-request overhead: the SDK's typed `AllIssues` against raw reqwest +
//!    serde_json, same request, same generated type, same canned answer; and the
//!    5 MB answer of the decode figure through the whole call, to see what the
//!    transport adds to it.

use dcso_portal::operations::{all_issues, AllIssues};

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
        ("large", "5 MB answer (10 000 issues), sequential", 20, 1),
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
        let raw_call = {
            let raw = raw.clone();
            move || {
                let raw = raw.clone();
                async move {
                    std::hint::black_box(raw.query::<AllIssues>(all_issues::Variables::default()).await);
                }
            }
        };
        // Warm up connections, caches and the allocator.
        drive((calls / 5).max(3), in_flight, sdk_call.clone()).await;
        drive((calls / 5).max(3), in_flight, raw_call.clone()).await;

        let (mut sdk_runs, mut raw_runs) = (Vec::new(), Vec::new());
        let slices = SLICES.min(calls);
        for _ in 0..*RUNS {
            // Each run is made of slices, SDK and raw taking turns at going first, so
            // that drift in the machine's load hits both alike.
            let (mut sdk_slices, mut raw_slices) = (Vec::new(), Vec::new());
            for slice in 0..slices {
                if slice % 2 == 0 {
                    sdk_slices.push(drive(calls / slices, in_flight, sdk_call.clone()).await);
                    raw_slices.push(drive(calls / slices, in_flight, raw_call.clone()).await);
                } else {
                    raw_slices.push(drive(calls / slices, in_flight, raw_call.clone()).await);
                    sdk_slices.push(drive(calls / slices, in_flight, sdk_call.clone()).await);
                }
            }
            sdk_runs.push(Batch::merge(sdk_slices));
            raw_runs.push(Batch::merge(raw_slices));
        }
        report.comparison(&format!("overhead: {label}"), calls, &sdk_runs, &raw_runs);
    }
}
