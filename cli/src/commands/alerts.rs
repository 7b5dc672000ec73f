//! `portal alerts`: alerts from DCSO's sensors, oldest first, printed as they
//! arrive, page after page.
//!
//! JSON output is JSON lines (one compact object per alert and line), so that
//! every line printed is a complete record however the stream ends; a table
//! prints its rows as they arrive, with fixed column widths. While a page is
//! being fetched, a progress line is shown on stderr when stderr is a terminal.

use std::process::ExitCode;

use clap::Args;
use dcso_portal::alerts::MAX_PAGE_SIZE;
use futures_util::StreamExt as _;

use crate::connection::GlobalOptions;
use crate::error::CliError;
use crate::output::{self, OutputFormat, StreamedTable};
use crate::progress::Progress;
use crate::records::{self, AlertRecord};

/// Alerts per request when `--page-size` is not given (fewer when `--limit` is smaller).
const DEFAULT_PAGE_SIZE: u32 = 100;

/// Arguments of `portal alerts`.
#[derive(Debug, Args)]
#[command(after_help = "\
Alerts are printed as each page arrives, oldest first. With --output json each alert is one
line of JSON (JSON lines: `jq -s` makes an array of them). When stderr is a terminal, a
progress line shows how many alerts have arrived.

Examples:
  portal alerts --limit 20
  portal alerts --page-size 500 --output json > alerts.jsonl")]
pub struct AlertsArgs {
    /// Stop after N alerts [default: all of them]
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u64).range(1..))]
    pub limit: Option<u64>,

    /// Alerts per request, 1 to 500 [default: 100, or --limit when smaller]
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..=i64::from(MAX_PAGE_SIZE)))]
    pub page_size: Option<u32>,
}

impl AlertsArgs {
    /// Streams the alerts to stdout.
    pub async fn run(&self, global: &GlobalOptions) -> Result<ExitCode, CliError> {
        let client = global.client()?;
        let format = OutputFormat::resolve(global.output);
        let table = StreamedTable::new(&records::ALERT_COLUMNS.map(|(_, width)| width));
        let mut pages = client.alerts().pages(self.page_size());
        let mut progress = Progress::on_stderr();
        let mut printed: u64 = 0;
        let limit = self.limit.unwrap_or(u64::MAX);
        while printed < limit {
            progress.show(&format!("{printed} alerts, fetching more..."));
            let Some(page) = pages.next().await else { break };
            let page = page.map_err(CliError::answer)?;
            let mut text = String::new();
            if printed == 0 && format == OutputFormat::Table && !page.is_empty() {
                text.push_str(&table.header(&records::ALERT_COLUMNS.map(|(title, _)| title)));
            }
            for alert in page.items().iter().take(usize::try_from(limit - printed).unwrap_or(usize::MAX)) {
                match format {
                    OutputFormat::Json => {
                        text.push_str(&serde_json::to_string(&AlertRecord::from(alert)).expect("an alert serializes"));
                        text.push('\n');
                    }
                    OutputFormat::Table => text.push_str(&table.row(&records::alert_row(alert))),
                }
                printed += 1;
            }
            progress.clear();
            if !output::print_streamed(&text)? {
                // The reader has gone (`portal alerts | head`): fetching more is pointless.
                break;
            }
        }
        progress.clear();
        if printed == 0 && format == OutputFormat::Table {
            eprintln!("No alerts.");
        }
        Ok(ExitCode::SUCCESS)
    }

    /// `--page-size`, else the default, but no more than `--limit` asks for.
    fn page_size(&self) -> u32 {
        self.page_size.unwrap_or_else(|| {
            let limit = self.limit.map_or(DEFAULT_PAGE_SIZE, |n| u32::try_from(n).unwrap_or(u32::MAX));
            limit.min(DEFAULT_PAGE_SIZE)
        })
    }
}
