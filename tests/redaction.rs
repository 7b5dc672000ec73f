//! No secret ever shows: every sign-in flow runs with `tracing` at TRACE level for
//! every crate (and the `log` records of the HTTP stack) captured, then neither the
//! logs nor the `Debug`/`Display` of anything the flows returned may contain a token
//! issued, a password or the 2FA set-up QR code.
//!
//! One test function: the subscriber and the logger are process-wide.

use std::io::Write;
use std::sync::Mutex;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use dcso_portal::operations::{all_issues, AllIssues};
use dcso_portal::{Client, Error, Token};
use portal_sandbox::{demo, totp, Sandbox};
use tracing_subscriber::fmt::format::FmtSpan;

static CAPTURED: Mutex<Vec<u8>> = Mutex::new(Vec::new());

struct Capture;

impl Write for Capture {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        CAPTURED.lock().unwrap_or_else(|e| e.into_inner()).extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// reqwest logs through `log`, not `tracing`: its records go to the same buffer.
struct LogBridge;

impl log::Log for LogBridge {
    fn enabled(&self, _: &log::Metadata<'_>) -> bool {
        true
    }
    fn log(&self, record: &log::Record<'_>) {
        let line = format!("{} {}: {}\n", record.level(), record.target(), record.args());
        let _ = Capture.write(line.as_bytes());
    }
    fn flush(&self) {}
}

static BRIDGE: LogBridge = LogBridge;

fn capture_everything() {
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_span_events(FmtSpan::FULL)
        .with_ansi(false)
        .with_writer(|| Capture)
        .finish();
    tracing::subscriber::set_global_default(subscriber).expect("the only subscriber");
    log::set_logger(&BRIDGE).expect("the only logger");
    log::set_max_level(log::LevelFilter::Trace);
}

fn captured() -> String {
    String::from_utf8_lossy(&CAPTURED.lock().unwrap_or_else(|e| e.into_inner())).into_owned()
}

fn now() -> u64 {
    SystemTime::now().duration_since(UNIX_EPOCH).expect("after 1970").as_secs()
}

/// Remembers a token as a secret and shows it.
fn token(t: &Token, secrets: &mut Vec<String>, shown: &mut Shown) {
    secrets.push(t.expose_secret().to_owned());
    shown.debug_and_display(t);
}

/// Everything shown of what the flows returned.
#[derive(Default)]
struct Shown(String);

impl Shown {
    fn debug_and_display(&mut self, value: &(impl std::fmt::Debug + std::fmt::Display)) {
        self.0.push_str(&format!("{value:?}\n{value}\n{value:#?}\n"));
    }
    fn debug(&mut self, value: &impl std::fmt::Debug) {
        self.0.push_str(&format!("{value:?}\n{value:#?}\n"));
    }
    fn error(&mut self, error: &Error) {
        self.debug_and_display(error);
        let mut source = std::error::Error::source(error);
        while let Some(inner) = source {
            self.0.push_str(&format!("{inner}\n{inner:?}\n"));
            source = inner.source();
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_token_password_or_qr_code_in_logs_debug_or_display() {
    capture_everything();
    let wrong_password = "coffee.cups";
    let mut secrets: Vec<String> = vec![demo::PASSWORD.into(), wrong_password.into(), demo::MACHINE_TOKEN.into()];
    let mut shown = Shown::default();

    // Tokens live 60 s: inside the refresh window, so automatic refresh runs too.
    let sandbox = Sandbox::builder().token_ttl(Duration::from_secs(60)).start().await.expect("sandbox starts");
    let client = Client::builder(sandbox.url()).token_from_env(false).build().expect("client");

    // Alice: password, a data query (refreshing first), an explicit refresh, permissions.
    let alice = client.auth().authenticate(demo::ALICE, demo::PASSWORD).await.expect("signs in");
    token(alice.token(), &mut secrets, &mut shown);
    shown.debug(&alice);
    client.query::<AllIssues>(all_issues::Variables::default()).await.expect("query");
    assert_eq!(sandbox.stats().refreshes(), 1);
    let refreshed = client.token().expect("kept");
    token(&refreshed, &mut secrets, &mut shown);
    let renewed = client.auth().refresh(demo::ALICE, &refreshed).await.expect("refreshes");
    token(renewed.token(), &mut secrets, &mut shown);
    shown.debug(&renewed);
    shown.debug(&client.permissions().await.expect("permissions"));
    shown.debug(&client.current_user().await.expect("current user"));
    shown.debug(&client);

    // Bob: password, the temporary token refused for data, a wrong code, the right one.
    let bob_client = Client::builder(sandbox.url()).token_from_env(false).build().expect("client");
    let first = bob_client.auth().authenticate(demo::BOB, demo::PASSWORD).await.expect("password step");
    token(first.token(), &mut secrets, &mut shown);
    shown.debug(&first);
    let temporary = Client::builder(sandbox.url()).token(first.token().expose_secret()).build().expect("client");
    shown.debug(&temporary);
    shown.error(&temporary.query::<AllIssues>(all_issues::Variables::default()).await.expect_err("temporary"));
    let stale_code = totp::code(demo::BOB_TOTP_SECRET, now() - 600);
    if let Err(error) = bob_client.auth().second_factor_totp(demo::BOB, first.token(), &stale_code).await {
        shown.error(&error);
    }
    let code = totp::code(demo::BOB_TOTP_SECRET, now());
    let bob = bob_client.auth().second_factor_totp(demo::BOB, first.token(), &code).await.expect("TOTP step");
    token(bob.token(), &mut secrets, &mut shown);
    shown.debug(&bob);
    shown.debug(&bob_client);

    // Dave: the QR code encodes his TOTP secret.
    let dave = client.auth().authenticate(demo::DAVE, demo::PASSWORD).await.expect("password step");
    token(dave.token(), &mut secrets, &mut shown);
    shown.debug(&dave);
    secrets.push(dave.otp_qr_svg().expect("a QR code").to_owned());

    // A failing sign-in, a GraphQL error, a failed automatic refresh, unusable tokens.
    shown.error(&client.auth().authenticate(demo::ALICE, wrong_password).await.expect_err("wrong password"));
    let carol = Client::builder(sandbox.url()).token_from_env(false).build().expect("client");
    let carol_signed_in = carol.auth().authenticate(demo::CAROL, demo::PASSWORD).await.expect("signs in");
    token(carol_signed_in.token(), &mut secrets, &mut shown);
    shown.error(&carol.query::<AllIssues>(all_issues::Variables::default()).await.expect_err("denied"));
    sandbox.revoke_all_tokens();
    let failed = bob_client.query::<AllIssues>(all_issues::Variables::default()).await.expect_err("revoked");
    assert!(matches!(failed, Error::Auth { .. }), "{failed:?}");
    shown.error(&failed);
    let expired = sandbox.issue_token(demo::ALICE, Duration::ZERO).expect("an expired token");
    secrets.push(expired.clone());
    shown.error(&client.set_token(expired.as_str()).expect_err("expired"));
    shown.error(&Client::builder(sandbox.url()).token(expired.as_str()).build().expect_err("expired"));

    let machine = Client::builder(sandbox.url()).token(demo::MACHINE_TOKEN).build().expect("client");
    machine.query::<AllIssues>(all_issues::Variables::default()).await.expect("machine token works");
    shown.debug(&machine);
    shown.debug(&Client::builder(sandbox.url()).token(demo::MACHINE_TOKEN));

    // The capture works: it holds this crate's spans, the HTTP stack's records, and
    // would hold a secret if one were logged.
    tracing::info!("canary-tracing");
    log::info!("canary-log");
    let logs = captured();
    for needle in ["canary-tracing", "canary-log", "portal.request", "CreateAuthorization", "reqwest"] {
        assert!(logs.contains(needle), "the capture lacks {needle:?}");
    }

    let mut secret_parts: Vec<&str> = Vec::new();
    for secret in &secrets {
        secret_parts.push(secret);
        // A token's claims and signature are unique to it; a log showing either leaks it.
        secret_parts.extend(secret.split('.').skip(1).filter(|part| part.len() >= 16));
    }
    assert!(secrets.len() >= 12, "{} secrets", secrets.len());
    for secret in secret_parts {
        assert!(!logs.contains(secret), "a secret appears in the logs: {}…", &secret[..6]);
        assert!(!shown.0.contains(secret), "a secret appears in Debug/Display: {}…", &secret[..6]);
    }
    assert!(!shown.0.contains("<svg") && !logs.contains("<svg"));
}
