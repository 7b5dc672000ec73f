//! The one error type of the SDK, split by the phase that failed.

use std::fmt;
use std::time::Duration;

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::glosom::Glosom;

/// A boxed error source.
type Source = Box<dyn std::error::Error + Send + Sync + 'static>;

/// Everything that can go wrong talking to the Portal.
///
/// `Display` says what happened in one line; where a lower-level error caused it,
/// that error is the [`source`](std::error::Error::source). Use the `is_*` helpers
/// rather than matching when you only need the phase.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The client or a call was set up wrongly (endpoint, token, options, arguments).
    /// Nothing was sent.
    #[error("invalid configuration: {message}")]
    Config {
        /// What is wrong and what to do about it.
        message: String,
    },

    /// The request could not be sent or its answer not received.
    #[error("{kind}")]
    Transport {
        /// Which part of the exchange failed.
        kind: TransportErrorKind,
        /// The underlying error.
        #[source]
        source: Source,
    },

    /// A timeout expired.
    #[error("timed out after {}: {phase}", DisplayDuration(*.after))]
    Timeout {
        /// Which timeout it was.
        phase: TimeoutPhase,
        /// The configured limit that was reached.
        after: Duration,
    },

    /// The server answered with an HTTP error status and a body that is not a
    /// GraphQL response (a proxy's error page, say).
    #[error("HTTP {status} from the Portal{}", excerpt(body))]
    Http {
        /// The HTTP status code.
        status: u16,
        /// The `Content-Type` of the answer, if any.
        content_type: Option<String>,
        /// The start of the body (at most 4 KiB, cut at a character boundary).
        body: String,
    },

    /// The server asked the client to wait longer (`Retry-After`) than the client
    /// is configured to wait.
    #[error("rate limited: the Portal asks to retry after {}, more than the allowed {}", DisplayDuration(*.retry_after), DisplayDuration(*.max_wait))]
    RateLimited {
        /// The HTTP status (429 or 503).
        status: u16,
        /// How long the server asked to wait.
        retry_after: Duration,
        /// The longest the client would wait: the configured maximum
        /// ([`ClientBuilder::max_retry_after`](crate::ClientBuilder::max_retry_after)),
        /// or the time left before the call's deadline when that is shorter.
        max_wait: Duration,
    },

    /// The server answered with GraphQL `errors`: all of them are kept, with any
    /// partial `data`.
    #[error("{0}")]
    GraphQL(Box<GraphQLErrors>),

    /// The answer is JSON but does not fit the expected type.
    #[error("cannot decode the answer at `{path}`: {message}")]
    Decode {
        /// Where in the answer decoding failed, e.g. `data.tdh_allIssues[3].severity`.
        path: String,
        /// What was wrong there.
        message: String,
    },

    /// The answer is not a usable GraphQL response (not JSON, or neither `data`
    /// nor `errors`).
    #[error("invalid answer from the Portal: {message}")]
    InvalidResponse {
        /// What was wrong with it.
        message: String,
    },

    /// The answer was larger than the configured limit; reading stopped there.
    #[error("the answer exceeds the response size limit of {limit} bytes")]
    ResponseTooLarge {
        /// The configured limit ([`ClientBuilder::max_response_bytes`](crate::ClientBuilder::max_response_bytes)).
        limit: u64,
    },

    /// A token is not usable (malformed, not a JWT, expired...).
    #[error("unusable token: {0}")]
    Token(#[from] TokenError),

    /// An authentication step failed on the client side (for example a refresh
    /// that could not run). Wrong credentials come back as [`Error::GraphQL`].
    #[error("authentication failed: {message}")]
    Auth {
        /// What failed and what to do.
        message: String,
        /// The error that caused it, if any.
        #[source]
        source: Option<Box<Error>>,
    },
}

/// Which part of an HTTP exchange failed, for [`Error::Transport`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum TransportErrorKind {
    /// No connection could be made (refused, unreachable, DNS).
    Connect,
    /// The server's TLS certificate could not be verified.
    TlsCertificate,
    /// The connection failed while sending the request or reading the answer.
    Connection,
    /// The server redirected in a way the client does not follow.
    Redirect,
    /// Any other failure of the HTTP layer.
    Other,
}

impl fmt::Display for TransportErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            TransportErrorKind::Connect => "could not connect to the Portal",
            TransportErrorKind::TlsCertificate => {
                "TLS certificate verification failed: the Portal's certificate is not trusted \
                 (add its CA with ClientBuilder::add_root_certificate_pem)"
            }
            TransportErrorKind::Connection => "the connection to the Portal failed mid-request",
            TransportErrorKind::Redirect => "the Portal answered with a redirect that was not followed",
            TransportErrorKind::Other => "the HTTP request to the Portal failed",
        })
    }
}

/// Which timeout expired, for [`Error::Timeout`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum TimeoutPhase {
    /// Opening the connection.
    Connect,
    /// One attempt (sending the request and reading the whole answer).
    Attempt,
    /// The whole call, retries and waits between them included.
    Deadline,
}

impl fmt::Display for TimeoutPhase {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            TimeoutPhase::Connect => "connecting to the Portal",
            TimeoutPhase::Attempt => "waiting for the Portal's answer",
            TimeoutPhase::Deadline => "the call's overall deadline (retries included) passed",
        })
    }
}

/// Why a token is unusable, for [`Error::Token`]. The reasons are the reference
/// SDK's.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum TokenError {
    /// The token is empty.
    #[error("the token is empty")]
    Empty,
    /// A user token must have three dot-separated parts.
    #[error("a user token (JWT) must have three dot-separated parts, this one has {parts}")]
    Parts {
        /// How many parts there were.
        parts: usize,
    },
    /// The header or the claims are not base64url-encoded JSON.
    #[error("cannot decode the token's {part}: {reason}")]
    Decode {
        /// `header` or `claims`.
        part: &'static str,
        /// What was wrong.
        reason: String,
    },
    /// The header's `typ` is not `JWT`.
    #[error("not a JWT (header typ is {typ:?})")]
    NotJwt {
        /// The header's `typ`, if any.
        typ: Option<String>,
    },
    /// The `exp` claim is missing or not a Unix time.
    #[error("bad expiry: the `exp` claim is missing or not a Unix time")]
    BadExpiry,
    /// The token has expired.
    #[error("the token expired at {expired_at} (sign in again)")]
    Expired {
        /// When it expired.
        expired_at: crate::scalars::DateTime,
    },
}

impl Error {
    /// True for [`Error::Config`].
    pub fn is_config(&self) -> bool {
        matches!(self, Error::Config { .. })
    }

    /// True for [`Error::Transport`] (including TLS failures).
    pub fn is_transport(&self) -> bool {
        matches!(self, Error::Transport { .. })
    }

    /// True for [`Error::Timeout`] of any phase.
    pub fn is_timeout(&self) -> bool {
        matches!(self, Error::Timeout { .. })
    }

    /// True for [`Error::Http`].
    pub fn is_http(&self) -> bool {
        matches!(self, Error::Http { .. })
    }

    /// True for [`Error::RateLimited`].
    pub fn is_rate_limited(&self) -> bool {
        matches!(self, Error::RateLimited { .. })
    }

    /// True for [`Error::GraphQL`].
    pub fn is_graphql(&self) -> bool {
        matches!(self, Error::GraphQL(_))
    }

    /// True for [`Error::Decode`] and [`Error::InvalidResponse`].
    pub fn is_decode(&self) -> bool {
        matches!(self, Error::Decode { .. } | Error::InvalidResponse { .. })
    }

    /// True for [`Error::Token`], [`Error::Auth`], and GraphQL errors whose GLOSOM
    /// code is in the security group (wrong credentials, missing or expired token,
    /// permission denied).
    pub fn is_auth(&self) -> bool {
        match self {
            Error::Token(_) | Error::Auth { .. } => true,
            Error::GraphQL(errors) => {
                errors.iter().any(|e| e.code().is_some_and(|c| c.group() == crate::GlosomGroup::Security))
            }
            _ => false,
        }
    }

    /// The HTTP status, for [`Error::Http`] and [`Error::RateLimited`].
    pub fn status(&self) -> Option<u16> {
        match self {
            Error::Http { status, .. } | Error::RateLimited { status, .. } => Some(*status),
            _ => None,
        }
    }

    /// The GraphQL errors, for [`Error::GraphQL`].
    pub fn graphql_errors(&self) -> Option<&GraphQLErrors> {
        match self {
            Error::GraphQL(errors) => Some(errors),
            _ => None,
        }
    }

    /// The partial `data` that came with GraphQL errors, if any.
    pub fn partial_data(&self) -> Option<&Value> {
        self.graphql_errors().and_then(|e| e.data())
    }

    /// The GLOSOM code of the first GraphQL error that has a non-zero one.
    pub fn glosom(&self) -> Option<Glosom> {
        self.graphql_errors()?.iter().find_map(GraphQLError::code)
    }

    pub(crate) fn config(message: impl Into<String>) -> Self {
        Error::Config { message: message.into() }
    }

    pub(crate) fn invalid_response(message: impl Into<String>) -> Self {
        Error::InvalidResponse { message: message.into() }
    }
}

/// All the GraphQL errors of one answer, with its partial `data`.
///
/// `Display` shows the first error as the reference does (`message (24B00DAA)`)
/// and how many more there are.
#[derive(Debug, Clone, PartialEq)]
pub struct GraphQLErrors {
    errors: Vec<GraphQLError>,
    data: Option<Value>,
}

impl GraphQLErrors {
    pub(crate) fn new(errors: Vec<GraphQLError>, data: Option<Value>) -> Self {
        GraphQLErrors { errors, data: data.filter(|d| !d.is_null()) }
    }

    /// The errors, in the server's order (never empty).
    pub fn errors(&self) -> &[GraphQLError] {
        &self.errors
    }

    /// Iterates over the errors.
    pub fn iter(&self) -> std::slice::Iter<'_, GraphQLError> {
        self.errors.iter()
    }

    /// The partial `data` the server sent along, if any (`null` counts as none).
    pub fn data(&self) -> Option<&Value> {
        self.data.as_ref()
    }
}

impl<'a> IntoIterator for &'a GraphQLErrors {
    type Item = &'a GraphQLError;
    type IntoIter = std::slice::Iter<'a, GraphQLError>;
    fn into_iter(self) -> Self::IntoIter {
        self.errors.iter()
    }
}

impl fmt::Display for GraphQLErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.errors.split_first() {
            None => f.write_str("the Portal answered with an empty error list"),
            Some((first, [])) => write!(f, "{first}"),
            Some((first, rest)) => {
                write!(f, "{first} (and {} more error{})", rest.len(), if rest.len() == 1 { "" } else { "s" })
            }
        }
    }
}

/// One entry of a GraphQL answer's `errors`.
///
/// `Display` follows the reference: `message (detail) (24B00DAA)`, without the
/// code when its message id is 0, and `invalid message` when there is no message.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GraphQLError {
    // A missing or null message is kept as empty (shown as `invalid message`, as in the
    // reference) rather than making the whole answer undecodable.
    #[serde(default, deserialize_with = "null_as_default")]
    message: String,
    #[serde(default, deserialize_with = "null_as_empty", skip_serializing_if = "Vec::is_empty")]
    locations: Vec<Location>,
    #[serde(default, deserialize_with = "null_as_empty", skip_serializing_if = "Vec::is_empty")]
    path: Vec<PathSegment>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    extensions: Option<Map<String, Value>>,
}

impl GraphQLError {
    /// The error's message.
    pub fn message(&self) -> &str {
        &self.message
    }

    /// Where in the document the error is.
    pub fn locations(&self) -> &[Location] {
        &self.locations
    }

    /// Which field of the answer the error belongs to.
    pub fn path(&self) -> &[PathSegment] {
        &self.path
    }

    /// The `extensions` object, as sent.
    pub fn extensions(&self) -> Option<&Map<String, Value>> {
        self.extensions.as_ref()
    }

    /// `extensions.detail`, when it is a string.
    pub fn detail(&self) -> Option<&str> {
        self.extensions.as_ref()?.get("detail")?.as_str()
    }

    /// The GLOSOM code from `extensions.code`, unless absent or 0.
    pub fn code(&self) -> Option<Glosom> {
        let code = Glosom::from_json(self.extensions.as_ref()?.get("code")?);
        (code.raw() != 0).then_some(code)
    }

    /// The path as text, e.g. `tdh_issue.affectedAssets[0].ip`.
    pub fn path_string(&self) -> String {
        let mut out = String::new();
        for segment in &self.path {
            match segment {
                PathSegment::Key(key) => {
                    if !out.is_empty() {
                        out.push('.');
                    }
                    out.push_str(key);
                }
                PathSegment::Index(index) => {
                    out.push_str(&format!("[{index}]"));
                }
            }
        }
        out
    }
}

impl fmt::Display for GraphQLError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let code = self.code();
        if self.message.is_empty() && code.is_none() {
            return f.write_str("invalid message");
        }
        f.write_str(&self.message)?;
        if let Some(detail) = self.detail() {
            write!(f, " ({detail})")?;
        }
        match code {
            Some(code) if code.message_id() != 0 => write!(f, " ({code})"),
            _ => Ok(()),
        }
    }
}

/// A line and column in the GraphQL document (1-based).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Location {
    /// 1-based line.
    pub line: u32,
    /// 1-based column.
    pub column: u32,
}

/// One step of a GraphQL error's `path`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum PathSegment {
    /// A field name or alias.
    Key(String),
    /// A list index.
    Index(u64),
}

fn null_as_empty<'de, D, T>(deserializer: D) -> Result<Vec<T>, D::Error>
where
    D: serde::Deserializer<'de>,
    T: Deserialize<'de>,
{
    null_as_default(deserializer)
}

fn null_as_default<'de, D, T>(deserializer: D) -> Result<T, D::Error>
where
    D: serde::Deserializer<'de>,
    T: Deserialize<'de> + Default,
{
    Ok(Option::<T>::deserialize(deserializer)?.unwrap_or_default())
}

/// How [`Error::Http`] shows the body: a short single-line excerpt.
fn excerpt(body: &str) -> String {
    const SHOWN: usize = 200;
    let flat: String = body.chars().map(|c| if c.is_control() { ' ' } else { c }).take(SHOWN + 1).collect();
    let flat = flat.split_whitespace().collect::<Vec<_>>().join(" ");
    if flat.is_empty() {
        String::new()
    } else if flat.chars().count() > SHOWN {
        format!(": {}…", flat.chars().take(SHOWN).collect::<String>())
    } else {
        format!(": {flat}")
    }
}

/// Durations as people write them: `30s`, `1.5s`, `250ms`.
struct DisplayDuration(Duration);

impl fmt::Display for DisplayDuration {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let d = self.0;
        if d.subsec_nanos() == 0 {
            write!(f, "{}s", d.as_secs())
        } else if d < Duration::from_secs(1) {
            write!(f, "{}ms", d.as_millis())
        } else {
            write!(f, "{:.1}s", d.as_secs_f64())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn error(value: Value) -> GraphQLError {
        serde_json::from_value(value).expect("valid error object")
    }

    #[test]
    fn display_follows_the_reference() {
        let e = error(json!({"message": "not authorized", "extensions": {"code": 615517610}}));
        assert_eq!(e.to_string(), "not authorized (24B00DAA)");
        let e = error(json!({"message": "boom", "extensions": {"code": "0x24000001", "detail": "why"}}));
        assert_eq!(e.to_string(), "boom (why)");
        let e = error(json!({"message": "", "extensions": {}}));
        assert_eq!(e.to_string(), "invalid message");
        let e = error(json!({"message": "plain", "locations": null, "path": ["a", 0, "b"]}));
        assert_eq!(e.to_string(), "plain");
        assert_eq!(e.path_string(), "a[0].b");
    }

    #[test]
    fn many_errors_are_counted() {
        let errors = GraphQLErrors::new(
            vec![error(json!({"message": "a"})), error(json!({"message": "b"})), error(json!({"message": "c"}))],
            Some(json!({"x": null})),
        );
        assert_eq!(errors.to_string(), "a (and 2 more errors)");
        assert_eq!(errors.errors().len(), 3);
        assert!(errors.data().is_some());
    }

    #[test]
    fn http_display_is_one_short_line() {
        let e =
            Error::Http { status: 502, content_type: None, body: format!("<html>\n<b>bad</b>\n{}", "x".repeat(500)) };
        let shown = e.to_string();
        assert!(shown.starts_with("HTTP 502 from the Portal: <html> <b>bad</b>"), "{shown}");
        assert!(!shown.contains('\n'));
        assert!(shown.chars().count() < 260);
        let e = Error::Http { status: 500, content_type: None, body: String::new() };
        assert_eq!(e.to_string(), "HTTP 500 from the Portal");
    }
}
