//! The schema model: attributes, patterns, aliases, resolution (documented in the `schema` module).

use super::OpSet;
use crate::Limits;
use crate::syntax::Op;
use serde::{Deserialize, Serialize};
use std::fmt;
use std::sync::Arc;

/// A schema: attributes with their value types, operators, aliases and
/// value rules, and the schema-wide switches (OR groups, complexity cap,
/// group depth, limits). See the [module docs](crate::schema).
///
/// Two schemas are equal when they define the same switches, attributes and
/// aliases, in any order (no order among them changes what a path
/// resolves to); the lookup index is derived and not compared.
///
/// Cloning is cheap (two reference counts): a [`crate::ValidFilter`] keeps
/// the schema it was validated against.
#[derive(Clone)]
pub struct Schema {
    pub(super) def: Arc<Definition>,
    index: Arc<Index>,
}

impl PartialEq for Schema {
    fn eq(&self, other: &Schema) -> bool {
        self.def == other.def
    }
}

impl Eq for Schema {}

impl fmt::Debug for Schema {
    /// The definition; the derived index is left out.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.def.fmt(f)
    }
}

/// The data of a schema, as defined; [`Schema`] adds the lookup index.
/// Its serde form is the schema-file format ([`super::config`]).
#[derive(Clone, Debug, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct Definition {
    pub(super) name: String,
    #[serde(default)]
    pub(super) allow_or: bool,
    #[serde(default, skip_serializing_if = "super::config::is_default")]
    pub(super) limits: Limits,
    #[serde(with = "super::config::attributes")]
    pub(super) attributes: Vec<AttributeDef>,
    /// Aliases whose target is not literally an attribute's pattern.
    #[serde(
        default,
        skip_serializing_if = "Vec::is_empty",
        with = "super::config::aliases"
    )]
    pub(super) aliases: Vec<Alias>,
}

impl PartialEq for Definition {
    /// Attributes and aliases compare as sets (they are unique).
    fn eq(&self, other: &Definition) -> bool {
        self.name == other.name
            && self.allow_or == other.allow_or
            && self.limits == other.limits
            && same_set(&self.attributes, &other.attributes)
            && same_set(&self.aliases, &other.aliases)
    }
}

/// True when two lists of unique items hold the same items, in any order.
fn same_set<T: PartialEq>(a: &[T], b: &[T]) -> bool {
    a.len() == b.len() && a.iter().all(|x| b.contains(x))
}

impl Definition {
    pub(super) fn new(name: String) -> Definition {
        Definition {
            name,
            allow_or: false,
            limits: Limits::DEFAULT,
            attributes: Vec::new(),
            aliases: Vec::new(),
        }
    }
}

/// One attribute of a schema: its pattern, value type, operators, aliases,
/// value rules and back-end column.
///
/// Equality compares the aliases in any order.
#[derive(Clone, Debug, Eq)]
pub struct AttributeDef {
    pub(super) pattern: AttributePattern,
    pub(super) value_type: ValueType,
    pub(super) ops: OpSet,
    pub(super) aliases: Vec<AttributePattern>,
    pub(super) rules: ValueRules,
    pub(super) sql: Option<SqlTarget>,
}

impl PartialEq for AttributeDef {
    fn eq(&self, other: &AttributeDef) -> bool {
        self.pattern == other.pattern
            && self.value_type == other.value_type
            && self.ops == other.ops
            && same_set(&self.aliases, &other.aliases)
            && self.rules == other.rules
            && self.sql == other.sql
    }
}

impl AttributeDef {
    /// An empty attribute, standing in where one is missing (never reached).
    pub(crate) fn placeholder() -> AttributeDef {
        AttributeDef {
            pattern: AttributePattern {
                text: String::new(),
                segments: Vec::new(),
            },
            value_type: ValueType::Text,
            ops: OpSet::EMPTY,
            aliases: Vec::new(),
            rules: ValueRules::default(),
            sql: None,
        }
    }

    /// The attribute's pattern as written: `sku`, `extensions.<template>.<field>`.
    pub fn pattern(&self) -> &str {
        &self.pattern.text
    }

    /// The parsed pattern.
    pub fn path_pattern(&self) -> &AttributePattern {
        &self.pattern
    }

    /// The type values must have.
    pub fn value_type(&self) -> &ValueType {
        &self.value_type
    }

    /// The operators the attribute allows.
    pub fn operators(&self) -> OpSet {
        self.ops
    }

    /// True when the attribute allows `op`.
    pub fn supports(&self, op: Op) -> bool {
        self.ops.contains(op)
    }

    /// The attribute's own aliases (patterns whose target is this
    /// attribute's pattern), in definition order.
    pub fn aliases(&self) -> impl Iterator<Item = &str> {
        self.aliases.iter().map(|a| a.text.as_str())
    }

    /// The value rules beyond the type.
    pub fn rules(&self) -> &ValueRules {
        &self.rules
    }

    /// Where the attribute lives in SQL, if the schema says.
    pub fn sql(&self) -> Option<&SqlTarget> {
        self.sql.as_ref()
    }
}

/// The type values of an attribute must have.
///
/// The names in schema files are given with each variant.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ValueType {
    /// `text`: any text, including the empty string.
    Text,
    /// `text_list`: the record holds a list of texts; a condition matches
    /// when any element does. Filter values are texts.
    TextList,
    /// `integer`: a signed 64-bit integer, written in decimal (`-12`).
    Integer,
    /// `decimal`: a decimal number (`12.50`, `-3`, `1e3`).
    Decimal,
    /// `boolean`: `true` or `false`, lower case.
    Boolean,
    /// `uuid`: a UUID in hyphenated form (any hex case).
    Uuid,
    /// `instant`: RFC 3339, `YYYY-MM-DD` (midnight UTC) or Unix milliseconds.
    Instant,
    /// `enum` with `values`: exactly one of the listed values
    /// (case-sensitive). Never empty, no value twice.
    Enum(Vec<String>),
    /// `enum_list` with `values`: the record holds a list of enum values; a
    /// condition matches when any element does.
    EnumList(Vec<String>),
}

impl ValueType {
    /// The type's name in schema files (`text`, `enum_list`, ...).
    pub const fn name(&self) -> &'static str {
        match self {
            ValueType::Text => "text",
            ValueType::TextList => "text_list",
            ValueType::Integer => "integer",
            ValueType::Decimal => "decimal",
            ValueType::Boolean => "boolean",
            ValueType::Uuid => "uuid",
            ValueType::Instant => "instant",
            ValueType::Enum(_) => "enum",
            ValueType::EnumList(_) => "enum_list",
        }
    }

    /// What a value of this type looks like, for error messages
    /// (`one of draft, live`, `an integer`).
    pub fn expected(&self) -> String {
        match self {
            ValueType::Text | ValueType::TextList => "text".into(),
            ValueType::Integer => "an integer".into(),
            ValueType::Decimal => "a decimal number".into(),
            ValueType::Boolean => "true or false".into(),
            ValueType::Uuid => {
                "a UUID in hyphenated form, e.g. 3fa85f64-5717-4562-b3fc-2c963f66afa6".into()
            }
            ValueType::Instant => "an RFC 3339 timestamp (2024-01-01T00:00:00Z), a date (2024-01-01) or Unix milliseconds".into(),
            ValueType::Enum(v) | ValueType::EnumList(v) => format!("one of {}", v.join(", ")),
        }
    }

    /// The listed values of an enum type; `None` for the other types.
    pub fn enum_values(&self) -> Option<&[String]> {
        match self {
            ValueType::Enum(v) | ValueType::EnumList(v) => Some(v),
            _ => None,
        }
    }

    /// True when the record holds a list (`text_list`, `enum_list`).
    pub const fn is_list(&self) -> bool {
        matches!(self, ValueType::TextList | ValueType::EnumList(_))
    }

    /// True for the text types, whose values `like` matches and whose length
    /// rules apply.
    pub const fn is_text(&self) -> bool {
        matches!(self, ValueType::Text | ValueType::TextList)
    }

    /// True when `op` means something for values of this type:
    ///
    /// | operator | types |
    /// |---|---|
    /// | `eq`, `in`, `is_null` | all |
    /// | `like`, `ilike` | text, text list |
    /// | `gt ge lt le` | text (bytewise), integer, decimal, UUID (128-bit value), instant |
    /// | `contains`, `contains_any`, `contains_all` | text list, enum list |
    /// | `text` (full-text search) | text |
    ///
    /// Booleans, enums and lists have no order. A schema giving an attribute
    /// an operator its type does not support is refused.
    pub fn allows(&self, op: Op) -> bool {
        match op {
            Op::Eq | Op::In | Op::IsNull => true,
            Op::Like | Op::Ilike => self.is_text(),
            Op::Contains | Op::ContainsAny | Op::ContainsAll => self.is_list(),
            Op::Text => matches!(self, ValueType::Text),
            Op::Gt | Op::Ge | Op::Lt | Op::Le => matches!(
                self,
                ValueType::Text
                    | ValueType::Integer
                    | ValueType::Decimal
                    | ValueType::Uuid
                    | ValueType::Instant
            ),
        }
    }
}

impl fmt::Display for ValueType {
    /// The type's name; an enum lists its values: `enum (draft, live)`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())?;
        if let Some(values) = self.enum_values() {
            write!(f, " ({})", values.join(", "))?;
        }
        Ok(())
    }
}

/// Rules a value must follow beyond its type (the vendor Go helper's value
/// validators). All optional; the default has none.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct ValueRules {
    /// `one_of`: the value must be one of these, written exactly so
    /// (`oneof=` in the Go helper). Each must be a valid value of the type;
    /// not allowed on enums, which list their values already.
    pub one_of: Option<Vec<String>>,
    /// `min_len`: the value has at least this many characters (text types).
    pub min_len: Option<usize>,
    /// `max_len`: the value has at most this many characters (text types).
    pub max_len: Option<usize>,
}

impl ValueRules {
    /// True when there is no rule.
    pub fn is_empty(&self) -> bool {
        self.one_of.is_none() && self.min_len.is_none() && self.max_len.is_none()
    }
}

/// Where an attribute lives in SQL, for the SQL renderer.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum SqlTarget {
    /// `{"column": "email"}`: a column of the table (an identifier
    /// `[A-Za-z_][A-Za-z0-9_]*`, optionally qualified `t.email`).
    Column(String),
    /// `{"json": ["extensions", "$template", "$field"]}`: a JSON(B) column
    /// and the keys to follow in it. A key `$name` is the attribute's
    /// capture `<name>`; `$$` stands for a literal `$` at the start of a key.
    Json {
        /// The JSON column (an identifier, as for [`SqlTarget::Column`]).
        column: String,
        /// The keys to follow, at least one.
        path: Vec<JsonKey>,
    },
    /// `{"exists": {"table": "product_nodes", "column": "product_id", "key": "id"}}`:
    /// a computed boolean, true when a row of `table` has `column` equal to
    /// the record's `key` column (a `boolean` attribute only; never null).
    /// `has_nodes` of detach_nodes is this over the memberships table.
    Exists {
        /// The related table (an identifier).
        table: String,
        /// Its column referring to the record.
        column: String,
        /// The record's column it refers to.
        key: String,
    },
}

/// One key of a [`SqlTarget::Json`] path.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum JsonKey {
    /// A fixed key.
    Key(String),
    /// The value of the attribute's capture of this name.
    Capture(String),
}

/// One segment of a [`AttributePattern`].
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Segment {
    /// A literal path segment (`extensions`).
    Literal(String),
    /// A capture `<name>`: any one path segment.
    Capture(String),
}

/// An attribute or alias pattern: dot-separated literal segments and
/// `<capture>` segments (see the [module docs](crate::schema)).
///
/// `Debug` prints the text only: `AttributePattern("extensions.<template>.<field>")`.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct AttributePattern {
    text: String,
    segments: Vec<Segment>,
}

impl AttributePattern {
    /// Parses a pattern; the error says what is wrong with it.
    pub fn parse(text: &str) -> Result<AttributePattern, PatternError> {
        if text.starts_with('^') || text.ends_with('$') {
            return Err(PatternError::Regex);
        }
        if text.is_empty() {
            return Err(PatternError::Empty);
        }
        let mut segments = Vec::new();
        for seg in text.split('.') {
            if let Some(inner) = seg.strip_prefix('<') {
                let name = inner.strip_suffix('>').unwrap_or("");
                let ok = name
                    .bytes()
                    .next()
                    .is_some_and(|b| b.is_ascii_alphabetic() || b == b'_')
                    && name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_');
                if !ok {
                    return Err(PatternError::BadCapture(seg.to_owned()));
                }
                let capture = Segment::Capture(name.to_owned());
                if segments.contains(&capture) {
                    return Err(PatternError::DuplicateCapture(name.to_owned()));
                }
                segments.push(capture);
            } else if !seg.is_empty() && seg.bytes().all(is_path_byte) {
                segments.push(Segment::Literal(seg.to_owned()));
            } else {
                return Err(PatternError::BadSegment(seg.to_owned()));
            }
        }
        Ok(AttributePattern {
            text: text.to_owned(),
            segments,
        })
    }

    /// The pattern as written.
    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// The segments.
    pub fn segments(&self) -> &[Segment] {
        &self.segments
    }

    /// The capture names, in order.
    pub fn captures(&self) -> impl Iterator<Item = &str> {
        self.segments.iter().filter_map(|s| match s {
            Segment::Capture(c) => Some(c.as_str()),
            Segment::Literal(_) => None,
        })
    }

    /// True when the pattern has no capture (an exact name).
    pub fn is_exact(&self) -> bool {
        self.captures().next().is_none()
    }

    /// The first segment when it is literal.
    fn head(&self) -> Option<&str> {
        match self.segments.first() {
            Some(Segment::Literal(l)) => Some(l),
            _ => None,
        }
    }

    /// Matches path segments; the values of the captures in order.
    fn matches<'p>(&self, path: &[&'p str]) -> Option<Vec<&'p str>> {
        if path.len() != self.segments.len() {
            return None;
        }
        let mut values = Vec::new();
        for (seg, part) in self.segments.iter().zip(path) {
            match seg {
                Segment::Literal(l) if l == part => {}
                Segment::Literal(_) => return None,
                Segment::Capture(_) if is_path_segment(part) => values.push(*part),
                Segment::Capture(_) => return None,
            }
        }
        Some(values)
    }

    /// True when the dotted `path` matches (no allocation).
    pub(crate) fn matches_str(&self, path: &str) -> bool {
        // On bytes (`.` is ASCII): a literal is compared as a prefix, a
        // capture scanned to the next `.`; no iterator set-up on these
        // short paths.
        let mut rest = path.as_bytes();
        for (n, seg) in self.segments.iter().enumerate() {
            if n > 0 {
                match rest.split_first() {
                    Some((b'.', after)) => rest = after,
                    _ => return false,
                }
            }
            match seg {
                Segment::Literal(l) => match rest.strip_prefix(l.as_bytes()) {
                    Some(after) => rest = after,
                    None => return false,
                },
                Segment::Capture(_) => {
                    let len = rest
                        .iter()
                        .position(|&b| !is_path_byte(b))
                        .unwrap_or(rest.len());
                    if len == 0 {
                        return false;
                    }
                    rest = rest.get(len..).unwrap_or_default();
                }
            }
        }
        rest.is_empty()
    }

    /// The value of capture `name` in a `path` this pattern matches.
    pub(crate) fn capture_in<'p>(&self, name: &str, path: &'p str) -> Option<&'p str> {
        let at = self
            .segments
            .iter()
            .position(|s| matches!(s, Segment::Capture(c) if c == name))?;
        path.split('.').nth(at)
    }

    /// `to` with its captures filled from `path`, which this pattern
    /// (an alias) matches.
    fn fill(&self, to: &AttributePattern, path: &str) -> String {
        let mut out = String::with_capacity(to.text.len() + path.len());
        for (i, seg) in to.segments.iter().enumerate() {
            if i > 0 {
                out.push('.');
            }
            match seg {
                Segment::Literal(l) => out.push_str(l),
                Segment::Capture(c) => out.push_str(self.capture_in(c, path).unwrap_or_default()),
            }
        }
        out
    }

    /// True when some path matches both patterns.
    pub(super) fn overlaps(&self, other: &AttributePattern) -> bool {
        self.segments.len() == other.segments.len()
            && self
                .segments
                .iter()
                .zip(&other.segments)
                .all(|(a, b)| match (a, b) {
                    (Segment::Literal(x), Segment::Literal(y)) => x == y,
                    _ => true,
                })
    }

    /// True when every path `self` matches (whatever its captures) is
    /// matched by `other`.
    pub(super) fn covered_by(&self, other: &AttributePattern) -> bool {
        self.segments.len() == other.segments.len()
            && self
                .segments
                .iter()
                .zip(&other.segments)
                .all(|(a, b)| match (a, b) {
                    (Segment::Literal(x), Segment::Literal(y)) => x == y,
                    (_, Segment::Capture(_)) => true,
                    (Segment::Capture(_), Segment::Literal(_)) => false,
                })
    }
}

impl fmt::Debug for AttributePattern {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("AttributePattern").field(&self.text).finish()
    }
}

impl fmt::Display for AttributePattern {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

/// A byte of a literal path segment: ASCII letter, digit, `_` or `-`.
fn is_path_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_' || b == b'-'
}

/// A whole path segment of the filter language.
fn is_path_segment(s: &str) -> bool {
    !s.is_empty() && s.bytes().all(is_path_byte)
}

/// Why a pattern is invalid.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum PatternError {
    /// The pattern is empty.
    #[error("the pattern is empty")]
    Empty,
    /// A segment is neither a literal name nor a capture (empty, or with
    /// characters other than ASCII letters, digits, `_` and `-`).
    #[error(
        "bad segment `{0}`: a segment is a name of ASCII letters, digits, `_` and `-`, or a capture `<name>`"
    )]
    BadSegment(String),
    /// A `<...>` segment whose name is not `[A-Za-z_][A-Za-z0-9_]*`.
    #[error(
        "bad capture `{0}`: a capture is `<name>`, the name of ASCII letters, digits and `_`, not starting with a digit"
    )]
    BadCapture(String),
    /// The same capture name twice.
    #[error("capture `<{0}>` appears twice")]
    DuplicateCapture(String),
    /// A regular expression (`^...$`), which schemas do not take.
    #[error(
        "regular expressions are not supported; write each captured segment as `<name>`, e.g. `attributes.locales.<locale>.description`"
    )]
    Regex,
}

/// An alias whose target is not literally one attribute's pattern:
/// `isbn` -> `extensions.book.isbn`.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Alias {
    pub(super) from: AttributePattern,
    pub(super) to: AttributePattern,
}

impl Alias {
    /// The alias pattern.
    pub fn from(&self) -> &AttributePattern {
        &self.from
    }

    /// The target, a path or pattern covered by one attribute.
    pub fn to(&self) -> &AttributePattern {
        &self.to
    }
}

/// Exact names -> indexes: open addressing (linear probing) over a
/// power-of-two table at most half full, hashed from the name's length and
/// its first and last eight bytes. A lookup is a few dozen instructions
/// and one comparison, where a general hash map hashed every byte (the
/// attribute lookup was a tenth of `compile`). The names come from the
/// schema's author and the table is fixed once built, so a filter's path
/// cannot lengthen a probe.
#[derive(Clone, Debug, Default)]
struct NameTable {
    /// One slot per hash bucket: the name and its index.
    slots: Vec<Option<(Box<str>, usize)>>,
    /// `64 - log2(slots.len())`: the hash's top bits pick the slot.
    shift: u32,
}

impl NameTable {
    /// The table of `entries`; a later entry of the same name wins.
    fn new(entries: Vec<(String, usize)>) -> NameTable {
        let size = (entries.len() * 2).next_power_of_two().max(4);
        let mut table = NameTable {
            slots: vec![None; size],
            shift: 64 - size.trailing_zeros(),
        };
        let mask = size - 1;
        for (name, index) in entries {
            let mut at = table.slot(name.as_bytes());
            // Never more than `size` steps: the table is at most half full.
            for _ in 0..size {
                match table.slots.get_mut(at) {
                    Some(slot @ None) => {
                        *slot = Some((name.into_boxed_str(), index));
                        break;
                    }
                    Some(Some((k, v))) if **k == *name => {
                        *v = index;
                        break;
                    }
                    _ => at = (at + 1) & mask,
                }
            }
        }
        table
    }

    /// The first slot to probe for `name`.
    #[inline]
    fn slot(&self, name: &[u8]) -> usize {
        let word = |b: Option<&[u8]>| {
            b.and_then(|b| <[u8; 8]>::try_from(b).ok())
                .map_or(0, u64::from_le_bytes)
        };
        let n = name.len();
        let h = if n >= 8 {
            word(name.get(..8)) ^ word(name.get(n - 8..)).rotate_left(29)
        } else {
            name.iter().fold(0u64, |h, &b| (h << 8) | u64::from(b))
        };
        let h = (h ^ n as u64).wrapping_mul(0x9e37_79b9_7f4a_7c15);
        usize::try_from(h >> self.shift).unwrap_or(0)
    }

    /// The index stored for `name`.
    #[inline]
    fn get(&self, name: &str) -> Option<usize> {
        let mask = self.slots.len().checked_sub(1)?;
        let mut at = self.slot(name.as_bytes());
        for _ in 0..self.slots.len() {
            match self.slots.get(at)? {
                Some((k, v)) if **k == *name => return Some(*v),
                Some(_) => at = (at + 1) & mask,
                None => return None,
            }
        }
        None
    }
}

/// The derived lookup tables of a schema.
#[derive(Clone, Debug, Default)]
struct Index {
    /// Exact attribute names -> attribute index.
    exact: NameTable,
    /// Attributes with captures, by attribute index.
    patterns: Vec<usize>,
    /// Every alias: (from, to).
    aliases: Vec<(AttributePattern, AttributePattern)>,
    /// Exact alias names -> index into `aliases`.
    exact_aliases: NameTable,
    /// Every operator some attribute allows.
    operators: OpSet,
    /// The product field each attribute reads, by attribute index.
    fields: Vec<Option<super::ProductField>>,
}

impl Index {
    fn new(def: &Definition) -> Index {
        let mut index = Index::default();
        let mut exact = Vec::new();
        for (i, a) in def.attributes.iter().enumerate() {
            index.operators = index.operators.union(a.ops);
            index
                .fields
                .push(super::ProductField::of_pattern(&a.pattern.text));
            if a.pattern.is_exact() {
                exact.push((a.pattern.text.clone(), i));
            } else {
                index.patterns.push(i);
            }
            for alias in &a.aliases {
                index.aliases.push((alias.clone(), a.pattern.clone()));
            }
        }
        for alias in &def.aliases {
            index.aliases.push((alias.from.clone(), alias.to.clone()));
        }
        let mut exact_aliases = Vec::new();
        for (i, (from, _)) in index.aliases.iter().enumerate() {
            if from.is_exact() {
                exact_aliases.push((from.text.clone(), i));
            }
        }
        index.exact = NameTable::new(exact);
        index.exact_aliases = NameTable::new(exact_aliases);
        index
    }
}

/// A path resolved against a schema: the attribute, the values of its
/// captures, and the alias used, if any.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ResolvedAttribute<'a> {
    attribute: &'a AttributeDef,
    captures: Vec<&'a str>,
    alias: Option<&'a str>,
}

impl<'a> ResolvedAttribute<'a> {
    /// The attribute.
    pub fn attribute(&self) -> &'a AttributeDef {
        self.attribute
    }

    /// The value of the capture `name` (`template` in
    /// `extensions.<template>.<field>`).
    pub fn capture(&self, name: &str) -> Option<&'a str> {
        self.attribute
            .pattern
            .captures()
            .zip(&self.captures)
            .find(|(n, _)| *n == name)
            .map(|(_, v)| *v)
    }

    /// Every capture as `(name, value)`, in pattern order.
    pub fn captures(&self) -> impl Iterator<Item = (&'a str, &'a str)> + '_ {
        self.attribute
            .pattern
            .captures()
            .zip(self.captures.iter().copied())
    }

    /// The alias the filter used (as defined: `order_status`,
    /// `ext.<template>.<field>`), or `None` for the attribute's own name.
    pub fn alias(&self) -> Option<&'a str> {
        self.alias
    }

    /// The canonical path: the attribute's pattern with the captures filled
    /// in (`extensions.book.isbn`), whatever alias was used.
    pub fn path(&self) -> String {
        let mut values = self.captures.iter();
        let mut out = String::new();
        for (i, seg) in self.attribute.pattern.segments.iter().enumerate() {
            if i > 0 {
                out.push('.');
            }
            match seg {
                Segment::Literal(l) => out.push_str(l),
                Segment::Capture(_) => out.push_str(values.next().copied().unwrap_or_default()),
            }
        }
        out
    }
}

/// An attribute as a validated condition names it: the schema's attribute
/// and the canonical path (the pattern with its captures filled in, after
/// any alias). What a [`crate::eval::Record`] looks values up by, and what
/// the SQL renderer maps to a column. `Display` prints the path.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct AttributeRef<'a> {
    attribute: &'a AttributeDef,
    path: &'a str,
    id: u32,
    field: Option<super::ProductField>,
}

impl<'a> AttributeRef<'a> {
    /// Pairs an attribute with a canonical path it matches, its position
    /// in the schema and the product field it reads (resolved once).
    #[inline]
    pub(crate) fn new(
        attribute: &'a AttributeDef,
        path: Option<&'a str>,
        id: u32,
        field: Option<super::ProductField>,
    ) -> AttributeRef<'a> {
        AttributeRef {
            attribute,
            path: path.unwrap_or(&attribute.pattern.text),
            id,
            field,
        }
    }

    /// The attribute's position in its schema (the order of definition,
    /// from 0): a key resolved when the filter was compiled, which a
    /// record type can dispatch on instead of the pattern's text.
    #[inline]
    pub fn id(&self) -> usize {
        self.id as usize
    }

    /// The catalog product field the attribute reads, when its pattern is
    /// one of detach_nodes' (resolved when the schema was built).
    #[inline]
    pub fn product_field(&self) -> Option<super::ProductField> {
        self.field
    }

    /// The schema's attribute.
    pub fn attribute(&self) -> &'a AttributeDef {
        self.attribute
    }

    /// The attribute's pattern as written in the schema (`sku`,
    /// `extensions.<template>.<field>`): what a record implementation
    /// dispatches on.
    #[inline]
    pub fn pattern(&self) -> &'a str {
        &self.attribute.pattern.text
    }

    /// The canonical path (`extensions.book.isbn`).
    #[inline]
    pub fn path(&self) -> &'a str {
        self.path
    }

    /// The path's segments (`extensions`, `book`, `isbn`).
    pub fn segments(&self) -> std::str::Split<'a, char> {
        self.path.split('.')
    }

    /// The value of the capture `name` (`book` for `template`).
    pub fn capture(&self, name: &str) -> Option<&'a str> {
        self.attribute.pattern.capture_in(name, self.path)
    }

    /// The attribute's value type.
    pub fn value_type(&self) -> &'a ValueType {
        &self.attribute.value_type
    }
}

impl fmt::Display for AttributeRef<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.path)
    }
}

/// Why a path names no attribute of a schema.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ResolveError {
    /// No attribute or alias matches; `suggestion` is the nearest known
    /// name, for "did you mean".
    #[error("unknown attribute `{path}` in {schema}{}", suggestion.as_ref().map(|s| format!("; did you mean `{s}`?")).unwrap_or_default())]
    Unknown {
        /// The path as given.
        path: String,
        /// The schema's name.
        schema: String,
        /// The nearest attribute or alias path, if one is close.
        suggestion: Option<String>,
    },
    /// The first segment names an attribute or alias, but the path has the
    /// wrong number of segments for every one of them (`extensions.book`,
    /// `sku.x`).
    #[error("`{path}` does not fit `{expected}`")]
    Shape {
        /// The path as given.
        path: String,
        /// The pattern of the first attribute (or alias) with that first segment.
        expected: String,
    },
}

impl Schema {
    /// Builds the schema from a checked definition.
    pub(super) fn from_definition(def: Definition) -> Schema {
        let index = Index::new(&def);
        Schema {
            def: Arc::new(def),
            index: Arc::new(index),
        }
    }

    /// The schema's name, used in messages ("OR groups are not supported by
    /// detach_nodes").
    pub fn name(&self) -> &str {
        &self.def.name
    }

    /// True when filters may use OR groups.
    pub fn allow_or(&self) -> bool {
        self.def.allow_or
    }

    /// The cap on the OR complexity (the vendor's "effective index
    /// intersection count": a condition 1, AND the product, OR the sum);
    /// 0 means unlimited (as in the vendor's library). Only meaningful when
    /// [`Schema::allow_or`]. This is `limits().max_complexity`.
    pub fn max_complexity(&self) -> usize {
        self.def.limits.max_complexity
    }

    /// The maximum nesting of parenthesised groups (default 8); this is
    /// `limits().max_depth`.
    pub fn max_depth(&self) -> usize {
        self.def.limits.max_depth
    }

    /// The limits filters are held to (sizes, depth, complexity).
    pub fn limits(&self) -> &Limits {
        &self.def.limits
    }

    /// The attributes, in definition order.
    pub fn attributes(&self) -> &[AttributeDef] {
        &self.def.attributes
    }

    /// The aliases whose target is not literally an attribute's pattern
    /// (the others are listed by [`AttributeDef::aliases`]).
    pub fn aliases(&self) -> &[Alias] {
        &self.def.aliases
    }

    /// The attribute whose pattern is exactly `pattern` (as written).
    pub fn attribute(&self, pattern: &str) -> Option<&AttributeDef> {
        self.def
            .attributes
            .iter()
            .find(|a| a.pattern.text == pattern)
    }

    /// Resolves a filter's attribute path: an exact attribute, an attribute
    /// pattern, then aliases (see the [module docs](crate::schema)). Names are
    /// case-sensitive.
    pub fn resolve<'a>(&'a self, path: &'a str) -> Result<ResolvedAttribute<'a>, ResolveError> {
        if let Some(i) = self.index.exact.get(path) {
            if let Some(attribute) = self.def.attributes.get(i) {
                return Ok(ResolvedAttribute {
                    attribute,
                    captures: Vec::new(),
                    alias: None,
                });
            }
        }
        let parts: Vec<&'a str> = path.split('.').collect();
        if let Some(found) = self.match_attribute(&parts) {
            return Ok(found);
        }
        let alias = match self.index.exact_aliases.get(path) {
            Some(i) => self.index.aliases.get(i).map(|a| (a, Vec::new())),
            None => self
                .index
                .aliases
                .iter()
                .find_map(|a| a.0.matches(&parts).map(|values| (a, values))),
        };
        if let Some(((from, to), values)) = alias {
            // The target's segments: its literals, and the alias's captures
            // by name.
            let target: Vec<&'a str> = to
                .segments
                .iter()
                .map(|seg| match seg {
                    Segment::Literal(l) => l.as_str(),
                    Segment::Capture(c) => from
                        .captures()
                        .zip(&values)
                        .find(|(n, _)| n == c)
                        .map_or("", |(_, v)| *v),
                })
                .collect();
            let joined = target.join(".");
            let found = match self.index.exact.get(&joined) {
                Some(i) => self
                    .def
                    .attributes
                    .get(i)
                    .map(|attribute| ResolvedAttribute {
                        attribute,
                        captures: Vec::new(),
                        alias: None,
                    }),
                None => self.match_attribute(&target),
            };
            if let Some(mut found) = found {
                found.alias = Some(from.as_str());
                return Ok(found);
            }
        }
        Err(self.resolve_error(path, &parts))
    }

    /// Resolves `path` for validation without allocating when the path is
    /// an attribute's exact name or fits an attribute pattern: the
    /// attribute's index, and the canonical path when it differs from the
    /// written one (an alias; only then is a `String` built). `None` when
    /// the path does not resolve ([`Schema::resolve`] says why).
    #[inline]
    pub(crate) fn lookup(&self, path: &str) -> Option<(usize, Option<String>)> {
        // The common case, an exact name, inline in the caller.
        match self.index.exact.get(path) {
            Some(i) => Some((i, None)),
            None => self.lookup_pattern(path),
        }
    }

    /// [`Schema::lookup`] of a path that is no exact name.
    #[inline(never)]
    fn lookup_pattern(&self, path: &str) -> Option<(usize, Option<String>)> {
        if let Some(i) = self.match_pattern(path) {
            return Some((i, None));
        }
        let (from, to) = match self.index.exact_aliases.get(path) {
            Some(i) => self.index.aliases.get(i)?,
            None => self
                .index
                .aliases
                .iter()
                .find(|(from, _)| from.matches_str(path))?,
        };
        let target = from.fill(to, path);
        if let Some(i) = self.index.exact.get(target.as_str()) {
            let canonical = self.def.attributes.get(i)?;
            return Some((i, (canonical.pattern.text != target).then_some(target)));
        }
        let i = self.match_pattern(&target)?;
        Some((i, Some(target)))
    }

    /// The index of the attribute pattern matching `path`.
    fn match_pattern(&self, path: &str) -> Option<usize> {
        self.index.patterns.iter().copied().find(|&i| {
            self.def
                .attributes
                .get(i)
                .is_some_and(|a| a.pattern.matches_str(path))
        })
    }

    /// Every operator some attribute allows: a filter using another one is
    /// refused whatever its attribute.
    pub fn operators(&self) -> OpSet {
        self.index.operators
    }

    /// The attribute at `index` (as returned by lookups).
    #[inline]
    pub(crate) fn attribute_at(&self, index: usize) -> Option<&AttributeDef> {
        self.def.attributes.get(index)
    }

    /// The product field the attribute at `index` reads.
    pub(crate) fn product_field_at(&self, index: usize) -> Option<super::ProductField> {
        self.index.fields.get(index).copied().flatten()
    }

    /// True when both values are the same schema object (clones of one
    /// another), which is cheaper than comparing them.
    pub fn same(&self, other: &Schema) -> bool {
        Arc::ptr_eq(&self.def, &other.def)
    }

    /// The pattern attribute matching `parts`.
    fn match_attribute<'a>(&'a self, parts: &[&'a str]) -> Option<ResolvedAttribute<'a>> {
        self.index.patterns.iter().find_map(|&i| {
            let attribute = self.def.attributes.get(i)?;
            let captures = attribute.pattern.matches(parts)?;
            Some(ResolvedAttribute {
                attribute,
                captures,
                alias: None,
            })
        })
    }

    /// Every attribute and alias pattern, attributes first.
    fn all_patterns(&self) -> impl Iterator<Item = &AttributePattern> {
        self.def
            .attributes
            .iter()
            .map(|a| &a.pattern)
            .chain(self.index.aliases.iter().map(|(from, _)| from))
    }

    /// Why `path` did not resolve (only called on error paths).
    fn resolve_error(&self, path: &str, parts: &[&str]) -> ResolveError {
        let head = parts.first().copied().unwrap_or_default();
        let same_head = || self.all_patterns().filter(|p| p.head() == Some(head));
        if same_head().next().is_some() && same_head().all(|p| p.segments.len() != parts.len()) {
            if let Some(p) = same_head().next() {
                return ResolveError::Shape {
                    path: path.to_owned(),
                    expected: p.text.clone(),
                };
            }
        }
        ResolveError::Unknown {
            path: path.to_owned(),
            schema: self.def.name.clone(),
            suggestion: self.suggest(path, parts),
        }
    }

    /// The nearest attribute or alias to an unknown path: first by the whole
    /// path among exact names, then by the first segment among patterns
    /// (keeping the path's other segments when their number fits, else
    /// giving the pattern).
    fn suggest(&self, path: &str, parts: &[&str]) -> Option<String> {
        let exact = self
            .all_patterns()
            .filter(|p| p.is_exact())
            .map(|p| p.as_str());
        if let Some(name) = crate::suggest::nearest(path, exact) {
            return Some(name.to_owned());
        }
        let head = parts.first().copied().unwrap_or_default();
        let patterns: Vec<&AttributePattern> =
            self.all_patterns().filter(|p| !p.is_exact()).collect();
        let name = crate::suggest::nearest(head, patterns.iter().filter_map(|p| p.head()))?;
        let fits = patterns
            .iter()
            .filter(|p| p.head() == Some(name))
            .find(|p| p.segments.len() == parts.len());
        match (fits, parts.get(1..)) {
            (Some(_), Some(rest)) if !rest.is_empty() => Some(format!("{name}.{}", rest.join("."))),
            _ => patterns
                .iter()
                .find(|p| p.head() == Some(name))
                .map(|p| p.text.clone()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn schema() -> Schema {
        Schema::builder("shop")
            .attribute("sku", ValueType::Text, &[Op::Eq, Op::Like])
            .alias("code", "sku")
            .attribute("contact.email", ValueType::Text, &[Op::Eq])
            .attribute("extensions.<template>.<field>", ValueType::Text, &[Op::Eq])
            .alias("ext.<template>.<field>", "extensions.<template>.<field>")
            .alias("isbn", "extensions.book.isbn")
            .alias("book.<field>", "extensions.book.<field>")
            .attribute("extensions.book.title", ValueType::Integer, &[Op::Eq])
            .attribute(
                "attributes.locales.<locale>.description",
                ValueType::Text,
                &[Op::Eq],
            )
            .alias(
                "locales.<locale>.description",
                "attributes.locales.<locale>.description",
            )
            .build()
            .unwrap()
    }

    fn resolved(s: &Schema, path: &str) -> (String, String, Vec<(String, String)>, Option<String>) {
        let r = s.resolve(path).unwrap();
        (
            r.attribute().pattern().to_owned(),
            r.path(),
            r.captures()
                .map(|(n, v)| (n.to_owned(), v.to_owned()))
                .collect(),
            r.alias().map(str::to_owned),
        )
    }

    fn caps(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs
            .iter()
            .map(|(n, v)| ((*n).to_owned(), (*v).to_owned()))
            .collect()
    }

    #[test]
    fn exact_names() {
        let s = schema();
        assert_eq!(
            resolved(&s, "sku"),
            ("sku".into(), "sku".into(), vec![], None)
        );
        assert_eq!(
            resolved(&s, "contact.email"),
            ("contact.email".into(), "contact.email".into(), vec![], None)
        );
        // An exact name inside a pattern wins over the pattern.
        assert_eq!(
            resolved(&s, "extensions.book.title").0,
            "extensions.book.title"
        );
    }

    #[test]
    fn patterns_with_captures() {
        let s = schema();
        assert_eq!(
            resolved(&s, "extensions.book.isbn"),
            (
                "extensions.<template>.<field>".into(),
                "extensions.book.isbn".into(),
                caps(&[("template", "book"), ("field", "isbn")]),
                None
            )
        );
        let r = s.resolve("extensions.shoe-x.size_2").unwrap();
        assert_eq!(r.capture("template"), Some("shoe-x"));
        assert_eq!(r.capture("field"), Some("size_2"));
        assert_eq!(r.capture("nope"), None);
    }

    #[test]
    fn aliases_exact_and_patterned() {
        let s = schema();
        assert_eq!(
            resolved(&s, "code"),
            ("sku".into(), "sku".into(), vec![], Some("code".into()))
        );
        assert_eq!(
            resolved(&s, "ext.book.isbn"),
            (
                "extensions.<template>.<field>".into(),
                "extensions.book.isbn".into(),
                caps(&[("template", "book"), ("field", "isbn")]),
                Some("ext.<template>.<field>".into())
            )
        );
        // The Go helper's `^attributes\.locales\.([a-zA-Z0-9_-]+)\.description$`.
        assert_eq!(
            resolved(&s, "locales.en-GB.description"),
            (
                "attributes.locales.<locale>.description".into(),
                "attributes.locales.en-GB.description".into(),
                caps(&[("locale", "en-GB")]),
                Some("locales.<locale>.description".into())
            )
        );
        // Targets that fix segments of a pattern.
        assert_eq!(
            resolved(&s, "isbn"),
            (
                "extensions.<template>.<field>".into(),
                "extensions.book.isbn".into(),
                caps(&[("template", "book"), ("field", "isbn")]),
                Some("isbn".into())
            )
        );
        assert_eq!(resolved(&s, "book.title").0, "extensions.book.title");
        assert_eq!(resolved(&s, "book.pages").1, "extensions.book.pages");
        assert_eq!(
            s.attribute("sku").unwrap().aliases().collect::<Vec<_>>(),
            ["code"]
        );
        assert_eq!(s.aliases().len(), 2);
    }

    #[test]
    fn wrong_segment_count() {
        let s = schema();
        for (path, expected) in [
            ("extensions.book", "extensions.<template>.<field>"),
            ("extensions.a.b.c", "extensions.<template>.<field>"),
            ("sku.x", "sku"),
            ("ext.book", "ext.<template>.<field>"),
        ] {
            assert_eq!(
                s.resolve(path),
                Err(ResolveError::Shape {
                    path: path.into(),
                    expected: expected.into()
                }),
                "{path}"
            );
        }
        assert_eq!(
            s.resolve("extensions.book").unwrap_err().to_string(),
            "`extensions.book` does not fit `extensions.<template>.<field>`"
        );
    }

    #[test]
    fn unknown_with_suggestions() {
        let s = schema();
        let suggestion = |path: &str| match s.resolve(path) {
            Err(ResolveError::Unknown { suggestion, .. }) => suggestion,
            other => panic!("{path}: {other:?}"),
        };
        assert_eq!(suggestion("skus").as_deref(), Some("sku"));
        assert_eq!(suggestion("SKU").as_deref(), Some("sku"));
        assert_eq!(suggestion("cod").as_deref(), Some("code"));
        assert_eq!(
            suggestion("contact.emial").as_deref(),
            Some("contact.email")
        );
        assert_eq!(
            suggestion("extension.book.isbn").as_deref(),
            Some("extensions.book.isbn")
        );
        assert_eq!(
            suggestion("extension.book").as_deref(),
            Some("extensions.<template>.<field>")
        );
        assert_eq!(suggestion("colour"), None);
        assert_eq!(suggestion(""), None);
        assert_eq!(suggestion("contact.phone"), None);
        assert_eq!(
            s.resolve("skus").unwrap_err().to_string(),
            "unknown attribute `skus` in shop; did you mean `sku`?"
        );
        assert_eq!(
            s.resolve("colour").unwrap_err().to_string(),
            "unknown attribute `colour` in shop"
        );
        // Characters no path segment has never match a capture.
        assert!(s.resolve("extensions.bo ok.isbn").is_err());
        assert!(s.resolve("extensions..isbn").is_err());
    }

    /// `matches_str` (the lookup's matcher) agrees with `matches` on the
    /// path's segments, including near misses around the literals.
    #[test]
    fn matches_str_is_matches_on_segments() {
        let patterns = [
            AttributePattern::parse("extensions.<template>.<field>").unwrap(),
            AttributePattern::parse("contact.email").unwrap(),
            AttributePattern::parse("<a>").unwrap(),
        ];
        let cases = [
            ("extensions.book.isbn", [true, false, false]),
            ("extensionsx.book.isbn", [false, false, false]),
            ("ext.book.isbn", [false, false, false]),
            ("extensions.book", [false, false, false]),
            ("extensions.book.isbn.x", [false, false, false]),
            ("extensions..isbn", [false, false, false]),
            ("extensions.bo ok.isbn", [false, false, false]),
            ("extensions.b-o_k.i5", [true, false, false]),
            ("contact.email", [false, true, false]),
            ("contact.emails", [false, false, false]),
            ("contact.emai", [false, false, false]),
            ("contact", [false, false, true]),
            ("a.", [false, false, false]),
            ("", [false, false, false]),
            ("é", [false, false, false]),
        ];
        for (path, expected) in cases {
            let parts: Vec<&str> = path.split('.').collect();
            for (p, want) in patterns.iter().zip(expected) {
                assert_eq!(p.matches_str(path), want, "{path} ~ {p:?}");
                assert_eq!(p.matches(&parts).is_some(), want, "{path} ~ {p:?}");
            }
        }
    }

    #[test]
    fn patterns_parse() {
        let p = AttributePattern::parse("extensions.<template>.<field>").unwrap();
        assert_eq!(p.captures().collect::<Vec<_>>(), ["template", "field"]);
        assert!(!p.is_exact());
        assert!(AttributePattern::parse("contact.email").unwrap().is_exact());
        for (text, error) in [
            ("", PatternError::Empty),
            ("a..b", PatternError::BadSegment(String::new())),
            ("a.b c", PatternError::BadSegment("b c".into())),
            ("caf\u{e9}", PatternError::BadSegment("caf\u{e9}".into())),
            ("a.<>", PatternError::BadCapture("<>".into())),
            ("a.<1x>", PatternError::BadCapture("<1x>".into())),
            ("a.<x", PatternError::BadCapture("<x".into())),
            ("a.<x-y>", PatternError::BadCapture("<x-y>".into())),
            ("<x>.<x>", PatternError::DuplicateCapture("x".into())),
            (
                r"^attributes\.locales\.([a-zA-Z0-9_-]+)$",
                PatternError::Regex,
            ),
        ] {
            assert_eq!(AttributePattern::parse(text), Err(error), "{text}");
        }
    }

    #[test]
    fn types_and_operators() {
        use ValueType::*;
        assert!(Text.allows(Op::Like) && Text.allows(Op::Gt));
        assert!(TextList.allows(Op::Like) && !TextList.allows(Op::Gt));
        assert!(!Integer.allows(Op::Like) && Integer.allows(Op::Le));
        assert!(!Boolean.allows(Op::Gt) && Boolean.allows(Op::In));
        assert!(!Enum(vec![]).allows(Op::Lt) && !EnumList(vec![]).allows(Op::Like));
        assert!(Uuid.allows(Op::Ge) && Instant.allows(Op::Lt) && Decimal.allows(Op::Gt));
        assert!(TextList.allows(Op::Ilike) && !Integer.allows(Op::Ilike));
        assert!(TextList.allows(Op::ContainsAll) && EnumList(vec![]).allows(Op::Contains));
        assert!(
            !Text.allows(Op::ContainsAny) && Text.allows(Op::Text) && !TextList.allows(Op::Text)
        );
        assert!(Boolean.allows(Op::IsNull) && Uuid.allows(Op::IsNull));
        assert_eq!(
            Enum(vec!["a".into(), "b".into()]).to_string(),
            "enum (a, b)"
        );
        assert_eq!(TextList.to_string(), "text_list");
    }
}
