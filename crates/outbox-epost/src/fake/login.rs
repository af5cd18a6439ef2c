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
use super::state::{
    Account, State as FakeState, Token, jwt_like_token, random_sms_code, random_uuid,
};
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

/// Checks vendor id and EKP (`401 E001`, or `E004` when the account is blocked) and returns
/// the account.
fn check_identity<'a>(
    st: &'a mut FakeState,
    vendor_id: &str,
    ekp: &str,
) -> Result<&'a mut Account, ApiFailure> {
    let vendor_ok = vendor_id == st.config.vendor_id;
    match st.account_mut(ekp) {
        Some(account) if vendor_ok => {
            if account.blocked {
                return Err(ApiFailure::unauthorized(ApiError::new("E004")));
            }
            Ok(account)
        }
        _ => Err(ApiFailure::unauthorized(ApiError::detail(
            "E001",
            "Software- oder Kundenkennung ungültig",
        ))),
    }
}

/// `POST /api/Login/smsRequest` → `202` with a JSON string.
pub(crate) async fn sms_request(State(shared): State<AppState>, body: Bytes) -> Response {
    let result = (|| -> Result<(), ApiFailure> {
        let req: SmsCodeRequest = parse(&body)?;
        let vendor_id = required("vendorID", req.vendor_id)?;
        let ekp = required("ekp", req.ekp)?;
        length("ekp", &ekp, 10, 10)?;
        let mut st = shared.lock();
        let now = st.now();
        let account = check_identity(&mut st, &vendor_id, &ekp)?;
        if account.sms_blocked_until.is_some_and(|t| now < t) {
            return Err(ApiFailure::too_many(ApiError::new("E003")));
        }
        let window = TimeDelta::minutes(SMS_WINDOW_MINUTES);
        account.sms_requests.retain(|t| now < *t + window);
        if account.sms_requests.len() >= SMS_MAX_REQUESTS {
            account.sms_blocked_until = Some(now + window);
            return Err(ApiFailure::too_many(ApiError::new("E003")));
        }
        account.sms_requests.push(now);
        let code = random_sms_code();
        account.sms = Some((code.clone(), now));
        st.last_sms = Some(code);
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
        let now = st.now();
        let account = check_identity(&mut st, &vendor_id, &ekp)?;
        let valid = account.sms.as_ref().is_some_and(|(c, at)| {
            *c == code && now < *at + TimeDelta::minutes(SMS_VALIDITY_MINUTES)
        });
        if !valid {
            return Err(ApiFailure::bad_request(ApiError::detail(
                "E001",
                "SMS-Code ungültig oder abgelaufen",
            )));
        }
        account.sms = None;
        let secret = random_uuid();
        account.credentials = Some((secret.clone(), password));
        if st.last_sms.as_deref() == Some(code.as_str()) {
            st.last_sms = None;
        }
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
        let account = check_identity(&mut st, &vendor_id, &ekp)?;
        let ok = account
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
                ekp: ekp.clone(),
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
