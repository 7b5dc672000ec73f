//! Retries: which failures are retried, for which operations, how long the client
//! waits, and how the budget protects an always-failing server.
//!
//! Real time with millisecond backoffs rather than tokio's paused clock: these
//! tests talk to real sockets, and a paused clock auto-advances to the next timer
//! whenever the runtime waits for socket I/O, firing attempt timeouts at random.

mod fault_server;

use std::time::{Duration, Instant, SystemTime};

use dcso_portal::{Client, Error, RetryPolicy, TimeoutPhase, TransportErrorKind};
use fault_server::{closed_port_url, FaultServer, Reply};
use serde_json::Value;

const QUERY: &str = "{ tdh_allIssues { id } }";
const MUTATION: &str = "mutation { auth_createAuthorization(input: {resource: \"x\"}) { token } }";
const DATA: &str = r#"{"data":{"tdh_allIssues":[]}}"#;
const GRAPHQL_ERROR: &str = r#"{"errors":[{"message":"denied","extensions":{"code":"0x24B00DAA"}}]}"#;

/// The default policy with millisecond waits, so retries cost no test time.
fn fast() -> RetryPolicy {
    RetryPolicy::default().backoff(Duration::from_millis(1), Duration::from_millis(5))
}

fn client(url: &str, policy: RetryPolicy) -> Client {
    Client::builder(url).token("retries-test-machine-token").retry(policy).build().expect("client")
}

async fn run(client: &Client, document: &str) -> Result<Value, Error> {
    client.execute_graphql(document, None, &[]).await
}

#[derive(Clone, Copy, Debug)]
enum Body {
    GraphQL,
    Html,
    Empty,
}

fn reply(status: u16, body: Body) -> Reply {
    match body {
        Body::GraphQL => Reply::json(status, GRAPHQL_ERROR),
        Body::Html => Reply::html(status),
        Body::Empty => Reply::empty(status),
    }
}

#[tokio::test]
async fn status_by_content_type_matrix() {
    for status in [200, 400, 401, 404, 500, 502, 503] {
        for body in [Body::GraphQL, Body::Html, Body::Empty] {
            let case = format!("HTTP {status} with {body:?} body");
            let retried = matches!(status, 502 | 503);
            for (document, sends) in [(QUERY, if retried { 3 } else { 1 }), (MUTATION, 1)] {
                let server = FaultServer::start(move |_, _| reply(status, body)).await;
                let error = run(&client(&server.url(), fast()), document).await.expect_err(&case);
                assert_eq!(server.request_count(), sends, "{case}: {document}");
                match (body, status) {
                    (Body::GraphQL, _) => {
                        // A GraphQL body is the answer whatever the status: all its errors, typed.
                        assert!(error.is_graphql(), "{case}: {error:?}");
                        assert_eq!(error.glosom().map(|c| c.raw()), Some(0x24B0_0DAA), "{case}");
                        assert_eq!(error.to_string(), "denied (24B00DAA)", "{case}");
                    }
                    (Body::Html, 200) => {
                        assert!(matches!(error, Error::InvalidResponse { .. }), "{case}: {error:?}");
                        assert!(error.to_string().contains("text/html"), "{case}: {error}");
                    }
                    (Body::Empty, 200) => {
                        assert!(matches!(error, Error::InvalidResponse { .. }), "{case}: {error:?}");
                        assert!(error.to_string().contains("empty body"), "{case}: {error}");
                    }
                    (Body::Html, _) => match &error {
                        Error::Http { status: s, content_type, body } => {
                            assert_eq!(*s, status, "{case}");
                            assert_eq!(content_type.as_deref(), Some("text/html; charset=utf-8"), "{case}");
                            assert!(body.contains("Something went wrong"), "{case}: {body}");
                        }
                        other => panic!("{case}: {other:?}"),
                    },
                    (Body::Empty, _) => {
                        assert!(
                            matches!(&error, Error::Http { status: s, body, .. } if *s == status && body.is_empty()),
                            "{case}: {error:?}"
                        );
                        assert_eq!(error.to_string(), format!("HTTP {status} from the Portal"));
                    }
                }
            }
        }
    }
}

#[tokio::test]
async fn retry_counts_per_status() {
    for (status, query_sends) in
        [(408, 3), (429, 3), (502, 3), (503, 3), (504, 3), (400, 1), (403, 1), (409, 1), (500, 1), (501, 1)]
    {
        for (document, sends) in [(QUERY, query_sends), (MUTATION, 1)] {
            let server = FaultServer::start(move |_, _| Reply::empty(status)).await;
            let error = run(&client(&server.url(), fast()), document).await.expect_err("an error status");
            assert_eq!(error.status(), Some(status), "{error:?}");
            assert_eq!(server.request_count(), sends, "HTTP {status}: {document}");
        }
    }
}

#[tokio::test]
async fn a_retried_query_succeeds_when_the_server_recovers() {
    let server = FaultServer::start(|n, _| if n < 2 { Reply::empty(503) } else { Reply::json(200, DATA) }).await;
    let data = run(&client(&server.url(), fast()), QUERY).await.expect("third attempt answers");
    assert_eq!(data, serde_json::json!({"tdh_allIssues": []}));
    assert_eq!(server.request_count(), 3);
    // Every attempt is the same request, token included.
    let requests = server.requests();
    assert!(requests.iter().all(|r| r.body == requests[0].body));
    assert!(requests.iter().all(|r| r.header("authorization") == Some("Bearer retries-test-machine-token")));
}

#[tokio::test]
async fn graphql_errors_and_unknown_policies_are_not_retried() {
    let server = FaultServer::start(|_, _| Reply::json(200, GRAPHQL_ERROR)).await;
    assert!(run(&client(&server.url(), fast()), QUERY).await.expect_err("errors").is_graphql());
    assert_eq!(server.request_count(), 1);

    let server = FaultServer::start(|_, _| Reply::empty(503)).await;
    run(&client(&server.url(), RetryPolicy::none()), QUERY).await.expect_err("503");
    assert_eq!(server.request_count(), 1, "RetryPolicy::none() sends once");

    let server = FaultServer::start(|_, _| Reply::empty(503)).await;
    run(&client(&server.url(), fast().max_attempts(5).budget(false)), QUERY).await.expect_err("503");
    assert_eq!(server.request_count(), 5, "max_attempts(5)");
}

#[tokio::test]
async fn attempt_timeouts_retry_a_query_but_never_resend_a_mutation() {
    for (document, sends) in [(QUERY, 3), (MUTATION, 1)] {
        let server = FaultServer::start(|_, _| Reply::Hang).await;
        let client = Client::builder(server.url())
            .token("retries-test-machine-token")
            .retry(fast())
            .attempt_timeout(Duration::from_millis(100))
            .build()
            .expect("client");
        let error = run(&client, document).await.expect_err("no answer");
        assert!(matches!(error, Error::Timeout { phase: TimeoutPhase::Attempt, .. }), "{error:?}");
        assert_eq!(server.request_count(), sends, "{document}");
    }
}

#[tokio::test]
async fn a_reset_after_sending_retries_a_query_but_never_resends_a_mutation() {
    for (document, sends) in [(QUERY, 3), (MUTATION, 1)] {
        let server = FaultServer::start(|_, _| Reply::Reset).await;
        let error = run(&client(&server.url(), fast()), document).await.expect_err("reset");
        assert!(
            matches!(error, Error::Transport { kind: TransportErrorKind::Connection, .. }),
            "{document}: {error:?}"
        );
        assert_eq!(server.request_count(), sends, "{document}");
    }
}

#[tokio::test]
async fn a_body_cut_short_retries_a_query_but_never_resends_a_mutation() {
    let cut = b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{\"data\":";
    for (document, sends) in [(QUERY, 3), (MUTATION, 1)] {
        let server = FaultServer::start(|_, _| Reply::Raw(cut.to_vec())).await;
        let error = run(&client(&server.url(), fast()), document).await.expect_err("cut short");
        assert!(
            matches!(error, Error::Transport { kind: TransportErrorKind::Connection, .. }),
            "{document}: {error:?}"
        );
        assert_eq!(server.request_count(), sends, "{document}");
    }
}

#[tokio::test]
async fn a_refused_connection_is_retried_even_for_a_mutation() {
    // Nothing was sent, so sending the mutation again is safe. The port opens
    // while the client is still retrying.
    let url = closed_port_url().await;
    let addr = url.trim_start_matches("http://").trim_end_matches("/graphql").to_owned();
    let policy = RetryPolicy::default().max_attempts(200).backoff(Duration::from_millis(10), Duration::from_millis(10));
    let client = client(&url, policy.budget(false));
    let call = tokio::spawn(async move { run(&client, MUTATION).await });
    tokio::time::sleep(Duration::from_millis(150)).await;
    let server =
        FaultServer::start_at(&addr, |_, _| Reply::json(200, r#"{"data":{"auth_createAuthorization":{"token":"t"}}}"#))
            .await;
    let data = call.await.expect("task").expect("the mutation succeeds once the port opens");
    assert_eq!(data["auth_createAuthorization"]["token"], "t");
    assert_eq!(server.request_count(), 1, "sent once, when something listened");

    // With nothing ever listening, the call ends in a connect error.
    let client = self::client(&closed_port_url().await, fast());
    let error = run(&client, QUERY).await.expect_err("refused");
    assert!(matches!(error, Error::Transport { kind: TransportErrorKind::Connect, .. }), "{error:?}");
}

#[tokio::test]
async fn retry_after_in_seconds_is_honoured() {
    let server = FaultServer::start(|n, _| {
        if n == 0 {
            Reply::empty(503).with_header("Retry-After", "1")
        } else {
            Reply::json(200, DATA)
        }
    })
    .await;
    let started = Instant::now();
    run(&client(&server.url(), fast()), QUERY).await.expect("second attempt answers");
    // The backoff alone waits at most 5 ms.
    assert!(started.elapsed() >= Duration::from_secs(1), "{:?}", started.elapsed());
    assert_eq!(server.request_count(), 2);
}

#[tokio::test]
async fn retry_after_as_an_http_date_is_honoured() {
    let server = FaultServer::start(|n, _| {
        if n == 0 {
            // HTTP dates have whole seconds: two seconds ahead is at least one second away.
            let at = httpdate::fmt_http_date(SystemTime::now() + Duration::from_secs(2));
            Reply::empty(429).with_header("Retry-After", &at)
        } else {
            Reply::json(200, DATA)
        }
    })
    .await;
    let started = Instant::now();
    run(&client(&server.url(), fast()), QUERY).await.expect("second attempt answers");
    let waited = started.elapsed();
    assert!(waited >= Duration::from_secs(1) && waited < Duration::from_secs(3), "{waited:?}");
    assert_eq!(server.request_count(), 2);
}

#[tokio::test]
async fn retry_after_above_the_maximum_fails_fast_with_the_hint() {
    for (status, hint, expected) in [
        (429, "3600".to_owned(), Duration::from_secs(3600)),
        (503, "31".to_owned(), Duration::from_secs(31)),
        (429, httpdate::fmt_http_date(SystemTime::now() + Duration::from_secs(7200)), Duration::from_secs(7199)),
    ] {
        let header = hint.clone();
        let server = FaultServer::start(move |_, _| Reply::empty(status).with_header("Retry-After", &header)).await;
        let started = Instant::now();
        let error = run(&client(&server.url(), fast()), QUERY).await.expect_err("rate limited");
        assert!(started.elapsed() < Duration::from_secs(1), "fails fast");
        assert_eq!(server.request_count(), 1);
        match error {
            Error::RateLimited { status: s, retry_after, max_wait } => {
                assert_eq!(s, status);
                assert!(retry_after >= expected && retry_after <= expected + Duration::from_secs(1), "{hint}");
                assert_eq!(max_wait, Duration::from_secs(30), "the default maximum");
            }
            other => panic!("{hint}: {other:?}"),
        }
    }

    // The maximum is configurable, and its error says both durations.
    let server = FaultServer::start(|_, _| Reply::empty(429).with_header("Retry-After", "3")).await;
    let client = Client::builder(server.url())
        .token("retries-test-machine-token")
        .retry(fast())
        .max_retry_after(Duration::from_secs(2))
        .build()
        .expect("client");
    let error = run(&client, QUERY).await.expect_err("rate limited");
    assert!(error.is_rate_limited() && error.status() == Some(429), "{error:?}");
    assert_eq!(error.to_string(), "rate limited: the Portal asks to retry after 3s, more than the allowed 2s");
}

#[tokio::test]
async fn a_wait_past_the_deadline_fails_at_once() {
    // A Retry-After within the maximum but beyond the call's deadline: waiting would
    // only end in a timeout that hides the cause.
    let server = FaultServer::start(|_, _| Reply::empty(503).with_header("Retry-After", "20")).await;
    let client = Client::builder(server.url())
        .token("retries-test-machine-token")
        .retry(fast())
        .timeout(Duration::from_secs(2))
        .build()
        .expect("client");
    let started = Instant::now();
    let error = run(&client, QUERY).await.expect_err("rate limited");
    assert!(started.elapsed() < Duration::from_secs(1));
    match error {
        Error::RateLimited { retry_after, max_wait, .. } => {
            assert_eq!(retry_after, Duration::from_secs(20));
            assert!(max_wait <= Duration::from_secs(2), "{max_wait:?}");
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(server.request_count(), 1);
}

#[tokio::test]
async fn too_many_requests_without_retry_after_backs_off() {
    let server = FaultServer::start(|_, _| Reply::empty(429)).await;
    let policy = RetryPolicy::default().backoff(Duration::from_millis(20), Duration::from_millis(40));
    let started = Instant::now();
    let error = run(&client(&server.url(), policy), QUERY).await.expect_err("429");
    // Full jitter: each wait is random up to its ceiling (20 ms, then 40 ms).
    assert!(started.elapsed() < Duration::from_secs(1), "{:?}", started.elapsed());
    assert_eq!(server.request_count(), 3);
    assert!(matches!(error, Error::Http { status: 429, .. }), "not RateLimited without a hint: {error:?}");
}

#[tokio::test]
async fn the_budget_keeps_an_always_failing_server_from_being_flooded() {
    const CALLS: usize = 100;
    let server = FaultServer::start(|_, _| Reply::empty(503)).await;
    let client = client(&server.url(), fast());
    let calls: Vec<_> = (0..CALLS)
        .map(|_| {
            let client = client.clone();
            tokio::spawn(async move { run(&client, QUERY).await })
        })
        .collect();
    for call in calls {
        assert_eq!(call.await.expect("task").expect_err("503").status(), Some(503));
    }
    let sent = server.request_count();
    // 5 retries in hand, 0.2 more per call: at most 1.2 x 100 + 5.
    assert!(sent > CALLS && sent <= CALLS * 12 / 10 + 5, "{sent} requests for {CALLS} calls");

    // Without the budget every call makes all its attempts.
    let server = FaultServer::start(|_, _| Reply::empty(503)).await;
    let client = self::client(&server.url(), fast().budget(false));
    let calls: Vec<_> = (0..CALLS)
        .map(|_| {
            let client = client.clone();
            tokio::spawn(async move { run(&client, QUERY).await })
        })
        .collect();
    for call in calls {
        call.await.expect("task").expect_err("503");
    }
    assert_eq!(server.request_count(), CALLS * 3);
}
