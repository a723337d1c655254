//! The server's PostgreSQL catalogs (`backend = "postgres://..."`), against
//! a throwaway PostgreSQL (tests/support/pg_server.rs): the same answers as
//! an embedded store of the same snapshot, concurrent detaches that end as
//! a serial order, a backend terminated in the middle of a detach, and a
//! database that is down.

#[allow(dead_code)] // this file uses a part
#[path = "support/pg_server.rs"]
mod pg_server;
#[path = "support/server.rs"]
mod server_support;

use catalog_filter::Limits;
use catalog_filter::catalog::Catalog;
use catalog_filter::elasticpath::detach::{self, DetachNodesRequest};
use serde_json::{Value, json};
use server_support::{FIXTURES, Server, temp_dir};
use std::collections::BTreeMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

/// A new empty database of the shared server; its connection string.
fn database() -> String {
    static N: AtomicUsize = AtomicUsize::new(0);
    // The test's runtime thread may block here (the blocking client).
    tokio::task::block_in_place(|| {
        let pg = pg_server::shared();
        let name = format!(
            "cf_server_{}_{}",
            std::process::id(),
            N.fetch_add(1, Ordering::SeqCst)
        );
        pg.connect("postgres")
            .batch_execute(&format!("CREATE DATABASE {name}"))
            .unwrap();
        format!("postgres://postgres@127.0.0.1:{}/{name}", pg.port())
    })
}

/// A client of the database `url` names.
async fn connect(url: &str) -> tokio_postgres::Client {
    let (client, connection) = tokio_postgres::connect(url, tokio_postgres::NoTls)
        .await
        .unwrap();
    tokio::spawn(connection);
    client
}

/// A config with an embedded store `emb` and a PostgreSQL store `pg` of the
/// same snapshot, an admin token for each.
fn config(url: &str, snapshot: &str) -> String {
    format!(
        r#"
[[stores]]
name = "emb"
vendor = "elasticpath"
snapshot = "{snapshot}"

[[stores]]
name = "pg"
vendor = "elasticpath"
backend = "{url}"
snapshot = "{snapshot}"

[[tokens]]
token = "emb-token"
store = "emb"

[[tokens]]
token = "pg-token"
store = "pg"

[[tokens]]
token = "pg-shopper"
store = "pg"
grant = "implicit"
"#
    )
}

/// Waits until the PostgreSQL catalog of `token` is set up (its schema
/// created and its snapshot loaded, in the background): 500 until then.
async fn ready(server: &Server, token: &str) {
    let deadline = Instant::now() + Duration::from_secs(120);
    loop {
        let (status, body) = server.products(token, "?page[limit]=0").await;
        if status == 200 {
            return;
        }
        assert_eq!(status, 500, "{body}");
        assert!(
            Instant::now() < deadline,
            "the PostgreSQL catalog is not set up: {}",
            server.log()
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// Each product's memberships in the database, products without any left
/// out: `{id: [node ids in order]}`.
async fn memberships(url: &str) -> BTreeMap<String, Vec<String>> {
    connect(url)
        .await
        .query(
            "SELECT product_id::text, array_agg(node_id ORDER BY ordinal) \
             FROM product_nodes GROUP BY product_id",
            &[],
        )
        .await
        .unwrap()
        .iter()
        .map(|row| (row.get(0), row.get(1)))
        .collect()
}

/// The same, of a catalog in memory.
fn memberships_of(catalog: &Catalog) -> BTreeMap<String, Vec<String>> {
    catalog
        .products()
        .iter()
        .filter(|p| !p.node_ids.is_empty())
        .map(|p| {
            let ids = p.node_ids.iter().map(|n| n.to_string()).collect();
            (p.id.to_string(), ids)
        })
        .collect()
}

/// A preview's items by id: `{id: (sku, node_ids)}`, and its total.
fn preview_items(body: &Value) -> (BTreeMap<String, (Value, Value)>, Value) {
    let items = body["data"]
        .as_array()
        .unwrap_or_else(|| panic!("no data in {body}"))
        .iter()
        .map(|item| {
            assert_eq!(item["type"], "product", "{item}");
            let id = item["id"].as_str().unwrap().to_owned();
            let attributes = &item["attributes"];
            (
                id,
                (attributes["sku"].clone(), attributes["node_ids"].clone()),
            )
        })
        .collect();
    (items, body["meta"]["results"]["total"].clone())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_postgres_catalog_answers_as_the_embedded_one() {
    let url = database();
    let snapshot = format!("{FIXTURES}/catalog-a.json");
    let server = Server::start_with(config(&url, &snapshot));
    ready(&server, "pg-token").await;
    let requests = [
        // The seed's example.
        json!({"data": {"filter": "eq(sku,book)", "node_ids": ["123"]}}),
        json!({"data": {"filter": "eq(sku,book)", "node_ids": ["123"]}}),
        json!({"data": {"filter": "eq(status,live)", "node_ids": ["h1", "nope", "h1"]}}),
        json!({"data": {"filter": "eqq(sku,book)", "node_ids": ["123"]}}),
        json!({"data": {"filter": "eq(sku,a)|eq(sku,b)", "node_ids": ["123"]}}),
        json!({"data": {"filter": "eq(sku,book)", "node_ids": []}}),
        json!({"data": {"node_ids": ["123"]}}),
        json!({"data": "nope"}),
    ];
    let previews = [
        "",
        "?filter=eq(status,live)",
        "?filter=eq(sku,book)&page[limit]=1",
        "?filter=eq(status,live)&page[limit]=2&page[offset]=1",
        "?filter=eq(sku,nothing)",
        "?filter=eqq(sku,x)",
    ];
    let mut expected = Catalog::from_json(&std::fs::read_to_string(&snapshot).unwrap()).unwrap();
    for (n, body) in requests.iter().enumerate() {
        let embedded = server.detach("emb-token", body.clone()).await;
        let pg = server.detach("pg-token", body.clone()).await;
        assert_eq!(pg, embedded, "request {n}: {body}");
        if embedded.0 == 200 {
            let request: DetachNodesRequest = serde_json::from_value(body.clone()).unwrap();
            let plan = detach::plan(&expected, &request, &Limits::default()).unwrap();
            detach::apply(&mut expected, &plan);
        }
        assert_eq!(
            memberships(&url).await,
            memberships_of(&expected),
            "after request {n}: {body}"
        );
    }
    assert_eq!(
        server.detach("emb-token", requests[0].clone()).await.1,
        json!({"meta": {"nodes_detached": 1, "nodes_not_found": []}})
    );
    for query in previews {
        let (status, embedded) = server.products("emb-token", query).await;
        let (pg_status, pg) = server.products("pg-token", query).await;
        assert_eq!(pg_status, status, "{query}: {pg}");
        if status != 200 {
            assert_eq!(pg, embedded, "{query}");
            continue;
        }
        // The same products (in `id` order rather than the snapshot's, so
        // compared as sets when a page holds all of them) and total.
        let (pg_items, pg_total) = preview_items(&pg);
        let (items, total) = preview_items(&embedded);
        assert_eq!(pg_total, total, "{query}");
        assert_eq!(pg_items.len(), items.len(), "{query}");
        if !query.contains("page[") {
            assert_eq!(pg_items, items, "{query}");
        }
    }
    // One item in full: the columns the table keeps, `node_ids` as now.
    let (_, one) = server.products("pg-token", "?filter=eq(sku,pen)").await;
    assert_eq!(
        one,
        json!({
            "data": [{
                "type": "product",
                "id": "00000000-0000-4000-8000-000000000001",
                "attributes": {
                    "sku": "pen", "name": "Pen", "status": "live", "node_ids": [],
                    "tags": [], "templates": [], "product_types": [],
                    "extensions": {}, "shopper_attributes": {}, "admin_attributes": {}
                }
            }],
            "meta": {"page": {"limit": 25, "offset": 0}, "results": {"total": 1}}
        })
    );
    // The shopper's token is refused (403) before the database is asked.
    let (status, _) = server.detach("pg-shopper", requests[0].clone()).await;
    assert_eq!(status, 403);
    server.terminate();
}

/// A catalog of `products` products in `nodes` nodes under one hierarchy
/// (node k's parent is node k/2), each product in three nodes.
fn generated(products: usize, nodes: usize) -> String {
    let node_list: Vec<Value> = (0..nodes)
        .map(|k| {
            let mut node = json!({"id": format!("n{k}"), "hierarchy_id": "h"});
            if k > 0 {
                node["parent_id"] = json!(format!("n{}", (k - 1) / 2));
            }
            node
        })
        .collect();
    let product_list: Vec<Value> = (0..products)
        .map(|k| {
            json!({
                "id": format!("00000000-0000-4000-8000-{k:012}"),
                "sku": format!("sku-{k}"),
                "status": if k % 3 == 0 { "draft" } else { "live" },
                // Three distinct nodes (nodes > 17).
                "node_ids": [
                    format!("n{}", k % nodes),
                    format!("n{}", (k + 1 + k % 5) % nodes),
                    format!("n{}", (k + 7 + k % 11) % nodes),
                ],
            })
        })
        .collect();
    json!({"hierarchies": [{"id": "h"}], "nodes": node_list, "products": product_list}).to_string()
}

/// Detaches that overlap (the same memberships, at once) all succeed, and
/// the database ends as applying them one after another does. Under
/// `REPEATABLE READ` without retries, the second of two deletes of one row
/// failed ("could not serialize access"), a 500.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_detaches_end_as_a_serial_order() {
    let url = database();
    let dir = temp_dir();
    let snapshot = dir.join("generated.json");
    let text = generated(600, 40);
    std::fs::write(&snapshot, &text).unwrap();
    let server = Arc::new(Server::start_with(config(
        &url,
        &snapshot.display().to_string(),
    )));
    ready(&server, "pg-token").await;
    let bodies: Vec<Value> = (0..24)
        .map(|k| {
            let filter = match k % 4 {
                0 => "eq(status,live)".to_owned(),
                1 => "eq(status,draft)".to_owned(),
                2 => "like(sku,sku-1*)".to_owned(),
                _ => "like(sku,*7)".to_owned(),
            };
            let nodes = [
                format!("n{}", k % 5),
                format!("n{}", 5 + k % 7),
                "h".to_owned(),
            ];
            let nodes: Vec<&str> = if k % 6 == 0 {
                nodes.iter().map(String::as_str).collect()
            } else {
                nodes[..2].iter().map(String::as_str).collect()
            };
            json!({"data": {"filter": filter, "node_ids": nodes}})
        })
        .collect();
    let tasks: Vec<_> = bodies
        .iter()
        .cloned()
        .map(|body| {
            let server = Arc::clone(&server);
            tokio::spawn(async move { server.detach("pg-token", body).await })
        })
        .collect();
    let mut expected = Catalog::from_json(&text).unwrap();
    for (task, body) in tasks.into_iter().zip(&bodies) {
        let (status, answer) = task.await.unwrap();
        assert_eq!(status, 200, "{body}: {answer}\n{}", server.log());
        let request: DetachNodesRequest = serde_json::from_value(body.clone()).unwrap();
        let plan = detach::plan(&expected, &request, &Limits::default()).unwrap();
        // Existence of nodes does not change: every order answers the same.
        assert_eq!(
            answer,
            serde_json::to_value(&plan.response).unwrap(),
            "{body}"
        );
        detach::apply(&mut expected, &plan);
    }
    // These detaches commute (deleting a membership never makes a filter
    // match a product it did not), so every serial order ends here.
    assert_eq!(memberships(&url).await, memberships_of(&expected));
    assert!(memberships_of(&expected).len() < 600);
    if let Ok(server) = Arc::try_unwrap(server) {
        server.terminate();
    }
}

/// `pg_terminate_backend` on the server's connection while its detach
/// waits in the `DELETE`: the answer is the 500 envelope with the request
/// id, nothing changed, and the next request succeeds on a new connection.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_terminated_backend_fails_the_detach_whole() {
    let url = database();
    let snapshot = format!("{FIXTURES}/catalog-a.json");
    let server = Arc::new(Server::start_with(config(&url, &snapshot)));
    ready(&server, "pg-token").await;
    let before = memberships(&url).await;
    let body = json!({"data": {"filter": "eq(status,live)", "node_ids": ["h1"]}});

    // Hold the memberships table, so the detach waits inside its DELETE.
    let mut holder = connect(&url).await;
    let hold = holder.transaction().await.unwrap();
    hold.batch_execute("LOCK TABLE product_nodes IN ACCESS EXCLUSIVE MODE")
        .await
        .unwrap();
    let task = {
        let server = Arc::clone(&server);
        let body = body.clone();
        tokio::spawn(async move {
            server
                .call(
                    "POST",
                    "/pcm/products/detach_nodes",
                    Some("pg-token"),
                    Some(&body.to_string()),
                )
                .await
        })
    };
    let admin = connect(&url).await;
    let deadline = Instant::now() + Duration::from_secs(30);
    let terminated = loop {
        let rows = admin
            .query(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity \
                 WHERE datname = current_database() AND pid <> pg_backend_pid() \
                   AND wait_event_type = 'Lock' AND query LIKE 'DELETE FROM product_nodes%'",
                &[],
            )
            .await
            .unwrap();
        if !rows.is_empty() {
            break rows.len();
        }
        assert!(
            Instant::now() < deadline,
            "the detach never waited in its DELETE"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    };
    assert_eq!(terminated, 1);
    hold.rollback().await.unwrap();
    let (status, answer, headers) = task.await.unwrap();
    assert_eq!(status, 500, "{answer}");
    let request_id = headers["x-request-id"].to_str().unwrap();
    assert_eq!(
        answer,
        json!({"errors": [{
            "status": "500",
            "title": "Internal server error",
            "detail": "An internal error has occurred.",
            "request_id": request_id
        }]})
    );
    assert_eq!(memberships(&url).await, before, "nothing changed");

    // The next request gets a new connection, and detaches.
    let (status, answer) = server.detach("pg-token", body).await;
    assert_eq!(
        (status, answer),
        (
            200,
            json!({"meta": {"nodes_detached": 1, "nodes_not_found": []}})
        )
    );
    let after = memberships(&url).await;
    assert_eq!(
        after.get("00000000-0000-4000-8000-000000000002"),
        Some(&vec!["200".to_owned()]),
        "the draft keeps its membership"
    );
    assert_eq!(after.len(), 1, "{after:?}");
    if let Ok(server) = Arc::try_unwrap(server) {
        server.terminate();
    }
}

/// A database that is down: the server starts, and its catalog answers
/// the 500 envelope (with the request id) until it is up; a snapshot that
/// fails its checks makes the store answer its 500, `missing_ids` named,
/// whether the database is up or not.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_database_that_is_down_or_a_broken_snapshot_answers_500() {
    // Port 1: nothing listens there.
    let down = "postgres://postgres@127.0.0.1:1/nothing";
    let broken = format!("{FIXTURES}/catalog-broken.json");
    let server = Server::start_with(format!(
        r#"
[[stores]]
name = "down"
vendor = "elasticpath"
backend = "{down}"

[[stores]]
name = "broken"
vendor = "elasticpath"
backend = "{down}"
snapshot = "{broken}"

[[tokens]]
token = "down-token"
store = "down"

[[tokens]]
token = "broken-token"
store = "broken"
"#
    ));
    let body = json!({"data": {"filter": "eq(sku,book)", "node_ids": ["123"]}});
    for (status, answer, headers) in [
        server
            .call("GET", "/pcm/products", Some("down-token"), None)
            .await,
        server
            .call(
                "POST",
                "/pcm/products/detach_nodes",
                Some("down-token"),
                Some(&body.to_string()),
            )
            .await,
    ] {
        assert_eq!(status, 500, "{answer}");
        assert_eq!(
            answer["errors"][0]["request_id"],
            headers["x-request-id"].to_str().unwrap()
        );
    }
    let (status, answer) = server.detach("broken-token", body).await;
    assert_eq!(status, 500, "{answer}");
    assert!(
        answer["errors"][0]["meta"]["missing_ids"].is_array(),
        "{answer}"
    );
    let log = server.log();
    assert!(!log.contains("down-token"), "a token was logged");
    server.terminate();
}

/// The playground (`POST /playground/check`) reads a PostgreSQL catalog
/// through its preview, as it reads an embedded one: the same count and
/// the same products (PostgreSQL lists them in `id` order, so compared
/// sorted), and the same refusal of a shopper token.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_playground_reads_a_postgres_catalog_as_the_embedded_one() {
    let url = database();
    let snapshot = format!("{FIXTURES}/catalog-a.json");
    let server = Server::start_with(config(&url, &snapshot));
    ready(&server, "pg-token").await;
    let check = |token: &'static str, filter: &'static str| {
        let server = &server;
        async move {
            let body = json!({"filter": filter}).to_string();
            let (status, answer, _) = server
                .call("POST", "/playground/check", Some(token), Some(&body))
                .await;
            assert_eq!(status, 200, "{answer}");
            answer
        }
    };
    let sorted = |store: &Value| {
        let mut products = store["products"].as_array().cloned().unwrap_or_default();
        products.sort_by_key(|p| p["id"].as_str().unwrap_or_default().to_owned());
        (store["total"].clone(), products)
    };
    for filter in [
        "eq(status,live)",
        "eq(sku,book)",
        "like(name,*a*)",
        "eq(sku,nothing)",
    ] {
        let embedded = check("emb-token", filter).await;
        let pg = check("pg-token", filter).await;
        assert_eq!(embedded["store"]["name"], "emb", "{embedded}");
        assert_eq!(pg["store"]["name"], "pg", "{pg}");
        assert_eq!(sorted(&pg["store"]), sorted(&embedded["store"]), "{filter}");
        assert!(embedded["store"]["total"].is_u64(), "{embedded}");
    }
    let (total, _) = sorted(&check("pg-token", "eq(sku,book)").await["store"]);
    assert_eq!(total, 1);
    assert_eq!(
        check("pg-shopper", "eq(sku,book)").await["store"],
        json!({"name": "pg", "error": "the token may not read this catalog's products (an admin token is needed)"})
    );
    server.terminate();
}

/// Every wait on the database is bounded by the request timeout: a detach
/// stuck behind a lock is cancelled by `statement_timeout` (its backend
/// stops waiting within seconds, and nothing changes once the lock goes),
/// rather than running on long after its client was answered.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_statement_stops_at_the_request_timeout() {
    let url = database();
    let snapshot = format!("{FIXTURES}/catalog-a.json");
    let server = Server::start_with(format!(
        "[server]\ntimeout_secs = 1\n{}",
        config(&url, &snapshot)
    ));
    ready(&server, "pg-token").await;
    let before = memberships(&url).await;
    let mut holder = connect(&url).await;
    let hold = holder.transaction().await.unwrap();
    hold.batch_execute("LOCK TABLE product_nodes IN ACCESS EXCLUSIVE MODE")
        .await
        .unwrap();
    let started = Instant::now();
    let body = json!({"data": {"filter": "eq(status,live)", "node_ids": ["h1"]}});
    let (status, answer) = server.detach("pg-token", body).await;
    // The request timeout (408) or the statement's (500), whichever is first.
    assert!(matches!(status, 408 | 500), "{status} {answer}");
    let admin = connect(&url).await;
    let waiting = || async {
        admin
            .query(
                "SELECT 1 FROM pg_stat_activity WHERE datname = current_database() \
                 AND wait_event_type = 'Lock' AND query LIKE 'DELETE FROM product_nodes%'",
                &[],
            )
            .await
            .unwrap()
            .len()
    };
    while waiting().await > 0 {
        assert!(
            started.elapsed() < Duration::from_secs(10),
            "the DELETE still waits after 10 s"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    hold.rollback().await.unwrap();
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert_eq!(memberships(&url).await, before, "nothing changed");
    assert!(
        server.log().contains("statement timeout"),
        "{}",
        server.log()
    );
    server.terminate();
}
