//! Free-form values, kept without loss.

use super::number::JsonNumber;
use super::text::Text;
use serde::de::{self, Deserialize, Deserializer};
use serde::ser::{Serialize, Serializer};
use serde_json::value::RawValue;

/// A free-form JSON value of a product (an extension field, a shopper or
/// admin attribute, an unknown member), kept without loss.
///
/// Deserializes from any serde_json source (it reads the value's raw text);
/// serializes back to the same text.
#[derive(Clone, Debug)]
pub enum AttributeValue {
    /// `null`.
    Null,
    /// `true` or `false`.
    Bool(bool),
    /// A number, with its text as written.
    Number(JsonNumber),
    /// A string (decoded).
    String(Text),
    /// An array or an object, as written.
    Raw(Box<RawValue>),
}

impl AttributeValue {
    /// Reads one JSON value from its raw text.
    pub fn from_raw(raw: &RawValue) -> Result<AttributeValue, serde_json::Error> {
        let text = raw.get();
        Ok(match text.as_bytes().first() {
            Some(b'"') => AttributeValue::String(serde_json::from_str::<String>(text)?.into()),
            Some(b't') => AttributeValue::Bool(true),
            Some(b'f') => AttributeValue::Bool(false),
            Some(b'n') => AttributeValue::Null,
            Some(b'[' | b'{') => AttributeValue::Raw(raw.to_owned()),
            _ => match JsonNumber::new(text) {
                Some(n) => AttributeValue::Number(n),
                None => {
                    return Err(<serde_json::Error as de::Error>::custom(format!(
                        "not a JSON value: {text}"
                    )));
                }
            },
        })
    }

    /// The text form filters compare: a string as itself, a number as
    /// written, a boolean as `true`/`false`; `None` for `null`, arrays and
    /// objects.
    pub fn text(&self) -> Option<&str> {
        match self {
            AttributeValue::String(s) => Some(s),
            AttributeValue::Number(n) => Some(n.as_str()),
            AttributeValue::Bool(true) => Some("true"),
            AttributeValue::Bool(false) => Some("false"),
            AttributeValue::Null | AttributeValue::Raw(_) => None,
        }
    }

    /// The value as a `serde_json::Value` (numbers as serde_json reads
    /// their text, to the nearest double; a number, or an array or object
    /// holding one, that serde_json cannot read, such as `1E400`, gives
    /// `null`: use [`AttributeValue::json_text`] to keep every value).
    pub fn to_json_value(&self) -> serde_json::Value {
        match self {
            AttributeValue::Null => serde_json::Value::Null,
            AttributeValue::Bool(b) => serde_json::Value::Bool(*b),
            AttributeValue::String(s) => serde_json::Value::String(s.as_str().to_owned()),
            AttributeValue::Number(n) => {
                serde_json::from_str(n.as_str()).unwrap_or(serde_json::Value::Null)
            }
            AttributeValue::Raw(raw) => {
                serde_json::from_str(raw.get()).unwrap_or(serde_json::Value::Null)
            }
        }
    }

    /// The value's JSON text.
    pub fn json_text(&self) -> String {
        serde_json::to_string(self).unwrap_or_default()
    }
}

impl PartialEq for AttributeValue {
    fn eq(&self, other: &AttributeValue) -> bool {
        match (self, other) {
            (AttributeValue::Null, AttributeValue::Null) => true,
            (AttributeValue::Bool(a), AttributeValue::Bool(b)) => a == b,
            (AttributeValue::Number(a), AttributeValue::Number(b)) => a == b,
            (AttributeValue::String(a), AttributeValue::String(b)) => a == b,
            (AttributeValue::Raw(a), AttributeValue::Raw(b)) => a.get() == b.get(),
            _ => false,
        }
    }
}

impl PartialEq<serde_json::Value> for AttributeValue {
    fn eq(&self, other: &serde_json::Value) -> bool {
        let converted = AttributeValue::from(other.clone());
        *self == converted
    }
}

impl From<serde_json::Value> for AttributeValue {
    fn from(v: serde_json::Value) -> AttributeValue {
        match v {
            serde_json::Value::Null => AttributeValue::Null,
            serde_json::Value::Bool(b) => AttributeValue::Bool(b),
            serde_json::Value::Number(n) => AttributeValue::Number(n.into()),
            serde_json::Value::String(s) => AttributeValue::String(s.into()),
            other => match serde_json::value::to_raw_value(&other) {
                Ok(raw) => AttributeValue::Raw(raw),
                Err(_) => AttributeValue::Null,
            },
        }
    }
}

impl From<&str> for AttributeValue {
    fn from(s: &str) -> AttributeValue {
        AttributeValue::String(s.into())
    }
}

impl From<String> for AttributeValue {
    fn from(s: String) -> AttributeValue {
        AttributeValue::String(s.into())
    }
}

impl From<bool> for AttributeValue {
    fn from(b: bool) -> AttributeValue {
        AttributeValue::Bool(b)
    }
}

impl From<u64> for AttributeValue {
    fn from(n: u64) -> AttributeValue {
        AttributeValue::Number(JsonNumber(n.to_string().into()))
    }
}

impl From<i64> for AttributeValue {
    fn from(n: i64) -> AttributeValue {
        AttributeValue::Number(JsonNumber(n.to_string().into()))
    }
}

impl Serialize for AttributeValue {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            AttributeValue::Null => serializer.serialize_unit(),
            AttributeValue::Bool(b) => serializer.serialize_bool(*b),
            AttributeValue::String(s) => serializer.serialize_str(s),
            AttributeValue::Number(n) => match RawValue::from_string(n.as_str().to_owned()) {
                Ok(raw) => raw.serialize(serializer),
                Err(e) => Err(serde::ser::Error::custom(e)),
            },
            AttributeValue::Raw(raw) => raw.serialize(serializer),
        }
    }
}

impl<'de> Deserialize<'de> for AttributeValue {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<AttributeValue, D::Error> {
        let raw = Box::<RawValue>::deserialize(deserializer)?;
        AttributeValue::from_raw(&raw).map_err(de::Error::custom)
    }
}
