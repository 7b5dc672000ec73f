//! `portal`: the DCSO Portal from a terminal, and the maintainer tooling that keeps
//! the SDK's vendored schema and operations in step with the live Portal.
//!
//! The binary (`src/main.rs`) only parses the command line and calls [`run`]; the
//! rest is this library, so that the schema tooling can be tested without a
//! process in between. See `MAINTAINING.md` at the repository root for the
//! maintainer workflow.
#![warn(missing_docs)]

mod app;
pub mod commands;
pub mod connection;
mod error;
pub mod output;
mod progress;
mod records;
pub mod schema;

pub use app::{run, Cli};
pub use error::{CliError, EXIT_ERROR, EXIT_FOUND, EXIT_OK};
