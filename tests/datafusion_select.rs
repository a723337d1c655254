//! The DataFusion back end against the in-memory reference: the same
//! products for the same filters, on generated catalogs; the exact
//! expressions of native conditions; and Parquet files in and out, with the
//! errors for a missing table, a wrong layout and corrupt bytes.
#![cfg(feature = "datafusion")]

// The PostgreSQL tests' filter generator (their `support` module needs the
// `postgres` feature).
#[path = "support/generate.rs"]
#[allow(dead_code)]
mod generate;

use catalog_filter::catalog::Catalog;
use catalog_filter::datafusion::{Error, select_ids, tables, to_expr};
use catalog_filter::schema::Schema;
use catalog_filter::synthetic::SplitMix64;
use catalog_filter::{CompilerBuilder, Limits, ValidFilter, compile};
use datafusion::prelude::SessionContext;
use proptest::test_runner::{Config, TestCaseError, TestRunner};
use std::cell::Cell;
use uuid::Uuid;

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .build()
        .expect("a tokio runtime")
}

fn in_memory(catalog: &Catalog, filter: &ValidFilter) -> Vec<Uuid> {
    let mut ids: Vec<Uuid> = catalog.select(filter).map(|(_, p)| p.id).collect();
    ids.sort_unstable();
    ids
}

const LIMITS: Limits = Limits {
    max_conditions: 64,
    ..generate::LIMITS
};

fn differential(schema: &Schema, generate: fn(&mut SplitMix64, &Catalog) -> String) {
    let rt = runtime();
    let checked = Cell::new(0usize);
    let matched = Cell::new(0usize);
    let case = Cell::new(0usize);
    TestRunner::new(Config {
        cases: 24,
        failure_persistence: None,
        ..Config::default()
    })
    .run(
        &(proptest::num::u64::ANY, 10usize..120, 0usize..30),
        |(seed, products, nodes)| {
            let catalog = catalog_filter::synthetic::catalog(seed, products, nodes);
            let fail = |e: Error| TestCaseError::fail(e.to_string());
            // Every fourth case reads the tables from Parquet files (what
            // Ballista reads; every eighth in 3 partitions), the others
            // from memory.
            let ctx = SessionContext::new();
            let dir =
                std::env::temp_dir().join(format!("cf-df-diff-{}-{seed}", std::process::id()));
            case.set(case.get() + 1);
            if case.get() % 8 == 0 {
                let three = std::num::NonZeroUsize::new(3).unwrap_or(std::num::NonZeroUsize::MIN);
                catalog_filter::datafusion::partition::export_parquet_partitioned(
                    &catalog, &dir, three,
                )
                .map_err(fail)?;
                rt.block_on(tables::register_parquet(&ctx, &dir))
                    .map_err(fail)?;
            } else if case.get() % 4 == 0 {
                tables::export_parquet(&catalog, &dir).map_err(fail)?;
                rt.block_on(tables::register_parquet(&ctx, &dir))
                    .map_err(fail)?;
            } else {
                tables::register(&ctx, &catalog).map_err(fail)?;
            }
            let mut rng = SplitMix64::new(seed);
            for _ in 0..25 {
                let text = generate(&mut rng, &catalog);
                let filter = match CompilerBuilder::new()
                    .schema(schema.clone())
                    .limits(LIMITS)
                    .build()
                    .compile(&text)
                {
                    Ok(f) => f,
                    Err(e) if e.to_string().contains("too complex") => continue,
                    Err(e) => return Err(TestCaseError::fail(format!("{text}: {e}"))),
                };
                let want = in_memory(&catalog, &filter);
                let got = rt
                    .block_on(select_ids(&ctx, &filter))
                    .map_err(|e| TestCaseError::fail(format!("{text}: {e}")))?;
                if got != want {
                    return Err(TestCaseError::fail(format!(
                        "seed {seed}: {text}\nexpr: {}\nDataFusion: {got:?}\nin memory: {want:?}",
                        to_expr(&filter)
                    )));
                }
                checked.set(checked.get() + 1);
                matched.set(matched.get() + usize::from(!want.is_empty()));
            }
            let _ = std::fs::remove_dir_all(&dir);
            Ok(())
        },
    )
    .unwrap();
    assert!(checked.get() >= 24 * 20, "{} filters", checked.get());
    assert!(
        matched.get() * 4 > checked.get(),
        "only {} of {} filters matched anything",
        matched.get(),
        checked.get()
    );
}

#[test]
fn detach_nodes_filters_select_the_same_products_as_in_memory() {
    differential(&Schema::detach_nodes(), generate::filter);
}

#[test]
fn every_operator_and_or_groups_select_the_same_products_as_in_memory() {
    differential(&Schema::every_operator(), generate::every_operator_filter);
}

#[test]
fn native_conditions_are_typed_literals_and_the_rest_run_the_evaluator() {
    let expr = |f: &str| {
        to_expr(
            &CompilerBuilder::new()
                .schema(Schema::every_operator())
                .limits(LIMITS)
                .build()
                .compile(f)
                .unwrap(),
        )
        .to_string()
    };
    assert_eq!(
        expr("in(status,live,draft):le(id,00000000-0000-4000-8000-00000000000A)"),
        r#"status IN ([Utf8("live"), Utf8("draft")]) AND id <= Utf8("00000000-0000-4000-8000-00000000000a")"#
    );
    assert_eq!(
        expr("(is_null(sku)|ge(created_at,2024-01-01T02:00:00+02:00))"),
        r#"sku IS NULL OR created_at >= TimestampNanosecond(1704067200000000000, Some("UTC"))"#
    );
    // `is_null` on every kind of scalar column is native.
    assert_eq!(
        expr(
            "is_null(created_at):is_null(updated_at):is_null(parent_id):is_null(id):is_null(owner)"
        ),
        "created_at IS NULL AND updated_at IS NULL AND parent_id IS NULL AND id IS NULL AND owner IS NULL"
    );
    // `like` on a text column: string functions with the needle as a
    // literal (`%` and `_` are no wildcards); `*` alone is any present value.
    assert_eq!(
        expr(r#"like(name,"*50%*"):like(sku,a_*):like(slug,*_b):like(name,*):like(sku,x)"#),
        r#"contains(name, Utf8("50%")) AND starts_with(sku, Utf8("a_")) AND ends_with(slug, Utf8("_b")) AND name IS NOT NULL AND sku = Utf8("x")"#
    );
    // Lists: DataFusion's array functions for `is_null`, `eq`/`in` and
    // `contains_all`.
    assert_eq!(
        expr(
            "eq(tags,a):in(templates,b,c):contains_all(product_types,standard,bundle):is_null(tags)"
        ),
        r#"array_has(tags, Utf8("a")) AND array_has_any(templates, make_array(Utf8("b"), Utf8("c"))) AND array_has_all(product_types, make_array(Utf8("standard"), Utf8("bundle"))) AND empty(tags)"#
    );
    // `has_nodes`: whether the product's `node_count` is positive.
    assert_eq!(
        expr("eq(has_nodes,false):is_null(has_nodes)"),
        r#"node_count > Int32(0) = Boolean(false) AND Boolean(false)"#
    );
    // `ilike` and `text` on a text column, orderings and patterns over a
    // list: the crate's evaluator over the column.
    assert_eq!(
        expr(r#"ilike(name,"*50%*"):text(description,red):like(tags,a*):ilike(templates,*M*)"#),
        "catalog_filter_condition_0(name) AND catalog_filter_condition_1(description) AND catalog_filter_condition_2(tags) AND catalog_filter_condition_3(templates)"
    );
    // `like` on a text attribute without a column of its own (a schema
    // allowing it on extensions) runs the evaluator too.
    let schema = Schema::builder("extensions with like")
        .attribute(
            "extensions.<template>.<field>",
            catalog_filter::schema::ValueType::Text,
            &[catalog_filter::syntax::Op::Like],
        )
        .build()
        .unwrap();
    let filter = CompilerBuilder::new()
        .schema(schema.clone())
        .limits(LIMITS)
        .build()
        .compile("like(extensions.book.isbn,*42*)")
        .unwrap();
    assert_eq!(
        to_expr(&filter).to_string(),
        r#"catalog_filter_condition_0(map_extract(free_form, Utf8("extensions.book.isbn")))"#
    );
}

const SAMPLE: &str = r#"{"hierarchies":[{"id":"h1","name":"Main"}],
 "nodes":[{"id":"n1","hierarchy_id":"h1"},{"id":"n2","hierarchy_id":"h1","parent_id":"n1","name":"Shoes"}],
 "products":[
  {"id":"00000000-0000-4000-8000-000000000001","sku":"a","name":"50% off","tags":["sale"],"created_at":"2024-01-01T01:00:00+02:00","node_ids":["n1","n2"]},
  {"id":"00000000-0000-4000-8000-000000000002","sku":"b","name":"50 off","extensions":{"books":{"isbn":1e3}}},
  {"id":"00000000-0000-4000-8000-000000000003","name":"x","tags":[],"created_at":"2023-12-31T23:30:00Z"}]}"#;

fn sample_ids(ctx: &SessionContext, f: &str) -> Vec<u128> {
    let filter = CompilerBuilder::new()
        .schema(Schema::every_operator())
        .limits(LIMITS)
        .build()
        .compile(f)
        .unwrap();
    let ids = runtime().block_on(select_ids(ctx, &filter)).unwrap();
    ids.iter().map(|u| u.as_u128() & 0xff).collect()
}

fn check_sample(ctx: &SessionContext) {
    let cases: [(&str, &[u128]); 10] = [
        ("eq(sku,a)", &[1]),
        ("is_null(sku)", &[3]),
        (r#"like(name,"*50%*")"#, &[1]),
        ("like(name,50*)", &[1, 2]),
        ("eq(tags,sale)", &[1]),
        ("is_null(tags)", &[2, 3]),
        // 2024-01-01T01:00:00+02:00 is 2023-12-31T23:00:00Z.
        ("lt(created_at,2023-12-31T23:15:00Z)", &[1]),
        ("eq(extensions.books.isbn,1e3)", &[2]),
        ("eq(has_nodes,false)", &[2, 3]),
        (
            "(eq(sku,b)|gt(id,00000000-0000-4000-8000-000000000002))",
            &[2, 3],
        ),
    ];
    for (f, want) in cases {
        assert_eq!(sample_ids(ctx, f), want, "{f}");
    }
}

#[test]
fn edge_cases_in_memory_tables() {
    let catalog = Catalog::from_json(SAMPLE).unwrap();
    let ctx = SessionContext::new();
    tables::register(&ctx, &catalog).unwrap();
    check_sample(&ctx);
}

/// Issue 27 D5: `is_null` on a free-form value holds only for an absent key
/// or `null` in DataFusion too (its UDF evaluates the product), as in
/// memory and PostgreSQL (`tests/eval.rs`, `tests/postgres.rs`: the same
/// fixture and answers).
#[test]
fn free_form_values_read_from_their_column_as_in_memory() {
    // Values of every JSON kind, numbers as written, a template and a
    // field with a `.` in their names (which no path names), shopper and
    // admin attributes.
    let catalog = Catalog::from_json(
        r#"{"products":[
  {"id":"00000000-0000-4000-8000-000000000000","extensions":{"t":{"f":1.50,"g":"Caf\u00e9"},"a.b":{"c":1}},"shopper_attributes":{"s":"x"}},
  {"id":"00000000-0000-4000-8000-000000000001","extensions":{"t":{"f":1e2,"g":"cafe"},"a":{"b.c":2}},"admin_attributes":{"s":true,"s.t":1}},
  {"id":"00000000-0000-4000-8000-000000000002","extensions":{"t":{"f":-0,"g":null}},"shopper_attributes":{"s":[1]}},
  {"id":"00000000-0000-4000-8000-000000000003","extensions":{"t":{"f":"1.5","g":{"k":"v"}}}},
  {"id":"00000000-0000-4000-8000-000000000004"}]}"#,
    )
    .unwrap();
    let filters = [
        "eq(extensions.t.f,1.50)",
        "eq(extensions.t.f,1.5)",
        "eq(extensions.t.f,1e2)",
        "eq(extensions.t.f,-0)",
        "gt(extensions.t.f,1)",
        "lt(extensions.t.f,1.6)",
        "like(extensions.t.g,Caf*)",
        "ilike(extensions.t.g,CAF*)",
        "is_null(extensions.t.g)",
        "eq(extensions.a.c,1)",
        "is_null(extensions.a.c)",
        "eq(shopper_attributes.s,x)",
        "is_null(shopper_attributes.s)",
        "eq(admin_attributes.s,true)",
        "is_null(admin_attributes.s)",
        "in(extensions.t.f,1.50,-0)",
    ];
    let dir = std::env::temp_dir().join(format!("cf-df-free-form-{}", std::process::id()));
    tables::export_parquet(&catalog, &dir).unwrap();
    let (memory_ctx, files_ctx) = (SessionContext::new(), SessionContext::new());
    tables::register(&memory_ctx, &catalog).unwrap();
    runtime()
        .block_on(tables::register_parquet(&files_ctx, &dir))
        .unwrap();
    use catalog_filter::schema::ValueType;
    use catalog_filter::syntax::Op;
    let ops = [
        Op::Eq,
        Op::In,
        Op::Like,
        Op::Ilike,
        Op::Gt,
        Op::Lt,
        Op::IsNull,
    ];
    let schema = Schema::builder("free-form")
        .attribute("extensions.<template>.<field>", ValueType::Text, &ops)
        .attribute("shopper_attributes.<field>", ValueType::Text, &ops)
        .attribute("admin_attributes.<field>", ValueType::Text, &ops)
        .build()
        .unwrap();
    let mut matched = 0;
    for f in filters {
        let filter = schema.compile(f).unwrap();
        let want = in_memory(&catalog, &filter);
        matched += usize::from(!want.is_empty());
        for ctx in [&memory_ctx, &files_ctx] {
            let got = runtime().block_on(select_ids(ctx, &filter)).unwrap();
            assert_eq!(got, want, "{f}: {}", to_expr(&filter));
        }
    }
    assert!(matched >= 8, "only {matched} filters matched anything");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn is_null_on_free_form_values_as_in_memory() {
    let catalog = Catalog::from_json(include_str!("data/free_form.json")).unwrap();
    let ctx = SessionContext::new();
    tables::register(&ctx, &catalog).unwrap();
    for (f, want) in [
        ("is_null(extensions.t.f)", vec![0, 1, 2]),
        ("is_null(extensions.u.f)", (0..11).collect()),
        ("is_null(shopper_attributes.f)", (0..11).collect()),
        ("in(extensions.t.f,'',0,false)", vec![3, 4, 5]),
        ("eq(extensions.t.f,'[1,2]')", vec![]),
    ] {
        assert_eq!(sample_ids(&ctx, f), want, "{f}");
        let filter = Schema::every_operator().compile(f).unwrap();
        let memory: Vec<u128> = in_memory(&catalog, &filter)
            .iter()
            .map(|u| u.as_u128() & 0xff)
            .collect();
        assert_eq!(memory, want, "{f}");
    }
}

#[test]
fn parquet_files_give_the_same_answers_and_bad_files_are_named() {
    let catalog = Catalog::from_json(SAMPLE).unwrap();
    let dir = std::env::temp_dir().join(format!("catalog-filter-df-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    tables::export_parquet(&catalog, &dir).unwrap();
    let rt = runtime();
    let ctx = SessionContext::new();
    rt.block_on(tables::register_parquet(&ctx, &dir)).unwrap();
    check_sample(&ctx);
    let memberships = rt
        .block_on(async { ctx.table("product_nodes").await?.collect().await })
        .unwrap();
    assert_eq!(memberships.iter().map(|b| b.num_rows()).sum::<usize>(), 2);

    // A file that is not Parquet.
    let nodes = dir.join("nodes.parquet");
    std::fs::write(&nodes, b"not parquet").unwrap();
    let err = rt
        .block_on(tables::register_parquet(&SessionContext::new(), &dir))
        .unwrap_err();
    assert!(matches!(err, Error::DataFusion(_)), "{err:?}");
    assert!(
        err.to_string().contains(&nodes.display().to_string()),
        "{err}"
    );

    // A Parquet file of another table.
    std::fs::copy(dir.join("hierarchies.parquet"), &nodes).unwrap();
    let err = rt
        .block_on(tables::register_parquet(&SessionContext::new(), &dir))
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        format!(
            "{}: not the `nodes` table: expected columns id: Utf8, hierarchy_id: Utf8, parent_id: Utf8, name: Utf8, position: Int64, record: Utf8, found id: Utf8View, name: Utf8View, position: Int64, record: Utf8View",
            nodes.display()
        )
    );

    // A missing table.
    std::fs::remove_file(&nodes).unwrap();
    let err = rt
        .block_on(tables::register_parquet(&SessionContext::new(), &dir))
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        format!(
            "{}: no such file (expected the `nodes` table)",
            nodes.display()
        )
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn timestamps_beyond_nanoseconds_filter_as_in_memory() {
    // Go's zero time, the year 9999, and the very ends of the nanosecond
    // range, beside ordinary instants.
    let catalog = Catalog::from_json(
        r#"{"products":[
  {"id":"00000000-0000-4000-8000-000000000001","created_at":"0001-01-01T00:00:00Z","updated_at":"9999-12-31T23:59:59.999999999Z"},
  {"id":"00000000-0000-4000-8000-000000000002","created_at":"2024-01-01T00:00:00Z","updated_at":"2300-01-01T00:00:00Z"},
  {"id":"00000000-0000-4000-8000-000000000003","created_at":"1677-09-21T00:12:43.145224192Z","updated_at":"2262-04-11T23:47:16.854775807Z"},
  {"id":"00000000-0000-4000-8000-000000000004","created_at":"1500-06-01T00:00:00Z"},
  {"id":"00000000-0000-4000-8000-000000000005"},
  {"id":"00000000-0000-4000-8000-000000000006","created_at":"2016-12-31T23:59:60.5Z","updated_at":"2017-01-01T01:59:60.999999999+02:00"},
  {"id":"00000000-0000-4000-8000-000000000007","created_at":"2016-12-31T23:59:59.999999999Z","updated_at":"2017-01-01T00:00:00Z"}]}"#,
    )
    .unwrap();
    let rt = runtime();
    let ctx = SessionContext::new();
    tables::register(&ctx, &catalog).unwrap();
    let dir = std::env::temp_dir().join(format!("cf-df-instants-{}", std::process::id()));
    tables::export_parquet(&catalog, &dir).unwrap();
    let parquet = SessionContext::new();
    rt.block_on(tables::register_parquet(&parquet, &dir))
        .unwrap();
    let ends = [
        "1677-09-21T00:12:43.145224192Z",
        "2262-04-11T23:47:16.854775807Z",
    ];
    // Leap seconds and the nanoseconds around them.
    let leap = [
        "2016-12-31T23:59:59.999999998Z",
        "2016-12-31T23:59:59.999999999Z",
        "2016-12-31T23:59:60Z",
        "2016-12-31T23:59:60.5Z",
        "2016-12-31T23:59:60.999999999Z",
        "2017-01-01T00:00:00Z",
        "2017-01-01T00:00:00.2Z",
    ];
    let mut filters = Vec::new();
    for at in [
        "0001-01-01T00:00:00Z",
        "1600-01-01T00:00:00Z",
        "1677-09-21T00:12:43.145224193Z",
        "2000-01-01",
        "2262-04-11T23:47:16.854775806Z",
        "2290-01-01T00:00:00Z",
        "9999-12-31T23:59:59.999999999Z",
    ]
    .iter()
    .chain(&ends)
    .chain(&leap)
    {
        filters.push(format!("in(created_at,{at},2000-01-01)"));
        for op in ["eq", "gt", "ge", "lt", "le"] {
            for attribute in ["created_at", "updated_at"] {
                filters.push(format!("{op}({attribute},{at})"));
            }
        }
    }
    let mut matched = 0;
    let every = Schema::every_operator();
    for text in &filters {
        let filter = CompilerBuilder::new()
            .schema(every.clone())
            .limits(LIMITS)
            .build()
            .compile(text)
            .unwrap();
        let want = in_memory(&catalog, &filter);
        for (name, ctx) in [("memory", &ctx), ("parquet", &parquet)] {
            let got = rt.block_on(select_ids(ctx, &filter)).unwrap();
            assert_eq!(got, want, "{name}: {text}: {}", to_expr(&filter));
        }
        matched += usize::from(!want.is_empty());
    }
    assert!(
        matched >= filters.len() / 2,
        "{matched} of {}",
        filters.len()
    );
    // is_null sees a clamped instant as present.
    let filter = CompilerBuilder::new()
        .schema(Schema::every_operator())
        .limits(LIMITS)
        .build()
        .compile("is_null(updated_at)")
        .unwrap();
    let got = rt.block_on(select_ids(&parquet, &filter)).unwrap();
    assert_eq!(got, in_memory(&catalog, &filter));
    assert_eq!(got.len(), 2);
    // Instants inside the range are native literals; the ends of the
    // range and beyond go to the evaluator.
    assert_eq!(
        to_expr(&compile("gt(updated_at,2290-01-01T00:00:00Z)").unwrap()).to_string(),
        "catalog_filter_condition_0(record)"
    );
    assert_eq!(
        to_expr(&compile(&format!("lt(created_at,{})", ends[0])).unwrap()).to_string(),
        "catalog_filter_condition_0(record)"
    );
    // Nothing lost: the snapshot comes back as the catalog writes it.
    let mut text = Vec::new();
    rt.block_on(tables::write_json(&parquet, &mut text))
        .unwrap();
    assert_eq!(String::from_utf8(text).unwrap(), catalog.to_json());
    let _ = std::fs::remove_dir_all(&dir);
}

/// The sample catalog's tables, exported to a fresh directory `name`.
fn sample_tables(name: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("cf-df-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let text = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/examples/data/catalog.json"
    ))
    .unwrap();
    tables::export_parquet(&Catalog::from_json(&text).unwrap(), &dir).unwrap();
    dir
}

/// Registers `dir`, selects and plans a detach on it: the first error, or
/// `Ok` when everything answered.
fn read_all(rt: &tokio::runtime::Runtime, dir: &std::path::Path) -> Result<(), Error> {
    use catalog_filter::datafusion::detach;
    use catalog_filter::elasticpath::detach::DetachNodesRequest;
    let ctx = SessionContext::new();
    rt.block_on(async {
        tables::register_parquet(&ctx, dir).await?;
        select_ids(&ctx, &compile("like(name,*e*)").unwrap()).await?;
        let request = DetachNodesRequest::new("eq(status,live)", ["node-books"]);
        // An envelope (a 4xx or the 500) is an answer too.
        let _answer = detach::plan(&ctx, &request, &Limits::DEFAULT).await?;
        tables::write_json(&ctx, &mut Vec::new()).await
    })
}

#[test]
fn corrupt_files_that_make_the_reader_panic_are_errors_naming_them() {
    let rt = runtime();
    for table in ["products", "product_nodes"] {
        let dir = sample_tables(&format!("corrupt-{table}"));
        let file = dir.join(format!("{table}.parquet"));
        std::fs::copy(
            format!(
                "{}/tests/data/parquet/corrupt-{table}.parquet",
                env!("CARGO_MANIFEST_DIR")
            ),
            &file,
        )
        .unwrap();
        let err = read_all(&rt, &dir).unwrap_err();
        let text = err.to_string();
        assert!(
            matches!(err, Error::Panicked { .. } | Error::Query { .. }),
            "{table}: {err:?}"
        );
        assert!(text.contains(&file.display().to_string()), "{text}");
        let _ = std::fs::remove_dir_all(&dir);
    }
}

#[test]
fn bytes_flipped_anywhere_in_any_table_are_answered_never_a_panic() {
    let rt = runtime();
    let dir = sample_tables("flipped");
    let (mut failed, mut tried) = (0, 0);
    for table in catalog_filter::datafusion::tables::TABLES {
        let file = dir.join(format!("{table}.parquet"));
        let good = std::fs::read(&file).unwrap();
        let mut rng = SplitMix64::new(table.len() as u64);
        for _ in 0..40 {
            let mut bad = good.clone();
            // 1 to 16 bytes, anywhere but the magic numbers at either end.
            for _ in 0..=rng.below(16) {
                let at = 4 + rng.below(good.len() - 8);
                if let Some(b) = bad.get_mut(at) {
                    *b = rng.below(256) as u8;
                }
            }
            std::fs::write(&file, &bad).unwrap();
            tried += 1;
            if let Err(e) = read_all(&rt, &dir) {
                failed += 1;
                // Every error says which file (or table) it is about.
                let text = e.to_string();
                assert!(
                    text.contains(&dir.display().to_string()) || text.contains(table),
                    "{table}: {text}"
                );
            }
        }
        std::fs::write(&file, &good).unwrap();
    }
    assert!(read_all(&rt, &dir).is_ok());
    // Most corruptions are noticed (Parquet has no checksums by default, so
    // some flips in text pass as other text).
    assert!(failed >= tried / 4, "{failed} of {tried} failed");
    let _ = std::fs::remove_dir_all(&dir);
}
