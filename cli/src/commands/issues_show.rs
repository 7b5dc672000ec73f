//! `portal issues show ID`: one TDH issue with the assets it affects.

use std::process::ExitCode;

use clap::Args;
use dcso_portal::tdh::Issue;
use dcso_portal::Client;
use uuid::Uuid;

use crate::connection::GlobalOptions;
use crate::error::CliError;
use crate::output::{self, OutputFormat};
use crate::records::{self, IssueRecord};

/// Arguments of `portal issues show`.
#[derive(Debug, Args)]
#[command(after_help = "\
An id or reference that names no issue the token can see is an error, with exit code 1.

Examples:
  portal issues show 3be13d5f-1556-4edf-a243-e7ea4db67f2e
  portal issues show TDH-2025-00042 --output json")]
pub struct ShowArgs {
    /// The issue: its id (a UUID) or its reference (TDH-2025-00042)
    #[arg(value_name = "ID")]
    pub id: String,
}

impl ShowArgs {
    /// Finds the issue and prints it.
    pub async fn run(&self, global: &GlobalOptions) -> Result<ExitCode, CliError> {
        let client = global.client()?;
        let issue = find(&client, self.id.trim()).await?;
        match OutputFormat::resolve(global.output) {
            OutputFormat::Json => output::print_json(&IssueRecord::from(&issue))?,
            OutputFormat::Table => print_table(&issue)?,
        }
        Ok(ExitCode::SUCCESS)
    }
}

/// The issue by id, or by reference (through the search filter, which matches
/// references, then an exact comparison).
async fn find(client: &Client, id: &str) -> Result<Issue, CliError> {
    let found = match Uuid::parse_str(id) {
        Ok(uuid) => client.tdh().issue(uuid).await.map_err(CliError::answer)?,
        Err(_) if id.is_empty() => return Err(CliError::Usage("the issue id is empty".into())),
        Err(_) => {
            let candidates = client.tdh().issues().search(id).send().await.map_err(CliError::answer)?;
            candidates.into_iter().find(|issue| issue.reference.eq_ignore_ascii_case(id))
        }
    };
    found.ok_or_else(|| {
        CliError::NotFound(format!(
            "no issue with the id or reference `{id}` (or the token may not see it): \
             `portal issues list` shows the issues there are"
        ))
    })
}

fn print_table(issue: &Issue) -> Result<(), CliError> {
    let mut fields = output::table(&[]);
    for row in records::issue_fields(issue) {
        fields.add_row(row.to_vec());
    }
    if issue.affected_assets.is_empty() {
        fields.add_row(vec!["affected assets", "none"]);
        return output::print_table(&mut fields);
    }
    output::print_table(&mut fields)?;
    output::print("\n")?;
    let mut assets = output::table(&records::ASSET_COLUMNS);
    for asset in &issue.affected_assets {
        assets.add_row(records::asset_row(asset));
    }
    output::print_table(&mut assets)
}
