//! The wire types: the request and response bodies, and Ecwid's errors
//! with their HTTP status and `{"errorMessage","errorCode"}` body.

use super::integrity::{StoreError, problems_text};
use super::model::{CategoryId, ProductId};
use crate::json::check_text;
use serde::{Deserialize, Serialize};

/// The request body: `{"productIds":[...]}`. Unknown fields are ignored.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct UnassignProductsRequest {
    /// The products to unassign from the category.
    #[serde(rename = "productIds")]
    pub product_ids: Vec<ProductId>,
}

impl UnassignProductsRequest {
    /// A request for these product ids.
    pub fn new(product_ids: impl IntoIterator<Item = ProductId>) -> UnassignProductsRequest {
        UnassignProductsRequest {
            product_ids: product_ids.into_iter().collect(),
        }
    }

    /// Reads a request body; anything but a JSON object whose `productIds`
    /// is an array of non-negative integers (a member given twice in one
    /// object and a lone surrogate escape included) is a 400
    /// [`EcwidError::InvalidRequestBody`] with serde's reason.
    pub fn from_json(body: &str) -> Result<UnassignProductsRequest, EcwidError> {
        let invalid = |reason: String| EcwidError::InvalidRequestBody { reason };
        check_text(body, 0..body.len()).map_err(|e| invalid(e.to_string()))?;
        serde_json::from_str(body).map_err(|e| invalid(e.to_string()))
    }
}

/// The response body: `{"deleteCount":N}`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct UnassignProductsResponse {
    /// 1 if any product was unassigned, else 0.
    #[serde(rename = "deleteCount")]
    pub delete_count: u32,
}

/// Ecwid's error body: `{"errorMessage":"...","errorCode":"..."}`. The HTTP
/// status is not part of it; see [`EcwidError::status`].
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct EcwidErrorBody {
    /// A human-readable message.
    #[serde(rename = "errorMessage")]
    pub error_message: String,
    /// A stable machine-readable code (see the module docs for the list).
    #[serde(rename = "errorCode")]
    pub error_code: String,
}

/// Why an unassign request is refused. `Display` is the `errorMessage`.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum EcwidError {
    /// 403 `FORBIDDEN`: the token lacks the `update_catalog` scope.
    #[error("Access denied: the token lacks the update_catalog scope")]
    MissingScope,
    /// 404 `CATEGORY_NOT_FOUND`: the category does not exist.
    #[error("Category {category_id} not found")]
    CategoryNotFound {
        /// The requested category.
        category_id: CategoryId,
    },
    /// 400 `INVALID_REQUEST_BODY`: `productIds` is empty.
    #[error("productIds must not be empty")]
    EmptyProductIds,
    /// 400 `LIMIT_EXCEEDED`: more `productIds` than
    /// [`Limits::max_product_ids`](crate::Limits::max_product_ids).
    #[error("productIds has {count} ids; the limit is {limit} (max_product_ids)")]
    TooManyProductIds {
        /// How many ids the request has (duplicates included).
        count: usize,
        /// The limit.
        limit: usize,
    },
    /// 400 `LIMIT_EXCEEDED`: a body (or a `--json` input) over
    /// [`Limits::max_snapshot_bytes`](crate::Limits::max_snapshot_bytes);
    /// nothing of it was parsed.
    #[error("the body is {bytes} bytes; the limit is {limit} (max_snapshot_bytes)")]
    TooLarge {
        /// The body's size.
        bytes: usize,
        /// The limit.
        limit: usize,
    },
    /// 400 `LIMIT_EXCEEDED`: a body read from a stream (such as the
    /// `--json` input of `unassign`) that went on past
    /// [`Limits::max_snapshot_bytes`](crate::Limits::max_snapshot_bytes);
    /// reading stopped one byte past the limit, so its size is not known.
    #[error("the body is more than {limit} bytes; the limit is {limit} (max_snapshot_bytes)")]
    TooLargeStream {
        /// The limit.
        limit: usize,
    },
    /// 400 `INVALID_REQUEST_BODY`: the body is not a valid request.
    #[error("Request body is invalid: {reason}")]
    InvalidRequestBody {
        /// What is wrong with it (serde's message).
        reason: String,
    },
    /// 500 `INVALID_STORE`: the store snapshot failed its integrity checks.
    #[error("Store snapshot is invalid: {}", problems_text(.0.problems()))]
    InvalidStore(#[from] StoreError),
    /// 500 `INVALID_STORE`: the store snapshot is not JSON of the
    /// snapshot's shape. The store is the server's data, not the caller's
    /// request, so this is the server's error, like a failed integrity
    /// check.
    #[error("Store snapshot is invalid: {reason}")]
    UnreadableStore {
        /// What is wrong with it (serde's message, with the line and column
        /// in the store's text).
        reason: String,
    },
}

impl EcwidError {
    /// The HTTP status of the response.
    pub fn status(&self) -> u16 {
        match self {
            EcwidError::MissingScope => 403,
            EcwidError::CategoryNotFound { .. } => 404,
            EcwidError::EmptyProductIds
            | EcwidError::TooManyProductIds { .. }
            | EcwidError::TooLarge { .. }
            | EcwidError::TooLargeStream { .. }
            | EcwidError::InvalidRequestBody { .. } => 400,
            EcwidError::InvalidStore(_) | EcwidError::UnreadableStore { .. } => 500,
        }
    }

    /// The `errorCode` of the body.
    pub fn error_code(&self) -> &'static str {
        match self {
            EcwidError::MissingScope => "FORBIDDEN",
            EcwidError::CategoryNotFound { .. } => "CATEGORY_NOT_FOUND",
            EcwidError::EmptyProductIds | EcwidError::InvalidRequestBody { .. } => {
                "INVALID_REQUEST_BODY"
            }
            EcwidError::TooManyProductIds { .. }
            | EcwidError::TooLarge { .. }
            | EcwidError::TooLargeStream { .. } => "LIMIT_EXCEEDED",
            EcwidError::InvalidStore(_) | EcwidError::UnreadableStore { .. } => "INVALID_STORE",
        }
    }

    /// The response body: `{"errorMessage":...,"errorCode":...}`.
    pub fn body(&self) -> EcwidErrorBody {
        EcwidErrorBody {
            error_message: self.to_string(),
            error_code: self.error_code().to_owned(),
        }
    }
}
