//! `datafusion::detach::detach_dir`, the detach that runs where the data
//! is, against the in-memory reference: the same answers, memberships,
//! removals and snapshot text, in the single-file layout and in
//! partitions; the output replaced whole or not at all; the inputs never
//! written.
#![cfg(feature = "datafusion")]

#[path = "support/faults.rs"]
#[allow(dead_code)]
mod faults;
#[path = "support/generate.rs"]
#[allow(dead_code)]
mod generate;

use catalog_filter::catalog::Catalog;
use catalog_filter::datafusion::detach::{DirOptions, detach_dir};
use catalog_filter::datafusion::partition::export_parquet_partitioned;
use catalog_filter::datafusion::{Error, tables};
use catalog_filter::elasticpath::detach::{self as reference, DetachNodesRequest};
use catalog_filter::synthetic::SplitMix64;
use datafusion::prelude::SessionContext;
use std::num::NonZeroUsize;
use std::path::{Path, PathBuf};
use uuid::Uuid;

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .build()
        .expect("a tokio runtime")
}

/// A fresh directory for one test.
fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!(
        "catalog-filter-detach-dir-{}-{name}",
        std::process::id()
    ));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// The entries of `dir` (names only).
fn names(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    names.sort();
    names
}

fn export(catalog: &Catalog, dir: &Path, partitions: usize) {
    match NonZeroUsize::new(partitions) {
        Some(n) => export_parquet_partitioned(catalog, dir, n).unwrap(),
        None => tables::export_parquet(catalog, dir).unwrap(),
    }
}

/// The snapshot the tables in `dir` hold, as JSON text.
fn json_of(dir: &Path) -> String {
    let ctx = SessionContext::new();
    let rt = runtime();
    rt.block_on(tables::register_parquet(&ctx, dir)).unwrap();
    let mut out = Vec::new();
    rt.block_on(tables::write_json(&ctx, &mut out)).unwrap();
    String::from_utf8(out).unwrap()
}

/// The removals table in `out`, sorted.
fn removals_in(out: &Path) -> Vec<(Uuid, String)> {
    use datafusion::arrow::array::AsArray;
    use datafusion::arrow::compute::cast;
    use datafusion::arrow::datatypes::DataType;
    let path = if out.join("removals").is_dir() {
        out.join("removals")
    } else {
        out.join("removals.parquet")
    };
    let ctx = SessionContext::new();
    let batches = runtime()
        .block_on(async {
            ctx.read_parquet(path.to_str().unwrap(), Default::default())
                .await?
                .collect()
                .await
        })
        .unwrap();
    let mut rows = Vec::new();
    for b in &batches {
        let products = cast(b.column(0), &DataType::Utf8).unwrap();
        let nodes = cast(b.column(1), &DataType::Utf8).unwrap();
        for (p, n) in products
            .as_string::<i32>()
            .iter()
            .zip(nodes.as_string::<i32>().iter())
        {
            rows.push((p.unwrap().parse().unwrap(), n.unwrap().to_owned()));
        }
    }
    rows.sort();
    rows
}

/// The ids of the products without nodes in the tables of `dir`, by
/// `eq(has_nodes,false)` in DataFusion (the schemas allow no other value).
fn has_nodes_of(dir: &Path) -> Vec<Uuid> {
    let ctx = SessionContext::new();
    let rt = runtime();
    rt.block_on(tables::register_parquet(&ctx, dir)).unwrap();
    let filter = catalog_filter::compile("eq(has_nodes,false)").unwrap();
    rt.block_on(catalog_filter::datafusion::select_ids(&ctx, &filter))
        .unwrap()
}

/// [`has_nodes_of`] in memory.
fn has_nodes_in(catalog: &Catalog) -> Vec<Uuid> {
    let mut without: Vec<Uuid> = catalog
        .products()
        .iter()
        .filter(|p| p.node_ids.is_empty())
        .map(|p| p.id)
        .collect();
    without.sort_unstable();
    without
}

/// Every column chunk of every Parquet file below `dir` is compressed
/// with zstd, as the export and both detaches write (the files do not
/// record the level; a reader sees zstd's default).
fn assert_zstd(dir: &Path) {
    use datafusion::parquet::basic::{Compression, ZstdLevel};
    use datafusion::parquet::file::reader::{FileReader, SerializedFileReader};
    let mut files = 0;
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else if path.extension().is_some_and(|e| e == "parquet") {
                let reader =
                    SerializedFileReader::new(std::fs::File::open(&path).unwrap()).unwrap();
                for group in reader.metadata().row_groups() {
                    for column in group.columns() {
                        assert_eq!(
                            column.compression(),
                            Compression::ZSTD(ZstdLevel::default()),
                            "{}",
                            path.display()
                        );
                    }
                }
                files += 1;
            }
        }
    }
    assert!(files >= 5, "{} holds {files} Parquet files", dir.display());
}

#[test]
fn detach_dir_answers_and_writes_what_memory_does_in_every_layout() {
    let base = scratch("layouts");
    let rt = runtime();
    let (mut checked, mut removing) = (0, 0);
    for seed in 0..12u64 {
        // No partitions (the single-file layout), 1, 3 and 7.
        let partitions = [0, 1, 3, 7][usize::try_from(seed % 4).unwrap()];
        let catalog = catalog_filter::synthetic::catalog(seed, 40 + 10 * seed as usize, 12);
        let (input, out) = (
            base.join(format!("in-{seed}")),
            base.join(format!("out-{seed}")),
        );
        export(&catalog, &input, partitions);
        assert_zstd(&input);
        let before = faults::files(&input);
        let mut rng = SplitMix64::new(seed);
        for round in 0..3 {
            let request = DetachNodesRequest::new(
                generate::filter(&mut rng, &catalog),
                generate::node_ids(&mut rng, &catalog),
            );
            let want = generate::planned(&catalog, &request, &generate::LIMITS);
            let ctx = SessionContext::new();
            let got = rt
                .block_on(detach_dir(
                    &ctx,
                    &input,
                    &request,
                    &generate::LIMITS,
                    &out,
                    &DirOptions::new().removals(true),
                ))
                .unwrap();
            let context = format!("seed {seed} round {round} partitions {partitions}: {request:?}");
            match (got, want) {
                (Ok(detached), Ok((response, removals))) => {
                    assert_eq!(
                        serde_json::to_string(&detached.response).unwrap(),
                        response,
                        "{context}"
                    );
                    assert_eq!(
                        detached.memberships_removed,
                        removals.len() as u64,
                        "{context}"
                    );
                    assert_eq!(detached.partitions, partitions.max(1), "{context}");
                    assert_eq!(removals_in(&out), removals, "{context}");
                    // The snapshot after, byte for byte as the in-memory apply.
                    let mut after = catalog.clone();
                    let plan = reference::plan(&catalog, &request, &generate::LIMITS).unwrap();
                    reference::apply(&mut after, &plan);
                    assert_eq!(json_of(&out), after.to_json(), "{context}");
                    // `node_count` follows the memberships: `has_nodes`
                    // (native over it) selects as in memory after.
                    assert_eq!(has_nodes_of(&out), has_nodes_in(&after), "{context}");
                    // The output keeps the input's layout, and its
                    // compression.
                    assert_eq!(out.join("products").is_dir(), partitions > 0, "{context}");
                    assert_zstd(&out);
                    removing += usize::from(!removals.is_empty());
                }
                (Err(envelope), Err(want)) => {
                    assert_eq!(serde_json::to_string(&envelope).unwrap(), want, "{context}");
                    assert!(!out.exists(), "nothing is written: {context}");
                }
                (got, want) => panic!("{context}\ngot {got:?}\nwant {want:?}"),
            }
            // The inputs are never written.
            assert_eq!(faults::files(&input), before, "{context}");
            let _ = std::fs::remove_dir_all(&out);
            checked += 1;
        }
    }
    assert!(
        removing * 3 > checked,
        "only {removing} of {checked} removed anything"
    );
    let _ = std::fs::remove_dir_all(&base);
}

#[test]
fn the_output_is_replaced_whole_or_left_as_it_was() {
    let base = scratch("replace");
    let rt = runtime();
    let catalog = catalog_filter::synthetic::catalog(3, 60, 10);
    let (input, out) = (base.join("in"), base.join("out"));
    export(&catalog, &input, 4);
    // What a previous job left: an output with a file of its own, a
    // partial directory of a killed job, and another output's partial.
    std::fs::create_dir_all(&out).unwrap();
    std::fs::write(out.join("junk.txt"), b"old").unwrap();
    std::fs::create_dir_all(base.join(".out.partial-999999/products")).unwrap();
    std::fs::create_dir_all(base.join(".other.partial-1")).unwrap();
    let hierarchies: Vec<String> = catalog.hierarchies().iter().map(|h| h.id.clone()).collect();
    let request = DetachNodesRequest::new("like(name,*)", hierarchies);

    // A refused request: nothing changes, no partial directory is made.
    let refused = DetachNodesRequest::new("eqq(sku,a)", ["n1"]);
    let got = rt
        .block_on(detach_dir(
            &SessionContext::new(),
            &input,
            &refused,
            &generate::LIMITS,
            &out,
            &DirOptions::new(),
        ))
        .unwrap();
    assert!(got.is_err());
    assert_eq!(names(&out), ["junk.txt"]);
    assert!(base.join(".out.partial-999999").exists());

    let detached = rt
        .block_on(detach_dir(
            &SessionContext::new(),
            &input,
            &request,
            &generate::LIMITS,
            &out,
            &DirOptions::new(),
        ))
        .unwrap()
        .unwrap();
    assert!(detached.memberships_removed > 0);
    // The whole output is the new one (no removals table unless asked);
    // the killed job's partial is gone, another output's is not.
    assert_eq!(
        names(&out),
        [
            "hierarchies.parquet",
            "nodes.parquet",
            "product_nodes",
            "products",
            "snapshot.parquet"
        ]
    );
    assert_eq!(names(&out.join("products")).len(), 4);
    assert_eq!(names(&base), [".other.partial-1", "in", "out"]);
    let mut after = catalog.clone();
    reference::apply(
        &mut after,
        &reference::plan(&catalog, &request, &generate::LIMITS).unwrap(),
    );
    assert_eq!(json_of(&out), after.to_json());
    // Every membership went: no product has nodes now, though some had.
    assert!(has_nodes_in(&catalog).len() < catalog.products().len());
    assert_eq!(has_nodes_of(&out).len(), catalog.products().len());

    // A job that fails part-way (a partition's file is not Parquet) leaves
    // the previous output and no partial directory.
    let previous = faults::files(&out);
    std::fs::write(input.join("products/part-00002.parquet"), b"not parquet").unwrap();
    let failed = rt.block_on(detach_dir(
        &SessionContext::new(),
        &input,
        &request,
        &generate::LIMITS,
        &out,
        &DirOptions::new(),
    ));
    assert!(failed.is_err(), "{failed:?}");
    assert_eq!(faults::files(&out), previous);
    assert_eq!(names(&base), [".other.partial-1", "in", "out"]);
    let _ = std::fs::remove_dir_all(&base);
}

#[test]
fn outputs_overlapping_the_input_are_refused_before_anything_is_written() {
    let base = scratch("overlap");
    let rt = runtime();
    let catalog = catalog_filter::synthetic::catalog(5, 30, 6);
    let input = base.join("in");
    export(&catalog, &input, 2);
    let before = faults::files(&input);
    let request = DetachNodesRequest::new("like(name,*)", [catalog.hierarchies()[0].id.clone()]);
    for out in [
        input.clone(),
        input.join("sub"),
        input.join("products"),
        base.clone(),
        base.join("in/../in"),
        base.join("x/../in/y"),
    ] {
        let got = rt.block_on(detach_dir(
            &SessionContext::new(),
            &input,
            &request,
            &generate::LIMITS,
            &out,
            &DirOptions::new(),
        ));
        assert!(
            matches!(got, Err(Error::WouldOverwriteInput { .. })),
            "{}: {got:?}",
            out.display()
        );
        assert_eq!(faults::files(&input), before, "{}", out.display());
    }
    assert_eq!(names(&base), ["in"]);
    let _ = std::fs::remove_dir_all(&base);
}

#[test]
fn partitions_pair_up_and_exports_replace_either_layout() {
    let base = scratch("pairs");
    let rt = runtime();
    let catalog = catalog_filter::synthetic::catalog(7, 50, 8);
    let dir = base.join("t");
    export(&catalog, &dir, 5);
    assert_eq!(names(&dir.join("products")).len(), 5);
    // Every product's memberships are in the file of its number.
    let n = NonZeroUsize::new(5).unwrap();
    for (i, name) in names(&dir.join("product_nodes")).iter().enumerate() {
        let ctx = SessionContext::new();
        let path = dir.join("product_nodes").join(name);
        let ids = rt
            .block_on(async {
                ctx.read_parquet(path.to_str().unwrap(), Default::default())
                    .await?
                    .collect()
                    .await
            })
            .unwrap();
        for b in &ids {
            let column = datafusion::arrow::compute::cast(
                b.column(0),
                &datafusion::arrow::datatypes::DataType::Utf8,
            )
            .unwrap();
            use datafusion::arrow::array::AsArray;
            for id in column.as_string::<i32>().iter() {
                let id: Uuid = id.unwrap().parse().unwrap();
                assert_eq!(
                    catalog_filter::datafusion::partition::partition_of(&id, n),
                    i
                );
            }
        }
    }
    assert_eq!(json_of(&dir), catalog.to_json());
    // Fewer partitions: the extra files go.
    export(&catalog, &dir, 2);
    assert_eq!(
        names(&dir.join("product_nodes")),
        ["part-00000.parquet", "part-00001.parquet"]
    );
    assert_eq!(json_of(&dir), catalog.to_json());
    // A partition without its memberships file is a missing table.
    std::fs::remove_file(dir.join("product_nodes/part-00001.parquet")).unwrap();
    let got = rt.block_on(tables::register_parquet(&SessionContext::new(), &dir));
    match got {
        Err(Error::MissingTable { table, path }) => {
            assert_eq!(table, "product_nodes");
            assert_eq!(path, dir.join("product_nodes/part-00001.parquet"));
        }
        other => panic!("{other:?}"),
    }
    // The single-file layout replaces the partitions.
    export(&catalog, &dir, 0);
    assert_eq!(
        names(&dir),
        [
            "hierarchies.parquet",
            "nodes.parquet",
            "product_nodes.parquet",
            "products.parquet",
            "snapshot.parquet"
        ]
    );
    assert_eq!(json_of(&dir), catalog.to_json());
    let _ = std::fs::remove_dir_all(&base);
}
