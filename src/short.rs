//! A string stored inline when short (most attribute paths, `like`
//! needles and compared text values are), so a validated filter
//! allocates nothing for it.

use std::cmp::Ordering;
use std::fmt;
use std::hash::{Hash, Hasher};

/// How many bytes fit inline (the heap form is as large).
const INLINE: usize = 22;

/// An immutable string, stored inline up to 22 bytes and boxed beyond:
/// the needle of a `like` pattern, so that building one allocates nothing
/// for the common short needle.
///
/// Derefs to `str`; compares, orders (bytewise, as `str`) and hashes like
/// the `str`. Comparing through [`ShortStr::as_bytes`] is the fastest way
/// (`as_str` of an inline string checks its UTF-8 again).
#[derive(Clone)]
pub struct ShortStr(Repr);

#[derive(Clone)]
enum Repr {
    /// `len` bytes of `bytes` (the rest zero), UTF-8 because they were
    /// copied from a `&str`.
    Inline { len: u8, bytes: [u8; INLINE] },
    /// A longer string.
    Heap(Box<str>),
}

impl ShortStr {
    /// A copy of `s`; allocates only when `s` is longer than 22 bytes.
    pub fn new(s: &str) -> ShortStr {
        let src = s.as_bytes();
        match (u8::try_from(src.len()), [0u8; INLINE]) {
            (Ok(len), mut bytes) if src.len() <= INLINE => {
                if let Some(dst) = bytes.get_mut(..src.len()) {
                    dst.copy_from_slice(src);
                }
                ShortStr(Repr::Inline { len, bytes })
            }
            _ => ShortStr(Repr::Heap(Box::from(s))),
        }
    }

    /// The bytes of the string (no check).
    #[inline]
    pub fn as_bytes(&self) -> &[u8] {
        match &self.0 {
            Repr::Inline { len, bytes } => bytes.get(..usize::from(*len)).unwrap_or_default(),
            Repr::Heap(s) => s.as_bytes(),
        }
    }

    /// The string.
    #[inline]
    pub fn as_str(&self) -> &str {
        match &self.0 {
            // Copied whole from a `&str`, so always UTF-8.
            Repr::Inline { .. } => std::str::from_utf8(self.as_bytes()).unwrap_or_default(),
            Repr::Heap(s) => s,
        }
    }

    /// True when stored inline (no allocation).
    pub fn is_inline(&self) -> bool {
        matches!(self.0, Repr::Inline { .. })
    }
}

impl std::ops::Deref for ShortStr {
    type Target = str;
    fn deref(&self) -> &str {
        self.as_str()
    }
}

impl AsRef<str> for ShortStr {
    fn as_ref(&self) -> &str {
        self.as_str()
    }
}

impl From<&str> for ShortStr {
    fn from(s: &str) -> ShortStr {
        ShortStr::new(s)
    }
}

impl From<String> for ShortStr {
    fn from(s: String) -> ShortStr {
        if s.len() <= INLINE {
            ShortStr::new(&s)
        } else {
            ShortStr(Repr::Heap(s.into_boxed_str()))
        }
    }
}

impl From<Box<str>> for ShortStr {
    fn from(s: Box<str>) -> ShortStr {
        if s.len() <= INLINE {
            ShortStr::new(&s)
        } else {
            ShortStr(Repr::Heap(s))
        }
    }
}

impl From<ShortStr> for String {
    fn from(s: ShortStr) -> String {
        match s.0 {
            Repr::Heap(s) => s.into_string(),
            Repr::Inline { .. } => s.as_str().to_owned(),
        }
    }
}

impl fmt::Debug for ShortStr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self.as_str(), f)
    }
}

impl fmt::Display for ShortStr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl PartialEq for ShortStr {
    fn eq(&self, other: &ShortStr) -> bool {
        self.as_bytes() == other.as_bytes()
    }
}

impl Eq for ShortStr {}

impl PartialEq<str> for ShortStr {
    fn eq(&self, other: &str) -> bool {
        self.as_bytes() == other.as_bytes()
    }
}

impl PartialEq<&str> for ShortStr {
    fn eq(&self, other: &&str) -> bool {
        self.as_bytes() == other.as_bytes()
    }
}

impl PartialOrd for ShortStr {
    fn partial_cmp(&self, other: &ShortStr) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for ShortStr {
    /// Bytewise, which is `str`'s order.
    fn cmp(&self, other: &ShortStr) -> Ordering {
        self.as_bytes().cmp(other.as_bytes())
    }
}

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
            assert_eq!(t.is_inline(), s.len() <= super::INLINE);
            assert_eq!(ShortStr::from(s.to_owned()), t);
            assert_eq!(ShortStr::from(Box::<str>::from(s)), t);
            assert_eq!(
                ShortStr::from(s.to_owned()).is_inline(),
                s.len() <= super::INLINE
            );
            assert_eq!(t, ShortStr::new(s));
        }
    }

    #[test]
    fn compares_orders_and_prints_as_its_str() {
        let s = ShortStr::from("live");
        assert_eq!(&*s, "live");
        assert!(s == "live" && s.as_str() < "m");
        assert_eq!(s.to_string(), "live");
    }
}
