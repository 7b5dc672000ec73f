use clap::Parser as _;

fn main() -> std::process::ExitCode {
    portal_cli::run(portal_cli::Cli::parse())
}
