//! Elastic Path `POST /pcm/products/detach_nodes`, as a pure plan over a
//! catalog snapshot followed by a separate apply.
//!
//! The request `{"data":{"filter":"eq(sku,book)","node_ids":["123"]}}`
//! detaches the products the filter matches from the named nodes and every
//! node below them, and answers
//! `{"meta":{"nodes_detached":1,"nodes_not_found":[]}}`.
//!
//! ```
//! use catalog_filter::Limits;
//! use catalog_filter::catalog::Catalog;
//! use catalog_filter::elasticpath::detach::{self, DetachNodesRequest, Grant};
//!
//! let mut catalog = Catalog::from_json(r#"{
//!   "hierarchies": [{"id": "h1", "name": "Shop"}],
//!   "nodes": [{"id": "123", "hierarchy_id": "h1", "name": "Books"},
//!             {"id": "124", "hierarchy_id": "h1", "parent_id": "123", "name": "Novels"}],
//!   "products": [
//!     {"id": "7d4f6c2a-1b3e-4f5a-9c8d-0e1f2a3b4c5d", "sku": "book", "node_ids": ["124"]},
//!     {"id": "00000000-0000-4000-8000-000000000001", "sku": "pen", "node_ids": ["124"]}
//!   ]
//! }"#)?;
//!
//! detach::authorize(Some(Grant::ClientCredentials)).map_err(|e| format!("{e:?}"))?;
//! let request: DetachNodesRequest =
//!     serde_json::from_str(r#"{"data":{"filter":"eq(sku,book)","node_ids":["123"]}}"#)?;
//! let plan = detach::plan(&catalog, &request, &Limits::default()).map_err(|e| format!("{e:?}"))?;
//! assert_eq!(
//!     serde_json::to_string(&plan.response)?,
//!     r#"{"meta":{"nodes_detached":1,"nodes_not_found":[]}}"#
//! );
//! // The book leaves node 124 (below 123); the pen is not matched.
//! let changes: Vec<_> = plan.changes().collect();
//! assert_eq!(changes.len(), 1);
//! assert_eq!(changes[0].removed_node_ids(&catalog).collect::<Vec<_>>(), ["124"]);
//!
//! detach::apply(&mut catalog, &plan);
//! assert!(catalog.products()[0].node_ids.is_empty());
//! assert_eq!(catalog.products()[1].node_ids, ["124"]);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! # Semantics
//!
//! - Checks run in order: authorization ([`authorize`]: 401, 403), then
//!   emptiness (422 `filter can not be empty` / `node_ids can not be empty`,
//!   one response with both when both are missing), then the `node_ids`
//!   limit (400 naming it), then the filter (400 `Could not parse the
//!   supplied filter`, the precise reason and span in `meta`; the filter's
//!   own byte and condition limits are part of compiling it). These are
//!   [`check_request`]: none needs the catalog, so a refusal never depends
//!   on it.
//! - A node id is an opaque string. An id naming a hierarchy counts as found
//!   and stands for all its nodes. Detaching node N removes the matched
//!   products' memberships in N and in every node below N.
//! - `nodes_not_found` lists the requested ids that name no node or
//!   hierarchy, each once, in request order; `nodes_detached` is the number
//!   of distinct requested ids that were found, whether or not any product
//!   lost a membership. So a retried request gets the same answer.
//! - Products the filter does not match, and memberships outside the named
//!   subtrees, are never touched.
//!
//! Decisions where the vendor's documents are silent (also in DECISIONS.md):
//!
//! - A filter that is empty or only ASCII spaces is blank (422), like a
//!   missing one. Any other whitespace (tab, newline, U+0085, U+3000) is
//!   compiled, and refused like everywhere else (a control character or an
//!   unquoted non-ASCII character is a 400).
//! - The `node_ids` limit ([`Limits::max_node_ids`]) counts the ids as sent,
//!   duplicates included, and is checked before the filter is compiled and
//!   before any id is looked up. [`handle`] checks it while reading the
//!   body: the ids past the limit are counted, never kept (nor checked to
//!   be strings), and every member it does not read (`data.x`, junk beside
//!   `data`) is skipped without being built, so a body of any size costs
//!   the memory of `max_node_ids` ids, and a list over the limit is the
//!   same 400 whatever its length and whatever follows its first
//!   `max_node_ids` ids.
//! - An id that is the empty string or only spaces is just an id: it names
//!   nothing and is reported in `nodes_not_found`. Only an empty *list* is
//!   the 422.
//! - A body that is not JSON, not an object with a `data` object, or whose
//!   `filter` is not a string or whose `node_ids` is not an array of strings
//!   is a 400 `Bad Request` (detail `Bad Request`), the reason in
//!   `meta.message`; `null` counts as absent (so it is the 422).
//! - Access is modelled by the [`Grant`] of the caller's token (see
//!   [`authorize`]): no token 401, a storefront (`implicit`) token 403.
//! - A snapshot that fails its integrity checks is answered with the
//!   vendor's 500 envelope, `request_id`
//!   `00000000-0000-0000-0000-000000000000` and `meta.missing_ids` (see
//!   [`integrity_error`]).
//! - [`apply`] mutates the catalog in place (`&mut Catalog`): copying a
//!   million-product snapshot to change a few memberships would dominate the
//!   cost. It only removes memberships the plan names, so applying a plan
//!   twice is the same as once. A plan names memberships by node *position*
//!   in the catalog it was made from: apply it to that catalog (or one with
//!   the same hierarchies and nodes). Applied anywhere else it still never
//!   panics and keeps the catalog's integrity (it only removes memberships),
//!   but which memberships it removes is then not meaningful.
//!
//! # Serving
//!
//! [`handle`] is what a server (or `examples/detach.rs`) calls with the
//! caller's [`Grant`] and the raw request body: [`authorize`], read the body
//! (with [`DetachNodesRequest::from_json`]'s errors, but at most
//! [`Limits::max_node_ids`] ids kept: see Semantics), [`plan`], and on
//! success [`apply`];
//! it returns an [`Answer`], the HTTP status and the body to send. A
//! snapshot that does not load is answered with [`integrity_error`].
//! [`check_request`] is the catalog-free part of [`plan`], shared with the
//! PostgreSQL back end.
//!
//! # Cost
//!
//! Planning is one pass over the products: a product is tested against the
//! filter only when one of its memberships falls in a named subtree (a
//! lookup in a flag per node position), and nothing is allocated for a
//! product that loses nothing. The flags are set from the requested ids'
//! position ranges, each position once, so overlapping ids (a hierarchy and
//! nodes inside it) cost nothing extra; when no id names a node the products
//! are not scanned at all. The filter then runs on those candidates as
//! [`Catalog::select`] runs it: conditions on scalar text and enumeration
//! attributes over columns (built on first use and kept with the catalog),
//! the others per candidate. Over 1,000,000 generated products with 1,000
//! node ids a plan takes about 0.1 s on one core (`cargo bench --bench
//! detach`, which also compares testing the whole filter per product,
//! memberships first or filter first; README "Performance" has the
//! measured numbers).

use super::request::{self, NodeIds};
use crate::catalog::{Catalog, IntegrityErrors};
use crate::limits::Limits;

use crate::elasticpath::envelope::{ApiError, ErrorEnvelope, ErrorMeta, FILTER_POINTER};
use crate::validate::ValidFilter;
use serde::{Deserialize, Serialize};
use std::collections::HashSet;
use std::ops::Range;
use uuid::Uuid;

/// The request body: `{"data":{"filter":"...","node_ids":[...]}}`.
///
/// Both fields are optional on the wire so that a missing one is answered
/// with the vendor's 422, not a deserialization error.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct DetachNodesRequest {
    /// The `data` member.
    pub data: DetachNodesData,
}

/// The `data` member of a [`DetachNodesRequest`].
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct DetachNodesData {
    /// The filter selecting the products to detach.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub filter: Option<String>,
    /// The node (or hierarchy) ids to detach the products from.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub node_ids: Option<Vec<String>>,
}

impl DetachNodesRequest {
    /// A request for `filter` and `node_ids`.
    pub fn new(
        filter: impl Into<String>,
        node_ids: impl IntoIterator<Item = impl Into<String>>,
    ) -> DetachNodesRequest {
        DetachNodesRequest {
            data: DetachNodesData {
                filter: Some(filter.into()),
                node_ids: Some(node_ids.into_iter().map(Into::into).collect()),
            },
        }
    }

    /// Reads a request body. A body that is not JSON (a member given twice
    /// in one object or a lone surrogate escape included), not an object
    /// with a `data` object, or whose fields have the wrong JSON types is a
    /// 400 `Bad Request` whose `meta.message` says why.
    ///
    /// Every id is kept: [`handle`] reads a body under
    /// [`Limits::max_node_ids`] instead, keeping at most that many ids and
    /// only counting the others, so a list of any length costs the memory
    /// of the limit.
    pub fn from_json(body: &str) -> Result<DetachNodesRequest, ErrorEnvelope> {
        let body = request::read(body, usize::MAX)?;
        Ok(DetachNodesRequest {
            data: DetachNodesData {
                filter: body.filter,
                node_ids: match body.node_ids {
                    NodeIds::Absent => None,
                    NodeIds::Listed(ids) => Some(ids),
                    // Not with this limit; were it so, no id was kept.
                    NodeIds::TooMany(_) => Some(Vec::new()),
                },
            },
        })
    }
}

/// The success body: `{"meta":{"nodes_detached":N,"nodes_not_found":[...]}}`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct DetachNodesResponse {
    /// The `meta` member.
    pub meta: DetachNodesMeta,
}

/// The `meta` member of a [`DetachNodesResponse`].
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct DetachNodesMeta {
    /// The number of distinct requested ids that name a node or hierarchy.
    pub nodes_detached: usize,
    /// The requested ids that name neither, each once, in request order.
    pub nodes_not_found: Vec<String>,
}

/// How the caller's bearer token was obtained. Elastic Path issues admin
/// tokens by the `client_credentials` grant and storefront (shopper) tokens
/// by the `implicit` grant; detach_nodes is for administrators only.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Grant {
    /// An administrator token (`client_credentials` grant).
    ClientCredentials,
    /// A storefront token (`implicit` grant): not allowed here.
    Implicit,
}

/// The access check a server runs before anything else: no token is 401, a
/// token that is not an admin (`client_credentials`) token is 403, both as
/// JSON:API envelopes.
pub fn authorize(token: Option<Grant>) -> Result<(), ErrorEnvelope> {
    match token {
        Some(Grant::ClientCredentials) => Ok(()),
        Some(Grant::Implicit) => Err(ErrorEnvelope::single(ApiError::forbidden(
            "This endpoint requires an administrator (client_credentials) token",
        ))),
        None => Err(ErrorEnvelope::single(ApiError::unauthorized(
            "A bearer token is required",
        ))),
    }
}

/// What one product loses: a view into a [`DetachPlan`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ProductDetach<'p> {
    /// The product's index in [`Catalog::products`].
    pub index: usize,
    /// The product's id.
    pub product_id: Uuid,
    /// The memberships it leaves, as node positions (see
    /// [`Catalog::memberships`]), in the order of its `node_ids`.
    pub removed_positions: &'p [u32],
}

impl<'p> ProductDetach<'p> {
    /// The ids of the nodes the product leaves, in the order of its
    /// `node_ids`, looked up in the catalog the plan was made from.
    pub fn removed_node_ids<'c>(
        &self,
        catalog: &'c Catalog,
    ) -> impl Iterator<Item = &'c str> + use<'c, 'p> {
        self.removed_positions
            .iter()
            .filter_map(|&pos| catalog.node_at(pos).map(|n| n.id.as_str()))
    }
}

/// One product's entry in the plan; its positions are a run of
/// [`DetachPlan::removed`].
#[derive(Clone, Debug, PartialEq, Eq)]
struct Change {
    index: usize,
    product_id: Uuid,
    start: usize,
    len: usize,
}

/// The outcome of [`plan`]: which product loses which memberships, and the
/// response to send. Planning never mutates the catalog; [`apply`] does.
///
/// The removed memberships of all products are stored in one flat list, so
/// a plan touching half a million products costs two allocations, not a
/// million; read it through [`DetachPlan::changes`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DetachPlan {
    changes: Vec<Change>,
    removed: Vec<u32>,
    /// The response body.
    pub response: DetachNodesResponse,
}

impl DetachPlan {
    /// The products that lose at least one membership, in catalog order.
    pub fn changes(&self) -> impl ExactSizeIterator<Item = ProductDetach<'_>> {
        self.changes.iter().map(|c| ProductDetach {
            index: c.index,
            product_id: c.product_id,
            removed_positions: self.removed.get(c.start..c.start + c.len).unwrap_or(&[]),
        })
    }

    /// True when applying the plan changes nothing.
    pub fn is_empty(&self) -> bool {
        self.changes.is_empty()
    }

    /// The number of memberships the plan removes, over all products.
    pub fn removed_count(&self) -> usize {
        self.removed.len()
    }
}

const NODE_IDS_POINTER: &str = "/data/node_ids";

/// A request that passed every check that does not need the catalog.
#[derive(Clone, Debug)]
pub struct CheckedRequest<'r> {
    /// The compiled filter.
    pub filter: ValidFilter,
    /// The requested node ids, as sent (non-empty, within the limit).
    pub node_ids: &'r [String],
}

/// Whether `filter` is blank: empty or only ASCII spaces. A blank filter is
/// refused like a missing one ([`blank_filter_error`], 422); any other
/// whitespace goes to the parser (and is a 400 there).
pub fn is_blank_filter(filter: &str) -> bool {
    filter.bytes().all(|b| b == b' ')
}

/// The error object of a missing or [blank](is_blank_filter) filter: 422
/// `Failed Validation`, `filter can not be empty`, pointer `/data/filter`.
pub fn blank_filter_error() -> ApiError {
    ApiError::failed_validation("filter can not be empty").with_pointer(FILTER_POINTER)
}

/// The checks of a detach request that need no catalog, in the documented
/// order: emptiness (one 422 with an error object for each empty field),
/// the `node_ids` limit (400), then the filter (400 with every problem).
/// Every back end runs these, so all refuse the same requests with the same
/// envelopes.
pub fn check_request<'r>(
    request: &'r DetachNodesRequest,
    limits: &Limits,
) -> Result<CheckedRequest<'r>, ErrorEnvelope> {
    let node_ids = request.data.node_ids.as_deref().unwrap_or(&[]);
    let filter = check_sizes(request.data.filter.as_deref(), node_ids.len(), limits)?;
    let filter = crate::compiler::compile_checked(filter, crate::validate::detach_nodes(), limits)
        .map_err(ErrorEnvelope::from)?;
    Ok(CheckedRequest { filter, node_ids })
}

/// The emptiness checks (one 422 with an error object for each empty
/// field) and the `node_ids` limit (400), on the filter and the number of
/// ids (0 when absent): the first checks of [`check_request`], which need
/// no id itself, so a list read only up to the limit is refused the same.
/// Returns the filter, not blank.
fn check_sizes<'r>(
    filter: Option<&'r str>,
    node_ids: usize,
    limits: &Limits,
) -> Result<&'r str, ErrorEnvelope> {
    let filter = filter.filter(|f| !is_blank_filter(f));
    let Some(filter) = filter.filter(|_| node_ids > 0) else {
        let mut errors = Vec::new();
        if filter.is_none() {
            errors.push(blank_filter_error());
        }
        if node_ids == 0 {
            errors.push(
                ApiError::failed_validation("node_ids can not be empty")
                    .with_pointer(NODE_IDS_POINTER),
            );
        }
        return Err(ErrorEnvelope::from(errors));
    };
    // The count limit first (free), then the filter (bounded by its own
    // byte limit); both before any work on the catalog.
    if node_ids > limits.max_node_ids {
        return Err(too_many_node_ids(node_ids, limits));
    }
    Ok(filter)
}

/// The 400 of a `node_ids` list of `count` ids, over the limit.
fn too_many_node_ids(count: usize, limits: &Limits) -> ErrorEnvelope {
    ErrorEnvelope::single(
        ApiError::bad_request("Bad Request")
            .with_pointer(NODE_IDS_POINTER)
            .with_meta(ErrorMeta::message(format!(
                "node_ids has {count} ids; the limit is {} (max_node_ids)",
                limits.max_node_ids
            ))),
    )
}

/// Plans a detach: runs [`check_request`] (422 for an empty filter and/or
/// node_ids, then 400 for a limit exceeded, then 400 for a bad filter),
/// resolves the node ids and finds every membership to remove. Never
/// mutates `catalog`; planning twice gives equal plans. Authorization is
/// [`authorize`], to be called first; [`handle`] runs the whole sequence.
pub fn plan(
    catalog: &Catalog,
    request: &DetachNodesRequest,
    limits: &Limits,
) -> Result<DetachPlan, ErrorEnvelope> {
    let checked = check_request(request, limits)?;
    let (filter, node_ids) = (&checked.filter, checked.node_ids);

    // Resolve the ids, each distinct id once, in request order.
    let mut ranges: Vec<Range<u32>> = Vec::with_capacity(node_ids.len());
    let meta = count_found(node_ids, |id| match catalog.resolve(id) {
        Some(range) => {
            ranges.push(range);
            true
        }
        None => false,
    });
    let response = DetachNodesResponse { meta };
    let targeted = mark_positions(catalog.nodes().len(), ranges);
    let Some(targeted) = targeted else {
        // No node is targeted (unknown ids, empty hierarchies): nothing to scan.
        return Ok(DetachPlan {
            changes: Vec::new(),
            removed: Vec::new(),
            response,
        });
    };
    let is_targeted = |pos: u32| targeted.get(pos as usize).copied().unwrap_or(false);

    // Candidates: the products in a targeted node; then the filter, over
    // columns where it can, per product on the candidates otherwise.
    let mut candidate: Vec<bool> = (0..catalog.products().len())
        .map(|index| {
            catalog
                .memberships(index)
                .iter()
                .any(|&pos| is_targeted(pos))
        })
        .collect();
    catalog.retain_filter(filter, &mut candidate);

    let mut changes = Vec::new();
    let mut removed = Vec::new();
    for ((index, product), selected) in catalog.products().iter().enumerate().zip(candidate) {
        if !selected {
            continue;
        }
        let memberships = catalog.memberships(index);
        let start = removed.len();
        removed.extend(memberships.iter().copied().filter(|&pos| is_targeted(pos)));
        changes.push(Change {
            index,
            product_id: product.id,
            start,
            len: removed.len() - start,
        });
    }
    Ok(DetachPlan {
        changes,
        removed,
        response,
    })
}

/// Plans a detach from its resolved effect instead of a request: each
/// product of `product_ids` (by id; an id the catalog lacks is skipped)
/// loses its memberships in the nodes named by `node_ids` (those nodes
/// only, not their subtrees; an id that names no node is skipped). None of
/// [`check_request`]'s checks runs (there is no filter, and no limit), and
/// the response is the default one (nothing counted). Linear in the
/// catalog's products and the listed ids.
///
/// A plan's effect is its products and the ids of the nodes at their
/// removed positions ([`DetachPlan::changes`], [`Catalog::node_at`]); the
/// plan made from that effect on the same catalog removes the same
/// memberships. A server can journal the effect and replay it this way, so
/// that a request accepted once is never refused on replay by checks that
/// have changed since (a stricter filter validation, other limits).
///
/// ```
/// use catalog_filter::catalog::Catalog;
/// use catalog_filter::elasticpath::detach::{self, DetachNodesRequest};
/// use catalog_filter::Limits;
///
/// let catalog = Catalog::from_json(include_str!("../../examples/data/catalog.json")).unwrap();
/// let request = DetachNodesRequest::from_json(
///     r#"{"data":{"filter":"eq(status,live)","node_ids":["node-books"]}}"#,
/// ).unwrap();
/// let plan = detach::plan(&catalog, &request, &Limits::default()).unwrap();
/// // The effect: the products, and the ids of the nodes they leave.
/// let products: Vec<_> = plan.changes().map(|c| c.product_id).collect();
/// let mut nodes: Vec<String> = plan
///     .changes()
///     .flat_map(|c| c.removed_positions.iter())
///     .map(|&pos| catalog.node_at(pos).unwrap().id.clone())
///     .collect();
/// nodes.sort();
/// nodes.dedup();
/// let replayed = detach::plan_resolved(&catalog, &products, &nodes);
/// let (mut a, mut b) = (catalog.clone(), catalog.clone());
/// assert_eq!(detach::apply(&mut a, &plan), detach::apply(&mut b, &replayed));
/// assert!(a == b && a != catalog);
/// ```
pub fn plan_resolved(catalog: &Catalog, product_ids: &[Uuid], node_ids: &[String]) -> DetachPlan {
    let targeted: HashSet<u32> = node_ids
        .iter()
        .filter_map(|id| catalog.position(id))
        .collect();
    let wanted: HashSet<Uuid> = product_ids.iter().copied().collect();
    let mut changes = Vec::new();
    let mut removed = Vec::new();
    for (index, product) in catalog.products().iter().enumerate() {
        if !wanted.contains(&product.id) {
            continue;
        }
        let start = removed.len();
        removed.extend(
            catalog
                .memberships(index)
                .iter()
                .copied()
                .filter(|pos| targeted.contains(pos)),
        );
        if removed.len() > start {
            changes.push(Change {
                index,
                product_id: product.id,
                start,
                len: removed.len() - start,
            });
        }
    }
    DetachPlan {
        changes,
        removed,
        response: DetachNodesResponse::default(),
    }
}

/// The response counts of a detach: `found` is asked once per distinct
/// requested id, in request order; `nodes_detached` is the number of
/// distinct ids found, `nodes_not_found` the others, each once, in request
/// order. Every back end ([`plan`], the PostgreSQL `detach`) answers through
/// this one function, so they agree by construction.
///
/// ```
/// use catalog_filter::elasticpath::detach::count_found;
///
/// let ids: Vec<String> = ["a", "x", "a", "b", "x"].map(String::from).to_vec();
/// let meta = count_found(&ids, |id| id != "x");
/// assert_eq!(meta.nodes_detached, 2);
/// assert_eq!(meta.nodes_not_found, ["x"]);
/// ```
pub fn count_found(node_ids: &[String], mut found: impl FnMut(&str) -> bool) -> DetachNodesMeta {
    let mut seen: HashSet<&str> = HashSet::with_capacity(node_ids.len());
    let mut meta = DetachNodesMeta::default();
    for id in node_ids {
        if !seen.insert(id.as_str()) {
            continue;
        }
        if found(id) {
            meta.nodes_detached += 1;
        } else {
            meta.nodes_not_found.push(id.clone());
        }
    }
    meta
}

/// One flag per node position, set for the positions inside any of
/// `ranges`; `None` when no position is. Each position is written at most
/// once (ranges sorted by start, the covered prefix skipped), so 1,000
/// overlapping hierarchy-sized ranges cost one pass over the nodes, not
/// 1,000.
fn mark_positions(node_count: usize, mut ranges: Vec<Range<u32>>) -> Option<Vec<bool>> {
    ranges.retain(|r| !r.is_empty());
    if ranges.is_empty() {
        return None;
    }
    ranges.sort_unstable_by_key(|r| r.start);
    let mut targeted = vec![false; node_count];
    let mut covered = 0u32;
    for range in ranges {
        let start = range.start.max(covered);
        if let Some(flags) = targeted.get_mut(start as usize..range.end as usize) {
            flags.fill(true);
        }
        covered = covered.max(range.end);
    }
    Some(targeted)
}

/// Applies a plan made by [`plan`] from this catalog: removes exactly the
/// memberships it lists. A change whose product is no longer at its index
/// (a plan from another catalog) is skipped. Returns how many memberships
/// were removed; applying the same plan again removes none.
pub fn apply(catalog: &mut Catalog, plan: &DetachPlan) -> usize {
    let mut removed = 0;
    for change in plan.changes() {
        let same_product = catalog
            .products()
            .get(change.index)
            .is_some_and(|p| p.id == change.product_id);
        if same_product {
            removed += remove_positions(catalog, change.index, change.removed_positions);
        }
    }
    removed
}

/// Removes the memberships of product `index` at `positions`, in time
/// linear in the product's memberships (a product may be in a million
/// nodes): a few positions are looked up directly, more through a sorted
/// copy.
fn remove_positions(catalog: &mut Catalog, index: usize, positions: &[u32]) -> usize {
    /// Up to this many, a linear scan of `positions` beats sorting them.
    const SCAN: usize = 16;
    if positions.len() <= SCAN {
        return catalog.retain_memberships(index, |pos| !positions.contains(&pos));
    }
    let mut sorted = positions.to_vec();
    sorted.sort_unstable();
    catalog.retain_memberships(index, |pos| sorted.binary_search(&pos).is_err())
}

/// The vendor's 500 envelope for a snapshot that fails its integrity
/// checks, with `meta.missing_ids` listing every id the snapshot names but
/// lacks ([`IntegrityErrors::missing_ids`]: unknown hierarchies and parent
/// nodes of nodes, unknown nodes of products), and `meta.message` the
/// problems. A snapshot whose problems name no missing id (duplicate ids,
/// cycles) gets `"missing_ids":[]`.
pub fn integrity_error(errors: &IntegrityErrors) -> ErrorEnvelope {
    let ids = errors
        .missing_ids()
        .into_iter()
        .map(str::to_owned)
        .collect();
    let mut meta = ErrorMeta::missing_ids(ids);
    meta.message = Some(errors.to_string());
    ErrorEnvelope::single(
        ApiError::internal()
            .with_request_id("00000000-0000-0000-0000-000000000000")
            .with_meta(meta),
    )
}

/// What a server answers: an HTTP status and a body.
///
/// Serializes as `{"status":200,"body":{...}}`; [`Answer::body_json`] is the
/// body alone, the bytes to send. Bodies keep the vendor's member order
/// (`status`, `title`, `detail`, ... in error objects).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Answer {
    /// The HTTP status (200, 400, 401, 403, 422; 500 is [`integrity_error`]'s).
    pub status: u16,
    /// The body.
    pub body: AnswerBody,
}

/// The body of an [`Answer`]: the response or an error envelope. Serializes
/// as the one it holds.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(untagged)]
pub enum AnswerBody {
    /// 200: `{"meta":{"nodes_detached":N,"nodes_not_found":[...]}}`.
    Response(DetachNodesResponse),
    /// Any error: `{"errors":[...]}`.
    Errors(ErrorEnvelope),
}

impl Answer {
    /// The 200 answer with `response`.
    pub fn ok(response: DetachNodesResponse) -> Answer {
        Answer {
            status: 200,
            body: AnswerBody::Response(response),
        }
    }

    /// The answer carrying `envelope`, its status taken from the first error
    /// object (500 if that is not a number).
    pub fn error(envelope: ErrorEnvelope) -> Answer {
        Answer {
            status: envelope.http_status().unwrap_or(500),
            body: AnswerBody::Errors(envelope),
        }
    }

    /// The body as compact JSON text.
    pub fn body_json(&self) -> String {
        // Plain structs of strings, numbers and maps with string keys always
        // serialize.
        serde_json::to_string(&self.body).unwrap_or_default()
    }
}

/// Reads a raw request body as [`handle`] does, for a server that
/// authorizes, plans and applies in steps of its own: at most
/// [`Limits::max_node_ids`] ids are kept, and a longer list is only
/// counted and refused with the count error (after the checks that need no
/// id, such as the filter's size); the members the request does not need
/// are skipped without being built. So the memory is the text's plus the
/// limit's, whatever the body holds, and the errors are `handle`'s.
///
/// ```
/// use catalog_filter::Limits;
/// use catalog_filter::elasticpath::detach;
///
/// let limits = Limits { max_node_ids: 2, ..Limits::default() };
/// let request = detach::read_request(
///     r#"{"data":{"filter":"eq(sku,book)","node_ids":["a","b"]},"meta":[1,2,3]}"#,
///     &limits,
/// )
/// .unwrap();
/// assert_eq!(request.data.node_ids, Some(vec!["a".to_owned(), "b".to_owned()]));
/// // Over the limit: the ids after the second are counted, never checked.
/// let err = detach::read_request(
///     r#"{"data":{"filter":"eq(sku,book)","node_ids":["a","b",3,{}]}}"#,
///     &limits,
/// )
/// .unwrap_err();
/// assert_eq!(
///     err.errors[0].meta.as_ref().and_then(|m| m.message.as_deref()),
///     Some("node_ids has 4 ids; the limit is 2 (max_node_ids)")
/// );
/// ```
pub fn read_request(body: &str, limits: &Limits) -> Result<DetachNodesRequest, ErrorEnvelope> {
    let body = request::read(body, limits.max_node_ids)?;
    match body.node_ids {
        // Only counted: refused by the checks that need no id.
        NodeIds::TooMany(count) => Err(check_sizes(body.filter.as_deref(), count, limits)
            .map_or_else(|e| e, |_| too_many_node_ids(count, limits))),
        ids => Ok(DetachNodesRequest {
            data: DetachNodesData {
                filter: body.filter,
                node_ids: match ids {
                    NodeIds::Listed(ids) => Some(ids),
                    NodeIds::Absent | NodeIds::TooMany(_) => None,
                },
            },
        }),
    }
}

/// The whole server sequence on a raw request body: authorize, read the
/// body, plan, and on success apply to `catalog`. On any error `catalog` is
/// left unchanged and the answer carries the error envelope. The body is
/// read keeping at most [`Limits::max_node_ids`] ids (the others are only
/// counted) and skipping every member it does not need, so its memory is
/// the text's plus the limit's, whatever the body holds.
///
/// ```
/// use catalog_filter::Limits;
/// use catalog_filter::catalog::Catalog;
/// use catalog_filter::elasticpath::detach::{self, Grant};
///
/// let mut catalog = Catalog::from_json(r#"{"products": []}"#)?;
/// let body = r#"{"data":{"filter":"eq(sku,book)","node_ids":["123"]}}"#;
/// let answer = detach::handle(&mut catalog, Some(Grant::ClientCredentials), body, &Limits::default());
/// assert_eq!(answer.status, 200);
/// assert_eq!(answer.body_json(), r#"{"meta":{"nodes_detached":0,"nodes_not_found":["123"]}}"#);
///
/// let answer = detach::handle(&mut catalog, None, body, &Limits::default());
/// assert_eq!(answer.status, 401);
/// assert_eq!(
///     answer.body_json(),
///     r#"{"errors":[{"status":"401","title":"Unauthorized","detail":"A bearer token is required"}]}"#
/// );
/// # Ok::<(), catalog_filter::catalog::CatalogError>(())
/// ```
pub fn handle(catalog: &mut Catalog, token: Option<Grant>, body: &str, limits: &Limits) -> Answer {
    let outcome = authorize(token)
        .and_then(|()| read_request(body, limits))
        .and_then(|request| plan(catalog, &request, limits));
    match outcome {
        Ok(plan) => {
            apply(catalog, &plan);
            Answer::ok(plan.response)
        }
        Err(envelope) => Answer::error(envelope),
    }
}
