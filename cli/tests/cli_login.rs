//! `portal login` and `portal whoami` end to end against the sandbox.

mod common;

use common::{json, portal, portal_at, sandbox, stderr, stdout, totp_now};
use portal_sandbox::demo;
use serde_json::{json, Value};

/// `portal` pointed at `running`, with no token at all: signing in needs none.
fn login(running: &common::Running) -> assert_cmd::Command {
    let mut command = portal();
    command.env("DCSO_PORTAL_URL", running.sandbox.url());
    command.arg("login");
    command
}

fn whoami_with(running: &common::Running, token: &str) -> std::process::Output {
    let output = portal_at(running).env("DCSO_PORTAL_TOKEN", token).args(["whoami", "--output", "json"]).output();
    output.unwrap()
}

#[test]
fn print_token_prints_exactly_the_token_and_it_works_for_whoami() {
    let running = sandbox();
    let output = login(&running)
        .args(["--username", demo::ALICE, "--password-stdin", "--print-token"])
        .write_stdin(format!("{}\n", demo::PASSWORD))
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(0), "stderr: {}", stderr(&output));
    let printed = stdout(&output);
    let lines: Vec<&str> = printed.lines().collect();
    assert_eq!(lines.len(), 1, "one line, the token: {printed:?}");
    let token = lines[0];
    assert_eq!(token.split('.').count(), 3, "a JWT");
    assert!(!stderr(&output).contains(token), "the token only goes to stdout");
    assert!(stderr(&output).contains("Signed in as alice"), "{}", stderr(&output));
    assert!(stderr(&output).contains("expires"), "{}", stderr(&output));

    let whoami = whoami_with(&running, token);
    assert_eq!(whoami.status.code(), Some(0), "stderr: {}", stderr(&whoami));
    let identity = json(&whoami);
    assert_eq!(identity["user"], json!({ "id": demo::ALICE_ID, "username": demo::ALICE }));
    assert_eq!(identity["organization"]["name"], demo::ORGANIZATION_NAME);
    assert_eq!(identity["organization"]["short_code"], demo::ORGANIZATION_SHORT_CODE);
    assert_eq!(
        identity["permissions"],
        json!({ "portal": ["portal-access"], "tdh": ["tdh-access", "tdh-access-admin"] })
    );
    assert_eq!(identity["tdh_coordinator"], true);
    assert_eq!(identity["token"]["kind"], "user");
    assert!(identity["token"]["expires_at"].as_str().is_some_and(|t| t.ends_with('Z')), "{identity}");
    assert!(!stdout(&whoami).contains(token) && !stderr(&whoami).contains(token));
}

#[test]
fn without_print_token_the_summary_is_printed_and_the_token_is_not() {
    let running = sandbox();
    let output = login(&running)
        .args(["--username", demo::ALICE, "--password-stdin", "--output", "json"])
        .write_stdin(demo::PASSWORD) // no final newline: the line is still the password
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(0), "stderr: {}", stderr(&output));
    let summary = json(&output);
    assert_eq!(summary.as_object().map(serde_json::Map::len), Some(5), "{summary}");
    assert_eq!(summary["username"], demo::ALICE);
    assert_eq!(summary["user_id"], demo::ALICE_ID);
    assert_eq!(summary["otp_required"], false);
    assert_eq!(summary["otp_activated"], Value::Null);
    assert!(summary["expires_at"].as_str().is_some_and(|t| t.ends_with('Z')), "{summary}");
    for stream in [stdout(&output), stderr(&output)] {
        assert!(!stream.contains("eyJ"), "no token is printed: {stream}");
    }
}

#[test]
fn bob_signs_in_with_the_one_time_code_from_the_next_stdin_line() {
    let running = sandbox();
    let output = login(&running)
        .args(["--username", demo::BOB, "--password-stdin", "--output", "json"])
        .write_stdin(format!("{}\n{}\n", demo::PASSWORD, totp_now(demo::BOB_TOTP_SECRET)))
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(0), "stderr: {}", stderr(&output));
    let summary = json(&output);
    assert_eq!(summary["username"], demo::BOB);
    assert_eq!(summary["otp_required"], true);
    assert_eq!(summary["otp_activated"], demo::BOB_OTP_ACTIVATED);

    // --totp-code instead of a second line; the token is a full one.
    let output = login(&running)
        .args(["-u", demo::BOB, "--password-stdin", "--print-token", "--totp-code"])
        .arg(totp_now(demo::BOB_TOTP_SECRET))
        .write_stdin(format!("{}\n", demo::PASSWORD))
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(0), "stderr: {}", stderr(&output));
    let token = stdout(&output).trim_end().to_owned();
    assert!(stderr(&output).contains("second factor active since 2025-09-01T09:30:00Z"), "{}", stderr(&output));
    let whoami = whoami_with(&running, &token);
    assert_eq!(whoami.status.code(), Some(0), "stderr: {}", stderr(&whoami));
    assert_eq!(json(&whoami)["user"]["username"], demo::BOB);
    assert_eq!(json(&whoami)["tdh_coordinator"], false);
}

#[test]
fn a_missing_or_wrong_one_time_code_fails() {
    let running = sandbox();
    let output = login(&running)
        .args(["--username", demo::BOB, "--password-stdin", "--print-token"])
        .write_stdin(format!("{}\n", demo::PASSWORD))
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert_eq!(stdout(&output), "");
    assert!(stderr(&output).contains("--totp-code"), "says how to give the code: {}", stderr(&output));

    // A code of none of the steps the sandbox accepts (one early, now, one late).
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs();
    let accepted: Vec<String> =
        [now - 30, now, now + 30].map(|t| portal_sandbox::totp::code(demo::BOB_TOTP_SECRET, t)).to_vec();
    let wrong =
        ["000000", "111111", "222222", "333333"].into_iter().find(|c| !accepted.iter().any(|a| a == c)).unwrap();
    let output = login(&running)
        .args(["--username", demo::BOB, "--password-stdin", "--print-token"])
        .write_stdin(format!("{}\n{wrong}\n", demo::PASSWORD))
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1), "stderr: {}", stderr(&output));
    assert_eq!(stdout(&output), "");
    assert!(stderr(&output).contains("(24000601)"), "the GLOSOM code of INVALID_OTP: {}", stderr(&output));
}

#[test]
fn a_wrong_password_exits_1_with_the_glosom_message() {
    let running = sandbox();
    let output = login(&running)
        .args(["--username", demo::ALICE, "--password-stdin", "--print-token"])
        .write_stdin("not-the-password\n")
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1), "stderr: {}", stderr(&output));
    assert_eq!(stdout(&output), "", "no token, no summary");
    let message = stderr(&output);
    assert_eq!(message.lines().count(), 1, "{message}");
    assert!(message.starts_with("error: ") && message.trim_end().ends_with("(24000101)"), "{message}");
}

#[test]
fn login_says_what_it_needs() {
    // No endpoint.
    let output = portal().args(["login", "-u", "alice", "--password-stdin"]).write_stdin("pw\n").output().unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert!(stderr(&output).contains("DCSO_PORTAL_URL"), "{}", stderr(&output));

    let running = sandbox();
    // Not a terminal, and no --password-stdin: nobody to ask.
    let output = login(&running).args(["-u", "alice"]).write_stdin("tea.pots\n").output().unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert!(stderr(&output).contains("--password-stdin"), "{}", stderr(&output));

    // --password-stdin needs --username; an empty password is refused before any request.
    let output = login(&running).arg("--password-stdin").write_stdin("tea.pots\n").output().unwrap();
    assert_eq!(output.status.code(), Some(2));
    let output = login(&running).args(["-u", "alice", "--password-stdin"]).write_stdin("\n").output().unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert!(stderr(&output).contains("password is empty"), "{}", stderr(&output));
    assert_eq!(running.sandbox.stats().graphql_requests(), 0);
}

#[test]
fn whoami_with_the_machine_token() {
    let running = sandbox();
    let output = portal_at(&running).args(["whoami", "--output", "json"]).output().unwrap();
    assert_eq!(output.status.code(), Some(0), "stderr: {}", stderr(&output));
    assert_eq!(
        json(&output),
        json!({
            "user": { "id": demo::MACHINE_USER_ID, "username": demo::MACHINE_USER },
            "organization": {
                "id": demo::ORGANIZATION_ID,
                "name": demo::ORGANIZATION_NAME,
                "short_code": demo::ORGANIZATION_SHORT_CODE
            },
            "permissions": { "tdh": ["tdh-access"] },
            "tdh_coordinator": false,
            "token": { "kind": "machine", "expires_at": null }
        })
    );
    // Not a terminal: JSON unless a table is asked for.
    let default = portal_at(&running).arg("whoami").output().unwrap();
    assert_eq!(json(&default), json(&output));

    let table = portal_at(&running).args(["whoami", "--output", "table"]).output().unwrap();
    assert_eq!(table.status.code(), Some(0));
    let text = stdout(&table);
    for expected in ["sandbox-machine", "Demo Tea Company (DEMO)", "tdh: tdh-access", "TDH coordinator  no"] {
        assert!(text.contains(expected), "{expected:?} in:\n{text}");
    }
    assert!(!text.contains(demo::MACHINE_TOKEN));
}

#[test]
fn whoami_with_a_rejected_token_exits_1() {
    let running = sandbox();
    let output = whoami_with(&running, "not-the-machine-token");
    assert_eq!(output.status.code(), Some(1));
    assert_eq!(stdout(&output), "");
    assert!(stderr(&output).contains("(24000401)"), "{}", stderr(&output));
}
