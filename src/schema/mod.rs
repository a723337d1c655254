//! Schemas: which attributes exist, what type their values have, which
//! operators each one allows, their aliases, value rules and back-end
//! targets, and the schema-wide switches (OR groups, limits).
//!
//! A [`Schema`] is a runtime value ([`model`]), built with
//! [`Schema::builder`] or loaded from JSON/TOML ([`config`]). The presets
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

mod builder;
pub mod config;
mod field;
pub mod model;
pub(crate) mod presets;
mod value;

pub use builder::{Format, MAX_DEPTH, SchemaBuilder, SchemaError};
pub use field::ProductField;
pub use model::{AttributeRef, ResolveError, Schema, ValueType};
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
