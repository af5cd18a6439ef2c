//! The status group (`GET /api/Letter/…`, `POST /api/Letter/StatusQuery`), `TestResult` and
//! `/trackStatusCodes.json` (reference §3).

use std::collections::HashMap;

use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use chrono::TimeDelta;
use serde::Serialize;

use super::letter::{StatusView, StoredLetter, tracking_final};
use super::server::{AppState, Params, authorize};
use super::state::{Shared, State as FakeState, Token};
use super::wire::{ApiError, ApiFailure, LetterDataResult, LetterStatus};

/// Minimum time between calls of the status group, per account.
const STATUS_INTERVAL_SECS: i64 = 5;
/// Minimum time between `TestResult` calls.
const TEST_RESULT_INTERVAL_SECS: i64 = 2;
/// How long a test result stays available after processing.
const TEST_RESULT_HOURS: i64 = 48;

/// Authorizes and applies the account's status rate limit (`429` with `E322`).
fn enter_status_group(shared: &Shared, headers: &HeaderMap) -> Result<Token, ApiFailure> {
    let token = authorize(shared, headers)?;
    let mut st = shared.lock();
    let now = st.now();
    let enabled = st.config.rate_limits;
    let interval = TimeDelta::seconds(STATUS_INTERVAL_SECS);
    let Some(account) = st.account_mut(&token.ekp) else {
        return Err(ApiFailure::unauthorized(ApiError::new("E001")));
    };
    if FakeState::rate_ok(&mut account.last_status_call, enabled, now, interval) {
        Ok(token)
    } else {
        Err(ApiFailure::too_many(ApiError::new("E322")))
    }
}

/// Status objects of the account's letters `keep` selects (`404 E201` when none).
fn answer(
    shared: &Shared,
    token: &Token,
    only_issues: bool,
    keep: impl Fn(&StoredLetter, &StatusView) -> bool,
) -> Response {
    let st = shared.lock();
    let now = st.now();
    let schedule = st.config.schedule;
    let found: Vec<LetterStatus> = st
        .letters
        .iter()
        .filter(|l| l.ekp == token.ekp)
        .filter(|l| {
            let v = l.view(now, &schedule);
            (!only_issues || v.status_id == 99) && keep(l, &v)
        })
        .map(|l| l.status(now, &schedule))
        .collect();
    if found.is_empty() {
        ApiFailure::not_found().into_response()
    } else {
        Json(found).into_response()
    }
}

macro_rules! try_or_respond {
    ($e:expr) => {
        match $e {
            Ok(v) => v,
            Err(f) => return f.into_response(),
        }
    };
}

/// `GET /api/Letter/{letterID}` → one `LetterStatus` or `404 E201`.
pub(crate) async fn by_id(
    State(shared): State<AppState>,
    headers: HeaderMap,
    Path(letter_id): Path<String>,
) -> Response {
    let token = try_or_respond!(enter_status_group(&shared, &headers));
    let Ok(id) = letter_id.parse::<i64>() else {
        return ApiFailure::not_found().into_response();
    };
    let st = shared.lock();
    let now = st.now();
    match st.letters.iter().find(|l| l.id == id && l.ekp == token.ekp) {
        Some(l) => Json(l.status(now, &st.config.schedule)).into_response(),
        None => ApiFailure::not_found().into_response(),
    }
}

/// `POST /api/Letter/StatusQuery?onlyIssues=` with an int64 array body. Unknown ids are left
/// out; `404 E201` when none is known.
pub(crate) async fn status_query(
    State(shared): State<AppState>,
    headers: HeaderMap,
    Query(q): Query<HashMap<String, String>>,
    body: Bytes,
) -> Response {
    let token = try_or_respond!(enter_status_group(&shared, &headers));
    let only_issues = try_or_respond!(Params(q).flag("onlyIssues", false));
    let ids: Vec<i64> = match serde_json::from_slice(&body) {
        Ok(ids) => ids,
        Err(e) => {
            return ApiFailure::bad_request(ApiError::detail(
                "E399",
                format!("der Body muss ein JSON-Array von LetterIDs sein ({e})"),
            ))
            .into_response();
        }
    };
    answer(&shared, &token, only_issues, |l, _| ids.contains(&l.id))
}

/// `GET /api/Letter/Batch?batchId=&onlyIssues=`.
pub(crate) async fn by_batch(
    State(shared): State<AppState>,
    headers: HeaderMap,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    let token = try_or_respond!(enter_status_group(&shared, &headers));
    let p = Params(q);
    let only_issues = try_or_respond!(p.flag("onlyIssues", false));
    let Some(batch) = p.get("batchId").and_then(|b| b.parse::<i32>().ok()) else {
        return ApiFailure::bad_request(ApiError::detail("E399", "batchId fehlt oder ungültig"))
            .into_response();
    };
    answer(&shared, &token, only_issues, |l, _| {
        l.fields.batch_id == batch
    })
}

/// `GET /api/Letter/Custom1?custom1=&onlyIssues=`: exact match on `custom1`.
pub(crate) async fn by_custom1(
    State(shared): State<AppState>,
    headers: HeaderMap,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    let token = try_or_respond!(enter_status_group(&shared, &headers));
    let p = Params(q);
    let only_issues = try_or_respond!(p.flag("onlyIssues", false));
    let Some(custom1) = p
        .get("custom1")
        .filter(|c| !c.is_empty())
        .map(str::to_owned)
    else {
        return ApiFailure::bad_request(ApiError::detail("E399", "custom1 fehlt")).into_response();
    };
    answer(&shared, &token, only_issues, |l, _| {
        l.fields.custom1.as_deref() == Some(custom1.as_str())
    })
}

/// `GET /api/Letter/Date?fromDate=&tillDate=&onlyIssues=`, matched on `createdDate`.
pub(crate) async fn by_date(
    State(shared): State<AppState>,
    headers: HeaderMap,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    let token = try_or_respond!(enter_status_group(&shared, &headers));
    let p = Params(q);
    let only_issues = try_or_respond!(p.flag("onlyIssues", false));
    let now = shared.lock().now();
    let (from, till) = try_or_respond!(p.date_range(now));
    answer(&shared, &token, only_issues, |l, _| {
        l.received_at >= from && l.received_at <= till
    })
}

/// `GET /api/Letter/Open`: live (not test) letters in status 1–3.
pub(crate) async fn open(State(shared): State<AppState>, headers: HeaderMap) -> Response {
    let token = try_or_respond!(enter_status_group(&shared, &headers));
    answer(&shared, &token, false, |l, v| {
        !l.fields.test_flag && (1..=3).contains(&v.status_id)
    })
}

/// `GET /api/Letter/Registered?fromDate=&tillDate=&onlyOpen=`: registered letters created in
/// the range; `onlyOpen` leaves out those whose tracking code is final.
pub(crate) async fn registered(
    State(shared): State<AppState>,
    headers: HeaderMap,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    let token = try_or_respond!(enter_status_group(&shared, &headers));
    let p = Params(q);
    let only_open = try_or_respond!(p.flag("onlyOpen", false));
    let now = shared.lock().now();
    let (from, till) = try_or_respond!(p.date_range(now));
    answer(&shared, &token, false, |l, v| {
        l.fields.registered_letter.is_some()
            && l.received_at >= from
            && l.received_at <= till
            && !(only_open && v.tracking.is_some_and(|(c, _)| tracking_final(c)))
    })
}

/// `GET /api/Letter/TestResult?letterID=`: the processed PDF of a test letter, from status 2
/// for 48 h; `404 E201` otherwise. Own limit: one call per 2 s.
pub(crate) async fn test_result(
    State(shared): State<AppState>,
    headers: HeaderMap,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    let token = try_or_respond!(authorize(&shared, &headers));
    let mut st = shared.lock();
    let now = st.now();
    let enabled = st.config.rate_limits;
    let interval = TimeDelta::seconds(TEST_RESULT_INTERVAL_SECS);
    let Some(account) = st.account_mut(&token.ekp) else {
        return ApiFailure::unauthorized(ApiError::new("E001")).into_response();
    };
    if !FakeState::rate_ok(&mut account.last_test_result_call, enabled, now, interval) {
        return ApiFailure::too_many(ApiError::detail(
            "E322",
            "TestResult höchstens alle 2 Sekunden",
        ))
        .into_response();
    }
    let Some(id) = Params(q)
        .get("letterID")
        .and_then(|v| v.parse::<i64>().ok())
    else {
        return ApiFailure::bad_request(ApiError::detail("E399", "letterID fehlt oder ungültig"))
            .into_response();
    };
    let Some(letter) = st.letters.iter().find(|l| l.id == id && l.ekp == token.ekp) else {
        return ApiFailure::not_found().into_response();
    };
    let view = letter.view(now, &st.config.schedule);
    let available = letter.fields.test_flag
        && view.status_id == 2
        && view
            .processed
            .is_some_and(|t| now <= t + TimeDelta::hours(TEST_RESULT_HOURS));
    if !available {
        return ApiFailure::new(
            axum::http::StatusCode::NOT_FOUND,
            ApiError::detail("E201", "kein Testergebnis (keine verarbeitete Testsendung)"),
        )
        .into_response();
    }
    Json(LetterDataResult {
        letter_id: letter.id,
        file_name: letter.fields.file_name.clone(),
        data: STANDARD.encode(&letter.pdf),
    })
    .into_response()
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct TrackStatusCode {
    status_code: &'static str,
    description: &'static str,
    /// A string, as in the real file.
    r#final: &'static str,
}

/// Tracking codes and descriptions (the fake's own short texts; codes and `final` flags as in
/// the real `trackStatusCodes.json`, reference §3.2).
const TRACK_CODES: &[(&str, &str)] = &[
    ("ANNOUNCED", "Sendung angekündigt"),
    ("INITIATED", "Label für den Auslieferungsnachweis aktiviert"),
    ("POSTED", "Sendung eingeliefert"),
    ("PASSED_LETTER_CENTER", "Im Briefzentrum bearbeitet"),
    ("IN_DELIVERY", "In der Zustellung"),
    ("REDIRECTED", "Wird nachgesandt"),
    ("NOTIFIED", "Empfänger benachrichtigt"),
    ("NOTIFIED_KEY_ACCOUNT", "Für Großkunden bereitgestellt"),
    ("NOTIFIED_PO_BOX", "Benachrichtigung im Postfach"),
    ("NOTIFIED_PACKSTATION", "In Packstation eingelegt"),
    ("SENT_BACK", "Geht an den Absender zurück"),
    ("UNDELIVERABLE", "Unanbringlich"),
    ("NO_INFO", "Keine Informationen"),
    ("POSTED_WRONG_DATE", "Einlieferungsdatum falsch"),
    ("DELIVERED", "Zugestellt"),
    ("MARBURG", "In der Briefermittlung Marburg"),
    ("FETCHED_PACKSTATION", "Aus der Packstation abgeholt"),
    ("FETCHED", "Ausgeliefert"),
    ("FETCHED_NOTIFIED", "Nach Benachrichtigung abgeholt"),
    ("DELIVERED_PO_BOX", "Über Postfach ausgeliefert"),
    ("CONFIRMED", "Empfang quittiert"),
    ("CONFIRMATION_PENDING", "Angenommen, Beleg fehlt noch"),
    (
        "FETCHED_PENDING_DELIVERY_CONFIRMATION",
        "Abgeholt, Beleg fehlt noch",
    ),
    (
        "FETCHED_PO_BOX_PENDING_DELIVERY_CONFIRMATION",
        "An Postfachkunden ausgegeben, Beleg fehlt noch",
    ),
    (
        "FETCHED_KEY_ACCOUNT_PENDING_DELIVERY_CONFIRMATION",
        "Ausgeliefert, Beleg fehlt noch",
    ),
    ("RETURNED_TO_SENDER", "Dem Absender zugestellt"),
    ("CONFIRMED_BY_SENDER", "Vom Absender quittiert"),
    ("AMBIGUOUS", "Keine eindeutige Statusbildung möglich"),
];

/// `GET /trackStatusCodes.json` (no token).
pub(crate) async fn track_status_codes() -> Response {
    let items: Vec<TrackStatusCode> = TRACK_CODES
        .iter()
        .map(|(code, description)| TrackStatusCode {
            status_code: code,
            description,
            r#final: if tracking_final(code) {
                "true"
            } else {
                "false"
            },
        })
        .collect();
    Json(items).into_response()
}
