//! Ecwid `unassignProducts`: store loading and writing back as read, wire
//! types, authorize, plan, apply, every error body, `unassign --json`, the
//! `unassign` program run as a process, and proptest properties.

mod json_mode;
mod plan;
mod program;
mod props;
mod store;
mod wire;

/// The example programs' shared module, with their `--json` line protocol.
#[path = "../../examples/common/mod.rs"]
mod common;

#[path = "../support/program.rs"]
#[allow(dead_code)]
mod support;

use catalog_filter::Limits;
use catalog_filter::ecwid::{
    self, CategoryId, EcwidError, ProductChange, ProductId, Store, StoreError, StoreSnapshot,
    UnassignPlan, UnassignProductsRequest,
};

pub const SAMPLE: &str = include_str!("../../examples/data/store.json");

/// Categories: Clothing (10) > Shoes (11); Sale (20) at the top level.
pub const SMALL: &str = r#"{
  "categories": [
    {"id": 10, "parent_id": 0, "name": "Clothing"},
    {"id": 11, "parent_id": 10, "name": "Shoes"},
    {"id": 20, "name": "Sale"}
  ],
  "products": [
    {"id": 1, "name": "Sneakers", "category_ids": [11, 20]},
    {"id": 2, "name": "Tote", "category_ids": [20]},
    {"id": 3, "name": "Boots", "category_ids": [11]},
    {"id": 4, "name": "Gift card", "category_ids": [0]},
    {"id": 5, "name": "Sticker", "category_ids": [0, 20]},
    {"id": 6, "name": "Hat", "category_ids": []}
  ]
}"#;

pub fn load(json: &str) -> Store {
    match serde_json::from_str(json) {
        Ok(store) => store,
        Err(e) => panic!("test store does not load: {e}"),
    }
}

pub fn small() -> Store {
    load(SMALL)
}

pub fn sample() -> Store {
    load(SAMPLE)
}

pub fn req(ids: &[ProductId]) -> UnassignProductsRequest {
    UnassignProductsRequest::new(ids.iter().copied())
}

pub fn cats(store: &Store, id: ProductId) -> Vec<CategoryId> {
    store
        .product(id)
        .map(|p| p.category_ids.clone())
        .unwrap_or_else(|| panic!("no product {id}"))
}

pub fn ok_plan(store: &Store, category: CategoryId, ids: &[ProductId]) -> UnassignPlan {
    match ecwid::plan(store, category, &req(ids), &Limits::default()) {
        Ok(plan) => plan,
        Err(e) => panic!("plan failed: {e}"),
    }
}

pub fn err_plan(
    store: &Store,
    category: CategoryId,
    ids: &[ProductId],
    limits: &Limits,
) -> EcwidError {
    match ecwid::plan(store, category, &req(ids), limits) {
        Ok(plan) => panic!("expected an error, got {plan:?}"),
        Err(e) => e,
    }
}

/// `(status, body as JSON text)`.
pub fn wire(e: &EcwidError) -> (u16, String) {
    (
        e.status(),
        serde_json::to_string(&e.body()).unwrap_or_default(),
    )
}

pub fn to_json<T: serde::Serialize>(value: &T) -> String {
    serde_json::to_string(value).unwrap_or_default()
}

pub fn change(id: ProductId, before: &[u64], after: &[u64], rehomed: bool) -> ProductChange {
    ProductChange {
        product_id: id,
        before: before.to_vec(),
        after: after.to_vec(),
        rehomed,
    }
}

pub fn store_error(json: &str) -> StoreError {
    let snapshot: StoreSnapshot = match serde_json::from_str(json) {
        Ok(s) => s,
        Err(e) => panic!("not a snapshot: {e}"),
    };
    match Store::new(snapshot) {
        Ok(_) => panic!("expected integrity problems"),
        Err(e) => e,
    }
}

/// `text` without JSON whitespace outside strings.
pub fn compact(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let (mut in_string, mut escaped) = (false, false);
    for c in text.chars() {
        if in_string {
            in_string = c != '"' || escaped;
            escaped = c == '\\' && !escaped;
        } else if c == '"' {
            in_string = true;
        } else if c.is_ascii_whitespace() {
            continue;
        }
        out.push(c);
    }
    out
}
