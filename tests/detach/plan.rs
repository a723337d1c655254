//! What a plan detaches, and applying it.

use super::*;

#[test]
fn detaches_the_subtree_and_leaves_the_rest() {
    let mut c = catalog();
    let r = run(&mut c, "eq(sku,book)", &["123"]);
    assert_eq!(
        r,
        json!({"meta": {"nodes_detached": 1, "nodes_not_found": []}})
    );
    let m = memberships(&c);
    assert_eq!(m["book"], ["126", "200"]);
    assert_eq!(m["pen"], ["123", "125"], "not matched: untouched");
    assert_eq!(m["book-novel"], ["125", "200"], "not matched: untouched");
}

#[test]
fn a_parent_node_detaches_its_descendants() {
    let mut c = catalog();
    run(&mut c, "like(sku,*)", &["124"]);
    let m = memberships(&c);
    assert_eq!(m["pen"], ["123"], "125 is below 124; 123 is above it");
    assert_eq!(m["book-novel"], ["200"]);
    assert_eq!(m["book"], ["123", "126", "200"]);
}

#[test]
fn a_hierarchy_id_stands_for_all_its_nodes() {
    let mut c = catalog();
    let r = run(&mut c, "like(sku,book*)", &["h1"]);
    assert_eq!(
        r,
        json!({"meta": {"nodes_detached": 1, "nodes_not_found": []}})
    );
    let m = memberships(&c);
    assert_eq!(m["book"], ["200"]);
    assert_eq!(m["book-novel"], ["200"]);
    assert_eq!(m["pen"], ["123", "125"]);
}

#[test]
fn duplicates_and_unknown_ids_count_once_in_request_order() {
    let c = catalog();
    assert_eq!(
        response(
            &c,
            "eq(sku,book)",
            &["x", "123", "y", "123", "x", "h2", "124"]
        ),
        json!({"meta": {"nodes_detached": 3, "nodes_not_found": ["x", "y"]}})
    );
}

#[test]
fn found_ids_count_even_when_nothing_is_detached() {
    let mut c = catalog();
    let before = memberships(&c);
    let r = run(&mut c, "eq(sku,nothing)", &["123", "200"]);
    assert_eq!(
        r,
        json!({"meta": {"nodes_detached": 2, "nodes_not_found": []}})
    );
    assert_eq!(memberships(&c), before);
}

#[test]
fn retry_gets_the_same_answer_and_changes_nothing() {
    let mut c = catalog();
    let first = run(&mut c, "like(sku,*)", &["123", "nope"]);
    let after = memberships(&c);
    let p = plan(
        &c,
        json!({"data": {"filter": "like(sku,*)", "node_ids": ["123", "nope"]}}),
    )
    .unwrap();
    assert!(p.is_empty());
    assert_eq!(serde_json::to_value(&p.response).unwrap(), first);
    detach::apply(&mut c, &p);
    assert_eq!(memberships(&c), after);
}

#[test]
fn the_plan_lists_removed_memberships() {
    let c = catalog();
    let p = plan(
        &c,
        json!({"data": {"filter": "like(sku,*)", "node_ids": ["124", "200"]}}),
    )
    .unwrap();
    let changes: Vec<(usize, String, Vec<String>)> = p
        .changes()
        .map(|ch| {
            (
                ch.index,
                ch.product_id.to_string(),
                ch.removed_node_ids(&c).map(String::from).collect(),
            )
        })
        .collect();
    assert_eq!(
        changes,
        [
            (0, BOOK.to_string(), vec!["200".to_string()]),
            (1, PEN.to_string(), vec!["125".to_string()]),
            (
                2,
                NOVEL.to_string(),
                vec!["125".to_string(), "200".to_string()]
            ),
        ]
    );
}

#[test]
fn overlapping_ids_detach_the_union_once() {
    // h1 covers 123 > 124 > 125 and 126: naming nodes inside it too changes
    // nothing but the count.
    let c = catalog();
    let alone = plan(
        &c,
        json!({"data": {"filter": "like(sku,*)", "node_ids": ["h1"]}}),
    )
    .unwrap();
    let overlapping = plan(
        &c,
        json!({"data": {"filter": "like(sku,*)", "node_ids": ["125", "h1", "124", "126"]}}),
    )
    .unwrap();
    let removed = |p: &DetachPlan| -> Vec<Vec<String>> {
        p.changes()
            .map(|ch| ch.removed_node_ids(&c).map(String::from).collect())
            .collect()
    };
    assert_eq!(removed(&alone), removed(&overlapping));
    assert_eq!(
        removed(&alone),
        [vec!["123", "126"], vec!["123", "125"], vec!["125"]]
    );
    assert_eq!(
        serde_json::to_value(&overlapping.response).unwrap(),
        json!({"meta": {"nodes_detached": 4, "nodes_not_found": []}})
    );
}

#[test]
fn a_hierarchy_without_nodes_is_found_and_detaches_nothing() {
    let c = Catalog::from_value(json!({
        "hierarchies": [{"id": "empty"}, {"id": "h"}],
        "nodes": [{"id": "n", "hierarchy_id": "h"}],
        "products": [{"id": BOOK, "sku": "book", "node_ids": ["n"]}]
    }))
    .unwrap();
    let p = plan(
        &c,
        json!({"data": {"filter": "eq(sku,book)", "node_ids": ["empty"]}}),
    )
    .unwrap();
    assert!(p.is_empty());
    assert_eq!(
        serde_json::to_value(&p.response).unwrap(),
        json!({"meta": {"nodes_detached": 1, "nodes_not_found": []}})
    );
}

#[test]
fn ids_are_opaque_strings() {
    // Case, spaces and the empty string are part of the id: none of these
    // names node "123" or hierarchy "h1"; an empty id is an id, not an empty list.
    let c = catalog();
    assert_eq!(
        response(&c, "eq(sku,book)", &["", " 123", "H1", "123 ", ""]),
        json!({"meta": {"nodes_detached": 0, "nodes_not_found": ["", " 123", "H1", "123 "]}})
    );
}

#[test]
fn the_filter_decides_which_products_lose_memberships() {
    // Every product is in a targeted node; only the matched ones lose them,
    // and a product in no targeted node is never looked at.
    let mut c = catalog();
    let before = memberships(&c);
    run(&mut c, "in(sku,pen,book-novel)", &["125"]);
    let m = memberships(&c);
    assert_eq!(m["pen"], ["123"]);
    assert_eq!(m["book-novel"], ["200"]);
    assert_eq!(m["book"], before["book"]);
    // A product already without the node is unchanged: no empty change.
    let p = plan(
        &c,
        json!({"data": {"filter": "like(sku,*)", "node_ids": ["125"]}}),
    )
    .unwrap();
    assert!(p.is_empty());
}

#[test]
fn apply_keeps_positions_and_node_ids_in_step() {
    let mut c = catalog();
    run(&mut c, "like(sku,book*)", &["124", "200"]);
    // Reloading what apply left gives the same catalog and the same positions.
    let reloaded = Catalog::from_json(&c.to_json()).unwrap();
    assert_eq!(reloaded, c);
    for i in 0..c.products().len() {
        assert_eq!(reloaded.memberships(i), c.memberships(i));
    }
    assert_eq!(memberships(&c)["book-novel"], Vec::<String>::new());
    assert_eq!(memberships(&c)["book"], ["123", "126"]);
}

/// `c`'s memberships as (product id, node ids), in product order.
fn by_product(c: &Catalog) -> Vec<(String, Vec<String>)> {
    c.products()
        .iter()
        .map(|p| {
            (
                p.id.to_string(),
                p.node_ids.iter().map(|n| n.to_string()).collect(),
            )
        })
        .collect()
}

#[test]
fn applying_a_plan_to_another_catalog_skips_moved_products_and_only_removes() {
    let source = catalog();
    let p = plan(
        &source,
        json!({"data": {"filter": "like(sku,*)", "node_ids": ["h1", "200"]}}),
    )
    .unwrap();
    // Not empty: every product loses memberships in `source`.
    assert!(!p.is_empty());
    assert_eq!(p.changes().len(), 3);

    // The same nodes, the products in another order: a change whose product
    // is not at its index is skipped.
    let nodes = json!([
        {"id": "123", "hierarchy_id": "h1"},
        {"id": "124", "hierarchy_id": "h1", "parent_id": "123"},
        {"id": "125", "hierarchy_id": "h1", "parent_id": "124"},
        {"id": "126", "hierarchy_id": "h1"},
        {"id": "200", "hierarchy_id": "h2"}
    ]);
    let mut reordered = Catalog::from_value(json!({
        "hierarchies": [{"id": "h1"}, {"id": "h2"}],
        "nodes": nodes,
        "products": [
            {"id": PEN, "sku": "pen", "node_ids": ["123", "125"]},
            {"id": BOOK, "sku": "book", "node_ids": ["123", "126", "200"]},
            {"id": NOVEL, "sku": "book-novel", "node_ids": ["125", "200"]}
        ]
    }))
    .unwrap();
    assert_eq!(detach::apply(&mut reordered, &p), 2);
    assert_eq!(
        by_product(&reordered),
        [
            (PEN.to_owned(), vec!["123".to_owned(), "125".to_owned()]),
            (
                BOOK.to_owned(),
                vec!["123".to_owned(), "126".to_owned(), "200".to_owned()]
            ),
            (NOVEL.to_owned(), vec![]),
        ]
    );

    // The same product at the same index with other memberships: only
    // memberships the plan names (by position) are removed; others stay.
    let mut other = Catalog::from_value(json!({
        "hierarchies": [{"id": "h1"}, {"id": "h2"}],
        "nodes": nodes,
        "products": [{"id": BOOK, "sku": "book", "node_ids": ["125", "123"]}]
    }))
    .unwrap();
    assert_eq!(detach::apply(&mut other, &p), 1);
    assert_eq!(
        by_product(&other),
        [(BOOK.to_owned(), vec!["125".to_owned()])]
    );

    // A catalog with other nodes altogether: never panics, only removes
    // memberships, and stays a valid catalog.
    let mut foreign = Catalog::from_value(json!({
        "hierarchies": [{"id": "x"}],
        "nodes": [{"id": "only", "hierarchy_id": "x"}],
        "products": [{"id": BOOK, "node_ids": ["only"]}, {"id": PEN}]
    }))
    .unwrap();
    let before = by_product(&foreign);
    let removed = detach::apply(&mut foreign, &p);
    let after = by_product(&foreign);
    assert!(removed <= 1);
    for ((id, was), (same_id, is)) in before.iter().zip(&after) {
        assert_eq!(id, same_id);
        assert!(
            is.iter().all(|n| was.contains(n)),
            "only removes: {was:?} -> {is:?}"
        );
    }
    assert_eq!(Catalog::from_json(&foreign.to_json()).unwrap(), foreign);

    // An empty catalog: nothing to do.
    let mut empty = Catalog::from_json("{}").unwrap();
    assert_eq!(detach::apply(&mut empty, &p), 0);
    assert_eq!(empty.to_json(), "{}");
}

/// Issue 27 D2: one product in very many nodes. `apply` looked each of the
/// product's memberships up in the removed list, so 150,000 memberships
/// with 75,000 removed took ~10^10 comparisons (minutes in a debug build);
/// now it is linear-logarithmic. The answer is pinned exactly: the removed
/// memberships go, the kept ones stay in their order.
#[test]
fn a_product_in_very_many_nodes_is_detached_in_one_pass() {
    const N: usize = 150_000;
    let mut nodes = Vec::with_capacity(N + 2);
    nodes.push(json!({"id": "even", "hierarchy_id": "h"}));
    nodes.push(json!({"id": "odd", "hierarchy_id": "h"}));
    let mut node_ids = Vec::with_capacity(N);
    for i in 0..N {
        let parent = if i % 2 == 0 { "even" } else { "odd" };
        nodes.push(json!({"id": format!("n{i}"), "hierarchy_id": "h", "parent_id": parent}));
        node_ids.push(format!("n{i}"));
    }
    let doc = json!({
        "hierarchies": [{"id": "h"}],
        "nodes": nodes,
        "products": [{"id": "00000000-0000-4000-8000-000000000001", "sku": "many", "node_ids": node_ids}],
    });
    let mut c = Catalog::from_json(&doc.to_string()).unwrap();
    let r = run(&mut c, "eq(sku,many)", &["even"]);
    assert_eq!(
        r,
        json!({"meta": {"nodes_detached": 1, "nodes_not_found": []}})
    );
    let kept: Vec<String> = (0..N)
        .filter(|i| i % 2 == 1)
        .map(|i| format!("n{i}"))
        .collect();
    assert_eq!(memberships(&c)["many"], kept);
}

/// A plan from a detach's resolved effect (what the server journals)
/// removes exactly the named products' memberships in the named nodes, in
/// catalog order, and nothing of the others; unknown ids are ignored.
#[test]
fn a_plan_from_the_resolved_effect_removes_exactly_that() {
    let c = catalog();
    let id = |s: &str| s.parse::<uuid::Uuid>().unwrap();
    let nodes = |ids: &[&str]| ids.iter().map(|s| s.to_string()).collect::<Vec<_>>();
    // NOVEL before BOOK in the request; the plan is in catalog order. PEN
    // is in 123 but not named; 124 holds nobody; "nope" is unknown.
    let p = detach::plan_resolved(
        &c,
        &[
            id(NOVEL),
            id(BOOK),
            id("00000000-0000-4000-8000-0000000000ff"),
        ],
        &nodes(&["123", "200", "124", "nope"]),
    );
    let changes: Vec<(String, usize)> = p
        .changes()
        .map(|ch| (ch.product_id.to_string(), ch.removed_positions.len()))
        .collect();
    assert_eq!(changes, [(BOOK.to_owned(), 2), (NOVEL.to_owned(), 1)]);
    assert_eq!(p.removed_count(), 3);
    let mut after = c.clone();
    assert_eq!(detach::apply(&mut after, &p), 3, "memberships removed");
    let m = memberships(&after);
    assert_eq!(m["book"], ["126"]);
    assert_eq!(m["book-novel"], ["125"]);
    assert_eq!(m["pen"], ["123", "125"], "not named: untouched");
    // Nothing named, or nothing of theirs in the nodes: an empty plan.
    assert!(detach::plan_resolved(&c, &[], &nodes(&["123"])).is_empty());
    assert!(detach::plan_resolved(&c, &[id(BOOK)], &[]).is_empty());
    assert!(detach::plan_resolved(&c, &[id(BOOK)], &nodes(&["124", "125"])).is_empty());
    // The same effect as the request that resolved to it.
    let request = plan(
        &c,
        json!({"data": {"filter": "like(sku,book*)", "node_ids": ["h2"]}}),
    )
    .unwrap();
    let resolved = detach::plan_resolved(&c, &[id(BOOK), id(NOVEL)], &nodes(&["200"]));
    let (mut a, mut b) = (c.clone(), c.clone());
    assert_eq!(
        detach::apply(&mut a, &request),
        detach::apply(&mut b, &resolved)
    );
    assert!(a == b && a != c);
}
