//! Snapshot loading and `Catalog::select` over 1,000,000 generated products
//! (the `synthetic` generator: names, slugs, descriptions, tags, timestamps,
//! extensions, 1-3 memberships each).
//!
//! - `load`: parse + integrity + index of the snapshot's JSON, in MB/s.
//! - `select`: `like(name,*Shoe*)` and the standard 5-condition filter over
//!   the loaded catalog (text conditions over columns, built on first use,
//!   outside the timed loop).

use catalog_filter::catalog::Catalog;
use catalog_filter::compile;
use criterion::{Criterion, Throughput, criterion_group, criterion_main};

const ONE: &str = "like(name,*Shoe*)";
const FIVE: &str = "eq(status,live):like(name,*Shoe*):in(sku,a-1,b-2,c-3):gt(updated_at,2024-01-01T00:00:00Z):eq(extensions.book.isbn,1765426)";

fn catalog_1m(c: &mut Criterion) {
    let json = catalog_filter::synthetic::catalog(42, 1_000_000, 1_000).to_json();
    eprintln!("snapshot: {} bytes", json.len());
    let mut group = c.benchmark_group("catalog 1M products");
    group.sample_size(10);
    group.throughput(Throughput::Bytes(json.len() as u64));
    group.bench_function("load", |b| {
        b.iter(|| Catalog::from_json(&json).map(|c| c.products().len()))
    });
    group.finish();

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
