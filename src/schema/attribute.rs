//! One attribute of a schema ([`AttributeDef`]) and the aliases that are
//! not an attribute's own ([`Alias`]).

use super::model::same_set;
use super::op_set::OpSet;
use super::pattern::AttributePattern;
use super::sql_target::SqlTarget;
use super::value_type::{ValueRules, ValueType};
use crate::syntax::Op;

/// One attribute of a schema: its pattern, value type, operators, aliases,
/// value rules and back-end column.
///
/// Equality compares the aliases in any order.
#[derive(Clone, Debug, Eq)]
pub struct AttributeDef {
    pub(super) pattern: AttributePattern,
    pub(super) value_type: ValueType,
    pub(super) ops: OpSet,
    pub(super) aliases: Vec<AttributePattern>,
    pub(super) rules: ValueRules,
    pub(super) sql: Option<SqlTarget>,
}

impl PartialEq for AttributeDef {
    fn eq(&self, other: &AttributeDef) -> bool {
        self.pattern == other.pattern
            && self.value_type == other.value_type
            && self.ops == other.ops
            && same_set(&self.aliases, &other.aliases)
            && self.rules == other.rules
            && self.sql == other.sql
    }
}

impl AttributeDef {
    /// An empty attribute, standing in where one is missing (never reached).
    pub(crate) fn placeholder() -> AttributeDef {
        AttributeDef {
            pattern: AttributePattern {
                text: String::new(),
                segments: Vec::new(),
            },
            value_type: ValueType::Text,
            ops: OpSet::EMPTY,
            aliases: Vec::new(),
            rules: ValueRules::default(),
            sql: None,
        }
    }

    /// The attribute's pattern as written: `sku`, `extensions.<template>.<field>`.
    pub fn pattern(&self) -> &str {
        &self.pattern.text
    }

    /// The parsed pattern.
    pub fn path_pattern(&self) -> &AttributePattern {
        &self.pattern
    }

    /// The type values must have.
    pub fn value_type(&self) -> &ValueType {
        &self.value_type
    }

    /// The operators the attribute allows.
    pub fn operators(&self) -> OpSet {
        self.ops
    }

    /// True when the attribute allows `op`.
    pub fn supports(&self, op: Op) -> bool {
        self.ops.contains(op)
    }

    /// The attribute's own aliases (patterns whose target is this
    /// attribute's pattern), in definition order.
    pub fn aliases(&self) -> impl Iterator<Item = &str> {
        self.aliases.iter().map(|a| a.text.as_str())
    }

    /// The value rules beyond the type.
    pub fn rules(&self) -> &ValueRules {
        &self.rules
    }

    /// Where the attribute lives in SQL, if the schema says.
    pub fn sql(&self) -> Option<&SqlTarget> {
        self.sql.as_ref()
    }
}

/// An alias whose target is not literally one attribute's pattern:
/// `isbn` -> `extensions.book.isbn`.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Alias {
    pub(super) from: AttributePattern,
    pub(super) to: AttributePattern,
}

impl Alias {
    /// The alias pattern.
    pub fn from(&self) -> &AttributePattern {
        &self.from
    }

    /// The target, a path or pattern covered by one attribute.
    pub fn to(&self) -> &AttributePattern {
        &self.to
    }
}
