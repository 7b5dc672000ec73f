//! Cursor pagination as a stream, against the sandbox Portal (and wiremock for
//! `pageInfo` the sandbox never gives).

use std::time::Duration;

use dcso_portal::alerts::Alert;
use dcso_portal::operations::{Operation, OperationKind};
use dcso_portal::{Client, Cursor, Page, Paginated};
use futures_util::{StreamExt as _, TryStreamExt as _};
use portal_sandbox::{demo, Sandbox};
use serde_json::{json, Value};

const ALERTS: usize = portal_sandbox::data::DEFAULT_ALERTS;

fn client(sandbox: &Sandbox) -> Client {
    Client::builder(sandbox.url()).token(demo::MACHINE_TOKEN).build().expect("client")
}

fn alert_pages(sandbox: &Sandbox) -> u64 {
    sandbox.stats().requests_for("AlertsPage")
}

/// Every alert id, oldest first, from one big escape-hatch request.
async fn expected_ids(client: &Client) -> Vec<String> {
    let data = client
        .execute_graphql("{ alerts(first: 500) { edges { node { id } } pageInfo { hasNextPage } } }", None, &[])
        .await
        .expect("one page of everything");
    assert_eq!(data["alerts"]["pageInfo"]["hasNextPage"], false);
    let ids: Vec<String> = data["alerts"]["edges"]
        .as_array()
        .expect("edges")
        .iter()
        .map(|e| e["node"]["id"].as_str().expect("id").to_owned())
        .collect();
    assert_eq!(ids.len(), ALERTS);
    ids
}

#[tokio::test]
async fn the_stream_yields_every_alert_once_in_order_for_any_page_size() {
    let sandbox = Sandbox::start().await.expect("sandbox");
    let client = client(&sandbox);
    let expected = expected_ids(&client).await;

    let total = ALERTS as u32;
    for page_size in [1, 7, 50, total - 1, total, total + 1, 500] {
        let before = alert_pages(&sandbox);
        let alerts: Vec<Alert> = client.alerts().stream(page_size).try_collect().await.expect("every page");
        let ids: Vec<&str> = alerts.iter().map(|a| a.id.as_str()).collect();
        assert_eq!(ids, expected, "page size {page_size}");
        assert!(alerts.windows(2).all(|w| w[0].occurred_on < w[1].occurred_on), "oldest first");
        // Exactly one request per page: the stream stops on hasNextPage = false.
        let pages = ALERTS.div_ceil(page_size as usize) as u64;
        assert_eq!(alert_pages(&sandbox) - before, pages, "page size {page_size}");
    }
}

#[tokio::test]
async fn the_page_stream_gives_full_pages_and_their_cursors() {
    let sandbox = Sandbox::start().await.expect("sandbox");
    let client = client(&sandbox);
    let expected = expected_ids(&client).await;

    let pages: Vec<Page<Alert>> = client.alerts().pages(70).try_collect().await.expect("every page");
    let count = ALERTS.div_ceil(70);
    assert!(count > 2 && !ALERTS.is_multiple_of(70), "a last page shorter than the others");
    let lengths: Vec<usize> = (0..count).map(|i| (ALERTS - i * 70).min(70)).collect();
    assert_eq!(pages.iter().map(Page::len).collect::<Vec<_>>(), lengths);
    let more: Vec<bool> = (0..count).map(|i| i + 1 < count).collect();
    assert_eq!(pages.iter().map(Page::has_next_page).collect::<Vec<_>>(), more);
    let ids: Vec<&str> = pages.iter().flatten().map(|a| a.id.as_str()).collect();
    assert_eq!(ids, expected);
    let cursors: std::collections::HashSet<_> = pages.iter().map(|p| p.end_cursor().expect("a cursor")).collect();
    assert_eq!(cursors.len(), pages.len(), "each page ends at a different cursor");
}

#[tokio::test]
async fn a_large_connection_streams_page_by_page() {
    let sandbox = Sandbox::builder().alerts(2_345).start().await.expect("sandbox");
    let client = client(&sandbox);
    let mut stream = client.alerts().stream(500);
    let mut count = 0;
    let mut last = None;
    while let Some(alert) = stream.try_next().await.expect("every page") {
        assert!(last.is_none_or(|t| t < alert.occurred_on));
        last = Some(alert.occurred_on);
        count += 1;
        // Never more than one page buffered.
        assert!(futures_core::Stream::size_hint(&stream).0 < 500);
    }
    assert_eq!(count, 2_345);
    assert_eq!(alert_pages(&sandbox), 5);
}

#[tokio::test]
async fn an_error_on_page_three_ends_the_stream_with_that_error() {
    let sandbox = Sandbox::start().await.expect("sandbox");
    let token = sandbox.issue_token(demo::ALICE, Duration::from_secs(3600)).expect("alice's token");
    let client = Client::builder(sandbox.url()).token(token).build().expect("client");
    let expected = expected_ids(&client).await;

    let mut stream = client.alerts().stream(10);
    let mut ids = Vec::new();
    for _ in 0..20 {
        ids.push(stream.next().await.expect("an item").expect("pages 1 and 2 succeed").id);
    }
    assert_eq!(ids, expected[..20]);
    assert_eq!(alert_pages(&sandbox), 2, "page 3 is not requested before it is needed");

    sandbox.revoke_all_tokens();
    let error = stream.next().await.expect("an item").expect_err("page 3 fails");
    assert!(error.is_auth(), "{error}");
    assert_eq!(error.glosom().map(|g| g.raw()), Some(portal_sandbox::glosom::TOKEN_INVALID), "{error}");
    assert!(stream.next().await.is_none(), "nothing after the error");
    assert!(stream.next().await.is_none(), "and it stays ended");
    assert!(futures_core::stream::FusedStream::is_terminated(&stream));
}

#[tokio::test]
async fn a_server_error_mid_stream_ends_the_page_stream_too() {
    let sandbox = Sandbox::start().await.expect("sandbox");
    let token = sandbox.issue_token(demo::ALICE, Duration::from_secs(3600)).expect("alice's token");
    let client = Client::builder(sandbox.url()).token(token).build().expect("client");
    let mut pages = client.alerts().pages(100);
    assert_eq!(pages.try_next().await.expect("page 1").expect("a page").len(), 100);
    assert_eq!(pages.try_next().await.expect("page 2").expect("a page").len(), 100);
    sandbox.revoke_all_tokens();
    assert!(pages.next().await.expect("an item").is_err());
    assert!(pages.next().await.is_none());
}

#[tokio::test]
async fn dropping_the_stream_sends_no_further_request() {
    let sandbox = Sandbox::start().await.expect("sandbox");
    let client = client(&sandbox);

    let stream = client.alerts().stream(10);
    assert_eq!(alert_pages(&sandbox), 0, "nothing is sent before the first poll");
    let first_two: Vec<Alert> = stream.take(2).try_collect().await.expect("two alerts");
    assert_eq!(first_two.len(), 2);
    assert_eq!(alert_pages(&sandbox), 1);

    // Consuming a whole page does not fetch the next one either.
    let mut stream = client.alerts().stream(10);
    for _ in 0..10 {
        stream.try_next().await.expect("page 1").expect("an alert");
    }
    drop(stream);
    // Let the runtime run anything a dropped stream might have left behind.
    for _ in 0..10 {
        tokio::task::yield_now().await;
    }
    assert_eq!(alert_pages(&sandbox), 2);
}

#[tokio::test]
async fn page_sizes_out_of_range_are_config_errors_before_any_request() {
    let sandbox = Sandbox::start().await.expect("sandbox");
    let client = client(&sandbox);
    for page_size in [0, 501, u32::MAX] {
        let mut stream = client.alerts().stream(page_size);
        let error = stream.next().await.expect("an item").expect_err("out of range");
        assert!(error.is_config(), "{error}");
        let text = error.to_string();
        assert!(text.contains(&format!("page size {page_size}")) && text.contains("1 to 500"), "{text}");
        assert!(stream.next().await.is_none());

        let mut pages = client.alerts().pages(page_size);
        assert!(pages.next().await.expect("an item").expect_err("out of range").is_config());
        assert!(pages.next().await.is_none());
    }
    assert_eq!(alert_pages(&sandbox), 0);
}

#[tokio::test]
async fn streams_are_static_and_send() {
    let sandbox = Sandbox::start().await.expect("sandbox");
    let client = client(&sandbox);
    let stream = client.alerts().stream(120);
    drop(client);
    let count = tokio::spawn(async move { stream.try_fold(0, |n, _| async move { Ok(n + 1) }).await })
        .await
        .expect("task")
        .expect("every page");
    assert_eq!(count, ALERTS);
}

/// An operation of the caller's own, not from `queries/`: the trait pages it too.
struct AlertIds;

#[derive(serde::Serialize, Clone)]
struct AlertIdsVariables {
    first: Option<u32>,
    after: Option<Cursor>,
}

#[derive(serde::Deserialize)]
struct AlertIdsData {
    alerts: Connection,
}

#[derive(serde::Deserialize)]
#[serde(rename_all = "camelCase")]
struct Connection {
    edges: Vec<Edge>,
    page_info: PageInfo,
    total_count: usize,
}

#[derive(serde::Deserialize)]
struct Edge {
    cursor: Cursor,
    node: Node,
}

#[derive(serde::Deserialize)]
struct Node {
    id: String,
}

#[derive(serde::Deserialize)]
#[serde(rename_all = "camelCase")]
struct PageInfo {
    has_next_page: bool,
    end_cursor: Option<Cursor>,
}

impl Operation for AlertIds {
    type Variables = AlertIdsVariables;
    type ResponseData = AlertIdsData;
    const NAME: &'static str = "AlertIds";
    const DOCUMENT: &'static str =
        "query AlertIds($first: Int, $after: Cursor) { alerts(first: $first, after: $after) \
        { edges { cursor node { id } } pageInfo { hasNextPage endCursor } totalCount } }";
    const KIND: OperationKind = OperationKind::Query;
}

impl Paginated for AlertIds {
    /// The id, with the edge's cursor and the connection's total.
    type Node = (String, Cursor, usize);
    const MAX_PAGE_SIZE: u32 = 500;

    fn set_page(variables: &mut AlertIdsVariables, first: u32, after: Cursor) {
        variables.first = Some(first);
        variables.after = Some(after);
    }

    fn into_page(data: AlertIdsData) -> Page<Self::Node> {
        let c = data.alerts;
        let total = c.total_count;
        let nodes = c.edges.into_iter().map(|e| (e.node.id, e.cursor, total)).collect();
        Page::new(nodes, c.page_info.has_next_page, c.page_info.end_cursor)
    }
}

#[tokio::test]
async fn any_connection_operation_can_be_paged() {
    let sandbox = Sandbox::start().await.expect("sandbox");
    let client = client(&sandbox);
    let expected = expected_ids(&client).await;

    let variables = AlertIdsVariables { first: None, after: None };
    let nodes: Vec<(String, Cursor, usize)> =
        client.paginate::<AlertIds>(variables, 64).nodes().try_collect().await.expect("every page");
    assert_eq!(nodes.iter().map(|n| n.0.as_str()).collect::<Vec<_>>(), expected);
    assert!(nodes.iter().all(|n| n.2 == ALERTS));
    assert_eq!(sandbox.stats().requests_for("AlertIds"), ALERTS.div_ceil(64) as u64);
    assert_eq!(alert_pages(&sandbox), 0);

    // A page's end cursor is its last edge's cursor.
    let pages: Vec<Page<_>> = client
        .paginate::<AlertIds>(AlertIdsVariables { first: None, after: None }, 100)
        .try_collect()
        .await
        .expect("every page");
    for page in &pages {
        assert_eq!(page.end_cursor(), page.items().last().map(|n| &n.1));
    }
    // The operation's own maximum applies.
    let error = client
        .paginate::<AlertIds>(AlertIdsVariables { first: None, after: None }, 501)
        .next()
        .await
        .expect("an item")
        .expect_err("too large");
    assert!(error.to_string().contains("AlertIds"), "{error}");
}

/// A wiremock server answering every `AlertsPage` with this `pageInfo` and one alert.
async fn server_with_page_info(page_info: Value) -> wiremock::MockServer {
    use wiremock::matchers::method;
    use wiremock::{Mock, MockServer, ResponseTemplate};

    let server = MockServer::start().await;
    let alert = json!({
        "id": "a-1", "occurredOn": "2026-01-01T00:00:00Z", "severity": "LOW", "title": "t",
        "sourceIp": null, "destinationIp": null, "issueId": null
    });
    let body = json!({"data": {"alerts": {"edges": [{"node": alert}], "pageInfo": page_info}}});
    Mock::given(method("POST")).respond_with(ResponseTemplate::new(200).set_body_json(body)).mount(&server).await;
    server
}

async fn collect_until_end(client: &Client) -> Vec<Result<Alert, dcso_portal::Error>> {
    // Bounded, so a looping stream fails the test instead of hanging it.
    client.alerts().stream(10).take(50).collect().await
}

#[tokio::test]
async fn a_next_page_without_an_end_cursor_is_an_error_not_a_loop() {
    for end_cursor in [Value::Null, json!("")] {
        let server = server_with_page_info(json!({"hasNextPage": true, "endCursor": end_cursor})).await;
        let client = Client::builder(server.uri()).token(demo::MACHINE_TOKEN).build().expect("client");
        let items = collect_until_end(&client).await;
        assert_eq!(items.len(), 2, "the page, then the error: {items:?}");
        assert_eq!(items[0].as_ref().expect("the page's alert").id, "a-1");
        let error = items[1].as_ref().expect_err("no way to go on");
        assert!(error.is_decode(), "{error}");
        assert!(error.to_string().contains("hasNextPage") && error.to_string().contains("AlertsPage"), "{error}");
        assert_eq!(server.received_requests().await.expect("recorded").len(), 1);
    }
}

#[tokio::test]
async fn an_end_cursor_that_does_not_advance_is_an_error_not_a_loop() {
    let server = server_with_page_info(json!({"hasNextPage": true, "endCursor": "c1"})).await;
    let client = Client::builder(server.uri()).token(demo::MACHINE_TOKEN).build().expect("client");
    let items = collect_until_end(&client).await;
    assert_eq!(items.len(), 3, "two pages, then the error: {items:?}");
    let error = items[2].as_ref().expect_err("the cursor repeats");
    assert!(error.to_string().contains("\"c1\""), "{error}");

    let requests = server.received_requests().await.expect("recorded");
    let afters: Vec<Value> = requests
        .iter()
        .map(|r| serde_json::from_slice::<Value>(&r.body).expect("JSON")["variables"]["after"].clone())
        .collect();
    assert_eq!(afters, [json!(""), json!("c1")], "starts from the empty cursor, then follows endCursor");
    let first: Value = serde_json::from_slice(&requests[0].body).expect("JSON");
    assert_eq!(first["variables"]["first"], 10);
}
