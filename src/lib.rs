//! catalog-filter (crate docs are written in full once the stages exist).
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
