//! Filters built in code: an owned [`FilterBuilder`] that prints canonically and
//! validates exactly like a parsed filter.
//!
//! ```
//! use catalog_filter::build::{and, eq, gt, in_, like, or};
//! use catalog_filter::Schema;
//!
//! let expr = and([
//!     eq("sku", "a b"),
//!     or([eq("status", "live"), like("name", "*shoe*")]),
//!     in_("id", ["00000000-0000-4000-8000-000000000001"]),
//!     gt("updated_at", "2024-01-01T00:00:00Z"),
//! ]);
//! assert_eq!(
//!     expr.to_string(),
//!     "eq(sku,a b):(eq(status,live)|like(name,*shoe*)):in(id,00000000-0000-4000-8000-000000000001):gt(updated_at,2024-01-01T00:00:00Z)"
//! );
//!
//! // detach_nodes has no OR groups; the same errors as for the string.
//! let err = expr.compile(&Schema::detach_nodes()).unwrap_err();
//! assert_eq!(err.to_string(), "OR groups are not supported by detach_nodes");
//! assert!(and([eq("sku", "a"), like("name", "*shoe*")]).compile(&Schema::detach_nodes()).is_ok());
//! ```
//!
//! # Printing
//!
//! `Display` is the canonical form of [`crate::syntax`]'s printer, which it
//! reuses (the expression is lent to it as a [`syntax::Filter`]): a value is
//! bare when it can be read back bare, else double-quoted with `"` and `\`
//! escaped; no redundant parentheses (a group of one alternative is that
//! alternative, a group directly inside a group of the same kind is spliced
//! into it). [`and`] and [`or`] also build the tree in that normal form, so
//! two expressions that print the same are usually equal (not when built
//! with the public variants directly).
//!
//! # Validation
//!
//! [`FilterBuilder::compile`] prints the expression and compiles the string
//! ([`Schema::compile`]): the simplest way to
//! be exactly as strict as for a filter sent as text, byte and depth limits
//! included. Error spans are therefore offsets into `expr.to_string()`,
//! which is what [`FilterError::render`] needs. What the grammar refuses
//! (an attribute that is not a path, a control character in a value, an
//! empty [`and`] or [`or`], [`in_`] without values) prints but is refused as
//! a [`FilterError::Parse`].
//!
//! # serde
//!
//! An [`FilterBuilder`] serialises as its canonical string and deserialises by
//! parsing one (the grammar only, like [`FromStr`]: validation needs a
//! schema, see [`FilterBuilder::compile`]).

use crate::error::FilterError;
use crate::schema::Schema;
use crate::syntax::{self, Attribute, Group, Op, ParseError, Span, Value};
use crate::validate::ValidFilter;
use chrono::{DateTime, SecondsFormat, Utc};
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::borrow::Cow;
use std::fmt;
use std::str::FromStr;
use uuid::Uuid;

/// A filter built in code, owning its text: a condition, or a group of
/// terms joined by AND or by OR.
///
/// Build one with the functions of this module ([`eq`], [`and`], ...),
/// parse one with `str::parse`, or convert a parsed [`syntax::Filter`] with
/// `From`.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum FilterBuilder {
    /// One condition.
    Condition(OwnedCondition),
    /// Every term holds (`a:b`).
    And(Vec<FilterBuilder>),
    /// One of the alternatives holds (`(a|b)`).
    Or(Vec<FilterBuilder>),
}

/// One condition: an operator, an attribute path and the values, as text
/// (unquoted: quoting is the printer's job).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct OwnedCondition {
    /// The operator.
    pub op: Op,
    /// The attribute path (`sku`, `extensions.book.isbn`).
    pub attribute: String,
    /// The values, as text.
    pub values: Vec<String>,
}

/// A value a condition can hold, as the text the filter language reads
/// for it: strings as they are, numbers and booleans by `Display`, UUIDs
/// hyphenated, instants as RFC 3339 in UTC (`2024-01-01T00:00:00Z`).
pub trait IntoValue {
    /// The value's text.
    fn into_value(self) -> String;
}

impl IntoValue for &str {
    fn into_value(self) -> String {
        self.to_owned()
    }
}

impl IntoValue for String {
    fn into_value(self) -> String {
        self
    }
}

impl IntoValue for &String {
    fn into_value(self) -> String {
        self.clone()
    }
}

impl IntoValue for Cow<'_, str> {
    fn into_value(self) -> String {
        self.into_owned()
    }
}

impl IntoValue for Uuid {
    fn into_value(self) -> String {
        self.hyphenated().to_string()
    }
}

impl IntoValue for DateTime<Utc> {
    fn into_value(self) -> String {
        self.to_rfc3339_opts(SecondsFormat::AutoSi, true)
    }
}

macro_rules! display_value {
    ($($t:ty),*) => {$(
        impl IntoValue for $t {
            fn into_value(self) -> String {
                self.to_string()
            }
        }
    )*};
}

display_value!(
    bool, char, i8, i16, i32, i64, i128, isize, u8, u16, u32, u64, u128, usize, f32, f64
);

/// A condition of any operator: `condition(Op::Eq, "sku", ["a"])`.
pub fn condition<V: IntoValue>(
    op: Op,
    attribute: impl Into<String>,
    values: impl IntoIterator<Item = V>,
) -> FilterBuilder {
    FilterBuilder::Condition(OwnedCondition {
        op,
        attribute: attribute.into(),
        values: values.into_iter().map(IntoValue::into_value).collect(),
    })
}

macro_rules! one_value {
    ($($(#[$doc:meta])* $name:ident => $op:ident;)*) => {$(
        $(#[$doc])*
        pub fn $name(attribute: impl Into<String>, value: impl IntoValue) -> FilterBuilder {
            condition(Op::$op, attribute, [value])
        }
    )*};
}

macro_rules! many_values {
    ($($(#[$doc:meta])* $name:ident => $op:ident;)*) => {$(
        $(#[$doc])*
        pub fn $name<V: IntoValue>(
            attribute: impl Into<String>,
            values: impl IntoIterator<Item = V>,
        ) -> FilterBuilder {
            condition(Op::$op, attribute, values)
        }
    )*};
}

one_value! {
    /// `eq(attribute,value)`.
    eq => Eq;
    /// `like(attribute,pattern)`: `*` at the start and/or end is a wildcard.
    like => Like;
    /// `ilike(attribute,pattern)`: `like`, case-insensitively.
    ilike => Ilike;
    /// `gt(attribute,value)`.
    gt => Gt;
    /// `ge(attribute,value)`.
    ge => Ge;
    /// `lt(attribute,value)`.
    lt => Lt;
    /// `le(attribute,value)`.
    le => Le;
    /// `contains(attribute,value)`: a list attribute has the value.
    contains => Contains;
    /// `text(attribute,query)`: full-text search.
    text => Text;
}

many_values! {
    /// `in(attribute,v1,v2,...)` (`in` is a Rust keyword).
    in_ => In;
    /// `contains_any(attribute,v1,v2,...)`.
    contains_any => ContainsAny;
    /// `contains_all(attribute,v1,v2,...)`.
    contains_all => ContainsAll;
}

/// `is_null(attribute)`.
pub fn is_null(attribute: impl Into<String>) -> FilterBuilder {
    condition(Op::IsNull, attribute, std::iter::empty::<&str>())
}

/// Every term holds: `a:b:c`. A term that is itself an AND is spliced in,
/// and one term is returned as it is.
pub fn and(terms: impl IntoIterator<Item = FilterBuilder>) -> FilterBuilder {
    group(terms, true)
}

/// One of the alternatives holds: `(a|b|c)`. An alternative that is itself
/// an OR is spliced in, and one alternative is returned as it is.
pub fn or(alternatives: impl IntoIterator<Item = FilterBuilder>) -> FilterBuilder {
    group(alternatives, false)
}

fn group(terms: impl IntoIterator<Item = FilterBuilder>, is_and: bool) -> FilterBuilder {
    let mut flat = Vec::new();
    for term in terms {
        match term {
            FilterBuilder::And(inner) if is_and => flat.extend(inner),
            FilterBuilder::Or(inner) if !is_and => flat.extend(inner),
            other => flat.push(other),
        }
    }
    if flat.len() == 1 {
        if let Some(one) = flat.pop() {
            return one;
        }
    }
    if is_and {
        FilterBuilder::And(flat)
    } else {
        FilterBuilder::Or(flat)
    }
}

impl FilterBuilder {
    /// `self` and `other` both hold (see [`and`]).
    pub fn and(self, other: FilterBuilder) -> FilterBuilder {
        and([self, other])
    }

    /// `self` or `other` holds (see [`or`]).
    pub fn or(self, other: FilterBuilder) -> FilterBuilder {
        or([self, other])
    }

    /// Prints the expression and compiles it against `schema` under the
    /// schema's limits, as [`Schema::compile`] would the string. Error
    /// spans are offsets into `self.to_string()`.
    ///
    /// ```
    /// use catalog_filter::build::{eq, like, or};
    /// use catalog_filter::Schema;
    ///
    /// let expr = or([eq("status", "complete"), like("email", "*@example.com")]);
    /// let f = expr.compile(&Schema::orders()).unwrap();
    /// assert_eq!(f.to_string(), "eq(status,complete)|like(email,*@example.com)");
    /// // detach_nodes has no OR groups.
    /// assert!(expr.compile(&Schema::detach_nodes()).is_err());
    /// ```
    pub fn compile(&self, schema: &Schema) -> Result<ValidFilter, FilterError> {
        schema.compile(&self.to_string())
    }

    /// The expression lent to the syntax tree, with empty spans, for the
    /// canonical printer.
    fn to_syntax(&self) -> syntax::Expr<'_> {
        let span = Span::new(0, 0);
        match self {
            FilterBuilder::Condition(c) => syntax::Expr::Condition(syntax::Condition {
                op: c.op,
                op_span: span,
                attribute: Attribute {
                    path: &c.attribute,
                    span,
                },
                values: c
                    .values
                    .iter()
                    .map(|v| Value::new(v.as_str(), span))
                    .collect(),
                span,
            }),
            FilterBuilder::And(terms) => syntax::Expr::And(Group {
                terms: terms.iter().map(FilterBuilder::to_syntax).collect(),
                span,
            }),
            FilterBuilder::Or(terms) => syntax::Expr::Or(Group {
                terms: terms.iter().map(FilterBuilder::to_syntax).collect(),
                span,
            }),
        }
    }
}

impl fmt::Display for FilterBuilder {
    /// The canonical form (see the module docs).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.to_syntax(), f)
    }
}

impl From<&syntax::Expr<'_>> for FilterBuilder {
    /// The owned copy of a parsed tree (spans dropped).
    fn from(e: &syntax::Expr<'_>) -> FilterBuilder {
        match e {
            syntax::Expr::Condition(c) => FilterBuilder::Condition(OwnedCondition {
                op: c.op,
                attribute: c.attribute.path.to_owned(),
                values: c
                    .values
                    .iter()
                    .map(|v| v.text.clone().into_owned())
                    .collect(),
            }),
            syntax::Expr::And(g) => {
                FilterBuilder::And(g.terms.iter().map(FilterBuilder::from).collect())
            }
            syntax::Expr::Or(g) => {
                FilterBuilder::Or(g.terms.iter().map(FilterBuilder::from).collect())
            }
        }
    }
}

impl From<&syntax::Filter<'_>> for FilterBuilder {
    /// The owned copy of a parsed filter (spans dropped).
    fn from(f: &syntax::Filter<'_>) -> FilterBuilder {
        FilterBuilder::from(&f.expr)
    }
}

impl FromStr for FilterBuilder {
    type Err = ParseError;

    /// Parses with the default limits ([`syntax::parse`]); no validation.
    fn from_str(s: &str) -> Result<FilterBuilder, ParseError> {
        syntax::parse(s).map(|f| FilterBuilder::from(&f))
    }
}

impl Serialize for FilterBuilder {
    /// The canonical string.
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for FilterBuilder {
    /// A filter string, parsed (not validated).
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<FilterBuilder, D::Error> {
        let text = Cow::<str>::deserialize(deserializer)?;
        text.parse().map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_redundant_parentheses() {
        let e = and([
            and([eq("a", 1), eq("b", 2)]),
            or([eq("c", 3)]),
            or([or([eq("d", 4), eq("e", 5)]), eq("f", 6)]),
        ]);
        assert_eq!(
            e.to_string(),
            "eq(a,1):eq(b,2):eq(c,3):(eq(d,4)|eq(e,5)|eq(f,6))"
        );
        let FilterBuilder::And(terms) = &e else {
            panic!("an AND")
        };
        assert_eq!(terms.len(), 4);
        // A group built by hand with the variants prints the same way.
        let hand = FilterBuilder::Or(vec![
            FilterBuilder::Or(vec![eq("a", 1), eq("b", 2)]),
            eq("c", 3),
        ]);
        assert_eq!(hand.to_string(), "eq(a,1)|eq(b,2)|eq(c,3)");
        assert_eq!(
            FilterBuilder::And(vec![FilterBuilder::Or(vec![eq("a", 1)])]).to_string(),
            "eq(a,1)"
        );
        // An OR alternative that is an AND needs no parentheses.
        let e = or([and([eq("a", 1), eq("b", 2)]), eq("c", 3)]);
        assert_eq!(e.to_string(), "eq(a,1):eq(b,2)|eq(c,3)");
    }

    #[test]
    fn quoting_follows_the_printer() {
        assert_eq!(eq("name", "").to_string(), r#"eq(name,"")"#);
        assert_eq!(eq("name", " x").to_string(), r#"eq(name," x")"#);
        assert_eq!(
            eq("name", r#"say "hi" \ (now)"#).to_string(),
            r#"eq(name,"say \"hi\" \\ (now)")"#
        );
        assert_eq!(eq("name", "a|b:c").to_string(), "eq(name,a|b:c)");
        assert_eq!(eq("name", "café").to_string(), r#"eq(name,"café")"#);
        assert_eq!(is_null("tags").to_string(), "is_null(tags)");
        assert_eq!(
            contains_any("tags", ["a", "b,c"]).to_string(),
            r#"contains_any(tags,a,"b,c")"#
        );
    }

    #[test]
    fn typed_values() {
        use chrono::TimeZone;
        let t = Utc.with_ymd_and_hms(2024, 1, 2, 3, 4, 5).unwrap();
        assert_eq!(
            gt("updated_at", t).to_string(),
            "gt(updated_at,2024-01-02T03:04:05Z)"
        );
        let id = Uuid::nil();
        assert_eq!(
            eq("id", id).to_string(),
            "eq(id,00000000-0000-0000-0000-000000000000)"
        );
        assert_eq!(eq("has_nodes", false).to_string(), "eq(has_nodes,false)");
        assert!(
            and([gt("updated_at", t), eq("id", id), eq("has_nodes", false)])
                .compile(&Schema::detach_nodes())
                .is_ok()
        );
    }

    #[test]
    fn validates_like_the_string() {
        for e in [
            eq("nmae", "x"),
            gt("name", "x"),
            in_("sku", std::iter::empty::<&str>()),
            and([]),
            or([]),
            eq("bad attribute", "x"),
            eq("name", "\u{1}"),
            ilike("name", "x"),
        ] {
            let text = e.to_string();
            assert_eq!(
                e.compile(&Schema::detach_nodes()),
                crate::compiler::compile(&text),
                "{text}"
            );
            assert!(e.compile(&Schema::detach_nodes()).is_err(), "{text}");
        }
        let e = and([eq("sku", "a"), like("name", "*shoe*")]);
        assert_eq!(
            e.compile(&Schema::detach_nodes()),
            crate::compiler::compile("eq(sku,a):like(name,*shoe*)")
        );
        assert_eq!(
            e.compile(&Schema::every_operator()).map(|f| f.to_string()),
            Ok("eq(sku,a):like(name,*shoe*)".to_owned())
        );
    }

    #[test]
    fn parse_and_serde_round_trip() {
        let e: FilterBuilder = r#"eq("sku", 'a b') : ( eq(status,live) | like(name,*shoe*) )"#
            .parse()
            .unwrap();
        assert_eq!(
            e,
            and([
                eq("sku", "a b"),
                or([eq("status", "live"), like("name", "*shoe*")])
            ])
        );
        let json = serde_json::to_string(&e).unwrap();
        assert_eq!(json, r#""eq(sku,a b):(eq(status,live)|like(name,*shoe*))""#);
        assert_eq!(serde_json::from_str::<FilterBuilder>(&json).unwrap(), e);
        assert!(serde_json::from_str::<FilterBuilder>(r#""eq(sku""#).is_err());
    }
}
