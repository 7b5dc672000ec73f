//! The token the client sends, and the `Authorization` header made from it once.

use std::sync::{Arc, RwLock};

use reqwest::header::HeaderValue;

use crate::error::Error;
use crate::token::Token;

/// A token ready to send.
pub(crate) struct Credential {
    pub(crate) token: Token,
    /// `Bearer <token>`, marked sensitive so HTTP-level logging never shows it.
    pub(crate) header: HeaderValue,
    /// The user name to refresh with, for a user token obtained by signing in;
    /// `None` for tokens that are never refreshed (machine tokens, tokens set by hand).
    pub(crate) refresh_as: Option<String>,
}

impl Credential {
    pub(crate) fn new(token: Token, refresh_as: Option<String>) -> Result<Self, Error> {
        let mut header = HeaderValue::try_from(format!("Bearer {}", token.expose_secret())).map_err(|_| {
            Error::config("the token contains characters that cannot be sent in an HTTP header")
        })?;
        header.set_sensitive(true);
        Ok(Credential { token, header, refresh_as })
    }
}

/// The client's current credential, shared by every clone of the client.
#[derive(Default)]
pub(crate) struct Session {
    current: RwLock<Option<Arc<Credential>>>,
}

impl Session {
    pub(crate) fn new(credential: Option<Credential>) -> Self {
        Session { current: RwLock::new(credential.map(Arc::new)) }
    }

    /// The credential to send now, if any.
    pub(crate) fn current(&self) -> Option<Arc<Credential>> {
        self.current.read().unwrap_or_else(|e| e.into_inner()).clone()
    }

    /// Replaces the credential.
    pub(crate) fn set(&self, credential: Option<Credential>) {
        *self.current.write().unwrap_or_else(|e| e.into_inner()) = credential.map(Arc::new);
    }
}
