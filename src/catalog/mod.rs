//! The catalog model: [`Product`], [`Node`], [`Hierarchy`] and the checked,
//! indexed [`Catalog`] snapshot that evaluation and detach work on.
//!
//! A snapshot is JSON of this shape:
//! `{"hierarchies":[...], "nodes":[...], "products":[...]}`. Loading it
//! ([`Catalog::from_json`], [`Catalog::new`]) checks its integrity and reports
//! every problem at once as [`IntegrityErrors`].
//!
//! Nodes are numbered in *positions*: pre-order, grouped by hierarchy
//! (hierarchies, roots and children each in input order). So "node N and
//! everything below it" and "every node of hierarchy H" are each one
//! contiguous range of positions ([`Catalog::resolve`]), and a product's
//! memberships are stored as positions ([`Catalog::memberships`]): asking
//! "is this membership inside any requested subtree" is a range test, with no
//! string work per product.
//!
//! ```
//! use catalog_filter::catalog::Catalog;
//!
//! let catalog = Catalog::from_json(r#"{
//!   "hierarchies": [{"id": "h1", "name": "Shop"}],
//!   "nodes": [
//!     {"id": "10", "hierarchy_id": "h1", "name": "Shoes"},
//!     {"id": "11", "hierarchy_id": "h1", "parent_id": "10", "name": "Running"},
//!     {"id": "20", "hierarchy_id": "h1", "name": "Books"}
//!   ],
//!   "products": [
//!     {"id": "9f1c2a34-0d6e-4c1a-8a53-2f4b7c9d0e11", "name": "Trail shoe",
//!      "node_ids": ["11", "20"]}
//!   ]
//! }"#)?;
//!
//! // "10" and the node below it are positions 0..2; the whole hierarchy 0..3.
//! assert_eq!(catalog.resolve("10"), Some(0..2));
//! assert_eq!(catalog.resolve("h1"), Some(0..3));
//! assert_eq!(catalog.resolve("404"), None);
//! // The product's memberships, as positions, in `node_ids` order.
//! assert_eq!(catalog.memberships(0), &[1, 2]);
//! assert_eq!(catalog.node_at(1).map(|n| n.id.as_str()), Some("11"));
//!
//! // A snapshot naming a node that does not exist is refused, with every
//! // problem listed.
//! let err = Catalog::from_json(r#"{"products": [
//!   {"id": "9f1c2a34-0d6e-4c1a-8a53-2f4b7c9d0e11", "node_ids": ["7"]}
//! ]}"#).unwrap_err();
//! assert_eq!(err.integrity().map(|e| e.missing_node_ids()), Some(vec!["7"]));
//! # Ok::<(), catalog_filter::catalog::CatalogError>(())
//! ```
//!
//! Decisions (also in DECISIONS.md):
//! - A node id equal to a hierarchy id is refused
//!   ([`IntegrityError::NodeIdIsHierarchyId`]): detach lets a requested id name
//!   either, so the two must not collide.
//! - A product naming the same node twice is refused
//!   ([`IntegrityError::DuplicateMembership`]): memberships are a set.
//! - Product `id` and `parent_id` must be hyphenated UUIDs (any hex case), as
//!   in filters.
//! - A member given twice in one object, anywhere in the snapshot, and a
//!   lone surrogate escape (`"\ud800"`), wherever it stands, are JSON
//!   errors ([`CatalogError::Json`]) giving the line and column in the
//!   whole document.
//! - Nothing is lost: writing a loaded catalog ([`Catalog::to_json`],
//!   [`Catalog::write_json`]) copies the text it was read from, splicing in
//!   only the `node_ids` lists an operation changed (their remaining
//!   elements as written). Ids keep their case, timestamps their spelling,
//!   numbers their text, `null`s and empty lists stay, unknown members of
//!   every object stay where they were. `to_json` leaves out whitespace
//!   outside strings, so a compact input comes back byte for byte.
//! - `null` for a product list or object field reads as empty.
//! - Loading reads the bytes once, straight into the typed model (no
//!   intermediate `serde_json::Value`); a document over
//!   [`Limits::max_snapshot_bytes`](crate::Limits::max_snapshot_bytes) is
//!   refused before parsing. Unknown members are skipped without recursion,
//!   so deep nesting in them cannot exhaust the stack.
//! - A typed [`Snapshot`] ([`Catalog::new`]) is written as serde writes it
//!   and loaded back.

pub(crate) mod columns;
mod index;
mod integrity;
mod load;
mod model;

pub use index::Catalog;
pub use integrity::{IntegrityError, IntegrityErrors};
pub use load::CatalogError;
#[cfg(feature = "datafusion")]
pub(crate) use load::without_node_ids;
pub use model::{Hierarchy, Node, Product, Snapshot};

pub use crate::json::write_compact;
pub use crate::json::{AttributeValue, Attributes, Extensions, JsonNumber, Object, Text};
