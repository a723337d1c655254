//! Errors of validation: the byte limit, and every problem with a filter's
//! meaning, each with the span it concerns.

use crate::diagnostic::render_diagnostic;
use crate::schema::Decimal;
use crate::schema::OpSet;
use crate::schema::ValueType;
use crate::syntax::{Arity, Op, Span};
use std::fmt;

/// A filter longer than [`Limits::max_filter_bytes`](crate::Limits), refused
/// before parsing. Its span is the empty span at offset 0.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, thiserror::Error)]
#[error("the filter is {len} bytes long, over the limit of {limit} bytes")]
pub struct FilterTooLong {
    /// The filter's length in bytes.
    pub len: usize,
    /// The limit in bytes.
    pub limit: usize,
}

impl FilterTooLong {
    /// Always `0..0`: the error is about the filter as a whole.
    pub const fn span(&self) -> Span {
        Span::new(0, 0)
    }
}

/// One problem found by validation: a kind and the span it concerns.
#[derive(Clone, Debug, PartialEq, Eq, Hash, thiserror::Error)]
#[error("{kind}")]
pub struct ValidationError {
    kind: ValidationErrorKind,
    span: Span,
}

impl ValidationError {
    /// Creates an error of `kind` at `span`.
    pub fn new(kind: ValidationErrorKind, span: Span) -> ValidationError {
        ValidationError { kind, span }
    }

    /// What went wrong.
    pub fn kind(&self) -> &ValidationErrorKind {
        &self.kind
    }

    /// The bytes of the filter the error is about (see the kind's docs).
    pub fn span(&self) -> Span {
        self.span
    }

    /// Renders the error with the filter and a caret line under the span.
    pub fn render(&self, input: &str) -> String {
        render_diagnostic(input, self.span, &self.to_string())
    }
}

/// The kinds of validation error. New kinds may be added in minor versions.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ValidationErrorKind {
    /// An attribute that is not in the schema. Span: the attribute operand.
    UnknownAttribute {
        /// The attribute path as written (quotes removed).
        found: String,
        /// The nearest known attribute, when one is close enough.
        suggestion: Option<String>,
    },
    /// A known attribute name with the wrong number of segments, such as
    /// `extensions.book` or `sku.x`. Span: the attribute operand.
    MalformedAttribute {
        /// The attribute path as written.
        found: String,
        /// The pattern it must follow (`extensions.<template>.<field>`).
        expected: String,
    },
    /// An operator the attribute does not support. Span: the attribute operand.
    UnsupportedOperator {
        /// The operator.
        op: Op,
        /// The attribute path.
        attribute: String,
        /// The operators the attribute supports.
        supported: OpSet,
    },
    /// A value that does not have the attribute's type. Span: the value.
    InvalidValue {
        /// The attribute path.
        attribute: String,
        /// The value's text.
        value: String,
        /// What the value must be.
        expected: ExpectedValue,
    },
    /// An operator given the wrong number of values (only possible for a
    /// hand-built [`Filter`](crate::syntax::Filter): the parser refuses these
    /// itself). Span: the first value too many, or the condition when there
    /// is no value.
    WrongArity {
        /// The operator.
        op: Op,
        /// The attribute path.
        attribute: String,
        /// How many values were given.
        found: usize,
        /// True when the attribute supports `in`, to suggest it.
        in_supported: bool,
    },
    /// More conditions (in the whole tree) than
    /// [`Limits::max_conditions`](crate::Limits). Span: the first condition
    /// over the limit, left to right.
    TooManyConditions {
        /// The number of conditions.
        found: usize,
        /// The limit.
        limit: usize,
    },
    /// An OR group, against a schema that has none. Span: the group, from
    /// `(` to `)`.
    OrNotSupported {
        /// The schema's name (`detach_nodes`).
        schema: String,
    },
    /// An operator the schema allows for no attribute at all. Span: the
    /// operator.
    OperatorNotSupported {
        /// The operator.
        op: Op,
        /// The schema's name (`detach_nodes`).
        schema: String,
        /// Every operator the schema allows.
        supported: OpSet,
    },
    /// A filter whose "effective index intersection count" (a condition 1,
    /// an AND the product of its terms, an OR the sum of its alternatives)
    /// is over [`Limits::max_complexity`](crate::Limits) (0: no cap). Only for
    /// schemas with OR groups. Span: the whole filter.
    TooComplex {
        /// The filter's complexity (saturating).
        found: usize,
        /// The limit.
        limit: usize,
    },
    /// A hand-built tree nested deeper than
    /// [`Limits::max_depth`](crate::Limits) (the parser refuses such input
    /// itself). Span: the first node too deep.
    TooDeep {
        /// The limit.
        limit: usize,
    },
    /// A group (or a whole filter) without terms: only possible in a
    /// hand-built [`Filter`](crate::syntax::Filter), the parser refuses
    /// `()` and the empty filter itself. Span: the group.
    Empty,
    /// More values in one condition than
    /// [`Limits::max_in_values`](crate::Limits). Span: the first value over
    /// the limit.
    TooManyValues {
        /// The number of values.
        found: usize,
        /// The limit.
        limit: usize,
    },
}

impl fmt::Display for ValidationErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ValidationErrorKind::UnknownAttribute { found, suggestion } => {
                write!(f, "unknown attribute `{}`", found.escape_debug())?;
                match suggestion {
                    Some(s) => write!(f, "; did you mean `{s}`?"),
                    None => Ok(()),
                }
            }
            ValidationErrorKind::MalformedAttribute { found, expected } => write!(
                f,
                "`{}` is not a valid attribute; expected `{expected}`",
                found.escape_debug()
            ),
            ValidationErrorKind::UnsupportedOperator {
                op,
                attribute,
                supported,
            } => write!(
                f,
                "operator `{op}` is not supported for `{attribute}`; supported: {supported}"
            ),
            ValidationErrorKind::InvalidValue {
                attribute,
                value,
                expected,
            } => write!(
                f,
                "invalid value `{}` for `{attribute}`: {expected}",
                value.escape_debug()
            ),
            ValidationErrorKind::WrongArity {
                op,
                attribute,
                found,
                in_supported,
            } => {
                if op.arity() == Arity::None {
                    write!(f, "`{op}({attribute})` takes no value, found {found}")
                } else if op.takes_many() {
                    write!(
                        f,
                        "`{op}({attribute},...)` takes one or more values, found {found}"
                    )
                } else {
                    write!(
                        f,
                        "`{op}({attribute},...)` takes exactly one value, found {found}"
                    )?;
                    if *in_supported {
                        write!(f, "; use `in({attribute},...)` to match any of several")?;
                    }
                    Ok(())
                }
            }
            ValidationErrorKind::TooManyConditions { found, limit } => write!(
                f,
                "too many conditions: {found}, the limit is {limit} conditions per filter"
            ),
            ValidationErrorKind::OrNotSupported { schema } => {
                write!(f, "OR groups are not supported by {schema}")
            }
            ValidationErrorKind::OperatorNotSupported {
                op,
                schema,
                supported,
            } => write!(
                f,
                "operator `{op}` is not supported by {schema}; supported: {supported}"
            ),
            ValidationErrorKind::TooComplex { found, limit } => write!(
                f,
                "the filter is too complex: {found} index intersections (a condition counts 1, `:` multiplies, `|` adds), the limit is {limit}"
            ),
            ValidationErrorKind::Empty => {
                f.write_str("a group needs at least one condition; an empty filter matches nothing")
            }
            ValidationErrorKind::TooDeep { limit } => {
                write!(f, "groups nested too deeply: the limit is {limit} levels")
            }
            ValidationErrorKind::TooManyValues { found, limit } => write!(
                f,
                "too many values: {found}, the limit is {limit} values per condition"
            ),
        }
    }
}

/// What a value must be, in an [`ValidationErrorKind::InvalidValue`].
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ExpectedValue {
    /// A value of the attribute's type.
    Type(ValueType),
    /// One of these values (the attribute's `one_of` rule).
    OneOf(Vec<String>),
    /// At least this many characters (`min_len`).
    MinLen(usize),
    /// At most this many characters (`max_len`).
    MaxLen(usize),
    /// A number less than this (`lt`). On text, `lt` and `le` are length
    /// rules, reported as [`ExpectedValue::MaxLen`] (`gt`, `ge` as
    /// [`ExpectedValue::MinLen`]) with the tightest length.
    LessThan(Decimal),
    /// A number at most this (`le`).
    AtMost(Decimal),
    /// A number greater than this (`gt`).
    GreaterThan(Decimal),
    /// A number at least this (`ge`).
    AtLeast(Decimal),
    /// An email address (`email`).
    Email,
    /// A value that does not contain this text (`excludes`).
    Excludes(String),
}

impl fmt::Display for ExpectedValue {
    /// The part after the value in the message: `expected one of draft,
    /// live`, `only `false` is supported`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ExpectedValue::Type(t) => write!(f, "expected {}", t.expected()),
            ExpectedValue::OneOf(v) if v.len() == 1 => {
                write!(f, "only `{}` is supported", v.join(""))
            }
            ExpectedValue::OneOf(v) => write!(f, "expected one of {}", v.join(", ")),
            ExpectedValue::MinLen(n) => write!(f, "expected at least {n} characters"),
            ExpectedValue::MaxLen(n) => write!(f, "expected at most {n} characters"),
            ExpectedValue::LessThan(n) => write!(f, "expected a number less than {n}"),
            ExpectedValue::AtMost(n) => write!(f, "expected a number at most {n}"),
            ExpectedValue::GreaterThan(n) => write!(f, "expected a number greater than {n}"),
            ExpectedValue::AtLeast(n) => write!(f, "expected a number at least {n}"),
            ExpectedValue::Email => f.write_str("expected an email address"),
            ExpectedValue::Excludes(x) => {
                write!(f, "expected a value without `{}`", x.escape_debug())
            }
        }
    }
}

/// Every problem validation found, in source order; never empty.
///
/// `Display` gives the messages joined by `; `; [`ValidationErrors::render`]
/// gives one caret diagnostic per problem.
#[derive(Clone, Debug, PartialEq, Eq, Hash, thiserror::Error)]
pub struct ValidationErrors {
    errors: Vec<ValidationError>,
}

impl ValidationErrors {
    /// A list of one error.
    pub fn one(error: ValidationError) -> ValidationErrors {
        ValidationErrors {
            errors: vec![error],
        }
    }

    /// Wraps a list of errors; `None` when it is empty.
    pub fn new(errors: Vec<ValidationError>) -> Option<ValidationErrors> {
        (!errors.is_empty()).then_some(ValidationErrors { errors })
    }

    /// The errors, in source order.
    pub fn errors(&self) -> &[ValidationError] {
        &self.errors
    }

    /// Iterates over the errors.
    pub fn iter(&self) -> std::slice::Iter<'_, ValidationError> {
        self.errors.iter()
    }

    /// Number of errors (at least one).
    pub fn len(&self) -> usize {
        self.errors.len()
    }

    /// Always false; present for symmetry with [`ValidationErrors::len`].
    pub fn is_empty(&self) -> bool {
        self.errors.is_empty()
    }

    /// Renders every error with the filter and carets under its span.
    pub fn render(&self, input: &str) -> String {
        self.errors.iter().map(|e| e.render(input)).collect()
    }
}

impl fmt::Display for ValidationErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, e) in self.errors.iter().enumerate() {
            if i > 0 {
                f.write_str("; ")?;
            }
            fmt::Display::fmt(e, f)?;
        }
        Ok(())
    }
}

impl IntoIterator for ValidationErrors {
    type Item = ValidationError;
    type IntoIter = std::vec::IntoIter<ValidationError>;
    fn into_iter(self) -> Self::IntoIter {
        self.errors.into_iter()
    }
}

impl<'a> IntoIterator for &'a ValidationErrors {
    type Item = &'a ValidationError;
    type IntoIter = std::slice::Iter<'a, ValidationError>;
    fn into_iter(self) -> Self::IntoIter {
        self.errors.iter()
    }
}
