//! The rules every JSON document of both vendors follows beyond its syntax,
//! stated once: a member given twice in one object is an error, and so is a
//! lone surrogate escape (`"\ud800"`: no Unicode text), wherever it stands
//! (a known or unknown member, a key, a value kept as written). Each error
//! gives its line and column in the whole document, not in the part read.

use super::position::line_column;
use std::borrow::Cow;
use std::collections::HashSet;
use std::fmt;
use std::ops::Range;

/// Objects up to this many members are checked for repeats by a linear
/// scan; larger ones by a set.
const SMALL_OBJECT: usize = 64;

/// A rule of [`check_text`] broken, with its place in the whole document.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct TextError {
    /// What is wrong.
    pub(crate) kind: TextErrorKind,
    /// The 1-based line in the whole document.
    pub(crate) line: usize,
    /// The 1-based column (in bytes, as serde_json counts).
    pub(crate) column: usize,
}

/// What [`check_text`] found.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum TextErrorKind {
    /// A member name given twice in one object (decoded).
    DuplicateMember(String),
    /// A `\uXXXX` escape of a surrogate without its pair (as written).
    LoneSurrogate(String),
}

impl fmt::Display for TextError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.kind {
            TextErrorKind::DuplicateMember(name) => write!(f, "member `{name}` given twice")?,
            TextErrorKind::LoneSurrogate(escape) => {
                write!(f, "lone surrogate `{escape}` (not Unicode text)")?;
            }
        }
        write!(f, " at line {} column {}", self.line, self.column)
    }
}

impl TextError {
    /// The error as serde_json's (its message holds the position), for
    /// loaders whose JSON errors are serde_json's.
    pub(crate) fn into_serde(self) -> serde_json::Error {
        <serde_json::Error as serde::de::Error>::custom(self)
    }
}

/// One open object: where its member names start in the shared list, and
/// the set of them once it is large.
struct Open {
    first: usize,
    set: Option<HashSet<String>>,
}

/// Checks the JSON text `whole[range]` for a member given twice in one
/// object and for lone surrogate escapes; the first found, in document
/// order, is the error. Text that is not JSON is left to the parser: the
/// scan stops where it stops making sense, without an error. One pass over
/// the bytes (a string is a member name when a `:` follows it); no
/// recursion, so nesting depth costs no stack.
pub(crate) fn check_text(whole: &str, range: Range<usize>) -> Result<(), TextError> {
    // Only the range is read: its end is the end of these bytes.
    let bytes = whole.as_bytes();
    let bytes = bytes.get(..range.end).unwrap_or(bytes);
    let mut i = range.start;
    // The open objects, innermost last, and the names of their members.
    let mut open: Vec<Open> = Vec::new();
    let mut names: Vec<Cow<'_, str>> = Vec::new();
    // The last string read: its opening and closing quotes, and whether it
    // has escapes.
    let mut last: Option<(usize, usize, bool)> = None;
    while let Some(&b) = bytes.get(i) {
        match b {
            b'"' => {
                let Some((close, escaped)) = string_end(bytes, i + 1, whole)? else {
                    return Ok(());
                };
                last = Some((i, close, escaped));
                i = close;
            }
            b':' => {
                if let (Some((start, close, escaped)), Some(object)) =
                    (last.take(), open.last_mut())
                {
                    let name = name(whole, start, close, escaped);
                    let first = object.first;
                    let repeated = match &mut object.set {
                        Some(set) => !set.insert(name.to_string()),
                        None => names.get(first..).unwrap_or_default().contains(&name),
                    };
                    if repeated {
                        let kind = TextErrorKind::DuplicateMember(name.into_owned());
                        return Err(at(whole, start, kind));
                    }
                    names.push(name);
                    if object.set.is_none() && names.len() - first > SMALL_OBJECT {
                        let all = names.get(first..).unwrap_or_default();
                        object.set = Some(all.iter().map(|n| n.to_string()).collect());
                    }
                }
            }
            b'{' => open.push(Open {
                first: names.len(),
                set: None,
            }),
            b'}' => {
                if let Some(object) = open.pop() {
                    names.truncate(object.first);
                }
            }
            _ => {}
        }
        i += 1;
    }
    Ok(())
}

/// The member name that is the string `whole[start..=close]`, decoded when
/// it has escapes.
fn name(whole: &str, start: usize, close: usize, escaped: bool) -> Cow<'_, str> {
    let inner = whole.get(start + 1..close).unwrap_or_default();
    if !escaped {
        return Cow::Borrowed(inner);
    }
    let decoded = whole
        .get(start..=close)
        .and_then(|raw| serde_json::from_str::<String>(raw).ok());
    Cow::Owned(decoded.unwrap_or_else(|| inner.to_owned()))
}

/// The index of the closing quote of the string whose text starts at
/// `from` and whether the string has escapes, `None` when there is no
/// closing quote in `bytes`; a lone surrogate escape inside is the error.
fn string_end(
    bytes: &[u8],
    mut from: usize,
    whole: &str,
) -> Result<Option<(usize, bool)>, TextError> {
    let mut escaped = false;
    loop {
        // Strings are short: a plain loop beats a vectorised search
        // started per string (measured).
        let mut at_byte = from;
        loop {
            match bytes.get(at_byte) {
                None => return Ok(None),
                Some(b'"' | b'\\') => break,
                Some(_) => at_byte += 1,
            }
        }
        if bytes.get(at_byte) == Some(&b'"') {
            return Ok(Some((at_byte, escaped)));
        }
        escaped = true;
        // A backslash: `\uXXXX` may be a surrogate; any other escape is
        // two bytes.
        if bytes.get(at_byte + 1) == Some(&b'u') {
            if let Some(unit) = hex4(bytes, at_byte + 2) {
                if (0xDC00..=0xDFFF).contains(&unit) {
                    return Err(lone(whole, at_byte));
                }
                if (0xD800..=0xDBFF).contains(&unit) {
                    let low = (bytes.get(at_byte + 6..at_byte + 8) == Some(b"\\u"))
                        .then(|| hex4(bytes, at_byte + 8))
                        .flatten();
                    if !low.is_some_and(|u| (0xDC00..=0xDFFF).contains(&u)) {
                        return Err(lone(whole, at_byte));
                    }
                    from = at_byte + 12;
                    continue;
                }
            }
            from = at_byte + 6;
        } else {
            from = at_byte + 2;
        }
    }
}

/// The four hex digits at `at` as a number.
fn hex4(bytes: &[u8], at: usize) -> Option<u32> {
    let digits = std::str::from_utf8(bytes.get(at..at + 4)?).ok()?;
    u32::from_str_radix(digits, 16).ok()
}

fn lone(whole: &str, at_byte: usize) -> TextError {
    let escape = whole.get(at_byte..at_byte + 6).unwrap_or("\\u").to_owned();
    at(whole, at_byte, TextErrorKind::LoneSurrogate(escape))
}

/// The error `kind` at byte `offset` of `whole`, with its line and column.
fn at(whole: &str, offset: usize, kind: TextErrorKind) -> TextError {
    let (line, column) = line_column(whole, offset);
    TextError { kind, line, column }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(text: &str) -> Result<(), String> {
        check_text(text, 0..text.len()).map_err(|e| e.to_string())
    }

    #[test]
    fn members_given_twice_anywhere() {
        assert_eq!(check(r#"{"a":1,"b":{"a":2},"c":[{"a":3}]}"#), Ok(()));
        assert_eq!(
            check("{\"a\":1,\n \"a\":2}"),
            Err("member `a` given twice at line 2 column 2".into())
        );
        // Deep inside a value kept as written, and spelled with an escape.
        assert_eq!(
            check(r#"{"x":[1,{"k":{"y":1,"\u0079":2}}]}"#),
            Err("member `y` given twice at line 1 column 21".into())
        );
        // Large objects too (the set).
        let many: Vec<String> = (0..80).map(|i| format!("\"k{i}\":{i}")).collect();
        let text = format!("{{{},\"k7\":0}}", many.join(","));
        assert!(
            check(&text)
                .unwrap_err()
                .starts_with("member `k7` given twice")
        );
        // A closed object's names do not count in the next.
        assert_eq!(check(r#"[{"a":1},{"a":1}]"#), Ok(()));
        // String values are not names.
        assert_eq!(check(r#"{"a":"a","b":"a"}"#), Ok(()));
    }

    #[test]
    fn lone_surrogates_anywhere() {
        assert_eq!(check(r#"["\ud83d\ude00","\u00e9"]"#), Ok(()));
        assert_eq!(
            check(r#"{"a":"x\ud800"}"#),
            Err(r"lone surrogate `\ud800` (not Unicode text) at line 1 column 8".into())
        );
        assert_eq!(
            check(r#"{"\uDC00":1}"#),
            Err(r"lone surrogate `\uDC00` (not Unicode text) at line 1 column 3".into())
        );
        assert_eq!(
            check(r#"["\ud800\u0041"]"#),
            Err(r"lone surrogate `\ud800` (not Unicode text) at line 1 column 3".into())
        );
        // An escaped backslash before `u` is no escape.
        assert_eq!(check(r#"["\\ud800"]"#), Ok(()));
    }

    #[test]
    fn positions_are_in_the_whole_document() {
        let whole = "{\"catalog\":\n  {\"a\":1,\"a\":2}}";
        let start = whole.find("{\"a\"").unwrap_or(0);
        let err = check_text(whole, start..whole.len() - 1).unwrap_err();
        assert_eq!((err.line, err.column), (2, 10));
    }

    #[test]
    fn text_that_is_not_json_is_left_to_the_parser() {
        for text in ["{\"a", "{\"a\\", "[\"\\u12", "}}]]", ""] {
            assert_eq!(check(text), Ok(()), "{text}");
        }
    }
}
