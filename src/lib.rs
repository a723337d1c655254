//! Parse, validate and evaluate commerce catalog filters, and plan the bulk
//! operations built on them.
//!
//! The filter language is the one of Elastic Path's catalog APIs: conditions
//! such as `eq(sku,book)`, `like(name,*shoe*)`, `in(id,a,b)` or
//! `gt(updated_at,2024-01-01T00:00:00Z)`, joined by `:` (logical AND).
//!
//! ```
//! use catalog_filter::syntax::{parse, Op};
//!
//! let filter = parse("eq(status,live):like(name,*shoe*)").unwrap();
//! assert_eq!(filter.conditions[1].op, Op::Like);
//! assert_eq!(filter.to_string(), "eq(status,live):like(name,*shoe*)");
//!
//! // Errors say where and what was expected.
//! let err = parse("eq(name,café)").unwrap_err();
//! assert_eq!(err.span().range(), 11..13);
//! ```
#![forbid(unsafe_code)]
#![warn(missing_docs)]

pub mod catalog;
pub mod detach;
pub mod ecwid;
pub mod error;
pub mod eval;
pub mod limits;
pub mod schema;
pub mod sql;
mod suggest;
pub mod syntax;
pub mod synthetic;
pub mod validate;

pub use error::{
    ApiError, ErrorEnvelope, FilterError, ValidationError, ValidationErrorKind, ValidationErrors,
};
pub use limits::Limits;
pub use schema::Field;
pub use validate::{ValidCondition, ValidFilter, ValueList, Values, compile, compile_with};

/// The README's examples run as doc tests, so the README cannot lie.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
struct ReadmeDoctests;
