#![doc = include_str!("../README.md")]
#![deny(missing_docs)]
#![forbid(unsafe_code)]

pub mod alerts;
mod auth;
mod client;
mod config;
mod document;
mod endpoint;
mod error;
mod glosom;
pub mod operations;
pub mod pagination;
mod permissions;
mod response;
mod retry;
mod scalars;
mod session;
pub mod tdh;
mod token;
mod transport;

#[cfg(feature = "fuzzing")]
#[doc(hidden)]
pub mod fuzzing;

#[cfg(feature = "bench")]
#[doc(hidden)]
#[path = "bench.rs"]
pub mod __bench;

pub use auth::{Access, Auth, Authentication, SignInOptions};
pub use client::Client;
pub use config::{
    ClientBuilder, DEFAULT_ATTEMPT_TIMEOUT, DEFAULT_CONNECT_TIMEOUT, DEFAULT_MAX_RESPONSE_BYTES,
    DEFAULT_REFRESH_WINDOW, DEFAULT_RESOURCE, DEFAULT_TIMEOUT, ENV_SKIP_TLS_VERIFY, ENV_TOKEN, ENV_URL,
};
pub use endpoint::MAX_ENDPOINT_LEN;
pub use error::{
    Error, GraphQLError, GraphQLErrors, Location, PathSegment, TimeoutPhase, TokenError, TransportErrorKind,
};
pub use glosom::{Glosom, GlosomGroup, GlosomType};
pub use operations::{Operation, OperationKind};
pub use pagination::{Nodes, Page, Pages, Paginated};
pub use permissions::{Organization, Permission, Permissions, PermissionsRequest, UserProfile, TDH_COORDINATOR};
pub use retry::RetryPolicy;
pub use scalars::{Cursor, DateTime, DateTimeError};
pub use token::Token;
