//! `detach_nodes` run in the database: what both clients answer, and the
//! blocking client's functions (the async ones are in
//! [`super::nonblocking`] when built).

use super::Error;
use crate::elasticpath::detach::{DetachNodesMeta, DetachNodesResponse};
use crate::elasticpath::envelope::ErrorEnvelope;
#[cfg(feature = "postgres")]
use {
    super::{bind, statements},
    crate::elasticpath::detach,
    crate::limits::Limits,
    crate::validate::ValidFilter,
    postgres::Client,
    postgres::types::ToSql,
    std::collections::HashSet,
};

/// Why `detach` (blocking or async) did not detach.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum DetachError {
    /// The request was refused before the database was touched, with exactly
    /// the envelope [`detach::plan`](crate::elasticpath::detach::plan)
    /// answers (422 for an empty filter or `node_ids`, 400 for a bad filter
    /// or a limit exceeded).
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

/// What `detach_nodes` (blocking or async) did, with
/// the in-memory plan's response fields.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Detached {
    /// The number of distinct requested ids naming a node or a hierarchy.
    pub nodes_detached: usize,
    /// The requested ids naming neither, once each, in request order.
    pub nodes_not_found: Vec<String>,
    /// The number of memberships deleted.
    pub memberships_removed: u64,
}

impl From<Detached> for DetachNodesResponse {
    /// The response body of a detach that did `done`.
    fn from(done: Detached) -> DetachNodesResponse {
        DetachNodesResponse {
            meta: DetachNodesMeta {
                nodes_detached: done.nodes_detached,
                nodes_not_found: done.nodes_not_found,
            },
        }
    }
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
#[cfg(feature = "postgres")]
pub fn detach(
    client: &mut Client,
    request: &detach::DetachNodesRequest,
    limits: &Limits,
) -> Result<DetachNodesResponse, DetachError> {
    // The same checks as the in-memory plan, so both back ends refuse the
    // same requests with the same envelopes.
    let checked = detach::check_request(request, limits).map_err(DetachError::Request)?;
    Ok(detach_nodes(client, &checked.filter, checked.node_ids)?.into())
}

/// Removes the memberships of the products matching `filter` in the
/// subtrees of `node_ids` (a node id: that node and every node below it; a
/// hierarchy id: all its nodes), in one `SERIALIZABLE` transaction: one
/// query finds which ids exist, one expands them into their subtrees' node
/// ids with a recursive CTE, one `DELETE` removes the matched products'
/// memberships in those nodes (the filter rendered by
/// [`render_with`](crate::sql::render_with), placeholders from `$2`).
/// Products the filter does not match, and memberships outside the
/// subtrees, are not touched. Concurrent detaches end as one of their
/// serial orders would: a transaction PostgreSQL aborts for that
/// (serialization failure, deadlock) is run again, up to 16 times.
///
/// Request checks (emptiness, limits, filter syntax) are [`detach()`]'s; here
/// an empty `node_ids` detaches nothing.
#[cfg(feature = "postgres")]
pub fn detach_nodes(
    client: &mut Client,
    filter: &ValidFilter,
    node_ids: &[String],
) -> Result<Detached, Error> {
    let (statement, params) = statements::delete(filter);
    let mut attempt = 1;
    loop {
        match detach_once(client, &statement, &params, node_ids) {
            Err(e) if attempt < statements::MAX_ATTEMPTS && statements::retryable(&e) => {
                attempt += 1;
            }
            done => return done,
        }
    }
}

/// One try of [`detach_nodes`]: the transaction, committed or rolled back.
#[cfg(feature = "postgres")]
fn detach_once(
    client: &mut Client,
    statement: &str,
    params: &[crate::sql::SqlParam],
    node_ids: &[String],
) -> Result<Detached, Error> {
    let mut tx = client
        .build_transaction()
        .isolation_level(statements::ISOLATION)
        .start()?;
    let found: HashSet<String> = tx
        .query(statements::FOUND, &[&node_ids])?
        .iter()
        .map(|row| row.try_get(0))
        .collect::<Result<_, _>>()?;
    // The node ids below the requested ones, expanded in the database. The
    // DELETE then gets them as one array parameter: with the actual ids in
    // hand the planner walks memberships by node (index) instead of
    // scanning every product, which a recursive CTE's row estimate hides.
    let subtree: Option<Vec<String>> = tx
        .query_one(statements::SUBTREE, &[&node_ids])?
        .try_get(0)?;
    let subtree = subtree.unwrap_or_default();
    let memberships_removed = if subtree.is_empty() {
        0
    } else {
        let mut bound: Vec<&(dyn ToSql + Sync)> = vec![&subtree];
        bound.extend(bind(params));
        tx.execute(statement, &bound)?
    };
    tx.commit()?;
    Ok(statements::detached(node_ids, &found, memberships_removed))
}
