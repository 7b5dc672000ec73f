//! TDH (Threat Detection and Hunting) issues, typed: [`Client::tdh`].
//!
//! The same data as the escape hatch's `{ tdh_allIssues { ... } }`, decoded into
//! Rust types: ids are [`Uuid`]s, timestamps [`DateTime`]s, and severity, status
//! and category are enums that keep any value this version does not know yet as
//! `Unknown(raw)` instead of failing.
//!
//! ```no_run
//! use dcso_portal::tdh::{Severity, Status};
//!
//! # async fn run(client: dcso_portal::Client) -> Result<(), dcso_portal::Error> {
//! // Every issue the caller may see, newest first.
//! let all = client.tdh().issues().send().await?;
//!
//! // Only the open, high or critical ones that mention "emotet".
//! let urgent = client
//!     .tdh()
//!     .issues()
//!     .severities([Severity::High, Severity::Critical])
//!     .status(Status::Open)
//!     .search("emotet")
//!     .send()
//!     .await?;
//! println!("{} of {} issues are urgent", urgent.len(), all.len());
//!
//! // One issue with its affected assets.
//! if let Some(issue) = client.tdh().issue(all[0].id).await? {
//!     for asset in &issue.affected_assets {
//!         println!("{} {}", asset.ip, asset.hostname.as_deref().unwrap_or("-"));
//!     }
//! }
//! # Ok(()) }
//! ```

mod enums;
mod issue;

use std::future::{Future, IntoFuture};
use std::pin::Pin;

use uuid::Uuid;

pub use enums::{Category, ParseEnumError, Severity, Status};
pub use issue::{Asset, Issue};

use crate::client::Client;
use crate::error::Error;
use crate::operations::{self, all_issues, issue as issue_op};
use crate::scalars::DateTime;

impl Client {
    /// The typed TDH API: issues and their affected assets. See [`tdh`](crate::tdh).
    ///
    /// ```no_run
    /// # async fn run(client: dcso_portal::Client) -> Result<(), dcso_portal::Error> {
    /// for issue in client.tdh().issues().send().await? {
    ///     println!("{} [{}] {}", issue.reference, issue.severity, issue.title);
    /// }
    /// # Ok(()) }
    /// ```
    pub fn tdh(&self) -> Tdh<'_> {
        Tdh { client: self }
    }
}

/// The TDH part of the API, from [`Client::tdh`].
#[derive(Debug, Clone, Copy)]
pub struct Tdh<'a> {
    client: &'a Client,
}

impl<'a> Tdh<'a> {
    /// A request for the issues the caller may see, newest first: all of them, or
    /// narrowed by the [`IssuesRequest`] filters. Send it with
    /// [`send`](IssuesRequest::send) (or `.await` it directly).
    ///
    /// ```no_run
    /// use dcso_portal::tdh::Category;
    ///
    /// # async fn run(client: dcso_portal::Client) -> Result<(), dcso_portal::Error> {
    /// let phishing = client.tdh().issues().category(Category::Phishing).await?;
    /// # Ok(()) }
    /// ```
    pub fn issues(&self) -> IssuesRequest<'a> {
        IssuesRequest { client: self.client, filter: Filter::default() }
    }

    /// One issue by id, with its affected assets; `None` when no issue visible to
    /// the caller has that id.
    ///
    /// ```no_run
    /// # async fn run(client: dcso_portal::Client) -> Result<(), Box<dyn std::error::Error>> {
    /// let id = "3be13d5f-1556-4edf-a243-e7ea4db67f2e".parse()?;
    /// match client.tdh().issue(id).await? {
    ///     Some(issue) => println!("{}: {} affected assets", issue.title, issue.affected_assets.len()),
    ///     None => println!("no such issue"),
    /// }
    /// # Ok(()) }
    /// ```
    pub async fn issue(&self, id: Uuid) -> Result<Option<Issue>, Error> {
        let data = self.client.query::<operations::Issue>(issue_op::Variables { id }).await?;
        Ok(data.issue.map(Issue::from))
    }
}

/// A request for TDH issues, from [`Tdh::issues`]: set any filters, then
/// [`send`](Self::send) it (or `.await` it).
///
/// With no filter it returns every issue the caller may see. Each filter narrows
/// the list and all of them must match; the list filters (severity, status,
/// category) match any of their values and can be called repeatedly to add
/// values. The Portal applies the filters.
///
/// ```no_run
/// use dcso_portal::{tdh::{Severity, Status}, DateTime};
///
/// # async fn run(client: dcso_portal::Client) -> Result<(), Box<dyn std::error::Error>> {
/// let recent_open = client
///     .tdh()
///     .issues()
///     .statuses([Status::Open, Status::InProgress])
///     .severity(Severity::Critical)
///     .created_after("2025-01-01T00:00:00Z".parse::<DateTime>()?)
///     .send()
///     .await?;
/// # Ok(()) }
/// ```
#[derive(Debug, Clone)]
#[must_use = "a request does nothing until it is sent with `.send().await`"]
pub struct IssuesRequest<'a> {
    client: &'a Client,
    filter: Filter,
}

#[derive(Debug, Clone, Default)]
struct Filter {
    severity: Vec<Severity>,
    status: Vec<Status>,
    category: Vec<Category>,
    created_after: Option<DateTime>,
    created_before: Option<DateTime>,
    search: Option<String>,
}

impl Filter {
    /// The `tdh_IssuesFilter` argument, or none at all when nothing is set.
    fn into_variables(self) -> all_issues::Variables {
        fn list<T, G: From<T>>(values: Vec<T>) -> Option<Vec<G>> {
            (!values.is_empty()).then(|| values.into_iter().map(G::from).collect())
        }
        let unset = self.severity.is_empty()
            && self.status.is_empty()
            && self.category.is_empty()
            && self.created_after.is_none()
            && self.created_before.is_none()
            && self.search.is_none();
        let filter = all_issues::tdh_IssuesFilter {
            severity: list(self.severity),
            status: list(self.status),
            category: list(self.category),
            created_after: self.created_after,
            created_before: self.created_before,
            search: self.search,
        };
        all_issues::Variables { filter: (!unset).then_some(filter) }
    }
}

impl<'a> IssuesRequest<'a> {
    /// Only issues of this severity (or of any other severity added).
    pub fn severity(mut self, severity: Severity) -> Self {
        self.filter.severity.push(severity);
        self
    }

    /// Only issues of any of these severities. An empty list adds no constraint.
    pub fn severities(mut self, severities: impl IntoIterator<Item = Severity>) -> Self {
        self.filter.severity.extend(severities);
        self
    }

    /// Only issues with this status (or any other status added).
    pub fn status(mut self, status: Status) -> Self {
        self.filter.status.push(status);
        self
    }

    /// Only issues with any of these statuses. An empty list adds no constraint.
    pub fn statuses(mut self, statuses: impl IntoIterator<Item = Status>) -> Self {
        self.filter.status.extend(statuses);
        self
    }

    /// Only issues of this category (or of any other category added).
    pub fn category(mut self, category: Category) -> Self {
        self.filter.category.push(category);
        self
    }

    /// Only issues of any of these categories. An empty list adds no constraint.
    pub fn categories(mut self, categories: impl IntoIterator<Item = Category>) -> Self {
        self.filter.category.extend(categories);
        self
    }

    /// Only issues created strictly after this time (accepts a [`DateTime`] or a
    /// `chrono::DateTime<Utc>`).
    pub fn created_after(mut self, time: impl Into<DateTime>) -> Self {
        self.filter.created_after = Some(time.into());
        self
    }

    /// Only issues created strictly before this time.
    pub fn created_before(mut self, time: impl Into<DateTime>) -> Self {
        self.filter.created_before = Some(time.into());
        self
    }

    /// Only issues whose title or reference contains this text, ignoring case.
    pub fn search(mut self, text: impl Into<String>) -> Self {
        self.filter.search = Some(text.into());
        self
    }

    /// Sends the request: the matching issues, newest first.
    ///
    /// ```no_run
    /// use dcso_portal::tdh::Severity;
    ///
    /// # async fn run(client: dcso_portal::Client) -> Result<(), dcso_portal::Error> {
    /// let high = client.tdh().issues().severity(Severity::High).send().await?;
    /// # Ok(()) }
    /// ```
    pub async fn send(self) -> Result<Vec<Issue>, Error> {
        let data = self.client.query::<operations::AllIssues>(self.filter.into_variables()).await?;
        Ok(data.tdh_all_issues.into_iter().map(Issue::from).collect())
    }
}

impl<'a> IntoFuture for IssuesRequest<'a> {
    type Output = Result<Vec<Issue>, Error>;
    type IntoFuture = Pin<Box<dyn Future<Output = Self::Output> + Send + 'a>>;

    fn into_future(self) -> Self::IntoFuture {
        Box::pin(self.send())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_filter_sends_no_argument() {
        assert_eq!(Filter::default().into_variables().filter, None);
        let empty_lists = Filter { severity: vec![], status: vec![], ..Filter::default() };
        assert_eq!(empty_lists.into_variables().filter, None);
    }

    #[test]
    fn filters_become_the_schema_input() {
        let filter = Filter {
            severity: vec![Severity::High, Severity::Unknown("SEVERE".into())],
            search: Some("emotet".into()),
            ..Filter::default()
        };
        let json = serde_json::to_value(filter.into_variables()).expect("serializes");
        assert_eq!(json["filter"]["severity"], serde_json::json!(["HIGH", "SEVERE"]));
        assert_eq!(json["filter"]["search"], "emotet");
        assert!(json["filter"]["status"].is_null());
    }
}
