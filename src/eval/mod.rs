//! Evaluating a [`ValidFilter`] against records: anything implementing
//! [`Record`], such as a catalog [`Product`] or a JSON object
//! (`serde_json::Map<String, serde_json::Value>`, whose attribute paths walk
//! nested objects).
//!
//! The meaning of each condition:
//!
//! - Text `eq`/`in` is exact and case-sensitive.
//! - `like` is case-sensitive too, and only a leading and/or a trailing `*`
//!   is a wildcard: `*shoe*` is "contains", `shoe*` "starts with", `*shoe`
//!   "ends with", `shoe` equality, and a lone `*` (or `**`) matches any
//!   present value. A `*` anywhere else is a literal star (`*a*b*` contains
//!   `a*b`). See [`LikePattern`](crate::pattern::LikePattern).
//! - List attributes (`text_list`, `enum_list`) match when any element
//!   does; `contains` / `contains_any` hold when an element equals the
//!   value / one of the values, `contains_all` when every value is an
//!   element.
//! - Instants compare as instants (whatever their offsets), UUIDs by their
//!   128-bit value, numbers (`integer`, `decimal`) exactly by value, text
//!   bytewise.
//! - A record missing the attribute never matches, whatever the operator,
//!   except `is_null`, which holds when the record has no value: absent or
//!   JSON `null`, and for a list attribute also an empty list. A free-form
//!   value (a product's extension, shopper or admin attribute, or a value
//!   of a `serde_json` record read as a scalar type) such as `[]`, `{}` or
//!   `[1,2]` is a value, so `is_null` does not hold for it.
//! - A product's free-form values (`extensions.<t>.<f>`,
//!   `shopper_attributes.<f>`, `admin_attributes.<f>`) compare by the text
//!   the snapshot wrote: a string as itself, a number as written
//!   (`0.9455199068242589`, `1e3`: a filter writing the same text matches),
//!   a boolean as `true`/`false`; `null`, arrays and objects have none.
//! - Values of a `serde_json` object record are read by the attribute's
//!   type: text types compare the text form (a string as itself, a number
//!   as serde_json prints it: `1765426`, `2.5`, `1000.0` for `1e3`; a
//!   boolean as `true`/`false`;
//!   `null`, arrays and objects have none); numbers must be JSON numbers,
//!   booleans JSON booleans, UUIDs and instants (RFC 3339) JSON strings. A
//!   list type reads a JSON array (anything else has no values).
//! - OR groups hold when one alternative does, AND when every term does.
//! - `ilike` is `like` with both sides lower-cased one character at a time,
//!   as PostgreSQL's `lower()` under `C.UTF-8` (no final-sigma rule, `İ` to `i`);
//!   `text` is full-text search (Porter 2 stemming, as PostgreSQL's `english` configuration).
//!
//! Every access to a [`Product`]'s fields is in one private module, the
//! mapping from detach_nodes' attribute patterns to product data.
//!
//! Evaluation allocates nothing per record for the detach_nodes operators
//! (`ilike` on a value with upper-case letters, `text`, and numbers do):
//! `like` patterns are compiled once, at validation, into a kind and a
//! needle ([`LikePattern`](crate::pattern::LikePattern)); a substring is
//! found without regex or backtracking, in time linear in the value
//! whatever the pattern (a short value is scanned for the needle's first
//! byte, a long one searched with `memchr::memmem`).
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
//!
//! Over JSON objects, with any schema:
//!
//! ```
//! use catalog_filter::schema::Schema;
//! use serde_json::json;
//!
//! let filter = Schema::orders().compile("(eq(status,complete)|gt(with_tax,1000)):like(contact.email,*@example.com)").unwrap();
//! let order = json!({"status": "processing", "with_tax": 1500, "contact": {"email": "ann@example.com"}});
//! assert!(filter.matches(order.as_object().unwrap()));
//! ```

mod columnar;
mod json;
mod product;

use crate::catalog::{Catalog, Product};
use crate::pattern::matches_bytes;
use crate::schema::ValueType;
use crate::schema::{AttributeRef, Decimal, parse_uuid};
use crate::validate::{Comparison, ConditionRef, Predicate, TextTest, ValidExpr, ValidFilter};
use chrono::{DateTime, Utc};
use serde_json::Value as JsonValue;
use std::fmt::{self, Write as _};
use uuid::Uuid;

/// One value of a record's attribute, as a [`Record`] hands it to
/// evaluation. Evaluation reads it by the attribute's type; a value of
/// another kind never matches.
#[derive(Clone, Copy, Debug, PartialEq)]
#[non_exhaustive]
pub enum RecordValue<'r> {
    /// Text (text and enum attributes).
    Text(&'r str),
    /// A boolean.
    Bool(bool),
    /// A UUID.
    Uuid(Uuid),
    /// An instant.
    Instant(DateTime<Utc>),
    /// A JSON value, read by the attribute's type (see the module docs).
    Json(&'r JsonValue),
}

/// A record filters can be evaluated over: it hands out the value(s) of a
/// schema attribute.
///
/// The attribute comes resolved ([`AttributeRef`]), its keys found when
/// the filter was compiled: its position in the schema
/// ([`AttributeRef::id`], what a record type of its own schema dispatches
/// on), the catalog product field it reads
/// ([`AttributeRef::product_field`], what `Product` dispatches on), its
/// canonical path (what a JSON object is walked by) and the values of its
/// captures. The visitor is a generic closure, so evaluation over a
/// concrete record type compiles to direct calls.
///
/// ```
/// use catalog_filter::eval::{Record, RecordValue};
/// use catalog_filter::schema::{AttributeRef, Schema};
/// use catalog_filter::schema::ValueType;
/// use catalog_filter::syntax::Op;
///
/// struct User { name: String, roles: Vec<String> }
///
/// // The attributes' positions in the schema below.
/// const NAME: usize = 0;
/// const ROLES: usize = 1;
///
/// impl Record for User {
///     fn any_value(&self, a: &AttributeRef<'_>, visit: &mut impl FnMut(RecordValue<'_>) -> bool) -> bool {
///         // The attribute's position in the schema, resolved when the
///         // filter was compiled: no text is compared per record.
///         match a.id() {
///             NAME => visit(RecordValue::Text(&self.name)),
///             ROLES => self.roles.iter().any(|r| visit(RecordValue::Text(r))),
///             _ => false,
///         }
///     }
/// }
///
/// let schema = Schema::builder("users")
///     .attribute("name", ValueType::Text, &[Op::Eq, Op::Ilike])
///     .attribute("roles", ValueType::TextList, &[Op::Contains, Op::IsNull])
///     .build()
///     .unwrap();
/// let f = schema.compile("ilike(name,ann*):contains(roles,admin)").unwrap();
/// assert!(f.matches(&User { name: "Anna".into(), roles: vec!["admin".into()] }));
/// ```
pub trait Record {
    /// Calls `visit` with each value of `attribute` (one for a scalar, each
    /// element of a list; none when the record has no value), stopping at
    /// the first call that returns `true`; returns whether one did.
    fn any_value(
        &self,
        attribute: &AttributeRef<'_>,
        visit: &mut impl FnMut(RecordValue<'_>) -> bool,
    ) -> bool;

    /// True when the record has no value for `attribute`: absent or JSON
    /// `null`, and for a list attribute also an empty list (a free-form
    /// value such as `[]` or `{}` is a value). By default: `any_value`
    /// visits nothing; a record whose values `any_value` cannot visit
    /// (free-form arrays and objects) overrides it.
    fn is_null(&self, attribute: &AttributeRef<'_>) -> bool {
        !self.any_value(attribute, &mut |_| true)
    }
}

impl<R: Record + ?Sized> Record for &R {
    #[inline]
    fn any_value(
        &self,
        attribute: &AttributeRef<'_>,
        visit: &mut impl FnMut(RecordValue<'_>) -> bool,
    ) -> bool {
        (**self).any_value(attribute, visit)
    }

    fn is_null(&self, attribute: &AttributeRef<'_>) -> bool {
        (**self).is_null(attribute)
    }
}

impl ValidFilter {
    /// True when `record` satisfies the filter.
    #[inline]
    pub fn matches<R: Record + ?Sized>(&self, record: &R) -> bool {
        // Most filters: every condition must hold, so no tree is walked.
        if self.is_conjunction() {
            return self.conditions().all(|c| c.matches(record));
        }
        self.expr().matches(record)
    }
}

impl ValidExpr<'_> {
    /// True when `record` satisfies this node of a filter: every term of
    /// an `And`, one alternative of an `Or`. (Recursion follows the tree,
    /// whose depth validation bounds.)
    pub fn matches<R: Record + ?Sized>(&self, record: &R) -> bool {
        match *self {
            ValidExpr::Condition(c) => c.matches(record),
            ValidExpr::And(mut terms) => terms.all(|t| t.matches(record)),
            ValidExpr::Or(mut alts) => alts.any(|t| t.matches(record)),
        }
    }
}

impl ConditionRef<'_> {
    /// True when `record` satisfies this condition. A record without the
    /// attribute never does, except for `is_null`. The attribute comes
    /// resolved (its key was found when the filter was compiled).
    #[inline]
    pub fn matches<R: Record + ?Sized>(&self, record: &R) -> bool {
        let a = self.field();
        // The commonest tests, `like` and text equality, read straight
        // from the stored values: building the `Predicate` and
        // dispatching on it cost more than the test (see README
        // "Performance").
        if let Some((kind, needle)) = self.like() {
            return any_text(record, &a, |s| matches_bytes(kind, needle, s.as_bytes()));
        }
        if let Some(values) = self.text_values() {
            return any_text(record, &a, |s| values.bytes().any(|v| v == s.as_bytes()));
        }
        self.predicate().holds(&a, record)
    }

    /// `mask[i] &= records[i] satisfies this condition`, testing only the
    /// records still in `mask`. A mask shorter than `records` covers its
    /// first records.
    pub(crate) fn retain_matching<R: Record>(&self, records: &[R], mask: &mut [bool]) {
        let a = self.field();
        let predicate = self.predicate();
        for (m, r) in mask.iter_mut().zip(records) {
            if *m {
                *m = predicate.holds(&a, r);
            }
        }
    }
}

impl Predicate<'_> {
    /// True when the record's values of `attribute` pass.
    #[inline]
    fn holds<R: Record + ?Sized>(&self, a: &AttributeRef<'_>, r: &R) -> bool {
        match self {
            Predicate::IsNull => r.is_null(a),
            Predicate::Text(test) => test.holds(a, r),
            Predicate::Number(c) => compare(c, a, r, number),
            Predicate::Bool(c) => compare(c, a, r, |v| match v {
                RecordValue::Bool(b) | RecordValue::Json(&JsonValue::Bool(b)) => Some(b),
                _ => None,
            }),
            Predicate::Uuid(c) => compare(c, a, r, |v| match v {
                RecordValue::Uuid(u) => Some(u),
                RecordValue::Json(JsonValue::String(s)) => parse_uuid(s),
                _ => None,
            }),
            Predicate::Instant(c) => compare(c, a, r, |v| match v {
                RecordValue::Instant(t) => Some(t),
                RecordValue::Json(JsonValue::String(s)) => DateTime::parse_from_rfc3339(s)
                    .ok()
                    .map(|t| t.with_timezone(&Utc)),
                _ => None,
            }),
        }
    }
}

/// A JSON number as an exact decimal (its serde_json text).
fn number(v: RecordValue<'_>) -> Option<Decimal> {
    match v {
        RecordValue::Json(JsonValue::Number(n)) => {
            let mut buf = StackText::default();
            match write!(buf, "{n}") {
                Ok(()) => Decimal::parse(buf.as_str()),
                Err(_) => Decimal::parse(&n.to_string()),
            }
        }
        _ => None,
    }
}

/// Applies a comparison to the typed values of a record's attribute.
fn compare<T: Ord, R: Record + ?Sized>(
    c: &Comparison<'_, T>,
    a: &AttributeRef<'_>,
    r: &R,
    typed: impl Fn(RecordValue<'_>) -> Option<T>,
) -> bool {
    let any = |test: &dyn Fn(&T) -> bool| {
        r.any_value(a, &mut |v: RecordValue<'_>| {
            typed(v).is_some_and(|t| test(&t))
        })
    };
    match c {
        Comparison::OneOf(values) => any(&|t| values.contains(t)),
        Comparison::All(values) => values.iter().all(|want| any(&|t| t == want)),
        Comparison::Gt(v) => any(&|t| t > *v),
        Comparison::Ge(v) => any(&|t| t >= *v),
        Comparison::Lt(v) => any(&|t| t < *v),
        Comparison::Le(v) => any(&|t| t <= *v),
    }
}

/// True when `test` passes on the text form of one of the record's values
/// of `a` (see [`with_text`]).
#[inline]
fn any_text<R: Record + ?Sized>(
    r: &R,
    a: &AttributeRef<'_>,
    mut test: impl FnMut(&str) -> bool,
) -> bool {
    // Text, what every text attribute of a `Product` hands out, in line;
    // the other kinds (JSON values, numbers printed) out of line, so that
    // the common case stays small enough to inline.
    r.any_value(a, &mut |v: RecordValue<'_>| match v {
        RecordValue::Text(s) => test(s),
        other => with_text(other, &mut test),
    })
}

impl TextTest<'_> {
    /// True when the record's text values pass (any of them; for `All`,
    /// every comparison value is one of them).
    #[inline]
    fn holds<R: Record + ?Sized>(&self, a: &AttributeRef<'_>, r: &R) -> bool {
        match self {
            // Compared as bytes: `str`'s order is bytewise, which is what
            // text ordering needs, and the bytes of a short value need no
            // UTF-8 check.
            TextTest::Compare(Comparison::OneOf(values)) => {
                any_text(r, a, |s| values.bytes().any(|v| v == s.as_bytes()))
            }
            TextTest::Compare(Comparison::All(values)) => values
                .bytes()
                .all(|v| any_text(r, a, |s| v == s.as_bytes())),
            TextTest::Compare(Comparison::Gt(v)) => any_text(r, a, |s| s.as_bytes() > v.as_bytes()),
            TextTest::Compare(Comparison::Ge(v)) => {
                any_text(r, a, |s| s.as_bytes() >= v.as_bytes())
            }
            TextTest::Compare(Comparison::Lt(v)) => any_text(r, a, |s| s.as_bytes() < v.as_bytes()),
            TextTest::Compare(Comparison::Le(v)) => {
                any_text(r, a, |s| s.as_bytes() <= v.as_bytes())
            }
            TextTest::Like(pattern) => any_text(r, a, |s| pattern.matches(s)),
            TextTest::Ilike(pattern) => {
                any_text(r, a, |s| pattern.matches(&crate::pg_ctype::lower(s)))
            }
            TextTest::Search(query) => any_text(r, a, |s| query.matches(s)),
        }
    }
}

/// Applies `test` to the text form of a value: text as itself; a JSON
/// string as itself, a number as serde_json prints it, a boolean as
/// `true`/`false`; other values have none (false).
#[inline(never)]
fn with_text(v: RecordValue<'_>, test: &mut impl FnMut(&str) -> bool) -> bool {
    match v {
        RecordValue::Text(s) => test(s),
        RecordValue::Json(JsonValue::String(s)) => test(s),
        RecordValue::Json(JsonValue::Bool(b)) => test(if *b { "true" } else { "false" }),
        RecordValue::Json(JsonValue::Number(n)) => {
            let mut buf = StackText::default();
            match write!(buf, "{n}") {
                Ok(()) => test(buf.as_str()),
                // Longer than any number serde_json prints: the slow way.
                Err(_) => test(&n.to_string()),
            }
        }
        RecordValue::Json(_)
        | RecordValue::Bool(_)
        | RecordValue::Uuid(_)
        | RecordValue::Instant(_) => false,
    }
}

/// True when the value type reads lists.
fn is_list(t: &ValueType) -> bool {
    t.is_list()
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::Attributes;
    use crate::schema::Status;
    use crate::syntax::Op;
    use serde_json::json;

    /// The filter's answer through the tree and each condition's
    /// `Predicate`: what `matches` gives without its shortcuts (the
    /// conjunction loop, `like` and text values read from the slots).
    fn through_predicates<R: Record + ?Sized>(e: ValidExpr<'_>, r: &R) -> bool {
        match e {
            ValidExpr::Condition(c) => c.predicate().holds(&c.field(), r),
            ValidExpr::And(mut terms) => terms.all(|t| through_predicates(t, r)),
            ValidExpr::Or(mut alts) => alts.any(|t| through_predicates(t, r)),
        }
    }

    /// Checks that `filter` answers on each of `records` as through the
    /// predicates, and selects some of them but not all.
    fn answers_as_the_predicates<R: Record>(filter: &ValidFilter, records: &[R]) {
        let answers: Vec<bool> = records.iter().map(|r| filter.matches(r)).collect();
        let want: Vec<bool> = records
            .iter()
            .map(|r| through_predicates(filter.expr(), r))
            .collect();
        assert_eq!(answers, want, "{filter}");
        assert!(
            answers.contains(&true) && answers.contains(&false),
            "{filter}: {answers:?}"
        );
    }

    /// A product with these fields and the extension `book.isbn` (any
    /// JSON value), the rest default.
    fn product(
        name: &str,
        sku: Option<&str>,
        status: Status,
        tags: &[&str],
        isbn: serde_json::Value,
    ) -> Product {
        let book: Attributes = json!({ "isbn": isbn })
            .as_object()
            .cloned()
            .unwrap_or_default()
            .into();
        Product {
            // An empty name stands for none.
            name: (!name.is_empty()).then(|| name.into()),
            sku: sku.map(Into::into),
            status: Some(status),
            tags: tags.iter().map(|&t| t.into()).collect(),
            extensions: [("book".to_string(), book)].into_iter().collect(),
            ..Product::default()
        }
    }

    /// `like` and text equality read from the stored slots, and the
    /// conjunction loop, answer as the predicates do, on products and on
    /// JSON objects, for every `like` kind, scalar and list attributes,
    /// a free-form value and an attribute with a canonical path; each
    /// filter selects some records and not others.
    #[test]
    fn shortcuts_answer_as_the_predicates() {
        let products = [
            product(
                "Running shoe",
                Some("a-1"),
                Status::Live,
                &["sale", "new"],
                json!("1765426"),
            ),
            product(
                "shoe rack",
                Some("b-2x"),
                Status::Draft,
                &[],
                json!(1765426),
            ),
            product("Sandal", None, Status::Live, &["shoe"], json!(null)),
            product("", Some("c-3"), Status::Draft, &["Sale"], json!([1])),
        ];
        let objects: Vec<serde_json::Map<String, JsonValue>> = [
            json!({"name": "Running shoe", "sku": "a-1", "status": "live", "tags": ["sale"], "n": 5}),
            json!({"name": 17, "sku": true, "status": "draft", "tags": "sale"}),
            json!({"name": "shoe", "tags": [], "status": null}),
        ]
        .iter()
        .filter_map(|o| o.as_object().cloned())
        .collect();
        let filters = [
            "like(name,*shoe*)",
            "like(name,shoe*)",
            "like(name,*shoe)",
            "like(name,shoe rack)",
            "like(name,*)",
            "like(sku,*-*)",
            "like(tags,*ale)",
            "eq(sku,a-1)",
            "in(sku,a-1,c-3)",
            // A value that starts the record's is not equal to it.
            "in(sku,b-2,c-3)",
            "eq(status,live)",
            "in(status,draft)",
            "eq(tags,sale)",
            "eq(extensions.book.isbn,1765426)",
            "in(extensions.book.isbn,1,1765426)",
            "eq(status,live):like(name,*shoe*)",
            "like(name,*):in(sku,a-1,b-2x,c-3):eq(status,draft)",
            "is_null(sku):like(name,*a*)",
            // Through the predicates: not `like` nor text equality.
            "ilike(name,*SHOE*)",
            "contains_all(tags,sale,new)",
            "gt(sku,b)",
            "like(name,*):ilike(name,s*)",
        ];
        let every = crate::schema::Schema::every_operator();
        for f in filters {
            let filter = every.compile(f).unwrap_or_else(|e| panic!("{f}: {e}"));
            assert!(filter.is_conjunction(), "{f}");
            answers_as_the_predicates(&filter, &products);
        }
        let texts = [Op::Eq, Op::Like, Op::In];
        let lists = [Op::Contains, Op::ContainsAny, Op::Like];
        let orders = [
            ("name", ValueType::Text, &texts[..]),
            ("sku", ValueType::Text, &texts[..]),
            ("status", ValueType::Text, &texts[..]),
            ("tags", ValueType::TextList, &lists[..]),
        ]
        .into_iter()
        .fold(
            crate::schema::Schema::builder("records"),
            |b, (name, value_type, ops)| b.attribute(name, value_type, ops),
        )
        .build()
        .unwrap_or_else(|e| panic!("{e}"));
        for f in [
            "like(name,*shoe*)",
            "like(name,1*)",
            "eq(sku,true)",
            "in(status,live,draft)",
            "contains(tags,sale)",
            "contains_any(tags,x,sale)",
            "like(tags,s*)",
            "like(name,*):eq(status,live)",
        ] {
            let filter = orders.compile(f).unwrap_or_else(|e| panic!("{f}: {e}"));
            answers_as_the_predicates(&filter, &objects);
        }
    }

    /// Filters with OR groups are not conjunctions, and are answered
    /// through the tree.
    #[test]
    fn groups_are_walked() {
        let p = product("shoe", Some("a-1"), Status::Draft, &[], json!(null));
        for (f, conjunction, want) in [
            ("eq(sku,a-1)", true, true),
            // Parenthesised: compiled through the tree, still a conjunction.
            ("(eq(sku,a-1):like(name,*))", true, true),
            ("(eq(sku,b-2):like(name,*))", true, false),
            ("eq(sku,b-2):like(name,*)", true, false),
            ("eq(sku,b-2)|like(name,*)", false, true),
            ("eq(status,live):(eq(sku,b-2)|like(name,*))", false, false),
            ("eq(status,draft):(eq(sku,b-2)|like(name,*))", false, true),
        ] {
            let filter = crate::schema::Schema::every_operator()
                .compile(f)
                .unwrap_or_else(|e| panic!("{f}: {e}"));
            assert_eq!(filter.is_conjunction(), conjunction, "{f}");
            assert_eq!(filter.matches(&p), want, "{f}");
            assert_eq!(through_predicates(filter.expr(), &p), want, "{f}");
        }
    }
}
