//! `/api/Login*`: SMS code, set password, login, health check (reference §1).

use axum::Json;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use chrono::TimeDelta;
use serde::de::DeserializeOwned;

use super::config::Health;
use super::server::AppState;
use super::state::{State as FakeState, Token, jwt_like_token, random_sms_code, random_uuid};
use super::wire::{
    ApiError, ApiFailure, LoginRequest, LoginResponse, SetPasswordRequest, SmsCodeRequest,
};

/// How long an SMS code stays valid.
const SMS_VALIDITY_MINUTES: i64 = 10;
/// SMS requests allowed within [`SMS_WINDOW_MINUTES`] before the identifier is blocked.
const SMS_MAX_REQUESTS: usize = 5;
/// Window and block time for SMS requests (`E003`: blocked for 15 minutes).
const SMS_WINDOW_MINUTES: i64 = 15;
/// Largest `tokenDuration` in minutes.
const MAX_TOKEN_MINUTES: i64 = 1440;

fn parse<T: DeserializeOwned>(body: &[u8]) -> Result<T, ApiFailure> {
    serde_json::from_slice(body).map_err(|e| {
        ApiFailure::bad_request(ApiError::detail("E399", format!("ungültige Anfrage ({e})")))
    })
}

fn required(name: &str, value: Option<String>) -> Result<String, ApiFailure> {
    value.filter(|v| !v.is_empty()).ok_or_else(|| {
        ApiFailure::bad_request(ApiError::detail(
            "E399",
            format!("Pflichtfeld {name} fehlt"),
        ))
    })
}

fn length(name: &str, value: &str, min: usize, max: usize) -> Result<(), ApiFailure> {
    let n = value.chars().count();
    if n < min || n > max {
        return Err(ApiFailure::bad_request(ApiError::detail(
            "E399",
            format!("{name} muss {min} bis {max} Zeichen lang sein"),
        )));
    }
    Ok(())
}

/// Checks vendor id and EKP against the account (`401 E001`, or `E004` when blocked).
fn check_identity(st: &FakeState, vendor_id: &str, ekp: &str) -> Result<(), ApiFailure> {
    if vendor_id != st.config.vendor_id || ekp != st.config.ekp {
        return Err(ApiFailure::unauthorized(ApiError::detail(
            "E001",
            "Software- oder Kundenkennung ungültig",
        )));
    }
    if st.ekp_blocked {
        return Err(ApiFailure::unauthorized(ApiError::new("E004")));
    }
    Ok(())
}

/// `POST /api/Login/smsRequest` → `202` with a JSON string.
pub(crate) async fn sms_request(State(shared): State<AppState>, body: Bytes) -> Response {
    let result = (|| -> Result<(), ApiFailure> {
        let req: SmsCodeRequest = parse(&body)?;
        let vendor_id = required("vendorID", req.vendor_id)?;
        let ekp = required("ekp", req.ekp)?;
        length("ekp", &ekp, 10, 10)?;
        let mut st = shared.lock();
        check_identity(&st, &vendor_id, &ekp)?;
        let now = st.now();
        if st.sms_blocked_until.is_some_and(|t| now < t) {
            return Err(ApiFailure::too_many(ApiError::new("E003")));
        }
        let window = TimeDelta::minutes(SMS_WINDOW_MINUTES);
        st.sms_requests.retain(|t| now < *t + window);
        if st.sms_requests.len() >= SMS_MAX_REQUESTS {
            st.sms_blocked_until = Some(now + window);
            return Err(ApiFailure::too_many(ApiError::new("E003")));
        }
        st.sms_requests.push(now);
        st.sms = Some((random_sms_code(), now));
        Ok(())
    })();
    match result {
        Ok(()) => (
            StatusCode::ACCEPTED,
            Json("SMS-Code wurde an die hinterlegte Mobilfunknummer gesendet"),
        )
            .into_response(),
        Err(f) => f.into_response(),
    }
}

/// `POST /api/Login/setPassword` → `200` with the secret as a JSON string.
pub(crate) async fn set_password(State(shared): State<AppState>, body: Bytes) -> Response {
    let result = (|| -> Result<String, ApiFailure> {
        let req: SetPasswordRequest = parse(&body)?;
        let vendor_id = required("vendorID", req.vendor_id)?;
        let ekp = required("ekp", req.ekp)?;
        let password = required("newPassword", req.new_password)?;
        let code = required("smsCode", req.sms_code)?;
        length("ekp", &ekp, 10, 10)?;
        length("newPassword", &password, 5, 100)?;
        length("smsCode", &code, 6, 6)?;
        let mut st = shared.lock();
        check_identity(&st, &vendor_id, &ekp)?;
        let now = st.now();
        let valid = st.sms.as_ref().is_some_and(|(c, at)| {
            *c == code && now < *at + TimeDelta::minutes(SMS_VALIDITY_MINUTES)
        });
        if !valid {
            return Err(ApiFailure::bad_request(ApiError::detail(
                "E001",
                "SMS-Code ungültig oder abgelaufen",
            )));
        }
        st.sms = None;
        let secret = random_uuid();
        st.credentials = Some((secret.clone(), password));
        Ok(secret)
    })();
    match result {
        Ok(secret) => (StatusCode::OK, Json(secret)).into_response(),
        Err(f) => f.into_response(),
    }
}

/// `POST /api/Login` → `200 {"token"}`.
pub(crate) async fn login(State(shared): State<AppState>, body: Bytes) -> Response {
    let result = (|| -> Result<String, ApiFailure> {
        let req: LoginRequest = parse(&body)?;
        let vendor_id = required("vendorID", req.vendor_id)?;
        let ekp = required("ekp", req.ekp)?;
        let secret = required("secret", req.secret)?;
        let password = required("password", req.password)?;
        length("ekp", &ekp, 10, 10)?;
        length("secret", &secret, 1, 100)?;
        length("password", &password, 5, 100)?;
        let mut st = shared.lock();
        check_identity(&st, &vendor_id, &ekp)?;
        let ok = st
            .credentials
            .as_ref()
            .is_some_and(|(s, p)| *s == secret && *p == password);
        if !ok {
            return Err(ApiFailure::unauthorized(ApiError::new("E001")));
        }
        let sub = req.vendor_sub_id.filter(|s| !s.is_empty());
        if sub.as_ref().is_some_and(|s| s.chars().count() > 100) {
            return Err(ApiFailure::unauthorized(ApiError::new("E002")));
        }
        let minutes = match req.token_duration {
            None => MAX_TOKEN_MINUTES,
            Some(m) if m >= 1 => i64::from(m).min(MAX_TOKEN_MINUTES),
            Some(m) => {
                return Err(ApiFailure::bad_request(ApiError::detail(
                    "E399",
                    format!("tokenDuration {m} ist keine positive Minutenzahl"),
                )));
            }
        };
        let cap = TimeDelta::from_std(st.config.token_lifetime).unwrap_or(TimeDelta::MAX);
        let lifetime = TimeDelta::minutes(minutes).min(cap);
        let now = st.now();
        let expires_at = now.checked_add_signed(lifetime).unwrap_or(now);
        let token = jwt_like_token(&ekp, expires_at);
        st.tokens.insert(
            token.clone(),
            Token {
                expires_at,
                sub_vendor_id: sub,
            },
        );
        Ok(token)
    })();
    match result {
        Ok(token) => Json(LoginResponse { token }).into_response(),
        Err(f) => f.into_response(),
    }
}

/// `GET /api/Login/HealthCheck` → `200` with an Error object (`I501`/`W501`/`E501`).
pub(crate) async fn health_check(State(shared): State<AppState>) -> Response {
    let mut st = shared.lock();
    let now = st.now();
    let enabled = st.config.rate_limits;
    if !FakeState::rate_ok(
        &mut st.last_health_call,
        enabled,
        now,
        TimeDelta::seconds(5),
    ) {
        return ApiFailure::too_many(ApiError::detail(
            "E399",
            "HealthCheck höchstens alle 5 Sekunden",
        ))
        .into_response();
    }
    let body = match &st.health {
        Health::Ok => ApiError::new("I501"),
        Health::MaintenanceAnnounced(text) => ApiError::detail("W501", text),
        Health::Inactive => ApiError::new("E501"),
    };
    Json(body.at(now)).into_response()
}
