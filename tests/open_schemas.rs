//! Runtime schemas against a real PostgreSQL (the harness of
//! `support/pg_server.rs`): a schema defined in JSON validates filters,
//! evaluates them over JSON records, and renders SQL that selects the same
//! records from a table holding them.
//!
//! - the vendor's orders matrix, with columns and JSON paths;
//! - a differential proptest over a schema allowing all 13 operators and OR
//!   groups (64 record sets x 40 filters);
//! - `ilike` and `text` on generated English text with ASCII and Latin-1
//!   letters, and `text` over a corpus of 1,200 sentences.
//!
//! The databases are created with `LC_CTYPE 'C.UTF-8'`: under `LC_CTYPE=C`
//! PostgreSQL lower-cases and tokenizes ASCII letters only, so `ilike` and
//! `text` would differ on non-ASCII letters (a documented residual
//! difference). Generated text has no digits, hyphens, apostrophes, e-mails
//! or URLs: PostgreSQL's parser keeps `a-b`, `x@y.z` and URLs whole and
//! files words with digits under the `simple` dictionary (not stemmed).
#![cfg(feature = "postgres")]

// Only the server and `quote` of the shared helpers are used here.
#[allow(dead_code)]
mod support;

use catalog_filter::ValidFilter;
use catalog_filter::schema::Schema;
use catalog_filter::sql::{RenderOptions, pg, render_with};
use catalog_filter::synthetic::SplitMix64;
use catalog_filter::validate::TextQuery;
use postgres::Client;
use proptest::test_runner::{Config, TestCaseError, TestRunner};
use serde_json::{Map, Value, json};
use std::cell::{Cell, RefCell};
use support::generate::quote;
use support::pg_server;

/// A database whose character classes are Unicode's (see the module docs),
/// and the server, which runs while the handle lives.
fn utf8_database() -> (&'static pg_server::PgServer, Client) {
    static N: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    let server = pg_server::shared();
    let name = format!(
        "cf_open_{}_{}",
        std::process::id(),
        N.fetch_add(1, std::sync::atomic::Ordering::Relaxed)
    );
    let mut admin = server.connect("postgres");
    admin
        .batch_execute(&format!(
            "CREATE DATABASE {name} TEMPLATE template0 ENCODING 'UTF8' LC_COLLATE 'C' LC_CTYPE 'C.UTF-8'"
        ))
        .unwrap_or_else(|e| panic!("CREATE DATABASE {name}: {e}"));
    let client = server.connect(&name);
    (server, client)
}

/// The ids of the rows `filter` selects from `table`.
fn select(client: &mut Client, table: &str, filter: &ValidFilter) -> Result<Vec<i32>, String> {
    let options = RenderOptions {
        products: table.into(),
        ..RenderOptions::default()
    };
    let sql = render_with(filter, &options);
    let query = format!("SELECT id FROM {table} WHERE {} ORDER BY id", sql.sql_where);
    let rows = client
        .query(&query, &pg::bind(&sql.params))
        .map_err(|e| format!("{query}: {e:?}"))?;
    Ok(rows.iter().map(|r| r.get(0)).collect())
}

/// The ids of the records `filter` matches in memory.
fn in_memory(records: &[Map<String, Value>], filter: &ValidFilter) -> Vec<i32> {
    records
        .iter()
        .filter(|r| filter.matches(*r))
        .filter_map(|r| r.get("id").and_then(Value::as_i64))
        .map(|id| id as i32)
        .collect()
}

const ORDERS: &str = r#"{
  "name": "orders",
  "allow_or": true,
  "limits": {"max_complexity": 4},
  "attributes": {
    "status":        {"type": "enum", "values": ["incomplete", "complete", "processing", "cancelled"], "operators": ["eq"]},
    "email":         {"type": "text", "operators": ["eq", "like"]},
    "contact.name":  {"type": "text", "operators": ["eq", "like"], "sql": {"json": ["contact", "name"]}},
    "contact.email": {"type": "text", "operators": ["eq", "like"], "sql": {"json": ["contact", "email"]}},
    "with_tax":      {"type": "integer", "operators": ["gt", "ge", "lt", "le"]},
    "currency":      {"type": "text", "operators": ["eq"]},
    "created_at":    {"type": "instant", "operators": ["eq", "gt", "ge", "lt", "le"], "sql": {"column": "created"}}
  }
}"#;

#[test]
fn orders_schema_in_json_agrees_with_postgres() {
    let schema = Schema::from_json(ORDERS).unwrap();
    let records: Vec<Map<String, Value>> = [
        json!({"id": 1, "status": "complete", "email": "ann@example.com", "contact": {"name": "Ann", "email": "ann@example.com"}, "with_tax": 1250, "currency": "USD", "created_at": "2024-01-02T10:00:00Z"}),
        json!({"id": 2, "status": "processing", "email": "bob@shop.test", "contact": {"name": "Bob"}, "with_tax": 999, "currency": "EUR", "created_at": "2024-03-01T00:00:00+02:00"}),
        json!({"id": 3, "status": "cancelled", "email": "cy@example.com", "with_tax": 40000, "currency": "USD"}),
        json!({"id": 4, "status": "incomplete", "contact": {"name": "Dee", "email": "dee@example.org"}, "created_at": "2023-12-31T23:59:59Z"}),
    ]
    .into_iter()
    .map(|v| v.as_object().cloned().unwrap())
    .collect();
    let (_server, mut client) = utf8_database();
    client
        .batch_execute(
            "CREATE TABLE orders (id int PRIMARY KEY, status text, email text, contact jsonb, \
             with_tax bigint, currency text, created timestamptz)",
        )
        .unwrap();
    for r in &records {
        let text = |k: &str| r.get(k).and_then(Value::as_str).map(str::to_owned);
        let contact = r.get("contact").map(Value::to_string);
        let created = r
            .get("created_at")
            .and_then(Value::as_str)
            .map(|s| chrono::DateTime::parse_from_rfc3339(s).unwrap().to_utc());
        client
            .execute(
                "INSERT INTO orders VALUES ($1, $2, $3, $4::text::jsonb, $5, $6, $7)",
                &[
                    &(r["id"].as_i64().unwrap() as i32),
                    &text("status"),
                    &text("email"),
                    &contact,
                    &r.get("with_tax").and_then(Value::as_i64),
                    &text("currency"),
                    &created,
                ],
            )
            .unwrap();
    }
    for (filter, want) in [
        ("eq(status,complete)", &[1][..]),
        (
            "(eq(status,complete)|eq(status,cancelled)):eq(currency,USD)",
            &[1, 3],
        ),
        ("like(email,*@example.com)", &[1, 3]),
        ("like(contact.email,*@example.*)", &[1, 4]),
        ("eq(contact.name,Bob)", &[2]),
        ("gt(with_tax,1000)", &[1, 3]),
        ("(le(with_tax,999)|like(contact.name,D*))", &[2, 4]),
        ("ge(created_at,2024-01-01)", &[1, 2]),
        // Order 2 is 2024-02-29T22:00:00Z.
        ("lt(created_at,2024-02-29T23:00:00Z)", &[1, 2, 4]),
    ] {
        let f = schema
            .compile(filter)
            .unwrap_or_else(|e| panic!("{filter}: {e}"));
        assert_eq!(in_memory(&records, &f), want, "{filter} in memory");
        assert_eq!(
            select(&mut client, "orders", &f).unwrap(),
            want,
            "{filter} in PostgreSQL"
        );
    }
    // Validation against the same schema: every problem, with spans.
    let input = "eq(satus,complete):like(with_tax,1*):eq(status,done)";
    let err = schema.compile(input).unwrap_err();
    assert_eq!(
        err.to_string(),
        "unknown attribute `satus`; did you mean `status`?; \
         operator `like` is not supported for `with_tax`; supported: gt, ge, lt, le; \
         invalid value `done` for `status`: expected one of incomplete, complete, processing, cancelled"
    );
    let too_complex = "(eq(currency,a)|eq(currency,b)|eq(currency,c)):(eq(email,a)|eq(email,b))";
    assert!(schema.compile(too_complex).is_err());
}

/// A schema allowing every operator of the language, OR groups, no
/// complexity cap.
const ITEMS: &str = r#"{
  "name": "items",
  "allow_or": true,
  "limits": {"max_complexity": 0},
  "attributes": {
    "name":      {"type": "text", "operators": ["eq", "in", "like", "ilike", "text", "gt", "ge", "lt", "le", "is_null"]},
    "tags":      {"type": "text_list", "operators": ["eq", "in", "like", "ilike", "contains", "contains_any", "contains_all", "is_null"]},
    "kind":      {"type": "enum", "values": ["a", "b", "c"], "operators": ["eq", "in", "is_null"]},
    "qty":       {"type": "integer", "operators": ["eq", "in", "gt", "ge", "lt", "le", "is_null"]},
    "price":     {"type": "decimal", "operators": ["eq", "in", "gt", "ge", "lt", "le", "is_null"], "sql": {"json": ["extra", "price"]}},
    "active":    {"type": "boolean", "operators": ["eq", "in", "is_null"]},
    "ref":       {"type": "uuid", "operators": ["eq", "in", "gt", "ge", "lt", "le", "is_null"]},
    "at":        {"type": "instant", "operators": ["eq", "gt", "ge", "lt", "le", "is_null"]},
    "labels":    {"type": "enum_list", "values": ["x", "y", "z"], "operators": ["eq", "in", "contains", "contains_any", "contains_all", "is_null"], "sql": {"json": ["extra", "labels"]}},
    "doc.<key>": {"type": "text", "operators": ["eq", "in", "like", "ilike", "is_null"]}
  }
}"#;

/// English words, some with Latin-1 letters, some stop words, some
/// inflections of one another.
const WORDS: &[&str] = &[
    "the",
    "and",
    "of",
    "shoe",
    "shoes",
    "running",
    "runs",
    "run",
    "runner",
    "café",
    "cafés",
    "naïve",
    "façade",
    "über",
    "Élan",
    "résumé",
    "jalapeño",
    "crème",
    "brûlée",
    "Ångström",
    "garçon",
    "piñata",
    "smörgåsbord",
    "cooking",
    "cooked",
    "cook",
    "quickly",
    "quick",
    "jumps",
    "jumped",
    "over",
    "lazy",
    "dogs",
    "dog",
    "is",
    "was",
    "bright",
    "BRIGHTER",
    "Straße",
    "œuvre",
    "ÉCOLE",
    "école",
    "déjà",
    "vu",
    "Zoë",
    "Noël",
];

/// A sentence of 1 to 7 words, with random capitals.
fn sentence(rng: &mut SplitMix64) -> String {
    let n = 1 + rng.below(7);
    (0..n)
        .map(|_| {
            let w = *rng.pick(WORDS).unwrap_or(&"x");
            match rng.below(4) {
                0 => w.to_uppercase(),
                1 => {
                    let mut c = w.chars();
                    c.next()
                        .map(|f| f.to_uppercase().chain(c).collect())
                        .unwrap_or_default()
                }
                _ => w.to_owned(),
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
}

fn uuid_of(n: u64) -> String {
    format!("00000000-0000-4000-8000-{n:012x}")
}

/// A record of the `items` schema; fields are absent at random.
fn item(rng: &mut SplitMix64, id: i32) -> Map<String, Value> {
    let mut r = Map::new();
    r.insert("id".into(), json!(id));
    let maybe = |r: &mut Map<String, Value>, k: &str, v: Value, rng: &mut SplitMix64| {
        if rng.chance(85) {
            r.insert(k.into(), v);
        }
    };
    let v = json!(sentence(rng));
    maybe(&mut r, "name", v, rng);
    let tags: Vec<String> = (0..rng.below(4)).map(|_| sentence(rng)).collect();
    maybe(&mut r, "tags", json!(tags), rng);
    let v = json!(["a", "b", "c"][rng.below(3)]);
    maybe(&mut r, "kind", v, rng);
    let v = json!(rng.below(20) as i64 - 5);
    maybe(&mut r, "qty", v, rng);
    let price = [
        json!(1.5),
        json!(2),
        json!(0.25),
        json!(10.0),
        json!(-3.75),
        json!(2.50),
    ];
    let v = price[rng.below(price.len())].clone();
    maybe(&mut r, "price", v, rng);
    let v = json!(rng.chance(50));
    maybe(&mut r, "active", v, rng);
    let v = json!(uuid_of(rng.below(6) as u64));
    maybe(&mut r, "ref", v, rng);
    let v = json!(format!(
        "2024-0{}-1{}T0{}:00:00Z",
        1 + rng.below(3),
        rng.below(3),
        rng.below(3)
    ));
    maybe(&mut r, "at", v, rng);
    let labels: Vec<&str> = ["x", "y", "z"]
        .into_iter()
        .filter(|_| rng.chance(50))
        .collect();
    maybe(&mut r, "labels", json!(labels), rng);
    let mut doc = Map::new();
    for key in ["color", "size"] {
        if rng.chance(70) {
            doc.insert(key.into(), json!(sentence(rng)));
        }
    }
    maybe(&mut r, "doc", Value::Object(doc), rng);
    r
}

fn load_items(client: &mut Client, records: &[Map<String, Value>]) {
    client
        .batch_execute(
            "DROP TABLE IF EXISTS items; CREATE TABLE items (id int PRIMARY KEY, name text, \
             tags text[], kind text, qty bigint, active boolean, ref uuid, at timestamptz, \
             extra jsonb, doc jsonb)",
        )
        .unwrap();
    for r in records {
        let text = |k: &str| r.get(k).and_then(Value::as_str).map(str::to_owned);
        let tags: Option<Vec<String>> = r.get("tags").and_then(Value::as_array).map(|a| {
            a.iter()
                .filter_map(Value::as_str)
                .map(str::to_owned)
                .collect()
        });
        let mut extra = Map::new();
        for k in ["price", "labels"] {
            if let Some(v) = r.get(k) {
                extra.insert(k.into(), v.clone());
            }
        }
        let extra = Value::Object(extra).to_string();
        let doc = r.get("doc").map(Value::to_string);
        let reference = text("ref").map(|s| uuid::Uuid::parse_str(&s).unwrap());
        let at = text("at").map(|s| chrono::DateTime::parse_from_rfc3339(&s).unwrap().to_utc());
        client
            .execute(
                "INSERT INTO items VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9::text::jsonb, $10::text::jsonb)",
                &[
                    &(r["id"].as_i64().unwrap() as i32),
                    &text("name"),
                    &tags,
                    &text("kind"),
                    &r.get("qty").and_then(Value::as_i64),
                    &r.get("active").and_then(Value::as_bool),
                    &reference,
                    &at,
                    &extra,
                    &doc,
                ],
            )
            .unwrap();
    }
}

/// Some text of the records' values of `key` (one of a list's elements).
fn some_text(rng: &mut SplitMix64, records: &[Map<String, Value>], key: &str) -> String {
    let r = &records[rng.below(records.len())];
    let v = match key.split_once('.') {
        Some((a, b)) => r.get(a).and_then(|d| d.get(b)),
        None => r.get(key),
    };
    match v {
        Some(Value::String(s)) => s.clone(),
        Some(Value::Array(a)) if !a.is_empty() => match &a[rng.below(a.len())] {
            Value::String(s) => s.clone(),
            other => other.to_string(),
        },
        Some(Value::Number(n)) => n.to_string(),
        Some(Value::Bool(b)) => b.to_string(),
        _ => sentence(rng),
    }
}

/// A `like` pattern from a text: a prefix, suffix, infix, the whole, or `*`.
fn like_pattern(rng: &mut SplitMix64, text: &str) -> String {
    let chars: Vec<char> = text.chars().collect();
    let cut = |a: usize, b: usize| {
        chars[a.min(chars.len())..b.min(chars.len())]
            .iter()
            .collect::<String>()
    };
    let n = chars.len();
    match rng.below(5) {
        0 => format!("{}*", cut(0, 1 + rng.below(4))),
        1 => format!("*{}", cut(n.saturating_sub(1 + rng.below(4)), n)),
        2 => {
            let a = rng.below(n.max(1));
            format!("*{}*", cut(a, a + 1 + rng.below(3)))
        }
        3 => text.to_owned(),
        _ => "*".into(),
    }
}

/// Flips the case of some letters.
fn flip_case(rng: &mut SplitMix64, s: &str) -> String {
    s.chars()
        .flat_map(|c| {
            if rng.chance(50) {
                c.to_uppercase().collect::<Vec<_>>()
            } else {
                c.to_lowercase().collect()
            }
        })
        .collect()
}

/// One random condition over the records' values.
fn condition(rng: &mut SplitMix64, records: &[Map<String, Value>]) -> String {
    let ord = ["gt", "ge", "lt", "le"];
    let q = |s: &str| quote(s);
    match rng.below(13) {
        0 => {
            let op = ["eq", "in", "gt", "ge", "lt", "le"][rng.below(6)];
            let v = some_text(rng, records, "name");
            if op == "in" {
                let w = some_text(rng, records, "name");
                format!("in(name,{},{})", q(&v), q(&w))
            } else {
                format!("{op}(name,{})", q(&v))
            }
        }
        1 => {
            let t = some_text(rng, records, "name");
            let p = like_pattern(rng, &t);
            if rng.chance(50) {
                format!("like(name,{})", q(&p))
            } else {
                format!("ilike(name,{})", q(&flip_case(rng, &p)))
            }
        }
        2 => {
            let words: Vec<&str> = (0..1 + rng.below(2))
                .map(|_| *rng.pick(WORDS).unwrap())
                .collect();
            format!("text(name,{})", q(&flip_case(rng, &words.join(" "))))
        }
        3 => {
            let op = [
                "eq",
                "in",
                "contains",
                "contains_any",
                "contains_all",
                "like",
                "ilike",
            ][rng.below(7)];
            let v = some_text(rng, records, "tags");
            match op {
                "like" => format!("like(tags,{})", q(&like_pattern(rng, &v))),
                "ilike" => {
                    let p = like_pattern(rng, &v);
                    format!("ilike(tags,{})", q(&flip_case(rng, &p)))
                }
                "in" | "contains_any" | "contains_all" => {
                    let w = some_text(rng, records, "tags");
                    format!("{op}(tags,{},{})", q(&v), q(&w))
                }
                _ => format!("{op}(tags,{})", q(&v)),
            }
        }
        4 => match rng.below(2) {
            0 => format!("eq(kind,{})", ["a", "b", "c"][rng.below(3)]),
            _ => "in(kind,a,c)".into(),
        },
        5 => {
            let n = rng.below(20) as i64 - 5;
            match rng.below(3) {
                0 => format!("eq(qty,{n})"),
                1 => format!("in(qty,{n},{})", n + 1),
                _ => format!("{}(qty,{n})", ord[rng.below(4)]),
            }
        }
        6 => {
            let v = ["1.5", "2", "2.0", "0.25", "10", "-3.75", "1e1", "2.50"][rng.below(8)];
            match rng.below(3) {
                0 => format!("eq(price,{v})"),
                1 => format!("in(price,{v},0.25)"),
                _ => format!("{}(price,{v})", ord[rng.below(4)]),
            }
        }
        7 => [
            "eq(active,true)",
            "eq(active,false)",
            "in(active,true,false)",
        ][rng.below(3)]
        .into(),
        8 => {
            let u = uuid_of(rng.below(6) as u64);
            match rng.below(3) {
                0 => format!("eq(ref,{u})"),
                1 => format!("in(ref,{u},{})", uuid_of(1)),
                _ => format!("{}(ref,{u})", ord[rng.below(4)]),
            }
        }
        9 => {
            let t = format!(
                "2024-0{}-1{}T0{}:00:00Z",
                1 + rng.below(3),
                rng.below(3),
                rng.below(3)
            );
            let op = ["eq", "gt", "ge", "lt", "le"][rng.below(5)];
            format!("{op}(at,{t})")
        }
        10 => {
            let op = ["eq", "in", "contains", "contains_any", "contains_all"][rng.below(5)];
            match op {
                "in" | "contains_any" | "contains_all" => format!("{op}(labels,x,z)"),
                _ => format!("{op}(labels,{})", ["x", "y", "z"][rng.below(3)]),
            }
        }
        11 => {
            let key = ["color", "size", "other"][rng.below(3)];
            let v = some_text(rng, records, &format!("doc.{key}"));
            match rng.below(4) {
                0 => format!("eq(doc.{key},{})", q(&v)),
                1 => format!("in(doc.{key},{},x)", q(&v)),
                2 => format!("like(doc.{key},{})", q(&like_pattern(rng, &v))),
                _ => {
                    let p = like_pattern(rng, &v);
                    format!("ilike(doc.{key},{})", q(&flip_case(rng, &p)))
                }
            }
        }
        _ => {
            let attr = [
                "name",
                "tags",
                "kind",
                "qty",
                "price",
                "active",
                "ref",
                "at",
                "labels",
                "doc.color",
            ][rng.below(10)];
            format!("is_null({attr})")
        }
    }
}

/// A term: a condition, or (one time in four, at depth < 2) an OR group of
/// 2-3 alternatives, each an AND of 1-2 terms.
fn term(rng: &mut SplitMix64, records: &[Map<String, Value>], depth: usize) -> String {
    if depth < 2 && rng.chance(25) {
        let alts: Vec<String> = (0..2 + rng.below(2))
            .map(|_| {
                (0..1 + rng.below(2))
                    .map(|_| term(rng, records, depth + 1))
                    .collect::<Vec<_>>()
                    .join(":")
            })
            .collect();
        format!("({})", alts.join("|"))
    } else {
        condition(rng, records)
    }
}

fn filter(rng: &mut SplitMix64, records: &[Map<String, Value>]) -> String {
    (0..1 + rng.below(2))
        .map(|_| term(rng, records, 0))
        .collect::<Vec<_>>()
        .join(":")
}

#[test]
fn every_operator_with_or_groups_agrees_with_postgres() {
    let schema = Schema::from_json(ITEMS).unwrap();
    let (_server, client) = utf8_database();
    let client = RefCell::new(client);
    let checked = Cell::new(0usize);
    let matched = Cell::new(0usize);
    let ops = RefCell::new(std::collections::BTreeSet::new());
    let groups = Cell::new(0usize);
    TestRunner::new(Config {
        cases: 64,
        failure_persistence: None,
        ..Config::default()
    })
    .run(&(proptest::num::u64::ANY, 5usize..40), |(seed, n)| {
        let mut rng = SplitMix64::new(seed);
        let records: Vec<Map<String, Value>> = (0..n).map(|i| item(&mut rng, i as i32)).collect();
        let client = &mut *client.borrow_mut();
        load_items(client, &records);
        for _ in 0..40 {
            let text = filter(&mut rng, &records);
            let f = match schema.compile(&text) {
                Ok(f) => f,
                // Over the condition limit: generate another.
                Err(e) if e.to_string().contains("too many conditions") => continue,
                Err(e) => return Err(TestCaseError::fail(format!("{text}: {e}"))),
            };
            for c in f.conditions() {
                ops.borrow_mut().insert(c.op());
            }
            groups.set(groups.get() + usize::from(text.contains('|')));
            let want = in_memory(&records, &f);
            let got = select(client, "items", &f).map_err(TestCaseError::fail)?;
            if got != want {
                return Err(TestCaseError::fail(format!(
                    "seed {seed}: {text}\nSQL: {:?}\nPostgreSQL: {got:?}\nin memory: {want:?}\nrecords: {}",
                    render_with(&f, &RenderOptions { products: "items".into(), ..RenderOptions::default() }),
                    serde_json::to_string(&records).unwrap_or_default()
                )));
            }
            checked.set(checked.get() + 1);
            matched.set(matched.get() + usize::from(!want.is_empty()));
        }
        Ok(())
    })
    .unwrap();
    assert_eq!(
        ops.borrow().len(),
        13,
        "every operator was tried: {:?}",
        ops.borrow()
    );
    assert!(checked.get() >= 64 * 35, "{} filters", checked.get());
    assert!(
        groups.get() * 5 > checked.get(),
        "OR groups: {}",
        groups.get()
    );
    assert!(
        matched.get() * 3 > checked.get(),
        "only {} matched",
        matched.get()
    );
}

/// `text` and `ilike` over a corpus of 1,200 generated sentences: the same
/// rows as PostgreSQL's `to_tsvector('english', s) @@
/// plainto_tsquery('english', q)` and `lower(s) LIKE lower(p)`.
#[test]
fn text_and_ilike_agree_with_postgres_on_a_corpus() {
    let (_server, mut client) = utf8_database();
    client
        .batch_execute("CREATE TABLE corpus (id int PRIMARY KEY, s text)")
        .unwrap();
    let mut rng = SplitMix64::new(7);
    let corpus: Vec<String> = (0..1200).map(|_| sentence(&mut rng)).collect();
    for (i, s) in corpus.iter().enumerate() {
        client
            .execute("INSERT INTO corpus VALUES ($1, $2)", &[&(i as i32), s])
            .unwrap();
    }
    let mut nonempty = 0;
    for round in 0..80 {
        let words: Vec<&str> = (0..1 + rng.below(2))
            .map(|_| *rng.pick(WORDS).unwrap())
            .collect();
        let q = flip_case(&mut rng, &words.join(" "));
        let query = TextQuery::new(&q);
        let want: Vec<i32> = (0..corpus.len())
            .filter(|&i| query.matches(&corpus[i]))
            .map(|i| i as i32)
            .collect();
        let got: Vec<i32> = client
            .query(
                "SELECT id FROM corpus WHERE to_tsvector('english', s) @@ plainto_tsquery('english', $1::text) ORDER BY id",
                &[&q],
            )
            .unwrap()
            .iter()
            .map(|r| r.get(0))
            .collect();
        assert_eq!(got, want, "text query {q:?}");
        nonempty += usize::from(!want.is_empty());
        // ilike with the same words.
        let source = &corpus[rng.below(corpus.len())];
        let like = like_pattern(&mut rng, source);
        let pattern = flip_case(&mut rng, &like);
        let schema = Schema::builder("corpus")
            .attribute(
                "s",
                catalog_filter::schema::ValueType::Text,
                &[catalog_filter::syntax::Op::Ilike],
            )
            .build()
            .unwrap();
        let f = schema
            .compile(&format!("ilike(s,{})", quote(&pattern)))
            .unwrap();
        let records: Vec<Map<String, Value>> = corpus
            .iter()
            .enumerate()
            .map(|(i, s)| json!({"id": i, "s": s}).as_object().cloned().unwrap())
            .collect();
        assert_eq!(
            select(&mut client, "corpus", &f).unwrap(),
            in_memory(&records, &f),
            "round {round}: ilike {pattern:?}"
        );
    }
    assert!(nonempty > 40, "only {nonempty} text queries found anything");
}

/// Issue 27 D4: an instant condition whose values are all sub-microsecond
/// renders as `FALSE` and binds nothing, so PostgreSQL runs it alone and
/// inside an OR (it refused "expected 0 parameters but got 1" and "could
/// not determine data type of parameter $1" when the JSON key was bound).
#[test]
fn a_constant_condition_runs_in_postgres() {
    let schema = Schema::from_json(
        r#"{"name": "events", "allow_or": true, "attributes": {
            "at": {"type": "instant", "operators": ["eq", "in"], "sql": {"json": ["doc", "at"]}},
            "doc.when": {"type": "instant", "operators": ["eq", "in"]},
            "name": {"type": "text", "operators": ["eq"]}
        }}"#,
    )
    .unwrap();
    let (_server, mut client) = utf8_database();
    client
        .batch_execute(
            "CREATE TABLE events (id int PRIMARY KEY, name text, doc jsonb); \
             INSERT INTO events VALUES \
             (1, 'x', '{\"at\": \"2024-01-01T00:00:00Z\", \"when\": \"2024-01-01T00:00:00Z\"}'), \
             (2, 'y', '{}')",
        )
        .unwrap();
    let records: Vec<Map<String, Value>> = [
        json!({"id": 1, "name": "x", "at": "2024-01-01T00:00:00Z", "doc": {"when": "2024-01-01T00:00:00Z"}}),
        json!({"id": 2, "name": "y", "doc": {}}),
    ]
    .into_iter()
    .map(|v| v.as_object().cloned().unwrap())
    .collect();
    let sub = "2024-01-01T00:00:00.0000001Z";
    for (filter, want) in [
        (format!("eq(at,{sub})"), vec![]),
        (format!("in(at,{sub},2024-01-01T00:00:00.0000002Z)"), vec![]),
        (format!("eq(doc.when,{sub})"), vec![]),
        (format!("(eq(at,{sub})|eq(name,y))"), vec![2]),
        (
            format!("(eq(doc.when,{sub})|eq(name,x)):eq(at,2024-01-01T00:00:00Z)"),
            vec![1],
        ),
    ] {
        let f = schema.compile(&filter).unwrap();
        assert_eq!(
            select(&mut client, "events", &f),
            Ok(want.clone()),
            "{filter}"
        );
        assert_eq!(in_memory(&records, &f), want, "{filter}");
    }
}
