//! The five progress counts shown on every outbox row.

use std::ops::{Add, AddAssign};

use serde::{Deserialize, Serialize};

use crate::{DeliveryStatus, StatusKind};

/// Progress of a document, a collector or a whole outbox: five counts and their total.
///
/// `prepared` counts deliveries not yet released; `in_progress` those queued or being sent;
/// `failed` failed ones (retryable or not); `sent` those handed over; `downloaded` those
/// downloaded or confirmed. Cancelled deliveries are kept apart in `cancelled` and are not part
/// of `total`, so the five counts always add up to `total`. Progress values add up across
/// documents and collectors.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
pub struct Progress {
    /// Not yet released for sending.
    pub prepared: u64,
    /// Queued or being sent.
    pub in_progress: u64,
    /// Failed.
    pub failed: u64,
    /// Sent.
    pub sent: u64,
    /// Downloaded or confirmed.
    pub downloaded: u64,
    /// Sum of the five counts.
    pub total: u64,
    /// Cancelled deliveries, shown apart and not part of `total`.
    pub cancelled: u64,
}

impl Progress {
    /// Counts one delivery in the given status kind.
    pub fn count_kind(&mut self, kind: StatusKind) {
        self.count_kind_n(kind, 1);
    }

    /// Counts `n` deliveries in the given status kind (for aggregated rows from a store).
    pub fn count_kind_n(&mut self, kind: StatusKind, n: u64) {
        let slot = match kind {
            StatusKind::Prepared => &mut self.prepared,
            StatusKind::Queued | StatusKind::InProgress => &mut self.in_progress,
            StatusKind::Failed => &mut self.failed,
            StatusKind::Sent => &mut self.sent,
            StatusKind::Downloaded => &mut self.downloaded,
            StatusKind::Cancelled => {
                self.cancelled += n;
                return;
            }
        };
        *slot += n;
        self.total += n;
    }

    /// Counts one delivery.
    pub fn count(&mut self, status: &DeliveryStatus) {
        self.count_kind(status.kind());
    }

    /// Progress of a set of statuses.
    pub fn from_statuses<'a>(statuses: impl IntoIterator<Item = &'a DeliveryStatus>) -> Self {
        let mut p = Self::default();
        for s in statuses {
            p.count(s);
        }
        p
    }

    /// Whether every counted delivery has ended (sent, downloaded or failed for good is not
    /// knowable from counts alone, so this means: nothing prepared or in progress).
    pub fn is_settled(&self) -> bool {
        self.prepared == 0 && self.in_progress == 0
    }
}

impl AddAssign for Progress {
    fn add_assign(&mut self, o: Self) {
        self.prepared += o.prepared;
        self.in_progress += o.in_progress;
        self.failed += o.failed;
        self.sent += o.sent;
        self.downloaded += o.downloaded;
        self.total += o.total;
        self.cancelled += o.cancelled;
    }
}

impl Add for Progress {
    type Output = Progress;

    fn add(mut self, o: Self) -> Self {
        self += o;
        self
    }
}

impl std::iter::Sum for Progress {
    fn sum<I: Iterator<Item = Progress>>(iter: I) -> Self {
        iter.fold(Progress::default(), Add::add)
    }
}
