//! A purpose-built HTTP/1.1 server for the faults wiremock cannot produce: a
//! server that accepts and never answers, trickles its body, resets the
//! connection, or sends an endless body, and that counts what it saw. It runs on
//! the test's own runtime, plain or behind TLS.
#![allow(dead_code)] // each test binary uses a different part

use std::io;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::Notify;

/// One request as the server read it.
#[derive(Debug, Clone)]
pub struct Request {
    /// The request line and headers, as sent.
    pub head: String,
    /// The body.
    pub body: Vec<u8>,
}

impl Request {
    /// A header's value (case-insensitive name).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.head.lines().skip(1).find_map(|line| {
            let (key, value) = line.split_once(':')?;
            key.trim().eq_ignore_ascii_case(name).then(|| value.trim())
        })
    }

    /// The body as text.
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
}

/// What the server does with a request.
pub enum Reply {
    /// A complete answer; `Content-Length` is added.
    Respond { status: u16, headers: Vec<(String, String)>, body: Vec<u8> },
    /// These bytes as they are, then the connection is closed.
    Raw(Vec<u8>),
    /// Nothing, ever: the connection stays open.
    Hang,
    /// The head at once, then the body one byte at a time, `every` apart.
    Trickle { body: Vec<u8>, every: Duration },
    /// A TCP reset (plain TCP only; behind TLS the connection is just dropped).
    Reset,
    /// A body that never ends (chunked), until the client goes away.
    Endless { headers: Vec<(String, String)> },
    /// A `Content-Length` of `length`, then that many bytes, unless the client goes away first.
    Sized { length: u64 },
}

impl Reply {
    /// A JSON answer.
    pub fn json(status: u16, body: impl Into<String>) -> Reply {
        Reply::Respond {
            status,
            headers: vec![("Content-Type".into(), "application/json".into())],
            body: body.into().into_bytes(),
        }
    }

    /// An HTML answer, like a proxy's error page.
    pub fn html(status: u16) -> Reply {
        Reply::Respond {
            status,
            headers: vec![("Content-Type".into(), "text/html; charset=utf-8".into())],
            body: format!("<html><body><h1>{status}</h1><p>Something went wrong.</p></body></html>").into_bytes(),
        }
    }

    /// An answer with no body and no content type.
    pub fn empty(status: u16) -> Reply {
        Reply::Respond { status, headers: Vec::new(), body: Vec::new() }
    }

    /// Adds a header to a [`Reply::Respond`].
    pub fn with_header(mut self, name: &str, value: &str) -> Reply {
        if let Reply::Respond { headers, .. } = &mut self {
            headers.push((name.to_owned(), value.to_owned()));
        }
        self
    }
}

type Handler = dyn Fn(usize, &Request) -> Reply + Send + Sync;

#[derive(Default)]
struct State {
    requests: Mutex<Vec<Request>>,
    /// Connections accepted (TCP), whether or not a request followed.
    connections: AtomicUsize,
    /// Body bytes written by `Endless` and `Sized` replies.
    streamed: AtomicU64,
    /// Set when an `Endless` or `Sized` reply stopped because the client went away.
    client_left: AtomicBool,
    streaming_done: Notify,
}

/// A running fault server; it stops with the test's runtime.
pub struct FaultServer {
    addr: SocketAddr,
    scheme: &'static str,
    state: Arc<State>,
}

impl FaultServer {
    /// A plain HTTP server calling `handler` with each request's index (0-based,
    /// across connections) and the request.
    pub async fn start(handler: impl Fn(usize, &Request) -> Reply + Send + Sync + 'static) -> FaultServer {
        Self::start_inner(Arc::new(handler), None).await
    }

    /// The same behind TLS.
    pub async fn start_tls(
        acceptor: tokio_rustls::TlsAcceptor,
        handler: impl Fn(usize, &Request) -> Reply + Send + Sync + 'static,
    ) -> FaultServer {
        Self::start_inner(Arc::new(handler), Some(acceptor)).await
    }

    /// A plain HTTP server on a given loopback address (e.g. one that refused connections so far).
    pub async fn start_at(
        addr: &str,
        handler: impl Fn(usize, &Request) -> Reply + Send + Sync + 'static,
    ) -> FaultServer {
        let listener = TcpListener::bind(addr).await.expect("the address is free");
        Self::listen(listener, Arc::new(handler), None)
    }

    async fn start_inner(handler: Arc<Handler>, tls: Option<tokio_rustls::TlsAcceptor>) -> FaultServer {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind a loopback port");
        Self::listen(listener, handler, tls)
    }

    fn listen(listener: TcpListener, handler: Arc<Handler>, tls: Option<tokio_rustls::TlsAcceptor>) -> FaultServer {
        let addr = listener.local_addr().expect("local address");
        let state = Arc::new(State::default());
        let scheme = if tls.is_some() { "https" } else { "http" };
        let shared = state.clone();
        tokio::spawn(async move {
            loop {
                let Ok((stream, _)) = listener.accept().await else { continue };
                shared.connections.fetch_add(1, Ordering::SeqCst);
                let (state, handler, tls) = (shared.clone(), handler.clone(), tls.clone());
                tokio::spawn(async move {
                    let _ = stream.set_nodelay(true);
                    match tls {
                        None => serve_tcp(stream, &state, &*handler).await,
                        Some(acceptor) => {
                            // A refused handshake (the client distrusts the certificate) ends here.
                            if let Ok(mut stream) = acceptor.accept(stream).await {
                                let _ = serve(&mut stream, &state, &*handler).await;
                            }
                        }
                    }
                });
            }
        });
        FaultServer { addr, scheme, state }
    }

    /// The GraphQL endpoint URL (`http(s)://127.0.0.1:<port>/graphql`).
    pub fn url(&self) -> String {
        format!("{}/graphql", self.origin())
    }

    /// The origin (`scheme://127.0.0.1:port`), for building redirect targets.
    pub fn origin(&self) -> String {
        format!("{}://{}", self.scheme, self.addr)
    }

    /// Every request read so far.
    pub fn requests(&self) -> Vec<Request> {
        self.state.requests.lock().expect("requests").clone()
    }

    /// How many requests were read so far.
    pub fn request_count(&self) -> usize {
        self.state.requests.lock().expect("requests").len()
    }

    /// How many connections were accepted so far.
    pub fn connection_count(&self) -> usize {
        self.state.connections.load(Ordering::SeqCst)
    }

    /// Body bytes written by `Endless`/`Sized` replies so far.
    pub fn streamed_bytes(&self) -> u64 {
        self.state.streamed.load(Ordering::SeqCst)
    }

    /// Waits (at most `limit`) until an `Endless` or `Sized` reply has stopped, and
    /// says whether it stopped because the client went away.
    pub async fn client_left_stream(&self, limit: Duration) -> bool {
        let done = self.state.streaming_done.notified();
        if self.state.client_left.load(Ordering::SeqCst) {
            return true;
        }
        let _ = tokio::time::timeout(limit, done).await;
        self.state.client_left.load(Ordering::SeqCst)
    }
}

/// A URL on loopback where nothing listens: connecting is refused.
pub async fn closed_port_url() -> String {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind a loopback port");
    let port = listener.local_addr().expect("local address").port();
    drop(listener);
    format!("http://127.0.0.1:{port}/graphql")
}

async fn serve_tcp(mut stream: TcpStream, state: &State, handler: &Handler) {
    if let Ok(Ending::Reset) = serve(&mut stream, state, handler).await {
        let _ = stream.set_zero_linger();
    }
    drop(stream);
}

enum Ending {
    Closed,
    Reset,
}

async fn serve<S: AsyncRead + AsyncWrite + Unpin>(
    stream: &mut S,
    state: &State,
    handler: &Handler,
) -> io::Result<Ending> {
    let mut buffer = Vec::new();
    loop {
        let Some(request) = read_request(stream, &mut buffer).await? else {
            return Ok(Ending::Closed);
        };
        let index = {
            let mut requests = state.requests.lock().expect("requests");
            requests.push(request.clone());
            requests.len() - 1
        };
        match handler(index, &request) {
            Reply::Respond { status, headers, body } => {
                let mut head = format!("HTTP/1.1 {status} {}\r\n", reason(status));
                for (name, value) in &headers {
                    head.push_str(&format!("{name}: {value}\r\n"));
                }
                head.push_str(&format!("Content-Length: {}\r\n\r\n", body.len()));
                stream.write_all(head.as_bytes()).await?;
                stream.write_all(&body).await?;
                stream.flush().await?;
            }
            Reply::Raw(bytes) => {
                stream.write_all(&bytes).await?;
                stream.flush().await?;
                let _ = stream.shutdown().await;
                return Ok(Ending::Closed);
            }
            Reply::Hang => std::future::pending::<()>().await,
            Reply::Trickle { body, every } => {
                let head = format!(
                    "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n",
                    body.len()
                );
                stream.write_all(head.as_bytes()).await?;
                for byte in body {
                    stream.flush().await?;
                    tokio::time::sleep(every).await;
                    stream.write_all(&[byte]).await?;
                }
                stream.flush().await?;
            }
            Reply::Reset => return Ok(Ending::Reset),
            Reply::Endless { headers } => {
                let mut head = String::from("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n");
                for (name, value) in &headers {
                    head.push_str(&format!("{name}: {value}\r\n"));
                }
                head.push_str("\r\n");
                let chunk = [b' '; 64 * 1024];
                let mut framed = format!("{:x}\r\n", chunk.len()).into_bytes();
                framed.extend_from_slice(&chunk);
                framed.extend_from_slice(b"\r\n");
                let result = async {
                    stream.write_all(head.as_bytes()).await?;
                    loop {
                        stream.write_all(&framed).await?;
                        state.streamed.fetch_add(chunk.len() as u64, Ordering::SeqCst);
                    }
                }
                .await;
                return finish_stream(state, result);
            }
            Reply::Sized { length } => {
                let head =
                    format!("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {length}\r\n\r\n");
                let chunk = [b' '; 64 * 1024];
                let result = async {
                    stream.write_all(head.as_bytes()).await?;
                    let mut left = length;
                    while left > 0 {
                        let n = left.min(chunk.len() as u64) as usize;
                        stream.write_all(&chunk[..n]).await?;
                        state.streamed.fetch_add(n as u64, Ordering::SeqCst);
                        left -= n as u64;
                    }
                    stream.flush().await
                }
                .await;
                finish_stream(state, result)?;
            }
        }
    }
}

fn finish_stream(state: &State, result: io::Result<()>) -> io::Result<Ending> {
    if result.is_err() {
        state.client_left.store(true, Ordering::SeqCst);
    }
    state.streaming_done.notify_waiters();
    result.map(|()| Ending::Closed)
}

/// Reads one request (head and `Content-Length` body); `None` at a clean end of
/// the connection.
async fn read_request<S: AsyncRead + Unpin>(stream: &mut S, buffer: &mut Vec<u8>) -> io::Result<Option<Request>> {
    let head_end = loop {
        if let Some(at) = buffer.windows(4).position(|w| w == b"\r\n\r\n") {
            break at + 4;
        }
        let mut chunk = [0u8; 8192];
        let n = stream.read(&mut chunk).await?;
        if n == 0 {
            return Ok(None);
        }
        buffer.extend_from_slice(&chunk[..n]);
    };
    let head = String::from_utf8_lossy(&buffer[..head_end]).into_owned();
    let length = head
        .lines()
        .find_map(|line| {
            let (key, value) = line.split_once(':')?;
            key.trim().eq_ignore_ascii_case("content-length").then(|| value.trim().parse::<usize>().ok())?
        })
        .unwrap_or(0);
    while buffer.len() < head_end + length {
        let mut chunk = [0u8; 8192];
        let n = stream.read(&mut chunk).await?;
        if n == 0 {
            return Ok(None);
        }
        buffer.extend_from_slice(&chunk[..n]);
    }
    let body = buffer[head_end..head_end + length].to_vec();
    buffer.drain(..head_end + length);
    Ok(Some(Request { head: head.trim_end().to_owned(), body }))
}

fn reason(status: u16) -> &'static str {
    match status {
        200 => "OK",
        302 => "Found",
        307 => "Temporary Redirect",
        308 => "Permanent Redirect",
        400 => "Bad Request",
        401 => "Unauthorized",
        404 => "Not Found",
        408 => "Request Timeout",
        429 => "Too Many Requests",
        500 => "Internal Server Error",
        502 => "Bad Gateway",
        503 => "Service Unavailable",
        504 => "Gateway Timeout",
        _ => "Status",
    }
}
