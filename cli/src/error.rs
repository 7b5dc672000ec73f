//! What makes a command fail, and the exit codes.

use std::process::ExitCode;

use crate::schema::SchemaError;

/// The command did what was asked and found nothing wrong.
pub const EXIT_OK: u8 = 0;
/// The command ran, and its answer is negative: the Portal answered with GraphQL
/// errors (wrong credentials, a refused token, a denied permission), what was
/// asked for does not exist, or the new schema breaks one of our operations
/// (`schema diff`).
pub const EXIT_FOUND: u8 = 1;
/// The command could not do its job: bad usage or configuration, an unreadable
/// file, a network or HTTP failure. Also what clap uses for usage errors.
pub const EXIT_ERROR: u8 = 2;

/// Why a command failed; printed to stderr. Exit code [`EXIT_FOUND`] when the
/// Portal said no ([`CliError::Refused`], [`CliError::NotFound`]), else
/// [`EXIT_ERROR`].
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum CliError {
    /// The Portal answered with GraphQL errors: wrong credentials or one-time
    /// code, a refused or expired token, a denied permission. Each is printed on
    /// its own line as `message (GLOSOMCODE)`.
    #[error("{0}")]
    Refused(Box<dcso_portal::GraphQLErrors>),
    /// What was asked for does not exist (an unknown issue).
    #[error("{0}")]
    NotFound(String),
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
    /// The Portal's answer as the error of a command that reads records: GraphQL
    /// errors are [`CliError::Refused`] (exit code 1), anything else
    /// [`CliError::Portal`] (exit code 2).
    pub fn answer(error: dcso_portal::Error) -> CliError {
        match error {
            dcso_portal::Error::GraphQL(errors) => CliError::Refused(errors),
            other => CliError::Portal(other),
        }
    }

    /// Prints the error and its causes to stderr, and gives the exit code.
    pub fn report(&self) -> ExitCode {
        match self {
            CliError::Refused(errors) => {
                if errors.errors().is_empty() {
                    eprintln!("error: {errors}");
                }
                for error in errors.iter() {
                    eprintln!("error: {error}");
                }
                return ExitCode::from(EXIT_FOUND);
            }
            CliError::NotFound(message) => {
                eprintln!("error: {message}");
                return ExitCode::from(EXIT_FOUND);
            }
            _ => eprintln!("error: {self}"),
        }
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
