//! Timeouts: a server that accepts and never answers, or trickles its answer,
//! cannot hold a call past its per-attempt limit or its overall deadline.
//!
//! Small real durations rather than tokio's paused clock: with real sockets a
//! paused clock jumps to the next timer whenever the runtime waits for I/O, so
//! timeouts would fire at random. Every test here is bounded and takes well
//! under a second.

mod fault_server;

use std::time::{Duration, Instant};

use dcso_portal::{Client, ClientBuilder, Error, RetryPolicy, TimeoutPhase, TransportErrorKind};
use fault_server::{closed_port_url, FaultServer, Reply};

const QUERY: &str = "{ tdh_allIssues { id } }";

fn builder(url: &str) -> ClientBuilder {
    Client::builder(url).token("timeouts-test-machine-token")
}

fn fast() -> RetryPolicy {
    RetryPolicy::default().backoff(Duration::from_millis(1), Duration::from_millis(5))
}

async fn timed(client: &Client) -> (Error, Duration) {
    let started = Instant::now();
    let error = client.execute_graphql(QUERY, None, &[]).await.expect_err("the call fails");
    (error, started.elapsed())
}

#[tokio::test]
async fn a_silent_server_hits_the_attempt_timeout() {
    let server = FaultServer::start(|_, _| Reply::Hang).await;
    let client = builder(&server.url())
        .retry(RetryPolicy::none())
        .attempt_timeout(Duration::from_millis(200))
        .build()
        .expect("client");
    let (error, took) = timed(&client).await;
    match error {
        Error::Timeout { phase: TimeoutPhase::Attempt, after } => assert_eq!(after, Duration::from_millis(200)),
        other => panic!("{other:?}"),
    }
    assert!(took >= Duration::from_millis(200) && took < Duration::from_secs(2), "{took:?}");
    assert_eq!(
        client.execute_graphql(QUERY, None, &[]).await.expect_err("again").to_string(),
        "timed out after 200ms: waiting for the Portal's answer"
    );
}

#[tokio::test]
async fn a_trickling_server_hits_the_attempt_timeout() {
    // Each byte comes well within any read timeout, the whole answer never does.
    let server =
        FaultServer::start(|_, _| Reply::Trickle { body: vec![b' '; 10_000], every: Duration::from_millis(20) }).await;
    let client = builder(&server.url())
        .retry(RetryPolicy::none())
        .attempt_timeout(Duration::from_millis(300))
        .build()
        .expect("client");
    let (error, took) = timed(&client).await;
    assert!(matches!(error, Error::Timeout { phase: TimeoutPhase::Attempt, .. }), "{error:?}");
    assert!(took < Duration::from_secs(2), "the whole trickle would take 200 s: {took:?}");
}

#[tokio::test]
async fn the_deadline_bounds_a_trickle_even_with_a_long_attempt_timeout() {
    let server =
        FaultServer::start(|_, _| Reply::Trickle { body: vec![b' '; 10_000], every: Duration::from_millis(20) }).await;
    let client = builder(&server.url())
        .attempt_timeout(Duration::from_secs(30))
        .timeout(Duration::from_millis(300))
        .build()
        .expect("client");
    let (error, took) = timed(&client).await;
    match error {
        Error::Timeout { phase: TimeoutPhase::Deadline, after } => assert_eq!(after, Duration::from_millis(300)),
        other => panic!("{other:?}"),
    }
    assert!(took >= Duration::from_millis(300) && took < Duration::from_secs(2), "{took:?}");
}

#[tokio::test]
async fn the_deadline_covers_retries_and_the_waits_between_them() {
    // Every attempt times out and is retried; the call still ends at its deadline.
    let server = FaultServer::start(|_, _| Reply::Hang).await;
    let client = builder(&server.url())
        .retry(
            RetryPolicy::default()
                .max_attempts(100)
                .budget(false)
                .backoff(Duration::from_millis(50), Duration::from_millis(50)),
        )
        .attempt_timeout(Duration::from_millis(100))
        .timeout(Duration::from_millis(600))
        .build()
        .expect("client");
    let (error, took) = timed(&client).await;
    assert!(error.is_timeout(), "{error:?}");
    assert!(took < Duration::from_secs(2), "100 attempts would take 15 s: {took:?}");
    let attempts = server.request_count();
    assert!((2..=6).contains(&attempts), "{attempts} attempts in {took:?}");
}

#[tokio::test]
async fn a_closed_port_is_a_connect_error_not_a_timeout() {
    let client = builder(&closed_port_url().await).retry(fast()).build().expect("client");
    let (error, took) = timed(&client).await;
    assert!(matches!(error, Error::Transport { kind: TransportErrorKind::Connect, .. }), "{error:?}");
    assert_eq!(error.to_string(), "could not connect to the Portal");
    assert!(std::error::Error::source(&error).is_some(), "the cause is kept as the source");
    assert!(took < Duration::from_secs(1), "{took:?}");
}

#[tokio::test]
async fn a_timely_answer_is_unaffected_by_short_limits() {
    let server = FaultServer::start(|_, _| Reply::json(200, r#"{"data":{"ok":true}}"#)).await;
    let client = builder(&server.url())
        .timeout(Duration::from_millis(500))
        .attempt_timeout(Duration::from_millis(400))
        .connect_timeout(Duration::from_millis(300))
        .build()
        .expect("client");
    for _ in 0..20 {
        let data = client.execute_graphql(QUERY, None, &[]).await.expect("answer");
        assert_eq!(data["ok"], true);
    }
}

#[test]
fn zero_limits_are_refused_when_building() {
    for (name, b) in [
        ("timeout", builder("http://127.0.0.1:1/graphql").timeout(Duration::ZERO)),
        ("attempt timeout", builder("http://127.0.0.1:1/graphql").attempt_timeout(Duration::ZERO)),
        ("connect timeout", builder("http://127.0.0.1:1/graphql").connect_timeout(Duration::ZERO)),
    ] {
        let error = b.build().expect_err(name);
        assert!(error.is_config() && error.to_string().contains(name), "{error}");
    }
}

#[test]
fn documented_defaults() {
    assert_eq!(dcso_portal::DEFAULT_TIMEOUT, Duration::from_secs(60));
    assert_eq!(dcso_portal::DEFAULT_ATTEMPT_TIMEOUT, Duration::from_secs(30));
    assert_eq!(dcso_portal::DEFAULT_CONNECT_TIMEOUT, Duration::from_secs(10));
    assert_eq!(dcso_portal::DEFAULT_MAX_RESPONSE_BYTES, 32 * 1024 * 1024);
}
