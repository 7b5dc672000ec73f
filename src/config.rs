//! Building a [`Client`]: every setting, its default, and where it comes from.

use std::time::Duration;

use crate::client::Client;
use crate::error::Error;
use crate::retry::RetryPolicy;

/// The environment variable holding the token used when none is given explicitly.
pub const ENV_TOKEN: &str = "DCSO_PORTAL_TOKEN";
/// The environment variable that turns TLS certificate verification off (`1`/`true`).
pub const ENV_SKIP_TLS_VERIFY: &str = "DCSO_PORTAL_SKIP_TLS_VERIFY";
/// The environment variable the examples and the `portal` CLI read the endpoint from.
pub const ENV_URL: &str = "DCSO_PORTAL_URL";

/// Default overall deadline of one call, retries and waits included.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(60);
/// Default limit of one attempt (sending the request and reading the answer).
pub const DEFAULT_ATTEMPT_TIMEOUT: Duration = Duration::from_secs(30);
/// Default limit for opening a connection.
pub const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
/// Default largest answer read, after decompression: 32 MiB.
pub const DEFAULT_MAX_RESPONSE_BYTES: u64 = 32 * 1024 * 1024;
/// Default `resource` sent when signing in: this SDK's name.
pub const DEFAULT_RESOURCE: &str = "dcso-portal";
/// Default window before a user token's expiry in which it is refreshed first.
pub const DEFAULT_REFRESH_WINDOW: Duration = Duration::from_secs(300);

/// Builds a [`Client`]. Get one from [`Client::builder`].
///
/// Settings come from, in order of precedence: the builder's methods, the
/// environment ([`ENV_TOKEN`], [`ENV_SKIP_TLS_VERIFY`]), then the defaults:
///
/// | setting | default |
/// |---|---|
/// | token | `DCSO_PORTAL_TOKEN` if set and not empty, else none |
/// | [`timeout`](Self::timeout) (whole call) | 60 s |
/// | [`attempt_timeout`](Self::attempt_timeout) | 30 s |
/// | [`connect_timeout`](Self::connect_timeout) | 10 s |
/// | [`retry`](Self::retry) | 3 attempts, queries only, backoff 200 ms doubling up to 5 s, shared budget ([`RetryPolicy`]) |
/// | [`max_retry_after`](Self::max_retry_after) | 30 s |
/// | [`max_response_bytes`](Self::max_response_bytes) | 32 MiB, after decompression (gzip, brotli) |
/// | TLS verification | on, unless `DCSO_PORTAL_SKIP_TLS_VERIFY` is `1`/`true` |
/// | redirects | only 307/308 within the endpoint's origin, at most 5 |
/// | [`user_agent`](Self::user_agent) | `dcso-portal/<version>` |
/// | [`resource`](Self::resource) | `dcso-portal` |
/// | [`auto_refresh`](Self::auto_refresh) | on, 5 minutes before expiry |
///
/// ```
/// use std::time::Duration;
/// use dcso_portal::Client;
///
/// let client = Client::builder("https://portal.example.com/graphql")
///     .token("my-machine-token")
///     .timeout(Duration::from_secs(20))
///     .build()?;
/// # Ok::<(), dcso_portal::Error>(())
/// ```
#[must_use = "a builder does nothing until .build() is called"]
pub struct ClientBuilder {
    pub(crate) endpoint: String,
    pub(crate) token: Option<secrecy::SecretString>,
    pub(crate) token_from_env: bool,
    pub(crate) timeout: Duration,
    pub(crate) attempt_timeout: Duration,
    pub(crate) connect_timeout: Duration,
    pub(crate) user_agent: Option<String>,
    pub(crate) retry: RetryPolicy,
    pub(crate) max_response_bytes: u64,
    pub(crate) root_certificates: Vec<Vec<u8>>,
    pub(crate) accept_invalid_certs: Option<bool>,
    pub(crate) http: Option<reqwest::Client>,
    pub(crate) resource: String,
    pub(crate) auto_refresh: bool,
    pub(crate) refresh_window: Duration,
}

impl std::fmt::Debug for ClientBuilder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ClientBuilder")
            .field("endpoint", &self.endpoint)
            .field("token", &self.token.as_ref().map(|_| "[redacted]"))
            .field("timeout", &self.timeout)
            .field("retry", &self.retry)
            .finish_non_exhaustive()
    }
}

impl ClientBuilder {
    pub(crate) fn new(endpoint: impl Into<String>) -> Self {
        ClientBuilder {
            endpoint: endpoint.into(),
            token: None,
            token_from_env: true,
            timeout: DEFAULT_TIMEOUT,
            attempt_timeout: DEFAULT_ATTEMPT_TIMEOUT,
            connect_timeout: DEFAULT_CONNECT_TIMEOUT,
            user_agent: None,
            retry: RetryPolicy::default(),
            max_response_bytes: DEFAULT_MAX_RESPONSE_BYTES,
            root_certificates: Vec::new(),
            accept_invalid_certs: None,
            http: None,
            resource: DEFAULT_RESOURCE.to_owned(),
            auto_refresh: true,
            refresh_window: DEFAULT_REFRESH_WINDOW,
        }
    }

    /// The token to send (a machine token or a user JWT). Takes precedence over
    /// `DCSO_PORTAL_TOKEN`. It is checked when the client is built.
    pub fn token(mut self, token: impl Into<String>) -> Self {
        self.token = Some(secrecy::SecretString::from(token.into()));
        self
    }

    /// Whether to read `DCSO_PORTAL_TOKEN` when no token is given (default `true`).
    pub fn token_from_env(mut self, read: bool) -> Self {
        self.token_from_env = read;
        self
    }

    /// The overall deadline of one call, retries and the waits between them
    /// included (default 60 s).
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// The limit of one attempt: sending the request and reading the whole answer
    /// (default 30 s). A server that accepts and never answers, or trickles bytes,
    /// fails the attempt here.
    pub fn attempt_timeout(mut self, timeout: Duration) -> Self {
        self.attempt_timeout = timeout;
        self
    }

    /// The limit for opening a connection (default 10 s). Not applied to a client
    /// given with [`reqwest_client`](Self::reqwest_client).
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.connect_timeout = timeout;
        self
    }

    /// The `User-Agent` header (default `dcso-portal/<version>`).
    pub fn user_agent(mut self, user_agent: impl Into<String>) -> Self {
        self.user_agent = Some(user_agent.into());
        self
    }

    /// How failed queries are retried (default [`RetryPolicy::default`]).
    pub fn retry(mut self, policy: RetryPolicy) -> Self {
        self.retry = policy;
        self
    }

    /// The largest answer read, in bytes after decompression (default 32 MiB).
    /// A larger answer fails with [`Error::ResponseTooLarge`] without being held
    /// in memory.
    pub fn max_response_bytes(mut self, limit: u64) -> Self {
        self.max_response_bytes = limit;
        self
    }

    /// The longest `Retry-After` honoured (default 30 s); shorthand for the
    /// [`RetryPolicy`] setting.
    pub fn max_retry_after(mut self, max: Duration) -> Self {
        self.retry = self.retry.max_retry_after(max);
        self
    }

    /// Trusts this CA certificate (PEM) in addition to the built-in roots, e.g.
    /// for a Portal behind a company CA. Checked when the client is built.
    pub fn add_root_certificate_pem(mut self, pem: impl Into<Vec<u8>>) -> Self {
        self.root_certificates.push(pem.into());
        self
    }

    /// Turns TLS certificate verification off (`true`) or forces it on (`false`),
    /// overriding `DCSO_PORTAL_SKIP_TLS_VERIFY`. Off is dangerous: anyone on the
    /// path can read the token. A warning is printed when the client is built.
    pub fn danger_accept_invalid_certs(mut self, accept: bool) -> Self {
        self.accept_invalid_certs = Some(accept);
        self
    }

    /// Sends requests through this `reqwest` client (sharing its connection pool
    /// and settings) instead of building one. Its own TLS, proxy, redirect,
    /// decompression and connect timeout settings then apply, and the builder's TLS
    /// and connect settings (and `DCSO_PORTAL_SKIP_TLS_VERIFY`) are ignored; the
    /// other settings here still apply. Keep its redirect policy strict: reqwest's
    /// default follows redirects to other origins (dropping the token only when the
    /// host changes).
    ///
    /// This is the one place a dependency's type is part of this crate's API: it
    /// names reqwest 0.12, and may change with a major reqwest release.
    pub fn reqwest_client(mut self, client: reqwest::Client) -> Self {
        self.http = Some(client);
        self
    }

    /// The `resource` sent when signing in, naming the application (default
    /// `dcso-portal`).
    pub fn resource(mut self, resource: impl Into<String>) -> Self {
        self.resource = resource.into();
        self
    }

    /// Whether a user token obtained by signing in is refreshed automatically
    /// shortly before it expires (default on, 5 minutes before).
    pub fn auto_refresh(mut self, enabled: bool) -> Self {
        self.auto_refresh = enabled;
        self
    }

    /// How long before expiry a user token is refreshed (default 5 minutes).
    pub fn refresh_window(mut self, window: Duration) -> Self {
        self.refresh_window = window;
        self
    }

    /// Checks every setting and builds the client.
    ///
    /// Fails with [`Error::Config`] for an invalid endpoint, an unusable token
    /// (explicit or from `DCSO_PORTAL_TOKEN`), an invalid
    /// `DCSO_PORTAL_SKIP_TLS_VERIFY` value, a bad CA certificate, or zero timeouts.
    pub fn build(self) -> Result<Client, Error> {
        Client::from_builder(self)
    }
}

/// Reads `DCSO_PORTAL_SKIP_TLS_VERIFY`: `1`/`true` skip verification, `0`/`false`/
/// empty/unset keep it; anything else is a configuration error.
pub(crate) fn skip_tls_verify_from_env() -> Result<bool, Error> {
    let Some(value) = std::env::var_os(ENV_SKIP_TLS_VERIFY) else {
        return Ok(false);
    };
    let value = value.to_string_lossy();
    match value.trim().to_ascii_lowercase().as_str() {
        "1" | "true" => Ok(true),
        "" | "0" | "false" => Ok(false),
        _ => Err(Error::config(format!(
            "{ENV_SKIP_TLS_VERIFY} is {value:?}: set it to 1 or true to skip TLS certificate verification, \
             or 0, false or nothing to keep it"
        ))),
    }
}

/// Reads `DCSO_PORTAL_TOKEN`; empty counts as unset.
pub(crate) fn token_from_env() -> Option<String> {
    let value = std::env::var(ENV_TOKEN).ok()?;
    (!value.trim().is_empty()).then_some(value)
}
