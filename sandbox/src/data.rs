//! Demo data: the seed format, the deterministic generators, and the indexed
//! dataset a running sandbox serves.
//!
//! Generated data is a pure function of the index, so every sandbox (and every
//! run) serves the same issues and alerts. Alerts are produced on demand from
//! their index, so a sandbox with 100000 alerts costs no more memory than one
//! with 300.

use std::cmp::Reverse;
use std::collections::HashSet;
use std::path::Path;

use chrono::{DateTime, SecondsFormat, Utc};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::demo;
use crate::error::SandboxError;

/// Issues generated when neither a count nor seed issues are given.
pub const DEFAULT_ISSUES: usize = 64;
/// Alerts generated when neither a count nor seed alerts are given.
pub const DEFAULT_ALERTS: usize = 300;

/// Seed data for a sandbox, as read from a JSON file (`--data FILE`).
///
/// Every part is optional: an absent `organization` means the demo
/// organization; an absent `issues` or `alerts` list means generated ones (an
/// empty list means none). See the README for the file format.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct SeedData {
    /// The one organization all users belong to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub organization: Option<Organization>,
    /// TDH issues, in any order (served newest first).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub issues: Option<Vec<Issue>>,
    /// Alerts, in any order (served oldest first).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub alerts: Option<Vec<Alert>>,
}

impl SeedData {
    /// Parses seed data from JSON text.
    pub fn from_json(text: &str) -> Result<Self, SandboxError> {
        serde_json::from_str(text).map_err(|e| SandboxError::Data(e.to_string()))
    }

    /// Reads seed data from a JSON file.
    pub fn from_file(path: impl AsRef<Path>) -> Result<Self, SandboxError> {
        let path = path.as_ref();
        let text = std::fs::read_to_string(path)
            .map_err(|source| SandboxError::DataFile { path: path.to_path_buf(), source })?;
        Self::from_json(&text)
    }

    /// Exactly the data a sandbox generates for `issues` issues and `alerts`
    /// alerts, written out (handy for tests that need to know what to expect).
    pub fn generated(issues: usize, alerts: usize) -> Self {
        let issues: Vec<Issue> = (0..issues).map(Issue::generated).collect();
        let ids: Vec<String> = issues.iter().map(|i| i.id.clone()).collect();
        SeedData {
            organization: Some(Organization::demo()),
            alerts: Some((0..alerts).map(|i| Alert::generated(i, &ids)).collect()),
            issues: Some(issues),
        }
    }
}

/// The organization every user belongs to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Organization {
    /// Its id.
    pub id: String,
    /// Its display name.
    pub name: String,
    /// Its short code, e.g. `DEMO`.
    pub short_code: String,
}

impl Organization {
    /// The demo organization, "Demo Tea Company" (`DEMO`).
    pub fn demo() -> Self {
        Organization {
            id: demo::ORGANIZATION_ID.to_owned(),
            name: demo::ORGANIZATION_NAME.to_owned(),
            short_code: demo::ORGANIZATION_SHORT_CODE.to_owned(),
        }
    }
}

/// How bad an issue or alert is (`tdh_Severity`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
#[allow(missing_docs)]
pub enum Severity {
    Info,
    Low,
    Medium,
    High,
    Critical,
}

/// Where an issue stands (`tdh_IssueStatus`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
#[allow(missing_docs)]
pub enum IssueStatus {
    Open,
    InProgress,
    Resolved,
    Closed,
}

/// What an issue is about (`tdh_IssueCategory`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
#[allow(missing_docs)]
pub enum IssueCategory {
    Malware,
    Phishing,
    CommandAndControl,
    LateralMovement,
    DataExfiltration,
    Reconnaissance,
    Vulnerability,
    PolicyViolation,
}

const SEVERITIES: [Severity; 5] = [Severity::Info, Severity::Low, Severity::Medium, Severity::High, Severity::Critical];
const STATUSES: [IssueStatus; 4] =
    [IssueStatus::Open, IssueStatus::InProgress, IssueStatus::Resolved, IssueStatus::Closed];
const CATEGORIES: [IssueCategory; 8] = [
    IssueCategory::Malware,
    IssueCategory::Phishing,
    IssueCategory::CommandAndControl,
    IssueCategory::LateralMovement,
    IssueCategory::DataExfiltration,
    IssueCategory::Reconnaissance,
    IssueCategory::Vulnerability,
    IssueCategory::PolicyViolation,
];

/// A TDH issue (`tdh_Issue`). Its deprecated `name` is served as the title.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Issue {
    /// A UUID.
    pub id: String,
    /// e.g. `TDH-2026-00042`.
    pub reference: String,
    /// One-line summary.
    pub title: String,
    /// Longer text, if any.
    #[serde(default)]
    pub description: Option<String>,
    /// How bad it is.
    pub severity: Severity,
    /// Where it stands.
    pub status: IssueStatus,
    /// What it is about.
    pub category: IssueCategory,
    /// RFC 3339 timestamp.
    pub created_on: String,
    /// RFC 3339 timestamp.
    pub updated_on: String,
    /// RFC 3339 timestamp, if known.
    #[serde(default)]
    pub first_seen: Option<String>,
    /// The machines concerned (at least one in generated data).
    #[serde(default)]
    pub affected_assets: Vec<Asset>,
}

/// A machine an issue concerns (`tdh_Asset`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Asset {
    /// IP address.
    pub ip: String,
    /// Host name, if known.
    #[serde(default)]
    pub hostname: Option<String>,
    /// MAC address, if known.
    #[serde(default)]
    pub mac_address: Option<String>,
    /// Operating system, if known.
    #[serde(default)]
    pub operating_system: Option<String>,
}

/// An alert (`Alert`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Alert {
    /// Its id.
    pub id: String,
    /// RFC 3339 timestamp.
    pub occurred_on: String,
    /// How bad it is.
    pub severity: Severity,
    /// One-line summary.
    pub title: String,
    /// Source IP address, if any.
    #[serde(default)]
    pub source_ip: Option<String>,
    /// Destination IP address, if any.
    #[serde(default)]
    pub destination_ip: Option<String>,
    /// The issue it was grouped into, if any.
    #[serde(default)]
    pub issue_id: Option<String>,
}

/// 2025-10-06T07:00:00Z: the first generated issue.
const ISSUES_EPOCH: i64 = 1_759_734_000;
/// 2026-01-01T00:00:00Z: the first generated alert.
const ALERTS_EPOCH: i64 = 1_767_225_600;

/// splitmix64: a well-mixed, deterministic number from an index.
fn mix(seed: u64, index: u64) -> u64 {
    let mut z = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15).wrapping_add(index).wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// A stable version-4-shaped UUID for `index` in the namespace `seed`.
fn stable_uuid(seed: u64, index: u64) -> String {
    let a = mix(seed, index);
    let b = mix(seed ^ 0x5555, index);
    format!(
        "{:08x}-{:04x}-4{:03x}-{:x}{:03x}-{:012x}",
        a >> 32,
        (a >> 16) & 0xffff,
        a & 0x0fff,
        8 + (b >> 62),
        (b >> 48) & 0x0fff,
        b & 0xffff_ffff_ffff
    )
}

/// RFC 3339 in UTC with `Z`, e.g. `2026-01-05T08:00:00Z`.
pub(crate) fn format_time(unix_seconds: i64) -> String {
    DateTime::<Utc>::from_timestamp(unix_seconds, 0).unwrap_or_default().to_rfc3339_opts(SecondsFormat::Secs, true)
}

/// Parses an ISO 8601 / RFC 3339 timestamp with an explicit offset. Also takes
/// the forms the reference SDK accepts as UTC: ` UTC` and `+00` suffixes.
pub(crate) fn parse_time(text: &str) -> Option<DateTime<Utc>> {
    let text = text.trim();
    let normalized = if let Some(rest) = text.strip_suffix(" UTC") {
        format!("{rest}Z")
    } else if text.len() > 3 && text.ends_with("+00") && !text.ends_with(":+00") {
        format!("{text}:00")
    } else {
        text.to_owned()
    };
    DateTime::parse_from_rfc3339(&normalized).ok().map(|t| t.with_timezone(&Utc))
}

/// Whether `text` is a UUID in canonical hyphenated form (any case).
pub(crate) fn is_uuid(text: &str) -> bool {
    text.len() == 36
        && text.bytes().enumerate().all(|(i, b)| match i {
            8 | 13 | 18 | 23 => b == b'-',
            _ => b.is_ascii_hexdigit(),
        })
}

const HOST_PREFIXES: [&str; 5] = ["ws", "srv", "lt", "db", "fw"];
const OPERATING_SYSTEMS: [&str; 6] = [
    "Windows 11 Pro 23H2",
    "Windows Server 2022",
    "Ubuntu 24.04 LTS",
    "macOS 14 Sonoma",
    "Debian 12",
    "Red Hat Enterprise Linux 9.4",
];

fn issue_title(category: IssueCategory, variant: usize, host: &str) -> String {
    let templates: [&str; 3] = match category {
        IssueCategory::Malware => ["Emotet loader executed", "Qakbot infection", "Cobalt Strike beacon in memory"],
        IssueCategory::Phishing => {
            ["Credential phishing link opened", "Malicious Office attachment opened", "HTML smuggling download"]
        }
        IssueCategory::CommandAndControl => [
            "Beaconing to known C2 server",
            "DNS tunnelling to rare domain",
            "TLS traffic to suspicious JA3 fingerprint",
        ],
        IssueCategory::LateralMovement => {
            ["PsExec service installed remotely", "Pass-the-hash logon", "WMI remote process creation"]
        }
        IssueCategory::DataExfiltration => [
            "Large upload to file-sharing service",
            "Archive staged for exfiltration",
            "Unusual outbound SFTP transfer",
        ],
        IssueCategory::Reconnaissance => {
            ["Internal port scan", "LDAP enumeration of domain admins", "SMB share enumeration"]
        }
        IssueCategory::Vulnerability => {
            ["Exploitation attempt against VPN gateway", "Outdated OpenSSL with known CVE", "Log4Shell probe answered"]
        }
        IssueCategory::PolicyViolation => {
            ["Unapproved remote access tool", "Cryptocurrency miner", "Peer-to-peer client in use"]
        }
    };
    format!("{} on {host}", templates[variant % 3])
}

impl Issue {
    /// The `index`-th generated issue (0-based). Its reference number is
    /// `index + 1`; later indices are newer.
    pub fn generated(index: usize) -> Self {
        let i = index as u64;
        let r = mix(0x1550E, i);
        let created = ISSUES_EPOCH + (index as i64) * 11 * 3600 + (r % 3600) as i64;
        let severity = SEVERITIES[index % 5];
        let status = STATUSES[(index / 5) % 4];
        let category = CATEGORIES[(index * 3) % 8];
        let asset_count = 1 + (index * 7) % 5;
        let affected_assets: Vec<Asset> = (0..asset_count)
            .map(|j| {
                let k = index * 5 + j;
                let h = mix(0xA55E7, k as u64);
                Asset {
                    ip: format!(
                        "10.{}.{}.{}",
                        20 + index % 8,
                        (index * 13 + j * 7) % 250 + 1,
                        (index * 31 + j * 17) % 250 + 2
                    ),
                    hostname: ((index + j) % 6 != 5)
                        .then(|| format!("{}-{:04}.demo-tea.internal", HOST_PREFIXES[(index + 2 * j) % 5], h % 10_000)),
                    mac_address: ((index + j) % 4 != 3).then(|| {
                        format!("02:00:5e:{:02x}:{:02x}:{:02x}", (h >> 8) & 0xff, (h >> 16) & 0xff, (h >> 24) & 0xff)
                    }),
                    operating_system: ((index + j) % 7 != 6).then(|| OPERATING_SYSTEMS[(h % 6) as usize].to_owned()),
                }
            })
            .collect();
        let host = affected_assets[0]
            .hostname
            .as_deref()
            .and_then(|h| h.split('.').next())
            .unwrap_or(&affected_assets[0].ip)
            .to_owned();
        let title = issue_title(category, index / 8, &host);
        let created_on = format_time(created);
        let year = &created_on[..4];
        Issue {
            id: stable_uuid(0x155E, i),
            reference: format!("TDH-{year}-{:05}", index + 1),
            description: (index % 4 != 3).then(|| {
                format!(
                    "{title}. Detected by DCSO sensors; {asset_count} asset(s) affected. \
                     Review the affected assets and follow the recommended actions."
                )
            }),
            title,
            severity,
            status,
            category,
            updated_on: format_time(created + ((index % 5) as i64) * 3 * 3600 + 17 * 60),
            first_seen: (index % 3 != 2).then(|| format_time(created - (r % (48 * 3600)) as i64)),
            created_on,
            affected_assets,
        }
    }
}

const ALERT_TITLES: [&str; 12] = [
    "ET MALWARE Win32/Emotet CnC Beacon",
    "Suspicious PowerShell download cradle",
    "ET POLICY Outbound SSH on non-standard port",
    "DNS query for newly registered domain",
    "ET SCAN Nmap SYN scan",
    "Possible Kerberoasting (many TGS requests)",
    "ET EXPLOIT Apache Log4j RCE attempt",
    "TLS certificate with suspicious issuer",
    "ET INFO Dropbox upload over 100 MB",
    "Rare parent process for cmd.exe",
    "ET TROJAN Cobalt Strike malleable C2 profile",
    "SMB login failures from single source",
];

impl Alert {
    /// The `index`-th generated alert (0-based; later indices occurred later).
    /// Every fifth alert points at one of `issue_ids`, when there are any.
    pub fn generated(index: usize, issue_ids: &[String]) -> Self {
        let i = index as u64;
        let r = mix(0xA1E87, i);
        let severity = match r % 20 {
            0..=7 => Severity::Info,
            8..=12 => Severity::Low,
            13..=16 => Severity::Medium,
            17..=18 => Severity::High,
            _ => Severity::Critical,
        };
        let issue_id = if index.is_multiple_of(5) && !issue_ids.is_empty() {
            Some(issue_ids[(index / 5) % issue_ids.len()].clone())
        } else {
            None
        };
        Alert {
            id: stable_uuid(0xA1E, i),
            occurred_on: format_time(ALERTS_EPOCH + (index as i64) * 90 + ((r >> 8) % 60) as i64),
            severity,
            title: ALERT_TITLES[((r >> 16) % 12) as usize].to_owned(),
            source_ip: (index % 9 != 8)
                .then(|| format!("10.{}.{}.{}", 20 + index % 8, (r >> 24) % 250 + 1, (r >> 32) % 250 + 2)),
            destination_ip: (index % 11 != 10).then(|| {
                let net = if (r >> 40).is_multiple_of(2) { "198.51.100" } else { "203.0.113" };
                format!("{net}.{}", (r >> 48) % 254 + 1)
            }),
            issue_id,
        }
    }
}

/// An issue as served, with what its filters need at hand.
pub(crate) struct StoredIssue {
    /// Lower-case UUID.
    pub id: String,
    pub created: DateTime<Utc>,
    pub severity: Severity,
    pub status: IssueStatus,
    pub category: IssueCategory,
    /// Lower-cased title and reference, for `search`.
    pub title_lower: String,
    pub reference_lower: String,
    /// The `tdh_Issue` object.
    pub value: Value,
}

/// Alerts as served: generated by index, or listed.
pub(crate) enum Alerts {
    Generated { count: usize, issue_ids: Vec<String> },
    Listed(Vec<Value>),
}

impl Alerts {
    pub fn len(&self) -> usize {
        match self {
            Alerts::Generated { count, .. } => *count,
            Alerts::Listed(list) => list.len(),
        }
    }

    /// The `Alert` object at `index` (which must be below `len()`).
    pub fn node(&self, index: usize) -> Value {
        match self {
            Alerts::Generated { issue_ids, .. } => {
                serde_json::to_value(Alert::generated(index, issue_ids)).unwrap_or(Value::Null)
            }
            Alerts::Listed(list) => list.get(index).cloned().unwrap_or(Value::Null),
        }
    }
}

/// The `tdh_IssuesFilter` argument.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct IssuesFilter {
    pub severity: Option<Vec<Severity>>,
    pub status: Option<Vec<IssueStatus>>,
    pub category: Option<Vec<IssueCategory>>,
    pub created_after: Option<String>,
    pub created_before: Option<String>,
    pub search: Option<String>,
}

/// The dataset a sandbox serves.
pub(crate) struct Dataset {
    pub organization: Organization,
    /// Newest first.
    pub issues: Vec<StoredIssue>,
    /// Oldest first.
    pub alerts: Alerts,
}

impl Dataset {
    /// Builds the dataset from seed data, generating what the seed leaves out.
    pub fn build(seed: SeedData, issue_count: usize, alert_count: usize) -> Result<Self, SandboxError> {
        let organization = seed.organization.unwrap_or_else(Organization::demo);
        if organization.short_code.is_empty() || organization.id.is_empty() {
            return Err(SandboxError::Data("organization id and shortCode must not be empty".into()));
        }
        let issues = match seed.issues {
            Some(list) => list,
            None => (0..issue_count).map(Issue::generated).collect(),
        };
        let mut stored = Vec::with_capacity(issues.len());
        let mut seen = HashSet::new();
        for issue in issues {
            stored.push(store_issue(issue, &mut seen)?);
        }
        // Newest first; equal times keep seed order.
        stored.sort_by_key(|i| Reverse(i.created));
        let issue_ids: Vec<String> = {
            // Generated alerts point at issues in reference order, oldest first.
            let mut ids: Vec<(DateTime<Utc>, String)> = stored.iter().map(|i| (i.created, i.id.clone())).collect();
            ids.sort();
            ids.into_iter().map(|(_, id)| id).collect()
        };
        let alerts = match seed.alerts {
            None => Alerts::Generated { count: alert_count, issue_ids },
            Some(list) => Alerts::Listed(store_alerts(list)?),
        };
        Ok(Dataset { organization, issues: stored, alerts })
    }

    /// The issues matching `filter`, newest first.
    pub fn filter_issues<'a>(
        &'a self,
        filter: &IssuesFilter,
    ) -> Result<impl Iterator<Item = &'a StoredIssue> + 'a, String> {
        let time = |name: &str, text: &Option<String>| match text {
            None => Ok(None),
            Some(t) => parse_time(t).map(Some).ok_or_else(|| format!("{name} is not an ISO 8601 timestamp: {t:?}")),
        };
        let after = time("createdAfter", &filter.created_after)?;
        let before = time("createdBefore", &filter.created_before)?;
        let severity = filter.severity.clone();
        let status = filter.status.clone();
        let category = filter.category.clone();
        let search = filter.search.as_ref().map(|s| s.to_lowercase());
        Ok(self.issues.iter().filter(move |i| {
            severity.as_ref().is_none_or(|s| s.contains(&i.severity))
                && status.as_ref().is_none_or(|s| s.contains(&i.status))
                && category.as_ref().is_none_or(|c| c.contains(&i.category))
                && after.is_none_or(|t| i.created > t)
                && before.is_none_or(|t| i.created < t)
                && search
                    .as_ref()
                    .is_none_or(|s| i.title_lower.contains(s.as_str()) || i.reference_lower.contains(s.as_str()))
        }))
    }

    /// The issue with this id (any case), if any.
    pub fn issue(&self, id: &str) -> Option<&StoredIssue> {
        let id = id.to_ascii_lowercase();
        self.issues.iter().find(|i| i.id == id)
    }
}

fn normalize_time(what: &str, text: &str) -> Result<(DateTime<Utc>, String), SandboxError> {
    let t =
        parse_time(text).ok_or_else(|| SandboxError::Data(format!("{what}: not an RFC 3339 timestamp: {text:?}")))?;
    Ok((t, t.to_rfc3339_opts(SecondsFormat::AutoSi, true)))
}

fn store_issue(mut issue: Issue, seen: &mut HashSet<String>) -> Result<StoredIssue, SandboxError> {
    let what = format!("issue {:?}", issue.id);
    if !is_uuid(&issue.id) {
        return Err(SandboxError::Data(format!("{what}: id is not a UUID")));
    }
    issue.id = issue.id.to_ascii_lowercase();
    if !seen.insert(issue.id.clone()) {
        return Err(SandboxError::Data(format!("{what}: duplicate id")));
    }
    let (created, created_on) = normalize_time(&format!("{what} createdOn"), &issue.created_on)?;
    issue.created_on = created_on;
    issue.updated_on = normalize_time(&format!("{what} updatedOn"), &issue.updated_on)?.1;
    if let Some(first) = &issue.first_seen {
        issue.first_seen = Some(normalize_time(&format!("{what} firstSeen"), first)?.1);
    }
    let mut value = serde_json::to_value(&issue).map_err(|e| SandboxError::Data(format!("{what}: {e}")))?;
    if let Value::Object(map) = &mut value {
        // The deprecated `name` is the old spelling of `title`.
        map.insert("name".into(), Value::String(issue.title.clone()));
    }
    Ok(StoredIssue {
        id: issue.id,
        created,
        severity: issue.severity,
        status: issue.status,
        category: issue.category,
        title_lower: issue.title.to_lowercase(),
        reference_lower: issue.reference.to_lowercase(),
        value,
    })
}

fn store_alerts(alerts: Vec<Alert>) -> Result<Vec<Value>, SandboxError> {
    let mut seen = HashSet::new();
    let mut timed = Vec::with_capacity(alerts.len());
    for mut alert in alerts {
        let what = format!("alert {:?}", alert.id);
        if alert.id.is_empty() || !seen.insert(alert.id.clone()) {
            return Err(SandboxError::Data(format!("{what}: empty or duplicate id")));
        }
        if let Some(issue) = &mut alert.issue_id {
            if !is_uuid(issue) {
                return Err(SandboxError::Data(format!("{what}: issueId is not a UUID")));
            }
            *issue = issue.to_ascii_lowercase();
        }
        let (t, text) = normalize_time(&format!("{what} occurredOn"), &alert.occurred_on)?;
        alert.occurred_on = text;
        let value = serde_json::to_value(&alert).map_err(|e| SandboxError::Data(format!("{what}: {e}")))?;
        timed.push((t, value));
    }
    // Oldest first; equal times keep seed order.
    timed.sort_by_key(|(t, _)| *t);
    Ok(timed.into_iter().map(|(_, v)| v).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_issues_cover_every_severity_status_and_category() {
        let issues: Vec<Issue> = (0..DEFAULT_ISSUES).map(Issue::generated).collect();
        for s in SEVERITIES {
            assert!(issues.iter().any(|i| i.severity == s), "{s:?}");
        }
        for s in STATUSES {
            assert!(issues.iter().any(|i| i.status == s), "{s:?}");
        }
        for c in CATEGORIES {
            assert!(issues.iter().any(|i| i.category == c), "{c:?}");
        }
        for i in &issues {
            assert!((1..=5).contains(&i.affected_assets.len()));
            assert!(is_uuid(&i.id));
            assert!(i.created_on.ends_with('Z'));
            assert!(parse_time(&i.updated_on).unwrap() >= parse_time(&i.created_on).unwrap());
        }
        assert_eq!(issues[41].reference, "TDH-2025-00042");
        assert_eq!(issues[63].reference, "TDH-2025-00064");
        let ids: HashSet<_> = issues.iter().map(|i| &i.id).collect();
        assert_eq!(ids.len(), issues.len());
    }

    #[test]
    fn generation_is_deterministic() {
        assert_eq!(Issue::generated(7), Issue::generated(7));
        assert_eq!(Alert::generated(99, &[]), Alert::generated(99, &[]));
        assert_eq!(SeedData::generated(5, 5), SeedData::generated(5, 5));
    }

    #[test]
    fn generated_alerts_are_strictly_ascending() {
        let mut last = None;
        for i in 0..1000 {
            let t = parse_time(&Alert::generated(i, &[]).occurred_on).unwrap();
            assert!(last.is_none_or(|l| l < t));
            last = Some(t);
        }
    }

    #[test]
    fn parse_time_takes_the_reference_utc_forms_and_offsets() {
        let z = parse_time("2020-07-30T16:12:44Z").unwrap();
        assert_eq!(parse_time("2020-07-30T16:12:44 UTC"), Some(z));
        assert_eq!(parse_time("2020-07-30T16:12:44+00"), Some(z));
        assert_eq!(parse_time("2020-07-30T18:12:44+02:00"), Some(z));
        assert!(parse_time("2020-07-30").is_none());
        assert!(parse_time("yesterday").is_none());
    }

    #[test]
    fn seed_rejects_bad_ids_and_times() {
        let mut issue = Issue::generated(0);
        issue.id = "nope".into();
        let seed = SeedData { issues: Some(vec![issue]), ..SeedData::default() };
        assert!(Dataset::build(seed, 0, 0).is_err());
        let mut issue = Issue::generated(0);
        issue.created_on = "last tuesday".into();
        let seed = SeedData { issues: Some(vec![issue.clone(), Issue::generated(1)]), ..SeedData::default() };
        assert!(Dataset::build(seed, 0, 0).is_err());
        let seed = SeedData { issues: Some(vec![Issue::generated(0), Issue::generated(0)]), ..SeedData::default() };
        assert!(Dataset::build(seed, 0, 0).is_err());
    }
}
