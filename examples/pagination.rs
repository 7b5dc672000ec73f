//! Every alert, streamed page by page with a progress line: the reference SDK's
//! cursor loop (`alerts(first: N, after: $cursor) { ... pageInfo { hasNextPage
//! endCursor } }`, repeated while `hasNextPage`) as one `Stream`.
//!
//! ```sh
//! cargo run --example pagination [PAGE-SIZE]       # against an in-process sandbox Portal
//! DCSO_PORTAL_URL=https://portal.example.com/graphql DCSO_PORTAL_TOKEN=<machine token> \
//!     cargo run --example pagination [PAGE-SIZE]
//! ```
//!
//! The stream asks for the next page only when the previous one has been consumed,
//! holds one page at a time, and stops at the first error.

use std::collections::BTreeMap;
use std::error::Error;
use std::io::{IsTerminal as _, Write as _};
use std::process::ExitCode;

use futures_util::TryStreamExt as _;

mod common;

fn main() -> ExitCode {
    common::run(|b| b.alerts(2_500), run)
}

async fn run(portal: common::Portal) -> Result<(), Box<dyn Error>> {
    let page_size: u32 = match std::env::args().nth(1) {
        Some(n) => n.parse().map_err(|e| format!("PAGE-SIZE {n:?}: {e}"))?,
        None => 50,
    };
    let client = &portal.client;

    let mut alerts = client.alerts().stream(page_size);
    let per_page = page_size as usize;
    let mut count = 0usize;
    let mut by_severity = BTreeMap::new();
    let (mut first, mut last) = (None, None);
    let mut stderr = std::io::stderr();
    // On a terminal the progress line is rewritten in place; elsewhere, one line per page.
    let (start, end) = if stderr.is_terminal() { ("\r", "") } else { ("", "\n") };
    while let Some(alert) = alerts.try_next().await? {
        count += 1;
        *by_severity.entry(alert.severity.to_string()).or_insert(0usize) += 1;
        first.get_or_insert(alert.occurred_on);
        last = Some(alert.occurred_on);
        if count.is_multiple_of(per_page) {
            let page = count / per_page;
            let _ = write!(stderr, "{start}{count} alerts, page {page}, up to {}{end}", alert.occurred_on);
            let _ = stderr.flush();
        }
    }
    let _ = writeln!(stderr, "{start}{count} alerts in {} pages{:30}", count.div_ceil(per_page), "");

    match (first, last) {
        (Some(first), Some(last)) => println!("{count} alerts from {first} to {last}"),
        _ => println!("no alerts"),
    }
    for (severity, n) in by_severity {
        println!("  {severity:<8} {n}");
    }
    Ok(())
}
