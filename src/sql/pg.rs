//! Running filters and detach in PostgreSQL (feature `postgres`), with the
//! synchronous [`postgres`] client, over the reference schema
//! ([`super::SCHEMA`], `sql/schema.sql`).
//!
//! - [`create_schema`] creates the tables, [`clear`] empties them, [`load`]
//!   copies a [`Catalog`] in (one transaction, `COPY ... FROM STDIN`).
//! - [`select_ids`] runs a filter: the ids of the matching products.
//! - [`detach()`] answers a [`DetachNodesRequest`] like [`detach::plan`] +
//!   [`detach::apply`] do in memory, by [`detach_nodes`].
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
//! (`Product::other`) are not stored; JSON floats are written with a decimal
//! point ([`super::write_json`]). Text containing NUL cannot be stored:
//! `load` then fails with PostgreSQL's error, and nothing is loaded.

use super::{RenderOptions, SCHEMA, SqlParam, render_with, write_json_object};
use crate::Limits;
use crate::catalog::{Catalog, Product};
use crate::detach::{self, DetachNodesMeta, DetachNodesRequest, DetachNodesResponse};
use crate::error::ErrorEnvelope;
use crate::validate::ValidFilter;
use chrono::{DateTime, FixedOffset, SecondsFormat};
use postgres::types::ToSql;
use postgres::{Client, IsolationLevel, Transaction};
use std::collections::HashSet;
use std::io::Write as _;
use uuid::Uuid;

/// The error type of this module: the database's (connection, SQL, data).
pub use postgres::Error;

/// Creates the reference schema's tables and indexes (idempotent).
pub fn create_schema(client: &mut Client) -> Result<(), Error> {
    client.batch_execute(SCHEMA)
}

/// Empties the four tables.
pub fn clear(client: &mut Client) -> Result<(), Error> {
    client.batch_execute("TRUNCATE product_nodes, products, nodes, hierarchies")
}

/// Copies `catalog` into the (empty) tables, in one transaction: either
/// everything is loaded or nothing is.
pub fn load(client: &mut Client, catalog: &Catalog) -> Result<(), Error> {
    let mut tx = client.transaction()?;
    copy(
        &mut tx,
        "COPY hierarchies (id, name) FROM STDIN",
        catalog.hierarchies(),
        |h, line| {
            field(line, &h.id);
            opt(line, h.name.as_deref());
        },
    )?;
    copy(
        &mut tx,
        "COPY nodes (id, hierarchy_id, parent_id, name) FROM STDIN",
        catalog.nodes(),
        |n, line| {
            field(line, &n.id);
            field(line, &n.hierarchy_id);
            opt(line, n.parent_id.as_deref());
            opt(line, n.name.as_deref());
        },
    )?;
    copy(
        &mut tx,
        "COPY products (id, sku, slug, name, upc_ean, manufacturer_part_num, description, \
         external_ref, status, commodity_type, owner, product_types, parent_id, tags, \
         templates, created_at, updated_at, extensions, shopper_attributes, admin_attributes) \
         FROM STDIN",
        catalog.products(),
        product_line,
    )?;
    let memberships = catalog.products().iter().flat_map(|p| {
        p.node_ids
            .iter()
            .enumerate()
            .map(move |(i, node)| (p.id, node, i))
    });
    copy(
        &mut tx,
        "COPY product_nodes (product_id, node_id, ordinal) FROM STDIN",
        memberships,
        |(id, node, ordinal), line| {
            field(line, &id.to_string());
            field(line, node);
            field(line, &ordinal.to_string());
        },
    )?;
    tx.commit()
}

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
/// use catalog_filter::detach::DetachNodesRequest;
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

    let mut seen = HashSet::new();
    let mut nodes_detached = 0;
    let mut nodes_not_found = Vec::new();
    for id in node_ids {
        if seen.insert(id.as_str()) {
            if found.contains(id) {
                nodes_detached += 1;
            } else {
                nodes_not_found.push(id.clone());
            }
        }
    }
    Ok(Detached {
        nodes_detached,
        nodes_not_found,
        memberships_removed,
    })
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
            }
        })
        .collect()
}

/// Streams `rows` into `statement` (a `COPY ... FROM STDIN` in text format),
/// one line each, written by `line`.
fn copy<T>(
    tx: &mut Transaction<'_>,
    statement: &str,
    rows: impl IntoIterator<Item = T>,
    mut line: impl FnMut(T, &mut String),
) -> Result<(), Error> {
    let mut writer = tx.copy_in(statement)?;
    let mut buf = String::with_capacity(1 << 20);
    let mut written = true;
    for row in rows {
        line(row, &mut buf);
        // Each field ends with a tab; the last one ends the line instead.
        buf.pop();
        buf.push('\n');
        if buf.len() >= 1 << 20 {
            written = writer.write_all(buf.as_bytes()).is_ok();
            if !written {
                break;
            }
            buf.clear();
        }
    }
    if written {
        // A failed write means the server refused the data; `finish`
        // returns the server's error, which says why.
        let _ = writer.write_all(buf.as_bytes());
    }
    writer.finish()?;
    Ok(())
}

fn product_line(p: &Product, line: &mut String) {
    field(line, &p.id.to_string());
    opt(line, p.sku.as_deref());
    opt(line, p.slug.as_deref());
    opt(line, p.name.as_deref());
    opt(line, p.upc_ean.as_deref());
    opt(line, p.manufacturer_part_num.as_deref());
    opt(line, p.description.as_deref());
    opt(line, p.external_ref.as_deref());
    opt(line, p.status.map(|s| s.as_str()));
    opt(line, p.commodity_type.map(|s| s.as_str()));
    opt(line, p.owner.map(|s| s.as_str()));
    array(line, p.product_types.iter().map(|t| t.as_str()));
    opt(line, p.parent_id.map(|id| id.to_string()).as_deref());
    array(line, p.tags.iter().map(String::as_str));
    array(line, p.templates.iter().map(String::as_str));
    opt(line, p.created_at.map(instant).as_deref());
    opt(line, p.updated_at.map(instant).as_deref());
    let mut json = String::new();
    json.push('{');
    for (i, (template, fields)) in p.extensions.iter().enumerate() {
        if i > 0 {
            json.push(',');
        }
        json.push_str(&serde_json::Value::String(template.clone()).to_string());
        json.push(':');
        write_json_object(fields.iter(), &mut json);
    }
    json.push('}');
    field(line, &json);
    json.clear();
    write_json_object(p.shopper_attributes.iter(), &mut json);
    field(line, &json);
    json.clear();
    write_json_object(p.admin_attributes.iter(), &mut json);
    field(line, &json);
}

fn instant(t: DateTime<FixedOffset>) -> String {
    t.to_rfc3339_opts(SecondsFormat::AutoSi, true)
}

/// Appends one COPY text field and its tab.
fn field(line: &mut String, text: &str) {
    for ch in text.chars() {
        match ch {
            '\\' => line.push_str("\\\\"),
            '\n' => line.push_str("\\n"),
            '\r' => line.push_str("\\r"),
            '\t' => line.push_str("\\t"),
            c => line.push(c),
        }
    }
    line.push('\t');
}

/// Appends a field that may be NULL (`\N`).
fn opt(line: &mut String, text: Option<&str>) {
    match text {
        Some(t) => field(line, t),
        None => line.push_str("\\N\t"),
    }
}

/// Appends a `text[]` field: an array literal with every element quoted.
fn array<'a>(line: &mut String, items: impl Iterator<Item = &'a str>) {
    let mut literal = String::from("{");
    for (i, item) in items.enumerate() {
        if i > 0 {
            literal.push(',');
        }
        literal.push('"');
        for ch in item.chars() {
            if matches!(ch, '"' | '\\') {
                literal.push('\\');
            }
            literal.push(ch);
        }
        literal.push('"');
    }
    literal.push('}');
    field(line, &literal);
}
