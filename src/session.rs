//! The token the client sends, the `Authorization` header made from it once, and
//! what automatic refresh needs to know about it.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant};

use reqwest::header::HeaderValue;

use crate::error::Error;
use crate::token::Token;

/// Who to refresh a user token as, and for which application.
#[derive(Clone)]
pub(crate) struct RefreshAs {
    /// The user name the Portal issued the token to (refresh names the user).
    pub(crate) username: String,
    /// The `resource` the token was obtained with, sent again when refreshing.
    pub(crate) resource: String,
}

/// A token ready to send.
pub(crate) struct Credential {
    pub(crate) token: Token,
    /// `Bearer <token>`, marked sensitive so HTTP-level logging never shows it.
    pub(crate) header: HeaderValue,
    /// For a user token obtained by signing in, who to refresh it as; `None` for
    /// tokens that are never refreshed (machine tokens, tokens set by hand).
    pub(crate) refresh_as: Option<RefreshAs>,
    /// Set once refreshing this token failed: it is not tried again, so a broken
    /// refresh costs one request, not one per call.
    refresh_failed: AtomicBool,
    /// Set when a refresh replaced this token: the Portal no longer accepts it, and a
    /// query rejected with it may be sent again with its successor.
    superseded: AtomicBool,
    /// A token that arrived already inside the refresh window (the Portal issues
    /// tokens that live shorter than the window) is not refreshed again before this,
    /// so such a Portal gets a refresh per half token lifetime, not one per request.
    not_before: Option<Instant>,
}

impl Credential {
    pub(crate) fn new(token: Token, refresh_as: Option<RefreshAs>) -> Result<Self, Error> {
        let mut header = HeaderValue::try_from(format!("Bearer {}", token.expose_secret()))
            .map_err(|_| Error::config("the token contains characters that cannot be sent in an HTTP header"))?;
        header.set_sensitive(true);
        Ok(Credential {
            token,
            header,
            refresh_as,
            refresh_failed: AtomicBool::new(false),
            superseded: AtomicBool::new(false),
            not_before: None,
        })
    }

    /// The credential for a token just obtained by refreshing, with `window` the
    /// client's refresh window.
    pub(crate) fn refreshed(token: Token, refresh_as: RefreshAs, window: Duration) -> Result<Self, Error> {
        let left = token.expires_in();
        let mut credential = Credential::new(token, Some(refresh_as))?;
        if left <= window {
            credential.not_before = Some(Instant::now() + left / 2);
        }
        Ok(credential)
    }

    /// True when automatic refresh may still be tried for this token.
    pub(crate) fn refreshable(&self) -> bool {
        self.refresh_as.is_some() && !self.refresh_failed.load(Ordering::Acquire)
    }

    /// True when the token should be refreshed before the next request.
    pub(crate) fn refresh_due(&self, window: Duration) -> bool {
        self.refreshable() && self.token.expires_in() <= window && self.not_before.is_none_or(|at| Instant::now() >= at)
    }

    pub(crate) fn refresh_failed(&self) -> bool {
        self.refresh_failed.load(Ordering::Acquire)
    }

    pub(crate) fn mark_refresh_failed(&self) {
        self.refresh_failed.store(true, Ordering::Release);
    }

    pub(crate) fn superseded(&self) -> bool {
        self.superseded.load(Ordering::Acquire)
    }
}

/// The client's current credential, shared by every clone of the client.
#[derive(Default)]
pub(crate) struct Session {
    current: RwLock<Option<Arc<Credential>>>,
    /// Held by the one task refreshing the token; the others wait on it and then
    /// use the token it obtained. Never held across anything but that refresh.
    refreshing: tokio::sync::Mutex<()>,
}

impl Session {
    pub(crate) fn new(credential: Option<Credential>) -> Self {
        Session { current: RwLock::new(credential.map(Arc::new)), refreshing: tokio::sync::Mutex::new(()) }
    }

    /// The credential to send now, if any.
    pub(crate) fn current(&self) -> Option<Arc<Credential>> {
        self.current.read().unwrap_or_else(|e| e.into_inner()).clone()
    }

    /// Replaces the credential.
    pub(crate) fn set(&self, credential: Option<Credential>) {
        *self.current.write().unwrap_or_else(|e| e.into_inner()) = credential.map(Arc::new);
    }

    /// Installs `fresh` as the successor of `stale`, unless the credential changed
    /// meanwhile (set or cleared by the caller, who then wins). Returns the credential
    /// current afterwards.
    pub(crate) fn replace(&self, stale: &Arc<Credential>, fresh: Credential) -> Option<Arc<Credential>> {
        let mut current = self.current.write().unwrap_or_else(|e| e.into_inner());
        if current.as_ref().is_some_and(|c| Arc::ptr_eq(c, stale)) {
            stale.superseded.store(true, Ordering::Release);
            *current = Some(Arc::new(fresh));
        }
        current.clone()
    }

    /// Waits for the right to refresh: one refresh at a time per client.
    pub(crate) async fn refresh_turn(&self) -> tokio::sync::MutexGuard<'_, ()> {
        self.refreshing.lock().await
    }
}
