//! German civil time: CET (UTC+1) and CEST (UTC+2) under the EU summer-time rule, which
//! Germany, Austria and Switzerland share. Times shown to recipients (link expiry, portal
//! pages) are German time, and E-POST reports date-times in German time without an offset.
//!
//! The rule is fixed by EU directive 2000/84/EC: summer time from the last Sunday of March
//! 01:00 UTC to the last Sunday of October 01:00 UTC. It is written out here rather than
//! pulled from a time-zone database, which would cost a large dependency for one zone.

use chrono::{
    DateTime, Datelike, Duration, FixedOffset, NaiveDate, NaiveDateTime, TimeZone, Utc, Weekday,
};

use crate::Language;

// Evaluated at compile time: a bad offset would fail the build, not a caller.
const CET: FixedOffset = match FixedOffset::east_opt(3600) {
    Some(offset) => offset,
    None => panic!("UTC+1 is a valid offset"),
};
const CEST: FixedOffset = match FixedOffset::east_opt(2 * 3600) {
    Some(offset) => offset,
    None => panic!("UTC+2 is a valid offset"),
};

/// Whether `t` falls in German summer time (CEST).
pub fn is_german_summer_time(t: DateTime<Utc>) -> bool {
    let year = t.year();
    match (
        last_sunday_0100_utc(year, 3),
        last_sunday_0100_utc(year, 10),
    ) {
        (Some(start), Some(end)) => t >= start && t < end,
        _ => false,
    }
}

/// `t` in German time, with its offset (+01:00 or +02:00).
pub fn to_german_time(t: DateTime<Utc>) -> DateTime<FixedOffset> {
    t.with_timezone(if is_german_summer_time(t) {
        &CEST
    } else {
        &CET
    })
}

/// A German wall-clock time as UTC. A time in the doubled hour of October is taken as summer
/// time (the earlier instant); a time in the skipped hour of March is read as winter time.
/// `None` only at the edges of chrono's range.
pub fn from_german_time(local: NaiveDateTime) -> Option<DateTime<Utc>> {
    let as_winter = Utc.from_utc_datetime(&local.checked_sub_signed(Duration::hours(1))?);
    let as_summer = Utc.from_utc_datetime(&local.checked_sub_signed(Duration::hours(2))?);
    Some(if is_german_summer_time(as_summer) {
        as_summer
    } else {
        as_winter
    })
}

/// `t` as people read it, in German time with the zone named:
/// `05.12.2026, 15:00 Uhr (MEZ)` or `2026-12-05 15:00 CET`.
///
/// ```
/// use chrono::{TimeZone, Utc};
/// use outbox_model::{Language, format_german_time};
///
/// let winter = Utc.with_ymd_and_hms(2026, 12, 5, 14, 0, 0).unwrap();
/// assert_eq!(format_german_time(winter, Language::De), "05.12.2026, 15:00 Uhr (MEZ)");
/// let summer = Utc.with_ymd_and_hms(2026, 7, 5, 14, 0, 0).unwrap();
/// assert_eq!(format_german_time(summer, Language::En), "2026-07-05 16:00 CEST");
/// ```
pub fn format_german_time(t: DateTime<Utc>, language: Language) -> String {
    let summer = is_german_summer_time(t);
    let local = t.with_timezone(if summer { &CEST } else { &CET });
    match language {
        Language::De => format!(
            "{} Uhr ({})",
            local.format("%d.%m.%Y, %H:%M"),
            if summer { "MESZ" } else { "MEZ" }
        ),
        Language::En => format!(
            "{} {}",
            local.format("%Y-%m-%d %H:%M"),
            if summer { "CEST" } else { "CET" }
        ),
    }
}

fn last_sunday_0100_utc(year: i32, month: u32) -> Option<DateTime<Utc>> {
    let last = NaiveDate::from_ymd_opt(year, month + 1, 1)?.pred_opt()?;
    let back = last.weekday().num_days_from_sunday();
    let sunday = last - Duration::days(i64::from(back));
    debug_assert_eq!(sunday.weekday(), Weekday::Sun);
    Some(Utc.from_utc_datetime(&sunday.and_hms_opt(1, 0, 0)?))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn utc(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
    }

    fn naive(s: &str) -> NaiveDateTime {
        NaiveDateTime::parse_from_str(s, "%Y-%m-%dT%H:%M").unwrap()
    }

    #[test]
    fn summer_time_switches_on_the_eu_dates() {
        // 2026: 29 March 01:00 UTC to 25 October 01:00 UTC.
        assert!(!is_german_summer_time(utc("2026-03-29T00:59:59Z")));
        assert!(is_german_summer_time(utc("2026-03-29T01:00:00Z")));
        assert!(is_german_summer_time(utc("2026-10-25T00:59:59Z")));
        assert!(!is_german_summer_time(utc("2026-10-25T01:00:00Z")));
        // 2027: 28 March and 31 October.
        assert!(is_german_summer_time(utc("2027-03-28T01:00:00Z")));
        assert!(is_german_summer_time(utc("2027-10-31T00:30:00Z")));
        assert!(!is_german_summer_time(utc("2027-10-31T01:00:00Z")));
    }

    #[test]
    fn wall_clock_times_round_trip_outside_the_switch_hours() {
        for s in ["2026-01-15T10:30", "2026-07-15T10:30", "2026-12-31T23:59"] {
            let t = from_german_time(naive(s)).unwrap();
            assert_eq!(to_german_time(t).naive_local(), naive(s), "{s}");
        }
        assert_eq!(
            from_german_time(naive("2026-01-15T10:30")),
            Some(utc("2026-01-15T09:30:00Z"))
        );
        // The doubled hour in October is read as summer time; the skipped one in March as winter.
        assert_eq!(
            from_german_time(naive("2026-10-25T02:30")),
            Some(utc("2026-10-25T00:30:00Z"))
        );
        assert_eq!(
            from_german_time(naive("2026-03-29T02:30")),
            Some(utc("2026-03-29T01:30:00Z"))
        );
        assert_eq!(from_german_time(NaiveDateTime::MIN), None);
    }

    #[test]
    fn people_read_the_zone() {
        let t = utc("2026-10-25T00:30:00Z");
        assert_eq!(
            format_german_time(t, Language::De),
            "25.10.2026, 02:30 Uhr (MESZ)"
        );
        let t = utc("2026-10-25T01:30:00Z");
        assert_eq!(
            format_german_time(t, Language::De),
            "25.10.2026, 02:30 Uhr (MEZ)"
        );
        assert_eq!(format_german_time(t, Language::En), "2026-10-25 02:30 CET");
    }

    proptest::proptest! {
        /// Wall-clock time read back gives the instant again, except in October's doubled
        /// hour, where the earlier (summer-time) instant is chosen.
        #[test]
        fn german_wall_clock_round_trips(secs in 631_152_000i64..4_102_444_800i64) {
            let t = DateTime::from_timestamp(secs, 0).unwrap();
            let back = from_german_time(to_german_time(t).naive_local()).unwrap();
            if back != t {
                let end = last_sunday_0100_utc(t.year(), 10).unwrap();
                proptest::prop_assert!(t >= end && t < end + Duration::hours(1), "{t}");
                proptest::prop_assert_eq!(back, t - Duration::hours(1));
            }
        }
    }
}
