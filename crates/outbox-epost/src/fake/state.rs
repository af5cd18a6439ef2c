//! The fake's mutable state: account, clock, tokens, letters, faults and rate-limit timers.

use std::collections::HashMap;
use std::hash::{BuildHasher, Hasher};
use std::sync::{Mutex, MutexGuard};
use std::time::Instant;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::{Datelike, NaiveDate, NaiveDateTime, TimeDelta, Utc};

use super::config::{ClockMode, FakeConfig, Health};
use super::faults::{Endpoint, Fault, Fault99, ScriptedFault};
use super::letter::StoredLetter;

/// The first letter id the fake hands out (real ids have about 8 digits).
const FIRST_LETTER_ID: i64 = 10_000_001;

/// A login token the fake issued.
#[derive(Debug, Clone)]
pub(crate) struct Token {
    /// The EKP of the account that logged in.
    pub(crate) ekp: String,
    pub(crate) expires_at: NaiveDateTime,
    pub(crate) sub_vendor_id: Option<String>,
}

/// One customer account (EKP) and everything the fake tracks per account.
#[derive(Debug, Clone)]
pub(crate) struct Account {
    pub(crate) ekp: String,
    /// `(secret, password)` once the account is activated.
    pub(crate) credentials: Option<(String, String)>,
    pub(crate) blocked: bool,
    /// The last SMS code "sent" and when.
    pub(crate) sms: Option<(String, NaiveDateTime)>,
    pub(crate) sms_requests: Vec<NaiveDateTime>,
    pub(crate) sms_blocked_until: Option<NaiveDateTime>,
    pub(crate) last_status_call: Option<NaiveDateTime>,
    pub(crate) last_test_result_call: Option<NaiveDateTime>,
}

impl Account {
    pub(crate) fn new(ekp: String, credentials: Option<(String, String)>) -> Self {
        Self {
            ekp,
            credentials,
            blocked: false,
            sms: None,
            sms_requests: Vec::new(),
            sms_blocked_until: None,
            last_status_call: None,
            last_test_result_call: None,
        }
    }
}

/// Everything behind the fake's one lock.
#[derive(Debug)]
pub(crate) struct State {
    pub(crate) config: FakeConfig,
    real_start: Instant,
    start: NaiveDateTime,
    offset: TimeDelta,
    /// The accounts; the first is the one of [`FakeConfig::ekp`].
    pub(crate) accounts: Vec<Account>,
    /// The SMS code sent last, to any account.
    pub(crate) last_sms: Option<String>,
    pub(crate) tokens: HashMap<String, Token>,
    pub(crate) letters: Vec<StoredLetter>,
    next_id: i64,
    pub(crate) faults: Vec<ScriptedFault>,
    pub(crate) reject_rule: Option<Fault99>,
    pub(crate) last_health_call: Option<NaiveDateTime>,
    pub(crate) health: Health,
    pub(crate) request_counts: HashMap<Endpoint, usize>,
}

impl State {
    pub(crate) fn new(config: FakeConfig) -> Self {
        let start = config.start_time.unwrap_or_else(|| {
            let now = german_local_time(Utc::now().naive_utc());
            // Whole milliseconds, as the wire shows them.
            now.checked_sub_signed(TimeDelta::nanoseconds(i64::from(
                now.and_utc().timestamp_subsec_nanos() % 1_000_000,
            )))
            .unwrap_or(now)
        });
        Self {
            accounts: vec![Account::new(config.ekp.clone(), config.activated.clone())],
            last_sms: None,
            config,
            real_start: Instant::now(),
            start,
            offset: TimeDelta::zero(),
            tokens: HashMap::new(),
            letters: Vec::new(),
            next_id: FIRST_LETTER_ID,
            faults: Vec::new(),
            reject_rule: None,
            last_health_call: None,
            health: Health::Ok,
            request_counts: HashMap::new(),
        }
    }

    /// The account with this EKP.
    pub(crate) fn account(&self, ekp: &str) -> Option<&Account> {
        self.accounts.iter().find(|a| a.ekp == ekp)
    }

    /// The account with this EKP, mutable.
    pub(crate) fn account_mut(&mut self, ekp: &str) -> Option<&mut Account> {
        self.accounts.iter_mut().find(|a| a.ekp == ekp)
    }

    /// The fake clock.
    pub(crate) fn now(&self) -> NaiveDateTime {
        let real = match self.config.clock {
            ClockMode::Running => {
                TimeDelta::from_std(self.real_start.elapsed()).unwrap_or(TimeDelta::zero())
            }
            ClockMode::Frozen => TimeDelta::zero(),
        };
        self.start
            .checked_add_signed(self.offset + real)
            .unwrap_or(NaiveDateTime::MAX)
    }

    pub(crate) fn advance(&mut self, by: std::time::Duration) {
        self.offset += TimeDelta::from_std(by).unwrap_or(TimeDelta::MAX);
    }

    /// Makes every issued token expired (`401 E101` from now on).
    pub(crate) fn expire_tokens(&mut self) {
        let now = self.now();
        for t in self.tokens.values_mut() {
            t.expires_at = t.expires_at.min(now);
        }
    }

    pub(crate) fn next_letter_id(&mut self) -> i64 {
        let id = self.next_id;
        self.next_id += 1;
        id
    }

    /// Takes one use of the first scripted fault that applies to `endpoint`.
    pub(crate) fn take_fault(&mut self, endpoint: Endpoint) -> Option<Fault> {
        let i = self
            .faults
            .iter()
            .position(|f| f.remaining > 0 && f.endpoint.matches(endpoint))?;
        let fault = self.faults[i].fault.clone();
        self.faults[i].remaining -= 1;
        if self.faults[i].remaining == 0 {
            self.faults.remove(i);
        }
        Some(fault)
    }

    /// Records a call of a rate-limited group; `false` if the previous accepted call is less
    /// than `interval` ago on the fake clock (the rejected call does not restart the window).
    pub(crate) fn rate_ok(
        last: &mut Option<NaiveDateTime>,
        enabled: bool,
        now: NaiveDateTime,
        interval: TimeDelta,
    ) -> bool {
        if enabled && last.is_some_and(|t| now < t + interval) {
            return false;
        }
        *last = Some(now);
        true
    }
}

/// German local time (CET, or CEST between the last Sundays of March and October at 01:00 UTC),
/// which the API's offset-less date-times most likely are (reference §0).
pub(crate) fn german_local_time(utc: NaiveDateTime) -> NaiveDateTime {
    let year = utc.year();
    let switch = |month: u32| last_sunday(year, month).and_then(|d| d.and_hms_opt(1, 0, 0));
    let summer = match (switch(3), switch(10)) {
        (Some(start), Some(end)) => utc >= start && utc < end,
        _ => false,
    };
    utc + TimeDelta::hours(if summer { 2 } else { 1 })
}

fn last_sunday(year: i32, month: u32) -> Option<NaiveDate> {
    let first_of_next = NaiveDate::from_ymd_opt(year, month + 1, 1)?;
    let last = first_of_next.pred_opt()?;
    last.checked_sub_signed(TimeDelta::days(i64::from(
        last.weekday().num_days_from_sunday(),
    )))
}

/// The lock around [`State`], shared by the handlers and the [`FakeEpost`](super::FakeEpost)
/// handle.
#[derive(Debug)]
pub(crate) struct Shared {
    state: Mutex<State>,
}

impl Shared {
    pub(crate) fn new(config: FakeConfig) -> Self {
        Self {
            state: Mutex::new(State::new(config)),
        }
    }

    /// The state. A panicking holder cannot leave it half-updated in a way that matters for a
    /// test double, so a poisoned lock is simply taken over.
    pub(crate) fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// `n` random bytes from the OS, falling back to std's randomly keyed hasher (never panics).
pub(crate) fn random_bytes(n: usize) -> Vec<u8> {
    let mut buf = vec![0u8; n];
    if getrandom::fill(&mut buf).is_err() {
        for (i, chunk) in buf.chunks_mut(8).enumerate() {
            let mut h = std::collections::hash_map::RandomState::new().build_hasher();
            h.write_usize(i);
            let v = h.finish().to_le_bytes();
            chunk.copy_from_slice(&v[..chunk.len()]);
        }
    }
    buf
}

/// A random UUID v4 string (the format of the real `secret`).
pub(crate) fn random_uuid() -> String {
    let mut b = random_bytes(16);
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    let hex: String = b.iter().map(|x| format!("{x:02x}")).collect();
    format!(
        "{}-{}-{}-{}-{}",
        &hex[0..8],
        &hex[8..12],
        &hex[12..16],
        &hex[16..20],
        &hex[20..32]
    )
}

/// A random 6-digit SMS code.
pub(crate) fn random_sms_code() -> String {
    let b = random_bytes(4);
    let n = u32::from_le_bytes([b[0], b[1], b[2], b[3]]) % 1_000_000;
    format!("{n:06}")
}

/// A JWT-shaped token (header.payload.signature, base64url). The signature is random: the fake
/// recognises its tokens by lookup, and clients must treat tokens as opaque anyway. `exp` is
/// on the fake clock.
pub(crate) fn jwt_like_token(ekp: &str, expires_at: NaiveDateTime) -> String {
    let header = URL_SAFE_NO_PAD.encode(br#"{"alg":"HS256","typ":"JWT"}"#);
    let jti: String = random_bytes(12)
        .iter()
        .map(|x| format!("{x:02x}"))
        .collect();
    let payload = serde_json::json!({
        "sub": ekp,
        "exp": expires_at.and_utc().timestamp(),
        "jti": jti,
        "iss": "fake-epost",
    });
    let payload = URL_SAFE_NO_PAD.encode(payload.to_string());
    let sig = URL_SAFE_NO_PAD.encode(random_bytes(32));
    format!("{header}.{payload}.{sig}")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(s: &str) -> NaiveDateTime {
        NaiveDateTime::parse_from_str(s, "%Y-%m-%dT%H:%M:%S").unwrap()
    }

    #[test]
    fn german_local_time_follows_cet_and_cest() {
        assert_eq!(
            german_local_time(t("2026-01-15T12:00:00")),
            t("2026-01-15T13:00:00")
        );
        assert_eq!(
            german_local_time(t("2026-07-01T12:00:00")),
            t("2026-07-01T14:00:00")
        );
        // 2026: summer time from 29 March 01:00 UTC to 25 October 01:00 UTC.
        assert_eq!(
            german_local_time(t("2026-03-29T00:59:59")),
            t("2026-03-29T01:59:59")
        );
        assert_eq!(
            german_local_time(t("2026-03-29T01:00:00")),
            t("2026-03-29T03:00:00")
        );
        assert_eq!(
            german_local_time(t("2026-10-25T00:59:59")),
            t("2026-10-25T02:59:59")
        );
        assert_eq!(
            german_local_time(t("2026-10-25T01:00:00")),
            t("2026-10-25T02:00:00")
        );
    }

    #[test]
    fn rate_window_counts_from_the_last_accepted_call() {
        let mut last = None;
        let five = TimeDelta::seconds(5);
        let t0 = t("2026-01-05T09:00:00");
        assert!(State::rate_ok(&mut last, true, t0, five));
        assert!(!State::rate_ok(
            &mut last,
            true,
            t0 + TimeDelta::seconds(4),
            five
        ));
        assert!(State::rate_ok(&mut last, true, t0 + five, five));
        assert!(
            State::rate_ok(&mut last, false, t0 + five, five),
            "switched off"
        );
    }
}
