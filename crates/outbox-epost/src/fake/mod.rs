//! A fake E-POSTBUSINESS API server (cargo feature `fake`) for tests and demos: a real HTTP
//! server (axum) on 127.0.0.1 that speaks the wire format of API v2.6.1 as the reference notes
//! describe it, with a controllable clock, scripted faults and introspection.
//!
//! # What it serves
//!
//! | endpoint | behaviour |
//! |---|---|
//! | `POST /api/Login/smsRequest` | `202` + JSON string; the code is in [`FakeEpost::last_sms_code`]; `401 E001` for a wrong vendor id/EKP, `429 E003` after 5 requests in 15 min |
//! | `POST /api/Login/setPassword` | `200` + the new secret as a quoted JSON string; `400 E001` for a wrong or expired (10 min) SMS code |
//! | `POST /api/Login` | `200 {"token"}`; `401 E001` wrong credentials, `E002` bad `vendorSubID`, `E004` blocked EKP; lifetime = min(`tokenDuration`, 1440 min, [`FakeConfig::token_lifetime`]) |
//! | `GET /api/Login/HealthCheck` | `200` + Error object `I501`/`W501`/`E501` ([`FakeEpost::set_health`]) |
//! | `POST /api/Letter` | `200 [{fileName, letterID}]`; synchronous checks below, `400` with the first error |
//! | `GET /api/Letter/{id}`, `POST /api/Letter/StatusQuery`, `GET /api/Letter/Batch`, `/Custom1`, `/Date`, `/Open`, `/Registered` | `LetterStatus` (array); `404 E201` for unknown/empty; the group shares one call per 5 s per account (`429 E322`) |
//! | `GET /api/Letter/TestResult?letterID=` | `LetterDataResult` for test letters in status 2, for 48 h; own limit 2 s |
//! | `GET /trackStatusCodes.json` | tracking codes with their `final` flag (as strings) |
//! | `GET /__fake/letters[?custom1=]`, `GET /__fake/sms-code`, `GET /__fake/clock`, `POST /__fake/advance`, `/__fake/fail-next`, `/__fake/reject-after-processing`, `/__fake/expire-tokens` | introspection and control over HTTP (no token) |
//!
//! Every `/api/Letter*` call needs `Authorization: Bearer <token>`; a missing, unknown or expired
//! token gives `401 E101`, so clients can test their re-login.
//!
//! # Letter checks
//!
//! Synchronous (`400`, whole request rejected with the first error, letters in array order):
//! body not a non-empty JSON array, unknown/misspelt field, wrong type, missing required field
//! or length outside the §2.2 limits → `E313` (the fake is stricter than the real API here, which
//! probably ignores unknown fields: exact wire names are what clients must send); `fileName`
//! with other characters than `[A-Za-z0-9._-]` → `E313`; duplicate `fileName` in the request →
//! `E309`; `data` not base64 (whitespace is ignored) or not starting with `%PDF-` → `E301`;
//! PDF over [`MAX_PDF_BYTES`] → `E303`; all PDFs over [`MAX_REQUEST_BYTES`] → `E316`; `coverData`
//! over [`MAX_COVER_BYTES`] → `E314`; bad `registeredLetter` → `E317`; duplex + registered →
//! `E312`; registered + foreign country → `E311`; unknown country → `E305`; domestic `zipCode`
//! not 5 digits, or `addressLine5` on a foreign address → `E306`; unknown plugin → `E601`;
//! a live letter while [`FakeConfig::released_for_live`] is off → `E319`; more test letters a
//! day than [`FakeConfig::test_letters_per_day`] → `E320`; the duplicate failsafe → `E324`. Warnings `W220` (obsolete return-receipt fields) and `W203` (`country` =
//! `DEUTSCHLAND`) are listed in the letter's `errorList`.
//!
//! After upload, at the processing step (status 1 → 2), the PDF checks made with lopdf
//! surface as status `99`: more than 94 pages (cover page included) → `E304`; first page A4
//! landscape → `E307`; any page not A4 portrait (595.276 × 841.89 pt ± 1 pt, `/Rotate` and
//! inherited `/MediaBox` honoured) → `E308`; a PDF header but unparsable → `E301`.
//!
//! # Accounts
//!
//! The fake starts with one customer account ([`FakeConfig::ekp`]); [`FakeEpost::add_account`]
//! adds more under the same vendor id (one per tenant). Tokens belong to the account that
//! logged in; letters, the status rate limit, the duplicate failsafe, the daily test limit,
//! SMS codes and blocking are per account, and the status endpoints only see the account's own
//! letters (another account's letter id gives `404 E201`).
//!
//! # Statuses and the clock
//!
//! Status is derived from the fake clock and the [`StatusSchedule`]: 1 at upload, 2 after
//! `processing`, 3 after `print_upload` (registered letters get a `registeredLetterID`), 4 after
//! `print_feedback` (`printFeedbackDate`, `frankierID`). Registered letters then run through
//! the tracking codes `POSTED`, `IN_DELIVERY` and a final one (`DELIVERED`, or `CONFIRMED` for
//! "Einschreiben Rückschein"), one per `tracking_step`. Test letters (`testFlag`) stay in 2.
//! [`FakeEpost::reject_after_processing`] makes letters end in 99 after 3 instead of 4.
//! Move the clock with [`FakeEpost::advance`]; with [`ClockMode::Running`] (default) it also
//! moves with real time.
//!
//! # Example
//!
//! ```
//! use std::time::Duration;
//! use outbox_epost::fake::{Endpoint, FakeEpost, Fault};
//!
//! # async fn demo() -> Result<(), Box<dyn std::error::Error>> {
//! let fake = FakeEpost::start().await?;
//! let http = reqwest::Client::new();
//!
//! // Log in with the credentials the fake accepts.
//! let login: serde_json::Value = http
//!     .post(format!("{}/api/Login", fake.base_url()))
//!     .json(&serde_json::json!({
//!         "vendorID": fake.vendor_id(),
//!         "ekp": fake.ekp(),
//!         "secret": fake.secret(),
//!         "password": fake.password(),
//!     }))
//!     .send()
//!     .await?
//!     .error_for_status()?
//!     .json()
//!     .await?;
//! assert!(login["token"].is_string());
//!
//! // Script a fault: the next status call gets 503.
//! fake.fail_next_on(Endpoint::Status, 1, Fault::Status(503));
//! fake.advance(Duration::from_secs(3600));
//! assert!(fake.letters().is_empty());
//! fake.shutdown().await;
//! # Ok(())
//! # }
//! # tokio::runtime::Runtime::new().unwrap().block_on(demo()).unwrap();
//! ```

mod codes;
mod config;
mod conn;
mod control;
mod countries;
mod faults;
mod letter;
mod login;
mod pdf_check;
mod server;
mod state;
mod status;
mod submit;
mod validate;
mod wire;

use std::net::{Ipv4Addr, SocketAddr};
use std::sync::Arc;
use std::time::Duration;

use chrono::NaiveDateTime;
use tokio::net::TcpListener;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

pub use config::{
    ClockMode, DEFAULT_EKP, DEFAULT_PASSWORD, DEFAULT_SECRET, DEFAULT_VENDOR_ID, FakeConfig,
    Health, StatusSchedule,
};
pub use faults::{Endpoint, Fault, Fault99};
pub use letter::{FakeLetter, LetterFields, PlugIn};
pub use validate::{MAX_COVER_BYTES, MAX_PDF_BYTES, MAX_REQUEST_BYTES};

use conn::{ConnInfo, KillableListener};
use faults::ScriptedFault;
use state::Shared;

/// Why the fake server could not start.
#[derive(Debug, thiserror::Error)]
pub enum FakeError {
    /// The address could not be bound (port in use, no permission).
    #[error(
        "fake E-POST server: cannot listen on {addr}: {source}; choose another port or use port 0"
    )]
    Bind {
        /// The address asked for.
        addr: SocketAddr,
        /// The OS error.
        source: std::io::Error,
    },
}

/// A running fake E-POSTBUSINESS server. Dropping it stops the server too; [`shutdown`]
/// additionally waits until it has stopped.
///
/// [`shutdown`]: FakeEpost::shutdown
#[derive(Debug)]
pub struct FakeEpost {
    shared: Arc<Shared>,
    addr: SocketAddr,
    stop: Option<oneshot::Sender<()>>,
    task: Option<JoinHandle<()>>,
}

impl FakeEpost {
    /// Starts a fake with [`FakeConfig::default`] on `127.0.0.1` and a free port.
    pub async fn start() -> Result<Self, FakeError> {
        Self::start_with(FakeConfig::default()).await
    }

    /// Starts a fake with [`FakeConfig::default`] on `addr`.
    pub async fn start_on(addr: SocketAddr) -> Result<Self, FakeError> {
        Self::start_with_on(FakeConfig::default(), addr).await
    }

    /// Starts a fake with `config` on `127.0.0.1` and a free port.
    pub async fn start_with(config: FakeConfig) -> Result<Self, FakeError> {
        Self::start_with_on(config, SocketAddr::from((Ipv4Addr::LOCALHOST, 0))).await
    }

    /// Starts a fake with `config` on `addr`.
    pub async fn start_with_on(config: FakeConfig, addr: SocketAddr) -> Result<Self, FakeError> {
        let bind_err = |source| FakeError::Bind { addr, source };
        let listener = TcpListener::bind(addr).await.map_err(bind_err)?;
        let bound = listener.local_addr().map_err(bind_err)?;
        let shared = Arc::new(Shared::new(config));
        let app =
            server::router(Arc::clone(&shared)).into_make_service_with_connect_info::<ConnInfo>();
        let (stop, stopped) = oneshot::channel::<()>();
        let serve =
            axum::serve(KillableListener::new(listener), app).with_graceful_shutdown(async move {
                let _ = stopped.await;
            });
        let task = tokio::spawn(async move {
            if let Err(e) = serve.await {
                tracing::warn!("fake E-POST server stopped with an error: {e}");
            }
        });
        Ok(Self {
            shared,
            addr: bound,
            stop: Some(stop),
            task: Some(task),
        })
    }

    /// The base URL to configure in a client, e.g. `http://127.0.0.1:40123` (no trailing `/`).
    pub fn base_url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// The bound socket address.
    pub fn local_addr(&self) -> SocketAddr {
        self.addr
    }

    /// The vendor id the fake accepts.
    pub fn vendor_id(&self) -> String {
        self.shared.lock().config.vendor_id.clone()
    }

    /// The EKP of the fake's first account ([`FakeConfig::ekp`]).
    pub fn ekp(&self) -> String {
        self.shared.lock().config.ekp.clone()
    }

    /// The first account's current secret (`None` until activated).
    pub fn secret(&self) -> Option<String> {
        self.secret_for(&self.ekp())
    }

    /// The first account's current password (`None` until activated).
    pub fn password(&self) -> Option<String> {
        self.password_for(&self.ekp())
    }

    /// The current secret of the account `ekp` (`None` if unknown or not activated).
    pub fn secret_for(&self, ekp: &str) -> Option<String> {
        let st = self.shared.lock();
        st.account(ekp)?
            .credentials
            .as_ref()
            .map(|(s, _)| s.clone())
    }

    /// The current password of the account `ekp` (`None` if unknown or not activated).
    pub fn password_for(&self, ekp: &str) -> Option<String> {
        let st = self.shared.lock();
        st.account(ekp)?
            .credentials
            .as_ref()
            .map(|(_, p)| p.clone())
    }

    /// Adds another customer account (same vendor id), e.g. for a second tenant.
    /// `activated`: `Some((secret, password))`, or `None` to activate it over the API.
    /// Each account has its own letters, status rate limit, SMS codes and block flag.
    /// Returns `false` (and changes nothing) if the EKP exists already.
    pub fn add_account(&self, ekp: &str, activated: Option<(String, String)>) -> bool {
        let mut st = self.shared.lock();
        if st.account(ekp).is_some() {
            return false;
        }
        st.accounts
            .push(state::Account::new(ekp.to_owned(), activated));
        true
    }

    /// The SMS code the fake "sent" on the last `smsRequest` of any account (cleared once
    /// used).
    pub fn last_sms_code(&self) -> Option<String> {
        self.shared.lock().last_sms.clone()
    }

    /// The fake clock's current time (offset-less, as on the wire).
    pub fn now(&self) -> NaiveDateTime {
        self.shared.lock().now()
    }

    /// Moves the fake clock forward: letters advance through their statuses, tokens expire,
    /// rate-limit windows and the duplicate window pass.
    pub fn advance(&self, by: Duration) {
        self.shared.lock().advance(by);
    }

    /// Sets the upper bound of the lifetime of tokens issued from now on.
    pub fn set_token_lifetime(&self, lifetime: Duration) {
        self.shared.lock().config.token_lifetime = lifetime;
    }

    /// Expires every token issued so far (`401 E101` on their next use).
    pub fn expire_tokens(&self) {
        self.shared.lock().expire_tokens();
    }

    /// Switches the rate limits (status group 5 s and TestResult 2 s per account, HealthCheck
    /// 5 s) on or off.
    pub fn set_rate_limits(&self, enabled: bool) {
        self.shared.lock().config.rate_limits = enabled;
    }

    /// Sets what the health check reports.
    pub fn set_health(&self, health: Health) {
        self.shared.lock().health = health;
    }

    /// Blocks (or unblocks) the first account's EKP: login and SMS requests answer
    /// `401 E004`.
    pub fn set_ekp_blocked(&self, blocked: bool) {
        self.set_account_blocked(&self.ekp(), blocked);
    }

    /// Blocks (or unblocks) the account `ekp`; `false` if there is no such account.
    pub fn set_account_blocked(&self, ekp: &str, blocked: bool) -> bool {
        match self.shared.lock().account_mut(ekp) {
            Some(account) => {
                account.blocked = blocked;
                true
            }
            None => false,
        }
    }

    /// Whether live letters are accepted (`false`: letters without `testFlag` → `E319`).
    pub fn set_released_for_live(&self, released: bool) {
        self.shared.lock().config.released_for_live = released;
    }

    /// Plays `fault` on the next `n` requests to any `/api/` endpoint.
    pub fn fail_next(&self, n: usize, fault: Fault) {
        self.fail_next_on(Endpoint::Any, n, fault);
    }

    /// Plays `fault` on the next `n` requests to `endpoint`. Faults queue up in the order they
    /// were scripted; each request uses at most one.
    pub fn fail_next_on(&self, endpoint: Endpoint, n: usize, fault: Fault) {
        if n == 0 {
            return;
        }
        self.shared.lock().faults.push(ScriptedFault {
            endpoint,
            fault,
            remaining: n,
        });
    }

    /// Forgets all scripted faults that have not been played yet.
    pub fn clear_faults(&self) {
        self.shared.lock().faults.clear();
    }

    /// Letters submitted from now on end in status 99 with `fault.code` after status 3 (the
    /// print centre rejects them), until [`stop_rejecting`](Self::stop_rejecting).
    pub fn reject_after_processing(&self, fault: Fault99) {
        self.shared.lock().reject_rule = Some(fault);
    }

    /// Letters submitted from now on are no longer rejected.
    pub fn stop_rejecting(&self) {
        self.shared.lock().reject_rule = None;
    }

    /// Makes one stored letter end in status 99 with `fault.code` after status 3; `false` if
    /// the id is unknown.
    pub fn reject_letter(&self, letter_id: i64, fault: Fault99) -> bool {
        let mut st = self.shared.lock();
        match st.letters.iter_mut().find(|l| l.id == letter_id) {
            Some(l) => {
                l.reject = Some(fault);
                true
            }
            None => false,
        }
    }

    /// Every letter received, in order of arrival, as of the fake clock's current time.
    pub fn letters(&self) -> Vec<FakeLetter> {
        let st = self.shared.lock();
        let now = st.now();
        st.letters
            .iter()
            .map(|l| l.snapshot(now, &st.config.schedule))
            .collect()
    }

    /// One letter by id.
    pub fn letter(&self, letter_id: i64) -> Option<FakeLetter> {
        let st = self.shared.lock();
        let now = st.now();
        st.letters
            .iter()
            .find(|l| l.id == letter_id)
            .map(|l| l.snapshot(now, &st.config.schedule))
    }

    /// How many letters (of all accounts) carry `custom1` (the crash-recovery check: "was it
    /// sent already?").
    pub fn count_by_custom1(&self, custom1: &str) -> usize {
        self.shared
            .lock()
            .letters
            .iter()
            .filter(|l| l.fields.custom1.as_deref() == Some(custom1))
            .count()
    }

    /// How many requests reached `endpoint` so far (faulted ones included;
    /// [`Endpoint::Any`] counts only requests to paths no other variant covers).
    pub fn request_count(&self, endpoint: Endpoint) -> usize {
        self.shared
            .lock()
            .request_counts
            .get(&endpoint)
            .copied()
            .unwrap_or(0)
    }

    /// Stops the server and waits (at most 5 s, then aborts) until it has stopped.
    pub async fn shutdown(mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(mut task) = self.task.take()
            && tokio::time::timeout(Duration::from_secs(5), &mut task)
                .await
                .is_err()
        {
            task.abort();
        }
    }
}

impl Drop for FakeEpost {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
    }
}
