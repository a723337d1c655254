//! Detach in PostgreSQL versus in memory, on one large synthetic catalog.
//!
//! `cargo bench --features postgres --bench sql_detach` (a throwaway server
//! is started as in the tests: `initdb`/`pg_ctl` must be installed). The
//! size is `SQL_DETACH_PRODUCTS` products (default 1,000,000) in 1,000
//! nodes. Loading is timed once; each scenario's `sql::pg::detach` and
//! in-memory `detach::plan` then run `SQL_DETACH_RUNS` times (default 5) and the median and
//! minimum are printed. Between SQL runs the removed memberships are put
//! back (not timed).
//!
//! The server runs with `fsync=off` and `synchronous_commit=off` (a test
//! server), so commits cost less than on a durable one.

#[path = "../tests/support/pg_server.rs"]
#[allow(dead_code)]
mod pg_server;

use catalog_filter::Limits;
use catalog_filter::elasticpath::detach::{self, DetachNodesRequest};
use catalog_filter::sql::pg;
use std::time::{Duration, Instant};

fn env_usize(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.replace('_', "").parse().ok())
        .unwrap_or(default)
}

fn summary(times: &mut [Duration]) -> String {
    times.sort();
    let median = times.get(times.len() / 2).copied().unwrap_or_default();
    let min = times.first().copied().unwrap_or_default();
    format!("median {median:>10.2?}  min {min:>10.2?}")
}

fn main() {
    // `cargo bench` passes `--bench`; a filter argument is not supported.
    let products = env_usize("SQL_DETACH_PRODUCTS", 1_000_000);
    let runs = env_usize("SQL_DETACH_RUNS", 5).max(1);
    let nodes = 1000;

    let t = Instant::now();
    let catalog = catalog_filter::synthetic::catalog(42, products, nodes);
    let memberships: usize = catalog.products().iter().map(|p| p.node_ids.len()).sum();
    println!(
        "catalog: {products} products, {nodes} nodes, {memberships} memberships, generated in {:.2?}",
        t.elapsed()
    );

    let server = pg_server::PgServer::start();
    let mut client = server.fresh_database();
    let t = Instant::now();
    pg::load(&mut client, &catalog).expect("load");
    let load = t.elapsed();
    let t = Instant::now();
    client.batch_execute("VACUUM ANALYZE").expect("analyze");
    client
        .batch_execute(
            "CREATE TABLE backup AS SELECT * FROM product_nodes; \
             CREATE INDEX ON backup (node_id)",
        )
        .expect("backup");
    println!(
        "PostgreSQL load (COPY, one transaction): {load:.2?}; VACUUM ANALYZE + backup copy {:.2?}",
        t.elapsed()
    );

    let first_root = catalog.node_at(0).map(|n| n.id.clone()).unwrap_or_default();
    let some_node = catalog
        .nodes()
        .get(nodes / 2)
        .map(|n| n.id.clone())
        .unwrap_or_default();
    let hierarchy = catalog
        .hierarchies()
        .get(1)
        .map(|h| h.id.clone())
        .unwrap_or_default();
    let scenarios: Vec<(&str, &str, Vec<String>)> = vec![
        (
            "one top-level subtree, drafts",
            "eq(status,draft)",
            vec![first_root.clone()],
        ),
        (
            "a node + an unknown id, like+tags",
            "like(name,*Shoe*):eq(tags,sale)",
            vec![some_node, "no-such-node".into()],
        ),
        (
            "a whole hierarchy, every product",
            "like(sku,*)",
            vec![hierarchy, first_root],
        ),
    ];

    for (name, text, node_ids) in scenarios {
        let request = DetachNodesRequest::new(text, node_ids.clone());
        let limits = Limits::default();
        // The nodes whose memberships may go, to put them back between runs.
        let subtree: Vec<String> = node_ids
            .iter()
            .filter_map(|id| catalog.resolve(id))
            .flatten()
            .filter_map(|pos| catalog.node_at(pos).map(|n| n.id.clone()))
            .collect();

        let mut memory = Vec::new();
        let mut plan = None;
        for _ in 0..runs {
            let t = Instant::now();
            plan = Some(std::hint::black_box(
                detach::plan(&catalog, &request, &limits).expect("plan"),
            ));
            memory.push(t.elapsed());
        }
        let plan = plan.expect("at least one run");
        let planned = plan.removed_count();

        let count = |client: &mut postgres::Client| -> i64 {
            client
                .query_one("SELECT count(*) FROM product_nodes", &[])
                .expect("count")
                .get(0)
        };
        let mut sql = Vec::new();
        let mut removed = 0;
        for _ in 0..runs {
            let before = count(&mut client);
            let t = Instant::now();
            let response = pg::detach(&mut client, &request, &limits).expect("detach");
            sql.push(t.elapsed());
            assert_eq!(response, plan.response, "{name}: responses differ");
            removed = before - count(&mut client);
            client
                .execute(
                    "INSERT INTO product_nodes SELECT * FROM backup \
                     WHERE node_id = ANY($1) ON CONFLICT DO NOTHING",
                    &[&subtree],
                )
                .expect("restore");
        }
        assert_eq!(removed as usize, planned, "{name}: SQL and memory disagree");
        println!(
            "\n{name}: filter {text}, {} ids -> {removed} memberships removed",
            node_ids.len()
        );
        println!("  in-memory detach::plan: {}", summary(&mut memory));
        println!("  sql::pg::detach:       {}", summary(&mut sql));
    }
}
