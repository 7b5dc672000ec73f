//! Demo data, issue filters, alert pagination and seed data.

mod common;

use std::time::{Duration, Instant};

use common::{first_code, gql, sign_in};
use portal_sandbox::data::{Issue, IssueCategory, IssueStatus, Severity};
use portal_sandbox::{demo, glosom, Sandbox, SeedData};
use serde_json::{json, Value};

const FILTERED: &str = "query ($filter: tdh_IssuesFilter) { tdh_allIssues(filter: $filter) { reference } }";

async fn references(sandbox: &Sandbox, token: &str, filter: Value) -> Vec<String> {
    let answer = gql(sandbox, Some(token), FILTERED, json!({ "filter": filter })).await;
    assert!(answer.get("errors").is_none(), "{filter}: {answer}");
    answer["data"]["tdh_allIssues"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["reference"].as_str().unwrap().to_owned())
        .collect()
}

/// Which generated issues a filter should keep.
type Keep = Box<dyn Fn(&Issue) -> bool>;

/// The generated issues matching `keep`, newest first, as references.
fn expected(keep: impl Fn(&Issue) -> bool) -> Vec<String> {
    let mut issues: Vec<Issue> = (0..64).map(Issue::generated).filter(|i| keep(i)).collect();
    issues.reverse();
    issues.into_iter().map(|i| i.reference).collect()
}

#[tokio::test]
async fn every_issue_filter_field_narrows_the_list() {
    let sandbox = Sandbox::start().await.unwrap();
    let token = sign_in(&sandbox, demo::ALICE).await;
    let all = references(&sandbox, &token, Value::Null).await;
    assert_eq!(all, expected(|_| true));
    assert_eq!(references(&sandbox, &token, json!({})).await, all);

    let cases: Vec<(Value, Keep)> = vec![
        (
            json!({"severity": ["HIGH", "CRITICAL"]}),
            Box::new(|i| matches!(i.severity, Severity::High | Severity::Critical)),
        ),
        (json!({"status": ["OPEN"]}), Box::new(|i| i.status == IssueStatus::Open)),
        (
            json!({"category": ["PHISHING", "MALWARE"]}),
            Box::new(|i| matches!(i.category, IssueCategory::Phishing | IssueCategory::Malware)),
        ),
        (json!({"severity": []}), Box::new(|_| false)),
        (json!({"createdAfter": "2025-11-01T00:00:00Z"}), Box::new(|i| i.created_on.as_str() > "2025-11-01T00:00:00Z")),
        (
            json!({"createdBefore": "2025-10-10T00:00:00Z"}),
            Box::new(|i| i.created_on.as_str() < "2025-10-10T00:00:00Z"),
        ),
        // The same instant written with an offset.
        (
            json!({"createdBefore": "2025-10-10T02:00:00+02:00"}),
            Box::new(|i| i.created_on.as_str() < "2025-10-10T00:00:00Z"),
        ),
        (json!({"search": "tdh-2025-0004"}), Box::new(|i| i.reference.starts_with("TDH-2025-0004"))),
        (json!({"search": "BEACON"}), Box::new(|i| i.title.to_lowercase().contains("beacon"))),
        (
            json!({"severity": ["MEDIUM"], "status": ["OPEN", "IN_PROGRESS"], "createdAfter": "2025-10-15T00:00:00Z", "search": "on"}),
            Box::new(|i| {
                i.severity == Severity::Medium
                    && matches!(i.status, IssueStatus::Open | IssueStatus::InProgress)
                    && i.created_on.as_str() > "2025-10-15T00:00:00Z"
                    && (i.title.to_lowercase().contains("on") || i.reference.to_lowercase().contains("on"))
            }),
        ),
    ];
    for (filter, keep) in cases {
        let want = expected(keep);
        let got = references(&sandbox, &token, filter.clone()).await;
        assert_eq!(got, want, "{filter}");
        if filter != json!({"severity": []}) {
            assert!(!got.is_empty() && got.len() < all.len(), "{filter} should narrow, got {}", got.len());
        }
    }
}

#[tokio::test]
async fn bad_filter_values_are_graphql_errors() {
    let sandbox = Sandbox::start().await.unwrap();
    let token = sign_in(&sandbox, demo::ALICE).await;
    for filter in [json!({"severity": ["SEVERE"]}), json!({"createdAfter": "yesterday"}), json!({"search": 5})] {
        let answer = gql(&sandbox, Some(&token), FILTERED, json!({ "filter": filter })).await;
        assert!(answer["errors"][0]["message"].is_string(), "{filter}: {answer}");
        assert!(answer.get("data").is_none_or(Value::is_null), "{answer}");
    }
    let answer = gql(&sandbox, Some(&token), r#"{ tdh_issue(filter: {id: "not-a-uuid"}) { id } }"#, Value::Null).await;
    assert!(answer["errors"][0]["message"].is_string(), "{answer}");
}

#[tokio::test]
async fn issues_carry_every_field_in_rfc3339_utc() {
    let sandbox = Sandbox::start().await.unwrap();
    let token = sign_in(&sandbox, demo::ALICE).await;
    let query = "{ tdh_allIssues { id reference title name description severity status category createdOn updatedOn firstSeen affectedAssets { ip hostname macAddress operatingSystem } } }";
    let answer = gql(&sandbox, Some(&token), query, Value::Null).await;
    let issues = answer["data"]["tdh_allIssues"].as_array().unwrap();
    let generated: Vec<Issue> = (0..64).rev().map(Issue::generated).collect();
    for (served, issue) in issues.iter().zip(&generated) {
        assert_eq!(served["id"], issue.id.as_str());
        assert_eq!(served["name"], served["title"], "the deprecated name is the title");
        assert_eq!(served["createdOn"], issue.created_on.as_str());
        for key in ["createdOn", "updatedOn"] {
            assert!(served[key].as_str().unwrap().ends_with('Z'));
        }
        assert_eq!(served["affectedAssets"].as_array().unwrap().len(), issue.affected_assets.len());
    }
    assert!(issues.iter().any(|i| i["firstSeen"].is_null()) && issues.iter().any(|i| i["firstSeen"].is_string()));
    assert!(issues.iter().any(|i| i["description"].is_null()));
    let assets: Vec<&Value> = issues.iter().flat_map(|i| i["affectedAssets"].as_array().unwrap()).collect();
    for key in ["hostname", "macAddress", "operatingSystem"] {
        assert!(assets.iter().any(|a| a[key].is_null()) && assets.iter().any(|a| a[key].is_string()), "{key}");
    }

    // Same data from another sandbox: deterministic.
    let other = Sandbox::start().await.unwrap();
    let other_token = sign_in(&other, demo::BOB).await;
    assert_eq!(gql(&other, Some(&other_token), query, Value::Null).await, answer);
}

const PAGE: &str = "query ($first: Int, $after: Cursor) { alerts(first: $first, after: $after) { edges { cursor node { id occurredOn severity title sourceIp destinationIp issueId } } pageInfo { hasNextPage hasPreviousPage startCursor endCursor } totalCount } }";

async fn page(sandbox: &Sandbox, token: &str, first: Value, after: Value) -> Value {
    gql(sandbox, Some(token), PAGE, json!({"first": first, "after": after})).await
}

#[tokio::test]
async fn alert_pages_have_correct_page_info() {
    let sandbox = Sandbox::start().await.unwrap();
    let token = sign_in(&sandbox, demo::ALICE).await;

    let first = page(&sandbox, &token, Value::Null, Value::Null).await;
    let connection = &first["data"]["alerts"];
    let edges = connection["edges"].as_array().unwrap();
    assert_eq!(edges.len(), portal_sandbox::DEFAULT_PAGE_SIZE);
    assert_eq!(connection["totalCount"], 300);
    assert_eq!(connection["pageInfo"]["hasNextPage"], true);
    assert_eq!(connection["pageInfo"]["hasPreviousPage"], false);
    assert_eq!(connection["pageInfo"]["startCursor"], edges[0]["cursor"]);
    assert_eq!(connection["pageInfo"]["endCursor"], edges[24]["cursor"]);
    assert_eq!(page(&sandbox, &token, Value::Null, json!("")).await, first, "empty cursor = from the beginning");

    let second = page(&sandbox, &token, json!(500), connection["pageInfo"]["endCursor"].clone()).await;
    let connection = &second["data"]["alerts"];
    assert_eq!(connection["edges"].as_array().unwrap().len(), 275);
    assert_eq!(connection["pageInfo"]["hasNextPage"], false);
    assert_eq!(connection["pageInfo"]["hasPreviousPage"], true);
    let last = connection["pageInfo"]["endCursor"].clone();

    let after_last = page(&sandbox, &token, json!(10), last).await;
    let connection = &after_last["data"]["alerts"];
    assert_eq!(connection["edges"], json!([]));
    assert_eq!(connection["pageInfo"]["hasNextPage"], false);
    assert_eq!(connection["pageInfo"]["endCursor"], Value::Null);

    let nodes: Vec<&Value> = second["data"]["alerts"]["edges"].as_array().unwrap().iter().map(|e| &e["node"]).collect();
    assert!(nodes.iter().any(|n| n["issueId"].is_string()) && nodes.iter().any(|n| n["issueId"].is_null()));
    assert!(nodes.iter().any(|n| n["sourceIp"].is_null()));
    let severities: std::collections::HashSet<&str> = nodes.iter().map(|n| n["severity"].as_str().unwrap()).collect();
    assert_eq!(severities.len(), 5, "{severities:?}");
}

#[tokio::test]
async fn page_size_and_cursor_are_checked() {
    let sandbox = Sandbox::start().await.unwrap();
    let token = sign_in(&sandbox, demo::ALICE).await;
    for first in [0, -1, 501, 100_000] {
        let answer = page(&sandbox, &token, json!(first), Value::Null).await;
        assert_eq!(answer["data"], Value::Null);
        assert_eq!(first_code(&answer), u64::from(glosom::PAGE_SIZE_OUT_OF_RANGE), "first {first}");
    }
    for after in ["garbage", "YWxlcnRzOnYxOjMwMA", "YWxlcnRzOnYxOi0x", "=="] {
        let answer = page(&sandbox, &token, json!(2), json!(after)).await;
        assert_eq!(first_code(&answer), u64::from(glosom::INVALID_CURSOR), "after {after}: {answer}");
    }
    let answer = page(&sandbox, &token, json!(1), json!(5)).await;
    assert!(answer["errors"][0]["message"].is_string(), "a number is not a cursor: {answer}");
}

#[tokio::test]
async fn a_hundred_thousand_alerts_start_fast_and_page_in_order() {
    let started = Instant::now();
    let sandbox = Sandbox::builder().alerts(100_000).start().await.unwrap();
    assert!(started.elapsed() < Duration::from_secs(2), "start took {:?}", started.elapsed());
    let token = sign_in(&sandbox, demo::ALICE).await;
    let query = "query ($after: Cursor) { alerts(first: 500, after: $after) { edges { node { occurredOn } } pageInfo { hasNextPage endCursor } totalCount } }";
    let mut after = Value::Null;
    let mut count = 0;
    let mut last = String::new();
    // Ten full pages: enough to see order and cursors at scale without paging
    // through all 200 in a debug build.
    for _ in 0..10 {
        let answer = gql(&sandbox, Some(&token), query, json!({ "after": after })).await;
        let connection = &answer["data"]["alerts"];
        assert_eq!(connection["totalCount"], 100_000);
        for edge in connection["edges"].as_array().unwrap() {
            let t = edge["node"]["occurredOn"].as_str().unwrap().to_owned();
            assert!(t > last);
            last = t;
            count += 1;
        }
        assert_eq!(connection["pageInfo"]["hasNextPage"], true);
        after = connection["pageInfo"]["endCursor"].clone();
    }
    assert_eq!(count, 5_000);
}

#[tokio::test]
async fn the_example_seed_file_is_served() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/examples/seed.json");
    let sandbox = Sandbox::builder().data_file(path).start().await.unwrap();
    let token = sign_in(&sandbox, demo::ALICE).await;
    let answer = gql(&sandbox, Some(&token), "{ auth_user { organization { name shortCode } } }", Value::Null).await;
    assert_eq!(
        answer["data"]["auth_user"]["organization"],
        json!({"name": "Example Kettle Works", "shortCode": "KTL"})
    );

    let answer = gql(
        &sandbox,
        Some(&token),
        "{ tdh_allIssues { reference createdOn firstSeen affectedAssets { ip hostname } } }",
        Value::Null,
    )
    .await;
    assert_eq!(
        answer["data"]["tdh_allIssues"],
        json!([
            {"reference": "TDH-2026-00002", "createdOn": "2026-02-03T13:00:00Z", "firstSeen": null,
             "affectedAssets": [{"ip": "10.9.4.2", "hostname": "lab-scanner.kettle.internal"}]},
            {"reference": "TDH-2026-00001", "createdOn": "2026-02-02T09:15:00Z", "firstSeen": "2026-02-01T22:03:11.250Z",
             "affectedAssets": [{"ip": "10.1.0.17", "hostname": "ws-0001.kettle.internal"}, {"ip": "10.1.0.18", "hostname": null}]},
        ])
    );
    let answer = gql(&sandbox, Some(&token), "{ alerts { edges { node { id } } totalCount } }", Value::Null).await;
    let ids: Vec<&str> = answer["data"]["alerts"]["edges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["node"]["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, ["alert-3", "alert-1", "alert-2"], "oldest first");
}

#[tokio::test]
async fn seed_data_in_code_with_generated_alerts_pointing_at_seeded_issues() {
    let issues: Vec<Issue> = (100..103).map(Issue::generated).collect();
    let ids: Vec<String> = issues.iter().map(|i| i.id.clone()).collect();
    let seed = SeedData { issues: Some(issues), ..SeedData::default() };
    let sandbox = Sandbox::builder().data(seed).alerts(20).start().await.unwrap();
    let token = sign_in(&sandbox, demo::ALICE).await;
    let answer = gql(
        &sandbox,
        Some(&token),
        "{ tdh_allIssues { id } alerts(first: 20) { edges { node { issueId } } } }",
        Value::Null,
    )
    .await;
    assert_eq!(answer["data"]["tdh_allIssues"].as_array().unwrap().len(), 3);
    let linked: Vec<&str> = answer["data"]["alerts"]["edges"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|e| e["node"]["issueId"].as_str())
        .collect();
    assert_eq!(linked.len(), 4);
    assert!(linked.iter().all(|id| ids.iter().any(|i| i == id)));
}

#[tokio::test]
async fn bad_seed_data_is_refused_at_start() {
    let bad = SeedData::from_json(r#"{"issues": [{"id": "x"}]}"#);
    assert!(bad.is_err());
    let err = SeedData::from_json(r#"{"unknown": 1}"#).unwrap_err();
    assert!(err.to_string().contains("unknown"), "{err}");
    let mut issue = Issue::generated(0);
    issue.id = "not-a-uuid".into();
    let seed = SeedData { issues: Some(vec![issue]), ..SeedData::default() };
    let err = Sandbox::builder().data(seed).start().await.unwrap_err();
    assert!(err.to_string().contains("not a UUID"), "{err}");
    let err = Sandbox::builder().data_file("/no/such/seed.json").start().await.unwrap_err();
    assert!(err.to_string().contains("/no/such/seed.json"), "{err}");
}
