//! The router: routes, the fault/counting middleware, and helpers shared by the handlers.

use std::collections::HashMap;
use std::sync::Arc;

use axum::Router;
use axum::extract::{ConnectInfo, DefaultBodyLimit, Request, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use chrono::{NaiveDate, NaiveDateTime, TimeDelta};

use super::conn::ConnInfo;
use super::faults::{Endpoint, Fault};
use super::state::{Shared, Token};
use super::wire::{ApiError, ApiFailure};
use super::{control, login, status, submit};

/// Largest request body: base64 of [`MAX_REQUEST_BYTES`](super::MAX_REQUEST_BYTES) plus JSON
/// overhead. Larger bodies get axum's plain `413`.
const MAX_BODY: usize = 420_000_000;

/// Handler state.
pub(crate) type AppState = Arc<Shared>;

/// All routes of the fake.
pub(crate) fn router(shared: AppState) -> Router {
    Router::new()
        .route("/api/Login/smsRequest", post(login::sms_request))
        .route("/api/Login/setPassword", post(login::set_password))
        .route("/api/Login", post(login::login))
        .route("/api/Login/HealthCheck", get(login::health_check))
        .route("/api/Letter", post(submit::submit_letters))
        .route("/api/Letter/StatusQuery", post(status::status_query))
        .route("/api/Letter/Batch", get(status::by_batch))
        .route("/api/Letter/Custom1", get(status::by_custom1))
        .route("/api/Letter/Date", get(status::by_date))
        .route("/api/Letter/Open", get(status::open))
        .route("/api/Letter/Registered", get(status::registered))
        .route("/api/Letter/TestResult", get(status::test_result))
        .route("/api/Letter/{letter_id}", get(status::by_id))
        .route("/trackStatusCodes.json", get(status::track_status_codes))
        .route("/__fake/letters", get(control::letters))
        .route("/__fake/sms-code", get(control::sms_code))
        .route("/__fake/clock", get(control::clock))
        .route("/__fake/advance", post(control::advance))
        .route("/__fake/fail-next", post(control::fail_next))
        .route(
            "/__fake/reject-after-processing",
            post(control::reject_after_processing),
        )
        .route("/__fake/expire-tokens", post(control::expire_tokens))
        .layer(middleware::from_fn_with_state(
            Arc::clone(&shared),
            fault_layer,
        ))
        .layer(DefaultBodyLimit::max(MAX_BODY))
        .with_state(shared)
}

/// Counts `/api/` requests per endpoint and plays scripted faults.
async fn fault_layer(State(shared): State<AppState>, req: Request, next: Next) -> Response {
    let Some(endpoint) = Endpoint::classify(req.method(), req.uri().path()) else {
        return next.run(req).await;
    };
    let fault = {
        let mut st = shared.lock();
        *st.request_counts.entry(endpoint).or_default() += 1;
        st.take_fault(endpoint)
    };
    match fault {
        None => next.run(req).await,
        Some(Fault::Status(code)) => {
            let status = StatusCode::from_u16(code).unwrap_or(StatusCode::SERVICE_UNAVAILABLE);
            let error = ApiError::detail("E900", format!("vom Fake-Server erzeugt (HTTP {code})"));
            ApiFailure::new(status, error).into_response()
        }
        Some(Fault::RateLimit) => ApiFailure::too_many(ApiError::new("E322")).into_response(),
        Some(Fault::Slow(delay)) => {
            // Process at once in a task of its own, so the request takes effect even when the
            // client gives up during the delay (hyper drops this future with the connection):
            // a slow answer is an ambiguous outcome, as with the real API.
            let work = tokio::spawn(next.run(req));
            tokio::time::sleep(delay).await;
            match work.await {
                Ok(response) => response,
                Err(e) => {
                    let error = ApiError::detail("E315", format!("interner Fehler ({e})"));
                    ApiFailure::new(StatusCode::INTERNAL_SERVER_ERROR, error).into_response()
                }
            }
        }
        Some(Fault::DropConnection) => {
            let conn = req.extensions().get::<ConnectInfo<ConnInfo>>().cloned();
            let response = next.run(req).await;
            match conn {
                Some(ConnectInfo(conn)) => {
                    tracing::debug!("fake E-POST server: dropping the connection (scripted)");
                    conn.kill.kill();
                }
                None => tracing::warn!(
                    "fake E-POST server: cannot drop a connection outside FakeEpost::start"
                ),
            }
            response
        }
    }
}

/// Checks the bearer token: `401 E101` when missing, unknown or expired.
pub(crate) fn authorize(shared: &Shared, headers: &HeaderMap) -> Result<Token, ApiFailure> {
    let value = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let token = value
        .get(..7)
        .filter(|p| p.eq_ignore_ascii_case("bearer "))
        .map(|_| value[7..].trim())
        .filter(|t| !t.is_empty());
    let Some(token) = token else {
        return Err(ApiFailure::unauthorized(ApiError::detail(
            "E101",
            "kein Bearer-Token im Authorization-Header",
        )));
    };
    let st = shared.lock();
    let now = st.now();
    match st.tokens.get(token) {
        Some(t) if now < t.expires_at => Ok(t.clone()),
        Some(_) => Err(ApiFailure::unauthorized(ApiError::new("E101"))),
        None => Err(ApiFailure::unauthorized(ApiError::detail(
            "E101",
            "Token unbekannt",
        ))),
    }
}

/// Query parameters, looked up without regard to case (ASP.NET model binding ignores case).
pub(crate) struct Params(pub(crate) HashMap<String, String>);

impl Params {
    pub(crate) fn get(&self, name: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// A boolean parameter (`true`/`false`), `default` when absent.
    pub(crate) fn flag(&self, name: &str, default: bool) -> Result<bool, ApiFailure> {
        match self.get(name) {
            None | Some("") => Ok(default),
            Some(v) if v.eq_ignore_ascii_case("true") => Ok(true),
            Some(v) if v.eq_ignore_ascii_case("false") => Ok(false),
            Some(v) => Err(bad_param(name, v)),
        }
    }

    /// A date parameter: `YYYY-MM-DD` (00:00:00) or `YYYY-MM-DDTHH:MM:SS[.fff]`.
    pub(crate) fn date(&self, name: &str) -> Result<Option<NaiveDateTime>, ApiFailure> {
        let Some(v) = self.get(name).filter(|v| !v.is_empty()) else {
            return Ok(None);
        };
        if let Ok(d) = NaiveDate::parse_from_str(v, "%Y-%m-%d") {
            return Ok(Some(d.and_time(chrono::NaiveTime::MIN)));
        }
        NaiveDateTime::parse_from_str(v, "%Y-%m-%dT%H:%M:%S%.f")
            .map(Some)
            .map_err(|_| bad_param(name, v))
    }

    /// The `fromDate`/`tillDate` pair; `fromDate` is required and at most 400 days back.
    pub(crate) fn date_range(
        &self,
        now: NaiveDateTime,
    ) -> Result<(NaiveDateTime, NaiveDateTime), ApiFailure> {
        let Some(from) = self.date("fromDate")? else {
            return Err(ApiFailure::bad_request(ApiError::detail(
                "E399",
                "Parameter fromDate fehlt",
            )));
        };
        if from < now - TimeDelta::days(400) {
            return Err(ApiFailure::bad_request(ApiError::detail(
                "E399",
                "fromDate liegt mehr als 400 Tage zurück",
            )));
        }
        let till = self.date("tillDate")?.unwrap_or(now);
        Ok((from, till))
    }
}

fn bad_param(name: &str, value: &str) -> ApiFailure {
    ApiFailure::bad_request(ApiError::detail(
        "E399",
        format!("ungültiger Wert {value:?} für Parameter {name}"),
    ))
}
