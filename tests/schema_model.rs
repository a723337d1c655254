//! `src/schema/model.rs` pinned where mutation testing found it unpinned
//! (tests/MUTANTS.md): schema equality, `Debug`, and the lookups' edges.
//! Kept apart from `tests/schema.rs` so the model's own changes and these
//! tests do not collide.

use catalog_filter::schema::Schema;
use serde_json::{Value, json};

/// A schema with every part equality compares: switches, limits, two
/// attributes (aliases, rules, `sql`) and a free alias.
fn base() -> Value {
    json!({
        "name": "s",
        "allow_or": true,
        "limits": {"max_complexity": 3},
        "attributes": {
            "name": {"type": "text", "operators": ["eq", "like"], "aliases": ["title", "label"],
                     "max_len": 9, "sql": {"column": "n"}},
            "x.<a>.<b>": {"type": "text", "operators": ["eq"]},
            "count": {"type": "integer", "operators": ["eq", "gt"]}
        },
        "aliases": {"short": "x.k.v", "other": "x.k.w"}
    })
}

fn schema(v: &Value) -> Schema {
    Schema::from_json(&v.to_string()).unwrap_or_else(|e| panic!("{e}\n{v}"))
}

/// One change to a schema's JSON.
type Change = fn(&mut Value);

#[test]
fn equality_ignores_order_and_compares_every_part() {
    let a = schema(&base());
    // Attributes, attribute aliases and free aliases in another order.
    let reordered = json!({
        "name": "s",
        "allow_or": true,
        "limits": {"max_complexity": 3},
        "attributes": {
            "count": {"type": "integer", "operators": ["gt", "eq"]},
            "x.<a>.<b>": {"type": "text", "operators": ["eq"]},
            "name": {"type": "text", "operators": ["like", "eq"], "aliases": ["label", "title"],
                     "max_len": 9, "sql": {"column": "n"}}
        },
        "aliases": {"other": "x.k.w", "short": "x.k.v"}
    });
    assert_eq!(a, schema(&reordered));
    assert_eq!(a, a.clone());
    // Each change alone makes another schema.
    let changes: [(&str, Change); 12] = [
        ("name", |v| v["name"] = json!("t")),
        ("allow_or", |v| v["allow_or"] = json!(false)),
        ("limits", |v| v["limits"]["max_complexity"] = json!(4)),
        ("an attribute more", |v| {
            v["attributes"]["more"] = json!({"type": "text", "operators": ["eq"]})
        }),
        ("an attribute less", |v| {
            v["attributes"].as_object_mut().unwrap().remove("count");
        }),
        ("a type", |v| {
            v["attributes"]["count"]["type"] = json!("decimal")
        }),
        ("operators", |v| {
            v["attributes"]["count"]["operators"] = json!(["eq"])
        }),
        ("an attribute alias", |v| {
            v["attributes"]["name"]["aliases"] = json!(["title", "caption"])
        }),
        ("a rule", |v| v["attributes"]["name"]["max_len"] = json!(8)),
        ("sql", |v| {
            v["attributes"]["name"]["sql"] = json!({"column": "m"})
        }),
        ("a free alias", |v| {
            v["aliases"] = json!({"short": "x.k.v", "another": "x.k.w"})
        }),
        ("a free alias less", |v| {
            v["aliases"] = json!({"short": "x.k.v"})
        }),
    ];
    for (what, change) in changes {
        let mut v = base();
        change(&mut v);
        let b = schema(&v);
        assert_ne!(a, b, "{what}");
        assert_ne!(b, a, "{what}");
    }
}

#[test]
fn debug_shows_the_definition() {
    let text = format!("{:?}", schema(&base()));
    assert!(
        text.starts_with("Definition { name: \"s\", allow_or: true, limits: "),
        "{text}"
    );
    for part in ["\"x.<a>.<b>\"", "max_complexity: 3", "\"short\""] {
        assert!(text.contains(part), "{part}: {text}");
    }
}

#[test]
fn an_attribute_supports_exactly_its_operators() {
    use catalog_filter::syntax::Op;
    let s = schema(&base());
    let count = s.attribute("count").unwrap();
    let supported: Vec<Op> = Op::ALL
        .iter()
        .copied()
        .filter(|&op| count.supports(op))
        .collect();
    assert_eq!(supported, [Op::Eq, Op::Gt]);
}

/// Names that share prefixes, suffixes and lengths around the lookup
/// table's eight-byte words, enough of them that buckets collide.
fn many_names() -> Vec<String> {
    let mut names = Vec::new();
    for i in 0..12 {
        names.push(format!("n{i}"));
        names.push(format!("name_{i:02}x"));
        names.push(format!("a_long_shared_prefix_{i}"));
        names.push(format!("{i}_a_long_shared_suffix"));
        names.push(format!("abcdefg{}", char::from(b'a' + i as u8)));
    }
    names
}

#[test]
fn every_exact_name_and_alias_resolves_to_its_own_attribute() {
    let names = many_names();
    let mut attributes = serde_json::Map::new();
    for name in &names {
        attributes.insert(
            name.clone(),
            // A rule naming the attribute: validation finds the right one.
            json!({"type": "text", "operators": ["eq"], "aliases": [format!("al_{name}")],
                   "one_of": [name]}),
        );
    }
    let s = schema(&json!({"name": "many", "attributes": attributes}));
    for name in &names {
        let found = s.resolve(name).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(found.attribute().pattern(), name);
        assert_eq!(found.alias(), None);
        let alias = format!("al_{name}");
        let found = s.resolve(&alias).unwrap_or_else(|e| panic!("{alias}: {e}"));
        assert_eq!(
            (found.attribute().pattern(), found.alias()),
            (name.as_str(), Some(alias.as_str()))
        );
        // Validation's own lookup finds the same attribute: its rule
        // takes the attribute's name and nothing else.
        for written in [name.clone(), alias] {
            let valid = s
                .compile(&format!("eq({written},{name})"))
                .unwrap_or_else(|e| panic!("{written}: {e}"));
            assert_eq!(valid.to_string(), format!("eq({written},{name})"));
            let other = if name == "n0" { "n1" } else { "n0" };
            assert!(
                s.compile(&format!("eq({written},{other})")).is_err(),
                "{written}"
            );
        }
        for unknown in [
            format!("{name}z"),
            format!("z{name}"),
            format!("al_{name}z"),
        ] {
            assert!(s.resolve(&unknown).is_err(), "{unknown}");
            assert!(
                s.compile(&format!("eq({unknown},{name})")).is_err(),
                "{unknown}"
            );
        }
    }
}

#[test]
fn value_rules_are_empty_only_without_any_rule() {
    use catalog_filter::schema::ValueRules;
    assert!(ValueRules::default().is_empty());
    let one_of = ValueRules {
        one_of: Some(vec!["a".into()]),
        ..ValueRules::default()
    };
    let min_len = ValueRules {
        min_len: Some(0),
        ..ValueRules::default()
    };
    let max_len = ValueRules {
        max_len: Some(3),
        ..ValueRules::default()
    };
    let lt = ValueRules {
        lt: catalog_filter::schema::Decimal::parse("128"),
        ..ValueRules::default()
    };
    let email = ValueRules {
        email: true,
        ..ValueRules::default()
    };
    let excludes = ValueRules {
        excludes: vec!["<".into()],
        ..ValueRules::default()
    };
    for rules in [one_of, min_len, max_len, lt, email, excludes] {
        assert!(!rules.is_empty(), "{rules:?}");
    }
}

#[test]
fn patterns_parse_into_segments_and_refuse_regexes_at_either_end() {
    use catalog_filter::schema::{AttributePattern, PatternError, Segment};
    let p = AttributePattern::parse("extensions.<template>.x-1").unwrap();
    assert_eq!(
        p.segments(),
        [
            Segment::Literal("extensions".into()),
            Segment::Capture("template".into()),
            Segment::Literal("x-1".into()),
        ]
    );
    for regex in ["^a.b", "a.b$", "^a$"] {
        assert_eq!(
            AttributePattern::parse(regex),
            Err(PatternError::Regex),
            "{regex}"
        );
    }
}

#[test]
fn aliases_fill_their_target_in_validation() {
    let mut v = base();
    v["attributes"]["x.<a>.<b>"]["aliases"] = json!(["e.<a>.<b>", "pair.<b>.<a>"]);
    let s = schema(&v);
    for (written, path) in [
        ("short", "x.k.v"),
        ("other", "x.k.w"),
        ("e.book.isbn", "x.book.isbn"),
        ("pair.isbn.book", "x.book.isbn"),
        ("x.book.isbn", "x.book.isbn"),
        ("title", "name"),
    ] {
        let valid = s
            .compile(&format!("eq({written},v)"))
            .unwrap_or_else(|e| panic!("{written}: {e}"));
        let paths: Vec<String> = valid
            .conditions()
            .map(|c| c.field().path().to_owned())
            .collect();
        assert_eq!(paths, [path], "{written}");
        // `resolve` agrees.
        assert_eq!(s.resolve(written).unwrap().path(), path, "{written}");
    }
}

#[test]
fn patterns_print_as_written() {
    use catalog_filter::schema::AttributePattern;
    let p = AttributePattern::parse("extensions.<template>.<field>").unwrap();
    assert_eq!(p.to_string(), "extensions.<template>.<field>");
    assert_eq!(
        format!("{p:?}"),
        r#"AttributePattern("extensions.<template>.<field>")"#
    );
}

/// `same` is identity, not equality: a clone is the same schema object, an
/// equal schema built again is not (equality then compares the parts).
#[test]
fn same_is_one_schema_object() {
    let a = schema(&base());
    let b = schema(&base());
    assert!(a.same(&a.clone()));
    assert_eq!(a, b);
    assert!(!a.same(&b));
    assert!(!Schema::detach_nodes().same(&a));
}

/// Each condition's attribute carries its position in the schema and its
/// pattern as written, whatever path or alias named it: what a record
/// type dispatches on.
#[test]
fn a_conditions_attribute_knows_its_position_and_pattern() {
    let s = schema(&base());
    let f = s
        .compile("eq(count,1):eq(title,a):eq(x.k.v,b):eq(short,c):eq(name,d)")
        .unwrap_or_else(|e| panic!("{e}"));
    let seen: Vec<(usize, &str, &str)> = f
        .conditions()
        .map(|c| {
            let a = c.field();
            // `Display` prints the path.
            assert_eq!(a.to_string(), a.path());
            (a.id(), a.pattern(), a.path())
        })
        .collect();
    assert_eq!(
        seen,
        // Positions in the schema's text (`serde_json::Value` writes its
        // members sorted: count, name, x.<a>.<b>).
        [
            (0, "count", "count"),
            (1, "name", "name"),
            (2, "x.<a>.<b>", "x.k.v"),
            (2, "x.<a>.<b>", "x.k.v"),
            (1, "name", "name"),
        ]
    );
}
