//! `catalog-filter-server` as a process on 127.0.0.1:0, talked to with a
//! real HTTP client (reqwest): the seeds' examples, every status of every
//! endpoint, store isolation both ways, paging at the ends, and restarts
//! (the journal replayed, compaction keeping every unchanged byte).
//!
//! Fixtures (`tests/data/server/`): catalog A holds the seed's node `123`
//! and sku `book`; catalog B another store's catalog without node `123`;
//! a catalog failing its integrity checks (the seed's missing id); Ecwid
//! store 1003 (the sample store: category 9691094, product 37208345),
//! store 2004 with the same ids, and a broken store 3005.

use catalog_filter::Limits;
use catalog_filter::catalog::Catalog;
use catalog_filter::ecwid::{self, Store};
use catalog_filter::elasticpath::detach::{self, Grant};
use serde_json::{Value, json};
use std::process::Command;
use std::time::{Duration, Instant};

#[path = "support/server.rs"]
mod server_support;
use server_support::{FIXTURES, Server, fixture, raw_exchange, sigterm, snapshots, temp_dir};

const A: &str = "token-a-admin";
const A_SHOPPER: &str = "token-a-shopper";
const B: &str = "token-b-admin";
const BROKEN: &str = "token-broken-admin";
const E1003: &str = "token-1003";
const E1003_READ: &str = "token-1003-read";
const E2004: &str = "token-2004";
const E3005: &str = "token-3005";
const ALL_TOKENS: [&str; 8] = [A, A_SHOPPER, B, BROKEN, E1003, E1003_READ, E2004, E3005];
const BODY_LIMIT: usize = 4096;

/// The test config: the fixtures, the tokens above, a small body limit.
fn config(compact_after: u64) -> String {
    config_with(compact_after, 30)
}

fn config_with(compact_after: u64, timeout_secs: u64) -> String {
    config_sections(
        &format!("compact_after = {compact_after}\ntimeout_secs = {timeout_secs}"),
        &format!("max_snapshot_bytes = {BODY_LIMIT}"),
    )
}

/// The test config with these `[server]` and `[limits]` lines.
fn config_sections(server: &str, limits: &str) -> String {
    format!(
        r#"
[server]
{server}

[limits]
{limits}

[[stores]]
name = "a"
vendor = "elasticpath"
snapshot = "{FIXTURES}/catalog-a.json"

[[stores]]
name = "b"
vendor = "elasticpath"
snapshot = "{FIXTURES}/catalog-b.json"

[[stores]]
name = "broken"
vendor = "elasticpath"
snapshot = "{FIXTURES}/catalog-broken.json"

[[stores]]
name = "1003"
vendor = "ecwid"
snapshot = "{FIXTURES}/store-1003.json"

[[stores]]
name = "2004"
vendor = "ecwid"
snapshot = "{FIXTURES}/store-2004.json"

[[stores]]
name = "3005"
vendor = "ecwid"
snapshot = "{FIXTURES}/store-3005-broken.json"

[[tokens]]
token = "{A}"
store = "a"

[[tokens]]
token = "{A_SHOPPER}"
store = "a"
grant = "implicit"

[[tokens]]
token = "{B}"
store = "b"
grant = "client_credentials"

[[tokens]]
token = "{BROKEN}"
store = "broken"

[[tokens]]
token = "{E1003}"
store = "1003"
scopes = ["read_catalog", "update_catalog"]

[[tokens]]
token = "{E1003_READ}"
store = "1003"
scopes = ["read_catalog"]

[[tokens]]
token = "{E2004}"
store = "2004"
scopes = ["update_catalog"]

[[tokens]]
token = "{E3005}"
store = "3005"
scopes = ["update_catalog"]
"#
    )
}

impl Server {
    /// Starts a server with the test config on a fresh state directory.
    fn start(compact_after: u64) -> Server {
        Server::start_with(config(compact_after))
    }
}

/// What the library (the function `detach --json` answers with) says for
/// `body` on a fresh copy of catalog A.
fn detach_reference(body: &str) -> (u16, Value) {
    let mut catalog = Catalog::from_json(&fixture("catalog-a.json")).unwrap();
    let answer = detach::handle(
        &mut catalog,
        Some(Grant::ClientCredentials),
        body,
        &Limits::default(),
    );
    (
        answer.status,
        serde_json::from_str(&answer.body_json()).unwrap(),
    )
}

/// The same for Ecwid store 1003.
fn unassign_reference(category: u64, body: &str) -> (u16, Value) {
    let mut store = Store::from_json(&fixture("store-1003.json")).unwrap();
    match ecwid::unassign_products(
        &mut store,
        &["update_catalog"],
        category,
        body,
        &Limits::default(),
    ) {
        Ok(plan) => (200, serde_json::to_value(plan.response).unwrap()),
        Err(e) => (e.status(), serde_json::to_value(e.body()).unwrap()),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn seed_examples() {
    let server = Server::start(1000);
    // Elastic Path's request example, on catalog A (node 123, sku book).
    let request = json!({"data": {"filter": "eq(sku,book)", "node_ids": ["123"]}});
    assert_eq!(
        server.detach(A, request.clone()).await,
        (
            200,
            json!({"meta": {"nodes_detached": 1, "nodes_not_found": []}})
        )
    );
    // The other example answer: a catalog without node 123 (store B).
    assert_eq!(
        server.detach(B, request).await,
        (
            200,
            json!({"meta": {"nodes_detached": 0, "nodes_not_found": ["123"]}})
        )
    );
    // Ecwid's request example: store 1003, category 9691094, product 37208345.
    assert_eq!(
        server
            .unassign(E1003, "1003", "9691094", json!({"productIds": [37208345]}))
            .await,
        (200, json!({"deleteCount": 1}))
    );
    // Again: nothing left to unassign.
    assert_eq!(
        server
            .unassign(E1003, "1003", "9691094", json!({"productIds": [37208345]}))
            .await,
        (200, json!({"deleteCount": 0}))
    );
    let (status, body, _) = server.call("GET", "/healthz", None, None).await;
    assert_eq!((status, body), (200, json!({"status": "ok"})));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn detach_answers_as_the_library() {
    let server = Server::start(1000);
    let bodies = [
        r#"{"data":{"filter":"eq(status,draft)","node_ids":["h1","nope","nope"]}}"#,
        r#"{"data":{"filter":"","node_ids":[]}}"#,
        r#"{"data":{"filter":"   "}}"#,
        r#"{"data":{"node_ids":["123"]}}"#,
        r#"{"data":{"filter":"eq(skus,x):eq(has_nodes,true)","node_ids":["123"]}}"#,
        r#"{"data":{"filter":"(eq(sku,a)|eq(sku,b))","node_ids":["123"]}}"#,
        r#"{"data":{"filter":"eq(sku,book)","node_ids":"123"}}"#,
        r#"{"data":[]}"#,
        r#"[]"#,
        r#"{"data":{"filter":"eq(sku,book)""#,
        r#"{"data":{"filter":"eq(sku,book)","filter":"eq(sku,pen)","node_ids":["123"]}}"#,
        // A top-level OR: the OR message spanning the whole alternation.
        r#"{"data":{"filter":" eq(sku,a) | eq(sku,b) ","node_ids":["123"]}}"#,
    ];
    for body in bodies {
        let (status, value, _) = server
            .call("POST", "/pcm/products/detach_nodes", Some(A), Some(body))
            .await;
        assert_eq!((status, value), detach_reference(body), "{body}");
    }
    // The 422 with both errors, as the vendor writes it.
    let (status, value) = server.detach(A, json!({"data": {}})).await;
    assert_eq!(status, 422);
    assert_eq!(
        value,
        json!({"errors": [
            {"status": "422", "title": "Failed Validation", "detail": "filter can not be empty",
             "source": {"pointer": "/data/filter"}},
            {"status": "422", "title": "Failed Validation", "detail": "node_ids can not be empty",
             "source": {"pointer": "/data/node_ids"}}
        ]})
    );
}

/// Over `max_node_ids`, with ids that are no strings after the limit: the
/// server reads the body as `detach --json` does (`detach::read_request`),
/// so the ids past the limit are counted, never kept nor checked, and the
/// answer is the count error, not a type error.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn node_ids_over_the_limit_are_counted_as_detach_json_counts_them() {
    let server = Server::start_with(config_sections(
        "compact_after = 1000",
        &format!("max_snapshot_bytes = {BODY_LIMIT}\nmax_node_ids = 3"),
    ));
    let body = r#"{"data":{"filter":"eq(sku,book)","node_ids":["123","h1","h2",4,{},null]}}"#;
    let (status, value, _) = server
        .call("POST", "/pcm/products/detach_nodes", Some(A), Some(body))
        .await;
    let mut catalog = Catalog::from_json(&fixture("catalog-a.json")).unwrap();
    let limits = Limits {
        max_node_ids: 3,
        ..Limits::default()
    };
    let answer = detach::handle(&mut catalog, Some(Grant::ClientCredentials), body, &limits);
    let reference: Value = serde_json::from_str(&answer.body_json()).unwrap();
    assert_eq!((status, &value), (answer.status, &reference));
    assert_eq!(
        value,
        json!({"errors": [{"status": "400", "title": "Bad Request", "detail": "Bad Request",
            "source": {"pointer": "/data/node_ids"},
            "meta": {"message": "node_ids has 6 ids; the limit is 3 (max_node_ids)"}}]})
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unassign_answers_as_the_library() {
    let server = Server::start(1000);
    let cases: [(u64, &str); 7] = [
        (9691094, r#"{"productIds":[]}"#),
        (9691094, r#"{"productIds":"x"}"#),
        (9691094, r#"{"productIds":[-1]}"#),
        (9691094, r#"not json"#),
        (404, r#"{"productIds":[37208345]}"#),
        (9691112, r#"{"productIds":[37208352, 999]}"#),
        (9691094, r#"{"productIds":[37208350, 37208350]}"#),
    ];
    for (category, body) in cases {
        let path = format!("/api/v3/1003/categories/{category}/unassignProducts");
        let (status, value, _) = server.call("POST", &path, Some(E1003), Some(body)).await;
        assert_eq!(
            (status, value),
            unassign_reference(category, body),
            "{category} {body}"
        );
    }
    // A body over the limit (4 KiB here): LIMIT_EXCEEDED naming it. (Just
    // over: the server answers before reading a body over the limit, so a
    // client still writing a much larger one may see the connection close.)
    let ids: Vec<u64> = (1_000_000..1_000_600).collect();
    let (status, value) = server
        .unassign(E1003, "1003", "9691094", json!({"productIds": ids}))
        .await;
    assert_eq!(
        (status, value),
        (
            400,
            json!({"errorMessage": format!("the body is more than {BODY_LIMIT} bytes; the limit is {BODY_LIMIT} (max_snapshot_bytes)"),
                   "errorCode": "LIMIT_EXCEEDED"})
        )
    );
    // A categoryId that is not a number names no category.
    let (status, value) = server
        .unassign(E1003, "1003", "sale", json!({"productIds": [1]}))
        .await;
    assert_eq!(
        (status, value),
        (
            404,
            json!({"errorMessage": "Category not found", "errorCode": "CATEGORY_NOT_FOUND"})
        )
    );
}

fn ep(status: u16, title: &str, detail: &str) -> Value {
    json!({"errors": [{"status": status.to_string(), "title": title, "detail": detail}]})
}

fn ec(message: &str, code: &str) -> Value {
    json!({"errorMessage": message, "errorCode": code})
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tokens() {
    let server = Server::start(1000);
    let detach_body = r#"{"data":{"filter":"eq(sku,book)","node_ids":["123"]}}"#;
    let unassign_body = r#"{"productIds":[37208345]}"#;
    let ep_endpoints = [
        ("GET", "/pcm/products?filter=eq(sku,book)", None),
        ("POST", "/pcm/products/detach_nodes", Some(detach_body)),
    ];
    let ec_path = "/api/v3/1003/categories/9691094/unassignProducts";
    let unauthorized = [
        (None, "A bearer token is required"),
        (
            Some("Basic dXNlcjpwYXNz"),
            "The Authorization header must be `Bearer <token>`",
        ),
        (
            Some("Bearer"),
            "The Authorization header must be `Bearer <token>`",
        ),
        (
            Some("Bearer "),
            "The Authorization header must be `Bearer <token>`",
        ),
        (
            Some("Bearer token-a-admin2"),
            "The bearer token is not valid",
        ),
        (Some("Bearer token-a-admi"), "The bearer token is not valid"),
    ];
    for (header, message) in unauthorized {
        for (method, path, body) in ep_endpoints {
            let mut request = server
                .client
                .request(method.parse().unwrap(), format!("{}{path}", server.base));
            if let Some(header) = header {
                request = request.header("Authorization", header);
            }
            if let Some(body) = body {
                request = request
                    .header("Content-Type", "application/json")
                    .body(body);
            }
            let (status, value, _) = server.send(request).await;
            assert_eq!(
                (status, value),
                (401, ep(401, "Unauthorized", message)),
                "{path} {header:?}"
            );
        }
        let mut request = server.client.post(format!("{}{ec_path}", server.base));
        if let Some(header) = header {
            request = request.header("Authorization", header);
        }
        let request = request
            .header("Content-Type", "application/json")
            .body(unassign_body);
        let (status, value, _) = server.send(request).await;
        assert_eq!(
            (status, value),
            (401, ec(message, "UNAUTHORIZED")),
            "{header:?}"
        );
    }
    // A shopper (implicit) token: 403 on both Elastic Path endpoints.
    let shopper = ep(
        403,
        "Forbidden",
        "This endpoint requires an administrator (client_credentials) token",
    );
    assert_eq!(
        server.products(A_SHOPPER, "?filter=eq(sku,book)").await,
        (403, shopper.clone())
    );
    assert_eq!(
        server
            .detach(A_SHOPPER, serde_json::from_str(detach_body).unwrap())
            .await,
        (403, shopper)
    );
    // Ecwid without update_catalog.
    assert_eq!(
        server
            .unassign(
                E1003_READ,
                "1003",
                "9691094",
                json!({"productIds": [37208345]})
            )
            .await,
        (
            403,
            ec(
                "Access denied: the token lacks the update_catalog scope",
                "FORBIDDEN"
            )
        )
    );
    // Ecwid tokens on Elastic Path endpoints, and back.
    let not_ep = ep(
        403,
        "Forbidden",
        "This token is not for an Elastic Path catalog",
    );
    assert_eq!(server.products(E1003, "").await, (403, not_ep.clone()));
    assert_eq!(
        server
            .detach(E2004, serde_json::from_str(detach_body).unwrap())
            .await,
        (403, not_ep)
    );
    let other_store = ec(
        "Access denied: the token is not for this store",
        "FORBIDDEN",
    );
    for token in [A, B] {
        assert_eq!(
            server
                .unassign(token, "1003", "9691094", json!({"productIds": [37208345]}))
                .await,
            (403, other_store.clone())
        );
    }
    // Store 1003's token against 2004 and 2004's against 1003, and unknown stores.
    for (token, store) in [
        (E1003, "2004"),
        (E2004, "1003"),
        (E1003, "9999"),
        (E1003, "01003"),
    ] {
        assert_eq!(
            server
                .unassign(token, store, "9691094", json!({"productIds": [37208345]}))
                .await,
            (403, other_store.clone()),
            "{store}"
        );
    }
    // Neither store changed: each still has its product in 9691094.
    assert_eq!(
        server
            .unassign(E2004, "2004", "9691094", json!({"productIds": [37208345]}))
            .await,
        (200, json!({"deleteCount": 1}))
    );
    assert_eq!(
        server
            .unassign(E1003, "1003", "9691094", json!({"productIds": [37208345]}))
            .await,
        (200, json!({"deleteCount": 1}))
    );
    // Elastic Path: a token sees and changes its own catalog only. Both
    // catalogs have a product with sku `book`.
    let (_, a) = server.products(A, "?filter=eq(sku,book)").await;
    let (_, b) = server.products(B, "?filter=eq(sku,book)").await;
    assert_eq!(a["data"][0]["id"], "7d4f6c2a-1b3e-4f5a-9c8d-0e1f2a3b4c5d");
    assert_eq!(b["data"][0]["id"], "00000000-0000-4000-8000-0000000000b1");
    assert_eq!(
        server
            .detach(
                B,
                json!({"data": {"filter": "eq(sku,book)", "node_ids": ["b1"]}})
            )
            .await,
        (
            200,
            json!({"meta": {"nodes_detached": 1, "nodes_not_found": []}})
        )
    );
    // B's node id is unknown in A, and A's product kept its nodes.
    assert_eq!(
        server
            .detach(
                A,
                json!({"data": {"filter": "eq(sku,book)", "node_ids": ["b1"]}})
            )
            .await,
        (
            200,
            json!({"meta": {"nodes_detached": 0, "nodes_not_found": ["b1"]}})
        )
    );
    let (_, a) = server.products(A, "?filter=eq(sku,book)").await;
    assert_eq!(
        a["data"][0]["attributes"]["node_ids"],
        json!(["124", "200"])
    );
    let (_, b) = server.products(B, "?filter=eq(sku,book)").await;
    assert_eq!(b["data"][0]["attributes"]["node_ids"], json!([]));
    // A token in a query string (Ecwid clients may send `?token=`) is
    // not logged either: only the filter and the paging parameters are.
    let (status, _, _) = server
        .call(
            "GET",
            "/pcm/products?token=SECRET-IN-QUERY&filter=eq(sku,pen)&page[limit]=1&x=SECRET-2",
            Some(A),
            None,
        )
        .await;
    assert_eq!(status, 200);
    let (status, _, _) = server
        .call(
            "POST",
            "/api/v3/1003/categories/9691094/unassignProducts?token=SECRET-3",
            Some(E1003),
            Some(r#"{"productIds":[37208345]}"#),
        )
        .await;
    assert_eq!(status, 200);
    // No token in the logs.
    let log = server.log();
    for secret in ["SECRET-IN-QUERY", "SECRET-2", "SECRET-3"] {
        assert!(!log.contains(secret), "the log holds {secret}: {log}");
    }
    assert!(
        log.contains("/pcm/products?filter=eq(sku,pen)&page[limit]=1"),
        "{log}"
    );
    for token in ALL_TOKENS {
        assert!(!log.contains(token), "the log holds {token}");
    }
    assert!(log.contains("filter=eq(sku,book)"), "{log}");
    assert!(
        log.contains(r#"detach_nodes filter="eq(sku,book)" node_ids=1"#),
        "{log}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn statuses() {
    let server = Server::start(1000);
    // 404: unknown paths, in each vendor's format.
    let (status, value, _) = server.call("GET", "/pcm/nothing", Some(A), None).await;
    assert_eq!(
        (status, value),
        (404, ep(404, "Not Found", "No such endpoint"))
    );
    let (status, value, _) = server
        .call("POST", "/api/v3/1003/nothing", Some(E1003), Some("{}"))
        .await;
    assert_eq!((status, value), (404, ec("No such endpoint", "NOT_FOUND")));
    // A path segment that does not decode.
    let (status, value, _) = server
        .call(
            "POST",
            "/api/v3/1003/categories/%FF/unassignProducts",
            Some(E1003),
            Some("{}"),
        )
        .await;
    assert_eq!((status, value), (404, ec("No such endpoint", "NOT_FOUND")));
    // 404: a category that is not only digits (`u64::from_str` takes a `+`).
    for category in ["+9691094", "%2B9691094", "-1", "9691094.0", "1e3"] {
        assert_eq!(
            server
                .unassign(E1003, "1003", category, json!({"productIds": [37208345]}))
                .await,
            (404, ec("Category not found", "CATEGORY_NOT_FOUND")),
            "{category}"
        );
    }
    // 404: an unknown category.
    assert_eq!(
        server
            .unassign(E1003, "1003", "1", json!({"productIds": [37208345]}))
            .await,
        (404, ec("Category 1 not found", "CATEGORY_NOT_FOUND"))
    );
    // 405.
    let (status, value, _) = server
        .call("GET", "/pcm/products/detach_nodes", Some(A), None)
        .await;
    assert_eq!(
        (status, value),
        (405, ep(405, "Method Not Allowed", "Method not allowed"))
    );
    let (status, value, _) = server.call("DELETE", "/pcm/products", Some(A), None).await;
    assert_eq!(
        (status, value),
        (405, ep(405, "Method Not Allowed", "Method not allowed"))
    );
    let (status, value, _) = server
        .call(
            "GET",
            "/api/v3/1003/categories/9691094/unassignProducts",
            Some(E1003),
            None,
        )
        .await;
    assert_eq!(
        (status, value),
        (405, ec("Method not allowed", "METHOD_NOT_ALLOWED"))
    );
    // 415: no content type, or not JSON.
    let not_json = "The request body must be JSON (Content-Type: application/json)";
    for content_type in [
        None,
        Some("text/plain"),
        Some("application/x-www-form-urlencoded"),
    ] {
        let mut request = server
            .client
            .post(format!("{}/pcm/products/detach_nodes", server.base))
            .header("Authorization", format!("Bearer {A}"))
            .body(r#"{"data":{"filter":"eq(sku,book)","node_ids":["123"]}}"#);
        if let Some(content_type) = content_type {
            request = request.header("Content-Type", content_type);
        }
        let (status, value, _) = server.send(request).await;
        assert_eq!(
            (status, value),
            (415, ep(415, "Unsupported Media Type", not_json))
        );
        let mut request = server
            .client
            .post(format!(
                "{}/api/v3/1003/categories/9691094/unassignProducts",
                server.base
            ))
            .header("Authorization", format!("Bearer {E1003}"))
            .body(r#"{"productIds":[37208345]}"#);
        if let Some(content_type) = content_type {
            request = request.header("Content-Type", content_type);
        }
        let (status, value, _) = server.send(request).await;
        assert_eq!(
            (status, value),
            (415, ec(not_json, "UNSUPPORTED_MEDIA_TYPE"))
        );
    }
    // With parameters, and the JSON:API type, it is JSON.
    let request = server
        .client
        .post(format!("{}/pcm/products/detach_nodes", server.base))
        .header("Authorization", format!("Bearer {A}"))
        .header("Content-Type", "application/vnd.api+json; charset=utf-8")
        .body(r#"{"data":{"filter":"eq(sku,nothing)","node_ids":["123"]}}"#);
    assert_eq!(server.send(request).await.0, 200);
    // 400: a body over the limit (4 KiB here), naming the limit.
    let big = format!(
        r#"{{"data":{{"filter":"eq(sku,book)","node_ids":["{}"]}}}}"#,
        "x".repeat(BODY_LIMIT)
    );
    let (status, value, _) = server
        .call("POST", "/pcm/products/detach_nodes", Some(A), Some(&big))
        .await;
    assert_eq!(
        (status, value),
        (
            400,
            json!({"errors": [{"status": "400", "title": "Bad Request", "detail": "Bad Request",
            "meta": {"message": format!("the request body is more than {BODY_LIMIT} bytes; the limit is {BODY_LIMIT} (max_snapshot_bytes)")}}]})
        )
    );
    // 400: a bad filter in the preview, without a pointer (no body).
    assert_eq!(
        server.products(A, "?filter=gt(name,x)").await,
        (
            400,
            json!({"errors": [{"status": "400", "title": "Bad Request",
            "detail": "Could not parse the supplied filter",
            "meta": {"message": "operator `gt` is not supported for `name`; supported: eq, like, in",
                     "span": {"start": 3, "end": 7}}}]})
        )
    );
    // 500: stores that failed their integrity checks at start.
    let (status, value, headers) = server
        .call(
            "POST",
            "/pcm/products/detach_nodes",
            Some(BROKEN),
            Some(r#"{"data":{"filter":"eq(sku,book)","node_ids":["123"]}}"#),
        )
        .await;
    let id = headers["x-request-id"].to_str().unwrap().to_owned();
    assert_eq!(id.len(), 36, "{id}");
    assert_eq!(status, 500);
    assert_eq!(
        value,
        json!({"errors": [{"status": "500", "title": "Internal server error",
            "detail": "An internal error has occurred.", "request_id": id,
            "meta": {"message": value["errors"][0]["meta"]["message"],
                     "missing_ids": ["e7d50bd5-1833-43c0-9848-f9d325b08be8"]}}]})
    );
    let (status, value, headers) = server
        .call(
            "GET",
            "/pcm/products?filter=eq(sku,book)",
            Some(BROKEN),
            None,
        )
        .await;
    assert_eq!(status, 500);
    assert_eq!(
        value["errors"][0]["request_id"],
        headers["x-request-id"].to_str().unwrap()
    );
    assert_eq!(
        value["errors"][0]["meta"]["missing_ids"],
        json!(["e7d50bd5-1833-43c0-9848-f9d325b08be8"])
    );
    // A request id given by the client is kept.
    let request = server
        .client
        .get(format!("{}/pcm/products", server.base))
        .header("Authorization", format!("Bearer {BROKEN}"))
        .header("x-request-id", "my-request-1");
    let (_, value, headers) = server.send(request).await;
    assert_eq!(headers["x-request-id"], "my-request-1");
    assert_eq!(value["errors"][0]["request_id"], "my-request-1");
    let (status, value) = server
        .unassign(E3005, "3005", "1", json!({"productIds": [10]}))
        .await;
    assert_eq!(status, 500);
    assert_eq!(value["errorCode"], "INVALID_STORE");
    // The store's own checks still come first: the token, the store.
    assert_eq!(
        server
            .unassign(E1003, "3005", "1", json!({"productIds": [10]}))
            .await
            .0,
        403
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn preview_and_paging() {
    let server = Server::start(1000);
    // Every product, in snapshot order, members as written.
    let (status, all) = server.products(A, "").await;
    assert_eq!(status, 200);
    assert_eq!(
        all["meta"],
        json!({"page": {"limit": 25, "offset": 0}, "results": {"total": 5}})
    );
    let ids: Vec<&str> = all["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["id"].as_str().unwrap())
        .collect();
    assert_eq!(
        ids,
        [
            "7d4f6c2a-1b3e-4f5a-9c8d-0e1f2a3b4c5d",
            "00000000-0000-4000-8000-000000000001",
            "00000000-0000-4000-8000-000000000002",
            "00000000-0000-4000-8000-000000000003",
            "00000000-0000-4000-8000-000000000004"
        ]
    );
    assert_eq!(
        all["data"][0],
        json!({"type": "product", "id": "7d4f6c2a-1b3e-4f5a-9c8d-0e1f2a3b4c5d", "attributes": {
            "sku": "book", "name": "A Book", "status": "live", "price": 12.50,
            "big": 123456789012345678901234567890_f64,
            "extensions": {"book": {"isbn": "1765426"}}, "node_ids": ["124", "200"]}})
    );
    // The numbers' text is kept as written.
    let (_, _, _) = server.call("GET", "/healthz", None, None).await;
    let raw = server
        .client
        .get(format!("{}/pcm/products?filter=eq(sku,book)", server.base))
        .header("Authorization", format!("Bearer {A}"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        raw.contains(r#""price":12.50,"big":123456789012345678901234567890,"#),
        "{raw}"
    );
    // A filter, URL-encoded (space as %20 and as +).
    let (_, live) = server
        .products(A, "?filter=eq(status,live)%20:%20like(name,*o*)")
        .await;
    assert_eq!(live["meta"]["results"]["total"], 2);
    let (_, plus) = server.products(A, "?filter=eq(name,A+Book)").await;
    assert_eq!(plus["meta"]["results"]["total"], 1);
    // Pages.
    let page = |q: &str| format!("?filter=eq(status,live)&{q}");
    let (_, p) = server
        .products(A, &page("page[limit]=2&page[offset]=1"))
        .await;
    assert_eq!(p["data"].as_array().unwrap().len(), 2);
    assert_eq!(p["data"][0]["id"], "00000000-0000-4000-8000-000000000001");
    assert_eq!(
        p["meta"],
        json!({"page": {"limit": 2, "offset": 1}, "results": {"total": 4}})
    );
    // Offset past the end: no items, the total still.
    let (s, p) = server.products(A, &page("page[offset]=4")).await;
    assert_eq!(
        (s, p["data"].clone(), p["meta"]["results"]["total"].clone()),
        (200, json!([]), json!(4))
    );
    let (s, p) = server
        .products(A, &page("page[offset]=18446744073709551615"))
        .await;
    assert_eq!((s, p["data"].clone()), (200, json!([])));
    // Limit 0: the count only. Limit 100: the maximum.
    let (s, p) = server.products(A, &page("page[limit]=0")).await;
    assert_eq!(
        (s, p),
        (
            200,
            json!({"data": [], "meta": {"page": {"limit": 0, "offset": 0}, "results": {"total": 4}}})
        )
    );
    let (s, p) = server.products(A, &page("page[limit]=100")).await;
    assert_eq!((s, p["data"].as_array().unwrap().len()), (200, 4));
    // Out of range, negative, non-numeric: 400 naming the parameter.
    let limit = "page[limit] must be an integer from 0 to 100";
    let offset = "page[offset] must be a non-negative integer";
    for (q, message) in [
        ("page[limit]=101", limit),
        ("page[limit]=-1", limit),
        ("page[limit]=ten", limit),
        ("page[limit]=", limit),
        ("page[limit]=1.5", limit),
        ("page[limit]=%2B5", limit),
        ("page[limit]=+5", limit),
        ("page[offset]=%2B1", offset),
        ("page[limit]=99999999999999999999999", limit),
        ("page[offset]=-1", offset),
        ("page[offset]=x", offset),
        ("page[offset]=18446744073709551616", offset),
    ] {
        assert_eq!(
            server.products(A, &page(q)).await,
            (
                400,
                json!({"errors": [{"status": "400", "title": "Bad Request", "detail": message,
                "meta": {"message": message}}]})
            ),
            "{q}"
        );
    }
    // A detach shows in the preview at once: the book left 124 (below 123).
    server
        .detach(
            A,
            json!({"data": {"filter": "eq(sku,book)", "node_ids": ["123"]}}),
        )
        .await;
    let (_, p) = server.products(A, "?filter=eq(sku,book)").await;
    assert_eq!(p["data"][0]["attributes"]["node_ids"], json!(["200"]));
}

/// The catalog A snapshot after `bodies`, as the library writes it.
fn catalog_after(bodies: &[Value]) -> Vec<u8> {
    let mut catalog = Catalog::from_json(&fixture("catalog-a.json")).unwrap();
    for body in bodies {
        let answer = detach::handle(
            &mut catalog,
            Some(Grant::ClientCredentials),
            &body.to_string(),
            &Limits::default(),
        );
        assert_eq!(answer.status, 200);
    }
    let mut out = Vec::new();
    catalog.write_json_as_read(&mut out).unwrap();
    out
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn restart_replays_the_journal() {
    let first = json!({"data": {"filter": "eq(sku,book)", "node_ids": ["123"]}});
    let second = json!({"data": {"filter": "eq(status,draft)", "node_ids": ["h1"]}});
    let server = Server::start(1000);
    assert_eq!(server.detach(A, first.clone()).await.0, 200);
    assert_eq!(
        server
            .unassign(E1003, "1003", "9691094", json!({"productIds": [37208345]}))
            .await
            .0,
        200
    );
    // SIGKILL right after the answers: no flush, no compaction.
    let dir = server.kill();
    assert_eq!(snapshots(&dir, "a"), ["snapshot-00000000000000000000.json"]);
    let server = Server::start_in(dir);
    let (_, p) = server.products(A, "?filter=eq(sku,book)").await;
    assert_eq!(p["data"][0]["attributes"]["node_ids"], json!(["200"]));
    assert_eq!(
        server
            .unassign(E1003, "1003", "9691094", json!({"productIds": [37208345]}))
            .await,
        (200, json!({"deleteCount": 0}))
    );
    assert_eq!(server.detach(A, second.clone()).await.0, 200);
    // SIGTERM: the journals are folded into new snapshots, written as read
    // with only the changed lists spliced in.
    let dir = server.terminate();
    assert_eq!(snapshots(&dir, "a"), ["snapshot-00000000000000000002.json"]);
    let written = std::fs::read(dir.join("state/a/snapshot-00000000000000000002.json")).unwrap();
    assert_eq!(
        String::from_utf8(written).unwrap(),
        String::from_utf8(catalog_after(&[first.clone(), second.clone()])).unwrap()
    );
    assert_eq!(
        std::fs::read(dir.join("state/a/journal.jsonl")).unwrap(),
        b""
    );
    // The store B, never changed, is byte for byte its fixture.
    assert_eq!(
        std::fs::read_to_string(dir.join("state/b/snapshot-00000000000000000000.json")).unwrap(),
        fixture("catalog-b.json")
    );
    // And a third start reads the compacted snapshot.
    let server = Server::start_in(dir);
    let (_, p) = server.products(A, "?filter=eq(status,draft)").await;
    assert_eq!(p["data"][0]["attributes"]["node_ids"], json!([]));
    let (_, p) = server.products(A, "?filter=eq(sku,book)").await;
    assert_eq!(p["data"][0]["attributes"]["node_ids"], json!(["200"]));
    let dir = server.terminate();
    let _ = std::fs::remove_dir_all(dir);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn compaction_in_the_background() {
    let first = json!({"data": {"filter": "eq(sku,book)", "node_ids": ["123"]}});
    let server = Server::start(1);
    assert_eq!(server.detach(A, first.clone()).await.0, 200);
    // Compaction runs after the answer; wait for it.
    let deadline = Instant::now() + Duration::from_secs(20);
    while snapshots(&server.dir, "a") != ["snapshot-00000000000000000001.json"] {
        assert!(
            Instant::now() < deadline,
            "{:?}",
            snapshots(&server.dir, "a")
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let written = std::fs::read(
        server
            .dir
            .join("state/a/snapshot-00000000000000000001.json"),
    )
    .unwrap();
    assert_eq!(written, catalog_after(&[first]));
    // A detach that changes nothing writes nothing.
    assert_eq!(
        server
            .detach(
                A,
                json!({"data": {"filter": "eq(sku,book)", "node_ids": ["123"]}})
            )
            .await,
        (
            200,
            json!({"meta": {"nodes_detached": 1, "nodes_not_found": []}})
        )
    );
    let dir = server.kill();
    assert_eq!(
        std::fs::read(dir.join("state/a/journal.jsonl")).unwrap(),
        b""
    );
    let server = Server::start_in(dir);
    let (_, p) = server.products(A, "?filter=eq(sku,book)").await;
    assert_eq!(p["data"][0]["attributes"]["node_ids"], json!(["200"]));
    let dir = server.terminate();
    let _ = std::fs::remove_dir_all(dir);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_torn_journal_line_is_dropped() {
    let server = Server::start(1000);
    assert_eq!(
        server
            .detach(
                A,
                json!({"data": {"filter": "eq(sku,book)", "node_ids": ["123"]}})
            )
            .await
            .0,
        200
    );
    let dir = server.kill();
    // A crash in the middle of the next append: half a line, never answered.
    let journal = dir.join("state/a/journal.jsonl");
    let mut text = std::fs::read(&journal).unwrap();
    let whole = text.len();
    text.extend_from_slice(br#"{"seq":2,"entry":{"data":{"filter":"eq(sku,pen)","#);
    std::fs::write(&journal, &text).unwrap();
    let server = Server::start_in(dir);
    let (_, p) = server.products(A, "?filter=in(sku,book,pen)").await;
    assert_eq!(p["data"][0]["attributes"]["node_ids"], json!(["200"]));
    assert_eq!(p["data"][1]["attributes"]["node_ids"], json!(["124"]));
    assert_eq!(std::fs::read(&journal).unwrap().len(), whole);
    let dir = server.terminate();
    let _ = std::fs::remove_dir_all(dir);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_slow_body_times_out() {
    use std::io::{Read, Write};
    let server = Server::start_with(config_with(1000, 1));
    let addr = server.base.trim_start_matches("http://").to_owned();
    let answer = tokio::task::spawn_blocking(move || {
        let mut stream = std::net::TcpStream::connect(addr).unwrap();
        // Headers and half the body; the rest never comes.
        write!(
            stream,
            "POST /pcm/products/detach_nodes HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {A}\r\n\
             Content-Type: application/json\r\nContent-Length: 100\r\n\r\n{{\"data\":"
        )
        .unwrap();
        stream
            .set_read_timeout(Some(Duration::from_secs(20)))
            .unwrap();
        let mut answer = String::new();
        let _ = stream.read_to_string(&mut answer);
        answer
    })
    .await
    .unwrap();
    assert!(answer.starts_with("HTTP/1.1 408 "), "{answer}");
    let body = answer.split("\r\n\r\n").nth(1).unwrap_or_default();
    assert_eq!(
        serde_json::from_str::<Value>(body).unwrap(),
        ep(
            408,
            "Request Timeout",
            "The request took too long (its body included)"
        )
    );
    // Nothing changed, and the server serves on.
    let (_, p) = server.products(A, "?filter=eq(sku,book)").await;
    assert_eq!(
        p["data"][0]["attributes"]["node_ids"],
        json!(["124", "200"])
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_clients() {
    let server = std::sync::Arc::new(Server::start(1000));
    // 100 clients at once (the limit is 64: the others wait for a slot),
    // previews beside detaches of disjoint products.
    let detaches = [
        json!({"data": {"filter": "eq(sku,book)", "node_ids": ["123"]}}),
        json!({"data": {"filter": "eq(sku,ink)", "node_ids": ["200"]}}),
        json!({"data": {"filter": "eq(sku,novel)", "node_ids": ["h1"]}}),
        json!({"data": {"filter": "eq(sku,pen)", "node_ids": ["124"]}}),
    ];
    let mut tasks = Vec::new();
    for i in 0..100 {
        let server = std::sync::Arc::clone(&server);
        let body = detaches.get(i % 25).cloned();
        tasks.push(tokio::spawn(async move {
            match body {
                Some(body) => server.detach(A, body).await.0,
                None => {
                    let (status, p) = server.products(A, "?filter=eq(status,live)").await;
                    assert_eq!(p["meta"]["results"]["total"], 4);
                    status
                }
            }
        }));
    }
    for task in tasks {
        assert_eq!(task.await.unwrap(), 200);
    }
    // The same memberships as the detaches applied one after another.
    let expected = catalog_after(&detaches);
    let expected = Catalog::from_json(std::str::from_utf8(&expected).unwrap()).unwrap();
    let (_, all) = server.products(A, "").await;
    for (item, product) in all["data"]
        .as_array()
        .unwrap()
        .iter()
        .zip(expected.products())
    {
        let ids: Vec<&str> = product.node_ids.iter().map(|t| t.as_ref()).collect();
        assert_eq!(item["attributes"]["node_ids"], json!(ids), "{}", item["id"]);
    }
}

/// The README's session, on the default config (the sample data and its
/// tokens), and the README's example config.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_readme() {
    let server = Server::spawn(temp_dir(), None);
    let (_, p) = server
        .products(
            "ep-admin-token",
            "?filter=eq(status,live):like(name,*Peace*)&page[limit]=1",
        )
        .await;
    assert_eq!(
        p["data"][0]["attributes"]["node_ids"],
        json!(["node-novels", "node-sale-books"])
    );
    assert_eq!(
        p["meta"],
        json!({"page": {"limit": 1, "offset": 0}, "results": {"total": 1}})
    );
    let detach = |filter: &str| json!({"data": {"filter": filter, "node_ids": ["node-books"]}});
    assert_eq!(
        server
            .detach("ep-admin-token", detach("eq(sku,BOOK-001)"))
            .await,
        (
            200,
            json!({"meta": {"nodes_detached": 1, "nodes_not_found": []}})
        )
    );
    assert_eq!(
        server
            .detach("ep-admin-token", detach("eq(skus,BOOK-001)"))
            .await
            .0,
        400
    );
    assert_eq!(
        server
            .detach("ep-shopper-token", detach("eq(sku,BOOK-001)"))
            .await
            .0,
        403
    );
    let ids = json!({"productIds": [37208345]});
    assert_eq!(
        server
            .unassign("ecwid-1003-token", "1003", "9691094", ids.clone())
            .await,
        (200, json!({"deleteCount": 1}))
    );
    assert_eq!(
        server
            .unassign("ecwid-1003-readonly", "1003", "9691094", ids)
            .await,
        (
            403,
            ec(
                "Access denied: the token lacks the update_catalog scope",
                "FORBIDDEN"
            )
        )
    );
    let dir = server.terminate();
    let _ = std::fs::remove_dir_all(dir);

    // The example config of the README, with the sample files beside it.
    let readme = include_str!("../README.md");
    let config = readme
        .split("```toml\n")
        .nth(1)
        .and_then(|rest| rest.split("```").next())
        .unwrap();
    let dir = temp_dir();
    std::fs::write(dir.join("config.toml"), config).unwrap();
    let data = concat!(env!("CARGO_MANIFEST_DIR"), "/examples/data");
    std::fs::copy(format!("{data}/catalog.json"), dir.join("catalog.json")).unwrap();
    std::fs::copy(format!("{data}/store.json"), dir.join("store.json")).unwrap();
    let server = Server::start_in(dir);
    assert_eq!(
        server
            .products("a-long-random-secret", "?page[limit]=0")
            .await
            .0,
        200
    );
    assert_eq!(
        server
            .unassign(
                "another-long-random-secret",
                "1003",
                "9691094",
                json!({"productIds": [37208345]})
            )
            .await,
        (200, json!({"deleteCount": 1}))
    );
    let dir = server.terminate();
    let _ = std::fs::remove_dir_all(dir);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigterm_finishes_requests_in_flight() {
    use std::io::{Read, Write};
    let server = Server::start(1000);
    let addr = server.base.trim_start_matches("http://").to_owned();
    let body = r#"{"data":{"filter":"eq(sku,book)","node_ids":["123"]}}"#;
    let (half, rest) = body.split_at(20);
    let mut stream = std::net::TcpStream::connect(addr).unwrap();
    write!(
        stream,
        "POST /pcm/products/detach_nodes HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {A}\r\n\
         Content-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{half}",
        body.len()
    )
    .unwrap();
    std::thread::sleep(Duration::from_millis(300));
    // SIGTERM while the request's body is still coming.
    let pid = server.child.id().to_string();
    assert!(sigterm(&pid));
    std::thread::sleep(Duration::from_millis(300));
    stream.write_all(rest.as_bytes()).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(20)))
        .unwrap();
    let mut answer = String::new();
    let _ = stream.read_to_string(&mut answer);
    assert!(answer.starts_with("HTTP/1.1 200 "), "{answer}");
    assert!(
        answer.ends_with(r#"{"meta":{"nodes_detached":1,"nodes_not_found":[]}}"#),
        "{answer}"
    );
    // The server stops by itself, its journal folded into the snapshot.
    let dir = server.terminate_wait();
    let written = std::fs::read(dir.join("state/a/snapshot-00000000000000000001.json")).unwrap();
    assert_eq!(
        written,
        catalog_after(&[serde_json::from_str(body).unwrap()])
    );
    let _ = std::fs::remove_dir_all(dir);
}

/// Setting some `[limits]` keeps the server's 1 MiB body limit unless
/// `max_snapshot_bytes` itself is set (the library's default is 1 GiB).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn other_limits_keep_the_body_limit() {
    let server = Server::start_with(config_sections("timeout_secs = 5", "max_conditions = 20"));
    // Headers announcing 2 MiB, then 1 MiB and one byte of it: over the
    // limit, the rest never sent (without the limit: a wait, then the 408).
    let limit = 1 << 20;
    let mut request = format!(
        "POST /api/v3/1003/categories/9691094/unassignProducts HTTP/1.1\r\nHost: x\r\n\
         Authorization: Bearer {E1003}\r\nContent-Type: application/json\r\n\
         Content-Length: {}\r\n\r\n",
        2 * limit
    )
    .into_bytes();
    request.extend(std::iter::repeat_n(b' ', limit + 1));
    let (answer, _) = tokio::task::spawn_blocking(move || {
        let answer = raw_exchange(&server, &request, Duration::from_secs(20));
        drop(server);
        answer
    })
    .await
    .unwrap();
    assert!(answer.starts_with("HTTP/1.1 400 "), "{answer}");
    assert!(answer.contains("LIMIT_EXCEEDED"), "{answer}");
    assert!(answer.contains(&limit.to_string()), "{answer}");
}

/// The preview's filter is held to the config's `[limits]`, as detach's is.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_preview_uses_the_configured_limits() {
    let server = Server::start_with(config_sections("", "max_conditions = 1"));
    let too_many = "too many conditions: 2, the limit is 1 conditions per filter";
    let (status, value) = server
        .products(A, "?filter=eq(sku,book):eq(status,live)")
        .await;
    assert_eq!(status, 400, "{value}");
    assert_eq!(value["errors"][0]["meta"]["message"], too_many, "{value}");
    // The same refusal as detach_nodes' (there with its pointer).
    let (status, value) = server
        .detach(
            A,
            json!({"data": {"filter": "eq(sku,book):eq(status,live)", "node_ids": ["123"]}}),
        )
        .await;
    assert_eq!(status, 400, "{value}");
    assert_eq!(value["errors"][0]["meta"]["message"], too_many, "{value}");
    assert_eq!(server.products(A, "?filter=eq(sku,book)").await.0, 200);
}

/// `max_concurrency` is one limit for the whole server, not one per route:
/// with a limit of 1, a detach whose body is still coming holds the only
/// slot, and a request to another endpoint waits until it is answered.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_concurrency_limit_is_global() {
    use std::io::{Read, Write};
    let server = Server::start_with(config_sections(
        "max_concurrency = 1",
        &format!("max_snapshot_bytes = {BODY_LIMIT}"),
    ));
    let addr = server.base.trim_start_matches("http://").to_owned();
    let body = r#"{"data":{"filter":"eq(sku,book)","node_ids":["123"]}}"#;
    let (half, rest) = body.split_at(20);
    let mut slow = std::net::TcpStream::connect(addr).unwrap();
    write!(
        slow,
        "POST /pcm/products/detach_nodes HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {A}\r\n\
         Content-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{half}",
        body.len()
    )
    .unwrap();
    // Let the server take the detach (and its slot) first.
    tokio::time::sleep(Duration::from_millis(500)).await;
    let (done_tx, mut done_rx) = tokio::sync::oneshot::channel();
    let client = server.client.clone();
    let url = format!("{}/healthz", server.base);
    let other = tokio::spawn(async move {
        let status = client.get(url).send().await.unwrap().status().as_u16();
        let _ = done_tx.send(Instant::now());
        status
    });
    // The other endpoint waits while the detach's body is still coming.
    tokio::time::sleep(Duration::from_millis(1000)).await;
    assert!(
        done_rx.try_recv().is_err(),
        "/healthz was answered while the only slot was taken"
    );
    // The rest of the body: the detach is answered, then /healthz.
    let answer = tokio::task::spawn_blocking(move || {
        let completed = Instant::now();
        slow.write_all(rest.as_bytes()).unwrap();
        slow.set_read_timeout(Some(Duration::from_secs(20)))
            .unwrap();
        let mut answer = String::new();
        let _ = slow.read_to_string(&mut answer);
        (answer, completed)
    });
    let (answer, completed) = answer.await.unwrap();
    assert!(answer.starts_with("HTTP/1.1 200 "), "{answer}");
    assert_eq!(other.await.unwrap(), 200);
    let healthz_done = done_rx.await.unwrap();
    assert!(
        healthz_done > completed,
        "/healthz before the detach's body"
    );
}

/// A request without a valid token is refused before its body is read:
/// a client announcing a body and never sending it gets its 401 at once,
/// on both vendors' write endpoints.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_bad_token_is_refused_before_the_body() {
    let server = Server::start_with(config_with(1000, 20));
    let server = std::sync::Arc::new(server);
    for (path, token, code) in [
        (
            "/api/v3/1003/categories/9691094/unassignProducts",
            "Bearer not-a-token",
            "UNAUTHORIZED",
        ),
        (
            "/api/v3/1003/categories/9691094/unassignProducts",
            "Basic x",
            "UNAUTHORIZED",
        ),
        (
            "/pcm/products/detach_nodes",
            "Bearer not-a-token",
            "Unauthorized",
        ),
        // Checked before the body too: another store (403), no scope (403).
        (
            "/api/v3/2004/categories/9691094/unassignProducts",
            "Bearer token-1003",
            "FORBIDDEN",
        ),
        (
            "/api/v3/1003/categories/9691094/unassignProducts",
            "Bearer token-1003-read",
            "FORBIDDEN",
        ),
    ] {
        // Headers and the start of a body of 100 bytes; the rest never
        // comes and the connection stays open.
        let request = format!(
            "POST {path} HTTP/1.1\r\nHost: x\r\nAuthorization: {token}\r\n\
             Content-Type: application/json\r\nContent-Length: 100\r\n\r\n{{\"productIds\":"
        );
        let server = std::sync::Arc::clone(&server);
        let (answer, _) = tokio::task::spawn_blocking(move || {
            raw_exchange(&server, request.as_bytes(), Duration::from_secs(5))
        })
        .await
        .unwrap();
        let status = if code == "FORBIDDEN" { "403" } else { "401" };
        assert!(
            answer.starts_with(&format!("HTTP/1.1 {status} ")),
            "{path} {token}: {answer:?}"
        );
        assert!(answer.contains(code), "{answer}");
    }
}

/// A second server on the same state directory refuses to start, saying
/// why; once the first is gone, the directory serves again.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_server_per_state_directory() {
    let server = Server::start(1000);
    let output = Command::new(env!("CARGO_BIN_EXE_catalog-filter-server"))
        .arg("--config")
        .arg(server.dir.join("config.toml"))
        .arg("--listen")
        .arg("127.0.0.1:0")
        .arg("--state")
        .arg(server.dir.join("state"))
        .output()
        .unwrap();
    assert!(!output.status.success());
    assert_eq!(output.stdout, b"", "it never listened");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("is in use by another process") && stderr.contains("LOCK"),
        "{stderr}"
    );
    // The first server was not disturbed.
    assert_eq!(server.products(A, "?page[limit]=0").await.0, 200);
    let dir = server.kill();
    let server = Server::start_in(dir);
    assert_eq!(server.products(A, "?page[limit]=0").await.0, 200);
}

/// A detach is journaled as its resolved effect (the products and the ids
/// of the nodes they left), replayed without the request's checks; a
/// journal of requests (written before) still replays, and one refused
/// now fails its store loudly (500, the reason in the log).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_journal_holds_the_resolved_effect() {
    let server = Server::start(1000);
    let body = json!({"data": {"filter": "eq(sku,book)", "node_ids": ["123"]}});
    assert_eq!(server.detach(A, body.clone()).await.0, 200);
    let dir = server.kill();
    let journal = dir.join("state/a/journal.jsonl");
    // The book left 124, below 123.
    assert_eq!(
        std::fs::read_to_string(&journal).unwrap(),
        "{\"seq\":1,\"entry\":{\"v\":2,\"product_ids\":[\"7d4f6c2a-1b3e-4f5a-9c8d-0e1f2a3b4c5d\"],\"node_ids\":[\"124\"]}}\n"
    );
    // An effect is applied as it is: here the pen (in 124) leaving 124,
    // with an id that names no node beside it.
    std::fs::write(
        &journal,
        "{\"seq\":1,\"entry\":{\"v\":2,\"product_ids\":[\"00000000-0000-4000-8000-000000000001\"],\"node_ids\":[\"124\",\"no-such-node\"]}}\n",
    )
    .unwrap();
    let server = Server::start_in(dir);
    let (_, p) = server.products(A, "?filter=in(sku,book,pen)").await;
    assert_eq!(
        p["data"][0]["attributes"]["node_ids"],
        json!(["124", "200"])
    );
    assert_eq!(p["data"][1]["attributes"]["sku"], "pen");
    assert_eq!(p["data"][1]["attributes"]["node_ids"], json!([]));
    let dir = server.kill();
    // A journal of requests, as written before entries were versioned.
    std::fs::write(&journal, format!("{{\"seq\":1,\"entry\":{body}}}\n")).unwrap();
    let server = Server::start_in(dir);
    let (_, p) = server.products(A, "?filter=in(sku,book,pen)").await;
    assert_eq!(p["data"][0]["attributes"]["node_ids"], json!(["200"]));
    assert_eq!(p["data"][1]["attributes"]["node_ids"], json!(["124"]));
    let dir = server.kill();
    // A journaled request that the checks of today refuse: the store
    // answers 500 and the log says why (the journal is kept as it is).
    let refused =
        "{\"seq\":1,\"entry\":{\"data\":{\"filter\":\"gt(name,x)\",\"node_ids\":[\"123\"]}}}\n";
    std::fs::write(&journal, refused).unwrap();
    let server = Server::start_in(dir);
    let (status, value) = server.products(A, "").await;
    assert_eq!(status, 500, "{value}");
    let log = server.log();
    assert!(
        log.contains("store=a")
            && log.contains("journal entry 1: a journaled request is refused now"),
        "{log}"
    );
    let dir = server.kill();
    assert_eq!(std::fs::read_to_string(&journal).unwrap(), refused);
    let _ = std::fs::remove_dir_all(dir);
}
