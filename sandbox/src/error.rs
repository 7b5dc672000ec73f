//! The one error type of starting a sandbox.

use std::net::SocketAddr;
use std::path::PathBuf;

/// Why a sandbox could not start, or a token could not be issued.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SandboxError {
    /// The listening socket could not be bound.
    #[error("cannot listen on {addr}")]
    Bind {
        /// The address asked for.
        addr: SocketAddr,
        /// What the operating system said.
        #[source]
        source: std::io::Error,
    },
    /// The seed data file could not be read.
    #[error("cannot read seed data file {}", path.display())]
    DataFile {
        /// The file.
        path: PathBuf,
        /// What the operating system said.
        #[source]
        source: std::io::Error,
    },
    /// The seed data is not valid (bad JSON, bad field, duplicate id, ...).
    #[error("invalid seed data: {0}")]
    Data(String),
    /// The vendored schema could not be turned into a server schema.
    #[error("cannot serve the schema: {0}")]
    Schema(String),
    /// No randomness was available for the signing key or a token id.
    #[error("no randomness available: {0}")]
    Random(String),
    /// No user has that name.
    #[error("no user named {0:?}")]
    UnknownUser(String),
}
