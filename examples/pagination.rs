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

use dcso_portal::{Client, ENV_TOKEN, ENV_URL};
use futures_util::TryStreamExt as _;
use portal_sandbox::{demo, Sandbox};

fn main() -> ExitCode {
    match setup_and_run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("error: {error}");
            ExitCode::FAILURE
        }
    }
}

fn setup_and_run() -> Result<(), Box<dyn Error>> {
    let use_sandbox = std::env::var_os(ENV_URL).is_none();
    if use_sandbox {
        // Set before the runtime starts any thread, as a user would export theirs.
        std::env::set_var(ENV_TOKEN, demo::MACHINE_TOKEN);
    } else if std::env::var_os(ENV_TOKEN).is_none() {
        return Err(format!("{ENV_URL} is set: also set {ENV_TOKEN} to a machine token").into());
    }
    tokio::runtime::Runtime::new()?.block_on(run(use_sandbox))
}

async fn run(use_sandbox: bool) -> Result<(), Box<dyn Error>> {
    let page_size: u32 = match std::env::args().nth(1) {
        Some(n) => n.parse().map_err(|e| format!("PAGE-SIZE {n:?}: {e}"))?,
        None => 50,
    };
    // A larger sandbox than the default, so that paging shows.
    let sandbox = if use_sandbox { Some(Sandbox::builder().alerts(2_500).start().await?) } else { None };
    let url = match &sandbox {
        Some(sandbox) => sandbox.url(),
        None => std::env::var(ENV_URL)?,
    };
    // The token is read from DCSO_PORTAL_TOKEN.
    let client = Client::new(url)?;
    println!("Portal: {}", client.endpoint());

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
