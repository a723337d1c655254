//! The value rules applied to one value ([`ValueRules::text_break`],
//! [`ValueRules::number_break`]): shared by validation (each filter value)
//! and the schema checks (each `one_of` value), so a rule means one thing.

use super::value::Decimal;
use super::value_type::ValueRules;

/// The rule a value breaks, with what it asks for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum RuleBreak<'r> {
    /// Fewer characters than the tightest lower length bound.
    MinLen(usize),
    /// More characters than the tightest upper length bound.
    MaxLen(usize),
    /// Not an email address.
    Email,
    /// Holds this excluded text.
    Excludes(&'r str),
    /// A number not greater than `gt`.
    GreaterThan(&'r Decimal),
    /// A number less than `ge`.
    AtLeast(&'r Decimal),
    /// A number not less than `lt`.
    LessThan(&'r Decimal),
    /// A number greater than `le`.
    AtMost(&'r Decimal),
}

impl RuleBreak<'_> {
    /// The rule's name in schema files, for messages (`length` for the
    /// length bounds, which are merged).
    pub(crate) fn rule(&self) -> &'static str {
        match self {
            RuleBreak::MinLen(_) | RuleBreak::MaxLen(_) => "length",
            RuleBreak::Email => "email",
            RuleBreak::Excludes(_) => "excludes",
            RuleBreak::GreaterThan(_) => "gt",
            RuleBreak::AtLeast(_) => "ge",
            RuleBreak::LessThan(_) => "lt",
            RuleBreak::AtMost(_) => "le",
        }
    }
}

/// A length bound as a count (`None` when it is not a whole number of
/// characters, which the schema checks refuse on text).
fn count(bound: Option<&Decimal>) -> Option<i128> {
    bound.and_then(Decimal::to_count).map(|n| n as i128)
}

impl ValueRules {
    /// The length rules of a text attribute as one inclusive range of
    /// character counts: `min_len`, `ge`, `gt` + 1 for the lower end,
    /// `max_len`, `le`, `lt` - 1 for the upper (`None`: unbounded). The
    /// upper end is below the lower when the rules leave no value.
    pub(crate) fn lengths(&self) -> (i128, Option<i128>) {
        let min = [
            self.min_len.map(|n| n as i128),
            count(self.ge.as_ref()),
            count(self.gt.as_ref()).map(|n| n + 1),
        ]
        .into_iter()
        .flatten()
        .max()
        .unwrap_or(0);
        let max = [
            self.max_len.map(|n| n as i128),
            count(self.le.as_ref()),
            count(self.lt.as_ref()).map(|n| n - 1),
        ]
        .into_iter()
        .flatten()
        .min();
        (min, max)
    }

    /// The first text rule (lengths, `email`, `excludes`) that the text
    /// value `text` breaks. `one_of` is checked by the caller.
    pub(crate) fn text_break(&self, text: &str) -> Option<RuleBreak<'_>> {
        let (min, max) = self.lengths();
        // Characters are counted only when some rule bounds the length.
        if min > 0 || max.is_some() {
            let n = text.chars().count() as i128;
            let usize_of = |n: i128| usize::try_from(n.max(0)).unwrap_or(usize::MAX);
            if n < min {
                return Some(RuleBreak::MinLen(usize_of(min)));
            }
            if let Some(max) = max.filter(|&max| n > max) {
                return Some(RuleBreak::MaxLen(usize_of(max)));
            }
        }
        if self.email && !is_email(text) {
            return Some(RuleBreak::Email);
        }
        self.excludes
            .iter()
            .find(|x| text.contains(x.as_str()))
            .map(|x| RuleBreak::Excludes(x))
    }

    /// The first numeric bound (`gt`, `ge`, `lt`, `le`, in that order)
    /// that the number `n` breaks, compared exactly.
    pub(crate) fn number_break(&self, n: &Decimal) -> Option<RuleBreak<'_>> {
        if let Some(b) = self.gt.as_ref().filter(|b| n <= *b) {
            return Some(RuleBreak::GreaterThan(b));
        }
        if let Some(b) = self.ge.as_ref().filter(|b| n < *b) {
            return Some(RuleBreak::AtLeast(b));
        }
        if let Some(b) = self.lt.as_ref().filter(|b| n >= *b) {
            return Some(RuleBreak::LessThan(b));
        }
        if let Some(b) = self.le.as_ref().filter(|b| n > *b) {
            return Some(RuleBreak::AtMost(b));
        }
        None
    }
}

/// The characters of an email address's local part besides letters and
/// digits (WHATWG's `atext`, and `.`).
const LOCAL_EXTRA: &[u8] = b".!#$%&'*+/=?^_`{|}~-";

/// True when `s` is a "valid e-mail address" of the WHATWG HTML standard:
/// `local@label(.label)*`, the local part one or more ASCII letters, digits
/// or [`LOCAL_EXTRA`], each label 1 to 63 ASCII letters, digits and `-`,
/// not starting or ending with `-`. Hand-written, no regular expression.
pub(crate) fn is_email(s: &str) -> bool {
    let Some((local, domain)) = s.split_once('@') else {
        return false;
    };
    let local_ok = !local.is_empty()
        && local
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || LOCAL_EXTRA.contains(&b));
    local_ok && domain.split('.').all(is_label)
}

/// A domain label of [`is_email`].
fn is_label(label: &str) -> bool {
    let b = label.as_bytes();
    (1..=63).contains(&b.len())
        && b.iter().all(|c| c.is_ascii_alphanumeric() || *c == b'-')
        && b.first().is_some_and(u8::is_ascii_alphanumeric)
        && b.last().is_some_and(u8::is_ascii_alphanumeric)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Each length rule alone bounds the length (the bound of `lt`/`gt`
    /// one inside it), and without one any length passes.
    #[test]
    fn each_length_rule_bounds_alone() {
        let only = |f: fn(&mut ValueRules)| {
            let mut r = ValueRules::default();
            f(&mut r);
            r
        };
        let cases: [(ValueRules, &str, Option<RuleBreak<'_>>); 8] = [
            (
                only(|r| r.min_len = Some(3)),
                "ab",
                Some(RuleBreak::MinLen(3)),
            ),
            (
                only(|r| r.max_len = Some(1)),
                "ab",
                Some(RuleBreak::MaxLen(1)),
            ),
            (
                only(|r| r.gt = Decimal::parse("2")),
                "ab",
                Some(RuleBreak::MinLen(3)),
            ),
            (
                only(|r| r.ge = Decimal::parse("3")),
                "ab",
                Some(RuleBreak::MinLen(3)),
            ),
            (
                only(|r| r.lt = Decimal::parse("2")),
                "ab",
                Some(RuleBreak::MaxLen(1)),
            ),
            (
                only(|r| r.le = Decimal::parse("1")),
                "ab",
                Some(RuleBreak::MaxLen(1)),
            ),
            (only(|r| r.le = Decimal::parse("2")), "ab", None),
            (ValueRules::default(), &"x".repeat(10_000), None),
        ];
        for (rules, text, want) in &cases {
            assert_eq!(rules.text_break(text), *want, "{rules:?}");
        }
    }

    #[test]
    fn emails_follow_the_whatwg_grammar() {
        let label63 = "a".repeat(63);
        let label64 = "a".repeat(64);
        for ok in [
            "foo@foo.com",
            "a@b",
            "user@localhost",
            "first.last+tag@sub.example-1.co",
            "!#$%&'*+/=?^_`{|}~-@x.io",
            ".a..b.@x.com",
            "*@example.com",
            "a@1.2.3.4",
            &format!("a@{label63}.com"),
        ] {
            assert!(is_email(ok), "{ok}");
        }
        for bad in [
            "",
            "@",
            "a@",
            "@b.com",
            "ab.com",
            "a b@c.com",
            "a@b@c.com",
            "a@b..com",
            "a@.b.com",
            "a@b.com.",
            "a@-b.com",
            "a@b-.com",
            "a@b_c.com",
            "\"a\"@b.com",
            "é@b.com",
            "a@é.com",
            "a@[127.0.0.1]",
            "john*",
            &format!("a@{label64}.com"),
        ] {
            assert!(!is_email(bad), "{bad}");
        }
    }

    #[test]
    fn length_bounds_merge_into_one_range() {
        let d = |s: &str| Decimal::parse(s);
        let rules = ValueRules {
            min_len: Some(2),
            gt: d("2"),
            lt: d("10"),
            max_len: Some(12),
            ..ValueRules::default()
        };
        assert_eq!(rules.lengths(), (3, Some(9)));
        assert_eq!(rules.text_break("ab"), Some(RuleBreak::MinLen(3)));
        assert_eq!(rules.text_break("abc"), None);
        assert_eq!(rules.text_break("ééééééééé"), None);
        assert_eq!(rules.text_break("abcdefghij"), Some(RuleBreak::MaxLen(9)));
        assert_eq!(ValueRules::default().lengths(), (0, None));
        let none = ValueRules {
            lt: d("0"),
            ..ValueRules::default()
        };
        assert_eq!(none.lengths(), (0, Some(-1)));
        assert_eq!(none.text_break(""), Some(RuleBreak::MaxLen(0)));
    }

    #[test]
    fn numbers_are_bounded_exactly() {
        let d = |s: &str| Decimal::parse(s).unwrap_or_else(|| panic!("{s}"));
        let rules = ValueRules {
            gt: Some(d("-1.5")),
            lt: Some(d("128")),
            ..ValueRules::default()
        };
        for (n, broken) in [
            ("-1.5", Some("gt")),
            ("-1.49999999999999999999", None),
            ("0", None),
            ("127.99999999999999999999", None),
            ("128", Some("lt")),
            ("1.28e2", Some("lt")),
            ("1e1000", Some("lt")),
        ] {
            assert_eq!(rules.number_break(&d(n)).map(|b| b.rule()), broken, "{n}");
        }
        let closed = ValueRules {
            ge: Some(d("1")),
            le: Some(d("1")),
            ..ValueRules::default()
        };
        assert_eq!(closed.number_break(&d("1.0")), None);
        assert_eq!(
            closed.number_break(&d("0.9")),
            Some(RuleBreak::AtLeast(&d("1")))
        );
        assert_eq!(
            closed.number_break(&d("1.1")),
            Some(RuleBreak::AtMost(&d("1")))
        );
    }

    #[test]
    fn excludes_and_email_on_text() {
        let rules = ValueRules {
            email: true,
            excludes: vec!["+".into(), "admin".into()],
            ..ValueRules::default()
        };
        assert_eq!(rules.text_break("a@b.com"), None);
        assert_eq!(
            rules.text_break("a+b@b.com"),
            Some(RuleBreak::Excludes("+"))
        );
        assert_eq!(
            rules.text_break("admin@b.com"),
            Some(RuleBreak::Excludes("admin"))
        );
        assert_eq!(rules.text_break("admin"), Some(RuleBreak::Email));
    }
}
