//! The time source, injectable so that tests can move time: the store reads leases, lock
//! expiry and history times from it, the share service link expiry and cleanup.

use std::fmt;
use std::sync::{Arc, Mutex};

use chrono::{DateTime, Duration, Utc};

/// A source of the current time.
///
/// All workers sharing a PostgreSQL database compare lease expiries written by each other, so
/// their clocks should be synchronised (NTP); fencing tokens keep results correct even when a
/// clock is off, leases only decide *when* a delivery may be taken over.
pub trait Clock: Send + Sync + fmt::Debug {
    /// The current time.
    fn now(&self) -> DateTime<Utc>;
}

/// The system clock.
#[derive(Debug, Clone, Copy, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> DateTime<Utc> {
        Utc::now()
    }
}

/// A clock that stands still until moved; for tests and demos. Clones share one time, so a
/// test can hand a clone to the store and to the share service and move both at once.
///
/// ```
/// use chrono::{Duration, TimeZone, Utc};
/// use outbox_model::{Clock, ManualClock};
///
/// let clock = ManualClock::new(Utc.with_ymd_and_hms(2026, 12, 4, 9, 0, 0).unwrap());
/// let seen_by_the_store = clock.clone();
/// clock.advance(Duration::days(8));
/// assert_eq!(seen_by_the_store.now(), Utc.with_ymd_and_hms(2026, 12, 12, 9, 0, 0).unwrap());
/// ```
#[derive(Debug, Clone)]
pub struct ManualClock(Arc<Mutex<DateTime<Utc>>>);

impl ManualClock {
    /// A clock standing at `at`.
    pub fn new(at: DateTime<Utc>) -> Self {
        Self(Arc::new(Mutex::new(at)))
    }

    /// Moves the clock forward (or back, for a negative duration).
    pub fn advance(&self, by: Duration) {
        let mut t = self.0.lock().unwrap_or_else(|p| p.into_inner());
        *t += by;
    }

    /// Sets the clock.
    pub fn set(&self, at: DateTime<Utc>) {
        *self.0.lock().unwrap_or_else(|p| p.into_inner()) = at;
    }
}

impl Clock for ManualClock {
    fn now(&self) -> DateTime<Utc> {
        *self.0.lock().unwrap_or_else(|p| p.into_inner())
    }
}
