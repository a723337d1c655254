//! The checks every schema passes, built in code or loaded: one attribute
//! on its own ([`check_attribute`], also run while a file is read, for its
//! position) and the whole definition ([`finish`]).

use super::attribute::AttributeDef;
use super::error::SchemaError;
use super::model::{Definition, Schema};
use super::pattern::{AttributePattern, PatternTrie};
use super::sql_target::{JsonKey, SqlTarget};
use super::value::{Decimal, parse_instant, parse_integer, parse_uuid};
use super::value_type::{ValueRules, ValueType};
use crate::limits::Limits;
use std::collections::{HashMap, HashSet};

/// Parses a pattern, naming it in the error.
pub(super) fn parse_pattern(text: &str) -> Result<AttributePattern, SchemaError> {
    AttributePattern::parse(text).map_err(|error| SchemaError::Pattern {
        pattern: text.to_owned(),
        error,
    })
}

pub use crate::limits::MAX_DEPTH;

/// Moves aliases whose target is literally an attribute's pattern onto
/// that attribute (the canonical form), runs every check and builds the
/// index. Shared by the builder and the loaders.
///
/// Near-linear in the number of attributes and aliases: duplicates are
/// found by hashing, overlaps and covers through a [`PatternTrie`]. The
/// error is the one the pairwise definition gives: the first attribute (or
/// alias) in order that conflicts with an earlier one, named with the
/// earliest such one.
pub(super) fn finish(mut def: Definition) -> Result<Schema, SchemaError> {
    if def.name.is_empty() {
        return Err(SchemaError::EmptyName);
    }
    check_limits(&def.limits)?;
    let targets: Vec<Option<usize>> = {
        let mut by_pattern: HashMap<&str, usize> = HashMap::with_capacity(def.attributes.len());
        for (i, a) in def.attributes.iter().enumerate() {
            by_pattern.entry(a.pattern()).or_insert(i);
        }
        def.aliases
            .iter()
            .map(|alias| by_pattern.get(alias.to.as_str()).copied())
            .collect()
    };
    let mut rest = Vec::new();
    for (alias, target) in std::mem::take(&mut def.aliases).into_iter().zip(targets) {
        match target.and_then(|i| def.attributes.get_mut(i)) {
            Some(a) => a.aliases.push(alias.from),
            None => rest.push(alias),
        }
    }
    def.aliases = rest;
    let mut seen: HashMap<&str, usize> = HashMap::with_capacity(def.attributes.len());
    let mut patterns = PatternTrie::new();
    for (i, a) in def.attributes.iter().enumerate() {
        check_attribute(a)?;
        // An equal pattern also overlaps, so a duplicate is never later
        // than the first overlap; when it is that one, it is a duplicate.
        let duplicate = seen.get(a.pattern()).copied();
        let overlap = match a.pattern.is_exact() {
            true => None,
            false => patterns.first_overlap(&a.pattern),
        };
        if duplicate.is_some() && (overlap.is_none() || overlap == duplicate) {
            return Err(SchemaError::DuplicateAttribute {
                pattern: a.pattern().to_owned(),
            });
        }
        if let Some(b) = overlap.and_then(|j| def.attributes.get(j)) {
            return Err(SchemaError::Overlap {
                first: b.pattern().to_owned(),
                second: a.pattern().to_owned(),
            });
        }
        seen.insert(a.pattern(), i);
        if !a.pattern.is_exact() {
            patterns.insert(&a.pattern, i);
        }
    }
    let mut attributes = PatternTrie::new();
    for (i, a) in def.attributes.iter().enumerate() {
        attributes.insert(&a.pattern, i);
    }
    let aliases: Vec<(&AttributePattern, &AttributePattern)> = def
        .attributes
        .iter()
        .flat_map(|a| a.aliases.iter().map(move |from| (from, &a.pattern)))
        .chain(def.aliases.iter().map(|a| (&a.from, &a.to)))
        .collect();
    let mut seen: HashMap<&str, usize> = HashMap::with_capacity(aliases.len());
    let mut froms = PatternTrie::new();
    for (i, &(from, to)) in aliases.iter().enumerate() {
        check_alias(&def, &attributes, from, to)?;
        let duplicate = seen.get(from.as_str()).copied();
        let overlap = froms.first_overlap(from);
        if duplicate.is_some() && (overlap.is_none() || overlap == duplicate) {
            return Err(SchemaError::DuplicateAlias {
                alias: from.as_str().to_owned(),
            });
        }
        if let Some(&(other, _)) = overlap.and_then(|j| aliases.get(j)) {
            return Err(SchemaError::Overlap {
                first: other.as_str().to_owned(),
                second: from.as_str().to_owned(),
            });
        }
        seen.insert(from.as_str(), i);
        froms.insert(from, i);
    }
    Ok(Schema::from_definition(def))
}

/// The schema-wide limits: every one writable as a TOML integer (i64), and
/// `max_depth` at most [`MAX_DEPTH`]. Run while loading too, so that a
/// schema file's error carries the position of its `limits`.
pub(super) fn check_limits(l: &Limits) -> Result<(), SchemaError> {
    // TOML integers are i64: keep every schema writable in both formats.
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
    Ok(())
}

/// One alias against the attributes (all of them in `attributes`).
fn check_alias(
    def: &Definition,
    attributes: &PatternTrie<'_>,
    from: &AttributePattern,
    to: &AttributePattern,
) -> Result<(), SchemaError> {
    if let Some(a) = attributes
        .first_overlap(from)
        .and_then(|i| def.attributes.get(i))
    {
        return Err(SchemaError::AliasOverlapsAttribute {
            alias: from.as_str().to_owned(),
            attribute: a.pattern().to_owned(),
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
    if !attributes.covers(to) {
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

/// The first value that appears twice (hashed: an enum of many values is
/// checked in one pass).
fn first_duplicate(values: &[String]) -> Option<&str> {
    let mut seen = HashSet::with_capacity(values.len());
    values.iter().map(String::as_str).find(|v| !seen.insert(*v))
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
    check_bounds(rules, ty)?;
    if !ty.is_text() {
        if rules.email {
            return Err(format!("`email` applies to text values, not {}", ty.name()));
        }
        if !rules.excludes.is_empty() {
            return Err(format!(
                "`excludes` applies to text values, not {}",
                ty.name()
            ));
        }
    }
    if rules.excludes.iter().any(String::is_empty) {
        return Err("`excludes` lists an empty text, which every value contains".into());
    }
    if let Some(x) = first_duplicate(&rules.excludes) {
        return Err(format!("`excludes` lists `{x}` twice"));
    }
    if rules.email && rules.excludes.iter().any(|x| x == "@") {
        return Err("`excludes` `@` refuses every email address".into());
    }
    if let Some(values) = &rules.one_of {
        for v in values {
            let broken = match ty {
                ValueType::Integer | ValueType::Decimal => {
                    Decimal::parse(v).and_then(|n| rules.number_break(&n).map(|b| b.rule()))
                }
                // Text; on the other types every text rule was refused
                // above, so nothing can break.
                _ => rules.text_break(v).map(|b| b.rule()),
            };
            if let Some(rule) = broken {
                return Err(format!("`one_of` value `{v}` breaks the `{rule}` rule"));
            }
        }
    }
    Ok(())
}

/// The bounds `gt`, `ge`, `lt`, `le`: on numbers, an interval with some
/// value in it; on text, whole numbers of characters leaving some length.
fn check_bounds(rules: &ValueRules, ty: &ValueType) -> Result<(), String> {
    let bounds = [
        ("gt", rules.gt.as_ref()),
        ("ge", rules.ge.as_ref()),
        ("lt", rules.lt.as_ref()),
        ("le", rules.le.as_ref()),
    ];
    let Some((first, _)) = bounds.iter().find(|(_, b)| b.is_some()) else {
        return Ok(());
    };
    match ty {
        ValueType::Integer | ValueType::Decimal => {
            let lower = [
                ("gt", rules.gt.as_ref(), true),
                ("ge", rules.ge.as_ref(), false),
            ];
            let upper = [
                ("lt", rules.lt.as_ref(), true),
                ("le", rules.le.as_ref(), false),
            ];
            for (lo_name, lo, lo_strict) in lower {
                for (hi_name, hi, hi_strict) in upper {
                    if let (Some(lo), Some(hi)) = (lo, hi) {
                        if lo > hi || (lo == hi && (lo_strict || hi_strict)) {
                            return Err(format!(
                                "`{lo_name}` {lo} and `{hi_name}` {hi} leave no value"
                            ));
                        }
                        // On an integer, a range with room for decimals
                        // only (`gt` 3 with `lt` 4) leaves no value either.
                        if *ty == ValueType::Integer {
                            let least = least_integer(lo, lo_strict);
                            let most = greatest_integer(hi, hi_strict);
                            if let (Some(least), Some(most)) = (least, most) {
                                if least > most {
                                    return Err(format!(
                                        "`{lo_name}` {lo} and `{hi_name}` {hi} leave no integer"
                                    ));
                                }
                            }
                        }
                    }
                }
            }
            Ok(())
        }
        _ if ty.is_text() => {
            for (name, bound) in bounds {
                if let Some(b) = bound.filter(|b| b.to_count().is_none()) {
                    return Err(format!(
                        "`{name}` on text bounds the length: a whole number of characters (at most 9223372036854775807), not {b}"
                    ));
                }
            }
            match rules.lengths() {
                (_, Some(max)) if max < 0 => {
                    Err("`lt` 0 leaves no value: no text has fewer than 0 characters".into())
                }
                (min, Some(max)) if max < min => Err(format!(
                    "the length rules leave no value: at least {min} characters and at most {max}"
                )),
                _ => Ok(()),
            }
        }
        _ => Err(format!(
            "`{first}` applies to integer, decimal and text values, not {}",
            ty.name()
        )),
    }
}

/// A decimal small enough for `i128` as its whole part (truncated toward
/// zero), whether a fraction follows and whether it is below zero; `None`
/// for a larger one (such bounds are only compared as decimals).
fn whole_part(d: &Decimal) -> Option<(i128, bool, bool)> {
    let text = d.to_string();
    let (whole, fraction) = text.split_once('.').unwrap_or((&text, ""));
    Some((
        whole.parse().ok()?,
        fraction.bytes().any(|b| b != b'0'),
        text.starts_with('-'),
    ))
}

/// The least integer a lower bound allows: above `lo` when `strict`
/// (`gt`), at least `lo` otherwise (`ge`).
fn least_integer(lo: &Decimal, strict: bool) -> Option<i128> {
    let (whole, fraction, negative) = whole_part(lo)?;
    match (fraction, negative) {
        // 3.2 -> 4; -3.2 (whole -3) -> -3, whether strict or not.
        (true, false) => whole.checked_add(1),
        (true, true) => Some(whole),
        (false, _) if strict => whole.checked_add(1),
        (false, _) => Some(whole),
    }
}

/// The greatest integer an upper bound allows: below `hi` when `strict`
/// (`lt`), at most `hi` otherwise (`le`).
fn greatest_integer(hi: &Decimal, strict: bool) -> Option<i128> {
    let (whole, fraction, negative) = whole_part(hi)?;
    match (fraction, negative) {
        // 3.9 -> 3; -3.9 (whole -3) -> -4, whether strict or not.
        (true, false) => Some(whole),
        (true, true) => whole.checked_sub(1),
        (false, _) if strict => whole.checked_sub(1),
        (false, _) => Some(whole),
    }
}

/// True when `v` is a value of the (non-enum) type `ty`.
fn valid_value(ty: &ValueType, v: &str) -> bool {
    match ty {
        ValueType::Text | ValueType::TextList => true,
        ValueType::Integer => parse_integer(v).is_some(),
        ValueType::Decimal => Decimal::parse(v).is_some(),
        ValueType::Boolean => v == "true" || v == "false",
        ValueType::Uuid => parse_uuid(v).is_some(),
        ValueType::Instant => parse_instant(v).is_some(),
        ValueType::Enum(values) | ValueType::EnumList(values) => values.iter().any(|x| x == v),
    }
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::schema::SchemaBuilder;
    use crate::syntax::Op;

    fn err(b: SchemaBuilder) -> String {
        b.build().unwrap_err().to_string()
    }

    fn base() -> SchemaBuilder {
        Schema::builder("t")
            .attribute("sku", ValueType::Text, &[Op::Eq])
            .attribute("extensions.<template>.<field>", ValueType::Text, &[Op::Eq])
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
                "alias `sku` overlaps attribute `sku`: a path could match both",
            ),
            (
                base().alias("extensions.a.b", "sku"),
                "alias `extensions.a.b` overlaps attribute `extensions.<template>.<field>`: a path could match both",
            ),
            (
                base().alias("<x>", "sku"),
                "alias `<x>` overlaps attribute `sku`: a path could match both",
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
            (
                Schema::builder("t").lt(3),
                "`lt` was called before any `attribute`",
            ),
            (
                Schema::builder("t").lt("x"),
                "`lt` was called before any `attribute`",
            ),
            (
                Schema::builder("t").email(),
                "`email` was called before any `attribute`",
            ),
            (
                Schema::builder("t").excludes("x"),
                "`excludes` was called before any `attribute`",
            ),
            (
                base()
                    .attribute("n", ValueType::Integer, &[Op::Eq])
                    .lt("12,5"),
                "attribute `n`: `lt` value `12,5` is not a decimal number",
            ),
            (
                base()
                    .attribute("n", ValueType::Integer, &[Op::Eq])
                    .ge("+1"),
                "attribute `n`: `ge` value `+1` is not a decimal number",
            ),
            (
                base().attribute("b", ValueType::Boolean, &[Op::Eq]).gt(0),
                "attribute `b`: `gt` applies to integer, decimal and text values, not boolean",
            ),
            (
                base()
                    .attribute("u", ValueType::Uuid, &[Op::Eq])
                    .le(1)
                    .lt(2),
                "attribute `u`: `lt` applies to integer, decimal and text values, not uuid",
            ),
            (
                base()
                    .attribute("s", ValueType::Enum(vec!["a".into()]), &[Op::Eq])
                    .ge(1),
                "attribute `s`: `ge` applies to integer, decimal and text values, not enum",
            ),
            (
                base()
                    .attribute("n", ValueType::Decimal, &[Op::Eq])
                    .gt(5)
                    .lt(5),
                "attribute `n`: `gt` 5 and `lt` 5 leave no value",
            ),
            (
                base()
                    .attribute("n", ValueType::Decimal, &[Op::Eq])
                    .ge("5.0")
                    .le("4.99"),
                "attribute `n`: `ge` 5 and `le` 4.99 leave no value",
            ),
            (
                base()
                    .attribute("n", ValueType::Integer, &[Op::Eq])
                    .ge(5)
                    .lt("5e0"),
                "attribute `n`: `ge` 5 and `lt` 5 leave no value",
            ),
            (
                base()
                    .attribute("n", ValueType::Integer, &[Op::Eq])
                    .gt(3)
                    .lt(4),
                "attribute `n`: `gt` 3 and `lt` 4 leave no integer",
            ),
            (
                base()
                    .attribute("n", ValueType::Integer, &[Op::Eq])
                    .ge("3.2")
                    .le("3.9"),
                "attribute `n`: `ge` 3.2 and `le` 3.9 leave no integer",
            ),
            (
                base()
                    .attribute("n", ValueType::Integer, &[Op::Eq])
                    .gt("-4.5")
                    .lt("-4"),
                "attribute `n`: `gt` -4.5 and `lt` -4 leave no integer",
            ),
            (
                base()
                    .attribute("n", ValueType::Integer, &[Op::Eq])
                    .ge("-3.9")
                    .le("-3.2"),
                "attribute `n`: `ge` -3.9 and `le` -3.2 leave no integer",
            ),
            (
                base().attribute("s", ValueType::Text, &[Op::Eq]).lt("1.5"),
                "attribute `s`: `lt` on text bounds the length: a whole number of characters (at most 9223372036854775807), not 1.5",
            ),
            (
                base().attribute("s", ValueType::Text, &[Op::Eq]).gt(-1),
                "attribute `s`: `gt` on text bounds the length: a whole number of characters (at most 9223372036854775807), not -1",
            ),
            (
                base()
                    .attribute("s", ValueType::TextList, &[Op::Eq])
                    .le("1e19"),
                "attribute `s`: `le` on text bounds the length: a whole number of characters (at most 9223372036854775807), not 10000000000000000000",
            ),
            (
                base().attribute("s", ValueType::Text, &[Op::Eq]).lt(0),
                "attribute `s`: `lt` 0 leaves no value: no text has fewer than 0 characters",
            ),
            (
                base()
                    .attribute("s", ValueType::Text, &[Op::Eq])
                    .min_len(3)
                    .lt(3),
                "attribute `s`: the length rules leave no value: at least 3 characters and at most 2",
            ),
            (
                base()
                    .attribute("s", ValueType::Text, &[Op::Eq])
                    .gt(4)
                    .max_len(4),
                "attribute `s`: the length rules leave no value: at least 5 characters and at most 4",
            ),
            (
                base().attribute("n", ValueType::Integer, &[Op::Eq]).email(),
                "attribute `n`: `email` applies to text values, not integer",
            ),
            (
                base()
                    .attribute("s", ValueType::Enum(vec!["a".into()]), &[Op::Eq])
                    .excludes("a"),
                "attribute `s`: `excludes` applies to text values, not enum",
            ),
            (
                base()
                    .attribute("s", ValueType::Text, &[Op::Eq])
                    .excludes(""),
                "attribute `s`: `excludes` lists an empty text, which every value contains",
            ),
            (
                base()
                    .attribute("s", ValueType::Text, &[Op::Eq])
                    .excludes("<")
                    .excludes("<"),
                "attribute `s`: `excludes` lists `<` twice",
            ),
            (
                base()
                    .attribute("s", ValueType::Text, &[Op::Eq])
                    .email()
                    .excludes("@"),
                "attribute `s`: `excludes` `@` refuses every email address",
            ),
            (
                base()
                    .attribute("s", ValueType::Text, &[Op::Eq])
                    .one_of(["a@b.c", "nobody"])
                    .email(),
                "attribute `s`: `one_of` value `nobody` breaks the `email` rule",
            ),
            (
                base()
                    .attribute("s", ValueType::Text, &[Op::Eq])
                    .one_of(["abc"])
                    .lt(3),
                "attribute `s`: `one_of` value `abc` breaks the `length` rule",
            ),
            (
                base()
                    .attribute("s", ValueType::Text, &[Op::Eq])
                    .one_of(["a<b"])
                    .excludes("<"),
                "attribute `s`: `one_of` value `a<b` breaks the `excludes` rule",
            ),
            (
                base()
                    .attribute("n", ValueType::Decimal, &[Op::Eq])
                    .one_of(["1", "128.0"])
                    .lt(128),
                "attribute `n`: `one_of` value `128.0` breaks the `lt` rule",
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
        // Bounds, email and excludes where they fit; bounds that meet
        // (`ge` = `le`) leave one value.
        let s = base()
            .attribute("amount", ValueType::Integer, &[Op::Eq])
            .lt(128)
            .ge("-1e3")
            .attribute("price", ValueType::Decimal, &[Op::Eq])
            .ge("12.5")
            .le("12.50")
            .one_of(["12.5"])
            .attribute("email", ValueType::Text, &[Op::Eq])
            .email()
            .excludes("+")
            .lt(255)
            .gt(0)
            .min_len(3)
            .attribute("tags", ValueType::TextList, &[Op::Eq])
            .le(0)
            .build()
            .unwrap();
        // Integer ranges with one integer in them, decimal bounds or not,
        // either side of zero.
        for (lo, lo_strict, hi, hi_strict) in [
            ("3", true, "5", true),
            ("3.2", false, "4", false),
            ("3.2", true, "4.1", true),
            ("-4.5", true, "-3", true),
            ("-4", false, "-3.9", false),
            ("-0.5", false, "0.5", false),
            ("1e40", false, "1e40", false),
        ] {
            let b = base().attribute("n", ValueType::Integer, &[Op::Eq]);
            let b = if lo_strict { b.gt(lo) } else { b.ge(lo) };
            let b = if hi_strict { b.lt(hi) } else { b.le(hi) };
            assert!(b.build().is_ok(), "{lo} {lo_strict} {hi} {hi_strict}");
        }
        let rules = s.attribute("amount").unwrap().rules();
        assert_eq!(rules.lt, Decimal::parse("128"));
        assert_eq!(rules.ge, Decimal::parse("-1000"));
        let rules = s.attribute("email").unwrap().rules();
        assert!(rules.email && rules.excludes == ["+"]);
        assert!(!rules.is_empty());
        // One grammar for decimals and integers, the one filter values are
        // read with (schema/value.rs): the builder took `1e1001` (no
        // exponent cap) and `+1`, values no filter value could equal.
        for (ty, bad) in [
            (ValueType::Decimal, "1e1001"),
            (ValueType::Decimal, "1e"),
            (ValueType::Decimal, ".5"),
            (ValueType::Integer, "+1"),
            (ValueType::Integer, "1.0"),
        ] {
            assert_eq!(
                base()
                    .attribute("n", ty.clone(), &[Op::Eq])
                    .one_of([bad])
                    .build()
                    .unwrap_err()
                    .to_string(),
                format!(
                    "attribute `n`: `one_of` value `{bad}` is not a valid {} value",
                    ty.name()
                )
            );
        }
    }
}
