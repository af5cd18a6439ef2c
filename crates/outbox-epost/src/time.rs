//! The provider's date-times: ISO 8601 without an offset, in German local time.

use chrono::{DateTime, NaiveDate, NaiveDateTime, Utc};

/// Reads a provider date-time leniently: `2024-01-15T10:30:00`, with 0 to 9 fraction digits,
/// with a `Z` or an offset, or a bare date. Values without an offset are German local time
/// (CET/CEST). `None` when the text is not a date-time.
pub fn parse_api_datetime(text: &str) -> Option<DateTime<Utc>> {
    let text = text.trim();
    if text.is_empty() {
        return None;
    }
    if let Ok(dt) = DateTime::parse_from_rfc3339(text) {
        return Some(dt.with_timezone(&Utc));
    }
    let naive = NaiveDateTime::parse_from_str(text, "%Y-%m-%dT%H:%M:%S%.f")
        .or_else(|_| NaiveDateTime::parse_from_str(text, "%Y-%m-%d %H:%M:%S%.f"))
        .or_else(|_| NaiveDateTime::parse_from_str(text, "%Y-%m-%dT%H:%M"))
        .or_else(|_| {
            NaiveDate::parse_from_str(text, "%Y-%m-%d")
                .map(|d| d.and_hms_opt(0, 0, 0).unwrap_or_default())
        })
        .ok()?;
    outbox_model::from_german_time(naive)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn utc(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
    }

    #[test]
    fn offsetless_values_are_german_local_time() {
        assert_eq!(
            parse_api_datetime("2024-01-15T10:30:00"),
            Some(utc("2024-01-15T09:30:00Z"))
        );
        assert_eq!(
            parse_api_datetime("2024-07-15T10:30:00.123"),
            Some(utc("2024-07-15T08:30:00.123Z"))
        );
        assert_eq!(
            parse_api_datetime("2024-07-15T10:30:00.1234567"),
            Some(utc("2024-07-15T08:30:00.1234567Z"))
        );
    }

    #[test]
    fn summer_time_switches_on_the_eu_dates() {
        // 2026: summer time from 29 March 01:00 UTC to 25 October 01:00 UTC.
        assert_eq!(
            parse_api_datetime("2026-03-29T01:59:00"),
            Some(utc("2026-03-29T00:59:00Z"))
        );
        assert_eq!(
            parse_api_datetime("2026-03-29T04:00:00"),
            Some(utc("2026-03-29T02:00:00Z"))
        );
        assert_eq!(
            parse_api_datetime("2026-10-25T04:00:00"),
            Some(utc("2026-10-25T03:00:00Z"))
        );
    }

    #[test]
    fn offsets_dates_and_garbage() {
        assert_eq!(
            parse_api_datetime("2024-01-15T10:30:00Z"),
            Some(utc("2024-01-15T10:30:00Z"))
        );
        assert_eq!(
            parse_api_datetime("2024-01-15T10:30:00+02:00"),
            Some(utc("2024-01-15T08:30:00Z"))
        );
        assert_eq!(
            parse_api_datetime("2024-01-15"),
            Some(utc("2024-01-14T23:00:00Z"))
        );
        assert_eq!(parse_api_datetime(""), None);
        assert_eq!(parse_api_datetime("yesterday"), None);
        assert_eq!(parse_api_datetime("2024-13-45T99:00:00"), None);
        // At the edges of chrono's range: an answer or `None`, never a panic.
        for edge in [
            "-262143-01-01T00:30:00",
            "-262142-01-01T00:30:00",
            "+262142-12-31T23:59:59",
        ] {
            let _ = parse_api_datetime(edge);
        }
    }

    proptest::proptest! {
        #[test]
        fn never_panics(s in "\\PC{0,40}") {
            let _ = parse_api_datetime(&s);
        }
    }
}
