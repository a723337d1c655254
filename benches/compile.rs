//! Compile speed (byte limit + parse + validate) of the five-condition filter
//! used across the crate's benchmarks, and validation alone of the parsed
//! filter. Target: compile under 1 us.

use catalog_filter::syntax::parse;
use catalog_filter::{Limits, ValidFilter, compile};
use criterion::{BatchSize, Criterion, criterion_group, criterion_main};
use std::hint::black_box;

/// The five-condition filter used across the crate's benchmarks.
const FIVE: &str = "eq(status,live):like(name,*shoe*):in(sku,a-1,b-2,c-3):gt(updated_at,2024-01-01T00:00:00Z):eq(extensions.book.isbn,1765426)";

fn bench(c: &mut Criterion) {
    assert!(compile(FIVE).is_ok());
    let mut group = c.benchmark_group("compile");
    group.bench_function("5 conditions", |b| b.iter(|| compile(black_box(FIVE))));
    let parsed = parse(FIVE).expect("the bench filter parses");
    group.bench_function("validate only, 5 conditions", |b| {
        b.iter_batched(
            || parsed.clone(),
            |f| ValidFilter::new(black_box(f), &Limits::DEFAULT),
            BatchSize::SmallInput,
        )
    });
    group.bench_function("5 conditions, 3 errors", |b| {
        b.iter(|| compile(black_box("eq(skus,a):like(id,x):eq(status,LIVE)")))
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
