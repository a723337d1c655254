//! The second stage: a parsed [`Filter`] becomes a [`ValidFilter`] only if
//! every operator/attribute pair is allowed by a [`Schema`] and every value
//! has the attribute's type and follows its value rules.
//!
//! A [`ValidFilter`] is a tree of typed predicates ([`ValidExpr`],
//! [`Predicate`]): each condition names a schema attribute (by index, with
//! its canonical path when patterned or aliased) and a test on values of the
//! attribute's type (`like` holds a compiled [`LikePattern`], comparisons typed
//! values), so evaluation and SQL rendering have no impossible cases. It
//! keeps the schema (a cheap clone) and the canonical text for `Display`
//! (written on first use from a copy of the input when compiled from
//! text), and borrows nothing from the input.
//!
//! Validation reports every problem at once ([`ValidationErrors`]), each
//! with a kind and the span of the offending operator, attribute, value,
//! group or condition ([`ValidationErrorKind`] says what each span covers).
//! [`crate::compile()`] (detach_nodes) and [`Schema::compile`] (any
//! schema), in a later stage, are the entry points most users need: byte
//! limit, then parse, then validate.
//!
//! Per condition: an operator the schema never allows, an unknown or
//! malformed attribute, or an operator the attribute does not allow, is
//! that condition's only error (its values have no type to be checked
//! against); otherwise every bad value is one error, plus one for a wrong
//! number of values and one for the `in` limit. The condition limit (over
//! the whole tree) is one error at the first condition over it; the
//! conditions beyond it are still checked, so one round trip shows every
//! problem. A schema without OR groups refuses each `Or` node (and still
//! checks the conditions inside it); one with them caps the filter's
//! complexity (a cap of 0 is no cap).
//!
//! ```
//! use catalog_filter::validate::{Comparison, Predicate, TextTest};
//! let f = catalog_filter::compile("eq(status,live):in(sku,a-1,b-2)").unwrap();
//! let c = f.conditions().next().unwrap();
//! assert_eq!(c.field().path(), "status");
//! assert_eq!(
//!     c.predicate(),
//!     &Predicate::Text(TextTest::Compare(Comparison::OneOf(vec!["live".into()].into())))
//! );
//! assert_eq!(f.to_string(), "eq(status,live):in(sku,a-1,b-2)");
//! ```

use crate::limits::Limits;
mod error;
mod fused;

pub use crate::pattern::{LikePattern, PatternKind};
pub use crate::search::TextQuery;
pub use crate::short::ShortStr;
pub use crate::syntax::ValueList;
pub use error::{Expected, FilterTooLong, ValidationError, ValidationErrorKind, ValidationErrors};
pub(crate) use fused::compile_conjunction;

use crate::schema::Decimal;
use crate::schema::{AttributeRef, ResolveError, ValueType};
use crate::schema::{OpSet, Schema, parse_instant, parse_uuid};
use crate::syntax::{Condition, Expr, Filter, Op, Span, Value};
use chrono::{DateTime, Utc};
use std::fmt::{self, Write as _};
use std::sync::OnceLock;
use uuid::Uuid;

/// A filter that passed validation against a [`Schema`]: a tree of typed
/// predicates, the schema, and the canonical text of the filter (written
/// on first use when compiled from text).
///
/// Build one with [`crate::compile()`] (the detach_nodes schema),
/// [`Schema::compile`] (any schema) or a [`crate::Compiler`] (other
/// limits); `str::parse` and serde compile as [`crate::compile()`] does. `Display` prints the canonical form
/// of the filter (the original value texts, not the typed values). A
/// `ValidFilter` is never empty: it has at least one condition.
#[derive(Clone)]
pub struct ValidFilter {
    schema: Schema,
    /// The canonical text, written on first use from `source` (or at once
    /// for a filter validated from a tree, which has no source).
    canonical: OnceLock<Box<str>>,
    /// The filter's text as given (without surrounding spaces), when
    /// `canonical` is written lazily; empty otherwise.
    source: Box<str>,
    expr: ValidExpr,
}

impl fmt::Debug for ValidFilter {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ValidFilter")
            .field("schema", &self.schema)
            .field("canonical", &self.as_str())
            .field("expr", &self.expr)
            .finish()
    }
}

impl PartialEq for ValidFilter {
    /// Same schema and same canonical text (the tree follows from them).
    fn eq(&self, other: &ValidFilter) -> bool {
        self.as_str() == other.as_str()
            && (self.schema.same(&other.schema) || self.schema == other.schema)
    }
}

impl Eq for ValidFilter {}

impl std::hash::Hash for ValidFilter {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.as_str().hash(state);
    }
}

impl ValidFilter {
    /// The tree of typed predicates.
    pub fn expr(&self) -> &ValidExpr {
        &self.expr
    }

    /// The schema the filter was validated against.
    pub fn schema(&self) -> &Schema {
        &self.schema
    }

    /// The conditions of the tree, left to right (depth first), each with
    /// its attribute.
    pub fn conditions(&self) -> impl Iterator<Item = ConditionRef<'_>> {
        let mut stack = vec![&self.expr];
        std::iter::from_fn(move || {
            while let Some(e) = stack.pop() {
                match e {
                    ValidExpr::Condition(c) => {
                        return Some(ConditionRef {
                            schema: &self.schema,
                            condition: c,
                        });
                    }
                    ValidExpr::And(terms) | ValidExpr::Or(terms) => {
                        stack.extend(terms.iter().rev())
                    }
                }
            }
            None
        })
    }

    /// The attribute a condition of this filter names.
    pub fn attribute<'a>(&'a self, condition: &'a ValidCondition) -> Option<AttributeRef<'a>> {
        condition.attribute_in(&self.schema)
    }

    /// The canonical form of the filter (what `Display` prints).
    ///
    /// Computed on first use (and kept) for a filter compiled from text:
    /// compiling does not pay for printing.
    pub fn as_str(&self) -> &str {
        self.canonical.get_or_init(|| canonical_of(&self.source))
    }
}

/// The canonical text of `source`, a filter that parsed and validated.
/// Parsed again without a depth limit: its depth was within the limit it
/// was validated under, which also bounds the printer's recursion.
#[cold]
fn canonical_of(source: &str) -> Box<str> {
    let limits = Limits {
        max_depth: usize::MAX,
        ..Limits::DEFAULT
    };
    match crate::syntax::parse_with(source, &limits) {
        Ok(filter) => {
            let mut canonical = String::with_capacity(source.len() + 16);
            write_canonical(&mut canonical, &filter.expr, false);
            canonical.into_boxed_str()
        }
        // Not reached: `source` parsed before.
        Err(_) => source.into(),
    }
}

impl fmt::Display for ValidFilter {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
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

/// One validated condition: an operator, the schema attribute it names and
/// a typed predicate.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct ValidCondition {
    op: Op,
    attribute: usize,
    /// The canonical path when it is not the attribute's pattern (inline
    /// when short).
    path: Option<ShortStr>,
    predicate: Predicate,
    span: Span,
}

impl ValidCondition {
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

    /// The attribute in `schema`, which must be the filter's schema.
    pub(crate) fn attribute_in<'a>(&'a self, schema: &'a Schema) -> Option<AttributeRef<'a>> {
        schema
            .attribute_at(self.attribute)
            .map(|a| AttributeRef::new(a, self.path.as_ref().map(ShortStr::as_str)))
    }
}

/// A condition of a [`ValidFilter`] with its attribute resolved; see
/// [`ValidFilter::conditions`].
#[derive(Clone, Copy, Debug)]
pub struct ConditionRef<'f> {
    schema: &'f Schema,
    condition: &'f ValidCondition,
}

impl<'f> ConditionRef<'f> {
    /// The attribute (`Display` prints its canonical path).
    pub fn field(&self) -> AttributeRef<'f> {
        // The index comes from this schema's lookup, so it is present; the
        // fallback keeps this total.
        self.condition
            .attribute_in(self.schema)
            .unwrap_or_else(|| AttributeRef::new(&EMPTY_ATTRIBUTE, Some("")))
    }

    /// The operator as written.
    pub fn op(&self) -> Op {
        self.condition.op
    }

    /// What the condition tests.
    pub fn predicate(&self) -> &'f Predicate {
        &self.condition.predicate
    }

    /// The condition's span in the filter text.
    pub fn span(&self) -> Span {
        self.condition.span
    }

    /// The stored condition.
    pub fn condition(&self) -> &'f ValidCondition {
        self.condition
    }
}

/// Stands in for a missing attribute (never reached; see
/// [`ConditionRef::field`]).
static EMPTY_ATTRIBUTE: std::sync::LazyLock<crate::schema::AttributeDef> =
    std::sync::LazyLock::new(crate::schema::AttributeDef::placeholder);

/// What one condition tests, on values of the attribute's type. A list
/// attribute passes when any of its elements does (`All` tests: when every
/// value is an element).
///
/// | value type | predicate |
/// |---|---|
/// | text, text list, enum, enum list | [`Predicate::Text`] |
/// | integer, decimal | [`Predicate::Number`] |
/// | boolean | [`Predicate::Bool`] |
/// | UUID | [`Predicate::Uuid`] |
/// | instant | [`Predicate::Instant`] |
/// | any, `is_null` | [`Predicate::IsNull`] |
///
/// New variants may be added in minor versions, with new value types.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Predicate {
    /// A text test (text, text list, and the enumerations).
    Text(TextTest),
    /// Numbers compared exactly (integer and decimal attributes).
    Number(Comparison<Decimal>),
    /// Booleans (only `OneOf` / `All`).
    Bool(Comparison<bool>),
    /// UUIDs compared by their 128-bit value.
    Uuid(Comparison<Uuid>),
    /// Instants (normalised to UTC).
    Instant(Comparison<DateTime<Utc>>),
    /// `is_null`: the attribute has no value (absent, JSON null, or an
    /// empty list).
    IsNull,
}

impl Predicate {
    /// How many values the predicate compares with: 0 for `is_null`, 1 for
    /// `like`, `ilike`, `text` and the orderings.
    pub fn value_count(&self) -> usize {
        fn count<T>(c: &Comparison<T>) -> usize {
            match c {
                Comparison::OneOf(v) | Comparison::All(v) => v.len(),
                Comparison::Gt(_) | Comparison::Ge(_) | Comparison::Lt(_) | Comparison::Le(_) => 1,
            }
        }
        match self {
            Predicate::Text(TextTest::Compare(c)) => count(c),
            Predicate::Text(TextTest::Like(_) | TextTest::Ilike(_) | TextTest::Search(_)) => 1,
            Predicate::Number(c) => count(c),
            Predicate::Bool(c) => count(c),
            Predicate::Uuid(c) => count(c),
            Predicate::Instant(c) => count(c),
            Predicate::IsNull => 0,
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

/// A test on a text value.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum TextTest {
    /// Exact, bytewise comparisons (values inline when short).
    Compare(Comparison<ShortStr>),
    /// `like`: a case-sensitive wildcard pattern.
    Like(LikePattern),
    /// `ilike`: the pattern, lower-cased, against the lower-cased value.
    Ilike(LikePattern),
    /// `text`: full-text search.
    Search(TextQuery),
}

/// The detach_nodes schema ([`Schema::detach_nodes`]), built once per
/// process; what [`crate::compile()`] checks against.
pub(crate) fn detach_nodes() -> &'static Schema {
    &crate::schema::presets::DETACH_NODES
}

/// Validates a parsed filter against `schema` and `limits`, reporting every
/// problem ([`crate::Compiler::validate`]).
pub(crate) fn validate_for(
    filter: &Filter<'_>,
    schema: &Schema,
    limits: &Limits,
) -> Result<ValidFilter, ValidationErrors> {
    let expr = check(filter, schema, limits)?;
    // The canonical form is at most a few bytes longer than the input
    // (quotes added); one allocation in the common case.
    let mut canonical = String::with_capacity(filter.span.len() + 16);
    write_canonical(&mut canonical, &filter.expr, false);
    Ok(ValidFilter {
        schema: schema.clone(),
        canonical: OnceLock::from(canonical.into_boxed_str()),
        source: Box::default(),
        expr,
    })
}

/// [`validate_for`] of `filter`, parsed from `source` with `limits`: the
/// canonical text is not written now but on first use, from `source`
/// (compiling is several times more frequent than printing).
pub(crate) fn validate_source(
    filter: &Filter<'_>,
    source: &str,
    schema: &Schema,
    limits: &Limits,
) -> Result<ValidFilter, ValidationErrors> {
    let expr = check(filter, schema, limits)?;
    Ok(ValidFilter {
        schema: schema.clone(),
        canonical: OnceLock::new(),
        source: source.get(filter.span.range()).unwrap_or(source).into(),
        expr,
    })
}

/// The typed tree of `filter`, or every problem.
fn check(
    filter: &Filter<'_>,
    schema: &Schema,
    limits: &Limits,
) -> Result<ValidExpr, ValidationErrors> {
    let mut checker = Checker::new(schema, limits);
    let (expr, complexity) = checker.expr(&filter.expr, 0);
    if schema.allow_or() && limits.max_complexity != 0 && complexity > limits.max_complexity {
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
        (None, Some(expr)) => Ok(expr),
        (Some(errors), _) => Err(errors),
        // Every `None` node pushes an error first, so this is not reached;
        // answering with the depth error keeps the function total.
        (None, None) => Err(ValidationErrors::one(ValidationError::new(
            ValidationErrorKind::TooDeep {
                limit: limits.depth(),
            },
            filter.span,
        ))),
    }
}

/// Appends the canonical form of `e` to `out`: the same text as
/// `Display` for [`Expr`] (which it falls back to for values written
/// quoted), without the formatting machinery. `in_or` is true for an
/// alternative of an `Or` (printed without parentheses). Recursion is
/// bounded by the depth limit: only validated trees are printed.
fn write_canonical(out: &mut String, e: &Expr<'_>, in_or: bool) {
    match e {
        Expr::Condition(c) => {
            out.push_str(c.op.as_str());
            out.push('(');
            out.push_str(c.attribute.path);
            for v in &c.values {
                out.push(',');
                let text = &*v.text;
                if prints_bare(text) {
                    out.push_str(text);
                } else {
                    let _ = write!(out, "{v}");
                }
            }
            out.push(')');
        }
        Expr::And(g) => match g.terms.as_slice() {
            [one] => write_canonical(out, one, in_or),
            terms => {
                for (n, term) in terms.iter().enumerate() {
                    if n > 0 {
                        out.push(':');
                    }
                    write_canonical(out, term, false);
                }
            }
        },
        Expr::Or(g) => match g.terms.as_slice() {
            [one] => write_canonical(out, one, in_or),
            alts => {
                if !in_or {
                    out.push('(');
                }
                for (n, alt) in alts.iter().enumerate() {
                    if n > 0 {
                        out.push('|');
                    }
                    write_canonical(out, alt, true);
                }
                if !in_or {
                    out.push(')');
                }
            }
        },
    }
}

/// True when `Display` prints `text` bare (without quotes): a subset of
/// the grammar's bare characters (ASCII letters and digits, `-_.*@$+:/`
/// and inner spaces), non-empty. A text outside the subset is printed by
/// `Display` itself, so this only has to be conservative.
fn prints_bare(text: &str) -> bool {
    !text.is_empty()
        && !text.starts_with(' ')
        && !text.ends_with(' ')
        && text.bytes().all(|b| {
            b.is_ascii_alphanumeric()
                || matches!(
                    b,
                    b'-' | b'_' | b'.' | b'*' | b'@' | b'$' | b'+' | b':' | b'/' | b' '
                )
        })
}

/// The complexity of one condition (see [`Limits::max_complexity`]).
const LEAF: usize = 1;

/// Walks the tree, collecting problems.
struct Checker<'m> {
    schema: &'m Schema,
    /// Every operator the schema allows, computed once.
    all_operators: OpSet,
    limits: &'m Limits,
    errors: Vec<ValidationError>,
    conditions: usize,
}

impl<'m> Checker<'m> {
    /// A checker of filters against `schema` under `limits`, with no
    /// problems and no conditions seen yet.
    fn new(schema: &'m Schema, limits: &'m Limits) -> Checker<'m> {
        Checker {
            schema,
            all_operators: schema.operators(),
            limits,
            errors: Vec::new(),
            conditions: 0,
        }
    }

    /// The typed node and its complexity (saturating), or `None` after
    /// pushing at least one error. Recursion is bounded by the depth limit:
    /// a node deeper than it is refused without being entered (the parser
    /// never builds one; a hand-built tree might).
    fn expr(&mut self, e: &Expr<'_>, depth: usize) -> (Option<ValidExpr>, usize) {
        match e {
            Expr::Condition(c) => (self.leaf(c), LEAF),
            Expr::And(g) | Expr::Or(g) => {
                if depth > self.limits.depth() {
                    self.errors.push(ValidationError::new(
                        ValidationErrorKind::TooDeep {
                            limit: self.limits.depth(),
                        },
                        g.span,
                    ));
                    return (None, usize::MAX);
                }
                if g.terms.is_empty() {
                    // Only a hand-built tree: a `ValidFilter` is never empty.
                    self.errors
                        .push(ValidationError::new(ValidationErrorKind::Empty, g.span));
                    return (None, 0);
                }
                let is_or = matches!(e, Expr::Or(_));
                if is_or && !self.schema.allow_or() {
                    self.errors.push(ValidationError::new(
                        ValidationErrorKind::OrNotSupported {
                            schema: self.schema.name().to_owned(),
                        },
                        g.span,
                    ));
                }
                let mut ok = true;
                let mut terms = Vec::with_capacity(g.terms.len());
                let mut complexity: usize = if is_or { 0 } else { 1 };
                for term in &g.terms {
                    // A condition (the common term) is checked here, without
                    // a level of recursion.
                    let (t, c) = match term {
                        Expr::Condition(cond) => (self.leaf(cond), LEAF),
                        _ => self.expr(term, depth + 1),
                    };
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

    /// A condition as a node of the tree, counted.
    #[inline]
    fn leaf(&mut self, c: &Condition<'_>) -> Option<ValidExpr> {
        self.conditions = self.conditions.saturating_add(1);
        self.condition(c, ValidExpr::Condition)
    }

    /// Validates one condition, pushing its problems; when it has none,
    /// `Some` of what `sink` makes of the typed condition. (The sink runs
    /// here, so that the condition is built where it goes, not moved there.)
    fn condition<R>(
        &mut self,
        cond: &Condition<'_>,
        sink: impl FnOnce(ValidCondition) -> R,
    ) -> Option<R> {
        let errors = &mut self.errors;
        let all = self.all_operators;
        if !all.contains(cond.op) {
            errors.push(ValidationError::new(
                ValidationErrorKind::OperatorNotSupported {
                    op: cond.op,
                    schema: self.schema.name().to_owned(),
                    supported: all,
                },
                cond.op_span,
            ));
            return None;
        }
        let attr = &cond.attribute;
        let Some((index, path)) = self.schema.lookup(attr.path) else {
            let kind = match self.schema.resolve(attr.path) {
                Err(ResolveError::Shape { expected, .. }) => {
                    ValidationErrorKind::MalformedAttribute {
                        found: attr.path.to_owned(),
                        expected,
                    }
                }
                Err(ResolveError::Unknown { suggestion, .. }) => {
                    ValidationErrorKind::UnknownAttribute {
                        found: attr.path.to_owned(),
                        suggestion,
                    }
                }
                // `lookup` and `resolve` agree; keep this total.
                Ok(_) => ValidationErrorKind::UnknownAttribute {
                    found: attr.path.to_owned(),
                    suggestion: None,
                },
            };
            errors.push(ValidationError::new(kind, attr.span));
            return None;
        };
        let attribute = self.schema.attribute_at(index)?;
        let ops = attribute.operators();
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
        // A patterned attribute keeps its canonical path (the written one,
        // or an alias's target).
        let path = match path {
            Some(p) => Some(ShortStr::new(&p)),
            None if !attribute.path_pattern().is_exact() => Some(ShortStr::new(attr.path)),
            None => None,
        };
        let mut typer = Typer {
            attribute: attr.path,
            value_type: attribute.value_type(),
            rules: attribute.rules(),
            errors,
        };
        let predicate = typer.predicate(cond);
        if typer.errors.len() != before {
            return None;
        }
        Some(sink(ValidCondition {
            op: cond.op,
            attribute: index,
            path,
            predicate: predicate?,
            span: cond.span,
        }))
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

/// Types the values of one condition, recording one error per bad value.
struct Typer<'a> {
    attribute: &'a str,
    value_type: &'a ValueType,
    rules: &'a crate::schema::ValueRules,
    errors: &'a mut Vec<ValidationError>,
}

impl Typer<'_> {
    /// The typed predicate of `cond`, recording one error per bad value;
    /// `None` when the operator has no meaning for the type (a schema never
    /// allows such a pair; refused here with the operator's span to stay
    /// total).
    fn predicate(&mut self, cond: &Condition<'_>) -> Option<Predicate> {
        let op = cond.op;
        let values = &cond.values;
        let before = self.errors.len();
        let predicate = match self.value_type {
            _ if op == Op::IsNull => Some(Predicate::IsNull),
            ValueType::Uuid => comparison(op, self.all(values, parse_uuid)).map(Predicate::Uuid),
            ValueType::Instant => {
                comparison(op, self.all(values, parse_instant)).map(Predicate::Instant)
            }
            ValueType::Integer => {
                comparison(op, self.all(values, parse_integer)).map(Predicate::Number)
            }
            ValueType::Decimal => {
                comparison(op, self.all(values, Decimal::parse)).map(Predicate::Number)
            }
            ValueType::Boolean => comparison(op, self.all(values, parse_bool)).map(Predicate::Bool),
            ValueType::Enum(allowed) | ValueType::EnumList(allowed) => comparison(
                op,
                self.all(values, |s| {
                    allowed.iter().any(|a| a == s).then(|| ShortStr::new(s))
                }),
            )
            .map(|c| Predicate::Text(TextTest::Compare(c))),
            ValueType::Text | ValueType::TextList => {
                let first = || values.first().map_or("", |v| &v.text);
                let test = match op {
                    Op::Like => {
                        self.check_rules(values);
                        Some(TextTest::Like(LikePattern::new(first())))
                    }
                    Op::Ilike => {
                        self.check_rules(values);
                        Some(TextTest::Ilike(LikePattern::new(&crate::pg_ctype::lower(
                            first(),
                        ))))
                    }
                    Op::Text => {
                        self.check_rules(values);
                        Some(TextTest::Search(TextQuery::new(first())))
                    }
                    _ => comparison(op, self.all(values, |s| Some(ShortStr::new(s))))
                        .map(TextTest::Compare),
                };
                test.map(Predicate::Text)
            }
        };
        if predicate.is_none() && self.errors.len() == before {
            self.errors.push(ValidationError::new(
                ValidationErrorKind::UnsupportedOperator {
                    op,
                    attribute: self.attribute.to_owned(),
                    supported: OpSet::EMPTY,
                },
                cond.op_span,
            ));
        }
        predicate
    }

    /// The value rules (`one_of`, lengths) of values that are not typed
    /// further (`like`, `ilike`, `text` operands): only the lengths apply.
    fn check_rules(&mut self, values: &[Value<'_>]) {
        for v in values {
            if let Some(expected) = self.length_problem(&v.text) {
                self.push_invalid(v, expected);
            }
        }
    }

    fn length_problem(&self, text: &str) -> Option<Expected> {
        let (min, max) = (self.rules.min_len, self.rules.max_len);
        if min.is_none() && max.is_none() {
            return None;
        }
        let n = text.chars().count();
        match (min, max) {
            (Some(min), _) if n < min => Some(Expected::MinLen(min)),
            (_, Some(max)) if n > max => Some(Expected::MaxLen(max)),
            _ => None,
        }
    }

    fn push_invalid(&mut self, v: &Value<'_>, expected: Expected) {
        self.errors.push(ValidationError::new(
            ValidationErrorKind::InvalidValue {
                attribute: self.attribute.to_owned(),
                value: v.text.to_string(),
                expected,
            },
            v.span,
        ));
    }

    fn all<T>(&mut self, values: &[Value<'_>], parse: impl Fn(&str) -> Option<T>) -> ValueList<T> {
        // The count is known: one value is stored inline, more in one
        // vector of the right size.
        if let [one] = values {
            return self
                .one(one, &parse)
                .map_or_else(ValueList::new, ValueList::one);
        }
        let mut out = Vec::with_capacity(values.len());
        for v in values {
            if let Some(t) = self.one(v, &parse) {
                out.push(t);
            }
        }
        ValueList::from(out)
    }

    fn one<T>(&mut self, v: &Value<'_>, parse: impl Fn(&str) -> Option<T>) -> Option<T> {
        // `one_of` values are values of the type, so it is checked first
        // and says the most.
        if let Some(one_of) = &self.rules.one_of {
            if !one_of.iter().any(|x| *x == *v.text) {
                self.push_invalid(v, Expected::OneOf(one_of.clone()));
                return None;
            }
        }
        let Some(t) = parse(&v.text) else {
            let expected = Expected::Type(self.value_type.clone());
            self.push_invalid(v, expected);
            return None;
        };
        if let Some(expected) = self.length_problem(&v.text) {
            self.push_invalid(v, expected);
            return None;
        }
        Some(t)
    }
}

/// A signed 64-bit integer in decimal (`-12`; no `+`, no spaces), as a
/// [`Decimal`].
fn parse_integer(s: &str) -> Option<Decimal> {
    if s.starts_with('+') {
        return None;
    }
    s.parse::<i64>().ok()?;
    Decimal::parse(s)
}

/// `true` or `false`, lower case.
fn parse_bool(s: &str) -> Option<bool> {
    match s {
        "true" => Some(true),
        "false" => Some(false),
        _ => None,
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

    /// The direct reading of `YYYY-MM-DDTHH:MM:SSZ` agrees with chrono's
    /// RFC 3339 reading, on valid, edge and invalid instants.
    #[test]
    fn common_instants_read_as_chrono_reads_them() {
        for s in [
            "2024-01-01T00:00:00Z",
            "2024-02-29T23:59:59Z",
            "2023-02-29T00:00:00Z",
            "2016-12-31T23:59:60Z",
            "2024-01-01T24:00:00Z",
            "2024-01-01T00:60:00Z",
            "2024-13-01T00:00:00Z",
            "0000-01-01T00:00:00Z",
            "9999-12-31T23:59:59Z",
            "2024-01-01T0a:00:00Z",
            "2024-01-01t00:00:00Z",
            "2024-01-01T00:00:00z",
            "2024-01-01T00:00:00.5Z",
        ] {
            let chrono = DateTime::parse_from_rfc3339(s)
                .ok()
                .map(|t| t.with_timezone(&Utc));
            assert_eq!(parse_instant(s), chrono, "{s}");
        }
        assert_eq!(
            parse_instant("2024-03-04T05:06:07Z"),
            Utc.with_ymd_and_hms(2024, 3, 4, 5, 6, 7).single()
        );
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
