//! The client against the sandbox Portal: typed operations, the escape hatch,
//! `is_alive`, errors with GLOSOM codes and partial data; and against wiremock for
//! what only a recording server shows (the exact request).

use std::time::Duration;

use dcso_portal::operations::{all_issues, issue, AllIssues, Issue};
use dcso_portal::{Client, Error, Glosom};
use portal_sandbox::{demo, Sandbox};
use serde_json::{json, Value};
use wiremock::matchers::{body_partial_json, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

fn machine_client(sandbox: &Sandbox) -> Client {
    Client::builder(sandbox.url()).token(demo::MACHINE_TOKEN).build().expect("valid client")
}

#[tokio::test]
async fn typed_query_lists_the_demo_issues() {
    let sandbox = Sandbox::start().await.expect("sandbox starts");
    let client = machine_client(&sandbox);
    let data = client.query::<AllIssues>(all_issues::Variables::default()).await.expect("query succeeds");
    assert!(data.tdh_all_issues.len() >= 50, "{} issues", data.tdh_all_issues.len());
    for issue in &data.tdh_all_issues {
        assert!(issue.reference.starts_with("TDH-"), "{}", issue.reference);
        assert!((1..=5).contains(&issue.affected_assets.len()));
    }

    let first = &data.tdh_all_issues[0];
    let one = client.query::<Issue>(issue::Variables { id: first.id }).await.expect("issue query");
    let one = one.issue.expect("the issue exists");
    assert_eq!(one.id, first.id);
    let ips = |assets: Vec<String>| assets;
    assert_eq!(
        ips(one.affected_assets.iter().map(|a| a.ip.clone()).collect()),
        ips(first.affected_assets.iter().map(|a| a.ip.clone()).collect())
    );

    let unknown = client.query::<Issue>(issue::Variables { id: uuid::Uuid::nil() }).await.expect("no error");
    assert!(unknown.issue.is_none());
}

#[tokio::test]
async fn escape_hatch_runs_the_reference_documents() {
    let sandbox = Sandbox::start().await.expect("sandbox starts");
    let client = machine_client(&sandbox);
    let data = client.execute_graphql("{ tdh_allIssues { id reference } }", None, &[]).await.expect("runs");
    let issues = data["tdh_allIssues"].as_array().expect("a list");
    let id = issues[0]["id"].as_str().expect("an id").to_owned();

    let query = format!("{{ issue: tdh_issue(filter: {{id: \"{id}\"}}) {{ title affectedAssets {{ ip }} }} }}");
    let data = client.execute_graphql(&query, None, &[]).await.expect("runs");
    assert!(data["issue"]["title"].is_string());
    assert!(!data["issue"]["affectedAssets"].as_array().expect("assets").is_empty());

    // Fragments are appended to the document; variables travel as JSON.
    let data = client
        .execute_graphql(
            "query ($id: UUID!) { issue: tdh_issue(filter: {id: $id}) { ...Brief } }",
            Some(&json!({ "id": id })),
            &["fragment Brief on tdh_Issue { id reference }"],
        )
        .await
        .expect("runs");
    assert_eq!(data["issue"]["id"], json!(id));

    #[derive(serde::Deserialize)]
    struct Mine {
        #[serde(rename = "tdh_allIssues")]
        issues: Vec<Brief>,
    }
    #[derive(serde::Deserialize)]
    struct Brief {
        reference: String,
    }
    let mine: Mine = client.execute_graphql_as("{ tdh_allIssues { reference } }", None, &[]).await.expect("typed");
    assert_eq!(mine.issues.len(), issues.len());
    assert!(mine.issues.iter().all(|i| i.reference.starts_with("TDH-")));
}

#[tokio::test]
async fn decode_errors_name_the_json_path() {
    let sandbox = Sandbox::start().await.expect("sandbox starts");
    let client = machine_client(&sandbox);
    #[derive(Debug, serde::Deserialize)]
    #[allow(dead_code)]
    struct Wrong {
        #[serde(rename = "tdh_allIssues")]
        issues: Vec<WrongIssue>,
    }
    #[derive(Debug, serde::Deserialize)]
    #[allow(dead_code)]
    struct WrongIssue {
        reference: u64,
    }
    let err = client.execute_graphql_as::<Wrong>("{ tdh_allIssues { reference } }", None, &[]).await.expect_err("bad");
    match &err {
        Error::Decode { path, .. } => assert_eq!(path, "data.tdh_allIssues[0].reference"),
        other => panic!("{other:?}"),
    }
    assert!(err.is_decode());
}

#[tokio::test]
async fn graphql_errors_keep_codes_and_partial_data() {
    let sandbox = Sandbox::start().await.expect("sandbox starts");
    let carol = sandbox.issue_token(demo::CAROL, Duration::from_secs(600)).expect("token for carol");
    let client = Client::builder(sandbox.url()).token(carol).build().expect("valid client");

    // tdh_issue is nullable: carol gets `issue: null` and the permission error.
    let err = client
        .execute_graphql(
            "query ($id: UUID!) { issue: tdh_issue(filter: {id: $id}) { id } me: auth_user { id } }",
            Some(&json!({"id": uuid::Uuid::nil()})),
            &[],
        )
        .await
        .expect_err("carol may not read TDH");
    assert!(err.is_graphql() && err.is_auth(), "{err:?}");
    assert_eq!(err.glosom(), Some(Glosom::from_raw(0x2400_0102)));
    assert!(err.to_string().ends_with("(24000102)"), "{err}");
    let partial = err.partial_data().expect("partial data");
    assert_eq!(partial["issue"], Value::Null);
    assert!(partial["me"]["id"].is_string(), "{partial}");
    let errors = err.graphql_errors().expect("graphql errors");
    assert_eq!(errors.errors()[0].path_string(), "issue");

    // Without a token, every error of the answer is kept.
    let anonymous = Client::builder(sandbox.url()).token_from_env(false).build().expect("valid client");
    let err = anonymous
        .execute_graphql("{ a: auth_user { id } b: auth_user { id } }", None, &[])
        .await
        .expect_err("needs a token");
    assert_eq!(err.glosom(), Some(Glosom::from_raw(0x2400_0201)));
    assert!(!err.graphql_errors().expect("graphql errors").errors().is_empty());
}

#[tokio::test]
async fn is_alive_checks_the_query_type_name() {
    let sandbox = Sandbox::start().await.expect("sandbox starts");
    let client = Client::builder(sandbox.url()).token_from_env(false).build().expect("valid client");
    assert!(client.is_alive().await);

    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(
            ResponseTemplate::new(200).set_body_json(json!({"data": {"__schema": {"queryType": {"name": "Root"}}}})),
        )
        .mount(&server)
        .await;
    let other = Client::builder(format!("{}/graphql", server.uri())).token_from_env(false).build().expect("valid");
    assert!(!other.is_alive().await);

    let url = sandbox.url();
    drop(sandbox);
    let closed = Client::builder(url)
        .token_from_env(false)
        .retry(dcso_portal::RetryPolicy::none())
        .build()
        .expect("valid client");
    assert!(!closed.is_alive().await);
}

#[tokio::test]
async fn requests_have_the_documented_shape() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/graphql"))
        .and(body_partial_json(json!({"operationName": "AllIssues"})))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"data": {"tdh_allIssues": []}})))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/graphql"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"data": {"x": 1}})))
        .expect(1)
        .mount(&server)
        .await;

    let client = Client::builder(format!("{}/graphql", server.uri())).token(demo::MACHINE_TOKEN).build().expect("ok");
    let data = client.query::<AllIssues>(Default::default()).await.expect("typed query");
    assert!(data.tdh_all_issues.is_empty());
    assert_eq!(client.execute_graphql("{ x }", None, &[]).await.expect("ad hoc"), json!({"x": 1}));

    let requests = server.received_requests().await.expect("recorded");
    assert_eq!(requests.len(), 2);
    let header = |i: usize, name: &str| {
        requests[i].headers.get(name).and_then(|v| v.to_str().ok()).map(str::to_owned).unwrap_or_default()
    };
    for i in 0..2 {
        assert_eq!(header(i, "content-type"), "application/json");
        assert_eq!(header(i, "accept"), "application/graphql-response+json, application/json;q=0.9");
        assert_eq!(header(i, "authorization"), format!("Bearer {}", demo::MACHINE_TOKEN));
        assert_eq!(header(i, "user-agent"), concat!("dcso-portal/", env!("CARGO_PKG_VERSION")));
    }
    let typed: Value = serde_json::from_slice(&requests[0].body).expect("JSON body");
    assert_eq!(
        typed,
        json!({
            "query": dcso_portal::operations::all_issues::QUERY,
            "variables": {"filter": null},
            "operationName": "AllIssues",
        })
    );
    let adhoc: Value = serde_json::from_slice(&requests[1].body).expect("JSON body");
    assert_eq!(adhoc, json!({"query": "{ x }", "variables": {}}));
}

#[tokio::test]
async fn bad_arguments_are_config_errors_before_sending() {
    let client = Client::builder("http://127.0.0.1:9/graphql").token_from_env(false).build().expect("valid");
    for (query, variables) in [("  ", None), ("{ x }", Some(json!([1]))), ("{ x }", Some(json!("a")))] {
        let err = client.execute_graphql(query, variables.as_ref(), &[]).await.expect_err("refused");
        assert!(err.is_config(), "{err}");
    }
}

#[test]
fn builder_rejects_bad_settings() {
    for (builder, needle) in [
        (Client::builder("ftp://x/graphql"), "scheme"),
        (Client::builder("http://x/graphql").token("a.b"), "three dot-separated parts"),
        (Client::builder("http://x/graphql").timeout(Duration::ZERO), "timeout is zero"),
        (Client::builder("http://x/graphql").max_response_bytes(0), "size limit is zero"),
        (Client::builder("http://x/graphql").add_root_certificate_pem("not pem"), "PEM"),
    ] {
        let err = builder.token_from_env(false).build().expect_err(needle);
        assert!(err.is_config(), "{err}");
        assert!(err.to_string().contains(needle), "{err}");
    }
}
