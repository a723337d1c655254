//! Loading a catalog into the reference schema: the tables, `COPY` in text
//! format, and the JSON form of the extension columns.

use crate::catalog::{Catalog, Product};
use crate::json::{AttributeValue, Attributes, Text};
use chrono::{DateTime, FixedOffset, SecondsFormat};
#[cfg(feature = "postgres")]
use {
    super::Error,
    crate::sql::SCHEMA,
    postgres::{Client, Transaction},
    std::io::Write as _,
};

/// Creates the reference schema's tables and indexes (idempotent).
#[cfg(feature = "postgres")]
pub fn create_schema(client: &mut Client) -> Result<(), Error> {
    client.batch_execute(SCHEMA)
}

/// Empties the four tables.
#[cfg(feature = "postgres")]
pub fn clear(client: &mut Client) -> Result<(), Error> {
    client.batch_execute(CLEAR)
}

/// The statement of `clear`.
pub(super) const CLEAR: &str = "TRUNCATE product_nodes, products, nodes, hierarchies";

/// Copies `catalog` into the (empty) tables, in one transaction: either
/// everything is loaded or nothing is.
#[cfg(feature = "postgres")]
pub fn load(client: &mut Client, catalog: &Catalog) -> Result<(), Error> {
    let mut tx = client.transaction()?;
    for table in tables(catalog) {
        copy(&mut tx, table)?;
    }
    tx.commit()
}

/// Streams one table's rows into its `COPY ... FROM STDIN`.
#[cfg(feature = "postgres")]
fn copy(tx: &mut Transaction<'_>, table: CopyTable<'_>) -> Result<(), Error> {
    let mut writer = tx.copy_in(table.statement)?;
    for chunk in table.chunks {
        if writer.write_all(chunk.as_bytes()).is_err() {
            // The server refused the data; `finish` returns its error,
            // which says why.
            break;
        }
    }
    writer.finish()?;
    Ok(())
}

/// One table of a load: its `COPY ... FROM STDIN` (text format) and its
/// rows' text, in chunks of about 1 MiB of whole lines.
pub(super) struct CopyTable<'a> {
    /// The `COPY` statement.
    pub(super) statement: &'static str,
    /// The lines, chunked.
    pub(super) chunks: Box<dyn Iterator<Item = String> + Send + 'a>,
}

/// The four tables of `catalog`, in the order they are loaded.
pub(super) fn tables(catalog: &Catalog) -> [CopyTable<'_>; 4] {
    let memberships = catalog.products().iter().flat_map(|p| {
        p.node_ids
            .iter()
            .enumerate()
            .map(move |(i, node)| (p.id, node, i))
    });
    [
        CopyTable {
            statement: "COPY hierarchies (id, name) FROM STDIN",
            chunks: chunks(catalog.hierarchies(), |h, line| {
                field(line, &h.id);
                opt(line, h.name.as_deref());
            }),
        },
        CopyTable {
            statement: "COPY nodes (id, hierarchy_id, parent_id, name) FROM STDIN",
            chunks: chunks(catalog.nodes(), |n, line| {
                field(line, &n.id);
                field(line, &n.hierarchy_id);
                opt(line, n.parent_id.as_deref());
                opt(line, n.name.as_deref());
            }),
        },
        CopyTable {
            statement: "COPY products (id, sku, slug, name, upc_ean, manufacturer_part_num, \
                 description, external_ref, status, commodity_type, owner, product_types, \
                 parent_id, tags, templates, created_at, updated_at, extensions, \
                 shopper_attributes, admin_attributes) FROM STDIN",
            chunks: chunks(catalog.products(), product_line),
        },
        CopyTable {
            statement: "COPY product_nodes (product_id, node_id, ordinal) FROM STDIN",
            chunks: chunks(memberships, |(id, node, ordinal), line| {
                field(line, &id.to_string());
                field(line, node);
                field(line, &ordinal.to_string());
            }),
        },
    ]
}

/// The size a chunk of lines reaches before it is sent.
const CHUNK_BYTES: usize = 1 << 20;

/// `rows` as COPY text, one line each written by `line`, in chunks of
/// whole lines of about [`CHUNK_BYTES`] (the last one shorter, none empty).
fn chunks<'a, T: 'a>(
    rows: impl IntoIterator<Item = T, IntoIter: Send + 'a>,
    mut line: impl FnMut(T, &mut String) + Send + 'a,
) -> Box<dyn Iterator<Item = String> + Send + 'a> {
    let mut rows = rows.into_iter();
    Box::new(std::iter::from_fn(move || {
        let mut buf = String::new();
        for row in rows.by_ref() {
            line(row, &mut buf);
            // Each field ends with a tab; the last one ends the line instead.
            buf.pop();
            buf.push('\n');
            if buf.len() >= CHUNK_BYTES {
                break;
            }
        }
        (!buf.is_empty()).then_some(buf)
    }))
}

fn product_line(p: &Product, line: &mut String) {
    field(line, &p.id.to_string());
    opt(line, p.sku.as_deref());
    opt(line, p.slug.as_deref());
    opt(line, p.name.as_deref());
    opt(line, p.upc_ean.as_deref());
    opt(line, p.manufacturer_part_num.as_deref());
    opt(line, p.description.as_deref());
    opt(line, p.external_ref.as_deref());
    opt(line, p.status.map(|s| s.as_str()));
    opt(line, p.commodity_type.map(|s| s.as_str()));
    opt(line, p.owner.map(|s| s.as_str()));
    array(line, p.product_types.iter().map(|t| t.as_str()));
    opt(line, p.parent_id.map(|id| id.to_string()).as_deref());
    array(line, p.tags.iter().map(Text::as_str));
    array(line, p.templates.iter().map(Text::as_str));
    opt(line, p.created_at.map(instant).as_deref());
    opt(line, p.updated_at.map(instant).as_deref());
    let mut json = String::new();
    json.push('{');
    for (i, (template, fields)) in p.extensions.iter().enumerate() {
        if i > 0 {
            json.push(',');
        }
        json.push_str(&serde_json::Value::String(template.to_string()).to_string());
        json.push(':');
        write_attributes(fields, &mut json);
    }
    json.push('}');
    field(line, &json);
    json.clear();
    write_attributes(&p.shopper_attributes, &mut json);
    field(line, &json);
    json.clear();
    write_attributes(&p.admin_attributes, &mut json);
    field(line, &json);
}

fn instant(t: DateTime<FixedOffset>) -> String {
    t.to_rfc3339_opts(SecondsFormat::AutoSi, true)
}

/// Appends one COPY text field and its tab.
fn field(line: &mut String, text: &str) {
    for ch in text.chars() {
        match ch {
            '\\' => line.push_str("\\\\"),
            '\n' => line.push_str("\\n"),
            '\r' => line.push_str("\\r"),
            '\t' => line.push_str("\\t"),
            c => line.push(c),
        }
    }
    line.push('\t');
}

/// Appends a field that may be NULL (`\N`).
fn opt(line: &mut String, text: Option<&str>) {
    match text {
        Some(t) => field(line, t),
        None => line.push_str("\\N\t"),
    }
}

/// Appends a `text[]` field: an array literal with every element quoted.
fn array<'a>(line: &mut String, items: impl Iterator<Item = &'a str>) {
    let mut literal = String::from("{");
    for (i, item) in items.enumerate() {
        if i > 0 {
            literal.push(',');
        }
        literal.push('"');
        for ch in item.chars() {
            if matches!(ch, '"' | '\\') {
                literal.push('\\');
            }
            literal.push(ch);
        }
        literal.push('"');
    }
    literal.push('}');
    field(line, &literal);
}

/// Writes a JSON value as `pg::load` stores it: like serde_json, except
/// that a number with a positive exponent (`1e+16`) is written out in full
/// with a decimal point (`10000000000000000.0`), so that PostgreSQL's
/// `numeric` keeps it apart from an integer (see the module docs).
pub fn write_json(value: &serde_json::Value, out: &mut String) {
    use serde_json::Value;
    match value {
        Value::Number(n) => write_number(&n.to_string(), out),
        Value::Array(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_json(item, out);
            }
            out.push(']');
        }
        Value::Object(map) => write_json_object(map.iter(), out),
        other => out.push_str(&other.to_string()),
    }
}

/// Writes a JSON object from its entries (see [`write_json`]).
pub(crate) fn write_json_object<'a>(
    entries: impl Iterator<Item = (&'a String, &'a serde_json::Value)>,
    out: &mut String,
) {
    out.push('{');
    for (i, (key, value)) in entries.enumerate() {
        if i > 0 {
            out.push(',');
        }
        out.push_str(&serde_json::Value::String(key.to_string()).to_string());
        out.push(':');
        write_json(value, out);
    }
    out.push('}');
}

/// Writes free-form attributes as a JSON object, each value as written
/// (see [`write_value`]).
fn write_attributes(attributes: &Attributes, out: &mut String) {
    out.push('{');
    for (i, (key, value)) in attributes.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        out.push_str(&serde_json::Value::String(key.to_string()).to_string());
        out.push(':');
        write_value(value, out);
    }
    out.push('}');
}

/// Writes a free-form value with the exact value of every number in it,
/// read from its written text (never through `f64`, so `1E400` stays
/// 10^400 and `0.10000000000000000000001` stays itself): each number as
/// [`write_number`] spells it, everything else as written. A number that
/// `numeric` cannot hold fails the load with PostgreSQL's error; no other
/// value is ever stored in its place.
fn write_value(value: &AttributeValue, out: &mut String) {
    match value {
        AttributeValue::Null => out.push_str("null"),
        AttributeValue::Bool(true) => out.push_str("true"),
        AttributeValue::Bool(false) => out.push_str("false"),
        AttributeValue::String(s) => {
            out.push_str(&serde_json::Value::String(s.to_string()).to_string());
        }
        AttributeValue::Number(n) => write_number(n.as_str(), out),
        AttributeValue::Raw(raw) => write_raw(raw.get(), out),
    }
}

/// Copies the text of a JSON array or object (valid JSON: serde_json read
/// it), passing each number through [`write_number`]. Outside strings,
/// only a number starts with `-` or a digit.
fn write_raw(text: &str, out: &mut String) {
    let mut rest = text;
    while let Some(start) = rest.find(|c: char| c == '"' || c == '-' || c.is_ascii_digit()) {
        let (before, tail) = rest.split_at_checked(start).unwrap_or((rest, ""));
        out.push_str(before);
        let end = if tail.starts_with('"') {
            string_end(tail)
        } else {
            tail.find(|c: char| !matches!(c, '0'..='9' | '-' | '+' | '.' | 'e' | 'E'))
                .unwrap_or(tail.len())
        };
        let (token, after) = tail.split_at_checked(end).unwrap_or((tail, ""));
        if token.starts_with('"') {
            out.push_str(token);
        } else {
            write_number(token, out);
        }
        rest = after;
    }
    out.push_str(rest);
}

/// The length of the JSON string `text` starts with, quotes included (all
/// of `text` when it is not closed).
fn string_end(text: &str) -> usize {
    let mut escaped = false;
    for (i, b) in text.bytes().enumerate().skip(1) {
        match b {
            _ if escaped => escaped = false,
            b'\\' => escaped = true,
            b'"' => return i + 1,
            _ => {}
        }
    }
    text.len()
}

/// The most digits `numeric` holds before the decimal point.
const NUMERIC_MAX_WEIGHT_DIGITS: i64 = 131_072;

/// Writes a JSON number's text for `jsonb`: as written, except that a
/// non-negative exponent is written out in full with a decimal point
/// (`1e3` -> `1000.0`, `1.5E2` -> `150.0`), the same value, so that
/// `numeric` gives it a scale and the SQL number rule sees a float form.
/// An exponent beyond what `numeric` holds is written as it is (and
/// PostgreSQL refuses it), so memory stays bounded by `numeric`'s limit.
fn write_number(text: &str, out: &mut String) {
    match expand_exponent(text) {
        Some(full) => out.push_str(&full),
        None => out.push_str(text),
    }
}

/// `1.2345e+20` -> `123450000000000000000.0`; `None` when `text` has no
/// non-negative exponent (negative exponents already give `numeric` a
/// scale) or more digits before the point than `numeric` holds.
fn expand_exponent(text: &str) -> Option<String> {
    let (mantissa, exponent) = text.split_once(['e', 'E'])?;
    let exponent: i64 = exponent.parse().ok()?;
    if exponent < 0 {
        return None;
    }
    let (sign, mantissa) = match mantissa.strip_prefix('-') {
        Some(rest) => ("-", rest),
        None => ("", mantissa),
    };
    let (int, frac) = mantissa.split_once('.').unwrap_or((mantissa, ""));
    let point = i64::try_from(int.len()).ok()?.checked_add(exponent)?;
    if point > NUMERIC_MAX_WEIGHT_DIGITS {
        return None;
    }
    let point = usize::try_from(point).ok()?;
    let mut digits = String::with_capacity(point.max(int.len() + frac.len()) + 2);
    digits.push_str(int);
    digits.push_str(frac);
    if digits.len() < point {
        digits.extend(std::iter::repeat_n('0', point - digits.len()));
    }
    // The digits are ASCII, and `point <= digits.len()` here.
    let (whole, fraction) = digits.split_at_checked(point)?;
    // JSON allows no leading zeros (`0.5e3` is `500.0`, not `0500.0`).
    let whole = match whole.trim_start_matches('0') {
        "" => "0",
        w => w,
    };
    let fraction = if fraction.is_empty() { "0" } else { fraction };
    Some(format!("{sign}{whole}.{fraction}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_come_in_chunks_of_whole_lines() {
        // 3,000 lines of 1,000 bytes (999 and the newline): a chunk is
        // sent once it reaches 1 MiB, so 1,049 lines a chunk.
        let rows = (0..3_000).map(|k| format!("{k:0>999}"));
        let chunks: Vec<String> = chunks(rows, |row, line| field(line, &row)).collect();
        let lines_per_chunk = CHUNK_BYTES.div_ceil(1_000);
        assert_eq!(
            chunks.iter().map(String::len).collect::<Vec<_>>(),
            [
                lines_per_chunk * 1_000,
                lines_per_chunk * 1_000,
                (3_000 - 2 * lines_per_chunk) * 1_000
            ]
        );
        let all: String = chunks.concat();
        let expected: String = (0..3_000).map(|k| format!("{k:0>999}\n")).collect();
        assert_eq!(all, expected);
        // No rows, no chunk (not one empty chunk).
        assert_eq!(
            super::chunks(Vec::<String>::new(), |row, line| field(line, &row)).count(),
            0
        );
        // Fields: tab-separated, escaped, NULL as \N.
        let mut line = String::new();
        field(&mut line, "a\tb\\c\nd\re");
        opt(&mut line, None);
        array(&mut line, ["x\"y", "z\\"].into_iter());
        assert_eq!(
            line,
            "a\\tb\\\\c\\nd\\re\t\\N\t{\"x\\\\\"y\",\"z\\\\\\\\\"}\t"
        );
    }

    #[test]
    fn json_numbers_keep_a_decimal_point() {
        let write = |v: serde_json::Value| {
            let mut s = String::new();
            write_json(&v, &mut s);
            s
        };
        assert_eq!(write(serde_json::json!(1e16)), "10000000000000000.0");
        assert_eq!(
            write(serde_json::json!(-1.2345e20)),
            "-123450000000000000000.0"
        );
        assert_eq!(write(serde_json::json!(1.5e-7)), "1.5e-7");
        assert_eq!(write(serde_json::json!(1000.0)), "1000.0");
        assert_eq!(write(serde_json::json!(7)), "7");
        assert_eq!(
            write(serde_json::json!({"a\"": [1e20, "x", null, true]})),
            r#"{"a\"":[100000000000000000000.0,"x",null,true]}"#
        );
        assert_eq!(
            expand_exponent("1.2345678901234567e16").as_deref(),
            Some("12345678901234567.0")
        );
    }

    /// D11 (issue 27): every number of a free-form value is written with
    /// its exact value, read from its written text; never `null`, never
    /// rounded through `f64`.
    #[test]
    fn free_form_numbers_keep_their_exact_value() {
        let write = |json: &str| {
            let attributes: Attributes =
                serde_json::from_str(json).unwrap_or_else(|e| panic!("{json}: {e}"));
            let mut s = String::new();
            write_attributes(&attributes, &mut s);
            s
        };
        let big = format!("1{}.0", "0".repeat(400));
        assert_eq!(write(r#"{"a":1E400}"#), format!(r#"{{"a":{big}}}"#));
        assert_eq!(write(r#"{"a":-1E-400}"#), r#"{"a":-1E-400}"#);
        assert_eq!(
            write(r#"{"a":0.10000000000000000000001,"b":12345678901234567890123}"#),
            r#"{"a":0.10000000000000000000001,"b":12345678901234567890123}"#
        );
        assert_eq!(
            write(r#"{"a":1e3,"b":1.5E+2,"c":0.5e3,"d":0.0001e2,"e":-0,"f":1e0}"#),
            r#"{"a":1000.0,"b":150.0,"c":500.0,"d":0.01,"e":-0,"f":1.0}"#
        );
        // Inside arrays and objects too, strings (and their escapes and
        // digits) untouched, whitespace as written.
        assert_eq!(
            write(r#"{"a":[1E400, "1e3 \" -2", {"k-1": [-2.5e1, null, true]}]}"#),
            format!(r#"{{"a":[{big}, "1e3 \" -2", {{"k-1": [-25.0, null, true]}}]}}"#)
        );
        assert_eq!(
            write(r#"{"s":"x\"y","t":true,"n":null}"#),
            r#"{"s":"x\"y","t":true,"n":null}"#
        );
        // A number beyond `numeric`'s 131072 digits before the point is
        // written as it is (PostgreSQL refuses it): no unbounded expansion.
        assert_eq!(
            write(r#"{"a":1e131071}"#).len(),
            r#"{"a":}"#.len() + 131_074
        );
        assert_eq!(write(r#"{"a":1e131072}"#), r#"{"a":1e131072}"#);
        assert_eq!(
            write(r#"{"a":1e99999999999999999999}"#),
            r#"{"a":1e99999999999999999999}"#
        );
    }
}
