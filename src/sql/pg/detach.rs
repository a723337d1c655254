//! `detach_nodes` run in the database.

use super::{Error, bind};
use crate::elasticpath::detach::{self, DetachNodesMeta, DetachNodesRequest, DetachNodesResponse};
use crate::elasticpath::envelope::ErrorEnvelope;
use crate::limits::Limits;
use crate::sql::{RenderOptions, render_with};
use crate::validate::ValidFilter;
use postgres::types::ToSql;
use postgres::{Client, IsolationLevel};
use std::collections::HashSet;

/// Why [`detach()`] did not detach.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum DetachError {
    /// The request was refused before the database was touched, with exactly
    /// the envelope [`detach::plan`] answers (422 for an empty filter or
    /// `node_ids`, 400 for a bad filter or a limit exceeded).
    #[error("the request was refused: {}", describe(.0))]
    Request(ErrorEnvelope),
    /// The database failed; the transaction was rolled back.
    #[error("database error: {0}")]
    Database(#[from] Error),
}

fn describe(envelope: &ErrorEnvelope) -> String {
    envelope
        .errors
        .iter()
        .map(|e| format!("{} {}: {}", e.status, e.title, e.detail))
        .collect::<Vec<_>>()
        .join("; ")
}

/// `POST /pcm/products/detach_nodes` run in the database: the request
/// checks of [`detach::plan`] (same order, same error envelopes), then
/// [`detach_nodes`]. The response is the one the in-memory plan gives for
/// the same catalog, and the memberships left are the ones
/// [`detach::apply`] leaves.
///
/// ```no_run
/// use catalog_filter::Limits;
/// use catalog_filter::elasticpath::detach::DetachNodesRequest;
/// use catalog_filter::sql::pg;
///
/// let mut client = postgres::Client::connect("host=127.0.0.1 user=postgres", postgres::NoTls)?;
/// let request = DetachNodesRequest::new("eq(sku,book)", ["123"]);
/// let response = pg::detach(&mut client, &request, &Limits::default())?;
/// println!("{}", serde_json::to_string(&response)?);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn detach(
    client: &mut Client,
    request: &DetachNodesRequest,
    limits: &Limits,
) -> Result<DetachNodesResponse, DetachError> {
    // The same checks as the in-memory plan, so both back ends refuse the
    // same requests with the same envelopes.
    let checked = detach::check_request(request, limits).map_err(DetachError::Request)?;
    let done = detach_nodes(client, &checked.filter, checked.node_ids)?;
    Ok(DetachNodesResponse {
        meta: DetachNodesMeta {
            nodes_detached: done.nodes_detached,
            nodes_not_found: done.nodes_not_found,
        },
    })
}

/// What [`detach_nodes`] did, with the in-memory plan's response fields.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Detached {
    /// The number of distinct requested ids naming a node or a hierarchy.
    pub nodes_detached: usize,
    /// The requested ids naming neither, once each, in request order.
    pub nodes_not_found: Vec<String>,
    /// The number of memberships deleted.
    pub memberships_removed: u64,
}

/// The statement that finds the requested ids naming a node or hierarchy.
const FOUND_SQL: &str = "SELECT r.id FROM unnest($1::text[]) AS r(id) \
     WHERE EXISTS (SELECT 1 FROM nodes WHERE nodes.id = r.id) \
        OR EXISTS (SELECT 1 FROM hierarchies WHERE hierarchies.id = r.id)";

/// Every node in the subtrees of the requested ids (`$1`, `text[]`): a
/// node id stands for itself and every node below it, a hierarchy id for
/// all its nodes. One array, `NULL` when there is none.
const SUBTREE_SQL: &str = "WITH RECURSIVE roots(id) AS ( \
         SELECT n.id FROM nodes AS n WHERE n.id = ANY($1::text[]) \
         UNION SELECT n.id FROM nodes AS n WHERE n.hierarchy_id = ANY($1::text[]) \
     ), subtree(id) AS ( \
         SELECT id FROM roots \
         UNION SELECT c.id FROM nodes AS c JOIN subtree AS s ON c.parent_id = s.id \
     ) \
     SELECT array_agg(id) FROM subtree";

/// Removes the memberships of the products matching `filter` in the
/// subtrees of `node_ids` (a node id: that node and every node below it; a
/// hierarchy id: all its nodes), in one `REPEATABLE READ` transaction: one
/// query finds which ids exist, one expands them into their subtrees' node
/// ids with a recursive CTE, one `DELETE` removes the matched products'
/// memberships in those nodes (the filter rendered by
/// [`super::render_with`], placeholders from `$2`). Products the filter does not match, and memberships
/// outside the subtrees, are not touched.
///
/// Request checks (emptiness, limits, filter syntax) are [`detach()`]'s; here
/// an empty `node_ids` detaches nothing.
pub fn detach_nodes(
    client: &mut Client,
    filter: &ValidFilter,
    node_ids: &[String],
) -> Result<Detached, Error> {
    let mut tx = client
        .build_transaction()
        .isolation_level(IsolationLevel::RepeatableRead)
        .start()?;
    let found: HashSet<String> = tx
        .query(FOUND_SQL, &[&node_ids])?
        .iter()
        .map(|row| row.try_get(0))
        .collect::<Result<_, _>>()?;
    // The node ids below the requested ones, expanded in the database. The
    // DELETE then gets them as one array parameter: with the actual ids in
    // hand the planner walks memberships by node (index) instead of
    // scanning every product, which a recursive CTE's row estimate hides.
    let subtree: Option<Vec<String>> = tx.query_one(SUBTREE_SQL, &[&node_ids])?.try_get(0)?;
    let subtree = subtree.unwrap_or_default();
    let sql = render_with(
        filter,
        &RenderOptions {
            first_param: 2,
            ..RenderOptions::default()
        },
    );
    let statement = format!(
        "DELETE FROM product_nodes AS pn USING products \
         WHERE pn.node_id = ANY($1::text[]) \
           AND pn.product_id = products.id \
           AND ({})",
        sql.sql_where
    );
    let mut params: Vec<&(dyn ToSql + Sync)> = vec![&subtree];
    params.extend(bind(&sql.params));
    let memberships_removed = if subtree.is_empty() {
        0
    } else {
        tx.execute(&statement, &params)?
    };
    tx.commit()?;

    let meta = detach::count_found(node_ids, |id| found.contains(id));
    Ok(Detached {
        nodes_detached: meta.nodes_detached,
        nodes_not_found: meta.nodes_not_found,
        memberships_removed,
    })
}
