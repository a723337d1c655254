//! What the blocking and the async clients run, written once: the
//! statements, the isolation and its retries, and the counts of a detach.

use super::{Detached, Error};
use crate::elasticpath::detach;
use crate::sql::{RenderOptions, SqlParam, render_with};
use crate::validate::ValidFilter;
use std::collections::HashSet;
use tokio_postgres::IsolationLevel;
use tokio_postgres::error::SqlState;

/// The isolation of a detach's transaction. `SERIALIZABLE`: concurrent
/// detaches end as one of their serial orders would (a filter may read
/// memberships, `has_nodes`, which another detach deletes); one that
/// PostgreSQL aborts to keep that promise is run again ([`retryable`]).
pub(super) const ISOLATION: IsolationLevel = IsolationLevel::Serializable;

/// How many times a detach is tried before its serialization failure is
/// the answer.
pub(super) const MAX_ATTEMPTS: u32 = 16;

/// Whether `error` aborted a transaction that may simply be run again: a
/// serialization failure or a deadlock.
pub(super) fn retryable(error: &Error) -> bool {
    matches!(
        error.code(),
        Some(code) if *code == SqlState::T_R_SERIALIZATION_FAILURE
            || *code == SqlState::T_R_DEADLOCK_DETECTED
    )
}

/// The statement that finds the requested ids naming a node or hierarchy.
pub(super) const FOUND: &str = "SELECT r.id FROM unnest($1::text[]) AS r(id) \
     WHERE EXISTS (SELECT 1 FROM nodes WHERE nodes.id = r.id) \
        OR EXISTS (SELECT 1 FROM hierarchies WHERE hierarchies.id = r.id)";

/// Every node in the subtrees of the requested ids (`$1`, `text[]`): a
/// node id stands for itself and every node below it, a hierarchy id for
/// all its nodes. One array, `NULL` when there is none.
pub(super) const SUBTREE: &str = "WITH RECURSIVE roots(id) AS ( \
         SELECT n.id FROM nodes AS n WHERE n.id = ANY($1::text[]) \
         UNION SELECT n.id FROM nodes AS n WHERE n.hierarchy_id = ANY($1::text[]) \
     ), subtree(id) AS ( \
         SELECT id FROM roots \
         UNION SELECT c.id FROM nodes AS c JOIN subtree AS s ON c.parent_id = s.id \
     ) \
     SELECT array_agg(id) FROM subtree";

/// The `DELETE` of the memberships of the products matching `filter` in
/// the nodes of `$1` (`text[]`), and its filter parameters (from `$2`).
pub(super) fn delete(filter: &ValidFilter) -> (String, Vec<SqlParam>) {
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
    (statement, sql.params)
}

/// The query of the ids of the products matching `filter`, in `uuid`
/// order, and its parameters.
pub(super) fn select_ids(filter: &ValidFilter) -> (String, Vec<SqlParam>) {
    let sql = render_with(filter, &RenderOptions::default());
    let query = format!(
        "SELECT products.id FROM products WHERE {} ORDER BY products.id",
        sql.sql_where
    );
    (query, sql.params)
}

/// What a detach did: the in-memory plan's counts from the ids found.
pub(super) fn detached(
    node_ids: &[String],
    found: &HashSet<String>,
    memberships_removed: u64,
) -> Detached {
    let meta = detach::count_found(node_ids, |id| found.contains(id));
    Detached {
        nodes_detached: meta.nodes_detached,
        nodes_not_found: meta.nodes_not_found,
        memberships_removed,
    }
}
