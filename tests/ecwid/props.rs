//! Properties of plan and apply over generated stores, and of writing
//! stores back as read.

use super::*;
use proptest::prelude::*;

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
