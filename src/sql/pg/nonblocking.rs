//! The functions of [`super`] on tokio (feature `postgres-async`), with
//! the async client [`tokio_postgres`], which the blocking `postgres`
//! client wraps: the same statements, transactions and answers. They take
//! a [`Client`] (or anything that dereferences to one, such as a pooled
//! connection of `deadpool-postgres`), and never block a runtime's thread.
//!
//! A future dropped before it completes (its task cancelled, its client
//! gone) rolls its transaction back: a detach or load is all or nothing
//! whatever happens to its caller.
//!
//! ```no_run
//! use catalog_filter::sql::pg::nonblocking as pg;
//! use catalog_filter::{compile, synthetic};
//!
//! # async fn run() -> Result<(), Box<dyn std::error::Error>> {
//! let (mut client, connection) =
//!     tokio_postgres::connect("host=127.0.0.1 user=postgres", tokio_postgres::NoTls).await?;
//! tokio::spawn(connection);
//! pg::create_schema(&client).await?;
//! pg::load(&mut client, &synthetic::catalog(1, 1000, 50)).await?;
//! let ids = pg::select_ids(&client, &compile("eq(status,live)")?).await?;
//! let done = pg::detach_nodes(&mut client, &compile("eq(status,draft)")?, &["nope".into()]).await?;
//! assert_eq!(done.nodes_not_found, ["nope"]);
//! # Ok(())
//! # }
//! ```

use super::detach::{DetachError, Detached};
use super::load::{CLEAR, CopyTable, tables};
use super::{Error, bind, statements};
use crate::catalog::Catalog;
use crate::elasticpath::detach::{self, DetachNodesRequest, DetachNodesResponse};
use crate::limits::Limits;
use crate::sql::{SCHEMA, SqlParam};
use crate::validate::ValidFilter;
use futures::SinkExt as _;
use std::collections::HashSet;
use tokio_postgres::types::ToSql;
use tokio_postgres::{Client, Transaction};
use uuid::Uuid;

/// Creates the reference schema's tables and indexes (idempotent).
pub async fn create_schema(client: &Client) -> Result<(), Error> {
    client.batch_execute(SCHEMA).await
}

/// Empties the four tables.
pub async fn clear(client: &Client) -> Result<(), Error> {
    client.batch_execute(CLEAR).await
}

/// Copies `catalog` into the (empty) tables, in one transaction: either
/// everything is loaded or nothing is (as the blocking `load`).
pub async fn load(client: &mut Client, catalog: &Catalog) -> Result<(), Error> {
    let tx = client.transaction().await?;
    for table in tables(catalog) {
        copy(&tx, table).await?;
    }
    tx.commit().await
}

/// Streams one table's rows into its `COPY ... FROM STDIN`.
async fn copy(tx: &Transaction<'_>, table: CopyTable<'_>) -> Result<(), Error> {
    let sink = tx.copy_in(table.statement).await?;
    let mut sink = std::pin::pin!(sink);
    for chunk in table.chunks {
        sink.send(bytes::Bytes::from(chunk)).await?;
    }
    sink.as_mut().finish().await?;
    Ok(())
}

/// The ids of the products matching `filter`, in `uuid` order.
pub async fn select_ids(client: &Client, filter: &ValidFilter) -> Result<Vec<Uuid>, Error> {
    let (query, params) = statements::select_ids(filter);
    let rows = client.query(&query, &bind(&params)).await?;
    rows.iter().map(|row| row.try_get(0)).collect()
}

/// `POST /pcm/products/detach_nodes` run in the database, as
/// the blocking `detach` does it: the request checks of [`detach::plan`],
/// then [`detach_nodes`].
pub async fn detach(
    client: &mut Client,
    request: &DetachNodesRequest,
    limits: &Limits,
) -> Result<DetachNodesResponse, DetachError> {
    let checked = detach::check_request(request, limits).map_err(DetachError::Request)?;
    Ok(detach_nodes(client, &checked.filter, checked.node_ids)
        .await?
        .into())
}

/// Removes the memberships of the products matching `filter` in the
/// subtrees of `node_ids`, as the blocking `detach_nodes` does: one
/// `SERIALIZABLE` transaction, run again when PostgreSQL aborts it to keep
/// concurrent detaches serializable (up to 16 times).
pub async fn detach_nodes(
    client: &mut Client,
    filter: &ValidFilter,
    node_ids: &[String],
) -> Result<Detached, Error> {
    let (statement, params) = statements::delete(filter);
    let mut attempt = 1;
    loop {
        match detach_once(client, &statement, &params, node_ids).await {
            Err(e) if attempt < statements::MAX_ATTEMPTS && statements::retryable(&e) => {
                attempt += 1;
            }
            done => return done,
        }
    }
}

/// One try of [`detach_nodes`]: the transaction, committed or rolled back.
async fn detach_once(
    client: &mut Client,
    statement: &str,
    params: &[SqlParam],
    node_ids: &[String],
) -> Result<Detached, Error> {
    let tx = client
        .build_transaction()
        .isolation_level(statements::ISOLATION)
        .start()
        .await?;
    let found: HashSet<String> = tx
        .query(statements::FOUND, &[&node_ids])
        .await?
        .iter()
        .map(|row| row.try_get(0))
        .collect::<Result<_, _>>()?;
    let subtree: Option<Vec<String>> = tx
        .query_one(statements::SUBTREE, &[&node_ids])
        .await?
        .try_get(0)?;
    let subtree = subtree.unwrap_or_default();
    let memberships_removed = if subtree.is_empty() {
        0
    } else {
        let mut bound: Vec<&(dyn ToSql + Sync)> = vec![&subtree];
        bound.extend(bind(params));
        tx.execute(statement, &bound).await?
    };
    tx.commit().await?;
    Ok(statements::detached(node_ids, &found, memberships_removed))
}
