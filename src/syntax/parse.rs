//! The grammar of the filter language, written with nom.
//!
//! ```text
//! filter     = *SP condition *( *SP ":" *SP condition ) *SP   ; ":" is AND
//! condition  = op *SP "(" operand 1*( "," operand ) ")"
//! op         = "eq" / "like" / "in" / "gt" / "ge" / "lt" / "le"
//! operand    = *SP ( quoted *SP / bare )                   ; leading spaces dropped
//! bare       = 1*( ALPHA / DIGIT / SP / "@" / "$" / "_" / "*" / "." / "{" / "}"
//!                  / "|" / "+" / ":" / "/" / "-" )
//! quoted     = DQUOTE *( not-DQUOTE-or-backslash / "\" DQUOTE / "\\" ) DQUOTE
//!            / "'"    *( not-'-or-backslash      / "\'"    / "\\" ) "'"
//! ```
//!
//! Decisions beyond the grammar:
//!
//! - A bare operand keeps its inner and trailing spaces (`eq(name,a b )` has
//!   the value `"a b "`), except the attribute: attribute paths cannot hold
//!   spaces, so spaces after a bare attribute are dropped, which makes
//!   `eq( name , x)` mean `eq(name,x)`.
//! - The first operand must be an attribute path (`name *( "." name )`, name =
//!   ASCII letters, digits, `_`, `-`), quoted or not.
//! - Control characters are refused anywhere, even quoted.
//!
//! The parser never recurses and never backtracks more than one token, so
//! it runs in time linear in the input and in constant stack: a 1 MB filter
//! parses (or fails) in a few milliseconds. Limits on filter size belong to
//! [`crate::Limits`], checked by [`crate::validate`].

use super::ast::{Attribute, Condition, Filter, Op, Span, Value};
use super::error::{Expected, ParseError, ParseErrorKind};
use nom::character::complete::{char, one_of};
use nom::{IResult, Parser};
use std::str::FromStr;

/// Parses a filter into its [`Filter`] AST.
///
/// Errors carry the exact byte span of the problem; see [`ParseErrorKind`]
/// for the kinds. Never panics, whatever the input.
///
/// ```
/// use catalog_filter::syntax::{parse, Op};
///
/// let filter = parse("eq(sku,book):like(name,'*Food \\'n*')").unwrap();
/// assert_eq!(filter.conditions.len(), 2);
/// assert_eq!(filter.conditions[1].op, Op::Like);
/// assert_eq!(filter.conditions[1].values[0].text, "*Food 'n*");
/// assert_eq!(filter.to_string(), r#"eq(sku,book):like(name,"*Food 'n*")"#);
/// ```
pub fn parse(input: &str) -> Result<Filter, ParseError> {
    let p = Grammar { total: input.len() };
    match p.filter(input) {
        Ok((_, filter)) => Ok(filter),
        Err(nom::Err::Error(e) | nom::Err::Failure(e)) => Err(p.to_error(e)),
        // Only streaming parsers report Incomplete; all parsers here are complete.
        Err(nom::Err::Incomplete(_)) => Err(ParseError::new(
            ParseErrorKind::UnexpectedEnd {
                expected: Expected::Operator,
            },
            Span::new(input.len(), input.len()),
        )),
    }
}

impl FromStr for Filter {
    type Err = ParseError;

    /// Same as [`parse`].
    fn from_str(s: &str) -> Result<Filter, ParseError> {
        parse(s)
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

/// [`is_bare_char`] for one byte; every bare character is ASCII.
fn is_bare_byte(b: u8) -> bool {
    /// Lookup table over all byte values: scanning bytes rather than decoded
    /// characters is what keeps the parser at hundreds of MB/s.
    const TABLE: [bool; 256] = {
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
    TABLE[usize::from(b)]
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

/// True when `path` is `name *( "." name )`, name = 1*( ALPHA / DIGIT / "_" / "-" ).
pub(crate) fn is_attribute_path(path: &str) -> bool {
    path.split('.').all(|name| {
        !name.is_empty()
            && name
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
    })
}

fn spaces(i: &str) -> PResult<'_, &str> {
    Ok(take_ascii(i, |b| b == b' '))
}

/// An operand before it is classified as attribute or value.
struct Operand {
    text: String,
    span: Span,
    quoted: bool,
}

/// The parser proper. `total` is the length of the whole input, so that
/// `total - rest.len()` is the offset of the remaining input `rest`.
#[derive(Clone, Copy)]
struct Grammar {
    total: usize,
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

    /// `filter = *SP condition *( *SP ":" *SP condition ) *SP`
    fn filter(self, i: &str) -> PResult<'_, Filter> {
        let (i, _) = spaces(i)?;
        let (mut i, first) = self.condition(i)?;
        // Most filters have a handful of conditions: start with room for four.
        let mut conditions = Vec::with_capacity(4);
        conditions.push(first);
        while let Ok((rest, _)) = (spaces, char(':'), spaces).parse(i) {
            let (rest, next) = self.condition(rest)?;
            conditions.push(next);
            i = rest;
        }
        let (i, _) = spaces(i)?;
        if let Some(c) = i.chars().next() {
            return if c.is_control() {
                fail(
                    i,
                    c.len_utf8(),
                    ParseErrorKind::ControlCharacter { found: c },
                )
            } else {
                fail(i, c.len_utf8(), ParseErrorKind::TrailingInput)
            };
        }
        let start = conditions.first().map_or(0, |c| c.span.start);
        let end = conditions.last().map_or(0, |c| c.span.end);
        Ok((
            i,
            Filter {
                conditions,
                span: Span::new(start, end),
            },
        ))
    }

    /// `condition = op *SP "(" operand 1*( "," operand ) ")"`
    fn condition(self, input: &str) -> PResult<'_, Condition> {
        let start = self.pos(input);
        let (i, (op, op_span)) = self.operator(input)?;
        let (i, _) = spaces(i)?;
        let (i, _) = match char::<_, Fail>('(').parse(i) {
            Ok(ok) => ok,
            Err(_) => return unexpected(i, Expected::OpenParen),
        };

        let (i, first) = self.operand(i)?;
        let was_bare = !first.quoted;
        let attribute = self.attribute(first)?;
        let (mut i, mut more) = self.after_operand(i, was_bare)?;

        let mut values = Vec::with_capacity(if op.takes_many() { 4 } else { 1 });
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
        let arity_ok = if op.takes_many() {
            !values.is_empty()
        } else {
            values.len() == 1
        };
        if !arity_ok {
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
    /// one of the seven operators.
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
    fn operand(self, i: &str) -> PResult<'_, Operand> {
        let (i, _) = spaces(i)?;
        match i.chars().next() {
            Some(q @ ('"' | '\'')) => self.quoted(i, q),
            _ => self.bare(i),
        }
    }

    fn bare(self, i: &str) -> PResult<'_, Operand> {
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
                text: text.to_owned(),
                span: Span::new(self.pos(i), self.pos(rest)),
                quoted: false,
            },
        ))
    }

    /// A quoted operand starting with the quote character `q` at `i`.
    fn quoted(self, i: &str, q: char) -> PResult<'_, Operand> {
        let body = i.strip_prefix(q).unwrap_or(i);
        let mut text = String::new();
        let mut chars = body.char_indices();
        // Start of the run of ordinary characters not yet copied into `text`.
        let mut run = 0;
        let rest = loop {
            let Some((k, c)) = chars.next() else {
                return fail(i, i.len(), ParseErrorKind::UnterminatedQuote);
            };
            if c == q {
                text.push_str(body.get(run..k).unwrap_or_default());
                break body.get(k + c.len_utf8()..).unwrap_or_default();
            } else if c == '\\' {
                text.push_str(body.get(run..k).unwrap_or_default());
                match chars.next() {
                    Some((_, e)) if e == q || e == '\\' => {
                        text.push(e);
                        run = k + 1 + e.len_utf8();
                    }
                    Some((_, e)) => {
                        let at = body.get(k..).unwrap_or_default();
                        return fail(at, 1 + e.len_utf8(), ParseErrorKind::BadEscape { found: e });
                    }
                    None => return fail(i, i.len(), ParseErrorKind::UnterminatedQuote),
                }
            } else if c.is_control() {
                let at = body.get(k..).unwrap_or_default();
                return fail(
                    at,
                    c.len_utf8(),
                    ParseErrorKind::ControlCharacter { found: c },
                );
            }
        };
        let span = Span::new(self.pos(i), self.pos(rest));
        let (rest, _) = spaces(rest)?;
        Ok((
            rest,
            Operand {
                text,
                span,
                quoted: true,
            },
        ))
    }

    /// Turns the first operand into an [`Attribute`], or fails with
    /// [`ParseErrorKind::InvalidAttribute`] spanning the operand.
    fn attribute(self, operand: Operand) -> Result<Attribute, nom::Err<Fail>> {
        let mut span = operand.span;
        let mut path = operand.text;
        if !operand.quoted {
            let trimmed = path.trim_end_matches(' ').len();
            span.end -= path.len() - trimmed;
            path.truncate(trimmed);
        }
        if !is_attribute_path(&path) {
            return Err(nom::Err::Failure(Fail {
                kind: Some(Box::new(ParseErrorKind::InvalidAttribute { found: path })),
                rest: self.total.saturating_sub(span.start),
                len: span.len(),
            }));
        }
        Ok(Attribute { path, span })
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
