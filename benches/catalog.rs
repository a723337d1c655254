//! Snapshot loading and `Catalog::select` over 1,000,000 generated products
//! at the size DESIGN.md's budgets assume (~100 bytes of JSON each:
//! `synthetic::Config::benchmark_snapshot`, with ids, SKUs, names, status
//! and 1-3 memberships), and `load` also over
//! the full generator's products (names, slugs, descriptions, tags,
//! timestamps, extensions: ~600 bytes each).
//!
//! - `load`: parse + integrity + index of the snapshot's JSON, in MB/s.
//! - `select`: `like(name,*Shoe*)` and the standard 5-condition filter over
//!   the loaded catalog (text conditions over columns, built on first use,
//!   outside the timed loop).

use catalog_filter::catalog::Catalog;
use catalog_filter::compile;
use catalog_filter::synthetic::Config;
use criterion::{Criterion, Throughput, criterion_group, criterion_main};

const ONE: &str = "like(name,*Shoe*)";
/// Five conditions that match some products (live shoes with SKUs
/// `SH-00...` holding a `1`, ids from `4...` on). `sku` takes `eq`, `in`
/// and `like` in the detach_nodes schema (no ordering).
const FIVE: &str = "eq(status,live):like(name,*Shoe*):like(sku,SH-00*):like(sku,*1*):gt(id,40000000-0000-4000-8000-000000000000)";

fn catalog_1m(c: &mut Criterion) {
    let config = Config::new(42, 1_000_000, 1_000);
    let full = config.catalog().to_json();
    let json = config.benchmark_catalog().to_json();
    eprintln!(
        "snapshot: {} bytes (full products: {})",
        json.len(),
        full.len()
    );
    let mut group = c.benchmark_group("catalog 1M products");
    group.sample_size(10);
    group.throughput(Throughput::Bytes(json.len() as u64));
    group.bench_function("load", |b| {
        b.iter(|| Catalog::from_json(&json).map(|c| c.products().len()))
    });
    group.throughput(Throughput::Bytes(full.len() as u64));
    group.bench_function("load full products", |b| {
        b.iter(|| Catalog::from_json(&full).map(|c| c.products().len()))
    });
    group.finish();
    drop(full);

    let catalog = match Catalog::from_json(&json) {
        Ok(c) => c,
        Err(e) => panic!("{e}"),
    };
    drop(json);
    let mut group = c.benchmark_group("select 1M products");
    group.sample_size(20);
    group.throughput(Throughput::Elements(catalog.products().len() as u64));
    for (name, f) in [("like(name,*Shoe*)", ONE), ("5 conditions", FIVE)] {
        let filter = compile(f).expect("valid benchmark filter");
        // Builds the columns once, outside the timing.
        let n = catalog.select(&filter).count();
        eprintln!("{name}: {n} products");
        group.bench_function(name, |b| b.iter(|| catalog.select(&filter).count()));
    }
    group.finish();
}

criterion_group!(benches, catalog_1m);
criterion_main!(benches);
