//! JSON kept as written: numbers with their exact text, free-form attribute
//! values, and the writer that copies a document back byte for byte while
//! splicing in the few values an operation changed.
//!
//! Snapshots are read straight from their bytes. Whatever an operation does
//! not change is written back by copying the input text, so members in any
//! order, unknown members, numbers of any size or form (`1E400`, `-0`,
//! `12345678901234567890123`, 17-digit doubles), strings with their escapes
//! and timestamps as written all survive. Only the parts that filters and
//! integrity checks need are parsed into typed values.
//!
//! ```
//! use catalog_filter::json::{AttributeValue, JsonNumber};
//!
//! let v: AttributeValue = serde_json::from_str("0.9455199068242589").unwrap();
//! assert_eq!(v, AttributeValue::Number(JsonNumber::new("0.9455199068242589").unwrap()));
//! // Filters compare the text form: a number as written in the snapshot.
//! assert_eq!(v.text(), Some("0.9455199068242589"));
//! assert_eq!(serde_json::to_string(&v).unwrap(), "0.9455199068242589");
//! ```

use serde::de::{self, Deserialize, Deserializer};
use serde::ser::{Serialize, SerializeMap, Serializer};
use serde_json::value::RawValue;
use std::collections::BTreeMap;
use std::fmt;
use std::io::{self, Write};
use std::ops::{Deref, DerefMut, Range};

/// A JSON number with the exact text it has in the document (`1e2`, `-0`,
/// `12345678901234567890123` stay as they are).
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct JsonNumber(Box<str>);

impl JsonNumber {
    /// The number for `text`, when `text` is a JSON number
    /// (`-?(0|[1-9][0-9]*)(.[0-9]+)?([eE][+-]?[0-9]+)?`).
    pub fn new(text: &str) -> Option<JsonNumber> {
        is_json_number(text).then(|| JsonNumber(text.into()))
    }

    /// The number's text, as written.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for JsonNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl From<serde_json::Number> for JsonNumber {
    fn from(n: serde_json::Number) -> JsonNumber {
        JsonNumber(n.to_string().into())
    }
}

/// True when `text` follows the JSON number grammar.
fn is_json_number(text: &str) -> bool {
    let b = text.as_bytes();
    let mut i = 0;
    let digits = |i: &mut usize| {
        let start = *i;
        while b.get(*i).is_some_and(u8::is_ascii_digit) {
            *i += 1;
        }
        *i > start
    };
    if b.first() == Some(&b'-') {
        i += 1;
    }
    match b.get(i) {
        Some(b'0') => i += 1,
        Some(b'1'..=b'9') => {
            digits(&mut i);
        }
        _ => return false,
    }
    if b.get(i) == Some(&b'.') {
        i += 1;
        if !digits(&mut i) {
            return false;
        }
    }
    if matches!(b.get(i), Some(b'e' | b'E')) {
        i += 1;
        if matches!(b.get(i), Some(b'+' | b'-')) {
            i += 1;
        }
        if !digits(&mut i) {
            return false;
        }
    }
    i == b.len()
}

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
    String(String),
    /// An array or an object, as written.
    Raw(Box<RawValue>),
}

impl AttributeValue {
    /// Reads one JSON value from its raw text.
    pub fn from_raw(raw: &RawValue) -> Result<AttributeValue, serde_json::Error> {
        let text = raw.get();
        Ok(match text.as_bytes().first() {
            Some(b'"') => AttributeValue::String(serde_json::from_str(text)?),
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
    /// their text).
    pub fn to_json_value(&self) -> serde_json::Value {
        match self {
            AttributeValue::Null => serde_json::Value::Null,
            AttributeValue::Bool(b) => serde_json::Value::Bool(*b),
            AttributeValue::String(s) => serde_json::Value::String(s.clone()),
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
            serde_json::Value::String(s) => AttributeValue::String(s),
            other => match serde_json::value::to_raw_value(&other) {
                Ok(raw) => AttributeValue::Raw(raw),
                Err(_) => AttributeValue::Null,
            },
        }
    }
}

impl From<&str> for AttributeValue {
    fn from(s: &str) -> AttributeValue {
        AttributeValue::String(s.to_owned())
    }
}

impl From<String> for AttributeValue {
    fn from(s: String) -> AttributeValue {
        AttributeValue::String(s)
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

/// A JSON object of [`AttributeValue`]s by name (extension fields, shopper
/// and admin attributes, a product's unknown members). Key order is not
/// kept here; the snapshot's own text is what gets written back.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Attributes(BTreeMap<String, AttributeValue>);

impl Attributes {
    /// An empty object.
    pub fn new() -> Attributes {
        Attributes::default()
    }

    /// True when there are no members.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Sets `name` to `value`, returning the previous value.
    pub fn insert(
        &mut self,
        name: String,
        value: impl Into<AttributeValue>,
    ) -> Option<AttributeValue> {
        self.0.insert(name, value.into())
    }
}

impl Deref for Attributes {
    type Target = BTreeMap<String, AttributeValue>;
    fn deref(&self) -> &Self::Target {
        &self.0
    }
}

impl DerefMut for Attributes {
    fn deref_mut(&mut self) -> &mut Self::Target {
        &mut self.0
    }
}

impl From<serde_json::Map<String, serde_json::Value>> for Attributes {
    fn from(map: serde_json::Map<String, serde_json::Value>) -> Attributes {
        map.into_iter()
            .map(|(k, v)| (k, AttributeValue::from(v)))
            .collect()
    }
}

impl PartialEq<serde_json::Map<String, serde_json::Value>> for Attributes {
    fn eq(&self, other: &serde_json::Map<String, serde_json::Value>) -> bool {
        let converted = Attributes::from(other.clone());
        *self == converted
    }
}

impl<K: Into<String>, V: Into<AttributeValue>> FromIterator<(K, V)> for Attributes {
    fn from_iter<I: IntoIterator<Item = (K, V)>>(iter: I) -> Attributes {
        Attributes(
            iter.into_iter()
                .map(|(k, v)| (k.into(), v.into()))
                .collect(),
        )
    }
}

impl<'a> IntoIterator for &'a Attributes {
    type Item = (&'a String, &'a AttributeValue);
    type IntoIter = std::collections::btree_map::Iter<'a, String, AttributeValue>;
    fn into_iter(self) -> Self::IntoIter {
        self.0.iter()
    }
}

impl Serialize for Attributes {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(Some(self.0.len()))?;
        for (k, v) in &self.0 {
            map.serialize_entry(k, v)?;
        }
        map.end()
    }
}

impl<'de> Deserialize<'de> for Attributes {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Attributes, D::Error> {
        BTreeMap::<String, AttributeValue>::deserialize(deserializer).map(Attributes)
    }
}

/// A text that is borrowed from the input when it has no escapes.
pub(crate) struct Text<'de>(pub(crate) std::borrow::Cow<'de, str>);

impl<'de> Deserialize<'de> for Text<'de> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Text<'de>, D::Error> {
        struct V;
        impl<'de> de::Visitor<'de> for V {
            type Value = Text<'de>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a string")
            }
            fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Text<'de>, E> {
                Ok(Text(v.into()))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Text<'de>, E> {
                Ok(Text(v.to_owned().into()))
            }
            fn visit_string<E: de::Error>(self, v: String) -> Result<Text<'de>, E> {
                Ok(Text(v.into()))
            }
        }
        deserializer.deserialize_str(V)
    }
}

/// The byte range of `part` inside `whole` (`part` must be a subslice).
pub(crate) fn span_in(whole: &str, part: &str) -> Option<Range<usize>> {
    let start = (part.as_ptr() as usize).checked_sub(whole.as_ptr() as usize)?;
    let end = start.checked_add(part.len())?;
    (end <= whole.len()).then_some(start..end)
}

/// Writes `text[range]` to `out`, with each `(span, replacement)` of
/// `edits` (sorted by span, non-overlapping, inside `range`) put in place of
/// its span. With `compact`, whitespace outside strings is left out, so a
/// compact input comes back byte for byte.
pub(crate) fn write_spliced(
    out: &mut dyn Write,
    text: &str,
    range: Range<usize>,
    edits: impl IntoIterator<Item = (Range<usize>, Vec<u8>)>,
    compact: bool,
) -> io::Result<()> {
    let bytes = text.as_bytes();
    let mut minify = Minify::default();
    let mut at = range.start;
    let copy = |out: &mut dyn Write, part: &[u8], minify: &mut Minify| {
        if compact {
            minify.write(out, part)
        } else {
            out.write_all(part)
        }
    };
    for (span, replacement) in edits {
        if span.start < at || span.end > range.end {
            continue;
        }
        copy(
            out,
            bytes.get(at..span.start).unwrap_or_default(),
            &mut minify,
        )?;
        out.write_all(&replacement)?;
        at = span.end;
    }
    copy(
        out,
        bytes.get(at..range.end).unwrap_or_default(),
        &mut minify,
    )
}

/// Writes the JSON `text` without whitespace outside strings.
pub(crate) fn write_compact(out: &mut dyn Write, text: &str) -> io::Result<()> {
    Minify::default().write(out, text.as_bytes())
}

/// Drops JSON whitespace outside strings, across calls.
#[derive(Default)]
struct Minify {
    in_string: bool,
    escaped: bool,
}

impl Minify {
    fn write(&mut self, out: &mut dyn Write, part: &[u8]) -> io::Result<()> {
        let mut run = 0;
        for (i, &b) in part.iter().enumerate() {
            if self.in_string {
                if self.escaped {
                    self.escaped = false;
                } else if b == b'\\' {
                    self.escaped = true;
                } else if b == b'"' {
                    self.in_string = false;
                }
            } else if b == b'"' {
                self.in_string = true;
            } else if matches!(b, b' ' | b'\n' | b'\r' | b'\t') {
                out.write_all(part.get(run..i).unwrap_or_default())?;
                run = i + 1;
            }
        }
        out.write_all(part.get(run..).unwrap_or_default())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn number_grammar() {
        for ok in [
            "0",
            "-0",
            "1e2",
            "1E400",
            "-1.5e-7",
            "12345678901234567890123",
            "0.1",
        ] {
            assert!(is_json_number(ok), "{ok}");
        }
        for bad in ["", "-", "01", "1.", ".5", "1e", "+1", "1e+", "NaN", "1 "] {
            assert!(!is_json_number(bad), "{bad}");
        }
    }

    #[test]
    fn splice_and_minify() {
        let text = r#"{ "a" : [1, 2] , "s": " x " }"#;
        let mut out = Vec::new();
        write_spliced(
            &mut out,
            text,
            0..text.len(),
            [(8..14, b"[2]".to_vec())],
            true,
        )
        .unwrap();
        assert_eq!(String::from_utf8(out).unwrap(), r#"{"a":[2],"s":" x "}"#);
    }
}
