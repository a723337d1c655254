//! Catalog snapshots: integrity errors (one by one and all together), JSON
//! round trips, node positions and subtree resolution.
//!
//! Every snapshot is loaded under a deadline (`support/deadline.rs`):
//! loading numbers the nodes and walks parent links to find cycles, and a
//! regression that makes either loop forever must fail here, not hang.

use catalog_filter::catalog::{
    Catalog, CatalogError, Hierarchy, IntegrityError, IntegrityErrors, Node, Product, Snapshot,
};
use catalog_filter::schema::{CommodityType, Owner, ProductType, Status};
use proptest::prelude::*;
use serde_json::{Value, json};
use uuid::Uuid;

#[path = "support/deadline.rs"]
mod deadline;

const P1: &str = "00000000-0000-4000-8000-000000000001";
const P2: &str = "00000000-0000-4000-8000-000000000002";
const P3: &str = "00000000-0000-4000-8000-000000000003";

/// `Catalog::from_value` under the test deadline.
fn from_value(json: Value) -> Result<Catalog, CatalogError> {
    deadline::within("Catalog::from_value", move || Catalog::from_value(json))
}

/// `Catalog::new` under the test deadline.
fn new(snapshot: Snapshot) -> Result<Catalog, CatalogError> {
    deadline::within("Catalog::new", move || Catalog::new(snapshot))
}

fn load(json: Value) -> Catalog {
    match from_value(json) {
        Ok(c) => c,
        Err(e) => panic!("expected a valid catalog: {e}"),
    }
}

fn errors(json: Value) -> Vec<IntegrityError> {
    match from_value(json) {
        Ok(c) => panic!("expected integrity errors, loaded {c:?}"),
        Err(CatalogError::Integrity(e)) => e.into_errors(),
        Err(e) => panic!("expected integrity errors, got {e}"),
    }
}

fn integrity(json: Value) -> IntegrityErrors {
    match from_value(json) {
        Err(CatalogError::Integrity(e)) => e,
        other => panic!("expected integrity errors, got {other:?}"),
    }
}

fn s(text: &str) -> String {
    text.to_string()
}

/// Two hierarchies:
/// h1: shoes(1) > running(2) > trail(3); shoes > boots(4); books(5)
/// h2: brands(6) > acme(7)
fn tree() -> Value {
    json!({
        "hierarchies": [{"id": "h1", "name": "Categories"}, {"id": "h2", "name": "Brands"}],
        "nodes": [
            {"id": "6", "hierarchy_id": "h2", "name": "Brands"},
            {"id": "3", "hierarchy_id": "h1", "parent_id": "2", "name": "Trail"},
            {"id": "1", "hierarchy_id": "h1", "parent_id": null, "name": "Shoes"},
            {"id": "2", "hierarchy_id": "h1", "parent_id": "1", "name": "Running"},
            {"id": "5", "hierarchy_id": "h1", "name": "Books"},
            {"id": "4", "hierarchy_id": "h1", "parent_id": "1", "name": "Boots"},
            {"id": "7", "hierarchy_id": "h2", "parent_id": "6", "name": "Acme"}
        ],
        "products": [
            {"id": P1, "name": "Trail runner", "node_ids": ["3", "7"]},
            {"id": P2, "name": "Novel", "node_ids": ["5"]},
            {"id": P3, "name": "Loose"}
        ]
    })
}

fn ids_at(c: &Catalog, range: std::ops::Range<u32>) -> Vec<&str> {
    range
        .filter_map(|p| c.node_at(p))
        .map(|n| n.id.as_str())
        .collect()
}

// ---------------------------------------------------------------- positions

#[test]
fn positions_are_preorder_grouped_by_hierarchy() {
    let c = load(tree());
    // h1 roots in input order (1, then 5), children in input order (2, then 4).
    assert_eq!(ids_at(&c, 0..7), ["1", "2", "3", "4", "5", "6", "7"]);
    assert_eq!(c.node_at(7), None);
    assert_eq!(c.position("1"), Some(0));
    assert_eq!(c.position("7"), Some(6));
    assert_eq!(c.position("h1"), None);
    assert_eq!(c.position("nope"), None);
}

#[test]
fn resolve_gives_subtrees_and_hierarchies() {
    let c = load(tree());
    assert_eq!(c.resolve("1"), Some(0..4));
    assert_eq!(ids_at(&c, 0..4), ["1", "2", "3", "4"]);
    assert_eq!(c.resolve("2"), Some(1..3));
    assert_eq!(c.resolve("3"), Some(2..3));
    assert_eq!(c.resolve("4"), Some(3..4));
    assert_eq!(c.resolve("5"), Some(4..5));
    assert_eq!(c.resolve("6"), Some(5..7));
    assert_eq!(c.resolve("7"), Some(6..7));
    assert_eq!(c.resolve("h1"), Some(0..5));
    assert_eq!(c.resolve("h2"), Some(5..7));
    assert_eq!(c.resolve("Shoes"), None);
    assert_eq!(c.resolve(""), None);
    assert_eq!(c.subtree(1), Some(1..3));
    assert_eq!(c.subtree(7), None);
}

#[test]
fn hierarchy_without_nodes_resolves_to_an_empty_range() {
    let mut t = tree();
    if let Some(h) = t["hierarchies"].as_array_mut() {
        h.push(json!({"id": "h3"}));
    }
    let c = load(t);
    assert_eq!(c.resolve("h3"), Some(7..7));
    assert_eq!(c.hierarchy("h3").map(|h| h.name.clone()), Some(None));
}

#[test]
fn memberships_are_positions_in_node_ids_order() {
    let c = load(tree());
    assert_eq!(c.memberships(0), &[2, 6]);
    assert_eq!(c.memberships(1), &[4]);
    assert_eq!(c.memberships(2), &[] as &[u32]);
    assert_eq!(c.memberships(3), &[] as &[u32]);
}

#[test]
fn lookups_by_id() {
    let c = load(tree());
    assert_eq!(
        c.node("2"),
        Some(&Node {
            id: s("2"),
            hierarchy_id: s("h1"),
            parent_id: Some(s("1")),
            name: Some(s("Running")),
        })
    );
    assert_eq!(c.node("h1"), None);
    assert_eq!(
        c.hierarchy("h2"),
        Some(&Hierarchy {
            id: s("h2"),
            name: Some(s("Brands"))
        })
    );
    assert_eq!(c.hierarchy("1"), None);
    assert_eq!(c.products().len(), 3);
    assert_eq!(c.nodes().len(), 7);
    assert_eq!(c.hierarchies().len(), 2);
    // Snapshot order is kept.
    assert_eq!(c.nodes()[0].id, "6");
}

#[test]
fn empty_document_is_an_empty_catalog() {
    let c = load(json!({}));
    assert!(c.products().is_empty() && c.nodes().is_empty() && c.hierarchies().is_empty());
    // Written back as read: nothing is added.
    assert_eq!(c.to_json(), "{}");
    let c = load(json!({"hierarchies": null, "nodes": null, "products": null}));
    assert_eq!(c, load(json!({})));
}

// ------------------------------------------------------- integrity, one by one

#[test]
fn duplicate_hierarchy_id() {
    assert_eq!(
        errors(json!({"hierarchies": [{"id": "h"}, {"id": "g"}, {"id": "h"}]})),
        [IntegrityError::DuplicateHierarchyId {
            id: s("h"),
            index: 2,
            first: 0
        }]
    );
}

#[test]
fn duplicate_node_id() {
    assert_eq!(
        errors(json!({
            "hierarchies": [{"id": "h"}],
            "nodes": [
                {"id": "1", "hierarchy_id": "h"},
                {"id": "1", "hierarchy_id": "h"}
            ]
        })),
        [IntegrityError::DuplicateNodeId {
            id: s("1"),
            index: 1,
            first: 0
        }]
    );
}

#[test]
fn node_id_equal_to_a_hierarchy_id() {
    assert_eq!(
        errors(json!({
            "hierarchies": [{"id": "x"}, {"id": "h"}],
            "nodes": [{"id": "h", "hierarchy_id": "x"}]
        })),
        [IntegrityError::NodeIdIsHierarchyId {
            id: s("h"),
            index: 0,
            hierarchy: 1
        }]
    );
}

#[test]
fn node_with_unknown_hierarchy() {
    assert_eq!(
        errors(json!({
            "hierarchies": [{"id": "h"}],
            "nodes": [{"id": "1", "hierarchy_id": "nope"}]
        })),
        [IntegrityError::UnknownHierarchy {
            node: s("1"),
            index: 0,
            hierarchy_id: s("nope")
        }]
    );
}

#[test]
fn node_naming_a_node_as_hierarchy() {
    assert_eq!(
        errors(json!({
            "hierarchies": [{"id": "h"}],
            "nodes": [{"id": "1", "hierarchy_id": "h"}, {"id": "2", "hierarchy_id": "1"}]
        })),
        [IntegrityError::UnknownHierarchy {
            node: s("2"),
            index: 1,
            hierarchy_id: s("1")
        }]
    );
}

#[test]
fn node_with_unknown_parent() {
    assert_eq!(
        errors(json!({
            "hierarchies": [{"id": "h"}],
            "nodes": [
                {"id": "1", "hierarchy_id": "h", "parent_id": "9"},
                {"id": "2", "hierarchy_id": "h", "parent_id": "h"}
            ]
        })),
        [
            IntegrityError::UnknownParentNode {
                node: s("1"),
                index: 0,
                parent_id: s("9")
            },
            IntegrityError::UnknownParentNode {
                node: s("2"),
                index: 1,
                parent_id: s("h")
            }
        ]
    );
}

#[test]
fn parent_in_another_hierarchy() {
    assert_eq!(
        errors(json!({
            "hierarchies": [{"id": "h"}, {"id": "g"}],
            "nodes": [
                {"id": "1", "hierarchy_id": "h"},
                {"id": "2", "hierarchy_id": "g", "parent_id": "1"}
            ]
        })),
        [IntegrityError::ParentInOtherHierarchy {
            node: s("2"),
            index: 1,
            hierarchy_id: s("g"),
            parent_id: s("1"),
            parent_hierarchy_id: s("h")
        }]
    );
}

#[test]
fn parent_cycles_are_reported_once_each() {
    assert_eq!(
        errors(json!({
            "hierarchies": [{"id": "h"}],
            "nodes": [
                {"id": "tail", "hierarchy_id": "h", "parent_id": "c"},
                {"id": "a", "hierarchy_id": "h", "parent_id": "c"},
                {"id": "b", "hierarchy_id": "h", "parent_id": "a"},
                {"id": "c", "hierarchy_id": "h", "parent_id": "b"},
                {"id": "self", "hierarchy_id": "h", "parent_id": "self"},
                {"id": "root", "hierarchy_id": "h"}
            ]
        })),
        [
            IntegrityError::ParentCycle {
                node_ids: vec![s("a"), s("c"), s("b")]
            },
            IntegrityError::ParentCycle {
                node_ids: vec![s("self")]
            }
        ]
    );
}

#[test]
fn product_id_not_a_uuid() {
    assert_eq!(
        errors(json!({"products": [
            {"id": "42"},
            {"id": "0000000000004000800000000000000a"},
            {"id": "{00000000-0000-4000-8000-00000000000a}"},
            {"id": "00000000-0000-4000-8000-00000000000G"},
            {"id": "00000000-0000-4000-8000-00000000000A"}
        ]})),
        [
            IntegrityError::InvalidProductId {
                index: 0,
                value: s("42")
            },
            IntegrityError::InvalidProductId {
                index: 1,
                value: s("0000000000004000800000000000000a")
            },
            IntegrityError::InvalidProductId {
                index: 2,
                value: s("{00000000-0000-4000-8000-00000000000a}")
            },
            IntegrityError::InvalidProductId {
                index: 3,
                value: s("00000000-0000-4000-8000-00000000000G")
            }
        ]
    );
}

#[test]
fn product_parent_id_not_a_uuid() {
    assert_eq!(
        errors(json!({"products": [{"id": P1, "parent_id": "p-1"}, {"id": P2, "parent_id": P1}]})),
        [IntegrityError::InvalidParentId {
            product: s(P1),
            index: 0,
            value: s("p-1")
        }]
    );
}

#[test]
fn parent_id_need_not_name_a_product() {
    let c = load(json!({"products": [{"id": P1, "parent_id": P3}]}));
    assert_eq!(c.products()[0].parent_id, Uuid::try_parse(P3).ok());
}

#[test]
fn duplicate_product_id_any_case() {
    assert_eq!(
        errors(json!({"products": [
            {"id": "00000000-0000-4000-8000-00000000000a"},
            {"id": P2},
            {"id": "00000000-0000-4000-8000-00000000000A"}
        ]})),
        [IntegrityError::DuplicateProductId {
            id: Uuid::from_u128(0x0000_0000_0000_4000_8000_0000_0000_000a),
            index: 2,
            first: 0
        }]
    );
}

#[test]
fn product_naming_unknown_nodes() {
    let mut t = tree();
    t["products"] = json!([
        {"id": P1, "node_ids": ["1", "404", "h1"]},
        {"id": P2, "node_ids": ["404", "405"]}
    ]);
    let e = integrity(t);
    assert_eq!(
        e.errors(),
        [
            IntegrityError::UnknownNode {
                product: s(P1),
                index: 0,
                node_id: s("404")
            },
            IntegrityError::UnknownNode {
                product: s(P1),
                index: 0,
                node_id: s("h1")
            },
            IntegrityError::UnknownNode {
                product: s(P2),
                index: 1,
                node_id: s("404")
            },
            IntegrityError::UnknownNode {
                product: s(P2),
                index: 1,
                node_id: s("405")
            }
        ]
    );
    assert_eq!(e.missing_node_ids(), ["404", "h1", "405"]);
}

#[test]
fn product_naming_a_node_twice() {
    let mut t = tree();
    t["products"] = json!([{"id": P1, "node_ids": ["1", "2", "1", "1"]}]);
    let dup = IntegrityError::DuplicateMembership {
        product: s(P1),
        index: 0,
        node_id: s("1"),
    };
    assert_eq!(errors(t), [dup.clone(), dup]);
}

#[test]
fn product_naming_a_node_twice_in_a_long_list() {
    let mut ids: Vec<String> = (0..40).map(|i| format!("n{i}")).collect();
    let nodes: Vec<Value> = ids
        .iter()
        .map(|id| json!({"id": id, "hierarchy_id": "h"}))
        .collect();
    ids.push(s("n7"));
    let e = errors(json!({
        "hierarchies": [{"id": "h"}],
        "nodes": nodes,
        "products": [{"id": P1, "node_ids": ids}]
    }));
    assert_eq!(
        e,
        [IntegrityError::DuplicateMembership {
            product: s(P1),
            index: 0,
            node_id: s("n7")
        }]
    );
}

// ----------------------------------------------------- integrity, all together

#[test]
fn every_problem_at_once_in_documented_order() {
    let e = integrity(json!({
        "hierarchies": [{"id": "h"}, {"id": "g"}, {"id": "h"}],
        "nodes": [
            {"id": "1", "hierarchy_id": "h"},
            {"id": "1", "hierarchy_id": "h"},
            {"id": "g", "hierarchy_id": "h"},
            {"id": "2", "hierarchy_id": "zz", "parent_id": "99"},
            {"id": "3", "hierarchy_id": "g", "parent_id": "1"},
            {"id": "4", "hierarchy_id": "h", "parent_id": "5"},
            {"id": "5", "hierarchy_id": "h", "parent_id": "4"}
        ],
        "products": [
            {"id": "bad", "parent_id": "worse", "node_ids": ["1", "missing"]},
            {"id": P1, "node_ids": ["3", "3"]},
            {"id": P1, "node_ids": ["missing", "also-missing"]}
        ]
    }));
    assert_eq!(
        e.errors(),
        [
            IntegrityError::DuplicateHierarchyId {
                id: s("h"),
                index: 2,
                first: 0
            },
            IntegrityError::DuplicateNodeId {
                id: s("1"),
                index: 1,
                first: 0
            },
            IntegrityError::NodeIdIsHierarchyId {
                id: s("g"),
                index: 2,
                hierarchy: 1
            },
            IntegrityError::UnknownHierarchy {
                node: s("2"),
                index: 3,
                hierarchy_id: s("zz")
            },
            IntegrityError::UnknownParentNode {
                node: s("2"),
                index: 3,
                parent_id: s("99")
            },
            IntegrityError::ParentInOtherHierarchy {
                node: s("3"),
                index: 4,
                hierarchy_id: s("g"),
                parent_id: s("1"),
                parent_hierarchy_id: s("h")
            },
            IntegrityError::ParentCycle {
                node_ids: vec![s("4"), s("5")]
            },
            IntegrityError::InvalidProductId {
                index: 0,
                value: s("bad")
            },
            IntegrityError::InvalidParentId {
                product: s("bad"),
                index: 0,
                value: s("worse")
            },
            IntegrityError::UnknownNode {
                product: s("bad"),
                index: 0,
                node_id: s("missing")
            },
            IntegrityError::DuplicateMembership {
                product: s(P1),
                index: 1,
                node_id: s("3")
            },
            IntegrityError::DuplicateProductId {
                id: Uuid::from_u128(1 | 0x4000_8000_0000_0000_0000),
                index: 2,
                first: 1
            },
            IntegrityError::UnknownNode {
                product: s(P1),
                index: 2,
                node_id: s("missing")
            },
            IntegrityError::UnknownNode {
                product: s(P1),
                index: 2,
                node_id: s("also-missing")
            },
        ]
    );
    assert_eq!(e.missing_node_ids(), ["missing", "also-missing"]);
    assert_eq!(
        e.to_string(),
        format!(
            "catalog snapshot has 14 integrity problems:\n\
             - hierarchies[2]: id \"h\" is already used by hierarchies[0]\n\
             - nodes[1]: id \"1\" is already used by nodes[0]\n\
             - nodes[2]: id \"g\" is also the id of hierarchies[1]\n\
             - nodes[3] (id \"2\"): unknown hierarchy_id \"zz\"\n\
             - nodes[3] (id \"2\"): unknown parent node \"99\"\n\
             - nodes[4] (id \"3\") is in hierarchy \"g\" but its parent \"1\" is in hierarchy \"h\"\n\
             - nodes form a parent cycle: \"4\" -> \"5\" -> \"4\"\n\
             - products[0]: id \"bad\" is not a UUID\n\
             - products[0] (id \"bad\"): parent_id \"worse\" is not a UUID\n\
             - products[0] (id \"bad\"): unknown node \"missing\"\n\
             - products[1] (id \"{P1}\"): node \"3\" is listed more than once\n\
             - products[2]: id {P1} is already used by products[1]\n\
             - products[2] (id \"{P1}\"): unknown node \"missing\"\n\
             - products[2] (id \"{P1}\"): unknown node \"also-missing\""
        )
    );
}

#[test]
fn single_problem_display() {
    let e = integrity(json!({"products": [{"id": P1, "node_ids": ["7"]}]}));
    assert_eq!(
        e.to_string(),
        format!(
            "catalog snapshot has 1 integrity problem:\n- products[0] (id \"{P1}\"): unknown node \"7\""
        )
    );
    assert_eq!((&e).into_iter().count(), 1);
}

#[test]
fn typed_snapshot_is_checked_too() {
    let id = Uuid::from_u128(7);
    let product = Product {
        id,
        node_ids: vec!["x".into()],
        ..Product::default()
    };
    let snapshot = Snapshot {
        products: vec![product.clone(), product],
        ..Snapshot::default()
    };
    let e = match new(snapshot) {
        Err(CatalogError::Integrity(e)) => e,
        other => panic!("expected integrity errors, got {other:?}"),
    };
    assert_eq!(
        e.into_errors(),
        [
            IntegrityError::UnknownNode {
                product: id.to_string(),
                index: 0,
                node_id: s("x")
            },
            IntegrityError::DuplicateProductId {
                id,
                index: 1,
                first: 0
            },
            IntegrityError::UnknownNode {
                product: id.to_string(),
                index: 1,
                node_id: s("x")
            },
        ]
    );
}

// ------------------------------------------------------------ JSON and serde

#[test]
fn malformed_json_is_a_json_error_with_location() {
    let e = Catalog::from_json("{\"products\": [}").map(|_| ());
    match e {
        Err(CatalogError::Json(j)) => {
            assert_eq!(j.line(), 1);
            assert!(j.to_string().contains("column"), "{j}");
        }
        other => panic!("expected a JSON error, got {other:?}"),
    }
    let e = Catalog::from_json(r#"{"products": [{"name": "no id"}]}"#);
    assert!(
        matches!(&e, Err(CatalogError::Json(j)) if j.to_string().starts_with("missing field `id`")),
        "{e:?}"
    );
    let e = Catalog::from_json(r#"{"products": [{"id": "x", "status": "Live"}]}"#);
    assert!(
        matches!(&e, Err(CatalogError::Json(j)) if j.to_string().starts_with("unknown variant `Live`")),
        "{e:?}"
    );
    let e = Catalog::from_json(r#"{"products": [{"id": "x", "created_at": "2024-01-01"}]}"#);
    assert!(
        matches!(&e, Err(CatalogError::Json(j)) if j.to_string().starts_with("invalid RFC 3339 timestamp \"2024-01-01\"")),
        "{e:?}"
    );
    assert!(matches!(
        Catalog::from_json(r#"{"nodes": [{"id": 1, "hierarchy_id": "h"}]}"#),
        Err(CatalogError::Json(_))
    ));
}

fn full_snapshot() -> Value {
    json!({
        "hierarchies": [{"id": "h1", "name": "Categories"}, {"id": "h2"}],
        "nodes": [
            {"id": "1", "hierarchy_id": "h1", "name": "Books"},
            {"id": "2", "hierarchy_id": "h1", "parent_id": "1"},
            {"id": "3", "hierarchy_id": "h2", "name": "Sale"}
        ],
        "products": [
            {
                "id": P1,
                "sku": "BK-1",
                "slug": "the-book",
                "name": "The Book",
                "upc_ean": "0123456789012",
                "manufacturer_part_num": "MPN-1",
                "description": "A book. \u{1F4D6}",
                "external_ref": "ext-1",
                "status": "live",
                "commodity_type": "physical",
                "owner": "store",
                "product_types": ["child"],
                "parent_id": P3,
                "tags": ["new", "sale"],
                "templates": ["book"],
                "created_at": "2021-03-04T05:06:07Z",
                "updated_at": "2024-01-02T03:04:05.123+05:30",
                "extensions": {"book": {"isbn": "1765426", "pages": 320, "hardcover": true, "rating": 4.5}},
                "shopper_attributes": {"color": "red"},
                "admin_attributes": {"cost": 12},
                "node_ids": ["3", "2"],
                "locales": {"fr-FR": {"name": "Le Livre"}},
                "weight_g": null
            },
            {"id": P2}
        ]
    })
}

#[test]
fn typed_fields_are_read() {
    let c = load(full_snapshot());
    let p = &c.products()[0];
    assert_eq!(p.id, Uuid::from_u128(1 | 0x4000_8000_0000_0000_0000));
    assert_eq!(p.sku.as_deref(), Some("BK-1"));
    assert_eq!(p.status, Some(Status::Live));
    assert_eq!(p.commodity_type, Some(CommodityType::Physical));
    assert_eq!(p.owner, Some(Owner::Store));
    assert_eq!(p.product_types, [ProductType::Child]);
    assert_eq!(p.parent_id.map(|u| u.to_string()), Some(s(P3)));
    assert_eq!(
        p.created_at.map(|t| t.timestamp_millis()),
        Some(1_614_834_367_000)
    );
    assert_eq!(
        p.updated_at
            .map(|t| (t.timestamp_millis(), t.offset().local_minus_utc())),
        Some((1_704_144_845_123, 19_800))
    );
    assert_eq!(p.extensions["book"]["pages"], json!(320));
    assert_eq!(p.shopper_attributes["color"], json!("red"));
    assert_eq!(p.admin_attributes["cost"], json!(12));
    assert_eq!(p.node_ids, ["3", "2"]);
    assert_eq!(
        p.other,
        json!({"locales": {"fr-FR": {"name": "Le Livre"}}, "weight_g": null})
            .as_object()
            .cloned()
            .unwrap_or_default()
    );
    assert_eq!(c.memberships(0), &[2, 1]);
    let bare = &c.products()[1];
    assert_eq!(
        bare,
        &Product {
            id: Uuid::from_u128(2 | 0x4000_8000_0000_0000_0000),
            ..Product::default()
        }
    );
}

#[test]
fn json_round_trip_is_exact() {
    let original = full_snapshot();
    let c = load(original.clone());
    let written: Value = match serde_json::from_str(&c.to_json()) {
        Ok(v) => v,
        Err(e) => panic!("{e}"),
    };
    assert_eq!(written, original);
    // And through the typed Snapshot, and serde of the Catalog itself.
    assert_eq!(
        serde_json::to_value(c.to_snapshot()).ok(),
        Some(original.clone())
    );
    assert_eq!(serde_json::to_value(&c).ok(), Some(original.clone()));
    assert_eq!(
        Catalog::new(c.clone().into_snapshot()).ok(),
        Some(c.clone())
    );
    let via_serde: Result<Catalog, _> = serde_json::from_value(original);
    assert_eq!(via_serde.ok(), Some(c));
}

#[test]
fn round_trip_keeps_spelling() {
    // Ids keep their case, timestamps their spelling, nulls and empty
    // objects stay, members keep their order.
    let text = r#"{"products":[{"id":"ABCDEF00-0000-4000-8000-000000000001","created_at":"2021-03-04T05:06:07+00:00","updated_at":"2021-03-04t05:06:07.500000Z","tags":null,"sku":null,"extensions":{}}]}"#;
    let c = Catalog::from_json(text).unwrap();
    assert_eq!(c.to_json(), text);
    assert_eq!(
        c.products()[0].updated_at.map(|t| t.timestamp_millis()),
        Some(1_614_834_367_500)
    );
    assert_eq!(Catalog::from_json(&c.to_json()).ok(), Some(c));
}

#[test]
fn from_slice_and_deserialize_agree() {
    let text = full_snapshot().to_string();
    let a = Catalog::from_slice(text.as_bytes()).ok();
    let b = Catalog::from_json(&text).ok();
    assert!(a.is_some());
    assert_eq!(a, b);
    let e = serde_json::from_str::<Catalog>(r#"{"products":[{"id":"x"}]}"#).map(|_| ());
    assert!(
        matches!(&e, Err(j) if j.to_string().starts_with("catalog snapshot has 1 integrity problem:\n- products[0]: id \"x\" is not a UUID")),
        "{e:?}"
    );
}

// ------------------------------------------------------------------ property

/// A random forest over `n` nodes in up to 3 hierarchies: node i's parent is
/// an earlier node of the same hierarchy, or none. Shuffled by `rotate` so
/// parents may come after children in the snapshot.
fn forest() -> impl Strategy<Value = (Vec<Node>, usize)> {
    (1usize..40, 1usize..4).prop_flat_map(|(n, h)| {
        (
            proptest::collection::vec((0usize..h, proptest::option::of(0usize..64)), n),
            0..n,
            Just(h),
        )
            .prop_map(|(spec, rotate, h)| {
                let mut nodes: Vec<Node> = Vec::new();
                for (i, (hier, parent)) in spec.iter().enumerate() {
                    let parent = parent.and_then(|p| {
                        let same: Vec<usize> = (0..i).filter(|&j| spec[j].0 == *hier).collect();
                        same.get(p % same.len().max(1)).copied()
                    });
                    nodes.push(Node {
                        id: format!("n{i}"),
                        hierarchy_id: format!("h{hier}"),
                        parent_id: parent.map(|p| format!("n{p}")),
                        name: None,
                    });
                }
                nodes.rotate_left(rotate);
                (nodes, h)
            })
    })
}

proptest! {
    #[test]
    fn resolve_is_exactly_the_descendants((nodes, h) in forest()) {
        let snapshot = Snapshot {
            hierarchies: (0..h).map(|i| Hierarchy { id: format!("h{i}"), name: None }).collect(),
            nodes: nodes.clone(),
            products: Vec::new(),
        };
        let c = new(snapshot).map_err(|e| TestCaseError::fail(e.to_string()))?;
        let parent_of = |id: &str| nodes.iter().find(|n| n.id == id).and_then(|n| n.parent_id.clone());
        let is_below = |d: &str, a: &str| {
            let mut at = Some(d.to_string());
            while let Some(x) = at {
                if x == a { return true; }
                at = parent_of(&x);
            }
            false
        };
        for a in &nodes {
            let range = c.resolve(&a.id).ok_or_else(|| TestCaseError::fail("unresolved"))?;
            let mut inside: Vec<&str> = ids_at(&c, range);
            inside.sort_unstable();
            let mut expected: Vec<&str> = nodes.iter().filter(|d| is_below(&d.id, &a.id)).map(|d| d.id.as_str()).collect();
            expected.sort_unstable();
            prop_assert_eq!(inside, expected);
        }
        for i in 0..h {
            let hid = format!("h{i}");
            let range = c.resolve(&hid).ok_or_else(|| TestCaseError::fail("unresolved"))?;
            let mut inside: Vec<&str> = ids_at(&c, range);
            inside.sort_unstable();
            let mut expected: Vec<&str> = nodes.iter().filter(|d| d.hierarchy_id == hid).map(|d| d.id.as_str()).collect();
            expected.sort_unstable();
            prop_assert_eq!(inside, expected);
        }
        // Positions are a permutation of the nodes.
        let mut all: Vec<&str> = ids_at(&c, 0..nodes.len() as u32);
        all.sort_unstable();
        all.dedup();
        prop_assert_eq!(all.len(), nodes.len());
    }
}

#[test]
fn one_ulp_float_matches_its_own_value_and_round_trips() {
    let text = r#"{"products":[{"id":"00000000-0000-4000-8000-000000000001","extensions":{"t":{"f":0.9455199068242589}}}]}"#;
    let c = Catalog::from_json(text).unwrap();
    assert_eq!(c.to_json(), text);
    let f = catalog_filter::compile("eq(extensions.t.f,0.9455199068242589)").unwrap();
    assert!(f.matches(&c.products()[0]));
    let f = catalog_filter::compile("eq(extensions.t.f,0.9455199068242588)").unwrap();
    assert!(!f.matches(&c.products()[0]));
}

#[test]
fn every_object_comes_back_byte_for_byte() {
    let text = r#"{"v":1,"hierarchies":[{"id":"h","name":"H","x":[]}],"nodes":[{"id":"a","hierarchy_id":"h","parent_id":null,"n":1E400},{"id":"b","hierarchy_id":"h","parent_id":"a","d":null}],"products":[{"node_ids":["a","b"],"id":"ABCDEF00-0000-4000-8000-000000000001","big":12345678901234567890123,"z":-0,"e":1e2,"created_at":"2021-03-04T05:06:07.123456789123-00:00","tags":[],"description":null,"extensions":{"t":{"f":0.9455199068242589,"s":"caf\u00e9"}}},{"id":"00000000-0000-4000-8000-000000000002","node_ids":["b"]}],"tail":{"k":[1,{"q":2}]}}"#;
    let mut c = Catalog::from_json(text).unwrap();
    assert_eq!(c.to_json(), text);
    // Pretty input: to_json is its compact form; write_json_as_read keeps it.
    let pretty = text.replace(r#",""#, ",\n  \"").replace(":[", " : [ ");
    let p = Catalog::from_json(&pretty).unwrap();
    assert_eq!(p.to_json(), text);
    let mut as_read = Vec::new();
    p.write_json_as_read(&mut as_read).unwrap();
    assert_eq!(String::from_utf8(as_read).unwrap(), pretty);

    // A detach changes only the node_ids lists the plan names.
    use catalog_filter::Limits;
    use catalog_filter::elasticpath::detach::{self, DetachNodesRequest};
    let request = DetachNodesRequest::new("eq(id,abcdef00-0000-4000-8000-000000000001)", ["b"]);
    let plan = detach::plan(&c, &request, &Limits::default()).unwrap();
    assert!(!plan.is_empty());
    detach::apply(&mut c, &plan);
    assert_eq!(
        c.to_json(),
        text.replacen(r#""node_ids":["a","b"]"#, r#""node_ids":["a"]"#, 1)
    );
}

#[test]
fn oversized_and_hostile_documents_are_answered() {
    let deep = format!(
        r#"{{"products":[{{"id":"00000000-0000-4000-8000-000000000001","x":{}1{}}}]}}"#,
        "[".repeat(100_000),
        "]".repeat(100_000)
    );
    assert!(Catalog::from_json(&deep).is_ok());
    let deep_known = format!(
        r#"{{"products":[{{"id":"00000000-0000-4000-8000-000000000001","tags":{}]}}"#,
        "[".repeat(100_000)
    );
    assert!(matches!(
        Catalog::from_json(&deep_known),
        Err(CatalogError::Json(_))
    ));
    let limits = catalog_filter::Limits {
        max_snapshot_bytes: 10,
        ..catalog_filter::Limits::default()
    };
    let text = std::sync::Arc::new(r#"{"products":[]}"#.to_owned());
    assert!(matches!(
        Catalog::load(text.clone(), 0..15, &limits),
        Err(CatalogError::TooLarge {
            bytes: 15,
            limit: 10
        })
    ));
    // The Ecwid store follows the same rule (one definition, in json.rs).
    assert!(matches!(
        catalog_filter::ecwid::Store::load(text, 0..15, &limits),
        Err(catalog_filter::ecwid::StoreLoadError::TooLarge {
            bytes: 15,
            limit: 10
        })
    ));
}

/// `Catalog::from_json`'s error text, under the test deadline.
fn load_error(text: &'static str) -> String {
    deadline::within("Catalog::from_json", move || {
        match Catalog::from_json(text) {
            Ok(_) => panic!("{text} loaded"),
            Err(e) => e.to_string(),
        }
    })
}

#[test]
fn a_member_given_twice_is_an_error_in_every_object() {
    for (text, place) in [
        // A product's known members: the last `sku` is no longer the one filtered on.
        (
            r#"{"products":[{"id":"00000000-0000-4000-8000-000000000001","sku":"b","sku":"a"}]}"#,
            "member `sku` given twice at line 1 column 69",
        ),
        (
            r#"{"products":[{"id":"00000000-0000-4000-8000-000000000001","extensions":{},"extensions":{}}]}"#,
            "member `extensions` given twice at line 1 column 75",
        ),
        // Unknown members, of the top level, hierarchies, nodes and products,
        // and inside free-form values.
        (
            "{\"x\":1,\n\"x\":1}",
            "member `x` given twice at line 2 column 1",
        ),
        (
            r#"{"hierarchies":[{"id":"h","x":1,"x":1}]}"#,
            "member `x` given twice at line 1 column 33",
        ),
        (
            r#"{"nodes":[{"id":"n","hierarchy_id":"h","x":1,"x":1}]}"#,
            "member `x` given twice at line 1 column 46",
        ),
        (
            r#"{"products":[{"id":"00000000-0000-4000-8000-000000000001","extensions":{"t":{"f":1,"f":2}}}]}"#,
            "member `f` given twice at line 1 column 84",
        ),
    ] {
        assert_eq!(
            load_error(text),
            format!("catalog snapshot is not valid: {place}"),
            "{text}"
        );
    }
}

#[test]
fn a_lone_surrogate_escape_is_an_error_wherever_it_stands() {
    for (text, place) in [
        (r#"{"x":"\ud800"}"#, "line 1 column 7"),
        (
            r#"{"hierarchies":[{"id":"h","name":"\udc00"}]}"#,
            "line 1 column 35",
        ),
        (
            r#"{"nodes":[{"id":"n","hierarchy_id":"h","\ud800":1}]}"#,
            "line 1 column 41",
        ),
        (
            "{\"products\":[{\"id\":\"00000000-0000-4000-8000-000000000001\",\n\"extensions\":{\"t\":{\"f\":[\"\\ud800\"]}}}]}",
            "line 2 column 26",
        ),
    ] {
        let escape = if text.contains("udc00") {
            "\\udc00"
        } else {
            "\\ud800"
        };
        assert_eq!(
            load_error(text),
            format!(
                "catalog snapshot is not valid: lone surrogate `{escape}` (not Unicode text) at {place}"
            ),
            "{text}"
        );
    }
    // A pair is text.
    assert!(Catalog::from_json(r#"{"x":"\ud83d\ude00"}"#).is_ok());
}

#[test]
fn error_positions_are_in_the_whole_document_not_in_a_list_read_again() {
    // The bad element is on line 6; its list ends there too. (It was
    // placed in the list's own text, "line 2 column 2".)
    let text = "{\"products\": [\n  {\"id\": \"00000000-0000-4000-8000-000000000001\",\n   \"node_ids\": [\n     \"a\",\n     \"b\",\n     5]}\n]}";
    assert_eq!(
        load_error(text),
        "catalog snapshot is not valid: invalid type: integer `5`, expected a string at line 6 column 8"
    );
}
