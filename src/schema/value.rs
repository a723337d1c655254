//! Parsing the typed values of the value types: UUIDs, instants, integers
//! and decimals.
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
    if let [date @ .., b'T', h0, h1, b':', i0, i1, b':', s0, s1, b'Z'] = b {
        // The common RFC 3339 form `YYYY-MM-DDTHH:MM:SSZ`, read directly;
        // anything unusual (a leap second, an invalid field) is left to
        // chrono below, so the result is always chrono's.
        if let Some(t) = ymd(date).and_then(|d| {
            let (h, m, sec) = (
                digits(&[*h0, *h1])?,
                digits(&[*i0, *i1])?,
                digits(&[*s0, *s1])?,
            );
            d.and_hms_opt(h, m, sec)
        }) {
            return Some(t.and_utc());
        }
    }
    if b.len() == 10 {
        return Some(ymd(b)?.and_hms_opt(0, 0, 0)?.and_utc());
    }
    DateTime::parse_from_rfc3339(s)
        .ok()
        .map(|t| t.with_timezone(&Utc))
}

/// The value of `ds`, all ASCII digits; `None` otherwise.
fn digits(ds: &[u8]) -> Option<u32> {
    ds.iter().try_fold(0u32, |acc, &d| {
        d.is_ascii_digit().then(|| acc * 10 + u32::from(d - b'0'))
    })
}

/// The date `YYYY-MM-DD` (two-digit month and day).
fn ymd(b: &[u8]) -> Option<NaiveDate> {
    let [y0, y1, y2, y3, b'-', m0, m1, b'-', d0, d1] = *b else {
        return None;
    };
    let year = i32::try_from(digits(&[y0, y1, y2, y3])?).ok()?;
    NaiveDate::from_ymd_opt(year, digits(&[m0, m1])?, digits(&[d0, d1])?)
}

/// A signed 64-bit integer in decimal (`-12`; no `+`, no spaces), as a
/// [`Decimal`]: the `integer` value type's grammar.
pub(crate) fn parse_integer(s: &str) -> Option<Decimal> {
    if s.starts_with('+') {
        return None;
    }
    s.parse::<i64>().ok()?;
    Decimal::parse(s)
}

/// An exact decimal number, as the `integer` and `decimal` value types
/// compare: `-?DIGITS(.DIGITS)?([eE][+-]?DIGITS)?`, compared by value
/// (`1.50 == 1.5 == 15e-1`), never rounded. The exponent is limited to
/// ±1,000 (PostgreSQL's `numeric` range is wider); `Display` prints a plain
/// decimal (`-12.5`), which PostgreSQL reads as the same `numeric`.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Decimal {
    negative: bool,
    /// Significant digits, no leading or trailing zero; empty for zero.
    digits: Box<str>,
    /// The value is `0.digits × 10^exponent`.
    exponent: i64,
}

impl Decimal {
    /// Parses the text form; `None` when it is not a decimal number.
    pub fn parse(s: &str) -> Option<Decimal> {
        let (negative, rest) = match s.strip_prefix('-') {
            Some(r) => (true, r),
            None => (false, s),
        };
        let (mantissa, exp) = match rest.find(['e', 'E']) {
            Some(i) => (rest.get(..i)?, Some(rest.get(i + 1..)?)),
            None => (rest, None),
        };
        let (int, frac) = match mantissa.split_once('.') {
            Some((i, f)) => (i, f),
            None => (mantissa, ""),
        };
        let digits_ok = |d: &str| d.bytes().all(|b| b.is_ascii_digit());
        if int.is_empty() || !digits_ok(int) || !digits_ok(frac) {
            return None;
        }
        if mantissa.contains('.') && frac.is_empty() {
            return None;
        }
        let exp: i64 = match exp {
            Some(e) => {
                let body = e.strip_prefix(['+', '-']).unwrap_or(e);
                if body.is_empty() || body.len() > 6 || !digits_ok(body) {
                    return None;
                }
                e.parse().ok()?
            }
            None => 0,
        };
        if exp.abs() > 1000 {
            return None;
        }
        let all: String = int.chars().chain(frac.chars()).collect();
        let lead = all.len() - all.trim_start_matches('0').len();
        let trimmed = all.trim_matches('0');
        let exponent = int.len() as i64 - lead as i64 + exp;
        Some(Decimal {
            negative: negative && !trimmed.is_empty(),
            digits: trimmed.into(),
            exponent: if trimmed.is_empty() { 0 } else { exponent },
        })
    }

    /// The value as a count of characters: `Some(n)` for a whole number
    /// from 0 to `i64::MAX` (what a length rule on text may be), `None`
    /// otherwise.
    pub(crate) fn to_count(&self) -> Option<usize> {
        if self.digits.is_empty() {
            return Some(0);
        }
        let len = i64::try_from(self.digits.len()).ok()?;
        if self.negative || self.exponent < len || self.exponent > 19 {
            return None;
        }
        let mut n: u64 = self.digits.bytes().try_fold(0u64, |acc, d| {
            acc.checked_mul(10)?
                .checked_add(u64::from(d.wrapping_sub(b'0')))
        })?;
        for _ in len..self.exponent {
            n = n.checked_mul(10)?;
        }
        i64::try_from(n).ok()?;
        usize::try_from(n).ok()
    }

    /// The magnitudes compared.
    fn cmp_abs(&self, other: &Decimal) -> std::cmp::Ordering {
        use std::cmp::Ordering;
        match (self.digits.is_empty(), other.digits.is_empty()) {
            (true, true) => return Ordering::Equal,
            (true, false) => return Ordering::Less,
            (false, true) => return Ordering::Greater,
            (false, false) => {}
        }
        self.exponent
            .cmp(&other.exponent)
            .then_with(|| self.digits.as_bytes().cmp(other.digits.as_bytes()))
    }
}

impl Ord for Decimal {
    fn cmp(&self, other: &Decimal) -> std::cmp::Ordering {
        match (self.negative, other.negative) {
            (false, true) => std::cmp::Ordering::Greater,
            (true, false) => std::cmp::Ordering::Less,
            (false, false) => self.cmp_abs(other),
            (true, true) => other.cmp_abs(self),
        }
    }
}

impl PartialOrd for Decimal {
    fn partial_cmp(&self, other: &Decimal) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl std::fmt::Display for Decimal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.digits.is_empty() {
            return f.write_str("0");
        }
        if self.negative {
            f.write_str("-")?;
        }
        let n = self.digits.len() as i64;
        if self.exponent <= 0 {
            f.write_str("0.")?;
            for _ in 0..-self.exponent {
                f.write_str("0")?;
            }
            f.write_str(&self.digits)
        } else if self.exponent >= n {
            f.write_str(&self.digits)?;
            for _ in 0..self.exponent - n {
                f.write_str("0")?;
            }
            Ok(())
        } else {
            let (a, b) = self.digits.split_at(self.exponent as usize);
            write!(f, "{a}.{b}")
        }
    }
}

#[cfg(test)]
mod tests {
    use super::Decimal;

    #[test]
    fn decimals_compare_by_value() {
        let d = |s: &str| Decimal::parse(s).unwrap_or_else(|| panic!("{s}"));
        assert_eq!(d("1.50"), d("1.5"));
        assert_eq!(d("15e-1"), d("1.5"));
        assert_eq!(d("-0"), d("0.000"));
        assert!(d("-2") < d("-1.5") && d("-1.5") < d("0") && d("0") < d("0.001"));
        assert!(d("10") > d("9.99") && d("1e3") == d("1000"));
        assert!(d("123") < d("124") && d("99") < d("100"));
        for (s, shown) in [
            ("1e3", "1000"),
            ("-12.50", "-12.5"),
            ("0.0012", "0.0012"),
            ("0", "0"),
        ] {
            assert_eq!(d(s).to_string(), shown);
        }
        for (s, count) in [
            ("0", Some(0)),
            ("-0", Some(0)),
            ("128", Some(128)),
            ("1.28e2", Some(128)),
            ("1e3", Some(1000)),
            ("9223372036854775807", Some(9223372036854775807)),
            ("9223372036854775808", None),
            ("1e19", None),
            ("1e20", None),
            ("1.5", None),
            ("0.5", None),
            ("-1", None),
        ] {
            assert_eq!(d(s).to_count(), count, "{s}");
        }
        for bad in [
            "", "-", "1.", ".5", "1e", "e3", "+1", "1e1001", "a", "1.2.3", " 1",
        ] {
            assert_eq!(Decimal::parse(bad), None, "{bad}");
        }
    }
}
