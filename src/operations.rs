//! Typed GraphQL operations, generated at build time from `queries/*.graphql`.
//!
//! `build.rs` validates every file in `queries/` against `schema/portal.graphql`
//! and writes one type per named operation into this module, so dropping a new
//! `.graphql` file into `queries/` is all it takes to get a new typed operation.
//! Each operation type implements [`Operation`] and has a module of the same name
//! in snake case with its `Variables` and `ResponseData` types:
//!
//! | operation | file | module |
//! |---|---|---|
//! | [`AllIssues`] | `queries/tdh.graphql` | [`all_issues`] |
//! | [`Issue`] | `queries/tdh.graphql` | [`issue`] |
//! | [`CreateAuthorization`] | `queries/auth.graphql` | [`create_authorization`] |
//! | [`User`] | `queries/user.graphql` | [`user`] |
//! | [`Permissions`] | `queries/user.graphql` | [`permissions`] |
//! | [`AlertsPage`] | `queries/alerts.graphql` | [`alerts_page`] |
//!
//! Run any of them with [`Client::query`](crate::Client::query).
#![allow(missing_docs, clippy::all, non_camel_case_types)]

use serde::de::DeserializeOwned;
use serde::Serialize;

/// How the schema's custom scalars appear in generated types.
#[doc(hidden)]
pub use crate::scalars::{Cursor, DateTime};
/// The schema's `UUID` scalar.
#[doc(hidden)]
pub type UUID = uuid::Uuid;

/// Whether an operation reads (`query`) or changes (`mutation`) data; read from the
/// operation's document at build time. Only queries are ever retried or replayed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum OperationKind {
    /// Reads data; safe to send again.
    Query,
    /// Changes data; never sent twice once it may have reached the server.
    Mutation,
    /// A subscription; not supported over this HTTP transport.
    Subscription,
}

impl OperationKind {
    /// The GraphQL keyword: `query`, `mutation` or `subscription`.
    pub fn as_str(self) -> &'static str {
        match self {
            OperationKind::Query => "query",
            OperationKind::Mutation => "mutation",
            OperationKind::Subscription => "subscription",
        }
    }
}

impl std::fmt::Display for OperationKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A typed GraphQL operation: its document, name, kind and the Rust types of its
/// variables and response `data`. Implemented by every operation generated from
/// `queries/`; implement it by hand only for documents kept outside `queries/`
/// (they are then not checked at build time).
pub trait Operation {
    /// The operation's variables, serialized as the request's `variables`.
    type Variables: Serialize + Send + Sync;
    /// The operation's `data`, decoded from the response.
    type ResponseData: DeserializeOwned;
    /// The operation's name, sent as `operationName`.
    const NAME: &'static str;
    /// The full document sent to the server (the operation and its fragments).
    const DOCUMENT: &'static str;
    /// Query or mutation, read from the document.
    const KIND: OperationKind;
}

include!(concat!(env!("OUT_DIR"), "/operations.rs"));
