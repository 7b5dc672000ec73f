//! The response size cap: enforced while reading (a huge or endless body fails
//! early, with bounded memory), and after decompression (a gzip or brotli bomb
//! fails like any other large answer).

mod fault_server;

use std::io::Write as _;
use std::time::Duration;

use dcso_portal::{Client, Error, RetryPolicy};
use fault_server::{FaultServer, Reply};

const QUERY: &str = "{ tdh_allIssues { id } }";
const MIB: u64 = 1024 * 1024;

fn client(url: &str, limit: u64) -> Client {
    Client::builder(url)
        .token("limits-test-machine-token")
        .max_response_bytes(limit)
        .retry(RetryPolicy::default().backoff(Duration::from_millis(1), Duration::from_millis(5)))
        .build()
        .expect("client")
}

fn gzip(data: &[u8]) -> Vec<u8> {
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    encoder.write_all(data).expect("compress");
    encoder.finish().expect("compress")
}

fn brotli(data: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    let mut encoder = brotli::CompressorWriter::new(&mut out, 4096, 9, 22);
    encoder.write_all(data).expect("compress");
    drop(encoder);
    out
}

fn encoded(encoding: &'static str, body: Vec<u8>) -> Reply {
    Reply::Respond {
        status: 200,
        headers: vec![("Content-Type".into(), "application/json".into()), ("Content-Encoding".into(), encoding.into())],
        body,
    }
}

/// `{"data":{"pad":"   …"}}`, exactly `size` bytes.
fn json_of_size(size: usize) -> Vec<u8> {
    let frame = r#"{"data":{"pad":""}}"#.len();
    format!(r#"{{"data":{{"pad":"{}"}}}}"#, " ".repeat(size - frame)).into_bytes()
}

#[tokio::test]
async fn a_content_length_over_the_cap_fails_before_the_body_is_read() {
    let server = FaultServer::start(|_, _| Reply::Sized { length: 100 * MIB }).await;
    let error = client(&server.url(), MIB).execute_graphql(QUERY, None, &[]).await.expect_err("too large");
    assert!(matches!(error, Error::ResponseTooLarge { limit } if limit == MIB), "{error:?}");
    assert_eq!(error.to_string(), "the answer exceeds the response size limit of 1048576 bytes");
    assert!(server.client_left_stream(Duration::from_secs(5)).await, "the client hung up");
    assert!(server.streamed_bytes() < 100 * MIB, "{} bytes sent", server.streamed_bytes());
    assert_eq!(server.request_count(), 1, "a too-large answer is not retried");
}

#[tokio::test]
async fn an_endless_body_stops_at_the_cap() {
    let server = FaultServer::start(|_, _| Reply::Endless { headers: Vec::new() }).await;
    let error = client(&server.url(), MIB).execute_graphql(QUERY, None, &[]).await.expect_err("too large");
    assert!(matches!(error, Error::ResponseTooLarge { limit } if limit == MIB), "{error:?}");
    assert!(server.client_left_stream(Duration::from_secs(5)).await, "the server saw the client stop");
    // What was sent past the cap sits in socket buffers, never in the client's memory.
    let sent = server.streamed_bytes();
    assert!((MIB..16 * MIB).contains(&sent), "{sent} bytes sent");
    assert_eq!(server.request_count(), 1);
}

#[tokio::test]
async fn the_cap_is_inclusive() {
    let at_cap = json_of_size(64 * 1024);
    let over = json_of_size(64 * 1024 + 1);
    let server = FaultServer::start(move |n, _| {
        Reply::json(200, String::from_utf8(if n == 0 { at_cap.clone() } else { over.clone() }).expect("utf-8"))
    })
    .await;
    let client = client(&server.url(), 64 * 1024);
    client.execute_graphql(QUERY, None, &[]).await.expect("exactly at the cap");
    let error = client.execute_graphql(QUERY, None, &[]).await.expect_err("one byte over");
    assert!(matches!(error, Error::ResponseTooLarge { .. }), "{error:?}");
}

#[tokio::test]
async fn compressed_answers_are_accepted() {
    let body = br#"{"data":{"tdh_allIssues":[{"id":"3be13d5f-1556-4edf-a243-e7ea4db67f2e"}]}}"#;
    for (encoding, compressed) in [("gzip", gzip(body)), ("br", brotli(body))] {
        let server = FaultServer::start(move |_, _| encoded(encoding, compressed.clone())).await;
        let data = client(&server.url(), MIB).execute_graphql(QUERY, None, &[]).await.expect(encoding);
        assert_eq!(data["tdh_allIssues"][0]["id"], "3be13d5f-1556-4edf-a243-e7ea4db67f2e", "{encoding}");
        let accept = server.requests()[0].header("accept-encoding").map(str::to_owned).unwrap_or_default();
        assert!(accept.contains("gzip") && accept.contains("br"), "{accept}");
    }
}

#[tokio::test]
async fn a_compression_bomb_is_capped_after_decompression() {
    // 8 MiB of JSON compresses to a few KiB; the cap is on what it inflates to.
    let bomb = json_of_size(8 * MIB as usize);
    for (encoding, compressed) in [("gzip", gzip(&bomb)), ("br", brotli(&bomb))] {
        assert!(compressed.len() < 64 * 1024, "{encoding}: {} bytes", compressed.len());
        let server = FaultServer::start(move |_, _| encoded(encoding, compressed.clone())).await;
        let error = client(&server.url(), MIB).execute_graphql(QUERY, None, &[]).await.expect_err(encoding);
        assert!(matches!(error, Error::ResponseTooLarge { limit } if limit == MIB), "{encoding}: {error:?}");
        assert_eq!(server.request_count(), 1, "{encoding}");
    }
}

#[tokio::test]
async fn a_body_that_does_not_decompress_is_an_invalid_answer() {
    for encoding in ["gzip", "br"] {
        let server = FaultServer::start(move |_, _| encoded(encoding, b"definitely not compressed".to_vec())).await;
        let error = client(&server.url(), MIB).execute_graphql(QUERY, None, &[]).await.expect_err(encoding);
        assert!(matches!(error, Error::InvalidResponse { .. }), "{encoding}: {error:?}");
        assert!(error.to_string().contains("decompress"), "{encoding}: {error}");
        assert_eq!(server.request_count(), 1, "{encoding}: not retried");
    }
}

#[test]
fn a_zero_cap_is_refused() {
    let error = Client::builder("http://127.0.0.1:1/graphql").max_response_bytes(0).build().expect_err("zero");
    assert!(error.is_config(), "{error}");
}
