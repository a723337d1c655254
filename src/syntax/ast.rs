//! The abstract syntax tree of a filter.
//!
//! The tree keeps structure only: operator, attribute path and operand text
//! (quotes removed, escapes decoded), each with the byte [`Span`] it came
//! from. Typing the values (UUIDs, instants, enums) is the job of
//! [`crate::validate`], in the spirit of toml_edit's "structure first,
//! decoding second".
//!
//! Every node derives `PartialEq`, spans included, so tests can assert the
//! exact tree. To compare two filters by meaning only (for example a filter
//! and the result of re-parsing its canonical form), compare
//! `Filter::to_string` outputs or use [`Filter::same_shape`].

pub use crate::diagnostic::Span;
use std::fmt;

/// A comparison operator. Operators are lower case in the filter text.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Op {
    /// `eq`: equals.
    Eq,
    /// `like`: wildcard match (a leading and/or trailing `*`).
    Like,
    /// `in`: equals one of one or more values.
    In,
    /// `gt`: greater than.
    Gt,
    /// `ge`: greater than or equal to.
    Ge,
    /// `lt`: less than.
    Lt,
    /// `le`: less than or equal to.
    Le,
}

impl Op {
    /// Every operator, in the order of the vendor's documentation.
    pub const ALL: [Op; 7] = [Op::Eq, Op::Like, Op::In, Op::Gt, Op::Ge, Op::Lt, Op::Le];

    /// The operator's name as written in a filter (`"eq"`, `"like"`, ...).
    pub const fn as_str(self) -> &'static str {
        match self {
            Op::Eq => "eq",
            Op::Like => "like",
            Op::In => "in",
            Op::Gt => "gt",
            Op::Ge => "ge",
            Op::Lt => "lt",
            Op::Le => "le",
        }
    }

    /// Looks an operator up by its exact (lower-case) name; `None` otherwise.
    pub fn from_name(name: &str) -> Option<Op> {
        Op::ALL.into_iter().find(|op| op.as_str() == name)
    }

    /// True for `in`, the only operator that takes more than one value.
    pub const fn takes_many(self) -> bool {
        matches!(self, Op::In)
    }

    /// True for the ordering operators `gt ge lt le`.
    pub const fn is_ordering(self) -> bool {
        matches!(self, Op::Gt | Op::Ge | Op::Lt | Op::Le)
    }
}

impl fmt::Display for Op {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A filter: one or more conditions joined by `:` (logical AND).
///
/// Build one with [`str::parse`] / [`crate::syntax::parse`]; print its
/// canonical form with `Display`.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Filter {
    /// The conditions, in source order; never empty when produced by the parser.
    pub conditions: Vec<Condition>,
    /// The whole filter, without surrounding spaces.
    pub span: Span,
}

impl Filter {
    /// True when both filters have the same conditions, operators, attributes
    /// and values, whatever their spans.
    pub fn same_shape(&self, other: &Filter) -> bool {
        self.conditions.len() == other.conditions.len()
            && self
                .conditions
                .iter()
                .zip(&other.conditions)
                .all(|(a, b)| a.same_shape(b))
    }
}

/// One condition: `op(attribute,value,...)`.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Condition {
    /// The operator.
    pub op: Op,
    /// Span of the operator name.
    pub op_span: Span,
    /// The first operand: the attribute path.
    pub attribute: Attribute,
    /// The remaining operands; exactly one unless `op` is `in` (one or more).
    pub values: Vec<Value>,
    /// From the operator's first byte to the closing `)` inclusive.
    pub span: Span,
}

impl Condition {
    /// True when both conditions are equal ignoring spans.
    pub fn same_shape(&self, other: &Condition) -> bool {
        self.op == other.op
            && self.attribute.path == other.attribute.path
            && self.values.len() == other.values.len()
            && self
                .values
                .iter()
                .zip(&other.values)
                .all(|(a, b)| a.text == b.text)
    }
}

/// The attribute operand: a dotted path such as `sku` or `extensions.book.isbn`.
///
/// The parser guarantees the path is one or more non-empty segments of ASCII
/// letters, digits, `_` and `-`, separated by single dots.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Attribute {
    /// The path text, quotes removed.
    pub path: String,
    /// Span of the operand as written (including quotes, if any).
    pub span: Span,
}

impl Attribute {
    /// The dot-separated segments of the path.
    pub fn segments(&self) -> std::str::Split<'_, char> {
        self.path.split('.')
    }
}

/// A value operand, quotes removed and escapes decoded.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Value {
    /// The value's text. May be empty (written `""` or `''`).
    pub text: String,
    /// Span of the operand as written (including quotes, if any; excluding
    /// the leading spaces the grammar drops).
    pub span: Span,
}
