//! Compile speed (byte limit + parse + validate) of the five-condition filter
//! used across the crate's benchmarks, and validation alone of the parsed
//! filter; the same on 200,000 distinct five-condition filters (as in real
//! traffic, no cache learns one string). Target: compile <= 300 ns and at
//! most 6 allocations, counted by a counting global allocator and printed
//! before the measurements. Beside them, the floor's compile
//! (`support/floor.rs`): a deliberately minimal one-pass compile of the
//! same distinct filters, a reference point for reading the targets
//! (absolute times) against the machine that ran them.

use catalog_filter::syntax::parse;
use catalog_filter::{Compiler, compile};
use criterion::{BatchSize, Criterion, criterion_group, criterion_main};
use std::alloc::{GlobalAlloc, Layout, System};
use std::hint::black_box;
use std::sync::atomic::{AtomicUsize, Ordering};

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

/// The five-condition filter used across the crate's benchmarks.
const FIVE: &str = "eq(status,live):like(name,*shoe*):in(sku,a-1,b-2,c-3):gt(updated_at,2024-01-01T00:00:00Z):eq(extensions.book.isbn,1765426)";

/// How many distinct filters the "distinct" run cycles through.
const DISTINCT: usize = 200_000;

/// The five-condition filter with its values varied by `n` (the same
/// generator as benches/parse.rs).
fn five_distinct(n: usize) -> String {
    format!(
        "eq(status,live):like(name,*shoe{n}*):in(sku,a-{n},b-2,c-3):gt(updated_at,2024-01-{:02}T00:00:00Z):eq(extensions.book.isbn,{})",
        1 + n % 28,
        1_765_426 + n
    )
}

/// Allocations (and reallocations) made by `f`.
fn allocations<T>(f: impl FnOnce() -> T) -> usize {
    let before = ALLOCATIONS.load(Ordering::Relaxed);
    let out = f();
    let after = ALLOCATIONS.load(Ordering::Relaxed);
    drop(out);
    after - before
}

/// Instruction counting under callgrind: with `COMPILE_COUNT=<n>` (and
/// optionally `COMPILE_STAGE=parse`, `floor` or `floor-parse` for the
/// floor's, or `setup` to do nothing but make the
/// filters), compiles (or parses) `n` distinct five-condition filters and
/// exits, so that the difference of two runs with different `n`, divided
/// by the difference of `n`, minus the same for `setup`, is the cost of one
/// compile (drop included).
fn count_mode() -> bool {
    let Some(n) = std::env::var("COMPILE_COUNT")
        .ok()
        .and_then(|n| n.parse::<usize>().ok())
    else {
        return false;
    };
    let stage = std::env::var("COMPILE_STAGE").unwrap_or_default();
    let filters: Vec<String> = (0..n).map(five_distinct).collect();
    let mut ok = 0;
    for f in &filters {
        ok += match stage.as_str() {
            "parse" => usize::from(parse(black_box(f)).is_ok()),
            "floor-parse" => usize::from(floor::parse(black_box(f)).is_ok()),
            "floor" => usize::from(floor::compile(black_box(f)).is_ok()),
            // Only the set-up (making the filters), to subtract.
            "setup" => usize::from(!black_box(f).is_empty()),
            _ => usize::from(compile(black_box(f)).is_ok()),
        };
    }
    println!("{ok} of {n} ok");
    true
}

/// The floor reads what `compile` reads from the distinct filters: the
/// same conditions and the same values.
fn check_floor(filters: &[String]) {
    for (n, f) in filters.iter().enumerate() {
        // The floor's nodes have the spans of the crate's tree: each
        // condition, then its attribute and values.
        let nodes = floor::parse(f).expect("the floor reads the bench filters");
        let tree = parse(f).expect("the bench filters parse");
        let spans: Vec<(bool, usize, usize)> = tree
            .conditions()
            .flat_map(|c| {
                let values = c.values.as_slice().iter().map(|v| v.span);
                let operands = std::iter::once(c.attribute.span).chain(values);
                std::iter::once((true, c.span)).chain(operands.map(|s| (false, s)))
            })
            .map(|(condition, s)| (condition, s.start, s.end))
            .collect();
        let floor_spans: Vec<(bool, usize, usize)> = nodes
            .iter()
            .map(|node| {
                (
                    node.kind != floor::VALUE,
                    node.start as usize,
                    node.end as usize,
                )
            })
            .collect();
        assert_eq!(floor_spans, spans, "{f}");
        assert_eq!(nodes.len(), 17);
        let compiled = floor::compile(f).expect("the floor compiles the bench filters");
        assert_eq!(&*compiled.source, f.as_str());
        // (operator, attribute, values): eq status, like name, in sku,
        // gt updated_at, eq extensions.book.isbn.
        assert_eq!(
            compiled.conditions,
            [
                (0, 0, 0, 1),
                (1, 1, 1, 2),
                (2, 2, 2, 5),
                (3, 3, 5, 6),
                (0, 4, 6, 7)
            ]
        );
        let text = |s: u32, e: u32| f.get(s as usize..e as usize).unwrap_or_default();
        let values: Vec<String> = compiled
            .values
            .iter()
            .map(|v| match *v {
                floor::Typed::Text(s, e) => text(s, e).to_owned(),
                floor::Typed::Pattern(s, e) => format!("like {}", text(s, e)),
                floor::Typed::Instant(t) => format!("instant {t}"),
            })
            .collect();
        let day = format!("2024-01-{:02}T00:00:00Z", 1 + n % 28);
        let instant = floor::instant(day.as_bytes()).expect("an instant");
        assert_eq!(instant, ((2024 * 372 + 31 + 1 + n as i64 % 28) * 86_400));
        let expected = [
            "live".to_owned(),
            format!("like *shoe{n}*"),
            format!("a-{n}"),
            "b-2".to_owned(),
            "c-3".to_owned(),
            format!("instant {instant}"),
            format!("{}", 1_765_426 + n),
        ];
        assert_eq!(values, expected);
    }
}

fn bench(c: &mut Criterion) {
    if count_mode() {
        return;
    }
    assert!(compile(FIVE).is_ok());
    println!(
        "allocations per compile of the 5-condition filter: {}",
        allocations(|| compile(black_box(FIVE)))
    );
    println!(
        "allocations per parse of the 5-condition filter: {}",
        allocations(|| parse(black_box(FIVE)))
    );
    println!(
        "allocations per compile of the 5-condition filter, floor: {}",
        allocations(|| floor::compile(black_box(FIVE)))
    );
    let filters: Vec<String> = (0..DISTINCT).map(five_distinct).collect();
    assert!(filters.iter().all(|f| compile(f).is_ok()));
    check_floor(&filters);
    let mut group = c.benchmark_group("compile");
    group.bench_function("5 conditions", |b| b.iter(|| compile(black_box(FIVE))));
    group.bench_function("5 conditions, 200k distinct", |b| {
        let mut i = 0;
        b.iter(|| {
            i = (i + 1) % DISTINCT;
            compile(black_box(&filters[i])).is_ok()
        })
    });
    let parsed = parse(FIVE).expect("the bench filter parses");
    let compiler = Compiler::new();
    group.bench_function("validate only, 5 conditions", |b| {
        b.iter_batched(
            || parsed.clone(),
            |f| compiler.validate(black_box(&f)),
            BatchSize::SmallInput,
        )
    });
    group.bench_function("5 conditions, 3 errors", |b| {
        b.iter(|| compile(black_box("eq(skus,a):like(id,x):eq(status,LIVE)")))
    });
    group.finish();

    let mut group = c.benchmark_group("floor");
    group.bench_function("compile, 200k distinct", |b| {
        let mut i = 0;
        b.iter(|| {
            i = (i + 1) % DISTINCT;
            floor::compile(black_box(&filters[i]))
        })
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
