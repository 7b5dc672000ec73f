//! Tracing: one `portal.request` span per call with operation name, operation
//! type, attempts, HTTP status, latency and GLOSOM code; variables and the token
//! never appear, even at TRACE level and from the HTTP stack beneath.
//!
//! Each test installs a capturing subscriber for its own thread; `#[tokio::test]`
//! runs the call, the HTTP client's tasks and the fault server on that thread.

mod fault_server;

use std::io::Write;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use dcso_portal::operations::{user, User};
use dcso_portal::{Client, RetryPolicy};
use fault_server::{FaultServer, Reply};
use serde_json::json;
use tracing_subscriber::fmt::format::FmtSpan;

const TOKEN: &str = "tracing-SECRET-token-7f3a9c";
const VARIABLE: &str = "VARIABLE-VALUE-5e1d08";

#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().expect("buffer").extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl Captured {
    /// Everything logged at TRACE and above, spans shown when they close (with
    /// every field recorded by then), until the guard is dropped.
    fn install() -> (Captured, tracing::subscriber::DefaultGuard) {
        let captured = Captured::default();
        let writer = captured.clone();
        let subscriber = tracing_subscriber::fmt()
            .with_writer(move || writer.clone())
            .with_ansi(false)
            .with_max_level(tracing::Level::TRACE)
            .with_span_events(FmtSpan::CLOSE)
            .finish();
        (captured, tracing::subscriber::set_default(subscriber))
    }

    fn text(&self) -> String {
        String::from_utf8(self.0.lock().expect("buffer").clone()).expect("utf-8")
    }

    /// The lines that close a `portal.request` span.
    fn closed_spans(&self) -> Vec<String> {
        self.text()
            .lines()
            .filter(|l| l.contains("portal.request{") && l.contains(" close "))
            .map(str::to_owned)
            .collect()
    }
}

fn client(url: &str) -> Client {
    Client::builder(url)
        .token(TOKEN)
        .retry(RetryPolicy::default().backoff(Duration::from_millis(1), Duration::from_millis(5)))
        .build()
        .expect("client")
}

#[tokio::test]
async fn a_span_per_call_with_its_numbers() {
    let (captured, _guard) = Captured::install();
    let server = FaultServer::start(|n, _| {
        if n < 2 {
            Reply::empty(503)
        } else {
            Reply::json(200, r#"{"errors":[{"message":"not authorized","extensions":{"code":615517610}}]}"#)
        }
    })
    .await;
    let error = client(&server.url()).query::<User>(user::Variables { id: None }).await.expect_err("denied");
    assert!(error.is_graphql());

    let spans = captured.closed_spans();
    assert_eq!(spans.len(), 1, "{}", captured.text());
    let span = &spans[0];
    for field in ["operation=\"User\"", "kind=\"query\"", "attempt=3", "status=200", "glosom=24B00DAA", "latency_ms="] {
        assert!(span.contains(field), "{field} in {span}");
    }
    assert_eq!(span.matches("attempt=").count(), 1, "recorded once: {span}");
    // Each attempt has its own event inside the span.
    let text = captured.text();
    assert_eq!(text.matches("answer received").count(), 3, "{text}");
    assert!(text.contains("attempt=1 status=503"), "{text}");
    assert_eq!(text.matches("retrying").count(), 2, "{text}");
}

#[tokio::test]
async fn a_mutation_and_a_failed_call_are_traced_too() {
    let (captured, _guard) = Captured::install();
    let server = FaultServer::start(|_, _| Reply::json(200, r#"{"data":{"x":1}}"#)).await;
    let client = client(&server.url());
    client.execute_graphql("mutation { x }", None, &[]).await.expect("data");

    let silent = FaultServer::start(|_, _| Reply::Hang).await;
    let impatient = Client::builder(silent.url())
        .token(TOKEN)
        .retry(RetryPolicy::none())
        .attempt_timeout(Duration::from_millis(50))
        .build()
        .expect("client");
    impatient.execute_graphql("{ x }", None, &[]).await.expect_err("timeout");

    let spans = captured.closed_spans();
    assert_eq!(spans.len(), 2, "{}", captured.text());
    assert!(spans[0].contains("operation=\"anonymous\"") && spans[0].contains("kind=\"mutation\""), "{}", spans[0]);
    assert!(spans[0].contains("status=200") && spans[0].contains("attempt=1"), "{}", spans[0]);
    assert!(
        spans[1].contains("attempt=1") && !spans[1].contains("status="),
        "no status without an answer: {}",
        spans[1]
    );
    let text = captured.text();
    assert!(text.contains("attempt failed") && text.contains("timed out after 50ms"), "logged at DEBUG: {text}");
}

#[tokio::test]
async fn variables_and_the_token_never_appear_at_trace_level() {
    let (captured, _guard) = Captured::install();
    let server = FaultServer::start(|n, request| match n {
        0 => Reply::empty(503),
        1 => Reply::json(200, r#"{"data":{"x":1}}"#),
        2 => Reply::json(200, r#"{"errors":[{"message":"bad input"}]}"#),
        3 => Reply::empty(307).with_header("Location", "http://127.0.0.2:1/graphql"),
        _ => {
            // The request itself did carry both.
            assert!(request.text().contains(VARIABLE));
            assert_eq!(request.header("authorization"), Some(format!("Bearer {TOKEN}").as_str()));
            Reply::json(200, r#"{"data":{}}"#)
        }
    })
    .await;
    let client = client(&server.url());
    let variables = json!({"needle": VARIABLE});
    let document = "query Q($needle: String) { x(filter: $needle) }";
    client.execute_graphql(document, Some(&variables), &[]).await.expect("after a retry");
    client.execute_graphql(document, Some(&variables), &[]).await.expect_err("GraphQL error");
    client.execute_graphql(document, Some(&variables), &[]).await.expect_err("redirect refused");
    client.execute_graphql(document, Some(&variables), &[]).await.expect("data");

    let text = captured.text();
    assert!(text.matches("portal.request{").count() >= 4, "the calls were traced: {text}");
    assert!(text.contains("TRACE") || text.contains("DEBUG"), "{text}");
    assert!(!text.contains(TOKEN), "the token leaked:\n{text}");
    assert!(!text.contains(VARIABLE), "a variable leaked:\n{text}");
    assert!(!text.contains("needle"), "variable names stay out too:\n{text}");
}
