//! The store snapshot's data types: [`Category`], [`StoreProduct`] and the
//! unchecked [`StoreSnapshot`] (how they are read from JSON: the load stage).

use crate::json::Attributes;
use serde::Serialize;

/// An Ecwid category id.
pub type CategoryId = u64;

/// An Ecwid product id.
pub type ProductId = u64;

/// The top-level category, which always exists and needs no entry in a
/// snapshot.
pub const TOP_LEVEL_CATEGORY: CategoryId = 0;

/// A category of a store snapshot.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Category {
    /// The category id (never 0 in a [`Store`](crate::ecwid::Store): that is the implicit top level).
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
    /// The categories the product is in. In a [`Store`](crate::ecwid::Store) this is never empty
    /// (an empty, `null` or absent list loads as `[0]`, and is written back
    /// as it was given unless an operation changes it) and has no repeats.
    pub category_ids: Vec<CategoryId>,
    /// Every other member of the product. Writing a loaded store copies
    /// the snapshot's own text, so these are for reading.
    #[serde(flatten)]
    pub other: Attributes,
}

/// The data of a store snapshot, not yet checked. [`Store::new`](crate::ecwid::Store::new) checks it.
///
/// Deserializing it reads the same members, the same way, as loading a
/// [`Store`](crate::ecwid::Store) (without the integrity checks, and with `category_ids` as
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
