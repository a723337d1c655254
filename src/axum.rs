//! axum integration (feature `axum`): the `filter` query parameter as an
//! extractor, and both vendors' error bodies as responses.
//!
//! - [`QueryFilter`] reads `?filter=...` and compiles it against the
//!   [`Schema`] in the router's state (an `Arc<Schema>`, or any state it
//!   can be taken from with [`FromRef`]). A filter that does not compile is
//!   refused with Elastic Path's 400 envelope, one error object per
//!   problem, `Could not parse the supplied filter` with the precise reason
//!   and byte span in `meta`. `Option<QueryFilter>` is `None` when the
//!   parameter is absent or blank (empty or only spaces, as detach_nodes
//!   treats a blank filter like a missing one); the plain extractor
//!   refuses that with a 400 naming the parameter.
//! - [`ErrorEnvelope`] (JSON:API, its status taken from its first error
//!   object), [`EcwidError`] (`{"errorMessage","errorCode"}` with its
//!   status) and a detach [`Answer`] are responses.
//!
//! A filtered endpoint in a few lines:
//!
//! ```
//! use std::sync::Arc;
//! use axum::{Router, body::Body, http::Request, routing::get};
//! use catalog_filter::{Schema, axum::QueryFilter};
//! use tower::ServiceExt;
//!
//! async fn canonical(QueryFilter(filter): QueryFilter) -> String {
//!     filter.to_string()
//! }
//!
//! let app = Router::new()
//!     .route("/products", get(canonical))
//!     .with_state(Arc::new(Schema::detach_nodes()));
//!
//! # tokio::runtime::Runtime::new()?.block_on(async {
//! let get = |uri: &str| Request::get(uri).body(Body::empty());
//! let ok = app.clone().oneshot(get("/products?filter=eq(sku,book)%20:%20like(name,*shoe*)")?).await?;
//! assert_eq!(ok.status(), 200);
//! assert_eq!(axum::body::to_bytes(ok.into_body(), 1 << 16).await?, "eq(sku,book):like(name,*shoe*)");
//!
//! let bad = app.oneshot(get("/products?filter=gt(name,x)")?).await?;
//! assert_eq!(bad.status(), 400);
//! assert_eq!(
//!     axum::body::to_bytes(bad.into_body(), 1 << 16).await?,
//!     r#"{"errors":[{"status":"400","title":"Bad Request","detail":"Could not parse the supplied filter","meta":{"message":"operator `gt` is not supported for `name`; supported: eq, like, in","span":{"start":3,"end":7}}}]}"#
//! );
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! # })?;
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! Decisions (also in DECISIONS.md):
//!
//! - The query string is read as `application/x-www-form-urlencoded`, as
//!   axum's own `Query` reads it: `%XX` escapes are decoded and a `+` is a
//!   space. A filter holding a literal plus (a `+02:00` offset) sends it as
//!   `%2B`.
//! - A filter error from the query carries no `source.pointer` (there is no
//!   body to point into; the vendor's own 400 example has no `source`).
//! - `filter` given twice, or a query string that is not valid
//!   form-urlencoding, is a 400 `Bad Request` whose `meta.message` says so.

use crate::ecwid::EcwidError;
use crate::elasticpath::detach::Answer;
use crate::elasticpath::detach::is_blank_filter;
use crate::elasticpath::envelope::{ApiError, ErrorEnvelope, ErrorMeta, filter_errors};
use crate::schema::Schema;
use crate::validate::ValidFilter;
use ::axum::extract::{FromRef, FromRequestParts, OptionalFromRequestParts};
use ::axum::http::header::CONTENT_TYPE;
use ::axum::http::request::Parts;
use ::axum::http::{HeaderValue, StatusCode};
use ::axum::response::{IntoResponse, Response};
use std::sync::Arc;

/// The name of the query parameter [`QueryFilter`] reads.
pub const FILTER_PARAMETER: &str = "filter";

/// The `filter` query parameter, compiled against the [`Schema`] of the
/// router's state (see the module docs). Rejects with the vendor's 400
/// [`ErrorEnvelope`].
#[derive(Clone, Debug)]
pub struct QueryFilter(pub ValidFilter);

impl<S> FromRequestParts<S> for QueryFilter
where
    Arc<Schema>: FromRef<S>,
    S: Send + Sync,
{
    type Rejection = ErrorEnvelope;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        match compile_query(parts.uri.query(), &Arc::<Schema>::from_ref(state))? {
            Some(filter) => Ok(QueryFilter(filter)),
            None => Err(bad_query(format!(
                "the `{FILTER_PARAMETER}` query parameter is required"
            ))),
        }
    }
}

impl<S> OptionalFromRequestParts<S> for QueryFilter
where
    Arc<Schema>: FromRef<S>,
    S: Send + Sync,
{
    type Rejection = ErrorEnvelope;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &S,
    ) -> Result<Option<Self>, Self::Rejection> {
        Ok(compile_query(parts.uri.query(), &Arc::<Schema>::from_ref(state))?.map(QueryFilter))
    }
}

/// The `filter` parameter of `query` compiled against `schema`: `None`
/// when absent or blank.
fn compile_query(
    query: Option<&str>,
    schema: &Schema,
) -> Result<Option<ValidFilter>, ErrorEnvelope> {
    let pairs: Vec<(String, String)> = serde_urlencoded::from_str(query.unwrap_or(""))
        .map_err(|e| bad_query(format!("the query string is not valid: {e}")))?;
    let mut filters = pairs.iter().filter(|(k, _)| k == FILTER_PARAMETER);
    let Some((_, text)) = filters.next() else {
        return Ok(None);
    };
    if filters.next().is_some() {
        return Err(bad_query(format!(
            "the `{FILTER_PARAMETER}` query parameter is given more than once"
        )));
    }
    if is_blank_filter(text) {
        return Ok(None);
    }
    schema.compile(text).map(Some).map_err(|e| {
        ErrorEnvelope::from(
            filter_errors(&e)
                .into_iter()
                .map(|mut error| {
                    error.source = None;
                    error
                })
                .collect::<Vec<_>>(),
        )
    })
}

/// A 400 `Bad Request` about the query string.
fn bad_query(message: String) -> ErrorEnvelope {
    ErrorEnvelope::single(
        ApiError::bad_request("Bad Request").with_meta(ErrorMeta::message(message)),
    )
}

/// A JSON response with `status` (500 when it is not a valid status).
fn json_response(status: u16, body: Vec<u8>) -> Response {
    let status = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let mut response = (status, body).into_response();
    response
        .headers_mut()
        .insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
    response
}

/// Elastic Path's JSON:API error document, with the status of its first
/// error object (500 when that is not a number).
impl IntoResponse for ErrorEnvelope {
    fn into_response(self) -> Response {
        // Strings, numbers and maps with string keys always serialize.
        let body = serde_json::to_vec(&self).unwrap_or_default();
        json_response(self.http_status().unwrap_or(500), body)
    }
}

/// Ecwid's `{"errorMessage":"...","errorCode":"..."}` with
/// [`EcwidError::status`].
impl IntoResponse for EcwidError {
    fn into_response(self) -> Response {
        let body = serde_json::to_vec(&self.body()).unwrap_or_default();
        json_response(self.status(), body)
    }
}

/// A detach answer ([`crate::elasticpath::detach::handle`]): its status
/// and [`Answer::body_json`].
impl IntoResponse for Answer {
    fn into_response(self) -> Response {
        json_response(self.status, self.body_json().into_bytes())
    }
}
