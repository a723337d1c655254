//! The loader family, written once: every snapshot type (a catalog, a
//! store) is read from text, bytes or a part of a larger document through
//! these functions, under the size rule of [`check_snapshot_size`].

use super::check::check_text;
use super::document::{DocumentError, check_snapshot_size, snapshot_document};
use crate::limits::Limits;
use std::ops::Range;
use std::sync::Arc;

/// A snapshot type that the loader family reads.
pub(crate) trait Loadable: Sized {
    /// Why loading failed; a document refused by the size rule or the UTF-8
    /// check converts into it.
    type Error: From<DocumentError>;

    /// Reads and checks the snapshot that is the part `range` of
    /// `document` (whose size the caller has checked), sharing the
    /// document.
    fn read(
        document: Arc<String>,
        range: Range<usize>,
        limits: &Limits,
    ) -> Result<Self, Self::Error>;
}

/// Loads the snapshot that is the part `range` of `document`: refused
/// before anything is parsed when it is over
/// [`Limits::max_snapshot_bytes`]; refused when [`check_text`] finds a
/// member given twice or a lone surrogate escape (its line and column in
/// the whole `document`); else [`Loadable::read`].
pub(crate) fn load<T: Loadable>(
    document: Arc<String>,
    range: Range<usize>,
    limits: &Limits,
) -> Result<T, T::Error> {
    check_snapshot_size(range.len(), limits)?;
    check_text(&document, range.clone()).map_err(DocumentError::Text)?;
    T::read(document, range, limits)
}

/// Loads a snapshot from its text, taking it (no copy), under the default
/// limits.
pub(crate) fn load_string<T: Loadable>(json: String) -> Result<T, T::Error> {
    let len = json.len();
    load(Arc::new(json), 0..len, &Limits::default())
}

/// Loads a snapshot from its text, copied once (the snapshot keeps the
/// text it writes back).
pub(crate) fn load_str<T: Loadable>(json: &str) -> Result<T, T::Error> {
    load_string(json.to_owned())
}

/// Loads a snapshot from its bytes, taking them (no copy): the size rule
/// first, then the UTF-8 check.
pub(crate) fn load_vec<T: Loadable>(json: Vec<u8>) -> Result<T, T::Error> {
    let (len, limits) = (json.len(), Limits::default());
    let document = snapshot_document(json, &limits)?;
    load(document, 0..len, &limits)
}

/// Loads a snapshot from borrowed bytes, refused by the size rule before
/// they are copied.
pub(crate) fn load_slice<T: Loadable>(json: &[u8]) -> Result<T, T::Error> {
    check_snapshot_size(json.len(), &Limits::default())?;
    load_vec(json.to_vec())
}
