//! Writing a document back: copied as read, with the changed values
//! spliced in, optionally without whitespace outside strings.

use std::io::{self, Write};
use std::ops::Range;

/// The JSON list of `kept`, each element written as it is in the list
/// `raw` when `kept` is a subsequence of it (`same(element, id)` says
/// whether an element, as JSON text, is the id); otherwise (a list an
/// operation rebuilt, such as Ecwid's re-homed `[0]`) the list as serde
/// writes it. How a snapshot writes back a membership list it shortened.
pub(crate) fn kept_list<T: serde::Serialize>(
    raw: &str,
    kept: &[T],
    same: impl Fn(&str, &T) -> bool,
) -> Vec<u8> {
    let mut out = Vec::with_capacity(raw.len());
    out.push(b'[');
    let elements: Vec<&serde_json::value::RawValue> = serde_json::from_str(raw).unwrap_or_default();
    let mut want = kept.iter().peekable();
    for element in elements {
        let Some(next) = want.peek() else { break };
        if same(element.get(), next) {
            if out.len() > 1 {
                out.push(b',');
            }
            out.extend_from_slice(element.get().as_bytes());
            want.next();
        }
    }
    if want.peek().is_some() {
        return serde_json::to_vec(kept).unwrap_or_default();
    }
    out.push(b']');
    out
}

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

#[cfg(test)]
mod kept_list_tests {
    use super::kept_list;

    fn ids(raw: &str, kept: &[u64]) -> Vec<u8> {
        kept_list(raw, kept, |element, &id| {
            serde_json::from_str::<u64>(element).ok() == Some(id)
        })
    }

    #[test]
    fn kept_list_keeps_elements_as_written() {
        assert_eq!(ids("[ 3 , 5 ,2]", &[3, 2]), b"[3,2]");
        assert_eq!(ids("[7,\n 0 ]", &[0]), b"[0]");
        // Not a subsequence (a rebuilt list): as serde writes it.
        assert_eq!(ids("[20]", &[0]), b"[0]");
        assert_eq!(ids("[1,2]", &[2, 1]), b"[2,1]");
        // Strings keep their escapes.
        let texts = kept_list(r#"["a","\u0062",  "c"]"#, &["b", "c"], |e, &id| {
            serde_json::from_str::<String>(e).ok().as_deref() == Some(id)
        });
        assert_eq!(texts, br#"["\u0062","c"]"#);
    }
}
