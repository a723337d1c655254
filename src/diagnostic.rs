//! Source locations and caret diagnostics, shared by every stage.
//!
//! A [`Span`] is a byte range into a filter; [`render_diagnostic`] prints a
//! message, the filter, and a line of carets under the span, placed by
//! display width so that wide characters (CJK, emoji) keep the carets
//! aligned:
//!
//! ```
//! use catalog_filter::syntax::{Span, render_diagnostic};
//!
//! let input = "eq(name,\"日本語\"):eqq(sku,x)";
//! let at = input.find("eqq").unwrap();
//! assert_eq!(
//!     render_diagnostic(input, Span::new(at, at + 3), "unknown operator `eqq`"),
//!     "error: unknown operator `eqq`\n  eq(name,\"日本語\"):eqq(sku,x)\n                    ^^^\n"
//! );
//! ```

use std::fmt;
use unicode_width::UnicodeWidthChar;

/// A half-open range of byte offsets `start..end` into the filter text.
///
/// Spans index the original input, so `&input[span.range()]` is the text an
/// AST node or an error refers to (for an error at the end of input the span
/// is empty and equals `len..len`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Span {
    /// Offset of the first byte.
    pub start: usize,
    /// Offset one past the last byte.
    pub end: usize,
}

impl Span {
    /// Creates the span `start..end`.
    pub const fn new(start: usize, end: usize) -> Span {
        Span { start, end }
    }

    /// The span as a `Range`, for slicing the input.
    pub const fn range(self) -> std::ops::Range<usize> {
        self.start..self.end
    }

    /// Number of bytes covered.
    pub const fn len(self) -> usize {
        self.end.saturating_sub(self.start)
    }

    /// True when the span covers no bytes (a position, such as end of input).
    pub const fn is_empty(self) -> bool {
        self.end <= self.start
    }
}

impl From<std::ops::Range<usize>> for Span {
    fn from(r: std::ops::Range<usize>) -> Span {
        Span::new(r.start, r.end)
    }
}

impl fmt::Display for Span {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}..{}", self.start, self.end)
    }
}

/// Renders `message` with `input` and a caret line under `span`. Shared by
/// every error type of the crate that carries a span.
///
/// Control characters are shown as `\u{..}` escapes; every character
/// advances the caret line by its display width (two columns for CJK, zero
/// for combining marks), so the carets sit under the span as a terminal
/// shows it. An empty span gets one caret.
pub fn render_diagnostic(input: &str, span: Span, message: &str) -> String {
    let mut line = String::with_capacity(input.len() + 8);
    let mut before = 0usize; // display columns before the span
    let mut under = 0usize; // display columns covered by the span
    for (i, c) in input.char_indices() {
        let width = if c.is_control() {
            let shown = format!("\\u{{{:x}}}", c as u32);
            line.push_str(&shown);
            shown.len()
        } else {
            line.push(c);
            c.width().unwrap_or(0)
        };
        if i < span.start {
            before += width;
        } else if i < span.end {
            under += width;
        }
    }
    let carets = "^".repeat(under.max(1));
    format!(
        "error: {message}\n  {line}\n  {pad}{carets}\n",
        pad = " ".repeat(before)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn span_length_and_emptiness() {
        assert_eq!(Span::new(3, 7).len(), 4);
        assert!(!Span::new(3, 4).is_empty());
        // A position (error at end of input) is empty; so is a reversed span.
        assert!(Span::new(5, 5).is_empty());
        assert!(Span::new(6, 5).is_empty());
        assert_eq!(Span::new(6, 5).len(), 0);
        assert_eq!(Span::from(2..9), Span::new(2, 9));
        assert_eq!(Span::new(2, 9).range(), 2..9);
        assert_eq!(Span::new(2, 9).to_string(), "2..9");
    }
}
