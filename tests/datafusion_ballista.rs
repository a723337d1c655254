//! The DataFusion back end on Ballista: a scheduler and two executors on
//! 127.0.0.1 inside the test process, the generated catalogs as Parquet
//! files, and the same answers as in memory for `select_ids`,
//! `detach::plan` and `detach::apply_to_dir` (a smaller run of the
//! differential tests of `datafusion_select.rs` and `datafusion_detach.rs`).
#![cfg(feature = "datafusion")]

#[path = "support/generate.rs"]
#[allow(dead_code)]
mod generate;

use catalog_filter::datafusion::ballista::LocalCluster;
use catalog_filter::datafusion::{detach, select_ids, tables};
use catalog_filter::elasticpath::detach::DetachNodesRequest;
use catalog_filter::schema::Schema;
use catalog_filter::synthetic::SplitMix64;
use catalog_filter::{CompilerBuilder, Limits};
use datafusion::arrow::array::{AsArray, RecordBatch};
use datafusion::arrow::compute::cast;
use datafusion::arrow::datatypes::DataType;
use datafusion::prelude::SessionContext;
use std::path::{Path, PathBuf};
use std::time::Duration;
use uuid::Uuid;

const LIMITS: Limits = Limits {
    max_conditions: 64,
    ..generate::LIMITS
};

/// A directory of its own under the system's temporary directory.
fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!(
        "catalog-filter-ballista-{}-{name}",
        std::process::id()
    ));
    let _ = std::fs::remove_dir_all(&dir);
    dir
}

/// Column `i` of `batch` as text.
fn texts(batch: &RecordBatch, i: usize) -> Vec<String> {
    let column = cast(batch.column(i), &DataType::Utf8).unwrap();
    column
        .as_string::<i32>()
        .iter()
        .map(|v| v.unwrap().to_owned())
        .collect()
}

/// The memberships of `dir`'s tables as (product, node) pairs, sorted.
async fn memberships(dir: &Path) -> Vec<(Uuid, String)> {
    let ctx = SessionContext::new();
    tables::register_parquet(&ctx, dir).await.unwrap();
    let mut out = Vec::new();
    for batch in ctx
        .table("product_nodes")
        .await
        .unwrap()
        .collect()
        .await
        .unwrap()
    {
        for (product, node) in texts(&batch, 0).into_iter().zip(texts(&batch, 1)) {
            out.push((product.parse().unwrap(), node));
        }
    }
    out.sort_unstable();
    out
}

#[test]
fn two_executors_give_the_in_memory_answers() {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let cluster = rt.block_on(LocalCluster::start(2, 2)).unwrap();
    assert_eq!(cluster.executors(), 2);
    let ctx = rt.block_on(cluster.context()).unwrap();
    let schema = Schema::every_operator();
    let (mut selected, mut matched, mut removing) = (0, 0, 0);

    for (case, seed) in [11u64, 12, 13, 14].into_iter().enumerate() {
        let catalog = catalog_filter::synthetic::catalog(seed, 40 + 20 * case, 12);
        let dir = scratch(&format!("in-{case}"));
        tables::export_parquet(&catalog, &dir).unwrap();
        rt.block_on(tables::register_parquet(&ctx, &dir)).unwrap();
        let mut rng = SplitMix64::new(seed);

        // select: every operator, OR groups (native expressions and the
        // evaluator's UDFs, which reach the executors through the codecs).
        let mut tried = 0;
        while tried < 6 {
            let text = generate::every_operator_filter(&mut rng, &catalog);
            let Ok(filter) = CompilerBuilder::new()
                .schema(schema.clone())
                .limits(LIMITS)
                .build()
                .compile(&text)
            else {
                continue;
            };
            tried += 1;
            let mut want: Vec<Uuid> = catalog.select(&filter).map(|(_, p)| p.id).collect();
            want.sort_unstable();
            let got = rt.block_on(select_ids(&ctx, &filter)).unwrap();
            assert_eq!(got, want, "seed {seed}: {text}");
            selected += 1;
            matched += usize::from(!want.is_empty());
        }

        // detach: the same response and removals.
        for _ in 0..3 {
            let request = DetachNodesRequest::new(
                generate::filter(&mut rng, &catalog),
                generate::node_ids(&mut rng, &catalog),
            );
            let want = generate::planned(&catalog, &request, &LIMITS).unwrap();
            let plan = rt
                .block_on(detach::plan(&ctx, &request, &LIMITS))
                .unwrap()
                .unwrap();
            let got = (
                serde_json::to_string(&plan.response).unwrap(),
                plan.removals.clone(),
            );
            assert_eq!(got, want, "seed {seed}: {:?}", request.data);
            removing += usize::from(!plan.removals.is_empty());

            // Applying it on the cluster writes the memberships left.
            let out = scratch(&format!("out-{case}"));
            rt.block_on(detach::apply_to_dir(&ctx, &plan, &out))
                .unwrap();
            let before = rt.block_on(memberships(&dir));
            let after = rt.block_on(memberships(&out));
            let expected: Vec<_> = before
                .iter()
                .filter(|m| plan.removals.binary_search(m).is_err())
                .cloned()
                .collect();
            assert_eq!(after, expected, "seed {seed}: {:?}", request.data);
            let _ = std::fs::remove_dir_all(&out);
        }
        let _ = std::fs::remove_dir_all(&dir);
    }
    assert_eq!(selected, 24);
    assert!(
        matched >= 6,
        "only {matched} of 24 filters matched anything"
    );
    assert!(
        removing >= 3,
        "only {removing} of 12 plans removed anything"
    );

    // The cluster stops with its runtime: nothing listens any more.
    drop(ctx);
    let scheduler = cluster.scheduler();
    rt.shutdown_timeout(Duration::from_secs(10));
    assert!(
        std::net::TcpStream::connect_timeout(&scheduler, Duration::from_secs(1)).is_err(),
        "the scheduler at {scheduler} still answers"
    );
}

#[test]
fn the_codecs_carry_a_condition_and_refuse_what_is_not_one() {
    use catalog_filter::datafusion::codec::{LogicalCodec, PhysicalCodec};
    use catalog_filter::datafusion::to_expr;
    use datafusion::common::tree_node::TreeNode;
    use datafusion::logical_expr::Expr;
    use datafusion_proto::logical_plan::LogicalExtensionCodec;
    use datafusion_proto::physical_plan::PhysicalExtensionCodec;

    let schema = Schema::every_operator();
    let filter = CompilerBuilder::new()
        .schema(schema.clone())
        .limits(LIMITS)
        .build()
        .compile("eq(sku,a):(ilike(name,*SHOE*)|like(tags,x*))")
        .unwrap();
    let mut udfs = Vec::new();
    to_expr(&filter)
        .apply(|e| {
            if let Expr::ScalarFunction(f) = e {
                udfs.push(f.func.clone());
            }
            Ok(datafusion::common::tree_node::TreeNodeRecursion::Continue)
        })
        .unwrap();
    let names: Vec<&str> = udfs.iter().map(|u| u.name()).collect();
    assert_eq!(
        names,
        ["catalog_filter_condition_1", "catalog_filter_condition_2"]
    );
    for udf in &udfs {
        let mut logical = Vec::new();
        LogicalCodec::default()
            .try_encode_udf(udf, &mut logical)
            .unwrap();
        let mut physical = Vec::new();
        PhysicalCodec::default()
            .try_encode_udf(udf, &mut physical)
            .unwrap();
        assert_eq!(logical, physical);
        let decoded = LogicalCodec::default()
            .try_decode_udf(udf.name(), &logical)
            .unwrap();
        assert_eq!(&*decoded, &**udf);
        let decoded = PhysicalCodec::default()
            .try_decode_udf(udf.name(), &physical)
            .unwrap();
        assert_eq!(&*decoded, &**udf);
    }
    // A payload that is not a condition, and a condition the filter lacks.
    let err = LogicalCodec::default()
        .try_decode_udf("catalog_filter_condition_1", b"{}")
        .unwrap_err();
    assert!(
        err.to_string()
            .contains("catalog_filter_condition_1: not a condition"),
        "{err}"
    );
    let mut payload = Vec::new();
    LogicalCodec::default()
        .try_encode_udf(&udfs[0], &mut payload)
        .unwrap();
    let text = String::from_utf8(payload)
        .unwrap()
        .replace("\"condition\":1", "\"condition\":7");
    let err = LogicalCodec::default()
        .try_decode_udf("catalog_filter_condition_7", text.as_bytes())
        .unwrap_err();
    assert!(err.to_string().contains("has no condition 7"), "{err}");
    // Other functions are Ballista's business (here: unknown to it).
    let err = LogicalCodec::default()
        .try_decode_udf("upper", b"")
        .unwrap_err();
    assert!(
        err.to_string()
            .contains("not provided for scalar function upper"),
        "{err}"
    );
}
