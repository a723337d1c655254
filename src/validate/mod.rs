//! The second stage: a parsed [`Filter`] becomes a [`ValidFilter`] only if
//! every operator/attribute pair is in the support matrix
//! ([`crate::schema`]) and every value has the attribute's type.
//!
//! Validation reports every problem at once ([`ValidationErrors`]), each
//! with a kind and the span of the offending attribute, value or condition
//! ([`ValidationErrorKind`] says what each span covers). [`compile`] is the one entry point most users
//! need: byte limit, then parse, then validate.
//!
//! Per condition: an unknown or malformed attribute, or an operator the
//! attribute does not support, is that condition's only error (its values
//! have no type to be checked against); otherwise every bad value is one
//! error, plus one for a wrong number of values and one for the `in` limit.
//! The condition limit is one error at the first condition over it; the
//! conditions beyond it are still checked, so one round trip shows every
//! problem.
//!
//! ```
//! use catalog_filter::validate::{ValidCondition, Values};
//! use catalog_filter::schema::{Field, Status};
//! let f = catalog_filter::compile("eq(status,live):in(sku,a-1,b-2)").unwrap();
//! let c: &ValidCondition = &f.conditions()[0];
//! assert_eq!(c.field(), &Field::Status);
//! assert_eq!(c.values(), &Values::Status(vec![Status::Live].into()));
//! assert_eq!(f.to_string(), "eq(status,live):in(sku,a-1,b-2)");
//! ```

use crate::error::FilterError;
use crate::limits::Limits;
use crate::pattern::Pattern;
mod error;

pub use error::{FilterTooLong, ValidationError, ValidationErrorKind, ValidationErrors};

use crate::schema::{
    self, CommodityType, Field, Owner, ProductType, ResolveError, Status, ValueType, parse_instant,
    parse_uuid,
};
use crate::syntax::{self, Condition, Filter, Op, Span, Value};
use chrono::{DateTime, Utc};
use std::fmt;
use std::str::FromStr;
use uuid::Uuid;

/// A filter that passed validation: typed conditions, plus the [`Filter`] it
/// came from.
///
/// Build one with [`compile`], [`compile_with`], [`validate`],
/// [`ValidFilter::new`] or `str::parse`. `Display` prints the canonical form
/// of the filter (the original value texts, not the typed values).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct ValidFilter {
    filter: Filter,
    conditions: Vec<ValidCondition>,
}

impl ValidFilter {
    /// Validates an owned filter against `limits`, keeping it without a copy.
    pub fn new(filter: Filter, limits: &Limits) -> Result<ValidFilter, ValidationErrors> {
        let conditions = check(&filter, limits)?;
        Ok(ValidFilter { filter, conditions })
    }

    /// The typed conditions, in source order (all must hold: `:` is AND).
    pub fn conditions(&self) -> &[ValidCondition] {
        &self.conditions
    }

    /// The parsed filter this was validated from.
    pub fn filter(&self) -> &Filter {
        &self.filter
    }

    /// Gives back the parsed filter.
    pub fn into_filter(self) -> Filter {
        self.filter
    }
}

impl fmt::Display for ValidFilter {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.filter, f)
    }
}

impl FromStr for ValidFilter {
    type Err = FilterError;

    /// Same as [`compile`].
    fn from_str(s: &str) -> Result<ValidFilter, FilterError> {
        compile(s)
    }
}

/// One validated condition: a known [`Field`], an operator it supports, and
/// values of its type.
///
/// Invariants: `field().supports(op())`; `values()` has exactly one value
/// unless `op()` is `in` (then one or more, at most the `in` limit), of the
/// variant matching `field().value_type()`.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct ValidCondition {
    field: Field,
    op: Op,
    values: Values,
    /// The compiled pattern of a `like` condition, built once here so that
    /// evaluation allocates nothing per product. Boxed: a searcher is a few
    /// hundred bytes, and most conditions have none.
    pattern: Option<Box<Pattern>>,
    span: Span,
}

impl ValidCondition {
    /// The attribute.
    pub fn field(&self) -> &Field {
        &self.field
    }

    /// The operator.
    pub fn op(&self) -> Op {
        self.op
    }

    /// The typed values.
    pub fn values(&self) -> &Values {
        &self.values
    }

    /// The condition's span in the filter text.
    pub fn span(&self) -> Span {
        self.span
    }

    /// The compiled pattern when `op()` is `like` (its single text value);
    /// `None` for every other operator.
    pub fn pattern(&self) -> Option<&Pattern> {
        self.pattern.as_deref()
    }
}

/// The typed values of one condition. The variant follows the attribute's
/// [`ValueType`]: `Uuid` for UUIDs, `Text` for text, `Instant` for
/// instants, one variant per enumeration, and `Bool` for `has_nodes` (whose
/// only accepted value is `false`). Each holds a [`ValueList`], which derefs
/// to a slice.
///
/// New variants may be added in minor versions, with new value types.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Values {
    /// UUIDs ([`ValueType::Uuid`]).
    Uuid(ValueList<Uuid>),
    /// Text, quotes removed and escapes decoded ([`ValueType::Text`]).
    Text(ValueList<String>),
    /// Instants, normalised to UTC ([`ValueType::Instant`]).
    Instant(ValueList<DateTime<Utc>>),
    /// Publication statuses ([`ValueType::Status`]).
    Status(ValueList<Status>),
    /// Commodity types ([`ValueType::CommodityType`]).
    CommodityType(ValueList<CommodityType>),
    /// Owners ([`ValueType::Owner`]).
    Owner(ValueList<Owner>),
    /// Product types ([`ValueType::ProductType`]).
    ProductType(ValueList<ProductType>),
    /// Booleans ([`ValueType::FalseOnly`]: always `false` today).
    Bool(ValueList<bool>),
}

impl Values {
    /// Number of values.
    pub fn len(&self) -> usize {
        match self {
            Values::Uuid(v) => v.len(),
            Values::Text(v) => v.len(),
            Values::Instant(v) => v.len(),
            Values::Status(v) => v.len(),
            Values::CommodityType(v) => v.len(),
            Values::Owner(v) => v.len(),
            Values::ProductType(v) => v.len(),
            Values::Bool(v) => v.len(),
        }
    }

    /// True when there is no value (never, for a validated condition).
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// The values of one condition: a list that stores a single value inline
/// (every operator but `in` has exactly one), so validating a typical filter
/// allocates no list at all. Derefs to `[T]`; compares, hashes and prints
/// like a slice.
///
/// ```
/// use catalog_filter::validate::ValueList;
/// let one: ValueList<u8> = vec![1].into();
/// let two: ValueList<u8> = [1, 2].into_iter().collect();
/// assert_eq!(one.as_slice(), &[1]);
/// assert!(two.contains(&2));
/// assert_eq!(format!("{two:?}"), "[1, 2]");
/// ```
#[derive(Clone)]
pub struct ValueList<T>(ListRepr<T>);

#[derive(Clone)]
enum ListRepr<T> {
    One(T),
    Many(Vec<T>),
}

impl<T> ValueList<T> {
    /// The values as a slice.
    pub fn as_slice(&self) -> &[T] {
        match &self.0 {
            ListRepr::One(v) => std::slice::from_ref(v),
            ListRepr::Many(v) => v,
        }
    }
}

impl<T> std::ops::Deref for ValueList<T> {
    type Target = [T];
    fn deref(&self) -> &[T] {
        self.as_slice()
    }
}

impl<T> From<Vec<T>> for ValueList<T> {
    fn from(mut v: Vec<T>) -> ValueList<T> {
        match v.len() {
            1 => match v.pop() {
                Some(one) => ValueList(ListRepr::One(one)),
                None => ValueList(ListRepr::Many(v)),
            },
            _ => ValueList(ListRepr::Many(v)),
        }
    }
}

impl<T> FromIterator<T> for ValueList<T> {
    fn from_iter<I: IntoIterator<Item = T>>(iter: I) -> ValueList<T> {
        Vec::from_iter(iter).into()
    }
}

impl<'a, T> IntoIterator for &'a ValueList<T> {
    type Item = &'a T;
    type IntoIter = std::slice::Iter<'a, T>;
    fn into_iter(self) -> Self::IntoIter {
        self.as_slice().iter()
    }
}

impl<T: PartialEq> PartialEq for ValueList<T> {
    fn eq(&self, other: &ValueList<T>) -> bool {
        self.as_slice() == other.as_slice()
    }
}

impl<T: Eq> Eq for ValueList<T> {}

impl<T: std::hash::Hash> std::hash::Hash for ValueList<T> {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.as_slice().hash(state)
    }
}

impl<T: fmt::Debug> fmt::Debug for ValueList<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self.as_slice(), f)
    }
}

/// Parses and validates `input` with the default [`Limits`].
///
/// ```
/// let f = catalog_filter::compile("eq(sku,book):gt(updated_at,2024-01-01)").unwrap();
/// assert_eq!(f.conditions().len(), 2);
/// let err = catalog_filter::compile("like(id,x)").unwrap_err();
/// assert_eq!(err.to_string(), "operator `like` is not supported for `id`; supported: eq, in, gt, ge, lt, le");
/// /// ```
pub fn compile(input: &str) -> Result<ValidFilter, FilterError> {
    compile_with(input, &Limits::DEFAULT)
}

/// Parses and validates `input` under `limits`: the byte limit first (a
/// filter over it is refused without being read), then the grammar, then the
/// support matrix and the other limits.
pub fn compile_with(input: &str, limits: &Limits) -> Result<ValidFilter, FilterError> {
    if input.len() > limits.max_filter_bytes {
        return Err(FilterTooLong {
            len: input.len(),
            limit: limits.max_filter_bytes,
        }
        .into());
    }
    let filter = syntax::parse(input)?;
    Ok(ValidFilter::new(filter, limits)?)
}

/// Validates a parsed filter against the support matrix and `limits`,
/// reporting every problem. The filter is copied into the result; use
/// [`ValidFilter::new`] to move it instead.
pub fn validate(filter: &Filter, limits: &Limits) -> Result<ValidFilter, ValidationErrors> {
    let conditions = check(filter, limits)?;
    Ok(ValidFilter {
        filter: filter.clone(),
        conditions,
    })
}

/// The validation proper: typed conditions, or every problem.
fn check(filter: &Filter, limits: &Limits) -> Result<Vec<ValidCondition>, ValidationErrors> {
    let mut errors = Vec::new();
    let mut conditions = Vec::with_capacity(filter.conditions.len());
    for (i, cond) in filter.conditions.iter().enumerate() {
        if i == limits.max_conditions {
            errors.push(ValidationError::new(
                ValidationErrorKind::TooManyConditions {
                    found: filter.conditions.len(),
                    limit: limits.max_conditions,
                },
                cond.span,
            ));
        }
        if let Some(valid) = check_condition(cond, limits, &mut errors) {
            conditions.push(valid);
        }
    }
    match ValidationErrors::new(errors) {
        Some(errors) => Err(errors),
        None => Ok(conditions),
    }
}

/// Validates one condition, pushing its problems; `Some` when it has none.
fn check_condition(
    cond: &Condition,
    limits: &Limits,
    errors: &mut Vec<ValidationError>,
) -> Option<ValidCondition> {
    let attr = &cond.attribute;
    let field = match schema::resolve(&attr.path) {
        Ok(field) => field,
        Err(ResolveError::Unknown) => {
            errors.push(ValidationError::new(
                ValidationErrorKind::UnknownAttribute {
                    found: attr.path.clone(),
                    suggestion: schema::suggest(&attr.path),
                },
                attr.span,
            ));
            return None;
        }
        Err(ResolveError::Shape(spec)) => {
            errors.push(ValidationError::new(
                ValidationErrorKind::MalformedAttribute {
                    found: attr.path.clone(),
                    expected: spec.pattern,
                },
                attr.span,
            ));
            return None;
        }
    };
    let spec = field.spec();
    if !spec.supports(cond.op) {
        errors.push(ValidationError::new(
            ValidationErrorKind::UnsupportedOperator {
                op: cond.op,
                attribute: attr.path.clone(),
                supported: spec.ops,
            },
            attr.span,
        ));
        return None;
    }
    let before = errors.len();
    let n = cond.values.len();
    if n == 0 || (n > 1 && !cond.op.takes_many()) {
        errors.push(ValidationError::new(
            ValidationErrorKind::WrongArity {
                op: cond.op,
                attribute: attr.path.clone(),
                found: n,
                in_supported: spec.supports(Op::In),
            },
            cond.values.get(1).map_or(cond.span, |v| v.span),
        ));
    }
    if let Some(first_over) = cond.values.get(limits.max_in_values) {
        errors.push(ValidationError::new(
            ValidationErrorKind::TooManyValues {
                found: n,
                limit: limits.max_in_values,
            },
            first_over.span,
        ));
    }
    let mut typer = Typer {
        attribute: &attr.path,
        expected: spec.value_type,
        errors,
    };
    let values = match spec.value_type {
        ValueType::Uuid => Values::Uuid(typer.all(&cond.values, parse_uuid)),
        ValueType::Text => Values::Text(typer.all(&cond.values, |s| Some(s.to_owned()))),
        ValueType::Instant => Values::Instant(typer.all(&cond.values, parse_instant)),
        ValueType::Status => Values::Status(typer.all(&cond.values, |s| s.parse().ok())),
        ValueType::CommodityType => {
            Values::CommodityType(typer.all(&cond.values, |s| s.parse().ok()))
        }
        ValueType::Owner => Values::Owner(typer.all(&cond.values, |s| s.parse().ok())),
        ValueType::ProductType => Values::ProductType(typer.all(&cond.values, |s| s.parse().ok())),
        ValueType::FalseOnly => {
            Values::Bool(typer.all(&cond.values, |s| (s == "false").then_some(false)))
        }
    };
    let pattern = match (&values, cond.op) {
        (Values::Text(texts), Op::Like) => texts.first().map(|t| Box::new(Pattern::new(t))),
        _ => None,
    };
    (errors.len() == before).then_some(ValidCondition {
        field,
        op: cond.op,
        values,
        pattern,
        span: cond.span,
    })
}

/// Types the values of one condition, recording one error per bad value.
struct Typer<'a> {
    attribute: &'a str,
    expected: ValueType,
    errors: &'a mut Vec<ValidationError>,
}

impl Typer<'_> {
    fn all<T>(&mut self, values: &[Value], parse: impl Fn(&str) -> Option<T>) -> ValueList<T> {
        if let [one] = values {
            if let Some(t) = self.one(one, &parse) {
                return ValueList(ListRepr::One(t));
            }
            return ValueList(ListRepr::Many(Vec::new()));
        }
        let mut out = Vec::with_capacity(values.len());
        for v in values {
            if let Some(t) = self.one(v, &parse) {
                out.push(t);
            }
        }
        ValueList(ListRepr::Many(out))
    }

    fn one<T>(&mut self, v: &Value, parse: impl Fn(&str) -> Option<T>) -> Option<T> {
        let t = parse(&v.text);
        if t.is_none() {
            self.errors.push(ValidationError::new(
                ValidationErrorKind::InvalidValue {
                    attribute: self.attribute.to_owned(),
                    value: v.text.clone(),
                    expected: self.expected,
                },
                v.span,
            ));
        }
        t
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn instants() {
        let midnight = Utc.with_ymd_and_hms(2024, 1, 1, 0, 0, 0).unwrap();
        assert_eq!(parse_instant("2024-01-01"), Some(midnight));
        assert_eq!(parse_instant("2024-01-01T00:00:00Z"), Some(midnight));
        assert_eq!(parse_instant("2024-01-01T02:00:00+02:00"), Some(midnight));
        assert_eq!(parse_instant("1704067200000"), Some(midnight));
        assert_eq!(parse_instant("0"), Utc.timestamp_millis_opt(0).single());
        for bad in [
            "",
            "2024-1-01",
            "2024-01-1",
            "2024-13-01",
            "2024-02-30",
            "-1",
            "+5",
            "1.5",
            "99999999999999999999",
            "yesterday",
            "2024-01-01T00:00:00",
        ] {
            assert_eq!(parse_instant(bad), None, "{bad}");
        }
    }

    #[test]
    fn uuids() {
        assert!(parse_uuid("3fa85f64-5717-4562-b3fc-2c963f66afa6").is_some());
        assert!(parse_uuid("3FA85F64-5717-4562-B3FC-2C963F66AFA6").is_some());
        assert!(parse_uuid("3fa85f6457174562b3fc2c963f66afa6").is_none());
        assert!(parse_uuid("{3fa85f64-5717-4562-b3fc-2c963f66afa6}").is_none());
        assert!(parse_uuid("3fa85f64-5717-4562-b3fc-2c963f66afaz").is_none());
        assert!(parse_uuid("3fa85f64-5717-4562-b3fc2-c963f66afa6").is_none());
    }
}
