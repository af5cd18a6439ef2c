//! From the provider's `LetterStatus` to the outbox's delivery status, with registered-mail
//! tracking.

use chrono::{DateTime, Utc};
use outbox_channel::Tracking;
use outbox_model::{DeliveryStatus, Language};

use crate::codes::{self, CodeClass};
use crate::time::parse_api_datetime;
use crate::wire::LetterStatus;

/// The provider's letter states (`statusID`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum LetterState {
    /// 1: accepted.
    Accepted,
    /// 2: processed and released for the print centre.
    Processed,
    /// 3: handed to the print centre.
    AtPrintCentre,
    /// 4: printed and posted (final, billed).
    Posted,
    /// 99: failed (final); reasons in `errorList`.
    Failed,
    /// An id this client does not know; treated as still open.
    Unknown(i32),
}

impl LetterState {
    /// From `statusID`.
    pub fn from_id(id: i32) -> Self {
        match id {
            1 => LetterState::Accepted,
            2 => LetterState::Processed,
            3 => LetterState::AtPrintCentre,
            4 => LetterState::Posted,
            99 => LetterState::Failed,
            other => LetterState::Unknown(other),
        }
    }

    /// Whether the provider will not change it any more.
    pub fn is_final(self) -> bool {
        matches!(self, LetterState::Posted | LetterState::Failed)
    }
}

/// Registered-mail tracking states that are final (`trackStatusCodes.json`).
pub const FINAL_TRACKING_STATES: [&str; 14] = [
    "DELIVERED",
    "MARBURG",
    "FETCHED_PACKSTATION",
    "FETCHED",
    "FETCHED_NOTIFIED",
    "DELIVERED_PO_BOX",
    "CONFIRMED",
    "CONFIRMATION_PENDING",
    "FETCHED_PENDING_DELIVERY_CONFIRMATION",
    "FETCHED_PO_BOX_PENDING_DELIVERY_CONFIRMATION",
    "FETCHED_KEY_ACCOUNT_PENDING_DELIVERY_CONFIRMATION",
    "RETURNED_TO_SENDER",
    "CONFIRMED_BY_SENDER",
    "AMBIGUOUS",
];

/// Final tracking states that confirm the recipient got the letter: the delivery becomes
/// `Downloaded` ("confirmed").
pub const CONFIRMED_TRACKING_STATES: [&str; 6] = [
    "DELIVERED",
    "FETCHED",
    "FETCHED_NOTIFIED",
    "FETCHED_PACKSTATION",
    "DELIVERED_PO_BOX",
    "CONFIRMED",
];

/// Whether a registered-mail tracking state is final.
pub fn tracking_is_final(state: &str) -> bool {
    FINAL_TRACKING_STATES.contains(&state.trim())
}

/// What one `LetterStatus` means for a delivery.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MappedStatus {
    /// The provider's state.
    pub state: LetterState,
    /// The delivery status to record (reachable from the current one).
    pub status: DeliveryStatus,
    /// When the provider reached it.
    pub at: DateTime<Utc>,
    /// Registered-mail tracking, if any.
    pub tracking: Option<Tracking>,
    /// What the provider said, for the audit log.
    pub note: Option<String>,
}

/// Maps a letter status: 1/2/3 → in progress, 4 → sent (or downloaded once registered mail
/// is confirmed delivered), 99 → failed with the error list as reason, a test letter in 2 →
/// sent, unknown ids → unchanged with a note.
///
/// `current` is the delivery's status as the outbox knows it: the
/// result is always `current` itself or a status the state machine allows after it (a
/// confirmed registered letter still in progress becomes `Sent` first, `Downloaded` on the
/// next poll). `lang` is the language of failure reasons.
pub fn map_status(
    current: &DeliveryStatus,
    status: &LetterStatus,
    lang: Language,
    now: DateTime<Utc>,
) -> MappedStatus {
    let state = LetterState::from_id(status.status_id);
    let date = |d: &Option<String>| d.as_deref().and_then(parse_api_datetime);
    let tracking_state = status
        .registered_letter_status
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty());
    let mut notes: Vec<String> = Vec::new();
    if let Some(details) = status.status_details.as_deref().map(str::trim)
        && !details.is_empty()
    {
        notes.push(details.to_owned());
    }
    let (target, at) = match state {
        LetterState::Accepted => (Some(DeliveryStatus::InProgress), date(&status.created_date)),
        // Test letters end at 2: processed and checked, never printed. For the outbox that
        // is the end of the road, so they count as sent (with a note saying why).
        LetterState::Processed if status.test_flag == Some(true) => {
            notes.push("test letter: processed and checked, not printed or posted".into());
            (Some(DeliveryStatus::Sent), date(&status.processed_date))
        }
        LetterState::Processed => (
            Some(DeliveryStatus::InProgress),
            date(&status.processed_date),
        ),
        LetterState::AtPrintCentre => (
            Some(DeliveryStatus::InProgress),
            date(&status.print_upload_date),
        ),
        LetterState::Posted => {
            if tracking_state.is_some_and(|s| CONFIRMED_TRACKING_STATES.contains(&s)) {
                (
                    Some(DeliveryStatus::Downloaded),
                    date(&status.registered_letter_status_date)
                        .or_else(|| date(&status.print_feedback_date)),
                )
            } else {
                (
                    Some(DeliveryStatus::Sent),
                    date(&status.print_feedback_date),
                )
            }
        }
        LetterState::Failed => {
            let (reason, retryable) = failure_reason(status, lang);
            let at = status
                .error_list
                .iter()
                .flatten()
                .filter_map(|e| date(&e.date))
                .max()
                .or_else(|| date(&status.print_feedback_date))
                .or_else(|| date(&status.processed_date));
            (Some(DeliveryStatus::failed(reason, retryable)), at)
        }
        LetterState::Unknown(id) => {
            notes.push(format!(
                "E-POST reported the unknown status id {id}; the letter is treated as still in progress"
            ));
            (None, None)
        }
    };
    let mut result = current.clone();
    if let Some(target) = target {
        if current == &target || current.can_transition(&target) {
            result = target;
        } else if target == DeliveryStatus::Downloaded
            && current.can_transition(&DeliveryStatus::Sent)
        {
            result = DeliveryStatus::Sent;
        } else if current.kind() != target.kind() {
            notes.push(format!(
                "E-POST reports {target} but the delivery is {current}; kept"
            ));
        }
    }
    let tracking = status
        .registered_letter_id
        .as_deref()
        .map(str::trim)
        .filter(|c| !c.is_empty())
        .map(|code| Tracking {
            code: code.to_owned(),
            is_final: tracking_state.is_some_and(tracking_is_final),
        });
    if let Some(t) = tracking_state {
        notes.push(format!("registered mail: {t}"));
    }
    MappedStatus {
        state,
        status: result,
        at: at.unwrap_or(now),
        tracking,
        note: (!notes.is_empty()).then(|| notes.join("; ")),
    }
}

/// The reasons of a status-99 letter, and whether sending again may help (only when every
/// error is a transient provider problem).
fn failure_reason(status: &LetterStatus, lang: Language) -> (String, bool) {
    let errors: Vec<_> = status
        .error_list
        .iter()
        .flatten()
        .filter(|e| {
            e.level.eq_ignore_ascii_case("error")
                || (e.level.is_empty() && e.code.trim().starts_with('E'))
        })
        .collect();
    if errors.is_empty() {
        let details = status
            .status_details
            .as_deref()
            .map(str::trim)
            .filter(|d| !d.is_empty());
        let text = match (lang, details) {
            (_, Some(d)) => format!("E-POST: {d}"),
            (Language::De, None) => "E-POST: Verarbeitungsfehler ohne Angabe von Gründen".into(),
            (Language::En, None) => "E-POST: processing failed without a reason given".into(),
        };
        return (text, false);
    }
    let retryable = errors
        .iter()
        .all(|e| codes::class_of(&e.code) == CodeClass::Transient);
    let parts: Vec<String> = errors
        .iter()
        .map(|e| {
            let code = e.code.trim();
            let detail = e.description.trim();
            match codes::lookup(code) {
                Some(info) if detail.is_empty() => format!("{code}: {}", info.message(lang)),
                Some(info) => format!("{code}: {} ({detail})", info.message(lang)),
                None => format!("{code}: {detail}"),
            }
        })
        .collect();
    (parts.join("; "), retryable)
}
