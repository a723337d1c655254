//! Evaluating a [`ValidFilter`] against products.
//!
//! The meaning is DESIGN.md "Meaning (eval)":
//!
//! - Text `eq`/`in` is exact and case-sensitive.
//! - `like` is case-sensitive too, and only a leading and/or a trailing `*`
//!   is a wildcard: `*shoe*` is "contains", `shoe*` "starts with", `*shoe`
//!   "ends with", `shoe` equality, and a lone `*` (or `**`) matches any
//!   present value. A `*` anywhere else is a literal star (`*a*b*` contains
//!   `a*b`). See [`Pattern`].
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
//!   as serde_json prints it (shortest round-trip form: `1765426`, `2.5`,
//!   `1000.0` for `1e3`), a boolean as `true`/`false`. `null`, arrays and
//!   objects have no text form and never match.
//!
//! Evaluation allocates nothing per product: `like` patterns are compiled
//! once, at validation, into a [`Pattern`] holding a `memchr::memmem::Finder`,
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
use crate::schema::Field;
use crate::syntax::Op;
use crate::validate::{ValidCondition, ValidFilter, Values};
use chrono::{DateTime, FixedOffset, Utc};
use memchr::memmem;
use std::fmt::{self, Write as _};
use std::hash::{Hash, Hasher};

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

/// Applies `test` to the text form of a JSON value (see the module docs);
/// `null`, arrays and objects have none.
fn json_text(value: &serde_json::Value, test: impl Fn(&str) -> bool) -> bool {
    match value {
        serde_json::Value::String(s) => test(s),
        serde_json::Value::Bool(b) => test(if *b { "true" } else { "false" }),
        serde_json::Value::Number(n) => {
            let mut buf = StackText::default();
            match write!(buf, "{n}") {
                Ok(()) => test(buf.as_str()),
                // Longer than any number serde_json prints: compare the slow way.
                Err(_) => test(&n.to_string()),
            }
        }
        serde_json::Value::Null | serde_json::Value::Array(_) | serde_json::Value::Object(_) => {
            false
        }
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

/// A compiled `like` pattern: only a leading and/or trailing `*` is a
/// wildcard; what is left between them (the needle) is literal text, stars
/// included.
///
/// | pattern | matches a value that |
/// |---|---|
/// | `*shoe*` | contains `shoe` |
/// | `shoe*` | starts with `shoe` |
/// | `*shoe` | ends with `shoe` |
/// | `shoe` | equals `shoe` |
/// | `*`, `**` | is present (any text, even empty) |
/// | `a*b` | equals `a*b` (the star is literal) |
///
/// Matching is case-sensitive and runs in time linear in the value:
/// "contains" uses a `memchr::memmem::Finder` built once here.
///
/// ```
/// use catalog_filter::eval::{Pattern, PatternKind};
///
/// let p = Pattern::new("*shoe*");
/// assert_eq!(p.kind(), PatternKind::Contains);
/// assert_eq!(p.needle(), "shoe");
/// assert!(p.matches("running shoes"));
/// assert!(!p.matches("Running Shoes"));
/// assert!(Pattern::new("a*b").matches("a*b"));
/// assert!(!Pattern::new("a*b").matches("axb"));
/// ```
#[derive(Clone)]
pub struct Pattern {
    kind: PatternKind,
    finder: memmem::Finder<'static>,
}

/// How a [`Pattern`]'s needle must sit in a value.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum PatternKind {
    /// `*` or `**`: any present value (the needle is empty).
    Any,
    /// `*needle*`: the value contains the needle (never empty).
    Contains,
    /// `needle*`: the value starts with the needle.
    StartsWith,
    /// `*needle`: the value ends with the needle (never empty).
    EndsWith,
    /// `needle`: the value equals the needle.
    Equals,
}

impl Pattern {
    /// Compiles a `like` value. Every text is a valid pattern.
    pub fn new(pattern: &str) -> Pattern {
        let (leading, rest) = match pattern.strip_prefix('*') {
            Some(rest) => (true, rest),
            None => (false, pattern),
        };
        let (trailing, needle) = match rest.strip_suffix('*') {
            Some(needle) => (true, needle),
            None => (false, rest),
        };
        let kind = match (leading, trailing) {
            (true, _) if needle.is_empty() => PatternKind::Any,
            (true, true) => PatternKind::Contains,
            (false, true) => PatternKind::StartsWith,
            (true, false) => PatternKind::EndsWith,
            (false, false) => PatternKind::Equals,
        };
        Pattern {
            kind,
            finder: memmem::Finder::new(needle.as_bytes()).into_owned(),
        }
    }

    /// Where the needle must sit.
    pub fn kind(&self) -> PatternKind {
        self.kind
    }

    /// The literal text between the wildcards.
    pub fn needle(&self) -> &str {
        // Built from a `&str` in `new`, so always UTF-8.
        std::str::from_utf8(self.finder.needle()).unwrap_or_default()
    }

    /// True when `value` matches the pattern (case-sensitively).
    pub fn matches(&self, value: &str) -> bool {
        let hay = value.as_bytes();
        let needle = self.finder.needle();
        match self.kind {
            PatternKind::Any => true,
            PatternKind::Contains => self.finder.find(hay).is_some(),
            PatternKind::StartsWith => hay.starts_with(needle),
            PatternKind::EndsWith => hay.ends_with(needle),
            PatternKind::Equals => hay == needle,
        }
    }
}

impl fmt::Debug for Pattern {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Pattern")
            .field("kind", &self.kind)
            .field("needle", &self.needle())
            .finish()
    }
}

impl PartialEq for Pattern {
    fn eq(&self, other: &Pattern) -> bool {
        self.kind == other.kind && self.finder.needle() == other.finder.needle()
    }
}

impl Eq for Pattern {}

impl Hash for Pattern {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.kind.hash(state);
        self.finder.needle().hash(state);
    }
}
