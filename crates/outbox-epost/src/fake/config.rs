//! Configuration of a fake server: the account it knows, its clock and its status schedule.

use std::time::Duration;

use chrono::NaiveDateTime;

/// The vendor id the default fake accepts.
pub const DEFAULT_VENDOR_ID: &str = "FAKEVENDOR";
/// The EKP (10 digits) the default fake accepts.
pub const DEFAULT_EKP: &str = "5012345678";
/// The secret the default fake's pre-activated account holds (the spec's example secret).
pub const DEFAULT_SECRET: &str = "77831f6f-d39b-4d5b-a5ae-b4006f894179";
/// The password the default fake's pre-activated account holds.
pub const DEFAULT_PASSWORD: &str = "fake-password";

/// How the fake clock moves.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ClockMode {
    /// Fake time = start time + real time elapsed since start + everything passed to
    /// [`FakeEpost::advance`](super::FakeEpost::advance). Lets a real client poll every 5 s.
    #[default]
    Running,
    /// Fake time moves only through [`FakeEpost::advance`](super::FakeEpost::advance): fully
    /// deterministic tests.
    Frozen,
}

/// When letters move from one status to the next, measured on the fake clock from the previous
/// step. Defaults follow the reference §3.1 (minutes, hours, about a day).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StatusSchedule {
    /// Status 1 (accepted) → 2 (processed, PDF checks done). Default 5 min.
    pub processing: Duration,
    /// Status 2 → 3 (handed to the print centre; registered letters get their
    /// `registeredLetterID`). Default 2 h.
    pub print_upload: Duration,
    /// Status 3 → 4 (print centre reports "sent"; final and billable). Default 24 h.
    pub print_feedback: Duration,
    /// For registered letters, the time between tracking events after status 4:
    /// `POSTED`, then `IN_DELIVERY`, then a final code. Default 12 h.
    pub tracking_step: Duration,
}

impl Default for StatusSchedule {
    fn default() -> Self {
        Self {
            processing: Duration::from_secs(5 * 60),
            print_upload: Duration::from_secs(2 * 3600),
            print_feedback: Duration::from_secs(24 * 3600),
            tracking_step: Duration::from_secs(12 * 3600),
        }
    }
}

impl StatusSchedule {
    /// Every step takes `step` (handy for demos: `uniform(Duration::from_secs(10))`).
    pub fn uniform(step: Duration) -> Self {
        Self {
            processing: step,
            print_upload: step,
            print_feedback: step,
            tracking_step: step,
        }
    }
}

/// What `GET /api/Login/HealthCheck` reports.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum Health {
    /// `I501` "API-Status: OK".
    #[default]
    Ok,
    /// `W501` maintenance announced (the API still works), with the announcement text.
    MaintenanceAnnounced(String),
    /// `E501` "API-Status: Inaktiv".
    Inactive,
}

/// Configuration of a [`FakeEpost`](super::FakeEpost). `FakeConfig::default()` is a ready,
/// activated account with [`DEFAULT_VENDOR_ID`], [`DEFAULT_EKP`], [`DEFAULT_SECRET`] and
/// [`DEFAULT_PASSWORD`], a running clock, rate limits on and tokens valid for 1440 min.
#[derive(Debug, Clone)]
pub struct FakeConfig {
    /// The vendor id (`vendorID`) the fake accepts.
    pub vendor_id: String,
    /// The customer's EKP (`ekp`, 10 characters) the fake accepts.
    pub ekp: String,
    /// `Some((secret, password))`: the account is already activated. `None`: a client must first
    /// activate it with `smsRequest` + `setPassword`.
    pub activated: Option<(String, String)>,
    /// Fake time at start; `None` = the real time at start in German local time (CET/CEST),
    /// which the API's offset-less date-times most likely are.
    pub start_time: Option<NaiveDateTime>,
    /// How the clock moves.
    pub clock: ClockMode,
    /// Status timing.
    pub schedule: StatusSchedule,
    /// Upper bound of a token's lifetime (the login's `tokenDuration` can only shorten it).
    pub token_lifetime: Duration,
    /// Whether the documented rate limits apply (status group 5 s, HealthCheck 5 s,
    /// TestResult 2 s, per account, on the fake clock).
    pub rate_limits: bool,
    /// Whether the EKP is released for live letters; `false` makes letters without
    /// `testFlag` fail with `E319`, as for a new account.
    pub released_for_live: bool,
    /// Most test letters (`testFlag`) accepted per fake-clock day; more give `E320`.
    /// `None` (default): no limit.
    pub test_letters_per_day: Option<u32>,
}

impl Default for FakeConfig {
    fn default() -> Self {
        Self {
            vendor_id: DEFAULT_VENDOR_ID.to_owned(),
            ekp: DEFAULT_EKP.to_owned(),
            activated: Some((DEFAULT_SECRET.to_owned(), DEFAULT_PASSWORD.to_owned())),
            start_time: None,
            clock: ClockMode::Running,
            schedule: StatusSchedule::default(),
            token_lifetime: Duration::from_secs(1440 * 60),
            rate_limits: true,
            released_for_live: true,
            test_letters_per_day: None,
        }
    }
}

impl FakeConfig {
    /// A config whose account is not yet activated (test the SMS-code activation flow).
    pub fn not_activated() -> Self {
        Self {
            activated: None,
            ..Self::default()
        }
    }

    /// A config with a frozen clock starting at a fixed time (2026-01-05 09:00:00), for
    /// deterministic tests.
    pub fn deterministic() -> Self {
        Self {
            clock: ClockMode::Frozen,
            start_time: chrono::NaiveDate::from_ymd_opt(2026, 1, 5)
                .and_then(|d| d.and_hms_opt(9, 0, 0)),
            ..Self::default()
        }
    }
}
