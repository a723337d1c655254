//! Loading a store snapshot straight from its bytes, and writing it back.
//!
//! A loaded [`Store`] keeps the text it was read from. Writing copies that
//! text and splices in only the `category_ids` lists that an operation
//! changed, so every other byte comes back as it was read: member order,
//! unknown members (of the top level, categories and products), numbers
//! with their exact text, strings as written, `null` and empty lists. A
//! changed list keeps its remaining elements as written.

use super::integrity::{self, StoreError};
use super::model::{Category, CategoryId, StoreProduct, StoreSnapshot, TOP_LEVEL_CATEGORY};
use super::store::Store;
use crate::json::{self, AttributeValue, Attributes, Source, Spans};
use crate::limits::Limits;
use serde::de::{self, DeserializeSeed, MapAccess, SeqAccess, Visitor};
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::value::RawValue;
use std::fmt;
use std::ops::Range;
use std::sync::Arc;

/// Why a store snapshot could not be loaded.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum StoreLoadError {
    /// The document is larger than [`Limits::max_snapshot_bytes`]; nothing
    /// was parsed.
    #[error("store snapshot is {bytes} bytes; the limit is {limit} (max_snapshot_bytes)")]
    TooLarge {
        /// The document's size.
        bytes: usize,
        /// The limit.
        limit: usize,
    },
    /// The document is not UTF-8.
    #[error("store snapshot is not UTF-8: {0}")]
    NotUtf8(#[from] std::string::FromUtf8Error),
    /// The document is not JSON of the snapshot's shape (serde's message,
    /// with the line and column in the snapshot's text).
    #[error("{0}")]
    Json(#[from] serde_json::Error),
    /// The document is well-formed but fails its integrity checks.
    #[error(transparent)]
    Invalid(#[from] StoreError),
}

impl StoreLoadError {
    /// The integrity problems, if that is what went wrong.
    pub fn invalid(&self) -> Option<&StoreError> {
        match self {
            StoreLoadError::Invalid(e) => Some(e),
            _ => None,
        }
    }
}

impl From<json::DocumentError> for StoreLoadError {
    fn from(e: json::DocumentError) -> StoreLoadError {
        match e {
            json::DocumentError::TooLarge { bytes, limit } => {
                StoreLoadError::TooLarge { bytes, limit }
            }
            json::DocumentError::NotUtf8(e) => StoreLoadError::NotUtf8(e),
            json::DocumentError::Text(e) => StoreLoadError::Json(e.into_serde()),
        }
    }
}

json::snapshot_methods!(
    Store,
    StoreLoadError,
    "store",
    "category_ids",
    "",
    "; unknown members are skipped without recursion, so deep nesting in them cannot exhaust the stack"
);

impl Store {
    /// Product `i`'s `category_ids` as they are now, written from `raw`,
    /// the list as read. (A changed product always has a `category_ids`
    /// member: one stored without categories is only in 0, which no
    /// operation changes.)
    fn kept_list(&self, i: usize, raw: &str) -> Option<Vec<u8>> {
        let kept = &self.products().get(i)?.category_ids;
        Some(json::kept_list(raw, kept, |element, &id: &CategoryId| {
            serde_json::from_str::<CategoryId>(element).ok() == Some(id)
        }))
    }
}

impl json::Loadable for Store {
    type Error = StoreLoadError;

    fn read(
        document: Arc<String>,
        range: Range<usize>,
        _: &Limits,
    ) -> Result<Store, StoreLoadError> {
        let part = document.get(range.clone()).unwrap_or_default();
        let mut spans = Spans::default();
        let mut de = serde_json::Deserializer::from_str(part);
        // Positions in the whole document, not in the part read.
        let placed = |e| json::relocate(e, &document, range.start);
        let mut snapshot = SnapshotSeed {
            base: &document,
            spans: Some(&mut spans),
        }
        .deserialize(&mut de)
        .map_err(placed)?;
        de.end().map_err(placed)?;
        let (category_index, product_index) = integrity::check(&snapshot)?;
        for product in &mut snapshot.products {
            if product.category_ids.is_empty() {
                product.category_ids.push(TOP_LEVEL_CATEGORY);
            }
        }
        let items = snapshot.products.len();
        Ok(Store {
            snapshot,
            category_index,
            product_index,
            doc: Source::new(document, range, spans, items),
        })
    }
}

// ------------------------------------------------------------------ reading

/// Reads a snapshot object. With `spans`, each product's `category_ids`
/// text is located in `base` (the input must then be a `&str` inside
/// `base`).
struct SnapshotSeed<'a> {
    base: &'a str,
    spans: Option<&'a mut Spans>,
}

impl<'de> DeserializeSeed<'de> for SnapshotSeed<'_> {
    type Value = StoreSnapshot;
    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<StoreSnapshot, D::Error> {
        deserializer.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for SnapshotSeed<'_> {
    type Value = StoreSnapshot;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a store snapshot object")
    }

    fn visit_map<A: MapAccess<'de>>(mut self, mut map: A) -> Result<StoreSnapshot, A::Error> {
        let mut snapshot = StoreSnapshot::default();
        let (mut categories, mut products) = (false, false);
        while let Some(json::Borrowed(key)) = map.next_key::<json::Borrowed<'de>>()? {
            match key.as_ref() {
                "categories" => {
                    if std::mem::replace(&mut categories, true) {
                        return Err(de::Error::duplicate_field("categories"));
                    }
                    snapshot.categories = map
                        .next_value::<Option<Vec<Category>>>()?
                        .unwrap_or_default();
                }
                "products" => {
                    if std::mem::replace(&mut products, true) {
                        return Err(de::Error::duplicate_field("products"));
                    }
                    snapshot.products = map
                        .next_value_seed(ProductsSeed {
                            base: self.base,
                            spans: self.spans.as_deref_mut(),
                        })?
                        .unwrap_or_default();
                }
                _ => {
                    let value: AttributeValue = map.next_value()?;
                    snapshot.other.insert(key.into_owned().into(), value);
                }
            }
        }
        Ok(snapshot)
    }
}

/// Reads `products` (`null` is none), recording the spans.
struct ProductsSeed<'a> {
    base: &'a str,
    spans: Option<&'a mut Spans>,
}

impl<'de> DeserializeSeed<'de> for ProductsSeed<'_> {
    type Value = Option<Vec<StoreProduct>>;
    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Self::Value, D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for ProductsSeed<'_> {
    type Value = Option<Vec<StoreProduct>>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a list of products")
    }

    fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(None)
    }

    fn visit_seq<A: SeqAccess<'de>>(mut self, mut seq: A) -> Result<Self::Value, A::Error> {
        let mut products = Vec::new();
        let raw = self.spans.is_some();
        while let Some((product, list)) = seq.next_element_seed(ProductSeed { raw })? {
            if let Some(spans) = self.spans.as_deref_mut() {
                spans.push(list.and_then(|l| json::span_in(self.base, l.get())));
            }
            products.push(product);
        }
        Ok(Some(products))
    }
}

/// Reads one product object: the one definition of how a product's members
/// are read. With `raw`, the `category_ids` member's text is also returned,
/// borrowed from the input.
struct ProductSeed {
    raw: bool,
}

impl<'de> DeserializeSeed<'de> for ProductSeed {
    type Value = (StoreProduct, Option<&'de RawValue>);
    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Self::Value, D::Error> {
        deserializer.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for ProductSeed {
    type Value = (StoreProduct, Option<&'de RawValue>);

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a product object")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let mut id = None;
        let mut name = None;
        let mut category_ids: Option<Option<Vec<CategoryId>>> = None;
        let mut list = None;
        let mut other = Attributes::new();
        while let Some(json::Borrowed(key)) = map.next_key::<json::Borrowed<'de>>()? {
            match key.as_ref() {
                "id" => once(&mut id, "id", map.next_value()?)?,
                "name" => once(&mut name, "name", map.next_value::<String>()?)?,
                "category_ids" => {
                    let ids = if self.raw {
                        let raw: &'de RawValue = map.next_value()?;
                        list = Some(raw);
                        serde_json::from_str(raw.get()).map_err(|e| json::unplaced(&e))?
                    } else {
                        map.next_value()?
                    };
                    once(&mut category_ids, "category_ids", ids)?;
                }
                _ => {
                    let value: AttributeValue = map.next_value()?;
                    other.insert(key.into_owned().into(), value);
                }
            }
        }
        let product = StoreProduct {
            id: id.ok_or_else(|| de::Error::missing_field("id"))?,
            name: name.ok_or_else(|| de::Error::missing_field("name"))?,
            category_ids: category_ids.flatten().unwrap_or_default(),
            other,
        };
        Ok((product, list))
    }
}

/// Reads one category object.
struct CategoryVisitor;

impl<'de> Visitor<'de> for CategoryVisitor {
    type Value = Category;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a category object")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Category, A::Error> {
        let mut id = None;
        let mut parent_id: Option<Option<CategoryId>> = None;
        let mut name = None;
        let mut other = Attributes::new();
        while let Some(json::Borrowed(key)) = map.next_key::<json::Borrowed<'de>>()? {
            match key.as_ref() {
                "id" => once(&mut id, "id", map.next_value()?)?,
                "parent_id" => once(&mut parent_id, "parent_id", map.next_value()?)?,
                "name" => once(&mut name, "name", map.next_value::<String>()?)?,
                _ => {
                    let value: AttributeValue = map.next_value()?;
                    other.insert(key.into_owned().into(), value);
                }
            }
        }
        Ok(Category {
            id: id.ok_or_else(|| de::Error::missing_field("id"))?,
            parent_id: parent_id.flatten(),
            name: name.ok_or_else(|| de::Error::missing_field("name"))?,
            other,
        })
    }
}

/// Sets `slot` to `value`, refusing a member given twice.
fn once<T, E: de::Error>(slot: &mut Option<T>, field: &'static str, value: T) -> Result<(), E> {
    if slot.replace(value).is_some() {
        return Err(E::duplicate_field(field));
    }
    Ok(())
}

/// Reads a category (`parent_id` `null` or absent is `None`; unknown
/// members into `other`). Needs a serde_json source.
impl<'de> Deserialize<'de> for Category {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Category, D::Error> {
        deserializer.deserialize_map(CategoryVisitor)
    }
}

/// Reads a product (`category_ids` `null` or absent is empty; unknown
/// members into `other`). Needs a serde_json source.
impl<'de> Deserialize<'de> for StoreProduct {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<StoreProduct, D::Error> {
        ProductSeed { raw: false }
            .deserialize(deserializer)
            .map(|(product, _)| product)
    }
}

/// Reads a snapshot without checking it. Needs a serde_json source.
impl<'de> Deserialize<'de> for StoreSnapshot {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<StoreSnapshot, D::Error> {
        SnapshotSeed {
            base: "",
            spans: None,
        }
        .deserialize(deserializer)
    }
}

/// Serializes as the snapshot's JSON ([`Store::to_json`]); with a
/// serde_json serializer the text is copied as is.
impl Serialize for Store {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let raw = RawValue::from_string(self.to_json()).map_err(serde::ser::Error::custom)?;
        raw.serialize(serializer)
    }
}

/// Deserializing a `Store` runs the integrity checks; a failing snapshot
/// becomes a custom serde error carrying the [`StoreError`] text. Use
/// [`Store::from_json`] for typed errors. Needs a serde_json source.
impl<'de> Deserialize<'de> for Store {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Store, D::Error> {
        let raw = Box::<RawValue>::deserialize(deserializer)?;
        let text: Box<str> = raw.into();
        Store::from_string(text.into()).map_err(de::Error::custom)
    }
}
