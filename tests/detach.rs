//! detach_nodes: wire format, every error body, semantics, and properties of
//! plan + apply.

use catalog_filter::Limits;
use catalog_filter::catalog::Catalog;
use catalog_filter::detach::{self, DetachNodesRequest, DetachPlan, Grant};
use proptest::prelude::*;
use serde_json::{Value, json};
use std::collections::BTreeMap;

const BOOK: &str = "7d4f6c2a-1b3e-4f5a-9c8d-0e1f2a3b4c5d";
const PEN: &str = "00000000-0000-4000-8000-000000000001";
const NOVEL: &str = "00000000-0000-4000-8000-000000000002";

/// h1: 123 > 124 > 125, 126 (root); h2: 200.
fn catalog() -> Catalog {
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

fn plan(c: &Catalog, body: Value) -> Result<DetachPlan, Value> {
    let request = DetachNodesRequest::from_json(&body.to_string())
        .map_err(|e| serde_json::to_value(e).unwrap())?;
    detach::plan(c, &request, &Limits::default()).map_err(|e| serde_json::to_value(e).unwrap())
}

fn response(c: &Catalog, filter: &str, nodes: &[&str]) -> Value {
    let p = plan(c, json!({"data": {"filter": filter, "node_ids": nodes}})).unwrap();
    serde_json::to_value(p.response).unwrap()
}

fn memberships(c: &Catalog) -> BTreeMap<String, Vec<String>> {
    c.products()
        .iter()
        .map(|p| (p.sku.clone().unwrap_or_default(), p.node_ids.clone()))
        .collect()
}

fn run(c: &mut Catalog, filter: &str, nodes: &[&str]) -> Value {
    let p = plan(c, json!({"data": {"filter": filter, "node_ids": nodes}})).unwrap();
    detach::apply(c, &p);
    serde_json::to_value(p.response).unwrap()
}

#[test]
fn seed_responses() {
    let c = catalog();
    assert_eq!(
        serde_json::to_string(
            &plan(
                &c,
                json!({"data": {"filter": "eq(sku,book)", "node_ids": ["123"]}})
            )
            .unwrap()
            .response
        )
        .unwrap(),
        r#"{"meta":{"nodes_detached":1,"nodes_not_found":[]}}"#
    );
    let empty =
        Catalog::from_value(json!({"hierarchies": [], "nodes": [], "products": []})).unwrap();
    assert_eq!(
        serde_json::to_string(
            &plan(
                &empty,
                json!({"data": {"filter": "eq(sku,book)", "node_ids": ["123"]}})
            )
            .unwrap()
            .response
        )
        .unwrap(),
        r#"{"meta":{"nodes_detached":0,"nodes_not_found":["123"]}}"#
    );
}

#[test]
fn request_wire_format() {
    let r = DetachNodesRequest::new("eq(sku,book)", ["123"]);
    assert_eq!(
        serde_json::to_string(&r).unwrap(),
        r#"{"data":{"filter":"eq(sku,book)","node_ids":["123"]}}"#
    );
    assert_eq!(
        DetachNodesRequest::from_json(&serde_json::to_string(&r).unwrap()),
        Ok(r)
    );
}

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

// ------------------------------------------------------------ error bodies

#[test]
fn empty_fields_are_422() {
    let c = catalog();
    let filter_err = json!({"status": "422", "title": "Failed Validation", "detail": "filter can not be empty", "source": {"pointer": "/data/filter"}});
    let nodes_err = json!({"status": "422", "title": "Failed Validation", "detail": "node_ids can not be empty", "source": {"pointer": "/data/node_ids"}});
    let cases = [
        (json!({"data": {"node_ids": ["1"]}}), json!([filter_err])),
        (
            json!({"data": {"filter": "", "node_ids": ["1"]}}),
            json!([filter_err]),
        ),
        (
            json!({"data": {"filter": "   ", "node_ids": ["1"]}}),
            json!([filter_err]),
        ),
        (
            json!({"data": {"filter": null, "node_ids": ["1"]}}),
            json!([filter_err]),
        ),
        (json!({"data": {"filter": "eq(sku,x)"}}), json!([nodes_err])),
        (
            json!({"data": {"filter": "eq(sku,x)", "node_ids": []}}),
            json!([nodes_err]),
        ),
        (json!({"data": {}}), json!([filter_err, nodes_err])),
        // Emptiness comes before the filter check.
        (
            json!({"data": {"filter": "eqq(", "node_ids": []}}),
            json!([nodes_err]),
        ),
    ];
    for (body, errors) in cases {
        assert_eq!(
            plan(&c, body.clone()),
            Err(json!({"errors": errors})),
            "{body}"
        );
    }
}

#[test]
fn a_bad_filter_is_the_vendors_400_with_every_reason() {
    let c = catalog();
    let err = plan(
        &c,
        json!({"data": {"filter": "eq(skus,x):eq(has_nodes,true)", "node_ids": ["123"]}}),
    )
    .unwrap_err();
    let detail = |message: &str, start: usize, end: usize| {
        json!({"status": "400", "title": "Bad Request", "detail": "Could not parse the supplied filter",
               "source": {"pointer": "/data/filter"},
               "meta": {"message": message, "span": {"start": start, "end": end}}})
    };
    assert_eq!(
        err,
        json!({"errors": [
            detail("unknown attribute `skus`; did you mean `sku`?", 3, 7),
            detail("invalid value `true` for `has_nodes`: only `false` is supported", 24, 28),
        ]})
    );
}

#[test]
fn limits_are_400_naming_the_limit() {
    let c = catalog();
    let ids: Vec<String> = (0..1001).map(|i| i.to_string()).collect();
    let err = plan(
        &c,
        json!({"data": {"filter": "eq(sku,x)", "node_ids": ids}}),
    )
    .unwrap_err();
    assert_eq!(
        err,
        json!({"errors": [{"status": "400", "title": "Bad Request", "detail": "Bad Request",
            "source": {"pointer": "/data/node_ids"},
            "meta": {"message": "node_ids has 1001 ids; the limit is 1000 (max_node_ids)"}}]})
    );
    let long = format!("eq(sku,{})", "a".repeat(9000));
    let err = plan(&c, json!({"data": {"filter": long, "node_ids": ["1"]}})).unwrap_err();
    assert_eq!(err["errors"][0]["status"], "400");
    assert_eq!(
        err["errors"][0]["meta"]["span"],
        json!({"start": 0, "end": 0})
    );
    assert!(
        err["errors"][0]["meta"]["message"]
            .as_str()
            .unwrap()
            .contains("8192")
    );
}

#[test]
fn malformed_bodies_are_400() {
    let c = catalog();
    let cases = [
        ("nope", "the request body is not valid JSON"),
        ("[]", "the request body must be a JSON object"),
        ("{}", "the request body has no `data` member"),
        (r#"{"data": 1}"#, "`data` must be an object"),
        (
            r#"{"data": {"filter": 5, "node_ids": ["1"]}}"#,
            "`data.filter` must be a string",
        ),
        (
            r#"{"data": {"filter": "eq(a,b)", "node_ids": "1"}}"#,
            "`data.node_ids` must be an array of strings",
        ),
        (
            r#"{"data": {"filter": "eq(a,b)", "node_ids": [1]}}"#,
            "`data.node_ids` must be an array of strings",
        ),
    ];
    for (body, message) in cases {
        let answer = detach::handle(
            &mut c.clone(),
            Some(Grant::ClientCredentials),
            body,
            &Limits::default(),
        );
        assert_eq!(answer.status, 400, "{body}");
        let got = answer.body["errors"][0]["meta"]["message"]
            .as_str()
            .unwrap()
            .to_string();
        assert!(got.starts_with(message), "{body}: {got}");
        assert_eq!(answer.body["errors"][0]["title"], "Bad Request");
    }
}

#[test]
fn authorization_comes_first() {
    let mut c = catalog();
    let before = memberships(&c);
    let body = r#"{"data": {}}"#;
    let a = detach::handle(&mut c, None, body, &Limits::default());
    assert_eq!(
        (a.status, a.body),
        (
            401,
            json!({"errors": [{"status": "401", "title": "Unauthorized", "detail": "A bearer token is required"}]})
        )
    );
    let a = detach::handle(&mut c, Some(Grant::Implicit), body, &Limits::default());
    assert_eq!(
        (a.status, a.body),
        (
            403,
            json!({"errors": [{"status": "403", "title": "Forbidden", "detail": "This endpoint requires an administrator (client_credentials) token"}]})
        )
    );
    let a = detach::handle(
        &mut c,
        Some(Grant::ClientCredentials),
        body,
        &Limits::default(),
    );
    assert_eq!(a.status, 422);
    assert_eq!(memberships(&c), before);
}

#[test]
fn handle_applies_only_on_success() {
    let mut c = catalog();
    let ok = r#"{"data": {"filter": "eq(sku,pen)", "node_ids": ["h1"]}}"#;
    let a = detach::handle(
        &mut c,
        Some(Grant::ClientCredentials),
        ok,
        &Limits::default(),
    );
    assert_eq!(
        (a.status, a.body),
        (
            200,
            json!({"meta": {"nodes_detached": 1, "nodes_not_found": []}})
        )
    );
    assert!(memberships(&c)["pen"].is_empty());
}

#[test]
fn integrity_failures_are_the_vendors_500() {
    let err = Catalog::from_value(json!({"hierarchies": [], "nodes": [], "products": [
        {"id": "e7d50bd5-1833-43c0-9848-f9d325b08be8", "node_ids": ["e7d50bd5-1833-43c0-9848-f9d325b08be8"]}
    ]}))
    .unwrap_err();
    let envelope = serde_json::to_value(detach::integrity_error(err.integrity().unwrap())).unwrap();
    assert_eq!(envelope["errors"][0]["status"], "500");
    assert_eq!(envelope["errors"][0]["title"], "Internal server error");
    assert_eq!(
        envelope["errors"][0]["detail"],
        "An internal error has occurred."
    );
    assert_eq!(
        envelope["errors"][0]["request_id"],
        "00000000-0000-0000-0000-000000000000"
    );
    assert_eq!(
        envelope["errors"][0]["meta"]["missing_ids"],
        json!(["e7d50bd5-1833-43c0-9848-f9d325b08be8"])
    );
}

// ------------------------------------------------------------ properties

const FILTERS: [&str; 8] = [
    "eq(status,live)",
    "like(name,*a*)",
    "eq(has_nodes,false)",
    "eq(product_types,standard)",
    "gt(updated_at,2021-06-01)",
    "like(sku,*1*):eq(commodity_type,physical)",
    "eq(owner,store)",
    "like(sku,*)",
];

fn scenario() -> impl Strategy<Value = (u64, usize, Vec<usize>, Vec<bool>)> {
    (
        any::<u64>(),
        0..FILTERS.len(),
        proptest::collection::vec(any::<usize>(), 1..6),
        proptest::collection::vec(any::<bool>(), 6),
    )
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    #[test]
    fn plan_and_apply_properties((seed, f, picks, unknown) in scenario()) {
        let before = catalog_filter::synthetic::catalog(seed, 120, 25);
        let filter = catalog_filter::compile(FILTERS[f]).unwrap();
        // Node ids: real nodes or hierarchies, or unknown ids.
        let ids: Vec<String> = picks.iter().zip(&unknown).map(|(&k, &u)| {
            let nodes = before.nodes();
            let hs = before.hierarchies();
            if u { format!("missing-{}", k % 3) }
            else if k % 5 == 0 && !hs.is_empty() { hs[k % hs.len()].id.clone() }
            else if nodes.is_empty() { "none".into() }
            else { nodes[k % nodes.len()].id.clone() }
        }).collect();
        let request = DetachNodesRequest::new(FILTERS[f], ids.clone());
        let p = detach::plan(&before, &request, &Limits::default()).unwrap();
        prop_assert_eq!(&p, &detach::plan(&before, &request, &Limits::default()).unwrap(), "planning twice");

        let mut after = before.clone();
        detach::apply(&mut after, &p);

        // The named subtrees, as node ids.
        let mut named = std::collections::HashSet::new();
        for id in &ids {
            if let Some(range) = before.resolve(id) {
                for pos in range { named.insert(before.node_at(pos).unwrap().id.clone()); }
            }
        }
        for (b, a) in before.products().iter().zip(after.products()) {
            prop_assert_eq!(b.id, a.id);
            if !filter.matches(b) {
                prop_assert_eq!(b, a, "unmatched products are unchanged");
            } else {
                let outside: Vec<&String> = b.node_ids.iter().filter(|n| !named.contains(*n)).collect();
                let kept: Vec<&String> = a.node_ids.iter().collect();
                prop_assert_eq!(outside, kept, "exactly the memberships outside the subtrees remain");
            }
        }

        let again = detach::plan(&after, &request, &Limits::default()).unwrap();
        prop_assert!(again.is_empty());
        prop_assert_eq!(again.response, p.response);
    }
}
