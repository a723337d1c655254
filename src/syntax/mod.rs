//! The filter language: AST, grammar, canonical printing and parse errors.

pub mod ast;
pub mod error;
pub mod parse;

pub use ast::{Attribute, Condition, Filter, Op, Span, Value};
pub use error::{Expected, ParseError, ParseErrorKind};
pub use parse::parse;
