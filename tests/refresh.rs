//! Automatic refresh of a kept user token: against the sandbox (short token
//! lifetimes, counted refreshes) and against wiremock for the Portal answering
//! "token expired" to a token the client still thinks valid, which the sandbox
//! cannot do (its clock is the client's).

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use dcso_portal::operations::{all_issues, AllIssues};
use dcso_portal::{Client, Error};
use portal_sandbox::{demo, Sandbox};
use serde_json::{json, Value};
use tokio::task::JoinSet;
use wiremock::matchers::{body_string_contains, header, method};
use wiremock::{Mock, MockServer, ResponseTemplate};

const TOKEN_EXPIRED: u32 = 0x2400_0301;
const TOKEN_INVALID: u32 = 0x2400_0401;

/// A sandbox whose user tokens live 60 s: inside the default 5-minute refresh
/// window from the start, so every request finds the token due.
async fn short_lived_sandbox() -> Sandbox {
    Sandbox::builder().token_ttl(Duration::from_secs(60)).start().await.expect("sandbox starts")
}

async fn alice(sandbox: &Sandbox) -> Client {
    let client = Client::builder(sandbox.url()).token_from_env(false).build().expect("client");
    client.auth().authenticate(demo::ALICE, demo::PASSWORD).await.expect("signs in");
    client
}

async fn issues(client: &Client) -> Result<all_issues::ResponseData, Error> {
    client.query::<AllIssues>(all_issues::Variables::default()).await
}

fn glosom(error: &Error) -> u32 {
    error.glosom().unwrap_or_else(|| panic!("no GLOSOM code in {error:?}")).raw()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn fifty_concurrent_queries_near_expiry_cause_exactly_one_refresh() {
    let sandbox = short_lived_sandbox().await;
    let client = alice(&sandbox).await;
    let old = client.token().expect("kept");

    let mut tasks = JoinSet::new();
    for _ in 0..50 {
        let client = client.clone();
        // A small query: what counts here is how many requests wait, not their size.
        tasks.spawn(async move { client.current_user().await.map(|me| me.username().to_owned()) });
    }
    while let Some(result) = tasks.join_next().await {
        assert_eq!(result.expect("task runs").expect("query succeeds"), demo::ALICE);
    }
    assert_eq!(sandbox.stats().refreshes(), 1, "one refresh for 50 queries");
    let new = client.token().expect("still signed in");
    assert_ne!(new, old);
    assert!(new.is_user() && !new.is_temporary());

    // The new token is itself inside the window (the Portal's tokens live shorter than
    // it): it is not refreshed again on every request.
    for _ in 0..5 {
        issues(&client).await.expect("query succeeds");
    }
    assert_eq!(sandbox.stats().refreshes(), 1);

    let with_old = Client::builder(sandbox.url()).token(old.expose_secret()).build().expect("client");
    assert_eq!(glosom(&issues(&with_old).await.expect_err("old token revoked")), TOKEN_INVALID);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_refresh_completes_even_when_its_caller_gives_up() {
    let sandbox = short_lived_sandbox().await;
    let client = alice(&sandbox).await;
    let old = client.token().expect("kept");

    // The first poll starts the refresh; the caller then drops its future at once.
    let abandoned = tokio::time::timeout(Duration::from_nanos(1), issues(&client)).await;
    assert!(abandoned.is_err(), "the call was abandoned before it could finish");

    // The Portal revokes the old token when it answers the refresh, so the new one
    // must still reach the client. Bounded wait for the background refresh.
    for _ in 0..200 {
        if client.token().is_some_and(|t| t != old) {
            break;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    assert_eq!(sandbox.stats().refreshes(), 1);
    let new = client.token().expect("still signed in");
    assert_ne!(new, old, "the refreshed token was kept");
    issues(&client).await.expect("the new token works");
    assert_eq!(sandbox.stats().refreshes(), 1, "no second refresh");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_failed_refresh_is_an_auth_error_and_is_not_retried() {
    let sandbox = short_lived_sandbox().await;
    let client = alice(&sandbox).await;
    sandbox.revoke_all_tokens();

    let mut tasks = JoinSet::new();
    for _ in 0..20 {
        let client = client.clone();
        tasks.spawn(async move { issues(&client).await.map(|_| ()) });
    }
    let mut auth_errors = 0;
    while let Some(result) = tasks.join_next().await {
        match result.expect("task runs").expect_err("the token is revoked") {
            Error::Auth { message, source } => {
                auth_errors += 1;
                assert!(message.contains(demo::ALICE), "{message}");
                let cause = source.expect("the refresh error is the source");
                assert_eq!(glosom(&cause), TOKEN_INVALID);
            }
            // Requests that waited for the failed refresh go out with the token they have.
            other => assert_eq!(glosom(&other), TOKEN_INVALID, "{other:?}"),
        }
    }
    assert_eq!(auth_errors, 1, "one refresh was tried, and its caller learns why it failed");
    let sign_ins_and_refreshes = sandbox.stats().requests_for("CreateAuthorization");
    assert_eq!(sign_ins_and_refreshes, 2, "one sign-in, one refresh attempt");

    for _ in 0..3 {
        let error = issues(&client).await.expect_err("still revoked");
        assert_eq!(glosom(&error), TOKEN_INVALID);
    }
    assert_eq!(sandbox.stats().requests_for("CreateAuthorization"), 2, "no refresh hammering");
    assert_eq!(sandbox.stats().refreshes(), 0);

    // Signing in again starts afresh.
    client.auth().authenticate(demo::ALICE, demo::PASSWORD).await.expect("signs in");
    issues(&client).await.expect("works again, after a refresh");
    assert_eq!(sandbox.stats().refreshes(), 1);
}

#[tokio::test]
async fn tokens_outside_the_window_or_not_from_sign_in_are_never_refreshed() {
    let sandbox = short_lived_sandbox().await;

    let off = Client::builder(sandbox.url()).token_from_env(false).auto_refresh(false).build().expect("client");
    off.auth().authenticate(demo::ALICE, demo::PASSWORD).await.expect("signs in");
    issues(&off).await.expect("query succeeds");

    let by_hand = Client::builder(sandbox.url()).token_from_env(false).build().expect("client");
    by_hand.set_token(sandbox.issue_token(demo::ALICE, Duration::from_secs(60)).expect("token")).expect("set");
    issues(&by_hand).await.expect("query succeeds");

    let from_builder = Client::builder(sandbox.url())
        .token(sandbox.issue_token(demo::ALICE, Duration::from_secs(60)).expect("token"))
        .build()
        .expect("client");
    issues(&from_builder).await.expect("query succeeds");

    let machine = Client::builder(sandbox.url()).token(demo::MACHINE_TOKEN).build().expect("client");
    issues(&machine).await.expect("query succeeds");

    let narrow = Client::builder(sandbox.url())
        .token_from_env(false)
        .refresh_window(Duration::from_secs(10))
        .build()
        .expect("client");
    narrow.auth().authenticate(demo::ALICE, demo::PASSWORD).await.expect("signs in");
    issues(&narrow).await.expect("query succeeds");

    assert_eq!(sandbox.stats().refreshes(), 0);
    assert_eq!(sandbox.stats().requests_for("CreateAuthorization"), 2, "the two sign-ins only");
}

#[tokio::test]
async fn a_wider_window_refreshes_long_lived_tokens() {
    let sandbox = Sandbox::start().await.expect("sandbox starts"); // tokens live 1 hour
    let client = Client::builder(sandbox.url())
        .token_from_env(false)
        .refresh_window(Duration::from_secs(2 * 3600))
        .build()
        .expect("client");
    client.auth().authenticate(demo::ALICE, demo::PASSWORD).await.expect("signs in");
    let old = client.token().expect("kept");
    issues(&client).await.expect("query succeeds");
    assert_eq!(sandbox.stats().refreshes(), 1);
    assert_ne!(client.token().expect("kept"), old);
}

// --- The Portal says "token expired" (wiremock) ---

/// An unsigned JWT that expires in an hour: valid as far as the client can tell.
fn jwt(name: &str) -> String {
    let exp = SystemTime::now().duration_since(UNIX_EPOCH).expect("after 1970").as_secs() + 3600;
    let header = URL_SAFE_NO_PAD.encode(json!({"typ": "JWT", "alg": "HS256"}).to_string());
    let claims = URL_SAFE_NO_PAD.encode(json!({"exp": exp, "sub": name, "authz": {"groups": ["g"]}}).to_string());
    format!("{header}.{claims}.{}", URL_SAFE_NO_PAD.encode(name))
}

fn authorization(token: &str) -> Value {
    json!({"data": {"portalauth": {
        "user": {"id": "u-1", "username": "alice", "accessTo": []},
        "token": token,
        "isTemporaryToken": false,
        "otp": {"required": false, "activated": null},
        "otpSVGQRCode": null
    }}})
}

fn rejected(code: u32, message: &str) -> ResponseTemplate {
    ResponseTemplate::new(200)
        .set_body_json(json!({"data": null, "errors": [{"message": message, "extensions": {"code": code}}]}))
}

const QUERY: &str = "{ tdh_allIssues { id } }";

/// A Portal that signs alice in with `first` and answers its refresh with `refresh`.
async fn portal(first: &str, refresh: ResponseTemplate) -> MockServer {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(body_string_contains("\"password\""))
        .respond_with(ResponseTemplate::new(200).set_body_json(authorization(first)))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(body_string_contains(format!("\"refreshToken\":\"{first}\"")))
        .respond_with(refresh)
        .named("refresh")
        .mount(&server)
        .await;
    server
}

async fn signed_in(server: &MockServer) -> Client {
    let client = Client::builder(server.uri()).token_from_env(false).build().expect("client");
    client.auth().authenticate("alice", "pw").await.expect("signs in");
    client
}

async fn requests_with(server: &MockServer, token: &str) -> usize {
    let wanted = format!("Bearer {token}");
    let requests = server.received_requests().await.expect("recorded");
    requests.iter().filter(|r| r.headers.get("authorization").is_some_and(|v| v == wanted.as_str())).count()
}

async fn refreshes(server: &MockServer) -> usize {
    let requests = server.received_requests().await.expect("recorded");
    requests.iter().filter(|r| String::from_utf8_lossy(&r.body).contains("refreshToken")).count()
}

#[tokio::test]
async fn token_expired_refreshes_once_and_replays_the_query() {
    let (a, b) = (jwt("a"), jwt("b"));
    let server = portal(&a, ResponseTemplate::new(200).set_body_json(authorization(&b))).await;
    Mock::given(header("authorization", format!("Bearer {a}").as_str()))
        .respond_with(rejected(TOKEN_EXPIRED, "token expired: sign in again or refresh before expiry"))
        .mount(&server)
        .await;
    Mock::given(header("authorization", format!("Bearer {b}").as_str()))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"data": {"tdh_allIssues": [{"id": "i-1"}]}})))
        .mount(&server)
        .await;

    let client = signed_in(&server).await;
    let data = client.execute_graphql(QUERY, None, &[]).await.expect("replayed with the new token");
    assert_eq!(data["tdh_allIssues"][0]["id"], "i-1");
    assert_eq!(
        (requests_with(&server, &a).await, refreshes(&server).await, requests_with(&server, &b).await),
        (1, 1, 1)
    );
    assert_eq!(client.token().expect("kept").expose_secret(), b);
}

#[tokio::test]
async fn a_query_is_replayed_at_most_once() {
    let (a, b) = (jwt("a"), jwt("b"));
    let server = portal(&a, ResponseTemplate::new(200).set_body_json(authorization(&b))).await;
    Mock::given(header("authorization", format!("Bearer {a}").as_str()))
        .respond_with(rejected(TOKEN_EXPIRED, "token expired"))
        .mount(&server)
        .await;
    Mock::given(header("authorization", format!("Bearer {b}").as_str()))
        .respond_with(rejected(TOKEN_EXPIRED, "token expired"))
        .mount(&server)
        .await;

    let client = signed_in(&server).await;
    let error = client.execute_graphql(QUERY, None, &[]).await.expect_err("expired again");
    assert_eq!(glosom(&error), TOKEN_EXPIRED);
    assert_eq!(
        (requests_with(&server, &a).await, refreshes(&server).await, requests_with(&server, &b).await),
        (1, 1, 1)
    );
}

#[tokio::test]
async fn a_mutation_is_never_replayed() {
    let (a, b) = (jwt("a"), jwt("b"));
    let server = portal(&a, ResponseTemplate::new(200).set_body_json(authorization(&b))).await;
    Mock::given(header("authorization", format!("Bearer {a}").as_str()))
        .respond_with(rejected(TOKEN_EXPIRED, "token expired"))
        .mount(&server)
        .await;

    let client = signed_in(&server).await;
    let mutation = r#"mutation { auth_createAuthorization(input: {username: "x", password: "y"}) { token } }"#;
    let error = client.execute_graphql(mutation, None, &[]).await.expect_err("not replayed");
    assert_eq!(glosom(&error), TOKEN_EXPIRED);
    assert_eq!(
        (requests_with(&server, &a).await, refreshes(&server).await, requests_with(&server, &b).await),
        (1, 0, 0)
    );
}

#[tokio::test]
async fn token_expired_with_a_failing_refresh_is_an_auth_error_once() {
    let a = jwt("a");
    let server = portal(&a, rejected(TOKEN_EXPIRED, "token expired")).await;
    Mock::given(header("authorization", format!("Bearer {a}").as_str()))
        .respond_with(rejected(TOKEN_EXPIRED, "token expired"))
        .mount(&server)
        .await;

    let client = signed_in(&server).await;
    let error = client.execute_graphql(QUERY, None, &[]).await.expect_err("cannot refresh");
    assert!(matches!(error, Error::Auth { .. }), "{error:?}");
    let cause = std::error::Error::source(&error).expect("a source");
    assert!(cause.to_string().contains("token expired"), "{cause}");

    // The next query is not a second refresh attempt: the Portal's answer comes back as it is.
    let error = client.execute_graphql(QUERY, None, &[]).await.expect_err("still expired");
    assert_eq!(glosom(&error), TOKEN_EXPIRED);
    assert_eq!((requests_with(&server, &a).await, refreshes(&server).await), (2, 1));
}

#[tokio::test]
async fn a_query_in_flight_while_the_token_is_refreshed_is_sent_again_with_the_new_one() {
    let (a, b) = (jwt("a"), jwt("b"));
    let server = portal(&a, ResponseTemplate::new(200).set_body_json(authorization(&b))).await;
    // The Portal answers the query sent with `a` slowly, after `a` was refreshed away.
    Mock::given(header("authorization", format!("Bearer {a}").as_str()))
        .respond_with(
            rejected(TOKEN_INVALID, "token invalid: revoked or replaced").set_delay(Duration::from_millis(300)),
        )
        .mount(&server)
        .await;
    Mock::given(header("authorization", format!("Bearer {b}").as_str()))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"data": {"tdh_allIssues": []}})))
        .mount(&server)
        .await;

    let client = signed_in(&server).await;
    let in_flight = tokio::spawn({
        let client = client.clone();
        async move { client.execute_graphql(QUERY, None, &[]).await }
    });
    // Wait (bounded) until the query has reached the Portal with `a`.
    for _ in 0..200 {
        if requests_with(&server, &a).await == 1 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    assert_eq!(requests_with(&server, &a).await, 1, "the query was sent with the old token");
    let old = client.token().expect("kept");
    client.auth().refresh("alice", &old).await.expect("refreshes");

    in_flight.await.expect("task runs").expect("replayed with the refreshed token");
    assert_eq!(
        (requests_with(&server, &a).await, refreshes(&server).await, requests_with(&server, &b).await),
        (1, 1, 1)
    );
}
