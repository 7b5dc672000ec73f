//! `portal schema pull`: the Portal's schema as canonical SDL.

use std::path::PathBuf;
use std::process::ExitCode;

use apollo_compiler::validation::Valid;
use apollo_compiler::Schema;
use clap::Args;

use crate::connection::GlobalOptions;
use crate::error::CliError;
use crate::output;
use crate::schema::{introspection, sdl};

/// Arguments of `portal schema pull`.
#[derive(Debug, Args)]
#[command(after_help = "\
The SDL is in the canonical form (schema block, then directives and types sorted by
name; descriptions and deprecations kept), so two pulls of the same schema are
identical and `portal schema diff --against FILE` can compare it with the vendored one.")]
pub struct PullArgs {
    /// Write the SDL to FILE instead of standard output
    #[arg(long, value_name = "FILE")]
    pub out: Option<PathBuf>,
}

impl PullArgs {
    /// Pulls and prints (or writes) the schema.
    pub async fn run(&self, global: &GlobalOptions) -> Result<ExitCode, CliError> {
        let schema = introspect(global).await?;
        let printed = sdl::print(&schema);
        match &self.out {
            None => output::print(&printed)?,
            Some(path) => std::fs::write(path, printed).map_err(|source| CliError::Io {
                action: "write",
                path: path.display().to_string(),
                source,
            })?,
        }
        Ok(ExitCode::SUCCESS)
    }
}

/// Runs the introspection query at the configured endpoint, with the token, and
/// reads the answer into a schema.
pub async fn introspect(global: &GlobalOptions) -> Result<Valid<Schema>, CliError> {
    let client = global.client()?;
    let data = client.execute_graphql(introspection::QUERY, None, &[]).await?;
    Ok(introspection::to_schema(&data)?)
}
