//! One file per command; [`Command`] lists them and runs the one asked for.
//!
//! A command is a clap `Args` struct with an `async fn run(&self, global:
//! &GlobalOptions) -> Result<ExitCode, CliError>`; adding one is a new file, a
//! variant here and a line in [`Command::run`].

pub mod alerts;
pub mod issues_list;
pub mod issues_show;
pub mod login;
pub mod query;
pub mod schema_diff;
pub mod schema_pull;
pub mod whoami;

use std::process::ExitCode;

use clap::Subcommand;

use crate::connection::GlobalOptions;
use crate::error::CliError;

/// Every `portal` command.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Sign in with a user name and password (and one-time code); prints the token's expiry, or the token
    Login(login::LoginArgs),
    /// Show the user, organization and permissions the token stands for
    Whoami(whoami::WhoamiArgs),
    /// TDH issues: list them with filters, show one with its affected assets
    #[command(subcommand)]
    Issues(IssuesCommand),
    /// Stream alerts, oldest first, as they arrive
    Alerts(alerts::AlertsArgs),
    /// Run any GraphQL document and print its `data` as JSON
    Query(query::QueryArgs),
    /// Maintainer tooling: pull the live schema, compare schemas
    #[command(subcommand)]
    Schema(SchemaCommand),
}

/// `portal issues ...`.
#[derive(Debug, Subcommand)]
pub enum IssuesCommand {
    /// List the TDH issues the token may see, newest first, with filters
    List(issues_list::ListArgs),
    /// Show one TDH issue, by id or reference, with the assets it affects
    Show(issues_show::ShowArgs),
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
            Command::Login(args) => args.run(global).await,
            Command::Whoami(args) => args.run(global).await,
            Command::Issues(IssuesCommand::List(args)) => args.run(global).await,
            Command::Issues(IssuesCommand::Show(args)) => args.run(global).await,
            Command::Alerts(args) => args.run(global).await,
            Command::Query(args) => args.run(global).await,
            Command::Schema(SchemaCommand::Pull(args)) => args.run(global).await,
            Command::Schema(SchemaCommand::Diff(args)) => args.run(global).await,
        }
    }
}
