//! The one mapping from attributes to a [`Product`]'s data: [`Record`] for
//! `Product`, dispatching on the attribute's [`ProductField`], resolved
//! from detach_nodes' attribute patterns when the schema was built and
//! carried by each compiled condition (any schema using the same patterns
//! reads the same fields; other attributes are absent). No pattern text is
//! compared per product. A change to the `Product` struct touches only
//! this file.

use super::{Record, RecordValue};
use crate::catalog::Product;
use crate::json::AttributeValue;
use crate::schema::{AttributeRef, ProductField};
use chrono::Utc;

impl Record for Product {
    #[inline]
    fn any_value(
        &self,
        a: &AttributeRef<'_>,
        visit: &mut impl FnMut(RecordValue<'_>) -> bool,
    ) -> bool {
        let p = self;
        // A free-form value as the snapshot wrote it: a string as itself, a
        // number by its text as written, a boolean as `true`/`false`; `null`,
        // arrays and objects have no value.
        fn json(
            v: Option<&AttributeValue>,
            visit: &mut impl FnMut(RecordValue<'_>) -> bool,
        ) -> bool {
            v.and_then(AttributeValue::text)
                .is_some_and(|s| visit(RecordValue::Text(s)))
        }
        match a.product_field() {
            Some(ProductField::Id) => visit(RecordValue::Uuid(p.id)),
            Some(ProductField::ParentId) => {
                p.parent_id.is_some_and(|u| visit(RecordValue::Uuid(u)))
            }
            // The scalar text and enumeration fields, read by the one
            // mapping of `Product::scalar_text`.
            Some(
                field @ (ProductField::Sku
                | ProductField::Slug
                | ProductField::UpcEan
                | ProductField::ManufacturerPartNum
                | ProductField::Name
                | ProductField::ExternalRef
                | ProductField::Description
                | ProductField::CommodityType
                | ProductField::Owner
                | ProductField::Status),
            ) => p
                .scalar_text(field)
                .is_some_and(|s| visit(RecordValue::Text(s))),
            Some(ProductField::Tags) => p.tags.iter().any(|s| visit(RecordValue::Text(s))),
            Some(ProductField::Templates) => {
                p.templates.iter().any(|s| visit(RecordValue::Text(s)))
            }
            Some(ProductField::ProductTypes) => p
                .product_types
                .iter()
                .any(|v| visit(RecordValue::Text(v.as_str()))),
            Some(ProductField::HasNodes) => visit(RecordValue::Bool(!p.node_ids.is_empty())),
            Some(ProductField::CreatedAt) => p
                .created_at
                .is_some_and(|t| visit(RecordValue::Instant(t.with_timezone(&Utc)))),
            Some(ProductField::UpdatedAt) => p
                .updated_at
                .is_some_and(|t| visit(RecordValue::Instant(t.with_timezone(&Utc)))),
            Some(
                ProductField::Extension
                | ProductField::ShopperAttribute
                | ProductField::AdminAttribute,
            ) => json(free_form(p, a).flatten(), visit),
            None => false,
        }
    }

    /// A free-form value (extension, shopper or admin attribute) is null
    /// only when its key is absent or its value is JSON `null`: an array or
    /// an object (`[]`, `{}`, `[1,2]`) is a value, though no filter text
    /// compares equal to it. Every other attribute is null when it has no
    /// value (an empty list included).
    fn is_null(&self, a: &AttributeRef<'_>) -> bool {
        match free_form(self, a) {
            Some(value) => value.is_none_or(|v| matches!(v, AttributeValue::Null)),
            None => !self.any_value(a, &mut |_| true),
        }
    }
}

/// The free-form value a free-form attribute names: `Some` for an
/// extension, shopper or admin attribute (holding `None` when the key is
/// absent), `None` for every other attribute.
fn free_form<'p>(p: &'p Product, a: &AttributeRef<'_>) -> Option<Option<&'p AttributeValue>> {
    // The captures of a free-form attribute's canonical path, whose shape
    // its pattern fixed: `extensions.<template>.<field>`,
    // `shopper_attributes.<field>`.
    let mut captures = a.path().splitn(3, '.');
    let _ = captures.next();
    match a.product_field()? {
        ProductField::Extension => Some(
            captures
                .next()
                .and_then(|t| p.extensions.get(t))
                .zip(captures.next())
                .and_then(|(fields, f)| fields.get(f)),
        ),
        ProductField::ShopperAttribute => {
            Some(captures.next().and_then(|f| p.shopper_attributes.get(f)))
        }
        ProductField::AdminAttribute => {
            Some(captures.next().and_then(|f| p.admin_attributes.get(f)))
        }
        _ => None,
    }
}
