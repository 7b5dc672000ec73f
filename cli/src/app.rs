//! The `portal` command line: its global options, and running one command.

use std::process::ExitCode;

use clap::Parser;

use crate::commands::Command;
use crate::connection::GlobalOptions;
use crate::error::CliError;

const ABOUT: &str = "The DCSO Portal from a terminal, and the tooling that keeps the SDK's schema in step with it.";

const AFTER_HELP: &str = "\
Connection: the endpoint comes from --endpoint, else DCSO_PORTAL_URL; the token from
--token-file, else DCSO_PORTAL_TOKEN. Certificate verification can be turned off with
DCSO_PORTAL_SKIP_TLS_VERIFY=1 (for test servers only).

Output: data goes to stdout, as a table on a terminal and JSON otherwise (--output);
messages, progress and logs go to stderr.

Exit codes: 0 success; 1 the answer is negative (the Portal refused: wrong credentials or
one-time code, a rejected token, a denied permission, GraphQL errors from `query`; an
unknown issue; a broken operation from `schema diff`); 2 the command could not run
(usage, configuration, files, network).";

/// `portal`: every command, and the options all of them take.
#[derive(Debug, Parser)]
#[command(name = "portal", version, about = ABOUT, after_help = AFTER_HELP, propagate_version = true)]
pub struct Cli {
    /// Options every command takes.
    #[command(flatten)]
    pub global: GlobalOptions,
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// Runs the command and gives the process's exit code; errors are printed to
/// stderr.
pub fn run(cli: Cli) -> ExitCode {
    init_tracing(cli.global.verbose);
    let runtime = match tokio::runtime::Builder::new_current_thread().enable_all().build() {
        Ok(runtime) => runtime,
        Err(e) => return CliError::Usage(format!("cannot start the async runtime: {e}")).report(),
    };
    match runtime.block_on(cli.command.run(&cli.global)) {
        Ok(code) => code,
        Err(error) => error.report(),
    }
}

/// `-v` shows the SDK's requests (INFO), `-vv` DEBUG, `-vvv` TRACE; by default
/// only warnings. Always on stderr, so stdout stays the command's output.
fn init_tracing(verbose: u8) {
    let level = match verbose {
        0 => tracing::Level::WARN,
        1 => tracing::Level::INFO,
        2 => tracing::Level::DEBUG,
        _ => tracing::Level::TRACE,
    };
    let _ = tracing_subscriber::fmt().with_writer(std::io::stderr).with_max_level(level).try_init();
}
