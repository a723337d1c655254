//! detach_nodes over a catalog's tables in DataFusion: the same response
//! and the same removed memberships as
//! [`elasticpath::detach::plan`](crate::elasticpath::detach::plan).
//!
//! The tables' integrity is checked first (the 500), then the request, by
//! the same function as in memory ([`check_request`]: the 422s and 400s,
//! with the same envelopes), the order in which `detach --json` answers. The
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
//! Memberships naming nodes that do not exist are the same integrity 500
//! as in memory (where loading the catalog refuses them): every plan reads
//! the distinct node ids of `product_nodes` and compares them with
//! `nodes`. (A product is named by its id in the lower-case hyphenated
//! form, as in memory.)

mod dir;

pub use dir::{DirDetached, DirOptions, detach_dir, partial_dir};

use super::Error;
use super::expr::to_expr;
use super::guard::{files, guarded};
use super::tables::{TABLES, write_batch};
use crate::catalog::{
    Catalog, CatalogError, Hierarchy, IntegrityError, IntegrityErrors, Node, Snapshot,
};
use crate::elasticpath::detach::{
    DetachNodesRequest, DetachNodesResponse, check_request, count_found, integrity_error,
};
use crate::elasticpath::envelope::ErrorEnvelope;
use crate::limits::Limits;
use ::datafusion::arrow::array::{Array, AsArray, RecordBatch, StringArray, StringBuilder};
use ::datafusion::arrow::compute::cast;
use ::datafusion::arrow::datatypes::DataType;
use ::datafusion::arrow::datatypes::Int64Type;
use ::datafusion::arrow::datatypes::{Field, Schema};
use ::datafusion::dataframe::DataFrameWriteOptions;
use ::datafusion::error::DataFusionError;
use ::datafusion::functions_aggregate::expr_fn::array_agg;
use ::datafusion::functions_nested::expr_fn::cardinality;
use ::datafusion::logical_expr::cast as cast_expr;
use ::datafusion::logical_expr::{
    ColumnarValue, Expr, ScalarFunctionArgs, ScalarUDF, ScalarUDFImpl, Signature, Volatility, when,
};
use ::datafusion::logical_expr::{JoinType, lit};
use ::datafusion::prelude::{DataFrame, ParquetReadOptions, SessionContext, ident};
use std::ops::Range;
use std::path::{Path, PathBuf};
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
/// [`tables`](super::tables)), bringing every removal back to the caller
/// (memory grows with them: for large catalogs, [`detach_dir`] keeps them
/// where the data is). `Ok(Err(envelope))` is the vendor's
/// error answer (bad request, integrity 500); `Err` is a failure of the
/// tables or of DataFusion.
///
/// A failure reading the tables' files is [`Error::Query`] (or
/// [`Error::Panicked`]), naming them.
pub async fn plan(
    ctx: &SessionContext,
    request: &DetachNodesRequest,
    limits: &Limits,
) -> Result<Result<TablePlan, ErrorEnvelope>, Error> {
    guarded(ctx, &TABLES, plan_unguarded(ctx, request, limits)).await
}

/// [`plan`], unguarded.
async fn plan_unguarded(
    ctx: &SessionContext,
    request: &DetachNodesRequest,
    limits: &Limits,
) -> Result<Result<TablePlan, ErrorEnvelope>, Error> {
    let Checked {
        response,
        targeted,
        filter,
    } = match check(ctx, request, limits).await? {
        Ok(checked) => checked,
        Err(envelope) => return Ok(Err(envelope)),
    };
    if targeted.is_empty() {
        return Ok(Ok(TablePlan {
            response,
            removals: Vec::new(),
        }));
    }
    let batches = removals(
        ctx.table("products").await?,
        ctx.table("product_nodes").await?,
        &filter,
        &targeted,
    )?
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

/// A request checked against the tables: the vendor's response, and the
/// ids of the nodes whose memberships of matching products go, and the
/// compiled filter.
struct Checked {
    response: DetachNodesResponse,
    targeted: Vec<String>,
    filter: crate::validate::ValidFilter,
}

/// The checks every detach over the tables of `ctx` makes, in the order
/// `detach --json` answers: the tables' integrity (the 500), then the
/// request ([`check_request`]: the 422s and 400s). The small tables
/// (`nodes`, `hierarchies`) are read into memory and indexed by the
/// crate's catalog code, so that ids resolve (a hierarchy's id stands for
/// all its nodes, a node's for its subtree) and `nodes_not_found` is
/// counted ([`count_found`]) exactly as in memory.
async fn check(
    ctx: &SessionContext,
    request: &DetachNodesRequest,
    limits: &Limits,
) -> Result<Result<Checked, ErrorEnvelope>, Error> {
    // The tables' integrity first, then the request: `detach --json`
    // loads (and checks) the catalog before it reads the request.
    let nodes = read_nodes(ctx).await?;
    let hierarchies = read_hierarchies(ctx).await?;
    let known: std::collections::HashSet<String> = nodes.iter().map(|n| n.id.clone()).collect();
    let (tree, mut errors) = match Catalog::new(Snapshot {
        hierarchies,
        nodes,
        ..Snapshot::default()
    }) {
        Ok(tree) => (Some(tree), Vec::new()),
        Err(CatalogError::Integrity(errors)) => (None, errors.into_errors()),
        Err(other) => return Err(Error::Catalog(other)),
    };
    // Memberships naming nodes that do not exist: the products' part of
    // the integrity checks (in memory, loading the catalog refuses them).
    errors.extend(unknown_memberships(ctx, &|id| known.contains(id)).await?);
    let tree = match tree {
        Some(tree) if errors.is_empty() => tree,
        _ => return Ok(Err(integrity_error(&IntegrityErrors::from_errors(errors)))),
    };
    let checked = match check_request(request, limits) {
        Ok(c) => c,
        Err(envelope) => return Ok(Err(envelope)),
    };
    let mut ranges: Vec<Range<u32>> = Vec::new();
    let meta = count_found(checked.node_ids, |id| match tree.resolve(id) {
        Some(range) => {
            ranges.push(range);
            true
        }
        None => false,
    });
    let targeted = ranges
        .into_iter()
        .flatten()
        .filter_map(|pos| tree.node_at(pos))
        .map(|node| node.id.clone())
        .collect();
    Ok(Ok(Checked {
        response: DetachNodesResponse { meta },
        targeted,
        filter: checked.filter,
    }))
}

/// The memberships a detach removes, as a frame of `removed_product_id`,
/// `removed_node_id`: the rows of `product_nodes` in a `targeted` node
/// whose product (in `products`) matches `filter`, a semi-join.
fn removals(
    products: DataFrame,
    product_nodes: DataFrame,
    filter: &crate::validate::ValidFilter,
    targeted: &[String],
) -> Result<DataFrame, Error> {
    let matching = products
        .filter(to_expr(filter))?
        .select(vec![ident("id").alias("matching_id")])?;
    let targeted = targeted.iter().map(|id| lit(id.as_str())).collect();
    Ok(product_nodes
        .filter(ident("node_id").in_list(targeted, false))?
        .join(
            matching,
            JoinType::LeftSemi,
            &["product_id"],
            &["matching_id"],
            None,
        )?
        .select(vec![
            ident("product_id").alias("removed_product_id"),
            ident("node_id").alias("removed_node_id"),
        ])?)
}

/// Writes the tables of `ctx` after `plan` to `out/<table>.parquet`
/// (creating `out`): `product_nodes` without the plan's removals, the
/// `record` of each changed product without them in its `node_ids` (every
/// other byte as it was), the rest unchanged; and the removals themselves to
/// `out/`[`REMOVALS_FILE`] (a record of what changed, and the file the
/// anti-join reads, so that it runs on Ballista too). `out` must not be the directory the tables were read
/// from (the inputs are never written); [`tables::register_parquet`]
/// reads the result. The files are written as the export writes them
/// (row groups of 16,384 rows, zstd level 1), whatever Parquet options
/// `ctx`'s session holds.
///
/// [`tables::register_parquet`]: super::tables::register_parquet
///
/// Writing into `out` a file that a table of `ctx` is read from (`out`
/// being the input directory, spelt with `..`, `.` or through a link), or
/// into a directory a table is read from, is
/// [`Error::WouldOverwriteInput`], before anything is written; a failure
/// reading the tables is [`Error::Query`] (or [`Error::Panicked`]).
pub async fn apply_to_dir(ctx: &SessionContext, plan: &TablePlan, out: &Path) -> Result<(), Error> {
    refuse_inputs(ctx, out).await?;
    guarded(ctx, &TABLES, apply_unguarded(ctx, plan, out)).await
}

/// [`Error::WouldOverwriteInput`] when a file [`apply_to_dir`] writes in
/// `out` is one a table of `ctx` is read from, or `out` is (or is inside)
/// a directory a table is read from. Paths are compared after resolving
/// links and `..`; an input that cannot be resolved (it is gone) is
/// compared as it is named. The files are written by renaming new files
/// into place, so a link in `out` is replaced, never written through.
/// (Between this check and the writes another process could still swap
/// the directories: the check is for mistakes, not for adversaries.)
async fn refuse_inputs(ctx: &SessionContext, out: &Path) -> Result<(), Error> {
    let out = resolve(out);
    let inputs: Vec<PathBuf> = files(ctx, &TABLES)
        .await
        .into_iter()
        .map(|f| f.canonicalize().unwrap_or(f))
        .collect();
    if let Some(dir) = inputs.iter().find(|i| i.is_dir() && out.starts_with(i)) {
        return Err(Error::WouldOverwriteInput { path: dir.clone() });
    }
    let written = TABLES
        .iter()
        .map(|t| format!("{t}.parquet"))
        .chain([REMOVALS_FILE.to_owned()]);
    for name in written {
        let path = out.join(name);
        if inputs.contains(&path) {
            return Err(Error::WouldOverwriteInput { path });
        }
    }
    Ok(())
}

/// `path` made absolute, with links and `..` resolved: its longest
/// existing prefix resolved by the file system, the rest (to be created,
/// so free of links) applied to it component by component, `..` removing
/// the last. Without a working directory, a relative `path` is kept as
/// named.
fn resolve(path: &Path) -> PathBuf {
    use std::path::Component;
    let absolute = match std::env::current_dir() {
        Ok(cwd) => cwd.join(path),
        Err(_) => path.to_owned(),
    };
    let components: Vec<Component> = absolute.components().collect();
    for existing in (1..=components.len()).rev() {
        let prefix: PathBuf = components.iter().take(existing).collect();
        let Ok(mut resolved) = prefix.canonicalize() else {
            continue;
        };
        for part in components.iter().skip(existing) {
            match part {
                Component::ParentDir => {
                    resolved.pop();
                }
                Component::Normal(name) => resolved.push(name),
                _ => {}
            }
        }
        return resolved;
    }
    path.to_owned()
}

/// [`apply_to_dir`] once the output is known to hold no input.
async fn apply_unguarded(ctx: &SessionContext, plan: &TablePlan, out: &Path) -> Result<(), Error> {
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
    let (kept, products) = after(
        ctx.table("products").await?,
        ctx.table("product_nodes").await?,
        removals,
    )?;
    for table in TABLES {
        let frame = match table {
            "product_nodes" => kept.clone(),
            "products" => products.clone(),
            _ => ctx.table(table).await?,
        };
        let path = out.join(format!("{table}.parquet"));
        frame
            .write_parquet(
                location(&path)?,
                DataFrameWriteOptions::new().with_single_file_output(true),
                Some(super::tables::parquet_options()),
            )
            .await?;
    }
    Ok(())
}

/// The tables `products` and `product_nodes` after removing the
/// memberships `removals` (`removed_product_id`, `removed_node_id`):
/// `product_nodes` without them (an anti-join), and `products` with each
/// changed product's `record` rewritten without them in its `node_ids`
/// (every other byte as it was) and its `node_count` lowered by their
/// number.
fn after(
    products: DataFrame,
    product_nodes: DataFrame,
    removals: DataFrame,
) -> Result<(DataFrame, DataFrame), Error> {
    let kept = product_nodes.join(
        removals.clone(),
        JoinType::LeftAnti,
        &["product_id", "node_id"],
        &["removed_product_id", "removed_node_id"],
        None,
    )?;
    // Each changed product's removed node ids as a list, joined to its row.
    let removed = removals.aggregate(
        vec![ident("removed_product_id")],
        vec![array_agg(ident("removed_node_id")).alias("removed_node_ids")],
    )?;
    let mut columns: Vec<Expr> = products
        .schema()
        .fields()
        .iter()
        .map(|f| ident(f.name()))
        .collect();
    let changed = || ident("removed_node_ids").is_not_null();
    if let Some(count) = columns
        .iter_mut()
        .find(|c| matches!(c, Expr::Column(c) if c.name == "node_count"))
    {
        *count = when(
            changed(),
            ident("node_count")
                - cast_expr(cardinality(ident("removed_node_ids")), DataType::Int32),
        )
        .otherwise(ident("node_count"))?
        .alias("node_count");
    }
    if let Some(record) = columns.last_mut() {
        *record = when(ident("removed_node_ids").is_null(), ident("record"))
            .otherwise(
                ScalarUDF::new_from_impl(WithoutNodeIds::new())
                    .call(vec![ident("record"), ident("removed_node_ids")]),
            )?
            .alias("record");
    }
    let products = products
        .join(
            removed,
            JoinType::Left,
            &["id"],
            &["removed_product_id"],
            None,
        )?
        .select(columns)?;
    Ok((kept, products))
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

/// The memberships of `product_nodes` whose node is not among `known`, as
/// the in-memory integrity errors: in product order, then list order.
/// (The distinct node ids of the memberships are few, so they are compared
/// here; only memberships of unknown nodes are then read.)
async fn unknown_memberships(
    ctx: &SessionContext,
    known: &dyn Fn(&str) -> bool,
) -> Result<Vec<IntegrityError>, Error> {
    let named = ctx
        .table("product_nodes")
        .await?
        .aggregate(vec![ident("node_id")], vec![])?
        .collect()
        .await?;
    let mut unknown = Vec::new();
    for batch in &named {
        unknown.extend(texts(batch, 0)?.into_iter().filter(|id| !known(id)));
    }
    if unknown.is_empty() {
        return Ok(Vec::new());
    }
    unknown.sort_unstable();
    let memberships = ctx
        .table("product_nodes")
        .await?
        .filter(ident("node_id").in_list(unknown.iter().map(|n| lit(n.as_str())).collect(), false))?
        .select(vec![
            ident("product_id"),
            ident("node_id"),
            ident("ordinal"),
        ])?
        .collect()
        .await?;
    let mut found = Vec::new();
    for batch in &memberships {
        let products = texts(batch, 0)?;
        let nodes = texts(batch, 1)?;
        let ordinals = integers(batch, 2)?;
        found.extend(products.into_iter().zip(nodes).zip(ordinals));
    }
    let mut ids: Vec<&str> = found.iter().map(|((p, _), _)| p.as_str()).collect();
    ids.sort_unstable();
    ids.dedup();
    let batches = ctx
        .table("products")
        .await?
        .filter(ident("id").in_list(ids.into_iter().map(lit).collect(), false))?
        .select(vec![ident("id"), ident("position")])?
        .collect()
        .await?;
    let mut positions = std::collections::HashMap::new();
    for batch in &batches {
        positions.extend(texts(batch, 0)?.into_iter().zip(integers(batch, 1)?));
    }
    let mut errors: Vec<(i64, i64, IntegrityError)> = found
        .into_iter()
        .map(|((product, node_id), ordinal)| {
            let position = positions.get(&product).copied().unwrap_or(i64::MAX);
            let error = IntegrityError::UnknownNode {
                index: usize::try_from(position).unwrap_or(usize::MAX),
                product,
                node_id,
            };
            (position, ordinal, error)
        })
        .collect();
    errors.sort_by_key(|(position, ordinal, _)| (*position, *ordinal));
    Ok(errors.into_iter().map(|(_, _, e)| e).collect())
}

/// Column `i` of `batch` as integers (nulls as 0).
fn integers(batch: &RecordBatch, i: usize) -> Result<Vec<i64>, Error> {
    let Some(column) = batch.columns().get(i) else {
        return Ok(Vec::new());
    };
    let column = cast(column, &DataType::Int64).map_err(|source| Error::Arrow {
        table: "query",
        source,
    })?;
    let Some(column) = column.as_primitive_opt::<Int64Type>() else {
        return Ok(Vec::new());
    };
    Ok(column.iter().map(Option::unwrap_or_default).collect())
}

/// The name of the UDF [`apply_to_dir`] rewrites changed records with.
const WITHOUT_NODE_IDS: &str = "catalog_filter_without_node_ids";

/// `record` (a product as JSON) without the node ids of the list in its
/// `node_ids`, every other byte as it was; a scalar UDF of two arguments.
#[derive(Debug, PartialEq, Eq, Hash)]
struct WithoutNodeIds {
    signature: Signature,
}

impl WithoutNodeIds {
    fn new() -> WithoutNodeIds {
        WithoutNodeIds {
            signature: Signature::any(2, Volatility::Immutable),
        }
    }
}

/// Whether `udf` is [`apply_to_dir`]'s record rewrite (which a codec sends
/// by name alone).
pub(super) fn is_without_node_ids(udf: &ScalarUDF) -> bool {
    udf.inner().downcast_ref::<WithoutNodeIds>().is_some()
}

/// [`apply_to_dir`]'s record rewrite, if `name` is its name.
pub(super) fn decode_udf(name: &str) -> Option<Arc<ScalarUDF>> {
    (name == WITHOUT_NODE_IDS).then(|| Arc::new(ScalarUDF::new_from_impl(WithoutNodeIds::new())))
}

impl ScalarUDFImpl for WithoutNodeIds {
    fn name(&self) -> &str {
        WITHOUT_NODE_IDS
    }

    fn signature(&self) -> &Signature {
        &self.signature
    }

    fn return_type(&self, _: &[DataType]) -> ::datafusion::error::Result<DataType> {
        Ok(DataType::Utf8)
    }

    fn invoke_with_args(
        &self,
        args: ScalarFunctionArgs,
    ) -> ::datafusion::error::Result<ColumnarValue> {
        let [records, lists] = args.args.as_slice() else {
            return Err(DataFusionError::Internal(format!(
                "{WITHOUT_NODE_IDS}: {} arguments, not 2",
                args.args.len()
            )));
        };
        let records = cast(&records.to_array(args.number_rows)?, &DataType::Utf8)?;
        let lists = lists.to_array(args.number_rows)?;
        let (Some(records), Some(lists)) =
            (records.as_string_opt::<i32>(), lists.as_list_opt::<i32>())
        else {
            return Err(DataFusionError::Execution(format!(
                "{WITHOUT_NODE_IDS}: expected text and a list of text, got {} and {}",
                records.data_type(),
                lists.data_type()
            )));
        };
        let mut out = StringBuilder::with_capacity(records.len(), records.value_data().len());
        for (record, removed) in records.iter().zip(lists.iter()) {
            let (Some(record), Some(removed)) = (record, removed) else {
                out.append_option(record);
                continue;
            };
            let removed = cast(&removed, &DataType::Utf8)?;
            let removed: Vec<&str> = removed
                .as_string_opt::<i32>()
                .map(|r| r.iter().flatten().collect())
                .unwrap_or_default();
            let Some(changed) =
                crate::catalog::without_node_ids(record, &|id| removed.contains(&id))
            else {
                return Err(DataFusionError::Execution(format!(
                    "{WITHOUT_NODE_IDS}: a changed product's record has no `node_ids` list: {record}"
                )));
            };
            out.append_value(changed);
        }
        Ok(ColumnarValue::Array(Arc::new(out.finish())))
    }
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn resolve_follows_what_exists_and_appends_the_rest() {
        let cwd = std::env::current_dir().unwrap().canonicalize().unwrap();
        // Relative names start at the working directory.
        assert_eq!(resolve(Path::new("no-such-dir")), cwd.join("no-such-dir"));
        assert_eq!(resolve(Path::new("src/../src/x/y")), cwd.join("src/x/y"));
        assert_eq!(resolve(Path::new(".")), cwd);
        let tmp = std::env::temp_dir().canonicalize().unwrap();
        assert_eq!(
            resolve(&std::env::temp_dir().join("cf-missing/a")),
            tmp.join("cf-missing/a")
        );
        // Through a directory that does not exist and back out.
        assert_eq!(resolve(Path::new("no-such/../src/x")), cwd.join("src/x"));
        assert_eq!(
            resolve(Path::new("no-such/a/../../..")),
            cwd.parent().unwrap()
        );
        assert_eq!(resolve(Path::new("")), cwd);
    }
}
