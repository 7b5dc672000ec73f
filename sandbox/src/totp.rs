//! Time-based one-time passwords (RFC 6238: HMAC-SHA-1, 6 digits, 30-second steps).
//!
//! The sandbox checks second-factor codes with these functions, and tests or
//! command-line tools use [`code`] to compute the code a demo user would read off
//! an authenticator app:
//!
//! ```
//! use portal_sandbox::{demo, totp};
//!
//! let now = std::time::SystemTime::now()
//!     .duration_since(std::time::UNIX_EPOCH)
//!     .map(|d| d.as_secs())
//!     .unwrap_or(0);
//! let code = totp::code(demo::BOB_TOTP_SECRET, now);
//! assert_eq!(code.len(), 6);
//! ```

use hmac::{Hmac, Mac};
use sha1::Sha1;

/// Length of a time step in seconds.
pub const STEP_SECONDS: u64 = 30;

/// Number of digits in a code.
pub const DIGITS: u32 = 6;

/// The secret is not valid base32 (RFC 4648 alphabet, case-insensitive; spaces
/// and `=` padding are ignored).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("the TOTP secret is not valid base32")]
pub struct InvalidSecret;

/// The 6-digit code for `secret_base32` at `unix_time` (seconds since the epoch).
///
/// # Panics
///
/// When `secret_base32` is not valid base32; use [`try_code`] for secrets that
/// come from outside the program.
pub fn code(secret_base32: &str, unix_time: u64) -> String {
    match try_code(secret_base32, unix_time) {
        Ok(code) => code,
        Err(e) => panic!("{e}: {secret_base32:?}"),
    }
}

/// The 6-digit code for `secret_base32` at `unix_time`, or an error when the
/// secret is not valid base32.
pub fn try_code(secret_base32: &str, unix_time: u64) -> Result<String, InvalidSecret> {
    let key = decode_base32(secret_base32)?;
    Ok(hotp(&key, unix_time / STEP_SECONDS, DIGITS))
}

/// Whether `candidate` is the code for `secret_base32` at `unix_time`, or at
/// the step just before or after it (clock drift of up to 30 seconds either
/// way). Anything but six ASCII digits is rejected.
pub fn verify(secret_base32: &str, candidate: &str, unix_time: u64) -> bool {
    if candidate.len() != DIGITS as usize || !candidate.bytes().all(|b| b.is_ascii_digit()) {
        return false;
    }
    let Ok(key) = decode_base32(secret_base32) else {
        return false;
    };
    let step = unix_time / STEP_SECONDS;
    [step.saturating_sub(1), step, step.saturating_add(1)].iter().any(|&s| hotp(&key, s, DIGITS) == candidate)
}

/// RFC 4226 HOTP with HMAC-SHA-1, left-padded with zeros to `digits`.
fn hotp(key: &[u8], counter: u64, digits: u32) -> String {
    // HMAC accepts keys of any length, so this cannot fail.
    let mut mac = match <Hmac<Sha1> as Mac>::new_from_slice(key) {
        Ok(mac) => mac,
        Err(_) => unreachable!("HMAC takes keys of any length"),
    };
    mac.update(&counter.to_be_bytes());
    let digest = mac.finalize().into_bytes();
    let offset = usize::from(digest[digest.len() - 1] & 0x0f);
    let binary =
        u32::from_be_bytes([digest[offset] & 0x7f, digest[offset + 1], digest[offset + 2], digest[offset + 3]]);
    let value = binary % 10u32.pow(digits);
    format!("{value:0width$}", width = digits as usize)
}

fn decode_base32(text: &str) -> Result<Vec<u8>, InvalidSecret> {
    let mut out = Vec::with_capacity(text.len() * 5 / 8);
    let mut buffer: u32 = 0;
    let mut bits = 0u32;
    let mut any = false;
    for c in text.chars() {
        let value = match c.to_ascii_uppercase() {
            c @ 'A'..='Z' => c as u32 - 'A' as u32,
            c @ '2'..='7' => c as u32 - '2' as u32 + 26,
            ' ' | '=' | '-' => continue,
            _ => return Err(InvalidSecret),
        };
        any = true;
        buffer = (buffer << 5) | value;
        bits += 5;
        if bits >= 8 {
            bits -= 8;
            out.push((buffer >> bits) as u8);
            buffer &= (1 << bits) - 1;
        }
    }
    if any {
        Ok(out)
    } else {
        Err(InvalidSecret)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The RFC 6238 SHA-1 seed, "12345678901234567890", in base32.
    const RFC_SECRET: &str = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ";

    /// RFC 6238 Appendix B, SHA-1 rows: (time, 8-digit TOTP).
    const RFC_VECTORS: [(u64, &str); 6] = [
        (59, "94287082"),
        (1_111_111_109, "07081804"),
        (1_111_111_111, "14050471"),
        (1_234_567_890, "89005924"),
        (2_000_000_000, "69279037"),
        (20_000_000_000, "65353130"),
    ];

    #[test]
    fn rfc6238_sha1_vectors_with_eight_digits() {
        let key = decode_base32(RFC_SECRET).unwrap();
        assert_eq!(key, b"12345678901234567890");
        for (time, expected) in RFC_VECTORS {
            assert_eq!(hotp(&key, time / STEP_SECONDS, 8), expected, "time {time}");
        }
    }

    #[test]
    fn six_digit_code_is_the_low_digits_of_the_rfc_vector() {
        for (time, expected) in RFC_VECTORS {
            assert_eq!(code(RFC_SECRET, time), expected[2..], "time {time}");
        }
    }

    #[test]
    fn verify_accepts_one_step_of_drift_either_way_and_no_more() {
        let t = 1_234_567_890;
        let now = code(RFC_SECRET, t);
        assert!(verify(RFC_SECRET, &now, t));
        assert!(verify(RFC_SECRET, &code(RFC_SECRET, t - 30), t));
        assert!(verify(RFC_SECRET, &code(RFC_SECRET, t + 30), t));
        assert!(!verify(RFC_SECRET, &code(RFC_SECRET, t - 60), t));
        assert!(!verify(RFC_SECRET, &code(RFC_SECRET, t + 60), t));
    }

    #[test]
    fn verify_rejects_malformed_codes() {
        for bad in ["", "12345", "1234567", "12a456", " 12345", "１２３４５６"] {
            assert!(!verify(RFC_SECRET, bad, 59), "{bad:?}");
        }
    }

    #[test]
    fn base32_is_case_insensitive_and_ignores_padding() {
        assert_eq!(decode_base32("jbswy3dpehpk3pxp").unwrap(), decode_base32("JBSWY3DPEHPK3PXP").unwrap());
        assert_eq!(decode_base32("MZXW6===").unwrap(), b"foo");
        assert_eq!(try_code("not base32!", 0), Err(InvalidSecret));
        assert_eq!(try_code("", 0), Err(InvalidSecret));
    }
}
