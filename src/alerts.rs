//! Alerts from DCSO's sensors, oldest first, paged as a stream: [`Client::alerts`].
//!
//! ```no_run
//! use futures_util::TryStreamExt as _;
//!
//! # async fn run(client: dcso_portal::Client) -> Result<(), dcso_portal::Error> {
//! let mut alerts = client.alerts().stream(500);
//! while let Some(alert) = alerts.try_next().await? {
//!     if let Some(issue) = alert.issue_id {
//!         println!("{} belongs to issue {issue}", alert.id);
//!     }
//! }
//! # Ok(()) }
//! ```

use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::client::Client;
use crate::operations::{alerts_page, AlertsPage};
use crate::pagination::{Nodes, Page, Pages, Paginated};
use crate::scalars::{Cursor, DateTime};
use crate::tdh::Severity;

/// The largest page size the Portal accepts for alerts.
pub const MAX_PAGE_SIZE: u32 = 500;

impl Client {
    /// Alerts, paged: see [`Alerts::stream`] and [`Alerts::pages`].
    ///
    /// ```no_run
    /// use futures_util::TryStreamExt as _;
    ///
    /// # async fn run(client: dcso_portal::Client) -> Result<(), dcso_portal::Error> {
    /// let alerts: Vec<_> = client.alerts().stream(500).try_collect().await?;
    /// # Ok(()) }
    /// ```
    pub fn alerts(&self) -> Alerts<'_> {
        Alerts { client: self }
    }
}

/// The alerts part of the API, from [`Client::alerts`].
#[derive(Debug, Clone, Copy)]
pub struct Alerts<'a> {
    client: &'a Client,
}

impl Alerts<'_> {
    /// Every alert, oldest first, as a stream of `Result<Alert, Error>`, fetched
    /// `page_size` (1 to [`MAX_PAGE_SIZE`]) at a time as the stream is consumed.
    /// See [`pagination`](crate::pagination) for the stream's guarantees; a page
    /// size out of range is an [`Error::Config`](crate::Error::Config) from the
    /// first poll.
    ///
    /// ```no_run
    /// use dcso_portal::tdh::Severity;
    /// use futures_util::TryStreamExt as _;
    ///
    /// # async fn run(client: dcso_portal::Client) -> Result<(), dcso_portal::Error> {
    /// let mut alerts = client.alerts().stream(250);
    /// let mut critical = 0;
    /// while let Some(alert) = alerts.try_next().await? {
    ///     critical += usize::from(alert.severity == Severity::Critical);
    /// }
    /// println!("{critical} critical alerts");
    /// # Ok(()) }
    /// ```
    pub fn stream(&self, page_size: u32) -> Nodes<AlertsPage> {
        self.pages(page_size).nodes()
    }

    /// Every alert, oldest first, one page of up to `page_size` at a time: a
    /// stream of `Result<Page<Alert>, Error>`, with the same guarantees as
    /// [`stream`](Self::stream).
    ///
    /// ```no_run
    /// use futures_util::TryStreamExt as _;
    ///
    /// # async fn run(client: dcso_portal::Client) -> Result<(), dcso_portal::Error> {
    /// let mut pages = client.alerts().pages(100);
    /// let mut seen = 0;
    /// while let Some(page) = pages.try_next().await? {
    ///     seen += page.len();
    ///     eprintln!("{seen} alerts so far");
    /// }
    /// # Ok(()) }
    /// ```
    pub fn pages(&self, page_size: u32) -> Pages<AlertsPage> {
        self.client.paginate::<AlertsPage>(alerts_page::Variables::default(), page_size)
    }
}

/// An alert raised by DCSO's sensors.
///
/// Serializes with the schema's field names (`occurredOn`, `sourceIp`, ...).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct Alert {
    /// The alert's id.
    pub id: String,
    /// When it happened.
    pub occurred_on: DateTime,
    /// How bad it is.
    pub severity: Severity,
    /// One-line summary.
    pub title: String,
    /// The source IP address, if any.
    pub source_ip: Option<String>,
    /// The destination IP address, if any.
    pub destination_ip: Option<String>,
    /// The TDH issue the alert was grouped into, if any; see
    /// [`Tdh::issue`](crate::tdh::Tdh::issue).
    pub issue_id: Option<Uuid>,
}

impl From<alerts_page::AlertsPageAlertsEdgesNode> for Alert {
    fn from(node: alerts_page::AlertsPageAlertsEdgesNode) -> Self {
        Alert {
            id: node.id,
            occurred_on: node.occurred_on,
            severity: node.severity.into(),
            title: node.title,
            source_ip: node.source_ip,
            destination_ip: node.destination_ip,
            issue_id: node.issue_id,
        }
    }
}

impl Paginated for AlertsPage {
    type Node = Alert;
    const MAX_PAGE_SIZE: u32 = MAX_PAGE_SIZE;

    fn set_page(variables: &mut alerts_page::Variables, first: u32, after: Cursor) {
        variables.first = Some(first.into());
        variables.after = Some(after);
    }

    fn into_page(data: alerts_page::ResponseData) -> Page<Alert> {
        let connection = data.alerts;
        Page::new(
            connection.edges.into_iter().map(|edge| Alert::from(edge.node)).collect(),
            connection.page_info.has_next_page,
            connection.page_info.end_cursor,
        )
    }
}
