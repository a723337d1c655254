//! The JSON:API error envelope of Elastic Path's APIs, and how a filter
//! error goes on the wire.
//!
//! Every filter failure becomes one JSON:API error object per problem:
//! status `"400"`, title `Bad Request`, detail `Could not parse the supplied
//! filter` (the vendor's text), `source.pointer` `/data/filter`, and `meta`
//! with the precise `message` and the byte `span`:
//!
//! ```
//! use catalog_filter::elasticpath::envelope::ErrorEnvelope;
//!
//! let err = catalog_filter::compile("eq(skus,book)").unwrap_err();
//! assert_eq!(
//!     serde_json::to_string(&ErrorEnvelope::from(err)).unwrap(),
//!     r#"{"errors":[{"status":"400","title":"Bad Request","detail":"Could not parse the supplied filter","source":{"pointer":"/data/filter"},"meta":{"message":"unknown attribute `skus`; did you mean `sku`?","span":{"start":3,"end":7}}}]}"#
//! );
//! ```
//!
//! The envelope types ([`ErrorEnvelope`], [`ApiError`], [`ErrorMeta`]) also
//! carry the 401/403/422/500 answers of detach_nodes.

use crate::error::FilterError;
use crate::syntax::Span;
use serde::{Deserialize, Serialize};

/// The `detail` of every filter error on the wire (the vendor's text).
pub const FILTER_ERROR_DETAIL: &str = "Could not parse the supplied filter";

/// The JSON pointer of the filter in a detach request body.
pub const FILTER_POINTER: &str = "/data/filter";

/// One JSON:API error object per problem of `error` (see the module docs).
pub fn filter_errors(error: &FilterError) -> Vec<ApiError> {
    error
        .problems()
        .into_iter()
        .map(|(span, message)| ApiError::bad_filter(message, span))
        .collect()
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
        ErrorEnvelope {
            errors: filter_errors(&e),
        }
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
    use crate::syntax::Span;

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
