//! Parse, validate and evaluate commerce catalog filters, and plan the bulk
//! operations built on them.
//!
//! The filter language is the one of Elastic Path's catalog APIs: conditions
//! such as `eq(sku,book)`, `like(name,*shoe*)`, `in(id,a,b)` or
//! `gt(updated_at,2024-01-01T00:00:00Z)`, joined by `:` (logical AND), and
//! groups of alternatives joined by `|` (logical OR) in parentheses, such as
//! `(eq(sku,a):eq(status,live)|eq(sku,b))`. Which attributes, operators and
//! groups an endpoint accepts is its [`schema::Schema`], a runtime value
//! (detach_nodes' by default; any other with [`compile_with_schema`]).
//! Data flows one way, and each stage is usable alone:
//!
//! | stage | module | in -> out |
//! |---|---|---|
//! | parse | [`syntax`] | `&str` -> [`syntax::Filter`], a tree (AND, OR, conditions) borrowing the input, with byte spans; `Display` prints the canonical form |
//! | validate | [`validate`], [`schema`] | `Filter` -> [`ValidFilter`], a tree of typed predicates, or every problem at once |
//! | compile | [`compile`](mod@compile) | byte limit + parse + validate in one call, to a [`ValidFilter`] or a [`FilterError`]; serde for `ValidFilter` |
//! | build | [`build`] | filters built in code, printed canonically, validated like a parsed string |
//! | evaluate | [`eval`] | [`ValidFilter::matches`], [`catalog::Catalog::select`] |
//! | plan, apply | [`elasticpath`], [`ecwid`] | a snapshot + a request -> a plan and the response; then `apply` |
//! | SQL | [`sql`] | a `WHERE` clause with bound parameters; PostgreSQL behind the `postgres` feature |
//! | DataFusion | `datafusion` (feature) | a DataFusion `Expr` over a catalog's Arrow tables; Parquet export |
//!
//! # Stage order
//!
//! Each module imports only modules of earlier stages (`.ci/check-stages.sh`
//! checks it in CI, from its copy of this list); earliest first:
//!
//! [`diagnostic`], then the leaves every stage may use ([`limits`] and the
//! private `suggest`), [`syntax`], [`schema`], [`pattern`], [`search`],
//! [`validate`], [`error`], [`compile`](mod@compile), the private `miette_impls`
//! (feature `miette`), [`build`], [`json`], the private
//! `forest`, [`catalog`], [`eval`], [`elasticpath`], [`ecwid`], [`sql`],
//! `datafusion` (feature `datafusion`), `synthetic` (feature `synthetic`).
//!
//! So validation knows only its own [`ValidationErrors`]; the joining
//! [`FilterError`] comes after it, and the one-call entry points that return
//! it ([`compile()`], [`compile_with_schema`], ...) after that.
//!
//! # Features
//!
//! - `postgres`: running detach in a live PostgreSQL database ([`sql`]).
//! - `miette`: `miette::Diagnostic` for [`FilterError`], its parts
//!   ([`syntax::ParseError`], [`ValidationErrors`], [`ValidationError`],
//!   [`FilterTooLong`]): a code, and one label per problem on its span with
//!   its message. Attach the filter text when reporting
//!   (`miette::Report::new(err).with_source_code(input)`); the built-in caret
//!   renderer (`render`) stays the default.
//! - `synthetic`: a seeded generator of catalogs and filters, for tests and
//!   benchmarks.
//! - `datafusion`: filters as Apache DataFusion expressions over a
//!   catalog's Arrow tables, and Parquet export (`datafusion` module; needs
//!   rustc 1.94, as DataFusion 55 does).
//!
//! A worked example, from a filter string to a detach:
//!
//! ```
//! use catalog_filter::catalog::Catalog;
//! use catalog_filter::elasticpath::detach::{self, DetachNodesRequest};
//! use catalog_filter::syntax::{parse, Op};
//! use catalog_filter::{Limits, compile};
//!
//! // 1. Parse: structure only, with spans.
//! let filter = parse("eq(status,live) : like(name,*shoe*)").unwrap();
//! assert_eq!(filter.conditions().nth(1).unwrap().op, Op::Like);
//! assert_eq!(filter.to_string(), "eq(status,live):like(name,*shoe*)");
//!
//! // Errors say where and what was expected.
//! let err = parse("eq(name,café)").unwrap_err();
//! assert_eq!(err.span().range(), 11..13);
//!
//! // 2. Validate against the detach_nodes schema (parse + validate in one call).
//! let filter = compile("eq(status,live):like(name,*shoe*)").unwrap();
//! let err = compile("gt(name,x)").unwrap_err();
//! assert_eq!(err.to_string(), "operator `gt` is not supported for `name`; supported: eq, like, in");
//!
//! // 3. Evaluate against a snapshot.
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
//! let matched: Vec<usize> = catalog.select(&filter).map(|(i, _)| i).collect();
//! assert_eq!(matched, [0]);
//!
//! // 4. Plan a detach from "shoes" (and the nodes below it), then apply it.
//! let request = DetachNodesRequest::new(filter.to_string(), ["shoes", "404"]);
//! let plan = detach::plan(&catalog, &request, &Limits::default()).unwrap();
//! assert_eq!(
//!     serde_json::to_string(&plan.response).unwrap(),
//!     r#"{"meta":{"nodes_detached":1,"nodes_not_found":["404"]}}"#
//! );
//! detach::apply(&mut catalog, &plan);
//! assert!(catalog.products()[0].node_ids.is_empty());
//! assert_eq!(catalog.products()[1].node_ids, ["running"]);
//! ```
#![forbid(unsafe_code)]
#![warn(missing_docs)]

pub mod build;
pub mod catalog;
pub mod compile;
#[cfg(feature = "datafusion")]
pub mod datafusion;
pub mod diagnostic;
pub mod ecwid;
pub mod elasticpath;
pub mod error;
pub mod eval;
mod forest;
pub mod json;
pub mod limits;
#[cfg(feature = "miette")]
mod miette_impls;
pub mod pattern;
pub mod schema;
pub mod search;
mod short;
pub mod sql;
mod suggest;
pub mod syntax;
#[cfg(feature = "synthetic")]
pub mod synthetic;
pub mod validate;

pub use compile::{compile, compile_for, compile_with, compile_with_schema};
pub use error::FilterError;
pub use limits::Limits;
pub use validate::{
    ConditionRef, FilterTooLong, Predicate, ValidExpr, ValidFilter,
    ValidationError, ValidationErrorKind, ValidationErrors, ValueList,
};

/// The README's examples run as doc tests, so the README cannot lie.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
struct ReadmeDoctests;
