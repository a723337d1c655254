//! The one mapping from attributes to a [`Product`]'s data.
//!
//! Every access evaluation makes to a product's fields is here, as
//! exhaustive `match`es without a wildcard: adding an attribute makes the
//! compiler point at this file, and a change to the `Product` struct touches
//! only this file.

use crate::catalog::Product;
use crate::json::{AttributeValue, Text};
use crate::schema::{
    CommodityType, InstantAttribute, Owner, ProductType, Status, TextAttribute, TypedField,
    UuidAttribute,
};
use chrono::{DateTime, Utc};
use uuid::Uuid;

/// The product's value of a UUID attribute.
pub(super) fn uuid(attribute: UuidAttribute, p: &Product) -> Option<Uuid> {
    match attribute {
        UuidAttribute::Id => Some(p.id),
        UuidAttribute::ParentId => p.parent_id,
    }
}

/// The product's value of an instant attribute, in UTC.
pub(super) fn instant(attribute: InstantAttribute, p: &Product) -> Option<DateTime<Utc>> {
    let t = match attribute {
        InstantAttribute::CreatedAt => p.created_at,
        InstantAttribute::UpdatedAt => p.updated_at,
    };
    t.map(|t| t.with_timezone(&Utc))
}

/// `status`.
pub(super) fn status(p: &Product) -> Option<Status> {
    p.status
}

/// `commodity_type`.
pub(super) fn commodity_type(p: &Product) -> Option<CommodityType> {
    p.commodity_type
}

/// `owner`.
pub(super) fn owner(p: &Product) -> Option<Owner> {
    p.owner
}

/// `product_types`.
pub(super) fn product_types(p: &Product) -> &[ProductType] {
    &p.product_types
}

/// `has_nodes`: the product belongs to at least one node.
pub(super) fn has_nodes(p: &Product) -> bool {
    !p.node_ids.is_empty()
}

/// The text values of a text attribute: none, one, or a list's elements.
pub(super) enum Texts<'p> {
    /// A scalar text field.
    One(Option<&'p str>),
    /// A text list.
    Many(&'p [Text]),
    /// A JSON field, compared by its text form.
    Json(Option<&'p AttributeValue>),
}

/// The product's text values of `attribute`.
pub(super) fn texts<'p>(attribute: &TextAttribute, p: &'p Product) -> Texts<'p> {
    match attribute {
        TextAttribute::Sku => Texts::One(p.sku.as_deref()),
        TextAttribute::Slug => Texts::One(p.slug.as_deref()),
        TextAttribute::UpcEan => Texts::One(p.upc_ean.as_deref()),
        TextAttribute::ManufacturerPartNum => Texts::One(p.manufacturer_part_num.as_deref()),
        TextAttribute::Name => Texts::One(p.name.as_deref()),
        TextAttribute::ExternalRef => Texts::One(p.external_ref.as_deref()),
        TextAttribute::Description => Texts::One(p.description.as_deref()),
        TextAttribute::Tags => Texts::Many(&p.tags),
        TextAttribute::Templates => Texts::Many(&p.templates),
        TextAttribute::Extension { template, field } => Texts::Json(
            p.extensions
                .get(template)
                .and_then(|fields| fields.get(field)),
        ),
        TextAttribute::ShopperAttribute { field } => Texts::Json(p.shopper_attributes.get(field)),
        TextAttribute::AdminAttribute { field } => Texts::Json(p.admin_attributes.get(field)),
    }
}

impl Texts<'_> {
    /// True when some text value passes `test`.
    pub(super) fn any(&self, mut test: impl FnMut(&str) -> bool) -> bool {
        match self {
            Texts::One(v) => v.is_some_and(test),
            Texts::Many(list) => list.iter().any(|s| test(s)),
            Texts::Json(v) => v.and_then(AttributeValue::text).is_some_and(test),
        }
    }

    /// True when there is no text value (absent, JSON `null`, empty list).
    pub(super) fn is_null(&self) -> bool {
        match self {
            Texts::One(v) => v.is_none(),
            Texts::Many(list) => list.is_empty(),
            Texts::Json(v) => v.is_none_or(|v| matches!(v, AttributeValue::Null)),
        }
    }
}

/// True when the product has no value for the attribute: absent, JSON
/// `null`, or an empty list. `has_nodes` always has one.
pub(super) fn is_null(field: &TypedField, p: &Product) -> bool {
    match field {
        TypedField::Uuid(a) => uuid(*a, p).is_none(),
        TypedField::Instant(a) => instant(*a, p).is_none(),
        TypedField::Text(a) => texts(a, p).is_null(),
        TypedField::Status => status(p).is_none(),
        TypedField::CommodityType => commodity_type(p).is_none(),
        TypedField::Owner => owner(p).is_none(),
        TypedField::ProductTypes => product_types(p).is_empty(),
        TypedField::HasNodes => false,
    }
}
