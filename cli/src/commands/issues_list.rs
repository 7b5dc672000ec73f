//! `portal issues list`: the TDH issues the token may see, newest first,
//! filtered on the Portal's side.

use std::process::ExitCode;

use clap::Args;
use dcso_portal::tdh::{Category, Severity, Status};
use dcso_portal::DateTime;

use crate::connection::GlobalOptions;
use crate::error::CliError;
use crate::output::{self, OutputFormat};
use crate::records::{self, IssueRecord};

/// Arguments of `portal issues list`.
#[derive(Debug, Args)]
#[command(after_help = "\
Every filter given must match; a filter given several times (or as a comma list) matches
any of its values. Values are case-insensitive, `-` or a space may stand for `_`
(--status in-progress). Times are RFC 3339 in UTC (2025-10-06T12:00:00Z) or a date
(2025-10-06, meaning midnight UTC); both bounds are exclusive.

Examples:
  portal issues list --severity high,critical --status open
  portal issues list --category malware --category phishing --created-after 2025-10-01
  portal issues list --search emotet --output json | jq -r '.[].reference'")]
pub struct ListArgs {
    /// Only issues of these severities: INFO, LOW, MEDIUM, HIGH, CRITICAL (repeatable, or a comma list)
    #[arg(long, value_name = "SEVERITY", value_delimiter = ',')]
    pub severity: Vec<Severity>,

    /// Only issues in these states: OPEN, IN_PROGRESS, RESOLVED, CLOSED (repeatable, or a comma list)
    #[arg(long, value_name = "STATUS", value_delimiter = ',')]
    pub status: Vec<Status>,

    /// Only issues of these categories: MALWARE, PHISHING, COMMAND_AND_CONTROL, LATERAL_MOVEMENT, DATA_EXFILTRATION, RECONNAISSANCE, VULNERABILITY, POLICY_VIOLATION (repeatable, or a comma list)
    #[arg(long, value_name = "CATEGORY", value_delimiter = ',')]
    pub category: Vec<Category>,

    /// Only issues created after TIME (RFC 3339 in UTC, or a date)
    #[arg(long, value_name = "TIME", value_parser = parse_time)]
    pub created_after: Option<DateTime>,

    /// Only issues created before TIME (RFC 3339 in UTC, or a date)
    #[arg(long, value_name = "TIME", value_parser = parse_time)]
    pub created_before: Option<DateTime>,

    /// Only issues whose title or reference contains TEXT, ignoring case
    #[arg(long, value_name = "TEXT")]
    pub search: Option<String>,
}

impl ListArgs {
    /// Lists the issues.
    pub async fn run(&self, global: &GlobalOptions) -> Result<ExitCode, CliError> {
        let client = global.client()?;
        let mut request = client
            .tdh()
            .issues()
            .severities(self.severity.iter().cloned())
            .statuses(self.status.iter().cloned())
            .categories(self.category.iter().cloned());
        if let Some(time) = self.created_after {
            request = request.created_after(time);
        }
        if let Some(time) = self.created_before {
            request = request.created_before(time);
        }
        if let Some(text) = &self.search {
            request = request.search(text.as_str());
        }
        let issues = request.send().await.map_err(CliError::answer)?;
        match OutputFormat::resolve(global.output) {
            OutputFormat::Json => {
                let records: Vec<IssueRecord<'_>> = issues.iter().map(IssueRecord::from).collect();
                output::print_json(&records)?;
            }
            OutputFormat::Table if issues.is_empty() => eprintln!("No issues match."),
            OutputFormat::Table => {
                let mut table = output::table(&records::ISSUE_COLUMNS);
                for issue in &issues {
                    table.add_row(records::issue_row(issue));
                }
                output::print_table(&mut table)?;
            }
        }
        Ok(ExitCode::SUCCESS)
    }
}

/// RFC 3339 in UTC, or a date meaning midnight UTC.
fn parse_time(text: &str) -> Result<DateTime, String> {
    let text = text.trim();
    let full = if text.len() == 10 { format!("{text}T00:00:00Z") } else { text.to_owned() };
    full.parse()
        .map_err(|e| format!("{e}: give a time in UTC such as 2025-10-06T12:00:00Z, or a date such as 2025-10-06"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory as _;

    #[test]
    fn times_are_utc_timestamps_or_dates() {
        assert_eq!(parse_time("2025-10-06").unwrap().to_string(), "2025-10-06T00:00:00Z");
        assert_eq!(parse_time("2025-10-06T12:30:00Z").unwrap().to_string(), "2025-10-06T12:30:00Z");
        for bad in ["2025-13-01", "yesterday", "2025-10-06T12:30:00+02:00", ""] {
            assert!(parse_time(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn the_help_lists_every_value_the_sdk_knows() {
        let command = crate::Cli::command();
        let list = command.find_subcommand("issues").and_then(|c| c.find_subcommand("list")).expect("issues list");
        let help = |name: &str| {
            let arg = list.get_arguments().find(|a| a.get_id() == name).expect("the argument");
            arg.get_help().expect("a help text").to_string()
        };
        for severity in Severity::KNOWN {
            assert!(help("severity").contains(severity.as_str()), "{severity}");
        }
        for status in Status::KNOWN {
            assert!(help("status").contains(status.as_str()), "{status}");
        }
        for category in Category::KNOWN {
            assert!(help("category").contains(category.as_str()), "{category}");
        }
    }
}
