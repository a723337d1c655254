//! The size rule for snapshot documents, and reading a document under it.

use crate::limits::Limits;
use std::io::{self, Read};
use std::sync::Arc;

/// Why a snapshot document was refused before it was parsed. Every
/// vendor's loader reads its document through [`snapshot_document`] /
/// [`check_snapshot_size`], and turns this into its own error type.
#[derive(Debug)]
pub(crate) enum DocumentError {
    /// Over [`Limits::max_snapshot_bytes`](crate::limits::Limits::max_snapshot_bytes).
    TooLarge {
        /// The document's size.
        bytes: usize,
        /// The limit.
        limit: usize,
    },
    /// Not UTF-8.
    NotUtf8(std::string::FromUtf8Error),
}

/// The size rule for snapshots: a document over
/// [`Limits::max_snapshot_bytes`](crate::limits::Limits::max_snapshot_bytes) is
/// refused before anything is parsed (or copied).
pub(crate) fn check_snapshot_size(bytes: usize, limits: &Limits) -> Result<(), DocumentError> {
    if bytes > limits.max_snapshot_bytes {
        return Err(DocumentError::TooLarge {
            bytes,
            limit: limits.max_snapshot_bytes,
        });
    }
    Ok(())
}

/// A document read from a stream by [`read_document`]: whole, or cut off
/// just past [`Limits::max_snapshot_bytes`](crate::limits::Limits::max_snapshot_bytes).
///
/// The `--json` modes ([`elasticpath::json_mode::answer_document`],
/// [`ecwid::json_mode::answer_document`]) answer either with one line; a
/// document cut off is their 400 for an input over the limit.
///
/// [`elasticpath::json_mode::answer_document`]: crate::elasticpath::json_mode::answer_document
/// [`ecwid::json_mode::answer_document`]: crate::ecwid::json_mode::answer_document
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Document {
    /// Everything the stream held (at most `max_snapshot_bytes` bytes when
    /// read by [`read_document`]).
    Whole(Vec<u8>),
    /// The stream held more than `max_snapshot_bytes` bytes: reading
    /// stopped after one byte more, so the size is not known.
    TooLarge,
}

impl Document {
    /// The size rule of [`check_snapshot_size`] on a document: its bytes,
    /// or the refusal, with the size when it is known (`None` for
    /// [`Document::TooLarge`]).
    pub(crate) fn within(self, limits: &Limits) -> Result<Vec<u8>, Option<usize>> {
        match self {
            Document::Whole(bytes) => match check_snapshot_size(bytes.len(), limits) {
                Ok(()) => Ok(bytes),
                Err(_) => Err(Some(bytes.len())),
            },
            Document::TooLarge => Err(None),
        }
    }
}

/// Reads a document from `reader` under the size rule: at most
/// [`Limits::max_snapshot_bytes`](crate::limits::Limits::max_snapshot_bytes) + 1
/// bytes are read, so memory stays bounded by the limit and an endless
/// stream is answered as soon as it passes the limit.
///
/// ```
/// use catalog_filter::Limits;
/// use catalog_filter::catalog::{Document, read_document};
///
/// let limits = Limits { max_snapshot_bytes: 4, ..Limits::DEFAULT };
/// assert_eq!(read_document(&b"1234"[..], &limits).unwrap(), Document::Whole(b"1234".to_vec()));
/// assert_eq!(read_document(&b"12345"[..], &limits).unwrap(), Document::TooLarge);
/// // An endless stream is refused after 5 bytes.
/// assert_eq!(read_document(std::io::repeat(b' '), &limits).unwrap(), Document::TooLarge);
/// ```
///
/// # Errors
///
/// The reader's error, when reading fails.
pub fn read_document(reader: impl Read, limits: &Limits) -> io::Result<Document> {
    let limit = limits.max_snapshot_bytes;
    let most = u64::try_from(limit).unwrap_or(u64::MAX).saturating_add(1);
    let mut bytes = Vec::new();
    reader.take(most).read_to_end(&mut bytes)?;
    Ok(if bytes.len() > limit {
        Document::TooLarge
    } else {
        Document::Whole(bytes)
    })
}

/// A snapshot document from its bytes, without copying them: the size rule
/// first, then the UTF-8 check.
pub(crate) fn snapshot_document(
    json: Vec<u8>,
    limits: &Limits,
) -> Result<Arc<String>, DocumentError> {
    check_snapshot_size(json.len(), limits)?;
    String::from_utf8(json)
        .map(Arc::new)
        .map_err(DocumentError::NotUtf8)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn read_document_reads_one_byte_past_the_limit_at_most() {
        let limits = Limits {
            max_snapshot_bytes: 4,
            ..Limits::default()
        };
        let mut reader = &b"1234567"[..];
        assert_eq!(
            read_document(&mut reader, &limits).unwrap(),
            Document::TooLarge
        );
        assert_eq!(reader, b"67", "the rest is left unread");
        assert_eq!(
            read_document(&b""[..], &limits).unwrap(),
            Document::Whole(Vec::new())
        );
        // The size rule on either kind of document.
        assert_eq!(
            Document::Whole(b"1234".to_vec()).within(&limits),
            Ok(b"1234".to_vec())
        );
        assert_eq!(
            Document::Whole(b"12345".to_vec()).within(&limits),
            Err(Some(5))
        );
        assert_eq!(Document::TooLarge.within(&limits), Err(None));
        // No limit: everything is read.
        let unlimited = Limits {
            max_snapshot_bytes: usize::MAX,
            ..Limits::default()
        };
        assert_eq!(
            read_document(&b"1234567"[..], &unlimited).unwrap(),
            Document::Whole(b"1234567".to_vec())
        );
        // A failing reader is its error.
        struct Failing;
        impl Read for Failing {
            fn read(&mut self, _: &mut [u8]) -> io::Result<usize> {
                Err(io::Error::other("broken"))
            }
        }
        assert_eq!(
            read_document(Failing, &limits).unwrap_err().to_string(),
            "broken"
        );
    }

    #[test]
    fn snapshot_documents_follow_one_size_rule_then_utf8() {
        let limits = Limits {
            max_snapshot_bytes: 4,
            ..Limits::default()
        };
        assert!(check_snapshot_size(4, &limits).is_ok());
        assert!(matches!(
            check_snapshot_size(5, &limits),
            Err(DocumentError::TooLarge { bytes: 5, limit: 4 })
        ));
        // Too large is found before the bytes are looked at.
        assert!(matches!(
            snapshot_document(vec![0xff; 5], &limits),
            Err(DocumentError::TooLarge { bytes: 5, limit: 4 })
        ));
        assert!(matches!(
            snapshot_document(vec![b'{', 0xff, b'}'], &limits),
            Err(DocumentError::NotUtf8(_))
        ));
        let doc = snapshot_document(b"{}".to_vec(), &limits).map(|d| d.as_str().to_owned());
        assert_eq!(doc.ok().as_deref(), Some("{}"));
    }
}
