//! The PostgreSQL back end of an Elastic Path catalog: the reference
//! schema (`sql/schema.sql`) in a database, on a pool of `tokio-postgres`
//! connections, run by `catalog_filter::sql::pg::nonblocking`.
//!
//! - At start nothing is required of the database: a task of its own
//!   creates the schema (idempotent) and loads the initial snapshot, when
//!   the config names one, into empty tables, tried again until the
//!   database is up; until then every request answers the 500 envelope.
//! - A detach is one `SERIALIZABLE` transaction (the library's), run in a
//!   task of its own, so a client that leaves does not cut it short: it
//!   commits or rolls back whole.
//! - The preview counts and pages in one `REPEATABLE READ` read-only
//!   transaction, so it sees the catalog before or after a detach, never
//!   half of one. Its products come in `id` order (the tables keep no
//!   snapshot order), each `{"type":"product","id":..,"attributes":{..}}`
//!   with the columns the table keeps (those that are not NULL) and
//!   `node_ids` in the snapshot's order.
//! - A connection whose backend is gone (terminated, the database
//!   restarted) fails its request with the 500 and is dropped, not
//!   returned to the pool (any connection whose request failed in the
//!   database is); the next request gets a new one.

use crate::stores::{CatalogBackend, Failure, Page, Reply};
use catalog_filter::catalog::Catalog;
use catalog_filter::elasticpath::detach::{self, DetachNodesResponse};
use catalog_filter::elasticpath::envelope::ErrorEnvelope;
use catalog_filter::sql::pg::{self, DetachError, nonblocking};
use catalog_filter::sql::{RenderOptions, render_with};
use catalog_filter::{Limits, ValidFilter};
use deadpool_postgres::{Manager, ManagerConfig, Pool, RecyclingMethod, Runtime};
use std::io;
use std::str::FromStr;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio_postgres::types::ToSql;
use tokio_postgres::{IsolationLevel, NoTls};

/// An Elastic Path catalog in PostgreSQL.
pub struct PgCatalog {
    pool: Pool,
    /// The connection of the set-up (no statement timeout: loading a large
    /// snapshot takes as long as it takes).
    setup: tokio_postgres::Config,
    /// Set once the schema exists and the initial snapshot is in.
    ready: AtomicBool,
    /// The initial snapshot, until it is loaded (or found unneeded).
    initial: Mutex<Option<Catalog>>,
}

impl PgCatalog {
    /// A catalog served from the database `conninfo` names, with at most
    /// `connections` connections; `initial` is loaded into empty tables.
    /// Every wait is bounded by `timeout` (the request timeout): a
    /// connection from the pool, a new connection, and each statement of
    /// a request (`statement_timeout`, so a query whose request has timed
    /// out does not run on). Fails only on a connection string that does
    /// not parse (the config checked it already).
    pub fn new(
        conninfo: &str,
        connections: usize,
        timeout: Duration,
        initial: Option<Catalog>,
    ) -> Result<PgCatalog, String> {
        let mut setup = tokio_postgres::Config::from_str(conninfo)
            .map_err(|e| format!("the PostgreSQL connection string does not parse: {e}"))?;
        setup.connect_timeout(timeout);
        let mut requests = setup.clone();
        let options = requests
            .get_options()
            .map(|o| format!("{o} "))
            .unwrap_or_default();
        requests.options(format!(
            "{options}-c statement_timeout={}",
            timeout.as_millis()
        ));
        let manager = Manager::from_config(
            requests,
            NoTls,
            ManagerConfig {
                // Fast: a connection whose backend is gone reports itself
                // closed, and is dropped instead of reused.
                recycling_method: RecyclingMethod::Fast,
            },
        );
        let pool = Pool::builder(manager)
            .max_size(connections.max(1))
            .runtime(Runtime::Tokio1)
            .wait_timeout(Some(timeout))
            .create_timeout(Some(timeout))
            .recycle_timeout(Some(timeout))
            .build()
            .map_err(|e| format!("the PostgreSQL pool cannot be built: {e}"))?;
        Ok(PgCatalog {
            pool,
            setup,
            ready: AtomicBool::new(false),
            initial: Mutex::new(initial),
        })
    }

    /// Sets the database up in a task of its own: creates the schema and
    /// loads the initial snapshot into empty tables, tried again (after 1
    /// s, doubling up to 30 s) until it succeeds. Not in a request: a
    /// request's timeout would cancel a long load, over and over.
    pub fn set_up(self: &Arc<Self>) {
        let store = Arc::clone(self);
        tokio::spawn(async move {
            let mut wait = Duration::from_secs(1);
            loop {
                match store.initialize().await {
                    Ok(()) => {
                        store.ready.store(true, Ordering::Release);
                        return;
                    }
                    Err(reason) => {
                        tracing::error!(%reason, retry_in = ?wait, "the PostgreSQL catalog is not set up");
                        tokio::time::sleep(wait).await;
                        wait = (wait * 2).min(Duration::from_secs(30));
                    }
                }
            }
        });
    }

    /// One try of [`PgCatalog::set_up`].
    async fn initialize(&self) -> Result<(), String> {
        let (mut client, connection) = self
            .setup
            .connect(NoTls)
            .await
            .map_err(|e| format!("no PostgreSQL connection: {e}"))?;
        let connection = tokio::spawn(connection);
        let done = self.initialize_with(&mut client).await;
        drop(client);
        let _ = connection.await;
        done
    }

    /// [`PgCatalog::initialize`] on its connection.
    async fn initialize_with(&self, client: &mut tokio_postgres::Client) -> Result<(), String> {
        nonblocking::create_schema(client)
            .await
            .map_err(|e| format!("the schema cannot be created: {e}"))?;
        let initial = self.initial.lock().map(|mut i| i.take()).unwrap_or(None);
        let Some(catalog) = initial else {
            return Ok(());
        };
        let empty: Result<bool, _> = client
            .query_one(
                "SELECT NOT EXISTS (SELECT 1 FROM hierarchies) \
                 AND NOT EXISTS (SELECT 1 FROM products)",
                &[],
            )
            .await
            .and_then(|row| row.try_get(0));
        let loaded = match empty {
            Ok(false) => return Ok(()),
            Ok(true) => nonblocking::load(client, &catalog)
                .await
                .map_err(|e| format!("the initial snapshot does not load: {e}")),
            Err(e) => Err(format!("the tables cannot be read: {e}")),
        };
        if loaded.is_err() {
            // Tried again.
            if let Ok(mut slot) = self.initial.lock() {
                *slot = Some(catalog);
            }
        } else {
            tracing::info!("the initial snapshot is loaded into PostgreSQL");
        }
        loaded
    }

    /// A connection of the pool, once the database is set up.
    async fn client(&self) -> Result<deadpool_postgres::Object, String> {
        if !self.ready.load(Ordering::Acquire) {
            return Err("the PostgreSQL catalog is not set up yet (see the log)".into());
        }
        self.pool
            .get()
            .await
            .map_err(|e| format!("no PostgreSQL connection: {e}"))
    }
}

/// The preview's page: `$n` the limit, `$n+1` the offset, after the
/// filter's parameters.
fn page_query(sql_where: &str, first_page_param: usize) -> String {
    format!(
        "SELECT jsonb_build_object('type', 'product', 'id', products.id, 'attributes', \
             COALESCE((SELECT jsonb_object_agg(key, value) \
                       FROM jsonb_each(to_jsonb(products) - 'id') \
                       WHERE value <> 'null'::jsonb), '{{}}'::jsonb) \
             || jsonb_build_object('node_ids', COALESCE( \
                  (SELECT jsonb_agg(pn.node_id ORDER BY pn.ordinal) \
                   FROM product_nodes AS pn WHERE pn.product_id = products.id), \
                  '[]'::jsonb)))::text \
         FROM products WHERE {sql_where} ORDER BY products.id \
         LIMIT ${first_page_param} OFFSET ${}",
        first_page_param + 1
    )
}

/// What the database said, for the log: its SQLSTATE and message (the
/// error's own `Display` says only "db error").
fn db_reason(e: &tokio_postgres::Error) -> String {
    match e.as_db_error() {
        Some(db) => format!(
            "the database failed: {} ({})",
            db.message(),
            db.code().code()
        ),
        None => format!("the database failed: {e}"),
    }
}

/// Takes a connection whose request failed in the database out of the
/// pool, rather than handing it to the next request: its backend may be
/// gone (terminated, restarted) before the connection has noticed, which
/// the pool's check on return (`is_closed`) would miss.
fn discard(client: deadpool_postgres::Object) {
    drop(deadpool_postgres::Object::take(client));
}

/// One page of the preview (see the module docs), in one read-only
/// `REPEATABLE READ` transaction: the body.
async fn page_of(
    client: &mut tokio_postgres::Client,
    filter: Option<&ValidFilter>,
    page: Page,
) -> Result<Vec<u8>, tokio_postgres::Error> {
    let (sql_where, params) = match filter {
        Some(filter) => {
            let sql = render_with(filter, &RenderOptions::default());
            (sql.sql_where, sql.params)
        }
        None => ("TRUE".to_owned(), Vec::new()),
    };
    let limit = i64::try_from(page.limit).unwrap_or(i64::MAX);
    let offset = i64::try_from(page.offset).unwrap_or(i64::MAX);
    let tx = client
        .build_transaction()
        .isolation_level(IsolationLevel::RepeatableRead)
        .read_only(true)
        .start()
        .await?;
    let bound = pg::bind(&params);
    let total: i64 = tx
        .query_one(
            &format!("SELECT count(*) FROM products WHERE {sql_where}"),
            &bound,
        )
        .await?
        .try_get(0)?;
    let mut paged: Vec<&(dyn ToSql + Sync)> = bound.clone();
    paged.push(&limit);
    paged.push(&offset);
    let rows = tx
        .query(&page_query(&sql_where, params.len() + 1), &paged)
        .await?;
    tx.commit().await?;
    let mut out = Vec::with_capacity(256 + 512 * rows.len());
    out.extend_from_slice(b"{\"data\":[");
    for (n, row) in rows.iter().enumerate() {
        if n > 0 {
            out.push(b',');
        }
        let item: &str = row.try_get(0)?;
        out.extend_from_slice(item.as_bytes());
    }
    out.extend_from_slice(
        format!(
            "],\"meta\":{{\"page\":{{\"limit\":{},\"offset\":{}}},\"results\":{{\"total\":{}}}}}}}",
            page.limit, page.offset, total
        )
        .as_bytes(),
    );
    Ok(out)
}

impl CatalogBackend for PgCatalog {
    fn preview(
        self: Arc<Self>,
        filter: Option<ValidFilter>,
        page: Page,
    ) -> Reply<Result<Vec<u8>, Failure<ErrorEnvelope>>> {
        Box::pin(async move {
            let mut client = self.client().await.map_err(Failure::Internal)?;
            match page_of(&mut client, filter.as_ref(), page).await {
                Ok(body) => Ok(body),
                Err(e) => {
                    discard(client);
                    Err(Failure::Internal(db_reason(&e)))
                }
            }
        })
    }

    fn detach(
        self: Arc<Self>,
        body: String,
        limits: Limits,
    ) -> Reply<Result<DetachNodesResponse, Failure<ErrorEnvelope>>> {
        Box::pin(async move {
            // Read as `detach --json` reads it: the ids past the limit
            // counted, never kept.
            let request = detach::read_request(&body, &limits).map_err(Failure::Answer)?;
            tracing::info!(
                filter = request.data.filter.as_deref().unwrap_or_default(),
                node_ids = request.data.node_ids.as_ref().map_or(0, Vec::len),
                "detach_nodes"
            );
            // Its own task: a client that leaves does not cancel it halfway
            // (a cancelled transaction would roll back; this one finishes).
            let store = Arc::clone(&self);
            let span = tracing::Span::current();
            let done = tokio::spawn(tracing::Instrument::instrument(
                async move {
                    let mut client = store.client().await.map_err(Failure::Internal)?;
                    match nonblocking::detach(&mut client, &request, &limits).await {
                        Ok(response) => Ok(response),
                        Err(DetachError::Request(envelope)) => Err(Failure::Answer(envelope)),
                        Err(other) => {
                            discard(client);
                            let reason = match &other {
                                DetachError::Database(e) => db_reason(e),
                                other => other.to_string(),
                            };
                            // Logged here too: the request may have timed
                            // out, and its handler (which logs failures)
                            // be gone.
                            tracing::warn!(%reason, "detach_nodes failed in the database");
                            Err(Failure::Internal(reason))
                        }
                    }
                },
                span,
            ))
            .await;
            done.unwrap_or_else(|e| Err(Failure::Internal(e.to_string())))
        })
    }

    fn flush(self: Arc<Self>) -> Reply<io::Result<()>> {
        // Every answered change is committed already.
        Box::pin(async { Ok(()) })
    }
}
