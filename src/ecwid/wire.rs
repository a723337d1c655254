//! The wire types: the request and response bodies, and Ecwid's errors
//! with their HTTP status and `{"errorMessage","errorCode"}` body.

use super::integrity::{StoreError, problems_text};
use super::model::{CategoryId, ProductId};
use crate::json::{Counted, CountedSeq, check_text};
use serde::de::{self, DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde::{Deserialize, Serialize};
use std::fmt;

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

/// A request body read by [`read_request`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum ReadRequest {
    /// Every id (at most the limit).
    Listed(UnassignProductsRequest),
    /// More ids than the limit: how many (the ids were not kept).
    TooMany(usize),
}

/// Reads a request body as [`UnassignProductsRequest::from_json`] does
/// (the same errors, with serde's same messages), keeping at most
/// `max_product_ids` ids: the ids past the limit are counted, never
/// materialised (nor checked to be integers), so a list far over the limit
/// costs the memory of the limit and is [`ReadRequest::TooMany`].
pub(crate) fn read_request(body: &str, max_product_ids: usize) -> Result<ReadRequest, EcwidError> {
    let invalid = |reason: String| EcwidError::InvalidRequestBody { reason };
    check_text(body, 0..body.len()).map_err(|e| invalid(e.to_string()))?;
    let mut de = serde_json::Deserializer::from_str(body);
    let ids = RequestSeed {
        limit: max_product_ids,
    }
    .deserialize(&mut de)
    .and_then(|ids| de.end().map(|()| ids))
    .map_err(|e| invalid(e.to_string()))?;
    Ok(if ids.is_over() {
        ReadRequest::TooMany(ids.count)
    } else {
        ReadRequest::Listed(UnassignProductsRequest {
            product_ids: ids.items,
        })
    })
}

/// [`UnassignProductsRequest`]'s derived `Deserialize`, with its messages
/// (`missing field`, `expected struct ...`; a repeated member is refused
/// before, by `check_text`), reading
/// `productIds` with a [`CountedSeq`].
struct RequestSeed {
    limit: usize,
}

const REQUEST: &str = "UnassignProductsRequest";

impl<'de> DeserializeSeed<'de> for RequestSeed {
    type Value = Counted<ProductId>;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_struct(REQUEST, &["productIds"], self)
    }
}

impl<'de> Visitor<'de> for RequestSeed {
    type Value = Counted<ProductId>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "struct {REQUEST}")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        match seq.next_element_seed(CountedSeq::new(self.limit))? {
            Some(ids) => Ok(ids),
            None => Err(de::Error::invalid_length(
                0,
                &"struct UnassignProductsRequest with 1 element",
            )),
        }
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let mut ids = None;
        while let Some(field) = map.next_key::<Field>()? {
            // A repeated `productIds` never gets here: `check_text` refused
            // it first, at its line and column.
            match field {
                Field::ProductIds => ids = Some(map.next_value_seed(CountedSeq::new(self.limit))?),
                Field::Other => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        ids.ok_or_else(|| de::Error::missing_field("productIds"))
    }
}

/// A member name of the request, as the derive reads it.
enum Field {
    ProductIds,
    Other,
}

impl<'de> Deserialize<'de> for Field {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Field, D::Error> {
        struct FieldVisitor;
        impl Visitor<'_> for FieldVisitor {
            type Value = Field;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("field identifier")
            }
            // JSON member names are strings: serde_json never hands a
            // number or bytes here.
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Field, E> {
                Ok(if v == "productIds" {
                    Field::ProductIds
                } else {
                    Field::Other
                })
            }
        }
        d.deserialize_identifier(FieldVisitor)
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

#[cfg(test)]
mod tests {
    use super::*;

    fn derived(body: &str) -> Result<ReadRequest, EcwidError> {
        UnassignProductsRequest::from_json(body).map(ReadRequest::Listed)
    }

    #[test]
    fn reads_as_the_derive_does() {
        for body in [
            r#"{"productIds":[1,2,3]}"#,
            r#"{"productIds":[]}"#,
            r#"{"productIds":[1],"x":[1e400,{"a":"b"}],"y":null}"#,
            r#"{"x":1,"productIds":[18446744073709551615]}"#,
            r#"{"product\u0049ds":[4]}"#,
            r#"{"productIds":[1],"productIds":[2]}"#,
            r#"{"productIds":[-1]}"#,
            r#"{"productIds":[1.5]}"#,
            r#"{"productIds":["1"]}"#,
            r#"{"productIds":[18446744073709551616]}"#,
            r#"{"productIds":[1e400]}"#,
            r#"{"productIds":null}"#,
            r#"{"productIds":{}}"#,
            r#"{"productIds":"1"}"#,
            r#"{}"#,
            r#"[]"#,
            r#"[[1,2]]"#,
            r#"[[1],[2]]"#,
            r#"[[1],"#,
            "null",
            "5",
            "\"x\"",
            "nope",
            "",
            r#"{"productIds":[1]} x"#,
            r#"{"productIds":[1,]}"#,
            r#"{"productIds":[1]"#,
            r#"{"a":"\ud800","productIds":[1]}"#,
        ] {
            assert_eq!(read_request(body, usize::MAX), derived(body), "{body}");
            assert_eq!(read_request(body, 3), derived(body), "{body}");
        }
    }

    #[test]
    fn ids_past_the_limit_are_counted_never_read() {
        // Past the limit: not integers, yet counted.
        let body = r#"{"productIds":[1,2,"x",-1,1.5,{"a":[1]},null]}"#;
        assert_eq!(read_request(body, 2), Ok(ReadRequest::TooMany(7)));
        assert!(derived(body).is_err());
        assert_eq!(
            read_request(r#"{"productIds":[1,2]}"#, 2),
            Ok(ReadRequest::Listed(UnassignProductsRequest::new([1, 2])))
        );
        assert_eq!(read_request(r#"[[1,2]]"#, 1), Ok(ReadRequest::TooMany(2)));
        // Within the limit, the derive's error.
        let body = r#"{"productIds":[1,"x",3]}"#;
        assert_eq!(read_request(body, 2), derived(body));
    }
}
