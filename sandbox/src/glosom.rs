//! The GLOSOM ("global service oriented message") codes the sandbox puts in
//! `errors[].extensions.code`, as JSON numbers.
//!
//! A code's four bytes, most significant first: type (high nibble) | group (low
//! nibble); message id (16 bits, big-endian); service. Every code here has type
//! error (`0x20`); the group is security (`0x04`) for sign-in and access, and
//! activity (`0x05`) for data requests. Service `0x01` is the Portal's
//! authentication, `0x02` TDH, `0x03` alerts.

/// Wrong username or password (or a user that may not sign in).
pub const INVALID_CREDENTIALS: u32 = 0x2400_0101;
/// The request needs a token and none was sent.
pub const AUTHENTICATION_REQUIRED: u32 = 0x2400_0201;
/// The token's `exp` has passed. The message contains "token expired".
pub const TOKEN_EXPIRED: u32 = 0x2400_0301;
/// The token is malformed, badly signed, unknown, revoked, or does not belong to
/// the named user.
pub const TOKEN_INVALID: u32 = 0x2400_0401;
/// A temporary token (second factor pending) was sent for a data request.
pub const SECOND_FACTOR_PENDING: u32 = 0x2400_0501;
/// The one-time code is wrong, malformed or outside the accepted time window.
pub const INVALID_OTP: u32 = 0x2400_0601;
/// The authorization input's fields do not form one of the three steps.
pub const INVALID_AUTHORIZATION_INPUT: u32 = 0x2400_0701;
/// The caller lacks the permission a TDH or alerts query needs.
pub const PERMISSION_DENIED: u32 = 0x2400_0102;
/// A cursor that this server did not hand out (or that points past the end).
pub const INVALID_CURSOR: u32 = 0x2500_0103;
/// `first` is outside `1..=500`.
pub const PAGE_SIZE_OUT_OF_RANGE: u32 = 0x2500_0203;
/// `auth_user(id:)` names no user of the caller's organization.
pub const USER_NOT_FOUND: u32 = 0x2500_0101;

/// Every code with its constant's name, for documentation and tests.
pub const ALL: [(&str, u32); 11] = [
    ("INVALID_CREDENTIALS", INVALID_CREDENTIALS),
    ("AUTHENTICATION_REQUIRED", AUTHENTICATION_REQUIRED),
    ("TOKEN_EXPIRED", TOKEN_EXPIRED),
    ("TOKEN_INVALID", TOKEN_INVALID),
    ("SECOND_FACTOR_PENDING", SECOND_FACTOR_PENDING),
    ("INVALID_OTP", INVALID_OTP),
    ("INVALID_AUTHORIZATION_INPUT", INVALID_AUTHORIZATION_INPUT),
    ("PERMISSION_DENIED", PERMISSION_DENIED),
    ("INVALID_CURSOR", INVALID_CURSOR),
    ("PAGE_SIZE_OUT_OF_RANGE", PAGE_SIZE_OUT_OF_RANGE),
    ("USER_NOT_FOUND", USER_NOT_FOUND),
];

/// A GraphQL error carrying `code` in its extensions.
pub(crate) fn error(code: u32, message: impl Into<String>) -> async_graphql::Error {
    use async_graphql::ErrorExtensions as _;
    async_graphql::Error::new(message).extend_with(|_, ext| ext.set("code", code))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_readme_table_documents_every_code() {
        let readme = include_str!("../README.md");
        for (name, code) in ALL {
            let row = format!("| `0x{code:08x}` | {code} | `{name}` |");
            assert!(readme.contains(&row), "README lacks the row {row}");
        }
    }

    #[test]
    fn codes_are_errors_in_the_security_or_activity_group_and_distinct() {
        let mut seen = std::collections::HashSet::new();
        for (name, code) in ALL {
            let type_group = code >> 24;
            assert!(type_group == 0x24 || type_group == 0x25, "{name}");
            assert!(seen.insert(code), "{name} repeats a code");
        }
    }
}
