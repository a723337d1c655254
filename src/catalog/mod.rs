//! The catalog model: [`Product`], [`Node`], [`Hierarchy`] and the checked,
//! indexed [`Catalog`] snapshot that evaluation and detach work on.
//!
//! A snapshot is JSON of this shape:
//! `{"hierarchies":[...], "nodes":[...], "products":[...]}`. Loading it
//! ([`Catalog::from_json`], [`Catalog::new`]) checks its integrity and reports
//! every problem at once as [`IntegrityErrors`].
//!
//! Nodes are numbered in *positions*: pre-order, grouped by hierarchy
//! (hierarchies, roots and children each in input order). So "node N and
//! everything below it" and "every node of hierarchy H" are each one
//! contiguous range of positions ([`Catalog::resolve`]), and a product's
//! memberships are stored as positions ([`Catalog::memberships`]): asking
//! "is this membership inside any requested subtree" is a range test, with no
//! string work per product.
//!
//! ```
//! use catalog_filter::catalog::Catalog;
//!
//! let catalog = Catalog::from_json(r#"{
//!   "hierarchies": [{"id": "h1", "name": "Shop"}],
//!   "nodes": [
//!     {"id": "10", "hierarchy_id": "h1", "name": "Shoes"},
//!     {"id": "11", "hierarchy_id": "h1", "parent_id": "10", "name": "Running"},
//!     {"id": "20", "hierarchy_id": "h1", "name": "Books"}
//!   ],
//!   "products": [
//!     {"id": "9f1c2a34-0d6e-4c1a-8a53-2f4b7c9d0e11", "name": "Trail shoe",
//!      "node_ids": ["11", "20"]}
//!   ]
//! }"#)?;
//!
//! // "10" and the node below it are positions 0..2; the whole hierarchy 0..3.
//! assert_eq!(catalog.resolve("10"), Some(0..2));
//! assert_eq!(catalog.resolve("h1"), Some(0..3));
//! assert_eq!(catalog.resolve("404"), None);
//! // The product's memberships, as positions, in `node_ids` order.
//! assert_eq!(catalog.memberships(0), &[1, 2]);
//! assert_eq!(catalog.node_at(1).map(|n| n.id.as_str()), Some("11"));
//!
//! // A snapshot naming a node that does not exist is refused, with every
//! // problem listed.
//! let err = Catalog::from_json(r#"{"products": [
//!   {"id": "9f1c2a34-0d6e-4c1a-8a53-2f4b7c9d0e11", "node_ids": ["7"]}
//! ]}"#).unwrap_err();
//! assert_eq!(err.integrity().map(|e| e.missing_node_ids()), Some(vec!["7"]));
//! # Ok::<(), catalog_filter::catalog::CatalogError>(())
//! ```
//!
//! Decisions (also in DECISIONS.md):
//! - A node id equal to a hierarchy id is refused
//!   ([`IntegrityError::NodeIdIsHierarchyId`]): detach lets a requested id name
//!   either, so the two must not collide.
//! - A product naming the same node twice is refused
//!   ([`IntegrityError::DuplicateMembership`]): memberships are a set.
//! - Product `id` and `parent_id` must be hyphenated UUIDs (any hex case), as
//!   in filters; they are written back in lower case.
//! - Timestamps are read as RFC 3339 and written back in RFC 3339 with `Z`
//!   for a zero offset, so a snapshot round-trips as values (the same instants
//!   and offsets), and byte for byte once written by this crate.
//! - `null` for a product list or object field reads as empty; empty lists,
//!   empty objects and absent optional fields are omitted on output.
//! - Unknown product fields are kept in [`Product::other`] and written back;
//!   unknown fields of nodes, hierarchies and the top-level object are ignored.

use crate::schema::parse_uuid;
use crate::schema::{CommodityType, Owner, ProductType, Status};
use chrono::{DateTime, FixedOffset};
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::{Map, Value};
use std::collections::{BTreeMap, HashMap, HashSet};
use std::fmt;
use std::ops::Range;
use uuid::Uuid;

/// A product of the catalog, as in the snapshot JSON.
///
/// Every field but `id` is optional in JSON; absent (`None`) and empty fields
/// are omitted when written, so a snapshot round-trips.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Product {
    /// The product's id (a UUID).
    pub id: Uuid,
    /// Stock keeping unit.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sku: Option<String>,
    /// URL slug.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub slug: Option<String>,
    /// Display name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// UPC or EAN barcode.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub upc_ean: Option<String>,
    /// Manufacturer part number.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub manufacturer_part_num: Option<String>,
    /// Free-text description.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// A reference in an external system.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub external_ref: Option<String>,
    /// `draft` or `live`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<Status>,
    /// `physical` or `digital`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub commodity_type: Option<CommodityType>,
    /// `store` or `organization`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub owner: Option<Owner>,
    /// The product's types (`standard`, `parent`, `child`, `bundle`).
    #[serde(
        default,
        deserialize_with = "null_as_default",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub product_types: Vec<ProductType>,
    /// The parent product of a child product (need not be in the snapshot).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub parent_id: Option<Uuid>,
    /// Tags.
    #[serde(
        default,
        deserialize_with = "null_as_default",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub tags: Vec<String>,
    /// Names of the templates (flows) whose extension fields the product has.
    #[serde(
        default,
        deserialize_with = "null_as_default",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub templates: Vec<String>,
    /// When the product was created (RFC 3339).
    #[serde(default, with = "rfc3339_opt", skip_serializing_if = "Option::is_none")]
    pub created_at: Option<DateTime<FixedOffset>>,
    /// When the product was last updated (RFC 3339).
    #[serde(default, with = "rfc3339_opt", skip_serializing_if = "Option::is_none")]
    pub updated_at: Option<DateTime<FixedOffset>>,
    /// Extension fields: template name -> field name -> value
    /// (`{"book": {"isbn": "1765426"}}`).
    #[serde(
        default,
        deserialize_with = "null_as_default",
        skip_serializing_if = "BTreeMap::is_empty"
    )]
    pub extensions: BTreeMap<String, Map<String, Value>>,
    /// Attributes shown to shoppers: field name -> value.
    #[serde(
        default,
        deserialize_with = "null_as_default",
        skip_serializing_if = "Map::is_empty"
    )]
    pub shopper_attributes: Map<String, Value>,
    /// Attributes for administrators only: field name -> value.
    #[serde(
        default,
        deserialize_with = "null_as_default",
        skip_serializing_if = "Map::is_empty"
    )]
    pub admin_attributes: Map<String, Value>,
    /// The (opaque) ids of the nodes the product belongs to, in snapshot order.
    #[serde(
        default,
        deserialize_with = "null_as_default",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub node_ids: Vec<String>,
    /// Every other JSON field of the product, kept so that nothing is lost on
    /// a round trip. Must not repeat a named field.
    #[serde(flatten)]
    pub other: Map<String, Value>,
}

/// A node (category) of a hierarchy.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Node {
    /// The node's opaque id.
    pub id: String,
    /// The id of the hierarchy the node belongs to.
    pub hierarchy_id: String,
    /// The parent node's id, `None` for a root node of its hierarchy.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub parent_id: Option<String>,
    /// Display name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
}

/// A hierarchy: a tree (or forest) of nodes.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Hierarchy {
    /// The hierarchy's opaque id.
    pub id: String,
    /// Display name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
}

/// An unchecked catalog snapshot: the plain data of the JSON document.
///
/// [`Catalog::new`] checks and indexes it. Deserializing a `Snapshot` directly
/// fails at the first product id that is not a UUID; [`Catalog::from_json`]
/// reports every such id instead.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Snapshot {
    /// The hierarchies, in snapshot order.
    #[serde(default, deserialize_with = "null_as_default")]
    pub hierarchies: Vec<Hierarchy>,
    /// The nodes, in snapshot order.
    #[serde(default, deserialize_with = "null_as_default")]
    pub nodes: Vec<Node>,
    /// The products, in snapshot order.
    #[serde(default, deserialize_with = "null_as_default")]
    pub products: Vec<Product>,
}

/// One integrity problem of a snapshot: which entity, where, and why.
///
/// Indexes (`index`, `first`) are positions in the snapshot's `hierarchies`,
/// `nodes` or `products` array. A product is also named by its `id` exactly as
/// written (which may not be a UUID).
#[derive(Clone, Debug, PartialEq, Eq, Hash, thiserror::Error)]
#[non_exhaustive]
pub enum IntegrityError {
    /// Two hierarchies share an id.
    #[error("hierarchies[{index}]: id {id:?} is already used by hierarchies[{first}]")]
    DuplicateHierarchyId {
        /// The repeated id.
        id: String,
        /// The repeat.
        index: usize,
        /// The first hierarchy with that id.
        first: usize,
    },
    /// Two nodes share an id.
    #[error("nodes[{index}]: id {id:?} is already used by nodes[{first}]")]
    DuplicateNodeId {
        /// The repeated id.
        id: String,
        /// The repeat.
        index: usize,
        /// The first node with that id.
        first: usize,
    },
    /// A node has the id of a hierarchy, so a requested id could name either.
    #[error("nodes[{index}]: id {id:?} is also the id of hierarchies[{hierarchy}]")]
    NodeIdIsHierarchyId {
        /// The shared id.
        id: String,
        /// The node.
        index: usize,
        /// The hierarchy.
        hierarchy: usize,
    },
    /// A node names a hierarchy that is not in the snapshot.
    #[error("nodes[{index}] (id {node:?}): unknown hierarchy_id {hierarchy_id:?}")]
    UnknownHierarchy {
        /// The node's id.
        node: String,
        /// The node.
        index: usize,
        /// The id it names.
        hierarchy_id: String,
    },
    /// A node names a parent node that is not in the snapshot.
    #[error("nodes[{index}] (id {node:?}): unknown parent node {parent_id:?}")]
    UnknownParentNode {
        /// The node's id.
        node: String,
        /// The node.
        index: usize,
        /// The parent id it names.
        parent_id: String,
    },
    /// A node's parent belongs to another hierarchy.
    #[error(
        "nodes[{index}] (id {node:?}) is in hierarchy {hierarchy_id:?} but its parent \
         {parent_id:?} is in hierarchy {parent_hierarchy_id:?}"
    )]
    ParentInOtherHierarchy {
        /// The node's id.
        node: String,
        /// The node.
        index: usize,
        /// The node's hierarchy.
        hierarchy_id: String,
        /// The parent's id.
        parent_id: String,
        /// The parent's hierarchy.
        parent_hierarchy_id: String,
    },
    /// Nodes whose parent links form a cycle. Reported once per cycle, in
    /// parent order, starting at the cycle's node that comes first in the
    /// snapshot (a node that is its own parent is a cycle of one).
    #[error("nodes form a parent cycle: {}", cycle_text(node_ids))]
    ParentCycle {
        /// The ids of the nodes on the cycle, each followed by its parent.
        node_ids: Vec<String>,
    },
    /// A product `id` that is not a hyphenated UUID.
    #[error("products[{index}]: id {value:?} is not a UUID")]
    InvalidProductId {
        /// The product.
        index: usize,
        /// The id as written.
        value: String,
    },
    /// A product `parent_id` that is not a hyphenated UUID.
    #[error("products[{index}] (id {product:?}): parent_id {value:?} is not a UUID")]
    InvalidParentId {
        /// The product's id as written.
        product: String,
        /// The product.
        index: usize,
        /// The parent id as written.
        value: String,
    },
    /// Two products share an id.
    #[error("products[{index}]: id {id} is already used by products[{first}]")]
    DuplicateProductId {
        /// The repeated id.
        id: Uuid,
        /// The repeat.
        index: usize,
        /// The first product with that id.
        first: usize,
    },
    /// A product names a node that is not in the snapshot (a hierarchy id is
    /// not a node either).
    #[error("products[{index}] (id {product:?}): unknown node {node_id:?}")]
    UnknownNode {
        /// The product's id as written.
        product: String,
        /// The product.
        index: usize,
        /// The missing node id.
        node_id: String,
    },
    /// A product names the same node more than once.
    #[error("products[{index}] (id {product:?}): node {node_id:?} is listed more than once")]
    DuplicateMembership {
        /// The product's id as written.
        product: String,
        /// The product.
        index: usize,
        /// The repeated node id.
        node_id: String,
    },
    /// The snapshot is larger than the catalog's 32-bit indexes allow.
    #[error("too many {what}: {count} (at most {max})")]
    TooLarge {
        /// What there are too many of (`nodes`, `node memberships`).
        what: &'static str,
        /// How many there are.
        count: usize,
        /// The most there can be.
        max: usize,
    },
}

fn cycle_text(ids: &[String]) -> String {
    let mut text = String::new();
    for id in ids.iter().chain(ids.first()) {
        if !text.is_empty() {
            text.push_str(" -> ");
        }
        text.push_str(&format!("{id:?}"));
    }
    text
}

/// Every integrity problem of a snapshot (never empty).
///
/// The order is fixed, each group in snapshot order: hierarchy ids; node ids
/// (duplicates, clashes with hierarchy ids); node links (hierarchy, then
/// parent, per node); parent cycles; products (per product: its id, its
/// parent id, a duplicate id, then its `node_ids` in order).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct IntegrityErrors {
    errors: Vec<IntegrityError>,
}

impl IntegrityErrors {
    /// The problems, in the order documented on the type.
    pub fn errors(&self) -> &[IntegrityError] {
        &self.errors
    }

    /// Takes the problems out.
    pub fn into_errors(self) -> Vec<IntegrityError> {
        self.errors
    }

    /// The node ids that products name but that do not exist, each once, in
    /// the order first named. This is `meta.missing_ids` of the 500 envelope
    /// detach answers for such a snapshot.
    pub fn missing_node_ids(&self) -> Vec<&str> {
        let mut ids: Vec<&str> = Vec::new();
        let mut seen = HashSet::new();
        for e in &self.errors {
            if let IntegrityError::UnknownNode { node_id, .. } = e {
                if seen.insert(node_id.as_str()) {
                    ids.push(node_id);
                }
            }
        }
        ids
    }
}

impl fmt::Display for IntegrityErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let n = self.errors.len();
        write!(
            f,
            "catalog snapshot has {n} integrity problem{}:",
            if n == 1 { "" } else { "s" }
        )?;
        for e in &self.errors {
            write!(f, "\n- {e}")?;
        }
        Ok(())
    }
}

impl std::error::Error for IntegrityErrors {}

impl<'a> IntoIterator for &'a IntegrityErrors {
    type Item = &'a IntegrityError;
    type IntoIter = std::slice::Iter<'a, IntegrityError>;

    fn into_iter(self) -> Self::IntoIter {
        self.errors.iter()
    }
}

/// Why a snapshot could not be loaded.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum CatalogError {
    /// The document is not JSON of the snapshot's shape (the message says
    /// which line and column).
    #[error("catalog snapshot is not valid: {0}")]
    Json(#[from] serde_json::Error),
    /// The document is well-formed but fails its integrity checks.
    #[error(transparent)]
    Integrity(#[from] IntegrityErrors),
}

impl CatalogError {
    /// The integrity problems, if that is what went wrong.
    pub fn integrity(&self) -> Option<&IntegrityErrors> {
        match self {
            CatalogError::Integrity(e) => Some(e),
            CatalogError::Json(_) => None,
        }
    }
}

/// What an id in the lookup table names.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Target {
    Node(u32),
    Hierarchy(u32),
}

/// A checked catalog snapshot with its node positions precomputed.
///
/// Built by [`Catalog::new`] or [`Catalog::from_json`]; it always satisfies
/// the integrity checks. Serializing it (serde, [`Catalog::to_json`]) gives
/// the snapshot JSON back, in input order. Equality compares the snapshot
/// data (hierarchies, nodes, products).
#[derive(Clone)]
pub struct Catalog {
    hierarchies: Vec<Hierarchy>,
    nodes: Vec<Node>,
    products: Vec<Product>,
    /// Node and hierarchy ids -> what they name.
    lookup: HashMap<Box<str>, Target>,
    /// Position -> node index.
    order: Vec<u32>,
    /// Node index -> position.
    position: Vec<u32>,
    /// Position -> end (exclusive) of that node's subtree.
    subtree_end: Vec<u32>,
    /// Hierarchy index -> (start, end) of its positions.
    hierarchy_range: Vec<(u32, u32)>,
    /// Product index -> (start, len) in `member_pos`.
    member_span: Vec<(u32, u32)>,
    /// Membership positions of all products, product after product.
    member_pos: Vec<u32>,
}

impl fmt::Debug for Catalog {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Catalog")
            .field("hierarchies", &self.hierarchies.len())
            .field("nodes", &self.nodes.len())
            .field("products", &self.products.len())
            .finish_non_exhaustive()
    }
}

impl PartialEq for Catalog {
    fn eq(&self, other: &Catalog) -> bool {
        self.hierarchies == other.hierarchies
            && self.nodes == other.nodes
            && self.products == other.products
    }
}

impl Catalog {
    /// Checks `snapshot` and indexes it, or returns every integrity problem.
    pub fn new(snapshot: Snapshot) -> Result<Catalog, IntegrityErrors> {
        build(snapshot, Vec::new(), &[])
    }

    /// Reads a snapshot from JSON text and checks it. Product ids and parent
    /// ids that are not UUIDs are integrity problems reported with all
    /// others, not JSON errors.
    pub fn from_json(json: &str) -> Result<Catalog, CatalogError> {
        let raw: RawSnapshot = serde_json::from_str(json)?;
        Ok(raw.check()?)
    }

    /// Like [`Catalog::from_json`], from bytes.
    pub fn from_slice(json: &[u8]) -> Result<Catalog, CatalogError> {
        let raw: RawSnapshot = serde_json::from_slice(json)?;
        Ok(raw.check()?)
    }

    /// Like [`Catalog::from_json`], from a parsed JSON value (for a snapshot
    /// embedded in a larger document).
    pub fn from_value(json: Value) -> Result<Catalog, CatalogError> {
        let raw: RawSnapshot = serde_json::from_value(json)?;
        Ok(raw.check()?)
    }

    /// The snapshot as JSON text (compact).
    pub fn to_json(&self) -> String {
        // Serializing strings, numbers, maps with string keys and sequences
        // to a String cannot fail; fall back to an empty document anyway.
        serde_json::to_string(self).unwrap_or_default()
    }

    /// A copy of the snapshot data.
    pub fn to_snapshot(&self) -> Snapshot {
        Snapshot {
            hierarchies: self.hierarchies.clone(),
            nodes: self.nodes.clone(),
            products: self.products.clone(),
        }
    }

    /// Gives the snapshot data back, dropping the indexes.
    pub fn into_snapshot(self) -> Snapshot {
        Snapshot {
            hierarchies: self.hierarchies,
            nodes: self.nodes,
            products: self.products,
        }
    }

    /// The products, in snapshot order. A product's index here is the
    /// `product_index` of [`Catalog::memberships`].
    pub fn products(&self) -> &[Product] {
        &self.products
    }

    /// The nodes, in snapshot order (not position order).
    pub fn nodes(&self) -> &[Node] {
        &self.nodes
    }

    /// The hierarchies, in snapshot order.
    pub fn hierarchies(&self) -> &[Hierarchy] {
        &self.hierarchies
    }

    /// The node with this id.
    pub fn node(&self, id: &str) -> Option<&Node> {
        match self.lookup.get(id) {
            Some(&Target::Node(i)) => self.nodes.get(i as usize),
            _ => None,
        }
    }

    /// The hierarchy with this id.
    pub fn hierarchy(&self, id: &str) -> Option<&Hierarchy> {
        match self.lookup.get(id) {
            Some(&Target::Hierarchy(i)) => self.hierarchies.get(i as usize),
            _ => None,
        }
    }

    /// The position of the node with this id.
    pub fn position(&self, id: &str) -> Option<u32> {
        match self.lookup.get(id) {
            Some(&Target::Node(i)) => self.position.get(i as usize).copied(),
            _ => None,
        }
    }

    /// The positions an id stands for: for a node, the node and every node
    /// below it; for a hierarchy, all its nodes (an empty range for a
    /// hierarchy without nodes); `None` for an id that names neither.
    pub fn resolve(&self, id: &str) -> Option<Range<u32>> {
        match *self.lookup.get(id)? {
            Target::Node(i) => {
                let pos = *self.position.get(i as usize)?;
                self.subtree(pos)
            }
            Target::Hierarchy(h) => self.hierarchy_range.get(h as usize).map(|&(s, e)| s..e),
        }
    }

    /// The positions of the node at `pos` and every node below it.
    pub fn subtree(&self, pos: u32) -> Option<Range<u32>> {
        self.subtree_end.get(pos as usize).map(|&end| pos..end)
    }

    /// The node at a position (`None` past the last position).
    pub fn node_at(&self, pos: u32) -> Option<&Node> {
        let index = *self.order.get(pos as usize)?;
        self.nodes.get(index as usize)
    }

    /// The positions of the nodes a product belongs to, in the order of its
    /// `node_ids` (empty for an index past the last product).
    pub fn memberships(&self, product_index: usize) -> &[u32] {
        self.member_span
            .get(product_index)
            .and_then(|&(start, len)| {
                self.member_pos
                    .get(start as usize..start as usize + len as usize)
            })
            .unwrap_or(&[])
    }

    /// Keeps the product's memberships whose position `keep` accepts (called
    /// once per membership, in order) and removes the others from both
    /// [`Catalog::memberships`] and the product's `node_ids`, preserving
    /// order. Returns how many were removed (0 for an unknown index).
    pub(crate) fn retain_memberships(
        &mut self,
        product_index: usize,
        mut keep: impl FnMut(u32) -> bool,
    ) -> usize {
        let (Some(span), Some(product)) = (
            self.member_span.get_mut(product_index),
            self.products.get_mut(product_index),
        ) else {
            return 0;
        };
        let (start, len) = (span.0 as usize, span.1 as usize);
        let Some(positions) = self.member_pos.get_mut(start..start + len) else {
            return 0;
        };
        let mut kept = 0usize;
        for j in 0..len {
            let pos = positions[j];
            if keep(pos) {
                positions[kept] = pos;
                product.node_ids.swap(kept, j);
                kept += 1;
            }
        }
        product.node_ids.truncate(kept);
        // `kept <= len`, which fits in u32.
        span.1 = kept as u32;
        len - kept
    }
}

impl Serialize for Catalog {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        #[derive(Serialize)]
        struct SnapshotRef<'a> {
            hierarchies: &'a [Hierarchy],
            nodes: &'a [Node],
            products: &'a [Product],
        }
        SnapshotRef {
            hierarchies: &self.hierarchies,
            nodes: &self.nodes,
            products: &self.products,
        }
        .serialize(serializer)
    }
}

/// Deserializing a `Catalog` runs the integrity checks; a failing snapshot
/// becomes a custom serde error carrying the [`IntegrityErrors`] text. Use
/// [`Catalog::from_json`] or [`Catalog::from_value`] for typed errors.
impl<'de> Deserialize<'de> for Catalog {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Catalog, D::Error> {
        RawSnapshot::deserialize(deserializer)?
            .check()
            .map_err(serde::de::Error::custom)
    }
}

/// The snapshot as written, product ids still text.
#[derive(Deserialize)]
struct RawSnapshot {
    #[serde(default, deserialize_with = "null_as_default")]
    hierarchies: Vec<Hierarchy>,
    #[serde(default, deserialize_with = "null_as_default")]
    nodes: Vec<Node>,
    #[serde(default, deserialize_with = "null_as_default")]
    products: Vec<RawProduct>,
}

impl RawSnapshot {
    fn check(self) -> Result<Catalog, IntegrityErrors> {
        let mut errors = Vec::new();
        let mut bad_ids = Vec::new();
        let mut products = Vec::with_capacity(self.products.len());
        for (index, raw) in self.products.into_iter().enumerate() {
            let id = parse_uuid(&raw.id);
            if id.is_none() {
                errors.push(IntegrityError::InvalidProductId {
                    index,
                    value: raw.id.clone(),
                });
                bad_ids.push((index, raw.id.clone()));
            }
            let parent_id = match &raw.parent_id {
                None => None,
                Some(text) => {
                    let parsed = parse_uuid(text);
                    if parsed.is_none() {
                        errors.push(IntegrityError::InvalidParentId {
                            product: raw.id.clone(),
                            index,
                            value: text.clone(),
                        });
                    }
                    parsed
                }
            };
            products.push(raw.into_product(id.unwrap_or_default(), parent_id));
        }
        build(
            Snapshot {
                hierarchies: self.hierarchies,
                nodes: self.nodes,
                products,
            },
            errors,
            &bad_ids,
        )
    }
}

/// A product as written: `id` and `parent_id` not yet checked.
#[derive(Deserialize)]
struct RawProduct {
    id: String,
    #[serde(default)]
    sku: Option<String>,
    #[serde(default)]
    slug: Option<String>,
    #[serde(default)]
    name: Option<String>,
    #[serde(default)]
    upc_ean: Option<String>,
    #[serde(default)]
    manufacturer_part_num: Option<String>,
    #[serde(default)]
    description: Option<String>,
    #[serde(default)]
    external_ref: Option<String>,
    #[serde(default)]
    status: Option<Status>,
    #[serde(default)]
    commodity_type: Option<CommodityType>,
    #[serde(default)]
    owner: Option<Owner>,
    #[serde(default, deserialize_with = "null_as_default")]
    product_types: Vec<ProductType>,
    #[serde(default)]
    parent_id: Option<String>,
    #[serde(default, deserialize_with = "null_as_default")]
    tags: Vec<String>,
    #[serde(default, deserialize_with = "null_as_default")]
    templates: Vec<String>,
    #[serde(default, with = "rfc3339_opt")]
    created_at: Option<DateTime<FixedOffset>>,
    #[serde(default, with = "rfc3339_opt")]
    updated_at: Option<DateTime<FixedOffset>>,
    #[serde(default, deserialize_with = "null_as_default")]
    extensions: BTreeMap<String, Map<String, Value>>,
    #[serde(default, deserialize_with = "null_as_default")]
    shopper_attributes: Map<String, Value>,
    #[serde(default, deserialize_with = "null_as_default")]
    admin_attributes: Map<String, Value>,
    #[serde(default, deserialize_with = "null_as_default")]
    node_ids: Vec<String>,
    #[serde(flatten)]
    other: Map<String, Value>,
}

impl RawProduct {
    fn into_product(self, id: Uuid, parent_id: Option<Uuid>) -> Product {
        Product {
            id,
            sku: self.sku,
            slug: self.slug,
            name: self.name,
            upc_ean: self.upc_ean,
            manufacturer_part_num: self.manufacturer_part_num,
            description: self.description,
            external_ref: self.external_ref,
            status: self.status,
            commodity_type: self.commodity_type,
            owner: self.owner,
            product_types: self.product_types,
            parent_id,
            tags: self.tags,
            templates: self.templates,
            created_at: self.created_at,
            updated_at: self.updated_at,
            extensions: self.extensions,
            shopper_attributes: self.shopper_attributes,
            admin_attributes: self.admin_attributes,
            node_ids: self.node_ids,
            other: self.other,
        }
    }
}

/// Checks and indexes a snapshot. `errors` holds the id problems found while
/// reading it (in product order); `bad_ids` the products whose id was not a
/// UUID (index, id as written), sorted by index: those take no part in the
/// duplicate check.
fn build(
    snapshot: Snapshot,
    id_errors: Vec<IntegrityError>,
    bad_ids: &[(usize, String)],
) -> Result<Catalog, IntegrityErrors> {
    let Snapshot {
        hierarchies,
        nodes,
        products,
    } = snapshot;
    let mut errors = Vec::new();

    const MAX: usize = u32::MAX as usize;
    if nodes.len() > MAX || hierarchies.len() > MAX {
        let (what, count) = if nodes.len() > MAX {
            ("nodes", nodes.len())
        } else {
            ("hierarchies", hierarchies.len())
        };
        return Err(IntegrityErrors {
            errors: vec![IntegrityError::TooLarge {
                what,
                count,
                max: MAX,
            }],
        });
    }

    // Ids of hierarchies, then nodes.
    let mut lookup: HashMap<Box<str>, Target> =
        HashMap::with_capacity(hierarchies.len() + nodes.len());
    for (index, h) in hierarchies.iter().enumerate() {
        match lookup.get(h.id.as_str()) {
            Some(&Target::Hierarchy(first)) => errors.push(IntegrityError::DuplicateHierarchyId {
                id: h.id.clone(),
                index,
                first: first as usize,
            }),
            _ => {
                lookup.insert(h.id.as_str().into(), Target::Hierarchy(index as u32));
            }
        }
    }

    // Node ids, hierarchy and parent of each node (`u32::MAX` = none/unknown).
    const NONE: u32 = u32::MAX;
    let mut node_hierarchy = vec![NONE; nodes.len()];
    let mut node_parent = vec![NONE; nodes.len()];
    for (index, n) in nodes.iter().enumerate() {
        match lookup.get(n.id.as_str()) {
            Some(&Target::Node(first)) => errors.push(IntegrityError::DuplicateNodeId {
                id: n.id.clone(),
                index,
                first: first as usize,
            }),
            Some(&Target::Hierarchy(h)) => errors.push(IntegrityError::NodeIdIsHierarchyId {
                id: n.id.clone(),
                index,
                hierarchy: h as usize,
            }),
            None => {
                lookup.insert(n.id.as_str().into(), Target::Node(index as u32));
            }
        }
    }
    for (index, n) in nodes.iter().enumerate() {
        match lookup.get(n.hierarchy_id.as_str()) {
            Some(&Target::Hierarchy(h)) => node_hierarchy[index] = h,
            _ => errors.push(IntegrityError::UnknownHierarchy {
                node: n.id.clone(),
                index,
                hierarchy_id: n.hierarchy_id.clone(),
            }),
        }
        let Some(parent_id) = &n.parent_id else {
            continue;
        };
        match lookup.get(parent_id.as_str()) {
            Some(&Target::Node(p)) => {
                node_parent[index] = p;
                let parent = &nodes[p as usize];
                let both_known = node_hierarchy[index] != NONE
                    && matches!(
                        lookup.get(parent.hierarchy_id.as_str()),
                        Some(Target::Hierarchy(_))
                    );
                if both_known && parent.hierarchy_id != n.hierarchy_id {
                    errors.push(IntegrityError::ParentInOtherHierarchy {
                        node: n.id.clone(),
                        index,
                        hierarchy_id: n.hierarchy_id.clone(),
                        parent_id: parent_id.clone(),
                        parent_hierarchy_id: parent.hierarchy_id.clone(),
                    });
                }
            }
            _ => errors.push(IntegrityError::UnknownParentNode {
                node: n.id.clone(),
                index,
                parent_id: parent_id.clone(),
            }),
        }
    }
    find_cycles(&nodes, &node_parent, &mut errors);
    let nodes_ok = errors.is_empty();

    // Products: ids, duplicates, memberships.
    let mut id_errors = id_errors.into_iter().peekable();
    let mut bad_ids = bad_ids.iter().peekable();
    let mut first_of: HashMap<Uuid, usize> = HashMap::with_capacity(products.len());
    let mut member_index: Vec<u32> = Vec::new();
    let mut member_span: Vec<(u32, u32)> = Vec::with_capacity(products.len());
    // Nodes already named by the current product: a short list is scanned,
    // a long one hashed, so an adversarial product stays linear.
    let mut seen: Vec<u32> = Vec::new();
    let mut seen_many: HashSet<u32> = HashSet::new();
    for (index, p) in products.iter().enumerate() {
        // Errors found while reading this product come first.
        while let Some(e) = id_errors.next_if(|e| error_product_index(e) == Some(index)) {
            errors.push(e);
        }
        let bad_id = bad_ids.next_if(|(i, _)| *i == index).map(|(_, text)| text);
        let label = || match bad_id {
            Some(text) => text.clone(),
            None => p.id.to_string(),
        };
        if bad_id.is_none() {
            match first_of.get(&p.id) {
                Some(&first) => errors.push(IntegrityError::DuplicateProductId {
                    id: p.id,
                    index,
                    first,
                }),
                None => {
                    first_of.insert(p.id, index);
                }
            }
        }
        let start = member_index.len();
        seen.clear();
        seen_many.clear();
        let many = p.node_ids.len() > 16;
        for node_id in &p.node_ids {
            match lookup.get(node_id.as_str()) {
                Some(&Target::Node(i)) => {
                    let repeated = if many {
                        !seen_many.insert(i)
                    } else {
                        let r = seen.contains(&i);
                        seen.push(i);
                        r
                    };
                    if repeated {
                        errors.push(IntegrityError::DuplicateMembership {
                            product: label(),
                            index,
                            node_id: node_id.clone(),
                        });
                    } else {
                        member_index.push(i);
                    }
                }
                _ => errors.push(IntegrityError::UnknownNode {
                    product: label(),
                    index,
                    node_id: node_id.clone(),
                }),
            }
        }
        if member_index.len() > MAX {
            errors.push(IntegrityError::TooLarge {
                what: "node memberships",
                count: member_index.len(),
                max: MAX,
            });
            return Err(IntegrityErrors { errors });
        }
        member_span.push((start as u32, (member_index.len() - start) as u32));
    }
    // Errors for products past the end cannot exist, but keep any left over.
    errors.extend(id_errors);
    drop(first_of);

    if !errors.is_empty() || !nodes_ok {
        return Err(IntegrityErrors { errors });
    }

    let (order, position, subtree_end, hierarchy_range) =
        number_nodes(hierarchies.len(), &node_hierarchy, &node_parent);
    // Node index -> position, in place.
    for m in &mut member_index {
        *m = position[*m as usize];
    }
    Ok(Catalog {
        hierarchies,
        nodes,
        products,
        lookup,
        order,
        position,
        subtree_end,
        hierarchy_range,
        member_span,
        member_pos: member_index,
    })
}

/// The product index an id error is about.
fn error_product_index(e: &IntegrityError) -> Option<usize> {
    match e {
        IntegrityError::InvalidProductId { index, .. }
        | IntegrityError::InvalidParentId { index, .. } => Some(*index),
        _ => None,
    }
}

/// Reports each parent cycle once (see [`IntegrityError::ParentCycle`]).
fn find_cycles(nodes: &[Node], parent: &[u32], errors: &mut Vec<IntegrityError>) {
    const NONE: u32 = u32::MAX;
    // 0 = not visited, 1 = on the current walk, 2 = done.
    let mut state = vec![0u8; nodes.len()];
    let mut walk: Vec<u32> = Vec::new();
    for startp in 0..nodes.len() {
        walk.clear();
        let mut at = startp as u32;
        while at != NONE && state[at as usize] == 0 {
            state[at as usize] = 1;
            walk.push(at);
            at = parent[at as usize];
        }
        if at != NONE && state[at as usize] == 1 {
            // `at` is on this walk: the cycle is the walk from `at` on.
            let from = walk.iter().position(|&n| n == at).unwrap_or(0);
            let cycle = &walk[from..];
            let first = cycle
                .iter()
                .enumerate()
                .min_by_key(|&(_, &n)| n)
                .map_or(0, |(i, _)| i);
            let node_ids = cycle[first..]
                .iter()
                .chain(&cycle[..first])
                .map(|&n| nodes[n as usize].id.clone())
                .collect();
            errors.push(IntegrityError::ParentCycle { node_ids });
        }
        for &n in &walk {
            state[n as usize] = 2;
        }
    }
}

type Numbering = (Vec<u32>, Vec<u32>, Vec<u32>, Vec<(u32, u32)>);

/// Numbers the nodes in pre-order grouped by hierarchy. Requires a checked
/// forest: every node has a known hierarchy, its parent is in the same one,
/// no cycles.
fn number_nodes(hierarchy_count: usize, node_hierarchy: &[u32], node_parent: &[u32]) -> Numbering {
    const NONE: u32 = u32::MAX;
    let n = node_parent.len();
    // Children lists (CSR), children in input order; roots per hierarchy.
    let mut child_start = vec![0u32; n + 1];
    let mut root_start = vec![0u32; hierarchy_count + 1];
    for (i, &p) in node_parent.iter().enumerate() {
        if p == NONE {
            root_start[node_hierarchy[i] as usize + 1] += 1;
        } else {
            child_start[p as usize + 1] += 1;
        }
    }
    for i in 0..n {
        child_start[i + 1] += child_start[i];
    }
    for h in 0..hierarchy_count {
        root_start[h + 1] += root_start[h];
    }
    let mut children = vec![0u32; child_start[n] as usize];
    let mut roots = vec![0u32; root_start[hierarchy_count] as usize];
    let mut child_fill = child_start.clone();
    let mut root_fill = root_start.clone();
    for (i, &p) in node_parent.iter().enumerate() {
        if p == NONE {
            let h = node_hierarchy[i] as usize;
            roots[root_fill[h] as usize] = i as u32;
            root_fill[h] += 1;
        } else {
            children[child_fill[p as usize] as usize] = i as u32;
            child_fill[p as usize] += 1;
        }
    }
    drop((child_fill, root_fill));

    let mut order = Vec::with_capacity(n);
    let mut hierarchy_range = Vec::with_capacity(hierarchy_count);
    let mut stack: Vec<u32> = Vec::new();
    for h in 0..hierarchy_count {
        let start = order.len() as u32;
        let hroots = &roots[root_start[h] as usize..root_start[h + 1] as usize];
        stack.extend(hroots.iter().rev());
        while let Some(node) = stack.pop() {
            order.push(node);
            let kids = &children
                [child_start[node as usize] as usize..child_start[node as usize + 1] as usize];
            stack.extend(kids.iter().rev());
        }
        hierarchy_range.push((start, order.len() as u32));
    }
    let mut position = vec![0u32; n];
    for (pos, &node) in order.iter().enumerate() {
        position[node as usize] = pos as u32;
    }
    // Subtree sizes, children before parents (reverse pre-order).
    let mut size = vec![1u32; n];
    for &node in order.iter().rev() {
        let p = node_parent[node as usize];
        if p != NONE {
            size[p as usize] += size[node as usize];
        }
    }
    let subtree_end = order
        .iter()
        .enumerate()
        .map(|(pos, &node)| pos as u32 + size[node as usize])
        .collect();
    (order, position, subtree_end, hierarchy_range)
}

/// Reads `null` as the type's default (an empty list or object).
fn null_as_default<'de, D, T>(deserializer: D) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
    T: Default + Deserialize<'de>,
{
    Ok(Option::<T>::deserialize(deserializer)?.unwrap_or_default())
}

/// Optional RFC 3339 timestamps; a zero offset is written as `Z`.
mod rfc3339_opt {
    use chrono::{DateTime, FixedOffset, SecondsFormat};
    use serde::{Deserialize, Deserializer, Serializer, de::Error};

    pub(super) fn serialize<S: Serializer>(
        value: &Option<DateTime<FixedOffset>>,
        serializer: S,
    ) -> Result<S::Ok, S::Error> {
        match value {
            Some(t) => serializer.serialize_str(&t.to_rfc3339_opts(SecondsFormat::AutoSi, true)),
            None => serializer.serialize_none(),
        }
    }

    pub(super) fn deserialize<'de, D: Deserializer<'de>>(
        deserializer: D,
    ) -> Result<Option<DateTime<FixedOffset>>, D::Error> {
        let Some(text) = Option::<std::borrow::Cow<'de, str>>::deserialize(deserializer)? else {
            return Ok(None);
        };
        DateTime::parse_from_rfc3339(&text)
            .map(Some)
            .map_err(|e| D::Error::custom(format!("invalid RFC 3339 timestamp {text:?}: {e}")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Catalog {
        let json = r#"{
          "hierarchies": [{"id": "h1"}, {"id": "h2"}],
          "nodes": [
            {"id": "a", "hierarchy_id": "h1"},
            {"id": "b", "hierarchy_id": "h1", "parent_id": "a"},
            {"id": "x", "hierarchy_id": "h2"}
          ],
          "products": [
            {"id": "00000000-0000-4000-8000-000000000001", "node_ids": ["x", "b", "a"]},
            {"id": "00000000-0000-4000-8000-000000000002", "node_ids": ["a"]}
          ]
        }"#;
        match Catalog::from_json(json) {
            Ok(c) => c,
            Err(e) => panic!("{e}"),
        }
    }

    #[test]
    fn retain_memberships_keeps_node_ids_and_positions_in_step() {
        let mut c = sample();
        assert_eq!(c.memberships(0), &[2, 1, 0]);
        let removed = c.retain_memberships(0, |pos| pos != 1);
        assert_eq!(removed, 1);
        assert_eq!(c.memberships(0), &[2, 0]);
        assert_eq!(c.products()[0].node_ids, ["x", "a"]);
        // The neighbour is untouched.
        assert_eq!(c.memberships(1), &[0]);
        assert_eq!(c.products()[1].node_ids, ["a"]);

        assert_eq!(c.retain_memberships(0, |_| false), 2);
        assert_eq!(c.memberships(0), &[] as &[u32]);
        assert!(c.products()[0].node_ids.is_empty());
        assert_eq!(c.retain_memberships(0, |_| false), 0);
        assert_eq!(c.retain_memberships(99, |_| false), 0);
        // The result is what loading the written snapshot gives.
        let reloaded = Catalog::from_json(&c.to_json()).map_err(|e| e.to_string());
        assert_eq!(reloaded.as_ref(), Ok(&c));
        if let Ok(r) = reloaded {
            assert_eq!(r.memberships(1), c.memberships(1));
        }
    }

    #[test]
    fn retain_memberships_calls_keep_in_order() {
        let mut c = sample();
        let mut seen = Vec::new();
        c.retain_memberships(0, |pos| {
            seen.push(pos);
            true
        });
        assert_eq!(seen, [2, 1, 0]);
        assert_eq!(c.products()[0].node_ids, ["x", "b", "a"]);
    }
}
