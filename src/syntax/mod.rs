//! The filter language: AST, grammar, canonical printing and parse errors.
//!
//! ```
//! use catalog_filter::syntax::{Filter, Op, Span};
//!
//! let filter: Filter = "eq (sku, book) : gt(updated_at,2024-01-01T00:00:00Z)".parse().unwrap();
//! let first = &filter.conditions[0];
//! assert_eq!(first.op, Op::Eq);
//! assert_eq!(first.attribute.path, "sku");
//! assert_eq!(first.values[0].text, "book");
//! assert_eq!(first.values[0].span, Span::new(9, 13));
//! assert_eq!(filter.to_string(), "eq(sku,book):gt(updated_at,2024-01-01T00:00:00Z)");
//! ```

pub mod ast;
mod display;
pub mod error;
mod parse;

pub use crate::diagnostic::render_diagnostic;
pub use ast::{Attribute, Condition, Filter, Op, Span, Value};
pub use error::{Expected, ParseError, ParseErrorKind};
pub use parse::parse;
