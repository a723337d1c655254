//! Strings shared with the document they were read from.

use super::seed::Borrowed;
use super::write::span_in;
use serde::de::{Deserialize, Deserializer};
use serde::ser::{Serialize, Serializer};
use std::fmt;
use std::ops::Deref;
use std::sync::Arc;

/// A string shared with the document it was read from: a snapshot's text
/// fields, keys and numbers point into the loaded input (no allocation per
/// value) unless they had escapes, then they own their decoded text.
///
/// Compares, hashes and orders as its `str`; derefs to `str`.
///
/// ```
/// use catalog_filter::catalog::Text;
///
/// let t = Text::from("shoe");
/// assert_eq!(t, "shoe");
/// assert_eq!(t.len(), 4);
/// ```
#[derive(Clone)]
pub struct Text {
    buf: Arc<String>,
    start: u32,
    len: u32,
}

impl Text {
    /// A text owning `s`.
    pub fn new(s: impl Into<String>) -> Text {
        let s: String = s.into();
        match u32::try_from(s.len()) {
            Ok(len) => Text {
                buf: Arc::new(s),
                start: 0,
                len,
            },
            // Longer than 4 GiB: kept whole, its first 4 GiB readable.
            Err(_) => Text {
                buf: Arc::new(s),
                start: 0,
                len: u32::MAX,
            },
        }
    }

    /// `part` of `buf` without copying when `part` lies inside `buf` (and
    /// within its first 4 GiB); otherwise a copy of `part`.
    pub(crate) fn span(buf: &Arc<String>, part: &str) -> Text {
        if let Some(range) = span_in(buf, part) {
            if let (Ok(start), Ok(len)) = (u32::try_from(range.start), u32::try_from(range.len())) {
                if start.checked_add(len).is_some() {
                    return Text {
                        buf: Arc::clone(buf),
                        start,
                        len,
                    };
                }
            }
        }
        Text::new(part)
    }

    /// The text.
    #[inline]
    pub fn as_str(&self) -> &str {
        let start = self.start as usize;
        self.buf
            .get(start..start + self.len as usize)
            .or_else(|| self.buf.get(start..))
            .unwrap_or_default()
    }
}

impl Default for Text {
    fn default() -> Text {
        Text::new(String::new())
    }
}

impl Deref for Text {
    type Target = str;
    #[inline]
    fn deref(&self) -> &str {
        self.as_str()
    }
}

impl AsRef<str> for Text {
    #[inline]
    fn as_ref(&self) -> &str {
        self.as_str()
    }
}

impl std::borrow::Borrow<str> for Text {
    #[inline]
    fn borrow(&self) -> &str {
        self.as_str()
    }
}

impl fmt::Debug for Text {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self.as_str(), f)
    }
}

impl fmt::Display for Text {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl PartialEq for Text {
    fn eq(&self, other: &Text) -> bool {
        self.as_str() == other.as_str()
    }
}

impl Eq for Text {}

impl PartialEq<str> for Text {
    fn eq(&self, other: &str) -> bool {
        self.as_str() == other
    }
}

impl PartialEq<&str> for Text {
    fn eq(&self, other: &&str) -> bool {
        self.as_str() == *other
    }
}

impl PartialEq<String> for Text {
    fn eq(&self, other: &String) -> bool {
        self.as_str() == other.as_str()
    }
}

impl PartialEq<Text> for str {
    fn eq(&self, other: &Text) -> bool {
        self == other.as_str()
    }
}

impl PartialEq<Text> for &str {
    fn eq(&self, other: &Text) -> bool {
        *self == other.as_str()
    }
}

impl PartialEq<Text> for String {
    fn eq(&self, other: &Text) -> bool {
        self.as_str() == other.as_str()
    }
}

impl PartialOrd for Text {
    fn partial_cmp(&self, other: &Text) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Text {
    fn cmp(&self, other: &Text) -> std::cmp::Ordering {
        self.as_str().cmp(other.as_str())
    }
}

impl std::hash::Hash for Text {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.as_str().hash(state)
    }
}

impl From<&str> for Text {
    fn from(s: &str) -> Text {
        Text::new(s)
    }
}

impl From<String> for Text {
    fn from(s: String) -> Text {
        Text::new(s)
    }
}

impl From<&String> for Text {
    fn from(s: &String) -> Text {
        Text::new(s.as_str())
    }
}

impl From<Text> for String {
    fn from(t: Text) -> String {
        t.as_str().to_owned()
    }
}

impl Serialize for Text {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for Text {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Text, D::Error> {
        Ok(Text::from(
            Borrowed::deserialize(deserializer)?.0.into_owned(),
        ))
    }
}
