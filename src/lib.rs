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
pub mod syntax;
pub mod synthetic;
pub mod validate;

pub use limits::Limits;
