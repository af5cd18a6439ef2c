//! Letters as the fake receives, stores and reports them.

use chrono::{NaiveDateTime, TimeDelta};
use serde::{Deserialize, Serialize};

use super::codes;
use super::config::StatusSchedule;
use super::faults::Fault99;
use super::wire::{ApiError, LetterStatus, PlugInFeedback, format_date};

/// One `plugInList` element: `{plugInName, plugInModel}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct PlugIn {
    /// `Automover`, `UploadManagement` or `PremiumAdress`.
    pub plug_in_name: String,
    /// The plugin's model, kept as JSON.
    #[serde(default)]
    pub plug_in_model: serde_json::Value,
}

/// Every field of a submitted `Letter` object except the PDFs (`data`, `coverData`), under
/// the wire names (reference §2.2; note `vendorID`-style suffixes and the `Adress` spelling).
///
/// The fake parses strictly: an unknown or misspelt field name is an `E313` schema violation
/// (the real API would probably ignore it silently, which hides client bugs).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields, default)]
pub struct LetterFields {
    /// `fileName`, 5..200 characters of `[A-Za-z0-9._-]`.
    pub file_name: String,
    /// `isColor`.
    pub is_color: bool,
    /// `isDuplex`.
    pub is_duplex: bool,
    /// `batchID`, 0 when unused.
    #[serde(rename = "batchID")]
    pub batch_id: i32,
    /// `registeredLetter`: `Einwurf Einschreiben`, `Einschreiben`, `Einschreiben Rückschein`.
    pub registered_letter: Option<String>,
    /// `registeredLetterAdressLine1` (obsolete, gives `W220`).
    #[serde(rename = "registeredLetterAdressLine1")]
    pub registered_letter_address_line1: Option<String>,
    /// `registeredLetterAdressLine2` (obsolete).
    #[serde(rename = "registeredLetterAdressLine2")]
    pub registered_letter_address_line2: Option<String>,
    /// `registeredLetterAdressLine3` (obsolete).
    #[serde(rename = "registeredLetterAdressLine3")]
    pub registered_letter_address_line3: Option<String>,
    /// `registeredLetterZipCode` (obsolete).
    pub registered_letter_zip_code: Option<String>,
    /// `registeredLetterCity` (obsolete).
    pub registered_letter_city: Option<String>,
    /// `testFlag`: processing only, no print; the letter stays in status 2.
    pub test_flag: bool,
    /// `testEMail`.
    #[serde(rename = "testEMail")]
    pub test_email: Option<String>,
    /// `testShowRestrictedArea`.
    pub test_show_restricted_area: bool,
    /// `coverLetter`: the API adds a generated cover page.
    pub cover_letter: bool,
    /// `addressLine1` (required, 1..80).
    pub address_line1: String,
    /// `addressLine2`.
    pub address_line2: Option<String>,
    /// `addressLine3`.
    pub address_line3: Option<String>,
    /// `addressLine4`.
    pub address_line4: Option<String>,
    /// `addressLine5` (German addresses only).
    pub address_line5: Option<String>,
    /// `zipCode` (required, 3..20).
    pub zip_code: String,
    /// `city` (required, 1..80).
    pub city: String,
    /// `country`: German upper-case name, empty or omitted for Germany.
    pub country: Option<String>,
    /// `senderAdressLine1`.
    #[serde(rename = "senderAdressLine1")]
    pub sender_address_line1: Option<String>,
    /// `senderStreet`.
    pub sender_street: Option<String>,
    /// `senderZipCode`.
    pub sender_zip_code: Option<String>,
    /// `senderCity`.
    pub sender_city: Option<String>,
    /// `senderAdressLineComplete`.
    #[serde(rename = "senderAdressLineComplete")]
    pub sender_address_line_complete: Option<String>,
    /// `custom1` (searchable with `GET /api/Letter/Custom1`).
    pub custom1: Option<String>,
    /// `custom2`.
    pub custom2: Option<String>,
    /// `custom3`.
    pub custom3: Option<String>,
    /// `custom4`.
    pub custom4: Option<String>,
    /// `custom5`.
    pub custom5: Option<String>,
    /// `vendorSystemInformation`.
    pub vendor_system_information: Option<String>,
    /// `costCenter`.
    pub cost_center: Option<String>,
    /// `plugInList`.
    pub plug_in_list: Option<Vec<PlugIn>>,
    /// `activateDuplicateFailsafe`.
    pub activate_duplicate_failsafe: bool,
}

/// A letter the fake received, as [`FakeEpost::letters`](super::FakeEpost::letters) reports it
/// (a snapshot at the fake clock's current time). `GET /__fake/letters` serves the same as JSON.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct FakeLetter {
    /// The `letterID` the fake assigned.
    #[serde(rename = "letterID")]
    pub letter_id: i64,
    /// When it was received (fake clock).
    pub received_at: NaiveDateTime,
    /// The submitted fields.
    pub fields: LetterFields,
    /// The EKP of the account that submitted it.
    pub ekp: String,
    /// The `vendorSubID` of the login that submitted it.
    #[serde(rename = "subVendorID")]
    pub sub_vendor_id: Option<String>,
    /// Size of the decoded PDF in bytes.
    pub pdf_size: usize,
    /// Pages of the PDF as lopdf counted them (`None` if it could not be parsed).
    pub pdf_pages: Option<u32>,
    /// Size of the decoded `coverData` PDF, if one was sent.
    pub cover_data_size: Option<usize>,
    /// The decoded PDF (not part of the JSON introspection).
    #[serde(skip)]
    pub pdf: Vec<u8>,
    /// The current `statusID` (1, 2, 3, 4 or 99).
    #[serde(rename = "statusID")]
    pub status_id: i32,
    /// Codes in the current `errorList` (errors, warnings and infos).
    pub error_codes: Vec<String>,
    /// The tracking number of a registered letter, from status 3 on.
    #[serde(rename = "registeredLetterID")]
    pub registered_letter_id: Option<String>,
    /// The current tracking code (`registeredLetterStatus`), after status 4.
    pub registered_letter_status: Option<String>,
    /// Whether that tracking code is final (per `trackStatusCodes.json`).
    pub registered_letter_final: bool,
}

/// A letter inside the fake.
#[derive(Debug, Clone)]
pub(crate) struct StoredLetter {
    pub(crate) id: i64,
    /// The account (EKP) it belongs to.
    pub(crate) ekp: String,
    pub(crate) fields: LetterFields,
    pub(crate) pdf: Vec<u8>,
    pub(crate) cover_data_size: Option<usize>,
    pub(crate) pages: Option<u32>,
    /// A PDF problem found at upload that surfaces as status 99 at the processing step.
    pub(crate) pdf_problem: Option<ApiError>,
    /// Warnings known at upload (W203, W220), listed in `errorList` from status 1.
    pub(crate) warnings: Vec<ApiError>,
    pub(crate) received_at: NaiveDateTime,
    pub(crate) sub_vendor_id: Option<String>,
    pub(crate) reject: Option<Fault99>,
}

/// Tracking codes a registered letter runs through after status 4.
fn tracking_path(kind: &str) -> [&'static str; 3] {
    match kind {
        "Einschreiben Rückschein" => ["POSTED", "IN_DELIVERY", "CONFIRMED"],
        _ => ["POSTED", "IN_DELIVERY", "DELIVERED"],
    }
}

/// The `final` flag of a tracking code (reference §3.2).
pub(crate) fn tracking_final(code: &str) -> bool {
    matches!(
        code,
        "DELIVERED"
            | "MARBURG"
            | "FETCHED_PACKSTATION"
            | "FETCHED"
            | "FETCHED_NOTIFIED"
            | "DELIVERED_PO_BOX"
            | "CONFIRMED"
            | "CONFIRMATION_PENDING"
            | "FETCHED_PENDING_DELIVERY_CONFIRMATION"
            | "FETCHED_PO_BOX_PENDING_DELIVERY_CONFIRMATION"
            | "FETCHED_KEY_ACCOUNT_PENDING_DELIVERY_CONFIRMATION"
            | "RETURNED_TO_SENDER"
            | "CONFIRMED_BY_SENDER"
            | "AMBIGUOUS"
    )
}

fn delta(d: std::time::Duration) -> TimeDelta {
    TimeDelta::from_std(d).unwrap_or(TimeDelta::MAX)
}

fn add(t: NaiveDateTime, d: TimeDelta) -> NaiveDateTime {
    t.checked_add_signed(d).unwrap_or(NaiveDateTime::MAX)
}

/// Where a letter stands at some instant.
#[derive(Debug, Clone)]
pub(crate) struct StatusView {
    pub(crate) status_id: i32,
    pub(crate) processed: Option<NaiveDateTime>,
    pub(crate) print_upload: Option<NaiveDateTime>,
    pub(crate) print_feedback: Option<NaiveDateTime>,
    pub(crate) errors: Vec<ApiError>,
    pub(crate) registered_letter_id: Option<String>,
    pub(crate) tracking: Option<(&'static str, NaiveDateTime)>,
    pub(crate) frankier_id: Option<String>,
    pub(crate) destination_area: Option<NaiveDateTime>,
}

impl StoredLetter {
    /// The status at `now`, derived from the reception time and the schedule, so that moving the
    /// clock (in either direction of scheduling) never needs a background task.
    pub(crate) fn view(&self, now: NaiveDateTime, s: &StatusSchedule) -> StatusView {
        let mut v = StatusView {
            status_id: 1,
            processed: None,
            print_upload: None,
            print_feedback: None,
            errors: self.warnings.clone(),
            registered_letter_id: None,
            tracking: None,
            frankier_id: None,
            destination_area: None,
        };
        let t2 = add(self.received_at, delta(s.processing));
        if now < t2 {
            return v;
        }
        v.processed = Some(t2);
        if let Some(problem) = &self.pdf_problem {
            v.status_id = 99;
            v.errors.push(problem.clone().at(t2));
            return v;
        }
        v.status_id = 2;
        if self.fields.test_flag {
            return v;
        }
        let t3 = add(t2, delta(s.print_upload));
        if now < t3 {
            return v;
        }
        v.status_id = 3;
        v.print_upload = Some(t3);
        if self.fields.registered_letter.is_some() {
            v.registered_letter_id = Some(registered_letter_id(self.id));
        }
        let t4 = add(t3, delta(s.print_feedback));
        if now < t4 {
            return v;
        }
        if let Some(reject) = &self.reject {
            v.status_id = 99;
            v.errors.push(ApiError::new(reject.code).at(t4));
            return v;
        }
        v.status_id = 4;
        v.print_feedback = Some(t4);
        v.frankier_id = Some(format!("A0{:016}", self.id));
        let t_area = add(t4, TimeDelta::days(1));
        if now >= t_area {
            v.destination_area = Some(t_area);
        }
        if let Some(kind) = &self.fields.registered_letter {
            let step = delta(s.tracking_step);
            let mut t = t4;
            for code in tracking_path(kind) {
                t = add(t, step);
                if now < t {
                    break;
                }
                v.tracking = Some((code, t));
            }
            if let Some((code, t)) = v.tracking {
                v.errors.push(ApiError::detail("I701", code).at(t));
            }
        }
        v
    }

    /// The `LetterStatus` wire object at `now`.
    pub(crate) fn status(&self, now: NaiveDateTime, s: &StatusSchedule) -> LetterStatus {
        let v = self.view(now, s);
        let f = &self.fields;
        let pages = self
            .pages
            .map(|p| p + u32::from(f.cover_letter || self.cover_data_size.is_some()));
        LetterStatus {
            letter_id: self.id,
            file_name: f.file_name.clone(),
            status_id: v.status_id,
            status_details: status_details(v.status_id).to_owned(),
            created_date: Some(format_date(self.received_at)),
            processed_date: v.processed.map(format_date),
            print_upload_date: v.print_upload.map(format_date),
            print_feedback_date: v.print_feedback.map(format_date),
            test_flag: f.test_flag,
            test_email: f.test_email.clone(),
            test_show_restricted_area: f.test_show_restricted_area,
            registered_letter: f.registered_letter.clone(),
            registered_letter_id: v.registered_letter_id.clone(),
            registered_letter_status: v.tracking.map(|(c, _)| c.to_owned()),
            registered_letter_status_date: v.tracking.map(|(_, t)| format_date(t)),
            batch_id: f.batch_id,
            cover_letter: f.cover_letter || self.cover_data_size.is_some(),
            no_of_pages: pages.and_then(|p| i32::try_from(p).ok()),
            sub_vendor_id: self.sub_vendor_id.clone(),
            is_color: f.is_color,
            is_duplex: f.is_duplex,
            custom1: f.custom1.clone(),
            custom2: f.custom2.clone(),
            custom3: f.custom3.clone(),
            custom4: f.custom4.clone(),
            custom5: f.custom5.clone(),
            vendor_system_information: f.vendor_system_information.clone(),
            cost_center: f.cost_center.clone(),
            zip_code: f.zip_code.clone(),
            city: f.city.clone(),
            country: f.country.clone(),
            frankier_id: v.frankier_id.clone(),
            destination_area_status: v
                .destination_area
                .map(|_| "Sendung im Zielgebiet angekommen".to_owned()),
            destination_area_status_date: v.destination_area.map(format_date),
            error_list: v.errors,
            plug_in_feedback_list: f
                .plug_in_list
                .iter()
                .flatten()
                .map(|p| PlugInFeedback {
                    plug_in_name: p.plug_in_name.clone(),
                    plug_in_feedback_model: serde_json::Value::Null,
                })
                .collect(),
        }
    }

    /// The public snapshot at `now`.
    pub(crate) fn snapshot(&self, now: NaiveDateTime, s: &StatusSchedule) -> FakeLetter {
        let v = self.view(now, s);
        FakeLetter {
            letter_id: self.id,
            received_at: self.received_at,
            fields: self.fields.clone(),
            ekp: self.ekp.clone(),
            sub_vendor_id: self.sub_vendor_id.clone(),
            pdf_size: self.pdf.len(),
            pdf_pages: self.pages,
            cover_data_size: self.cover_data_size,
            pdf: self.pdf.clone(),
            status_id: v.status_id,
            error_codes: v.errors.iter().map(|e| e.code.clone()).collect(),
            registered_letter_id: v.registered_letter_id,
            registered_letter_status: v.tracking.map(|(c, _)| c.to_owned()),
            registered_letter_final: v.tracking.is_some_and(|(c, _)| tracking_final(c)),
        }
    }
}

/// A plausible tracking number for a registered letter ("RR" + 9 digits + "DE").
fn registered_letter_id(id: i64) -> String {
    format!("RR{:09}DE", id.rem_euclid(1_000_000_000))
}

/// `statusDetails` per status (reference §3.1).
fn status_details(status: i32) -> &'static str {
    match status {
        1 => "Annahme der Sendung",
        2 => "Verarbeitung der Sendung",
        3 => "Einlieferung in Druckzentrum",
        4 => "Verarbeitung in Druckzentrum",
        _ => codes::describe("E315"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn letter(
        fields: LetterFields,
        problem: Option<&str>,
        reject: Option<Fault99>,
    ) -> StoredLetter {
        StoredLetter {
            id: 10_000_001,
            ekp: "5012345678".into(),
            fields,
            pdf: b"%PDF-1.7".to_vec(),
            cover_data_size: None,
            pages: Some(1),
            pdf_problem: problem.map(ApiError::new),
            warnings: Vec::new(),
            received_at: NaiveDateTime::default(),
            sub_vendor_id: None,
            reject,
        }
    }

    fn rank(status: i32) -> i32 {
        if status == 99 { 100 } else { status }
    }

    fn cases() -> Vec<StoredLetter> {
        let registered = LetterFields {
            registered_letter: Some("Einschreiben".into()),
            ..LetterFields::default()
        };
        let test = LetterFields {
            test_flag: true,
            ..LetterFields::default()
        };
        vec![
            letter(LetterFields::default(), None, None),
            letter(registered.clone(), None, None),
            letter(test, None, None),
            letter(LetterFields::default(), Some("E307"), None),
            letter(registered, None, Some(Fault99 { code: "E318" })),
        ]
    }

    #[test]
    fn each_kind_of_letter_ends_where_it_should() {
        let end = NaiveDateTime::default() + TimeDelta::days(5);
        let s = StatusSchedule::default();
        let cases = cases();
        let ends: Vec<i32> = cases.iter().map(|l| l.view(end, &s).status_id).collect();
        assert_eq!(ends, [4, 4, 2, 99, 99]);
        assert_eq!(
            cases[1].view(end, &s).tracking.map(|(c, _)| c),
            Some("DELIVERED")
        );
    }

    proptest::proptest! {
        /// For any schedule, kind of letter and sequence of clock advances: the status never
        /// goes back, 4 and 99 are final, dates appear with their steps, tracking only
        /// follows status 4 and a final tracking code stays.
        #[test]
        fn statuses_only_move_forward_and_final_states_stay(
            steps in proptest::array::uniform4(1u64..200_000),
            kind in 0usize..5,
            advances in proptest::collection::vec(0u64..100_000, 1..60),
        ) {
            let schedule = StatusSchedule {
                processing: std::time::Duration::from_secs(steps[0]),
                print_upload: std::time::Duration::from_secs(steps[1]),
                print_feedback: std::time::Duration::from_secs(steps[2]),
                tracking_step: std::time::Duration::from_secs(steps[3]),
            };
            let l = &cases()[kind];
            let mut prev = l.view(l.received_at, &schedule);
            proptest::prop_assert_eq!(prev.status_id, 1);
            let mut t = l.received_at;
            for secs in advances {
                t += TimeDelta::seconds(i64::try_from(secs).unwrap());
                let v = l.view(t, &schedule);
                proptest::prop_assert!(rank(v.status_id) >= rank(prev.status_id));
                if prev.status_id == 99 || prev.status_id == 4 {
                    proptest::prop_assert_eq!(v.status_id, prev.status_id);
                }
                proptest::prop_assert_eq!(v.processed.is_some(), v.status_id != 1);
                proptest::prop_assert_eq!(v.print_feedback.is_some(), v.status_id == 4);
                if v.tracking.is_some() {
                    proptest::prop_assert_eq!(v.status_id, 4);
                    proptest::prop_assert!(v.registered_letter_id.is_some());
                }
                if prev.tracking.is_some_and(|(c, _)| tracking_final(c)) {
                    proptest::prop_assert_eq!(v.tracking, prev.tracking);
                }
                prev = v;
            }
        }
    }
}
