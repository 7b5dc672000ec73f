//! The answer of a sign-in step.

use std::fmt;

use secrecy::{ExposeSecret, SecretString};

use crate::error::Error;
use crate::operations::create_authorization::CreateAuthorizationPortalauth;
use crate::scalars::DateTime;
use crate::token::Token;

/// The answer of a sign-in step ([`Auth`](crate::Auth)): who signed in, the token,
/// and the state of their second factor.
///
/// `Debug` shows neither the token nor the 2FA set-up QR code (which encodes the
/// user's TOTP secret).
///
/// ```no_run
/// # async fn run(client: dcso_portal::Client) -> Result<(), dcso_portal::Error> {
/// let signed_in = client.auth().authenticate("alice", "secret password").await?;
/// println!("{} expires at {:?}", signed_in.username(), signed_in.token().expires_at());
/// for access in signed_in.access_to() {
///     println!("{} / {}", access.service_code(), access.group_code());
/// }
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct Authentication {
    user_id: String,
    username: String,
    token: Token,
    temporary: bool,
    otp_required: bool,
    otp_activated: Option<DateTime>,
    otp_qr_svg: Option<SecretString>,
    access_to: Vec<Access>,
}

/// A service and group a user belongs to (`accessTo` of the Portal's user).
///
/// ```no_run
/// # async fn run(client: dcso_portal::Client) -> Result<(), dcso_portal::Error> {
/// let signed_in = client.auth().authenticate("alice", "secret password").await?;
/// let tdh_groups: Vec<&str> =
///     signed_in.access_to().iter().filter(|a| a.service_code() == "tdh").map(|a| a.group_code()).collect();
/// # let _ = tdh_groups;
/// # Ok(()) }
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Access {
    service_id: String,
    service_code: String,
    group_code: String,
}

impl Access {
    /// The service's id.
    ///
    /// ```no_run
    /// # fn show(access: &dcso_portal::Access) { println!("{}", access.service_id()); }
    /// ```
    pub fn service_id(&self) -> &str {
        &self.service_id
    }

    /// The service's code, e.g. `tdh`.
    ///
    /// ```no_run
    /// # fn show(access: &dcso_portal::Access) { println!("{}", access.service_code()); }
    /// ```
    pub fn service_code(&self) -> &str {
        &self.service_code
    }

    /// The group's code, e.g. `tdh-users`.
    ///
    /// ```no_run
    /// # fn show(access: &dcso_portal::Access) { println!("{}", access.group_code()); }
    /// ```
    pub fn group_code(&self) -> &str {
        &self.group_code
    }
}

impl Authentication {
    pub(crate) fn from_answer(answer: CreateAuthorizationPortalauth) -> Result<Authentication, Error> {
        // Parsed leniently: a clock running ahead of the Portal's must not turn a fresh
        // token into an error; the Portal decides whether it is still good.
        let token = Token::parse_allow_expired(answer.token)
            .map_err(|e| Error::invalid_response(format!("the Portal issued an unusable token: {e}")))?;
        let temporary = answer.is_temporary_token || token.is_temporary();
        Ok(Authentication {
            user_id: answer.user.id,
            username: answer.user.username,
            temporary,
            token,
            otp_required: answer.otp.required,
            otp_activated: answer.otp.activated,
            otp_qr_svg: answer.otp_svgqr_code.map(SecretString::from),
            access_to: answer
                .user
                .access_to
                .into_iter()
                .map(|a| Access { service_id: a.service.id, service_code: a.service.code, group_code: a.group.code })
                .collect(),
        })
    }

    /// The user's id.
    ///
    /// ```no_run
    /// # fn show(a: &dcso_portal::Authentication) { println!("{}", a.user_id()); }
    /// ```
    pub fn user_id(&self) -> &str {
        &self.user_id
    }

    /// The user's name, as the Portal spells it.
    ///
    /// ```no_run
    /// # fn show(a: &dcso_portal::Authentication) { println!("{}", a.username()); }
    /// ```
    pub fn username(&self) -> &str {
        &self.username
    }

    /// The token: a temporary one after a password step that needs a second factor,
    /// otherwise one that serves data requests.
    ///
    /// ```no_run
    /// # fn show(a: &dcso_portal::Authentication) {
    /// println!("{} (expires in {:?})", a.token(), a.token().expires_in());
    /// # }
    /// ```
    pub fn token(&self) -> &Token {
        &self.token
    }

    /// Consumes the answer, keeping only the token.
    ///
    /// ```no_run
    /// # fn show(a: dcso_portal::Authentication) { let token = a.into_token(); println!("{token}"); }
    /// ```
    pub fn into_token(self) -> Token {
        self.token
    }

    /// True when the token is temporary (the Portal's `isTemporaryToken`, or an
    /// empty `authz.groups` claim): it only serves
    /// [`second_factor_totp`](crate::Auth::second_factor_totp) and is never kept.
    ///
    /// ```no_run
    /// # fn show(a: &dcso_portal::Authentication) { if a.is_temporary() { println!("enter your code"); } }
    /// ```
    pub fn is_temporary(&self) -> bool {
        self.temporary
    }

    /// True when the user signs in with a second factor (`otp.required`).
    ///
    /// ```no_run
    /// # fn show(a: &dcso_portal::Authentication) { println!("2FA: {}", a.otp_required()); }
    /// ```
    pub fn otp_required(&self) -> bool {
        self.otp_required
    }

    /// When the second factor was activated (`otp.activated`); `None` when it is off
    /// or still being set up.
    ///
    /// ```no_run
    /// # fn show(a: &dcso_portal::Authentication) {
    /// if let Some(at) = a.otp_activated() { println!("2FA active since {at}"); }
    /// # }
    /// ```
    pub fn otp_activated(&self) -> Option<DateTime> {
        self.otp_activated
    }

    /// While the second factor is being set up, the SVG QR code to scan with an
    /// authenticator app (`otpSVGQRCode`). It encodes the user's TOTP secret: show
    /// it to that user only, never log it.
    ///
    /// ```no_run
    /// # fn show(a: &dcso_portal::Authentication) -> std::io::Result<()> {
    /// if let Some(svg) = a.otp_qr_svg() { std::fs::write("2fa-setup.svg", svg)?; }
    /// # Ok(()) }
    /// ```
    pub fn otp_qr_svg(&self) -> Option<&str> {
        self.otp_qr_svg.as_ref().map(|s| s.expose_secret())
    }

    /// The services and groups the user belongs to (`accessTo`).
    ///
    /// ```no_run
    /// # fn show(a: &dcso_portal::Authentication) {
    /// for access in a.access_to() { println!("{} {}", access.service_code(), access.group_code()); }
    /// # }
    /// ```
    pub fn access_to(&self) -> &[Access] {
        &self.access_to
    }
}

impl fmt::Debug for Authentication {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Authentication")
            .field("user_id", &self.user_id)
            .field("username", &self.username)
            .field("token", &self.token)
            .field("temporary", &self.temporary)
            .field("otp_required", &self.otp_required)
            .field("otp_activated", &self.otp_activated)
            .field("otp_qr_svg", &self.otp_qr_svg.as_ref().map(|_| "[redacted]"))
            .field("access_to", &self.access_to)
            .finish_non_exhaustive()
    }
}
