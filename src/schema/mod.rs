//! The support matrix: which attributes exist, what type their values have,
//! and which operators each one supports.
//!
//! The matrix is ONE table, the `support_matrix!` invocation below, taken
//! from the vendor's detach-nodes API reference. Each
//! line of it declares a [`Field`] variant, the attribute path, its
//! [`ValueType`] and its [`OpSet`]; the same line generates the `Field` enum,
//! the [`ATTRIBUTES`] table, [`Field::spec`], [`Field::from_path`] and the
//! `Display` of the path, so adding an attribute is a one-line change (and the
//! compiler then points at every exhaustive `match` on [`Field`] that must
//! learn about it).
//!
//! Patterned attributes are declared with their parameter segments:
//! `Extension { template, field } = "extensions"` matches exactly
//! `extensions.<template>.<field>` (three segments) and
//! `ShopperAttribute { field } = "shopper_attributes"` exactly
//! `shopper_attributes.<field>` (two segments).
//!
//! ```
//! use catalog_filter::schema::{Field, ValueType};
//! use catalog_filter::syntax::Op;
//!
//! let f = Field::from_path("extensions.book.isbn").unwrap();
//! assert_eq!(f, Field::Extension { template: "book".into(), field: "isbn".into() });
//! assert_eq!(f.spec().value_type, ValueType::Text);
//! assert!(f.supports(Op::Eq) && !f.supports(Op::Like));
//! assert_eq!(f.to_string(), "extensions.book.isbn");
//! assert_eq!(Field::from_path("extensions.book"), None); // wrong shape
//! ```

mod builder;
pub mod config;
pub mod model;
mod presets;
mod value;

pub use builder::{Format, SchemaBuilder, SchemaError};
pub use model::Schema;
pub use value::{parse_instant, parse_uuid};

use crate::syntax::Op;
use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// Declares a closed, lower-case enumeration used both in filters and in
/// snapshots: `FromStr` accepts exactly the lower-case names, `Display` and
/// serde print them.
macro_rules! text_enum {
    ($(#[$doc:meta])* $name:ident { $($(#[$vdoc:meta])* $variant:ident => $text:literal),+ $(,)? }) => {
        $(#[$doc])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        pub enum $name {
            $($(#[$vdoc])* #[serde(rename = $text)] $variant),+
        }

        impl $name {
            /// Every value, in documentation order.
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            /// The value as written in filters and snapshots.
            pub const fn as_str(self) -> &'static str {
                match self { $($name::$variant => $text),+ }
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl FromStr for $name {
            type Err = UnknownEnumValue;

            /// Accepts exactly one of the lower-case names; anything else is
            /// an [`UnknownEnumValue`].
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                $name::ALL
                    .iter()
                    .copied()
                    .find(|v| v.as_str() == s)
                    .ok_or(UnknownEnumValue)
            }
        }
    };
}

/// Returned by the `FromStr` impls of the enumerated value types when the
/// text is not one of the (lower-case) names.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
#[error("not one of the allowed values")]
pub struct UnknownEnumValue;

text_enum! {
    /// A product's publication status (`status`).
    Status { /// `draft`
        Draft => "draft", /// `live`
        Live => "live" }
}

text_enum! {
    /// A product's commodity type (`commodity_type`).
    CommodityType { /// `physical`
        Physical => "physical", /// `digital`
        Digital => "digital" }
}

text_enum! {
    /// Who owns a product (`owner`).
    Owner { /// `store`
        Store => "store", /// `organization`
        Organization => "organization" }
}

text_enum! {
    /// A product type (`product_types`).
    ProductType { /// `standard`
        Standard => "standard", /// `parent`
        Parent => "parent", /// `child`
        Child => "child", /// `bundle`
        Bundle => "bundle" }
}

/// The type a value operand must have for an attribute. Values are typed by
/// [`crate::validate`]; each variant's docs give the accepted forms.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ValueType {
    /// A UUID in hyphenated form (8-4-4-4-12 hex digits, any case).
    Uuid,
    /// Any text, including the empty string.
    Text,
    /// An instant: RFC 3339 (normalised to UTC), `YYYY-MM-DD` (midnight UTC)
    /// or a non-negative integer of Unix milliseconds.
    Instant,
    /// A [`Status`]: `draft` or `live`.
    Status,
    /// A [`CommodityType`]: `physical` or `digital`.
    CommodityType,
    /// An [`Owner`]: `store` or `organization`.
    Owner,
    /// A [`ProductType`]: `standard`, `parent`, `child` or `bundle`.
    ProductType,
    /// A boolean of which only `false` is supported (the vendor filters
    /// `has_nodes` as `false` only).
    FalseOnly,
}

impl ValueType {
    /// What a value of this type looks like, for error messages.
    pub const fn expected(self) -> &'static str {
        match self {
            ValueType::Uuid => {
                "a UUID in hyphenated form, e.g. 3fa85f64-5717-4562-b3fc-2c963f66afa6"
            }
            ValueType::Text => "text",
            ValueType::Instant => {
                "an RFC 3339 timestamp (2024-01-01T00:00:00Z), a date (2024-01-01) or Unix milliseconds"
            }
            ValueType::Status => "one of draft, live",
            ValueType::CommodityType => "one of physical, digital",
            ValueType::Owner => "one of store, organization",
            ValueType::ProductType => "one of standard, parent, child, bundle",
            ValueType::FalseOnly => "false (only false is supported)",
        }
    }
}

impl fmt::Display for ValueType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.expected())
    }
}

/// A set of operators, such as the ones an attribute supports.
///
/// `Display` lists the members in the vendor's order, comma separated
/// (`eq, like, in`).
#[derive(Clone, Copy, Default, PartialEq, Eq, Hash)]
pub struct OpSet(u16);

impl OpSet {
    /// The empty set.
    pub const EMPTY: OpSet = OpSet(0);

    /// The set of the given operators.
    pub const fn of(ops: &[Op]) -> OpSet {
        let mut bits = 0u16;
        let mut i = 0;
        while i < ops.len() {
            bits |= 1 << (ops[i] as u8);
            i += 1;
        }
        OpSet(bits)
    }

    /// True when `op` is in the set.
    pub const fn contains(self, op: Op) -> bool {
        self.0 & (1 << (op as u8)) != 0
    }

    /// Number of operators in the set.
    pub const fn len(self) -> usize {
        self.0.count_ones() as usize
    }

    /// True when the set has no operator.
    pub const fn is_empty(self) -> bool {
        self.0 == 0
    }

    /// The union of two sets.
    pub const fn union(self, other: OpSet) -> OpSet {
        OpSet(self.0 | other.0)
    }

    /// The members, in the order of [`Op::ALL`] (`eq like in gt ge lt le`
    /// first).
    pub fn iter(self) -> impl Iterator<Item = Op> {
        Op::ALL.into_iter().filter(move |op| self.contains(*op))
    }
}

impl fmt::Debug for OpSet {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_set().entries(self.iter()).finish()
    }
}

impl fmt::Display for OpSet {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, op) in self.iter().enumerate() {
            if i > 0 {
                f.write_str(", ")?;
            }
            f.write_str(op.as_str())?;
        }
        Ok(())
    }
}

/// One row of the support matrix.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct AttributeSpec {
    /// The first path segment (`sku`, `extensions`).
    pub name: &'static str,
    /// Names of the segments that follow `name` (`["template", "field"]` for
    /// extensions; empty for a plain attribute). A path matches the row when
    /// it has exactly `1 + params.len()` segments.
    pub params: &'static [&'static str],
    /// The whole path pattern for messages: `sku`, `extensions.<template>.<field>`.
    pub pattern: &'static str,
    /// The type values must have.
    pub value_type: ValueType,
    /// The operators the attribute supports.
    pub ops: OpSet,
}

impl AttributeSpec {
    /// True when the attribute supports `op`.
    pub const fn supports(&self, op: Op) -> bool {
        self.ops.contains(op)
    }
}

/// Why a path names no [`Field`]; see [`resolve`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ResolveError {
    /// No row of the matrix has this first segment.
    Unknown,
    /// The first segment names a row, but the path has the wrong number of
    /// segments for it (`extensions.book`, `sku.x`).
    Shape(&'static AttributeSpec),
}

/// Maps one operator token of the matrix to an [`Op`].
macro_rules! op {
    (eq) => {
        Op::Eq
    };
    (like) => {
        Op::Like
    };
    (in) => {
        Op::In
    };
    (gt) => {
        Op::Gt
    };
    (ge) => {
        Op::Ge
    };
    (lt) => {
        Op::Lt
    };
    (le) => {
        Op::Le
    };
}

/// Builds the [`AttributeSpec`] of one matrix row.
macro_rules! spec {
    ($name:literal, [$($param:ident),*], $ty:ident, [$($op:tt)+]) => {
        AttributeSpec {
            name: $name,
            params: &[$(stringify!($param)),*],
            pattern: concat!($name $(, ".<", stringify!($param), ">")*),
            value_type: ValueType::$ty,
            ops: OpSet::of(&[$(op!($op)),+]),
        }
    };
}

/// Generates [`Field`], [`ATTRIBUTES`] and the lookups from the matrix rows.
macro_rules! support_matrix {
    ($( $variant:ident $({ $($param:ident),+ })? = $name:literal : $ty:ident [$($op:tt)+] ),+ $(,)?) => {
        /// A known attribute: one row of the support matrix, with the
        /// parameter segments of a patterned attribute.
        ///
        /// Every variant's docs give its path pattern, value type and
        /// operators. `Display` prints the path (`sku`,
        /// `extensions.book.isbn`). New attributes may be added in minor
        /// versions.
        #[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
        #[non_exhaustive]
        pub enum Field {
            $(
                #[doc = concat!("`", $name $($(, ".<", stringify!($param), ">")+)?, "`")]
                #[doc = concat!(
                    "(value type `", stringify!($ty), "`; operators: ",
                    $(stringify!($op), " ",)+ ")."
                )]
                $variant $({ $(
                    #[doc = concat!("The `<", stringify!($param), ">` segment of the path.")]
                    $param: String
                ),+ })?
            ),+
        }

        /// The support matrix: one [`AttributeSpec`] per [`Field`] variant, in
        /// declaration order.
        pub static ATTRIBUTES: &[AttributeSpec] = &[
            $( spec!($name, [$($($param),+)?], $ty, [$($op)+]) ),+
        ];

        impl Field {
            /// The attribute's row of the support matrix.
            pub fn spec(&self) -> &'static AttributeSpec {
                match self {
                    $( Field::$variant { .. } => {
                        const SPEC: AttributeSpec = spec!($name, [$($($param),+)?], $ty, [$($op)+]);
                        &SPEC
                    } )+
                }
            }
        }

        /// Resolves an attribute path against the matrix.
        ///
        /// Names are matched exactly (case-sensitively); a patterned row needs
        /// exactly its number of segments.
        pub fn resolve(path: &str) -> Result<Field, ResolveError> {
            let (head, rest) = split_head(path);
            match head {
                $( $name => {
                    const SPEC: AttributeSpec = spec!($name, [$($($param),+)?], $ty, [$($op)+]);
                    #[allow(unused_mut, unused_variables)]
                    let mut params = Params::new(rest, SPEC.params.len()).ok_or(ResolveError::Shape(&SPEC))?;
                    Ok(Field::$variant $({ $($param: params.next_owned()),+ })?)
                } )+
                _ => Err(ResolveError::Unknown),
            }
        }

        impl fmt::Display for Field {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                match self {
                    $( Field::$variant $({ $($param),+ })? => {
                        f.write_str($name)?;
                        $($( f.write_str(".")?; f.write_str($param)?; )+)?
                        Ok(())
                    } )+
                }
            }
        }
    };
}

// The support matrix (from the vendor's detach-nodes API reference). One line per attribute:
//     Variant [{ params }] = "first segment" : ValueType [operators]
// `eq` takes one value and `in` one or more for every attribute, so
// `product_types` "eq one value, in many" needs nothing special here.
support_matrix! {
    Id                        = "id"                    : Uuid          [eq in gt ge lt le],
    ParentId                  = "parent_id"             : Uuid          [eq in],
    Sku                       = "sku"                   : Text          [eq like in],
    Slug                      = "slug"                  : Text          [eq like in],
    UpcEan                    = "upc_ean"               : Text          [eq like in],
    ManufacturerPartNum       = "manufacturer_part_num" : Text          [eq like in],
    Name                      = "name"                  : Text          [eq like in],
    ExternalRef               = "external_ref"          : Text          [eq like in gt ge lt le],
    Description               = "description"           : Text          [eq like],
    Tags                      = "tags"                  : Text          [eq like in],
    Templates                 = "templates"             : Text          [eq],
    CommodityType             = "commodity_type"        : CommodityType [eq],
    Owner                     = "owner"                 : Owner         [eq],
    Status                    = "status"                : Status        [eq],
    ProductTypes              = "product_types"         : ProductType   [eq in],
    HasNodes                  = "has_nodes"             : FalseOnly     [eq],
    CreatedAt                 = "created_at"            : Instant       [eq gt ge lt le],
    UpdatedAt                 = "updated_at"            : Instant       [eq gt ge lt le],
    Extension { template, field } = "extensions"        : Text          [eq],
    ShopperAttribute { field } = "shopper_attributes"   : Text          [eq],
    AdminAttribute { field }  = "admin_attributes"      : Text          [eq],
}

impl Field {
    /// Resolves an attribute path; `None` when it names no row of the matrix
    /// (see [`resolve`] for why).
    pub fn from_path(path: &str) -> Option<Field> {
        resolve(path).ok()
    }

    /// The type values must have.
    pub fn value_type(&self) -> ValueType {
        self.spec().value_type
    }

    /// True when the attribute supports `op`.
    pub fn supports(&self, op: Op) -> bool {
        self.spec().supports(op)
    }

    /// True for attributes whose product value is a list (`tags`,
    /// `templates`, `product_types`): a condition matches when any element
    /// does, and the `contains` operators apply.
    pub fn is_list(&self) -> bool {
        matches!(self, Field::Tags | Field::Templates | Field::ProductTypes)
    }

    /// The attribute with its value type in the type: the form typed
    /// predicates, evaluation and SQL rendering work with.
    pub fn typed(&self) -> TypedField {
        self.clone().into_typed()
    }

    /// [`Field::typed`], moving the path segments instead of copying them.
    pub fn into_typed(self) -> TypedField {
        match self {
            Field::Id => TypedField::Uuid(UuidAttribute::Id),
            Field::ParentId => TypedField::Uuid(UuidAttribute::ParentId),
            Field::Sku => TypedField::Text(TextAttribute::Sku),
            Field::Slug => TypedField::Text(TextAttribute::Slug),
            Field::UpcEan => TypedField::Text(TextAttribute::UpcEan),
            Field::ManufacturerPartNum => TypedField::Text(TextAttribute::ManufacturerPartNum),
            Field::Name => TypedField::Text(TextAttribute::Name),
            Field::ExternalRef => TypedField::Text(TextAttribute::ExternalRef),
            Field::Description => TypedField::Text(TextAttribute::Description),
            Field::Tags => TypedField::Text(TextAttribute::Tags),
            Field::Templates => TypedField::Text(TextAttribute::Templates),
            Field::CommodityType => TypedField::CommodityType,
            Field::Owner => TypedField::Owner,
            Field::Status => TypedField::Status,
            Field::ProductTypes => TypedField::ProductTypes,
            Field::HasNodes => TypedField::HasNodes,
            Field::CreatedAt => TypedField::Instant(InstantAttribute::CreatedAt),
            Field::UpdatedAt => TypedField::Instant(InstantAttribute::UpdatedAt),
            Field::Extension { template, field } => TypedField::Text(TextAttribute::Extension {
                template: template.as_str().into(),
                field: field.as_str().into(),
            }),
            Field::ShopperAttribute { field } => {
                TypedField::Text(TextAttribute::ShopperAttribute {
                    field: field.as_str().into(),
                })
            }
            Field::AdminAttribute { field } => TypedField::Text(TextAttribute::AdminAttribute {
                field: field.as_str().into(),
            }),
        }
    }
}

/// An attribute, grouped by its value type, so that a typed predicate can
/// only pair an attribute with values of its type. Built by
/// [`Field::typed`]; [`TypedField::field`] goes back.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum TypedField {
    /// A UUID attribute.
    Uuid(UuidAttribute),
    /// An instant attribute.
    Instant(InstantAttribute),
    /// A text or text-list attribute.
    Text(TextAttribute),
    /// `status`.
    Status,
    /// `commodity_type`.
    CommodityType,
    /// `owner`.
    Owner,
    /// `product_types` (a list).
    ProductTypes,
    /// `has_nodes`.
    HasNodes,
}

/// The UUID attributes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum UuidAttribute {
    /// `id`.
    Id,
    /// `parent_id`.
    ParentId,
}

/// The instant attributes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum InstantAttribute {
    /// `created_at`.
    CreatedAt,
    /// `updated_at`.
    UpdatedAt,
}

/// The text attributes: scalar text, text lists (`tags`, `templates`), and
/// the text form of JSON fields (`extensions.<t>.<f>` and the shopper and
/// admin attributes).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum TextAttribute {
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
    /// `extensions.<template>.<field>`.
    Extension {
        /// The template segment.
        template: Box<str>,
        /// The field segment.
        field: Box<str>,
    },
    /// `shopper_attributes.<field>`.
    ShopperAttribute {
        /// The field segment.
        field: Box<str>,
    },
    /// `admin_attributes.<field>`.
    AdminAttribute {
        /// The field segment.
        field: Box<str>,
    },
}

impl TypedField {
    /// The attribute as a [`Field`].
    pub fn field(&self) -> Field {
        match self {
            TypedField::Uuid(UuidAttribute::Id) => Field::Id,
            TypedField::Uuid(UuidAttribute::ParentId) => Field::ParentId,
            TypedField::Instant(InstantAttribute::CreatedAt) => Field::CreatedAt,
            TypedField::Instant(InstantAttribute::UpdatedAt) => Field::UpdatedAt,
            TypedField::Text(t) => t.field(),
            TypedField::Status => Field::Status,
            TypedField::CommodityType => Field::CommodityType,
            TypedField::Owner => Field::Owner,
            TypedField::ProductTypes => Field::ProductTypes,
            TypedField::HasNodes => Field::HasNodes,
        }
    }
}

impl TextAttribute {
    /// The attribute as a [`Field`].
    pub fn field(&self) -> Field {
        match self {
            TextAttribute::Sku => Field::Sku,
            TextAttribute::Slug => Field::Slug,
            TextAttribute::UpcEan => Field::UpcEan,
            TextAttribute::ManufacturerPartNum => Field::ManufacturerPartNum,
            TextAttribute::Name => Field::Name,
            TextAttribute::ExternalRef => Field::ExternalRef,
            TextAttribute::Description => Field::Description,
            TextAttribute::Tags => Field::Tags,
            TextAttribute::Templates => Field::Templates,
            TextAttribute::Extension { template, field } => Field::Extension {
                template: template.to_string(),
                field: field.to_string(),
            },
            TextAttribute::ShopperAttribute { field } => Field::ShopperAttribute {
                field: field.to_string(),
            },
            TextAttribute::AdminAttribute { field } => Field::AdminAttribute {
                field: field.to_string(),
            },
        }
    }
}

/// Which attributes, operators and groups a filter may use: the support
/// matrix of one endpoint. Validation asks only this type, so a runtime
/// schema can replace it without touching the validator's logic.
///
/// - [`Matrix::DETACH_NODES`]: the vendor's detach_nodes table above, no OR
///   groups, only `eq like in gt ge lt le`.
/// - [`Matrix::EVERY_OPERATOR`]: the same attributes with every operator of
///   the language that fits their type, and OR groups: for tools and tests
///   of the whole language.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Matrix {
    name: &'static str,
    or_groups: bool,
    every_operator: bool,
}

impl Matrix {
    /// The detach_nodes support matrix.
    pub const DETACH_NODES: Matrix = Matrix {
        name: "detach_nodes",
        or_groups: false,
        every_operator: false,
    };

    /// Every attribute of the table with every operator that fits its type
    /// (text: `like ilike text`, ordering on text, UUIDs and instants,
    /// `contains contains_any contains_all` on lists, `is_null` on all; the
    /// JSON fields `eq in is_null`), and OR groups.
    pub const EVERY_OPERATOR: Matrix = Matrix {
        name: "every_operator",
        or_groups: true,
        every_operator: true,
    };

    /// The matrix's name, for messages (`detach_nodes`).
    pub const fn name(&self) -> &'static str {
        self.name
    }

    /// True when OR groups are allowed.
    pub const fn allows_or(&self) -> bool {
        self.or_groups
    }

    /// Resolves an attribute path (see [`resolve`]).
    pub fn resolve(&self, path: &str) -> Result<Field, ResolveError> {
        resolve(path)
    }

    /// The operators `field` supports.
    pub fn operators(&self, field: &Field) -> OpSet {
        let listed = field.spec().ops;
        if !self.every_operator {
            return listed;
        }
        const ORDERING: OpSet = OpSet::of(&[Op::Gt, Op::Ge, Op::Lt, Op::Le]);
        const LISTS: OpSet = OpSet::of(&[Op::Contains, Op::ContainsAny, Op::ContainsAll]);
        let mut ops = listed.union(OpSet::of(&[Op::Eq, Op::In, Op::IsNull]));
        match field.typed() {
            TypedField::Uuid(_) | TypedField::Instant(_) => ops = ops.union(ORDERING),
            TypedField::Text(
                TextAttribute::Extension { .. }
                | TextAttribute::ShopperAttribute { .. }
                | TextAttribute::AdminAttribute { .. },
            ) => {}
            TypedField::Text(_) => {
                ops = ops
                    .union(ORDERING)
                    .union(OpSet::of(&[Op::Like, Op::Ilike, Op::Text]));
            }
            TypedField::HasNodes => ops = OpSet::of(&[Op::Eq, Op::IsNull]),
            TypedField::Status
            | TypedField::CommodityType
            | TypedField::Owner
            | TypedField::ProductTypes => {}
        }
        if field.is_list() {
            ops = ops.union(LISTS);
        }
        ops
    }

    /// Every operator some attribute supports: an operator outside this set
    /// is refused as unsupported by the endpoint, whatever the attribute.
    pub fn all_operators(&self) -> OpSet {
        if self.every_operator {
            OpSet::of(&Op::ALL)
        } else {
            ATTRIBUTES
                .iter()
                .fold(OpSet::EMPTY, |set, spec| set.union(spec.ops))
        }
    }
}

/// Splits a path into its first segment and the rest after the first dot.
/// (A byte loop: paths are short, and this is on the hot path.)
fn split_head(path: &str) -> (&str, Option<&str>) {
    match path.bytes().position(|b| b == b'.') {
        Some(i) => match (path.get(..i), path.get(i + 1..)) {
            (Some(head), Some(rest)) => (head, Some(rest)),
            _ => (path, None),
        },
        None => (path, None),
    }
}

/// The parameter segments after a patterned attribute's name.
struct Params<'a> {
    rest: std::str::Split<'a, char>,
}

impl<'a> Params<'a> {
    /// `Some` when `rest` has exactly `count` segments (`None` rest = zero).
    fn new(rest: Option<&'a str>, count: usize) -> Option<Params<'a>> {
        let found = rest.map_or(0, |r| 1 + r.bytes().filter(|&b| b == b'.').count());
        (found == count).then(|| Params {
            rest: rest.unwrap_or_default().split('.'),
        })
    }

    /// The next segment, owned. The count was checked, so it is present.
    fn next_owned(&mut self) -> String {
        self.rest.next().unwrap_or_default().to_owned()
    }
}

/// The nearest known attribute to an unknown `path`, for "did you mean"
/// messages: the first segment is compared with every row's name by the
/// crate's shared typo rule (case-insensitive, at most two edits). The
/// suggestion keeps the path's other segments when their number fits the
/// row, else it is the row's pattern (`extensions.<template>.<field>`).
///
/// Only called on error paths.
pub fn suggest(path: &str) -> Option<String> {
    let (head, rest) = split_head(path);
    let name = crate::suggest::nearest(head, ATTRIBUTES.iter().map(|s| s.name))?;
    let spec = ATTRIBUTES.iter().find(|s| s.name == name)?;
    let rest_count = rest.map_or(0, |r| r.split('.').count());
    match rest {
        _ if rest_count != spec.params.len() => Some(spec.pattern.to_owned()),
        Some(rest) => Some(format!("{}.{rest}", spec.name)),
        None => Some(spec.name.to_owned()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_and_field_agree() {
        for spec in ATTRIBUTES {
            let path = if spec.params.is_empty() {
                spec.name.to_owned()
            } else {
                let mut p = spec.name.to_owned();
                for param in spec.params {
                    p.push('.');
                    p.push_str(param);
                }
                p
            };
            let field = Field::from_path(&path).expect("every row resolves");
            assert_eq!(field.spec(), spec);
            assert_eq!(field.to_string(), path);
        }
    }

    #[test]
    fn shapes() {
        assert_eq!(resolve("sku"), Ok(Field::Sku));
        assert_eq!(resolve("skus"), Err(ResolveError::Unknown));
        assert!(matches!(resolve("sku.x"), Err(ResolveError::Shape(s)) if s.name == "sku"));
        assert!(
            matches!(resolve("extensions.book"), Err(ResolveError::Shape(s)) if s.pattern == "extensions.<template>.<field>")
        );
        assert!(matches!(
            resolve("extensions.a.b.c"),
            Err(ResolveError::Shape(_))
        ));
        assert_eq!(
            resolve("shopper_attributes.color"),
            Ok(Field::ShopperAttribute {
                field: "color".into()
            })
        );
        assert!(matches!(
            resolve("admin_attributes"),
            Err(ResolveError::Shape(_))
        ));
        assert_eq!(resolve("SKU"), Err(ResolveError::Unknown));
    }

    #[test]
    fn suggestions() {
        assert_eq!(suggest("skus").as_deref(), Some("sku"));
        assert_eq!(suggest("SKU").as_deref(), Some("sku"));
        assert_eq!(suggest("ids").as_deref(), Some("id"));
        assert_eq!(suggest("updatedAt").as_deref(), Some("updated_at"));
        assert_eq!(
            suggest("extension.book.isbn").as_deref(),
            Some("extensions.book.isbn")
        );
        assert_eq!(
            suggest("extension.book").as_deref(),
            Some("extensions.<template>.<field>")
        );
        assert_eq!(suggest("colour"), None);
        assert_eq!(suggest("x"), None);
    }

    #[test]
    fn op_set() {
        let s = OpSet::of(&[Op::In, Op::Eq]);
        assert_eq!(s.to_string(), "eq, in");
        assert_eq!(s.len(), 2);
        assert!(s.contains(Op::In) && !s.contains(Op::Like));
        assert!(OpSet::EMPTY.is_empty());
    }
}
