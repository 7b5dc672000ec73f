//! Where command output goes and in which format.
//!
//! Data goes to stdout, everything else (errors, progress, logs) to stderr, so
//! that `portal ... > file` and pipes get only the data.

use std::io::{IsTerminal as _, Write as _};

use clap::ValueEnum;

use crate::error::CliError;

/// How commands that print data print it (`--output`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum OutputFormat {
    /// Pretty-printed JSON: stable, for scripts.
    Json,
    /// A table for people.
    Table,
}

impl OutputFormat {
    /// The format asked for, else `table` when stdout is a terminal and `json`
    /// when it is not.
    pub fn resolve(explicit: Option<OutputFormat>) -> OutputFormat {
        explicit.unwrap_or_else(
            || {
                if std::io::stdout().is_terminal() {
                    OutputFormat::Table
                } else {
                    OutputFormat::Json
                }
            },
        )
    }
}

/// Writes `text` to stdout. A closed pipe (`portal ... | head`) is not an error.
pub fn print(text: &str) -> Result<(), CliError> {
    let mut stdout = std::io::stdout().lock();
    match stdout.write_all(text.as_bytes()).and_then(|()| stdout.flush()) {
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => {
            Err(CliError::Io { action: "write", path: "standard output".into(), source: e })
        }
        _ => Ok(()),
    }
}

/// Writes `value` to stdout as pretty JSON, with a final newline.
pub fn print_json(value: &serde_json::Value) -> Result<(), CliError> {
    let mut text = serde_json::to_string_pretty(value).unwrap_or_else(|_| value.to_string());
    text.push('\n');
    print(&text)
}
