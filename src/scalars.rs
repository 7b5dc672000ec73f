//! The schema's custom scalars: `DateTime` and `Cursor` (`UUID` is [`uuid::Uuid`]).

use std::fmt;
use std::str::FromStr;

use chrono::{NaiveDate, NaiveTime, TimeDelta, Utc};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// A UTC timestamp, the schema's `DateTime`.
///
/// Parsing accepts exactly the forms the reference SDK accepts: ISO 8601
/// `YYYY-MM-DDTHH:MM:SS`, an optional fraction of 1 to 9 digits (more than 6 are
/// rounded to microseconds), and a UTC designator: `Z`, ` UTC`, `+00` or `+00:00`.
/// Any other offset or zone is rejected, so a timestamp is never silently shifted.
///
/// ```
/// use dcso_portal::DateTime;
///
/// let t: DateTime = "2019-10-31T12:35:49.350488666+00:00".parse()?;
/// assert_eq!(t.to_string(), "2019-10-31T12:35:49.350489Z");
/// assert!("2020-07-30T16:12:44+02:00".parse::<DateTime>().is_err());
/// # Ok::<(), dcso_portal::DateTimeError>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct DateTime(chrono::DateTime<Utc>);

/// Why a text is not a [`DateTime`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid DateTime {value:?}: {reason} (expected e.g. 2020-07-30T16:12:44.490868Z, in UTC)")]
pub struct DateTimeError {
    value: String,
    reason: &'static str,
}

impl DateTimeError {
    fn new(value: &str, reason: &'static str) -> Self {
        const SHOWN: usize = 64;
        let value = if value.chars().count() > SHOWN {
            format!("{}…", value.chars().take(SHOWN).collect::<String>())
        } else {
            value.to_owned()
        };
        DateTimeError { value, reason }
    }
}

impl DateTime {
    /// The current time, to the microsecond.
    pub fn now() -> Self {
        DateTime::from_chrono(Utc::now())
    }

    /// Wraps a chrono timestamp, truncating it to microseconds.
    pub fn from_chrono(t: chrono::DateTime<Utc>) -> Self {
        let micros = t.timestamp_subsec_micros();
        DateTime(t.with_nanosecond(micros * 1000).unwrap_or(t))
    }

    /// The timestamp as a chrono value.
    pub fn to_chrono(self) -> chrono::DateTime<Utc> {
        self.0
    }

    /// The Unix time in whole seconds.
    pub fn unix_seconds(self) -> i64 {
        self.0.timestamp()
    }

    /// The timestamp at this Unix time in seconds, if representable.
    pub fn from_unix_seconds(secs: i64) -> Option<Self> {
        chrono::DateTime::from_timestamp(secs, 0).map(DateTime)
    }

    /// Parses one of the accepted forms (see the type's docs).
    pub fn parse(text: &str) -> Result<Self, DateTimeError> {
        let bytes = text.as_bytes();
        let err = |reason| DateTimeError::new(text, reason);
        if bytes.len() < 19 {
            return Err(err("too short"));
        }
        if !bytes[..19].is_ascii() {
            return Err(err("bad date or time of day"));
        }
        let (date_part, rest) = text.split_at(10);
        if bytes[10] != b'T' {
            return Err(err("expected `T` between date and time"));
        }
        let date = parse_date(date_part).ok_or_else(|| err("bad date"))?;
        let time_part = &rest[1..9];
        let (hour, minute, second) = parse_hms(time_part).ok_or_else(|| err("bad time of day"))?;
        let mut rest = &rest[9..];

        let mut nanos: u32 = 0;
        let mut round_up = false;
        if let Some(after_dot) = rest.strip_prefix('.') {
            let digits = after_dot.bytes().take_while(u8::is_ascii_digit).count();
            if digits == 0 || digits > 9 {
                return Err(err("the fraction of a second must have 1 to 9 digits"));
            }
            let fraction = &after_dot[..digits];
            let mut micros: u32 = 0;
            for (i, d) in fraction.bytes().enumerate().take(6) {
                micros += u32::from(d - b'0') * 10u32.pow(5 - i as u32);
            }
            // Digits past the microsecond round it, half up.
            round_up = fraction.as_bytes().get(6).is_some_and(|d| *d >= b'5');
            nanos = micros * 1000;
            rest = &after_dot[digits..];
        }

        match rest {
            "Z" | " UTC" | "+00" | "+00:00" => {}
            "" => return Err(err("missing UTC designator (Z, \" UTC\", +00 or +00:00)")),
            _ => return Err(err("not UTC: only Z, \" UTC\", +00 and +00:00 are accepted")),
        }

        let time = NaiveTime::from_hms_nano_opt(hour, minute, second, nanos).ok_or_else(|| err("bad time of day"))?;
        let mut t = date.and_time(time).and_utc();
        if round_up {
            t = t.checked_add_signed(TimeDelta::microseconds(1)).ok_or_else(|| err("out of range"))?;
            // Rounding 9999-12-31T23:59:59.9999995 up gives year 10000, which prints in a
            // form (`+10000-…`) no parser of this type accepts: refuse it (found by fuzzing).
            if chrono::Datelike::year(&t) > 9999 {
                return Err(err("out of range"));
            }
        }
        Ok(DateTime(t))
    }
}

fn parse_date(s: &str) -> Option<NaiveDate> {
    let b = s.as_bytes();
    if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
        return None;
    }
    let year = digits(&b[0..4])?;
    let month = digits(&b[5..7])?;
    let day = digits(&b[8..10])?;
    NaiveDate::from_ymd_opt(year as i32, month, day)
}

fn parse_hms(s: &str) -> Option<(u32, u32, u32)> {
    let b = s.as_bytes();
    if b.len() != 8 || b[2] != b':' || b[5] != b':' {
        return None;
    }
    Some((digits(&b[0..2])?, digits(&b[3..5])?, digits(&b[6..8])?))
}

fn digits(b: &[u8]) -> Option<u32> {
    b.iter().try_fold(0u32, |acc, d| d.is_ascii_digit().then(|| acc * 10 + u32::from(d - b'0')))
}

use chrono::Timelike as _;

impl fmt::Display for DateTime {
    /// RFC 3339 in UTC with `Z`, with as many fraction digits as needed (0, 3 or 6).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0.to_rfc3339_opts(chrono::SecondsFormat::AutoSi, true))
    }
}

impl FromStr for DateTime {
    type Err = DateTimeError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        DateTime::parse(s)
    }
}

impl From<DateTime> for chrono::DateTime<Utc> {
    fn from(t: DateTime) -> Self {
        t.0
    }
}

impl From<chrono::DateTime<Utc>> for DateTime {
    fn from(t: chrono::DateTime<Utc>) -> Self {
        DateTime::from_chrono(t)
    }
}

impl Serialize for DateTime {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for DateTime {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Visitor;
        impl serde::de::Visitor<'_> for Visitor {
            type Value = DateTime;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a UTC ISO 8601 timestamp")
            }
            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<DateTime, E> {
                DateTime::parse(v).map_err(E::custom)
            }
        }
        deserializer.deserialize_str(Visitor)
    }
}

/// An opaque pagination cursor, the schema's `Cursor`. The empty cursor means
/// "from the beginning".
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Cursor(String);

impl Cursor {
    /// The cursor that starts from the beginning (the empty string).
    pub fn start() -> Self {
        Cursor(String::new())
    }

    /// The cursor's text.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// True for the start cursor.
    pub fn is_start(&self) -> bool {
        self.0.is_empty()
    }
}

impl From<String> for Cursor {
    fn from(s: String) -> Self {
        Cursor(s)
    }
}

impl From<&str> for Cursor {
    fn from(s: &str) -> Self {
        Cursor(s.to_owned())
    }
}

impl fmt::Display for Cursor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepted_forms() {
        for (input, shown) in [
            ("2020-07-30T16:12:44Z", "2020-07-30T16:12:44Z"),
            ("2020-07-30T16:12:44.490868 UTC", "2020-07-30T16:12:44.490868Z"),
            ("2020-07-30T16:12:44.49+00", "2020-07-30T16:12:44.490Z"),
            ("2020-07-30T16:12:44.4+00:00", "2020-07-30T16:12:44.400Z"),
            ("2019-10-31T12:35:49.350488666+00:00", "2019-10-31T12:35:49.350489Z"),
            ("2019-10-31T12:35:49.350488444Z", "2019-10-31T12:35:49.350488Z"),
            ("2019-12-31T23:59:59.9999995Z", "2020-01-01T00:00:00Z"),
            ("2024-02-29T00:00:00Z", "2024-02-29T00:00:00Z"),
        ] {
            let t = DateTime::parse(input).unwrap_or_else(|e| panic!("{input}: {e}"));
            assert_eq!(t.to_string(), shown, "{input}");
            assert_eq!(DateTime::parse(&t.to_string()), Ok(t), "round trip of {input}");
        }
    }

    #[test]
    fn rejected_forms() {
        for (input, reason) in [
            ("2020-07-30T16:12:44+02:00", "not UTC"),
            ("2020-07-30T16:12:44 CEST", "not UTC"),
            ("2020-07-30T16:12:44", "missing UTC"),
            ("2020-07-30 16:12:44Z", "expected `T`"),
            ("2020-07-30T16:12:44.Z", "1 to 9 digits"),
            ("2020-07-30T16:12:44.1234567890Z", "1 to 9 digits"),
            ("2020-02-30T16:12:44Z", "bad date"),
            ("2020-07-30T24:00:00Z", "bad time"),
            ("2020-07-30T16:12:44Zjunk", "not UTC"),
            ("", "too short"),
            ("२०२०-07-30T16:12:44Z", "bad date"),
            ("2020-07-30T16:12:4४Z", "bad date"),
            ("9999-12-31T23:59:59.9999999Z", "out of range"),
        ] {
            let e = DateTime::parse(input).expect_err(input);
            assert!(e.to_string().contains(reason), "{input}: {e}");
        }
    }

    #[test]
    fn serde_uses_the_same_rules() {
        let t: DateTime = serde_json::from_str("\"2020-07-30T16:12:44Z\"").expect("valid");
        assert_eq!(serde_json::to_string(&t).expect("serializes"), "\"2020-07-30T16:12:44Z\"");
        let e = serde_json::from_str::<DateTime>("\"2020-07-30T16:12:44+01:00\"").expect_err("not UTC");
        assert!(e.to_string().contains("not UTC"), "{e}");
    }
}
