//! Reading a detach_nodes request body in one pass, without building a
//! `serde_json::Value`: `data.filter` and the first `max_node_ids` ids of
//! `data.node_ids` are kept; further ids are only counted, and every other
//! member is read and dropped ([`Skip`]), checked as a `Value` would be (so
//! a body is refused for the same JSON errors, with the same messages, as
//! when it was read whole). A body of any size then costs the memory of
//! the ids within the limit, and an over-limit list is answered with the
//! count error (issue 27 D1).

use super::envelope::{ApiError, ErrorEnvelope, ErrorMeta};
use crate::json::{Counted, CountedSeq, Skip, check_text};
use serde::de::{self, DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};
use std::fmt;

/// The `node_ids` of a body read by [`read`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum NodeIds {
    /// Absent or `null`.
    Absent,
    /// Every id (at most the limit).
    Listed(Vec<String>),
    /// More ids than the limit: how many (the ids were not kept).
    TooMany(usize),
}

/// A body read by [`read`]: its types checked, nothing else.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Body {
    /// `data.filter` (absent or `null`: `None`).
    pub(crate) filter: Option<String>,
    /// `data.node_ids`.
    pub(crate) node_ids: NodeIds,
}

/// Reads a request body keeping at most `max_node_ids` ids. Errors are the
/// 400 `Bad Request` answers of
/// [`DetachNodesRequest::from_json`](super::detach::DetachNodesRequest::from_json),
/// checked in its order: the text rules, the JSON syntax (of the whole
/// body), the body and `data` objects, the type of `filter`, then that of
/// `node_ids` (an element past the limit is only counted, so a list over
/// the limit whose first `max_node_ids` ids are strings is
/// [`NodeIds::TooMany`] whatever follows).
pub(crate) fn read(body: &str, max_node_ids: usize) -> Result<Body, ErrorEnvelope> {
    let bad = |message: String| {
        ErrorEnvelope::single(
            ApiError::bad_request("Bad Request").with_meta(ErrorMeta::message(message)),
        )
    };
    let bad_at = |message: &str, pointer: &str| {
        ErrorEnvelope::single(
            ApiError::bad_request("Bad Request")
                .with_pointer(pointer)
                .with_meta(ErrorMeta::message(message)),
        )
    };
    let not_json = |e: &dyn fmt::Display| bad(format!("the request body is not valid JSON: {e}"));
    check_text(body, 0..body.len()).map_err(|e| not_json(&e))?;
    let mut de = serde_json::Deserializer::from_str(body);
    let top = TopSeed { max_node_ids }
        .deserialize(&mut de)
        .and_then(|top| de.end().map(|()| top))
        .map_err(|e| not_json(&e))?;
    let data = match top {
        Top::NotObject => return Err(bad("the request body must be a JSON object".into())),
        Top::Object(None) => return Err(bad("the request body has no `data` member".into())),
        Top::Object(Some(Data::NotObject)) => return Err(bad("`data` must be an object".into())),
        Top::Object(Some(Data::Object(data))) => data,
    };
    let filter = match data.filter {
        Member::Absent => None,
        Member::Value(filter) => Some(filter),
        Member::WrongType => {
            return Err(bad_at("`data.filter` must be a string", "/data/filter"));
        }
    };
    let wrong_ids = || {
        bad_at(
            "`data.node_ids` must be an array of strings",
            "/data/node_ids",
        )
    };
    let node_ids = match data.node_ids {
        Member::Absent => NodeIds::Absent,
        Member::WrongType => return Err(wrong_ids()),
        Member::Value(list) => {
            let over = list.is_over();
            let Counted { items, count } = list;
            let ids = items
                .into_iter()
                .map(|id| match id {
                    Id::String(s) => Some(s),
                    Id::Other => None,
                })
                .collect::<Option<Vec<String>>>()
                .ok_or_else(wrong_ids)?;
            if over {
                NodeIds::TooMany(count)
            } else {
                NodeIds::Listed(ids)
            }
        }
    };
    Ok(Body { filter, node_ids })
}

/// The body: an object (with its `data` member, if any) or anything else.
enum Top {
    NotObject,
    Object(Option<Data>),
}

/// The `data` member: an object or anything else.
enum Data {
    NotObject,
    Object(DataMembers),
}

struct DataMembers {
    filter: Member<String>,
    node_ids: Member<Counted<Id>>,
}

/// A member read by its type: absent or `null`, a value of the type, or
/// something else (read and dropped).
enum Member<T> {
    Absent,
    Value(T),
    WrongType,
}

/// An element of `node_ids`: a string, or anything else (read and dropped).
enum Id {
    String(String),
    Other,
}

/// Which member a key names (compared decoded, never kept).
#[derive(Clone, Copy, PartialEq, Eq)]
enum Key {
    Data,
    Filter,
    NodeIds,
    Other,
}

impl<'de> de::Deserialize<'de> for Key {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Key, D::Error> {
        struct KeyVisitor;
        impl Visitor<'_> for KeyVisitor {
            type Value = Key;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a member name")
            }
            fn visit_str<E: de::Error>(self, key: &str) -> Result<Key, E> {
                Ok(match key {
                    "data" => Key::Data,
                    "filter" => Key::Filter,
                    "node_ids" => Key::NodeIds,
                    _ => Key::Other,
                })
            }
        }
        d.deserialize_str(KeyVisitor)
    }
}

/// Implements the visits of every JSON kind but the listed ones as "read
/// and dropped": `$other` for a scalar, after skipping the rest of an
/// array or object.
macro_rules! other_kinds {
    ($other:expr) => {
        fn visit_bool<E: de::Error>(self, _: bool) -> Result<Self::Value, E> {
            Ok($other)
        }
        fn visit_i64<E: de::Error>(self, _: i64) -> Result<Self::Value, E> {
            Ok($other)
        }
        fn visit_u64<E: de::Error>(self, _: u64) -> Result<Self::Value, E> {
            Ok($other)
        }
        fn visit_f64<E: de::Error>(self, _: f64) -> Result<Self::Value, E> {
            Ok($other)
        }
    };
}

/// `expecting`, [`other_kinds!`] and the visits of a string, `null` and an
/// array too:
/// `$other` for every JSON kind but an object.
macro_rules! not_an_object {
    ($other:expr) => {
        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("a JSON value")
        }

        other_kinds!($other);

        fn visit_str<E: de::Error>(self, _: &str) -> Result<Self::Value, E> {
            Ok($other)
        }

        fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
            Ok($other)
        }

        fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<Self::Value, A::Error> {
            Skip::rest_of(seq).map(|()| $other)
        }
    };
}

struct TopSeed {
    max_node_ids: usize,
}

impl<'de> DeserializeSeed<'de> for TopSeed {
    type Value = Top;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Top, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for TopSeed {
    type Value = Top;

    not_an_object!(Top::NotObject);

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Top, A::Error> {
        // A repeated member was refused by `check_text`; were one read
        // here, the last would count, as in a `serde_json::Value`.
        let mut data = None;
        while let Some(key) = map.next_key::<Key>()? {
            if key == Key::Data {
                data = Some(map.next_value_seed(DataSeed {
                    max_node_ids: self.max_node_ids,
                })?);
            } else {
                map.next_value::<Skip>()?;
            }
        }
        Ok(Top::Object(data))
    }
}

struct DataSeed {
    max_node_ids: usize,
}

impl<'de> DeserializeSeed<'de> for DataSeed {
    type Value = Data;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Data, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for DataSeed {
    type Value = Data;

    not_an_object!(Data::NotObject);

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Data, A::Error> {
        let mut members = DataMembers {
            filter: Member::Absent,
            node_ids: Member::Absent,
        };
        while let Some(key) = map.next_key::<Key>()? {
            match key {
                Key::Filter => members.filter = map.next_value_seed(FilterSeed)?,
                Key::NodeIds => {
                    members.node_ids = map.next_value_seed(NodeIdsSeed {
                        max_node_ids: self.max_node_ids,
                    })?;
                }
                Key::Data | Key::Other => {
                    map.next_value::<Skip>()?;
                }
            }
        }
        Ok(Data::Object(members))
    }
}

struct FilterSeed;

impl<'de> DeserializeSeed<'de> for FilterSeed {
    type Value = Member<String>;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Member<String>, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for FilterSeed {
    type Value = Member<String>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON value")
    }

    other_kinds!(Member::WrongType);

    fn visit_str<E: de::Error>(self, s: &str) -> Result<Member<String>, E> {
        Ok(Member::Value(s.to_owned()))
    }

    fn visit_string<E: de::Error>(self, s: String) -> Result<Member<String>, E> {
        Ok(Member::Value(s))
    }

    fn visit_unit<E: de::Error>(self) -> Result<Member<String>, E> {
        Ok(Member::Absent)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<Member<String>, A::Error> {
        Skip::rest_of(seq).map(|()| Member::WrongType)
    }

    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Member<String>, A::Error> {
        Skip::rest_of_map(map).map(|()| Member::WrongType)
    }
}

struct NodeIdsSeed {
    max_node_ids: usize,
}

impl<'de> DeserializeSeed<'de> for NodeIdsSeed {
    type Value = Member<Counted<Id>>;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for NodeIdsSeed {
    type Value = Member<Counted<Id>>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON value")
    }

    other_kinds!(Member::WrongType);

    fn visit_str<E: de::Error>(self, _: &str) -> Result<Self::Value, E> {
        Ok(Member::WrongType)
    }

    fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(Member::Absent)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<Self::Value, A::Error> {
        CountedSeq::new(self.max_node_ids)
            .visit_seq(seq)
            .map(Member::Value)
    }

    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Self::Value, A::Error> {
        Skip::rest_of_map(map).map(|()| Member::WrongType)
    }
}

impl<'de> de::Deserialize<'de> for Id {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Id, D::Error> {
        struct IdVisitor;
        impl<'de> Visitor<'de> for IdVisitor {
            type Value = Id;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a JSON value")
            }
            other_kinds!(Id::Other);
            fn visit_str<E: de::Error>(self, s: &str) -> Result<Id, E> {
                Ok(Id::String(s.to_owned()))
            }
            fn visit_string<E: de::Error>(self, s: String) -> Result<Id, E> {
                Ok(Id::String(s))
            }
            fn visit_unit<E: de::Error>(self) -> Result<Id, E> {
                Ok(Id::Other)
            }
            fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<Id, A::Error> {
                Skip::rest_of(seq).map(|()| Id::Other)
            }
            fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Id, A::Error> {
                Skip::rest_of_map(map).map(|()| Id::Other)
            }
        }
        d.deserialize_any(IdVisitor)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// How the body was read before issue 27 D1: whole, as a
    /// `serde_json::Value` (the reference for every answer but the count).
    fn read_as_value(body: &str) -> Result<Body, ErrorEnvelope> {
        let bad = |message: String| {
            ErrorEnvelope::single(
                ApiError::bad_request("Bad Request").with_meta(ErrorMeta::message(message)),
            )
        };
        let bad_at = |message: &str, pointer: &str| {
            ErrorEnvelope::single(
                ApiError::bad_request("Bad Request")
                    .with_pointer(pointer)
                    .with_meta(ErrorMeta::message(message)),
            )
        };
        check_text(body, 0..body.len())
            .map_err(|e| bad(format!("the request body is not valid JSON: {e}")))?;
        let value: serde_json::Value = serde_json::from_str(body)
            .map_err(|e| bad(format!("the request body is not valid JSON: {e}")))?;
        let data = match value.get("data") {
            Some(data @ serde_json::Value::Object(_)) => data,
            Some(_) => return Err(bad("`data` must be an object".into())),
            None if value.is_object() => {
                return Err(bad("the request body has no `data` member".into()));
            }
            None => return Err(bad("the request body must be a JSON object".into())),
        };
        let filter = match data.get("filter") {
            None | Some(serde_json::Value::Null) => None,
            Some(serde_json::Value::String(s)) => Some(s.clone()),
            Some(_) => return Err(bad_at("`data.filter` must be a string", "/data/filter")),
        };
        let wrong = || {
            bad_at(
                "`data.node_ids` must be an array of strings",
                "/data/node_ids",
            )
        };
        let node_ids = match data.get("node_ids") {
            None | Some(serde_json::Value::Null) => NodeIds::Absent,
            Some(serde_json::Value::Array(items)) => NodeIds::Listed(
                items
                    .iter()
                    .map(|v| v.as_str().map(str::to_owned))
                    .collect::<Option<Vec<String>>>()
                    .ok_or_else(wrong)?,
            ),
            Some(_) => return Err(wrong()),
        };
        Ok(Body { filter, node_ids })
    }

    const BODIES: &[&str] = &[
        "nope",
        "",
        "[]",
        "[1,{\"data\":{}}]",
        "{}",
        "null",
        "\"x\"",
        "5",
        "1e400",
        r#"{"data": 1}"#,
        r#"{"data": null}"#,
        r#"{"data": []}"#,
        r#"{"data": "x"}"#,
        r#"{"data": {}}"#,
        r#"{"data": {"filter": 5, "node_ids": ["1"]}}"#,
        r#"{"data": {"filter": [1], "node_ids": 7}}"#,
        r#"{"data": {"filter": {}, "node_ids": ["1"]}}"#,
        r#"{"data": {"filter": true}}"#,
        r#"{"data": {"filter": "eq(a,b)", "node_ids": "1"}}"#,
        r#"{"data": {"filter": "eq(a,b)", "node_ids": [1]}}"#,
        r#"{"data": {"filter": "eq(a,b)", "node_ids": ["1", null]}}"#,
        r#"{"data": {"filter": "eq(a,b)", "node_ids": ["1", ["2"]]}}"#,
        r#"{"data": {"filter": "eq(a,b)", "node_ids": {"a": "1"}}}"#,
        r#"{"data": {"filter": null, "node_ids": null}, "x": 1}"#,
        r#"{"data": {"filter": "eq(a,\"b\")", "node_ids": ["1", "\u00e9", "a\"b"]}}"#,
        r#"{"d\u0061ta": {"f\u0069lter": "x", "node_\u0069ds": ["1"]}}"#,
        r#"{"data": {"filter": "x", "node_ids": ["1"], "junk": [1, {"a": [null, 1e5]}]}, "more": {}}"#,
        r#"{"junk": [1e400], "data": {"filter": "x", "node_ids": ["1"]}}"#,
        r#"{"data": {"filter": "x", "node_ids": ["1", 1e400]}}"#,
        r#"{"data": {"filter": "x", "node_ids": ["1"]}} x"#,
        r#"{"data": {"filter": "x", "node_ids": ["1"]}"#,
        r#"{"data": {"filter": "x", "node_ids": ["1",]}}"#,
        r#"{"data": {"filter": "x\y", "node_ids": ["1"]}}"#,
        r#"{"data": {"filter": "x", "filter": "y", "node_ids": ["1"]}}"#,
        r#"{"data": {"filter": "\ud800", "node_ids": ["1"]}}"#,
        r#"{"data": {"filter": "x", "node_ids": ["1"]}, "data": {}}"#,
    ];

    #[test]
    fn answers_as_reading_a_value_did() {
        let deep = format!(
            r#"{{"data": {{"filter": "x", "node_ids": ["1"]}}, "x": {}{}}}"#,
            "[".repeat(200),
            "]".repeat(200)
        );
        for body in BODIES.iter().copied().chain([deep.as_str()]) {
            assert_eq!(read(body, usize::MAX), read_as_value(body), "{body}");
            // A limit the body keeps within changes nothing.
            assert_eq!(read(body, 3), read_as_value(body), "{body}");
        }
    }

    #[test]
    fn ids_past_the_limit_are_counted_whatever_they_are() {
        let body =
            r#"{"data": {"node_ids": ["a", "b", 1, null, {"x": [1]}, ["c"], "d"], "filter": "x"}}"#;
        assert_eq!(
            read(body, 2),
            Ok(Body {
                filter: Some("x".into()),
                node_ids: NodeIds::TooMany(7),
            })
        );
        // Within the limit, the type is checked as before.
        assert_eq!(read(body, 3), read_as_value(body));
        assert!(read(body, 3).is_err());
        // Exactly at the limit: every id.
        let body = r#"{"data": {"node_ids": ["a", "b"]}}"#;
        assert_eq!(
            read(body, 2),
            Ok(Body {
                filter: None,
                node_ids: NodeIds::Listed(vec!["a".into(), "b".into()]),
            })
        );
        // A limit of 0: any id is over it.
        assert_eq!(read(body, 0).map(|b| b.node_ids), Ok(NodeIds::TooMany(2)));
        // Still JSON: a syntax error past the limit is the JSON error.
        let body = r#"{"data": {"node_ids": ["a", "b", "c", tru]}}"#;
        assert_eq!(read(body, 1), read_as_value(body));
        assert!(read(body, 1).is_err());
    }
}
