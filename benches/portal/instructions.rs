//! Not a figure of its own: a fixed workload for counting instructions, run
//! under valgrind when wall and CPU times are too noisy to show a change of a
//! few hundred instructions per call (see BENCHMARKS.md):
//!
//! ```text
//! valgrind --tool=callgrind target/release/deps/portal-<hash> instructions sdk 1500 [issues] [in flight]
//! ```
//!
//! runs 300 warm-up calls then 1500 typed `AllIssues` calls through the SDK
//! (`raw`: through raw reqwest + serde_json; `raw-timeout`: the same with a
//! per-request timeout) against the canned-answer server.
//! The difference between two call counts, divided by the difference in calls,
//! is the cost of one call; SDK minus raw is what the SDK adds.

use dcso_portal::operations::{all_issues, AllIssues};

use crate::canned::{all_issues_answer, CannedServer};
use crate::clients::{drive, sdk, Raw};

const TOKEN: &str = "bench-machine-token-0123456789abcdef";

pub async fn run(args: &[String]) {
    let usage = "instructions sdk|raw|raw-timeout <calls> [issues per answer, 1] [in flight, 1]";
    let side = args.first().expect(usage).as_str();
    let number = |i: usize, default: usize| args.get(i).map_or(default, |v| v.parse().expect(usage));
    let (calls, issues, in_flight) = (number(1, 1000), number(2, 1), number(3, 1));
    let server = CannedServer::start(vec![("answer", all_issues_answer(issues))]);
    let url = server.url("answer");
    match side {
        "sdk" => {
            let client = sdk(&url, TOKEN);
            drive(300 + calls, in_flight, move || {
                let client = client.clone();
                async move {
                    let data = client.query::<AllIssues>(all_issues::Variables::default()).await.expect("SDK call");
                    std::hint::black_box(data);
                }
            })
            .await
        }
        "raw" | "raw-timeout" => {
            let raw = match side {
                "raw" => Raw::new(&url, TOKEN),
                _ => Raw::with_timeout(&url, TOKEN, dcso_portal::DEFAULT_ATTEMPT_TIMEOUT),
            };
            drive(300 + calls, in_flight, move || {
                let raw = raw.clone();
                async move {
                    std::hint::black_box(raw.query::<AllIssues>(all_issues::Variables::default()).await);
                }
            })
            .await
        }
        _ => panic!("usage: {usage}"),
    };
}
