//! detach_nodes over a catalog's tables in DataFusion: the same response
//! and the same removed memberships as
//! [`elasticpath::detach::plan`](crate::elasticpath::detach::plan).
//!
//! The request is checked by the same function
//! ([`check_request`]: the 422s and 400s, with the same envelopes). The
//! small tables (`nodes`, `hierarchies`) are read into memory and checked
//! and indexed by the crate's own catalog code, so ids resolve (a
//! hierarchy's id stands for all its nodes, a node's for its subtree) and
//! `nodes_not_found` is counted ([`count_found`]) exactly as in memory; a
//! node table that fails its integrity checks is the same 500. The large
//! tables stay in DataFusion: the removals are the `product_nodes` rows in
//! a targeted node whose product matches the filter
//! ([`to_expr`]), a semi-join of `product_nodes` with the
//! matching `products`.
//!
//! [`apply_to_dir`] writes the tables after the detach to a new directory:
//! `product_nodes` without the removed rows (an anti-join), the other
//! tables as they are. The input tables and files are never modified, so a
//! crash loses nothing.
//!
//! Not yet: memberships naming nodes that do not exist are not checked
//! here (loading a catalog refuses them).

use super::Error;
use super::expr::to_expr;
use super::tables::{TABLES, write_batch};
use crate::Limits;
use crate::catalog::{Catalog, CatalogError, Hierarchy, Node, Snapshot};
use crate::elasticpath::detach::{
    DetachNodesRequest, DetachNodesResponse, check_request, count_found, integrity_error,
};
use crate::elasticpath::envelope::ErrorEnvelope;
use ::datafusion::arrow::array::{AsArray, RecordBatch, StringArray};
use ::datafusion::arrow::compute::cast;
use ::datafusion::arrow::datatypes::DataType;
use ::datafusion::arrow::datatypes::{Field, Schema};
use ::datafusion::dataframe::DataFrameWriteOptions;
use ::datafusion::logical_expr::{JoinType, lit};
use ::datafusion::prelude::{ParquetReadOptions, SessionContext, ident};
use std::ops::Range;
use std::path::Path;
use std::sync::Arc;
use uuid::Uuid;

/// A detach planned over DataFusion tables.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TablePlan {
    /// The vendor's response.
    pub response: DetachNodesResponse,
    /// The memberships to remove, `(product id, node id)`, sorted.
    pub removals: Vec<(Uuid, String)>,
}

/// Plans the detach `request` over the tables registered in `ctx` (see
/// [`tables`](super::tables)). `Ok(Err(envelope))` is the vendor's
/// error answer (bad request, integrity 500); `Err` is a failure of the
/// tables or of DataFusion.
pub async fn plan(
    ctx: &SessionContext,
    request: &DetachNodesRequest,
    limits: &Limits,
) -> Result<Result<TablePlan, ErrorEnvelope>, Error> {
    let checked = match check_request(request, limits) {
        Ok(c) => c,
        Err(envelope) => return Ok(Err(envelope)),
    };
    let (filter, node_ids) = (&checked.filter, checked.node_ids);

    let nodes = read_nodes(ctx).await?;
    let hierarchies = read_hierarchies(ctx).await?;
    let tree = match Catalog::new(Snapshot {
        hierarchies,
        nodes,
        ..Snapshot::default()
    }) {
        Ok(tree) => tree,
        Err(CatalogError::Integrity(errors)) => return Ok(Err(integrity_error(&errors))),
        Err(other) => return Err(Error::Catalog(other)),
    };

    let mut ranges: Vec<Range<u32>> = Vec::new();
    let meta = count_found(node_ids, |id| match tree.resolve(id) {
        Some(range) => {
            ranges.push(range);
            true
        }
        None => false,
    });
    let targeted: Vec<_> = ranges
        .into_iter()
        .flatten()
        .filter_map(|pos| tree.node_at(pos))
        .map(|node| lit(node.id.as_str()))
        .collect();
    let response = DetachNodesResponse { meta };
    if targeted.is_empty() {
        return Ok(Ok(TablePlan {
            response,
            removals: Vec::new(),
        }));
    }

    let matching = ctx
        .table("products")
        .await?
        .filter(to_expr(filter))?
        .select(vec![ident("id").alias("matching_id")])?;
    let batches = ctx
        .table("product_nodes")
        .await?
        .filter(ident("node_id").in_list(targeted, false))?
        .join(
            matching,
            JoinType::LeftSemi,
            &["product_id"],
            &["matching_id"],
            None,
        )?
        .select(vec![ident("product_id"), ident("node_id")])?
        .collect()
        .await?;
    let mut removals = Vec::new();
    for batch in &batches {
        let products = texts(batch, 0)?;
        let nodes = texts(batch, 1)?;
        for (product, node) in products.iter().zip(nodes) {
            let id = product.parse().map_err(|_| Error::BadId(product.clone()))?;
            removals.push((id, node));
        }
    }
    removals.sort_unstable();
    Ok(Ok(TablePlan { response, removals }))
}

/// Writes the four tables of `ctx` after `plan` to `out/<table>.parquet`
/// (creating `out`): `product_nodes` without the plan's removals, the
/// others unchanged; and the removals themselves to
/// `out/`[`REMOVALS_FILE`] (a record of what changed, and the file the
/// anti-join reads, so that it runs on Ballista too). `out` must not be the directory the tables were read
/// from (the inputs are never written); [`tables::register_parquet`]
/// reads the result.
///
/// [`tables::register_parquet`]: super::tables::register_parquet
pub async fn apply_to_dir(ctx: &SessionContext, plan: &TablePlan, out: &Path) -> Result<(), Error> {
    std::fs::create_dir_all(out).map_err(|source| Error::Io {
        path: out.to_owned(),
        source,
    })?;
    let mut uuid = Uuid::encode_buffer();
    let product_ids: Vec<String> = plan
        .removals
        .iter()
        .map(|(p, _)| p.hyphenated().encode_lower(&mut uuid).to_owned())
        .collect();
    let node_ids: Vec<&str> = plan.removals.iter().map(|(_, n)| n.as_str()).collect();
    let removals = RecordBatch::try_new(
        Arc::new(Schema::new(vec![
            Field::new("removed_product_id", DataType::Utf8, false),
            Field::new("removed_node_id", DataType::Utf8, false),
        ])),
        vec![
            Arc::new(StringArray::from(product_ids)),
            Arc::new(StringArray::from(node_ids)),
        ],
    )
    .map_err(|source| Error::Arrow {
        table: "product_nodes",
        source,
    })?;
    // The removals are a file, not an in-memory table: Ballista's
    // executors read tables by path.
    let removals_path = out.join(REMOVALS_FILE);
    write_batch(&removals, &removals_path)?;
    let removals = ctx
        .read_parquet(location(&removals_path)?, ParquetReadOptions::default())
        .await?;
    let memberships = ctx.table("product_nodes").await?;
    let kept = memberships.join(
        removals,
        JoinType::LeftAnti,
        &["product_id", "node_id"],
        &["removed_product_id", "removed_node_id"],
        None,
    )?;
    for table in TABLES {
        let frame = match table {
            "product_nodes" => kept.clone(),
            _ => ctx.table(table).await?,
        };
        let path = out.join(format!("{table}.parquet"));
        frame
            .write_parquet(
                location(&path)?,
                DataFrameWriteOptions::new().with_single_file_output(true),
                None,
            )
            .await?;
    }
    Ok(())
}

/// The file [`apply_to_dir`] writes the removed memberships to, in the
/// output directory: `removed_product_id`, `removed_node_id` (text).
pub const REMOVALS_FILE: &str = "removals.parquet";

/// `path` as the text DataFusion takes.
fn location(path: &Path) -> Result<&str, Error> {
    path.to_str().ok_or_else(|| Error::Io {
        path: path.to_owned(),
        source: std::io::Error::new(std::io::ErrorKind::InvalidInput, "not UTF-8"),
    })
}

/// Column `i` of `batch` as text (nulls as empty).
fn texts(batch: &RecordBatch, i: usize) -> Result<Vec<String>, Error> {
    Ok(optional_texts(batch, i)?
        .into_iter()
        .map(Option::unwrap_or_default)
        .collect())
}

/// Column `i` of `batch` as optional text.
fn optional_texts(batch: &RecordBatch, i: usize) -> Result<Vec<Option<String>>, Error> {
    let Some(column) = batch.columns().get(i) else {
        return Ok(Vec::new());
    };
    let column = cast(column, &DataType::Utf8).map_err(|source| Error::Arrow {
        table: "query",
        source,
    })?;
    let Some(column) = column.as_string_opt::<i32>() else {
        return Ok(Vec::new());
    };
    Ok(column.iter().map(|v| v.map(str::to_owned)).collect())
}

async fn read_nodes(ctx: &SessionContext) -> Result<Vec<Node>, Error> {
    let mut nodes = Vec::new();
    for batch in ctx.table("nodes").await?.collect().await? {
        let ids = texts(&batch, 0)?;
        let hierarchies = texts(&batch, 1)?;
        let parents = optional_texts(&batch, 2)?;
        let names = optional_texts(&batch, 3)?;
        for (((id, hierarchy_id), parent_id), name) in
            ids.into_iter().zip(hierarchies).zip(parents).zip(names)
        {
            nodes.push(Node {
                id,
                hierarchy_id,
                parent_id,
                name,
            });
        }
    }
    Ok(nodes)
}

async fn read_hierarchies(ctx: &SessionContext) -> Result<Vec<Hierarchy>, Error> {
    let mut hierarchies = Vec::new();
    for batch in ctx.table("hierarchies").await?.collect().await? {
        let ids = texts(&batch, 0)?;
        let names = optional_texts(&batch, 1)?;
        for (id, name) in ids.into_iter().zip(names) {
            hierarchies.push(Hierarchy { id, name });
        }
    }
    Ok(hierarchies)
}
