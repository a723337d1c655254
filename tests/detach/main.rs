//! detach_nodes: wire format, every error body, semantics, `detach --json`,
//! the `detach` program run as a process, and properties of plan + apply.

mod json_mode;
mod plan;
mod program;
mod props;
mod wire;

/// The example programs' shared module, with their `--json` line protocol.
#[path = "../../examples/common/mod.rs"]
mod common;

#[path = "../support/program.rs"]
#[allow(dead_code)]
mod support;

use catalog_filter::Limits;
use catalog_filter::catalog::Catalog;
use catalog_filter::elasticpath::detach::{self, DetachNodesRequest, DetachPlan};
use serde_json::{Value, json};
use std::collections::BTreeMap;

pub const BOOK: &str = "7d4f6c2a-1b3e-4f5a-9c8d-0e1f2a3b4c5d";
pub const PEN: &str = "00000000-0000-4000-8000-000000000001";
pub const NOVEL: &str = "00000000-0000-4000-8000-000000000002";

/// h1: 123 > 124 > 125, 126 (root); h2: 200.
pub fn catalog() -> Catalog {
    Catalog::from_value(json!({
        "hierarchies": [{"id": "h1"}, {"id": "h2"}],
        "nodes": [
            {"id": "123", "hierarchy_id": "h1"},
            {"id": "124", "hierarchy_id": "h1", "parent_id": "123"},
            {"id": "125", "hierarchy_id": "h1", "parent_id": "124"},
            {"id": "126", "hierarchy_id": "h1"},
            {"id": "200", "hierarchy_id": "h2"}
        ],
        "products": [
            {"id": BOOK, "sku": "book", "node_ids": ["123", "126", "200"]},
            {"id": PEN, "sku": "pen", "node_ids": ["123", "125"]},
            {"id": NOVEL, "sku": "book-novel", "templates": ["book"], "node_ids": ["125", "200"]}
        ]
    }))
    .unwrap()
}

pub fn plan(c: &Catalog, body: Value) -> Result<DetachPlan, Value> {
    let request = DetachNodesRequest::from_json(&body.to_string())
        .map_err(|e| serde_json::to_value(e).unwrap())?;
    detach::plan(c, &request, &Limits::default()).map_err(|e| serde_json::to_value(e).unwrap())
}

pub fn response(c: &Catalog, filter: &str, nodes: &[&str]) -> Value {
    let p = plan(c, json!({"data": {"filter": filter, "node_ids": nodes}})).unwrap();
    serde_json::to_value(p.response).unwrap()
}

pub fn memberships(c: &Catalog) -> BTreeMap<String, Vec<String>> {
    c.products()
        .iter()
        .map(|p| {
            (
                String::from(p.sku.clone().unwrap_or_default()),
                p.node_ids.iter().map(|n| n.to_string()).collect(),
            )
        })
        .collect()
}

pub fn run(c: &mut Catalog, filter: &str, nodes: &[&str]) -> Value {
    let p = plan(c, json!({"data": {"filter": filter, "node_ids": nodes}})).unwrap();
    detach::apply(c, &p);
    serde_json::to_value(p.response).unwrap()
}
