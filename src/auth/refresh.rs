//! Automatic refresh of a kept user token: before a request when the token is
//! about to expire, and once after the Portal answers that it has.
//!
//! Single flight: the task that finds the token due takes the session's refresh
//! turn, checks again that the token is still the one it saw, and refreshes; every
//! other task waiting for the turn then finds a new token and uses it. A refresh
//! that fails is remembered on the token, so it is tried once, not once per call.

use std::sync::Arc;

use tracing::Instrument as _;

use crate::client::Client;
use crate::error::Error;
use crate::glosom::GlosomGroup;
use crate::operations::OperationKind;
use crate::session::Credential;

use super::{Auth, Step};

/// A refresh under way, awaited by the request that needs it.
type RefreshFuture =
    std::pin::Pin<Box<dyn std::future::Future<Output = Result<Option<Arc<Credential>>, Error>> + Send>>;

/// GLOSOM code of the Portal's "token expired" error.
const TOKEN_EXPIRED: u32 = 0x2400_0301;
/// GLOSOM code of the Portal's "token invalid or revoked" error.
const TOKEN_INVALID: u32 = 0x2400_0401;

impl Client {
    /// The credential a request that carries the token should use: the current
    /// one, refreshed first when it is within the refresh window.
    pub(crate) async fn credential_for_request(&self) -> Result<Option<Arc<Credential>>, Error> {
        match self.inner.session.current() {
            Some(current) if self.inner.auto_refresh && current.refresh_due(self.inner.refresh_window) => {
                self.refresh_credential(current).await
            }
            other => Ok(other),
        }
    }

    /// After `error` answered a request sent with `sent`: the credential to send the
    /// request once more with, if that is what to do. Only queries are sent again,
    /// and only when the Portal rejected the token as expired (it is then refreshed)
    /// or as revoked because a refresh has replaced it meanwhile.
    pub(crate) async fn credential_for_replay(
        &self,
        error: &Error,
        kind: OperationKind,
        sent: Option<&Arc<Credential>>,
    ) -> Result<Option<Arc<Credential>>, Error> {
        let Some(sent) = sent else { return Ok(None) };
        if kind != OperationKind::Query || !self.inner.auto_refresh || sent.refresh_as.is_none() {
            return Ok(None);
        }
        let next = match token_rejection(error) {
            Some(Rejection::Expired) if sent.superseded() => self.inner.session.current(),
            Some(Rejection::Expired) if sent.refreshable() => self.refresh_credential(sent.clone()).await?,
            Some(Rejection::Invalid) if sent.superseded() => self.inner.session.current(),
            _ => None,
        };
        Ok(next.filter(|next| !Arc::ptr_eq(next, sent)))
    }

    /// Refreshes `stale` unless another task has already replaced it, and returns the
    /// credential to use. Fails with [`Error::Auth`] only for the task that tried.
    ///
    /// The refresh runs in its own task, so it completes even when the caller gives
    /// up (a timeout, a dropped future): the Portal revokes the old token as soon as
    /// it answers a refresh, and a refresh abandoned half-way would lose the new one.
    ///
    /// Boxed as a `Send` future: the refresh is itself a request, so its future
    /// type would otherwise contain itself.
    fn refresh_credential(&self, stale: Arc<Credential>) -> RefreshFuture {
        let client = self.clone();
        let task =
            tokio::spawn(async move { client.refresh_in_turn(stale).await }.instrument(tracing::Span::current()));
        Box::pin(async move {
            match task.await {
                Ok(result) => result,
                Err(failed) => Err(Error::Auth {
                    message: format!(
                        "the token refresh did not complete ({}); sign in again",
                        if failed.is_panic() { "it panicked" } else { "the runtime is shutting down" }
                    ),
                    source: None,
                }),
            }
        })
    }

    /// The refresh itself, in the session's single refresh turn.
    async fn refresh_in_turn(&self, stale: Arc<Credential>) -> Result<Option<Arc<Credential>>, Error> {
        let session = &self.inner.session;
        let _turn = session.refresh_turn().await;
        match session.current() {
            Some(current) if Arc::ptr_eq(&current, &stale) => {}
            // Refreshed, replaced or cleared while this task waited.
            other => return Ok(other),
        }
        let Some(refresh_as) = stale.refresh_as.clone() else { return Ok(Some(stale)) };
        if stale.refresh_failed() {
            // Tried and failed while this task waited: send the token as it is.
            return Ok(Some(stale));
        }
        tracing::debug!(expires_in_s = stale.token.expires_in().as_secs(), "refreshing the token");
        let auth = Auth { client: self };
        // Boxed: the exchange is itself a request, whose future would otherwise contain this one.
        let renewed = Box::pin(auth.exchange(&refresh_as.username, Step::Refresh(&stale.token), &refresh_as.resource))
            .await
            .and_then(|renewed| {
                if renewed.is_temporary() {
                    return Err(Error::invalid_response("the Portal answered a refresh with a temporary token"));
                }
                Credential::refreshed(renewed.into_token(), refresh_as.clone(), self.inner.refresh_window)
            });
        match renewed {
            Ok(fresh) => Ok(session.replace(&stale, fresh)),
            Err(cause) => {
                stale.mark_refresh_failed();
                tracing::warn!(error = %cause, "refreshing the token failed; it is not tried again for this token");
                Err(Error::Auth {
                    message: format!(
                        "could not refresh the token of {}; sign in again (automatic refresh stops for this token)",
                        refresh_as.username
                    ),
                    source: Some(Box::new(cause)),
                })
            }
        }
    }
}

enum Rejection {
    Expired,
    Invalid,
}

/// Whether the Portal rejected the request's token, and how.
fn token_rejection(error: &Error) -> Option<Rejection> {
    error.graphql_errors()?.iter().find_map(|e| {
        let code = e.code()?;
        match code.raw() {
            TOKEN_EXPIRED => Some(Rejection::Expired),
            TOKEN_INVALID => Some(Rejection::Invalid),
            // Other Portal services may number the error differently; the text is stable.
            _ if code.group() == GlosomGroup::Security
                && e.message().to_ascii_lowercase().contains("token expired") =>
            {
                Some(Rejection::Expired)
            }
            _ => None,
        }
    })
}
