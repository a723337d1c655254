//! Parse and validate in one call: the byte limit, then the grammar (with
//! the depth limit), then the schema and the other limits.
//!
//! One way in for each need, all re-exported at the crate root:
//!
//! | need | call |
//! |---|---|
//! | the detach_nodes schema, default limits | [`compile`] |
//! | another schema, its own limits | [`Schema::compile`] |
//! | other limits | a [`Compiler`] from a [`CompilerBuilder`] |
//! | a tree already parsed | [`Compiler::validate`] |
//! | serde | `Deserialize` for [`ValidFilter`] (detach_nodes), [`FilterSeed`] (any schema) |
//!
//! These entry points come after the error stage because they return its
//! joining [`FilterError`]; validation itself knows only its own
//! [`ValidationErrors`].

use crate::error::FilterError;
use crate::limits::Limits;
use crate::schema::Schema;
use crate::syntax;
use crate::validate::{
    FilterTooLong, ValidFilter, ValidationErrors, compile_conjunction, detach_nodes, validate_for,
    validate_source,
};
use serde::de::{self, DeserializeSeed, Deserializer, Visitor};
use serde::{Deserialize, Serialize, Serializer};
use std::fmt;
use std::str::FromStr;

/// Parses and validates `input` against the detach_nodes schema
/// ([`Schema::detach_nodes`]) with the default [`Limits`].
///
/// ```
/// let f = catalog_filter::compile("eq(sku,book):gt(updated_at,2024-01-01)").unwrap();
/// assert_eq!(f.conditions().count(), 2);
/// let err = catalog_filter::compile("like(id,x)").unwrap_err();
/// assert_eq!(err.to_string(), "operator `like` is not supported for `id`; supported: eq, in, gt, ge, lt, le");
/// ```
pub fn compile(input: &str) -> Result<ValidFilter, FilterError> {
    compile_checked(input, detach_nodes(), &Limits::DEFAULT)
}

impl Schema {
    /// Parses and validates `input` against this schema, under the
    /// schema's own limits ([`Schema::limits`]: depth, complexity cap,
    /// sizes). For other limits, use a [`CompilerBuilder`].
    ///
    /// ```
    /// use catalog_filter::Schema;
    ///
    /// let orders = Schema::orders();
    /// let f = orders.compile("(eq(status,complete)|like(email,*@example.com))").unwrap();
    /// assert_eq!(f.conditions().count(), 2);
    /// let err = orders.compile("eq(satus,complete)").unwrap_err();
    /// assert_eq!(err.to_string(), "unknown attribute `satus`; did you mean `status`?");
    /// ```
    pub fn compile(&self, input: &str) -> Result<ValidFilter, FilterError> {
        compile_checked(input, self, self.limits())
    }
}

/// Configures a [`Compiler`]: the schema and the limits, in the style of
/// regex-syntax's `ParserBuilder`.
///
/// Unset limits are the schema's own ([`Schema::limits`]); the schema is
/// detach_nodes' unless set. Each setter returns the builder, so a
/// compiler is configured in one expression.
///
/// ```
/// use catalog_filter::{CompilerBuilder, Schema};
///
/// let compiler = CompilerBuilder::new()
///     .schema(Schema::every_operator())
///     .max_conditions(2)
///     .build();
/// assert!(compiler.compile("(ilike(name,*SHOE*)|is_null(tags))").is_ok());
/// let err = compiler.compile("eq(sku,a):eq(sku,b):eq(sku,c)").unwrap_err();
/// assert_eq!(err.to_string(), "too many conditions: 3, the limit is 2 conditions per filter");
/// ```
#[derive(Clone, Debug, Default)]
pub struct CompilerBuilder {
    schema: Option<Schema>,
    limits: Option<Limits>,
    max_filter_bytes: Option<usize>,
    max_conditions: Option<usize>,
    max_in_values: Option<usize>,
    max_depth: Option<usize>,
    max_complexity: Option<usize>,
}

impl CompilerBuilder {
    /// A builder for the detach_nodes schema under its own limits.
    pub fn new() -> CompilerBuilder {
        CompilerBuilder::default()
    }

    /// The schema filters are validated against (a cheap clone of a shared
    /// schema).
    pub fn schema(&mut self, schema: Schema) -> &mut CompilerBuilder {
        self.schema = Some(schema);
        self
    }

    /// All the limits at once, in place of the schema's; the single-limit
    /// setters still override their field.
    pub fn limits(&mut self, limits: Limits) -> &mut CompilerBuilder {
        self.limits = Some(limits);
        self
    }

    /// [`Limits::max_filter_bytes`]: the longest filter, in bytes.
    pub fn max_filter_bytes(&mut self, limit: usize) -> &mut CompilerBuilder {
        self.max_filter_bytes = Some(limit);
        self
    }

    /// [`Limits::max_conditions`]: conditions in the whole filter.
    pub fn max_conditions(&mut self, limit: usize) -> &mut CompilerBuilder {
        self.max_conditions = Some(limit);
        self
    }

    /// [`Limits::max_in_values`]: values in one condition.
    pub fn max_in_values(&mut self, limit: usize) -> &mut CompilerBuilder {
        self.max_in_values = Some(limit);
        self
    }

    /// [`Limits::max_depth`]: nesting of parenthesised groups.
    pub fn max_depth(&mut self, limit: usize) -> &mut CompilerBuilder {
        self.max_depth = Some(limit);
        self
    }

    /// [`Limits::max_complexity`]: the OR complexity cap (0: no cap).
    pub fn max_complexity(&mut self, limit: usize) -> &mut CompilerBuilder {
        self.max_complexity = Some(limit);
        self
    }

    /// The compiler so configured.
    pub fn build(&self) -> Compiler {
        let schema = self
            .schema
            .clone()
            .unwrap_or_else(|| detach_nodes().clone());
        let mut limits = self.limits.unwrap_or(*schema.limits());
        let set = |field: &mut usize, value: Option<usize>| {
            if let Some(v) = value {
                *field = v;
            }
        };
        set(&mut limits.max_filter_bytes, self.max_filter_bytes);
        set(&mut limits.max_conditions, self.max_conditions);
        set(&mut limits.max_in_values, self.max_in_values);
        set(&mut limits.max_depth, self.max_depth);
        set(&mut limits.max_complexity, self.max_complexity);
        Compiler { schema, limits }
    }
}

/// Compiles filters against one schema under one set of limits; built by
/// a [`CompilerBuilder`]. Cheap to clone and to share between threads.
///
/// ```
/// use catalog_filter::{Compiler, Limits};
///
/// let compiler = Compiler::new();
/// assert_eq!(compiler.limits(), &Limits::DEFAULT);
/// assert_eq!(compiler.compile(" eq(sku,book) ").unwrap().to_string(), "eq(sku,book)");
/// ```
#[derive(Clone, Debug)]
pub struct Compiler {
    schema: Schema,
    limits: Limits,
}

impl Default for Compiler {
    fn default() -> Compiler {
        Compiler::new()
    }
}

impl Compiler {
    /// The detach_nodes schema under the default [`Limits`] (what
    /// [`compile`](fn@compile) uses).
    pub fn new() -> Compiler {
        CompilerBuilder::new().build()
    }

    /// The schema filters are validated against.
    pub fn schema(&self) -> &Schema {
        &self.schema
    }

    /// The limits filters are held to.
    pub fn limits(&self) -> &Limits {
        &self.limits
    }

    /// Parses and validates `input`: the byte limit first (a filter over it
    /// is refused without being read), then the grammar (with the depth
    /// limit), then the schema and the other limits.
    pub fn compile(&self, input: &str) -> Result<ValidFilter, FilterError> {
        compile_checked(input, &self.schema, &self.limits)
    }

    /// Validates a filter already parsed (by [`syntax::parse`] or
    /// [`syntax::parse_with`]): the schema and the limits other than the
    /// byte and depth limits, which parsing checked. Error spans are
    /// offsets into the parsed text.
    ///
    /// ```
    /// use catalog_filter::{Compiler, syntax};
    ///
    /// let tree = syntax::parse("eq(sku,a):gt(name,b)").unwrap();
    /// let errors = Compiler::new().validate(&tree).unwrap_err();
    /// assert_eq!(errors.iter().next().unwrap().span().range(), 13..17); // `name`
    /// ```
    pub fn validate(&self, filter: &syntax::Filter<'_>) -> Result<ValidFilter, ValidationErrors> {
        validate_for(filter, &self.schema, &self.limits)
    }
}

/// The one path every entry point takes.
pub(crate) fn compile_checked(
    input: &str,
    schema: &Schema,
    limits: &Limits,
) -> Result<ValidFilter, FilterError> {
    if input.len() > limits.max_filter_bytes {
        return Err(FilterTooLong {
            len: input.len(),
            limit: limits.max_filter_bytes,
        }
        .into());
    }
    // The common filter, a valid conjunction, in one pass; anything else
    // (groups, and every error) by the two stages, which say what is wrong.
    if let Some(filter) = compile_conjunction(input, schema, limits) {
        return Ok(filter);
    }
    let filter = syntax::parse_with(input, limits)?;
    Ok(validate_source(&filter, input, schema, limits)?)
}

impl FromStr for ValidFilter {
    type Err = FilterError;

    /// Same as [`compile`] (detach_nodes).
    fn from_str(s: &str) -> Result<ValidFilter, FilterError> {
        compile(s)
    }
}

impl Serialize for ValidFilter {
    /// The canonical string ([`ValidFilter::as_str`]), as `url` and `semver`
    /// serialise theirs. The schema is not written: the reader decides it.
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for ValidFilter {
    /// A filter string, compiled against the detach_nodes schema with the
    /// default [`Limits`] (as [`compile`]); a filter that does not compile
    /// is a deserialisation error with [`FilterError`]'s message. For another
    /// schema use [`FilterSeed`].
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<ValidFilter, D::Error> {
        FilterSeed::new(detach_nodes()).deserialize(deserializer)
    }
}

/// A [`DeserializeSeed`] that reads a filter string and compiles it against
/// a schema under the schema's own limits: for a schema known only at run
/// time (for example one loaded from configuration).
///
/// ```
/// use catalog_filter::FilterSeed;
/// use catalog_filter::schema::Schema;
/// use serde::de::DeserializeSeed;
///
/// let orders = Schema::orders();
/// let mut json = serde_json::Deserializer::from_str(r#""like(email,*@example.com)""#);
/// let filter = FilterSeed::new(&orders).deserialize(&mut json).unwrap();
/// assert_eq!(filter.schema(), &orders);
/// ```
#[derive(Clone, Copy, Debug)]
pub struct FilterSeed<'s> {
    schema: &'s Schema,
}

impl<'s> FilterSeed<'s> {
    /// A seed compiling against `schema`.
    pub fn new(schema: &'s Schema) -> FilterSeed<'s> {
        FilterSeed { schema }
    }
}

impl<'de> DeserializeSeed<'de> for FilterSeed<'_> {
    type Value = ValidFilter;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<ValidFilter, D::Error> {
        deserializer.deserialize_str(self)
    }
}

impl Visitor<'_> for FilterSeed<'_> {
    type Value = ValidFilter;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a filter string")
    }

    fn visit_str<E: de::Error>(self, s: &str) -> Result<ValidFilter, E> {
        self.schema.compile(s).map_err(E::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_setter_lands_in_the_compilers_limits() {
        // Unset limits are the schema's; `limits` replaces them all, and a
        // single-limit setter wins over it, whatever the order of calls.
        let orders = Schema::orders();
        let c = CompilerBuilder::new().schema(orders.clone()).build();
        assert_eq!((c.limits(), c.schema()), (orders.limits(), &orders));
        assert_eq!(Compiler::new().schema(), detach_nodes());
        let base = Limits {
            max_filter_bytes: 1,
            max_conditions: 2,
            max_in_values: 3,
            max_depth: 4,
            max_complexity: 5,
            ..Limits::DEFAULT
        };
        let c = CompilerBuilder::new()
            .max_filter_bytes(10)
            .max_conditions(20)
            .limits(base)
            .max_in_values(30)
            .max_depth(40)
            .max_complexity(50)
            .build();
        assert_eq!(
            c.limits(),
            &Limits {
                max_filter_bytes: 10,
                max_conditions: 20,
                max_in_values: 30,
                max_depth: 40,
                max_complexity: 50,
                ..Limits::DEFAULT
            }
        );
    }

    #[test]
    fn the_byte_limit_admits_a_filter_of_exactly_its_length() {
        let c = CompilerBuilder::new().max_filter_bytes(12).build();
        assert!(c.compile("eq(sku,book)").is_ok());
        assert_eq!(
            c.compile("eq(sku,books)").unwrap_err().to_string(),
            "the filter is 13 bytes long, over the limit of 12 bytes"
        );
    }

    #[test]
    fn serde_is_the_canonical_string() {
        let f = compile("eq( sku , 'a b' ) : like(name,*shoe*)").unwrap();
        let json = serde_json::to_string(&f).unwrap();
        assert_eq!(json, r#""eq(sku,a b):like(name,*shoe*)""#);
        assert_eq!(serde_json::from_str::<ValidFilter>(&json).unwrap(), f);
        // An owned string (visit_string) reads the same way.
        let value = serde_json::Value::String(f.to_string());
        assert_eq!(serde_json::from_value::<ValidFilter>(value).unwrap(), f);
        // Refusals carry FilterError's message.
        let err = serde_json::from_str::<ValidFilter>(r#""gt(name,x)""#).unwrap_err();
        assert!(
            err.to_string()
                .starts_with("operator `gt` is not supported for `name`"),
            "{err}"
        );
        // A value that is not a string names what was expected.
        let err = serde_json::from_str::<ValidFilter>("42").unwrap_err();
        assert_eq!(
            err.to_string(),
            "invalid type: integer `42`, expected a filter string at line 1 column 2"
        );
        // Against another schema.
        let orders = Schema::orders();
        let text = r#""(eq(status,complete)|eq(status,cancelled))""#;
        assert!(serde_json::from_str::<ValidFilter>(text).is_err());
        let mut de = serde_json::Deserializer::from_str(text);
        let f = FilterSeed::new(&orders).deserialize(&mut de).unwrap();
        assert_eq!(f.schema(), &orders);
        // Serialized in canonical form: a top-level OR without parentheses.
        assert_eq!(
            serde_json::to_string(&f).unwrap(),
            r#""eq(status,complete)|eq(status,cancelled)""#
        );
    }
}
