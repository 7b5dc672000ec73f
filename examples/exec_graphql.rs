//! The reference SDK's two documented queries, through the escape hatch
//! `execute_graphql`: every TDH issue (`id`, `reference`), then one issue's title
//! and the IP addresses of its affected assets. Compare `typed_issues`, which does
//! the same through the typed API.
//!
//! ```sh
//! cargo run --example exec_graphql                 # against an in-process sandbox Portal
//! DCSO_PORTAL_URL=https://portal.example.com/graphql DCSO_PORTAL_TOKEN=<machine token> \
//!     cargo run --example exec_graphql [ISSUE-UUID]
//! ```
//!
//! As in the reference, the token comes from the environment (`DCSO_PORTAL_TOKEN`);
//! for the sandbox the example sets it to the sandbox's demo machine token.

use std::error::Error;
use std::process::ExitCode;

use serde_json::json;

mod common;

fn main() -> ExitCode {
    common::run(|b| b, run)
}

async fn run(portal: common::Portal) -> Result<(), Box<dyn Error>> {
    let client = &portal.client;

    // All the TDH issues available to us. The answer's `data` is JSON: fields are
    // looked up by name at run time, and a typo is only found then.
    let result = client.execute_graphql("{ tdh_allIssues { id reference } }", None, &[]).await?;
    let issues = result["tdh_allIssues"].as_array().ok_or("the answer has no tdh_allIssues list")?;
    println!("{} issues:", issues.len());
    for issue in issues {
        println!("  {} {}", issue["id"].as_str().unwrap_or("?"), issue["reference"].as_str().unwrap_or("?"));
    }

    // One issue by its UUID: the one given on the command line, or the first listed.
    let issue_id = match std::env::args().nth(1) {
        Some(id) => id,
        None => issues.first().and_then(|i| i["id"].as_str()).ok_or("no issue to look at")?.to_owned(),
    };
    // The reference's query, with the id passed as a variable rather than spliced
    // into the text (`{ issue: tdh_issue(filter: {id: "..."}) ... }`); the alias
    // `issue:` keeps the code that reads the answer short.
    let query = "query ($id: UUID!) { issue: tdh_issue(filter: {id: $id}) { title affectedAssets { ip } } }";
    let result = client.execute_graphql(query, Some(&json!({ "id": issue_id })), &[]).await?;
    let issue = &result["issue"];
    if issue.is_null() {
        println!("no issue {issue_id}");
        return Ok(());
    }
    println!("issue {issue_id}: {}", issue["title"].as_str().unwrap_or("?"));
    for asset in issue["affectedAssets"].as_array().into_iter().flatten() {
        println!("        {}", asset["ip"].as_str().unwrap_or("?"));
    }
    Ok(())
}
