//! The two clients compared everywhere: the SDK, and the practical limit — raw
//! `reqwest` + `serde_json` sending the identical request and decoding into the
//! same generated type — plus the loop that drives either.

use std::future::Future;
use std::sync::Arc;
use std::time::{Duration, Instant};

use dcso_portal::{Client, Operation};
use reqwest::header::{HeaderValue, ACCEPT, AUTHORIZATION, CONTENT_TYPE};
use serde::{Deserialize, Serialize};

use crate::alloc;

/// The SDK as a user builds it: defaults (retries, timeouts, size cap) left on.
pub fn sdk(url: &str, token: &str) -> Client {
    Client::builder(url).token(token).token_from_env(false).build().expect("a client")
}

/// What a careful user writes without the SDK: one reqwest client, the same
/// headers, the request body serialized per call, the answer decoded straight
/// from the bytes into the generated type.
///
/// Shared behind one `Arc`, so that handing it to a task costs what handing
/// over the SDK's `Client` does.
#[derive(Clone)]
pub struct Raw(Arc<RawInner>);

struct RawInner {
    http: reqwest::Client,
    url: reqwest::Url,
    authorization: HeaderValue,
    timeout: Option<Duration>,
}

#[derive(Serialize)]
struct Request<'a, V> {
    query: &'a str,
    variables: V,
    #[serde(rename = "operationName")]
    operation_name: &'a str,
}

#[derive(Deserialize)]
pub struct Envelope<T> {
    pub data: T,
}

impl Raw {
    pub fn new(url: &str, token: &str) -> Raw {
        let http = reqwest::Client::builder()
            .user_agent(concat!("dcso-portal/", env!("CARGO_PKG_VERSION")))
            .tcp_nodelay(true)
            .build()
            .expect("a reqwest client");
        let mut authorization = HeaderValue::try_from(format!("Bearer {token}")).expect("a header value");
        authorization.set_sensitive(true);
        Raw(Arc::new(RawInner { http, url: url.parse().expect("a URL"), authorization, timeout: None }))
    }

    /// The same, with a per-request timeout (reqwest's `RequestBuilder::timeout`),
    /// the guarantee the SDK's attempt timeout gives.
    pub fn with_timeout(url: &str, token: &str, timeout: Duration) -> Raw {
        let Raw(inner) = Raw::new(url, token);
        let inner = Arc::into_inner(inner).expect("not shared yet");
        Raw(Arc::new(RawInner { timeout: Some(timeout), ..inner }))
    }

    /// The raw answer body of one call.
    pub async fn answer<Op: Operation>(&self, variables: Op::Variables) -> bytes::Bytes {
        let body = serde_json::to_vec(&Request { query: Op::DOCUMENT, variables, operation_name: Op::NAME })
            .expect("the variables serialize");
        let raw = &*self.0;
        let mut request = raw
            .http
            .post(raw.url.clone())
            .header(CONTENT_TYPE, HeaderValue::from_static("application/json"))
            .header(ACCEPT, HeaderValue::from_static("application/graphql-response+json, application/json;q=0.9"))
            .header(AUTHORIZATION, raw.authorization.clone())
            .body(body);
        if let Some(timeout) = raw.timeout {
            request = request.timeout(timeout);
        }
        let response = request.send().await.expect("the request is sent");
        assert!(response.status().is_success(), "HTTP {}", response.status());
        response.bytes().await.expect("the body is read")
    }

    pub async fn query<Op: Operation>(&self, variables: Op::Variables) -> Op::ResponseData {
        let bytes = self.answer::<Op>(variables).await;
        serde_json::from_slice::<Envelope<Op::ResponseData>>(&bytes).expect("the answer decodes").data
    }
}

/// What one batch of calls cost.
pub struct Batch {
    pub calls: usize,
    pub wall: Duration,
    /// CPU time of the client's thread: what the client itself costs, without
    /// the time spent waiting for the server.
    pub cpu: Duration,
    /// Each call's latency, sorted.
    pub latencies: Vec<Duration>,
    /// Allocations and bytes allocated on the client's thread, per call.
    pub allocations_per_call: f64,
    pub bytes_per_call: f64,
}

impl Batch {
    pub fn per_call(&self) -> Duration {
        self.wall / self.calls as u32
    }

    /// One batch out of several slices of the same run.
    pub fn merge(slices: Vec<Batch>) -> Batch {
        let calls: usize = slices.iter().map(|b| b.calls).sum();
        let mut latencies: Vec<Duration> = slices.iter().flat_map(|b| b.latencies.iter().copied()).collect();
        latencies.sort();
        let weighted = |f: fn(&Batch) -> f64| slices.iter().map(|b| f(b) * b.calls as f64).sum::<f64>() / calls as f64;
        Batch {
            calls,
            wall: slices.iter().map(|b| b.wall).sum(),
            cpu: slices.iter().map(|b| b.cpu).sum(),
            latencies,
            allocations_per_call: weighted(|b| b.allocations_per_call),
            bytes_per_call: weighted(|b| b.bytes_per_call),
        }
    }

    pub fn cpu_per_call(&self) -> Duration {
        self.cpu / self.calls as u32
    }

    pub fn per_second(&self) -> f64 {
        self.calls as f64 / self.wall.as_secs_f64()
    }
}

/// Runs `calls` calls of `call`, `in_flight` at a time (1: one after the other,
/// on the caller's task; more: that many spawned tasks taking calls from a
/// shared counter).
pub async fn drive<F, Fut>(calls: usize, in_flight: usize, call: F) -> Batch
where
    F: Fn() -> Fut + Clone + Send + 'static,
    Fut: Future<Output = ()> + Send,
{
    let before = alloc::snapshot();
    let cpu_before = thread_cpu_time();
    let started = Instant::now();
    let mut latencies = Vec::with_capacity(calls);
    if in_flight <= 1 {
        for _ in 0..calls {
            let t = Instant::now();
            call().await;
            latencies.push(t.elapsed());
        }
    } else {
        let next = Arc::new(std::sync::atomic::AtomicUsize::new(0));
        let mut tasks = tokio::task::JoinSet::new();
        for _ in 0..in_flight {
            let call = call.clone();
            let next = next.clone();
            tasks.spawn(async move {
                let mut mine = Vec::with_capacity(calls / in_flight + 1);
                while next.fetch_add(1, std::sync::atomic::Ordering::Relaxed) < calls {
                    let t = Instant::now();
                    call().await;
                    mine.push(t.elapsed());
                }
                mine
            });
        }
        while let Some(mine) = tasks.join_next().await {
            latencies.extend(mine.expect("a call panicked"));
        }
    }
    let wall = started.elapsed();
    let cpu = thread_cpu_time() - cpu_before;
    let after = alloc::snapshot();
    latencies.sort();
    Batch {
        calls,
        wall,
        cpu,
        latencies,
        allocations_per_call: (after.allocations - before.allocations) as f64 / calls as f64,
        bytes_per_call: (after.allocated - before.allocated) as f64 / calls as f64,
    }
}

/// CPU time this thread has used so far.
pub fn thread_cpu_time() -> Duration {
    let mut now = libc::timespec { tv_sec: 0, tv_nsec: 0 };
    // SAFETY: `now` is a valid, writable timespec; the call only writes to it.
    let rc = unsafe { libc::clock_gettime(libc::CLOCK_THREAD_CPUTIME_ID, &mut now) };
    assert_eq!(rc, 0, "clock_gettime(CLOCK_THREAD_CPUTIME_ID) failed");
    Duration::new(now.tv_sec as u64, now.tv_nsec as u32)
}
