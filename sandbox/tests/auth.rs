//! Sign-in steps, token checks and their GLOSOM codes, permissions.

mod common;

use std::time::Duration;

use common::{authorize, first_code, gql, now, sign_in};
use portal_sandbox::{demo, glosom, totp, Sandbox};
use serde_json::{json, Value};

const ISSUES: &str = "{ tdh_allIssues { id } }";
const ME: &str = "{ auth_user { id username } }";

fn code(c: u32) -> u64 {
    u64::from(c)
}

#[tokio::test]
async fn wrong_password_and_unknown_user_are_invalid_credentials() {
    let sandbox = Sandbox::start().await.unwrap();
    for input in [
        json!({"username": "alice", "password": "coffee"}),
        json!({"username": "mallory", "password": demo::PASSWORD}),
        json!({"username": demo::MACHINE_USER, "password": ""}),
    ] {
        let answer = authorize(&sandbox, input.clone()).await;
        assert_eq!(answer["data"], Value::Null, "{input}");
        assert_eq!(first_code(&answer), code(glosom::INVALID_CREDENTIALS), "{input}");
        assert_eq!(answer["errors"].as_array().unwrap().len(), 1);
    }
}

#[tokio::test]
async fn input_must_be_one_of_the_three_steps() {
    let sandbox = Sandbox::start().await.unwrap();
    for input in [
        json!({"username": "alice"}),
        json!({"username": "alice", "password": "tea.pots", "otpCode": "123456"}),
        json!({"username": "bob", "temporaryToken": "a.b.c"}),
        json!({"username": "alice", "password": "tea.pots", "refreshToken": "a.b.c"}),
    ] {
        let answer = authorize(&sandbox, input.clone()).await;
        assert_eq!(first_code(&answer), code(glosom::INVALID_AUTHORIZATION_INPUT), "{input}");
    }
}

async fn bob_temporary(sandbox: &Sandbox) -> String {
    let answer = authorize(sandbox, json!({"username": "bob", "password": demo::PASSWORD})).await;
    answer["data"]["portalauth"]["token"].as_str().unwrap().to_owned()
}

#[tokio::test]
async fn second_factor_errors() {
    let sandbox = Sandbox::start().await.unwrap();
    let temporary = bob_temporary(&sandbox).await;
    let t = now();
    let stale = totp::code(demo::BOB_TOTP_SECRET, t - 120);
    let cases = [
        (json!({"username": "bob", "temporaryToken": temporary, "otpCode": stale}), glosom::INVALID_OTP),
        (json!({"username": "bob", "temporaryToken": temporary, "otpCode": "12345"}), glosom::INVALID_OTP),
        (json!({"username": "bob", "temporaryToken": temporary, "otpCode": "abcdef"}), glosom::INVALID_OTP),
        (json!({"username": "alice", "temporaryToken": temporary, "otpCode": "000000"}), glosom::TOKEN_INVALID),
        (json!({"username": "bob", "temporaryToken": "x.y.z", "otpCode": "000000"}), glosom::TOKEN_INVALID),
        (json!({"username": "bob", "temporaryToken": demo::MACHINE_TOKEN, "otpCode": "000000"}), glosom::TOKEN_INVALID),
    ];
    for (input, expected) in cases {
        let answer = authorize(&sandbox, input.clone()).await;
        assert_eq!(first_code(&answer), code(expected), "{input}: {answer}");
    }
    // A full token is not a temporary one.
    let alice = sign_in(&sandbox, demo::ALICE).await;
    let answer = authorize(&sandbox, json!({"username": "alice", "temporaryToken": alice, "otpCode": "000000"})).await;
    assert_eq!(first_code(&answer), code(glosom::TOKEN_INVALID));
    // Wrong attempts did not use up the temporary token; a right code works once.
    let right =
        json!({"username": "bob", "temporaryToken": temporary, "otpCode": totp::code(demo::BOB_TOTP_SECRET, now())});
    let answer = authorize(&sandbox, right.clone()).await;
    assert_eq!(answer["data"]["portalauth"]["isTemporaryToken"], false, "{answer}");
    let again = authorize(&sandbox, right).await;
    assert_eq!(first_code(&again), code(glosom::TOKEN_INVALID));
}

#[tokio::test]
async fn second_factor_accepts_one_step_of_clock_drift() {
    let sandbox = Sandbox::start().await.unwrap();
    for offset in [-30i64, 30] {
        let temporary = bob_temporary(&sandbox).await;
        let at = (now() as i64 + offset) as u64;
        let input =
            json!({"username": "bob", "temporaryToken": temporary, "otpCode": totp::code(demo::BOB_TOTP_SECRET, at)});
        let answer = authorize(&sandbox, input).await;
        assert_eq!(answer["data"]["portalauth"]["isTemporaryToken"], false, "offset {offset}: {answer}");
    }
}

#[tokio::test]
async fn a_refresh_needs_a_live_full_token_of_the_same_user() {
    let sandbox = Sandbox::start().await.unwrap();
    let alice = sign_in(&sandbox, demo::ALICE).await;
    let temporary = bob_temporary(&sandbox).await;
    for (input, expected) in [
        (json!({"username": "bob", "refreshToken": alice}), glosom::TOKEN_INVALID),
        (json!({"username": "bob", "refreshToken": temporary}), glosom::TOKEN_INVALID),
        (json!({"username": "alice", "refreshToken": "garbage"}), glosom::TOKEN_INVALID),
    ] {
        let answer = authorize(&sandbox, input.clone()).await;
        assert_eq!(first_code(&answer), code(expected), "{input}");
    }
    let expired = sandbox.issue_token(demo::ALICE, Duration::ZERO).unwrap();
    let answer = authorize(&sandbox, json!({"username": "alice", "refreshToken": expired})).await;
    assert_eq!(first_code(&answer), code(glosom::TOKEN_EXPIRED));
    assert_eq!(sandbox.stats().refreshes(), 0);
}

#[tokio::test]
async fn data_requests_need_a_usable_token() {
    let sandbox = Sandbox::start().await.unwrap();
    let answer = gql(&sandbox, None, ISSUES, Value::Null).await;
    assert_eq!(answer["data"], Value::Null);
    assert_eq!(first_code(&answer), code(glosom::AUTHENTICATION_REQUIRED));

    for bad in ["nonsense", "a.b.c", "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.e30.AAAA"] {
        let answer = gql(&sandbox, Some(bad), ISSUES, Value::Null).await;
        assert_eq!(first_code(&answer), code(glosom::TOKEN_INVALID), "{bad}");
    }

    // Not "Bearer <token>".
    let reply = common::Connection::open(sandbox.addr())
        .await
        .send(
            "POST",
            "/graphql",
            &[("Content-Type", "application/json"), ("Authorization", "Basic YWxpY2U6dGVhLnBvdHM=")],
            br#"{"query":"{ auth_user { id } }"}"#,
        )
        .await;
    assert_eq!(first_code(&reply.json()), code(glosom::TOKEN_INVALID));

    // A token from another sandbox (another key) is not accepted.
    let other = Sandbox::start().await.unwrap();
    let foreign = sign_in(&other, demo::ALICE).await;
    let answer = gql(&sandbox, Some(&foreign), ISSUES, Value::Null).await;
    assert_eq!(first_code(&answer), code(glosom::TOKEN_INVALID));
}

#[tokio::test]
async fn expired_tokens_say_so() {
    let sandbox = Sandbox::start().await.unwrap();
    let expired = sandbox.issue_token(demo::ALICE, Duration::ZERO).unwrap();
    let answer = gql(&sandbox, Some(&expired), ME, Value::Null).await;
    assert_eq!(answer["data"]["auth_user"], Value::Null);
    assert_eq!(first_code(&answer), code(glosom::TOKEN_EXPIRED));
    assert!(answer["errors"][0]["message"].as_str().unwrap().contains("token expired"), "{answer}");

    // A sandbox whose tokens live zero seconds hands out expired tokens.
    let instant = Sandbox::builder().token_ttl(Duration::ZERO).start().await.unwrap();
    let token = sign_in(&instant, demo::ALICE).await;
    let answer = gql(&instant, Some(&token), ME, Value::Null).await;
    assert_eq!(first_code(&answer), code(glosom::TOKEN_EXPIRED));
}

#[tokio::test]
async fn token_lifetime_follows_the_builder() {
    let sandbox = Sandbox::builder().token_ttl(Duration::from_secs(90)).start().await.unwrap();
    let token = sign_in(&sandbox, demo::ALICE).await;
    let payload = token.split('.').nth(1).unwrap();
    use base64::Engine as _;
    let claims: Value =
        serde_json::from_slice(&base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(payload).unwrap()).unwrap();
    assert_eq!(claims["exp"].as_i64().unwrap() - claims["iat"].as_i64().unwrap(), 90);
    assert_eq!(claims["authz"]["groups"], json!(["portal-users", "tdh-coordinators"]));
    assert_eq!(claims["jti"].as_str().unwrap().len(), 32);
    let issued = sandbox.issue_token(demo::CAROL, Duration::from_secs(5)).unwrap();
    let answer = gql(&sandbox, Some(&issued), ME, Value::Null).await;
    assert_eq!(answer["data"]["auth_user"]["username"], "carol");
    assert!(sandbox.issue_token("nobody", Duration::from_secs(5)).is_err());
}

#[tokio::test]
async fn revoking_all_tokens_spares_the_machine_token_until_it_is_revoked_too() {
    let sandbox = Sandbox::start().await.unwrap();
    let alice = sign_in(&sandbox, demo::ALICE).await;
    let bob = sign_in(&sandbox, demo::BOB).await;
    sandbox.revoke_all_tokens();
    for token in [&alice, &bob] {
        let answer = gql(&sandbox, Some(token), ME, Value::Null).await;
        assert_eq!(first_code(&answer), code(glosom::TOKEN_INVALID));
    }
    let machine = gql(&sandbox, Some(demo::MACHINE_TOKEN), ISSUES, Value::Null).await;
    assert_eq!(machine["data"]["tdh_allIssues"].as_array().unwrap().len(), 64, "{machine}");
    // New sign-ins work again.
    let fresh = sign_in(&sandbox, demo::ALICE).await;
    assert_eq!(gql(&sandbox, Some(&fresh), ME, Value::Null).await["data"]["auth_user"]["username"], "alice");

    sandbox.revoke_machine_token();
    let machine = gql(&sandbox, Some(demo::MACHINE_TOKEN), ISSUES, Value::Null).await;
    assert_eq!(first_code(&machine), code(glosom::TOKEN_INVALID));
}

#[tokio::test]
async fn the_machine_token_acts_as_the_machine_account() {
    let sandbox = Sandbox::start().await.unwrap();
    let answer = gql(&sandbox, Some(demo::MACHINE_TOKEN), ME, Value::Null).await;
    assert_eq!(answer, json!({"data": {"auth_user": {"id": demo::MACHINE_USER_ID, "username": demo::MACHINE_USER}}}));
    let alerts = gql(&sandbox, Some(demo::MACHINE_TOKEN), "{ alerts { totalCount } }", Value::Null).await;
    assert_eq!(alerts["data"]["alerts"]["totalCount"], 300);
}

#[tokio::test]
async fn carol_is_refused_tdh_data_with_partial_answers_where_nullable() {
    let sandbox = Sandbox::start().await.unwrap();
    let carol = sign_in(&sandbox, demo::CAROL).await;

    let answer = gql(&sandbox, Some(&carol), ISSUES, Value::Null).await;
    assert_eq!(answer["data"], Value::Null);
    assert_eq!(first_code(&answer), code(glosom::PERMISSION_DENIED));

    let any_id = portal_sandbox::data::Issue::generated(3).id;
    let query =
        format!(r#"{{ me: auth_user {{ username }} issue: tdh_issue(filter: {{id: "{any_id}"}}) {{ title }} }}"#);
    let answer = gql(&sandbox, Some(&carol), &query, Value::Null).await;
    assert_eq!(answer["data"], json!({"me": {"username": "carol"}, "issue": null}));
    assert_eq!(first_code(&answer), code(glosom::PERMISSION_DENIED));
    assert_eq!(answer["errors"][0]["path"], json!(["issue"]));

    let answer = gql(&sandbox, Some(&carol), "{ alerts { totalCount } }", Value::Null).await;
    assert_eq!(first_code(&answer), code(glosom::PERMISSION_DENIED));
}

#[tokio::test]
async fn dave_sees_a_qr_code_until_he_completes_the_second_factor() {
    let sandbox = Sandbox::start().await.unwrap();
    let answer = authorize(&sandbox, json!({"username": "dave", "password": demo::PASSWORD})).await;
    let auth = &answer["data"]["portalauth"];
    assert_eq!(auth["isTemporaryToken"], true);
    assert_eq!(auth["otp"], json!({"required": true, "activated": null}));
    let svg = auth["otpSVGQRCode"].as_str().expect("an SVG while setting up");
    assert!(svg.contains("<svg") && svg.trim_end().ends_with("</svg>"), "{svg}");
    assert!(svg.matches("<path").count() + svg.matches("<rect").count() > 0);

    let temporary = auth["token"].as_str().unwrap();
    let input =
        json!({"username": "dave", "temporaryToken": temporary, "otpCode": totp::code(demo::DAVE_TOTP_SECRET, now())});
    let answer = authorize(&sandbox, input).await;
    let auth = &answer["data"]["portalauth"];
    assert_eq!(auth["isTemporaryToken"], false, "{answer}");
    let activated = auth["otp"]["activated"].as_str().expect("activated now");
    assert!(activated.ends_with('Z'));
    assert_eq!(auth["otpSVGQRCode"], Value::Null);

    let answer = authorize(&sandbox, json!({"username": "dave", "password": demo::PASSWORD})).await;
    assert_eq!(answer["data"]["portalauth"]["otp"]["activated"], activated);
    assert_eq!(answer["data"]["portalauth"]["otpSVGQRCode"], Value::Null);
}

#[tokio::test]
async fn schema_questions_and_sign_in_ignore_a_bad_token() {
    let sandbox = Sandbox::start().await.unwrap();
    let expired = sandbox.issue_token(demo::ALICE, Duration::ZERO).unwrap();
    for token in [Some("garbage"), Some(expired.as_str()), None] {
        let answer = gql(&sandbox, token, "{ __typename __schema { queryType { name } } }", Value::Null).await;
        assert_eq!(answer, json!({"data": {"__typename": "Query", "__schema": {"queryType": {"name": "Query"}}}}));
        let input = json!({"input": {"username": "alice", "password": demo::PASSWORD}});
        let answer = gql(&sandbox, token, common::AUTHORIZE, input).await;
        assert!(answer["data"]["portalauth"]["token"].is_string(), "{answer}");
    }
}
