//! When and how long to wait before sending a query again.

use std::sync::Mutex;
use std::time::{Duration, SystemTime};

/// How failed calls are retried. Only queries are retried; a mutation is sent
/// again only when its connection failed before anything was sent.
///
/// Retried: connection failures, attempt timeouts, and HTTP 408, 429, 502, 503,
/// 504. Never: other statuses, GraphQL errors, decoding errors. Waits use
/// exponential backoff with full jitter (a random wait between zero and
/// `base × 2^retry`, capped), or the server's `Retry-After` when it sends one; a
/// `Retry-After` longer than [`max_retry_after`](RetryPolicy::max_retry_after)
/// fails the call at once with [`Error::RateLimited`](crate::Error::RateLimited).
/// No wait runs past the call's overall deadline
/// ([`ClientBuilder::timeout`](crate::ClientBuilder::timeout)): when it would, the
/// call ends at once with the last error (or `RateLimited` for a `Retry-After`).
///
/// A retry budget shared by all calls of a client keeps an always-failing server
/// from being flooded: it starts with 5 retries in hand, every call adds 0.2 and
/// every retry spends 1, so retries add at most about 20% (plus 5) to the
/// requests a client sends, however many calls run at once.
///
/// ```
/// use std::time::Duration;
/// use dcso_portal::RetryPolicy;
///
/// let policy = RetryPolicy::default().max_attempts(5).backoff(Duration::from_millis(50), Duration::from_secs(2));
/// let none = RetryPolicy::none();
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct RetryPolicy {
    pub(crate) max_attempts: u32,
    pub(crate) base_delay: Duration,
    pub(crate) max_delay: Duration,
    pub(crate) max_retry_after: Duration,
    pub(crate) budget: bool,
}

impl Default for RetryPolicy {
    /// 3 attempts, backoff from 200 ms capped at 5 s, `Retry-After` up to 30 s, budget on.
    fn default() -> Self {
        RetryPolicy {
            max_attempts: 3,
            base_delay: Duration::from_millis(200),
            max_delay: Duration::from_secs(5),
            max_retry_after: Duration::from_secs(30),
            budget: true,
        }
    }
}

impl RetryPolicy {
    /// No retries: every call is sent once.
    pub fn none() -> Self {
        RetryPolicy { max_attempts: 1, ..RetryPolicy::default() }
    }

    /// How many attempts a call may make in all (at least 1; 1 disables retries).
    pub fn max_attempts(mut self, attempts: u32) -> Self {
        self.max_attempts = attempts.max(1);
        self
    }

    /// The backoff: the first retry waits up to `base`, each further one up to
    /// twice as long, never more than `max`.
    pub fn backoff(mut self, base: Duration, max: Duration) -> Self {
        self.base_delay = base;
        self.max_delay = max.max(base);
        self
    }

    /// The longest `Retry-After` the client honours; a longer one fails the call.
    pub fn max_retry_after(mut self, max: Duration) -> Self {
        self.max_retry_after = max;
        self
    }

    /// Turns the shared retry budget on (the default) or off.
    pub fn budget(mut self, enabled: bool) -> Self {
        self.budget = enabled;
        self
    }

    /// The wait before retry number `retry` (1 for the first retry).
    pub(crate) fn backoff_delay(&self, retry: u32) -> Duration {
        let exp = self.base_delay.saturating_mul(1u32 << retry.saturating_sub(1).min(20));
        let ceiling = exp.min(self.max_delay);
        ceiling.mul_f64(fastrand::f64())
    }
}

/// A token bucket of retries, shared by every call of one client.
#[derive(Debug)]
pub(crate) struct RetryBudget {
    tokens: Mutex<f64>,
}

const BUDGET_CAPACITY: f64 = 5.0;
const BUDGET_DEPOSIT: f64 = 0.2;

impl RetryBudget {
    pub(crate) fn new() -> Self {
        RetryBudget { tokens: Mutex::new(BUDGET_CAPACITY) }
    }

    /// Called once per call (not per attempt).
    pub(crate) fn deposit(&self) {
        let mut tokens = self.tokens.lock().unwrap_or_else(|e| e.into_inner());
        *tokens = (*tokens + BUDGET_DEPOSIT).min(BUDGET_CAPACITY);
    }

    /// Takes one retry from the budget, if there is one.
    pub(crate) fn withdraw(&self) -> bool {
        let mut tokens = self.tokens.lock().unwrap_or_else(|e| e.into_inner());
        if *tokens >= 1.0 {
            *tokens -= 1.0;
            true
        } else {
            false
        }
    }
}

/// Reads `Retry-After`: delay-seconds or an HTTP-date.
pub(crate) fn parse_retry_after(value: &str, now: SystemTime) -> Option<Duration> {
    let value = value.trim();
    if let Ok(secs) = value.parse::<u64>() {
        return Some(Duration::from_secs(secs));
    }
    let at = httpdate::parse_http_date(value).ok()?;
    Some(at.duration_since(now).unwrap_or(Duration::ZERO))
}

/// HTTP statuses worth another attempt.
pub(crate) fn is_retryable_status(status: u16) -> bool {
    matches!(status, 408 | 429 | 502 | 503 | 504)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retry_after_both_forms() {
        let now = SystemTime::UNIX_EPOCH + Duration::from_secs(1_445_412_480);
        assert_eq!(parse_retry_after("120", now), Some(Duration::from_secs(120)));
        assert_eq!(parse_retry_after(" 0 ", now), Some(Duration::ZERO));
        assert_eq!(parse_retry_after("Wed, 21 Oct 2015 07:28:30 GMT", now), Some(Duration::from_secs(30)));
        assert_eq!(parse_retry_after("Wed, 21 Oct 2015 07:27:00 GMT", now), Some(Duration::ZERO));
        assert_eq!(parse_retry_after("soon", now), None);
        assert_eq!(parse_retry_after("-5", now), None);
    }

    #[test]
    fn backoff_is_capped_and_jittered() {
        let policy = RetryPolicy::default().backoff(Duration::from_millis(100), Duration::from_secs(1));
        for retry in 1..40 {
            let d = policy.backoff_delay(retry);
            let ceiling = Duration::from_millis(100 * (1u64 << (retry - 1).min(20))).min(Duration::from_secs(1));
            assert!(d <= ceiling, "retry {retry}: {d:?} > {ceiling:?}");
        }
    }

    #[test]
    fn budget_allows_about_a_fifth_extra() {
        let budget = RetryBudget::new();
        let mut retries = 0;
        for _ in 0..1000 {
            budget.deposit();
            while budget.withdraw() {
                retries += 1;
            }
        }
        assert!((200..=206).contains(&retries), "{retries}");
    }
}
