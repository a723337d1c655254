//! The one mapping from attributes to a [`Product`]'s data.
//!
//! Every access evaluation makes to a product's fields is here, as
//! exhaustive `match`es without a wildcard: adding an attribute makes the
//! compiler point at this file, and a change to the `Product` struct touches
//! only this file.

use crate::catalog::Product;
use crate::schema::{
    CommodityType, InstantAttribute, Owner, ProductType, Status, TextAttribute, TypedField,
    UuidAttribute,
};
use chrono::{DateTime, Utc};
use serde_json::Value as JsonValue;
use std::fmt::{self, Write as _};
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
    Many(&'p [String]),
    /// A JSON field, compared by its text form.
    Json(Option<&'p JsonValue>),
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
                .get(&**template)
                .and_then(|fields| fields.get(&**field)),
        ),
        TextAttribute::ShopperAttribute { field } => {
            Texts::Json(p.shopper_attributes.get(&**field))
        }
        TextAttribute::AdminAttribute { field } => Texts::Json(p.admin_attributes.get(&**field)),
    }
}

impl Texts<'_> {
    /// True when some text value passes `test`.
    pub(super) fn any(&self, mut test: impl FnMut(&str) -> bool) -> bool {
        match self {
            Texts::One(v) => v.is_some_and(test),
            Texts::Many(list) => list.iter().any(|s| test(s)),
            Texts::Json(v) => v.is_some_and(|v| json_text(v, test)),
        }
    }

    /// True when there is no text value (absent, JSON `null`, empty list).
    pub(super) fn is_null(&self) -> bool {
        match self {
            Texts::One(v) => v.is_none(),
            Texts::Many(list) => list.is_empty(),
            Texts::Json(v) => v.is_none_or(JsonValue::is_null),
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

/// Applies `test` to the text form of a JSON value: a string as itself, a
/// number as serde_json prints it, a boolean as `true`/`false`; `null`,
/// arrays and objects have none.
fn json_text(value: &JsonValue, mut test: impl FnMut(&str) -> bool) -> bool {
    match value {
        JsonValue::String(s) => test(s),
        JsonValue::Bool(b) => test(if *b { "true" } else { "false" }),
        JsonValue::Number(n) => {
            let mut buf = StackText::default();
            match write!(buf, "{n}") {
                Ok(()) => test(buf.as_str()),
                // Longer than any number serde_json prints: compare the slow way.
                Err(_) => test(&n.to_string()),
            }
        }
        JsonValue::Null | JsonValue::Array(_) | JsonValue::Object(_) => false,
    }
}

/// A small on-stack text buffer, so printing a number allocates nothing.
struct StackText {
    buf: [u8; 40],
    len: usize,
}

impl Default for StackText {
    fn default() -> Self {
        StackText {
            buf: [0; 40],
            len: 0,
        }
    }
}

impl StackText {
    fn as_str(&self) -> &str {
        self.buf
            .get(..self.len)
            .and_then(|b| std::str::from_utf8(b).ok())
            .unwrap_or_default()
    }
}

impl fmt::Write for StackText {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        let end = self.len + s.len();
        let dst = self.buf.get_mut(self.len..end).ok_or(fmt::Error)?;
        dst.copy_from_slice(s.as_bytes());
        self.len = end;
        Ok(())
    }
}
