//! The canonical printed form of a filter.
//!
//! No optional spaces; no redundant parentheses (a group of one
//! alternative prints as that alternative, a group directly inside a group
//! of the same kind is spliced into it, an `Or` is parenthesised only where
//! it is a term of an `And`: a top-level OR prints as `a|b`, as the vendor's
//! Go library's `AsFilter` writes it); the attribute path bare; a value bare when it is
//! non-empty, has no leading or trailing space and only bare characters,
//! otherwise double-quoted with `"` and `\` escaped. Parsing the printed form
//! gives the same filter back (`parse(f.to_string())` has the same shape as
//! `f`), for every filter the parser can produce; for a hand-built tree it
//! gives the tree's normal form, which prints the same.
//!
//! A hand-built AST holding control characters or an attribute that is not a
//! path, or an empty group, still prints, but the result does not parse: the
//! parser refuses all three.

use super::ast::{Condition, Expr, Filter, Value};
use super::parse::is_bare_byte;
use std::fmt::{self, Write};

impl fmt::Display for Filter<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.expr.fmt(f)
    }
}

/// An expression prints as a whole filter: an `Or` at its top without
/// parentheses.
impl fmt::Display for Expr<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write_expr(f, self)
    }
}

/// Writes `e` in canonical form, as a whole filter: the one printer of
/// filters (`Display` of [`Filter`], [`Expr`], [`Condition`] and
/// `ValidFilter`'s text all come from here). Recursion follows the tree:
/// the parser bounds its depth, and a hand-built tree is as deep as its
/// builder made it.
pub(crate) fn write_expr<W: Write + ?Sized>(f: &mut W, e: &Expr<'_>) -> fmt::Result {
    write_node(f, e, true)
}

/// Writes `e`; `bare_or` is true where an `Or` needs no parentheses: at
/// the top of the filter and as an alternative of an `Or`.
fn write_node<W: Write + ?Sized>(f: &mut W, e: &Expr<'_>, bare_or: bool) -> fmt::Result {
    match e {
        Expr::Condition(c) => write_condition(f, c),
        Expr::And(g) => match g.terms.as_slice() {
            [one] => write_node(f, one, bare_or),
            terms => {
                for (n, term) in terms.iter().enumerate() {
                    if n > 0 {
                        f.write_char(':')?;
                    }
                    write_node(f, term, false)?;
                }
                Ok(())
            }
        },
        Expr::Or(g) => match g.terms.as_slice() {
            [one] => write_node(f, one, bare_or),
            alts => {
                if !bare_or {
                    f.write_char('(')?;
                }
                for (n, alt) in alts.iter().enumerate() {
                    if n > 0 {
                        f.write_char('|')?;
                    }
                    write_node(f, alt, true)?;
                }
                if !bare_or {
                    f.write_char(')')?;
                }
                Ok(())
            }
        },
    }
}

impl fmt::Display for Condition<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write_condition(f, self)
    }
}

/// Writes one condition in canonical form.
fn write_condition<W: Write + ?Sized>(f: &mut W, c: &Condition<'_>) -> fmt::Result {
    f.write_str(c.op.as_str())?;
    f.write_char('(')?;
    f.write_str(c.attribute.path)?;
    for value in &c.values {
        f.write_char(',')?;
        write_operand(f, &value.text)?;
    }
    f.write_char(')')
}

impl fmt::Display for Value<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write_operand(f, &self.text)
    }
}

/// True when `text` can be printed without quotes and read back unchanged.
pub(crate) fn prints_bare(text: &str) -> bool {
    !text.is_empty()
        && !text.starts_with(' ')
        && !text.ends_with(' ')
        && text.bytes().all(is_bare_byte)
}

/// Writes `text` as an operand in canonical form.
pub(crate) fn write_operand<W: Write + ?Sized>(f: &mut W, text: &str) -> fmt::Result {
    if prints_bare(text) {
        return f.write_str(text);
    }
    f.write_char('"')?;
    for part in text.split_inclusive(['"', '\\']) {
        match part.char_indices().last() {
            Some((k, c @ ('"' | '\\'))) => {
                f.write_str(part.get(..k).unwrap_or_default())?;
                f.write_char('\\')?;
                f.write_char(c)?;
            }
            _ => f.write_str(part)?,
        }
    }
    f.write_char('"')
}
