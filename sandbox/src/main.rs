//! `portal-sandbox`: runs a sandbox Portal until SIGINT or SIGTERM.

use std::io::Write as _;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use clap::Parser;
use portal_sandbox::{demo, Sandbox};

/// A local DCSO Portal: a GraphQL server on the SDK's vendored schema, with
/// deterministic demo data and demo users.
#[derive(Debug, Parser)]
#[command(name = "portal-sandbox", version)]
struct Args {
    /// Address to listen on; port 0 picks a free port.
    #[arg(long, value_name = "ADDR", default_value = "127.0.0.1:0")]
    listen: SocketAddr,
    /// JSON seed data (organization, issues, alerts); see the README.
    #[arg(long, value_name = "FILE")]
    data: Option<PathBuf>,
    /// Number of generated TDH issues (when the seed lists none).
    #[arg(long, value_name = "N", default_value_t = portal_sandbox::data::DEFAULT_ISSUES)]
    issues: usize,
    /// Number of generated alerts (when the seed lists none).
    #[arg(long, value_name = "N", default_value_t = portal_sandbox::data::DEFAULT_ALERTS)]
    alerts: usize,
    /// Lifetime of user tokens in seconds.
    #[arg(long, value_name = "SECS", default_value_t = portal_sandbox::DEFAULT_TOKEN_TTL.as_secs())]
    token_ttl: u64,
}

fn main() -> ExitCode {
    let args = Args::parse();
    let runtime = match tokio::runtime::Builder::new_multi_thread().enable_all().build() {
        Ok(runtime) => runtime,
        Err(e) => {
            eprintln!("portal-sandbox: cannot start the runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    runtime.block_on(run(args))
}

async fn run(args: Args) -> ExitCode {
    let mut builder = Sandbox::builder()
        .listen(args.listen)
        .issues(args.issues)
        .alerts(args.alerts)
        .token_ttl(Duration::from_secs(args.token_ttl));
    if let Some(path) = args.data {
        builder = builder.data_file(path);
    }
    let sandbox = match builder.start().await {
        Ok(sandbox) => sandbox,
        Err(e) => {
            eprintln!("portal-sandbox: {}", error_chain(&e));
            return ExitCode::FAILURE;
        }
    };
    {
        let mut out = std::io::stdout().lock();
        let _ = writeln!(out, "listening on {}", sandbox.url());
        let _ = out.flush();
    }
    eprintln!(
        "demo users (password {pw:?}):\n  \
         {alice}: no second factor; TDH coordinator and TDH user\n  \
         {bob}: second factor, TOTP secret {bob_secret}\n  \
         {carol}: no TDH permission\n  \
         {dave}: second factor being set up, TOTP secret {dave_secret}\n\
         machine token (TDH user): {machine}\n\
         organization: {org}\n\
         stop with Ctrl-C or SIGTERM",
        pw = demo::PASSWORD,
        alice = demo::ALICE,
        bob = demo::BOB,
        bob_secret = demo::BOB_TOTP_SECRET,
        carol = demo::CAROL,
        dave = demo::DAVE,
        dave_secret = demo::DAVE_TOTP_SECRET,
        machine = demo::MACHINE_TOKEN,
        org = demo::ORGANIZATION_SHORT_CODE,
    );
    match wait_for_signal().await {
        Ok(()) => {
            sandbox.shutdown().await;
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("portal-sandbox: cannot wait for signals: {e}");
            ExitCode::FAILURE
        }
    }
}

#[cfg(unix)]
async fn wait_for_signal() -> std::io::Result<()> {
    use tokio::signal::unix::{signal, SignalKind};
    let mut terminate = signal(SignalKind::terminate())?;
    let mut interrupt = signal(SignalKind::interrupt())?;
    tokio::select! {
        _ = terminate.recv() => {}
        _ = interrupt.recv() => {}
    }
    Ok(())
}

#[cfg(not(unix))]
async fn wait_for_signal() -> std::io::Result<()> {
    tokio::signal::ctrl_c().await
}

fn error_chain(e: &dyn std::error::Error) -> String {
    let mut text = e.to_string();
    let mut source = e.source();
    while let Some(s) = source {
        text.push_str(": ");
        text.push_str(&s.to_string());
        source = s.source();
    }
    text
}
