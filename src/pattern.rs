//! `like` patterns: a leading and/or trailing `*` is a wildcard, anything
//! between is literal text. Needs nothing but `memchr`, so validation can
//! compile patterns and every back end (in memory, SQL) can read them.

use crate::short::ShortStr;
use memchr::memmem;
use std::fmt;
use std::hash::{Hash, Hasher};

/// A compiled `like` pattern: only a leading and/or trailing `*` is a
/// wildcard; what is left between them (the needle) is literal text, stars
/// included.
///
/// | pattern | matches a value that |
/// |---|---|
/// | `*shoe*` | contains `shoe` |
/// | `shoe*` | starts with `shoe` |
/// | `*shoe` | ends with `shoe` |
/// | `shoe` | equals `shoe` |
/// | `*`, `**` | is present (any text, even empty) |
/// | `a*b` | equals `a*b` (the star is literal) |
///
/// Matching is case-sensitive. "Contains" scans a value under 64 bytes
/// for the needle's first byte and compares at each hit (at most 64 x 64
/// byte comparisons), and gives a longer value to `memchr::memmem::find`,
/// linear in the value. A pattern is a kind and the
/// needle, held inline when short (up to 22 bytes), so compiling one
/// usually allocates nothing; evaluation over a catalog's columns builds
/// its own searcher per column.
///
/// ```
/// use catalog_filter::validate::{LikePattern, PatternKind};
///
/// let p = LikePattern::new("*shoe*");
/// assert_eq!(p.kind(), PatternKind::Contains);
/// assert_eq!(p.needle(), "shoe");
/// assert!(p.matches("running shoes"));
/// assert!(!p.matches("Running Shoes"));
/// assert!(LikePattern::new("a*b").matches("a*b"));
/// assert!(!LikePattern::new("a*b").matches("axb"));
/// ```
#[derive(Clone)]
pub struct LikePattern {
    kind: PatternKind,
    needle: ShortStr,
}

/// How a [`LikePattern`]'s needle must sit in a value.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum PatternKind {
    /// `*` or `**`: any present value (the needle is empty).
    Any,
    /// `*needle*`: the value contains the needle (never empty).
    Contains,
    /// `needle*`: the value starts with the needle.
    StartsWith,
    /// `*needle`: the value ends with the needle (never empty).
    EndsWith,
    /// `needle`: the value equals the needle.
    Equals,
}

impl LikePattern {
    /// Compiles a `like` value. Every text is a valid pattern.
    pub fn new(pattern: &str) -> LikePattern {
        let (kind, needle) = split(pattern);
        LikePattern {
            kind,
            needle: ShortStr::new(needle),
        }
    }

    /// Where the needle must sit.
    pub fn kind(&self) -> PatternKind {
        self.kind
    }

    /// The literal text between the wildcards.
    pub fn needle(&self) -> &str {
        self.needle.as_str()
    }

    /// True when `value` matches the pattern (case-sensitively).
    pub fn matches(&self, value: &str) -> bool {
        matches_bytes(self.kind, self.needle.as_bytes(), value.as_bytes())
    }
}

/// A `like` pattern borrowed from where it is stored (a compiled filter
/// keeps its patterns' needles in its own text): the same kind, needle and
/// matching as [`LikePattern`], without a copy.
///
/// ```
/// use catalog_filter::validate::{LikePatternRef, PatternKind};
///
/// let p = LikePatternRef::new("*shoe*");
/// assert_eq!((p.kind(), p.needle()), (PatternKind::Contains, "shoe"));
/// assert!(p.matches("running shoes"));
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct LikePatternRef<'a> {
    kind: PatternKind,
    needle: &'a str,
}

impl<'a> LikePatternRef<'a> {
    /// Reads a `like` value (borrowing its needle). Every text is a valid
    /// pattern.
    pub fn new(pattern: &'a str) -> LikePatternRef<'a> {
        let (kind, needle) = split(pattern);
        LikePatternRef { kind, needle }
    }

    /// A pattern of `kind` with `needle` (the text between the wildcards).
    pub(crate) fn from_parts(kind: PatternKind, needle: &'a str) -> LikePatternRef<'a> {
        LikePatternRef { kind, needle }
    }

    /// Where the needle must sit.
    pub fn kind(&self) -> PatternKind {
        self.kind
    }

    /// The literal text between the wildcards.
    pub fn needle(&self) -> &'a str {
        self.needle
    }

    /// True when `value` matches the pattern (case-sensitively).
    #[inline]
    pub fn matches(&self, value: &str) -> bool {
        matches_bytes(self.kind, self.needle.as_bytes(), value.as_bytes())
    }
}

/// The kind of a `like` value and its needle.
pub(crate) fn split(pattern: &str) -> (PatternKind, &str) {
    let (leading, rest) = match pattern.strip_prefix('*') {
        Some(rest) => (true, rest),
        None => (false, pattern),
    };
    let (trailing, needle) = match rest.strip_suffix('*') {
        Some(needle) => (true, needle),
        None => (false, rest),
    };
    let kind = match (leading, trailing) {
        (true, _) if needle.is_empty() => PatternKind::Any,
        (true, true) => PatternKind::Contains,
        (false, true) => PatternKind::StartsWith,
        (true, false) => PatternKind::EndsWith,
        (false, false) => PatternKind::Equals,
    };
    (kind, needle)
}

/// True when `hay` matches a pattern of `kind` with `needle` (the one
/// matcher of `like` values, per record and over columns alike).
#[inline(always)]
pub(crate) fn matches_bytes(kind: PatternKind, needle: &[u8], hay: &[u8]) -> bool {
    match kind {
        PatternKind::Any => true,
        PatternKind::Contains => contains(hay, needle),
        PatternKind::StartsWith => hay.starts_with(needle),
        PatternKind::EndsWith => hay.ends_with(needle),
        PatternKind::Equals => hay == needle,
    }
}

/// The values shorter than this are searched without memmem's searcher.
const SHORT_HAY: usize = 64;

/// True when `hay` holds `needle`. A short value (most product texts: a
/// name, a sku) is searched for the needle's first byte with `memchr` and
/// compared at each hit: building memmem's searcher, which `memmem::find`
/// does per call, cost more than the whole search of a name (about 250
/// instructions per product for `like(name,*shoe*)`). At most
/// `SHORT_HAY` hits of at most `SHORT_HAY` bytes each, so no pattern makes
/// it slow; a longer value goes to memmem, linear in the value.
#[inline]
fn contains(hay: &[u8], needle: &[u8]) -> bool {
    let Some((&first, rest)) = needle.split_first() else {
        return true;
    };
    if hay.len() >= SHORT_HAY {
        return memmem::find(hay, needle).is_some();
    }
    let mut at = 0;
    while let Some(k) = hay.get(at..).and_then(|h| memchr::memchr(first, h)) {
        let after = at + k + 1;
        if hay.get(after..).is_some_and(|h| h.starts_with(rest)) {
            return true;
        }
        at = after;
    }
    false
}

impl fmt::Debug for LikePattern {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("LikePattern")
            .field("kind", &self.kind)
            .field("needle", &self.needle())
            .finish()
    }
}

impl PartialEq for LikePattern {
    fn eq(&self, other: &LikePattern) -> bool {
        self.kind == other.kind && self.needle == other.needle
    }
}

impl Eq for LikePattern {}

impl Hash for LikePattern {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.kind.hash(state);
        self.needle.hash(state);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::hash_map::DefaultHasher;

    /// The short-value search agrees with memmem on both sides of
    /// `SHORT_HAY`: a first byte that repeats before the match, a match at
    /// either end, a needle longer than the value, a partial match at the
    /// end, and non-ASCII bytes.
    #[test]
    fn contains_is_memmem_on_short_and_long_values() {
        let needles = ["aab", "a", "shoe", "é", "xyz", "aaaa", "b"];
        let bodies = [
            "aaab",
            "aab",
            "shoes and shoe",
            "café",
            "xy",
            "",
            "baaaa",
            "aaa",
            "ab",
        ];
        for pad in [0, SHORT_HAY - 4, SHORT_HAY - 3, SHORT_HAY, SHORT_HAY + 5] {
            for body in bodies {
                for front in [true, false] {
                    let filler = "-".repeat(pad);
                    let hay = if front {
                        format!("{filler}{body}")
                    } else {
                        format!("{body}{filler}")
                    };
                    for needle in needles {
                        assert_eq!(
                            contains(hay.as_bytes(), needle.as_bytes()),
                            memmem::find(hay.as_bytes(), needle.as_bytes()).is_some(),
                            "{needle:?} in {hay:?}"
                        );
                    }
                    assert!(contains(hay.as_bytes(), b""), "the empty needle");
                }
            }
        }
    }

    fn hash(p: &LikePattern) -> u64 {
        let mut h = DefaultHasher::new();
        p.hash(&mut h);
        h.finish()
    }

    #[test]
    fn kinds_needles_and_matches() {
        let cases = [
            ("*", PatternKind::Any, ""),
            ("**", PatternKind::Any, ""),
            ("*ab*", PatternKind::Contains, "ab"),
            ("ab*", PatternKind::StartsWith, "ab"),
            ("*ab", PatternKind::EndsWith, "ab"),
            ("ab", PatternKind::Equals, "ab"),
        ];
        for (text, kind, needle) in cases {
            let p = LikePattern::new(text);
            assert_eq!((p.kind(), p.needle()), (kind, needle), "{text}");
        }
        let m = |p: &str, v: &str| LikePattern::new(p).matches(v);
        assert!(m("*", "") && m("*", "x"));
        assert!(m("*ab*", "xaby") && !m("*ab*", "axb"));
        assert!(m("ab*", "abc") && !m("ab*", "cab"));
        assert!(m("*ab", "cab") && !m("*ab", "abc"));
        assert!(m("ab", "ab") && !m("ab", "abc"));
    }

    #[test]
    fn equality_hash_and_debug_see_kind_and_needle() {
        let a = LikePattern::new("*ab*");
        assert_eq!(a, LikePattern::new("*ab*"));
        assert_eq!(hash(&a), hash(&LikePattern::new("*ab*")));
        // Same needle, other kind; same kind, other needle.
        assert_ne!(a, LikePattern::new("ab*"));
        assert_ne!(a, LikePattern::new("*ac*"));
        assert_ne!(hash(&a), hash(&LikePattern::new("ab*")));
        assert_ne!(hash(&a), hash(&LikePattern::new("*ac*")));
        assert_eq!(
            format!("{a:?}"),
            r#"LikePattern { kind: Contains, needle: "ab" }"#
        );
    }
}
