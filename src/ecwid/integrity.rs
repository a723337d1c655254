//! The store's integrity checks: every problem at once ([`StoreError`]),
//! or the category and product indexes.

use super::model::{CategoryId, ProductId, StoreSnapshot, TOP_LEVEL_CATEGORY};
use crate::forest::{self, NONE};
use std::collections::{HashMap, HashSet};

/// Category lists up to this long are checked for repeats by a linear scan.
const SMALL_LIST: usize = 16;

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
    #[error("categories form a parent cycle: {}", forest::cycle_text(.category_ids))]
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
    /// A typed [`StoreSnapshot`] given to [`Store::new`](crate::ecwid::Store::new) does not read back
    /// as a snapshot (an unknown member in `other` repeats a named one,
    /// such as `id` or `category_ids`).
    #[error("the snapshot does not read back: {reason}")]
    Unreadable {
        /// The reader's message.
        reason: String,
    },
}

/// A store snapshot that failed its integrity checks: every problem found,
/// in snapshot order (categories, then parent cycles, then products).
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("invalid store snapshot: {}", problems_text(.problems))]
pub struct StoreError {
    pub(super) problems: Vec<StoreProblem>,
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

/// The integrity checks: every problem, or the category and product indexes.
#[allow(clippy::type_complexity)]
pub(super) fn check(
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
