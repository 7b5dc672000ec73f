//! The state one running sandbox shares between its HTTP handlers and resolvers.

use crate::auth::{Auth, Credential};
use crate::data::Dataset;
use crate::stats::Counters;

/// One sandbox's data, users and counters.
pub(crate) struct Portal {
    pub data: Dataset,
    pub auth: Auth,
    pub counters: Counters,
}

/// Per-request data: who is asking.
pub(crate) struct RequestAuth {
    pub credential: Credential,
}
