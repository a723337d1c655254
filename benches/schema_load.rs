//! Loading big schemas (issue 27, D3): 40,000 exact attributes, 40,000
//! patterned attributes (`ext_<i>.<template>.<field>`), 40,000 aliases of
//! one attribute, and 100,000 exact attributes, each from JSON. Pairwise
//! checks took 6-9 s for the 40,000 cases and over 60 s for 100,000; the
//! checks are now hashed and trie-based, so each load is a few hundred
//! milliseconds at most, most of it reading the JSON.
//!
//! One case: `cargo bench --bench schema_load -- 'attributes/100000'`.
//! Peak memory: `/usr/bin/time -v` on that command (it includes
//! criterion's own).

use catalog_filter::schema::Schema;
use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use std::fmt::Write;
use std::hint::black_box;

/// A JSON schema of `n` attributes or aliases of the given kind.
fn schema_json(kind: &str, n: usize) -> String {
    let mut s = String::from(r#"{"name":"big","attributes":{"#);
    let list = |s: &mut String, item: &dyn Fn(&mut String, usize)| {
        for i in 0..n {
            if i > 0 {
                s.push(',');
            }
            item(s, i);
        }
    };
    match kind {
        "attributes" => list(&mut s, &|s, i| {
            let _ = write!(
                s,
                r#""attr_{i}":{{"type":"text","operators":["eq","like"]}}"#
            );
        }),
        "patterned" => list(&mut s, &|s, i| {
            let _ = write!(
                s,
                r#""ext_{i}.<template>.<field>":{{"type":"text","operators":["eq"]}}"#
            );
        }),
        _ => {
            s.push_str(r#""sku":{"type":"text","operators":["eq"]}},"aliases":{"#);
            list(&mut s, &|s, i| {
                let _ = write!(s, r#""alias_{i}":"sku""#);
            });
        }
    }
    s.push_str("}}");
    s
}

fn bench(c: &mut Criterion) {
    let mut group = c.benchmark_group("schema_load");
    group.sample_size(10);
    for (kind, n) in [
        ("attributes", 40_000),
        ("patterned", 40_000),
        ("aliases", 40_000),
        ("attributes", 100_000),
    ] {
        let json = schema_json(kind, n);
        group.throughput(Throughput::Bytes(json.len() as u64));
        group.bench_function(format!("{kind}/{n}"), |b| {
            b.iter(|| Schema::from_json(black_box(&json)))
        });
    }
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
