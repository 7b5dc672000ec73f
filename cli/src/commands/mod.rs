//! One file per command; [`Command`] lists them and runs the one asked for.
//!
//! A command is a clap `Args` struct with an `async fn run(&self, global:
//! &GlobalOptions) -> Result<ExitCode, CliError>`; adding one is a new file, a
//! variant here and a line in [`Command::run`].

pub mod query;
pub mod schema_diff;
pub mod schema_pull;

use std::process::ExitCode;

use clap::Subcommand;

use crate::connection::GlobalOptions;
use crate::error::CliError;

/// Every `portal` command.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run any GraphQL document and print its `data` as JSON
    Query(query::QueryArgs),
    /// Maintainer tooling: pull the live schema, compare schemas
    #[command(subcommand)]
    Schema(SchemaCommand),
}

/// `portal schema ...`.
#[derive(Debug, Subcommand)]
pub enum SchemaCommand {
    /// Print the Portal's schema as SDL, read by introspection
    Pull(schema_pull::PullArgs),
    /// Classify every change between the vendored schema and another, and check our operations against it
    Diff(schema_diff::DiffArgs),
}

impl Command {
    /// Runs the command; `Ok` carries its exit code (0, or 1 for a negative answer).
    pub async fn run(&self, global: &GlobalOptions) -> Result<ExitCode, CliError> {
        match self {
            Command::Query(args) => args.run(global).await,
            Command::Schema(SchemaCommand::Pull(args)) => args.run(global).await,
            Command::Schema(SchemaCommand::Diff(args)) => args.run(global).await,
        }
    }
}
