//! Planning and applying detach_nodes over generated catalogs of 100k and
//! 1M products with 1,000 node ids, to show how cost grows with products.

use catalog_filter::Limits;
use catalog_filter::detach::{self, DetachNodesRequest};
use criterion::{BatchSize, BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};

const FILTER: &str = "eq(status,live):like(name,*a*)";

fn bench(c: &mut Criterion) {
    let mut group = c.benchmark_group("detach");
    group.sample_size(10);
    for products in [100_000usize, 1_000_000] {
        let catalog = catalog_filter::synthetic::catalog(7, products, 2_000);
        // 1,000 ids: every other node, plus a few unknown ones.
        let mut ids: Vec<String> = catalog
            .nodes()
            .iter()
            .step_by(2)
            .take(990)
            .map(|n| n.id.clone())
            .collect();
        ids.extend((0..10).map(|i| format!("missing-{i}")));
        let request = DetachNodesRequest::new(FILTER, ids);
        let limits = Limits::default();
        let plan = detach::plan(&catalog, &request, &limits).expect("valid request");
        eprintln!(
            "{products} products: {} lose memberships, {} removed",
            plan.changes().len(),
            plan.removed_count()
        );
        group.throughput(Throughput::Elements(products as u64));
        group.bench_with_input(BenchmarkId::new("plan", products), &catalog, |b, cat| {
            b.iter(|| detach::plan(cat, &request, &limits))
        });
        group.bench_with_input(BenchmarkId::new("apply", products), &catalog, |b, cat| {
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
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
