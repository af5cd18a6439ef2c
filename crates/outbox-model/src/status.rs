//! Delivery statuses and the one function that decides which transitions are legal.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::Language;

/// The status of a delivery.
///
/// ```text
/// Prepared → Queued → InProgress → Sent → Downloaded
///     │         │          │
///     └─────────┴──────────┴──→ Failed { retryable } ──(retryable)──→ Queued
/// Prepared / Queued / Failed{retryable} ──→ Cancelled
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum DeliveryStatus {
    /// Planned, not yet released for sending ("vorbereiten").
    Prepared,
    /// Released for sending; waiting for a worker.
    Queued,
    /// A worker is sending it, or the provider is still processing it.
    InProgress,
    /// Handed over to the recipient's route (letter posted, mail accepted, file shared).
    Sent,
    /// The recipient downloaded it, or the provider confirmed receipt. Final.
    Downloaded,
    /// Could not be delivered.
    Failed {
        /// Why, in words the user can act on.
        reason: String,
        /// Whether sending again may succeed (it may be queued again).
        retryable: bool,
    },
    /// Withdrawn before it was sent. Final.
    Cancelled,
}

/// The kind of a status without its data, for storage columns, counting and matching.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum StatusKind {
    /// See [`DeliveryStatus::Prepared`].
    Prepared,
    /// See [`DeliveryStatus::Queued`].
    Queued,
    /// See [`DeliveryStatus::InProgress`].
    InProgress,
    /// See [`DeliveryStatus::Sent`].
    Sent,
    /// See [`DeliveryStatus::Downloaded`].
    Downloaded,
    /// See [`DeliveryStatus::Failed`].
    Failed,
    /// See [`DeliveryStatus::Cancelled`].
    Cancelled,
}

impl StatusKind {
    /// Every kind.
    pub const ALL: [StatusKind; 7] = [
        StatusKind::Prepared,
        StatusKind::Queued,
        StatusKind::InProgress,
        StatusKind::Sent,
        StatusKind::Downloaded,
        StatusKind::Failed,
        StatusKind::Cancelled,
    ];

    /// Stable machine name (equal to the serde name).
    pub fn as_str(self) -> &'static str {
        match self {
            StatusKind::Prepared => "prepared",
            StatusKind::Queued => "queued",
            StatusKind::InProgress => "in_progress",
            StatusKind::Sent => "sent",
            StatusKind::Downloaded => "downloaded",
            StatusKind::Failed => "failed",
            StatusKind::Cancelled => "cancelled",
        }
    }

    /// Parses the machine name.
    pub fn parse(s: &str) -> Option<Self> {
        StatusKind::ALL.into_iter().find(|k| k.as_str() == s)
    }

    /// The label shown to users.
    pub fn label(self, lang: Language) -> &'static str {
        match self {
            StatusKind::Prepared => lang.pick("vorbereiten", "prepared"),
            StatusKind::Queued => lang.pick("in Warteschlange", "queued"),
            StatusKind::InProgress => lang.pick("in Bearbeitung", "in progress"),
            StatusKind::Sent => lang.pick("versendet", "sent"),
            StatusKind::Downloaded => lang.pick("heruntergeladen", "downloaded"),
            StatusKind::Failed => lang.pick("fehlgeschlagen", "failed"),
            StatusKind::Cancelled => lang.pick("storniert", "cancelled"),
        }
    }
}

/// A transition the state machine does not allow.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("a delivery cannot go from {from} to {to}: {why}")]
pub struct TransitionError {
    /// Current status kind.
    pub from: StatusKind,
    /// Requested status kind.
    pub to: StatusKind,
    /// Why it is refused.
    pub why: &'static str,
}

impl DeliveryStatus {
    /// The kind without data.
    pub fn kind(&self) -> StatusKind {
        match self {
            DeliveryStatus::Prepared => StatusKind::Prepared,
            DeliveryStatus::Queued => StatusKind::Queued,
            DeliveryStatus::InProgress => StatusKind::InProgress,
            DeliveryStatus::Sent => StatusKind::Sent,
            DeliveryStatus::Downloaded => StatusKind::Downloaded,
            DeliveryStatus::Failed { .. } => StatusKind::Failed,
            DeliveryStatus::Cancelled => StatusKind::Cancelled,
        }
    }

    /// A failure with a reason.
    pub fn failed(reason: impl Into<String>, retryable: bool) -> Self {
        DeliveryStatus::Failed {
            reason: reason.into(),
            retryable,
        }
    }

    /// Whether no transition leaves this status.
    pub fn is_terminal(&self) -> bool {
        matches!(
            self,
            DeliveryStatus::Downloaded
                | DeliveryStatus::Cancelled
                | DeliveryStatus::Failed {
                    retryable: false,
                    ..
                }
        )
    }

    /// Whether the delivery's documents have left (or are leaving) the outbox: from here on it
    /// cannot be cancelled or silently resent.
    pub fn is_dispatched(&self) -> bool {
        matches!(
            self,
            DeliveryStatus::InProgress | DeliveryStatus::Sent | DeliveryStatus::Downloaded
        )
    }

    /// Decides whether `self → to` is legal. This is the only place that knows the rules.
    ///
    /// Nothing goes backwards; a retryable failure may be queued again (that is a new attempt,
    /// not a step back); terminal states stay terminal; a delivery in progress cannot be
    /// cancelled because its side effect may already have happened.
    pub fn check_transition(&self, to: &DeliveryStatus) -> Result<(), TransitionError> {
        use StatusKind as K;
        let (from_k, to_k) = (self.kind(), to.kind());
        let refuse = |why| {
            Err(TransitionError {
                from: from_k,
                to: to_k,
                why,
            })
        };
        if self.is_terminal() {
            return refuse("the delivery has ended; its status is final");
        }
        match (self, to_k) {
            (DeliveryStatus::Prepared, K::Queued | K::Failed | K::Cancelled) => Ok(()),
            (DeliveryStatus::Queued, K::InProgress | K::Failed | K::Cancelled) => Ok(()),
            (DeliveryStatus::InProgress, K::Sent | K::Failed) => Ok(()),
            (DeliveryStatus::InProgress, K::Cancelled) => {
                refuse("it is being sent; wait for the result instead of cancelling")
            }
            (DeliveryStatus::Sent, K::Downloaded) => Ok(()),
            (DeliveryStatus::Failed { .. }, K::Queued | K::Cancelled | K::Failed) => Ok(()),
            _ if from_k == to_k => refuse("the delivery already has this status"),
            _ => refuse("statuses only move forward"),
        }
    }

    /// The same as [`check_transition`](Self::check_transition), as a bool.
    pub fn can_transition(&self, to: &DeliveryStatus) -> bool {
        self.check_transition(to).is_ok()
    }

    /// The label shown to users.
    pub fn label(&self, lang: Language) -> &'static str {
        self.kind().label(lang)
    }
}

impl fmt::Display for StatusKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl fmt::Display for DeliveryStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DeliveryStatus::Failed { reason, retryable } => write!(
                f,
                "failed ({}): {reason}",
                if *retryable { "retryable" } else { "final" }
            ),
            other => f.write_str(other.kind().as_str()),
        }
    }
}
