//! Wire-level JSON shapes the fake sends and receives that are not letters (reference §0, §1).
//!
//! These are the fake's own structs, written from the reference and deliberately independent of
//! the client's types, so a misunderstanding of the wire format cannot hide in both.

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use chrono::NaiveDateTime;
use serde::{Deserialize, Serialize};

use super::codes;

/// Date-times on the wire: ISO 8601 without offset, 3 fraction digits (reference §0).
pub(crate) fn format_date(t: NaiveDateTime) -> String {
    t.format("%Y-%m-%dT%H:%M:%S%.3f").to_string()
}

/// The API's `Error` object: `{level, code, description, date}`.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct ApiError {
    pub(crate) level: &'static str,
    pub(crate) code: String,
    pub(crate) description: String,
    pub(crate) date: Option<String>,
}

impl ApiError {
    /// An Error object with the standard text for `code`.
    pub(crate) fn new(code: &str) -> Self {
        Self {
            level: codes::level(code),
            code: code.to_owned(),
            description: codes::describe(code).to_owned(),
            date: None,
        }
    }

    /// An Error object whose description carries `detail` after a colon, as the API does.
    pub(crate) fn detail(code: &str, detail: impl AsRef<str>) -> Self {
        let mut e = Self::new(code);
        e.description = format!("{}: {}", e.description, detail.as_ref());
        e
    }

    /// Sets `date`.
    pub(crate) fn at(mut self, t: NaiveDateTime) -> Self {
        self.date = Some(format_date(t));
        self
    }
}

/// An HTTP error answer: a status code with one `Error` object as body.
#[derive(Debug, Clone)]
pub(crate) struct ApiFailure {
    pub(crate) status: StatusCode,
    pub(crate) error: ApiError,
}

impl ApiFailure {
    pub(crate) fn new(status: StatusCode, error: ApiError) -> Self {
        Self { status, error }
    }
    pub(crate) fn bad_request(error: ApiError) -> Self {
        Self::new(StatusCode::BAD_REQUEST, error)
    }
    pub(crate) fn unauthorized(error: ApiError) -> Self {
        Self::new(StatusCode::UNAUTHORIZED, error)
    }
    pub(crate) fn not_found() -> Self {
        Self::new(StatusCode::NOT_FOUND, ApiError::new("E201"))
    }
    pub(crate) fn too_many(error: ApiError) -> Self {
        Self::new(StatusCode::TOO_MANY_REQUESTS, error)
    }
}

impl IntoResponse for ApiFailure {
    fn into_response(self) -> Response {
        let mut r = (self.status, axum::Json(self.error)).into_response();
        if self.status == StatusCode::TOO_MANY_REQUESTS {
            // Real throttling proxies send Retry-After; clients should honour it.
            r.headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from_static("5"));
        }
        r
    }
}

/// `SmsCodeRequest`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct SmsCodeRequest {
    #[serde(rename = "vendorID")]
    pub(crate) vendor_id: Option<String>,
    pub(crate) ekp: Option<String>,
}

/// `SetPassword`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub(crate) struct SetPasswordRequest {
    #[serde(rename = "vendorID")]
    pub(crate) vendor_id: Option<String>,
    pub(crate) ekp: Option<String>,
    pub(crate) new_password: Option<String>,
    pub(crate) sms_code: Option<String>,
}

/// `Login`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub(crate) struct LoginRequest {
    #[serde(rename = "vendorID")]
    pub(crate) vendor_id: Option<String>,
    pub(crate) ekp: Option<String>,
    pub(crate) secret: Option<String>,
    pub(crate) password: Option<String>,
    #[serde(rename = "vendorSubID")]
    pub(crate) vendor_sub_id: Option<String>,
    pub(crate) token_duration: Option<i32>,
}

/// `LoginResponse`.
#[derive(Debug, Serialize)]
pub(crate) struct LoginResponse {
    pub(crate) token: String,
}

/// `LetterIdent`: one per submitted letter.
#[derive(Debug, Serialize)]
pub(crate) struct LetterIdent {
    #[serde(rename = "fileName")]
    pub(crate) file_name: String,
    #[serde(rename = "letterID")]
    pub(crate) letter_id: i64,
}

/// `LetterDataResult` of `GET /api/Letter/TestResult`.
#[derive(Debug, Serialize)]
pub(crate) struct LetterDataResult {
    #[serde(rename = "letterID")]
    pub(crate) letter_id: i64,
    #[serde(rename = "fileName")]
    pub(crate) file_name: String,
    pub(crate) data: String,
}

/// `{plugInName, plugInFeedbackModel}`.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct PlugInFeedback {
    pub(crate) plug_in_name: String,
    pub(crate) plug_in_feedback_model: serde_json::Value,
}

/// `LetterStatus` (reference §3.2); fields that have no value yet are sent as `null`.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct LetterStatus {
    #[serde(rename = "letterID")]
    pub(crate) letter_id: i64,
    pub(crate) file_name: String,
    #[serde(rename = "statusID")]
    pub(crate) status_id: i32,
    pub(crate) status_details: String,
    pub(crate) created_date: Option<String>,
    pub(crate) processed_date: Option<String>,
    pub(crate) print_upload_date: Option<String>,
    pub(crate) print_feedback_date: Option<String>,
    pub(crate) test_flag: bool,
    #[serde(rename = "testEMail")]
    pub(crate) test_email: Option<String>,
    pub(crate) test_show_restricted_area: bool,
    pub(crate) registered_letter: Option<String>,
    #[serde(rename = "registeredLetterID")]
    pub(crate) registered_letter_id: Option<String>,
    pub(crate) registered_letter_status: Option<String>,
    pub(crate) registered_letter_status_date: Option<String>,
    #[serde(rename = "batchID")]
    pub(crate) batch_id: i32,
    pub(crate) cover_letter: bool,
    pub(crate) no_of_pages: Option<i32>,
    #[serde(rename = "subVendorID")]
    pub(crate) sub_vendor_id: Option<String>,
    pub(crate) is_color: bool,
    pub(crate) is_duplex: bool,
    pub(crate) custom1: Option<String>,
    pub(crate) custom2: Option<String>,
    pub(crate) custom3: Option<String>,
    pub(crate) custom4: Option<String>,
    pub(crate) custom5: Option<String>,
    pub(crate) vendor_system_information: Option<String>,
    pub(crate) cost_center: Option<String>,
    pub(crate) zip_code: String,
    pub(crate) city: String,
    pub(crate) country: Option<String>,
    #[serde(rename = "frankierID")]
    pub(crate) frankier_id: Option<String>,
    pub(crate) destination_area_status: Option<String>,
    pub(crate) destination_area_status_date: Option<String>,
    pub(crate) error_list: Vec<ApiError>,
    pub(crate) plug_in_feedback_list: Vec<PlugInFeedback>,
}
