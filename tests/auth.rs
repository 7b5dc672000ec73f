//! Signing in against the sandbox: password, password + TOTP, refresh, and the
//! GLOSOM codes of what goes wrong; against wiremock for the exact request sent.

use std::time::{SystemTime, UNIX_EPOCH};

use dcso_portal::operations::{all_issues, AllIssues};
use dcso_portal::{Client, Error, SignInOptions, Token};
use portal_sandbox::{demo, totp, Sandbox};
use serde_json::json;
use wiremock::matchers::{body_partial_json, method};
use wiremock::{Mock, MockServer, ResponseTemplate};

const INVALID_CREDENTIALS: u32 = 0x2400_0101;
const TOKEN_INVALID: u32 = 0x2400_0401;
const SECOND_FACTOR_PENDING: u32 = 0x2400_0501;
const INVALID_OTP: u32 = 0x2400_0601;

/// A client with no token (the environment is not read).
fn client(sandbox: &Sandbox) -> Client {
    Client::builder(sandbox.url()).token_from_env(false).build().expect("valid client")
}

fn now() -> u64 {
    SystemTime::now().duration_since(UNIX_EPOCH).expect("after 1970").as_secs()
}

fn glosom(error: &Error) -> u32 {
    error.glosom().unwrap_or_else(|| panic!("no GLOSOM code in {error:?}")).raw()
}

async fn issues(client: &Client) -> Result<all_issues::ResponseData, Error> {
    client.query::<AllIssues>(all_issues::Variables::default()).await
}

#[tokio::test]
async fn alice_signs_in_with_a_password_and_the_token_is_kept() {
    let sandbox = Sandbox::start().await.expect("sandbox starts");
    let client = client(&sandbox);
    let signed_in = client.auth().authenticate(demo::ALICE, demo::PASSWORD).await.expect("signs in");

    assert_eq!(signed_in.user_id(), demo::ALICE_ID);
    assert_eq!(signed_in.username(), demo::ALICE);
    assert!(!signed_in.is_temporary() && !signed_in.token().is_temporary());
    assert!(signed_in.token().is_user() && !signed_in.token().is_expired());
    assert!(!signed_in.otp_required());
    assert_eq!(signed_in.otp_activated(), None);
    assert_eq!(signed_in.otp_qr_svg(), None);
    let access: Vec<(&str, &str)> = signed_in.access_to().iter().map(|a| (a.service_code(), a.group_code())).collect();
    assert!(access.contains(&("tdh", "tdh-coordinators")), "{access:?}");
    assert!(signed_in.access_to().iter().all(|a| !a.service_id().is_empty()));

    assert_eq!(client.token().as_ref(), Some(signed_in.token()), "the token is kept");
    assert!(!issues(&client).await.expect("an authenticated data query works").tdh_all_issues.is_empty());
}

#[tokio::test]
async fn keep_token_false_hands_the_token_back_only() {
    let sandbox = Sandbox::start().await.expect("sandbox starts");
    let client = client(&sandbox);
    let options = SignInOptions::new().keep_token(false).resource("auth-tests");
    let signed_in = client.auth().authenticate_with(demo::ALICE, demo::PASSWORD, &options).await.expect("signs in");
    assert!(client.token().is_none());
    assert_eq!(glosom(&issues(&client).await.expect_err("no token sent")), 0x2400_0201);

    let other = Client::builder(sandbox.url()).token(signed_in.token().expose_secret()).build().expect("client");
    issues(&other).await.expect("the handed-back token works");
}

#[tokio::test]
async fn bob_needs_a_temporary_token_and_a_totp_code() {
    let sandbox = Sandbox::start().await.expect("sandbox starts");
    let client = client(&sandbox);
    let first = client.auth().authenticate(demo::BOB, demo::PASSWORD).await.expect("password step");
    assert!(first.is_temporary() && first.token().is_temporary());
    assert!(first.otp_required());
    assert!(client.token().is_none(), "a temporary token is never kept");

    // The temporary token is refused for data.
    let temporary = Client::builder(sandbox.url()).token(first.token().expose_secret()).build().expect("client");
    assert_eq!(glosom(&issues(&temporary).await.expect_err("refused")), SECOND_FACTOR_PENDING);

    let code = totp::code(demo::BOB_TOTP_SECRET, now());
    let signed_in = client.auth().second_factor_totp(demo::BOB, first.token(), &code).await.expect("TOTP step");
    assert!(!signed_in.is_temporary() && !signed_in.token().is_temporary());
    assert!(signed_in.otp_required());
    assert_eq!(signed_in.otp_activated().map(|t| t.to_string()).as_deref(), Some(demo::BOB_OTP_ACTIVATED));
    assert_eq!(signed_in.user_id(), demo::BOB_ID);
    assert_eq!(client.token().as_ref(), Some(signed_in.token()));
    issues(&client).await.expect("bob reads TDH issues");
}

#[tokio::test]
async fn dave_gets_the_setup_qr_code_until_his_second_factor_is_active() {
    let sandbox = Sandbox::start().await.expect("sandbox starts");
    let client = client(&sandbox);
    let first = client.auth().authenticate(demo::DAVE, demo::PASSWORD).await.expect("password step");
    assert!(first.is_temporary() && first.otp_required() && first.otp_activated().is_none());
    let svg = first.otp_qr_svg().expect("a QR code while setting up");
    assert!(svg.contains("<svg"), "{svg:.80}");
    assert!(!format!("{first:?}").contains("<svg"), "Debug hides the QR code");

    let code = totp::code(demo::DAVE_TOTP_SECRET, now());
    let signed_in = client.auth().second_factor_totp(demo::DAVE, first.token(), &code).await.expect("TOTP step");
    assert!(signed_in.otp_activated().is_some() && signed_in.otp_qr_svg().is_none());
}

#[tokio::test]
async fn a_wrong_password_carries_the_invalid_credentials_code() {
    let sandbox = Sandbox::start().await.expect("sandbox starts");
    let client = client(&sandbox);
    let error = client.auth().authenticate(demo::ALICE, "coffee").await.expect_err("wrong password");
    assert_eq!(glosom(&error), INVALID_CREDENTIALS);
    assert!(error.is_auth() && error.is_graphql(), "{error:?}");
    assert!(client.token().is_none());

    let error = client.auth().authenticate("mallory", demo::PASSWORD).await.expect_err("unknown user");
    assert_eq!(glosom(&error), INVALID_CREDENTIALS);
}

#[tokio::test]
async fn a_wrong_or_expired_totp_code_is_refused() {
    let sandbox = Sandbox::start().await.expect("sandbox starts");
    let client = client(&sandbox);
    let first = client.auth().authenticate(demo::BOB, demo::PASSWORD).await.expect("password step");

    // A code valid at none of the steps the Portal accepts (now and one either side).
    let t = now();
    let valid: Vec<String> = [t - 30, t, t + 30].iter().map(|&s| totp::code(demo::BOB_TOTP_SECRET, s)).collect();
    let wrong = (0..1_000_000u32).map(|n| format!("{n:06}")).find(|c| !valid.contains(c)).expect("a wrong code");
    let error = client.auth().second_factor_totp(demo::BOB, first.token(), &wrong).await.expect_err("wrong code");
    assert_eq!(glosom(&error), INVALID_OTP);

    let stale = totp::code(demo::BOB_TOTP_SECRET, t - 600);
    if !valid.contains(&stale) {
        let error = client.auth().second_factor_totp(demo::BOB, first.token(), &stale).await.expect_err("expired");
        assert_eq!(glosom(&error), INVALID_OTP);
    }
    assert!(client.token().is_none());

    // The temporary token still serves a correct code afterwards.
    let code = totp::code(demo::BOB_TOTP_SECRET, now());
    client.auth().second_factor_totp(demo::BOB, first.token(), &code).await.expect("right code");
}

#[tokio::test]
async fn refresh_returns_a_new_token_and_the_old_one_stops_working() {
    let sandbox = Sandbox::start().await.expect("sandbox starts");
    let client = client(&sandbox);
    client.auth().authenticate(demo::ALICE, demo::PASSWORD).await.expect("signs in");
    let old = client.token().expect("kept");

    let renewed = client.auth().refresh(demo::ALICE, &old).await.expect("refreshes");
    assert_ne!(renewed.token(), &old);
    assert!(!renewed.is_temporary());
    assert_eq!(client.token().as_ref(), Some(renewed.token()), "the new token is kept");
    assert_eq!(sandbox.stats().refreshes(), 1);
    issues(&client).await.expect("the new token works");

    let with_old = Client::builder(sandbox.url()).token(old.expose_secret()).build().expect("client");
    assert_eq!(glosom(&issues(&with_old).await.expect_err("the old token is revoked")), TOKEN_INVALID);

    // Refreshing the revoked token fails, with the Portal's reason.
    let error = client.auth().refresh(demo::ALICE, &old).await.expect_err("revoked");
    assert_eq!(glosom(&error), TOKEN_INVALID);
    assert_eq!(client.token().as_ref(), Some(renewed.token()), "a failed refresh keeps the client's token");
}

#[tokio::test]
async fn bad_arguments_are_refused_before_sending() {
    let sandbox = Sandbox::start().await.expect("sandbox starts");
    let client = client(&sandbox);
    let machine = Token::parse(demo::MACHINE_TOKEN).expect("machine token");
    let auth = client.auth();
    for error in [
        auth.authenticate("", demo::PASSWORD).await.expect_err("no user name"),
        auth.authenticate(demo::ALICE, "").await.expect_err("no password"),
        auth.refresh(demo::ALICE, &machine).await.expect_err("machine token"),
        auth.second_factor_totp(demo::BOB, &machine, "123456").await.expect_err("machine token"),
        auth.second_factor_totp(demo::BOB, &machine, " ").await.expect_err("no code"),
    ] {
        assert!(error.is_config(), "{error:?}");
    }
    assert_eq!(sandbox.stats().graphql_requests(), 0);
}

#[tokio::test]
async fn the_sign_in_request_names_the_resource_and_carries_no_token() {
    let server = MockServer::start().await;
    let answer = json!({"data": {"portalauth": {
        "user": {"id": "u-1", "username": "alice", "accessTo": []},
        "token": "opaque-but-fine",
        "isTemporaryToken": false,
        "otp": {"required": false, "activated": null},
        "otpSVGQRCode": null
    }}});
    for resource in ["dcso-portal", "my-app"] {
        Mock::given(method("POST"))
            .and(body_partial_json(json!({
                "operationName": "CreateAuthorization",
                "variables": {"input": {"username": "alice", "password": "pw", "resource": resource}}
            })))
            .respond_with(ResponseTemplate::new(200).set_body_json(&answer))
            .expect(1)
            .mount(&server)
            .await;
    }
    let client = Client::builder(server.uri()).token("machine-token-already-set").build().expect("client");
    client.auth().authenticate("alice", "pw").await.expect("default resource");
    let options = SignInOptions::new().resource("my-app");
    let signed_in = client.auth().authenticate_with("alice", "pw", &options).await.expect("own resource");
    assert!(signed_in.token().is_machine());

    for request in server.received_requests().await.expect("recorded") {
        assert!(request.headers.get("authorization").is_none(), "sign-in requests carry no token");
        let body: serde_json::Value = serde_json::from_slice(&request.body).expect("JSON");
        let input = &body["variables"]["input"];
        assert!(input.get("refreshToken").is_none() && input.get("otpCode").is_none(), "{input}");
    }
}
