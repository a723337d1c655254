//! Positions in the whole document: the line and column of a byte, and a
//! serde_json error raised while reading a part of a document (a snapshot
//! embedded in a request, a list read again from its own text) placed in
//! the whole document.

use serde::de;

/// The 1-based line and column (in bytes, as serde_json counts) of byte
/// `offset` of `text`.
pub(crate) fn line_column(text: &str, offset: usize) -> (usize, usize) {
    let before = text.as_bytes().get(..offset).unwrap_or_default();
    let line = 1 + memchr::memchr_iter(b'\n', before).count();
    let line_start = memchr::memrchr(b'\n', before).map_or(0, |n| n + 1);
    (line, offset - line_start + 1)
}

/// `e`'s message without its position.
fn message(e: &serde_json::Error) -> String {
    let text = e.to_string();
    if e.line() == 0 {
        return text;
    }
    let suffix = format!(" at line {} column {}", e.line(), e.column());
    text.strip_suffix(&suffix).unwrap_or(&text).to_owned()
}

/// `e`, raised while reading `whole[start..]`, with its position in
/// `whole` (an error without a position stays as it is).
pub(crate) fn relocate(e: serde_json::Error, whole: &str, start: usize) -> serde_json::Error {
    if e.line() == 0 || start == 0 {
        return e;
    }
    let (first_line, first_column) = line_column(whole, start);
    let line = first_line + e.line() - 1;
    let column = match e.line() {
        1 => first_column - 1 + e.column(),
        _ => e.column(),
    };
    <serde_json::Error as de::Error>::custom(format!(
        "{} at line {line} column {column}",
        message(&e)
    ))
}

/// An error found in a value read again from its own text (a list kept as
/// written), without its position there: the reader of the document gives
/// it the position where that value ends in the document.
pub(crate) fn unplaced<E: de::Error>(e: &serde_json::Error) -> E {
    E::custom(message(e))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn errors_of_a_part_are_placed_in_the_whole() {
        let whole = "{\"catalog\":\n  {\"products\":5}}";
        let start = whole.find("{\"products").unwrap_or(0);
        let part = whole.get(start..whole.len() - 1).unwrap_or_default();
        let e =
            serde_json::from_str::<std::collections::HashMap<String, Vec<u8>>>(part).unwrap_err();
        assert_eq!(
            e.to_string(),
            "invalid type: integer `5`, expected a sequence at line 1 column 13"
        );
        let moved = relocate(e, whole, start);
        assert_eq!(
            moved.to_string(),
            "invalid type: integer `5`, expected a sequence at line 2 column 15"
        );
        assert_eq!((moved.line(), moved.column()), (2, 15));
        assert_eq!(line_column("ab\ncd", 4), (2, 2));
        let inner = serde_json::from_str::<Vec<String>>("[\n5]").unwrap_err();
        let e: serde_json::Error = unplaced(&inner);
        assert_eq!(
            e.to_string(),
            "invalid type: integer `5`, expected a string"
        );
    }
}
