//! The HTTP client: activation and health check without a token ([`EpostClient`]), and the
//! calls of one account with its cached token and status limiter ([`EpostAccount`]).

use std::sync::Arc;
use std::time::Duration;

use reqwest::header::{HeaderMap, RETRY_AFTER};
use reqwest::{Client, RequestBuilder};
use serde::de::DeserializeOwned;
use tokio::sync::Mutex;
use tokio::time::Instant;

use crate::credentials::{CredentialsError, validate_ekp, validate_password};
use crate::error::EpostError;
use crate::letter::{split_requests, validate_letter};
use crate::limiter::StatusLimiter;
use crate::wire::{
    ApiError, Letter, LetterIdent, LetterStatus, LoginRequest, LoginResponse, SetPassword,
    SmsCodeRequest,
};
use crate::{Credentials, Secret};

/// The production host (test and live letters share it; new accounts start in test mode).
pub const PRODUCTION_BASE_URL: &str = "https://api.epost.docuguide.com";

/// Settings of the client. `Default` gives the production host and the provider's limits.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct ClientConfig {
    /// Base URL without trailing slash.
    pub base_url: String,
    /// Time to establish a connection.
    pub connect_timeout: Duration,
    /// Time for an ordinary call.
    pub request_timeout: Duration,
    /// Time for a letter upload (up to 300 MB).
    pub upload_timeout: Duration,
    /// Requested token lifetime in minutes (the provider's maximum is 1440).
    pub token_minutes: u32,
    /// Least time between two status calls of the account (provider: 5 s).
    pub status_interval: Duration,
    /// Longest a status call waits for its slot before failing as rate-limited.
    pub status_max_wait: Duration,
    /// Most letter ids in one `StatusQuery`.
    pub status_batch_size: usize,
    /// Largest PDF (before base64) in bytes (provider: 20 MB).
    pub max_pdf_bytes: u64,
    /// Largest request body in bytes (provider: 300 MB).
    pub max_request_bytes: u64,
    /// Most letters in one `POST /api/Letter`.
    pub max_letters_per_request: usize,
}

impl Default for ClientConfig {
    fn default() -> Self {
        Self {
            base_url: PRODUCTION_BASE_URL.to_owned(),
            connect_timeout: Duration::from_secs(10),
            request_timeout: Duration::from_secs(60),
            upload_timeout: Duration::from_secs(600),
            token_minutes: 1440,
            // 5 s plus a margin for clock and network jitter (j-lawyer waits 5.5 s too).
            status_interval: Duration::from_millis(5500),
            status_max_wait: Duration::from_secs(6),
            status_batch_size: 1000,
            max_pdf_bytes: 20_000_000,
            max_request_bytes: 300_000_000,
            max_letters_per_request: 200,
        }
    }
}

impl ClientConfig {
    /// The defaults with another base URL (a fake server, a sandbox).
    pub fn with_base_url(base_url: impl Into<String>) -> Self {
        Self {
            base_url: base_url.into(),
            ..Self::default()
        }
    }
}

/// The provider's health answer (`GET /api/Login/HealthCheck`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Health {
    /// The provider's status object (`I501` OK, `W501` maintenance announced, `E501` inactive).
    pub status: ApiError,
}

impl Health {
    /// Whether the API takes requests (anything but an error level).
    pub fn is_up(&self) -> bool {
        !self.status.level.eq_ignore_ascii_case("error") && !self.status.code.starts_with('E')
    }

    /// Whether maintenance is announced (`W501`).
    pub fn maintenance_announced(&self) -> bool {
        self.status.code == "W501"
    }
}

/// A received answer.
pub(crate) struct RawResponse {
    pub(crate) status: u16,
    pub(crate) body: Vec<u8>,
    pub(crate) retry_after: Option<Duration>,
}

impl RawResponse {
    fn is_success(&self) -> bool {
        (200..300).contains(&self.status)
    }

    fn api_error(&self) -> Option<ApiError> {
        if let Ok(e) = serde_json::from_slice::<ApiError>(&self.body) {
            return Some(e);
        }
        serde_json::from_slice::<Vec<ApiError>>(&self.body)
            .ok()
            .and_then(|v| v.into_iter().next())
    }

    fn is_auth_failure(&self) -> bool {
        self.status == 401
            || (!self.is_success() && self.api_error().is_some_and(|e| e.code == "E101"))
    }

    fn is_too_frequent(&self) -> bool {
        self.status == 429
            || (!self.is_success() && self.api_error().is_some_and(|e| e.code == "E322"))
    }

    fn into_error(self, operation: &'static str) -> EpostError {
        let error = self.api_error().map(Box::new);
        EpostError::Api {
            operation,
            status: self.status,
            error,
            retry_after: self.retry_after,
        }
    }

    fn json<T: DeserializeOwned>(
        &self,
        operation: &'static str,
        maybe_delivered: bool,
    ) -> Result<T, EpostError> {
        serde_json::from_slice(&self.body).map_err(|e| EpostError::Malformed {
            operation,
            detail: format!("{e}; the answer began with {:?}", snippet(&self.body)),
            maybe_delivered,
        })
    }
}

fn snippet(body: &[u8]) -> String {
    let text = String::from_utf8_lossy(body);
    let mut s: String = text.chars().take(120).collect();
    if text.chars().count() > 120 {
        s.push('…');
    }
    s
}

fn retry_after(headers: &HeaderMap) -> Option<Duration> {
    let v = headers.get(RETRY_AFTER)?.to_str().ok()?.trim();
    // Seconds only (an HTTP date is rare for APIs); capped so no arithmetic can overflow.
    v.parse::<u64>()
        .ok()
        .map(|s| Duration::from_secs(s.min(24 * 3600)))
}

/// The E-POST API client without an account: activation and health check. Cheap to clone.
#[derive(Debug, Clone)]
pub struct EpostClient {
    http: Client,
    base: Arc<str>,
    config: Arc<ClientConfig>,
}

impl EpostClient {
    /// A client for the configured host (rustls, aws-lc-rs).
    pub fn new(config: ClientConfig) -> Result<Self, EpostError> {
        let base = config.base_url.trim().trim_end_matches('/').to_owned();
        if !(base.starts_with("https://") || base.starts_with("http://")) {
            return Err(EpostError::Config(format!(
                "base URL {base:?} must start with https:// (or http:// for a local test server)"
            )));
        }
        let http = Client::builder()
            .connect_timeout(config.connect_timeout)
            .timeout(config.request_timeout)
            .user_agent(concat!("outbox-epost/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| EpostError::Config(e.to_string()))?;
        Ok(Self {
            http,
            base: base.into(),
            config: Arc::new(config),
        })
    }

    /// The production client.
    pub fn production() -> Result<Self, EpostError> {
        Self::new(ClientConfig::default())
    }

    /// The settings.
    pub fn config(&self) -> &ClientConfig {
        &self.config
    }

    pub(crate) fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    pub(crate) async fn execute(
        &self,
        request: RequestBuilder,
        operation: &'static str,
        side_effect: bool,
    ) -> Result<RawResponse, EpostError> {
        let response = request.send().await.map_err(|source| {
            // Refused or failed connects never reached the provider; anything later may have.
            let maybe_delivered = side_effect && !source.is_connect() && !source.is_builder();
            EpostError::Transport {
                operation,
                maybe_delivered,
                source,
            }
        })?;
        let status = response.status().as_u16();
        let retry_after = retry_after(response.headers());
        let body = response
            .bytes()
            .await
            .map_err(|source| EpostError::Transport {
                operation,
                maybe_delivered: side_effect,
                source,
            })?
            .to_vec();
        tracing::debug!(operation, status, bytes = body.len(), "E-POST answered");
        Ok(RawResponse {
            status,
            body,
            retry_after,
        })
    }

    /// Asks the provider whether the API is up. Call it at most every 5 s (else 429).
    pub async fn health_check(&self) -> Result<Health, EpostError> {
        const OP: &str = "health check";
        let raw = self
            .execute(self.http.get(self.url("/api/Login/HealthCheck")), OP, false)
            .await?;
        if !raw.is_success() {
            return Err(raw.into_error(OP));
        }
        let status: ApiError = raw.json(OP, false)?;
        Ok(Health { status })
    }

    /// Activation step 1: the provider sends an SMS code (valid 10 minutes) to the mobile
    /// number registered for the EKP.
    pub async fn request_sms_code(&self, vendor_id: &str, ekp: &str) -> Result<(), EpostError> {
        const OP: &str = "SMS code request";
        if vendor_id.trim().is_empty() {
            return Err(CredentialsError::VendorIdMissing.into());
        }
        validate_ekp(ekp)?;
        let body = SmsCodeRequest { vendor_id, ekp };
        let raw = self
            .execute(
                self.http
                    .post(self.url("/api/Login/smsRequest"))
                    .json(&body),
                OP,
                true,
            )
            .await?;
        if raw.is_success() {
            Ok(())
        } else {
            Err(raw.into_error(OP))
        }
    }

    /// Activation step 2: sets the password with the SMS code, activates the API and returns
    /// the secret needed for every login. The same flow resets a forgotten password.
    pub async fn set_password(
        &self,
        vendor_id: &str,
        ekp: &str,
        new_password: &Secret,
        sms_code: &str,
    ) -> Result<Secret, EpostError> {
        const OP: &str = "set password";
        if vendor_id.trim().is_empty() {
            return Err(CredentialsError::VendorIdMissing.into());
        }
        validate_ekp(ekp)?;
        validate_password(new_password)?;
        let sms_code = sms_code.trim();
        if sms_code.chars().count() != 6 {
            return Err(EpostError::Invalid(
                "the SMS code has 6 characters; enter it exactly as received".into(),
            ));
        }
        let body = SetPassword {
            vendor_id,
            ekp,
            new_password: new_password.expose(),
            sms_code,
        };
        let raw = self
            .execute(
                self.http
                    .post(self.url("/api/Login/setPassword"))
                    .json(&body),
                OP,
                true,
            )
            .await?;
        if !raw.is_success() {
            return Err(raw.into_error(OP));
        }
        // A JSON string ("\"uuid\"") per the spec; raw text is accepted too.
        let secret = match serde_json::from_slice::<serde_json::Value>(&raw.body) {
            Ok(serde_json::Value::String(s)) => s,
            Ok(serde_json::Value::Object(map)) => map
                .get("secret")
                .and_then(|v| v.as_str())
                .unwrap_or_default()
                .to_owned(),
            Ok(_) => String::new(),
            Err(_) => String::from_utf8_lossy(&raw.body)
                .trim()
                .trim_matches('"')
                .to_owned(),
        };
        let secret = secret.trim().to_owned();
        if secret.is_empty() || secret.chars().count() > 100 || secret.contains(char::is_whitespace)
        {
            return Err(EpostError::Malformed {
                operation: OP,
                detail: "the answer holds no secret".into(),
                maybe_delivered: true,
            });
        }
        Ok(Secret::new(secret))
    }

    /// Logs in and returns a token. [`EpostAccount`] does this for you and caches the token.
    pub async fn login(&self, credentials: &Credentials) -> Result<Secret, EpostError> {
        const OP: &str = "login";
        credentials.validate()?;
        let body = LoginRequest {
            vendor_id: &credentials.vendor_id,
            ekp: &credentials.ekp,
            secret: credentials.secret.expose(),
            password: credentials.password.expose(),
            vendor_sub_id: credentials.vendor_sub_id.as_deref(),
            token_duration: self.config.token_minutes.clamp(1, 1440),
        };
        let raw = self
            .execute(
                self.http.post(self.url("/api/Login")).json(&body),
                OP,
                false,
            )
            .await?;
        if !raw.is_success() {
            return Err(raw.into_error(OP));
        }
        let LoginResponse { token } = raw.json(OP, false)?;
        if token.trim().is_empty() {
            return Err(EpostError::Malformed {
                operation: OP,
                detail: "the token is empty".into(),
                maybe_delivered: false,
            });
        }
        tracing::info!(ekp = %credentials.ekp, "logged in to E-POST");
        Ok(Secret::new(token))
    }

    /// The calls of one account with these credentials.
    pub fn account(&self, credentials: Credentials) -> EpostAccount {
        EpostAccount {
            client: self.clone(),
            limiter: Arc::new(StatusLimiter::new(self.config.status_interval)),
            credentials,
            token: Mutex::new(None),
        }
    }
}

struct CachedToken {
    token: Secret,
    valid_until: Instant,
}

/// One E-POST account (one per tenant): the credentials, the cached token (renewed by logging
/// in again after `E101`/401, once per call) and the status-call limiter.
pub struct EpostAccount {
    client: EpostClient,
    credentials: Credentials,
    token: Mutex<Option<CachedToken>>,
    limiter: Arc<StatusLimiter>,
}

impl std::fmt::Debug for EpostAccount {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EpostAccount")
            .field("base_url", &self.client.base)
            .field("vendor_id", &self.credentials.vendor_id)
            .field("ekp", &self.credentials.ekp)
            .finish_non_exhaustive()
    }
}

impl EpostAccount {
    /// The client.
    pub fn client(&self) -> &EpostClient {
        &self.client
    }

    /// The credentials.
    pub fn credentials(&self) -> &Credentials {
        &self.credentials
    }

    /// The status-call limiter of this account; the engine can ask it whether a poll would
    /// have to wait ([`StatusLimiter::ready_in`]).
    pub fn status_limiter(&self) -> &Arc<StatusLimiter> {
        &self.limiter
    }

    /// Forgets the cached token; the next call logs in again.
    pub async fn forget_token(&self) {
        *self.token.lock().await = None;
    }

    async fn token(&self) -> Result<Secret, EpostError> {
        let mut cached = self.token.lock().await;
        if let Some(c) = cached.as_ref()
            && Instant::now() < c.valid_until
        {
            return Ok(c.token.clone());
        }
        let token = self.client.login(&self.credentials).await?;
        // Renew a little before the provider's expiry.
        let minutes = self.client.config.token_minutes.clamp(1, 1440);
        let lifetime = Duration::from_secs(u64::from(minutes) * 60);
        *cached = Some(CachedToken {
            token: token.clone(),
            valid_until: Instant::now() + lifetime.mul_f64(0.95),
        });
        Ok(token)
    }

    async fn invalidate(&self, token: &Secret) {
        let mut cached = self.token.lock().await;
        if cached.as_ref().is_some_and(|c| &c.token == token) {
            *cached = None;
        }
    }

    /// Sends an authenticated request; on `E101`/401 logs in again once and repeats it.
    async fn authed(
        &self,
        operation: &'static str,
        side_effect: bool,
        build: impl Fn(&Client, &str) -> RequestBuilder,
    ) -> Result<RawResponse, EpostError> {
        let mut relogged = false;
        loop {
            let token = self.token().await?;
            let raw = self
                .client
                .execute(
                    build(&self.client.http, token.expose()),
                    operation,
                    side_effect,
                )
                .await?;
            if !relogged && raw.is_auth_failure() {
                tracing::info!(operation, "E-POST token rejected; logging in again");
                self.invalidate(&token).await;
                relogged = true;
                continue;
            }
            return Ok(raw);
        }
    }

    /// Submits letters (`POST /api/Letter`), split into as many requests as the limits need
    /// (20 MB per PDF, 300 MB and [`ClientConfig::max_letters_per_request`] per request).
    /// Returns one [`LetterIdent`] per letter, in order.
    ///
    /// Every letter is checked before anything is sent. When a later request fails after
    /// earlier ones were accepted, the error is [`EpostError::PartiallySubmitted`].
    pub async fn submit_letters(&self, letters: &[Letter]) -> Result<Vec<LetterIdent>, EpostError> {
        const OP: &str = "submit letters";
        let cfg = &self.client.config;
        for letter in letters {
            validate_letter(letter, cfg.max_pdf_bytes).map_err(EpostError::Invalid)?;
        }
        let mut accepted = Vec::with_capacity(letters.len());
        for range in split_requests(letters, cfg.max_request_bytes, cfg.max_letters_per_request) {
            let chunk = &letters[range];
            let result = self.submit_chunk(chunk, OP).await;
            match result {
                Ok(idents) => accepted.extend(idents),
                Err(e) if accepted.is_empty() => return Err(e),
                Err(e) => {
                    return Err(EpostError::PartiallySubmitted {
                        accepted,
                        source: Box::new(e),
                    });
                }
            }
        }
        Ok(accepted)
    }

    async fn submit_chunk(
        &self,
        chunk: &[Letter],
        op: &'static str,
    ) -> Result<Vec<LetterIdent>, EpostError> {
        let url = self.client.url("/api/Letter");
        let timeout = self.client.config.upload_timeout;
        let raw = self
            .authed(op, true, |http, token| {
                http.post(&url)
                    .bearer_auth(token)
                    .timeout(timeout)
                    .json(chunk)
            })
            .await?;
        if !raw.is_success() {
            return Err(raw.into_error(op));
        }
        let idents: Vec<LetterIdent> = raw.json(op, true)?;
        if idents.len() != chunk.len() {
            return Err(EpostError::Malformed {
                operation: op,
                detail: format!(
                    "{} letters sent but {} ids returned",
                    chunk.len(),
                    idents.len()
                ),
                maybe_delivered: true,
            });
        }
        // Pair by file name where the provider names them, else by position.
        let mut ordered = Vec::with_capacity(chunk.len());
        for (i, letter) in chunk.iter().enumerate() {
            let ident = idents
                .iter()
                .find(|id| id.file_name == letter.file_name)
                .unwrap_or(&idents[i]);
            ordered.push(ident.clone());
        }
        Ok(ordered)
    }

    /// A status-group call: waits for the limiter, backs off on `E322`/429, `None` on 404.
    async fn status_call<T: DeserializeOwned>(
        &self,
        operation: &'static str,
        build: impl Fn(&Client, &str) -> RequestBuilder,
    ) -> Result<Option<T>, EpostError> {
        let cfg = &self.client.config;
        self.limiter
            .acquire(cfg.status_max_wait)
            .await
            .map_err(|retry_after| EpostError::RateLimited { retry_after })?;
        let raw = self.authed(operation, false, build).await?;
        if raw.is_too_frequent() {
            let delay = self.limiter.backoff(raw.retry_after).await;
            tracing::warn!(
                operation,
                ?delay,
                "E-POST says status calls are too frequent"
            );
            let mut err = raw.into_error(operation);
            if let EpostError::Api { retry_after, .. } = &mut err {
                *retry_after = Some(delay);
            }
            return Err(err);
        }
        if raw.status == 404
            || (raw.status == 400 && raw.api_error().is_some_and(|e| e.code == "E201"))
        {
            self.limiter.succeeded().await;
            return Ok(None);
        }
        if !raw.is_success() {
            return Err(raw.into_error(operation));
        }
        self.limiter.succeeded().await;
        raw.json(operation, false).map(Some)
    }

    /// The status of many letters in one call (`POST /api/Letter/StatusQuery`), in batches of
    /// [`ClientConfig::status_batch_size`]. Unknown ids are simply missing from the answer.
    pub async fn status_query(&self, letter_ids: &[i64]) -> Result<Vec<LetterStatus>, EpostError> {
        let url = self.client.url("/api/Letter/StatusQuery");
        let mut out = Vec::with_capacity(letter_ids.len());
        for chunk in letter_ids.chunks(self.client.config.status_batch_size.max(1)) {
            let found: Option<Vec<LetterStatus>> = self
                .status_call("status query", |http, token| {
                    http.post(&url)
                        .bearer_auth(token)
                        .query(&[("onlyIssues", "false")])
                        .json(chunk)
                })
                .await?;
            out.extend(found.unwrap_or_default());
        }
        Ok(out)
    }

    /// The status of one letter (`GET /api/Letter/{id}`); `None` when the provider knows none.
    pub async fn letter_status(&self, letter_id: i64) -> Result<Option<LetterStatus>, EpostError> {
        let url = self.client.url(&format!("/api/Letter/{letter_id}"));
        self.status_call("letter status", |http, token| {
            http.get(&url).bearer_auth(token)
        })
        .await
    }

    /// Every letter whose `custom1` is `custom1` (`GET /api/Letter/Custom1`).
    pub async fn find_by_custom1(&self, custom1: &str) -> Result<Vec<LetterStatus>, EpostError> {
        let url = self.client.url("/api/Letter/Custom1");
        let found: Option<Vec<LetterStatus>> = self
            .status_call("find by custom1", |http, token| {
                http.get(&url)
                    .bearer_auth(token)
                    .query(&[("custom1", custom1), ("onlyIssues", "false")])
            })
            .await?;
        Ok(found.unwrap_or_default())
    }
}
