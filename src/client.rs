//! The [`Client`]: typed operations, the ad-hoc escape hatch, the token.

use std::fmt;
use std::sync::Arc;

use bytes::Bytes;
use serde::de::DeserializeOwned;
use serde::Serialize;
use serde_json::Value;
use tracing::Instrument as _;
use url::Url;

use crate::config::{self, ClientBuilder};
use crate::document;
use crate::error::Error;
use crate::operations::{Operation, OperationKind};
use crate::response;
use crate::retry::RetryBudget;
use crate::session::{Credential, Session};
use crate::token::Token;
use crate::transport::Transport;

/// A client for one Portal endpoint.
///
/// Cheap to clone: clones share the connection pool, the token and the retry
/// budget. Build one per endpoint and reuse it.
///
/// ```no_run
/// use dcso_portal::{operations::AllIssues, Client};
///
/// # async fn run() -> Result<(), dcso_portal::Error> {
/// let client = Client::new("https://portal.example.com/graphql")?; // token from DCSO_PORTAL_TOKEN
/// let data = client.query::<AllIssues>(Default::default()).await?;
/// for issue in data.tdh_all_issues {
///     println!("{} {}", issue.reference, issue.title);
/// }
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct Client {
    pub(crate) inner: Arc<Inner>,
}

pub(crate) struct Inner {
    pub(crate) transport: Transport,
    pub(crate) session: Session,
    pub(crate) resource: String,
    pub(crate) auto_refresh: bool,
    pub(crate) refresh_window: std::time::Duration,
}

/// Whether a request carries the client's token.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Auth {
    WithToken,
    Anonymous,
}

#[derive(Serialize)]
struct RequestBody<'a, V> {
    query: &'a str,
    variables: V,
    #[serde(rename = "operationName", skip_serializing_if = "Option::is_none")]
    operation_name: Option<&'a str>,
}

impl Client {
    /// A client for `endpoint` with every default, taking the token from
    /// `DCSO_PORTAL_TOKEN` if set. See [`ClientBuilder`] for the settings.
    pub fn new(endpoint: impl Into<String>) -> Result<Client, Error> {
        Client::builder(endpoint).build()
    }

    /// A builder for a client of `endpoint`.
    pub fn builder(endpoint: impl Into<String>) -> ClientBuilder {
        ClientBuilder::new(endpoint)
    }

    pub(crate) fn from_builder(b: ClientBuilder) -> Result<Client, Error> {
        let endpoint = crate::endpoint::parse_endpoint(&b.endpoint)?;
        for (name, value) in
            [("timeout", b.timeout), ("attempt timeout", b.attempt_timeout), ("connect timeout", b.connect_timeout)]
        {
            if value.is_zero() {
                return Err(Error::config(format!("the {name} is zero: give it a positive duration")));
            }
        }
        if b.max_response_bytes == 0 {
            return Err(Error::config("the response size limit is zero: give it a positive number of bytes"));
        }

        let token = match (&b.token, b.token_from_env) {
            (Some(token), _) => Some(
                Token::parse(secrecy::ExposeSecret::expose_secret(token))
                    .map_err(|e| Error::config(format!("the token given to the builder is unusable: {e}")))?,
            ),
            (None, true) => match config::token_from_env() {
                Some(raw) => Some(Token::parse(raw).map_err(|e| {
                    Error::config(format!(
                        "{} holds an unusable token: {e}; set it to a valid machine or user token, or unset it",
                        config::ENV_TOKEN
                    ))
                })?),
                None => None,
            },
            (None, false) => None,
        };
        let credential = token.map(|t| Credential::new(t, None)).transpose()?;

        let skip_tls = match b.accept_invalid_certs {
            Some(accept) => accept,
            None => config::skip_tls_verify_from_env()?,
        };
        let http = match b.http.clone() {
            Some(http) => http,
            None => {
                let http = build_http(&b, &endpoint, skip_tls)?;
                if skip_tls {
                    warn_tls_disabled(&endpoint);
                }
                http
            }
        };

        Ok(Client {
            inner: Arc::new(Inner {
                transport: Transport {
                    http,
                    endpoint,
                    timeout: b.timeout,
                    attempt_timeout: b.attempt_timeout,
                    connect_timeout: b.connect_timeout,
                    max_response_bytes: b.max_response_bytes,
                    retry: b.retry,
                    budget: RetryBudget::new(),
                },
                session: Session::new(credential),
                resource: b.resource,
                auto_refresh: b.auto_refresh,
                refresh_window: b.refresh_window,
            }),
        })
    }

    /// The endpoint this client talks to.
    pub fn endpoint(&self) -> &Url {
        &self.inner.transport.endpoint
    }

    /// The token sent with requests, if any.
    pub fn token(&self) -> Option<Token> {
        self.inner.session.current().map(|c| c.token.clone())
    }

    /// Replaces the token sent with requests (a machine token or a user JWT). It is
    /// checked first: an unusable token is refused and the old one kept. A token
    /// set this way is never refreshed automatically.
    pub fn set_token(&self, token: impl Into<String>) -> Result<(), Error> {
        let token = Token::parse(token)?;
        self.inner.session.set(Some(Credential::new(token, None)?));
        Ok(())
    }

    /// Stops sending a token.
    pub fn clear_token(&self) {
        self.inner.session.set(None);
    }

    /// Runs a typed operation from `queries/` and returns its `data`.
    ///
    /// ```no_run
    /// use dcso_portal::{operations::{issue, Issue}, Client};
    ///
    /// # async fn run(client: Client) -> Result<(), dcso_portal::Error> {
    /// let id = "3be13d5f-1556-4edf-a243-e7ea4db67f2e".parse().expect("a UUID");
    /// let data = client.query::<Issue>(issue::Variables { id }).await?;
    /// if let Some(issue) = data.issue {
    ///     for asset in issue.affected_assets {
    ///         println!("{}", asset.ip);
    ///     }
    /// }
    /// # Ok(()) }
    /// ```
    pub async fn query<Op: Operation>(&self, variables: Op::Variables) -> Result<Op::ResponseData, Error> {
        let body = encode(&RequestBody { query: Op::DOCUMENT, variables, operation_name: Some(Op::NAME) })?;
        self.execute(body, Op::NAME, Op::KIND, Auth::WithToken).await
    }

    /// Runs any GraphQL document and returns its `data` object as JSON: the escape
    /// hatch for what is not typed yet. `fragments` are fragment definitions
    /// appended to the document, as in the reference SDK; `variables` must be a
    /// JSON object (or `None`).
    ///
    /// ```no_run
    /// # async fn run(client: dcso_portal::Client) -> Result<(), dcso_portal::Error> {
    /// let data = client.execute_graphql("{ tdh_allIssues { id reference } }", None, &[]).await?;
    /// for issue in data["tdh_allIssues"].as_array().into_iter().flatten() {
    ///     println!("{} {}", issue["id"], issue["reference"]);
    /// }
    /// # Ok(()) }
    /// ```
    pub async fn execute_graphql(
        &self,
        query: &str,
        variables: Option<&Value>,
        fragments: &[&str],
    ) -> Result<Value, Error> {
        self.execute_graphql_as(query, variables, fragments).await
    }

    /// Like [`execute_graphql`](Self::execute_graphql), but decodes `data` into
    /// your own type; a mismatch is an [`Error::Decode`] naming the JSON path.
    pub async fn execute_graphql_as<T: DeserializeOwned>(
        &self,
        query: &str,
        variables: Option<&Value>,
        fragments: &[&str],
    ) -> Result<T, Error> {
        let (body, kind) = adhoc_request(query, variables, fragments)?;
        self.execute(body, "anonymous", kind, Auth::WithToken).await
    }

    /// True when the endpoint answers `{__schema { queryType { name }}}` (sent
    /// without a token) with `Query`; any failure is `false`, as in the reference.
    pub async fn is_alive(&self) -> bool {
        #[derive(serde::Deserialize)]
        struct Data {
            #[serde(rename = "__schema")]
            schema: Schema,
        }
        #[derive(serde::Deserialize)]
        struct Schema {
            #[serde(rename = "queryType")]
            query_type: Named,
        }
        #[derive(serde::Deserialize)]
        struct Named {
            name: String,
        }
        let Ok((body, kind)) = adhoc_request("{__schema { queryType { name }}}", None, &[]) else {
            return false;
        };
        match self.execute::<Data>(body, "is_alive", kind, Auth::Anonymous).await {
            Ok(data) => data.schema.query_type.name == "Query",
            Err(_) => false,
        }
    }

    /// Sends one request body and decodes its answer, within one tracing span.
    pub(crate) async fn execute<T: DeserializeOwned>(
        &self,
        body: Bytes,
        name: &str,
        kind: OperationKind,
        auth: Auth,
    ) -> Result<T, Error> {
        let span = tracing::debug_span!(
            "portal.request",
            operation = name,
            kind = kind.as_str(),
            attempt = tracing::field::Empty,
            status = tracing::field::Empty,
            latency_ms = tracing::field::Empty,
            glosom = tracing::field::Empty,
        );
        async {
            // Token refresh (src/auth/refresh.rs): before sending when the token is about to
            // expire; after a "token expired" answer, one refresh and one replay of a query.
            let mut credential = match auth {
                Auth::WithToken => self.credential_for_request().await?,
                Auth::Anonymous => None,
            };
            let mut replayed = false;
            loop {
                let header = credential.as_ref().map(|c| &c.header);
                let answer = self.inner.transport.send(body.clone(), kind, header).await?;
                let result = response::decode::<T>(&answer);
                if let Err(error) = &result {
                    if !replayed {
                        if let Some(fresh) = self.credential_for_replay(error, kind, credential.as_ref()).await? {
                            tracing::debug!(error = %error, "sending the query again with the refreshed token");
                            credential = Some(fresh);
                            replayed = true;
                            continue;
                        }
                    }
                    if let Some(code) = error.glosom() {
                        tracing::Span::current().record("glosom", tracing::field::display(code));
                    }
                    tracing::debug!(error = %error, "request failed");
                }
                return result;
            }
        }
        .instrument(span)
        .await
    }
}

/// The request body and operation kind of an ad-hoc document.
fn adhoc_request(query: &str, variables: Option<&Value>, fragments: &[&str]) -> Result<(Bytes, OperationKind), Error> {
    if query.trim().is_empty() {
        return Err(Error::config("the GraphQL document is empty"));
    }
    if let Some(v) = variables {
        if !v.is_object() && !v.is_null() {
            return Err(Error::config(format!(
                "variables must be a JSON object mapping names to values, not {}",
                json_kind(v)
            )));
        }
    }
    let document = if fragments.is_empty() {
        std::borrow::Cow::Borrowed(query)
    } else {
        let mut text = query.to_owned();
        for fragment in fragments {
            text.push('\n');
            text.push_str(fragment);
        }
        std::borrow::Cow::Owned(text)
    };
    let kind = document::operation_kind(&document);
    let empty = Value::Object(Default::default());
    let body = encode(&RequestBody { query: &document, variables: variables.unwrap_or(&empty), operation_name: None })?;
    Ok((body, kind))
}

fn encode<V: Serialize>(body: &RequestBody<'_, V>) -> Result<Bytes, Error> {
    serde_json::to_vec(body)
        .map(Bytes::from)
        .map_err(|e| Error::config(format!("the variables cannot be sent as JSON: {e}")))
}

fn json_kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

fn build_http(b: &ClientBuilder, endpoint: &Url, skip_tls: bool) -> Result<reqwest::Client, Error> {
    let origin = endpoint.origin();
    let mut builder = reqwest::Client::builder()
        .connect_timeout(b.connect_timeout)
        .user_agent(b.user_agent.clone().unwrap_or_else(|| format!("dcso-portal/{}", env!("CARGO_PKG_VERSION"))))
        .gzip(true)
        .brotli(true)
        .tcp_nodelay(true)
        .redirect(reqwest::redirect::Policy::custom(move |attempt| {
            // Only within the endpoint's origin (scheme, host and port), so the token never
            // reaches another host nor leaves TLS; only 307/308, because 301/302/303 turn the
            // POST into a body-less GET. The transport reports a redirect not followed.
            let keeps_the_request = matches!(attempt.status().as_u16(), 307 | 308);
            if attempt.previous().len() > MAX_REDIRECTS {
                attempt.error(format!("more than {MAX_REDIRECTS} redirects"))
            } else if keeps_the_request && attempt.url().origin() == origin {
                attempt.follow()
            } else {
                attempt.stop()
            }
        }))
        .danger_accept_invalid_certs(skip_tls);
    for (i, pem) in b.root_certificates.iter().enumerate() {
        let certificates = reqwest::Certificate::from_pem_bundle(pem)
            .map_err(|e| Error::config(format!("CA certificate #{} is not valid PEM: {e}", i + 1)))?;
        if certificates.is_empty() {
            return Err(Error::config(format!(
                "CA certificate #{} holds no PEM certificate (expected -----BEGIN CERTIFICATE-----)",
                i + 1
            )));
        }
        for certificate in certificates {
            builder = builder.add_root_certificate(certificate);
        }
    }
    builder.build().map_err(|e| {
        // reqwest's own message is just "builder error"; the reason (a CA certificate
        // that does not parse, say) is in its sources.
        let mut reason = e.to_string();
        let mut source = std::error::Error::source(&e);
        while let Some(inner) = source {
            reason.push_str(&format!(": {inner}"));
            source = inner.source();
        }
        let hint = if b.root_certificates.is_empty() { "" } else { " (check the CA certificates given)" };
        Error::config(format!("cannot set up the HTTP client{hint}: {reason}"))
    })
}

/// Redirects followed within the endpoint's origin before the call fails.
const MAX_REDIRECTS: usize = 5;

/// Once per client built without verification: on stderr, because a `tracing`
/// subscriber may not be installed, and as a `tracing` WARN for those who log.
fn warn_tls_disabled(endpoint: &Url) {
    // The origin only: an endpoint's user-info may hold a password.
    let endpoint = endpoint.origin().ascii_serialization();
    eprintln!(
        "warning: dcso-portal: TLS certificate verification is disabled for {endpoint} ({} or \
         danger_accept_invalid_certs); anyone on the network path can read your token",
        config::ENV_SKIP_TLS_VERIFY
    );
    tracing::warn!(%endpoint, "TLS certificate verification is disabled");
}

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Client")
            .field("endpoint", &self.inner.transport.endpoint.as_str())
            .field("token", &self.token())
            .finish_non_exhaustive()
    }
}
