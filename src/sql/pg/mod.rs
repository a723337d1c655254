//! Running filters and detach in PostgreSQL (feature `postgres`), with the
//! synchronous [`postgres`] client, over the reference schema
//! ([`super::SCHEMA`], `sql/schema.sql`).
//!
//! - [`create_schema`] creates the tables, [`clear`] empties them, [`load()`]
//!   copies a [`Catalog`](crate::catalog::Catalog) in (one transaction, `COPY ... FROM STDIN`).
//! - [`select_ids`] runs a filter: the ids of the matching products.
//! - [`detach()`] answers a [`DetachNodesRequest`](crate::elasticpath::detach::DetachNodesRequest) like
//!   [`elasticpath::detach::plan`](crate::elasticpath::detach::plan) +
//!   [`apply`](crate::elasticpath::detach::apply) do in memory, by [`detach_nodes`].
//! - [`detach_nodes`] removes the matched products' memberships in the
//!   named node subtrees in one transaction (a recursive CTE expands the
//!   ids into subtrees, then one `DELETE`), and
//!   answers the same counts as the in-memory plan: `nodes_detached` = the
//!   number of distinct requested ids naming a node or a hierarchy,
//!   `nodes_not_found` = the other ids, once each, in request order.
//!
//! Every filter value is a bound parameter ([`super::render`]); node ids are
//! one `text[]` parameter. Nothing a request holds reaches the SQL text.
//!
//! ```no_run
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

pub use detach::{DetachError, Detached, detach, detach_nodes};
pub use load::{clear, create_schema, load};

use super::{RenderOptions, SqlParam, render_with};
use crate::validate::ValidFilter;
use postgres::Client;
use postgres::types::ToSql;
use uuid::Uuid;

/// The error type of this module: the database's (connection, SQL, data).
pub use postgres::Error;

/// The ids of the products matching `filter`, in `uuid` order.
pub fn select_ids(client: &mut Client, filter: &ValidFilter) -> Result<Vec<Uuid>, Error> {
    let sql = render_with(filter, &RenderOptions::default());
    let query = format!(
        "SELECT products.id FROM products WHERE {} ORDER BY products.id",
        sql.sql_where
    );
    let rows = client.query(&query, &bind(&sql.params))?;
    rows.iter().map(|row| row.try_get(0)).collect()
}

/// The parameters as the `postgres` crate binds them.
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
