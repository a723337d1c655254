//! detach_nodes planned over DataFusion tables against the in-memory
//! reference (`elasticpath::detach::plan`): the same response, the same
//! removed memberships and the same error envelopes.
#![cfg(feature = "datafusion")]

// The PostgreSQL tests' generator (their `support` module needs the
// `postgres` feature).
#[path = "support/generate.rs"]
#[allow(dead_code)]
mod generate;

use catalog_filter::catalog::Catalog;
use catalog_filter::datafusion::{detach, tables};
use catalog_filter::elasticpath::detach::{self as reference, DetachNodesRequest};
use catalog_filter::synthetic::SplitMix64;
use datafusion::prelude::SessionContext;
use proptest::test_runner::{Config, TestCaseError, TestRunner};
use std::cell::Cell;
use uuid::Uuid;

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .build()
        .expect("a tokio runtime")
}

/// The in-memory plan as (response JSON, sorted removals), or the error
/// envelope's JSON.
fn in_memory(
    catalog: &Catalog,
    request: &DetachNodesRequest,
) -> Result<(String, Vec<(Uuid, String)>), String> {
    generate::planned(catalog, request, &generate::LIMITS)
}

fn on_tables(
    ctx: &SessionContext,
    request: &DetachNodesRequest,
) -> Result<(String, Vec<(Uuid, String)>), String> {
    match runtime().block_on(detach::plan(ctx, request, &generate::LIMITS)) {
        Ok(Ok(plan)) => Ok((
            serde_json::to_string(&plan.response).unwrap(),
            plan.removals,
        )),
        Ok(Err(envelope)) => Err(serde_json::to_string(&envelope).unwrap()),
        Err(e) => Err(format!("DataFusion failed: {e}")),
    }
}

#[test]
fn detach_plans_the_same_removals_and_responses_as_in_memory() {
    let planned = Cell::new(0usize);
    let removing = Cell::new(0usize);
    TestRunner::new(Config {
        cases: 24,
        failure_persistence: None,
        ..Config::default()
    })
    .run(
        &(proptest::num::u64::ANY, 10usize..120, 1usize..30),
        |(seed, products, nodes)| {
            let catalog = catalog_filter::synthetic::catalog(seed, products, nodes);
            let ctx = SessionContext::new();
            tables::register(&ctx, &catalog).map_err(|e| TestCaseError::fail(e.to_string()))?;
            let mut rng = SplitMix64::new(seed);
            for _ in 0..15 {
                let filter = generate::filter(&mut rng, &catalog);
                let request =
                    DetachNodesRequest::new(filter.clone(), generate::node_ids(&mut rng, &catalog));
                let want = in_memory(&catalog, &request);
                let got = on_tables(&ctx, &request);
                if got != want {
                    return Err(TestCaseError::fail(format!(
                        "seed {seed}: {filter} {:?}\nDataFusion: {got:?}\nin memory: {want:?}",
                        request.data.node_ids
                    )));
                }
                planned.set(planned.get() + 1);
                removing.set(removing.get() + usize::from(want.is_ok_and(|(_, r)| !r.is_empty())));
            }
            Ok(())
        },
    )
    .unwrap();
    assert!(
        removing.get() * 5 > planned.get(),
        "only {} of {} plans removed anything",
        removing.get(),
        planned.get()
    );
}

#[test]
fn bad_requests_and_broken_node_tables_answer_the_same_envelopes() {
    let catalog = Catalog::from_json(
        r#"{"hierarchies":[{"id":"h1"}],"nodes":[{"id":"n1","hierarchy_id":"h1"},{"id":"n2","hierarchy_id":"h1","parent_id":"n1"}],
            "products":[{"id":"00000000-0000-4000-8000-000000000001","sku":"a","node_ids":["n2","n1"]},
                        {"id":"00000000-0000-4000-8000-000000000002","sku":"b","node_ids":["n2"]}]}"#,
    )
    .unwrap();
    let ctx = SessionContext::new();
    tables::register(&ctx, &catalog).unwrap();
    let a = Uuid::from_u128(0x0000_0000_0000_4000_8000_0000_0000_0001);
    // A node's subtree; an unknown id is counted as not found.
    assert_eq!(
        on_tables(&ctx, &DetachNodesRequest::new("eq(sku,a)", ["n1", "x"])),
        Ok((
            r#"{"meta":{"nodes_detached":1,"nodes_not_found":["x"]}}"#.to_owned(),
            vec![(a, "n1".to_owned()), (a, "n2".to_owned())]
        ))
    );
    for request in [
        DetachNodesRequest::new("", ["n1"]),
        DetachNodesRequest::new("eqq(sku,a)", ["n1"]),
        DetachNodesRequest::new("eq(sku,a)", Vec::<String>::new()),
    ] {
        let got = on_tables(&ctx, &request);
        assert!(got.is_err(), "{got:?}");
        assert_eq!(got, in_memory(&catalog, &request));
    }
    // Node tables that fail the integrity checks: the in-memory 500.
    // (The tables of another snapshot's nodes and hierarchies, with this
    // one's products: what a replaced or truncated file gives.)
    let products = r#""products":[{"id":"00000000-0000-4000-8000-000000000001","sku":"a","node_ids":["n2","n1"]},
                        {"id":"00000000-0000-4000-8000-000000000002","sku":"b","node_ids":["n2"]}]"#;
    for (nodes, missing) in [
        // A node whose id is a hierarchy's, and so no node n1 or n2.
        (r#"[{"id":"h1","hierarchy_id":"h1"}]"#, r#"["n2","n1"]"#),
        // Node n2 is missing: both products name it.
        (r#"[{"id":"n1","hierarchy_id":"h1"}]"#, r#"["n2"]"#),
    ] {
        let broken = Catalog::from_json(&format!(
            r#"{{"hierarchies":[{{"id":"h1"}}],"nodes":{nodes},{products}}}"#
        ))
        .unwrap_err();
        let envelope =
            serde_json::to_string(&reference::integrity_error(broken.integrity().unwrap()))
                .unwrap();
        assert!(
            envelope.contains(&format!(r#""missing_ids":{missing}"#)),
            "{envelope}"
        );
        let tree = Catalog::from_json(&format!(
            r#"{{"hierarchies":[{{"id":"h1"}}],"nodes":{nodes}}}"#
        ));
        // The node tables alone, without integrity checks: a catalog of
        // valid nodes with their ids swapped in the batch.
        let other = match tree {
            Ok(tree) => tables::catalog_batches(&tree).unwrap(),
            Err(_) => {
                let valid = Catalog::from_json(
                    r#"{"hierarchies":[{"id":"h1"}],"nodes":[{"id":"x","hierarchy_id":"h1"}]}"#,
                )
                .unwrap();
                let mut b = tables::catalog_batches(&valid).unwrap();
                let mut columns = b.nodes.columns().to_vec();
                columns[0] =
                    std::sync::Arc::new(datafusion::arrow::array::StringArray::from(vec!["h1"]));
                b.nodes = datafusion::arrow::array::RecordBatch::try_new(b.nodes.schema(), columns)
                    .unwrap();
                b
            }
        };
        let mut batches = tables::catalog_batches(&catalog).unwrap();
        batches.hierarchies = other.hierarchies;
        batches.nodes = other.nodes;
        tables::register_batches(&ctx, &batches).unwrap();
        assert_eq!(
            on_tables(&ctx, &DetachNodesRequest::new("eq(sku,a)", ["n1"])),
            Err(envelope.clone()),
            "nodes {nodes}"
        );
        // The tables come before the request, as `detach --json` loads the
        // catalog before it reads the request: a bad filter or an empty
        // request on broken tables is still the 500.
        for request in [
            DetachNodesRequest::new("eq(bogus,1)", ["n1"]),
            DetachNodesRequest::new("", Vec::<String>::new()),
        ] {
            assert_eq!(
                on_tables(&ctx, &request),
                Err(envelope.clone()),
                "nodes {nodes}"
            );
        }
    }
}

#[test]
fn applying_into_the_input_directory_is_refused_under_any_spelling() {
    let rt = runtime();
    // A name a URL must encode (space, `%`, non-ASCII).
    let base =
        std::env::temp_dir().join(format!("catalog-filter-dfsame {}%20é", std::process::id()));
    let _ = std::fs::remove_dir_all(&base);
    let input = base.join("in");
    let catalog = catalog_filter::synthetic::catalog(3, 40, 6);
    tables::export_parquet(&catalog, &input).unwrap();
    let read = |dir: &std::path::Path| -> Vec<Vec<u8>> {
        tables::TABLES
            .iter()
            .map(|t| std::fs::read(dir.join(format!("{t}.parquet"))).unwrap())
            .collect()
    };
    let before = read(&input);
    let ctx = SessionContext::new();
    rt.block_on(tables::register_parquet(&ctx, &input)).unwrap();
    let plan = rt
        .block_on(detach::plan(
            &ctx,
            &DetachNodesRequest::new(
                "like(name,*)",
                catalog.nodes().iter().map(|n| n.id.to_string()),
            ),
            &generate::LIMITS,
        ))
        .unwrap()
        .unwrap();
    assert!(!plan.removals.is_empty());
    let link = base.join("link");
    std::os::unix::fs::symlink(&input, &link).unwrap();
    for out in [input.clone(), input.join("."), base.join("in/../in"), link] {
        let err = rt
            .block_on(detach::apply_to_dir(&ctx, &plan, &out))
            .unwrap_err();
        let file = input.canonicalize().unwrap().join("products.parquet");
        assert_eq!(
            err.to_string(),
            format!(
                "{}: an input table is read from here; the output must go elsewhere",
                file.display()
            ),
            "{}",
            out.display()
        );
        assert!(!input.join("removals.parquet").exists());
    }
    assert_eq!(read(&input), before);
    // Another directory is fine, even with links in it to the inputs:
    // they are replaced, never written through.
    let out = base.join("out");
    std::fs::create_dir_all(&out).unwrap();
    std::os::unix::fs::symlink(input.join("products.parquet"), out.join("removals.parquet"))
        .unwrap();
    std::fs::hard_link(input.join("nodes.parquet"), out.join("nodes.parquet")).unwrap();
    rt.block_on(detach::apply_to_dir(&ctx, &plan, &out))
        .unwrap();
    assert_eq!(read(&input), before);
    assert!(!out.join("removals.parquet").is_symlink());
    // A table read from a directory: nothing may be written inside it.
    let listed = SessionContext::new();
    let products = input.join("products.parquet");
    rt.block_on(tables::register_parquet(&listed, &input))
        .unwrap();
    rt.block_on(async {
        listed.deregister_table("products")?;
        let dir = base.join("listed");
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::copy(&products, dir.join("part-0.parquet")).unwrap();
        listed
            .register_parquet(
                "products",
                &format!("{}/", dir.display()),
                Default::default(),
            )
            .await
    })
    .unwrap();
    for out in [base.join("listed"), base.join("listed/sub")] {
        let err = rt
            .block_on(detach::apply_to_dir(&listed, &plan, &out))
            .unwrap_err();
        assert_eq!(
            err.to_string(),
            format!(
                "{}: an input table is read from here; the output must go elsewhere",
                base.join("listed").canonicalize().unwrap().display()
            )
        );
    }
    // Outside that directory is fine.
    rt.block_on(detach::apply_to_dir(
        &listed,
        &plan,
        &base.join("elsewhere"),
    ))
    .unwrap();
    assert!(base.join("elsewhere/products.parquet").is_file());
    let _ = std::fs::remove_dir_all(&base);
}

/// `product id -> node ids` (in `ordinal` order) of the `product_nodes`
/// table in `ctx`.
fn table_memberships(ctx: &SessionContext) -> std::collections::BTreeMap<Uuid, Vec<String>> {
    use datafusion::arrow::array::{Array, AsArray};
    use datafusion::arrow::compute::cast;
    use datafusion::arrow::datatypes::{DataType, Int32Type};
    let batches = runtime()
        .block_on(async { ctx.table("product_nodes").await?.collect().await })
        .unwrap();
    let mut rows: Vec<(Uuid, i32, String)> = Vec::new();
    for b in &batches {
        let products = cast(b.column(0), &DataType::Utf8).unwrap();
        let nodes = cast(b.column(1), &DataType::Utf8).unwrap();
        let ordinals = b.column(2).as_primitive::<Int32Type>();
        for i in 0..b.num_rows() {
            rows.push((
                products.as_string::<i32>().value(i).parse().unwrap(),
                ordinals.value(i),
                nodes.as_string::<i32>().value(i).to_owned(),
            ));
        }
        assert_eq!(ordinals.null_count(), 0);
    }
    rows.sort();
    let mut map = std::collections::BTreeMap::<Uuid, Vec<String>>::new();
    for (p, _, n) in rows {
        map.entry(p).or_default().push(n);
    }
    map
}

#[test]
fn applying_writes_new_files_with_the_in_memory_memberships_and_leaves_the_input() {
    let rt = runtime();
    let base = std::env::temp_dir().join(format!("catalog-filter-dfapply-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&base);
    let (input, output) = (base.join("in"), base.join("out"));
    let mut removed = 0;
    for seed in 0..6u64 {
        let mut catalog = catalog_filter::synthetic::catalog(seed, 80, 12);
        tables::export_parquet(&catalog, &input).unwrap();
        let before: Vec<Vec<u8>> = tables::TABLES
            .iter()
            .map(|t| std::fs::read(input.join(format!("{t}.parquet"))).unwrap())
            .collect();
        let ctx = SessionContext::new();
        rt.block_on(tables::register_parquet(&ctx, &input)).unwrap();
        let mut rng = SplitMix64::new(seed);
        // The first generated request that removes something (or the last
        // one tried).
        let mut request = DetachNodesRequest::new("like(name,*)", ["h0"]);
        for _ in 0..40 {
            request = DetachNodesRequest::new(
                generate::filter(&mut rng, &catalog),
                generate::node_ids(&mut rng, &catalog),
            );
            if reference::plan(&catalog, &request, &generate::LIMITS).is_ok_and(|p| !p.is_empty()) {
                break;
            }
        }
        let plan = rt
            .block_on(detach::plan(&ctx, &request, &generate::LIMITS))
            .unwrap()
            .unwrap();
        removed += plan.removals.len();
        rt.block_on(detach::apply_to_dir(&ctx, &plan, &output))
            .unwrap();

        let reference_plan = reference::plan(&catalog, &request, &generate::LIMITS).unwrap();
        reference::apply(&mut catalog, &reference_plan);
        let want: std::collections::BTreeMap<Uuid, Vec<String>> = catalog
            .products()
            .iter()
            .filter(|p| !p.node_ids.is_empty())
            .map(|p| (p.id, p.node_ids.iter().map(|n| n.to_string()).collect()))
            .collect();
        let written = SessionContext::new();
        rt.block_on(tables::register_parquet(&written, &output))
            .unwrap();
        assert_eq!(table_memberships(&written), want, "seed {seed}");
        // The other tables are copied whole.
        for t in ["products", "nodes", "hierarchies"] {
            let rows = |c: &SessionContext| {
                rt.block_on(async { c.table(t).await?.count().await })
                    .unwrap()
            };
            assert_eq!(rows(&written), rows(&ctx), "{t}");
        }
        // The input files are untouched.
        for (t, bytes) in tables::TABLES.iter().zip(&before) {
            assert_eq!(
                &std::fs::read(input.join(format!("{t}.parquet"))).unwrap(),
                bytes,
                "{t}"
            );
        }
    }
    assert!(removed > 0, "no plan removed anything");
    let _ = std::fs::remove_dir_all(&base);
}
