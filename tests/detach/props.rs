//! Properties of plan + apply over generated catalogs.

use super::*;
use proptest::prelude::*;
use std::collections::HashSet;

// ------------------------------------------------------------ properties

/// One condition, drawn from the kinds the generated catalogs make match
/// sometimes and sometimes not.
fn condition() -> impl Strategy<Value = String> {
    let letter = proptest::sample::select(vec!["a", "e", "o", "r", "x", "Z"]);
    let date = (2018u32..2026, 1u32..13).prop_map(|(y, m)| format!("{y}-{m:02}-01"));
    prop_oneof![
        proptest::sample::select(vec!["live", "draft"]).prop_map(|v| format!("eq(status,{v})")),
        letter.clone().prop_map(|c| format!("like(name,*{c}*)")),
        letter.prop_map(|c| format!("like(sku,{}*)", c.to_uppercase())),
        Just("eq(has_nodes,false)".to_string()),
        Just("like(sku,*)".to_string()),
        proptest::sample::subsequence(vec!["standard", "parent", "child", "bundle"], 1..3)
            .prop_map(|v| format!("in(product_types,{})", v.join(","))),
        (proptest::sample::select(vec!["gt", "ge", "lt", "le"]), date)
            .prop_map(|(op, d)| format!("{op}(updated_at,{d})")),
        proptest::sample::select(vec!["physical", "digital"])
            .prop_map(|v| format!("eq(commodity_type,{v})")),
        proptest::sample::select(vec!["store", "organization"])
            .prop_map(|v| format!("eq(owner,{v})")),
        proptest::sample::select(vec!["book", "shoe", "ebook"])
            .prop_map(|v| format!("eq(templates,{v})")),
    ]
}

fn filter() -> impl Strategy<Value = String> {
    proptest::collection::vec(condition(), 1..4).prop_map(|cs| cs.join(":"))
}

/// What a requested id is: a node (by index), a hierarchy (by index), or an
/// unknown id (from a small set, so that repeats happen).
#[derive(Clone, Debug)]
enum Pick {
    Node(usize),
    Hierarchy(usize),
    Unknown(u8),
}

fn picks() -> impl Strategy<Value = Vec<Pick>> {
    let pick = prop_oneof![
        6 => any::<usize>().prop_map(Pick::Node),
        1 => any::<usize>().prop_map(Pick::Hierarchy),
        2 => (0u8..3).prop_map(Pick::Unknown),
    ];
    proptest::collection::vec(pick, 1..8)
}

fn ids_for(catalog: &Catalog, picks: &[Pick]) -> Vec<String> {
    let (nodes, hierarchies) = (catalog.nodes(), catalog.hierarchies());
    picks
        .iter()
        .map(|pick| match *pick {
            Pick::Node(k) if !nodes.is_empty() => nodes[k % nodes.len()].id.clone(),
            Pick::Hierarchy(k) if !hierarchies.is_empty() => {
                hierarchies[k % hierarchies.len()].id.clone()
            }
            Pick::Unknown(k) => format!("missing-{k}"),
            _ => "none".to_string(),
        })
        .collect()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn plan_and_apply_properties(
        seed in any::<u64>(),
        products in 0usize..150,
        node_count in 0usize..30,
        filter_text in filter(),
        picks in picks(),
    ) {
        let before = catalog_filter::synthetic::catalog(seed, products, node_count);
        let filter = catalog_filter::compile(&filter_text).unwrap();
        let ids = ids_for(&before, &picks);
        let request = DetachNodesRequest::new(filter_text.clone(), ids.clone());
        let limits = Limits::default();
        let p = detach::plan(&before, &request, &limits).unwrap();
        prop_assert_eq!(&p, &detach::plan(&before, &request, &limits).unwrap(), "planning twice");

        // The response: distinct found ids, unknown ids once in request order.
        let mut seen = HashSet::new();
        let mut found = 0;
        let mut not_found = Vec::new();
        for id in &ids {
            if seen.insert(id) {
                if before.node(id).is_some() || before.hierarchy(id).is_some() {
                    found += 1;
                } else {
                    not_found.push(id.clone());
                }
            }
        }
        prop_assert_eq!(p.response.meta.nodes_detached, found);
        prop_assert_eq!(&p.response.meta.nodes_not_found, &not_found);

        let mut after = before.clone();
        prop_assert_eq!(detach::apply(&mut after, &p), p.removed_count());

        // The named subtrees, as node ids.
        let mut named = HashSet::new();
        for id in &ids {
            if let Some(range) = before.resolve(id) {
                for pos in range {
                    named.insert(before.node_at(pos).unwrap().id.clone());
                }
            }
        }
        let mut changed = Vec::new();
        for (i, (b, a)) in before.products().iter().zip(after.products()).enumerate() {
            if !filter.matches(b) {
                prop_assert_eq!(b, a, "unmatched products are unchanged");
                continue;
            }
            let outside: Vec<&str> = b.node_ids.iter().map(|n| n.as_str()).filter(|n| !named.contains(*n)).collect();
            let kept: Vec<&str> = a.node_ids.iter().map(|n| n.as_str()).collect();
            prop_assert_eq!(outside, kept, "memberships outside the subtrees stay, in order");
            prop_assert!(a.node_ids.iter().all(|n| !named.contains(n.as_str())), "no matched product is left in a named subtree");
            let mut only_memberships = b.clone();
            only_memberships.node_ids.clone_from(&a.node_ids);
            prop_assert_eq!(&only_memberships, a, "only memberships change");
            if a.node_ids != b.node_ids {
                changed.push(i);
            }
        }
        let planned: Vec<usize> = p.changes().map(|c| c.index).collect();
        prop_assert_eq!(planned, changed, "the plan lists exactly the products that change");

        // apply keeps the catalog's indexes in step with node_ids.
        for (i, product) in after.products().iter().enumerate() {
            let positions: Vec<u32> = product.node_ids.iter().filter_map(|id| after.position(id)).collect();
            prop_assert_eq!(after.memberships(i), positions.as_slice());
        }
        let reloaded = Catalog::from_json(&after.to_json()).unwrap();
        prop_assert_eq!(&reloaded, &after);

        // A retry: the same answer, nothing left to do.
        let again = detach::plan(&after, &request, &limits).unwrap();
        prop_assert!(again.is_empty());
        prop_assert_eq!(&again.response, &p.response);
        let mut twice = after.clone();
        prop_assert_eq!(detach::apply(&mut twice, &p), 0, "applying a plan twice is applying it once");
        prop_assert_eq!(&twice, &after);
    }
}
