//! Maintainer tooling: print, compare and check GraphQL schemas.
//!
//! - [`introspection`]: the introspection query and reading its answer.
//! - [`sdl`]: the canonical SDL printer (the parity check).
//! - [`diff`]: every change between two schemas, classified.
//! - [`breakage`]: which operations in `queries/` a change breaks.
//! - [`report`]: the result of `portal schema diff`, as text and JSON.

pub mod breakage;
pub mod diff;
mod error;
pub mod introspection;
pub mod report;
pub mod sdl;

pub use error::SchemaError;
