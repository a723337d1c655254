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
//! use catalog_filter::catalog::{AttributeValue, JsonNumber};
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
use std::fmt;
use std::io::{self, Read, Write};
use std::ops::{Deref, Range};
use std::sync::Arc;

/// A JSON number with the exact text it has in the document (`1e2`, `-0`,
/// `12345678901234567890123` stay as they are).
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct JsonNumber(Text);

impl JsonNumber {
    /// The number for `text`, when `text` is a JSON number
    /// (`-?(0|[1-9][0-9]*)(.[0-9]+)?([eE][+-]?[0-9]+)?`).
    pub fn new(text: &str) -> Option<JsonNumber> {
        is_json_number(text).then(|| JsonNumber(text.into()))
    }

    /// The number for `text` (no copy when it is a span), when it is a JSON
    /// number.
    pub(crate) fn from_text(text: Text) -> Option<JsonNumber> {
        is_json_number(&text).then_some(JsonNumber(text))
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
    /// their text).
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

/// A string shared with the document it was read from: a snapshot's text
/// fields, keys and numbers point into the loaded input (no allocation per
/// value) unless they had escapes, then they own their decoded text.
///
/// Compares, hashes and orders as its `str`; derefs to `str`.
///
/// ```
/// use catalog_filter::catalog::Text;
///
/// let t = Text::from("shoe");
/// assert_eq!(t, "shoe");
/// assert_eq!(t.len(), 4);
/// ```
#[derive(Clone)]
pub struct Text {
    buf: Arc<String>,
    start: u32,
    len: u32,
}

impl Text {
    /// A text owning `s`.
    pub fn new(s: impl Into<String>) -> Text {
        let s: String = s.into();
        match u32::try_from(s.len()) {
            Ok(len) => Text {
                buf: Arc::new(s),
                start: 0,
                len,
            },
            // Longer than 4 GiB: kept whole, its first 4 GiB readable.
            Err(_) => Text {
                buf: Arc::new(s),
                start: 0,
                len: u32::MAX,
            },
        }
    }

    /// `part` of `buf` without copying when `part` lies inside `buf` (and
    /// within its first 4 GiB); otherwise a copy of `part`.
    pub(crate) fn span(buf: &Arc<String>, part: &str) -> Text {
        if let Some(range) = span_in(buf, part) {
            if let (Ok(start), Ok(len)) = (u32::try_from(range.start), u32::try_from(range.len())) {
                if start.checked_add(len).is_some() {
                    return Text {
                        buf: Arc::clone(buf),
                        start,
                        len,
                    };
                }
            }
        }
        Text::new(part)
    }

    /// The text.
    pub fn as_str(&self) -> &str {
        let start = self.start as usize;
        self.buf
            .get(start..start + self.len as usize)
            .or_else(|| self.buf.get(start..))
            .unwrap_or_default()
    }
}

impl Default for Text {
    fn default() -> Text {
        Text::new(String::new())
    }
}

impl Deref for Text {
    type Target = str;
    fn deref(&self) -> &str {
        self.as_str()
    }
}

impl AsRef<str> for Text {
    fn as_ref(&self) -> &str {
        self.as_str()
    }
}

impl std::borrow::Borrow<str> for Text {
    fn borrow(&self) -> &str {
        self.as_str()
    }
}

impl fmt::Debug for Text {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self.as_str(), f)
    }
}

impl fmt::Display for Text {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl PartialEq for Text {
    fn eq(&self, other: &Text) -> bool {
        self.as_str() == other.as_str()
    }
}

impl Eq for Text {}

impl PartialEq<str> for Text {
    fn eq(&self, other: &str) -> bool {
        self.as_str() == other
    }
}

impl PartialEq<&str> for Text {
    fn eq(&self, other: &&str) -> bool {
        self.as_str() == *other
    }
}

impl PartialEq<String> for Text {
    fn eq(&self, other: &String) -> bool {
        self.as_str() == other.as_str()
    }
}

impl PartialEq<Text> for str {
    fn eq(&self, other: &Text) -> bool {
        self == other.as_str()
    }
}

impl PartialEq<Text> for &str {
    fn eq(&self, other: &Text) -> bool {
        *self == other.as_str()
    }
}

impl PartialEq<Text> for String {
    fn eq(&self, other: &Text) -> bool {
        self.as_str() == other.as_str()
    }
}

impl PartialOrd for Text {
    fn partial_cmp(&self, other: &Text) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Text {
    fn cmp(&self, other: &Text) -> std::cmp::Ordering {
        self.as_str().cmp(other.as_str())
    }
}

impl std::hash::Hash for Text {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.as_str().hash(state)
    }
}

impl From<&str> for Text {
    fn from(s: &str) -> Text {
        Text::new(s)
    }
}

impl From<String> for Text {
    fn from(s: String) -> Text {
        Text::new(s)
    }
}

impl From<&String> for Text {
    fn from(s: &String) -> Text {
        Text::new(s.as_str())
    }
}

impl From<Text> for String {
    fn from(t: Text) -> String {
        t.as_str().to_owned()
    }
}

impl Serialize for Text {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for Text {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Text, D::Error> {
        Ok(Text::from(
            Borrowed::deserialize(deserializer)?.0.into_owned(),
        ))
    }
}

/// A JSON object as a list of members in document order, each key once (a
/// repeated key keeps its last value, as serde_json's maps do): extension
/// fields, shopper and admin attributes, a product's unknown members
/// ([`Attributes`]) and a product's extensions ([`Extensions`]). A flat list
/// costs one allocation per object; lookups are linear, which is what the
/// few members of a product's object want.
#[derive(Clone, Debug)]
pub struct Object<V>(Box<[(Text, V)]>);

/// Free-form attributes by name: `{"isbn": "1765426", "pages": 320}`.
pub type Attributes = Object<AttributeValue>;

/// A product's extensions: template name -> its fields
/// (`{"book": {"isbn": "1765426"}}`).
pub type Extensions = Object<Attributes>;

impl<V> Default for Object<V> {
    fn default() -> Object<V> {
        Object(Box::default())
    }
}

impl<V> Object<V> {
    /// An empty object.
    pub fn new() -> Object<V> {
        Object(Box::default())
    }

    /// Appends a member (the storage is an exact-size slice: changing an
    /// object reallocates it, which the few members of a product's object
    /// make cheap, and keeps loaded objects small).
    fn push(&mut self, name: Text, value: V) {
        let mut members = std::mem::take(&mut self.0).into_vec();
        members.push((name, value));
        self.0 = members.into_boxed_slice();
    }

    /// True when there are no members.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The number of members.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// The value of member `name`.
    pub fn get(&self, name: &str) -> Option<&V> {
        self.0.iter().find(|(k, _)| k == name).map(|(_, v)| v)
    }

    /// The value of member `name`, to change it.
    pub fn get_mut(&mut self, name: &str) -> Option<&mut V> {
        self.0.iter_mut().find(|(k, _)| k == name).map(|(_, v)| v)
    }

    /// True when there is a member `name`.
    pub fn contains_key(&self, name: &str) -> bool {
        self.get(name).is_some()
    }

    /// Sets `name` to `value` (in place when it is a member, else last),
    /// returning the previous value.
    pub fn insert(&mut self, name: Text, value: impl Into<V>) -> Option<V> {
        let value = value.into();
        match self.get_mut(&name) {
            Some(slot) => Some(std::mem::replace(slot, value)),
            None => {
                self.push(name, value);
                None
            }
        }
    }

    /// The value of member `name`, inserting `V::default()` first when
    /// there is none.
    pub fn get_or_insert_default(&mut self, name: &str) -> &mut V
    where
        V: Default,
    {
        let index = match self.0.iter().position(|(k, _)| k == name) {
            Some(i) => i,
            None => {
                self.push(Text::from(name), V::default());
                self.0.len() - 1
            }
        };
        // `index` is in bounds: found or just pushed.
        &mut self.0[index].1
    }

    /// Removes member `name`, returning its value.
    pub fn remove(&mut self, name: &str) -> Option<V> {
        let index = self.0.iter().position(|(k, _)| k == name)?;
        let mut members = std::mem::take(&mut self.0).into_vec();
        let (_, value) = members.remove(index);
        self.0 = members.into_boxed_slice();
        Some(value)
    }

    /// The members, in order.
    pub fn iter(&self) -> impl ExactSizeIterator<Item = (&Text, &V)> + '_ {
        self.0.iter().map(|(k, v)| (k, v))
    }

    /// The member names, in order.
    pub fn keys(&self) -> impl ExactSizeIterator<Item = &Text> + '_ {
        self.0.iter().map(|(k, _)| k)
    }

    /// The values, in order.
    pub fn values(&self) -> impl ExactSizeIterator<Item = &V> + '_ {
        self.0.iter().map(|(_, v)| v)
    }

    /// Members read from a document, in order, possibly repeating a key:
    /// the last value of a repeated key is kept, at its first position.
    pub(crate) fn from_members(mut members: Vec<(Text, V)>) -> Object<V> {
        let n = members.len();
        let repeats = if n <= 16 {
            (1..n).any(|i| members[..i].iter().any(|(k, _)| *k == members[i].0))
        } else {
            let mut seen = std::collections::HashSet::with_capacity(n);
            !members.iter().all(|(k, _)| seen.insert(k.as_str()))
        };
        if repeats {
            let mut out: Vec<(Text, V)> = Vec::with_capacity(n);
            let mut at: std::collections::HashMap<Text, usize> =
                std::collections::HashMap::with_capacity(n);
            for (k, v) in members.drain(..) {
                match at.get(&k) {
                    Some(&i) => {
                        if let Some(slot) = out.get_mut(i) {
                            slot.1 = v;
                        }
                    }
                    None => {
                        at.insert(k.clone(), out.len());
                        out.push((k, v));
                    }
                }
            }
            members = out;
        }
        Object(members.into_boxed_slice())
    }
}

/// Equal when both have the same members with equal values, in any order.
impl<V: PartialEq> PartialEq for Object<V> {
    fn eq(&self, other: &Object<V>) -> bool {
        self.len() == other.len()
            && self
                .0
                .iter()
                .all(|(k, v)| other.get(k).is_some_and(|w| w == v))
    }
}

impl<V> std::ops::Index<&str> for Object<V> {
    type Output = V;
    /// The value of member `name`.
    ///
    /// # Panics
    /// When there is no such member (as `BTreeMap`'s index does); use
    /// [`Object::get`] for data from outside.
    fn index(&self, name: &str) -> &V {
        match self.get(name) {
            Some(v) => v,
            None => panic!("no member {name:?}"),
        }
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

impl<K: Into<Text>, V, W: Into<V>> FromIterator<(K, W)> for Object<V> {
    fn from_iter<I: IntoIterator<Item = (K, W)>>(iter: I) -> Object<V> {
        Object::from_members(
            iter.into_iter()
                .map(|(k, v)| (k.into(), v.into()))
                .collect(),
        )
    }
}

impl<'a, V> IntoIterator for &'a Object<V> {
    type Item = (&'a Text, &'a V);
    type IntoIter =
        std::iter::Map<std::slice::Iter<'a, (Text, V)>, fn(&'a (Text, V)) -> (&'a Text, &'a V)>;
    fn into_iter(self) -> Self::IntoIter {
        self.0.iter().map(|(k, v)| (k, v))
    }
}

impl<V: Serialize> Serialize for Object<V> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(Some(self.0.len()))?;
        for (k, v) in &self.0 {
            map.serialize_entry(k, v)?;
        }
        map.end()
    }
}

impl<'de, V: Deserialize<'de>> Deserialize<'de> for Object<V> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Object<V>, D::Error> {
        struct Visit<V>(std::marker::PhantomData<V>);
        impl<'de, V: Deserialize<'de>> de::Visitor<'de> for Visit<V> {
            type Value = Object<V>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a JSON object")
            }
            fn visit_map<A: de::MapAccess<'de>>(self, mut map: A) -> Result<Object<V>, A::Error> {
                let mut members = Vec::new();
                while let Some(Borrowed(k)) = map.next_key::<Borrowed<'de>>()? {
                    let v: V = map.next_value()?;
                    members.push((Text::from(k.into_owned()), v));
                }
                Ok(Object::from_members(members))
            }
        }
        deserializer.deserialize_map(Visit(std::marker::PhantomData))
    }
}

/// A text that is borrowed from the input when it has no escapes.
pub(crate) struct Borrowed<'de>(pub(crate) std::borrow::Cow<'de, str>);

impl<'de> Deserialize<'de> for Borrowed<'de> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Borrowed<'de>, D::Error> {
        struct V;
        impl<'de> de::Visitor<'de> for V {
            type Value = Borrowed<'de>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a string")
            }
            fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Borrowed<'de>, E> {
                Ok(Borrowed(v.into()))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Borrowed<'de>, E> {
                Ok(Borrowed(v.to_owned().into()))
            }
            fn visit_string<E: de::Error>(self, v: String) -> Result<Borrowed<'de>, E> {
                Ok(Borrowed(v.into()))
            }
        }
        deserializer.deserialize_str(V)
    }
}

/// Where loaded texts point: into the document when reading from it (texts
/// without escapes are then spans, not copies).
#[derive(Clone, Copy)]
pub(crate) struct Base<'a>(pub(crate) Option<&'a Arc<String>>);

impl Base<'_> {
    /// `s` as a [`Text`]: a span when it was borrowed from the document.
    pub(crate) fn text(self, s: std::borrow::Cow<'_, str>) -> Text {
        match (self.0, s) {
            (Some(buf), std::borrow::Cow::Borrowed(b)) => Text::span(buf, b),
            (_, s) => Text::new(s.into_owned()),
        }
    }

    /// The value whose raw text is `raw` (a part of the document).
    fn value(self, raw: &str) -> Result<AttributeValue, serde_json::Error> {
        let Some(buf) = self.0 else {
            return serde_json::from_str::<Box<RawValue>>(raw)
                .and_then(|r| AttributeValue::from_raw(&r));
        };
        Ok(match raw.as_bytes().first() {
            Some(b'"') => match raw.get(1..raw.len() - 1) {
                Some(inner) if !inner.contains('\\') => {
                    AttributeValue::String(Text::span(buf, inner))
                }
                _ => AttributeValue::String(serde_json::from_str::<String>(raw)?.into()),
            },
            Some(b't') => AttributeValue::Bool(true),
            Some(b'f') => AttributeValue::Bool(false),
            Some(b'n') => AttributeValue::Null,
            Some(b'[' | b'{') => AttributeValue::Raw(serde_json::from_str::<Box<RawValue>>(raw)?),
            _ => match JsonNumber::from_text(Text::span(buf, raw)) {
                Some(n) => AttributeValue::Number(n),
                None => {
                    return Err(<serde_json::Error as de::Error>::custom(format!(
                        "not a JSON value: {raw}"
                    )));
                }
            },
        })
    }
}

/// Reads an optional string (`null` is `None`) as a [`Text`].
pub(crate) struct TextSeed<'a>(pub(crate) Base<'a>);

impl<'de> de::DeserializeSeed<'de> for TextSeed<'_> {
    type Value = Option<Text>;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Option<Text>, D::Error> {
        let base = self.0;
        Option::<Borrowed<'de>>::deserialize(d).map(|t| t.map(|t| base.text(t.0)))
    }
}

/// Reads a list of strings (`null` is empty) as [`Text`]s.
pub(crate) struct TextListSeed<'a>(pub(crate) Base<'a>);

impl<'de> de::DeserializeSeed<'de> for TextListSeed<'_> {
    type Value = Vec<Text>;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Vec<Text>, D::Error> {
        d.deserialize_option(self)
    }
}

impl<'de> de::Visitor<'de> for TextListSeed<'_> {
    type Value = Vec<Text>;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a list of strings")
    }
    fn visit_none<E: de::Error>(self) -> Result<Vec<Text>, E> {
        Ok(Vec::new())
    }
    fn visit_unit<E: de::Error>(self) -> Result<Vec<Text>, E> {
        Ok(Vec::new())
    }
    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Vec<Text>, D::Error> {
        d.deserialize_seq(self)
    }
    fn visit_seq<A: de::SeqAccess<'de>>(self, mut seq: A) -> Result<Vec<Text>, A::Error> {
        // Loaded lists are kept as long as the catalog: no spare capacity,
        // and nothing freed on the way (see `ExactList`).
        let mut out = ExactList::new();
        while let Some(Borrowed(t)) = seq.next_element::<Borrowed<'de>>()? {
            out.push(self.0.text(t));
        }
        Ok(out.into_vec())
    }
}

/// Reads one free-form value.
pub(crate) struct ValueSeed<'a>(pub(crate) Base<'a>);

impl<'de> de::DeserializeSeed<'de> for ValueSeed<'_> {
    type Value = AttributeValue;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<AttributeValue, D::Error> {
        if self.0.0.is_some() {
            let raw = <&'de RawValue>::deserialize(d)?;
            self.0.value(raw.get()).map_err(de::Error::custom)
        } else {
            AttributeValue::deserialize(d)
        }
    }
}

/// Reads an object (`null` is empty) of [`Attributes`] (`nested`) or of
/// free-form values.
pub(crate) struct ObjectSeed<'a, V> {
    pub(crate) base: Base<'a>,
    pub(crate) kind: std::marker::PhantomData<V>,
}

impl<'a, V> ObjectSeed<'a, V> {
    pub(crate) fn new(base: Base<'a>) -> ObjectSeed<'a, V> {
        ObjectSeed {
            base,
            kind: std::marker::PhantomData,
        }
    }
}

/// A value that an [`ObjectSeed`] reads.
pub(crate) trait SeededValue: Sized {
    fn read<'de, A: de::MapAccess<'de>>(base: Base<'_>, map: &mut A) -> Result<Self, A::Error>;
}

impl SeededValue for AttributeValue {
    fn read<'de, A: de::MapAccess<'de>>(base: Base<'_>, map: &mut A) -> Result<Self, A::Error> {
        map.next_value_seed(ValueSeed(base))
    }
}

impl SeededValue for Attributes {
    fn read<'de, A: de::MapAccess<'de>>(base: Base<'_>, map: &mut A) -> Result<Self, A::Error> {
        map.next_value_seed(ObjectSeed::<AttributeValue>::new(base))
    }
}

impl<'de, V: SeededValue> de::DeserializeSeed<'de> for ObjectSeed<'_, V> {
    type Value = Object<V>;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Object<V>, D::Error> {
        d.deserialize_option(self)
    }
}

impl<'de, V: SeededValue> de::Visitor<'de> for ObjectSeed<'_, V> {
    type Value = Object<V>;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON object")
    }
    fn visit_none<E: de::Error>(self) -> Result<Object<V>, E> {
        Ok(Object::new())
    }
    fn visit_unit<E: de::Error>(self) -> Result<Object<V>, E> {
        Ok(Object::new())
    }
    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Object<V>, D::Error> {
        d.deserialize_map(self)
    }
    fn visit_map<A: de::MapAccess<'de>>(self, mut map: A) -> Result<Object<V>, A::Error> {
        let mut members = ExactList::new();
        while let Some(Borrowed(k)) = map.next_key::<Borrowed<'de>>()? {
            let key = self.base.text(k);
            let value = V::read(self.base, &mut map)?;
            members.push((key, value));
        }
        Ok(Object::from_members(members.into_vec()))
    }
}

/// Collects the items of a list or object being read with one allocation
/// of the exact size: the first [`ExactList::INLINE`] items wait on the
/// stack. Loaded lists live as long as the catalog; growing a `Vec` and
/// shrinking it to fit frees a small remainder per list, which the
/// allocator keeps aside (over 1,000,000 products, about 47 MB more peak
/// memory in `detach --json`).
pub(crate) struct ExactList<T> {
    head: [Option<T>; ExactList::<()>::INLINE],
    len: usize,
    spill: Vec<T>,
}

impl<T> ExactList<T> {
    /// How many items are held on the stack before any allocation.
    pub(crate) const INLINE: usize = 8;

    pub(crate) fn new() -> ExactList<T> {
        ExactList {
            head: [const { None }; ExactList::<()>::INLINE],
            len: 0,
            spill: Vec::new(),
        }
    }

    pub(crate) fn push(&mut self, item: T) {
        match self.head.get_mut(self.len) {
            Some(slot) => *slot = Some(item),
            None => self.spill.push(item),
        }
        self.len += 1;
    }

    /// The items in order, in a `Vec` whose capacity is its length.
    pub(crate) fn into_vec(self) -> Vec<T> {
        let mut out = Vec::with_capacity(self.len);
        out.extend(self.head.into_iter().flatten());
        out.extend(self.spill);
        out
    }
}

/// Why a snapshot document was refused before it was parsed. Every
/// vendor's loader reads its document through [`snapshot_document`] /
/// [`check_snapshot_size`], and turns this into its own error type.
#[derive(Debug)]
pub(crate) enum DocumentError {
    /// Over [`Limits::max_snapshot_bytes`](crate::Limits::max_snapshot_bytes).
    TooLarge {
        /// The document's size.
        bytes: usize,
        /// The limit.
        limit: usize,
    },
    /// Not UTF-8.
    NotUtf8(std::string::FromUtf8Error),
}

/// The size rule for snapshots: a document over
/// [`Limits::max_snapshot_bytes`](crate::Limits::max_snapshot_bytes) is
/// refused before anything is parsed (or copied).
pub(crate) fn check_snapshot_size(
    bytes: usize,
    limits: &crate::limits::Limits,
) -> Result<(), DocumentError> {
    if bytes > limits.max_snapshot_bytes {
        return Err(DocumentError::TooLarge {
            bytes,
            limit: limits.max_snapshot_bytes,
        });
    }
    Ok(())
}

/// A document read from a stream by [`read_document`]: whole, or cut off
/// just past [`Limits::max_snapshot_bytes`](crate::Limits::max_snapshot_bytes).
///
/// The `--json` modes ([`elasticpath::json_mode::answer_document`],
/// [`ecwid::json_mode::answer_document`]) answer either with one line; a
/// document cut off is their 400 for an input over the limit.
///
/// [`elasticpath::json_mode::answer_document`]: crate::elasticpath::json_mode::answer_document
/// [`ecwid::json_mode::answer_document`]: crate::ecwid::json_mode::answer_document
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Document {
    /// Everything the stream held (at most `max_snapshot_bytes` bytes when
    /// read by [`read_document`]).
    Whole(Vec<u8>),
    /// The stream held more than `max_snapshot_bytes` bytes: reading
    /// stopped after one byte more, so the size is not known.
    TooLarge,
}

impl Document {
    /// The size rule of [`check_snapshot_size`] on a document: its bytes,
    /// or the refusal, with the size when it is known (`None` for
    /// [`Document::TooLarge`]).
    pub(crate) fn within(self, limits: &crate::limits::Limits) -> Result<Vec<u8>, Option<usize>> {
        match self {
            Document::Whole(bytes) => match check_snapshot_size(bytes.len(), limits) {
                Ok(()) => Ok(bytes),
                Err(_) => Err(Some(bytes.len())),
            },
            Document::TooLarge => Err(None),
        }
    }
}

/// Reads a document from `reader` under the size rule: at most
/// [`Limits::max_snapshot_bytes`](crate::Limits::max_snapshot_bytes) + 1
/// bytes are read, so memory stays bounded by the limit and an endless
/// stream is answered as soon as it passes the limit.
///
/// ```
/// use catalog_filter::Limits;
/// use catalog_filter::catalog::{Document, read_document};
///
/// let limits = Limits { max_snapshot_bytes: 4, ..Limits::DEFAULT };
/// assert_eq!(read_document(&b"1234"[..], &limits).unwrap(), Document::Whole(b"1234".to_vec()));
/// assert_eq!(read_document(&b"12345"[..], &limits).unwrap(), Document::TooLarge);
/// // An endless stream is refused after 5 bytes.
/// assert_eq!(read_document(std::io::repeat(b' '), &limits).unwrap(), Document::TooLarge);
/// ```
///
/// # Errors
///
/// The reader's error, when reading fails.
pub fn read_document(reader: impl Read, limits: &crate::limits::Limits) -> io::Result<Document> {
    let limit = limits.max_snapshot_bytes;
    let most = u64::try_from(limit).unwrap_or(u64::MAX).saturating_add(1);
    let mut bytes = Vec::new();
    reader.take(most).read_to_end(&mut bytes)?;
    Ok(if bytes.len() > limit {
        Document::TooLarge
    } else {
        Document::Whole(bytes)
    })
}

/// A snapshot document from its bytes, without copying them: the size rule
/// first, then the UTF-8 check.
pub(crate) fn snapshot_document(
    json: Vec<u8>,
    limits: &crate::limits::Limits,
) -> Result<Arc<String>, DocumentError> {
    check_snapshot_size(json.len(), limits)?;
    String::from_utf8(json)
        .map(Arc::new)
        .map_err(DocumentError::NotUtf8)
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
        let mut i = 0;
        while let Some(rest) = part.get(i..).filter(|r| !r.is_empty()) {
            if self.in_string {
                if self.escaped {
                    self.escaped = false;
                    i += 1;
                    continue;
                }
                // Inside a string only `"` and `\` matter: skip to the next.
                match memchr::memchr2(b'"', b'\\', rest) {
                    None => i = part.len(),
                    Some(k) => {
                        if rest.get(k) == Some(&b'\\') {
                            self.escaped = true;
                        } else {
                            self.in_string = false;
                        }
                        i += k + 1;
                    }
                }
            } else {
                match rest.first() {
                    Some(b'"') => self.in_string = true,
                    Some(b' ' | b'\n' | b'\r' | b'\t') => {
                        out.write_all(part.get(run..i).unwrap_or_default())?;
                        run = i + 1;
                    }
                    _ => {}
                }
                i += 1;
            }
        }
        out.write_all(part.get(run..).unwrap_or_default())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn read_document_reads_one_byte_past_the_limit_at_most() {
        let limits = crate::limits::Limits {
            max_snapshot_bytes: 4,
            ..crate::limits::Limits::default()
        };
        let mut reader = &b"1234567"[..];
        assert_eq!(
            read_document(&mut reader, &limits).unwrap(),
            Document::TooLarge
        );
        assert_eq!(reader, b"67", "the rest is left unread");
        assert_eq!(
            read_document(&b""[..], &limits).unwrap(),
            Document::Whole(Vec::new())
        );
        // The size rule on either kind of document.
        assert_eq!(
            Document::Whole(b"1234".to_vec()).within(&limits),
            Ok(b"1234".to_vec())
        );
        assert_eq!(
            Document::Whole(b"12345".to_vec()).within(&limits),
            Err(Some(5))
        );
        assert_eq!(Document::TooLarge.within(&limits), Err(None));
        // No limit: everything is read.
        let unlimited = crate::limits::Limits {
            max_snapshot_bytes: usize::MAX,
            ..crate::limits::Limits::default()
        };
        assert_eq!(
            read_document(&b"1234567"[..], &unlimited).unwrap(),
            Document::Whole(b"1234567".to_vec())
        );
        // A failing reader is its error.
        struct Failing;
        impl Read for Failing {
            fn read(&mut self, _: &mut [u8]) -> io::Result<usize> {
                Err(io::Error::other("broken"))
            }
        }
        assert_eq!(
            read_document(Failing, &limits).unwrap_err().to_string(),
            "broken"
        );
    }

    #[test]
    fn snapshot_documents_follow_one_size_rule_then_utf8() {
        let limits = crate::limits::Limits {
            max_snapshot_bytes: 4,
            ..crate::limits::Limits::default()
        };
        assert!(check_snapshot_size(4, &limits).is_ok());
        assert!(matches!(
            check_snapshot_size(5, &limits),
            Err(DocumentError::TooLarge { bytes: 5, limit: 4 })
        ));
        // Too large is found before the bytes are looked at.
        assert!(matches!(
            snapshot_document(vec![0xff; 5], &limits),
            Err(DocumentError::TooLarge { bytes: 5, limit: 4 })
        ));
        assert!(matches!(
            snapshot_document(vec![b'{', 0xff, b'}'], &limits),
            Err(DocumentError::NotUtf8(_))
        ));
        let doc = snapshot_document(b"{}".to_vec(), &limits).map(|d| d.as_str().to_owned());
        assert_eq!(doc.ok().as_deref(), Some("{}"));
    }

    #[test]
    fn exact_list_keeps_order_and_allocates_exactly() {
        for n in [0usize, 1, 2, 7, 8, 9, 30] {
            let mut list = ExactList::new();
            for i in 0..n {
                list.push(i);
            }
            let v = list.into_vec();
            assert_eq!(v, (0..n).collect::<Vec<_>>());
            assert_eq!(v.capacity(), n);
        }
        // A loaded list of ids has no spare capacity either.
        let mut de = serde_json::Deserializer::from_str(r#"["a","b","c"]"#);
        let ids = de::DeserializeSeed::deserialize(TextListSeed(Base(None)), &mut de);
        let ids = ids.unwrap_or_default();
        assert_eq!(ids, ["a", "b", "c"]);
        assert_eq!(ids.capacity(), 3);
    }

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
