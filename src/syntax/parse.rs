//! The nom grammar (work in progress).
use super::ast::{Filter, Span};
use super::error::{Expected, ParseError, ParseErrorKind};

/// Parses a filter.
pub fn parse(input: &str) -> Result<Filter, ParseError> {
    Err(ParseError::new(
        ParseErrorKind::UnexpectedEnd {
            expected: Expected::Operator,
        },
        Span::new(input.len(), input.len()),
    ))
}
