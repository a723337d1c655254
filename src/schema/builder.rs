//! [`SchemaBuilder`], and the checks every schema passes (built in code or
//! loaded), with their error, [`SchemaError`].

use super::OpSet;
use super::model::{
    Alias, AttributeDef, AttributePattern, Definition, JsonKey, PatternError, Schema, SqlTarget,
    ValueRules, ValueType,
};
use super::{parse_instant, parse_uuid};
use crate::Limits;
use crate::syntax::Op;
use std::fmt;

/// Builds a [`Schema`] in code. Every method takes and returns the builder;
/// problems are collected and the first one is returned by
/// [`SchemaBuilder::build`], which runs the same checks as loading a schema
/// file.
///
/// The value-rule and SQL methods apply to the attribute added last.
///
/// ```
/// use catalog_filter::schema::{Schema, SchemaError};
/// use catalog_filter::schema::{SqlTarget, ValueType};
/// use catalog_filter::syntax::Op;
///
/// let schema = Schema::builder("customers")
///     .allow_or(true)
///     .attribute("email", ValueType::Text, &[Op::Eq, Op::Like])
///     .max_len(254)
///     .sql(SqlTarget::Column("email".into()))
///     .alias("mail", "email")
///     .build()
///     .unwrap();
/// assert_eq!(schema.max_complexity(), 4);
///
/// let err = Schema::builder("x")
///     .attribute("total", ValueType::Integer, &[Op::Like])
///     .build()
///     .unwrap_err();
/// assert_eq!(err.to_string(), "attribute `total`: operator `like` does not apply to integer values");
/// ```
#[derive(Clone, Debug)]
#[must_use]
pub struct SchemaBuilder {
    def: Definition,
    aliases: Vec<(String, String)>,
    error: Option<SchemaError>,
}

impl Schema {
    /// A builder for a schema called `name` (the name appears in messages).
    /// Defaults: no OR groups, complexity cap 4, depth 8, [`Limits::DEFAULT`].
    pub fn builder(name: impl Into<String>) -> SchemaBuilder {
        SchemaBuilder {
            def: Definition::new(name.into()),
            aliases: Vec::new(),
            error: None,
        }
    }
}

impl SchemaBuilder {
    /// Records the first problem.
    fn fail(mut self, error: SchemaError) -> SchemaBuilder {
        self.error.get_or_insert(error);
        self
    }

    /// Whether filters may use OR groups (default: no).
    pub fn allow_or(mut self, allow: bool) -> SchemaBuilder {
        self.def.allow_or = allow;
        self
    }

    /// The OR complexity cap (default 4; 0 = unlimited): sets
    /// `Limits::max_complexity`.
    pub fn max_complexity(mut self, cap: usize) -> SchemaBuilder {
        self.def.limits.max_complexity = cap;
        self
    }

    /// The maximum nesting of groups (default 8): sets `Limits::max_depth`.
    pub fn max_depth(mut self, depth: usize) -> SchemaBuilder {
        self.def.limits.max_depth = depth;
        self
    }

    /// All limits at once (default [`Limits::DEFAULT`]); call before
    /// [`SchemaBuilder::max_complexity`] / [`SchemaBuilder::max_depth`],
    /// which set fields of it.
    pub fn limits(mut self, limits: Limits) -> SchemaBuilder {
        self.def.limits = limits;
        self
    }

    /// Adds an attribute: a pattern (`sku`, `extensions.<template>.<field>`),
    /// its value type and the operators it allows.
    pub fn attribute(mut self, pattern: &str, value_type: ValueType, ops: &[Op]) -> SchemaBuilder {
        match parse_pattern(pattern) {
            Ok(pattern) => {
                self.def.attributes.push(AttributeDef {
                    pattern,
                    value_type,
                    ops: OpSet::of(ops),
                    aliases: Vec::new(),
                    rules: ValueRules::default(),
                    sql: None,
                });
                self
            }
            Err(e) => self.fail(e),
        }
    }

    /// Applies `f` to the attribute added last.
    fn last(mut self, what: &'static str, f: impl FnOnce(&mut AttributeDef)) -> SchemaBuilder {
        match self.def.attributes.last_mut() {
            Some(a) => {
                f(a);
                self
            }
            None => self.fail(SchemaError::NoAttributeYet { method: what }),
        }
    }

    /// The last attribute's values must be one of `values`.
    pub fn one_of<I, S>(self, values: I) -> SchemaBuilder
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        let values = values.into_iter().map(Into::into).collect();
        self.last("one_of", |a| a.rules.one_of = Some(values))
    }

    /// The last attribute's values have at least `n` characters.
    pub fn min_len(self, n: usize) -> SchemaBuilder {
        self.last("min_len", |a| a.rules.min_len = Some(n))
    }

    /// The last attribute's values have at most `n` characters.
    pub fn max_len(self, n: usize) -> SchemaBuilder {
        self.last("max_len", |a| a.rules.max_len = Some(n))
    }

    /// Where the last attribute lives in SQL.
    pub fn sql(self, target: SqlTarget) -> SchemaBuilder {
        self.last("sql", |a| a.sql = Some(target))
    }

    /// Adds an alias: `from` (a path or pattern) stands for `to` (an
    /// attribute's pattern, or a path some attribute pattern covers). The
    /// attribute may be added before or after.
    pub fn alias(mut self, from: &str, to: &str) -> SchemaBuilder {
        self.aliases.push((from.to_owned(), to.to_owned()));
        self
    }

    /// Checks the schema (see [`SchemaError`] for every problem) and builds it.
    pub fn build(self) -> Result<Schema, SchemaError> {
        if let Some(e) = self.error {
            return Err(e);
        }
        let mut def = self.def;
        for (from, to) in &self.aliases {
            def.aliases.push(Alias {
                from: parse_pattern(from)?,
                to: parse_pattern(to)?,
            });
        }
        finish(def)
    }
}

/// Parses a pattern, naming it in the error.
pub(super) fn parse_pattern(text: &str) -> Result<AttributePattern, SchemaError> {
    AttributePattern::parse(text).map_err(|error| SchemaError::Pattern {
        pattern: text.to_owned(),
        error,
    })
}

/// The largest `max_depth` a schema may set. Validation, `Display` and
/// `Drop` of a filter recurse once per group level; 64 levels keep every
/// accepted filter far from the end of a thread's stack (the vendor's
/// default is 8).
pub const MAX_DEPTH: usize = 64;

/// Moves aliases whose target is literally an attribute's pattern onto
/// that attribute (the canonical form), runs every check and builds the
/// index. Shared by the builder and the loaders.
pub(super) fn finish(mut def: Definition) -> Result<Schema, SchemaError> {
    if def.name.is_empty() {
        return Err(SchemaError::EmptyName);
    }
    // TOML integers are i64: keep every schema writable in both formats.
    let l = &def.limits;
    for (name, value) in [
        ("max_depth", l.max_depth),
        ("max_complexity", l.max_complexity),
        ("max_filter_bytes", l.max_filter_bytes),
        ("max_conditions", l.max_conditions),
        ("max_in_values", l.max_in_values),
        ("max_node_ids", l.max_node_ids),
        ("max_product_ids", l.max_product_ids),
        ("max_snapshot_bytes", l.max_snapshot_bytes),
    ] {
        if i64::try_from(value).is_err() {
            return Err(SchemaError::TooLarge { name });
        }
    }
    // Validation, printing and dropping a tree recurse once per group
    // level: a cap keeps every accepted filter far from the stack's end.
    if l.max_depth > MAX_DEPTH {
        return Err(SchemaError::TooDeep { found: l.max_depth });
    }
    let mut rest = Vec::new();
    for alias in std::mem::take(&mut def.aliases) {
        match def.attributes.iter_mut().find(|a| a.pattern == alias.to) {
            Some(a) => a.aliases.push(alias.from),
            None => rest.push(alias),
        }
    }
    def.aliases = rest;
    for (i, a) in def.attributes.iter().enumerate() {
        check_attribute(a)?;
        for b in def.attributes.iter().take(i) {
            if a.pattern == b.pattern {
                return Err(SchemaError::DuplicateAttribute {
                    pattern: a.pattern().to_owned(),
                });
            }
            if !a.pattern.is_exact() && !b.pattern.is_exact() && a.pattern.overlaps(&b.pattern) {
                return Err(SchemaError::Overlap {
                    first: b.pattern().to_owned(),
                    second: a.pattern().to_owned(),
                });
            }
        }
    }
    let aliases: Vec<(&AttributePattern, &AttributePattern)> = def
        .attributes
        .iter()
        .flat_map(|a| a.aliases.iter().map(move |from| (from, &a.pattern)))
        .chain(def.aliases.iter().map(|a| (&a.from, &a.to)))
        .collect();
    for (i, &(from, to)) in aliases.iter().enumerate() {
        check_alias(&def, from, to)?;
        for &(other, _) in aliases.iter().take(i) {
            if other == from {
                return Err(SchemaError::DuplicateAlias {
                    alias: from.as_str().to_owned(),
                });
            }
            if from.overlaps(other) {
                return Err(SchemaError::Overlap {
                    first: other.as_str().to_owned(),
                    second: from.as_str().to_owned(),
                });
            }
        }
    }
    Ok(Schema::from_definition(def))
}

/// One alias against the attributes.
fn check_alias(
    def: &Definition,
    from: &AttributePattern,
    to: &AttributePattern,
) -> Result<(), SchemaError> {
    if let Some(a) = def.attributes.iter().find(|a| a.pattern.overlaps(from)) {
        return Err(SchemaError::Overlap {
            first: a.pattern().to_owned(),
            second: from.as_str().to_owned(),
        });
    }
    let missing = to
        .captures()
        .find(|c| !from.captures().any(|f| f == *c))
        .or_else(|| from.captures().find(|c| !to.captures().any(|t| t == *c)));
    if let Some(capture) = missing {
        return Err(SchemaError::AliasCapture {
            alias: from.as_str().to_owned(),
            target: to.as_str().to_owned(),
            capture: capture.to_owned(),
        });
    }
    if !def.attributes.iter().any(|a| to.covered_by(&a.pattern)) {
        return Err(SchemaError::AliasTarget {
            alias: from.as_str().to_owned(),
            target: to.as_str().to_owned(),
        });
    }
    Ok(())
}

/// The checks of one attribute on its own: enum values, operators against
/// the type, value rules, SQL target. Run while loading too, so that a
/// schema file's error carries the attribute's position.
pub(super) fn check_attribute(a: &AttributeDef) -> Result<(), SchemaError> {
    let attribute = || a.pattern().to_owned();
    if let Some(values) = a.value_type.enum_values() {
        if values.is_empty() {
            return Err(SchemaError::EmptyEnum {
                attribute: attribute(),
            });
        }
        if let Some(value) = first_duplicate(values) {
            return Err(SchemaError::DuplicateValue {
                attribute: attribute(),
                value: value.to_owned(),
            });
        }
    }
    if a.ops.is_empty() {
        return Err(SchemaError::NoOperators {
            attribute: attribute(),
        });
    }
    if let Some(op) = a.ops.iter().find(|op| !a.value_type.allows(*op)) {
        return Err(SchemaError::OperatorForType {
            attribute: attribute(),
            op,
            value_type: a.value_type.name(),
        });
    }
    check_rules(a).map_err(|reason| SchemaError::Rule {
        attribute: attribute(),
        reason,
    })?;
    if let Some(sql) = &a.sql {
        check_sql(a, sql).map_err(|reason| SchemaError::Sql {
            attribute: attribute(),
            reason,
        })?;
    }
    Ok(())
}

/// The first value that appears twice.
fn first_duplicate(values: &[String]) -> Option<&str> {
    values
        .iter()
        .enumerate()
        .find(|(i, v)| values.iter().take(*i).any(|w| w == *v))
        .map(|(_, v)| v.as_str())
}

/// The value rules against the type; the reason when wrong.
fn check_rules(a: &AttributeDef) -> Result<(), String> {
    let rules = &a.rules;
    let ty = &a.value_type;
    if let Some(values) = &rules.one_of {
        if ty.enum_values().is_some() {
            return Err("`one_of` does not apply to an enum, which lists its values".into());
        }
        if values.is_empty() {
            return Err("`one_of` needs at least one value".into());
        }
        if let Some(v) = first_duplicate(values) {
            return Err(format!("`one_of` lists `{v}` twice"));
        }
        if let Some(v) = values.iter().find(|v| !valid_value(ty, v)) {
            return Err(format!(
                "`one_of` value `{v}` is not a valid {} value",
                ty.name()
            ));
        }
    }
    if (rules.min_len.is_some() || rules.max_len.is_some()) && !ty.is_text() {
        return Err(format!(
            "`min_len` and `max_len` apply to text values, not {}",
            ty.name()
        ));
    }
    for (name, value) in [("min_len", rules.min_len), ("max_len", rules.max_len)] {
        if value.is_some_and(|v| i64::try_from(v).is_err()) {
            return Err(format!(
                "`{name}` is too large (at most 9223372036854775807)"
            ));
        }
    }
    if let (Some(min), Some(max)) = (rules.min_len, rules.max_len) {
        if min > max {
            return Err(format!("`min_len` {min} is greater than `max_len` {max}"));
        }
    }
    Ok(())
}

/// True when `v` is a value of the (non-enum) type `ty`.
fn valid_value(ty: &ValueType, v: &str) -> bool {
    match ty {
        ValueType::Text | ValueType::TextList => true,
        ValueType::Integer => v.parse::<i64>().is_ok(),
        ValueType::Decimal => is_decimal(v),
        ValueType::Boolean => v == "true" || v == "false",
        ValueType::Uuid => parse_uuid(v).is_some(),
        ValueType::Instant => parse_instant(v).is_some(),
        ValueType::Enum(values) | ValueType::EnumList(values) => values.iter().any(|x| x == v),
    }
}

/// `-?digits(.digits)?([eE][+-]?digits)?`
pub(super) fn is_decimal(v: &str) -> bool {
    fn digits(s: &str) -> (usize, &str) {
        let n = s.bytes().take_while(u8::is_ascii_digit).count();
        (n, s.get(n..).unwrap_or_default())
    }
    let s = v.strip_prefix('-').unwrap_or(v);
    let (n, mut s) = digits(s);
    if n == 0 {
        return false;
    }
    if let Some(frac) = s.strip_prefix('.') {
        let (n, rest) = digits(frac);
        if n == 0 {
            return false;
        }
        s = rest;
    }
    if let Some(exp) = s.strip_prefix(['e', 'E']) {
        let (n, rest) = digits(exp.strip_prefix(['+', '-']).unwrap_or(exp));
        if n == 0 {
            return false;
        }
        s = rest;
    }
    s.is_empty()
}

/// An SQL identifier, optionally qualified: `[A-Za-z_][A-Za-z0-9_]*`
/// separated by dots.
fn is_identifier(s: &str) -> bool {
    s.split('.').all(|part| {
        part.bytes()
            .next()
            .is_some_and(|b| b.is_ascii_alphabetic() || b == b'_')
            && part.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')
    })
}

/// The SQL target against the attribute; the reason when wrong.
fn check_sql(a: &AttributeDef, sql: &SqlTarget) -> Result<(), String> {
    let column = match sql {
        SqlTarget::Column(c) => c,
        SqlTarget::Json { column, .. } => column,
        SqlTarget::Exists { table, column, key } => {
            if a.value_type != ValueType::Boolean {
                return Err("an `exists` target is for boolean attributes".into());
            }
            if let Some(bad) = [table, column, key].into_iter().find(|c| !is_identifier(c)) {
                return Err(format!(
                    "`{bad}` is not an identifier (ASCII letters, digits and `_`, optionally qualified with `.`)"
                ));
            }
            return Ok(());
        }
    };
    if !is_identifier(column) {
        return Err(format!(
            "column `{column}` is not an identifier (ASCII letters, digits and `_`, optionally qualified with `.`)"
        ));
    }
    if let SqlTarget::Json { path, .. } = sql {
        if path.is_empty() {
            return Err("a JSON path needs the column and at least one key".into());
        }
        for key in path {
            match key {
                JsonKey::Capture(c) if !a.pattern.captures().any(|x| x == c) => {
                    return Err(format!("`${c}` names no capture of the attribute"));
                }
                JsonKey::Key(k) if k.is_empty() => return Err("a JSON key is empty".into()),
                _ => {}
            }
        }
    }
    Ok(())
}

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
    /// Two patterns (attributes or aliases) that could match the same path,
    /// or an alias that is also an attribute. (An exact attribute name
    /// inside an attribute pattern is allowed: the exact name wins.)
    #[error("`{second}` overlaps `{first}`: a path could match both")]
    Overlap {
        /// The one defined first.
        first: String,
        /// The one defined second (for aliases, an alias).
        second: String,
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
    /// (see [`ValueType::allows`]).
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

#[cfg(test)]
mod tests {
    use super::*;

    fn err(b: SchemaBuilder) -> String {
        b.build().unwrap_err().to_string()
    }

    fn base() -> SchemaBuilder {
        Schema::builder("t")
            .attribute("sku", ValueType::Text, &[Op::Eq])
            .attribute("extensions.<template>.<field>", ValueType::Text, &[Op::Eq])
    }

    #[test]
    fn defaults() {
        let s = base().build().unwrap();
        assert_eq!(s.name(), "t");
        assert!(!s.allow_or());
        assert_eq!((s.max_complexity(), s.max_depth()), (4, 8));
        assert_eq!(s.limits(), &Limits::DEFAULT);
        let s = base()
            .allow_or(true)
            .max_complexity(0)
            .max_depth(3)
            .build()
            .unwrap();
        assert!(s.allow_or());
        assert_eq!((s.max_complexity(), s.max_depth()), (0, 3));
    }

    #[test]
    fn builder_errors() {
        let cases: Vec<(SchemaBuilder, &str)> = vec![
            (Schema::builder(""), "the schema has no name"),
            (
                base().max_depth(65),
                "`max_depth` is 65, over the largest allowed (64)",
            ),
            (
                base().limits(Limits {
                    max_snapshot_bytes: usize::MAX,
                    ..Limits::DEFAULT
                }),
                "`max_snapshot_bytes` is too large (at most 9223372036854775807)",
            ),
            (
                base().attribute("a..b", ValueType::Text, &[Op::Eq]),
                "invalid pattern `a..b`: bad segment ``: a segment is a name of ASCII letters, digits, `_` and `-`, or a capture `<name>`",
            ),
            (
                base().attribute("sku", ValueType::Text, &[Op::Eq]),
                "attribute `sku` is defined twice",
            ),
            (
                base().attribute("extensions.<a>.x", ValueType::Text, &[Op::Eq]),
                "`extensions.<a>.x` overlaps `extensions.<template>.<field>`: a path could match both",
            ),
            (
                base().alias("code", "sku").alias("code", "sku"),
                "alias `code` is defined twice",
            ),
            (
                base().alias("sku", "sku"),
                "`sku` overlaps `sku`: a path could match both",
            ),
            (
                base().alias("extensions.a.b", "sku"),
                "`extensions.a.b` overlaps `extensions.<template>.<field>`: a path could match both",
            ),
            (
                base().alias("<x>", "sku"),
                "`<x>` overlaps `sku`: a path could match both",
            ),
            (
                base().alias("code", "skew"),
                "alias `code` points to `skew`, which is no attribute",
            ),
            (
                base().alias("e.<t>.<f>", "extensions.<t>.<g>"),
                "alias `e.<t>.<f>` -> `extensions.<t>.<g>`: capture `<g>` must appear in both",
            ),
            (
                base().alias("a.<t>", "a.<t>").alias("b.<t>", "x.<t>"),
                "alias `a.<t>` points to `a.<t>`, which is no attribute",
            ),
            (
                base().alias("e.<t>", "e.<t>"),
                "alias `e.<t>` points to `e.<t>`, which is no attribute",
            ),
            (
                base().alias("c.<x>", "sku").alias("c.d", "sku"),
                "alias `c.<x>` -> `sku`: capture `<x>` must appear in both",
            ),
            (
                base()
                    .alias("code.<t>.<f>", "extensions.<t>.<f>")
                    .alias("code.a.<f>", "extensions.a.<f>"),
                "`code.a.<f>` overlaps `code.<t>.<f>`: a path could match both",
            ),
            (
                base().attribute("status", ValueType::Enum(vec![]), &[Op::Eq]),
                "attribute `status`: an enum needs at least one value",
            ),
            (
                base().attribute(
                    "status",
                    ValueType::Enum(vec!["a".into(), "a".into()]),
                    &[Op::Eq],
                ),
                "attribute `status`: enum value `a` is listed twice",
            ),
            (
                base().attribute("n", ValueType::Integer, &[]),
                "attribute `n` allows no operator",
            ),
            (
                base().attribute("n", ValueType::Integer, &[Op::Eq, Op::Like]),
                "attribute `n`: operator `like` does not apply to integer values",
            ),
            (
                base().attribute("b", ValueType::Boolean, &[Op::Gt]),
                "attribute `b`: operator `gt` does not apply to boolean values",
            ),
            (
                base().attribute("l", ValueType::TextList, &[Op::Lt]),
                "attribute `l`: operator `lt` does not apply to text_list values",
            ),
            (
                base()
                    .attribute("b", ValueType::Boolean, &[Op::Eq])
                    .one_of(["no"]),
                "attribute `b`: `one_of` value `no` is not a valid boolean value",
            ),
            (
                base()
                    .attribute("n", ValueType::Integer, &[Op::Eq])
                    .one_of(["1", "1"]),
                "attribute `n`: `one_of` lists `1` twice",
            ),
            (
                base()
                    .attribute("n", ValueType::Integer, &[Op::Eq])
                    .one_of(Vec::<String>::new()),
                "attribute `n`: `one_of` needs at least one value",
            ),
            (
                base()
                    .attribute("s", ValueType::Enum(vec!["a".into()]), &[Op::Eq])
                    .one_of(["a"]),
                "attribute `s`: `one_of` does not apply to an enum, which lists its values",
            ),
            (
                base()
                    .attribute("n", ValueType::Integer, &[Op::Eq])
                    .min_len(1),
                "attribute `n`: `min_len` and `max_len` apply to text values, not integer",
            ),
            (
                base()
                    .attribute("s", ValueType::Text, &[Op::Eq])
                    .min_len(3)
                    .max_len(2),
                "attribute `s`: `min_len` 3 is greater than `max_len` 2",
            ),
            (
                base()
                    .attribute("s", ValueType::Text, &[Op::Eq])
                    .sql(SqlTarget::Column("a b".into())),
                "attribute `s`: sql: column `a b` is not an identifier (ASCII letters, digits and `_`, optionally qualified with `.`)",
            ),
            (
                base()
                    .attribute("s.<x>", ValueType::Text, &[Op::Eq])
                    .sql(SqlTarget::Json {
                        column: "j".into(),
                        path: vec![JsonKey::Capture("y".into())],
                    }),
                "attribute `s.<x>`: sql: `$y` names no capture of the attribute",
            ),
            (
                base()
                    .attribute("s", ValueType::Text, &[Op::Eq])
                    .sql(SqlTarget::Json {
                        column: "j".into(),
                        path: vec![],
                    }),
                "attribute `s`: sql: a JSON path needs the column and at least one key",
            ),
            (
                base().max_depth(usize::MAX),
                "`max_depth` is too large (at most 9223372036854775807)",
            ),
            (
                Schema::builder("t").max_len(3),
                "`max_len` was called before any `attribute`",
            ),
        ];
        for (builder, message) in cases {
            assert_eq!(err(builder), message);
        }
    }

    #[test]
    fn rules_that_fit() {
        let s = base()
            .attribute("n", ValueType::Decimal, &[Op::Eq])
            .one_of(["1.5", "-2", "3e4", "0.1E-2"])
            .attribute("i", ValueType::Instant, &[Op::Eq])
            .one_of(["2024-01-01", "0"])
            .attribute("u", ValueType::Uuid, &[Op::Eq])
            .one_of(["3fa85f64-5717-4562-b3fc-2c963f66afa6"])
            .attribute("t", ValueType::TextList, &[Op::Eq])
            .min_len(1)
            .max_len(1)
            .build()
            .unwrap();
        assert_eq!(s.attribute("t").unwrap().rules().max_len, Some(1));
        for bad in ["", "-", "1.", ".5", "1e", "1e+", "+1", "1x", "0x10"] {
            assert!(!is_decimal(bad), "{bad}");
        }
    }
}
