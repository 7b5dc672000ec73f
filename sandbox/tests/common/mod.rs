//! A minimal HTTP/1.1 client over a raw TCP stream, so the tests see exactly
//! what goes over the wire (status, headers, keep-alive), and GraphQL helpers
//! on top of it.

#![allow(dead_code)] // Each test binary uses a different part.

use std::net::SocketAddr;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use portal_sandbox::{demo, totp, Sandbox};
use serde_json::{json, Value};
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpStream;

/// An HTTP answer.
#[derive(Debug)]
pub struct Reply {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Reply {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(k, _)| k.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
    }

    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body)
            .unwrap_or_else(|e| panic!("body is not JSON ({e}): {}", String::from_utf8_lossy(&self.body)))
    }
}

/// One kept-alive connection.
pub struct Connection {
    stream: BufReader<TcpStream>,
}

impl Connection {
    pub async fn open(addr: SocketAddr) -> Self {
        let stream = TcpStream::connect(addr).await.expect("connect");
        Connection { stream: BufReader::new(stream) }
    }

    /// Sends a request with `Content-Length` and reads the whole answer.
    pub async fn send(&mut self, method: &str, path: &str, headers: &[(&str, &str)], body: &[u8]) -> Reply {
        let mut head = format!("{method} {path} HTTP/1.1\r\nHost: sandbox\r\nContent-Length: {}\r\n", body.len());
        for (k, v) in headers {
            head.push_str(&format!("{k}: {v}\r\n"));
        }
        head.push_str("\r\n");
        let stream = self.stream.get_mut();
        stream.write_all(head.as_bytes()).await.expect("write head");
        stream.write_all(body).await.expect("write body");
        self.read_reply().await
    }

    /// Writes raw bytes (for malformed or chunked requests).
    pub async fn send_raw(&mut self, bytes: &[u8]) -> Reply {
        self.stream.get_mut().write_all(bytes).await.expect("write");
        self.read_reply().await
    }

    async fn read_reply(&mut self) -> Reply {
        let mut line = String::new();
        self.stream.read_line(&mut line).await.expect("status line");
        let status: u16 = line
            .split_whitespace()
            .nth(1)
            .and_then(|s| s.parse().ok())
            .unwrap_or_else(|| panic!("bad status line {line:?}"));
        let mut headers = Vec::new();
        loop {
            let mut line = String::new();
            self.stream.read_line(&mut line).await.expect("header line");
            let line = line.trim_end();
            if line.is_empty() {
                break;
            }
            let (k, v) = line.split_once(':').expect("header");
            headers.push((k.trim().to_owned(), v.trim().to_owned()));
        }
        let get = |name: &str| headers.iter().find(|(k, _)| k.eq_ignore_ascii_case(name)).map(|(_, v)| v.clone());
        let mut body = Vec::new();
        if let Some(len) = get("content-length") {
            body.resize(len.parse().expect("content-length"), 0);
            self.stream.read_exact(&mut body).await.expect("body");
        } else if get("transfer-encoding").is_some_and(|t| t.eq_ignore_ascii_case("chunked")) {
            loop {
                let mut size = String::new();
                self.stream.read_line(&mut size).await.expect("chunk size");
                let size = usize::from_str_radix(size.trim(), 16).expect("chunk size");
                let mut chunk = vec![0; size + 2];
                self.stream.read_exact(&mut chunk).await.expect("chunk");
                if size == 0 {
                    break;
                }
                body.extend_from_slice(&chunk[..size]);
            }
        } else {
            self.stream.read_to_end(&mut body).await.expect("body");
        }
        Reply { status, headers, body }
    }
}

/// POSTs a JSON body to /graphql on a new connection.
pub async fn post(addr: SocketAddr, token: Option<&str>, body: &Value) -> Reply {
    let mut conn = Connection::open(addr).await;
    post_on(&mut conn, token, body).await
}

/// POSTs a JSON body to /graphql on `conn`.
pub async fn post_on(conn: &mut Connection, token: Option<&str>, body: &Value) -> Reply {
    let auth = token.map(|t| format!("Bearer {t}"));
    let mut headers = vec![("Content-Type", "application/json")];
    if let Some(a) = &auth {
        headers.push(("Authorization", a.as_str()));
    }
    conn.send("POST", "/graphql", &headers, &serde_json::to_vec(body).expect("json")).await
}

/// Runs a GraphQL document and returns the whole JSON answer (status 200 asserted).
pub async fn gql(sandbox: &Sandbox, token: Option<&str>, query: &str, variables: Value) -> Value {
    let reply = post(sandbox.addr(), token, &json!({"query": query, "variables": variables})).await;
    assert_eq!(reply.status, 200, "{}", String::from_utf8_lossy(&reply.body));
    assert_eq!(reply.header("content-type"), Some("application/json"));
    reply.json()
}

/// The `extensions.code` of the answer's first error.
pub fn first_code(answer: &Value) -> u64 {
    answer["errors"][0]["extensions"]["code"].as_u64().unwrap_or_else(|| panic!("no numeric error code in {answer}"))
}

pub fn now() -> u64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_secs()).unwrap_or(0)
}

/// The reference SDK's authorization mutation, full selection.
pub const AUTHORIZE: &str = "mutation ($input: auth_AuthorizationInput!) { portalauth: auth_createAuthorization(input: $input) { user { id username accessTo { service { id code } group { code } } } token isTemporaryToken otp { required activated } otpSVGQRCode } }";

/// Runs the authorization mutation with `input`; returns the whole answer.
pub async fn authorize(sandbox: &Sandbox, input: Value) -> Value {
    gql(sandbox, None, AUTHORIZE, json!({ "input": input })).await
}

/// Signs in with the password and, when asked for it, the TOTP code; returns
/// the full token.
pub async fn sign_in(sandbox: &Sandbox, username: &str) -> String {
    let answer =
        authorize(sandbox, json!({"username": username, "password": demo::PASSWORD, "resource": "sandbox-tests"}))
            .await;
    let auth = &answer["data"]["portalauth"];
    let token = auth["token"].as_str().unwrap_or_else(|| panic!("no token: {answer}")).to_owned();
    if auth["isTemporaryToken"] != json!(true) {
        return token;
    }
    let secret = if username == demo::BOB { demo::BOB_TOTP_SECRET } else { demo::DAVE_TOTP_SECRET };
    let answer = authorize(
        sandbox,
        json!({"username": username, "temporaryToken": token, "otpCode": totp::code(secret, now()), "resource": "sandbox-tests"}),
    )
    .await;
    answer["data"]["portalauth"]["token"].as_str().unwrap_or_else(|| panic!("no token: {answer}")).to_owned()
}

/// Waits (bounded) until nothing accepts connections on `addr`.
pub async fn wait_until_closed(addr: SocketAddr) -> bool {
    for _ in 0..200 {
        if TcpStream::connect(addr).await.is_err() {
            return true;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    false
}
