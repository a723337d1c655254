//! Runtime schemas: the shipped schema files equal the presets, the
//! detach_nodes preset equals the compiled-in matrix, schemas survive a
//! JSON and a TOML round trip, and `customers.json`, a mirror of a Go
//! helper endpoint, refuses what the helper's value validators refuse.

use catalog_filter::schema::Schema;
use catalog_filter::schema::ValueType as RuntimeType;
use std::path::PathBuf;

fn schema_file(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("examples/data/schemas")
        .join(name)
}

/// Loads a shipped file; on a difference, prints the preset's JSON.
fn load(name: &str, preset: &Schema) -> Schema {
    let path = schema_file(name);
    let text = std::fs::read_to_string(&path).unwrap();
    let loaded = Schema::from_json(&text).unwrap_or_else(|e| panic!("{name}: {e}"));
    if &loaded != preset {
        eprintln!(
            "{name} differs from the preset, which writes as:\n{}",
            preset.to_json()
        );
    }
    loaded
}

#[test]
fn detach_nodes_file_equals_the_preset() {
    let preset = Schema::detach_nodes();
    assert_eq!(load("detach_nodes.json", &preset), preset);
}

#[test]
fn orders_file_equals_the_preset() {
    let preset = Schema::orders();
    let loaded = load("orders.json", &preset);
    assert_eq!(loaded, preset);
    assert!(loaded.allow_or());
    assert_eq!(loaded.max_complexity(), 4);
    let status = loaded.resolve("status").unwrap();
    assert_eq!(
        status.attribute().value_type(),
        &RuntimeType::Enum(vec![
            "incomplete".into(),
            "complete".into(),
            "processing".into(),
            "cancelled".into()
        ])
    );
}

#[test]
fn presets_round_trip_through_json_and_toml() {
    for preset in [Schema::detach_nodes(), Schema::orders()] {
        let json = preset.to_json();
        assert_eq!(Schema::from_json(&json).unwrap(), preset, "{json}");
        let toml = preset.to_toml();
        assert_eq!(Schema::from_toml(&toml).unwrap(), preset, "{toml}");
    }
}

/// The compiled-in matrix is gone; the preset is the matrix. Its shapes
/// and refusals are checked by tests/matrix.rs; here, the switches and the
/// has_nodes rule.
#[test]
fn detach_nodes_preset_switches() {
    let schema = Schema::detach_nodes();
    assert_eq!(schema.name(), "detach_nodes");
    assert!(!schema.allow_or());
    assert_eq!(schema.attributes().len(), 21);
    let has_nodes = schema.attribute("has_nodes").unwrap();
    assert_eq!(has_nodes.value_type(), &RuntimeType::Boolean);
    assert_eq!(
        has_nodes.rules().one_of.as_deref(),
        Some(&["false".to_owned()][..])
    );
    for path in [
        "extensions.book",
        "sku.x",
        "admin_attributes",
        "skus",
        "SKU",
    ] {
        assert!(schema.resolve(path).is_err(), "{path}");
    }
    assert!(Schema::detach_nodes().same(&schema), "built once");
}

/// Every prefix of a schema file (JSON and TOML) loads or is refused with
/// a position inside the input; none panics. (The fuzz target `schema`
/// does the same for arbitrary bytes.)
#[test]
fn truncated_files_are_errors_with_positions() {
    use catalog_filter::schema::SchemaError;
    let json = std::fs::read_to_string(schema_file("detach_nodes.json")).unwrap();
    let toml = Schema::orders().to_toml();
    for (text, load) in [
        (
            &json,
            Schema::from_json as fn(&str) -> Result<Schema, SchemaError>,
        ),
        (&toml, Schema::from_toml),
    ] {
        for end in (0..text.len()).filter(|&i| text.is_char_boundary(i)) {
            let prefix = &text[..end];
            match load(prefix) {
                Err(SchemaError::Load { line, column, .. }) => {
                    let lines = prefix.lines().count().max(1);
                    assert!(line >= 1 && line <= lines + 1, "{prefix:?}: line {line}");
                    assert!(column >= 1, "{prefix:?}");
                }
                Err(e) => panic!("{prefix:?}: {e}"),
                Ok(s) => assert!(s.attributes().len() <= 21),
            }
        }
    }
}

/// The deepest filter the deepest allowed schema accepts validates, prints
/// and drops on a test thread's small stack (2 MiB): the depth cap keeps the
/// recursion of validation, `Display` and `Drop` bounded.
#[test]
fn the_deepest_allowed_filter_validates_prints_and_drops() {
    use catalog_filter::schema::MAX_DEPTH;
    let schema = Schema::builder("deep")
        .allow_or(true)
        .max_complexity(0)
        .max_depth(MAX_DEPTH)
        .attribute("sku", RuntimeType::Text, &[catalog_filter::syntax::Op::Eq])
        .build()
        .unwrap();
    // eq(sku,a)|eq(sku,b):(eq(sku,a)|eq(sku,b):( ... )), OR and AND
    // alternating: each pair of parentheses is a level, as the parser and
    // the validator count them, and the top-level OR needs none.
    let mut filter = "eq(sku,z)".to_owned();
    for _ in 0..MAX_DEPTH {
        filter = format!("(eq(sku,a)|eq(sku,b):{filter})");
    }
    let filter = filter[1..filter.len() - 1].to_owned();
    let limits = catalog_filter::Limits {
        max_depth: MAX_DEPTH,
        max_conditions: 1000,
        max_complexity: 0,
        ..catalog_filter::Limits::DEFAULT
    };
    let valid = catalog_filter::CompilerBuilder::new()
        .schema(schema.clone())
        .limits(limits)
        .build()
        .compile(&filter)
        .unwrap();
    assert_eq!(valid.to_string(), filter);
    drop(valid);
    // One group more is refused by the parser, at the `(` of level 65.
    let too_deep = format!("(eq(sku,a)|eq(sku,b):({filter}))");
    match catalog_filter::CompilerBuilder::new()
        .schema(schema.clone())
        .limits(limits)
        .build()
        .compile(&too_deep)
    {
        Err(catalog_filter::FilterError::Parse(e)) => assert_eq!(
            (e.kind().clone(), e.span().start),
            (
                catalog_filter::syntax::ParseErrorKind::TooDeep { limit: MAX_DEPTH },
                64 * "(eq(sku,a)|eq(sku,b):".len()
            )
        ),
        other => panic!("{other:?}"),
    }
}

/// A JSON schema of `n` exact attributes `attr_<i>`, `n / 5` patterned ones
/// `ext_<i>.<template>.<field>` and `n / 5` aliases `alias_<i>` -> `attr_<i>`,
/// then `extra` attributes verbatim.
fn big_schema(n: usize, extra: &str) -> String {
    use std::fmt::Write;
    let mut s = String::from(r#"{"name":"big","attributes":{"#);
    for i in 0..n {
        write!(s, r#""attr_{i}":{{"type":"text","operators":["eq"]}},"#).unwrap();
    }
    for i in 0..n / 5 {
        write!(
            s,
            r#""ext_{i}.<template>.<field>":{{"type":"text","operators":["eq"]}},"#
        )
        .unwrap();
    }
    s.push_str(extra);
    s.push_str(r#""last":{"type":"text","operators":["eq"]}},"aliases":{"#);
    for i in 0..n / 5 {
        if i > 0 {
            s.push(',');
        }
        write!(s, r#""alias_{i}":"attr_{i}""#).unwrap();
    }
    s.push_str("}}");
    s
}

/// Loading is near-linear (issue 27, D3): 100,000 attributes with 20,000
/// patterns and 20,000 aliases load (pairwise checks made this about 5 * 10^9
/// comparisons, minutes even in a release build), and a conflict at the
/// end is still reported with the attribute it conflicts with.
#[test]
fn a_hundred_thousand_attributes_load() {
    let n = 100_000;
    let schema = Schema::from_json(&big_schema(n, "")).unwrap();
    assert_eq!(schema.attributes().len(), n + n / 5 + 1);
    assert_eq!(
        schema.resolve("alias_99").unwrap().attribute().pattern(),
        "attr_99"
    );
    assert_eq!(
        schema.resolve("ext_19999.a.b").unwrap().capture("field"),
        Some("b")
    );
    for (extra, message) in [
        (
            r#""attr_50000":{"type":"text","operators":["eq"]},"#,
            "JSON schema, line 1, column 6097820: attribute `attr_50000` is defined twice",
        ),
        (
            r#""ext_12345.<t>.b":{"type":"text","operators":["eq"]},"#,
            "`ext_12345.<t>.b` overlaps `ext_12345.<template>.<field>`: a path could match both",
        ),
    ] {
        assert_eq!(
            Schema::from_json(&big_schema(n, extra))
                .unwrap_err()
                .to_string(),
            message
        );
    }
}

/// `examples/data/schemas/customers.json` mirrors an endpoint of the vendor
/// Go helper (epcc-search-ast-helper) configured with
///
/// ```go
/// allowedOps := map[string][]string{
///     "email": {"eq", "in", "like"}, "name": {"eq", "like"},
///     "username": {"eq", "in"}, "amount": {"eq", "in", "gt", "ge", "lt", "le"},
///     "discount": {"gt", "ge", "lt", "le"}, "status": {"eq", "in"},
///     "locales.<locale>.description": {"eq", "like"}, // a regex key there
/// }
/// aliases := map[string]string{
///     "customer_email": "email", "total": "amount", "order_status": "status",
///     `^attributes\.locales\.([a-zA-Z0-9_-]+)\.description$`: "locales.$1.description",
/// }
/// validators := map[string]string{
///     "email": "email", "name": "lt=128,excludes=<,excludes=>",
///     "username": "min=3,max=32,excludes= ", "amount": "gte=0,lt=128",
///     "discount": "gte=0,lte=0.95",
///     "status": "oneof=incomplete complete processing cancelled",
///     "locales.<locale>.description": "lt=256,excludes=<script",
/// }
/// fieldTypes := map[string]FieldType{"amount": Int64, "discount": Float64}
/// ```
///
/// (`amount` and `discount` are typed, so their bounds bound the number;
/// `name`'s `lt=128` bounds its length, as go-playground does for strings.)
fn customers() -> Schema {
    let text = std::fs::read_to_string(schema_file("customers.json")).unwrap();
    Schema::from_json(&text).unwrap_or_else(|e| panic!("customers.json: {e}"))
}

#[test]
fn customers_file_accepts_what_the_go_helper_accepts() {
    let schema = customers();
    let long_name = format!("eq(name,{})", "n".repeat(127));
    let long_name_chars = format!("eq(name,\"{}\")", "é".repeat(127));
    for input in [
        "eq(amount,0)",
        "eq(amount,127)",
        "in(total,0,1,127)",
        "lt(amount,127)",
        "ge(amount,-0)",
        "le(discount,0.95)",
        "lt(discount,95e-2)",
        "gt(discount,0.000)",
        "eq(email,first.last+tag@example.co.uk)",
        "in(customer_email,a@b,x@localhost)",
        "like(email,*@example.com)",
        "eq(name,\"Ann O'Neil\")",
        &long_name,
        &long_name_chars,
        "like(name,*shoe*)",
        "eq(username,abc)",
        "in(username,abc,user-name-of-32-characters-00032)",
        "eq(status,complete)",
        "in(order_status,cancelled,processing)",
        "like(attributes.locales.fr.description,*bio*)",
        "eq(locales.en-US.description,\"<b>bold</b>\")",
        "(eq(amount,1)|eq(email,a@b.c))",
    ] {
        assert!(
            schema.compile(input).is_ok(),
            "{input}: {:?}",
            schema.compile(input).err()
        );
    }
}

#[test]
fn customers_file_refuses_what_the_go_helper_refuses_with_spans() {
    use catalog_filter::FilterError;
    use catalog_filter::schema::Decimal;
    use catalog_filter::syntax::Span;
    use catalog_filter::validate::ExpectedValue as E;
    use catalog_filter::validate::ValidationErrorKind as K;
    let schema = customers();
    let d = |s: &str| Decimal::parse(s).unwrap();
    let long_name = format!("eq(name,{})", "n".repeat(128));
    let long_description = format!("like(locales.de.description,{})", "d".repeat(256));
    /// One refused value: the attribute as written, the value, what was
    /// expected, the value's span.
    type Refused<'a> = (&'a str, &'a str, E, std::ops::Range<usize>);
    let cases: Vec<(&str, Vec<Refused<'_>>)> = vec![
        // `lt=128` on a number: the value, exactly.
        (
            "eq(amount,128)",
            vec![("amount", "128", E::LessThan(d("128")), 10..13)],
        ),
        (
            "lt(amount,128)",
            vec![("amount", "128", E::LessThan(d("128")), 10..13)],
        ),
        (
            "in(amount,1,127,300)",
            vec![("amount", "300", E::LessThan(d("128")), 16..19)],
        ),
        (
            "gt(total,-1)",
            vec![("total", "-1", E::AtLeast(d("0")), 9..11)],
        ),
        (
            "eq(amount,12.5)",
            vec![("amount", "12.5", E::Type(RuntimeType::Integer), 10..14)],
        ),
        (
            "le(discount,0.9500000000000000001)",
            vec![(
                "discount",
                "0.9500000000000000001",
                E::AtMost(d("0.95")),
                12..33,
            )],
        ),
        (
            "gt(discount,-1e-9)",
            vec![("discount", "-1e-9", E::AtLeast(d("0")), 12..17)],
        ),
        // `email`, on `like` patterns as written too.
        (
            "eq(email,not-an-email)",
            vec![("email", "not-an-email", E::Email, 9..21)],
        ),
        (
            "like(email,john*)",
            vec![("email", "john*", E::Email, 11..16)],
        ),
        (
            "in(customer_email,a@b.co,x@,@y.z)",
            vec![
                ("customer_email", "x@", E::Email, 25..27),
                ("customer_email", "@y.z", E::Email, 28..32),
            ],
        ),
        (
            "eq(email,\"a b@c.com\")",
            vec![("email", "a b@c.com", E::Email, 9..20)],
        ),
        // `lt=128` on text: the length in characters; `excludes`.
        (
            &long_name,
            vec![("name", &long_name[8..136], E::MaxLen(127), 8..136)],
        ),
        (
            "eq(name,\"<b>\")",
            vec![("name", "<b>", E::Excludes("<".into()), 8..13)],
        ),
        (
            "like(name,\"*>*\")",
            vec![("name", "*>*", E::Excludes(">".into()), 10..15)],
        ),
        (
            "eq(username,ab)",
            vec![("username", "ab", E::MinLen(3), 12..14)],
        ),
        (
            "in(username,abc,\"a b c\")",
            vec![("username", "a b c", E::Excludes(" ".into()), 16..23)],
        ),
        (
            "eq(username,user-name-of-33-characters-000033)",
            vec![(
                "username",
                "user-name-of-33-characters-000033",
                E::MaxLen(32),
                12..45,
            )],
        ),
        (
            "like(attributes.locales.en-US.description,\"*<script*\")",
            vec![(
                "attributes.locales.en-US.description",
                "*<script*",
                E::Excludes("<script".into()),
                42..53,
            )],
        ),
        (
            &long_description,
            vec![(
                "locales.de.description",
                &long_description[28..284],
                E::MaxLen(255),
                28..284,
            )],
        ),
        (
            "eq(status,done)",
            vec![(
                "status",
                "done",
                E::OneOf(
                    ["incomplete", "complete", "processing", "cancelled"]
                        .map(String::from)
                        .to_vec(),
                ),
                10..14,
            )],
        ),
        // Every bad value of a filter, in order.
        (
            "(eq(amount,200)|eq(email,x):eq(name,\">\"))",
            vec![
                ("amount", "200", E::LessThan(d("128")), 11..14),
                ("email", "x", E::Email, 25..26),
                ("name", ">", E::Excludes(">".into()), 36..39),
            ],
        ),
    ];
    let mut wrong = Vec::new();
    for (input, expected) in cases {
        let expected: Vec<(K, Span)> = expected
            .into_iter()
            .map(|(attribute, value, expected, at)| {
                (
                    K::InvalidValue {
                        attribute: attribute.into(),
                        value: value.into(),
                        expected,
                    },
                    Span::from(at),
                )
            })
            .collect();
        let got: Vec<(K, Span)> = match schema.compile(input) {
            Err(FilterError::Invalid(es)) => {
                es.iter().map(|e| (e.kind().clone(), e.span())).collect()
            }
            other => panic!("{input}: {other:?}"),
        };
        if got != expected {
            wrong.push(format!("{input}\n  got {got:?}"));
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

/// The messages of the new rules say what was expected.
#[test]
fn value_rule_messages_say_what_was_expected() {
    let schema = customers();
    for (input, message) in [
        (
            "eq(amount,128)",
            "invalid value `128` for `amount`: expected a number less than 128",
        ),
        (
            "eq(total,-5)",
            "invalid value `-5` for `total`: expected a number at least 0",
        ),
        (
            "le(discount,1)",
            "invalid value `1` for `discount`: expected a number at most 0.95",
        ),
        (
            "eq(email,nobody)",
            "invalid value `nobody` for `email`: expected an email address",
        ),
        (
            "eq(name,\"a<b\")",
            "invalid value `a<b` for `name`: expected a value without `<`",
        ),
        (
            "eq(username,ab)",
            "invalid value `ab` for `username`: expected at least 3 characters",
        ),
    ] {
        assert_eq!(
            schema.compile(input).unwrap_err().to_string(),
            message,
            "{input}"
        );
    }
    let builder = Schema::builder("b")
        .attribute("n", RuntimeType::Integer, &[catalog_filter::syntax::Op::Eq])
        .gt("1.5")
        .le(1000)
        .build()
        .unwrap();
    assert_eq!(
        builder.compile("eq(n,1)").unwrap_err().to_string(),
        "invalid value `1` for `n`: expected a number greater than 1.5"
    );
    assert!(builder.compile("eq(n,2)").is_ok());
}

#[test]
fn customers_file_round_trips_through_json_and_toml() {
    let schema = customers();
    assert_eq!(Schema::from_json(&schema.to_json()).unwrap(), schema);
    assert_eq!(Schema::from_toml(&schema.to_toml()).unwrap(), schema);
}
