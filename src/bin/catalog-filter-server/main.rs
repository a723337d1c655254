//! `catalog-filter-server [--listen ADDR] [--config FILE] [--state DIR]`:
//! Elastic Path's `detach_nodes` (and the product preview) and Ecwid's
//! `unassignProducts`, over durable embedded stores, behind bearer tokens.
//!
//! Without `--config` it serves the sample data of `examples/data/` with
//! the tokens of the README's curl session; `--state` defaults to
//! `target/server-state` in the repository. A store's directory there is
//! created from its initial snapshot only when absent, and reused on
//! restart. It speaks plain HTTP: put it behind a TLS-terminating proxy.
#![forbid(unsafe_code)]

mod auth;
mod config;
mod durable;
mod http;
mod pg;
mod playground;
mod stores;

use axum::extract::DefaultBodyLimit;
use axum::http::{HeaderName, Request, StatusCode};
use catalog_filter::CompilerBuilder;
use config::{Config, Vendor};
use durable::{Durable, OpenError};
use std::collections::HashMap;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;
use stores::{
    BrokenCatalog, BrokenEcwid, CatalogBackend, EcwidBackend, EmbeddedCatalog, EmbeddedEcwid,
};
use tower::ServiceBuilder;
use tower::limit::GlobalConcurrencyLimitLayer;
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::timeout::{RequestBodyTimeoutLayer, TimeoutLayer};
use tower_http::trace::{DefaultOnFailure, DefaultOnRequest, DefaultOnResponse, TraceLayer};
use tracing::Level;

const USAGE: &str = "usage: catalog-filter-server [--listen ADDR] [--config FILE] [--state DIR]

  --listen ADDR   address to listen on (default 127.0.0.1:8080; port 0 picks a free one)
  --config FILE   stores, tokens and limits (TOML); default: the sample data of examples/data/
  --state DIR     where the stores' snapshots and journals live
                  (default: target/server-state in the repository)";

struct Options {
    listen: SocketAddr,
    config: Option<PathBuf>,
    state: PathBuf,
}

fn options() -> Result<Options, String> {
    let mut listen = None;
    let mut config = None;
    let mut state = None;
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        let mut value = |slot: &mut Option<String>| -> Result<(), String> {
            let v = args.next().ok_or_else(|| format!("{arg} needs a value"))?;
            if slot.replace(v).is_some() {
                return Err(format!("{arg} given twice"));
            }
            Ok(())
        };
        match arg.as_str() {
            "--listen" => value(&mut listen)?,
            "--config" => value(&mut config)?,
            "--state" => value(&mut state)?,
            other => return Err(format!("unknown argument `{other}`")),
        }
    }
    let listen = listen.as_deref().unwrap_or("127.0.0.1:8080");
    let listen = listen
        .parse()
        .map_err(|e| format!("--listen {listen}: {e}"))?;
    let state = state
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target/server-state"));
    Ok(Options {
        listen,
        config: config.map(PathBuf::from),
        state,
    })
}

fn main() -> ExitCode {
    if std::env::args().any(|a| a == "-h" || a == "--help") {
        println!("{USAGE}");
        return ExitCode::SUCCESS;
    }
    let options = match options() {
        Ok(options) => options,
        Err(reason) => {
            eprintln!("catalog-filter-server: {reason}\n{USAGE}");
            return ExitCode::from(2);
        }
    };
    let config = match &options.config {
        Some(path) => Config::load(path),
        None => Config::sample(),
    };
    let config = match config {
        Ok(config) => config,
        Err(reason) => {
            eprintln!("catalog-filter-server: {reason}");
            return ExitCode::from(2);
        }
    };
    tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .init();
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(e) => {
            eprintln!("catalog-filter-server: cannot start the runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(serve(options, config)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(reason) => {
            eprintln!("catalog-filter-server: {reason}");
            ExitCode::FAILURE
        }
    }
}

/// The stores by name: Elastic Path catalogs, Ecwid stores.
type Stores = (
    HashMap<String, Arc<dyn CatalogBackend>>,
    HashMap<String, Arc<dyn EcwidBackend>>,
);

/// Opens every store; a store that fails is served as its 500, but a store
/// another process holds (its lock) stops the server from starting.
fn open_stores(config: &Config, state: &std::path::Path) -> Result<Stores, String> {
    let mut catalogs: HashMap<String, Arc<dyn CatalogBackend>> = HashMap::new();
    let mut ecwid: HashMap<String, Arc<dyn EcwidBackend>> = HashMap::new();
    let compaction = durable::Compaction {
        after: config.server.compact_after,
        ratio: config.server.compact_ratio,
    };
    for store in &config.stores {
        if let config::Backend::Postgres(conninfo) = &store.backend {
            let backend = open_postgres(config, store, conninfo)?;
            catalogs.insert(store.name.clone(), backend);
            continue;
        }
        let dir = state.join(&store.name);
        let initial = || config.initial_snapshot(store);
        match store.vendor {
            Vendor::Elasticpath => {
                let backend: Arc<dyn CatalogBackend> = match Durable::open(
                    &dir, initial, compaction,
                ) {
                    Ok(durable) => Arc::new(EmbeddedCatalog(durable)),
                    Err(e) => {
                        let envelope = match e {
                            OpenError::Load(envelope) => envelope,
                            OpenError::Other(reason) => {
                                tracing::error!(store = %store.name, %reason, "the store failed to open");
                                stores::internal(&reason)
                            }
                            OpenError::Locked(reason) => return Err(reason),
                        };
                        tracing::error!(store = %store.name, "the store failed to open; it answers 500");
                        Arc::new(BrokenCatalog(envelope))
                    }
                };
                catalogs.insert(store.name.clone(), backend);
            }
            Vendor::Ecwid => {
                let backend: Arc<dyn EcwidBackend> = match Durable::open(&dir, initial, compaction)
                {
                    Ok(durable) => Arc::new(EmbeddedEcwid(durable)),
                    Err(e) => {
                        let error = match e {
                            OpenError::Load(error) => error,
                            OpenError::Other(reason) => {
                                tracing::error!(store = %store.name, %reason, "the store failed to open");
                                catalog_filter::ecwid::EcwidError::UnreadableStore { reason }
                            }
                            OpenError::Locked(reason) => return Err(reason),
                        };
                        tracing::error!(store = %store.name, "the store failed to open; it answers 500");
                        Arc::new(BrokenEcwid(error))
                    }
                };
                ecwid.insert(store.name.clone(), backend);
            }
        }
    }
    Ok((catalogs, ecwid))
}

/// A PostgreSQL catalog: its initial snapshot read now (one that fails
/// its checks makes the store answer its 500), the database set up in the
/// background (the runtime's; called from `serve`).
fn open_postgres(
    config: &Config,
    store: &config::StoreConfig,
    conninfo: &str,
) -> Result<Arc<dyn CatalogBackend>, String> {
    let initial = match &store.snapshot {
        None => None,
        Some(_) => match config
            .initial_snapshot(store)
            .map_err(|reason| stores::internal(&reason))
            .and_then(<stores::CatalogDoc as durable::Doc>::load)
        {
            Ok(doc) => Some(doc.into_catalog()),
            Err(envelope) => {
                tracing::error!(store = %store.name, "the initial snapshot fails its checks; the store answers 500");
                return Ok(Arc::new(BrokenCatalog(envelope)));
            }
        },
    };
    let timeout = std::time::Duration::from_secs(config.server.timeout_secs);
    let backend = pg::PgCatalog::new(conninfo, config.server.max_concurrency, timeout, initial)
        .map_err(|reason| format!("store `{}`: {reason}", store.name))?;
    let backend = Arc::new(backend);
    backend.set_up();
    Ok(backend)
}

async fn serve(options: Options, config: Config) -> Result<(), String> {
    let (catalogs, ecwid) = open_stores(&config, &options.state)?;
    let catalogs = Arc::new(catalogs);
    let ecwid = Arc::new(ecwid);
    let app = http::App {
        tokens: Arc::new(auth::Tokens::new(&config.tokens)),
        catalogs: Arc::clone(&catalogs),
        ecwid: Arc::clone(&ecwid),
        limits: config.limits,
        compiler: CompilerBuilder::new().limits(config.limits).build(),
        playground: Arc::new(playground::Playground::new(
            &config.playground,
            config.limits,
        )?),
    };
    let timeout = Duration::from_secs(config.server.timeout_secs);
    let request_id = HeaderName::from_static("x-request-id");
    let layers = ServiceBuilder::new()
        .layer(SetRequestIdLayer::new(request_id.clone(), MakeRequestUuid))
        .layer(
            TraceLayer::new_for_http().make_span_with(|request: &Request<_>| {
                let id = request
                    .headers()
                    .get("x-request-id")
                    .and_then(|v| v.to_str().ok())
                    .unwrap_or_default();
                // The method, the path and the query's `filter` and
                // `page[...]` parameters; never a header nor any other
                // parameter (`?token=`), so never a token.
                tracing::info_span!("request", id = %id, method = %request.method(), uri = %loggable_uri(request.uri()))
            })
            .on_request(DefaultOnRequest::new().level(Level::INFO))
            .on_response(DefaultOnResponse::new().level(Level::INFO))
            .on_failure(DefaultOnFailure::new().level(Level::ERROR)),
        )
        .layer(PropagateRequestIdLayer::new(request_id))
        .layer(axum::middleware::from_fn(http::vendor_format))
        .layer(TimeoutLayer::with_status_code(StatusCode::REQUEST_TIMEOUT, timeout))
        .layer(RequestBodyTimeoutLayer::new(timeout))
        // One semaphore for the whole server: `Router::layer` clones the
        // layers onto every route, and the clones of this layer share it
        // (`ConcurrencyLimitLayer` would give each route its own limit).
        .layer(GlobalConcurrencyLimitLayer::new(config.server.max_concurrency))
        .layer(DefaultBodyLimit::max(config.limits.max_snapshot_bytes));
    let router = http::routes(app).layer(layers);
    let listener = tokio::net::TcpListener::bind(options.listen)
        .await
        .map_err(|e| format!("cannot listen on {}: {e}", options.listen))?;
    let addr = listener
        .local_addr()
        .map_err(|e| format!("cannot read the listening address: {e}"))?;
    // The first line on stdout, for people and for tests (port 0).
    println!("catalog-filter-server listening on http://{addr}");
    tracing::info!(%addr, state = %options.state.display(), "listening");
    axum::serve(listener, router)
        .with_graceful_shutdown(shutdown())
        .await
        .map_err(|e| format!("the server failed: {e}"))?;
    // Requests in flight are done: fold every journal into its snapshot.
    for store in catalogs.values() {
        if let Err(e) = Arc::clone(store).flush().await {
            tracing::error!(error = %e, "flushing a store failed; its journal is kept");
        }
    }
    for store in ecwid.values() {
        if let Err(e) = Arc::clone(store).flush().await {
            tracing::error!(error = %e, "flushing a store failed; its journal is kept");
        }
    }
    tracing::info!("stopped");
    Ok(())
}

/// What the log shows of a URI: the path, and of the query only the
/// `filter` and `page[...]` parameters, as sent (a client may put a token
/// in the query string; no other parameter is logged).
fn loggable_uri(uri: &axum::http::Uri) -> String {
    let mut out = uri.path().to_owned();
    let mut sep = '?';
    for pair in uri.query().unwrap_or_default().split('&') {
        let raw_key = pair.split('=').next().unwrap_or_default();
        let Ok(decoded) = serde_urlencoded::from_str::<Vec<(String, String)>>(raw_key) else {
            continue;
        };
        let keep = decoded
            .first()
            .is_some_and(|(key, _)| key == "filter" || key.starts_with("page["));
        if keep {
            out.push(sep);
            out.push_str(pair);
            sep = '&';
        }
    }
    out
}

/// Ctrl-C or SIGTERM.
async fn shutdown() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
    tracing::info!("shutting down: finishing requests in flight");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_log_keeps_the_filter_and_paging_only() {
        let uri = |text: &str| loggable_uri(&text.parse().unwrap());
        assert_eq!(uri("/pcm/products"), "/pcm/products");
        assert_eq!(
            uri("/pcm/products?token=s&filter=eq(a,b)&page%5Blimit%5D=1&page[offset]=2&x=s&filter"),
            "/pcm/products?filter=eq(a,b)&page%5Blimit%5D=1&page[offset]=2&filter"
        );
        assert_eq!(uri("/api/v3/1/x?token=secret"), "/api/v3/1/x");
        assert_eq!(uri("/p?tok%65n=s&&=&%FF=s"), "/p");
    }
}
