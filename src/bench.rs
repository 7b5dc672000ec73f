//! Hooks for `benches/portal` only, behind the internal `bench` feature: not part
//! of the API, not covered by semver, never needed by users.

use serde::de::DeserializeOwned;

use crate::error::Error;
use crate::transport;

/// A complete answer as the transport hands it to the decoder.
pub struct Answer(transport::Answer);

impl Answer {
    /// An HTTP 200 answer with a JSON body.
    pub fn ok(body: Vec<u8>) -> Answer {
        Answer(transport::Answer {
            status: 200,
            content_type: Some("application/json".to_owned()),
            retry_after: None,
            body: body.into(),
        })
    }
}

/// The SDK's decode path, exactly as [`Client::query`](crate::Client::query) runs it.
pub fn decode<T: DeserializeOwned>(answer: &Answer) -> Result<T, Error> {
    crate::response::decode(&answer.0)
}
