//! Runtime schemas: the shipped schema files equal the presets, the
//! detach_nodes preset equals the compiled-in matrix, and schemas survive a
//! JSON and a TOML round trip.

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
