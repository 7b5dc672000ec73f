//! Sign in interactively, as the reference SDK's login script does: user name and
//! password (typed without echo), the TOTP code when the account has a second
//! factor, then the token's expiry, when 2FA was activated, the permissions, the
//! organization's short code and whether the user is a TDH coordinator.
//!
//! ```sh
//! cargo run --example login                       # against an in-process sandbox Portal
//! DCSO_PORTAL_URL=https://portal.example.com/graphql cargo run --example login
//! printf 'alice\ntea.pots\n' | cargo run --example login     # scripted: lines from stdin
//! ```
//!
//! When standard input is not a terminal, the user name, password and code are read
//! from it, one per line. Against the sandbox an empty (or missing) code line uses the
//! demo user's current code. `--print-token` prints the token at the end as an
//! `export DCSO_PORTAL_TOKEN=...` line, for a shell to use; it is the one thing here
//! that shows a secret, and only when asked.

use std::error::Error;
use std::io::{BufRead, IsTerminal, Write};
use std::process::ExitCode;
use std::time::{SystemTime, UNIX_EPOCH};

use dcso_portal::{Authentication, Client, ENV_TOKEN, ENV_URL};
use portal_sandbox::{demo, totp, Sandbox};

#[tokio::main]
async fn main() -> ExitCode {
    match run().await {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("error: {error}");
            let mut source = error.source();
            while let Some(cause) = source {
                eprintln!("  caused by: {cause}");
                source = cause.source();
            }
            ExitCode::FAILURE
        }
    }
}

async fn run() -> Result<(), Box<dyn Error>> {
    let print_token = std::env::args().skip(1).any(|arg| arg == "--print-token");
    // Keep the sandbox alive until the end: dropping it stops the server.
    let (url, sandbox) = match std::env::var(ENV_URL) {
        Ok(url) if !url.trim().is_empty() => (url, None),
        _ => {
            let sandbox = Sandbox::start().await?;
            eprintln!("Sandbox Portal at {} (set {ENV_URL} to use another Portal).", sandbox.url());
            eprintln!(
                "Demo users, password {:?}: {} (TDH coordinator), {} (TOTP), {} (no TDH access), {} (2FA being set up).",
                demo::PASSWORD,
                demo::ALICE,
                demo::BOB,
                demo::CAROL,
                demo::DAVE
            );
            (sandbox.url(), Some(sandbox))
        }
    };
    let client = Client::builder(url).token_from_env(false).build()?;
    let mut input = Input::new();

    let username = input.line("Username: ")?;
    let password = input.secret("Password: ")?;
    let mut signed_in = client.auth().authenticate(&username, &password).await?;
    drop(password);

    if signed_in.is_temporary() {
        if signed_in.otp_qr_svg().is_some() {
            eprintln!(
                "Your second factor is being set up: the Portal sent a QR code for your authenticator app \
                 (Authentication::otp_qr_svg); this example does not show it."
            );
        }
        let demo_secret = sandbox.as_ref().and_then(|_| demo_totp_secret(&username));
        let hint = match demo_secret {
            Some(secret) => format!("TOTP code (sandbox: now {}): ", totp::code(secret, unix_now())),
            None => "TOTP code: ".to_owned(),
        };
        let mut code = input.line(&hint)?;
        if code.is_empty() {
            code = demo_secret.map(|secret| totp::code(secret, unix_now())).ok_or("no TOTP code given")?;
        }
        signed_in = client.auth().second_factor_totp(&username, signed_in.token(), &code).await?;
    }
    report(&client, &signed_in).await?;

    if print_token {
        let token = client.token().ok_or("no token kept")?;
        println!("export {ENV_TOKEN}={}", token.expose_secret());
    }
    Ok(())
}

async fn report(client: &Client, signed_in: &Authentication) -> Result<(), Box<dyn Error>> {
    let token = signed_in.token();
    println!("Signed in as {} ({})", signed_in.username(), signed_in.user_id());
    match token.expires_at() {
        Some(at) => println!("{:<16} {at} (in {} min)", "Token expires", token.expires_in().as_secs() / 60),
        None => println!("{:<16} never (a machine token)", "Token expires"),
    }
    let second_factor = match (signed_in.otp_required(), signed_in.otp_activated()) {
        (_, Some(at)) => format!("activated {at}"),
        (true, None) => "required, not activated".to_owned(),
        (false, None) => "not used".to_owned(),
    };
    println!("{:<16} {second_factor}", "2FA");

    let permissions = client.permissions().await?;
    println!("{:<16} {}", "Organization", permissions.organization_short_code());
    println!("{:<16} {}", "TDH coordinator", if permissions.is_tdh_coordinator() { "yes" } else { "no" });
    println!("Permissions");
    for (service, slugs) in permissions.by_service() {
        println!("  {service:<8} {}", slugs.into_iter().collect::<Vec<_>>().join(", "));
    }
    Ok(())
}

fn demo_totp_secret(username: &str) -> Option<&'static str> {
    match username {
        demo::BOB => Some(demo::BOB_TOTP_SECRET),
        demo::DAVE => Some(demo::DAVE_TOTP_SECRET),
        _ => None,
    }
}

fn unix_now() -> u64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_secs()).unwrap_or(0)
}

/// Answers from the terminal (the password without echo) or, when standard input is
/// not one, lines from it.
struct Input {
    interactive: bool,
    lines: std::io::Lines<std::io::StdinLock<'static>>,
}

impl Input {
    fn new() -> Input {
        Input { interactive: std::io::stdin().is_terminal(), lines: std::io::stdin().lock().lines() }
    }

    fn line(&mut self, prompt: &str) -> Result<String, Box<dyn Error>> {
        eprint!("{prompt}");
        std::io::stderr().flush()?;
        let line = self.lines.next().transpose()?.unwrap_or_default();
        if !self.interactive {
            eprintln!();
        }
        Ok(line.trim().to_owned())
    }

    fn secret(&mut self, prompt: &str) -> Result<String, Box<dyn Error>> {
        if self.interactive {
            return Ok(rpassword::prompt_password(prompt)?);
        }
        eprint!("{prompt}");
        let line = self.lines.next().transpose()?.unwrap_or_default();
        eprintln!();
        Ok(line.trim_end_matches(['\r', '\n']).to_owned())
    }
}
