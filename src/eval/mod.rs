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
//! - A product missing the attribute never matches, whatever the operator
//!   (but `is_null`):
//!   an absent text field, an empty list, an absent timestamp, an absent
//!   extension field.
//! - `extensions.<t>.<f>`, `shopper_attributes.<f>` and `admin_attributes.<f>`
//!   compare the text form of the JSON value: a string as itself, a number
//!   as written in the snapshot (`1765426`, `2.5`, `1e3`,
//!   `0.9455199068242589`: a filter writing the same text matches), a
//!   boolean as `true`/`false`. `null`, arrays and objects have no text form
//!   and never match.
//!
//! - OR groups hold when one alternative does, AND when every term does.
//! - `ilike` is `like` with both sides lower-cased (Unicode's mapping);
//!   `contains` / `contains_any` hold when an element of a list equals the
//!   value / one of the values, `contains_all` when every value is an
//!   element; `text` is full-text search ([`crate::search`]); `is_null`
//!   holds when the product has no value (absent, JSON `null`, empty list).
//!
//! Every access to a product's fields is in one private module, an
//! exhaustive mapping from attributes to product data.
//!
//! Evaluation allocates nothing per product for the detach_nodes operators
//! (`ilike` on a value with upper-case letters and `text` do): `like` patterns are compiled
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

mod product;

use crate::catalog::{Catalog, Product};
use crate::validate::{
    Comparison, Members, Predicate, TextTest, ValidCondition, ValidExpr, ValidFilter,
};
use std::borrow::Cow;

impl ValidFilter {
    /// True when `product` satisfies the filter.
    pub fn matches(&self, product: &Product) -> bool {
        self.expr().matches(product)
    }
}

impl ValidExpr {
    /// True when `product` satisfies this node: every term of an `And`, one
    /// alternative of an `Or`. (Recursion follows the tree, whose depth
    /// validation bounds.)
    pub fn matches(&self, product: &Product) -> bool {
        match self {
            ValidExpr::Condition(c) => c.matches(product),
            ValidExpr::And(terms) => terms.iter().all(|t| t.matches(product)),
            ValidExpr::Or(alts) => alts.iter().any(|t| t.matches(product)),
        }
    }
}

impl ValidCondition {
    /// True when `product` satisfies this condition. A product without the
    /// attribute never does, except for `is_null`.
    pub fn matches(&self, product: &Product) -> bool {
        self.predicate().matches(product)
    }
}

impl Predicate {
    /// True when `product` satisfies the predicate.
    pub fn matches(&self, p: &Product) -> bool {
        match self {
            Predicate::Uuid(a, c) => c.holds(product::uuid(*a, p).as_slice()),
            Predicate::Instant(a, c) => c.holds(product::instant(*a, p).as_slice()),
            Predicate::Text(a, test) => test.holds(&product::texts(a, p)),
            Predicate::Status(v) => product::status(p).is_some_and(|s| v.contains(&s)),
            Predicate::CommodityType(v) => {
                product::commodity_type(p).is_some_and(|s| v.contains(&s))
            }
            Predicate::Owner(v) => product::owner(p).is_some_and(|s| v.contains(&s)),
            Predicate::ProductTypes(c) => c.holds(product::product_types(p)),
            Predicate::HasNodes(b) => product::has_nodes(p) == *b,
            Predicate::IsNull(field) => product::is_null(field, p),
        }
    }
}

impl<T: Ord> Comparison<T> {
    /// True when the attribute's values `actual` (none, one, or a list's
    /// elements) pass: one of them for `OneOf` and the orderings; for
    /// `All`, every comparison value is among them.
    fn holds(&self, actual: &[T]) -> bool {
        match self {
            Comparison::OneOf(values) => actual.iter().any(|a| values.contains(a)),
            Comparison::All(values) => values.iter().all(|v| actual.contains(v)),
            Comparison::Gt(v) => actual.iter().any(|a| a > v),
            Comparison::Ge(v) => actual.iter().any(|a| a >= v),
            Comparison::Lt(v) => actual.iter().any(|a| a < v),
            Comparison::Le(v) => actual.iter().any(|a| a <= v),
        }
    }
}

impl<T: Eq> Members<T> {
    /// True when the list `actual` has one of the values (`Any`) or all of
    /// them (`All`).
    fn holds(&self, actual: &[T]) -> bool {
        match self {
            Members::Any(values) => actual.iter().any(|a| values.contains(a)),
            Members::All(values) => values.iter().all(|v| actual.contains(v)),
        }
    }
}

impl TextTest {
    /// True when the text values pass (any of them; for `All`, every
    /// comparison value is one of them).
    fn holds(&self, texts: &product::Texts<'_>) -> bool {
        match self {
            TextTest::Compare(Comparison::OneOf(values)) => {
                texts.any(|s| values.iter().any(|v| **v == *s))
            }
            TextTest::Compare(Comparison::All(values)) => {
                values.iter().all(|v| texts.any(|s| **v == *s))
            }
            // `str`'s order is bytewise, which is what text ordering needs.
            TextTest::Compare(Comparison::Gt(v)) => texts.any(|s| s > &**v),
            TextTest::Compare(Comparison::Ge(v)) => texts.any(|s| s >= &**v),
            TextTest::Compare(Comparison::Lt(v)) => texts.any(|s| s < &**v),
            TextTest::Compare(Comparison::Le(v)) => texts.any(|s| s <= &**v),
            TextTest::Like(pattern) => texts.any(|s| pattern.matches(s)),
            TextTest::Ilike(pattern) => texts.any(|s| pattern.matches(&lower(s))),
            TextTest::Search(query) => texts.any(|s| query.matches(s)),
        }
    }
}

/// `s` with Unicode's lower-case mapping; borrowed when nothing changes in
/// an ASCII text.
fn lower(s: &str) -> Cow<'_, str> {
    if s.is_ascii() {
        if s.bytes().any(|b| b.is_ascii_uppercase()) {
            Cow::Owned(s.to_ascii_lowercase())
        } else {
            Cow::Borrowed(s)
        }
    } else {
        Cow::Owned(s.to_lowercase())
    }
}

impl Catalog {
    /// The products matching `filter`, in snapshot order, each with its index
    /// in [`Catalog::products`].
    pub fn select<'a>(
        &'a self,
        filter: &'a ValidFilter,
    ) -> impl Iterator<Item = (usize, &'a Product)> + 'a {
        // Text conditions over columns, the rest per product (see
        // `catalog::columns`); the same answer as `filter.matches` on each.
        let mask = self.matching(filter);
        self.products()
            .iter()
            .enumerate()
            .zip(mask)
            .filter_map(|(item, m)| m.then_some(item))
    }
}
