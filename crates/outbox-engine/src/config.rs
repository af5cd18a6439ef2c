//! Engine settings: leases, timeouts, retries, polling.

use std::time::Duration;

use outbox_model::Language;

/// How transient failures are retried: exponential backoff with full jitter, capped.
#[derive(Debug, Clone, PartialEq)]
pub struct RetryPolicy {
    /// Delay before the first retry.
    pub base: Duration,
    /// Longest delay between two attempts.
    pub max_delay: Duration,
    /// Attempts in all (first send included) before a transient failure becomes final.
    pub max_attempts: u32,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        Self {
            base: Duration::from_secs(10),
            max_delay: Duration::from_secs(30 * 60),
            max_attempts: 8,
        }
    }
}

impl RetryPolicy {
    /// The delay before retrying after `attempt` (1-based) failed: a random point in
    /// `[d/2, d]` where `d = min(base · 2^(attempt-1), max_delay)`, so that many deliveries
    /// failing together do not retry together, yet none retries sooner than half the backoff.
    pub fn delay(&self, attempt: u32) -> Duration {
        let exp = attempt.saturating_sub(1).min(30);
        let d = self.base.saturating_mul(1u32 << exp).min(self.max_delay);
        let half = d / 2;
        let jitter_range = d.saturating_sub(half).as_millis() as u64;
        let jitter = if jitter_range == 0 {
            0
        } else {
            random_u64() % (jitter_range + 1)
        };
        half + Duration::from_millis(jitter)
    }
}

fn random_u64() -> u64 {
    let mut b = [0u8; 8];
    // A failing OS random source only makes the jitter predictable; the backoff still holds.
    let _ = getrandom::fill(&mut b);
    u64::from_le_bytes(b)
}

/// Settings of an [`Engine`](crate::Engine).
#[derive(Debug, Clone)]
pub struct EngineConfig {
    /// Name of this worker in leases and the audit log (host name and process id by default).
    pub worker_id: String,
    /// Deliveries claimed per round.
    pub batch: u32,
    /// How long a claim holds; must exceed `send_timeout` so a slow send never outlives its
    /// lease.
    pub lease: Duration,
    /// Longest a single channel call may take; a send that times out is an unknown outcome
    /// and is reconciled.
    pub send_timeout: Duration,
    /// Retries of transient failures.
    pub retry: RetryPolicy,
    /// Pause of an idle dispatcher before it looks for work again.
    pub idle_wait: Duration,
    /// Least time between two E-POST status queries of one account, across all workers
    /// (the provider allows one per 5 s).
    pub epost_poll_interval: Duration,
    /// Deliveries per poll request.
    pub poll_batch: u32,
    /// Language of reasons and messages.
    pub language: Language,
}

impl Default for EngineConfig {
    fn default() -> Self {
        Self {
            worker_id: default_worker_id(),
            batch: 16,
            lease: Duration::from_secs(5 * 60),
            send_timeout: Duration::from_secs(2 * 60),
            retry: RetryPolicy::default(),
            idle_wait: Duration::from_millis(500),
            epost_poll_interval: Duration::from_secs(5),
            poll_batch: 500,
            language: Language::De,
        }
    }
}

fn default_worker_id() -> String {
    let host = std::env::var("HOSTNAME").unwrap_or_else(|_| "worker".to_owned());
    format!("{host}-{}", std::process::id())
}
