//! HS256 JSON Web Tokens, issued so that the reference SDK can read them.
//!
//! The reference decodes the header and payload with the *standard* base64
//! alphabet, so those two parts must contain neither `-` nor `_`. Base64 of
//! 7-bit ASCII only yields those two characters where an input byte is `>`,
//! `?`, `~` or DEL (its low six bits are 62 or 63 and it lands on the last
//! sextet of a group); every other ASCII byte is safe in every position. So the
//! payload is written as JSON in which those characters, and anything beyond
//! ASCII, are `\u` escapes: the same JSON value, and a token both alphabets
//! decode alike. No retry loop is needed.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use hmac::{Hmac, Mac};
use serde::{Deserialize, Serialize};
use sha2::Sha256;

use crate::error::SandboxError;

/// The header every token carries, byte for byte.
pub(crate) const HEADER_JSON: &str = r#"{"alg":"HS256","typ":"JWT"}"#;

/// The claims the sandbox issues and reads.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct Claims {
    /// Expiry, Unix seconds.
    pub exp: i64,
    /// Issued at, Unix seconds.
    pub iat: i64,
    /// The user's id.
    pub sub: String,
    /// Unique token id; revocation is by this id.
    pub jti: String,
    /// Group codes; empty for a temporary (second factor pending) token.
    pub authz: Authz,
}

/// The `authz` claim.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct Authz {
    pub groups: Vec<String>,
}

/// Why a token was not accepted (before expiry and revocation are checked).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Malformed;

/// Signs and verifies tokens with one random key.
pub(crate) struct Signer {
    key: [u8; 32],
}

impl Signer {
    /// A signer with a fresh random key.
    pub fn random() -> Result<Self, SandboxError> {
        let mut key = [0u8; 32];
        getrandom::fill(&mut key).map_err(|e| SandboxError::Random(e.to_string()))?;
        Ok(Signer { key })
    }

    fn mac(&self) -> Hmac<Sha256> {
        match <Hmac<Sha256> as Mac>::new_from_slice(&self.key) {
            Ok(mac) => mac,
            Err(_) => unreachable!("HMAC takes keys of any length"),
        }
    }

    /// The signed token for `claims`.
    pub fn sign(&self, claims: &Claims) -> Result<String, SandboxError> {
        let payload =
            serde_json::to_string(claims).map_err(|e| SandboxError::Schema(format!("cannot encode claims: {e}")))?;
        let signing_input = format!(
            "{}.{}",
            URL_SAFE_NO_PAD.encode(HEADER_JSON),
            URL_SAFE_NO_PAD.encode(standard_alphabet_safe(&payload))
        );
        let mut mac = self.mac();
        mac.update(signing_input.as_bytes());
        let signature = URL_SAFE_NO_PAD.encode(mac.finalize().into_bytes());
        Ok(format!("{signing_input}.{signature}"))
    }

    /// The claims of `token` when its signature is ours and it decodes; says
    /// nothing about expiry or revocation.
    pub fn verify(&self, token: &str) -> Result<Claims, Malformed> {
        let mut parts = token.split('.');
        let (Some(header), Some(payload), Some(signature), None) =
            (parts.next(), parts.next(), parts.next(), parts.next())
        else {
            return Err(Malformed);
        };
        let signature = decode_part(signature)?;
        let mut mac = self.mac();
        mac.update(header.as_bytes());
        mac.update(b".");
        mac.update(payload.as_bytes());
        mac.verify_slice(&signature).map_err(|_| Malformed)?;
        let header: serde_json::Value = serde_json::from_slice(&decode_part(header)?).map_err(|_| Malformed)?;
        if header.get("alg").and_then(|a| a.as_str()) != Some("HS256") {
            return Err(Malformed);
        }
        serde_json::from_slice(&decode_part(payload)?).map_err(|_| Malformed)
    }
}

/// RFC 7519 base64url, with or without padding.
fn decode_part(part: &str) -> Result<Vec<u8>, Malformed> {
    URL_SAFE_NO_PAD.decode(part.trim_end_matches('=')).map_err(|_| Malformed)
}

/// `json` with `>`, `?`, `~`, DEL and every non-ASCII character written as
/// `\u` escapes. These characters can only occur inside JSON strings, where
/// the escapes mean the same thing.
fn standard_alphabet_safe(json: &str) -> String {
    let mut out = String::with_capacity(json.len());
    for c in json.chars() {
        if c.is_ascii() && !matches!(c, '>' | '?' | '~' | '\u{7f}') {
            out.push(c);
        } else {
            let mut units = [0u16; 2];
            for unit in c.encode_utf16(&mut units) {
                out.push_str(&format!("\\u{unit:04x}"));
            }
        }
    }
    out
}

/// A random token id (128 bits, hex).
pub(crate) fn random_jti() -> Result<String, SandboxError> {
    let mut bytes = [0u8; 16];
    getrandom::fill(&mut bytes).map_err(|e| SandboxError::Random(e.to_string()))?;
    Ok(bytes.iter().map(|b| format!("{b:02x}")).collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use base64::engine::general_purpose::STANDARD;

    fn claims(sub: &str, groups: &[&str]) -> Claims {
        Claims {
            exp: 1_900_000_000,
            iat: 1_800_000_000,
            sub: sub.into(),
            jti: "0123456789abcdef0123456789abcdef".into(),
            authz: Authz { groups: groups.iter().map(|g| g.to_string()).collect() },
        }
    }

    /// What the reference does: standard alphabet, padding added by hand.
    fn reference_decode(part: &str) -> Vec<u8> {
        let padded = format!("{part}{}", "=".repeat((4 - part.len() % 4) % 4));
        STANDARD.decode(padded).expect("standard base64")
    }

    #[test]
    fn round_trip() {
        let signer = Signer::random().unwrap();
        let c = claims("u1", &["tdh-users"]);
        let token = signer.sign(&c).unwrap();
        assert_eq!(signer.verify(&token), Ok(c));
    }

    #[test]
    fn header_is_exact() {
        let token = Signer::random().unwrap().sign(&claims("u", &[])).unwrap();
        let header = token.split('.').next().unwrap();
        assert_eq!(reference_decode(header), HEADER_JSON.as_bytes());
    }

    #[test]
    fn awkward_characters_still_decode_with_the_standard_alphabet() {
        let signer = Signer::random().unwrap();
        for sub in ["a>b", "??~~>>", "t\u{7f}x", "jürgen", "日本", "🫖 tea", "a?b~c>d?e~f>"] {
            for pad in 0..3 {
                let sub = format!("{}{sub}", "x".repeat(pad));
                let c = claims(&sub, &["g>1", "g?2"]);
                let token = signer.sign(&c).unwrap();
                let mut parts = token.split('.');
                for part in [parts.next().unwrap(), parts.next().unwrap()] {
                    assert!(!part.contains(['-', '_']), "{sub:?}: {part}");
                }
                let payload = token.split('.').nth(1).unwrap();
                let decoded: Claims = serde_json::from_slice(&reference_decode(payload)).unwrap();
                assert_eq!(decoded, c);
                assert_eq!(signer.verify(&token), Ok(c));
            }
        }
    }

    #[test]
    fn tampering_and_foreign_keys_are_rejected() {
        let signer = Signer::random().unwrap();
        let token = signer.sign(&claims("u1", &["g"])).unwrap();
        let other = Signer::random().unwrap();
        assert_eq!(other.verify(&token), Err(Malformed));
        let forged_payload = URL_SAFE_NO_PAD.encode(serde_json::to_string(&claims("admin", &["g"])).unwrap());
        let mut parts: Vec<&str> = token.split('.').collect();
        parts[1] = &forged_payload;
        assert_eq!(signer.verify(&parts.join(".")), Err(Malformed));
        for junk in ["", "a.b", "a.b.c.d", "...", "x.y.z", &format!("{token}.")] {
            assert_eq!(signer.verify(junk), Err(Malformed), "{junk:?}");
        }
    }
}
