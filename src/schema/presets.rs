//! The preset schemas: [`Schema::detach_nodes`] and [`Schema::orders`].
//! Both are also shipped as schema files in `examples/data/schemas/`, and
//! tests check that those load to these values.

use super::model::{Definition, Schema};
use super::op_set::OpSet;
use super::sql_target::{JsonKey, SqlTarget};
use super::value_type::ValueType;
use crate::syntax::Op;
use std::sync::LazyLock;

/// The detach_nodes preset, built once per process.
pub(crate) static DETACH_NODES: LazyLock<Schema> = LazyLock::new(build_detach_nodes);

/// The every-operator preset, built once per process.
static EVERY_OPERATOR: LazyLock<Schema> = LazyLock::new(build_every_operator);

/// `eq like in`
const TEXT_OPS: &[Op] = &[Op::Eq, Op::Like, Op::In];
/// `eq gt ge lt le`
const INSTANT_OPS: &[Op] = &[Op::Eq, Op::Gt, Op::Ge, Op::Lt, Op::Le];
/// `gt ge lt le`
const ORDERING: &[Op] = &[Op::Gt, Op::Ge, Op::Lt, Op::Le];

/// An enum's values as owned strings.
fn values(v: &[&str]) -> Vec<String> {
    v.iter().map(|s| (*s).to_owned()).collect()
}

/// A column target.
fn column(name: &str) -> SqlTarget {
    SqlTarget::Column(name.to_owned())
}

/// A JSON target: the column, then the captures as keys.
fn json(column: &str, captures: &[&str]) -> SqlTarget {
    SqlTarget::Json {
        column: column.to_owned(),
        path: captures
            .iter()
            .map(|c| JsonKey::Capture((*c).to_owned()))
            .collect(),
    }
}

impl Schema {
    /// The support matrix of Elastic Path's `detach_nodes` (the vendor's API
    /// reference, plus the shopper and admin attributes of its current
    /// spec): no OR groups, operators `eq like in gt ge lt le` only.
    ///
    /// | attribute | type | operators |
    /// |---|---|---|
    /// | `id` | uuid | eq in gt ge lt le |
    /// | `parent_id` | uuid | eq in |
    /// | `sku`, `slug`, `upc_ean`, `manufacturer_part_num`, `name` | text | eq like in |
    /// | `external_ref` | text | eq like in gt ge lt le |
    /// | `description` | text | eq like |
    /// | `tags` | text list | eq like in |
    /// | `templates` | text list | eq |
    /// | `commodity_type` | enum physical, digital | eq |
    /// | `owner` | enum store, organization | eq |
    /// | `status` | enum draft, live | eq |
    /// | `product_types` | enum list standard, parent, child, bundle | eq in |
    /// | `has_nodes` | boolean, one of `false` | eq |
    /// | `created_at`, `updated_at` | instant | eq gt ge lt le |
    /// | `extensions.<template>.<field>` | text | eq |
    /// | `shopper_attributes.<field>`, `admin_attributes.<field>` | text | eq |
    ///
    /// Built once per process; this returns a cheap clone.
    ///
    /// Each attribute names its column of the crate's PostgreSQL tables
    /// (`sql/schema.sql`); `has_nodes` is computed: a row in
    /// `product_nodes` for the product.
    pub fn detach_nodes() -> Schema {
        DETACH_NODES.clone()
    }

    /// detach_nodes' attributes with every operator of the language that
    /// fits their type, and OR groups (complexity cap 4): for tools and
    /// tests of the whole language. To each attribute's detach_nodes
    /// operators it adds `eq in is_null`; text adds `like ilike text gt ge
    /// lt le`; text lists `like ilike contains contains_any contains_all`;
    /// UUIDs and instants the orderings; enum lists the `contains`
    /// operators. The JSON attributes (extensions, shopper and admin
    /// attributes) get `eq in is_null`, `has_nodes` `eq is_null`.
    /// Built once per process; this returns a cheap clone.
    pub fn every_operator() -> Schema {
        EVERY_OPERATOR.clone()
    }

    /// The orders matrix of the vendor's filter library (its README), as an
    /// example of a user schema: OR groups allowed, complexity cap 4.
    ///
    /// | attribute | type | operators |
    /// |---|---|---|
    /// | `status` | enum incomplete, complete, processing, cancelled | eq |
    /// | `payment`, `shipping`, `currency`, `product_id`, `product_sku` | text | eq |
    /// | `name`, `email`, `customer_id`, `account_id`, `account_member_id`, `contact.name`, `contact.email`, `shipping_postcode`, `billing_postcode` | text | eq like |
    /// | `with_tax`, `without_tax` | integer (minor units) | gt ge lt le |
    /// | `created_at`, `updated_at` | instant | eq gt ge lt le |
    ///
    /// The README gives no type for the plain fields; they are text (ids
    /// included, since they take `like`).
    pub fn orders() -> Schema {
        let mut b = Schema::builder("orders")
            .allow_or(true)
            .max_complexity(4)
            .attribute(
                "status",
                ValueType::Enum(values(&[
                    "incomplete",
                    "complete",
                    "processing",
                    "cancelled",
                ])),
                &[Op::Eq],
            )
            .attribute("payment", ValueType::Text, &[Op::Eq])
            .attribute("shipping", ValueType::Text, &[Op::Eq]);
        for name in [
            "name",
            "email",
            "customer_id",
            "account_id",
            "account_member_id",
            "contact.name",
            "contact.email",
            "shipping_postcode",
            "billing_postcode",
        ] {
            b = b.attribute(name, ValueType::Text, &[Op::Eq, Op::Like]);
        }
        for name in ["with_tax", "without_tax"] {
            b = b.attribute(name, ValueType::Integer, ORDERING);
        }
        for name in ["currency", "product_id", "product_sku"] {
            b = b.attribute(name, ValueType::Text, &[Op::Eq]);
        }
        for name in ["created_at", "updated_at"] {
            b = b.attribute(name, ValueType::Instant, INSTANT_OPS);
        }
        preset(b.build())
    }
}

/// Unwraps a preset. The presets are constants, not input: their checks
/// cannot fail at run time unless this file is wrong, which the tests of
/// the presets catch.
fn preset(built: Result<Schema, super::SchemaError>) -> Schema {
    built.expect("a preset schema passes its own checks")
}

/// Builds [`Schema::detach_nodes`].
fn build_detach_nodes() -> Schema {
    let mut b = Schema::builder("detach_nodes")
        .attribute(
            "id",
            ValueType::Uuid,
            &[Op::Eq, Op::In, Op::Gt, Op::Ge, Op::Lt, Op::Le],
        )
        .sql(column("id"))
        .attribute("parent_id", ValueType::Uuid, &[Op::Eq, Op::In])
        .sql(column("parent_id"));
    for name in ["sku", "slug", "upc_ean", "manufacturer_part_num", "name"] {
        b = b
            .attribute(name, ValueType::Text, TEXT_OPS)
            .sql(column(name));
    }
    let mut b = b
        .attribute(
            "external_ref",
            ValueType::Text,
            &[Op::Eq, Op::Like, Op::In, Op::Gt, Op::Ge, Op::Lt, Op::Le],
        )
        .sql(column("external_ref"))
        .attribute("description", ValueType::Text, &[Op::Eq, Op::Like])
        .sql(column("description"))
        .attribute("tags", ValueType::TextList, TEXT_OPS)
        .sql(column("tags"))
        .attribute("templates", ValueType::TextList, &[Op::Eq])
        .sql(column("templates"))
        .attribute(
            "commodity_type",
            ValueType::Enum(values(&["physical", "digital"])),
            &[Op::Eq],
        )
        .sql(column("commodity_type"))
        .attribute(
            "owner",
            ValueType::Enum(values(&["store", "organization"])),
            &[Op::Eq],
        )
        .sql(column("owner"))
        .attribute(
            "status",
            ValueType::Enum(values(&["draft", "live"])),
            &[Op::Eq],
        )
        .sql(column("status"))
        .attribute(
            "product_types",
            ValueType::EnumList(values(&["standard", "parent", "child", "bundle"])),
            &[Op::Eq, Op::In],
        )
        .sql(column("product_types"))
        .attribute("has_nodes", ValueType::Boolean, &[Op::Eq])
        .one_of(["false"])
        .sql(SqlTarget::Exists {
            table: "product_nodes".into(),
            column: "product_id".into(),
            key: "id".into(),
        });
    for name in ["created_at", "updated_at"] {
        b = b
            .attribute(name, ValueType::Instant, INSTANT_OPS)
            .sql(column(name));
    }
    let built = b
        .attribute("extensions.<template>.<field>", ValueType::Text, &[Op::Eq])
        .sql(json("extensions", &["template", "field"]))
        .attribute("shopper_attributes.<field>", ValueType::Text, &[Op::Eq])
        .sql(json("shopper_attributes", &["field"]))
        .attribute("admin_attributes.<field>", ValueType::Text, &[Op::Eq])
        .sql(json("admin_attributes", &["field"]))
        .build();
    preset(built)
}

/// Builds [`Schema::every_operator`] from detach_nodes.
fn build_every_operator() -> Schema {
    const ORDER: &[Op] = &[Op::Gt, Op::Ge, Op::Lt, Op::Le];
    const CONTAINS: &[Op] = &[Op::Contains, Op::ContainsAny, Op::ContainsAll];
    let mut def: Definition = (*DETACH_NODES.def).clone();
    def.name = "every_operator".into();
    def.allow_or = true;
    for a in &mut def.attributes {
        let base = OpSet::of(&[Op::Eq, Op::In, Op::IsNull]);
        let extra: &[&[Op]] = match &a.value_type {
            _ if !a.pattern.is_exact() => &[],
            ValueType::Boolean => {
                a.ops = OpSet::of(&[Op::Eq, Op::IsNull]);
                continue;
            }
            ValueType::Text => &[ORDER, &[Op::Like, Op::Ilike, Op::Text]],
            ValueType::TextList => &[&[Op::Like, Op::Ilike], CONTAINS],
            ValueType::Uuid | ValueType::Instant => &[ORDER],
            ValueType::EnumList(_) => &[CONTAINS],
            _ => &[],
        };
        a.ops = extra
            .iter()
            .fold(a.ops.union(base), |set, ops| set.union(OpSet::of(ops)));
    }
    preset(super::check::finish(def))
}
