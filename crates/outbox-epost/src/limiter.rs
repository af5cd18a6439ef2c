//! The per-account limit on status calls: one call per interval (5 s), longer after the
//! provider said "too frequent" (`E322`/429).

use std::time::Duration;

use tokio::sync::Mutex;
use tokio::time::Instant;

/// Longest backoff after repeated "too frequent" answers.
const MAX_BACKOFF: Duration = Duration::from_secs(300);

/// Spaces the status calls of one account.
///
/// Callers reserve a slot with [`acquire`](Self::acquire); concurrent callers get successive
/// slots, so no two calls are closer than the interval. After a "too frequent" answer,
/// [`backoff`](Self::backoff) pushes the next slot out (honouring `Retry-After`, else doubling
/// up to 5 minutes); a successful call resets the backoff. The engine can ask
/// [`ready_in`](Self::ready_in) to skip a poll instead of waiting.
///
/// This limits one process. Several workers sharing one account must also coordinate through
/// the store (the engine does that).
#[derive(Debug)]
pub struct StatusLimiter {
    interval: Duration,
    state: Mutex<State>,
}

#[derive(Debug)]
struct State {
    next: Option<Instant>,
    backoff: Duration,
}

impl StatusLimiter {
    /// A limiter allowing one call per `interval`.
    pub fn new(interval: Duration) -> Self {
        Self {
            interval,
            state: Mutex::new(State {
                next: None,
                backoff: interval,
            }),
        }
    }

    /// The configured interval.
    pub fn interval(&self) -> Duration {
        self.interval
    }

    /// How long until the next call is allowed (zero when now).
    pub async fn ready_in(&self) -> Duration {
        let st = self.state.lock().await;
        st.next
            .map(|n| n.saturating_duration_since(Instant::now()))
            .unwrap_or_default()
    }

    /// Reserves the next slot and waits for it, unless that is more than `max_wait` away:
    /// then nothing is reserved and the wait is returned as the error.
    pub async fn acquire(&self, max_wait: Duration) -> Result<(), Duration> {
        let slot = {
            let mut st = self.state.lock().await;
            let now = Instant::now();
            let slot = st.next.map_or(now, |n| n.max(now));
            let wait = slot - now;
            if wait > max_wait {
                return Err(wait);
            }
            st.next = Some(slot + self.interval);
            slot
        };
        tokio::time::sleep_until(slot).await;
        Ok(())
    }

    /// The provider said "too frequent": no call before `retry_after` (or the doubled
    /// backoff when it gave none). Returns the delay applied.
    pub async fn backoff(&self, retry_after: Option<Duration>) -> Duration {
        let mut st = self.state.lock().await;
        let delay = match retry_after {
            // A provider's Retry-After is trusted up to the longest backoff, never further.
            Some(d) => d.max(self.interval).min(MAX_BACKOFF.max(self.interval)),
            None => {
                let d = st.backoff;
                st.backoff = (st.backoff * 2).min(MAX_BACKOFF);
                d
            }
        };
        let until = Instant::now() + delay;
        st.next = Some(st.next.map_or(until, |n| n.max(until)));
        delay
    }

    /// A call succeeded: the backoff starts again from the interval.
    pub async fn succeeded(&self) {
        self.state.lock().await.backoff = self.interval;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test(start_paused = true)]
    async fn calls_are_spaced_by_the_interval() {
        let l = StatusLimiter::new(Duration::from_secs(5));
        let t0 = Instant::now();
        l.acquire(Duration::from_secs(10)).await.unwrap();
        assert_eq!(Instant::now() - t0, Duration::ZERO);
        assert_eq!(l.ready_in().await, Duration::from_secs(5));
        l.acquire(Duration::from_secs(10)).await.unwrap();
        assert_eq!(Instant::now() - t0, Duration::from_secs(5));
        // Too far away: refused without reserving.
        assert_eq!(
            l.acquire(Duration::from_secs(1)).await,
            Err(Duration::from_secs(5))
        );
        assert_eq!(l.ready_in().await, Duration::from_secs(5));
    }

    #[tokio::test(start_paused = true)]
    async fn concurrent_callers_get_successive_slots() {
        let l = std::sync::Arc::new(StatusLimiter::new(Duration::from_secs(5)));
        let t0 = Instant::now();
        let tasks: Vec<_> = (0..3)
            .map(|_| {
                let l = l.clone();
                tokio::spawn(async move {
                    l.acquire(Duration::from_secs(60)).await.unwrap();
                    Instant::now()
                })
            })
            .collect();
        let mut times = Vec::new();
        for t in tasks {
            times.push(t.await.unwrap() - t0);
        }
        times.sort();
        assert_eq!(
            times,
            [0, 5, 10].map(Duration::from_secs).to_vec(),
            "three calls need three slots"
        );
    }

    #[tokio::test(start_paused = true)]
    async fn backoff_doubles_honours_retry_after_and_resets() {
        let l = StatusLimiter::new(Duration::from_secs(5));
        assert_eq!(l.backoff(None).await, Duration::from_secs(5));
        assert_eq!(l.backoff(None).await, Duration::from_secs(10));
        assert_eq!(l.backoff(None).await, Duration::from_secs(20));
        assert_eq!(l.ready_in().await, Duration::from_secs(20));
        assert_eq!(
            l.backoff(Some(Duration::from_secs(60))).await,
            Duration::from_secs(60)
        );
        assert_eq!(l.ready_in().await, Duration::from_secs(60));
        // An absurd Retry-After cannot lock the account out (or overflow the clock).
        assert_eq!(
            l.backoff(Some(Duration::from_secs(u64::MAX))).await,
            MAX_BACKOFF
        );
        l.succeeded().await;
        assert_eq!(l.backoff(None).await, Duration::from_secs(5));
        for _ in 0..20 {
            l.backoff(None).await;
        }
        assert!(l.backoff(None).await <= MAX_BACKOFF);
    }
}
