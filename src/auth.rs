//! Signing in: the password step, the TOTP second factor, and refresh — one
//! mutation (`CreateAuthorization`) with three kinds of input.

mod authentication;
mod refresh;

use std::sync::Arc;

use bytes::Bytes;
use secrecy::{ExposeSecret, SecretString};
use serde::ser::{SerializeMap, Serializer};
use serde::Serialize;

use crate::client::{Auth as RequestAuth, Client};
use crate::error::Error;
use crate::operations::{CreateAuthorization, Operation};
use crate::session::{Credential, RefreshAs};
use crate::token::Token;

pub use authentication::{Access, Authentication};

/// Signs in to the Portal and refreshes tokens. Get one from [`Client::auth`].
///
/// The three steps are the reference SDK's, all sent as the `CreateAuthorization`
/// mutation:
///
/// 1. [`authenticate`](Self::authenticate) with a user name and password. A user
///    without a second factor gets a token the client keeps and uses from then on;
///    a user with one gets a *temporary* token that only serves step 2 and is never
///    kept.
/// 2. [`second_factor_totp`](Self::second_factor_totp) with the temporary token and
///    the 6-digit code from the user's authenticator app.
/// 3. [`refresh`](Self::refresh) trades a still-valid user token for a new one; the
///    old one stops working. A token the client kept is refreshed automatically
///    shortly before it expires (see [`ClientBuilder::auto_refresh`](crate::ClientBuilder::auto_refresh)),
///    so calling this yourself is rarely needed.
///
/// Wrong credentials come back as [`Error::GraphQL`] with the Portal's GLOSOM code
/// (see [`Error::glosom`]); [`Error::is_auth`] is true for them.
///
/// ```no_run
/// use dcso_portal::Client;
///
/// # async fn run(read_code: impl Fn() -> String) -> Result<(), dcso_portal::Error> {
/// let client = Client::builder("https://portal.example.com/graphql").token_from_env(false).build()?;
/// let mut signed_in = client.auth().authenticate("alice", "secret password").await?;
/// if signed_in.is_temporary() {
///     // A second factor is required: the client did not keep the temporary token.
///     signed_in = client.auth().second_factor_totp("alice", signed_in.token(), &read_code()).await?;
/// }
/// println!("signed in as {}; token expires at {:?}", signed_in.username(), signed_in.token().expires_at());
/// # Ok(()) }
/// ```
#[derive(Debug, Clone, Copy)]
pub struct Auth<'a> {
    client: &'a Client,
}

/// Options of a sign-in step: the `resource` to name and whether the client keeps
/// the token it gets.
///
/// ```
/// use dcso_portal::SignInOptions;
///
/// // Sign in for another application and only hand the token back.
/// let options = SignInOptions::new().resource("my-dashboard").keep_token(false);
/// # let _ = options;
/// ```
#[derive(Debug, Clone)]
pub struct SignInOptions {
    resource: Option<String>,
    keep_token: bool,
}

impl Default for SignInOptions {
    fn default() -> Self {
        SignInOptions { resource: None, keep_token: true }
    }
}

impl SignInOptions {
    /// The defaults: the builder's [`resource`](crate::ClientBuilder::resource), and
    /// the token kept.
    ///
    /// ```
    /// let options = dcso_portal::SignInOptions::new();
    /// # let _ = options;
    /// ```
    pub fn new() -> Self {
        SignInOptions::default()
    }

    /// The `resource` sent, naming the application that asks (default: the
    /// client's, [`DEFAULT_RESOURCE`](crate::DEFAULT_RESOURCE) unless the builder
    /// set another). Refreshing a kept token sends the same resource again.
    ///
    /// ```
    /// let options = dcso_portal::SignInOptions::new().resource("soc-reports");
    /// # let _ = options;
    /// ```
    pub fn resource(mut self, resource: impl Into<String>) -> Self {
        self.resource = Some(resource.into());
        self
    }

    /// Whether the client keeps the token it gets and sends it with further
    /// requests (default `true`). A temporary token is never kept. A kept user
    /// token is refreshed automatically when the client's
    /// [`auto_refresh`](crate::ClientBuilder::auto_refresh) is on.
    ///
    /// ```
    /// let options = dcso_portal::SignInOptions::new().keep_token(false);
    /// # let _ = options;
    /// ```
    pub fn keep_token(mut self, keep: bool) -> Self {
        self.keep_token = keep;
        self
    }
}

impl Client {
    /// Signing in and refreshing tokens: see [`Auth`].
    ///
    /// ```no_run
    /// # async fn run(client: dcso_portal::Client) -> Result<(), dcso_portal::Error> {
    /// let signed_in = client.auth().authenticate("alice", "secret password").await?;
    /// assert_eq!(client.token().as_ref(), Some(signed_in.token()));
    /// # Ok(()) }
    /// ```
    pub fn auth(&self) -> Auth<'_> {
        Auth { client: self }
    }
}

impl<'a> Auth<'a> {
    /// Signs in with a user name and password (step 1), with the default
    /// [`SignInOptions`]: the client keeps the token unless it is temporary.
    ///
    /// For a user with a second factor the answer holds a temporary token
    /// ([`Authentication::is_temporary`]); pass it to
    /// [`second_factor_totp`](Self::second_factor_totp). Nothing is kept then, and
    /// the client's previous token, if any, stays in place.
    ///
    /// ```no_run
    /// # async fn run(client: dcso_portal::Client) -> Result<(), dcso_portal::Error> {
    /// let signed_in = client.auth().authenticate("alice", "secret password").await?;
    /// println!("{} ({})", signed_in.username(), signed_in.user_id());
    /// # Ok(()) }
    /// ```
    pub async fn authenticate(&self, username: &str, password: &str) -> Result<Authentication, Error> {
        self.authenticate_with(username, password, &SignInOptions::default()).await
    }

    /// [`authenticate`](Self::authenticate) with options.
    ///
    /// ```no_run
    /// use dcso_portal::SignInOptions;
    ///
    /// # async fn run(client: dcso_portal::Client) -> Result<(), dcso_portal::Error> {
    /// let options = SignInOptions::new().keep_token(false);
    /// let signed_in = client.auth().authenticate_with("alice", "secret password", &options).await?;
    /// assert!(client.token().is_none() || client.token().as_ref() != Some(signed_in.token()));
    /// # Ok(()) }
    /// ```
    pub async fn authenticate_with(
        &self,
        username: &str,
        password: &str,
        options: &SignInOptions,
    ) -> Result<Authentication, Error> {
        check_username(username)?;
        if password.is_empty() {
            return Err(Error::config("the password is empty"));
        }
        let password = SecretString::from(password);
        self.sign_in(username, Step::Password(&password), options, None).await
    }

    /// Completes a sign-in with a second factor (step 2): the temporary token from
    /// [`authenticate`](Self::authenticate) and the current 6-digit code of the
    /// user's authenticator app (TOTP). The client keeps the token it gets, unless
    /// [`second_factor_totp_with`](Self::second_factor_totp_with) says otherwise.
    ///
    /// ```no_run
    /// # async fn run(client: dcso_portal::Client) -> Result<(), dcso_portal::Error> {
    /// let first = client.auth().authenticate("bob", "secret password").await?;
    /// assert!(first.is_temporary() && first.otp_required());
    /// let signed_in = client.auth().second_factor_totp("bob", first.token(), "123456").await?;
    /// assert!(!signed_in.is_temporary());
    /// # Ok(()) }
    /// ```
    pub async fn second_factor_totp(
        &self,
        username: &str,
        temporary_token: &Token,
        code: &str,
    ) -> Result<Authentication, Error> {
        self.second_factor_totp_with(username, temporary_token, code, &SignInOptions::default()).await
    }

    /// [`second_factor_totp`](Self::second_factor_totp) with options.
    ///
    /// ```no_run
    /// use dcso_portal::SignInOptions;
    ///
    /// # async fn run(client: dcso_portal::Client, temporary: dcso_portal::Token) -> Result<(), dcso_portal::Error> {
    /// let options = SignInOptions::new().keep_token(false);
    /// let signed_in = client.auth().second_factor_totp_with("bob", &temporary, "123456", &options).await?;
    /// # let _ = signed_in;
    /// # Ok(()) }
    /// ```
    pub async fn second_factor_totp_with(
        &self,
        username: &str,
        temporary_token: &Token,
        code: &str,
        options: &SignInOptions,
    ) -> Result<Authentication, Error> {
        check_username(username)?;
        if !temporary_token.is_user() {
            return Err(Error::config(
                "the second factor needs the temporary user token from `authenticate`, not a machine token",
            ));
        }
        let code = code.trim();
        if code.is_empty() {
            return Err(Error::config("the one-time code is empty"));
        }
        let code = SecretString::from(code);
        self.sign_in(username, Step::SecondFactor { temporary_token, code: &code }, options, None).await
    }

    /// Trades a still-valid user token of `username` for a new one (step 3); the
    /// Portal stops accepting the old one. The client keeps the new token (the
    /// default; see [`refresh_with`](Self::refresh_with)), and a kept token is
    /// refreshed automatically before it expires, so calling this is rarely needed.
    ///
    /// ```no_run
    /// # async fn run(client: dcso_portal::Client) -> Result<(), dcso_portal::Error> {
    /// let token = client.token().expect("signed in");
    /// let renewed = client.auth().refresh("alice", &token).await?;
    /// assert_ne!(renewed.token(), &token);
    /// # Ok(()) }
    /// ```
    pub async fn refresh(&self, username: &str, token: &Token) -> Result<Authentication, Error> {
        self.refresh_with(username, token, &SignInOptions::default()).await
    }

    /// [`refresh`](Self::refresh) with options. With `keep_token(false)` the client's
    /// token is left alone: if it was the token refreshed, it no longer works.
    ///
    /// ```no_run
    /// use dcso_portal::SignInOptions;
    ///
    /// # async fn run(client: dcso_portal::Client, old: dcso_portal::Token) -> Result<(), dcso_portal::Error> {
    /// let renewed = client.auth().refresh_with("alice", &old, &SignInOptions::new().keep_token(false)).await?;
    /// # let _ = renewed;
    /// # Ok(()) }
    /// ```
    pub async fn refresh_with(
        &self,
        username: &str,
        token: &Token,
        options: &SignInOptions,
    ) -> Result<Authentication, Error> {
        check_username(username)?;
        if token.is_machine() {
            return Err(Error::config("a machine token cannot be refreshed; only user tokens (JWTs) can"));
        }
        if token.is_temporary() {
            return Err(Error::config(
                "a temporary token cannot be refreshed: complete the second factor with `second_factor_totp`",
            ));
        }
        // Wait for any automatic refresh, so this one does not race it with the same token.
        let _turn = self.client.inner.session.refresh_turn().await;
        let current = self.client.inner.session.current().filter(|c| &c.token == token);
        self.sign_in(username, Step::Refresh(token), options, current).await
    }

    /// Runs one step and, when asked and allowed, keeps the token. `replaces` is the
    /// client's credential when the step refreshed it.
    async fn sign_in(
        &self,
        username: &str,
        step: Step<'_>,
        options: &SignInOptions,
        replaces: Option<Arc<Credential>>,
    ) -> Result<Authentication, Error> {
        let resource = options.resource.as_deref().unwrap_or(&self.client.inner.resource);
        let authentication = self.exchange(username, step, resource).await?;
        if options.keep_token && !authentication.is_temporary() {
            let refresh_as =
                RefreshAs { username: authentication.username().to_owned(), resource: resource.to_owned() };
            let credential = Credential::new(authentication.token().clone(), Some(refresh_as))?;
            match replaces {
                Some(stale) => {
                    self.client.inner.session.replace(&stale, credential);
                }
                None => self.client.inner.session.set(Some(credential)),
            }
        }
        Ok(authentication)
    }

    /// Sends the `CreateAuthorization` mutation without the client's token (the
    /// input carries what the step needs) and outside automatic refresh, which
    /// itself calls this.
    pub(crate) async fn exchange(
        &self,
        username: &str,
        step: Step<'_>,
        resource: &str,
    ) -> Result<Authentication, Error> {
        let request = SignInRequest {
            query: CreateAuthorization::DOCUMENT,
            operation_name: CreateAuthorization::NAME,
            variables: SignInVariables { username, step, resource },
        };
        let body = serde_json::to_vec(&request)
            .map(Bytes::from)
            .map_err(|e| Error::config(format!("the sign-in input cannot be sent as JSON: {e}")))?;
        let data: <CreateAuthorization as Operation>::ResponseData = self
            .client
            .execute(body, CreateAuthorization::NAME, CreateAuthorization::KIND, RequestAuth::Anonymous)
            .await?;
        Authentication::from_answer(data.portalauth)
    }
}

fn check_username(username: &str) -> Result<(), Error> {
    if username.trim().is_empty() {
        return Err(Error::config("the user name is empty"));
    }
    Ok(())
}

/// Which step of `auth_AuthorizationInput` to send, with its secrets.
#[derive(Clone, Copy)]
pub(crate) enum Step<'a> {
    Password(&'a SecretString),
    SecondFactor { temporary_token: &'a Token, code: &'a SecretString },
    Refresh(&'a Token),
}

/// The request body. The generated `Variables` would hold the password as a plain
/// `String` with a derived `Debug`; this keeps secrets in their `SecretString`s and
/// exposes them only while the body is written.
#[derive(Serialize)]
struct SignInRequest<'a> {
    query: &'static str,
    #[serde(rename = "operationName")]
    operation_name: &'static str,
    variables: SignInVariables<'a>,
}

/// `{"input": auth_AuthorizationInput}`; the field names are the schema's, and a
/// unit test checks them against the generated input type.
struct SignInVariables<'a> {
    username: &'a str,
    step: Step<'a>,
    resource: &'a str,
}

impl Serialize for SignInVariables<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        struct Input<'b>(&'b SignInVariables<'b>);
        impl Serialize for Input<'_> {
            fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                let v = self.0;
                let mut map = serializer.serialize_map(None)?;
                map.serialize_entry("username", v.username)?;
                match v.step {
                    Step::Password(password) => map.serialize_entry("password", password.expose_secret())?,
                    Step::SecondFactor { temporary_token, code } => {
                        map.serialize_entry("temporaryToken", temporary_token.expose_secret())?;
                        map.serialize_entry("otpCode", code.expose_secret())?;
                    }
                    Step::Refresh(token) => map.serialize_entry("refreshToken", token.expose_secret())?,
                }
                map.serialize_entry("resource", v.resource)?;
                map.end()
            }
        }
        let mut map = serializer.serialize_map(Some(1))?;
        map.serialize_entry("input", &Input(self))?;
        map.end()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::operations::create_authorization::{auth_AuthorizationInput, Variables};
    use serde_json::Value;

    fn without_nulls(mut value: Value) -> Value {
        if let Value::Object(map) = &mut value {
            map.retain(|_, v| !v.is_null());
            for v in map.values_mut() {
                *v = without_nulls(v.take());
            }
        }
        value
    }

    fn generated(input: auth_AuthorizationInput) -> Value {
        without_nulls(serde_json::to_value(Variables { input }).expect("serializes"))
    }

    #[test]
    fn variables_match_the_generated_input_type() {
        let token = Token::parse("opaque-token").expect("machine token");
        let password = SecretString::from("pw");
        let code = SecretString::from("123456");
        let ours =
            |step| serde_json::to_value(SignInVariables { username: "u", step, resource: "r" }).expect("serializes");
        let base =
            || auth_AuthorizationInput { username: "u".into(), resource: Some("r".into()), ..Default::default() };
        assert_eq!(
            ours(Step::Password(&password)),
            generated(auth_AuthorizationInput { password: Some("pw".into()), ..base() })
        );
        assert_eq!(
            ours(Step::SecondFactor { temporary_token: &token, code: &code }),
            generated(auth_AuthorizationInput {
                temporary_token: Some("opaque-token".into()),
                otp_code: Some("123456".into()),
                ..base()
            })
        );
        assert_eq!(
            ours(Step::Refresh(&token)),
            generated(auth_AuthorizationInput { refresh_token: Some("opaque-token".into()), ..base() })
        );
    }

    #[test]
    fn options_debug_and_defaults() {
        let options = SignInOptions::default();
        assert!(options.keep_token && options.resource.is_none());
        let options = SignInOptions::new().resource("x").keep_token(false);
        assert!(!options.keep_token);
        assert_eq!(format!("{options:?}"), r#"SignInOptions { resource: Some("x"), keep_token: false }"#);
    }
}
