//! "Did you mean ...?" suggestions, shared by the parser (operators) and
//! validation (attributes).

/// Returns the candidate nearest to `word` by edit distance, if it is close
/// enough to be a plausible typo: a case-insensitive match, or at most two
/// edits away and fewer edits than `word` has characters.
///
/// Costs `O(len(word) * len(candidate))` per candidate; `word` is cut at 64
/// characters first so a huge input cannot make the error path slow.
pub(crate) fn nearest<'c, I>(word: &str, candidates: I) -> Option<&'c str>
where
    I: IntoIterator<Item = &'c str>,
{
    let word: String = word.chars().take(64).collect();
    let lower = word.to_ascii_lowercase();
    let mut best: Option<(usize, &'c str)> = None;
    for cand in candidates {
        let d = if lower == cand {
            0
        } else {
            distance(&lower, cand)
        };
        if best.is_none_or(|(bd, _)| d < bd) {
            best = Some((d, cand));
        }
    }
    let limit = 2.min(word.chars().count().saturating_sub(1));
    best.filter(|&(d, _)| d <= limit).map(|(_, c)| c)
}

/// Levenshtein distance between `a` and `b`, by characters.
fn distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    let mut cur = vec![0; b.len() + 1];
    for (i, ca) in a.chars().enumerate() {
        cur[0] = i + 1;
        for (j, &cb) in b.iter().enumerate() {
            let sub = prev[j] + usize::from(ca != cb);
            cur[j + 1] = sub.min(prev[j + 1] + 1).min(cur[j] + 1);
        }
        std::mem::swap(&mut prev, &mut cur);
    }
    prev[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    const OPS: [&str; 7] = ["eq", "like", "in", "gt", "ge", "lt", "le"];

    #[test]
    fn distances() {
        assert_eq!(distance("", ""), 0);
        assert_eq!(distance("eqq", "eq"), 1);
        assert_eq!(distance("kitten", "sitting"), 3);
        assert_eq!(distance("é", "e"), 1);
    }

    #[test]
    fn suggestions() {
        assert_eq!(nearest("eqq", OPS), Some("eq"));
        assert_eq!(nearest("EQ", OPS), Some("eq"));
        assert_eq!(nearest("ilike", OPS), Some("like"));
        assert_eq!(nearest("lik", OPS), Some("like"));
        assert_eq!(nearest("x", OPS), None);
        assert_eq!(nearest("between", OPS), None);
        assert_eq!(nearest("skus", ["sku", "slug"]), Some("sku"));
    }
}
