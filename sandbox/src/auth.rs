//! Users, sign-in (password, second factor, refresh), and checking the token of
//! each request.
//!
//! Issued user tokens are remembered by their `jti` until they expire; a token
//! is accepted only while it is remembered, which is how refresh and
//! [`Sandbox::revoke_all_tokens`](crate::Sandbox::revoke_all_tokens) make old
//! tokens stop working.

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Mutex, OnceLock};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use serde::Deserialize;
use serde_json::{json, Value};

use crate::data::{format_time, Organization};
use crate::error::SandboxError;
use crate::glosom;
use crate::jwt::{random_jti, Authz, Claims, Signer};
use crate::{demo, totp};

/// A temporary token (second factor pending) lives at most this long.
const TEMPORARY_TOKEN_TTL: i64 = 300;
/// Forget expired tokens once this many are remembered.
const PRUNE_AT: usize = 4096;

/// Seconds since the Unix epoch, now.
pub(crate) fn now() -> i64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map(|d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX)).unwrap_or(0)
}

/// What the request's `Authorization` header holds.
#[derive(Debug, Clone)]
pub(crate) enum Credential {
    /// No header.
    Missing,
    /// `Bearer <token>`.
    Bearer(String),
    /// A header that is not `Bearer <token>`.
    Unusable,
}

impl Credential {
    /// Reads an `Authorization` header value.
    pub fn from_header(value: Option<&[u8]>) -> Self {
        let Some(value) = value else {
            return Credential::Missing;
        };
        let Ok(text) = std::str::from_utf8(value) else {
            return Credential::Unusable;
        };
        match text.trim().split_once(' ') {
            Some((scheme, token)) if scheme.eq_ignore_ascii_case("bearer") => {
                let token = token.trim();
                if token.is_empty() {
                    Credential::Unusable
                } else {
                    Credential::Bearer(token.to_owned())
                }
            }
            _ => Credential::Unusable,
        }
    }
}

/// The state of a user's second factor.
enum Otp {
    Off,
    Active {
        secret: &'static str,
        activated: &'static str,
    },
    /// Required but not yet activated: the password step shows a QR code.
    Setup {
        secret: &'static str,
    },
}

/// A user the sandbox knows.
pub(crate) struct User {
    pub id: String,
    pub username: String,
    password: Option<&'static str>,
    otp: Otp,
    /// Group codes, for the `authz.groups` claim.
    groups: Vec<String>,
    /// Holds `tdh-access` (may read TDH issues and alerts).
    pub tdh: bool,
    /// The `auth_User` object.
    pub value: Value,
}

struct Service {
    id: &'static str,
    code: &'static str,
    name: &'static str,
}

const PORTAL: Service = Service { id: "1", code: demo::SERVICE_PORTAL, name: "DCSO Portal" };
const TDH: Service = Service { id: "2", code: demo::SERVICE_TDH, name: "Threat Detection and Hunting" };

struct Permission {
    id: &'static str,
    slug: &'static str,
    description: &'static str,
}

const PORTAL_ACCESS: Permission =
    Permission { id: "101", slug: demo::PERMISSION_PORTAL_ACCESS, description: "Sign in to the Portal" };
const TDH_ACCESS: Permission =
    Permission { id: "201", slug: demo::PERMISSION_TDH_ACCESS, description: "Read TDH issues and alerts" };
const TDH_ACCESS_ADMIN: Permission = Permission {
    id: "202",
    slug: demo::PERMISSION_TDH_ACCESS_ADMIN,
    description: "TDH coordinator: manage who has TDH access",
};

/// (service, group code, group name)
type Membership = (&'static Service, &'static str, &'static str);

const PORTAL_USERS: Membership = (&PORTAL, "portal-users", "Portal users");
const TDH_USERS: Membership = (&TDH, "tdh-users", "TDH users");
const TDH_COORDINATORS: Membership = (&TDH, "tdh-coordinators", "TDH coordinators");

fn service_value(s: &Service) -> Value {
    json!({"id": s.id, "code": s.code, "name": s.name})
}

fn build_user(
    id: &str,
    username: &str,
    password: Option<&'static str>,
    otp: Otp,
    memberships: &[Membership],
    permissions: &[(&'static Service, &[&'static Permission])],
    organization: &Organization,
) -> User {
    let access_to: Vec<Value> = memberships
        .iter()
        .map(|(service, code, name)| json!({"service": service_value(service), "group": {"code": code, "name": name}}))
        .collect();
    let service_permissions: Vec<Value> = permissions
        .iter()
        .map(|(service, perms)| {
            json!({
                "service": service_value(service),
                "permissions": perms
                    .iter()
                    .map(|p| json!({"id": p.id, "slug": p.slug, "description": p.description}))
                    .collect::<Vec<_>>(),
            })
        })
        .collect();
    let tdh = permissions.iter().any(|(_, perms)| perms.iter().any(|p| p.slug == demo::PERMISSION_TDH_ACCESS));
    User {
        id: id.to_owned(),
        username: username.to_owned(),
        password,
        otp,
        groups: memberships.iter().map(|(_, code, _)| code.to_string()).collect(),
        tdh,
        value: json!({
            "id": id,
            "username": username,
            "organization": {
                "id": organization.id,
                "name": organization.name,
                "shortCode": organization.short_code,
            },
            "accessTo": access_to,
            "accessControl": {"servicePermissions": service_permissions},
        }),
    }
}

fn demo_users(org: &Organization) -> Vec<User> {
    let pw = Some(demo::PASSWORD);
    let tdh_user: &[&Permission] = &[&TDH_ACCESS];
    vec![
        build_user(
            demo::ALICE_ID,
            demo::ALICE,
            pw,
            Otp::Off,
            &[PORTAL_USERS, TDH_COORDINATORS],
            &[(&PORTAL, &[&PORTAL_ACCESS]), (&TDH, &[&TDH_ACCESS, &TDH_ACCESS_ADMIN])],
            org,
        ),
        build_user(
            demo::BOB_ID,
            demo::BOB,
            pw,
            Otp::Active { secret: demo::BOB_TOTP_SECRET, activated: demo::BOB_OTP_ACTIVATED },
            &[PORTAL_USERS, TDH_USERS],
            &[(&PORTAL, &[&PORTAL_ACCESS]), (&TDH, tdh_user)],
            org,
        ),
        build_user(demo::CAROL_ID, demo::CAROL, pw, Otp::Off, &[PORTAL_USERS], &[(&PORTAL, &[&PORTAL_ACCESS])], org),
        build_user(
            demo::DAVE_ID,
            demo::DAVE,
            pw,
            Otp::Setup { secret: demo::DAVE_TOTP_SECRET },
            &[PORTAL_USERS, TDH_USERS],
            &[(&PORTAL, &[&PORTAL_ACCESS]), (&TDH, tdh_user)],
            org,
        ),
        build_user(demo::MACHINE_USER_ID, demo::MACHINE_USER, None, Otp::Off, &[TDH_USERS], &[(&TDH, tdh_user)], org),
    ]
}

/// A remembered (live) user token.
struct Live {
    user: usize,
    temporary: bool,
    exp: i64,
}

/// The `auth_AuthorizationInput` argument.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct AuthorizationInput {
    pub username: String,
    pub password: Option<String>,
    pub temporary_token: Option<String>,
    pub otp_code: Option<String>,
    pub refresh_token: Option<String>,
    #[allow(dead_code)] // Names the client; the sandbox accepts any.
    pub resource: Option<String>,
}

/// Which step an authorization performed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Step {
    Password,
    SecondFactor,
    Refresh,
}

/// Users, the signing key, and the live tokens of one sandbox.
pub(crate) struct Auth {
    signer: Signer,
    users: Vec<User>,
    token_ttl: i64,
    live: Mutex<HashMap<String, Live>>,
    machine_revoked: AtomicBool,
    /// When users in set-up completed their second factor (user index -> time).
    activations: Mutex<HashMap<usize, String>>,
    setup_svg: OnceLock<String>,
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    // A panic while holding these locks cannot leave them inconsistent.
    m.lock().unwrap_or_else(|e| e.into_inner())
}

type GqlResult<T> = Result<T, async_graphql::Error>;

impl Auth {
    /// The demo users of `organization`, with a fresh signing key.
    pub fn new(organization: &Organization, token_ttl: Duration) -> Result<Self, SandboxError> {
        Ok(Auth {
            signer: Signer::random()?,
            users: demo_users(organization),
            token_ttl: i64::try_from(token_ttl.as_secs()).unwrap_or(i64::MAX),
            live: Mutex::new(HashMap::new()),
            machine_revoked: AtomicBool::new(false),
            activations: Mutex::new(HashMap::new()),
            setup_svg: OnceLock::new(),
        })
    }

    /// The user with this id.
    pub fn user_by_id(&self, id: &str) -> Option<&User> {
        self.users.iter().find(|u| u.id == id)
    }

    fn index_of(&self, username: &str) -> Option<usize> {
        self.users.iter().position(|u| u.username == username)
    }

    /// Issues a user token for `username` that expires `ttl` from now (zero:
    /// already expired), outside any sign-in flow.
    pub fn issue_for(&self, username: &str, ttl: Duration) -> Result<String, SandboxError> {
        let user = self
            .index_of(username)
            .filter(|&i| self.users[i].password.is_some())
            .ok_or_else(|| SandboxError::UnknownUser(username.to_owned()))?;
        let ttl = i64::try_from(ttl.as_secs()).unwrap_or(i64::MAX);
        self.issue(user, false, ttl, now())
    }

    fn issue(&self, user: usize, temporary: bool, ttl: i64, now: i64) -> Result<String, SandboxError> {
        let exp = now.saturating_add(ttl);
        let claims = Claims {
            exp,
            iat: now,
            sub: self.users[user].id.clone(),
            jti: random_jti()?,
            authz: Authz { groups: if temporary { Vec::new() } else { self.users[user].groups.clone() } },
        };
        let token = self.signer.sign(&claims)?;
        let mut live = lock(&self.live);
        if live.len() >= PRUNE_AT {
            live.retain(|_, l| l.exp > now);
        }
        live.insert(claims.jti, Live { user, temporary, exp });
        Ok(token)
    }

    /// Every user token stops working.
    pub fn revoke_all(&self) {
        lock(&self.live).clear();
    }

    /// The machine token stops working.
    pub fn revoke_machine_token(&self) {
        self.machine_revoked.store(true, Ordering::SeqCst);
    }

    /// Checks a JWT: signature, expiry, still live. Returns (jti, user, temporary).
    fn check_jwt(&self, token: &str, now: i64) -> GqlResult<(String, usize, bool)> {
        let claims = self
            .signer
            .verify(token)
            .map_err(|_| glosom::error(glosom::TOKEN_INVALID, "token invalid: not a token this Portal issued"))?;
        if claims.exp <= now {
            return Err(glosom::error(glosom::TOKEN_EXPIRED, "token expired: sign in again or refresh before expiry"));
        }
        let live = lock(&self.live);
        let Some(entry) = live.get(&claims.jti) else {
            return Err(glosom::error(glosom::TOKEN_INVALID, "token invalid: revoked or replaced"));
        };
        if self.users.get(entry.user).map(|u| u.id.as_str()) != Some(claims.sub.as_str()) {
            return Err(glosom::error(glosom::TOKEN_INVALID, "token invalid: subject mismatch"));
        }
        Ok((claims.jti, entry.user, entry.temporary))
    }

    /// The user a data request acts for: a valid, non-temporary user token or
    /// the machine token.
    pub fn authenticate(&self, credential: &Credential) -> GqlResult<&User> {
        let token = match credential {
            Credential::Missing => {
                return Err(glosom::error(
                    glosom::AUTHENTICATION_REQUIRED,
                    "authentication required: send 'Authorization: Bearer <token>'",
                ))
            }
            Credential::Unusable => {
                return Err(glosom::error(
                    glosom::TOKEN_INVALID,
                    "token invalid: the Authorization header is not 'Bearer <token>'",
                ))
            }
            Credential::Bearer(token) => token,
        };
        if !token.contains('.') {
            let machine = token == demo::MACHINE_TOKEN && !self.machine_revoked.load(Ordering::SeqCst);
            return match (machine, self.index_of(demo::MACHINE_USER)) {
                (true, Some(i)) => Ok(&self.users[i]),
                _ => Err(glosom::error(glosom::TOKEN_INVALID, "token invalid: unknown machine token")),
            };
        }
        let (_, user, temporary) = self.check_jwt(token, now())?;
        if temporary {
            return Err(glosom::error(
                glosom::SECOND_FACTOR_PENDING,
                "temporary token: complete the second factor before requesting data",
            ));
        }
        Ok(&self.users[user])
    }

    /// `auth_createAuthorization`: one of the three steps, told apart by the
    /// input. Returns the `auth_Authorization` object.
    pub fn authorize(&self, input: &AuthorizationInput) -> GqlResult<(Value, Step)> {
        let now = now();
        let present = |s: &Option<String>| s.is_some();
        let step = match (
            present(&input.password),
            present(&input.temporary_token),
            present(&input.otp_code),
            present(&input.refresh_token),
        ) {
            (true, false, false, false) => Step::Password,
            (false, true, true, false) => Step::SecondFactor,
            (false, false, false, true) => Step::Refresh,
            _ => {
                return Err(glosom::error(
                    glosom::INVALID_AUTHORIZATION_INPUT,
                    "invalid authorization input: give password; or temporaryToken and otpCode; \
                     or refreshToken",
                ))
            }
        };
        let internal = |e: SandboxError| async_graphql::Error::new(e.to_string());
        let user = self.index_of(&input.username);
        let answer = match step {
            Step::Password => {
                let password = input.password.as_deref().unwrap_or_default();
                let user = user
                    .filter(|&i| {
                        self.users[i].password.is_some_and(|p| constant_time_eq(p.as_bytes(), password.as_bytes()))
                    })
                    .ok_or_else(|| glosom::error(glosom::INVALID_CREDENTIALS, "invalid credentials"))?;
                let temporary = !matches!(self.users[user].otp, Otp::Off);
                let ttl = if temporary { self.token_ttl.min(TEMPORARY_TOKEN_TTL) } else { self.token_ttl };
                let token = self.issue(user, temporary, ttl, now).map_err(internal)?;
                self.answer(user, token, temporary)
            }
            Step::SecondFactor => {
                let (jti, user) = self.check_own(input, input.temporary_token.as_deref(), true, now)?;
                let secret = match self.users[user].otp {
                    Otp::Active { secret, .. } | Otp::Setup { secret } => secret,
                    // Temporary tokens are only issued to users with a second factor.
                    Otp::Off => {
                        return Err(glosom::error(glosom::INVALID_OTP, "this user has no second factor"));
                    }
                };
                let code = input.otp_code.as_deref().unwrap_or_default().trim();
                let time = u64::try_from(now).unwrap_or(0);
                if !totp::verify(secret, code, time) {
                    return Err(glosom::error(glosom::INVALID_OTP, "invalid or expired OTP code"));
                }
                lock(&self.live).remove(&jti);
                if matches!(self.users[user].otp, Otp::Setup { .. }) {
                    lock(&self.activations).entry(user).or_insert_with(|| format_time(now));
                }
                let token = self.issue(user, false, self.token_ttl, now).map_err(internal)?;
                self.answer(user, token, false)
            }
            Step::Refresh => {
                let (jti, user) = self.check_own(input, input.refresh_token.as_deref(), false, now)?;
                let token = self.issue(user, false, self.token_ttl, now).map_err(internal)?;
                lock(&self.live).remove(&jti);
                self.answer(user, token, false)
            }
        };
        Ok((answer, step))
    }

    /// Checks that `token` is a live token of the kind wanted that belongs to
    /// the input's user. Returns (jti, user).
    fn check_own(
        &self,
        input: &AuthorizationInput,
        token: Option<&str>,
        want_temporary: bool,
        now: i64,
    ) -> GqlResult<(String, usize)> {
        let token = token.unwrap_or_default();
        if !token.contains('.') {
            return Err(glosom::error(glosom::TOKEN_INVALID, "token invalid: not a user token"));
        }
        let (jti, user, temporary) = self.check_jwt(token, now)?;
        if self.users[user].username != input.username {
            return Err(glosom::error(glosom::TOKEN_INVALID, "token invalid: issued to another user"));
        }
        if temporary != want_temporary {
            let wanted = if want_temporary { "a temporary" } else { "a full" };
            return Err(glosom::error(glosom::TOKEN_INVALID, format!("token invalid: this step needs {wanted} token")));
        }
        Ok((jti, user))
    }

    fn answer(&self, user: usize, token: String, temporary: bool) -> Value {
        let u = &self.users[user];
        let (required, activated, svg) = match &u.otp {
            Otp::Off => (false, None, None),
            Otp::Active { activated, .. } => (true, Some(activated.to_string()), None),
            Otp::Setup { secret } => match lock(&self.activations).get(&user) {
                Some(at) => (true, Some(at.clone()), None),
                None => (true, None, Some(self.setup_qr_code(&u.username, secret))),
            },
        };
        json!({
            "user": u.value,
            "token": token,
            "isTemporaryToken": temporary,
            "otp": {"required": required, "activated": activated},
            "otpSVGQRCode": svg,
        })
    }

    /// The SVG QR code of the `otpauth://` URI an authenticator app scans.
    fn setup_qr_code(&self, username: &str, secret: &str) -> String {
        self.setup_svg
            .get_or_init(|| {
                let uri = format!(
                    "otpauth://totp/DCSO%20Portal%20Sandbox:{username}?secret={secret}\
                     &issuer=DCSO%20Portal%20Sandbox&algorithm=SHA1&digits=6&period=30"
                );
                match qrcode::QrCode::new(uri.as_bytes()) {
                    Ok(code) => code.render::<qrcode::render::svg::Color<'_>>().min_dimensions(200, 200).build(),
                    // Cannot happen for a URI this short; still a valid SVG.
                    Err(_) => PLACEHOLDER_SVG.to_owned(),
                }
            })
            .clone()
    }
}

const PLACEHOLDER_SVG: &str = r##"<?xml version="1.0" standalone="yes"?><svg xmlns="http://www.w3.org/2000/svg" width="200" height="200"><rect width="200" height="200" fill="#fff"/></svg>"##;

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn authorization_header_forms() {
        assert!(matches!(Credential::from_header(None), Credential::Missing));
        assert!(matches!(Credential::from_header(Some(b"Bearer abc")), Credential::Bearer(t) if t == "abc"));
        assert!(matches!(Credential::from_header(Some(b"bearer  abc ")), Credential::Bearer(t) if t == "abc"));
        assert!(matches!(Credential::from_header(Some(b"Basic abc")), Credential::Unusable));
        assert!(matches!(Credential::from_header(Some(b"Bearer ")), Credential::Unusable));
        assert!(matches!(Credential::from_header(Some(b"\xff\xfe")), Credential::Unusable));
    }

    #[test]
    fn demo_permissions() {
        let auth = Auth::new(&Organization::demo(), Duration::from_secs(60)).unwrap();
        let tdh: Vec<(&str, bool)> = auth.users.iter().map(|u| (u.username.as_str(), u.tdh)).collect();
        assert_eq!(tdh, [("alice", true), ("bob", true), ("carol", false), ("dave", true), ("sandbox-machine", true)]);
    }

    #[test]
    fn machine_account_cannot_sign_in_or_get_tokens() {
        let auth = Auth::new(&Organization::demo(), Duration::from_secs(60)).unwrap();
        assert!(auth.issue_for(demo::MACHINE_USER, Duration::from_secs(5)).is_err());
        let input = AuthorizationInput {
            username: demo::MACHINE_USER.into(),
            password: Some(String::new()),
            temporary_token: None,
            otp_code: None,
            refresh_token: None,
            resource: None,
        };
        assert!(auth.authorize(&input).is_err());
    }
}
