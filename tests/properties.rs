//! Properties of the parsers that read untrusted input: they round-trip what they
//! accept and never panic on anything. The same parsers are fuzzed in `fuzz/`.

use std::time::{Duration, SystemTime};

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use dcso_portal::fuzzing::{decode_response, operation_kind, parse_endpoint, parse_retry_after};
use dcso_portal::{DateTime, Error, Glosom, GlosomGroup, GlosomType, OperationKind, Token};
use proptest::prelude::*;
use serde_json::{json, Value};

/// Any JSON value, nested a few levels.
fn any_json() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        any::<u64>().prop_map(Value::from),
        // Short decimals: serde_json (without its float_roundtrip feature) may read
        // long ones back one ULP off, which is serde_json's business, not the SDK's.
        (any::<i32>(), 0i32..4).prop_map(|(m, e)| Value::from(f64::from(m) / 10f64.powi(e))),
        ".*".prop_map(Value::String),
    ];
    leaf.prop_recursive(4, 64, 8, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..8).prop_map(Value::Array),
            prop::collection::btree_map(".*", inner, 0..8).prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

/// A valid timestamp as its parts: year, month, day, hour, minute, second, microsecond.
fn any_timestamp() -> impl Strategy<Value = (i32, u32, u32, u32, u32, u32, u32)> {
    (1i32..=9999, 1u32..=12, 1u32..=28, 0u32..24, 0u32..60, 0u32..60, 0u32..1_000_000)
}

fn jwt(header: &Value, claims: &Value) -> String {
    format!("{}.{}.c2ln", URL_SAFE_NO_PAD.encode(header.to_string()), URL_SAFE_NO_PAD.encode(claims.to_string()))
}

proptest! {
    // --- DateTime -----------------------------------------------------------------

    #[test]
    fn datetime_display_and_parse_round_trip((y, mo, d, h, mi, s, us) in any_timestamp()) {
        let text = format!("{y:04}-{mo:02}-{d:02}T{h:02}:{mi:02}:{s:02}.{us:06}Z");
        let t = DateTime::parse(&text).expect("a valid timestamp");
        prop_assert_eq!(DateTime::parse(&t.to_string()), Ok(t));
        prop_assert_eq!(t.to_chrono().timestamp_subsec_micros(), us);
        // Every UTC designator names the same instant.
        for designator in [" UTC", "+00", "+00:00"] {
            let other = format!("{}{designator}", &text[..text.len() - 1]);
            prop_assert_eq!(DateTime::parse(&other), Ok(t));
        }
    }

    #[test]
    fn datetime_rounds_nanoseconds_to_the_nearest_microsecond(
        (y, mo, d, h, mi, s, us) in any_timestamp(),
        extra in 0u32..1000,
    ) {
        let base = format!("{y:04}-{mo:02}-{d:02}T{h:02}:{mi:02}:{s:02}");
        let exact = DateTime::parse(&format!("{base}.{us:06}Z")).expect("valid");
        let rounded = DateTime::parse(&format!("{base}.{us:06}{extra:03}Z")).expect("valid");
        let expected = if extra >= 500 { exact.to_chrono() + chrono::TimeDelta::microseconds(1) } else { exact.to_chrono() };
        prop_assert_eq!(rounded.to_chrono(), expected);
    }

    #[test]
    fn datetime_refuses_other_offsets((y, mo, d, h, mi, s, _) in any_timestamp(), offset in 1u32..24) {
        let text = format!("{y:04}-{mo:02}-{d:02}T{h:02}:{mi:02}:{s:02}+{offset:02}:00");
        prop_assert!(DateTime::parse(&text).is_err());
    }

    #[test]
    fn datetime_parse_never_panics(text in ".*", bytes in prop::collection::vec(any::<u8>(), 0..40)) {
        let _ = DateTime::parse(&text);
        let _ = DateTime::parse(&String::from_utf8_lossy(&bytes));
    }

    #[test]
    fn datetime_parse_never_panics_near_valid_input(
        (y, mo, d, h, mi, s, us) in any_timestamp(),
        at in 0usize..30,
        with in any::<char>(),
    ) {
        let mut chars: Vec<char> = format!("{y:04}-{mo:02}-{d:02}T{h:02}:{mi:02}:{s:02}.{us:06}Z").chars().collect();
        let at = at.min(chars.len() - 1);
        chars[at] = with;
        let text: String = chars.into_iter().collect();
        if let Ok(t) = DateTime::parse(&text) {
            prop_assert_eq!(DateTime::parse(&t.to_string()), Ok(t));
        }
    }

    // --- GLOSOM ---------------------------------------------------------------------

    #[test]
    fn glosom_parts_round_trip(type_and_group in any::<u8>(), message_id in any::<u16>(), service in any::<u8>()) {
        let code = Glosom::new(type_and_group, message_id, service);
        prop_assert_eq!(code.raw() >> 24, u32::from(type_and_group));
        prop_assert_eq!(code.message_id(), message_id);
        prop_assert_eq!(code.service(), service);
        prop_assert_eq!(Glosom::from_raw(code.raw()), code);
        let kind = match type_and_group & 0xF0 {
            0x00 => GlosomType::Info,
            0x10 => GlosomType::Warning,
            0x20 => GlosomType::Error,
            0x90 => GlosomType::Debug,
            other => GlosomType::Other(other),
        };
        prop_assert_eq!(code.kind(), kind);
        let group = match type_and_group & 0x0F {
            1 => GlosomGroup::System,
            2 => GlosomGroup::Network,
            3 => GlosomGroup::Io,
            4 => GlosomGroup::Security,
            5 => GlosomGroup::Activity,
            other => GlosomGroup::Other(other),
        };
        prop_assert_eq!(code.group(), group);
    }

    #[test]
    fn glosom_every_spelling_reads_back(raw in any::<u32>()) {
        let code = Glosom::from_raw(raw);
        prop_assert_eq!(Glosom::parse_str(&format!("0x{code}")), code);
        prop_assert_eq!(Glosom::parse_str(&format!("{raw:#x}")), code);
        prop_assert_eq!(Glosom::parse_str(&format!(" {raw} ")), code);
        prop_assert_eq!(Glosom::from_json(&json!(raw)), code);
        prop_assert_eq!(Glosom::from_json(&json!(raw.to_string())), code);
        // Bare hex is read as hex unless it is all digits (then it is decimal, as in the reference).
        let bare = code.to_string();
        if bare.bytes().any(|b| b.is_ascii_alphabetic()) {
            prop_assert_eq!(Glosom::parse_str(&bare), code);
        }
    }

    #[test]
    fn glosom_parsing_never_panics(text in ".*", value in any_json()) {
        let _ = Glosom::parse_str(&text);
        let _ = Glosom::from_json(&value).to_string();
    }

    // --- Tokens ---------------------------------------------------------------------

    #[test]
    fn token_claims_round_trip(
        lifetime in 60i64..10 * 365 * 86_400,
        subject in ".*",
        groups in prop::option::of(prop::collection::vec(".*", 0..5)),
        issued in prop::option::of(0i64..4_000_000_000),
    ) {
        let exp = DateTime::now().unix_seconds() + lifetime;
        let mut claims = json!({"exp": exp, "sub": subject});
        if let Some(groups) = &groups {
            claims["authz"] = json!({ "groups": groups });
        }
        if let Some(iat) = issued {
            claims["iat"] = json!(iat);
        }
        let raw = jwt(&json!({"alg": "HS256", "typ": "JWT"}), &claims);
        let token = Token::parse(raw.clone()).expect("a valid user token");
        prop_assert!(token.is_user() && !token.is_expired());
        prop_assert_eq!(token.expires_at().map(DateTime::unix_seconds), Some(exp));
        prop_assert_eq!(token.issued_at().map(DateTime::unix_seconds), issued);
        prop_assert_eq!(token.subject(), Some(subject.as_str()));
        prop_assert_eq!(token.groups(), groups.as_deref().unwrap_or_default());
        prop_assert_eq!(token.is_temporary(), groups.as_ref().is_some_and(Vec::is_empty));
        prop_assert_eq!(token.expose_secret(), raw.as_str());
    }

    #[test]
    fn an_expired_token_is_refused_but_readable(age in 1i64..1_000_000_000) {
        let exp = DateTime::now().unix_seconds() - age;
        let raw = jwt(&json!({"typ": "JWT"}), &json!({"exp": exp}));
        prop_assert!(Token::parse(raw.clone()).is_err());
        let token = Token::parse_allow_expired(raw).expect("readable");
        prop_assert!(token.is_expired());
        prop_assert_eq!(token.expires_in(), Duration::ZERO);
    }

    #[test]
    fn token_parsing_never_panics(text in ".*", header in any_json(), claims in any_json(), parts in prop::collection::vec("[A-Za-z0-9_=-]*", 0..5)) {
        let _ = Token::parse_allow_expired(text);
        let _ = Token::parse_allow_expired(jwt(&header, &claims));
        let _ = Token::parse_allow_expired(parts.join("."));
    }

    #[test]
    fn a_token_never_shows_itself(secret in "[A-Za-z0-9]{8,40}") {
        let secret = format!("s3cr3t{secret}");
        let token = Token::parse(secret.clone()).expect("a machine token");
        let shown = format!("{token:?} {token}");
        prop_assert!(!shown.contains(&secret), "{}", shown);
        let user = jwt(&json!({"typ": "JWT"}), &json!({"exp": DateTime::now().unix_seconds() + 3600, "sub": secret}));
        let token = Token::parse(user.clone()).expect("a user token");
        let shown = format!("{token:?} {token}");
        prop_assert!(!shown.contains(&user), "{}", shown);
    }

    // --- Endpoints ------------------------------------------------------------------

    #[test]
    fn endpoint_validation_never_panics_and_keeps_its_rules(text in ".*") {
        if let Ok(url) = parse_endpoint(&text) {
            let trimmed = text.trim();
            prop_assert!(url.scheme() == "http" || url.scheme() == "https");
            prop_assert!(url.host_str().is_some_and(|h| !h.is_empty()));
            prop_assert!(trimmed.chars().count() <= dcso_portal::MAX_ENDPOINT_LEN);
            prop_assert!(!trimmed.contains('?') && !trimmed.contains('#'));
        }
    }

    #[test]
    fn well_formed_endpoints_are_accepted(
        scheme in prop::sample::select(vec!["http", "https"]),
        host in "[a-z][a-z0-9-]{0,20}(\\.[a-z][a-z0-9]{0,10}){0,3}",
        port in prop::option::of(1u16..),
        path in "(/[A-Za-z0-9_.-]{1,12}){0,4}",
        padding in "[ \t\n]{0,3}",
    ) {
        let port = port.map(|p| format!(":{p}")).unwrap_or_default();
        let raw = format!("{padding}{scheme}://{host}{port}{path}{padding}");
        let url = parse_endpoint(&raw).map_err(|e| TestCaseError::fail(format!("{raw:?}: {e}")))?;
        prop_assert_eq!(url.host_str(), Some(host.as_str()));
        prop_assert_eq!(url.scheme(), scheme);
    }

    // --- Answers --------------------------------------------------------------------

    #[test]
    fn decoding_never_panics(
        status in prop::sample::select(vec![200u16, 201, 204, 400, 401, 404, 429, 500, 502, 503]),
        body in prop::collection::vec(any::<u8>(), 0..256),
        content_type in prop::option::of("[a-z/+;= -]{0,30}"),
    ) {
        let _ = decode_response(status, content_type.as_deref(), &body);
    }

    #[test]
    fn decoding_any_json_never_panics(status in 100u16..600, value in any_json()) {
        let _ = decode_response(status, None, value.to_string().as_bytes());
        let _ = decode_response(status, None, json!({"data": value.clone(), "errors": value}).to_string().as_bytes());
    }

    #[test]
    fn data_comes_back_as_sent(data in any_json()) {
        let result = decode_response(200, Some("application/json"), json!({"data": data}).to_string().as_bytes());
        if data.is_null() {
            let neither = matches!(result, Err(Error::InvalidResponse { .. }));
            prop_assert!(neither, "{:?}", result);
        } else {
            prop_assert_eq!(result.expect("data"), data);
        }
    }

    #[test]
    fn every_graphql_error_is_kept_in_order(messages in prop::collection::vec(".*", 1..6), status in 200u16..600, data in any_json()) {
        let errors: Vec<Value> = messages.iter().map(|m| json!({"message": m})).collect();
        let body = json!({"data": data, "errors": errors}).to_string();
        let error = decode_response(status, None, body.as_bytes()).expect_err("errors");
        let kept = error.graphql_errors().expect("GraphQL errors");
        prop_assert_eq!(kept.iter().map(|e| e.message().to_owned()).collect::<Vec<_>>(), messages);
        prop_assert_eq!(kept.data(), (!data.is_null()).then_some(&data));
    }

    #[test]
    fn an_error_status_without_graphql_is_an_http_error(status in 300u16..600, text in "[^{ \t\r\n].{0,100}") {
        match decode_response(status, Some("text/plain"), text.as_bytes()) {
            Err(Error::Http { status: s, .. }) => prop_assert_eq!(s, status),
            other => prop_assert!(false, "{:?}", other),
        }
    }

    // --- Documents and headers ----------------------------------------------------

    #[test]
    fn operation_kind_never_panics(text in ".*", bytes in prop::collection::vec(any::<u8>(), 0..200)) {
        let _ = operation_kind(&text);
        let _ = operation_kind(&String::from_utf8_lossy(&bytes));
    }

    #[test]
    fn operation_kind_reads_the_keyword(
        selection in "[a-z_]{1,10}( [a-z_]{1,10}){0,4}",
        noise in prop::sample::select(vec!["", "# mutation\n", "\"mutation\" ", "\"\"\"\nmutation {\n\"\"\" "]),
    ) {
        let query = format!("{noise}query Q {{ {selection} }}");
        let shorthand = format!("{noise}{{ {selection} }}");
        let mutation = format!("{noise}mutation M {{ {selection} }}");
        prop_assert_eq!(operation_kind(&query), OperationKind::Query);
        prop_assert_eq!(operation_kind(&shorthand), OperationKind::Query);
        prop_assert_eq!(operation_kind(&mutation), OperationKind::Mutation);
        prop_assert_eq!(operation_kind(&format!("{query} {mutation}")), OperationKind::Mutation);
    }

    #[test]
    fn retry_after_reads_both_forms(secs in 0u64..10_000_000, text in ".*") {
        let now = SystemTime::UNIX_EPOCH + Duration::from_secs(1_700_000_000);
        prop_assert_eq!(parse_retry_after(&secs.to_string(), now), Some(Duration::from_secs(secs)));
        let date = httpdate::fmt_http_date(now + Duration::from_secs(secs));
        prop_assert_eq!(parse_retry_after(&date, now), Some(Duration::from_secs(secs)));
        let _ = parse_retry_after(&text, now);
    }
}

/// Every `fuzz/corpus/<target>/seed-*` through the function its fuzz target calls,
/// so the seeds (and each crash kept as a seed) stay regression tests on stable Rust.
#[test]
fn seed_corpora_replay() {
    let corpora = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz/corpus");
    let mut replayed = 0;
    for target in ["decode_response", "token", "glosom", "datetime", "endpoint", "document"] {
        let dir = corpora.join(target);
        let seeds = std::fs::read_dir(&dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display()));
        for seed in seeds {
            let path = seed.expect("directory entry").path();
            if !path.file_name().is_some_and(|n| n.to_string_lossy().starts_with("seed-")) {
                continue;
            }
            let data = std::fs::read(&path).expect("seed");
            let text = String::from_utf8_lossy(&data);
            match target {
                "decode_response" => {
                    let (status, body) = match data.as_slice() {
                        [a, b, rest @ ..] => (100 + u16::from_be_bytes([*a, *b]) % 500, rest),
                        _ => (200, data.as_slice()),
                    };
                    let _ = decode_response(status, Some("application/json"), body);
                    let _ = dcso_portal::fuzzing::decode_response_as::<dcso_portal::operations::all_issues::ResponseData>(
                        status, None, body,
                    );
                }
                "token" => {
                    let _ = Token::parse_allow_expired(text.as_ref());
                }
                "glosom" => {
                    let _ = Glosom::parse_str(&text);
                    if let Ok(value) = serde_json::from_slice::<Value>(&data) {
                        let _ = Glosom::from_json(&value);
                    }
                }
                "datetime" => {
                    if let Ok(t) = DateTime::parse(&text) {
                        assert_eq!(DateTime::parse(&t.to_string()), Ok(t), "{}", path.display());
                    }
                }
                "endpoint" => {
                    let _ = parse_endpoint(&text);
                }
                _ => {
                    let _ = operation_kind(&text);
                }
            }
            replayed += 1;
        }
    }
    assert!(replayed >= 30, "only {replayed} seeds found under {}", corpora.display());
}
