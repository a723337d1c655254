//! `sql::pg::nonblocking` (feature `postgres-async`) against the blocking
//! `sql::pg` on the same database: the same loads, selections and
//! detaches, so the two clients of one set of statements agree.
#![cfg(all(feature = "postgres", feature = "postgres-async"))]

mod support;

use catalog_filter::compile;
use catalog_filter::elasticpath::detach::DetachNodesRequest;
use catalog_filter::sql::pg::{self, nonblocking};
use support::generate::{self, LIMITS};
use support::pg_server;

/// The rows of each table, as text, in a fixed order.
fn tables(client: &mut postgres::Client) -> Vec<Vec<String>> {
    ["hierarchies", "nodes", "products", "product_nodes"]
        .iter()
        .map(|table| {
            client
                .query(
                    &format!("SELECT t::text FROM {table} AS t ORDER BY t::text"),
                    &[],
                )
                .unwrap()
                .iter()
                .map(|row| row.get(0))
                .collect()
        })
        .collect()
}

#[test]
fn the_async_client_agrees_with_the_blocking_one() {
    let server = pg_server::shared();
    // Two databases: one loaded and changed by each client. The blocking
    // client runs outside the runtime (it has one of its own).
    let mut blocking = server.fresh_database();
    let db: String = blocking
        .query_one("SELECT current_database()", &[])
        .unwrap()
        .get(0);
    let other = format!("{db}_async");
    server
        .connect("postgres")
        .batch_execute(&format!("CREATE DATABASE {other}"))
        .unwrap();
    let mut mirror = server.connect(&other);
    let rt = tokio::runtime::Runtime::new().unwrap();
    let mut client = rt.block_on(async {
        let (client, connection) = tokio_postgres::connect(
            &format!(
                "host=127.0.0.1 port={} user=postgres dbname={other}",
                server.port()
            ),
            tokio_postgres::NoTls,
        )
        .await
        .unwrap();
        tokio::spawn(connection);
        client
    });

    let catalog = generate::catalog(23, 200, 25);
    rt.block_on(async {
        nonblocking::create_schema(&client).await.unwrap();
        // Twice: idempotent.
        nonblocking::create_schema(&client).await.unwrap();
        nonblocking::load(&mut client, &catalog).await.unwrap();
    });
    pg::load(&mut blocking, &catalog).unwrap();
    assert_eq!(
        tables(&mut mirror),
        tables(&mut blocking),
        "the same rows loaded"
    );
    assert_eq!(tables(&mut mirror)[2].len(), 200);

    for text in [
        "eq(status,live)",
        "like(name,*e*)",
        "like(sku,*1*):eq(status,draft)",
    ] {
        let filter = compile(text).unwrap();
        let ids = rt
            .block_on(nonblocking::select_ids(&client, &filter))
            .unwrap();
        assert_eq!(
            ids,
            pg::select_ids(&mut blocking, &filter).unwrap(),
            "{text}"
        );
        assert!(!ids.is_empty(), "{text} selects something");
    }

    let memberships_before = tables(&mut blocking)[3].len();
    let nodes: Vec<String> = catalog
        .nodes()
        .iter()
        .take(6)
        .map(|n| n.id.clone())
        .collect();
    let mut requested = nodes.clone();
    requested.push("nope".into());
    for text in ["eq(status,live)", "like(sku,*2*)"] {
        let request = DetachNodesRequest::new(text, requested.iter().map(String::as_str));
        let answer = rt
            .block_on(nonblocking::detach(&mut client, &request, &LIMITS))
            .unwrap();
        assert_eq!(
            answer,
            pg::detach(&mut blocking, &request, &LIMITS).unwrap(),
            "{text}"
        );
        assert_eq!(answer.meta.nodes_not_found, ["nope"]);
        let filter = compile(text).unwrap();
        let done = rt
            .block_on(nonblocking::detach_nodes(&mut client, &filter, &nodes))
            .unwrap();
        assert_eq!(done.memberships_removed, 0, "{text}: already detached");
    }
    assert_eq!(
        tables(&mut mirror),
        tables(&mut blocking),
        "the same memberships left"
    );
    assert!(
        tables(&mut mirror)[3].len() < memberships_before,
        "the detaches removed memberships"
    );
    // A refused request: the same envelope.
    let bad = DetachNodesRequest::new("eqq(sku,x)", ["a"]);
    let refused = rt
        .block_on(nonblocking::detach(&mut client, &bad, &LIMITS))
        .unwrap_err();
    let expected = pg::detach(&mut blocking, &bad, &LIMITS).unwrap_err();
    assert_eq!(refused.to_string(), expected.to_string());
    assert!(matches!(refused, pg::DetachError::Request(_)), "{refused}");

    rt.block_on(nonblocking::clear(&client)).unwrap();
    assert!(tables(&mut mirror).iter().all(Vec::is_empty), "cleared");
}
