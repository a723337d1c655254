//! Writing a document back: copied as read, with the changed values
//! spliced in, optionally without whitespace outside strings.

use std::io::{self, Write};
use std::ops::Range;

/// The byte range of `part` inside `whole` (`part` must be a subslice).
pub(crate) fn span_in(whole: &str, part: &str) -> Option<Range<usize>> {
    let start = (part.as_ptr() as usize).checked_sub(whole.as_ptr() as usize)?;
    let end = start.checked_add(part.len())?;
    (end <= whole.len()).then_some(start..end)
}

/// Writes `text[range]` to `out`, with each `(span, replacement)` of
/// `edits` (sorted by span, non-overlapping, inside `range`) put in place of
/// its span. With `compact`, whitespace outside strings is left out, so a
/// compact input comes back byte for byte.
pub(crate) fn write_spliced(
    out: &mut dyn Write,
    text: &str,
    range: Range<usize>,
    edits: impl IntoIterator<Item = (Range<usize>, Vec<u8>)>,
    compact: bool,
) -> io::Result<()> {
    let bytes = text.as_bytes();
    let mut minify = Minify::default();
    let mut at = range.start;
    let copy = |out: &mut dyn Write, part: &[u8], minify: &mut Minify| {
        if compact {
            minify.write(out, part)
        } else {
            out.write_all(part)
        }
    };
    for (span, replacement) in edits {
        if span.start < at || span.end > range.end {
            continue;
        }
        copy(
            out,
            bytes.get(at..span.start).unwrap_or_default(),
            &mut minify,
        )?;
        out.write_all(&replacement)?;
        at = span.end;
    }
    copy(
        out,
        bytes.get(at..range.end).unwrap_or_default(),
        &mut minify,
    )
}

/// Writes the JSON `text` without whitespace outside strings (strings,
/// numbers and escapes as written): what [`Catalog::to_json`] and
/// [`Store::to_json`] do to the text they copy, for echoing a snapshot
/// value as given.
///
/// ```
/// let mut out = Vec::new();
/// catalog_filter::catalog::write_compact(&mut out, r#"{ "a" : [1e2, " x "] }"#).unwrap();
/// assert_eq!(out, br#"{"a":[1e2," x "]}"#);
/// ```
///
/// # Errors
///
/// `out`'s error, when writing fails.
///
/// [`Catalog::to_json`]: crate::catalog::Catalog::to_json
/// [`Store::to_json`]: crate::ecwid::Store::to_json
pub fn write_compact(out: &mut dyn Write, text: &str) -> io::Result<()> {
    Minify::default().write(out, text.as_bytes())
}

/// Drops JSON whitespace outside strings, across calls.
#[derive(Default)]
struct Minify {
    in_string: bool,
    escaped: bool,
}

impl Minify {
    fn write(&mut self, out: &mut dyn Write, part: &[u8]) -> io::Result<()> {
        let mut run = 0;
        let mut i = 0;
        while let Some(rest) = part.get(i..).filter(|r| !r.is_empty()) {
            if self.in_string {
                if self.escaped {
                    self.escaped = false;
                    i += 1;
                    continue;
                }
                // Inside a string only `"` and `\` matter: skip to the next.
                match memchr::memchr2(b'"', b'\\', rest) {
                    None => i = part.len(),
                    Some(k) => {
                        if rest.get(k) == Some(&b'\\') {
                            self.escaped = true;
                        } else {
                            self.in_string = false;
                        }
                        i += k + 1;
                    }
                }
            } else {
                match rest.first() {
                    Some(b'"') => self.in_string = true,
                    Some(b' ' | b'\n' | b'\r' | b'\t') => {
                        out.write_all(part.get(run..i).unwrap_or_default())?;
                        run = i + 1;
                    }
                    _ => {}
                }
                i += 1;
            }
        }
        out.write_all(part.get(run..).unwrap_or_default())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splice_and_minify() {
        let text = r#"{ "a" : [1, 2] , "s": " x " }"#;
        let mut out = Vec::new();
        write_spliced(
            &mut out,
            text,
            0..text.len(),
            [(8..14, b"[2]".to_vec())],
            true,
        )
        .unwrap();
        assert_eq!(String::from_utf8(out).unwrap(), r#"{"a":[2],"s":" x "}"#);
    }
}
