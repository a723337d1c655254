//! The checked, indexed [`Catalog`]: node positions (pre-order, grouped by
//! hierarchy), subtree ranges, and each product's memberships as positions.

use super::columns::Columns;
use super::integrity::{Checked, Target};
use super::model::{Hierarchy, Node, Product, Snapshot};
use crate::forest::NONE;
use crate::json::Source;
use std::collections::HashMap;
use std::fmt;
use std::ops::Range;

/// A checked catalog snapshot with its node positions precomputed.
///
/// Built by [`Catalog::new`] or [`Catalog::from_json`]; it always satisfies
/// the integrity checks. Writing it ([`Catalog::to_json`],
/// [`Catalog::write_json`], serde) gives the snapshot's own text back, with
/// only the changed memberships spliced in. Equality compares the typed
/// snapshot data (hierarchies, nodes, products).
#[derive(Clone)]
pub struct Catalog {
    /// The text read, for writing back.
    pub(super) doc: Source,
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
    /// Columnar text for `select`, built on first use.
    pub(super) columns: Columns,
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
        if kept < len {
            self.doc.mark_changed(product_index);
        }
        // `kept <= len`, which fits in u32.
        span.1 = kept as u32;
        len - kept
    }
}

impl Catalog {
    /// Indexes a checked snapshot.
    pub(super) fn index(
        doc: Source,
        hierarchies: Vec<Hierarchy>,
        nodes: Vec<Node>,
        products: Vec<Product>,
        checked: Checked,
    ) -> Catalog {
        let Checked {
            lookup,
            node_hierarchy,
            node_parent,
            member_span,
            mut member_index,
        } = checked;
        let (order, position, subtree_end, hierarchy_range) =
            number_nodes(hierarchies.len(), &node_hierarchy, &node_parent);
        // Node index -> position, in place.
        for m in &mut member_index {
            *m = position.get(*m as usize).copied().unwrap_or(NONE);
        }
        Catalog {
            doc,
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
            columns: Columns::default(),
        }
    }
}

type Numbering = (Vec<u32>, Vec<u32>, Vec<u32>, Vec<(u32, u32)>);

/// Numbers the nodes in pre-order grouped by hierarchy. Requires a checked
/// forest: every node has a known hierarchy, its parent is in the same one,
/// no cycles.
fn number_nodes(hierarchy_count: usize, node_hierarchy: &[u32], node_parent: &[u32]) -> Numbering {
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
