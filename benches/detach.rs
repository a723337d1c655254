//! Planning and applying detach_nodes over generated catalogs of 100k and
//! 1M products (2,000 nodes) with 1,000 node ids, to show how cost grows with
//! products; and, at 1M products, the order of the two per-product tests
//! (memberships first, as `plan` does, or the filter first), both when most
//! products are in a targeted node (2,000 nodes, every other one named) and
//! when few are (20,000 nodes, every 20th named).
//!
//! ```sh
//! cargo bench --bench detach -- --warm-up-time 1 --measurement-time 3 --sample-size 10
//! ```
//!
//! Each catalog is generated once (1M products take a few seconds and about
//! 2.7 GB) and shared by every benchmark of its size.

use catalog_filter::catalog::Catalog;
use catalog_filter::elasticpath::detach::{self, DetachNodesRequest};
use catalog_filter::{Limits, ValidFilter};
use criterion::{BatchSize, BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use std::hint::black_box;

const FILTER: &str = "eq(status,live):like(name,*a*)";

/// 1,000 ids: 990 nodes (every `step`-th), plus 10 unknown ids.
fn node_ids(catalog: &Catalog, step: usize) -> Vec<String> {
    let mut ids: Vec<String> = catalog
        .nodes()
        .iter()
        .step_by(step)
        .take(990)
        .map(|n| n.id.clone())
        .collect();
    ids.extend((0..10).map(|i| format!("missing-{i}")));
    ids
}

/// The targeted node positions, as `plan` computes them.
fn targeted(catalog: &Catalog, ids: &[String]) -> Vec<bool> {
    let mut flags = vec![false; catalog.nodes().len()];
    for range in ids.iter().filter_map(|id| catalog.resolve(id)) {
        for pos in range {
            flags[pos as usize] = true;
        }
    }
    flags
}

/// How many products would change, testing memberships first or the filter
/// first (the two orders `plan` could use).
fn count(catalog: &Catalog, filter: &ValidFilter, flags: &[bool], filter_first: bool) -> usize {
    let hit = |i: usize| catalog.memberships(i).iter().any(|&p| flags[p as usize]);
    let products = catalog.products().iter().enumerate();
    if filter_first {
        products
            .filter(|&(i, p)| filter.matches(p) && hit(i))
            .count()
    } else {
        products
            .filter(|&(i, p)| hit(i) && filter.matches(p))
            .count()
    }
}

fn bench(c: &mut Criterion) {
    let limits = Limits::default();
    let mut group = c.benchmark_group("detach");
    group.sample_size(10);
    // (products, nodes, every how many-th node is named, run apply)
    let configs = [
        (100_000usize, 2_000usize, 2usize, true),
        (1_000_000, 2_000, 2, true),
        (1_000_000, 20_000, 20, false),
    ];
    for (products, nodes, step, with_apply) in configs {
        let catalog = catalog_filter::synthetic::catalog(7, products, nodes);
        let ids = node_ids(&catalog, step);
        let id = |name: &str| BenchmarkId::new(name, format!("{products}/{nodes} nodes"));
        let request = DetachNodesRequest::new(FILTER, ids.clone());
        let Ok(plan) = detach::plan(&catalog, &request, &limits) else {
            panic!("the benchmark's request is valid");
        };
        let Ok(filter) = catalog_filter::compile(FILTER) else {
            panic!("the benchmark's filter is valid");
        };
        let flags = targeted(&catalog, &ids);
        let candidates = (0..products)
            .filter(|&i| catalog.memberships(i).iter().any(|&p| flags[p as usize]))
            .count();
        let matched = catalog
            .products()
            .iter()
            .filter(|p| filter.matches(p))
            .count();
        eprintln!(
            "{products} products, {nodes} nodes: {candidates} in a targeted node, {matched} matched by the filter, \
             {} lose memberships, {} memberships removed",
            plan.changes().len(),
            plan.removed_count()
        );

        group.throughput(Throughput::Elements(products as u64));
        group.bench_with_input(id("plan"), &catalog, |b, cat| {
            b.iter(|| detach::plan(cat, &request, &limits))
        });
        if with_apply {
            group.bench_with_input(id("apply"), &catalog, |b, cat| {
                b.iter_batched(
                    || cat.clone(),
                    // Return the catalog so that dropping it is not timed.
                    |mut cat| {
                        detach::apply(&mut cat, &plan);
                        cat
                    },
                    BatchSize::LargeInput,
                )
            });
        }
        if products == 1_000_000 {
            for (name, filter_first) in [("memberships first", false), ("filter first", true)] {
                group.bench_function(id(name), |b| {
                    b.iter(|| count(&catalog, &filter, black_box(&flags), filter_first))
                });
            }
        }
    }
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
