//! detach_nodes: wire format, every error body, semantics, and properties of
//! plan + apply.

use catalog_filter::Limits;
use catalog_filter::catalog::Catalog;
use catalog_filter::elasticpath::detach::{self, DetachNodesRequest, DetachPlan, Grant};
use proptest::prelude::*;
use serde_json::{Value, json};
use std::collections::{BTreeMap, HashSet};

#[allow(dead_code)]
#[path = "../examples/detach.rs"]
mod example;

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
        .map(|p| {
            (
                String::from(p.sku.clone().unwrap_or_default()),
                p.node_ids.iter().map(|n| n.to_string()).collect(),
            )
        })
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
    assert_eq!(
        err,
        json!({"errors": [{"status": "400", "title": "Bad Request",
            "detail": "Could not parse the supplied filter",
            "source": {"pointer": "/data/filter"},
            "meta": {"message": "the filter is 9008 bytes long, over the limit of 8192 bytes",
                     "span": {"start": 0, "end": 0}}}]})
    );
}

#[test]
fn malformed_bodies_are_400_with_the_reason() {
    let c = catalog();
    let cases = [
        (
            "nope",
            "the request body is not valid JSON: expected ident at line 1 column 2",
        ),
        ("[]", "the request body must be a JSON object"),
        ("{}", "the request body has no `data` member"),
        (r#"{"data": 1}"#, "`data` must be an object"),
        (r#"{"data": null}"#, "`data` must be an object"),
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
        (
            r#"{"data": {"filter": "eq(a,b)", "node_ids": ["1", null]}}"#,
            "`data.node_ids` must be an array of strings",
        ),
    ];
    for (body, message) in cases {
        let mut after = c.clone();
        let answer = detach::handle(
            &mut after,
            Some(Grant::ClientCredentials),
            body,
            &Limits::default(),
        );
        assert_eq!(
            (answer.status, serde_json::to_value(&answer.body).unwrap()),
            (
                400,
                json!({"errors": [{"status": "400", "title": "Bad Request", "detail": "Bad Request",
                                   "meta": {"message": message}}]})
            ),
            "{body}"
        );
        assert_eq!(after, c, "{body}");
    }
}

#[test]
fn the_node_ids_limit_is_checked_before_the_filter() {
    let c = catalog();
    let ids: Vec<String> = (0..1001).map(|i| i.to_string()).collect();
    let err = plan(&c, json!({"data": {"filter": "eq(sku,x", "node_ids": ids}})).unwrap_err();
    assert_eq!(
        err,
        json!({"errors": [{"status": "400", "title": "Bad Request", "detail": "Bad Request",
            "source": {"pointer": "/data/node_ids"},
            "meta": {"message": "node_ids has 1001 ids; the limit is 1000 (max_node_ids)"}}]})
    );
}

#[test]
fn limits_are_configurable_and_exactly_at_the_limit_is_fine() {
    let c = catalog();
    let limits = Limits {
        max_node_ids: 3,
        ..Limits::default()
    };
    let request = DetachNodesRequest::new("eq(sku,book)", ["123", "123", "x"]);
    assert!(detach::plan(&c, &request, &limits).is_ok());
    let request = DetachNodesRequest::new("eq(sku,book)", ["123", "123", "x", "x"]);
    assert_eq!(
        serde_json::to_value(detach::plan(&c, &request, &limits).unwrap_err()).unwrap(),
        json!({"errors": [{"status": "400", "title": "Bad Request", "detail": "Bad Request",
            "source": {"pointer": "/data/node_ids"},
            "meta": {"message": "node_ids has 4 ids; the limit is 3 (max_node_ids)"}}]})
    );
}

#[test]
fn authorization_comes_first() {
    let mut c = catalog();
    let before = memberships(&c);
    let body = r#"{"data": {}}"#;
    let a = detach::handle(&mut c, None, body, &Limits::default());
    assert_eq!(
        (a.status, serde_json::to_value(&a.body).unwrap()),
        (
            401,
            json!({"errors": [{"status": "401", "title": "Unauthorized", "detail": "A bearer token is required"}]})
        )
    );
    let a = detach::handle(&mut c, Some(Grant::Implicit), body, &Limits::default());
    assert_eq!(
        (a.status, serde_json::to_value(&a.body).unwrap()),
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
        (a.status, serde_json::to_value(&a.body).unwrap()),
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

#[test]
fn the_request_type_round_trips_and_reads_null_as_absent() {
    let r =
        DetachNodesRequest::from_json(r#"{"data":{"filter":null,"node_ids":null},"x":1}"#).unwrap();
    assert_eq!(r, DetachNodesRequest::default());
    assert_eq!(serde_json::to_string(&r).unwrap(), r#"{"data":{}}"#);
    let r: DetachNodesRequest =
        serde_json::from_str(r#"{"data":{"filter":"eq(sku,book)","node_ids":["123"]}}"#).unwrap();
    assert_eq!(r, DetachNodesRequest::new("eq(sku,book)", ["123"]));
    let resp: detach::DetachNodesResponse =
        serde_json::from_str(r#"{"meta":{"nodes_detached":0,"nodes_not_found":["123"]}}"#).unwrap();
    assert_eq!(
        serde_json::to_string(&resp).unwrap(),
        r#"{"meta":{"nodes_detached":0,"nodes_not_found":["123"]}}"#
    );
}

// ------------------------------------------------------------ the example

/// A small catalog as `--json` input: h1: 123 > 124; two products.
fn json_catalog() -> Value {
    json!({
        "hierarchies": [{"id": "h1", "name": "Shop"}],
        "nodes": [
            {"id": "123", "hierarchy_id": "h1", "name": "Books"},
            {"id": "124", "hierarchy_id": "h1", "parent_id": "123", "name": "Novels"}
        ],
        "products": [
            {"id": BOOK, "sku": "book", "node_ids": ["124", "123"]},
            {"id": PEN, "sku": "pen", "node_ids": ["124"]}
        ]
    })
}

fn json_line(input: Value) -> String {
    example::json_mode(input.to_string().as_bytes())
}

#[test]
fn json_mode_success_is_one_line_status_body_catalog() {
    let out = json_line(json!({
        "catalog": json_catalog(),
        "request": {"data": {"filter": "eq(sku,book)", "node_ids": ["123", "404", "123"]}}
    }));
    // The catalog comes back as given, with only the book's `node_ids`
    // changed (emptied, still present).
    let after =
        json_catalog()
            .to_string()
            .replacen(r#""node_ids":["124","123"]"#, r#""node_ids":[]"#, 1);
    assert_eq!(
        out,
        format!(
            r#"{{"status":200,"body":{{"meta":{{"nodes_detached":1,"nodes_not_found":["404"]}}}},"catalog":{after}}}"#
        )
    );
    // The seed's request and answer on a catalog without node 123.
    let out = json_line(json!({
        "catalog": {"products": [{"id": BOOK, "sku": "book"}]},
        "request": {"data": {"filter": "eq(sku,book)", "node_ids": ["123"]}},
        "grant": "client_credentials"
    }));
    assert_eq!(
        out,
        r#"{"status":200,"body":{"meta":{"nodes_detached":0,"nodes_not_found":["123"]}},"catalog":{"products":[{"id":"7d4f6c2a-1b3e-4f5a-9c8d-0e1f2a3b4c5d","sku":"book"}]}}"#
    );
}

#[test]
fn json_mode_errors_leave_the_catalog_unchanged() {
    let cases = [
        (
            json!({"catalog": json_catalog(), "request": {"data": {"filter": "eqq(sku,book)", "node_ids": ["123"]}}}),
            r#"{"status":400,"body":{"errors":[{"status":"400","title":"Bad Request","detail":"Could not parse the supplied filter","source":{"pointer":"/data/filter"},"meta":{"message":"unknown operator `eqq`; did you mean `eq`?","span":{"start":0,"end":3}}}]},"catalog":CATALOG}"#,
        ),
        (
            json!({"catalog": json_catalog(), "request": {"data": {"filter": " ", "node_ids": []}}}),
            r#"{"status":422,"body":{"errors":[{"status":"422","title":"Failed Validation","detail":"filter can not be empty","source":{"pointer":"/data/filter"}},{"status":"422","title":"Failed Validation","detail":"node_ids can not be empty","source":{"pointer":"/data/node_ids"}}]},"catalog":CATALOG}"#,
        ),
        (
            json!({"catalog": json_catalog()}),
            r#"{"status":400,"body":{"errors":[{"status":"400","title":"Bad Request","detail":"Bad Request","meta":{"message":"the request body must be a JSON object"}}]},"catalog":CATALOG}"#,
        ),
        (
            json!({"catalog": json_catalog(), "grant": null, "request": {"data": {}}}),
            r#"{"status":401,"body":{"errors":[{"status":"401","title":"Unauthorized","detail":"A bearer token is required"}]},"catalog":CATALOG}"#,
        ),
        (
            json!({"catalog": json_catalog(), "grant": "implicit", "request": {"data": {}}}),
            r#"{"status":403,"body":{"errors":[{"status":"403","title":"Forbidden","detail":"This endpoint requires an administrator (client_credentials) token"}]},"catalog":CATALOG}"#,
        ),
    ];
    for (input, expected) in cases {
        assert_eq!(
            json_line(input.clone()),
            expected.replace("CATALOG", &json_catalog().to_string()),
            "{input}"
        );
    }
}

#[test]
fn json_mode_authorizes_before_looking_at_the_catalog() {
    assert_eq!(
        json_line(json!({"grant": null, "catalog": {"products": 5}})),
        r#"{"status":401,"body":{"errors":[{"status":"401","title":"Unauthorized","detail":"A bearer token is required"}]},"catalog":{"products":5}}"#
    );
}

#[test]
fn json_mode_integrity_failure_is_the_vendors_500_and_echoes_the_catalog() {
    let catalog = json!({"products": [
        {"id": "E7D50BD5-1833-43C0-9848-F9D325B08BE8", "node_ids": ["e7d50bd5-1833-43c0-9848-f9d325b08be8"]}
    ]});
    let out = json_line(
        json!({"catalog": catalog, "request": {"data": {"filter": "eq(sku,a)", "node_ids": ["1"]}}}),
    );
    assert_eq!(
        out,
        r#"{"status":500,"body":{"errors":[{"status":"500","title":"Internal server error","detail":"An internal error has occurred.","request_id":"00000000-0000-0000-0000-000000000000","meta":{"message":"catalog snapshot has 1 integrity problem:\n- products[0] (id \"e7d50bd5-1833-43c0-9848-f9d325b08be8\"): unknown node \"e7d50bd5-1833-43c0-9848-f9d325b08be8\"","missing_ids":["e7d50bd5-1833-43c0-9848-f9d325b08be8"]}}]},"catalog":{"products":[{"id":"E7D50BD5-1833-43C0-9848-F9D325B08BE8","node_ids":["e7d50bd5-1833-43c0-9848-f9d325b08be8"]}]}}"#
    );
}

#[test]
fn json_mode_never_panics_on_bad_stdin() {
    let bad = |message: &str, catalog: &str| {
        format!(
            r#"{{"status":400,"body":{{"errors":[{{"status":"400","title":"Bad Request","detail":"Bad Request","meta":{{"message":{}}}}}]}},"catalog":{catalog}}}"#,
            serde_json::to_string(message).unwrap()
        )
    };
    let cases: [(&[u8], String); 8] = [
        (
            b"nope",
            bad(
                "stdin is not valid JSON: expected ident at line 1 column 2",
                "null",
            ),
        ),
        (
            b"",
            bad(
                "stdin is not valid JSON: EOF while parsing a value at line 1 column 0",
                "null",
            ),
        ),
        (b"[1]", bad("stdin must be a JSON object", "null")),
        (
            b"\xff{}",
            bad(
                "stdin is not UTF-8: invalid utf-8 sequence of 1 bytes from index 0",
                "null",
            ),
        ),
        (
            br#"{"grant": 5, "catalog": {}}"#,
            bad(
                "`grant` must be \"client_credentials\", \"implicit\" or null",
                "{}",
            ),
        ),
        (
            br#"{"grant": "admin"}"#,
            bad(
                "`grant` must be \"client_credentials\", \"implicit\" or null",
                "null",
            ),
        ),
        (
            br#"{"request": {}}"#,
            bad("stdin has no `catalog` object", "null"),
        ),
        (
            br#"{"catalog": [1]}"#,
            bad("`catalog` must be a JSON object", "[1]"),
        ),
    ];
    for (input, expected) in cases {
        assert_eq!(
            example::json_mode(input),
            expected,
            "{}",
            String::from_utf8_lossy(input)
        );
    }
    // A catalog of the wrong shape is bad input, with serde's reason.
    let out: Value =
        serde_json::from_str(&example::json_mode(br#"{"catalog": {"products": 5}}"#)).unwrap();
    assert_eq!(out["status"], 400);
    assert_eq!(out["catalog"], json!({"products": 5}));
    let message = out["body"]["errors"][0]["meta"]["message"]
        .as_str()
        .unwrap();
    assert!(
        message.starts_with("`catalog`: catalog snapshot is not valid: invalid type: integer `5`"),
        "{message}"
    );
}

#[test]
fn the_example_sample_run() {
    let nodes: Vec<String> = example::SAMPLE_NODES
        .iter()
        .map(|s| s.to_string())
        .collect();
    let (text, status) = example::text_mode(example::SAMPLE, example::SAMPLE_FILTER, &nodes);
    assert_eq!(status, 200);
    let before = Catalog::from_json(example::SAMPLE).unwrap();
    assert!(before.products().len() >= 30);
    assert_eq!(before.hierarchies().len(), 2);
    for expected in [
        r#"{"data":{"filter":"eq(templates,book):eq(status,live)","node_ids":["a1b2c3d4-0000-4000-8000-00000000a002","node-fiction","node-does-not-exist","node-fiction"]}}"#,
        "Response: 200\n  {\"meta\":{\"nodes_detached\":2,\"nodes_not_found\":[\"node-does-not-exist\"]}}\n",
        "a1b2c3d4-0000-4000-8000-00000000a002  hierarchy \"Seasonal\": all its 4 node(s)\n",
        "node-fiction                          node \"Fiction\" and the 2 node(s) below it\n",
        "node-does-not-exist                   not found\n",
        "node-fiction                          repeated: counted once\n",
        "Changed: 8 product(s) lost 13 membership(s); the other 22 product(s) are untouched.\n",
        "  BOOK-006   Sapiens                    Books on Sale (node-sale-books)                                Non-fiction (node-nonfiction)\n",
    ] {
        assert!(text.contains(expected), "{expected}\n---\n{text}");
    }
    // A draft book and a bundle are not matched.
    assert!(!text.contains("Neuromancer"), "{text}");
    assert!(!text.contains("Sci-Fi Starter Bundle"), "{text}");
}

#[test]
fn the_example_reports_refusals() {
    let (text, status) = example::text_mode(example::SAMPLE, "eq(sku,book)", &[]);
    assert_eq!(status, 422);
    assert!(text.ends_with("Response: 422\n  {\"errors\":[{\"status\":\"422\",\"title\":\"Failed Validation\",\"detail\":\"node_ids can not be empty\",\"source\":{\"pointer\":\"/data/node_ids\"}}]}\n"), "{text}");
    let (text, status) = example::text_mode(
        r#"{"products":[{"id":"00000000-0000-4000-8000-000000000001","node_ids":["x"]}]}"#,
        "eq(sku,book)",
        &["x".to_string()],
    );
    assert_eq!(status, 500);
    assert!(text.contains(r#""missing_ids":["x"]"#), "{text}");
}

#[test]
fn the_example_arguments() {
    let parse =
        |a: &[&str]| example::Options::parse(&a.iter().map(|s| s.to_string()).collect::<Vec<_>>());
    assert_eq!(
        parse(&[
            "--filter",
            "eq(sku,x)",
            "--node",
            "a",
            "b",
            "--node",
            "c",
            "--catalog",
            "f.json"
        ]),
        Ok(Some(example::Options {
            catalog: Some("f.json".into()),
            filter: Some("eq(sku,x)".into()),
            nodes: Some(vec!["a".into(), "b".into(), "c".into()]),
        }))
    );
    assert_eq!(parse(&[]), Ok(Some(example::Options::default())));
    assert_eq!(parse(&["--help"]), Ok(None));
    assert_eq!(
        parse(&["--node"]),
        Err("--node needs at least one id".into())
    );
    assert_eq!(
        parse(&["--node", "--filter", "x"]),
        Err("--node needs at least one id".into())
    );
    assert_eq!(parse(&["--filter"]), Err("--filter needs a FILTER".into()));
    assert_eq!(parse(&["--what"]), Err("unknown argument `--what`".into()));
}

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
