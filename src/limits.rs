//! Configurable limits, checked before any heavy work.

/// Upper bounds on request sizes. Every limit is checked before the work it
/// guards, so an oversized input is refused at once, never slowly.
///
/// The defaults follow Elastic Path's filtering guide (10 conditions, 8 KiB
/// of filter) and the crate's own choices (1,000 values in one `in`, 1,000 `node_ids`,
/// 10,000 Ecwid `productIds`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Limits {
    /// Maximum length of a filter in bytes (default 8,192).
    pub max_filter_bytes: usize,
    /// Maximum number of `:`-joined conditions (default 10).
    pub max_conditions: usize,
    /// Maximum number of values in one `in` (default 1,000).
    pub max_in_values: usize,
    /// Maximum number of `node_ids` in one detach request (default 1,000).
    pub max_node_ids: usize,
    /// Maximum number of `productIds` in one Ecwid unassign request (default 10,000).
    pub max_product_ids: usize,
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
        max_snapshot_bytes: 1 << 30,
    };
}

impl Default for Limits {
    fn default() -> Limits {
        Limits::DEFAULT
    }
}
