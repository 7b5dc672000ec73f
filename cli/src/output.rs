//! Where command output goes and in which format.
//!
//! Data goes to stdout, everything else (errors, progress, logs) to stderr, so
//! that `portal ... > file` and pipes get only the data.

use std::io::{IsTerminal as _, Write as _};

use clap::ValueEnum;
use comfy_table::{ColumnConstraint, ContentArrangement, LineStyle, Table, TableStyle, Width};
use serde::Serialize;

use crate::error::CliError;

/// How commands that print data print it (`--output`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum OutputFormat {
    /// JSON, stable, for scripts (`alerts`: one object per line).
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
    print_streamed(text).map(drop)
}

/// Writes `text` to stdout and flushes it, for output that arrives over time.
/// `Ok(false)` when the reader has gone (a closed pipe, `portal alerts | head`),
/// so that the command can stop fetching.
pub fn print_streamed(text: &str) -> Result<bool, CliError> {
    let mut stdout = std::io::stdout().lock();
    match stdout.write_all(text.as_bytes()).and_then(|()| stdout.flush()) {
        Ok(()) => Ok(true),
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(false),
        Err(e) => Err(CliError::Io { action: "write", path: "standard output".into(), source: e }),
    }
}

/// Writes `value` to stdout as pretty JSON, with a final newline. Struct fields
/// keep their declared order.
pub fn print_json(value: &impl Serialize) -> Result<(), CliError> {
    let mut text = serde_json::to_string_pretty(value)
        .map_err(|e| CliError::Usage(format!("cannot print the answer as JSON: {e}")))?;
    text.push('\n');
    print(&text)
}

/// How tables look: no borders, columns two spaces apart and a rule under the
/// header, like `kubectl get`, so that rows stay easy to grep and cut.
const TABLE_STYLE: TableStyle = TableStyle::new().header_separator(LineStyle::none().fill('─'));

/// A table with this CLI's look, with `header` as its column titles (none when
/// empty). Long cells are wrapped to fit `COLUMNS` when that is set; otherwise
/// the table takes its natural width.
pub fn table(header: &[&str]) -> Table {
    let mut table = Table::new();
    table.load_style(TABLE_STYLE);
    if !header.is_empty() {
        table.set_header(header.to_vec());
    }
    if let Some(width) = terminal_width() {
        table.set_content_arrangement(ContentArrangement::Dynamic).set_width(width);
    }
    table
}

/// Writes `table` to stdout, without trailing blanks. When it must fit a width,
/// only the last column (a title, a description) is wrapped, and not below
/// 24 columns: past that the table is wider than the terminal.
pub fn print_table(table: &mut Table) -> Result<(), CliError> {
    let last = table.column_count().saturating_sub(1);
    for column in table.column_iter_mut() {
        column.set_padding((0, 2));
        column.set_constraint(if column.index < last {
            ColumnConstraint::ContentWidth
        } else {
            ColumnConstraint::LowerBoundary(Width::Fixed(MIN_WRAPPED_WIDTH))
        });
    }
    let mut text = table.lines().map(|line| line.trim_end().to_owned()).collect::<Vec<_>>().join("\n");
    text.push('\n');
    print(&text)
}

/// The narrowest the wrapped last column of a table gets.
const MIN_WRAPPED_WIDTH: u16 = 24;

/// The terminal's width in columns, from `COLUMNS` (shells set it; the `tty`
/// feature of comfy-table that would ask the terminal is left out to keep the
/// build small).
fn terminal_width() -> Option<u16> {
    std::env::var("COLUMNS").ok()?.trim().parse().ok().filter(|width| *width >= 20)
}

/// The rows of a table that is printed as its records arrive (`portal alerts`):
/// the same look as [`table`], with fixed column widths since the widest cell is
/// not known in advance. The last column is not padded; a cell wider than its
/// column pushes the rest of its row to the right.
#[derive(Debug)]
pub struct StreamedTable {
    widths: Vec<usize>,
}

impl StreamedTable {
    /// Columns of these widths (the last one's is ignored).
    pub fn new(widths: &[usize]) -> StreamedTable {
        StreamedTable { widths: widths.to_vec() }
    }

    /// The header line and the rule under it, with a final newline.
    pub fn header(&self, titles: &[&str]) -> String {
        let mut text = self.row(titles);
        let rule: usize = self.widths.iter().take(titles.len().saturating_sub(1)).map(|w| w + 2).sum::<usize>()
            + titles.last().map_or(0, |title| title.chars().count());
        text.push_str(&"─".repeat(rule));
        text.push('\n');
        text
    }

    /// One row, with a final newline.
    pub fn row<S: AsRef<str>>(&self, cells: &[S]) -> String {
        let mut line = String::new();
        for (i, cell) in cells.iter().enumerate() {
            let cell = cell.as_ref();
            if i + 1 == cells.len() {
                line.push_str(cell);
            } else {
                let width = self.widths.get(i).copied().unwrap_or(0);
                line.push_str(&format!("{cell:<width$}  "));
            }
        }
        let mut line = line.trim_end().to_owned();
        line.push('\n');
        line
    }
}
