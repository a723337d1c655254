//! The canonical printed form of a filter.
//!
//! No optional spaces; the attribute path bare; a value bare when it is
//! non-empty, has no leading or trailing space and only bare characters,
//! otherwise double-quoted with `"` and `\` escaped. Parsing the printed form
//! gives the same filter back (`parse(f.to_string())` has the same shape as
//! `f`), for every filter the parser can produce.
//!
//! A hand-built AST holding control characters or an attribute that is not a
//! path still prints, but the result does not parse: the parser refuses both.

use super::ast::{Condition, Filter, Value};
use super::parse::is_bare_char;
use std::fmt::{self, Write};

impl fmt::Display for Filter {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (n, condition) in self.conditions.iter().enumerate() {
            if n > 0 {
                f.write_char(':')?;
            }
            condition.fmt(f)?;
        }
        Ok(())
    }
}

impl fmt::Display for Condition {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}({}", self.op, self.attribute.path)?;
        for value in &self.values {
            f.write_char(',')?;
            value.fmt(f)?;
        }
        f.write_char(')')
    }
}

impl fmt::Display for Value {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write_operand(f, &self.text)
    }
}

/// True when `text` can be printed without quotes and read back unchanged.
pub(crate) fn prints_bare(text: &str) -> bool {
    !text.is_empty()
        && !text.starts_with(' ')
        && !text.ends_with(' ')
        && text.chars().all(is_bare_char)
}

/// Writes `text` as an operand in canonical form.
pub(crate) fn write_operand(f: &mut impl Write, text: &str) -> fmt::Result {
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
