//! The typed TDH API against the sandbox Portal (and wiremock for answers the
//! sandbox cannot give).

use dcso_portal::tdh::{Category, Issue, Severity, Status};
use dcso_portal::{Client, DateTime};
use portal_sandbox::{demo, Sandbox};
use serde_json::{json, Value};
use uuid::Uuid;

async fn sandbox() -> (Sandbox, Client) {
    let sandbox = Sandbox::start().await.expect("sandbox starts");
    let client = Client::builder(sandbox.url()).token(demo::MACHINE_TOKEN).build().expect("client");
    (sandbox, client)
}

async fn all_issues(client: &Client) -> Vec<Issue> {
    let issues = client.tdh().issues().send().await.expect("all issues");
    assert!(issues.len() > 10, "the demo data has issues to filter: {}", issues.len());
    issues
}

fn ids(issues: &[Issue]) -> Vec<Uuid> {
    issues.iter().map(|i| i.id).collect()
}

#[tokio::test]
async fn typed_list_equals_the_escape_hatch_list() {
    let (_sandbox, client) = sandbox().await;
    let typed = all_issues(&client).await;

    let data = client.execute_graphql("{ tdh_allIssues { id reference } }", None, &[]).await.expect("escape hatch");
    let raw: Vec<(String, String)> = data["tdh_allIssues"]
        .as_array()
        .expect("a list")
        .iter()
        .map(|i| (i["id"].as_str().expect("id").to_owned(), i["reference"].as_str().expect("reference").to_owned()))
        .collect();
    let typed: Vec<(String, String)> = typed.iter().map(|i| (i.id.to_string(), i.reference.clone())).collect();
    assert_eq!(typed, raw);
}

#[tokio::test]
async fn every_field_is_decoded_as_the_server_sent_it() {
    let (_sandbox, client) = sandbox().await;
    let typed = all_issues(&client).await;
    let data = client
        .execute_graphql(
            "{ tdh_allIssues { id reference title description severity status category createdOn updatedOn \
             firstSeen affectedAssets { ip hostname macAddress operatingSystem } } }",
            None,
            &[],
        )
        .await
        .expect("escape hatch");
    let raw = data["tdh_allIssues"].as_array().expect("a list");
    assert_eq!(typed.len(), raw.len());
    let time = |v: &Value| v.as_str().map(|t| t.parse::<DateTime>().expect("a timestamp"));
    for (issue, raw) in typed.iter().zip(raw) {
        assert_eq!(issue.id.to_string(), raw["id"]);
        assert_eq!(issue.title, raw["title"]);
        assert_eq!(issue.description.as_deref(), raw["description"].as_str());
        assert_eq!(issue.severity.as_str(), raw["severity"]);
        assert_eq!(issue.status.as_str(), raw["status"]);
        assert_eq!(issue.category.as_str(), raw["category"]);
        assert!(!issue.severity.is_unknown() && !issue.status.is_unknown() && !issue.category.is_unknown());
        assert_eq!(Some(issue.created_on), time(&raw["createdOn"]));
        assert_eq!(Some(issue.updated_on), time(&raw["updatedOn"]));
        assert_eq!(issue.first_seen, time(&raw["firstSeen"]));
        // The typed value serializes back to exactly what the server sent.
        assert_eq!(&serde_json::to_value(issue).expect("serializes"), raw);
    }
    assert!(typed.iter().any(|i| i.first_seen.is_none()) && typed.iter().any(|i| i.description.is_none()));
}

/// Asserts that the server-side filter gave exactly the client-side selection, and
/// that the selection is a real narrowing (so the check can fail).
fn assert_narrows(what: &str, all: &[Issue], filtered: &[Issue], keep: impl Fn(&Issue) -> bool) {
    let expected: Vec<Uuid> = all.iter().filter(|i| keep(i)).map(|i| i.id).collect();
    assert!(!expected.is_empty() && expected.len() < all.len(), "{what}: {} of {}", expected.len(), all.len());
    assert_eq!(ids(filtered), expected, "{what}");
}

#[tokio::test]
async fn each_filter_narrows_the_list_like_a_client_side_filter() {
    let (_sandbox, client) = sandbox().await;
    let all = all_issues(&client).await;
    let tdh = client.tdh();

    let high = tdh.issues().severity(Severity::High).send().await.expect("severity");
    assert_narrows("severity", &all, &high, |i| i.severity == Severity::High);

    let low_or_critical = tdh.issues().severities([Severity::Low, Severity::Critical]).await.expect("severities");
    assert_narrows("severities", &all, &low_or_critical, |i| matches!(i.severity, Severity::Low | Severity::Critical));

    let in_progress = tdh.issues().status(Status::InProgress).send().await.expect("status");
    assert_narrows("status", &all, &in_progress, |i| i.status == Status::InProgress);

    let done = tdh.issues().status(Status::Resolved).status(Status::Closed).send().await.expect("statuses");
    assert_narrows("statuses", &all, &done, |i| matches!(i.status, Status::Resolved | Status::Closed));

    let phishing = tdh.issues().category(Category::Phishing).send().await.expect("category");
    assert_narrows("category", &all, &phishing, |i| i.category == Category::Phishing);

    let lateral = tdh.issues().categories([Category::LateralMovement, Category::Malware]).send().await.expect("cats");
    assert_narrows("categories", &all, &lateral, |i| {
        matches!(i.category, Category::LateralMovement | Category::Malware)
    });

    // The middle issue's creation time splits the list; both bounds are strict.
    let pivot = all[all.len() / 2].created_on;
    let after = tdh.issues().created_after(pivot).send().await.expect("createdAfter");
    assert_narrows("createdAfter", &all, &after, |i| i.created_on > pivot);
    let before = tdh.issues().created_before(pivot.to_chrono()).send().await.expect("createdBefore");
    assert_narrows("createdBefore", &all, &before, |i| i.created_on < pivot);

    // Search: a word of one title, in another case, matches titles ignoring case.
    let word = all[3].title.split_whitespace().next().expect("a word").to_owned();
    let found = tdh.issues().search(word.to_uppercase()).send().await.expect("search");
    assert_narrows("search title", &all, &found, |i| i.title.to_lowercase().contains(&word.to_lowercase()));
    // ...and references.
    let reference = all[5].reference.to_lowercase();
    let found = tdh.issues().search(&reference).send().await.expect("search reference");
    assert_narrows("search reference", &all, &found, |i| i.reference.to_lowercase().contains(&reference));

    // Filters combine: all must match.
    let combined = tdh
        .issues()
        .statuses([Status::Open, Status::InProgress])
        .severities([Severity::High, Severity::Critical, Severity::Medium])
        .created_after(all[all.len() - 1].created_on)
        .send()
        .await
        .expect("combined");
    let oldest = all[all.len() - 1].created_on;
    assert_narrows("combined", &all, &combined, |i| {
        matches!(i.status, Status::Open | Status::InProgress)
            && matches!(i.severity, Severity::High | Severity::Critical | Severity::Medium)
            && i.created_on > oldest
    });

    // Empty lists add no constraint.
    let unconstrained = tdh.issues().severities([]).statuses([]).categories([]).send().await.expect("empty lists");
    assert_eq!(ids(&unconstrained), ids(&all));
}

#[tokio::test]
async fn issue_by_id_has_its_assets_and_an_unknown_id_is_none() {
    let (_sandbox, client) = sandbox().await;
    let all = all_issues(&client).await;
    for listed in [&all[0], &all[7], &all[all.len() - 1]] {
        let issue = client.tdh().issue(listed.id).await.expect("issue").expect("known id");
        assert_eq!(&issue, listed);
        assert!(!issue.affected_assets.is_empty());

        let query =
            format!("{{ issue: tdh_issue(filter: {{id: \"{}\"}}) {{ title affectedAssets {{ ip }} }} }}", issue.id);
        let data = client.execute_graphql(&query, None, &[]).await.expect("escape hatch");
        let ips: Vec<&str> = data["issue"]["affectedAssets"]
            .as_array()
            .expect("assets")
            .iter()
            .map(|a| a["ip"].as_str().expect("ip"))
            .collect();
        assert_eq!(issue.affected_assets.iter().map(|a| a.ip.as_str()).collect::<Vec<_>>(), ips);
        assert!(issue.affected_assets.iter().all(|a| a.ip_addr().is_some()));
    }

    let unknown = Uuid::from_u128(0x0123_4567_89ab_4def_8123_4567_89ab_cdef);
    assert!(all.iter().all(|i| i.id != unknown));
    assert_eq!(client.tdh().issue(unknown).await.expect("no error for an unknown id"), None);
}

#[tokio::test]
async fn a_caller_without_tdh_access_gets_the_permission_error() {
    let sandbox = Sandbox::start().await.expect("sandbox starts");
    let token = sandbox.issue_token(demo::CAROL, std::time::Duration::from_secs(600)).expect("token");
    let client = Client::builder(sandbox.url()).token(token).build().expect("client");
    let error = client.tdh().issues().send().await.expect_err("carol may not read TDH issues");
    assert_eq!(error.glosom().map(|g| g.raw()), Some(0x2400_0102), "{error}");
    assert!(error.is_auth(), "{error}");
    let error = client.tdh().issue(Uuid::nil()).await.expect_err("nor one issue");
    assert_eq!(error.glosom().map(|g| g.raw()), Some(0x2400_0102), "{error}");
}

/// A server with newer enum values than this SDK: they decode as `Unknown`, raw.
#[tokio::test]
async fn new_enum_values_from_the_server_decode_as_unknown() {
    use wiremock::matchers::method;
    use wiremock::{Mock, MockServer, ResponseTemplate};

    let server = MockServer::start().await;
    let issue = json!({
        "id": "3be13d5f-1556-4edf-a243-e7ea4db67f2e", "reference": "TDH-2030-00001", "title": "Quantum thing",
        "description": null, "severity": "APOCALYPTIC", "status": "ESCALATED", "category": "QUANTUM",
        "createdOn": "2030-01-01T00:00:00Z", "updatedOn": "2030-01-02T00:00:00.5 UTC", "firstSeen": null,
        "affectedAssets": [{"ip": "fe80::1", "hostname": null, "macAddress": null, "operatingSystem": null}]
    });
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"data": {"tdh_allIssues": [issue]}})))
        .mount(&server)
        .await;
    let client = Client::builder(server.uri()).token(demo::MACHINE_TOKEN).build().expect("client");
    let issues = client.tdh().issues().send().await.expect("decodes");
    let issue = &issues[0];
    assert_eq!(issue.severity, Severity::Unknown("APOCALYPTIC".into()));
    assert_eq!(issue.status, Status::Unknown("ESCALATED".into()));
    assert_eq!(issue.category, Category::Unknown("QUANTUM".into()));
    assert_eq!(issue.category.to_string(), "QUANTUM");
    assert_eq!(issue.updated_on.to_string(), "2030-01-02T00:00:00.500Z");
    assert_eq!(issue.affected_assets[0].ip_addr(), Some("fe80::1".parse().expect("an address")));

    // And a filter with an unknown value is sent as its raw text.
    client.tdh().issues().severity(Severity::Unknown("APOCALYPTIC".into())).send().await.expect("sent");
    let requests = server.received_requests().await.expect("recorded");
    let body: Value = serde_json::from_slice(&requests[1].body).expect("JSON");
    assert_eq!(body["variables"]["filter"]["severity"], json!(["APOCALYPTIC"]));
    assert_eq!(body["operationName"], "AllIssues");
}
