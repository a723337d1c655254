//! Loading a snapshot straight from its bytes, and writing it back.
//!
//! The catalog keeps the document it was read from. Writing copies that
//! text and splices in only the `node_ids` lists that an operation changed,
//! so every other byte comes back as it was read: unknown members (of the
//! top level, hierarchies, nodes and products), member order, numbers with
//! their exact text, strings and timestamps as written, `null` and empty
//! lists. A changed list keeps its remaining elements as written.

use super::Catalog;
use super::integrity::{self, IntegrityError, IntegrityErrors, ReadProblems};
use super::model::{Hierarchy, Node, Product, ProductSeed, Snapshot};
use crate::json::{self, Base, Borrowed, Source, Spans, Text};
use crate::limits::Limits;
use serde::de::{self, DeserializeSeed, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::value::RawValue;
use std::fmt;
use std::ops::Range;
use std::sync::Arc;

/// Why a snapshot could not be loaded.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum CatalogError {
    /// The document is larger than [`Limits::max_snapshot_bytes`]; nothing
    /// was parsed.
    #[error("catalog snapshot is {bytes} bytes; the limit is {limit} (max_snapshot_bytes)")]
    TooLarge {
        /// The document's size.
        bytes: usize,
        /// The limit.
        limit: usize,
    },
    /// The document is not UTF-8.
    #[error("catalog snapshot is not UTF-8: {0}")]
    NotUtf8(#[from] std::string::FromUtf8Error),
    /// The document is not JSON of the snapshot's shape (the message says
    /// which line and column).
    #[error("catalog snapshot is not valid: {0}")]
    Json(#[from] serde_json::Error),
    /// The document is well-formed but fails its integrity checks.
    #[error(transparent)]
    Integrity(#[from] IntegrityErrors),
}

impl From<json::DocumentError> for CatalogError {
    fn from(e: json::DocumentError) -> CatalogError {
        match e {
            json::DocumentError::TooLarge { bytes, limit } => {
                CatalogError::TooLarge { bytes, limit }
            }
            json::DocumentError::NotUtf8(e) => CatalogError::NotUtf8(e),
            json::DocumentError::Text(e) => CatalogError::Json(e.into_serde()),
        }
    }
}

impl CatalogError {
    /// The integrity problems, if that is what went wrong.
    pub fn integrity(&self) -> Option<&IntegrityErrors> {
        match self {
            CatalogError::Integrity(e) => Some(e),
            _ => None,
        }
    }
}

/// The parts read from a document, before the integrity checks.
struct Parts {
    hierarchies: Vec<Hierarchy>,
    nodes: Vec<Node>,
    products: Vec<Product>,
    node_ids: Spans,
    problems: ReadProblems,
}

impl json::Loadable for Catalog {
    type Error = CatalogError;

    fn read(
        document: Arc<String>,
        range: Range<usize>,
        _: &Limits,
    ) -> Result<Catalog, CatalogError> {
        let (parts, _) = read(&document, range.start, Some(range.end))?;
        Catalog::finish(document, range, parts)
    }
}

json::snapshot_methods!(
    Catalog,
    CatalogError,
    "catalog",
    "node_ids",
    " Product ids and parent ids that are not UUIDs are integrity problems reported with all others, not JSON errors.",
    ""
);

impl Catalog {
    /// Loads the snapshot object that starts at byte `start` of `document`
    /// and ends wherever its closing brace is (for a snapshot embedded in a
    /// larger document, such as a request envelope, read in the same pass
    /// that finds its end). `None` when the text there is not JSON of the
    /// snapshot's shape; otherwise the load's result and the snapshot's
    /// range. Unlike [`Catalog::load`] no size limit applies: the caller
    /// has the whole document in memory already.
    pub fn load_embedded(
        document: &Arc<String>,
        start: usize,
    ) -> Option<(Result<Catalog, CatalogError>, Range<usize>)> {
        let (parts, end) = read(document, start, None).ok()?;
        let range = start..end;
        if let Err(e) = json::check_text(document, range.clone()) {
            return Some((Err(CatalogError::Json(e.into_serde())), range));
        }
        Some((
            Catalog::finish(Arc::clone(document), range.clone(), parts),
            range,
        ))
    }

    /// Checks and indexes what was read from `document[range]`.
    fn finish(
        document: Arc<String>,
        range: Range<usize>,
        parts: Parts,
    ) -> Result<Catalog, CatalogError> {
        let checked = integrity::check(
            &parts.hierarchies,
            &parts.nodes,
            &parts.products,
            parts.problems,
        )?;
        let doc = Source::new(document, range, parts.node_ids, parts.products.len());
        Ok(Catalog::index(
            doc,
            parts.hierarchies,
            parts.nodes,
            parts.products,
            checked,
        ))
    }

    /// Like [`Catalog::from_json`], from a parsed JSON value (numbers as
    /// `serde_json::Value` holds them).
    pub fn from_value(json: serde_json::Value) -> Result<Catalog, CatalogError> {
        Catalog::from_string(serde_json::to_string(&json)?)
    }

    /// Checks `snapshot` and indexes it, or returns every problem. The
    /// catalog is the snapshot's JSON (as serde writes it) loaded back.
    pub fn new(snapshot: Snapshot) -> Result<Catalog, CatalogError> {
        Catalog::from_string(serde_json::to_string(&snapshot)?)
    }

    /// Product `i`'s `node_ids` as they are now, written from `raw`, the
    /// list as read.
    fn kept_list(&self, i: usize, raw: &str) -> Option<Vec<u8>> {
        let kept = &self.products().get(i)?.node_ids;
        Some(json::kept_list(raw, kept, |element, id: &Text| {
            serde_json::from_str::<String>(element).ok().as_deref() == Some(id.as_str())
        }))
    }
}

/// The product object `product` (JSON text) without the ids of its
/// `node_ids` list that `removed` names, every other byte as written (the
/// list's remaining elements too). `None` when `product` is not an object
/// with a `node_ids` list. (Used by the DataFusion back end, whose tables
/// keep each product's text.)
#[cfg(feature = "datafusion")]
pub(crate) fn without_node_ids(product: &str, removed: &dyn Fn(&str) -> bool) -> Option<String> {
    struct NodeIds;
    impl<'de> Visitor<'de> for NodeIds {
        type Value = Option<&'de RawValue>;
        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("a product object")
        }
        fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
            let mut found = None;
            while let Some(key) = map.next_key::<String>()? {
                if key == "node_ids" {
                    found = Some(map.next_value::<&'de RawValue>()?);
                } else {
                    map.next_value::<IgnoredAny>()?;
                }
            }
            Ok(found)
        }
    }
    let mut de = serde_json::Deserializer::from_str(product);
    let list = de::Deserializer::deserialize_map(&mut de, NodeIds).ok()??;
    let span = json::span_in(product, list.get())?;
    let elements: Vec<&RawValue> = serde_json::from_str(list.get()).ok()?;
    let mut out = String::with_capacity(product.len());
    out.push_str(product.get(..span.start)?);
    out.push('[');
    let mut first = true;
    for element in elements {
        let id: Result<String, _> = serde_json::from_str(element.get());
        if id.is_ok_and(|id| removed(&id)) {
            continue;
        }
        if !first {
            out.push(',');
        }
        first = false;
        out.push_str(element.get());
    }
    out.push(']');
    out.push_str(product.get(span.end..)?);
    Some(out)
}

/// Reads the snapshot object at `start..end` of `text` (nothing but
/// whitespace may follow it), or the one value starting at `start` when
/// `end` is `None`; returns where it ended.
fn read(
    document: &Arc<String>,
    start: usize,
    end: Option<usize>,
) -> Result<(Parts, usize), serde_json::Error> {
    let text: &str = document;
    let part = match end {
        Some(end) => text.get(start..end),
        None => text.get(start..),
    }
    .unwrap_or_default();
    let mut parts = Parts {
        hierarchies: Vec::new(),
        nodes: Vec::new(),
        products: Vec::new(),
        node_ids: Spans::default(),
        problems: ReadProblems::default(),
    };
    let mut de = serde_json::Deserializer::from_str(part);
    // Positions in the whole document, not in the part read.
    let placed = |e| json::relocate(e, text, start);
    DocumentSeed {
        base: document,
        parts: &mut parts,
    }
    .deserialize(&mut de)
    .map_err(placed)?;
    let end = match end {
        Some(end) => {
            de.end().map_err(placed)?;
            end
        }
        // A stream starts where the deserializer is: right after the value.
        None => start + de.into_iter::<IgnoredAny>().byte_offset(),
    };
    Ok((parts, end))
}

struct DocumentSeed<'a> {
    base: &'a Arc<String>,
    parts: &'a mut Parts,
}

impl<'de> DeserializeSeed<'de> for DocumentSeed<'_> {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        deserializer.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for DocumentSeed<'_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a catalog snapshot object")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        let mut seen = [false; 3];
        while let Some(Borrowed(key)) = map.next_key::<Borrowed<'de>>()? {
            let slot = match key.as_ref() {
                "hierarchies" => 0,
                "nodes" => 1,
                "products" => 2,
                _ => {
                    map.next_value::<IgnoredAny>()?;
                    continue;
                }
            };
            if std::mem::replace(&mut seen[slot], true) {
                return Err(de::Error::custom(format!("duplicate member `{key}`")));
            }
            match slot {
                0 => {
                    self.parts.hierarchies = map
                        .next_value::<Option<Vec<Hierarchy>>>()?
                        .unwrap_or_default();
                }
                1 => self.parts.nodes = map.next_value::<Option<Vec<Node>>>()?.unwrap_or_default(),
                _ => map.next_value_seed(ProductsSeed {
                    base: self.base,
                    parts: self.parts,
                })?,
            }
        }
        Ok(())
    }
}

struct ProductsSeed<'a> {
    base: &'a Arc<String>,
    parts: &'a mut Parts,
}

impl<'de> DeserializeSeed<'de> for ProductsSeed<'_> {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for ProductsSeed<'_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a list of products")
    }

    fn visit_unit<E: de::Error>(self) -> Result<(), E> {
        Ok(())
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        let parts = self.parts;
        let mut index = 0;
        while let Some(read) = seq.next_element_seed(ProductSeed {
            raw_node_ids: true,
            base: Base(Some(self.base)),
        })? {
            if !read.id_valid {
                let value = read.id_text.clone().into_owned();
                parts
                    .problems
                    .errors
                    .push(IntegrityError::InvalidProductId {
                        index,
                        value: value.clone(),
                    });
                parts.problems.bad_ids.push((index, value));
            }
            if let Some(value) = read.bad_parent_id {
                parts.problems.errors.push(IntegrityError::InvalidParentId {
                    product: read.id_text.into_owned(),
                    index,
                    value,
                });
            }
            let span = read
                .node_ids_raw
                .and_then(|raw| json::span_in(self.base, raw.get()));
            parts.node_ids.push(span);
            parts.products.push(read.product);
            index += 1;
        }
        Ok(())
    }
}

/// Serializes as the snapshot's JSON ([`Catalog::to_json`]); with a
/// serde_json serializer the text is copied as is.
impl Serialize for Catalog {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let raw = RawValue::from_string(self.to_json()).map_err(serde::ser::Error::custom)?;
        raw.serialize(serializer)
    }
}

/// Deserializing a `Catalog` runs the integrity checks; a failing snapshot
/// becomes a custom serde error carrying the [`IntegrityErrors`] text. Use
/// [`Catalog::from_json`] for typed errors. Needs a serde_json source.
impl<'de> Deserialize<'de> for Catalog {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Catalog, D::Error> {
        let raw = Box::<RawValue>::deserialize(deserializer)?;
        let text: Box<str> = raw.into();
        Catalog::from_string(text.into()).map_err(de::Error::custom)
    }
}
