//! The `portal-sandbox` binary: the one stdout line, flags, signals, errors.

mod common;

use std::io::{BufRead, BufReader, Read};
use std::net::SocketAddr;
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use common::post;
use portal_sandbox::demo;
use serde_json::json;

const BIN: &str = env!("CARGO_BIN_EXE_portal-sandbox");

struct Running {
    child: Child,
    url: String,
    addr: SocketAddr,
    rest_of_stdout: mpsc::Receiver<String>,
}

/// Starts the binary and waits (bounded) for its one stdout line.
fn spawn(args: &[&str]) -> Running {
    let mut child = Command::new(BIN)
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .stdin(Stdio::null())
        .spawn()
        .expect("spawn portal-sandbox");
    let stdout = child.stdout.take().unwrap();
    let (first_tx, first_rx) = mpsc::channel();
    let (rest_tx, rest_rx) = mpsc::channel();
    std::thread::spawn(move || {
        let mut reader = BufReader::new(stdout);
        let mut line = String::new();
        let _ = reader.read_line(&mut line);
        let _ = first_tx.send(line);
        let mut rest = String::new();
        let _ = reader.read_to_string(&mut rest);
        let _ = rest_tx.send(rest);
    });
    let line = match first_rx.recv_timeout(Duration::from_secs(30)) {
        Ok(line) => line,
        Err(_) => {
            let _ = child.kill();
            panic!("no 'listening on' line within 30 s");
        }
    };
    let url = line
        .strip_prefix("listening on ")
        .and_then(|l| l.strip_suffix('\n'))
        .unwrap_or_else(|| panic!("unexpected first line {line:?}"))
        .to_owned();
    let addr: SocketAddr = url
        .strip_prefix("http://")
        .and_then(|u| u.strip_suffix("/graphql"))
        .and_then(|a| a.parse().ok())
        .unwrap_or_else(|| panic!("unexpected url {url:?}"));
    Running { child, url, addr, rest_of_stdout: rest_rx }
}

fn signal(child: &Child, name: &str) {
    let status = Command::new("kill").arg(format!("-{name}")).arg(child.id().to_string()).status().expect("kill");
    assert!(status.success());
}

/// Waits (bounded) for the process to exit.
fn wait(child: &mut Child) -> ExitStatus {
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        if let Some(status) = child.try_wait().expect("try_wait") {
            return status;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            panic!("portal-sandbox did not exit");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

fn stderr_of(child: &mut Child) -> String {
    let mut text = String::new();
    if let Some(mut err) = child.stderr.take() {
        let _ = err.read_to_string(&mut text);
    }
    text
}

async fn sign_in(addr: SocketAddr) -> String {
    let body =
        json!({"query": common::AUTHORIZE, "variables": {"input": {"username": "alice", "password": demo::PASSWORD}}});
    let answer = post(addr, None, &body).await.json();
    answer["data"]["portalauth"]["token"].as_str().unwrap_or_else(|| panic!("{answer}")).to_owned()
}

#[tokio::test]
async fn prints_one_line_serves_and_exits_cleanly_on_sigterm() {
    let mut run = spawn(&["--listen", "127.0.0.1:0", "--issues", "5", "--alerts", "7", "--token-ttl", "120"]);
    assert!(run.url.starts_with("http://127.0.0.1:") && run.url.ends_with("/graphql"), "{}", run.url);
    assert_ne!(run.addr.port(), 0);

    let token = sign_in(run.addr).await;
    let answer =
        post(run.addr, Some(&token), &json!({"query": "{ tdh_allIssues { id } alerts { totalCount } }"})).await.json();
    assert_eq!(answer["data"]["tdh_allIssues"].as_array().unwrap().len(), 5, "{answer}");
    assert_eq!(answer["data"]["alerts"]["totalCount"], 7);
    let payload = token.split('.').nth(1).unwrap();
    use base64::Engine as _;
    let claims: serde_json::Value =
        serde_json::from_slice(&base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(payload).unwrap()).unwrap();
    assert_eq!(claims["exp"].as_i64().unwrap() - claims["iat"].as_i64().unwrap(), 120);

    signal(&run.child, "TERM");
    let status = wait(&mut run.child);
    assert!(status.success(), "{status:?}");
    let rest = run.rest_of_stdout.recv_timeout(Duration::from_secs(5)).unwrap();
    assert_eq!(rest, "", "stdout has exactly one line");
    let stderr = stderr_of(&mut run.child);
    for needle in [demo::ALICE, demo::BOB, demo::BOB_TOTP_SECRET, demo::MACHINE_TOKEN, demo::PASSWORD] {
        assert!(stderr.contains(needle), "stderr lacks {needle}: {stderr}");
    }
}

#[tokio::test]
async fn sigint_also_stops_it_and_seed_data_is_served() {
    let seed = concat!(env!("CARGO_MANIFEST_DIR"), "/examples/seed.json");
    let mut run = spawn(&["--data", seed]);
    let token = sign_in(run.addr).await;
    let answer = post(
        run.addr,
        Some(&token),
        &json!({"query": "{ auth_user { organization { shortCode } } tdh_allIssues { reference } }"}),
    )
    .await
    .json();
    assert_eq!(answer["data"]["auth_user"]["organization"]["shortCode"], "KTL");
    assert_eq!(answer["data"]["tdh_allIssues"].as_array().unwrap().len(), 2);
    signal(&run.child, "INT");
    assert!(wait(&mut run.child).success());
}

fn run_to_end(args: &[&str]) -> (ExitStatus, String, String) {
    let mut child = Command::new(BIN)
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .stdin(Stdio::null())
        .spawn()
        .expect("spawn");
    let status = wait(&mut child);
    let mut out = String::new();
    let _ = child.stdout.take().unwrap().read_to_string(&mut out);
    (status, out, stderr_of(&mut child))
}

#[test]
fn bad_flags_are_refused_clearly() {
    for (args, needle) in [
        (vec!["--frobnicate"], "--frobnicate"),
        (vec!["--listen", "localhost:http"], "--listen"),
        (vec!["--issues", "many"], "--issues"),
        (vec!["--token-ttl=-5"], "--token-ttl"),
        (vec!["--alerts"], "--alerts"),
    ] {
        let (status, out, err) = run_to_end(&args);
        assert_eq!(status.code(), Some(2), "{args:?}: {err}");
        assert!(err.contains(needle), "{args:?}: {err}");
        assert!(out.is_empty());
    }
}

#[test]
fn unusable_seed_files_and_addresses_fail_with_a_message() {
    let (status, out, err) = run_to_end(&["--data", "/no/such/seed.json"]);
    assert_eq!(status.code(), Some(1));
    assert!(err.contains("/no/such/seed.json") && err.contains("No such file"), "{err}");
    assert!(out.is_empty());

    let dir = std::env::temp_dir().join(format!("portal-sandbox-test-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let bad = dir.join("bad.json");
    std::fs::write(&bad, r#"{"issues": [{"id": "nope"}]}"#).unwrap();
    let (status, _, err) = run_to_end(&["--data", bad.to_str().unwrap()]);
    assert_eq!(status.code(), Some(1));
    assert!(err.contains("invalid seed data"), "{err}");
    let _ = std::fs::remove_dir_all(&dir);

    // A port that is taken.
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = taken.local_addr().unwrap().to_string();
    let (status, _, err) = run_to_end(&["--listen", &addr]);
    assert_eq!(status.code(), Some(1));
    assert!(err.contains("cannot listen on"), "{err}");
}

#[test]
fn help_lists_every_flag() {
    let (status, out, _) = run_to_end(&["--help"]);
    assert!(status.success());
    for flag in ["--listen", "--data", "--issues", "--alerts", "--token-ttl"] {
        assert!(out.contains(flag), "{flag}: {out}");
    }
}
