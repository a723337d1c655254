//! The Arrow layout of a catalog, and its tables in DataFusion and in
//! Parquet files.
//!
//! | table | columns |
//! |---|---|
//! | `products` | `id` (UUID text), `sku`, `slug`, `name`, `upc_ean`, `manufacturer_part_num`, `description`, `external_ref`, `status`, `commodity_type`, `owner` (text; enumerations by their lower-case names), `product_types`, `tags`, `templates` (lists of text, empty when absent), `parent_id` (UUID text), `created_at`, `updated_at` (UTC nanosecond timestamps), `record` (the product as JSON) |
//! | `product_nodes` | `product_id` (UUID text), `node_id`, `ordinal` (the position in the product's `node_ids`) |
//! | `nodes` | `id`, `hierarchy_id`, `parent_id`, `name` |
//! | `hierarchies` | `id`, `name` |
//!
//! UUIDs are written lower-case and hyphenated, so their text order is the
//! order of their bytes (as [`uuid::Uuid`] and PostgreSQL order them).
//! Absent values are nulls; a timestamp outside the nanosecond range
//! (before 1677 or after 2262) is [`Error::TimestampOutOfRange`].
//!
//! [`register`] puts the four tables of a catalog in a
//! [`SessionContext`] as in-memory tables; [`export_parquet`] writes them to
//! `DIR/<table>.parquet` and [`register_parquet`] registers such a
//! directory, checking that each file exists and has the layout's columns.

use super::Error;
use crate::catalog::{Catalog, Product};
use ::datafusion::arrow::array::{
    ArrayRef, Int32Builder, ListBuilder, RecordBatch, StringBuilder, TimestampNanosecondBuilder,
};
use ::datafusion::arrow::datatypes::{DataType, Field, Schema, SchemaRef, TimeUnit};
use ::datafusion::datasource::MemTable;
use ::datafusion::parquet::arrow::ArrowWriter;
use ::datafusion::prelude::{ParquetReadOptions, SessionContext};
use std::path::Path;
use std::sync::{Arc, LazyLock};

/// The four tables, in the order they are written.
pub const TABLES: [&str; 4] = ["products", "product_nodes", "nodes", "hierarchies"];

/// The text columns of `products`, in layout order, with their reader.
type TextColumn = (&'static str, fn(&Product) -> Option<&str>);

const TEXT_COLUMNS: [TextColumn; 10] = [
    ("sku", |p| p.sku.as_deref()),
    ("slug", |p| p.slug.as_deref()),
    ("name", |p| p.name.as_deref()),
    ("upc_ean", |p| p.upc_ean.as_deref()),
    ("manufacturer_part_num", |p| {
        p.manufacturer_part_num.as_deref()
    }),
    ("description", |p| p.description.as_deref()),
    ("external_ref", |p| p.external_ref.as_deref()),
    ("status", |p| p.status.map(|v| v.as_str())),
    ("commodity_type", |p| p.commodity_type.map(|v| v.as_str())),
    ("owner", |p| p.owner.map(|v| v.as_str())),
];

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

fn timestamp(name: &str) -> Field {
    Field::new(
        name,
        DataType::Timestamp(TimeUnit::Nanosecond, Some("UTC".into())),
        true,
    )
}

/// The Arrow schema of a table of the layout (`None` for another name).
pub fn table_schema(table: &str) -> Option<SchemaRef> {
    static SCHEMAS: LazyLock<[SchemaRef; 4]> = LazyLock::new(|| {
        let mut products = vec![text("id", false)];
        products.extend(TEXT_COLUMNS.iter().map(|(name, _)| text(name, true)));
        products.extend([
            list("product_types"),
            list("tags"),
            list("templates"),
            text("parent_id", true),
            timestamp("created_at"),
            timestamp("updated_at"),
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
            ])),
            Arc::new(Schema::new(vec![text("id", false), text("name", true)])),
        ]
    });
    let i = TABLES.iter().position(|t| *t == table)?;
    SCHEMAS.get(i).cloned()
}

/// A catalog's four tables as Arrow record batches, in [`TABLES`] order.
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
}

impl CatalogBatches {
    /// The batches with their table names, in [`TABLES`] order.
    pub fn tables(&self) -> [(&'static str, &RecordBatch); 4] {
        [
            ("products", &self.products),
            ("product_nodes", &self.product_nodes),
            ("nodes", &self.nodes),
            ("hierarchies", &self.hierarchies),
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

fn nanos(p: &Product, attribute: &'static str) -> Result<Option<i64>, Error> {
    let t = match attribute {
        "created_at" => p.created_at,
        _ => p.updated_at,
    };
    t.map(|t| {
        t.timestamp_nanos_opt().ok_or(Error::TimestampOutOfRange {
            product: p.id,
            attribute,
        })
    })
    .transpose()
}

fn products(catalog: &Catalog) -> Result<RecordBatch, Error> {
    let n = catalog.products().len();
    let mut id = StringBuilder::with_capacity(n, n * 36);
    let mut texts: Vec<StringBuilder> = TEXT_COLUMNS.iter().map(|_| StringBuilder::new()).collect();
    let mut lists: [ListBuilder<StringBuilder>; 3] =
        std::array::from_fn(|_| ListBuilder::new(StringBuilder::new()));
    let mut parent = StringBuilder::new();
    let mut created = TimestampNanosecondBuilder::with_capacity(n).with_timezone("UTC");
    let mut updated = TimestampNanosecondBuilder::with_capacity(n).with_timezone("UTC");
    let mut record = StringBuilder::new();
    let mut uuid = uuid::Uuid::encode_buffer();
    for p in catalog.products() {
        id.append_value(p.id.hyphenated().encode_lower(&mut uuid));
        for ((_, read), builder) in TEXT_COLUMNS.iter().zip(&mut texts) {
            builder.append_option(read(p));
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
        created.append_option(nanos(p, "created_at")?);
        updated.append_option(nanos(p, "updated_at")?);
        let json = serde_json::to_string(p).map_err(|e| Error::Arrow {
            table: "products",
            source: ::datafusion::arrow::error::ArrowError::ExternalError(Box::new(e)),
        })?;
        record.append_value(json);
    }
    let mut columns: Vec<ArrayRef> = vec![Arc::new(id.finish())];
    columns.extend(texts.iter_mut().map(|b| Arc::new(b.finish()) as ArrayRef));
    columns.extend(lists.iter_mut().map(|b| Arc::new(b.finish()) as ArrayRef));
    columns.push(Arc::new(parent.finish()));
    columns.push(Arc::new(created.finish()));
    columns.push(Arc::new(updated.finish()));
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

fn nodes(catalog: &Catalog) -> Result<RecordBatch, Error> {
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
        ],
    )
}

fn hierarchies(catalog: &Catalog) -> Result<RecordBatch, Error> {
    let mut id = StringBuilder::new();
    let mut name = StringBuilder::new();
    for h in catalog.hierarchies() {
        id.append_value(&h.id);
        name.append_option(h.name.as_deref());
    }
    batch(
        "hierarchies",
        vec![Arc::new(id.finish()), Arc::new(name.finish())],
    )
}

/// The catalog's four tables as Arrow record batches.
pub fn catalog_batches(catalog: &Catalog) -> Result<CatalogBatches, Error> {
    Ok(CatalogBatches {
        products: products(catalog)?,
        product_nodes: product_nodes(catalog)?,
        nodes: nodes(catalog)?,
        hierarchies: hierarchies(catalog)?,
    })
}

/// Registers the catalog's four tables in `ctx` as in-memory tables named
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

/// Writes the catalog's four tables to `dir/<table>.parquet` (creating
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
    Ok(())
}

/// Writes `batch` as the Parquet file `path` (replacing it).
pub(super) fn write_batch(batch: &RecordBatch, path: &Path) -> Result<(), Error> {
    let file = std::fs::File::create(path).map_err(|source| Error::Io {
        path: path.to_owned(),
        source,
    })?;
    let parquet = |source| Error::Parquet {
        path: path.to_owned(),
        source,
    };
    let mut writer = ArrowWriter::try_new(file, batch.schema(), None).map_err(parquet)?;
    writer.write(batch).map_err(parquet)?;
    writer.close().map_err(parquet)?;
    Ok(())
}

fn columns(schema: &Schema) -> String {
    schema
        .fields()
        .iter()
        .map(|f| format!("{}: {}", f.name(), f.data_type()))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Registers the four tables of `dir` (as [`export_parquet`] writes them)
/// in `ctx`. A missing file is [`Error::MissingTable`], a file with other
/// columns [`Error::WrongSchema`], a file that is not Parquet
/// [`Error::DataFusion`] (with DataFusion's reason), each naming the file.
pub async fn register_parquet(ctx: &SessionContext, dir: &Path) -> Result<(), Error> {
    for table in TABLES {
        let path = dir.join(format!("{table}.parquet"));
        if !path.is_file() {
            return Err(Error::MissingTable { table, path });
        }
        let Some(location) = path.to_str() else {
            return Err(Error::Io {
                path,
                source: std::io::Error::new(std::io::ErrorKind::InvalidInput, "not UTF-8"),
            });
        };
        ctx.deregister_table(table)?;
        ctx.register_parquet(table, location, ParquetReadOptions::default())
            .await
            .map_err(|e| {
                Error::DataFusion(::datafusion::error::DataFusionError::Context(
                    path.display().to_string(),
                    Box::new(e),
                ))
            })?;
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
