//! The second stage: a parsed [`Filter`] becomes a [`ValidFilter`] only if
//! every operator/attribute pair is allowed by a [`Schema`] and every value
//! has the attribute's type and follows its value rules.
//!
//! A [`ValidFilter`] is flat: its nodes (conditions and groups, in prefix
//! order) and their typed values sit in one vector, so compiling a filter
//! builds no tree of boxes and dropping it frees two buffers.
//! It is read through borrowed views: [`ValidFilter::expr`] gives the root
//! as a [`ValidExpr`], [`ValidFilter::conditions`] each condition as a
//! [`ConditionRef`], whose [`Predicate`] is a test on values of the
//! attribute's type (`like` holds a [`LikePatternRef`], comparisons typed
//! values), so evaluation and SQL rendering have no impossible cases. Each
//! condition names its schema attribute by index, resolved when the filter
//! is compiled together with the attribute's canonical path and the
//! catalog product field it reads ([`AttributeRef`]), so evaluation never
//! matches attribute patterns. The filter keeps the schema (a cheap clone)
//! and the canonical text for `Display` (written on first use from a copy
//! of the input when compiled from text), and borrows nothing from the
//! input.
//!
//! Validation reports every problem at once ([`ValidationErrors`]), each
//! with a kind and the span of the offending operator, attribute, value,
//! group or condition ([`ValidationErrorKind`] says what each span covers).
//! [`crate::compile()`] (detach_nodes) and [`Schema::compile`] (any
//! schema), in a later stage, are the entry points most users need: byte
//! limit, then parse, then validate.
//!
//! Per condition: an operator the schema never allows, an unknown or
//! malformed attribute, or an operator the attribute does not allow, is
//! that condition's only error (its values have no type to be checked
//! against); otherwise every bad value is one error, plus one for a wrong
//! number of values and one for the `in` limit. The condition limit (over
//! the whole tree) is one error at the first condition over it; the
//! conditions beyond it are still checked, so one round trip shows every
//! problem. A schema without OR groups refuses each `Or` node (and still
//! checks the conditions inside it); one with them caps the filter's
//! complexity (a cap of 0 is no cap).
//!
//! ```
//! use catalog_filter::validate::{Comparison, Predicate, TextTest};
//! let f = catalog_filter::compile("eq(status,live):in(sku,a-1,b-2)").unwrap();
//! let c = f.conditions().next().unwrap();
//! assert_eq!(c.field().path(), "status");
//! let Predicate::Text(TextTest::Compare(Comparison::OneOf(values))) = c.predicate() else {
//!     panic!("a text comparison");
//! };
//! assert_eq!(values.iter().collect::<Vec<&str>>(), ["live"]);
//! assert_eq!(f.to_string(), "eq(status,live):in(sku,a-1,b-2)");
//! ```

use crate::limits::Limits;

mod error;
mod fused;

pub use crate::pattern::{LikePattern, LikePatternRef, PatternKind};
pub use crate::search::TextQuery;
pub use error::{
    ExpectedValue, FilterTooLong, ValidationError, ValidationErrorKind, ValidationErrors,
};
pub(crate) use fused::compile_conjunction;

use crate::schema::Decimal;
use crate::schema::ProductField;
use crate::schema::{AttributeRef, ResolveError, ValueType};
use crate::schema::{OpSet, RuleBreak, Schema, parse_instant, parse_integer, parse_uuid};
use crate::syntax::{Condition, Expr, Filter, Op, Span, Value};
use chrono::{DateTime, Utc};
use std::fmt;
use std::sync::OnceLock;
use uuid::Uuid;

/// A filter that passed validation against a [`Schema`]: its conditions
/// and groups, typed, the schema, and the canonical text of the filter
/// (written on first use when compiled from text).
///
/// Build one with [`crate::compile()`] (the detach_nodes schema),
/// [`Schema::compile`] (any schema) or a [`crate::Compiler`] (other
/// limits); `str::parse` and serde compile as [`crate::compile()`] does. `Display` prints the canonical form
/// of the filter (the original value texts, not the typed values). A
/// `ValidFilter` is never empty: it has at least one condition.
#[derive(Clone)]
pub struct ValidFilter {
    schema: Schema,
    /// The canonical text, written on first use from `source` (or at once
    /// for a filter validated from a tree, which has no source).
    canonical: OnceLock<Box<str>>,
    /// The filter's text as given (its first `source_len` bytes, when
    /// `canonical` is written lazily; none otherwise), then the texts the
    /// input does not hold as they are (decoded escapes, aliases'
    /// targets): what text values and canonical paths point into.
    text: Box<str>,
    /// How much of `text` is the filter's text.
    source_len: usize,
    /// The tree in prefix order: the root first, a group followed by its
    /// terms' subtrees, a condition by its canonical path (when it has
    /// one) and its typed values. Never empty.
    nodes: Vec<Node>,
    /// True when the root is a condition or an AND of conditions (no
    /// OR, no nested group): the filter holds when every condition does.
    conjunction: bool,
    /// The numbers the values point to (empty for most filters).
    numbers: Vec<Decimal>,
    /// The full-text queries the values point to (empty for most
    /// filters).
    searches: Vec<TextQuery>,
}

/// What [`Checker::finish`] knows of the tree's shape.
enum Conjunction {
    /// A condition or an AND of conditions (the fused pass builds no
    /// other).
    Yes,
    /// To be found from the nodes.
    Unknown,
}

/// An entry of the flat tree.
#[derive(Clone, Debug, PartialEq)]
enum Node {
    /// A condition, followed by its path and values.
    Condition(Cond),
    /// An AND (`or` false) or OR group of `terms` terms (two or more),
    /// whose subtrees are the `size` nodes after it.
    Group { or: bool, terms: u32, size: u32 },
    /// A value (or canonical path) of the condition before it.
    Value(Slot),
}

/// A stored condition: where its values are, what it names and tests.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Cond {
    span: Span,
    /// The schema attribute's index.
    attribute: u32,
    /// How many values it has (the last nodes of the condition).
    count: u32,
    /// True when the node after it is the canonical path (which is not
    /// the attribute's pattern). Positions are relative, so that the
    /// condition can move in the vector.
    path: bool,
    /// The product field the attribute reads (resolved at compile time).
    field: Option<ProductField>,
    op: Op,
}

/// One typed value of a condition (or a canonical path, as text): small
/// and `Copy`, so building one is a few register stores and dropping the
/// vector frees it without visiting the slots.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
enum Slot {
    /// `len` bytes of the filter's `text` from `start`.
    Text {
        start: usize,
        len: usize,
    },
    /// The number at this index of the filter's `numbers`.
    Number(u32),
    Bool(bool),
    Uuid(Uuid),
    Instant(DateTime<Utc>),
    /// A `like` pattern (the needle lower-cased for `ilike`), its needle
    /// `len` bytes of the filter's `text` from `start`.
    Like {
        kind: PatternKind,
        start: usize,
        len: usize,
    },
    /// The query at this index of the filter's `searches`.
    Search(u32),
}

impl fmt::Debug for ValidFilter {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ValidFilter")
            .field("schema", &self.schema)
            .field("canonical", &self.as_str())
            .field("expr", &self.expr())
            .finish()
    }
}

impl PartialEq for ValidFilter {
    /// Same schema and same canonical text (the tree follows from them).
    fn eq(&self, other: &ValidFilter) -> bool {
        self.as_str() == other.as_str()
            && (self.schema.same(&other.schema) || self.schema == other.schema)
    }
}

impl Eq for ValidFilter {}

impl std::hash::Hash for ValidFilter {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.as_str().hash(state);
    }
}

impl ValidFilter {
    /// The root of the tree of typed predicates.
    #[inline]
    pub fn expr(&self) -> ValidExpr<'_> {
        self.node_at(0)
            .map_or(ValidExpr::And(Terms::empty(self)), |(e, _)| e)
    }

    /// True only when the root is a condition or an AND of conditions, so
    /// the filter holds exactly when every one of
    /// [`ValidFilter::conditions`] does; false for any OR or nested group
    /// (those filters are walked as a tree).
    #[inline]
    pub(crate) fn is_conjunction(&self) -> bool {
        self.conjunction
    }

    /// The schema the filter was validated against.
    pub fn schema(&self) -> &Schema {
        &self.schema
    }

    /// The conditions of the tree, left to right (depth first), each with
    /// its attribute.
    #[inline]
    pub fn conditions(&self) -> impl Iterator<Item = ConditionRef<'_>> {
        // From node to node, over each condition's path and values.
        let mut at = 0;
        std::iter::from_fn(move || {
            loop {
                match self.nodes.get(at)? {
                    Node::Condition(c) => {
                        let cond = ConditionRef {
                            filter: self,
                            cond: c,
                            at,
                        };
                        at += 1 + usize::from(c.path) + c.count as usize;
                        return Some(cond);
                    }
                    Node::Group { .. } | Node::Value(_) => at += 1,
                }
            }
        })
    }

    /// The canonical form of the filter (what `Display` prints).
    ///
    /// Computed on first use (and kept) for a filter compiled from text:
    /// compiling does not pay for printing.
    pub fn as_str(&self) -> &str {
        self.canonical
            .get_or_init(|| canonical_of(self.text.get(..self.source_len).unwrap_or_default()))
    }

    /// The node at `at` as a view, and the index after its subtree.
    #[inline]
    fn node_at(&self, at: usize) -> Option<(ValidExpr<'_>, usize)> {
        Some(match self.nodes.get(at)? {
            Node::Condition(c) => (
                ValidExpr::Condition(ConditionRef {
                    filter: self,
                    cond: c,
                    at,
                }),
                at + 1 + usize::from(c.path) + c.count as usize,
            ),
            Node::Group { or, terms, size } => {
                let t = Terms {
                    filter: self,
                    at: at + 1,
                    left: *terms,
                };
                let next = at + 1 + *size as usize;
                (
                    if *or {
                        ValidExpr::Or(t)
                    } else {
                        ValidExpr::And(t)
                    },
                    next,
                )
            }
            // Not reached: a term starts with a condition or a group.
            Node::Value(_) => return None,
        })
    }
}

/// The canonical text of `source`, a filter that parsed and validated,
/// written by the syntax's printer (the one printer of filters). Parsed
/// again without a depth limit: its depth was within the limit it was
/// validated under, which also bounds the printer's recursion.
#[cold]
fn canonical_of(source: &str) -> Box<str> {
    let limits = Limits {
        max_depth: usize::MAX,
        ..Limits::DEFAULT
    };
    match crate::syntax::parse_with(source, &limits) {
        Ok(filter) => canonical_text(&filter),
        // Not reached: `source` parsed before.
        Err(_) => source.into(),
    }
}

/// The canonical text of a parsed filter.
fn canonical_text(filter: &Filter<'_>) -> Box<str> {
    // The canonical form is at most a few bytes longer than the input
    // (quotes added); one allocation in the common case.
    let mut canonical = String::with_capacity(filter.span.len() + 16);
    let _ = crate::syntax::write_expr(&mut canonical, &filter.expr);
    canonical.into_boxed_str()
}

impl fmt::Display for ValidFilter {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A node of a validated filter, borrowed from it
/// ([`ValidFilter::expr`]). Equality compares the trees (operators,
/// attributes, typed values and spans), of the same filter or of two.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum ValidExpr<'f> {
    /// One condition.
    Condition(ConditionRef<'f>),
    /// All terms hold (two or more).
    And(Terms<'f>),
    /// One of the alternatives holds (two or more).
    Or(Terms<'f>),
}

/// The terms of an AND or the alternatives of an OR, left to right (an
/// iterator of [`ValidExpr`]s).
#[derive(Clone, Copy)]
pub struct Terms<'f> {
    filter: &'f ValidFilter,
    /// The node of the next term.
    at: usize,
    /// How many terms are left.
    left: u32,
}

impl<'f> Terms<'f> {
    /// No terms (stands in for a missing root; never reached).
    fn empty(filter: &'f ValidFilter) -> Terms<'f> {
        Terms {
            filter,
            at: 0,
            left: 0,
        }
    }
}

impl<'f> Iterator for Terms<'f> {
    type Item = ValidExpr<'f>;

    #[inline]
    fn next(&mut self) -> Option<ValidExpr<'f>> {
        if self.left == 0 {
            return None;
        }
        let (e, next) = self.filter.node_at(self.at)?;
        self.at = next;
        self.left -= 1;
        Some(e)
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        (0, Some(self.left as usize))
    }
}

impl PartialEq for Terms<'_> {
    fn eq(&self, other: &Terms<'_>) -> bool {
        self.left == other.left && self.eq_terms(*other)
    }
}

impl Terms<'_> {
    /// True when both yield equal terms.
    fn eq_terms(self, other: Terms<'_>) -> bool {
        Iterator::eq(self, other)
    }
}

impl fmt::Debug for Terms<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list().entries(*self).finish()
    }
}

/// One condition of a [`ValidFilter`], borrowed from it: an operator, the
/// schema attribute it names (resolved) and a typed predicate.
#[derive(Clone, Copy)]
pub struct ConditionRef<'f> {
    filter: &'f ValidFilter,
    cond: &'f Cond,
    /// The condition's node.
    at: usize,
}

impl fmt::Debug for ConditionRef<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Condition")
            .field("op", &self.op())
            .field("attribute", &self.field().path())
            .field("predicate", &self.predicate())
            .field("span", &self.span())
            .finish()
    }
}

impl PartialEq for ConditionRef<'_> {
    /// The same operator, attribute (and canonical path), typed values and
    /// span.
    fn eq(&self, other: &ConditionRef<'_>) -> bool {
        self.cond.op == other.cond.op
            && self.cond.span == other.cond.span
            && self.field() == other.field()
            && self.predicate() == other.predicate()
    }
}

impl<'f> ConditionRef<'f> {
    /// True when both are the same stored condition (of one filter).
    #[cfg_attr(not(feature = "datafusion"), allow(dead_code))]
    pub(crate) fn same(&self, other: &ConditionRef<'_>) -> bool {
        std::ptr::eq(self.cond, other.cond)
    }

    /// The attribute (`Display` prints its canonical path), with the key a
    /// record reads it by ([`AttributeRef::id`],
    /// [`AttributeRef::product_field`]), resolved when the filter was
    /// compiled.
    #[inline]
    pub fn field(&self) -> AttributeRef<'f> {
        let c = self.cond;
        // Most conditions name their attribute's pattern, and have no
        // path node.
        let path = if c.path {
            match self.filter.nodes.get(self.at + 1) {
                Some(Node::Value(slot)) => text_of(slot, self.filter),
                _ => None,
            }
        } else {
            None
        };
        match self.filter.schema.attribute_at(c.attribute as usize) {
            Some(a) => AttributeRef::new(a, path, c.attribute, c.field),
            // The index comes from this schema's lookup, so it is present;
            // the fallback keeps this total.
            None => AttributeRef::new(&EMPTY_ATTRIBUTE, Some(""), u32::MAX, None),
        }
    }

    /// The operator as written.
    pub fn op(&self) -> Op {
        self.cond.op
    }

    /// The condition's span in the filter text.
    pub fn span(&self) -> Span {
        self.cond.span
    }

    /// The nodes of the condition's values.
    #[inline]
    fn slots(&self) -> &'f [Node] {
        let c = self.cond;
        let start = self.at + 1 + usize::from(c.path);
        self.filter
            .nodes
            .get(start..start + c.count as usize)
            .unwrap_or_default()
    }

    /// A `like` condition's pattern, as its kind and needle; `None` for
    /// any other operator. What [`ConditionRef::predicate`] gives as
    /// [`TextTest::Like`], without building the predicate.
    #[inline]
    pub(crate) fn like(&self) -> Option<(PatternKind, &'f [u8])> {
        if self.cond.op != Op::Like {
            return None;
        }
        match *self.slots().first()? {
            Node::Value(Slot::Like { kind, start, len }) => {
                Some((kind, self.filter.text.as_bytes().get(start..start + len)?))
            }
            _ => None,
        }
    }

    /// The values of an `eq`, `in`, `contains` or `contains_any` condition
    /// on text; `None` for any other. What [`ConditionRef::predicate`]
    /// gives as a [`TextTest::Compare`] of [`Comparison::OneOf`], without
    /// building the predicate.
    #[inline]
    pub(crate) fn text_values(&self) -> Option<Values<'f, str>> {
        if !matches!(
            self.cond.op,
            Op::Eq | Op::In | Op::Contains | Op::ContainsAny
        ) {
            return None;
        }
        let slots = self.slots();
        match slots.first()? {
            Node::Value(Slot::Text { .. }) => Some(Values {
                slots,
                filter: Some(self.filter),
                get: text_of,
            }),
            _ => None,
        }
    }

    /// What the condition tests.
    #[inline]
    pub fn predicate(&self) -> Predicate<'f> {
        let c = self.cond;
        let slots = self.slots();
        let op = c.op;
        let f = self.filter;
        let first = match slots.first() {
            Some(Node::Value(slot)) => Some(slot),
            _ => None,
        };
        let like = |kind, start, len| {
            let needle = f.text.get(start..start + len).unwrap_or_default();
            LikePatternRef::from_parts(kind, needle)
        };
        match first {
            _ if op == Op::IsNull => Predicate::IsNull,
            Some(&Slot::Like { kind, start, len }) if op == Op::Ilike => {
                Predicate::Text(TextTest::Ilike(like(kind, start, len)))
            }
            Some(&Slot::Like { kind, start, len }) => {
                Predicate::Text(TextTest::Like(like(kind, start, len)))
            }
            Some(Slot::Text { .. }) => {
                Predicate::Text(TextTest::Compare(comparison(op, slots, f, text_of)))
            }
            Some(Slot::Number(_)) => Predicate::Number(comparison(op, slots, f, |s, f| match s {
                Slot::Number(i) => f.numbers.get(*i as usize),
                _ => None,
            })),
            Some(Slot::Bool(_)) => Predicate::Bool(comparison(op, slots, f, |s, _| match s {
                Slot::Bool(v) => Some(v),
                _ => None,
            })),
            Some(Slot::Uuid(_)) => Predicate::Uuid(comparison(op, slots, f, |s, _| match s {
                Slot::Uuid(v) => Some(v),
                _ => None,
            })),
            Some(Slot::Instant(_)) => {
                Predicate::Instant(comparison(op, slots, f, |s, _| match s {
                    Slot::Instant(v) => Some(v),
                    _ => None,
                }))
            }
            Some(&Slot::Search(i)) => match f.searches.get(i as usize) {
                Some(q) => Predicate::Text(TextTest::Search(q)),
                None => nothing(),
            },
            // Only `is_null` has no values.
            None => nothing(),
        }
    }
}

/// A predicate that holds for no record: an empty `OneOf` (stands in
/// where a stored condition lacks its values; never reached).
fn nothing<'f>() -> Predicate<'f> {
    Predicate::Text(TextTest::Compare(Comparison::OneOf(Values {
        slots: &[],
        filter: None,
        get: |_, _| None,
    })))
}

/// The comparison `op` stands for over `slots` of `filter`, each read by
/// `get`.
#[inline]
fn comparison<'f, T: ?Sized>(
    op: Op,
    slots: &'f [Node],
    filter: &'f ValidFilter,
    get: fn(&'f Slot, &'f ValidFilter) -> Option<&'f T>,
) -> Comparison<'f, T> {
    let values = Values {
        slots,
        filter: Some(filter),
        get,
    };
    // An ordering always has its value; none compares with nothing.
    let none = Comparison::OneOf(Values {
        slots: &[],
        filter: None,
        get,
    });
    match op {
        Op::Gt => values.first().map_or(none, Comparison::Gt),
        Op::Ge => values.first().map_or(none, Comparison::Ge),
        Op::Lt => values.first().map_or(none, Comparison::Lt),
        Op::Le => values.first().map_or(none, Comparison::Le),
        Op::ContainsAll => Comparison::All(values),
        _ => Comparison::OneOf(values),
    }
}

/// The text a text slot points to in `filter`'s text.
#[inline]
fn text_of<'f>(slot: &'f Slot, filter: &'f ValidFilter) -> Option<&'f str> {
    match *slot {
        Slot::Text { start, len } => filter.text.get(start..start.checked_add(len)?),
        _ => None,
    }
}

/// Stands in for a missing attribute (never reached; see
/// [`ConditionRef::field`]).
static EMPTY_ATTRIBUTE: std::sync::LazyLock<crate::schema::AttributeDef> =
    std::sync::LazyLock::new(crate::schema::AttributeDef::placeholder);

/// What one condition tests, on values of the attribute's type (borrowed
/// from the filter). A list attribute passes when any of its elements
/// does (`All` tests: when every value is an element).
///
/// | value type | predicate |
/// |---|---|
/// | text, text list, enum, enum list | [`Predicate::Text`] |
/// | integer, decimal | [`Predicate::Number`] |
/// | boolean | [`Predicate::Bool`] |
/// | UUID | [`Predicate::Uuid`] |
/// | instant | [`Predicate::Instant`] |
/// | any, `is_null` | [`Predicate::IsNull`] |
///
/// New variants may be added in minor versions, with new value types.
#[derive(Clone, Copy, Debug, PartialEq)]
#[non_exhaustive]
pub enum Predicate<'f> {
    /// A text test (text, text list, and the enumerations).
    Text(TextTest<'f>),
    /// Numbers compared exactly (integer and decimal attributes).
    Number(Comparison<'f, Decimal>),
    /// Booleans (only `OneOf` / `All`).
    Bool(Comparison<'f, bool>),
    /// UUIDs compared by their 128-bit value.
    Uuid(Comparison<'f, Uuid>),
    /// Instants (normalised to UTC).
    Instant(Comparison<'f, DateTime<Utc>>),
    /// `is_null`: the attribute has no value (absent, JSON null, or an
    /// empty list).
    IsNull,
}

impl Predicate<'_> {
    /// How many values the predicate compares with: 0 for `is_null`, 1 for
    /// `like`, `ilike`, `text` and the orderings.
    pub fn value_count(&self) -> usize {
        fn count<T: ?Sized>(c: &Comparison<'_, T>) -> usize {
            match c {
                Comparison::OneOf(v) | Comparison::All(v) => v.len(),
                Comparison::Gt(_) | Comparison::Ge(_) | Comparison::Lt(_) | Comparison::Le(_) => 1,
            }
        }
        match self {
            Predicate::Text(TextTest::Compare(c)) => count(c),
            Predicate::Text(TextTest::Like(_) | TextTest::Ilike(_) | TextTest::Search(_)) => 1,
            Predicate::Number(c) => count(c),
            Predicate::Bool(c) => count(c),
            Predicate::Uuid(c) => count(c),
            Predicate::Instant(c) => count(c),
            Predicate::IsNull => 0,
        }
    }
}

/// A comparison of an attribute's value(s) with typed values.
#[derive(Debug, PartialEq)]
pub enum Comparison<'f, T: ?Sized> {
    /// Equals one of the values (`eq`, `in`, `contains`, `contains_any`).
    OneOf(Values<'f, T>),
    /// Every value is among the attribute's values (`contains_all`).
    All(Values<'f, T>),
    /// Greater than (`gt`).
    Gt(&'f T),
    /// Greater than or equal to (`ge`).
    Ge(&'f T),
    /// Less than (`lt`).
    Lt(&'f T),
    /// Less than or equal to (`le`).
    Le(&'f T),
}

impl<T: ?Sized> Clone for Comparison<'_, T> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<T: ?Sized> Copy for Comparison<'_, T> {}

/// The typed values of a comparison, borrowed from the filter: iterate
/// them with [`Values::iter`].
pub struct Values<'f, T: ?Sized> {
    /// Value nodes.
    slots: &'f [Node],
    /// The filter the slots point into (`None` only with no slots).
    filter: Option<&'f ValidFilter>,
    get: fn(&'f Slot, &'f ValidFilter) -> Option<&'f T>,
}

impl<T: ?Sized> Clone for Values<'_, T> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<T: ?Sized> Copy for Values<'_, T> {}

impl<'f, T: ?Sized> Values<'f, T> {
    /// The values, in the order written.
    #[inline]
    pub fn iter(&self) -> impl Iterator<Item = &'f T> + Clone + 'f {
        let (get, filter) = (self.get, self.filter);
        self.slots.iter().filter_map(move |n| match n {
            Node::Value(s) => get(s, filter?),
            _ => None,
        })
    }

    /// How many values there are.
    pub fn len(&self) -> usize {
        self.slots.len()
    }

    /// True when there are none (never, in a validated filter).
    pub fn is_empty(&self) -> bool {
        self.slots.is_empty()
    }

    /// The first value.
    pub fn first(&self) -> Option<&'f T> {
        match self.slots.first()? {
            Node::Value(s) => (self.get)(s, self.filter?),
            _ => None,
        }
    }

    /// True when `value` is one of the values.
    pub fn contains(&self, value: &T) -> bool
    where
        T: PartialEq,
    {
        self.iter().any(|v| v == value)
    }
}

impl<'f> Values<'f, str> {
    /// The bytes of the text values, in the order written (the fast path
    /// of evaluation: no call through `get`, no UTF-8 boundary checks).
    #[inline]
    pub(crate) fn bytes(&self) -> impl Iterator<Item = &'f [u8]> + Clone + 'f {
        let text = self.filter.map_or(&[][..], |f| f.text.as_bytes());
        self.slots.iter().filter_map(move |n| match *n {
            Node::Value(Slot::Text { start, len }) => text.get(start..start.saturating_add(len)),
            _ => None,
        })
    }
}

impl<T: fmt::Debug + ?Sized> fmt::Debug for Values<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list().entries(self.iter()).finish()
    }
}

impl<T: PartialEq + ?Sized> PartialEq for Values<'_, T> {
    fn eq(&self, other: &Self) -> bool {
        self.iter().eq(other.iter())
    }
}

/// A test on a text value.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum TextTest<'f> {
    /// Exact, bytewise comparisons.
    Compare(Comparison<'f, str>),
    /// `like`: a case-sensitive wildcard pattern.
    Like(LikePatternRef<'f>),
    /// `ilike`: the pattern, lower-cased, against the lower-cased value.
    Ilike(LikePatternRef<'f>),
    /// `text`: full-text search.
    Search(&'f TextQuery),
}

/// The detach_nodes schema ([`Schema::detach_nodes`]), built once per
/// process; what [`crate::compile()`] checks against.
pub(crate) fn detach_nodes() -> &'static Schema {
    &crate::schema::presets::DETACH_NODES
}

/// Validates a parsed filter against `schema` and `limits`, reporting every
/// problem ([`crate::Compiler::validate`]).
pub(crate) fn validate_for(
    filter: &Filter<'_>,
    schema: &Schema,
    limits: &Limits,
) -> Result<ValidFilter, ValidationErrors> {
    let checker = check(filter, "", schema, limits)?;
    Ok(checker.finish(OnceLock::from(canonical_text(filter)), Conjunction::Unknown))
}

/// [`validate_for`] of `filter`, parsed from `source` with `limits`: the
/// canonical text is not written now but on first use, from `source`
/// (compiling is several times more frequent than printing).
pub(crate) fn validate_source(
    filter: &Filter<'_>,
    source: &str,
    schema: &Schema,
    limits: &Limits,
) -> Result<ValidFilter, ValidationErrors> {
    let checker = check(filter, source, schema, limits)?;
    Ok(checker.finish(OnceLock::new(), Conjunction::Unknown))
}

/// The checker holding the flat tree of `filter` (parsed from `source`,
/// or `""` when it has none), or every problem.
fn check<'m>(
    filter: &Filter<'_>,
    source: &'m str,
    schema: &'m Schema,
    limits: &'m Limits,
) -> Result<Checker<'m>, ValidationErrors> {
    let mut checker = Checker::new(schema, limits, source);
    let (ok, complexity) = checker.expr(&filter.expr, 0);
    if schema.allow_or() && limits.max_complexity != 0 && complexity > limits.max_complexity {
        checker.errors.push(ValidationError::new(
            ValidationErrorKind::TooComplex {
                found: complexity,
                limit: limits.max_complexity,
            },
            filter.span,
        ));
    }
    if checker.conditions > limits.max_conditions {
        if let Some(over) = filter.conditions().nth(limits.max_conditions) {
            let error = ValidationError::new(
                ValidationErrorKind::TooManyConditions {
                    found: checker.conditions,
                    limit: limits.max_conditions,
                },
                over.span,
            );
            let at = checker
                .errors
                .iter()
                .position(|e| e.span().start >= over.span.start)
                .unwrap_or(checker.errors.len());
            checker.errors.insert(at, error);
        }
    }
    match ValidationErrors::new(std::mem::take(&mut checker.errors)) {
        None if ok && !checker.nodes.is_empty() => Ok(checker),
        Some(errors) => Err(errors),
        // Every failed node pushes an error first, so this is not reached;
        // answering with the depth error keeps the function total.
        None => Err(ValidationErrors::one(ValidationError::new(
            ValidationErrorKind::TooDeep {
                limit: limits.depth(),
            },
            filter.span,
        ))),
    }
}

/// The complexity of one condition (see [`Limits::max_complexity`]).
const LEAF: usize = 1;

/// Walks the tree, collecting problems and building the flat filter.
struct Checker<'m> {
    schema: &'m Schema,
    /// Every operator the schema allows, computed once.
    all_operators: OpSet,
    limits: &'m Limits,
    errors: Vec<ValidationError>,
    conditions: usize,
    /// The nodes built so far (see [`ValidFilter`]).
    nodes: Vec<Node>,
    /// Where text values point.
    texts: Texts<'m>,
}

/// The text of a filter being built: the source, then `extra`.
struct Texts<'m> {
    /// The filter's text as given (`""` for a tree without one).
    source: &'m str,
    /// The texts `source` does not hold as they are.
    extra: String,
    /// The numbers of the values.
    numbers: Vec<Decimal>,
    /// The full-text queries of the values.
    searches: Vec<TextQuery>,
}

impl Texts<'_> {
    /// A slot for the number `n`.
    fn number(&mut self, n: Decimal) -> Slot {
        self.numbers.push(n);
        Slot::Number(slot_index(self.numbers.len() - 1))
    }

    /// A slot for the `like` value `t` (its needle lower-cased when
    /// `lower`).
    fn like(&mut self, t: &str, lower: bool) -> Slot {
        // Lower-cased as PostgreSQL does (borrowed when nothing changes,
        // so the needle still points into the input).
        let lowered;
        let t = if lower {
            lowered = crate::pg_ctype::lower(t);
            &*lowered
        } else {
            t
        };
        let (kind, needle) = crate::pattern::split(t);
        match self.slot(needle) {
            Slot::Text { start, len } => Slot::Like { kind, start, len },
            other => other,
        }
    }

    /// A slot for `t`: where `source` holds it (a text the parser
    /// borrowed from it, found by its address, so nothing is copied), or
    /// else after the source, copied into `extra`.
    #[inline]
    fn slot(&mut self, t: &str) -> Slot {
        let len = t.len();
        let at = (t.as_ptr() as usize).wrapping_sub(self.source.as_ptr() as usize);
        let start = match at.checked_add(len).and_then(|end| self.source.get(at..end)) {
            // The same bytes at the same address: `t` is that part of
            // `source` (an owned text never lies inside it).
            Some(same) if same.as_ptr() == t.as_ptr() => at,
            _ => {
                let start = self.source.len() + self.extra.len();
                self.extra.push_str(t);
                start
            }
        };
        Slot::Text { start, len }
    }
}

impl<'m> Checker<'m> {
    /// A checker of filters parsed from `source` (`""` for none) against
    /// `schema` under `limits`, with no problems and no conditions seen
    /// yet.
    fn new(schema: &'m Schema, limits: &'m Limits, source: &'m str) -> Checker<'m> {
        Checker {
            schema,
            all_operators: schema.operators(),
            limits,
            errors: Vec::new(),
            conditions: 0,
            nodes: Vec::new(),
            texts: Texts {
                source,
                extra: String::new(),
                numbers: Vec::new(),
                searches: Vec::new(),
            },
        }
    }

    /// The filter built (the checker found no problem).
    fn finish(self, canonical: OnceLock<Box<str>>, conjunction: Conjunction) -> ValidFilter {
        let conjunction = match conjunction {
            Conjunction::Yes => true,
            Conjunction::Unknown => match self.nodes.split_first() {
                Some((Node::Group { or: true, .. }, _)) => false,
                Some((_, rest)) => !rest.iter().any(|n| matches!(n, Node::Group { .. })),
                None => false,
            },
        };
        let Texts {
            source,
            extra,
            numbers,
            searches,
        } = self.texts;
        let text = if extra.is_empty() {
            Box::from(source)
        } else {
            let mut text = String::with_capacity(source.len() + extra.len());
            text.push_str(source);
            text.push_str(&extra);
            text.into_boxed_str()
        };
        ValidFilter {
            schema: self.schema.clone(),
            canonical,
            text,
            source_len: source.len(),
            nodes: self.nodes,
            conjunction,
            numbers,
            searches,
        }
    }

    /// Checks `e`, appending its nodes; whether it passed, and its
    /// complexity (saturating). A failed node pushes at least one error.
    ///
    /// `depth` counts groups as the canonical form parenthesises them, as
    /// the parser counts parentheses: an `Or` that is a term of an `And` is
    /// one level deeper, while the top-level `Or` and an `And` inside an
    /// `Or` need no parentheses and add none. A group directly inside a
    /// group of the same kind (only in a hand-built tree: the parser
    /// splices them) also counts as a level. So validation never refuses
    /// as too deep a filter the parser accepted under the same limit, and
    /// recursion is still bounded: a node deeper than the limit is refused
    /// without being entered, and every second level of recursion is a
    /// level of depth.
    fn expr(&mut self, e: &Expr<'_>, depth: usize) -> (bool, usize) {
        match e {
            Expr::Condition(c) => (self.leaf(c), LEAF),
            Expr::And(g) | Expr::Or(g) => {
                if depth > self.limits.depth() {
                    self.errors.push(ValidationError::new(
                        ValidationErrorKind::TooDeep {
                            limit: self.limits.depth(),
                        },
                        g.span,
                    ));
                    return (false, usize::MAX);
                }
                if g.terms.is_empty() {
                    // Only a hand-built tree: a `ValidFilter` is never empty.
                    self.errors
                        .push(ValidationError::new(ValidationErrorKind::Empty, g.span));
                    return (false, 0);
                }
                let is_or = matches!(e, Expr::Or(_));
                if is_or && !self.schema.allow_or() {
                    self.errors.push(ValidationError::new(
                        ValidationErrorKind::OrNotSupported {
                            schema: self.schema.name().to_owned(),
                        },
                        g.span,
                    ));
                }
                let mut ok = true;
                let at = self.nodes.len();
                self.nodes.push(Node::Group {
                    or: is_or,
                    terms: 0,
                    size: 0,
                });
                let mut complexity: usize = if is_or { 0 } else { 1 };
                for term in &g.terms {
                    // A condition (the common term) is checked here, without
                    // a level of recursion.
                    let (t, c) = match term {
                        Expr::Condition(cond) => (self.leaf(cond), LEAF),
                        // An `And` inside an `Or` needs no parentheses.
                        Expr::And(_) if is_or => self.expr(term, depth),
                        _ => self.expr(term, depth + 1),
                    };
                    complexity = if is_or {
                        complexity.saturating_add(c)
                    } else {
                        complexity.saturating_mul(c)
                    };
                    ok &= t;
                }
                if ok && g.terms.len() == 1 {
                    // A group of one term is that term.
                    self.nodes.remove(at);
                } else {
                    let size = self.nodes.len() - at - 1;
                    if let Some(node) = self.nodes.get_mut(at) {
                        *node = Node::Group {
                            or: is_or,
                            terms: u32::try_from(g.terms.len()).unwrap_or(u32::MAX),
                            size: u32::try_from(size).unwrap_or(u32::MAX),
                        };
                    }
                }
                (ok, complexity)
            }
        }
    }

    /// A condition as a node of the tree, counted.
    #[inline]
    fn leaf(&mut self, c: &Condition<'_>) -> bool {
        self.conditions = self.conditions.saturating_add(1);
        self.condition(c)
    }

    /// Validates one condition, pushing its problems; when it has none,
    /// appends it (and its values) to the filter being built and returns
    /// true.
    fn condition(&mut self, cond: &Condition<'_>) -> bool {
        let errors = &mut self.errors;
        let all = self.all_operators;
        if !all.contains(cond.op) {
            errors.push(ValidationError::new(
                ValidationErrorKind::OperatorNotSupported {
                    op: cond.op,
                    schema: self.schema.name().to_owned(),
                    supported: all,
                },
                cond.op_span,
            ));
            return false;
        }
        let attr = &cond.attribute;
        let Some((index, path)) = self.schema.lookup(attr.path) else {
            let kind = match self.schema.resolve(attr.path) {
                Err(ResolveError::Shape { expected, .. }) => {
                    ValidationErrorKind::MalformedAttribute {
                        found: attr.path.to_owned(),
                        expected,
                    }
                }
                Err(ResolveError::Unknown { suggestion, .. }) => {
                    ValidationErrorKind::UnknownAttribute {
                        found: attr.path.to_owned(),
                        suggestion,
                    }
                }
                // `lookup` and `resolve` agree; keep this total.
                Ok(_) => ValidationErrorKind::UnknownAttribute {
                    found: attr.path.to_owned(),
                    suggestion: None,
                },
            };
            errors.push(ValidationError::new(kind, attr.span));
            return false;
        };
        let Some(attribute) = self.schema.attribute_at(index) else {
            return false;
        };
        let ops = attribute.operators();
        if !ops.contains(cond.op) {
            errors.push(ValidationError::new(
                ValidationErrorKind::UnsupportedOperator {
                    op: cond.op,
                    attribute: attr.path.to_owned(),
                    supported: ops,
                },
                attr.span,
            ));
            return false;
        }
        let before = errors.len();
        let values = cond.values.as_slice();
        let n = values.len();
        if !cond.op.arity().allows(n) {
            errors.push(ValidationError::new(
                ValidationErrorKind::WrongArity {
                    op: cond.op,
                    attribute: attr.path.to_owned(),
                    found: n,
                    in_supported: ops.contains(Op::In),
                },
                values
                    .get(usize::from(cond.op != Op::IsNull))
                    .map_or(cond.span, |v| v.span),
            ));
        }
        if let Some(first_over) = values.get(self.limits.max_in_values) {
            errors.push(ValidationError::new(
                ValidationErrorKind::TooManyValues {
                    found: n,
                    limit: self.limits.max_in_values,
                },
                first_over.span,
            ));
        }
        // A patterned attribute keeps its canonical path (the written one,
        // or an alias's target), as a text slot before the values.
        // The condition's node comes first; it is written when its
        // values are typed.
        let nodes = &mut self.nodes;
        let at = nodes.len();
        nodes.push(Node::Group {
            or: false,
            terms: 0,
            size: 0,
        });
        let texts = &mut self.texts;
        let path_slot = match (path, attribute.path_pattern().is_exact()) {
            (Some(p), _) => Some(texts.slot(&p)),
            (None, false) => Some(texts.slot(attr.path)),
            (None, true) => None,
        };
        if let Some(p) = path_slot {
            nodes.push(Node::Value(p));
        }
        let first = nodes.len();
        let mut typer = Typer {
            attribute: attr.path,
            value_type: attribute.value_type(),
            rules: self.schema.rules_at(index),
            errors,
            values: nodes,
            texts,
        };
        let typed = typer.predicate(cond);
        if !typed || typer.errors.len() != before {
            self.nodes.truncate(at);
            return false;
        }
        let count = self.nodes.len() - first;
        if let Some(node) = self.nodes.get_mut(at) {
            *node = Node::Condition(Cond {
                span: cond.span,
                attribute: slot_index(index),
                count: slot_index(count),
                path: path_slot.is_some(),
                field: self.schema.product_field_at(index),
                op: cond.op,
            });
        }
        true
    }
}

/// A position in a filter's vectors as stored (filters are bounded by
/// their byte limit far below `u32::MAX` entries).
#[inline]
fn slot_index(i: usize) -> u32 {
    u32::try_from(i).unwrap_or(u32::MAX)
}

/// True when `op` is a comparison (over typed values): every operator but
/// `like`, `ilike`, `text` and `is_null`.
fn is_comparison(op: Op) -> bool {
    !matches!(op, Op::Like | Op::Ilike | Op::Text | Op::IsNull)
}

/// Types the values of one condition, recording one error per bad value
/// and appending the typed values to the filter's slots.
struct Typer<'a, 'm> {
    attribute: &'a str,
    value_type: &'a ValueType,
    /// `None` when the attribute has no value rule.
    rules: Option<&'a crate::schema::ValueRules>,
    errors: &'a mut Vec<ValidationError>,
    /// The filter's nodes, which the values are appended to.
    values: &'a mut Vec<Node>,
    texts: &'a mut Texts<'m>,
}

impl Typer<'_, '_> {
    /// Types the values of `cond` into slots, recording one error per bad
    /// value; false when the operator has no meaning for the type (a
    /// schema never allows such a pair; refused here with the operator's
    /// span to stay total).
    fn predicate(&mut self, cond: &Condition<'_>) -> bool {
        let op = cond.op;
        let values: &[Value<'_>] = cond.values.as_slice();
        let before = self.errors.len();
        let compared = is_comparison(op);
        let ok = match self.value_type {
            _ if op == Op::IsNull => true,
            ValueType::Uuid => {
                self.all(values, parse_uuid, |_, u| Slot::Uuid(u));
                compared
            }
            ValueType::Instant => {
                self.all(values, parse_instant, |_, t| Slot::Instant(t));
                compared
            }
            ValueType::Integer => {
                self.numbers(values, parse_integer);
                compared
            }
            ValueType::Decimal => {
                self.numbers(values, Decimal::parse);
                compared
            }
            ValueType::Boolean => {
                self.all(values, parse_bool, |_, b| Slot::Bool(b));
                compared
            }
            ValueType::Enum(allowed) | ValueType::EnumList(allowed) => {
                self.texts(values, |s| allowed.iter().any(|a| a == s));
                compared
            }
            ValueType::Text | ValueType::TextList => {
                let first = || values.first().map_or("", |v| &v.text);
                match op {
                    Op::Like => {
                        self.check_rules(values);
                        let slot = self.texts.like(first(), false);
                        self.values.push(Node::Value(slot));
                    }
                    Op::Ilike => {
                        self.check_rules(values);
                        let slot = self.texts.like(first(), true);
                        self.values.push(Node::Value(slot));
                    }
                    Op::Text => {
                        self.check_rules(values);
                        self.texts.searches.push(TextQuery::new(first()));
                        let i = slot_index(self.texts.searches.len() - 1);
                        self.values.push(Node::Value(Slot::Search(i)));
                    }
                    _ => self.texts(values, |_| true),
                }
                true
            }
        };
        if !ok && self.errors.len() == before {
            self.errors.push(ValidationError::new(
                ValidationErrorKind::UnsupportedOperator {
                    op,
                    attribute: self.attribute.to_owned(),
                    supported: OpSet::EMPTY,
                },
                cond.op_span,
            ));
        }
        ok
    }

    /// The value rules of values that are not typed further (`like`,
    /// `ilike`, `text` operands): the text rules (lengths, `email`,
    /// `excludes`) apply to them as written; `one_of` does not.
    fn check_rules(&mut self, values: &[Value<'_>]) {
        for v in values {
            if let Some(expected) = self.text_problem(&v.text) {
                self.push_invalid(v, expected);
            }
        }
    }

    /// The first text rule (lengths, `email`, `excludes`) a value of a
    /// text type breaks.
    fn text_problem(&self, text: &str) -> Option<ExpectedValue> {
        if !self.value_type.is_text() {
            return None;
        }
        self.rules?.text_break(text).map(expected)
    }

    /// Types each value as a number with `parse`, then checks the bounds
    /// (`gt`, `ge`, `lt`, `le`), appending each good one as a slot.
    fn numbers(&mut self, values: &[Value<'_>], parse: fn(&str) -> Option<Decimal>) {
        for v in values {
            let Some(n) = self.one(v, parse) else {
                continue;
            };
            if let Some(broken) = self.rules.and_then(|r| r.number_break(&n)) {
                self.push_invalid(v, expected(broken));
                continue;
            }
            let slot = self.texts.number(n);
            self.values.push(Node::Value(slot));
        }
    }

    fn push_invalid(&mut self, v: &Value<'_>, expected: ExpectedValue) {
        self.errors.push(ValidationError::new(
            ValidationErrorKind::InvalidValue {
                attribute: self.attribute.to_owned(),
                value: v.text.to_string(),
                expected,
            },
            v.span,
        ));
    }

    /// Appends each value that `allowed` accepts as a text slot.
    fn texts(&mut self, values: &[Value<'_>], allowed: impl Fn(&str) -> bool) {
        for v in values {
            if self.one(v, |s| allowed(s).then_some(())).is_some() {
                let slot = self.texts.slot(&v.text);
                self.values.push(Node::Value(slot));
            }
        }
    }

    /// Types each value with `parse`, appending each typed one as a slot.
    fn all<T>(
        &mut self,
        values: &[Value<'_>],
        parse: impl Fn(&str) -> Option<T>,
        slot: fn(&mut Texts<'_>, T) -> Slot,
    ) {
        for v in values {
            if let Some(t) = self.one(v, &parse) {
                let s = slot(self.texts, t);
                self.values.push(Node::Value(s));
            }
        }
    }

    fn one<T>(&mut self, v: &Value<'_>, parse: impl Fn(&str) -> Option<T>) -> Option<T> {
        // `one_of` values are values of the type, so it is checked first
        // and says the most.
        if let Some(one_of) = self.rules.and_then(|r| r.one_of.as_ref()) {
            if !one_of.iter().any(|x| *x == *v.text) {
                self.push_invalid(v, ExpectedValue::OneOf(one_of.clone()));
                return None;
            }
        }
        let Some(t) = parse(&v.text) else {
            let expected = ExpectedValue::Type(self.value_type.clone());
            self.push_invalid(v, expected);
            return None;
        };
        if let Some(expected) = self.text_problem(&v.text) {
            self.push_invalid(v, expected);
            return None;
        }
        Some(t)
    }
}

/// What a value breaking a rule was expected to be.
fn expected(broken: RuleBreak<'_>) -> ExpectedValue {
    match broken {
        RuleBreak::MinLen(n) => ExpectedValue::MinLen(n),
        RuleBreak::MaxLen(n) => ExpectedValue::MaxLen(n),
        RuleBreak::Email => ExpectedValue::Email,
        RuleBreak::Excludes(x) => ExpectedValue::Excludes(x.to_owned()),
        RuleBreak::GreaterThan(b) => ExpectedValue::GreaterThan(b.clone()),
        RuleBreak::AtLeast(b) => ExpectedValue::AtLeast(b.clone()),
        RuleBreak::LessThan(b) => ExpectedValue::LessThan(b.clone()),
        RuleBreak::AtMost(b) => ExpectedValue::AtMost(b.clone()),
    }
}

/// `true` or `false`, lower case.
fn parse_bool(s: &str) -> Option<bool> {
    match s {
        "true" => Some(true),
        "false" => Some(false),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    /// A filter deeper than the default limit, compiled under a larger
    /// one, still prints canonically: the canonical text is parsed again
    /// without a depth limit (with the default one it would fail, and the
    /// source would stand in).
    #[test]
    fn a_deep_filter_prints_canonically() {
        let mut source = String::from("eq(sku,\"x\")");
        for n in 0..12 {
            source = format!("eq(sku,\"a{n}\"):(eq(sku,b{n})|{source})");
        }
        let limits = Limits {
            max_depth: 16,
            max_conditions: 100,
            max_complexity: 100,
            ..Limits::DEFAULT
        };
        let every = Schema::every_operator();
        // Too deep for the default depth alone.
        let default_depth = Limits {
            max_depth: Limits::DEFAULT.max_depth,
            ..limits
        };
        let refused = crate::CompilerBuilder::new()
            .schema(every.clone())
            .limits(default_depth)
            .build()
            .compile(&source);
        assert!(
            refused
                .as_ref()
                .is_err_and(|e| e.to_string().contains("deep")),
            "{refused:?}"
        );
        let filter = crate::CompilerBuilder::new()
            .schema(every)
            .limits(limits)
            .build()
            .compile(&source)
            .unwrap_or_else(|e| panic!("{e}"));
        let parsed = crate::syntax::parse_with(&source, &limits).unwrap_or_else(|e| panic!("{e}"));
        let want = canonical_text(&parsed);
        assert!(!want.contains('"'), "{want}");
        assert_eq!(filter.as_str(), &*want);
    }

    #[test]
    fn instants() {
        let midnight = Utc.with_ymd_and_hms(2024, 1, 1, 0, 0, 0).unwrap();
        assert_eq!(parse_instant("2024-01-01"), Some(midnight));
        assert_eq!(parse_instant("2024-01-01T00:00:00Z"), Some(midnight));
        assert_eq!(parse_instant("2024-01-01T02:00:00+02:00"), Some(midnight));
        assert_eq!(parse_instant("1704067200000"), Some(midnight));
        assert_eq!(parse_instant("0"), Utc.timestamp_millis_opt(0).single());
        for bad in [
            "",
            "2024-1-01",
            "2024-01-1",
            "2024-13-01",
            "2024-02-30",
            "-1",
            "+5",
            "1.5",
            "99999999999999999999",
            "yesterday",
            "2024-01-01T00:00:00",
        ] {
            assert_eq!(parse_instant(bad), None, "{bad}");
        }
    }

    /// The direct reading of `YYYY-MM-DDTHH:MM:SSZ` agrees with chrono's
    /// RFC 3339 reading, on valid, edge and invalid instants.
    #[test]
    fn common_instants_read_as_chrono_reads_them() {
        for s in [
            "2024-01-01T00:00:00Z",
            "2024-02-29T23:59:59Z",
            "2023-02-29T00:00:00Z",
            "2016-12-31T23:59:60Z",
            "2024-01-01T24:00:00Z",
            "2024-01-01T00:60:00Z",
            "2024-13-01T00:00:00Z",
            "0000-01-01T00:00:00Z",
            "9999-12-31T23:59:59Z",
            "2024-01-01T0a:00:00Z",
            "2024-01-01t00:00:00Z",
            "2024-01-01T00:00:00z",
            "2024-01-01T00:00:00.5Z",
        ] {
            let chrono = DateTime::parse_from_rfc3339(s)
                .ok()
                .map(|t| t.with_timezone(&Utc));
            assert_eq!(parse_instant(s), chrono, "{s}");
        }
        assert_eq!(
            parse_instant("2024-03-04T05:06:07Z"),
            Utc.with_ymd_and_hms(2024, 3, 4, 5, 6, 7).single()
        );
    }

    /// Text values and paths the input holds are not copied: the
    /// filter's text is the input, and only decoded escapes and aliases'
    /// targets come after it.
    #[test]
    fn texts_point_into_the_input() {
        let input = "eq(status,live):in(sku,a-1,b-2):eq(extensions.book.isbn,17)";
        let compile = |s| compile_conjunction(s, detach_nodes(), &Limits::DEFAULT).unwrap();
        let f = compile(input);
        assert_eq!(&*f.text, input);
        let escaped = r#"eq(sku,"a\"b"):eq(name,x)"#;
        let f = compile(escaped);
        assert_eq!(&*f.text, format!("{escaped}a\"b"));
        let c: Vec<String> = f
            .conditions()
            .map(|c| format!("{:?}", c.predicate()))
            .collect();
        assert_eq!(
            c,
            [
                r#"Text(Compare(OneOf(["a\"b"])))"#,
                r#"Text(Compare(OneOf(["x"])))"#
            ]
        );
    }

    #[test]
    fn uuids() {
        assert!(parse_uuid("3fa85f64-5717-4562-b3fc-2c963f66afa6").is_some());
        assert!(parse_uuid("3FA85F64-5717-4562-B3FC-2C963F66AFA6").is_some());
        assert!(parse_uuid("3fa85f6457174562b3fc2c963f66afa6").is_none());
        assert!(parse_uuid("{3fa85f64-5717-4562-b3fc-2c963f66afa6}").is_none());
        assert!(parse_uuid("3fa85f64-5717-4562-b3fc-2c963f66afaz").is_none());
        assert!(parse_uuid("3fa85f64-5717-4562-b3fc2-c963f66afa6").is_none());
    }
}
