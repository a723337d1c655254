//! The store snapshot: its data types, loading straight from bytes, the
//! integrity checks, and writing it back as read.
//!
//! A loaded [`Store`] keeps the text it was read from. Writing copies that
//! text and splices in only the `category_ids` lists that an operation
//! changed, so every other byte comes back as it was read: member order,
//! unknown members (of the top level, categories and products), numbers
//! with their exact text, strings as written, `null` and empty lists. A
//! changed list keeps its remaining elements as written.

use crate::forest::{self, NONE};
use crate::json::{self, AttributeValue, Attributes};
use crate::limits::Limits;
use serde::de::{self, DeserializeSeed, MapAccess, SeqAccess, Visitor};
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::value::RawValue;
use std::collections::{HashMap, HashSet};
use std::fmt;
use std::io;
use std::ops::Range;
use std::sync::Arc;

/// An Ecwid category id.
pub type CategoryId = u64;

/// An Ecwid product id.
pub type ProductId = u64;

/// The top-level category, which always exists and needs no entry in a
/// snapshot.
pub const TOP_LEVEL_CATEGORY: CategoryId = 0;

/// Category lists up to this long are checked for repeats by a linear scan.
const SMALL_LIST: usize = 16;

/// A category of a store snapshot.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Category {
    /// The category id (never 0 in a [`Store`]: that is the implicit top level).
    pub id: CategoryId,
    /// The parent category; `None` (absent or `null`) or `Some(0)` means top level.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub parent_id: Option<CategoryId>,
    /// The category name.
    pub name: String,
    /// Every other member of the category. Writing a loaded store copies
    /// the snapshot's own text, so these are for reading.
    #[serde(flatten)]
    pub other: Attributes,
}

impl Category {
    /// The parent category id, [`TOP_LEVEL_CATEGORY`] for a top-level category.
    pub fn parent(&self) -> CategoryId {
        self.parent_id.unwrap_or(TOP_LEVEL_CATEGORY)
    }
}

/// A product of a store snapshot.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct StoreProduct {
    /// The product id.
    pub id: ProductId,
    /// The product name.
    pub name: String,
    /// The categories the product is in. In a [`Store`] this is never empty
    /// (an empty, `null` or absent list loads as `[0]`, and is written back
    /// as it was given unless an operation changes it) and has no repeats.
    pub category_ids: Vec<CategoryId>,
    /// Every other member of the product. Writing a loaded store copies
    /// the snapshot's own text, so these are for reading.
    #[serde(flatten)]
    pub other: Attributes,
}

/// The data of a store snapshot, not yet checked. [`Store::new`] checks it.
///
/// Deserializing it reads the same members, the same way, as loading a
/// [`Store`] (without the integrity checks, and with `category_ids` as
/// given); it needs a serde_json source (unknown members keep their text).
/// Serializing writes the known members, then the unknown ones in key order.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct StoreSnapshot {
    /// The categories (the top level, 0, is implicit).
    pub categories: Vec<Category>,
    /// The products.
    pub products: Vec<StoreProduct>,
    /// Every other top-level member.
    #[serde(flatten)]
    pub other: Attributes,
}

/// One integrity problem of a store snapshot.
#[derive(Clone, Debug, PartialEq, Eq, Hash, thiserror::Error)]
#[non_exhaustive]
pub enum StoreProblem {
    /// A stored category has id 0, which is reserved for the implicit top level.
    #[error("category at index {index} has id 0, which is reserved for the top-level category")]
    ReservedCategoryId {
        /// Position of the category in `categories`.
        index: usize,
    },
    /// Two categories have the same id (reported once per id).
    #[error("category id {id} is used more than once")]
    DuplicateCategoryId {
        /// The repeated id.
        id: CategoryId,
    },
    /// A category's parent is not a category.
    #[error("category {category_id} has parent {parent_id}, which is not a category")]
    UnknownParent {
        /// The category.
        category_id: CategoryId,
        /// Its unknown parent.
        parent_id: CategoryId,
    },
    /// Following parents leads back to where it started.
    #[error("categories form a parent cycle: {}", cycle_text(.category_ids))]
    ParentCycle {
        /// The categories of the cycle, each the child of the next (and the
        /// last the child of the first), starting at the smallest id.
        category_ids: Vec<CategoryId>,
    },
    /// Two products have the same id (reported once per id).
    #[error("product id {id} is used more than once")]
    DuplicateProductId {
        /// The repeated id.
        id: ProductId,
    },
    /// A product names a category that does not exist.
    #[error("product {product_id} is in category {category_id}, which is not a category")]
    UnknownCategory {
        /// The product.
        product_id: ProductId,
        /// The unknown category.
        category_id: CategoryId,
    },
    /// A product lists the same category twice.
    #[error("product {product_id} lists category {category_id} more than once")]
    RepeatedCategory {
        /// The product.
        product_id: ProductId,
        /// The repeated category.
        category_id: CategoryId,
    },
    /// A typed [`StoreSnapshot`] given to [`Store::new`] does not read back
    /// as a snapshot (an unknown member in `other` repeats a named one,
    /// such as `id` or `category_ids`).
    #[error("the snapshot does not read back: {reason}")]
    Unreadable {
        /// The reader's message.
        reason: String,
    },
}

fn cycle_text(ids: &[CategoryId]) -> String {
    let mut text = String::new();
    for id in ids.iter().chain(ids.first()) {
        if !text.is_empty() {
            text.push_str(" -> ");
        }
        text.push_str(&id.to_string());
    }
    text
}

/// A store snapshot that failed its integrity checks: every problem found,
/// in snapshot order (categories, then parent cycles, then products).
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("invalid store snapshot: {}", problems_text(.problems))]
pub struct StoreError {
    problems: Vec<StoreProblem>,
}

impl StoreError {
    /// Every problem found (never empty).
    pub fn problems(&self) -> &[StoreProblem] {
        &self.problems
    }
}

/// The problems joined by `; `.
pub(super) fn problems_text(problems: &[StoreProblem]) -> String {
    problems
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join("; ")
}

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
        }
    }
}

/// The text a store was read from, and where its parts are.
#[derive(Clone, Default)]
struct Document {
    /// The whole input (the snapshot may be a part of it).
    text: Arc<String>,
    /// The snapshot object's bytes in `text`.
    root: Range<usize>,
    /// Each product's `category_ids` value in `text`, if it has that member.
    category_ids: Vec<Option<Range<usize>>>,
    /// Products whose `category_ids` changed since loading.
    changed: Vec<bool>,
}

/// A store snapshot that passed its integrity checks, indexed by id, with
/// the text it was read from.
///
/// Build one with [`Store::from_json`] (or its siblings), [`Store::new`], or
/// by deserialising (`serde_json::from_str` runs the same checks). Writing
/// it ([`Store::to_json`], [`Store::write_json`], serde) gives the
/// snapshot's own text back with only the changed `category_ids` lists
/// spliced in. The only way to change it is
/// [`apply`](crate::ecwid::apply), so the invariants always hold: unique
/// ids, known parents, no parent cycles, and every product in at least one
/// known category. Equality compares the data ([`Store::snapshot`]), not
/// the text.
#[derive(Clone)]
pub struct Store {
    snapshot: StoreSnapshot,
    category_index: HashMap<CategoryId, usize>,
    product_index: HashMap<ProductId, usize>,
    doc: Document,
}

impl fmt::Debug for Store {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Store")
            .field("snapshot", &self.snapshot)
            .finish_non_exhaustive()
    }
}

impl PartialEq for Store {
    fn eq(&self, other: &Store) -> bool {
        self.snapshot == other.snapshot
    }
}

impl Store {
    /// Checks `snapshot` and indexes it, returning every problem found, not
    /// just the first. The store is the snapshot as serde writes it, loaded
    /// back (one loading path), so products with no categories are in the
    /// top-level category 0.
    pub fn new(snapshot: StoreSnapshot) -> Result<Store, StoreError> {
        let unreadable = |reason: String| StoreError {
            problems: vec![StoreProblem::Unreadable { reason }],
        };
        let text = serde_json::to_string(&snapshot).map_err(|e| unreadable(e.to_string()))?;
        match Store::from_string(text) {
            Ok(store) => Ok(store),
            Err(StoreLoadError::Invalid(e)) => Err(e),
            Err(e) => Err(unreadable(e.to_string())),
        }
    }

    /// Reads a snapshot from JSON text and checks it. Copies `json` once
    /// (the store keeps the text it writes back); [`Store::from_string`]
    /// takes it instead.
    pub fn from_json(json: &str) -> Result<Store, StoreLoadError> {
        Store::from_string(json.to_owned())
    }

    /// Like [`Store::from_json`], from bytes.
    pub fn from_slice(json: &[u8]) -> Result<Store, StoreLoadError> {
        // Refused before the copy.
        json::check_snapshot_size(json.len(), &Limits::default())?;
        Store::from_vec(json.to_vec())
    }

    /// Like [`Store::from_json`], taking the bytes (no copy).
    pub fn from_vec(json: Vec<u8>) -> Result<Store, StoreLoadError> {
        let (len, limits) = (json.len(), Limits::default());
        // Refused before the UTF-8 check.
        let document = json::snapshot_document(json, &limits)?;
        Store::load(document, 0..len, &limits)
    }

    /// Like [`Store::from_json`], taking the text (no copy).
    pub fn from_string(json: String) -> Result<Store, StoreLoadError> {
        let len = json.len();
        Store::load(Arc::new(json), 0..len, &Limits::default())
    }

    /// Loads the snapshot that is the part `range` of `document` (for a
    /// snapshot embedded in a larger document, such as a request), sharing
    /// the document without copying it. A snapshot over
    /// [`Limits::max_snapshot_bytes`] is refused before anything is parsed;
    /// unknown members are skipped without recursion, so deep nesting in
    /// them cannot exhaust the stack.
    pub fn load(
        document: Arc<String>,
        range: Range<usize>,
        limits: &Limits,
    ) -> Result<Store, StoreLoadError> {
        json::check_snapshot_size(range.len(), limits)?;
        let part = document.get(range.clone()).unwrap_or_default();
        let mut spans = Vec::new();
        let mut de = serde_json::Deserializer::from_str(part);
        let mut snapshot = SnapshotSeed {
            base: &document,
            spans: Some(&mut spans),
        }
        .deserialize(&mut de)?;
        de.end()?;
        let (category_index, product_index) = check(&snapshot)?;
        for product in &mut snapshot.products {
            if product.category_ids.is_empty() {
                product.category_ids.push(TOP_LEVEL_CATEGORY);
            }
        }
        let changed = vec![false; snapshot.products.len()];
        Ok(Store {
            snapshot,
            category_index,
            product_index,
            doc: Document {
                text: document,
                root: range,
                category_ids: spans,
                changed,
            },
        })
    }

    /// The checked snapshot data (a product stored with no categories shows
    /// as in `[0]`).
    pub fn snapshot(&self) -> &StoreSnapshot {
        &self.snapshot
    }

    /// Gives the snapshot data back, dropping the indexes and the text.
    pub fn into_snapshot(self) -> StoreSnapshot {
        self.snapshot
    }

    /// The stored categories, in snapshot order (without the implicit 0).
    pub fn categories(&self) -> &[Category] {
        &self.snapshot.categories
    }

    /// The products, in snapshot order.
    pub fn products(&self) -> &[StoreProduct] {
        &self.snapshot.products
    }

    /// The stored category with this id (`None` for 0, which is implicit).
    pub fn category(&self, id: CategoryId) -> Option<&Category> {
        self.category_index
            .get(&id)
            .and_then(|&i| self.snapshot.categories.get(i))
    }

    /// True when `id` names a category: a stored one, or the top level 0.
    pub fn has_category(&self, id: CategoryId) -> bool {
        id == TOP_LEVEL_CATEGORY || self.category_index.contains_key(&id)
    }

    /// The product with this id.
    pub fn product(&self, id: ProductId) -> Option<&StoreProduct> {
        self.product_index
            .get(&id)
            .and_then(|&i| self.snapshot.products.get(i))
    }

    /// The index in [`Store::products`] of the product with this id.
    pub(super) fn product_index(&self, id: ProductId) -> Option<usize> {
        self.product_index.get(&id).copied()
    }

    /// Replaces the categories of the product at `index` (the caller keeps
    /// the invariants: known categories, no repeats, not empty) and marks
    /// its list as changed for writing.
    pub(super) fn set_category_ids(&mut self, index: usize, category_ids: Vec<CategoryId>) {
        if let Some(product) = self.snapshot.products.get_mut(index) {
            product.category_ids = category_ids;
            if let Some(flag) = self.doc.changed.get_mut(index) {
                *flag = true;
            }
        }
    }

    /// The snapshot as compact JSON text: the text it was read from with
    /// the changed `category_ids` lists spliced in, whitespace outside
    /// strings left out (so a compact input comes back byte for byte).
    pub fn to_json(&self) -> String {
        let mut out = Vec::with_capacity(self.doc.root.len());
        // Writing to a Vec cannot fail.
        let _ = self.write_json(&mut out);
        String::from_utf8(out).unwrap_or_default()
    }

    /// Writes [`Store::to_json`] to `out`, without building it in memory.
    pub fn write_json(&self, out: &mut dyn io::Write) -> io::Result<()> {
        self.write(out, true)
    }

    /// Writes the snapshot exactly as read (whitespace included), with the
    /// changed `category_ids` lists spliced in.
    pub fn write_json_as_read(&self, out: &mut dyn io::Write) -> io::Result<()> {
        self.write(out, false)
    }

    fn write(&self, out: &mut dyn io::Write, compact: bool) -> io::Result<()> {
        let doc = &self.doc;
        // A changed product always has a `category_ids` member: one stored
        // without categories is only in 0, which no operation changes.
        let edits = doc
            .changed
            .iter()
            .enumerate()
            .filter(|&(_, &c)| c)
            .filter_map(|(i, _)| {
                let span = doc.category_ids.get(i)?.clone()?;
                let product = self.snapshot.products.get(i)?;
                let text = doc.text.get(span.clone())?;
                Some((span, kept_list(text, &product.category_ids)))
            });
        json::write_spliced(out, &doc.text, doc.root.clone(), edits, compact)
    }
}

/// The JSON list of `ids`, each element that is in the list `raw` written
/// as it is there (in order); when `ids` is not a subsequence of `raw` (the
/// re-homed `[0]`), the list as serde writes it.
fn kept_list(raw: &str, ids: &[CategoryId]) -> Vec<u8> {
    let mut out = Vec::with_capacity(raw.len());
    out.push(b'[');
    let elements: Vec<&RawValue> = serde_json::from_str(raw).unwrap_or_default();
    let mut want = ids.iter().peekable();
    for element in elements {
        let Some(&&next) = want.peek() else { break };
        if serde_json::from_str::<CategoryId>(element.get()).ok() == Some(next) {
            if out.len() > 1 {
                out.push(b',');
            }
            out.extend_from_slice(element.get().as_bytes());
            want.next();
        }
    }
    if want.peek().is_some() {
        return serde_json::to_vec(ids).unwrap_or_default();
    }
    out.push(b']');
    out
}

/// The integrity checks: every problem, or the category and product indexes.
#[allow(clippy::type_complexity)]
fn check(
    snapshot: &StoreSnapshot,
) -> Result<(HashMap<CategoryId, usize>, HashMap<ProductId, usize>), StoreError> {
    let mut problems = Vec::new();

    let mut category_index = HashMap::with_capacity(snapshot.categories.len());
    for (i, category) in snapshot.categories.iter().enumerate() {
        if category.id != TOP_LEVEL_CATEGORY {
            category_index.entry(category.id).or_insert(i);
        }
    }
    let known = |id: CategoryId| id == TOP_LEVEL_CATEGORY || category_index.contains_key(&id);

    let mut reported = HashSet::new();
    for (i, category) in snapshot.categories.iter().enumerate() {
        if category.id == TOP_LEVEL_CATEGORY {
            problems.push(StoreProblem::ReservedCategoryId { index: i });
        } else if category_index.get(&category.id) != Some(&i) && reported.insert(category.id) {
            problems.push(StoreProblem::DuplicateCategoryId { id: category.id });
        }
        if !known(category.parent()) {
            problems.push(StoreProblem::UnknownParent {
                category_id: category.id,
                parent_id: category.parent(),
            });
        }
    }

    // Parent links by index (to the first category with the parent's id),
    // for the crate's one cycle finder.
    let parents: Vec<u32> = snapshot
        .categories
        .iter()
        .map(|c| {
            category_index
                .get(&c.parent())
                .and_then(|&i| u32::try_from(i).ok())
                .unwrap_or(NONE)
        })
        .collect();
    for cycle in forest::parent_cycles(&parents) {
        let mut category_ids: Vec<CategoryId> = cycle
            .iter()
            .filter_map(|&i| snapshot.categories.get(i as usize).map(|c| c.id))
            .collect();
        let smallest = category_ids
            .iter()
            .enumerate()
            .min_by_key(|&(_, id)| *id)
            .map_or(0, |(i, _)| i);
        category_ids.rotate_left(smallest);
        problems.push(StoreProblem::ParentCycle { category_ids });
    }

    let mut product_index = HashMap::with_capacity(snapshot.products.len());
    let mut reported = HashSet::new();
    for (i, product) in snapshot.products.iter().enumerate() {
        if *product_index.entry(product.id).or_insert(i) != i && reported.insert(product.id) {
            problems.push(StoreProblem::DuplicateProductId { id: product.id });
        }
        let ids = &product.category_ids;
        // A linear scan for the usual few categories, a set for many: no
        // allocation per product in the common case.
        let mut seen = (ids.len() > SMALL_LIST).then(|| HashSet::with_capacity(ids.len()));
        let mut repeated = HashSet::new();
        for (j, &category_id) in ids.iter().enumerate() {
            let first = match &mut seen {
                Some(seen) => seen.insert(category_id),
                None => !ids.get(..j).unwrap_or_default().contains(&category_id),
            };
            if first {
                if !known(category_id) {
                    problems.push(StoreProblem::UnknownCategory {
                        product_id: product.id,
                        category_id,
                    });
                }
            } else if repeated.insert(category_id) {
                problems.push(StoreProblem::RepeatedCategory {
                    product_id: product.id,
                    category_id,
                });
            }
        }
    }

    if problems.is_empty() {
        Ok((category_index, product_index))
    } else {
        Err(StoreError { problems })
    }
}

// ------------------------------------------------------------------ reading

/// Reads a snapshot object. With `spans`, each product's `category_ids`
/// text is located in `base` (the input must then be a `&str` inside
/// `base`).
struct SnapshotSeed<'a> {
    base: &'a str,
    spans: Option<&'a mut Vec<Option<Range<usize>>>>,
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
    spans: Option<&'a mut Vec<Option<Range<usize>>>>,
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
                        serde_json::from_str(raw.get()).map_err(de::Error::custom)?
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

impl TryFrom<StoreSnapshot> for Store {
    type Error = StoreError;

    fn try_from(snapshot: StoreSnapshot) -> Result<Store, StoreError> {
        Store::new(snapshot)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kept_list_keeps_elements_as_written() {
        assert_eq!(kept_list("[ 3 , 5 ,2]", &[3, 2]), b"[3,2]");
        assert_eq!(kept_list("[7,\n 0 ]", &[0]), b"[0]");
        assert_eq!(kept_list("[20]", &[0]), b"[0]");
    }
}
