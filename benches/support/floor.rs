//! A reference point, not a parser of the crate: a deliberately minimal
//! pass over the benchmarks' five-condition filters, written by hand for
//! speed, so that the `parse` and `compile` numbers (and the absolute speed
//! targets) can be read against what the machine they ran on does with
//! the same bytes.
//!
//! [`parse`] reads a plain conjunction of bare values into one vector of
//! nodes with `u32` spans (one allocation). [`compile`] reads it in one
//! pass, as the crate's fused compile does, and types the values of the
//! five attributes the benchmark filter names into two vectors, beside a
//! copy of the text (three allocations). Both leave out, on purpose,
//! everything the crate must do beyond that and that costs time:
//! - spaces, quoted values, escapes, groups, `is_null` and the other five
//!   operators' names (`ilike`, `contains`, `contains_any`,
//!   `contains_all`, `text`);
//! - errors: the first problem ends the pass with its offset, without a
//!   kind, a message, a suggestion or the other problems;
//! - the schema: a `match` on five names stands in for the attribute
//!   lookup (aliases, patterns, captures), the operator sets, arity and
//!   limits, and `status`'s two values for its enumeration;
//! - typed values: an instant becomes seconds (no calendar check beyond
//!   month and day ranges, no offsets), a `like` pattern stays a span.
//!
//! It is not a proven lower bound (other code, SIMD for one, could be
//! faster still); it is what plain safe Rust, table-driven like the crate,
//! does with these filters when it does a fraction of the crate's work.

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

/// A position in the filter's bytes.
struct Cursor<'a> {
    b: &'a [u8],
    i: usize,
}

impl Cursor<'_> {
    /// The offset as a `u32`.
    fn at(&self) -> Result<u32, usize> {
        u32::try_from(self.i).map_err(|_| self.i)
    }

    /// Reads an operator's name and its `(`; the operator's index.
    fn operator(&mut self) -> Result<u8, usize> {
        let start = self.i;
        let rest = self.b.get(start..).unwrap_or_default();
        self.i += rest
            .iter()
            .position(|c| !c.is_ascii_lowercase())
            .unwrap_or(rest.len());
        let kind = match self.b.get(start..self.i) {
            Some(b"eq") => 0,
            Some(b"like") => 1,
            Some(b"in") => 2,
            Some(b"gt") => 3,
            Some(b"ge") => 4,
            Some(b"lt") => 5,
            Some(b"le") => 6,
            _ => return Err(start),
        };
        if self.b.get(self.i) != Some(&b'(') {
            return Err(self.i);
        }
        self.i += 1;
        Ok(kind)
    }

    /// Reads a bare operand and the `,` (then `true`: more operands) or
    /// `)` (then `false`) after it; the operand's span.
    fn operand(&mut self) -> Result<(u32, u32, bool), usize> {
        let start = self.at()?;
        let rest = self.b.get(self.i..).unwrap_or_default();
        let n = rest
            .iter()
            .position(|&c| !BARE[usize::from(c)])
            .unwrap_or(rest.len());
        if n == 0 {
            return Err(self.i);
        }
        self.i += n;
        let end = self.at()?;
        let more = match self.b.get(self.i) {
            Some(b',') => true,
            Some(b')') => false,
            _ => return Err(self.i),
        };
        self.i += 1;
        Ok((start, end, more))
    }

    /// Reads what follows a condition: `true` after a `:`, `false` at the
    /// end of the filter.
    fn next(&mut self) -> Result<bool, usize> {
        match self.b.get(self.i) {
            None => Ok(false),
            Some(b':') => {
                self.i += 1;
                Ok(true)
            }
            _ => Err(self.i),
        }
    }
}

/// The nodes of `src`, a plain conjunction of conditions with bare
/// values; `Err(offset)` at the first byte it does not read.
pub fn parse(src: &str) -> Result<Vec<Node>, usize> {
    let mut c = Cursor {
        b: src.as_bytes(),
        i: 0,
    };
    let mut nodes = Vec::with_capacity(32);
    loop {
        let start = c.at()?;
        let kind = c.operator()?;
        let condition = nodes.len();
        nodes.push(Node {
            kind,
            start,
            end: 0,
        });
        let mut more = true;
        while more {
            let (start, end, m) = c.operand()?;
            more = m;
            nodes.push(Node {
                kind: VALUE,
                start,
                end,
            });
        }
        let end = c.at()?;
        if let Some(node) = nodes.get_mut(condition) {
            node.end = end;
        }
        if !c.next()? {
            return Ok(nodes);
        }
    }
}

/// A typed value.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
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
#[derive(Debug)]
pub struct Compiled {
    /// The filter's text.
    pub source: Box<str>,
    /// `(operator, attribute, first value, end of values)` per condition.
    pub conditions: Vec<(u8, u8, u32, u32)>,
    /// The typed values.
    pub values: Vec<Typed>,
}

/// `YYYY-MM-DDTHH:MM:SSZ` in seconds: days counted as 372 a year and 31 a
/// month (see the module docs).
pub fn instant(s: &[u8]) -> Option<i64> {
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

/// `src` compiled in one pass: each condition's attribute and typed
/// values; `Err(offset)` at the first problem.
pub fn compile(src: &str) -> Result<Compiled, usize> {
    let b = src.as_bytes();
    let mut c = Cursor { b, i: 0 };
    let text = |start: u32, end: u32| b.get(start as usize..end as usize).unwrap_or_default();
    let index = |i: usize| u32::try_from(i).map_err(|_| i);
    let mut conditions = Vec::with_capacity(8);
    let mut values = Vec::with_capacity(16);
    loop {
        let kind = c.operator()?;
        let (start, end, mut more) = c.operand()?;
        let name = text(start, end);
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
            _ => return Err(start as usize),
        };
        let first = index(values.len())?;
        while more {
            let (start, end, m) = c.operand()?;
            more = m;
            let t = text(start, end);
            values.push(match (id, kind) {
                (0, _) if t != b"live" && t != b"draft" => return Err(start as usize),
                (3, _) => Typed::Instant(instant(t).ok_or(start as usize)?),
                (1, 1) => Typed::Pattern(start, end),
                _ => Typed::Text(start, end),
            });
        }
        conditions.push((kind, id, first, index(values.len())?));
        if !c.next()? {
            break;
        }
    }
    Ok(Compiled {
        source: src.into(),
        conditions,
        values,
    })
}
