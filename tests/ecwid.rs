//! Ecwid `unassignProducts`: store loading, wire types, authorize, plan,
//! apply, every error body, the `unassign` example, and proptest properties.

use catalog_filter::Limits;
use catalog_filter::ecwid::{
    self, CategoryId, EcwidError, ProductChange, ProductId, Store, StoreError, StoreProblem,
    StoreSnapshot, UnassignPlan, UnassignProductsRequest, UnassignProductsResponse,
};
use proptest::prelude::*;
use serde_json::{Value, json};

#[allow(dead_code)]
#[path = "../examples/unassign.rs"]
mod example;

const SAMPLE: &str = include_str!("../examples/data/store.json");

/// Categories: Clothing (10) > Shoes (11); Sale (20) at the top level.
const SMALL: &str = r#"{
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

fn load(json: &str) -> Store {
    match serde_json::from_str(json) {
        Ok(store) => store,
        Err(e) => panic!("test store does not load: {e}"),
    }
}

fn small() -> Store {
    load(SMALL)
}

fn sample() -> Store {
    load(SAMPLE)
}

fn req(ids: &[ProductId]) -> UnassignProductsRequest {
    UnassignProductsRequest::new(ids.iter().copied())
}

fn cats(store: &Store, id: ProductId) -> Vec<CategoryId> {
    store
        .product(id)
        .map(|p| p.category_ids.clone())
        .unwrap_or_else(|| panic!("no product {id}"))
}

fn ok_plan(store: &Store, category: CategoryId, ids: &[ProductId]) -> UnassignPlan {
    match ecwid::plan(store, category, &req(ids), &Limits::default()) {
        Ok(plan) => plan,
        Err(e) => panic!("plan failed: {e}"),
    }
}

fn err_plan(store: &Store, category: CategoryId, ids: &[ProductId], limits: &Limits) -> EcwidError {
    match ecwid::plan(store, category, &req(ids), limits) {
        Ok(plan) => panic!("expected an error, got {plan:?}"),
        Err(e) => e,
    }
}

/// `(status, body as JSON text)`.
fn wire(e: &EcwidError) -> (u16, String) {
    (
        e.status(),
        serde_json::to_string(&e.body()).unwrap_or_default(),
    )
}

fn to_json<T: serde::Serialize>(value: &T) -> String {
    serde_json::to_string(value).unwrap_or_default()
}

fn change(id: ProductId, before: &[u64], after: &[u64], rehomed: bool) -> ProductChange {
    ProductChange {
        product_id: id,
        before: before.to_vec(),
        after: after.to_vec(),
        rehomed,
    }
}

fn store_error(json: &str) -> StoreError {
    let snapshot: StoreSnapshot = match serde_json::from_str(json) {
        Ok(s) => s,
        Err(e) => panic!("not a snapshot: {e}"),
    };
    match Store::new(snapshot) {
        Ok(_) => panic!("expected integrity problems"),
        Err(e) => e,
    }
}

// ---------------------------------------------------------------- the seed

#[test]
fn seed_example_unassigns_37208345_with_delete_count_1() {
    let mut store = sample();
    let before = store.clone();
    let body = "{\n  \"productIds\": [\n    37208345\n  ]\n}";
    let request = match UnassignProductsRequest::from_json(body) {
        Ok(r) => r,
        Err(e) => panic!("{e}"),
    };
    assert_eq!(request, req(&[37208345]));
    let plan = match ecwid::plan(&store, 9691094, &request, &Limits::default()) {
        Ok(plan) => plan,
        Err(e) => panic!("{e}"),
    };
    assert_eq!(to_json(&plan.response), r#"{"deleteCount":1}"#);
    assert_eq!(
        plan,
        UnassignPlan {
            category_id: 9691094,
            changes: vec![change(37208345, &[9691103, 9691094], &[9691103], false)],
            unchanged: vec![],
            unknown_product_ids: vec![],
            response: UnassignProductsResponse { delete_count: 1 },
        }
    );
    assert_eq!(cats(&store, 37208345), [9691103, 9691094]);
    ecwid::apply(&mut store, &plan);
    assert_eq!(cats(&store, 37208345), [9691103]);
    // Nothing else changed.
    for (p, q) in before.products().iter().zip(store.products()) {
        if p.id != 37208345 {
            assert_eq!(p, q);
        }
    }
    assert_eq!(before.categories(), store.categories());
}

#[test]
fn wire_field_names_are_the_vendors() {
    assert_eq!(to_json(&req(&[1, 2])), r#"{"productIds":[1,2]}"#);
    assert_eq!(
        to_json(&UnassignProductsResponse { delete_count: 0 }),
        r#"{"deleteCount":0}"#
    );
    let response: UnassignProductsResponse = match serde_json::from_str(r#"{"deleteCount":1}"#) {
        Ok(r) => r,
        Err(e) => panic!("{e}"),
    };
    assert_eq!(response.delete_count, 1);
    // Unknown request fields are ignored.
    assert_eq!(
        UnassignProductsRequest::from_json(r#"{"productIds":[7],"dryRun":true}"#),
        Ok(req(&[7]))
    );
}

// ---------------------------------------------------------------- loading

#[test]
fn sample_store_loads_and_serialises_back_losing_nothing() {
    let store = sample();
    assert_eq!(store.categories().len(), 10);
    assert_eq!(store.products().len(), 15);
    let mut expected: Value = match serde_json::from_str(SAMPLE) {
        Ok(v) => v,
        Err(e) => panic!("{e}"),
    };
    // The one product stored with no categories loads as in category 0.
    if let Some(p) = expected
        .pointer_mut("/products")
        .and_then(Value::as_array_mut)
        .and_then(|ps| ps.iter_mut().find(|p| p["id"] == json!(37208359)))
    {
        p["category_ids"] = json!([0]);
    }
    let written = match serde_json::to_value(&store) {
        Ok(v) => v,
        Err(e) => panic!("{e}"),
    };
    assert_eq!(written, expected);
    // And it loads again to the same store.
    assert_eq!(load(&written.to_string()), store);
}

#[test]
fn unknown_fields_are_kept_exactly() {
    // Unknown fields come after the known ones, in key order.
    let text = r#"{"categories":[{"id":10,"parent_id":0,"name":"A","enabled":true,"seo":{"t":"x"}}],"products":[{"id":1,"name":"p","category_ids":[10],"price":9.5,"sku":"S-1"}],"store_id":1003}"#;
    assert_eq!(to_json(&load(text)), text);
}

#[test]
fn products_without_categories_load_in_the_top_level() {
    let store = load(
        r#"{"products":[{"id":1,"name":"a","category_ids":[]},{"id":2,"name":"b"},{"id":3,"name":"c","category_ids":[0]}]}"#,
    );
    assert_eq!(cats(&store, 1), [0]);
    assert_eq!(cats(&store, 2), [0]);
    assert_eq!(cats(&store, 3), [0]);
    assert_eq!(
        to_json(&store),
        r#"{"categories":[],"products":[{"id":1,"name":"a","category_ids":[0]},{"id":2,"name":"b","category_ids":[0]},{"id":3,"name":"c","category_ids":[0]}]}"#
    );
}

#[test]
fn parent_zero_null_or_absent_is_top_level() {
    let store = load(
        r#"{"categories":[{"id":1,"parent_id":0,"name":"a"},{"id":2,"parent_id":null,"name":"b"},{"id":3,"name":"c"}]}"#,
    );
    let parents: Vec<CategoryId> = store.categories().iter().map(|c| c.parent()).collect();
    assert_eq!(parents, [0, 0, 0]);
    // `null` is written back as an absent parent_id; 0 stays 0.
    assert_eq!(
        to_json(&store),
        r#"{"categories":[{"id":1,"parent_id":0,"name":"a"},{"id":2,"name":"b"},{"id":3,"name":"c"}],"products":[]}"#
    );
}

#[test]
fn the_top_level_category_is_implicit() {
    let store = small();
    assert!(store.has_category(0));
    assert_eq!(store.category(0), None);
    assert!(store.has_category(11));
    assert_eq!(store.category(11).map(|c| c.name.as_str()), Some("Shoes"));
    assert_eq!(store.category(11).map(|c| c.parent()), Some(10));
    assert!(!store.has_category(12));
    assert_eq!(store.product(99), None);
    assert_eq!(
        Store::new(StoreSnapshot::default()).map(|s| s.products().len()),
        Ok(0)
    );
}

#[test]
fn loading_reports_every_problem_at_once() {
    let e = store_error(
        r#"{
      "categories": [
        {"id": 1, "name": "a"},
        {"id": 1, "name": "a again"},
        {"id": 1, "name": "a thrice"},
        {"id": 0, "name": "top"},
        {"id": 2, "parent_id": 99, "name": "orphan"},
        {"id": 3, "parent_id": 4, "name": "c"},
        {"id": 4, "parent_id": 3, "name": "d"}
      ],
      "products": [
        {"id": 7, "name": "x", "category_ids": [1, 55, 1, 1, 56]},
        {"id": 7, "name": "x again", "category_ids": [0]},
        {"id": 8, "name": "y", "category_ids": [0, 0]}
      ]
    }"#,
    );
    assert_eq!(
        e.problems(),
        [
            StoreProblem::DuplicateCategoryId { id: 1 },
            StoreProblem::ReservedCategoryId { index: 3 },
            StoreProblem::UnknownParent {
                category_id: 2,
                parent_id: 99
            },
            StoreProblem::ParentCycle {
                category_ids: vec![3, 4]
            },
            StoreProblem::UnknownCategory {
                product_id: 7,
                category_id: 55
            },
            StoreProblem::RepeatedCategory {
                product_id: 7,
                category_id: 1
            },
            StoreProblem::UnknownCategory {
                product_id: 7,
                category_id: 56
            },
            StoreProblem::DuplicateProductId { id: 7 },
            StoreProblem::RepeatedCategory {
                product_id: 8,
                category_id: 0
            },
        ]
    );
    assert_eq!(
        e.to_string(),
        "invalid store snapshot: category id 1 is used more than once; \
         category at index 3 has id 0, which is reserved for the top-level category; \
         category 2 has parent 99, which is not a category; \
         categories form a parent cycle: 3 -> 4 -> 3; \
         product 7 is in category 55, which is not a category; \
         product 7 lists category 1 more than once; \
         product 7 is in category 56, which is not a category; \
         product id 7 is used more than once; \
         product 8 lists category 0 more than once"
    );
    assert_eq!(
        wire(&EcwidError::from(e)),
        (
            500,
            r#"{"errorMessage":"Store snapshot is invalid: category id 1 is used more than once; category at index 3 has id 0, which is reserved for the top-level category; category 2 has parent 99, which is not a category; categories form a parent cycle: 3 -> 4 -> 3; product 7 is in category 55, which is not a category; product 7 lists category 1 more than once; product 7 is in category 56, which is not a category; product id 7 is used more than once; product 8 lists category 0 more than once","errorCode":"INVALID_STORE"}"#
                .to_owned()
        )
    );
}

#[test]
fn repeats_are_found_in_long_category_lists_too() {
    let categories: Vec<Value> = (1..=40)
        .map(|id| json!({"id": id, "name": format!("c{id}")}))
        .collect();
    let mut ids: Vec<u64> = (1..=40).collect();
    ids.extend([7, 39, 7, 41]);
    let text = json!({"categories": categories, "products": [{"id": 1, "name": "p", "category_ids": ids}]});
    let e = store_error(&text.to_string());
    assert_eq!(
        e.problems(),
        [
            StoreProblem::RepeatedCategory {
                product_id: 1,
                category_id: 7
            },
            StoreProblem::RepeatedCategory {
                product_id: 1,
                category_id: 39
            },
            StoreProblem::UnknownCategory {
                product_id: 1,
                category_id: 41
            },
        ]
    );
}

#[test]
fn every_cycle_is_reported_once_from_its_smallest_id() {
    // 5 -> 6 -> 7 -> 5 entered from 8 (which is not on the cycle), a self
    // loop on 9, and a healthy chain 1 -> 2.
    let e = store_error(
        r#"{"categories":[
          {"id": 8, "parent_id": 6, "name": "tail"},
          {"id": 7, "parent_id": 5, "name": "c"},
          {"id": 6, "parent_id": 7, "name": "b"},
          {"id": 5, "parent_id": 6, "name": "a"},
          {"id": 9, "parent_id": 9, "name": "self"},
          {"id": 1, "parent_id": 2, "name": "ok"},
          {"id": 2, "name": "ok"}
        ]}"#,
    );
    assert_eq!(
        e.problems(),
        [
            StoreProblem::ParentCycle {
                category_ids: vec![5, 6, 7]
            },
            StoreProblem::ParentCycle {
                category_ids: vec![9]
            },
        ]
    );
    assert_eq!(
        e.to_string(),
        "invalid store snapshot: categories form a parent cycle: 5 -> 6 -> 7 -> 5; \
         categories form a parent cycle: 9 -> 9"
    );
}

#[test]
fn deserialising_a_store_runs_the_integrity_checks() {
    let result =
        serde_json::from_str::<Store>(r#"{"products":[{"id":1,"name":"a","category_ids":[3]}]}"#);
    assert_eq!(
        result.map_err(|e| e.to_string()),
        Err(
            "invalid store snapshot: product 1 is in category 3, which is not a category"
                .to_owned()
        )
    );
    // Wrong shapes are serde errors.
    assert!(serde_json::from_str::<Store>(r#"{"products":[{"id":-1,"name":"a"}]}"#).is_err());
    assert!(serde_json::from_str::<Store>(r#"{"products":[{"id":1}]}"#).is_err());
}

// ---------------------------------------------------------------- authorize

#[test]
fn authorize_needs_update_catalog() {
    assert_eq!(ecwid::authorize(&["update_catalog"]), Ok(()));
    assert_eq!(
        ecwid::authorize(&["read_catalog", "update_catalog", "read_orders"]),
        Ok(())
    );
    for scopes in [
        &[][..],
        &["read_catalog"][..],
        &["UPDATE_CATALOG"][..],
        &["update_catalog "][..],
        &["update_catalog_extra"][..],
    ] {
        let e = match ecwid::authorize(scopes) {
            Ok(()) => panic!("{scopes:?} authorized"),
            Err(e) => e,
        };
        assert_eq!(e, EcwidError::MissingScope);
        assert_eq!(
            wire(&e),
            (
                403,
                r#"{"errorMessage":"Access denied: the token lacks the update_catalog scope","errorCode":"FORBIDDEN"}"#
                    .to_owned()
            )
        );
    }
}

// ---------------------------------------------------------------- plan and apply

#[test]
fn a_product_not_in_the_category_gives_delete_count_0() {
    let mut store = small();
    let before = store.clone();
    let plan = ok_plan(&store, 20, &[3]);
    assert_eq!(
        plan,
        UnassignPlan {
            category_id: 20,
            changes: vec![],
            unchanged: vec![3],
            unknown_product_ids: vec![],
            response: UnassignProductsResponse { delete_count: 0 },
        }
    );
    assert_eq!(to_json(&plan.response), r#"{"deleteCount":0}"#);
    ecwid::apply(&mut store, &plan);
    assert_eq!(store, before);
}

#[test]
fn a_product_whose_only_category_is_removed_is_rehomed_to_0() {
    let mut store = small();
    let plan = ok_plan(&store, 20, &[2]);
    assert_eq!(plan.changes, [change(2, &[20], &[0], true)]);
    assert_eq!(plan.response.delete_count, 1);
    assert_eq!(cats(&store, 2), [20]);
    ecwid::apply(&mut store, &plan);
    assert_eq!(cats(&store, 2), [0]);
    assert_eq!(
        to_json(store.product(2).unwrap_or_else(|| panic!())),
        r#"{"id":2,"name":"Tote","category_ids":[0]}"#
    );
}

#[test]
fn a_product_also_in_the_top_level_just_leaves() {
    let mut store = small();
    let plan = ok_plan(&store, 20, &[5]);
    assert_eq!(plan.changes, [change(5, &[0, 20], &[0], false)]);
    ecwid::apply(&mut store, &plan);
    assert_eq!(cats(&store, 5), [0]);
}

#[test]
fn other_categories_keep_their_order() {
    let mut store = load(
        r#"{"categories":[{"id":1,"name":"a"},{"id":2,"name":"b"},{"id":3,"name":"c"}],
            "products":[{"id":9,"name":"p","category_ids":[3,2,1]}]}"#,
    );
    let plan = ok_plan(&store, 2, &[9]);
    assert_eq!(plan.changes, [change(9, &[3, 2, 1], &[3, 1], false)]);
    ecwid::apply(&mut store, &plan);
    assert_eq!(cats(&store, 9), [3, 1]);
}

#[test]
fn unknown_ids_are_ignored_and_reported_once_in_request_order() {
    let mut store = small();
    let before = store.clone();
    let plan = ok_plan(&store, 20, &[404, 2, 77, 404, 3, 77, 1000]);
    assert_eq!(
        plan,
        UnassignPlan {
            category_id: 20,
            changes: vec![change(2, &[20], &[0], true)],
            unchanged: vec![3],
            unknown_product_ids: vec![404, 77, 1000],
            response: UnassignProductsResponse { delete_count: 1 },
        }
    );
    // Only unknown ids: nothing unassigned.
    let plan = ok_plan(&store, 20, &[404, 77]);
    assert_eq!(plan.unknown_product_ids, [404, 77]);
    assert_eq!(to_json(&plan.response), r#"{"deleteCount":0}"#);
    ecwid::apply(&mut store, &plan);
    assert_eq!(store, before);
}

#[test]
fn duplicates_count_once() {
    let mut store = small();
    let plan = ok_plan(&store, 20, &[1, 2, 1, 1, 2, 3, 3]);
    assert_eq!(
        plan,
        UnassignPlan {
            category_id: 20,
            changes: vec![
                change(1, &[11, 20], &[11], false),
                change(2, &[20], &[0], true)
            ],
            unchanged: vec![3],
            unknown_product_ids: vec![],
            response: UnassignProductsResponse { delete_count: 1 },
        }
    );
    ecwid::apply(&mut store, &plan);
    assert_eq!(cats(&store, 1), [11]);
    assert_eq!(cats(&store, 2), [0]);
    assert_eq!(cats(&store, 3), [11]);
}

#[test]
fn unassigning_from_the_top_level() {
    let mut store = small();
    // 4 is only in 0 (and 6 was stored with none): they would be re-homed
    // straight back, so they stay and do not count. 5 is in 0 and 20: it
    // leaves 0. 1 is not in 0.
    let plan = ok_plan(&store, 0, &[4, 6]);
    assert_eq!(plan.changes, []);
    assert_eq!(plan.unchanged, [4, 6]);
    assert_eq!(to_json(&plan.response), r#"{"deleteCount":0}"#);

    let plan = ok_plan(&store, 0, &[4, 5, 1]);
    assert_eq!(
        plan,
        UnassignPlan {
            category_id: 0,
            changes: vec![change(5, &[0, 20], &[20], false)],
            unchanged: vec![4, 1],
            unknown_product_ids: vec![],
            response: UnassignProductsResponse { delete_count: 1 },
        }
    );
    ecwid::apply(&mut store, &plan);
    assert_eq!(cats(&store, 4), [0]);
    assert_eq!(cats(&store, 5), [20]);
    assert_eq!(cats(&store, 1), [11, 20]);
}

#[test]
fn subcategories_are_not_touched() {
    let store = small();
    // Sneakers and Boots are in Shoes (11), below Clothing (10), not in 10.
    let plan = ok_plan(&store, 10, &[1, 3]);
    assert_eq!(plan.changes, []);
    assert_eq!(plan.unchanged, [1, 3]);
    assert_eq!(plan.response.delete_count, 0);
}

#[test]
fn planning_is_pure_and_deterministic() {
    let store = sample();
    let before = store.clone();
    let ids = [37208350, 37208345, 1, 37208347, 37208345];
    let first = ok_plan(&store, 9691094, &ids);
    let second = ok_plan(&store, 9691094, &ids);
    assert_eq!(first, second);
    assert_eq!(store, before);
    assert_eq!(
        to_json(&first),
        r#"{"category_id":9691094,"changes":[{"product_id":37208350,"before":[9691094],"after":[0],"rehomed":true},{"product_id":37208345,"before":[9691103,9691094],"after":[9691103],"rehomed":false}],"unchanged":[37208347],"unknown_product_ids":[1],"response":{"deleteCount":1}}"#
    );
}

#[test]
fn applying_twice_is_applying_once() {
    let mut store = small();
    let plan = ok_plan(&store, 20, &[1, 2, 5]);
    ecwid::apply(&mut store, &plan);
    let once = store.clone();
    ecwid::apply(&mut store, &plan);
    assert_eq!(store, once);
    // And planning again on the result unassigns nothing.
    assert_eq!(ok_plan(&store, 20, &[1, 2, 5]).response.delete_count, 0);
}

#[test]
fn applying_a_plan_from_another_store_keeps_the_invariants() {
    let other = small();
    let plan = ok_plan(&other, 20, &[1, 3]); // in `other`, 1 leaves 20
    let mut store = load(
        r#"{"categories":[{"id":20,"name":"Sale"}],"products":[{"id":1,"name":"x","category_ids":[20]}]}"#,
    );
    ecwid::apply(&mut store, &plan);
    assert_eq!(cats(&store, 1), [0]);
    // Products missing from the store are skipped.
    let mut empty = load("{}");
    ecwid::apply(&mut empty, &plan);
    assert_eq!(empty.products(), []);
}

// ---------------------------------------------------------------- errors

#[test]
fn unknown_category_is_404() {
    let e = err_plan(&small(), 12, &[1], &Limits::default());
    assert_eq!(e, EcwidError::CategoryNotFound { category_id: 12 });
    assert_eq!(
        wire(&e),
        (
            404,
            r#"{"errorMessage":"Category 12 not found","errorCode":"CATEGORY_NOT_FOUND"}"#
                .to_owned()
        )
    );
}

#[test]
fn empty_product_ids_is_400() {
    let e = err_plan(&small(), 20, &[], &Limits::default());
    assert_eq!(e, EcwidError::EmptyProductIds);
    assert_eq!(
        wire(&e),
        (
            400,
            r#"{"errorMessage":"productIds must not be empty","errorCode":"INVALID_REQUEST_BODY"}"#
                .to_owned()
        )
    );
}

#[test]
fn too_many_product_ids_is_400_naming_the_limit() {
    let store = small();
    let limits = Limits {
        max_product_ids: 3,
        ..Limits::DEFAULT
    };
    assert_eq!(
        ecwid::plan(&store, 20, &req(&[1, 2, 3]), &limits).map(|p| p.response.delete_count),
        Ok(1)
    );
    // Duplicates count against the limit: it bounds the request's size.
    let e = err_plan(&store, 20, &[1, 1, 1, 1], &limits);
    assert_eq!(e, EcwidError::TooManyProductIds { count: 4, limit: 3 });
    assert_eq!(
        wire(&e),
        (
            400,
            r#"{"errorMessage":"productIds has 4 ids; the limit is 3 (max_product_ids)","errorCode":"LIMIT_EXCEEDED"}"#
                .to_owned()
        )
    );
    // The default is 10,000.
    let ids: Vec<ProductId> = (1..=10_001).collect();
    let e = err_plan(&store, 20, &ids, &Limits::default());
    assert_eq!(
        wire(&e),
        (
            400,
            r#"{"errorMessage":"productIds has 10001 ids; the limit is 10000 (max_product_ids)","errorCode":"LIMIT_EXCEEDED"}"#
                .to_owned()
        )
    );
    assert_eq!(
        ecwid::plan(&store, 20, &req(&ids[..10_000]), &Limits::default())
            .map(|p| p.unknown_product_ids.len()),
        Ok(9_994)
    );
}

#[test]
fn malformed_bodies_are_400() {
    let cases = [
        (
            "nope",
            "Request body is invalid: expected ident at line 1 column 2",
        ),
        (
            "",
            "Request body is invalid: EOF while parsing a value at line 1 column 0",
        ),
        (
            "{}",
            "Request body is invalid: missing field `productIds` at line 1 column 2",
        ),
        (
            "[1]",
            "Request body is invalid: invalid type: integer `1`, expected a sequence at line 1 column 2",
        ),
        (
            r#"{"productIds":"37208345"}"#,
            "Request body is invalid: invalid type: string \"37208345\", expected a sequence at line 1 column 24",
        ),
        (
            r#"{"productIds":[-1]}"#,
            "Request body is invalid: invalid value: integer `-1`, expected u64 at line 1 column 17",
        ),
        (
            r#"{"productIds":[1.5]}"#,
            "Request body is invalid: invalid type: floating point `1.5`, expected u64 at line 1 column 18",
        ),
        (
            r#"{"productIds":null}"#,
            "Request body is invalid: invalid type: null, expected a sequence at line 1 column 18",
        ),
    ];
    for (body, message) in cases {
        let e = match UnassignProductsRequest::from_json(body) {
            Ok(r) => panic!("{body:?} parsed as {r:?}"),
            Err(e) => e,
        };
        let expected = format!(
            r#"{{"errorMessage":{},"errorCode":"INVALID_REQUEST_BODY"}}"#,
            Value::from(message)
        );
        assert_eq!(wire(&e), (400, expected), "body {body:?}");
    }
}

#[test]
fn checks_run_scope_then_category_then_request() {
    let limits = Limits::default();
    // plan: category before request.
    let e = err_plan(&small(), 12, &[], &limits);
    assert_eq!(e.status(), 404);

    let mut store = small();
    let before = store.clone();
    let run = |store: &mut Store, scopes: &[&str], category, body| {
        ecwid::unassign_products(store, scopes, category, body, &limits)
    };
    assert_eq!(
        run(&mut store, &[], 12, "nope"),
        Err(EcwidError::MissingScope)
    );
    assert_eq!(
        run(&mut store, &["update_catalog"], 12, "nope"),
        Err(EcwidError::CategoryNotFound { category_id: 12 })
    );
    assert_eq!(
        run(&mut store, &["update_catalog"], 20, "nope").map_err(|e| e.status()),
        Err(400)
    );
    assert_eq!(
        run(&mut store, &["update_catalog"], 20, r#"{"productIds":[]}"#),
        Err(EcwidError::EmptyProductIds)
    );
    assert_eq!(store, before);

    let plan = run(&mut store, &["update_catalog"], 20, r#"{"productIds":[2]}"#);
    assert_eq!(
        plan.map(|p| p.response),
        Ok(UnassignProductsResponse { delete_count: 1 })
    );
    assert_eq!(cats(&store, 2), [0]);
}

#[test]
fn error_statuses_and_codes() {
    let cases = [
        (EcwidError::MissingScope, 403, "FORBIDDEN"),
        (
            EcwidError::CategoryNotFound { category_id: 1 },
            404,
            "CATEGORY_NOT_FOUND",
        ),
        (EcwidError::EmptyProductIds, 400, "INVALID_REQUEST_BODY"),
        (
            EcwidError::TooManyProductIds { count: 2, limit: 1 },
            400,
            "LIMIT_EXCEEDED",
        ),
        (
            EcwidError::InvalidRequestBody {
                reason: "x".to_owned(),
            },
            400,
            "INVALID_REQUEST_BODY",
        ),
    ];
    for (e, status, code) in cases {
        assert_eq!((e.status(), e.error_code()), (status, code));
        assert_eq!(e.body().error_code, code);
        assert_eq!(e.body().error_message, e.to_string());
    }
}

// ---------------------------------------------------------------- the example

fn json_run(input: &str) -> Value {
    let line = example::json_mode(input.as_bytes());
    assert!(!line.contains('\n'), "one line: {line}");
    match serde_json::from_str(&line) {
        Ok(v) => v,
        Err(e) => panic!("not JSON ({e}): {line}"),
    }
}

const TINY: &str = r#"{"categories":[{"id":20,"name":"Sale","x":1}],"products":[{"id":1,"name":"a","category_ids":[20]},{"id":2,"name":"b","category_ids":[]}],"store_id":7}"#;

#[test]
fn example_json_success_prints_status_body_and_store_in_order() {
    let input = format!(
        r#"{{"store":{TINY},"category_id":20,"request":{{"productIds":[1,404]}},"scopes":["update_catalog"]}}"#
    );
    assert_eq!(
        example::json_mode(input.as_bytes()),
        r#"{"status":200,"body":{"deleteCount":1},"store":{"categories":[{"id":20,"name":"Sale","x":1}],"products":[{"id":1,"name":"a","category_ids":[0]},{"id":2,"name":"b","category_ids":[0]}],"store_id":7}}"#
    );
}

#[test]
fn example_json_errors_leave_the_store_unchanged() {
    let unchanged = json!({
        "categories": [{"id": 20, "name": "Sale", "x": 1}],
        "products": [{"id": 1, "name": "a", "category_ids": [20]}, {"id": 2, "name": "b", "category_ids": [0]}],
        "store_id": 7
    });
    let cases = [
        (
            format!(r#"{{"store":{TINY},"category_id":20,"request":{{"productIds":[1]}}}}"#),
            json!({"status": 403, "body": {"errorMessage": "Access denied: the token lacks the update_catalog scope", "errorCode": "FORBIDDEN"}}),
        ),
        (
            format!(
                r#"{{"store":{TINY},"category_id":21,"request":{{"productIds":[1]}},"scopes":["update_catalog"]}}"#
            ),
            json!({"status": 404, "body": {"errorMessage": "Category 21 not found", "errorCode": "CATEGORY_NOT_FOUND"}}),
        ),
        (
            format!(
                r#"{{"store":{TINY},"category_id":20,"request":{{"productIds":[]}},"scopes":["update_catalog"]}}"#
            ),
            json!({"status": 400, "body": {"errorMessage": "productIds must not be empty", "errorCode": "INVALID_REQUEST_BODY"}}),
        ),
        (
            format!(r#"{{"store":{TINY},"category_id":20,"scopes":["update_catalog"]}}"#),
            json!({"status": 400, "body": {"errorMessage": "Request body is invalid: invalid type: null, expected struct UnassignProductsRequest at line 1 column 4", "errorCode": "INVALID_REQUEST_BODY"}}),
        ),
        (
            format!(
                r#"{{"store":{TINY},"category_id":20,"request":{{"productIds":["1"]}},"scopes":["update_catalog"]}}"#
            ),
            json!({"status": 400, "body": {"errorMessage": "Request body is invalid: invalid type: string \"1\", expected u64 at line 1 column 18", "errorCode": "INVALID_REQUEST_BODY"}}),
        ),
    ];
    for (input, mut expected) in cases {
        expected["store"] = unchanged.clone();
        assert_eq!(json_run(&input), expected, "input {input}");
    }
}

#[test]
fn example_json_malformed_input_is_400_not_a_panic() {
    let cases: [(&[u8], Value); 6] = [
        (
            b"not json",
            json!({"status": 400, "body": {"errorMessage": "Request body is invalid: input: expected ident at line 1 column 2", "errorCode": "INVALID_REQUEST_BODY"}, "store": null}),
        ),
        (
            b"",
            json!({"status": 400, "body": {"errorMessage": "Request body is invalid: input: EOF while parsing a value at line 1 column 0", "errorCode": "INVALID_REQUEST_BODY"}, "store": null}),
        ),
        (
            b"\xff",
            json!({"status": 400, "body": {"errorMessage": "Request body is invalid: input: expected value at line 1 column 1", "errorCode": "INVALID_REQUEST_BODY"}, "store": null}),
        ),
        (
            br#"{"store":{},"category_id":"20"}"#,
            json!({"status": 400, "body": {"errorMessage": "Request body is invalid: input: invalid type: string \"20\", expected u64 at line 1 column 30", "errorCode": "INVALID_REQUEST_BODY"}, "store": {}}),
        ),
        (
            br#"{"category_id":20}"#,
            json!({"status": 400, "body": {"errorMessage": "Request body is invalid: input: missing field `store` at line 1 column 18", "errorCode": "INVALID_REQUEST_BODY"}, "store": null}),
        ),
        (
            br#"{"store":{"products":[{"id":1}]},"category_id":0,"scopes":["update_catalog"]}"#,
            json!({"status": 400, "body": {"errorMessage": "Request body is invalid: store: missing field `name`", "errorCode": "INVALID_REQUEST_BODY"}, "store": {"products": [{"id": 1}]}}),
        ),
    ];
    for (input, expected) in cases {
        let line = example::json_mode(input);
        assert_eq!(
            serde_json::from_str::<Value>(&line).ok(),
            Some(expected),
            "{line}"
        );
    }
}

#[test]
fn example_json_invalid_store_is_500_with_every_problem() {
    let input = r#"{"store":{"categories":[{"id":1,"parent_id":1,"name":"a"}],"products":[{"id":5,"name":"p","category_ids":[9]}]},"category_id":1,"request":{"productIds":[5]},"scopes":["update_catalog"]}"#;
    assert_eq!(
        json_run(input),
        json!({
            "status": 500,
            "body": {
                "errorMessage": "Store snapshot is invalid: categories form a parent cycle: 1 -> 1; product 5 is in category 9, which is not a category",
                "errorCode": "INVALID_STORE"
            },
            "store": {"categories": [{"id": 1, "parent_id": 1, "name": "a"}], "products": [{"id": 5, "name": "p", "category_ids": [9]}]}
        })
    );
}

#[test]
fn example_text_mode_on_the_sample() {
    let (text, ok) = example::text_mode(
        example::SAMPLE_STORE,
        example::SAMPLE_CATEGORY,
        &example::SAMPLE_PRODUCTS,
    );
    assert!(ok);
    assert_eq!(
        text,
        "Request:
  POST /api/v3/1003/categories/9691094/unassignProducts
  {\"productIds\":[37208345,37208350,37208347,37208345,99999999]}

Response: 200
  {\"deleteCount\":1}

Unassigning from Sale (9691094):
  product   name             before          after        outcome
  37208345  Canvas Sneakers  Sneakers, Sale  Sneakers     left Sale [listed 2 times, counted once]
  37208350  Clearance Tote   Sale            (top level)  left Sale; no category left, re-homed to top level
  37208347  Trail Runners    Sneakers        Sneakers     unchanged (not in Sale)
  99999999  -                -               -            unknown product, ignored
"
    );
}

#[test]
fn example_text_mode_errors() {
    let (text, ok) = example::text_mode(example::SAMPLE_STORE, 5, &[1]);
    assert!(!ok);
    assert_eq!(
        text,
        "Request:
  POST /api/v3/1003/categories/5/unassignProducts
  {\"productIds\":[1]}

Response: 404
  {\"errorMessage\":\"Category 5 not found\",\"errorCode\":\"CATEGORY_NOT_FOUND\"}
"
    );
    let (text, ok) = example::text_mode(
        "{\"products\":[{\"id\":1,\"name\":\"a\",\"category_ids\":[3]}]}",
        0,
        &[1],
    );
    assert!(!ok);
    assert_eq!(
        text,
        "cannot load the store: invalid store snapshot: product 1 is in category 3, which is not a category\n"
    );
}

#[test]
fn example_arguments() {
    let args =
        |a: &[&str]| example::Options::parse(&a.iter().map(|s| s.to_string()).collect::<Vec<_>>());
    assert_eq!(args(&[]), Ok(Some(example::Options::default())));
    assert_eq!(
        args(&[
            "--category",
            "9",
            "--product",
            "1",
            "2",
            "--store",
            "s.json",
            "--product",
            "3"
        ]),
        Ok(Some(example::Options {
            store: Some("s.json".to_owned()),
            category: Some(9),
            products: Some(vec![1, 2, 3]),
        }))
    );
    assert_eq!(args(&["--help"]), Ok(None));
    assert_eq!(
        args(&["--product"]),
        Err("--product needs at least one id".to_owned())
    );
    assert_eq!(
        args(&["--category"]),
        Err("--category needs an id".to_owned())
    );
    assert_eq!(
        args(&["--category", "-1"]),
        Err("`-1` is not an id (a non-negative integer)".to_owned())
    );
    assert_eq!(
        args(&["--frobnicate"]),
        Err("unknown argument `--frobnicate`".to_owned())
    );
}

// ---------------------------------------------------------------- properties

/// A valid store (categories 1..=n, each parented by 0 or a smaller id;
/// products with distinct ids and any subset of 0..=n as categories), a
/// category that exists, and a request mixing known and unknown ids.
fn scenario() -> impl Strategy<Value = (Store, CategoryId, UnassignProductsRequest)> {
    (0usize..6)
        .prop_flat_map(|n| {
            let max = n as u64;
            (
                proptest::collection::vec(any::<proptest::sample::Index>(), n),
                proptest::collection::btree_map(
                    1u64..30,
                    proptest::collection::vec(0..=max, 0..4),
                    0..12,
                ),
                0..=max,
                proptest::collection::vec(0u64..35, 1..10),
            )
        })
        .prop_map(|(parents, products, category, ids)| {
            let categories = parents
                .iter()
                .enumerate()
                .map(|(i, parent)| {
                    serde_json::json!({"id": i + 1, "parent_id": parent.index(i + 1), "name": format!("c{}", i + 1)})
                })
                .collect::<Vec<_>>();
            let products = products
                .into_iter()
                .map(|(id, mut category_ids)| {
                    category_ids.sort_unstable();
                    category_ids.dedup();
                    category_ids.reverse();
                    serde_json::json!({"id": id, "name": format!("p{id}"), "category_ids": category_ids})
                })
                .collect::<Vec<_>>();
            let store = load(&serde_json::json!({"categories": categories, "products": products}).to_string());
            (store, category, UnassignProductsRequest::new(ids))
        })
}

proptest! {
    #[test]
    fn after_apply_every_product_has_a_category_and_the_store_stays_valid(
        (store, category, request) in scenario()
    ) {
        let plan = ecwid::plan(&store, category, &request, &Limits::default());
        prop_assert!(plan.is_ok());
        let plan = plan.unwrap_or_else(|e| panic!("{e}"));
        let mut after = store.clone();
        ecwid::apply(&mut after, &plan);
        for product in after.products() {
            prop_assert!(!product.category_ids.is_empty());
        }
        prop_assert_eq!(Store::new(after.snapshot().clone()), Ok(after.clone()));
    }

    #[test]
    fn the_set_of_products_is_unchanged_and_unlisted_products_are_untouched(
        (store, category, request) in scenario()
    ) {
        let plan = ecwid::plan(&store, category, &request, &Limits::default())
            .unwrap_or_else(|e| panic!("{e}"));
        let mut after = store.clone();
        ecwid::apply(&mut after, &plan);
        let ids = |s: &Store| s.products().iter().map(|p| p.id).collect::<Vec<_>>();
        prop_assert_eq!(ids(&store), ids(&after));
        prop_assert_eq!(store.categories(), after.categories());
        for (p, q) in store.products().iter().zip(after.products()) {
            prop_assert_eq!(&p.name, &q.name);
            if !request.product_ids.contains(&p.id) {
                prop_assert_eq!(p, q);
            }
        }
    }

    #[test]
    fn delete_count_is_1_exactly_when_a_listed_product_left_the_category(
        (store, category, request) in scenario()
    ) {
        let plan = ecwid::plan(&store, category, &request, &Limits::default())
            .unwrap_or_else(|e| panic!("{e}"));
        let mut after = store.clone();
        ecwid::apply(&mut after, &plan);
        let left = request.product_ids.iter().any(|&id| {
            let was = store.product(id).is_some_and(|p| p.category_ids.contains(&category));
            let is = after.product(id).is_some_and(|p| p.category_ids.contains(&category));
            was && !is
        });
        prop_assert_eq!(plan.response.delete_count, u32::from(left));
        prop_assert_eq!(plan.changes.is_empty(), !left);
        // The category is gone from every listed product, except one left
        // only in the top level when unassigning from the top level.
        for &id in &request.product_ids {
            if let Some(p) = after.product(id) {
                prop_assert!(!p.category_ids.contains(&category) || p.category_ids == [0]);
            }
        }
    }

    #[test]
    fn planning_is_deterministic_pure_and_idempotent(
        (store, category, request) in scenario()
    ) {
        let before = store.clone();
        let first = ecwid::plan(&store, category, &request, &Limits::default());
        let second = ecwid::plan(&store, category, &request, &Limits::default());
        prop_assert_eq!(&first, &second);
        prop_assert_eq!(&store, &before);
        let plan = first.unwrap_or_else(|e| panic!("{e}"));

        // Every distinct listed id lands in exactly one list, in request order.
        let mut distinct = Vec::new();
        for &id in &request.product_ids {
            if !distinct.contains(&id) {
                distinct.push(id);
            }
        }
        let unknown: Vec<ProductId> =
            distinct.iter().copied().filter(|&id| store.product(id).is_none()).collect();
        prop_assert_eq!(&plan.unknown_product_ids, &unknown);
        let known: Vec<ProductId> =
            distinct.iter().copied().filter(|&id| store.product(id).is_some()).collect();
        let mut covered: Vec<ProductId> = plan.changes.iter().map(|c| c.product_id).collect();
        covered.extend(&plan.unchanged);
        covered.sort_unstable();
        let mut known_sorted = known.clone();
        known_sorted.sort_unstable();
        prop_assert_eq!(covered, known_sorted);

        let mut once = store.clone();
        ecwid::apply(&mut once, &plan);
        let mut twice = once.clone();
        ecwid::apply(&mut twice, &plan);
        prop_assert_eq!(&once, &twice);
        for change in &plan.changes {
            prop_assert_eq!(once.product(change.product_id).map(|p| &p.category_ids), Some(&change.after));
        }
    }

    #[test]
    fn stores_round_trip_through_json((store, _category, _request) in scenario()) {
        let text = serde_json::to_string(&store).unwrap_or_else(|e| panic!("{e}"));
        prop_assert_eq!(load(&text), store);
    }
}
