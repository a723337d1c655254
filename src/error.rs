//! The joining error type of the filter stages.
//!
//! Each stage owns its error, in the style of regex-syntax:
//!
//! - [`FilterTooLong`]: the byte limit, checked before anything else;
//! - [`ParseError`]: the grammar (in [`crate::syntax`]);
//! - [`ValidationErrors`]: the meaning, every problem at once (in
//!   [`crate::validate`]).
//!
//! [`FilterError`] joins them (with `From` impls) for
//! [`compile`](fn@crate::compile). An error is data; its message comes
//! from `Display`, and `render(input)` adds the input with carets under each
//! span ([`crate::diagnostic`]). How an endpoint puts these on the wire is
//! the endpoint's business: see [`crate::elasticpath::envelope`].

use crate::syntax::{ParseError, Span};
use crate::validate::{FilterTooLong, ValidationErrors};

/// Why a filter was refused by [`compile`](fn@crate::compile): the
/// byte limit, the grammar, or the meaning.
#[derive(Clone, Debug, PartialEq, Eq, Hash, thiserror::Error)]
#[non_exhaustive]
pub enum FilterError {
    /// Longer than the byte limit; nothing else was checked.
    #[error(transparent)]
    TooLong(#[from] FilterTooLong),
    /// Not a filter of the grammar (the first syntax error).
    #[error(transparent)]
    Parse(#[from] ParseError),
    /// Well formed, but not valid against the schema (detach_nodes by default; every problem).
    #[error(transparent)]
    Invalid(#[from] ValidationErrors),
}

impl FilterError {
    /// Each problem as `(span, message)`, in source order: one for a byte
    /// limit or syntax error, one per validation error.
    pub fn problems(&self) -> Vec<(Span, String)> {
        match self {
            FilterError::TooLong(e) => vec![(e.span(), e.to_string())],
            FilterError::Parse(e) => vec![(e.span(), e.to_string())],
            FilterError::Invalid(es) => es.iter().map(|e| (e.span(), e.to_string())).collect(),
        }
    }

    /// Renders every problem with the filter and carets under its span.
    /// `input` must be the text that was compiled.
    pub fn render(&self, input: &str) -> String {
        match self {
            // Echoing a filter over the byte limit could print megabytes.
            FilterError::TooLong(e) => format!("error: {e}\n"),
            FilterError::Parse(e) => e.render(input),
            FilterError::Invalid(es) => es.render(input),
        }
    }
}
