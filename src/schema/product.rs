//! Elastic Path's product enumerations (`status`, `commodity_type`, `owner`,
//! `product_types`): closed, lower-case value sets used both in filters and
//! in snapshots.

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
