//! The stores behind the endpoints: what each vendor's back end does
//! ([`CatalogBackend`], [`EcwidBackend`]: small async traits, so that a
//! PostgreSQL back end can stand beside the embedded one), the embedded
//! back ends over [`Durable`], and the stores that failed to open.

use crate::durable::{Doc, Durable};
use catalog_filter::catalog::{Catalog, write_compact};
use catalog_filter::ecwid::{
    self, CategoryId, EcwidError, Store, StoreLoadError, UnassignProductsRequest,
    UnassignProductsResponse,
};
use catalog_filter::elasticpath::detach::{self, DetachNodesRequest, DetachNodesResponse};
use catalog_filter::elasticpath::envelope::{ApiError, ErrorEnvelope, ErrorMeta};
use catalog_filter::schema::MAX_DEPTH;
use catalog_filter::{Limits, ValidFilter};
use serde::de::{MapAccess, Visitor};
use serde_json::value::RawValue;
use std::fmt;
use std::future::Future;
use std::io::{self, Write};
use std::ops::Range;
use std::pin::Pin;
use std::sync::Arc;

/// A back end's answer, later.
pub type Reply<T> = Pin<Box<dyn Future<Output = T> + Send>>;

/// Why a back end refused or failed.
#[derive(Debug)]
pub enum Failure<E> {
    /// The vendor's answer (4xx, or the 500 of a store that failed its checks).
    Answer(E),
    /// The server failed (the journal could not be written, ...): the
    /// vendor's 500, with the request id.
    Internal(String),
}

/// A page of the preview.
#[derive(Clone, Copy, Debug)]
pub struct Page {
    /// The first product (0-based, among the selected).
    pub offset: usize,
    /// How many products at most.
    pub limit: usize,
}

/// An Elastic Path catalog, whatever its back end.
pub trait CatalogBackend: Send + Sync + 'static {
    /// The products `filter` selects (all without one), one page of them
    /// as the JSON:API list body.
    fn preview(
        self: Arc<Self>,
        filter: Option<ValidFilter>,
        page: Page,
    ) -> Reply<Result<Vec<u8>, Failure<ErrorEnvelope>>>;
    /// `detach_nodes` with a raw body (the token already authorized).
    fn detach(
        self: Arc<Self>,
        body: String,
        limits: Limits,
    ) -> Reply<Result<DetachNodesResponse, Failure<ErrorEnvelope>>>;
    /// Makes everything durable in its final form (at shutdown).
    fn flush(self: Arc<Self>) -> Reply<io::Result<()>>;
}

/// An Ecwid store, whatever its back end.
pub trait EcwidBackend: Send + Sync + 'static {
    /// `unassignProducts` with a raw body (the token already authorized).
    fn unassign(
        self: Arc<Self>,
        category_id: CategoryId,
        body: String,
        limits: Limits,
    ) -> Reply<Result<UnassignProductsResponse, Failure<EcwidError>>>;
    /// Makes everything durable in its final form (at shutdown).
    fn flush(self: Arc<Self>) -> Reply<io::Result<()>>;
}

/// A journal entry's JSON text; a value that does not serialize is the
/// server's failure (a 500), and nothing is written.
fn journal_entry<T: serde::Serialize, E>(value: &T) -> Result<String, Failure<E>> {
    serde_json::to_string(value)
        .map_err(|e| Failure::Internal(format!("the journal entry does not serialize: {e}")))
}

/// Limits for replaying the journal: every entry was accepted once, under
/// the limits of its day; replay never refuses it for a limit.
fn replay_limits() -> Limits {
    Limits {
        max_filter_bytes: usize::MAX,
        max_conditions: usize::MAX,
        max_in_values: usize::MAX,
        max_node_ids: usize::MAX,
        max_product_ids: usize::MAX,
        max_depth: MAX_DEPTH,
        max_complexity: usize::MAX,
        max_snapshot_bytes: usize::MAX,
    }
}

/// Limits for loading the server's own snapshots (no size limit: they are
/// not requests).
fn load_limits() -> Limits {
    Limits {
        max_snapshot_bytes: usize::MAX,
        ..Limits::default()
    }
}

/// Starts a compaction of the store `durable(store)` in a blocking task
/// when enough entries wait. Called by the write's own blocking task, right
/// after the write: the handler's future is dropped when its client leaves
/// (hyper closes the connection), and the write runs on, so a check after
/// the answer would be skipped and the journal grow past `compact_after`.
/// The plan of a write run on a blocking thread, or its failure: the
/// request's own, a journal that could not be written, or a thread that
/// did not finish.
fn written_plan<P, E>(
    done: Result<io::Result<Result<P, Failure<E>>>, tokio::task::JoinError>,
) -> Result<P, Failure<E>> {
    match done {
        Ok(Ok(outcome)) => outcome,
        Ok(Err(e)) => Err(Failure::Internal(format!(
            "the journal could not be written: {e}"
        ))),
        Err(e) => Err(Failure::Internal(e.to_string())),
    }
}

fn compact_if_due<S: Send + Sync + 'static, D: Doc>(
    store: &Arc<S>,
    durable: fn(&S) -> &Durable<D>,
) {
    if durable(store).wants_compaction() {
        let store = Arc::clone(store);
        tokio::task::spawn_blocking(move || {
            if let Err(e) = durable(&store).compact() {
                tracing::error!(error = %e, "compaction failed; the journal is kept");
            }
        });
    }
}

// ---------------------------------------------------------------- Elastic Path

/// A loaded catalog and where each product's object is in its text (for
/// the preview's items, built from the members as written).
pub struct CatalogDoc {
    catalog: Catalog,
    text: Arc<String>,
    products: Vec<Range<usize>>,
}

/// The byte ranges of the product objects of a snapshot's text.
fn product_ranges(text: &str) -> Result<Vec<Range<usize>>, String> {
    #[derive(serde::Deserialize)]
    struct Top<'a> {
        #[serde(borrow, default)]
        products: Option<Vec<&'a RawValue>>,
    }
    let top: Top<'_> = serde_json::from_str(text).map_err(|e| e.to_string())?;
    let base = text.as_ptr() as usize;
    top.products
        .unwrap_or_default()
        .into_iter()
        .map(|raw| {
            // `raw` borrows from `text`: its offset is its address's.
            let start = (raw.get().as_ptr() as usize)
                .checked_sub(base)
                .ok_or("a product is outside the snapshot")?;
            Ok(start..start + raw.get().len())
        })
        .collect()
}

impl Doc for CatalogDoc {
    type Broken = ErrorEnvelope;

    fn load(text: Vec<u8>) -> Result<CatalogDoc, ErrorEnvelope> {
        let text = String::from_utf8(text).map_err(|e| unreadable(&e.to_string()))?;
        let text = Arc::new(text);
        let range = 0..text.len();
        let catalog =
            Catalog::load(Arc::clone(&text), range, &load_limits()).map_err(|e| {
                match e.integrity() {
                    Some(errors) => detach::integrity_error(errors),
                    None => unreadable(&e.to_string()),
                }
            })?;
        let products = product_ranges(&text).map_err(|e| unreadable(&e))?;
        if products.len() != catalog.products().len() {
            return Err(unreadable(
                "the products could not be located in the snapshot",
            ));
        }
        Ok(CatalogDoc {
            catalog,
            text,
            products,
        })
    }

    fn write_as_read(&self, out: &mut dyn Write) -> io::Result<()> {
        self.catalog.write_json_as_read(out)
    }

    fn replay(&mut self, entry: &str) -> Result<(), String> {
        #[derive(serde::Deserialize)]
        struct Version {
            #[serde(default)]
            v: Option<u32>,
        }
        let version: Version = serde_json::from_str(entry).map_err(|e| e.to_string())?;
        let plan = match version.v {
            Some(DETACH_ENTRY_VERSION) => {
                // The resolved effect: applied as it was, nothing checked again.
                let entry: DetachEntry = serde_json::from_str(entry).map_err(|e| e.to_string())?;
                detach::plan_resolved(&self.catalog, &entry.product_ids, &entry.node_ids)
            }
            // The request itself (journals written before entries were
            // versioned): planned again, its checks included.
            None => {
                let request: DetachNodesRequest =
                    serde_json::from_str(entry).map_err(|e| e.to_string())?;
                detach::plan(&self.catalog, &request, &replay_limits()).map_err(|e| {
                    format!(
                        "a journaled request is refused now: {}",
                        serde_json::to_string(&e).unwrap_or_else(|_| "(no detail)".into())
                    )
                })?
            }
            Some(other) => {
                return Err(format!(
                    "entry version {other} is not one this server reads ({DETACH_ENTRY_VERSION})"
                ));
            }
        };
        detach::apply(&mut self.catalog, &plan);
        Ok(())
    }
}

/// The version of [`DetachEntry`] (`"v"`; an entry without it is a
/// `DetachNodesRequest`, as journaled before).
const DETACH_ENTRY_VERSION: u32 = 2;

/// A detach's journal entry: its resolved effect, the products that lost
/// memberships and the ids of the nodes they left (replayed by
/// `detach::plan_resolved`, without the request's checks).
/// `{"v":2,"product_ids":["<uuid>",...],"node_ids":["<id>",...]}`.
#[derive(serde::Serialize, serde::Deserialize)]
struct DetachEntry {
    v: u32,
    product_ids: Vec<uuid::Uuid>,
    node_ids: Vec<String>,
}

impl DetachEntry {
    /// The effect of `plan`, made on `catalog`: its products in catalog
    /// order, the node ids in position order, each once.
    fn of(catalog: &Catalog, plan: &detach::DetachPlan) -> DetachEntry {
        let mut positions: Vec<u32> = plan
            .changes()
            .flat_map(|c| c.removed_positions.iter().copied())
            .collect();
        positions.sort_unstable();
        positions.dedup();
        DetachEntry {
            v: DETACH_ENTRY_VERSION,
            product_ids: plan.changes().map(|c| c.product_id).collect(),
            node_ids: positions
                .into_iter()
                .filter_map(|pos| catalog.node_at(pos).map(|node| node.id.clone()))
                .collect(),
        }
    }
}

/// The 500 of a catalog snapshot that is not JSON of the snapshot's shape.
fn unreadable(reason: &str) -> ErrorEnvelope {
    ErrorEnvelope::single(ApiError::internal().with_meta(ErrorMeta::message(format!(
        "the catalog snapshot does not load: {reason}"
    ))))
}

impl CatalogDoc {
    /// The catalog, without its text.
    pub fn into_catalog(self) -> Catalog {
        self.catalog
    }

    /// The preview body: `{"data":[items],"meta":{"page":{...},"results":{"total":N}}}`.
    fn preview(&self, filter: Option<&ValidFilter>, page: Page) -> Vec<u8> {
        // The page's products and the total, without a list of them all.
        let mut items = Vec::with_capacity(page.limit.min(self.catalog.products().len()));
        let mut take = |k: usize, index: usize| {
            if k >= page.offset && k - page.offset < page.limit {
                items.push(index);
            }
        };
        let total = match filter {
            Some(filter) => {
                let mut total = 0;
                for (k, (index, _)) in self.catalog.select(filter).enumerate() {
                    take(k, index);
                    total = k + 1;
                }
                total
            }
            None => {
                let total = self.catalog.products().len();
                let end = page.offset.saturating_add(page.limit).min(total);
                (page.offset.min(end)..end).for_each(|k| take(k, k));
                total
            }
        };
        let mut out = Vec::with_capacity(256 + 512 * items.len());
        out.extend_from_slice(b"{\"data\":[");
        for (n, &index) in items.iter().enumerate() {
            if n > 0 {
                out.push(b',');
            }
            self.write_item(&mut out, index);
        }
        out.extend_from_slice(
            format!(
                "],\"meta\":{{\"page\":{{\"limit\":{},\"offset\":{}}},\"results\":{{\"total\":{}}}}}}}",
                page.limit, page.offset, total
            )
            .as_bytes(),
        );
        out
    }

    /// `{"type":"product","id":ID,"attributes":{...}}`: the product's
    /// members as written (compact), `id` taken out, `node_ids` as the
    /// product's memberships now (its remaining elements as written).
    fn write_item(&self, out: &mut Vec<u8>, index: usize) {
        let Some(raw) = self
            .products
            .get(index)
            .and_then(|r| self.text.get(r.clone()))
        else {
            return;
        };
        let members = match serde_json::from_str::<Members<'_>>(raw) {
            Ok(members) => members.0,
            Err(_) => Vec::new(),
        };
        let current = self.catalog.products().get(index).map(|p| &p.node_ids);
        out.extend_from_slice(b"{\"type\":\"product\",\"id\":");
        match members.iter().find(|(k, _)| k == "id") {
            Some((_, id)) => {
                let _ = write_compact(out, id.get());
            }
            None => out.extend_from_slice(b"null"),
        }
        out.extend_from_slice(b",\"attributes\":{");
        let mut first = true;
        for (key, value) in members.iter().filter(|(k, _)| k != "id") {
            if !first {
                out.push(b',');
            }
            first = false;
            let _ = serde_json::to_writer(&mut *out, key);
            out.push(b':');
            match (key.as_str(), current) {
                ("node_ids", Some(current)) => write_kept(out, value.get(), current),
                _ => {
                    let _ = write_compact(out, value.get());
                }
            }
        }
        out.extend_from_slice(b"}}");
    }
}

/// A `node_ids` list as written, keeping the elements still in `current`.
fn write_kept(out: &mut Vec<u8>, raw: &str, current: &[catalog_filter::catalog::Text]) {
    let Ok(elements) = serde_json::from_str::<Vec<&RawValue>>(raw) else {
        let _ = write_compact(out, raw);
        return;
    };
    out.push(b'[');
    let mut first = true;
    for element in elements {
        let id: Option<String> = serde_json::from_str(element.get()).ok();
        if id.is_some_and(|id| current.iter().any(|c| c.as_ref() as &str == id)) {
            if !first {
                out.push(b',');
            }
            first = false;
            let _ = write_compact(out, element.get());
        }
    }
    out.push(b']');
}

/// An object's members in document order, values as written.
struct Members<'a>(Vec<(String, &'a RawValue)>);

impl<'de: 'a, 'a> serde::Deserialize<'de> for Members<'a> {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Members<'a>, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Members<'de>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an object")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Members<'de>, A::Error> {
                let mut members = Vec::new();
                while let Some((k, v)) = map.next_entry::<String, &'de RawValue>()? {
                    members.push((k, v));
                }
                Ok(Members(members))
            }
        }
        d.deserialize_map(V)
    }
}

/// The most products a preview selects on a runtime worker rather than on
/// a blocking thread (a select over 10,000 products takes well under a
/// millisecond).
const INLINE_PREVIEW_PRODUCTS: usize = 10_000;

/// An embedded Elastic Path catalog.
pub struct EmbeddedCatalog(pub Durable<CatalogDoc>);

impl CatalogBackend for EmbeddedCatalog {
    fn preview(
        self: Arc<Self>,
        filter: Option<ValidFilter>,
        page: Page,
    ) -> Reply<Result<Vec<u8>, Failure<ErrorEnvelope>>> {
        Box::pin(async move {
            // A small catalog's select takes microseconds: run it here,
            // without a blocking thread's handoff (benches/server_load.py,
            // sample catalog: 18-19k previews/s before, 26-36k after). A
            // large one's takes
            // milliseconds and would stall this worker's other requests.
            if self.0.read().catalog.products().len() <= INLINE_PREVIEW_PRODUCTS {
                return Ok(self.0.read().preview(filter.as_ref(), page));
            }
            tokio::task::spawn_blocking(move || Ok(self.0.read().preview(filter.as_ref(), page)))
                .await
                .unwrap_or_else(|e| Err(Failure::Internal(e.to_string())))
        })
    }

    fn detach(
        self: Arc<Self>,
        body: String,
        limits: Limits,
    ) -> Reply<Result<DetachNodesResponse, Failure<ErrorEnvelope>>> {
        Box::pin(async move {
            let store = Arc::clone(&self);
            let span = tracing::Span::current();
            let done = tokio::task::spawn_blocking(move || {
                let _span = span.enter();
                let written = store.0.write(
                    |doc| {
                        // Read as `detach --json` reads it: the ids past
                        // the limit counted, never kept.
                        let request =
                            detach::read_request(&body, &limits).map_err(Failure::Answer)?;
                        tracing::info!(
                            filter = request.data.filter.as_deref().unwrap_or_default(),
                            node_ids = request.data.node_ids.as_ref().map_or(0, Vec::len),
                            "detach_nodes"
                        );
                        let plan = detach::plan(&doc.catalog, &request, &limits)
                            .map_err(Failure::Answer)?;
                        // Never an empty entry: a failure writes nothing.
                        let entry = if plan.is_empty() {
                            None
                        } else {
                            Some(journal_entry(&DetachEntry::of(&doc.catalog, &plan))?)
                        };
                        Ok((plan, entry))
                    },
                    |doc, plan| {
                        detach::apply(&mut doc.catalog, plan);
                    },
                );
                compact_if_due(&store, |s| &s.0);
                written
            })
            .await;
            written_plan(done).map(|plan| plan.response)
        })
    }

    fn flush(self: Arc<Self>) -> Reply<io::Result<()>> {
        Box::pin(async move {
            tokio::task::spawn_blocking(move || self.0.compact())
                .await
                .map_err(io::Error::other)?
        })
    }
}

/// A catalog that failed to open: every request gets its 500.
pub struct BrokenCatalog(pub ErrorEnvelope);

impl CatalogBackend for BrokenCatalog {
    fn preview(
        self: Arc<Self>,
        _: Option<ValidFilter>,
        _: Page,
    ) -> Reply<Result<Vec<u8>, Failure<ErrorEnvelope>>> {
        Box::pin(async move { Err(Failure::Answer(self.0.clone())) })
    }

    fn detach(
        self: Arc<Self>,
        _: String,
        _: Limits,
    ) -> Reply<Result<DetachNodesResponse, Failure<ErrorEnvelope>>> {
        Box::pin(async move { Err(Failure::Answer(self.0.clone())) })
    }

    fn flush(self: Arc<Self>) -> Reply<io::Result<()>> {
        Box::pin(async { Ok(()) })
    }
}

// ---------------------------------------------------------------- Ecwid

/// A loaded Ecwid store.
pub struct EcwidDoc(Store);

impl Doc for EcwidDoc {
    type Broken = EcwidError;

    fn load(text: Vec<u8>) -> Result<EcwidDoc, EcwidError> {
        let text = String::from_utf8(text).map_err(|e| EcwidError::UnreadableStore {
            reason: e.to_string(),
        })?;
        let range = 0..text.len();
        Store::load(Arc::new(text), range, &load_limits())
            .map(EcwidDoc)
            .map_err(|e| match e {
                StoreLoadError::Invalid(e) => EcwidError::InvalidStore(e),
                other => EcwidError::UnreadableStore {
                    reason: other.to_string(),
                },
            })
    }

    fn write_as_read(&self, out: &mut dyn Write) -> io::Result<()> {
        self.0.write_json_as_read(out)
    }

    fn replay(&mut self, entry: &str) -> Result<(), String> {
        let entry: UnassignEntry = serde_json::from_str(entry).map_err(|e| e.to_string())?;
        let request = UnassignProductsRequest::new(entry.product_ids);
        let plan = ecwid::plan(&self.0, entry.category_id, &request, &replay_limits())
            .map_err(|e| e.to_string())?;
        ecwid::apply(&mut self.0, &plan);
        Ok(())
    }
}

/// An unassign's journal entry.
#[derive(serde::Serialize, serde::Deserialize)]
struct UnassignEntry {
    category_id: CategoryId,
    #[serde(rename = "productIds")]
    product_ids: Vec<ecwid::ProductId>,
}

/// An embedded Ecwid store.
pub struct EmbeddedEcwid(pub Durable<EcwidDoc>);

impl EcwidBackend for EmbeddedEcwid {
    fn unassign(
        self: Arc<Self>,
        category_id: CategoryId,
        body: String,
        limits: Limits,
    ) -> Reply<Result<UnassignProductsResponse, Failure<EcwidError>>> {
        Box::pin(async move {
            let store = Arc::clone(&self);
            let span = tracing::Span::current();
            let done = tokio::task::spawn_blocking(move || {
                let _span = span.enter();
                let written = store.0.write(
                    |doc| {
                        tracing::info!(category_id, body_bytes = body.len(), "unassignProducts");
                        // What unassign_products runs after the scope check.
                        let plan = ecwid::plan_body(&doc.0, category_id, &body, &limits)
                            .map_err(Failure::Answer)?;
                        // Never an empty entry: a failure writes nothing.
                        let entry = if plan.changes.is_empty() {
                            None
                        } else {
                            Some(journal_entry(&UnassignEntry {
                                category_id,
                                product_ids: plan.changes.iter().map(|c| c.product_id).collect(),
                            })?)
                        };
                        Ok((plan, entry))
                    },
                    |doc, plan| ecwid::apply(&mut doc.0, plan),
                );
                compact_if_due(&store, |s| &s.0);
                written
            })
            .await;
            written_plan(done).map(|plan| plan.response)
        })
    }

    fn flush(self: Arc<Self>) -> Reply<io::Result<()>> {
        Box::pin(async move {
            tokio::task::spawn_blocking(move || self.0.compact())
                .await
                .map_err(io::Error::other)?
        })
    }
}

/// An Ecwid store that failed to open: every request gets its 500.
pub struct BrokenEcwid(pub EcwidError);

impl EcwidBackend for BrokenEcwid {
    fn unassign(
        self: Arc<Self>,
        _: CategoryId,
        _: String,
        _: Limits,
    ) -> Reply<Result<UnassignProductsResponse, Failure<EcwidError>>> {
        Box::pin(async move { Err(Failure::Answer(self.0.clone())) })
    }

    fn flush(self: Arc<Self>) -> Reply<io::Result<()>> {
        Box::pin(async { Ok(()) })
    }
}

/// The Elastic Path 500 of a store that could not be opened.
pub fn internal(reason: &str) -> ErrorEnvelope {
    ErrorEnvelope::single(ApiError::internal().with_meta(ErrorMeta::message(reason.to_owned())))
}
