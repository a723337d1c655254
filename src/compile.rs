//! Parse and validate in one call: the byte limit, then the grammar (with
//! the depth limit), then the schema and the other limits.
//!
//! These entry points come after [`crate::error`] in the stage order
//! because they return its joining [`FilterError`]; [`crate::validate`]
//! itself knows only its own
//! [`ValidationErrors`](crate::ValidationErrors). They are re-exported at
//! the crate root (`catalog_filter::compile`, ...), where most users call
//! them. `str::parse::<ValidFilter>()` and serde's `Deserialize` for
//! [`ValidFilter`] compile against the detach_nodes schema;
//! [`deserialize_with_schema`] and [`FilterSeed`] compile against any other.

use crate::error::FilterError;
use crate::limits::Limits;
use crate::schema::Schema;
use crate::syntax;
use crate::validate::{
    FilterTooLong, ValidFilter, compile_conjunction, detach_nodes, validate_source,
};
use serde::de::{self, DeserializeSeed, Deserializer, Visitor};
use serde::{Deserialize, Serialize, Serializer};
use std::fmt;
use std::str::FromStr;

/// Parses and validates `input` with the default [`Limits`] against the
/// detach_nodes schema.
///
/// ```
/// let f = catalog_filter::compile("eq(sku,book):gt(updated_at,2024-01-01)").unwrap();
/// assert_eq!(f.conditions().count(), 2);
/// let err = catalog_filter::compile("like(id,x)").unwrap_err();
/// assert_eq!(err.to_string(), "operator `like` is not supported for `id`; supported: eq, in, gt, ge, lt, le");
/// ```
pub fn compile(input: &str) -> Result<ValidFilter, FilterError> {
    compile_with(input, &Limits::DEFAULT)
}

/// Parses and validates `input` under `limits` against the detach_nodes
/// schema; see [`compile_for`].
pub fn compile_with(input: &str, limits: &Limits) -> Result<ValidFilter, FilterError> {
    compile_for(input, detach_nodes(), limits)
}

/// Parses and validates `input` against `schema`, under the schema's own
/// limits ([`Schema::limits`]: depth, complexity cap, sizes).
///
/// ```
/// use catalog_filter::schema::Schema;
/// use catalog_filter::compile_with_schema;
///
/// let orders = Schema::orders();
/// let f = compile_with_schema("(eq(status,complete)|like(email,*@example.com))", &orders).unwrap();
/// assert_eq!(f.conditions().count(), 2);
/// let err = compile_with_schema("eq(satus,complete)", &orders).unwrap_err();
/// assert_eq!(err.to_string(), "unknown attribute `satus`; did you mean `status`?");
/// ```
pub fn compile_with_schema(input: &str, schema: &Schema) -> Result<ValidFilter, FilterError> {
    compile_for(input, schema, schema.limits())
}

/// Parses and validates `input` under `limits` against `schema`: the byte
/// limit first (a filter over it is refused without being read), then the
/// grammar (with the depth limit), then the schema and the other limits.
///
/// ```
/// use catalog_filter::schema::Schema;
/// use catalog_filter::{compile_for, Limits};
///
/// let f = compile_for("(ilike(name,*SHOE*)|is_null(tags))", &Schema::every_operator(), &Limits::DEFAULT);
/// assert!(f.is_ok());
/// ```
pub fn compile_for(
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
    /// schema use [`deserialize_with_schema`] or [`FilterSeed`].
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<ValidFilter, D::Error> {
        FilterSeed::new(detach_nodes()).deserialize(deserializer)
    }
}

/// Deserialises a filter string and compiles it against `schema`, under
/// the schema's own limits (as [`compile_with_schema`]).
///
/// Use it from `#[serde(deserialize_with = "...")]` through a function that
/// names the schema:
///
/// ```
/// use catalog_filter::{ValidFilter, schema::Schema};
/// use serde::{Deserialize, Deserializer};
///
/// fn orders_filter<'de, D: Deserializer<'de>>(d: D) -> Result<ValidFilter, D::Error> {
///     static ORDERS: std::sync::LazyLock<Schema> = std::sync::LazyLock::new(Schema::orders);
///     catalog_filter::compile::deserialize_with_schema(d, &ORDERS)
/// }
///
/// #[derive(Deserialize)]
/// struct Query {
///     #[serde(deserialize_with = "orders_filter")]
///     filter: ValidFilter,
/// }
///
/// let q: Query = serde_json::from_str(r#"{"filter": "( eq(status,complete) | eq(status,processing) )"}"#).unwrap();
/// assert_eq!(q.filter.to_string(), "(eq(status,complete)|eq(status,processing))");
/// assert!(serde_json::from_str::<Query>(r#"{"filter": "eq(sku,a)"}"#).is_err());
/// ```
pub fn deserialize_with_schema<'de, D: Deserializer<'de>>(
    deserializer: D,
    schema: &Schema,
) -> Result<ValidFilter, D::Error> {
    FilterSeed::new(schema).deserialize(deserializer)
}

/// A [`DeserializeSeed`] that reads a filter string and compiles it against
/// a schema under the schema's own limits: for a schema known only at run
/// time (for example one loaded from configuration).
///
/// ```
/// use catalog_filter::compile::FilterSeed;
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
        compile_with_schema(s, self.schema).map_err(E::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
        let f = deserialize_with_schema(&mut de, &orders).unwrap();
        assert_eq!(f.schema(), &orders);
        assert_eq!(serde_json::to_string(&f).unwrap(), text);
    }
}
