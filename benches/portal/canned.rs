//! The in-process loopback server that answers every POST with a canned body, on
//! its own thread and runtime so it costs the client side almost nothing, and the
//! `tdh_allIssues` answers it serves.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::Router;
use serde_json::{json, Value};

/// One request as the server saw it: its headers and body.
#[derive(Clone)]
pub struct Seen {
    pub headers: HeaderMap,
    pub body: Bytes,
}

struct Shared {
    answers: HashMap<String, Bytes>,
    /// The first request on each path, to prove both clients send the same thing.
    first: Mutex<HashMap<String, Seen>>,
}

pub struct CannedServer {
    addr: SocketAddr,
    shared: Arc<Shared>,
    runtime: Option<tokio::runtime::Runtime>,
}

impl Drop for CannedServer {
    fn drop(&mut self) {
        // Dropping a runtime blocks, which is not allowed on the client's runtime.
        if let Some(runtime) = self.runtime.take() {
            runtime.shutdown_background();
        }
    }
}

impl CannedServer {
    /// Serves each `(name, body)` at `POST /<name>`.
    pub fn start(answers: Vec<(&str, Vec<u8>)>) -> CannedServer {
        let shared = Arc::new(Shared {
            answers: answers.into_iter().map(|(name, body)| (name.to_owned(), Bytes::from(body))).collect(),
            first: Mutex::new(HashMap::new()),
        });
        let runtime = server_runtime("canned");
        let listener =
            block_on_server(&runtime, tokio::net::TcpListener::bind(("127.0.0.1", 0))).expect("bind a loopback port");
        let addr = listener.local_addr().expect("local address");
        let router = Router::new().route("/{name}", post(answer)).with_state(shared.clone());
        runtime.spawn(async move {
            use axum::serve::ListenerExt as _;
            let listener = listener.tap_io(|stream| {
                let _ = stream.set_nodelay(true);
            });
            axum::serve(listener, router).await.expect("serve");
        });
        CannedServer { addr, shared, runtime: Some(runtime) }
    }

    pub fn url(&self, name: &str) -> String {
        format!("http://{}/{name}", self.addr)
    }

    /// The first request seen at `/<name>`.
    pub fn first(&self, name: &str) -> Option<Seen> {
        self.shared.first.lock().expect("not poisoned").get(name).cloned()
    }
}

async fn answer(
    State(shared): State<Arc<Shared>>,
    Path(name): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let Some(answer) = shared.answers.get(&name) else {
        return StatusCode::NOT_FOUND.into_response();
    };
    shared.first.lock().expect("not poisoned").entry(name).or_insert(Seen { headers, body });
    ([(header::CONTENT_TYPE, "application/json")], answer.clone()).into_response()
}

/// A runtime with one worker thread for a server, so it never runs on the
/// client's thread (whose allocations are the ones counted).
pub fn server_runtime(name: &str) -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .thread_name(format!("{name}-server"))
        .enable_all()
        .build()
        .expect("a server runtime")
}

/// Runs `future` to completion on `runtime` from another thread, so it works
/// from within the client's runtime too.
pub fn block_on_server<F: std::future::Future + Send>(runtime: &tokio::runtime::Runtime, future: F) -> F::Output
where
    F::Output: Send,
{
    std::thread::scope(|s| s.spawn(|| runtime.block_on(future)).join().expect("the server thread panicked"))
}

/// A `tdh_allIssues` answer with `n` issues shaped like the Portal's: every field
/// the `AllIssues` query selects, 1 or 2 affected assets each (about 500 bytes an issue). Deterministic.
pub fn all_issues_answer(n: usize) -> Vec<u8> {
    const SEVERITY: [&str; 5] = ["INFO", "LOW", "MEDIUM", "HIGH", "CRITICAL"];
    const STATUS: [&str; 4] = ["OPEN", "IN_PROGRESS", "RESOLVED", "CLOSED"];
    const CATEGORY: [&str; 8] = [
        "MALWARE",
        "PHISHING",
        "COMMAND_AND_CONTROL",
        "LATERAL_MOVEMENT",
        "DATA_EXFILTRATION",
        "RECONNAISSANCE",
        "VULNERABILITY",
        "POLICY_VIOLATION",
    ];
    const OS: [&str; 4] = ["Windows 10", "Ubuntu 22.04", "macOS 14", "Windows Server 2019"];
    let mut rng = fastrand::Rng::with_seed(8);
    let issues: Vec<Value> = (0..n)
        .map(|i| {
            let assets: Vec<Value> = (0..rng.usize(1..=2))
                .map(|a| {
                    json!({
                        "ip": format!("10.{}.{}.{}", rng.u8(..), rng.u8(..), a + 1),
                        "hostname": if rng.bool() { Value::from(format!("host-{i}-{a}.corp.example")) } else { Value::Null },
                        "macAddress": format!("00:1a:2b:{:02x}:{:02x}:{:02x}", rng.u8(..), rng.u8(..), rng.u8(..)),
                        "operatingSystem": OS[rng.usize(..OS.len())],
                    })
                })
                .collect();
            let day = 1 + i % 28;
            json!({
                "id": format!("{:08x}-{:04x}-4{:03x}-8{:03x}-{:012x}", rng.u32(..), rng.u16(..), rng.u16(..0x1000), rng.u16(..0x1000), rng.u64(..1 << 48)),
                "reference": format!("TDH-2024-{:05}", i + 1),
                "title": format!("Suspicious outbound traffic from workstation {i} to a known C2 address"),
                "description": if i % 4 == 3 { Value::Null } else { Value::from(format!(
                    "Host {i} contacted a listed domain {} times in {} hours, like a remote access tool.",
                    rng.u32(2..500), rng.u32(1..48)
                )) },
                "severity": SEVERITY[rng.usize(..SEVERITY.len())],
                "status": STATUS[rng.usize(..STATUS.len())],
                "category": CATEGORY[rng.usize(..CATEGORY.len())],
                "createdOn": format!("2024-03-{day:02}T09:{:02}:{:02}.{:06}Z", rng.u8(..60), rng.u8(..60), rng.u32(..1_000_000)),
                "updatedOn": format!("2024-04-{day:02}T17:{:02}:{:02}.{:06}Z", rng.u8(..60), rng.u8(..60), rng.u32(..1_000_000)),
                "firstSeen": if i % 3 == 0 { Value::Null } else { Value::from(format!("2024-02-{day:02}T23:{:02}:{:02}Z", rng.u8(..60), rng.u8(..60))) },
                "affectedAssets": assets,
            })
        })
        .collect();
    serde_json::to_vec(&json!({ "data": { "tdh_allIssues": issues } })).expect("JSON")
}
