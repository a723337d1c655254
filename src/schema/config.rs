//! Schema files: JSON and TOML (documented in the `schema` module).

use super::attribute::{Alias, AttributeDef};
use super::check::{check_attribute, check_limits, finish, parse_pattern};
use super::error::{Format, SchemaError};
use super::model::{Definition, Schema};
use super::op_set::OpSet;
use super::pattern::AttributePattern;
use super::sql_target::{JsonKey, SqlTarget};
use super::value::Decimal;
use super::value_type::{ValueRules, ValueType};
use crate::limits::Limits;
use crate::syntax::Op;
use serde::de::{self, DeserializeSeed, MapAccess, Visitor};
use serde::ser::{SerializeMap, SerializeSeq};
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::collections::HashSet;
use std::fmt;
use std::str::FromStr;

impl Schema {
    /// Loads a schema from JSON (see the [module docs](crate::schema) for the format).
    pub fn from_json(text: &str) -> Result<Schema, SchemaError> {
        let def: Definition = serde_json::from_str(text).map_err(|e| json_error(&e))?;
        finish(def)
    }

    /// Loads a schema from TOML (see the [module docs](crate::schema) for the format).
    pub fn from_toml(text: &str) -> Result<Schema, SchemaError> {
        let def: Definition = toml::from_str(text).map_err(|e| toml_error(text, &e))?;
        finish(def)
    }

    /// Loads a schema file's bytes in `format`, such as a file as read: bytes
    /// that are not UTF-8 are a [`SchemaError::Load`] at the line and
    /// column of the first bad byte; the text is then read as by
    /// [`Schema::from_json`] or [`Schema::from_toml`].
    ///
    /// ```
    /// use catalog_filter::schema::{Format, Schema};
    ///
    /// let err = Schema::from_slice(b"{\"name\": \"caf\xe9\"}", Format::Json).unwrap_err();
    /// assert_eq!(
    ///     err.to_string(),
    ///     "JSON schema, line 1, column 14: not UTF-8: invalid utf-8 sequence of 1 bytes from index 13"
    /// );
    /// ```
    pub fn from_slice(bytes: &[u8], format: Format) -> Result<Schema, SchemaError> {
        let text = std::str::from_utf8(bytes).map_err(|e| {
            let valid = bytes.get(..e.valid_up_to()).unwrap_or_default();
            // The prefix is valid UTF-8 by definition of `valid_up_to`.
            let before = std::str::from_utf8(valid).unwrap_or_default();
            let (line, column) = line_column(before, before.len());
            SchemaError::Load {
                format,
                line,
                column,
                message: format!("not UTF-8: {e}"),
            }
        })?;
        match format {
            Format::Json => Schema::from_json(text),
            Format::Toml => Schema::from_toml(text),
        }
    }

    /// Writes the schema as pretty-printed JSON; [`Schema::from_json`] reads
    /// it back to an equal schema.
    pub fn to_json(&self) -> String {
        // Serialising this data to a String cannot fail (string keys only).
        serde_json::to_string_pretty(&*self.def).unwrap_or_default()
    }

    /// Writes the schema as TOML; [`Schema::from_toml`] reads it back to an
    /// equal schema.
    pub fn to_toml(&self) -> String {
        // Cannot fail either: string keys only, and every integer fits an
        // i64 (checked when the schema was built).
        toml::to_string(&*self.def).unwrap_or_default()
    }
}

/// A serde_json error as a [`SchemaError::Load`], the position taken out
/// of the message.
fn json_error(e: &serde_json::Error) -> SchemaError {
    let (line, column) = (e.line(), e.column());
    let text = e.to_string();
    let suffix = format!(" at line {line} column {column}");
    let message = text.strip_suffix(&suffix).unwrap_or(&text).to_owned();
    // serde_json says column 0 (and, for some errors, line 0) before the
    // first character; positions here are 1-based.
    SchemaError::Load {
        format: Format::Json,
        line: line.max(1),
        column: column.max(1),
        message,
    }
}

/// A toml error as a [`SchemaError::Load`], its span turned into a 1-based
/// line and column (in characters).
fn toml_error(text: &str, e: &toml::de::Error) -> SchemaError {
    let (line, column) = line_column(text, e.span().map_or(0, |s| s.start));
    SchemaError::Load {
        format: Format::Toml,
        line,
        column,
        message: e.message().trim_end().to_owned(),
    }
}

/// The 1-based line and column (in characters) of byte `offset` of `text`.
fn line_column(text: &str, offset: usize) -> (usize, usize) {
    let before = text.get(..offset).unwrap_or(text);
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let column = before.get(line_start..).map_or(0, |s| s.chars().count()) + 1;
    (line, column)
}

/// `limits`: the limits, checked ([`check_limits`]) while the reader is
/// still at their position.
pub(super) fn limits<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Limits, D::Error> {
    let limits = Limits::deserialize(deserializer)?;
    check_limits(&limits).map_err(de::Error::custom)?;
    Ok(limits)
}

impl Serialize for Schema {
    /// The schema-file form (see the [module docs](crate::schema)).
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        (*self.def).serialize(serializer)
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

impl Serialize for AttributePattern {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for AttributePattern {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<AttributePattern, D::Error> {
        struct PatternVisitor;
        impl Visitor<'_> for PatternVisitor {
            type Value = AttributePattern;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a pattern such as `sku` or `extensions.<template>.<field>`")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<AttributePattern, E> {
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
        attributes: &[AttributeDef],
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
    ) -> Result<Vec<AttributeDef>, D::Error> {
        struct MapVisitor;
        impl<'de> Visitor<'de> for MapVisitor {
            type Value = Vec<AttributeDef>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a map from attribute pattern to attribute")
            }
            fn visit_map<A: MapAccess<'de>>(
                self,
                mut map: A,
            ) -> Result<Vec<AttributeDef>, A::Error> {
                let mut out: Vec<AttributeDef> = Vec::new();
                let mut seen = HashSet::new();
                while let Some(pattern) = map.next_key::<AttributePattern>()? {
                    if !seen.insert(pattern.as_str().to_owned()) {
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
                let mut seen = HashSet::new();
                while let Some(from) = map.next_key::<AttributePattern>()? {
                    if !seen.insert(from.as_str().to_owned()) {
                        return Err(de::Error::custom(SchemaError::DuplicateAlias {
                            alias: from.as_str().to_owned(),
                        }));
                    }
                    let to = map.next_value::<AttributePattern>()?;
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

/// The `type` field: a type's name ([`ValueType::name`]), read into that
/// type (an enum type still without its values). The names come from
/// [`ValueType::KINDS`], so there is no second list of them.
struct TypeField(ValueType);

/// The type names, as serde lists expected names: `` `text`, `text_list`, ... ``.
fn type_names() -> String {
    ValueType::KINDS
        .iter()
        .map(|t| format!("`{}`", t.name()))
        .collect::<Vec<_>>()
        .join(", ")
}

impl<'de> Deserialize<'de> for TypeField {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<TypeField, D::Error> {
        struct TypeVisitor;
        impl Visitor<'_> for TypeVisitor {
            type Value = TypeField;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, "a type name, one of {}", type_names())
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<TypeField, E> {
                ValueType::KINDS
                    .into_iter()
                    .find(|t| t.name() == v)
                    .map(TypeField)
                    .ok_or_else(|| {
                        E::custom(format!(
                            "unknown variant `{v}`, expected one of {}",
                            type_names()
                        ))
                    })
            }
        }
        deserializer.deserialize_str(TypeVisitor)
    }
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
    Lt,
    Le,
    Gt,
    Ge,
    Email,
    Excludes,
    Sql,
}

/// A bound (`gt`, `ge`, `lt`, `le`) in a schema file: an integer, or a
/// decimal number as a string (`"12.5"`), read with the decimal grammar of
/// filter values. A float is refused: JSON and TOML readers round it to
/// binary, and a bound is compared exactly.
struct BoundSeed(&'static str);

impl<'de> DeserializeSeed<'de> for BoundSeed {
    type Value = Decimal;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Decimal, D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl Visitor<'_> for BoundSeed {
    type Value = Decimal;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an integer, or a decimal number as a string (\"12.5\")")
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Decimal, E> {
        self.visit_str(&v.to_string())
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Decimal, E> {
        self.visit_str(&v.to_string())
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Decimal, E> {
        Err(E::custom(format!(
            "`{}` is the float {v}: write a decimal bound as a string (\"{v}\"), which is read exactly",
            self.0
        )))
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Decimal, E> {
        Decimal::parse(v)
            .ok_or_else(|| E::custom(format!("`{}` value `{v}` is not a decimal number", self.0)))
    }
}

/// A bound as written back: an integer when it is one that fits an `i64`
/// (TOML's integers), else the decimal as a string.
struct BoundOut<'a>(&'a Decimal);

impl Serialize for BoundOut<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let text = self.0.to_string();
        match text.parse::<i64>() {
            Ok(n) => serializer.serialize_i64(n),
            Err(_) => serializer.serialize_str(&text),
        }
    }
}

/// An attribute's body in a schema file, written from the attribute.
struct AttributeBody<'a>(&'a AttributeDef);

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
        for (name, bound) in [
            ("lt", &rules.lt),
            ("le", &rules.le),
            ("gt", &rules.gt),
            ("ge", &rules.ge),
        ] {
            if let Some(b) = bound {
                map.serialize_entry(name, &BoundOut(b))?;
            }
        }
        if rules.email {
            map.serialize_entry("email", &true)?;
        }
        if !rules.excludes.is_empty() {
            map.serialize_entry("excludes", &rules.excludes)?;
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
struct AttributeSeed(AttributePattern);

impl<'de> DeserializeSeed<'de> for AttributeSeed {
    type Value = AttributeDef;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<AttributeDef, D::Error> {
        deserializer.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for AttributeSeed {
    type Value = AttributeDef;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an attribute: a map with `type` and `operators`")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<AttributeDef, A::Error> {
        let mut type_name: Option<TypeField> = None;
        let mut values: Option<Vec<String>> = None;
        let mut ops: Option<Vec<Op>> = None;
        let mut aliases: Option<Vec<AttributePattern>> = None;
        let mut rules = ValueRules::default();
        let mut sql: Option<SqlTarget> = None;
        let mut email: Option<bool> = None;
        let mut excludes: Option<Vec<String>> = None;
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
                Field::Lt => {
                    once(&rules.lt, "lt")?;
                    rules.lt = Some(map.next_value_seed(BoundSeed("lt"))?);
                }
                Field::Le => {
                    once(&rules.le, "le")?;
                    rules.le = Some(map.next_value_seed(BoundSeed("le"))?);
                }
                Field::Gt => {
                    once(&rules.gt, "gt")?;
                    rules.gt = Some(map.next_value_seed(BoundSeed("gt"))?);
                }
                Field::Ge => {
                    once(&rules.ge, "ge")?;
                    rules.ge = Some(map.next_value_seed(BoundSeed("ge"))?);
                }
                Field::Email => {
                    once(&email, "email")?;
                    email = Some(map.next_value()?);
                }
                Field::Excludes => {
                    once(&excludes, "excludes")?;
                    excludes = Some(map.next_value()?);
                }
                Field::Sql => {
                    once(&sql, "sql")?;
                    sql = Some(map.next_value()?);
                }
            }
        }
        rules.email = email.unwrap_or_default();
        rules.excludes = excludes.unwrap_or_default();
        let type_name = type_name.ok_or_else(|| de::Error::missing_field("type"))?;
        let ops = ops.ok_or_else(|| de::Error::missing_field("operators"))?;
        let value_type = match (type_name.0, values) {
            (ValueType::Enum(_), Some(v)) => ValueType::Enum(v),
            (ValueType::EnumList(_), Some(v)) => ValueType::EnumList(v),
            (t, None) if t.enum_values().is_some() => {
                return Err(de::Error::missing_field("values"));
            }
            (_, Some(_)) => {
                return Err(de::Error::custom(
                    "`values` is only for the types `enum` and `enum_list`",
                ));
            }
            (t, None) => t,
        };
        let attribute = AttributeDef {
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
    Exists(ExistsDoc),
}

/// `{"exists": {...}}` in a schema file.
#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct ExistsDoc {
    table: String,
    column: String,
    key: String,
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
            SqlTarget::Exists { table, column, key } => SqlDoc::Exists(ExistsDoc {
                table: table.clone(),
                column: column.clone(),
                key: key.clone(),
            }),
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
            SqlDoc::Exists(ExistsDoc { table, column, key }) => {
                SqlTarget::Exists { table, column, key }
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A schema using every feature of the format.
    fn full() -> Schema {
        Schema::builder("everything")
            .allow_or(true)
            .limits(Limits {
                max_conditions: 20,
                ..Limits::DEFAULT
            })
            .max_complexity(0)
            .max_depth(3)
            .attribute(
                "status",
                ValueType::Enum(vec!["a".into(), "b".into()]),
                &[Op::Eq, Op::In],
            )
            .alias("order_status", "status")
            .alias("state", "status")
            .attribute("email", ValueType::Text, &[Op::Eq, Op::Like])
            .min_len(3)
            .max_len(254)
            .email()
            .excludes("<")
            .excludes("\"")
            .gt(2)
            .sql(SqlTarget::Column("t.email".into()))
            .attribute("flag", ValueType::Boolean, &[Op::Eq])
            .one_of(["true"])
            .attribute("total", ValueType::Decimal, &[Op::Gt, Op::Le])
            .ge("-12.5")
            .lt("1e30")
            .attribute("n", ValueType::Integer, &[Op::Eq])
            .lt(128)
            .le("9223372036854775808")
            .attribute("id", ValueType::Uuid, &[Op::Eq])
            .attribute("at", ValueType::Instant, &[Op::Lt])
            .attribute("tags", ValueType::TextList, &[Op::Like])
            .attribute("kinds", ValueType::EnumList(vec!["x".into()]), &[Op::In])
            .attribute("extensions.<template>.<field>", ValueType::Text, &[Op::Eq])
            .sql(SqlTarget::Json {
                column: "ext".into(),
                path: vec![
                    JsonKey::Key("$raw".into()),
                    JsonKey::Capture("template".into()),
                    JsonKey::Key("v".into()),
                    JsonKey::Capture("field".into()),
                ],
            })
            .alias("ext.<template>.<field>", "extensions.<template>.<field>")
            .alias("isbn", "extensions.book.isbn")
            .build()
            .unwrap()
    }

    #[test]
    fn round_trips() {
        let s = full();
        let json = s.to_json();
        assert_eq!(Schema::from_json(&json).unwrap(), s, "{json}");
        let toml = s.to_toml();
        assert_eq!(Schema::from_toml(&toml).unwrap(), s, "{toml}");
        // Through serde_json::Value too (Schema: Serialize + Deserialize).
        let value = serde_json::to_value(&s).unwrap();
        assert_eq!(
            value["attributes"]["status"]["aliases"],
            serde_json::json!(["order_status", "state"])
        );
        assert_eq!(
            value["aliases"],
            serde_json::json!({"isbn": "extensions.book.isbn"})
        );
        assert_eq!(
            value["attributes"]["extensions.<template>.<field>"]["sql"],
            serde_json::json!({"json": ["ext", "$$raw", "$template", "v", "$field"]})
        );
        // Bounds are written as integers when they fit an i64, else as
        // decimal strings; `email` only when set.
        assert_eq!(
            value["attributes"]["total"],
            serde_json::json!({"type": "decimal", "operators": ["gt", "le"], "lt": "1000000000000000000000000000000", "ge": "-12.5"})
        );
        assert_eq!(value["attributes"]["n"]["lt"], serde_json::json!(128));
        assert_eq!(
            value["attributes"]["n"]["le"],
            serde_json::json!("9223372036854775808")
        );
        assert_eq!(
            value["attributes"]["email"]["email"],
            serde_json::json!(true)
        );
        assert_eq!(
            value["attributes"]["email"]["excludes"],
            serde_json::json!(["<", "\""])
        );
        assert_eq!(value["attributes"]["flag"].get("email"), None);
        // serde_json's Value sorts keys; equality does not depend on order.
        assert_eq!(serde_json::from_value::<Schema>(value).unwrap(), s);
    }

    #[test]
    fn top_level_alias_to_an_attribute_is_the_attribute_alias() {
        let a = Schema::from_json(
            r#"{"name":"x","attributes":{"sku":{"type":"text","operators":["eq"]}},"aliases":{"code":"sku"}}"#,
        )
        .unwrap();
        let b = Schema::from_json(
            r#"{"name":"x","attributes":{"sku":{"type":"text","operators":["eq"],"aliases":["code"]}}}"#,
        )
        .unwrap();
        assert_eq!(a, b);
        assert!(a.aliases().is_empty());
    }

    #[test]
    fn the_brief_example_loads() {
        let s = Schema::from_json(
            r#"{"name":"orders","allow_or":true,"limits":{"max_complexity":4},"attributes":{"status":{"type":"enum","values":["incomplete","complete","processing","cancelled"],"operators":["eq"],"aliases":["order_status"]}, "with_tax":{"type":"integer","operators":["gt","ge","lt","le"]}, "extensions.<template>.<field>":{"type":"text","operators":["eq"]}}}"#,
        )
        .unwrap();
        assert_eq!(
            s.resolve("order_status").unwrap().attribute().pattern(),
            "status"
        );
        let toml = r#"
name = "orders"
allow_or = true

[limits]
max_conditions = 5

[attributes.status]
type = "enum"
values = ["incomplete", "complete"]
operators = ["eq"]

[attributes."extensions.<template>.<field>"]
type = "text"
operators = ["eq"]
sql = { json = ["extensions", "$template", "$field"] }
"#;
        let s = Schema::from_toml(toml).unwrap();
        assert_eq!(s.limits().max_conditions, 5);
        assert_eq!(s.limits().max_filter_bytes, 8192);
        assert_eq!(
            s.resolve("extensions.a.b").unwrap().capture("field"),
            Some("b")
        );
    }

    /// `(line, column, message)` of a load error.
    fn json_err(text: &str) -> (usize, usize, String) {
        match Schema::from_json(text) {
            Err(SchemaError::Load {
                format: Format::Json,
                line,
                column,
                message,
            }) => (line, column, message),
            other => panic!("{text}: {other:?}"),
        }
    }

    fn toml_err(text: &str) -> (usize, usize, String) {
        match Schema::from_toml(text) {
            Err(SchemaError::Load {
                format: Format::Toml,
                line,
                column,
                message,
            }) => (line, column, message),
            other => panic!("{text}: {other:?}"),
        }
    }

    fn one(attribute: &str) -> String {
        format!("{{\"name\": \"x\", \"attributes\": {{\n  {attribute}\n}}}}")
    }

    #[test]
    fn json_errors_name_line_and_column() {
        let cases: &[(&str, (usize, usize, &str))] = &[
            (
                r#""a": {"type": "int", "operators": ["eq"]}"#,
                (
                    2,
                    21,
                    "unknown variant `int`, expected one of `text`, `text_list`, `integer`, `decimal`, `boolean`, `uuid`, `instant`, `enum`, `enum_list`",
                ),
            ),
            (
                r#""a": {"type": "text", "operators": ["eq", "ne"]}"#,
                (
                    2,
                    48,
                    "unknown operator `ne` (did you mean `ge`?); expected one of eq, like, in, gt, ge, lt, le, ilike, contains, contains_any, contains_all, text, is_null",
                ),
            ),
            (
                r#""a": {"type": "text", "operators": ["eqq"]}"#,
                (
                    2,
                    43,
                    "unknown operator `eqq` (did you mean `eq`?); expected one of eq, like, in, gt, ge, lt, le, ilike, contains, contains_any, contains_all, text, is_null",
                ),
            ),
            (
                r#""a": {"type": "integer", "operators": ["eq", "like"]}"#,
                (
                    2,
                    55,
                    "attribute `a`: operator `like` does not apply to integer values",
                ),
            ),
            (
                r#""s": {"type": "enum", "values": [], "operators": ["eq"]}"#,
                (2, 58, "attribute `s`: an enum needs at least one value"),
            ),
            (
                r#""s": {"type": "enum", "operators": ["eq"]}"#,
                (2, 44, "missing field `values`"),
            ),
            (
                r#""s": {"type": "text", "values": ["a"], "operators": ["eq"]}"#,
                (
                    2,
                    61,
                    "`values` is only for the types `enum` and `enum_list`",
                ),
            ),
            (
                r#""s": {"type": "text"}"#,
                (2, 23, "missing field `operators`"),
            ),
            (
                r#""s": {"type": "text", "operators": ["eq"], "colour": 1}"#,
                (
                    2,
                    53,
                    "unknown field `colour`, expected one of `type`, `values`, `operators`, `aliases`, `one_of`, `min_len`, `max_len`, `lt`, `le`, `gt`, `ge`, `email`, `excludes`, `sql`",
                ),
            ),
            (
                r#""s": {"type": "text", "type": "text", "operators": ["eq"]}"#,
                (2, 30, "duplicate field `type`"),
            ),
            (
                r#""a.<b": {"type": "text", "operators": ["eq"]}"#,
                (
                    2,
                    8,
                    "invalid pattern `a.<b`: bad capture `<b`: a capture is `<name>`, the name of ASCII letters, digits and `_`, not starting with a digit",
                ),
            ),
            (
                r#""s": {"type": "text", "operators": ["eq"]}, "s": {"type": "text", "operators": ["eq"]}"#,
                (2, 49, "attribute `s` is defined twice"),
            ),
            (
                r#""s": {"type": "text", "operators": ["eq"], "aliases": ["x.<y"]}"#,
                (
                    2,
                    63,
                    "invalid pattern `x.<y`: bad capture `<y`: a capture is `<name>`, the name of ASCII letters, digits and `_`, not starting with a digit",
                ),
            ),
            (
                r#""s": {"type": "text", "operators": ["eq"], "sql": {"table": "t"}}"#,
                (
                    2,
                    60,
                    "unknown variant `table`, expected one of `column`, `json`, `exists`",
                ),
            ),
            (
                r#""s": {"type": "text", "operators": ["eq"], "sql": {"column": "1x"}}"#,
                (
                    2,
                    69,
                    "attribute `s`: sql: column `1x` is not an identifier (ASCII letters, digits and `_`, optionally qualified with `.`)",
                ),
            ),
            (
                r#""s": {"type": "text", "operators": ["eq"], "min_len": -1}"#,
                (2, 58, "invalid value: integer `-1`, expected usize"),
            ),
            (
                r#""n": {"type": "decimal", "operators": ["eq"], "lt": 12.5}"#,
                (
                    2,
                    58,
                    "`lt` is the float 12.5: write a decimal bound as a string (\"12.5\"), which is read exactly",
                ),
            ),
            (
                r#""n": {"type": "decimal", "operators": ["eq"], "ge": "1,5"}"#,
                (2, 59, "`ge` value `1,5` is not a decimal number"),
            ),
            (
                r#""n": {"type": "decimal", "operators": ["eq"], "le": true}"#,
                (
                    2,
                    58,
                    "invalid type: boolean `true`, expected an integer, or a decimal number as a string (\"12.5\")",
                ),
            ),
            (
                r#""n": {"type": "integer", "operators": ["eq"], "gt": 4, "le": "3.5"}"#,
                (2, 69, "attribute `n`: `gt` 4 and `le` 3.5 leave no value"),
            ),
            (
                r#""b": {"type": "boolean", "operators": ["eq"], "lt": 1}"#,
                (
                    2,
                    56,
                    "attribute `b`: `lt` applies to integer, decimal and text values, not boolean",
                ),
            ),
            (
                r#""s": {"type": "text", "operators": ["eq"], "lt": "2.5"}"#,
                (
                    2,
                    57,
                    "attribute `s`: `lt` on text bounds the length: a whole number of characters (at most 9223372036854775807), not 2.5",
                ),
            ),
            (
                r#""s": {"type": "text", "operators": ["eq"], "email": "yes"}"#,
                (2, 59, "invalid type: string \"yes\", expected a boolean"),
            ),
            (
                r#""n": {"type": "integer", "operators": ["eq"], "email": true}"#,
                (
                    2,
                    62,
                    "attribute `n`: `email` applies to text values, not integer",
                ),
            ),
            (
                r#""s": {"type": "text", "operators": ["eq"], "excludes": "<"}"#,
                (2, 60, "invalid type: string \"<\", expected a sequence"),
            ),
            (
                r#""s": {"type": "text", "operators": ["eq"], "excludes": ["a", "a"]}"#,
                (2, 68, "attribute `s`: `excludes` lists `a` twice"),
            ),
            (
                r#""s": {"type": "text", "operators": ["eq"], "lt": 1, "lt": 2}"#,
                (2, 58, "duplicate field `lt`"),
            ),
        ];
        let wrong: Vec<String> = cases
            .iter()
            .filter_map(|(attribute, (line, column, message))| {
                let got = json_err(&one(attribute));
                (got != (*line, *column, (*message).to_owned()))
                    .then(|| format!("{attribute}\n  got {got:?}"))
            })
            .collect();
        assert!(wrong.is_empty(), "{}", wrong.join("\n"));
        assert_eq!(json_err("{"), (1, 1, "EOF while parsing an object".into()));
        assert_eq!(
            json_err(r#"{"attributes": {}}"#),
            (1, 18, "missing field `name`".into())
        );
        assert_eq!(
            json_err(r#"{"name": "x", "attributes": {}, "or": true}"#),
            (1, 36, "unknown field `or`, expected one of `name`, `allow_or`, `limits`, `attributes`, `aliases`".into())
        );
        assert_eq!(
            json_err(r#"{"name": "x", "attributes": {}, "limits": {"max_conditons": 1}}"#),
            (1, 58, "unknown field `max_conditons`, expected one of `max_filter_bytes`, `max_conditions`, `max_in_values`, `max_node_ids`, `max_product_ids`, `max_depth`, `max_complexity`, `max_snapshot_bytes`".into())
        );
        let full = SchemaError::Load {
            format: Format::Json,
            line: 2,
            column: 3,
            message: "m".into(),
        };
        assert_eq!(full.to_string(), "JSON schema, line 2, column 3: m");
    }

    /// Issue 27, D12: a `type` that is no name says what was expected;
    /// `limits` errors and bytes that are not UTF-8 carry their position.
    #[test]
    fn type_limits_and_utf8_errors_say_what_and_where() {
        assert_eq!(
            json_err(&one(r#""a": {"type": 5, "operators": ["eq"]}"#)),
            (2, 17, "invalid type: integer `5`, expected a type name, one of `text`, `text_list`, `integer`, `decimal`, `boolean`, `uuid`, `instant`, `enum`, `enum_list`".into())
        );
        assert_eq!(
            json_err("{\"name\": \"x\",\n \"limits\": {\"max_depth\": 65},\n \"attributes\": {}}"),
            (
                2,
                28,
                "`max_depth` is 65, over the largest allowed (64)".into()
            )
        );
        assert_eq!(
            json_err(
                r#"{"name": "x", "limits": {"max_snapshot_bytes": 18446744073709551615}, "attributes": {}}"#
            ),
            (
                1,
                68,
                "`max_snapshot_bytes` is too large (at most 9223372036854775807)".into()
            )
        );
        assert_eq!(
            toml_err(
                "name = \"x\"\n[limits]\nmax_depth = 65\n[attributes.a]\ntype = \"text\"\noperators = [\"eq\"]\n"
            ),
            (
                2,
                1,
                "`max_depth` is 65, over the largest allowed (64)".into()
            )
        );
        assert_eq!(
            Schema::from_slice(
                b"{\"name\": \"x\",\n \"attributes\": {\"caf\xc3\": 1}}",
                Format::Json
            ),
            Err(SchemaError::Load {
                format: Format::Json,
                line: 2,
                column: 21,
                message: "not UTF-8: invalid utf-8 sequence of 1 bytes from index 34".into()
            })
        );
        assert_eq!(
            Schema::from_slice(b"name = \"x\"\n# \xff\n", Format::Toml)
                .unwrap_err()
                .to_string(),
            "TOML schema, line 2, column 3: not UTF-8: invalid utf-8 sequence of 1 bytes from index 13"
        );
        // Valid bytes load as the text does.
        let text = r#"{"name": "x", "attributes": {"a": {"type": "text", "operators": ["eq"]}}}"#;
        assert_eq!(
            Schema::from_slice(text.as_bytes(), Format::Json),
            Schema::from_json(text)
        );
    }

    #[test]
    fn problems_between_attributes_name_them() {
        let attrs = r#""sku": {"type": "text", "operators": ["eq"], "aliases": ["code"]}"#;
        for (extra, message) in [
            (
                r#""aliases": {"x": "skew"}"#,
                "alias `x` points to `skew`, which is no attribute",
            ),
            (
                r#""aliases": {"code": "sku"}"#,
                "alias `code` is defined twice",
            ),
            (
                r#""aliases": {"sku": "sku"}"#,
                "alias `sku` overlaps attribute `sku`: a path could match both",
            ),
            (r#""name": """#, "the schema has no name"),
        ] {
            let text = format!("{{\"attributes\": {{{attrs}}}, {extra}}}");
            let text = if extra.starts_with("\"name\"") {
                text
            } else {
                text.replacen('{', "{\"name\": \"x\", ", 1)
            };
            assert_eq!(
                Schema::from_json(&text).unwrap_err().to_string(),
                message,
                "{text}"
            );
        }
        assert_eq!(
            json_err(r#"{"name": "x", "attributes": {}, "aliases": {"a": "b", "a": "c"}}"#),
            (1, 57, "alias `a` is defined twice".into())
        );
    }

    #[test]
    fn toml_errors_name_line_and_column() {
        let head = "name = \"x\"\n[attributes.a]\n";
        for (body, (line, column, message)) in [
            (
                "type = \"int\"\noperators = [\"eq\"]\n",
                (
                    3,
                    8,
                    "unknown variant `int`, expected one of `text`, `text_list`, `integer`, `decimal`, `boolean`, `uuid`, `instant`, `enum`, `enum_list`",
                ),
            ),
            (
                "type = \"text\"\noperators = [\"eq\", \"ne\"]\n",
                (
                    4,
                    20,
                    "unknown operator `ne` (did you mean `ge`?); expected one of eq, like, in, gt, ge, lt, le, ilike, contains, contains_any, contains_all, text, is_null",
                ),
            ),
            (
                "type = \"integer\"\noperators = [\"like\"]\n",
                (
                    2,
                    1,
                    "attribute `a`: operator `like` does not apply to integer values",
                ),
            ),
            (
                "type = \"enum\"\nvalues = []\noperators = [\"eq\"]\n",
                (2, 1, "attribute `a`: an enum needs at least one value"),
            ),
            ("type = \"text\"\n", (2, 1, "missing field `operators`")),
            (
                "type = \"text\"\noperators = [\"eq\"]\ntype = \"text\"\n",
                (5, 1, "duplicate key"),
            ),
            (
                "type = \"decimal\"\noperators = [\"eq\"]\nlt = 12.5\n",
                (
                    5,
                    6,
                    "`lt` is the float 12.5: write a decimal bound as a string (\"12.5\"), which is read exactly",
                ),
            ),
            (
                "type = \"decimal\"\noperators = [\"eq\"]\nlt = \"x\"\n",
                (5, 6, "`lt` value `x` is not a decimal number"),
            ),
            (
                "type = \"integer\"\noperators = [\"eq\"]\nexcludes = [\"a\"]\n",
                (
                    2,
                    1,
                    "attribute `a`: `excludes` applies to text values, not integer",
                ),
            ),
        ] {
            assert_eq!(
                toml_err(&format!("{head}{body}")),
                (line, column, message.to_owned()),
                "{body}"
            );
        }
        assert_eq!(
            toml_err("name = \"x\"\n[attributes.\"a.<\"]\ntype = \"text\"\noperators = [\"eq\"]\n"),
            (2, 13, "invalid pattern `a.<`: bad capture `<`: a capture is `<name>`, the name of ASCII letters, digits and `_`, not starting with a digit".into())
        );
    }

    #[test]
    fn operators_parse_and_serialize() {
        for op in Op::ALL {
            assert_eq!(op.as_str().parse::<Op>(), Ok(op));
            assert_eq!(serde_json::to_string(&op).unwrap(), format!("\"{op}\""));
            assert_eq!(
                serde_json::from_str::<Op>(&format!("\"{op}\"")).unwrap(),
                op
            );
        }
        assert_eq!(
            "EQ".parse::<Op>(),
            Err(ParseOpError {
                name: "EQ".into(),
                suggestion: Some("eq")
            })
        );
        assert_eq!("between".parse::<Op>().unwrap_err().suggestion, None);
        assert!(serde_json::from_str::<Op>("1").is_err());
    }
}
