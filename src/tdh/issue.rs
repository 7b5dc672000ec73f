//! [`Issue`] and [`Asset`], and their conversion from the generated types.

use std::net::IpAddr;

use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::{Category, Severity, Status};
use crate::scalars::DateTime;

/// A TDH (Threat Detection and Hunting) issue raised for the caller's
/// organization.
///
/// Returned by [`Tdh::issues`](super::Tdh::issues) and
/// [`Tdh::issue`](super::Tdh::issue). Serializes with the schema's field names
/// (`createdOn`, `affectedAssets`, ...).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct Issue {
    /// The issue's id.
    pub id: Uuid,
    /// The human-readable reference, e.g. `TDH-2020-00042`.
    pub reference: String,
    /// One-line summary.
    pub title: String,
    /// Longer text, if any.
    pub description: Option<String>,
    /// How bad it is.
    pub severity: Severity,
    /// Where it stands.
    pub status: Status,
    /// What kind of threat it is about.
    pub category: Category,
    /// When the issue was raised.
    pub created_on: DateTime,
    /// When the issue last changed.
    pub updated_on: DateTime,
    /// When the activity behind the issue was first seen, if known.
    pub first_seen: Option<DateTime>,
    /// The machines the issue concerns.
    pub affected_assets: Vec<Asset>,
}

/// A machine a TDH [`Issue`] concerns.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct Asset {
    /// The IP address as the Portal gives it; see [`ip_addr`](Self::ip_addr).
    pub ip: String,
    /// The host name, if known.
    pub hostname: Option<String>,
    /// The MAC address, if known.
    pub mac_address: Option<String>,
    /// The operating system, if known.
    pub operating_system: Option<String>,
}

impl Asset {
    /// The IP address parsed, or `None` if the Portal's text is not a plain IPv4
    /// or IPv6 address. (The schema types it as a string, so it is kept as one.)
    ///
    /// ```no_run
    /// # async fn run(client: dcso_portal::Client, id: uuid::Uuid) -> Result<(), dcso_portal::Error> {
    /// if let Some(issue) = client.tdh().issue(id).await? {
    ///     let private = issue.affected_assets.iter().filter_map(|a| a.ip_addr()).filter(|ip| match ip {
    ///         std::net::IpAddr::V4(v4) => v4.is_private(),
    ///         std::net::IpAddr::V6(_) => false,
    ///     });
    ///     println!("{} private addresses", private.count());
    /// }
    /// # Ok(()) }
    /// ```
    pub fn ip_addr(&self) -> Option<IpAddr> {
        self.ip.parse().ok()
    }
}

/// `graphql_client` generates a separate `IssueFields`/`AssetFields` in each
/// operation's module; one conversion serves them all.
macro_rules! from_generated {
    ($($module:ident),+) => {$(
        impl From<crate::operations::$module::IssueFields> for Issue {
            fn from(issue: crate::operations::$module::IssueFields) -> Self {
                Issue {
                    id: issue.id,
                    reference: issue.reference,
                    title: issue.title,
                    description: issue.description,
                    severity: issue.severity.into(),
                    status: issue.status.into(),
                    category: issue.category.into(),
                    created_on: issue.created_on,
                    updated_on: issue.updated_on,
                    first_seen: issue.first_seen,
                    affected_assets: issue.affected_assets.into_iter().map(Asset::from).collect(),
                }
            }
        }

        impl From<crate::operations::$module::AssetFields> for Asset {
            fn from(asset: crate::operations::$module::AssetFields) -> Self {
                Asset {
                    ip: asset.ip,
                    hostname: asset.hostname,
                    mac_address: asset.mac_address,
                    operating_system: asset.operating_system,
                }
            }
        }
    )+};
}

from_generated!(all_issues, issue);
