//! Random catalogs with hostile and edge values, and random valid filters
//! built from a catalog's own values, for the differential tests.
//!
//! Everything is driven by a [`SplitMix64`] seeded from proptest, so a
//! failing case is reproduced by its seed.

use catalog_filter::Limits;
use catalog_filter::catalog::AttributeValue;
use catalog_filter::catalog::{Catalog, Product};
use catalog_filter::schema::{CommodityType, Owner, ProductType, Status};
use catalog_filter::synthetic::{self, SplitMix64};
use chrono::{SecondsFormat, Utc};
use serde_json::{Value, json};

/// Limits for the tests: long values are part of what is tested.
pub const LIMITS: Limits = Limits {
    max_filter_bytes: 1 << 20,
    ..Limits::DEFAULT
};

/// Text that must be matched literally: SQL and LIKE metacharacters,
/// quotes, backslashes, stars, spaces, and a long string.
pub fn hostile_texts() -> Vec<String> {
    let mut v: Vec<String> = [
        "'",
        "''",
        "''; DROP TABLE products; --",
        "'); DELETE FROM product_nodes; --",
        "\\",
        "\\\\",
        "a\\%b",
        "%",
        "_",
        "50%_off",
        "%%",
        "*",
        "a*b",
        "**x**",
        "",
        " ",
        "\"quoted\"",
        "$1",
        "{a,b}",
        "NULL",
        "Crème brûlée",
        "ß",
        "tab\there",
        "line\nbreak",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    v.push("x".repeat(20_000));
    v.push(format!("{}%{}", "y".repeat(5_000), "_".repeat(5_000)));
    v
}

/// JSON values whose text forms test the number, boolean and string rules.
pub fn edge_json() -> Vec<Value> {
    vec![
        json!(10),
        json!(10.0),
        json!(1000.0),
        json!(1e16),
        json!(1.2345e20),
        json!(1.5e-7),
        json!(0.1),
        json!(u64::MAX),
        json!(i64::MIN),
        json!(-3),
        json!("10"),
        json!("10.0"),
        json!("true"),
        json!(true),
        json!(false),
        json!(null),
        json!([1, 2]),
        json!({"a": 1}),
        json!(""),
        json!("''; DROP TABLE products; --"),
        json!("%_\\"),
    ]
}

/// The text form the evaluator gives a JSON value (`None`: never matches).
pub fn json_text(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

/// A synthetic catalog with hostile and edge values put into some products.
pub fn catalog(seed: u64, products: usize, nodes: usize) -> Catalog {
    let mut snapshot = synthetic::snapshot(seed, products, nodes);
    let mut rng = SplitMix64::new(seed ^ 0x5eed);
    let hostile = hostile_texts();
    let edges = edge_json();
    for p in &mut snapshot.products {
        if !rng.chance(15) {
            continue;
        }
        let text = rng.pick(&hostile).cloned().unwrap_or_default();
        match rng.below(7) {
            0 => p.name = Some(text.into()),
            1 => p.tags.push(text.into()),
            2 => p.external_ref = Some(text.into()),
            3 => p.description = Some(text.into()),
            4 => p.sku = None,
            5 => p.tags.clear(),
            _ => p.slug = Some(text.into()),
        }
        if rng.chance(50) {
            let v = rng.pick(&edges).cloned().unwrap_or(Value::Null);
            p.shopper_attributes.insert("edge".into(), v.clone());
            p.extensions
                .get_or_insert_default("edge")
                .insert("v".into(), v);
        }
        if rng.chance(20) {
            // Sub-millisecond instants (microseconds: what timestamptz keeps).
            if let Some(t) = p.created_at {
                let micros = rng.below(1000) as i64;
                p.created_at = Some(t + chrono::Duration::microseconds(micros));
            }
        }
        p.tags.dedup();
    }
    match Catalog::new(snapshot) {
        Ok(c) => c,
        Err(e) => panic!("generated catalog is invalid: {e}"),
    }
}

/// A filter value, always quoted (control characters, which filters cannot
/// hold, become `?`).
pub fn quote(v: &str) -> String {
    let mut out = String::from("\"");
    for c in v.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if c.is_control() => out.push('?'),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// A random valid filter of 1 to 3 conditions over `catalog`'s values.
pub fn filter(rng: &mut SplitMix64, catalog: &Catalog) -> String {
    let n = 1 + rng.below(3);
    (0..n)
        .map(|_| condition(rng, catalog))
        .collect::<Vec<_>>()
        .join(":")
}

fn product<'a>(rng: &mut SplitMix64, catalog: &'a Catalog) -> Option<&'a Product> {
    rng.pick(catalog.products())
}

/// Some text from the catalog (or a hostile one), sometimes altered a
/// little so that it (probably) matches nothing.
fn text_value(rng: &mut SplitMix64, actual: Option<&str>) -> String {
    let base = match actual {
        Some(s) if !rng.chance(10) => s.to_owned(),
        _ => rng.pick(&hostile_texts()).cloned().unwrap_or_default(),
    };
    match rng.below(10) {
        0 => base.to_uppercase(),
        1 => format!("{base}x"),
        _ => base,
    }
}

/// A `like` pattern built from `value`: contains / starts / ends / equals /
/// any, over a random slice of it.
fn like_pattern(rng: &mut SplitMix64, value: &str) -> String {
    let chars: Vec<char> = value.chars().collect();
    let a = rng.below(chars.len() + 1);
    let b = a + rng.below(chars.len() - a + 1);
    let slice: String = chars
        .get(a..b)
        .map(|s| s.iter().collect())
        .unwrap_or_default();
    let prefix: String = chars.iter().take(b).collect();
    let suffix: String = chars.iter().skip(a).collect();
    match rng.below(7) {
        0 => format!("*{slice}*"),
        1 => format!("{prefix}*"),
        2 => format!("*{suffix}"),
        3 => value.to_owned(),
        4 => "*".into(),
        5 => format!("*{}*", slice.to_lowercase()),
        _ => format!("{slice}*{slice}"),
    }
}

const TEXT_FIELDS: &[&str] = &[
    "sku",
    "slug",
    "upc_ean",
    "manufacturer_part_num",
    "name",
    "external_ref",
    "description",
];

fn text_field<'a>(p: &'a Product, name: &str) -> Option<&'a str> {
    match name {
        "sku" => p.sku.as_deref(),
        "slug" => p.slug.as_deref(),
        "upc_ean" => p.upc_ean.as_deref(),
        "manufacturer_part_num" => p.manufacturer_part_num.as_deref(),
        "name" => p.name.as_deref(),
        "external_ref" => p.external_ref.as_deref(),
        _ => p.description.as_deref(),
    }
}

fn condition(rng: &mut SplitMix64, catalog: &Catalog) -> String {
    let Some(p) = product(rng, catalog) else {
        return "eq(has_nodes,false)".into();
    };
    match rng.below(16) {
        0..=3 => {
            let field = *rng.pick(TEXT_FIELDS).unwrap_or(&"name");
            let value = text_value(rng, text_field(p, field));
            let ordering = field == "external_ref";
            match rng.below(if ordering { 7 } else { 3 }) {
                0 => format!("eq({field},{})", quote(&value)),
                1 => format!("like({field},{})", quote(&like_pattern(rng, &value))),
                2 if field != "description" => {
                    let other = product(rng, catalog).and_then(|q| text_field(q, field));
                    let other = text_value(rng, other);
                    format!("in({field},{},{})", quote(&value), quote(&other))
                }
                2 => format!("eq({field},{})", quote(&value)),
                k => {
                    let op = ["gt", "ge", "lt", "le"][k - 3];
                    format!("{op}({field},{})", quote(&value))
                }
            }
        }
        4 | 5 => {
            let actual = rng.pick(&p.tags).map(|t| t.as_str());
            let tag = text_value(rng, actual);
            match rng.below(3) {
                0 => format!("eq(tags,{})", quote(&tag)),
                1 => format!("like(tags,{})", quote(&like_pattern(rng, &tag))),
                _ => format!("in(tags,{},sale,new)", quote(&tag)),
            }
        }
        6 => {
            let t = p
                .templates
                .first()
                .cloned()
                .unwrap_or_else(|| "book".into());
            format!("eq(templates,{})", quote(&t))
        }
        7 => {
            let s = rng.pick(Status::ALL).copied().unwrap_or(Status::Live);
            let c = rng
                .pick(CommodityType::ALL)
                .copied()
                .unwrap_or(CommodityType::Physical);
            let o = rng.pick(Owner::ALL).copied().unwrap_or(Owner::Store);
            match rng.below(3) {
                0 => format!("eq(status,{s})"),
                1 => format!("eq(commodity_type,{c})"),
                _ => format!("eq(owner,{o})"),
            }
        }
        8 => {
            let a = rng
                .pick(ProductType::ALL)
                .copied()
                .unwrap_or(ProductType::Standard);
            let b = rng
                .pick(ProductType::ALL)
                .copied()
                .unwrap_or(ProductType::Bundle);
            if rng.chance(50) {
                format!("eq(product_types,{a})")
            } else {
                format!("in(product_types,{a},{b})")
            }
        }
        9 => "eq(has_nodes,false)".into(),
        10 => {
            let id = if rng.chance(80) { p.id } else { rng.uuid() };
            let other = product(rng, catalog).map_or(id, |q| q.id);
            match rng.below(6) {
                0 => format!("eq(id,{id})"),
                1 => format!("in(id,{id},{other})"),
                k => format!("{}(id,{id})", ["gt", "ge", "lt", "le"][k - 2]),
            }
        }
        11 => {
            let id = p.parent_id.unwrap_or_else(|| rng.uuid());
            format!("eq(parent_id,{})", id.to_string().to_uppercase())
        }
        12 | 13 => {
            let field = if rng.chance(50) {
                "created_at"
            } else {
                "updated_at"
            };
            let t = if field == "created_at" {
                p.created_at
            } else {
                p.updated_at
            };
            let t = t.unwrap_or_else(|| "2021-06-01T00:00:00Z".parse().unwrap_or_default());
            let value = match rng.below(6) {
                0 => t.to_rfc3339(),
                1 => t
                    .with_timezone(&Utc)
                    .to_rfc3339_opts(SecondsFormat::AutoSi, true),
                2 => t.timestamp_millis().max(0).to_string(),
                3 => t.format("%Y-%m-%d").to_string(),
                4 => (t + chrono::Duration::nanoseconds(1 + rng.below(999) as i64))
                    .to_rfc3339_opts(SecondsFormat::Nanos, true),
                _ => (t - chrono::Duration::nanoseconds(1 + rng.below(999) as i64))
                    .to_rfc3339_opts(SecondsFormat::Nanos, true),
            };
            let op = *rng.pick(&["eq", "gt", "ge", "lt", "le"]).unwrap_or(&"eq");
            format!("{op}({field},{})", quote(&value))
        }
        _ => json_condition(rng, catalog, p),
    }
}

fn json_condition(rng: &mut SplitMix64, catalog: &Catalog, p: &Product) -> String {
    let edges = edge_json();
    let value_text = |rng: &mut SplitMix64, v: Option<&AttributeValue>| -> String {
        match v.and_then(|v| v.text().map(str::to_owned)) {
            Some(t) if !rng.chance(15) => t,
            _ => rng
                .pick(&edges)
                .and_then(json_text)
                .unwrap_or_else(|| "1e3".into()),
        }
    };
    match rng.below(3) {
        0 => {
            let (template, fields) = match p
                .extensions
                .iter()
                .nth(rng.below(p.extensions.len().max(1)))
            {
                Some((t, f)) => (t.to_string(), Some(f)),
                None => ("book".to_owned(), None),
            };
            let (field, v) = match fields.and_then(|f| f.iter().nth(rng.below(f.len().max(1)))) {
                Some((k, v)) => (k.to_string(), Some(v)),
                None => ("isbn".to_owned(), None),
            };
            let text = value_text(rng, v);
            format!("eq(extensions.{template}.{field},{})", quote(&text))
        }
        k => {
            let attrs = if k == 1 {
                &p.shopper_attributes
            } else {
                &p.admin_attributes
            };
            let name = if k == 1 {
                "shopper_attributes"
            } else {
                "admin_attributes"
            };
            let other = product(rng, catalog).map(|q| {
                if k == 1 {
                    &q.shopper_attributes
                } else {
                    &q.admin_attributes
                }
            });
            let attrs = if attrs.is_empty() {
                other.unwrap_or(attrs)
            } else {
                attrs
            };
            let (field, v) = match attrs.iter().nth(rng.below(attrs.len().max(1))) {
                Some((f, v)) => (f.to_string(), Some(v)),
                None => ("edge".to_owned(), None),
            };
            let text = value_text(rng, v);
            format!("eq({name}.{field},{})", quote(&text))
        }
    }
}

/// Requested detach ids: nodes, the first node, hierarchies, hostile and
/// unknown ids, repeats.
pub fn node_ids(rng: &mut SplitMix64, catalog: &Catalog) -> Vec<String> {
    let n = 1 + rng.below(6);
    let hostile = hostile_texts();
    let mut ids: Vec<String> = Vec::new();
    for _ in 0..n {
        let id = match rng.below(10) {
            0..=4 => rng.pick(catalog.nodes()).map(|n| n.id.clone()),
            5 => catalog.node_at(0).map(|n| n.id.clone()),
            6 => rng.pick(catalog.hierarchies()).map(|h| h.id.clone()),
            7 => rng.pick(&hostile).cloned(),
            8 => ids.last().cloned(),
            _ => Some(rng.uuid().to_string()),
        };
        ids.push(id.unwrap_or_else(|| "missing".into()));
    }
    ids
}

/// Conditions with the operators detach_nodes lacks, on values of `catalog`
/// (for the every-operator schema).
pub fn extra_condition(rng: &mut SplitMix64, catalog: &Catalog) -> String {
    let p = rng.pick(catalog.products());
    let word = |rng: &mut SplitMix64, s: Option<&str>| {
        let words: Vec<&str> = s.unwrap_or("shoe").split(' ').collect();
        rng.pick(&words).copied().unwrap_or("shoe").to_owned()
    };
    let tag = |rng: &mut SplitMix64| {
        p.and_then(|p| rng.pick(&p.tags))
            .map_or("sale".to_owned(), |t| t.to_string())
    };
    let quote = |s: String| format!("\"{}\"", s.replace('\\', "\\\\").replace('"', "\\\""));
    match rng.below(9) {
        0 => format!(
            "ilike(name,{})",
            quote(format!(
                "*{}*",
                word(rng, p.and_then(|p| p.name.as_deref())).to_uppercase()
            ))
        ),
        1 => format!(
            "text(description,{})",
            quote(word(rng, p.and_then(|p| p.description.as_deref())))
        ),
        2 => format!("contains(tags,{})", quote(tag(rng))),
        3 => format!("contains_any(tags,{},new)", quote(tag(rng))),
        4 => format!("contains_all(tags,{},{})", quote(tag(rng)), quote(tag(rng))),
        5 => format!(
            "is_null({})",
            rng.pick(&[
                "description",
                "external_ref",
                "parent_id",
                "created_at",
                "tags",
                "status",
                "extensions.books.isbn",
                "has_nodes"
            ])
            .copied()
            .unwrap_or("sku")
        ),
        6 => format!(
            "gt(updated_at,2023-0{}-01T00:00:00+02:00)",
            1 + rng.below(9)
        ),
        7 => format!("le(id,{})", p.map_or(uuid::Uuid::nil(), |p| p.id)),
        _ => format!(
            "lt(name,{})",
            quote(word(rng, p.and_then(|p| p.name.as_deref())))
        ),
    }
}

/// A filter over the every-operator schema: ANDs of conditions and OR
/// groups of them.
pub fn every_operator_filter(rng: &mut SplitMix64, catalog: &Catalog) -> String {
    let term = |rng: &mut SplitMix64| {
        if rng.chance(50) {
            filter(rng, catalog)
        } else {
            extra_condition(rng, catalog)
        }
    };
    let terms: Vec<String> = (0..1 + rng.below(2))
        .map(|_| {
            if rng.chance(40) {
                let a = term(rng);
                let b = term(rng);
                format!("({a}|{b})")
            } else {
                term(rng)
            }
        })
        .collect();
    terms.join(":")
}

/// The in-memory detach plan for `request` as (response JSON, removed
/// `(product, node)` memberships sorted), or the error envelope's JSON:
/// what the other back ends' plans are compared with.
pub fn planned(
    catalog: &Catalog,
    request: &catalog_filter::elasticpath::detach::DetachNodesRequest,
    limits: &Limits,
) -> Result<(String, Vec<(uuid::Uuid, String)>), String> {
    match catalog_filter::elasticpath::detach::plan(catalog, request, limits) {
        Ok(plan) => {
            let mut removals: Vec<(uuid::Uuid, String)> = plan
                .changes()
                .flat_map(|c| {
                    c.removed_node_ids(catalog)
                        .map(move |n| (c.product_id, n.to_owned()))
                        .collect::<Vec<_>>()
                })
                .collect();
            removals.sort_unstable();
            Ok((
                serde_json::to_string(&plan.response).unwrap_or_default(),
                removals,
            ))
        }
        Err(envelope) => Err(serde_json::to_string(&envelope).unwrap_or_default()),
    }
}
