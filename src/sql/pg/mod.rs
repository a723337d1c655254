//! Running filters and detach in PostgreSQL, over the reference schema
//! ([`super::SCHEMA`], `sql/schema.sql`): with the synchronous `postgres`
//! client (feature `postgres`, the functions of this module) or on tokio
//! with `tokio_postgres` (feature `postgres-async`, the same functions in
//! `nonblocking`). Both run the same statements in the same transactions
//! and give the same answers.
//!
//! - `create_schema` creates the tables, `clear` empties them, `load`
//!   copies a [`Catalog`](crate::catalog::Catalog) in (one transaction, `COPY ... FROM STDIN`).
//! - `select_ids` runs a filter: the ids of the matching products.
//! - `detach` answers a [`DetachNodesRequest`](crate::elasticpath::detach::DetachNodesRequest) like
//!   [`elasticpath::detach::plan`](crate::elasticpath::detach::plan) +
//!   [`apply`](crate::elasticpath::detach::apply) do in memory, by `detach_nodes`.
//! - `detach_nodes` removes the matched products' memberships in the
//!   named node subtrees in one transaction (a recursive CTE expands the
//!   ids into subtrees, then one `DELETE`), and
//!   answers the same counts as the in-memory plan: `nodes_detached` = the
//!   number of distinct requested ids naming a node or a hierarchy,
//!   `nodes_not_found` = the other ids, once each, in request order. The
//!   transaction is `SERIALIZABLE`, so concurrent detaches end as one of
//!   their serial orders would; one PostgreSQL aborts to keep that promise
//!   is run again.
//!
//! Every filter value is a bound parameter ([`super::render`]); node ids are
//! one `text[]` parameter. Nothing a request holds reaches the SQL text.
//!
//! ```no_run
//! # #[cfg(feature = "postgres")] {
//! use catalog_filter::{compile, sql::pg, synthetic};
//!
//! let mut client = postgres::Client::connect("host=127.0.0.1 user=postgres", postgres::NoTls)?;
//! pg::create_schema(&mut client)?;
//! let catalog = synthetic::catalog(1, 1000, 50);
//! pg::load(&mut client, &catalog)?;
//! let ids = pg::select_ids(&mut client, &compile("eq(status,live):like(name,*Shoe*)")?)?;
//! let first = catalog.nodes()[0].id.clone();
//! let done = pg::detach_nodes(&mut client, &compile("eq(status,draft)")?, &[first, "nope".into()])?;
//! assert_eq!(done.nodes_not_found, ["nope"]);
//! # }
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! What `load` stores, where a snapshot says more than the schema holds:
//! timestamps keep microseconds (PostgreSQL rounds finer digits) and not
//! their offsets (instants compare the same); unknown product fields
//! (`Product::other`) are not stored; free-form numbers are stored with the
//! exact value of their written text (`1E400` is 10^400, never `null` nor
//! rounded through `f64`), a non-negative exponent written out in full with
//! a decimal point ([`load::write_json`]). Text containing NUL, or a number
//! `numeric` cannot hold, cannot be stored: `load` then fails with
//! PostgreSQL's error, and nothing is loaded.

mod detach;
pub mod load;
#[cfg(feature = "postgres-async")]
pub mod nonblocking;
mod statements;

pub use detach::{DetachError, Detached};
#[cfg(feature = "postgres")]
pub use detach::{detach, detach_nodes};
#[cfg(feature = "postgres")]
pub use load::{clear, create_schema, load};

use super::SqlParam;
#[cfg(feature = "postgres")]
use crate::validate::ValidFilter;
#[cfg(feature = "postgres")]
use postgres::Client;
use tokio_postgres::types::ToSql;
#[cfg(feature = "postgres")]
use uuid::Uuid;

/// The error type of this module: the database's (connection, SQL, data).
/// The same type for both clients (`postgres::Error` is this one).
pub use tokio_postgres::Error;

/// The ids of the products matching `filter`, in `uuid` order.
#[cfg(feature = "postgres")]
pub fn select_ids(client: &mut Client, filter: &ValidFilter) -> Result<Vec<Uuid>, Error> {
    let (query, params) = statements::select_ids(filter);
    let rows = client.query(&query, &bind(&params))?;
    rows.iter().map(|row| row.try_get(0)).collect()
}

/// The parameters as the `postgres` and `tokio_postgres` crates bind them
/// (one `ToSql` trait, which both re-export).
pub fn bind(params: &[SqlParam]) -> Vec<&(dyn ToSql + Sync)> {
    params
        .iter()
        .map(|p| -> &(dyn ToSql + Sync) {
            match p {
                SqlParam::Text(v) => v,
                SqlParam::TextArray(v) => v,
                SqlParam::Uuid(v) => v,
                SqlParam::UuidArray(v) => v,
                SqlParam::Instant(v) => v,
                SqlParam::InstantArray(v) => v,
                SqlParam::Bool(v) => v,
                SqlParam::BoolArray(v) => v,
            }
        })
        .collect()
}
