//! Parent links: the one parent-cycle finder that catalog nodes and Ecwid
//! categories share.

/// No parent (a root), or a parent that is not known.
pub(crate) const NONE: u32 = u32::MAX;

/// Every cycle of the parent links `parent[i]` (an index, or [`NONE`]), each
/// once, as the indexes on it in parent order (each followed by its parent),
/// starting at its smallest index. Linear in the number of entries; a
/// self-parent is a cycle of one.
pub(crate) fn parent_cycles(parent: &[u32]) -> Vec<Vec<u32>> {
    // 0 = not visited, 1 = on the current walk, 2 = done.
    let mut state = vec![0u8; parent.len()];
    let mut walk: Vec<u32> = Vec::new();
    let mut cycles = Vec::new();
    for start in 0..parent.len() {
        walk.clear();
        let mut at = start as u32;
        while state.get(at as usize) == Some(&0) {
            state[at as usize] = 1;
            walk.push(at);
            at = parent.get(at as usize).copied().unwrap_or(NONE);
        }
        if state.get(at as usize) == Some(&1) {
            // `at` is on this walk: the cycle is the walk from `at` on.
            let from = walk.iter().position(|&n| n == at).unwrap_or(0);
            let mut cycle = walk.get(from..).unwrap_or_default().to_vec();
            let first = cycle
                .iter()
                .enumerate()
                .min_by_key(|&(_, &n)| n)
                .map_or(0, |(i, _)| i);
            cycle.rotate_left(first);
            cycles.push(cycle);
        }
        for &n in &walk {
            state[n as usize] = 2;
        }
    }
    cycles
}

/// A cycle's members for a message, each followed by its parent and the
/// first written again at the end: `"a" -> "b" -> "a"` for text ids,
/// `7 -> 9 -> 7` for numbers (each as `Debug` writes it).
pub(crate) fn cycle_text<T: std::fmt::Debug>(ids: &[T]) -> String {
    let mut text = String::new();
    for id in ids.iter().chain(ids.first()) {
        if !text.is_empty() {
            text.push_str(" -> ");
        }
        text.push_str(&format!("{id:?}"));
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cycles() {
        // 0 -> 1 -> 2 -> 1, 3 -> 3, 4 root
        assert_eq!(parent_cycles(&[1, 2, 1, 3, NONE]), [vec![1, 2], vec![3]]);
        assert!(parent_cycles(&[NONE, 0, 1]).is_empty());
        // An out-of-range parent counts as none.
        assert!(parent_cycles(&[7]).is_empty());
    }

    #[test]
    fn cycle_texts() {
        assert_eq!(
            cycle_text(&["a".to_owned(), "b".to_owned()]),
            r#""a" -> "b" -> "a""#
        );
        assert_eq!(cycle_text(&[7u64]), "7 -> 7");
        assert_eq!(cycle_text::<u64>(&[]), "");
    }
}
