//! Ecwid `unassignProducts`: a store snapshot, the wire types, and the
//! operation as a pure plan followed by a separate apply.
//!
//! `POST /api/v3/{storeId}/categories/{categoryId}/unassignProducts` with
//! `{"productIds":[...]}` removes the category from each listed product and
//! answers `{"deleteCount":1}` if any product was unassigned, else
//! `{"deleteCount":0}`. Products are never deleted; a product left without
//! any category is assigned to the top-level category (id 0).
//!
//! ```
//! use catalog_filter::Limits;
//! use catalog_filter::ecwid::{self, Store, UnassignProductsRequest};
//!
//! let mut store: Store = serde_json::from_str(r#"{
//!   "categories": [{"id": 9691094, "parent_id": 0, "name": "Sale"},
//!                  {"id": 9691103, "parent_id": 0, "name": "Sneakers"}],
//!   "products": [
//!     {"id": 37208345, "name": "Canvas Sneakers", "category_ids": [9691094]},
//!     {"id": 37208346, "name": "Trail Runners", "category_ids": [9691103, 9691094]}
//!   ]
//! }"#)?;
//!
//! // What a server does, in the documented order: scope, then plan (which
//! // checks the category, then the request), then apply.
//! ecwid::authorize(&["read_catalog", "update_catalog"])?;
//! let request: UnassignProductsRequest = serde_json::from_str(r#"{"productIds":[37208345]}"#)?;
//! let plan = ecwid::plan(&store, 9691094, &request, &Limits::default())?;
//! assert_eq!(serde_json::to_string(&plan.response)?, r#"{"deleteCount":1}"#);
//! assert!(plan.changes[0].rehomed); // its only category was removed
//!
//! ecwid::apply(&mut store, &plan);
//! assert_eq!(store.product(37208345).map(|p| p.category_ids.clone()), Some(vec![0]));
//! assert_eq!(store.product(37208346).map(|p| p.category_ids.clone()), Some(vec![9691103, 9691094]));
//!
//! // Errors carry an HTTP status and Ecwid's error body.
//! let err = ecwid::plan(&store, 42, &request, &Limits::default()).unwrap_err();
//! assert_eq!(err.status(), 404);
//! assert_eq!(
//!     serde_json::to_string(&err.body())?,
//!     r#"{"errorMessage":"Category 42 not found","errorCode":"CATEGORY_NOT_FOUND"}"#
//! );
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! # Snapshot
//!
//! `{"categories":[{"id","parent_id","name"}],"products":[{"id","name","category_ids":[...]}]}`
//! with integer (`u64`) ids. [`StoreSnapshot`] is the raw JSON shape;
//! [`Store`] is a snapshot that passed its integrity checks (and is what
//! `serde_json::from_str::<Store>` gives). Decisions where the vendor's documents are silent
//! (also in DECISIONS.md):
//!
//! - The top-level category 0 always exists implicitly; a stored category
//!   with id 0 is an integrity problem. A category whose `parent_id` is `0`,
//!   `null` or absent is top level.
//! - A stored product whose `category_ids` is empty or absent loads as
//!   `[0]`. A product may be in 0 and in other categories at once (Ecwid's
//!   "store front page" plus categories).
//! - Integrity checks report every problem at once ([`StoreError`]):
//!   category id 0, duplicate category ids, unknown parents, parent cycles,
//!   duplicate product ids, products naming unknown categories, and a
//!   product listing the same category twice.
//! - Unknown JSON fields of the store, categories and products are kept
//!   (`other`) and written back (after the known fields, in key order), so
//!   serialising a store loses nothing. A `"parent_id": null` is written
//!   back as an absent `parent_id` (same meaning).
//!
//! # Semantics
//!
//! - Only the named category is removed; its subcategories are not touched
//!   (unlike Elastic Path's detach, which works on subtrees).
//! - Unknown product ids are ignored and reported in
//!   [`UnassignPlan::unknown_product_ids`], each once, in request order.
//! - A product id listed twice is handled once.
//! - `deleteCount` is 1 exactly when some listed product actually left the
//!   category (see [`UnassignPlan::changes`]).
//! - Unassigning from the top-level category 0: a product whose only
//!   category is 0 would be re-homed straight back into 0, so it stays as it
//!   is and does not count as having left (it goes to
//!   [`UnassignPlan::unchanged`]). A product in 0 and in other categories
//!   leaves 0 and counts.
//! - Limits: a request with more than [`Limits::max_product_ids`] entries
//!   (duplicates included: the limit is on the request's size) is refused
//!   before any product is looked at. (Parsing a body is linear in its size;
//!   a server should also cap the body's bytes.)
//! - [`plan`] never mutates; [`apply`] takes `&mut Store` so that applying to
//!   a large store copies nothing (clone the store first to keep the old
//!   one). `apply` re-derives each change from the store it is given, so it
//!   keeps every integrity invariant even with a plan made from another
//!   store, and applying the same plan twice is the same as applying it once.
//!
//! # Errors
//!
//! Checks run in this order: scope ([`authorize`], 403), category (404),
//! request (400); [`unassign_products`] runs the whole sequence on a raw
//! request body, as a server would. Each [`EcwidError`] has an HTTP
//! [`status`](EcwidError::status) and an Ecwid body
//! `{"errorMessage":"...","errorCode":"..."}`:
//!
//! | status | `errorCode` | when |
//! |---|---|---|
//! | 403 | `FORBIDDEN` | the token lacks the `update_catalog` scope |
//! | 404 | `CATEGORY_NOT_FOUND` | `categoryId` names no category (0 always exists) |
//! | 400 | `INVALID_REQUEST_BODY` | the body is not a `{"productIds":[u64...]}` object, or `productIds` is empty |
//! | 400 | `LIMIT_EXCEEDED` | more `productIds` than [`Limits::max_product_ids`] |
//! | 500 | `INVALID_STORE` | a store snapshot failed its integrity checks |

use crate::Limits;
use serde::{Deserialize, Serialize, Serializer};
use serde_json::{Map, Value};
use std::collections::{HashMap, HashSet};

/// An Ecwid category id.
pub type CategoryId = u64;

/// An Ecwid product id.
pub type ProductId = u64;

/// The top-level category, which always exists and needs no entry in a
/// snapshot.
pub const TOP_LEVEL_CATEGORY: CategoryId = 0;

/// The access scope a token needs to unassign products.
pub const UPDATE_CATALOG_SCOPE: &str = "update_catalog";

/// Category lists up to this long are checked for repeats by a linear scan.
const SMALL_LIST: usize = 16;

/// A category of a store snapshot.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Category {
    /// The category id (never 0: that is the implicit top level).
    pub id: CategoryId,
    /// The parent category; `None` or `Some(0)` means top level.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub parent_id: Option<CategoryId>,
    /// The category name.
    pub name: String,
    /// Any other fields of the snapshot, kept as they are.
    #[serde(flatten)]
    pub other: Map<String, Value>,
}

impl Category {
    /// The parent category id, [`TOP_LEVEL_CATEGORY`] for a top-level category.
    pub fn parent(&self) -> CategoryId {
        self.parent_id.unwrap_or(TOP_LEVEL_CATEGORY)
    }
}

/// A product of a store snapshot.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Product {
    /// The product id.
    pub id: ProductId,
    /// The product name.
    pub name: String,
    /// The categories the product is in. In a [`Store`] this is never empty
    /// (an empty or absent list loads as `[0]`) and has no repeats.
    #[serde(default)]
    pub category_ids: Vec<CategoryId>,
    /// Any other fields of the snapshot, kept as they are.
    #[serde(flatten)]
    pub other: Map<String, Value>,
}

/// The JSON shape of a store, not yet checked. Turn it into a [`Store`] with
/// [`Store::new`].
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct StoreSnapshot {
    /// The categories (the top level, 0, is implicit).
    #[serde(default)]
    pub categories: Vec<Category>,
    /// The products.
    #[serde(default)]
    pub products: Vec<Product>,
    /// Any other top-level fields, kept as they are.
    #[serde(flatten)]
    pub other: Map<String, Value>,
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

fn problems_text(problems: &[StoreProblem]) -> String {
    problems
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join("; ")
}

/// A store snapshot that passed its integrity checks, indexed by id.
///
/// Build one with [`Store::new`] or by deserialising (`serde_json::from_str`
/// runs the same checks). It serialises back to the snapshot's JSON shape.
/// The only way to change it is [`apply`], so the invariants always hold:
/// unique ids, known parents, no parent cycles, and every product in at least
/// one known category.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[serde(try_from = "StoreSnapshot")]
pub struct Store {
    snapshot: StoreSnapshot,
    category_index: HashMap<CategoryId, usize>,
    product_index: HashMap<ProductId, usize>,
}

impl Store {
    /// Checks `snapshot` and indexes it. Products with no categories are put
    /// in the top-level category 0. Returns every problem found, not just
    /// the first.
    pub fn new(mut snapshot: StoreSnapshot) -> Result<Store, StoreError> {
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

        problems.extend(
            parent_cycles(&snapshot.categories, &category_index)
                .into_iter()
                .map(|category_ids| StoreProblem::ParentCycle { category_ids }),
        );

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

        if !problems.is_empty() {
            return Err(StoreError { problems });
        }
        for product in &mut snapshot.products {
            if product.category_ids.is_empty() {
                product.category_ids.push(TOP_LEVEL_CATEGORY);
            }
        }
        Ok(Store {
            snapshot,
            category_index,
            product_index,
        })
    }

    /// The checked snapshot.
    pub fn snapshot(&self) -> &StoreSnapshot {
        &self.snapshot
    }

    /// Gives back the snapshot.
    pub fn into_snapshot(self) -> StoreSnapshot {
        self.snapshot
    }

    /// The stored categories, in snapshot order (without the implicit 0).
    pub fn categories(&self) -> &[Category] {
        &self.snapshot.categories
    }

    /// The products, in snapshot order.
    pub fn products(&self) -> &[Product] {
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
    pub fn product(&self, id: ProductId) -> Option<&Product> {
        self.product_index
            .get(&id)
            .and_then(|&i| self.snapshot.products.get(i))
    }
}

impl TryFrom<StoreSnapshot> for Store {
    type Error = StoreError;

    fn try_from(snapshot: StoreSnapshot) -> Result<Store, StoreError> {
        Store::new(snapshot)
    }
}

impl Serialize for Store {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.snapshot.serialize(serializer)
    }
}

/// Every parent cycle among the first occurrences of the category ids, each
/// once, rotated to start at its smallest id. Linear in the categories.
fn parent_cycles(
    categories: &[Category],
    index: &HashMap<CategoryId, usize>,
) -> Vec<Vec<CategoryId>> {
    #[derive(Clone, Copy, PartialEq)]
    enum State {
        New,
        OnPath,
        Done,
    }
    let mut state = vec![State::New; categories.len()];
    let mut cycles = Vec::new();
    let mut path: Vec<usize> = Vec::new();
    for start in 0..categories.len() {
        let mut current = Some(start);
        while let Some(i) = current {
            match state.get(i).copied() {
                Some(State::New) => {
                    if let Some(s) = state.get_mut(i) {
                        *s = State::OnPath;
                    }
                    path.push(i);
                    current = categories
                        .get(i)
                        .and_then(|c| index.get(&c.parent()))
                        .copied();
                }
                Some(State::OnPath) => {
                    if let Some(at) = path.iter().position(|&p| p == i) {
                        let mut ids: Vec<CategoryId> = path
                            .get(at..)
                            .unwrap_or_default()
                            .iter()
                            .filter_map(|&p| categories.get(p).map(|c| c.id))
                            .collect();
                        if let Some(min) = ids.iter().enumerate().min_by_key(|(_, id)| **id) {
                            let min = min.0;
                            ids.rotate_left(min);
                        }
                        cycles.push(ids);
                    }
                    current = None;
                }
                Some(State::Done) | None => current = None,
            }
        }
        for &p in &path {
            if let Some(s) = state.get_mut(p) {
                *s = State::Done;
            }
        }
        path.clear();
    }
    cycles
}

/// The request body: `{"productIds":[...]}`. Unknown fields are ignored.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct UnassignProductsRequest {
    /// The products to unassign from the category.
    #[serde(rename = "productIds")]
    pub product_ids: Vec<ProductId>,
}

impl UnassignProductsRequest {
    /// A request for these product ids.
    pub fn new(product_ids: impl IntoIterator<Item = ProductId>) -> UnassignProductsRequest {
        UnassignProductsRequest {
            product_ids: product_ids.into_iter().collect(),
        }
    }

    /// Reads a request body; anything but a JSON object whose `productIds`
    /// is an array of non-negative integers is a 400
    /// [`EcwidError::InvalidRequestBody`] with serde's reason.
    pub fn from_json(body: &str) -> Result<UnassignProductsRequest, EcwidError> {
        serde_json::from_str(body).map_err(|e| EcwidError::InvalidRequestBody {
            reason: e.to_string(),
        })
    }
}

/// The response body: `{"deleteCount":N}`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct UnassignProductsResponse {
    /// 1 if any product was unassigned, else 0.
    #[serde(rename = "deleteCount")]
    pub delete_count: u32,
}

/// Ecwid's error body: `{"errorMessage":"...","errorCode":"..."}`. The HTTP
/// status is not part of it; see [`EcwidError::status`].
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct EcwidErrorBody {
    /// A human-readable message.
    #[serde(rename = "errorMessage")]
    pub error_message: String,
    /// A stable machine-readable code (see the module docs for the list).
    #[serde(rename = "errorCode")]
    pub error_code: String,
}

/// Why an unassign request is refused. `Display` is the `errorMessage`.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum EcwidError {
    /// 403 `FORBIDDEN`: the token lacks the `update_catalog` scope.
    #[error("Access denied: the token lacks the update_catalog scope")]
    MissingScope,
    /// 404 `CATEGORY_NOT_FOUND`: the category does not exist.
    #[error("Category {category_id} not found")]
    CategoryNotFound {
        /// The requested category.
        category_id: CategoryId,
    },
    /// 400 `INVALID_REQUEST_BODY`: `productIds` is empty.
    #[error("productIds must not be empty")]
    EmptyProductIds,
    /// 400 `LIMIT_EXCEEDED`: more `productIds` than [`Limits::max_product_ids`].
    #[error("productIds has {count} ids; the limit is {limit} (max_product_ids)")]
    TooManyProductIds {
        /// How many ids the request has (duplicates included).
        count: usize,
        /// The limit.
        limit: usize,
    },
    /// 400 `INVALID_REQUEST_BODY`: the body is not a valid request.
    #[error("Request body is invalid: {reason}")]
    InvalidRequestBody {
        /// What is wrong with it (serde's message).
        reason: String,
    },
    /// 500 `INVALID_STORE`: the store snapshot failed its integrity checks.
    #[error("Store snapshot is invalid: {}", problems_text(.0.problems()))]
    InvalidStore(#[from] StoreError),
}

impl EcwidError {
    /// The HTTP status of the response.
    pub fn status(&self) -> u16 {
        match self {
            EcwidError::MissingScope => 403,
            EcwidError::CategoryNotFound { .. } => 404,
            EcwidError::EmptyProductIds
            | EcwidError::TooManyProductIds { .. }
            | EcwidError::InvalidRequestBody { .. } => 400,
            EcwidError::InvalidStore(_) => 500,
        }
    }

    /// The `errorCode` of the body.
    pub fn error_code(&self) -> &'static str {
        match self {
            EcwidError::MissingScope => "FORBIDDEN",
            EcwidError::CategoryNotFound { .. } => "CATEGORY_NOT_FOUND",
            EcwidError::EmptyProductIds | EcwidError::InvalidRequestBody { .. } => {
                "INVALID_REQUEST_BODY"
            }
            EcwidError::TooManyProductIds { .. } => "LIMIT_EXCEEDED",
            EcwidError::InvalidStore(_) => "INVALID_STORE",
        }
    }

    /// The response body: `{"errorMessage":...,"errorCode":...}`.
    pub fn body(&self) -> EcwidErrorBody {
        EcwidErrorBody {
            error_message: self.to_string(),
            error_code: self.error_code().to_owned(),
        }
    }
}

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
pub fn apply(store: &mut Store, plan: &UnassignPlan) {
    for change in &plan.changes {
        let Some(&i) = store.product_index.get(&change.product_id) else {
            continue;
        };
        if let Some(product) = store.snapshot.products.get_mut(i) {
            if let Some((after, _)) = without_category(&product.category_ids, plan.category_id) {
                product.category_ids = after;
            }
        }
    }
}

/// Handles one request as a server would: [`authorize`] (403), category
/// (404), parse `body` and check it (400), then [`plan`] and [`apply`].
/// Returns the plan that was applied; the store is unchanged on error.
pub fn unassign_products(
    store: &mut Store,
    scopes: &[&str],
    category_id: CategoryId,
    body: &str,
    limits: &Limits,
) -> Result<UnassignPlan, EcwidError> {
    authorize(scopes)?;
    check_category(store, category_id)?;
    let request = UnassignProductsRequest::from_json(body)?;
    let plan = plan(store, category_id, &request, limits)?;
    apply(store, &plan);
    Ok(plan)
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
