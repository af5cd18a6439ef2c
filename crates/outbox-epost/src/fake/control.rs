//! `/__fake/…`: HTTP introspection and control, for integrations not written in Rust (the same
//! operations as the [`FakeEpost`](super::FakeEpost) methods). No token needed.

use std::collections::HashMap;
use std::time::Duration;

use axum::Json;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;

use super::codes;
use super::faults::{Endpoint, Fault, Fault99, ScriptedFault};
use super::letter::FakeLetter;
use super::server::{AppState, Params};
use super::wire::format_date;

fn bad(msg: impl Into<String>) -> Response {
    (
        StatusCode::BAD_REQUEST,
        Json(serde_json::json!({ "error": msg.into() })),
    )
        .into_response()
}

/// `GET /__fake/letters[?custom1=]`: every letter received, as [`FakeLetter`] JSON.
pub(crate) async fn letters(
    State(shared): State<AppState>,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    let custom1 = Params(q).get("custom1").map(str::to_owned);
    let st = shared.lock();
    let now = st.now();
    let out: Vec<FakeLetter> = st
        .letters
        .iter()
        .filter(|l| {
            custom1
                .as_deref()
                .is_none_or(|c| l.fields.custom1.as_deref() == Some(c))
        })
        .map(|l| l.snapshot(now, &st.config.schedule))
        .collect();
    Json(out).into_response()
}

/// `GET /__fake/sms-code`: `{"smsCode": "123456"}` or `404`.
pub(crate) async fn sms_code(State(shared): State<AppState>) -> Response {
    match shared.lock().last_sms.as_ref() {
        Some(code) => Json(serde_json::json!({ "smsCode": code })).into_response(),
        None => (
            StatusCode::NOT_FOUND,
            Json(serde_json::json!({"error": "no SMS code sent"})),
        )
            .into_response(),
    }
}

/// `GET /__fake/clock`: `{"now": "…"}` on the fake clock.
pub(crate) async fn clock(State(shared): State<AppState>) -> Response {
    let now = shared.lock().now();
    Json(serde_json::json!({ "now": format_date(now) })).into_response()
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct AdvanceBody {
    seconds: u64,
}

/// `POST /__fake/advance` with `{"seconds": n}`: moves the fake clock; answers the new time.
pub(crate) async fn advance(
    State(shared): State<AppState>,
    Json(b): Json<AdvanceBody>,
) -> Response {
    let mut st = shared.lock();
    st.advance(Duration::from_secs(b.seconds));
    Json(serde_json::json!({ "now": format_date(st.now()) })).into_response()
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub(crate) struct FailNextBody {
    #[serde(default = "one")]
    count: usize,
    /// `status`, `slow`, `dropConnection` or `rateLimit`.
    fault: String,
    /// For `status`.
    status: Option<u16>,
    /// For `slow`.
    millis: Option<u64>,
    /// Default `any`.
    endpoint: Option<Endpoint>,
}

fn one() -> usize {
    1
}

/// Endpoint names as the control API accepts them.
impl<'de> Deserialize<'de> for Endpoint {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        Ok(match s.as_str() {
            "any" => Endpoint::Any,
            "smsRequest" => Endpoint::SmsRequest,
            "setPassword" => Endpoint::SetPassword,
            "login" => Endpoint::Login,
            "healthCheck" => Endpoint::HealthCheck,
            "submitLetters" => Endpoint::SubmitLetters,
            "status" => Endpoint::Status,
            "testResult" => Endpoint::TestResult,
            other => {
                return Err(serde::de::Error::custom(format!(
                    "unknown endpoint {other:?}"
                )));
            }
        })
    }
}

/// `POST /__fake/fail-next` with
/// `{"count": 1, "fault": "status"|"slow"|"dropConnection"|"rateLimit", "status": 503,
///   "millis": 2000, "endpoint": "any"|"login"|"submitLetters"|"status"|…}`.
pub(crate) async fn fail_next(
    State(shared): State<AppState>,
    Json(b): Json<FailNextBody>,
) -> Response {
    let fault = match b.fault.as_str() {
        "status" => match b.status {
            Some(s) if (100..=999).contains(&s) => Fault::Status(s),
            _ => return bad("fault \"status\" needs \"status\": 100..=999"),
        },
        "slow" => match b.millis {
            Some(ms) => Fault::Slow(Duration::from_millis(ms)),
            None => return bad("fault \"slow\" needs \"millis\""),
        },
        "dropConnection" => Fault::DropConnection,
        "rateLimit" => Fault::RateLimit,
        other => return bad(format!("unknown fault {other:?}")),
    };
    shared.lock().faults.push(ScriptedFault {
        endpoint: b.endpoint.unwrap_or(Endpoint::Any),
        fault,
        remaining: b.count,
    });
    StatusCode::NO_CONTENT.into_response()
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RejectBody {
    /// An error code, or `null` to stop rejecting.
    code: Option<String>,
}

/// `POST /__fake/reject-after-processing` with `{"code": "E302"}` (or `null` to stop): letters
/// submitted from now on end in status 99 with that code after status 3.
pub(crate) async fn reject_after_processing(
    State(shared): State<AppState>,
    Json(b): Json<RejectBody>,
) -> Response {
    let rule = match b.code {
        None => None,
        Some(c) => match codes::known(&c) {
            Some(code) if code.starts_with('E') => Some(Fault99 { code }),
            _ => return bad(format!("unknown error code {c:?}")),
        },
    };
    shared.lock().reject_rule = rule;
    StatusCode::NO_CONTENT.into_response()
}

/// `POST /__fake/expire-tokens`: every issued token answers `401 E101` from now on.
pub(crate) async fn expire_tokens(State(shared): State<AppState>) -> Response {
    shared.lock().expire_tokens();
    StatusCode::NO_CONTENT.into_response()
}
