//! What the machine-token examples share: where the Portal is, and the runtime.
//!
//! Without `DCSO_PORTAL_URL` an in-process sandbox Portal is started and
//! `DCSO_PORTAL_TOKEN` is set to its demo machine token, as a user would export
//! theirs; with it, that Portal is used with the token from `DCSO_PORTAL_TOKEN`.

use std::error::Error;
use std::future::Future;
use std::process::ExitCode;

use dcso_portal::{Client, ENV_TOKEN, ENV_URL};
use portal_sandbox::{demo, Sandbox, SandboxBuilder};

/// The Portal an example talks to; the sandbox, if any, stops when this is dropped.
pub struct Portal {
    pub client: Client,
    _sandbox: Option<Sandbox>,
}

/// Runs `example` against the Portal, printing an error and failing the process
/// if it fails. `sandbox` configures the sandbox started when no Portal is set.
pub fn run<F, Fut>(sandbox: fn(SandboxBuilder) -> SandboxBuilder, example: F) -> ExitCode
where
    F: FnOnce(Portal) -> Fut,
    Fut: Future<Output = Result<(), Box<dyn Error>>>,
{
    match setup_and_run(sandbox, example) {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("error: {error}");
            ExitCode::FAILURE
        }
    }
}

fn setup_and_run<F, Fut>(sandbox: fn(SandboxBuilder) -> SandboxBuilder, example: F) -> Result<(), Box<dyn Error>>
where
    F: FnOnce(Portal) -> Fut,
    Fut: Future<Output = Result<(), Box<dyn Error>>>,
{
    let use_sandbox = std::env::var_os(ENV_URL).is_none();
    if use_sandbox {
        // Set before the runtime starts any thread: the environment is process-wide.
        std::env::set_var(ENV_TOKEN, demo::MACHINE_TOKEN);
    } else if std::env::var_os(ENV_TOKEN).is_none() {
        return Err(format!("{ENV_URL} is set: also set {ENV_TOKEN} to a machine token").into());
    }
    tokio::runtime::Runtime::new()?.block_on(async move {
        let started = if use_sandbox { Some(sandbox(Sandbox::builder()).start().await?) } else { None };
        let url = match &started {
            Some(sandbox) => sandbox.url(),
            None => std::env::var(ENV_URL)?,
        };
        // The token is read from DCSO_PORTAL_TOKEN.
        let client = Client::new(url)?;
        println!("Portal: {}", client.endpoint());
        example(Portal { client, _sandbox: started }).await
    })
}
