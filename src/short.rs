//! A string stored inline when short (most attribute paths and `like`
//! needles are), so a validated filter allocates nothing for it.

use std::fmt;
use std::hash::{Hash, Hasher};

/// How many bytes fit inline (the heap form is as large).
const INLINE: usize = 22;

/// An immutable string, inline up to [`INLINE`] bytes, boxed beyond.
#[derive(Clone)]
pub(crate) enum ShortStr {
    /// `len` bytes of `bytes` (the rest zero), UTF-8 because they were
    /// copied from a `&str`.
    Inline { len: u8, bytes: [u8; INLINE] },
    /// A longer string.
    Heap(Box<str>),
}

impl ShortStr {
    /// A copy of `s`; allocates only when `s` is longer than the inline
    /// capacity.
    pub(crate) fn new(s: &str) -> ShortStr {
        let src = s.as_bytes();
        match (u8::try_from(src.len()), [0u8; INLINE]) {
            (Ok(len), mut bytes) if src.len() <= INLINE => {
                if let Some(dst) = bytes.get_mut(..src.len()) {
                    dst.copy_from_slice(src);
                }
                ShortStr::Inline { len, bytes }
            }
            _ => ShortStr::Heap(Box::from(s)),
        }
    }

    /// The bytes of the string.
    pub(crate) fn as_bytes(&self) -> &[u8] {
        match self {
            ShortStr::Inline { len, bytes } => bytes.get(..usize::from(*len)).unwrap_or_default(),
            ShortStr::Heap(s) => s.as_bytes(),
        }
    }

    /// The string.
    pub(crate) fn as_str(&self) -> &str {
        match self {
            // Copied whole from a `&str`, so always UTF-8.
            ShortStr::Inline { .. } => std::str::from_utf8(self.as_bytes()).unwrap_or_default(),
            ShortStr::Heap(s) => s,
        }
    }
}

impl fmt::Debug for ShortStr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self.as_str(), f)
    }
}

impl PartialEq for ShortStr {
    fn eq(&self, other: &ShortStr) -> bool {
        self.as_bytes() == other.as_bytes()
    }
}

impl Eq for ShortStr {}

impl Hash for ShortStr {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.as_str().hash(state);
    }
}

#[cfg(test)]
mod tests {
    use super::ShortStr;

    #[test]
    fn inline_and_heap() {
        for s in [
            "",
            "a",
            "extensions.book.isbn",
            "0123456789012345678901",
            "01234567890123456789012",
            "é€𝄞 long enough to be boxed",
        ] {
            let t = ShortStr::new(s);
            assert_eq!(t.as_str(), s);
            assert_eq!(
                matches!(t, ShortStr::Inline { .. }),
                s.len() <= super::INLINE
            );
            assert_eq!(t, ShortStr::new(s));
        }
    }
}
