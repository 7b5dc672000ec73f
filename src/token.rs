//! Tokens: opaque machine (API) tokens and user JWTs.

use std::fmt;
use std::time::Duration;

use base64::engine::general_purpose::{GeneralPurpose, GeneralPurposeConfig};
use base64::engine::DecodePaddingMode;
use base64::Engine as _;
use secrecy::{ExposeSecret, SecretString};
use serde::Deserialize;
use serde_json::Value;

use crate::error::TokenError;
use crate::scalars::DateTime;

/// base64url as RFC 7519 uses it, accepting padding or none.
const BASE64URL: GeneralPurpose = GeneralPurpose::new(
    &base64::alphabet::URL_SAFE,
    GeneralPurposeConfig::new().with_decode_padding_mode(DecodePaddingMode::Indifferent),
);

/// A Portal token: a machine (API) token or a user token (a JWT).
///
/// The secret stays inside; `Debug` and `Display` never show it. For a JWT the
/// header and claims are read **without verifying the signature** — the SDK does
/// not have the key — so the claims only tell the client when to refresh; they
/// are never used for authorization decisions, which the Portal makes.
///
/// ```
/// use dcso_portal::Token;
///
/// let machine = Token::parse("my-machine-token")?;
/// assert!(machine.is_machine());
/// assert_eq!(machine.expires_at(), None);
/// assert!(Token::parse("a.b").is_err());
/// # Ok::<(), dcso_portal::TokenError>(())
/// ```
#[derive(Clone)]
pub struct Token {
    secret: SecretString,
    kind: Kind,
}

#[derive(Clone, PartialEq)]
enum Kind {
    Machine,
    User(Claims),
}

#[derive(Clone, PartialEq)]
struct Claims {
    expires_at: DateTime,
    issued_at: Option<DateTime>,
    subject: Option<String>,
    groups: Option<Vec<String>>,
}

#[derive(Deserialize)]
struct Header {
    typ: Option<Value>,
}

#[derive(Deserialize)]
struct RawClaims {
    exp: Option<Value>,
    iat: Option<Value>,
    sub: Option<Value>,
    authz: Option<Authz>,
}

#[derive(Deserialize)]
struct Authz {
    groups: Option<Vec<Value>>,
}

impl Token {
    /// Reads a token. Without a dot it is a machine token; otherwise it must be a
    /// JWT with three parts, a header whose `typ` is `JWT`, an `exp` claim, and not
    /// be expired (the reference SDK's checks).
    pub fn parse(token: impl Into<String>) -> Result<Token, TokenError> {
        let token = Token::parse_allow_expired(token)?;
        if let Some(expires_at) = token.expires_at() {
            if token.is_expired() {
                return Err(TokenError::Expired { expired_at: expires_at });
            }
        }
        Ok(token)
    }

    /// Like [`Token::parse`], but accepts an expired JWT (to inspect it, or to let
    /// the server say so).
    pub fn parse_allow_expired(token: impl Into<String>) -> Result<Token, TokenError> {
        let token: String = token.into();
        let trimmed = token.trim();
        if trimmed.is_empty() {
            return Err(TokenError::Empty);
        }
        let kind = if trimmed.contains('.') { Kind::User(read_claims(trimmed)?) } else { Kind::Machine };
        let secret = if trimmed.len() == token.len() { token } else { trimmed.to_owned() };
        Ok(Token { secret: SecretString::from(secret), kind })
    }

    /// True for a machine (API) token.
    pub fn is_machine(&self) -> bool {
        matches!(self.kind, Kind::Machine)
    }

    /// True for a user token (a JWT).
    pub fn is_user(&self) -> bool {
        matches!(self.kind, Kind::User(_))
    }

    /// When a user token expires (`exp`); `None` for a machine token.
    pub fn expires_at(&self) -> Option<DateTime> {
        match &self.kind {
            Kind::User(claims) => Some(claims.expires_at),
            Kind::Machine => None,
        }
    }

    /// When a user token was issued (`iat`), if it says.
    pub fn issued_at(&self) -> Option<DateTime> {
        match &self.kind {
            Kind::User(claims) => claims.issued_at,
            Kind::Machine => None,
        }
    }

    /// The user id a user token was issued to (`sub`), if it says.
    pub fn subject(&self) -> Option<&str> {
        match &self.kind {
            Kind::User(claims) => claims.subject.as_deref(),
            Kind::Machine => None,
        }
    }

    /// The `authz.groups` claim of a user token.
    pub fn groups(&self) -> &[String] {
        match &self.kind {
            Kind::User(Claims { groups: Some(groups), .. }) => groups,
            _ => &[],
        }
    }

    /// True when the user token has expired; a machine token never does (as far as
    /// the client can tell).
    pub fn is_expired(&self) -> bool {
        self.expires_at().is_some_and(|at| at <= DateTime::now())
    }

    /// How long until the token expires: zero when it has, or when that is unknown
    /// (a machine token), as in the reference.
    pub fn expires_in(&self) -> Duration {
        self.expires_at()
            .and_then(|at| (at.to_chrono() - DateTime::now().to_chrono()).to_std().ok())
            .unwrap_or(Duration::ZERO)
    }

    /// True for a temporary token (`authz.groups` is an empty list): it only serves
    /// the second authentication step.
    pub fn is_temporary(&self) -> bool {
        matches!(&self.kind, Kind::User(Claims { groups: Some(groups), .. }) if groups.is_empty())
    }

    /// The token itself. Handle with care: never log it.
    pub fn expose_secret(&self) -> &str {
        self.secret.expose_secret()
    }
}

fn read_claims(token: &str) -> Result<Claims, TokenError> {
    let parts: Vec<&str> = token.split('.').collect();
    if parts.len() != 3 {
        return Err(TokenError::Parts { parts: parts.len() });
    }
    let header: Header = decode_part(parts[0], "header")?;
    match header.typ {
        Some(Value::String(typ)) if typ.eq_ignore_ascii_case("JWT") => {}
        Some(Value::String(typ)) => return Err(TokenError::NotJwt { typ: Some(typ) }),
        Some(other) => return Err(TokenError::NotJwt { typ: Some(other.to_string()) }),
        None => return Err(TokenError::NotJwt { typ: None }),
    }
    let raw: RawClaims = decode_part(parts[1], "claims")?;
    let expires_at = raw.exp.as_ref().and_then(unix_time).ok_or(TokenError::BadExpiry)?;
    let subject = match raw.sub {
        Some(Value::String(s)) => Some(s),
        Some(Value::Number(n)) => Some(n.to_string()),
        _ => None,
    };
    let groups = raw.authz.and_then(|a| a.groups).map(|groups| {
        groups
            .into_iter()
            .map(|g| match g {
                Value::String(s) => s,
                other => other.to_string(),
            })
            .collect()
    });
    Ok(Claims { expires_at, issued_at: raw.iat.as_ref().and_then(unix_time), subject, groups })
}

fn decode_part<T: for<'de> Deserialize<'de>>(part: &str, name: &'static str) -> Result<T, TokenError> {
    let bytes = BASE64URL
        .decode(part)
        .map_err(|e| TokenError::Decode { part: name, reason: format!("not base64url ({e})") })?;
    serde_json::from_slice(&bytes)
        .map_err(|e| TokenError::Decode { part: name, reason: format!("not a JSON object ({e})") })
}

fn unix_time(value: &Value) -> Option<DateTime> {
    let secs = match value {
        Value::Number(n) => {
            n.as_i64().or_else(|| n.as_f64().filter(|f| f.is_finite() && f.abs() < 1e15).map(|f| f as i64))?
        }
        _ => return None,
    };
    DateTime::from_unix_seconds(secs)
}

impl fmt::Debug for Token {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut d = f.debug_struct("Token");
        match &self.kind {
            Kind::Machine => d.field("kind", &"machine"),
            Kind::User(claims) => d
                .field("kind", &"user")
                .field("expires_at", &claims.expires_at)
                .field("temporary", &self.is_temporary()),
        };
        d.finish_non_exhaustive()
    }
}

impl fmt::Display for Token {
    /// Describes the token without showing it, e.g. `user token (expires 2026-12-04T16:00:00Z)`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.kind {
            Kind::Machine => f.write_str("machine token"),
            Kind::User(claims) if self.is_temporary() => {
                write!(f, "temporary user token (expires {})", claims.expires_at)
            }
            Kind::User(claims) => write!(f, "user token (expires {})", claims.expires_at),
        }
    }
}

impl PartialEq for Token {
    fn eq(&self, other: &Self) -> bool {
        self.secret.expose_secret() == other.secret.expose_secret()
    }
}

impl Eq for Token {}

#[cfg(test)]
mod tests {
    use super::*;
    use base64::engine::general_purpose::URL_SAFE_NO_PAD;
    use serde_json::json;

    fn jwt(header: Value, claims: Value) -> String {
        format!(
            "{}.{}.c2lnbmF0dXJl",
            URL_SAFE_NO_PAD.encode(header.to_string()),
            URL_SAFE_NO_PAD.encode(claims.to_string())
        )
    }

    fn in_an_hour() -> i64 {
        DateTime::now().unix_seconds() + 3600
    }

    #[test]
    fn user_token_claims() {
        let raw = jwt(
            json!({"alg": "HS256", "typ": "JWT"}),
            json!({"exp": in_an_hour(), "iat": 1, "sub": "u-1", "authz": {"groups": ["tdh"]}}),
        );
        let token = Token::parse(raw.clone()).expect("valid");
        assert!(token.is_user() && !token.is_temporary() && !token.is_expired());
        assert_eq!(token.subject(), Some("u-1"));
        assert_eq!(token.groups(), ["tdh"]);
        assert!(token.expires_in() > Duration::from_secs(3500));
        assert_eq!(token.expose_secret(), raw);
        let shown = format!("{token:?} {token}");
        assert!(!shown.contains(&raw) && !shown.contains("c2lnbmF0dXJl"), "{shown}");
    }

    #[test]
    fn temporary_token_has_empty_groups() {
        let token = Token::parse(jwt(json!({"typ": "JWT"}), json!({"exp": in_an_hour(), "authz": {"groups": []}})))
            .expect("valid");
        assert!(token.is_temporary());
        let token = Token::parse(jwt(json!({"typ": "JWT"}), json!({"exp": in_an_hour()}))).expect("valid");
        assert!(!token.is_temporary());
    }

    #[test]
    fn padding_is_optional_and_the_alphabet_is_url_safe() {
        // "?>" encodes to "Pz4" (standard "Pz4=") and "??" to "Pz8"; `~~~` gives `fn5-`.
        let claims = json!({"exp": in_an_hour(), "note": "~~~???>>>"});
        let padded = format!(
            "{}.{}.sig",
            base64::engine::general_purpose::URL_SAFE.encode(json!({"typ": "JWT"}).to_string()),
            base64::engine::general_purpose::URL_SAFE.encode(claims.to_string())
        );
        assert!(Token::parse(padded).is_ok());
        assert!(Token::parse(jwt(json!({"typ": "JWT"}), claims)).is_ok());
    }

    #[test]
    fn malformed_tokens_get_the_reference_reasons() {
        let cases = [
            ("".to_owned(), TokenError::Empty),
            ("a.b".to_owned(), TokenError::Parts { parts: 2 }),
            ("a.b.c.d".to_owned(), TokenError::Parts { parts: 4 }),
            (
                jwt(json!({"typ": "JOSE"}), json!({"exp": in_an_hour()})),
                TokenError::NotJwt { typ: Some("JOSE".into()) },
            ),
            (jwt(json!({"alg": "none"}), json!({"exp": in_an_hour()})), TokenError::NotJwt { typ: None }),
            (jwt(json!({"typ": "JWT"}), json!({"iat": 1})), TokenError::BadExpiry),
            (jwt(json!({"typ": "JWT"}), json!({"exp": "soon"})), TokenError::BadExpiry),
        ];
        for (raw, expected) in cases {
            assert_eq!(Token::parse(raw.clone()).expect_err(&raw), expected, "{raw}");
        }
        let expired = jwt(json!({"typ": "JWT"}), json!({"exp": 1_000_000}));
        assert!(matches!(Token::parse(expired.clone()), Err(TokenError::Expired { .. })));
        assert!(Token::parse_allow_expired(expired).expect("readable").is_expired());
        assert!(matches!(Token::parse("!!!.e30.x"), Err(TokenError::Decode { part: "header", .. })));
        assert!(matches!(
            Token::parse(format!("{}.bm90IGpzb24.x", URL_SAFE_NO_PAD.encode("{\"typ\":\"JWT\"}"))),
            Err(TokenError::Decode { part: "claims", .. })
        ));
    }
}
