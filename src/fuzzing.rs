//! Entry points for the fuzz targets in `fuzz/` and the properties in
//! `tests/properties.rs`, behind the internal `fuzzing` feature: not part of the
//! API, not covered by semver, never needed by users. Each runs exactly the code a
//! real call runs on untrusted input.

use std::time::{Duration, SystemTime};

use serde::de::DeserializeOwned;
use serde_json::Value;

use crate::error::Error;
use crate::operations::OperationKind;
use crate::transport::Answer;

/// Decodes an HTTP answer as [`Client::execute_graphql`](crate::Client::execute_graphql) does.
pub fn decode_response(status: u16, content_type: Option<&str>, body: &[u8]) -> Result<Value, Error> {
    decode_response_as(status, content_type, body)
}

/// Decodes an HTTP answer into `T`, as [`Client::query`](crate::Client::query) does.
pub fn decode_response_as<T: DeserializeOwned>(
    status: u16,
    content_type: Option<&str>,
    body: &[u8],
) -> Result<T, Error> {
    let answer = Answer {
        status,
        content_type: content_type.map(str::to_owned),
        retry_after: None,
        body: bytes::Bytes::copy_from_slice(body),
    };
    crate::response::decode(&answer)
}

/// Validates an endpoint as [`Client::new`](crate::Client::new) does.
pub fn parse_endpoint(raw: &str) -> Result<url::Url, Error> {
    crate::endpoint::parse_endpoint(raw)
}

/// The operation kind of an ad-hoc document, which decides whether it may be retried.
pub fn operation_kind(document: &str) -> OperationKind {
    crate::document::operation_kind(document)
}

/// Reads a `Retry-After` header value at time `now`.
pub fn parse_retry_after(value: &str, now: SystemTime) -> Option<Duration> {
    crate::retry::parse_retry_after(value, now)
}
