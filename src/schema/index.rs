//! The lookup index a [`Schema`](super::Schema) derives from its
//! definition: exact names in a hash table, the patterns and aliases in
//! order, and every operator some attribute allows.

use super::model::Definition;
use super::op_set::OpSet;
use super::pattern::AttributePattern;

/// Exact names -> indexes: open addressing (linear probing) over a
/// power-of-two table at most half full, hashed from the name's length and
/// its bytes, eight at a time (not SipHash, as `HashMap` would). A
/// lookup is a few dozen instructions and one comparison, where a general
/// hash map was a tenth of `compile`. The names come from the
/// schema's author and the table is fixed once built, so a filter's path
/// cannot lengthen a probe.
#[derive(Clone, Debug, Default)]
pub(super) struct NameTable {
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

    /// The first slot to probe for `name`: every byte, a word at a time
    /// (FxHash's step), so names that differ only in their middle
    /// (`field_0001_value`, `field_0002_value`) spread too.
    #[inline]
    fn slot(&self, name: &[u8]) -> usize {
        const K: u64 = 0x517c_c1b7_2722_0a95;
        let step = |h: u64, w: u64| (h.rotate_left(5) ^ w).wrapping_mul(K);
        let word = |b: &[u8]| <[u8; 8]>::try_from(b).map_or(0, u64::from_le_bytes);
        let n = name.len();
        let mut h = n as u64;
        if n < 8 {
            h = step(h, name.iter().fold(0u64, |w, &b| (w << 8) | u64::from(b)));
        } else {
            let mut words = name.chunks_exact(8);
            for w in &mut words {
                h = step(h, word(w));
            }
            // The last bytes as the (overlapping) last word: one load.
            if !words.remainder().is_empty() {
                h = step(h, word(name.get(n - 8..).unwrap_or_default()));
            }
        }
        usize::try_from(h >> self.shift).unwrap_or(0)
    }

    /// The index stored for `name`.
    #[inline]
    pub(super) fn get(&self, name: &str) -> Option<usize> {
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
pub(super) struct Index {
    /// Exact attribute names -> attribute index.
    pub(super) exact: NameTable,
    /// Attributes with captures, by attribute index.
    pub(super) patterns: Vec<usize>,
    /// Every alias: (from, to).
    pub(super) aliases: Vec<(AttributePattern, AttributePattern)>,
    /// Exact alias names -> index into `aliases`.
    pub(super) exact_aliases: NameTable,
    /// Every operator some attribute allows.
    pub(super) operators: OpSet,
    /// The product field each attribute reads, by attribute index.
    pub(super) fields: Vec<Option<super::ProductField>>,
    /// Whether each attribute has a value rule, by attribute index (most
    /// have none, and validation then skips the rules for every value).
    pub(super) ruled: Vec<bool>,
}

impl Index {
    pub(super) fn new(def: &Definition) -> Index {
        let mut index = Index::default();
        let mut exact = Vec::new();
        for (i, a) in def.attributes.iter().enumerate() {
            index.operators = index.operators.union(a.ops);
            index
                .fields
                .push(super::ProductField::of_pattern(&a.pattern.text));
            index.ruled.push(!a.rules.is_empty());
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

#[cfg(test)]
mod tests {
    use super::*;

    /// Probes from `name`'s first slot to its entry.
    fn probes(table: &NameTable, name: &str) -> usize {
        let mask = table.slots.len() - 1;
        let mut at = table.slot(name.as_bytes());
        let mut n = 1;
        while !matches!(table.slots.get(at), Some(Some((k, _))) if **k == *name) {
            at = (at + 1) & mask;
            n += 1;
            assert!(n <= table.slots.len(), "{name} is not in the table");
        }
        n
    }

    /// The hash spreads names that share long prefixes and suffixes, short
    /// and long, over the table: a lookup stays a probe or two. (A weak
    /// hash would still find every name, only by walking the table, so the
    /// answers alone would not show it.)
    #[test]
    fn names_spread_over_the_table() {
        for shape in [
            |i: usize| format!("a{i}"),
            |i: usize| format!("{i}"),
            |i: usize| format!("attribute_{i:06}_value"),
            |i: usize| format!("extensions_{i}"),
            |i: usize| format!("x{i}x_shared_suffix_of_the_names"),
        ] {
            let names: Vec<String> = (0..2000).map(shape).collect();
            let entries = names.iter().cloned().zip(0..).collect();
            let table = NameTable::new(entries);
            let counts: Vec<usize> = names.iter().map(|n| probes(&table, n)).collect();
            let max = counts.iter().copied().max().unwrap_or(0);
            let mean = counts.iter().sum::<usize>() as f64 / counts.len() as f64;
            assert!(
                max <= 48 && mean <= 2.0,
                "{}: max {max}, mean {mean}",
                names[1]
            );
            for (i, name) in names.iter().enumerate() {
                assert_eq!(table.get(name), Some(i), "{name}");
            }
        }
    }
}
