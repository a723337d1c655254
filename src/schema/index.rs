//! The lookup index a [`Schema`](super::Schema) derives from its
//! definition: exact names in a hash table, the patterns and aliases in
//! order, and every operator some attribute allows.

use super::model::Definition;
use super::op_set::OpSet;
use super::pattern::AttributePattern;

/// Exact names -> indexes: open addressing (linear probing) over a
/// power-of-two table at most half full, hashed from the name's length and
/// its first and last eight bytes. A lookup is a few dozen instructions
/// and one comparison, where a general hash map hashed every byte (the
/// attribute lookup was a tenth of `compile`). The names come from the
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
