//! [`SchemaError`]: why a schema was refused, and [`Format`], the schema
//! file formats it names.

use super::check::MAX_DEPTH;
use super::pattern::PatternError;
use crate::syntax::Op;
use std::fmt;

/// A schema file's format, for [`SchemaError::Load`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Format {
    /// JSON.
    Json,
    /// TOML.
    Toml,
}

impl fmt::Display for Format {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Format::Json => "JSON",
            Format::Toml => "TOML",
        })
    }
}

/// Why a schema was refused. Every problem names its place: the file's
/// line and column when loading ([`SchemaError::Load`], whose message is one
/// of the other variants' messages or the format's own), else the attribute
/// or alias.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum SchemaError {
    /// A schema file could not be read: bad syntax, a missing, unknown or
    /// mistyped field, or a problem of one attribute found while reading it.
    #[error("{format} schema, line {line}, column {column}: {message}")]
    Load {
        /// JSON or TOML.
        format: Format,
        /// 1-based line.
        line: usize,
        /// 1-based column, in characters.
        column: usize,
        /// What is wrong.
        message: String,
    },
    /// The schema's name is empty.
    #[error("the schema has no name")]
    EmptyName,
    /// An attribute or alias pattern is invalid.
    #[error("invalid pattern `{pattern}`: {error}")]
    Pattern {
        /// The pattern as written.
        pattern: String,
        /// What is wrong with it.
        error: PatternError,
    },
    /// Two attributes with the same pattern.
    #[error("attribute `{pattern}` is defined twice")]
    DuplicateAttribute {
        /// The pattern.
        pattern: String,
    },
    /// Two aliases with the same pattern.
    #[error("alias `{alias}` is defined twice")]
    DuplicateAlias {
        /// The alias.
        alias: String,
    },
    /// Two attribute patterns, or two alias patterns, that could match the
    /// same path. (An exact attribute name inside an attribute pattern is
    /// allowed: the exact name wins.)
    #[error("`{second}` overlaps `{first}`: a path could match both")]
    Overlap {
        /// The one defined first.
        first: String,
        /// The one defined second.
        second: String,
    },
    /// An alias that some path could match as well as an attribute (an
    /// alias that is also an attribute's name, or overlaps its pattern).
    #[error("alias `{alias}` overlaps attribute `{attribute}`: a path could match both")]
    AliasOverlapsAttribute {
        /// The alias.
        alias: String,
        /// The attribute's pattern.
        attribute: String,
    },
    /// An alias whose target no attribute covers.
    #[error("alias `{alias}` points to `{target}`, which is no attribute")]
    AliasTarget {
        /// The alias.
        alias: String,
        /// Its target.
        target: String,
    },
    /// A capture of an alias that its target lacks, or the reverse.
    #[error("alias `{alias}` -> `{target}`: capture `<{capture}>` must appear in both")]
    AliasCapture {
        /// The alias.
        alias: String,
        /// Its target.
        target: String,
        /// The capture name.
        capture: String,
    },
    /// An enum type with no value.
    #[error("attribute `{attribute}`: an enum needs at least one value")]
    EmptyEnum {
        /// The attribute.
        attribute: String,
    },
    /// An enum value listed twice.
    #[error("attribute `{attribute}`: enum value `{value}` is listed twice")]
    DuplicateValue {
        /// The attribute.
        attribute: String,
        /// The value.
        value: String,
    },
    /// An attribute that allows no operator.
    #[error("attribute `{attribute}` allows no operator")]
    NoOperators {
        /// The attribute.
        attribute: String,
    },
    /// An operator that means nothing for the attribute's value type
    /// (see [`ValueType::allows`](super::ValueType::allows)).
    #[error("attribute `{attribute}`: operator `{op}` does not apply to {value_type} values")]
    OperatorForType {
        /// The attribute.
        attribute: String,
        /// The operator.
        op: Op,
        /// The type's name.
        value_type: &'static str,
    },
    /// A value rule that does not fit the type or contradicts another.
    #[error("attribute `{attribute}`: {reason}")]
    Rule {
        /// The attribute.
        attribute: String,
        /// What is wrong.
        reason: String,
    },
    /// A bad SQL column or JSON path.
    #[error("attribute `{attribute}`: sql: {reason}")]
    Sql {
        /// The attribute.
        attribute: String,
        /// What is wrong.
        reason: String,
    },
    /// A limit over 2^63 - 1 (not writable as a TOML integer).
    #[error("`{name}` is too large (at most 9223372036854775807)")]
    TooLarge {
        /// The limit's name.
        name: &'static str,
    },
    /// A `max_depth` over [`MAX_DEPTH`].
    #[error("`max_depth` is {found}, over the largest allowed ({MAX_DEPTH})")]
    TooDeep {
        /// The depth asked for.
        found: usize,
    },
    /// A builder method for the last attribute called before any attribute.
    #[error("`{method}` was called before any `attribute`")]
    NoAttributeYet {
        /// The builder method.
        method: &'static str,
    },
}
