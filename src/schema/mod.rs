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
//!               "sql": {"column": "email"}},
//!     "with_tax": {"type": "integer", "operators": ["gt", "ge", "lt", "le"]},
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
//!   - `one_of`, `min_len`, `max_len` (optional): value rules
//!     ([`ValueRules`]);
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
//! an invalid pattern, an attribute defined twice, or any problem of one
//! attribute on its own) is a [`SchemaError::Load`] with the line and column
//! where the reader was. Problems between attributes and aliases (an alias
//! pointing nowhere, overlapping patterns, ...) are found after reading and
//! name the alias or attribute.
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

mod builder;
mod config;
mod field;
mod model;
pub(crate) mod presets;
mod value;

pub use builder::{Format, MAX_DEPTH, SchemaBuilder, SchemaError};
pub use config::ParseOpError;
pub use field::ProductField;
pub use model::{
    Alias, AttributeDef, AttributePattern, AttributeRef, JsonKey, PatternError, ResolveError,
    ResolvedAttribute, Schema, Segment, SqlTarget, ValueRules, ValueType,
};
pub use value::{Decimal, parse_instant, parse_uuid};

use crate::syntax::Op;
use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// Declares a closed, lower-case enumeration used both in filters and in
/// snapshots: `FromStr` accepts exactly the lower-case names, `Display` and
/// serde print them.
macro_rules! text_enum {
    ($(#[$doc:meta])* $name:ident { $($(#[$vdoc:meta])* $variant:ident => $text:literal),+ $(,)? }) => {
        $(#[$doc])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        pub enum $name {
            $($(#[$vdoc])* #[serde(rename = $text)] $variant),+
        }

        impl $name {
            /// Every value, in documentation order.
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            /// The value as written in filters and snapshots.
            pub const fn as_str(self) -> &'static str {
                match self { $($name::$variant => $text),+ }
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl FromStr for $name {
            type Err = UnknownEnumValue;

            /// Accepts exactly one of the lower-case names; anything else is
            /// an [`UnknownEnumValue`].
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                $name::ALL
                    .iter()
                    .copied()
                    .find(|v| v.as_str() == s)
                    .ok_or(UnknownEnumValue)
            }
        }
    };
}

/// Returned by the `FromStr` impls of the enumerated value types when the
/// text is not one of the (lower-case) names.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
#[error("not one of the allowed values")]
pub struct UnknownEnumValue;

text_enum! {
    /// A product's publication status (`status`).
    Status { /// `draft`
        Draft => "draft", /// `live`
        Live => "live" }
}

text_enum! {
    /// A product's commodity type (`commodity_type`).
    CommodityType { /// `physical`
        Physical => "physical", /// `digital`
        Digital => "digital" }
}

text_enum! {
    /// Who owns a product (`owner`).
    Owner { /// `store`
        Store => "store", /// `organization`
        Organization => "organization" }
}

text_enum! {
    /// A product type (`product_types`).
    ProductType { /// `standard`
        Standard => "standard", /// `parent`
        Parent => "parent", /// `child`
        Child => "child", /// `bundle`
        Bundle => "bundle" }
}

/// A set of operators, such as the ones an attribute supports.
///
/// `Display` lists the members in the vendor's order, comma separated
/// (`eq, like, in`).
#[derive(Clone, Copy, Default, PartialEq, Eq, Hash)]
pub struct OpSet(u16);

impl OpSet {
    /// The empty set.
    pub const EMPTY: OpSet = OpSet(0);

    /// The set of the given operators.
    pub const fn of(ops: &[Op]) -> OpSet {
        let mut bits = 0u16;
        let mut i = 0;
        while i < ops.len() {
            bits |= 1 << (ops[i] as u8);
            i += 1;
        }
        OpSet(bits)
    }

    /// True when `op` is in the set.
    pub const fn contains(self, op: Op) -> bool {
        self.0 & (1 << (op as u8)) != 0
    }

    /// Number of operators in the set.
    pub const fn len(self) -> usize {
        self.0.count_ones() as usize
    }

    /// True when the set has no operator.
    pub const fn is_empty(self) -> bool {
        self.0 == 0
    }

    /// The union of two sets.
    pub const fn union(self, other: OpSet) -> OpSet {
        OpSet(self.0 | other.0)
    }

    /// The members, in the order of [`Op::ALL`] (`eq like in gt ge lt le`
    /// first).
    pub fn iter(self) -> impl Iterator<Item = Op> {
        Op::ALL.into_iter().filter(move |op| self.contains(*op))
    }
}

impl fmt::Debug for OpSet {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_set().entries(self.iter()).finish()
    }
}

impl fmt::Display for OpSet {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, op) in self.iter().enumerate() {
            if i > 0 {
                f.write_str(", ")?;
            }
            f.write_str(op.as_str())?;
        }
        Ok(())
    }
}

/// An attribute of the detach_nodes preset by its first segment and
/// pattern; see [`ATTRIBUTES`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct AttributeName {
    /// The first path segment (`sku`, `extensions`).
    pub name: &'static str,
    /// The whole pattern (`extensions.<template>.<field>`).
    pub pattern: &'static str,
}

/// The attributes of the detach_nodes preset ([`Schema::detach_nodes`]),
/// in its order: the former compiled-in table's rows, now read from the
/// runtime schema (built once).
pub static ATTRIBUTES: std::sync::LazyLock<Vec<AttributeName>> = std::sync::LazyLock::new(|| {
    presets::DETACH_NODES
        .attributes()
        .iter()
        .map(|a| AttributeName {
            name: a.pattern().split('.').next().unwrap_or_default(),
            pattern: a.pattern(),
        })
        .collect()
});

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn op_set() {
        let s = OpSet::of(&[Op::In, Op::Eq]);
        assert_eq!(s.to_string(), "eq, in");
        assert_eq!(s.len(), 2);
        assert!(s.contains(Op::In) && !s.contains(Op::Like));
        assert!(OpSet::EMPTY.is_empty());
    }

    #[test]
    fn attributes_follow_the_preset() {
        assert_eq!(ATTRIBUTES.len(), 21);
        assert_eq!(ATTRIBUTES[0].name, "id");
        assert!(
            ATTRIBUTES
                .iter()
                .any(|a| a.pattern == "extensions.<template>.<field>")
        );
    }
}
