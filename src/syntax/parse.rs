//! The grammar of the filter language, written with nom over the input's
//! bytes.
//!
//! ```text
//! filter     = *SP conj *SP
//! conj       = term *( *SP ":" *SP term )                 ; ":" is AND
//! term       = condition / group
//! group      = "(" *SP conj *( *SP "|" *SP conj ) *SP ")" ; "|" is OR; ":" binds tighter
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
//!   need no quoting. A `|` outside any group is an error that says to wrap
//!   the alternatives in parentheses.
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
use nom::character::complete::one_of;
use nom::{IResult, Parser};
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
/// let filter = parse("( eq(sku,a) : eq(status,live) | eq(sku,b) )").unwrap();
/// assert!(matches!(filter.expr, Expr::Or(_)));
/// assert_eq!(filter.to_string(), "(eq(sku,a):eq(status,live)|eq(sku,b))");
/// ```
pub fn parse(input: &str) -> Result<Filter<'_>, ParseError> {
    parse_with(input, &Limits::DEFAULT)
}

/// Parses a filter with the group depth limit of `limits`
/// ([`Limits::max_depth`]); the other limits are validation's.
pub fn parse_with<'a>(input: &'a str, limits: &Limits) -> Result<Filter<'a>, ParseError> {
    let p = Grammar {
        total: input.len(),
        max_depth: limits.max_depth,
    };
    match p.filter(input) {
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

impl nom::error::ParseError<&str> for Fail {
    fn from_error_kind(input: &str, _: nom::error::ErrorKind) -> Self {
        Fail {
            kind: None,
            rest: input.len(),
            len: 0,
        }
    }

    fn append(_: &str, _: nom::error::ErrorKind, other: Self) -> Self {
        other
    }
}

type PResult<'a, T> = IResult<&'a str, T, Fail>;

/// A committed error of `kind` covering `len` bytes from the start of `at`.
fn fail<T>(at: &str, len: usize, kind: ParseErrorKind) -> PResult<'_, T> {
    Err(nom::Err::Failure(Fail {
        kind: Some(Box::new(kind)),
        rest: at.len(),
        len,
    }))
}

/// The error for finding something other than `expected` at the start of `at`.
fn unexpected<T>(at: &str, expected: Expected) -> PResult<'_, T> {
    match at.chars().next() {
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

/// The error for `c`, at the start of `at`, which cannot appear unquoted.
fn needs_quotes<T>(at: &str, c: char) -> PResult<'_, T> {
    let kind = if c.is_control() {
        ParseErrorKind::ControlCharacter { found: c }
    } else {
        ParseErrorKind::NeedsQuotes { found: c }
    };
    fail(at, c.len_utf8(), kind)
}

/// The characters a bare operand may hold (the vendor's character set).
pub(crate) fn is_bare_char(c: char) -> bool {
    u8::try_from(c).is_ok_and(is_bare_byte)
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

/// The bytes that end a run of ordinary text inside quotes `q`: the quote,
/// a backslash, an ASCII control character, and `0xC2` (the first byte of
/// the C1 control characters U+0080..U+009F, checked precisely when seen).
const fn quoted_stops(q: u8) -> [bool; 256] {
    let mut t = [false; 256];
    let mut b = 0;
    while b < 256 {
        let c = b as u8;
        t[b] = c == q || c == b'\\' || c < 0x20 || c == 0x7f || c == 0xc2;
        b += 1;
    }
    t
}

const DOUBLE_STOPS: [bool; 256] = quoted_stops(b'"');
const SINGLE_STOPS: [bool; 256] = quoted_stops(b'\'');

/// [`is_bare_char`] for one byte; every bare character is ASCII.
fn is_bare_byte(b: u8) -> bool {
    BARE[usize::from(b)]
}

/// Splits `i` after its longest prefix of ASCII bytes satisfying `keep`:
/// `(rest, prefix)`, in nom's order. The split is on a char boundary because
/// every byte before it is ASCII.
fn take_ascii(i: &str, keep: impl Fn(u8) -> bool) -> (&str, &str) {
    let n = i.bytes().position(|b| !keep(b)).unwrap_or(i.len());
    match i.split_at_checked(n) {
        Some((prefix, rest)) => (rest, prefix),
        None => (i, ""),
    }
}

/// `i` without its first byte, which the caller knows is ASCII.
fn skip1(i: &str) -> &str {
    i.get(1..).unwrap_or_default()
}

/// True when `path` is `name *( "." name )`, name = 1*( ALPHA / DIGIT / "_" / "-" ).
pub(crate) fn is_attribute_path(path: &str) -> bool {
    path.split('.').all(|name| {
        !name.is_empty()
            && name
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
    })
}

fn spaces(i: &str) -> &str {
    take_ascii(i, |b| b == b' ').0
}

/// An operand before it is classified as attribute or value.
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

/// An open group on the parser's stack: what the enclosing conjunction had
/// so far, and the alternatives of this group so far.
struct Frame<'a> {
    /// Offset of the `(`.
    open: usize,
    /// The enclosing conjunction's terms.
    outer_terms: Vec<Expr<'a>>,
    /// Where the enclosing conjunction started.
    outer_start: usize,
    /// The completed alternatives of this group.
    alts: Vec<Expr<'a>>,
}

/// The parser proper. `total` is the length of the whole input, so that
/// `total - rest.len()` is the offset of the remaining input `rest`.
#[derive(Clone, Copy)]
struct Grammar {
    total: usize,
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

/// A conjunction of one or more terms as one node.
fn conj<'a>(mut terms: Vec<Expr<'a>>, span: Span) -> Expr<'a> {
    if terms.len() == 1 {
        if let Some(one) = terms.pop() {
            return one;
        }
    }
    Expr::And(Group { terms, span })
}

impl Grammar {
    fn pos(self, rest: &str) -> usize {
        self.total.saturating_sub(rest.len())
    }

    fn to_error(self, e: Fail) -> ParseError {
        let start = self.total.saturating_sub(e.rest);
        let kind = e.kind.map_or(ParseErrorKind::TrailingInput, |k| *k);
        ParseError::new(kind, Span::new(start, start + e.len))
    }

    /// `filter = *SP conj *SP`, with groups on an explicit stack.
    fn filter<'a>(self, input: &'a str) -> PResult<'a, Filter<'a>> {
        let mut i = spaces(input);
        let filter_start = self.pos(i);
        let mut stack: Vec<Frame<'a>> = Vec::new();
        // The conjunction being read: its terms, where it started, where
        // its last term ended.
        let mut terms: Vec<Expr<'a>> = Vec::with_capacity(4);
        let mut start = filter_start;
        let mut end;
        let mut before = Before::Start;
        loop {
            // A term is expected at `i`.
            match i.as_bytes().first() {
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
                        (Some(_), Before::Colon) => unexpected(i, Expected::Term),
                    };
                }
                Some(b'|') => {
                    return match (stack.is_empty(), before) {
                        (true, _) => fail(i, 1, ParseErrorKind::OrOutsideGroup),
                        (false, Before::Colon) => unexpected(i, Expected::Term),
                        (false, _) => fail(i, 1, ParseErrorKind::EmptyAlternative),
                    };
                }
                Some(b) if b.is_ascii_alphanumeric() || *b == b'_' => {
                    let (rest, c) = self.condition(i)?;
                    if terms.is_empty() {
                        start = c.span.start;
                    }
                    end = c.span.end;
                    terms.push(Expr::Condition(c));
                    i = rest;
                }
                _ => return unexpected(i, Expected::Term),
            }

            // After a term: `:`, `|`, `)` (maybe several), or the end.
            loop {
                i = spaces(i);
                match i.as_bytes().first() {
                    Some(b':') => {
                        i = spaces(skip1(i));
                        before = Before::Colon;
                        break;
                    }
                    Some(b'|') => {
                        let Some(frame) = stack.last_mut() else {
                            return fail(i, 1, ParseErrorKind::OrOutsideGroup);
                        };
                        let conjunction = conj(std::mem::take(&mut terms), Span::new(start, end));
                        push_alt(&mut frame.alts, conjunction);
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
                        let span = Span::new(frame.open, close);
                        let last = conj(std::mem::take(&mut terms), Span::new(start, end));
                        let group = if frame.alts.is_empty() {
                            match last {
                                Expr::And(g) => Expr::And(Group { span, ..g }),
                                other => other,
                            }
                        } else {
                            push_alt(&mut frame.alts, last);
                            Expr::Or(Group {
                                terms: frame.alts,
                                span,
                            })
                        };
                        terms = frame.outer_terms;
                        start = if terms.is_empty() {
                            frame.open
                        } else {
                            frame.outer_start
                        };
                        end = close;
                        push_term(&mut terms, group);
                        i = skip1(i);
                    }
                    None => {
                        if let Some(frame) = stack.last() {
                            let at = input.get(frame.open..).unwrap_or_default();
                            return fail(at, 1, ParseErrorKind::UnclosedParen);
                        }
                        let expr = conj(terms, Span::new(start, end));
                        let span = Span::new(filter_start, end);
                        return Ok((i, Filter { expr, span }));
                    }
                    Some(_) => {
                        return match i.chars().next() {
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

    /// `condition = op *SP "(" operand *( "," operand ) ")"`
    fn condition<'a>(self, input: &'a str) -> PResult<'a, Condition<'a>> {
        let start = self.pos(input);
        let (i, (op, op_span)) = self.operator(input)?;
        let i = spaces(i);
        let i = match i.as_bytes().first() {
            Some(b'(') => skip1(i),
            _ => return unexpected(i, Expected::OpenParen),
        };

        let (i, first) = self.operand(i)?;
        let was_bare = !first.quoted;
        let attribute = self.attribute(first)?;
        let (mut i, mut more) = self.after_operand(i, was_bare)?;

        let mut values = ValueList::new();
        while more {
            let (rest, operand) = self.operand(i)?;
            let (rest, next) = self.after_operand(rest, !operand.quoted)?;
            values.push(Value {
                text: operand.text,
                span: operand.span,
            });
            i = rest;
            more = next;
        }

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
            Condition {
                op,
                op_span,
                attribute,
                values,
                span,
            },
        ))
    }

    /// An operator name: a run of ASCII letters, digits and `_` that must be
    /// one of the operators.
    fn operator(self, i: &str) -> PResult<'_, (Op, Span)> {
        let (rest, name) = take_ascii(i, |b| b.is_ascii_alphanumeric() || b == b'_');
        if name.is_empty() {
            return unexpected(i, Expected::Operator);
        }
        match Op::from_name(name) {
            Some(op) => Ok((rest, (op, Span::new(self.pos(i), self.pos(rest))))),
            None => {
                let suggestion =
                    crate::suggest::nearest(name, Op::ALL.map(Op::as_str)).and_then(Op::from_name);
                fail(
                    i,
                    name.len(),
                    ParseErrorKind::UnknownOperator {
                        found: name.to_owned(),
                        suggestion,
                    },
                )
            }
        }
    }

    /// `operand = *SP ( quoted / bare )`
    fn operand<'a>(self, i: &'a str) -> PResult<'a, Operand<'a>> {
        let i = spaces(i);
        match i.as_bytes().first() {
            Some(b'"') => self.quoted(i, b'"', &DOUBLE_STOPS),
            Some(b'\'') => self.quoted(i, b'\'', &SINGLE_STOPS),
            _ => self.bare(i),
        }
    }

    fn bare<'a>(self, i: &'a str) -> PResult<'a, Operand<'a>> {
        let (rest, text) = take_ascii(i, is_bare_byte);
        if text.is_empty() {
            return match rest.chars().next() {
                Some(',' | ')') => fail(rest, 0, ParseErrorKind::EmptyValue),
                None => fail(
                    rest,
                    0,
                    ParseErrorKind::UnexpectedEnd {
                        expected: Expected::Operand,
                    },
                ),
                Some(c) => needs_quotes(rest, c),
            };
        }
        Ok((
            rest,
            Operand {
                text: Cow::Borrowed(text),
                span: Span::new(self.pos(i), self.pos(rest)),
                quoted: false,
            },
        ))
    }

    /// A quoted operand starting with the quote byte `q` at `i`; `stops`
    /// are the bytes that end a run of ordinary text.
    fn quoted<'a>(self, i: &'a str, q: u8, stops: &[bool; 256]) -> PResult<'a, Operand<'a>> {
        let body = skip1(i);
        let bytes = body.as_bytes();
        // The decoded text, once an escape has been seen.
        let mut owned: Option<String> = None;
        // Start of the run of ordinary text not yet copied into `owned`.
        let mut run = 0;
        let mut k = 0;
        let (text, rest) = loop {
            let tail = bytes.get(k..).unwrap_or_default();
            k += tail
                .iter()
                .position(|&b| stops[usize::from(b)])
                .unwrap_or(tail.len());
            let Some(&b) = bytes.get(k) else {
                return fail(i, i.len(), ParseErrorKind::UnterminatedQuote);
            };
            if b == q {
                let last = body.get(run..k).unwrap_or_default();
                let text = match owned {
                    None => Cow::Borrowed(last),
                    Some(mut s) => {
                        s.push_str(last);
                        Cow::Owned(s)
                    }
                };
                break (text, body.get(k + 1..).unwrap_or_default());
            }
            let at = body.get(k..).unwrap_or_default();
            if b == b'\\' {
                match bytes.get(k + 1) {
                    Some(&e) if e == q || e == b'\\' => {
                        let s = owned.get_or_insert_with(String::new);
                        s.push_str(body.get(run..k).unwrap_or_default());
                        s.push(char::from(e));
                        k += 2;
                        run = k;
                    }
                    Some(_) => {
                        let e = at.chars().nth(1).unwrap_or('\\');
                        return fail(at, 1 + e.len_utf8(), ParseErrorKind::BadEscape { found: e });
                    }
                    None => return fail(i, i.len(), ParseErrorKind::UnterminatedQuote),
                }
            } else {
                // A control character, or 0xC2 that may start a C1 control.
                match at.chars().next() {
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
        let span = Span::new(self.pos(i), self.pos(rest));
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
    fn attribute<'a>(self, operand: Operand<'a>) -> Result<Attribute<'a>, nom::Err<Fail>> {
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
                rest: self.total.saturating_sub(span.start),
                len: span.len(),
            })),
        }
    }

    /// After an operand: `,` (another operand follows: `true`) or `)` (the
    /// condition ends: `false`). After a bare operand any other character is
    /// one that needed quoting.
    fn after_operand(self, i: &str, was_bare: bool) -> PResult<'_, bool> {
        let r: PResult<'_, char> = one_of(",)").parse(i);
        match (r, i.chars().next()) {
            (Ok((rest, c)), _) => Ok((rest, c == ',')),
            (Err(_), None) => fail(
                i,
                0,
                ParseErrorKind::UnexpectedEnd {
                    expected: Expected::CommaOrCloseParen,
                },
            ),
            (Err(_), Some(c)) if was_bare => needs_quotes(i, c),
            (Err(_), Some(_)) => unexpected(i, Expected::CommaOrCloseParen),
        }
    }
}
