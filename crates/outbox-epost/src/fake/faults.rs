//! Scripted faults: what a test can make the fake do wrong, and on which endpoints.

use std::time::Duration;

use axum::http::Method;
use serde::Serialize;

/// A fault the fake plays on a request instead of (or around) the normal answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Fault {
    /// Answer with this HTTP status and an `E900` Error object, without processing the request
    /// (nothing is stored). Typically `503`, `500`, `502`; a number that is no HTTP status
    /// code gives `503`.
    Status(u16),
    /// Process the request at once, but send the answer only after this long (real time).
    /// Use it to trigger a client's timeout: the request takes effect even if the client gives
    /// up (a submitted letter IS stored), so a timeout is an ambiguous outcome.
    Slow(Duration),
    /// Process the request normally (a submitted letter IS stored), then close the TCP
    /// connection without sending any byte of the response: the ambiguous outcome a client
    /// must reconcile (e.g. via `GET /api/Letter/Custom1`).
    DropConnection,
    /// Answer `429` with an `E322` Error object without processing the request.
    RateLimit,
}

/// A processing error that makes letters end in status `99` with this code after status 3
/// (instead of reaching 4), as when the print centre rejects a letter.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Fault99 {
    /// The error code in the letter's `errorList`, e.g. `"E302"`, `"E333"` or `"E318"`.
    pub code: &'static str,
}

/// Which requests a scripted [`Fault`] applies to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum Endpoint {
    /// Every `/api/…` request.
    Any,
    /// `POST /api/Login/smsRequest`.
    SmsRequest,
    /// `POST /api/Login/setPassword`.
    SetPassword,
    /// `POST /api/Login`.
    Login,
    /// `GET /api/Login/HealthCheck`.
    HealthCheck,
    /// `POST /api/Letter`.
    SubmitLetters,
    /// The status group: `GET /api/Letter/{id}`, `POST /api/Letter/StatusQuery`,
    /// `GET /api/Letter/Batch|Custom1|Date|Open|Registered`.
    Status,
    /// `GET /api/Letter/TestResult`.
    TestResult,
}

impl Endpoint {
    /// The endpoint a request goes to, or `None` for paths outside `/api/`.
    pub(crate) fn classify(method: &Method, path: &str) -> Option<Self> {
        let rest = path.strip_prefix("/api/")?;
        Some(match (method, rest) {
            (&Method::POST, "Login/smsRequest") => Self::SmsRequest,
            (&Method::POST, "Login/setPassword") => Self::SetPassword,
            (&Method::POST, "Login") => Self::Login,
            (_, "Login/HealthCheck") => Self::HealthCheck,
            (&Method::POST, "Letter") => Self::SubmitLetters,
            (_, "Letter/TestResult") => Self::TestResult,
            (_, r) if r.starts_with("Letter/") => Self::Status,
            _ => Self::Any,
        })
    }

    /// Whether a fault scripted for `self` applies to a request to `actual`.
    pub(crate) fn matches(self, actual: Endpoint) -> bool {
        self == Endpoint::Any || self == actual
    }
}

/// A fault waiting in the queue with the number of requests it still applies to.
#[derive(Debug, Clone)]
pub(crate) struct ScriptedFault {
    pub(crate) endpoint: Endpoint,
    pub(crate) fault: Fault,
    pub(crate) remaining: usize,
}
