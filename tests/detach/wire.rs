//! The wire: the seed's responses, the request format, every error body.

use super::*;
use catalog_filter::elasticpath::detach::Grant;

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

/// A top-level OR (the Go helper's and the carts reference's form) parses,
/// and detach_nodes refuses it with the OR message spanning the whole
/// alternation.
#[test]
fn a_top_level_or_is_the_vendors_400_spanning_the_alternation() {
    let c = catalog();
    let err = plan(
        &c,
        json!({"data": {"filter": " eq(sku,book) | eq(sku,x) ", "node_ids": ["123"]}}),
    )
    .unwrap_err();
    assert_eq!(
        err,
        json!({"errors": [{"status": "400", "title": "Bad Request",
            "detail": "Could not parse the supplied filter",
            "source": {"pointer": "/data/filter"},
            "meta": {"message": "OR groups are not supported by detach_nodes",
                     "span": {"start": 1, "end": 25}}}]})
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
            None,
        ),
        // A member given twice, in any object, is a JSON error.
        (
            r#"{"data": {"filter": "eq(a,b)", "filter": "eq(a,c)", "node_ids": ["1"]}}"#,
            "the request body is not valid JSON: member `filter` given twice at line 1 column 32",
            None,
        ),
        (
            r#"{"data": {"filter": "eq(a,b)", "node_ids": ["1"]}, "x": 1, "x": 2}"#,
            "the request body is not valid JSON: member `x` given twice at line 1 column 60",
            None,
        ),
        ("[]", "the request body must be a JSON object", None),
        ("{}", "the request body has no `data` member", None),
        (r#"{"data": 1}"#, "`data` must be an object", None),
        (r#"{"data": null}"#, "`data` must be an object", None),
        (
            r#"{"data": {"filter": 5, "node_ids": ["1"]}}"#,
            "`data.filter` must be a string",
            Some("/data/filter"),
        ),
        (
            r#"{"data": {"filter": "eq(a,b)", "node_ids": "1"}}"#,
            "`data.node_ids` must be an array of strings",
            Some("/data/node_ids"),
        ),
        (
            r#"{"data": {"filter": "eq(a,b)", "node_ids": [1]}}"#,
            "`data.node_ids` must be an array of strings",
            Some("/data/node_ids"),
        ),
        (
            r#"{"data": {"filter": "eq(a,b)", "node_ids": ["1", null]}}"#,
            "`data.node_ids` must be an array of strings",
            Some("/data/node_ids"),
        ),
    ];
    for (body, message, pointer) in cases {
        let mut after = c.clone();
        let answer = detach::handle(
            &mut after,
            Some(Grant::ClientCredentials),
            body,
            &Limits::default(),
        );
        let mut error = json!({"status": "400", "title": "Bad Request", "detail": "Bad Request",
                               "meta": {"message": message}});
        if let Some(pointer) = pointer {
            error["source"] = json!({ "pointer": pointer });
        }
        assert_eq!(
            (answer.status, serde_json::to_value(&answer.body).unwrap()),
            (400, json!({ "errors": [error] })),
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

/// Issue 27 D1: `handle` counts `node_ids` while reading the body. A list
/// far over the limit is the same 400 as a small over-limit list, with its
/// exact length, even when the ids past the limit are not strings (they
/// are counted, never read); the checks before the count still come first;
/// junk anywhere is skipped.
#[test]
fn handle_counts_node_ids_while_reading() {
    let c = catalog();
    let answer = |body: &str| {
        let mut after = c.clone();
        let a = detach::handle(
            &mut after,
            Some(Grant::ClientCredentials),
            body,
            &Limits::default(),
        );
        assert_eq!(after, c, "{body}");
        (a.status, serde_json::to_value(&a.body).unwrap())
    };
    let too_many = |n: usize| {
        (
            400,
            json!({"errors": [{"status": "400", "title": "Bad Request", "detail": "Bad Request",
                "source": {"pointer": "/data/node_ids"},
                "meta": {"message": format!("node_ids has {n} ids; the limit is 1000 (max_node_ids)")}}]}),
        )
    };
    // 1000 strings, then 199,000 elements that are not ids at all.
    let ids = format!(
        "{}{}",
        r#""a","#.repeat(1000),
        r#"1,null,{"x":[1]},["y"],true,"#.repeat(39_800).trim_end_matches(',')
    );
    let body = format!(r#"{{"data": {{"filter": "eq(sku,x)", "node_ids": [{ids}]}}}}"#);
    assert_eq!(answer(&body), too_many(200_000));
    // The filter is checked after the count, as for a small list.
    let body = format!(r#"{{"data": {{"filter": "eq(sku,x", "node_ids": [{ids}]}}}}"#);
    assert_eq!(answer(&body), too_many(200_000));
    // Emptiness comes first: a missing filter is the 422, as for a small list.
    let body = format!(r#"{{"data": {{"node_ids": [{ids}], "filter": "  "}}}}"#);
    assert_eq!(
        answer(&body),
        (
            422,
            json!({"errors": [{"status": "422", "title": "Failed Validation",
                "detail": "filter can not be empty", "source": {"pointer": "/data/filter"}}]})
        )
    );
    // Within the limit the types are checked, as before.
    let body = r#"{"data": {"filter": "eq(sku,x)", "node_ids": ["a", 1]}}"#;
    assert_eq!(answer(body).0, 400);
    assert_eq!(
        answer(body).1["errors"][0]["meta"]["message"],
        "`data.node_ids` must be an array of strings"
    );
    // Junk beside `data` and inside it is skipped; the request is answered.
    let junk = "[1,[2,{\"k\":\"v\"}],null],".repeat(20_000);
    let body = format!(
        r#"{{"junk": [{junk}0], "data": {{"x": [{junk}0], "filter": "eq(sku,none)", "node_ids": ["123"]}}}}"#
    );
    assert_eq!(
        answer(&body),
        (
            200,
            json!({"meta": {"nodes_detached": 1, "nodes_not_found": []}})
        )
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
fn the_500_names_every_missing_id() {
    // An unknown hierarchy, an unknown parent node and unknown product
    // nodes: each missing id once, in the order of the problems.
    let err = Catalog::from_value(json!({
        "hierarchies": [{"id": "h"}],
        "nodes": [
            {"id": "a", "hierarchy_id": "h-gone"},
            {"id": "b", "hierarchy_id": "h", "parent_id": "p-gone"},
            {"id": "c", "hierarchy_id": "h-gone"}
        ],
        "products": [{"id": "e7d50bd5-1833-43c0-9848-f9d325b08be8", "node_ids": ["n-gone", "h", "p-gone"]}]
    }))
    .unwrap_err();
    let errors = err.integrity().unwrap();
    assert_eq!(errors.missing_ids(), ["h-gone", "p-gone", "n-gone", "h"]);
    assert_eq!(errors.missing_node_ids(), ["n-gone", "h", "p-gone"]);
    assert_eq!(
        serde_json::to_value(detach::integrity_error(errors)).unwrap()["errors"][0]["meta"]["missing_ids"],
        json!(["h-gone", "p-gone", "n-gone", "h"])
    );
    // Only an unknown hierarchy (was `"missing_ids":[]`): the whole body.
    let err = Catalog::from_value(json!({
        "hierarchies": [], "nodes": [{"id": "a", "hierarchy_id": "h-gone"}], "products": []
    }))
    .unwrap_err();
    assert_eq!(
        serde_json::to_string(&detach::integrity_error(err.integrity().unwrap())).unwrap(),
        r#"{"errors":[{"status":"500","title":"Internal server error","detail":"An internal error has occurred.","request_id":"00000000-0000-0000-0000-000000000000","meta":{"message":"catalog snapshot has 1 integrity problem:\n- nodes[0] (id \"a\"): unknown hierarchy_id \"h-gone\"","missing_ids":["h-gone"]}}]}"#
    );
    // Problems naming no missing id: an empty list.
    let err = Catalog::from_value(json!({
        "hierarchies": [{"id": "h"}, {"id": "h"}], "nodes": [], "products": []
    }))
    .unwrap_err();
    assert_eq!(
        serde_json::to_value(detach::integrity_error(err.integrity().unwrap())).unwrap()["errors"]
            [0]["meta"]["missing_ids"],
        json!([])
    );
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
