//! Parsing the typed values of the value types: UUIDs and instants.
//!
//! These live with the value types ([`ValueType`](super::ValueType)) so
//! that every stage reading such values (validation of filter values, loading
//! of snapshots) shares one rule.

use chrono::{DateTime, NaiveDate, Utc};
use uuid::Uuid;

/// A UUID in hyphenated form, any hex case. (The uuid crate also reads the
/// simple, braced and URN forms; of those only the hyphenated one is 36
/// bytes long.)
pub fn parse_uuid(s: &str) -> Option<Uuid> {
    if s.len() != 36 {
        return None;
    }
    Uuid::try_parse(s).ok()
}

/// An instant: RFC 3339 as chrono reads it (normalised to UTC), `YYYY-MM-DD`
/// with two-digit month and day (midnight UTC), or a non-negative integer of
/// Unix milliseconds.
pub fn parse_instant(s: &str) -> Option<DateTime<Utc>> {
    let b = s.as_bytes();
    if !b.is_empty() && b.iter().all(u8::is_ascii_digit) {
        let ms: i64 = s.parse().ok()?;
        return DateTime::from_timestamp_millis(ms);
    }
    if let [y0, y1, y2, y3, b'-', m0, m1, b'-', d0, d1] = *b {
        let digits = [y0, y1, y2, y3, m0, m1, d0, d1];
        if !digits.iter().all(u8::is_ascii_digit) {
            return None;
        }
        let n = |ds: &[u8]| {
            ds.iter()
                .fold(0u32, |acc, d| acc * 10 + u32::from(d - b'0'))
        };
        let year = i32::try_from(n(&[y0, y1, y2, y3])).ok()?;
        let date = NaiveDate::from_ymd_opt(year, n(&[m0, m1]), n(&[d0, d1]))?;
        return Some(date.and_hms_opt(0, 0, 0)?.and_utc());
    }
    DateTime::parse_from_rfc3339(s)
        .ok()
        .map(|t| t.with_timezone(&Utc))
}
