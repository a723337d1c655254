//! [`OpSet`]: a set of operators, such as the ones an attribute supports.

use crate::syntax::Op;
use std::fmt;

/// A set of operators, such as the ones an attribute supports.
///
/// `Display` lists the members in the vendor's order, comma separated
/// (`eq, like, in`).
#[derive(Clone, Copy, Default, PartialEq, Eq, Hash)]
pub struct OpSet(u16);

impl OpSet {
    /// The empty set.
    pub const EMPTY: OpSet = OpSet(0);

    /// The set of the given operators.
    pub const fn of(ops: &[Op]) -> OpSet {
        let mut bits = 0u16;
        let mut i = 0;
        while i < ops.len() {
            bits |= 1 << (ops[i] as u8);
            i += 1;
        }
        OpSet(bits)
    }

    /// True when `op` is in the set.
    pub const fn contains(self, op: Op) -> bool {
        self.0 & (1 << (op as u8)) != 0
    }

    /// Number of operators in the set.
    pub const fn len(self) -> usize {
        self.0.count_ones() as usize
    }

    /// True when the set has no operator.
    pub const fn is_empty(self) -> bool {
        self.0 == 0
    }

    /// The union of two sets.
    pub const fn union(self, other: OpSet) -> OpSet {
        OpSet(self.0 | other.0)
    }

    /// The members, in the order of [`Op::ALL`] (`eq like in gt ge lt le`
    /// first).
    pub fn iter(self) -> impl Iterator<Item = Op> {
        Op::ALL.into_iter().filter(move |op| self.contains(*op))
    }
}

impl fmt::Debug for OpSet {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_set().entries(self.iter()).finish()
    }
}

impl fmt::Display for OpSet {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, op) in self.iter().enumerate() {
            if i > 0 {
                f.write_str(", ")?;
            }
            f.write_str(op.as_str())?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn op_set() {
        let s = OpSet::of(&[Op::In, Op::Eq]);
        assert_eq!(s.to_string(), "eq, in");
        assert_eq!(s.len(), 2);
        assert!(s.contains(Op::In) && !s.contains(Op::Like));
        assert!(OpSet::EMPTY.is_empty());
    }
}
