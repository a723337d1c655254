//! Plan and apply, and the order of the checks.

use super::*;
use catalog_filter::ecwid::UnassignProductsResponse;

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
