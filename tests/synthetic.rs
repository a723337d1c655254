//! The synthetic catalog generator: deterministic, always valid, realistic.

use catalog_filter::catalog::{Catalog, Product};
use catalog_filter::schema::{CommodityType, Owner, ProductType, Status};
use catalog_filter::synthetic::{self, Config};
use proptest::prelude::*;
use serde_json::Value;
use std::collections::{HashMap, HashSet};

fn sample() -> Catalog {
    synthetic::catalog(11, 3000, 120)
}

#[test]
fn same_seed_same_catalog_other_seed_other_catalog() {
    let a = synthetic::catalog(5, 500, 30);
    let b = synthetic::catalog(5, 500, 30);
    assert_eq!(a, b);
    assert_eq!(a.to_json(), b.to_json());
    let c = synthetic::catalog(6, 500, 30);
    assert_ne!(a.products()[0].id, c.products()[0].id);
    assert_eq!(synthetic::snapshot(5, 500, 30), a.into_snapshot());
}

#[test]
fn output_for_a_seed_is_pinned() {
    // A change here changes every benchmark and test built on the generator:
    // make it on purpose.
    let c = synthetic::catalog(1, 3, 3);
    let summary: Vec<(String, Option<&str>, Option<&str>)> = c
        .products()
        .iter()
        .map(|p| (p.id.to_string(), p.sku.as_deref(), p.name.as_deref()))
        .collect();
    assert_eq!(
        summary,
        [
            (
                "d0bad0da-572b-4af1-ae84-379630af89ee".to_string(),
                Some("TS-0000000"),
                Some("Globex Café Tank Top")
            ),
            (
                "e0285292-5a4d-4852-86c5-d1b05ce2ce14".to_string(),
                Some("GC-0000001"),
                Some("Globex Midnight E-Voucher")
            ),
            (
                "4f05f037-35c3-4951-bc73-014050141d01".to_string(),
                Some("BN-0000002"),
                Some("Urban Traveller Bundle")
            ),
        ]
    );
}

#[test]
fn json_round_trip() {
    let c = sample();
    let back = Catalog::from_json(&c.to_json()).map_err(|e| e.to_string());
    assert_eq!(back.as_ref(), Ok(&c));
    if let Ok(back) = back {
        for i in 0..c.products().len() {
            assert_eq!(back.memberships(i), c.memberships(i));
        }
    }
}

#[test]
fn hierarchies_hold_nested_nodes() {
    let c = sample();
    assert_eq!(c.hierarchies().len(), 3);
    let names: Vec<Option<&str>> = c.hierarchies().iter().map(|h| h.name.as_deref()).collect();
    assert_eq!(
        names,
        [
            Some("Shop by Category"),
            Some("Brands"),
            Some("Collections")
        ]
    );
    for h in c.hierarchies() {
        let range = c.resolve(&h.id).unwrap_or_default();
        assert_eq!(range.len(), 40, "hierarchy {}", h.id);
    }
    // Depth: some node has a grandparent.
    let deep = c.nodes().iter().any(|n| {
        n.parent_id
            .as_deref()
            .and_then(|p| c.node(p))
            .is_some_and(|p| p.parent_id.is_some())
    });
    assert!(deep);
    // Roots and inner nodes both exist; subtrees of roots are larger than one.
    assert!(c.nodes().iter().any(|n| n.parent_id.is_none()));
    assert!(
        c.nodes()
            .iter()
            .any(|n| c.resolve(&n.id).is_some_and(|r| r.len() > 3))
    );
}

#[test]
fn memberships_span_hierarchies() {
    let c = sample();
    let hierarchy_of = |pos: u32| c.node_at(pos).map(|n| n.hierarchy_id.clone());
    let mut without = 0;
    let mut multi_hierarchy = 0;
    let mut per_hierarchy: HashMap<String, usize> = HashMap::new();
    for i in 0..c.products().len() {
        let m = c.memberships(i);
        if m.is_empty() {
            without += 1;
        }
        let hs: HashSet<String> = m.iter().filter_map(|&p| hierarchy_of(p)).collect();
        if hs.len() >= 2 {
            multi_hierarchy += 1;
        }
        for h in hs {
            *per_hierarchy.entry(h).or_default() += 1;
        }
    }
    assert!((50..300).contains(&without), "{without}");
    assert!(multi_hierarchy > 1000, "{multi_hierarchy}");
    assert_eq!(per_hierarchy.len(), 3);
}

fn all<T: PartialEq + Copy>(values: impl Iterator<Item = T>, expected: &[T]) -> bool {
    let seen: Vec<T> = values.collect();
    expected.iter().all(|e| seen.contains(e))
}

#[test]
fn enumerations_take_every_value() {
    let c = sample();
    let p = c.products();
    assert!(all(p.iter().filter_map(|p| p.status), Status::ALL));
    assert!(all(p.iter().filter_map(|p| p.owner), Owner::ALL));
    assert!(all(
        p.iter().filter_map(|p| p.commodity_type),
        CommodityType::ALL
    ));
    assert!(all(
        p.iter().flat_map(|p| p.product_types.iter().copied()),
        ProductType::ALL
    ));
}

#[test]
fn children_follow_their_parent() {
    let c = sample();
    let p = c.products();
    let index: HashMap<_, _> = p.iter().enumerate().map(|(i, p)| (p.id, i)).collect();
    let mut children = 0;
    for (i, child) in p.iter().enumerate() {
        if let Some(parent_id) = child.parent_id {
            children += 1;
            assert_eq!(child.product_types, [ProductType::Child]);
            let parent = index.get(&parent_id).copied();
            assert!(parent.is_some_and(|j| j < i));
            let parent = parent.and_then(|j| p.get(j));
            assert_eq!(
                parent.map(|q| q.product_types.clone()),
                Some(vec![ProductType::Parent])
            );
            let (pn, cn) = (
                parent.and_then(|q| q.name.as_deref()).unwrap_or("?"),
                child.name.as_deref().unwrap_or(""),
            );
            assert!(cn.starts_with(&format!("{pn} - Size ")), "{cn}");
        }
    }
    assert!(children > 100, "{children}");
}

fn field(p: &Product, template: &str, name: &str) -> Option<Value> {
    p.extensions
        .get(template)
        .and_then(|f| f.get(name))
        .map(|v| v.to_json_value())
}

#[test]
fn extensions_hold_text_numbers_and_booleans() {
    let c = sample();
    let p = c.products();
    let isbn = p.iter().find_map(|p| field(p, "book", "isbn"));
    assert!(isbn.is_some_and(|v| {
        v.as_str()
            .is_some_and(|s| s.len() == 13 && s.starts_with("978"))
    }));
    assert!(
        p.iter()
            .any(|p| field(p, "book", "pages").is_some_and(|v| v.is_u64()))
    );
    assert!(
        p.iter()
            .any(|p| field(p, "shoe", "size").is_some_and(|v| v.as_f64() == Some(9.5)))
    );
    assert!(
        p.iter()
            .any(|p| field(p, "shoe", "size").is_some_and(|v| v.as_f64() == Some(10.0)))
    );
    assert!(
        p.iter()
            .any(|p| field(p, "shoe", "waterproof") == Some(Value::Bool(true)))
    );
    assert!(
        p.iter()
            .any(|p| field(p, "shoe", "waterproof") == Some(Value::Bool(false)))
    );
    // Templates name exactly the extension objects.
    for q in p {
        let mut keys: Vec<&str> = q.extensions.keys().map(|k| k.as_str()).collect();
        let mut templates: Vec<&str> = q.templates.iter().map(|t| t.as_str()).collect();
        templates.sort();
        keys.sort();
        assert_eq!(keys, templates);
    }
    assert!(p.iter().any(|p| p.templates.len() == 2));
    assert!(p.iter().any(|p| !p.shopper_attributes.is_empty()));
    assert!(p.iter().any(|p| !p.admin_attributes.is_empty()));
}

#[test]
fn text_fields_are_realistic_and_unique_where_they_should_be() {
    let c = sample();
    let p = c.products();
    let skus: HashSet<&str> = p.iter().filter_map(|p| p.sku.as_deref()).collect();
    let slugs: HashSet<&str> = p.iter().filter_map(|p| p.slug.as_deref()).collect();
    assert_eq!(skus.len(), p.len());
    assert_eq!(slugs.len(), p.len());
    assert!(p.iter().all(|p| p.name.is_some()));
    assert!(
        p.iter()
            .any(|p| p.name.as_deref().is_some_and(|n| !n.is_ascii()))
    );
    assert!(p.iter().any(|p| p.description.is_none()));
    assert!(p.iter().any(|p| p.external_ref.is_some()));
    assert!(p.iter().any(|p| p.upc_ean.is_some()));
    assert!(p.iter().any(|p| p.manufacturer_part_num.is_some()));
    assert!(p.iter().any(|p| p.tags.is_empty()));
    assert!(p.iter().any(|p| p.tags.len() >= 2));
    assert!(p.iter().all(|p| p.other.is_empty()));
}

#[test]
fn timestamps_spread_over_years_and_offsets() {
    let c = sample();
    let mut years = HashSet::new();
    let mut offsets = HashSet::new();
    for p in c.products() {
        let (Some(created), Some(updated)) = (p.created_at, p.updated_at) else {
            panic!("product without timestamps");
        };
        assert!(updated >= created);
        years.insert(created.naive_utc().format("%Y").to_string());
        offsets.insert(created.offset().local_minus_utc());
    }
    assert_eq!(years.len(), 8, "{years:?}");
    assert!(offsets.len() >= 5, "{offsets:?}");
}

#[test]
fn small_and_degenerate_configs() {
    let empty = synthetic::catalog(0, 0, 0);
    assert!(empty.products().is_empty() && empty.nodes().is_empty());
    assert_eq!(empty.hierarchies().len(), 3);

    let no_nodes = synthetic::catalog(0, 10, 0);
    assert!(no_nodes.products().iter().all(|p| p.node_ids.is_empty()));

    let one = Config {
        hierarchies: 0,
        ..Config::new(2, 5, 4)
    }
    .catalog();
    assert_eq!(one.hierarchies().len(), 1);
    assert_eq!(one.nodes().len(), 4);

    let default = Config::default();
    assert_eq!(default, Config::new(0, 1000, 100));
    assert_eq!(default.catalog().products().len(), 1000);
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]
    #[test]
    fn every_config_gives_a_valid_catalog(
        seed in any::<u64>(),
        products in 0usize..120,
        nodes in 0usize..60,
        hierarchies in 0usize..6,
    ) {
        let config = Config { seed, products, nodes, hierarchies };
        let c = Catalog::new(config.snapshot()).map_err(|e| TestCaseError::fail(e.to_string()))?;
        prop_assert_eq!(c.products().len(), products);
        prop_assert_eq!(c.nodes().len(), nodes);
        prop_assert_eq!(c.hierarchies().len(), if nodes > 0 { hierarchies.max(1) } else { hierarchies });
    }
}

#[test]
fn benchmark_snapshot_is_about_100_bytes_a_product() {
    let config = Config::new(3, 2_000, 100);
    let catalog = config.benchmark_catalog();
    let bytes = catalog.to_json().len();
    let per_product = bytes / 2_000;
    assert!(
        (80..=200).contains(&per_product),
        "{per_product} bytes a product"
    );
    // The same products (ids, names, as many memberships) as the full
    // snapshot, nodes with short ids.
    let full = config.catalog();
    for (a, b) in catalog.products().iter().zip(full.products()) {
        assert_eq!((a.id, &a.name, &a.sku), (b.id, &b.name, &b.sku));
        assert_eq!(a.node_ids.len(), b.node_ids.len());
        assert!(a.description.is_none() && a.tags.is_empty() && a.extensions.is_empty());
    }
}
