//! Schemas: which attributes exist, what type their values have, which
//! operators each one allows, their aliases, value rules and back-end
//! targets, and the schema-wide switches (OR groups, limits).
//!
//! A [`Schema`] is a runtime value (see "The model" below), built with
//! [`Schema::builder`] or loaded from JSON/TOML (see "Schema files"). The presets
//! are [`Schema::detach_nodes`] (the vendor's detach_nodes matrix),
//! [`Schema::orders`] (the vendor helper's orders example) and
//! [`Schema::every_operator`] (detach_nodes' attributes with every operator
//! that fits their type, and OR groups; for tools and tests).
//!
//! ```
//! use catalog_filter::schema::Schema;
//! use catalog_filter::syntax::Op;
//!
//! let schema = Schema::detach_nodes();
//! let isbn = schema.resolve("extensions.book.isbn").unwrap();
//! assert_eq!(isbn.attribute().pattern(), "extensions.<template>.<field>");
//! assert_eq!(isbn.capture("field"), Some("isbn"));
//! assert!(isbn.attribute().supports(Op::Eq) && !isbn.attribute().supports(Op::Like));
//! assert!(schema.resolve("extensions.book").is_err()); // wrong shape
//! ```
//!
//! # The model
//!
//! [`Schema`]: which attributes, value types, operators and aliases a filter
//! may use, as a runtime value.
//!
//! A schema is built in code with [`Schema::builder`] or loaded from JSON or
//! TOML (see "Schema files" below for the format); both paths run the same
//! checks, so every `Schema` value is well formed. The presets
//! [`Schema::detach_nodes`] and [`Schema::orders`] are ordinary schemas.
//!
//! ## Attributes and patterns
//!
//! An attribute is named by a *pattern*: dot-separated segments, each either
//! a literal name (`[A-Za-z0-9_-]+`, the filter language's path segment) or
//! a capture `<name>` (`name` = `[A-Za-z_][A-Za-z0-9_]*`) that matches
//! exactly one path segment. `sku` and `contact.email` are exact names;
//! `extensions.<template>.<field>` matches `extensions.book.isbn` with
//! `template = book`, `field = isbn`, and nothing with another number of
//! segments.
//!
//! Lookup ([`Schema::resolve`]) tries, in order: an exact attribute name, an
//! attribute pattern, an exact alias, an alias pattern. Two patterns that
//! could match the same path are refused when the schema is built (so the
//! order among patterns never matters); an exact name may be more specific
//! than a pattern, and then wins.
//!
//! ## Aliases
//!
//! An alias is another name for an attribute: `order_status` for `status`.
//! It is a pattern too, whose captures are handed to its target:
//! `attributes.locales.<locale>.description` ->
//! `locales.<locale>.description`. This is the vendor Go helper's
//! regular-expression alias `^attributes\.locales\.([a-zA-Z0-9_-]+)\.description$`
//! written with named segment captures: a path segment is already
//! `[A-Za-z0-9_-]+`, so a segment capture is exactly what such an alias
//! captures, without a regular-expression engine, and the alias stays
//! printable, comparable and usable for "did you mean". An alias target may
//! also fix some segments of a pattern attribute: `isbn` ->
//! `extensions.book.isbn`. Every capture of an alias must be used by its
//! target and every capture of the target bound by the alias; the target
//! must be an attribute for every value of the captures.
//!
//! ```
//! use catalog_filter::schema::Schema;
//! use catalog_filter::schema::ValueType;
//! use catalog_filter::syntax::Op;
//!
//! let schema = Schema::builder("orders")
//!     .attribute("status", ValueType::Enum(vec!["complete".into(), "cancelled".into()]), &[Op::Eq])
//!     .alias("order_status", "status")
//!     .attribute("extensions.<template>.<field>", ValueType::Text, &[Op::Eq])
//!     .alias("ext.<template>.<field>", "extensions.<template>.<field>")
//!     .build()
//!     .unwrap();
//!
//! let status = schema.resolve("order_status").unwrap();
//! assert_eq!(status.attribute().pattern(), "status");
//! assert_eq!(status.alias(), Some("order_status"));
//!
//! let isbn = schema.resolve("ext.book.isbn").unwrap();
//! assert_eq!(isbn.capture("template"), Some("book"));
//! assert_eq!(isbn.path(), "extensions.book.isbn");
//!
//! let err = schema.resolve("statuss").unwrap_err();
//! assert_eq!(err.to_string(), "unknown attribute `statuss` in orders; did you mean `status`?");
//! ```
//!
//! # Schema files
//!
//! Schema files: loading a [`Schema`] from JSON or TOML, and writing it back.
//!
//! ## Format
//!
//! ```json
//! {
//!   "name": "orders",
//!   "allow_or": true,
//!   "limits": {"max_complexity": 4, "max_depth": 8, "max_conditions": 10,
//!              "max_in_values": 1000, "max_filter_bytes": 8192},
//!   "attributes": {
//!     "status": {"type": "enum", "values": ["incomplete", "complete"],
//!                "operators": ["eq"], "aliases": ["order_status"]},
//!     "email": {"type": "text", "operators": ["eq", "like"], "max_len": 254,
//!               "email": true, "sql": {"column": "email"}},
//!     "name": {"type": "text", "operators": ["eq"], "lt": 128, "excludes": ["<"]},
//!     "with_tax": {"type": "integer", "operators": ["gt", "ge", "lt", "le"],
//!                  "ge": 0},
//!     "extensions.<template>.<field>": {"type": "text", "operators": ["eq"],
//!                "sql": {"json": ["extensions", "$template", "$field"]}}
//!   },
//!   "aliases": {"isbn": "extensions.book.isbn"}
//! }
//! ```
//!
//! - `name` (required): the schema's name, used in messages.
//! - `allow_or` (default `false`): whether filters may use OR groups.
//! - `limits` (optional): any of the fields of [`crate::Limits`], the others
//!   keeping their defaults: `max_complexity` (OR complexity cap, default 4,
//!   0 = unlimited), `max_depth` (group nesting, default 8),
//!   `max_conditions` (10), `max_in_values` (1,000), `max_filter_bytes`
//!   (8,192), and the request limits `max_node_ids`, `max_product_ids`.
//! - `attributes` (required): pattern -> attribute, in the order given. An
//!   attribute has
//!   - `type`: `text`, `text_list`, `integer`, `decimal`, `boolean`,
//!     `uuid`, `instant`, `enum` or `enum_list` (see
//!     [`ValueType`]); the enum types take `values`,
//!     the others must not;
//!   - `operators`: operator names, at least one, each meaningful for the
//!     type ([`ValueType::allows`]);
//!   - `aliases` (optional): other names or patterns for the attribute, with
//!     the same captures;
//!   - `one_of`, `min_len`, `max_len`, `gt`, `ge`, `lt`, `le`, `email`,
//!     `excludes` (optional): value rules, the Go helper's validator tags
//!     ([`ValueRules`]). `one_of` is a list of values; `min_len`/`max_len`
//!     counts of characters; a bound (`gt` ...) an integer or a decimal
//!     number as a string (`"lt": 128`, `"le": "0.95"`; a float is refused,
//!     bounds are compared exactly), which bounds the value of an integer
//!     or decimal and the length in characters of a text; `email` a
//!     boolean; `excludes` a list of texts a value must not contain;
//!   - `sql` (optional): `{"column": "email"}`, or `{"json": [column, key,
//!     ...]}` where a key `$name` is the capture `<name>` and `$$x` the
//!     literal key `$x`, or (booleans) `{"exists": {"table": t, "column": c,
//!     "key": k}}`: true when a row of `t` has `c` equal to the record's `k`.
//!     Without `sql`, a one-segment attribute is the column of its name and
//!     a longer one a JSON path: the first segment the column, the others
//!     the keys.
//! - `aliases` (optional): alias -> target, for targets that are not
//!   literally an attribute's pattern (`isbn` -> `extensions.book.isbn`).
//!   An alias written here whose target is an attribute's pattern is the
//!   same as one listed under that attribute (and is written back there).
//!
//! Unknown fields are errors. In TOML the same structure reads:
//!
//! ```toml
//! name = "orders"
//! allow_or = true
//!
//! [attributes.status]
//! type = "enum"
//! values = ["incomplete", "complete"]
//! operators = ["eq"]
//!
//! [attributes."extensions.<template>.<field>"]
//! type = "text"
//! operators = ["eq"]
//! ```
//!
//! ## Errors
//!
//! A problem found while reading (bad syntax, an unknown type or operator,
//! an invalid pattern, an attribute defined twice, a limit out of range, or
//! any problem of one attribute on its own) is a [`SchemaError::Load`] with
//! the line and column where the reader was; so are bytes that are not
//! UTF-8, read with [`Schema::from_slice`]. Problems between attributes and
//! aliases (an alias pointing nowhere, overlapping patterns, ...) are found
//! after reading and name the alias or attribute.
//!
//! Loading takes time about linear in the size of the schema (duplicates
//! are hashed, overlaps found through a trie of the patterns' segments):
//! 100,000 attributes load in a fraction of a second.
//!
//! ```
//! use catalog_filter::schema::Schema;
//!
//! let err = Schema::from_json(r#"{"name": "x", "attributes": {
//!   "total": {"type": "integer", "operators": ["eq", "like"]}}}"#).unwrap_err();
//! assert_eq!(
//!     err.to_string(),
//!     "JSON schema, line 2, column 59: attribute `total`: operator `like` does not apply to integer values"
//! );
//! ```

mod attribute;
mod builder;
mod check;
mod config;
mod error;
mod field;
mod index;
mod model;
mod op_set;
mod pattern;
pub(crate) mod presets;
mod product;
mod resolve;
mod rules;
mod sql_target;
mod value;
mod value_type;

pub use attribute::{Alias, AttributeDef};
pub use builder::SchemaBuilder;
pub use check::MAX_DEPTH;
pub use config::ParseOpError;
pub use error::{Format, SchemaError};
pub use field::ProductField;
pub use model::Schema;
pub use op_set::OpSet;
pub use pattern::{AttributePattern, PatternError, Segment};
pub use product::{CommodityType, Owner, ProductType, Status, UnknownEnumValue};
pub use resolve::{AttributeRef, ResolveError, ResolvedAttribute};
pub(crate) use rules::RuleBreak;
pub use sql_target::{JsonKey, SqlTarget};
pub(crate) use value::parse_integer;
pub use value::{Decimal, parse_instant, parse_uuid};
pub use value_type::{ValueRules, ValueType};
