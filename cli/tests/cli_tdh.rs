//! `portal issues` and `portal alerts` end to end against the sandbox.

mod common;

use std::collections::HashSet;
use std::time::Duration;

use common::{json, portal_at, sandbox, stderr, stdout};
use portal_sandbox::demo;
use serde_json::Value;

fn issues(output: &std::process::Output) -> Vec<Value> {
    json(output).as_array().cloned().unwrap_or_else(|| panic!("a JSON array: {}", stdout(output)))
}

#[test]
fn issues_list_applies_the_filters() {
    let running = sandbox();
    let all = portal_at(&running).args(["issues", "list", "--output", "json"]).output().unwrap();
    assert_eq!(all.status.code(), Some(0), "stderr: {}", stderr(&all));
    let all = issues(&all);

    let output = portal_at(&running)
        .args(["issues", "list", "--output", "json", "--severity", "high,Critical", "--status", "open"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(0), "stderr: {}", stderr(&output));
    let filtered = issues(&output);
    assert!(!filtered.is_empty() && filtered.len() < all.len(), "{} of {}", filtered.len(), all.len());
    for issue in &filtered {
        assert!(["HIGH", "CRITICAL"].contains(&issue["severity"].as_str().unwrap()), "{issue}");
        assert_eq!(issue["status"], "OPEN");
    }
    let expected =
        all.iter().filter(|i| ["HIGH", "CRITICAL"].contains(&i["severity"].as_str().unwrap()) && i["status"] == "OPEN");
    assert_eq!(filtered.len(), expected.count(), "every matching issue, and only those");

    // Repeated flags, a date bound and a search.
    let output = portal_at(&running)
        .args(["issues", "list", "--category", "malware", "--category", "phishing"])
        .args(["--created-after", "2025-10-10", "--search", "ON"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(0), "stderr: {}", stderr(&output));
    let filtered = issues(&output);
    assert!(!filtered.is_empty());
    for issue in &filtered {
        assert!(["MALWARE", "PHISHING"].contains(&issue["category"].as_str().unwrap()), "{issue}");
        assert!(issue["created_on"].as_str().unwrap() > "2025-10-10T00:00:00Z", "{issue}");
        let text = format!("{} {}", issue["title"], issue["reference"]).to_lowercase();
        assert!(text.contains("on"), "{issue}");
    }
}

#[test]
fn issue_json_has_the_documented_keys() {
    let running = sandbox();
    let output = portal_at(&running).args(["issues", "list"]).output().unwrap();
    let all = issues(&output);
    assert_eq!(
        keys(&all[0]),
        sorted([
            "id",
            "reference",
            "title",
            "description",
            "severity",
            "status",
            "category",
            "created_on",
            "updated_on",
            "first_seen",
            "affected_assets"
        ])
    );
    let asset = &all[0]["affected_assets"][0];
    assert_eq!(keys(asset), sorted(["ip", "hostname", "mac_address", "operating_system"]));
    // Printed in the documented order.
    assert!(stdout(&output).starts_with("[\n  {\n    \"id\": "), "{}", stdout(&output));
}

/// An object's keys, sorted (serde_json's `Value` sorts them when it parses).
fn keys(object: &Value) -> Vec<String> {
    object.as_object().unwrap_or_else(|| panic!("an object: {object}")).keys().cloned().collect()
}

fn sorted<const N: usize>(keys: [&str; N]) -> Vec<String> {
    let mut keys: Vec<String> = keys.map(str::to_owned).to_vec();
    keys.sort();
    keys
}

#[test]
fn bad_filters_are_usage_errors_that_list_the_values() {
    let running = sandbox();
    let output = portal_at(&running).args(["issues", "list", "--severity", "severe"]).output().unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert!(stderr(&output).contains("CRITICAL"), "{}", stderr(&output));
    let output = portal_at(&running).args(["issues", "list", "--created-before", "last week"]).output().unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert!(stderr(&output).contains("2025-10-06"), "shows the expected form: {}", stderr(&output));
    assert_eq!(running.sandbox.stats().graphql_requests(), 0);
}

#[test]
fn issues_show_prints_the_issue_with_its_assets_by_id_or_reference() {
    let running = sandbox();
    let all = issues(&portal_at(&running).args(["issues", "list"]).output().unwrap());
    let listed = all.iter().find(|i| i["affected_assets"].as_array().unwrap().len() >= 3).expect("an issue");
    let id = listed["id"].as_str().unwrap();
    let reference = listed["reference"].as_str().unwrap();

    let output = portal_at(&running).args(["issues", "show", id, "--output", "json"]).output().unwrap();
    assert_eq!(output.status.code(), Some(0), "stderr: {}", stderr(&output));
    let shown = json(&output);
    assert_eq!(&shown, listed, "the same record as in the list");
    let assets = shown["affected_assets"].as_array().unwrap();
    assert!(assets.iter().all(|a| a["ip"].as_str().is_some_and(|ip| ip.parse::<std::net::IpAddr>().is_ok())));

    let by_reference = portal_at(&running).args(["issues", "show", &reference.to_lowercase()]).output().unwrap();
    assert_eq!(by_reference.status.code(), Some(0), "stderr: {}", stderr(&by_reference));
    assert_eq!(json(&by_reference), shown);

    let table = portal_at(&running).args(["issues", "show", id, "--output", "table"]).output().unwrap();
    let text = stdout(&table);
    assert!(text.contains(reference) && text.contains("HOSTNAME"), "{text}");
    for asset in assets {
        assert!(text.contains(asset["ip"].as_str().unwrap()), "{text}");
    }
}

#[test]
fn an_unknown_issue_exits_1_with_a_clear_message() {
    let running = sandbox();
    for id in ["00000000-0000-4000-8000-000000000000", "TDH-1999-00001"] {
        let output = portal_at(&running).args(["issues", "show", id]).output().unwrap();
        assert_eq!(output.status.code(), Some(1), "{id}: {}", stderr(&output));
        assert_eq!(stdout(&output), "");
        let message = stderr(&output);
        assert!(message.starts_with("error: no issue") && message.contains(id), "{message}");
    }
}

#[test]
fn a_denied_permission_exits_1_with_its_code() {
    let running = sandbox();
    let carol = running.sandbox.issue_token(demo::CAROL, Duration::from_secs(300)).unwrap();
    for args in [&["issues", "list"][..], &["alerts", "--limit", "1"]] {
        let output = portal_at(&running).env("DCSO_PORTAL_TOKEN", &carol).args(args).output().unwrap();
        assert_eq!(output.status.code(), Some(1), "{args:?}: {}", stderr(&output));
        assert!(stderr(&output).contains("(24000102)"), "PERMISSION_DENIED: {}", stderr(&output));
    }
}

fn alert_lines(output: &std::process::Output) -> Vec<Value> {
    stdout(output)
        .lines()
        .map(|line| serde_json::from_str(line).unwrap_or_else(|e| panic!("not a JSON line ({e}): {line}")))
        .collect()
}

#[test]
fn alerts_stream_exactly_the_limit_as_json_lines_page_by_page() {
    let running = sandbox();
    let output =
        portal_at(&running).args(["alerts", "--limit", "7", "--page-size", "3", "--output", "json"]).output().unwrap();
    assert_eq!(output.status.code(), Some(0), "stderr: {}", stderr(&output));
    let alerts = alert_lines(&output);
    assert_eq!(alerts.len(), 7);
    assert_eq!(running.sandbox.stats().requests_for("AlertsPage"), 3, "pages of 3, the last one cut short");
    assert_eq!(stderr(&output), "", "no progress line when stderr is not a terminal");
    assert_eq!(
        keys(&alerts[0]),
        sorted(["id", "occurred_on", "severity", "title", "source_ip", "destination_ip", "issue_id"])
    );
    assert!(stdout(&output).starts_with("{\"id\":"), "compact, in the documented order: {}", stdout(&output));
    let ids: HashSet<&str> = alerts.iter().map(|a| a["id"].as_str().unwrap()).collect();
    assert_eq!(ids.len(), 7, "no alert twice");
    let times: Vec<&str> = alerts.iter().map(|a| a["occurred_on"].as_str().unwrap()).collect();
    assert!(times.windows(2).all(|w| w[0] <= w[1]), "oldest first: {times:?}");

    // The same alerts in one page, which --limit alone sizes.
    let output = portal_at(&running).args(["alerts", "--limit", "7"]).output().unwrap();
    assert_eq!(alert_lines(&output), alerts);
    assert_eq!(running.sandbox.stats().requests_for("AlertsPage"), 4);
}

#[test]
fn alerts_without_a_limit_stream_them_all() {
    let running = sandbox();
    let output = portal_at(&running).args(["alerts", "--page-size", "120"]).output().unwrap();
    assert_eq!(output.status.code(), Some(0), "stderr: {}", stderr(&output));
    assert_eq!(alert_lines(&output).len(), 300, "the sandbox's 300 alerts");
    assert_eq!(running.sandbox.stats().requests_for("AlertsPage"), 3);

    let table = portal_at(&running).args(["alerts", "--limit", "4", "--output", "table"]).output().unwrap();
    let text = stdout(&table);
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 2 + 4, "header, rule and 4 rows:\n{text}");
    assert!(lines[0].starts_with("OCCURRED") && lines[0].ends_with("TITLE"), "{text}");
}

#[test]
fn alerts_page_size_is_checked_before_any_request() {
    let running = sandbox();
    for args in [["--page-size", "0"], ["--page-size", "501"], ["--limit", "0"]] {
        let output = portal_at(&running).arg("alerts").args(args).output().unwrap();
        assert_eq!(output.status.code(), Some(2), "{args:?}");
    }
    assert_eq!(running.sandbox.stats().graphql_requests(), 0);
}
