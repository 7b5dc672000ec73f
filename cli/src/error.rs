//! What makes a command fail, and the exit codes.

use std::process::ExitCode;

use crate::schema::SchemaError;

/// The command did what was asked and found nothing wrong.
pub const EXIT_OK: u8 = 0;
/// The command ran, and its answer is negative: the Portal answered with GraphQL
/// errors (`query`), or the new schema breaks one of our operations (`schema diff`).
pub const EXIT_FOUND: u8 = 1;
/// The command could not do its job: bad usage or configuration, an unreadable
/// file, a network or HTTP failure. Also what clap uses for usage errors.
pub const EXIT_ERROR: u8 = 2;

/// Why a command could not do its job; printed to stderr, exit code [`EXIT_ERROR`].
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum CliError {
    /// A setting is missing or wrong; the message says which flag or variable to set.
    #[error("{0}")]
    Usage(String),
    /// A file could not be read or written.
    #[error("cannot {action} {path}: {source}")]
    Io {
        /// `read` or `write`.
        action: &'static str,
        /// The file, as given.
        path: String,
        /// Why.
        source: std::io::Error,
    },
    /// The SDK failed (configuration, network, HTTP, an unusable answer).
    #[error(transparent)]
    Portal(#[from] dcso_portal::Error),
    /// A schema or the operations could not be read, parsed or compared.
    #[error(transparent)]
    Schema(#[from] SchemaError),
}

impl CliError {
    /// Prints the error and its causes to stderr, and gives the exit code.
    pub fn report(&self) -> ExitCode {
        eprintln!("error: {self}");
        let mut source = std::error::Error::source(self);
        // `Portal` and `Schema` are transparent: their own message is already shown.
        if matches!(self, CliError::Portal(_) | CliError::Schema(_)) {
            source = source.and_then(std::error::Error::source);
        }
        while let Some(cause) = source {
            eprintln!("  caused by: {cause}");
            source = cause.source();
        }
        ExitCode::from(EXIT_ERROR)
    }
}
