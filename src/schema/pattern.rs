//! Attribute and alias patterns: dot-separated literal segments and
//! `<capture>` segments, parsed, matched against paths and compared with
//! one another (see the `schema` module docs).

use std::collections::HashMap;
use std::fmt;

/// One segment of a [`AttributePattern`].
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Segment {
    /// A literal path segment (`extensions`).
    Literal(String),
    /// A capture `<name>`: any one path segment.
    Capture(String),
}

/// An attribute or alias pattern: dot-separated literal segments and
/// `<capture>` segments (see the [module docs](crate::schema)).
///
/// `Debug` prints the text only: `AttributePattern("extensions.<template>.<field>")`.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct AttributePattern {
    pub(super) text: String,
    pub(super) segments: Vec<Segment>,
}

impl AttributePattern {
    /// Parses a pattern; the error says what is wrong with it.
    pub fn parse(text: &str) -> Result<AttributePattern, PatternError> {
        if text.starts_with('^') || text.ends_with('$') {
            return Err(PatternError::Regex);
        }
        if text.is_empty() {
            return Err(PatternError::Empty);
        }
        let mut segments = Vec::new();
        for seg in text.split('.') {
            if let Some(inner) = seg.strip_prefix('<') {
                let name = inner.strip_suffix('>').unwrap_or("");
                let ok = name
                    .bytes()
                    .next()
                    .is_some_and(|b| b.is_ascii_alphabetic() || b == b'_')
                    && name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_');
                if !ok {
                    return Err(PatternError::BadCapture(seg.to_owned()));
                }
                let capture = Segment::Capture(name.to_owned());
                if segments.contains(&capture) {
                    return Err(PatternError::DuplicateCapture(name.to_owned()));
                }
                segments.push(capture);
            } else if !seg.is_empty() && seg.bytes().all(is_path_byte) {
                segments.push(Segment::Literal(seg.to_owned()));
            } else {
                return Err(PatternError::BadSegment(seg.to_owned()));
            }
        }
        Ok(AttributePattern {
            text: text.to_owned(),
            segments,
        })
    }

    /// The pattern as written.
    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// The segments.
    pub fn segments(&self) -> &[Segment] {
        &self.segments
    }

    /// The capture names, in order.
    pub fn captures(&self) -> impl Iterator<Item = &str> {
        self.segments.iter().filter_map(|s| match s {
            Segment::Capture(c) => Some(c.as_str()),
            Segment::Literal(_) => None,
        })
    }

    /// True when the pattern has no capture (an exact name).
    pub fn is_exact(&self) -> bool {
        self.captures().next().is_none()
    }

    /// The first segment when it is literal.
    pub(super) fn head(&self) -> Option<&str> {
        match self.segments.first() {
            Some(Segment::Literal(l)) => Some(l),
            _ => None,
        }
    }

    /// Matches path segments; the values of the captures in order.
    pub(super) fn matches<'p>(&self, path: &[&'p str]) -> Option<Vec<&'p str>> {
        if path.len() != self.segments.len() {
            return None;
        }
        let mut values = Vec::new();
        for (seg, part) in self.segments.iter().zip(path) {
            match seg {
                Segment::Literal(l) if l == part => {}
                Segment::Literal(_) => return None,
                Segment::Capture(_) if is_path_segment(part) => values.push(*part),
                Segment::Capture(_) => return None,
            }
        }
        Some(values)
    }

    /// True when the dotted `path` matches (no allocation).
    pub(crate) fn matches_str(&self, path: &str) -> bool {
        // On bytes (`.` is ASCII): a literal is compared as a prefix, a
        // capture scanned to the next `.`; no iterator set-up on these
        // short paths.
        let mut rest = path.as_bytes();
        for (n, seg) in self.segments.iter().enumerate() {
            if n > 0 {
                match rest.split_first() {
                    Some((b'.', after)) => rest = after,
                    _ => return false,
                }
            }
            match seg {
                Segment::Literal(l) => match rest.strip_prefix(l.as_bytes()) {
                    Some(after) => rest = after,
                    None => return false,
                },
                Segment::Capture(_) => {
                    let len = rest.iter().take_while(|&&b| is_path_byte(b)).count();
                    if len == 0 {
                        return false;
                    }
                    rest = rest.get(len..).unwrap_or_default();
                }
            }
        }
        rest.is_empty()
    }

    /// The value of capture `name` in a `path` this pattern matches.
    pub(crate) fn capture_in<'p>(&self, name: &str, path: &'p str) -> Option<&'p str> {
        let at = self
            .segments
            .iter()
            .position(|s| matches!(s, Segment::Capture(c) if c == name))?;
        path.split('.').nth(at)
    }

    /// `to` with its captures filled from `path`, which this pattern
    /// (an alias) matches.
    pub(super) fn fill(&self, to: &AttributePattern, path: &str) -> String {
        let mut out = String::with_capacity(to.text.len() + path.len());
        for (i, seg) in to.segments.iter().enumerate() {
            if i > 0 {
                out.push('.');
            }
            match seg {
                Segment::Literal(l) => out.push_str(l),
                Segment::Capture(c) => out.push_str(self.capture_in(c, path).unwrap_or_default()),
            }
        }
        out
    }

    /// True when some path matches both patterns (the definition
    /// [`PatternTrie::first_overlap`] is tested against).
    #[cfg(test)]
    fn overlaps(&self, other: &AttributePattern) -> bool {
        self.segment_wise(other, |a, b| match (a, b) {
            (Segment::Literal(x), Segment::Literal(y)) => x == y,
            _ => true,
        })
    }

    /// True when every path `self` matches (whatever its captures) is
    /// matched by `other` (the definition [`PatternTrie::covers`] is tested
    /// against).
    #[cfg(test)]
    fn covered_by(&self, other: &AttributePattern) -> bool {
        self.segment_wise(other, |a, b| match (a, b) {
            (Segment::Literal(x), Segment::Literal(y)) => x == y,
            (_, Segment::Capture(_)) => true,
            (Segment::Capture(_), Segment::Literal(_)) => false,
        })
    }

    /// True when both have as many segments and `fits` each pair.
    #[cfg(test)]
    fn segment_wise(
        &self,
        other: &AttributePattern,
        fits: impl Fn(&Segment, &Segment) -> bool,
    ) -> bool {
        self.segments.len() == other.segments.len()
            && self
                .segments
                .iter()
                .zip(&other.segments)
                .all(|(a, b)| fits(a, b))
    }
}

/// Patterns stored by their segments (a trie whose edges are literal
/// segments, or "any capture"), so that a pattern's overlaps and covers
/// are found without comparing it with every stored pattern: a schema of
/// n patterns is checked in about n lookups, where pairwise checks took
/// n² / 2 comparisons (40,000 attributes took seconds).
///
/// A lookup follows the literal edge of each literal segment of the
/// pattern asked about, and the capture edge; only a capture segment of
/// the pattern asked about follows every edge of its node. Schemas written
/// by hand or generated from a catalog (distinct literal heads, captures
/// after them) stay near-linear; the worst case (captures facing many
/// different literals) is no worse than the pairwise check was.
#[derive(Debug)]
pub(super) struct PatternTrie<'p> {
    /// The nodes; the root is the first.
    nodes: Vec<TrieNode<'p>>,
}

/// One node of a [`PatternTrie`]: the patterns whose first segments lead
/// here.
#[derive(Debug)]
struct TrieNode<'p> {
    /// Literal segment -> the node it leads to.
    literals: HashMap<&'p str, usize>,
    /// The node a capture segment (of any name) leads to.
    capture: Option<usize>,
    /// The smallest index of a pattern through this node, to skip nodes
    /// that cannot hold an earlier answer.
    first: usize,
    /// The smallest index of a pattern ending here.
    end: Option<usize>,
}

impl TrieNode<'_> {
    fn new(first: usize) -> Self {
        TrieNode {
            literals: HashMap::new(),
            capture: None,
            first,
            end: None,
        }
    }
}

impl<'p> PatternTrie<'p> {
    /// An empty set.
    pub(super) fn new() -> Self {
        PatternTrie {
            nodes: vec![TrieNode::new(usize::MAX)],
        }
    }

    /// Stores `pattern` under `index`.
    pub(super) fn insert(&mut self, pattern: &'p AttributePattern, index: usize) {
        let mut at = 0;
        for seg in &pattern.segments {
            let fresh = self.nodes.len();
            let Some(node) = self.nodes.get_mut(at) else {
                return;
            };
            node.first = node.first.min(index);
            let next = match seg {
                Segment::Literal(l) => *node.literals.entry(l.as_str()).or_insert(fresh),
                Segment::Capture(_) => *node.capture.get_or_insert(fresh),
            };
            if next == fresh {
                self.nodes.push(TrieNode::new(index));
            }
            at = next;
        }
        if let Some(node) = self.nodes.get_mut(at) {
            node.first = node.first.min(index);
            node.end = Some(node.end.map_or(index, |e| e.min(index)));
        }
    }

    /// The smallest index of a stored pattern that overlaps `pattern`
    /// ([`AttributePattern::overlaps`]: some path matches both).
    pub(super) fn first_overlap(&self, pattern: &AttributePattern) -> Option<usize> {
        let mut best: Option<usize> = None;
        let mut stack = vec![(0usize, 0usize)];
        while let Some((at, depth)) = stack.pop() {
            let Some(node) = self.nodes.get(at) else {
                continue;
            };
            if best.is_some_and(|b| node.first >= b) {
                continue;
            }
            let Some(seg) = pattern.segments.get(depth) else {
                if let Some(end) = node.end {
                    best = Some(best.map_or(end, |b| b.min(end)));
                }
                continue;
            };
            stack.extend(node.capture.map(|c| (c, depth + 1)));
            match seg {
                Segment::Literal(l) => {
                    stack.extend(node.literals.get(l.as_str()).map(|&n| (n, depth + 1)));
                }
                Segment::Capture(_) => {
                    stack.extend(node.literals.values().map(|&n| (n, depth + 1)));
                }
            }
        }
        best
    }

    /// True when a stored pattern covers `pattern`
    /// ([`AttributePattern::covered_by`]: matches every path it matches).
    pub(super) fn covers(&self, pattern: &AttributePattern) -> bool {
        let mut stack = vec![(0usize, 0usize)];
        while let Some((at, depth)) = stack.pop() {
            let Some(node) = self.nodes.get(at) else {
                continue;
            };
            let Some(seg) = pattern.segments.get(depth) else {
                if node.end.is_some() {
                    return true;
                }
                continue;
            };
            stack.extend(node.capture.map(|c| (c, depth + 1)));
            if let Segment::Literal(l) = seg {
                stack.extend(node.literals.get(l.as_str()).map(|&n| (n, depth + 1)));
            }
        }
        false
    }
}

impl fmt::Debug for AttributePattern {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("AttributePattern").field(&self.text).finish()
    }
}

impl fmt::Display for AttributePattern {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

/// A byte of a literal path segment: ASCII letter, digit, `_` or `-`.
fn is_path_byte(b: u8) -> bool {
    // The grammar's table of a path name's bytes: one load per byte.
    crate::syntax::NAME[usize::from(b)]
}

/// A whole path segment of the filter language.
fn is_path_segment(s: &str) -> bool {
    !s.is_empty() && s.bytes().all(is_path_byte)
}

/// Why a pattern is invalid.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum PatternError {
    /// The pattern is empty.
    #[error("the pattern is empty")]
    Empty,
    /// A segment is neither a literal name nor a capture (empty, or with
    /// characters other than ASCII letters, digits, `_` and `-`).
    #[error(
        "bad segment `{0}`: a segment is a name of ASCII letters, digits, `_` and `-`, or a capture `<name>`"
    )]
    BadSegment(String),
    /// A `<...>` segment whose name is not `[A-Za-z_][A-Za-z0-9_]*`.
    #[error(
        "bad capture `{0}`: a capture is `<name>`, the name of ASCII letters, digits and `_`, not starting with a digit"
    )]
    BadCapture(String),
    /// The same capture name twice.
    #[error("capture `<{0}>` appears twice")]
    DuplicateCapture(String),
    /// A regular expression (`^...$`), which schemas do not take.
    #[error(
        "regular expressions are not supported; write each captured segment as `<name>`, e.g. `attributes.locales.<locale>.description`"
    )]
    Regex,
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `matches_str` (the lookup's matcher) agrees with `matches` on the
    /// path's segments, including near misses around the literals.
    #[test]
    fn matches_str_is_matches_on_segments() {
        let patterns = [
            AttributePattern::parse("extensions.<template>.<field>").unwrap(),
            AttributePattern::parse("contact.email").unwrap(),
            AttributePattern::parse("<a>").unwrap(),
        ];
        let cases = [
            ("extensions.book.isbn", [true, false, false]),
            ("extensionsx.book.isbn", [false, false, false]),
            ("ext.book.isbn", [false, false, false]),
            ("extensions.book", [false, false, false]),
            ("extensions.book.isbn.x", [false, false, false]),
            ("extensions..isbn", [false, false, false]),
            ("extensions.bo ok.isbn", [false, false, false]),
            ("extensions.b-o_k.i5", [true, false, false]),
            ("contact.email", [false, true, false]),
            ("contact.emails", [false, false, false]),
            ("contact.emai", [false, false, false]),
            ("contact", [false, false, true]),
            ("a.", [false, false, false]),
            ("", [false, false, false]),
            ("é", [false, false, false]),
        ];
        for (path, expected) in cases {
            let parts: Vec<&str> = path.split('.').collect();
            for (p, want) in patterns.iter().zip(expected) {
                assert_eq!(p.matches_str(path), want, "{path} ~ {p:?}");
                assert_eq!(p.matches(&parts).is_some(), want, "{path} ~ {p:?}");
            }
        }
    }

    #[test]
    fn patterns_parse() {
        let p = AttributePattern::parse("extensions.<template>.<field>").unwrap();
        assert_eq!(p.captures().collect::<Vec<_>>(), ["template", "field"]);
        assert!(!p.is_exact());
        assert!(AttributePattern::parse("contact.email").unwrap().is_exact());
        for (text, error) in [
            ("", PatternError::Empty),
            ("a..b", PatternError::BadSegment(String::new())),
            ("a.b c", PatternError::BadSegment("b c".into())),
            ("caf\u{e9}", PatternError::BadSegment("caf\u{e9}".into())),
            ("a.<>", PatternError::BadCapture("<>".into())),
            ("a.<1x>", PatternError::BadCapture("<1x>".into())),
            ("a.<x", PatternError::BadCapture("<x".into())),
            ("a.<x-y>", PatternError::BadCapture("<x-y>".into())),
            ("<x>.<x>", PatternError::DuplicateCapture("x".into())),
            (
                r"^attributes\.locales\.([a-zA-Z0-9_-]+)$",
                PatternError::Regex,
            ),
        ] {
            assert_eq!(AttributePattern::parse(text), Err(error), "{text}");
        }
    }

    /// The trie answers what the pairwise definitions answer, on every
    /// pattern of one to three segments over `a`, `b`, `<x>` and `<y>`
    /// (62 patterns), each asked against every prefix of the list.
    #[test]
    fn trie_agrees_with_pairwise() {
        let segs = ["a", "b", "<x>", "<y>"];
        let mut level: Vec<String> = segs.iter().map(|s| (*s).to_owned()).collect();
        let mut texts = level.clone();
        for _ in 0..2 {
            level = level
                .iter()
                .flat_map(|t| segs.iter().map(move |s| format!("{t}.{s}")))
                .collect();
            texts.extend(level.iter().cloned());
        }
        let patterns: Vec<AttributePattern> = texts
            .iter()
            .filter_map(|t| AttributePattern::parse(t).ok())
            .collect();
        assert_eq!(patterns.len(), 4 + 14 + 44);
        let mut trie = PatternTrie::new();
        for (i, p) in patterns.iter().enumerate() {
            for q in &patterns {
                let overlap = patterns.iter().take(i).position(|b| q.overlaps(b));
                assert_eq!(trie.first_overlap(q), overlap, "{q} in {i}");
                let covered = patterns.iter().take(i).any(|b| q.covered_by(b));
                assert_eq!(trie.covers(q), covered, "{q} in {i}");
            }
            trie.insert(p, i);
        }
    }
}
