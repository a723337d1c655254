//! The checked, indexed [`Store`]: categories and products by id.

use super::integrity::{StoreError, StoreProblem};
use super::load::StoreLoadError;
use super::model::{
    Category, CategoryId, ProductId, StoreProduct, StoreSnapshot, TOP_LEVEL_CATEGORY,
};
use crate::json::Source;
use std::collections::HashMap;
use std::fmt;

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
    pub(super) snapshot: StoreSnapshot,
    pub(super) category_index: HashMap<CategoryId, usize>,
    pub(super) product_index: HashMap<ProductId, usize>,
    pub(super) doc: Source,
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
            self.doc.mark_changed(index);
        }
    }
}

impl TryFrom<StoreSnapshot> for Store {
    type Error = StoreError;

    fn try_from(snapshot: StoreSnapshot) -> Result<Store, StoreError> {
        Store::new(snapshot)
    }
}
