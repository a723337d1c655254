//! The size rule for snapshot documents.

use crate::limits::Limits;
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
    /// A member given twice, or a lone surrogate escape
    /// ([`check_text`](super::check_text)).
    Text(super::TextError),
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
