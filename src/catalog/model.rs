//! The snapshot's data types: [`Product`], [`Node`], [`Hierarchy`] and the
//! unchecked [`Snapshot`], with how a product is read from JSON.

use crate::json::{
    self, Attributes, Base, Borrowed, ExactList, Extensions, ObjectSeed, Text, TextListSeed,
    TextSeed, ValueSeed,
};
use crate::schema::parse_uuid;
use crate::schema::{CommodityType, Owner, ProductField, ProductType, Status};
use chrono::{DateTime, FixedOffset};
use serde::de::{self, DeserializeSeed, MapAccess, Visitor};
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::value::RawValue;
use std::borrow::Cow;
use std::fmt;
use uuid::Uuid;

/// A product of the catalog, as in the snapshot JSON.
///
/// Every field but `id` is optional in JSON; absent (`None`) and empty fields
/// are omitted when written, so a snapshot round-trips.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct Product {
    /// The product's id (a UUID).
    pub id: Uuid,
    /// Stock keeping unit.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sku: Option<Text>,
    /// URL slug.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub slug: Option<Text>,
    /// Display name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<Text>,
    /// UPC or EAN barcode.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub upc_ean: Option<Text>,
    /// Manufacturer part number.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub manufacturer_part_num: Option<Text>,
    /// Free-text description.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<Text>,
    /// A reference in an external system.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub external_ref: Option<Text>,
    /// `draft` or `live`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<Status>,
    /// `physical` or `digital`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub commodity_type: Option<CommodityType>,
    /// `store` or `organization`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub owner: Option<Owner>,
    /// The product's types (`standard`, `parent`, `child`, `bundle`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub product_types: Vec<ProductType>,
    /// The parent product of a child product (need not be in the snapshot).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub parent_id: Option<Uuid>,
    /// Tags.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tags: Vec<Text>,
    /// Names of the templates (flows) whose extension fields the product has.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub templates: Vec<Text>,
    /// When the product was created (RFC 3339).
    #[serde(
        default,
        serialize_with = "rfc3339_opt",
        skip_serializing_if = "Option::is_none"
    )]
    pub created_at: Option<DateTime<FixedOffset>>,
    /// When the product was last updated (RFC 3339).
    #[serde(
        default,
        serialize_with = "rfc3339_opt",
        skip_serializing_if = "Option::is_none"
    )]
    pub updated_at: Option<DateTime<FixedOffset>>,
    /// Extension fields: template name -> field name -> value
    /// (`{"book": {"isbn": "1765426"}}`).
    #[serde(default, skip_serializing_if = "Extensions::is_empty")]
    pub extensions: Extensions,
    /// Attributes shown to shoppers: field name -> value.
    #[serde(default, skip_serializing_if = "Attributes::is_empty")]
    pub shopper_attributes: Attributes,
    /// Attributes for administrators only: field name -> value.
    #[serde(default, skip_serializing_if = "Attributes::is_empty")]
    pub admin_attributes: Attributes,
    /// The (opaque) ids of the nodes the product belongs to, in snapshot order.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub node_ids: Vec<Text>,
    /// Every other JSON member of the product (must not repeat a named
    /// field). Loading a snapshot keeps them here for reading; writing a
    /// loaded catalog copies the snapshot's own text, so nothing is lost.
    #[serde(flatten)]
    pub other: Attributes,
}

impl Product {
    /// The value of a scalar text or enumeration field
    /// ([`ProductField::SCALAR_TEXT`]); `None` when it is absent, or for
    /// any other field. The one place these fields are read by name.
    #[inline]
    pub(crate) fn scalar_text(&self, field: ProductField) -> Option<&str> {
        match field {
            ProductField::Sku => self.sku.as_deref(),
            ProductField::Slug => self.slug.as_deref(),
            ProductField::Name => self.name.as_deref(),
            ProductField::UpcEan => self.upc_ean.as_deref(),
            ProductField::ManufacturerPartNum => self.manufacturer_part_num.as_deref(),
            ProductField::Description => self.description.as_deref(),
            ProductField::ExternalRef => self.external_ref.as_deref(),
            ProductField::Status => self.status.map(|v| v.as_str()),
            ProductField::CommodityType => self.commodity_type.map(|v| v.as_str()),
            ProductField::Owner => self.owner.map(|v| v.as_str()),
            _ => None,
        }
    }
}

/// A node (category) of a hierarchy.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Node {
    /// The node's opaque id.
    pub id: String,
    /// The id of the hierarchy the node belongs to.
    pub hierarchy_id: String,
    /// The parent node's id, `None` for a root node of its hierarchy.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub parent_id: Option<String>,
    /// Display name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
}

/// A hierarchy: a tree (or forest) of nodes.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Hierarchy {
    /// The hierarchy's opaque id.
    pub id: String,
    /// Display name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
}

/// An unchecked catalog snapshot: the plain data of the JSON document.
///
/// [`Catalog::new`](super::Catalog::new) checks and indexes it.
/// Deserializing a `Snapshot` directly fails at the first product id that is
/// not a UUID; [`Catalog::from_json`](super::Catalog::from_json) reports
/// every such id instead.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Snapshot {
    /// The hierarchies, in snapshot order.
    #[serde(default, deserialize_with = "null_as_default")]
    pub hierarchies: Vec<Hierarchy>,
    /// The nodes, in snapshot order.
    #[serde(default, deserialize_with = "null_as_default")]
    pub nodes: Vec<Node>,
    /// The products, in snapshot order.
    #[serde(default, deserialize_with = "null_as_default")]
    pub products: Vec<Product>,
}

/// Reads `null` as the type's default (an empty list or object).
fn null_as_default<'de, D, T>(deserializer: D) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
    T: Default + Deserialize<'de>,
{
    Ok(Option::<T>::deserialize(deserializer)?.unwrap_or_default())
}

/// Writes an optional timestamp in RFC 3339 (`Z` for a zero offset). Only
/// typed snapshots are written this way; a loaded catalog writes its
/// timestamps as they were read.
fn rfc3339_opt<S: Serializer>(
    value: &Option<DateTime<FixedOffset>>,
    serializer: S,
) -> Result<S::Ok, S::Error> {
    match value {
        Some(t) => {
            serializer.serialize_str(&t.to_rfc3339_opts(chrono::SecondsFormat::AutoSi, true))
        }
        None => serializer.serialize_none(),
    }
}

/// A product as read, with what the catalog loader needs besides the data.
pub(crate) struct ReadProduct<'de> {
    pub(crate) product: Product,
    /// The `id` as written.
    pub(crate) id_text: Cow<'de, str>,
    /// False when `id_text` is not a UUID.
    pub(crate) id_valid: bool,
    /// The `parent_id` as written, when it is not a UUID.
    pub(crate) bad_parent_id: Option<String>,
    /// The `node_ids` member's text in the input (only when reading with
    /// `raw_node_ids`).
    pub(crate) node_ids_raw: Option<&'de RawValue>,
}

/// Reads one product object: the one definition of how each member of a
/// product is read (`null` lists and objects read as empty, timestamps as
/// RFC 3339, unknown members into [`Product::other`]).
///
/// With `raw_node_ids` the `node_ids` member is also kept as its raw text,
/// borrowed from the input (so the input must be a `&str` or `&[u8]`), for
/// writing the snapshot back with only that member changed.
pub(crate) struct ProductSeed<'a> {
    pub(crate) raw_node_ids: bool,
    /// The document read from, for texts that point into it.
    pub(crate) base: Base<'a>,
}

impl<'de> DeserializeSeed<'de> for ProductSeed<'_> {
    type Value = ReadProduct<'de>;

    fn deserialize<D: Deserializer<'de>>(
        self,
        deserializer: D,
    ) -> Result<ReadProduct<'de>, D::Error> {
        deserializer.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for ProductSeed<'_> {
    type Value = ReadProduct<'de>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a product object")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<ReadProduct<'de>, A::Error> {
        let mut p = Product::default();
        let mut id: Option<Cow<'de, str>> = None;
        let mut parent: Option<Cow<'de, str>> = None;
        let mut node_ids_raw: Option<&'de RawValue> = None;
        let mut seen_node_ids = false;
        let mut other = ExactList::new();
        let base = self.base;
        while let Some(Borrowed(key)) = map.next_key::<Borrowed<'de>>()? {
            match key.as_ref() {
                "id" => {
                    if id.is_some() {
                        return Err(de::Error::duplicate_field("id"));
                    }
                    id = Some(map.next_value::<Borrowed<'de>>()?.0);
                }
                "sku" => p.sku = map.next_value_seed(TextSeed(base))?,
                "slug" => p.slug = map.next_value_seed(TextSeed(base))?,
                "name" => p.name = map.next_value_seed(TextSeed(base))?,
                "upc_ean" => p.upc_ean = map.next_value_seed(TextSeed(base))?,
                "manufacturer_part_num" => {
                    p.manufacturer_part_num = map.next_value_seed(TextSeed(base))?
                }
                "description" => p.description = map.next_value_seed(TextSeed(base))?,
                "external_ref" => p.external_ref = map.next_value_seed(TextSeed(base))?,
                "status" => p.status = map.next_value()?,
                "commodity_type" => p.commodity_type = map.next_value()?,
                "owner" => p.owner = map.next_value()?,
                "product_types" => p.product_types = or_empty(map.next_value()?),
                "parent_id" => parent = map.next_value::<Option<Borrowed<'de>>>()?.map(|t| t.0),
                "tags" => p.tags = map.next_value_seed(TextListSeed(base))?,
                "templates" => p.templates = map.next_value_seed(TextListSeed(base))?,
                "created_at" => p.created_at = timestamp(map.next_value()?)?,
                "updated_at" => p.updated_at = timestamp(map.next_value()?)?,
                "extensions" => p.extensions = map.next_value_seed(ObjectSeed::new(base))?,
                "shopper_attributes" => {
                    p.shopper_attributes = map.next_value_seed(ObjectSeed::new(base))?
                }
                "admin_attributes" => {
                    p.admin_attributes = map.next_value_seed(ObjectSeed::new(base))?
                }
                "node_ids" => {
                    if seen_node_ids {
                        return Err(de::Error::duplicate_field("node_ids"));
                    }
                    seen_node_ids = true;
                    if self.raw_node_ids {
                        let raw: &'de RawValue = map.next_value()?;
                        let mut de = serde_json::Deserializer::from_str(raw.get());
                        p.node_ids = TextListSeed(base)
                            .deserialize(&mut de)
                            .map_err(|e| json::unplaced(&e))?;
                        node_ids_raw = Some(raw);
                    } else {
                        p.node_ids = map.next_value_seed(TextListSeed(base))?;
                    }
                }
                _ => {
                    let value = map.next_value_seed(ValueSeed(base))?;
                    other.push((base.text(key), value));
                }
            }
        }
        p.other = Attributes::from_members(other.into_vec());
        let id = id.ok_or_else(|| de::Error::missing_field("id"))?;
        let parsed = parse_uuid(&id);
        let id_valid = parsed.is_some();
        p.id = parsed.unwrap_or_default();
        let mut bad_parent_id = None;
        if let Some(text) = parent {
            match parse_uuid(&text) {
                Some(uuid) => p.parent_id = Some(uuid),
                None => bad_parent_id = Some(text.into_owned()),
            }
        }
        Ok(ReadProduct {
            product: p,
            id_text: id,
            id_valid,
            bad_parent_id,
            node_ids_raw,
        })
    }
}

fn or_empty<T: Default>(value: Option<T>) -> T {
    value.unwrap_or_default()
}

fn timestamp<E: de::Error>(text: Option<Borrowed<'_>>) -> Result<Option<DateTime<FixedOffset>>, E> {
    let Some(Borrowed(text)) = text else {
        return Ok(None);
    };
    DateTime::parse_from_rfc3339(&text)
        .map(Some)
        .map_err(|e| E::custom(format!("invalid RFC 3339 timestamp {text:?}: {e}")))
}

/// Reads one product; an `id` or `parent_id` that is not a hyphenated UUID
/// is an error here (loading a catalog reports those as integrity problems
/// instead). Free-form values need a serde_json source.
impl<'de> Deserialize<'de> for Product {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Product, D::Error> {
        let read = ProductSeed {
            raw_node_ids: false,
            base: Base(None),
        }
        .deserialize(deserializer)?;
        if !read.id_valid {
            let id = read.id_text;
            return Err(de::Error::custom(format!(
                "product id {id:?} is not a UUID"
            )));
        }
        if let Some(id) = read.bad_parent_id {
            return Err(de::Error::custom(format!("parent_id {id:?} is not a UUID")));
        }
        Ok(read.product)
    }
}
