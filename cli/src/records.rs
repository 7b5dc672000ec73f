//! The Portal's records as this CLI prints them: their JSON form, which is
//! stable (documented in `cli/README.md`: keys are added, never renamed or
//! removed), and their table rows.
//!
//! The JSON is written from these structs rather than from the SDK's types, so
//! that a change in the SDK cannot change what scripts read. Keys are
//! `snake_case`, timestamps RFC 3339 in UTC (`2025-10-06T11:00:00Z`), enum values
//! as the Portal spells them (`HIGH`, `IN_PROGRESS`), absent values `null`.

use dcso_portal::alerts::Alert;
use dcso_portal::tdh::{Asset, Issue};
use dcso_portal::DateTime;
use serde::Serialize;
use uuid::Uuid;

/// A TDH issue (`issues list`, `issues show`).
#[derive(Debug, Serialize)]
pub struct IssueRecord<'a> {
    id: Uuid,
    reference: &'a str,
    title: &'a str,
    description: Option<&'a str>,
    severity: &'a str,
    status: &'a str,
    category: &'a str,
    created_on: String,
    updated_on: String,
    first_seen: Option<String>,
    affected_assets: Vec<AssetRecord<'a>>,
}

impl<'a> From<&'a Issue> for IssueRecord<'a> {
    fn from(issue: &'a Issue) -> Self {
        IssueRecord {
            id: issue.id,
            reference: &issue.reference,
            title: &issue.title,
            description: issue.description.as_deref(),
            severity: issue.severity.as_str(),
            status: issue.status.as_str(),
            category: issue.category.as_str(),
            created_on: issue.created_on.to_string(),
            updated_on: issue.updated_on.to_string(),
            first_seen: issue.first_seen.map(|t| t.to_string()),
            affected_assets: issue.affected_assets.iter().map(AssetRecord::from).collect(),
        }
    }
}

/// An asset an issue affects.
#[derive(Debug, Serialize)]
pub struct AssetRecord<'a> {
    ip: &'a str,
    hostname: Option<&'a str>,
    mac_address: Option<&'a str>,
    operating_system: Option<&'a str>,
}

impl<'a> From<&'a Asset> for AssetRecord<'a> {
    fn from(asset: &'a Asset) -> Self {
        AssetRecord {
            ip: &asset.ip,
            hostname: asset.hostname.as_deref(),
            mac_address: asset.mac_address.as_deref(),
            operating_system: asset.operating_system.as_deref(),
        }
    }
}

/// An alert (`alerts`).
#[derive(Debug, Serialize)]
pub struct AlertRecord<'a> {
    id: &'a str,
    occurred_on: String,
    severity: &'a str,
    title: &'a str,
    source_ip: Option<&'a str>,
    destination_ip: Option<&'a str>,
    issue_id: Option<Uuid>,
}

impl<'a> From<&'a Alert> for AlertRecord<'a> {
    fn from(alert: &'a Alert) -> Self {
        AlertRecord {
            id: &alert.id,
            occurred_on: alert.occurred_on.to_string(),
            severity: alert.severity.as_str(),
            title: &alert.title,
            source_ip: alert.source_ip.as_deref(),
            destination_ip: alert.destination_ip.as_deref(),
            issue_id: alert.issue_id,
        }
    }
}

/// The columns of `issues list`.
pub const ISSUE_COLUMNS: [&str; 7] = ["REFERENCE", "SEVERITY", "STATUS", "CATEGORY", "CREATED", "ASSETS", "TITLE"];

/// An issue as a row of `issues list`.
pub fn issue_row(issue: &Issue) -> Vec<String> {
    vec![
        issue.reference.clone(),
        issue.severity.to_string(),
        issue.status.to_string(),
        issue.category.to_string(),
        issue.created_on.to_string(),
        issue.affected_assets.len().to_string(),
        issue.title.clone(),
    ]
}

/// An issue's fields as the rows of a two-column table (`issues show`).
pub fn issue_fields(issue: &Issue) -> Vec<[String; 2]> {
    let optional = |value: Option<&str>| value.unwrap_or("-").to_owned();
    let time = |value: Option<DateTime>| value.map_or_else(|| "-".to_owned(), |t| t.to_string());
    vec![
        ["id".into(), issue.id.to_string()],
        ["reference".into(), issue.reference.clone()],
        ["title".into(), issue.title.clone()],
        ["severity".into(), issue.severity.to_string()],
        ["status".into(), issue.status.to_string()],
        ["category".into(), issue.category.to_string()],
        ["created".into(), issue.created_on.to_string()],
        ["updated".into(), issue.updated_on.to_string()],
        ["first seen".into(), time(issue.first_seen)],
        ["description".into(), optional(issue.description.as_deref())],
    ]
}

/// The columns of an issue's affected assets.
pub const ASSET_COLUMNS: [&str; 4] = ["IP", "HOSTNAME", "MAC ADDRESS", "OPERATING SYSTEM"];

/// An asset as a row.
pub fn asset_row(asset: &Asset) -> Vec<String> {
    let optional = |value: &Option<String>| value.clone().unwrap_or_else(|| "-".to_owned());
    vec![asset.ip.clone(), optional(&asset.hostname), optional(&asset.mac_address), optional(&asset.operating_system)]
}

/// The columns of `alerts`, and their widths: a timestamp in whole seconds, the
/// longest severity, an IPv4 address, an issue id; the title takes the rest.
pub const ALERT_COLUMNS: [(&str, usize); 6] =
    [("OCCURRED", 20), ("SEVERITY", 8), ("SOURCE", 15), ("DESTINATION", 15), ("ISSUE", 36), ("TITLE", 0)];

/// An alert as a row of `alerts`.
pub fn alert_row(alert: &Alert) -> [String; 6] {
    let optional = |value: Option<String>| value.unwrap_or_else(|| "-".to_owned());
    [
        alert.occurred_on.to_string(),
        alert.severity.to_string(),
        optional(alert.source_ip.clone()),
        optional(alert.destination_ip.clone()),
        optional(alert.issue_id.map(|id| id.to_string())),
        alert.title.clone(),
    ]
}

/// When a token expires, for people: `2026-05-01T12:00:00Z (in 60 min)`, or
/// `never (a machine token)`.
pub fn expiry(expires_at: Option<DateTime>) -> String {
    match expires_at {
        Some(at) => format!("{at} ({})", until(at, DateTime::now())),
        None => "never (a machine token)".to_owned(),
    }
}

/// How long from `now` until `at`, roughly: `in 59 min`, `in 2 h 5 min`,
/// `in 3 days`, or `expired`.
fn until(at: DateTime, now: DateTime) -> String {
    let seconds = at.unix_seconds() - now.unix_seconds();
    if seconds <= 0 {
        return "expired".to_owned();
    }
    let minutes = (seconds + 59) / 60;
    match minutes {
        0..=59 => format!("in {minutes} min"),
        60..=2879 if minutes % 60 == 0 => format!("in {} h", minutes / 60),
        60..=2879 => format!("in {} h {} min", minutes / 60, minutes % 60),
        _ => format!("in {} days", minutes / 1440),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn alert_json_keys_and_values_are_the_documented_ones() {
        let alert: Alert = serde_json::from_value(json!({
            "id": "a-1",
            "occurredOn": "2026-01-01T00:01:30Z",
            "severity": "HIGH",
            "title": "Beacon",
            "sourceIp": "10.20.1.2",
            "destinationIp": null,
            "issueId": "3be13d5f-1556-4edf-a243-e7ea4db67f2e"
        }))
        .expect("an alert");
        let record = serde_json::to_value(AlertRecord::from(&alert)).expect("serializes");
        assert_eq!(
            record,
            json!({
                "id": "a-1",
                "occurred_on": "2026-01-01T00:01:30Z",
                "severity": "HIGH",
                "title": "Beacon",
                "source_ip": "10.20.1.2",
                "destination_ip": null,
                "issue_id": "3be13d5f-1556-4edf-a243-e7ea4db67f2e"
            })
        );
        // Declared order, so that the JSON reads in the documented order.
        let text = serde_json::to_string(&AlertRecord::from(&alert)).expect("serializes");
        assert!(text.starts_with(r#"{"id":"a-1","occurred_on":"#), "{text}");
    }

    #[test]
    fn issue_json_keeps_unknown_enum_values_and_nulls() {
        let issue: Issue = serde_json::from_value(json!({
            "id": "3be13d5f-1556-4edf-a243-e7ea4db67f2e",
            "reference": "TDH-2025-00001",
            "title": "Emotet",
            "description": null,
            "severity": "SEVERE",
            "status": "IN_PROGRESS",
            "category": "MALWARE",
            "createdOn": "2025-10-06T00:00:00Z",
            "updatedOn": "2025-10-06T11:00:00.5Z",
            "firstSeen": null,
            "affectedAssets": [{ "ip": "10.0.0.1", "hostname": "tea-01", "macAddress": null, "operatingSystem": null }]
        }))
        .expect("an issue");
        let record = serde_json::to_value(IssueRecord::from(&issue)).expect("serializes");
        assert_eq!(record["severity"], "SEVERE");
        assert_eq!(record["status"], "IN_PROGRESS");
        assert_eq!(record["updated_on"], "2025-10-06T11:00:00.500Z");
        assert_eq!(record["description"], serde_json::Value::Null);
        assert_eq!(record["first_seen"], serde_json::Value::Null);
        assert_eq!(
            record["affected_assets"],
            json!([{ "ip": "10.0.0.1", "hostname": "tea-01", "mac_address": null, "operating_system": null }])
        );
        assert_eq!(issue_row(&issue)[5], "1");
        assert_eq!(asset_row(&issue.affected_assets[0]), ["10.0.0.1", "tea-01", "-", "-"]);
    }

    #[test]
    fn expiry_is_said_roughly() {
        let now = DateTime::from_unix_seconds(1_000_000).unwrap();
        let at = |seconds: i64| DateTime::from_unix_seconds(1_000_000 + seconds).unwrap();
        assert_eq!(until(at(-5), now), "expired");
        assert_eq!(until(at(0), now), "expired");
        assert_eq!(until(at(30), now), "in 1 min");
        assert_eq!(until(at(3599), now), "in 1 h");
        assert_eq!(until(at(3600), now), "in 1 h");
        assert_eq!(until(at(2 * 3600 + 5 * 60), now), "in 2 h 5 min");
        assert_eq!(until(at(3 * 86_400), now), "in 3 days");
        assert_eq!(expiry(None), "never (a machine token)");
    }
}
