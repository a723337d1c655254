//! The grammar of the filter language, written with nom over the input's
//! bytes.
//!
//! ```text
//! filter     = *SP alt *SP
//! alt        = conj *( *SP "|" *SP conj )                 ; "|" is OR, also at the top
//! conj       = term *( *SP ":" *SP term )                 ; ":" is AND, binds tighter
//! term       = condition / group
//! group      = "(" *SP alt *SP ")"
//! condition  = op *SP "(" operand *( "," operand ) ")"
//! op         = "eq" / "like" / "ilike" / "in" / "gt" / "ge" / "lt" / "le"
//!            / "contains" / "contains_any" / "contains_all" / "text" / "is_null"
//! operand    = *SP ( quoted *SP / bare )                   ; leading spaces dropped
//! bare       = 1*( ALPHA / DIGIT / SP / "@" / "$" / "_" / "*" / "." / "{" / "}"
//!                  / "|" / "+" / ":" / "/" / "-" )
//! quoted     = DQUOTE *( not-DQUOTE-or-backslash / "\" DQUOTE / "\\" ) DQUOTE
//!            / "'"    *( not-'-or-backslash      / "\'"    / "\\" ) "'"
//! ```
//!
//! Decisions beyond the grammar:
//!
//! - A `:` or `|` separates terms only after a condition's or a group's
//!   `)`: inside a bare value both are ordinary characters, so timestamps
//!   need no quoting.
//! - An OR may stand at the top level without parentheses, as the vendor's
//!   Go library writes it (`eq(a,1)|eq(b,2)`); it spans the whole
//!   alternation. A `|` with nothing on one side is an empty alternative.
//! - A bare operand keeps its inner and trailing spaces (`eq(name,a b )` has
//!   the value `"a b "`), except the attribute: attribute paths cannot hold
//!   spaces, so spaces after a bare attribute are dropped, which makes
//!   `eq( name , x)` mean `eq(name,x)`.
//! - The first operand must be an attribute path (`name *( "." name )`, name =
//!   ASCII letters, digits, `_`, `-`), quoted or not.
//! - Control characters are refused anywhere, even quoted.
//! - The tree is normalised as it is built (see [`crate::syntax::ast`]).
//!
//! The parser never recurses: groups are kept on an explicit stack whose
//! depth is checked against [`Limits::max_depth`] before a group is opened.
//! It never backtracks more than one token, so it runs in time linear in the
//! input: a 1 MB filter parses (or fails) in a few milliseconds. Scanning is
//! by bytes through lookup tables, and operands borrow from the input
//! (only a decoded escape allocates). Limits on filter size belong to
//! [`crate::Limits`], checked by [`crate::validate`].

use super::ast::{Attribute, Condition, Expr, Filter, Group, Op, Span, Value, ValueList};
use super::error::{Expected, ParseError, ParseErrorKind};
use crate::limits::Limits;
use nom::IResult;
use nom::bytes::complete::take_while;
use std::borrow::Cow;

/// Parses a filter into its [`Filter`] tree, with the default group depth
/// limit ([`Limits::DEFAULT`]).
///
/// Errors carry the exact byte span of the problem; see [`ParseErrorKind`]
/// for the kinds. Never panics, whatever the input.
///
/// ```
/// use catalog_filter::syntax::{parse, Expr, Op};
///
/// let filter = parse("eq(sku,book):like(name,'*Food \\'n*')").unwrap();
/// let conditions: Vec<_> = filter.conditions().collect();
/// assert_eq!(conditions[1].op, Op::Like);
/// assert_eq!(conditions[1].values[0].text, "*Food 'n*");
/// assert_eq!(filter.to_string(), r#"eq(sku,book):like(name,"*Food 'n*")"#);
///
/// // `:` binds tighter than `|`; a top-level OR prints without parentheses.
/// let filter = parse("( eq(sku,a) : eq(status,live) | eq(sku,b) )").unwrap();
/// assert!(matches!(filter.expr, Expr::Or(_)));
/// assert_eq!(filter.to_string(), "eq(sku,a):eq(status,live)|eq(sku,b)");
/// let filter = parse("eq(status,live) : (eq(sku,a) | eq(sku,b))").unwrap();
/// assert_eq!(filter.to_string(), "eq(status,live):(eq(sku,a)|eq(sku,b))");
/// ```
pub fn parse(input: &str) -> Result<Filter<'_>, ParseError> {
    parse_with(input, &Limits::DEFAULT)
}

/// Parses a filter with the group depth limit of `limits`
/// ([`Limits::max_depth`], at most 64); the other limits are validation's.
pub fn parse_with<'a>(input: &'a str, limits: &Limits) -> Result<Filter<'a>, ParseError> {
    let p = Grammar {
        src: input,
        max_depth: limits.depth(),
    };
    match p.filter(input.as_bytes()) {
        Ok((_, filter)) => Ok(filter),
        Err(nom::Err::Error(e) | nom::Err::Failure(e)) => Err(p.to_error(e)),
        // Only streaming parsers report Incomplete; all parsers here are complete.
        Err(nom::Err::Incomplete(_)) => Err(ParseError::new(
            ParseErrorKind::UnexpectedEnd {
                expected: Expected::Term,
            },
            Span::new(input.len(), input.len()),
        )),
    }
}

/// Reads `input` as a plain conjunction, `*SP condition *( *SP ":" *SP
/// condition ) *SP` (no groups), handing each condition to `each` as soon
/// as it is read; `each` returns `false` to stop.
///
/// Returns the span of the filter (without surrounding spaces) when the
/// whole input was read and `each` never stopped, and `None` otherwise:
/// for every input that is not such a conjunction, including every input
/// that does not parse. On the inputs it reads, the conditions are exactly
/// those of [`parse_with`]'s tree, in order, with the same spans, and the
/// span is the tree's; on the others the caller parses with [`parse_with`]
/// for the tree or the exact error. This is the first half of the fused
/// compile (`crate::validate`), which so builds no tree for the common
/// filter.
pub(crate) fn each_condition<'a>(
    input: &'a str,
    mut each: impl FnMut(&Condition<'a>) -> bool,
) -> Option<Span> {
    let p = Grammar {
        src: input,
        max_depth: 0,
    };
    let mut i = spaces(input.as_bytes());
    let start = p.pos(i);
    loop {
        match i.first() {
            Some(&b) if OP[usize::from(b)] => {}
            _ => return None,
        }
        let (rest, (go, end)) = p.condition(i, |c| (each(&c), c.span.end)).ok()?;
        if !go {
            return None;
        }
        i = spaces(rest);
        match i.first() {
            Some(b':') => i = spaces(skip1(i)),
            None => return Some(Span::new(start, end)),
            Some(_) => return None,
        }
    }
}

/// The internal error: a kind and a span given as "bytes left in the input
/// at the start of the span" plus a length, because nom parsers only see the
/// remaining input. [`Grammar::to_error`] turns it into absolute offsets.
#[derive(Debug)]
struct Fail {
    /// `None` for nom's own recoverable mismatches (never reported: every
    /// path that can end in one turns it into a specific kind first).
    /// Boxed: errors are rare, and a small error type keeps every
    /// `IResult` small on the hot path.
    kind: Option<Box<ParseErrorKind>>,
    rest: usize,
    len: usize,
}

impl nom::error::ParseError<&[u8]> for Fail {
    fn from_error_kind(input: &[u8], _: nom::error::ErrorKind) -> Self {
        Fail {
            kind: None,
            rest: input.len(),
            len: 0,
        }
    }

    fn append(_: &[u8], _: nom::error::ErrorKind, other: Self) -> Self {
        other
    }
}

/// nom's result over the input's bytes, with [`Fail`] as the error.
type PResult<'a, T> = IResult<&'a [u8], T, Fail>;

/// A committed error of `kind` covering `len` bytes from the start of `at`.
#[cold]
fn fail<T>(at: &[u8], len: usize, kind: ParseErrorKind) -> PResult<'_, T> {
    Err(nom::Err::Failure(Fail {
        kind: Some(Box::new(kind)),
        rest: at.len(),
        len,
    }))
}

/// Lookup table over all byte values: scanning bytes rather than decoded
/// characters is what keeps the parser fast.
const BARE: [bool; 256] = {
    let mut t = [false; 256];
    let mut b = 0;
    while b < 256 {
        let c = b as u8;
        t[b] = c.is_ascii_alphanumeric()
            || matches!(
                c,
                b' ' | b'@'
                    | b'$'
                    | b'_'
                    | b'*'
                    | b'.'
                    | b'{'
                    | b'}'
                    | b'|'
                    | b'+'
                    | b':'
                    | b'/'
                    | b'-'
            );
        b += 1;
    }
    t
};

/// The bytes of an attribute path's names: ASCII letters, digits, `_`, `-`
/// (also what a schema's attribute patterns are made of).
pub(crate) const NAME: [bool; 256] = {
    let mut t = [false; 256];
    let mut b = 0;
    while b < 256 {
        let c = b as u8;
        t[b] = c.is_ascii_alphanumeric() || c == b'_' || c == b'-';
        b += 1;
    }
    t
};

/// The bytes of an operator name (and of the start of a condition): ASCII
/// letters, digits and `_`.
const OP: [bool; 256] = {
    let mut t = [false; 256];
    let mut b = 0;
    while b < 256 {
        let c = b as u8;
        t[b] = c.is_ascii_alphanumeric() || c == b'_';
        b += 1;
    }
    t
};

/// The bytes of a run of ordinary text inside quotes `q`: all but the
/// quote, a backslash, an ASCII control character, and `0xC2` (the first
/// byte of the C1 control characters U+0080..U+009F, checked precisely when
/// seen).
const fn quoted_text(q: u8) -> [bool; 256] {
    let mut t = [false; 256];
    let mut b = 0;
    while b < 256 {
        let c = b as u8;
        t[b] = !(c == q || c == b'\\' || c < 0x20 || c == 0x7f || c == 0xc2);
        b += 1;
    }
    t
}

/// Ordinary text inside `"..."`.
const DOUBLE_TEXT: [bool; 256] = quoted_text(b'"');
/// Ordinary text inside `'...'`.
const SINGLE_TEXT: [bool; 256] = quoted_text(b'\'');

/// True for the bytes a bare operand may hold (the vendor's character set,
/// all ASCII; a non-ASCII character's bytes are all false).
pub(crate) fn is_bare_byte(b: u8) -> bool {
    BARE[usize::from(b)]
}

/// True when `path` is `name *( "." name )`, name = 1*( ALPHA / DIGIT / "_" / "-" ).
pub(crate) fn is_attribute_path(path: &str) -> bool {
    path.split('.')
        .all(|name| !name.is_empty() && name.bytes().all(|b| NAME[usize::from(b)]))
}

/// `i` without its leading spaces.
#[inline]
fn spaces(i: &[u8]) -> &[u8] {
    match i.first() {
        Some(b' ') => {
            let n = i.iter().position(|&b| b != b' ').unwrap_or(i.len());
            i.get(n..).unwrap_or_default()
        }
        _ => i,
    }
}

/// `i` without its first byte.
#[inline]
fn skip1(i: &[u8]) -> &[u8] {
    i.get(1..).unwrap_or_default()
}

/// Splits `i` after its longest prefix of bytes in `table`: `(rest,
/// prefix)`, in nom's order. With an ASCII-only table the split is on a
/// char boundary.
#[inline]
fn scan<'a>(i: &'a [u8], table: &[bool; 256]) -> (&'a [u8], &'a [u8]) {
    let r: PResult<'a, &'a [u8]> = take_while(|b: u8| table[usize::from(b)])(i);
    r.unwrap_or((i, &[]))
}

/// The length of the longest prefix of `b` whose bytes are all in `table`.
#[inline(always)]
fn run_len(b: &[u8], table: &[bool; 256]) -> usize {
    let ok = |x: u8| table[usize::from(x)];
    let mut k = 0;
    while let Some(&[b0, b1, b2, b3]) = b.get(k..k + 4) {
        if !ok(b0) {
            return k;
        }
        if !ok(b1) {
            return k + 1;
        }
        if !ok(b2) {
            return k + 2;
        }
        if !ok(b3) {
            return k + 3;
        }
        k += 4;
    }
    while let Some(&x) = b.get(k) {
        if !ok(x) {
            break;
        }
        k += 1;
    }
    k
}

/// A quoted operand's text and whether it was quoted, before it is
/// classified as attribute or value.
struct Operand<'a> {
    text: Cow<'a, str>,
    span: Span,
    quoted: bool,
}

/// What came before the term the parser now expects.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Before {
    /// The start of the filter or of a group.
    Start,
    /// A `:`.
    Colon,
    /// A `|`, at this offset.
    Bar(usize),
}

/// The terms of a conjunction being read. The first is kept inline, so a
/// filter of one condition allocates nothing for its conjunction.
#[derive(Default)]
enum Terms<'a> {
    /// No term yet.
    #[default]
    Empty,
    /// One term.
    One(Expr<'a>),
    /// Two or more.
    Many(Vec<Expr<'a>>),
}

impl<'a> Terms<'a> {
    fn is_empty(&self) -> bool {
        matches!(self, Terms::Empty)
    }

    /// Adds a term, splicing an `And` into the conjunction.
    #[inline]
    fn push(&mut self, term: Expr<'a>) {
        match self {
            Terms::Many(v) => push_term(v, term),
            Terms::Empty => {
                *self = match term {
                    Expr::And(g) => Terms::Many(g.terms),
                    term => Terms::One(term),
                }
            }
            Terms::One(_) => {
                if let Terms::One(first) = std::mem::take(self) {
                    let mut v = Vec::with_capacity(8);
                    v.push(first);
                    push_term(&mut v, term);
                    *self = Terms::Many(v);
                }
            }
        }
    }

    /// The terms as a vector, made from the first one when there is one
    /// (so that the next term can be pushed); `None` when there is none.
    #[inline]
    fn as_vec(&mut self) -> Option<&mut Vec<Expr<'a>>> {
        if let Terms::One(_) = self {
            if let Terms::One(first) = std::mem::take(self) {
                let mut v = Vec::with_capacity(8);
                v.push(first);
                *self = Terms::Many(v);
            }
        }
        match self {
            Terms::Many(v) => Some(v),
            Terms::Empty | Terms::One(_) => None,
        }
    }

    /// The conjunction as one node: its only term, or an `And` at `span`.
    fn into_expr(self, span: Span) -> Expr<'a> {
        match self {
            Terms::Empty => Expr::And(Group {
                terms: Vec::new(),
                span,
            }),
            Terms::One(one) => one,
            Terms::Many(terms) => Expr::And(Group { terms, span }),
        }
    }
}

/// An open group on the parser's stack: what the enclosing conjunction had
/// so far, and the alternatives of this group so far.
struct Frame<'a> {
    /// Offset of the `(`.
    open: usize,
    /// The enclosing conjunction's terms.
    outer_terms: Terms<'a>,
    /// Where the enclosing conjunction started.
    outer_start: usize,
    /// The completed alternatives of this group.
    alts: Vec<Expr<'a>>,
}

/// The parser proper: the whole input, so that `src.len() - rest.len()` is
/// the offset of the remaining input `rest`, and text can be sliced from it
/// by offsets (always at ASCII bytes, so never re-validating UTF-8).
#[derive(Clone, Copy)]
struct Grammar<'a> {
    src: &'a str,
    max_depth: usize,
}

/// Adds a term to a conjunction, splicing an `And` into it.
fn push_term<'a>(terms: &mut Vec<Expr<'a>>, term: Expr<'a>) {
    match term {
        Expr::And(g) => terms.extend(g.terms),
        other => terms.push(other),
    }
}

/// Adds an alternative to a group, splicing an `Or` into it.
fn push_alt<'a>(alts: &mut Vec<Expr<'a>>, alt: Expr<'a>) {
    match alt {
        Expr::Or(g) => alts.extend(g.terms),
        other => alts.push(other),
    }
}

impl<'a> Grammar<'a> {
    /// The offset of the remaining input `rest`.
    #[inline]
    fn pos(self, rest: &[u8]) -> usize {
        self.src.len().wrapping_sub(rest.len())
    }

    /// The input text from offset `start` to the start of `rest`.
    #[inline]
    fn text(self, start: usize, rest: &[u8]) -> &'a str {
        self.src.get(start..self.pos(rest)).unwrap_or_default()
    }

    /// The character at the start of the remaining input `at`.
    fn char_at(self, at: &[u8]) -> Option<char> {
        self.src.get(self.pos(at)..)?.chars().next()
    }

    fn to_error(self, e: Fail) -> ParseError {
        let start = self.src.len().saturating_sub(e.rest);
        let kind = e.kind.map_or(ParseErrorKind::TrailingInput, |k| *k);
        ParseError::new(kind, Span::new(start, start + e.len))
    }

    /// The error for finding something other than `expected` at the start of `at`.
    #[cold]
    fn unexpected<T>(self, at: &'a [u8], expected: Expected) -> PResult<'a, T> {
        match self.char_at(at) {
            None => fail(at, 0, ParseErrorKind::UnexpectedEnd { expected }),
            Some(c) if c.is_control() => fail(
                at,
                c.len_utf8(),
                ParseErrorKind::ControlCharacter { found: c },
            ),
            Some(found) => fail(
                at,
                found.len_utf8(),
                ParseErrorKind::Unexpected { expected, found },
            ),
        }
    }

    /// The error for the character at the start of `at`, which cannot
    /// appear unquoted.
    #[cold]
    fn needs_quotes<T>(self, at: &'a [u8]) -> PResult<'a, T> {
        let c = self.char_at(at).unwrap_or('\u{fffd}');
        let kind = if c.is_control() {
            ParseErrorKind::ControlCharacter { found: c }
        } else {
            ParseErrorKind::NeedsQuotes { found: c }
        };
        fail(at, c.len_utf8(), kind)
    }

    /// `filter = *SP alt *SP`, with groups on an explicit stack.
    fn filter(self, input: &'a [u8]) -> PResult<'a, Filter<'a>> {
        let mut i = spaces(input);
        let filter_start = self.pos(i);
        let mut stack: Vec<Frame<'a>> = Vec::new();
        // The completed alternatives of the top level (an OR without
        // parentheses, as the vendor's Go library writes it).
        let mut top_alts: Vec<Expr<'a>> = Vec::new();
        // The conjunction being read: its terms, where it started, where
        // its last term ended.
        let mut terms = Terms::Empty;
        let mut start = filter_start;
        let mut end;
        let mut before = Before::Start;
        loop {
            // A term is expected at `i`.
            match i.first() {
                Some(&b) if OP[usize::from(b)] => {
                    let (rest, span) = match terms.as_vec() {
                        // From the second condition on: built in the vector.
                        Some(v) => self.condition(i, |c| {
                            let span = c.span;
                            v.push(Expr::Condition(c));
                            span
                        })?,
                        None => {
                            let (rest, span) = self.condition(i, |c| {
                                let span = c.span;
                                terms = Terms::One(Expr::Condition(c));
                                span
                            })?;
                            start = span.start;
                            (rest, span)
                        }
                    };
                    end = span.end;
                    i = rest;
                }
                Some(b'(') => {
                    if stack.len() >= self.max_depth {
                        return fail(
                            i,
                            1,
                            ParseErrorKind::TooDeep {
                                limit: self.max_depth,
                            },
                        );
                    }
                    let open = self.pos(i);
                    stack.push(Frame {
                        open,
                        outer_terms: std::mem::take(&mut terms),
                        outer_start: start,
                        alts: Vec::new(),
                    });
                    i = spaces(skip1(i));
                    start = self.pos(i);
                    before = Before::Start;
                    continue;
                }
                Some(b')') => {
                    return match (stack.last(), before) {
                        (None, _) => fail(i, 1, ParseErrorKind::UnmatchedParen),
                        (Some(frame), Before::Start) => {
                            let len = self.pos(i) + 1 - frame.open;
                            let at = input.get(frame.open..).unwrap_or_default();
                            fail(at, len, ParseErrorKind::EmptyGroup)
                        }
                        (Some(_), Before::Bar(at)) => {
                            let at = input.get(at..).unwrap_or_default();
                            fail(at, 1, ParseErrorKind::EmptyAlternative)
                        }
                        (Some(_), Before::Colon) => self.unexpected(i, Expected::Term),
                    };
                }
                Some(b'|') => {
                    return match before {
                        Before::Colon => self.unexpected(i, Expected::Term),
                        Before::Start | Before::Bar(_) => {
                            fail(i, 1, ParseErrorKind::EmptyAlternative)
                        }
                    };
                }
                None => {
                    return match before {
                        // `eq(a,b)|` at the end: the `|` lacks its right side.
                        Before::Bar(at) => {
                            let at = input.get(at..).unwrap_or_default();
                            fail(at, 1, ParseErrorKind::EmptyAlternative)
                        }
                        Before::Start | Before::Colon => self.unexpected(i, Expected::Term),
                    };
                }
                _ => return self.unexpected(i, Expected::Term),
            }

            // After a term: `:`, `|`, `)` (maybe several), or the end.
            loop {
                i = spaces(i);
                match i.first() {
                    Some(b':') => {
                        i = spaces(skip1(i));
                        before = Before::Colon;
                        break;
                    }
                    Some(b'|') => {
                        let alts = match stack.last_mut() {
                            Some(frame) => &mut frame.alts,
                            None => &mut top_alts,
                        };
                        let conjunction =
                            std::mem::take(&mut terms).into_expr(Span::new(start, end));
                        push_alt(alts, conjunction);
                        before = Before::Bar(self.pos(i));
                        i = spaces(skip1(i));
                        start = self.pos(i);
                        break;
                    }
                    Some(b')') => {
                        let Some(mut frame) = stack.pop() else {
                            return fail(i, 1, ParseErrorKind::UnmatchedParen);
                        };
                        let close = self.pos(i) + 1;
                        let last = std::mem::take(&mut terms).into_expr(Span::new(start, end));
                        let group = if frame.alts.is_empty() {
                            // A group of one alternative is that
                            // alternative; an `And` is spliced into the
                            // enclosing conjunction (`Terms::push`), whose
                            // span reaches the parentheses.
                            last
                        } else {
                            push_alt(&mut frame.alts, last);
                            Expr::Or(Group {
                                terms: frame.alts,
                                span: Span::new(frame.open, close),
                            })
                        };
                        terms = frame.outer_terms;
                        start = if terms.is_empty() {
                            frame.open
                        } else {
                            frame.outer_start
                        };
                        end = close;
                        terms.push(group);
                        i = skip1(i);
                    }
                    None => {
                        if let Some(frame) = stack.last() {
                            let at = input.get(frame.open..).unwrap_or_default();
                            return fail(at, 1, ParseErrorKind::UnclosedParen);
                        }
                        let last = terms.into_expr(Span::new(start, end));
                        let span = Span::new(filter_start, end);
                        let expr = if top_alts.is_empty() {
                            last
                        } else {
                            // A top-level OR spans the whole alternation.
                            push_alt(&mut top_alts, last);
                            Expr::Or(Group {
                                terms: top_alts,
                                span,
                            })
                        };
                        return Ok((i, Filter { expr, span }));
                    }
                    Some(_) => {
                        return match self.char_at(i) {
                            Some(c) if c.is_control() => fail(
                                i,
                                c.len_utf8(),
                                ParseErrorKind::ControlCharacter { found: c },
                            ),
                            Some(c) => fail(i, c.len_utf8(), ParseErrorKind::TrailingInput),
                            None => fail(i, 0, ParseErrorKind::TrailingInput),
                        };
                    }
                }
            }
        }
    }

    /// `condition = op *SP "(" operand *( "," operand ) ")"`, handed to
    /// `sink` where it is built: the caller's `sink` stores it (or reads
    /// it) without the moves of a large `Result` through the stack, which
    /// cost more than reading the condition's bytes. Out of line on
    /// purpose: inlined into the loops that call it, it measured slower.
    #[inline(never)]
    fn condition<R>(
        self,
        input: &'a [u8],
        sink: impl FnOnce(Condition<'a>) -> R,
    ) -> PResult<'a, R> {
        let start = self.pos(input);
        let n = run_len(input, &OP);
        let (name, i) = input.split_at_checked(n).unwrap_or((input, &[]));
        let op_span = Span::new(start, start + name.len());
        let Some(op) = Op::from_bytes(name) else {
            return self.unknown_operator(input, op_span);
        };
        let i = spaces(i);
        let i = match i.first() {
            Some(b'(') => skip1(i),
            _ => return self.unexpected(i, Expected::OpenParen),
        };

        let (mut i, (attribute, more)) = self.attribute(i)?;
        // The common condition, of one value the common path reads, is
        // built in its own branch: a value merged with the other paths'
        // is moved through the stack once more.
        if more && op.arity().allows(1) {
            if let Some((rest, value, false)) = self.value_fast(i) {
                let condition = Condition {
                    op,
                    op_span,
                    attribute,
                    values: ValueList::one(value),
                    span: Span::new(start, self.pos(rest)),
                };
                return Ok((rest, sink(condition)));
            }
        }
        let values = if more {
            let (rest, (first, more)) = self.value(i)?;
            i = rest;
            if more {
                // Two or more values: gather them in one vector.
                let (rest, list) = self.list(i, first)?;
                i = rest;
                ValueList::from(list)
            } else {
                ValueList::one(first)
            }
        } else {
            ValueList::new()
        };

        let span = Span::new(start, self.pos(i));
        if !op.arity().allows(values.len()) {
            return fail(
                input,
                span.len(),
                ParseErrorKind::WrongArity {
                    op,
                    found: values.len(),
                },
            );
        }
        Ok((
            i,
            sink(Condition {
                op,
                op_span,
                attribute,
                values,
                span,
            }),
        ))
    }

    /// A list of two or more values: `first` (already read, with the `,`
    /// after it) and the values in `i`, read up to and including the `)`
    /// that ends the condition.
    fn list(self, mut i: &'a [u8], first: Value<'a>) -> PResult<'a, Vec<Value<'a>>> {
        /// The length at which a long list is sized.
        const SIZE_AT: usize = 8;
        let mut list = Vec::with_capacity(4);
        list.push(first);
        let mut more = true;
        // Whether the list was sized for a long list yet.
        let mut sized = false;
        while more {
            // The common values are written straight into the list, up to
            // `SIZE_AT` before it is sized.
            let room = if sized {
                usize::MAX
            } else {
                SIZE_AT.saturating_sub(list.len())
            };
            list.extend(
                std::iter::from_fn(|| {
                    if !more {
                        return None;
                    }
                    let (rest, value, m) = self.value_fast(i)?;
                    i = rest;
                    more = m;
                    Some(value)
                })
                .take(room),
            );
            if !more {
                break;
            }
            if !sized && list.len() >= SIZE_AT {
                // A long list (an `in` of ids): size it once, for a
                // quarter of the bytes left (a short value and its comma),
                // bounded, instead of doubling from here.
                sized = true;
                list.reserve((i.len() / 4).min(1024));
                continue;
            }
            // A value the common path does not read (an escape, a
            // `0xC2` byte inside quotes), or an error.
            let (rest, (value, m)) = self.value_slow(i)?;
            list.push(value);
            i = rest;
            more = m;
        }
        Ok((i, list))
    }

    /// The error for a name in operator position that is not an operator.
    #[cold]
    fn unknown_operator<T>(self, at: &'a [u8], span: Span) -> PResult<'a, T> {
        let name = self.src.get(span.range()).unwrap_or_default();
        let suggestion =
            crate::suggest::nearest(name, Op::ALL.map(Op::as_str)).and_then(Op::from_name);
        fail(
            at,
            span.len(),
            ParseErrorKind::UnknownOperator {
                found: name.to_owned(),
                suggestion,
            },
        )
    }

    /// The first operand, the attribute, and what follows it: `true` when a
    /// `,` (more operands), `false` when the `)` that ends the condition.
    #[inline(always)]
    fn attribute(self, i: &'a [u8]) -> PResult<'a, (Attribute<'a>, bool)> {
        // Fast path: a bare path directly followed by `,` or `)`.
        let at = spaces(i);
        let n = run_len(at, &NAME);
        let mut rest = at.get(n..).unwrap_or_default();
        let mut ok = n > 0;
        while ok && rest.first() == Some(&b'.') {
            let after = skip1(rest);
            let n = run_len(after, &NAME);
            ok = n > 0;
            rest = after.get(n..).unwrap_or_default();
        }
        if ok {
            let more = match rest.first() {
                Some(b',') => Some(true),
                Some(b')') => Some(false),
                _ => None,
            };
            if let Some(more) = more {
                let start = self.pos(at);
                let path = self.text(start, rest);
                let span = Span::new(start, self.pos(rest));
                return Ok((skip1(rest), (Attribute { path, span }, more)));
            }
        }
        self.attribute_slow(i)
    }

    /// The attribute in general: quoted, followed by spaces, or invalid.
    #[inline(never)]
    fn attribute_slow(self, i: &'a [u8]) -> PResult<'a, (Attribute<'a>, bool)> {
        let (i, first) = self.operand(i)?;
        let was_bare = !first.quoted;
        let attribute = self.to_attribute(first)?;
        let (i, more) = self.after_operand(i, was_bare)?;
        Ok((i, (attribute, more)))
    }

    /// A value operand and what follows it (see [`Grammar::attribute`]).
    #[inline(always)]
    fn value(self, i: &'a [u8]) -> PResult<'a, (Value<'a>, bool)> {
        match self.value_fast(i) {
            Some((rest, value, more)) => Ok((rest, (value, more))),
            None => self.value_slow(i),
        }
    }

    /// The common value operands, without building a `Result`: a bare
    /// value directly followed by `,` or `)`, or a quoted one without
    /// escapes followed by spaces and `,` or `)`. `None` for every other
    /// input, which [`Grammar::value_slow`] reads (or refuses).
    #[inline(always)]
    fn value_fast(self, i: &'a [u8]) -> Option<(&'a [u8], Value<'a>, bool)> {
        let at = spaces(i);
        let start = self.pos(at);
        let (text, end, rest) = match at.first() {
            Some(&q @ (b'"' | b'\'')) => {
                let table = if q == b'"' {
                    &DOUBLE_TEXT
                } else {
                    &SINGLE_TEXT
                };
                let body = skip1(at);
                let n = run_len(body, table);
                match body.split_at_checked(n) {
                    Some((_, [c, rest @ ..])) if *c == q => {
                        let text = self.src.get(start + 1..start + 1 + n)?;
                        (text, start + n + 2, spaces(rest))
                    }
                    _ => return None,
                }
            }
            _ => {
                let n = run_len(at, &BARE);
                let rest = at.get(n..)?;
                if n == 0 {
                    return None;
                }
                (self.src.get(start..start + n)?, start + n, rest)
            }
        };
        let more = match rest.first() {
            Some(b',') => true,
            Some(b')') => false,
            _ => return None,
        };
        let value = Value {
            text: Cow::Borrowed(text),
            span: Span::new(start, end),
        };
        Some((skip1(rest), value, more))
    }

    /// A value operand in general: with escapes, or an error.
    #[inline(never)]
    fn value_slow(self, i: &'a [u8]) -> PResult<'a, (Value<'a>, bool)> {
        let (i, operand) = self.operand(i)?;
        let (i, more) = self.after_operand(i, !operand.quoted)?;
        let value = Value {
            text: operand.text,
            span: operand.span,
        };
        Ok((i, (value, more)))
    }

    /// `operand = *SP ( quoted / bare )`
    fn operand(self, i: &'a [u8]) -> PResult<'a, Operand<'a>> {
        let i = spaces(i);
        match i.first() {
            Some(b'"') => self.quoted(i, b'"', &DOUBLE_TEXT),
            Some(b'\'') => self.quoted(i, b'\'', &SINGLE_TEXT),
            _ => self.bare(i),
        }
    }

    fn bare(self, i: &'a [u8]) -> PResult<'a, Operand<'a>> {
        let (rest, text) = scan(i, &BARE);
        if text.is_empty() {
            return match rest.first() {
                Some(b',' | b')') => fail(rest, 0, ParseErrorKind::EmptyValue),
                None => fail(
                    rest,
                    0,
                    ParseErrorKind::UnexpectedEnd {
                        expected: Expected::Operand,
                    },
                ),
                Some(_) => self.needs_quotes(rest),
            };
        }
        let start = self.pos(i);
        Ok((
            rest,
            Operand {
                text: Cow::Borrowed(self.text(start, rest)),
                span: Span::new(start, self.pos(rest)),
                quoted: false,
            },
        ))
    }

    /// A quoted operand starting with the quote byte `q` at `i`; `text`
    /// are the bytes of a run of ordinary text.
    fn quoted(self, i: &'a [u8], q: u8, text: &[bool; 256]) -> PResult<'a, Operand<'a>> {
        let start = self.pos(i);
        let body_start = start + 1;
        let bytes = skip1(i);
        // The decoded text, once an escape has been seen.
        let mut owned: Option<String> = None;
        // Start (in `bytes`) of the run of ordinary text not yet copied into `owned`.
        let mut run = 0;
        let mut k = 0;
        let (text, rest) = loop {
            let tail = bytes.get(k..).unwrap_or_default();
            k += run_len(tail, text);
            let Some(&b) = bytes.get(k) else {
                return fail(i, i.len(), ParseErrorKind::UnterminatedQuote);
            };
            // Every stop byte is ASCII or 0xC2 (a character's first byte),
            // so `k` is on a character boundary.
            let piece = self
                .src
                .get(body_start + run..body_start + k)
                .unwrap_or_default();
            if b == q {
                let text = match owned {
                    None => Cow::Borrowed(piece),
                    Some(mut s) => {
                        s.push_str(piece);
                        Cow::Owned(s)
                    }
                };
                break (text, bytes.get(k + 1..).unwrap_or_default());
            }
            let at = bytes.get(k..).unwrap_or_default();
            if b == b'\\' {
                match bytes.get(k + 1) {
                    Some(&e) if e == q || e == b'\\' => {
                        let s = owned.get_or_insert_with(String::new);
                        s.push_str(piece);
                        s.push(char::from(e));
                        k += 2;
                        run = k;
                    }
                    Some(_) => {
                        let e = self.char_at(skip1(at)).unwrap_or('\\');
                        return fail(at, 1 + e.len_utf8(), ParseErrorKind::BadEscape { found: e });
                    }
                    None => return fail(i, i.len(), ParseErrorKind::UnterminatedQuote),
                }
            } else {
                // A control character, or 0xC2 that may start a C1 control.
                match self.char_at(at) {
                    Some(c) if c.is_control() => {
                        return fail(
                            at,
                            c.len_utf8(),
                            ParseErrorKind::ControlCharacter { found: c },
                        );
                    }
                    Some(c) => k += c.len_utf8(),
                    None => return fail(i, i.len(), ParseErrorKind::UnterminatedQuote),
                }
            }
        };
        let span = Span::new(start, self.pos(rest));
        Ok((
            spaces(rest),
            Operand {
                text,
                span,
                quoted: true,
            },
        ))
    }

    /// Turns the first operand into an [`Attribute`], or fails with
    /// [`ParseErrorKind::InvalidAttribute`] spanning the operand.
    fn to_attribute(self, operand: Operand<'a>) -> Result<Attribute<'a>, nom::Err<Fail>> {
        let mut span = operand.span;
        let path: Result<&'a str, String> = match operand.text {
            Cow::Borrowed(text) if !operand.quoted => {
                let trimmed = text.trim_end_matches(' ');
                span.end -= text.len() - trimmed.len();
                Ok(trimmed)
            }
            Cow::Borrowed(text) => Ok(text),
            // An escape was decoded: a quote or backslash, never in a path.
            Cow::Owned(text) => Err(text),
        };
        match path {
            Ok(path) if is_attribute_path(path) => Ok(Attribute { path, span }),
            bad => Err(nom::Err::Failure(Fail {
                kind: Some(Box::new(ParseErrorKind::InvalidAttribute {
                    found: bad.map_or_else(|owned| owned, str::to_owned),
                })),
                rest: self.src.len().saturating_sub(span.start),
                len: span.len(),
            })),
        }
    }

    /// After an operand: `,` (another operand follows: `true`) or `)` (the
    /// condition ends: `false`). After a bare operand any other character is
    /// one that needed quoting.
    fn after_operand(self, i: &'a [u8], was_bare: bool) -> PResult<'a, bool> {
        match i.first() {
            Some(b',') => Ok((skip1(i), true)),
            Some(b')') => Ok((skip1(i), false)),
            None => fail(
                i,
                0,
                ParseErrorKind::UnexpectedEnd {
                    expected: Expected::CommaOrCloseParen,
                },
            ),
            Some(_) if was_bare => self.needs_quotes(i),
            Some(_) => self.unexpected(i, Expected::CommaOrCloseParen),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The conditions of a plain conjunction, with spans, and where the
    /// reading stops.
    #[test]
    fn each_condition_reads_plain_conjunctions() {
        let mut seen = Vec::new();
        let span = each_condition(" eq(a,1) : like(b,*x*) ", |c| {
            seen.push((c.op, c.span));
            true
        });
        assert_eq!(span, Some(Span::new(1, 22)));
        assert_eq!(
            seen,
            [(Op::Eq, Span::new(1, 8)), (Op::Like, Span::new(11, 22))]
        );
        assert_eq!(each_condition("eq(a,1):eq(b,2)", |_| false), None);
        let mut calls = 0;
        assert_eq!(
            each_condition("eq(a,1):eq(b,2)", |_| {
                calls += 1;
                calls < 2
            }),
            None
        );
        for other in ["", ":eq(a,1)", "(eq(a,1))", "eq(a,1)x", "eq(a,"] {
            assert_eq!(each_condition(other, |_| true), None, "{other}");
        }
    }

    /// Lists of every length up to 20, with a value only the general path
    /// reads (an escape, or a `0xC2` byte inside quotes) at every position,
    /// the eighth and ninth included (either side of the sizing): the
    /// values, their spans and the end of the condition are those written.
    #[test]
    fn lists_read_every_value_whatever_path_reads_it() {
        for n in 1..=20 {
            for slow in 0..=n {
                let mut input = String::from("in(sku");
                let mut expected = Vec::new();
                for k in 0..n {
                    input.push(',');
                    let start = input.len();
                    let (written, text) = match (k == slow, k % 3) {
                        (true, 0) => (format!("\"v{k}\\\"\""), format!("v{k}\"")),
                        (true, 1) => (format!("'v{k}\\''"), format!("v{k}'")),
                        (true, _) => (format!("'v{k}\u{b0}'"), format!("v{k}\u{b0}")),
                        (false, 0) => (format!("\"v {k}\""), format!("v {k}")),
                        (false, _) => (format!("v{k}"), format!("v{k}")),
                    };
                    input.push_str(&written);
                    let end = start + written.len();
                    expected.push((text, Span::new(start, end)));
                }
                input.push_str("):eq(a,b)");
                let f = parse(&input).unwrap_or_else(|e| panic!("{input}: {e:?}"));
                let c = f.conditions().next().unwrap();
                let got: Vec<_> = c
                    .values
                    .iter()
                    .map(|v| (v.text.to_string(), v.span))
                    .collect();
                assert_eq!(got, expected, "{input}");
                assert_eq!(c.span, Span::new(0, input.len() - 8), "{input}");
            }
        }
        // An error after the eighth value is still the general path's.
        let err = parse("in(sku,1,2,3,4,5,6,7,8,9,x y\u{1})").unwrap_err();
        assert_eq!(
            err.kind(),
            &ParseErrorKind::ControlCharacter { found: '\u{1}' }
        );
        assert_eq!(err.span(), Span::new(28, 29));
        let err = parse("in(sku,1,2,3,4,5,6,7,8,9,a\\b)").unwrap_err();
        assert_eq!(err.span(), Span::new(26, 27));
    }

    /// A whole group of one conjunction is that `And`, spanning the
    /// parentheses.
    #[test]
    fn a_group_of_one_conjunction_spans_its_parentheses() {
        let f = parse("(eq(a,1):eq(b,2))").unwrap();
        let Expr::And(g) = &f.expr else {
            panic!("an And: {:?}", f.expr)
        };
        assert_eq!(g.span, Span::new(0, 17));
        // Inside an alternation, where the group is not the whole filter
        // (whose span is the filter's anyway).
        let f = parse("((eq(a,1):eq(b,2))|eq(c,3))").unwrap();
        let Expr::Or(alts) = &f.expr else {
            panic!("an Or: {:?}", f.expr)
        };
        let Some(Expr::And(g)) = alts.terms.first() else {
            panic!("an And first: {:?}", alts.terms)
        };
        assert_eq!(g.span, Span::new(1, 18));
    }

    /// The common path reads the common values (so that the general path
    /// is left the rest), and nothing it would read wrongly: a value it
    /// reads is the general path's value.
    #[test]
    fn value_fast_reads_the_common_values_only() {
        let read = |src: &'static str| {
            let g = Grammar { src, max_depth: 8 };
            g.value_fast(src.as_bytes())
                .map(|(rest, v, more)| (v.text.into_owned(), v.span, more, rest.len()))
        };
        let some = |text: &str, span: (usize, usize), more: bool, rest: usize| {
            Some((text.to_string(), Span::new(span.0, span.1), more, rest))
        };
        assert_eq!(read("abc,x)"), some("abc", (0, 3), true, 2));
        assert_eq!(read(" abc)"), some("abc", (1, 4), false, 0));
        assert_eq!(read(r#""it's" ,x)"#), some("it's", (0, 6), true, 2));
        assert_eq!(
            read(r#"'say "hi"')"#),
            some(r#"say "hi""#, (0, 10), false, 0)
        );
        assert_eq!(read(r#""a b")"#), some("a b", (0, 5), false, 0));
        for general in [
            // Escapes, and bytes a quoted run stops at, whatever follows.
            r#""a\")"#,
            r#""a\,b"#,
            r#""a\)"#,
            "\"a\u{1})",
            "\"a\u{85}\")",
            r#"'a\'')"#,
            // Unterminated, or not followed by `,` or `)`.
            r#""abc"#,
            r#""abc" x)"#,
            "abc",
            "abc x",
            "",
            ")",
        ] {
            assert_eq!(read(general), None, "{general:?}");
        }
    }

    /// A long list is sized once, at its eighth value, for a quarter of the
    /// bytes left, instead of doubling.
    #[test]
    fn a_long_list_is_sized_once() {
        // 100 values of three bytes and a comma: at the eighth, 92 values
        // (368 bytes) are left, room for 92 more.
        let mut src = String::from("v00");
        for k in 1..100 {
            src.push_str(&format!(",v{k:02}"));
        }
        src.push(')');
        let g = Grammar {
            src: &src,
            max_depth: 8,
        };
        let (rest, (first, more)) = g.value(src.as_bytes()).unwrap();
        assert!(more);
        let (rest, list) = g.list(rest, first).unwrap();
        assert!(rest.is_empty());
        assert_eq!(list.len(), 100);
        assert_eq!(list[99].text, "v99");
        // Exactly 100 with today's `Vec`; doubling from 8 would give 128.
        assert!((100..128).contains(&list.capacity()), "{}", list.capacity());
    }
}
