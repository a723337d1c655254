//! Lists read under a count limit: the elements up to the limit are read,
//! the rest only counted, never materialised, so a list far over its limit
//! costs the memory of `limit` elements, not of the list (issue 27 D1).

use serde::de::{self, DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};
use std::fmt;
use std::marker::PhantomData;

/// Any JSON value, read and dropped without keeping anything: checked as
/// `serde_json::Value` would check it (numbers in range, string escapes,
/// the nesting limit), so a reader that skips with it refuses the same
/// documents as one that builds values.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Skip;

impl<'de> de::Deserialize<'de> for Skip {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Skip, D::Error> {
        deserializer.deserialize_any(SkipVisitor)
    }
}

struct SkipVisitor;

impl<'de> Visitor<'de> for SkipVisitor {
    type Value = Skip;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any JSON value")
    }

    fn visit_bool<E: de::Error>(self, _: bool) -> Result<Skip, E> {
        Ok(Skip)
    }

    fn visit_i64<E: de::Error>(self, _: i64) -> Result<Skip, E> {
        Ok(Skip)
    }

    fn visit_u64<E: de::Error>(self, _: u64) -> Result<Skip, E> {
        Ok(Skip)
    }

    fn visit_f64<E: de::Error>(self, _: f64) -> Result<Skip, E> {
        Ok(Skip)
    }

    fn visit_str<E: de::Error>(self, _: &str) -> Result<Skip, E> {
        Ok(Skip)
    }

    fn visit_unit<E: de::Error>(self) -> Result<Skip, E> {
        Ok(Skip)
    }

    fn visit_none<E: de::Error>(self) -> Result<Skip, E> {
        Ok(Skip)
    }

    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Skip, D::Error> {
        <Skip as de::Deserialize>::deserialize(d)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<Skip, A::Error> {
        Skip::rest_of(seq).map(|()| Skip)
    }

    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Skip, A::Error> {
        Skip::rest_of_map(map).map(|()| Skip)
    }
}

impl Skip {
    /// Reads and drops the rest of a sequence (after a visitor has seen
    /// enough of it).
    pub(crate) fn rest_of<'de, A: SeqAccess<'de>>(mut seq: A) -> Result<(), A::Error> {
        while seq.next_element::<Skip>()?.is_some() {}
        Ok(())
    }

    /// Reads and drops the rest of a map.
    pub(crate) fn rest_of_map<'de, A: MapAccess<'de>>(mut map: A) -> Result<(), A::Error> {
        while map.next_entry::<Skip, Skip>()?.is_some() {}
        Ok(())
    }
}

/// A list read by [`CountedSeq`]: its first elements, at most the limit,
/// and how many elements it has in all.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Counted<T> {
    /// The first `min(count, limit)` elements.
    pub(crate) items: Vec<T>,
    /// The number of elements of the list.
    pub(crate) count: usize,
}

impl<T> Counted<T> {
    /// True when the list has more elements than were kept.
    pub(crate) fn is_over(&self) -> bool {
        self.count > self.items.len()
    }
}

/// Reads a JSON array keeping at most `limit` elements (each read as `T`,
/// with `T`'s errors); the elements after them are only counted, read as
/// [`Skip`]: never materialised, and not checked against `T`.
pub(crate) struct CountedSeq<T> {
    limit: usize,
    element: PhantomData<fn() -> T>,
}

impl<T> CountedSeq<T> {
    pub(crate) fn new(limit: usize) -> CountedSeq<T> {
        CountedSeq {
            limit,
            element: PhantomData,
        }
    }
}

impl<'de, T: de::Deserialize<'de>> DeserializeSeed<'de> for CountedSeq<T> {
    type Value = Counted<T>;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Counted<T>, D::Error> {
        deserializer.deserialize_seq(self)
    }
}

impl<'de, T: de::Deserialize<'de>> Visitor<'de> for CountedSeq<T> {
    type Value = Counted<T>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a sequence")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Counted<T>, A::Error> {
        let mut items = Vec::new();
        while items.len() < self.limit {
            match seq.next_element::<T>()? {
                Some(item) => items.push(item),
                None => {
                    let count = items.len();
                    return Ok(Counted { items, count });
                }
            }
        }
        let mut count = items.len();
        while seq.next_element::<Skip>()?.is_some() {
            count = count.saturating_add(1);
        }
        Ok(Counted { items, count })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::cell::Cell;

    thread_local! {
        /// How many `Probe`s were read on this thread.
        static READ: Cell<usize> = const { Cell::new(0) };
    }

    /// A string element that counts how often one is materialised.
    #[derive(Debug, PartialEq)]
    struct Probe(String);

    impl<'de> de::Deserialize<'de> for Probe {
        fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Probe, D::Error> {
            READ.with(|r| r.set(r.get() + 1));
            String::deserialize(d).map(Probe)
        }
    }

    fn read<T: for<'de> de::Deserialize<'de>>(
        json: &str,
        limit: usize,
    ) -> Result<Counted<T>, String> {
        let mut de = serde_json::Deserializer::from_str(json);
        let list = CountedSeq::<T>::new(limit)
            .deserialize(&mut de)
            .map_err(|e| e.to_string())?;
        de.end().map_err(|e| e.to_string())?;
        Ok(list)
    }

    #[test]
    fn elements_past_the_limit_are_counted_never_read() {
        READ.with(|r| r.set(0));
        // Past the limit: strings, but also numbers, objects, arrays (not
        // `Probe`s): counted, not checked against the element type.
        let list = read::<Probe>(r#"["a","b","c",1,{"x":[2]},[[]],"d"]"#, 2).unwrap();
        assert_eq!(list.items, [Probe("a".into()), Probe("b".into())]);
        assert_eq!(list.count, 7);
        assert!(list.is_over());
        assert_eq!(READ.with(Cell::get), 2);
        // Within the limit every element is read as the type.
        assert_eq!(
            read::<Probe>(r#"["a",1]"#, 2).unwrap_err(),
            "invalid type: integer `1`, expected a string at line 1 column 6"
        );
        let list = read::<Probe>(r#"["a","b"]"#, 2).unwrap();
        assert_eq!((list.count, list.is_over()), (2, false));
        let list = read::<u64>("[]", 0).unwrap();
        assert_eq!((list.items, list.count), (vec![], 0));
        let list = read::<u64>("[1,2]", 0).unwrap();
        assert_eq!((list.items, list.count), (vec![], 2));
    }

    #[test]
    fn skipping_refuses_what_building_a_value_refuses() {
        for json in [
            "[1e400]",
            r#"["\x"]"#,
            "[1,]",
            "[tru]",
            &format!("[{}{}]", "[".repeat(200), "]".repeat(200)),
        ] {
            let value = serde_json::from_str::<serde_json::Value>(json).map(|_| ());
            let skip = serde_json::from_str::<Skip>(json).map(|_| ());
            assert_eq!(
                skip.map_err(|e| e.to_string()),
                value.map_err(|e| e.to_string()),
                "{json}"
            );
        }
        assert_eq!(
            read::<u64>("[1,2,1e400]", 1).unwrap_err(),
            "number out of range at line 1 column 10"
        );
    }
}
