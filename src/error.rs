//! Errors of the filter stages, and the JSON:API error envelope.
//!
//! Each stage has its own error type, in the style of regex-syntax:
//!
//! - [`FilterTooLong`]: the byte limit, checked before anything else;
//! - [`ParseError`]: the grammar (in [`crate::syntax`]);
//! - [`ValidationErrors`]: the meaning, every problem at once, each a
//!   [`ValidationError`] with a [`ValidationErrorKind`] and a [`Span`].
//!
//! [`FilterError`] joins them (with `From` impls) for
//! [`compile`](crate::validate::compile). An error is data; its message comes
//! from `Display`, and `render(input)` adds the input with carets under each
//! span.
//!
//! On the wire every filter failure becomes one JSON:API error object per
//! problem (DESIGN.md "Errors on the wire"): status `"400"`, title
//! `Bad Request`, detail `Could not parse the supplied filter` (the vendor's
//! text), `source.pointer` `/data/filter`, and `meta` with the precise
//! `message` and the byte `span`:
//!
//! ```
//! let err = catalog_filter::compile("eq(skus,book)").unwrap_err();
//! assert_eq!(
//!     serde_json::to_string(&err.into_envelope()).unwrap(),
//!     r#"{"errors":[{"status":"400","title":"Bad Request","detail":"Could not parse the supplied filter","source":{"pointer":"/data/filter"},"meta":{"message":"unknown attribute `skus`; did you mean `sku`?","span":{"start":3,"end":7}}}]}"#
//! );
//! ```
//!
//! The envelope types ([`ErrorEnvelope`], [`ApiError`], [`ErrorMeta`]) are
//! general: they also carry the 401/403/422/500 answers of the bulk
//! operations.

use crate::schema::{OpSet, ValueType};
use crate::syntax::error::render_diagnostic;
use crate::syntax::{Op, ParseError, Span};
use serde::{Deserialize, Serialize};
use std::fmt;

/// The `detail` of every filter error on the wire (the vendor's text).
pub const FILTER_ERROR_DETAIL: &str = "Could not parse the supplied filter";

/// The JSON pointer of the filter in a detach request body.
pub const FILTER_POINTER: &str = "/data/filter";

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
    /// An attribute that is not in the support matrix. Span: the attribute operand.
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
        expected: &'static str,
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
        /// The type the attribute's values must have.
        expected: ValueType,
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
    /// More conditions than [`Limits::max_conditions`](crate::Limits).
    /// Span: the first condition over the limit.
    TooManyConditions {
        /// The number of conditions.
        found: usize,
        /// The limit.
        limit: usize,
    },
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
                expected: ValueType::FalseOnly,
            } => write!(
                f,
                "invalid value `{}` for `{attribute}`: only `false` is supported",
                value.escape_debug()
            ),
            ValidationErrorKind::InvalidValue {
                attribute,
                value,
                expected,
            } => write!(
                f,
                "invalid value `{}` for `{attribute}`: expected {expected}",
                value.escape_debug()
            ),
            ValidationErrorKind::WrongArity {
                op,
                attribute,
                found,
                in_supported,
            } => {
                if op.takes_many() {
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
            ValidationErrorKind::TooManyValues { found, limit } => write!(
                f,
                "too many values: {found}, the limit is {limit} values per condition"
            ),
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

/// Why a filter was refused by [`compile`](crate::validate::compile): the
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
    /// Well formed, but not valid against the support matrix (every problem).
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

    /// One JSON:API error object per problem (see the module docs).
    pub fn to_api_errors(&self) -> Vec<ApiError> {
        self.problems()
            .into_iter()
            .map(|(span, message)| ApiError::bad_filter(message, span))
            .collect()
    }

    /// The JSON:API envelope with [`FilterError::to_api_errors`].
    pub fn into_envelope(self) -> ErrorEnvelope {
        ErrorEnvelope {
            errors: self.to_api_errors(),
        }
    }
}

/// A JSON:API error document: `{"errors":[...]}`.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct ErrorEnvelope {
    /// The error objects; one per problem.
    pub errors: Vec<ApiError>,
}

impl ErrorEnvelope {
    /// An envelope with one error object.
    pub fn single(error: ApiError) -> ErrorEnvelope {
        ErrorEnvelope {
            errors: vec![error],
        }
    }

    /// The HTTP status of the response: the first error object's status,
    /// when it is a number.
    pub fn http_status(&self) -> Option<u16> {
        self.errors.first().and_then(|e| e.status.parse().ok())
    }
}

impl From<Vec<ApiError>> for ErrorEnvelope {
    fn from(errors: Vec<ApiError>) -> ErrorEnvelope {
        ErrorEnvelope { errors }
    }
}

impl From<FilterError> for ErrorEnvelope {
    fn from(e: FilterError) -> ErrorEnvelope {
        e.into_envelope()
    }
}

/// One JSON:API error object.
///
/// Serialized in the vendor's field order, optional members omitted when
/// absent: `{"status":"400","title":"...","detail":"...","source":{...},
/// "request_id":"...","meta":{...}}`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ApiError {
    /// The HTTP status code, as a string (`"400"`).
    pub status: String,
    /// A short summary of the kind of problem (`Bad Request`).
    pub title: String,
    /// What went wrong (`Could not parse the supplied filter`).
    pub detail: String,
    /// Which part of the request is at fault.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<ErrorSource>,
    /// The request id, for internal errors.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub request_id: Option<String>,
    /// Further details (the precise reason, a span, missing ids, ...).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub meta: Option<ErrorMeta>,
}

impl ApiError {
    /// An error object with only status, title and detail.
    pub fn new(status: u16, title: impl Into<String>, detail: impl Into<String>) -> ApiError {
        ApiError {
            status: status.to_string(),
            title: title.into(),
            detail: detail.into(),
            source: None,
            request_id: None,
            meta: None,
        }
    }

    /// The 400 answer for a filter problem: `Could not parse the supplied
    /// filter`, pointer `/data/filter`, `meta.message` and `meta.span`.
    pub fn bad_filter(message: impl Into<String>, span: Span) -> ApiError {
        ApiError::bad_request(FILTER_ERROR_DETAIL)
            .with_pointer(FILTER_POINTER)
            .with_meta(ErrorMeta {
                message: Some(message.into()),
                span: Some(span.into()),
                ..ErrorMeta::default()
            })
    }

    /// A 400 `Bad Request` with the given detail.
    pub fn bad_request(detail: impl Into<String>) -> ApiError {
        ApiError::new(400, "Bad Request", detail)
    }

    /// A 401 `Unauthorized` with the given detail.
    pub fn unauthorized(detail: impl Into<String>) -> ApiError {
        ApiError::new(401, "Unauthorized", detail)
    }

    /// A 403 `Forbidden` with the given detail.
    pub fn forbidden(detail: impl Into<String>) -> ApiError {
        ApiError::new(403, "Forbidden", detail)
    }

    /// A 422 `Failed Validation` with the given detail, e.g.
    /// `filter can not be empty`.
    pub fn failed_validation(detail: impl Into<String>) -> ApiError {
        ApiError::new(422, "Failed Validation", detail)
    }

    /// The vendor's 500: `Internal server error`, `An internal error has
    /// occurred.`; add `meta.missing_ids` with [`ErrorMeta::missing_ids`].
    pub fn internal() -> ApiError {
        ApiError::new(
            500,
            "Internal server error",
            "An internal error has occurred.",
        )
    }

    /// Sets `source.pointer`.
    pub fn with_pointer(mut self, pointer: impl Into<String>) -> ApiError {
        self.source = Some(ErrorSource {
            pointer: pointer.into(),
        });
        self
    }

    /// Sets `request_id`.
    pub fn with_request_id(mut self, request_id: impl Into<String>) -> ApiError {
        self.request_id = Some(request_id.into());
        self
    }

    /// Sets `meta`.
    pub fn with_meta(mut self, meta: ErrorMeta) -> ApiError {
        self.meta = Some(meta);
        self
    }
}

/// The `source` member of an error object.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct ErrorSource {
    /// A JSON pointer into the request body (`/data/filter`).
    pub pointer: String,
}

/// The `meta` member of an error object. Known members are typed and printed
/// in this order when present; anything else goes in `other`.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct ErrorMeta {
    /// The precise reason.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
    /// The byte span in the filter the reason is about.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub span: Option<WireSpan>,
    /// Ids a snapshot refers to but does not contain (500 answers).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub missing_ids: Option<Vec<String>>,
    /// Any other members.
    #[serde(flatten)]
    pub other: serde_json::Map<String, serde_json::Value>,
}

impl ErrorMeta {
    /// A `meta` with only a `message`.
    pub fn message(message: impl Into<String>) -> ErrorMeta {
        ErrorMeta {
            message: Some(message.into()),
            ..ErrorMeta::default()
        }
    }

    /// A `meta` with only `missing_ids`.
    pub fn missing_ids(ids: Vec<String>) -> ErrorMeta {
        ErrorMeta {
            missing_ids: Some(ids),
            ..ErrorMeta::default()
        }
    }
}

/// A byte span on the wire: `{"start":B,"end":B}`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct WireSpan {
    /// Offset of the first byte.
    pub start: usize,
    /// Offset one past the last byte.
    pub end: usize,
}

impl From<Span> for WireSpan {
    fn from(s: Span) -> WireSpan {
        WireSpan {
            start: s.start,
            end: s.end,
        }
    }
}

impl From<WireSpan> for Span {
    fn from(s: WireSpan) -> Span {
        Span::new(s.start, s.end)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn envelopes() {
        let e = ErrorEnvelope::single(ApiError::failed_validation("filter can not be empty"));
        assert_eq!(
            serde_json::to_string(&e).unwrap(),
            r#"{"errors":[{"status":"422","title":"Failed Validation","detail":"filter can not be empty"}]}"#
        );
        assert_eq!(e.http_status(), Some(422));
        let e = ErrorEnvelope::single(
            ApiError::internal()
                .with_request_id("00000000-0000-0000-0000-000000000000")
                .with_meta(ErrorMeta::missing_ids(vec!["e7d50bd5".into()])),
        );
        let json = serde_json::to_string(&e).unwrap();
        assert_eq!(
            json,
            r#"{"errors":[{"status":"500","title":"Internal server error","detail":"An internal error has occurred.","request_id":"00000000-0000-0000-0000-000000000000","meta":{"missing_ids":["e7d50bd5"]}}]}"#
        );
        assert_eq!(serde_json::from_str::<ErrorEnvelope>(&json).unwrap(), e);
        let e = ErrorEnvelope::single(ApiError::bad_filter("why", Span::new(3, 7)));
        assert_eq!(
            serde_json::to_string(&e).unwrap(),
            r#"{"errors":[{"status":"400","title":"Bad Request","detail":"Could not parse the supplied filter","source":{"pointer":"/data/filter"},"meta":{"message":"why","span":{"start":3,"end":7}}}]}"#
        );
    }
}
