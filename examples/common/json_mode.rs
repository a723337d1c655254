//! The `--json` line protocol that `detach --json` and `unassign --json`
//! share: one JSON document on stdin (read under the byte limit), one line
//! `{"status":S,"body":{...},"SNAPSHOT":{...}}` on stdout, where `body` is
//! exactly what the vendor's API would answer and `SNAPSHOT` (`catalog`,
//! `store`) the snapshot after the request, or the input's snapshot value
//! echoed compact (`null` when there is none) on an error.
//!
//! The programs' own parts are in `detach_json` and `unassign_json`; the
//! request readers, their limits and error answers are the library's.

use catalog_filter::Limits;
use catalog_filter::catalog::write_compact;
use serde::Serialize;
use std::io::{self, Read, Write};
use std::ops::Range;
use std::string::FromUtf8Error;

/// A document read from a stream by [`read_document`]: whole, or cut off
/// just past [`Limits::max_snapshot_bytes`]. The `--json` modes answer
/// either with one line; a document cut off is their 400 for an input over
/// the limit.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Document {
    /// Everything the stream held (at most `max_snapshot_bytes` bytes when
    /// read by [`read_document`]).
    Whole(Vec<u8>),
    /// The stream held more than `max_snapshot_bytes` bytes: reading
    /// stopped after one byte more, so the size is not known.
    TooLarge,
}

/// Reads a document from `reader` under the size rule: at most
/// [`Limits::max_snapshot_bytes`] + 1 bytes are read, so memory stays
/// bounded by the limit and an endless stream is answered as soon as it
/// passes the limit. Fails only when the reader does.
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

/// Why an input document is refused before it is parsed.
#[derive(Debug)]
pub enum Refusal {
    /// Over [`Limits::max_snapshot_bytes`]: its size (`None` when reading
    /// stopped past the limit) and the limit.
    TooLarge {
        /// The input's size, when known.
        bytes: Option<usize>,
        /// The limit.
        limit: usize,
    },
    /// Not UTF-8.
    NotUtf8(FromUtf8Error),
}

/// The input's text: the size rule first, then the UTF-8 check.
pub fn input_text(input: Document, limits: &Limits) -> Result<String, Refusal> {
    let limit = limits.max_snapshot_bytes;
    let bytes = match input {
        Document::Whole(bytes) if bytes.len() <= limit => bytes,
        Document::Whole(bytes) => {
            return Err(Refusal::TooLarge {
                bytes: Some(bytes.len()),
                limit,
            });
        }
        Document::TooLarge => return Err(Refusal::TooLarge { bytes: None, limit }),
    };
    String::from_utf8(bytes).map_err(Refusal::NotUtf8)
}

/// Writes one answer line (no newline): `{"status":STATUS,"body":BODY,"MEMBER":`,
/// then the snapshot by `snapshot`, then `}`.
pub fn write_line(
    out: &mut dyn Write,
    status: u16,
    body: &impl Serialize,
    member: &str,
    snapshot: impl FnOnce(&mut dyn Write) -> io::Result<()>,
) -> io::Result<()> {
    write!(out, "{{\"status\":{status},\"body\":")?;
    serde_json::to_writer(&mut *out, body).map_err(io::Error::other)?;
    write!(out, ",\"{member}\":")?;
    snapshot(out)?;
    out.write_all(b"}")
}

/// A snapshot member that echoes `text` as given (compact), or `null`.
pub fn echo(text: Option<&str>) -> impl FnOnce(&mut dyn Write) -> io::Result<()> + '_ {
    move |out| match text {
        Some(text) => write_compact(out, text),
        None => out.write_all(b"null"),
    }
}

/// An answer written into a string.
pub fn to_string(answer: impl FnOnce(&mut dyn Write) -> io::Result<()>) -> String {
    let mut out = Vec::new();
    // Writing to a Vec cannot fail.
    let _ = answer(&mut out);
    String::from_utf8(out).unwrap_or_default()
}

/// The byte range of `part` inside `whole` (`part` must be a subslice).
pub fn span_in(whole: &str, part: &str) -> Option<Range<usize>> {
    let start = (part.as_ptr() as usize).checked_sub(whole.as_ptr() as usize)?;
    let end = start.checked_add(part.len())?;
    (end <= whole.len()).then_some(start..end)
}
