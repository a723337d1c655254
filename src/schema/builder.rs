//! [`SchemaBuilder`]: a [`Schema`] built in code, checked like a loaded one.

use super::attribute::{Alias, AttributeDef};
use super::check::{finish, parse_pattern};
use super::error::SchemaError;
use super::model::{Definition, Schema};
use super::op_set::OpSet;
use super::sql_target::SqlTarget;
use super::value::Decimal;
use super::value_type::{ValueRules, ValueType};
use crate::limits::Limits;
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
///     .email()
///     .sql(SqlTarget::Column("email".into()))
///     .alias("mail", "email")
///     .attribute("amount", ValueType::Integer, &[Op::Eq, Op::Lt])
///     .ge(0)
///     .lt(128)
///     .attribute("name", ValueType::Text, &[Op::Eq])
///     .lt(128)
///     .excludes("<")
///     .build()
///     .unwrap();
/// assert_eq!(schema.max_complexity(), 4);
/// assert_eq!(
///     schema.compile("eq(amount,128)").unwrap_err().to_string(),
///     "invalid value `128` for `amount`: expected a number less than 128"
/// );
/// assert_eq!(
///     schema.compile("eq(mail,nobody)").unwrap_err().to_string(),
///     "invalid value `nobody` for `mail`: expected an email address"
/// );
/// assert!(schema.compile("eq(name,\"Ann\")").is_ok());
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

    /// Sets one bound of the last attribute, read with the decimal grammar.
    fn bound(
        self,
        name: &'static str,
        bound: impl fmt::Display,
        set: fn(&mut ValueRules, Decimal),
    ) -> SchemaBuilder {
        let text = bound.to_string();
        match (Decimal::parse(&text), self.def.attributes.last()) {
            (Some(d), _) => self.last(name, |a| set(&mut a.rules, d)),
            (None, Some(a)) => {
                let attribute = a.pattern().to_owned();
                self.fail(SchemaError::Rule {
                    attribute,
                    reason: format!("`{name}` value `{text}` is not a decimal number"),
                })
            }
            (None, None) => self.fail(SchemaError::NoAttributeYet { method: name }),
        }
    }

    /// `gt`: the last attribute's numbers are greater than `bound`, or its
    /// texts have more than `bound` characters (see [`ValueRules`]). The
    /// bound is anything that prints as a decimal number in the grammar of
    /// filter values ([`Decimal`]): `128`, `"12.5"`, a `Decimal`.
    pub fn gt(self, bound: impl fmt::Display) -> SchemaBuilder {
        self.bound("gt", bound, |r, d| r.gt = Some(d))
    }

    /// `ge`: the last attribute's numbers are at least `bound`, or its
    /// texts have at least `bound` characters (see [`SchemaBuilder::gt`]).
    pub fn ge(self, bound: impl fmt::Display) -> SchemaBuilder {
        self.bound("ge", bound, |r, d| r.ge = Some(d))
    }

    /// `lt`: the last attribute's numbers are less than `bound`, or its
    /// texts have fewer than `bound` characters (see [`SchemaBuilder::gt`]):
    /// the Go helper's `lt=128`.
    pub fn lt(self, bound: impl fmt::Display) -> SchemaBuilder {
        self.bound("lt", bound, |r, d| r.lt = Some(d))
    }

    /// `le`: the last attribute's numbers are at most `bound`, or its texts
    /// have at most `bound` characters (see [`SchemaBuilder::gt`]).
    pub fn le(self, bound: impl fmt::Display) -> SchemaBuilder {
        self.bound("le", bound, |r, d| r.le = Some(d))
    }

    /// `email`: the last attribute's values are email addresses (text
    /// types; the grammar is [`ValueRules::email`]'s).
    pub fn email(self) -> SchemaBuilder {
        self.last("email", |a| a.rules.email = true)
    }

    /// `excludes`: the last attribute's values do not contain `text` (text
    /// types; the Go helper's `excludes=`). Call once per excluded text.
    pub fn excludes(self, text: impl Into<String>) -> SchemaBuilder {
        let text = text.into();
        self.last("excludes", |a| a.rules.excludes.push(text))
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

#[cfg(test)]
mod tests {
    use super::*;

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
}
