//! A yardstick, not a parser of the crate: the least work any
//! implementation of the grammar must do on the benchmarks' five-condition
//! filters, written by hand for speed, so that the `compile` and `parse`
//! numbers can be read against what the machine they ran on can do at
//! all (the speed targets are absolute times; machines differ).
//!
//! [`parse`] reads a plain conjunction of bare values into one vector of
//! nodes with `u32` spans, and [`compile`] then types the values of the
//! five attributes the benchmark filter names, into two more vectors and
//! a copy of the text (four allocations in all, as many as the crate's
//! `compile`). Both leave out, on purpose, everything the crate must do
//! beyond that and that costs time:
//! - spaces, quoted values, escapes, groups, `is_null`, the other eight
//!   operators' names;
//! - errors: the first problem ends the pass with its offset, without a
//!   kind, a message, a suggestion or the other problems;
//! - the schema: a `match` on five names stands in for the attribute
//!   lookup (aliases, patterns, captures), the operator sets, arity and
//!   limits, and `status`'s two values for its enumeration;
//! - typed values: an instant becomes seconds (no calendar check beyond
//!   month and day ranges, no offsets), a `like` pattern stays a span.
//!
//! Code written the same way (safe Rust, table-driven scanning, no SIMD)
//! that implements the whole language does strictly more, so it cannot be
//! faster than this on the same filters: its numbers are a floor.

/// One node: a condition (`kind` is its operator's index, `end` filled in
/// when its `)` is read) or a value (`kind` is [`VALUE`]).
#[derive(Clone, Copy, Debug)]
pub struct Node {
    /// The operator's index in `eq, like, in, gt, ge, lt, le`, or [`VALUE`].
    pub kind: u8,
    /// Offset of the first byte.
    pub start: u32,
    /// Offset one past the last byte.
    pub end: u32,
}

/// The `kind` of a value node (the attribute is the first value).
pub const VALUE: u8 = 0xff;

/// Bytes of a bare value (a subset of the crate's: enough for the bench
/// filters).
static BARE: [bool; 256] = {
    let mut t = [false; 256];
    let mut c = 0;
    while c < 256 {
        let b = c as u8;
        t[c] = b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'.' | b'*' | b'@' | b':');
        c += 1;
    }
    t
};

/// The nodes of `src`, a plain conjunction of conditions with bare
/// values; `Err(offset)` at the first byte it does not read.
pub fn parse(src: &str) -> Result<Vec<Node>, usize> {
    let b = src.as_bytes();
    let at = |i: usize| u32::try_from(i).map_err(|_| i);
    let mut nodes = Vec::with_capacity(32);
    let mut i = 0;
    loop {
        let start = i;
        let rest = b.get(i..).unwrap_or_default();
        i += rest
            .iter()
            .position(|c| !c.is_ascii_lowercase())
            .unwrap_or(rest.len());
        let kind = match b.get(start..i) {
            Some(b"eq") => 0,
            Some(b"like") => 1,
            Some(b"in") => 2,
            Some(b"gt") => 3,
            Some(b"ge") => 4,
            Some(b"lt") => 5,
            Some(b"le") => 6,
            _ => return Err(start),
        };
        if b.get(i) != Some(&b'(') {
            return Err(i);
        }
        i += 1;
        let condition = nodes.len();
        nodes.push(Node {
            kind,
            start: at(start)?,
            end: 0,
        });
        loop {
            let start = i;
            let rest = b.get(i..).unwrap_or_default();
            i += rest
                .iter()
                .position(|&c| !BARE[usize::from(c)])
                .unwrap_or(rest.len());
            if i == start {
                return Err(i);
            }
            nodes.push(Node {
                kind: VALUE,
                start: at(start)?,
                end: at(i)?,
            });
            match b.get(i) {
                Some(b',') => i += 1,
                Some(b')') => {
                    i += 1;
                    break;
                }
                _ => return Err(i),
            }
        }
        if let Some(c) = nodes.get_mut(condition) {
            c.end = at(i)?;
        }
        match b.get(i) {
            None => return Ok(nodes),
            Some(b':') => i += 1,
            _ => return Err(i),
        }
    }
}

/// A typed value.
#[derive(Clone, Copy, Debug)]
pub enum Typed {
    /// Text compared bytewise (its span).
    Text(u32, u32),
    /// A `like` pattern (its span).
    Pattern(u32, u32),
    /// An instant, in seconds.
    Instant(i64),
}

/// A compiled filter: the text, each condition's operator, attribute and
/// range of values, and the values.
pub struct Compiled {
    /// The filter's text.
    pub source: Box<str>,
    /// `(operator, attribute, first value, end of values)` per condition.
    pub conditions: Vec<(u8, u8, u32, u32)>,
    /// The typed values.
    pub values: Vec<Typed>,
}

/// `YYYY-MM-DDTHH:MM:SSZ` in seconds (see the module docs).
fn instant(s: &[u8]) -> Option<i64> {
    let [
        y0,
        y1,
        y2,
        y3,
        b'-',
        m0,
        m1,
        b'-',
        d0,
        d1,
        b'T',
        h0,
        h1,
        b':',
        i0,
        i1,
        b':',
        s0,
        s1,
        b'Z',
    ] = *s
    else {
        return None;
    };
    let n = |ds: &[u8]| {
        ds.iter().try_fold(0i64, |v, d| {
            let d = d.wrapping_sub(b'0');
            (d <= 9).then_some(v * 10 + i64::from(d))
        })
    };
    let (month, day) = (n(&[m0, m1])?, n(&[d0, d1])?);
    if !(1..=12).contains(&month) || !(1..=31).contains(&day) {
        return None;
    }
    let days = n(&[y0, y1, y2, y3])? * 372 + month * 31 + day;
    Some(days * 86_400 + n(&[h0, h1])? * 3_600 + n(&[i0, i1])? * 60 + n(&[s0, s1])?)
}

/// [`parse`], then the attribute and typed values of each condition;
/// `Err(offset)` at the first problem.
pub fn compile(src: &str) -> Result<Compiled, usize> {
    let nodes = parse(src)?;
    let b = src.as_bytes();
    let text = |n: &Node| {
        b.get(n.start as usize..n.end as usize)
            .ok_or(n.start as usize)
    };
    let mut conditions = Vec::with_capacity(nodes.len());
    let mut values = Vec::with_capacity(nodes.len());
    let mut k = 0;
    while let Some(c) = nodes.get(k) {
        let attribute = nodes.get(k + 1).ok_or(c.start as usize)?;
        let name = text(attribute)?;
        let id = match name {
            b"status" => 0,
            b"name" => 1,
            b"sku" => 2,
            b"updated_at" => 3,
            _ if name.starts_with(b"extensions.")
                && name.iter().filter(|&&c| c == b'.').count() == 2 =>
            {
                4
            }
            _ => return Err(attribute.start as usize),
        };
        let first = values.len();
        k += 2;
        while let Some(v) = nodes.get(k).filter(|n| n.kind == VALUE) {
            let t = text(v)?;
            values.push(match (id, c.kind) {
                (0, _) if t != b"live" && t != b"draft" => return Err(v.start as usize),
                (3, _) => Typed::Instant(instant(t).ok_or(v.start as usize)?),
                (1, 1) => Typed::Pattern(v.start, v.end),
                _ => Typed::Text(v.start, v.end),
            });
            k += 1;
        }
        let range = |i: usize| u32::try_from(i).map_err(|_| i);
        conditions.push((c.kind, id, range(first)?, range(values.len())?));
    }
    Ok(Compiled {
        source: src.into(),
        conditions,
        values,
    })
}
