//! The documents the reference (Python) SDK sends, verbatim, with the variable
//! shapes it uses, and what it expects back.

mod common;

use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;
use common::{first_code, gql, now, sign_in};
use portal_sandbox::{demo, glosom, totp, Sandbox};
use serde_json::{json, Value};

const IS_ALIVE: &str = "{__schema { queryType { name }}}";
const ALL_ISSUES: &str = "{ tdh_allIssues { id reference } }";
const ONE_ISSUE_TEMPLATE: &str = r#"{ issue: tdh_issue(filter: {id: "<uuid>"}) { title affectedAssets { ip } } }"#;
const USER: &str = "{ auth_user { id organization { shortCode } } }";
const AUTHORIZATION: &str = "mutation ($input: auth_AuthorizationInput!) { portalauth: auth_createAuthorization(input: $input) { user { id username accessTo { service { id code } group { code } } } token isTemporaryToken otp { required activated } otpSVGQRCode } }";
const PERMISSIONS: &str = "query ($services: [String!]) { auth_user { accessControl { servicePermissions(filter: {serviceCode: $services}) { service { code } permissions { id slug } } } } }";
const PERMISSIONS_WITH_ID: &str = "query ($id: ID, $services: [String!]) { auth_user(id: $id) { accessControl { servicePermissions(filter: {serviceCode: $services}) { service { code } permissions { id slug } } } } }";
const ALERTS_PAGE: &str = "query ($cursor: Cursor) { alerts(first: 2, after: $cursor) { edges { node { id occurredOn } } pageInfo { hasNextPage endCursor } } }";

/// Decodes a JWT part the way the reference does: standard alphabet, padded by hand.
fn reference_decode(part: &str) -> Value {
    assert!(!part.contains(['-', '_']), "part has URL-safe characters: {part}");
    let padded = format!("{part}{}", "=".repeat((4 - part.len() % 4) % 4));
    let bytes = STANDARD.decode(padded).expect("standard base64");
    serde_json::from_slice(&bytes).expect("JSON")
}

fn check_reference_readable(token: &str) -> Value {
    let parts: Vec<&str> = token.split('.').collect();
    assert_eq!(parts.len(), 3, "{token}");
    assert_eq!(reference_decode(parts[0]), json!({"alg": "HS256", "typ": "JWT"}));
    let claims = reference_decode(parts[1]);
    for claim in ["exp", "iat", "sub", "jti"] {
        assert!(claims.get(claim).is_some(), "missing {claim}: {claims}");
    }
    assert!(claims["exp"].as_i64().unwrap() > now() as i64);
    claims
}

#[tokio::test]
async fn is_alive_needs_no_token_and_answers_query() {
    let sandbox = Sandbox::start().await.unwrap();
    let answer = gql(&sandbox, None, IS_ALIVE, Value::Null).await;
    assert_eq!(answer, json!({"data": {"__schema": {"queryType": {"name": "Query"}}}}));
}

#[tokio::test]
async fn all_issues_lists_every_issue_newest_first() {
    let sandbox = Sandbox::start().await.unwrap();
    let token = sign_in(&sandbox, demo::ALICE).await;
    let answer = gql(&sandbox, Some(&token), ALL_ISSUES, Value::Null).await;
    assert!(answer.get("errors").is_none(), "{answer}");
    let issues = answer["data"]["tdh_allIssues"].as_array().unwrap();
    assert_eq!(issues.len(), 64);
    let references: Vec<&str> = issues.iter().map(|i| i["reference"].as_str().unwrap()).collect();
    assert_eq!(references[0], "TDH-2025-00064");
    assert_eq!(references[63], "TDH-2025-00001");
    assert!(references.contains(&"TDH-2025-00042"));
    for issue in issues {
        assert_eq!(issue.as_object().unwrap().len(), 2, "only the selected fields: {issue}");
    }
}

#[tokio::test]
async fn one_issue_by_id_with_asset_ips_and_null_for_an_unknown_id() {
    let sandbox = Sandbox::start().await.unwrap();
    let token = sign_in(&sandbox, demo::ALICE).await;
    let all = gql(&sandbox, Some(&token), ALL_ISSUES, Value::Null).await;
    let id = all["data"]["tdh_allIssues"][5]["id"].as_str().unwrap().to_owned();

    let answer = gql(&sandbox, Some(&token), &ONE_ISSUE_TEMPLATE.replace("<uuid>", &id), Value::Null).await;
    assert!(answer.get("errors").is_none(), "{answer}");
    let issue = &answer["data"]["issue"];
    assert!(!issue["title"].as_str().unwrap().is_empty());
    let assets = issue["affectedAssets"].as_array().unwrap();
    assert!((1..=5).contains(&assets.len()));
    assert!(assets.iter().all(|a| a["ip"].as_str().is_some_and(|ip| ip.starts_with("10."))));

    let unknown = ONE_ISSUE_TEMPLATE.replace("<uuid>", "00000000-0000-4000-8000-000000000000");
    let answer = gql(&sandbox, Some(&token), &unknown, Value::Null).await;
    assert_eq!(answer, json!({"data": {"issue": null}}));
}

#[tokio::test]
async fn user_with_organization_short_code() {
    let sandbox = Sandbox::start().await.unwrap();
    let token = sign_in(&sandbox, demo::ALICE).await;
    let answer = gql(&sandbox, Some(&token), USER, Value::Null).await;
    assert_eq!(answer, json!({"data": {"auth_user": {"id": demo::ALICE_ID, "organization": {"shortCode": "DEMO"}}}}));
}

#[tokio::test]
async fn password_step_returns_a_full_token_the_reference_can_read() {
    let sandbox = Sandbox::start().await.unwrap();
    let input = json!({"username": "alice", "password": "tea.pots", "resource": "PortalPythonSDK"});
    let answer = gql(&sandbox, None, AUTHORIZATION, json!({ "input": input })).await;
    assert!(answer.get("errors").is_none(), "{answer}");
    let auth = &answer["data"]["portalauth"];
    assert_eq!(auth["user"]["id"], demo::ALICE_ID);
    assert_eq!(auth["user"]["username"], "alice");
    let access: Vec<(String, String)> = auth["user"]["accessTo"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| (a["service"]["code"].as_str().unwrap().into(), a["group"]["code"].as_str().unwrap().into()))
        .collect();
    assert!(access.contains(&("tdh".into(), "tdh-coordinators".into())), "{access:?}");
    assert!(auth["user"]["accessTo"][0]["service"]["id"].is_string());
    assert_eq!(auth["isTemporaryToken"], false);
    assert_eq!(auth["otp"], json!({"required": false, "activated": null}));
    assert_eq!(auth["otpSVGQRCode"], Value::Null);
    let token = auth["token"].as_str().unwrap();
    let claims = check_reference_readable(token);
    assert_eq!(claims["sub"], demo::ALICE_ID);
    assert!(!claims["authz"]["groups"].as_array().unwrap().is_empty());

    let me = gql(&sandbox, Some(token), USER, Value::Null).await;
    assert_eq!(me["data"]["auth_user"]["id"], demo::ALICE_ID);
}

#[tokio::test]
async fn second_factor_step_turns_a_temporary_token_into_a_full_one() {
    let sandbox = Sandbox::start().await.unwrap();
    let input = json!({"username": "bob", "password": "tea.pots", "resource": "PortalPythonSDK"});
    let answer = gql(&sandbox, None, AUTHORIZATION, json!({ "input": input })).await;
    let auth = &answer["data"]["portalauth"];
    assert_eq!(auth["isTemporaryToken"], true, "{answer}");
    assert_eq!(auth["otp"], json!({"required": true, "activated": demo::BOB_OTP_ACTIVATED}));
    assert_eq!(auth["otpSVGQRCode"], Value::Null);
    let temporary = auth["token"].as_str().unwrap().to_owned();
    let claims = check_reference_readable(&temporary);
    assert_eq!(claims["authz"]["groups"], json!([]), "a temporary token has no groups");

    let refused = gql(&sandbox, Some(&temporary), ALL_ISSUES, Value::Null).await;
    assert_eq!(first_code(&refused), u64::from(glosom::SECOND_FACTOR_PENDING));

    let input = json!({
        "username": "bob",
        "temporaryToken": temporary,
        "otpCode": totp::code(demo::BOB_TOTP_SECRET, now()),
        "resource": "PortalPythonSDK",
    });
    let answer = gql(&sandbox, None, AUTHORIZATION, json!({ "input": input })).await;
    assert!(answer.get("errors").is_none(), "{answer}");
    let auth = &answer["data"]["portalauth"];
    assert_eq!(auth["isTemporaryToken"], false);
    assert_eq!(auth["otp"], json!({"required": true, "activated": demo::BOB_OTP_ACTIVATED}));
    let full = auth["token"].as_str().unwrap();
    assert!(!check_reference_readable(full)["authz"]["groups"].as_array().unwrap().is_empty());
    let issues = gql(&sandbox, Some(full), ALL_ISSUES, Value::Null).await;
    assert_eq!(issues["data"]["tdh_allIssues"].as_array().unwrap().len(), 64);
}

#[tokio::test]
async fn refresh_step_replaces_the_token() {
    let sandbox = Sandbox::start().await.unwrap();
    let old = sign_in(&sandbox, demo::ALICE).await;
    let input = json!({"username": "alice", "refreshToken": old, "resource": "PortalPythonSDK"});
    let answer = gql(&sandbox, Some(&old), AUTHORIZATION, json!({ "input": input })).await;
    assert!(answer.get("errors").is_none(), "{answer}");
    let new = answer["data"]["portalauth"]["token"].as_str().unwrap().to_owned();
    assert_ne!(new, old);
    assert_eq!(answer["data"]["portalauth"]["isTemporaryToken"], false);
    check_reference_readable(&new);
    assert_eq!(sandbox.stats().refreshes(), 1);

    let stale = gql(&sandbox, Some(&old), USER, Value::Null).await;
    assert_eq!(stale["data"]["auth_user"], Value::Null);
    assert_eq!(first_code(&stale), u64::from(glosom::TOKEN_INVALID));
    let fresh = gql(&sandbox, Some(&new), USER, Value::Null).await;
    assert_eq!(fresh["data"]["auth_user"]["id"], demo::ALICE_ID);

    // The old token cannot be refreshed again either.
    let again = gql(&sandbox, None, AUTHORIZATION, json!({ "input": input })).await;
    assert_eq!(first_code(&again), u64::from(glosom::TOKEN_INVALID));
}

fn permission_map(answer: &Value) -> Vec<(String, Vec<String>)> {
    answer["data"]["auth_user"]["accessControl"]["servicePermissions"]
        .as_array()
        .unwrap_or_else(|| panic!("{answer}"))
        .iter()
        .map(|sp| {
            let slugs = sp["permissions"].as_array().unwrap().iter().map(|p| p["slug"].as_str().unwrap().to_owned());
            (sp["service"]["code"].as_str().unwrap().to_owned(), slugs.collect())
        })
        .collect()
}

#[tokio::test]
async fn permissions_with_and_without_id_and_services() {
    let sandbox = Sandbox::start().await.unwrap();
    let token = sign_in(&sandbox, demo::ALICE).await;
    let both = vec![
        ("portal".to_owned(), vec!["portal-access".to_owned()]),
        ("tdh".to_owned(), vec!["tdh-access".to_owned(), "tdh-access-admin".to_owned()]),
    ];

    let answer = gql(&sandbox, Some(&token), PERMISSIONS, json!({"services": null})).await;
    assert_eq!(permission_map(&answer), both);
    let answer = gql(&sandbox, Some(&token), PERMISSIONS, json!({})).await;
    assert_eq!(permission_map(&answer), both);
    let answer = gql(&sandbox, Some(&token), PERMISSIONS, json!({"services": ["tdh"]})).await;
    assert_eq!(permission_map(&answer), both[1..]);
    let ids: Vec<&str> = answer["data"]["auth_user"]["accessControl"]["servicePermissions"][0]["permissions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids.len(), 2);
    assert!(ids.iter().all(|id| !id.is_empty() && !id.contains("tdh")), "ids differ from slugs: {ids:?}");

    let answer = gql(&sandbox, Some(&token), PERMISSIONS_WITH_ID, json!({"id": null, "services": null})).await;
    assert_eq!(permission_map(&answer), both);
    let answer =
        gql(&sandbox, Some(&token), PERMISSIONS_WITH_ID, json!({"id": demo::CAROL_ID, "services": null})).await;
    assert_eq!(permission_map(&answer), vec![("portal".to_owned(), vec!["portal-access".to_owned()])]);
    let answer =
        gql(&sandbox, Some(&token), PERMISSIONS_WITH_ID, json!({"id": demo::BOB_ID, "services": ["tdh", "nope"]}))
            .await;
    assert_eq!(permission_map(&answer), vec![("tdh".to_owned(), vec!["tdh-access".to_owned()])]);
    let answer = gql(&sandbox, Some(&token), PERMISSIONS_WITH_ID, json!({"id": "no-such-user"})).await;
    assert_eq!(answer["data"]["auth_user"], Value::Null);
    assert_eq!(first_code(&answer), u64::from(glosom::USER_NOT_FOUND));
}

#[tokio::test]
async fn alerts_pages_from_the_empty_cursor_to_the_end() {
    let sandbox = Sandbox::start().await.unwrap();
    let token = sign_in(&sandbox, demo::ALICE).await;
    let mut cursor = Value::String(String::new());
    let mut seen = Vec::new();
    let mut pages = 0;
    loop {
        let answer = gql(&sandbox, Some(&token), ALERTS_PAGE, json!({ "cursor": cursor })).await;
        assert!(answer.get("errors").is_none(), "{answer}");
        let page = &answer["data"]["alerts"];
        pages += 1;
        for edge in page["edges"].as_array().unwrap() {
            seen.push((
                edge["node"]["occurredOn"].as_str().unwrap().to_owned(),
                edge["node"]["id"].as_str().unwrap().to_owned(),
            ));
        }
        if page["pageInfo"]["hasNextPage"] != json!(true) {
            break;
        }
        cursor = page["pageInfo"]["endCursor"].clone();
        assert!(cursor.is_string());
        assert!(pages < 1000, "pagination does not end");
    }
    assert_eq!(pages, 150);
    assert_eq!(seen.len(), 300);
    assert!(seen.windows(2).all(|w| w[0].0 < w[1].0), "oldest first, strictly");
    let ids: std::collections::HashSet<_> = seen.iter().map(|(_, id)| id).collect();
    assert_eq!(ids.len(), 300);
    assert!(seen.iter().all(|(t, _)| t.ends_with('Z')));
}
