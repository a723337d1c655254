//! Loading a catalog into the reference schema: the tables, `COPY` in text
//! format, and the JSON form of the extension columns.

use crate::catalog::{Catalog, Product};
use crate::json::{Attributes, Text};
use crate::sql::SCHEMA;
use chrono::{DateTime, FixedOffset, SecondsFormat};
use postgres::{Client, Transaction};
use std::io::Write as _;

use super::Error;

/// Creates the reference schema's tables and indexes (idempotent).
pub fn create_schema(client: &mut Client) -> Result<(), Error> {
    client.batch_execute(SCHEMA)
}

/// Empties the four tables.
pub fn clear(client: &mut Client) -> Result<(), Error> {
    client.batch_execute("TRUNCATE product_nodes, products, nodes, hierarchies")
}

/// Copies `catalog` into the (empty) tables, in one transaction: either
/// everything is loaded or nothing is.
pub fn load(client: &mut Client, catalog: &Catalog) -> Result<(), Error> {
    let mut tx = client.transaction()?;
    copy(
        &mut tx,
        "COPY hierarchies (id, name) FROM STDIN",
        catalog.hierarchies(),
        |h, line| {
            field(line, &h.id);
            opt(line, h.name.as_deref());
        },
    )?;
    copy(
        &mut tx,
        "COPY nodes (id, hierarchy_id, parent_id, name) FROM STDIN",
        catalog.nodes(),
        |n, line| {
            field(line, &n.id);
            field(line, &n.hierarchy_id);
            opt(line, n.parent_id.as_deref());
            opt(line, n.name.as_deref());
        },
    )?;
    copy(
        &mut tx,
        "COPY products (id, sku, slug, name, upc_ean, manufacturer_part_num, description, \
         external_ref, status, commodity_type, owner, product_types, parent_id, tags, \
         templates, created_at, updated_at, extensions, shopper_attributes, admin_attributes) \
         FROM STDIN",
        catalog.products(),
        product_line,
    )?;
    let memberships = catalog.products().iter().flat_map(|p| {
        p.node_ids
            .iter()
            .enumerate()
            .map(move |(i, node)| (p.id, node, i))
    });
    copy(
        &mut tx,
        "COPY product_nodes (product_id, node_id, ordinal) FROM STDIN",
        memberships,
        |(id, node, ordinal), line| {
            field(line, &id.to_string());
            field(line, node);
            field(line, &ordinal.to_string());
        },
    )?;
    tx.commit()
}

/// Streams `rows` into `statement` (a `COPY ... FROM STDIN` in text format),
/// one line each, written by `line`.
fn copy<T>(
    tx: &mut Transaction<'_>,
    statement: &str,
    rows: impl IntoIterator<Item = T>,
    mut line: impl FnMut(T, &mut String),
) -> Result<(), Error> {
    let mut writer = tx.copy_in(statement)?;
    let mut buf = String::with_capacity(1 << 20);
    let mut written = true;
    for row in rows {
        line(row, &mut buf);
        // Each field ends with a tab; the last one ends the line instead.
        buf.pop();
        buf.push('\n');
        if buf.len() >= 1 << 20 {
            written = writer.write_all(buf.as_bytes()).is_ok();
            if !written {
                break;
            }
            buf.clear();
        }
    }
    if written {
        // A failed write means the server refused the data; `finish`
        // returns the server's error, which says why.
        let _ = writer.write_all(buf.as_bytes());
    }
    writer.finish()?;
    Ok(())
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
/// that a float printed with a positive exponent (`1e+16`) is written out in
/// full with a decimal point (`10000000000000000.0`), so that PostgreSQL's
/// `numeric` keeps it apart from an integer (see the module docs).
pub fn write_json(value: &serde_json::Value, out: &mut String) {
    use serde_json::Value;
    match value {
        Value::Number(n) if n.is_f64() => {
            let text = n.to_string();
            match expand_exponent(&text) {
                Some(full) => out.push_str(&full),
                None => out.push_str(&text),
            }
        }
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

/// Writes free-form attributes as a JSON object (see [`write_json`]): each
/// value as serde_json reads its text.
fn write_attributes(attributes: &Attributes, out: &mut String) {
    out.push('{');
    for (i, (key, value)) in attributes.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        out.push_str(&serde_json::Value::String(key.to_string()).to_string());
        out.push(':');
        write_json(&value.to_json_value(), out);
    }
    out.push('}');
}

/// `1.2345e+20` -> `123450000000000000000.0`; `None` when `text` has no
/// positive exponent (negative exponents already give `numeric` a scale).
fn expand_exponent(text: &str) -> Option<String> {
    let (mantissa, exponent) = text.split_once(['e', 'E'])?;
    let exponent: i64 = exponent.trim_start_matches('+').parse().ok()?;
    if exponent < 0 {
        return None;
    }
    let (sign, mantissa) = match mantissa.strip_prefix('-') {
        Some(rest) => ("-", rest),
        None => ("", mantissa),
    };
    let (int, frac) = mantissa.split_once('.').unwrap_or((mantissa, ""));
    let digits = format!("{int}{frac}");
    let point = int.len() as i64 + exponent;
    let len = digits.len() as i64;
    let mut out = String::with_capacity(digits.len() + 24);
    out.push_str(sign);
    if point >= len {
        out.push_str(&digits);
        out.extend(std::iter::repeat_n('0', (point - len) as usize));
        out.push_str(".0");
    } else {
        // `0 <= point < len` here, and the digits are ASCII.
        let point = usize::try_from(point).ok()?;
        out.push_str(digits.get(..point)?);
        out.push('.');
        out.push_str(digits.get(point..)?);
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

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
}
