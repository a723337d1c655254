//! The filter language: the tree (AND, OR, conditions), grammar, canonical
//! printing and parse errors.
//!
//! ```
//! use catalog_filter::syntax::{parse, Expr, Op, Span};
//!
//! let filter = parse("eq (sku, book) : gt(updated_at,2024-01-01T00:00:00Z)").unwrap();
//! let Expr::And(and) = &filter.expr else { panic!("two conditions") };
//! let Expr::Condition(first) = &and.terms[0] else { panic!("a condition") };
//! assert_eq!(first.op, Op::Eq);
//! assert_eq!(first.attribute.path, "sku");
//! assert_eq!(first.values[0].text, "book");
//! assert_eq!(first.values[0].span, Span::new(9, 13));
//! assert_eq!(filter.to_string(), "eq(sku,book):gt(updated_at,2024-01-01T00:00:00Z)");
//! ```

mod ast;
mod display;
mod error;
mod parse;

pub use crate::diagnostic::render_diagnostic;
pub use ast::{
    Arity, Attribute, Condition, Conditions, Expr, Filter, Group, Op, Span, Value, ValueList,
};
pub(crate) use display::write_expr;
pub use error::{Expected, ParseError, ParseErrorKind};
pub(crate) use parse::{NAME, each_condition};
pub use parse::{parse, parse_with};
