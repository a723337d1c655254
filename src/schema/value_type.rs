//! The value types of attributes ([`ValueType`]) and the value rules beyond
//! them ([`ValueRules`]).

use super::value::Decimal;
use crate::syntax::Op;
use std::fmt;

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
    /// One type of each kind, in documentation order, the enum types with
    /// no values: what a schema file's `type` names ([`ValueType::name`]).
    pub(super) const KINDS: [ValueType; 9] = [
        ValueType::Text,
        ValueType::TextList,
        ValueType::Integer,
        ValueType::Decimal,
        ValueType::Boolean,
        ValueType::Uuid,
        ValueType::Instant,
        ValueType::Enum(Vec::new()),
        ValueType::EnumList(Vec::new()),
    ];

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

/// Rules a value must follow beyond its type: the vendor Go helper's value
/// validators (go-playground/validator tags). All optional; the default has
/// none.
///
/// | rule | types | a filter value must |
/// |---|---|---|
/// | `one_of` | all but enums | be one of the listed values |
/// | `min_len`, `max_len` | text, text list | have at least / at most so many characters |
/// | `gt`, `ge`, `lt`, `le` | integer, decimal | be greater than / at least / less than / at most the bound (compared exactly, as decimals) |
/// | `gt`, `ge`, `lt`, `le` | text, text list | have more than / at least / fewer than / at most so many characters |
/// | `email` | text, text list | be an email address ([`ValueRules::email`]) |
/// | `excludes` | text, text list | contain none of the listed texts |
///
/// On text, the bounds count characters (Unicode scalar values) as
/// `min_len`/`max_len` do, and may be given with them: all hold, and a
/// value breaking them is reported with the tightest length (`lt` 10 as
/// "at most 9 characters"). The rules apply to every value of a condition;
/// all but `one_of` also to `like`/`ilike` patterns and `text` searches
/// (as written, wildcards and all), as the Go helper applies its
/// validators. A rule on
/// a type it does not fit, rules that leave no value (`gt` 5 with `lt` 5,
/// `min_len` 3 with `lt` 2; on an integer, `gt` 3 with `lt` 4) and `one_of` values that break the other rules
/// are refused when the schema is built.
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
    /// `gt`: a number must be greater than this; on text types, the
    /// length must be (a whole number of characters).
    pub gt: Option<Decimal>,
    /// `ge`: a number must be at least this; on text types, the length.
    pub ge: Option<Decimal>,
    /// `lt`: a number must be less than this; on text types, the length
    /// (`lt=128` in the Go helper).
    pub lt: Option<Decimal>,
    /// `le`: a number must be at most this; on text types, the length.
    pub le: Option<Decimal>,
    /// `email`: the value must be an email address (text types): the
    /// WHATWG HTML "valid e-mail address" grammar, ASCII only: one or more
    /// of the letters, digits, `.` and ``!#$%&'*+/=?^_`{|}~-``, then `@`,
    /// then one or more labels separated by `.`, each 1 to 63 letters,
    /// digits and `-`, not starting or ending with `-`. (go-playground's
    /// `email` differs at the edges; see DECISIONS.md.)
    pub email: bool,
    /// `excludes`: the value must contain none of these texts, each
    /// non-empty (text types; `excludes=` in the Go helper, one entry per
    /// tag).
    pub excludes: Vec<String>,
}

impl ValueRules {
    /// True when there is no rule.
    pub fn is_empty(&self) -> bool {
        *self == ValueRules::default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
