//! The SQL back end against a real PostgreSQL server that the tests start
//! themselves (`support/pg_server.rs`): filters select the same products in
//! PostgreSQL as in memory, detach leaves the same memberships and answers
//! the same, and hostile values are matched literally, never executed.
//!
//! Run with `cargo test --features postgres` (PostgreSQL's server binaries
//! must be installed; the tests fail, saying so, when they are not).
#![cfg(feature = "postgres")]

mod support;

use catalog_filter::catalog::Catalog;
use catalog_filter::elasticpath::detach::{self, DetachNodesRequest};
use catalog_filter::sql::{self, pg};
use catalog_filter::synthetic::SplitMix64;
use catalog_filter::{CompilerBuilder, ValidFilter, compile};
use postgres::Client;
use proptest::test_runner::{Config, TestCaseError, TestRunner};
use std::cell::{Cell, RefCell};
use std::collections::{BTreeMap, HashSet};
use support::generate::{self, LIMITS};
use support::pg_server::{self, PgServer};
use uuid::Uuid;

fn runner(cases: u32) -> TestRunner {
    TestRunner::new(Config {
        cases,
        failure_persistence: None,
        ..Config::default()
    })
}

fn reload(client: &mut Client, catalog: &Catalog) {
    pg::clear(client).unwrap();
    pg::load(client, catalog).unwrap();
}

/// The ids `filter` selects in memory, sorted like `pg::select_ids`.
fn in_memory(catalog: &Catalog, filter: &ValidFilter) -> Vec<Uuid> {
    let mut ids: Vec<Uuid> = catalog.select(filter).map(|(_, p)| p.id).collect();
    ids.sort();
    ids
}

/// Memberships as stored: product id -> node ids in `ordinal` order.
fn db_memberships(client: &mut Client) -> BTreeMap<Uuid, Vec<String>> {
    let mut out: BTreeMap<Uuid, Vec<String>> = BTreeMap::new();
    let rows = client
        .query(
            "SELECT product_id, node_id FROM product_nodes ORDER BY product_id, ordinal",
            &[],
        )
        .unwrap();
    for row in rows {
        out.entry(row.get(0)).or_default().push(row.get(1));
    }
    out
}

fn memberships(catalog: &Catalog) -> BTreeMap<Uuid, Vec<String>> {
    catalog
        .products()
        .iter()
        .filter(|p| !p.node_ids.is_empty())
        .map(|p| (p.id, p.node_ids.iter().map(|n| n.to_string()).collect()))
        .collect()
}

/// The differential property: on random catalogs, random filters select
/// the same products in PostgreSQL as in memory.
fn check_filters(client: Client, cases: u32) {
    // `TestRunner::run` takes an `Fn`: state lives in cells.
    let client = RefCell::new(client);
    let checked = Cell::new(0usize);
    let matched = Cell::new(0usize);
    runner(cases)
        .run(
            &(proptest::num::u64::ANY, 10usize..160, 0usize..30),
            |(seed, products, nodes)| {
                let catalog = generate::catalog(seed, products, nodes);
                let client = &mut *client.borrow_mut();
                reload(client, &catalog);
                let mut rng = SplitMix64::new(seed);
                for _ in 0..40 {
                    let text = generate::filter(&mut rng, &catalog);
                    let filter = CompilerBuilder::new()
                        .limits(LIMITS)
                        .build()
                        .compile(&text)
                        .map_err(|e| TestCaseError::fail(format!("{text}: {e}")))?;
                    let want = in_memory(&catalog, &filter);
                    let got = pg::select_ids(client, &filter)
                        .map_err(|e| TestCaseError::fail(format!("{text}: {e:?}")))?;
                    if got != want {
                        return Err(TestCaseError::fail(format!(
                            "seed {seed}, {products} products, {nodes} nodes: filter {text}\n\
                             SQL: {:?}\nPostgreSQL: {got:?}\nin memory: {want:?}",
                            sql::render(&filter)
                        )));
                    }
                    checked.set(checked.get() + 1);
                    matched.set(matched.get() + usize::from(!want.is_empty()));
                }
                Ok(())
            },
        )
        .unwrap();
    // The generator must produce filters that select something, or the
    // comparison proves little.
    let (matched, checked) = (matched.get(), checked.get());
    assert!(
        matched * 3 > checked,
        "only {matched} of {checked} filters matched anything"
    );
}

#[test]
fn filters_select_the_same_products_as_in_memory() {
    let server = pg_server::shared();
    check_filters(server.fresh_database(), 64);
}

/// The SQL does not depend on the database's collation: with every text
/// column under ICU's root collation (where `B` sorts before `a`, unlike
/// bytes), the results are the same.
#[test]
fn filters_mean_the_same_under_a_non_c_collation() {
    let server = pg_server::shared();
    let mut client = server.fresh_database();
    let icu: i64 = client
        .query_one(
            "SELECT count(*) FROM pg_collation WHERE collname = 'und-x-icu'",
            &[],
        )
        .unwrap()
        .get(0);
    // Debian's and Ubuntu's postgresql packages (what .ci/run installs) and
    // the PGDG builds are configured --with-icu: no ICU means a server built
    // without it, and this test must not pass without checking anything.
    // Such a server can still run the rest with
    // CATALOG_FILTER_PG_NO_ICU=1, which skips this test saying so.
    if icu == 0 {
        if std::env::var_os("CATALOG_FILTER_PG_NO_ICU").is_some() {
            eprintln!(
                "SKIPPED filters_mean_the_same_under_a_non_c_collation: this PostgreSQL \
                 has no ICU collation und-x-icu and CATALOG_FILTER_PG_NO_ICU is set"
            );
            return;
        }
        panic!(
            "this PostgreSQL (server binaries in {}) has no ICU collation \"und-x-icu\": \
             it was built without ICU. Install a build with ICU (Debian/Ubuntu: \
             `apt-get install postgresql`), point PG_BIN at one, or set \
             CATALOG_FILTER_PG_NO_ICU=1 to skip this test",
            server.bin().display()
        );
    }
    let ordered: bool = client
        .query_one(
            "SELECT 'B' COLLATE \"und-x-icu\" > 'a' COLLATE \"und-x-icu\"",
            &[],
        )
        .unwrap()
        .get(0);
    assert!(
        ordered,
        "ICU root collation orders case-insensitively first"
    );
    client
        .batch_execute(
            "ALTER TABLE products \
               ALTER COLUMN sku TYPE text COLLATE \"und-x-icu\", \
               ALTER COLUMN name TYPE text COLLATE \"und-x-icu\", \
               ALTER COLUMN description TYPE text COLLATE \"und-x-icu\", \
               ALTER COLUMN external_ref TYPE text COLLATE \"und-x-icu\", \
               ALTER COLUMN tags TYPE text[] COLLATE \"und-x-icu\"",
        )
        .unwrap();
    check_filters(client, 16);
}

/// The in-memory detach, computed straight from its definition
/// (the subtree rule of detach_nodes) with `Catalog::resolve` and `matches`.
fn reference_detach(
    catalog: &Catalog,
    filter: &ValidFilter,
    node_ids: &[String],
) -> (Catalog, usize, Vec<String>) {
    let ranges: Vec<_> = node_ids
        .iter()
        .filter_map(|id| catalog.resolve(id))
        .collect();
    let mut snapshot = catalog.to_snapshot();
    for (i, p) in snapshot.products.iter_mut().enumerate() {
        if !filter.matches(&catalog.products()[i]) {
            continue;
        }
        let positions = catalog.memberships(i);
        let kept: Vec<_> = p
            .node_ids
            .iter()
            .zip(positions)
            .filter(|(_, pos)| !ranges.iter().any(|r| r.contains(pos)))
            .map(|(id, _)| id.clone())
            .collect();
        p.node_ids = kept;
    }
    let mut seen = HashSet::new();
    let mut detached = 0;
    let mut not_found = Vec::new();
    for id in node_ids {
        if seen.insert(id) {
            if catalog.resolve(id).is_some() {
                detached += 1;
            } else {
                not_found.push(id.clone());
            }
        }
    }
    (Catalog::new(snapshot).unwrap(), detached, not_found)
}

/// Random requested ids: nodes (often near the top, so subtrees are big),
/// hierarchies, unknown and hostile ids, duplicates.

#[test]
fn detach_leaves_the_same_memberships_as_in_memory() {
    let server = pg_server::shared();
    let client = RefCell::new(server.fresh_database());
    let removed_total = Cell::new(0u64);
    runner(32)
        .run(
            &(proptest::num::u64::ANY, 10usize..160, 1usize..40),
            |(seed, products, nodes)| {
                let catalog = generate::catalog(seed, products, nodes);
                let client = &mut *client.borrow_mut();
                reload(client, &catalog);
                let mut rng = SplitMix64::new(seed ^ 0xde7a);
                let text = if rng.chance(20) {
                    "like(sku,*)".to_owned()
                } else {
                    generate::filter(&mut rng, &catalog)
                };
                let filter = CompilerBuilder::new()
                    .limits(LIMITS)
                    .build()
                    .compile(&text)
                    .map_err(|e| TestCaseError::fail(format!("{text}: {e}")))?;
                let ids = generate::node_ids(&mut rng, &catalog);
                let context = format!("seed {seed}: filter {text}, node ids {ids:?}");
                let request = DetachNodesRequest::new(text.clone(), ids.clone());

                // In memory: the crate's plan + apply ...
                let plan = detach::plan(&catalog, &request, &LIMITS)
                    .map_err(|e| TestCaseError::fail(format!("{context}: {e:?}")))?;
                let mut after = catalog.clone();
                let removed = detach::apply(&mut after, &plan);
                // ... which is also what the definition says.
                let (reference, detached, not_found) = reference_detach(&catalog, &filter, &ids);
                if memberships(&reference) != memberships(&after)
                    || (detached, &not_found)
                        != (
                            plan.response.meta.nodes_detached,
                            &plan.response.meta.nodes_not_found,
                        )
                {
                    return Err(TestCaseError::fail(format!(
                        "{context}\nplan + apply differ from the definition"
                    )));
                }

                // In PostgreSQL.
                let response = pg::detach(client, &request, &LIMITS)
                    .map_err(|e| TestCaseError::fail(format!("{context}: {e}")))?;
                if response != plan.response {
                    return Err(TestCaseError::fail(format!(
                        "{context}\nPostgreSQL: {response:?}\nin memory: {:?}",
                        plan.response
                    )));
                }
                let want = memberships(&after);
                if db_memberships(client) != want {
                    return Err(TestCaseError::fail(format!(
                        "{context}\nPostgreSQL memberships differ"
                    )));
                }
                removed_total.set(removed_total.get() + removed as u64);

                // A retried request gets the same answer and removes nothing
                // more.
                let again = pg::detach_nodes(client, &filter, &ids)
                    .map_err(|e| TestCaseError::fail(e.to_string()))?;
                if (
                    again.nodes_detached,
                    &again.nodes_not_found,
                    again.memberships_removed,
                ) != (detached, &not_found, 0)
                    || db_memberships(client) != want
                {
                    return Err(TestCaseError::fail(format!("{context}\nretry differs")));
                }
                Ok(())
            },
        )
        .unwrap();
    assert!(removed_total.get() > 0, "no case removed any membership");
}

/// Counts rows of the four tables.
fn counts(client: &mut Client) -> [i64; 4] {
    let row = client
        .query_one(
            "SELECT (SELECT count(*) FROM hierarchies), (SELECT count(*) FROM nodes), \
                    (SELECT count(*) FROM products), (SELECT count(*) FROM product_nodes)",
            &[],
        )
        .unwrap();
    [row.get(0), row.get(1), row.get(2), row.get(3)]
}

#[test]
fn hostile_values_are_matched_literally_and_the_tables_stay_intact() {
    let server = pg_server::shared();
    let mut client = server.fresh_database();
    let hostile = generate::hostile_texts();
    // One product per hostile text, in name, tags, external_ref and an
    // extension; the others hold look-alikes.
    let mut snapshot = catalog_filter::synthetic::snapshot(3, hostile.len() * 2, 10);
    for (i, text) in hostile.iter().enumerate() {
        let p = &mut snapshot.products[i];
        p.name = Some(text.as_str().into());
        p.tags = vec![text.as_str().into()];
        p.external_ref = Some(text.as_str().into());
        p.extensions
            .get_or_insert_default("x")
            .insert("y".into(), text.clone());
        let q = &mut snapshot.products[hostile.len() + i];
        q.name = Some(format!("{text}!").into());
        q.tags = vec![format!("!{text}").into()];
        q.external_ref = None;
    }
    let catalog = Catalog::new(snapshot).unwrap();
    pg::load(&mut client, &catalog).unwrap();
    let before = counts(&mut client);
    for (i, text) in hostile.iter().enumerate() {
        if text.chars().any(char::is_control) {
            continue;
        }
        let q = generate::quote(text);
        let id = catalog.products()[i].id;
        for f in [
            format!("eq(name,{q})"),
            format!("eq(tags,{q})"),
            format!("eq(external_ref,{q})"),
            format!("eq(extensions.x.y,{q})"),
            format!("in(name,{q},{q})"),
            format!("like(name,{q})"),
            format!("ge(external_ref,{q}):le(external_ref,{q})"),
        ] {
            let filter = CompilerBuilder::new()
                .limits(LIMITS)
                .build()
                .compile(&f)
                .unwrap();
            let want = in_memory(&catalog, &filter);
            let got = pg::select_ids(&mut client, &filter).unwrap();
            assert_eq!(got, want, "{f}");
            // Only a like pattern with outer stars may match more.
            if !(f.starts_with("like") && text.contains('*')) {
                assert_eq!(got, [id], "{f}");
            }
        }
        // Hostile text inside a like pattern is literal too.
        let contains = CompilerBuilder::new()
            .limits(LIMITS)
            .build()
            .compile(&format!(
                "like(name,{})",
                generate::quote(&format!("*{text}*"))
            ))
            .unwrap();
        assert_eq!(
            pg::select_ids(&mut client, &contains).unwrap(),
            in_memory(&catalog, &contains),
            "*{text}*"
        );
    }
    // Hostile node ids are just ids that name nothing.
    let done = pg::detach_nodes(&mut client, &compile("like(sku,*)").unwrap(), &hostile).unwrap();
    assert_eq!(done.nodes_detached, 0);
    assert_eq!(done.memberships_removed, 0);
    let mut unique = hostile.clone();
    unique.dedup();
    assert_eq!(done.nodes_not_found, unique);

    assert_eq!(counts(&mut client), before, "the tables are intact");
    let tables: i64 = client
        .query_one(
            "SELECT count(*) FROM pg_tables WHERE schemaname = 'public' \
             AND tablename IN ('hierarchies', 'nodes', 'products', 'product_nodes')",
            &[],
        )
        .unwrap()
        .get(0);
    assert_eq!(tables, 4);
}

#[test]
fn nul_never_reaches_the_database() {
    // The parser refuses control characters, NUL included, quoted or not.
    for f in [
        "eq(name,\"a\u{0}b\")",
        "eq(name,a\u{0}b)",
        "like(name,'*\u{0}*')",
    ] {
        let err = compile(f).unwrap_err();
        assert!(err.to_string().contains("control"), "{f}: {err}");
    }
    // Data holding NUL cannot be stored: the load fails as a whole.
    let server = pg_server::shared();
    let mut client = server.fresh_database();
    let mut snapshot = catalog_filter::synthetic::snapshot(4, 5, 3);
    snapshot.products[2].name = Some("a\u{0}b".into());
    let err = pg::load(&mut client, &Catalog::new(snapshot).unwrap()).unwrap_err();
    let message = err.as_db_error().map(|e| e.message().to_owned());
    assert!(
        message.as_deref().is_some_and(|m| m.contains("0x00")),
        "{err:?}"
    );
    assert_eq!(counts(&mut client), [0, 0, 0, 0]);
}

#[test]
fn json_numbers_compare_by_serde_json_text() {
    let server = pg_server::shared();
    let mut client = server.fresh_database();
    let mut snapshot = catalog_filter::synthetic::snapshot(5, 0, 0);
    let values = generate::edge_json();
    let mut rng = SplitMix64::new(5);
    for v in &values {
        let mut p = catalog_filter::catalog::Product {
            id: rng.uuid(),
            ..Default::default()
        };
        p.shopper_attributes.insert("n".into(), v.clone());
        snapshot.products.push(p);
    }
    let catalog = Catalog::new(snapshot).unwrap();
    pg::load(&mut client, &catalog).unwrap();
    let probes = [
        "10",
        "10.0",
        "1000.0",
        "1e3",
        "1000",
        "1e+16",
        "1e16",
        "10000000000000000",
        "10000000000000000.0",
        "1.2345e+20",
        "1.5e-7",
        "0.00000015",
        "0.1",
        "18446744073709551615",
        "-9223372036854775808",
        "-3",
        "true",
        "false",
        "null",
        "",
        "[1,2]",
    ];
    for probe in probes {
        let filter = CompilerBuilder::new()
            .limits(LIMITS)
            .build()
            .compile(&format!(
                "eq(shopper_attributes.n,{})",
                generate::quote(probe)
            ))
            .unwrap();
        let want = in_memory(&catalog, &filter);
        assert_eq!(
            pg::select_ids(&mut client, &filter).unwrap(),
            want,
            "{probe}"
        );
    }
    // And the ones that must match do: a number and a string (or boolean)
    // with the same text form both match.
    for (probe, count) in [
        ("10", 2),
        ("10.0", 2),
        ("1000.0", 1),
        ("1e+16", 1),
        ("1.2345e+20", 1),
        ("1.5e-7", 1),
        ("18446744073709551615", 1),
        ("true", 2),
    ] {
        let filter = CompilerBuilder::new()
            .limits(LIMITS)
            .build()
            .compile(&format!(
                "eq(shopper_attributes.n,{})",
                generate::quote(probe)
            ))
            .unwrap();
        assert_eq!(in_memory(&catalog, &filter).len(), count, "{probe}");
    }
}

/// D5 (issue 27): `is_null` on a free-form value holds only for an absent
/// key or `null`, the same in memory (catalog columns and per product), on
/// `serde_json` records and in PostgreSQL; arrays and objects are values.
#[test]
fn is_null_on_free_form_values_agrees_across_back_ends() {
    const FREE_FORM: &str = include_str!("data/free_form.json");
    let server = pg_server::shared();
    let mut client = server.fresh_database();
    let catalog = Catalog::from_json(FREE_FORM).unwrap();
    pg::load(&mut client, &catalog).unwrap();
    let records = serde_json::from_str::<serde_json::Value>(FREE_FORM).unwrap();
    let records = records["products"].as_array().unwrap();
    let schema = catalog_filter::schema::Schema::every_operator();
    let id = |i: usize| Uuid::from_u128(0x0000_0000_0000_4000_8000_0000_0000_0000 + i as u128);
    for (text, want) in [
        ("is_null(extensions.t.f)", vec![0, 1, 2]),
        ("is_null(extensions.u.f)", (0..11).collect()),
        ("is_null(shopper_attributes.f)", (0..11).collect()),
        ("in(extensions.t.f,'',0,false)", vec![3, 4, 5]),
        ("eq(extensions.t.f,'[1,2]')", vec![]),
    ] {
        let f = schema.compile(text).unwrap();
        let want: Vec<Uuid> = want.into_iter().map(id).collect();
        assert_eq!(in_memory(&catalog, &f), want, "select {text}");
        let per_product: Vec<Uuid> = catalog
            .products()
            .iter()
            .filter(|p| f.matches(*p))
            .map(|p| p.id)
            .collect();
        assert_eq!(per_product, want, "per product {text}");
        let json: Vec<Uuid> = (0..records.len())
            .filter(|&i| f.matches(&records[i]))
            .map(id)
            .collect();
        assert_eq!(json, want, "serde_json {text}");
        assert_eq!(
            pg::select_ids(&mut client, &f).unwrap(),
            want,
            "PostgreSQL {text}"
        );
    }
}

/// D11 (issue 27): `pg::load` stores each free-form number with its exact
/// value, read from its written text: `1E400` is 10^400 (not `null`),
/// `0.10000000000000000000001` is not rounded to `0.1`, inside arrays and
/// objects too; so `is_null` agrees with memory, and `eq` follows the
/// number rule (SQL matches only serde_json's printed forms).
#[test]
fn load_stores_every_number_with_its_written_value() {
    let written = [
        "1E400",
        "-1E-400",
        "0.10000000000000000000001",
        "12345678901234567890123",
        "0.5e3",
        "[1E400,-2.5e1]",
        r#"{"a":1E400}"#,
    ];
    let products: Vec<String> = written
        .iter()
        .enumerate()
        .map(|(i, v)| {
            format!(
                r#"{{"id":"00000000-0000-4000-8000-{i:012x}","extensions":{{"t":{{"f":{v}}}}}}}"#
            )
        })
        .collect();
    let catalog =
        Catalog::from_json(&format!(r#"{{"products":[{}]}}"#, products.join(","))).unwrap();
    let server = pg_server::shared();
    let mut client = server.fresh_database();
    pg::load(&mut client, &catalog).unwrap();
    // Stored equal (jsonb compares numbers by value) to the written text.
    for (i, v) in written.iter().enumerate() {
        let same: bool = client
            .query_one(
                "SELECT extensions #> '{t,f}' = $2::text::jsonb FROM products WHERE id = $1",
                &[&Uuid::from_u128(0x4000_8000_0000_0000_0000 + i as u128), v],
            )
            .unwrap()
            .get(0);
        assert!(same, "{v} is stored as written");
    }
    let schema = catalog_filter::schema::Schema::every_operator();
    let id = |i: usize| Uuid::from_u128(0x4000_8000_0000_0000_0000 + i as u128);
    for (text, memory, postgres) in [
        ("is_null(extensions.t.f)", vec![], vec![]),
        // Memory compares the written text, SQL only serde_json's printed
        // forms (`1E400` is none): the documented number rule.
        ("eq(extensions.t.f,1E400)", vec![0], vec![]),
        ("eq(extensions.t.f,0.1)", vec![], vec![]),
        (
            "eq(extensions.t.f,12345678901234567890123)",
            vec![3],
            vec![],
        ),
        ("eq(extensions.t.f,1.2345678901234568e22)", vec![], vec![]),
    ] {
        let f = schema.compile(text).unwrap();
        let memory: Vec<Uuid> = memory.into_iter().map(id).collect();
        let postgres: Vec<Uuid> = postgres.into_iter().map(id).collect();
        assert_eq!(in_memory(&catalog, &f), memory, "memory {text}");
        assert_eq!(
            pg::select_ids(&mut client, &f).unwrap(),
            postgres,
            "PostgreSQL {text}"
        );
    }
}

#[test]
fn a_server_is_stopped_and_removed_when_dropped() {
    let server = PgServer::start();
    let dir = server.dir().to_path_buf();
    let port = server.port();
    let mut client = server.connect("postgres");
    let one: i32 = client.query_one("SELECT 1", &[]).unwrap().get(0);
    assert_eq!(one, 1);
    drop(client);
    drop(server);
    assert!(!dir.exists(), "{} still exists", dir.display());
    assert!(
        std::net::TcpStream::connect(("127.0.0.1", port)).is_err(),
        "port {port} still open"
    );
}

#[test]
fn detach_refuses_the_same_requests_with_the_same_envelopes() {
    let server = pg_server::shared();
    let mut client = server.fresh_database();
    let catalog = catalog_filter::synthetic::catalog(8, 50, 10);
    pg::load(&mut client, &catalog).unwrap();
    let node = catalog.nodes()[0].id.clone();
    let limits = catalog_filter::Limits {
        max_node_ids: 3,
        ..catalog_filter::Limits::DEFAULT
    };
    let requests = [
        DetachNodesRequest::new("", [node.as_str()]),
        DetachNodesRequest::new("   ", Vec::<String>::new()),
        DetachNodesRequest::new("eq(sku,a)", Vec::<String>::new()),
        DetachNodesRequest::new("eqq(sku,a)", [node.as_str()]),
        DetachNodesRequest::new("eq(status,alive)", [node.as_str()]),
        DetachNodesRequest::new("eq(sku,a)", ["a", "b", "c", "d"]),
        DetachNodesRequest {
            data: detach::DetachNodesData {
                filter: None,
                node_ids: None,
            },
        },
    ];
    for request in &requests {
        let want = detach::plan(&catalog, request, &limits).unwrap_err();
        match pg::detach(&mut client, request, &limits) {
            Err(pg::DetachError::Request(got)) => assert_eq!(got, want, "{request:?}"),
            other => panic!("{request:?}: {other:?}"),
        }
    }
    assert_eq!(
        db_memberships(&mut client),
        memberships(&catalog),
        "nothing changed"
    );
}

/// Detaches that delete the same memberships at once, from 8 connections:
/// every one succeeds (a transaction PostgreSQL aborts to keep them
/// serializable is run again) and the memberships end as applying them
/// one after another does (these commute, so every serial order ends
/// there). Without the retries some fail with "could not serialize
/// access".
#[test]
fn concurrent_detaches_all_succeed_and_end_as_a_serial_order() {
    let server = pg_server::shared();
    let mut client = server.fresh_database();
    let catalog = generate::catalog(17, 300, 30);
    reload(&mut client, &catalog);
    let db: String = client
        .query_one("SELECT current_database()", &[])
        .unwrap()
        .get(0);
    let hierarchies: Vec<String> = catalog.hierarchies().iter().map(|h| h.id.clone()).collect();
    let filters = [
        "eq(status,live)",
        "eq(status,draft)",
        "like(sku,*1*)",
        "like(sku,*2*)",
        "eq(commodity_type,physical)",
        "like(name,*e*)",
        "eq(owner,store)",
        "like(sku,*3*)",
    ];
    let start = std::sync::Barrier::new(filters.len());
    let results: Vec<Result<pg::Detached, pg::Error>> = std::thread::scope(|scope| {
        let handles: Vec<_> = filters
            .iter()
            .map(|text| {
                let (db, start, hierarchies) = (&db, &start, &hierarchies);
                scope.spawn(move || {
                    let mut client = server.connect(db);
                    let filter = compile(text).unwrap();
                    start.wait();
                    pg::detach_nodes(&mut client, &filter, hierarchies)
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    let mut expected = catalog;
    for (text, result) in filters.iter().zip(results) {
        let done = result.unwrap_or_else(|e| panic!("{text}: {e:?}"));
        assert_eq!(done.nodes_detached, hierarchies.len(), "{text}");
        let request = DetachNodesRequest::new(*text, hierarchies.iter().map(String::as_str));
        let plan = detach::plan(&expected, &request, &LIMITS).unwrap();
        detach::apply(&mut expected, &plan);
    }
    assert_eq!(db_memberships(&mut client), memberships(&expected));
    assert!(
        memberships(&expected).len() < 300,
        "some products kept nodes"
    );
}

/// An error that running again cannot cure (here: no tables) is the
/// answer at once, not retried.
#[test]
fn a_detach_that_cannot_succeed_fails_at_once() {
    let server = pg_server::shared();
    let name = format!("cf_no_tables_{}", std::process::id());
    server
        .connect("postgres")
        .batch_execute(&format!("CREATE DATABASE {name}"))
        .unwrap();
    let mut client = server.connect(&name);
    let e = pg::detach_nodes(&mut client, &compile("eq(sku,a)").unwrap(), &["n".into()])
        .expect_err("no tables");
    assert_eq!(
        e.code(),
        Some(&postgres::error::SqlState::UNDEFINED_TABLE),
        "{e:?}"
    );
}
