//! GLOSOM codes ("global service oriented message"), the Portal's error codes.
//!
//! A GLOSOM code is an unsigned 32-bit integer found in a GraphQL error's
//! `extensions.code`, sent as a JSON number or as a string (decimal, `0x` hex or
//! bare hex). Its four bytes, most significant first:
//!
//! | byte | meaning |
//! |---|---|
//! | 0 | type (high nibble) \| group (low nibble) |
//! | 1–2 | message id (16 bits, big-endian) |
//! | 3 | service |
//!
//! ```
//! use dcso_portal::{Glosom, GlosomGroup, GlosomType};
//!
//! let code = Glosom::from_raw(0x24B0_0DAA);
//! assert_eq!(code.kind(), GlosomType::Error);
//! assert_eq!(code.group(), GlosomGroup::Security);
//! assert_eq!(code.message_id(), 0xB00D);
//! assert_eq!(code.service(), 0xAA);
//! assert_eq!(code.to_string(), "24B00DAA");
//! assert_eq!(Glosom::parse_str("615517610"), code);
//! ```

use std::fmt;

use serde_json::Value;

/// A GLOSOM code. `Display` prints it as eight upper-case hex digits (`24B00DAA`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub struct Glosom(u32);

/// The type nibble of a [`Glosom`] code.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum GlosomType {
    /// `0x0_`: information.
    Info,
    /// `0x1_`: a warning.
    Warning,
    /// `0x2_`: an error.
    Error,
    /// `0x9_`: debugging output.
    Debug,
    /// A type nibble the reference does not define (kept as its value).
    Other(u8),
}

/// The group nibble of a [`Glosom`] code.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum GlosomGroup {
    /// `0x_1`: system.
    System,
    /// `0x_2`: network.
    Network,
    /// `0x_3`: input/output.
    Io,
    /// `0x_4`: security (authentication, authorization).
    Security,
    /// `0x_5`: activity.
    Activity,
    /// A group nibble the reference does not define (kept as its value).
    Other(u8),
}

impl Glosom {
    /// The code with this raw value.
    pub const fn from_raw(raw: u32) -> Self {
        Glosom(raw)
    }

    /// Builds a code from its parts.
    pub const fn new(type_and_group: u8, message_id: u16, service: u8) -> Self {
        Glosom(((type_and_group as u32) << 24) | ((message_id as u32) << 8) | service as u32)
    }

    /// The raw 32-bit value.
    pub const fn raw(self) -> u32 {
        self.0
    }

    /// The type (high nibble of the first byte).
    pub fn kind(self) -> GlosomType {
        match (self.0 >> 24) as u8 & 0xF0 {
            0x00 => GlosomType::Info,
            0x10 => GlosomType::Warning,
            0x20 => GlosomType::Error,
            0x90 => GlosomType::Debug,
            other => GlosomType::Other(other),
        }
    }

    /// The group (low nibble of the first byte).
    pub fn group(self) -> GlosomGroup {
        match (self.0 >> 24) as u8 & 0x0F {
            0x01 => GlosomGroup::System,
            0x02 => GlosomGroup::Network,
            0x03 => GlosomGroup::Io,
            0x04 => GlosomGroup::Security,
            0x05 => GlosomGroup::Activity,
            other => GlosomGroup::Other(other),
        }
    }

    /// The 16-bit message id (bytes 1 and 2). Zero means "no message".
    pub const fn message_id(self) -> u16 {
        (self.0 >> 8) as u16
    }

    /// The service (last byte).
    pub const fn service(self) -> u8 {
        self.0 as u8
    }

    /// Reads `extensions.code` as the reference does: a JSON number that fits in 32
    /// bits, or a string in decimal, `0x` hex or bare hex. Anything else, including a
    /// missing code, counts as 0.
    pub fn from_json(value: &Value) -> Self {
        match value {
            Value::Number(n) => Glosom(n.as_u64().and_then(|n| u32::try_from(n).ok()).unwrap_or(0)),
            Value::String(s) => Self::parse_str(s),
            _ => Glosom(0),
        }
    }

    /// Parses a code written as decimal, `0x` hex or bare hex (surrounding white
    /// space ignored); anything unparsable is 0, as in the reference.
    pub fn parse_str(text: &str) -> Self {
        let text = text.trim();
        if let Ok(n) = text.parse::<u32>() {
            return Glosom(n);
        }
        let hex = text.strip_prefix("0x").or_else(|| text.strip_prefix("0X")).unwrap_or(text);
        if hex.is_empty() || hex.len() > 8 || !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Glosom(0);
        }
        Glosom(u32::from_str_radix(hex, 16).unwrap_or(0))
    }
}

impl fmt::Display for Glosom {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:08X}", self.0)
    }
}

impl From<u32> for Glosom {
    fn from(raw: u32) -> Self {
        Glosom(raw)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn reference_example_encodes_and_decodes() {
        let code = Glosom::new(0x24, 0xB00D, 0xAA);
        assert_eq!(code.raw(), 0x24B0_0DAA);
        assert_eq!(code.raw(), 615_517_610);
        assert_eq!(code.kind(), GlosomType::Error);
        assert_eq!(code.group(), GlosomGroup::Security);
    }

    #[test]
    fn json_forms() {
        for (value, raw) in [
            (json!(615517610), 0x24B0_0DAA),
            (json!("615517610"), 0x24B0_0DAA),
            (json!("0x24B00DAA"), 0x24B0_0DAA),
            (json!("0x24b00daa"), 0x24B0_0DAA),
            (json!("24B00DAA"), 0x24B0_0DAA),
            (json!(" 24B00DAA "), 0x24B0_0DAA),
            (json!("not a code"), 0),
            (json!(""), 0),
            (json!("0x"), 0),
            (json!("1FFFFFFFF"), 0),
            (json!(-1), 0),
            (json!(1.5), 0),
            (json!(4294967296u64), 0),
            (json!(null), 0),
            (json!({"a": 1}), 0),
            (json!("١٢٣"), 0),
        ] {
            assert_eq!(Glosom::from_json(&value).raw(), raw, "{value}");
        }
    }

    #[test]
    fn other_nibbles_are_kept() {
        let code = Glosom::from_raw(0x7F00_0000);
        assert_eq!(code.kind(), GlosomType::Other(0x70));
        assert_eq!(code.group(), GlosomGroup::Other(0x0F));
        assert_eq!(Glosom::from_raw(0x9300_0100).kind(), GlosomType::Debug);
        assert_eq!(Glosom::from_raw(0x1500_0100).group(), GlosomGroup::Activity);
    }
}
