//! Syntax errors: what went wrong, and where.

use super::ast::{Arity, Op, Span};
use crate::diagnostic::render_diagnostic;
use std::fmt;

/// A filter that does not follow the grammar.
///
/// An error is data: a [`ParseErrorKind`] and the byte [`Span`] it concerns.
/// `Display` gives a one-line message; [`ParseError::render`] adds the input
/// with a caret line under the span.
#[derive(Clone, Debug, PartialEq, Eq, Hash, thiserror::Error)]
#[error("{kind}")]
pub struct ParseError {
    kind: ParseErrorKind,
    span: Span,
}

impl ParseError {
    /// Creates an error of `kind` at `span`.
    pub fn new(kind: ParseErrorKind, span: Span) -> ParseError {
        ParseError { kind, span }
    }

    /// What went wrong.
    pub fn kind(&self) -> &ParseErrorKind {
        &self.kind
    }

    /// The bytes of the input the error is about (empty at end of input).
    pub fn span(&self) -> Span {
        self.span
    }

    /// Renders the error with the input and a caret line under the span:
    ///
    /// ```text
    /// error: unknown operator `eqq`; did you mean `eq`?
    ///   eqq(sku,book)
    ///   ^^^
    /// ```
    ///
    /// `input` must be the text that was parsed; control characters in it are
    /// shown as `\u{..}` so the carets stay aligned with what is printed.
    pub fn render(&self, input: &str) -> String {
        render_diagnostic(input, self.span, &self.to_string())
    }
}

/// The kinds of syntax error. New kinds may be added in minor versions.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ParseErrorKind {
    /// The input ended where `expected` was required. Span: empty, at the end.
    UnexpectedEnd {
        /// What the grammar needed next.
        expected: Expected,
    },
    /// A name in operator position that is not an operator. Span: the name.
    UnknownOperator {
        /// The name as written.
        found: String,
        /// The nearest known operator, when one is close enough.
        suggestion: Option<Op>,
    },
    /// Something other than `expected` was found. Span: the offending character.
    Unexpected {
        /// What the grammar needed at this point.
        expected: Expected,
        /// The character found instead.
        found: char,
    },
    /// An operand with no text, as in `eq(sku,)`. Span: empty, where the operand should be.
    EmptyValue,
    /// A character that may only appear inside a quoted operand. Span: the character.
    NeedsQuotes {
        /// The character.
        found: char,
    },
    /// A quoted operand with no closing quote. Span: from the opening quote to the end.
    UnterminatedQuote,
    /// A backslash followed by a character that is not an escape here. Span: both characters.
    BadEscape {
        /// The character after the backslash.
        found: char,
    },
    /// A control character, refused even inside quotes. Span: the character.
    ControlCharacter {
        /// The character.
        found: char,
    },
    /// An attribute operand that is not a dotted path of names. Span: the operand.
    InvalidAttribute {
        /// The attribute text, quotes removed.
        found: String,
    },
    /// An operator given the wrong number of values ([`Op::arity`]). Span:
    /// the whole condition.
    WrongArity {
        /// The operator.
        op: Op,
        /// How many values were given.
        found: usize,
    },
    /// A complete term followed by text that is not `:`, `|` or `)`.
    /// Span: the first character of the extra text.
    TrailingInput,
    /// `()`: a group with nothing inside. Span: from `(` to `)`.
    EmptyGroup,
    /// A `|` with no term on one side, as in `eq(a,b)|`, `(eq(a,b)|)` or
    /// `(|eq(a,b))`. Span: that `|`.
    EmptyAlternative,
    /// A `(` that is never closed. Span: the `(`.
    UnclosedParen,
    /// A `)` with no `(` to close. Span: the `)`.
    UnmatchedParen,
    /// A group nested deeper than the depth limit, refused before it is
    /// read. Span: the `(` that opens the group one level too deep.
    TooDeep {
        /// The limit ([`Limits::max_depth`](crate::Limits)).
        limit: usize,
    },
}

/// What the grammar expected at the point of an error.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Expected {
    /// An operator name such as `eq`.
    Operator,
    /// A term: a condition such as `eq(sku,x)`, or a `(` group.
    Term,
    /// `(` after the operator.
    OpenParen,
    /// `,` between operands.
    Comma,
    /// `,` or `)` after an operand.
    CommaOrCloseParen,
    /// `)` ending a condition.
    CloseParen,
    /// An operand (attribute or value).
    Operand,
    /// A closing quote.
    Quote,
}

impl fmt::Display for Expected {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Expected::Operator => {
                "an operator (eq, like, ilike, in, gt, ge, lt, le, contains, contains_any, contains_all, text, is_null)"
            }
            Expected::Term => "a condition such as `eq(sku,x)`, or `(`",
            Expected::OpenParen => "`(`",
            Expected::Comma => "`,`",
            Expected::CommaOrCloseParen => "`,` or `)`",
            Expected::CloseParen => "`)`",
            Expected::Operand => "an operand",
            Expected::Quote => "a closing quote",
        })
    }
}

impl fmt::Display for ParseErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ParseErrorKind::UnexpectedEnd { expected } => {
                write!(f, "unexpected end of filter; expected {expected}")
            }
            ParseErrorKind::UnknownOperator { found, suggestion } => {
                write!(f, "unknown operator `{}`", found.escape_debug())?;
                match suggestion {
                    Some(op) => write!(f, "; did you mean `{op}`?"),
                    None => write!(
                        f,
                        "; expected one of eq, like, ilike, in, gt, ge, lt, le, contains, contains_any, contains_all, text, is_null"
                    ),
                }
            }
            ParseErrorKind::Unexpected { expected, found } => {
                write!(f, "expected {expected}, found `{}`", found.escape_debug())
            }
            ParseErrorKind::EmptyValue => {
                write!(f, "empty operand; write \"\" for the empty string")
            }
            ParseErrorKind::NeedsQuotes { found } => write!(
                f,
                "`{}` is only allowed inside a quoted value; quote the value with \"...\" or '...'",
                found.escape_debug()
            ),
            ParseErrorKind::UnterminatedQuote => write!(f, "unterminated quoted value"),
            ParseErrorKind::BadEscape { found } => write!(
                f,
                "bad escape `\\{}`; inside quotes only the quote character and `\\` can be escaped",
                found.escape_debug()
            ),
            ParseErrorKind::ControlCharacter { found } => write!(
                f,
                "control character U+{:04X} is not allowed, even quoted",
                *found as u32
            ),
            ParseErrorKind::InvalidAttribute { found } => write!(
                f,
                "`{}` is not an attribute path; expected names of letters, digits, `_` or `-` joined by `.`",
                found.escape_debug()
            ),
            ParseErrorKind::WrongArity { op, found } => match op.arity() {
                Arity::None => write!(f, "`{op}` takes only an attribute, no value; found {found}"),
                Arity::One => write!(
                    f,
                    "`{op}` takes an attribute and exactly one value, found {found}"
                ),
                Arity::OneOrMore => write!(
                    f,
                    "`{op}` takes an attribute and one or more values, found {found}"
                ),
            },
            ParseErrorKind::TrailingInput => write!(
                f,
                "unexpected text after a condition; join conditions with `:` (AND) or `|` (OR)"
            ),
            ParseErrorKind::EmptyGroup => write!(f, "empty group `()`; a group needs a condition"),
            ParseErrorKind::EmptyAlternative => {
                write!(f, "`|` needs a condition (or group) on each side")
            }
            ParseErrorKind::UnclosedParen => write!(f, "this `(` is never closed; add a `)`"),
            ParseErrorKind::UnmatchedParen => write!(f, "this `)` closes no `(`"),
            ParseErrorKind::TooDeep { limit } => write!(
                f,
                "groups nested too deeply: the limit is {limit} levels of parentheses"
            ),
        }
    }
}
