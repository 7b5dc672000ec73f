//! `portal query` end to end against the sandbox.

mod common;

use common::{portal, portal_at, sandbox, stderr, stdout};
use portal_sandbox::demo;
use serde_json::Value;

const ALERTS: &str = "query Page($first: Int, $after: Cursor) {\n  alerts(first: $first, after: $after) {\n    edges { node { id } }\n    pageInfo { hasNextPage endCursor }\n  }\n}\n";

fn json(output: &std::process::Output) -> Value {
    serde_json::from_str(&stdout(output)).unwrap_or_else(|e| panic!("stdout is not JSON ({e}): {}", stdout(output)))
}

#[test]
fn query_from_a_file_with_variables_prints_data_as_json() {
    let running = sandbox();
    let dir = common::scratch("query-file");
    let file = dir.join("alerts.graphql");
    std::fs::write(&file, ALERTS).unwrap();

    let output = portal_at(&running).args(["query"]).arg(&file).args(["--var", "first=2"]).output().unwrap();
    assert_eq!(output.status.code(), Some(0), "stderr: {}", stderr(&output));
    let data = json(&output);
    assert_eq!(data["alerts"]["edges"].as_array().map(Vec::len), Some(2), "{data}");
    assert_eq!(data["alerts"]["pageInfo"]["hasNextPage"], true);
    assert!(stdout(&output).contains("\n  \"alerts\": {\n"), "pretty-printed");

    // The cursor goes back in as a string, and --var wins over --vars-json.
    let cursor = data["alerts"]["pageInfo"]["endCursor"].as_str().expect("a cursor").to_owned();
    let output = portal_at(&running)
        .args(["query", "-", "--vars-json", r#"{"first": 100, "after": ""}"#])
        .arg("--var")
        .arg(format!("after={cursor}"))
        .args(["--var", "first=1"])
        .write_stdin(ALERTS)
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(0), "stderr: {}", stderr(&output));
    let next = json(&output);
    let first_page: Vec<&Value> = data["alerts"]["edges"].as_array().unwrap().iter().collect();
    let next_page = next["alerts"]["edges"].as_array().unwrap();
    assert_eq!(next_page.len(), 1);
    assert!(!first_page.contains(&&next_page[0]), "the second page starts after the first");
}

#[test]
fn graphql_errors_go_to_stderr_with_their_code_and_partial_data_is_still_printed() {
    let running = sandbox();
    let document = "{ me: auth_user { username } nobody: auth_user(id: \"no-such-user\") { username } }";
    let output = portal_at(&running).args(["query", "-"]).write_stdin(document).output().unwrap();
    assert_eq!(output.status.code(), Some(1), "stderr: {}", stderr(&output));
    let data = json(&output);
    assert_eq!(data["me"]["username"], demo::MACHINE_USER);
    assert_eq!(data["nobody"], Value::Null);
    let errors = stderr(&output);
    let lines: Vec<&str> = errors.lines().collect();
    assert_eq!(lines.len(), 1, "one line per error: {errors}");
    assert!(lines[0].ends_with("(25000101)"), "message (GLOSOMCODE): {errors}");
}

#[test]
fn errors_without_data_print_nothing_to_stdout() {
    let running = sandbox();
    let output = portal_at(&running)
        .args(["query", "-", "--var", "first=1000"])
        .write_stdin("query($first: Int) { alerts(first: $first) { edges { cursor } } }")
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1));
    assert_eq!(stdout(&output), "");
    assert!(stderr(&output).trim_end().ends_with("(25000203)"), "{}", stderr(&output));
}

#[test]
fn the_token_can_come_from_a_file_and_is_never_printed() {
    let running = sandbox();
    let dir = common::scratch("token-file");
    let token_file = dir.join("token");
    std::fs::write(&token_file, format!("{}\n", demo::MACHINE_TOKEN)).unwrap();
    let output = portal()
        .env("DCSO_PORTAL_URL", running.sandbox.url())
        .args(["-vvv", "query", "-", "--token-file"])
        .arg(&token_file)
        .write_stdin("{ auth_user { username } }")
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(0), "stderr: {}", stderr(&output));
    assert_eq!(json(&output)["auth_user"]["username"], demo::MACHINE_USER);
    assert!(!stderr(&output).is_empty(), "-vvv logs the request");
    for stream in [stdout(&output), stderr(&output)] {
        assert!(!stream.contains(demo::MACHINE_TOKEN), "the token leaked: {stream}");
    }
}

#[test]
fn a_rejected_token_is_a_graphql_error() {
    let running = sandbox();
    let output = portal_at(&running)
        .env("DCSO_PORTAL_TOKEN", "not-the-machine-token")
        .args(["query", "-"])
        .write_stdin("{ auth_user { username } }")
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1));
    assert!(stderr(&output).contains("(24000401)"), "{}", stderr(&output));
}

#[test]
fn missing_settings_say_which_flag_or_variable_to_set() {
    let output = portal().args(["query", "-"]).env("DCSO_PORTAL_TOKEN", "t").write_stdin("{ a }").output().unwrap();
    assert_eq!(output.status.code(), Some(2));
    let message = stderr(&output);
    assert!(message.contains("--endpoint") && message.contains("DCSO_PORTAL_URL"), "{message}");

    let output = portal()
        .args(["query", "-", "--endpoint", "http://127.0.0.1:9/graphql"])
        .write_stdin("{ a }")
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    let message = stderr(&output);
    assert!(message.contains("DCSO_PORTAL_TOKEN") && message.contains("--token-file"), "{message}");

    let output = portal()
        .args(["query", "no-such-file.graphql", "--endpoint", "http://127.0.0.1:9/graphql"])
        .env("DCSO_PORTAL_TOKEN", "t")
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert!(stderr(&output).contains("no-such-file.graphql"), "{}", stderr(&output));
}

#[test]
fn bad_arguments_are_usage_errors() {
    for args in [
        vec!["query", "-", "--var", "novalue"],
        vec!["query", "-", "--timeout", "0"],
        vec!["query", "-", "--timeout", "soon"],
        vec!["query", "-", "--output", "xml"],
        vec!["query"],
    ] {
        let output = portal().args(&args).write_stdin("{ a }").output().unwrap();
        assert_eq!(output.status.code(), Some(2), "{args:?}: {}", stderr(&output));
    }
    let output = portal()
        .args(["query", "-", "--vars-json", "[1]", "--endpoint", "http://127.0.0.1:9/graphql"])
        .env("DCSO_PORTAL_TOKEN", "t")
        .write_stdin("{ a }")
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert!(stderr(&output).contains("JSON object"), "{}", stderr(&output));
}

#[test]
fn an_unreachable_portal_fails_within_the_timeout() {
    // Nothing listens on the discard port of loopback: the connection is refused.
    let started = std::time::Instant::now();
    let output = portal()
        .args(["query", "-", "--endpoint", "http://127.0.0.1:9/graphql", "--timeout", "5"])
        .env("DCSO_PORTAL_TOKEN", "t")
        .write_stdin("{ a }")
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert!(started.elapsed() < std::time::Duration::from_secs(30));
    assert!(stderr(&output).starts_with("error: "), "{}", stderr(&output));
}

#[test]
fn timeout_is_the_overall_deadline_of_the_call() {
    use std::net::TcpListener;
    use std::time::{Duration, Instant};

    // A server that accepts connections and never answers; it stops by itself.
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    listener.set_nonblocking(true).unwrap();
    std::thread::spawn(move || {
        let mut held = Vec::new();
        let end = Instant::now() + Duration::from_secs(20);
        while Instant::now() < end {
            match listener.accept() {
                Ok((stream, _)) => held.push(stream),
                Err(_) => std::thread::sleep(Duration::from_millis(10)),
            }
        }
    });

    let started = Instant::now();
    let output = portal()
        .args(["query", "-", "--timeout", "1.5"])
        .arg("--endpoint")
        .arg(format!("http://{addr}/graphql"))
        .env("DCSO_PORTAL_TOKEN", "t")
        .write_stdin("{ auth_user { username } }")
        .output()
        .unwrap();
    let elapsed = started.elapsed();
    assert_eq!(output.status.code(), Some(2));
    assert!(elapsed >= Duration::from_millis(1400) && elapsed < Duration::from_secs(10), "{elapsed:?}");
    assert!(stderr(&output).contains("timed out"), "{}", stderr(&output));
}
