#![doc = include_str!("../README.md")]
#![deny(missing_docs)]

mod auth;
pub mod data;
pub mod demo;
mod error;
pub mod glosom;
mod jwt;
mod resolvers;
mod schema;
mod server;
mod state;
mod stats;
pub mod totp;

pub use data::SeedData;
pub use error::SandboxError;
pub use resolvers::{DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE};
pub use schema::SDL;
pub use server::{Sandbox, SandboxBuilder, DEFAULT_TOKEN_TTL, MAX_BODY_BYTES, MAX_COMPLEXITY, MAX_DEPTH};
pub use stats::Stats;
