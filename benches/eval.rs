//! Evaluation speed: filters over 1,000,000 generated products, each
//! beside a hand-written closure doing the same tests on the same products
//! (target: `ValidFilter::matches` within 1.2x of it), and the adversarial
//! `like` pattern that makes backtracking matchers quadratic.

use catalog_filter::catalog::Product;
use catalog_filter::compile;
use catalog_filter::schema::Status;
use catalog_filter::validate::LikePattern;
use chrono::{DateTime, Utc};
use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use memchr::memmem;
use std::hint::black_box;

const ONE: &str = "like(name,*shoe*)";
const FIVE: &str = "eq(status,live):like(name,*shoe*):in(sku,a-1,b-2,c-3):gt(updated_at,2024-01-01T00:00:00Z):eq(extensions.book.isbn,1765426)";
/// Five conditions that most products pass, so every condition is evaluated.
const FIVE_DEEP: &str =
    "gt(updated_at,2000-01-01):like(name,*):eq(has_nodes,false):eq(status,live):like(sku,*-*)";

fn over_products(c: &mut Criterion) {
    let catalog = catalog_filter::synthetic::catalog(42, 1_000_000, 1_000);
    let products: &[Product] = catalog.products();
    let mut group = c.benchmark_group("eval 1M products");
    group.sample_size(10);
    group.throughput(Throughput::Elements(products.len() as u64));
    for (name, f) in [
        ("1 condition", ONE),
        ("5 conditions", FIVE),
        ("5 conditions, deep", FIVE_DEEP),
    ] {
        let filter = compile(f).expect("valid benchmark filter");
        group.bench_function(name, |b| {
            b.iter(|| products.iter().filter(|p| filter.matches(p)).count())
        });
    }
    // The hand-written closures of the 1- and 5-condition filters: the
    // same tests, written for `Product`'s fields directly.
    let updated = DateTime::parse_from_rfc3339("2024-01-01T00:00:00Z")
        .expect("an instant")
        .with_timezone(&Utc);
    let one = |p: &Product| {
        p.name
            .as_deref()
            .is_some_and(|n| memmem::find(n.as_bytes(), b"shoe").is_some())
    };
    let five = |p: &Product| {
        p.status == Some(Status::Live)
            && p.name
                .as_deref()
                .is_some_and(|n| memmem::find(n.as_bytes(), b"shoe").is_some())
            && p.sku
                .as_deref()
                .is_some_and(|s| matches!(s, "a-1" | "b-2" | "c-3"))
            && p.updated_at.is_some_and(|t| t > updated)
            && p.extensions
                .get("book")
                .and_then(|fields| fields.get("isbn"))
                .and_then(|v| v.text())
                == Some("1765426")
    };
    closure_beside(&mut group, products, "1 condition, closure", ONE, one);
    closure_beside(&mut group, products, "5 conditions, closure", FIVE, five);
    group.finish();

    // The same filters over the first 1,000 products, which stay in cache:
    // the difference to the 1M runs is the cost of fetching product data
    // from memory, not of matching.
    let mut group = c.benchmark_group("eval 1k products in cache");
    let few = products.get(..1000).unwrap_or(products);
    group.throughput(Throughput::Elements(few.len() as u64));
    for (name, f) in [("1 condition", ONE), ("5 conditions", FIVE)] {
        let filter = compile(f).expect("valid benchmark filter");
        group.bench_function(name, |b| {
            b.iter(|| few.iter().filter(|p| filter.matches(p)).count())
        });
    }
    // Beside them, the closures: the ratio here is the cost of the tests
    // alone, without waiting for memory.
    closure_beside(&mut group, few, "1 condition, closure", ONE, one);
    closure_beside(&mut group, few, "5 conditions, closure", FIVE, five);
    group.finish();
}

/// Times `closure` over `products` as `name`, after checking that it
/// selects what the filter `f` selects.
fn closure_beside(
    group: &mut criterion::BenchmarkGroup<'_, criterion::measurement::WallTime>,
    products: &[Product],
    name: &str,
    f: &str,
    closure: impl Fn(&Product) -> bool,
) {
    let filter = compile(f).expect("valid benchmark filter");
    let by_filter = products.iter().filter(|p| filter.matches(p)).count();
    let by_closure = products.iter().filter(|p| closure(p)).count();
    assert_eq!(by_closure, by_filter, "{name}");
    group.bench_function(name, |b| {
        b.iter(|| products.iter().filter(|p| closure(p)).count())
    });
}

fn adversarial_like(c: &mut Criterion) {
    let pattern = LikePattern::new("*aaaaaaaaaaaaaaab*");
    let mut group = c.benchmark_group("like adversarial");
    for size in [100_000usize, 1_000_000] {
        let value = "a".repeat(size);
        group.throughput(Throughput::Bytes(size as u64));
        group.bench_with_input(BenchmarkId::from_parameter(size), &value, |b, v| {
            b.iter(|| pattern.matches(black_box(v)))
        });
    }
    group.finish();
}

criterion_group!(benches, over_products, adversarial_like);
criterion_main!(benches);
