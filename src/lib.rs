//! Parse, validate and evaluate commerce catalog filters, and plan the bulk
//! operations built on them.
//!
//! The filter language is the one of Elastic Path's catalog APIs: conditions
//! such as `eq(sku,book)`, `like(name,*shoe*)`, `in(id,a,b)` or
//! `gt(updated_at,2024-01-01T00:00:00Z)`, joined by `:` (logical AND), and
//! alternatives joined by `|` (logical OR), at the top level as in
//! `eq(sku,a):eq(status,live)|eq(sku,b)` (`:` binds tighter) or in a
//! parenthesised group such as `eq(status,live):(eq(sku,a)|eq(sku,b))`.
//! Which attributes, operators and
//! groups an endpoint accepts is its [`Schema`], a runtime value
//! (detach_nodes' by default).
//!
//! # One way in for each need
//!
//! Parse (structure only, with spans; `Display` is the canonical form):
//!
//! ```
//! use catalog_filter::syntax::{self, Op};
//!
//! let filter = syntax::parse("eq(status,live) : like(name,*shoe*)").unwrap();
//! assert_eq!(filter.conditions().nth(1).unwrap().op, Op::Like);
//! assert_eq!(filter.to_string(), "eq(status,live):like(name,*shoe*)");
//! // Errors say where and what was expected.
//! assert_eq!(syntax::parse("eq(name,café)").unwrap_err().span().range(), 11..13);
//! ```
//!
//! Compile (byte limit, parse and validate in one call) against
//! detach_nodes with [`compile()`], against any schema with
//! [`Schema::compile`], under other limits with a [`CompilerBuilder`]:
//!
//! ```
//! use catalog_filter::{CompilerBuilder, Schema, compile};
//!
//! assert!(compile("eq(status,live):like(name,*shoe*)").is_ok());
//! let err = compile("gt(name,x)").unwrap_err();
//! assert_eq!(err.to_string(), "operator `gt` is not supported for `name`; supported: eq, like, in");
//!
//! // A top-level OR, as the vendor's Go library writes it.
//! let either = Schema::orders().compile("eq(status,complete)|gt(with_tax,1000)").unwrap();
//! assert_eq!(either.to_string(), "eq(status,complete)|gt(with_tax,1000)");
//!
//! let strict = CompilerBuilder::new().max_conditions(1).build();
//! assert!(strict.compile("eq(sku,a):eq(sku,b)").is_err());
//! ```
//!
//! Evaluate, on catalog products, JSON objects or any [`eval::Record`]:
//!
//! ```
//! use catalog_filter::catalog::Product;
//!
//! let filter = catalog_filter::compile("like(name,*shoe*)").unwrap();
//! let mut product = Product::default();
//! product.name = Some("trail shoe".into());
//! assert!(filter.matches(&product));
//! ```
//!
//! Render SQL (a `WHERE` clause with bound parameters):
//!
//! ```
//! use catalog_filter::sql::{self, SqlParam};
//!
//! let filter = catalog_filter::compile("eq(status,live)").unwrap();
//! let rendered = sql::render(&filter);
//! assert_eq!(rendered.sql_where, r#"("products"."status" = $1::text)"#);
//! assert_eq!(rendered.params, [SqlParam::Text("live".into())]);
//! ```
//!
//! Detach products from nodes (Elastic Path), as a plan, then apply it:
//!
//! ```
//! use catalog_filter::Limits;
//! use catalog_filter::catalog::Catalog;
//! use catalog_filter::elasticpath::detach::{self, DetachNodesRequest};
//!
//! let mut catalog = Catalog::from_json(r#"{
//!   "hierarchies": [{"id": "shop"}],
//!   "nodes": [{"id": "shoes", "hierarchy_id": "shop"},
//!             {"id": "running", "hierarchy_id": "shop", "parent_id": "shoes"}],
//!   "products": [
//!     {"id": "00000000-0000-4000-8000-000000000001", "name": "trail shoe", "status": "live",
//!      "node_ids": ["running"]},
//!     {"id": "00000000-0000-4000-8000-000000000002", "name": "shoe polish", "status": "draft",
//!      "node_ids": ["running"]}
//!   ]
//! }"#).unwrap();
//! let request = DetachNodesRequest::new("eq(status,live)", ["shoes", "404"]);
//! let plan = detach::plan(&catalog, &request, &Limits::default()).unwrap();
//! assert_eq!(
//!     serde_json::to_string(&plan.response).unwrap(),
//!     r#"{"meta":{"nodes_detached":1,"nodes_not_found":["404"]}}"#
//! );
//! detach::apply(&mut catalog, &plan);
//! assert!(catalog.products()[0].node_ids.is_empty());
//! assert_eq!(catalog.products()[1].node_ids, ["running"]);
//! ```
//!
//! Unassign products from a category (Ecwid):
//!
//! ```
//! use catalog_filter::Limits;
//! use catalog_filter::ecwid::{self, Store, UnassignProductsRequest};
//!
//! let mut store = Store::from_json(r#"{
//!   "categories": [{"id": 9691094, "parent_id": 0, "name": "Sale"}],
//!   "products": [{"id": 37208345, "name": "Canvas Sneakers", "category_ids": [9691094]}]
//! }"#).unwrap();
//! let request: UnassignProductsRequest = serde_json::from_str(r#"{"productIds":[37208345]}"#).unwrap();
//! let plan = ecwid::plan(&store, 9691094, &request, &Limits::default()).unwrap();
//! assert_eq!(serde_json::to_string(&plan.response).unwrap(), r#"{"deleteCount":1}"#);
//! ecwid::apply(&mut store, &plan);
//! // Left with no category, the product is re-homed to the top level (0).
//! assert_eq!(store.product(37208345).map(|p| p.category_ids.clone()), Some(vec![0]));
//! ```
//!
//! # Modules
//!
//! | module | what |
//! |---|---|
//! | [`syntax`] | the parser: `&str` -> [`syntax::Filter`], a tree borrowing the input, with byte spans |
//! | [`schema`] | [`Schema`]: attributes, operators, value types and rules, limits; presets, builder, JSON/TOML files |
//! | [`validate`] | what a [`ValidFilter`] holds (typed predicates) and the validation errors |
//! | [`build`] | filters built in code, printed canonically, compiled like a string |
//! | [`eval`] | [`ValidFilter::matches`] on any [`eval::Record`] |
//! | [`catalog`] | an Elastic Path catalog snapshot, loaded and written back byte-exact; [`catalog::Catalog::select`] |
//! | [`elasticpath`] | detach_nodes: request, plan, apply, error envelopes |
//! | [`ecwid`] | unassignProducts: store, request, plan, apply, errors |
//! | [`sql`] | a PostgreSQL `WHERE` clause; running detach in PostgreSQL (feature `postgres`) |
//! | `datafusion` | DataFusion expressions over Arrow tables, Parquet, Ballista (feature `datafusion`) |
//! | `axum` | the `filter` query parameter as an axum extractor; error bodies as responses (feature `axum`) |
//!
//! # Stage order
//!
//! Data flows one way: each module imports only modules of earlier stages,
//! and names no type or trait of a later stage in an `impl` header
//! (`.ci/check-stages.sh` checks both in CI, reading the list below; a
//! later stage may add methods to an earlier stage's type, and the script
//! lists each such extension);
//! earliest first, `*` marking a leaf every stage may use:
//!
//! <!-- stages -->
//! diagnostic, suggest*, short*, limits*, pg_ctype*, syntax, schema, pattern, search,
//! validate, error, compiler, miette_impls, build, json, forest, catalog,
//! eval, elasticpath, ecwid, sql, datafusion, synthetic, axum
//! <!-- /stages -->
//!
//! # Features
//!
//! - `postgres`: running detach in a live PostgreSQL database ([`sql`]).
//! - `miette`: `miette::Diagnostic` for [`FilterError`], its parts
//!   ([`syntax::ParseError`], [`validate::ValidationErrors`],
//!   [`validate::ValidationError`], [`validate::FilterTooLong`]): a code,
//!   and one label per problem on its span with its message. Attach the
//!   filter text when reporting
//!   (`miette::Report::new(err).with_source_code(input)`); the built-in
//!   caret renderer ([`FilterError::render`]) stays the default.
//! - `synthetic`: a seeded generator of catalogs and filters, for the
//!   crate's own tests and benchmarks (not part of the API).
//! - `datafusion`: filters as Apache DataFusion expressions over a
//!   catalog's Arrow tables, and Parquet export (`datafusion` module; needs
//!   rustc 1.94, as DataFusion 55 does).
//! - `axum`: an axum 0.8 extractor for the `filter` query parameter and
//!   `IntoResponse` for both vendors' error bodies (`axum` module).
//! - `server`: the `catalog-filter-server` program (both endpoints over
//!   durable embedded stores, behind bearer tokens); not a library API.
#![forbid(unsafe_code)]
#![warn(missing_docs)]

#[cfg(feature = "axum")]
pub mod axum;
pub mod build;
pub mod catalog;
mod compiler;
#[cfg(feature = "datafusion")]
pub mod datafusion;
mod diagnostic;
pub mod ecwid;
pub mod elasticpath;
mod error;
pub mod eval;
mod forest;
mod json;
mod limits;
#[cfg(feature = "miette")]
mod miette_impls;
mod pattern;
mod pg_ctype;
pub mod schema;
mod search;
mod short;
pub mod sql;
mod suggest;
pub mod syntax;
#[cfg(feature = "synthetic")]
#[doc(hidden)]
pub mod synthetic;
pub mod validate;

pub use compiler::{Compiler, CompilerBuilder, FilterSeed, compile};
pub use error::FilterError;
pub use limits::Limits;
pub use schema::Schema;
pub use validate::ValidFilter;

/// The README's examples run as doc tests, so the README cannot lie.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
struct ReadmeDoctests;
