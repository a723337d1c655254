//! The operation: [`authorize`], [`plan`] (pure), [`apply`], and
//! [`unassign_products`], the whole server sequence ([`plan_body`] its
//! part between the scope check and the apply).

use super::model::{CategoryId, ProductId, TOP_LEVEL_CATEGORY};
use super::store::Store;
use super::wire::{
    EcwidError, ReadRequest, UnassignProductsRequest, UnassignProductsResponse, read_request,
};
use crate::limits::Limits;
use serde::Serialize;
use std::collections::HashSet;

/// The access scope a token needs to unassign products.
pub const UPDATE_CATALOG_SCOPE: &str = "update_catalog";

/// Checks the token's scopes: without [`UPDATE_CATALOG_SCOPE`] (exact,
/// case-sensitive) the request is a 403 [`EcwidError::MissingScope`].
pub fn authorize(scopes: &[&str]) -> Result<(), EcwidError> {
    if scopes.contains(&UPDATE_CATALOG_SCOPE) {
        Ok(())
    } else {
        Err(EcwidError::MissingScope)
    }
}

/// What happens to one listed product that leaves the category.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize)]
pub struct ProductChange {
    /// The product.
    pub product_id: ProductId,
    /// Its categories before.
    pub before: Vec<CategoryId>,
    /// Its categories after (never empty).
    pub after: Vec<CategoryId>,
    /// True when the category was its last one, so it was assigned to the
    /// top-level category 0 (`after == [0]`, and 0 was not in `before`).
    pub rehomed: bool,
}

/// The outcome of an unassign request, computed without changing the store.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct UnassignPlan {
    /// The category the products are unassigned from.
    pub category_id: CategoryId,
    /// The listed products that leave the category, each once, in request
    /// order.
    pub changes: Vec<ProductChange>,
    /// The listed products that exist but stay as they are (not in the
    /// category, or only in the top level when unassigning from 0), each
    /// once, in request order.
    pub unchanged: Vec<ProductId>,
    /// The listed ids that name no product, each once, in request order.
    pub unknown_product_ids: Vec<ProductId>,
    /// The API's answer: `deleteCount` 1 iff `changes` is not empty.
    pub response: UnassignProductsResponse,
}

/// Plans unassigning `request.product_ids` from `category_id` in `store`,
/// without changing it. Checks the category (404), then the request: empty
/// (400), over [`Limits::max_product_ids`] (400). The scope check is
/// [`authorize`], to be called first. Deterministic; linear in the request.
pub fn plan(
    store: &Store,
    category_id: CategoryId,
    request: &UnassignProductsRequest,
    limits: &Limits,
) -> Result<UnassignPlan, EcwidError> {
    check_category(store, category_id)?;
    let count = request.product_ids.len();
    if count == 0 {
        return Err(EcwidError::EmptyProductIds);
    }
    if count > limits.max_product_ids {
        return Err(EcwidError::TooManyProductIds {
            count,
            limit: limits.max_product_ids,
        });
    }

    let mut seen = HashSet::with_capacity(count);
    let mut changes = Vec::new();
    let mut unchanged = Vec::new();
    let mut unknown_product_ids = Vec::new();
    for &product_id in &request.product_ids {
        if !seen.insert(product_id) {
            continue;
        }
        let Some(product) = store.product(product_id) else {
            unknown_product_ids.push(product_id);
            continue;
        };
        match without_category(&product.category_ids, category_id) {
            Some((after, rehomed)) => changes.push(ProductChange {
                product_id,
                before: product.category_ids.clone(),
                after,
                rehomed,
            }),
            None => unchanged.push(product_id),
        }
    }
    let response = UnassignProductsResponse {
        delete_count: u32::from(!changes.is_empty()),
    };
    Ok(UnassignPlan {
        category_id,
        changes,
        unchanged,
        unknown_product_ids,
        response,
    })
}

/// Applies `plan` to `store`: each product of `plan.changes` leaves
/// `plan.category_id`, and goes to the top level 0 if it has no category
/// left. Every change is re-derived from `store`, so the store's invariants
/// hold whatever plan is given; applying a plan to the store it was made from
/// gives exactly the `after` lists, and applying it again changes nothing.
/// Only the changed products' `category_ids` are written differently
/// afterwards.
pub fn apply(store: &mut Store, plan: &UnassignPlan) {
    for change in &plan.changes {
        let Some(index) = store.product_index(change.product_id) else {
            continue;
        };
        let after = store
            .products()
            .get(index)
            .and_then(|p| without_category(&p.category_ids, plan.category_id));
        if let Some((after, _)) = after {
            store.set_category_ids(index, after);
        }
    }
}

/// Handles one request on a loaded store as a server would: [`authorize`]
/// (403), category (404), the body: over [`Limits::max_snapshot_bytes`],
/// not a request, or refused by [`plan`] (400; `productIds` is counted
/// while it is read, the ids past [`Limits::max_product_ids`] never kept
/// nor checked to be integers, so a list of any length over the limit is
/// the same `LIMIT_EXCEEDED` at the memory of the limit); then [`apply`]. Returns the
/// plan that was applied; the store is unchanged on error. (A server that
/// loads the store per request authorizes before loading it, as
/// `unassign --json` does, so a 403 never depends on the
/// store.)
pub fn unassign_products(
    store: &mut Store,
    scopes: &[&str],
    category_id: CategoryId,
    body: &str,
    limits: &Limits,
) -> Result<UnassignPlan, EcwidError> {
    authorize(scopes)?;
    let plan = plan_body(store, category_id, body, limits)?;
    apply(store, &plan);
    Ok(plan)
}

/// [`unassign_products`] between [`authorize`] and [`apply`], on a raw
/// body: the category (404), the body's size (over
/// [`Limits::max_snapshot_bytes`]) and form (400), then [`plan`]. Never
/// changes the store, so a server can make the plan durable before it
/// applies it.
pub fn plan_body(
    store: &Store,
    category_id: CategoryId,
    body: &str,
    limits: &Limits,
) -> Result<UnassignPlan, EcwidError> {
    check_category(store, category_id)?;
    if body.len() > limits.max_snapshot_bytes {
        return Err(EcwidError::TooLarge {
            bytes: body.len(),
            limit: limits.max_snapshot_bytes,
        });
    }
    let request = match read_request(body, limits.max_product_ids)? {
        ReadRequest::Listed(request) => request,
        // Counted while reading (the ids past the limit never kept).
        ReadRequest::TooMany(count) => {
            return Err(EcwidError::TooManyProductIds {
                count,
                limit: limits.max_product_ids,
            });
        }
    };
    plan(store, category_id, &request, limits)
}

fn check_category(store: &Store, category_id: CategoryId) -> Result<(), EcwidError> {
    if store.has_category(category_id) {
        Ok(())
    } else {
        Err(EcwidError::CategoryNotFound { category_id })
    }
}

/// The categories after removing `category_id` (re-homed to 0 if none is
/// left) and whether that re-homing happened; `None` if nothing changes.
fn without_category(
    categories: &[CategoryId],
    category_id: CategoryId,
) -> Option<(Vec<CategoryId>, bool)> {
    if !categories.contains(&category_id) {
        return None;
    }
    let mut after: Vec<CategoryId> = categories
        .iter()
        .copied()
        .filter(|&c| c != category_id)
        .collect();
    let rehomed = after.is_empty();
    if rehomed {
        after.push(TOP_LEVEL_CATEGORY);
    }
    (after != categories).then_some((after, rehomed))
}
