//! Parsing speed: one condition, the five-condition filter of the issue, and
//! an 8 KiB filter (the default size limit). Throughput is reported in bytes
//! so criterion prints MB/s beside ns/filter. Allocations per parse are
//! counted by a counting global allocator and printed first. Beside the
//! distinct filters, the floor's parse (`support/floor.rs`): a
//! deliberately minimal pass over the same filters, a reference point for
//! reading the targets (absolute times) against the machine.

use catalog_filter::syntax::parse;
use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use std::alloc::{GlobalAlloc, Layout, System};
use std::hint::black_box;
use std::sync::atomic::{AtomicUsize, Ordering};

// Only the floor's parse is timed here; its compile, by the compile bench.
#[allow(dead_code)]
#[path = "support/floor.rs"]
mod floor;

/// The system allocator, counting allocations (not frees).
struct Counting;

static ALLOCATIONS: AtomicUsize = AtomicUsize::new(0);

// Every method forwards to `System`, which upholds the `GlobalAlloc` contract.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        ALLOCATIONS.fetch_add(1, Ordering::Relaxed);
        // SAFETY: the caller's contract is passed on unchanged.
        unsafe { System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: the caller's contract is passed on unchanged.
        unsafe { System.dealloc(ptr, layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        ALLOCATIONS.fetch_add(1, Ordering::Relaxed);
        // SAFETY: the caller's contract is passed on unchanged.
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

/// Allocations (and reallocations) made by `f`.
fn allocations<T>(f: impl FnOnce() -> T) -> usize {
    let before = ALLOCATIONS.load(Ordering::Relaxed);
    let out = f();
    let after = ALLOCATIONS.load(Ordering::Relaxed);
    drop(out);
    after - before
}

/// The five-condition filter used across the crate's benchmarks.
const FIVE: &str = "eq(status,live):like(name,*shoe*):in(sku,a-1,b-2,c-3):gt(updated_at,2024-01-01T00:00:00Z):eq(extensions.book.isbn,1765426)";

/// An 8 KiB filter: ten conditions, one a long quoted `in` list.
fn eight_kib() -> String {
    let mut s = String::from("eq(status,live):like(name,*shoe*)");
    s.push_str(":in(sku");
    let mut n = 0;
    while s.len() < 8192 - 40 {
        s.push_str(&format!(",\"sku {n:05}\""));
        n += 1;
    }
    s.push(')');
    while s.len() < 8192 - 10 {
        s.push_str(":eq(a,b)");
    }
    s.truncate(s.len().min(8192));
    s
}

/// How many distinct five-condition filters the "distinct" runs cycle
/// through: more than fit in the CPU caches, as in real traffic, so no
/// branch predictor or cache learns one string.
const DISTINCT: usize = 200_000;

/// The five-condition filter with its values varied by `n`: every string is
/// different, the shape (and so the work) the same as [`FIVE`].
fn five_distinct(n: usize) -> String {
    format!(
        "eq(status,live):like(name,*shoe{n}*):in(sku,a-{n},b-2,c-3):gt(updated_at,2024-01-{:02}T00:00:00Z):eq(extensions.book.isbn,{})",
        1 + n % 28,
        1_765_426 + n
    )
}

/// Instruction counting under callgrind: with `PARSE_COUNT=<n>`, parses
/// the 8 KiB filter `n` times and exits (the difference of two runs with
/// different `n`, divided by the difference of `n`, is one parse).
fn count_mode(big: &str) -> bool {
    let Some(n) = std::env::var("PARSE_COUNT")
        .ok()
        .and_then(|n| n.parse::<usize>().ok())
    else {
        return false;
    };
    let ok = (0..n).filter(|_| parse(black_box(big)).is_ok()).count();
    println!("{ok} of {n} ok");
    true
}

fn bench(c: &mut Criterion) {
    let big = eight_kib();
    if count_mode(&big) {
        return;
    }
    assert!(parse(&big).is_ok());
    for (name, input) in [
        ("1 condition", "eq(sku,book)"),
        ("5 conditions", FIVE),
        ("8 KiB", big.as_str()),
    ] {
        let n = allocations(|| parse(black_box(input)));
        println!("allocations per parse, {name}: {n}");
    }
    let mut group = c.benchmark_group("parse");
    for (name, input) in [
        ("1 condition", "eq(sku,book)"),
        ("5 conditions", FIVE),
        ("8 KiB", big.as_str()),
    ] {
        group.throughput(Throughput::Bytes(input.len() as u64));
        group.bench_function(name, |b| b.iter(|| parse(black_box(input))));
    }
    let filters: Vec<String> = (0..DISTINCT).map(five_distinct).collect();
    assert!(filters.iter().all(|f| parse(f).is_ok()));
    let mean = filters.iter().map(String::len).sum::<usize>() / DISTINCT;
    group.throughput(Throughput::Bytes(mean as u64));
    group.bench_function("5 conditions, 200k distinct", |b| {
        let mut i = 0;
        b.iter(|| {
            i = (i + 1) % DISTINCT;
            parse(black_box(&filters[i])).is_ok()
        })
    });
    group.finish();

    // Beside it, the floor's parse of the same filters (the compile bench
    // checks that it reads the same conditions and values).
    assert!(filters.iter().all(|f| floor::parse(f).is_ok()));
    let mut group = c.benchmark_group("floor");
    group.throughput(Throughput::Bytes(mean as u64));
    group.bench_function("parse, 200k distinct", |b| {
        let mut i = 0;
        b.iter(|| {
            i = (i + 1) % DISTINCT;
            floor::parse(black_box(&filters[i]))
        })
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
