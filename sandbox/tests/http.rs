//! The HTTP surface: methods, paths, content types, limits, bad bodies,
//! keep-alive, counters, parallel instances and shutdown.

mod common;

use common::{post, post_on, Connection};
use portal_sandbox::{Sandbox, MAX_BODY_BYTES};
use serde_json::{json, Value};

const IS_ALIVE: &[u8] = br#"{"query":"{__schema { queryType { name }}}"}"#;

fn assert_graphql_error(reply: &common::Reply, status: u16) {
    assert_eq!(reply.status, status, "{}", String::from_utf8_lossy(&reply.body));
    assert_eq!(reply.header("content-type"), Some("application/json"));
    let body = reply.json();
    assert!(body["errors"][0]["message"].as_str().is_some_and(|m| !m.is_empty()), "{body}");
}

#[tokio::test]
async fn only_post_is_served_and_only_at_graphql() {
    let sandbox = Sandbox::start().await.unwrap();
    // An answer given without reading the body closes the connection, so each
    // refused request gets its own.
    for method in ["GET", "PUT", "DELETE", "PATCH"] {
        let mut conn = Connection::open(sandbox.addr()).await;
        let reply = conn.send(method, "/graphql", &[("Content-Type", "application/json")], b"").await;
        assert_graphql_error(&reply, 405);
        assert_eq!(reply.header("allow"), Some("POST"), "{method}");
    }
    for path in ["/", "/graphiql", "/graphql/x"] {
        let mut conn = Connection::open(sandbox.addr()).await;
        let reply = conn.send("POST", path, &[("Content-Type", "application/json")], IS_ALIVE).await;
        assert_graphql_error(&reply, 404);
    }
    let reply = post(sandbox.addr(), None, &json!({"query": "{ __typename }"})).await;
    assert_eq!(reply.status, 200);
}

#[tokio::test]
async fn the_body_must_be_declared_json() {
    let sandbox = Sandbox::start().await.unwrap();
    for headers in [vec![], vec![("Content-Type", "text/plain")], vec![("Content-Type", "application/graphql")]] {
        let mut conn = Connection::open(sandbox.addr()).await;
        let reply = conn.send("POST", "/graphql", &headers, IS_ALIVE).await;
        assert_graphql_error(&reply, 415);
    }
    let mut conn = Connection::open(sandbox.addr()).await;
    for ct in ["application/json; charset=utf-8", "Application/JSON"] {
        let reply = conn.send("POST", "/graphql", &[("Content-Type", ct)], IS_ALIVE).await;
        assert_eq!(reply.status, 200, "{ct}");
    }
}

#[tokio::test]
async fn oversize_bodies_get_413() {
    let sandbox = Sandbox::start().await.unwrap();
    // Declared too large: refused before the body is read.
    let mut conn = Connection::open(sandbox.addr()).await;
    let head = format!(
        "POST /graphql HTTP/1.1\r\nHost: s\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n{{",
        MAX_BODY_BYTES + 1
    );
    let reply = conn.send_raw(head.as_bytes()).await;
    assert_graphql_error(&reply, 413);

    // Chunked, so only reading finds out.
    let mut conn = Connection::open(sandbox.addr()).await;
    let mut raw =
        b"POST /graphql HTTP/1.1\r\nHost: s\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n"
            .to_vec();
    let chunk = vec![b' '; 64 * 1024];
    for _ in 0..(MAX_BODY_BYTES / chunk.len() + 1) {
        raw.extend_from_slice(format!("{:x}\r\n", chunk.len()).as_bytes());
        raw.extend_from_slice(&chunk);
        raw.extend_from_slice(b"\r\n");
    }
    raw.extend_from_slice(b"0\r\n\r\n");
    let reply = conn.send_raw(&raw).await;
    assert_graphql_error(&reply, 413);

    // Just under the cap is fine (white space around a real request).
    let mut body = vec![b' '; MAX_BODY_BYTES - IS_ALIVE.len()];
    body.extend_from_slice(IS_ALIVE);
    let reply = Connection::open(sandbox.addr())
        .await
        .send("POST", "/graphql", &[("Content-Type", "application/json")], &body)
        .await;
    assert_eq!(reply.status, 200);
}

#[tokio::test]
async fn malformed_bodies_get_400() {
    let sandbox = Sandbox::start().await.unwrap();
    let mut conn = Connection::open(sandbox.addr()).await;
    let deep = format!(
        "{{\"query\":\"{{__typename}}\",\"variables\":{{\"x\":{}{}}}}}",
        "[".repeat(10_000),
        "]".repeat(10_000)
    );
    let bodies: Vec<Vec<u8>> = vec![
        b"".to_vec(),
        b"{".to_vec(),
        b"not json".to_vec(),
        b"[{\"query\":\"{__typename}\"}]".to_vec(),
        b"{}".to_vec(),
        b"{\"query\": 5}".to_vec(),
        b"{\"query\":\"{__typename}\",\"variables\":\"x\"}".to_vec(),
        b"{\"query\":\"{__typename}\",\"operationName\":[]}".to_vec(),
        b"{\"query\":\"\xff\xfe\"}".to_vec(),
        deep.into_bytes(),
    ];
    for body in bodies {
        let reply = conn.send("POST", "/graphql", &[("Content-Type", "application/json")], &body).await;
        assert_graphql_error(&reply, 400);
    }
    // The connection is still usable.
    let reply = conn.send("POST", "/graphql", &[("Content-Type", "application/json")], IS_ALIVE).await;
    assert_eq!(reply.status, 200);
}

#[tokio::test]
async fn bad_documents_are_graphql_errors_with_status_200_and_no_data() {
    let sandbox = Sandbox::start().await.unwrap();
    let nested = format!(
        "{{ __schema {{ types {{ fields {{ type {{ {} name {} }} }} }} }} }}",
        "ofType {".repeat(30),
        "}".repeat(30)
    );
    let aliases: String = (0..1000).map(|i| format!("a{i}: auth_user {{ id username }} ")).collect();
    let cases = [
        (json!({"query": "{ tdh_allIssues { id "}), "syntax"),
        (json!({"query": "{ nope }"}), "unknown field"),
        (json!({"query": "query A { __typename } query B { __typename }", "operationName": "C"}), "unknown operation"),
        (json!({"query": "query A { __typename } query B { __typename }"}), "ambiguous operation"),
        (json!({"query": "query ($n: Int!) { alerts(first: $n) { totalCount } }"}), "missing variable"),
        (json!({"query": nested}), "too deep"),
        (json!({"query": format!("{{ {aliases} }}")}), "too complex"),
    ];
    for (body, what) in cases {
        let reply = post(sandbox.addr(), None, &body).await;
        assert_graphql_error(&reply, 200);
        let answer = reply.json();
        assert!(answer.get("data").is_none(), "{what}: a request that never ran has no data: {answer}");
    }
    // Past the parser's recursion limit, and past the depth limit only.
    let deeper_than_allowed = format!(
        "{{ __schema {{ types {{ fields {{ type {{ {} name {} }} }} }} }} }}",
        "ofType {".repeat(22),
        "}".repeat(22)
    );
    for query in [nested, deeper_than_allowed] {
        let reply = post(sandbox.addr(), None, &json!({ "query": query })).await;
        let message = reply.json()["errors"][0]["message"].as_str().unwrap().to_owned();
        assert!(message.contains("deep") || message.contains("depth"), "{message}");
    }
    let reply = post(sandbox.addr(), None, &json!({"query": format!("{{ {aliases} }}")})).await;
    assert!(reply.json()["errors"][0]["message"].as_str().unwrap().contains("complex"));
}

#[tokio::test]
async fn a_kept_alive_connection_is_counted_once_and_operations_by_name() {
    let sandbox = Sandbox::start().await.unwrap();
    let mut conn = Connection::open(sandbox.addr()).await;
    for _ in 0..20 {
        let body = json!({"query": "query Alive { __typename }", "operationName": "Alive"});
        assert_eq!(post_on(&mut conn, None, &body).await.status, 200);
    }
    // Named by the document alone.
    assert_eq!(post_on(&mut conn, None, &json!({"query": "query AlertsPage { __typename }"})).await.status, 200);
    // Anonymous: counted, but under no name.
    assert_eq!(post_on(&mut conn, None, &json!({"query": "{ __typename }"})).await.status, 200);
    let stats = sandbox.stats();
    assert_eq!(stats.connections(), 1);
    assert_eq!(stats.http_requests(), 22);
    assert_eq!(stats.graphql_requests(), 22);
    assert_eq!(stats.requests_for("Alive"), 20);
    assert_eq!(stats.requests_for("AlertsPage"), 1);
    assert_eq!(stats.requests_for("Other"), 0);
    assert_eq!(stats.operations().collect::<Vec<_>>(), [("AlertsPage", 1), ("Alive", 20)]);

    let _ = Connection::open(sandbox.addr()).await.send("GET", "/graphql", &[], b"").await;
    let stats = sandbox.stats();
    assert_eq!(stats.connections(), 2);
    assert_eq!(stats.http_requests(), 23);
    assert_eq!(stats.graphql_requests(), 22);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn many_sandboxes_run_side_by_side() {
    let handles: Vec<_> = (0..12).map(|_| tokio::spawn(Sandbox::start())).collect();
    let mut sandboxes = Vec::new();
    for handle in handles {
        sandboxes.push(handle.await.unwrap().unwrap());
    }
    let ports: std::collections::HashSet<u16> = sandboxes.iter().map(|s| s.addr().port()).collect();
    assert_eq!(ports.len(), sandboxes.len());
    for sandbox in &sandboxes {
        assert!(sandbox.url().starts_with("http://127.0.0.1:") && sandbox.url().ends_with("/graphql"));
        let answer = post(sandbox.addr(), None, &json!({"query": "{__schema { queryType { name }}}"})).await.json();
        assert_eq!(answer["data"]["__schema"]["queryType"]["name"], "Query");
        assert_eq!(sandbox.stats().http_requests(), 1);
    }
}

#[tokio::test]
async fn shutdown_and_drop_stop_the_server() {
    let sandbox = Sandbox::start().await.unwrap();
    let addr = sandbox.addr();
    sandbox.shutdown().await;
    assert!(tokio::net::TcpStream::connect(addr).await.is_err());

    let sandbox = Sandbox::start().await.unwrap();
    let addr = sandbox.addr();
    drop(sandbox);
    assert!(common::wait_until_closed(addr).await, "still accepting after drop");
}

#[tokio::test]
async fn answers_are_json_even_for_errors_of_execution() {
    let sandbox = Sandbox::start().await.unwrap();
    let reply = post(sandbox.addr(), None, &json!({"query": "{ alerts { totalCount } }", "variables": null})).await;
    assert_eq!(reply.status, 200);
    assert_eq!(reply.header("content-type"), Some("application/json"));
    let answer: Value = reply.json();
    assert_eq!(answer["data"], Value::Null);
    assert_eq!(answer["errors"][0]["path"], json!(["alerts"]));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_kept_alive_connections_all_stay_open() {
    let sandbox = Sandbox::start().await.unwrap();
    let mut tasks = tokio::task::JoinSet::new();
    for _ in 0..16 {
        let addr = sandbox.addr();
        tasks.spawn(async move {
            let mut conn = Connection::open(addr).await;
            for _ in 0..10 {
                let body = json!({"query": "query User { auth_user { id } }"});
                let reply = post_on(&mut conn, Some(portal_sandbox::demo::MACHINE_TOKEN), &body).await;
                assert_eq!(reply.status, 200);
            }
        });
    }
    while let Some(done) = tasks.join_next().await {
        done.unwrap();
    }
    let stats = sandbox.stats();
    assert_eq!(stats.connections(), 16, "the server closed a kept-alive connection");
    assert_eq!(stats.requests_for("User"), 160);
}
