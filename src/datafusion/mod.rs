//! Apache DataFusion back end (feature `datafusion`): a catalog's products
//! as Arrow tables, filters as DataFusion expressions over them, and the
//! tables as Parquet files.
//!
//! - [`tables`]: the Arrow layout of a [`Catalog`](crate::catalog::Catalog)
//!   (`products`, `product_nodes`, `nodes`, `hierarchies`, `snapshot`),
//!   registering it in a
//!   [`SessionContext`](::datafusion::prelude::SessionContext), writing and
//!   registering it as Parquet files, and writing the snapshot back as JSON.
//! - [`expr`]: [`ValidFilter`](crate::ValidFilter) ->
//!   [`Expr`](::datafusion::logical_expr::Expr) over the `products` table,
//!   and [`select_ids`]: the ids of the matching products.
//! - [`detach`]: detach_nodes over the tables, answering as
//!   [`elasticpath::detach::plan`](crate::elasticpath::detach::plan) does:
//!   [`detach::detach_dir`] where the data is (the engine finds, counts and
//!   writes the removals, one partition at a time, into a new directory
//!   renamed into place), or [`detach::plan`] then [`detach::apply_to_dir`]
//!   with the removals as a list in the caller (small catalogs, tests).
//! - [`partition`]: the partitioned layout of the large tables (a product
//!   and its memberships in files of the same number), which bounds a
//!   detach's memory by a partition.
//! - [`ballista`]: the same on Ballista, DataFusion's distributed
//!   scheduler (an in-process cluster for tests and the example, and how a
//!   plan splits across machines); [`codec`]: the plan codecs that carry
//!   the crate's conditions to its executors.
//!
//! ```
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! use catalog_filter::catalog::Catalog;
//! use catalog_filter::compile;
//! use catalog_filter::datafusion::{select_ids, tables};
//! use datafusion::prelude::SessionContext;
//!
//! let catalog = Catalog::from_json(r#"{"products":[
//!   {"id":"00000000-0000-4000-8000-000000000001","sku":"book","name":"Red Book"},
//!   {"id":"00000000-0000-4000-8000-000000000002","sku":"shoe","name":"Blue Shoe"}]}"#)?;
//! let filter = compile("like(name,*Shoe)")?;
//!
//! let ctx = SessionContext::new();
//! tables::register(&ctx, &catalog)?;
//! let runtime = tokio::runtime::Builder::new_current_thread().build()?;
//! let ids = runtime.block_on(select_ids(&ctx, &filter))?;
//! let shoe: uuid::Uuid = "00000000-0000-4000-8000-000000000002".parse()?;
//! assert_eq!(ids, [shoe]);
//! # Ok(())
//! # }
//! ```
//!
//! # Meaning
//!
//! The answers are those of the in-memory evaluator ([`crate::eval`]), which
//! is the reference; `tests/datafusion_select.rs` checks them against it on
//! generated catalogs and filters. Conditions on plain columns become
//! native DataFusion expressions with typed literals (never SQL text):
//! text and enumeration `eq`/`in` and the orderings (bytewise, as Arrow
//! compares UTF-8), UUIDs as their lower-case hyphenated text (whose order
//! is the UUIDs' byte order), instants as UTC nanosecond timestamps,
//! `is_null` on a scalar column, `like` on a text column (DataFusion's
//! `starts_with`, `ends_with` and `contains` with the needle as a literal,
//! so no escaping is needed; `*` alone is `IS NOT NULL`), and on the list
//! columns `is_null` (`empty`), `eq`/`in` (`array_has`, `array_has_any`)
//! and `contains_all` (`array_has_all`), and `has_nodes` (the
//! `node_count` column). The other text tests on a text or list column
//! (`ilike`, whose Unicode case folding is the crate's, not DataFusion's
//! `lower`; `text`, the crate's word search, which DataFusion lacks;
//! `like` over a list's elements; `contains_all` on a scalar) are a scalar
//! UDF that runs the crate's evaluator over that column's values, with no
//! JSON parsed. A condition on a free-form attribute (extension, shopper
//! or admin attribute) runs the evaluator over its value alone, looked up
//! natively in the `free_form` map column (`map_extract`) and parsed (a
//! few bytes). The few left (an instant outside the nanosecond range,
//! `contains_all` on a UUID or instant) are a scalar UDF that runs the
//! crate's own evaluator on the row's `record` column (the product as
//! JSON), so it cannot mean anything else; such a condition costs a JSON
//! parse per row, native conditions run at Arrow speed.
//!
//! # Nothing lost
//!
//! The tables keep each object's JSON text and the snapshot's text around
//! its arrays, so [`tables::write_json`] gives back the text
//! [`Catalog::to_json`](crate::catalog::Catalog::to_json) writes, byte for
//! byte, and after a detach applied to new files, the text the in-memory
//! apply writes (`tests/snapshot_props.rs` checks both on generated
//! snapshots with numbers of every form and unknown members everywhere).

pub mod ballista;
pub mod codec;
pub mod detach;
pub mod expr;
mod guard;
pub mod partition;
pub mod tables;

pub use expr::{select_ids, to_expr};

use std::path::PathBuf;

/// What went wrong in the DataFusion back end.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// Building an Arrow table failed.
    #[error("building the Arrow table `{table}`: {source}")]
    Arrow {
        /// The table.
        table: &'static str,
        /// Arrow's error.
        source: ::datafusion::arrow::error::ArrowError,
    },
    /// A file could not be written or read.
    #[error("{}: {source}", path.display())]
    Io {
        /// The file.
        path: PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
    /// Writing a Parquet file failed.
    #[error("{}: {source}", path.display())]
    Parquet {
        /// The file.
        path: PathBuf,
        /// The Parquet error.
        source: ::datafusion::parquet::errors::ParquetError,
    },
    /// A table file does not exist.
    #[error("{}: no such file (expected the `{table}` table)", path.display())]
    MissingTable {
        /// The table.
        table: &'static str,
        /// The file looked for.
        path: PathBuf,
    },
    /// A table file's columns are not the layout's.
    #[error("{}: not the `{table}` table: expected columns {expected}, found {found}", path.display())]
    WrongSchema {
        /// The table.
        table: &'static str,
        /// The file.
        path: PathBuf,
        /// The layout's columns (`name: type`, comma-separated).
        expected: String,
        /// The file's columns.
        found: String,
    },
    /// DataFusion failed (reading a file that is not Parquet, planning).
    #[error("DataFusion: {0}")]
    DataFusion(#[from] ::datafusion::error::DataFusionError),
    /// DataFusion failed while running a query over the tables (corrupt
    /// bytes in a page, a file that changed under it, a panic in one of
    /// DataFusion's tasks).
    #[error("running a query over {files}: {source}")]
    Query {
        /// The files of the tables the query reads (comma-separated), or
        /// "the in-memory tables".
        files: String,
        /// DataFusion's error.
        source: ::datafusion::error::DataFusionError,
    },
    /// Reading these files panicked in the caller's task (corrupt bytes can
    /// make Parquet or Arrow panic); the panic was caught.
    #[error("{files}: reading panicked (caught): {message}")]
    Panicked {
        /// The files being read (comma-separated), or "the in-memory tables".
        files: String,
        /// The panic's message.
        message: String,
    },
    /// [`detach::apply_to_dir`] would write over a file a table of the
    /// context is read from, or into a directory one is read from (the
    /// inputs are never written).
    #[error("{}: an input table is read from here; the output must go elsewhere", path.display())]
    WouldOverwriteInput {
        /// The file.
        path: PathBuf,
    },
    /// The node tables could not be made a catalog (other than its
    /// integrity checks, which are the vendor's 500).
    #[error("{0}")]
    Catalog(crate::catalog::CatalogError),
    /// Writing the snapshot as JSON failed.
    #[error("writing the snapshot: {0}")]
    Write(std::io::Error),
    /// The `snapshot` table is not one this crate wrote.
    #[error("the `snapshot` table is not one this crate wrote: {0}")]
    BadSnapshot(String),
    /// Starting or reaching a Ballista scheduler or executor failed.
    #[error("Ballista: {0}")]
    Ballista(String),
    /// A query answered an id that is not a UUID (a table not written by
    /// this crate).
    #[error("`products.id` holds {0:?}, which is not a UUID")]
    BadId(String),
}
