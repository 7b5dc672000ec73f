//! The same as `exec_graphql`, through the typed API: every TDH issue, then one
//! issue with its affected assets, plus a filtered list. Fields are Rust fields
//! (checked when this compiles), ids are `Uuid`s, times `DateTime`s, and severity,
//! status and category are enums.
//!
//! ```sh
//! cargo run --example typed_issues                 # against an in-process sandbox Portal
//! DCSO_PORTAL_URL=https://portal.example.com/graphql DCSO_PORTAL_TOKEN=<machine token> \
//!     cargo run --example typed_issues [ISSUE-UUID]
//! ```

use std::error::Error;
use std::process::ExitCode;

use dcso_portal::tdh::{Severity, Status};
use uuid::Uuid;

mod common;

fn main() -> ExitCode {
    common::run(|b| b, run)
}

async fn run(portal: common::Portal) -> Result<(), Box<dyn Error>> {
    let client = &portal.client;

    // All the TDH issues available to us, newest first.
    let issues = client.tdh().issues().send().await?;
    println!("{} issues:", issues.len());
    for issue in &issues {
        println!("  {} {} {:<8} {:<11} {}", issue.id, issue.reference, issue.severity, issue.status, issue.title);
    }

    // One issue by its UUID: the one given on the command line, or the first listed.
    let id: Uuid = match std::env::args().nth(1) {
        Some(id) => id.parse()?,
        None => issues.first().ok_or("no issue to look at")?.id,
    };
    match client.tdh().issue(id).await? {
        None => println!("no issue {id}"),
        Some(issue) => {
            println!("issue {id}: {} (created {}, {})", issue.title, issue.created_on, issue.category);
            for asset in &issue.affected_assets {
                println!(
                    "        {:<15} {:<28} {}",
                    asset.ip,
                    asset.hostname.as_deref().unwrap_or("-"),
                    asset.operating_system.as_deref().unwrap_or("-")
                );
            }
        }
    }

    // Filters run on the Portal: the urgent ones still open.
    let urgent = client
        .tdh()
        .issues()
        .severities([Severity::High, Severity::Critical])
        .statuses([Status::Open, Status::InProgress])
        .send()
        .await?;
    println!("{} open or in-progress issues are high or critical:", urgent.len());
    for issue in &urgent {
        println!("  {} [{}] {}", issue.reference, issue.severity, issue.title);
    }
    Ok(())
}
