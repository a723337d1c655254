//! The Arrow layout of a catalog, and its tables in DataFusion and in
//! Parquet files.
//!
//! | table | columns |
//! |---|---|
//! | `products` | `id` (UUID text), `sku`, `slug`, `name`, `upc_ean`, `manufacturer_part_num`, `description`, `external_ref`, `status`, `commodity_type`, `owner` (text; enumerations by their lower-case names), `product_types`, `tags`, `templates` (lists of text, empty when absent), `parent_id` (UUID text), `created_at`, `updated_at` (UTC nanosecond timestamps, clamped to the range), `node_count` (the length of `node_ids`: what `has_nodes` reads), `free_form` (a map from each extension, shopper and admin attribute's path, `extensions.<template>.<field>`, to its value's JSON text), `position`, `record` |
//! | `product_nodes` | `product_id` (UUID text), `node_id`, `ordinal` (the position in the product's `node_ids`) |
//! | `nodes` | `id`, `hierarchy_id`, `parent_id`, `name`, `position`, `record` |
//! | `hierarchies` | `id`, `name`, `position`, `record` |
//! | `snapshot` | `part`, `text`, `array` |
//!
//! Nothing is lost: `record` is the object's JSON text as the catalog
//! writes it ([`Catalog::to_json`]: as read, whitespace outside strings
//! left out), `position` its index in the snapshot's array, and `snapshot`
//! holds the text of the snapshot around its three arrays (`text` in
//! `part` order, each followed by the array named by `array`, null after
//! the last part). [`write_json`] puts them back together: for a catalog
//! exported by [`export_parquet`], the text of [`Catalog::to_json`] byte
//! for byte. The typed columns are what filters read natively;
//! `product_nodes` is the index of memberships the detach plan joins; a
//! product's `record` always lists the same memberships
//! ([`detach::apply_to_dir`](super::detach::apply_to_dir) rewrites both).
//!
//! UUIDs are written lower-case and hyphenated, so their text order is the
//! order of their bytes (as [`uuid::Uuid`] and PostgreSQL order them).
//! Absent values are nulls. A timestamp outside the nanosecond range
//! (before 1677 or after 2262) is clamped to the range's end in its column
//! (comparisons still answer as in memory; the record keeps its text).
//!
//! [`register`] puts the tables of a catalog in a
//! [`SessionContext`] as in-memory tables; [`export_parquet`] writes them to
//! `DIR/<table>.parquet` and [`register_parquet`] registers such a
//! directory, checking that each file exists and has the layout's columns.

use super::Error;
use crate::catalog::Catalog;
use crate::json;
use crate::schema::ProductField;
use ::datafusion::arrow::array::{Array, AsArray};
use ::datafusion::arrow::array::{
    ArrayRef, Int32Array, Int32Builder, Int64Array, ListBuilder, MapBuilder, RecordBatch,
    StringArray, StringBuilder, TimestampNanosecondBuilder,
};
use ::datafusion::arrow::compute::cast;
use ::datafusion::arrow::datatypes::{DataType, Field, Schema, SchemaRef, TimeUnit};
use ::datafusion::common::config::TableParquetOptions;
use ::datafusion::datasource::MemTable;
use ::datafusion::parquet::arrow::ArrowWriter;
use ::datafusion::parquet::basic::Compression;
use ::datafusion::prelude::col;
use ::datafusion::prelude::{ParquetReadOptions, SessionContext};
use serde::de::{self, MapAccess, Visitor};
use serde_json::value::RawValue;
use std::fmt;
use std::io::Write;
use std::path::Path;
use std::sync::{Arc, LazyLock};

/// The tables, in the order they are written.
pub const TABLES: [&str; 5] = [
    "products",
    "product_nodes",
    "nodes",
    "hierarchies",
    "snapshot",
];

/// The arrays of a snapshot that are tables of their own.
const ARRAYS: [&str; 3] = ["hierarchies", "nodes", "products"];

fn text(name: &str, nullable: bool) -> Field {
    Field::new(name, DataType::Utf8, nullable)
}

fn list(name: &str) -> Field {
    Field::new(
        name,
        DataType::List(Arc::new(Field::new("item", DataType::Utf8, true))),
        false,
    )
}

fn position() -> Field {
    Field::new("position", DataType::Int64, false)
}

fn timestamp(name: &str) -> Field {
    Field::new(
        name,
        DataType::Timestamp(TimeUnit::Nanosecond, Some("UTC".into())),
        true,
    )
}

/// The type of `products.free_form`: a map from a free-form attribute's
/// path to its value's JSON text.
fn free_form_type() -> DataType {
    MapBuilder::new(None, StringBuilder::new(), StringBuilder::new())
        .finish()
        .data_type()
        .clone()
}

/// Appends the product's free-form values to `map` as
/// `extensions.<template>.<field>`, `shopper_attributes.<field>` and
/// `admin_attributes.<field>` -> the value's JSON text (a number as
/// written). Only the values a filter can name are kept: a template, or a
/// shopper or admin field, with a `.` in its name is named by no path
/// (the evaluator reads a path's second segment as the template or the
/// field), and is left out, so that its key cannot stand for another.
fn free_form(
    p: &crate::catalog::Product,
    map: &mut MapBuilder<StringBuilder, StringBuilder>,
) -> Result<(), Error> {
    let arrow = |e: ::datafusion::arrow::error::ArrowError| Error::Arrow {
        table: "products",
        source: e,
    };
    let mut put = |key: String, value: &json::AttributeValue| -> Result<(), Error> {
        let text = serde_json::to_string(value).map_err(|e| {
            arrow(::datafusion::arrow::error::ArrowError::ExternalError(
                Box::new(e),
            ))
        })?;
        map.keys().append_value(key);
        map.values().append_value(text);
        Ok(())
    };
    for (template, fields) in p.extensions.iter().filter(|(t, _)| !t.contains('.')) {
        for (field, value) in fields.iter() {
            put(format!("extensions.{template}.{field}"), value)?;
        }
    }
    for (prefix, fields) in [
        ("shopper_attributes", &p.shopper_attributes),
        ("admin_attributes", &p.admin_attributes),
    ] {
        for (field, value) in fields.iter().filter(|(f, _)| !f.contains('.')) {
            put(format!("{prefix}.{field}"), value)?;
        }
    }
    map.append(true).map_err(arrow)
}

/// The Arrow schema of a table of the layout (`None` for another name).
pub fn table_schema(table: &str) -> Option<SchemaRef> {
    static SCHEMAS: LazyLock<[SchemaRef; 5]> = LazyLock::new(|| {
        let mut products = vec![text("id", false)];
        products.extend(
            ProductField::SCALAR_TEXT
                .iter()
                .map(|f| text(f.pattern(), true)),
        );
        products.extend([
            list("product_types"),
            list("tags"),
            list("templates"),
            text("parent_id", true),
            timestamp("created_at"),
            timestamp("updated_at"),
            Field::new("node_count", DataType::Int32, false),
            Field::new("free_form", free_form_type(), false),
            position(),
            text("record", false),
        ]);
        [
            Arc::new(Schema::new(products)),
            Arc::new(Schema::new(vec![
                text("product_id", false),
                text("node_id", false),
                Field::new("ordinal", DataType::Int32, false),
            ])),
            Arc::new(Schema::new(vec![
                text("id", false),
                text("hierarchy_id", false),
                text("parent_id", true),
                text("name", true),
                position(),
                text("record", false),
            ])),
            Arc::new(Schema::new(vec![
                text("id", false),
                text("name", true),
                position(),
                text("record", false),
            ])),
            Arc::new(Schema::new(vec![
                Field::new("part", DataType::Int32, false),
                text("text", false),
                text("array", true),
            ])),
        ]
    });
    let i = TABLES.iter().position(|t| *t == table)?;
    SCHEMAS.get(i).cloned()
}

/// A catalog's tables as Arrow record batches, in [`TABLES`] order.
#[derive(Clone, Debug)]
pub struct CatalogBatches {
    /// `products`.
    pub products: RecordBatch,
    /// `product_nodes`.
    pub product_nodes: RecordBatch,
    /// `nodes`.
    pub nodes: RecordBatch,
    /// `hierarchies`.
    pub hierarchies: RecordBatch,
    /// `snapshot`.
    pub snapshot: RecordBatch,
}

impl CatalogBatches {
    /// The batches with their table names, in [`TABLES`] order.
    pub fn tables(&self) -> [(&'static str, &RecordBatch); 5] {
        [
            ("products", &self.products),
            ("product_nodes", &self.product_nodes),
            ("nodes", &self.nodes),
            ("hierarchies", &self.hierarchies),
            ("snapshot", &self.snapshot),
        ]
    }
}

fn batch(table: &'static str, columns: Vec<ArrayRef>) -> Result<RecordBatch, Error> {
    let schema = table_schema(table).ok_or(Error::Arrow {
        table,
        source: ::datafusion::arrow::error::ArrowError::SchemaError(format!("no table `{table}`")),
    })?;
    RecordBatch::try_new(schema, columns).map_err(|source| Error::Arrow { table, source })
}

/// An instant as the nanoseconds its Arrow column holds, so that the
/// column orders like the instants against every filter instant a native
/// comparison uses ([`super::expr`] leaves the others to the evaluator):
///
/// - inside Arrow's range, exact;
/// - outside it (before 1677-09-21 or after 2262-04-11: Go's zero time
///   `0001-01-01`, a far-future `9999-12-31`), clamped to the end it
///   passed, `i64::MIN` or `i64::MAX` (no native literal is an end);
/// - a leap second (`23:59:60.5`), as the last nanosecond before the next
///   second (`23:59:59.999999999`), which sorts like it against every
///   instant but that one (no native literal is the last nanosecond of a
///   second).
///
/// The `record` keeps the text as written.
pub(super) fn column_nanos<Tz: chrono::TimeZone>(t: &chrono::DateTime<Tz>) -> i64 {
    let subsec = t.timestamp_subsec_nanos().min(999_999_999);
    // In i128, then narrowed: exact at the range's ends.
    let n = i128::from(t.timestamp()) * 1_000_000_000 + i128::from(subsec);
    i64::try_from(n).unwrap_or(if n < 0 { i64::MIN } else { i64::MAX })
}

fn products(catalog: &Catalog, records: &[&str]) -> Result<RecordBatch, Error> {
    let n = catalog.products().len();
    let mut id = StringBuilder::with_capacity(n, n * 36);
    let mut texts: Vec<StringBuilder> = ProductField::SCALAR_TEXT
        .iter()
        .map(|_| StringBuilder::new())
        .collect();
    let mut lists: [ListBuilder<StringBuilder>; 3] =
        std::array::from_fn(|_| ListBuilder::new(StringBuilder::new()));
    let mut parent = StringBuilder::new();
    let mut created = TimestampNanosecondBuilder::with_capacity(n).with_timezone("UTC");
    let mut updated = TimestampNanosecondBuilder::with_capacity(n).with_timezone("UTC");
    let mut record = StringBuilder::new();
    let mut node_count = Int32Builder::with_capacity(n);
    let mut free_forms = MapBuilder::new(None, StringBuilder::new(), StringBuilder::new());
    let mut uuid = uuid::Uuid::encode_buffer();
    for (p, json) in catalog.products().iter().zip(records) {
        id.append_value(p.id.hyphenated().encode_lower(&mut uuid));
        for (&field, builder) in ProductField::SCALAR_TEXT.iter().zip(&mut texts) {
            builder.append_option(p.scalar_text(field));
        }
        let [types, tags, templates] = &mut lists;
        for t in &p.product_types {
            types.values().append_value(t.as_str());
        }
        types.append(true);
        for t in &p.tags {
            tags.values().append_value(t.as_str());
        }
        tags.append(true);
        for t in &p.templates {
            templates.values().append_value(t.as_str());
        }
        templates.append(true);
        parent.append_option(
            p.parent_id
                .map(|u| u.hyphenated().encode_lower(&mut uuid).to_owned()),
        );
        created.append_option(p.created_at.as_ref().map(column_nanos));
        updated.append_option(p.updated_at.as_ref().map(column_nanos));
        record.append_value(json);
        node_count.append_value(i32::try_from(p.node_ids.len()).unwrap_or(i32::MAX));
        free_form(p, &mut free_forms)?;
    }
    let mut columns: Vec<ArrayRef> = vec![Arc::new(id.finish())];
    columns.extend(texts.iter_mut().map(|b| Arc::new(b.finish()) as ArrayRef));
    columns.extend(lists.iter_mut().map(|b| Arc::new(b.finish()) as ArrayRef));
    columns.push(Arc::new(parent.finish()));
    columns.push(Arc::new(created.finish()));
    columns.push(Arc::new(updated.finish()));
    columns.push(Arc::new(node_count.finish()));
    columns.push(Arc::new(free_forms.finish()));
    columns.push(positions(n));
    columns.push(Arc::new(record.finish()));
    batch("products", columns)
}

fn product_nodes(catalog: &Catalog) -> Result<RecordBatch, Error> {
    let mut product = StringBuilder::new();
    let mut node = StringBuilder::new();
    let mut ordinal = Int32Builder::new();
    let mut uuid = uuid::Uuid::encode_buffer();
    for p in catalog.products() {
        let id = p.id.hyphenated().encode_lower(&mut uuid);
        for (i, n) in p.node_ids.iter().enumerate() {
            product.append_value(&*id);
            node.append_value(n.as_str());
            ordinal.append_value(i32::try_from(i).unwrap_or(i32::MAX));
        }
    }
    batch(
        "product_nodes",
        vec![
            Arc::new(product.finish()),
            Arc::new(node.finish()),
            Arc::new(ordinal.finish()),
        ],
    )
}

fn nodes(catalog: &Catalog, records: &[&str]) -> Result<RecordBatch, Error> {
    let mut id = StringBuilder::new();
    let mut hierarchy = StringBuilder::new();
    let mut parent = StringBuilder::new();
    let mut name = StringBuilder::new();
    for n in catalog.nodes() {
        id.append_value(&n.id);
        hierarchy.append_value(&n.hierarchy_id);
        parent.append_option(n.parent_id.as_deref());
        name.append_option(n.name.as_deref());
    }
    batch(
        "nodes",
        vec![
            Arc::new(id.finish()),
            Arc::new(hierarchy.finish()),
            Arc::new(parent.finish()),
            Arc::new(name.finish()),
            positions(catalog.nodes().len()),
            Arc::new(StringArray::from(records.to_vec())),
        ],
    )
}

fn hierarchies(catalog: &Catalog, records: &[&str]) -> Result<RecordBatch, Error> {
    let mut id = StringBuilder::new();
    let mut name = StringBuilder::new();
    for h in catalog.hierarchies() {
        id.append_value(&h.id);
        name.append_option(h.name.as_deref());
    }
    batch(
        "hierarchies",
        vec![
            Arc::new(id.finish()),
            Arc::new(name.finish()),
            positions(catalog.hierarchies().len()),
            Arc::new(StringArray::from(records.to_vec())),
        ],
    )
}

fn positions(n: usize) -> ArrayRef {
    Arc::new(Int64Array::from_iter_values(
        (0..n).map(|i| i64::try_from(i).unwrap_or(i64::MAX)),
    ))
}

/// A snapshot's text cut around its three arrays: the parts between them
/// (each followed by the array it names, `None` after the last), and each
/// array's elements, as [`ARRAYS`].
struct Cut<'t> {
    parts: Vec<(&'t str, Option<&'static str>)>,
    elements: [Vec<&'t str>; 3],
}

/// Cuts `text` (a snapshot object) around its arrays.
fn cut(text: &str) -> Result<Cut<'_>, Error> {
    struct Members;
    impl<'de> Visitor<'de> for Members {
        type Value = Vec<(String, &'de RawValue)>;
        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("a snapshot object")
        }
        fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
            let mut members = Vec::new();
            while let Some(key) = map.next_key::<String>()? {
                members.push((key, map.next_value::<&'de RawValue>()?));
            }
            Ok(members)
        }
    }
    let bad = |e: serde_json::Error| Error::Arrow {
        table: "snapshot",
        source: ::datafusion::arrow::error::ArrowError::ExternalError(Box::new(e)),
    };
    let mut de = serde_json::Deserializer::from_str(text);
    let members = de::Deserializer::deserialize_map(&mut de, Members).map_err(bad)?;
    let mut cut = Cut {
        parts: Vec::new(),
        elements: Default::default(),
    };
    let mut at = 0;
    for (key, value) in members {
        let Some(i) = ARRAYS.iter().position(|a| *a == key) else {
            continue;
        };
        let (Some(span), Some(array), Some(elements)) = (
            json::span_in(text, value.get()),
            ARRAYS.get(i),
            cut.elements.get_mut(i),
        ) else {
            continue;
        };
        *elements = serde_json::from_str::<Vec<&RawValue>>(value.get())
            .map_err(bad)?
            .into_iter()
            .map(RawValue::get)
            .collect();
        cut.parts
            .push((text.get(at..span.start).unwrap_or_default(), Some(array)));
        at = span.end;
    }
    cut.parts.push((text.get(at..).unwrap_or_default(), None));
    Ok(cut)
}

fn snapshot(cut: &Cut<'_>) -> Result<RecordBatch, Error> {
    let parts = cut.parts.len();
    batch(
        "snapshot",
        vec![
            Arc::new(Int32Array::from_iter_values(
                (0..parts).map(|i| i32::try_from(i).unwrap_or(i32::MAX)),
            )),
            Arc::new(StringArray::from_iter_values(
                cut.parts.iter().map(|(t, _)| *t),
            )),
            Arc::new(StringArray::from_iter(cut.parts.iter().map(|(_, a)| *a))),
        ],
    )
}

/// The catalog's tables as Arrow record batches.
pub fn catalog_batches(catalog: &Catalog) -> Result<CatalogBatches, Error> {
    let json = catalog.to_json();
    let cut = cut(&json)?;
    let [hierarchy_records, node_records, product_records] = &cut.elements;
    // The arrays' elements are the catalog's objects, in its order.
    let counts = [
        (catalog.hierarchies().len(), hierarchy_records.len()),
        (catalog.nodes().len(), node_records.len()),
        (catalog.products().len(), product_records.len()),
    ];
    if let Some((table, (want, got))) = ARRAYS.iter().zip(counts).find(|(_, (w, g))| w != g) {
        return Err(Error::Arrow {
            table,
            source: ::datafusion::arrow::error::ArrowError::InvalidArgumentError(format!(
                "the catalog has {want} {table} but its text {got}"
            )),
        });
    }
    Ok(CatalogBatches {
        products: products(catalog, product_records)?,
        product_nodes: product_nodes(catalog)?,
        nodes: nodes(catalog, node_records)?,
        hierarchies: hierarchies(catalog, hierarchy_records)?,
        snapshot: snapshot(&cut)?,
    })
}

/// Registers the catalog's tables in `ctx` as in-memory tables named
/// as in [`TABLES`] (replacing tables of those names).
pub fn register(ctx: &SessionContext, catalog: &Catalog) -> Result<(), Error> {
    register_batches(ctx, &catalog_batches(catalog)?)
}

/// Registers batches made by [`catalog_batches`] in `ctx` as in-memory
/// tables (replacing tables of those names).
pub fn register_batches(ctx: &SessionContext, batches: &CatalogBatches) -> Result<(), Error> {
    for (table, batch) in batches.tables() {
        let provider = MemTable::try_new(batch.schema(), vec![vec![batch.clone()]])?;
        ctx.deregister_table(table)?;
        ctx.register_table(table, Arc::new(provider))?;
    }
    Ok(())
}

/// Writes the catalog's tables to `dir/<table>.parquet` (creating
/// `dir` if needed, replacing files of those names).
pub fn export_parquet(catalog: &Catalog, dir: &Path) -> Result<(), Error> {
    let batches = catalog_batches(catalog)?;
    std::fs::create_dir_all(dir).map_err(|source| Error::Io {
        path: dir.to_owned(),
        source,
    })?;
    for (table, batch) in batches.tables() {
        write_batch(batch, &dir.join(format!("{table}.parquet")))?;
    }
    // A partitioned export there before would be read instead.
    super::partition::remove_partitioned(dir)
}

/// The rows of a row group in the files written here: a reader or writer
/// holds a row group's column chunks in memory, so they bound the memory
/// of a scan or a write (the default, 1M rows, would make a partition of
/// products, about 560 bytes each with its JSON text, one buffer).
pub(super) const ROW_GROUP_ROWS: usize = 16 * 1024;

/// The compression of every file written here (the export and both
/// detaches' outputs): zstd at level 1. The export wrote no compression
/// and the detaches DataFusion's default, zstd at level 3: on the 1M
/// catalog of `benches/detach_dir.sh`, zstd(3) spent about a quarter of
/// the detach's CPU compressing (4.35-5.91 s, 160 MB written); zstd(1)
/// wrote 163 MB in 3.95 s, LZ4 270 MB in 4.04 s, none 543 MB in 4.27 s
/// (one run each, load 7.5).
pub(super) const COMPRESSION: &str = "zstd(1)";

/// The options DataFusion writes this module's files with: row groups
/// of [`ROW_GROUP_ROWS`] rows, [`COMPRESSION`].
pub(super) fn parquet_options() -> TableParquetOptions {
    let mut options = TableParquetOptions::default();
    options.global.max_row_group_size = ROW_GROUP_ROWS;
    options.global.compression = Some(COMPRESSION.to_owned());
    options
}

/// Writes `batch` as the Parquet file `path`, replacing it: written to a
/// new file beside it, then renamed over it, so a link at `path` is
/// replaced, never written through (it may point at an input), and a
/// crash leaves the old file or the new one, never half of one.
pub(super) fn write_batch(batch: &RecordBatch, path: &Path) -> Result<(), Error> {
    let io = |source| Error::Io {
        path: path.to_owned(),
        source,
    };
    let mut partial = path.as_os_str().to_owned();
    partial.push(".partial");
    let partial = std::path::PathBuf::from(partial);
    // A leftover of a crashed write goes; `create_new` then never opens
    // through a link.
    let _ = std::fs::remove_file(&partial);
    let file = std::fs::File::options()
        .write(true)
        .create_new(true)
        .open(&partial)
        .map_err(io)?;
    let parquet = |source| Error::Parquet {
        path: path.to_owned(),
        source,
    };
    // `COMPRESSION` parses (a unit test checks it).
    let compression = COMPRESSION.parse().unwrap_or(Compression::UNCOMPRESSED);
    let properties = ::datafusion::parquet::file::properties::WriterProperties::builder()
        .set_max_row_group_row_count(Some(ROW_GROUP_ROWS))
        .set_compression(compression)
        .build();
    let mut writer =
        ArrowWriter::try_new(file, batch.schema(), Some(properties)).map_err(parquet)?;
    writer.write(batch).map_err(parquet)?;
    writer.close().map_err(parquet)?;
    std::fs::rename(&partial, path).map_err(io)
}

fn columns(schema: &Schema) -> String {
    schema
        .fields()
        .iter()
        .map(|f| format!("{}: {}", f.name(), f.data_type()))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Registers the tables of `dir` (as [`export_parquet`] or
/// [`export_parquet_partitioned`](super::partition::export_parquet_partitioned)
/// writes them) in `ctx`; a partitioned table is read from all its
/// files. A missing file is [`Error::MissingTable`], a file with other
/// columns [`Error::WrongSchema`], a file that is not Parquet
/// [`Error::DataFusion`] (with DataFusion's reason), a file whose bytes
/// make the Parquet reader panic [`Error::Panicked`], each naming the file.
pub async fn register_parquet(ctx: &SessionContext, dir: &Path) -> Result<(), Error> {
    // The partitions of the large tables pair up (or the single files are there).
    super::partition::parts(dir)?;
    for table in TABLES {
        let path = super::partition::table_path(dir, table);
        if !path.exists() {
            return Err(Error::MissingTable { table, path });
        }
        let Some(location) = path.to_str() else {
            return Err(Error::Io {
                path,
                source: std::io::Error::new(std::io::ErrorKind::InvalidInput, "not UTF-8"),
            });
        };
        ctx.deregister_table(table)?;
        // Reading the footer can panic on corrupt bytes: caught, naming the file.
        super::guard::guarded_file(&path, async {
            ctx.register_parquet(table, location, ParquetReadOptions::default())
                .await
                .map_err(|e| {
                    Error::DataFusion(::datafusion::error::DataFusionError::Context(
                        path.display().to_string(),
                        Box::new(e),
                    ))
                })
        })
        .await?;
        let found = ctx.table(table).await?.schema().as_arrow().clone();
        let expected = table_schema(table).unwrap_or_else(|| Arc::new(Schema::empty()));
        // DataFusion reads Parquet text as `Utf8View` (the same values).
        let same_type = |found: &DataType, expected: &DataType| {
            found == expected || (*found == DataType::Utf8View && *expected == DataType::Utf8)
        };
        let same = found.fields().len() == expected.fields().len()
            && found
                .fields()
                .iter()
                .zip(expected.fields())
                .all(|(f, e)| f.name() == e.name() && same_type(f.data_type(), e.data_type()));
        if !same {
            ctx.deregister_table(table)?;
            return Err(Error::WrongSchema {
                table,
                path,
                expected: columns(&expected),
                found: columns(&found),
            });
        }
    }
    Ok(())
}

/// Writes the snapshot the tables of `ctx` hold as JSON to `out`: the
/// `snapshot` parts with each array's records between them, in `position`
/// order. For tables written by [`export_parquet`] (and after
/// [`detach::apply_to_dir`](super::detach::apply_to_dir)) this is the
/// text [`Catalog::to_json`] writes for the same catalog. The records are
/// collected in memory, one table at a time.
///
/// A failure reading the tables' files is [`Error::Query`] (or
/// [`Error::Panicked`]), naming them.
pub async fn write_json(ctx: &SessionContext, out: &mut dyn Write) -> Result<(), Error> {
    super::guard::guarded(ctx, &TABLES, write_json_unguarded(ctx, out)).await
}

/// [`write_json`], unguarded.
async fn write_json_unguarded(ctx: &SessionContext, out: &mut dyn Write) -> Result<(), Error> {
    let parts = ctx
        .table("snapshot")
        .await?
        .sort(vec![col("part").sort(true, false)])?
        .collect()
        .await?;
    for batch in &parts {
        let texts = text_column(batch, "text")?;
        let arrays = text_column(batch, "array")?;
        for i in 0..batch.num_rows() {
            let text = texts.value(i);
            out.write_all(text.as_bytes()).map_err(Error::Write)?;
            if arrays.is_null(i) {
                continue;
            }
            let array = arrays.value(i);
            let Some(table) = ARRAYS.iter().find(|a| **a == array) else {
                return Err(Error::BadSnapshot(format!(
                    "part {i} names `{array}`, not one of {}",
                    ARRAYS.join(", ")
                )));
            };
            write_records(ctx, table, out).await?;
        }
    }
    Ok(())
}

/// Writes the `record`s of `table` in `position` order as a JSON array.
async fn write_records(
    ctx: &SessionContext,
    table: &str,
    out: &mut dyn Write,
) -> Result<(), Error> {
    let batches = ctx
        .table(table)
        .await?
        .select_columns(&["position", "record"])?
        .sort(vec![col("position").sort(true, false)])?
        .collect()
        .await?;
    out.write_all(b"[").map_err(Error::Write)?;
    let mut first = true;
    for batch in &batches {
        let records = text_column(batch, "record")?;
        for record in records.iter() {
            if !first {
                out.write_all(b",").map_err(Error::Write)?;
            }
            first = false;
            out.write_all(record.unwrap_or("null").as_bytes())
                .map_err(Error::Write)?;
        }
    }
    out.write_all(b"]").map_err(Error::Write)
}

/// The column `name` of `batch` as UTF-8 text (Parquet's `Utf8View` cast).
fn text_column(batch: &RecordBatch, name: &str) -> Result<StringArray, Error> {
    let column = batch
        .column_by_name(name)
        .ok_or_else(|| Error::BadSnapshot(format!("no column `{name}`")))?;
    let column = cast(column, &DataType::Utf8).map_err(|source| Error::Arrow {
        table: "query",
        source,
    })?;
    column
        .as_string_opt::<i32>()
        .cloned()
        .ok_or_else(|| Error::BadSnapshot(format!("column `{name}` is not text")))
}

#[cfg(test)]
mod tests {
    use super::*;
    use ::datafusion::parquet::basic::ZstdLevel;

    /// The compression named once parses to zstd at level 1 (the
    /// fallback of `write_batch` is never taken).
    #[test]
    fn compression_is_zstd_level_1() {
        let parsed: Result<Compression, _> = COMPRESSION.parse();
        let level = ZstdLevel::try_new(1).ok();
        assert_eq!(parsed.ok(), level.map(Compression::ZSTD));
    }
}
