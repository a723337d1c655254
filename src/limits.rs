//! Configurable limits, checked before any heavy work.

/// Upper bounds on request sizes. Every limit is checked before the work it
/// guards, so an oversized input is refused at once, never slowly.
///
/// The defaults follow Elastic Path's filtering guide (10 conditions, 8 KiB
/// of filter) and the crate's own choices (1,000 values in one `in`, 1,000 `node_ids`,
/// 10,000 Ecwid `productIds`, group depth 8) and the vendor's filter library
/// (an OR complexity of 4).
///
/// In serde (schema files) every field is optional and defaults as above.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Limits {
    /// Maximum length of a filter in bytes (default 8,192).
    pub max_filter_bytes: usize,
    /// Maximum number of conditions in the whole filter tree, in every
    /// group (default 10).
    pub max_conditions: usize,
    /// Maximum number of values in one condition: `in`, `contains_any`,
    /// `contains_all` (default 1,000).
    pub max_in_values: usize,
    /// Maximum number of `node_ids` in one detach request (default 1,000).
    pub max_node_ids: usize,
    /// Maximum number of `productIds` in one Ecwid unassign request (default 10,000).
    pub max_product_ids: usize,
    /// Maximum nesting of parenthesised groups (default 8). Checked by the
    /// parser before it opens a group, so no input drives deep recursion.
    ///
    /// Capped at [`MAX_DEPTH`](crate::schema::MAX_DEPTH) (64) wherever it is
    /// read (`syntax::parse_with`, a [`Compiler`](crate::Compiler),
    /// validation): a larger value, up to `usize::MAX`, acts as 64, and
    /// deeper input is refused with the depth error naming 64. Validation,
    /// printing and dropping a tree recurse at most twice per level (an
    /// `And` inside an `Or` needs no parentheses and is no level), so this
    /// keeps them within any thread's stack.
    pub max_depth: usize,
    /// Maximum "effective index intersection count" of a filter whose
    /// schema allows OR groups (default 4, the vendor's): a condition counts
    /// 1, an AND the product of its terms, an OR the sum of its
    /// alternatives.
    pub max_complexity: usize,
    /// Maximum size in bytes of a snapshot or request body read whole
    /// (default 1 GiB); checked before parsing.
    pub max_snapshot_bytes: usize,
}

impl Limits {
    /// The documented defaults (see the type's docs).
    pub const DEFAULT: Limits = Limits {
        max_filter_bytes: 8192,
        max_conditions: 10,
        max_in_values: 1000,
        max_node_ids: 1000,
        max_product_ids: 10_000,
        max_depth: 8,
        max_complexity: 4,
        max_snapshot_bytes: 1 << 30,
    };
}

/// The largest group depth any limit allows: a larger
/// [`Limits::max_depth`] acts as this, and a schema asking for more is
/// refused (re-exported as `schema::MAX_DEPTH`). Validation, `Display` and
/// `Drop` of a filter recurse at most twice per group level; 64 levels keep every
/// accepted filter far from the end of a thread's stack (the vendor's
/// default is 8).
pub const MAX_DEPTH: usize = 64;

impl Limits {
    /// The group depth the parser and validation enforce:
    /// [`Limits::max_depth`], at most [`MAX_DEPTH`].
    pub(crate) fn depth(&self) -> usize {
        self.max_depth.min(MAX_DEPTH)
    }
}

impl Default for Limits {
    fn default() -> Limits {
        Limits::DEFAULT
    }
}
