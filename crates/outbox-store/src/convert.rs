//! Conversions between domain values and column values, shared by both backends.
//!
//! Times are stored as microseconds since the Unix epoch (`BIGINT`) on both backends so that
//! comparisons and indexes behave the same; ids as `BIGINT`.

use chrono::{DateTime, Utc};
use outbox_model::{DeliveryStatus, Route, RouteSet, StatusKind};

use crate::{Result, StoreError};

/// An id as a column value; ids above `i64::MAX` cannot exist in the store.
pub(crate) fn db_id(raw: u64, what: &'static str) -> Result<i64> {
    i64::try_from(raw).map_err(|_| StoreError::not_found(what, raw))
}

/// A column value as an id.
pub(crate) fn model_id(raw: i64) -> Result<u64> {
    u64::try_from(raw).map_err(|_| StoreError::Corrupt(format!("negative id {raw}")))
}

pub(crate) fn micros(t: DateTime<Utc>) -> i64 {
    t.timestamp_micros()
}

pub(crate) fn time(us: i64) -> Result<DateTime<Utc>> {
    DateTime::from_timestamp_micros(us)
        .ok_or_else(|| StoreError::Corrupt(format!("time {us} out of range")))
}

pub(crate) fn opt_time(us: Option<i64>) -> Result<Option<DateTime<Utc>>> {
    us.map(time).transpose()
}

pub(crate) fn duration_micros(d: std::time::Duration) -> Result<i64> {
    i64::try_from(d.as_micros())
        .map_err(|_| StoreError::InvalidInput(format!("duration {d:?} is too long")))
}

pub(crate) fn route(s: &str) -> Result<Route> {
    s.parse()
        .map_err(|e: outbox_model::ParseRouteError| StoreError::Corrupt(e.to_string()))
}

pub(crate) fn routes_to_text(routes: &RouteSet) -> String {
    routes
        .iter()
        .map(Route::as_str)
        .collect::<Vec<_>>()
        .join(",")
}

pub(crate) fn routes_from_text(s: &str) -> Result<RouteSet> {
    let parsed = s
        .split(',')
        .filter(|p| !p.is_empty())
        .map(route)
        .collect::<Result<Vec<_>>>()?;
    RouteSet::try_from_routes(parsed).map_err(|e| StoreError::Corrupt(e.to_string()))
}

/// The status columns (`status`, `fail_reason`, `fail_retryable`) of a status.
pub(crate) fn status_columns(s: &DeliveryStatus) -> (&'static str, Option<&str>, Option<bool>) {
    match s {
        DeliveryStatus::Failed { reason, retryable } => {
            ("failed", Some(reason.as_str()), Some(*retryable))
        }
        other => (other.kind().as_str(), None, None),
    }
}

/// A status from its columns.
pub(crate) fn status_from_columns(
    kind: &str,
    reason: Option<String>,
    retryable: Option<bool>,
) -> Result<DeliveryStatus> {
    let k = StatusKind::parse(kind)
        .ok_or_else(|| StoreError::Corrupt(format!("unknown status `{kind}`")))?;
    Ok(match k {
        StatusKind::Prepared => DeliveryStatus::Prepared,
        StatusKind::Queued => DeliveryStatus::Queued,
        StatusKind::InProgress => DeliveryStatus::InProgress,
        StatusKind::Sent => DeliveryStatus::Sent,
        StatusKind::Downloaded => DeliveryStatus::Downloaded,
        StatusKind::Cancelled => DeliveryStatus::Cancelled,
        StatusKind::Failed => DeliveryStatus::Failed {
            reason: reason.unwrap_or_default(),
            retryable: retryable.unwrap_or(false),
        },
    })
}

pub(crate) fn to_json<T: serde::Serialize>(v: &T) -> Result<String> {
    serde_json::to_string(v).map_err(|e| StoreError::InvalidInput(e.to_string()))
}

pub(crate) fn from_json<T: serde::de::DeserializeOwned>(s: &str) -> Result<T> {
    serde_json::from_str(s).map_err(|e| StoreError::Corrupt(e.to_string()))
}

pub(crate) fn u32_col(v: i64, what: &str) -> Result<u32> {
    u32::try_from(v).map_err(|_| StoreError::Corrupt(format!("{what} {v} out of range")))
}

pub(crate) fn u64_col(v: i64, what: &str) -> Result<u64> {
    u64::try_from(v).map_err(|_| StoreError::Corrupt(format!("{what} {v} out of range")))
}

/// Offset and limit as column values; the limit must be 1..=1000.
pub(crate) fn page_bounds(page: crate::Page) -> Result<(i64, i64)> {
    if !(1..=1000).contains(&page.limit) {
        return Err(StoreError::InvalidInput(format!(
            "page size {} is outside 1..=1000",
            page.limit
        )));
    }
    let offset = i64::try_from(page.offset)
        .map_err(|_| StoreError::InvalidInput(format!("offset {} is too large", page.offset)))?;
    Ok((offset, i64::from(page.limit)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn status_columns_round_trip(reason in ".{0,40}", retryable: bool, k in 0usize..7) {
            let s = match StatusKind::ALL[k] {
                StatusKind::Failed => DeliveryStatus::failed(reason, retryable),
                StatusKind::Prepared => DeliveryStatus::Prepared,
                StatusKind::Queued => DeliveryStatus::Queued,
                StatusKind::InProgress => DeliveryStatus::InProgress,
                StatusKind::Sent => DeliveryStatus::Sent,
                StatusKind::Downloaded => DeliveryStatus::Downloaded,
                StatusKind::Cancelled => DeliveryStatus::Cancelled,
            };
            let (kind, r, rt) = status_columns(&s);
            prop_assert_eq!(status_from_columns(kind, r.map(str::to_owned), rt).unwrap(), s);
        }

        #[test]
        fn times_round_trip_at_microsecond_precision(us in -62_000_000_000_000_000i64..250_000_000_000_000_000i64) {
            prop_assert_eq!(micros(time(us).unwrap()), us);
        }

        #[test]
        fn route_sets_round_trip(mask in 0u8..16) {
            let set = RouteSet::try_from_routes(Route::ALL.into_iter().filter(|r| mask & (1 << r.index()) != 0)).unwrap();
            prop_assert_eq!(routes_from_text(&routes_to_text(&set)).unwrap(), set);
        }
    }
}
