//! The catalog product's attributes, by their detach_nodes patterns: the
//! one table that says which product field an attribute pattern reads.
//! Resolved once per schema attribute when the schema is built, so a
//! compiled condition carries its field and a product is never asked by
//! pattern string.

/// A field of a catalog product (`catalog::Product`), as the attribute
/// pattern naming it resolves: what a condition on that attribute reads.
///
/// ```
/// use catalog_filter::schema::ProductField;
/// assert_eq!(ProductField::of_pattern("name"), Some(ProductField::Name));
/// assert_eq!(ProductField::of_pattern("extensions.<template>.<field>"), Some(ProductField::Extension));
/// assert_eq!(ProductField::Name.pattern(), "name");
/// assert_eq!(ProductField::of_pattern("email"), None);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub enum ProductField {
    /// `id` (UUID).
    Id,
    /// `parent_id` (UUID).
    ParentId,
    /// `sku`.
    Sku,
    /// `slug`.
    Slug,
    /// `upc_ean`.
    UpcEan,
    /// `manufacturer_part_num`.
    ManufacturerPartNum,
    /// `name`.
    Name,
    /// `external_ref`.
    ExternalRef,
    /// `description`.
    Description,
    /// `tags` (a list).
    Tags,
    /// `templates` (a list).
    Templates,
    /// `commodity_type`.
    CommodityType,
    /// `owner`.
    Owner,
    /// `status`.
    Status,
    /// `product_types` (a list).
    ProductTypes,
    /// `has_nodes`: the product belongs to at least one node.
    HasNodes,
    /// `created_at`.
    CreatedAt,
    /// `updated_at`.
    UpdatedAt,
    /// `extensions.<template>.<field>`.
    Extension,
    /// `shopper_attributes.<field>`.
    ShopperAttribute,
    /// `admin_attributes.<field>`.
    AdminAttribute,
}

/// Every field with its pattern, in declaration order.
const TABLE: [(ProductField, &str); 21] = [
    (ProductField::Id, "id"),
    (ProductField::ParentId, "parent_id"),
    (ProductField::Sku, "sku"),
    (ProductField::Slug, "slug"),
    (ProductField::UpcEan, "upc_ean"),
    (ProductField::ManufacturerPartNum, "manufacturer_part_num"),
    (ProductField::Name, "name"),
    (ProductField::ExternalRef, "external_ref"),
    (ProductField::Description, "description"),
    (ProductField::Tags, "tags"),
    (ProductField::Templates, "templates"),
    (ProductField::CommodityType, "commodity_type"),
    (ProductField::Owner, "owner"),
    (ProductField::Status, "status"),
    (ProductField::ProductTypes, "product_types"),
    (ProductField::HasNodes, "has_nodes"),
    (ProductField::CreatedAt, "created_at"),
    (ProductField::UpdatedAt, "updated_at"),
    (ProductField::Extension, "extensions.<template>.<field>"),
    (ProductField::ShopperAttribute, "shopper_attributes.<field>"),
    (ProductField::AdminAttribute, "admin_attributes.<field>"),
];

impl ProductField {
    /// The scalar text and enumeration fields (one optional text value
    /// each), in the column order of the crate's tables: what the catalog
    /// keeps as columns and DataFusion reads natively.
    pub(crate) const SCALAR_TEXT: [ProductField; 10] = [
        ProductField::Sku,
        ProductField::Slug,
        ProductField::Name,
        ProductField::UpcEan,
        ProductField::ManufacturerPartNum,
        ProductField::Description,
        ProductField::ExternalRef,
        ProductField::Status,
        ProductField::CommodityType,
        ProductField::Owner,
    ];

    /// The field an attribute pattern names (`None` for a pattern that is
    /// not one of detach_nodes').
    pub fn of_pattern(pattern: &str) -> Option<ProductField> {
        TABLE.iter().find(|(_, p)| *p == pattern).map(|(f, _)| *f)
    }

    /// The attribute pattern naming the field.
    pub fn pattern(self) -> &'static str {
        TABLE
            .iter()
            .find(|(f, _)| *f == self)
            .map_or("", |(_, p)| p)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_field_reads_back_from_its_pattern() {
        for (field, pattern) in TABLE {
            assert_eq!(ProductField::of_pattern(pattern), Some(field));
            assert_eq!(field.pattern(), pattern);
        }
    }
}
