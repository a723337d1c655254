//! The endpoints and their answers.
//!
//! Checks run in this order. First the caller, from the request's head
//! by an extractor ([`EpCaller`], [`EcwidCaller`]) that runs before any
//! other, so nothing of a body is read for a refused caller: the token
//! (401), for Ecwid a path segment that does not decode (404), the store
//! and the token's rights (403). Then:
//!
//! - preview: the `filter` parameter (its extractor, [`PreviewFilter`]:
//!   a query string that does not decode, `filter` twice, a filter that
//!   does not compile, each 400), then the paging parameters (400);
//! - detach_nodes and unassignProducts: the body is read by its extractor
//!   (up to `max_snapshot_bytes`, never further), then the content type is
//!   looked at (415, whatever the body), then the body's size and encoding
//!   (400); for Ecwid then a `{categoryId}` that is not digits (404);
//!
//! then the store itself (500 for a store that failed its checks at
//! start), then the vendor's own order (`detach --json`, `unassign --json`).

use crate::auth::{Caller, NoCaller, Tokens};
use crate::stores::{CatalogBackend, EcwidBackend, Failure, Page};
use axum::body::Bytes;
use axum::extract::rejection::{BytesRejection, PathRejection};
use axum::extract::{FromRequestParts, Path, RawQuery, State};
use axum::http::header::CONTENT_TYPE;
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Extension, Router};
use catalog_filter::ecwid::{self, EcwidError, EcwidErrorBody};
use catalog_filter::elasticpath::detach;
use catalog_filter::elasticpath::envelope::{ApiError, ErrorEnvelope, ErrorMeta, filter_errors};
use catalog_filter::{Compiler, Limits, ValidFilter};
use std::collections::HashMap;
use std::sync::Arc;
use tower_http::request_id::RequestId;

/// The default `page[limit]`.
pub const DEFAULT_PAGE_LIMIT: usize = 25;
/// The largest `page[limit]`.
pub const MAX_PAGE_LIMIT: usize = 100;

/// What every handler shares.
#[derive(Clone)]
pub struct App {
    /// The tokens.
    pub tokens: Arc<Tokens>,
    /// Elastic Path catalogs by store name.
    pub catalogs: Arc<HashMap<String, Arc<dyn CatalogBackend>>>,
    /// Ecwid stores by store name (their storeId).
    pub ecwid: Arc<HashMap<String, Arc<dyn EcwidBackend>>>,
    /// Request limits (`max_snapshot_bytes` bounds bodies).
    pub limits: Limits,
    /// The preview's filter compiler: detach_nodes' schema under `limits`
    /// (the limits detach holds its filter to).
    pub compiler: Compiler,
    /// The playground's page and compilers.
    pub playground: Arc<crate::playground::Playground>,
}

/// The routes.
pub fn routes(app: App) -> Router {
    let mut router = Router::new();
    if app.playground.at_root {
        router = router.route("/", get(crate::playground::page));
    }
    router
        .route("/playground", get(crate::playground::page))
        .route("/playground/check", post(crate::playground::check))
        .route("/healthz", get(healthz))
        .route("/pcm/products", get(products))
        .route("/pcm/products/detach_nodes", post(detach_nodes))
        .route(
            "/api/v3/{store_id}/categories/{category_id}/unassignProducts",
            post(unassign_products),
        )
        .fallback(not_found)
        .method_not_allowed_fallback(method_not_allowed)
        .with_state(app)
}

/// Answers the layers' own refusals (the request timeout's 408) in the
/// vendor's format of the path; every other response passes unchanged.
pub async fn vendor_format(
    request: axum::extract::Request,
    next: axum::middleware::Next,
) -> Response {
    let ecwid = is_ecwid(request.uri().path());
    let response = next.run(request).await;
    if response.status() != StatusCode::REQUEST_TIMEOUT {
        return response;
    }
    let message = "The request took too long (its body included)";
    if ecwid {
        ecwid_body(StatusCode::REQUEST_TIMEOUT, "REQUEST_TIMEOUT", message)
    } else {
        ep_error(408, "Request Timeout", message)
    }
}

async fn healthz() -> Response {
    json(StatusCode::OK, br#"{"status":"ok"}"#.to_vec())
}

/// A JSON answer: `body` with `Content-Type: application/json`.
pub fn json(status: StatusCode, body: Vec<u8>) -> Response {
    let mut response = (status, body).into_response();
    response
        .headers_mut()
        .insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
    response
}

/// Which vendor a path belongs to, for the error format.
fn is_ecwid(path: &str) -> bool {
    path.starts_with("/api/")
}

/// An Ecwid error that is the server's, not the library's.
fn ecwid_body(status: StatusCode, code: &str, message: impl Into<String>) -> Response {
    let body = EcwidErrorBody {
        error_message: message.into(),
        error_code: code.to_owned(),
    };
    json(status, serde_json::to_vec(&body).unwrap_or_default())
}

fn ep_error(status: u16, title: &str, detail: impl Into<String>) -> Response {
    ErrorEnvelope::single(ApiError::new(status, title, detail)).into_response()
}

async fn not_found(uri: Uri) -> Response {
    if is_ecwid(uri.path()) {
        ecwid_body(StatusCode::NOT_FOUND, "NOT_FOUND", "No such endpoint")
    } else {
        ep_error(404, "Not Found", "No such endpoint")
    }
}

async fn method_not_allowed(uri: Uri) -> Response {
    if is_ecwid(uri.path()) {
        ecwid_body(
            StatusCode::METHOD_NOT_ALLOWED,
            "METHOD_NOT_ALLOWED",
            "Method not allowed",
        )
    } else {
        ep_error(405, "Method Not Allowed", "Method not allowed")
    }
}

/// The request id set by the request-id layer.
fn request_id(id: Option<Extension<RequestId>>) -> String {
    id.and_then(|Extension(id)| id.header_value().to_str().ok().map(str::to_owned))
        .unwrap_or_default()
}

/// An Elastic Path error answer; a 500 carries the request id.
fn ep_failure(failure: Failure<ErrorEnvelope>, request_id: &str) -> Response {
    let mut envelope = match failure {
        Failure::Answer(envelope) => envelope,
        Failure::Internal(reason) => {
            tracing::error!(%reason, "internal error");
            ErrorEnvelope::single(ApiError::internal())
        }
    };
    for error in &mut envelope.errors {
        if error.status == "500" {
            error.request_id = Some(request_id.to_owned());
        }
    }
    envelope.into_response()
}

/// An Ecwid error answer (the request id is in the `x-request-id` header;
/// Ecwid's body has no place for it).
fn ecwid_failure(failure: Failure<EcwidError>, request_id: &str) -> Response {
    match failure {
        Failure::Answer(e) => e.into_response(),
        Failure::Internal(reason) => {
            tracing::error!(%reason, "internal error");
            ecwid_body(
                StatusCode::INTERNAL_SERVER_ERROR,
                "INTERNAL_SERVER_ERROR",
                format!("An internal error has occurred (request id {request_id})"),
            )
        }
    }
}

/// The caller of an Elastic Path endpoint: a known token (401) for an
/// Elastic Path catalog with an admin grant (403).
pub struct EpCaller {
    store: Arc<dyn CatalogBackend>,
}

impl FromRequestParts<App> for EpCaller {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, app: &App) -> Result<EpCaller, Response> {
        let caller = app.tokens.caller(&parts.headers).map_err(ep_unauthorized)?;
        let Some(store) = app.catalogs.get(&caller.store) else {
            return Err(ep_error(
                403,
                "Forbidden",
                "This token is not for an Elastic Path catalog",
            ));
        };
        // Admin only (client_credentials): 403 before anything else is read.
        detach::authorize(Some(caller.grant)).map_err(IntoResponse::into_response)?;
        Ok(EpCaller {
            store: Arc::clone(store),
        })
    }
}

fn ep_unauthorized(why: NoCaller) -> Response {
    ErrorEnvelope::single(ApiError::unauthorized(why.message())).into_response()
}

/// Ecwid's 401.
fn ecwid_unauthorized(why: NoCaller) -> Response {
    ecwid_body(StatusCode::UNAUTHORIZED, "UNAUTHORIZED", why.message())
}

/// Whether the request says its body is JSON (`application/json`, or any
/// `application/*+json`).
pub fn is_json(headers: &HeaderMap) -> bool {
    let Some(value) = headers.get(CONTENT_TYPE).and_then(|v| v.to_str().ok()) else {
        return false;
    };
    let essence = value
        .split(';')
        .next()
        .unwrap_or_default()
        .trim()
        .to_ascii_lowercase();
    essence == "application/json"
        || (essence.starts_with("application/") && essence.ends_with("+json"))
}

const NOT_JSON: &str = "The request body must be JSON (Content-Type: application/json)";

/// The body as text, or why not: over the limit, unreadable, not UTF-8.
enum BodyProblem {
    TooLarge,
    Unreadable(String),
    NotUtf8(String),
}

fn body_text(body: Result<Bytes, BytesRejection>) -> Result<String, BodyProblem> {
    let bytes = body.map_err(|e| match e {
        BytesRejection::FailedToBufferBody(
            axum::extract::rejection::FailedToBufferBody::LengthLimitError(_),
        ) => BodyProblem::TooLarge,
        other => BodyProblem::Unreadable(other.body_text()),
    })?;
    String::from_utf8(bytes.to_vec()).map_err(|e| BodyProblem::NotUtf8(e.to_string()))
}

/// The preview's `filter` query parameter (`None` when absent or blank),
/// read as the library's `axum::QueryFilter` reads it, but compiled under
/// the config's `[limits]` (that extractor takes a `Schema`, with its own
/// limits). A filter that does not compile is Elastic Path's 400, one
/// error object per problem, without a pointer (there is no body).
pub struct PreviewFilter(Option<ValidFilter>);

impl FromRequestParts<App> for PreviewFilter {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, app: &App) -> Result<PreviewFilter, Response> {
        preview_filter(parts.uri.query(), &app.compiler)
            .map(PreviewFilter)
            .map_err(IntoResponse::into_response)
    }
}

fn preview_filter(
    query: Option<&str>,
    compiler: &Compiler,
) -> Result<Option<ValidFilter>, ErrorEnvelope> {
    let bad = |message: String| {
        ErrorEnvelope::single(
            ApiError::bad_request("Bad Request").with_meta(ErrorMeta::message(message)),
        )
    };
    let pairs: Vec<(String, String)> = serde_urlencoded::from_str(query.unwrap_or(""))
        .map_err(|e| bad(format!("the query string is not valid: {e}")))?;
    let mut filters = pairs.iter().filter(|(k, _)| k == "filter");
    let Some((_, text)) = filters.next() else {
        return Ok(None);
    };
    if filters.next().is_some() {
        return Err(bad(
            "the `filter` query parameter is given more than once".into()
        ));
    }
    if detach::is_blank_filter(text) {
        return Ok(None);
    }
    compiler.compile(text).map(Some).map_err(|e| {
        let errors: Vec<ApiError> = filter_errors(&e)
            .into_iter()
            .map(|mut error| {
                error.source = None;
                error
            })
            .collect();
        ErrorEnvelope::from(errors)
    })
}

async fn products(
    caller: EpCaller,
    id: Option<Extension<RequestId>>,
    RawQuery(query): RawQuery,
    PreviewFilter(filter): PreviewFilter,
) -> Response {
    let page = match paging(query.as_deref()) {
        Ok(page) => page,
        Err(envelope) => return envelope.into_response(),
    };
    match caller.store.preview(filter, page).await {
        Ok(body) => json(StatusCode::OK, body),
        Err(failure) => ep_failure(failure, &request_id(id)),
    }
}

/// `page[limit]` (0 to 100, default 25) and `page[offset]` (0 or more,
/// default 0); anything else is a 400 naming the parameter.
fn paging(query: Option<&str>) -> Result<Page, ErrorEnvelope> {
    let pairs: Vec<(String, String)> = serde_urlencoded::from_str(query.unwrap_or(""))
        .map_err(|e| bad_parameter("the query string", format!("not valid: {e}")))?;
    let mut page = Page {
        offset: 0,
        limit: DEFAULT_PAGE_LIMIT,
    };
    let mut seen = (false, false);
    for (key, value) in &pairs {
        match key.as_str() {
            "page[limit]" => {
                if std::mem::replace(&mut seen.0, true) {
                    return Err(bad_parameter(
                        "page[limit]",
                        "is given more than once".into(),
                    ));
                }
                page.limit = decimal(value)
                    .filter(|&n| n <= MAX_PAGE_LIMIT)
                    .ok_or_else(|| {
                        bad_parameter(
                            "page[limit]",
                            format!("must be an integer from 0 to {MAX_PAGE_LIMIT}"),
                        )
                    })?;
            }
            "page[offset]" => {
                if std::mem::replace(&mut seen.1, true) {
                    return Err(bad_parameter(
                        "page[offset]",
                        "is given more than once".into(),
                    ));
                }
                page.offset = decimal(value).ok_or_else(|| {
                    bad_parameter("page[offset]", "must be a non-negative integer".into())
                })?;
            }
            _ => {}
        }
    }
    Ok(page)
}

/// A non-empty run of ASCII digits that fits a `usize` (no sign, no
/// spaces, which `usize::from_str` would partly allow).
fn decimal(value: &str) -> Option<usize> {
    if value.is_empty() || !value.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    value.parse().ok()
}

/// A non-empty run of ASCII digits that fits a `u64` (an Ecwid id in a
/// path: `u64::from_str` would take `+9691094`).
pub fn decimal_u64(value: &str) -> Option<u64> {
    if value.is_empty() || !value.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    value.parse().ok()
}

fn bad_parameter(name: &str, what: String) -> ErrorEnvelope {
    ErrorEnvelope::single(
        ApiError::bad_request(format!("{name} {what}"))
            .with_meta(ErrorMeta::message(format!("{name} {what}"))),
    )
}

async fn detach_nodes(
    caller: EpCaller,
    State(app): State<App>,
    id: Option<Extension<RequestId>>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Response {
    if !is_json(&headers) {
        return ep_error(415, "Unsupported Media Type", NOT_JSON);
    }
    let limit = app.limits.max_snapshot_bytes;
    let bad = |message: String| {
        ErrorEnvelope::single(
            ApiError::bad_request("Bad Request").with_meta(ErrorMeta::message(message)),
        )
        .into_response()
    };
    let body = match body_text(body) {
        Ok(body) => body,
        Err(BodyProblem::TooLarge) => {
            return bad(format!(
                "the request body is more than {limit} bytes; the limit is {limit} (max_snapshot_bytes)"
            ));
        }
        Err(BodyProblem::Unreadable(reason)) => {
            return bad(format!("the request body could not be read: {reason}"));
        }
        Err(BodyProblem::NotUtf8(reason)) => {
            return bad(format!("the request body is not UTF-8: {reason}"));
        }
    };
    match caller.store.detach(body, app.limits).await {
        Ok(response) => json(
            StatusCode::OK,
            serde_json::to_vec(&response).unwrap_or_default(),
        ),
        Err(failure) => ep_failure(failure, &request_id(id)),
    }
}

/// The caller of the Ecwid endpoint: a known token (401), a path whose
/// segments decode (404), the token's own store as `{storeId}` (403) and
/// the `update_catalog` scope (403). An extractor from the request's head,
/// so every refusal is sent before any of the body is read.
pub struct EcwidCaller {
    store: Arc<dyn EcwidBackend>,
    /// The `{categoryId}` segment, as decoded (checked by the handler).
    category_id: String,
}

impl FromRequestParts<App> for EcwidCaller {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, app: &App) -> Result<EcwidCaller, Response> {
        let caller: &Caller = app
            .tokens
            .caller(&parts.headers)
            .map_err(ecwid_unauthorized)?;
        // A path whose segments do not decode (`%FF`) names nothing.
        let path: Result<Path<(String, String)>, PathRejection> =
            Path::from_request_parts(parts, app).await;
        let Ok(Path((store_id, category_id))) = path else {
            return Err(ecwid_body(
                StatusCode::NOT_FOUND,
                "NOT_FOUND",
                "No such endpoint",
            ));
        };
        // The token's store, and only it: an Ecwid store whose storeId is the path's.
        let store = match app.ecwid.get(&caller.store) {
            Some(store) if caller.store == store_id => Arc::clone(store),
            _ => {
                return Err(ecwid_body(
                    StatusCode::FORBIDDEN,
                    "FORBIDDEN",
                    "Access denied: the token is not for this store",
                ));
            }
        };
        let scopes: Vec<&str> = caller.scopes.iter().map(String::as_str).collect();
        ecwid::authorize(&scopes).map_err(IntoResponse::into_response)?;
        Ok(EcwidCaller { store, category_id })
    }
}

async fn unassign_products(
    EcwidCaller { store, category_id }: EcwidCaller,
    State(app): State<App>,
    id: Option<Extension<RequestId>>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Response {
    if !is_json(&headers) {
        return ecwid_body(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "UNSUPPORTED_MEDIA_TYPE",
            NOT_JSON,
        );
    }
    let limit = app.limits.max_snapshot_bytes;
    let body = match body_text(body) {
        Ok(body) => body,
        Err(BodyProblem::TooLarge) => {
            return EcwidError::TooLargeStream { limit }.into_response();
        }
        Err(BodyProblem::Unreadable(reason)) => {
            return EcwidError::InvalidRequestBody {
                reason: format!("the body could not be read: {reason}"),
            }
            .into_response();
        }
        Err(BodyProblem::NotUtf8(reason)) => {
            return EcwidError::InvalidRequestBody {
                reason: format!("not UTF-8: {reason}"),
            }
            .into_response();
        }
    };
    let Some(category_id) = decimal_u64(&category_id) else {
        return ecwid_body(
            StatusCode::NOT_FOUND,
            "CATEGORY_NOT_FOUND",
            "Category not found",
        );
    };
    match store.unassign(category_id, body, app.limits).await {
        Ok(response) => json(
            StatusCode::OK,
            serde_json::to_vec(&response).unwrap_or_default(),
        ),
        Err(failure) => ecwid_failure(failure, &request_id(id)),
    }
}
