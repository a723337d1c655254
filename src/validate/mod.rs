//! The second stage: a parsed [`Filter`] becomes a [`ValidFilter`] only if
//! every operator/attribute pair is in the support matrix
//! ([`crate::schema::Matrix`]) and every value has the attribute's type.
//!
//! A [`ValidFilter`] is a tree of typed predicates ([`ValidExpr`],
//! [`Predicate`]): each pairs an attribute of one value type with a test on
//! values of that type (`like` holds a compiled [`Pattern`], comparisons
//! typed values), so evaluation and SQL rendering have no impossible cases.
//! It owns what evaluation needs and the canonical text for `Display`; it
//! borrows nothing from the input.
//!
//! Validation reports every problem at once ([`ValidationErrors`]), each
//! with a kind and the span of the offending operator, attribute, value,
//! group or condition ([`ValidationErrorKind`] says what each span covers).
//! [`compile`] is the one entry point most users need: byte limit, then
//! parse, then validate.
//!
//! Per condition: an operator the matrix never supports, an unknown or
//! malformed attribute, or an operator the attribute does not support, is
//! that condition's only error (its values have no type to be checked
//! against); otherwise every bad value is one error, plus one for a wrong
//! number of values and one for the `in` limit. The condition limit (over
//! the whole tree) is one error at the first condition over it; the
//! conditions beyond it are still checked, so one round trip shows every
//! problem. A matrix without OR groups refuses each `Or` node (and still
//! checks the conditions inside it); one with them caps the filter's
//! complexity.
//!
//! ```
//! use catalog_filter::validate::{Comparison, Predicate};
//! use catalog_filter::schema::{Field, Status};
//! let f = catalog_filter::compile("eq(status,live):in(sku,a-1,b-2)").unwrap();
//! let c = f.conditions().next().unwrap();
//! assert_eq!(c.field(), Field::Status);
//! assert_eq!(c.predicate(), &Predicate::Status(vec![Status::Live].into()));
//! assert_eq!(f.to_string(), "eq(status,live):in(sku,a-1,b-2)");
//! ```

use crate::error::FilterError;
use crate::limits::Limits;
use crate::pattern::Pattern;
use crate::search::TextQuery;
mod error;

pub use crate::syntax::ValueList;
pub use error::{FilterTooLong, ValidationError, ValidationErrorKind, ValidationErrors};

use crate::schema::{
    CommodityType, Field, InstantAttribute, Matrix, Owner, ProductType, ResolveError, Status,
    TextAttribute, TypedField, UuidAttribute, ValueType, parse_instant, parse_uuid,
};
use crate::syntax::{self, Condition, Expr, Filter, Op, Span, Value};
use chrono::{DateTime, Utc};
use std::fmt;
use std::str::FromStr;
use uuid::Uuid;

/// A filter that passed validation: a tree of typed predicates, and the
/// canonical text of the filter it came from.
///
/// Build one with [`compile`], [`compile_with`], [`compile_for`],
/// [`validate`], [`ValidFilter::new`] or `str::parse`. `Display` prints the
/// canonical form of the filter (the original value texts, not the typed
/// values).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct ValidFilter {
    canonical: Box<str>,
    expr: ValidExpr,
}

impl ValidFilter {
    /// Validates a parsed filter against the detach_nodes matrix and
    /// `limits`.
    pub fn new(filter: Filter<'_>, limits: &Limits) -> Result<ValidFilter, ValidationErrors> {
        validate(&filter, limits)
    }

    /// The tree of typed predicates.
    pub fn expr(&self) -> &ValidExpr {
        &self.expr
    }

    /// The conditions of the tree, left to right (depth first).
    pub fn conditions(&self) -> impl Iterator<Item = &ValidCondition> {
        let mut stack = vec![&self.expr];
        std::iter::from_fn(move || {
            while let Some(e) = stack.pop() {
                match e {
                    ValidExpr::Condition(c) => return Some(c),
                    ValidExpr::And(terms) | ValidExpr::Or(terms) => {
                        stack.extend(terms.iter().rev())
                    }
                }
            }
            None
        })
    }

    /// The canonical form of the filter (what `Display` prints).
    pub fn as_str(&self) -> &str {
        &self.canonical
    }
}

impl fmt::Display for ValidFilter {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.canonical)
    }
}

impl FromStr for ValidFilter {
    type Err = FilterError;

    /// Same as [`compile`].
    fn from_str(s: &str) -> Result<ValidFilter, FilterError> {
        compile(s)
    }
}

/// A node of a validated filter tree.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum ValidExpr {
    /// One condition.
    Condition(ValidCondition),
    /// All terms hold (two or more).
    And(Vec<ValidExpr>),
    /// One of the alternatives holds (two or more).
    Or(Vec<ValidExpr>),
}

/// One validated condition: an operator and a typed predicate.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct ValidCondition {
    op: Op,
    predicate: Predicate,
    span: Span,
}

impl ValidCondition {
    /// The attribute.
    pub fn field(&self) -> Field {
        self.predicate.field()
    }

    /// The operator as written.
    pub fn op(&self) -> Op {
        self.op
    }

    /// What the condition tests.
    pub fn predicate(&self) -> &Predicate {
        &self.predicate
    }

    /// The condition's span in the filter text.
    pub fn span(&self) -> Span {
        self.span
    }
}

/// What one condition tests: an attribute of one value type and a test on
/// values of that type. A list attribute passes when any of its elements
/// does (`All` tests: when every value is an element).
///
/// New variants may be added in minor versions, with new value types.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Predicate {
    /// A UUID attribute compared with UUIDs.
    Uuid(UuidAttribute, Comparison<Uuid>),
    /// An instant attribute compared with instants (normalised to UTC).
    Instant(InstantAttribute, Comparison<DateTime<Utc>>),
    /// A text attribute (scalar, list or JSON text form) and a text test.
    Text(TextAttribute, TextTest),
    /// `status` is one of the values.
    Status(ValueList<Status>),
    /// `commodity_type` is one of the values.
    CommodityType(ValueList<CommodityType>),
    /// `owner` is one of the values.
    Owner(ValueList<Owner>),
    /// `product_types` has any of / all of the values.
    ProductTypes(Members<ProductType>),
    /// `has_nodes` equals the value (only `false` is accepted today).
    HasNodes(bool),
    /// `is_null`: the attribute has no value (absent, JSON null, or an
    /// empty list).
    IsNull(TypedField),
}

impl Predicate {
    /// How many values the predicate compares with: 0 for `is_null`, 1 for
    /// `like`, `ilike`, `text`, `has_nodes` and the orderings.
    pub fn value_count(&self) -> usize {
        fn count<T>(c: &Comparison<T>) -> usize {
            match c {
                Comparison::OneOf(v) | Comparison::All(v) => v.len(),
                Comparison::Gt(_) | Comparison::Ge(_) | Comparison::Lt(_) | Comparison::Le(_) => 1,
            }
        }
        match self {
            Predicate::Uuid(_, c) => count(c),
            Predicate::Instant(_, c) => count(c),
            Predicate::Text(_, TextTest::Compare(c)) => count(c),
            Predicate::Text(_, TextTest::Like(_) | TextTest::Ilike(_) | TextTest::Search(_)) => 1,
            Predicate::Status(v) => v.len(),
            Predicate::CommodityType(v) => v.len(),
            Predicate::Owner(v) => v.len(),
            Predicate::ProductTypes(Members::Any(v) | Members::All(v)) => v.len(),
            Predicate::HasNodes(_) => 1,
            Predicate::IsNull(_) => 0,
        }
    }

    /// The attribute tested.
    pub fn field(&self) -> Field {
        match self {
            Predicate::Uuid(UuidAttribute::Id, _) => Field::Id,
            Predicate::Uuid(UuidAttribute::ParentId, _) => Field::ParentId,
            Predicate::Instant(InstantAttribute::CreatedAt, _) => Field::CreatedAt,
            Predicate::Instant(InstantAttribute::UpdatedAt, _) => Field::UpdatedAt,
            Predicate::Text(a, _) => a.field(),
            Predicate::Status(_) => Field::Status,
            Predicate::CommodityType(_) => Field::CommodityType,
            Predicate::Owner(_) => Field::Owner,
            Predicate::ProductTypes(_) => Field::ProductTypes,
            Predicate::HasNodes(_) => Field::HasNodes,
            Predicate::IsNull(f) => f.field(),
        }
    }
}

/// A comparison of an attribute's value(s) with typed values.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Comparison<T> {
    /// Equals one of the values (`eq`, `in`, `contains`, `contains_any`).
    OneOf(ValueList<T>),
    /// Every value is among the attribute's values (`contains_all`).
    All(ValueList<T>),
    /// Greater than (`gt`).
    Gt(T),
    /// Greater than or equal to (`ge`).
    Ge(T),
    /// Less than (`lt`).
    Lt(T),
    /// Less than or equal to (`le`).
    Le(T),
}

/// Membership tests on a list attribute of enumerated values.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Members<T> {
    /// An element is one of the values (`eq`, `in`, `contains`, `contains_any`).
    Any(ValueList<T>),
    /// Every value is an element (`contains_all`).
    All(ValueList<T>),
}

/// A test on a text value.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum TextTest {
    /// Exact, bytewise comparisons.
    Compare(Comparison<Box<str>>),
    /// `like`: a case-sensitive wildcard pattern. (Boxed: a compiled
    /// searcher is a few hundred bytes, and most tests are small.)
    Like(Box<Pattern>),
    /// `ilike`: the pattern, lower-cased, against the lower-cased value.
    Ilike(Box<Pattern>),
    /// `text`: full-text search.
    Search(TextQuery),
}

/// Parses and validates `input` with the default [`Limits`] against the
/// detach_nodes matrix.
///
/// ```
/// let f = catalog_filter::compile("eq(sku,book):gt(updated_at,2024-01-01)").unwrap();
/// assert_eq!(f.conditions().count(), 2);
/// let err = catalog_filter::compile("like(id,x)").unwrap_err();
/// assert_eq!(err.to_string(), "operator `like` is not supported for `id`; supported: eq, in, gt, ge, lt, le");
/// ```
pub fn compile(input: &str) -> Result<ValidFilter, FilterError> {
    compile_with(input, &Limits::DEFAULT)
}

/// Parses and validates `input` under `limits` against the detach_nodes
/// matrix; see [`compile_for`].
pub fn compile_with(input: &str, limits: &Limits) -> Result<ValidFilter, FilterError> {
    compile_for(input, &Matrix::DETACH_NODES, limits)
}

/// Parses and validates `input` under `limits` against `matrix`: the byte
/// limit first (a filter over it is refused without being read), then the
/// grammar (with the depth limit), then the matrix and the other limits.
///
/// ```
/// use catalog_filter::schema::Matrix;
/// use catalog_filter::{compile_for, Limits};
///
/// let f = compile_for("(ilike(name,*SHOE*)|is_null(tags))", &Matrix::EVERY_OPERATOR, &Limits::DEFAULT);
/// assert!(f.is_ok());
/// ```
pub fn compile_for(
    input: &str,
    matrix: &Matrix,
    limits: &Limits,
) -> Result<ValidFilter, FilterError> {
    if input.len() > limits.max_filter_bytes {
        return Err(FilterTooLong {
            len: input.len(),
            limit: limits.max_filter_bytes,
        }
        .into());
    }
    let filter = syntax::parse_with(input, limits)?;
    Ok(validate_for(&filter, matrix, limits)?)
}

/// Validates a parsed filter against the detach_nodes matrix and `limits`,
/// reporting every problem.
pub fn validate(filter: &Filter<'_>, limits: &Limits) -> Result<ValidFilter, ValidationErrors> {
    validate_for(filter, &Matrix::DETACH_NODES, limits)
}

/// Validates a parsed filter against `matrix` and `limits`, reporting every
/// problem.
pub fn validate_for(
    filter: &Filter<'_>,
    matrix: &Matrix,
    limits: &Limits,
) -> Result<ValidFilter, ValidationErrors> {
    let mut checker = Checker {
        matrix,
        limits,
        errors: Vec::new(),
        conditions: 0,
    };
    let (expr, complexity) = checker.expr(&filter.expr, 0);
    if matrix.allows_or() && complexity > limits.max_complexity {
        checker.errors.push(ValidationError::new(
            ValidationErrorKind::TooComplex {
                found: complexity,
                limit: limits.max_complexity,
            },
            filter.span,
        ));
    }
    if checker.conditions > limits.max_conditions {
        if let Some(over) = filter.conditions().nth(limits.max_conditions) {
            let error = ValidationError::new(
                ValidationErrorKind::TooManyConditions {
                    found: checker.conditions,
                    limit: limits.max_conditions,
                },
                over.span,
            );
            let at = checker
                .errors
                .iter()
                .position(|e| e.span().start >= over.span.start)
                .unwrap_or(checker.errors.len());
            checker.errors.insert(at, error);
        }
    }
    match (ValidationErrors::new(checker.errors), expr) {
        (None, Some(expr)) => Ok(ValidFilter {
            canonical: filter.to_string().into_boxed_str(),
            expr,
        }),
        (Some(errors), _) => Err(errors),
        // Every `None` node pushes an error first, so this is not reached;
        // answering with the depth error keeps the function total.
        (None, None) => Err(ValidationErrors::one(ValidationError::new(
            ValidationErrorKind::TooDeep {
                limit: limits.max_depth,
            },
            filter.span,
        ))),
    }
}

/// Walks the tree, collecting problems.
struct Checker<'m> {
    matrix: &'m Matrix,
    limits: &'m Limits,
    errors: Vec<ValidationError>,
    conditions: usize,
}

impl Checker<'_> {
    /// The typed node and its complexity (saturating), or `None` after
    /// pushing at least one error. Recursion is bounded by the depth limit:
    /// a node deeper than it is refused without being entered (the parser
    /// never builds one; a hand-built tree might).
    fn expr(&mut self, e: &Expr<'_>, depth: usize) -> (Option<ValidExpr>, usize) {
        match e {
            Expr::Condition(c) => {
                self.conditions = self.conditions.saturating_add(1);
                (self.condition(c).map(ValidExpr::Condition), 1)
            }
            Expr::And(g) | Expr::Or(g) => {
                if depth > self.limits.max_depth {
                    self.errors.push(ValidationError::new(
                        ValidationErrorKind::TooDeep {
                            limit: self.limits.max_depth,
                        },
                        g.span,
                    ));
                    return (None, usize::MAX);
                }
                let is_or = matches!(e, Expr::Or(_));
                if is_or && !self.matrix.allows_or() {
                    self.errors.push(ValidationError::new(
                        ValidationErrorKind::OrNotSupported {
                            schema: self.matrix.name(),
                        },
                        g.span,
                    ));
                }
                let mut ok = true;
                let mut terms = Vec::with_capacity(g.terms.len());
                let mut complexity: usize = if is_or { 0 } else { 1 };
                for term in &g.terms {
                    let (t, c) = self.expr(term, depth + 1);
                    complexity = if is_or {
                        complexity.saturating_add(c)
                    } else {
                        complexity.saturating_mul(c)
                    };
                    match t {
                        Some(t) => terms.push(t),
                        None => ok = false,
                    }
                }
                let node = match (ok, is_or, terms.len()) {
                    (false, _, _) => None,
                    (true, _, 1) => terms.pop(),
                    (true, true, _) => Some(ValidExpr::Or(terms)),
                    (true, false, _) => Some(ValidExpr::And(terms)),
                };
                (node, complexity)
            }
        }
    }

    /// Validates one condition, pushing its problems; `Some` when it has none.
    fn condition(&mut self, cond: &Condition<'_>) -> Option<ValidCondition> {
        let errors = &mut self.errors;
        let all = self.matrix.all_operators();
        if !all.contains(cond.op) {
            errors.push(ValidationError::new(
                ValidationErrorKind::OperatorNotSupported {
                    op: cond.op,
                    schema: self.matrix.name(),
                    supported: all,
                },
                cond.op_span,
            ));
            return None;
        }
        let attr = &cond.attribute;
        let field = match self.matrix.resolve(attr.path) {
            Ok(field) => field,
            Err(ResolveError::Unknown) => {
                errors.push(ValidationError::new(
                    ValidationErrorKind::UnknownAttribute {
                        found: attr.path.to_owned(),
                        suggestion: crate::schema::suggest(attr.path),
                    },
                    attr.span,
                ));
                return None;
            }
            Err(ResolveError::Shape(spec)) => {
                errors.push(ValidationError::new(
                    ValidationErrorKind::MalformedAttribute {
                        found: attr.path.to_owned(),
                        expected: spec.pattern,
                    },
                    attr.span,
                ));
                return None;
            }
        };
        let ops = self.matrix.operators(&field);
        if !ops.contains(cond.op) {
            errors.push(ValidationError::new(
                ValidationErrorKind::UnsupportedOperator {
                    op: cond.op,
                    attribute: attr.path.to_owned(),
                    supported: ops,
                },
                attr.span,
            ));
            return None;
        }
        let before = errors.len();
        let n = cond.values.len();
        if !cond.op.arity().allows(n) {
            errors.push(ValidationError::new(
                ValidationErrorKind::WrongArity {
                    op: cond.op,
                    attribute: attr.path.to_owned(),
                    found: n,
                    in_supported: ops.contains(Op::In),
                },
                cond.values
                    .get(usize::from(cond.op != Op::IsNull))
                    .map_or(cond.span, |v| v.span),
            ));
        }
        if let Some(first_over) = cond.values.get(self.limits.max_in_values) {
            errors.push(ValidationError::new(
                ValidationErrorKind::TooManyValues {
                    found: n,
                    limit: self.limits.max_in_values,
                },
                first_over.span,
            ));
        }
        let spec = field.spec();
        let mut typer = Typer {
            attribute: attr.path,
            expected: spec.value_type,
            errors,
        };
        let predicate = typer.predicate(field.typed(), cond);
        (typer.errors.len() == before)
            .then_some(predicate)
            .flatten()
            .map(|predicate| ValidCondition {
                op: cond.op,
                predicate,
                span: cond.span,
            })
    }
}

/// The comparison an operator stands for, over typed values; `None` for
/// the operators that are not comparisons (`like`, `ilike`, `text`,
/// `is_null`).
fn comparison<T>(op: Op, values: ValueList<T>) -> Option<Comparison<T>> {
    Some(match op {
        Op::Eq | Op::In | Op::Contains | Op::ContainsAny => Comparison::OneOf(values),
        Op::ContainsAll => Comparison::All(values),
        Op::Gt => Comparison::Gt(values.into_first()?),
        Op::Ge => Comparison::Ge(values.into_first()?),
        Op::Lt => Comparison::Lt(values.into_first()?),
        Op::Le => Comparison::Le(values.into_first()?),
        Op::Like | Op::Ilike | Op::Text | Op::IsNull => return None,
    })
}

/// The values of an operator that only means "one of" on enumerations.
fn one_of<T>(op: Op, values: ValueList<T>) -> Option<ValueList<T>> {
    match comparison(op, values)? {
        Comparison::OneOf(v) => Some(v),
        _ => None,
    }
}

/// Types the values of one condition, recording one error per bad value.
struct Typer<'a> {
    attribute: &'a str,
    expected: ValueType,
    errors: &'a mut Vec<ValidationError>,
}

impl Typer<'_> {
    /// The typed predicate of `cond` on `field`, recording one error per
    /// bad value; `None` when the operator has no meaning for the field's
    /// type (a matrix that allows such a pair is refused here, with the
    /// operator's span).
    fn predicate(&mut self, field: TypedField, cond: &Condition<'_>) -> Option<Predicate> {
        let op = cond.op;
        let values = &cond.values;
        let before = self.errors.len();
        let predicate = match field {
            _ if op == Op::IsNull => Some(Predicate::IsNull(field)),
            TypedField::Uuid(a) => {
                comparison(op, self.all(values, parse_uuid)).map(|c| Predicate::Uuid(a, c))
            }
            TypedField::Instant(a) => {
                comparison(op, self.all(values, parse_instant)).map(|c| Predicate::Instant(a, c))
            }
            TypedField::Text(a) => {
                let first = || values.first().map_or("", |v| &v.text);
                let test = match op {
                    Op::Like => Some(TextTest::Like(Box::new(Pattern::new(first())))),
                    Op::Ilike => Some(TextTest::Ilike(Box::new(Pattern::new(
                        &first().to_lowercase(),
                    )))),
                    Op::Text => Some(TextTest::Search(TextQuery::new(first()))),
                    _ => comparison(op, self.all(values, |s| Some(Box::<str>::from(s))))
                        .map(TextTest::Compare),
                };
                test.map(|t| Predicate::Text(a, t))
            }
            TypedField::Status => {
                one_of(op, self.all(values, |s| s.parse().ok())).map(Predicate::Status)
            }
            TypedField::CommodityType => {
                one_of(op, self.all(values, |s| s.parse().ok())).map(Predicate::CommodityType)
            }
            TypedField::Owner => {
                one_of(op, self.all(values, |s| s.parse().ok())).map(Predicate::Owner)
            }
            TypedField::ProductTypes => {
                match comparison(op, self.all(values, |s| s.parse().ok())) {
                    Some(Comparison::OneOf(v)) => Some(Predicate::ProductTypes(Members::Any(v))),
                    Some(Comparison::All(v)) => Some(Predicate::ProductTypes(Members::All(v))),
                    _ => None,
                }
            }
            TypedField::HasNodes => {
                one_of(op, self.all(values, |s| (s == "false").then_some(false)))
                    .and_then(|v| v.first().copied())
                    .map(Predicate::HasNodes)
            }
        };
        if predicate.is_none() && self.errors.len() == before {
            self.errors.push(ValidationError::new(
                ValidationErrorKind::UnsupportedOperator {
                    op,
                    attribute: self.attribute.to_owned(),
                    supported: crate::schema::OpSet::EMPTY,
                },
                cond.op_span,
            ));
        }
        predicate
    }

    fn all<T>(&mut self, values: &[Value<'_>], parse: impl Fn(&str) -> Option<T>) -> ValueList<T> {
        let mut out = ValueList::new();
        for v in values {
            if let Some(t) = self.one(v, &parse) {
                out.push(t);
            }
        }
        out
    }

    fn one<T>(&mut self, v: &Value<'_>, parse: impl Fn(&str) -> Option<T>) -> Option<T> {
        let t = parse(&v.text);
        if t.is_none() {
            self.errors.push(ValidationError::new(
                ValidationErrorKind::InvalidValue {
                    attribute: self.attribute.to_owned(),
                    value: v.text.to_string(),
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
