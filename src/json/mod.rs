//! JSON kept as written: numbers with their exact text, free-form attribute
//! values, and the writer that copies a document back byte for byte while
//! splicing in the few values an operation changed.
//!
//! Snapshots are read straight from their bytes. Whatever an operation does
//! not change is written back by copying the input text, so members in any
//! order, unknown members, numbers of any size or form (`1E400`, `-0`,
//! `12345678901234567890123`, 17-digit doubles), strings with their escapes
//! and timestamps as written all survive. Only the parts that filters and
//! integrity checks need are parsed into typed values.
//!
//! ```
//! use catalog_filter::catalog::{AttributeValue, JsonNumber};
//!
//! let v: AttributeValue = serde_json::from_str("0.9455199068242589").unwrap();
//! assert_eq!(v, AttributeValue::Number(JsonNumber::new("0.9455199068242589").unwrap()));
//! // Filters compare the text form: a number as written in the snapshot.
//! assert_eq!(v.text(), Some("0.9455199068242589"));
//! assert_eq!(serde_json::to_string(&v).unwrap(), "0.9455199068242589");
//! ```

mod check;
mod counted;
mod document;
mod load;
mod number;
mod object;
mod position;
mod seed;
mod source;
mod text;
mod value;
mod write;

pub(crate) use check::{TextError, check_text};
pub(crate) use counted::{Counted, CountedSeq, Skip};
pub(crate) use document::DocumentError;
pub(crate) use load::{
    Loadable, load, load_slice, load_str, load_string, load_vec, snapshot_methods,
};
pub use number::JsonNumber;
pub use object::{Attributes, Extensions, Object};
pub(crate) use position::{relocate, unplaced};
pub(crate) use seed::{Base, Borrowed, ExactList, ObjectSeed, TextListSeed, TextSeed, ValueSeed};
pub(crate) use source::{Source, Spans};
pub use text::Text;
pub use value::AttributeValue;
pub use write::write_compact;
pub(crate) use write::{kept_list, span_in};
