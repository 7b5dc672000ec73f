//! Where the token comes from: explicit > `DCSO_PORTAL_TOKEN` (empty = unset) >
//! none. The environment is process-wide, so every test that changes it lives in
//! this binary and holds the lock.

use std::sync::Mutex;

use dcso_portal::{Client, ENV_TOKEN};
use portal_sandbox::{demo, Sandbox};

static ENV: Mutex<()> = Mutex::new(());

fn with_env<T>(value: Option<&str>, f: impl FnOnce() -> T) -> T {
    let _guard = ENV.lock().unwrap_or_else(|e| e.into_inner());
    // SAFETY-free in Rust 2021; serialized by the lock above.
    match value {
        Some(v) => std::env::set_var(ENV_TOKEN, v),
        None => std::env::remove_var(ENV_TOKEN),
    }
    let out = f();
    std::env::remove_var(ENV_TOKEN);
    out
}

#[test]
fn explicit_token_wins_over_the_environment() {
    let client = with_env(Some("from-env"), || Client::builder("http://localhost/graphql").token("explicit").build());
    assert_eq!(client.expect("valid").token().expect("a token").expose_secret(), "explicit");
}

#[test]
fn environment_is_the_fallback() {
    let client = with_env(Some("from-env"), || Client::new("http://localhost/graphql"));
    assert_eq!(client.expect("valid").token().expect("a token").expose_secret(), "from-env");
}

#[test]
fn empty_or_unset_environment_means_no_token() {
    for value in [Some(""), Some("   "), None] {
        let client = with_env(value, || Client::new("http://localhost/graphql")).expect("valid");
        assert!(client.token().is_none(), "{value:?}");
    }
}

#[test]
fn reading_the_environment_can_be_turned_off() {
    let client =
        with_env(Some("from-env"), || Client::builder("http://localhost/graphql").token_from_env(false).build());
    assert!(client.expect("valid").token().is_none());
}

#[test]
fn an_unusable_environment_token_names_the_variable() {
    let err = with_env(Some("a.b"), || Client::new("http://localhost/graphql")).expect_err("malformed");
    assert!(err.is_config());
    assert!(err.to_string().contains(ENV_TOKEN), "{err}");
    assert!(!err.to_string().contains("a.b"), "the token must not be echoed: {err}");
}

#[test]
fn token_can_be_set_and_cleared_later() {
    let client = with_env(None, || Client::new("http://localhost/graphql")).expect("valid");
    assert!(client.token().is_none());
    client.set_token("later").expect("a machine token");
    assert_eq!(client.token().expect("set").expose_secret(), "later");
    let err = client.set_token("x.y").expect_err("malformed");
    assert!(matches!(err, dcso_portal::Error::Token(_)), "{err:?}");
    assert_eq!(client.token().expect("old one kept").expose_secret(), "later");
    client.clear_token();
    assert!(client.token().is_none());
}

#[tokio::test]
async fn machine_token_from_the_environment_reads_tdh_data() {
    let sandbox = Sandbox::start().await.expect("sandbox starts");
    let client = with_env(Some(demo::MACHINE_TOKEN), || Client::new(sandbox.url())).expect("valid");
    let data = client.execute_graphql("{ tdh_allIssues { id } }", None, &[]).await.expect("authorized");
    assert!(!data["tdh_allIssues"].as_array().expect("list").is_empty());
}
