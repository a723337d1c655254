//! The abstract syntax tree of a filter.
//!
//! A filter is a tree: conditions joined by `:` (AND, [`Expr::And`]) and
//! groups of alternatives joined by `|` (OR, [`Expr::Or`]). Every node keeps
//! the byte [`Span`] it came from. The tree keeps structure only: operator,
//! attribute path and operand text (quotes removed, escapes decoded). Typing
//! the values (UUIDs, instants, enums) is the job of [`crate::validate`], in
//! the spirit of toml_edit's "structure first, decoding second".
//!
//! The tree borrows from the input: attribute paths are `&str` slices of it,
//! values are [`Cow`]s that own their text only when an escape had to be
//! decoded.
//!
//! The parser builds a normalised tree: a group of one alternative is that
//! alternative, and a node directly inside a node of the same kind is
//! spliced into it, so `(eq(a,1):eq(b,2)):eq(c,3)` is one `And` of three
//! conditions. `Display` prints the same normal form for hand-built trees.
//!
//! Every node derives `PartialEq`, spans included, so tests can assert the
//! exact tree. To compare two filters by meaning only (for example a filter
//! and the result of re-parsing its canonical form), compare
//! `Filter::to_string` outputs or use [`Filter::same_shape`].

pub use crate::diagnostic::Span;
use std::borrow::Cow;
use std::fmt;

/// An operator. Operators are lower case in the filter text.
///
/// New operators may be added in minor versions (the vendor's language
/// grows).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub enum Op {
    /// `eq`: equals.
    Eq,
    /// `like`: wildcard match (a leading and/or trailing `*`), case-sensitive.
    Like,
    /// `in`: equals one of one or more values.
    In,
    /// `gt`: greater than.
    Gt,
    /// `ge`: greater than or equal to.
    Ge,
    /// `lt`: less than.
    Lt,
    /// `le`: less than or equal to.
    Le,
    /// `ilike`: `like`, case-insensitively.
    Ilike,
    /// `contains`: a list attribute has the value as an element.
    Contains,
    /// `contains_any`: a list attribute has one of one or more values.
    ContainsAny,
    /// `contains_all`: a list attribute has every one of one or more values.
    ContainsAll,
    /// `text`: full-text search (English stop words and stemming).
    Text,
    /// `is_null`: the attribute has no value; takes no value operand.
    IsNull,
}

/// How many value operands an operator takes after the attribute.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Arity {
    /// None: `is_null(attribute)`.
    None,
    /// Exactly one.
    One,
    /// One or more: `in`, `contains_any`, `contains_all`.
    OneOrMore,
}

impl Arity {
    /// True when `n` values are allowed.
    pub const fn allows(self, n: usize) -> bool {
        match self {
            Arity::None => n == 0,
            Arity::One => n == 1,
            Arity::OneOrMore => n >= 1,
        }
    }
}

impl Op {
    /// Every operator: the seven of the vendor's filtering guide in its
    /// order, then the rest of the vendor's filter library.
    pub const ALL: [Op; 13] = [
        Op::Eq,
        Op::Like,
        Op::In,
        Op::Gt,
        Op::Ge,
        Op::Lt,
        Op::Le,
        Op::Ilike,
        Op::Contains,
        Op::ContainsAny,
        Op::ContainsAll,
        Op::Text,
        Op::IsNull,
    ];

    /// The operator's name as written in a filter (`"eq"`, `"like"`, ...).
    pub const fn as_str(self) -> &'static str {
        match self {
            Op::Eq => "eq",
            Op::Like => "like",
            Op::In => "in",
            Op::Gt => "gt",
            Op::Ge => "ge",
            Op::Lt => "lt",
            Op::Le => "le",
            Op::Ilike => "ilike",
            Op::Contains => "contains",
            Op::ContainsAny => "contains_any",
            Op::ContainsAll => "contains_all",
            Op::Text => "text",
            Op::IsNull => "is_null",
        }
    }

    /// Looks an operator up by its exact (lower-case) name; `None` otherwise.
    pub fn from_name(name: &str) -> Option<Op> {
        Op::from_bytes(name.as_bytes())
    }

    /// [`Op::from_name`] on the name's bytes.
    pub(crate) fn from_bytes(name: &[u8]) -> Option<Op> {
        Some(match name {
            b"eq" => Op::Eq,
            b"like" => Op::Like,
            b"in" => Op::In,
            b"gt" => Op::Gt,
            b"ge" => Op::Ge,
            b"lt" => Op::Lt,
            b"le" => Op::Le,
            b"ilike" => Op::Ilike,
            b"contains" => Op::Contains,
            b"contains_any" => Op::ContainsAny,
            b"contains_all" => Op::ContainsAll,
            b"text" => Op::Text,
            b"is_null" => Op::IsNull,
            _ => return None,
        })
    }

    /// How many values the operator takes after the attribute.
    pub const fn arity(self) -> Arity {
        match self {
            Op::IsNull => Arity::None,
            Op::In | Op::ContainsAny | Op::ContainsAll => Arity::OneOrMore,
            Op::Eq
            | Op::Like
            | Op::Gt
            | Op::Ge
            | Op::Lt
            | Op::Le
            | Op::Ilike
            | Op::Contains
            | Op::Text => Arity::One,
        }
    }

    /// True for the operators that take one or more values
    /// (`in`, `contains_any`, `contains_all`).
    pub const fn takes_many(self) -> bool {
        matches!(self.arity(), Arity::OneOrMore)
    }
}

impl fmt::Display for Op {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A parsed filter: the root of the tree and the span of the whole filter
/// (without surrounding spaces).
///
/// Build one with [`crate::syntax::parse`] (or `str::parse` for an input
/// that outlives it); print its canonical form with `Display`.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Filter<'a> {
    /// The tree.
    pub expr: Expr<'a>,
    /// The whole filter, without surrounding spaces.
    pub span: Span,
}

impl<'a> Filter<'a> {
    /// The conditions of the tree, left to right (depth first).
    pub fn conditions(&self) -> Conditions<'_, 'a> {
        self.expr.conditions()
    }

    /// True when both filters have the same tree, operators, attributes and
    /// values, whatever their spans.
    pub fn same_shape(&self, other: &Filter<'_>) -> bool {
        self.expr.same_shape(&other.expr)
    }
}

/// A node of the filter tree.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Expr<'a> {
    /// One condition, `op(attribute,value,...)`.
    Condition(Condition<'a>),
    /// Terms joined by `:`, all of which must hold. From the parser: two or
    /// more terms, none of them an `And`.
    And(Group<'a>),
    /// Alternatives joined by `|`, one of which must hold. From the parser:
    /// two or more alternatives, none of them an `Or`; the span covers the
    /// parentheses of a group, or the whole alternation of a top-level OR
    /// (which needs none).
    Or(Group<'a>),
}

impl<'a> Expr<'a> {
    /// The node's span.
    pub fn span(&self) -> Span {
        match self {
            Expr::Condition(c) => c.span,
            Expr::And(g) | Expr::Or(g) => g.span,
        }
    }

    /// The conditions below this node, left to right.
    pub fn conditions(&self) -> Conditions<'_, 'a> {
        Conditions { stack: vec![self] }
    }

    /// True when both trees are equal ignoring spans.
    pub fn same_shape(&self, other: &Expr<'_>) -> bool {
        match (self, other) {
            (Expr::Condition(a), Expr::Condition(b)) => a.same_shape(b),
            (Expr::And(a), Expr::And(b)) | (Expr::Or(a), Expr::Or(b)) => {
                a.terms.len() == b.terms.len()
                    && a.terms.iter().zip(&b.terms).all(|(x, y)| x.same_shape(y))
            }
            _ => false,
        }
    }
}

/// The conditions of a tree, left to right; see [`Expr::conditions`].
#[derive(Clone, Debug)]
pub struct Conditions<'t, 'a> {
    stack: Vec<&'t Expr<'a>>,
}

impl<'t, 'a> Iterator for Conditions<'t, 'a> {
    type Item = &'t Condition<'a>;

    fn next(&mut self) -> Option<&'t Condition<'a>> {
        while let Some(e) = self.stack.pop() {
            match e {
                Expr::Condition(c) => return Some(c),
                Expr::And(g) | Expr::Or(g) => self.stack.extend(g.terms.iter().rev()),
            }
        }
        None
    }
}

/// The terms of an [`Expr::And`] or the alternatives of an [`Expr::Or`].
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Group<'a> {
    /// The terms, in source order.
    pub terms: Vec<Expr<'a>>,
    /// For `And`: from its first term to its last (the parentheses included
    /// when it is a whole group); for `Or`: from `(` to `)`.
    pub span: Span,
}

/// One condition: `op(attribute,value,...)`.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Condition<'a> {
    /// The operator.
    pub op: Op,
    /// Span of the operator name.
    pub op_span: Span,
    /// The first operand: the attribute path.
    pub attribute: Attribute<'a>,
    /// The remaining operands, as many as [`Op::arity`] allows.
    pub values: ValueList<Value<'a>>,
    /// From the operator's first byte to the closing `)` inclusive.
    pub span: Span,
}

impl Condition<'_> {
    /// True when both conditions are equal ignoring spans.
    pub fn same_shape(&self, other: &Condition<'_>) -> bool {
        self.op == other.op
            && self.attribute.path == other.attribute.path
            && self.values.len() == other.values.len()
            && self
                .values
                .iter()
                .zip(other.values.iter())
                .all(|(a, b)| a.text == b.text)
    }
}

/// The attribute operand: a dotted path such as `sku` or `extensions.book.isbn`.
///
/// The parser guarantees the path is one or more non-empty segments of ASCII
/// letters, digits, `_` and `-`, separated by single dots (so it never
/// needs an escape, and always borrows from the input).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Attribute<'a> {
    /// The path text, quotes removed.
    pub path: &'a str,
    /// Span of the operand as written (including quotes, if any).
    pub span: Span,
}

impl<'a> Attribute<'a> {
    /// The dot-separated segments of the path.
    pub fn segments(&self) -> std::str::Split<'a, char> {
        self.path.split('.')
    }
}

/// A value operand, quotes removed and escapes decoded.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Value<'a> {
    /// The value's text: borrowed from the input unless an escape was
    /// decoded. May be empty (written `""` or `''`).
    pub text: Cow<'a, str>,
    /// Span of the operand as written (including quotes, if any; excluding
    /// the leading spaces the grammar drops).
    pub span: Span,
}

impl<'a> Value<'a> {
    /// A value of `text` at `span`.
    pub fn new(text: impl Into<Cow<'a, str>>, span: Span) -> Value<'a> {
        Value {
            text: text.into(),
            span,
        }
    }
}

/// A list that stores a single element inline (most operators take exactly
/// one value), so a typical filter allocates no list per condition. Derefs
/// to `[T]`; compares, hashes and prints like a slice.
///
/// ```
/// use catalog_filter::syntax::ValueList;
/// let one: ValueList<u8> = vec![1].into();
/// let two: ValueList<u8> = [1, 2].into_iter().collect();
/// assert_eq!(one.as_slice(), &[1]);
/// assert!(two.contains(&2));
/// assert_eq!(format!("{two:?}"), "[1, 2]");
/// ```
#[derive(Clone)]
pub struct ValueList<T>(ListRepr<T>);

#[derive(Clone)]
enum ListRepr<T> {
    One(T),
    Many(Vec<T>),
}

impl<T> ValueList<T> {
    /// The empty list (allocates nothing).
    pub const fn new() -> ValueList<T> {
        ValueList(ListRepr::Many(Vec::new()))
    }

    /// The list of the one value `value` (allocates nothing).
    pub const fn one(value: T) -> ValueList<T> {
        ValueList(ListRepr::One(value))
    }

    /// The values as a slice.
    pub fn as_slice(&self) -> &[T] {
        match &self.0 {
            ListRepr::One(v) => std::slice::from_ref(v),
            ListRepr::Many(v) => v,
        }
    }

    /// Appends a value; the first is stored inline.
    pub fn push(&mut self, value: T) {
        match &mut self.0 {
            ListRepr::Many(v) if v.is_empty() && v.capacity() == 0 => {
                self.0 = ListRepr::One(value);
            }
            ListRepr::Many(v) => v.push(value),
            ListRepr::One(_) => {
                let ListRepr::One(first) =
                    std::mem::replace(&mut self.0, ListRepr::Many(Vec::with_capacity(4)))
                else {
                    return;
                };
                if let ListRepr::Many(v) = &mut self.0 {
                    v.push(first);
                    v.push(value);
                }
            }
        }
    }

    /// The first value, taking the list apart.
    pub fn into_first(self) -> Option<T> {
        match self.0 {
            ListRepr::One(v) => Some(v),
            ListRepr::Many(v) => v.into_iter().next(),
        }
    }

    /// Applies `f` to every value.
    pub fn map<U>(self, mut f: impl FnMut(T) -> U) -> ValueList<U> {
        match self.0 {
            ListRepr::One(v) => ValueList(ListRepr::One(f(v))),
            ListRepr::Many(v) => v.into_iter().map(f).collect(),
        }
    }
}

impl<T> Default for ValueList<T> {
    fn default() -> ValueList<T> {
        ValueList::new()
    }
}

impl<T> std::ops::Deref for ValueList<T> {
    type Target = [T];
    fn deref(&self) -> &[T] {
        self.as_slice()
    }
}

impl<T> From<Vec<T>> for ValueList<T> {
    fn from(mut v: Vec<T>) -> ValueList<T> {
        match v.len() {
            1 => match v.pop() {
                Some(one) => ValueList(ListRepr::One(one)),
                None => ValueList(ListRepr::Many(v)),
            },
            _ => ValueList(ListRepr::Many(v)),
        }
    }
}

impl<T> FromIterator<T> for ValueList<T> {
    fn from_iter<I: IntoIterator<Item = T>>(iter: I) -> ValueList<T> {
        let mut list = ValueList::new();
        for v in iter {
            list.push(v);
        }
        list
    }
}

impl<'l, T> IntoIterator for &'l ValueList<T> {
    type Item = &'l T;
    type IntoIter = std::slice::Iter<'l, T>;
    fn into_iter(self) -> Self::IntoIter {
        self.as_slice().iter()
    }
}

impl<T: PartialEq> PartialEq for ValueList<T> {
    fn eq(&self, other: &ValueList<T>) -> bool {
        self.as_slice() == other.as_slice()
    }
}

impl<T: Eq> Eq for ValueList<T> {}

impl<T: std::hash::Hash> std::hash::Hash for ValueList<T> {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.as_slice().hash(state)
    }
}

impl<T: fmt::Debug> fmt::Debug for ValueList<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self.as_slice(), f)
    }
}
