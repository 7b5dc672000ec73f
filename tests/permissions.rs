//! Permissions, users and organizations against the sandbox, and the machine token
//! from `DCSO_PORTAL_TOKEN`.
//!
//! The environment is process-wide: only `machine_token_from_the_environment` sets
//! it, and every other client here is built with an explicit token or
//! `token_from_env(false)`, so none reads it.

use std::collections::{BTreeMap, BTreeSet};

use dcso_portal::operations::{all_issues, AllIssues};
use dcso_portal::{Client, Error, ENV_TOKEN};
use portal_sandbox::{demo, Sandbox};

const PERMISSION_DENIED: u32 = 0x2400_0102;
const USER_NOT_FOUND: u32 = 0x2500_0101;

async fn signed_in(sandbox: &Sandbox, username: &str) -> Client {
    let client = Client::builder(sandbox.url()).token_from_env(false).build().expect("client");
    client.auth().authenticate(username, demo::PASSWORD).await.expect("signs in");
    client
}

fn set(items: &[&str]) -> BTreeSet<String> {
    items.iter().map(|s| s.to_string()).collect()
}

fn glosom(error: &Error) -> u32 {
    error.glosom().unwrap_or_else(|| panic!("no GLOSOM code in {error:?}")).raw()
}

#[tokio::test]
async fn alice_is_a_tdh_coordinator() {
    let sandbox = Sandbox::start().await.expect("sandbox starts");
    let client = signed_in(&sandbox, demo::ALICE).await;
    let permissions = client.permissions().await.expect("permissions");

    assert_eq!(permissions.user_id(), demo::ALICE_ID);
    assert_eq!(permissions.organization_short_code(), demo::ORGANIZATION_SHORT_CODE);
    assert!(permissions.is_tdh_coordinator());
    assert!(permissions.has(demo::PERMISSION_TDH_ACCESS) && permissions.has(demo::PERMISSION_PORTAL_ACCESS));
    let admin = permissions.iter().find(|p| p.slug() == demo::PERMISSION_TDH_ACCESS_ADMIN).expect("listed");
    assert_eq!(admin.service(), demo::SERVICE_TDH);
    assert!(permissions.has(admin.id()), "by id too");
    assert!(!permissions.has("no-such-permission"));
    assert_eq!(permissions.len(), 3);
    assert_eq!(
        permissions.by_service(),
        BTreeMap::from([
            (demo::SERVICE_PORTAL.to_owned(), set(&[demo::PERMISSION_PORTAL_ACCESS])),
            (demo::SERVICE_TDH.to_owned(), set(&[demo::PERMISSION_TDH_ACCESS, demo::PERMISSION_TDH_ACCESS_ADMIN])),
        ])
    );
    let triples: Vec<(String, String, String)> =
        (&permissions).into_iter().map(|p| (p.id().into(), p.slug().into(), p.service().into())).collect();
    assert_eq!(triples.len(), 3);
}

#[tokio::test]
async fn permissions_filtered_by_service_and_of_another_user() {
    let sandbox = Sandbox::start().await.expect("sandbox starts");
    let client = signed_in(&sandbox, demo::ALICE).await;

    let tdh = client.permissions().services([demo::SERVICE_TDH]).await.expect("permissions");
    assert!(!tdh.is_empty() && tdh.iter().all(|p| p.service() == demo::SERVICE_TDH));
    let none = client.permissions().services(["no-such-service"]).send().await.expect("permissions");
    assert!(none.is_empty() && !none.is_tdh_coordinator());
    let all = client.permissions().services(Vec::<String>::new()).await.expect("empty list: every service");
    assert_eq!(all.len(), 3);

    let bob = client.permissions_of(demo::BOB_ID).await.expect("bob's permissions");
    assert_eq!(bob.user_id(), demo::BOB_ID);
    assert!(bob.has(demo::PERMISSION_TDH_ACCESS) && !bob.is_tdh_coordinator());
    let bob_portal = client.permissions_of(demo::BOB_ID).services([demo::SERVICE_PORTAL]).await.expect("filtered");
    assert_eq!(bob_portal.by_service().keys().collect::<Vec<_>>(), [demo::SERVICE_PORTAL]);
}

#[tokio::test]
async fn an_unknown_user_is_a_clear_error() {
    let sandbox = Sandbox::start().await.expect("sandbox starts");
    let client = signed_in(&sandbox, demo::ALICE).await;
    let unknown = "00000000-0000-4000-8000-000000000000";

    let error = client.permissions_of(unknown).await.expect_err("unknown user");
    assert_eq!(glosom(&error), USER_NOT_FOUND);
    assert!(error.to_string().contains(unknown), "{error}");
    let error = client.user(unknown).await.expect_err("unknown user");
    assert_eq!(glosom(&error), USER_NOT_FOUND);

    assert!(client.permissions_of(" ").await.expect_err("empty id").is_config());
    assert!(client.user("").await.expect_err("empty id").is_config());
}

#[tokio::test]
async fn the_current_user_and_their_organization() {
    let sandbox = Sandbox::start().await.expect("sandbox starts");
    let client = signed_in(&sandbox, demo::ALICE).await;
    let me = client.current_user().await.expect("current user");
    assert_eq!((me.id(), me.username()), (demo::ALICE_ID, demo::ALICE));
    let org = me.organization();
    assert_eq!(
        (org.id(), org.name(), org.short_code()),
        (demo::ORGANIZATION_ID, demo::ORGANIZATION_NAME, demo::ORGANIZATION_SHORT_CODE)
    );
    let bob = client.user(demo::BOB_ID).await.expect("bob");
    assert_eq!(bob.username(), demo::BOB);
}

#[tokio::test]
async fn carol_may_not_read_tdh_data() {
    let sandbox = Sandbox::start().await.expect("sandbox starts");
    let client = signed_in(&sandbox, demo::CAROL).await;
    let error = client.query::<AllIssues>(all_issues::Variables::default()).await.expect_err("permission denied");
    assert_eq!(glosom(&error), PERMISSION_DENIED);
    assert!(error.is_auth() && error.is_graphql(), "{error:?}");

    let permissions = client.permissions().await.expect("her own permissions");
    assert!(!permissions.has(demo::PERMISSION_TDH_ACCESS) && !permissions.is_tdh_coordinator());
    assert!(permissions.has(demo::PERMISSION_PORTAL_ACCESS));
}

#[tokio::test]
async fn without_a_token_the_portal_asks_for_one() {
    let sandbox = Sandbox::start().await.expect("sandbox starts");
    let client = Client::builder(sandbox.url()).token_from_env(false).build().expect("client");
    let error = client.permissions().await.expect_err("no token");
    assert_eq!(glosom(&error), 0x2400_0201);
}

#[tokio::test]
async fn machine_token_from_the_environment() {
    let sandbox = Sandbox::start().await.expect("sandbox starts");
    std::env::set_var(ENV_TOKEN, demo::MACHINE_TOKEN);
    let built = Client::new(sandbox.url());
    std::env::remove_var(ENV_TOKEN);
    let client = built.expect("client");

    let token = client.token().expect("read from the environment");
    assert!(token.is_machine() && token.expires_at().is_none());
    let me = client.current_user().await.expect("the machine account");
    assert_eq!(me.username(), demo::MACHINE_USER);
    let permissions = client.permissions().await.expect("permissions");
    assert!(permissions.has(demo::PERMISSION_TDH_ACCESS));
    client.query::<AllIssues>(all_issues::Variables::default()).await.expect("TDH data");

    // Never refreshed, automatically or by hand.
    let error = client.auth().refresh(demo::MACHINE_USER, &token).await.expect_err("machine token");
    assert!(error.is_config(), "{error:?}");
    assert_eq!(sandbox.stats().requests_for("CreateAuthorization"), 0);
    assert_eq!(client.token().as_ref(), Some(&token));
}
