//! The DataFusion back end at scale: 10,000,000 generated products as
//! Parquet files, against the in-memory crate at 1,000,000 (compare the
//! cost per product), and on Ballista with one and two executors.
//!
//! - `select`: `select_ids` with the standard 5-condition filter of
//!   `benches/catalog.rs` (all native expressions).
//! - `detach plan`: `datafusion::detach::plan` with 1,000 requested ids
//!   (990 nodes, every second one, and 10 unknown ids) and the filter of
//!   `benches/detach.rs`; it reads the node tables, checks the memberships'
//!   nodes, and semi-joins the targeted memberships with the matching
//!   products.
//!
//! The products are ten generated catalogs of 1,000,000 (seeds 0-9, the
//! same 2,000 node ids, `synthetic::Config::benchmark_snapshot` products:
//! ids, SKUs, names, status, 1-3 memberships), written once to
//! `target/bench-data/datafusion-10m/` (about a minute; kept for later
//! runs). `DF_BENCH_CHUNKS=N` uses N catalogs instead of 10.
//!
//! ```sh
//! cargo bench --features datafusion --bench datafusion
//! ```

use catalog_filter::catalog::Catalog;
use catalog_filter::datafusion::ballista::LocalCluster;
use catalog_filter::datafusion::{detach, select_ids, tables};
use catalog_filter::elasticpath::detach::{self as in_memory, DetachNodesRequest};
use catalog_filter::synthetic::Config;
use catalog_filter::{Limits, compile};
use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use datafusion::arrow::array::{ArrayRef, Int64Array, RecordBatch};
use datafusion::parquet::arrow::ArrowWriter;
use datafusion::prelude::SessionContext;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

/// The 5-condition filter of `benches/catalog.rs`.
const FIVE: &str = "eq(status,live):like(name,*Shoe*):like(sku,SH-00*):like(sku,*1*):gt(id,40000000-0000-4000-8000-000000000000)";
/// The filter of `benches/detach.rs`.
const DETACH: &str = "eq(status,live):like(name,*a*)";
const PER_CHUNK: usize = 1_000_000;
const NODES: usize = 2_000;

fn chunks() -> usize {
    std::env::var("DF_BENCH_CHUNKS")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(10)
}

fn chunk(seed: u64) -> Catalog {
    Config::new(seed, PER_CHUNK, NODES).benchmark_catalog()
}

/// 1,000 ids: 990 nodes (every second one) and 10 unknown ids.
fn node_ids(catalog: &Catalog) -> Vec<String> {
    let mut ids: Vec<String> = catalog
        .nodes()
        .iter()
        .step_by(2)
        .take(990)
        .map(|n| n.id.clone())
        .collect();
    ids.extend((0..10).map(|i| format!("missing-{i}")));
    ids
}

/// Writes the tables of `chunks` catalogs to `dir` (unless done before).
fn write_tables(dir: &Path, chunks: usize) {
    let done = dir.join("complete");
    if done.is_file() {
        return;
    }
    let _ = std::fs::remove_dir_all(dir);
    let first = chunk(0);
    tables::export_parquet(&first, dir).expect("the first catalog's tables");
    let create = |table: &str| {
        let path = dir.join(format!("{table}.parquet"));
        let schema = tables::table_schema(table).expect("a table of the layout");
        let file = std::fs::File::create(&path).expect("a Parquet file");
        ArrowWriter::try_new(file, schema, None).expect("a Parquet writer")
    };
    let mut products = create("products");
    let mut memberships = create("product_nodes");
    for seed in 0..chunks as u64 {
        let catalog = if seed == 0 {
            first.clone()
        } else {
            chunk(seed)
        };
        let batches = tables::catalog_batches(&catalog).expect("the catalog's tables");
        // Positions run on across the catalogs.
        let offset = seed as i64 * PER_CHUNK as i64;
        let schema = batches.products.schema();
        let position = schema.index_of("position").expect("a position column");
        let mut columns: Vec<ArrayRef> = batches.products.columns().to_vec();
        columns[position] = Arc::new(Int64Array::from_iter_values(
            (0..batches.products.num_rows() as i64).map(|i| i + offset),
        ));
        let batch = RecordBatch::try_new(schema, columns).expect("the products batch");
        products.write(&batch).expect("products written");
        memberships
            .write(&batches.product_nodes)
            .expect("memberships written");
        eprintln!("wrote catalog {} of {chunks}", seed + 1);
    }
    products.close().expect("products closed");
    memberships.close().expect("memberships closed");
    std::fs::write(done, b"").expect("the marker");
}

fn bench(c: &mut Criterion) {
    let chunks = chunks();
    let rows = (chunks * PER_CHUNK) as u64;
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("target/bench-data")
        .join(format!("datafusion-{chunks}m"));
    write_tables(&dir, chunks);
    let limits = Limits::default();
    let five = compile(FIVE).expect("a valid filter");
    let catalog = chunk(0);
    let request = DetachNodesRequest::new(DETACH, node_ids(&catalog));
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("a runtime");

    // The in-memory crate at 1M, for the cost per product.
    let mut group = c.benchmark_group("in memory 1M products");
    group.sample_size(10);
    group.throughput(Throughput::Elements(PER_CHUNK as u64));
    eprintln!("in memory: {} selected", catalog.select(&five).count());
    group.bench_function("select 5 conditions", |b| {
        b.iter(|| catalog.select(&five).count())
    });
    group.bench_function("detach plan 1000 ids", |b| {
        b.iter(|| in_memory::plan(&catalog, &request, &limits).map(|p| p.removed_count()))
    });
    group.finish();
    drop(catalog);

    let local = SessionContext::new();
    runtime
        .block_on(tables::register_parquet(&local, &dir))
        .expect("the tables");
    let mut contexts = vec![("DataFusion".to_owned(), local)];
    for executors in [1, 2] {
        let ctx = runtime.block_on(async {
            let cluster = LocalCluster::start(executors, 1).await?;
            let ctx = cluster.context().await?;
            tables::register_parquet(&ctx, &dir).await?;
            Ok::<_, catalog_filter::datafusion::Error>(ctx)
        });
        contexts.push((
            format!("Ballista {executors} executor(s) x 1 slot"),
            ctx.expect("a Ballista cluster"),
        ));
    }
    for (name, ctx) in &contexts {
        let mut group = c.benchmark_group(format!("{name} {chunks}M products"));
        group.sample_size(10);
        group.warm_up_time(Duration::from_secs(1));
        group.measurement_time(Duration::from_secs(20));
        group.throughput(Throughput::Elements(rows));
        let selected = runtime.block_on(select_ids(ctx, &five)).expect("select");
        let plan = runtime
            .block_on(detach::plan(ctx, &request, &limits))
            .expect("plan")
            .expect("a 200 plan");
        eprintln!(
            "{name}: {} selected; plan {:?}, {} removals",
            selected.len(),
            plan.response.meta.nodes_detached,
            plan.removals.len()
        );
        group.bench_function("select 5 conditions", |b| {
            b.iter(|| {
                runtime
                    .block_on(select_ids(ctx, &five))
                    .map(|ids| ids.len())
            })
        });
        group.bench_function("detach plan 1000 ids", |b| {
            b.iter(|| {
                runtime
                    .block_on(detach::plan(ctx, &request, &limits))
                    .map(|p| p.map(|p| p.removals.len()))
            })
        });
        group.finish();
    }
}

criterion_group!(benches, bench);
criterion_main!(benches);
