//! The main job, end to end: sign in, see who you are, list TDH issues through the
//! typed API, show one issue with its affected assets, and page through alerts.
//!
//! ```sh
//! cargo run --example quickstart
//! ```
//!
//! With no environment it starts the bundled sandbox Portal in-process and signs in
//! as its demo user `alice`: no network, no credentials. To run it against a real
//! Portal, set `DCSO_PORTAL_URL` to its GraphQL endpoint and `DCSO_PORTAL_TOKEN` to a
//! machine token (or a user token from `cargo run --example login`).

use std::collections::BTreeMap;
use std::error::Error;

use dcso_portal::{Client, ENV_TOKEN, ENV_URL};
use futures_util::{StreamExt as _, TryStreamExt as _};
use portal_sandbox::{demo, Sandbox};

/// How many alerts the quickstart pages through.
const ALERTS_SHOWN: usize = 120;
/// Alerts per page: small, so that the paging shows.
const PAGE_SIZE: u32 = 50;

#[tokio::main]
async fn main() -> Result<(), Box<dyn Error>> {
    // Keep the sandbox alive until the end: dropping it stops the server.
    let (client, _sandbox) = match std::env::var(ENV_URL) {
        Ok(url) if !url.trim().is_empty() => {
            let client = Client::new(url)?;
            if client.token().is_none() {
                return Err(format!("{ENV_URL} is set: also set {ENV_TOKEN} to a machine or user token").into());
            }
            (client, None)
        }
        _ => {
            let sandbox = Sandbox::start().await?;
            println!("Started the sandbox Portal at {}", sandbox.url());
            let client = Client::builder(sandbox.url()).token_from_env(false).build()?;
            let signed_in = client.auth().authenticate(demo::ALICE, demo::PASSWORD).await?;
            println!("Signed in as {} ({})", signed_in.username(), signed_in.token());
            (client, Some(sandbox))
        }
    };

    section("Who am I");
    let me = client.current_user().await?;
    let permissions = client.permissions().send().await?;
    println!("user          {}", me.username());
    println!("organization  {} ({})", me.organization().name(), me.organization().short_code());
    println!("permissions   {}", permissions.iter().map(|p| p.slug()).collect::<Vec<_>>().join(", "));
    println!("coordinator   {}", if permissions.is_tdh_coordinator() { "yes" } else { "no" });

    section("TDH issues");
    let issues = client.tdh().issues().send().await?;
    let mut by_severity = BTreeMap::new();
    for issue in &issues {
        *by_severity.entry(issue.severity.to_string()).or_insert(0) += 1;
    }
    println!(
        "{} issues: {}",
        issues.len(),
        by_severity.iter().map(|(severity, n)| format!("{n} {severity}")).collect::<Vec<_>>().join(", ")
    );
    println!("{:<15} {:<9} {:<12} title", "reference", "severity", "status");
    for issue in issues.iter().take(10) {
        println!("{:<15} {:<9} {:<12} {}", issue.reference, issue.severity, issue.status, issue.title);
    }
    if issues.len() > 10 {
        println!("... and {} more", issues.len() - 10);
    }

    if let Some(first) = issues.first() {
        section("One issue, by id");
        match client.tdh().issue(first.id).await? {
            Some(issue) => {
                println!("{} {}", issue.reference, issue.title);
                println!("  id        {}", issue.id);
                println!("  severity  {}   status {}   category {}", issue.severity, issue.status, issue.category);
                println!("  created   {}   updated {}", issue.created_on, issue.updated_on);
                if let Some(description) = &issue.description {
                    println!("  {description}");
                }
                println!("  affected assets:");
                for asset in &issue.affected_assets {
                    println!(
                        "    {:<16} {:<28} {}",
                        asset.ip,
                        asset.hostname.as_deref().unwrap_or("-"),
                        asset.operating_system.as_deref().unwrap_or("")
                    );
                }
            }
            None => println!("issue {} is gone", first.id),
        }
    }

    section("Alerts, page by page");
    let alerts: Vec<_> = client.alerts().stream(PAGE_SIZE).take(ALERTS_SHOWN).try_collect().await?;
    let pages = alerts.len().div_ceil(PAGE_SIZE as usize);
    println!("read {} alerts in {pages} pages of up to {PAGE_SIZE}", alerts.len());
    for alert in alerts.iter().take(5) {
        println!("  {}  {:<8} {}", alert.occurred_on, alert.severity, alert.title);
    }
    if let Some(last) = alerts.last() {
        println!("  ...\n  {}  {:<8} {}", last.occurred_on, last.severity, last.title);
    }
    Ok(())
}

fn section(title: &str) {
    println!("\n== {title}");
}
