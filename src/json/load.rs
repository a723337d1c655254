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

/// The public loader and writer methods of a snapshot type, written once
/// for both (a catalog, a store): `from_json`, `from_slice`, `from_vec`,
/// `from_string` and `load` through this module's functions, and
/// `to_json`, `write_json` and `write_json_as_read` through the type's
/// `doc` (its [`Source`](super::Source)) and its `kept_list` (product
/// `i`'s changed list as it is now, written from the list as read).
///
/// `$what` names the type in prose ("catalog", "store"), `$list` the
/// member an operation changes, `$read` adds to `from_json`'s docs and
/// `$load` to `load`'s.
macro_rules! snapshot_methods {
    ($ty:ident, $err:ident, $what:literal, $list:literal, $read:literal, $load:literal) => {
        impl $ty {
            #[doc = concat!("Reads a snapshot from JSON text and checks it.", $read, " Copies `json` once (the ", $what, " keeps the text it writes back); [`", stringify!($ty), "::from_string`] takes it instead.")]
            pub fn from_json(json: &str) -> Result<$ty, $err> {
                $crate::json::load_str(json)
            }

            #[doc = concat!("Like [`", stringify!($ty), "::from_json`], from bytes.")]
            pub fn from_slice(json: &[u8]) -> Result<$ty, $err> {
                $crate::json::load_slice(json)
            }

            #[doc = concat!("Like [`", stringify!($ty), "::from_json`], taking the bytes (no copy).")]
            pub fn from_vec(json: Vec<u8>) -> Result<$ty, $err> {
                $crate::json::load_vec(json)
            }

            #[doc = concat!("Like [`", stringify!($ty), "::from_json`], taking the text (no copy).")]
            pub fn from_string(json: String) -> Result<$ty, $err> {
                $crate::json::load_string(json)
            }

            #[doc = concat!("Loads the snapshot that is the part `range` of `document` (for a snapshot embedded in a larger document, such as a request), sharing the document without copying it. A snapshot over [`Limits::max_snapshot_bytes`](crate::Limits::max_snapshot_bytes) is refused before anything is parsed", $load, ".")]
            pub fn load(
                document: std::sync::Arc<String>,
                range: std::ops::Range<usize>,
                limits: &$crate::limits::Limits,
            ) -> Result<$ty, $err> {
                $crate::json::load(document, range, limits)
            }

            #[doc = concat!("The snapshot as compact JSON text: the text it was read from with the changed `", $list, "` lists spliced in, whitespace outside strings left out (so a compact input comes back byte for byte).")]
            pub fn to_json(&self) -> String {
                self.doc.to_json(|i, raw| self.kept_list(i, raw))
            }

            #[doc = concat!("Writes [`", stringify!($ty), "::to_json`] to `out`, without building it in memory.")]
            pub fn write_json(&self, out: &mut dyn std::io::Write) -> std::io::Result<()> {
                self.doc
                    .write(out, true, |i, raw| self.kept_list(i, raw))
            }

            #[doc = concat!("Writes the snapshot exactly as read (whitespace included), with the changed `", $list, "` lists spliced in.")]
            pub fn write_json_as_read(&self, out: &mut dyn std::io::Write) -> std::io::Result<()> {
                self.doc
                    .write(out, false, |i, raw| self.kept_list(i, raw))
            }
        }
    };
}
pub(crate) use snapshot_methods;
