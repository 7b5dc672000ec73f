//! One HTTP exchange with retries, timeouts and a size cap: a POST goes out, an
//! [`Answer`] (status, headers that matter, the whole body) comes back.

use std::sync::atomic::{AtomicU32, Ordering};
use std::time::{Duration, SystemTime};

use bytes::Bytes;
use reqwest::header::{HeaderValue, ACCEPT, AUTHORIZATION, CONTENT_TYPE, LOCATION, RETRY_AFTER};
use tokio::time::Instant;
use url::Url;

use crate::error::{Error, TimeoutPhase, TransportErrorKind};
use crate::operations::OperationKind;
use crate::retry::{is_retryable_status, parse_retry_after, RetryBudget, RetryPolicy};

const JSON: HeaderValue = HeaderValue::from_static("application/json");
const ACCEPT_GRAPHQL: HeaderValue =
    HeaderValue::from_static("application/graphql-response+json, application/json;q=0.9");

/// Everything the transport needs, fixed when the client is built.
pub(crate) struct Transport {
    pub(crate) http: reqwest::Client,
    pub(crate) endpoint: Url,
    pub(crate) timeout: Duration,
    pub(crate) attempt_timeout: Duration,
    pub(crate) connect_timeout: Duration,
    pub(crate) max_response_bytes: u64,
    pub(crate) retry: RetryPolicy,
    pub(crate) budget: RetryBudget,
}

/// How far a call got, kept outside the attempts so that a call cut off by its
/// deadline still reports it. Atomics only so that the call's future stays `Send`.
#[derive(Default)]
struct Progress {
    attempt: AtomicU32,
    /// The last HTTP status; 0 for none yet.
    status: AtomicU32,
}

/// The server's answer to one request.
#[derive(Debug)]
pub(crate) struct Answer {
    pub(crate) status: u16,
    pub(crate) content_type: Option<String>,
    pub(crate) retry_after: Option<Duration>,
    pub(crate) body: Bytes,
}

/// What went wrong in one attempt, and whether the request may have reached the
/// server (which decides whether a mutation may be sent again).
enum Failure {
    /// Nothing was sent: safe to retry any operation.
    BeforeSending(Error),
    /// The request may have been processed: only a query may be sent again.
    AfterSending(Error),
    /// Retrying cannot help.
    Final(Error),
}

impl Transport {
    /// Sends `body` (a JSON GraphQL request) and returns the answer of the last
    /// attempt, retrying as the policy allows, within the overall deadline.
    ///
    /// Records `attempt` (how many were made), `status` (of the last answer) and
    /// `latency_ms` (the whole call, waits included) on the current span, which
    /// [`Client`](crate::Client) opens per call, once each at the end; every attempt
    /// also logs a DEBUG event with its own numbers.
    pub(crate) async fn send(
        &self,
        body: Bytes,
        kind: OperationKind,
        authorization: Option<&HeaderValue>,
    ) -> Result<Answer, Error> {
        let started = Instant::now();
        let deadline = started + self.timeout;
        let progress = Progress::default();
        // No timer of its own: each attempt's timer stops at the deadline at the latest
        // and no wait between attempts outlasts it, so one timer per attempt keeps the
        // deadline. Timers are most of what the SDK adds to a call (BENCHMARKS.md).
        let result = self.attempts(body, kind, authorization, deadline, &progress).await;
        let span = tracing::Span::current();
        span.record("attempt", progress.attempt.load(Ordering::Relaxed));
        match progress.status.load(Ordering::Relaxed) {
            0 => {}
            status => {
                span.record("status", status);
            }
        }
        span.record("latency_ms", started.elapsed().as_millis() as u64);
        result
    }

    async fn attempts(
        &self,
        body: Bytes,
        kind: OperationKind,
        authorization: Option<&HeaderValue>,
        deadline: Instant,
        progress: &Progress,
    ) -> Result<Answer, Error> {
        self.budget.deposit();
        let mut attempt: u32 = 1;
        loop {
            progress.attempt.store(attempt, Ordering::Relaxed);
            let started = Instant::now();
            let attempt_deadline = started + self.attempt_timeout;
            let limit = attempt_deadline.min(deadline);
            let result = match tokio::time::timeout_at(limit, self.attempt(body.clone(), authorization)).await {
                Ok(result) => result,
                Err(_) if attempt_deadline < deadline => Err(Failure::AfterSending(Error::Timeout {
                    phase: TimeoutPhase::Attempt,
                    after: self.attempt_timeout,
                })),
                Err(_) => return Err(Error::Timeout { phase: TimeoutPhase::Deadline, after: self.timeout }),
            };
            let latency_ms = started.elapsed().as_millis() as u64;
            let can_retry = attempt < self.retry.max_attempts;
            let delay = match result {
                Ok(answer) => {
                    progress.status.store(u32::from(answer.status), Ordering::Relaxed);
                    tracing::debug!(attempt, status = answer.status, latency_ms, "answer received");
                    if !is_retryable_status(answer.status) || kind != OperationKind::Query {
                        return Ok(answer);
                    }
                    if let Some(wait) = answer.retry_after {
                        if wait > self.retry.max_retry_after {
                            return Err(rate_limited(&answer, wait, self.retry.max_retry_after));
                        }
                    }
                    if !can_retry {
                        return Ok(answer);
                    }
                    let delay = answer.retry_after.unwrap_or_else(|| self.retry.backoff_delay(attempt));
                    let left = deadline.saturating_duration_since(Instant::now());
                    if delay >= left {
                        // Waiting would only end in a deadline timeout that hides the real cause.
                        return match answer.retry_after {
                            Some(wait) => Err(rate_limited(&answer, wait, left)),
                            None => Ok(answer),
                        };
                    }
                    if !self.take_retry() {
                        tracing::debug!(attempt, "retry budget exhausted");
                        return Ok(answer);
                    }
                    delay
                }
                Err(Failure::Final(error)) => {
                    tracing::debug!(attempt, error = %error, latency_ms, "attempt failed");
                    return Err(error);
                }
                Err(Failure::AfterSending(error)) if kind != OperationKind::Query => {
                    tracing::debug!(attempt, error = %error, latency_ms, "attempt failed; not sent again");
                    return Err(error);
                }
                Err(Failure::BeforeSending(error) | Failure::AfterSending(error)) => {
                    tracing::debug!(attempt, error = %error, latency_ms, "attempt failed");
                    if !can_retry {
                        return Err(error);
                    }
                    let delay = self.retry.backoff_delay(attempt);
                    if delay >= deadline.saturating_duration_since(Instant::now()) {
                        return Err(error);
                    }
                    if !self.take_retry() {
                        tracing::debug!(attempt, "retry budget exhausted");
                        return Err(error);
                    }
                    delay
                }
            };
            tracing::debug!(attempt, delay_ms = delay.as_millis() as u64, "retrying");
            tokio::time::sleep(delay).await;
            attempt += 1;
        }
    }

    fn take_retry(&self) -> bool {
        !self.retry.budget || self.budget.withdraw()
    }

    async fn attempt(&self, body: Bytes, authorization: Option<&HeaderValue>) -> Result<Answer, Failure> {
        let mut request =
            self.http.post(self.endpoint.clone()).header(CONTENT_TYPE, JSON).header(ACCEPT, ACCEPT_GRAPHQL).body(body);
        if let Some(value) = authorization {
            request = request.header(AUTHORIZATION, value.clone());
        }
        let mut response = request.send().await.map_err(|e| self.failure(e))?;

        let headers = response.headers();
        let text = |name| headers.get(name).and_then(|v: &HeaderValue| v.to_str().ok()).map(str::to_owned);
        let status = response.status().as_u16();
        if (300..400).contains(&status) {
            // The redirect policy stopped here: another origin, or a method-changing redirect.
            let refused = RedirectRefused { status, location: text(LOCATION) };
            return Err(Failure::Final(Error::Transport {
                kind: TransportErrorKind::Redirect,
                source: Box::new(refused),
            }));
        }
        let content_type = text(CONTENT_TYPE);
        let retry_after = text(RETRY_AFTER).and_then(|v| parse_retry_after(&v, SystemTime::now()));

        let limit = self.max_response_bytes;
        if response.content_length().is_some_and(|len| len > limit) {
            return Err(Failure::Final(Error::ResponseTooLarge { limit }));
        }
        let capacity = response.content_length().unwrap_or(8 * 1024).min(limit) as usize;
        // Chunks are decompressed already, so the cap applies to what is held in memory.
        // A body that comes in one chunk, as most answers do, is kept as it is: copying
        // it was the SDK's largest cost per call on answers of some size (BENCHMARKS.md).
        let (mut first, mut joined, mut read) = (None::<Bytes>, Vec::new(), 0u64);
        while let Some(chunk) = response.chunk().await.map_err(|e| self.failure(e))? {
            read += chunk.len() as u64;
            if read > limit {
                return Err(Failure::Final(Error::ResponseTooLarge { limit }));
            }
            match first.take() {
                None if joined.is_empty() => first = Some(chunk),
                earlier => {
                    if let Some(earlier) = earlier {
                        joined.reserve(capacity.max(read as usize));
                        joined.extend_from_slice(&earlier);
                    }
                    joined.extend_from_slice(&chunk);
                }
            }
        }
        let body = first.unwrap_or_else(|| Bytes::from(joined));
        Ok(Answer { status, content_type, retry_after, body })
    }

    fn failure(&self, error: reqwest::Error) -> Failure {
        if error.is_connect() {
            if mentions_certificate(&error) {
                return Failure::Final(Error::Transport {
                    kind: TransportErrorKind::TlsCertificate,
                    source: Box::new(error),
                });
            }
            if error.is_timeout() {
                return Failure::BeforeSending(Error::Timeout {
                    phase: TimeoutPhase::Connect,
                    after: self.connect_timeout,
                });
            }
            return Failure::BeforeSending(Error::Transport {
                kind: TransportErrorKind::Connect,
                source: Box::new(error),
            });
        }
        if error.is_redirect() {
            return Failure::Final(Error::Transport { kind: TransportErrorKind::Redirect, source: Box::new(error) });
        }
        if error.is_decode() {
            // reqwest reports every failure while reading the body as a decode error. The
            // decompressor fails with an I/O error of its own; a connection that breaks
            // mid-body (reset, cut short, bad chunking) fails with the HTTP layer's error.
            let decompressing = std::error::Error::source(&error).is_some_and(|s| s.is::<std::io::Error>());
            if decompressing {
                return Failure::Final(Error::invalid_response(format!(
                    "the compressed body cannot be decompressed ({})",
                    error_chain(&error)
                )));
            }
            return Failure::AfterSending(Error::Transport {
                kind: TransportErrorKind::Connection,
                source: Box::new(error),
            });
        }
        if error.is_timeout() {
            return Failure::AfterSending(Error::Timeout { phase: TimeoutPhase::Attempt, after: self.attempt_timeout });
        }
        if error.is_request() || error.is_body() {
            return Failure::AfterSending(Error::Transport {
                kind: TransportErrorKind::Connection,
                source: Box::new(error),
            });
        }
        Failure::Final(Error::Transport { kind: TransportErrorKind::Other, source: Box::new(error) })
    }
}

/// The error and its sources as one line.
fn error_chain(error: &(dyn std::error::Error + 'static)) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(inner) = source {
        text.push_str(": ");
        text.push_str(&inner.to_string());
        source = inner.source();
    }
    text
}

/// TLS certificate failures surface as connect errors; only the message chain
/// tells them apart without naming the TLS library's types.
fn mentions_certificate(error: &(dyn std::error::Error + 'static)) -> bool {
    let chain = error_chain(error).to_ascii_lowercase();
    chain.contains("certificate") || chain.contains("unknownissuer") || chain.contains("cert")
}

fn rate_limited(answer: &Answer, retry_after: Duration, max_wait: Duration) -> Error {
    Error::RateLimited { status: answer.status, retry_after, max_wait }
}

/// Why a redirect ended the call: the source of an [`Error::Transport`] of kind
/// [`TransportErrorKind::Redirect`].
#[derive(Debug)]
struct RedirectRefused {
    status: u16,
    location: Option<String>,
}

impl std::fmt::Display for RedirectRefused {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        const SHOWN: usize = 200;
        write!(f, "HTTP {} redirect", self.status)?;
        if let Some(location) = &self.location {
            let cut: String = location.chars().take(SHOWN).collect();
            write!(f, " to {cut:?}")?;
        }
        f.write_str(
            " not followed: only 307 and 308 redirects within the endpoint's origin are followed, \
             so the token never reaches another host and the request is never re-sent as a GET",
        )
    }
}

impl std::error::Error for RedirectRefused {}
