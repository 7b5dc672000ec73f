//! Hostile answers: each ends in one clean, typed error, never a panic, a hang or
//! unbounded memory.

mod fault_server;

use dcso_portal::{Client, Error, RetryPolicy, TransportErrorKind, DEFAULT_MAX_RESPONSE_BYTES};
use fault_server::{FaultServer, Reply};
use serde::Deserialize;
use serde_json::{json, Value};

const QUERY: &str = "{ tdh_allIssues { id reference } }";

fn client(url: &str) -> Client {
    Client::builder(url).token("hostile-test-machine-token").retry(RetryPolicy::none()).build().expect("client")
}

fn raw_json(status: u16, body: Vec<u8>) -> Reply {
    Reply::Respond { status, headers: vec![("Content-Type".into(), "application/json".into())], body }
}

/// The error for one answer, from a server that always gives it.
async fn error_for(reply: impl Fn() -> Reply + Send + Sync + 'static) -> Error {
    let server = FaultServer::start(move |_, _| reply()).await;
    client(&server.url()).execute_graphql(QUERY, None, &[]).await.expect_err("a hostile answer is an error")
}

#[tokio::test]
async fn json_nested_past_the_limit() {
    let arrays = |depth: usize| format!("{}{}", "[".repeat(depth), "]".repeat(depth));
    let objects = |depth: usize| format!("{}1{}", r#"{"a":"#.repeat(depth), "}".repeat(depth));
    for (status, body) in [
        (200, format!(r#"{{"data":{{"x":{}}}}}"#, arrays(129))),
        (200, format!(r#"{{"data":{}}}"#, objects(200))),
        (200, arrays(100_000)),
        (200, format!(r#"{{"errors":[{{"message":"m","extensions":{}}}]}}"#, objects(150))),
        (500, format!(r#"{{"errors":{}}}"#, arrays(129))),
    ] {
        let shown = format!("{status} {:.40}", body);
        let error = error_for(move || raw_json(status, body.clone().into_bytes())).await;
        assert!(matches!(error, Error::InvalidResponse { .. }), "{shown}: {error:?}");
        assert!(error.to_string().contains("nested more than 127 levels"), "{shown}: {error}");
    }
    // Deep but within the limit is fine.
    let server =
        FaultServer::start(move |_, _| Reply::json(200, format!(r#"{{"data":{{"x":{}}}}}"#, arrays(120)))).await;
    client(&server.url()).execute_graphql(QUERY, None, &[]).await.expect("120 levels");
}

#[tokio::test]
async fn a_100_mb_answer_meets_the_default_cap() {
    let limit = DEFAULT_MAX_RESPONSE_BYTES;
    let error = error_for(|| Reply::Sized { length: 100 * 1024 * 1024 }).await;
    assert!(matches!(error, Error::ResponseTooLarge { limit: l } if l == limit), "{error:?}");
    // The same without a Content-Length: read up to the cap, then dropped.
    let error =
        error_for(|| Reply::Endless { headers: vec![("Content-Type".into(), "application/json".into())] }).await;
    assert!(matches!(error, Error::ResponseTooLarge { limit: l } if l == limit), "{error:?}");
}

#[tokio::test]
async fn truncated_answers() {
    for body in [r#"{"data":{"tdh_allIssues":[{"id":"a""#, "{", r#"{"data""#, r#"{"data":nul"#] {
        let error = error_for(move || Reply::json(200, body)).await;
        assert!(matches!(error, Error::InvalidResponse { .. }), "{body}: {error:?}");
        assert!(error.to_string().contains("not valid JSON"), "{body}: {error}");
    }
    // The connection closes before the promised Content-Length.
    let error = error_for(|| {
        Reply::Raw(
            b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{\"data\":".to_vec(),
        )
    })
    .await;
    assert!(matches!(error, Error::Transport { kind: TransportErrorKind::Connection, .. }), "{error:?}");
}

#[tokio::test]
async fn invalid_utf8() {
    for body in [
        b"{\"data\":{\"x\":\"\xff\xfe\"}}".to_vec(),
        b"{\"data\":{\"\xc3\":1}}".to_vec(),
        b"\xef\xbb\xbf{\"data\":{}}".to_vec(),
        b"{\"errors\":[{\"message\":\"\xed\xa0\x80\"}]}".to_vec(),
    ] {
        let shown = String::from_utf8_lossy(&body).into_owned();
        let error = error_for(move || raw_json(200, body.clone())).await;
        // Not valid JSON, or (inside a string) a decode error naming where.
        assert!(error.is_decode(), "{shown}: {error:?}");
    }
    // An error page that is not UTF-8 is kept, lossily.
    let error = error_for(|| raw_json(502, b"bad gateway \xff\xfe".to_vec())).await;
    assert!(matches!(&error, Error::Http { status: 502, body, .. } if body.starts_with("bad gateway")), "{error:?}");
}

#[tokio::test]
async fn unusable_errors_lists_name_where() {
    for (body, path) in [
        (r#"{"errors":"boom"}"#, "errors"),
        (r#"{"errors":{"message":"x"}}"#, "errors"),
        (r#"{"data":{"x":1},"errors":7}"#, "errors"),
        (r#"{"errors":[1,2]}"#, "errors[0]"),
        (r#"{"errors":[{"message":5}]}"#, "errors[0].message"),
        (r#"{"errors":[{"message":"x","path":"nope"}]}"#, "errors[0].path"),
        (r#"{"errors":[{"message":"x","locations":[{"line":-1,"column":1}]}]}"#, "errors[0].locations[0].line"),
        (r#"{"errors":[{"message":"x","extensions":[]}]}"#, "errors[0].extensions"),
    ] {
        let error = error_for(move || Reply::json(200, body)).await;
        match &error {
            Error::Decode { path: p, .. } => assert_eq!(p, path, "{body}"),
            other => panic!("{body}: {other:?}"),
        }
        assert!(error.to_string().contains(&format!("`{path}`")), "{error}");
    }
    // An error without a message is still an error, shown as the reference shows it.
    let error = error_for(|| Reply::json(200, r#"{"errors":[{}, {"message":null}]}"#)).await;
    assert_eq!(error.to_string(), "invalid message (and 1 more error)");
    // An empty list with no data says so.
    let error = error_for(|| Reply::json(200, r#"{"errors":[]}"#)).await;
    assert!(error.to_string().contains("neither `data` nor `errors`"), "{error}");
}

#[tokio::test]
async fn data_of_the_wrong_shape_names_the_json_path() {
    #[derive(Debug, Deserialize)]
    #[allow(dead_code)]
    struct Data {
        #[serde(rename = "tdh_allIssues")]
        issues: Vec<Issue>,
    }
    #[derive(Debug, Deserialize)]
    #[allow(dead_code)]
    struct Issue {
        id: uuid::Uuid,
        reference: String,
    }
    let id = "3be13d5f-1556-4edf-a243-e7ea4db67f2e";
    for (data, path) in [
        (
            json!({"tdh_allIssues": [{"id": id, "reference": "R-1"}, {"id": id, "reference": 7}]}),
            "data.tdh_allIssues[1].reference",
        ),
        (json!({"tdh_allIssues": [{"id": "not-a-uuid", "reference": "R-1"}]}), "data.tdh_allIssues[0].id"),
        (json!({"tdh_allIssues": {"id": id}}), "data.tdh_allIssues"),
        (json!({"tdh_allIssues": [{"reference": "R-1"}]}), "data.tdh_allIssues[0]"),
        (json!("a string"), "data"),
    ] {
        let body = json!({ "data": data }).to_string();
        let server = FaultServer::start(move |_, _| Reply::json(200, body.clone())).await;
        let error = client(&server.url()).execute_graphql_as::<Data>(QUERY, None, &[]).await.expect_err("wrong shape");
        match &error {
            Error::Decode { path: p, message } => {
                assert_eq!(p, path, "{message}");
                assert!(error.is_decode());
            }
            other => panic!("{path}: {other:?}"),
        }
    }
}

#[tokio::test]
async fn glosom_codes_of_every_odd_kind() {
    let odd: Vec<Value> = vec![
        json!(""),
        json!(" "),
        json!("0x"),
        json!("0X"),
        json!("-1"),
        json!("0x1FFFFFFFF"),
        json!("99999999999999999999999999"),
        json!("😀"),
        json!("٣"),
        json!("\u{0}"),
        json!("24B00DAAZ"),
        json!("0x-1"),
        json!("0x 1"),
        json!("ffffffffff"),
        json!("x".repeat(10_000)),
        json!(null),
        json!(true),
        json!([]),
        json!({"code": 1}),
        json!(1.5),
        json!(-1),
        json!(1e300),
        json!(18_446_744_073_709_551_615u64),
        json!(4_294_967_296u64),
        json!(0),
    ];
    let body = json!({
        "errors": odd.iter().map(|code| json!({"message": "odd", "extensions": {"code": code}})).collect::<Vec<_>>()
    })
    .to_string();
    let count = odd.len();
    let error = error_for(move || Reply::json(200, body.clone())).await;
    let errors = error.graphql_errors().expect("GraphQL errors");
    assert_eq!(errors.errors().len(), count);
    for (e, code) in errors.iter().zip(&odd) {
        assert_eq!(e.code(), None, "{code} is no code");
        assert_eq!(e.to_string(), "odd", "{code}");
    }
    assert_eq!(error.glosom(), None);

    // The well-formed ones, in every accepted spelling.
    for code in [json!(615_517_610), json!("615517610"), json!("0x24B00DAA"), json!("24b00daa"), json!(" 0X24B00DAA ")]
    {
        let body = json!({"errors": [{"message": "denied", "extensions": {"code": code}}]}).to_string();
        let error = error_for(move || Reply::json(200, body.clone())).await;
        assert_eq!(error.glosom().map(|c| c.raw()), Some(0x24B0_0DAA), "{code}");
        assert_eq!(error.to_string(), "denied (24B00DAA)");
    }
}

#[tokio::test]
async fn html_pages_with_any_status() {
    for status in [200, 201, 203, 400, 401, 403, 404, 405, 418, 429, 500, 501, 502, 503, 504, 599] {
        let error = error_for(move || Reply::html(status)).await;
        if status < 300 {
            assert!(matches!(error, Error::InvalidResponse { .. }), "{status}: {error:?}");
            assert!(error.to_string().contains("content type text/html"), "{status}: {error}");
        } else {
            match &error {
                Error::Http { status: s, content_type, body } => {
                    assert_eq!(*s, status);
                    assert!(content_type.as_deref().is_some_and(|ct| ct.starts_with("text/html")));
                    assert!(body.starts_with("<html>"), "{body}");
                    assert!(error.to_string().starts_with(&format!("HTTP {status} from the Portal: <html>")));
                }
                other => panic!("{status}: {other:?}"),
            }
        }
    }
    // An HTML page that claims to be JSON is still not JSON.
    let error = error_for(|| raw_json(200, b"<html>hi</html>".to_vec())).await;
    assert!(error.to_string().contains("not valid JSON"), "{error}");
}

#[tokio::test]
async fn empty_bodies() {
    for status in [200, 204, 400, 401, 500, 503] {
        for body in ["", "  \r\n\t "] {
            let error = error_for(move || Reply::Respond { status, headers: Vec::new(), body: body.into() }).await;
            if status < 300 {
                assert!(matches!(error, Error::InvalidResponse { .. }), "{status}: {error:?}");
                assert!(error.to_string().contains(&format!("empty body (HTTP {status})")), "{error}");
            } else {
                assert!(matches!(&error, Error::Http { status: s, .. } if *s == status), "{status}: {error:?}");
            }
        }
    }
}

#[tokio::test]
async fn broken_http() {
    let huge_head = {
        let mut head = b"HTTP/1.1 200 OK\r\n".to_vec();
        for i in 0..200 {
            head.extend_from_slice(format!("X-Filler-{i}: {}\r\n", "y".repeat(8000)).as_bytes());
        }
        head.extend_from_slice(b"Content-Length: 2\r\n\r\n{}");
        head
    };
    let many_headers = {
        let mut head = b"HTTP/1.1 200 OK\r\n".to_vec();
        for i in 0..1000 {
            head.extend_from_slice(format!("X-{i}: y\r\n").as_bytes());
        }
        head.extend_from_slice(b"Content-Length: 2\r\n\r\n{}");
        head
    };
    for raw in [
        b"this is not HTTP at all\r\n\r\n".to_vec(),
        b"HTTP/1.1 abc Nope\r\n\r\n".to_vec(),
        b"HTTP/1.1 200 OK\r\nContent-Length: -5\r\n\r\n".to_vec(),
        b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n".to_vec(),
        b"\0\0\0\0".to_vec(),
        huge_head,
        many_headers,
    ] {
        let shown = String::from_utf8_lossy(&raw[..raw.len().min(40)]).into_owned();
        let error = error_for(move || Reply::Raw(raw.clone())).await;
        assert!(error.is_transport(), "{shown}: {error:?}");
    }
}
