//! 3. Pagination memory: every alert of a sandbox holding 10 000 or 100 000
//!    alerts, through `client.alerts().stream(page_size)`; the peak of the
//!    client thread's live heap above its baseline, against one page's size.

use std::time::Instant;

use dcso_portal::operations::{alerts_page, AlertsPage};
use dcso_portal::Cursor;
use futures_util::TryStreamExt as _;
use portal_sandbox::{demo, Sandbox};

use crate::clients::{sdk, Raw};
use crate::stats::Spread;
use crate::{alloc, sandbox, Report, RUNS};

pub async fn run(report: &mut Report) {
    for total in [10_000, 100_000] {
        let running = sandbox::start(Sandbox::builder().alerts(total));
        let url = running.sandbox.url();
        for page_size in [100u32, 500] {
            let client = sdk(&url, demo::MACHINE_TOKEN);
            // One page as it travels (the JSON answer) and as it is held (decoded).
            // (Fetched by the raw client, which also warms its connection.)
            let raw = Raw::new(&url, demo::MACHINE_TOKEN);
            let first_page = alerts_page::Variables { first: Some(page_size.into()), after: Some(Cursor::start()) };
            let json = raw.answer::<AlertsPage>(first_page).await.len() as f64;
            // Warm the client's connection so the baseline holds it.
            let mut warm = client.alerts().pages(page_size);
            warm.try_next().await.expect("a first page");
            drop(warm);
            let before = alloc::snapshot().live;
            let mut pages = client.alerts().pages(page_size);
            let page = pages.try_next().await.expect("a first page").expect("not empty");
            let held = (alloc::snapshot().live - before) as f64;
            drop((page, pages));

            let (mut sdk_above, mut raw_above, mut rates) = (Vec::new(), Vec::new(), Vec::new());
            for run in 0..*RUNS {
                let sdk_run = || async {
                    let baseline = alloc::snapshot().live;
                    alloc::reset_peak();
                    let started = Instant::now();
                    let mut alerts = client.alerts().stream(page_size);
                    let mut seen = 0usize;
                    while let Some(alert) = alerts.try_next().await.expect("the stream goes on") {
                        seen += 1;
                        std::hint::black_box(alert);
                    }
                    drop(alerts);
                    assert_eq!(seen, total, "the stream yields every alert once");
                    ((alloc::peak() - baseline) as f64, seen as f64 / started.elapsed().as_secs_f64())
                };
                let raw_run = || async {
                    let baseline = alloc::snapshot().live;
                    alloc::reset_peak();
                    let seen = raw_pages(&raw, page_size).await;
                    assert_eq!(seen, total, "every alert once");
                    (alloc::peak() - baseline) as f64
                };
                let ((above, rate), raw) = if run % 2 == 0 {
                    let sdk = sdk_run().await;
                    (sdk, raw_run().await)
                } else {
                    let raw = raw_run().await;
                    (sdk_run().await, raw)
                };
                sdk_above.push(above);
                rates.push(rate);
                raw_above.push(raw);
            }
            let ratio: Vec<f64> = sdk_above.iter().zip(&raw_above).map(|(s, r)| s / r).collect();
            let kib = |v: &[f64]| Spread::of(&v.iter().map(|b| b / 1024.0).collect::<Vec<_>>()).show(0);
            report.row(
                &format!("pagination: {total} alerts, page size {page_size} — peak heap above baseline (KiB)"),
                kib(&sdk_above),
                kib(&raw_above),
                Spread::of(&ratio).show(2),
                format!(
                    "one page: {:.0} KiB JSON, {:.0} KiB decoded; SDK peak = {:.2}x the JSON page, {:.2}x JSON + decoded; {} alerts/s",
                    json / 1024.0,
                    held / 1024.0,
                    Spread::of(&sdk_above).median / json,
                    Spread::of(&sdk_above).median / (json + held),
                    Spread::of(&rates).show(0)
                ),
            );
        }
    }
}

/// The practical limit: the same pages fetched by hand with raw reqwest and
/// serde_json, each alert dropped as soon as it is seen.
async fn raw_pages(raw: &Raw, page_size: u32) -> usize {
    let mut after = Cursor::start();
    let mut seen = 0;
    loop {
        let variables = alerts_page::Variables { first: Some(i64::from(page_size)), after: Some(after) };
        let connection = raw.query::<AlertsPage>(variables).await.alerts;
        for edge in connection.edges {
            seen += 1;
            std::hint::black_box(edge.node);
        }
        if !connection.page_info.has_next_page {
            return seen;
        }
        after = connection.page_info.end_cursor.expect("a next page has a cursor");
    }
}
