//! The [`Schema`] type and its definition (the model is documented in the
//! `schema` module): what a schema holds, compared and cloned cheaply.

use super::attribute::{Alias, AttributeDef};
use super::index::Index;
use super::op_set::OpSet;
use crate::limits::Limits;
use serde::{Deserialize, Serialize};
use std::fmt;
use std::sync::Arc;

/// A schema: attributes with their value types, operators, aliases and
/// value rules, and the schema-wide switches (OR groups, complexity cap,
/// group depth, limits). See the [module docs](crate::schema).
///
/// Two schemas are equal when they define the same switches, attributes and
/// aliases, in any order (no order among them changes what a path
/// resolves to); the lookup index is derived and not compared.
///
/// Cloning is cheap (two reference counts): a [`crate::ValidFilter`] keeps
/// the schema it was validated against.
#[derive(Clone)]
pub struct Schema {
    pub(super) def: Arc<Definition>,
    pub(super) index: Arc<Index>,
}

impl PartialEq for Schema {
    fn eq(&self, other: &Schema) -> bool {
        self.def == other.def
    }
}

impl Eq for Schema {}

impl fmt::Debug for Schema {
    /// The definition; the derived index is left out.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.def.fmt(f)
    }
}

/// The data of a schema, as defined; [`Schema`] adds the lookup index.
/// Its serde form is the schema-file format ([`super::config`]).
#[derive(Clone, Debug, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct Definition {
    pub(super) name: String,
    #[serde(default)]
    pub(super) allow_or: bool,
    #[serde(
        default,
        skip_serializing_if = "super::config::is_default",
        deserialize_with = "super::config::limits"
    )]
    pub(super) limits: Limits,
    #[serde(with = "super::config::attributes")]
    pub(super) attributes: Vec<AttributeDef>,
    /// Aliases whose target is not literally an attribute's pattern.
    #[serde(
        default,
        skip_serializing_if = "Vec::is_empty",
        with = "super::config::aliases"
    )]
    pub(super) aliases: Vec<Alias>,
}

impl PartialEq for Definition {
    /// Attributes and aliases compare as sets (they are unique).
    fn eq(&self, other: &Definition) -> bool {
        self.name == other.name
            && self.allow_or == other.allow_or
            && self.limits == other.limits
            && same_set(&self.attributes, &other.attributes)
            && same_set(&self.aliases, &other.aliases)
    }
}

/// True when two lists of unique items hold the same items, in any order.
pub(super) fn same_set<T: PartialEq>(a: &[T], b: &[T]) -> bool {
    a.len() == b.len() && a.iter().all(|x| b.contains(x))
}

impl Definition {
    pub(super) fn new(name: String) -> Definition {
        Definition {
            name,
            allow_or: false,
            limits: Limits::DEFAULT,
            attributes: Vec::new(),
            aliases: Vec::new(),
        }
    }
}

impl Schema {
    /// Builds the schema from a checked definition.
    pub(super) fn from_definition(def: Definition) -> Schema {
        let index = Index::new(&def);
        Schema {
            def: Arc::new(def),
            index: Arc::new(index),
        }
    }

    /// The schema's name, used in messages ("OR groups are not supported by
    /// detach_nodes").
    pub fn name(&self) -> &str {
        &self.def.name
    }

    /// True when filters may use OR groups.
    pub fn allow_or(&self) -> bool {
        self.def.allow_or
    }

    /// The cap on the OR complexity (the vendor's "effective index
    /// intersection count": a condition 1, AND the product, OR the sum);
    /// 0 means unlimited (as in the vendor's library). Only meaningful when
    /// [`Schema::allow_or`]. This is `limits().max_complexity`.
    pub fn max_complexity(&self) -> usize {
        self.def.limits.max_complexity
    }

    /// The maximum nesting of parenthesised groups (default 8); this is
    /// `limits().max_depth`.
    pub fn max_depth(&self) -> usize {
        self.def.limits.max_depth
    }

    /// The limits filters are held to (sizes, depth, complexity).
    pub fn limits(&self) -> &Limits {
        &self.def.limits
    }

    /// The attributes, in definition order.
    pub fn attributes(&self) -> &[AttributeDef] {
        &self.def.attributes
    }

    /// The aliases whose target is not literally an attribute's pattern
    /// (the others are listed by [`AttributeDef::aliases`]).
    pub fn aliases(&self) -> &[Alias] {
        &self.def.aliases
    }

    /// The attribute whose pattern is exactly `pattern` (as written).
    pub fn attribute(&self, pattern: &str) -> Option<&AttributeDef> {
        self.def
            .attributes
            .iter()
            .find(|a| a.pattern.text == pattern)
    }
    /// Every operator some attribute allows: a filter using another one is
    /// refused whatever its attribute.
    pub fn operators(&self) -> OpSet {
        self.index.operators
    }

    /// The attribute at `index` (as returned by lookups).
    #[inline]
    pub(crate) fn attribute_at(&self, index: usize) -> Option<&AttributeDef> {
        self.def.attributes.get(index)
    }

    /// The product field the attribute at `index` reads.
    pub(crate) fn product_field_at(&self, index: usize) -> Option<super::ProductField> {
        self.index.fields.get(index).copied().flatten()
    }

    /// The value rules of the attribute at `index`; `None` when it has
    /// none (so validation does not look at them per value).
    #[inline]
    pub(crate) fn rules_at(&self, index: usize) -> Option<&super::ValueRules> {
        match self.index.ruled.get(index) {
            Some(true) => self.attribute_at(index).map(AttributeDef::rules),
            _ => None,
        }
    }

    /// True when both values are the same schema object (clones of one
    /// another), which is cheaper than comparing them.
    pub fn same(&self, other: &Schema) -> bool {
        Arc::ptr_eq(&self.def, &other.def)
    }
}
