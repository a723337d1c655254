//! Ecwid `unassignProducts`: a store snapshot, the wire types, and the
//! operation as a pure plan followed by a separate apply.
//!
//! - store: [`Store`] (loading, integrity, writing back as read),
//!   [`StoreSnapshot`], [`StoreError`], [`StoreLoadError`];
//! - wire: [`UnassignProductsRequest`], [`UnassignProductsResponse`],
//!   [`EcwidError`] and its body [`EcwidErrorBody`];
//! - unassign: [`authorize`], [`plan`], [`apply`], [`unassign_products`].
//!
//! `POST /api/v3/{storeId}/categories/{categoryId}/unassignProducts` with
//! `{"productIds":[...]}` removes the category from each listed product and
//! answers `{"deleteCount":1}` if any product was unassigned, else
//! `{"deleteCount":0}`. Products are never deleted; a product left without
//! any category is assigned to the top-level category (id 0).
//!
//! ```
//! use catalog_filter::Limits;
//! use catalog_filter::ecwid::{self, Store, UnassignProductsRequest};
//!
//! let mut store = Store::from_json(r#"{
//!   "categories": [{"id": 9691094, "parent_id": 0, "name": "Sale"},
//!                  {"id": 9691103, "parent_id": 0, "name": "Sneakers"}],
//!   "products": [
//!     {"id": 37208345, "name": "Canvas Sneakers", "category_ids": [9691094]},
//!     {"id": 37208346, "name": "Trail Runners", "category_ids": [9691103, 9691094], "price": 1e2},
//!     {"id": 37208347, "name": "Sticker", "category_ids": []}
//!   ]
//! }"#)?;
//!
//! // What a server does, in the documented order: scope, then plan (which
//! // checks the category, then the request), then apply.
//! ecwid::authorize(&["read_catalog", "update_catalog"])?;
//! let request: UnassignProductsRequest = serde_json::from_str(r#"{"productIds":[37208345]}"#)?;
//! let plan = ecwid::plan(&store, 9691094, &request, &Limits::default())?;
//! assert_eq!(serde_json::to_string(&plan.response)?, r#"{"deleteCount":1}"#);
//! assert!(plan.changes[0].rehomed); // its only category was removed
//!
//! ecwid::apply(&mut store, &plan);
//! assert_eq!(store.product(37208345).map(|p| p.category_ids.clone()), Some(vec![0]));
//! assert_eq!(store.product(37208346).map(|p| p.category_ids.clone()), Some(vec![9691103, 9691094]));
//! // Written back as read, with only the changed list spliced in.
//! assert_eq!(
//!     store.to_json(),
//!     r#"{"categories":[{"id":9691094,"parent_id":0,"name":"Sale"},{"id":9691103,"parent_id":0,"name":"Sneakers"}],"products":[{"id":37208345,"name":"Canvas Sneakers","category_ids":[0]},{"id":37208346,"name":"Trail Runners","category_ids":[9691103,9691094],"price":1e2},{"id":37208347,"name":"Sticker","category_ids":[]}]}"#
//! );
//!
//! // Errors carry an HTTP status and Ecwid's error body.
//! let err = ecwid::plan(&store, 42, &request, &Limits::default()).unwrap_err();
//! assert_eq!(err.status(), 404);
//! assert_eq!(
//!     serde_json::to_string(&err.body())?,
//!     r#"{"errorMessage":"Category 42 not found","errorCode":"CATEGORY_NOT_FOUND"}"#
//! );
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! # Snapshot
//!
//! `{"categories":[{"id","parent_id","name"}],"products":[{"id","name","category_ids":[...]}]}`
//! with integer (`u64`) ids. [`StoreSnapshot`] is the plain data;
//! [`Store`] is a snapshot that passed its integrity checks, loaded
//! straight from its bytes ([`Store::from_json`], [`Store::load`]; also
//! what `serde_json::from_str::<Store>` gives). Decisions where the
//! vendor's documents are silent (also in DECISIONS.md):
//!
//! - The top-level category 0 always exists implicitly; a stored category
//!   with id 0 is an integrity problem. A category whose `parent_id` is `0`,
//!   `null` or absent is top level.
//! - A stored product whose `category_ids` is empty, `null` or absent loads
//!   as `[0]`, and is written back as it was given unless an operation
//!   changes it. A product may be in 0 and in other categories at once
//!   (Ecwid's "store front page" plus categories). `null` for `categories`
//!   or `products` reads as empty.
//! - Integrity checks report every problem at once ([`StoreError`]):
//!   category id 0, duplicate category ids, unknown parents, parent cycles,
//!   duplicate product ids, products naming unknown categories, and a
//!   product listing the same category twice.
//! - Nothing is lost: writing a loaded store ([`Store::to_json`],
//!   [`Store::write_json`], serde) copies the text it was read from,
//!   splicing in only the `category_ids` lists an operation changed (their
//!   remaining elements as written; a product left with none gets `[0]`).
//!   Member order, unknown members of the top level, categories and
//!   products (also readable as `other`), numbers with their exact text,
//!   `null`s and empty lists all stay. `to_json` leaves out whitespace
//!   outside strings, so a compact input comes back byte for byte;
//!   [`Store::write_json_as_read`] keeps it.
//! - Loading reads the bytes once, straight into the typed data (no
//!   intermediate `serde_json::Value`); a document over
//!   [`Limits::max_snapshot_bytes`](crate::Limits::max_snapshot_bytes) is refused before parsing. A member
//!   given twice in one object, anywhere in the snapshot, is a JSON error,
//!   and so is a lone surrogate escape (`"\ud800"`), each with its line and
//!   column in the whole document.
//!
//! # Semantics
//!
//! - Only the named category is removed; its subcategories are not touched
//!   (unlike Elastic Path's detach, which works on subtrees).
//! - Unknown product ids are ignored and reported in
//!   [`UnassignPlan::unknown_product_ids`], each once, in request order.
//! - A product id listed twice is handled once.
//! - `deleteCount` is 1 exactly when some listed product actually left the
//!   category (see [`UnassignPlan::changes`]).
//! - Unassigning from the top-level category 0: a product whose only
//!   category is 0 would be re-homed straight back into 0, so it stays as it
//!   is and does not count as having left (it goes to
//!   [`UnassignPlan::unchanged`]). A product in 0 and in other categories
//!   leaves 0 and counts.
//! - Limits: a request with more than [`Limits::max_product_ids`](crate::Limits::max_product_ids) entries
//!   (duplicates included: the limit is on the request's size) is refused
//!   before any product is looked at. (Parsing a body is linear in its size;
//!   a server should also cap the body's bytes.)
//! - [`plan`] never mutates; [`apply`] takes `&mut Store` so that applying to
//!   a large store copies nothing (clone the store first to keep the old
//!   one: the text is shared, not copied). `apply` re-derives each change from the store it is given, so it
//!   keeps every integrity invariant even with a plan made from another
//!   store, and applying the same plan twice is the same as applying it once.
//!
//! # Errors
//!
//! Checks run in this order: scope ([`authorize`], 403), the store's shape
//! and integrity (500, when the store is read per request, as `unassign --json` does), category
//! (404), request (400); [`unassign_products`] runs the sequence on a
//! loaded store and a raw request body, as a server would. Each [`EcwidError`] has an HTTP
//! [`status`](EcwidError::status) and an Ecwid body
//! `{"errorMessage":"...","errorCode":"..."}`:
//!
//! | status | `errorCode` | when |
//! |---|---|---|
//! | 403 | `FORBIDDEN` | the token lacks the `update_catalog` scope |
//! | 404 | `CATEGORY_NOT_FOUND` | `categoryId` names no category (0 always exists) |
//! | 400 | `INVALID_REQUEST_BODY` | the body is not a `{"productIds":[u64...]}` object, or `productIds` is empty |
//! | 400 | `LIMIT_EXCEEDED` | more `productIds` than [`Limits::max_product_ids`](crate::Limits::max_product_ids), or a body over [`Limits::max_snapshot_bytes`](crate::Limits::max_snapshot_bytes) |
//! | 500 | `INVALID_STORE` | a store snapshot is not of the snapshot's shape, or failed its integrity checks |

mod integrity;
mod load;
mod model;
mod store;
mod unassign;
mod wire;

pub use integrity::{StoreError, StoreProblem};
pub use load::StoreLoadError;
pub use model::{Category, CategoryId, ProductId, StoreProduct, StoreSnapshot, TOP_LEVEL_CATEGORY};
pub use store::Store;
pub use unassign::{
    ProductChange, UPDATE_CATALOG_SCOPE, UnassignPlan, apply, authorize, plan, plan_body,
    unassign_products,
};
pub use wire::{EcwidError, EcwidErrorBody, UnassignProductsRequest, UnassignProductsResponse};
