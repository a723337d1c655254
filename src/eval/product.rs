//! The one mapping from attributes to a [`Product`]'s data: [`Record`] for
//! `Product`, dispatching on detach_nodes' attribute patterns (any schema
//! using the same patterns reads the same fields; other attributes are
//! absent). A change to the `Product` struct touches only this file.

use super::{Record, RecordValue};
use crate::catalog::Product;
use crate::json::{AttributeValue, Text};
use crate::schema::AttributeRef;
use chrono::Utc;

impl Record for Product {
    fn any_value(
        &self,
        a: &AttributeRef<'_>,
        visit: &mut dyn FnMut(RecordValue<'_>) -> bool,
    ) -> bool {
        let p = self;
        let text = |v: &Option<Text>, visit: &mut dyn FnMut(RecordValue<'_>) -> bool| {
            v.as_deref().is_some_and(|s| visit(RecordValue::Text(s)))
        };
        // A free-form value as the snapshot wrote it: a string as itself, a
        // number by its text as written, a boolean as `true`/`false`; `null`,
        // arrays and objects have no value.
        let json = |v: Option<&AttributeValue>, visit: &mut dyn FnMut(RecordValue<'_>) -> bool| {
            v.and_then(AttributeValue::text)
                .is_some_and(|s| visit(RecordValue::Text(s)))
        };
        match a.pattern() {
            "id" => visit(RecordValue::Uuid(p.id)),
            "parent_id" => p.parent_id.is_some_and(|u| visit(RecordValue::Uuid(u))),
            "sku" => text(&p.sku, visit),
            "slug" => text(&p.slug, visit),
            "upc_ean" => text(&p.upc_ean, visit),
            "manufacturer_part_num" => text(&p.manufacturer_part_num, visit),
            "name" => text(&p.name, visit),
            "external_ref" => text(&p.external_ref, visit),
            "description" => text(&p.description, visit),
            "tags" => p.tags.iter().any(|s| visit(RecordValue::Text(s))),
            "templates" => p.templates.iter().any(|s| visit(RecordValue::Text(s))),
            "commodity_type" => p
                .commodity_type
                .is_some_and(|v| visit(RecordValue::Text(v.as_str()))),
            "owner" => p
                .owner
                .is_some_and(|v| visit(RecordValue::Text(v.as_str()))),
            "status" => p
                .status
                .is_some_and(|v| visit(RecordValue::Text(v.as_str()))),
            "product_types" => p
                .product_types
                .iter()
                .any(|v| visit(RecordValue::Text(v.as_str()))),
            "has_nodes" => visit(RecordValue::Bool(!p.node_ids.is_empty())),
            "created_at" => p
                .created_at
                .is_some_and(|t| visit(RecordValue::Instant(t.with_timezone(&Utc)))),
            "updated_at" => p
                .updated_at
                .is_some_and(|t| visit(RecordValue::Instant(t.with_timezone(&Utc)))),
            "extensions.<template>.<field>" => json(
                a.capture("template")
                    .and_then(|t| p.extensions.get(t))
                    .zip(a.capture("field"))
                    .and_then(|(fields, f)| fields.get(f)),
                visit,
            ),
            "shopper_attributes.<field>" => json(
                a.capture("field").and_then(|f| p.shopper_attributes.get(f)),
                visit,
            ),
            "admin_attributes.<field>" => json(
                a.capture("field").and_then(|f| p.admin_attributes.get(f)),
                visit,
            ),
            _ => false,
        }
    }
}
