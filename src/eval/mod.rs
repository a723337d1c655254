//! Evaluating a [`ValidFilter`] against products.
//!
//! The meaning of each condition:
//!
//! - Text `eq`/`in` is exact and case-sensitive.
//! - `like` is case-sensitive too, and only a leading and/or a trailing `*`
//!   is a wildcard: `*shoe*` is "contains", `shoe*` "starts with", `*shoe`
//!   "ends with", `shoe` equality, and a lone `*` (or `**`) matches any
//!   present value. A `*` anywhere else is a literal star (`*a*b*` contains
//!   `a*b`). See [`Pattern`](crate::pattern::Pattern).
//! - List attributes (`tags`, `templates`, `product_types`) match when any
//!   element does.
//! - `has_nodes` is true when the product belongs to at least one node.
//! - Instants compare as instants (whatever their offsets), ids by their
//!   128-bit value, `external_ref` bytewise.
//! - A product missing the attribute never matches, whatever the operator:
//!   an absent text field, an empty list, an absent timestamp, an absent
//!   extension field.
//! - `extensions.<t>.<f>`, `shopper_attributes.<f>` and `admin_attributes.<f>`
//!   compare the text form of the JSON value: a string as itself, a number
//!   as written in the snapshot (`1765426`, `2.5`, `1e3`,
//!   `0.9455199068242589`: a filter writing the same text matches), a
//!   boolean as `true`/`false`. `null`, arrays and objects have no text form
//!   and never match.
//!
//! Evaluation allocates nothing per product: `like` patterns are compiled
//! once, at validation, into a [`Pattern`](crate::pattern::Pattern) holding a `memchr::memmem::Finder`,
//! which finds a substring in time linear in the value whatever the pattern
//! (no regex, no backtracking).
//!
//! ```
//! use catalog_filter::catalog::Product;
//! use catalog_filter::compile;
//!
//! let filter = compile("like(name,*shoe*):eq(tags,sale)").unwrap();
//! let mut product = Product {
//!     name: Some("running shoe".into()),
//!     tags: vec!["new".into(), "sale".into()],
//!     ..Product::default()
//! };
//! assert!(filter.matches(&product));
//! product.name = Some("Running Shoe".into()); // like is case-sensitive
//! assert!(!filter.matches(&product));
//! ```

use crate::catalog::{Catalog, Product};
use crate::json::AttributeValue;
use crate::schema::Field;
use crate::syntax::Op;
use crate::validate::{ValidCondition, ValidFilter, Values};
use chrono::{DateTime, FixedOffset, Utc};

impl ValidFilter {
    /// True when `product` satisfies every condition of the filter.
    pub fn matches(&self, product: &Product) -> bool {
        self.conditions().iter().all(|c| c.matches(product))
    }
}

impl ValidCondition {
    /// True when `product` satisfies this condition. A product without the
    /// attribute never does.
    pub fn matches(&self, product: &Product) -> bool {
        let op = self.op();
        if op == Op::Like {
            return match self.pattern() {
                Some(pattern) => text_attr(self.field(), product, |s| pattern.matches(s)),
                None => false,
            };
        }
        match (self.field(), self.values()) {
            (Field::Id, Values::Uuid(v)) => compare(op, &product.id, v),
            (Field::ParentId, Values::Uuid(v)) => {
                product.parent_id.is_some_and(|id| compare(op, &id, v))
            }
            (Field::Status, Values::Status(v)) => product.status.is_some_and(|s| v.contains(&s)),
            (Field::CommodityType, Values::CommodityType(v)) => {
                product.commodity_type.is_some_and(|s| v.contains(&s))
            }
            (Field::Owner, Values::Owner(v)) => product.owner.is_some_and(|s| v.contains(&s)),
            (Field::ProductTypes, Values::ProductType(v)) => {
                product.product_types.iter().any(|t| v.contains(t))
            }
            (Field::HasNodes, Values::Bool(v)) => v.contains(&!product.node_ids.is_empty()),
            (Field::CreatedAt, Values::Instant(v)) => instant(op, product.created_at, v),
            (Field::UpdatedAt, Values::Instant(v)) => instant(op, product.updated_at, v),
            (field, Values::Text(v)) => text_attr(field, product, |s| compare_text(op, s, v)),
            _ => false,
        }
    }
}

impl Catalog {
    /// The products matching `filter`, in snapshot order, each with its index
    /// in [`Catalog::products`].
    pub fn select<'a>(
        &'a self,
        filter: &'a ValidFilter,
    ) -> impl Iterator<Item = (usize, &'a Product)> + 'a {
        self.products()
            .iter()
            .enumerate()
            .filter(move |(_, p)| filter.matches(p))
    }
}

/// Applies `test` to the text form(s) of a text-valued attribute: true when
/// any present value passes. Fields that are not text never pass.
fn text_attr(field: &Field, p: &Product, test: impl Fn(&str) -> bool) -> bool {
    let one = |v: &Option<String>| v.as_deref().is_some_and(&test);
    match field {
        Field::Sku => one(&p.sku),
        Field::Slug => one(&p.slug),
        Field::UpcEan => one(&p.upc_ean),
        Field::ManufacturerPartNum => one(&p.manufacturer_part_num),
        Field::Name => one(&p.name),
        Field::ExternalRef => one(&p.external_ref),
        Field::Description => one(&p.description),
        Field::Tags => p.tags.iter().any(|t| test(t)),
        Field::Templates => p.templates.iter().any(|t| test(t)),
        Field::Extension { template, field } => p
            .extensions
            .get(template)
            .and_then(|fields| fields.get(field))
            .is_some_and(|v| json_text(v, &test)),
        Field::ShopperAttribute { field } => p
            .shopper_attributes
            .get(field)
            .is_some_and(|v| json_text(v, &test)),
        Field::AdminAttribute { field } => p
            .admin_attributes
            .get(field)
            .is_some_and(|v| json_text(v, &test)),
        _ => false,
    }
}

/// Applies `test` to the text form of a free-form value (see the module
/// docs); `null`, arrays and objects have none.
fn json_text(value: &AttributeValue, test: impl Fn(&str) -> bool) -> bool {
    value.text().is_some_and(test)
}

/// `eq`/`in` are membership; the ordering operators compare with the single
/// value. `like` is handled by [`Pattern`], never here.
fn compare<T: Ord>(op: Op, actual: &T, values: &[T]) -> bool {
    match op {
        Op::Eq | Op::In => values.contains(actual),
        Op::Gt => values.first().is_some_and(|v| actual > v),
        Op::Ge => values.first().is_some_and(|v| actual >= v),
        Op::Lt => values.first().is_some_and(|v| actual < v),
        Op::Le => values.first().is_some_and(|v| actual <= v),
        Op::Like => false,
    }
}

/// Text comparison: `str`'s `Ord` is bytewise, which is what `external_ref`
/// ordering needs; `eq`/`in` are exact.
fn compare_text(op: Op, actual: &str, values: &[String]) -> bool {
    match op {
        Op::Eq | Op::In => values.iter().any(|v| v == actual),
        Op::Gt => values.first().is_some_and(|v| actual > v.as_str()),
        Op::Ge => values.first().is_some_and(|v| actual >= v.as_str()),
        Op::Lt => values.first().is_some_and(|v| actual < v.as_str()),
        Op::Le => values.first().is_some_and(|v| actual <= v.as_str()),
        Op::Like => false,
    }
}

fn instant(op: Op, actual: Option<DateTime<FixedOffset>>, values: &[DateTime<Utc>]) -> bool {
    actual.is_some_and(|t| compare(op, &t.with_timezone(&Utc), values))
}
