//! The JSON shapes of the E-POSTBUSINESS API v2.6.1, with the API's own names (including its
//! `senderAdress…` spelling and the upper-case `ID` suffixes).

use serde::{Deserialize, Serialize};

/// The API's `Error` object: the body of every failed call, the health-check answer, and the
/// elements of a letter's `errorList`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApiError {
    /// `"Info"`, `"Warning"` or `"Error"`.
    #[serde(default)]
    pub level: String,
    /// The code (`"E302"`).
    pub code: String,
    /// The provider's description, often with details after a colon.
    #[serde(default)]
    pub description: String,
    /// When it happened, offset-less ISO 8601, if given.
    #[serde(default)]
    pub date: Option<String>,
}

/// `POST /api/Login/smsRequest` body.
#[derive(Debug, Serialize)]
pub(crate) struct SmsCodeRequest<'a> {
    #[serde(rename = "vendorID")]
    pub(crate) vendor_id: &'a str,
    pub(crate) ekp: &'a str,
}

/// `POST /api/Login/setPassword` body. No `Debug`: it holds the new password.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct SetPassword<'a> {
    #[serde(rename = "vendorID")]
    pub(crate) vendor_id: &'a str,
    pub(crate) ekp: &'a str,
    pub(crate) new_password: &'a str,
    pub(crate) sms_code: &'a str,
}

/// `POST /api/Login` body.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct LoginRequest<'a> {
    #[serde(rename = "vendorID")]
    pub(crate) vendor_id: &'a str,
    pub(crate) ekp: &'a str,
    pub(crate) secret: &'a str,
    pub(crate) password: &'a str,
    #[serde(rename = "vendorSubID", skip_serializing_if = "Option::is_none")]
    pub(crate) vendor_sub_id: Option<&'a str>,
    pub(crate) token_duration: u32,
}

/// `POST /api/Login` answer.
#[derive(Deserialize)]
pub(crate) struct LoginResponse {
    pub(crate) token: String,
}

/// One element of the `POST /api/Letter` body (schema `Letter`).
///
/// Build it with [`crate::letter::build_letter`] from a delivery, or fill it yourself for
/// [`EpostAccount::submit_letters`](crate::EpostAccount::submit_letters).
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "camelCase")]
pub struct Letter {
    /// Unique file name, 5..200 characters of `[A-Za-z0-9._-]`.
    pub file_name: String,
    /// The PDF, base64.
    pub data: String,
    /// Colour print.
    pub is_color: bool,
    /// Print on both sides (not with registered mail).
    pub is_duplex: bool,
    /// Free grouping key; 0 when unused.
    #[serde(rename = "batchID")]
    pub batch_id: i32,
    /// `"Einwurf Einschreiben"`, `"Einschreiben"`, `"Einschreiben Rückschein"`, or absent.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub registered_letter: Option<String>,
    /// Test mode: processed and checked, never printed or charged.
    pub test_flag: bool,
    /// Where the test result goes, in test mode.
    #[serde(rename = "testEMail", skip_serializing_if = "Option::is_none")]
    pub test_email: Option<String>,
    /// Let the API generate its standard cover page from the address fields.
    pub cover_letter: bool,
    /// Recipient line 1 (name or company).
    pub address_line1: String,
    /// Recipient line 2.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub address_line2: Option<String>,
    /// Recipient line 3.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub address_line3: Option<String>,
    /// Recipient line 4.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub address_line4: Option<String>,
    /// Recipient line 5 (domestic only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub address_line5: Option<String>,
    /// Postal code; three blanks for countries without postal codes.
    pub zip_code: String,
    /// City.
    pub city: String,
    /// Upper-case German country name; empty for domestic mail.
    pub country: String,
    /// Sender name.
    #[serde(rename = "senderAdressLine1", skip_serializing_if = "Option::is_none")]
    pub sender_adress_line1: Option<String>,
    /// Sender street.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sender_street: Option<String>,
    /// Sender postal code.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sender_zip_code: Option<String>,
    /// Sender city.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sender_city: Option<String>,
    /// Reference 1, searchable: our delivery id.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub custom1: Option<String>,
    /// Reference 2: our tenant id.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub custom2: Option<String>,
    /// Reference 3: our attempt number.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub custom3: Option<String>,
    /// Identifier of the sending software (≤ 120 characters).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub vendor_system_information: Option<String>,
    /// Cost centre on the invoice (≤ 8 of `[0-9a-zA-Z]`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cost_center: Option<String>,
    /// Reject an identical upload within one hour (`E324`).
    pub activate_duplicate_failsafe: bool,
}

impl std::fmt::Debug for Letter {
    // The PDF would flood any log; show its size instead.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Letter")
            .field("file_name", &self.file_name)
            .field("data", &format_args!("<{} base64 chars>", self.data.len()))
            .field("is_color", &self.is_color)
            .field("is_duplex", &self.is_duplex)
            .field("registered_letter", &self.registered_letter)
            .field("test_flag", &self.test_flag)
            .field("cover_letter", &self.cover_letter)
            .field("custom1", &self.custom1)
            .finish_non_exhaustive()
    }
}

impl Letter {
    /// The size of the PDF before base64 (what the 20 MB limit counts).
    pub fn pdf_bytes(&self) -> u64 {
        let len = self.data.len() as u64;
        let pad = self.data.bytes().rev().take_while(|b| *b == b'=').count() as u64;
        (len / 4 * 3).saturating_sub(pad)
    }

    /// An estimate of this element's share of the request body.
    pub(crate) fn wire_bytes(&self) -> u64 {
        // Everything but the PDF is small; 4 KiB covers the other fields with their names.
        self.data.len() as u64 + 4096
    }
}

/// One element of the `POST /api/Letter` answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LetterIdent {
    /// The submitted file name.
    #[serde(rename = "fileName")]
    pub file_name: String,
    /// The provider's letter id.
    #[serde(rename = "letterID")]
    pub letter_id: i64,
}

/// A letter's status (schema `LetterStatus`). Dates are kept as sent (offset-less ISO 8601);
/// [`crate::parse_api_datetime`] reads them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "camelCase")]
pub struct LetterStatus {
    /// The provider's letter id.
    #[serde(rename = "letterID")]
    pub letter_id: i64,
    /// The submitted file name.
    #[serde(default)]
    pub file_name: Option<String>,
    /// 1 accepted, 2 processed, 3 at the print centre, 4 printed and posted, 99 failed.
    #[serde(rename = "statusID")]
    pub status_id: i32,
    /// The provider's status text.
    #[serde(default)]
    pub status_details: Option<String>,
    /// When it was accepted.
    #[serde(default)]
    pub created_date: Option<String>,
    /// When it was processed (status 2).
    #[serde(default)]
    pub processed_date: Option<String>,
    /// When it went to the print centre (status 3).
    #[serde(default)]
    pub print_upload_date: Option<String>,
    /// When the print centre reported it posted (status 4).
    #[serde(default)]
    pub print_feedback_date: Option<String>,
    /// Test letter.
    #[serde(default)]
    pub test_flag: Option<bool>,
    /// Registered-mail option.
    #[serde(default)]
    pub registered_letter: Option<String>,
    /// Registered-mail shipment code (from status 3).
    #[serde(
        rename = "registeredLetterID",
        default,
        deserialize_with = "string_or_number"
    )]
    pub registered_letter_id: Option<String>,
    /// Registered-mail tracking state (`trackStatusCodes.json`).
    #[serde(default)]
    pub registered_letter_status: Option<String>,
    /// When the tracking state was reported.
    #[serde(default)]
    pub registered_letter_status_date: Option<String>,
    /// Pages as counted by the provider.
    #[serde(default)]
    pub no_of_pages: Option<i32>,
    /// Reference 1 (our delivery id).
    #[serde(default)]
    pub custom1: Option<String>,
    /// Reference 2 (our tenant id).
    #[serde(default)]
    pub custom2: Option<String>,
    /// Reference 3 (our attempt).
    #[serde(default)]
    pub custom3: Option<String>,
    /// Errors, warnings and information about the letter.
    #[serde(default)]
    pub error_list: Option<Vec<ApiError>>,
}

/// Accepts a string, a number or null: the shipment code's JSON type is not pinned down.
fn string_or_number<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    Ok(match Option::<serde_json::Value>::deserialize(d)? {
        None | Some(serde_json::Value::Null) => None,
        Some(serde_json::Value::String(s)) => Some(s),
        Some(other) => Some(other.to_string()),
    })
}
