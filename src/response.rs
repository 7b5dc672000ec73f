//! Turning an [`Answer`] into typed `data` or one [`Error`].

use serde::de::{DeserializeOwned, IgnoredAny};
use serde::Deserialize;
use serde_json::Value;

use crate::error::{Error, GraphQLError, GraphQLErrors};
use crate::transport::Answer;

/// How much of a non-GraphQL error body is kept in [`Error::Http`].
const KEPT_BODY_BYTES: usize = 4096;

#[derive(Deserialize)]
struct Envelope<T> {
    #[serde(default = "Option::default")]
    data: Option<T>,
    #[serde(default)]
    errors: Option<Vec<GraphQLError>>,
}

/// Decodes the `data` of a GraphQL answer into `T`.
///
/// The HTTP status is checked first: a non-2xx answer whose body is not a GraphQL
/// response is an [`Error::Http`]; a GraphQL body is decoded whatever the status.
/// GraphQL `errors` become [`Error::GraphQL`] with all errors and any partial
/// data; an answer with neither `data` nor `errors` is an
/// [`Error::InvalidResponse`]; `data` that does not fit `T` is an [`Error::Decode`]
/// naming the JSON path. The common case is one pass over the body.
pub(crate) fn decode<T: DeserializeOwned>(answer: &Answer) -> Result<T, Error> {
    let success = (200..300).contains(&answer.status);
    if !success && !is_graphql_response(&answer.body) {
        return Err(http_error(answer));
    }
    match first_byte(&answer.body) {
        None => return Err(Error::invalid_response(format!("empty body (HTTP {})", answer.status))),
        // serde would read a struct from a JSON array too; a GraphQL response is an object.
        Some(b'{') => {}
        Some(_) => return Err(slow_path::<T>(answer)),
    }
    match serde_json::from_slice::<Envelope<T>>(&answer.body) {
        Ok(Envelope { errors: Some(errors), .. }) if !errors.is_empty() => Err(graphql_errors(answer, errors)),
        Ok(Envelope { data: Some(data), .. }) => Ok(data),
        Ok(Envelope { data: None, .. }) => Err(neither(answer)),
        Err(_) => Err(slow_path::<T>(answer)),
    }
}

/// The fast path failed: find out why, reading the body again (errors only).
fn slow_path<T: DeserializeOwned>(answer: &Answer) -> Error {
    if let Err(e) = serde_json::from_slice::<IgnoredAny>(&answer.body) {
        return Error::invalid_response(format!(
            "not valid JSON ({e}){}",
            answer.content_type.as_deref().map(|ct| format!(", content type {ct}")).unwrap_or_default()
        ));
    }
    if nesting_depth(&answer.body) > MAX_DEPTH {
        return Error::invalid_response(format!("the JSON is nested more than {MAX_DEPTH} levels deep"));
    }
    let shape = match first_byte(&answer.body) {
        Some(b'{') => None,
        Some(b'[') => Some("an array"),
        Some(b'"') => Some("a string"),
        Some(b't' | b'f') => Some("a boolean"),
        Some(b'n') => Some("null"),
        _ => Some("a number"),
    };
    if let Some(shape) = shape {
        return Error::invalid_response(format!("not a GraphQL response: the JSON is {shape}, not an object"));
    }
    match serde_json::from_slice::<Envelope<Value>>(&answer.body) {
        Ok(Envelope { errors: Some(errors), data }) if !errors.is_empty() => {
            Error::GraphQL(Box::new(GraphQLErrors::new(errors, data)))
        }
        Ok(Envelope { data: None | Some(Value::Null), .. }) => neither(answer),
        Ok(_) => {
            let mut de = serde_json::Deserializer::from_slice(&answer.body);
            match serde_path_to_error::deserialize::<_, Envelope<T>>(&mut de) {
                Err(e) => Error::Decode { path: e.path().to_string(), message: e.into_inner().to_string() },
                Ok(_) => Error::invalid_response("the answer could not be decoded"),
            }
        }
        Err(e) => {
            // `errors` (or one of its entries) is unusable: say where.
            let mut de = serde_json::Deserializer::from_slice(&answer.body);
            match serde_path_to_error::deserialize::<_, Envelope<IgnoredAny>>(&mut de) {
                Err(inner) if !matches!(inner.path().to_string().as_str(), "" | ".") => {
                    Error::Decode { path: inner.path().to_string(), message: inner.into_inner().to_string() }
                }
                _ => Error::invalid_response(format!("not a GraphQL response ({e})")),
            }
        }
    }
}

/// How deep serde_json nests before it gives up (its recursion limit).
const MAX_DEPTH: usize = 127;

/// The deepest nesting of arrays and objects in valid JSON, strings skipped.
fn nesting_depth(json: &[u8]) -> usize {
    let (mut depth, mut deepest, mut in_string, mut escaped) = (0usize, 0usize, false, false);
    for &b in json {
        if in_string {
            match b {
                _ if escaped => escaped = false,
                b'\\' => escaped = true,
                b'"' => in_string = false,
                _ => {}
            }
            continue;
        }
        match b {
            b'"' => in_string = true,
            b'[' | b'{' => {
                depth += 1;
                deepest = deepest.max(depth);
            }
            b']' | b'}' => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    deepest
}

fn first_byte(body: &[u8]) -> Option<u8> {
    body.iter().copied().find(|b| !b.is_ascii_whitespace())
}

fn graphql_errors(answer: &Answer, errors: Vec<GraphQLError>) -> Error {
    // The typed decode has no JSON to keep: read `data` again as JSON so partial data
    // is never lost (errors only, so the cost is off the common path).
    let data = serde_json::from_slice::<Envelope<Value>>(&answer.body).ok().and_then(|e| e.data);
    Error::GraphQL(Box::new(GraphQLErrors::new(errors, data)))
}

fn neither(answer: &Answer) -> Error {
    Error::invalid_response(format!("the answer has neither `data` nor `errors` (HTTP {})", answer.status))
}

/// True when the body is a JSON object with `data` or `errors`.
fn is_graphql_response(body: &[u8]) -> bool {
    #[derive(Deserialize)]
    struct Probe {
        data: Option<IgnoredAny>,
        errors: Option<IgnoredAny>,
    }
    first_byte(body) == Some(b'{')
        && matches!(serde_json::from_slice::<Probe>(body), Ok(Probe { data, errors }) if data.is_some() || errors.is_some())
}

fn http_error(answer: &Answer) -> Error {
    let mut cut = answer.body.len().min(KEPT_BODY_BYTES);
    let body = loop {
        match std::str::from_utf8(&answer.body[..cut]) {
            Ok(text) => break text.to_owned(),
            Err(e) if e.error_len().is_none() => cut = e.valid_up_to(),
            Err(_) => break String::from_utf8_lossy(&answer.body[..cut]).into_owned(),
        }
    };
    Error::Http { status: answer.status, content_type: answer.content_type.clone(), body }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn answer(status: u16, body: &str) -> Answer {
        Answer { status, content_type: None, retry_after: None, body: bytes::Bytes::copy_from_slice(body.as_bytes()) }
    }

    #[derive(Debug, Deserialize, PartialEq)]
    struct Data {
        items: Vec<Item>,
    }
    #[derive(Debug, Deserialize, PartialEq)]
    struct Item {
        id: u32,
    }

    #[test]
    fn data_is_decoded() {
        let data: Data = decode(&answer(200, r#"{"data":{"items":[{"id":1}]}}"#)).expect("valid");
        assert_eq!(data, Data { items: vec![Item { id: 1 }] });
    }

    #[test]
    fn wrong_shape_names_the_path() {
        let err = decode::<Data>(&answer(200, r#"{"data":{"items":[{"id":1},{"id":"x"}]}}"#)).expect_err("bad");
        match err {
            Error::Decode { path, .. } => assert_eq!(path, "data.items[1].id"),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn errors_keep_everything() {
        let body = json!({
            "data": {"items": null},
            "errors": [
                {"message": "denied", "path": ["items"], "locations": [{"line": 1, "column": 3}], "extensions": {"code": 0x24000102}},
                {"message": "second"}
            ]
        });
        let err = decode::<Data>(&answer(200, &body.to_string())).expect_err("errors");
        let errors = err.graphql_errors().expect("graphql");
        assert_eq!(errors.errors().len(), 2);
        assert_eq!(errors.data(), Some(&json!({"items": null})));
        assert_eq!(err.to_string(), "denied (24000102) (and 1 more error)");
        assert_eq!(errors.errors()[0].locations()[0].line, 1);
    }

    #[test]
    fn status_and_shape_matrix() {
        let graphql_error = r#"{"errors":[{"message":"nope"}]}"#;
        for (status, body, expect) in [
            (500, "<html>oops</html>", "HTTP 500"),
            (502, "", "HTTP 502"),
            (401, graphql_error, "nope"),
            (200, "", "empty body"),
            (200, "<html>", "not valid JSON"),
            (200, "{}", "neither"),
            (200, r#"{"data":null}"#, "neither"),
            (200, r#"{"errors":"boom"}"#, "`errors`"),
            (200, r#"{"data":{"items":[]},"errors":7}"#, "`errors`"),
            (200, "[1,2]", "not a GraphQL response"),
            (200, "{\"data\":{\"items\":[{\"id\":1}]", "not valid JSON"),
            (200, &format!("{}{}", "[".repeat(200), "]".repeat(200)), "nested more than 127"),
            (200, r#"[{"items":[]},null]"#, "the JSON is an array"),
            (500, r#"[{"items":[]},null]"#, "HTTP 500"),
            (200, "\"data\"", "the JSON is a string"),
            (200, "{\"data\":{\"items\":[]}} trailing", "not valid JSON"),
        ] {
            let err = decode::<Data>(&answer(status, body)).expect_err(body);
            assert!(err.to_string().contains(expect), "{status} {body:.40}: {err}");
        }
    }

    #[test]
    fn deep_nesting_is_an_error_not_a_crash() {
        let deep = format!("{{\"data\":{}1{}}}", "{\"a\":".repeat(200), "}".repeat(200));
        let err = decode::<Value>(&answer(200, &deep)).expect_err("too deep");
        assert!(err.is_decode(), "{err}");
    }

    #[test]
    fn http_body_is_cut_at_a_char_boundary() {
        let body = "é".repeat(5000);
        let err = decode::<Value>(&answer(503, &body)).expect_err("http");
        match err {
            Error::Http { body, status: 503, .. } => assert!(body.len() <= KEPT_BODY_BYTES && body.starts_with('é')),
            other => panic!("{other:?}"),
        }
    }
}
