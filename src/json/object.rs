//! JSON objects as member lists in document order.

use super::seed::Borrowed;
use super::text::Text;
use super::value::AttributeValue;
use serde::de::{self, Deserialize, Deserializer};
use serde::ser::{Serialize, SerializeMap, Serializer};
use std::fmt;

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
