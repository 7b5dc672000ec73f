//! The HTTP side: `POST /graphql` with a JSON body, the start-up builder, and
//! the handle that shuts the server down when dropped.

use std::net::{Ipv4Addr, Ipv6Addr, SocketAddr};
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use axum::body::{Body, Bytes};
use axum::extract::State;
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::serve::ListenerExt as _;
use axum::Router;
use serde::Deserialize;
use serde_json::{json, Map, Value};
use tokio::net::TcpListener;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

use crate::auth::{Auth, Credential};
use crate::data::{Dataset, SeedData, DEFAULT_ALERTS, DEFAULT_ISSUES};
use crate::error::SandboxError;
use crate::state::{Portal, RequestAuth};
use crate::stats::{Counters, Stats};
use crate::{resolvers, schema};

/// Largest request body accepted (1 MiB); larger ones get 413.
pub const MAX_BODY_BYTES: usize = 1024 * 1024;
/// Deepest selection nesting accepted.
pub const MAX_DEPTH: usize = 24;
/// Most fields (counting every alias and nested field once) in one request.
pub const MAX_COMPLEXITY: usize = 2000;
/// How long a user token lives unless the builder says otherwise (1 hour).
pub const DEFAULT_TOKEN_TTL: Duration = Duration::from_secs(3600);

/// A running sandbox Portal. Dropping it shuts the server down.
///
/// ```no_run
/// # async fn demo() -> Result<(), portal_sandbox::SandboxError> {
/// let sandbox = portal_sandbox::Sandbox::start().await?;
/// println!("GraphQL endpoint: {}", sandbox.url());
/// # Ok(()) }
/// ```
pub struct Sandbox {
    addr: SocketAddr,
    portal: Arc<Portal>,
    shutdown: Option<oneshot::Sender<()>>,
    task: Option<JoinHandle<()>>,
}

impl std::fmt::Debug for Sandbox {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Sandbox").field("addr", &self.addr).finish_non_exhaustive()
    }
}

impl Sandbox {
    /// Starts a sandbox with the demo data on `127.0.0.1` and a free port.
    pub async fn start() -> Result<Sandbox, SandboxError> {
        Self::builder().start().await
    }

    /// A builder for a sandbox with other data, token lifetime or address.
    pub fn builder() -> SandboxBuilder {
        SandboxBuilder::default()
    }

    /// The GraphQL endpoint, e.g. `http://127.0.0.1:40123/graphql`. An
    /// unspecified listen address (`0.0.0.0`, `::`) is given as loopback.
    pub fn url(&self) -> String {
        format!("http://{}/graphql", connectable(self.addr))
    }

    /// The address the server listens on.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// A snapshot of the request, refresh and connection counters.
    pub fn stats(&self) -> Stats {
        self.portal.counters.snapshot()
    }

    /// Every user token issued so far stops working (the machine token keeps
    /// working).
    pub fn revoke_all_tokens(&self) {
        self.portal.auth.revoke_all();
    }

    /// The machine token stops working.
    pub fn revoke_machine_token(&self) {
        self.portal.auth.revoke_machine_token();
    }

    /// Issues a full (not temporary) user token for `username` that expires
    /// `ttl` from now, in whole seconds, without a sign-in; a zero `ttl` gives
    /// a token that is already expired. For tests of expiry and refresh.
    pub fn issue_token(&self, username: &str, ttl: Duration) -> Result<String, SandboxError> {
        self.portal.auth.issue_for(username, ttl)
    }

    /// Stops accepting connections, lets requests in flight finish, and
    /// waits for the server to stop.
    pub async fn shutdown(mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        if let Some(task) = self.task.take() {
            let _ = task.await;
        }
    }
}

/// `addr`, with an unspecified IP (`0.0.0.0`, `::`) replaced by loopback.
fn connectable(mut addr: SocketAddr) -> SocketAddr {
    if addr.ip().is_unspecified() {
        addr.set_ip(match addr {
            SocketAddr::V4(_) => Ipv4Addr::LOCALHOST.into(),
            SocketAddr::V6(_) => Ipv6Addr::LOCALHOST.into(),
        });
    }
    addr
}

impl Drop for Sandbox {
    fn drop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
    }
}

/// Configures a [`Sandbox`] before it starts.
///
/// ```no_run
/// # async fn demo() -> Result<(), portal_sandbox::SandboxError> {
/// use std::time::Duration;
///
/// let sandbox = portal_sandbox::Sandbox::builder()
///     .alerts(100_000)
///     .token_ttl(Duration::from_secs(60))
///     .start()
///     .await?;
/// # Ok(()) }
/// ```
#[derive(Debug, Clone)]
pub struct SandboxBuilder {
    issues: usize,
    alerts: usize,
    token_ttl: Duration,
    data: Option<SeedData>,
    data_file: Option<PathBuf>,
    listen: SocketAddr,
}

impl Default for SandboxBuilder {
    fn default() -> Self {
        SandboxBuilder {
            issues: DEFAULT_ISSUES,
            alerts: DEFAULT_ALERTS,
            token_ttl: DEFAULT_TOKEN_TTL,
            data: None,
            data_file: None,
            listen: SocketAddr::from((Ipv4Addr::LOCALHOST, 0)),
        }
    }
}

impl SandboxBuilder {
    /// Generates `n` TDH issues (default 64) unless seed data lists issues.
    pub fn issues(mut self, n: usize) -> Self {
        self.issues = n;
        self
    }

    /// Generates `n` alerts (default 300) unless seed data lists alerts.
    pub fn alerts(mut self, n: usize) -> Self {
        self.alerts = n;
        self
    }

    /// How long user tokens live (default 1 hour; whole seconds; zero issues
    /// tokens that are already expired). Temporary tokens live at most 5
    /// minutes.
    pub fn token_ttl(mut self, ttl: Duration) -> Self {
        self.token_ttl = ttl;
        self
    }

    /// Serves this seed data (replacing any earlier `data` or `data_file`).
    pub fn data(mut self, data: SeedData) -> Self {
        self.data = Some(data);
        self.data_file = None;
        self
    }

    /// Serves the seed data in this JSON file, read at start (replacing any
    /// earlier `data` or `data_file`).
    pub fn data_file(mut self, path: impl Into<PathBuf>) -> Self {
        self.data_file = Some(path.into());
        self.data = None;
        self
    }

    /// Listens on `addr` (default `127.0.0.1:0`, a free port).
    pub fn listen(mut self, addr: SocketAddr) -> Self {
        self.listen = addr;
        self
    }

    /// Builds the data, binds the socket and starts serving on the current
    /// Tokio runtime.
    pub async fn start(self) -> Result<Sandbox, SandboxError> {
        let seed = match (self.data, self.data_file) {
            (Some(data), _) => data,
            (None, Some(path)) => SeedData::from_file(path)?,
            (None, None) => SeedData::default(),
        };
        let data = Dataset::build(seed, self.issues, self.alerts)?;
        let auth = Auth::new(&data.organization, self.token_ttl)?;
        let portal = Arc::new(Portal { data, auth, counters: Counters::default() });
        let schema = schema::build(schema::SDL, resolvers::RESOLVERS)
            .map_err(SandboxError::Schema)?
            .data(portal.clone())
            .limit_depth(MAX_DEPTH)
            .limit_complexity(MAX_COMPLEXITY)
            .finish()
            .map_err(|e| SandboxError::Schema(e.0))?;

        let listener =
            TcpListener::bind(self.listen).await.map_err(|source| SandboxError::Bind { addr: self.listen, source })?;
        let addr = listener.local_addr().map_err(|source| SandboxError::Bind { addr: self.listen, source })?;
        let counting = portal.clone();
        let listener = listener.tap_io(move |stream| {
            counting.counters.connection();
            // Small request/response pairs on a kept-alive connection must not
            // wait for delayed ACKs.
            let _ = stream.set_nodelay(true);
        });

        let app = Arc::new(App { schema, portal: portal.clone() });
        let router = Router::new()
            .route("/graphql", post(graphql).fallback(method_not_allowed))
            .fallback(not_found)
            .with_state(app);
        let (tx, rx) = oneshot::channel::<()>();
        let server = axum::serve(listener, router).with_graceful_shutdown(async move {
            let _ = rx.await;
        });
        let task = tokio::spawn(async move {
            let _ = server.await;
        });
        Ok(Sandbox { addr, portal, shutdown: Some(tx), task: Some(task) })
    }
}

struct App {
    schema: async_graphql::dynamic::Schema,
    portal: Arc<Portal>,
}

/// The JSON body of a GraphQL request.
#[derive(Deserialize)]
struct GraphQlRequest {
    query: String,
    #[serde(default)]
    variables: Option<Map<String, Value>>,
    #[serde(default, rename = "operationName")]
    operation_name: Option<String>,
}

fn json_response(status: StatusCode, body: Vec<u8>) -> Response {
    let mut response = (status, body).into_response();
    response.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static("application/json"));
    response
}

/// A GraphQL-shaped error body with an HTTP error status.
fn error_response(status: StatusCode, message: &str) -> Response {
    let body = json!({"errors": [{"message": message}]});
    json_response(status, serde_json::to_vec(&body).unwrap_or_default())
}

fn is_json(headers: &HeaderMap) -> bool {
    headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .is_some_and(|mime| mime.trim().eq_ignore_ascii_case("application/json"))
}

async fn graphql(State(app): State<Arc<App>>, headers: HeaderMap, body: Body) -> Response {
    app.portal.counters.http_request();
    if !is_json(&headers) {
        return error_response(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "send the request as Content-Type: application/json",
        );
    }
    let declared =
        headers.get(header::CONTENT_LENGTH).and_then(|v| v.to_str().ok()).and_then(|v| v.parse::<u64>().ok());
    let too_large =
        || error_response(StatusCode::PAYLOAD_TOO_LARGE, &format!("request body larger than {MAX_BODY_BYTES} bytes"));
    if declared.is_some_and(|n| n > MAX_BODY_BYTES as u64) {
        return too_large();
    }
    let bytes: Bytes = match axum::body::to_bytes(body, MAX_BODY_BYTES).await {
        Ok(bytes) => bytes,
        Err(_) => return too_large(),
    };
    let request: GraphQlRequest = match serde_json::from_slice(&bytes) {
        Ok(request) => request,
        Err(e) => {
            return error_response(
                StatusCode::BAD_REQUEST,
                &format!("the body is not a GraphQL request ({{\"query\": ...}}): {e}"),
            )
        }
    };
    let operation = request.operation_name.clone().or_else(|| only_operation_name(&request.query));
    app.portal.counters.graphql_request(operation.as_deref());

    let credential = Credential::from_header(headers.get(header::AUTHORIZATION).map(HeaderValue::as_bytes));
    let mut gql = async_graphql::Request::new(request.query)
        .variables(async_graphql::Variables::from_json(Value::Object(request.variables.unwrap_or_default())))
        .data(RequestAuth { credential });
    if let Some(name) = request.operation_name {
        gql = gql.operation_name(name);
    }
    let response = app.schema.execute(gql).await;
    let body = serde_json::to_value(&response).map(|mut body| {
        propagate_root_errors(&mut body);
        body
    });
    match body.and_then(|body| serde_json::to_vec(&body)) {
        Ok(body) => json_response(StatusCode::OK, body),
        Err(e) => error_response(StatusCode::INTERNAL_SERVER_ERROR, &e.to_string()),
    }
}

/// Completes what async-graphql's dynamic executor leaves undone at the root:
/// it drops the marker errors of failed non-null fields (the real error was
/// reported with its path, see `schema.rs`); it drops a failed non-null root
/// field from `data` instead of making all of `data` null; and it answers a request that never ran (parse or validation
/// errors, whose errors have no path) with `"data": null` where GraphQL wants
/// no `data` at all. Failed nullable fields are already `null` (see
/// `schema.rs`).
fn propagate_root_errors(body: &mut Value) {
    let Some(map) = body.as_object_mut() else {
        return;
    };
    if let Some(Value::Array(errors)) = map.get_mut("errors") {
        let marker = format!("/extensions/{}", schema::ALREADY_REPORTED);
        errors.retain(|e| e.pointer(&marker).is_none());
        if errors.is_empty() {
            map.remove("errors");
        }
    }
    let errors: Vec<&Value> =
        map.get("errors").and_then(Value::as_array).map(|e| e.iter().collect()).unwrap_or_default();
    if errors.is_empty() {
        return;
    }
    let root_key = |e: &Value| e.pointer("/path/0").and_then(Value::as_str).map(str::to_owned);
    let dropped = match map.get("data") {
        Some(Value::Object(data)) => errors.iter().filter_map(|e| root_key(e)).any(|key| !data.contains_key(&key)),
        _ => false,
    };
    let ran = errors.iter().any(|e| e.get("path").is_some());
    if dropped {
        map.insert("data".into(), Value::Null);
    } else if !ran && map.get("data").is_some_and(Value::is_null) {
        map.remove("data");
    }
}

/// The name of the document's only operation, when it has exactly one and
/// that one is named.
fn only_operation_name(query: &str) -> Option<String> {
    use async_graphql::parser::types::DocumentOperations;
    match async_graphql::parser::parse_query(query).ok()?.operations {
        DocumentOperations::Multiple(ops) if ops.len() == 1 => ops.keys().next().map(|name| name.to_string()),
        _ => None,
    }
}

async fn method_not_allowed(State(app): State<Arc<App>>) -> Response {
    app.portal.counters.http_request();
    let mut response = error_response(StatusCode::METHOD_NOT_ALLOWED, "only POST is served at /graphql");
    response.headers_mut().insert(header::ALLOW, HeaderValue::from_static("POST"));
    response
}

async fn not_found(State(app): State<Arc<App>>) -> Response {
    app.portal.counters.http_request();
    error_response(StatusCode::NOT_FOUND, "the GraphQL endpoint is POST /graphql")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn handles_and_errors_cross_threads() {
        fn send_sync<T: Send + Sync + 'static>() {}
        send_sync::<Sandbox>();
        send_sync::<SandboxBuilder>();
        send_sync::<SandboxError>();
        send_sync::<Stats>();
    }

    #[test]
    fn an_unspecified_address_is_reached_on_loopback() {
        let cases = [("0.0.0.0:80", "127.0.0.1:80"), ("[::]:81", "[::1]:81"), ("10.1.2.3:82", "10.1.2.3:82")];
        for (given, wanted) in cases {
            assert_eq!(connectable(given.parse().unwrap()), wanted.parse::<SocketAddr>().unwrap());
        }
    }
}
