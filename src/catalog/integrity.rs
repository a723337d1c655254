//! Integrity checks of a catalog snapshot: unique ids, known nodes and
//! hierarchies, parents in the same hierarchy, no parent cycles, products
//! naming known nodes once each. Every problem is reported at once, as
//! [`IntegrityErrors`].

use super::model::{Hierarchy, Node, Product};
use crate::forest::{self, NONE};
use std::collections::{HashMap, HashSet};
use std::fmt;
use uuid::Uuid;

/// One integrity problem of a snapshot: which entity, where, and why.
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
    #[error("nodes form a parent cycle: {}", forest::cycle_text(node_ids))]
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
        /// The product's id: lower-case hyphenated, whatever case the
        /// snapshot wrote; as written when it is not a UUID.
        product: String,
        /// The product.
        index: usize,
        /// The missing node id.
        node_id: String,
    },
    /// A product names the same node more than once.
    #[error("products[{index}] (id {product:?}): node {node_id:?} is listed more than once")]
    DuplicateMembership {
        /// The product's id: lower-case hyphenated, whatever case the
        /// snapshot wrote; as written when it is not a UUID.
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

/// Every integrity problem of a snapshot (never empty).
///
/// The order is fixed, each group in snapshot order: hierarchy ids; node ids
/// (duplicates, clashes with hierarchy ids); node links (hierarchy, then
/// parent, per node); parent cycles; products (per product: its id, its
/// parent id, a duplicate id, then its `node_ids` in order).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct IntegrityErrors {
    pub(crate) errors: Vec<IntegrityError>,
}

impl IntegrityErrors {
    /// The problems `errors` (not empty, in the order documented on the
    /// type), for a back end that checks a catalog held elsewhere.
    #[cfg(feature = "datafusion")]
    pub(crate) fn from_errors(errors: Vec<IntegrityError>) -> IntegrityErrors {
        IntegrityErrors { errors }
    }

    /// The problems, in the order documented on the type.
    pub fn errors(&self) -> &[IntegrityError] {
        &self.errors
    }

    /// Takes the problems out.
    pub fn into_errors(self) -> Vec<IntegrityError> {
        self.errors
    }

    /// The node ids that products name but that do not exist, each once, in
    /// the order first named.
    pub fn missing_node_ids(&self) -> Vec<&str> {
        self.missing(|e| match e {
            IntegrityError::UnknownNode { node_id, .. } => Some(node_id),
            _ => None,
        })
    }

    /// Every id the snapshot names but does not contain, each once, in the
    /// order of the problems: the unknown `hierarchy_id`s and parent nodes
    /// of nodes, then the unknown nodes of products. This is
    /// `meta.missing_ids` of the 500 envelope detach answers for such a
    /// snapshot.
    pub fn missing_ids(&self) -> Vec<&str> {
        self.missing(|e| match e {
            IntegrityError::UnknownHierarchy {
                hierarchy_id: id, ..
            }
            | IntegrityError::UnknownParentNode { parent_id: id, .. }
            | IntegrityError::UnknownNode { node_id: id, .. } => Some(id),
            _ => None,
        })
    }

    /// The ids `pick` finds in the problems, each once, in order.
    fn missing(&self, pick: impl Fn(&IntegrityError) -> Option<&String>) -> Vec<&str> {
        let mut ids: Vec<&str> = Vec::new();
        let mut seen = HashSet::new();
        for id in self.errors.iter().filter_map(pick) {
            if seen.insert(id.as_str()) {
                ids.push(id);
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

/// What an id in the lookup table names.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Target {
    Node(u32),
    Hierarchy(u32),
}

/// What the checks found out on the way, for indexing: the id lookup, each
/// node's hierarchy and parent (indexes), and each product's memberships as
/// node indexes.
pub(crate) struct Checked {
    pub(crate) lookup: HashMap<Box<str>, Target>,
    pub(crate) node_hierarchy: Vec<u32>,
    pub(crate) node_parent: Vec<u32>,
    /// Product index -> (start, len) in `member_index`.
    pub(crate) member_span: Vec<(u32, u32)>,
    pub(crate) member_index: Vec<u32>,
}

/// The product ids that were not UUIDs when read, and the problems found
/// while reading (both in product order): those products take no part in
/// the duplicate check, and are named by their id as written.
#[derive(Default)]
pub(crate) struct ReadProblems {
    pub(crate) errors: Vec<IntegrityError>,
    pub(crate) bad_ids: Vec<(usize, String)>,
}

/// Checks a snapshot's integrity: every problem, in the documented order.
pub(crate) fn check(
    hierarchies: &[Hierarchy],
    nodes: &[Node],
    products: &[Product],
    read: ReadProblems,
) -> Result<Checked, IntegrityErrors> {
    let mut errors = Vec::new();
    const MAX: usize = u32::MAX as usize;
    if nodes.len() >= MAX || hierarchies.len() >= MAX {
        let (what, count) = if nodes.len() >= MAX {
            ("nodes", nodes.len())
        } else {
            ("hierarchies", hierarchies.len())
        };
        return Err(IntegrityErrors {
            errors: vec![IntegrityError::TooLarge {
                what,
                count,
                max: MAX - 1,
            }],
        });
    }
    let (lookup, node_hierarchy, node_parent) = check_nodes(hierarchies, nodes, &mut errors);
    let nodes_ok = errors.is_empty();
    let (member_span, member_index) = check_products(products, &lookup, read, &mut errors)?;
    if !errors.is_empty() || !nodes_ok {
        return Err(IntegrityErrors { errors });
    }
    Ok(Checked {
        lookup,
        node_hierarchy,
        node_parent,
        member_span,
        member_index,
    })
}

type NodeLinks = (HashMap<Box<str>, Target>, Vec<u32>, Vec<u32>);

/// Hierarchy and node ids, each node's hierarchy and parent, cycles.
fn check_nodes(
    hierarchies: &[Hierarchy],
    nodes: &[Node],
    errors: &mut Vec<IntegrityError>,
) -> NodeLinks {
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
    // Node ids, hierarchy and parent of each node (`NONE` = none/unknown).
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
                let Some(parent) = nodes.get(p as usize) else {
                    continue;
                };
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
    for cycle in forest::parent_cycles(&node_parent) {
        let node_ids = cycle
            .iter()
            .filter_map(|&i| nodes.get(i as usize).map(|n| n.id.clone()))
            .collect();
        errors.push(IntegrityError::ParentCycle { node_ids });
    }
    (lookup, node_hierarchy, node_parent)
}

type Memberships = (Vec<(u32, u32)>, Vec<u32>);

/// Product ids, duplicates, memberships.
fn check_products(
    products: &[Product],
    lookup: &HashMap<Box<str>, Target>,
    read: ReadProblems,
    errors: &mut Vec<IntegrityError>,
) -> Result<Memberships, IntegrityErrors> {
    const MAX: usize = u32::MAX as usize;
    let mut id_errors = read.errors.into_iter().peekable();
    let mut repeats = repeated_ids(products, &read.bad_ids).into_iter().peekable();
    let mut bad_ids = read.bad_ids.iter().peekable();
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
        if let Some((_, first)) = repeats.next_if(|&(i, _)| i == index) {
            errors.push(IntegrityError::DuplicateProductId {
                id: p.id,
                index,
                first,
            });
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
                            node_id: node_id.to_string(),
                        });
                    } else {
                        member_index.push(i);
                    }
                }
                _ => errors.push(IntegrityError::UnknownNode {
                    product: label(),
                    index,
                    node_id: node_id.to_string(),
                }),
            }
        }
        if member_index.len() > MAX {
            errors.push(IntegrityError::TooLarge {
                what: "node memberships",
                count: member_index.len(),
                max: MAX,
            });
            return Err(IntegrityErrors {
                errors: std::mem::take(errors),
            });
        }
        member_span.push((start as u32, (member_index.len() - start) as u32));
    }
    // Errors for products past the end cannot exist, but keep any left over.
    errors.extend(id_errors);
    Ok((member_span, member_index))
}

/// `(index, first)` for every product whose (valid) id an earlier product
/// already has, in product order. Sorting instead of hashing: 24 bytes per
/// product, no hash table, and no input can make it slow.
fn repeated_ids(products: &[Product], bad_ids: &[(usize, String)]) -> Vec<(usize, usize)> {
    let mut bad = bad_ids.iter().map(|&(i, _)| i).peekable();
    let mut ids: Vec<(Uuid, usize)> = Vec::with_capacity(products.len());
    for (index, p) in products.iter().enumerate() {
        if bad.next_if_eq(&index).is_none() {
            ids.push((p.id, index));
        }
    }
    ids.sort_unstable();
    let mut repeats = Vec::new();
    for run in ids.chunk_by(|a, b| a.0 == b.0) {
        if let Some(&(_, first)) = run.first() {
            repeats.extend(run.iter().skip(1).map(|&(_, index)| (index, first)));
        }
    }
    repeats.sort_unstable();
    repeats
}

/// The product index an id error is about.
fn error_product_index(e: &IntegrityError) -> Option<usize> {
    match e {
        IntegrityError::InvalidProductId { index, .. }
        | IntegrityError::InvalidParentId { index, .. } => Some(*index),
        _ => None,
    }
}
