//! The TDH enums — [`Severity`], [`Status`], [`Category`] — and their conversions
//! from the per-operation copies `graphql_client` generates.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// Why a text is not one of an enum's known values, from `FromStr`.
///
/// ```
/// use dcso_portal::tdh::Severity;
///
/// let e = "hihg".parse::<Severity>().unwrap_err();
/// assert_eq!(e.to_string(), "unknown severity \"hihg\" (expected one of INFO, LOW, MEDIUM, HIGH, CRITICAL)");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown {what} {value:?} (expected one of {})", expected.join(", "))]
pub struct ParseEnumError {
    what: &'static str,
    value: String,
    expected: &'static [&'static str],
}

impl ParseEnumError {
    /// The text that was not recognized.
    pub fn value(&self) -> &str {
        &self.value
    }

    /// The schema's spelling of every known value.
    pub fn expected(&self) -> &'static [&'static str] {
        self.expected
    }
}

/// Brings a lenient spelling to the schema's: `in-progress`, `In Progress` and
/// `in_progress` all become `IN_PROGRESS`.
fn normalize(text: &str) -> String {
    text.trim().chars().map(|c| if c == '-' || c == ' ' { '_' } else { c.to_ascii_uppercase() }).collect()
}

/// Defines a schema enum with an `Unknown(String)` variant, its string forms and
/// serde, and the conversions from (and, for filters, to) each generated copy.
/// A schema value missing here makes the generated `match` non-exhaustive, so a
/// schema update cannot silently bypass the friendly type.
macro_rules! schema_enum {
    (
        $(#[$meta:meta])*
        pub enum $name:ident ($what:literal, graphql $generated:ident) $variants:tt
        decoded from [$($module:ident),+];
        encoded for [$($filter_module:ident),*];
    ) => {
        schema_enum!(@define $(#[$meta])* $name, $what, $variants);
        $( schema_enum!(@decode $name, $module::$generated, $variants); )+
        $( schema_enum!(@encode $name, $filter_module::$generated, $variants); )*
    };

    (@define $(#[$meta:meta])* $name:ident, $what:literal, {
        $( $(#[$variant_meta:meta])* $variant:ident = $raw:ident, )+
    }) => {
        $(#[$meta])*
        ///
        /// The string forms are the schema's (`Display` writes them; `FromStr` reads
        /// them in any case, with `-` or a space for `_`). A value the server sends
        /// that this version does not know decodes as `Unknown` with the raw text,
        /// so a new value never breaks decoding.
        #[derive(Debug, Clone, PartialEq, Eq, Hash)]
        #[non_exhaustive]
        pub enum $name {
            $( $(#[$variant_meta])* $variant, )+
            /// A value this version of the SDK does not know, exactly as the server
            /// sent it. A later version may give it a variant of its own.
            Unknown(String),
        }

        impl $name {
            #[doc = concat!("Every ", $what, " this version knows, in schema order.")]
            pub const KNOWN: &'static [$name] = &[$($name::$variant),+];

            const NAMES: &'static [&'static str] = &[$(stringify!($raw)),+];

            /// The schema's spelling, as `Display` writes it; for `Unknown`, the raw text.
            pub fn as_str(&self) -> &str {
                match self {
                    $( $name::$variant => stringify!($raw), )+
                    $name::Unknown(raw) => raw,
                }
            }

            /// The value for the schema's exact spelling; anything else is kept as
            /// `Unknown`. This never fails: it is how answers are decoded. Use
            /// `str::parse` for user input, which rejects unknown text.
            pub fn from_raw(raw: &str) -> Self {
                match raw {
                    $( stringify!($raw) => $name::$variant, )+
                    other => $name::Unknown(other.to_owned()),
                }
            }

            /// True for a value this version of the SDK does not know.
            pub fn is_unknown(&self) -> bool {
                matches!(self, $name::Unknown(_))
            }
        }

        impl fmt::Display for $name {
            /// The schema's name; honours width and alignment (`{:<9}`).
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.pad(self.as_str())
            }
        }

        impl FromStr for $name {
            type Err = ParseEnumError;

            fn from_str(text: &str) -> Result<Self, Self::Err> {
                match normalize(text).as_str() {
                    $( stringify!($raw) => Ok($name::$variant), )+
                    _ => Err(ParseEnumError { what: $what, value: text.to_owned(), expected: Self::NAMES }),
                }
            }
        }

        impl Serialize for $name {
            fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.serialize_str(self.as_str())
            }
        }

        impl<'de> Deserialize<'de> for $name {
            fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                let raw = std::borrow::Cow::<'de, str>::deserialize(deserializer)?;
                Ok($name::from_raw(&raw))
            }
        }
    };

    (@decode $name:ident, $module:ident::$generated:ident, {
        $( $(#[$variant_meta:meta])* $variant:ident = $raw:ident, )+
    }) => {
        impl From<crate::operations::$module::$generated> for $name {
            fn from(value: crate::operations::$module::$generated) -> Self {
                use crate::operations::$module::$generated as Generated;
                match value {
                    $( Generated::$raw => $name::$variant, )+
                    Generated::Other(raw) => $name::Unknown(raw),
                }
            }
        }
    };

    (@encode $name:ident, $module:ident::$generated:ident, {
        $( $(#[$variant_meta:meta])* $variant:ident = $raw:ident, )+
    }) => {
        impl From<$name> for crate::operations::$module::$generated {
            fn from(value: $name) -> Self {
                use crate::operations::$module::$generated as Generated;
                match value {
                    $( $name::$variant => Generated::$raw, )+
                    $name::Unknown(raw) => Generated::Other(raw),
                }
            }
        }
    };
}

schema_enum! {
    /// How bad a TDH issue or an alert is (`tdh_Severity`), from `INFO` to `CRITICAL`.
    ///
    /// ```
    /// use dcso_portal::tdh::Severity;
    ///
    /// assert_eq!("critical".parse::<Severity>()?, Severity::Critical);
    /// assert_eq!(Severity::High.to_string(), "HIGH");
    /// // What a newer Portal might send decodes, keeping the raw text:
    /// assert_eq!(Severity::from_raw("SEVERE"), Severity::Unknown("SEVERE".into()));
    /// assert!("SEVERE".parse::<Severity>().is_err(), "but user input must be a known value");
    /// # Ok::<(), dcso_portal::tdh::ParseEnumError>(())
    /// ```
    pub enum Severity ("severity", graphql tdh_Severity) {
        /// Informational.
        Info = INFO,
        /// Low.
        Low = LOW,
        /// Medium.
        Medium = MEDIUM,
        /// High.
        High = HIGH,
        /// Critical.
        Critical = CRITICAL,
    }
    decoded from [all_issues, issue, alerts_page];
    encoded for [all_issues];
}

schema_enum! {
    /// Where a TDH issue stands in its life cycle (`tdh_IssueStatus`).
    ///
    /// ```
    /// use dcso_portal::tdh::Status;
    ///
    /// assert_eq!("in progress".parse::<Status>()?, Status::InProgress);
    /// assert_eq!(Status::InProgress.as_str(), "IN_PROGRESS");
    /// # Ok::<(), dcso_portal::tdh::ParseEnumError>(())
    /// ```
    pub enum Status ("status", graphql tdh_IssueStatus) {
        /// Raised, not yet worked on.
        Open = OPEN,
        /// Being worked on.
        InProgress = IN_PROGRESS,
        /// Dealt with.
        Resolved = RESOLVED,
        /// Closed.
        Closed = CLOSED,
    }
    decoded from [all_issues, issue];
    encoded for [all_issues];
}

schema_enum! {
    /// What kind of threat a TDH issue is about (`tdh_IssueCategory`).
    ///
    /// ```
    /// use dcso_portal::tdh::Category;
    ///
    /// let all: Vec<String> = Category::KNOWN.iter().map(Category::to_string).collect();
    /// assert_eq!(all[2], "COMMAND_AND_CONTROL");
    /// assert_eq!("command-and-control".parse::<Category>()?, Category::CommandAndControl);
    /// # Ok::<(), dcso_portal::tdh::ParseEnumError>(())
    /// ```
    pub enum Category ("category", graphql tdh_IssueCategory) {
        /// Malicious software.
        Malware = MALWARE,
        /// Phishing.
        Phishing = PHISHING,
        /// Command-and-control traffic.
        CommandAndControl = COMMAND_AND_CONTROL,
        /// Lateral movement inside the network.
        LateralMovement = LATERAL_MOVEMENT,
        /// Data leaving the organization.
        DataExfiltration = DATA_EXFILTRATION,
        /// Reconnaissance (scans, enumeration).
        Reconnaissance = RECONNAISSANCE,
        /// An exploitable vulnerability.
        Vulnerability = VULNERABILITY,
        /// A breach of policy.
        PolicyViolation = POLICY_VIOLATION,
    }
    decoded from [all_issues, issue];
    encoded for [all_issues];
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::operations::all_issues;

    #[test]
    fn string_forms_round_trip() {
        for s in Severity::KNOWN {
            assert_eq!(s.to_string().parse::<Severity>().as_ref(), Ok(s));
            assert_eq!(&Severity::from_raw(s.as_str()), s);
        }
        for s in Status::KNOWN {
            assert_eq!(s.to_string().parse::<Status>().as_ref(), Ok(s));
        }
        for c in Category::KNOWN {
            assert_eq!(c.to_string().parse::<Category>().as_ref(), Ok(c));
        }
        assert_eq!(Severity::KNOWN.len(), 5);
        assert_eq!(Status::KNOWN.len(), 4);
        assert_eq!(Category::KNOWN.len(), 8);
    }

    #[test]
    fn from_str_is_lenient_about_spelling_but_not_about_values() {
        assert_eq!("high".parse(), Ok(Severity::High));
        assert_eq!(" Critical ".parse(), Ok(Severity::Critical));
        assert_eq!("in-progress".parse(), Ok(Status::InProgress));
        assert_eq!("In Progress".parse(), Ok(Status::InProgress));
        assert_eq!("command_and_control".parse(), Ok(Category::CommandAndControl));
        let e = "SEVERE".parse::<Severity>().unwrap_err();
        assert_eq!(e.value(), "SEVERE");
        assert_eq!(e.expected(), ["INFO", "LOW", "MEDIUM", "HIGH", "CRITICAL"]);
        assert!(e.to_string().starts_with("unknown severity \"SEVERE\""), "{e}");
        assert!("".parse::<Status>().is_err());
    }

    #[test]
    fn unknown_values_are_kept_raw() {
        assert_eq!(Severity::from_raw("SEVERE"), Severity::Unknown("SEVERE".into()));
        assert!(Severity::from_raw("high").is_unknown(), "decoding is exact, as the schema spells it");
        assert_eq!(Severity::Unknown("SEVERE".into()).to_string(), "SEVERE");
        let decoded: Vec<Category> = serde_json::from_str(r#"["PHISHING", "QUANTUM"]"#).expect("decodes");
        assert_eq!(decoded, [Category::Phishing, Category::Unknown("QUANTUM".into())]);
        assert_eq!(serde_json::to_string(&decoded).expect("encodes"), r#"["PHISHING","QUANTUM"]"#);
    }

    #[test]
    fn converts_to_and_from_the_generated_enums() {
        assert_eq!(Severity::from(all_issues::tdh_Severity::HIGH), Severity::High);
        assert_eq!(Severity::from(all_issues::tdh_Severity::Other("X".into())), Severity::Unknown("X".into()));
        assert_eq!(all_issues::tdh_IssueStatus::from(Status::InProgress), all_issues::tdh_IssueStatus::IN_PROGRESS);
        assert_eq!(
            all_issues::tdh_IssueCategory::from(Category::Unknown("NEW".into())),
            all_issues::tdh_IssueCategory::Other("NEW".into())
        );
    }
}
