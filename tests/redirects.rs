//! Redirects: the token never reaches another origin, and a POST is never
//! silently turned into a GET.

mod fault_server;

use std::sync::Arc;

use dcso_portal::{Client, Error, RetryPolicy, TransportErrorKind};
use fault_server::{FaultServer, Reply};

const QUERY: &str = "{ tdh_allIssues { id } }";
const TOKEN: &str = "redirect-test-machine-token";

fn client(url: &str) -> Client {
    Client::builder(url).token(TOKEN).retry(RetryPolicy::none()).build().expect("client")
}

fn redirect(status: u16, location: &str) -> Reply {
    Reply::empty(status).with_header("Location", location)
}

fn assert_redirect_refused(error: &Error, location: &str) {
    assert!(matches!(error, Error::Transport { kind: TransportErrorKind::Redirect, .. }), "{error:?}");
    assert_eq!(error.to_string(), "the Portal answered with a redirect that was not followed");
    let cause = std::error::Error::source(error).expect("the cause").to_string();
    assert!(cause.contains(location) && cause.contains("not followed"), "{cause}");
}

#[tokio::test]
async fn a_redirect_to_another_origin_is_not_followed() {
    for status in [301, 302, 303, 307, 308] {
        let elsewhere = FaultServer::start(|_, _| Reply::json(200, r#"{"data":{"stolen":true}}"#)).await;
        let target = elsewhere.url();
        let portal = FaultServer::start(move |_, _| redirect(status, &target)).await;

        let error = client(&portal.url()).execute_graphql(QUERY, None, &[]).await.expect_err("refused");
        assert_redirect_refused(&error, &elsewhere.url());
        assert!(error.to_string().len() < 120);
        assert_eq!(elsewhere.request_count(), 0, "HTTP {status}: the other origin saw nothing");
        // The Portal itself did get the token: the guard is about where it goes next.
        let sent = portal.requests();
        assert_eq!(sent.len(), 1);
        assert_eq!(sent[0].header("authorization"), Some(format!("Bearer {TOKEN}").as_str()));
    }
}

#[tokio::test]
async fn a_change_of_port_or_scheme_is_another_origin() {
    let elsewhere = FaultServer::start(|_, _| Reply::json(200, r#"{"data":{}}"#)).await;
    // Same host, other port.
    let target = elsewhere.url();
    let portal = FaultServer::start(move |_, _| redirect(307, &target)).await;
    client(&portal.url()).execute_graphql(QUERY, None, &[]).await.expect_err("refused");
    assert_eq!(elsewhere.request_count(), 0);
    // Same host and port, other scheme.
    let portal = Arc::new(std::sync::OnceLock::<String>::new());
    let target = portal.clone();
    let server =
        FaultServer::start(move |_, _| redirect(307, &target.get().expect("set").replacen("http://", "https://", 1)))
            .await;
    portal.set(server.url()).expect("once");
    let error = client(&server.url()).execute_graphql(QUERY, None, &[]).await.expect_err("refused");
    assert_redirect_refused(&error, "https://");
    assert_eq!(server.request_count(), 1);
}

#[tokio::test]
async fn a_same_origin_307_or_308_is_followed_with_the_same_request() {
    for status in [307, 308] {
        let server = FaultServer::start(move |_, request| {
            if request.head.starts_with("POST /graphql ") {
                redirect(status, "/v2/graphql")
            } else {
                Reply::json(200, r#"{"data":{"moved":true}}"#)
            }
        })
        .await;
        let data = client(&server.url()).execute_graphql(QUERY, None, &[]).await.expect("followed");
        assert_eq!(data["moved"], true);
        let sent = server.requests();
        assert_eq!(sent.len(), 2);
        assert!(sent[1].head.starts_with("POST /v2/graphql "), "{}", sent[1].head);
        assert_eq!(sent[1].body, sent[0].body, "the body is sent again");
        assert_eq!(sent[1].header("authorization"), Some(format!("Bearer {TOKEN}").as_str()));
    }
}

#[tokio::test]
async fn a_same_origin_redirect_that_would_become_a_get_is_not_followed() {
    for status in [301, 302, 303] {
        let server = FaultServer::start(move |_, _| redirect(status, "/v2/graphql")).await;
        let error = client(&server.url()).execute_graphql(QUERY, None, &[]).await.expect_err("refused");
        assert_redirect_refused(&error, "/v2/graphql");
        assert!(std::error::Error::source(&error).expect("cause").to_string().contains(&status.to_string()));
        assert_eq!(server.request_count(), 1, "HTTP {status}");
    }
}

#[tokio::test]
async fn a_redirect_loop_ends() {
    let server = FaultServer::start(|_, _| redirect(307, "/graphql")).await;
    let error = client(&server.url()).execute_graphql(QUERY, None, &[]).await.expect_err("loop");
    assert!(matches!(error, Error::Transport { kind: TransportErrorKind::Redirect, .. }), "{error:?}");
    assert!(server.request_count() <= 6, "{}", server.request_count());
}
