//! Schema files: loading a [`Schema`] from JSON or TOML, and writing it back.
//!
//! # Format
//!
//! ```json
//! {
//!   "name": "orders",
//!   "allow_or": true,
//!   "max_complexity": 4,
//!   "max_depth": 8,
//!   "limits": {"max_conditions": 10, "max_in_values": 1000, "max_filter_bytes": 8192},
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
//! - `allow_or` (default `false`), `max_complexity` (default 4, 0 =
//!   unlimited), `max_depth` (default 8): the schema-wide switches.
//! - `limits` (optional): any of the fields of [`crate::Limits`]; the others
//!   keep their defaults.
//! - `attributes` (required): pattern -> attribute, in the order given. An
//!   attribute has
//!   - `type`: `text`, `text_list`, `integer`, `decimal`, `boolean`,
//!     `uuid`, `instant`, `enum` or `enum_list` (see
//!     [`ValueType`](super::model::ValueType)); the enum types take `values`,
//!     the others must not;
//!   - `operators`: operator names, at least one, each meaningful for the
//!     type ([`ValueType::allows`](super::model::ValueType::allows));
//!   - `aliases` (optional): other names or patterns for the attribute, with
//!     the same captures;
//!   - `one_of`, `min_len`, `max_len` (optional): value rules
//!     ([`ValueRules`](super::model::ValueRules));
//!   - `sql` (optional): `{"column": "email"}`, or `{"json": [column, key,
//!     ...]}` where a key `$name` is the capture `<name>` and `$$x` the
//!     literal key `$x`.
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
//! # Errors
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
//!     "JSON schema, line 2, column 58: attribute `total`: operator `like` does not apply to integer values"
//! );
//! ```

use super::OpSet;
use super::builder::{Format, SchemaError, check_attribute, finish, parse_pattern};
use super::model::{
    Alias, Attribute, Definition, JsonKey, Pattern, Schema, SqlTarget, ValueRules, ValueType,
};
use crate::syntax::Op;
use serde::de::{self, DeserializeSeed, MapAccess, Visitor};
use serde::ser::{SerializeMap, SerializeSeq};
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::fmt;
use std::str::FromStr;

impl Schema {
    /// Loads a schema from JSON (see the [module docs](self) for the format).
    pub fn from_json(text: &str) -> Result<Schema, SchemaError> {
        let def: Definition = serde_json::from_str(text).map_err(|e| json_error(&e))?;
        finish(def)
    }

    /// Loads a schema from TOML (see the [module docs](self) for the format).
    pub fn from_toml(text: &str) -> Result<Schema, SchemaError> {
        let def: Definition = toml::from_str(text).map_err(|e| toml_error(text, &e))?;
        finish(def)
    }

    /// Writes the schema as pretty-printed JSON; [`Schema::from_json`] reads
    /// it back to an equal schema.
    pub fn to_json(&self) -> String {
        // Serialising this data to a String cannot fail (string keys only).
        serde_json::to_string_pretty(&self.def).unwrap_or_default()
    }

    /// Writes the schema as TOML; [`Schema::from_toml`] reads it back to an
    /// equal schema.
    pub fn to_toml(&self) -> String {
        toml::to_string(&self.def).unwrap_or_default()
    }
}

/// A serde_json error as a [`SchemaError::Load`], the position taken out
/// of the message.
fn json_error(e: &serde_json::Error) -> SchemaError {
    let (line, column) = (e.line(), e.column());
    let text = e.to_string();
    let suffix = format!(" at line {line} column {column}");
    let message = text.strip_suffix(&suffix).unwrap_or(&text).to_owned();
    SchemaError::Load {
        format: Format::Json,
        line,
        column,
        message,
    }
}

/// A toml error as a [`SchemaError::Load`], its span turned into a 1-based
/// line and column (in characters).
fn toml_error(text: &str, e: &toml::de::Error) -> SchemaError {
    let start = e.span().map_or(0, |s| s.start);
    let before = text.get(..start).unwrap_or(text);
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let column = before.get(line_start..).map_or(0, |s| s.chars().count()) + 1;
    SchemaError::Load {
        format: Format::Toml,
        line,
        column,
        message: e.message().trim_end().to_owned(),
    }
}

impl Serialize for Schema {
    /// The schema-file form (see the [module docs](self)).
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.def.serialize(serializer)
    }
}

impl<'de> Deserialize<'de> for Schema {
    /// The schema-file form, with every check of [`SchemaBuilder::build`](super::SchemaBuilder::build).
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Schema, D::Error> {
        finish(Definition::deserialize(deserializer)?).map_err(de::Error::custom)
    }
}

/// Why a name is no operator; see `Op`'s `FromStr`.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("unknown operator `{name}`{}; expected one of {}", suggestion.map(|s| format!(" (did you mean `{s}`?)")).unwrap_or_default(), OpSet::of(&Op::ALL))]
pub struct ParseOpError {
    /// The name as given.
    pub name: String,
    /// The nearest operator name, if one is close.
    pub suggestion: Option<&'static str>,
}

impl FromStr for Op {
    type Err = ParseOpError;

    /// Exactly the lower-case name (`eq`, `like`, ...).
    fn from_str(s: &str) -> Result<Op, ParseOpError> {
        Op::from_name(s).ok_or_else(|| ParseOpError {
            name: s.to_owned(),
            suggestion: crate::suggest::nearest(s, Op::ALL.iter().map(|op| op.as_str())),
        })
    }
}

impl Serialize for Op {
    /// The lower-case name.
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for Op {
    /// The lower-case name.
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Op, D::Error> {
        struct OpVisitor;
        impl Visitor<'_> for OpVisitor {
            type Value = Op;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an operator name")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Op, E> {
                v.parse().map_err(E::custom)
            }
        }
        deserializer.deserialize_str(OpVisitor)
    }
}

impl Serialize for Pattern {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for Pattern {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Pattern, D::Error> {
        struct PatternVisitor;
        impl Visitor<'_> for PatternVisitor {
            type Value = Pattern;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a pattern such as `sku` or `extensions.<template>.<field>`")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Pattern, E> {
                parse_pattern(v).map_err(E::custom)
            }
        }
        deserializer.deserialize_str(PatternVisitor)
    }
}

/// `attributes`: pattern -> attribute, in document order.
pub(super) mod attributes {
    use super::*;

    pub(in crate::schema) fn serialize<S: Serializer>(
        attributes: &[Attribute],
        serializer: S,
    ) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(Some(attributes.len()))?;
        for a in attributes {
            map.serialize_entry(a.pattern(), &AttributeBody(a))?;
        }
        map.end()
    }

    pub(in crate::schema) fn deserialize<'de, D: Deserializer<'de>>(
        deserializer: D,
    ) -> Result<Vec<Attribute>, D::Error> {
        struct MapVisitor;
        impl<'de> Visitor<'de> for MapVisitor {
            type Value = Vec<Attribute>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a map from attribute pattern to attribute")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Vec<Attribute>, A::Error> {
                let mut out: Vec<Attribute> = Vec::new();
                while let Some(pattern) = map.next_key::<Pattern>()? {
                    if out.iter().any(|a| a.path_pattern() == &pattern) {
                        return Err(de::Error::custom(SchemaError::DuplicateAttribute {
                            pattern: pattern.as_str().to_owned(),
                        }));
                    }
                    out.push(map.next_value_seed(AttributeSeed(pattern))?);
                }
                Ok(out)
            }
        }
        deserializer.deserialize_map(MapVisitor)
    }
}

/// `aliases`: alias -> target.
pub(super) mod aliases {
    use super::*;

    pub(in crate::schema) fn serialize<S: Serializer>(
        aliases: &[Alias],
        serializer: S,
    ) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(Some(aliases.len()))?;
        for a in aliases {
            map.serialize_entry(a.from(), a.to())?;
        }
        map.end()
    }

    pub(in crate::schema) fn deserialize<'de, D: Deserializer<'de>>(
        deserializer: D,
    ) -> Result<Vec<Alias>, D::Error> {
        struct MapVisitor;
        impl<'de> Visitor<'de> for MapVisitor {
            type Value = Vec<Alias>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a map from alias to attribute")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Vec<Alias>, A::Error> {
                let mut out: Vec<Alias> = Vec::new();
                while let Some(from) = map.next_key::<Pattern>()? {
                    if out.iter().any(|a| a.from() == &from) {
                        return Err(de::Error::custom(SchemaError::DuplicateAlias {
                            alias: from.as_str().to_owned(),
                        }));
                    }
                    let to = map.next_value::<Pattern>()?;
                    out.push(Alias { from, to });
                }
                Ok(out)
            }
        }
        deserializer.deserialize_map(MapVisitor)
    }
}

/// True when `v` is the default, for `skip_serializing_if`.
pub(super) fn is_default<T: Default + PartialEq>(v: &T) -> bool {
    *v == T::default()
}

/// The names of the `type` field.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
enum TypeName {
    Text,
    TextList,
    Integer,
    Decimal,
    Boolean,
    Uuid,
    Instant,
    Enum,
    EnumList,
}

/// The fields of an attribute.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
#[serde(field_identifier, rename_all = "snake_case")]
enum Field {
    Type,
    Values,
    Operators,
    Aliases,
    OneOf,
    MinLen,
    MaxLen,
    Sql,
}

/// An attribute's body in a schema file, written from the attribute.
struct AttributeBody<'a>(&'a Attribute);

impl Serialize for AttributeBody<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let a = self.0;
        let mut map = serializer.serialize_map(None)?;
        map.serialize_entry("type", a.value_type().name())?;
        if let Some(values) = a.value_type().enum_values() {
            map.serialize_entry("values", values)?;
        }
        map.serialize_entry("operators", &OpList(a.operators()))?;
        if !a.aliases.is_empty() {
            map.serialize_entry("aliases", &a.aliases)?;
        }
        let rules = a.rules();
        if let Some(v) = &rules.one_of {
            map.serialize_entry("one_of", v)?;
        }
        if let Some(v) = &rules.min_len {
            map.serialize_entry("min_len", v)?;
        }
        if let Some(v) = &rules.max_len {
            map.serialize_entry("max_len", v)?;
        }
        if let Some(sql) = a.sql() {
            map.serialize_entry("sql", sql)?;
        }
        map.end()
    }
}

/// An operator set as a list of names.
struct OpList(OpSet);

impl Serialize for OpList {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut seq = serializer.serialize_seq(Some(self.0.len()))?;
        for op in self.0.iter() {
            seq.serialize_element(&op)?;
        }
        seq.end()
    }
}

/// Reads one attribute's body, knowing its pattern, and checks it
/// ([`check_attribute`]) while the reader is still at its position.
struct AttributeSeed(Pattern);

impl<'de> DeserializeSeed<'de> for AttributeSeed {
    type Value = Attribute;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Attribute, D::Error> {
        deserializer.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for AttributeSeed {
    type Value = Attribute;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an attribute: a map with `type` and `operators`")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Attribute, A::Error> {
        let mut type_name: Option<TypeName> = None;
        let mut values: Option<Vec<String>> = None;
        let mut ops: Option<Vec<Op>> = None;
        let mut aliases: Option<Vec<Pattern>> = None;
        let mut rules = ValueRules::default();
        let mut sql: Option<SqlTarget> = None;
        fn once<T, E: de::Error>(slot: &Option<T>, name: &'static str) -> Result<(), E> {
            match slot {
                Some(_) => Err(E::duplicate_field(name)),
                None => Ok(()),
            }
        }
        while let Some(field) = map.next_key::<Field>()? {
            match field {
                Field::Type => {
                    once(&type_name, "type")?;
                    type_name = Some(map.next_value()?);
                }
                Field::Values => {
                    once(&values, "values")?;
                    values = Some(map.next_value()?);
                }
                Field::Operators => {
                    once(&ops, "operators")?;
                    ops = Some(map.next_value()?);
                }
                Field::Aliases => {
                    once(&aliases, "aliases")?;
                    aliases = Some(map.next_value()?);
                }
                Field::OneOf => {
                    once(&rules.one_of, "one_of")?;
                    rules.one_of = Some(map.next_value()?);
                }
                Field::MinLen => {
                    once(&rules.min_len, "min_len")?;
                    rules.min_len = Some(map.next_value()?);
                }
                Field::MaxLen => {
                    once(&rules.max_len, "max_len")?;
                    rules.max_len = Some(map.next_value()?);
                }
                Field::Sql => {
                    once(&sql, "sql")?;
                    sql = Some(map.next_value()?);
                }
            }
        }
        let type_name = type_name.ok_or_else(|| de::Error::missing_field("type"))?;
        let ops = ops.ok_or_else(|| de::Error::missing_field("operators"))?;
        let value_type = match (type_name, values) {
            (TypeName::Enum, Some(v)) => ValueType::Enum(v),
            (TypeName::EnumList, Some(v)) => ValueType::EnumList(v),
            (TypeName::Enum | TypeName::EnumList, None) => {
                return Err(de::Error::missing_field("values"));
            }
            (_, Some(_)) => {
                return Err(de::Error::custom(
                    "`values` is only for the types `enum` and `enum_list`",
                ));
            }
            (TypeName::Text, None) => ValueType::Text,
            (TypeName::TextList, None) => ValueType::TextList,
            (TypeName::Integer, None) => ValueType::Integer,
            (TypeName::Decimal, None) => ValueType::Decimal,
            (TypeName::Boolean, None) => ValueType::Boolean,
            (TypeName::Uuid, None) => ValueType::Uuid,
            (TypeName::Instant, None) => ValueType::Instant,
        };
        let attribute = Attribute {
            pattern: self.0,
            value_type,
            ops: OpSet::of(&ops),
            aliases: aliases.unwrap_or_default(),
            rules,
            sql,
        };
        check_attribute(&attribute).map_err(de::Error::custom)?;
        Ok(attribute)
    }
}

/// `sql` in a schema file.
#[derive(Serialize, Deserialize)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
enum SqlDoc {
    Column(String),
    Json(Vec<String>),
}

impl Serialize for SqlTarget {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let doc = match self {
            SqlTarget::Column(c) => SqlDoc::Column(c.clone()),
            SqlTarget::Json { column, path } => SqlDoc::Json(
                std::iter::once(column.clone())
                    .chain(path.iter().map(|k| match k {
                        JsonKey::Capture(c) => format!("${c}"),
                        JsonKey::Key(k) if k.starts_with('$') => format!("${k}"),
                        JsonKey::Key(k) => k.clone(),
                    }))
                    .collect(),
            ),
        };
        doc.serialize(serializer)
    }
}

impl<'de> Deserialize<'de> for SqlTarget {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<SqlTarget, D::Error> {
        Ok(match SqlDoc::deserialize(deserializer)? {
            SqlDoc::Column(c) => SqlTarget::Column(c),
            SqlDoc::Json(parts) => {
                let mut parts = parts.into_iter();
                let column = parts.next().unwrap_or_default();
                let path = parts
                    .map(|p| match p.strip_prefix('$') {
                        Some(rest) if rest.starts_with('$') => JsonKey::Key(rest.to_owned()),
                        Some(capture) => JsonKey::Capture(capture.to_owned()),
                        None => JsonKey::Key(p),
                    })
                    .collect();
                SqlTarget::Json { column, path }
            }
        })
    }
}
