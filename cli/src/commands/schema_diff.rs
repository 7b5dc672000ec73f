//! `portal schema diff`: what changed between the vendored schema and another,
//! and which of our operations that breaks.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{ArgGroup, Args};

use super::schema_pull;
use crate::connection::GlobalOptions;
use crate::error::{CliError, EXIT_FOUND};
use crate::output::{self, OutputFormat};
use crate::schema::breakage;
use crate::schema::report::Report;
use crate::schema::sdl;

/// Arguments of `portal schema diff`.
#[derive(Debug, Args)]
#[command(
    group(ArgGroup::new("new schema").required(true).args(["against", "live"])),
    after_help = "\
Every change is classified breaking, dangerous or safe; for each breaking change the
operations in --queries it breaks are listed (those that no longer validate against the
new schema, with file:line:column, and those that use a changed element, such as a
field that may now be null). The report is text unless --json or --output json is given.

Exit codes: 0 no operation of ours breaks (there may still be breaking changes to
parts we do not use); 1 at least one breaks; 2 the comparison could not run."
)]
pub struct DiffArgs {
    /// Compare with the schema in this SDL file
    #[arg(long, value_name = "FILE")]
    pub against: Option<PathBuf>,

    /// Compare with the live Portal's schema (introspection at the endpoint, with the token)
    #[arg(long)]
    pub live: bool,

    /// The vendored schema
    #[arg(long, value_name = "FILE", default_value = "schema/portal.graphql")]
    pub schema: PathBuf,

    /// The directory of our operations (`*.graphql`)
    #[arg(long, value_name = "DIR", default_value = "queries")]
    pub queries: PathBuf,

    /// Print the report as JSON (the same as --output json)
    #[arg(long)]
    pub json: bool,
}

impl DiffArgs {
    /// Compares, prints the report, and gives exit code 1 when an operation breaks.
    pub async fn run(&self, global: &GlobalOptions) -> Result<ExitCode, CliError> {
        let schema_file = self.schema.to_string_lossy().into_owned();
        let old_text = read(&schema_file)?;
        let old = sdl::parse(&old_text, &schema_file)?;
        let queries = breakage::load_queries(&schema_file, &self.queries.to_string_lossy())?;

        let (against, new) = match &self.against {
            Some(path) => {
                let label = path.to_string_lossy().into_owned();
                let new = sdl::parse(&read(&label)?, &label)?;
                (label, new)
            }
            None => (global.endpoint()?.to_owned(), schema_pull::introspect(global).await?),
        };

        let report = Report::build(&schema_file, &old, &against, &new, &queries)?;
        if self.json || global.output == Some(OutputFormat::Json) {
            output::print(&format!("{}\n", report.to_json()))?;
        } else {
            output::print(&report.to_text())?;
        }
        Ok(if report.breaks_operations() { ExitCode::from(EXIT_FOUND) } else { ExitCode::SUCCESS })
    }
}

fn read(path: &str) -> Result<String, CliError> {
    std::fs::read_to_string(path).map_err(|source| CliError::Io { action: "read", path: path.to_owned(), source })
}
