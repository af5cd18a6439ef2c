//! Slows down password guessing: after too many failed logins for one login name, further
//! attempts are refused for a while without even checking the password.

use std::collections::HashMap;
use std::time::{Duration, Instant};

/// Most login names tracked at once; beyond it, entries whose lockout has passed are dropped.
const MAX_TRACKED: usize = 10_000;

#[derive(Debug, Clone, Copy)]
struct Failures {
    count: u32,
    last: Instant,
    locked_until: Option<Instant>,
}

#[derive(Debug)]
pub(crate) struct Throttle {
    max_failures: u32,
    lockout: Duration,
    by_login: HashMap<String, Failures>,
}

impl Throttle {
    pub(crate) fn new(max_failures: u32, lockout: Duration) -> Self {
        Self {
            max_failures,
            lockout,
            by_login: HashMap::new(),
        }
    }

    /// How long the login is still locked, if it is.
    pub(crate) fn locked_for(&self, login: &str, now: Instant) -> Option<Duration> {
        let until = self.by_login.get(login)?.locked_until?;
        (until > now).then(|| until - now)
    }

    /// Counts a failed attempt; locks the login once the limit is reached. Unknown logins are
    /// counted too, so locking reveals nothing about which logins exist.
    pub(crate) fn fail(&mut self, login: &str, now: Instant) {
        if self.max_failures == 0 {
            return;
        }
        if self.by_login.len() >= MAX_TRACKED && !self.by_login.contains_key(login) {
            let window = self.lockout;
            self.by_login.retain(|_, f| {
                f.locked_until.is_some_and(|u| u > now) || now.duration_since(f.last) < window
            });
        }
        let f = self.by_login.entry(login.to_owned()).or_insert(Failures {
            count: 0,
            last: now,
            locked_until: None,
        });
        // A lockout that has passed starts a fresh count.
        if f.locked_until.is_some_and(|u| u <= now) {
            f.count = 0;
            f.locked_until = None;
        }
        f.count += 1;
        f.last = now;
        if f.count >= self.max_failures {
            f.locked_until = Some(now + self.lockout);
        }
    }

    /// Forgets the failures of a login after it logged in.
    pub(crate) fn succeed(&mut self, login: &str) {
        self.by_login.remove(login);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn locks_after_the_limit_and_unlocks_after_the_lockout() {
        let mut t = Throttle::new(3, Duration::from_secs(60));
        let now = Instant::now();
        for _ in 0..2 {
            t.fail("anna", now);
        }
        assert_eq!(t.locked_for("anna", now), None);
        t.fail("anna", now);
        assert_eq!(t.locked_for("anna", now), Some(Duration::from_secs(60)));
        assert_eq!(t.locked_for("bob", now), None);
        let later = now + Duration::from_secs(61);
        assert_eq!(t.locked_for("anna", later), None);
        t.fail("anna", later);
        assert_eq!(
            t.locked_for("anna", later),
            None,
            "a new count after the lockout"
        );
        t.succeed("anna");
        assert!(t.by_login.is_empty());
    }

    #[test]
    fn tracking_is_bounded() {
        let mut t = Throttle::new(5, Duration::from_secs(1));
        let start = Instant::now();
        for i in 0..MAX_TRACKED {
            t.fail(&format!("user{i}"), start);
        }
        t.fail("late", start + Duration::from_secs(2));
        assert_eq!(t.by_login.len(), 1);
    }
}
